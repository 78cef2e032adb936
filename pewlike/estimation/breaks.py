"""Histogram bin edges as R draws them: Sturges' number of classes and ``pretty`` edges.

``svyhist`` in R survey bins a variable with ``hist(x, breaks = "Sturges")``: the number of
classes is ``ceiling(log2(n) + 1)`` and the edges are ``pretty(range(x), n, min.n = 1)`` --
round numbers (1, 2 or 5 times a power of ten apart) that cover the range.  The same edges
here make the bars equal to R's.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Literal

import numpy as np

from pewlike.errors import EstimationError

__all__ = ["Bins", "hist_breaks", "pretty", "sturges"]

#: What ``bins=`` takes: R's rule by name, a number of classes (a suggestion, as R's ``hist``) or the edges.
Bins = Literal["sturges"] | int | Sequence[float]

_ROUNDING_EPS = 1e-10


def sturges(n: int) -> int:
    """Sturges' number of classes, ``ceiling(log2(n) + 1)`` (R ``nclass.Sturges``).

    Parameters
    ----------
    n : int
        Number of values.

    Returns
    -------
    int

    Examples
    --------
    >>> sturges(100)
    8
    """
    return math.ceil(math.log2(max(n, 1)) + 1)


def _unit(lo: float, hi: float, n: int, min_n: int, shrink: float, h: float, h5: float) -> tuple[float, bool]:
    """The step between edges (R's ``R_pretty``): 1, 2, 5 or 10 times a power of ten."""
    dx = hi - lo
    if dx == 0 and hi == 0:
        cell, small = 1.0, True
    else:
        cell = max(abs(lo), abs(hi))
        u = 1 + (1 / (1 + h) if h5 >= 1.5 * h + 0.5 else 1.5 / (1 + h5))
        u *= max(1, n) * sys.float_info.epsilon
        small = dx < cell * u * 3
    if small:
        if cell > 10:
            cell = 9 + cell / 10
        cell *= shrink
        if min_n > 1:
            cell /= min_n
    else:
        cell = dx
        if n > 1:
            cell /= n
    cell = min(max(cell, 2.0**-20 * sys.float_info.min), 0.1 * sys.float_info.max)
    base = 10.0 ** math.floor(math.log10(cell))
    unit = base
    if 2 * base - cell < h * (cell - unit):
        unit = 2 * base
        if 5 * base - cell < h5 * (cell - unit):
            unit = 5 * base
            if 10 * base - cell < h * (cell - unit):
                unit = 10 * base
    return unit, small


def pretty(lo: float, hi: float, n: int = 5, *, min_n: int | None = None) -> np.ndarray:
    """About ``n + 1`` equally spaced round values covering ``[lo, hi]`` (R ``pretty``).

    Parameters
    ----------
    lo, hi : float
        The range to cover (finite, ``lo <= hi``).
    n : int
        The number of intervals wanted (a suggestion).
    min_n : int, optional
        The fewest intervals (default ``n // 3``).

    Returns
    -------
    ndarray
        The values, increasing.

    Notes
    -----
    Equivalent to ``pretty(c(lo, hi), n, min.n)`` in R (>= 4.2 defaults: ``shrink.sml =
    0.75``, ``high.u.bias = 1.5``, ``u5.bias = 2.75``, no epsilon correction, bounds).

    Examples
    --------
    >>> pretty(0.3, 9.7, 5).tolist()
    [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    """
    min_n = n // 3 if min_n is None else min_n
    h = 1.5
    unit, _small = _unit(lo, hi, n, min_n, 0.75, h, 0.5 + 1.5 * h)
    ns = math.floor(lo / unit + _ROUNDING_EPS)
    nu = math.ceil(hi / unit - _ROUNDING_EPS)
    while ns * unit > lo + _ROUNDING_EPS * unit:
        ns -= 1
    while nu * unit < hi - _ROUNDING_EPS * unit:
        nu += 1
    k = int(0.5 + nu - ns)
    if k < min_n:
        k = min_n - k
        if ns >= 0:
            nu += k // 2
            ns -= k // 2 + k % 2
        else:
            ns -= k // 2
            nu += k // 2 + k % 2
        ndiv = min_n
    else:
        ndiv = k
    start = ns * unit if ns * unit < lo else lo
    stop = nu * unit if nu * unit > hi else hi
    return _seq(start, stop, ndiv + 1)


def _seq(start: float, stop: float, length: int) -> np.ndarray:
    """R's ``seq.int(start, stop, length.out=)``: the ends exact, the rest from the nearer end."""
    out = np.empty(length)
    out[0] = start
    if length > 1:
        out[-1] = stop
    if length > 2:
        by = (stop - start) / (length - 1)
        i = np.arange(1, length - 1)
        out[1:-1] = np.where(i < length // 2, start + i * by, stop - (length - 1 - i) * by)
    delta = (stop - start) / max(length - 1, 1)
    out[np.abs(out) < 1e-14 * delta] = 0.0
    return out


def hist_breaks(values: np.ndarray, bins: Bins = "sturges", *, name: str = "the variable") -> np.ndarray:
    """The bin edges of a histogram of ``values``, as R's ``hist`` chooses them.

    Parameters
    ----------
    values : ndarray
        The finite values to bin.
    bins : "sturges", int or sequence of float
        Sturges' rule; a suggested number of classes (edges from :func:`pretty`, as R's
        ``hist(breaks = n)``); or the edges themselves (increasing, covering the values).
    name : str
        The variable, for error messages.

    Returns
    -------
    ndarray
        Increasing edges; intervals are closed on the right, the first also on the left.

    Raises
    ------
    EstimationError
        An unknown rule, a number of classes below 1, edges that are not increasing or do
        not cover the values.

    Notes
    -----
    Equivalent to ``hist(x, breaks = bins, plot = FALSE)$breaks`` in R.

    Examples
    --------
    >>> hist_breaks(np.array([1.0, 2.5, 7.0, 9.9]), 4).tolist()
    [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    """
    if values.size == 0:
        raise EstimationError(f"{name} has no valid values to draw")
    lo, hi = float(values.min()), float(values.max())
    if isinstance(bins, str):
        if bins.lower() != "sturges":
            raise EstimationError(
                f"bins={bins!r} is not valid; give 'sturges', a number of classes such as 10, or the bin edges"
            )
        return pretty(lo, hi, sturges(values.size), min_n=1)
    if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        if bins < 1:
            raise EstimationError(f"bins={bins!r} is not valid; give a number of classes of at least 1")
        return pretty(lo, hi, int(bins), min_n=1)
    try:
        edges = np.asarray(bins, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise EstimationError(
            f"bins={bins!r} is not valid; give 'sturges', a number of classes such as 10, or the bin edges"
        ) from None
    if edges.size < 2 or not np.isfinite(edges).all() or np.any(np.diff(edges) <= 0):
        raise EstimationError(f"bins={bins!r} are not valid bin edges; give at least two increasing finite numbers")
    if lo < edges[0] or hi > edges[-1]:
        raise EstimationError(
            f"the bin edges {edges[0]:g} - {edges[-1]:g} do not cover the values of {name} "
            f"({lo:g} - {hi:g}); widen the first or last edge"
        )
    return edges
