"""Weighted histograms and box plots (svy.hist, svy.boxplot): equivalences, invariances, bad input.

The R cross-checks are in test_distribution_reference.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import EstimationError, PewlikeError, VariableError
from pewlike.estimation.breaks import hist_breaks, pretty, sturges


def _small(seed: int = 3, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n).astype(float),
            "g": rng.choice(["a", "b", "c"], n),
            "w": rng.uniform(0.5, 3.0, n),
        }
    )


def test_histogram_shares_equal_the_proportions_of_the_binned_variable():
    data = _small()
    svy = pw.Survey(data, weights="w")
    h = svy.hist("age", by="g", bins=[10, 30, 50, 70, 90])
    f = h.to_frame()
    assert list(f.columns[:10]) == [
        "variable",
        "level",
        "g",
        "estimate",
        "std_error",
        "ci_lower",
        "ci_upper",
        "deff",
        "n",
        "bin_lower",
    ]
    assert list(f.columns[10:]) == ["bin_upper", "density", "count"]
    cut = pd.cut(data["age"], [10, 30, 50, 70, 90], right=True, include_lowest=True)
    binned = pw.Survey(data.assign(bin=cut.cat.codes.astype(str)), weights="w")
    want = binned.proportion("bin", by="g").to_frame()
    np.testing.assert_allclose(f["estimate"], want["estimate"], rtol=1e-12)
    np.testing.assert_allclose(f["std_error"], want["std_error"], rtol=1e-12)
    assert f["level"].astype(str).unique().tolist() == ["[10, 30]", "(30, 50]", "(50, 70]", "(70, 90]"]
    np.testing.assert_allclose(f["density"], f["estimate"] / 20.0)
    for g, rows in f.groupby("g", observed=True):
        assert rows["estimate"].sum() == pytest.approx(1.0)
        assert rows["count"].sum() == pytest.approx(data.loc[data["g"] == g, "w"].sum())
        assert rows["n"].sum() == (data["g"] == g).sum()


def test_histogram_left_edge_is_in_the_first_bin_and_values_on_an_edge_go_left():
    data = pd.DataFrame({"x": [0.0, 1.0, 1.0, 2.0, 3.0], "w": [1.0, 1.0, 1.0, 1.0, 4.0]})
    f = pw.Survey(data, weights="w").hist("x", bins=[0, 1, 2, 3]).to_frame()
    np.testing.assert_allclose(f["estimate"], [3 / 8, 1 / 8, 4 / 8])
    assert f["n"].tolist() == [3, 1, 1]


def test_scaling_the_weights_and_shuffling_rows_change_no_share():
    data = _small()
    a = pw.Survey(data, weights="w").hist("age", by="g").to_frame()
    b = pw.Survey(data.assign(w=data["w"] * 7.5).sample(frac=1, random_state=1), weights="w").hist("age", by="g")
    np.testing.assert_allclose(a["estimate"], b.to_frame()["estimate"], rtol=1e-12)
    np.testing.assert_allclose(a["density"], b.to_frame()["density"], rtol=1e-12)


def test_default_bins_follow_sturges_and_pretty():
    data = _small(n=400)
    h = pw.Survey(data, weights="w").hist("age")
    assert sturges(400) == 10
    np.testing.assert_allclose(h.breaks, pretty(data["age"].min(), data["age"].max(), 10, min_n=1))
    assert h.breaks[0] <= data["age"].min() and h.breaks[-1] >= data["age"].max()


def test_a_domain_is_binned_on_its_own_values():
    data = _small()
    svy = pw.Survey(data, weights="w")
    young = svy.subset("age < 40")
    h = young.hist("age")
    assert h.breaks[-1] <= 40 and h.to_frame()["n"].sum() == (data["age"] < 40).sum()


def test_box_statistics_are_the_design_quantiles_and_r_whiskers():
    data = _small()
    svy = pw.Survey(data, weights="w")
    b = svy.boxplot("age", by="g")
    q = svy.quantile("age", [0, 0.25, 0.5, 0.75, 1], by="g").to_frame()
    pd.testing.assert_frame_equal(b.to_frame(), q)
    box = b.box()
    assert list(box.columns) == ["g", "lower_whisker", "q1", "median", "q3", "upper_whisker", "n"]
    est = q["estimate"].to_numpy().reshape(3, 5)
    iqr = est[:, 3] - est[:, 1]
    np.testing.assert_allclose(box["lower_whisker"], np.maximum(est[:, 0], est[:, 1] - 1.5 * iqr))
    np.testing.assert_allclose(box["upper_whisker"], np.minimum(est[:, 4], est[:, 3] + 1.5 * iqr))
    np.testing.assert_allclose(box["median"], est[:, 2])


def test_outliers_lie_beyond_the_whiskers():
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(50, 5, 300), [5.0, 120.0, 130.0]])
    data = pd.DataFrame({"x": x, "w": rng.uniform(1, 2, x.size)})
    svy = pw.Survey(data, weights="w")
    b = svy.boxplot("x")
    box = b.box().iloc[0]
    # R draws the quantiles 0 and 1 when beyond the whiskers; the "math" quantile 0 is the second
    # smallest value (38.0...), inside them, so 5.0 shows only with all_outliers
    assert box_q0(svy) > 5.0 and box["lower_whisker"] == box_q0(svy)
    assert b.outliers["value"].tolist() == [130.0]
    every = svy.boxplot("x", all_outliers=True)
    pts = every.outliers["value"].to_numpy()
    assert {5.0, 120.0, 130.0} <= set(pts.tolist())
    assert np.all((pts < box["lower_whisker"]) | (pts > box["upper_whisker"]))
    assert set(pts.tolist()) <= set(x.tolist())


def box_q0(svy: pw.Survey) -> float:
    return float(svy.quantile("x", 0).to_frame()["estimate"].iloc[0])


def test_a_categorical_variable_is_refused_with_the_topline_suggested():
    svy = pw.demo()
    for call in (lambda: svy.hist("CONCERNCO"), lambda: svy.boxplot("CONCERNCO", by="F_SEX")):
        with pytest.raises(VariableError, match=r"'CONCERNCO_W49' is categorical.*svy\.topline\('CONCERNCO_W49'\)"):
            call()


def test_bad_bins_are_one_line_errors():
    svy = pw.Survey(_small(), weights="w")
    for bins, pattern in (
        ("scott", r"bins='scott' is not valid; give 'sturges'"),
        (0, r"bins=0 is not valid; give a number of classes of at least 1"),
        ([3, 2, 1], r"are not valid bin edges"),
        ([20, 50], r"do not cover the values of 'age' \(18 - 89\); widen"),
    ):
        with pytest.raises(EstimationError, match=pattern) as err:
            svy.hist("age", bins=bins)
        assert "\n" not in str(err.value) and isinstance(err.value, PewlikeError)


def test_hist_breaks_of_one_value_and_a_number_of_bins():
    assert hist_breaks(np.array([5.0, 5.0]), 4).tolist() == [0.0, 5.0]  # R: hist(c(5, 5))$breaks
    assert pretty(0.0, 0.0, 5).tolist() == [-1.0, 0.0]  # R: pretty(c(0, 0)) covers 0 with a unit around it
    np.testing.assert_allclose(hist_breaks(np.array([0.2, 0.7]), 5), [0.2, 0.3, 0.4, 0.5, 0.6, 0.7], rtol=1e-15)


def test_results_present_themselves():
    svy = pw.Survey(_small(), weights="w")
    h = svy.hist("age", by="g")
    assert h.summary().startswith("Histogram of age by g (")
    assert "<table" in h._repr_html_()
    assert h.estimates.shape[0] == len(h.to_frame())
    b = svy.boxplot("age")
    assert "Box plot of age" in b.summary() and "median" in b.summary()
    named = pw.Survey(_small(), weights="w").subset("age >= 30", name="Adults 30+")
    assert named.hist("age").to_frame().attrs["universe"] == "Adults 30+"
    assert named.boxplot("age").universe_name == "Adults 30+"


def test_missing_group_codes_are_left_out_unless_asked():
    svy = pw.demo()
    kept = svy.hist("WEIGHT_W49", by="F_AGECAT", bins=5)
    every = svy.hist("WEIGHT_W49", by="F_AGECAT", bins=5, na_rm=False)
    assert "Refused" not in kept.to_frame()["F_AGECAT"].astype(str).tolist()
    assert every.to_frame()["F_AGECAT"].astype(str).unique().tolist()[-1] == "Refused"
    assert every.to_frame()["count"].sum() == pytest.approx(float(svy.weights.sum()))
    refused = svy.data["F_AGECAT"].astype(str) == "Refused"
    assert kept.to_frame()["count"].sum() == pytest.approx(float(svy.weights[~refused].sum()))
    box = svy.boxplot("WEIGHT_W49", by="F_AGECAT", na_rm=False).box()
    assert box["F_AGECAT"].astype(str).tolist() == ["18-29", "30-49", "50-64", "65+", "Refused"]
    assert box["n"].sum() == svy.n
