"""Replicate-weight variance: svrVar, default scales, replicate totals, df.

Arrays in, arrays out, like :mod:`pewlike.variance.linearization` (which re-exports everything
here).  The replicate weights themselves are built in :mod:`pewlike.variance.repweights`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from pewlike.errors import DesignError, EstimationError, PewlikeWarning

__all__ = [
    "degf_replicate",
    "replicate_defaults",
    "replicate_totals",
    "replicate_vcov",
]

_REPTYPES = {
    "brr": "BRR",
    "fay": "Fay",
    "jk1": "JK1",
    "jkn": "JKn",
    "jk2": "JK2",
    "bootstrap": "bootstrap",
    "acs": "ACS",
    "successive-difference": "successive-difference",
    "sdr": "successive-difference",
    "other": "other",
}


# ----------------------------------------------------------------------------- variance
def replicate_vcov(thetas, full, *, scale, rscales, mse=False) -> np.ndarray:
    """Covariance from replicate estimates.

    Parameters
    ----------
    thetas : array_like, shape (R, k) or (R,)
        One row per replicate.
    full : array_like, shape (k,)
        Full-sample estimate (the centre when ``mse=True``).
    scale : float
        Overall multiplier.
    rscales : float or array_like, shape (R,)
        Per-replicate multipliers.
    mse : bool
        Centre on ``full`` (True) or on the mean of the replicates with positive
        ``rscales`` (False).

    Returns
    -------
    numpy.ndarray, shape (k, k)

    Raises
    ------
    EstimationError
        When every replicate is missing.

    Notes
    -----
    Equivalent to R survey's ``svrVar``: ``scale * sum_r rscales_r (theta_r - c)(theta_r - c)'``.
    Replicates with any missing value are dropped with a warning, as R's ``na.omit``.
    """
    t = np.asarray(thetas, dtype=float)
    if t.ndim == 1:
        t = t[:, None]
    n_rep = t.shape[0]
    rs = np.broadcast_to(np.asarray(rscales, dtype=float).reshape(-1), (n_rep,))
    ok = ~np.isnan(t).any(axis=1)
    if not ok.all():
        if not ok.any():
            raise EstimationError("all replicates gave missing estimates; check the replicate weights and the domain")
        _warn(f"{int((~ok).sum())} replicates gave NA results and were discarded")
        t, rs = t[ok], rs[ok]
    centre = np.asarray(full, dtype=float).reshape(-1) if mse else t[rs > 0].mean(axis=0)
    d = t - centre
    return (d * (rs * float(scale))[:, None]).T @ d


def _warn(message: str) -> None:
    warnings.warn(message, PewlikeWarning, stacklevel=3)


def replicate_defaults(reptype, n_replicates, *, scale=None, rscales=None, fay_rho=None) -> tuple[float, np.ndarray]:
    """Default ``scale`` and ``rscales`` for user-supplied replicate weights.

    Parameters
    ----------
    reptype : str
        ``"BRR"``, ``"Fay"``, ``"JK1"``, ``"JKn"``, ``"JK2"``, ``"bootstrap"``,
        ``"SDR"`` (alias ``"successive-difference"``), ``"ACS"`` or ``"other"``
        (case-insensitive).
    n_replicates : int
    scale, rscales : optional
        User values; ignored with a warning where R ignores them.
    fay_rho : float, optional
        Fay's rho; required for ``"Fay"``.

    Returns
    -------
    (float, numpy.ndarray)
        ``scale`` and ``rscales`` (length ``n_replicates``).

    Notes
    -----
    Equivalent to the defaults of R survey's ``svrepdesign(combined.weights=TRUE)``:
    BRR ``1/R``; Fay ``1/(R (1-rho)^2)``; bootstrap ``1/(R-1)``; JK1 ``(R-1)/R``;
    SDR/ACS ``4/R``; JK2 and other 1.  JKn needs ``rscales``.
    """
    key = _REPTYPES.get(str(reptype).lower())
    if key is None:
        raise DesignError(
            f"reptype={reptype!r} is not valid; choose one of "
            "'JK1', 'JKn', 'BRR', 'Fay', 'bootstrap', 'SDR', 'JK2', 'ACS', 'other'"
        )
    R = int(n_replicates)
    if R < 2:
        raise DesignError(f"{R} replicate weights given; replicate variance needs at least 2 replicate columns")
    if rscales is not None:
        rs = np.asarray(rscales, dtype=float).reshape(-1)
        if rs.size not in (1, R):
            raise DesignError(f"rscales has length {rs.size}; it should have one value per replicate ({R})")
        rs = np.broadcast_to(rs, (R,)).copy()
    else:
        rs = np.ones(R)
    if key == "BRR":
        if scale is not None:
            _warn("reptype='BRR' ignores scale=; use reptype='Fay' with fay_rho for Fay weights")
        scale = 1.0 / R
    elif key == "Fay":
        if fay_rho is None:
            raise DesignError("reptype='Fay' needs fay_rho (e.g. fay_rho=0.5); it is not guessed")
        scale = 1.0 / (R * (1.0 - float(fay_rho)) ** 2)
    elif key == "bootstrap":
        scale = 1.0 / (R - 1) if scale is None else scale
    elif key == "JK1":
        if scale is None:
            _warn(f"scale not given for JK1 weights: using (R-1)/R with R={R} replicates")
            scale = (R - 1) / R
    elif key == "JKn":
        if rscales is None:
            raise DesignError(
                "reptype='JKn' needs rscales: pass rscales=(n_h-1)/n_h for each replicate (n_h = PSUs in its stratum)"
            )
    elif key in ("ACS", "successive-difference"):
        if scale is not None or rscales is not None:
            _warn(f"reptype={reptype!r} ignores scale= and rscales= (scale is 4/R)")
        scale, rs = 4.0 / R, np.ones(R)
    elif key == "JK2":
        scale, rs = 1.0, np.ones(R)
    elif key == "other" and (scale is None or rscales is None):
        _warn("reptype='other' without scale= or rscales=: missing ones set to 1")
    return float(1.0 if scale is None else scale), rs


def replicate_totals(repweights, values) -> np.ndarray:
    """Replicate weighted totals ``repweights.T @ values`` without copying the weights.

    Parameters
    ----------
    repweights : numpy.ndarray, shape (n, R)
    values : numpy.ndarray or scipy.sparse matrix, shape (n, k) or (n,)

    Returns
    -------
    numpy.ndarray, shape (R, k)

    Notes
    -----
    The replicate totals R survey computes in ``svytotal.svyrep.design``.
    """
    W = np.asarray(repweights)
    if hasattr(values, "tocsr"):
        out = np.asarray(values.T @ W).T  # sparse (k, n) @ dense (n, R)
    else:
        v = np.asarray(values, dtype=float)
        out = W.T @ (v[:, None] if v.ndim == 1 else v)
    return np.ascontiguousarray(out)


def degf_replicate(repweights, *, tol: float = 1e-5) -> int:
    """Degrees of freedom of a replicate design: rank of the replicate weights minus one.

    Notes
    -----
    Equivalent to R survey's ``degf.svyrep.design``: ``qr(weights(design, "analysis"),
    tol=1e-5)$rank - 1``.  The rank follows LINPACK ``dqrdc2`` (used by R's ``qr``):
    columns are taken in order and one is negligible when its norm, after projection
    on the columns kept so far, falls below ``tol`` times its original norm.
    """
    W = np.asarray(repweights, dtype=float)
    gram = W.T @ W
    p = gram.shape[0]
    kept: list[int] = []
    L = np.zeros((p, p))
    for j in range(p):
        if len(kept) >= W.shape[0]:
            break
        g = gram[kept, j]
        r = np.linalg.solve(L[: len(kept), : len(kept)], g) if kept else np.zeros(0)
        resid2 = gram[j, j] - r @ r
        norm = math.sqrt(gram[j, j]) if gram[j, j] > 0 else 1.0
        if resid2 > 0 and math.sqrt(resid2) >= tol * norm:
            m = len(kept)
            L[m, :m] = r
            L[m, m] = math.sqrt(resid2)
            kept.append(j)
    return len(kept) - 1
