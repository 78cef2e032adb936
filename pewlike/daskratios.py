"""Ratios of weighted totals over cells on a partitioned survey, with their design covariance.

The partitioned counterpart of :func:`pewlike.engine.ratio_totals`.  A *cell spec*
(see :mod:`pewlike.daskestimates`) tells every partition the numerator cell, value,
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

from . import variance
from .daskengine import BLOCK_ROWS, Pairs, onehot_sum, rank_from_gram, run_pass
from .engine import Ratios
from .errors import DesignError

if TYPE_CHECKING:  # pragma: no cover
    from .dasksurvey import DaskSurvey

__all__ = ["first_pass", "finish", "domain_df", "Kept"]

_CERTAINTY_TOL = 1e-7
_GRAM_ROWS = 16384


def _bincount(code, n, weights=None):
    ok = code >= 0
    return np.bincount(code[ok], weights=None if weights is None else weights[ok], minlength=n)[:n].astype(float)


# --------------------------------------------------------------------------- pass 1
def _pass1(pdf, prep, params):
    spec, need_df = params
    d = prep.design
    num, a, den, b, dom = spec.codes(pdf, prep)
    w = prep.w
    aw = w if a is None else w * a
    out = {"A": _bincount(num, spec.n_num, aw), "n": _bincount(num, spec.n_num),
           "nobs": _bincount(np.where(w != 0, num, -1), spec.n_num),
           "ndom": _bincount(dom, spec.n_dom)}
    bw = None
    if spec.n_den and not spec.den_from_num:
        bw = w if b is None else w * b
        out["B"] = _bincount(den, spec.n_den, bw)
    out.update(spec.extra(pdf, prep, (num, a, den, b, dom)))
    if d.kind == "replicate":
        out["Ar"] = onehot_sum(num, spec.n_num, a, prep.rep)
        if bw is not None:
            out["Br"] = onehot_sum(den, spec.n_den, b, prep.rep)
    elif d.kind == "clustered":
        ok = num >= 0
        out["Zu"] = Pairs.of(prep.unit[ok] * spec.n_num + num[ok], aw[ok])
        if bw is not None:
            okd = den >= 0
            out["Zb"] = Pairs.of(prep.unit[okd] * spec.n_den + den[okd], bw[okd])
        okg = dom >= 0
        out["present"] = Pairs.of(prep.unit[okg] * spec.n_dom + dom[okg], np.ones(int(okg.sum())))
    else:
        okg = dom >= 0
        out["present"] = Pairs.of(prep.stratum[okg] * spec.n_dom + dom[okg], np.ones(int(okg.sum())))
    if need_df:
        out.update(_df_sums(d, prep, dom, spec.n_dom))
    return out


def _df_sums(d, prep, dom, n_dom):
    """What the degrees of freedom of each domain need (rows with a domain and nonzero weight)."""
    use = (dom >= 0) & (prep.w != 0)
    g = dom[use]
    if d.kind == "replicate":
        Wt = prep.rep
        R = Wt.shape[0]
        gram = np.zeros((n_dom, R, R))
        rows = np.flatnonzero(use)
        order = rows[np.argsort(g, kind="stable")]
        gs = np.sort(g, kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(gs)) + 1] if gs.size else np.zeros(0, dtype=np.int64)
        stops = np.r_[starts[1:], gs.size]
        for a, b in zip(starts, stops):     # one domain at a time, as the rank per domain in memory
            for s in range(a, b, _GRAM_ROWS):   # bounded copies of the replicate weights
                Wb = np.take(Wt, order[s:min(b, s + _GRAM_ROWS)], axis=1)
                gram[gs[a]] += Wb @ Wb.T
        return {"gram": gram}
    if d.kind == "clustered":
        psu = d.unit_clusters[prep.unit[use], 0]
        st = d.unit_strata[prep.unit[use], 0]
        npsu = int(d.unit_clusters[:, 0].max()) + 1
        nst = int(d.unit_strata[:, 0].max()) + 1
        return {"df_psu": Pairs.of(g * npsu + psu, np.ones(g.size)),
                "df_str": Pairs.of(g * nst + st, np.ones(g.size))}
    H = d.n_h.shape[0]
    return {"df_rows": np.bincount(g, minlength=n_dom).astype(float),
            "df_str": Pairs.of(g * H + prep.stratum[use], np.ones(g.size))}


def first_pass(svy: "DaskSurvey", spec, *, need_df: bool = False) -> dict:
    """Cell totals, counts and design sums of a cell spec, over all partitions."""
    return run_pass(svy, spec.columns, _pass1, (spec, need_df))


def domain_df(svy: "DaskSurvey", sums: dict, doms: np.ndarray) -> np.ndarray:
    """Degrees of freedom of each domain in ``doms`` (R ``degf(subset(design, ...))``)."""
    d = svy._ddesign
    if d.kind == "replicate":
        return np.array([float(rank_from_gram(sums["gram"][g])) for g in doms])
    if d.kind == "clustered":
        npsu = int(d.unit_clusters[:, 0].max()) + 1
        nst = int(d.unit_strata[:, 0].max()) + 1
        n_dom = max(int(doms.max()) + 1 if doms.size else 1, 1)
        p = np.bincount(sums["df_psu"].keys // npsu, minlength=n_dom)
        s = np.bincount(sums["df_str"].keys // nst, minlength=n_dom)
        return (p - s)[doms].astype(float)
    H = d.n_h.shape[0]
    n_dom = sums["df_rows"].shape[0]
    s = np.bincount(sums["df_str"].keys // H, minlength=n_dom)
    return (sums["df_rows"] - s)[doms].astype(float)


# --------------------------------------------------------------------------- finishing
@dataclass(frozen=True, eq=False)
class Kept:
    """The numerator cells reported (``num``, full-space indices) and their denominator cells."""

    num: np.ndarray
    den: np.ndarray          # kept denominator cells (full-space indices)
    den_of: np.ndarray       # for every kept numerator cell, its position in ``den``

    @classmethod
    def of(cls, spec, num: np.ndarray) -> "Kept":
        num = np.asarray(num, dtype=np.int64)
        if not spec.n_den:
            return cls(num, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        full = spec.den_of[num]
        den, pos = np.unique(full, return_inverse=True)
        return cls(num, den, pos.ravel())


def finish(svy: "DaskSurvey", spec, sums: dict, kept: Kept, *, by_domain: bool = True) -> Ratios:
    """Estimates of the kept cells and their covariance (R ``svyby``/``svyrecvar``/``svrVar``)."""
    d = svy._ddesign
    ratio = bool(spec.n_den)
    A = sums["A"][kept.num]
    if ratio:
        Bfull = (np.bincount(spec.den_of, weights=sums["A"], minlength=spec.n_den) if spec.den_from_num
                 else sums["B"])
        B = Bfull[kept.den]
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = A / B[kept.den_of]
    else:
        B = None
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
        des = svy._ddesign
        V = variance.replicate_vcov(thetas, theta, scale=des.scale, rscales=des.rscales, mse=des.mse)
        return Ratios(theta, V, A, B, thetas)
    calibrated = bool(svy._state.steps)
    average = by_domain and d.lonely_psu == "average" and not calibrated
    if d.kind == "clustered" and not calibrated:
        nunit = d.unit_index.shape[0]
        Zu = _dense_pairs(sums["Zu"], nunit, spec.n_num, kept.num)
        Z = Zu
        if ratio:
            if spec.den_from_num:
                Zb = np.zeros((nunit, kept.den.size))
                np.add.at(Zb.T, kept.den_of, Zu.T)
            else:
                Zb = _dense_pairs(sums["Zb"], nunit, spec.n_den, kept.den)
            with np.errstate(divide="ignore", invalid="ignore"):
                Z = (Zu - theta * Zb[:, kept.den_of]) / B[kept.den_of]
            Z[:, ~np.isfinite(theta)] = 0.0
        if average:
            return Ratios(theta, _clustered_by_domain(d, Z, sums["present"], spec, kept), A, B)
        V = variance.linearized_vcov(Z, d.unit_strata, d.unit_clusters, d.unit_pop, lonely_psu=d.lonely_psu)
        return Ratios(theta, V, A, B)
    # row-level influence values are needed: calibrated designs, and designs whose units are rows
    infl = Influence(spec, kept, theta, B if ratio else None)
    Ds = _calibration_terms(svy, spec, infl)
    if d.kind == "clustered":
        U = run_pass(svy, spec.columns, _unit_residuals, (infl, Ds))["U"]
        Z = np.zeros((d.unit_index.shape[0], kept.num.size))
        Z[U.keys] = U.values
        V = variance.linearized_vcov(Z, d.unit_strata, d.unit_clusters, d.unit_pop, lonely_psu=d.lonely_psu)
        return Ratios(theta, V, A, B)
    return Ratios(theta, _rows_vcov(svy, spec, kept, infl, Ds, sums, average), A, B)


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


def _clustered_by_domain(d, Z, present_pairs: Pairs, spec, kept) -> np.ndarray:
    """``lonely_psu="average"``: each domain as R's subset design (zero covariance between domains)."""
    nunit = d.unit_index.shape[0]
    col_dom = spec.dom_of[kept.num]
    doms = np.unique(col_dom)
    pres = np.zeros((nunit, spec.n_dom), dtype=bool)
    pres[present_pairs.keys // spec.n_dom, present_pairs.keys % spec.n_dom] = True
    samp = variance.stratum_psu_counts(d.unit_strata, d.unit_clusters)
    k = Z.shape[1]
    V = np.zeros((k, k))
    for g in doms:  # one call per domain, only for this lonely-PSU rule (as in memory)
        cols = np.flatnonzero(col_dom == g)
        V[np.ix_(cols, cols)] = variance.linearized_vcov(Z[:, cols], d.unit_strata, d.unit_clusters, d.unit_pop,
                                                         lonely_psu=d.lonely_psu, domain=pres[:, g], sampsize=samp)
    return V


# --------------------------------------------------------------------------- row-level influence
@dataclass(frozen=True, eq=False)
class Influence:
    """Row-level influence values of the kept cells, computed block by block in a partition."""

    spec: object
    kept: Kept
    theta: np.ndarray
    B: np.ndarray | None

    def rows(self, pdf, prep):
        """Yield ``(slice, x)`` with ``x`` (rows, kept cells) dense, ``BLOCK_ROWS`` rows at a time."""
        spec, kept = self.spec, self.kept
        num, a, den, b, _ = spec.codes(pdf, prep)
        w = prep.w
        k = kept.num.size
        nmap = np.full(spec.n_num + 1, -1, dtype=np.int64)
        nmap[kept.num] = np.arange(k)
        numk = nmap[np.where(num >= 0, num, spec.n_num)]
        aw = w if a is None else w * a
        if self.B is not None:
            dmap = np.full(spec.n_den + 1, -1, dtype=np.int64)
            dmap[kept.den] = np.arange(kept.den.size)
            denk = dmap[np.where(den >= 0, den, spec.n_den)]
            bw = w if b is None else w * b
            fin = np.isfinite(self.theta)
            M = np.zeros((kept.den.size, k))
            M[kept.den_of, np.arange(k)] = np.where(fin, self.theta, 0.0)
            scale = 1.0 / self.B[kept.den_of]
        for start in range(0, len(pdf), BLOCK_ROWS):
            sl = slice(start, min(len(pdf), start + BLOCK_ROWS))
            nb = sl.stop - sl.start
            x = np.zeros((nb, k))
            nk = numk[sl]
            ok = nk >= 0
            x[np.flatnonzero(ok), nk[ok]] = aw[sl][ok]
            if self.B is not None:
                dk = denk[sl]
                okd = dk >= 0
                x[okd] -= bw[sl][okd, None] * M[dk[okd]]
                with np.errstate(divide="ignore", invalid="ignore"):
                    x *= scale[None, :]
                x[:, ~fin] = 0.0
            yield sl, x


def _residuals(x, sl, prep, Ds):
    """Apply the raking steps' residuals (R ``svyrecvar`` with ``postStrata``) to a block."""
    for (cell, w0), D in zip(prep.calib, Ds):
        c = cell[sl]
        keep = c >= 0
        if keep.any():
            x[keep] -= w0[sl][keep, None] * D[c[keep]]
    return x


def _cell_sums_pass(pdf, prep, params):
    infl, Ds, j, ncell = params
    cell, w0 = prep.calib[j]
    S = np.zeros((ncell, infl.kept.num.size))
    for sl, x in infl.rows(pdf, prep):
        x = _residuals(x, sl, prep, Ds)
        c = cell[sl]
        keep = c >= 0
        y = x[keep] / w0[sl][keep, None]
        for col in range(y.shape[1]):  # a loop over statistics, on a table of cells
            S[:, col] += np.bincount(c[keep], weights=y[:, col], minlength=ncell)
    return {"S0": S}


def _calibration_terms(svy, spec, infl: Influence) -> list:
    """For every raking step in order, the per-joint-cell term ``D`` of its residuals."""
    Ds: list = []
    for j, step in enumerate(svy._state.steps):
        S0 = run_pass(svy, spec.columns, _cell_sums_pass, (infl, tuple(Ds), j, step.factor.shape[0]))["S0"]
        Ds.append(raking_term(step, S0))
    return Ds


def raking_term(step, S0: np.ndarray) -> np.ndarray:
    """The accumulated cell means ``D`` of R's raking residuals, from the sums ``S0`` of x / w0 by joint cell.

    The same ten sweeps of iterated post-stratification residuals as
    :meth:`pewlike.calsteps.RakingStep.residuals`, on the table of joint cells.
    """
    n_e = step.count.astype(float)
    counts = [np.maximum(np.bincount(c, weights=n_e, minlength=k), 1.0) for c, k in zip(step.codes, step.ncells)]
    D = np.zeros_like(S0)
    for _ in range(step.sweeps):
        for c, k, sc, cnt in zip(step.codes, step.ncells, step.scale, counts):
            T = (S0 - n_e[:, None] * D) / sc[:, None]
            m = np.empty((k, T.shape[1]))
            for col in range(T.shape[1]):  # a loop over statistics
                m[:, col] = np.bincount(c, weights=T[:, col], minlength=k)
            D += sc[:, None] * (m / cnt[:, None])[c]
    return D


def _unit_residuals(pdf, prep, params):
    infl, Ds = params
    out = None
    for sl, x in infl.rows(pdf, prep):
        x = _residuals(x, sl, prep, Ds)
        p = Pairs.of(prep.unit[sl], x)
        out = p if out is None else out.merge(p)
    return {"U": out}


# --------------------------------------------------------------------------- units = rows
def _stratum_sums_pass(pdf, prep, params):
    infl, Ds, H = params
    S = np.zeros((H, infl.kept.num.size))
    for sl, x in infl.rows(pdf, prep):
        x = _residuals(x, sl, prep, Ds)
        h = prep.stratum[sl]
        for col in range(x.shape[1]):  # a loop over statistics
            S[:, col] += np.bincount(h, weights=x[:, col], minlength=H)
    return {"S": S}


def _centred_pass(pdf, prep, params):
    infl, Ds, mu, c = params
    k = infl.kept.num.size
    V = np.zeros((k, k))
    for sl, x in infl.rows(pdf, prep):
        x = _residuals(x, sl, prep, Ds)
        h = prep.stratum[sl]
        dev = x - mu[h]
        V += (dev * c[h][:, None]).T @ dev
    return {"V": V}


def _rows_vcov(svy, spec, kept, infl, Ds, sums, by_domain_average: bool) -> np.ndarray:
    """Stratified variance when every row is its own unit, as ``svyrecvar``'s ``onestage``.

    Two passes: stratum totals of the influence values, then the centred, scaled cross-
    products ``sum_h c_h sum_i (x_i - mean_h)(x_i - mean_h)'``.  Lonely strata (one row) and
    finite population corrections follow :func:`pewlike.variance.linearized_vcov`.
    """
    d = svy._ddesign
    H = d.n_h.shape[0]
    n_h = d.n_h.astype(float)
    if d.pop_h is None:
        f = np.ones(H)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(np.isinf(d.pop_h), 1.0, (d.pop_h - n_h) / d.pop_h)
    scale = np.where(n_h > 1, f * n_h / np.maximum(n_h - 1, 1), f)
    cert = f < _CERTAINTY_TOL
    lonely = (n_h == 1) & ~cert
    rule = d.lonely_psu
    if rule == "fail" and lonely.any():
        j = int(np.flatnonzero(lonely)[0])
        raise DesignError(f"stratum {d.strata_labels[j]} (stage 1) has only one PSU; pass lonely_psu='adjust' to "
                          "centre it on the grand mean, 'average' to use the average of the other strata, "
                          "or 'remove'/'certainty' to drop it")
    centre = ~((rule == "adjust") & (n_h == 1))
    na = (rule == "average") & lonely
    S = run_pass(svy, spec.columns, _stratum_sums_pass, (infl, tuple(Ds), H))["S"]
    mu = S / n_h[:, None]
    mu[~centre] = 0.0
    k = kept.num.size
    if by_domain_average:
        wt = np.where(~na & ~cert, 1.0, 0.0)
    else:
        nok = float(np.sum(~na))
        if nok == 0:
            return np.full((k, k), np.nan)
        wt = np.where(~na & ~cert, H / nok, 0.0)
    V = run_pass(svy, spec.columns, _centred_pass, (infl, tuple(Ds), mu, scale * wt))["V"]
    if not by_domain_average:
        return V
    # each domain as R's subset design: strata present in it, lonely ones averaged away
    col_dom = spec.dom_of[kept.num]
    pres = np.zeros((H, spec.n_dom), dtype=bool)
    pk = sums["present"].keys
    pres[pk // spec.n_dom, pk % spec.n_dom] = True
    nstrat = pres.sum(axis=0).astype(float)
    nok = (pres & ~na[:, None]).sum(axis=0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(nok > 0, nstrat / nok, np.nan)
    same = col_dom[:, None] == col_dom[None, :]
    out = np.where(same, V * factor[col_dom][:, None], 0.0)
    return out
