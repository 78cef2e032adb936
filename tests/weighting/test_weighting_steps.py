"""Calibration steps against literal row-by-row ports of R's ``svyrecvar`` formulas.

The steps in :mod:`pewlike.weighting.steps` compute R's residuals on tables of cells or units;
here random raked, post-stratified and calibrated samples are checked against the
formulas as R writes them, row by row:

* raking: ten passes of ``x <- x - psw * ave(x / psw, margin)`` over the margins;
* post-stratification: ``x - psw * rowsum(x * oldw / psw, h) / rowsum(oldw, h)``;
* g-calibration: ``qr.resid(qr(X * sqrt(w0)), x / w) * w`` with ``w = g * sqrt(w0)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pewlike as pw


def _ave(v: np.ndarray, group: np.ndarray) -> np.ndarray:
    """R's ``ave(v, group)``: the group mean at every row."""
    out = np.empty_like(v)
    for g in np.unique(group):  # a literal port: loops are fine in a test
        out[group == g] = v[group == g].mean()
    return out


def _sample(seed: int, n: int):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "a": rng.choice(["a1", "a2", "a3"], n, p=[0.5, 0.3, 0.2]),
            "b": rng.choice(["b1", "b2"], n),
            "c": rng.choice(["c1", "c2", "c3", "c4"], n),
            "y": rng.normal(10, 3, n),
            "w": rng.lognormal(0, 0.5, n),
            "psu": rng.integers(0, max(2, n // 4), n),
        }
    )
    for v in ("a", "b", "c"):  # every level present
        df.loc[: len(df[v].unique()) - 1, v] = sorted(df[v].unique())
    return df, rng


def _targets(df, rng):
    """Shares near the sample's weighted shares (so linear calibration keeps weights positive)."""
    out = {}
    for v in ("a", "b", "c"):
        levels = sorted(df[v].unique())
        have = df.groupby(v)["w"].sum().reindex(levels).to_numpy()
        share = 0.8 * have / have.sum() + 0.2 * rng.dirichlet(np.full(len(levels), 5.0))
        out[v] = dict(zip(levels, share))
    return out


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(30, 200))
def test_raking_residuals_equal_rs_formula(seed, n):
    df, rng = _sample(seed, n)
    svy = pw.Survey(df, weights="w", psu="psu")
    raked = svy.rake(_targets(df, rng), tol=1e-13, max_iter=500)
    step = raked._design.calibration[-1]
    x = rng.normal(size=(n, 3)) * raked._design.weights[:, None]
    # the weights just after each margin's post-stratification in the last sweep
    psw = [step.w0 * sc[step.cell] for sc in step.scale]
    codes = [c[step.cell] for c in step.codes]
    want = x.copy()
    for _ in range(10):
        for code, p in zip(codes, psw):
            for k in range(want.shape[1]):
                want[:, k] -= p * _ave(want[:, k] / p, code)
    np.testing.assert_allclose(step.residuals(x), want, rtol=1e-9, atol=1e-9 * np.abs(x).max())
    # at convergence every margin's weights are the raked weights
    np.testing.assert_allclose(psw[0], raked._design.weights, rtol=1e-8)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(30, 200))
def test_poststratification_residuals_equal_rs_formula(seed, n):
    df, rng = _sample(seed, n)
    svy = pw.Survey(df, weights="w")
    target = {k: v * 1000 for k, v in _targets(df, rng)["c"].items()}
    post = svy.poststratify("c", target)
    step = post._design.calibration[-1]
    x = rng.normal(size=(n, 2)) * post._design.weights[:, None]
    psw, oldw, h = post._design.weights, svy._design.weights, df["c"].to_numpy()
    want = x.copy()
    for k in range(x.shape[1]):
        for g in np.unique(h):
            m = h == g
            want[m, k] = x[m, k] - psw[m] * np.sum(x[m, k] * oldw[m] / psw[m]) / np.sum(oldw[m])
    np.testing.assert_allclose(step.residuals(x), want, rtol=1e-10, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(30, 200),
    calfun=st.sampled_from(["linear", "raking"]),
    numeric=st.booleans(),
)
def test_greg_residuals_equal_rs_formula(seed, n, calfun, numeric):
    df, rng = _sample(seed, n)
    svy = pw.Survey(df, weights="w")
    t = _targets(df, rng)
    total = svy.weights.sum()
    controls = {"a": {k: v * total for k, v in t["a"].items()}, "b": {k: v * total for k, v in t["b"].items()}}
    if numeric:
        controls["y"] = float((svy.weights * df["y"]).sum() * 1.01)
    cal = svy.calibrate(controls, calfun=calfun, epsilon=1e-12)
    step = cal._design.calibration[-1]
    w0 = svy._design.weights
    g = cal._design.weights / w0
    X = np.column_stack(
        [(df["a"] == lv).to_numpy(float) for lv in sorted(df["a"].unique())]
        + [(df["b"] == "b2").to_numpy(float)]
        + ([df["y"].to_numpy()] if numeric else [])
    )
    q, _ = np.linalg.qr(X * np.sqrt(w0)[:, None])
    wr = g * np.sqrt(w0)
    x = rng.normal(size=(n, 2)) * cal._design.weights[:, None]
    y = x / wr[:, None]
    want = (y - q @ (q.T @ y)) * wr[:, None]
    np.testing.assert_allclose(step.residuals(x), want, rtol=1e-8, atol=1e-9 * np.abs(x).max())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_se_after_raking_on_a_subset_uses_the_stored_weights(seed):
    df, rng = _sample(seed, 150)
    raked = pw.Survey(df, weights="w", psu="psu").rake(_targets(df, rng), tol=1e-12)
    sub = raked.subset((df["b"] == "b1").to_numpy())
    step = sub._design.calibration[-1]
    x = np.zeros((len(df), 1))
    x[(df["b"] == "b1").to_numpy(), 0] = 1.0
    res = step.residuals(x * sub._design.weights[:, None])
    # outside the domain the residuals are not zero: the raking ties the domain to the rest (as R)
    assert np.abs(res[(df["b"] == "b2").to_numpy()]).max() > 0
