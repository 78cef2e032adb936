"""Variance as a strategy on a partitioned survey: the partitioned counterpart of
:mod:`pewlike.variance.strategy`.

A :class:`DaskDesign` chooses its :class:`PartitionedVariance` once, when it is built
(:func:`variance_for`, the only place that looks at the design's kind); everything the
partitioned engine does differently by variance method is a method of the strategy:

* :class:`ReplicateSums` -- replicate weights: every replicate's totals per cell.
* :class:`ClusteredSums` -- PSUs given: sparse totals per last-stage unit, Taylor linearization.
* :class:`RowSums` -- every row its own unit: per-stratum sums and centred cross-products.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

import numpy as np

from pewlike.estimation.engine import Ratios
from pewlike.partitioned.engine import Pairs, lookup_codes, onehot_sum, rank_from_gram
from pewlike.partitioned.rowvar import Influence, calibration_terms, rows_vcov, unit_residual_sums
from pewlike.variance import linearization as _lin

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.partitioned.cells import CellSpec
    from pewlike.partitioned.engine import DaskDesign, Prep, StrataTable, Sums, UnitTable
    from pewlike.partitioned.frame import PartitionedFrame
    from pewlike.partitioned.ratios import Kept
    from pewlike.variance.linearization import LonelyPSU

__all__ = ["ClusteredSums", "PartitionedVariance", "ReplicateSums", "RowSums", "variance_for"]

_GRAM_ROWS = 16384


@runtime_checkable
class PartitionedVariance(Protocol):
    """How a partitioned design gathers the sums its variance needs and turns them into covariances."""

    @property
    def per_column_df(self) -> bool:
        """Whether a domain's logit interval is made on its own df from replicates.

        As :attr:`pewlike.variance.strategy.VarianceMethod.per_column_df`.
        """
        ...

    def row_codes(self, pdf: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Sampling unit and stratum of every row of a partition (None where the method needs none)."""
        ...

    def cell_sums(
        self,
        prep: Prep,
        spec: CellSpec,
        num: np.ndarray,
        aw: np.ndarray,
        den: np.ndarray | None,
        b: np.ndarray | None,
        bw: np.ndarray | None,
        dom: np.ndarray,
        a: np.ndarray | None,
    ) -> Sums:
        """The design sums of one partition's cells that :meth:`vcov` reads."""
        ...

    def df_sums(self, prep: Prep, dom: np.ndarray, n_dom: int, every_row: bool = False) -> Sums:
        """What the degrees of freedom of each domain need, from one partition.

        Rows with a nonzero weight (R ``degf``), or with ``every_row`` every row of a domain.
        """
        ...

    def domain_df(self, sums: Sums, doms: np.ndarray) -> np.ndarray:
        """Degrees of freedom of each domain (R ``degf(subset(design, ...))``)."""
        ...

    def union_df(self, sums: Sums, doms: np.ndarray) -> float:
        """Degrees of freedom of the union of some domains."""
        ...

    def vcov(
        self,
        pf: PartitionedFrame,
        spec: CellSpec,
        sums: Sums,
        kept: Kept,
        theta: np.ndarray,
        A: np.ndarray,
        B: np.ndarray | None,
        by_domain: bool,
    ) -> Ratios:
        """Estimates of the kept cells with their covariance."""
        ...

    def replicate_totals(self, values: np.ndarray) -> np.ndarray | None:
        """The replicate columns of per-cell raking sums (weight, count, replicates...), or None."""
        ...

    def label(self) -> str:
        """The variance method as results print it."""
        ...

    def summary(self) -> str:
        """The design in a few words, for ``describe()``."""
        ...


def variance_for(d: DaskDesign) -> PartitionedVariance:
    """The variance strategy of a partitioned design (chosen once, when the design is built).

    Parameters
    ----------
    d : DaskDesign

    Returns
    -------
    PartitionedVariance
    """
    if d.kind == "replicate":
        assert d.reptype is not None and d.scale is not None and d.rscales is not None  # build() sets them
        return ReplicateSums(d.reptype, len(d.rep_cols), d.scale, d.rscales, d.mse)
    if d.kind == "clustered":
        return ClusteredSums(d.unit_table(), d.key_cols, d.lonely_psu, d.names)
    return RowSums(d.strata_table(), d.key_cols, d.lonely_psu, d.names)


def _fpc(units: UnitTable | None, strata: StrataTable | None) -> bool:
    return not ((units is None or units.popsize is None) and (strata is None or strata.popsize is None))


# --------------------------------------------------------------------------- replicate weights
@dataclass(frozen=True, eq=False)
class ReplicateSums:
    """Replicate weights: every replicate's totals per cell, variance from their spread (R ``svrVar``)."""

    reptype: str
    nrep: int
    scale: float
    rscales: np.ndarray
    mse: bool

    #: a domain's logit interval is refitted in the replicates on its own df (see PartitionedVariance).
    per_column_df: ClassVar[bool] = True

    def row_codes(self, pdf: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray | None]:
        """No unit or stratum codes: replicate weights carry the design.

        Parameters
        ----------
        pdf : pandas.DataFrame

        Returns
        -------
        tuple
            ``(None, None)``.
        """
        return None, None

    def cell_sums(
        self,
        prep: Prep,
        spec: CellSpec,
        num: np.ndarray,
        aw: np.ndarray,
        den: np.ndarray | None,
        b: np.ndarray | None,
        bw: np.ndarray | None,
        dom: np.ndarray,
        a: np.ndarray | None,
    ) -> Sums:
        """Replicate totals of the numerator (``Ar``) and denominator (``Br``) cells.

        Parameters
        ----------
        prep : Prep
        spec : CellSpec
        num, aw, den, b, bw, dom, a : numpy.ndarray or None
            Cell codes and values of the partition's rows (see :func:`pewlike.partitioned.ratios.first_pass`).

        Returns
        -------
        dict
        """
        out: Sums = {"Ar": onehot_sum(num, spec.n_num, a, prep.rep_weights())}
        if bw is not None and den is not None:
            out["Br"] = onehot_sum(den, spec.n_den, b, prep.rep_weights())
        return out

    def df_sums(self, prep: Prep, dom: np.ndarray, n_dom: int, every_row: bool = False) -> Sums:
        """Gram matrix of the replicate weights within each domain (their rank is the df).

        Parameters
        ----------
        prep : Prep
        dom : numpy.ndarray
            Domain code of every row (-1: none).
        n_dom : int
        every_row : bool
            Count every row of a domain, weighted zero or not (R ``svychisq``'s ``nu``).

        Returns
        -------
        dict
        """
        use = (dom >= 0) if every_row else (dom >= 0) & (prep.w != 0)
        g = dom[use]
        Wt = prep.rep_weights()
        R = Wt.shape[0]
        gram = np.zeros((n_dom, R, R))
        rows = np.flatnonzero(use)
        order = rows[np.argsort(g, kind="stable")]
        gs = np.sort(g, kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(gs)) + 1] if gs.size else np.zeros(0, dtype=np.int64)
        stops = np.r_[starts[1:], gs.size]
        for a, b in zip(starts, stops):  # one domain at a time, as the rank per domain in memory
            for s in range(a, b, _GRAM_ROWS):  # bounded copies of the replicate weights
                Wb = np.take(Wt, order[s : min(b, s + _GRAM_ROWS)], axis=1)
                gram[gs[a]] += Wb @ Wb.T
        return {"gram": gram}

    def domain_df(self, sums: Sums, doms: np.ndarray) -> np.ndarray:
        """Rank of each domain's replicate weights.

        Parameters
        ----------
        sums : dict
        doms : numpy.ndarray

        Returns
        -------
        numpy.ndarray
        """
        return np.array([float(rank_from_gram(sums["gram"][g])) for g in doms])

    def union_df(self, sums: Sums, doms: np.ndarray) -> float:
        """Rank of the replicate weights of the rows in any of ``doms``.

        Parameters
        ----------
        sums : dict
        doms : numpy.ndarray

        Returns
        -------
        float
        """
        return float(rank_from_gram(sums["gram"][doms].sum(axis=0)))

    def vcov(
        self,
        pf: PartitionedFrame,
        spec: CellSpec,
        sums: Sums,
        kept: Kept,
        theta: np.ndarray,
        A: np.ndarray,
        B: np.ndarray | None,
        by_domain: bool,
    ) -> Ratios:
        """Covariance from the replicate estimates (R ``svrVar``).

        Parameters
        ----------
        pf : PartitionedFrame
        spec : CellSpec
        sums : dict
        kept : Kept
        theta, A : numpy.ndarray
        B : numpy.ndarray or None
        by_domain : bool
            Unused: replicate variances need no per-domain treatment.

        Returns
        -------
        Ratios
        """
        Ar = sums["Ar"][:, kept.num]
        if spec.n_den:
            if spec.den_from_num:
                Br_full = np.zeros((Ar.shape[0], spec.n_den))
                np.add.at(Br_full.T, spec.den_of, sums["Ar"].T)
            else:
                Br_full = sums["Br"]
            with np.errstate(divide="ignore", invalid="ignore"):
                thetas = Ar / Br_full[:, kept.den][:, kept.den_of]
        else:
            thetas = Ar
        V = _lin.replicate_vcov(thetas, theta, scale=self.scale, rscales=self.rscales, mse=self.mse)
        return Ratios(theta, V, A, B, thetas)

    def replicate_totals(self, values: np.ndarray) -> np.ndarray | None:
        """The replicate columns (after weight and count).

        Parameters
        ----------
        values : numpy.ndarray

        Returns
        -------
        numpy.ndarray
        """
        return values[:, 2:]

    def label(self) -> str:
        """The variance method as results print it.

        Returns
        -------
        str
        """
        from pewlike.variance.strategy import replicate_label

        return replicate_label(self.reptype, self.nrep)

    def summary(self) -> str:
        """The design in a few words.

        Returns
        -------
        str
        """
        return f"replicate weights ({self.reptype}, {self.nrep} replicates)"


# --------------------------------------------------------------------------- linearization
def _linearization_label(names: dict[str, object], fpc: bool) -> str:
    from pewlike.variance.strategy import linearization_label

    psu = names.get("psu") or []
    assert isinstance(psu, (list, tuple))
    return linearization_label(stages=len(psu) or 1, clustered=bool(psu), stratified=bool(names.get("strata")), fpc=fpc)


@dataclass(frozen=True, eq=False)
class ClusteredSums:
    """PSUs given: sparse totals per last-stage unit, then R's ``svyrecvar`` on the unit totals."""

    units: UnitTable
    key_cols: tuple[str, ...]
    lonely_psu: LonelyPSU
    names: dict[str, object]

    #: a logit interval comes from the SE (see PartitionedVariance).
    per_column_df: ClassVar[bool] = False

    def row_codes(self, pdf: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The last-stage unit of every row.

        Parameters
        ----------
        pdf : pandas.DataFrame

        Returns
        -------
        tuple
            ``(unit codes, None)``.
        """
        return lookup_codes(pdf, self.key_cols, self.units.index), None

    def cell_sums(
        self,
        prep: Prep,
        spec: CellSpec,
        num: np.ndarray,
        aw: np.ndarray,
        den: np.ndarray | None,
        b: np.ndarray | None,
        bw: np.ndarray | None,
        dom: np.ndarray,
        a: np.ndarray | None,
    ) -> Sums:
        """Sparse totals per unit and cell (``Zu``, ``Zb``) and the domains present in each unit.

        Parameters
        ----------
        prep : Prep
        spec : CellSpec
        num, aw, den, b, bw, dom, a : numpy.ndarray or None
            Cell codes and values of the partition's rows.

        Returns
        -------
        dict
        """
        unit = prep.unit_codes()
        ok = num >= 0
        out: Sums = {"Zu": Pairs.of(unit[ok] * spec.n_num + num[ok], aw[ok])}
        if bw is not None and den is not None:
            okd = den >= 0
            out["Zb"] = Pairs.of(unit[okd] * spec.n_den + den[okd], bw[okd])
        okg = dom >= 0
        out["present"] = Pairs.of(unit[okg] * spec.n_dom + dom[okg], np.ones(int(okg.sum())))
        return out

    def _counts(self) -> tuple[int, int]:
        return int(self.units.clusters[:, 0].max()) + 1, int(self.units.strata[:, 0].max()) + 1

    def df_sums(self, prep: Prep, dom: np.ndarray, n_dom: int, every_row: bool = False) -> Sums:
        """The distinct PSUs and strata of each domain.

        Parameters
        ----------
        prep : Prep
        dom : numpy.ndarray
        n_dom : int
        every_row : bool
            Count every row of a domain, weighted zero or not (R ``svychisq``'s ``nu``).

        Returns
        -------
        dict
        """
        use = (dom >= 0) if every_row else (dom >= 0) & (prep.w != 0)
        g = dom[use]
        unit = prep.unit_codes()
        psu = self.units.clusters[unit[use], 0]
        st = self.units.strata[unit[use], 0]
        npsu, nst = self._counts()
        return {"df_psu": Pairs.of(g * npsu + psu, np.ones(g.size)), "df_str": Pairs.of(g * nst + st, np.ones(g.size))}

    def domain_df(self, sums: Sums, doms: np.ndarray) -> np.ndarray:
        """PSUs minus strata of each domain.

        Parameters
        ----------
        sums : dict
        doms : numpy.ndarray

        Returns
        -------
        numpy.ndarray
        """
        npsu, nst = self._counts()
        n_dom = max(int(doms.max()) + 1 if doms.size else 1, 1)
        p = np.bincount(sums["df_psu"].keys // npsu, minlength=n_dom)
        s = np.bincount(sums["df_str"].keys // nst, minlength=n_dom)
        return (p - s)[doms].astype(float)

    def union_df(self, sums: Sums, doms: np.ndarray) -> float:
        """PSUs minus strata of the rows in any of ``doms``.

        Parameters
        ----------
        sums : dict
        doms : numpy.ndarray

        Returns
        -------
        float
        """
        npsu, nst = self._counts()
        pk, sk = sums["df_psu"].keys, sums["df_str"].keys
        p = np.unique(pk[np.isin(pk // npsu, doms)] % npsu).size
        s = np.unique(sk[np.isin(sk // nst, doms)] % nst).size
        return float(p - s)

    def vcov(
        self,
        pf: PartitionedFrame,
        spec: CellSpec,
        sums: Sums,
        kept: Kept,
        theta: np.ndarray,
        A: np.ndarray,
        B: np.ndarray | None,
        by_domain: bool,
    ) -> Ratios:
        """Linearized covariance from the unit totals of the influence values.

        Without raking, the unit totals come from the first pass; with raking, a further
        pass gathers the raking residuals per unit.

        Parameters
        ----------
        pf : PartitionedFrame
        spec : CellSpec
        sums : dict
        kept : Kept
        theta, A : numpy.ndarray
        B : numpy.ndarray or None
        by_domain : bool
            Each domain's variance as R's subset design under ``lonely_psu="average"``.

        Returns
        -------
        Ratios
        """
        units = self.units
        nunit = units.index.shape[0]
        if pf._state.steps:
            infl = Influence(spec, kept, theta, B)
            U = unit_residual_sums(pf, spec, infl, calibration_terms(pf, spec, infl))
            Z = np.zeros((nunit, kept.num.size))
            Z[U.keys] = U.values
            V = _lin.linearized_vcov(Z, units.strata, units.clusters, units.popsize, lonely_psu=self.lonely_psu)
            return Ratios(theta, V, A, B)
        Zu = _dense_pairs(sums["Zu"], nunit, spec.n_num, kept.num)
        Z = Zu
        if B is not None:
            if spec.den_from_num:
                Zb = np.zeros((nunit, kept.den.size))
                np.add.at(Zb.T, kept.den_of, Zu.T)
            else:
                Zb = _dense_pairs(sums["Zb"], nunit, spec.n_den, kept.den)
            with np.errstate(divide="ignore", invalid="ignore"):
                Z = (Zu - theta * Zb[:, kept.den_of]) / B[kept.den_of]
            Z[:, ~np.isfinite(theta)] = 0.0
        if by_domain and self.lonely_psu == "average":
            return Ratios(theta, self._by_domain(Z, sums["present"], spec, kept), A, B)
        V = _lin.linearized_vcov(Z, units.strata, units.clusters, units.popsize, lonely_psu=self.lonely_psu)
        return Ratios(theta, V, A, B)

    def _by_domain(self, Z: np.ndarray, present_pairs: Pairs, spec: CellSpec, kept: Kept) -> np.ndarray:
        """``lonely_psu="average"``: each domain as R's subset design (zero covariance between domains)."""
        units = self.units
        nunit = units.index.shape[0]
        col_dom = spec.dom_of[kept.num]
        doms = np.unique(col_dom)
        pres = np.zeros((nunit, spec.n_dom), dtype=bool)
        pres[present_pairs.keys // spec.n_dom, present_pairs.keys % spec.n_dom] = True
        samp = _lin.stratum_psu_counts(units.strata, units.clusters)
        k = Z.shape[1]
        V = np.zeros((k, k))
        for g in doms:  # one call per domain, only for this lonely-PSU rule (as in memory)
            cols = np.flatnonzero(col_dom == g)
            V[np.ix_(cols, cols)] = _lin.linearized_vcov(
                Z[:, cols],
                units.strata,
                units.clusters,
                units.popsize,
                lonely_psu=self.lonely_psu,
                domain=pres[:, g],
                sampsize=samp,
            )
        return V

    def replicate_totals(self, values: np.ndarray) -> np.ndarray | None:
        """None: a linearization design has no replicates.

        Parameters
        ----------
        values : numpy.ndarray

        Returns
        -------
        None
        """
        return None

    def label(self) -> str:
        """The variance method as results print it.

        Returns
        -------
        str
        """
        return _linearization_label(self.names, _fpc(self.units, None))

    def summary(self) -> str:
        """The design in a few words: stages, last-stage units and (when stratified) strata.

        Returns
        -------
        str
        """
        psu = self.names.get("psu") or []
        assert isinstance(psu, (list, tuple))
        text = f"{len(psu)}-stage cluster sample ({self.units.index.shape[0]:,} last-stage units"
        if self.names.get("strata"):
            text += f", {np.unique(self.units.strata[:, 0]).size:,} strata"
        return text + ")"


def _dense_pairs(p: Pairs, nrow: int, ncell: int, cells: np.ndarray) -> np.ndarray:
    """Dense (units, kept cells) from sparse sums keyed unit * ncell + cell."""
    pos = np.full(ncell, -1, dtype=np.int64)
    pos[cells] = np.arange(cells.size)
    unit, cell = p.keys // ncell, p.keys % ncell
    k = pos[cell]
    out = np.zeros((nrow, cells.size))
    ok = k >= 0
    out[unit[ok], k[ok]] = p.values[ok, 0]
    return out


# --------------------------------------------------------------------------- units = rows
@dataclass(frozen=True, eq=False)
class RowSums:
    """Every row its own unit: per-stratum sums, then centred cross-products (``svyrecvar``'s ``onestage``)."""

    strata: StrataTable
    key_cols: tuple[str, ...]
    lonely_psu: LonelyPSU
    names: dict[str, object]

    #: a logit interval comes from the SE (see PartitionedVariance).
    per_column_df: ClassVar[bool] = False

    def row_codes(self, pdf: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The stratum of every row.

        Parameters
        ----------
        pdf : pandas.DataFrame

        Returns
        -------
        tuple
            ``(None, stratum codes)``.
        """
        sidx = self.strata.index  # None exactly when there are no strata (no key columns)
        if sidx is None:
            return None, np.zeros(len(pdf), dtype=np.int64)
        return None, lookup_codes(pdf, self.key_cols, sidx)

    def cell_sums(
        self,
        prep: Prep,
        spec: CellSpec,
        num: np.ndarray,
        aw: np.ndarray,
        den: np.ndarray | None,
        b: np.ndarray | None,
        bw: np.ndarray | None,
        dom: np.ndarray,
        a: np.ndarray | None,
    ) -> Sums:
        """The domains present in each stratum (the influence values need further passes).

        Parameters
        ----------
        prep : Prep
        spec : CellSpec
        num, aw, den, b, bw, dom, a : numpy.ndarray or None
            Cell codes and values of the partition's rows.

        Returns
        -------
        dict
        """
        okg = dom >= 0
        return {"present": Pairs.of(prep.stratum_codes()[okg] * spec.n_dom + dom[okg], np.ones(int(okg.sum())))}

    def df_sums(self, prep: Prep, dom: np.ndarray, n_dom: int, every_row: bool = False) -> Sums:
        """Rows and distinct strata of each domain.

        Parameters
        ----------
        prep : Prep
        dom : numpy.ndarray
        n_dom : int
        every_row : bool
            Count every row of a domain, weighted zero or not (R ``svychisq``'s ``nu``).

        Returns
        -------
        dict
        """
        use = (dom >= 0) if every_row else (dom >= 0) & (prep.w != 0)
        g = dom[use]
        H = self.strata.n.shape[0]
        return {
            "df_rows": np.bincount(g, minlength=n_dom).astype(float),
            "df_str": Pairs.of(g * H + prep.stratum_codes()[use], np.ones(g.size)),
        }

    def domain_df(self, sums: Sums, doms: np.ndarray) -> np.ndarray:
        """Rows minus strata of each domain.

        Parameters
        ----------
        sums : dict
        doms : numpy.ndarray

        Returns
        -------
        numpy.ndarray
        """
        H = self.strata.n.shape[0]
        n_dom = sums["df_rows"].shape[0]
        s = np.bincount(sums["df_str"].keys // H, minlength=n_dom)
        return (sums["df_rows"] - s)[doms].astype(float)

    def union_df(self, sums: Sums, doms: np.ndarray) -> float:
        """Rows minus strata of the rows in any of ``doms``.

        Parameters
        ----------
        sums : dict
        doms : numpy.ndarray

        Returns
        -------
        float
        """
        H = self.strata.n.shape[0]
        sk = sums["df_str"].keys
        return float(sums["df_rows"][doms].sum() - np.unique(sk[np.isin(sk // H, doms)] % H).size)

    def vcov(
        self,
        pf: PartitionedFrame,
        spec: CellSpec,
        sums: Sums,
        kept: Kept,
        theta: np.ndarray,
        A: np.ndarray,
        B: np.ndarray | None,
        by_domain: bool,
    ) -> Ratios:
        """Stratified covariance of the row-level influence values (two further passes).

        Parameters
        ----------
        pf : PartitionedFrame
        spec : CellSpec
        sums : dict
        kept : Kept
        theta, A : numpy.ndarray
        B : numpy.ndarray or None
        by_domain : bool
            Each domain's variance as R's subset design under ``lonely_psu="average"``.

        Returns
        -------
        Ratios
        """
        average = by_domain and self.lonely_psu == "average" and not pf._state.steps
        infl = Influence(spec, kept, theta, B)
        Ds = calibration_terms(pf, spec, infl)
        return Ratios(theta, rows_vcov(pf, spec, kept, infl, Ds, sums, average), A, B)

    def replicate_totals(self, values: np.ndarray) -> np.ndarray | None:
        """None: a linearization design has no replicates.

        Parameters
        ----------
        values : numpy.ndarray

        Returns
        -------
        None
        """
        return None

    def label(self) -> str:
        """The variance method as results print it.

        Returns
        -------
        str
        """
        return _linearization_label(self.names, _fpc(None, self.strata))

    def summary(self) -> str:
        """The design in a few words.

        Returns
        -------
        str
        """
        return "independent sampling" + (f", {self.strata.n.shape[0]:,} strata" if self.key_cols else "")
