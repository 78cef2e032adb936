"""The result of :meth:`pewlike.Survey.trend`: shares by wave, and the changes between waves."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pewlike.resultbase import RowEstimates, frame_text

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    import pandas as pd

__all__ = ["Trend", "change_columns", "trend_columns"]


def trend_columns(by: Sequence[str]) -> list[str]:
    """Contract columns of ``Trend.to_frame()``: ``variable, level, wave, <by>, estimate, ..., n``.

    Parameters
    ----------
    by : sequence of str
        The groups' columns.

    Returns
    -------
    list of str
    """
    return ["variable", "level", "wave", *by, "estimate", "std_error", "ci_lower", "ci_upper", "n"]


def change_columns(by: Sequence[str]) -> list[str]:
    """Contract columns of ``Trend.changes()`` (before the added ``significant`` flag).

    Parameters
    ----------
    by : sequence of str
        The groups' columns.

    Returns
    -------
    list of str
        ``variable, level, <by>, from_wave, to_wave, difference, std_error, ci_lower,
        ci_upper, p_value``.
    """
    return [
        "variable",
        "level",
        *by,
        "from_wave",
        "to_wave",
        "difference",
        "std_error",
        "ci_lower",
        "ci_upper",
        "p_value",
    ]


def _points(x: float) -> str:
    """A share as Pew prints it (half up, "<1" near zero), as the report's trend tables do."""
    from pewlike.tables.export import pew_percent

    return pew_percent(x)


@dataclass(frozen=True, eq=False, repr=False)
class Trend(RowEstimates):
    """A question's shares wave by wave, with the changes between waves.

    Attributes
    ----------
    variable : str
        The question's column.
    question : str
        Its wording.
    waves : tuple of str
        The waves, in order.
    by : tuple of str
        The groups' columns.
    base : {"valid", "all"}
        Who is in each share's base.
    frame : pandas.DataFrame
        The rows of :meth:`to_frame`.
    vcov : ndarray or None
        Covariance of the answers' rows (nets are not covered), across waves.
    level : float
        Confidence level of the intervals.
    change_frame : pandas.DataFrame
        The rows of :meth:`changes`.
    alpha : float
        Significance level of the ``significant`` flag.
    df : float
        Degrees of freedom of the change tests (the design's).
    design : str
        One-line description of the stacked design.
    notes : tuple of str
        Notes for the reader (wording that changed between waves).
    covered : ndarray of bool
        Rows of ``frame`` that ``vcov`` covers.
    """

    variable: str
    question: str
    waves: tuple[str, ...]
    by: tuple[str, ...]
    base: str
    frame: pd.DataFrame
    vcov: np.ndarray | None
    level: float
    change_frame: pd.DataFrame
    alpha: float
    df: float
    design: str
    notes: tuple[str, ...]
    covered: np.ndarray

    def _label_columns(self) -> Sequence[str]:
        return (*self.by, "level", "wave")

    def _covered_rows(self) -> np.ndarray | None:
        return self.covered

    def to_frame(self) -> pd.DataFrame:
        """Each wave's share of each answer and net: ``variable, level, wave, <by>, estimate, std_error, ci_lower, ci_upper, n``.

        Returns
        -------
        pandas.DataFrame
            Shares as fractions (0-1).
        """
        return self.frame.copy()

    def changes(self) -> pd.DataFrame:
        """The change between waves of each answer and net, first to last and each adjacent pair.

        Returns
        -------
        pandas.DataFrame
            ``variable, level, <by>, from_wave, to_wave, difference, std_error, ci_lower,
            ci_upper, p_value, significant``: ``difference`` is the later wave's share minus
            the earlier's, a fraction; ``significant`` is ``p_value < alpha``.

        Notes
        -----
        Equivalent to ``svycontrast(svyby(~I(var == x), ~WAVE, design, svymean,
        covmat=TRUE), c(-1, 1))`` in R survey, with ``2 * pt(-abs(t), degf(design))``.
        """
        return self.change_frame.copy()

    def table(self) -> pd.DataFrame:
        """The Pew trend topline: one row per answer (and group), waves as columns, the change last.

        Returns
        -------
        pandas.DataFrame
            Percentages as text; the change (last wave minus first, in points) is marked
            ``*`` where significant.
        """
        import pandas as pd

        f = self.frame
        first, last = self.waves[0], self.waves[-1]
        ch = self.change_frame
        ch = ch[(ch["from_wave"] == first) & (ch["to_wave"] == last)]
        keys = [*self.by, "level"]
        rows = []
        for key, grp in f.groupby(keys, sort=False, observed=True):
            key = key if isinstance(key, tuple) else (key,)
            rec = dict(zip(keys, (str(k) for k in key), strict=True))
            at = dict(zip(grp["wave"].astype(str), grp["estimate"], strict=True))
            for w in self.waves:
                rec[w] = _points(at.get(w, float("nan")))
            match = ch
            for k, v in zip(keys, key, strict=True):
                match = match[match[k].astype(str) == str(v)]
            if len(match):
                d = float(match["difference"].iloc[0])
                sig = bool(match["significant"].iloc[0])
                rec[f"Change {first}-{last}"] = f"{100 * d:+.0f}" + ("*" if sig else "")
            else:
                rec[f"Change {first}-{last}"] = ""
            rows.append(rec)
        return pd.DataFrame(rows)

    def change_table(self) -> pd.DataFrame:
        """The Pew crosstab of change: one row per answer, one column per group.

        Returns
        -------
        pandas.DataFrame
            The change from the first wave to the last within each group of ``by`` (one
            column when there are no groups), in points as text, ``*`` where significant.
        """
        from pewlike.trends.tables import change_crosstab

        return change_crosstab(self)

    def to_excel(self, path: str | os.PathLike[str]) -> Path:
        """Write the trend topline (and the change by group) to an Excel workbook.

        Parameters
        ----------
        path : str or path-like
            The ``.xlsx`` file.

        Returns
        -------
        pathlib.Path

        Notes
        -----
        Shares and changes are numeric cells in percent formats; a significant change is
        bold and shows ``*`` through its number format.  See
        :func:`pewlike.trends.tables.write_trend_xlsx`.
        """
        from pewlike.trends.tables import write_trend_xlsx

        return write_trend_xlsx(self, path)

    def summary(self) -> str:
        """The trend topline as text, with the base, the test and any wording note.

        Returns
        -------
        str
        """
        base = "those who answered" if self.base == "valid" else "all asked (Refused shown)"
        lines = [
            f"Trend of {self.variable} across waves {', '.join(self.waves)}",
            f"  {self.question}",
            frame_text(self.table()),
            f"Percentages of {base}. * change significant at p < {self.alpha:g} "
            f"(design-based t test, df = {self.df:,.0f}).",
            f"Design: {self.design}",
            *self.notes,
        ]
        if self.by:
            lines += [
                f"Change {self.waves[0]}-{self.waves[-1]} by {', '.join(self.by)} (points)",
                frame_text(self.change_table()),
            ]
        return "\n".join(lines)

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        tables = [(f"Trend of {self.variable}: {self.question}", self.table())]
        if self.by:
            tables.append((f"Change {self.waves[0]}-{self.waves[-1]} by {', '.join(self.by)}", self.change_table()))
        return tables
