"""Bad numbers are errors, not dashes: overflowing weights and totals, a one-respondent sample (issue #17)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import DesignError, EstimationError


def test_weights_whose_total_overflows_are_refused():
    df = pd.DataFrame({"Q1": ["Yes", "No"] * 5 + ["Yes"], "weight": [1e308] * 11})
    with pytest.raises(DesignError) as info:
        pw.Survey(df, weights="weight")
    assert str(info.value) == (
        "weight column 'weight' is too large to compute with (largest 1e+308; the total overflows); "
        "rescale the weights, e.g. divide them by their mean"
    )
    # the same weights rescaled are fine, and give the same shares
    ok = pw.Survey(df.assign(weight=1.0), weights="weight").proportion("Q1").to_frame()
    assert ok["estimate"].tolist() == pytest.approx([5 / 11, 6 / 11])


def test_weights_whose_squares_overflow_are_refused():
    df = pd.DataFrame({"Q1": ["Yes", "No"], "weight": [1e160, 1e160]})
    with pytest.raises(DesignError, match=r"largest 1e\+160; the total of squares overflows"):
        pw.Survey(df, weights="weight")


def test_overflowing_totals_are_an_error_not_a_dash():
    df = pd.DataFrame({"x": [1e308] * 5 + [1.0] * 5, "g": ["a", "b"] * 5})
    svy = pw.Survey(df, weights=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for call in (lambda: svy.mean("x"), lambda: svy.total("x"), lambda: svy.mean("x", by="g")):
            with pytest.raises(EstimationError, match=r"^a weighted total overflows .*rescale the variable"):
                call()
    fine = pw.Survey(df.assign(x=df.x / 1e300), weights=None).mean("x").to_frame()
    assert np.isfinite(fine[["estimate", "std_error"]].to_numpy()).all()


def test_one_respondent_says_so_not_stratum_zero(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("Q1,weight\nYes,1\n")
    svy = pw.read(path)
    with pytest.raises(DesignError) as info:
        svy.proportion("Q1")
    assert str(info.value).startswith("the sample has only one PSU (one respondent, or one cluster)")
    assert "stratum 0" not in str(info.value)


def test_real_lonely_stratum_is_still_named():
    df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5], "st": ["a", "a", "b", "b", "c"], "id": [1, 2, 3, 4, 5]})
    with pytest.raises(DesignError, match=r"^stratum c \(stage 1\) has only one PSU; pass lonely_psu='adjust'"):
        pw.Survey(df, weights=None, strata="st", psu="id").mean("y")
