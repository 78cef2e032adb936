"""Design-based tests: Rao-Scott chi-squared (R ``svychisq``) and t test (R ``svyttest``).

Each test is written once against :class:`pewlike.estimation.backend.WeightedTotals`: the
backend (in memory or partitioned) gives the cells of the table or the groups, and then
their totals or means with the design covariance; the statistics are computed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np

from pewlike.errors import EstimationError
from pewlike.estimation.memory import weighted_totals
from pewlike.estimation.results import TestResult

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame
    from pewlike.estimation.backend import HasWeightedTotals, WeightedTotals

    #: A survey backend: in memory, partitioned (it has ``weighted_totals()``), or its totals.
    Backend = SurveyFrame | WeightedTotals | HasWeightedTotals

__all__ = ["chisq", "rao_scott", "ttest"]


def rao_scott(
    props: np.ndarray, V: np.ndarray, table: np.ndarray, N: float, nu: float, statistic: str
) -> tuple[float, float | tuple[float, float], float, str]:
    """Rao-Scott adjustment of Pearson's X^2 for an ``nr x nc`` table.

    Parameters
    ----------
    props : ndarray (nr * nc,)
        Cell proportions, rows varying fastest.
    V : ndarray (nr * nc, nr * nc)
        Their design covariance.
    table : ndarray (nr, nc)
        Weighted counts.
    N : float
        Rows of the design.
    nu : float
        Design degrees of freedom.
    statistic : {"F", "Chisq"}
        Second-order F, or first-order chi-squared.

    Returns
    -------
    (float, float or (float, float), float, str)
        Statistic, degrees of freedom (``(ndf, ddf)`` for F), p-value and the method's name.

    Notes
    -----
    As R's ``svychisq(statistic="F")`` / ``statistic="Chisq"``.
    """
    from pewlike.distributions import chi2_sf, f_sf

    nr, nc = table.shape
    O = table / table.sum() * N
    E = np.outer(O.sum(axis=1), O.sum(axis=0)) / N
    with np.errstate(divide="ignore", invalid="ignore"):
        x2 = float(np.sum((O - E) ** 2 / E))
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    X1 = np.column_stack(
        [np.ones(nr * nc)]
        + [(rows == i).astype(float) for i in range(1, nr)]
        + [(cols == j).astype(float) for j in range(1, nc)]
    )
    inter = np.column_stack([((rows == i) & (cols == j)).astype(float) for j in range(1, nc) for i in range(1, nr)])
    beta, *_ = np.linalg.lstsq(X1, inter, rcond=None)
    C = inter - X1 @ beta
    inv = np.where(props == 0, 0.0, 1.0 / np.where(props == 0, 1.0, props))
    denom = C.T @ (inv[:, None] / N * C)
    numr = C.T @ (inv[:, None] * V * inv[None, :]) @ C
    delta = _solve(denom, numr)
    tr = float(np.trace(delta))
    tr2 = float(np.trace(delta @ delta))
    if statistic == "F":
        d0 = tr**2 / tr2
        stat = x2 / tr
        p = float(f_sf(stat, d0, d0 * nu))
        return stat, (d0, d0 * nu), p, "Pearson's X^2: Rao & Scott adjustment (F)"
    k = delta.shape[1]
    p = float(chi2_sf(x2 / (tr / k), k))
    return x2, float(k), p, "Pearson's X^2: Rao & Scott adjustment (first-order, chi-squared)"


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``solve(a, b)`` as R's: a system whose reciprocal condition number is below machine
    epsilon is singular (R: "system is computationally singular"), said as the test it stops.

    numpy solves such a system without a word and gives a statistic of 1e16.
    """
    try:
        inv = np.linalg.inv(a)
    except np.linalg.LinAlgError:
        inv = None
    rcond = 0.0 if inv is None else 1.0 / (np.linalg.norm(a, 1) * np.linalg.norm(inv, 1))
    if not np.isfinite(rcond) or rcond < np.finfo(float).eps:
        raise EstimationError(
            "chisq cannot be computed for this table: the covariance of its cells is singular (too few "
            "respondents spread over its rows and columns); merge answers or groups, or test a larger sample"
        )
    return np.linalg.solve(a, b)


def wald_independence(
    totals: np.ndarray, V: np.ndarray, nr: int, nc: int, nu: float, statistic: str
) -> tuple[float, tuple[float, float], float, str]:
    """Design-based Wald test of independence from cell totals (rows varying fastest).

    Parameters
    ----------
    totals : ndarray (nr * nc,)
        Weighted cell totals, rows varying fastest.
    V : ndarray (nr * nc, nr * nc)
        Their design covariance.
    nr, nc : int
        Numbers of rows and columns.
    nu : float
        Design degrees of freedom.
    statistic : {"Wald", "adjWald"}
        ``"Wald"`` gives F = W/((nr-1)(nc-1)) on ``((nr-1)(nc-1), nu)`` df;
        ``"adjWald"`` the adjusted F on ``(ndf, nu - ndf + 1)`` df.

    Returns
    -------
    (float, (float, float), float, str)
        F statistic, ``(ndf, ddf)``, p-value and the method's name.

    Notes
    -----
    As R's ``svychisq(statistic="Wald")`` / ``statistic="adjWald"``.
    """
    from pewlike.distributions import f_sf

    k = nr * nc
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    # totals of cells, row margins, column margins and the grand total, as linear maps of the cells
    L = np.vstack(
        [
            np.eye(k),
            (rows[None, :] == np.arange(nr)[:, None]).astype(float),
            (cols[None, :] == np.arange(nc)[:, None]).astype(float),
            np.ones((1, k)),
        ]
    )
    t = L @ totals
    Vt = L @ V @ L.T
    rt, ct, tot = t[k : k + nr], t[k + nr : k + nr + nc], t[-1]
    J = np.hstack(
        [
            np.eye(k),
            -(rows[:, None] == np.arange(nr)[None, :]).astype(float) * (ct[cols] / tot)[:, None],
            -(cols[:, None] == np.arange(nc)[None, :]).astype(float) * (rt[rows] / tot)[:, None],
            (rt[rows] * ct[cols] / tot**2)[:, None],
        ]
    )
    Y = totals - rt[rows] * ct[cols] / tot
    VY = J @ Vt @ J.T
    use = (rows > 0) & (cols > 0)
    w = float(Y[use] @ _solve(VY[np.ix_(use, use)], Y[use]))
    ndf = (nr - 1) * (nc - 1)
    if statistic == "Wald":
        stat, ddf = w / ndf, nu
        method = "Design-based Wald test of association"
    else:
        ddf = nu - ndf + 1
        stat = w * ddf / (ndf * nu)
        method = "Design-based adjusted Wald test of association"
    return stat, (float(ndf), float(ddf)), float(f_sf(stat, ndf, ddf)), method


def chisq(
    sf: Backend,
    row: str,
    col: str,
    *,
    statistic: Literal["F", "Chisq", "Wald", "adjWald"] = "F",
    na_rm: bool = True,
) -> TestResult:
    """Rao-Scott test of association between two categorical variables.

    Parameters
    ----------
    sf : SurveyFrame, PartitionedFrame or WeightedTotals
        The survey (either backend of a :class:`pewlike.Survey`).
    row, col : str
        Categorical variables.
    statistic : {"F", "Chisq", "Wald", "adjWald"}
        ``"F"``: second-order (Satterthwaite) Rao-Scott F with ``(d0, d0*nu)``
        df; ``"Chisq"``: first-order correction, chi-squared reference;
        ``"Wald"``/``"adjWald"``: design-based Wald tests of independence.
    na_rm : bool
        Leave missing responses out of the table.

    Returns
    -------
    TestResult
        ``statistic``, ``df`` (``(ndf, ddf)`` for F) and ``p_value``.

    Raises
    ------
    EstimationError
        A bad ``statistic``, the same variable twice, no respondent with both, or fewer
        than two observed levels.

    Notes
    -----
    Equivalent to ``svychisq(~row + col, design, statistic=)`` in R survey (on all rows in
    memory, for a partitioned survey).  ``nu`` is R's: the first-stage PSUs minus strata of
    every row R's design object holds, rows weighted zero included (a subset of a calibrated
    design holds every row), which is ``degf(design)`` unless some rows are weighted zero.
    """
    if statistic not in ("F", "Chisq", "Wald", "adjWald"):
        raise EstimationError(f"statistic={statistic!r} is not valid; choose one of 'F', 'Chisq', 'Wald', 'adjWald'")
    tw = weighted_totals(sf)
    rf = tw.factor_levels(row, na_rm)
    cf = tw.factor_levels(col, na_rm)
    if rf.col == cf.col:
        raise EstimationError(f"chisq needs two different variables, got {rf.col!r} twice")
    wald = statistic in ("Wald", "adjWald")
    cells = tw.table_cells(rf, cf, not wald)
    nr, nc = cells.nr, cells.nc
    if nr < 2 or nc < 2:
        raise EstimationError(
            f"chisq needs at least two observed levels in each variable ({rf.col!r} has {nr}, {cf.col!r} has {nc})"
        )
    r = tw.table_totals(cells)
    if wald:
        w_stat, w_df, w_p, w_method = wald_independence(r.theta, r.vcov, nr, nc, tw.test_degf(), statistic)
        return TestResult(w_stat, w_df, w_p, w_method, (rf.col, cf.col))
    table = r.num.reshape(nc, nr).T
    stat, df, p, method = rao_scott(r.theta, r.vcov, table, tw.n_rows(), tw.test_degf(), statistic)
    return TestResult(stat, df, p, method, (rf.col, cf.col))


def ttest(sf: Backend, var: str, by: str, *, na_rm: bool = True, level: float = 0.95) -> TestResult:
    """Design-based t test of a difference in means between two groups.

    Parameters
    ----------
    sf : SurveyFrame, PartitionedFrame or WeightedTotals
        The survey (either backend of a :class:`pewlike.Survey`).
    var : str
        Numeric variable.
    by : str
        Group variable with exactly two groups among the valid rows.
    na_rm : bool
        Leave out missing group values (and codebook missing codes).
    level : float
        Confidence level of the difference's interval: the default of
        :meth:`~pewlike.estimation.results.TestResult.conf_int` (kept in ``extra["level"]``).

    Returns
    -------
    TestResult
        ``estimate`` is mean(second group) - mean(first group), with its SE;
        ``df`` is the design df of the rows used minus 1.

    Raises
    ------
    VariableError
        ``var`` is not numeric.
    EstimationError
        ``by`` does not have exactly two groups.

    Notes
    -----
    Equivalent to ``svyttest(var ~ by, design)`` in R survey (a ``svyglm`` with
    a binary group; on all rows in memory, for a partitioned survey).
    """
    from pewlike.distributions import t_sf
    from pewlike.estimation.estimators import _check_level

    level = _check_level(level)
    tw = weighted_totals(sf)
    g = tw.group_cells(var, by, na_rm)
    if len(g.labels) != 2:
        raise EstimationError(
            f"ttest needs a group variable with exactly two groups; {g.gcol!r} has "
            f"{len(g.labels)} among valid rows ({', '.join(g.labels)})"
        )
    r, union_df = tw.group_means(g)
    diff = float(r.theta[1] - r.theta[0])
    se = float(np.sqrt(r.vcov[0, 0] + r.vcov[1, 1] - 2 * r.vcov[0, 1]))
    df = union_df - 1
    t = diff / se
    p = float(2 * t_sf(abs(t), df))
    return TestResult(
        t,
        df,
        p,
        "Design-based t-test",
        (g.ycol, g.gcol),
        diff,
        se,
        extra={"groups": (g.labels[0], g.labels[1]), "level": level},
    )
