"""Weighting: raking, post-stratification, calibration, trimming and weight diagnostics.

The verbs live in topic modules and are collected here, where :class:`~pewlike.survey.Survey`
finds them:

* :func:`rake`, :func:`poststratify` -- :mod:`pewlike.weighting.raking` (targets read by :mod:`pewlike.weighting.target_shapes`
  and matched to the sample by :mod:`pewlike.weighting.targets`);
* :func:`calibrate` -- :mod:`pewlike.weighting.calibration` (solver in :mod:`pewlike.weighting.distance`);
* :func:`trim_weights` -- :mod:`pewlike.weighting.trimming`;
* :func:`weight_summary`, :func:`moe`, :func:`kish_deff`, :func:`effective_n` -- :mod:`pewlike.weighting.summary`;
* :func:`targets_from` -- raking targets from a population file (:mod:`pewlike.weighting.population`).

Every verb returns a new Survey.  Its variance accounts for the weighting as R survey does:
linearisation designs carry a calibration step (:mod:`pewlike.weighting.steps`) whose residuals the
variance engine applies; replicate designs re-weight every replicate column.  Each verb also
leaves a note in the survey's history with a record of what it did, which
:func:`weight_summary` reports.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.weighting.calibration import calibrate
    from pewlike.weighting.population import targets_from
    from pewlike.weighting.raking import poststratify, rake
    from pewlike.weighting.summary import WeightSummary, effective_n, kish_deff, moe, weight_summary
    from pewlike.weighting.trimming import trim_weights

# The verbs are imported on first use: a topline's margin of error (pewlike.weighting.summary)
# then does not import the raking and calibration modules (#15, one-shot CLI start-up).
_WHERE = {
    "calibrate": "calibration",
    "targets_from": "population",
    "poststratify": "raking",
    "rake": "raking",
    "WeightSummary": "summary",
    "effective_n": "summary",
    "kish_deff": "summary",
    "moe": "summary",
    "weight_summary": "summary",
    "trim_weights": "trimming",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(f"pewlike.weighting.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pewlike.weighting' has no attribute {name!r}")


__all__ = [
    "WeightSummary",
    "calibrate",
    "effective_n",
    "kish_deff",
    "moe",
    "poststratify",
    "rake",
    "targets_from",
    "trim_weights",
    "weight_summary",
]
