"""Generalised linear models fitted by weighted IRLS, for many weight vectors at once.

Arrays in, arrays out: no survey objects here.  :func:`irls` fits one model per column of
a weight matrix (the full-sample weights, or every replicate's weights) in the same
iterations, with all Gram matrices from one matrix product per block of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from pewlike.errors import ModelError

__all__ = ["FAMILIES", "Family", "aliased_columns", "family", "gram", "irls"]

_EPS = np.finfo(float).eps
_THRESH = 30.0
_BLOCK = 65536
_PROBIT_THRESH = 8.125890664701906  # R: -qnorm(.Machine$double.eps)
FAMILIES = {
    "gaussian": ("identity", "log"),
    "binomial": ("logit", "probit", "cloglog"),
    "poisson": ("log", "identity", "sqrt"),
}


@dataclass(frozen=True)
class Family:
    """A quasi-likelihood family: link, inverse link, d mu / d eta and variance function."""

    name: str
    link: str
    linkfun: Callable
    linkinv: Callable
    mu_eta: Callable
    variance: Callable
    mustart: Callable

    def deviance(self, y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Weighted deviance per column (R's ``sum(dev.resids)``).

        Parameters
        ----------
        y : ndarray (m, 1)
            Response.
        mu : ndarray (m, R)
            Fitted means, one column per fit.
        w : ndarray (m, R)
            Prior weights.

        Returns
        -------
        ndarray (R,)
        """
        if self.name == "gaussian":
            d = (y - mu) ** 2
        elif self.name == "binomial":
            with np.errstate(divide="ignore", invalid="ignore"):
                d = 2 * (
                    np.where(y > 0, y * np.log(y / mu), 0.0)
                    + np.where(y < 1, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0)
                )
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                d = 2 * (np.where(y > 0, y * np.log(y / mu), 0.0) - (y - mu))
        return np.sum(w * d, axis=0)


def _logit_inv(eta):
    e = np.clip(eta, -_THRESH, _THRESH)
    return 1.0 / (1.0 + np.exp(-e))


def _logit_mu_eta(eta):
    a = np.exp(-np.abs(eta))
    return np.maximum(a / (1 + a) ** 2, _EPS)


def _probit_inv(eta):
    from scipy.special import ndtr

    return ndtr(np.clip(eta, -_PROBIT_THRESH, _PROBIT_THRESH))


def _probit_mu_eta(eta):
    return np.maximum(np.exp(-0.5 * eta * eta) / np.sqrt(2 * np.pi), _EPS)


def _probit_fun(mu):
    from scipy.special import ndtri

    return ndtri(mu)


def _cloglog_inv(eta):
    return np.clip(-np.expm1(-np.exp(eta)), _EPS, 1 - _EPS)


def _cloglog_mu_eta(eta):
    e = np.minimum(eta, 700.0)
    return np.maximum(np.exp(e - np.exp(e)), _EPS)


def family(name: str, link: str | None = None) -> Family:
    """The family called ``name`` with ``link`` (default: the canonical link).

    Parameters
    ----------
    name : {"gaussian", "binomial", "poisson"}
        The family.
    link : str, optional
        The link (see :data:`FAMILIES`).

    Returns
    -------
    Family

    Raises
    ------
    ModelError
        Unknown family or link (the valid choices are listed).
    """
    if name not in FAMILIES:
        raise ModelError(f"family={name!r} is not valid; choose one of " + ", ".join(repr(f) for f in FAMILIES))
    link = FAMILIES[name][0] if link is None else link
    if link not in FAMILIES[name]:
        raise ModelError(
            f"link={link!r} is not available for family {name!r}; choose one of "
            + ", ".join(repr(x) for x in FAMILIES[name])
        )
    links: dict[str, tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]] = {
        "identity": (lambda mu: mu, lambda eta: eta, lambda eta: np.ones_like(eta)),
        "log": (np.log, lambda eta: np.maximum(np.exp(eta), _EPS), lambda eta: np.maximum(np.exp(eta), _EPS)),
        "sqrt": (np.sqrt, lambda eta: eta**2, lambda eta: 2 * eta),
        "logit": (lambda mu: np.log(mu / (1 - mu)), _logit_inv, _logit_mu_eta),
        "probit": (_probit_fun, _probit_inv, _probit_mu_eta),
        "cloglog": (lambda mu: np.log(-np.log1p(-mu)), _cloglog_inv, _cloglog_mu_eta),
    }
    lf, li, me = links[link]
    if name == "gaussian":
        var, start = (lambda mu: np.ones_like(mu)), (lambda y: y.copy())
    elif name == "binomial":
        var, start = (lambda mu: mu * (1 - mu)), (lambda y: (y + 0.5) / 2.0)
    else:
        var, start = (lambda mu: mu), (lambda y: y + 0.1)
    return Family(name, link, lf, li, me, var, start)


def gram(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``X' diag(W[:, r]) X`` for every column r of ``W``: array (R, p, p).

    One matrix product of the weights with the row-wise outer products of ``X`` per block
    of rows; a single weight column uses a plain BLAS product.

    Parameters
    ----------
    X : ndarray (m, p)
        Model matrix.
    W : ndarray (m,) or (m, R)
        Weights.

    Returns
    -------
    ndarray (R, p, p)
    """
    m, p = X.shape
    W = W.reshape(m, -1)
    R = W.shape[1]
    if R == 1:
        return ((X * W[:, :1]).T @ X)[None]
    iu = np.triu_indices(p)
    out = np.zeros((R, iu[0].size))
    for start in range(0, m, _BLOCK):
        Xb = X[start : start + _BLOCK]
        kr = Xb[:, iu[0]] * Xb[:, iu[1]]
        out += W[start : start + _BLOCK].T @ kr
    G = np.zeros((R, p, p))
    G[:, iu[0], iu[1]] = out
    G[:, iu[1], iu[0]] = out
    return G


def aliased_columns(G: np.ndarray, tol: float = 1e-9) -> list[int]:
    """Columns of a model matrix that are linear combinations of earlier columns.

    Column j is aliased when its residual after projection on the earlier non-aliased
    columns has squared norm below ``tol`` times its own (R's pivoting QR moves such
    columns to the end and reports NA).

    Parameters
    ----------
    G : ndarray (p, p)
        The weighted Gram matrix ``X'WX``.
    tol : float
        Relative tolerance.

    Returns
    -------
    list of int
        The aliased columns.
    """
    p = G.shape[0]
    keep: list[int] = []
    out: list[int] = []
    for j in range(p):  # p columns of a model matrix, not groups of rows
        gjj = G[j, j]
        if gjj <= 0:
            out.append(j)
            continue
        if keep:
            A = G[np.ix_(keep, keep)]
            b = G[keep, j]
            try:
                r = gjj - b @ np.linalg.solve(A, b)
            except np.linalg.LinAlgError:
                r = 0.0
        else:
            r = gjj
        if r <= tol * gjj:
            out.append(j)
        else:
            keep.append(j)
    return out


def irls(
    X: np.ndarray,
    y: np.ndarray,
    W: np.ndarray,
    fam: Family,
    *,
    start: np.ndarray | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Weighted IRLS for every column of ``W`` at once.

    Parameters
    ----------
    X : ndarray (m, p)
        Model matrix.
    y : ndarray (m,)
        Response.
    W : ndarray (m,) or (m, R)
        Prior (sampling) weights; one fit per column.
    fam : Family
        Family and link.
    start : ndarray (p,), optional
        Starting coefficients for every fit (replicates start at the full-sample fit).
    tol : float
        Convergence when no coefficient moves by more than ``tol * (1 + max |beta|)`` in an
        iteration (tighter than R's deviance rule ``epsilon = 1e-8``).

    Returns
    -------
    beta : ndarray (R, p)
    converged : ndarray (R,) of bool
    iterations : int
        Iterations run.

    Raises
    ------
    ModelError
        A singular weighted model matrix, or ``max_iter < 1`` without ``start``.

    Notes
    -----
    Equivalent to R's ``glm.fit`` (Fisher scoring with working weights
    ``w mu_eta^2 / V(mu)``); step halving when the deviance is not finite.
    """
    m, _p = X.shape
    W = W.reshape(m, -1)
    R = W.shape[1]
    Y = y[:, None]
    if start is None:
        mu = np.repeat(fam.mustart(y)[:, None], R, axis=1)
        eta = fam.linkfun(mu)
        beta = None
    else:
        beta = np.repeat(np.asarray(start, dtype=float)[None, :], R, axis=0)
        eta = X @ beta.T
        mu = fam.linkinv(eta)
    converged = np.zeros(R, dtype=bool)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is read after the loop)
        me = fam.mu_eta(eta)
        var = fam.variance(mu)
        Wk = W * me * me / var
        z = eta + (Y - mu) / me
        G = gram(X, Wk)
        b = (X.T @ (Wk * z)).T
        try:
            new = np.linalg.solve(G, b[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            raise ModelError(
                "the weighted model matrix is singular during fitting; check for empty "
                "factor levels or collinear predictors"
            ) from None
        eta_new = X @ new.T
        mu_new = fam.linkinv(eta_new)
        dev_new = fam.deviance(Y, mu_new, W)
        halve = 0
        while beta is not None and not np.all(np.isfinite(dev_new)) and halve < 30:
            bad = ~np.isfinite(dev_new)
            new[bad] = (new[bad] + beta[bad]) / 2
            eta_new = X @ new.T
            mu_new = fam.linkinv(eta_new)
            dev_new = fam.deviance(Y, mu_new, W)
            halve += 1
        if beta is None:
            done = np.zeros(R, dtype=bool)
        else:
            done = np.max(np.abs(new - beta), axis=1) <= tol * (1 + np.max(np.abs(new), axis=1))
        beta, eta, mu = new, eta_new, mu_new
        converged = done
        if done.all():
            break
    if beta is None:  # no iteration ran and there was no start
        raise ModelError(f"max_iter={max_iter!r} is not valid; give a positive number of iterations")
    return beta, converged, it
