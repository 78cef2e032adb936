"""The in-memory backend of the estimators: weighted totals of a :class:`~pewlike.design.frame.SurveyFrame`.

:class:`InMemoryTotals` implements :class:`pewlike.estimation.backend.WeightedTotals` with
:func:`pewlike.estimation.engine.ratio_totals` on the rows in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pewlike.errors import EstimationError
from pewlike.estimation import engine
from pewlike.estimation.backend import DomainCells, FactorLevels, GroupCells, TableCells, WeightedTotals
from pewlike.estimation.columns import _domain_setup, factor_codes, numeric_values

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame
    from pewlike.design.structure import Design
    from pewlike.estimation.backend import By
    from pewlike.estimation.engine import Ratios

__all__ = ["InMemoryTotals", "weighted_totals"]


@dataclass(eq=False)
class _Cells:
    """What :class:`InMemoryTotals` keeps between the cells and the variance of an estimate."""

    code: np.ndarray
    G: int
    ok: np.ndarray | slice
    r: Ratios | None = None
    later: Callable[[], Ratios] | None = None
    y: np.ndarray | None = None
    L: int = 1


def _state(cells: DomainCells) -> _Cells:
    st = cells.handle
    assert isinstance(st, _Cells)  # cells of this backend
    return st


@dataclass(frozen=True, eq=False)
class InMemoryTotals:
    """Weighted totals over cells of the rows in memory, for the estimators.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    """

    sf: SurveyFrame

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

        return isinstance(self.sf.data[self.sf.resolve(var)].dtype, pd.CategoricalDtype)

    def value_cells(self, kind: Literal["mean", "total"], var: str, by: By, na_rm: bool) -> DomainCells:
        """Cells of a mean or total (the estimates and covariance are computed here).

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
        sf = self.sf
        col, y, valid = numeric_values(sf, var, kind)
        d = sf.design
        base_ok = valid if na_rm else np.ones_like(valid)
        code, keys, by_cols, G = _domain_setup(sf, base_ok, by, na_rm, col)
        # one domain of every row (no by, nothing missing, no subset): no row to leave out, nothing to check
        every = by is None and d.domain is None and bool(base_ok.all())
        ok = slice(None) if every else engine.counted(code)
        yv = y if valid.all() else np.where(code >= 0, np.nan_to_num(y), 0.0)
        domains = (code, np.arange(G))
        if kind == "mean":
            r = engine.ratio_totals(d, code, G, yv, code, G, None, domains=domains, ok=ok, counts="cells")
            W = r.den
            assert W is not None  # a ratio has a denominator
        else:
            r = engine.ratio_totals(d, code, G, yv, domains=domains, ok=ok, counts="cells")
            W = d.weight_total if every else engine.cell_sums(code, G, d.weights, ok)
        assert r.counts is not None  # asked for with counts="cells"
        bad = None if na_rm else engine.cell_sums(code, G, (~valid).astype(float)) > 0
        return DomainCells(
            col,
            None,
            keys,
            tuple(by_cols),
            np.arange(G),
            r.counts.astype(np.int64),
            _nobs(d, code, G, r.counts),
            W=W,
            bad=bad,
            handle=_Cells(code, G, ok, r=r, y=yv),
        )

    def level_cells(self, kind: Literal["proportion", "total"], var: str, by: By, na_rm: bool) -> DomainCells:
        """Cells of the shares or counts of a categorical's levels (computed here).

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
        sf = self.sf
        d = sf.design
        col, lev, levels = factor_codes(sf, var, na_rm=na_rm)
        if not levels:
            raise EstimationError(f"{col!r} has no substantive response levels")
        L = len(levels)
        code, keys, by_cols, G = _domain_setup(sf, lev >= 0, by, na_rm, col)
        ok = engine.counted(code)
        # one domain and no subset: the cells are the levels themselves
        if G == 1 and d.domain is None:
            cell = lev
        elif isinstance(ok, slice):
            cell = code * L + lev
        else:
            cell = np.where(ok, code * L + lev, -1)
        den_of = np.repeat(np.arange(G), L)
        if kind == "proportion":
            r = engine.ratio_totals(
                d,
                cell,
                G * L,
                None,
                code,
                G,
                None,
                den_of,
                domains=(code, den_of),
                den_from_num=True,
                ok=ok,
                counts=True,
            )
        else:
            r = engine.ratio_totals(d, cell, G * L, None, domains=(code, den_of), ok=ok, counts=True)
        assert r.counts is not None  # asked for with counts=True
        return DomainCells(
            col,
            None,
            keys,
            tuple(by_cols),
            den_of,
            r.counts.astype(np.int64),
            _nobs(d, cell, G * L, r.counts),
            levels=levels,
            handle=_Cells(code, G, ok, r=r, L=L),
        )

    def ratio_cells(self, numerator: str, denominator: str, by: By, na_rm: bool) -> DomainCells:
        """Cells of a ratio of two totals (the covariance waits for :meth:`finish`).

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
        sf = self.sf
        ncol, yn, vn = numeric_values(sf, numerator, "ratio")
        dcol, yd, vd = numeric_values(sf, denominator, "ratio")
        d = sf.design
        valid = vn & vd
        code, keys, by_cols, G = _domain_setup(sf, valid if na_rm else np.ones_like(valid), by, na_rm, ncol)
        a = np.where(code >= 0, np.nan_to_num(yn), 0.0)
        b = np.where(code >= 0, np.nan_to_num(yd), 0.0)
        n = np.bincount(code[code >= 0], minlength=G)
        ar = np.arange(G)

        def later() -> Ratios:
            return engine.ratio_totals(d, code, G, a, code, G, b, domains=(code, ar))

        return DomainCells(
            ncol,
            dcol,
            keys,
            tuple(by_cols),
            ar,
            n.astype(np.int64),
            _nobs(d, code, G, n),
            W=engine.cell_sums(code, G, d.weights),
            handle=_Cells(code, G, slice(None), later=later),
        )

    def finish(self, cells: DomainCells) -> Ratios:
        """Estimates and covariance of the cells.

        Parameters
        ----------
        cells : DomainCells
            From this backend.

        Returns
        -------
        Ratios
        """
        st = _state(cells)
        if st.r is None:
            assert st.later is not None  # cells without estimates say how to compute them
            st.r = st.later()
        return st.r

    def srs_ss(self, cells: DomainCells, ybar: np.ndarray) -> np.ndarray:
        """Weighted sum of squared deviations from ``ybar`` in every domain.

        Parameters
        ----------
        cells : DomainCells
            Cells of a mean or total.
        ybar : numpy.ndarray
            Mean of every domain.

        Returns
        -------
        numpy.ndarray
        """
        st = _state(cells)
        assert st.y is not None  # cells of a mean or total keep their values
        ok, G = st.ok, st.G
        c, wv, yv = st.code[ok], self.sf.design.weights[ok], st.y[ok]
        resid = yv - (ybar[0] if G == 1 else ybar[c])
        if G == 1:
            np.multiply(resid, resid, out=resid)  # in place: one (n,) array fewer to allocate
            # einsum, not np.dot: a BLAS dot of 1M values wakes BLAS threads and waits for a
            # busy core (0.5 ms alone, 8 ms on a loaded 2-core machine); einsum runs in place.
            return np.array([np.einsum("i,i->", wv, resid)])
        prod = wv * resid
        np.multiply(prod, resid, out=prod)  # (w * r) * r, as before
        return np.bincount(c, weights=prod, minlength=G)

    def domain_df(self, cells: DomainCells, r: Ratios) -> np.ndarray:
        """Design df of every cell's domain restricted to valid responses.

        As R's ``degf(subset(design, !is.na(var)))`` inside ``svyby``: the base of a
        proportion is the respondents with a valid answer.  Taken from the unit x cell
        counts when the estimate computed them.

        Parameters
        ----------
        cells : DomainCells
        r : Ratios
            From :meth:`finish`.

        Returns
        -------
        numpy.ndarray
            One value per cell.
        """
        st = _state(cells)
        d = self.sf.design
        G, L = st.G, st.L
        # unit counts come only with a variance from unit totals (df: PSUs minus strata)
        if r.unit_counts is not None and not d.has_zero_weights:
            present = r.unit_counts.reshape(r.unit_counts.shape[0], G, L).sum(axis=2) > 0
            dfs = engine.unit_domain_degf(d, present)
        else:
            dfs = engine.domain_degf(d, st.code, G)
        return dfs[cells.dom_of] if dfs.size == G else np.broadcast_to(dfs, cells.dom_of.shape)

    def replicate_scales(self) -> Design:
        """The design (its ``scale``, ``rscales`` and ``mse``).

        Returns
        -------
        Design
        """
        return self.sf.design

    def label(self, col: str) -> str | None:
        """The question wording of ``col``.

        Parameters
        ----------
        col : str

        Returns
        -------
        str or None
        """
        return self.sf.codebook.variables[col].label

    def design_label(self) -> str:
        """The variance method as results print it.

        Returns
        -------
        str
        """
        from pewlike.design.describe import design_kind

        return design_kind(self.sf.design)

    # -- cells of the tests (:mod:`pewlike.estimation.hypothesis`) --------------------------
    def n_rows(self) -> float:
        """Rows in the current domain.

        Returns
        -------
        float
        """
        return float(self.sf.n)

    def design_degf(self) -> float:
        """Design degrees of freedom (R ``degf(design)``).

        Returns
        -------
        float
        """
        return float(self.sf.degf)

    def test_degf(self) -> float:
        """Denominator df of a test of association, as R's ``svychisq`` (:meth:`Design.test_degf`).

        Returns
        -------
        float
        """
        return float(self.sf.design.test_degf())

    def factor_levels(self, var: str, na_rm: bool) -> FactorLevels:
        """The counted levels of a categorical, with the level index of every row.

        Parameters
        ----------
        var : str
        na_rm : bool
            Leave out the codebook's missing codes.

        Returns
        -------
        FactorLevels
        """
        col, idx, labels = factor_codes(self.sf, var, na_rm=na_rm)
        return FactorLevels(col, labels, idx)

    def table_cells(self, rf: FactorLevels, cf: FactorLevels, shares: bool) -> TableCells:
        """The occupied cells of the table of ``rf`` by ``cf`` (R's ``factor()`` drops unused levels).

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
        d = self.sf.design
        ridx, cidx = rf.handle, cf.handle
        ok = (ridx >= 0) & (cidx >= 0) & d.in_domain
        if not ok.any():
            raise EstimationError(f"no respondent has valid values of both {rf.col!r} and {cf.col!r}")
        rpres = np.flatnonzero(np.bincount(ridx[ok], minlength=len(rf.labels)))
        cpres = np.flatnonzero(np.bincount(cidx[ok], minlength=len(cf.labels)))
        nr, nc = rpres.size, cpres.size
        rmap = np.full(len(rf.labels), -1)
        rmap[rpres] = np.arange(nr)
        cmap = np.full(len(cf.labels), -1)
        cmap[cpres] = np.arange(nc)
        cell = np.where(ok, rmap[np.clip(ridx, 0, None)] + nr * cmap[np.clip(cidx, 0, None)], -1)
        return TableCells(nr, nc, (cell, ok, shares))

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
        d = self.sf.design
        cell, ok, shares = cells.handle
        k = cells.nr * cells.nc
        if not shares:
            return engine.ratio_totals(d, cell, k, None)
        dom = np.where(ok, 0, -1)
        return engine.ratio_totals(d, cell, k, None, dom, 1, None, np.zeros(k, dtype=np.int64))

    def group_cells(self, var: str, by: str, na_rm: bool) -> GroupCells:
        """The groups of ``by`` with valid rows of the numeric ``var``.

        Parameters
        ----------
        var : str
            Numeric variable.
        by : str
            Group variable.
        na_rm : bool
            Leave out missing group values (and codebook missing codes).

        Returns
        -------
        GroupCells
        """
        d = self.sf.design
        ycol, y, valid = numeric_values(self.sf, var, "ttest")
        gcol, gidx, glev = factor_codes(self.sf, by, na_rm=na_rm)
        ok = valid & (gidx >= 0) & d.in_domain
        present = np.flatnonzero(np.bincount(gidx[ok], minlength=len(glev)))
        return GroupCells(ycol, gcol, [glev[i] for i in present], (y, gidx, ok, present, len(glev)))

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
        d = self.sf.design
        y, gidx, ok, present, nlev = cells.handle
        gmap = np.full(nlev, -1)
        gmap[present] = [0, 1]
        code = np.where(ok, gmap[np.clip(gidx, 0, None)], -1)
        yv = np.where(ok, y, 0.0)
        r = engine.ratio_totals(d, code, 2, yv, code, 2, None)
        return r, float(d.restrict(ok).degf())


def _nobs(d: Design, code: np.ndarray, ncell: int, counts: np.ndarray) -> np.ndarray:
    """Rows with a non-zero weight per cell (R's ``nobs``); the row counts when no weight is zero."""
    if d.has_zero_weights:
        return np.bincount(code[d.weighted_rows(code >= 0)], minlength=ncell).astype(float)
    return np.asarray(counts, dtype=float)


def weighted_totals(data: Any) -> WeightedTotals:
    """The :class:`WeightedTotals` of a backend.

    Parameters
    ----------
    data : SurveyFrame, WeightedTotals or a frame with ``weighted_totals()``
        A survey backend.

    Returns
    -------
    WeightedTotals
    """
    if isinstance(data, WeightedTotals):
        return data
    own = getattr(data, "weighted_totals", None)
    if own is not None:
        out: WeightedTotals = own()
        return out
    return InMemoryTotals(data)
