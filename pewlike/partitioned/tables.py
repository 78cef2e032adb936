"""Pew toplines and crosstabs of a partitioned survey.

The topline is written once (:func:`pewlike.tables.toplines.topline`); :class:`PartitionedTables`
is what it asks of this backend.  The crosstab's shares, nets, tests and letters come from the
partitioned estimators (:mod:`pewlike.partitioned.estimates`) and the one-body tests
(:mod:`pewlike.estimation.hypothesis`); bases, unweighted Ns and margins of error from one pass of
weight sums per column.  The result objects are the in-memory ones
(:class:`~pewlike.tables.toplines.Topline`, :class:`~pewlike.tables.crosstabs.Crosstab`), assembled the
same way with the same helpers, so their tables, notes and exports are unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pewlike.errors import EstimationError, VariableError
from pewlike.estimation.hypothesis import chisq
from pewlike.io.display import display_question
from pewlike.partitioned.cells import ByCodes, FactorCodes, factor_codes
from pewlike.partitioned.engine import Level, State, column_codes, run_pass
from pewlike.partitioned.estimates import proportion

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.estimation.results import Estimates
    from pewlike.partitioned.engine import CallCondition, Prep, Sums
    from pewlike.partitioned.estimates import By, ProportionCI
    from pewlike.partitioned.frame import PartitionedFrame
    from pewlike.tables.crosstabs import Crosstab
    from pewlike.tables.table_backend import BaseStats
    from pewlike.tables.toplines import Base, NetSpec, Topline

    #: A resolved net: its label and the response levels it gathers.
    Net = tuple[str, tuple[str, ...]]
    #: A net's estimate: label, the recode's estimates, its position in them, levels of the recode.
    NetEstimate = tuple[str, Estimates, int, int]

__all__ = ["PartitionedTables", "crosstab"]


def _categorical_column(pf: PartitionedFrame, var: str, what: str) -> str:
    import pandas as pd

    col = pf.resolve(var)
    dtype = pf._ddf._meta[col].dtype
    if (
        not isinstance(dtype, pd.CategoricalDtype)
        and pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
    ):
        raise VariableError(
            f"{what} needs a categorical question but {col!r} is numeric ({dtype}); "
            f"use svy.mean({col!r}) for its average, or give it value labels"
        )
    return col


@dataclass(frozen=True, eq=False)
class _InBase:
    """Rows in the base of a question: valid answer (``base="valid"``) or any answer (``"all"``)."""

    col: str
    level: Level
    valid: bool

    def __call__(self, pdf: pd.DataFrame) -> np.ndarray:
        code = column_codes(pdf, self.col, self.level)
        ok = code >= 0
        if self.valid and self.level.missing:
            bad = np.array([lab in self.level.missing for lab in self.level.labels] + [True])
            ok &= ~bad[code]
        return ok


@dataclass(frozen=True, eq=False)
class _InColumn:
    """Rows whose answer to ``col`` is the category with raw code ``code`` (one column of a crosstab)."""

    col: str
    level: Level
    code: int

    def __call__(self, pdf: pd.DataFrame) -> np.ndarray:
        return column_codes(pdf, self.col, self.level) == self.code


def _base_pass(pdf: pd.DataFrame, prep: Prep, params: tuple[_InBase, ByCodes | None, int]) -> Sums:
    inbase, bycodes, G = params
    mask = inbase(pdf) & prep.dom
    g = bycodes.codes(pdf, mask) if bycodes is not None else np.where(mask, 0, -1)
    asked = (column_codes(pdf, inbase.col, inbase.level) >= 0) & prep.dom
    ok = g >= 0
    nz = ok & (prep.w != 0)
    w = prep.w
    return {
        "n": np.bincount(g[ok], minlength=G).astype(float),
        "nw": np.bincount(g[nz], minlength=G).astype(float),
        "sw": np.bincount(g[nz], weights=w[nz], minlength=G),
        "sw2": np.bincount(g[nz], weights=w[nz] * w[nz], minlength=G),
        "asked": np.array([float(asked.sum())]),
    }


def _moe(nw: np.ndarray, sw: np.ndarray, sw2: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Pew's margin of error and the Kish design effect from weight sums (:func:`pewlike.weighting.summary.moe`)."""
    from pewlike.weighting.summary import _z

    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sw / nw
        var = np.clip((sw2 - nw * mean * mean) / (nw - 1), 0, None)
        deff = np.where(nw >= 2, 1.0 + var / (mean * mean), 1.0)
        moe = 100 * _z(level) * np.sqrt(deff * 0.25 / nw)
    return np.where(nw > 0, moe, np.nan), np.where(nw > 0, deff, np.nan)


def _nets_proxy(pf: PartitionedFrame, col: str) -> Any:
    """What :func:`pewlike.tables.toplines.resolve_nets` reads: the codebook and the column's dtype.

    A duck-typed stand-in for the :class:`~pewlike.design.frame.SurveyFrame` that
    ``resolve_nets`` is annotated with (hence ``Any``).
    """
    import pandas as pd

    lev = pf._level(col)
    dtype = pd.CategoricalDtype(list(lev.values), ordered=lev.ordered) if lev.categorical else pf._ddf._meta[col].dtype
    return SimpleNamespace(codebook=pf._codebook, data={col: pd.Series([], dtype=dtype)})


def _net_estimates(
    pf: PartitionedFrame,
    col: str,
    nets: Sequence[Net],
    *,
    by: By = None,
    base: Literal["valid", "all"] = "valid",
    ci: ProportionCI = "logit",
    level: float = 0.95,
) -> list[NetEstimate]:
    """As :func:`pewlike.tables.toplines.net_estimates`: disjoint nets estimated together as a recode."""
    if not nets:
        return []
    lev = pf._level(col)
    cats = list(lev.labels)
    from pewlike.tables.toplines import disjoint_groups

    groups = disjoint_groups(nets)
    out: list[Any] = [None] * len(nets)  # every net belongs to one group: all are set below
    for group in groups:
        which = np.full(len(cats) + 1, len(group), dtype=np.int64)
        for j, i in enumerate(group):
            which[np.isin(np.asarray(cats, dtype=object), list(nets[i][1])).nonzero()[0]] = j
        if base == "valid":
            which[[k for k, c in enumerate(cats) if c in lev.missing]] = -1
        which[-1] = -1
        labels = tuple([nets[i][0] for i in group] + ["\x00rest"])
        fc = FactorCodes(col, lev, which, labels)
        est = proportion(pf, col, by=by, ci=ci, level=level, factor=fc)
        for j, i in enumerate(group):
            out[i] = (nets[i][0], est, j, len(group) + 1)
    return out


@dataclass(frozen=True, eq=False)
class PartitionedTables:
    """The topline's questions to a partitioned survey (:class:`pewlike.tables.table_backend.TableBackend`).

    The shares and nets come from the partitioned proportions, the base's weights from one
    pass of weight sums.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey.
    """

    pf: PartitionedFrame

    def survey(self) -> PartitionedFrame:
        """The survey.

        Returns
        -------
        PartitionedFrame
        """
        return self.pf

    def nets_source(self, col: str) -> Any:
        """The codebook and an empty column of ``col``'s dtype (what ``resolve_nets`` reads).

        Parameters
        ----------
        col : str

        Returns
        -------
        object
        """
        return _nets_proxy(self.pf, col)

    def categorical_column(self, var: str, what: str) -> str:
        """The column of a question with response options.

        Parameters
        ----------
        var : str
        what : str
            The verb, for the error.

        Returns
        -------
        str
        """
        return _categorical_column(self.pf, var, what)

    def proportion(self, col: str, *, ci: ProportionCI, na_rm: bool, level: float) -> Estimates:
        """Shares of the responses.

        Parameters
        ----------
        col : str
        ci : str
        na_rm : bool
        level : float

        Returns
        -------
        Estimates
        """
        return proportion(self.pf, col, ci=ci, na_rm=na_rm, level=level)

    def net_estimates(
        self, col: str, nets: Sequence[tuple[str, Sequence[str]]], *, base: Base, ci: ProportionCI, level: float
    ) -> list[NetEstimate]:
        """Shares of the nets (disjoint nets estimated together as a recode).

        Parameters
        ----------
        col : str
        nets : list of (str, list of str)
        base : {"valid", "all"}
        ci : str
        level : float

        Returns
        -------
        list
        """
        resolved = [(label, tuple(members)) for label, members in nets]
        return _net_estimates(self.pf, col, resolved, base=base, ci=ci, level=level)

    def base_stats(self, col: str, base: Base, level: float) -> BaseStats:
        """The base's count, margin of error and design effect, and respondents asked (one pass).

        Parameters
        ----------
        col : str
        base : {"valid", "all"}
        level : float

        Returns
        -------
        BaseStats
        """
        from pewlike.tables.table_backend import BaseStats

        inbase = _InBase(col, self.pf._level(col), base == "valid")
        sums = run_pass(self.pf, [col], _base_pass, (inbase, None, 1))
        moe, deff = _moe(sums["nw"], sums["sw"], sums["sw2"], level)
        return BaseStats(int(sums["n"][0]), float(moe[0]), float(deff[0]), int(sums["asked"][0]))

    def question(self, col: str) -> str:
        """The question wording.

        Parameters
        ----------
        col : str

        Returns
        -------
        str
        """
        return display_question(self.pf.codebook, col)

    def asked_of(self, col: str) -> str | None:
        """The forms a question was asked of, when they explain who was asked (one pass).

        Parameters
        ----------
        col : str

        Returns
        -------
        str or None
            See :func:`pewlike.partitioned.asked.partitioned_asked_of`.
        """
        from pewlike.partitioned.asked import partitioned_asked_of

        return partitioned_asked_of(self.pf, col)

    def n_rows(self) -> int:
        """Respondents in the domain (one pass, cached).

        Returns
        -------
        int
        """
        return self.pf.n


def crosstab(
    pf: PartitionedFrame,
    var: str,
    by: str,
    *,
    base: Literal["valid", "all"] = "valid",
    letters: bool = True,
    nets: NetSpec = None,
    min_n: int = 100,
    suppress: bool = False,
    alpha: float = 0.05,
    adjust: Literal["holm", "bonferroni", "none"] = "holm",
    ci: ProportionCI = "logit",
    level: float = 0.95,
    total: Topline | None = None,
) -> Crosstab:
    """Weighted column percentages of ``var`` within each level of ``by``, on a partitioned survey.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey (the backend of a partitioned :class:`pewlike.Survey`).
    var : str
        The question (rows of the table).
    by : str
        The banner variable (columns); respondents with a missing-coded answer are left out.
    base : {"valid", "all"}
        As :func:`topline`.
    letters : bool
        Mark significant differences between columns with letters.
    nets : mapping or "auto", optional
        As :func:`topline`.
    min_n : int
        Columns with fewer respondents are flagged (and with ``suppress``, blanked).
    suppress : bool
        Blank the cells of small columns.
    alpha : float
        Significance level of the letters.
    adjust : {"holm", "bonferroni", "none"}
        Multiple-comparison adjustment of the letters.
    ci : {"logit", "beta", "wilson", "xlogit", "mean"}
        Interval method for each share.
    level : float
        Confidence level of intervals and margins of error.
    total : Topline, optional
        The total column, when already computed.

    Returns
    -------
    Crosstab
        The same :class:`~pewlike.tables.crosstabs.Crosstab` as
        :func:`pewlike.tables.crosstabs.crosstab` gives in memory.

    Raises
    ------
    VariableError
        ``var`` or ``by`` is numeric.
    EstimationError
        Bad options, or the same variable twice.

    Notes
    -----
    R has no partitioned equivalent: on all rows in memory the cells are R survey's
    ``svyby(~var, ~by, design, svymean, covmat=TRUE)``, the test ``svychisq(~var + by,
    sub)``, letters from pairwise ``svycontrast`` t tests, and the intervals
    ``svyciprop(..., df=degf(sub))``: one df for the whole table, that of the base
    ``sub = subset(design, !is.na(var) & !is.na(by))``; as
    :func:`pewlike.tables.crosstabs.crosstab`.
    """

    from pewlike.tables.crosstabs import assemble_crosstab, check_crosstab_options
    from pewlike.tables.toplines import resolve_nets, response_frame, topline

    check_crosstab_options(base, adjust, min_n, alpha)
    col = _categorical_column(pf, var, "crosstab")
    bycol = _categorical_column(pf, by, "crosstab by=")
    if bycol == col:
        raise EstimationError(f"crosstab needs two different variables, got {col!r} twice")
    blev = pf._level(bycol)
    st = pf._state
    valid_by: CallCondition = ("call", (bycol,), _InBase(bycol, blev, True))
    sub = pf._evolve(state=State(st.design, st.domain + (valid_by,), st.steps))
    est = proportion(sub, col, by=bycol, ci=ci, na_rm=(base == "valid"), level=level)
    frame, missing, levels = response_frame(pf, est, col)
    L = len(levels)
    cols = [str(x) for x in frame[bycol].iloc[::L]]
    bfc = factor_codes(sub, bycol)
    blevels = list(bfc.labels)
    pos_of = np.array([blevels.index(c) for c in cols])
    inbase = _InBase(col, pf._level(col), base == "valid")
    bc = ByCodes((bycol,), (blev,), True)
    sums = run_pass(sub, [col, bycol], _base_pass, (inbase, bc, bc.size))
    raw_of = np.flatnonzero(bfc.lut[:-1] >= 0)  # kept by level -> raw category code
    col_n = sums["n"][raw_of][pos_of].astype(np.int64)
    moes, _ = _moe(sums["nw"], sums["sw"], sums["sw2"], level)
    col_moe = moes[raw_of][pos_of]
    small = col_n < min_n
    in_base: CallCondition = ("call", (col,), inbase)
    # the one df of the table: the design df of its base (answered both questions)
    base_sub = sub._evolve(state=State(st.design, sub._state.domain + (in_base,), st.steps))
    df = float(base_sub.degf)
    column_df = None
    if ci == "logit" and pf._ddesign.kind == "replicate":  # the df each column's replicate logit interval used
        column_df = np.array(
            [
                float(
                    base_sub._evolve(
                        state=State(
                            st.design,
                            base_sub._state.domain + (("call", (bycol,), _InColumn(bycol, blev, int(code))),),
                            st.steps,
                        )
                    ).degf
                )
                for code in raw_of[pos_of]
            ]
        )

    substantive = [lev for lev in levels if lev not in missing]
    resolved = resolve_nets(_nets_proxy(pf, col), col, substantive, nets)
    net_ests = _net_estimates(sub, col, resolved, by=bycol, base=base, ci=ci, level=level)
    return assemble_crosstab(
        pf,
        base_sub,
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
