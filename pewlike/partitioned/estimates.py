"""Means, totals, proportions, ratios and tests on a partitioned survey.

Each estimator describes its cells with a cell spec (:mod:`pewlike.partitioned.cells`), then
:mod:`pewlike.partitioned.ratios` sums and finishes them, and the result is assembled exactly as
:mod:`pewlike.estimation.estimators` assembles it (the same private helpers), so the result objects are
the same and equal the in-memory ones to rounding.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import EstimationError
from pewlike.estimation import estimators as _est
from pewlike.estimation.proportion_ci import CI_METHODS, prop_ci
from pewlike.estimation.results import Estimates, TestResult
from pewlike.partitioned.cells import (
    ByCodes,
    DomainSpec,
    FactorCodes,
    MeanSpec,
    PropSpec,
    RatioSpec,
    TableSpec,
    by_codes,
    factor_codes,
    numeric_column,
    spec_columns,
)
from pewlike.partitioned.engine import run_pass
from pewlike.partitioned.ratios import Kept, domain_df, finish, first_pass

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.partitioned.survey import DaskSurvey

__all__ = ["chisq", "design_sums", "mean", "proportion", "ratio", "table_totals", "total", "ttest"]


def design_sums(svy: DaskSurvey, *, need_df: bool = True) -> dict:
    """Respondents in the domain and (with ``need_df``) the design degrees of freedom: one pass."""
    spec = DomainSpec((), 1, 0, None, False, 1, np.zeros(1, dtype=np.int64))
    sums = first_pass(svy, spec, need_df=need_df)
    out = {"n": int(sums["n"][0])}
    if need_df:
        out["degf"] = float(domain_df(svy, sums, np.array([0]))[0])
    return out


def _design_label(svy: DaskSurvey) -> str:
    from pewlike.variance.strategy import linearization_label, replicate_label

    d = svy._ddesign
    if d.kind == "replicate":
        return replicate_label(d.reptype, len(d.rep_cols))
    return linearization_label(
        stages=len(d.names.get("psu", []) or []) or 1,
        clustered=bool(d.names.get("psu")),
        stratified=bool(d.names.get("strata")),
        fpc=not (d.unit_pop is None and d.pop_h is None),
    )


def _empty_domain(svy, sums, col):
    if sums["nvalid"][0] == 0:
        raise EstimationError(f"{col!r} has no valid values in this survey (all missing or refused)")
    raise EstimationError(f"no respondent has valid values of {col!r} in this domain")


# --------------------------------------------------------------------------- estimators
def mean(svy: DaskSurvey, var: str, *, by=None, na_rm: bool = True, level: float = 0.95) -> Estimates:
    """Weighted mean, overall or by domain, on a partitioned survey.

    Notes
    -----
    Equivalent to ``svymean``/``svyby(..., svymean, deff="replace")`` in R survey and to
    :func:`pewlike.estimation.estimators.mean`.
    """
    level = _est._check_level(level)
    return _mean_or_total(svy, "mean", numeric_column(svy, var, "mean"), by, na_rm, level)


def total(svy: DaskSurvey, var: str, *, by=None, na_rm: bool = True, level: float = 0.95) -> Estimates:
    """Weighted total of a numeric variable, or counts of each level of a categorical.

    Notes
    -----
    Equivalent to ``svytotal(~var, design, deff="replace")`` (and ``svyby``) in R survey.
    """
    import pandas as pd

    level = _est._check_level(level)
    col = svy._resolve(var)
    if isinstance(svy._ddf._meta[col].dtype, pd.CategoricalDtype):
        return _proportions(svy, col, by, "mean", na_rm, level, kind="total")
    return _mean_or_total(svy, "total", numeric_column(svy, var, "total"), by, na_rm, level)


def _ss_pass(pdf, prep, params):
    spec, ybar = params
    code, yv, *_ = spec.codes(pdf, prep)
    ok = code >= 0
    resid = yv[ok] - ybar[code[ok]]
    return {"ss": np.bincount(code[ok], weights=prep.w[ok] * resid * resid, minlength=spec.n_dom)}


def _mean_or_total(svy, kind, col, by, na_rm, level):
    bc = by_codes(svy, by, na_rm)
    G = bc.size
    ar = np.arange(G)
    spec = MeanSpec(spec_columns(col, *bc.cols), G, G if kind == "mean" else 0, ar, False, G, ar, col, bc, na_rm, kind)
    sums = first_pass(svy, spec)
    present = np.flatnonzero(sums["ndom"] > 0)
    if present.size == 0:
        _empty_domain(svy, sums, col)
    keys = bc.keys(present)
    W = sums["W"][present]
    _est._check_weights(W, keys, list(bc.cols))
    r = finish(svy, spec, sums, Kept.of(spec, present))
    est = r.theta.copy()
    se = np.sqrt(np.clip(np.diag(r.vcov), 0, None))
    n, nobs = sums["n"][present].astype(np.int64), sums["nobs"][present]
    ybar_p = r.theta if kind == "mean" else r.theta / W
    ybar = np.zeros(G)
    ybar[present] = ybar_p
    ss = run_pass(svy, spec.columns, _ss_pass, (spec, ybar))["ss"][present]
    with np.errstate(divide="ignore", invalid="ignore"):
        vsrs = nobs / (nobs - 1) * ss / W / nobs
        if kind == "total":
            vsrs = vsrs * W**2
        deff = np.diag(r.vcov) / vsrs
    if not na_rm:
        bad = sums["bad"][present] > 0
        est[bad], se[bad], deff[bad] = np.nan, np.nan, np.nan
    lo, hi = _est._normal_ci(est, se, level)
    frame = _est._frame(col, None, keys, list(bc.cols), est, se, lo, hi, deff, n)
    return Estimates(
        kind, col, bc.cols, frame, r.vcov, level, "normal", svy._codebook.variables[col].label, _design_label(svy)
    )


def proportion(
    svy: DaskSurvey,
    var: str,
    *,
    by=None,
    ci: str = "logit",
    na_rm: bool = True,
    level: float = 0.95,
    factor: FactorCodes | None = None,
) -> Estimates:
    """Share of respondents giving each response, with confidence intervals, on a partitioned survey.

    Notes
    -----
    Estimates, SEs and ``deff`` equal ``svymean(~factor, design, deff="replace")`` (and
    ``svyby``); intervals ``svyciprop(method=ci)`` with each domain's design df; as
    :func:`pewlike.estimation.estimators.proportion`.
    """
    level = _est._check_level(level)
    if ci not in CI_METHODS:
        raise EstimationError(f"ci={ci!r} is not valid; choose one of " + ", ".join(repr(m) for m in CI_METHODS))
    return _proportions(svy, var, by, ci, na_rm, level, kind="proportion", factor=factor)


def _proportions(svy, var, by, ci, na_rm, level, kind, factor=None):
    fc = factor if factor is not None else factor_codes(svy, var, na_rm=na_rm)
    col, levels = fc.col, list(fc.labels)
    if not levels:
        raise EstimationError(f"{col!r} has no substantive response levels")
    L = len(levels)
    bc = by_codes(svy, by, na_rm)
    G = bc.size
    den_of = np.repeat(np.arange(G), L)
    spec = PropSpec(
        spec_columns(col, *bc.cols),
        G * L,
        G if kind == "proportion" else 0,
        den_of,
        kind == "proportion",
        G,
        den_of,
        fc,
        bc,
        L,
    )
    sums = first_pass(svy, spec, need_df=(kind == "proportion"))
    present = np.flatnonzero(sums["ndom"] > 0)
    if present.size == 0:
        _empty_domain(svy, sums, col)
    keys = bc.keys(present)
    cells = (present[:, None] * L + np.arange(L)[None, :]).ravel()
    r = finish(svy, spec, sums, Kept.of(spec, cells))
    Gp = present.size
    dpos = np.repeat(np.arange(Gp), L)
    Wg = r.den if kind == "proportion" else np.bincount(dpos, weights=r.num, minlength=Gp)
    _est._check_weights(Wg, keys, list(bc.cols))
    est = r.theta
    var_ = np.clip(np.diag(r.vcov), 0, None)
    se = np.sqrt(var_)
    n = sums["n"][cells].astype(np.int64)
    nobs = np.bincount(dpos, weights=sums["nobs"][cells], minlength=Gp)[dpos]
    dom_n = np.bincount(dpos, weights=n, minlength=Gp)
    deff = _est.level_deff(var_, r.num, Wg[dpos], nobs, kind)
    if kind == "proportion":
        dfs = domain_df(svy, sums, present)[dpos]
        lo, hi = prop_ci(est, var_, dfs, level, ci, dom_n[dpos])
        if ci == "logit" and r.reps is not None:
            lo, hi = _est._replicate_logit_ci(svy._ddesign, r, dfs, level)
    else:
        lo, hi = _est._normal_ci(est, se, level)
    frame = _est._frame(col, levels, keys, list(bc.cols), est, se, lo, hi, deff, n)
    return Estimates(
        kind,
        col,
        bc.cols,
        frame,
        r.vcov,
        level,
        ci if kind == "proportion" else "normal",
        svy._codebook.variables[col].label,
        _design_label(svy),
        extra={"base_n": dom_n.astype(np.int64)},
    )


def ratio(
    svy: DaskSurvey, numerator: str, denominator: str, *, by=None, na_rm: bool = True, level: float = 0.95
) -> Estimates:
    """Ratio of two weighted totals, overall or by domain, on a partitioned survey.

    Notes
    -----
    Equivalent to ``svyratio(~numerator, ~denominator, design)`` (and ``svyby``) in R survey.
    """
    level = _est._check_level(level)
    ncol = numeric_column(svy, numerator, "ratio")
    dcol = numeric_column(svy, denominator, "ratio")
    bc = by_codes(svy, by, na_rm)
    G = bc.size
    ar = np.arange(G)
    spec = RatioSpec(spec_columns(ncol, dcol, *bc.cols), G, G, ar, False, G, ar, ncol, dcol, bc, na_rm)
    sums = first_pass(svy, spec)
    present = np.flatnonzero(sums["ndom"] > 0)
    if present.size == 0:
        _empty_domain(svy, sums, ncol)
    keys = bc.keys(present)
    _est._check_weights(sums["W"][present], keys, list(bc.cols))
    r = finish(svy, spec, sums, Kept.of(spec, present))
    if np.any(r.den == 0):
        raise EstimationError(f"the total of {dcol!r} is zero in some domain; the ratio is undefined there")
    se = np.sqrt(np.clip(np.diag(r.vcov), 0, None))
    lo, hi = _est._normal_ci(r.theta, se, level)
    name = f"{ncol}/{dcol}"
    frame = _est._frame(
        name,
        None,
        keys,
        list(bc.cols),
        r.theta,
        se,
        lo,
        hi,
        np.full(present.size, np.nan),
        sums["n"][present].astype(np.int64),
    )
    return Estimates("ratio", name, bc.cols, frame, r.vcov, level, "normal", None, _design_label(svy))


def table_totals(svy: DaskSurvey, rf: FactorCodes, cf: FactorCodes, *, shares: bool):
    """Cells of the two-way table of the levels that occur: ``(Ratios, nr, nc, sums)``."""
    nr_f, nc_f = len(rf.labels), len(cf.labels)
    k = nr_f * nc_f
    spec = TableSpec(
        spec_columns(rf.col, cf.col),
        k,
        1 if shares else 0,
        np.zeros(k, dtype=np.int64),
        False,
        1,
        np.zeros(k, dtype=np.int64),
        rf,
        cf,
    )
    sums = first_pass(svy, spec)
    counts = sums["n"].reshape(nc_f, nr_f).T
    if counts.sum() == 0:
        raise EstimationError(f"no respondent has valid values of both {rf.col!r} and {cf.col!r}")
    rpres = np.flatnonzero(counts.sum(axis=1))
    cpres = np.flatnonzero(counts.sum(axis=0))
    cells = (rpres[:, None] + nr_f * cpres[None, :]).T.ravel()  # rows vary fastest
    return finish(svy, spec, sums, Kept.of(spec, cells), by_domain=False), rpres.size, cpres.size


def chisq(svy: DaskSurvey, row: str, col: str, *, statistic: str = "F", na_rm: bool = True) -> TestResult:
    """Rao-Scott (or Wald) test of association on a partitioned survey.

    Notes
    -----
    Equivalent to ``svychisq(~row + col, design, statistic=)`` in R survey and to
    :func:`pewlike.estimation.hypothesis.chisq`.
    """
    from pewlike.estimation.hypothesis import rao_scott, wald_independence

    if statistic not in ("F", "Chisq", "Wald", "adjWald"):
        raise EstimationError(f"statistic={statistic!r} is not valid; choose one of 'F', 'Chisq', 'Wald', 'adjWald'")
    rf = factor_codes(svy, row, na_rm=na_rm)
    cf = factor_codes(svy, col, na_rm=na_rm)
    if rf.col == cf.col:
        raise EstimationError(f"chisq needs two different variables, got {rf.col!r} twice")
    wald = statistic in ("Wald", "adjWald")
    r, nr, nc = table_totals(svy, rf, cf, shares=not wald)
    if nr < 2 or nc < 2:
        raise EstimationError(
            f"chisq needs at least two observed levels in each variable ({rf.col!r} has {nr}, {cf.col!r} has {nc})"
        )
    if wald:
        stat, df, p, method = wald_independence(r.theta, r.vcov, nr, nc, float(svy.degf), statistic)
        return TestResult(stat, df, p, method, (rf.col, cf.col))
    table = r.num.reshape(nc, nr).T
    stat, df, p, method = rao_scott(r.theta, r.vcov, table, float(svy.n), float(svy.degf), statistic)
    return TestResult(stat, df, p, method, (rf.col, cf.col))


def ttest(svy: DaskSurvey, var: str, by: str, *, na_rm: bool = True, level: float = 0.95) -> TestResult:
    """Design-based t test of a difference in means between two groups.

    Notes
    -----
    Equivalent to ``svyttest(var ~ by, design)`` in R survey and :func:`pewlike.estimation.hypothesis.ttest`.
    """
    from scipy import stats

    ycol = numeric_column(svy, var, "ttest")
    gf = factor_codes(svy, by, na_rm=na_rm)
    bc = ByCodes((gf.col,), (gf.level,), na_rm)
    ar = np.arange(bc.size)
    spec = MeanSpec(spec_columns(ycol, gf.col), bc.size, bc.size, ar, False, bc.size, ar, ycol, bc, True, "mean")
    sums = first_pass(svy, spec, need_df=True)
    # group levels are those of factor_codes (missing categories dropped when na_rm)
    kept_raw = np.flatnonzero(gf.lut[:-1] >= 0)
    present = kept_raw[sums["ndom"][kept_raw] > 0]
    if present.size != 2:
        names = ", ".join(gf.level.labels[i] for i in present)
        raise EstimationError(
            f"ttest needs a group variable with exactly two groups; {gf.col!r} has "
            f"{present.size} among valid rows ({names})"
        )
    r = finish(svy, spec, sums, Kept.of(spec, present), by_domain=False)
    diff = float(r.theta[1] - r.theta[0])
    se = float(np.sqrt(r.vcov[0, 0] + r.vcov[1, 1] - 2 * r.vcov[0, 1]))
    df = float(_union_df(svy, sums, present) - 1)
    t = diff / se
    p = float(2 * stats.t.sf(abs(t), df))
    return TestResult(
        t,
        df,
        p,
        "Design-based t-test",
        (ycol, gf.col),
        diff,
        se,
        extra={"groups": (gf.level.labels[present[0]], gf.level.labels[present[1]])},
    )


def _union_df(svy, sums, doms) -> float:
    """Degrees of freedom of the union of some domains (the rows used by a test)."""
    d = svy._ddesign
    if d.kind == "replicate":
        from pewlike.partitioned.engine import rank_from_gram

        return float(rank_from_gram(sums["gram"][doms].sum(axis=0)))
    if d.kind == "clustered":
        npsu = int(d.unit_clusters[:, 0].max()) + 1
        nst = int(d.unit_strata[:, 0].max()) + 1
        pk, sk = sums["df_psu"].keys, sums["df_str"].keys
        p = np.unique(pk[np.isin(pk // npsu, doms)] % npsu).size
        s = np.unique(sk[np.isin(sk // nst, doms)] % nst).size
        return float(p - s)
    H = d.n_h.shape[0]
    sk = sums["df_str"].keys
    return float(sums["df_rows"][doms].sum() - np.unique(sk[np.isin(sk // H, doms)] % H).size)
