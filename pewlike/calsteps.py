"""Calibration steps kept on a design, and the record of what a weighting step did.

A weighting verb (``rake``, ``poststratify``, ``calibrate``) returns a new
:class:`~pewlike.design.Survey` whose :class:`~pewlike.structure.Design` carries one
more *calibration step* in ``design.calibration``.  The variance engine calls every
step's ``residuals(x)`` on the row-level influence values, in order, before
aggregating them to sampling units -- exactly what R's ``svyrecvar`` does with the
``postStrata`` list of a calibrated design.

Every weighting verb (``trim_weights`` too) also appends a :class:`WeightingNote` to
the survey's history: a plain string for people that carries a frozen
:class:`WeightingRecord` (targets, achieved margins, iterations, convergence, trimmed
share).  :func:`pewlike.weightstats.weight_summary` reads the last one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["PostStratStep", "RakingStep", "GregStep", "WeightingRecord", "WeightingNote", "last_record"]


def _indicator(code: np.ndarray, ncell: int, keep: np.ndarray):
    """Sparse (ncell x n) indicator of the rows in ``keep``."""
    from scipy import sparse

    rows = np.flatnonzero(keep)
    return sparse.csr_matrix((np.ones(rows.size), (code[rows], rows)), shape=(ncell, code.shape[0]))


def _as_2d(x):
    x = np.asarray(x, dtype=float)
    return (x[:, None], True) if x.ndim == 1 else (x, False)


@dataclass(frozen=True, eq=False)
class PostStratStep:
    """Post-stratification of a design: residuals from the post-stratum means.

    Attributes
    ----------
    code : ndarray (n,) of int
        Post-stratum of each row (-1 for rows that were not post-stratified).
    ratio : ndarray (cells,)
        Population / sample total of each post-stratum (new weight = old weight x ratio).
    oldw : ndarray (n,)
        Weights before post-stratification.

    Notes
    -----
    Equivalent to the ordinary post-stratification branch of R survey's ``svyrecvar``:
    with ``psw`` the post-stratified and ``oldw`` the earlier weights,
    ``x - psw * rowsum(x * oldw / psw, h) / rowsum(oldw, h)``.
    """

    code: np.ndarray
    ratio: np.ndarray
    oldw: np.ndarray

    def residuals(self, x: np.ndarray) -> np.ndarray:
        x2, one_d = _as_2d(x)
        keep = (self.code >= 0) & (self.oldw > 0)
        ncell = self.ratio.shape[0]
        code = np.where(keep, self.code, 0)
        ind = _indicator(code, ncell, keep)
        denom = np.bincount(code[keep], weights=self.oldw[keep], minlength=ncell)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = np.asarray(ind @ x2) / self.ratio[:, None] / denom[:, None]
        means[~np.isfinite(means)] = 0.0
        out = x2 - (self.oldw * self.ratio[code] * keep)[:, None] * means[code]
        return out[:, 0] if one_d else out


@dataclass(frozen=True, eq=False)
class RakingStep:
    """Raking (iterative post-stratification) of a design.

    Attributes
    ----------
    codes : tuple of ndarray (n,) of int
        Cell of each row in every margin, in raking order (-1 outside the raked rows).
    ncells : tuple of int
        Number of cells of each margin.
    last_factors : tuple of ndarray
        The adjustment factor of every cell in the last sweep of each margin.
    weights : ndarray (n,)
        The raked weights.
    sweeps : int
        Passes of the projection (R uses 10).

    Notes
    -----
    Equivalent to the ``"raking"`` branch of R survey's ``svyrecvar`` for designs made by
    ``rake()``: ten passes of ``x <- x - psw * ave(x / psw, margin)`` over the margins,
    where ``psw`` are the weights just after that margin was post-stratified in the last
    raking sweep.  Those weights are recovered from the raked weights by dividing out the
    factors applied to the later margins.  Rows with zero weight are left out of the
    cell means (R would give NaN there).
    """

    codes: tuple
    ncells: tuple
    last_factors: tuple
    weights: np.ndarray
    sweeps: int = 10

    def _margin_weights(self) -> list[np.ndarray]:
        psw = [None] * len(self.codes)
        w = self.weights.copy()
        for j in range(len(self.codes) - 1, -1, -1):
            psw[j] = w.copy()
            code = self.codes[j]
            ok = code >= 0
            w[ok] = w[ok] / self.last_factors[j][code[ok]]
        return psw

    def residuals(self, x: np.ndarray) -> np.ndarray:
        x2, one_d = _as_2d(x)
        out = x2.copy()
        parts = []
        for code, ncell, psw in zip(self.codes, self.ncells, self._margin_weights()):
            keep = (code >= 0) & (psw > 0)
            c = np.where(keep, code, 0)
            ind = _indicator(c, ncell, keep)
            count = np.bincount(c[keep], minlength=ncell).astype(float)
            inv = np.where(keep, 1.0 / np.where(keep, psw, 1.0), 0.0)
            parts.append((ind, c, np.maximum(count, 1.0), inv, np.where(keep, psw, 0.0)))
        for _ in range(self.sweeps):
            for ind, c, count, inv, psw in parts:
                means = np.asarray(ind @ (out * inv[:, None])) / count[:, None]
                out -= psw[:, None] * means[c]
        return out[:, 0] if one_d else out


@dataclass(frozen=True, eq=False)
class GregStep:
    """Generalised regression (g-) calibration: residuals of a weighted projection.

    Attributes
    ----------
    q : ndarray (n, r)
        Orthonormal basis of the columns of ``X * sqrt(w0)`` (``X`` the calibration
        model matrix, ``w0`` the weights before calibration).
    w : ndarray (n,)
        ``g * sqrt(w0)`` with ``g`` the calibration factors.

    Notes
    -----
    Equivalent to the g-calibration branch of R survey's ``svyrecvar``:
    ``qr.resid(cal$qr, x / cal$w) * cal$w``.  Rows with ``w == 0`` are left unchanged.
    """

    q: np.ndarray
    w: np.ndarray

    def residuals(self, x: np.ndarray) -> np.ndarray:
        x2, one_d = _as_2d(x)
        nz = self.w != 0
        y = np.zeros_like(x2)
        y[nz] = x2[nz] / self.w[nz, None]
        fitted = self.q @ (self.q.T @ y)
        out = x2 - fitted * self.w[:, None]
        out[~nz] = x2[~nz]
        return out[:, 0] if one_d else out


@dataclass(frozen=True, eq=False)
class WeightingRecord:
    """What one weighting step did, for :func:`pewlike.weightstats.weight_summary`.

    Attributes
    ----------
    method : str
        ``"rake"``, ``"poststratify"``, ``"calibrate"`` or ``"trim"``.
    margins : pandas.DataFrame or None
        One row per target cell: ``variable, level, target, achieved, difference``
        (shares of the weighted total for margins; totals for numeric controls).
    iterations : int or None
        Sweeps (raking) or Newton steps (calibration) used.
    converged : bool
        Whether the tolerance was met.
    tolerance : float or None
        The tolerance asked for.
    n_trimmed : int
        Respondents whose weight was trimmed (``trim``).
    share_trimmed : float
        ``n_trimmed`` over the number of respondents.
    weight_moved : float
        Share of the total weight moved by trimming.
    options : dict
        The call's options (calfun, bounds, thresholds...).
    """

    method: str
    margins: "pd.DataFrame | None" = None
    iterations: int | None = None
    converged: bool = True
    tolerance: float | None = None
    n_trimmed: int = 0
    share_trimmed: float = 0.0
    weight_moved: float = 0.0
    options: dict = field(default_factory=dict)


class WeightingNote(str):
    """A history note (plain text) that carries the :class:`WeightingRecord` of its step."""

    record: WeightingRecord

    def __new__(cls, text: str, record: WeightingRecord) -> "WeightingNote":
        obj = super().__new__(cls, text)
        obj.record = record
        return obj


def last_record(history: tuple) -> WeightingRecord | None:
    """The record of the most recent weighting step in a survey's history, if any."""
    for note in reversed(tuple(history)):
        rec: Any = getattr(note, "record", None)
        if isinstance(rec, WeightingRecord):
            return rec
    return None
