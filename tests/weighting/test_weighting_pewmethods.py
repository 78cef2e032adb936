"""Weighting checked against ``pewmethods`` (Pew Research Center's R package) on its own example data.

``tests/reference/weighting/pewmethods/`` holds the package's ``dec13_excerpt`` (a December 2013 Pew phone
survey excerpt) and ``acs_2017_excerpt`` (ACS weighting targets) as CSV; their README gives the
factor level orders, which the fixture repeats.  ``tests/reference/weighting/pewmethods.json``
was made by running pewmethods 1.0 (``tests/reference/weighting/make_weighting_reference.R``): ``calculate_deff``,
``get_totals``, ``create_raking_targets``, ``trim_weights`` and ``rake_survey`` (on the complete
cases of age and education, raked to convergence; pewmethods itself imputes those first).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.weighting.summary import effective_n, kish_deff

DATA = Path(__file__).parents[1] / "reference" / "weighting"
FIX = json.loads((DATA / "pewmethods.json").read_text())
RTOL = 1e-6


def _dec13() -> pd.DataFrame:
    df = pd.read_csv(DATA / "pewmethods" / "dec13_excerpt.csv")
    for col, levels in FIX["levels"].items():
        df[col] = pd.Categorical(df[col], categories=levels)
    return df


def _acs() -> pd.DataFrame:
    df = pd.read_csv(DATA / "pewmethods" / "acs_2017_excerpt.csv")
    for col in ("sex", "recage", "receduc"):
        df[col] = pd.Categorical(df[col], categories=[c for c in FIX["levels"][col] if c != "DK/Ref"])
    return df


@pytest.mark.parametrize("rec", FIX["deff"], ids=lambda r: r["weight"])
def test_calculate_deff(rec):
    df = _dec13()
    w = df[rec["weight"]].to_numpy()
    assert kish_deff(w) == pytest.approx(rec["deff"], rel=RTOL)
    assert effective_n(w) == pytest.approx(rec["ess"], rel=RTOL)
    assert pw.moe(w) == pytest.approx(rec["moe"], rel=RTOL)
    s = pw.Survey(df, weights=rec["weight"]).weight_summary()
    assert s.n == rec["n"]  # zero weights (other sample frame) left out
    assert s.mean == pytest.approx(rec["mean_wt"], rel=RTOL)
    assert s.sd == pytest.approx(rec["sd_wt"], rel=RTOL)
    assert (s.deff, s.ess, s.moe) == pytest.approx((rec["deff"], rec["ess"], rec["moe"]), rel=RTOL)


@pytest.mark.parametrize("rec", FIX["toplines"], ids=lambda r: r["base"])
def test_weighted_topline(rec):
    svy = pw.Survey(_dec13(), weights="weight")
    frame = svy.proportion(rec["var"], na_rm=rec["base"] == "valid").to_frame()
    assert [str(x) for x in frame["level"]] == rec["levels"]
    np.testing.assert_allclose(100 * frame["estimate"].to_numpy(), rec["percent"], rtol=RTOL)


def test_dont_know_is_missing_for_the_valid_base():
    svy = pw.Survey(_dec13(), weights="weight")
    assert "Don't know/Refused (VOL.)" not in [str(x) for x in svy.proportion("q1").to_frame()["level"]]


def test_raking_targets_from_acs():
    targets = pw.targets_from(_acs(), ["recage", "sex:receduc"], weights="weight")
    assert list(targets) == ["recage", ("sex", "receduc")]
    for rec in FIX["targets"]:
        key = rec["vars"][0] if len(rec["vars"]) == 1 else tuple(rec["vars"])
        got = targets[key]
        labels = [":".join(k) if isinstance(k, tuple) else k for k in got.index]
        assert labels == rec["levels"]
        np.testing.assert_allclose(100 * got.to_numpy(), rec["percent"], rtol=RTOL)
        assert got.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("rec", FIX["trim"], ids=lambda r: r["r_call"][:60])
def test_trim_weights_at_quantiles(rec):
    svy = pw.Survey(_dec13(), weights="weight")
    out = svy.trim_weights(
        lower=rec["lower"],
        upper=rec["upper"],
        quantiles=True,
        strict=rec["strict"],
        minval=rec.get("minval"),
        maxval=rec.get("maxval"),
    )
    np.testing.assert_allclose(out.weights.to_numpy(), rec["weights"], rtol=RTOL)
    assert out.weights.sum() == pytest.approx(svy.weights.sum(), rel=1e-12)
    summary = out.weight_summary()
    assert summary.record.method == "trim" and 0 < summary.share_trimmed < 0.2


def test_rake_survey_equivalent():
    rec = FIX["rake_survey"]
    df = _dec13()
    cc = df[(df["recage"] != "DK/Ref") & (df["receduc"] != "DK/Ref")]
    svy = pw.Survey(cc, weights=None)
    targets = pw.targets_from(_acs(), ["sex", "recage", "receduc", ("sex", "receduc")], weights="weight")
    raked = svy.rake(targets, tol=1e-10, max_iter=200)
    np.testing.assert_allclose(raked.weights.to_numpy(), rec["weights"], rtol=RTOL)
    # pewmethods' calibrate(calfun = "raking") route gives the same weights
    cal = svy.calibrate(targets, calfun="raking", epsilon=1e-12, max_iter=200)
    np.testing.assert_allclose(cal.weights.to_numpy(), rec["weights"], rtol=RTOL)
