"""Weighting: raking, post-stratification, calibration, trimming and weight diagnostics.

The verbs live in topic modules and are collected here, where :class:`~pewlike.design.Survey`
finds them:

* :func:`rake`, :func:`poststratify` -- :mod:`pewlike.raking` (targets read by :mod:`pewlike.marginspec`
  and matched to the sample by :mod:`pewlike.margins`);
* :func:`calibrate` -- :mod:`pewlike.calibration` (solver in :mod:`pewlike.caldistance`);
* :func:`trim_weights` -- :mod:`pewlike.trimming`;
* :func:`weight_summary`, :func:`moe`, :func:`kish_deff`, :func:`effective_n` -- :mod:`pewlike.weightstats`;
* :func:`targets_from` -- raking targets from a population file (:mod:`pewlike.poptargets`).

Every verb returns a new Survey.  Its variance accounts for the weighting as R survey does:
linearisation designs carry a calibration step (:mod:`pewlike.calsteps`) whose residuals the
variance engine applies; replicate designs re-weight every replicate column.  Each verb also
leaves a note in the survey's history with a record of what it did, which
:func:`weight_summary` reports.
"""

from __future__ import annotations

from .calibration import calibrate
from .poptargets import targets_from
from .raking import poststratify, rake
from .trimming import trim_weights
from .weightstats import WeightSummary, effective_n, kish_deff, moe, weight_summary

__all__ = ["rake", "poststratify", "calibrate", "trim_weights", "weight_summary", "targets_from", "moe",
           "kish_deff", "effective_n", "WeightSummary"]
