"""Weighted histograms and box plots checked against R ``survey`` (``svyhist``, ``svyquantile``
behind ``svyboxplot``) and R's ``pretty`` edges.

Fixtures: ``tests/reference/distributions/distributions.json``, written by
``tests/reference/distributions/make_distributions.R`` (each record keeps its R call).
Tolerance 1e-6 relative (1e-12 absolute for edges and zeros).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.estimation.breaks import pretty

ROOT = Path(__file__).parents[1] / "reference"
FIXTURE = json.loads((ROOT / "distributions" / "distributions.json").read_text())
RTOL = 1e-6


@functools.cache
def _survey(data: str, design: str) -> pw.Survey:
    kw = json.loads(design)
    return pw.Survey(pd.read_csv(ROOT / "estimation" / data), **kw)


def _svy(rec) -> pw.Survey:
    return _survey(rec["data"], json.dumps(rec["design"], sort_keys=True))


def _num(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.mark.parametrize("rec", FIXTURE["pretty"], ids=lambda r: r["r_call"])
def test_pretty_equals_r(rec):
    got = pretty(rec["lo"], rec["hi"], rec["n"], min_n=1)
    np.testing.assert_allclose(got, rec["breaks"], rtol=1e-12, atol=1e-300)


def test_pretty_fixture_covers_many_cases():
    assert len(FIXTURE["pretty"]) >= 200


@pytest.mark.parametrize("rec", FIXTURE["hist"], ids=lambda r: f"{r['design_key']}-{r['var']}-{r.get('by')}")
def test_histogram_equals_svyhist(rec):
    h = _svy(rec).hist(rec["var"], by=rec.get("by"))
    f = h.to_frame()
    np.testing.assert_allclose(h.breaks, rec["breaks"], rtol=1e-12)
    np.testing.assert_allclose(f["estimate"], rec["estimate"], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(f["std_error"], rec["std_error"], rtol=RTOL, atol=1e-12)
    if "density" in rec:  # svyhist's bar heights and counts (no groups)
        np.testing.assert_allclose(f["density"], rec["density"], rtol=RTOL, atol=1e-12)
        if rec["var"] != "acs.46":  # R multiplies by all weights, pewlike by those of valid values
            np.testing.assert_allclose(f["count"], rec["counts"], rtol=RTOL)
    else:
        assert f[rec["by"]].astype(str).unique().tolist() == rec["groups"]


@pytest.mark.parametrize("rec", FIXTURE["box"], ids=lambda r: f"{r['design_key']}-{r['var']}-{r.get('by')}")
def test_boxplot_equals_svyquantile(rec):
    b = _svy(rec).boxplot(rec["var"], by=rec.get("by"))
    f = b.to_frame()
    box = b.box()
    assert len(box) == len(rec["groups"])
    for g, want in enumerate(rec["groups"]):
        rows = f.iloc[5 * g : 5 * g + 5]
        if want["group"] is not None:
            assert rows[rec["by"]].astype(str).unique().tolist() == [want["group"]]
        for col in ("estimate", "std_error", "ci_lower", "ci_upper"):
            np.testing.assert_allclose(rows[col], _num(want[col]), rtol=RTOL, err_msg=f"{col} of group {g}")
        np.testing.assert_allclose(
            box[["lower_whisker", "upper_whisker"]].iloc[g].to_numpy(float), want["whiskers"], rtol=RTOL
        )
        sel = b.outliers[rec["by"]].astype(str) == want["group"] if want["group"] is not None else slice(None)
        np.testing.assert_allclose(b.outliers.loc[sel, "value"].to_numpy(float), _num(want["outliers"]), rtol=RTOL)
