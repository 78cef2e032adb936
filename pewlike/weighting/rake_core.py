"""What raking does the same way on every backend.

:func:`pewlike.weighting.raking.rake` (one body for every backend, asking a
:class:`~pewlike.weighting.rake_backend.RakeBackend`) checks its options here
(:func:`check_rake_options`), totals each margin before and after here (:func:`margin_totals`)
and writes the record of the step (:func:`rake_note`).

What stays with each backend is what needs its rows: collapsing the sample to joint cells,
applying the factors to the weights (a multiplication of the rows and replicate columns in
memory; a factor per cell looked up as partitions are read), capped and bounded raking
(row-level, in memory only), and the best weights on a non-convergence error (only in memory
are all rows at hand).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import RakingError

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.weighting.steps import WeightingNote
    from pewlike.weighting.targets import Cells, Margin

__all__ = ["MarginTotals", "check_rake_options", "margin_totals", "rake_note"]


def check_rake_options(max_iter: Any, tol: Any, cap: Any = None) -> None:
    """Validate raking's options (both backends), naming the first bad one and a valid value.

    Parameters
    ----------
    max_iter : int
        A positive number of sweeps.
    tol : float
        A positive tolerance.
    cap : float, optional
        A largest weight as a multiple (above 1) of the mean.

    Raises
    ------
    RakingError
        ``max_iter``, ``tol`` or ``cap`` is not valid (checked in that order).

    Notes
    -----
    R survey's ``rake(control=list(maxit=, epsilon=))`` takes the same two controls.
    """
    if not (isinstance(max_iter, (int, np.integer)) and max_iter >= 1):
        raise RakingError(f"max_iter={max_iter!r} is not valid; give a positive integer such as 50")
    if not (tol > 0):
        raise RakingError(f"tol={tol!r} is not valid; give a positive tolerance such as 1e-7")
    if cap is not None and not (cap > 1):
        raise RakingError(f"cap={cap!r} is not valid; give the largest weight as a multiple (> 1) of the mean")


@dataclass(frozen=True, eq=False)
class MarginTotals:
    """Each margin's totals around a raking of the joint cells.

    Attributes
    ----------
    achieved, before, unweighted : list of ndarray
        Each margin's weighted totals after and before raking, and its respondents.
    """

    achieved: list[np.ndarray]
    before: list[np.ndarray]
    unweighted: list[np.ndarray]


def margin_totals(cells: Cells, margins: Sequence[Margin], factor: np.ndarray) -> MarginTotals:
    """Each margin's totals after and before the joint cells were raked by ``factor``, and its respondents.

    Parameters
    ----------
    cells : Cells
        The weighted sample collapsed to the joint cells of ``margins``
        (:func:`pewlike.weighting.targets.build_margins`); ``cells.count`` its respondents.
    margins : sequence of Margin
        The margins and their targets.
    factor : ndarray (cells,)
        Raked weight / starting weight of each joint cell (``ipf(...).factor``).

    Returns
    -------
    MarginTotals

    Notes
    -----
    The joint cells are raked by :func:`pewlike.weighting.raking.ipf` (R survey's ``rake()``,
    iterated ``postStratify``) on either backend; these are the totals its record shows.
    """
    ms = list(margins)
    return MarginTotals(
        [cells.margin_totals(j, m.ncell, cells.w * factor) for j, m in enumerate(ms)],
        [cells.margin_totals(j, m.ncell) for j, m in enumerate(ms)],
        [cells.margin_totals(j, m.ncell, cells.count.astype(float)) for j, m in enumerate(ms)],
    )


def rake_note(
    margins: Sequence[Margin],
    *,
    iterations: int,
    tol: float,
    options: dict[str, Any],
    before: list[np.ndarray],
    unweighted: list[np.ndarray],
    achieved: list[np.ndarray] | None = None,
    weights: np.ndarray | None = None,
) -> WeightingNote:
    """The history note of a converged raking, with its record of achieved vs target margins.

    Parameters
    ----------
    margins : sequence of Margin
        The margins raked to.
    iterations : int
        Sweeps done.
    tol : float
        The tolerance met.
    options : dict
        ``max_iter``, ``total`` and ``cap``, as given.
    before, unweighted : list of ndarray
        Each margin's weighted totals before raking, and its respondents.
    achieved : list of ndarray, optional
        Each margin's weighted totals after raking; else summed from ``weights``.
    weights : ndarray (n,), optional
        The raked weights of every row (when ``achieved`` is not given).

    Returns
    -------
    WeightingNote
        ``"raked to 2 margin(s) (F_AGECAT, F_SEX) in 5 iteration(s)"``.

    Notes
    -----
    The record's margins are ``pewmethods::calculate_deff``-style achieved vs target shares
    (:func:`pewlike.weighting.targets.margins_frame`).
    """
    from pewlike.weighting.steps import WeightingNote, WeightingRecord
    from pewlike.weighting.targets import margins_frame

    ms = list(margins)
    record = WeightingRecord(
        "rake",
        margins_frame(ms, weights, achieved=achieved, before=before, unweighted=unweighted),
        iterations,
        True,
        tol,
        options=options,
    )
    names = ", ".join(m.name for m in ms)
    return WeightingNote(f"raked to {len(ms)} margin(s) ({names}) in {iterations} iteration(s)", record)
