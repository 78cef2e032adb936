"""What :func:`pewlike.weighting.raking.rake` asks a backend for.

``rake`` is written once against :class:`RakeBackend`: the joint-cell table of its margins
(:meth:`RakeBackend.table`: the margins matched to their targets, the sample collapsed to
the occupied joint cells with their respondents, and each replicate's weights there), the
raked weights of every row when all rows are at hand (:meth:`RakeBackend.weights`, put on a
non-convergence error), and a new backend with the factors applied
(:meth:`RakeBackend.apply`).  Capped and bounded raking work row by row:
:meth:`RakeBackend.rows` gives the rows in memory, or raises the error a backend without
them gives.  :class:`InMemoryRake` answers on a :class:`~pewlike.design.frame.SurveyFrame`;
a partitioned frame gives its own (``pewlike.partitioned.rake.PartitionedRake``) through
``rake_backend()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame
    from pewlike.weighting.raking import IPFResult
    from pewlike.weighting.steps import WeightingNote
    from pewlike.weighting.targets import Cells, Margin

__all__ = ["InMemoryRake", "RakeBackend", "RakeTable", "rake_backend"]


@dataclass(frozen=True, eq=False)
class RakeTable:
    """The sample as raking sees it: margins with targets and the joint-cell table.

    Attributes
    ----------
    margins : list of Margin
        The margins matched to the sample, targets scaled to totals.
    cells : Cells
        The weighted sample collapsed to joint cells; ``cells.cell`` maps each unit the
        backend holds (a row, or a collapsed cell) to its joint cell (-1: not raked) and
        ``cells.count`` is each joint cell's respondents.
    rep : ndarray (units, R) or None
        Each replicate's weights of every unit of ``cells.cell``.
    """

    margins: list[Margin]
    cells: Cells
    rep: np.ndarray | None


@runtime_checkable
class RakeBackend(Protocol):
    """A backend as :func:`~pewlike.weighting.raking.rake` sees it."""

    def rows(self) -> SurveyFrame:
        """The survey with all rows in memory (capped and bounded raking), or a RakingError."""
        ...

    def table(self, margins: Mapping[Any, Any] | Sequence[Any], *, total: float | None) -> RakeTable:
        """The margins matched to their targets and the joint-cell table of the sample."""
        ...

    def weights(self, table: RakeTable, factor: np.ndarray) -> np.ndarray | None:
        """The weights of every row after raking by ``factor`` per unit, or None without all rows."""
        ...

    def apply(
        self,
        table: RakeTable,
        res: IPFResult,
        weights: np.ndarray | None,
        note: WeightingNote,
        *,
        call: tuple[Any, dict[str, Any]],
    ) -> Any:
        """The backend with the raking factors applied (weights, replicates, variance step, note)."""
        ...


@dataclass(frozen=True, eq=False)
class InMemoryRake:
    """Raking's questions to a survey in memory.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    """

    sf: SurveyFrame

    def rows(self) -> SurveyFrame:
        """The survey (all rows are at hand).

        Returns
        -------
        SurveyFrame
        """
        return self.sf

    def table(self, margins: Mapping[Any, Any] | Sequence[Any], *, total: float | None) -> RakeTable:
        """Match the targets to the rows and collapse them to joint cells.

        Parameters
        ----------
        margins : dict or list
            Targets in any shape of :mod:`pewlike.weighting.targets`.
        total : float, optional
            Population total for margins given as proportions.

        Returns
        -------
        RakeTable
            Units are rows; ``rep`` the design's replicate weights.

        Raises
        ------
        RakingError
            Bad targets (:func:`pewlike.weighting.targets.build_margins`).
        """
        from pewlike.weighting.targets import build_margins

        ms, _active, cells = build_margins(self.sf, margins, total=total)
        return RakeTable(ms, cells, self.sf.design.repweights)

    def weights(self, table: RakeTable, factor: np.ndarray) -> np.ndarray:
        """Every row's weight times its unit's factor (rows not raked keep theirs).

        Parameters
        ----------
        table : RakeTable
        factor : ndarray (cells,)
            Raked weight / starting weight of each joint cell of ``table.cells``.

        Returns
        -------
        ndarray (n,)
        """
        out = np.append(factor, 1.0)[table.cells.cell]
        out *= self.sf.design.weights
        return out

    def apply(
        self,
        table: RakeTable,
        res: IPFResult,
        weights: np.ndarray | None,
        note: WeightingNote,
        *,
        call: tuple[Any, dict[str, Any]],
    ) -> SurveyFrame:
        """The survey with raked weights, replicates raked alike and the raking's variance step.

        Parameters
        ----------
        table : RakeTable
        res : IPFResult
            The converged raking of ``table``.
        weights : ndarray (n,)
            The raked weights (:meth:`weights`).
        note : WeightingNote
            The history note.
        call : (margins, options)
            The ``rake`` call (kept by backends that replay it; unused here).

        Returns
        -------
        SurveyFrame

        Notes
        -----
        As R survey's ``rake()``: linearised variances use the raking residuals
        (``svyrecvar``), replicate designs rake every replicate.
        """
        from pewlike.weighting.steps import raking_step

        d = self.sf.design
        assert weights is not None  # all rows are at hand
        reps = None
        if d.repweights is not None:
            assert res.rep_factor is not None  # ipf raked the replicate columns too (cap= refuses them)
            reps = d.repweights * np.vstack([res.rep_factor, np.ones((1, d.repweights.shape[1]))])[table.cells.cell]
        # the variance method keeps what it uses: the residual step, or the re-weighted replicates
        cells = table.cells
        step = raking_step(cells.cell, cells.codes, [m.ncell for m in table.margins], res.factor, res.last, d.weights)
        return self.sf.with_weights(weights, repweights=reps, calibration=d.calibration + (step,), note=note)


def rake_backend(data: Any) -> RakeBackend:
    """The :class:`RakeBackend` of a backend.

    Parameters
    ----------
    data : SurveyFrame, RakeBackend or a frame with ``rake_backend()``
        A survey backend.

    Returns
    -------
    RakeBackend
    """
    if isinstance(data, RakeBackend):
        return data
    own = getattr(data, "rake_backend", None)
    if own is not None:
        out: RakeBackend = own()
        return out
    return InMemoryRake(data)
