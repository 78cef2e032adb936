"""Calibration distances and the Newton solver for calibration factors (R's ``grake``).

Arrays in, arrays out: nothing here sees a Survey.  The solver runs for several weight
vectors at once (the full-sample weights, or every replicate column), each column with
its own iterate, step halving and stopping rule, exactly as running R's ``grake`` on each
column in turn.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CALFUNS", "calfun_derivative", "calfun_value", "grake", "tdot", "weighted_grams"]

CALFUNS = ("linear", "raking", "logit")
_PINV_RCOND = 256 * np.finfo(float).eps  # R: MASS::ginv(Tmat, tol = 256 * .Machine$double.eps)
_PRESCALE = 20.0  # R: rescale the weights when every total is > 20x the sample's


def calfun_value(name: str, u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``F(u) - 1``: the calibration factor minus one at ``u = x'eta`` (R's ``calfun$Fm1``).

    Parameters
    ----------
    name : {"linear", "raking", "logit"}
        Calibration distance.
    u : ndarray
        Linear predictors ``x'eta``.
    lo, hi : float
        Bounds on the factor (``-inf``/``inf`` for none).

    Returns
    -------
    ndarray, shape like ``u``
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if name == "linear":
            return np.minimum(np.maximum(u + 1.0, lo), hi) - 1.0
        if name == "raking":
            return np.minimum(np.maximum(np.exp(u), lo), hi) - 1.0
        a = (hi - lo) / ((hi - 1.0) * (1.0 - lo))
        e = np.exp(a * u)
        return (lo * (hi - 1.0) + hi * (1.0 - lo) * e) / (hi - 1.0 + (1.0 - lo) * e) - 1.0


def calfun_derivative(name: str, u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``F'(u)`` (R's ``calfun$dF``; zero where a bound is active, as R writes it).

    Parameters
    ----------
    name : {"linear", "raking", "logit"}
        Calibration distance.
    u : ndarray
        Linear predictors ``x'eta``.
    lo, hi : float
        Bounds on the factor (``-inf``/``inf`` for none).

    Returns
    -------
    ndarray, shape like ``u``
    """
    with np.errstate(over="ignore", invalid="ignore"):
        inside = (u < hi - 1.0) & (u > lo - 1.0)
        if name == "linear":
            return inside.astype(float)
        if name == "raking":
            return np.where(inside, np.exp(u), 0.0)
        a = (hi - lo) / ((hi - 1.0) * (1.0 - lo))
        e = np.exp(a * u)
        den = hi - 1.0 + (1.0 - lo) * e
        return hi * (1.0 - lo) * e * a / den - (lo * (hi - 1.0) + hi * (1.0 - lo) * e) * ((1.0 - lo) * e * a) / den**2


def tdot(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A.T @ B`` for tall ``A`` (n, p) and ``B`` (n, R), computed as ``(B.T @ A).T``.

    With a C-ordered tall ``A`` and many columns in ``B`` OpenBLAS is up to 50 times slower
    on the first form than on the second.

    Parameters
    ----------
    A : ndarray (n, p)
        Tall matrix.
    B : ndarray (n, R)
        Matrix with the same rows.

    Returns
    -------
    ndarray (p, R)
    """
    return (B.T @ A).T


def weighted_grams(X: np.ndarray, W: np.ndarray, block: int = 32768) -> np.ndarray:
    """``X' diag(W[:, r]) X`` for every column r of ``W``: array (R, p, p).

    One weight vector is one BLAS product; several are one product per block of rows of
    the row-wise outer products ``x_i x_i'`` (p*p columns) with the weight matrix.

    Parameters
    ----------
    X : ndarray (m, p)
        Controls.
    W : ndarray (m, R)
        Weight columns.
    block : int
        Rows per block (bounded memory: ``block x p*p``).

    Returns
    -------
    ndarray (R, p, p)
    """
    m, p = X.shape
    R = W.shape[1]
    if R == 1:
        return ((X * W).T @ X)[None]
    out = np.zeros((p * p, R))
    for start in range(0, m, block):  # bounded memory: block x p*p
        xb = X[start : start + block]
        outer = (xb[:, :, None] * xb[:, None, :]).reshape(xb.shape[0], p * p)
        out += tdot(outer, W[start : start + block])
    return out.T.reshape(R, p, p)


def grake(
    X: np.ndarray,
    W: np.ndarray,
    calfun: str,
    bounds: tuple[float, float],
    population: np.ndarray,
    *,
    epsilon: float | np.ndarray = 1e-7,
    max_iter: int = 50,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Calibration factors ``g`` with ``X' (W * g) = population`` for every column of ``W``.

    Parameters
    ----------
    X : ndarray (m, p)
        Calibration controls of the rows being calibrated.
    W : ndarray (m, R)
        Starting weights, one column per weight vector.
    calfun : {"linear", "raking", "logit"}
        Calibration distance.
    bounds : (lower, upper)
        Bounds on ``g`` (``(-inf, inf)`` for none).
    population : ndarray (p,)
        Population totals.
    epsilon : float or ndarray (p,)
        Stop when ``|misfit| / (1 + |population|) < epsilon`` for every control.
    max_iter : int
        Newton iterations.

    Returns
    -------
    g : ndarray (m, R)
    iterations : ndarray (R,) of int
    failed : ndarray (R,)
        NaN for columns that converged, else the largest relative misfit reached.

    Notes
    -----
    Equivalent to R survey's ``grake()`` (Deville & Sarndal 1992): Newton steps on
    ``eta`` with a Moore-Penrose inverse, step halving while the factors are not finite,
    and the same pre-scaling of weights far below the totals.
    """
    lo, hi = bounds
    m, R = W.shape
    X = np.ascontiguousarray(X, dtype=float)  # X.T @ (...) is far slower on a Fortran-ordered X
    W = W.astype(float, copy=True)
    T = np.asarray(population, dtype=float)
    eps = np.broadcast_to(np.asarray(epsilon, dtype=float), T.shape)[:, None]
    st = tdot(X, W)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = T[:, None] / st
    scale = np.ones(R)
    big = ratios.min(axis=0) > _PRESCALE
    if big.any():
        scale[big] = ratios[:, big].mean(axis=0)
        W[:, big] *= scale[big]
        st[:, big] *= scale[big]
    p = X.shape[1]
    eta = np.zeros((p, R))
    xeta = np.zeros((m, R))
    deriv = calfun_derivative(calfun, xeta, lo, hi)
    iters = np.ones(R, dtype=np.int64)
    done = np.zeros(R, dtype=bool)
    failed = np.full(R, np.nan)
    denom = 1.0 + np.abs(T)[:, None]
    while not done.all():
        c = np.flatnonzero(~done)
        Wc = W[:, c]
        tmat = weighted_grams(X, Wc * deriv[:, c])
        misfit = T[:, None] - st[:, c] - tdot(X, Wc * calfun_value(calfun, xeta[:, c], lo, hi))
        deta = np.einsum("rpq,qr->pr", np.linalg.pinv(tmat, rcond=_PINV_RCOND), misfit)
        eta[:, c] += deta
        xe = X @ eta[:, c]
        gv = calfun_value(calfun, xe, lo, hi)
        dv = calfun_derivative(calfun, xe, lo, hi)
        bad = ~(np.isfinite(gv).all(axis=0) & np.isfinite(dv).all(axis=0))
        while True:
            halve = bad & (iters[c] < max_iter)
            if not halve.any():
                break
            iters[c[halve]] += 1
            deta[:, halve] /= 2.0
            eta[:, c[halve]] -= deta[:, halve]
            xe[:, halve] = X @ eta[:, c[halve]]
            gv[:, halve] = calfun_value(calfun, xe[:, halve], lo, hi)
            dv[:, halve] = calfun_derivative(calfun, xe[:, halve], lo, hi)
            bad = ~(np.isfinite(gv).all(axis=0) & np.isfinite(dv).all(axis=0))
        xeta[:, c] = xe
        deriv[:, c] = dv
        misfit = T[:, None] - st[:, c] - tdot(X, Wc * gv)
        with np.errstate(invalid="ignore"):
            rel = np.abs(misfit) / denom
            conv = np.all(rel < eps, axis=0)
        done[c[conv]] = True
        iters[c[~conv]] += 1
        over = ~conv & (iters[c] > max_iter)
        if over.any():
            worst = np.nanmax(np.where(np.isfinite(rel), rel, np.inf), axis=0)
            failed[c[over]] = worst[over]
            done[c[over]] = True
    g = (1.0 + calfun_value(calfun, xeta, lo, hi)) * scale
    return g, iters, failed
