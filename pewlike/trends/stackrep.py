"""Replicate-weight waves stacked into one replicate design.

Each wave keeps its own replicates.  In the stack, a replicate of wave ``k`` carries that
wave's replicate weights on its own rows and the full-sample weights on every other wave's
rows, so it perturbs wave ``k`` only; its multiplier is the wave's ``scale * rscale``.  With
the deviations centred on the full-sample estimate, the variance of anything computed
from the stack is the sum of the waves' replicate variances (the waves are independent
samples), as R's ``svrepdesign(repweights = <block matrix>, type = "other", scale = 1,
rscales = <each wave's scale * rscales>, mse = TRUE, combined.weights = TRUE)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import DesignError

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame

__all__ = ["check_replicate_waves", "stacked_replicates"]


def check_replicate_waves(names: list[str], waves: Mapping[str, SurveyFrame], linked: str | None) -> bool:
    """Whether the waves are replicate-weight designs (all of them), checked to stack.

    Parameters
    ----------
    names : list of str
        The waves, in order.
    waves : mapping
        ``{wave: SurveyFrame}``.
    linked : str or None
        The panel id linking the waves, if any.

    Returns
    -------
    bool
        True when every wave has replicate weights, False when none has.

    Raises
    ------
    DesignError
        Some waves have replicate weights and others not, or a panel id links replicate waves.
    """
    # waves whose variance method carries replicate weight columns (what the stack must join)
    rep = [w for w in names if waves[w].design.repweights is not None]
    if not rep:
        return False
    if len(rep) < len(names):
        lin = next(w for w in names if w not in rep)
        raise DesignError(
            f"wave {rep[0]!r} has replicate weights but wave {lin!r} does not; convert it first, "
            f"e.g. waves[{lin!r}].to_replicate('JK1'), so that every wave has replicates"
        )
    if linked is not None:
        raise DesignError(
            f"id={linked!r} links panel members, which replicate-weight waves cannot express (each wave's "
            "replicates were made separately); pass id=None to stack them as independent samples"
        )
    return True


def stacked_replicates(
    names: list[str], waves: Mapping[str, SurveyFrame], weights: Mapping[str, np.ndarray], stacked: SurveyFrame
) -> SurveyFrame:
    """The stacked survey with one replicate design made of every wave's replicates.

    Parameters
    ----------
    names : list of str
        The waves, in order (the stack's rows are in this order).
    waves : mapping
        ``{wave: SurveyFrame}`` with replicate weights.
    weights : mapping
        ``{wave: its weights in the stack}`` (rescaled or as they were).
    stacked : SurveyFrame
        The stacked survey with a weights-only design.

    Returns
    -------
    SurveyFrame
        ``stacked`` whose variance comes from the block replicate weights (``mse=True``).
    """
    from pewlike.variance.replication import ReplicateVariance

    sizes = [waves[w].n for w in names]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    full = np.concatenate([weights[w] for w in names])
    blocks: list[np.ndarray] = []
    rscales: list[np.ndarray] = []
    variances: dict[str, ReplicateVariance] = {}
    for k, w in enumerate(names):
        var = waves[w].design.variance
        assert isinstance(var, ReplicateVariance)  # checked by check_replicate_waves
        variances[w] = var
        factor = float(weights[w].sum() / waves[w].design.weights.sum())
        rep = np.repeat(full[:, None], var.repweights.shape[1], axis=1)
        rep[starts[k] : starts[k + 1]] = var.repweights * factor
        blocks.append(rep)
        rscales.append(np.asarray(var.rscales, dtype=np.float64) * float(var.scale))
    allrep = np.ascontiguousarray(np.concatenate(blocks, axis=1)) * stacked.design.in_domain[:, None]
    n = allrep.shape[0]
    d = stacked.design
    names_ = dict(d.names)
    names_.update(
        repweights=[f"{w}:rep{i + 1}" for w in names for i in range(variances[w].repweights.shape[1])],
        reptype="other",
        converted_from="stack of " + ", ".join(f"{w} ({variances[w].reptype})" for w in names),
    )
    design = replace(
        d,
        strata=np.zeros((n, 1), dtype=np.int64),
        clusters=np.arange(n, dtype=np.int64)[:, None],
        names=names_,
        variance=ReplicateVariance(allrep, "other", 1.0, np.concatenate(rscales), True),
    )
    design.__dict__.pop("units", None)
    return stacked.evolve(design=design)
