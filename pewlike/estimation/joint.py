"""The joint covariance of several means estimated on the same design, as one ``svymean(~a + b + ...)``.

A select-all battery's item shares, or the answer shares of the items of a grid, are each
estimated on their own; readers who test or combine them need their covariance.
:func:`joint_means` estimates several 0/1 (or numeric) columns at once: one
:class:`~pewlike.estimation.engine.CellRatios` per column, stacked into one statistic, so the
design's variance method (linearisation, replicates, calibration) gives the full covariance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import EstimationError
from pewlike.estimation import engine

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.variance.replication import ReplicateVariance

__all__ = ["JointMeans", "joint_means"]


@dataclass(frozen=True, eq=False)
class _Stacked:
    """Several :class:`~pewlike.estimation.engine.CellRatios` side by side (a ``Statistic``)."""

    parts: tuple[engine.CellRatios, ...]
    column_domains: tuple[np.ndarray, np.ndarray] | None = None
    subset_units: None = None

    @property
    def estimate(self) -> np.ndarray:
        return np.concatenate([p.estimate for p in self.parts])

    def unit_influence(self) -> np.ndarray:
        return np.hstack([p.unit_influence() for p in self.parts])

    def row_influence(self) -> np.ndarray:
        return np.hstack([p.row_influence() for p in self.parts])

    def replicates(self, method: ReplicateVariance) -> np.ndarray:
        return np.hstack([p.replicates(method) for p in self.parts])


@dataclass(frozen=True)
class JointMeans:
    """Means of several columns by domain, with their joint covariance.

    Attributes
    ----------
    estimate : ndarray (k,)
        Column major: every domain of the first column, then of the second, ...
    vcov : ndarray (k, k)
        Their design-based covariance.
    keys : list of pandas.DataFrame
        The domains of each column (R ``svyby`` order), one row per domain.
    """

    estimate: np.ndarray
    vcov: np.ndarray
    keys: list[pd.DataFrame]


def joint_means(sf: SurveyFrame, values: Sequence[np.ndarray], by: str | Sequence[str] | None = None) -> JointMeans:
    """Weighted means of several columns (each on its own base) with their joint covariance.

    Parameters
    ----------
    sf : SurveyFrame
        The survey (its design and domain).
    values : sequence of (n,) float ndarray
        One array per column; NaN leaves a row out of that column's base.
    by : str or list of str, optional
        Domain variables (rows with a missing value are left out).

    Returns
    -------
    JointMeans

    Raises
    ------
    EstimationError
        A column has no row in its base, or a domain's weights sum to zero.

    Notes
    -----
    With one base for every column this is ``vcov(svymean(~a + b + ..., design))`` in R
    survey (or ``svyby(~a + b, ~by, design, svymean, covmat = TRUE)``); with a base per
    column, the covariance of the ratios ``svyratio`` would give for each (numerator, base
    indicator) pair.  For ``lonely_psu="average"`` the domains are treated as R's subset
    designs only when every column has the same base.
    """
    d = sf.design
    w = d.weights
    parts = []
    keys = []
    codes = []
    for v in values:
        v = np.asarray(v, dtype=float)
        ok = np.isfinite(v) & d.in_domain
        if not ok.any():
            raise EstimationError("a column has no respondent in its base; no joint estimate is possible")
        code, key, _ = engine.domain_codes(sf, by, ok)
        G = len(key)
        counted = engine.counted(code)
        y = np.where(code >= 0, np.nan_to_num(v), 0.0)
        A = engine.cell_sums(code, G, w * y, counted)
        B = engine.cell_sums(code, G, w, counted)
        if np.any(B <= 0):
            raise EstimationError("the weights of a domain sum to zero; no joint estimate is possible there")
        parts.append(
            engine.CellRatios(
                d, A / B, B, code, G, y, code, G, None, np.arange(G), ok=counted, column_domains=(code, np.arange(G))
            )
        )
        keys.append(key)
        codes.append(code)
    same = all(np.array_equal(codes[0], c) for c in codes[1:])
    domains = (codes[0], np.tile(np.arange(len(keys[0])), len(parts))) if same else None
    stat = _Stacked(tuple(parts), column_domains=domains)
    cov = d.variance.covariance(stat, d)
    return JointMeans(stat.estimate, cov.vcov, keys)
