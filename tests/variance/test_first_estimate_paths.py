"""The cheap paths of a first estimate give the same bits as the general ones (#15)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

import pewlike as pw
from pewlike.design.structure import _psus_in_several_strata
from pewlike.errors import DesignError
from pewlike.variance.codes import _group_sum


def _sparse_sum(codes: np.ndarray, x: np.ndarray, m: int) -> np.ndarray:
    n = codes.shape[0]
    ind = sparse.csr_matrix((np.ones(n), codes, np.arange(n + 1)), shape=(n, m))
    return np.asarray(ind.T @ x)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [0, 1, 2, 4, 5, 9])
def test_group_sum_bincount_equals_sparse_product(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    m = int(rng.integers(1, 60))
    codes = rng.integers(0, m, n)
    x = rng.normal(size=(n, k)) * rng.choice([1e-8, 1.0, 1e8], size=(n, k))
    got = _group_sum(codes, x, m)
    assert got.shape == (m, k)
    assert np.array_equal(got, _sparse_sum(codes, x, m))  # same additions in the same order
    if k:
        assert np.array_equal(_group_sum(codes, x[:, 0], m), _sparse_sum(codes, x[:, 0], m))


@pytest.mark.parametrize("seed", range(8))
def test_psus_in_several_strata_finds_exactly_the_split_psus(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 500))
    ids = rng.integers(0, 40, n)
    strata = rng.integers(0, 3, n) if seed % 2 else (ids % 5)
    split = set(_psus_in_several_strata(ids, strata).tolist())
    want = {p for p in np.unique(ids) if len(np.unique(strata[ids == p])) > 1}
    assert split == want


def test_not_nested_error_names_the_smallest_split_psu() -> None:
    df = pd.DataFrame({"st": [1, 1, 2, 2, 1, 2, 3, 3], "psu": [9, 9, 9, 4, 4, 4, 7, 8], "w": [1.0] * 8, "y": range(8)})
    with pytest.raises(DesignError, match=r"PSU (np\.int64\()?4\)? of 'psu' appears in more than one stratum"):
        pw.Survey(df, weights="w", strata="st", psu="psu")


@pytest.mark.parametrize("seed", range(4))
def test_mean_and_total_unchanged_by_the_bincount_unit_sums(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 2000
    df = pd.DataFrame(
        {
            "st": rng.integers(0, 10, n),
            "w": rng.uniform(0.2, 5, n),
            "y": rng.normal(50, 10, n),
        }
    )
    df["psu"] = df["st"] * 100 + rng.integers(0, 6, n)
    svy = pw.Survey(df, weights="w", strata="st", psu="psu")
    design = svy._design
    unit, first = design.units
    expect = np.asarray(design.unit_weight_matrix @ df["y"].to_numpy())
    assert np.array_equal(design.unit_sums(df["y"].to_numpy()), expect)
    mean = svy.mean("y").to_frame()
    w, y = df["w"].to_numpy(), df["y"].to_numpy()
    assert mean["estimate"].iloc[0] == pytest.approx(np.sum(w * y) / np.sum(w), rel=1e-12)
    assert unit.shape == (n,) and first.shape[0] == df["psu"].nunique()
