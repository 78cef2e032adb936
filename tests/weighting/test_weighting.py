"""Weighting: equivalences, invariances, the weight summary and bad input.

Numbers here come from two routes to one quantity (raking on one variable vs.
post-stratification, linear calibration on a factor vs. post-stratification, a subset vs. a
filtered frame...) or from definitions (a raked sample reproduces its targets); R's own values
are in ``test_weighting_reference.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import CalibrationError, PewlikeError, RakingError
from pewlike.weighting.summary import effective_n, kish_deff

WEIGHTING = Path(__file__).parents[1] / "reference" / "weighting"
STYPE = {"E": 4421, "H": 755, "M": 1018}
SCHWIDE = {"No": 1072, "Yes": 5122}
AGE = {"18-29": 0.21, "30-49": 0.33, "50-64": 0.26, "65+": 0.20}
SEX = {"Male": 0.48, "Female": 0.52}
EDUC = {"College grad+": 0.33, "Some college": 0.30, "H.S. graduate or less": 0.37}
RACE = {"White non-Hispanic": 0.63, "Black non-Hispanic": 0.12, "Hispanic": 0.16, "Other": 0.09}
RAKE_VARS = ("F_AGECAT", "F_SEX", "F_EDUCCAT", "F_RACETHN")


@pytest.fixture(scope="module")
def demo_complete(demo) -> pw.Survey:
    keep = np.logical_and.reduce([demo._valid(c) for c in RAKE_VARS])
    return pw.Survey(demo._data[keep], weights="WEIGHT_W49", codebook=demo._codebook)


def _se(svy, var, kind="mean"):
    return getattr(svy, kind)(var).to_frame()[["estimate", "std_error"]].to_numpy()


# ------------------------------------------------------------------------------ equivalences
def test_rake_on_one_variable_equals_poststratify(clus1):
    raked = clus1.rake({"stype": STYPE})
    post = clus1.poststratify("stype", STYPE)
    np.testing.assert_allclose(raked.weights, post.weights, rtol=1e-12)
    for var, kind in (("api00", "mean"), ("enroll", "total"), ("awards", "proportion")):
        np.testing.assert_allclose(_se(raked, var, kind), _se(post, var, kind), rtol=1e-9)


def test_linear_calibration_on_a_factor_equals_poststratify(strat):
    cal = strat.calibrate({"awards": {"No": 2500, "Yes": 3694}})
    post = strat.poststratify("awards", {"No": 2500, "Yes": 3694})
    np.testing.assert_allclose(cal.weights, post.weights, rtol=1e-12)
    for var, kind in (("api00", "mean"), ("enroll", "total"), ("sch.wide", "proportion")):
        np.testing.assert_allclose(_se(cal, var, kind), _se(post, var, kind), rtol=1e-9)


def test_raking_calibration_gives_the_ipf_weights(clus1):
    ipf = clus1.rake({"stype": STYPE, "sch.wide": SCHWIDE}, tol=1e-12)
    cal = clus1.calibrate({"stype": STYPE, "sch.wide": SCHWIDE}, calfun="raking", epsilon=1e-12)
    np.testing.assert_allclose(ipf.weights, cal.weights, rtol=1e-9)


def test_margin_controls_equal_formula_controls(clus1):
    total99 = 3914069.0
    by_margin = clus1.calibrate({"stype": STYPE, "api99": total99})
    by_formula = clus1.calibrate(
        {"(Intercept)": 6194, "stypeH": 755, "stypeM": 1018, "api99": total99}, formula="~stype + api99"
    )
    np.testing.assert_allclose(by_margin.weights, by_formula.weights, rtol=1e-10)
    np.testing.assert_allclose(_se(by_margin, "api00"), _se(by_formula, "api00"), rtol=1e-9)


def test_raked_sample_reproduces_its_targets(demo_complete):
    tol = 1e-9
    raked = demo_complete.rake({"F_AGECAT": AGE, ("F_SEX", "F_EDUCCAT"): _joint(), "F_RACETHN": RACE}, tol=tol)
    for var, target in (("F_AGECAT", AGE), ("F_RACETHN", RACE)):
        got = raked.proportion(var).to_frame()
        np.testing.assert_allclose(got["estimate"], [target[str(lv)] for lv in got["level"]], atol=tol)
    w = raked.weights.to_numpy()
    data = raked.data
    for (sex, educ), share in _joint().items():
        cell = (data["F_SEX"] == sex) & (data["F_EDUCCAT"] == educ)
        assert w[cell.to_numpy()].sum() / w.sum() == pytest.approx(share, abs=tol)
    summary = raked.weight_summary()
    assert summary.record.method == "rake" and summary.converged
    assert summary.margins["difference"].abs().max() < tol
    assert 1 <= summary.iterations <= 50
    assert len(summary.margins) == len(AGE) + 6 + len(RACE)


def _joint():
    return {(s, e): SEX[s] * EDUC[e] for s in SEX for e in EDUC}


def test_rake_keeps_the_weight_total_for_proportions_and_uses_total(demo_complete):
    before = demo_complete.weights.sum()
    assert demo_complete.rake({"F_SEX": SEX}).weights.sum() == pytest.approx(before)
    assert demo_complete.rake({"F_SEX": SEX}, total=1000).weights.sum() == pytest.approx(1000)


def test_rake_on_a_subset_equals_rake_on_the_filtered_frame(demo, demo_complete):
    keep = np.logical_and.reduce([demo._valid(c) for c in RAKE_VARS])
    margins = {"F_AGECAT": AGE, "F_SEX": SEX, "F_EDUCCAT": EDUC, "F_RACETHN": RACE}
    sub = demo.subset(keep).rake(margins, tol=1e-11)
    flat = demo_complete.rake(margins, tol=1e-11)
    np.testing.assert_allclose(sub.weights.to_numpy(), flat.weights.to_numpy(), rtol=1e-9)
    assert sub.proportion("CONCERNCO").estimate == pytest.approx(flat.proportion("CONCERNCO").estimate, rel=1e-9)


def test_shuffling_rows_changes_nothing(strat, apistrat):
    df = apistrat
    perm = np.random.default_rng(7).permutation(len(df))
    shuffled = pw.Survey(df.iloc[perm].reset_index(drop=True), weights="pw", strata="stype", fpc="fpc")
    margins = {"awards": {"No": 2500, "Yes": 3694}, "sch.wide": SCHWIDE}
    a, b = strat.rake(margins, tol=1e-12), shuffled.rake(margins, tol=1e-12)
    np.testing.assert_allclose(a.weights.to_numpy()[perm], b.weights.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(_se(a, "api00"), _se(b, "api00"), rtol=1e-9)


def test_scaling_the_start_weights_does_not_change_raked_weights(clus1, apiclus1):
    df = apiclus1
    big = pw.Survey(df.assign(pw=df["pw"] * 7.5), weights="pw", psu="dnum", fpc="fpc")
    margins = {"stype": STYPE, "sch.wide": SCHWIDE}
    np.testing.assert_allclose(clus1.rake(margins, tol=1e-12).weights, big.rake(margins, tol=1e-12).weights, rtol=1e-9)


def test_targets_from_feed_rake(demo_complete):
    pop = demo_complete.data.assign(w=demo_complete.weights.to_numpy())
    targets = pw.targets_from(pop, ["F_AGECAT", "F_SEX:F_EDUCCAT"], weights="w")
    assert set(targets) == {"F_AGECAT", ("F_SEX", "F_EDUCCAT")}
    # targets equal to the sample's own weighted shares leave the weights unchanged
    raked = demo_complete.rake({k: v[v > 0] for k, v in targets.items()}, tol=1e-12)
    np.testing.assert_allclose(raked.weights, demo_complete.weights, rtol=1e-9)


def test_trim_shares_the_trimmed_amount_equally(strat):
    w = strat.weights.to_numpy()
    out = strat.trim_weights(upper=40, lower=16).weights.to_numpy()
    inside = (w >= 16) & (w <= 40)
    excess = np.sum(w - np.clip(w, 16, 40))
    np.testing.assert_allclose(out[inside], w[inside] + excess / inside.sum())
    assert out.sum() == pytest.approx(w.sum())
    strict = strat.trim_weights(upper=35, lower=16, strict=True).weights.to_numpy()
    assert strict.max() <= 35 + 1e-9 and strict.min() >= 16 - 1e-9 and strict.sum() == pytest.approx(w.sum())


def test_trim_after_rake_keeps_the_raking_in_the_variance(clus1):
    raked = clus1.rake({"stype": STYPE, "sch.wide": SCHWIDE})
    trimmed = raked.trim_weights(upper=60, lower=32)
    assert trimmed._design.calibration == raked._design.calibration
    assert trimmed.weight_summary().record.method == "trim"
    assert "raked" in trimmed._history[0] and "trimmed" in trimmed._history[1]


def test_weight_summary_statistics(demo):
    w = demo.weights.to_numpy()
    s = demo.weight_summary()
    assert s.n == demo.n and s.min == w.min() and s.max == w.max()
    assert s.cv == pytest.approx(w.std(ddof=1) / w.mean())
    assert s.deff == pytest.approx(1 + s.cv**2) and s.ess == pytest.approx(s.n / s.deff)
    assert s.moe == pytest.approx(100 * 1.96 * np.sqrt(s.deff * 0.25 / s.n))
    assert s.record is None and s.margins is None
    frame = s.to_frame()
    assert list(frame.columns) == ["statistic", "value"]
    assert dict(zip(frame["statistic"], frame["value"]))["deff"] == s.deff
    assert "Kish design effect" in s.summary()


def test_kish_and_moe_definitions():
    w = np.array([1.0, 2.0, 3.0, 0.0])
    wp = w[w > 0]
    assert kish_deff(w, ddof=0) == pytest.approx(wp.size * np.dot(wp, wp) / wp.sum() ** 2)
    assert kish_deff(w) == pytest.approx(1 + np.var([1, 2, 3], ddof=1) / 4)
    assert effective_n(w) == pytest.approx(3 / kish_deff(w))
    assert pw.moe(np.ones(100)) == pytest.approx(9.8)
    assert pw.moe(np.ones(100), level=0.9) == pytest.approx(100 * 1.6448536 * 0.05, rel=1e-6)
    assert pw.moe(np.ones(100), p=0.1) == pytest.approx(100 * 1.96 * 0.03)


def test_kish_deff_and_effective_n():
    w = np.array([1.0, 1.0, 2.0, 2.0])
    from pewlike.weighting.summary import effective_n, kish_deff

    # Kish's textbook form n * sum(w^2) / sum(w)^2 is ddof=0 (pewmethods uses the sample sd)
    assert kish_deff(w, ddof=0) == pytest.approx(40 / 36)
    assert effective_n(w, ddof=0) == pytest.approx(3.6)
    assert kish_deff(5 * w, ddof=0) == pytest.approx(kish_deff(w, ddof=0))
    assert kish_deff(np.ones(10), ddof=0) == pytest.approx(1.0)
    cv2 = np.var(w) / np.mean(w) ** 2
    assert kish_deff(w, ddof=0) == pytest.approx(1 + cv2)


def test_replicate_rake_reweights_every_replicate():
    df = pd.read_csv(WEIGHTING / "apiclus1_jk1.csv")
    rep = pw.Survey(df, weights="pw", repweights="rep_*", reptype="JK1", scale=14 / 15)
    raked = rep.rake({"stype": STYPE, "sch.wide": SCHWIDE}, tol=1e-10)
    R = raked._design.repweights
    for j in range(R.shape[1]):
        col = R[:, j]
        for value, total in STYPE.items():
            assert col[(df["stype"] == value).to_numpy()].sum() == pytest.approx(total, rel=1e-8)
    assert raked._design.calibration == ()


# ------------------------------------------------------------------------------ bad input
def _raises(svy, call, exc, *needles):
    before = svy.weights.to_numpy().copy()
    with pytest.raises(exc) as info:
        call()
    msg = str(info.value)
    for needle in needles:
        assert needle in msg, msg
    assert "\n" not in msg
    np.testing.assert_array_equal(svy.weights.to_numpy(), before)
    assert isinstance(info.value, PewlikeError)
    return info.value


def test_target_category_absent_from_sample(demo_complete):
    young = demo_complete.subset(demo_complete.data["F_AGECAT"] != "18-29")
    _raises(young, lambda: young.rake({"F_AGECAT": AGE}), RakingError, "'18-29'", "21%", "no respondents")


def test_sample_category_absent_from_targets(clus1):
    _raises(
        clus1, lambda: clus1.rake({"stype": {"E": 4421, "H": 755}}), RakingError, "stype category 'M'", "has no target"
    )


def test_unknown_target_level_is_named(demo_complete):
    _raises(
        demo_complete,
        lambda: demo_complete.rake({"F_SEX": {"Male": 0.5, "Femal": 0.5}}),
        RakingError,
        "'Femal'",
        "not a category of F_SEX",
    )


def test_margins_that_disagree_on_the_total(clus1):
    _raises(
        clus1,
        lambda: clus1.rake({"stype": STYPE, "sch.wide": {"No": 1000, "Yes": 5000}}),
        RakingError,
        "disagree on the total",
        "6,194",
        "6,000",
    )


def test_missing_values_in_a_raking_variable(demo):
    n_refused = int((~demo._valid("F_AGECAT")).sum())
    _raises(
        demo,
        lambda: demo.rake({"F_AGECAT": AGE}),
        RakingError,
        f"F_AGECAT has {n_refused} missing",
        "'Refused'",
        "impute",
    )


def test_negative_and_zero_targets(clus1):
    _raises(
        clus1, lambda: clus1.rake({"stype": {"E": 1.2, "H": -0.1, "M": -0.1}}), RakingError, "negative value", "'H'"
    )
    _raises(clus1, lambda: clus1.rake({"stype": {"E": 0, "H": 0, "M": 0}}), RakingError, "sum to zero")


def test_non_convergence_keeps_the_best_weights(demo_complete):
    bad_joint = {(s, e): v * (1.3 if s == "Male" else 0.7) for (s, e), v in _joint().items()}
    err = _raises(
        demo_complete,
        lambda: demo_complete.rake(
            {"F_SEX": SEX, ("F_SEX", "F_EDUCCAT"): bad_joint}, total=demo_complete.weights.sum()
        ),
        RakingError,
        "did not converge after 50 iterations",
        "largest gap",
        "raise max_iter",
    )
    assert err.weights is not None and err.weights.shape == (demo_complete.n,)
    assert np.isfinite(err.weights).all() and (err.weights > 0).all()


def test_bounds_that_cannot_be_met(clus1):
    _raises(
        clus1,
        lambda: clus1.calibrate({"stype": STYPE}, calfun="raking", bounds=(0.9, 1.1)),
        CalibrationError,
        "cannot be met",
        "widen",
    )
    _raises(clus1, lambda: clus1.rake({"stype": STYPE}, bounds=(0.95, 1.05)), CalibrationError, "cannot be met")


def test_logit_needs_finite_bounds_and_calfun_is_checked(clus1):
    _raises(clus1, lambda: clus1.calibrate({"stype": STYPE}, calfun="logit"), CalibrationError, "finite bounds")
    _raises(clus1, lambda: clus1.calibrate({"stype": STYPE}, calfun="cubic"), CalibrationError, "'cubic'")


def test_trimming_bounds_that_cannot_be_met(strat):
    _raises(
        strat, lambda: strat.trim_weights(upper=21, lower=10, strict=True), CalibrationError, "cannot be met", "widen"
    )
    _raises(strat, lambda: strat.trim_weights(upper=1.5, quantiles=True), CalibrationError, "quantile level")


def test_formula_totals_must_name_the_columns(clus1):
    _raises(
        clus1,
        lambda: clus1.calibrate({"(Intercept)": 6194, "stypeH": 755}, formula="~stype"),
        CalibrationError,
        "missing ['stypeM']",
    )


# ------------------------------------------------------------------------------ input shapes and options
def test_target_shapes_give_the_same_weights(clus1):
    cells = pd.DataFrame({"stype": ["E", "H", "M"], "Freq": [4421, 755, 1018]})
    ref = clus1.rake({"stype": STYPE}).weights.to_numpy()
    for margins in (
        {"stype": cells},
        [cells],
        {"stype": pd.Series(STYPE)},
        {"stype": {k: v / 6194 for k, v in STYPE.items()}},
    ):
        np.testing.assert_allclose(clus1.rake(margins, total=6194).weights.to_numpy(), ref, rtol=1e-12)


def test_joint_margin_shapes_and_poststratify(clus1):
    pop = pd.DataFrame(
        {"awards": ["No", "No", "Yes", "Yes"], "sch.wide": ["No", "Yes", "No", "Yes"], "Freq": [1100, 1500, 0, 3594]}
    )
    series = pop.set_index(["awards", "sch.wide"])["Freq"]
    a = clus1.rake({"awards:sch.wide": pop}).weights.to_numpy()
    b = clus1.rake({("awards", "sch.wide"): series}).weights.to_numpy()
    c = clus1.poststratify(["awards", "sch.wide"], series).weights.to_numpy()
    np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(a, c, rtol=1e-12)
    data = clus1.data
    for (aw, sw), total in series.items():
        cell = ((data["awards"] == aw) & (data["sch.wide"] == sw)).to_numpy()
        assert c[cell].sum() == pytest.approx(total)


def test_cap_limits_the_weights(clus1):
    capped = clus1.rake({"stype": STYPE, "sch.wide": SCHWIDE}, cap=1.9)
    w = capped.weights.to_numpy()
    assert w.max() <= 1.9 * w.mean() * (1 + 1e-9)
    assert capped.weight_summary().margins["difference"].abs().max() < 1e-7
    err = _raises(
        clus1,
        lambda: clus1.rake({"stype": STYPE, "sch.wide": SCHWIDE}, cap=1.5),
        RakingError,
        "did not converge",
        "cap=1.5",
    )
    assert err.weights.max() <= 1.5 * 6194 / clus1.n * (1 + 1e-9)  # the cap is on the raked mean weight


def test_partial_poststratification_ignores_empty_cells(clus1):
    with pytest.warns(pw.errors.WeightWarning, match="no respondents"):
        out = clus1.poststratify("stype", {**STYPE, "X": 10}, partial=True)
    np.testing.assert_allclose(out.weights, clus1.poststratify("stype", STYPE).weights)
    _raises(clus1, lambda: clus1.poststratify("stype", {**STYPE, "X": 10}), RakingError, "'X'", "no respondents")


def test_weighting_a_subset_leaves_other_rows_at_zero(clus1):
    keep = (clus1.data["stype"] != "H").to_numpy()
    sub = clus1.subset(keep)
    total = float((sub.weights * sub.data["api99"]).sum() * 1.02)
    cal = sub.calibrate({"stype": {"E": 4421, "M": 1018}, "api99": total})
    assert (cal._design.weights[~keep] == 0).all()
    assert cal.weights.sum() == pytest.approx(4421 + 1018)
    assert (cal.weights * cal.data["api99"]).sum() == pytest.approx(total)
    raked = sub.rake({"stype": {"E": 4421, "M": 1018}})
    assert raked.n == int(keep.sum()) and (raked._design.weights[~keep] == 0).all()


def test_linear_calibration_refuses_negative_weights(clus1):
    err = _raises(
        clus1,
        lambda: clus1.calibrate({"stype": STYPE, "api99": 2.0e6}),
        CalibrationError,
        "negative weight",
        "calfun='raking'",
    )
    assert err.weights is not None and (err.weights < 0).any()


def test_unweighted_survey_summary_and_moe(apiclus1):
    df = apiclus1
    u = pw.Survey(df, weights=None)
    assert u.weight_summary().deff == 1.0
    assert pw.moe(u) == pytest.approx(100 * 1.96 * np.sqrt(0.25 / len(df)))


def test_raking_an_unweighted_survey_gives_weights_to_summarise(clus1, apiclus1):
    df = apiclus1
    raked = pw.Survey(df, weights=None).rake({"stype": STYPE})
    w = raked.weights.to_numpy()
    assert w.sum() == pytest.approx(6194) and len(np.unique(np.round(w, 9))) == 3
    assert raked.weight_summary().deff == pytest.approx(kish_deff(w)) and raked.weight_summary().deff > 1


@pytest.mark.parametrize("calfun, bounds", [("linear", None), ("raking", None), ("logit", (0.5, 2.5))])
def test_calibration_by_cell_equals_by_row(clus1, calfun, bounds):
    margins = {"stype": STYPE, "sch.wide": SCHWIDE}
    by_cell = clus1.calibrate(margins, calfun=calfun, bounds=bounds, epsilon=1e-12)
    # a redundant population-size control makes the controls row-level (numeric), same span
    by_row = clus1.calibrate({**margins, "(Intercept)": 6194.0}, calfun=calfun, bounds=bounds, epsilon=1e-12)
    np.testing.assert_allclose(by_cell.weights, by_row.weights, rtol=1e-9)
    for var, kind in (("api00", "mean"), ("enroll", "total"), ("awards", "proportion")):
        np.testing.assert_allclose(_se(by_cell, var, kind), _se(by_row, var, kind), rtol=1e-8)


def test_trimming_a_replicate_design_trims_every_replicate():
    df = pd.read_csv(WEIGHTING / "apiclus1_jk1.csv")
    rep = pw.Survey(df, weights="pw", repweights="rep_*", reptype="JK1", scale=14 / 15)
    raked = rep.rake({"stype": STYPE, "sch.wide": SCHWIDE})
    out = raked.trim_weights(lower=30, upper=60)
    R0, R1 = raked._design.repweights, out._design.repweights
    for j in range(R0.shape[1]):
        col0, col1 = R0[:, j], R1[:, j]
        live = col0 > 0  # the replicate's dropped PSU stays at zero
        clipped = np.clip(col0, 30, 60)
        inside = live & (col0 == clipped)
        share = np.sum((col0 - clipped)[live]) / inside.sum()
        expected = np.where(live, np.where(inside, col0 + share, clipped), 0.0)
        np.testing.assert_allclose(col1, expected, rtol=1e-12)
        assert col1.sum() == pytest.approx(col0.sum()) and (col1[~live] == 0).all()
    np.testing.assert_allclose(out.weights, raked.trim_weights(lower=30, upper=60).weights)


def test_zero_weights_stay_zero_when_trimming():
    df = pd.read_csv(WEIGHTING / "pewmethods" / "dec13_excerpt.csv")
    svy = pw.Survey(df, weights="llweight")  # 0 for the cellphone sample
    out = svy.trim_weights(lower=0.05, upper=0.95, quantiles=True, strict=True).weights.to_numpy()
    w = svy.weights.to_numpy()
    assert (out[w == 0] == 0).all() and out.sum() == pytest.approx(w.sum())
    pos = w[w > 0]
    assert out[w > 0].min() >= np.quantile(pos, 0.05) - 1e-9 and out.max() <= np.quantile(pos, 0.95) + 1e-9


def test_percentages_are_flagged(clus1):
    with pytest.warns(pw.errors.WeightWarning, match="sum to 100"):
        out = clus1.rake({"stype": {"E": 71.38, "H": 12.19, "M": 16.43}})
    assert out.weights.sum() == pytest.approx(100)
    assert clus1.rake({"stype": {"E": 71.38, "H": 12.19, "M": 16.43}}, total=6194).weights.sum() == pytest.approx(6194)
