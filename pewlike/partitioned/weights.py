"""Weight statistics of a partitioned survey: Kish design effect, effective n, margin of error."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import EstimationError
from pewlike.partitioned.engine import Extremes, run_pass

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.partitioned.engine import Prep, Sums
    from pewlike.partitioned.frame import PartitionedFrame
    from pewlike.weighting.summary import WeightSummary

__all__ = ["weight_summary"]


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


def weight_summary(pf: PartitionedFrame) -> WeightSummary:
    """Kish design effect, effective n, margin of error and range of the weights, and the last raking.

    Two passes: counts, sums and range; then squared deviations from the mean (as
    :func:`pewlike.weighting.summary.weight_summary` computes them in memory).

    Parameters
    ----------
    pf : PartitionedFrame
        The survey (the backend of a partitioned :class:`pewlike.Survey`); the weights of
        the current domain are summarised.

    Returns
    -------
    WeightSummary
        As :func:`pewlike.weighting.summary.weight_summary`, with the record of the last
        raking.

    Raises
    ------
    EstimationError
        No nonzero weight in the domain.

    Notes
    -----
    R has no partitioned equivalent: the statistics equal
    ``pewmethods::calculate_deff(weights(design))`` in R on all rows in memory (zero
    weights left out).
    """
    from pewlike.weighting.steps import last_record
    from pewlike.weighting.summary import PEW_Z95, WeightSummary

    first = run_pass(pf, [], _first)
    n = int(first["n"][0])
    if n == 0:
        raise EstimationError("no non-zero weights; a design effect needs at least one weighted respondent")
    total = float(first["sum"][0])
    mean = total / n
    ss = float(run_pass(pf, [], _second, mean)["ss"][0]) if n > 1 else 0.0
    sd = float(np.sqrt(ss / (n - 1))) if n > 1 else 0.0
    deff = 1.0 + (sd / mean) ** 2 if n > 1 else 1.0
    moe = float(100 * PEW_Z95 * np.sqrt(deff * 0.25 / n))
    return WeightSummary(
        n=n,
        sum=total,
        mean=mean,
        min=first["range"].lo,
        max=first["range"].hi,
        sd=sd,
        cv=sd / mean,
        deff=deff,
        ess=n / deff,
        moe=moe,
        record=last_record(pf._history),
        history=tuple(pf._history),
    )
