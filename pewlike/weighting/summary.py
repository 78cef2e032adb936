"""Weight diagnostics: Kish design effect, effective sample size, margin of error, summary.

The design effect here is Pew's: ``1 + (sd / mean)^2`` of the non-zero weights with the
sample standard deviation (``pewmethods::calculate_deff``); ``ddof=0`` gives Kish's
textbook ``n * sum(w^2) / sum(w)^2``.  The margin of error is in percentage points, as Pew
reports it: ``100 * z * sqrt(deff * p * (1 - p) / n)`` with ``z = 1.96`` at 95%.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.design.frame import SurveyFrame
from pewlike.errors import EstimationError
from pewlike.resultbase import Result, frame_text
from pewlike.weighting.steps import WeightingRecord, last_record
from pewlike.weighting.weight_sums import _weights, weight_bins

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from numpy.typing import ArrayLike

    from pewlike.survey import Survey
    from pewlike.weighting.weight_sums import WeightSums


__all__ = ["WeightSummary", "effective_n", "kish_deff", "moe", "trim_limits", "weight_bins", "weight_summary"]

PEW_Z95 = 1.96


def kish_deff(weights: ArrayLike | Survey | SurveyFrame, *, ddof: int = 1, include_zeros: bool = False) -> float:
    """Design effect due to weighting, ``1 + CV(w)^2``.

    Parameters
    ----------
    weights : array_like or Survey
        Weights (any scale); missing values are dropped.
    ddof : int
        1 (default) uses the sample standard deviation, as ``pewmethods::calculate_deff``;
        0 gives Kish's ``n * sum(w^2) / sum(w)^2``.
    include_zeros : bool
        Count zero weights as respondents (pewmethods' ``include_zeroes``).

    Returns
    -------
    float
        1 when there is a single weight.

    Notes
    -----
    Equivalent to ``pewmethods::calculate_deff(weight)$deff`` in R.
    """
    w = _weights(weights, include_zeros)
    if w.size < 2:
        return 1.0
    cv = w.std(ddof=ddof) / w.mean()
    return float(1.0 + cv * cv)


def effective_n(weights: ArrayLike | Survey | SurveyFrame, *, ddof: int = 1, include_zeros: bool = False) -> float:
    """Effective sample size ``n / deff``.

    Parameters
    ----------
    weights : array_like or Survey
        Weights (any scale); missing values are dropped.
    ddof : int
        Degrees of freedom of the standard deviation in :func:`kish_deff`.
    include_zeros : bool
        Count zero weights as respondents.

    Returns
    -------
    float

    Notes
    -----
    Equivalent to ``pewmethods::calculate_deff(weight)$ess`` in R.
    """
    w = _weights(weights, include_zeros)
    return float(w.size / kish_deff(w, ddof=ddof, include_zeros=True))


def _z(level: float) -> float:
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise EstimationError(f"level={level!r} is not valid; give a confidence level between 0 and 1, e.g. 0.95")
    if abs(level - 0.95) < 1e-12:
        return PEW_Z95
    from pewlike.distributions import norm_ppf

    return float(norm_ppf(0.5 + level / 2))


def moe(svy_or_weights: ArrayLike | Survey | SurveyFrame, *, p: float = 0.5, level: float = 0.95) -> float:
    """Margin of error in percentage points, adjusted by the Kish design effect.

    Parameters
    ----------
    svy_or_weights : Survey or array_like
        A survey (its weights in the current domain) or a vector of weights.
    p : float
        Proportion the margin is for (0.5 gives the largest, as Pew reports).
    level : float
        Confidence level; at 0.95 the multiplier is 1.96, as Pew uses, otherwise the normal
        quantile.

    Returns
    -------
    float
        ``100 * z * sqrt(deff * p * (1 - p) / n)``.

    Notes
    -----
    Equivalent to ``pewmethods::calculate_deff(weight)$moe`` in R.

    Examples
    --------
    >>> moe([1, 1, 1, 1])
    49.0
    """
    if not 0 <= p <= 1:
        raise EstimationError(f"p={p!r} is not a proportion; give a value between 0 and 1")
    w = _weights(svy_or_weights)
    return float(100 * _z(level) * np.sqrt(kish_deff(w) * p * (1 - p) / w.size))


@dataclass(frozen=True, eq=False, repr=False)
class WeightSummary(Result):
    """Summary of a survey's weights and of the last weighting step.

    Attributes
    ----------
    n : int
        Respondents with a non-zero weight (in the domain).
    sum, mean, min, max, sd, cv : float
        Of the non-zero weights (``sd`` with n - 1, ``cv = sd / mean``).
    deff, ess, moe : float
        Kish design effect, effective n and 95% margin of error (points), as
        ``pewmethods::calculate_deff``.
    record : WeightingRecord or None
        The last weighting step (method, achieved vs target margins, iterations,
        convergence, trimmed share).
    history : tuple of str
        Every step applied to the survey.
    bins : pandas.DataFrame or None
        The distribution of the non-zero weights, ``bin_lower, bin_upper, n`` (respondents
        per bin; edges as R's ``hist(weights, breaks = 30)``); None for a partitioned survey.
    trim_limits : (float, float) or None
        The limits of the latest ``trim_weights`` step (``-inf``/``inf`` for a side not
        trimmed); None when the weights were not trimmed.

    Notes
    -----
    A description of the weights, not an estimate: it has the shared ``to_frame()``,
    ``summary()`` and notebook view of :class:`pewlike.resultbase.Result` but no
    ``estimates``/``std_errors``; ``to_frame()`` holds the same numbers as the attributes.
    """

    n: int
    sum: float
    mean: float
    min: float
    max: float
    sd: float
    cv: float
    deff: float
    ess: float
    moe: float
    record: WeightingRecord | None = None
    history: tuple[str, ...] = field(default_factory=tuple)
    bins: pd.DataFrame | None = None
    trim_limits: tuple[float, float] | None = None

    @property
    def margins(self) -> pd.DataFrame | None:
        """Achieved vs target shares of the last weighting step (``variable, level, target, achieved, difference``)."""
        if self.record is None or self.record.margins is None:
            return None
        return self.record.margins.copy()

    @property
    def iterations(self) -> int | None:
        """Iterations of the last weighting step (None without one)."""
        return None if self.record is None else self.record.iterations

    @property
    def converged(self) -> bool | None:
        """Whether the last weighting step converged (None without one)."""
        return None if self.record is None else self.record.converged

    @property
    def share_trimmed(self) -> float | None:
        """Share of respondents whose weight the last step trimmed (None without a step)."""
        return None if self.record is None else self.record.share_trimmed

    def to_frame(self) -> pd.DataFrame:
        """The weight statistics and the last step's facts, one row each.

        Returns
        -------
        pandas.DataFrame
            Columns ``statistic, value``.
        """
        import pandas as pd

        rows: list[tuple[str, Any]] = [
            ("n", self.n),
            ("sum", self.sum),
            ("mean", self.mean),
            ("min", self.min),
            ("max", self.max),
            ("sd", self.sd),
            ("cv", self.cv),
            ("deff", self.deff),
            ("ess", self.ess),
            ("moe", self.moe),
        ]
        r = self.record
        if r is not None:
            rows.append(("method", r.method))
            if r.iterations is not None:
                rows.append(("iterations", r.iterations))
            rows.append(("converged", r.converged))
            if r.margins is not None and len(r.margins):
                rows.append(("largest_gap", float(r.margins["difference"].abs().max())))
            if r.method == "trim":
                rows += [
                    ("n_trimmed", r.n_trimmed),
                    ("share_trimmed", r.share_trimmed),
                    ("weight_moved", r.weight_moved),
                ]
        return pd.DataFrame({"statistic": [k for k, _ in rows], "value": pd.Series([v for _, v in rows], dtype=object)})

    def summary(self) -> str:
        """Readable text: the weight statistics, the history and achieved vs target margins.

        Returns
        -------
        str
        """
        lines = [
            f"Weights: n = {self.n:,}, sum {self.sum:,.6g}, range {self.min:.4g} - {self.max:.4g}, CV {self.cv:.3f}",
            f"Kish design effect {self.deff:.3f}; effective n {self.ess:,.1f}; "
            f"margin of error +/- {self.moe:.2f} points (95%)",
        ]
        lines += [f"  {h}" for h in self.history]
        r = self.record
        if r is not None:
            if r.method == "trim":
                lines.append(
                    f"Trimmed {r.n_trimmed:,} weight(s) ({100 * r.share_trimmed:.1f}% of respondents, "
                    f"{100 * r.weight_moved:.2f}% of the total weight moved)"
                )
            elif r.iterations is not None:
                lines.append(
                    f"{r.method}: {r.iterations} iteration(s), {'converged' if r.converged else 'NOT converged'}"
                )
            if r.margins is not None and len(r.margins):
                lines += ["Achieved vs target:", frame_text(r.margins)]
        return "\n".join(lines)

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        tables = [("Weight summary", self.to_frame())]
        if self.record is not None and self.record.margins is not None:
            tables.append(("Achieved vs target", self.record.margins))
        return tables


def weight_summary(sf: SurveyFrame | WeightSums | Any) -> WeightSummary:
    """Kish design effect, effective n, margin of error, weight range and the last weighting step.

    Parameters
    ----------
    sf : SurveyFrame, PartitionedFrame or WeightSums
        The survey (either backend of a :class:`pewlike.Survey`); the non-zero weights of
        the current domain are summarised.

    Returns
    -------
    WeightSummary
        With the weights' histogram (``bins``) when they are in memory.

    Raises
    ------
    EstimationError
        No non-zero weight in the domain (or, in memory, a negative or infinite one).

    Notes
    -----
    The statistics are ``pewmethods::calculate_deff(weights)`` in R (zero weights left
    out); the achieved vs target margins come from the record the last ``rake``,
    ``poststratify``, ``calibrate`` or ``trim_weights`` left in the survey's history.
    One body for both backends: they give the count, total and range of the weights, then
    the squared deviations from their mean (:mod:`pewlike.weighting.weight_sums`).
    """
    from pewlike.weighting.weight_sums import weight_sums

    ws = weight_sums(sf)
    rng = ws.weight_range()
    n = rng.n
    if n == 0:
        raise EstimationError("no non-zero weights; a design effect needs at least one weighted respondent")
    mean = rng.total / n
    sd = float(np.sqrt(ws.weight_ss(mean) / (n - 1))) if n > 1 else 0.0
    cv = sd / mean
    deff = float(1.0 + cv * cv) if n > 1 else 1.0
    history = ws.history()
    return WeightSummary(
        n=n,
        sum=rng.total,
        mean=mean,
        min=rng.lo,
        max=rng.hi,
        sd=sd,
        cv=cv,
        deff=deff,
        ess=n / deff,
        moe=float(100 * PEW_Z95 * np.sqrt(deff * 0.5 * (1 - 0.5) / n)),
        record=last_record(history),
        history=history,
        bins=ws.weight_bins(),
        trim_limits=trim_limits(history),
    )


def trim_limits(history: tuple[Any, ...]) -> tuple[float, float] | None:
    """The ``(lower, upper)`` limits of the latest trimming in a survey's history, or None.

    Parameters
    ----------
    history : tuple
        The survey's history notes, oldest first.

    Returns
    -------
    (float, float) or None
    """
    for note in reversed(tuple(history)):
        rec: Any = getattr(note, "record", None)
        if isinstance(rec, WeightingRecord) and rec.method == "trim":
            return float(rec.options.get("lower", -np.inf)), float(rec.options.get("upper", np.inf))
    return None
