"""Calibration steps kept on a design, and the record of what a weighting step did.

A weighting verb (``rake``, ``poststratify``, ``calibrate``) returns a new
:class:`~pewlike.survey.Survey` whose :class:`~pewlike.design.structure.Design` carries one
more *calibration step* in ``design.calibration``.  The variance engine calls every
step's ``residuals(x)`` on the row-level influence values, in order, before
aggregating them to sampling units -- exactly what R's ``svyrecvar`` does with the
``postStrata`` list of a calibrated design.

Every weighting verb (``trim_weights`` too) also appends a :class:`WeightingNote` to
the survey's history: a plain string for people that carries a frozen
:class:`WeightingRecord` (targets, achieved margins, iterations, convergence, trimmed
share).  :func:`pewlike.weighting.summary.weight_summary` reads the last one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "GregStep",
    "PostStratStep",
    "RakingStep",
    "WeightingNote",
    "WeightingRecord",
    "last_record",
    "raking_step",
]


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
        """Influence values after post-stratification.

        Parameters
        ----------
        x : ndarray (n,) or (n, k)
            Row-level influence values computed with the post-stratified weights.

        Returns
        -------
        ndarray, shape like ``x``
        """
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

    Raked weights are the starting weights times a factor that depends only on the joint
    cell of the raking margins, and so are the weights after each margin's last
    post-stratification.  The projections of R's variance therefore run on the table of
    joint cells: one pass over the rows to sum the influence values by cell, one pass to
    subtract the accumulated cell means.

    Attributes
    ----------
    cell : ndarray (n,) of int
        Joint cell of every row (-1 for rows that were not raked).
    codes : tuple of ndarray
        For every margin (in raking order), its cell of every joint cell.
    ncells : tuple of int
        Number of cells of each margin.
    scale : tuple of ndarray
        For every margin, the weights just after it was post-stratified in the last sweep,
        divided by the starting weights, per joint cell.
    w0 : ndarray (n,)
        Starting weights.
    sweeps : int
        Passes of the projection (R uses 10).

    Notes
    -----
    Equivalent to the ``"raking"`` branch of R survey's ``svyrecvar`` for designs made by
    ``rake()``: ten passes of ``x <- x - psw * ave(x / psw, margin)`` over the margins,
    where ``psw`` are the weights just after that margin was post-stratified in the last
    raking sweep (R's ``attr(margin, "weights")``).  Rows with zero weight are left out of
    the cell means (R would give NaN there).
    """

    cell: np.ndarray
    codes: tuple
    ncells: tuple
    scale: tuple
    w0: np.ndarray
    sweeps: int = 10

    def residuals(self, x: np.ndarray) -> np.ndarray:
        """Influence values after raking.

        Parameters
        ----------
        x : ndarray (n,) or (n, k)
            Row-level influence values computed with the raked weights.

        Returns
        -------
        ndarray, shape like ``x``
        """
        x2, one_d = _as_2d(x)
        keep = self.cell >= 0
        ncell = self.codes[0].shape[0]
        cell = np.where(keep, self.cell, 0)
        y = np.zeros_like(x2)
        y[keep] = x2[keep] / self.w0[keep, None]
        S0 = np.asarray(_indicator(cell, ncell, keep) @ y)  # sums of x / w0 by joint cell
        n_e = np.bincount(cell[keep], minlength=ncell).astype(float)
        counts = [np.maximum(np.bincount(c, weights=n_e, minlength=k), 1.0) for c, k in zip(self.codes, self.ncells)]
        D = np.zeros_like(S0)  # accumulated c_j * mean_j per joint cell
        for _ in range(self.sweeps):
            for c, k, sc, cnt in zip(self.codes, self.ncells, self.scale, counts):
                T = (S0 - n_e[:, None] * D) / sc[:, None]
                m = _group_sum(c, T, k) / cnt[:, None]
                D += sc[:, None] * m[c]
        out = x2 - (self.w0 * keep)[:, None] * D[cell]
        return out[:, 0] if one_d else out


def _group_sum(code: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    out = np.empty((k, values.shape[1]))
    for j in range(values.shape[1]):  # a loop over statistics, on a table of cells
        out[:, j] = np.bincount(code, weights=values[:, j], minlength=k)
    return out


def raking_step(
    cell: np.ndarray,
    cell_codes: Sequence[np.ndarray],
    ncells: Sequence[int],
    factor: np.ndarray,
    last: Sequence[np.ndarray],
    w0: np.ndarray,
) -> RakingStep:
    """The :class:`RakingStep` of a raking whose final factor per joint cell is ``factor``.

    The weights right after margin j was post-stratified are the final ones divided by the
    factors of the later margins.

    Parameters
    ----------
    cell : ndarray (n,) of int
        Joint cell of every row (-1: not raked).
    cell_codes : sequence of ndarray
        For every margin, its cell of every joint cell.
    ncells : sequence of int
        Number of cells of each margin.
    factor : ndarray (cells,)
        Final weight / starting weight of every joint cell.
    last : sequence of ndarray
        ``last[j]``: margin j's factors in the last sweep.
    w0 : ndarray (n,)
        Starting weights.

    Returns
    -------
    RakingStep
    """
    scale: list[np.ndarray] = []  # filled from the last margin back, then put in margin order
    c = np.asarray(factor, dtype=float).copy()
    for j in range(len(cell_codes) - 1, -1, -1):
        scale.append(c.copy())
        c /= last[j][cell_codes[j]]
    scale.reverse()
    return RakingStep(cell, tuple(cell_codes), tuple(ncells), tuple(scale), w0)


@dataclass(frozen=True, eq=False)
class GregStep:
    """Generalised regression (g-) calibration: residuals of a weighted projection.

    The controls are stored per *unit*: a unit is a row, or -- when every control is a
    category indicator -- a joint cell of the margins, whose rows share their controls and
    their calibration factor.

    Attributes
    ----------
    unit : ndarray (n,) of int
        Unit of every row (-1 for rows that were not calibrated).
    xu : ndarray (u, p)
        Calibration controls of every unit.
    ginv : ndarray (p, p)
        (Pseudo-)inverse of ``sum_i w0_i x_i x_i'``.
    gu : ndarray (u,)
        Calibration factor ``g`` of every unit.
    w0 : ndarray (n,)
        Weights before calibration.
    identity : bool
        The units are the rows, in order (``unit == arange(n)``).

    Notes
    -----
    Equivalent to the g-calibration branch of R survey's ``svyrecvar``:
    ``qr.resid(cal$qr, x / cal$w) * cal$w`` with ``cal$qr`` the QR factorisation of
    ``X * sqrt(w0)`` and ``cal$w = g * sqrt(w0)``; written out, row i's residual is
    ``x_i - w0_i g_i x_i' (X' W0 X)^- X' (x / g)``.  Rows not calibrated are unchanged.
    """

    unit: np.ndarray
    xu: np.ndarray
    ginv: np.ndarray
    gu: np.ndarray
    w0: np.ndarray
    identity: bool = False

    def residuals(self, x: np.ndarray) -> np.ndarray:
        """Influence values after g-calibration.

        Parameters
        ----------
        x : ndarray (n,) or (n, k)
            Row-level influence values computed with the calibrated weights.

        Returns
        -------
        ndarray, shape like ``x``
        """
        x2, one_d = _as_2d(x)
        keep = self.unit >= 0
        nu = self.xu.shape[0]
        unit = np.where(keep, self.unit, 0)
        g = self.gu[unit]
        y = np.zeros_like(x2)
        y[keep] = x2[keep] / g[keep, None]
        if self.identity:
            s = y
        else:
            s = np.asarray(_indicator(unit, nu, keep) @ y)  # sums of x / g by unit
        fitted = self.xu @ (self.ginv @ (s.T @ self.xu).T)  # (s' X)': fast for a tall X
        out = x2 - (self.w0 * g * keep)[:, None] * fitted[unit]
        return out[:, 0] if one_d else out


@dataclass(frozen=True, eq=False)
class WeightingRecord:
    """What one weighting step did, for :func:`pewlike.weighting.summary.weight_summary`.

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
    margins: pd.DataFrame | None = None
    iterations: int | None = None
    converged: bool = True
    tolerance: float | None = None
    n_trimmed: int = 0
    share_trimmed: float = 0.0
    weight_moved: float = 0.0
    options: dict = field(default_factory=dict)


class WeightingNote(str):
    """A history note (plain text) that carries the :class:`WeightingRecord` of its step."""

    record: WeightingRecord | None

    def __new__(cls, text: str, record: WeightingRecord | None = None) -> WeightingNote:
        obj = super().__new__(cls, text)
        obj.record = record
        return obj


def last_record(history: tuple) -> WeightingRecord | None:
    """The record of the most recent weighting step in a survey's history, if any.

    Parameters
    ----------
    history : tuple
        The survey's history notes, oldest first.

    Returns
    -------
    WeightingRecord or None
    """
    for note in reversed(tuple(history)):
        rec: Any = getattr(note, "record", None)
        if isinstance(rec, WeightingRecord):
            return rec
    return None
