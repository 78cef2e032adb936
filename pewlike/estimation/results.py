"""Frozen result objects: ``to_frame()`` is the contract; ``summary()`` is for people.

Tables and figures read ``to_frame()`` and never recompute statistics.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ESTIMATE_COLUMNS", "Estimates", "TestResult", "estimate_columns"]

ESTIMATE_COLUMNS = ("variable", "level", "estimate", "std_error", "ci_lower", "ci_upper", "deff", "n")


def estimate_columns(by: tuple[str, ...] | list[str]) -> list[str]:
    """Contract column order: ``variable, level, <by...>, estimate, std_error, ci_lower, ci_upper, deff, n``."""
    return ["variable", "level", *by, "estimate", "std_error", "ci_lower", "ci_upper", "deff", "n"]


def _fmt_num(v: Any, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.{digits}g}"
    return str(v)


def _frame_text(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    rows = [[_fmt_num(v) for v in rec] for rec in frame.itertuples(index=False, name=None)]
    widths = [max(len(str(c)), *(len(r[i]) for r in rows)) if rows else len(str(c)) for i, c in enumerate(cols)]
    line = "  ".join(str(c).ljust(w) for c, w in zip(cols, widths))
    body = [
        "  ".join(r[i].rjust(widths[i]) if _is_num(frame, cols[i]) else r[i].ljust(widths[i]) for i in range(len(cols)))
        for r in rows
    ]
    return "\n".join([line, *body])


def _is_num(frame, col) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(frame[col].dtype)


def _frame_html(frame: pd.DataFrame, title: str) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt_num(v))}</td>" for v in rec) + "</tr>"
        for rec in frame.itertuples(index=False, name=None)
    )
    return (
        f"<div class='pewlike-result'><p><b>{html.escape(title)}</b></p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


@dataclass(frozen=True, eq=False)
class Estimates:
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
        Covariance matrix of the estimates in row order (None for quantiles).
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
    """

    kind: str
    variable: str
    by: tuple
    frame: pd.DataFrame
    vcov: np.ndarray | None = None
    level: float = 0.95
    method: str = "normal"
    question: str | None = None
    design: str = ""
    df: float = float("inf")
    extra: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The estimates: ``variable, level, <by...>, estimate, std_error, ci_lower, ci_upper, deff, n``."""
        return self.frame.copy()

    @property
    def estimate(self) -> np.ndarray:
        """Point estimates in row order."""
        return self.frame["estimate"].to_numpy()

    @property
    def std_error(self) -> np.ndarray:
        """Standard errors in row order."""
        return self.frame["std_error"].to_numpy()

    def summary(self) -> str:
        """A readable text table with the call and the design."""
        by = f" by {', '.join(self.by)}" if self.by else ""
        title = f"{self.kind.capitalize()} of {self.variable}{by}"
        lines = [title]
        if self.question and self.question != self.variable:
            lines.append(f"  {self.question}")
        ci = f"{self.level:.0%} CI: {self.method}"
        lines.append(f"  design: {self.design}; {ci}")
        lines.append(_frame_text(self.frame))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        by = f" by {', '.join(self.by)}" if self.by else ""
        return _frame_html(self.frame, f"{self.kind.capitalize()} of {self.variable}{by}")


@dataclass(frozen=True, eq=False)
class TestResult:
    """A design-based test (Rao-Scott chi-squared, t test).

    Attributes
    ----------
    statistic : float
        Test statistic (F, chi-squared or t).
    df : float or tuple
        Degrees of freedom; ``(ndf, ddf)`` for F statistics.
    p_value : float
    method : str
        Description, e.g. "Pearson's X^2: Rao & Scott adjustment".
    estimate, std_error : float or None
        For t tests, the difference in means and its SE.
    """

    statistic: float
    df: Any
    p_value: float
    method: str
    variables: tuple = ()
    estimate: float | None = None
    std_error: float | None = None
    extra: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row: ``test, statistic, df, ddf, p_value`` (plus estimate and std_error for t tests)."""
        import pandas as pd

        df, ddf = self.df if isinstance(self.df, tuple) else (self.df, np.nan)
        row = {
            "test": self.method,
            "variables": " x ".join(self.variables),
            "statistic": self.statistic,
            "df": df,
            "ddf": ddf,
            "p_value": self.p_value,
        }
        if self.estimate is not None:
            row.update(estimate=self.estimate, std_error=self.std_error)
        return pd.DataFrame([row])

    def summary(self) -> str:
        """Readable one-paragraph report of the test."""
        df = f"ndf = {self.df[0]:.4g}, ddf = {self.df[1]:.4g}" if isinstance(self.df, tuple) else f"df = {self.df:.4g}"
        out = f"{self.method}\n  {' x '.join(self.variables)}: statistic = {self.statistic:.4f}, {df}, p = {self.p_value:.4g}"
        if self.estimate is not None:
            out += f"\n  difference = {self.estimate:.4g} (SE {self.std_error:.4g})"
        return out

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.summary())}</pre>"
