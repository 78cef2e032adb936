"""Equivalences, invariances and bad input of the estimators (no R needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pewlike as pw
from pewlike.errors import EstimationError, VariableError


def _random_design(seed: int, n: int = 120):
    rng = np.random.default_rng(seed)
    strata = rng.integers(0, 4, n)
    psu = strata * 10 + rng.integers(0, 3, n)  # 3 PSUs per stratum, nested ids
    df = pd.DataFrame(
        {
            "st": strata,
            "psu": psu,
            "w": rng.uniform(0.5, 3.0, n),
            "y": rng.normal(50, 10, n),
            "x": rng.uniform(1, 5, n),
            "item": pd.Categorical(
                rng.choice(["a", "b", "c", "Refused"], n, p=[0.4, 0.3, 0.25, 0.05]),
                categories=["a", "b", "c", "Refused"],
                ordered=True,
            ),
            "g": rng.choice(["m", "f"], n),
        }
    )
    # make sure every stratum has at least two PSUs
    for h in range(4):
        rows = np.flatnonzero(df["st"] == h)[:2]
        df.loc[rows, "psu"] = [h * 10, h * 10 + 1]
    return df


def _estimates(svy):
    out = []
    for res in (
        svy.mean("y", by="g"),
        svy.total("y"),
        svy.proportion("item", by="g"),
        svy.ratio("y", "x"),
        svy.quantile("y", [0.5]),
    ):
        f = res.to_frame()
        sort = [c for c in ("level", "g") if c in f.columns]
        f = f.sort_values(sort).reset_index(drop=True) if sort else f
        out.append(f[["estimate", "std_error"]].to_numpy())
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), shuffle=st.integers(0, 10_000))
def test_row_order_changes_nothing(seed, shuffle):
    df = _random_design(seed)
    perm = df.sample(frac=1.0, random_state=shuffle).reset_index(drop=True)
    a = _estimates(pw.Survey(df, weights="w", strata="st", psu="psu"))
    b = _estimates(pw.Survey(perm, weights="w", strata="st", psu="psu"))
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=1e-9)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 1000))
def test_weight_scale_changes_no_mean_or_proportion(seed, scale):
    df = _random_design(seed)
    a = pw.Survey(df, weights="w", strata="st", psu="psu")
    b = pw.Survey(df.assign(w=df["w"] * scale), weights="w", strata="st", psu="psu")
    for f in ("mean", "proportion"):
        var = "y" if f == "mean" else "item"
        x = getattr(a, f)(var, by="g").to_frame()
        y = getattr(b, f)(var, by="g").to_frame()
        np.testing.assert_allclose(
            x[["estimate", "std_error", "deff"]], y[["estimate", "std_error", "deff"]], rtol=1e-9
        )
    ta, tb = a.total("y").to_frame(), b.total("y").to_frame()
    np.testing.assert_allclose(tb["estimate"], ta["estimate"] * scale, rtol=1e-9)
    np.testing.assert_allclose(tb["std_error"], ta["std_error"] * scale, rtol=1e-9)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_domain_equals_subset(seed):
    df = _random_design(seed)
    svy = pw.Survey(df, weights="w", strata="st", psu="psu")
    by = svy.proportion("item", by="g").to_frame()
    sub = svy.subset(df["g"] == "f").proportion("item").to_frame()
    f = by[by["g"] == "f"].reset_index(drop=True)
    np.testing.assert_allclose(sub["estimate"], f["estimate"], rtol=1e-12)
    np.testing.assert_allclose(sub["std_error"], f["std_error"], rtol=1e-12)


def test_every_respondent_its_own_psu_equals_weights_only(apistrat):
    df = apistrat.reset_index().rename(columns={"index": "rid"})
    a = pw.Survey(df, weights="pw", strata="stype")
    b = pw.Survey(df, weights="pw", strata="stype", psu="rid")
    for f in (lambda s: s.mean("api00", by="sch.wide"), lambda s: s.proportion("awards")):
        np.testing.assert_allclose(
            f(a).to_frame()[["estimate", "std_error"]], f(b).to_frame()[["estimate", "std_error"]], rtol=1e-12
        )


def test_proportions_sum_to_one_and_missing_excluded():
    svy = pw.demo()
    f = svy.proportion("CONCERNCO").to_frame()
    assert "Refused" not in set(f["level"])
    assert f["estimate"].sum() == pytest.approx(1.0)
    all_ = svy.proportion("CONCERNCO", na_rm=False).to_frame()
    assert list(all_["level"])[-1] == "Refused" and all_["estimate"].sum() == pytest.approx(1.0)
    assert all_["n"].sum() == svy.n - int(svy.data["CONCERNCO_W49"].isna().sum())


def test_proportion_equals_mean_of_indicator(strat):
    svy = strat
    p = svy.proportion("awards").to_frame().set_index("level")
    ind = svy.data.assign(yes=(svy.data["awards"] == "Yes").astype(float))
    m = pw.Survey(ind, weights="pw", strata="stype", fpc="fpc").mean("yes").to_frame()
    assert p.loc["Yes", "estimate"] == pytest.approx(m["estimate"][0], rel=1e-12)
    assert p.loc["Yes", "std_error"] == pytest.approx(m["std_error"][0], rel=1e-12)
    assert p.loc["Yes", "deff"] == pytest.approx(m["deff"][0], rel=1e-12)


def test_results_present_themselves():
    res = pw.demo().proportion("CONCERNCO", by="F_SEX")
    text = res.summary()
    assert text.startswith("Proportion of CONCERNCO_W49 by F_SEX") and "How concerned" in text
    assert repr(res) == text
    html = res._repr_html_()
    assert "<table>" in html and "Very concerned" in html
    f = res.to_frame()
    assert list(f.columns) == [
        "variable",
        "level",
        "F_SEX",
        "estimate",
        "std_error",
        "ci_lower",
        "ci_upper",
        "deff",
        "n",
    ]
    f.loc[0, "estimate"] = -1
    assert res.to_frame().loc[0, "estimate"] != -1  # to_frame returns a copy


def test_bad_inputs(strat):
    with pytest.raises(VariableError, match="unknown variable 'api01'; did you mean 'api00'"):
        strat.mean("api01")
    with pytest.raises(VariableError, match="mean needs a numeric variable but 'stype' is"):
        strat.mean("stype")
    with pytest.raises(EstimationError, match="q=1.5 is not valid"):
        strat.quantile("api00", 1.5)
    with pytest.raises(EstimationError, match="ci='exact' is not valid; choose one of 'logit'"):
        strat.proportion("awards", ci="exact")
    with pytest.raises(EstimationError, match="level=95 is not valid"):
        strat.mean("api00", level=95)
    allna = strat.data.assign(z=np.nan)
    with pytest.raises(EstimationError, match="'z' has no valid values"):
        pw.Survey(allna, weights="pw").mean("z")
    zero = strat.data.assign(pw=np.where(strat.data["stype"] == "H", 0.0, strat.data["pw"]))
    with pytest.raises(EstimationError, match="the weights of the domain sum to zero"):
        pw.Survey(zero, weights="pw").subset("stype == 'H'").mean("api00")
    with pytest.raises(EstimationError, match="the subset is empty"):
        strat.subset(strat.data["api00"] < 0)
    with pytest.raises(EstimationError, match="exactly two groups"):
        strat.ttest("api00", "stype")


def test_ttest_level_is_the_default_of_its_interval(strat):
    from scipy import stats

    t90 = strat.ttest("api00", "sch.wide", level=0.90)
    t95 = strat.ttest("api00", "sch.wide")
    assert t90.extra["level"] == 0.90 and t95.extra["level"] == 0.95
    assert (t90.statistic, t90.df, t90.p_value) == (t95.statistic, t95.df, t95.p_value)
    q = stats.t.ppf(0.95, t90.df)
    lo, hi = t90.conf_int().iloc[0]
    assert (lo, hi) == pytest.approx((t90.estimate - q * t90.std_error, t90.estimate + q * t90.std_error), rel=1e-12)
    assert t90.conf_int(level=0.95).equals(t95.conf_int())  # an explicit level still wins
    with pytest.raises(EstimationError, match=r"^level=1.5 is not valid; give a confidence level between 0 and 1"):
        strat.ttest("api00", "sch.wide", level=1.5)
