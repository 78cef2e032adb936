"""What the topline and the crosstab ask of a partitioned survey.

The topline and the crosstab are written once (:func:`pewlike.tables.toplines.topline`,
:func:`pewlike.tables.crosstabs.crosstab`); :class:`PartitionedTables` is what they ask of this
backend (:class:`pewlike.tables.table_backend.TableBackend`): shares and nets from the
partitioned proportions (:mod:`pewlike.partitioned.estimates`), bases, unweighted Ns and
margins of error from one pass of weight sums per column, a base as one more domain
condition, and the design df of every column of a crosstab from one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pewlike.errors import VariableError
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
    from pewlike.tables.table_backend import BaseStats
    from pewlike.tables.toplines import Base

    #: A resolved net: its label and the response levels it gathers.
    Net = tuple[str, tuple[str, ...]]
    #: A net's estimate: label, the recode's estimates, its position in them, levels of the recode.
    NetEstimate = tuple[str, Estimates, int, int]

__all__ = ["PartitionedTables"]


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


def _base_pass(pdf: pd.DataFrame, prep: Prep, params: tuple[_InBase, ByCodes | None, int]) -> Sums:
    inbase, bycodes, G = params
    mask = inbase(pdf) & prep.dom
    g = bycodes.codes(pdf, mask) if bycodes is not None else np.where(mask, 0, -1)
    asked = (column_codes(pdf, inbase.col, inbase.level) >= 0) & prep.dom
    ok = g >= 0
    nz = ok & (prep.w != 0)
    w = prep.w
    return {
        "nw": np.bincount(g[nz], minlength=G).astype(float),
        "sw": np.bincount(g[nz], weights=w[nz], minlength=G),
        "sw2": np.bincount(g[nz], weights=w[nz] * w[nz], minlength=G),
        "asked": np.array([float(asked.sum())]),
    }


def _column_df_pass(pdf: pd.DataFrame, prep: Prep, params: tuple[str, Level, np.ndarray]) -> Sums:
    """What the df of every column of a crosstab needs: each row of the domain in its column's domain."""
    bycol, blev, dom_of = params
    code = column_codes(pdf, bycol, blev)
    dom = np.where(prep.dom, dom_of[code], -1)  # code -1 (missing) reads the last entry: -1
    return prep.design.variance.df_sums(prep, dom, int(dom_of.max()) + 1)


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
    from pewlike.tables.answers import disjoint_groups

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

    def proportion(self, col: str, *, ci: ProportionCI, na_rm: bool, level: float, by: str | None = None) -> Estimates:
        """Shares of the responses.

        Parameters
        ----------
        col : str
        ci : str
        na_rm : bool
        level : float
        by : str, optional
            Domain variable (a crosstab's columns).

        Returns
        -------
        Estimates
        """
        return proportion(self.pf, col, by=by, ci=ci, na_rm=na_rm, level=level)

    def net_estimates(
        self,
        col: str,
        nets: Sequence[tuple[str, Sequence[str]]],
        *,
        base: Base,
        ci: ProportionCI,
        level: float,
        by: str | None = None,
    ) -> list[NetEstimate]:
        """Shares of the nets (disjoint nets estimated together as a recode).

        Parameters
        ----------
        col : str
        nets : list of (str, list of str)
        base : {"valid", "all"}
        ci : str
        level : float
        by : str, optional
            Domain variable (a crosstab's columns).

        Returns
        -------
        list
        """
        resolved = [(label, tuple(members)) for label, members in nets]
        return _net_estimates(self.pf, col, resolved, by=by, base=base, ci=ci, level=level)

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
        return BaseStats(int(sums["nw"][0]), float(moe[0]), float(deff[0]), int(sums["asked"][0]))

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

    def _within(self, cond: CallCondition) -> PartitionedFrame:
        st = self.pf._state
        return self.pf._evolve(state=State(st.design, st.domain + (cond,), st.steps))

    def restrict_to_base(self, col: str, base: Base) -> PartitionedTables:
        """The survey restricted to the base of ``col`` (one more domain condition).

        Parameters
        ----------
        col : str
        base : {"valid", "all"}
            Substantive answers, or any answer.

        Returns
        -------
        PartitionedTables
        """
        return PartitionedTables(self._within(("call", (col,), _InBase(col, self.pf._level(col), base == "valid"))))

    def column_bases(
        self, col: str, bycol: str, base: Base, level: float, columns: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Unweighted base and margin of error of ``col``'s base in each column: one pass of weight sums.

        Parameters
        ----------
        col, bycol : str
            The question and the column variable.
        base : {"valid", "all"}
        level : float
        columns : sequence of str
            Levels of ``bycol``, in the order wanted.

        Returns
        -------
        (ndarray of int, ndarray of float)
            Respondents and Pew's margin of error (points).
        """
        bfc = factor_codes(self.pf, bycol)
        pos_of = np.array([list(bfc.labels).index(c) for c in columns], dtype=np.int64)
        inbase = _InBase(col, self.pf._level(col), base == "valid")
        bc = ByCodes((bycol,), (self.pf._level(bycol),), True)
        sums = run_pass(self.pf, [col, bycol], _base_pass, (inbase, bc, bc.size))
        raw_of = np.flatnonzero(bfc.lut[:-1] >= 0)  # kept level -> raw category code
        moes, _ = _moe(sums["nw"], sums["sw"], sums["sw2"], level)
        return sums["nw"][raw_of][pos_of].astype(np.int64), moes[raw_of][pos_of]

    def degf(self) -> float:
        """Design degrees of freedom of the domain (one pass, cached).

        Returns
        -------
        float
        """
        return float(self.pf.degf)

    def column_degf(self, bycol: str, columns: Sequence[str]) -> np.ndarray:
        """Design degrees of freedom of the domain within each column of ``bycol``: one pass for all columns.

        Each column's df is R's ``degf(subset(design, bycol == column))`` within the domain,
        from the same sums as :attr:`PartitionedFrame.degf` of that subset (the rank of the
        column's replicate weights, or its PSUs minus strata): every row goes to its
        column's domain in one pass, so the df equal those of one pass per column.

        Parameters
        ----------
        bycol : str
        columns : sequence of str
            Levels of ``bycol``.

        Returns
        -------
        ndarray of float
            One df per column; a column without respondents of nonzero weight has -1 on a
            replicate design (no replicate weights), 0 otherwise (no PSU, no stratum).
        """
        bfc = factor_codes(self.pf, bycol)
        raw_of = np.flatnonzero(bfc.lut[:-1] >= 0)  # kept level -> raw category code
        codes = np.array([int(raw_of[list(bfc.labels).index(c)]) for c in columns], dtype=np.int64)
        if not codes.size:
            return np.zeros(0)
        raw, pos = np.unique(codes, return_inverse=True)
        blev = self.pf._level(bycol)
        dom_of = np.full(len(blev.values) + 1, -1, dtype=np.int64)  # raw category code (last: missing) -> domain
        dom_of[raw] = np.arange(raw.size)
        sums = run_pass(self.pf, [bycol], _column_df_pass, (bycol, blev, dom_of))
        df = self.pf._ddesign.variance.domain_df(sums, np.arange(raw.size))
        return np.array([float(int(x)) for x in df[pos]])  # as PartitionedFrame.degf: an int, as float

    def per_column_df(self) -> bool:
        """Whether the design's variance strategy makes a domain's logit interval on its own df.

        Returns
        -------
        bool
            :attr:`pewlike.partitioned.strategy.PartitionedVariance.per_column_df`.
        """
        return bool(self.pf._ddesign.variance.per_column_df)
