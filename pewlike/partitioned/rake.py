"""Raking a partitioned survey on its joint-cell table: the backend :func:`pewlike.weighting.raking.rake` asks.

Raking only needs the weighted totals of the occupied cells of the cross-classification of
its margins.  :meth:`PartitionedRake.table` collapses every partition to those cells in one
pass (weights, respondents and, for replicate designs, every replicate's weights summed per
cell); the sums are added up and the targets matched with the in-memory code
(:func:`pewlike.weighting.targets.build_margins`) on that small table.  ``rake`` (written
once, in :mod:`pewlike.weighting.raking`) runs the iterations there;
:meth:`PartitionedRake.apply` records the factors as a per-row factor looked up from each
row's cell when partitions are next read.  Linearised variances then use R's raking
residuals computed from per-cell sums (:func:`pewlike.partitioned.rowvar.raking_term`);
replicate designs rake every replicate.  Capped and bounded raking need every row: they are
refused here (:meth:`PartitionedRake.rows`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import RakingError
from pewlike.partitioned.engine import Pairs, RakeFactors, State, column_codes, run_pass
from pewlike.weighting.rake_backend import RakeTable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.partitioned.engine import Level, Prep, Sums
    from pewlike.partitioned.frame import PartitionedFrame
    from pewlike.weighting.raking import IPFResult
    from pewlike.weighting.steps import WeightingNote


__all__ = ["PartitionedRake", "PartitionedRakeTable"]


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


@dataclass(frozen=True, eq=False)
class PartitionedRakeTable(RakeTable):
    """The joint-cell table of a partitioned survey: units are the occupied keys of its raking columns.

    Attributes
    ----------
    columns : tuple of str
        The raking columns.
    levels : tuple of Level
        Their categories.
    keys : ndarray
        Sorted keys (``sum (code + 1) * stride``) of the collapsed units.
    """

    columns: tuple[str, ...] = ()
    levels: tuple[Level, ...] = ()
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


@dataclass(frozen=True, eq=False)
class PartitionedRake:
    """Raking's questions to a partitioned survey.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey (the backend of a partitioned :class:`pewlike.Survey`).
    """

    pf: PartitionedFrame

    def rows(self) -> SurveyFrame:
        """Refused: bounded and capped raking need every row in one process.

        Returns
        -------
        SurveyFrame
            Never.

        Raises
        ------
        RakingError
            Always, naming the way out (rake without them, or collect()/sample() first).
        """
        raise RakingError(
            "bounds= and cap= are not available on a partitioned survey (they need every row); rake "
            "without them, or collect()/sample() the survey and rake in memory"
        )

    def table(self, margins: Mapping[Any, Any] | Sequence[Any], *, total: float | None) -> PartitionedRakeTable:
        """Collapse the partitions to the joint cells of the margins (one pass) and match the targets.

        Parameters
        ----------
        margins : dict or list
            Targets in any shape of :mod:`pewlike.weighting.targets`.
        total : float, optional
            Population total for margins given as proportions.

        Returns
        -------
        PartitionedRakeTable
            Units are the occupied keys; ``cells.count`` the respondents of each joint cell,
            ``rep`` each replicate's weight total of each key.

        Raises
        ------
        RakingError
            No respondent with a positive weight, or bad targets (counts of respondents in
            messages about unmatched categories are counts of distinct cells).
        """
        from pewlike.design.frame import SurveyFrame
        from pewlike.weighting.target_shapes import normalize
        from pewlike.weighting.targets import Cells, build_margins

        pf = self.pf
        spec = normalize(margins, pf.resolve)
        cols = tuple(dict.fromkeys(c for cs, _ in spec for c in cs))
        levels = tuple(pf._level(c) for c in cols)
        sums = run_pass(pf, list(cols), _collapse, (cols, levels))["cells"]
        if sums.keys.size == 0:
            raise RakingError("no respondent with a positive weight in this domain; nothing to rake")
        small_table = _decode(sums.keys, cols, levels, pf._ddf._meta)
        small_table["__weight"] = sums.values[:, 0]
        count = sums.values[:, 1]
        rep = pf._ddesign.variance.replicate_totals(sums.values)
        cb = pf._codebook.select(list(cols))
        small = SurveyFrame.build(small_table, weights="__weight", codebook=cb)
        ms, _, cells = build_margins(small, margins, total=total)
        real = np.bincount(cells.cell, weights=count, minlength=cells.w.shape[0])
        cells = Cells(cells.cell, cells.codes, cells.w, real.astype(np.int64))
        return PartitionedRakeTable(ms, cells, rep, columns=cols, levels=levels, keys=sums.keys)

    def weights(self, table: RakeTable, factor: np.ndarray) -> None:
        """None: the weights are never all in one process.

        Parameters
        ----------
        table : RakeTable
        factor : ndarray

        Returns
        -------
        None
        """
        return None

    def apply(
        self,
        table: RakeTable,
        res: IPFResult,
        weights: np.ndarray | None,
        note: WeightingNote,
        *,
        call: tuple[Any, dict[str, Any]],
    ) -> PartitionedFrame:
        """The survey with a raking step: a factor per joint cell, applied as partitions are read.

        Parameters
        ----------
        table : PartitionedRakeTable
            From :meth:`table`.
        res : IPFResult
            The converged raking of ``table``.
        weights : None
            Unused (no rows at hand).
        note : WeightingNote
            The history note.
        call : (margins, options)
            The ``rake`` call, kept to replay it in memory.

        Returns
        -------
        PartitionedFrame

        Notes
        -----
        The weights equal those of raking the same data in memory to rounding (R survey's
        ``rake()``); standard errors as ``svyrecvar`` computes them for raked designs.
        """
        from pewlike.weighting.steps import raking_step

        assert isinstance(table, PartitionedRakeTable)
        pf = self.pf
        cells = table.cells
        ncell = cells.w.shape[0]
        ncells = [m.ncell for m in table.margins]
        step = raking_step(np.arange(ncell), list(cells.codes), ncells, res.factor, res.last, np.ones(ncell))
        factors = RakeFactors(
            columns=table.columns,
            levels=table.levels,
            keys=table.keys,
            jcell=cells.cell.astype(np.int64),
            factor=res.factor,
            rep_factor=res.rep_factor,
            ndomain=len(pf._state.domain),
            codes=tuple(cells.codes),
            ncells=tuple(ncells),
            scale=tuple(step.scale),
            count=cells.count.astype(float),
            call=call,
        )
        state = State(pf._state.design, pf._state.domain, pf._state.steps + (factors,))
        return pf._evolve(state=state, history=pf._history + (note,))
