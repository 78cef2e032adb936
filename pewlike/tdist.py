"""Student's t quantile in plain Python: no scipy import on the way to a first interval.

``pewlike topline`` and a first ``mean()`` need one t quantile (R ``qt``). Importing
``scipy.special`` for it costs about a tenth of a second, a fifth of the whole command, so
the quantile is computed here: Newton's method on the t distribution function, which is the
regularized incomplete beta function evaluated by its continued fraction (modified Lentz).
The log-gamma differences it needs are taken from Stirling's series for large arguments,
where subtracting two large ``lgamma`` values would lose digits. Results agree with
``scipy.special.stdtrit`` (and R ``qt``) to about 1e-14 relative; ``tests/test_tdist.py``
checks a grid of probabilities and degrees of freedom from 0.1 to 1e12.
"""

from __future__ import annotations

import functools
import math

__all__ = ["t_quantile"]

_EPS = 2.0**-52
_TINY = 1e-300
_HALF_LOG_PI = 0.5 * math.log(math.pi)
# Stirling's series for log Gamma: coefficients of z**-1, z**-3, ... (B_2k / (2k (2k - 1))).
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400)
_LARGE_DF = 1e4  # from here on the expansion in 1/df is exact to rounding (error ~ z^11 / df^5)


def _stirling_tail(z: float) -> float:
    """The series part of log Gamma(z) (after (z - 1/2) log z - z + log(2 pi) / 2), z >= 10."""
    inv = 1.0 / z
    inv2 = inv * inv
    total = 0.0
    for coef in reversed(_STIRLING):
        total = total * inv2 + coef
    return total * inv


def _lgamma_diff(a: float, b: float) -> float:
    """``lgamma(a + b) - lgamma(a)`` for ``a >= b`` without cancellation when ``a`` is large."""
    if a < 10.0:
        return math.lgamma(a + b) - math.lgamma(a)
    main = (a + b - 0.5) * math.log1p(b / a) - b + b * math.log(a)
    return main + _stirling_tail(a + b) - _stirling_tail(a)


def _lgamma_half_diff(a: float) -> float:
    """``lgamma(a + 1/2) - lgamma(a)``."""
    return _lgamma_diff(a, 0.5)


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta ratio (converges for x < (a + 1) / (a + b + 2))."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 100000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            break
    return h


def _ibeta(a: float, b: float, x: float, xc: float, logs: tuple[float, float], log_beta: float) -> float:
    """Regularized incomplete beta I_x(a, b) with ``xc = 1 - x`` and ``logs = (log x, log xc)``
    given exactly (``a * log(x)`` from a rounded ``x`` loses digits when ``a`` is large)."""
    if x <= 0.0:
        return 0.0
    if xc <= 0.0:
        return 1.0
    log_front = a * logs[0] + b * logs[1] - log_beta
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_cf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_cf(b, a, xc) / b


def _cornish_fisher(z: float, nu: float) -> float:
    """The t quantile's expansion in powers of 1/nu around the normal quantile z."""
    z2 = z * z
    g1 = z * (z2 + 1.0) / 4.0
    g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0
    g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0
    g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0
    return z + (g1 + (g2 + (g3 + g4 / nu) / nu) / nu) / nu


def _normal_quantile(p: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(p)


def t_quantile(p: float, nu: float) -> float:
    """Quantile of Student's t distribution with ``nu`` degrees of freedom (R ``qt(p, nu)``).

    Parameters
    ----------
    p : float
        Probability.
    nu : float
        Degrees of freedom; ``inf`` gives the normal quantile.

    Returns
    -------
    float
        ``nan`` for ``p`` outside [0, 1], ``nu <= 0`` or ``nan`` input; -inf / inf at 0 / 1.

    Examples
    --------
    >>> round(t_quantile(0.975, 10.0), 12)
    2.228138851986
    """
    if math.isnan(p) or math.isnan(nu) or nu <= 0.0 or p < 0.0 or p > 1.0:
        return math.nan
    if p == 0.0:
        return -math.inf
    if p == 1.0:
        return math.inf
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -_upper(p, nu)
    return _upper(1.0 - p, nu)  # exact for p >= 1/2


@functools.lru_cache(maxsize=1024)
def _upper(q: float, nu: float) -> float:
    """The quantile at 1 - q for 0 < q < 1/2 (the upper one; ``q`` as the caller has it exactly).

    Memoised: a report asks for the same few quantiles (one level, a few design dfs)
    thousands of times, and each costs an iterated incomplete beta function.
    """
    if math.isinf(nu):
        return -_normal_quantile(q)
    if nu == 1.0:
        return 1.0 / math.tan(math.pi * q)
    central = 1.0 - 2.0 * q  # P(|T| < t), exact
    tail = 2.0 * q  # P(|T| > t)
    if nu == 2.0:
        return central / math.sqrt(2.0 * q * (1.0 - q))
    z = -_normal_quantile(q)
    if nu >= _LARGE_DF:
        return _cornish_fisher(z, nu)
    a = 0.5 * nu
    log_beta = _HALF_LOG_PI - _lgamma_half_diff(a)
    log_pdf_const = _lgamma_half_diff(a) - 0.5 * math.log(nu * math.pi)
    t = _cornish_fisher(z, nu) if nu >= 3.0 else z
    if not (t > 0.0 and math.isfinite(t)):
        t = z
    previous = math.inf
    for _ in range(200):
        if t > 1e150:  # t * t would overflow: work with logarithms
            log1p_u = 2.0 * math.log(t) - math.log(nu)
            x = math.exp(-log1p_u)
            xc = 1.0 - x
            log_xc = -x
        else:
            s = t * t
            x, xc = nu / (nu + s), s / (nu + s)
            log1p_u = math.log1p(s / nu)
            log_xc = math.log(s) - math.log(nu + s) if s > 0.0 else -math.inf
        logs = (-log1p_u, log_xc)  # log x = -log(1 + t^2 / nu)
        dens = 2.0 * math.exp(log_pdf_const - (a + 0.5) * log1p_u)  # density of |T|
        if central <= 0.5:
            f = _ibeta(0.5, a, xc, x, (logs[1], logs[0]), log_beta) - central
            new = t - f / dens
            if new <= 0.0:
                new = 0.5 * t
        else:  # Newton on log tail against log t: nearly linear for the heavy tail
            upper = _ibeta(a, 0.5, x, xc, logs, log_beta)
            if upper <= 0.0:
                new = 0.5 * t
            else:
                slope = -t * dens / upper
                if not slope < 0.0:
                    return math.inf  # the density underflows: beyond the largest float
                step = -(math.log(upper) - math.log(tail)) / slope
                if step > 700.0 - math.log(t):
                    return math.inf  # beyond the largest float
                new = t * math.exp(max(step, -50.0))
        delta = abs(new - t)
        # converged, or stalled at the rounding level (steps that no longer shrink)
        if delta <= 4.0 * _EPS * abs(new) or (delta >= previous and delta <= 1e-11 * abs(new)):
            return new
        previous = delta
        t = new
    return t
