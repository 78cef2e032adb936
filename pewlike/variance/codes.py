"""Integer codes and grouped sums shared by the variance engine (internal)."""

from __future__ import annotations

import numpy as np

from pewlike.errors import DesignError


def _present(a: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """For integers in a dense range: ``a - min`` and which offsets occur; None otherwise (sort instead)."""
    if a.size == 0 or a.dtype.kind not in "iub":
        return None
    lo, hi = int(a.min()), int(a.max())
    if hi - lo > 8 * a.size + (1 << 20):
        return None
    shifted = (a - lo).astype(np.intp, copy=False)
    return shifted, np.bincount(shifted, minlength=hi - lo + 1) > 0


def _factorize(a: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense codes 0..m-1 (in sorted order of the values) and m, without sorting ints."""
    a = np.asarray(a).reshape(-1)
    if a.size == 0:
        return np.zeros(0, dtype=np.intp), 0
    dense = _present(a)
    if dense is not None:
        shifted, present = dense
        remap = np.cumsum(present) - 1
        return remap[shifted], int(present.sum())
    _, inv = np.unique(a, return_inverse=True)
    inv = inv.reshape(-1).astype(np.intp, copy=False)
    return inv, int(inv.max()) + 1


def _distinct(a: np.ndarray) -> int:
    """How many distinct values ``a`` holds (``np.unique(a).size``, counted without sorting ints)."""
    a = np.asarray(a).reshape(-1)
    dense = _present(a)
    return int(dense[1].sum()) if dense is not None else int(np.unique(a).size)


def _pair_codes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes of the pairs (a, b) for two dense code arrays."""
    mb = int(b.max()) + 1 if b.size else 1
    return _factorize(a.astype(np.int64) * mb + b)


#: Up to this many columns, or this many values in all, grouped sums are one weighted
#: ``np.bincount`` per column (no scipy.sparse import or index matrix: a first estimate or
#: crosstab costs what a second does; the sparse import alone takes 0.2-0.3 s).
_BINCOUNT_COLUMNS = 4
_BINCOUNT_VALUES = 1_000_000


def _group_sum(codes: np.ndarray, x: np.ndarray, m: int) -> np.ndarray:
    """Column sums of ``x`` (n, k) within groups ``codes`` -> (m, k), one sparse product.

    Few columns are summed with ``np.bincount`` instead: the same additions in the same
    (row) order, so the same bits, without building the (n, m) indicator matrix.
    """
    x = np.asarray(x)
    if x.ndim == 1 and x.dtype.kind in "biuf":
        return np.bincount(codes, weights=x, minlength=m)
    if x.ndim == 2 and x.dtype.kind in "biuf" and (x.shape[1] <= _BINCOUNT_COLUMNS or x.size <= _BINCOUNT_VALUES):
        out = np.empty((m, x.shape[1]))
        for j in range(x.shape[1]):
            out[:, j] = np.bincount(codes, weights=x[:, j], minlength=m)
        return out
    from scipy import sparse

    n = codes.shape[0]
    ind = sparse.csr_matrix((np.ones(n), codes, np.arange(n + 1)), shape=(n, m))  # row i has a 1 in column codes[i]
    return np.asarray(ind.T @ x)


def _as_2d(a, n: int, name: str, dtype=None) -> np.ndarray:
    arr = np.asarray(a, dtype=dtype)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != n:
        raise DesignError(f"{name} has shape {np.shape(a)}; expected ({n},) or ({n}, stages)")
    return arr


def _stage_units(strata: np.ndarray, clusters: np.ndarray):
    """Per stage: (stratum-unit codes, H, cluster codes, C).

    At stage s > 1 the stratum unit is (stage s-1 cluster, stratum), exactly as R's
    ``svydesign`` nests sub-strata within the clusters of the previous stage.
    """
    out = []
    parent = None
    for s in range(clusters.shape[1]):
        h, nh = _factorize(strata[:, s])
        if parent is not None:
            h, nh = _pair_codes(parent, h)
        c, nc = _factorize(clusters[:, s])
        out.append((h, nh, c, nc))
        parent = c
    return out


def _expand_strata(strata: np.ndarray, n_stages: int) -> np.ndarray:
    if strata.shape[1] == n_stages:
        return strata
    if strata.shape[1] > n_stages:
        raise DesignError(
            f"strata has {strata.shape[1]} stages but clusters only {n_stages}; give one strata column per stage"
        )
    pad = np.repeat(strata[:, -1:], n_stages - strata.shape[1], axis=1)
    return np.hstack([strata, pad])
