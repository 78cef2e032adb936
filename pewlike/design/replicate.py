"""Converting a linearisation design to replicate weights (R ``as.svrepdesign``)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from pewlike.design.describe import describe_design
from pewlike.errors import DesignError

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame

__all__ = ["CONVERSIONS", "to_replicate"]

CONVERSIONS = ("JK1", "JKn", "BRR", "Fay", "bootstrap")


def to_replicate(
    sf: SurveyFrame,
    reptype: str = "JK1",
    *,
    replicates: int | None = None,
    seed: int | None = None,
    rho: float | None = None,
    mse: bool = False,
) -> SurveyFrame:
    """A replicate-weight version of a linearisation design.

    Parameters
    ----------
    sf : SurveyFrame
        A design with strata/PSUs (or weights only: each respondent a PSU).
    reptype : {"JK1", "JKn", "BRR", "Fay", "bootstrap"}
        ``JK1`` delete-one-PSU jackknife (unstratified); ``JKn`` stratified
        jackknife; ``BRR``/``Fay`` balanced half-samples from a Hadamard matrix
        (exactly two PSUs per stratum); ``bootstrap`` with ``replicates``
        resamples drawn with ``seed``.
    replicates : int, optional
        Bootstrap replicates (default 50, as R).
    seed : int, optional
        Seed of the bootstrap (R's RNG cannot be reproduced; results are
        reproducible for a given seed).
    rho : float, optional
        Fay's coefficient, required for ``reptype="Fay"``.
    mse : bool
        Centre replicates on the full-sample estimate.

    Returns
    -------
    SurveyFrame
        Same data and weights, variance from the replicate weights.

    Raises
    ------
    DesignError
        The design already has replicate weights or calibration steps, or ``reptype``
        does not fit it (JK1 with strata, JKn/BRR/Fay without, Fay without ``rho``).

    Notes
    -----
    Equivalent to ``as.svrepdesign(design, type=reptype)`` in R survey; the
    JK1, JKn, BRR and Fay weights are identical to R's (fpc is used as R does).
    """
    from pewlike.variance import repweights as rw
    from pewlike.variance.replication import ReplicateVariance

    d = sf.design
    if d.repweights is not None:
        raise DesignError("this survey already has replicate weights; to_replicate() converts a linearisation design")
    if reptype not in CONVERSIONS:
        raise DesignError(
            f"reptype={reptype!r} is not valid for to_replicate; choose one of "
            + ", ".join(repr(c) for c in CONVERSIONS)
        )
    if d.calibration:
        raise DesignError(
            "convert to replicate weights before raking or calibrating, then weight the "
            "replicate design (each replicate is re-calibrated)"
        )
    if reptype != "bootstrap" and (replicates is not None or seed is not None):
        raise DesignError("replicates= and seed= only apply to reptype='bootstrap'")
    w = d.weights
    pop = None if d.popsize is None else d.popsize[:, 0]
    strata_cols = d.names.get("strata") or []
    if reptype == "JK1" and strata_cols:
        raise DesignError("JK1 cannot be used for a stratified design; use reptype='JKn' (or 'BRR', 'bootstrap')")
    if reptype in ("JKn", "BRR", "Fay") and not strata_cols:
        raise DesignError(f"reptype={reptype!r} needs a stratified design; use reptype='JK1' or 'bootstrap'")
    if reptype == "Fay" and rho is None:
        raise DesignError("reptype='Fay' needs rho= (Fay's coefficient, e.g. rho=0.5)")
    if reptype in ("BRR", "Fay"):
        pop = None  # R drops the fpc in BRR/Fay conversion
    if reptype == "JK1":
        rep, scale, rscales = rw.jk1_weights(d.clusters[:, 0], w, popsize=pop)
    elif reptype == "JKn":
        rep, scale, rscales = rw.jkn_weights(d.strata[:, 0], d.clusters[:, 0], w, popsize=pop, lonely_psu=d.lonely_psu)
    elif reptype in ("BRR", "Fay"):
        labels = sf.data[strata_cols[0]].astype(str).to_numpy() if strata_cols else np.zeros(w.shape[0], dtype=int)
        fay = 0.0 if reptype == "BRR" or rho is None else float(rho)  # Fay without rho was refused above
        rep, scale, rscales = rw.brr_weights(labels, d.clusters[:, 0], w, fay_rho=fay)
    else:
        rep, scale, rscales = rw.bootstrap_weights(
            d.strata[:, 0], d.clusters[:, 0], w, replicates=50 if replicates is None else int(replicates), seed=seed
        )
    rep = np.ascontiguousarray(rep, dtype=float) * d.in_domain[:, None]
    n = w.shape[0]
    names = dict(d.names)
    names.update(
        repweights=[f"rep{i + 1}" for i in range(rep.shape[1])],
        reptype=reptype,
        converted_from=describe_design(sf).splitlines()[0],
    )
    design = replace(
        d,
        strata=np.zeros((n, 1), dtype=np.int64),
        clusters=np.arange(n, dtype=np.int64)[:, None],
        popsize=None,
        names=names,
        variance=ReplicateVariance(rep, reptype, float(scale), np.asarray(rscales, dtype=float), bool(mse)),
    )
    design.__dict__.pop("units", None)
    return sf.evolve(design=design, history=sf.history + (f"replicate weights: {reptype}, {rep.shape[1]} replicates",))
