"""Ratios of weighted totals over cells on a partitioned survey, with their design covariance.

The partitioned counterpart of :func:`pewlike.estimation.engine.ratio_totals`.  A *cell spec*
(see :mod:`pewlike.partitioned.estimates`) tells every partition the numerator cell, value,
denominator cell and value of each row; :func:`first_pass` sums them (and, by design:
replicate totals, sparse totals per sampling unit, degrees-of-freedom information);
:func:`finish` keeps the cells the caller reports and computes the covariance -- in one
pass for replicate and clustered designs, with further passes where the variance needs
row-level influence values (calibrated designs; designs whose units are the rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pewlike.estimation.engine import Ratios, refuse_overflow
from pewlike.partitioned.engine import Pairs, onehot_sum, rank_from_gram, run_pass
from pewlike.partitioned.rowvar import Influence, calibration_terms, rows_vcov, unit_residual_sums
from pewlike.variance import linearization as variance

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.partitioned.cells import CellSpec
    from pewlike.partitioned.engine import DaskDesign, Prep, Sums, UnitTable
    from pewlike.partitioned.frame import PartitionedFrame

__all__ = ["Kept", "domain_df", "finish", "first_pass"]

_GRAM_ROWS = 16384


def _bincount(code: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    ok = code >= 0
    return np.bincount(code[ok], weights=None if weights is None else weights[ok], minlength=n)[:n].astype(float)


# --------------------------------------------------------------------------- pass 1
def _pass1(pdf: pd.DataFrame, prep: Prep, params: tuple[CellSpec, bool]) -> Sums:
    spec, need_df = params
    d = prep.design
    codes = spec.codes(pdf, prep)
    num, a, den, b, dom = codes
    w = prep.w
    aw = w if a is None else w * a
    out: Sums = {
        "A": _bincount(num, spec.n_num, aw),
        "n": _bincount(num, spec.n_num),
        "nobs": _bincount(np.where(w != 0, num, -1), spec.n_num),
        "ndom": _bincount(dom, spec.n_dom),
    }
    bw = None
    if den is not None and spec.n_den and not spec.den_from_num:  # specs give den cells when they have n_den
        bw = w if b is None else w * b
        out["B"] = _bincount(den, spec.n_den, bw)
    out.update(spec.extra(pdf, prep, codes))
    if d.kind == "replicate":
        out["Ar"] = onehot_sum(num, spec.n_num, a, prep.rep_weights())
        if bw is not None and den is not None:
            out["Br"] = onehot_sum(den, spec.n_den, b, prep.rep_weights())
    elif d.kind == "clustered":
        unit = prep.unit_codes()
        ok = num >= 0
        out["Zu"] = Pairs.of(unit[ok] * spec.n_num + num[ok], aw[ok])
        if bw is not None and den is not None:
            okd = den >= 0
            out["Zb"] = Pairs.of(unit[okd] * spec.n_den + den[okd], bw[okd])
        okg = dom >= 0
        out["present"] = Pairs.of(unit[okg] * spec.n_dom + dom[okg], np.ones(int(okg.sum())))
    else:
        okg = dom >= 0
        out["present"] = Pairs.of(prep.stratum_codes()[okg] * spec.n_dom + dom[okg], np.ones(int(okg.sum())))
    if need_df:
        out.update(_df_sums(d, prep, dom, spec.n_dom))
    return out


def _df_sums(d: DaskDesign, prep: Prep, dom: np.ndarray, n_dom: int) -> Sums:
    """What the degrees of freedom of each domain need (rows with a domain and nonzero weight)."""
    use = (dom >= 0) & (prep.w != 0)
    g = dom[use]
    if d.kind == "replicate":
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
    if d.kind == "clustered":
        units = d.unit_table()
        unit = prep.unit_codes()
        psu = units.clusters[unit[use], 0]
        st = units.strata[unit[use], 0]
        npsu = int(units.clusters[:, 0].max()) + 1
        nst = int(units.strata[:, 0].max()) + 1
        return {"df_psu": Pairs.of(g * npsu + psu, np.ones(g.size)), "df_str": Pairs.of(g * nst + st, np.ones(g.size))}
    H = d.strata_table().n.shape[0]
    return {
        "df_rows": np.bincount(g, minlength=n_dom).astype(float),
        "df_str": Pairs.of(g * H + prep.stratum_codes()[use], np.ones(g.size)),
    }


def first_pass(pf: PartitionedFrame, spec: CellSpec, *, need_df: bool = False) -> Sums:
    """Cell totals, counts and design sums of a cell spec, over all partitions.

    Parameters
    ----------
    pf : PartitionedFrame
    spec : CellSpec
        The estimator's cells.
    need_df : bool
        Also gather what the degrees of freedom of every domain need (:func:`domain_df`).

    Returns
    -------
    dict
        ``A`` (weighted numerator totals), ``n`` (rows), ``nobs`` (rows with nonzero
        weight), ``ndom`` (rows per domain), ``B`` (denominator totals), the spec's extra
        sums, and by design: replicate totals ``Ar``/``Br``, sparse totals per unit
        ``Zu``/``Zb``, domains present in each unit or stratum ``present``.
    """
    return run_pass(pf, spec.columns, _pass1, (spec, need_df))


def domain_df(pf: PartitionedFrame, sums: Sums, doms: np.ndarray) -> np.ndarray:
    """Degrees of freedom of each domain in ``doms`` (R ``degf(subset(design, ...))``).

    Parameters
    ----------
    pf : PartitionedFrame
    sums : dict
        From :func:`first_pass` with ``need_df=True``.
    doms : numpy.ndarray
        Domain codes.

    Returns
    -------
    numpy.ndarray
        One float per domain.
    """
    d = pf._ddesign
    if d.kind == "replicate":
        return np.array([float(rank_from_gram(sums["gram"][g])) for g in doms])
    if d.kind == "clustered":
        units = d.unit_table()
        npsu = int(units.clusters[:, 0].max()) + 1
        nst = int(units.strata[:, 0].max()) + 1
        n_dom = max(int(doms.max()) + 1 if doms.size else 1, 1)
        p = np.bincount(sums["df_psu"].keys // npsu, minlength=n_dom)
        s = np.bincount(sums["df_str"].keys // nst, minlength=n_dom)
        return (p - s)[doms].astype(float)
    H = d.strata_table().n.shape[0]
    n_dom = sums["df_rows"].shape[0]
    s = np.bincount(sums["df_str"].keys // H, minlength=n_dom)
    return (sums["df_rows"] - s)[doms].astype(float)


# --------------------------------------------------------------------------- finishing
@dataclass(frozen=True, eq=False)
class Kept:
    """The numerator cells reported (``num``, full-space indices) and their denominator cells."""

    num: np.ndarray
    den: np.ndarray  # kept denominator cells (full-space indices)
    den_of: np.ndarray  # for every kept numerator cell, its position in ``den``

    @classmethod
    def of(cls, spec: CellSpec, num: np.ndarray) -> Kept:
        """The kept numerator cells ``num`` of ``spec`` and the denominator cells they need.

        Parameters
        ----------
        spec : CellSpec
        num : numpy.ndarray
            Numerator cells to report (full-space indices).

        Returns
        -------
        Kept
        """
        num = np.asarray(num, dtype=np.int64)
        if not spec.n_den:
            return cls(num, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        full = spec.den_of[num]
        den, pos = np.unique(full, return_inverse=True)
        return cls(num, den, pos.ravel())


def finish(pf: PartitionedFrame, spec: CellSpec, sums: Sums, kept: Kept, *, by_domain: bool = True) -> Ratios:
    """Estimates of the kept cells and their covariance (R ``svyby``/``svyrecvar``/``svrVar``).

    Parameters
    ----------
    pf : PartitionedFrame
    spec : CellSpec
    sums : dict
        From :func:`first_pass`.
    kept : Kept
        The cells reported.
    by_domain : bool
        Each domain's variance as R's subset design where the lonely-PSU rule makes it
        differ (``lonely_psu="average"``).

    Returns
    -------
    Ratios
        As :func:`pewlike.estimation.engine.ratio_totals` returns them.
    """
    out = _finish(pf, spec, sums, kept, by_domain=by_domain)
    refuse_overflow(out.num, out.den)
    refuse_overflow(np.diagonal(out.vcov), None, what="its variance")
    return out


def _finish(pf: PartitionedFrame, spec: CellSpec, sums: Sums, kept: Kept, *, by_domain: bool) -> Ratios:
    d = pf._ddesign
    ratio = bool(spec.n_den)
    A = sums["A"][kept.num]
    B: np.ndarray | None = None  # set exactly when ``ratio``
    if ratio:
        Bfull = np.bincount(spec.den_of, weights=sums["A"], minlength=spec.n_den) if spec.den_from_num else sums["B"]
        B = Bfull[kept.den]
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = A / B[kept.den_of]
    else:
        theta = A
    if d.kind == "replicate":
        Ar = sums["Ar"][:, kept.num]
        if ratio:
            if spec.den_from_num:
                Br_full = np.zeros((Ar.shape[0], spec.n_den))
                np.add.at(Br_full.T, spec.den_of, sums["Ar"].T)
            else:
                Br_full = sums["Br"]
            with np.errstate(divide="ignore", invalid="ignore"):
                thetas = Ar / Br_full[:, kept.den][:, kept.den_of]
        else:
            thetas = Ar
        des = pf._ddesign
        assert des.scale is not None and des.rscales is not None  # a replicate design has both
        V = variance.replicate_vcov(thetas, theta, scale=des.scale, rscales=des.rscales, mse=des.mse)
        return Ratios(theta, V, A, B, thetas)
    calibrated = bool(pf._state.steps)
    average = by_domain and d.lonely_psu == "average" and not calibrated
    if d.kind == "clustered" and not calibrated:
        units = d.unit_table()
        nunit = units.index.shape[0]
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
        if average:
            return Ratios(theta, _clustered_by_domain(d, units, Z, sums["present"], spec, kept), A, B)
        V = variance.linearized_vcov(Z, units.strata, units.clusters, units.popsize, lonely_psu=d.lonely_psu)
        return Ratios(theta, V, A, B)
    # row-level influence values are needed: calibrated designs, and designs whose units are rows
    infl = Influence(spec, kept, theta, B if ratio else None)
    Ds = calibration_terms(pf, spec, infl)
    if d.kind == "clustered":
        units = d.unit_table()
        U = unit_residual_sums(pf, spec, infl, Ds)
        Z = np.zeros((units.index.shape[0], kept.num.size))
        Z[U.keys] = U.values
        V = variance.linearized_vcov(Z, units.strata, units.clusters, units.popsize, lonely_psu=d.lonely_psu)
        return Ratios(theta, V, A, B)
    return Ratios(theta, rows_vcov(pf, spec, kept, infl, Ds, sums, average), A, B)


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


def _clustered_by_domain(
    d: DaskDesign, units: UnitTable, Z: np.ndarray, present_pairs: Pairs, spec: CellSpec, kept: Kept
) -> np.ndarray:
    """``lonely_psu="average"``: each domain as R's subset design (zero covariance between domains)."""
    nunit = units.index.shape[0]
    col_dom = spec.dom_of[kept.num]
    doms = np.unique(col_dom)
    pres = np.zeros((nunit, spec.n_dom), dtype=bool)
    pres[present_pairs.keys // spec.n_dom, present_pairs.keys % spec.n_dom] = True
    samp = variance.stratum_psu_counts(units.strata, units.clusters)
    k = Z.shape[1]
    V = np.zeros((k, k))
    for g in doms:  # one call per domain, only for this lonely-PSU rule (as in memory)
        cols = np.flatnonzero(col_dom == g)
        V[np.ix_(cols, cols)] = variance.linearized_vcov(
            Z[:, cols],
            units.strata,
            units.clusters,
            units.popsize,
            lonely_psu=d.lonely_psu,
            domain=pres[:, g],
            sampsize=samp,
        )
    return V
