"""Raking a partitioned survey on its joint-cell table.

Raking only needs the weighted totals of the occupied cells of the cross-classification of
its margins.  One pass collapses every partition to those cells (weights, respondents and,
for replicate designs, every replicate's weights summed per cell); the sums are added up,
the targets are matched and the iterations run in memory with the in-memory code
(:func:`pewlike.weighting.targets.build_margins`, :func:`pewlike.weighting.raking.ipf`) on that small table; the
new weights are a per-row factor looked up from each row's cell when partitions are next
read.  Linearised variances then use R's raking residuals computed from per-cell sums
(:func:`pewlike.partitioned.rowvar.raking_term`); replicate designs rake every replicate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import RakingError
from pewlike.partitioned.engine import Pairs, RakeFactors, State, column_codes, run_pass

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.partitioned.engine import Level, Prep, Sums
    from pewlike.partitioned.frame import PartitionedFrame

    #: Raking targets: ``{variable or (variables...): targets}`` (targets as a dict, Series or
    #: DataFrame of cells, see :mod:`pewlike.weighting.targets`), or a list of target tables.
    Margins = (
        Mapping[str, Any]
        | Mapping[tuple[str, ...], Any]
        | Mapping[str | tuple[str, ...], Any]
        | Sequence[pd.DataFrame | pd.Series]
    )

__all__ = ["rake"]


def _collapse(pdf: pd.DataFrame, prep: Prep, params: tuple[tuple[str, ...], tuple[Level, ...]]) -> Sums:
    cols, levels = params
    active = prep.dom & (prep.w > 0)
    key = np.zeros(len(pdf), dtype=np.int64)
    stride = 1
    for col, lev in zip(cols, levels):
        key += (column_codes(pdf, col, lev) + 1) * stride
        stride *= len(lev.values) + 1
    cols_ = [prep.w[active], np.ones(int(active.sum()))]
    if prep.rep is not None:
        cols_.extend(prep.rep[:, active])  # one column per replicate
    return {"cells": Pairs.of(key[active], np.column_stack(cols_))}


def _decode(keys: np.ndarray, cols: Sequence[str], levels: Sequence[Level], meta: pd.DataFrame) -> pd.DataFrame:
    """The collapsed table: one row per occupied key, with the raking columns' values."""
    import pandas as pd

    out: dict[str, pd.Categorical | pd.Series] = {}
    rem = keys.copy()
    for col, lev in zip(cols, levels):
        k = len(lev.values) + 1
        code = rem % k - 1
        rem = rem // k
        if lev.categorical:
            out[col] = pd.Categorical.from_codes(code, categories=lev.index(), ordered=lev.ordered)
        else:
            dtype = meta[col].dtype
            # pandas-stubs: no pd.array overload takes a column's dtype (np.dtype | ExtensionDtype)
            vals = pd.array(list(lev.values), dtype=dtype) if lev.values else pd.array([], dtype=dtype)  # type: ignore[arg-type]
            take = (
                pd.Series(vals).take(np.clip(code, 0, None)).reset_index(drop=True)
                if len(vals)
                else pd.Series([None] * code.size, dtype=dtype)
            )
            out[col] = take.where(code >= 0)
    return pd.DataFrame(out)


def rake(
    pf: PartitionedFrame,
    margins: Margins,
    *,
    max_iter: int = 50,
    tol: float = 1e-7,
    total: float | None = None,
    bounds: tuple[float, float] | None = None,
    cap: float | None = None,
) -> PartitionedFrame:
    """Rake the weights of a partitioned survey to marginal targets.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey (the backend of a partitioned :class:`pewlike.Survey`).
    margins : dict or list
        ``{"F_AGECAT": {"18-29": .21, ...}, ("F_SEX", "F_EDUCCAT"): {...}}``: each margin a
        variable or a joint cell of several, with targets as proportions or totals;
        as :func:`pewlike.weighting.raking.rake`.
    max_iter : int
        Maximum number of sweeps over the margins.
    tol : float
        Stop when every target cell's weighted share is within ``tol`` of its target.
    total : float, optional
        Population total the weights should sum to.
    bounds, cap
        Not available on partitioned surveys (bounded raking and capping need every row);
        raking is done on the joint-cell table instead.

    Returns
    -------
    PartitionedFrame
        With raked weights (a factor per joint cell, applied as partitions are read).

    Raises
    ------
    RakingError
        Bad targets or no convergence, as :func:`pewlike.weighting.raking.rake`; the best weights are
        not attached (they are never all in one process).

    Notes
    -----
    Equivalent to R survey's ``rake(design, list(~a, ~b), list(pop_a, pop_b))``; standard
    errors as ``svyrecvar`` computes them for raked designs.  The weights equal those of
    :func:`pewlike.weighting.raking.rake` on the same data to rounding.  Counts of respondents in
    error messages about unmatched categories are counts of distinct cells.
    """
    from pewlike.design.frame import SurveyFrame
    from pewlike.weighting.rake_core import check_rake_options, margin_totals, rake_note
    from pewlike.weighting.raking import _nonconvergence, ipf
    from pewlike.weighting.steps import raking_step
    from pewlike.weighting.target_shapes import normalize
    from pewlike.weighting.targets import Cells, build_margins

    if bounds is not None or cap is not None:
        raise RakingError(
            "bounds= and cap= are not available on a partitioned survey (they need every row); rake "
            "without them, or collect()/sample() the survey and rake in memory"
        )
    check_rake_options(max_iter, tol)
    spec = normalize(margins, pf.resolve)
    cols = tuple(dict.fromkeys(c for cs, _ in spec for c in cs))
    levels = tuple(pf._level(c) for c in cols)
    d = pf._ddesign
    sums = run_pass(pf, list(cols), _collapse, (cols, levels))["cells"]
    if sums.keys.size == 0:
        raise RakingError("no respondent with a positive weight in this domain; nothing to rake")
    table = _decode(sums.keys, cols, levels, pf._ddf._meta)
    table["__weight"] = sums.values[:, 0]
    count = sums.values[:, 1]
    rep = d.variance.replicate_totals(sums.values)
    cb = pf._codebook.select(list(cols))
    small = SurveyFrame.build(table, weights="__weight", codebook=cb)
    ms, _, cells = build_margins(small, margins, total=total)
    ncell = cells.w.shape[0]
    real = np.bincount(cells.cell, weights=count, minlength=ncell)
    cells = Cells(cells.cell, cells.codes, cells.w, real.astype(np.int64))
    res = ipf(cells, [m.target for m in ms], max_iter=max_iter, tol=tol, rep=rep)  # as in memory
    if not res.converged:  # the weights are never all in one process: none on the error
        raise RakingError(_nonconvergence(ms, res, max_iter, "raking"), weights=None)
    ncells = [m.ncell for m in ms]
    step = raking_step(np.arange(ncell), list(cells.codes), ncells, res.factor, res.last, np.ones(ncell))
    factors = RakeFactors(
        columns=cols,
        levels=levels,
        keys=sums.keys,
        jcell=cells.cell.astype(np.int64),
        factor=res.factor,
        rep_factor=res.rep_factor,
        ndomain=len(pf._state.domain),
        codes=tuple(cells.codes),
        ncells=tuple(ncells),
        scale=tuple(step.scale),
        count=real,
        call=(margins, {"max_iter": max_iter, "tol": tol, "total": total}),
    )
    joint = margin_totals(cells, ms, res.factor)
    note = rake_note(
        ms,
        iterations=res.iterations,
        tol=tol,
        options={"max_iter": max_iter, "total": total, "cap": None},
        before=joint.before,
        unweighted=joint.unweighted,
        achieved=joint.achieved,
    )
    state = State(pf._state.design, pf._state.domain, pf._state.steps + (factors,))
    return pf._evolve(state=state, history=pf._history + (note,))
