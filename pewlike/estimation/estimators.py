"""Means, totals, proportions and ratios with design-based standard errors.

Each function takes a survey backend -- a :class:`~pewlike.design.frame.SurveyFrame` or a
partitioned frame -- and returns an :class:`~pewlike.estimation.results.Estimates`.  The bodies
are written once against :class:`pewlike.estimation.backend.WeightedTotals`, which each backend
implements (weighted totals over cells and their covariance).  Domain estimation (``by=``) keeps the
full design, as R's ``svyby``.  Quantiles and tests live in
:mod:`pewlike.estimation.quantiles` and :mod:`pewlike.tests_design`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pewlike.errors import EstimationError
from pewlike.estimation.columns import _check_level, factor_codes, numeric_values
from pewlike.estimation.memory import weighted_totals
from pewlike.estimation.proportion_ci import CI_METHODS, prop_ci
from pewlike.estimation.results import Estimates, estimate_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.estimation.backend import By, HasWeightedTotals, WeightedTotals

    #: A survey backend: in memory, partitioned (it has ``weighted_totals()``), or its totals.
    Backend = SurveyFrame | WeightedTotals | HasWeightedTotals
    #: Confidence intervals of proportions (R ``svyciprop(method=)``).
    ProportionCI = Literal["logit", "beta", "wilson", "xlogit", "mean"]

__all__ = ["factor_codes", "mean", "numeric_values", "proportion", "ratio", "total"]


# ---------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------
def _check_weights(wsum: np.ndarray, keys, by_cols) -> None:
    """Every domain needs a positive weight total."""
    if np.any(wsum <= 0):
        bad = int(np.flatnonzero(wsum <= 0)[0])
        where = ", ".join(f"{c}={keys[c].iloc[bad]}" for c in by_cols) if by_cols else "the domain"
        raise EstimationError(
            f"the weights of {where} sum to zero; no estimate is possible there (check the weights or drop that group)"
        )


def _frame(variable: str, levels, keys: pd.DataFrame, by_cols, est, se, lo, hi, deff, n) -> pd.DataFrame:
    import pandas as pd

    k = len(est)
    reps = k // max(len(keys), 1)
    data: dict[str, Any] = {"variable": np.full(k, variable, dtype=object)}
    if levels is not None and len(set(levels)) < len(levels):
        data["level"] = np.tile(np.asarray(levels, dtype=object), k // len(levels))
    elif levels is not None:
        data["level"] = pd.Categorical.from_codes(
            np.tile(np.arange(len(levels)), k // len(levels)), dtype=pd.CategoricalDtype(list(levels), ordered=True)
        )
    else:
        data["level"] = np.full(k, None, dtype=object)
    for c in by_cols:
        col = keys[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            data[c] = pd.Categorical.from_codes(np.repeat(col.cat.codes.to_numpy(), reps), dtype=col.dtype)
        else:
            data[c] = np.repeat(np.asarray(col, dtype=object), reps)
    data.update(estimate=est, std_error=se, ci_lower=lo, ci_upper=hi, deff=deff, n=np.asarray(n, dtype=np.int64))
    return pd.DataFrame(data, columns=estimate_columns(by_cols))


def _normal_ci(est, se, level):
    from pewlike.distributions import norm_ppf

    z = norm_ppf(0.5 + level / 2)
    return est - z * se, est + z * se


def _design_label(sf: SurveyFrame) -> str:
    from pewlike.design.describe import design_kind

    return design_kind(sf.design)


# ---------------------------------------------------------------------------
# estimators
# ---------------------------------------------------------------------------
def mean(
    sf: Backend, var: str, *, by: str | Sequence[str] | None = None, na_rm: bool = True, level: float = 0.95
) -> Estimates:
    """Weighted mean of a numeric variable, overall or by domain.

    Parameters
    ----------
    sf : SurveyFrame, PartitionedFrame or WeightedTotals
        The survey (either backend of a :class:`pewlike.Survey`).
    var : str
        Numeric variable (wave suffix optional).
    by : str or list of str, optional
        Domain variables; each domain keeps the full design for its variance.
    na_rm : bool
        Drop missing values (and codebook missing codes) from the base.
    level : float
        Confidence level; intervals use the normal quantile, as R's ``confint``.

    Returns
    -------
    Estimates
        ``deff`` is R's ``deff="replace"``.

    Notes
    -----
    Equivalent to ``svymean(~var, design, deff="replace")`` and
    ``svyby(~var, ~by, design, svymean, deff="replace")`` in R survey.
    """
    level = _check_level(level)
    return _mean_or_total(weighted_totals(sf), "mean", var, by, na_rm, level)


def total(
    sf: Backend, var: str, *, by: str | Sequence[str] | None = None, na_rm: bool = True, level: float = 0.95
) -> Estimates:
    """Weighted total of a numeric variable (or counts of each level of a categorical).

    Parameters
    ----------
    sf : SurveyFrame, PartitionedFrame or WeightedTotals
        The survey (either backend of a :class:`pewlike.Survey`).
    var : str
        Numeric or categorical variable (wave suffix optional).
    by : str or list of str, optional
        Domain variables; each domain keeps the full design for its variance.
    na_rm : bool
        Drop missing values (and codebook missing codes).
    level : float
        Confidence level; intervals use the normal quantile.

    Returns
    -------
    Estimates
        One row per domain (and level, for a categorical); ``deff`` is R's
        ``deff="replace"``.

    Notes
    -----
    Equivalent to ``svytotal(~var, design, deff="replace")`` (and ``svyby``) in R.
    """
    level = _check_level(level)
    wt = weighted_totals(sf)
    if wt.is_categorical(var):
        return _proportions(wt, var, by, "mean", na_rm, level, kind="total")
    return _mean_or_total(wt, "total", var, by, na_rm, level)


def _mean_or_total(
    wt: WeightedTotals, kind: Literal["mean", "total"], var: str, by: By, na_rm: bool, level: float
) -> Estimates:
    c = wt.value_cells(kind, var, by, na_rm)
    W = c.W
    assert W is not None  # cells of a mean or total have their domains' weight totals
    _check_weights(W, c.keys, c.by_cols)
    r = wt.finish(c)
    est = r.theta.copy()
    se = np.sqrt(np.clip(np.diag(r.vcov), 0, None))
    nobs = c.nobs
    # R's svyvar(y)/nobs per domain: n/(n-1) * sum(w (y - ybar)^2)/sum(w) / n
    ybar = r.theta if kind == "mean" else r.theta / W
    ss = wt.srs_ss(c, ybar)
    with np.errstate(divide="ignore", invalid="ignore"):
        vsrs = nobs / (nobs - 1) * ss / W / nobs
        if kind == "total":
            vsrs = vsrs * W**2
        deff = np.diag(r.vcov) / vsrs
    if c.bad is not None:  # R returns NA when a domain has missing values and na.rm=FALSE
        est[c.bad], se[c.bad], deff[c.bad] = np.nan, np.nan, np.nan
    lo, hi = _normal_ci(est, se, level)
    frame = _frame(c.col, None, c.keys, list(c.by_cols), est, se, lo, hi, deff, c.nobs)
    return Estimates(kind, c.col, c.by_cols, frame, r.vcov, level, "normal", wt.label(c.col), wt.design_label())


def proportion(
    sf: Backend,
    var: str,
    *,
    by: str | Sequence[str] | None = None,
    ci: Literal["logit", "beta", "wilson", "xlogit", "mean"] = "logit",
    na_rm: bool = True,
    level: float = 0.95,
) -> Estimates:
    """Share of respondents giving each response, with confidence intervals.

    Parameters
    ----------
    sf : SurveyFrame, PartitionedFrame or WeightedTotals
        The survey (either backend of a :class:`pewlike.Survey`).
    var : str
        Categorical variable; every non-missing level gets a row.
    by : str or list of str, optional
        Domain variables.
    ci : {"logit", "beta", "wilson", "xlogit", "mean"}
        Interval method, as R's ``svyciprop(method=)``; "beta" is Korn-Graubard.
        Intervals use the design degrees of freedom of each domain.
    na_rm : bool
        Exclude missing responses ("Refused", "Don't know") from the base;
        ``False`` reports them as levels.
    level : float
        Confidence level.

    Returns
    -------
    Estimates
        Fractions (0-1); ``n`` is the unweighted count giving that response.

    Notes
    -----
    Estimates, SEs and ``deff`` equal ``svymean(~factor, design, deff="replace")``
    (and ``svyby``); intervals equal ``svyciprop(~I(var == level), design,
    method=ci)`` per level, per domain.
    """
    level = _check_level(level)
    if ci not in CI_METHODS:
        raise EstimationError(f"ci={ci!r} is not valid; choose one of " + ", ".join(repr(m) for m in CI_METHODS))
    return _proportions(weighted_totals(sf), var, by, ci, na_rm, level, kind="proportion")


def _proportions(
    wt: WeightedTotals,
    var: str,
    by: By,
    ci: ProportionCI,
    na_rm: bool,
    level: float,
    kind: Literal["proportion", "total"],
) -> Estimates:
    c = wt.level_cells(kind, var, by, na_rm)
    r = wt.finish(c)
    dpos, G = c.dom_of, c.ndom
    # shares: the domain totals are the ratios' denominators; counts: sums of the levels
    Wg = r.den if kind == "proportion" and r.den is not None else np.bincount(dpos, weights=r.num, minlength=G)
    _check_weights(Wg, c.keys, c.by_cols)
    est = r.theta
    var_ = np.clip(np.diag(r.vcov), 0, None)
    se = np.sqrt(var_)
    n = c.n
    nobs = np.bincount(dpos, weights=c.nobs, minlength=G)[dpos]
    dom_n = np.bincount(dpos, weights=n, minlength=G)
    deff = level_deff(var_, r.num, Wg[dpos], nobs, kind)
    if kind == "proportion":
        dfs = wt.domain_df(c, r)
        lo, hi = prop_ci(est, var_, dfs, level, ci, dom_n[dpos])
        if ci == "logit" and r.reps is not None:
            lo, hi = _replicate_logit_ci(wt.replicate_scales(), r, dfs, level)
    else:
        lo, hi = _normal_ci(est, se, level)
    frame = _frame(c.col, c.levels, c.keys, list(c.by_cols), est, se, lo, hi, deff, c.nobs)
    return Estimates(
        kind,
        c.col,
        c.by_cols,
        frame,
        r.vcov,
        level,
        ci if kind == "proportion" else "normal",
        wt.label(c.col),
        wt.design_label(),
        extra={"base_n": dom_n.astype(np.int64)},
    )


def level_deff(var: np.ndarray, num: np.ndarray, W: np.ndarray, nobs: np.ndarray, kind: str) -> np.ndarray:
    """Design effect ("replace") of each level's share (or count) in its domain.

    Parameters
    ----------
    var : ndarray (k,)
        Design variance of each share (or count).
    num : ndarray (k,)
        Weighted count of the level.
    W : ndarray (k,)
        Weighted count of its domain.
    nobs : ndarray (k,)
        Rows with a non-zero weight in the domain.
    kind : {"proportion", "total"}
        Shares, or counts (the SRS variance times ``W**2``).

    Returns
    -------
    ndarray (k,)
        ``var`` over the SRS variance ``p (1 - p) / (nobs - 1)``.

    Notes
    -----
    R's ``deff="replace"`` of ``svymean``/``svytotal`` on a factor.
    """
    p = num / W
    with np.errstate(divide="ignore", invalid="ignore"):
        vsrs = p * (1 - p) / (nobs - 1)
        if kind == "total":
            vsrs = vsrs * W**2
        return var / vsrs


def _replicate_logit_ci(d, r, dfs, level):
    """Logit interval on a replicate design: the logit is re-estimated in every replicate.

    As R's ``svyciprop(method="logit")``, whose ``svyglm`` refits each replicate.
    """
    from pewlike.estimation.proportion_ci import _tq
    from pewlike.variance.linearization import replicate_vcov

    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.log(r.theta / (1 - r.theta))
        eta_r = np.log(r.reps / (1 - r.reps))
        v = np.diag(replicate_vcov(eta_r, eta, scale=d.scale, rscales=d.rscales, mse=d.mse))
        half = _tq(dfs, 0.5 + level / 2) * np.sqrt(v)
        lo = 1 / (1 + np.exp(-(eta - half)))
        hi = 1 / (1 + np.exp(-(eta + half)))
    return np.where(np.isfinite(lo), lo, r.theta), np.where(np.isfinite(hi), hi, r.theta)


def ratio(
    sf: Backend,
    numerator: str,
    denominator: str,
    *,
    by: str | Sequence[str] | None = None,
    na_rm: bool = True,
    level: float = 0.95,
) -> Estimates:
    """Ratio of two weighted totals, overall or by domain.

    Parameters
    ----------
    sf : SurveyFrame, PartitionedFrame or WeightedTotals
        The survey (either backend of a :class:`pewlike.Survey`).
    numerator, denominator : str
        Numeric variables.
    by : str or list of str, optional
        Domain variables.
    na_rm : bool
        Drop rows where either variable is missing.
    level : float
        Confidence level.

    Returns
    -------
    Estimates
        One row per domain, variable ``"numerator/denominator"``.

    Raises
    ------
    EstimationError
        The denominator totals zero in some domain.

    Notes
    -----
    Equivalent to ``svyratio(~numerator, ~denominator, design)`` (and ``svyby``)
    in R survey; intervals use the normal quantile, as R's ``confint``.
    ``deff`` is not defined for ratios (NaN), as in R.
    """
    level = _check_level(level)
    wt = weighted_totals(sf)
    c = wt.ratio_cells(numerator, denominator, by, na_rm)
    assert c.W is not None  # cells of a ratio have their domains' weight totals
    _check_weights(c.W, c.keys, c.by_cols)
    r = wt.finish(c)
    if np.any(r.den == 0):
        raise EstimationError(f"the total of {c.other!r} is zero in some domain; the ratio is undefined there")
    se = np.sqrt(np.clip(np.diag(r.vcov), 0, None))
    lo, hi = _normal_ci(r.theta, se, level)
    name = f"{c.col}/{c.other}"
    frame = _frame(name, None, c.keys, list(c.by_cols), r.theta, se, lo, hi, np.full(c.ndom, np.nan), c.nobs)
    return Estimates("ratio", name, c.by_cols, frame, r.vcov, level, "normal", None, wt.design_label())
