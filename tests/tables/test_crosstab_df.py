"""One degrees of freedom inside a crosstab (issue #11): intervals, letters and the Rao-Scott test.

The df is that of the respondents who answered both questions, ``degf(subset(design,
!is.na(var) & !is.na(by)))`` in R survey.  R fixtures: the ``crosstab`` records of
``tests/reference/tables/reference_tables.json`` (made by ``make_tables_reference.R``, the R call
kept beside each record): a split-form item of the demo, and apistrat / apiclus1 with missing
answers.  Tolerance 1e-6 relative.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import pewlike as pw

DATA = Path(__file__).parents[1] / "reference" / "tables"
RTOL = 1e-6
RECORDS = [
    pytest.param(r, id=r["id"])
    for r in json.loads((DATA / "reference_tables.json").read_text())["records"]
    if r["kind"] == "crosstab"
]
T975 = 0.975


def _survey(rec, demo):
    if rec["data"] == "demo":
        return demo
    return pw.Survey(pd.read_csv(DATA / rec["data"]), **rec["design"])


def test_fixtures_cover_split_form_and_designs():
    ids = [p.id for p in RECORDS]
    assert ids == [
        "crosstab-demo-TRACKCO1a_W49-F_SEX",
        "crosstab-demo-TRACKCO1a_W49-F_AGECAT",
        "crosstab-apistrat-band-school",
        "crosstab-apiclus1-band-school",
    ]


@pytest.mark.parametrize("rec", RECORDS)
@pytest.mark.parametrize("ci", ["logit", "beta"])
def test_cells_and_intervals_match_r_on_one_df(rec, ci, demo):
    x = _survey(rec, demo).crosstab(rec["var"], rec["by"], min_n=0, ci=ci)
    assert x.df == pytest.approx(rec["df"], rel=RTOL)
    f = x.to_frame()
    assert sorted(set(f["level"].astype(str))) == sorted(r["level"] for r in rec["rows"])
    for row in rec["rows"]:
        cells = f[f["level"] == row["level"]]
        assert list(cells[rec["by"]].astype(str)) == row["columns"]
        np.testing.assert_allclose(cells["estimate"], row["estimate"], rtol=RTOL)
        np.testing.assert_allclose(cells["std_error"], row["std_error"], rtol=RTOL)
        # a share of exactly 0 (no H school of apiclus1 in band Q1) has the interval [0, 0] here
        # (pewlike's rule for degenerate shares), where R's beta gives NaN (zero variance) and its
        # logit's svyglm stops iterating at a fitted share of ~1e-11: hence the atol and the fill
        want_lo, want_hi = (np.asarray(row[f"{ci}_{side}"], dtype=float) for side in ("lower", "upper"))
        zero = np.asarray(row["estimate"]) == 0
        assert np.all(np.isfinite(want_lo) | zero)
        want_lo, want_hi = np.where(zero, 0.0, want_lo), np.where(zero, 0.0, want_hi)
        np.testing.assert_allclose(cells["ci_lower"], want_lo, rtol=RTOL, atol=1e-10)
        np.testing.assert_allclose(cells["ci_upper"], want_hi, rtol=RTOL, atol=1e-10)


@pytest.mark.parametrize("rec", RECORDS)
def test_rao_scott_and_letters_match_r_on_one_df(rec, demo):
    x = _survey(rec, demo).crosstab(rec["var"], rec["by"], min_n=0)
    ndf, ddf = x.test.df
    assert x.test.statistic == pytest.approx(rec["F"], rel=RTOL)
    assert ndf == pytest.approx(rec["ndf"], rel=RTOL)
    assert ddf == pytest.approx(rec["ddf"], rel=RTOL)
    assert ddf == pytest.approx(ndf * x.df, rel=1e-12)
    assert x.test.p_value == pytest.approx(rec["p"], rel=RTOL)
    for row in rec["rows"]:
        tests = x.pairs[x.pairs["level"] == row["level"]].reset_index(drop=True)
        assert len(tests) == len(row["pairs"])
        for got, want in zip(tests.itertuples(), row["pairs"]):
            assert (got.a, got.b) == (want["a"], want["b"])
            assert got.t == pytest.approx(want["t"], rel=RTOL)
            assert got.p_value == pytest.approx(want["p"], rel=RTOL, abs=1e-15)
            assert got.p_adjusted == pytest.approx(want["p_holm"], rel=RTOL, abs=1e-15)


def test_split_form_df_is_that_of_the_half_asked(demo):
    """TRACKCO1a was asked of Form 1: the df is of those asked who gave their sex, not of everyone."""
    x = demo.crosstab("TRACKCO1a", "F_SEX")
    asked = demo.data["TRACKCO1a_W49"].notna() & demo.data["F_SEX"].isin(["Male", "Female"])
    valid = asked & ~demo.data["TRACKCO1a_W49"].astype(str).eq("Refused")
    assert x.df == valid.sum() - 1 == 2095  # weights-only design: respondents minus one
    assert x.df < demo.degf - 2000
    assert x.test.df[1] == pytest.approx(x.test.df[0] * 2095, rel=1e-12)


@pytest.mark.parametrize("ci", ["logit", "xlogit", "mean", "wilson", "beta"])
def test_every_interval_method_uses_the_one_df(ci, strat):
    """Each method's interval, rebuilt from the estimate and SE on ``x.df``; none on the column's df."""
    from pewlike.estimation.proportion_ci import prop_ci

    x = strat.crosstab("awards", "stype", min_n=0, ci=ci, nets={"NET": ["Yes"]})
    f = x.to_frame()
    nrow = f.groupby("stype", observed=True)["n"].transform(lambda s: s[f.loc[s.index, "kind"] != "net"].sum())
    lo, hi = prop_ci(f["estimate"], f["std_error"] ** 2, x.df, 0.95, ci, nrow)
    np.testing.assert_allclose(f["ci_lower"], lo, rtol=1e-12)
    np.testing.assert_allclose(f["ci_upper"], hi, rtol=1e-12)
    # the per-column df of proportion() gives other intervals (the columns have fewer PSUs)
    own = strat.proportion("awards", by="stype", ci=ci).to_frame()
    cells = f[f["kind"] != "net"]
    assert not np.allclose(cells["ci_lower"].to_numpy(), own["ci_lower"].to_numpy(), rtol=1e-9, atol=0)
    np.testing.assert_allclose(cells["estimate"].to_numpy(), own["estimate"].to_numpy(), rtol=1e-12)
    if ci == "mean":
        half = (f["ci_upper"] - f["ci_lower"]) / 2 / f["std_error"]
        np.testing.assert_allclose(half, stats.t.ppf(T975, x.df), rtol=1e-12)


def test_net_of_one_answer_equals_that_answer(strat):
    x = strat.crosstab("awards", "stype", min_n=0, nets={"NET": ["Yes"]}).to_frame()
    yes = x[x["level"] == "Yes"].reset_index(drop=True)
    net = x[x["level"] == "NET"].reset_index(drop=True)
    for key in ("estimate", "std_error", "ci_lower", "ci_upper"):
        np.testing.assert_allclose(net[key], yes[key], rtol=1e-12)


def test_base_all_df_counts_refused_answers(demo):
    """With base="all" the base keeps Refused to the question, so the one df counts them too."""
    x = demo.crosstab("CONCERNCO", "F_SEX", base="all", ci="mean")
    asked = demo.data["CONCERNCO_W49"].notna() & demo.data["F_SEX"].isin(["Male", "Female"])
    assert x.df == asked.sum() - 1
    assert x.test.df[1] == pytest.approx(x.test.df[0] * x.df, rel=1e-12)
    f = x.to_frame()
    ok = f["std_error"] > 0
    half = ((f["ci_upper"] - f["ci_lower"]) / 2 / f["std_error"])[ok]
    np.testing.assert_allclose(half, stats.t.ppf(T975, x.df), rtol=1e-12)


def test_rao_scott_statistic_unchanged_by_the_df(strat):
    """Only the ddf follows the base: the F and ndf equal svychisq on the whole design."""
    x = strat.crosstab("awards", "stype", min_n=0)
    whole = strat.chisq("awards", "stype")
    assert x.test.statistic == pytest.approx(whole.statistic, rel=1e-12)
    assert x.test.df[0] == pytest.approx(whole.df[0], rel=1e-12)


@pytest.fixture(scope="module")
def jk1_split():
    """A JK1 design (every cluster one replicate) with a question asked of a few clusters only."""
    rng = np.random.default_rng(5)
    n = 600
    unit = rng.integers(0, 30, n)
    q = rng.choice(["Yes", "No", "Maybe"], n).astype(object)
    q[unit >= 20] = None  # not asked in ten clusters
    grp = rng.choice(["a", "b"], n)
    grp[(unit < 6) & (grp == "b")] = "a"  # column b is in fewer clusters than the base
    df = pd.DataFrame({"unit": unit, "q": q, "grp": grp, "w": rng.gamma(4, 0.5, n)})
    return pw.Survey(df, weights="w", psu="unit").to_replicate("JK1")


def test_replicate_logit_interval_rescaled_to_the_one_df(jk1_split):
    x = jk1_split.crosstab("q", "grp", min_n=0)
    own = jk1_split.proportion("q", by="grp").to_frame()
    f = x.to_frame()
    np.testing.assert_allclose(f["estimate"].to_numpy(), own["estimate"].to_numpy(), rtol=1e-12)
    assert x.df == 19  # twenty clusters asked
    col_df = {"a": 19.0, "b": 13.0}  # each column's own df: b is in clusters 6..19 only
    for g, dfg in col_df.items():
        mine, theirs = f[f["grp"] == g], own[own["grp"] == g]

        def width(frame):
            lo, hi = frame["ci_lower"].to_numpy(), frame["ci_upper"].to_numpy()
            return np.log(hi / (1 - hi)) - np.log(lo / (1 - lo))

        ratio = stats.t.ppf(T975, 19) / stats.t.ppf(T975, dfg)
        np.testing.assert_allclose(width(mine), width(theirs) * ratio, rtol=1e-10)
