"""What the estimators ask a backend for: weighted totals over cells, and their covariance.

Means, totals, proportions and ratios (:mod:`pewlike.estimation.estimators`) are written
once against :class:`WeightedTotals`; each backend implements it -- in memory
(:class:`pewlike.estimation.memory.InMemoryTotals`, on a
:class:`~pewlike.design.frame.SurveyFrame`) and partitioned
(``pewlike.partitioned.totals.PartitionedTotals``, on a ``PartitionedFrame``).

A backend answers in two steps: the *cells* of an estimate (:class:`DomainCells`: the
domains present, their weight totals and row counts) and then, from the cells, the
estimates with their covariance (:class:`~pewlike.estimation.engine.Ratios`).  The
estimator checks the cells between the two (a partitioned backend saves its variance
passes when they fail).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    import numpy as np
    import pandas as pd

    from pewlike.estimation.engine import Ratios

    #: Domain variables: one name, several, or None for the whole survey.
    By = str | Sequence[str] | None

__all__ = [
    "DomainCells",
    "FactorLevels",
    "GroupCells",
    "HasWeightedTotals",
    "ReplicateScales",
    "TableCells",
    "WeightedTotals",
]


@dataclass(frozen=True, eq=False)
class DomainCells:
    """The cells of one estimate over the domains that have rows, before its variance.

    Attributes
    ----------
    col : str
        The variable reported (the numerator of a ratio).
    other : str or None
        The denominator of a ratio.
    keys : pandas.DataFrame
        One row per domain present: its ``by`` values.
    by_cols : tuple of str
        The ``by`` columns.
    dom_of : numpy.ndarray
        Domain (row of ``keys``) of every cell.
    n : numpy.ndarray
        Rows counted in every cell (int64).
    nobs : numpy.ndarray
        Rows with a nonzero weight in every cell (float; R's ``nobs``).
    W : numpy.ndarray or None
        Weight total of every domain (means, numeric totals and ratios).
    bad : numpy.ndarray or None
        Means and numeric totals with ``na_rm=False``: domains with a missing value.
    levels : list of str or None
        Response levels (proportions and counts of a categorical).
    handle : object
        The backend's own state, handed back to it by the estimator.
    """

    col: str
    other: str | None
    keys: pd.DataFrame
    by_cols: tuple[str, ...]
    dom_of: np.ndarray
    n: np.ndarray
    nobs: np.ndarray
    W: np.ndarray | None = None
    bad: np.ndarray | None = None
    levels: list[str] | None = None
    handle: Any = None

    @property
    def ndom(self) -> int:
        """Number of domains present."""
        return len(self.keys)


@dataclass(frozen=True, eq=False)
class FactorLevels:
    """The counted levels of a categorical (the row or column of a two-way table).

    Attributes
    ----------
    col : str
        The column.
    labels : list of str
        Its levels (missing-coded ones left out with ``na_rm``).
    handle : object
        The backend's own codes.
    """

    col: str
    labels: list[str]
    handle: Any = None


@dataclass(frozen=True, eq=False)
class TableCells:
    """The occupied cells of a two-way table, before their totals and covariance.

    Attributes
    ----------
    nr, nc : int
        Levels of the row and column variables that occur.
    handle : object
        The backend's own state.
    """

    nr: int
    nc: int
    handle: Any = None


@dataclass(frozen=True, eq=False)
class GroupCells:
    """The groups of a two-group comparison of means, before their covariance.

    Attributes
    ----------
    ycol, gcol : str
        The numeric variable and the group variable.
    labels : list of str
        The groups with valid rows, in level order.
    handle : object
        The backend's own state.
    """

    ycol: str
    gcol: str
    labels: list[str]
    handle: Any = None


class ReplicateScales(Protocol):
    """Variance multipliers of a replicate design (``scale``, ``rscales``, ``mse``)."""

    @property
    def scale(self) -> float | None:
        """Overall multiplier."""
        ...

    @property
    def rscales(self) -> np.ndarray | None:
        """Per-replicate multipliers."""
        ...

    @property
    def mse(self) -> bool:
        """Centre on the full-sample estimate."""
        ...


@runtime_checkable
class WeightedTotals(Protocol):
    """A backend as the estimators see it: weighted totals over cells, with their covariance."""

    def is_categorical(self, var: str) -> bool:
        """Whether ``var`` is a categorical (a total of it counts each level)."""
        ...

    def value_cells(self, kind: Literal["mean", "total"], var: str, by: By, na_rm: bool) -> DomainCells:
        """Cells of the mean or total of a numeric variable, one per domain."""
        ...

    def level_cells(self, kind: Literal["proportion", "total"], var: str, by: By, na_rm: bool) -> DomainCells:
        """Cells of the shares (or weighted counts) of a categorical's levels, domain by level."""
        ...

    def ratio_cells(self, numerator: str, denominator: str, by: By, na_rm: bool) -> DomainCells:
        """Cells of the ratio of two totals, one per domain."""
        ...

    def finish(self, cells: DomainCells) -> Ratios:
        """Estimates of the cells with their design covariance (``counts`` are in ``cells``)."""
        ...

    def srs_ss(self, cells: DomainCells, ybar: np.ndarray) -> np.ndarray:
        """Weighted sums of squared deviations from ``ybar`` per domain (for the SRS variance)."""
        ...

    def domain_df(self, cells: DomainCells, r: Ratios) -> np.ndarray:
        """Design degrees of freedom of every cell's domain (R ``degf(subset(...))``)."""
        ...

    def replicate_scales(self) -> ReplicateScales:
        """The variance multipliers of a replicate design."""
        ...

    def label(self, col: str) -> str | None:
        """The question wording of a column."""
        ...

    def design_label(self) -> str:
        """The variance method, as results print it."""
        ...

    def n_rows(self) -> float:
        """Rows in the current domain."""
        ...

    def design_degf(self) -> float:
        """Design degrees of freedom (R ``degf(design)``)."""
        ...

    def test_degf(self) -> float:
        """Denominator df of a test of association (R ``svychisq``'s ``nu``; see ``Design.test_degf``)."""
        ...

    def factor_levels(self, var: str, na_rm: bool) -> FactorLevels:
        """The counted levels of a categorical."""
        ...

    def table_cells(self, rf: FactorLevels, cf: FactorLevels, shares: bool) -> TableCells:
        """The occupied cells of the two-way table of ``rf`` by ``cf``."""
        ...

    def table_totals(self, cells: TableCells) -> Ratios:
        """Totals (or shares of the table) of the cells, rows varying fastest, with their covariance."""
        ...

    def group_cells(self, var: str, by: str, na_rm: bool) -> GroupCells:
        """The groups of ``by`` that have valid rows of the numeric ``var``."""
        ...

    def group_means(self, cells: GroupCells) -> tuple[Ratios, float]:
        """Means of exactly two groups with their covariance, and the design df of their rows."""
        ...


class HasWeightedTotals(Protocol):
    """A backend that gives its own :class:`WeightedTotals` (the partitioned frame)."""

    def weighted_totals(self) -> WeightedTotals:
        """Its weighted totals."""
        ...
