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
    def weights(self) -> np.ndarray:
        """Analysis weights (n,), zero outside the domain."""

    @property
    def strata(self) -> np.ndarray:
        """Stratum codes per stage (n, S)."""

    @property
    def clusters(self) -> np.ndarray:
        """Cluster codes per stage (n, S), unique in the sample at each stage."""

    @property
    def popsize(self) -> np.ndarray | None:
        """Population number of units per stage (n, S) (R's ``fpc$popsize``), or None."""

    @property
    def lonely_psu(self) -> str:
        """Rule for strata with one PSU (R's ``options(survey.lonely.psu)``)."""

    @property
    def names(self) -> dict[str, Any]:
        """Column names used, for printing and messages."""

    @property
    def units(self) -> tuple[np.ndarray, np.ndarray]:
        """``(unit code per row, first row of each unit)`` of the last-stage sampling units."""


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
    def estimate(self) -> np.ndarray:
        """Full-sample estimates (k,)."""

    @property
    def column_domains(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Domain code of every row and domain of every column, for ``svyby`` estimates; or None."""

    @property
    def subset_units(self) -> np.ndarray | None:
        """Sampling units (bool, units) with a row in the statistic's row subset; or None."""

    def unit_influence(self) -> np.ndarray:
        """Totals of the influence values within each last-stage sampling unit.

        Returns
        -------
        ndarray (units, k)
        """
        ...

    def row_influence(self) -> np.ndarray:
        """Influence values of every row of the design.

        Returns
        -------
        ndarray (n, k)
        """
        ...

    def replicates(self, method: ReplicateVariance) -> np.ndarray:
        """The statistic recomputed with each of ``method.repweights``'s columns.

        Parameters
        ----------
        method : ReplicateVariance
            The replicate weights (and their compressed form, for totals by cell).

        Returns
        -------
        ndarray (R, k)
        """
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
    per_column_df : bool
        A domain's logit interval is made from the statistic recomputed in every replicate,
        on the domain's own degrees of freedom (R ``svyciprop(method="logit")`` refits each
        replicate), not from its standard error; a table that puts its domains (a
        crosstab's columns) on one df rescales each interval from the domain's df.
    """

    @property
    def kind(self) -> str:
        """``"linearization"`` or ``"replicate"`` (for describing the design)."""

    @property
    def repweights(self) -> np.ndarray | None:
        """Weight columns every reweighting step adjusts with the analysis weights, or None."""

    @property
    def calibration(self) -> tuple:
        """Residual steps applied to influence values before the variance (may be empty)."""

    @property
    def uses_unit_totals(self) -> bool:
        """Whether the covariance needs only influence totals per sampling unit."""

    @property
    def per_column_df(self) -> bool:
        """Whether a domain's logit interval is made on the domain's own df from replicates."""

    def covariance(self, stat: Statistic, design: SampleDesign) -> Covariance:
        """Covariance of ``stat.estimate`` (and the replicate estimates, if any).

        Parameters
        ----------
        stat : Statistic
            The estimates; the method asks for the parts it needs.
        design : SampleDesign
            The design's sample arrays.

        Returns
        -------
        Covariance
        """
        ...

    def degf(self, design: SampleDesign) -> int:
        """Design degrees of freedom (R ``degf``).

        Parameters
        ----------
        design : SampleDesign
            The design's sample arrays.

        Returns
        -------
        int
        """
        ...

    def subset_degf(self, design: SampleDesign, code: np.ndarray, ndom: int, rows: np.ndarray | slice) -> np.ndarray:
        """Degrees of freedom of each domain's subset design (R ``degf(subset(design, ...))``).

        Parameters
        ----------
        design : SampleDesign
            The design's sample arrays.
        code : ndarray (n,) of int
            Domain of each row.
        ndom : int
            Number of domains.
        rows : ndarray (n,) of bool or slice
            Rows in a domain with nonzero weight (``slice(None)``: every row).

        Returns
        -------
        ndarray (ndom,) of float
        """
        ...

    def model_degf_rows(self, in_domain: np.ndarray, in_model: np.ndarray) -> np.ndarray:
        """Rows of the design whose degrees of freedom a model fit reports.

        Parameters
        ----------
        in_domain : ndarray (n,) of bool
            Rows in the design's domain.
        in_model : ndarray (n,) of bool
            Rows the model uses (no missing model variable).

        Returns
        -------
        ndarray (n,) of bool
        """
        ...

    def restrict(self, domain: np.ndarray) -> VarianceMethod:
        """The method for a domain of the design (R ``subset``).

        Parameters
        ----------
        domain : ndarray (n,) of bool
            Rows inside the domain.

        Returns
        -------
        VarianceMethod
        """
        ...

    def reweighted(self, *, repweights: np.ndarray | None = None, calibration: tuple | None = None) -> VarianceMethod:
        """The method after a reweighting step; it keeps what it uses of what is offered.

        Parameters
        ----------
        repweights : ndarray (n, R), optional
            The re-weighted replicate columns.
        calibration : tuple, optional
            The residual steps of the weighting done so far.

        Returns
        -------
        VarianceMethod
        """
        ...

    def label(self, design: SampleDesign) -> str:
        """One line naming the kind of design (first line of R's ``print(design)``).

        Parameters
        ----------
        design : SampleDesign
            The design's sample arrays and names.

        Returns
        -------
        str
        """
        ...

    def describe(self, design: SampleDesign) -> list[str]:
        """The lines of R's ``print(design)`` about the sampling and variance method.

        Parameters
        ----------
        design : SampleDesign
            The design's sample arrays and names.

        Returns
        -------
        list of str
        """
        ...

    def model_caption(self, design: SampleDesign) -> str:
        """Short description of how a model's standard errors are computed.

        Parameters
        ----------
        design : SampleDesign
            The design's sample arrays and names.

        Returns
        -------
        str
        """
        ...


# ----------------------------------------------------------------------------- labels
def replicate_label(reptype: str | None, n_replicates: int) -> str:
    """``"Unstratified cluster jacknife (JK1) with 80 replicates"`` (R's ``print(svrepdesign)``).

    Parameters
    ----------
    reptype : str or None
        ``"JK1"``, ``"JKn"``, ``"BRR"``, ``"Fay"``, ``"bootstrap"``, ``"SDR"``, ...
    n_replicates : int
        Number of replicate weight columns.

    Returns
    -------
    str
    """
    return f"{_REPNAMES.get(str(reptype), reptype)} with {n_replicates} replicates"


def linearization_label(*, stages: int, clustered: bool, stratified: bool, fpc: bool) -> str:
    """``"Stratified 1 - level Cluster Sampling design (with replacement)"`` (R's ``print(svydesign)``).

    Parameters
    ----------
    stages : int
        Number of cluster stages.
    clustered : bool
        Whether the design has PSUs (else each row is its own unit).
    stratified : bool
        Whether the design has strata.
    fpc : bool
        Whether a finite population correction is given (else with replacement).

    Returns
    -------
    str
    """
    kind = "Independent Sampling design" if not clustered else f"{stages} - level Cluster Sampling design"
    if stratified:
        kind = "Stratified " + kind
    return kind + ("" if fpc else " (with replacement)")
