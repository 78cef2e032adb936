"""Quantiles and tail probabilities of the normal, t, chi-square, F and beta distributions.

Every interval and p-value pewlike reports needs one of these numbers. The t quantile (every
interval of a design-based estimate) is computed in plain Python (:mod:`pewlike.tdist`), and
the normal quantiles of the usual confidence levels come from a table, so a first estimate or
``pewlike topline`` imports no scipy at all; the tail probabilities and the beta quantile come
from :mod:`scipy.special` (the routines ``scipy.stats`` calls underneath; importing
``scipy.stats`` costs about a second). Results equal ``scipy.stats`` to 1e-12 relative or
better on the values pewlike uses (``tests/test_distributions.py``; the t quantile also equals
R's ``qt`` to 1e-12, ``tests/test_tdist.py``), including ``nan`` for invalid parameters and the
normal limit of the t distribution at infinite degrees of freedom.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["beta_ppf", "chi2_sf", "f_sf", "norm_ppf", "t_ppf", "t_sf"]


#: ``scipy.special.ndtri`` at the upper points of the usual confidence levels (0.5, 0.8, 0.9,
#: 0.95, 0.98, 0.99, 0.999), to the bit (``tests/test_distributions.py`` checks every entry):
#: a first mean or total at these levels then imports no scipy at all.
_NDTRI = {
    0.75: 0.6744897501960817,
    0.9: 1.2815515655446004,
    0.95: 1.6448536269514722,
    0.975: 1.959963984540054,
    0.99: 2.3263478740408408,
    0.995: 2.5758293035489004,
    0.9995: 3.2905267314919255,
}


def norm_ppf(p: Any) -> Any:
    """Quantile of the standard normal distribution (R ``qnorm``).

    Parameters
    ----------
    p : float or array_like
        Probabilities.

    Returns
    -------
    float or ndarray
        As ``scipy.stats.norm.ppf(p)``.

    Examples
    --------
    >>> round(float(norm_ppf(0.975)), 6)
    1.959964
    """
    if isinstance(p, float) and p in _NDTRI:
        return np.float64(_NDTRI[p])
    from scipy.special import ndtri

    return ndtri(p)


def t_ppf(p: Any, df: Any) -> Any:
    """Quantile of Student's t distribution (R ``qt``); infinite ``df`` gives the normal quantile.

    Parameters
    ----------
    p : float or array_like
        Probabilities.
    df : float or array_like
        Degrees of freedom (``nan`` for zero or negative ones, as ``scipy.stats``).

    Returns
    -------
    float or ndarray
        As ``scipy.stats.t.ppf(p, df)``.

    Examples
    --------
    >>> round(float(t_ppf(0.975, 10)), 6)
    2.228139
    """
    from pewlike.tdist import t_quantile

    def quantile(pv: float, dv: float) -> float:
        return float(norm_ppf(pv)) if math.isinf(dv) and dv > 0 else t_quantile(pv, dv)

    out = _elementwise(quantile, None, p, df)
    return out[()] if out.ndim == 0 else out


def t_sf(x: Any, df: Any) -> Any:
    """Upper tail probability of Student's t distribution (R ``pt(x, df, lower.tail = FALSE)``).

    Parameters
    ----------
    x : float or array_like
        Values.
    df : float or array_like
        Degrees of freedom (infinite: the normal distribution).

    Returns
    -------
    float or ndarray
        As ``scipy.stats.t.sf(x, df)``.

    Examples
    --------
    >>> round(float(2 * t_sf(2.0, 30)), 6)
    0.054625
    """
    from pewlike.ftail import t_upper

    out = _elementwise(t_upper, _t_sf_scipy, x, df)
    return out[()] if out.ndim == 0 else out


def _t_sf_scipy(x: np.ndarray, df: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr, stdtr

    finite = np.where(np.isinf(df), 1.0, df)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.where(np.isinf(df), ndtr(-x), stdtr(np.where(finite > 0, finite, np.nan), -x)))


def _elementwise(ours: Any, theirs: Any, *args: Any) -> np.ndarray:
    """``ours`` on every element of the broadcast arguments, once per distinct element; where it
    gives None, ``theirs`` (scipy's vectorised routine) on those elements."""
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
    flat = [a.ravel() for a in arrays]
    done: dict[tuple[float, ...], float | None] = {}
    values = np.empty(flat[0].shape[0] if flat else 0)
    missing = []
    for i, key in enumerate(zip(*(f.tolist() for f in flat))):
        if key not in done:
            done[key] = ours(*key)
        got = done[key]
        if got is None:
            missing.append(i)
        else:
            values[i] = got
    if missing:
        idx = np.asarray(missing)
        values[idx] = theirs(*(f[idx] for f in flat))
    return values.reshape(arrays[0].shape)


def chi2_sf(x: Any, df: Any) -> Any:
    """Upper tail probability of the chi-square distribution (R ``pchisq(x, df, lower.tail = FALSE)``).

    Parameters
    ----------
    x : float or array_like
        Values.
    df : float or array_like
        Degrees of freedom.

    Returns
    -------
    float or ndarray
        As ``scipy.stats.chi2.sf(x, df)``.

    Examples
    --------
    >>> round(float(chi2_sf(3.84, 1)), 6)
    0.050044
    """
    from scipy.special import chdtrc

    df = np.asarray(df, dtype=float)
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore"):
        out = _tail(x, df > 0, lambda q: chdtrc(np.where(df > 0, df, 1.0), q))
    return out[()] if out.ndim == 0 else out


def f_sf(x: Any, dfn: Any, dfd: Any) -> Any:
    """Upper tail probability of the F distribution (R ``pf(x, dfn, dfd, lower.tail = FALSE)``).

    Parameters
    ----------
    x : float or array_like
        Values.
    dfn, dfd : float or array_like
        Numerator and denominator degrees of freedom.

    Returns
    -------
    float or ndarray
        As ``scipy.stats.f.sf(x, dfn, dfd)``.

    Examples
    --------
    >>> round(float(f_sf(3.0, 2, 20)), 6)
    0.072538
    """
    from pewlike.ftail import f_upper

    out = _elementwise(f_upper, _f_sf_scipy, x, dfn, dfd)
    return out[()] if out.ndim == 0 else out


def _f_sf_scipy(x: np.ndarray, dfn: np.ndarray, dfd: np.ndarray) -> np.ndarray:
    from scipy.special import fdtrc

    ok = (dfn > 0) & (dfd > 0)
    with np.errstate(invalid="ignore"):
        return _tail(x, ok, lambda q: fdtrc(np.where(ok, dfn, 1.0), np.where(ok, dfd, 1.0), q))


def _tail(x: np.ndarray, valid: np.ndarray, sf: Any) -> np.ndarray:
    """An upper tail on ``[0, inf)`` as ``scipy.stats`` gives it: 1 at and below 0, 0 at infinity,
    ``nan`` for invalid parameters or ``x``."""
    inside = np.isfinite(x) & (x > 0)
    out = np.where(inside, sf(np.where(inside, x, 1.0)), np.where(x <= 0, 1.0, 0.0))
    return np.asarray(np.where(valid & ~np.isnan(x), out, np.nan))


def beta_ppf(p: Any, a: Any, b: Any) -> Any:
    """Quantile of the beta distribution (R ``qbeta``), used by the Clopper-Pearson-type intervals.

    Parameters
    ----------
    p : float or array_like
        Probabilities.
    a, b : float or array_like
        Shape parameters (``nan`` unless both are positive, as ``scipy.stats``).

    Returns
    -------
    float or ndarray
        As ``scipy.stats.beta.ppf(p, a, b)``.

    Examples
    --------
    >>> round(float(beta_ppf(0.025, 5, 15)), 6)
    0.091466
    """
    from scipy.special import betaincinv

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    p = np.asarray(p, dtype=float)
    ok = (a > 0) & (b > 0)
    with np.errstate(invalid="ignore"):
        out = np.where(ok, betaincinv(np.where(ok, a, 1.0), np.where(ok, b, 1.0), p), np.nan)
    return out[()] if out.ndim == 0 else out
