"""Proportions of recoded levels, two-way tables and tests on a partitioned survey.

Means, totals, proportions and ratios are the estimators of :mod:`pewlike.estimation.estimators`
on the partitioned backend (:class:`pewlike.partitioned.totals.PartitionedTotals`); :func:`proportion`
here adds the recoded levels of nets.  The tests describe their cells with a cell spec
(:mod:`pewlike.partitioned.cells`), then :mod:`pewlike.partitioned.ratios` sums and finishes
them, and the result is assembled as in memory, so it equals the in-memory one to rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from pewlike.errors import EstimationError
from pewlike.estimation import estimators as _est
from pewlike.estimation.results import Estimates, TestResult
from pewlike.partitioned.cells import (
    ByCodes,
    DomainSpec,
    FactorCodes,
    MeanSpec,
    TableSpec,
    factor_codes,
    numeric_column,
    spec_columns,
)
from pewlike.partitioned.ratios import Kept, domain_df, finish, first_pass
from pewlike.partitioned.totals import PartitionedTotals

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.estimation.engine import Ratios
    from pewlike.partitioned.engine import Sums
    from pewlike.partitioned.frame import PartitionedFrame

    #: Confidence intervals of proportions (R ``svyciprop(method=)``).
    ProportionCI = Literal["logit", "beta", "wilson", "xlogit", "mean"]
    #: Statistics of :func:`chisq` (R ``svychisq(statistic=)``).
    ChisqStatistic = Literal["F", "Chisq", "Wald", "adjWald"]
    #: Domain variables: one name, several, or None for the whole survey.
    By = str | Sequence[str] | None

__all__ = ["chisq", "design_sums", "proportion", "table_totals", "ttest"]


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


# --------------------------------------------------------------------------- estimators
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
    return _est.proportion(PartitionedTotals(pf, factor), var, by=by, ci=ci, na_rm=na_rm, level=level)


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
        Confidence level of the difference's interval: the default of
        :meth:`~pewlike.estimation.results.TestResult.conf_int` (kept in ``extra["level"]``).

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
    from pewlike.distributions import t_sf

    level = _est._check_level(level)
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
    p = float(2 * t_sf(abs(t), df))
    return TestResult(
        t,
        df,
        p,
        "Design-based t-test",
        (ycol, gf.col),
        diff,
        se,
        extra={"groups": (gf.level.labels[present[0]], gf.level.labels[present[1]]), "level": level},
    )


def _union_df(pf: PartitionedFrame, sums: Sums, doms: np.ndarray) -> float:
    """Degrees of freedom of the union of some domains (the rows used by a test)."""
    return pf._ddesign.variance.union_df(sums, doms)
