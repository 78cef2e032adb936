"""The spec of the demo report: the sections of Pew's 2019 privacy report, on the SYNTHETIC demo data.

``pewlike report`` with no arguments builds this spec; ``pewlike init`` writes
specs of the same shape for other files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.report.schema import Spec

__all__ = ["DEMO_SPEC", "demo_spec"]

DEMO_SPEC = """\
# The demo privacy report (SYNTHETIC data shaped like Pew's ATP Wave 49, June 2019).
title = "Americans and privacy: concerned, confused and feeling a lack of control"
subtitle = "A pewlike demonstration report on SYNTHETIC data shaped like Pew's American Trends Panel Wave 49"
intro = \"\"\"Every number in this report comes from simulated respondents: the data are a synthetic \
stand-in for the American Trends Panel privacy survey of June 2019 and describe no real person. \
Percentages are weighted; margins of error include the design effect of the weights.\"\"\"

# two SYNTHETIC waves: the 2019 demo and a 2023 follow-up (40 % of its respondents are 2019
# panel members); every item but the trends uses the first
[[data]]
wave = "2019"
file = "pewlike:demo"
weights = "WEIGHT_W49"
synthetic = true

[[data]]
wave = "2023"
file = "pewlike:demo:2023"
weights = "WEIGHT_W132"
synthetic = true

[stack]
id = "QKEY"
weights = "rescale"

[output]
dir = "pewlike-report"
formats = ["html", "md", "csv", "xlsx", "png", "svg"]

[defaults]
by = ["F_AGECAT", "F_SEX", "F_EDUCCAT", "F_RACETHN", "F_INCOME_RECODE", "F_PARTYSUM_FINAL"]
base = "valid"
nets = "auto"
min_n = 100
adjust = "holm"

[[section]]
id = "concern"
title = "Concern about how data are used"
text = "Most adults are very or somewhat concerned about how companies use the data they collect; fewer say so about the government."

[[section]]
id = "control"
title = "Control over personal data"
text = "Large majorities feel they have very little or no control over the data companies and the government collect."

[[section]]
id = "understanding"
title = "Understanding what is done with data"
text = "Few say they understand a great deal about what companies or the government do with the data they collect."

[[section]]
id = "risks"
title = "Risks and benefits: companies vs. government"
text = "Most say the potential risks of data collection outweigh the benefits, more so for companies than for the government."

[[section]]
id = "tracking"
title = "Tracking"
text = "Asked of a random half of respondents each (split form): how much of what they do online is tracked by companies, or by the government."

[[section]]
id = "other"
title = "Security, privacy policies and regulation"

[[section]]
id = "protect"
title = "Protecting personal information"
text = "A select-all list (synthetic): the share who did each thing to protect their personal information in the past year, and who did any."

[[section]]
id = "older"
title = "Adults ages 50 and older"
text = "The items of this section are restricted to a universe: filter = 'F_AGECAT in [3, 4]' (SPSS codes) with universe = 'Adults ages 50 and older'; the full design is kept for the variance."

[[section]]
id = "trends"
title = "Change since 2019 (a SYNTHETIC 2023 wave)"
text = "The 2019 survey stacked with a synthetic 2023 follow-up; panel members who answered both waves count as one cluster, so the tests of change account for their correlated answers."

[[section]]
id = "models"
title = "Who is concerned? Models of concern about companies' data use"
text = "Design-based logistic and proportional-odds models of concern about companies' use of data, by age, sex, education, race and ethnicity, income and party."

# -- concern ------------------------------------------------------------------------------------
[[topline]]
var = "CONCERNCO"
section = "concern"
base = "all"

[[topline]]
var = "CONCERNGOV"
section = "concern"
base = "all"

[[crosstab]]
var = "CONCERNCO"
section = "concern"

[[crosstab]]
var = "CONCERNGOV"
section = "concern"

[[crosstab]]
var = "CONCERNLE"
by = ["F_RACETHN", "F_AGECAT"]
section = "concern"
chart = "dots"
level = "NET Very/Somewhat concerned"

[[compare]]
vars = ["CONCERNCO", "CONCERNGOV"]
labels = ["Companies", "Government"]
level = "NET Very/Somewhat concerned"
title = "Concern about how companies and the government use the data they collect"
section = "concern"

# -- control -------------------------------------------------------------------------------------
[[topline]]
var = "CONTROLCO"
section = "control"
base = "all"

[[topline]]
var = "CONTROLGOV"
section = "control"
base = "all"

[[crosstab]]
var = "CONTROLCO"
section = "control"

[[crosstab]]
var = "CONTROLGOV"
section = "control"

[[compare]]
vars = ["CONTROLCO", "CONTROLGOV"]
labels = ["Companies", "Government"]
level = "NET Very little/No control"
title = "Feeling very little or no control over the data companies and the government collect"
section = "control"

# -- understanding ---------------------------------------------------------------------------------
[[topline]]
var = "UNDERSTANDCO"
section = "understanding"
base = "all"

[[topline]]
var = "UNDERSTANDGOV"
section = "understanding"
base = "all"

[[crosstab]]
var = "UNDERSTANDCO"
section = "understanding"

[[crosstab]]
var = "UNDERSTANDGOV"
section = "understanding"

[[compare]]
vars = ["UNDERSTANDCO", "UNDERSTANDGOV"]
labels = ["Companies", "Government"]
level = "NET Very little/Nothing"
title = "Understanding very little or nothing about what is done with the data collected"
section = "understanding"

# -- risks vs benefits ------------------------------------------------------------------------------
[[topline]]
var = "POSNEGCO"
section = "risks"
base = "all"

[[topline]]
var = "POSNEGGOV"
section = "risks"
base = "all"

[[compare]]
vars = ["POSNEGCO", "POSNEGGOV"]
labels = ["Companies", "Government"]
chart = "likert"
title = "Do the potential risks of data collection outweigh the benefits?"
section = "risks"

[[crosstab]]
var = "POSNEGCO"
section = "risks"
chart = "dots"
level = "The potential risks outweigh the benefits"

[[crosstab]]
var = "POSNEGGOV"
section = "risks"
chart = "dots"
level = "The potential risks outweigh the benefits"

# -- tracking ---------------------------------------------------------------------------------------
[[topline]]
var = "TRACKCO1a"
section = "tracking"
base = "all"
nets = { "NET All/Most" = ["All or almost all of it", "Most of it"], "NET Very little/None" = ["Very little of it", "None of it"] }

[[topline]]
var = "TRACKGOV1a"
section = "tracking"
base = "all"
nets = { "NET All/Most" = ["All or almost all of it", "Most of it"], "NET Very little/None" = ["Very little of it", "None of it"] }

[[crosstab]]
var = "TRACKCO1a"
section = "tracking"
nets = { "NET All/Most" = ["All or almost all of it", "Most of it"], "NET Very little/None" = ["Very little of it", "None of it"] }

[[crosstab]]
var = "TRACKGOV1a"
section = "tracking"
nets = { "NET All/Most" = ["All or almost all of it", "Most of it"], "NET Very little/None" = ["Very little of it", "None of it"] }

# -- other items ------------------------------------------------------------------------------------
[[topline]]
var = "SECUR1"
section = "other"
base = "all"

[[topline]]
var = "PP4"
section = "other"
base = "all"

[[topline]]
var = "GOVREGV1"
section = "other"
base = "all"

# -- a universe: adults ages 50 and older -----------------------------------------------------------
[[topline]]
var = "CONCERNGOV"
section = "older"
name = "topline_CONCERNGOV_50plus"
chart = true
filter = "F_AGECAT in [3, 4]"
universe = "Adults ages 50 and older"

[[crosstab]]
var = "CONCERNGOV"
by = ["F_SEX", "F_PARTYSUM_FINAL"]
section = "older"
name = "crosstab_CONCERNGOV_50plus"
filter = "F_AGECAT in [3, 4]"
universe = "Adults ages 50 and older"
# -- trends (the stacked 2019 and 2023 waves) --------------------------------------------------------
[[trend]]
var = "CONCERNCO"
section = "trends"

[[trend]]
var = "CONCERNGOV"
by = ["F_PARTYSUM_FINAL"]
level = "NET Very/Somewhat concerned"
section = "trends"

[[trend]]
var = "UNDERSTANDCO"
section = "trends"

# -- models -----------------------------------------------------------------------------------------
[[model]]
name = "concern_logit"
type = "logit"
title = "Odds of being very or somewhat concerned about companies' use of data"
formula = "CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ F_AGECAT + F_SEX + F_EDUCCAT + F_RACETHN + F_INCOME_RECODE + F_PARTYSUM_FINAL"
effects = ["F_AGECAT"]
section = "models"

[[model]]
name = "concern_ologit"
type = "ologit"
title = "Proportional-odds model of concern about companies' use of data (four levels)"
formula = "CONCERNCO ~ F_AGECAT + F_SEX + F_EDUCCAT + F_RACETHN + F_INCOME_RECODE + F_PARTYSUM_FINAL"
effects = ["F_AGECAT"]
section = "models"

# -- select-all battery and item grid (#14) ---------------------------------------------------------
[[grid]]
items = ["CONCERNCO", "CONCERNGOV", "CONCERNLE"]
compare = ["CONCERNCO", "CONCERNGOV"]
section = "concern"
name = "grid_concern"

[[select_all]]
items = ["PP5a", "PP5b", "PP5c", "PP5d", "PP5e", "PP5f", "PP5g"]
by = ["F_AGECAT"]
section = "protect"
name = "protect_select_all"

# -- distributions (the demo has no numeric question: the weights themselves, by age) ----------------
[[distribution]]
var = "WEIGHT_W49"
by = ["F_AGECAT"]
chart = "box"
title = "The weights by age group"
section = "weighting"
name = "weights_by_age"

# -- weighting --------------------------------------------------------------------------------------
[weighting]
title = "Weighting and margins of error"
summary = true
"""


def demo_spec() -> Spec:
    """The demo report's :class:`~pewlike.report.spec.Spec`.

    Returns
    -------
    Spec
        :data:`DEMO_SPEC` parsed: Pew's 2019 privacy report on the synthetic demo data.

    Examples
    --------
    >>> spec = demo_spec()
    >>> spec.data.file, spec.data.synthetic
    ('pewlike:demo', True)
    """
    from pewlike.report.spec import loads

    return loads(DEMO_SPEC, label="demo report spec")
