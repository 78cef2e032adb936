"""Generate pewlike's SYNTHETIC demo survey ``pewlike/datasets/privacy_survey_demo.sav``.

The file is shaped like Pew Research Center's American Trends Panel Wave 49 (June 2019,
"Americans and Privacy"), but **every row is simulated**: it holds no real survey responses.
Run ``python3 scripts/make_demo_data.py [--out PATH]``; the output is byte-identical on
every run (``SEED`` split by ``numpy.random.SeedSequence`` into one ``default_rng`` stream
per stage; the .sav header date is pinned by ``demo_sav.pin_sav_timestamp``).

Generating model
----------------
1. *Population* of 300,000 adults.  Age, education and income are cut from correlated
   latent normals at the exact population margins (age 21/34/25/20 %, sex 48/52, education
   college+/some/HS-or-less 33/30/37, race White/Black/Hispanic/Other 63/12/16/9, income
   <$30k/$30-75k/$75k+ 30/38/32); White adults are older, Black and Hispanic adults have lower
   education, income rises with education and peaks at ages 30-64.  Party (Rep/lean,
   Dem/lean, no lean: 44/49/7 %; no lean is coded 9) is a multinomial logit in sex, race,
   education, age and income; ideology (8/26/37/19/10 %, very conservative..very liberal)
   an ordinal logit in party, education and age;
   census region and metro status depend on race (``REGION_BY_RACE``, ``NONMETRO_BY_RACE``).
2. *Items.*  Each item is a proportional-odds model in R ``polr``/``svyolr`` form,
   ``logit P(Y <= k) = theta_k - x'beta``, i.e. ``Y* = x'beta + e`` with standard logistic
   ``e``; ``Y`` counts the thresholds below ``Y*``.  ``x`` holds main effects only, treatment
   coded on the six ``F_`` variables with the first category as reference (18-29, Male,
   College grad+, White, <$30,000, Rep/Lean Rep).  Positive ``beta`` moves answers towards
   *higher codes* (e.g. "Not at all concerned").  ``F_IDEO``, ``F_CREGION`` and ``F_METRO``
   have no effect given these.  Thresholds are solved so that the population distribution
   implied by the model equals the shares in ``ITEMS`` (published toplines, split into
   categories by our choice where Pew gave only a sum).  SECUR1 and GOVREGV1 are modelled on the ordered latent scale
   More secure < About the same < Less secure and Less < About the same < More regulation,
   then mapped to Pew's codes.  Binary POSNEG items are the K=2 case.
   The CONCERNGOV party effects and the CONCERNLE race effects were solved numerically so
   that the population reproduces the published subgroup figures (Rep 63 % vs Dem 66 %;
   White 56 % vs Black 73 % very/somewhat concerned).

   ``EFFECTS`` (beta; one row an item, one column a treatment-coded term: ``a30``/``a50``/
   ``a65`` = F_AGECAT 30-49/50-64/65+, ``fem`` = F_SEX Female, ``somec``/``hsle`` = F_EDUCCAT
   Some college/H.S. graduate or less, ``blk``/``hisp``/``oth`` = F_RACETHN Black/Hispanic/
   Other, ``i30``/``i75`` = F_INCOME_RECODE $30,000-$74,999/$75,000+, ``dem``/``nol`` =
   F_PARTYSUM_FINAL Dem/Lean Dem / DK/Refused/No lean)::

      item             a30   a50   a65   fem somec  hsle   blk  hisp   oth   i30   i75   dem   nol
      CONCERNCO      -0.20 -0.40 -0.55 -0.10  0.10  0.20 -0.20 -0.10  0.00 -0.05 -0.10 -0.15  0.25
      CONCERNGOV     -0.15 -0.30 -0.40  0.00  0.05  0.10 -0.30 -0.15  0.00  0.00  0.00 -0.10  0.27
      CONCERNLE      -0.05 -0.10 -0.10 -0.05  0.00  0.05 -0.67 -0.16 -0.10  0.00  0.05 -0.20  0.10
      CONTROLCO       0.15  0.30  0.40  0.05  0.05  0.10  0.10  0.00  0.00 -0.05 -0.10  0.00  0.00
      CONTROLGOV      0.15  0.25  0.35  0.05  0.05  0.10  0.20  0.10  0.00  0.00 -0.05  0.00  0.00
      UNDERSTANDCO    0.10  0.25  0.45  0.15  0.30  0.55  0.05  0.10  0.00 -0.10 -0.20  0.00  0.20
      UNDERSTANDGOV   0.05  0.15  0.30  0.15  0.25  0.45  0.10  0.10  0.00 -0.05 -0.10  0.00  0.20
      POSNEGCO       -0.15 -0.30 -0.35 -0.10  0.00  0.10  0.00  0.10  0.10  0.00  0.05  0.00  0.00
      POSNEGGOV      -0.10 -0.20 -0.25 -0.05  0.00  0.05 -0.25  0.00  0.00  0.00  0.00 -0.15  0.00
      TRACKCO1a       0.10  0.25  0.45  0.00  0.15  0.30  0.10  0.20  0.00 -0.05 -0.10  0.00  0.20
      TRACKGOV1a      0.05  0.15  0.30  0.05  0.05  0.10 -0.20  0.00  0.00  0.00  0.00  0.00  0.00
      SECUR1          0.15  0.30  0.40  0.10  0.00 -0.10 -0.10 -0.20  0.00  0.00  0.00  0.00  0.00
      PP4            -0.05 -0.10 -0.15 -0.05 -0.10 -0.15 -0.30 -0.25  0.00  0.05  0.10  0.00  0.00
      GOVREGV1        0.05  0.15  0.20  0.10 -0.05 -0.15  0.00  0.00  0.00  0.00  0.00  0.45  0.00

3. *Sample* of 4,272 respondents drawn without replacement with probability proportional to
   a response propensity ``exp(0.30*age_step + 0.55*college + 0.25*some_college
   - 0.25*Black - 0.45*Hispanic - 0.30*income<$30k)`` (older and more educated people
   over-represented).  Item answers are drawn for respondents only (response depends on the
   demographics alone, so this equals drawing them for everyone first).  The logistic errors
   are Latin-hypercube stratified within race x party cells and tied across items by a
   Gaussian copula (a general privacy-worry factor, a company/government factor): every error
   is still exactly standard logistic and independent of ``x``, so the model above holds for
   each respondent, while the sample's toplines stay close to the published ones.
4. ``FORM_W49`` splits the sample in random halves; TRACKCO1a is asked of form 1 only and
   TRACKGOV1a of form 2 only (system-missing otherwise).  Every variable except QKEY,
   FORM_W49 and the weight gets 1-2 % refusals at random, coded 99 "Refused"
   (F_PARTYSUM_FINAL: 9 "DK/Refused/No lean").
5. ``WEIGHT_W49``: raking (IPF, start weight 1) to ``TARGETS`` on age, sex, education, race
   and income, Refused kept as its own category whose target is its unweighted share (so the
   valid categories hit the targets exactly), trimming at the 1st/99th percentile, raking
   again; weights sum to n.

Notes
-----
Published toplines are read as percentages of valid answers (Refused excluded from the base).
R users: read with ``haven::read_sav`` and ``haven::as_factor``; then
``svyolr(CONCERNCO_W49 ~ F_AGECAT + ...)`` on ``svydesign(ids=~1, weights=~WEIGHT_W49)``
estimates the CONCERNCO row of the table above (99/Refused rows dropped).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
from demo_sav import write_wave_pinned

SEED = 20190603
N_POP = 300_000
N_SAMPLE = 4_272
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "pewlike" / "datasets" / "privacy_survey_demo.sav"
FILE_LABEL = "SYNTHETIC demo data shaped like Pew ATP Wave 49 - not real data"
NOTE = "SYNTHETIC demo data shaped like Pew ATP Wave 49 \u2014 not real survey responses"
REFUSED = 99.0

# name: (variable label, category labels for codes 1..k, refusal code)
DEMOGRAPHICS = {
    "F_AGECAT": ("Age category", ["18-29", "30-49", "50-64", "65+"], 99),
    "F_SEX": ("Sex", ["Male", "Female"], 99),
    "F_EDUCCAT": ("Education category", ["College grad+", "Some college", "H.S. graduate or less"], 99),
    "F_RACETHN": ("Race/ethnicity", ["White non-Hispanic", "Black non-Hispanic", "Hispanic", "Other"], 99),
    "F_INCOME_RECODE": ("Family income (3 categories)", ["<$30,000", "$30,000-$74,999", "$75,000+"], 99),
    "F_PARTYSUM_FINAL": ("Party summary (with leaners)", ["Rep/Lean Rep", "Dem/Lean Dem"], 9),
    "F_IDEO": ("Ideology", ["Very conservative", "Conservative", "Moderate", "Liberal", "Very liberal"], 99),
    "F_CREGION": ("Census region", ["Northeast", "Midwest", "South", "West"], 99),
    "F_METRO": ("Metropolitan area status", ["Metropolitan", "Non-metropolitan"], 99),
}
PARTY_NOLEAN_LABEL = "DK/Refused/No lean"
RAKING_VARS = ["F_AGECAT", "F_SEX", "F_EDUCCAT", "F_RACETHN", "F_INCOME_RECODE"]
TARGETS = {
    "F_AGECAT": [0.21, 0.34, 0.25, 0.20],
    "F_SEX": [0.48, 0.52],
    "F_EDUCCAT": [0.33, 0.30, 0.37],
    "F_RACETHN": [0.63, 0.12, 0.16, 0.09],
    "F_INCOME_RECODE": [0.30, 0.38, 0.32],
}
PARTY_SHARES = [0.44, 0.49, 0.07]
IDEO_SHARES = [0.08, 0.26, 0.37, 0.19, 0.10]
REGION_BY_RACE = np.array(
    [[0.18, 0.25, 0.35, 0.22], [0.16, 0.17, 0.58, 0.09], [0.14, 0.09, 0.37, 0.40], [0.19, 0.14, 0.29, 0.38]]
)
NONMETRO_BY_RACE = np.array([0.18, 0.09, 0.05, 0.07])

CONCERN = ["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"]
CONTROL = ["A great deal of control", "Some control", "Very little control", "No control"]
UNDERSTAND = ["A great deal", "Some", "Very little", "Nothing"]
POSNEG = ["The potential risks outweigh the benefits", "The potential benefits outweigh the risks"]
TRACK = ["All or almost all of it", "Most of it", "Some of it", "Very little of it", "None of it"]
_CO, _GOV = "the data they collect about you", "the data it collects about you"
# item (without _W49): (wording, labels by code, population shares by code, latent order
# of the codes, copula loadings (worry, company, government))
ITEMS = {
    "CONCERNCO": (
        "How concerned are you, if at all, about how companies are using " + _CO + "?",
        CONCERN,
        [0.33, 0.46, 0.16, 0.05],
        None,
        (-0.55, 0.45, 0),
    ),
    "CONCERNGOV": (
        "How concerned are you, if at all, about how the government is using " + _GOV + "?",
        CONCERN,
        [0.27, 0.37, 0.26, 0.10],
        None,
        (-0.55, 0, 0.45),
    ),
    "CONCERNLE": (
        "How concerned are you, if at all, about what law enforcement knows about you?",
        CONCERN,
        [0.24, 0.35, 0.27, 0.14],
        None,
        (-0.50, 0, 0.40),
    ),
    "CONTROLCO": (
        "How much control do you think you have over the data that companies collect about you?",
        CONTROL,
        [0.04, 0.15, 0.49, 0.32],
        None,
        (0.45, 0.35, 0),
    ),
    "CONTROLGOV": (
        "How much control do you think you have over the data that the government collects about you?",
        CONTROL,
        [0.03, 0.13, 0.45, 0.39],
        None,
        (0.45, 0, 0.35),
    ),
    "UNDERSTANDCO": (
        "How much do you feel you understand what companies are doing with " + _CO + "?",
        UNDERSTAND,
        [0.06, 0.35, 0.41, 0.18],
        None,
        (0.30, 0.35, 0),
    ),
    "UNDERSTANDGOV": (
        "How much do you feel you understand what the government is doing with " + _GOV + "?",
        UNDERSTAND,
        [0.04, 0.18, 0.53, 0.25],
        None,
        (0.30, 0, 0.35),
    ),
    "POSNEGCO": (
        "Thinking about the data that companies collect about you, would you say "
        "the potential risks outweigh the benefits, or the potential benefits "
        "outweigh the risks?",
        POSNEG,
        [0.81, 0.19],
        None,
        (-0.50, 0.35, 0),
    ),
    "POSNEGGOV": (
        "Thinking about the data that the government collects about you, would "
        "you say the potential risks outweigh the benefits, or the potential "
        "benefits outweigh the risks?",
        POSNEG,
        [0.66, 0.34],
        None,
        (-0.50, 0, 0.35),
    ),
    "TRACKCO1a": (
        "As far as you know, how much of what you do online or on your cellphone "
        "is being tracked by advertisers, technology firms or other companies?",
        TRACK,
        [0.40, 0.32, 0.20, 0.06, 0.02],
        None,
        (-0.40, 0.40, 0),
    ),
    "TRACKGOV1a": (
        "As far as you know, how much of what you do online or on your cellphone is being tracked by the government?",
        TRACK,
        [0.24, 0.23, 0.30, 0.14, 0.09],
        None,
        (-0.40, 0, 0.40),
    ),
    "SECUR1": (
        "Compared with five years ago, do you think your personal information is "
        "more secure, less secure, or about the same?",
        ["More secure", "Less secure", "About the same"],
        [0.06, 0.70, 0.24],
        [1, 3, 2],
        (0.40, 0, 0),
    ),
    "PP4": (
        "When you are asked to agree to a company's privacy policy, how often do you read it before agreeing to it?",
        ["Always", "Often", "Sometimes", "Never", "Have never been asked to agree to a privacy policy"],
        [0.09, 0.13, 0.38, 0.36, 0.04],
        None,
        (0, 0, 0),
    ),
    "GOVREGV1": (
        "How much government regulation of what companies can do with their "
        "customers' personal information should there be?",
        ["More regulation than now", "Less regulation", "About the same"],
        [0.75, 0.07, 0.18],
        [2, 3, 1],
        (0.40, 0.20, 0),
    ),
}
SPLIT_FORM = {"TRACKCO1a": 1, "TRACKGOV1a": 2}
# column id of the EFFECTS table -> (variable, category label)
TERMS = {
    "a30": ("F_AGECAT", "30-49"),
    "a50": ("F_AGECAT", "50-64"),
    "a65": ("F_AGECAT", "65+"),
    "fem": ("F_SEX", "Female"),
    "somec": ("F_EDUCCAT", "Some college"),
    "hsle": ("F_EDUCCAT", "H.S. graduate or less"),
    "blk": ("F_RACETHN", "Black non-Hispanic"),
    "hisp": ("F_RACETHN", "Hispanic"),
    "oth": ("F_RACETHN", "Other"),
    "i30": ("F_INCOME_RECODE", "$30,000-$74,999"),
    "i75": ("F_INCOME_RECODE", "$75,000+"),
    "dem": ("F_PARTYSUM_FINAL", "Dem/Lean Dem"),
    "nol": ("F_PARTYSUM_FINAL", "DK/Refused/No lean"),
}
# A select-all battery (appended after the weight, drawn from its own stream so nothing above
# changes): label of each item, base share, effect of age step (18-29 .. 65+) and of a college degree.
SELECT_ALL_STEM = (
    "In the past 12 months, which of these have you done to protect your personal information? "
    "(Select all that apply): "
)
SELECT_ALL = {
    "PP5a": ("Changed the privacy settings of a social media account", 0.0, -0.30, 0.35),
    "PP5b": ("Deleted cookies or your browsing history", 0.3, -0.15, 0.30),
    "PP5c": ("Turned off location tracking on your cellphone", 0.1, -0.20, 0.25),
    "PP5d": ("Used a password manager", -1.3, -0.25, 0.55),
    "PP5e": ("Decided not to use a product or service because of its data practices", -0.6, -0.05, 0.40),
    "PP5f": ("Used a VPN or an encrypted messaging app", -1.6, -0.35, 0.45),
}
SELECT_ALL_NONE = "PP5g"
SELECT_ALL_LABELS = {1.0: "Selected", 2.0: "Not selected", 99.0: "Refused"}
MODEL_VARS = ["F_AGECAT", "F_SEX", "F_EDUCCAT", "F_RACETHN", "F_INCOME_RECODE", "F_PARTYSUM_FINAL"]


def _effects_from_doc(doc: str) -> dict[str, np.ndarray]:
    """Parse the EFFECTS table of the module docstring (the single source of the betas)."""
    table = doc.split("``EFFECTS``")[1].split("::\n\n")[1].split("\n\n")[0]
    rows = [line.split() for line in table.splitlines()]
    if rows[0][1:] != list(TERMS) or [r[0] for r in rows[1:]] != list(ITEMS):
        raise ValueError("the EFFECTS table must have one column per TERMS and a row per ITEMS")
    return {r[0]: np.array([float(v) for v in r[1:]]) for r in rows[1:]}


EFFECTS = _effects_from_doc(__doc__)


def _cut(latent: np.ndarray, shares: list[float]) -> np.ndarray:
    """Codes 1..k from a latent by exact population quantiles (lowest latent -> code 1)."""
    n = latent.size
    bounds = np.round(np.cumsum(shares)[:-1] * n)
    rank = np.empty(n)
    rank[np.argsort(latent, kind="stable")] = np.arange(n)
    return 1 + np.searchsorted(bounds, rank, side="right")


def _draw_categorical(u: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Codes 1..k with row-wise probabilities ``probs`` (n x k) by inverse CDF of ``u``."""
    return 1 + (u[:, None] > np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)


def simulate_population(rng: np.random.Generator, n: int = N_POP) -> dict[str, np.ndarray]:
    """Simulate the adult population's demographics as integer codes 1..k."""
    race = rng.permutation(np.repeat(np.arange(1, 5), np.round(np.array(TARGETS["F_RACETHN"]) * n).astype(int)))[:n]
    sex = rng.permutation(np.repeat([1, 2], [round(0.48 * n), n - round(0.48 * n)]))
    z = rng.standard_normal((n, 3))
    age_shift = np.array([0.12, -0.10, -0.35, -0.25])[race - 1]
    age = _cut(age_shift + z[:, 0], TARGETS["F_AGECAT"])
    edu_shift = np.array([0.10, -0.25, -0.45, 0.35])[race - 1]
    edu_latent = edu_shift + 0.05 * z[:, 0] + z[:, 1]
    educ = _cut(-edu_latent, TARGETS["F_EDUCCAT"])
    inc_age = np.array([-0.25, 0.20, 0.20, -0.15])[age - 1]
    inc_latent = 0.55 * edu_latent + inc_age + 0.5 * edu_shift + 0.85 * z[:, 2]
    income = _cut(inc_latent, TARGETS["F_INCOME_RECODE"])
    # party: multinomial logit against Rep/Lean Rep, intercepts matched to PARTY_SHARES
    dem = (
        0.25 * (sex == 2)
        + np.array([0, 2.2, 0.9, 0.5])[race - 1]
        + np.array([0.35, 0.05, 0])[educ - 1]
        + np.array([0.45, 0.2, 0, -0.1])[age - 1]
    )
    nolean = (
        np.array([0, 0.2, 0.5, 0.3])[race - 1]
        + np.array([0.4, 0, 0, 0])[age - 1]
        + np.array([0.4, 0, 0])[income - 1]
        + np.array([0, 0.1, 0.3])[educ - 1]
    )
    lin = np.column_stack([np.zeros(n), dem, nolean])
    alpha = np.zeros(3)
    for _ in range(200):
        p = np.exp(lin + alpha)
        p /= p.sum(axis=1, keepdims=True)
        alpha += np.log(np.array(PARTY_SHARES) / p.mean(axis=0))
    party = _draw_categorical(rng.random(n), p)
    ideo_latent = np.array([0.0, 1.6, 0.8])[party - 1] + 0.25 * (educ == 1) + 0.2 * (age == 1) + rng.logistic(size=n)
    ideo = _cut(ideo_latent, IDEO_SHARES)
    region = _draw_categorical(rng.random(n), REGION_BY_RACE[race - 1])
    metro = 1 + (rng.random(n) < NONMETRO_BY_RACE[race - 1])
    return {
        "F_AGECAT": age,
        "F_SEX": sex,
        "F_EDUCCAT": educ,
        "F_RACETHN": race,
        "F_INCOME_RECODE": income,
        "F_PARTYSUM_FINAL": party,
        "F_IDEO": ideo,
        "F_CREGION": region,
        "F_METRO": metro,
    }


def design_matrix(demo: dict[str, np.ndarray]) -> np.ndarray:
    """Treatment-coded main effects (columns in ``TERMS`` order, first level reference)."""
    blocks = []
    for var in MODEL_VARS:
        k = 3 if var == "F_PARTYSUM_FINAL" else len(DEMOGRAPHICS[var][1])
        blocks.append(np.eye(k)[demo[var] - 1][:, 1:])
    return np.hstack(blocks)


def solve_thresholds(eta: np.ndarray, shares: list[float]) -> np.ndarray:
    """Thresholds theta with mean(logistic(theta_k - eta)) = cumulative share k (Newton)."""
    values, counts = np.unique(eta, return_counts=True)
    freq = counts / counts.sum()
    target = np.cumsum(shares)[:-1]
    theta = np.log(target / (1 - target)) + eta.mean()
    for _ in range(100):
        p = 1 / (1 + np.exp(values[:, None] - theta[None, :]))
        gap = freq @ p - target
        theta -= gap / (freq @ (p * (1 - p)))
        if np.max(np.abs(gap)) < 1e-13:
            return theta
    raise RuntimeError(f"threshold search did not converge (gap {np.max(np.abs(gap)):.2g})")


def draw_sample(rng: np.random.Generator, demo: dict[str, np.ndarray], n: int = N_SAMPLE) -> np.ndarray:
    """Indices of ``n`` respondents, drawn with probability proportional to response propensity.

    Efraimidis-Spirakis weighted sampling without replacement: keep the ``n`` largest
    ``log(u) / propensity``.
    """
    log_prop = (
        0.30 * (demo["F_AGECAT"] - 1)
        + np.array([0.55, 0.25, 0])[demo["F_EDUCCAT"] - 1]
        + np.array([0, -0.25, -0.45, 0])[demo["F_RACETHN"] - 1]
        - 0.30 * (demo["F_INCOME_RECODE"] == 1)
    )
    keys = np.log(rng.random(demo["F_AGECAT"].size)) / np.exp(log_prop)
    return np.sort(np.argpartition(-keys, n)[:n])


def _stratified_uniform(rng: np.random.Generator, z: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Uniforms from the within-group ranks of ``z`` (a Latin hypercube in each group)."""
    counts = np.bincount(group)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    order = np.lexsort((z, group))
    rank = np.empty(z.size)
    rank[order] = np.arange(z.size) - starts[group[order]]
    return (rank + rng.random(z.size)) / counts[group]


def draw_items(
    rng: np.random.Generator,
    x: np.ndarray,
    group: np.ndarray,
    asked: dict[str, np.ndarray],
    thresholds: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Answers (codes as float, NaN when not asked) to every item for the sample rows ``x``."""
    n = x.shape[0]
    factors = rng.standard_normal((n, 3))
    out = {}
    for item, (_, _, _, order, load) in ITEMS.items():
        load = np.asarray(load, dtype=float)
        z = factors @ load + np.sqrt(1 - load @ load) * rng.standard_normal(n)
        rows = np.flatnonzero(asked[item])
        u = _stratified_uniform(rng, z[rows], group[rows])
        latent = x[rows] @ EFFECTS[item] + np.log(u) - np.log1p(-u)
        cat = np.searchsorted(thresholds[item], latent)
        codes = np.arange(1, len(ITEMS[item][2]) + 1) if order is None else np.array(order)
        answer = np.full(n, np.nan)
        answer[rows] = codes[cat]
        out[item] = answer
    return out


def add_refusals(rng: np.random.Generator, data: dict[str, np.ndarray]) -> None:
    """Replace 1-2 % of the answers of every item and demographic by its refusal code."""
    for name, values in data.items():
        code = DEMOGRAPHICS[name][2] if name in DEMOGRAPHICS else REFUSED
        rate = rng.uniform(0.01, 0.02)
        hit = (rng.random(values.size) < rate) & ~np.isnan(values)
        values[hit] = code


def rake(
    codes: list[np.ndarray], targets: list[np.ndarray], weights: np.ndarray, max_iter: int = 200, tol: float = 1e-12
) -> np.ndarray:
    """Iterative proportional fitting of ``weights`` to target shares (codes are 0..k-1)."""
    w = weights.copy()
    for _ in range(max_iter):
        gap = 0.0
        for c, t in zip(codes, targets):
            share = np.bincount(c, weights=w, minlength=t.size) / w.sum()
            gap = max(gap, np.max(np.abs(share - t)))
            w *= (t / share)[c]
        if gap < tol:
            return w * (w.size / w.sum())
    raise RuntimeError(f"raking did not converge (largest gap {gap:.2g})")


def make_weights(data: dict[str, np.ndarray]) -> np.ndarray:
    """Rake to TARGETS (Refused its own category), trim at 1st/99th percentile, rake again."""
    codes, targets = [], []
    for var in RAKING_VARS:
        k = len(TARGETS[var])
        c = np.where(data[var] == REFUSED, k, data[var] - 1).astype(int)
        refused = np.mean(c == k)
        codes.append(c)
        targets.append(np.append(np.array(TARGETS[var]) * (1 - refused), refused))
    w = rake(codes, targets, np.ones(codes[0].size))
    w = np.clip(w, *np.quantile(w, [0.01, 0.99]))
    return rake(codes, targets, w)


def build(seed: int = SEED) -> tuple[dict[str, np.ndarray], dict]:
    """Simulate population and sample; return the sample columns and diagnostics."""
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    pop = simulate_population(streams[0])
    x_pop = design_matrix(pop)
    thresholds = {}
    for item, (_, _, shares, order, _) in ITEMS.items():
        latent_shares = shares if order is None else [shares[c - 1] for c in order]
        thresholds[item] = solve_thresholds(x_pop @ EFFECTS[item], latent_shares)
    idx = draw_sample(streams[1], pop)
    n = idx.size
    demo = {k: v[idx] for k, v in pop.items()}
    form = 1.0 + streams[2].permutation(np.arange(n) % 2)
    asked = {item: form == SPLIT_FORM.get(item, form) for item in ITEMS}
    group = (demo["F_RACETHN"] - 1) * 3 + demo["F_PARTYSUM_FINAL"] - 1
    items = draw_items(streams[3], design_matrix(demo), group, asked, thresholds)
    cols = {f"{k}_W49": v for k, v in items.items()}
    cols.update({k: v.astype(float) for k, v in demo.items()})
    cols["F_PARTYSUM_FINAL"][cols["F_PARTYSUM_FINAL"] == 3] = 9.0  # Pew codes no lean 9
    add_refusals(streams[4], cols)
    qkey = np.sort(streams[5].choice(np.arange(100_000, 1_000_000), n, replace=False))
    data = {"QKEY": qkey.astype(float), "FORM_W49": form, **cols}
    data["WEIGHT_W49"] = make_weights(data)
    data.update(draw_select_all(np.random.default_rng(np.random.SeedSequence(seed).spawn(7)[6]), data))
    return data, {"population": pop, "x_pop": x_pop, "thresholds": thresholds}


def draw_select_all(rng: np.random.Generator, data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The PP5 battery: each item a logistic in age and education plus a shared activity factor.

    "None of these" (PP5g) is selected exactly when no other item is; about 1 % of
    respondents skip the whole battery (99 Refused on every item).
    """
    n = data["QKEY"].size
    age = np.nan_to_num(data["F_AGECAT"], nan=2.0)
    age = np.where(age > 4, 2.0, age) - 1
    college = data["F_EDUCCAT"] == 1
    activity = rng.standard_normal(n)
    out: dict[str, np.ndarray] = {}
    for item, (_, base, a_age, a_col) in SELECT_ALL.items():
        eta = base + a_age * age + a_col * college + 0.9 * activity
        out[f"{item}_W49"] = np.where(rng.random(n) < 1 / (1 + np.exp(-eta)), 1.0, 2.0)
    anyone = np.column_stack([v == 1.0 for v in out.values()]).any(axis=1)
    out[f"{SELECT_ALL_NONE}_W49"] = np.where(anyone, 2.0, 1.0)
    skipped = rng.random(n) < 0.01
    for v in out.values():
        v[skipped] = REFUSED
    return out


# (variable, codes summed, published share of valid answers); subgroup checks add (by, code)
PUBLISHED = [
    ("CONCERNCO_W49", (1, 2), 0.79),
    ("CONCERNGOV_W49", (1, 2), 0.64),
    ("CONCERNGOV_W49", (3, 4), 0.36),
    ("CONTROLCO_W49", (3, 4), 0.81),
    ("CONTROLGOV_W49", (3, 4), 0.84),
    ("UNDERSTANDCO_W49", (3, 4), 0.59),
    ("UNDERSTANDCO_W49", (1,), 0.06),
    ("UNDERSTANDGOV_W49", (3, 4), 0.78),
    ("UNDERSTANDGOV_W49", (3,), 0.53),
    ("UNDERSTANDGOV_W49", (4,), 0.25),
    ("POSNEGCO_W49", (1,), 0.81),
    ("POSNEGGOV_W49", (1,), 0.66),
    ("TRACKCO1a_W49", (1, 2), 0.72),
    ("TRACKGOV1a_W49", (1, 2), 0.47),
    ("TRACKGOV1a_W49", (1,), 0.24),
    ("TRACKGOV1a_W49", (2,), 0.23),
    ("TRACKGOV1a_W49", (3,), 0.30),
    ("TRACKGOV1a_W49", (4,), 0.14),
    ("TRACKGOV1a_W49", (5,), 0.09),
    ("SECUR1_W49", (1,), 0.06),
    ("SECUR1_W49", (2,), 0.70),
    ("SECUR1_W49", (3,), 0.24),
    ("PP4_W49", (1,), 0.09),
    ("PP4_W49", (2,), 0.13),
    ("PP4_W49", (3,), 0.38),
    ("PP4_W49", (4,), 0.36),
    ("GOVREGV1_W49", (1,), 0.75),
]
PUBLISHED_SUBGROUPS = [
    ("CONCERNGOV_W49", (1, 2), 0.63, "F_PARTYSUM_FINAL", 1),
    ("CONCERNGOV_W49", (1, 2), 0.66, "F_PARTYSUM_FINAL", 2),
    ("CONCERNLE_W49", (1, 2), 0.56, "F_RACETHN", 1),
    ("CONCERNLE_W49", (1, 2), 0.73, "F_RACETHN", 2),
]


def weighted_share(
    values: np.ndarray, weights: np.ndarray, codes: tuple[int, ...], mask: np.ndarray | None = None
) -> float:
    """Weighted share of ``codes`` among valid answers (NaN and 99 Refused excluded)."""
    ok = ~np.isnan(values) & (values != REFUSED)
    if mask is not None:
        ok &= mask
    return float(weights[ok & np.isin(values, codes)].sum() / weights[ok].sum())


def check_table(data: dict[str, np.ndarray]) -> list[tuple[str, float, float]]:
    """(description, published, achieved) for every published figure, weighted, valid base."""
    w = data["WEIGHT_W49"]
    rows = [(f"{v} {'+'.join(map(str, c))}", p, weighted_share(data[v], w, c)) for v, c, p in PUBLISHED]
    rows += [
        (f"{v} {'+'.join(map(str, c))} | {by}={lv}", p, weighted_share(data[v], w, c, data[by] == lv))
        for v, c, p, by, lv in PUBLISHED_SUBGROUPS
    ]
    return rows


def _labels(name: str) -> tuple[str, dict[float, str]]:
    if name in DEMOGRAPHICS:
        label, cats, _refusal = DEMOGRAPHICS[name]
        if name == "F_PARTYSUM_FINAL":
            return label, {1.0: cats[0], 2.0: cats[1], 9.0: PARTY_NOLEAN_LABEL}
        return label, {**{float(i): c for i, c in enumerate(cats, 1)}, 99.0: "Refused"}
    base = name.removesuffix("_W49")
    if base in SELECT_ALL or base == SELECT_ALL_NONE:
        own = SELECT_ALL[base][0] if base in SELECT_ALL else "None of these"
        return SELECT_ALL_STEM + own, dict(SELECT_ALL_LABELS)
    wording, cats = ITEMS[base][:2]
    return wording, {**{float(i): c for i, c in enumerate(cats, 1)}, 99.0: "Refused"}


def write_demo_sav(data: dict[str, np.ndarray], out_path: str | os.PathLike[str]) -> Path:
    """Write the sample with question wording, value labels and measures (deterministic)."""
    nominal = {"F_SEX", "F_RACETHN", "F_PARTYSUM_FINAL", "F_CREGION", "F_METRO", "SECUR1_W49", "GOVREGV1_W49"}
    nominal |= {f"{k}_W49" for k in (*SELECT_ALL, SELECT_ALL_NONE)}
    fixed = {
        "QKEY": ("Respondent ID (synthetic)", {}, "scale"),
        "FORM_W49": ("Form assignment (random half-sample)", {1.0: "Form 1", 2.0: "Form 2"}, "nominal"),
        "WEIGHT_W49": ("Weight for Wave 49 (synthetic, raked)", {}, "scale"),
    }
    return write_wave_pinned(
        data,
        out_path,
        fixed=fixed,
        labels_of=_labels,
        nominal=nominal,
        weight="WEIGHT_W49",
        file_label=FILE_LABEL,
        note=NOTE,
    )


def main(out_path: str | os.PathLike[str] | None = None, *, verbose: bool = True) -> Path:
    """Generate the demo file at ``out_path`` (default ``pewlike/datasets/privacy_survey_demo.sav``)."""
    data, _ = build()
    out = write_demo_sav(data, DEFAULT_OUT if out_path is None else out_path)
    if verbose:
        w = data["WEIGHT_W49"]
        print(
            f"wrote {out} ({out.stat().st_size:,} bytes), n={w.size}, "
            f"Kish deff={w.size * (w @ w) / w.sum() ** 2:.3f}, "
            f"weights {w.min():.3f}..{w.max():.3f}"
        )
        print(f"{'published figure (weighted, % of valid answers)':58s} {'pub':>5s} {'demo':>6s}")
        for desc, pub, got in check_table(data):
            print(f"{desc:58s} {100 * pub:5.0f} {100 * got:6.1f}")
        print(f"{'raking margin':30s} {'target':>7s} {'weighted':>9s} {'unweighted':>11s}")
        for var in RAKING_VARS:
            for code, target in enumerate(TARGETS[var], 1):
                wt = weighted_share(data[var], w, (code,))
                uw = weighted_share(data[var], np.ones_like(w), (code,))
                print(
                    f"{var + ' ' + DEMOGRAPHICS[var][1][code - 1]:30s} "
                    f"{100 * target:7.1f} {100 * wt:9.2f} {100 * uw:11.1f}"
                )
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help=f"output path (default {DEFAULT_OUT})")
    parser.add_argument("--quiet", action="store_true", help="do not print the check table")
    args = parser.parse_args()
    main(args.out, verbose=not args.quiet)
