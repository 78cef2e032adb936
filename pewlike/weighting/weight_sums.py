"""What :func:`pewlike.weighting.summary.weight_summary` asks a backend for: sums of the weights.

The summary is written once against :class:`WeightSums`: the count, total and range of the
non-zero weights of the domain, then their squared deviations from the mean (a second pass
on a partitioned survey).  :class:`InMemoryWeightSums` answers on a
:class:`~pewlike.design.frame.SurveyFrame`; a partitioned frame gives its own
(``pewlike.partitioned.weights.PartitionedWeightSums``) through ``weight_sums()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from pewlike.design.frame import SurveyFrame, frame_of
from pewlike.errors import EstimationError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["InMemoryWeightSums", "WeightRange", "WeightSums", "weight_sums"]


def _weights(svy_or_weights, include_zeros: bool = False) -> np.ndarray:
    # a Survey (the facade) holds its data in a backend; a SurveyFrame is the in-memory one
    if hasattr(svy_or_weights, "_backend") or isinstance(svy_or_weights, SurveyFrame):
        d = frame_of(svy_or_weights).design
        w = d.weights[d.in_domain]  # ones for an unweighted design (until it is weighted)
    else:
        w = np.asarray(svy_or_weights, dtype=float).reshape(-1)
    w = w[~np.isnan(w)]
    if not include_zeros:
        w = w[w != 0]
    if w.size == 0:
        raise EstimationError("no non-zero weights; a design effect needs at least one weighted respondent")
    if not np.isfinite(w).all() or (w < 0).any():
        raise EstimationError("weights must be finite and non-negative to compute a design effect")
    return w


def weight_bins(w: np.ndarray, bins: int = 30) -> pd.DataFrame:
    """Respondents per bin of their weights (R ``hist(w, breaks = bins)``, right-closed bins).

    Parameters
    ----------
    w : ndarray
        The non-zero weights.
    bins : int
        The suggested number of bins (R's ``pretty`` edges).

    Returns
    -------
    pandas.DataFrame
        ``bin_lower, bin_upper, n``.
    """
    import pandas as pd

    from pewlike.estimation.breaks import hist_breaks

    edges = hist_breaks(w, bins, name="the weights")
    pos = np.searchsorted(edges, w, side="left") - 1
    pos[w == edges[0]] = 0
    n = np.bincount(pos, minlength=edges.size - 1)
    return pd.DataFrame({"bin_lower": edges[:-1], "bin_upper": edges[1:], "n": n.astype(np.int64)})


@dataclass(frozen=True)
class WeightRange:
    """Count, total and range of the non-zero weights of the domain.

    Attributes
    ----------
    n : int
        Non-zero weights (0: none).
    total : float
        Their sum.
    lo, hi : float
        Their smallest and largest (NaN when ``n`` is 0).
    """

    n: int
    total: float
    lo: float = float("nan")
    hi: float = float("nan")


@runtime_checkable
class WeightSums(Protocol):
    """A backend as the weight summary sees it."""

    def weight_range(self) -> WeightRange:
        """Count, total and range of the non-zero weights."""
        ...

    def weight_ss(self, mean: float) -> float:
        """Sum of squared deviations of the non-zero weights from ``mean``."""
        ...

    def weight_bins(self) -> pd.DataFrame | None:
        """Respondents per bin of the weights, or None when the backend cannot bin them."""
        ...

    def history(self) -> tuple[Any, ...]:
        """The survey's weighting notes, oldest first."""
        ...


@dataclass(eq=False)
class InMemoryWeightSums:
    """The weight sums of the rows in memory.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    """

    sf: SurveyFrame
    _w: np.ndarray | None = field(default=None, repr=False)

    def _weights(self) -> np.ndarray:
        if self._w is None:
            self._w = _weights(self.sf)  # raises on no non-zero weight, or a negative one
        return self._w

    def weight_range(self) -> WeightRange:
        """Count, total and range of the non-zero weights.

        Returns
        -------
        WeightRange

        Raises
        ------
        EstimationError
            No non-zero weight, or a weight that is not finite and non-negative.
        """
        w = self._weights()
        return WeightRange(int(w.size), float(w.sum()), float(w.min()), float(w.max()))

    def weight_ss(self, mean: float) -> float:
        """Sum of squared deviations from ``mean`` (as ``numpy.std`` sums them).

        Parameters
        ----------
        mean : float

        Returns
        -------
        float
        """
        d = self._weights() - mean
        return float(np.sum(d * d))

    def weight_bins(self) -> pd.DataFrame:
        """Respondents per bin of the weights (R's ``hist`` with ``pretty`` edges).

        Returns
        -------
        pandas.DataFrame
        """
        return weight_bins(self._weights())

    def history(self) -> tuple[Any, ...]:
        """The survey's weighting notes.

        Returns
        -------
        tuple
        """
        return tuple(self.sf.history)


def weight_sums(data: Any) -> WeightSums:
    """The :class:`WeightSums` of a backend.

    Parameters
    ----------
    data : SurveyFrame, WeightSums or a frame with ``weight_sums()``
        A survey backend.

    Returns
    -------
    WeightSums
    """
    if isinstance(data, WeightSums):
        return data
    own = getattr(data, "weight_sums", None)
    if own is not None:
        out: WeightSums = own()
        return out
    return InMemoryWeightSums(data)
