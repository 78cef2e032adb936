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
from pewlike.partitioned.engine import run_pass

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.partitioned.cells import CellSpec
    from pewlike.partitioned.engine import Prep, Sums
    from pewlike.partitioned.frame import PartitionedFrame

__all__ = ["Kept", "domain_df", "finish", "first_pass"]


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
        "npos": _bincount(np.where(w > 0, dom, -1), spec.n_dom),  # rows with a nonzero weight (R's svyby)
    }
    bw = None
    if den is not None and spec.n_den and not spec.den_from_num:  # specs give den cells when they have n_den
        bw = w if b is None else w * b
        out["B"] = _bincount(den, spec.n_den, bw)
    out.update(spec.extra(pdf, prep, codes))
    out.update(d.variance.cell_sums(prep, spec, num, aw, den, b, bw, dom, a))
    if need_df:
        out.update(d.variance.df_sums(prep, dom, spec.n_dom))
    return out


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
        weight), ``ndom`` (rows per domain), ``npos`` (rows with a nonzero weight per
        domain), ``B`` (denominator totals), the spec's extra
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
    return pf._ddesign.variance.domain_df(sums, doms)


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
    return pf._ddesign.variance.vcov(pf, spec, sums, kept, theta, A, B, by_domain)
