"""Means, totals, proportions, ratios and tests on a partitioned survey.

Each estimator describes its cells with a cell spec (:mod:`pewlike.partitioned.cells`), then
:mod:`pewlike.partitioned.ratios` sums and finishes them, and the result is assembled exactly as
:mod:`pewlike.estimation.estimators` assembles it (the same private helpers), so the result objects are
the same and equal the in-memory ones to rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, NoReturn

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
    import pandas as pd

    from pewlike.estimation.engine import Ratios
    from pewlike.partitioned.engine import Prep, Sums
    from pewlike.partitioned.frame import PartitionedFrame

    #: Confidence intervals of proportions (R ``svyciprop(method=)``).
    ProportionCI = Literal["logit", "beta", "wilson", "xlogit", "mean"]
    #: Statistics of :func:`chisq` (R ``svychisq(statistic=)``).
    ChisqStatistic = Literal["F", "Chisq", "Wald", "adjWald"]
    #: Domain variables: one name, several, or None for the whole survey.
    By = str | Sequence[str] | None

__all__ = ["chisq", "design_sums", "mean", "proportion", "ratio", "table_totals", "total", "ttest"]


def design_sums(pf: PartitionedFrame, *, need_df: bool = True) -> dict[str, float]:
    """Respondents in the domain and (with ``need_df``) the design degrees of freedom: one pass.

    Parameters
    ----------
    pf : PartitionedFrame
    need_df : bool
        Also compute the degrees of freedom.

    Returns
    -------
    dict
        ``n`` (int) and, with ``need_df``, ``degf`` (float).
    """
    spec = DomainSpec(
        columns=(),
        n_num=1,
        n_den=0,
        den_of=np.zeros(0, dtype=np.int64),  # no denominators
        den_from_num=False,
        n_dom=1,
        dom_of=np.zeros(1, dtype=np.int64),
    )
    sums = first_pass(pf, spec, need_df=need_df)
    out: dict[str, float] = {"n": int(sums["n"][0])}
    if need_df:
        out["degf"] = float(domain_df(pf, sums, np.array([0]))[0])
    return out


def _design_label(pf: PartitionedFrame) -> str:
    return pf._ddesign.variance.label()


def _empty_domain(pf: PartitionedFrame, sums: Sums, col: str) -> NoReturn:
    if sums["nvalid"][0] == 0:
        raise EstimationError(f"{col!r} has no valid values in this survey (all missing or refused)")
    raise EstimationError(f"no respondent has valid values of {col!r} in this domain")


# --------------------------------------------------------------------------- estimators
def mean(pf: PartitionedFrame, var: str, *, by: By = None, na_rm: bool = True, level: float = 0.95) -> Estimates:
    """Weighted mean, overall or by domain, on a partitioned survey.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey (the backend of a partitioned :class:`pewlike.Survey`).
    var : str
        Numeric variable (wave suffix optional).
    by : str or list of str, optional
        Domain variables; each domain keeps the full design for its variance.
    na_rm : bool
        Drop missing values from the base; ``False`` gives NaN for a domain with any.
    level : float
        Confidence level; intervals use the normal quantile, as R's ``confint``.

    Returns
    -------
    Estimates
        As :func:`pewlike.estimation.estimators.mean`; ``deff`` is R's ``deff="replace"``.

    Raises
    ------
    VariableError
        ``var`` is not numeric.
    EstimationError
        No valid value in the domain, a domain with no positive weight, or a bad ``level``.

    Notes
    -----
    Two passes over the partitions (sums, then squared deviations for ``deff``), more for
    raked designs and designs whose units are the rows.  R has no partitioned equivalent:
    the result equals R survey's ``svymean(~var, design, deff="replace")`` (with ``by``:
    ``svyby(~var, ~by, design, svymean, deff="replace")``) on all rows in memory, and
    :func:`pewlike.estimation.estimators.mean`.
    """
    level = _est._check_level(level)
    return _mean_or_total(pf, "mean", numeric_column(pf, var, "mean"), by, na_rm, level)


def total(pf: PartitionedFrame, var: str, *, by: By = None, na_rm: bool = True, level: float = 0.95) -> Estimates:
    """Weighted total of a numeric variable, or counts of each level of a categorical, on a partitioned survey.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey (the backend of a partitioned :class:`pewlike.Survey`).
    var : str
        Numeric or categorical variable (wave suffix optional).
    by : str or list of str, optional
        Domain variables.
    na_rm : bool
        Drop missing values (categoricals: missing-coded responses) from the base.
    level : float
        Confidence level (normal intervals).

    Returns
    -------
    Estimates
        As :func:`pewlike.estimation.estimators.total`.

    Raises
    ------
    VariableError
        ``var`` is neither numeric nor categorical.
    EstimationError
        No valid value in the domain, or a bad ``level``.

    Notes
    -----
    R has no partitioned equivalent: the result equals R survey's ``svytotal(~var, design,
    deff="replace")`` (and ``svyby``) on all rows in memory, and
    :func:`pewlike.estimation.estimators.total`.
    """
    import pandas as pd

    level = _est._check_level(level)
    col = pf.resolve(var)
    if isinstance(pf._ddf._meta[col].dtype, pd.CategoricalDtype):
        return _proportions(pf, col, by, "mean", na_rm, level, kind="total")
    return _mean_or_total(pf, "total", numeric_column(pf, var, "total"), by, na_rm, level)


def _ss_pass(pdf: pd.DataFrame, prep: Prep, params: tuple[MeanSpec, np.ndarray]) -> Sums:
    spec, ybar = params
    code, yv = spec.domain_values(pdf, prep)
    ok = code >= 0
    resid = yv[ok] - ybar[code[ok]]
    return {"ss": np.bincount(code[ok], weights=prep.w[ok] * resid * resid, minlength=spec.n_dom)}


def _mean_or_total(
    pf: PartitionedFrame, kind: Literal["mean", "total"], col: str, by: By, na_rm: bool, level: float
) -> Estimates:
    bc = by_codes(pf, by, na_rm)
    G = bc.size
    ar = np.arange(G)
    spec = MeanSpec(
        columns=spec_columns(col, *bc.cols),
        n_num=G,
        n_den=G if kind == "mean" else 0,
        den_of=ar,
        den_from_num=False,
        n_dom=G,
        dom_of=ar,
        ycol=col,
        by=bc,
        na_rm=na_rm,
        kind=kind,
    )
    sums = first_pass(pf, spec)
    present = np.flatnonzero(sums["ndom"] > 0)
    if present.size == 0:
        _empty_domain(pf, sums, col)
    keys = bc.keys(present)
    W = sums["W"][present]
    _est._check_weights(W, keys, list(bc.cols))
    r = finish(pf, spec, sums, Kept.of(spec, present))
    est = r.theta.copy()
    se = np.sqrt(np.clip(np.diag(r.vcov), 0, None))
    n, nobs = sums["n"][present].astype(np.int64), sums["nobs"][present]
    ybar_p = r.theta if kind == "mean" else r.theta / W
    ybar = np.zeros(G)
    ybar[present] = ybar_p
    ss = run_pass(pf, spec.columns, _ss_pass, (spec, ybar))["ss"][present]
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
        kind, col, bc.cols, frame, r.vcov, level, "normal", pf._codebook.variables[col].label, _design_label(pf)
    )


def proportion(
    pf: PartitionedFrame,
    var: str,
    *,
    by: By = None,
    ci: ProportionCI = "logit",
    na_rm: bool = True,
    level: float = 0.95,
    factor: FactorCodes | None = None,
) -> Estimates:
    """Share of respondents giving each response, with confidence intervals, on a partitioned survey.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey (the backend of a partitioned :class:`pewlike.Survey`).
    var : str
        Categorical variable (wave suffix optional); every counted level gets a row.
    by : str or list of str, optional
        Domain variables.
    ci : {"logit", "beta", "wilson", "xlogit", "mean"}
        Interval method, as R's ``svyciprop(method=)``; "beta" is Korn-Graubard.
        Intervals use the design degrees of freedom of each domain.
    na_rm : bool
        Exclude missing responses ("Refused", "Don't know") from the base; ``False``
        reports them as levels.
    level : float
        Confidence level.
    factor : FactorCodes, optional
        The levels to report, when they are not those of ``var`` (nets are a recode of it).

    Returns
    -------
    Estimates
        Fractions (0-1), as :func:`pewlike.estimation.estimators.proportion`; ``n`` is the
        unweighted count giving that response.

    Raises
    ------
    EstimationError
        A bad ``ci`` or ``level``, no substantive level, or no valid response in the domain.

    Notes
    -----
    R has no partitioned equivalent: estimates, SEs and ``deff`` equal R survey's
    ``svymean(~factor(var), design, deff="replace")`` (and ``svyby``) on all rows in
    memory, intervals ``svyciprop(~I(var == level), design, method=ci)`` per level and
    domain; as :func:`pewlike.estimation.estimators.proportion`.
    """
    level = _est._check_level(level)
    if ci not in CI_METHODS:
        raise EstimationError(f"ci={ci!r} is not valid; choose one of " + ", ".join(repr(m) for m in CI_METHODS))
    return _proportions(pf, var, by, ci, na_rm, level, kind="proportion", factor=factor)


def _proportions(
    pf: PartitionedFrame,
    var: str,
    by: By,
    ci: ProportionCI,
    na_rm: bool,
    level: float,
    kind: Literal["proportion", "total"],
    factor: FactorCodes | None = None,
) -> Estimates:
    fc = factor if factor is not None else factor_codes(pf, var, na_rm=na_rm)
    col, levels = fc.col, list(fc.labels)
    if not levels:
        raise EstimationError(f"{col!r} has no substantive response levels")
    L = len(levels)
    bc = by_codes(pf, by, na_rm)
    G = bc.size
    den_of = np.repeat(np.arange(G), L)
    spec = PropSpec(
        columns=spec_columns(col, *bc.cols),
        n_num=G * L,
        n_den=G if kind == "proportion" else 0,
        den_of=den_of,
        den_from_num=kind == "proportion",
        n_dom=G,
        dom_of=den_of,
        factor=fc,
        by=bc,
        L=L,
    )
    sums = first_pass(pf, spec, need_df=(kind == "proportion"))
    present = np.flatnonzero(sums["ndom"] > 0)
    if present.size == 0:
        _empty_domain(pf, sums, col)
    keys = bc.keys(present)
    cells = (present[:, None] * L + np.arange(L)[None, :]).ravel()
    r = finish(pf, spec, sums, Kept.of(spec, cells))
    Gp = present.size
    dpos = np.repeat(np.arange(Gp), L)
    # shares: the domain totals are the ratios' denominators; counts: sums of the levels
    Wg = r.den if kind == "proportion" and r.den is not None else np.bincount(dpos, weights=r.num, minlength=Gp)
    _est._check_weights(Wg, keys, list(bc.cols))
    est = r.theta
    var_ = np.clip(np.diag(r.vcov), 0, None)
    se = np.sqrt(var_)
    n = sums["n"][cells].astype(np.int64)
    nobs = np.bincount(dpos, weights=sums["nobs"][cells], minlength=Gp)[dpos]
    dom_n = np.bincount(dpos, weights=n, minlength=Gp)
    deff = _est.level_deff(var_, r.num, Wg[dpos], nobs, kind)
    if kind == "proportion":
        dfs = domain_df(pf, sums, present)[dpos]
        lo, hi = prop_ci(est, var_, dfs, level, ci, dom_n[dpos])
        if ci == "logit" and r.reps is not None:
            lo, hi = _est._replicate_logit_ci(pf._ddesign, r, dfs, level)
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
        pf._codebook.variables[col].label,
        _design_label(pf),
        extra={"base_n": dom_n.astype(np.int64)},
    )


def ratio(
    pf: PartitionedFrame, numerator: str, denominator: str, *, by: By = None, na_rm: bool = True, level: float = 0.95
) -> Estimates:
    """Ratio of two weighted totals, overall or by domain, on a partitioned survey.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey (the backend of a partitioned :class:`pewlike.Survey`).
    numerator, denominator : str
        Numeric variables (wave suffix optional).
    by : str or list of str, optional
        Domain variables.
    na_rm : bool
        Leave out rows missing either variable.
    level : float
        Confidence level (normal intervals).

    Returns
    -------
    Estimates
        As :func:`pewlike.estimation.estimators.ratio`; ``deff`` is NaN, as in R.

    Raises
    ------
    VariableError
        A variable is not numeric.
    EstimationError
        No valid row in the domain, or a denominator total of zero in some domain.

    Notes
    -----
    R has no partitioned equivalent: the result equals R survey's
    ``svyratio(~numerator, ~denominator, design)`` (and ``svyby``) on all rows in memory,
    and :func:`pewlike.estimation.estimators.ratio`.
    """
    level = _est._check_level(level)
    ncol = numeric_column(pf, numerator, "ratio")
    dcol = numeric_column(pf, denominator, "ratio")
    bc = by_codes(pf, by, na_rm)
    G = bc.size
    ar = np.arange(G)
    spec = RatioSpec(
        columns=spec_columns(ncol, dcol, *bc.cols),
        n_num=G,
        n_den=G,
        den_of=ar,
        den_from_num=False,
        n_dom=G,
        dom_of=ar,
        ncol=ncol,
        dcol=dcol,
        by=bc,
        na_rm=na_rm,
    )
    sums = first_pass(pf, spec)
    present = np.flatnonzero(sums["ndom"] > 0)
    if present.size == 0:
        _empty_domain(pf, sums, ncol)
    keys = bc.keys(present)
    _est._check_weights(sums["W"][present], keys, list(bc.cols))
    r = finish(pf, spec, sums, Kept.of(spec, present))
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
    return Estimates("ratio", name, bc.cols, frame, r.vcov, level, "normal", None, _design_label(pf))


def table_totals(pf: PartitionedFrame, rf: FactorCodes, cf: FactorCodes, *, shares: bool) -> tuple[Ratios, int, int]:
    """Cells of the two-way table of the levels that occur (rows vary fastest).

    Parameters
    ----------
    pf : PartitionedFrame
    rf, cf : FactorCodes
        The row and column variables.
    shares : bool
        Estimate shares of the table's total (else totals).

    Returns
    -------
    ratios : Ratios
        The cells' estimates and covariance.
    nr, nc : int
        Levels of the row and column variables that occur.

    Raises
    ------
    EstimationError
        No respondent has valid values of both.
    """
    nr_f, nc_f = len(rf.labels), len(cf.labels)
    k = nr_f * nc_f
    spec = TableSpec(
        columns=spec_columns(rf.col, cf.col),
        n_num=k,
        n_den=1 if shares else 0,
        den_of=np.zeros(k, dtype=np.int64),
        den_from_num=False,
        n_dom=1,
        dom_of=np.zeros(k, dtype=np.int64),
        rf=rf,
        cf=cf,
    )
    sums = first_pass(pf, spec)
    counts = sums["n"].reshape(nc_f, nr_f).T
    if counts.sum() == 0:
        raise EstimationError(f"no respondent has valid values of both {rf.col!r} and {cf.col!r}")
    rpres = np.flatnonzero(counts.sum(axis=1))
    cpres = np.flatnonzero(counts.sum(axis=0))
    cells = (rpres[:, None] + nr_f * cpres[None, :]).T.ravel()  # rows vary fastest
    return finish(pf, spec, sums, Kept.of(spec, cells), by_domain=False), rpres.size, cpres.size


def chisq(
    pf: PartitionedFrame, row: str, col: str, *, statistic: ChisqStatistic = "F", na_rm: bool = True
) -> TestResult:
    """Rao-Scott (or Wald) test of association between two categorical variables on a partitioned survey.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey (the backend of a partitioned :class:`pewlike.Survey`).
    row, col : str
        Categorical variables.
    statistic : {"F", "Chisq", "Wald", "adjWald"}
        ``"F"``: second-order (Satterthwaite) Rao-Scott F; ``"Chisq"``: first-order
        correction, chi-squared reference; ``"Wald"``/``"adjWald"``: design-based Wald
        tests of independence.
    na_rm : bool
        Leave missing responses out of the table.

    Returns
    -------
    TestResult
        ``statistic``, ``df`` (``(ndf, ddf)`` for F) and ``p_value``, as
        :func:`pewlike.estimation.hypothesis.chisq`.

    Raises
    ------
    EstimationError
        A bad ``statistic``, the same variable twice, or fewer than two observed levels.

    Notes
    -----
    R has no partitioned equivalent: the result equals R survey's ``svychisq(~row + col,
    design, statistic=)`` on all rows in memory, and :func:`pewlike.estimation.hypothesis.chisq`.
    """
    from pewlike.estimation.hypothesis import rao_scott, wald_independence

    if statistic not in ("F", "Chisq", "Wald", "adjWald"):
        raise EstimationError(f"statistic={statistic!r} is not valid; choose one of 'F', 'Chisq', 'Wald', 'adjWald'")
    rf = factor_codes(pf, row, na_rm=na_rm)
    cf = factor_codes(pf, col, na_rm=na_rm)
    if rf.col == cf.col:
        raise EstimationError(f"chisq needs two different variables, got {rf.col!r} twice")
    wald = statistic in ("Wald", "adjWald")
    r, nr, nc = table_totals(pf, rf, cf, shares=not wald)
    if nr < 2 or nc < 2:
        raise EstimationError(
            f"chisq needs at least two observed levels in each variable ({rf.col!r} has {nr}, {cf.col!r} has {nc})"
        )
    if wald:
        w_stat, w_df, w_p, w_method = wald_independence(r.theta, r.vcov, nr, nc, float(pf.degf), statistic)
        return TestResult(w_stat, w_df, w_p, w_method, (rf.col, cf.col))
    table = r.num.reshape(nc, nr).T
    stat, df, p, method = rao_scott(r.theta, r.vcov, table, float(pf.n), float(pf.degf), statistic)
    return TestResult(stat, df, p, method, (rf.col, cf.col))


def ttest(pf: PartitionedFrame, var: str, by: str, *, na_rm: bool = True, level: float = 0.95) -> TestResult:
    """Design-based t test of a difference in means between two groups, on a partitioned survey.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey (the backend of a partitioned :class:`pewlike.Survey`).
    var : str
        Numeric variable.
    by : str
        Categorical variable with exactly two groups among the valid rows.
    na_rm : bool
        Leave missing-coded groups out.
    level : float
        Unused, as in the in-memory ``ttest`` (the result has no interval).

    Returns
    -------
    TestResult
        ``estimate`` is mean(second group) - mean(first group), with its SE; ``df`` is the
        design df of the rows used minus 1.

    Raises
    ------
    VariableError
        ``var`` is not numeric.
    EstimationError
        ``by`` does not have exactly two groups.

    Notes
    -----
    R has no partitioned equivalent: the result equals R survey's ``svyttest(var ~ by,
    design)`` on all rows in memory, and :func:`pewlike.estimation.hypothesis.ttest`.
    """
    from scipy import stats

    ycol = numeric_column(pf, var, "ttest")
    gf = factor_codes(pf, by, na_rm=na_rm)
    bc = ByCodes((gf.col,), (gf.level,), na_rm)
    ar = np.arange(bc.size)
    spec = MeanSpec(
        columns=spec_columns(ycol, gf.col),
        n_num=bc.size,
        n_den=bc.size,
        den_of=ar,
        den_from_num=False,
        n_dom=bc.size,
        dom_of=ar,
        ycol=ycol,
        by=bc,
        na_rm=True,
        kind="mean",
    )
    sums = first_pass(pf, spec, need_df=True)
    # group levels are those of factor_codes (missing categories dropped when na_rm)
    kept_raw = np.flatnonzero(gf.lut[:-1] >= 0)
    present = kept_raw[sums["ndom"][kept_raw] > 0]
    if present.size != 2:
        names = ", ".join(gf.level.labels[i] for i in present)
        raise EstimationError(
            f"ttest needs a group variable with exactly two groups; {gf.col!r} has "
            f"{present.size} among valid rows ({names})"
        )
    r = finish(pf, spec, sums, Kept.of(spec, present), by_domain=False)
    diff = float(r.theta[1] - r.theta[0])
    se = float(np.sqrt(r.vcov[0, 0] + r.vcov[1, 1] - 2 * r.vcov[0, 1]))
    df = float(_union_df(pf, sums, present) - 1)
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


def _union_df(pf: PartitionedFrame, sums: Sums, doms: np.ndarray) -> float:
    """Degrees of freedom of the union of some domains (the rows used by a test)."""
    return pf._ddesign.variance.union_df(sums, doms)
