"""Weighted quantiles with Woodruff confidence intervals (R ``svyquantile``, survey 4.1)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from pewlike.errors import EstimationError
from pewlike.estimation import engine
from pewlike.estimation.proportion_ci import _tq
from pewlike.estimation.results import Estimates

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame

__all__ = ["QRULES", "quantile"]

QRULES = ("math", "school")


def _rule(xs: np.ndarray, cumw: np.ndarray, total: float, p: float, qrule: str) -> float:
    """R's ``qs`` + ``qrule_math``/``qrule_school`` on sorted values and cumulative weights."""
    if np.isnan(p):
        return np.nan
    below = np.flatnonzero(cumw <= p * total)
    pos = int(below[-1]) if below.size else 0  # R's last(): first element when none qualifies
    nxt = pos if pos == xs.size - 1 else pos + 1
    wlow = p - cumw[pos] / total
    if wlow == 0:
        return float(xs[pos]) if qrule == "math" else float((xs[pos] + xs[nxt]) / 2)
    return float(xs[nxt])


def quantile(
    sf: SurveyFrame,
    var: str,
    q: float | Sequence[float] | np.ndarray,
    *,
    by: str | Sequence[str] | None = None,
    na_rm: bool = True,
    level: float = 0.95,
    qrule: Literal["math", "school"] = "math",
) -> Estimates:
    """Weighted quantiles of a numeric variable with Woodruff confidence intervals.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    var : str
        Numeric variable.
    q : float or sequence of float
        Probabilities in [0, 1].
    by : str or list of str, optional
        Domain variables.
    na_rm : bool
        Drop missing values.
    level : float
        Confidence level.
    qrule : {"math", "school"}
        R's quantile rules: ``"math"`` (the default; the smallest value whose
        cumulative weight share reaches q, R's ``qrule_math``/``hf1``) or
        ``"school"`` (average at exact ties, ``hf2``).

    Returns
    -------
    Estimates
        ``level`` holds the probability as text ("0.5"); ``std_error`` is
        derived from the interval as R does; ``deff`` is NaN.

    Notes
    -----
    Equivalent to ``svyquantile(~var, design, q, ci=TRUE, na.rm=TRUE,
    qrule=qrule, interval.type="mean")`` (R survey >= 4.1 defaults): the
    interval for ``P(x <= q_hat)`` is ``p_hat +/- t_df SE`` with the design df
    of the (domain) design, mapped back through the quantile rule.  Replicate
    designs use the same Woodruff interval with replicate variance.
    """
    from pewlike.estimation.columns import _domain_setup
    from pewlike.estimation.estimators import (
        _check_level,
        _check_weights,
        _design_label,
        _frame,
        numeric_values,
    )

    level = _check_level(level)
    if qrule not in QRULES:
        raise EstimationError(f"qrule={qrule!r} is not valid; choose one of " + ", ".join(repr(r) for r in QRULES))
    probs = np.atleast_1d(np.asarray(q, dtype=float))
    if probs.size == 0 or np.any(~np.isfinite(probs)) or np.any((probs < 0) | (probs > 1)):
        raise EstimationError(f"q={q!r} is not valid; quantile probabilities must lie in [0, 1]")
    col, y, valid = numeric_values(sf, var, "quantile")
    code, keys, by_cols, G = _domain_setup(sf, valid, by, na_rm, col)
    d = sf.design
    w = d.weights
    _check_weights(engine.cell_sums(code, G, w), keys, by_cols)
    rows = np.flatnonzero((code >= 0) & (w != 0))
    order = rows[np.lexsort((y[rows], code[rows]))]
    bounds = np.searchsorted(code[order], np.arange(G + 1))
    segs = []
    for g in range(G):  # sorting is per domain; R's cumulative sums are long double
        idx = order[bounds[g] : bounds[g + 1]]
        wl = w[idx].astype(np.longdouble)
        segs.append((y[idx], np.cumsum(wl).astype(float), float(np.sum(wl))))
    Q = probs.size
    qhat = np.array([[_rule(xs, cw, tot, p, qrule) for p in probs] for xs, cw, tot in segs]).reshape(G, Q)
    dfs = engine.domain_degf(d, code, G) if by_cols else np.array([float(d.restrict(code >= 0).degf())])
    dfs = np.broadcast_to(dfs, (G,))
    alpha = 1 - level
    tcrit = _tq(dfs, 1 - alpha / 2)
    est = np.empty((G, Q))
    lo = np.empty((G, Q))
    hi = np.empty((G, Q))
    ok = code >= 0
    for j in range(Q):  # a loop over requested probabilities
        ind = np.zeros(w.shape[0])
        ind[ok] = (y[ok] <= qhat[code[ok], j]).astype(float)
        r = engine.ratio_totals(d, code, G, ind, code, G, None)
        se_p = np.sqrt(np.clip(np.diag(r.vcov), 0, None))
        p_lo, p_hi = r.theta - tcrit * se_p, r.theta + tcrit * se_p
        for g, (xs, cw, tot) in enumerate(segs):
            est[g, j] = qhat[g, j]
            lo[g, j] = np.nan if (np.isnan(p_lo[g]) or p_lo[g] < 0) else _rule(xs, cw, tot, p_lo[g], qrule)
            hi[g, j] = np.nan if (np.isnan(p_hi[g]) or p_hi[g] > 1) else _rule(xs, cw, tot, p_hi[g], qrule)
    se = (hi - lo) / (2 * tcrit[:, None])
    n = np.repeat(np.diff(bounds), Q)  # the rows sorted above: those with a nonzero weight (R's unwtd.count)
    levels = [f"{p:g}" for p in probs]
    frame = _frame(
        col, levels, keys, by_cols, est.ravel(), se.ravel(), lo.ravel(), hi.ravel(), np.full(G * Q, np.nan), n
    )
    frame["level"] = frame["level"].astype(str)
    return Estimates(
        "quantile",
        col,
        tuple(by_cols),
        frame,
        None,
        level,
        f"woodruff ({qrule})",
        sf.codebook.variables[col].label,
        _design_label(sf),
        float(np.min(dfs)),
    )
