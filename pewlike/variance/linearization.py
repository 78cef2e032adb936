"""Design-based variance engine: arrays in, arrays out.

This module never sees a :class:`~pewlike.survey.Survey` or a DataFrame.  It takes
influence values (one row per respondent, one column per statistic) together with
integer codes for strata and clusters, and returns covariance matrices exactly as R
``survey`` computes them.  Everything is vectorised: PSU totals come from one sparse
product, centring within strata from ``np.bincount``, and the variance is one
quadratic form per sampling stage.

Replicate machinery (:mod:`pewlike.variance.replication`, :mod:`pewlike.variance.repweights`), fpc handling
(:mod:`pewlike.variance.fpc`) and calibration residuals (:mod:`pewlike.variance.calibration`) are re-exported
here, so estimators can import everything from ``pewlike.variance.linearization``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from pewlike.errors import DesignError, PewlikeWarning
from pewlike.variance.calibration import calibration_residuals, raking_residuals
from pewlike.variance.codes import _as_2d, _distinct, _expand_strata, _factorize, _group_sum, _pair_codes, _stage_units
from pewlike.variance.fpc import popsize_from_fpc, stratum_psu_counts
from pewlike.variance.replication import degf_replicate, replicate_defaults, replicate_totals, replicate_vcov
from pewlike.variance.repweights import bootstrap_weights, brr_weights, hadamard, jk1_weights, jkn_weights

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import ArrayLike

__all__ = [
    "bootstrap_weights",
    "brr_weights",
    "calibration_residuals",
    "degf_linearized",
    "degf_replicate",
    "hadamard",
    "jk1_weights",
    "jkn_weights",
    "linearized_vcov",
    "popsize_from_fpc",
    "raking_residuals",
    "replicate_defaults",
    "replicate_totals",
    "replicate_vcov",
    "stratum_psu_counts",
]

LonelyPSU = Literal["fail", "remove", "adjust", "average", "certainty"]
_LONELY = ("fail", "remove", "adjust", "average", "certainty")
_CERTAINTY_TOL = 1e-7  # R onestrat(): a stratum with all f < 1e-7 is self-representing


# ----------------------------------------------------------------------------- helpers
def _check_lonely(lonely_psu: str) -> None:
    if lonely_psu not in _LONELY:
        choices = ", ".join(repr(c) for c in _LONELY)
        raise DesignError(f"lonely_psu={lonely_psu!r} is not valid; choose one of {choices}")


# ----------------------------------------------------------------------------- linearization
def linearized_vcov(
    x: ArrayLike,
    strata: ArrayLike,
    clusters: ArrayLike,
    popsize: ArrayLike | None = None,
    *,
    lonely_psu: LonelyPSU = "fail",
    adjust_domain_lonely: bool = False,
    one_stage: bool | int = False,
    sampsize: ArrayLike | None = None,
    domain: ArrayLike | None = None,
    stratum_names: Sequence[object] | np.ndarray | None = None,
) -> np.ndarray:
    """Covariance of totals of influence values under a stratified multistage design.

    Parameters
    ----------
    x : array_like, shape (n, k) or (n,)
        Weighted influence values, e.g. ``w * y`` for totals or
        ``w * (y - ybar) / sum(w)`` for means.
    strata, clusters : array_like of int, shape (n,) or (n, S)
        Stratum and cluster codes per stage.  Cluster codes must be unique within the
        sample at each stage.  A weights-only design is ``clusters = arange(n)``,
        ``strata = 0``.
    popsize : array_like, shape (n, S), optional
        Population number of stage-``s`` units in each row's stratum (R's
        ``fpc$popsize``, see :func:`popsize_from_fpc`); ``inf`` means no fpc at that
        stage.  ``None`` means sampling with replacement (ultimate-cluster variance).
    lonely_psu : {"fail", "remove", "adjust", "average", "certainty"}
        Treatment of strata with a single PSU (R's ``options(survey.lonely.psu)``).
    adjust_domain_lonely : bool
        R's ``options(survey.adjust.domain.lonely)``: also treat strata that have one
        PSU *in the domain* (but more in the design) as lonely.
    one_stage : bool or int
        R's ``survey.ultimate.cluster``: ``True`` uses only the first stage even when
        ``popsize`` is given; an integer ``m`` uses the first ``m`` stages.
    sampsize : array_like, shape (n, S), optional
        Design counts of sampled units per stratum (R's ``fpc$sampsize``).  Give it when
        ``x`` holds only the rows of a domain but the counts refer to the full sample.
    domain : array_like of bool or int, shape (n,), optional
        Rows in the domain (bool), or domain codes (int; negative = in no domain).
        Counts of PSUs per stratum come from all rows; each domain is then treated as
        R's ``subset()`` of the design (strata absent from it are ignored, which matters
        for ``lonely_psu="average"``/``"fail"`` and ``adjust_domain_lonely``).  With
        several domains, give columns of ``x`` that are zero outside their own domain:
        the result is block diagonal, each block equal to R's ``svyby`` variance.
    stratum_names : sequence, optional
        Names of the first-stage strata by code, for error messages.

    Returns
    -------
    numpy.ndarray, shape (k, k)

    Raises
    ------
    DesignError
        A stratum with one PSU when ``lonely_psu="fail"``, clusters not nested in
        strata, or arrays of the wrong shape.

    Notes
    -----
    Equivalent to R survey's ``svyrecvar(x, clusters, stratas, fpcs)`` without
    post-strata (``multistage``/``onestage``/``onestrat``).  At each stage the PSU totals
    are centred on their stratum mean, weighted by ``f n_h/(n_h-1)`` with
    ``f = (N_h - n_h)/N_h``, and later stages are added with the factor ``n/N`` of the
    stages above.  Apply :func:`calibration_residuals` first for calibrated designs.
    """
    _check_lonely(lonely_psu)
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    n, k = x.shape
    clusters = _as_2d(clusters, n, "clusters")
    n_stages = clusters.shape[1]
    strata = _expand_strata(_as_2d(strata, n, "strata"), n_stages)
    pop = None
    if popsize is not None:
        pop = _as_2d(popsize, n, "popsize", dtype=float)
        if pop.shape[1] < n_stages:
            pop = np.hstack([pop, np.full((n, n_stages - pop.shape[1]), np.inf)])
    samp = None if sampsize is None else _as_2d(sampsize, n, "sampsize", dtype=float)
    if pop is None or one_stage is True:
        used = 1
    elif one_stage is False or one_stage == 0:
        used = n_stages
    else:
        used = max(1, min(int(one_stage), n_stages))
    strata, clusters = strata[:, :used], clusters[:, :used]
    labels_all = strata
    top = None  # stage-1 parent: the domain
    n_top = 1
    if domain is not None:
        dom = np.asarray(domain).reshape(-1)
        if dom.shape[0] != n:
            raise DesignError(f"domain has length {dom.shape[0]}; expected {n}")
        if dom.dtype == bool:
            dom = np.where(dom, 0, -1)
        keep = dom >= 0
        if samp is None:
            samp = stratum_psu_counts(strata, clusters)
        top, n_top = _factorize(dom[keep])
        x, samp, labels_all = x[keep], samp[keep], strata[keep]
        pop = None if pop is None else pop[keep]
        # each domain becomes its own design: strata and clusters are split by domain
        strata = np.column_stack([_pair_codes(top, _factorize(strata[keep, 0])[0])[0], strata[keep, 1:]])
        clusters = np.column_stack([_pair_codes(top, _factorize(clusters[keep, j])[0])[0] for j in range(used)])
    v = np.zeros((k, k))
    m_rows = x.shape[0]
    if m_rows == 0:
        return v
    rows = np.arange(m_rows)
    # the previous stage's clusters, multipliers and sampling ratios (set after each stage)
    parent_c: np.ndarray | None = None
    mult_c: np.ndarray | None = None
    ratio_c: np.ndarray | None = None
    for s, (h, nh, c, nc) in enumerate(_stage_units(strata, clusters)):
        rep = np.empty(nc, dtype=np.intp)
        rep[c] = rows  # one row of each cluster
        h_of_c = h[rep]
        if not np.array_equal(h_of_c[c], h):
            i = int(np.argmax(h_of_c[c] != h))
            raise DesignError(
                f"PSU at row {i} (stage {s + 1}) lies in more than one stratum; "
                "make cluster codes unique within strata (nest=True)"
            )
        ncl_h = np.bincount(h_of_c, minlength=nh).astype(float)
        if samp is None:
            npsu_h = ncl_h
        else:
            npsu_h = np.empty(nh)
            npsu_h[h_of_c] = samp[rep, s]
        if s == 0:
            par_c = np.zeros(nc, dtype=np.intp) if top is None else top[rep]
            m_c, n_parent = np.ones(nc), n_top
        else:
            assert parent_c is not None and mult_c is not None and ratio_c is not None  # set at stage s - 1
            par_c = parent_c[rep]
            m_c = (mult_c * ratio_c)[par_c]
        pop_c = None if pop is None else pop[rep, s]
        if nc == m_rows and c[0] == 0 and np.all(np.diff(c) == 1):
            totals = x  # every row its own PSU, in order
        else:
            totals = _group_sum(c, x, nc)
        first_c = np.empty(nh, dtype=np.intp)
        first_c[h_of_c[::-1]] = np.arange(nc)[::-1]
        labels = labels_all[rep[first_c], s]
        if s == 0 and stratum_names is not None:  # name first-stage strata as the data do
            labels = np.asarray(stratum_names, dtype=object)[labels]
        elif s == 0 and nh == 1:
            labels = None  # no strata: the one "stratum" is the whole sample
        v += _stage_variance(
            totals,
            h_of_c,
            nh,
            npsu_h,
            ncl_h,
            pop_c,
            par_c,
            n_parent,
            m_c,
            lonely_psu,
            adjust_domain_lonely,
            s + 1,
            labels,
        )
        if s + 1 < used:
            with np.errstate(divide="ignore"):
                ratio_c = npsu_h[h_of_c] / pop_c
            parent_c, mult_c, n_parent = c, m_c, nc
    return v


def _stage_variance(totals, h_of_c, nh, npsu_h, ncl_h, pop_c, par_c, n_parent, mult_c, lonely_psu, adl, stage, labels):
    """One stage of R's ``onestage``/``onestrat`` for all strata at once, from PSU totals."""
    k = totals.shape[1]
    npsu_c = npsu_h[h_of_c]
    if pop_c is None:
        f_c = np.ones(h_of_c.shape[0])
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            f_c = np.where(np.isinf(pop_c), 1.0, (pop_c - npsu_c) / pop_c)
    scale_c = np.where(npsu_c > 1, f_c * npsu_c / np.maximum(npsu_c - 1, 1), f_c)
    nsub_h, present_h = ncl_h, ncl_h > 0  # PSUs present (in the domain)
    cert_h = np.bincount(h_of_c, weights=(f_c >= _CERTAINTY_TOL), minlength=nh) == 0
    lonely_h = (npsu_h == 1) & ~cert_h & present_h
    if lonely_psu == "fail" and lonely_h.any():
        j = int(np.flatnonzero(lonely_h)[0])
        if labels is None:
            raise DesignError(
                "the sample has only one PSU (one respondent, or one cluster), so no variance can be "
                "estimated; a design needs at least two: check that the data have more than one row "
                "(or cluster), or pass lonely_psu='certainty' to report a variance of zero"
            )
        raise DesignError(
            f"stratum {labels[j]} (stage {stage}) has only one PSU; pass lonely_psu='adjust' to centre it "
            "on the grand mean, 'average' to use the average of the other strata, "
            "or 'remove'/'certainty' to drop it"
        )
    dom_lonely = present_h & (nsub_h == 1) & (npsu_h > 1) & bool(adl) & ~cert_h
    if dom_lonely.any():
        warnings.warn(
            f"{int(dom_lonely.sum())} strata at stage {stage} have only one PSU in this domain",
            PewlikeWarning,
            stacklevel=3,
        )
    centre_h = ~((lonely_psu == "adjust") & (nsub_h == 1) & ((npsu_h == 1) | bool(adl)))
    na_h = (lonely_psu == "average") & (lonely_h | dom_lonely)
    par_h = np.zeros(nh, dtype=np.intp)
    par_h[h_of_c] = par_c
    nstrat_g = np.bincount(par_h, weights=present_h, minlength=n_parent)
    nok_g = np.bincount(par_h, weights=present_h & ~na_h, minlength=n_parent)
    if np.any((nstrat_g > 0) & (nok_g == 0)):
        return np.full((k, k), np.nan)  # R: every stratum averaged away -> NaN
    factor_g = np.divide(nstrat_g, nok_g, out=np.ones(n_parent), where=nok_g > 0)
    wt_h = np.where(present_h & ~na_h & ~cert_h, factor_g[par_h], 0.0)

    m_h = np.maximum(ncl_h, npsu_h)
    mu = _group_sum(h_of_c, totals, nh) / m_h[:, None]  # stratum mean over the design's PSUs
    mu[~centre_h] = 0.0
    w_c = scale_c * mult_c * wt_h[h_of_c]
    if not np.any(mu):
        dev = totals
    elif nh == 1:
        dev = totals - mu[0]
    else:
        dev = totals - mu[h_of_c]
    if w_c.size and np.all(w_c == w_c[0]):
        v = w_c[0] * (dev.T @ dev)
    else:
        v = (dev * w_c[:, None]).T @ dev
    pad = m_h - ncl_h  # PSUs counted by sampsize but absent
    if np.any(pad > 0):
        scale_h = np.zeros(nh)
        scale_h[h_of_c] = scale_c * mult_c
        w_pad = pad * scale_h * wt_h
        v += (mu * w_pad[:, None]).T @ mu
    return v


# ----------------------------------------------------------------------------- df and deff
def degf_linearized(strata: ArrayLike, clusters: ArrayLike, weights: ArrayLike) -> int:
    """Design degrees of freedom: number of PSUs minus number of strata.

    Parameters
    ----------
    strata, clusters : array_like of int, shape (n,) or (n, S)
        Only the first stage is used.
    weights : array_like, shape (n,)
        Rows with weight 0 (outside a subset of a calibrated design) are excluded.

    Returns
    -------
    int

    Notes
    -----
    Equivalent to R survey's ``degf.survey.design2``.
    """
    w = np.asarray(weights, dtype=float).reshape(-1)
    n = w.shape[0]
    cl = _as_2d(clusters, n, "clusters")[:, 0]
    st = _as_2d(strata, n, "strata")[:, 0]
    inset = w != 0
    # distinct codes by counting (O(n)); np.unique sorts, 40 ms a crosstab's df at 200k rows
    return _distinct(cl[inset]) - _distinct(st[inset])
