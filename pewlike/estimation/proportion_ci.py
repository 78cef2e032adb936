"""Confidence intervals for proportions from complex samples (R's ``svyciprop``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import ArrayLike

__all__ = ["CI_METHODS", "prop_ci"]

CI_METHODS = ("logit", "beta", "wilson", "xlogit", "mean")


def _tq(df: np.ndarray, prob: float) -> np.ndarray:
    from pewlike.distributions import norm_ppf, t_ppf

    df = np.asarray(df, dtype=float)
    return np.where(np.isinf(df), norm_ppf(prob), t_ppf(prob, np.where(np.isinf(df), 1.0, df)))


def prop_ci(
    p: ArrayLike, var: ArrayLike, df: ArrayLike, level: float, method: str, nrow: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Interval for proportions ``p`` with design variance ``var`` and design df.

    Parameters
    ----------
    p, var, df : array_like
        Estimates, their variances and degrees of freedom (per estimate).
    level : float
        Confidence level.
    method : {"logit", "beta", "wilson", "xlogit", "mean"}
        ``logit``/``xlogit``: Wald interval on the logit scale; ``beta``:
        Korn-Graubard with effective n; ``wilson``: Wilson score with effective
        n; ``mean``: Wald on the proportion scale.
    nrow : array_like, optional
        Rows of the (domain) design, for the Korn-Graubard df adjustment.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits; degenerate shares (0, 1 or no variance) give the estimate.

    Notes
    -----
    Equivalent to ``svyciprop(method=...)`` in R survey 4.1.
    """
    from pewlike.distributions import beta_ppf

    p = np.asarray(p, dtype=float)
    var = np.asarray(var, dtype=float)
    df = np.broadcast_to(np.asarray(df, dtype=float), p.shape)
    alpha = 1 - level
    t = _tq(df, 1 - alpha / 2)
    se = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method in ("logit", "xlogit"):
            eta = np.log(p / (1 - p))
            se_eta = se / (p * (1 - p))
            lo = 1 / (1 + np.exp(-(eta - t * se_eta)))
            hi = 1 / (1 + np.exp(-(eta + t * se_eta)))
        elif method == "mean":
            lo, hi = p - t * se, p + t * se
        elif method == "beta":
            n_eff = p * (1 - p) / var
            nrow = np.broadcast_to(np.asarray(nrow, dtype=float), p.shape)
            adj = (_tq(nrow - 1, alpha / 2) / _tq(df, alpha / 2)) ** 2
            n_eff = n_eff * adj
            lo = beta_ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1)
            hi = beta_ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p))
        elif method == "wilson":
            n_eff = p * (1 - p) / var
            t2 = t * t
            denom = 1 + t2 / n_eff
            root = np.sqrt(4 * n_eff * p * (1 - p) + t2)
            lo = (p + t2 / (2 * n_eff) - t / (2 * n_eff) * root) / denom
            hi = (p + t2 / (2 * n_eff) + t / (2 * n_eff) * root) / denom
        else:  # pragma: no cover - validated by callers
            raise ValueError(method)
    # degenerate shares (0 or 1, or zero variance): the interval collapses to the estimate
    degenerate = (p <= 0) | (p >= 1) | ~(var > 0)
    lo = np.where(degenerate & ~np.isfinite(lo), p, lo)
    hi = np.where(degenerate & ~np.isfinite(hi), p, hi)
    return np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
