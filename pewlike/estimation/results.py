"""Results of estimators and design-based tests: :class:`Estimates` and :class:`TestResult`.

``to_frame()`` is the contract; ``summary()`` is for people.  Both classes derive from
:class:`pewlike.resultbase.Result` and use its vocabulary (``estimates``, ``std_errors``,
``cov``, ``statistics``, ``pvalues``, ``conf_int``).  Tables and figures read ``to_frame()``
and never recompute statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike import resultbase as _resultbase
from pewlike.errors import EstimationError
from pewlike.resultbase import Result, RowEstimates, frame_html, frame_text, t_quantile

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ESTIMATE_COLUMNS", "Estimates", "TestResult", "estimate_columns"]

ESTIMATE_COLUMNS = ("variable", "level", "estimate", "std_error", "ci_lower", "ci_upper", "deff", "n")


def estimate_columns(by: tuple[str, ...] | list[str]) -> list[str]:
    """Contract column order: ``variable, level, <by...>, estimate, std_error, ci_lower, ci_upper, deff, n``.

    Parameters
    ----------
    by : tuple or list of str
        Domain variables, placed after ``level``.

    Returns
    -------
    list of str
    """
    return ["variable", "level", *by, "estimate", "std_error", "ci_lower", "ci_upper", "deff", "n"]


# the text and HTML helpers moved to pewlike.resultbase; these names stay for existing importers
_fmt_num = _resultbase._fmt_num
_frame_text = frame_text
_frame_html = frame_html


@dataclass(frozen=True, eq=False, repr=False)
class Estimates(RowEstimates):
    """Estimates with design-based uncertainty (means, totals, proportions, ratios, quantiles).

    Attributes
    ----------
    kind : str
        ``"mean"``, ``"total"``, ``"proportion"``, ``"ratio"`` or ``"quantile"``.
    variable : str
        The variable (column name) estimated.
    by : tuple of str
        Domain variables.
    frame : pandas.DataFrame
        The rows; read them with :meth:`to_frame`.
    vcov : ndarray or None
        Covariance matrix of the estimates in row order (None for quantiles); the
        unlabelled array behind :attr:`cov`.
    level : float
        Confidence level of the intervals.
    method : str
        Interval method.
    question : str or None
        Question wording of the variable.
    design : str
        One-line description of the design.
    df : float
        Degrees of freedom used for t-based intervals (inf for normal).
    extra : dict
        Further numbers of the call (e.g. ``base_n`` of proportions).
    universe_name : str or None
        The name of the survey's domain (``svy.subset(..., name="Registered voters")``);
        :meth:`to_frame` puts it in ``attrs["universe"]``.
    estimates, std_errors : pandas.Series
        Labelled by the ``by`` levels and the response ``level`` (by the variable for a
        mean without ``by``).
    cov : pandas.DataFrame or None
        :attr:`vcov` with the same labels.

    Methods
    -------
    conf_int(level=None)
        ``ci_lower, ci_upper``; the stored intervals by default.

    Notes
    -----
    The names of :mod:`pewlike.resultbase` are canonical; these older names stay as read-only
    aliases of them, for existing code:

    estimate : ndarray
        ``estimates.to_numpy()``.
    std_error : ndarray
        ``std_errors.to_numpy()``.
    vcov : ndarray or None
        ``cov.to_numpy()`` (the stored field).
    """

    kind: str
    variable: str
    by: tuple[str, ...]
    frame: pd.DataFrame
    vcov: np.ndarray | None = None
    level: float = 0.95
    method: str = "normal"
    question: str | None = None
    design: str = ""
    df: float = float("inf")
    extra: dict[str, Any] = field(default_factory=dict)
    universe_name: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The estimates, one row per level and domain.

        Returns
        -------
        pandas.DataFrame
            ``variable, level, <by...>, estimate, std_error, ci_lower, ci_upper, deff, n``
            (a copy); ``attrs["universe"]`` names the domain when the subset was named.
        """
        frame = self.frame.copy()
        if self.universe_name:
            frame.attrs["universe"] = self.universe_name
        return frame

    @property
    def estimate(self) -> np.ndarray:
        """Alias of :attr:`estimates` as a NumPy array (row order)."""
        return np.array(self.frame["estimate"].to_numpy(dtype=float))  # no labelled Series built for it

    @property
    def std_error(self) -> np.ndarray:
        """Alias of :attr:`std_errors` as a NumPy array (row order)."""
        return np.array(self.frame["std_error"].to_numpy(dtype=float))

    def _label_columns(self) -> Sequence[str]:
        return (*self.by, "level")

    def _intervals(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Wald intervals at another level; only for the ``"normal"`` method (means, totals, ratios)."""
        if self.method != "normal":
            return super()._intervals(level)
        q = t_quantile(float(self.extra.get("level", 0.95)) if level is None else level, self.df)
        est, se = self.estimate, self.std_error
        return est - q * se, est + q * se

    def _title(self) -> str:
        by = f" by {', '.join(self.by)}" if self.by else ""
        return f"{self.kind.capitalize()} of {self.variable}{by}"

    def summary(self) -> str:
        """A readable text table with the call and the design.

        Returns
        -------
        str
        """
        lines = [self._title()]
        if self.question and self.question != self.variable:
            lines.append(f"  {self.question}")
        ci = f"{self.level:.0%} CI: {self.method}"
        lines.append(f"  design: {self.design}; {ci}")
        lines.append(frame_text(self.frame))
        return "\n".join(lines)

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [(self._title(), self.frame)]


@dataclass(frozen=True, eq=False, repr=False)
class TestResult(Result):
    """A design-based test (Rao-Scott chi-squared, t test, Wald test of model terms).

    Attributes
    ----------
    statistic : float
        Test statistic (F, chi-squared or t).
    df : float or tuple of float
        Degrees of freedom; ``(ndf, ddf)`` for F statistics.
    p_value : float
        The p-value (alias of :attr:`pvalues` as a number).
    method : str
        Description, e.g. "Pearson's X^2: Rao & Scott adjustment".
    variables : tuple of str
        The variables (or model terms) tested.
    estimate, std_error : float or None
        For t tests, the difference in means and its SE (aliases of :attr:`estimates`
        and :attr:`std_errors` as numbers); None for the other tests.
    extra : dict
        Further numbers (``groups`` of a t test, ``chisq`` of a Wald test...).
    statistics, pvalues : pandas.Series
        One row, labelled by the variables tested (``"A x B"``), as for a model's terms.
    estimates, std_errors : pandas.Series or None
        t tests: the difference in means and its SE; None for other tests.
    cov : pandas.DataFrame or None
        t tests: the 1 x 1 variance of the difference.

    Methods
    -------
    conf_int(level=None)
        t tests: the interval of the difference on :attr:`df` degrees of freedom, at the
        test's ``level`` unless another is given.

    Notes
    -----
    The names of :mod:`pewlike.resultbase` are canonical; these older names stay as read-only
    aliases of them, for existing code:

    statistic, p_value, estimate, std_error : float
        The single values of :attr:`statistics`, :attr:`pvalues`, :attr:`estimates` and
        :attr:`std_errors` (the stored fields; ``.statistic, .df, .p_value`` are the
        documented API of ``svy.chisq``).
    """

    statistic: float
    df: float | tuple[float, float]
    p_value: float
    method: str
    variables: tuple[str, ...] = ()
    estimate: float | None = None
    std_error: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """What was tested, as in ``to_frame()``'s ``variables`` column (``"A x B"``)."""
        return " x ".join(self.variables)

    def _one(self, value: float | None, name: str) -> pd.Series | None:
        import pandas as pd

        if value is None:
            return None
        return pd.Series([float(value)], index=[self.label], name=name)

    @property
    def statistics(self) -> pd.Series:
        """The test statistic, one row labelled by :attr:`label`."""
        out = self._one(self.statistic, "statistic")
        assert out is not None
        return out

    @property
    def pvalues(self) -> pd.Series:
        """The p-value, one row labelled by :attr:`label`."""
        out = self._one(self.p_value, "p_value")
        assert out is not None
        return out

    @property
    def estimates(self) -> pd.Series | None:
        """t tests: the difference in means (second group minus first); None otherwise."""
        return self._one(self.estimate, "estimate")

    @property
    def std_errors(self) -> pd.Series | None:
        """t tests: the standard error of the difference; None otherwise."""
        return self._one(self.std_error, "std_error")

    @property
    def cov(self) -> pd.DataFrame | None:
        """t tests: the variance of the difference as a 1 x 1 labelled frame; None otherwise."""
        import pandas as pd

        if self.std_error is None:
            return None
        return pd.DataFrame([[float(self.std_error) ** 2]], index=[self.label], columns=[self.label])

    def conf_int(self, level: float | None = None) -> pd.DataFrame:
        """Confidence interval of a t test's difference (t quantile on :attr:`df`).

        Parameters
        ----------
        level : float, optional
            Confidence level; by default the ``level`` the test was run with (0.95).

        Returns
        -------
        pandas.DataFrame
            One row: ``ci_lower, ci_upper``.

        Raises
        ------
        EstimationError
            The test has no estimate (chi-squared and Wald tests).

        Notes
        -----
        Equivalent to ``svyttest(...)$conf.int`` in R survey.
        """
        import pandas as pd

        if self.estimate is None or self.std_error is None or isinstance(self.df, tuple):
            raise EstimationError(f"{self.method} has no estimate, so no confidence interval; conf_int is for t tests")
        q = t_quantile(float(self.extra.get("level", 0.95)) if level is None else level, self.df)
        est, se = float(self.estimate), float(self.std_error)
        return pd.DataFrame({"ci_lower": [est - q * se], "ci_upper": [est + q * se]}, index=[self.label])

    def to_frame(self) -> pd.DataFrame:
        """The test as one row.

        Returns
        -------
        pandas.DataFrame
            ``test, variables, statistic, df, ddf, p_value`` (plus ``estimate`` and
            ``std_error`` for t tests).
        """
        import pandas as pd

        df, ddf = self.df if isinstance(self.df, tuple) else (self.df, np.nan)
        row = {
            "test": self.method,
            "variables": self.label,
            "statistic": self.statistic,
            "df": df,
            "ddf": ddf,
            "p_value": self.p_value,
        }
        if self.estimate is not None:
            row.update(estimate=self.estimate, std_error=self.std_error)
        return pd.DataFrame([row])

    def summary(self) -> str:
        """Readable one-paragraph report of the test.

        Returns
        -------
        str
        """
        df = f"ndf = {self.df[0]:.4g}, ddf = {self.df[1]:.4g}" if isinstance(self.df, tuple) else f"df = {self.df:.4g}"
        out = f"{self.method}\n  {self.label}: statistic = {self.statistic:.4f}, {df}, p = {self.p_value:.4g}"
        if self.estimate is not None:
            out += f"\n  difference = {self.estimate:.4g} (SE {self.std_error:.4g})"
        return out
