"""Finite population corrections: sampled and population counts per stratum and stage."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import DesignError
from pewlike.variance.codes import _as_2d, _expand_strata, _stage_units

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from numpy.typing import ArrayLike

__all__ = ["popsize_from_fpc", "stratum_psu_counts"]


def stratum_psu_counts(strata: ArrayLike, clusters: ArrayLike) -> np.ndarray:
    """Number of sampled units in each row's stratum, per stage.

    Parameters
    ----------
    strata, clusters : array_like of int, shape (n,) or (n, S)
        Stratum and cluster codes, one column per sampling stage.  A one-column
        ``strata`` is reused at later stages, nested in the previous stage's clusters.

    Returns
    -------
    numpy.ndarray of float, shape (n, S)
        Row ``i``, column ``s``: number of distinct stage-``s`` clusters sampled in the
        stratum of row ``i`` at that stage.

    Notes
    -----
    Equivalent to ``fpc$sampsize`` of R survey's ``as.fpc`` (``svydesign(...)$fpc``).
    """
    clusters = np.asarray(clusters)
    n = clusters.shape[0]
    clusters = _as_2d(clusters, n, "clusters")
    strata = _as_2d(strata, n, "strata")
    strata = _expand_strata(strata, clusters.shape[1])
    out = np.empty(clusters.shape, dtype=float)
    for s, (h, nh, c, nc) in enumerate(_stage_units(strata, clusters)):
        h_of_c = np.empty(nc, dtype=np.intp)
        h_of_c[c] = h
        counts = np.bincount(h_of_c, minlength=nh)
        out[:, s] = counts[h]
    return out


def popsize_from_fpc(
    fpc: ArrayLike, strata: ArrayLike, clusters: ArrayLike, stratum_names: Sequence[object] | None = None
) -> np.ndarray:
    """Population sizes per stage from a user's fpc (counts or sampling fractions).

    Parameters
    ----------
    fpc : array_like, shape (n,) or (n, S')
        Either all values >= 1 (population numbers of stage-``s`` units in the row's
        stratum) or all <= 1 (sampling fractions).  ``S'`` may be smaller than the
        number of cluster stages; later stages are then taken as sampled with
        replacement (population size ``inf``).
    strata, clusters : array_like of int, shape (n,) or (n, S)
        As for :func:`linearized_vcov`.
    stratum_names : sequence, optional
        The first stage's stratum values by code, for messages (the data's ``11``, not code 0).

    Returns
    -------
    numpy.ndarray of float, shape (n, S)
        Population sizes (R's ``fpc$popsize``); ``inf`` means no fpc at that stage.

    Raises
    ------
    DesignError
        Missing or negative values, a mixture of counts and fractions, a population
        smaller than the sample, or an fpc that varies within a stratum.

    Notes
    -----
    Equivalent to R survey's ``as.fpc`` (called by ``svydesign(fpc=)``).  R stops when
    there are fewer fpc columns than stages and only warns when the fpc varies within a
    stratum; pewlike pads with ``inf`` and raises instead.
    """
    clusters = np.asarray(clusters)
    n = clusters.shape[0]
    clusters = _as_2d(clusters, n, "clusters")
    n_stages = clusters.shape[1]
    strata = _expand_strata(_as_2d(strata, n, "strata"), n_stages)
    f = _as_2d(fpc, n, "fpc", dtype=float)
    if f.shape[1] > n_stages:
        raise DesignError(
            f"fpc has {f.shape[1]} stages but the design has {n_stages}; give one fpc column per cluster stage"
        )
    if np.isnan(f).any():
        i, s = np.argwhere(np.isnan(f))[0]
        raise DesignError(f"fpc is missing in row {i} (stage {s + 1}); give an fpc for every row or none")
    if (f < 0).any():
        i, s = np.argwhere(f < 0)[0]
        raise DesignError(
            f"fpc={f[i, s]:g} in row {i} (stage {s + 1}) is negative; "
            "fpc must be population counts or sampling fractions"
        )
    sampsize = stratum_psu_counts(strata, clusters)
    is_count = f > 1
    if is_count.any() and not (f >= 1).all():
        i, s = np.argwhere(f < 1)[0]
        raise DesignError(
            f"fpc mixes population counts (>1) and sampling fractions (<1), "
            f"e.g. {f[i, s]:g} in row {i} (stage {s + 1}); use one kind"
        )
    if not is_count.any() and (f == 1).all():
        raise DesignError(
            "fpc is 1 everywhere, which is ambiguous (census or one-unit populations); "
            "give population counts or fractions"
        )
    ns = f.shape[1]
    if is_count.any():
        pop = f
    else:  # sampling fractions; a fraction of 0 means an infinite population, as in R
        with np.errstate(divide="ignore"):
            pop = sampsize[:, :ns] / f
    if ns < n_stages:
        pop = np.hstack([pop, np.full((n, n_stages - ns), np.inf)])
    too_small = pop < sampsize
    if too_small.any():
        i, s = np.argwhere(too_small)[0]
        raise DesignError(
            f"{_stratum(strata, i, s, stratum_names)} at stage {s + 1}: fpc says {pop[i, s]:g} {'PSUs' if s == 0 else 'units'} "
            f"in the population but {int(sampsize[i, s])} are sampled; check the fpc column"
        )
    for s, (h, nh, _, _) in enumerate(_stage_units(strata, clusters)):
        rep = np.empty(nh)
        rep[h] = pop[:, s]
        bad = rep[h] != pop[:, s]
        if bad.any():
            i = int(np.argmax(bad))
            raise DesignError(
                f"fpc varies within {_stratum(strata, i, s, stratum_names)} at stage {s + 1} "
                f"({pop[i, s]:g} vs {rep[h[i]]:g}); the fpc must be constant within each stratum"
            )
    return np.ascontiguousarray(pop)


def _stratum(strata: np.ndarray, i: int, s: int, names: Sequence[object] | None) -> str:
    """Row ``i``'s stratum at stage ``s`` as the user knows it, for a message."""
    code = int(strata[i, s])
    if s == 0 and bool((strata[:, 0] == code).all()):
        return "the sample (one stratum)"
    if s == 0 and names is not None and 0 <= code < len(names):
        return f"stratum {names[code]}"
    return f"stratum {code}"
