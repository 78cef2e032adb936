"""The path to a first answer imports nothing it does not need (#15); no timing here (see scripts/bench_first.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from scipy.special import ndtri

from pewlike import distributions as d


def test_normal_quantile_table_is_ndtri_to_the_bit() -> None:
    for p, z in d._NDTRI.items():
        assert z == float(ndtri(p)), p
        got = d.norm_ppf(p)
        assert type(got) is type(ndtri(p)) and got == ndtri(p)
        assert d.norm_ppf(np.float64(p)) == ndtri(p)
    for level in (0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999):
        assert 0.5 + level / 2 in d._NDTRI  # the key the estimators compute
    assert d.norm_ppf(0.975000001) == ndtri(0.975000001)  # off the table: scipy


_CHILD = """
import json, sys
import numpy as np, pandas as pd
import pewlike as pw
rng = np.random.default_rng(int(sys.argv[1]))
n = 3000
st = rng.integers(0, 12, n)
df = pd.DataFrame({"st": st, "psu": st * 10 + rng.integers(0, 4, n), "w": rng.uniform(0.3, 4, n),
                   "y": rng.normal(size=n)})
svy = pw.Survey(df, weights="w", strata="st", psu="psu")
f = svy.mean("y").to_frame()
t = svy.total("y").to_frame()
print(json.dumps({"mods": sorted(m for m in sys.modules if m.startswith(("scipy", "matplotlib", "statsmodels"))),
                  "est": float(f["estimate"].iloc[0]), "lo": float(f["ci_lower"].iloc[0]),
                  "se": float(f["std_error"].iloc[0]), "tlo": float(t["ci_lower"].iloc[0]),
                  "tse": float(t["std_error"].iloc[0]), "test": float(t["estimate"].iloc[0])}))
"""


@pytest.mark.parametrize("seed", [1, 2])
def test_a_first_mean_imports_no_scipy_special_or_plotting(seed: int) -> None:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(seed)], capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert "scipy.special" not in res["mods"] and "scipy.stats" not in res["mods"]
    assert not [m for m in res["mods"] if m.startswith(("matplotlib", "statsmodels"))]
    z = float(ndtri(0.975))  # the interval is the one scipy's quantile gives
    assert res["lo"] == pytest.approx(res["est"] - z * res["se"], rel=1e-15, abs=1e-15)
    assert res["tlo"] == pytest.approx(res["test"] - z * res["tse"], rel=1e-15)


_CROSSTAB = r"""
import json, sys
import pewlike as pw
s = pw.demo()
ct = s.crosstab("CONCERNCO", "F_AGECAT")
t = s.topline("CONCERNGOV")
print(json.dumps({"mods": sorted(m for m in sys.modules if m.startswith("scipy")), "cells": ct.to_frame().shape[0]}))
"""


def test_a_first_crosstab_or_topline_imports_no_scipy() -> None:
    # The demo's stage sums (a few thousand rows x a crosstab's columns) are weighted bincounts,
    # the same additions in the same order as the sparse product: no 0.2-0.3 s scipy.sparse
    # import; the letters' t tests and the Rao-Scott F come from pewlike.ftail, not scipy.special.
    out = subprocess.run([sys.executable, "-c", _CROSSTAB], capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert not [m for m in res["mods"] if m.startswith(("scipy.sparse", "scipy.special", "scipy.stats"))]
    assert res["cells"] > 0


def test_grouped_sums_by_bincount_equal_the_sparse_product_to_the_bit() -> None:
    from scipy import sparse

    from pewlike.variance.codes import _group_sum

    rng = np.random.default_rng(11)
    for n, k, m in [(4272, 40, 7), (50_000, 12, 300), (10, 5, 1)]:
        codes = rng.integers(0, m, n)
        x = rng.normal(size=(n, k)) * rng.lognormal(size=(n, 1))
        ind = sparse.csr_matrix((np.ones(n), codes, np.arange(n + 1)), shape=(n, m))
        assert np.array_equal(_group_sum(codes, x, m), np.asarray(ind.T @ x))


@pytest.mark.parametrize("shape", ["clustered", "rows", "zero weights"])
def test_one_domain_shortcut_equals_the_general_path_to_the_bit(shape: str) -> None:
    """A mean or total of every row skips the domain bookkeeping; the numbers are those of a one-level ``by``."""
    import pandas as pd

    import pewlike as pw

    rng = np.random.default_rng(7)
    n = 4000
    st = rng.integers(0, 9, n)
    w = rng.uniform(0.2, 5, n)
    if shape == "zero weights":
        w[rng.random(n) < 0.1] = 0.0
    df = pd.DataFrame({"st": st, "psu": st * 10 + rng.integers(0, 5, n), "w": w, "y": rng.gamma(2.0, 3.0, n)})
    df["one"] = pd.Categorical(["all"] * n)
    design = {"weights": "w"} if shape == "rows" else {"weights": "w", "strata": "st", "psu": "psu"}
    svy = pw.Survey(df, **design)
    cols = ["estimate", "std_error", "ci_lower", "ci_upper", "deff", "n"]
    for verb in ("mean", "total"):
        fast = getattr(svy, verb)("y").to_frame()[cols].to_numpy()
        general = getattr(svy, verb)("y", by="one").to_frame()[cols].to_numpy()
        assert np.array_equal(fast, general), verb
    assert svy.total("y").to_frame()["estimate"].iloc[0] == pytest.approx(float((w * df["y"]).sum()), rel=1e-13)
    # a subset, and missing values, take the general path; the shortcut's shared total stays unchanged
    df.loc[df.index[:50], "y"] = np.nan
    part = pw.Survey(df, **design)
    got = part.total("y").to_frame()["estimate"].iloc[0]
    assert got == pytest.approx(float(np.nansum(w * df["y"])), rel=1e-13)
    sub = part.subset(np.asarray(st < 4)).total("y").to_frame()["estimate"].iloc[0]
    assert sub == pytest.approx(float((w * df["y"].fillna(0))[st < 4].sum()), rel=1e-13)
    wt = svy._design.weight_total
    assert not wt.flags.writeable and wt[0] == svy._design.weights.sum()
