"""Taylor-series linearization as a variance method (R ``svyrecvar``).

:class:`LinearizationVariance` implements :class:`~pewlike.variance.strategy.VarianceMethod`
on top of the array functions of :mod:`pewlike.variance.linearization`: it takes a
statistic's influence values, applies the residual steps of the reweighting done so far,
and returns the stratified multistage covariance of their unit totals.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar, cast

import numpy as np

from pewlike.errors import DesignError
from pewlike.variance import linearization as _lin
from pewlike.variance.codes import _distinct
from pewlike.variance.strategy import Covariance, SampleDesign, Statistic, linearization_label

__all__ = ["LinearizationVariance"]


@dataclass(frozen=True, eq=False)
class LinearizationVariance:
    """Taylor-series linearization over strata and clusters (R ``svyrecvar``).

    Parameters
    ----------
    calibration : tuple
        Residual steps of the reweighting done so far (post-stratification, raking,
        g-calibration), applied in order to row-level influence values: each has a
        ``residuals(x)`` method (:mod:`pewlike.weighting.steps`).

    Notes
    -----
    Equivalent to R survey's ``svyrecvar(x, clusters, stratas, fpcs, postStrata)`` as
    ``svymean``, ``svytotal``, ``svyratio``, ``svyby`` and ``svyglm`` call it on a
    ``survey.design2``: influence totals per PSU, centred within strata, with fpc and
    later stages as :func:`pewlike.variance.linearization.linearized_vcov`.  Degrees of
    freedom are PSUs minus strata (``degf.survey.design2``).
    """

    calibration: tuple = ()
    kind: ClassVar[str] = "linearization"
    #: a logit interval comes from the SE (see VarianceMethod).
    per_column_df: ClassVar[bool] = False

    @property
    def repweights(self) -> None:
        """None: a reweighting step is carried as a residual step, not in weight columns."""
        return None

    @property
    def uses_unit_totals(self) -> bool:
        """True without calibration steps (which need row-level influence values)."""
        return not self.calibration

    # -- life cycle ----------------------------------------------------------
    def restrict(self, domain: np.ndarray) -> LinearizationVariance:
        """Unchanged: a domain is carried by the zero weights outside it.

        Parameters
        ----------
        domain : ndarray (n,) of bool
            Rows inside the domain (not used).

        Returns
        -------
        LinearizationVariance
            ``self``.

        Notes
        -----
        As R's ``subset.survey.design``, which keeps the full design.
        """
        return self

    def reweighted(
        self, *, repweights: np.ndarray | None = None, calibration: tuple | None = None
    ) -> LinearizationVariance:
        """Keep the residual steps ``calibration`` (None: the current ones).

        Parameters
        ----------
        repweights : ndarray (n, R), optional
            Must be None: a linearization design has no replicate weights.
        calibration : tuple, optional
            Residual steps of the weighting done so far.

        Returns
        -------
        LinearizationVariance

        Raises
        ------
        DesignError
            When ``repweights`` are given: a linearization design has none.
        """
        if repweights is not None:
            raise DesignError(
                "replicate weights given for a design without them; build the survey with "
                "repweights= and reptype=, or convert it with to_replicate()"
            )
        if calibration is None:
            return self
        return replace(self, calibration=tuple(calibration))

    # -- covariance ----------------------------------------------------------
    def covariance(self, stat: Statistic, design: SampleDesign) -> Covariance:
        """Covariance from ``stat``'s influence values (R ``svyrecvar``).

        Calibrated designs take row-level values and apply the residual steps first;
        otherwise unit totals are used, with R's subset design where the statistic
        asks for it (``subset_units``, ``column_domains`` with ``lonely_psu="average"``).

        Parameters
        ----------
        stat : Statistic
            The estimates; asked for influence values per unit or per row.
        design : SampleDesign
            The design's sample arrays.

        Returns
        -------
        Covariance
            The covariance (k, k), without replicate estimates.
        """
        if self.calibration:
            return Covariance(self.vcov_rows(design, stat.row_influence()))
        z = stat.unit_influence()
        present = stat.subset_units
        if present is not None:
            return Covariance(self.vcov_subset(design, z, present))
        domains = stat.column_domains
        if domains is not None and design.lonely_psu == "average":
            return Covariance(self.vcov_by_domain(design, z, *domains))
        return Covariance(self.vcov_units(design, z))

    @staticmethod
    def _unit_design(design: SampleDesign) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Strata, clusters and popsize of the last-stage units (one row each)."""
        _, first = design.units
        pop = None if design.popsize is None else design.popsize[first]
        return design.strata[first], design.clusters[first], pop

    def vcov_units(self, design: SampleDesign, z: np.ndarray) -> np.ndarray:
        """Covariance of estimates whose influence totals per unit are ``z``.

        Parameters
        ----------
        design : SampleDesign
            The design's sample arrays.
        z : ndarray (units, k)
            Influence totals per last-stage sampling unit.

        Returns
        -------
        ndarray (k, k)

        Notes
        -----
        R ``svyrecvar`` without ``postStrata``.
        """
        strata, clusters, pop = self._unit_design(design)
        return _lin.linearized_vcov(
            z, strata, clusters, pop, lonely_psu=_rule(design), stratum_names=design.names.get("stratum_values")
        )

    def vcov_rows(self, design: SampleDesign, x: np.ndarray) -> np.ndarray:
        """Covariance from row-level influence values, after the residual steps.

        Parameters
        ----------
        design : SampleDesign
            The design's sample arrays.
        x : ndarray (n, k)
            Influence values of every row.

        Returns
        -------
        ndarray (k, k)

        Notes
        -----
        R ``svyrecvar`` with ``postStrata``: the steps' residuals, then unit totals.
        """
        for step in self.calibration:
            x = step.residuals(x)
        unit, first = design.units
        nunit = first.shape[0]
        z = np.empty((nunit, x.shape[1]))
        for j in range(x.shape[1]):  # a loop over statistics, not over groups
            z[:, j] = np.bincount(unit, weights=x[:, j], minlength=nunit)
        return self.vcov_units(design, z)

    def vcov_subset(self, design: SampleDesign, z: np.ndarray, present: np.ndarray) -> np.ndarray:
        """Covariance on the subset design of the units ``present`` (units outside have zero totals).

        Parameters
        ----------
        design : SampleDesign
            The design's sample arrays.
        z : ndarray (units, k)
            Influence totals per last-stage sampling unit.
        present : ndarray (units,) of bool
            Units in the subset.

        Returns
        -------
        ndarray (k, k)

        Notes
        -----
        As R's ``svyrecvar`` on ``design[rows, ]``: strata without a unit in the subset
        are left out, which matters only for lonely-PSU rules.
        """
        if present.all():
            return self.vcov_units(design, z)
        strata, clusters, pop = self._unit_design(design)
        return _lin.linearized_vcov(
            z,
            strata,
            clusters,
            pop,
            lonely_psu=_rule(design),
            domain=present,
            sampsize=_lin.stratum_psu_counts(strata, clusters),
        )

    def vcov_by_domain(
        self, design: SampleDesign, z: np.ndarray, dom_code: np.ndarray, col_dom: np.ndarray
    ) -> np.ndarray:
        """Variance with each column's domain treated as R's ``svyby`` subset design.

        Needed only for ``lonely_psu="average"``, where R scales by the number of
        strata *present in the domain*; covariances between domains are zero here.

        Parameters
        ----------
        design : SampleDesign
            The design's sample arrays.
        z : ndarray (units, k)
            Influence totals per last-stage sampling unit.
        dom_code : ndarray (n,) of int
            Domain of each row (-1: none).
        col_dom : ndarray (k,) of int
            Domain of each column of ``z``.

        Returns
        -------
        ndarray (k, k)
            Block diagonal by domain.
        """
        unit, first = design.units
        nunit = first.shape[0]
        ndom = int(col_dom.max()) + 1
        ok = dom_code >= 0
        present = np.bincount(unit[ok] * ndom + dom_code[ok], minlength=nunit * ndom).reshape(nunit, ndom) > 0
        strata, clusters, pop = self._unit_design(design)
        k = z.shape[1]
        V = np.zeros((k, k))
        for g in range(ndom):  # one call per domain, only for this lonely-PSU rule
            cols = np.flatnonzero(col_dom == g)
            if cols.size:
                V[np.ix_(cols, cols)] = _lin.linearized_vcov(
                    z[:, cols],
                    strata,
                    clusters,
                    pop,
                    lonely_psu=_rule(design),
                    domain=present[:, g],
                    sampsize=_lin.stratum_psu_counts(strata, clusters),
                )
        return V

    # -- degrees of freedom --------------------------------------------------
    def degf(self, design: SampleDesign) -> int:
        """PSUs minus strata among rows with nonzero weight.

        Parameters
        ----------
        design : SampleDesign
            The design's sample arrays.

        Returns
        -------
        int

        Notes
        -----
        R ``degf.survey.design2``.
        """
        return int(_lin.degf_linearized(design.strata, design.clusters, design.weights))

    def subset_degf(self, design: SampleDesign, code: np.ndarray, ndom: int, rows: np.ndarray | slice) -> np.ndarray:
        """PSUs minus strata with rows in each domain.

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

        Notes
        -----
        R ``degf(subset(design, ...))`` on a ``survey.design2``.
        """
        cl = design.clusters[:, 0]
        st = design.strata[:, 0]
        return _count_distinct(code[rows], cl[rows], ndom) - _count_distinct(code[rows], st[rows], ndom)

    def model_degf_rows(self, in_domain: np.ndarray, in_model: np.ndarray) -> np.ndarray:
        """The rows in the model: R's ``svyglm``/``svyolr`` drop the others before ``degf``.

        Parameters
        ----------
        in_domain : ndarray (n,) of bool
            Rows in the design's domain (not used here).
        in_model : ndarray (n,) of bool
            Rows the model uses.

        Returns
        -------
        ndarray (n,) of bool
            ``in_model``.
        """
        return in_model

    # -- description ---------------------------------------------------------
    def label(self, design: SampleDesign) -> str:
        """One line naming the kind of design (R's ``print(svydesign)``).

        Parameters
        ----------
        design : SampleDesign
            The design's sample arrays and names.

        Returns
        -------
        str
        """
        names = design.names
        return linearization_label(
            stages=design.clusters.shape[1],
            clustered=bool(names.get("psu")),
            stratified=bool(names.get("strata")),
            fpc=design.popsize is not None,
        )

    def describe(self, design: SampleDesign) -> list[str]:
        """The lines of R's ``print(svydesign)``: kind, clusters, strata, fpc, lonely PSUs.

        Parameters
        ----------
        design : SampleDesign
            The design's sample arrays and names.

        Returns
        -------
        list of str
        """
        names = design.names
        lines = [self.label(design)]
        if names.get("psu"):
            counts = [_distinct(design.clusters[:, s]) for s in range(design.clusters.shape[1])]
            lines.append(f"  With ({', '.join(str(c) for c in counts)}) clusters.")
        if names.get("strata"):
            lines.append(f"  {_distinct(design.strata[:, 0])} strata ({', '.join(names['strata'])})")
        if design.popsize is not None:
            lines.append(f"  fpc: {', '.join(names['fpc'])}")
        if design.lonely_psu != "fail":
            lines.append(f"  lonely PSUs: {design.lonely_psu}")
        return lines

    def model_caption(self, design: SampleDesign) -> str:
        """Short description of how a model's standard errors are computed.

        Parameters
        ----------
        design : SampleDesign
            The design's sample arrays and names.

        Returns
        -------
        str
            Strata, clusters, fpc and calibration, or independent sampling.
        """
        parts = []
        nstrata = _distinct(design.strata[:, 0])
        if nstrata > 1:
            parts.append(f"{nstrata} strata")
        if design.names.get("psu"):
            stages = design.clusters.shape[1]
            parts.append(f"{stages}-stage clusters" if stages > 1 else "clusters")
        if design.popsize is not None:
            parts.append("fpc")
        if self.calibration:
            parts.append("calibrated weights")
        return ", ".join(parts) if parts else "independent sampling (weights only)"


def _count_distinct(group: np.ndarray, value: np.ndarray, ngroup: int) -> np.ndarray:
    """Number of distinct ``value`` within each group."""
    if group.size == 0:
        return np.zeros(ngroup)
    m = int(value.max()) + 1
    if ngroup == 1:
        return np.array([float(np.count_nonzero(np.bincount(value, minlength=m)))])
    if ngroup * m <= 50_000_000:
        seen = np.bincount(group.astype(np.int64) * m + value, minlength=ngroup * m).reshape(ngroup, m) > 0
        return seen.sum(axis=1).astype(float)
    pair = np.unique(group.astype(np.int64) * m + value)
    return np.bincount(pair // m, minlength=ngroup).astype(float)


def _rule(design: SampleDesign) -> _lin.LonelyPSU:
    """The design's lonely-PSU rule (checked when the design was built)."""
    return cast("_lin.LonelyPSU", design.lonely_psu)
