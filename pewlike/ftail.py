"""Upper tails of the t and F distributions in plain Python, for a first crosstab's tests.

A crosstab's letters (t tests between columns) and its Rao-Scott test need ``pt`` and ``pf``.
Importing ``scipy.special`` for them costs about a tenth of a second, so they are computed
here from the regularized incomplete beta function of :mod:`pewlike.tdist` (its continued
fraction), with log-beta from Stirling's series where ``lgamma`` differences would lose
digits. Other parameters (t degrees of freedom above 2e4, an F denominator above 2e5, an
infinite one) return ``None``: the caller then asks ``scipy.special``. ``tests/test_ftail.py``
compares both with scipy: 1e-12 relative, 2e-11 for F denominators above 2e4.
"""

from __future__ import annotations

import math

from pewlike.tdist import _HALF_LOG_PI, _ibeta, _lgamma_diff, _lgamma_half_diff

__all__ = ["f_upper", "t_upper"]

_MAX_DF = 2e4  # above this the continued fraction loses digits (3e-11 at 1e6): scipy's routine then
#: An F's denominator df (Rao-Scott: numerator df x design df) may go further: 1.2e-11 at 2e5.
_MAX_DFD = 2e5


def _log_beta(a: float, b: float) -> float:
    """``log B(a, b)``."""
    big, small = (a, b) if a >= b else (b, a)
    return math.lgamma(small) - _lgamma_diff(big, small)


def t_upper(x: float, nu: float) -> float | None:
    """``P(T > x)`` for Student's t with ``nu`` degrees of freedom (R ``pt(x, nu, lower.tail = FALSE)``).

    Parameters
    ----------
    x : float
    nu : float
        Degrees of freedom; ``inf`` gives the normal tail.

    Returns
    -------
    float or None
        ``nan`` for ``nan`` input or ``nu <= 0``; None when ``nu`` is finite and above 2e4.

    Examples
    --------
    >>> round(t_upper(2.0, 30.0), 12)
    0.027312522481
    """
    if math.isnan(x) or math.isnan(nu) or nu <= 0.0:
        return math.nan
    if math.isinf(nu):
        return 0.5 * math.erfc(x / math.sqrt(2.0))
    if nu > _MAX_DF:
        return None
    if math.isinf(x):
        return 0.0 if x > 0 else 1.0
    if x == 0.0:
        return 0.5
    s = x * x
    a = 0.5 * nu
    logs = (-math.log1p(s / nu), math.log(s) - math.log(nu + s))
    log_beta = _HALF_LOG_PI - _lgamma_half_diff(a)
    tail = 0.5 * _ibeta(a, 0.5, nu / (nu + s), s / (nu + s), logs, log_beta)
    return tail if x > 0 else 1.0 - tail


def f_upper(x: float, dfn: float, dfd: float) -> float | None:
    """``P(F > x)`` for the F distribution (R ``pf(x, dfn, dfd, lower.tail = FALSE)``).

    Parameters
    ----------
    x : float
    dfn, dfd : float
        Numerator and denominator degrees of freedom.

    Returns
    -------
    float or None
        ``nan`` for ``nan`` input or non-positive degrees of freedom; None when either is
        infinite, ``dfn`` above 2e4 or ``dfd`` above 2e5.

    Examples
    --------
    >>> round(f_upper(3.0, 2.0, 20.0), 12)
    0.072538150286
    """
    if math.isnan(x) or math.isnan(dfn) or math.isnan(dfd) or dfn <= 0.0 or dfd <= 0.0:
        return math.nan
    if dfn > _MAX_DF or dfd > _MAX_DFD:  # also infinite ones
        return None
    if x <= 0.0:
        return 1.0
    if math.isinf(x):
        return 0.0
    u = dfn * x
    a, b = 0.5 * dfd, 0.5 * dfn
    logs = (-math.log1p(u / dfd), math.log(u) - math.log(dfd + u))
    return _ibeta(a, b, dfd / (dfd + u), u / (dfd + u), logs, _log_beta(a, b))
