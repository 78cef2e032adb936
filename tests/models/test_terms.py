"""Readable model terms and titles (issue #11): "Age: 30-49 (vs. 18-29)", titles from the outcome's wording."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.models.terms import TermLabel, model_title


@pytest.fixture(scope="module")
def svy() -> pw.Survey:
    return pw.demo().relabel("F_AGECAT", name="Age")


def test_terms_name_the_variable_level_and_reference(svy):
    fit = svy.logit("CONCERNCO in ['Very concerned'] ~ C(F_AGECAT, ref='30-49') * F_SEX + F_IDEO")
    labels = {t: lab.text() for t, lab in fit.readable_terms().items()}
    assert list(labels) == list(fit.names)
    assert labels['C(F_AGECAT, ref = "30-49")18-29'] == "Age: 18-29 (vs. 30-49)"
    assert labels["F_SEXFemale"] == "Sex: Female (vs. Male)"
    assert labels["F_IDEOLiberal"] == "Ideology: Liberal (vs. Very conservative)"
    assert labels['C(F_AGECAT, ref = "30-49")65+:F_SEXFemale'] == "Age x Sex: 65+ x Female"
    heading = fit.readable_terms()["F_SEXFemale"].heading()
    assert heading == "Sex (vs. Male): Female"
    # the contract is untouched: raw names in to_frame(), the same numbers
    frame = fit.to_frame()
    assert list(frame.columns) == ["term", "estimate", "std_error", "statistic", "p_value", "ci_lower", "ci_upper"]
    assert frame["term"].tolist() == list(fit.names)


def test_summary_prints_raw_and_readable_terms(svy):
    fit = svy.logit("CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ F_AGECAT")
    text = fit.summary()
    line = next(x for x in text.splitlines() if x.startswith("F_AGECAT50-64"))
    assert "Age: 50-64 (vs. 18-29)" in line
    est = fit.to_frame().set_index("term").loc["F_AGECAT50-64", "estimate"]
    assert f"{est:.4g}" in line
    assert str(fit) == text


def test_ordinal_cut_points_and_numeric_terms_stay_themselves(svy):
    fit = svy.ologit("CONCERNCO ~ F_AGECAT")
    labels = fit.readable_terms()
    cuts = [t for t in fit.names if "|" in t]
    assert cuts and all(labels[t] == TermLabel(t, "", t) for t in cuts)
    rng = np.random.default_rng(4)
    n = 300
    frame = pd.DataFrame(
        {"y": rng.normal(size=n), "age": rng.uniform(18, 90, n), "inc": rng.gamma(2.0, 30.0, n), "w": np.ones(n)}
    )
    g = pw.Survey(frame, weights="w").relabel("age", label="Age in years").relabel("inc", name="Income")
    gl = g.glm("y ~ age + poly(inc, 2)")
    lab = {t: v.text() for t, v in gl.readable_terms().items()}
    assert lab["age"] == "Age in years"
    assert lab["(Intercept)"] == "(Intercept)"
    poly = [t for t in gl.names if t.startswith("poly")]
    assert [lab[t] for t in poly] == ["Income: degree 1", "Income: degree 2"]


def test_titles_come_from_the_outcome_wording(svy):
    wording = svy.question("CONCERNCO")
    fit = svy.logit("CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ F_SEX")
    assert fit.display_title() == f"{wording} (outcome: 'Very concerned' or 'Somewhat concerned')"
    assert fit.display_title(odds=True) == f"{wording} (odds of 'Very concerned' or 'Somewhat concerned')"
    assert svy.ologit("CONCERNCO ~ F_SEX").display_title() == wording
    from pewlike.tables import model_table

    assert model_table(fit, name="m").title == fit.display_title(odds=True)
    assert "~" not in model_table(fit, name="m").title
    assert model_title(None, "y", ()) == "y"  # no wording: the response
