"""Proportional-odds (cumulative link) models: weighted pseudo-likelihood, score and Hessian.

Arrays in, arrays out.  The model is R's ``svyolr``/``MASS::polr`` parameterisation::

    P(Y <= k | x) = F(zeta_k - x'beta),   k = 1..K-1,  F = logistic or normal CDF

with no intercept in ``x``.  :func:`newton` fits one model per column of a weight matrix
(full sample, or every replicate) with analytic Newton steps in the same iterations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pewlike.errors import ModelError

__all__ = ["LINKS", "category_probs", "derivatives", "distribution", "loglik", "newton"]

LINKS = ("logit", "probit")
_BLOCK = 65536

_ArrayFn = Callable[[np.ndarray], np.ndarray]


def distribution(link: str) -> tuple[_ArrayFn, _ArrayFn, _ArrayFn, _ArrayFn]:
    """``(F, f, f', F^-1)`` of the link's latent distribution; F, f, f' are 0 (or 1 for F) at infinity.

    Parameters
    ----------
    link : {"logit", "probit"}
        Logistic or standard normal latent distribution.

    Returns
    -------
    (callable, callable, callable, callable)
        CDF, density, derivative of the density, quantile function.

    Raises
    ------
    ModelError
        Another link.
    """
    from scipy.special import expit, ndtr, ndtri

    if link == "logit":

        def cdf(x):
            return expit(x)

        def pdf(x):
            e = np.exp(-np.abs(np.where(np.isfinite(x), x, np.inf)))
            return e / (1.0 + e) ** 2

        def dpdf(x):
            return pdf(x) * (1.0 - 2.0 * expit(x))

        def quantile(p):
            return np.log(p / (1 - p))
    elif link == "probit":

        def cdf(x):
            return ndtr(x)

        def pdf(x):
            xf = np.where(np.isfinite(x), x, np.inf)
            return np.exp(-0.5 * xf * xf) / np.sqrt(2 * np.pi)

        def dpdf(x):
            xf = np.where(np.isfinite(x), x, 0.0)
            return np.where(np.isfinite(x), -xf * pdf(x), 0.0)

        def quantile(p):
            return ndtri(p)
    else:
        raise ModelError(
            f"link={link!r} is not valid for an ordinal model; choose one of " + ", ".join(repr(x) for x in LINKS)
        )
    return cdf, pdf, dpdf, quantile


def _bounds(y: np.ndarray, zeta: np.ndarray, eta: np.ndarray):
    """Upper and lower cut points minus eta for each pattern: arrays (m, R)."""
    R = zeta.shape[0]
    Z = np.concatenate([np.full((R, 1), -np.inf), zeta, np.full((R, 1), np.inf)], axis=1)
    return Z[:, y + 1].T - eta, Z[:, y].T - eta


def _prob(cdf, a, b):
    """F(a) - F(b) without cancellation in the upper tail."""
    with np.errstate(invalid="ignore"):
        return np.where(b > 0, cdf(-b) - cdf(-a), cdf(a) - cdf(b))


def loglik(X: np.ndarray, y: np.ndarray, W: np.ndarray, beta: np.ndarray, zeta: np.ndarray, link: str) -> np.ndarray:
    """Weighted log pseudo-likelihood of each fit.

    Parameters
    ----------
    X : ndarray (m, p)
        Model matrix without intercept.
    y : ndarray (m,) of int
        Outcome level 0..K-1 of each pattern.
    W : ndarray (m, R)
        Weights, one column per fit.
    beta : ndarray (R, p)
        Slopes of each fit.
    zeta : ndarray (R, q)
        Cut points of each fit.
    link : {"logit", "probit"}
        The link.

    Returns
    -------
    ndarray (R,)
        ``-inf`` where the cut points are not increasing.
    """
    cdf = distribution(link)[0]
    a, b = _bounds(y, zeta, X @ beta.T if X.shape[1] else np.zeros((X.shape[0], beta.shape[0])))
    P = _prob(cdf, a, b)
    with np.errstate(divide="ignore"):
        ll = np.where(W > 0, W * np.log(P), 0.0).sum(axis=0)
    bad = ~(zeta[:, 1:] > zeta[:, :-1]).all(axis=1) if zeta.shape[1] > 1 else np.zeros(zeta.shape[0], bool)
    ll[bad] = -np.inf
    return ll


def derivatives(
    X: np.ndarray, y: np.ndarray, K: int, beta: np.ndarray, zeta: np.ndarray, link: str
) -> dict[str, np.ndarray]:
    """Per-pattern first and second derivatives of ``log P(Y = y)`` (per unit weight).

    Parameters
    ----------
    X : ndarray (m, p)
        Model matrix without intercept.
    y : ndarray (m,) of int
        Outcome level of each pattern.
    K : int
        Number of outcome levels.
    beta : ndarray (R, p)
        Slopes of each fit.
    zeta : ndarray (R, q)
        Cut points of each fit.
    link : {"logit", "probit"}
        The link.

    Returns
    -------
    dict of str to ndarray (m, R)
        ``P`` (the probability), ``d`` (d/d eta), ``u``, ``v`` (d/d zeta_y,
        -d/d zeta_{y-1}), ``hee``, ``ca``, ``cb``, ``zaa``, ``zbb``, ``zab``: the pieces
        gradients and Hessians are assembled from.
    """
    cdf, pdf, dpdf, _ = distribution(link)
    eta = X @ beta.T if X.shape[1] else np.zeros((X.shape[0], beta.shape[0]))
    a, b = _bounds(y, zeta, eta)
    P = _prob(cdf, a, b)
    fa, fb = pdf(a), pdf(b)
    ga, gb = dpdf(a), dpdf(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        u, v = fa / P, fb / P
        A2, B2 = ga / P, gb / P
    d = -(u - v)
    return {
        "P": P,
        "u": u,
        "v": v,
        "d": d,
        "hee": (A2 - B2) - (u - v) ** 2,  # d2/d eta2
        "ca": -A2 + (u - v) * u,  # d2/(d eta d zeta_y)
        "cb": B2 - (u - v) * v,  # d2/(d eta d zeta_{y-1})
        "zaa": A2 - u * u,  # d2/d zeta_y^2
        "zbb": -B2 - v * v,  # d2/d zeta_{y-1}^2
        "zab": u * v,  # d2/(d zeta_y d zeta_{y-1})
    }


def _onehots(y: np.ndarray, q: int):
    m = y.shape[0]
    Ea = np.zeros((m, q))
    Eb = np.zeros((m, q))
    up = y < q
    Ea[np.flatnonzero(up), y[up]] = 1.0
    lo = y > 0
    Eb[np.flatnonzero(lo), y[lo] - 1] = 1.0
    return Ea, Eb


def _kr_product(X: np.ndarray, E: np.ndarray, Wc: np.ndarray) -> np.ndarray:
    """``X' diag(Wc[:, r]) E`` for every column r: array (R, p, q)."""
    m, p = X.shape
    q = E.shape[1]
    R = Wc.shape[1]
    if R == 1:
        return ((X * Wc[:, :1]).T @ E)[None]
    out = np.zeros((R, p * q))
    for start in range(0, m, _BLOCK):
        kr = (X[start : start + _BLOCK, :, None] * E[start : start + _BLOCK, None, :]).reshape(-1, p * q)
        out += Wc[start : start + _BLOCK].T @ kr
    return out.reshape(R, p, q)


def gradient_hessian(
    X: np.ndarray, y: np.ndarray, K: int, W: np.ndarray, beta: np.ndarray, zeta: np.ndarray, link: str
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Gradient and Hessian of the weighted log pseudo-likelihood.

    Parameters
    ----------
    X : ndarray (m, p)
        Model matrix without intercept.
    y : ndarray (m,) of int
        Outcome level of each pattern.
    K : int
        Number of outcome levels.
    W : ndarray (m, R)
        Weights, one column per fit.
    beta : ndarray (R, p)
        Slopes of each fit.
    zeta : ndarray (R, q)
        Cut points of each fit.
    link : {"logit", "probit"}
        The link.

    Returns
    -------
    (ndarray (R, p+q), ndarray (R, p+q, p+q), dict)
        Gradient, Hessian, and the :func:`derivatives` they were built from.
    """
    from pewlike.models.irls import gram

    q = K - 1
    p = X.shape[1]
    D = derivatives(X, y, K, beta, zeta, link)
    Ea, Eb = _onehots(y, q)
    R = W.shape[1]
    Wu, Wv = W * D["u"], W * D["v"]
    g = np.empty((R, p + q))
    g[:, :p] = (X.T @ (W * D["d"])).T
    g[:, p:] = (Ea.T @ Wu - Eb.T @ Wv).T
    H = np.empty((R, p + q, p + q))
    if p:
        H[:, :p, :p] = gram(X, W * D["hee"])
        Hbz = _kr_product(X, Ea, W * D["ca"]) + _kr_product(X, Eb, W * D["cb"])
        H[:, :p, p:] = Hbz
        H[:, p:, :p] = np.transpose(Hbz, (0, 2, 1))
    diag = (Ea.T @ (W * D["zaa"]) + Eb.T @ (W * D["zbb"])).T  # (R, q)
    Hzz = np.zeros((R, q, q))
    idx = np.arange(q)
    Hzz[:, idx, idx] = diag
    if q > 1:
        both = (y >= 1) & (y < q)  # y-1 and y are both cut points
        off = (Ea[:, 1:] * both[:, None]).T @ (W * D["zab"])  # (q-1, R): entry (k, k-1)
        Hzz[:, idx[1:], idx[:-1]] = off.T
        Hzz[:, idx[:-1], idx[1:]] = off.T
    H[:, p:, p:] = Hzz
    return g, H, D


def scores(X: np.ndarray, y: np.ndarray, K: int, beta: np.ndarray, zeta: np.ndarray, link: str) -> np.ndarray:
    """Per-pattern score of ``log P(Y = y)`` (per unit weight).

    Parameters
    ----------
    X : ndarray (m, p)
        Model matrix without intercept.
    y : ndarray (m,) of int
        Outcome level of each pattern.
    K : int
        Number of outcome levels.
    beta : ndarray (p,)
        Slopes.
    zeta : ndarray (q,)
        Cut points.
    link : {"logit", "probit"}
        The link.

    Returns
    -------
    ndarray (m, p + q)
    """
    q = K - 1
    D = derivatives(X, y, K, beta[None], zeta[None], link)
    Ea, Eb = _onehots(y, q)
    return np.hstack([X * D["d"][:, :1], Ea * D["u"][:, :1] - Eb * D["v"][:, :1]])


def start_values(y: np.ndarray, K: int, W: np.ndarray, link: str) -> np.ndarray:
    """Cut points at the weighted cumulative shares (the slopes start at 0).

    Parameters
    ----------
    y : ndarray (m,) of int
        Outcome level of each pattern.
    K : int
        Number of outcome levels.
    W : ndarray (m, R)
        Weights, one column per fit.
    link : {"logit", "probit"}
        The link.

    Returns
    -------
    ndarray (R, q)
    """
    q = K - 1
    quantile = distribution(link)[3]
    onehot = np.zeros((y.shape[0], K))
    onehot[np.arange(y.shape[0]), y] = 1.0
    shares = (onehot.T @ W).T  # (R, K)
    cum = np.cumsum(shares, axis=1)[:, :q] / shares.sum(axis=1, keepdims=True)
    return quantile(np.clip(cum, 1e-8, 1 - 1e-8))


def newton(
    X: np.ndarray,
    y: np.ndarray,
    K: int,
    W: np.ndarray,
    link: str,
    *,
    start: np.ndarray | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Maximise the weighted pseudo-likelihood for every column of ``W``.

    Parameters
    ----------
    X : ndarray (m, p)
        Model matrix without intercept.
    y : ndarray (m,) of int
        Outcome level of each pattern.
    K : int
        Number of outcome levels.
    W : ndarray (m,) or (m, R)
        Weights; one fit per column.
    link : {"logit", "probit"}
        The link.
    start : ndarray (p + q,), optional
        Starting slopes and cut points for every fit (default: :func:`start_values`).
    tol : float
        Convergence when no parameter moves by more than ``tol * (1 + max |theta|)``.
    max_iter : int
        Newton iterations.

    Returns
    -------
    params : ndarray (R, p + q)
        Slopes then cut points.
    converged : ndarray (R,) of bool
        Whether each fit converged.
    iterations : int
        Iterations run.

    Raises
    ------
    ModelError
        A singular information matrix.

    Notes
    -----
    Newton-Raphson with the analytic Hessian and step halving (the cut points must stay
    increasing and the pseudo-likelihood must not fall).  Same optimum as R's ``svyolr``
    (``optim`` BFGS on ``polr``'s log-spacing parameterisation).
    """
    m, p = X.shape
    W = W.reshape(m, -1)
    R = W.shape[1]
    if start is None:
        theta = np.hstack([np.zeros((R, p)), start_values(y, K, W, link)])
    else:
        theta = np.repeat(np.asarray(start, dtype=float)[None, :], R, axis=0)
    ll = loglik(X, y, W, theta[:, :p], theta[:, p:], link)
    converged = np.zeros(R, dtype=bool)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is read after the loop)
        g, H, _ = gradient_hessian(X, y, K, W, theta[:, :p], theta[:, p:], link)
        try:
            step = np.linalg.solve(-H, g[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            raise ModelError(
                "the ordinal model's information matrix is singular; check for empty levels or collinear predictors"
            ) from None
        bad_dir = (step * g).sum(axis=1) <= 0  # not an ascent direction
        if bad_dir.any():
            scale_g = np.maximum(np.abs(g[bad_dir]).max(axis=1, keepdims=True), 1.0)
            step[bad_dir] = g[bad_dir] / scale_g
        t = np.ones(R)
        new = theta + step
        ll_new = loglik(X, y, W, new[:, :p], new[:, p:], link)
        for _ in range(40):  # step halving
            worse = ~(ll_new >= ll - 1e-12 * np.abs(ll))
            if not worse.any():
                break
            t[worse] /= 2
            new[worse] = theta[worse] + t[worse, None] * step[worse]
            ll_new[worse] = loglik(X, y, W[:, worse], new[worse, :p], new[worse, p:], link)
        moved = np.max(np.abs(new - theta), axis=1)
        converged = moved <= tol * (1 + np.max(np.abs(new), axis=1))
        theta, ll = new, ll_new
        if converged.all():
            break
    return theta, converged, it


def category_probs(eta: np.ndarray, zeta: np.ndarray, link: str) -> np.ndarray:
    """P(Y = k) for each row.

    Parameters
    ----------
    eta : ndarray (n,)
        Linear predictors ``x'beta``.
    zeta : ndarray (q,)
        Cut points.
    link : {"logit", "probit"}
        The link.

    Returns
    -------
    ndarray (n, K)
    """
    cdf = distribution(link)[0]
    cum = cdf(zeta[None, :] - eta[:, None])
    cum = np.hstack([np.zeros((eta.shape[0], 1)), cum, np.ones((eta.shape[0], 1))])
    return np.diff(cum, axis=1)


def category_prob_derivs(eta: np.ndarray, zeta: np.ndarray, link: str) -> tuple[np.ndarray, np.ndarray]:
    """Derivatives of P(Y = k) with respect to eta and to each cut point.

    Parameters
    ----------
    eta : ndarray (n,)
        Linear predictors.
    zeta : ndarray (q,)
        Cut points.
    link : {"logit", "probit"}
        The link.

    Returns
    -------
    (ndarray (n, K), ndarray (n, K, q))
    """
    pdf = distribution(link)[1]
    n, q = eta.shape[0], zeta.shape[0]
    dens = pdf(zeta[None, :] - eta[:, None])  # (n, q): dF_k/d zeta_k
    dens_pad = np.hstack([np.zeros((n, 1)), dens, np.zeros((n, 1))])
    d_eta = -(dens_pad[:, 1:] - dens_pad[:, :-1])  # P_k = F_k - F_{k-1}
    d_zeta = np.zeros((n, q + 1, q))
    idx = np.arange(q)
    d_zeta[:, idx, idx] = dens  # P_k gains F_k
    d_zeta[:, idx + 1, idx] = -dens  # P_{k+1} loses F_k
    return d_eta, d_zeta


def _zeta_from_theta(theta_cut: np.ndarray) -> np.ndarray:
    return np.cumsum(np.r_[theta_cut[0], np.exp(theta_cut[1:])])


def _jacobian(theta_cut: np.ndarray) -> np.ndarray:
    """d zeta / d theta of polr's log-spacing parameterisation (lower triangular)."""
    q = theta_cut.shape[0]
    J = np.zeros((q, q))
    J[:, 0] = 1.0
    for i in range(1, q):  # q cut points
        J[i:, i] = np.exp(theta_cut[i])
    return J


def optim_covariance(
    X: np.ndarray, y: np.ndarray, K: int, w: np.ndarray, params: np.ndarray, link: str, ndeps: float = 1e-3
) -> np.ndarray:
    """R ``svyolr``'s bread: the inverse of ``optim``'s finite-difference Hessian, mapped to the cut points.

    Reproduces ``optimhess`` (central differences of the analytic gradient with steps
    ``ndeps`` on polr's parameters ``(beta, zeta_1, log(diff(zeta)))``), ``MASS::ginv`` and
    svyolr's Jacobian transformation, so that its numerical error is reproduced too.

    Parameters
    ----------
    X : ndarray (m, p)
        Model matrix without intercept.
    y : ndarray (m,) of int
        Outcome level of each pattern.
    K : int
        Number of outcome levels.
    w : ndarray (m,)
        Weights.
    params : ndarray (p + q,)
        Fitted slopes and cut points.
    link : {"logit", "probit"}
        The link.
    ndeps : float
        Finite-difference step (R's ``optim`` default 1e-3).

    Returns
    -------
    ndarray (p + q, p + q)
    """
    p = X.shape[1]
    q = K - 1
    zeta = params[p:]
    theta0 = np.r_[params[:p], zeta[0], np.log(np.diff(zeta))]
    W = np.asarray(w, dtype=float).reshape(-1, 1)

    def neg_grad(theta):
        z = _zeta_from_theta(theta[p:])
        g, _, _ = gradient_hessian(X, y, K, W, theta[None, :p], z[None, :], link)
        g = g[0]
        return -np.r_[g[:p], g[p:] @ _jacobian(theta[p:])]

    npar = p + q
    H = np.empty((npar, npar))
    for i in range(npar):  # one finite difference per parameter, as optimhess
        up, down = theta0.copy(), theta0.copy()
        up[i] += ndeps
        down[i] -= ndeps
        H[i] = (neg_grad(up) - neg_grad(down)) / (2 * ndeps)
    H = 0.5 * (H + H.T)
    A = np.eye(npar)
    A[p:, p:] = _jacobian(theta0[p:])
    return A @ np.linalg.pinv(H) @ A.T
