"""What the topline and the crosstab ask a backend for.

:func:`pewlike.tables.toplines.topline` and :func:`pewlike.tables.crosstabs.crosstab` are
written once against :class:`TableBackend`: the question's column, the shares of its
responses and nets (estimated by the backend's proportions, by column for a crosstab), and
the weights of its base (count, Pew's margin of error and design effect, respondents
asked); the crosstab also asks for the survey restricted to a base, each column's base and
margin of error, the design degrees of freedom, and whether the variance method makes a
column's logit interval on the column's own df (:meth:`TableBackend.per_column_df`).
:class:`InMemoryTables` answers on a :class:`~pewlike.design.frame.SurveyFrame`; a
partitioned frame gives its own (``pewlike.partitioned.tables.PartitionedTables``) through
``table_backend()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame
    from pewlike.estimation.results import Estimates
    from pewlike.tables.answers import Base, NetEstimate, ProportionCI

__all__ = ["BaseStats", "InMemoryTables", "TableBackend", "table_backend"]


@dataclass(frozen=True)
class BaseStats:
    """The base of a question.

    Attributes
    ----------
    n : int
        Respondents in the base.
    moe, deff : float
        Pew's margin of error (points) and the Kish design effect of their weights.
    asked : int
        Respondents in the domain who were asked (any answer).
    """

    n: int
    moe: float
    deff: float
    asked: int


@runtime_checkable
class TableBackend(Protocol):
    """A backend as the topline sees it."""

    def survey(self) -> Any:
        """The backend's frame (what :func:`~pewlike.tables.toplines.response_frame` reads)."""
        ...

    def nets_source(self, col: str) -> Any:
        """What :func:`~pewlike.tables.toplines.resolve_nets` reads: codebook and the column."""
        ...

    def categorical_column(self, var: str, what: str) -> str:
        """The column of a question with response options (not numbers)."""
        ...

    def proportion(self, col: str, *, ci: ProportionCI, na_rm: bool, level: float, by: str | None = None) -> Estimates:
        """Shares of the responses (in each level of ``by``)."""
        ...

    def net_estimates(
        self,
        col: str,
        nets: Sequence[tuple[str, Sequence[str]]],
        *,
        base: Base,
        ci: ProportionCI,
        level: float,
        by: str | None = None,
    ) -> list[NetEstimate]:
        """Shares of the nets (in each level of ``by``)."""
        ...

    def base_stats(self, col: str, base: Base, level: float) -> BaseStats:
        """Count, margin of error, design effect and respondents asked of the question's base."""
        ...

    def question(self, col: str) -> str:
        """The question wording."""
        ...

    def asked_of(self, col: str) -> str | None:
        """The forms a question was asked of (``"Form 1"``), or None."""
        ...

    def n_rows(self) -> int:
        """Respondents in the domain."""
        ...

    # -- what the crosstab asks besides (pewlike.tables.crosstabs.crosstab)
    def restrict_to_base(self, col: str, base: Base) -> TableBackend:
        """The same survey restricted to the base of ``col`` (a domain: the full design kept)."""
        ...

    def column_bases(
        self, col: str, bycol: str, base: Base, level: float, columns: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Unweighted base and Pew's margin of error (points) of ``col``'s base in each column of ``bycol``."""
        ...

    def degf(self) -> float:
        """Design degrees of freedom of the domain (R ``degf``)."""
        ...

    def column_degf(self, bycol: str, columns: Sequence[str]) -> np.ndarray:
        """Design degrees of freedom of each column of ``bycol`` (R ``degf(subset(...))``)."""
        ...

    def per_column_df(self) -> bool:
        """Whether the variance method makes a domain's logit interval on the domain's own df."""
        ...


@dataclass(frozen=True, eq=False)
class InMemoryTables:
    """The topline's questions to a survey in memory.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    """

    sf: SurveyFrame

    def survey(self) -> SurveyFrame:
        """The survey.

        Returns
        -------
        SurveyFrame
        """
        return self.sf

    def nets_source(self, col: str) -> SurveyFrame:
        """The survey (it has the codebook and the column).

        Parameters
        ----------
        col : str

        Returns
        -------
        SurveyFrame
        """
        return self.sf

    def categorical_column(self, var: str, what: str) -> str:
        """The column of a question with response options.

        Parameters
        ----------
        var : str
        what : str
            The verb, for the error.

        Returns
        -------
        str
        """
        from pewlike.tables.answers import categorical_column

        return categorical_column(self.sf, var, what)

    def proportion(self, col: str, *, ci: ProportionCI, na_rm: bool, level: float, by: str | None = None) -> Estimates:
        """Shares of the responses (:func:`pewlike.estimation.estimators.proportion`).

        Parameters
        ----------
        col : str
        ci : str
        na_rm : bool
        level : float
        by : str, optional
            Domain variable (a crosstab's columns).

        Returns
        -------
        Estimates
        """
        from pewlike.estimation.estimators import proportion

        return proportion(self.sf, col, by=by, ci=ci, na_rm=na_rm, level=level)

    def net_estimates(
        self,
        col: str,
        nets: Sequence[tuple[str, Sequence[str]]],
        *,
        base: Base,
        ci: ProportionCI,
        level: float,
        by: str | None = None,
    ) -> list[NetEstimate]:
        """Shares of the nets (:func:`pewlike.tables.toplines.net_estimates`).

        Parameters
        ----------
        col : str
        nets : list of (str, list of str)
        base : {"valid", "all"}
        ci : str
        level : float
        by : str, optional
            Domain variable (a crosstab's columns).

        Returns
        -------
        list
        """
        from pewlike.tables.answers import net_estimates

        return net_estimates(self.sf, col, nets, by=by, base=base, ci=ci, level=level)

    def base_stats(self, col: str, base: Base, level: float) -> BaseStats:
        """The base's count, margin of error and design effect, and respondents asked.

        Parameters
        ----------
        col : str
        base : {"valid", "all"}
        level : float

        Returns
        -------
        BaseStats
        """
        from pewlike.tables.answers import base_mask, moe_points

        mask = base_mask(self.sf, col, base)
        moe, deff = moe_points(self.sf, mask, level)
        asked = int((self.sf.data[col].notna().to_numpy() & self.sf.design.in_domain).sum())
        return BaseStats(int(self.sf.design.weighted_rows(mask).sum()), moe, deff, asked)

    def question(self, col: str) -> str:
        """The question wording.

        Parameters
        ----------
        col : str

        Returns
        -------
        str
        """
        from pewlike.io.display import display_question

        return display_question(self.sf.codebook, col)

    def asked_of(self, col: str) -> str | None:
        """The forms a question was asked of, when they explain who was asked.

        Parameters
        ----------
        col : str

        Returns
        -------
        str or None
            See :func:`pewlike.tables.asked.asked_of_forms`.
        """
        from pewlike.tables.asked import asked_of_forms

        answered = self.sf.data[col].notna().to_numpy()
        return asked_of_forms(self.sf.data, answered, self.sf.design.in_domain)

    def n_rows(self) -> int:
        """Respondents in the domain.

        Returns
        -------
        int
        """
        return self.sf.n

    def restrict_to_base(self, col: str, base: Base) -> InMemoryTables:
        """The survey restricted to the base of ``col`` (R ``subset(design, ...)``).

        Parameters
        ----------
        col : str
        base : {"valid", "all"}
            Substantive answers, or any answer.

        Returns
        -------
        InMemoryTables
        """
        from pewlike.tables.answers import base_mask

        mask = base_mask(self.sf, col, base)
        return InMemoryTables(self.sf.evolve(design=self.sf.design.restrict(mask)))

    def column_bases(
        self, col: str, bycol: str, base: Base, level: float, columns: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Unweighted base and margin of error of ``col``'s base in each column.

        Parameters
        ----------
        col, bycol : str
            The question and the column variable.
        base : {"valid", "all"}
        level : float
        columns : sequence of str
            Levels of ``bycol``, in the order wanted.

        Returns
        -------
        (ndarray of int, ndarray of float)
            Respondents and Pew's margin of error (points; :func:`~pewlike.tables.toplines.moe_points`).
        """
        from pewlike.estimation.estimators import factor_codes
        from pewlike.tables.answers import base_mask, moe_points

        mask = base_mask(self.sf, col, base)
        _, bcodes, blevels = factor_codes(self.sf, bycol)
        pos_of = np.array([blevels.index(c) for c in columns], dtype=np.int64)
        n = np.bincount(bcodes[self.sf.design.weighted_rows(mask) & (bcodes >= 0)], minlength=len(blevels))[pos_of]
        moe = np.array([moe_points(self.sf, mask & (bcodes == p), level)[0] for p in pos_of])
        return n, moe

    def degf(self) -> float:
        """Design degrees of freedom of the domain.

        Returns
        -------
        float
        """
        return float(self.sf.design.degf())

    def column_degf(self, bycol: str, columns: Sequence[str]) -> np.ndarray:
        """Design degrees of freedom of the domain within each column of ``bycol``.

        Parameters
        ----------
        bycol : str
        columns : sequence of str
            Levels of ``bycol``.

        Returns
        -------
        ndarray of float
        """
        from pewlike.estimation.estimators import factor_codes

        _, bcodes, blevels = factor_codes(self.sf, bycol)
        return np.array([float(self.sf.design.restrict(bcodes == blevels.index(c)).degf()) for c in columns])

    def per_column_df(self) -> bool:
        """Whether the design's variance method makes a domain's logit interval on its own df.

        Returns
        -------
        bool
            :attr:`pewlike.variance.strategy.VarianceMethod.per_column_df`.
        """
        return bool(self.sf.design.variance.per_column_df)


def table_backend(data: Any) -> TableBackend:
    """The :class:`TableBackend` of a backend.

    Parameters
    ----------
    data : SurveyFrame, TableBackend or a frame with ``table_backend()``
        A survey backend.

    Returns
    -------
    TableBackend
    """
    if isinstance(data, TableBackend):
        return data
    own = getattr(data, "table_backend", None)
    if own is not None:
        out: TableBackend = own()
        return out
    return InMemoryTables(data)
