"""Variance methods: how a design turns an estimator into its covariance.

A design holds one :class:`VarianceMethod`, chosen when the design is built and kept
through ``restrict``/``with_weights``.  Estimators never ask which kind of design they
have: they describe their statistic as a :class:`Statistic` -- an object that can give
its influence values (per sampling unit or per row) or recompute itself with a matrix
of replicate weights, each only when asked -- and the method takes what it needs:

* :class:`~pewlike.variance.taylor.LinearizationVariance` (R ``svyrecvar``) asks for
  influence values, applies the residual steps of calibration/raking/post-stratification,
  and returns the stratified multistage covariance of their unit totals.
* :class:`~pewlike.variance.replication.ReplicateVariance` (R ``svrVar``) asks for the
  statistic recomputed with every replicate's weights and returns the scaled spread of
  the replicates.

The methods also say how a reweighting step is carried into the variance (residual
steps vs re-weighted replicate columns), give the design's degrees of freedom, and
describe themselves for printing.  Arrays in, arrays out: this module never sees a
``Survey``; the sample arrays it reads are those of :class:`SampleDesign`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.variance.replication import ReplicateVariance

__all__ = [
    "Covariance",
    "SampleDesign",
    "Statistic",
    "VarianceMethod",
    "linearization_label",
    "replicate_label",
]

_REPNAMES = {
    "JK1": "Unstratified cluster jacknife (JK1)",
    "JKn": "Stratified cluster jackknife (JKn)",
    "BRR": "Balanced Repeated Replicates (BRR)",
    "Fay": "Fay's variant of BRR",
    "bootstrap": "Bootstrap",
    "SDR": "Successive difference replicates (SDR)",
}


# ----------------------------------------------------------------------------- protocols
class SampleDesign(Protocol):
    """The sample arrays a variance method reads (:class:`pewlike.design.structure.Design` has them).

    ``weights`` (n,), stage-wise ``strata`` and ``clusters`` (n, S), ``popsize`` (n, S) or
    None, the ``lonely_psu`` rule, ``names`` (column names; ``"stratum_values"`` names the
    first-stage strata in messages) and ``units``: ``(unit code per row, first row of each
    unit)`` of the last-stage sampling units.
    """

    @property
    def weights(self) -> np.ndarray: ...
    @property
    def strata(self) -> np.ndarray: ...
    @property
    def clusters(self) -> np.ndarray: ...
    @property
    def popsize(self) -> np.ndarray | None: ...
    @property
    def lonely_psu(self) -> str: ...
    @property
    def names(self) -> dict: ...
    @property
    def units(self) -> tuple[np.ndarray, np.ndarray]: ...


class Statistic(Protocol):
    """What an estimator offers its variance method; each part is computed only when asked.

    Attributes
    ----------
    estimate : ndarray (k,)
        Full-sample estimates (the centre of replicate deviations with ``mse=True``).
    column_domains : (ndarray (n,), ndarray (k,)) or None
        When each column is an ``svyby`` domain estimate: the domain code of every row and
        the domain of every column (linearization treats each domain as R's subset design
        where that differs from zero-padding: ``lonely_psu="average"``).
    subset_units : ndarray (units,) of bool or None
        When the statistic is defined on a row subset of the design, as R's ``svyglm``
        drops the rows not in the model: the sampling units with a row in it.
    """

    @property
    def estimate(self) -> np.ndarray: ...
    @property
    def column_domains(self) -> tuple[np.ndarray, np.ndarray] | None: ...
    @property
    def subset_units(self) -> np.ndarray | None: ...

    def unit_influence(self) -> np.ndarray:
        """Totals of the influence values within each last-stage sampling unit: (units, k)."""
        ...

    def row_influence(self) -> np.ndarray:
        """Influence values of every row of the design: (n, k)."""
        ...

    def replicates(self, method: ReplicateVariance) -> np.ndarray:
        """The statistic recomputed with each of ``method.repweights``'s columns: (R, k)."""
        ...


@dataclass(frozen=True, eq=False)
class Covariance:
    """A covariance matrix ``vcov`` (k, k) and, for replicate methods, the replicate estimates (R, k)."""

    vcov: np.ndarray
    replicates: np.ndarray | None = None


@runtime_checkable
class VarianceMethod(Protocol):
    """How a design computes the covariance of its estimates.

    Implemented by :class:`~pewlike.variance.taylor.LinearizationVariance` and
    :class:`~pewlike.variance.replication.ReplicateVariance`; a design holds one
    (``Design.variance``).  A new method is one class with these members.

    Attributes
    ----------
    kind : str
        ``"linearization"`` or ``"replicate"`` (for describing the design).
    repweights : ndarray (n, R) or None
        Weight columns that every reweighting step (raking, calibration, trimming)
        adjusts along with the analysis weights; None when the method carries a
        reweighting step otherwise.
    calibration : tuple
        Residual steps (:mod:`pewlike.weighting.steps`) applied to influence values
        before the variance; empty when the method needs none.
    uses_unit_totals : bool
        The covariance needs only influence totals per sampling unit, so estimators may
        sum by unit in the same pass as the estimate; the degrees of freedom are then
        PSUs minus strata, which estimators may count from the units a domain touches.
    """

    @property
    def kind(self) -> str: ...
    @property
    def repweights(self) -> np.ndarray | None: ...
    @property
    def calibration(self) -> tuple: ...
    @property
    def uses_unit_totals(self) -> bool: ...

    def covariance(self, stat: Statistic, design: SampleDesign) -> Covariance:
        """Covariance of ``stat.estimate`` (and the replicate estimates, if any)."""
        ...

    def degf(self, design: SampleDesign) -> int:
        """Design degrees of freedom (R ``degf``)."""
        ...

    def subset_degf(self, design: SampleDesign, code: np.ndarray, ndom: int, rows: Any) -> np.ndarray:
        """Degrees of freedom of each domain's subset design (``rows``: rows in a domain, weight > 0)."""
        ...

    def model_degf_rows(self, in_domain: np.ndarray, in_model: np.ndarray) -> np.ndarray:
        """Rows of the design whose degrees of freedom a model fit reports."""
        ...

    def restrict(self, domain: np.ndarray) -> VarianceMethod:
        """The method for the domain ``domain`` (bool, n) of the design (R ``subset``)."""
        ...

    def reweighted(self, *, repweights: np.ndarray | None = None, calibration: tuple | None = None) -> VarianceMethod:
        """The method after a reweighting step; it keeps what it uses of what is offered."""
        ...

    def label(self, design: SampleDesign) -> str:
        """One line naming the kind of design (first line of R's ``print(design)``)."""
        ...

    def describe(self, design: SampleDesign) -> list[str]:
        """The lines of R's ``print(design)`` about the sampling and variance method."""
        ...

    def model_caption(self, design: SampleDesign) -> str:
        """Short description of how a model's standard errors are computed."""
        ...


# ----------------------------------------------------------------------------- labels
def replicate_label(reptype: str | None, n_replicates: int) -> str:
    """``"Unstratified cluster jacknife (JK1) with 80 replicates"`` (R's ``print(svrepdesign)``)."""
    return f"{_REPNAMES.get(str(reptype), reptype)} with {n_replicates} replicates"


def linearization_label(*, stages: int, clustered: bool, stratified: bool, fpc: bool) -> str:
    """``"Stratified 1 - level Cluster Sampling design (with replacement)"`` (R's ``print(svydesign)``)."""
    kind = "Independent Sampling design" if not clustered else f"{stages} - level Cluster Sampling design"
    if stratified:
        kind = "Stratified " + kind
    return kind + ("" if fpc else " (with replacement)")
