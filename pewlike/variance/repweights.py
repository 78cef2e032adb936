"""Replicate weights from a design: JK1, JKn, BRR/Fay (with R's Hadamard matrices), bootstrap.

Replicate weights are always returned *combined*: analysis weight times the replicate
factor, as an ``(n, R)`` C-contiguous float64 matrix, with ``scale`` and ``rscales``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import DesignError

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import ArrayLike

__all__ = ["bootstrap_weights", "brr_weights", "hadamard", "jk1_weights", "jkn_weights"]


# ----------------------------------------------------------------------------- Hadamard
_PRECOOKED_SIZES = (4, 16, 28, 36)
_H28 = (
    "fffffff 9c71c78 83cd378 83b2e66 9a0f8d6 952c5ae 8cd239e 58aa7f0 45b59d4 46cbcac 561774a "
    "4b64e9a 5959b26 2d1eae8 3666b34 2b3b51c 31d74b2 32f89ca 2ced646 ea545e4 f1632cc f09ce1c "
    "e54ad52 e6392b2 e8a792a dffe000 bf81f80 7f8007e"
)
_H36 = (
    "fffffffff 5c7dc8564 b8fb90ac8 71f721592 e3ee42b24 c7dc8564a 8fb90ac96 1f721592e 3ee42b25c "
    "7dc8564b8 fb90ac970 f721592e2 ee42b25c6 dc8564b8e b90ac971e 721592e3e e42b25c7c c8564b8fa "
    "90ac971f6 21592e3ee 42b25c7dc 8564b8fb8 0ac971f72 1592e3ee4 2b25c7dc8 564b8fb90 ac971f720 "
    "592e3ee42 b25c7dc84 64b8fb90a c971f7214 92e3ee42a 25c7dc856 4b8fb90ac 971f72158 2e3ee42b2"
)


def _double(H: np.ndarray) -> np.ndarray:
    return np.block([[H, H], [H, 1 - H]])


def _from_hex(text: str, size: int) -> np.ndarray:
    rows = [[(int(h, 16) >> (size - 1 - j)) & 1 for j in range(size)] for h in text.split()]
    return np.array(rows, dtype=np.int8)


def _precooked(i: int) -> np.ndarray:
    h4 = np.array([[1, 1, 1, 1], [1, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1]], dtype=np.int8)
    if i == 0:
        return h4
    if i == 1:
        return _double(_double(h4))
    return _from_hex(_H28, 28) if i == 2 else _from_hex(_H36, 36)


def _primes_3mod4(limit: int = 7919) -> np.ndarray:
    sieve = np.ones(limit + 1, dtype=bool)
    sieve[:2] = False
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = False
    p = np.flatnonzero(sieve)
    return p[p % 4 == 3]


def _paley_prime(p: int) -> np.ndarray:
    residues = np.zeros(p, dtype=bool)
    residues[0] = True
    residues[(np.arange(1, (p - 1) // 2 + 1) ** 2) % p] = True
    m = np.add.outer(np.arange(p), np.arange(p)) % p
    core = np.where(residues[m], 0, 1).astype(np.int8)
    out = np.ones((p + 1, p + 1), dtype=np.int8)
    out[1:, 1:] = core
    return out


def _paley(n: int, nmax: int | None = None) -> np.ndarray | None:
    """Paley-type construction over GF(p) with the size rules of R's ``paley()``."""
    nmax = 2 * n if nmax is None else nmax
    primes = _primes_3mod4()
    nceil = nn = n + 4 - (n % 4)
    if (n % 4) + 4 == (n % 8):
        while nn % 8 == 0:
            nn //= 2
        if (nn - 1) in set(primes.tolist()):
            m = _paley_prime(nn - 1)
            while nn < nceil:
                m = _double(m)
                nn *= 2
            return m
    if n > primes[-1]:
        return None
    p = int(primes[primes >= n].min())
    if p + 1 > nceil + 4 and nceil + 4 < nmax:
        return _paley(nceil + 3)
    if p > nmax:
        return None
    return _paley_prime(p)


def hadamard(n: int) -> np.ndarray:
    """The 0/1 Hadamard-type matrix R survey uses for ``n`` strata.

    Parameters
    ----------
    n : int
        Number of strata (the matrix has at least ``n + 1`` rows).

    Returns
    -------
    numpy.ndarray of int8, shape (m, m)
        ``m >= n + 1``, the size R's ``hadamard(n)`` chooses (a multiple of 4).

    Notes
    -----
    Equivalent to R survey's ``hadamard()`` (and so to the replicates of
    ``brrweights``): the tabulated matrices of order 4, 16, 28 and 36, Paley
    constructions over GF(p) and Sylvester doubling, chosen by the same rules.
    """
    n = int(n)
    m = n - (n % 4)
    sizes = np.array(_PRECOOKED_SIZES)
    pre = np.flatnonzero((m < sizes) & (m + 4 >= sizes))
    if pre.size:
        return _precooked(int(pre.min()))
    if np.all(m < sizes):
        return _precooked(0)
    expo = np.maximum(0, np.ceil(np.log2((n + 1) / sizes))).astype(int)
    cand = sizes * 2**expo
    best = int(np.argmin(cand - n))
    H = _paley(n, int(cand[best])) if cand[best] - n > 4 else None
    if H is None:
        H = _precooked(best)
        for _ in range(int(np.ceil(np.log2(cand[best] / sizes[best])))):
            H = _double(H)
    return H


# ----------------------------------------------------------------------------- replicate weights
def _appearance_codes(a) -> tuple[np.ndarray, int, np.ndarray]:
    """Codes numbered in order of first appearance, their count, and the first row of each."""
    a = np.asarray(a).reshape(-1)
    uniq, first, inv = np.unique(a, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(uniq), dtype=np.intp)
    rank[order] = np.arange(len(uniq))
    return rank[inv.reshape(-1)], len(uniq), first[order]


def _first_stage(a, n: int, name: str) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim == 2:
        arr = arr[:, 0]
    if arr.ndim != 1 or arr.shape[0] != n:
        raise DesignError(f"{name} has shape {np.shape(a)}; expected ({n},) or ({n}, stages)")
    return arr


def _weights(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float).reshape(-1)
    if not np.isfinite(w).all():
        raise DesignError("weights contain missing or infinite values; drop those rows or fix the weights")
    return w


def _combine(w: np.ndarray, factor: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(factor * w[:, None], dtype=np.float64)


def jk1_weights(
    clusters: ArrayLike, weights: ArrayLike, *, compress: bool = True, popsize: ArrayLike | None = None
) -> tuple[np.ndarray, float, np.ndarray]:
    """Delete-one-PSU jackknife weights for an unstratified design.

    Parameters
    ----------
    clusters : array_like, shape (n,) or (n, S)
        PSU codes (first column used).
    weights : array_like, shape (n,)
        Analysis weights.
    compress : bool
        Accepted for R compatibility; the full matrix is always returned.
    popsize : array_like, optional
        Population number of PSUs (R's ``fpc$popsize``, first stage used).

    Returns
    -------
    (numpy.ndarray, float, numpy.ndarray)
        Combined replicate weights (n, R), ``scale = f (R-1)/R`` and ``rscales`` (ones).

    Notes
    -----
    Equivalent to R survey's ``as.svrepdesign(design, type="JK1")`` (``jk1weights``):
    replicate ``r`` drops the ``r``-th PSU (in order of first appearance) and multiplies
    the others by ``R/(R-1)``.
    """
    w = _weights(weights)
    n = w.shape[0]
    code, P, _ = _appearance_codes(_first_stage(clusters, n, "clusters"))
    if P < 2:
        raise DesignError("the design has only one PSU; a jackknife needs at least 2")
    f = 1.0
    if popsize is not None:
        N = np.unique(_first_stage(popsize, n, "popsize").astype(float))
        if N.size > 1:
            raise DesignError(f"popsize takes {N.size} values but JK1 needs one population size")
        if N[0] < P:
            raise DesignError(f"popsize {N[0]:g} is smaller than the {P} PSUs sampled; check the fpc")
        f = 1.0 if np.isinf(N[0]) else (N[0] - P) / N[0]
        if f == 0:
            return np.zeros((n, 0)), 0.0, np.zeros(0)
    factor = np.full((n, P), P / (P - 1))
    factor[np.arange(n), code] = 0.0
    return _combine(w, factor), f * (P - 1) / P, np.ones(P)


def jkn_weights(
    strata: ArrayLike,
    clusters: ArrayLike,
    weights: ArrayLike,
    *,
    popsize: ArrayLike | None = None,
    lonely_psu: str = "fail",
) -> tuple[np.ndarray, float, np.ndarray]:
    """Stratified delete-one-PSU jackknife (JKn) weights.

    Parameters
    ----------
    strata, clusters : array_like, shape (n,) or (n, S)
        Stratum and PSU codes (first column used).
    weights : array_like, shape (n,)
        Analysis weights.
    popsize : array_like, optional
        Population number of PSUs per row's stratum (first stage used).
    lonely_psu : {"fail", "remove", "certainty", "average", "adjust"}
        Strata with one PSU: fail; give no replicate (``remove``, ``certainty``,
        ``average``, the last also scaling by PSUs/replicates); or ``adjust``: one
        replicate that zeroes the stratum and multiplies all others by ``H/(H-1)``.

    Returns
    -------
    (numpy.ndarray, float, numpy.ndarray)
        Combined weights (n, R), ``scale`` and ``rscales = f_h (n_h-1)/n_h``.

    Notes
    -----
    Equivalent to R survey's ``as.svrepdesign(design, type="JKn")`` (``jknweights``):
    strata in order of first appearance, PSUs in order of first appearance within
    them; fully sampled strata (``f_h = 0``) get no replicates.
    """
    if lonely_psu not in ("fail", "remove", "certainty", "average", "adjust"):
        raise DesignError(
            f"lonely_psu={lonely_psu!r} is not valid; choose one of 'fail', 'remove', 'adjust', 'average', 'certainty'"
        )
    w = _weights(weights)
    n = w.shape[0]
    st = _first_stage(strata, n, "strata")
    h, H, h_first = _appearance_codes(st)
    c, P, c_first = _appearance_codes(_first_stage(clusters, n, "clusters"))
    h_of_c = h[c_first]
    if not np.array_equal(h_of_c[c], h):
        raise DesignError("some PSUs lie in more than one stratum; make PSU codes unique within strata (nest=True)")
    n_h = np.bincount(h_of_c, minlength=H)
    f_h = np.ones(H)
    if popsize is not None:
        N_h = _first_stage(popsize, n, "popsize").astype(float)[h_first]
        if np.any(N_h < n_h):
            j = int(np.argmax(N_h < n_h))
            raise DesignError(f"stratum {st[h_first[j]]}: popsize {N_h[j]:g} is smaller than the {n_h[j]} PSUs sampled")
        f_h = np.where(np.isinf(N_h), 1.0, (N_h - n_h) / N_h)
    lonely = (n_h == 1) & (f_h != 0)
    if lonely.any() and lonely_psu == "fail":
        j = int(np.argmax(lonely))
        raise DesignError(
            f"stratum {st[h_first[j]]} has only one PSU; "
            "pass lonely_psu='adjust', 'average' or 'remove' to build JKn weights"
        )
    normal = (n_h > 1) & (f_h != 0)
    ncols = np.where(normal, n_h, 0) + np.where(lonely & (lonely_psu == "adjust"), 1, 0)
    start = np.cumsum(ncols) - ncols
    R = int(ncols.sum())
    if R == 0:
        raise DesignError("every stratum was sampled exhaustively (fpc = 1): there is no sampling variance")
    factor = np.ones((n, R))
    # normal strata: rows of stratum h get n_h/(n_h-1) in h's columns, 0 in their own PSU's column
    lens = np.where(normal, n_h, 0)[h]
    rows = np.repeat(np.arange(n), lens)
    offs = np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
    cols = np.repeat(start[h], lens) + offs
    factor[rows, cols] = np.repeat((n_h / np.maximum(n_h - 1, 1))[h], lens)
    # position of each PSU within its stratum (appearance order)
    order = np.lexsort((np.arange(P), h_of_c))
    pos = np.empty(P, dtype=np.intp)
    pos[order] = np.arange(P) - (np.cumsum(n_h) - n_h)[h_of_c[order]]
    in_normal = normal[h]
    factor[np.flatnonzero(in_normal), (start[h] + pos[c])[in_normal]] = 0.0
    rscales = np.empty(R)
    psu_normal = normal[h_of_c]
    rscales[(start[h_of_c] + pos)[psu_normal]] = (f_h * (n_h - 1) / np.maximum(n_h, 1))[h_of_c[psu_normal]]
    adj = np.flatnonzero(lonely & (lonely_psu == "adjust"))
    if adj.size:
        factor[:, start[adj]] = H / (H - 1)
        rows_adj = np.isin(h, adj)
        factor[np.flatnonzero(rows_adj), start[h[rows_adj]]] = 0.0
        rscales[start[adj]] = (H - 1) / H
    scale = P / R if (lonely_psu == "average" and R < P) else 1.0
    return _combine(w, factor), float(scale), rscales


def brr_weights(
    strata: ArrayLike, clusters: ArrayLike, weights: ArrayLike, *, fay_rho: float = 0.0
) -> tuple[np.ndarray, float, np.ndarray]:
    """Balanced repeated replication (BRR) or Fay weights for a 2-PSU-per-stratum design.

    Parameters
    ----------
    strata, clusters : array_like, shape (n,) or (n, S)
        Stratum and PSU codes (first column used); each stratum needs exactly 2 PSUs.
    weights : array_like, shape (n,)
        Analysis weights.
    fay_rho : float
        Fay's rho (0 for plain BRR): replicate factors are ``2 - rho`` and ``rho``.

    Returns
    -------
    (numpy.ndarray, float, numpy.ndarray)
        Combined weights (n, R), ``scale = 1/(R (1-rho)^2)``, ``rscales`` (ones).

    Notes
    -----
    Equivalent to R survey's ``as.svrepdesign(design, type="BRR")`` / ``type="Fay"``
    (``brrweights``): strata are ordered by their label as text, as R's
    ``as.character`` + ``order`` do; the half-sample of stratum ``t`` in replicate
    ``r`` is row ``t+1``, column ``r`` of :func:`hadamard`.
    """
    rho = float(fay_rho)
    if not 0 <= rho < 1:
        raise DesignError(f"fay_rho={rho:g} is not valid; it must be in [0, 1)")
    w = _weights(weights)
    n = w.shape[0]
    st = _first_stage(strata, n, "strata")
    c, P, c_first = _appearance_codes(_first_stage(clusters, n, "clusters"))
    labels = np.array([str(v) for v in st[c_first]])
    slab, s_of_c = np.unique(labels, return_inverse=True)  # sorted as text
    sizes = np.bincount(s_of_c, minlength=len(slab))
    if np.any(sizes != 2):
        j = int(np.argmax(sizes != 2))
        raise DesignError(
            f"stratum {slab[j]} has {sizes[j]} PSUs but BRR needs exactly 2 per stratum; "
            "use reptype='JKn' or 'bootstrap'"
        )
    order = np.lexsort((np.arange(P), s_of_c))
    second = np.zeros(P, dtype=bool)
    second[order[1::2]] = True
    Hm = hadamard(len(slab)).astype(float)
    hv = Hm[1 + s_of_c, :]  # (P, R)
    first_factor = np.where(hv == 1, 2 - rho, rho)
    psu_factor = np.where(second[:, None], 2 - first_factor, first_factor)
    R = Hm.shape[1]
    return _combine(w, psu_factor[c]), 1.0 / (R * (1 - rho) ** 2), np.ones(R)


def bootstrap_weights(
    strata: ArrayLike,
    clusters: ArrayLike,
    weights: ArrayLike,
    *,
    replicates: int = 50,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, float, np.ndarray]:
    """With-replacement bootstrap of PSUs within strata.

    Parameters
    ----------
    strata, clusters : array_like, shape (n,) or (n, S)
        First column used.
    weights : array_like, shape (n,)
        Analysis weights.
    replicates : int
        Number of bootstrap replicates ``R``.
    seed : int or numpy.random.Generator, optional
        Seed of the draws (None: fresh entropy).

    Returns
    -------
    (numpy.ndarray, float, numpy.ndarray)
        Combined weights (n, R) (weight times the number of times the PSU was drawn),
        ``scale = m/((m-1)(R-1))`` with ``m`` the harmonic mean of PSUs per stratum,
        and ``rscales`` (ones).

    Notes
    -----
    Equivalent to R survey's ``as.svrepdesign(design, type="bootstrap")``
    (``bootweights``, Canty and Davison): each replicate draws ``n_h`` PSUs with
    replacement in each stratum.  R's random numbers cannot be reproduced.
    """
    R = int(replicates)
    if R < 2:
        raise DesignError(f"replicates={R} is too small; use at least 2 (50 or more is usual)")
    w = _weights(weights)
    n = w.shape[0]
    c, P, c_first = _appearance_codes(_first_stage(clusters, n, "clusters"))
    h = np.unique(_first_stage(strata, n, "strata")[c_first], return_inverse=True)[1].reshape(-1)
    n_h = np.bincount(h)
    m = 1.0 / np.mean(1.0 / n_h)
    if m <= 1:
        raise DesignError("every stratum has one PSU: the bootstrap cannot estimate variance; merge strata")
    order = np.argsort(h, kind="stable")  # PSUs grouped by stratum
    start = (np.cumsum(n_h) - n_h)[h[order]]
    size = n_h[h[order]]
    rng = np.random.default_rng(seed)
    draws = start[None, :] + np.floor(rng.random((R, P)) * size[None, :]).astype(np.intp)
    counts = np.bincount((np.arange(R)[:, None] * P + draws).ravel(), minlength=R * P).reshape(R, P)
    psu_counts = np.empty((P, R))
    psu_counts[order] = counts.T
    return _combine(w, psu_counts[c]), float(m / ((m - 1) * (R - 1))), np.ones(R)
