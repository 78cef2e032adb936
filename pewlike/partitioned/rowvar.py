"""Row-level influence values on a partitioned survey: raking residuals and designs whose units are rows.

Some variances need each row's influence values, not only sums per unit: after raking (R's
``svyrecvar`` takes residuals of the influence values on the raking margins first) and when
every row is its own sampling unit (there are as many units as rows).  Partitions rebuild
the influence values block by block from the finished estimates (:class:`Influence`); the
raking residuals need per-joint-cell sums (one pass per raking step); the variance is then
either per-unit sums (clustered designs) or, for row units, stratum totals followed by
centred, scaled cross-products -- two passes, each returning small arrays.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import DesignError
from pewlike.partitioned.engine import BLOCK_ROWS, Pairs, run_pass

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.partitioned.cells import CellSpec
    from pewlike.partitioned.engine import Prep, RakeFactors, Sums
    from pewlike.partitioned.frame import PartitionedFrame
    from pewlike.partitioned.ratios import Kept

__all__ = ["Influence", "calibration_terms", "raking_term", "rows_vcov", "unit_residual_sums"]

_CERTAINTY_TOL = 1e-7  # as pewlike.variance.linearization: a stratum with every f below this is self-representing


# --------------------------------------------------------------------------- row-level influence
@dataclass(frozen=True, eq=False)
class Influence:
    """Row-level influence values of the kept cells, computed block by block in a partition.

    Attributes
    ----------
    spec : CellSpec
        The estimator's cells.
    kept : Kept
        The cells reported.
    theta : numpy.ndarray
        Their estimates.
    B : numpy.ndarray or None
        The kept denominator totals (None: the estimates are totals).
    """

    spec: CellSpec
    kept: Kept
    theta: np.ndarray
    B: np.ndarray | None

    def rows(self, pdf: pd.DataFrame, prep: Prep) -> Iterator[tuple[slice, np.ndarray]]:
        """Yield ``(slice, x)`` with ``x`` (rows, kept cells) dense, ``BLOCK_ROWS`` rows at a time.

        Parameters
        ----------
        pdf : pandas.DataFrame
            One partition.
        prep : Prep
            Its weights and domain.

        Yields
        ------
        slice
            The rows of the block.
        numpy.ndarray
            Their influence values (rows, kept cells).
        """
        spec, kept = self.spec, self.kept
        num, a, den, b, _ = spec.codes(pdf, prep)
        w = prep.w
        k = kept.num.size
        nmap = np.full(spec.n_num + 1, -1, dtype=np.int64)
        nmap[kept.num] = np.arange(k)
        numk = nmap[np.where(num >= 0, num, spec.n_num)]
        aw = w if a is None else w * a
        if self.B is not None:
            if den is None:  # pragma: no cover - specs with denominators give every row a denominator cell
                raise TypeError(f"{type(spec).__name__} has denominators but gives rows no denominator cell")
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


def _residuals(x: np.ndarray, sl: slice, prep: Prep, Ds: Sequence[np.ndarray]) -> np.ndarray:
    """Apply the raking steps' residuals (R ``svyrecvar`` with ``postStrata``) to a block."""
    for (cell, w0), D in zip(prep.calib, Ds):
        c = cell[sl]
        keep = c >= 0
        if keep.any():
            x[keep] -= w0[sl][keep, None] * D[c[keep]]
    return x


def _cell_sums_pass(pdf: pd.DataFrame, prep: Prep, params: tuple[Influence, tuple[np.ndarray, ...], int, int]) -> Sums:
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


def calibration_terms(pf: PartitionedFrame, spec: CellSpec, infl: Influence) -> list[np.ndarray]:
    """For every raking step in order, the per-joint-cell term ``D`` of its residuals.

    One pass per raking step.

    Parameters
    ----------
    pf : PartitionedFrame
    spec : CellSpec
    infl : Influence
        The influence values of the estimates.

    Returns
    -------
    list of numpy.ndarray
        (joint cells, kept cells) per raking step; empty for an uncalibrated survey.
    """
    Ds: list[np.ndarray] = []
    for j, step in enumerate(pf._state.steps):
        S0 = run_pass(pf, spec.columns, _cell_sums_pass, (infl, tuple(Ds), j, step.factor.shape[0]))["S0"]
        Ds.append(raking_term(step, S0))
    return Ds


def raking_term(step: RakeFactors, S0: np.ndarray) -> np.ndarray:
    """The accumulated cell means ``D`` of R's raking residuals, from the sums ``S0`` of x / w0 by joint cell.

    The same ten sweeps of iterated post-stratification residuals as
    :meth:`pewlike.weighting.steps.RakingStep.residuals`, on the table of joint cells.

    Parameters
    ----------
    step : RakeFactors
        The raking step.
    S0 : numpy.ndarray
        (joint cells, kept cells) sums of the influence values over the weights before it.

    Returns
    -------
    numpy.ndarray
        (joint cells, kept cells).
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


def _unit_residuals(pdf: pd.DataFrame, prep: Prep, params: tuple[Influence, tuple[np.ndarray, ...]]) -> Sums:
    infl, Ds = params
    unit = prep.unit_codes()
    out = None
    for sl, x in infl.rows(pdf, prep):
        x = _residuals(x, sl, prep, Ds)
        p = Pairs.of(unit[sl], x)
        out = p if out is None else out.merge(p)
    return {"U": out}


# --------------------------------------------------------------------------- units = rows
def _stratum_sums_pass(pdf: pd.DataFrame, prep: Prep, params: tuple[Influence, tuple[np.ndarray, ...], int]) -> Sums:
    infl, Ds, H = params
    stratum = prep.stratum_codes()
    S = np.zeros((H, infl.kept.num.size))
    for sl, x in infl.rows(pdf, prep):
        x = _residuals(x, sl, prep, Ds)
        h = stratum[sl]
        for col in range(x.shape[1]):  # a loop over statistics
            S[:, col] += np.bincount(h, weights=x[:, col], minlength=H)
    return {"S": S}


def _centred_pass(
    pdf: pd.DataFrame, prep: Prep, params: tuple[Influence, tuple[np.ndarray, ...], np.ndarray, np.ndarray]
) -> Sums:
    infl, Ds, mu, c = params
    stratum = prep.stratum_codes()
    k = infl.kept.num.size
    V = np.zeros((k, k))
    for sl, x in infl.rows(pdf, prep):
        x = _residuals(x, sl, prep, Ds)
        h = stratum[sl]
        dev = x - mu[h]
        V += (dev * c[h][:, None]).T @ dev
    return {"V": V}


def rows_vcov(
    pf: PartitionedFrame,
    spec: CellSpec,
    kept: Kept,
    infl: Influence,
    Ds: Sequence[np.ndarray],
    sums: Sums,
    by_domain_average: bool,
) -> np.ndarray:
    """Stratified variance when every row is its own unit, as ``svyrecvar``'s ``onestage``.

    Two passes: stratum totals of the influence values, then the centred, scaled cross-
    products ``sum_h c_h sum_i (x_i - mean_h)(x_i - mean_h)'``.  Lonely strata (one row) and
    finite population corrections follow :func:`pewlike.variance.linearization.linearized_vcov`.

    Parameters
    ----------
    pf : PartitionedFrame
        A survey whose design's units are its rows.
    spec : CellSpec
    kept : Kept
    infl : Influence
    Ds : list of numpy.ndarray
        Raking terms from :func:`calibration_terms`.
    sums : dict
        From :func:`pewlike.partitioned.ratios.first_pass` (``present`` is read).
    by_domain_average : bool
        ``lonely_psu="average"`` within each domain, as R's subset design.

    Returns
    -------
    numpy.ndarray
        (kept cells, kept cells) covariance.

    Raises
    ------
    DesignError
        A stratum has one row and ``lonely_psu="fail"``.
    """
    d = pf._ddesign
    strata = d.strata_table()
    H = strata.n.shape[0]
    n_h = strata.n.astype(float)
    pop_h = strata.popsize
    if pop_h is None:
        f = np.ones(H)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(np.isinf(pop_h), 1.0, (pop_h - n_h) / pop_h)
    scale = np.where(n_h > 1, f * n_h / np.maximum(n_h - 1, 1), f)
    cert = f < _CERTAINTY_TOL
    lonely = (n_h == 1) & ~cert
    rule = d.lonely_psu
    if rule == "fail" and lonely.any():
        j = int(np.flatnonzero(lonely)[0])
        if H == 1 and not d.names.get("strata"):
            raise DesignError(
                "the sample has only one PSU (one respondent, or one cluster), so no variance can be "
                "estimated; a design needs at least two: check that the data have more than one row "
                "(or cluster), or pass lonely_psu='certainty' to report a variance of zero"
            )
        raise DesignError(
            f"stratum {strata.labels[j]} (stage 1) has only one PSU; pass lonely_psu='adjust' to "
            "centre it on the grand mean, 'average' to use the average of the other strata, "
            "or 'remove'/'certainty' to drop it"
        )
    centre = ~((rule == "adjust") & (n_h == 1))
    na = (rule == "average") & lonely
    S = run_pass(pf, spec.columns, _stratum_sums_pass, (infl, tuple(Ds), H))["S"]
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
    V = run_pass(pf, spec.columns, _centred_pass, (infl, tuple(Ds), mu, scale * wt))["V"]
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


def unit_residual_sums(pf: PartitionedFrame, spec: CellSpec, infl: Influence, Ds: Sequence[np.ndarray]) -> Pairs:
    """Totals of the (raking-residual) influence values per sampling unit, over all partitions.

    Parameters
    ----------
    pf : PartitionedFrame
        A survey with a clustered design.
    spec : CellSpec
    infl : Influence
    Ds : list of numpy.ndarray
        Raking terms from :func:`calibration_terms`.

    Returns
    -------
    Pairs
        Keyed by sampling unit, one value column per kept cell.
    """
    U: Pairs = run_pass(pf, spec.columns, _unit_residuals, (infl, tuple(Ds)))["U"]
    return U
