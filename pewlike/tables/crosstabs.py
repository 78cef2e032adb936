"""Pew crosstabs: weighted column percentages by a demographic, with significance letters.

:func:`crosstab` gives, for every column (level of ``by``), the weighted share
of each response with its interval, the unweighted base, the margin of error
of the column, a small-base flag, and letters marking columns this one is
significantly above (design-based pairwise tests).  :func:`banner` puts
several crosstabs of one question side by side, as a Pew banner table.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, TypeVar

import numpy as np

from pewlike.errors import EstimationError
from pewlike.estimation.results import TestResult
from pewlike.resultbase import RowEstimates, frame_text
from pewlike.tables.answers import SurveyBackend
from pewlike.tables.export import TableDoc, file_safe, fmt_int, fmt_points, pew_percent
from pewlike.tables.toplines import (
    Base,
    Nets,
    NetSpec,
    ProportionCI,
    Topline,
    check_base,
    layout_rows,
    lower_first,
    resolve_nets,
    response_frame,
    topline,
)

if TYPE_CHECKING:  # pragma: no cover
    import os
    from pathlib import Path

    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.estimation.results import Estimates
    from pewlike.tables.answers import NetEstimate
    from pewlike.tables.table_backend import TableBackend

__all__ = ["ADJUST", "Adjust", "Crosstab", "banner", "crosstab", "pairwise_letters"]

#: Multiplicity adjustment of the letter tests within a row (R ``p.adjust(method=)``).
Adjust: TypeAlias = Literal["holm", "bonferroni", "none"]
ADJUST: tuple[Adjust, ...] = ("holm", "bonferroni", "none")
_B = TypeVar("_B", bound=SurveyBackend)
_B_contra = TypeVar("_B_contra", bound=SurveyBackend, contravariant=True)
SMALL_FLAG = "small base"
SUPPRESSED = "suppressed"


def _column_letter(i: int) -> str:
    """A, B, ..., Z, AA, AB, ... for column ``i``."""
    letters = string.ascii_uppercase
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = letters[r] + out
    return out


def _holm(p: np.ndarray, method: Adjust) -> np.ndarray:
    """Adjust the p-values of each row (last axis) for multiplicity; NaN entries are not counted."""
    if method == "none":
        return p
    m = np.sum(np.isfinite(p), axis=-1, keepdims=True)
    if method == "bonferroni":
        return np.minimum(1.0, p * m)
    order = np.argsort(np.where(np.isfinite(p), p, np.inf), axis=-1)
    ps = np.take_along_axis(p, order, axis=-1)
    rank = np.arange(p.shape[-1])
    adj = np.maximum.accumulate(np.where(np.isfinite(ps), ps * (m - rank), -np.inf), axis=-1)
    adj = np.where(np.isfinite(ps), np.minimum(1.0, adj), np.nan)
    out = np.empty_like(adj)
    np.put_along_axis(out, order, adj, axis=-1)
    return out


def pairwise_letters(
    est: np.ndarray,
    vcov: np.ndarray,
    index: np.ndarray,
    eligible: np.ndarray,
    df: float,
    *,
    alpha: float = 0.05,
    adjust: Adjust = "holm",
    rows: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, list[list[str]]]:
    """Design-based pairwise tests between columns, for every row at once.

    Parameters
    ----------
    est : (k,) float ndarray
        Estimates.
    vcov : (k, k) float ndarray
        Their design-based covariance.
    index : (rows, G) int ndarray
        Position in ``est`` of row ``r`` in column ``g``.
    eligible : (G,) bool ndarray
        Columns that take part in the tests.
    df : float
        Degrees of freedom of the t reference distribution.
    alpha : float
        Significance level after adjustment.
    adjust : {"holm", "bonferroni", "none"}
        Multiplicity adjustment over the ``G(G-1)/2`` pairs of one row.
    rows, columns : sequence of str, optional
        Labels of the rows and columns, for the returned table of tests
        (default: row numbers and column letters).

    Returns
    -------
    tests : pandas.DataFrame
        One row per tested pair ``a < b`` of each row: ``level, a, b,
        difference, std_error, t, p_value, p_adjusted``; the SE uses the full
        design covariance of the two domain estimates.
    letters : list of list of str
        ``letters[r][g]``: letters of the columns that column ``g`` is
        significantly above in row ``r`` (adjusted p below ``alpha``).

    Notes
    -----
    Equivalent in R survey to ``svycontrast(svyby(~I(var == level), ~by,
    design, svymean, covmat=TRUE), contrast)`` for each pair, referred to a t
    distribution with ``df`` degrees of freedom, then ``p.adjust(method=)``
    within each row.

    Examples
    --------
    Three columns of one row, 0.2 apart, each with SE 0.01:

    >>> import numpy as np
    >>> tests, letters = pairwise_letters(
    ...     np.array([0.5, 0.3, 0.1]), np.diag([1e-4] * 3), np.array([[0, 1, 2]]),
    ...     np.array([True, True, True]), np.inf, adjust="none")
    >>> letters
    [['BC', 'C', '']]
    >>> tests[["a", "b"]].to_numpy().tolist()
    [['A', 'B'], ['A', 'C'], ['B', 'C']]
    """
    import pandas as pd

    from pewlike.distributions import t_sf

    I = np.asarray(index)
    R, G = I.shape
    row_names = [str(r) for r in (rows if rows is not None else range(R))]
    names = [_column_letter(g) for g in range(G)]
    column_names = [str(c) for c in (columns if columns is not None else names)]
    e = est[I]
    V = vcov[I[:, :, None], I[:, None, :]]
    d = np.diagonal(V, axis1=1, axis2=2)
    var = d[:, :, None] + d[:, None, :] - 2 * V
    diff = e[:, :, None] - e[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(np.clip(var, 0, None))
        t = diff / se
    pair = np.triu(np.ones((G, G), dtype=bool), 1) & eligible[:, None] & eligible[None, :]
    a_idx, b_idx = np.nonzero(pair)
    tt = t[:, a_idx, b_idx]  # (R, pairs)
    p = np.where(np.isfinite(tt), 2 * t_sf(np.abs(tt), df), np.nan)
    adj = _holm(p, adjust)
    sig = np.zeros((R, G, G), dtype=bool)
    hit = adj < alpha
    sig[:, a_idx, b_idx] = hit & (tt > 0)
    sig[:, b_idx, a_idx] = hit & (tt < 0)
    letters = [["".join(names[b] for b in range(G) if sig[r, a, b]) for a in range(G)] for r in range(R)]
    npair = a_idx.size
    tests = pd.DataFrame(
        {
            "level": np.repeat(row_names, npair),
            "a": np.tile(np.asarray(column_names, dtype=object)[a_idx], R),
            "b": np.tile(np.asarray(column_names, dtype=object)[b_idx], R),
            "difference": diff[:, a_idx, b_idx].ravel(),
            "std_error": se[:, a_idx, b_idx].ravel(),
            "t": tt.ravel(),
            "p_value": p.ravel(),
            "p_adjusted": adj.ravel(),
        }
    )
    return tests, letters


@dataclass(frozen=True, eq=False, repr=False)
class Crosstab(RowEstimates):
    """Column percentages of a question by a demographic.

    Attributes
    ----------
    variable, by : str
        The question and the column variable.
    question, by_label : str
        Their wording / labels.
    frame : pandas.DataFrame
        ``variable, level, <by>, estimate, std_error, ci_lower, ci_upper, deff, n``
        then ``moe`` (points, the column's), ``letters``, ``flag``, ``kind``.
    vcov : ndarray
        Covariance of the response rows (by-level major, response minor; not the nets);
        the array behind :attr:`cov`.
    total : Topline
        The same question for everyone (the "Total" column).
    test : TestResult
        Rao-Scott test of association (substantive responses); ``ddf = ndf * df``.
    columns : tuple of str
        Levels of ``by`` shown, in order; ``letters_of`` maps each to its letter.
    column_n : tuple of int
        Unweighted base of each column.
    column_moe : tuple of float
        Margin of error of each column, in points.
    pairs : pandas.DataFrame
        Every pairwise test behind the letters: ``level, a, b, difference,
        std_error, t, p_value, p_adjusted`` (empty when ``letters=False``).
    nets : tuple of (label, members)
        The nets shown.
    min_n, suppress, alpha, adjust
        The small-base rule and the letter tests' settings.
    df : float
        The table's one degrees of freedom (design df of those who answered both
        questions): of the intervals, the letters and the Rao-Scott test.
    level : float
        Confidence level of the cells' intervals.
    estimates, std_errors : pandas.Series
        Column fractions, labelled by (``by`` level, response), nets included.
    cov : pandas.DataFrame
        :attr:`vcov`, labelled by the (``by`` level, response) rows it covers.

    Methods
    -------
    conf_int(level=None)
        ``ci_lower, ci_upper``: the stored intervals.

    Notes
    -----
    The names of :mod:`pewlike.resultbase` are canonical; these older names stay as read-only
    aliases of them, for existing code:

    vcov : ndarray
        ``cov.to_numpy()`` (the stored field).
    """

    variable: str
    by: str
    question: str
    by_label: str
    base: Base
    frame: pd.DataFrame
    vcov: np.ndarray | None
    total: Topline
    test: TestResult | None
    columns: tuple[str, ...]
    column_n: tuple[int, ...]
    column_moe: tuple[float, ...]
    pairs: pd.DataFrame | None = None
    nets: Nets = ()
    min_n: int = 100
    suppress: bool = False
    alpha: float = 0.05
    adjust: Adjust = "holm"
    df: float = float("inf")
    level: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        """Estimates (fractions), then ``moe``, ``letters``, ``flag``, ``kind``.

        Returns
        -------
        pandas.DataFrame
            ``variable, level, <by>, estimate, std_error, ci_lower, ci_upper, deff, n,
            moe, letters, flag, kind`` (a copy), one row per column and response;
            ``attrs["universe"]`` names the domain when the subset was named.
        """
        frame = self.frame.copy()
        if self.total.universe_name:
            frame.attrs["universe"] = self.total.universe_name
        return frame

    def _label_columns(self) -> tuple[str, ...]:
        return (self.by, "level")

    def _covered_rows(self) -> np.ndarray:
        return self.frame["kind"].to_numpy() != "net"

    @property
    def letters_of(self) -> dict[str, str]:
        """Column label -> its letter (A, B, ..., Z, AA, ...), in column order."""
        return {c: _column_letter(i) for i, c in enumerate(self.columns)}

    def test_note(self) -> str:
        """The Rao-Scott result in words.

        Returns
        -------
        str
            ``"Rao-Scott F(ndf, ddf) = F, p = ..."``, or why there is no test.
        """
        if self.test is None:
            return "Test of association not available (fewer than two columns or responses)."
        p = self.test.p_value
        ptxt = "p < .001" if p < 0.001 else f"p = {p:.3f}"
        ndf, ddf = self.test.df if isinstance(self.test.df, tuple) else (self.test.df, float("nan"))
        return f"Rao-Scott F({ndf:.2f}, {ddf:.1f}) = {self.test.statistic:.2f}, {ptxt}."

    def notes(self) -> list[str]:
        """Notes printed under the table: base, letters, small bases, the test.

        Returns
        -------
        list of str
        """
        adj = {
            "holm": "Holm-adjusted within each row",
            "bonferroni": "Bonferroni-adjusted within each row",
            "none": "not adjusted for multiple comparisons",
        }[self.adjust]
        small = "suppressed (-)" if self.suppress else "flagged (†)"
        base = (
            "all who were asked, Refused shown"
            if self.base == "all"
            else "those who answered (Refused and Don't know excluded)"
        )
        return [
            f"Column percentages of {base}; {lower_first(self.total.universe())}.",
            f"Letters mark a share significantly higher than in the lettered column (design-based t test, "
            f"{1 - self.alpha:.0%} level, {adj}).",
            f"Columns with fewer than {self.min_n} respondents are {small} and not tested.",
            self.test_note(),
        ]

    def table(self, *, small: str = "<1", name: str | None = None, ci: bool = False) -> TableDoc:
        """Pew-rounded presentation: Total, then one column per group with its letter (and CI).

        Parameters
        ----------
        small : str
            Text for a share above 0 that rounds to 0.
        name : str, optional
            File-safe table name; default ``crosstab_<variable>_by_<by>``.
        ci : bool
            Add each cell's confidence interval in points.

        Returns
        -------
        TableDoc
            The one-crosstab :func:`banner`.
        """
        return banner([self], small=small, name=name, ci=ci)

    def summary(self) -> str:
        """Readable text: wording, the column percentages with letters, Ns and the test.

        Returns
        -------
        str
        """
        doc = self.table()
        return "\n".join(
            [f"Crosstab of {self.variable} by {self.by}", f"  {self.question}", frame_text(doc.frame), *self.notes()]
        )

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [(f"Crosstab of {self.variable} by {self.by}: {self.question}", self.frame)]

    def _repr_html_(self) -> str:
        """Notebook view: the Pew-formatted crosstab (as :meth:`table`) with its wording and notes, escaped.

        Returns
        -------
        str
        """
        from pewlike.tables.sheets import table_html

        return table_html(self.table())

    def to_excel(self, path: str | os.PathLike[str]) -> Path:
        """Write the crosstab to an ``.xlsx`` workbook: shares as numbers, letters and flags in own columns.

        Parameters
        ----------
        path : str or path-like
            Ends in ``.xlsx``.

        Returns
        -------
        pathlib.Path

        Notes
        -----
        As ``openxlsx::write.xlsx`` of a crosstab in R; see :func:`pewlike.tables.sheets.banner_sheet`.
        """
        from pewlike.tables.sheets import write_tables

        return write_tables([self.table()], path)


def crosstab(
    sf: SurveyFrame | TableBackend | Any,
    var: str,
    by: str,
    *,
    base: Base = "valid",
    letters: bool = True,
    nets: NetSpec = None,
    min_n: int = 100,
    suppress: bool = False,
    alpha: float = 0.05,
    adjust: Adjust = "holm",
    ci: ProportionCI = "logit",
    level: float = 0.95,
    total: Topline | None = None,
) -> Crosstab:
    """Weighted column percentages of ``var`` within each level of ``by``.

    Called as ``svy.crosstab(var, by, ...)``; the survey's backend comes first.  One body for
    both backends: they give the shares, each column's base and the degrees of freedom
    (:class:`pewlike.tables.table_backend.TableBackend`).

    Parameters
    ----------
    sf : SurveyFrame, PartitionedFrame or TableBackend
        The survey (either backend of a :class:`pewlike.Survey`).
    var : str
        A categorical question.
    by : str
        A categorical demographic; its missing categories ("Refused") are left out.
    base : {"valid", "all"}
        As in :func:`pewlike.tables.toplines.topline`.
    letters : bool
        Compute significance letters between columns.
    nets : mapping, "auto" or bool, optional
        Nets, as in :func:`~pewlike.tables.toplines.topline`; they get letters too.
    min_n : int
        Columns with fewer unweighted respondents in the base are flagged
        (Pew does not report groups under 100) and left out of the letter tests.
    suppress : bool
        Also blank their estimates (NaN in ``to_frame()``, "-" in tables).
    alpha : float
        Significance level of the letter tests.
    adjust : {"holm", "bonferroni", "none"}
        Multiplicity adjustment over the pairs of columns within each row.
        Holm (the default) controls the chance of any false letter in a row at
        ``alpha``; ``"none"`` gives plain 95% tests, as Pew's reports describe.
    ci : {"logit", "beta", "wilson", "xlogit", "mean"}
        Interval method per cell (R ``svyciprop(method=)``; see
        :func:`pewlike.estimation.estimators.proportion`), on the table's one df
        (see Notes).
    level : float
        Confidence level.
    total : Topline, optional
        The topline of ``var`` with the same ``base``, ``nets`` and ``level``
        (the "Total" column), when already computed (banners of one question).

    Returns
    -------
    Crosstab
        ``to_frame()``: ``variable, level, <by>, estimate, std_error, ci_lower,
        ci_upper, deff, n, moe, letters, flag, kind``; ``table()`` is Pew's
        presentation, ``test`` the Rao-Scott test, ``pairs`` the letter tests.

    Raises
    ------
    VariableError
        ``var`` or ``by`` unknown or numeric.
    EstimationError
        ``var`` and ``by`` are the same, an option is not valid, or ``total`` is
        not the matching topline.

    Notes
    -----
    One degrees of freedom for the whole table, ``df``: the design df of the
    respondents who answered both questions, ``nu = degf(sub)`` with ``sub =
    subset(design, !is.na(var) & !is.na(by))`` in R survey (``var``'s Refused
    counts as an answer with ``base="all"``; ``by``'s never does).  The intervals
    and the letters use it, and the Rao-Scott test R's own ``nu``:

    * cells are ``svyby(~I(var == level), ~by, sub, svymean, covmat=TRUE)``;
    * intervals ``svyby(~I(var == level), ~by, sub, svyciprop, method=ci,
      df=nu)`` (not each column's own df, which ``svyciprop`` takes by default);
      ``svyciprop(method="beta")`` ignores ``df=`` (it calls ``degf()`` of the
      column's design), so the Korn-Graubard interval here is its formula with
      ``nu`` in that place;
    * the test is ``svychisq(~var + by, sub)`` (Rao-Scott F on the substantive
      answers, ``ddf = ndf * nu``); ``svychisq``'s ``nu`` is ``degf(sub)`` unless
      respondents are weighted zero or the design is calibrated (R's ``subset()``
      then keeps the other rows), when it counts the PSUs of every row R's design
      holds (see :func:`pewlike.estimation.hypothesis.chisq`);
    * letters are the pairwise differences ``svycontrast`` of the ``svymean``
      ``svyby`` with its full covariance, t on ``nu`` df, adjusted by ``p.adjust``.

    A split-form question (asked of half the sample) thus gets the df of the half
    that was asked, not of everyone.  Flags for bases under 100 follow Pew's
    reporting rule.

    Examples
    --------
    >>> import pewlike as pw
    >>> x = pw.demo().crosstab("CONCERNCO", "F_SEX")
    >>> x.columns
    ('Male', 'Female')
    >>> list(x.to_frame().columns[:9])
    ['variable', 'level', 'F_SEX', 'estimate', 'std_error', 'ci_lower', 'ci_upper', 'deff', 'n']
    """

    from pewlike.estimation.hypothesis import chisq
    from pewlike.tables.table_backend import table_backend

    tb = table_backend(sf)
    base = check_crosstab_options(base, adjust, min_n, alpha)
    col = tb.categorical_column(var, "crosstab")
    bycol = tb.categorical_column(by, "crosstab by=")
    if bycol == col:
        raise EstimationError(f"crosstab needs two different variables, got {col!r} twice")
    # respondents with a substantive answer to `by`: its Refused column is not shown
    sub = tb.restrict_to_base(bycol, "valid")
    try:
        est = sub.proportion(col, by=bycol, ci=ci, na_rm=(base == "valid"), level=level)
    except EstimationError:
        _no_pairs(tb, sub, col, bycol, base)
        raise
    frame, missing, levels = response_frame(tb.survey(), est, col)
    L = len(levels)
    cols = [str(x) for x in frame[bycol].iloc[::L]]
    col_n, col_moe = sub.column_bases(col, bycol, base, level, cols)  # one of each per column
    small = col_n < min_n
    # the one df of the table: the design df of its base (answered both questions)
    in_base = sub.restrict_to_base(col, base)
    df = in_base.degf()
    column_df = None
    if ci == "logit" and tb.per_column_df():  # the df each column's (replicate) logit interval was made on
        column_df = in_base.column_degf(bycol, cols)

    substantive = [lev for lev in levels if lev not in missing]
    resolved = resolve_nets(tb.nets_source(col), col, substantive, nets)
    net_ests = sub.net_estimates(col, resolved, by=bycol, base=base, ci=ci, level=level)
    return assemble_crosstab(
        tb.survey(),
        in_base.survey(),
        col,
        bycol,
        frame,
        est,
        levels,
        cols,
        small,
        df,
        resolved,
        net_ests,
        col_n,
        col_moe,
        column_df=column_df,
        letters=letters,
        alpha=alpha,
        adjust=adjust,
        suppress=suppress,
        min_n=min_n,
        total=total,
        base=base,
        ci=ci,
        level=level,
        chisq=chisq,
        topline=topline,
    )


def one_df_intervals(
    cells: pd.DataFrame,
    nlevels: int,
    df: float,
    level: float,
    ci: ProportionCI,
    column_df: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Intervals of a crosstab's cells on the table's one df.

    Parameters
    ----------
    cells : pandas.DataFrame
        ``estimate, std_error, ci_lower, ci_upper, n`` of every response in every
        column, ``nlevels`` consecutive rows per column (an estimate's ``to_frame()``).
    nlevels : int
        Responses per column.
    df : float
        The crosstab's degrees of freedom.
    level : float
        Confidence level.
    ci : {"logit", "beta", "wilson", "xlogit", "mean"}
        Interval method.
    column_df : (G,) float ndarray, optional
        Replicate designs, ``ci="logit"``: the df each column's interval was made on;
        the replicate logit interval is widened or narrowed to ``df`` on the logit scale.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits, one per row of ``cells``.

    Notes
    -----
    R: ``svyby(~I(var == level), ~by, sub, svyciprop, method=ci, df=degf(sub))`` with
    ``sub = subset(design, <in the base of var> & !is.na(by))``.  Korn-Graubard
    (``"beta"``) is ``svyciprop``'s formula with ``degf(sub)`` in place of the
    column's ``degf()`` (its ``df=`` argument is not used there) and each column's
    own row count, ``nrow()`` of the column's design.
    """
    from pewlike.distributions import t_ppf
    from pewlike.estimation.proportion_ci import prop_ci

    p = cells["estimate"].to_numpy(dtype=float)
    if column_df is not None:
        lo0 = cells["ci_lower"].to_numpy(dtype=float)
        hi0 = cells["ci_upper"].to_numpy(dtype=float)
        q = 0.5 + level / 2
        ratio = t_ppf(q, df) / t_ppf(q, np.repeat(np.asarray(column_df, dtype=float), nlevels))
        with np.errstate(divide="ignore", invalid="ignore"):
            eta = np.log(p / (1 - p))
            half = (np.log(hi0 / (1 - hi0)) - np.log(lo0 / (1 - lo0))) / 2 * ratio
            lo = 1 / (1 + np.exp(-(eta - half)))
            hi = 1 / (1 + np.exp(-(eta + half)))
        return np.where(np.isfinite(lo), lo, lo0), np.where(np.isfinite(hi), hi, hi0)
    n = cells["n"].to_numpy(dtype=float)
    nrow = np.repeat(n.reshape(-1, nlevels).sum(axis=1), nlevels)  # rows in each column's base
    var = cells["std_error"].to_numpy(dtype=float) ** 2
    return prop_ci(p, var, df, level, ci, nrow)


def check_crosstab_options(base: str, adjust: str, min_n: int, alpha: float) -> Base:
    """Validate a crosstab's options (shared by in-memory and partitioned surveys); returns the base.

    Parameters
    ----------
    base : str
        ``"valid"`` or ``"all"``.
    adjust : str
        One of :data:`ADJUST`.
    min_n : int
        A count of respondents, 0 or more.
    alpha : float
        A significance level strictly between 0 and 1.

    Returns
    -------
    {"valid", "all"}
        ``base``, once checked.

    Raises
    ------
    EstimationError
        Naming the first option that is not valid and what it may be.
    """
    base = check_base(base)
    if adjust not in ADJUST:
        raise EstimationError(f"adjust={adjust!r} is not valid; choose one of 'holm', 'bonferroni', 'none'")
    if not (isinstance(min_n, (int, np.integer)) and min_n >= 0):
        raise EstimationError(f"min_n={min_n!r} is not valid; give a count of respondents such as 100")
    if not 0 < alpha < 1:
        raise EstimationError(f"alpha={alpha!r} is not valid; give a significance level such as 0.05")
    return base


class ToplineFunction(Protocol[_B_contra]):
    """A backend's topline function, as :func:`assemble_crosstab` calls it for the Total column.

    :func:`pewlike.tables.toplines.topline` (one body for both backends) matches it.
    """

    def __call__(
        self, sf: _B_contra, var: str, /, *, base: Base, nets: NetSpec, ci: ProportionCI, level: float
    ) -> Topline: ...


def _no_pairs(tb: TableBackend, sub: TableBackend, col: str, bycol: str, base: Base) -> None:
    """Raise a clear error when both questions have answers but never from the same respondents.

    Called only once the estimate has failed (on Dask each count is a pass over the data).
    """
    if sub.n_rows() and not sub.restrict_to_base(col, base).n_rows() and tb.restrict_to_base(col, base).n_rows():
        raise EstimationError(
            f"no respondent answered both {col!r} and {bycol!r} (each has answers, from different respondents); "
            f"crosstab {col!r} by another variable"
        )


def assemble_crosstab(
    sf: _B,
    sub: _B,
    col: str,
    bycol: str,
    frame: pd.DataFrame,
    est: Estimates,
    levels: list[str],
    cols: list[str],
    small: np.ndarray,
    df: float,
    resolved: Sequence[tuple[str, tuple[str, ...]]],
    net_ests: Sequence[NetEstimate],
    col_n: np.ndarray,
    col_moe: np.ndarray,
    *,
    column_df: np.ndarray | None = None,
    letters: bool,
    alpha: float,
    adjust: Adjust,
    suppress: bool,
    min_n: int,
    total: Topline | None,
    base: Base,
    ci: ProportionCI,
    level: float,
    chisq: Callable[[_B, str, str], TestResult],
    topline: ToplineFunction[_B],
) -> Crosstab:
    """Letters, nets, small-base flags, the Rao-Scott test and the total column around a crosstab's cells.

    The second half of :func:`crosstab` (one body for both backends): ``est`` holds the
    cell proportions (levels within columns) with their covariance; ``chisq`` and
    ``topline`` are the one-body test and topline, which take either backend.

    Parameters
    ----------
    sf, sub : SurveyBackend
        The survey, and the same survey restricted to the crosstab's base: a
        substantive answer to ``bycol`` and an answer to ``col`` in ``base``
        (one backend for both); its design df is ``df``.
    col, bycol : str
        The resolved question and column variable.
    frame : pandas.DataFrame
        The cells, as :func:`~pewlike.tables.toplines.response_frame` gives them.
    est : Estimates
        The cell proportions behind ``frame``, with their covariance.
    levels : list of str
        Every response of ``col``, in order.
    cols : list of str
        The columns (levels of ``bycol``) shown, in order.
    small : (G,) bool ndarray
        Columns whose base is under ``min_n``.
    df : float
        Design degrees of freedom of the base (``degf`` of ``sub``): the one df of
        the cells' intervals, the letters' t reference and the Rao-Scott test.
    resolved : sequence of (label, members)
        The nets.
    net_ests : sequence of (label, Estimates, position, levels)
        Their estimates by column (see :func:`~pewlike.tables.toplines.net_estimates`).
    col_n : (G,) int ndarray
        Unweighted base of each column.
    col_moe : (G,) float ndarray
        Margin of error of each column, in points.
    column_df : (G,) float ndarray, optional
        The df each column's logit interval in ``est`` (and ``net_ests``) was made on,
        given for replicate designs only: their logit interval comes from the
        replicates, so it is rescaled to ``df`` rather than recomputed from the SE.
    letters, alpha, adjust, suppress, min_n, total, base, ci, level
        As in :func:`crosstab`.
    chisq : callable
        ``chisq(sub, col, bycol)``: the backend's Rao-Scott test (its ddf is ``ndf`` times
        the df of ``sub``, that is ``df``).
    topline : ToplineFunction
        The backend's topline, for the Total column when ``total`` is None.

    Returns
    -------
    Crosstab
    """
    import pandas as pd

    G, L = len(cols), len(levels)
    frame["ci_lower"], frame["ci_upper"] = one_df_intervals(frame, L, df, level, ci, column_df)
    letter_rows = [""] * len(frame)
    frames = [frame]
    tests = []
    if letters:
        index = np.arange(G)[None, :] * L + np.arange(L)[:, None]
        vcov = est.vcov
        assert vcov is not None, "proportions always carry their covariance"
        tst, lets = pairwise_letters(
            est.estimate, vcov, index, ~small, df, alpha=alpha, adjust=adjust, rows=levels, columns=cols
        )
        tests.append(tst)
        letter_rows = [lets[r][g] for g in range(G) for r in range(L)]
    frame["letters"] = letter_rows
    for label, ne, pos, nl_levels in net_ests:
        nall = ne.to_frame()
        nall["ci_lower"], nall["ci_upper"] = one_df_intervals(nall, nl_levels, df, level, ci, column_df)
        nf = nall.iloc[pos::nl_levels].copy()
        nf["variable"] = col
        nf["level"] = label
        nf["kind"] = "net"
        nl = [""] * G
        if letters:
            net_vcov = ne.vcov
            assert net_vcov is not None, "proportions always carry their covariance"
            tst, lets = pairwise_letters(
                ne.estimate,
                net_vcov,
                (pos + np.arange(G) * nl_levels)[None, :],
                ~small,
                df,
                alpha=alpha,
                adjust=adjust,
                rows=[label],
                columns=cols,
            )
            tests.append(tst)
            nl = lets[0]
        nf["letters"] = nl
        frames.append(nf)
    out = pd.concat(frames, ignore_index=True)
    order = levels + [lab for lab, _ in resolved]
    out["level"] = pd.Categorical(out["level"], categories=order)
    out[bycol] = pd.Categorical(out[bycol].astype(str), categories=cols)
    out = out.sort_values([bycol, "level"], kind="stable").reset_index(drop=True)
    col_pos = out[bycol].cat.codes.to_numpy()  # each row's column
    out.insert(list(out.columns).index("n") + 1, "moe", col_moe[col_pos])
    flag = np.where(small[col_pos], SUPPRESSED if suppress else SMALL_FLAG, "")
    if suppress:
        out.loc[small[col_pos], ["estimate", "std_error", "ci_lower", "ci_upper", "deff"]] = np.nan
    out.insert(list(out.columns).index("letters") + 1, "flag", flag)
    out = out[[c for c in out.columns if c != "kind"] + ["kind"]]
    try:
        test = chisq(sub, col, bycol)
    except EstimationError:
        test = None
    if total is None:
        total = topline(sf, col, base=base, nets=dict(resolved) if resolved else None, ci=ci, level=level)
    elif (total.variable, total.base, total.nets, total.level) != (col, base, tuple(resolved), level):
        raise EstimationError(
            f"total= is the topline of {total.variable!r} (base {total.base!r}); it must be "
            f"that of {col!r} with base {base!r}, the same nets and level"
        )
    from pewlike.io.display import display_name, display_question

    by_label = display_name(sf.codebook.variables[bycol])
    pairs = pd.concat(tests, ignore_index=True) if tests else None
    return Crosstab(
        col,
        bycol,
        display_question(sf.codebook, col),
        by_label,
        base,
        out,
        est.vcov,
        total,
        test,
        tuple(cols),
        tuple(int(x) for x in col_n),
        tuple(float(x) for x in col_moe),
        pairs,
        tuple(resolved),
        int(min_n),
        bool(suppress),
        float(alpha),
        adjust,
        df,
        level,
    )


def banner(
    tabs: Sequence[Crosstab], *, small: str = "<1", name: str | None = None, title: str | None = None, ci: bool = False
) -> TableDoc:
    """Several crosstabs of one question side by side: Total, then each demographic's columns.

    Cells read ``"45 BC"``: the Pew-rounded percent and the letters of the
    columns (within the same demographic) it is significantly above; ``†``
    marks a small base, ``-`` a suppressed cell.  With ``ci=True`` each cell
    also gives its confidence interval in points (``"45 BC [42-48]"``).  The
    last rows give each column's unweighted N and margin of error.

    Parameters
    ----------
    tabs : sequence of Crosstab
        Crosstabs of one question with one base (by different demographics);
        the first one's Total column and notes are used.
    small : str
        Text for a share above 0 that rounds to 0 (``"*"`` in older Pew toplines).
    name : str, optional
        File-safe table name; default ``crosstab_<variable>`` (``_by_<by>`` for one crosstab).
    title : str, optional
        Default: the question wording.
    ci : bool
        Add each cell's confidence interval in points.

    Returns
    -------
    TableDoc
        Text cells; ``groups`` spans each demographic's columns; notes give the
        base, the letter tests, small bases and each Rao-Scott test.

    Raises
    ------
    EstimationError
        ``tabs`` is empty, or its crosstabs differ in question or base.

    Notes
    -----
    Pew's banner ("detailed tables") layout: column letters restart within each
    demographic.  The numbers are those of :func:`crosstab` (R
    ``svyby(..., svyciprop)`` and ``svychisq``), only formatted here.

    Examples
    --------
    >>> import pewlike as pw
    >>> svy = pw.demo()
    >>> doc = banner([svy.crosstab("CONCERNCO", "F_SEX"), svy.crosstab("CONCERNCO", "F_AGECAT")])
    >>> list(doc.frame.columns[:4])
    ['Response', 'Total', 'Male (A)', 'Female (B)']
    >>> doc.groups[:2]
    (('', 2), ('Sex', 2))
    """
    import pandas as pd

    if not tabs:
        raise EstimationError("banner needs at least one crosstab")
    first = tabs[0]
    if any(t.variable != first.variable or t.base != first.base for t in tabs):
        raise EstimationError("a banner shows one question with one base; the crosstabs differ")
    total = first.total
    labels, tot = layout_rows(total.frame, total.nets)
    keys = [lab.strip() for lab in labels]
    data = {"Response": labels, "Total": [pew_percent(x, small=small) for x in tot]}
    groups = [("", 2)]
    nrow = [fmt_int(total.n)]
    mrow = [fmt_points(total.moe)]
    from pewlike.tables.cells import column_cells

    cells = [column_cells(t) for t in tabs]
    for t, by_column in zip(tabs, cells):
        for c, letter in t.letters_of.items():
            cell = by_column.get(c, {})
            head = f"{c} ({letter})" if c not in data else f"{t.by_label}: {c} ({letter})"
            vals = []
            for k in keys:
                e, lets, flag, lo, hi = cell.get(k, (float("nan"), "", "", float("nan"), float("nan")))
                txt = pew_percent(e, small=small)
                if flag == SMALL_FLAG:
                    txt += "†"
                txt = f"{txt} {lets}".strip()
                if ci and np.isfinite(lo):
                    txt += f" [{100 * lo:.0f}-{100 * hi:.0f}]"
                vals.append(txt)
            data[head] = vals
        groups.append((t.by_label, len(t.columns)))
        nrow += [fmt_int(n) for n in t.column_n]
        mrow += [fmt_points(m) for m in t.column_moe]
    frame = pd.DataFrame(data)
    extra = pd.DataFrame([["Unweighted N", *nrow], ["Margin of error (± points)", *mrow]], columns=frame.columns)
    frame = pd.concat([frame, extra], ignore_index=True)
    notes = list(first.notes()[:3])
    for t in tabs:
        notes.append(f"{t.by_label}: {t.test_note()}")
    doc_name = name or f"crosstab_{file_safe(first.variable)}" + (
        f"_by_{file_safe(first.by)}" if len(tabs) == 1 else ""
    )
    from pewlike.tables.sheets import banner_sheet

    sheet = banner_sheet(tabs, labels, tot, cells=cells)
    return TableDoc(doc_name, title or first.question, frame, notes, groups, sheet=sheet)
