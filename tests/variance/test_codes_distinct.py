"""Distinct counts without sorting: the design df (PSUs minus strata) of a domain, as R's degf."""

from __future__ import annotations

import numpy as np
import pytest

from pewlike.variance.codes import _distinct
from pewlike.variance.linearization import degf_linearized


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_distinct_counts_equal_numpy_unique(seed):
    rng = np.random.default_rng(seed)
    for a in (
        rng.integers(0, 50, 1000),
        rng.integers(-30, 30, 500),  # negative codes
        rng.integers(0, 10**12, 300),  # too sparse to count by bincount: sorted instead
        rng.normal(size=200).round(1),  # floats
        np.array([], dtype=np.int64),
        np.array([True, False, True]),
    ):
        assert _distinct(a) == np.unique(a).size


@pytest.mark.parametrize("seed", [4, 5])
def test_degf_is_psus_minus_strata_among_rows_with_weight(seed):
    rng = np.random.default_rng(seed)
    n = 5000
    strata = rng.integers(0, 40, n)
    clusters = strata * 100 + rng.integers(0, 25, n)
    w = np.where(rng.random(n) < 0.3, 0.0, rng.uniform(0.5, 2.0, n))  # a domain: zero weight outside
    keep = w != 0
    want = np.unique(clusters[keep]).size - np.unique(strata[keep]).size
    assert degf_linearized(strata, clusters, w) == want
    assert degf_linearized(np.zeros(n, dtype=int), np.arange(n), w) == keep.sum() - 1  # each row its own PSU
