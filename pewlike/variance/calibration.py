"""Influence values of calibrated estimators (g-calibration, post-stratification, raking)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import DesignError
from pewlike.variance.codes import _as_2d, _factorize, _group_sum

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import ArrayLike

__all__ = ["calibration_residuals", "raking_residuals"]


def calibration_residuals(x: ArrayLike, X: ArrayLike, w: ArrayLike, groups: ArrayLike | None = None) -> np.ndarray:
    """Influence values of a calibrated (g-calibration) estimator.

    Returns ``w * resid(X, x / w)``: the residuals of the least-squares projection of
    ``x / w`` on the columns of ``X``, multiplied back by ``w``.  Feed the result to
    :func:`linearized_vcov`.

    Parameters
    ----------
    x : array_like, shape (n, k) or (n,)
        Influence values computed with the calibrated weights.
    X : array_like, shape (n, p)
        The matrix R factorises (``cal$qr``): ``mm * sqrt(w0 / sigma2)`` with ``mm``
        the calibration model matrix, ``w0`` the weights before calibration and
        ``sigma2`` the variance function (1 by default).  For ``postStratify`` use
        the post-stratum indicator matrix times ``sqrt(w0)``.
    w : array_like, shape (n,)
        R's ``cal$w``: ``g * sqrt(w0 * sigma2)`` with ``g = w_calibrated / w0``
        (for post-stratification ``w_new / sqrt(w0)``).  Rows with ``w == 0`` are
        left unchanged.
    groups : array_like of int, shape (n,), optional
        Separate projections within groups: calibration within clusters
        (``calibrate(..., stage=s)``), where ``groups`` are the stage-``s`` clusters.

    Returns
    -------
    numpy.ndarray, shape like ``x``

    Notes
    -----
    Equivalent to the g-calibration step of R survey's ``svyrecvar``:
    ``qr.resid(cal$qr, x / cal$w) * cal$w`` (``calibrate()``, ``postStratify()``).  The
    projection is computed with a column-pivoted QR whose rank tolerance (1e-7) matches
    R's ``qr()``; with ``groups`` it uses per-group normal equations solved by a
    batched pseudo-inverse.
    """
    x = np.asarray(x, dtype=float)
    one_d = x.ndim == 1
    x2 = x[:, None] if one_d else x
    n = x2.shape[0]
    X = _as_2d(X, n, "X", dtype=float)
    w = np.asarray(w, dtype=float).reshape(-1)
    if w.shape[0] != n:
        raise DesignError(f"w has length {w.shape[0]}; expected {n}")
    nz = w != 0
    y = np.zeros_like(x2)
    y[nz] = x2[nz] / w[nz, None]
    if groups is None:
        from scipy.linalg import qr

        q, r, _ = qr(X, mode="economic", pivoting=True)
        d = np.abs(np.diag(r))
        rank = int(np.sum(d > 1e-7 * d[0])) if d.size and d[0] > 0 else 0
        q = q[:, :rank]
        fitted = q @ (q.T @ y)
    else:
        g, ng = _factorize(np.asarray(groups).reshape(-1))
        p = X.shape[1]
        xx = (X[:, :, None] * X[:, None, :]).reshape(n, p * p)
        gram = _group_sum(g, xx, ng).reshape(ng, p, p)
        xy = _group_sum(g, (X[:, :, None] * y[:, None, :]).reshape(n, -1), ng).reshape(ng, p, -1)
        coef = np.linalg.pinv(gram, rcond=1e-12, hermitian=True) @ xy
        fitted = np.einsum("np,npk->nk", X, coef[g])
    res = x2 - fitted * w[:, None]
    res[~nz] = x2[~nz]
    return res[:, 0] if one_d else res


def raking_residuals(x: ArrayLike, margins: ArrayLike, weights: ArrayLike, *, iterations: int = 10) -> np.ndarray:
    """Influence values after raking, by iterated projections on the margins.

    Parameters
    ----------
    x : array_like, shape (n, k) or (n,)
        Influence values computed with the raked weights.
    margins : array_like of int, shape (n, M)
        Codes of the raking margins (one column per margin).
    weights : array_like, shape (n, M)
        For each margin, the weights just after it was last post-stratified in the
        final raking sweep (R keeps them as ``attr(margin, "weights")``).
    iterations : int
        Number of sweeps over the margins (R uses 10).

    Returns
    -------
    numpy.ndarray, shape like ``x``

    Notes
    -----
    Equivalent to the ``"raking"`` branch of R survey's ``svyrecvar`` (designs made by
    ``rake()``): ``x <- x - w * ave(x / w, margin)`` repeated over margins and sweeps.
    """
    x = np.asarray(x, dtype=float)
    one_d = x.ndim == 1
    out = (x[:, None] if one_d else x).copy()
    n = out.shape[0]
    margins = _as_2d(margins, n, "margins")
    weights = _as_2d(weights, n, "weights", dtype=float)
    codes = [_factorize(margins[:, j]) for j in range(margins.shape[1])]
    for _ in range(iterations):
        for j, (g, ng) in enumerate(codes):
            psw = weights[:, j]
            means = _group_sum(g, out / psw[:, None], ng) / np.bincount(g, minlength=ng)[:, None]
            out -= psw[:, None] * means[g]
    return out[:, 0] if one_d else out
