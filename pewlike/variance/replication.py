"""Replicate-weight variance: svrVar, default scales, replicate totals, df, and the method.

Arrays in, arrays out, like :mod:`pewlike.variance.linearization` (which re-exports the
functions here).  :class:`ReplicateVariance` is the replicate-weight
:class:`~pewlike.variance.strategy.VarianceMethod`.  The replicate weights themselves are
built in :mod:`pewlike.variance.repweights`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from pewlike.errors import DesignError, EstimationError, PewlikeWarning
from pewlike.variance.strategy import Covariance, SampleDesign, Statistic, replicate_label

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import ArrayLike
    from scipy import sparse

__all__ = [
    "BLOCK_ROWS",
    "ReplicateVariance",
    "degf_replicate",
    "replicate_defaults",
    "replicate_totals",
    "replicate_vcov",
]

BLOCK_ROWS = 65536  # rows per block in replicate products (bounded temporary memory)

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
def replicate_vcov(
    thetas: ArrayLike, full: ArrayLike, *, scale: float, rscales: ArrayLike, mse: bool = False
) -> np.ndarray:
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


def replicate_defaults(
    reptype: str,
    n_replicates: int,
    *,
    scale: float | None = None,
    rscales: ArrayLike | None = None,
    fay_rho: float | None = None,
) -> tuple[float, np.ndarray]:
    """Default ``scale`` and ``rscales`` for user-supplied replicate weights.

    Parameters
    ----------
    reptype : str
        ``"BRR"``, ``"Fay"``, ``"JK1"``, ``"JKn"``, ``"JK2"``, ``"bootstrap"``,
        ``"SDR"`` (alias ``"successive-difference"``), ``"ACS"`` or ``"other"``
        (case-insensitive).
    n_replicates : int
        Number of replicate weight columns.
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
            _warn("reptype='BRR' ignores scale=; use reptype='Fay' with rho= for Fay weights")
        scale = 1.0 / R
    elif key == "Fay":
        if fay_rho is None:
            raise DesignError("reptype='Fay' needs rho= (Fay's coefficient, e.g. rho=0.5); it is not guessed")
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


def replicate_totals(repweights: ArrayLike, values: ArrayLike | sparse.spmatrix) -> np.ndarray:
    """Replicate weighted totals ``repweights.T @ values`` without copying the weights.

    Parameters
    ----------
    repweights : numpy.ndarray, shape (n, R)
        Replicate weights.
    values : numpy.ndarray or scipy.sparse matrix, shape (n, k) or (n,)
        Values to total.

    Returns
    -------
    numpy.ndarray, shape (R, k)

    Notes
    -----
    The replicate totals R survey computes in ``svytotal.svyrep.design``.
    """
    W = np.asarray(repweights)
    if hasattr(values, "tocsr"):
        sp: Any = values  # a scipy sparse matrix (scipy ships no type stubs)
        out = np.asarray(sp.T @ W).T  # sparse (k, n) @ dense (n, R)
    else:
        v = np.asarray(values, dtype=float)
        out = W.T @ (v[:, None] if v.ndim == 1 else v)
    return np.ascontiguousarray(out)


def degf_replicate(repweights: ArrayLike, *, tol: float = 1e-5) -> int:
    """Degrees of freedom of a replicate design: rank of the replicate weights minus one.

    Parameters
    ----------
    repweights : array_like, shape (n, R)
        Replicate weights (or the distinct rows of them: the rank is the same).
    tol : float
        Relative tolerance of a negligible column (R's ``qr(tol=)``).

    Returns
    -------
    int

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


# ----------------------------------------------------------------------------- the method
@dataclass(frozen=True, eq=False)
class ReplicateVariance:
    """Replicate-weight variance (R ``svrVar`` on a ``svyrep.design``).

    Parameters
    ----------
    repweights : ndarray (n, R)
        Combined replicate weights (zero outside the design's domain).
    reptype : str
        ``"JK1"``, ``"JKn"``, ``"BRR"``, ``"Fay"``, ``"bootstrap"``, ``"SDR"``, ...
    scale : float
        Overall multiplier of the squared deviations.
    rscales : ndarray (R,)
        Per-replicate multipliers.
    mse : bool
        Centre the deviations on the full-sample estimate (True) or on the mean of the
        replicates (False).

    Notes
    -----
    Equivalent to R survey's ``svrVar(thetas, scale, rscales, mse, coef)`` as
    ``svymean``/``svyglm``/``svyby`` call it on replicate designs: every statistic is
    recomputed with each replicate's weights.  A reweighting step re-weights every
    replicate column the same way (``calibrate.svyrep.design``, ``rake`` on a replicate
    design).  Degrees of freedom are the rank of the replicate weights minus one
    (``degf.svyrep.design``).
    """

    repweights: np.ndarray
    reptype: str | None
    scale: float
    rscales: np.ndarray
    mse: bool = False
    kind: ClassVar[str] = "replicate"
    #: a domain's logit interval is refitted in the replicates on its own df (see VarianceMethod).
    per_column_df: ClassVar[bool] = True

    @property
    def calibration(self) -> tuple:
        """Empty: reweighting steps live in the replicate columns."""
        return ()

    @property
    def uses_unit_totals(self) -> bool:
        """False: the covariance needs replicate estimates."""
        return False

    @property
    def n_replicates(self) -> int:
        """Number of replicate weight columns ``R``."""
        return int(self.repweights.shape[1])

    # -- life cycle ----------------------------------------------------------
    def restrict(self, domain: np.ndarray) -> ReplicateVariance:
        """Replicate weights set to zero outside ``domain``.

        Parameters
        ----------
        domain : ndarray (n,) of bool
            Rows of the design inside the domain.

        Returns
        -------
        ReplicateVariance

        Notes
        -----
        As R's ``subset.svyrep.design``.
        """
        return replace(self, repweights=self.repweights * domain[:, None])

    def reweighted(
        self, *, repweights: np.ndarray | None = None, calibration: tuple | None = None
    ) -> ReplicateVariance:
        """The method with the re-weighted replicate columns ``repweights``.

        Residual steps (``calibration``) are not kept: every replicate was re-weighted
        by the step itself, which carries it into the variance.

        Parameters
        ----------
        repweights : ndarray (n, R), optional
            The replicate columns after the weighting step (None: unchanged).
        calibration : tuple, optional
            Residual steps of the weighting done so far; ignored.

        Returns
        -------
        ReplicateVariance
        """
        if repweights is None:
            return self
        return replace(self, repweights=repweights)

    # -- covariance ----------------------------------------------------------
    def covariance(self, stat: Statistic, design: SampleDesign) -> Covariance:
        """``svrVar`` of the statistic recomputed with every replicate's weights.

        Parameters
        ----------
        stat : Statistic
            The estimates; asked for their replicate re-estimates only.
        design : SampleDesign
            The design (not used: the replicate weights are the design).

        Returns
        -------
        Covariance
            The covariance (k, k) and the replicate estimates (R, k).
        """
        reps = stat.replicates(self)
        return Covariance(self.vcov_from_replicates(reps, stat.estimate), reps)

    def vcov_from_replicates(self, thetas: np.ndarray, full: np.ndarray) -> np.ndarray:
        """Covariance of replicate estimates around the full-sample estimate.

        Parameters
        ----------
        thetas : ndarray (R, k)
            One row per replicate.
        full : ndarray (k,)
            Full-sample estimates (the centre with ``mse=True``).

        Returns
        -------
        ndarray (k, k)

        Notes
        -----
        R ``svrVar`` with this design's ``scale``, ``rscales`` and ``mse``.
        """
        return replicate_vcov(thetas, full, scale=self.scale, rscales=self.rscales, mse=self.mse)

    def cell_totals(self, code: np.ndarray, ncell: int, values: np.ndarray | None) -> np.ndarray:
        """Replicate totals by cell: (R, ncell) = ``repweights.T @ (one-hot(code) * values)``.

        Rows with ``code < 0`` are not counted; ``values=None`` counts weights.  With
        compressible replicate weights (see :attr:`compressed`) this is one ``bincount``
        and a small product; otherwise a product blocked by :data:`BLOCK_ROWS` rows.

        Parameters
        ----------
        code : ndarray (n,) of int
            Cell of each row, -1 for rows not counted.
        ncell : int
            Number of cells.
        values : ndarray (n,) or None
            Values to total (None: 1, so weights are summed).

        Returns
        -------
        ndarray (R, ncell)

        Notes
        -----
        The replicate totals of R survey's ``svytotal.svyrep.design``/``svyby``.
        """
        comp = self.compressed
        if comp is not None:
            pid, C, tot = comp
            ok = code >= 0
            ok_rows: Any = slice(None) if ok.all() else ok
            v = tot[ok_rows] if values is None else tot[ok_rows] * values[ok_rows]
            T = np.bincount(pid[ok_rows] * ncell + code[ok_rows], weights=v, minlength=C.shape[0] * ncell)
            return C.T @ T.reshape(C.shape[0], ncell)
        W = self.repweights
        n, R = W.shape
        out = np.zeros((R, ncell))
        for start in range(0, n, BLOCK_ROWS):
            stop = min(n, start + BLOCK_ROWS)
            c = code[start:stop]
            ok = c >= 0
            if not ok.any():
                continue
            block = np.zeros((stop - start, ncell))
            v = 1.0 if values is None else values[start:stop][ok]
            block[np.flatnonzero(ok), c[ok]] = v
            out += W[start:stop].T @ block
        return out

    @cached_property
    def _probe(self) -> tuple[np.ndarray, np.ndarray]:
        """One pass over the replicate weights: row sums and three random projections."""
        W = self.repweights
        rng = np.random.default_rng(20190603)
        P = np.column_stack([np.ones(W.shape[1]), rng.standard_normal((W.shape[1], 3))])
        # four matrix-vector products: much faster than one product with a 4-column matrix
        return np.column_stack([W @ P[:, j] for j in range(P.shape[1])]), P

    @cached_property
    def patterns(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct replicate-weight patterns: ``(pattern id per row, one row per pattern)``.

        Rows whose replicate weights are proportional share a pattern (for jackknife,
        BRR and bootstrap designs: the rows of one PSU); the rank of any set of rows
        (R's ``degf`` of a subset) is the rank of its patterns.
        """
        M, _ = self._probe
        tot = M[:, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            h = np.where(tot != 0, M[:, 1] / tot, np.inf)
        _, first, pid = np.unique(np.round(h, 10), return_index=True, return_inverse=True)
        return pid.astype(np.int64).ravel(), first

    @cached_property
    def compressed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Replicate weights as ``W[i] = tot[i] * C[pid[i]]`` when that holds, else None.

        The same idea as R's compressed replicate weights: replicate totals then cost
        one ``bincount`` over rows and a (patterns x replicates) product.  The
        representation is checked on two further random projections of every row
        (relative agreement 1e-12).
        """
        pid, first = self.patterns
        W = self.repweights
        n = W.shape[0]
        if first.shape[0] > max(1000, n // 4):
            return None
        M, P = self._probe
        tot = M[:, 0]
        rep_tot = tot[first]
        zero_rows = tot == 0
        if np.any(zero_rows) and np.any(W[zero_rows] != 0):
            return None  # rows whose replicate weights cancel out cannot be scaled from a pattern
        C = np.zeros((first.shape[0], W.shape[1]))
        nz = rep_tot != 0
        C[nz] = W[first[nz]] / rep_tot[nz, None]
        fit = tot[:, None] * (C @ P[:, 2:])[pid]
        scale = np.abs(tot)[:, None] * np.abs(P[:, 2:]).max(axis=0)[None, :] + 1e-300
        if np.any(np.abs(M[:, 2:] - fit) > 1e-12 * scale):
            return None
        return pid, C, tot

    # -- degrees of freedom --------------------------------------------------
    def degf(self, design: SampleDesign) -> int:
        """Rank of the replicate weights minus one.

        Parameters
        ----------
        design : SampleDesign
            The design (not used: the replicate weights are the design).

        Returns
        -------
        int

        Notes
        -----
        R ``degf.svyrep.design``.
        """
        return int(degf_replicate(self.repweights))

    def subset_degf(self, design: SampleDesign, code: np.ndarray, ndom: int, rows: np.ndarray | slice) -> np.ndarray:
        """Rank of each domain's distinct replicate-weight patterns minus one.

        Parameters
        ----------
        design : SampleDesign
            The design (not used).
        code : ndarray (n,) of int
            Domain of each row.
        ndom : int
            Number of domains.
        rows : ndarray (n,) of bool or slice
            Rows in a domain with nonzero weight (``slice(None)``: every row).

        Returns
        -------
        ndarray (ndom,) of float
            -1 for a domain without rows.

        Notes
        -----
        R ``degf(subset(design, ...))`` on a ``svyrep.design``.
        """
        pid, reps = self.patterns
        npat = reps.shape[0]
        present = np.bincount(code[rows] * npat + pid[rows], minlength=ndom * npat).reshape(ndom, npat) > 0
        out = np.empty(ndom)
        memo = self._degf_memo
        for g in range(ndom):  # one small rank computation per domain, on its distinct weight patterns
            if not present[g].any():
                out[g] = -1
                continue
            key = np.packbits(present[g]).tobytes()  # domains with the same patterns share a rank
            if key not in memo:
                memo[key] = degf_replicate(self.repweights[reps[present[g]]])
            out[g] = memo[key]
        return out

    @cached_property
    def _degf_memo(self) -> dict[bytes, int]:
        """Ranks already computed, by the set of replicate-weight patterns present."""
        return {}

    def model_degf_rows(self, in_domain: np.ndarray, in_model: np.ndarray) -> np.ndarray:
        """The design's rows: R's ``svrepglm``/``svyolr`` call ``degf`` on the design they are given.

        Parameters
        ----------
        in_domain : ndarray (n,) of bool
            Rows in the design's domain.
        in_model : ndarray (n,) of bool
            Rows the model uses (not used here).

        Returns
        -------
        ndarray (n,) of bool
            ``in_domain``.
        """
        return in_domain

    # -- description ---------------------------------------------------------
    def label(self, design: SampleDesign) -> str:
        """One line naming the replicate type and count (R's ``print(svrepdesign)``).

        Parameters
        ----------
        design : SampleDesign
            The design (not used).

        Returns
        -------
        str
        """
        return replicate_label(self.reptype, self.n_replicates)

    def describe(self, design: SampleDesign) -> list[str]:
        """The lines of R's ``print(svrepdesign)`` about the replicates.

        Parameters
        ----------
        design : SampleDesign
            The design, for the replicate column names.

        Returns
        -------
        list of str
        """
        cols = design.names["repweights"]
        return [
            f"Replicate-weight design: {self.label(design)}{' (MSE)' if self.mse else ''}",
            f"  scale {self.scale:.6g}; replicate columns {cols[0]} .. {cols[-1]}",
        ]

    def model_caption(self, design: SampleDesign) -> str:
        """Short description of how a model's standard errors are computed.

        Parameters
        ----------
        design : SampleDesign
            The design (not used).

        Returns
        -------
        str
        """
        return f"{self.reptype} replicate weights ({self.n_replicates} replicates)"
