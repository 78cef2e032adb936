"""The partitioned backend of the estimators: weighted totals of a ``PartitionedFrame``.

:class:`PartitionedTotals` implements :class:`pewlike.estimation.backend.WeightedTotals`:
the cells of an estimate are a cell spec (:mod:`pewlike.partitioned.cells`) summed in one
pass (:func:`pewlike.partitioned.ratios.first_pass`); :meth:`PartitionedTotals.finish` keeps
the domains present and computes the covariance (:func:`pewlike.partitioned.ratios.finish`,
by the design's variance strategy).  The estimators of :mod:`pewlike.estimation.estimators`
then assemble the results exactly as in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NoReturn

import numpy as np

from pewlike.errors import EstimationError
from pewlike.estimation.backend import DomainCells, FactorLevels, GroupCells, TableCells
from pewlike.partitioned.cells import (
    ByCodes,
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
from pewlike.partitioned.engine import held_rows, run_pass
from pewlike.partitioned.ratios import Kept, domain_df, finish, first_pass

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.estimation.backend import By
    from pewlike.estimation.engine import Ratios
    from pewlike.partitioned.cells import CellSpec
    from pewlike.partitioned.engine import DaskDesign, Prep, State, Sums
    from pewlike.partitioned.frame import PartitionedFrame

__all__ = ["PartitionedTotals", "test_degf"]


def _held_df_pass(pdf: pd.DataFrame, prep: Prep, state: State) -> Sums:
    dom = np.where(held_rows(pdf, state), 0, -1)
    return prep.design.variance.df_sums(prep, dom, 1, every_row=True)


def test_degf(pf: PartitionedFrame) -> int:
    """Denominator df of a test of association, as R's ``svychisq`` (``Design.test_degf`` in memory).

    The first-stage PSUs minus strata of every row R's design object would hold, weighted zero
    or not; :attr:`PartitionedFrame.degf` (no further pass) when no weight is zero and no
    subset was made after raking, and for replicate designs.

    Parameters
    ----------
    pf : PartitionedFrame

    Returns
    -------
    int
    """
    d, st = pf._ddesign, pf._state
    after_raking = bool(st.steps) and st.steps[0].ndomain < len(st.domain)
    if d.kind == "replicate" or not (d.zero_weights or after_raking):
        return int(pf.degf)
    sums = run_pass(pf, [], _held_df_pass, st)
    return int(d.variance.domain_df(sums, np.array([0]))[0])


@dataclass(frozen=True, eq=False)
class _Cells:
    """What :class:`PartitionedTotals` keeps between the cells and the variance of an estimate."""

    spec: CellSpec
    sums: Sums
    present: np.ndarray  # domains with rows
    kept: np.ndarray  # numerator cells reported


def _state(cells: DomainCells) -> _Cells:
    st = cells.handle
    assert isinstance(st, _Cells)  # cells of this backend
    return st


def _empty_domain(sums: Sums, col: str) -> NoReturn:
    if sums["nvalid"][0] == 0:
        raise EstimationError(f"{col!r} has no valid values in this survey (all missing or refused)")
    raise EstimationError(f"no respondent has valid values of {col!r} in this domain")


def _present(sums: Sums, col: str) -> np.ndarray:
    """Domains with rows; as R's ``svyby`` (and the in-memory engine), only those with a nonzero weight."""
    present = np.flatnonzero(sums["ndom"] > 0)
    if present.size == 0:
        _empty_domain(sums, col)
    weighted = np.flatnonzero(sums["npos"] > 0)
    return weighted if 0 < weighted.size < present.size else present


def _ss_pass(pdf: pd.DataFrame, prep: Prep, params: tuple[MeanSpec, np.ndarray]) -> Sums:
    spec, ybar = params
    code, yv = spec.domain_values(pdf, prep)
    ok = code >= 0
    resid = yv[ok] - ybar[code[ok]]
    return {"ss": np.bincount(code[ok], weights=prep.w[ok] * resid * resid, minlength=spec.n_dom)}


@dataclass(frozen=True, eq=False)
class PartitionedTotals:
    """Weighted totals over cells of a partitioned survey, for the estimators.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey.
    factor : FactorCodes, optional
        The levels of proportions, when they are not those of the variable (nets are a
        recode of it).
    """

    pf: PartitionedFrame
    factor: FactorCodes | None = None

    def is_categorical(self, var: str) -> bool:
        """Whether ``var`` is a categorical column.

        Parameters
        ----------
        var : str

        Returns
        -------
        bool
        """
        import pandas as pd

        return isinstance(self.pf._ddf._meta[self.pf.resolve(var)].dtype, pd.CategoricalDtype)

    def value_cells(self, kind: Literal["mean", "total"], var: str, by: By, na_rm: bool) -> DomainCells:
        """Cells of a mean or total: one pass of sums.

        Parameters
        ----------
        kind : {"mean", "total"}
        var : str
            Numeric variable.
        by : str, list of str or None
        na_rm : bool

        Returns
        -------
        DomainCells
        """
        pf = self.pf
        col = numeric_column(pf, var, kind)
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
        present = _present(sums, col)
        return DomainCells(
            col,
            None,
            bc.keys(present),
            bc.cols,
            np.arange(present.size),
            sums["n"][present].astype(np.int64),
            sums["nobs"][present],
            W=sums["W"][present],
            bad=None if na_rm else sums["bad"][present] > 0,
            handle=_Cells(spec, sums, present, present),
        )

    def level_cells(self, kind: Literal["proportion", "total"], var: str, by: By, na_rm: bool) -> DomainCells:
        """Cells of the shares or counts of a categorical's levels: one pass of sums.

        Parameters
        ----------
        kind : {"proportion", "total"}
        var : str
            Categorical variable.
        by : str, list of str or None
        na_rm : bool

        Returns
        -------
        DomainCells
        """
        pf = self.pf
        fc = self.factor if self.factor is not None else factor_codes(pf, var, na_rm=na_rm)
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
        present = _present(sums, col)
        cells = (present[:, None] * L + np.arange(L)[None, :]).ravel()
        return DomainCells(
            col,
            None,
            bc.keys(present),
            bc.cols,
            np.repeat(np.arange(present.size), L),
            sums["n"][cells].astype(np.int64),
            sums["nobs"][cells],
            levels=levels,
            handle=_Cells(spec, sums, present, cells),
        )

    def ratio_cells(self, numerator: str, denominator: str, by: By, na_rm: bool) -> DomainCells:
        """Cells of a ratio of two totals: one pass of sums.

        Parameters
        ----------
        numerator, denominator : str
            Numeric variables.
        by : str, list of str or None
        na_rm : bool

        Returns
        -------
        DomainCells
        """
        pf = self.pf
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
        present = _present(sums, ncol)
        return DomainCells(
            ncol,
            dcol,
            bc.keys(present),
            bc.cols,
            np.arange(present.size),
            sums["n"][present].astype(np.int64),
            sums["nobs"][present],
            W=sums["W"][present],
            handle=_Cells(spec, sums, present, present),
        )

    def finish(self, cells: DomainCells) -> Ratios:
        """Estimates and covariance of the cells (further passes where the variance needs them).

        Parameters
        ----------
        cells : DomainCells
            From this backend.

        Returns
        -------
        Ratios
        """
        st = _state(cells)
        return finish(self.pf, st.spec, st.sums, Kept.of(st.spec, st.kept))

    def srs_ss(self, cells: DomainCells, ybar: np.ndarray) -> np.ndarray:
        """Weighted sum of squared deviations from ``ybar`` in every domain (one pass).

        Parameters
        ----------
        cells : DomainCells
            Cells of a mean or total.
        ybar : numpy.ndarray
            Mean of every domain present.

        Returns
        -------
        numpy.ndarray
        """
        st = _state(cells)
        assert isinstance(st.spec, MeanSpec)  # cells of a mean or total
        full = np.zeros(st.spec.n_dom)
        full[st.present] = ybar
        ss: np.ndarray = run_pass(self.pf, st.spec.columns, _ss_pass, (st.spec, full))["ss"]
        return ss[st.present]

    def domain_df(self, cells: DomainCells, r: Ratios) -> np.ndarray:
        """Design df of every cell's domain (from the first pass).

        Parameters
        ----------
        cells : DomainCells
            Cells of proportions.
        r : Ratios
            Unused (the first pass gathered what the df need).

        Returns
        -------
        numpy.ndarray
            One value per cell.
        """
        st = _state(cells)
        return domain_df(self.pf, st.sums, st.present)[cells.dom_of]

    def replicate_scales(self) -> DaskDesign:
        """The design (its ``scale``, ``rscales`` and ``mse``).

        Returns
        -------
        DaskDesign
        """
        return self.pf._ddesign

    def label(self, col: str) -> str | None:
        """The question wording of ``col``.

        Parameters
        ----------
        col : str

        Returns
        -------
        str or None
        """
        return self.pf._codebook.variables[col].label

    def design_label(self) -> str:
        """The variance method as results print it.

        Returns
        -------
        str
        """
        return self.pf._ddesign.variance.label()

    # -- cells of the tests (:mod:`pewlike.estimation.hypothesis`) --------------------------
    def n_rows(self) -> float:
        """Rows in the current domain (one pass, cached).

        Returns
        -------
        float
        """
        return float(self.pf.n)

    def design_degf(self) -> float:
        """Design degrees of freedom (R ``degf(design)``; one pass, cached).

        Returns
        -------
        float
        """
        return float(self.pf.degf)

    def test_degf(self) -> float:
        """Denominator df of a test of association, as R's ``svychisq`` (:func:`test_degf`).

        Returns
        -------
        float
        """
        return float(test_degf(self.pf))

    def factor_levels(self, var: str, na_rm: bool) -> FactorLevels:
        """The counted levels of a categorical (from the column's dtype and codebook; no pass).

        Parameters
        ----------
        var : str
        na_rm : bool
            Leave out the codebook's missing codes.

        Returns
        -------
        FactorLevels
        """
        fc = factor_codes(self.pf, var, na_rm=na_rm)
        return FactorLevels(fc.col, list(fc.labels), fc)

    def table_cells(self, rf: FactorLevels, cf: FactorLevels, shares: bool) -> TableCells:
        """The occupied cells of the table of ``rf`` by ``cf``: one pass of cell sums.

        Parameters
        ----------
        rf, cf : FactorLevels
            From :meth:`factor_levels`.
        shares : bool
            Shares of the table's total (else totals).

        Returns
        -------
        TableCells

        Raises
        ------
        EstimationError
            No respondent has valid values of both.
        """
        rfc, cfc = rf.handle, cf.handle
        nr_f, nc_f = len(rfc.labels), len(cfc.labels)
        k = nr_f * nc_f
        spec = TableSpec(
            columns=spec_columns(rfc.col, cfc.col),
            n_num=k,
            n_den=1 if shares else 0,
            den_of=np.zeros(k, dtype=np.int64),
            den_from_num=False,
            n_dom=1,
            dom_of=np.zeros(k, dtype=np.int64),
            rf=rfc,
            cf=cfc,
        )
        sums = first_pass(self.pf, spec)
        counts = sums["n"].reshape(nc_f, nr_f).T
        if counts.sum() == 0:
            raise EstimationError(f"no respondent has valid values of both {rfc.col!r} and {cfc.col!r}")
        rpres = np.flatnonzero(counts.sum(axis=1))
        cpres = np.flatnonzero(counts.sum(axis=0))
        cells = (rpres[:, None] + nr_f * cpres[None, :]).T.ravel()  # rows vary fastest
        return TableCells(rpres.size, cpres.size, (spec, sums, cells))

    def table_totals(self, cells: TableCells) -> Ratios:
        """Totals (or shares) of the table's cells, rows varying fastest, with their covariance.

        Parameters
        ----------
        cells : TableCells
            From :meth:`table_cells`.

        Returns
        -------
        Ratios
        """
        spec, sums, kept = cells.handle
        return finish(self.pf, spec, sums, Kept.of(spec, kept), by_domain=False)

    def group_cells(self, var: str, by: str, na_rm: bool) -> GroupCells:
        """The groups of ``by`` with valid rows of the numeric ``var``: one pass of sums.

        Parameters
        ----------
        var : str
            Numeric variable.
        by : str
            Group variable.
        na_rm : bool
            Leave out missing-coded groups.

        Returns
        -------
        GroupCells
        """
        ycol = numeric_column(self.pf, var, "ttest")
        gf = factor_codes(self.pf, by, na_rm=na_rm)
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
        sums = first_pass(self.pf, spec, need_df=True)
        # group levels are those of factor_codes (missing categories dropped when na_rm)
        kept_raw = np.flatnonzero(gf.lut[:-1] >= 0)
        present = kept_raw[sums["ndom"][kept_raw] > 0]
        return GroupCells(ycol, gf.col, [gf.level.labels[i] for i in present], (spec, sums, present))

    def group_means(self, cells: GroupCells) -> tuple[Ratios, float]:
        """Means of the two groups with their covariance, and the design df of their rows.

        Parameters
        ----------
        cells : GroupCells
            From :meth:`group_cells`, with exactly two groups.

        Returns
        -------
        (Ratios, float)
        """
        spec, sums, present = cells.handle
        r = finish(self.pf, spec, sums, Kept.of(spec, present), by_domain=False)
        return r, float(self.pf._ddesign.variance.union_df(sums, present))
