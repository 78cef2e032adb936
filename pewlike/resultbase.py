"""The shared base of every result: one vocabulary, one way to present itself.

A result is a small frozen object that a verb returns (``svy.mean``, ``svy.chisq``,
``svy.logit``, ``svy.topline``, ``svy.weight_summary``...).  Every result has

* ``to_frame()`` -- the contract: a :class:`pandas.DataFrame` whose columns are fixed by
  the public API; tables and figures read it and never recompute;
* ``summary()`` -- readable text for people, which is also ``str()`` and ``repr()``;
* ``_repr_html_()`` -- the notebook view, escaped HTML built here once: the summary as
  preformatted text, or the tables a subclass names in :meth:`Result._html_tables`.

Results that hold estimates with standard errors share one set of names, labelled like R's
``coef``/``SE``/``vcov``/``confint``:

========================  ================================================================
``estimates``             point estimates (``params`` for models), a Series
``std_errors``            design-based standard errors, a Series
``cov``                   their covariance, a DataFrame (rows and columns labelled)
``statistics``            test statistics, a Series (models and tests)
``pvalues``               p-values, a Series (models and tests)
``conf_int(level)``       ``ci_lower, ci_upper``, a DataFrame
========================  ================================================================

:class:`RowEstimates` implements them for results whose rows follow the estimates
contract (``estimate, std_error, ci_lower, ci_upper`` columns of a frame).  Older names
(``std_error``, ``vcov``, ``coef``, ``tvalues``, ``p_value``...) stay as read-only aliases,
listed in each class's docstring.

This module sits low in the import layers, beside :mod:`pewlike.errors`: estimation, models,
tables and weighting import it; it imports none of them (pandas only inside functions).
"""

from __future__ import annotations

import functools
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import EstimationError
from pewlike.textsafe import html_text, terminal_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Result", "RowEstimates", "frame_html", "frame_text", "row_labels", "t_quantile"]


# ---------------------------------------------------------------------------
# text and HTML of a frame
# ---------------------------------------------------------------------------
#: Characters that would break a table row across lines (a label may hold them).
_LINE_BREAKS = re.compile(r"[\t\n\v\f\r\x85\u2028\u2029]+")


def _cell_text(v: object) -> str:
    """A table cell as one line of terminal-safe text (a label's line breaks and tabs become spaces)."""
    return _LINE_BREAKS.sub(" ", terminal_text(v))


def _fmt_num(v: Any, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.{digits}g}"
    return _cell_text(v)


def _is_num(frame: pd.DataFrame, i: int) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(frame.iloc[:, i].dtype))


def frame_text(frame: pd.DataFrame) -> str:
    """A frame as an aligned plain-text table (numbers right-aligned, 4 significant digits).

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame; missing numbers print as blanks, integers with thousands separators.

    Returns
    -------
    str
        A header line, then one line per row; text is
        :func:`~pewlike.textsafe.terminal_text` (no escape sequence or control character),
        with a label's line breaks and tabs made spaces so that each row stays one line.

    Examples
    --------
    >>> import pandas as pd
    >>> print(frame_text(pd.DataFrame({"level": ["Yes", "No"], "n": [1200, 800], "estimate": [0.61234, 0.38766]})))
    level  n      estimate
    Yes    1,200    0.6123
    No       800    0.3877
    """
    cols = [_cell_text(c) for c in frame.columns]
    rows = [[_fmt_num(v) for v in rec] for rec in frame.itertuples(index=False, name=None)]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths))
    body = [
        "  ".join(r[i].rjust(widths[i]) if _is_num(frame, i) else r[i].ljust(widths[i]) for i in range(len(cols)))
        for r in rows
    ]
    return "\n".join([line, *body])


def frame_html(frame: pd.DataFrame, title: str) -> str:
    """A frame as an HTML table under a bold title; every header, cell and the title are escaped.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame; cells are formatted as in :func:`frame_text`.
    title : str
        Shown above the table (text, not HTML).

    Returns
    -------
    str
        ``<div class='pewlike-result'>...</div>``.
    """
    head = "".join(f"<th>{html_text(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html_text(_fmt_num(v))}</td>" for v in rec) + "</tr>"
        for rec in frame.itertuples(index=False, name=None)
    )
    return (
        f"<div class='pewlike-result'><p><b>{html_text(title)}</b></p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


# ---------------------------------------------------------------------------
# helpers of the vocabulary
# ---------------------------------------------------------------------------
def t_quantile(level: float, df: float) -> float:
    """Two-sided quantile of a confidence ``level``: normal when ``df`` is infinite, else t on ``df``.

    Parameters
    ----------
    level : float
        Confidence level, strictly between 0 and 1.
    df : float
        Degrees of freedom (``inf`` for the normal); NaN is returned when ``df <= 0``.

    Returns
    -------
    float

    Raises
    ------
    EstimationError
        ``level`` is not between 0 and 1.

    Notes
    -----
    ``qt(1 - (1 - level) / 2, df)`` in R, or ``qnorm(...)`` for infinite ``df``, as
    R survey's ``confint`` methods use with ``df = degf(design)`` or ``Inf``.

    Examples
    --------
    >>> round(t_quantile(0.95, float("inf")), 4), round(t_quantile(0.95, 10), 4)
    (1.96, 2.2281)
    """
    from pewlike.distributions import norm_ppf, t_ppf

    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise EstimationError(f"level={level!r} is not valid; give a confidence level between 0 and 1, e.g. 0.95")
    a = 1 - (1 - level) / 2
    if not np.isfinite(df):
        return float(norm_ppf(a))
    return float(t_ppf(a, df)) if df > 0 else float("nan")


def row_labels(frame: pd.DataFrame, columns: Sequence[str], fallback: str = "variable") -> pd.Index:
    """Labels of a result's rows, built from the ``columns`` of ``frame`` that hold any value.

    Parameters
    ----------
    frame : pandas.DataFrame
        A result's rows.
    columns : sequence of str
        Candidate label columns, outer first (e.g. the ``by`` variables, then ``level``).
    fallback : str
        Column used when none of ``columns`` holds a value (a mean has no level).

    Returns
    -------
    pandas.Index
        A plain (or categorical) index for one label column, a MultiIndex for several.
    """
    import pandas as pd

    use = [c for c in columns if c in frame.columns and frame[c].notna().any()] or [fallback]
    if len(use) == 1:
        return pd.Index(frame[use[0]], name=use[0])
    return pd.MultiIndex.from_frame(frame[use])


# ---------------------------------------------------------------------------
# the bases
# ---------------------------------------------------------------------------
class Result(ABC):
    """Base of every pewlike result: ``to_frame()``, ``summary()``, ``str``/``repr`` and notebook HTML.

    Subclasses are frozen dataclasses declared with ``repr=False`` (so that ``repr`` stays
    the summary) and implement :meth:`to_frame` and :meth:`summary`.  They may override
    :meth:`_html_tables` to show tables in notebooks instead of the summary text.

    Notes
    -----
    As R's ``print``/``summary`` methods of survey results: the object computes nothing
    when shown; it formats what the verb stored.

    Labels come from data files: every subclass's :meth:`summary` is wrapped (when the
    class is made) so that its text is :func:`~pewlike.textsafe.terminal_text` -- no
    escape sequence, window title, OSC 8 hyperlink, backspace or bell reaches a terminal.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("summary")
        if callable(own) and not getattr(own, "_terminal_safe", False):
            cls.summary = _terminal_safe(own)  # type: ignore[method-assign,assignment]

    @abstractmethod
    def to_frame(self) -> pd.DataFrame:
        """The result as a tidy DataFrame; its columns are the public contract.

        Returns
        -------
        pandas.DataFrame
        """

    @abstractmethod
    def summary(self) -> str:
        """Readable text for people: what was estimated, on which design, and the numbers.

        Returns
        -------
        str
        """

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return self.summary()

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        """Hook: ``(title, frame)`` pairs to show as HTML tables; empty shows the summary text.

        Returns
        -------
        list of (str, pandas.DataFrame)
        """
        return []

    def _repr_html_(self) -> str:
        """Notebook view: :meth:`_html_tables` as escaped tables, else the escaped summary.

        Returns
        -------
        str
            HTML in which every piece of text (labels, wording, numbers) is escaped.
        """
        tables = self._html_tables()
        if not tables:
            return f"<div class='pewlike-result'><pre>{html_text(self.summary())}</pre></div>"
        return "".join(frame_html(frame, title) for title, frame in tables)


def _terminal_safe(summary: Callable[[Any], str]) -> Callable[[Any], str]:
    """``summary`` whose text is :func:`~pewlike.textsafe.terminal_text`."""

    @functools.wraps(summary)
    def wrapper(self: Any) -> str:
        return terminal_text(summary(self))

    wrapper._terminal_safe = True  # type: ignore[attr-defined]
    return wrapper


class RowEstimates(Result):
    """A result whose rows are estimates with standard errors and intervals.

    The subclass keeps its rows in ``frame`` (columns ``estimate, std_error, ci_lower,
    ci_upper`` among others), their covariance in ``vcov`` and the confidence level of the
    stored intervals in ``level``.  It names the columns that label a row in
    :meth:`_label_columns` and, when ``vcov`` covers only some rows (tables with nets),
    which ones in :meth:`_covered_rows`.

    Attributes
    ----------
    estimates : pandas.Series
        Point estimates, labelled by row (``name="estimate"``).
    std_errors : pandas.Series
        Standard errors (``name="std_error"``).
    cov : pandas.DataFrame or None
        Covariance of the rows it covers, labelled; None when not computed (quantiles).
    """

    frame: pd.DataFrame
    vcov: np.ndarray | None
    level: float

    def _label_columns(self) -> Sequence[str]:
        """Hook: columns of ``frame`` that label a row, outer first (default: ``level``)."""
        return ("level",)

    def _covered_rows(self) -> np.ndarray | None:
        """Hook: boolean mask of the rows ``vcov`` covers (default None: all of them)."""
        return None

    def _labels(self) -> pd.Index:
        return row_labels(self.frame, self._label_columns())

    def _column(self, name: str, series_name: str) -> pd.Series:
        import pandas as pd

        return pd.Series(self.frame[name].to_numpy(dtype=float), index=self._labels(), name=series_name)

    @property
    def estimates(self) -> pd.Series:
        """Point estimates, labelled by row."""
        return self._column("estimate", "estimate")

    @property
    def std_errors(self) -> pd.Series:
        """Design-based standard errors, labelled by row."""
        return self._column("std_error", "std_error")

    @property
    def cov(self) -> pd.DataFrame | None:
        """Design-based covariance of the estimates (rows and columns labelled), or None."""
        import pandas as pd

        if self.vcov is None:
            return None
        labels = self._labels()
        rows = self._covered_rows()
        if rows is not None:
            labels = labels[rows]
        return pd.DataFrame(self.vcov, index=labels, columns=labels)

    def _intervals(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Hook: intervals at a level other than the stored one (default: not available)."""
        raise EstimationError(
            f"the intervals of this result were computed at level={self.level!r}; "
            f"to get level={level!r}, run the estimate again with level={level!r}"
        )

    def conf_int(self, level: float | None = None) -> pd.DataFrame:
        """Confidence intervals, labelled by row.

        Parameters
        ----------
        level : float, optional
            Confidence level; default (None) the level the result was computed at, whose
            intervals are exactly ``to_frame()``'s ``ci_lower, ci_upper``.

        Returns
        -------
        pandas.DataFrame
            Columns ``ci_lower, ci_upper``.

        Raises
        ------
        EstimationError
            Another level was asked for intervals that cannot be recomputed from the
            result alone (proportions' logit or Korn-Graubard intervals, quantiles).

        Notes
        -----
        R's ``confint(result, level=)`` on a survey estimate.
        """
        import pandas as pd

        if level is None or level == self.level:
            lo = self.frame["ci_lower"].to_numpy(dtype=float)
            hi = self.frame["ci_upper"].to_numpy(dtype=float)
        else:
            t_quantile(level, float("inf"))  # validates the level
            lo, hi = self._intervals(level)
        return pd.DataFrame({"ci_lower": lo, "ci_upper": hi}, index=self._labels())
