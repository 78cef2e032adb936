"""Trimming extreme weights, with the trimmed amount shared out as R's ``trimWeights`` does."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import CalibrationError
from pewlike.weighting.steps import WeightingNote, WeightingRecord

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame

__all__ = ["trim_array", "trim_weights"]

MAX_ROUNDS = 10_000


def trim_array(
    W: np.ndarray, lower: float, upper: float, *, strict: bool = False
) -> tuple[np.ndarray, np.ndarray, int]:
    """Trim the positive weights of every column of ``W`` (m, R) to ``[lower, upper]``.

    The amount cut off (or added) is shared equally among the positive weights that were
    inside the limits; with ``strict`` this repeats until no weight is outside.  Zero
    weights (a replicate's dropped PSU, a respondent without weight) stay zero.

    Parameters
    ----------
    W : ndarray (m, R)
        Weight columns.
    lower, upper : float
        Limits (``-inf``/``inf`` for none).
    strict : bool
        Repeat until no weight is outside the limits.

    Returns
    -------
    W : ndarray (m, R)
        Trimmed weights.
    trimmed : ndarray (m, R) of bool
        Weights that were outside the limits in some round.
    rounds : int
        Rounds of trimming done.

    Raises
    ------
    CalibrationError
        The limits cannot hold the total (``upper * m < sum`` or ``lower * m > sum``, m the
        positive weights), or every weight of a column is outside them.

    Notes
    -----
    Equivalent to R survey's ``trimWeights.survey.design2(design, upper, lower, strict)``:
    ``pw <- pmax(lower, pmin(pw, upper))`` and ``sum(trimmings) / sum(!outside)`` added
    to every weight that was inside.
    """
    W = np.array(W, dtype=float, copy=True)
    live = W > 0
    m = live.sum(axis=0)
    tot = W.sum(axis=0)
    if strict and ((upper * m < tot * (1 - 1e-12)).any() or (lower * m > tot * (1 + 1e-12)).any()):
        j = int(np.argmax(tot))
        raise CalibrationError(
            f"trimming bounds cannot be met: {int(m[j]):,} weights within [{lower:g}, {upper:g}] "
            f"cannot sum to {tot[j]:,.6g}; widen the bounds"
        )
    trimmed = np.zeros(W.shape, dtype=bool)
    rounds = 0
    while True:
        outside = live & ((lower > W) | (upper < W))
        if not outside.any():
            break
        rounds += 1
        if rounds > MAX_ROUNDS:
            raise CalibrationError(
                f"trimming to [{lower:g}, {upper:g}] did not settle after {MAX_ROUNDS} rounds; "
                "widen the bounds or pass strict=False"
            )
        inside = live & ~outside
        n_in = inside.sum(axis=0)
        cols = outside.any(axis=0)
        if (n_in[cols] == 0).any():
            raise CalibrationError(f"every weight is outside [{lower:g}, {upper:g}]; widen the bounds")
        new = np.where(live, np.clip(W, lower, upper), 0.0)
        share = np.where(cols, (W - new).sum(axis=0) / np.maximum(n_in, 1), 0.0)
        new += inside * share
        trimmed |= outside
        W = new
        if not strict:
            break
    return W, trimmed, rounds


def trim_weights(
    sf: SurveyFrame,
    *,
    lower: float | None = None,
    upper: float | None = None,
    quantiles: bool = False,
    strict: bool = False,
    minval: float | None = None,
    maxval: float | None = None,
) -> SurveyFrame:
    """Trim extreme weights and share the trimmed amount among the others.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    lower, upper : float, optional
        Limits for the weights; with ``quantiles=True`` they are quantile levels of the
        current weights (e.g. ``lower=0.05, upper=0.95``, R's ``quantile`` type 7).
    quantiles : bool
        Read ``lower``/``upper`` as quantile levels (of the positive weights in the domain).
    strict : bool
        Repeat until no weight is outside the limits after sharing out the trimmed amount.
    minval, maxval : float, optional
        With quantiles: the lower limit is at least ``minval`` and the upper at most
        ``maxval`` (``pewmethods::trim_weights``).

    Returns
    -------
    SurveyFrame
        Trimmed weights; calibration steps already on the design stay (as in R), and
        replicate columns are trimmed to the same limits.

    Raises
    ------
    CalibrationError
        Bad limits, or limits that cannot be met.

    Notes
    -----
    Equivalent to R survey's ``trimWeights(design, upper, lower, strict)`` and to
    ``pewmethods::trim_weights(weight, lower_quantile, upper_quantile, minval, maxval,
    strict)``.  Only respondents in the current domain with a positive weight are trimmed
    or receive a share (R would lift zero weights to ``lower``, and pewmethods' quantiles
    count them).  For replicate
    designs every replicate column is trimmed to the same limits like the full-sample
    weights; R 4.1's ``trimWeights.svyrep.design`` instead leaves the full-sample weights
    unchanged and garbles the replicates (a recycling bug), so it is not a reference.
    """
    d = sf.design
    rows = np.flatnonzero(d.in_domain)
    w = d.weights[rows]
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    if quantiles:
        for name, q in (("lower", lower), ("upper", upper)):
            if q is not None and not 0 <= float(q) <= 1:
                raise CalibrationError(f"{name}={q!r} is not a quantile level; give a value between 0 and 1")
        pos = w[w > 0]
        if lower is not None:
            lo = float(np.quantile(pos, float(lower)))
        if upper is not None:
            hi = float(np.quantile(pos, float(upper)))
    if minval is not None:
        lo = max(lo, float(minval))
    if maxval is not None:
        hi = min(hi, float(maxval))
    if not lo <= hi:
        raise CalibrationError(f"trimming limits [{lo:g}, {hi:g}] are empty; the lower limit must not exceed the upper")
    W = w[:, None] if d.repweights is None else np.column_stack([w, d.repweights[rows]])
    new, trimmed, rounds = trim_array(W, lo, hi, strict=strict)
    out = d.weights.copy()
    out[rows] = new[:, 0]
    reps = None
    if d.repweights is not None:
        reps = d.repweights.copy()
        reps[rows] = new[:, 1:]
    n_trim = int(trimmed[:, 0].sum())
    live = w > 0
    moved = float(np.abs(w - np.clip(w, lo, hi))[live].sum() / w.sum()) if w.sum() > 0 else 0.0
    record = WeightingRecord(
        "trim",
        None,
        rounds,
        True,
        None,
        n_trim,
        n_trim / max(int(live.sum()), 1),
        moved,
        {"lower": lo, "upper": hi, "quantiles": quantiles, "strict": strict, "lower_arg": lower, "upper_arg": upper},
    )
    note = WeightingNote(
        f"trimmed {n_trim:,} weight(s) to [{lo:.4g}, {hi:.4g}]" + (" (strict)" if strict else ""), record
    )
    return sf.with_weights(out, repweights=reps, note=note)
