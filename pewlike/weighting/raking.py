"""Raking (iterative proportional fitting) and post-stratification.

Raking only ever needs the weighted totals of the cells of the cross-classification of
its margins: every respondent in a cell gets the same adjustment factor.  The sample is
therefore collapsed once (one ``np.bincount``) to its occupied cells, the iterations run
on that small table, and the weights are expanded back with one multiplication -- so a
million rows rake in a few hundredths of a second and memory stays O(rows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import RakingError
from pewlike.weighting.rake_backend import RakeBackend, RakeTable, rake_backend
from pewlike.weighting.rake_core import check_rake_options, margin_totals, rake_note
from pewlike.weighting.steps import PostStratStep, WeightingNote, WeightingRecord
from pewlike.weighting.targets import Cells, Margin, build_margins, cell_totals, group_rows, margins_frame

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame

__all__ = ["IPFResult", "ipf", "poststratify", "rake"]


@dataclass(frozen=True, eq=False)
class IPFResult:
    """Adjustment factors of raking.

    Attributes
    ----------
    factor : ndarray
        Final weight / starting weight of each joint cell (:class:`~pewlike.weighting.targets.Cells`),
        or of each row for capped raking.
    rep_factor : ndarray (cells, R) or None
        The same for every replicate column.
    last : list of ndarray
        Factor of each cell of each margin in the last sweep (for the variance).
    iterations : int
    converged : bool
    gap : float
        Largest |achieved - target| share after the last sweep.
    worst : tuple
        (margin index, cell index) of that gap.
    """

    factor: np.ndarray
    rep_factor: np.ndarray | None
    last: list
    iterations: int
    converged: bool
    gap: float
    worst: tuple


def ipf(
    cells: Cells, targets: list[np.ndarray], *, max_iter: int = 50, tol: float = 1e-7, rep: np.ndarray | None = None
) -> IPFResult:
    """Iterative proportional fitting of the joint-cell table to its margins.

    Parameters
    ----------
    cells : Cells
        The weighted sample collapsed to joint cells (:func:`pewlike.weighting.targets.joint_cells`).
    targets : list of ndarray (k,)
        Target total of every cell of every margin (all margins share one total).
    max_iter : int
        Maximum number of sweeps over the margins.
    tol : float
        Converged when every cell's share is within ``tol`` of its target share.
    rep : ndarray (n, R), optional
        Replicate weights of all rows, raked in step with the full-sample weights.

    Returns
    -------
    IPFResult
        Factors per joint cell.

    Notes
    -----
    Equivalent to R survey's ``rake()`` (iterated ``postStratify``); the fixed point is
    the same, the stopping rule is on shares rather than on changes of the joint table.
    """
    sizes = [int(t.shape[0]) for t in targets]
    cell_codes = cells.codes
    ncell = int(cells.w.shape[0])
    cur = cells.w.astype(float, copy=True)
    G = np.ones(ncell)
    total = float(targets[0].sum())
    cur_r = G_r = None
    if rep is not None:
        cur_r = group_rows(cells.cell, rep, ncell)
        G_r = np.ones_like(cur_r)
    best = (np.inf, G.copy(), (0, 0))
    last = [np.ones(k) for k in sizes]
    it, gap, worst, converged = 0, np.inf, (0, 0), False
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is read after the loop)
        for j, (cc, tgt, k) in enumerate(zip(cell_codes, targets, sizes)):
            f = tgt / np.bincount(cc, weights=cur, minlength=k)
            last[j] = f
            cur *= f[cc]
            G *= f[cc]
            if cur_r is not None:
                s_r = group_rows(cc, cur_r, k)
                with np.errstate(divide="ignore", invalid="ignore"):
                    f_r = np.where(s_r > 0, tgt[:, None] / s_r, 1.0)
                cur_r *= f_r[cc]
                G_r *= f_r[cc]
        gap, worst = _gap(cell_codes, targets, sizes, cur, total)
        if cur_r is not None:
            gap = max(gap, _rep_gap(cell_codes, targets, sizes, cur_r, total))
        if gap < best[0]:
            best = (gap, G.copy(), worst)
        if gap < tol:
            converged = True
            break
    if not converged:
        gap, G, worst = best
    return IPFResult(G, G_r, last, it, converged, float(gap), worst)


def _gap(cell_codes, targets, sizes, cur, total):
    gap, worst = -1.0, (0, 0)
    for j, (cc, tgt, k) in enumerate(zip(cell_codes, targets, sizes)):
        d = np.abs(np.bincount(cc, weights=cur, minlength=k) - tgt) / total
        i = int(np.argmax(d))
        if d[i] > gap:
            gap, worst = float(d[i]), (j, i)
    return gap, worst


def _rep_gap(cell_codes, targets, sizes, cur_r, total):
    gap = 0.0
    for cc, tgt, k in zip(cell_codes, targets, sizes):
        s = group_rows(cc, cur_r, k)
        d = np.where(s > 0, np.abs(s - tgt[:, None]), 0.0) / total
        gap = max(gap, float(d.max()))
    return gap


def _capped_ipf(w0, codes, targets, *, max_iter, tol, cap):
    """Raking with weights capped at ``cap`` x their mean after every sweep (row level)."""
    sizes = [int(t.shape[0]) for t in targets]
    w = w0.copy()
    total = float(targets[0].sum())
    last = [np.ones(k) for k in sizes]
    best = (np.inf, w.copy(), (0, 0))
    it, gap, worst, converged = 0, np.inf, (0, 0), False
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is read after the loop)
        for j, (cc, tgt, k) in enumerate(zip(codes, targets, sizes)):
            f = tgt / np.bincount(cc, weights=w, minlength=k)
            last[j] = f
            w *= f[cc]
        limit = cap * w.mean()
        over = w > limit * (1 + 1e-12)
        w = np.minimum(w, limit)
        gap, worst = _gap(codes, targets, sizes, w, total)
        if gap < best[0]:
            best = (gap, w.copy(), worst)
        if gap < tol and not over.any():
            converged = True
            break
    if not converged:
        gap, w, worst = best
    return IPFResult(w / w0, None, last, it, converged, float(gap), worst)


def _nonconvergence(margins: list[Margin], res: IPFResult, max_iter: int, what: str, cap=None) -> str:
    m = margins[res.worst[0]]
    lab = m.labels[res.worst[1]]
    lab = ":".join(lab) if isinstance(lab, tuple) else lab
    capped = f"; cap={cap:g} leaves room to reach the targets" if cap is not None else ""
    return (
        f"{what} did not converge after {max_iter} iterations (largest gap: {m.name} {lab!r} "
        f"{100 * res.gap:.3g} points). Check: targets sum to 1 per variable; joint and single margins "
        f"agree; no empty sample cells{capped}; raise max_iter. The best weights reached are on the "
        "error's .weights"
    )


def rake(
    sf: SurveyFrame | RakeBackend | Any,
    margins: Mapping[Any, Any] | Sequence[Any],
    *,
    max_iter: int = 50,
    tol: float = 1e-7,
    total: float | None = None,
    bounds: tuple[float, float] | None = None,
    cap: float | None = None,
) -> Any:
    """Rake the weights to marginal targets (iterative proportional fitting).

    Written once for every backend: it asks its :class:`~pewlike.weighting.rake_backend.RakeBackend`
    for the joint-cell table of the margins, rakes that table with :func:`ipf` and hands the
    factors back to the backend to apply.  Capped and bounded raking need every row (in
    memory only).

    Parameters
    ----------
    sf : SurveyFrame, RakeBackend or a frame with ``rake_backend()``
        The survey (its backend: rows in memory, or a partitioned frame).
    margins : dict or list
        ``{"F_AGECAT": {"18-29": .21, ...}, ("F_SEX", "F_EDUCCAT"): {...}}``: each margin a
        variable or a joint cell of several, with targets as proportions or totals (dict,
        Series, or a DataFrame of cells); see :mod:`pewlike.weighting.targets`.
    max_iter : int
        Maximum number of sweeps over the margins.
    tol : float
        Stop when every target cell's weighted share is within ``tol`` of its target.
    total : float, optional
        Population total the weights should sum to; by default the totals given, or (for
        proportions) the current sum of weights.
    bounds : (float, float), optional
        Bounds on the adjustment factors (new / old weight): bounded raking, done by
        :func:`pewlike.weighting.calibration.calibrate` with ``calfun="raking"``.
    cap : float, optional
        Cap on the weights, as a multiple of their mean, applied after every sweep (weights
        above ``cap`` times the mean weight of that sweep are set to it); converged weights
        hit the targets and stay below ``cap`` times their mean.

    Returns
    -------
    SurveyFrame or the backend's frame
        Raked weights (starting from the current ones).  Linearised variances account for
        the raking; replicate designs rake every replicate.

    Raises
    ------
    RakingError
        Bad targets (see :func:`pewlike.weighting.targets.build_margins`) or no convergence (the
        best weights reached are on ``.weights`` where all rows are in memory); ``bounds=`` or
        ``cap=`` on a backend without all rows.

    Notes
    -----
    Equivalent to R survey's ``rake(design, list(~a, ~b), list(pop_a, pop_b))`` (and
    ``pewmethods::rake_survey``); standard errors as ``svyrecvar`` computes them for raked
    designs.  With ``cap``, the variance uses the raking residuals with the capped
    weights (R has no capped raking).

    Examples
    --------
    >>> import pewlike as pw
    >>> svy = pw.demo().subset("F_SEX != 'Refused'")
    >>> raked = svy.rake({"F_SEX": {"Male": 0.48, "Female": 0.52}})
    >>> round(float(raked.proportion("F_SEX").estimate[0]), 6)
    0.48
    """
    be = rake_backend(sf)
    if bounds is not None or cap is not None:  # row-level: a backend without all rows refuses
        rows = be.rows()
        if bounds is not None:
            from pewlike.weighting.calibration import calibrate

            return calibrate(
                rows,
                margins,
                calfun="raking",
                bounds=bounds,
                max_iter=max_iter,
                epsilon=tol,
                total=total,
                method="rake",
            )
    check_rake_options(max_iter, tol, cap)
    table = be.table(margins, total=total)
    ms = table.margins
    targets = [m.target for m in ms]
    achieved: list[np.ndarray] | None
    if cap is None:  # the joint-cell raking, the same on every backend
        res = ipf(table.cells, targets, max_iter=max_iter, tol=tol, rep=table.rep)
        tot = margin_totals(table.cells, ms, res.factor)
        achieved, before, counts = tot.achieved, tot.before, tot.unweighted
    else:  # capping is row-level (each sweep caps rows)
        table, res, before, counts = _capped(rows, table, max_iter=max_iter, tol=tol, cap=cap)
        achieved = None
    w = be.weights(table, res.factor)
    if not res.converged:  # the best weights go on the error where all rows are at hand
        raise RakingError(_nonconvergence(ms, res, max_iter, "raking", cap), weights=w)
    options = {"max_iter": max_iter, "total": total, "cap": cap}
    note = rake_note(
        ms,
        iterations=res.iterations,
        tol=tol,
        options=options,
        before=before,
        unweighted=counts,
        achieved=achieved,
        weights=w,
    )
    return be.apply(table, res, w, note, call=(margins, {"max_iter": max_iter, "tol": tol, "total": total}))


def _capped(
    sf: SurveyFrame, table: RakeTable, *, max_iter: int, tol: float, cap: float
) -> tuple[RakeTable, IPFResult, list[np.ndarray], list[np.ndarray]]:
    """Capped raking of the rows in memory: every raked row its own cell of the table."""
    d = sf.design
    if d.repweights is not None:
        raise RakingError("cap= is not available for replicate-weight designs; trim afterwards with trim_weights()")
    ms = table.margins
    rows = np.flatnonzero(sf.design.in_domain & (d.weights > 0))
    codes = [m.code[rows] for m in ms]
    res = _capped_ipf(d.weights[rows], codes, [m.target for m in ms], max_iter=max_iter, tol=tol, cap=cap)
    before = [cell_totals(m.code, m.ncell, d.weights) for m in ms]
    counts = [cell_totals(m.code, m.ncell) for m in ms]
    cell_of_row = np.full(d.weights.shape[0], -1, dtype=np.int64)
    cell_of_row[rows] = np.arange(rows.size)  # every raked row its own cell
    cells = Cells(cell_of_row, codes, d.weights[rows], np.ones(rows.size, dtype=np.int64))
    return RakeTable(ms, cells, None), res, before, counts


def poststratify(
    sf: SurveyFrame,
    vars: str | Sequence[str],
    population: Mapping[Any, float] | pd.Series | pd.DataFrame,
    *,
    partial: bool = False,
    total: float | None = None,
) -> SurveyFrame:
    """Post-stratify: scale the weights so each cell's total equals its population count.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    vars : str or list of str
        The post-stratification variable(s); several give their joint cells.
    population : dict, Series or DataFrame
        Count (or share) of every cell: ``{"E": 4421, "H": 755, "M": 1018}``, a Series with
        a MultiIndex, or a DataFrame with one column per variable and a ``Freq`` column.
    partial : bool
        Ignore population cells that have no respondents (with a warning) instead of
        raising.
    total : float, optional
        Population total when ``population`` holds shares (default: current weight sum).

    Returns
    -------
    SurveyFrame

    Raises
    ------
    RakingError
        A cell without respondents (unless ``partial``), a sample cell without a
        population count, missing values in ``vars``, negative counts.

    Notes
    -----
    Equivalent to R survey's ``postStratify(design, ~vars, population, partial=)``;
    replicate designs post-stratify every replicate (``postStratify.svyrep.design``), and
    linearised variances use post-stratum residuals as ``svyrecvar``.
    """
    cols = (vars,) if isinstance(vars, str) else tuple(vars)
    d = sf.design
    ms, _active, cells = build_margins(sf, {cols: population}, total=total, what="post-stratification", partial=partial)
    m = ms[0]
    have = cells.margin_totals(0, m.ncell)
    ratio = m.target / have
    w = np.append(ratio, 1.0)[m.code] * d.weights
    reps = None
    if d.repweights is not None:
        s_r = group_rows(m.code, d.repweights, m.ncell)
        with np.errstate(divide="ignore", invalid="ignore"):
            f_r = np.where(s_r > 0, m.target[:, None] / s_r, 1.0)
        reps = d.repweights * np.vstack([f_r, np.ones((1, f_r.shape[1]))])[m.code]
    record = WeightingRecord(
        "poststratify",
        margins_frame(
            ms, achieved=[have * ratio], before=[have], unweighted=[cells.margin_totals(0, m.ncell, cells.count)]
        ),
        None,
        True,
        None,
        options={"partial": partial},
    )
    note = WeightingNote(f"post-stratified on {m.name} ({m.ncell} cells)", record)
    # the variance method keeps what it uses: the residual step, or the re-weighted replicates
    step = PostStratStep(m.code, ratio, d.weights)
    return sf.with_weights(w, repweights=reps, calibration=d.calibration + (step,), note=note)
