"""Sums of the weights of a partitioned survey, for the weight summary (Kish design effect, margin of error).

:func:`pewlike.weighting.summary.weight_summary` is written once; this is what it asks of
the partitioned backend (:class:`pewlike.weighting.weight_sums.WeightSums`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.partitioned.engine import Extremes, run_pass

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.partitioned.engine import Prep, Sums
    from pewlike.partitioned.frame import PartitionedFrame
    from pewlike.weighting.weight_sums import WeightRange

__all__ = ["PartitionedWeightSums"]


def _nonzero(prep: Prep) -> np.ndarray:
    w = prep.w[prep.dom]
    return w[(w != 0) & ~np.isnan(w)]


def _first(pdf: pd.DataFrame, prep: Prep, params: None) -> Sums:
    w = _nonzero(prep)
    ext = Extremes(float(w.min()), float(w.max())) if w.size else Extremes()
    return {"n": np.array([float(w.size)]), "sum": np.array([w.sum()]), "range": ext}


def _second(pdf: pd.DataFrame, prep: Prep, mean: float) -> Sums:
    d = _nonzero(prep) - mean
    return {"ss": np.array([np.dot(d, d)])}


@dataclass(frozen=True, eq=False)
class PartitionedWeightSums:
    """The weight sums of a partitioned survey, for :func:`pewlike.weighting.summary.weight_summary`.

    Two passes: count, sum and range; then squared deviations from the mean.  The weights
    are not binned (they are never all in one process).

    Parameters
    ----------
    pf : PartitionedFrame
        The survey; the weights of its current domain.
    """

    pf: PartitionedFrame

    def weight_range(self) -> WeightRange:
        """Count, total and range of the non-zero weights (one pass).

        Returns
        -------
        WeightRange
        """
        from pewlike.weighting.weight_sums import WeightRange

        first = run_pass(self.pf, [], _first)
        n = int(first["n"][0])
        if n == 0:
            return WeightRange(0, 0.0)
        return WeightRange(n, float(first["sum"][0]), first["range"].lo, first["range"].hi)

    def weight_ss(self, mean: float) -> float:
        """Sum of squared deviations of the non-zero weights from ``mean`` (one pass).

        Parameters
        ----------
        mean : float

        Returns
        -------
        float
        """
        return float(run_pass(self.pf, [], _second, mean)["ss"][0])

    def weight_bins(self) -> None:
        """None: the weights of a partitioned survey are not binned.

        Returns
        -------
        None
        """
        return None

    def history(self) -> tuple[Any, ...]:
        """The survey's weighting notes.

        Returns
        -------
        tuple
        """
        return tuple(self.pf._history)
