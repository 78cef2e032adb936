"""Pew-style tables of a :class:`~pewlike.trends.results.Trend`: the topline and the change by group.

Both are read from ``Trend.to_frame()`` and ``Trend.changes()`` (never recomputed):

* the trend topline -- one row per answer (and group), the waves as columns, then the change
  from the first wave to the last, marked ``*`` where significant;
* the change crosstab -- one row per answer, one column per group, each cell the change from
  the first wave to the last within the group, marked ``*`` where significant.

:func:`write_trend_xlsx` writes both to a workbook whose numbers are numeric cells in a
percent format (a significant change shows its ``*`` through the number format, so the cell
stays a number); every label is made plain and stored as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from pewlike.textsafe import formula_like, plain_text

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    import pandas as pd

    from pewlike.tables.export import StrPath

__all__ = ["TrendLike", "change_crosstab", "change_values", "topline_values", "write_trend_xlsx"]

#: Excel number formats: a share, a change, a significant change (the ``*`` is shown, the cell stays numeric).
SHARE_FORMAT = "0%"
CHANGE_FORMAT = "+0%;-0%;0%"
SIGNIFICANT_FORMAT = '+0%"*";-0%"*";0%"*"'


class TrendLike(Protocol):
    """What the tables read from a trend result."""

    @property
    def variable(self) -> str:
        """The question's column."""
        ...

    @property
    def question(self) -> str:
        """Its wording."""
        ...

    @property
    def waves(self) -> tuple[str, ...]:
        """The waves, in order."""
        ...

    @property
    def by(self) -> tuple[str, ...]:
        """The groups' columns."""
        ...

    @property
    def alpha(self) -> float:
        """Significance level of the change flags."""
        ...

    @property
    def notes(self) -> tuple[str, ...]:
        """Notes for the reader."""
        ...

    def to_frame(self) -> pd.DataFrame:
        """Each wave's shares."""
        ...

    def changes(self) -> pd.DataFrame:
        """The changes between waves."""
        ...


def change_label(trend: TrendLike) -> str:
    """Header of the change column: ``"Change 2019-2023"``.

    Parameters
    ----------
    trend : Trend

    Returns
    -------
    str
    """
    return f"Change {trend.waves[0]}-{trend.waves[-1]}"


def _first_to_last(trend: TrendLike) -> pd.DataFrame:
    ch = trend.changes()
    return ch[(ch["from_wave"] == trend.waves[0]) & (ch["to_wave"] == trend.waves[-1])]


def _group_label(values: Sequence[Any]) -> str:
    return " / ".join(str(v) for v in values)


def topline_values(trend: TrendLike) -> pd.DataFrame:
    """The trend topline with numbers: ``<by>, level, <one column per wave>, change, significant``.

    Parameters
    ----------
    trend : Trend

    Returns
    -------
    pandas.DataFrame
        Shares and the first-to-last change as fractions (NaN where a wave has no
        estimate); ``significant`` is the change's flag.
    """
    import pandas as pd

    frame = trend.to_frame()
    keys = [*trend.by, "level"]
    ch = _first_to_last(trend).copy()
    ch["_key"] = [tuple(str(v) for v in rec) for rec in ch[keys].itertuples(index=False, name=None)]
    by_key = {k: (float(d), bool(s)) for k, d, s in zip(ch["_key"], ch["difference"], ch["significant"], strict=True)}
    rows = []
    for key, grp in frame.groupby(keys, sort=False, observed=True):
        key = tuple(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        rec: dict[str, Any] = dict(zip(keys, key, strict=True))
        at = dict(zip(grp["wave"].astype(str), grp["estimate"].astype(float), strict=True))
        for w in trend.waves:
            rec[w] = at.get(w, float("nan"))
        diff, sig = by_key.get(key, (float("nan"), False))
        rec["change"] = diff
        rec["significant"] = sig
        rows.append(rec)
    return pd.DataFrame(rows, columns=[*keys, *trend.waves, "change", "significant"])


def change_values(trend: TrendLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The change crosstab with numbers: answers as rows, groups as columns.

    Parameters
    ----------
    trend : Trend

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The first-to-last changes (fractions, ``level`` then one column per group; one
        column named after the change when the trend has no groups) and, in the same
        shape, whether each is significant.
    """
    import pandas as pd

    ch = _first_to_last(trend)
    levels = list(dict.fromkeys(trend.to_frame()["level"].astype(str)))
    if trend.by:
        groups = list(dict.fromkeys(_group_label(rec) for rec in ch[list(trend.by)].itertuples(index=False, name=None)))
        labels = [_group_label(rec) for rec in ch[list(trend.by)].itertuples(index=False, name=None)]
    else:
        groups = [change_label(trend)]
        labels = groups * len(ch)
    diff = pd.DataFrame(np.nan, index=levels, columns=groups)
    sig = pd.DataFrame(False, index=levels, columns=groups)
    for lab, lev, d, s in zip(labels, ch["level"].astype(str), ch["difference"], ch["significant"], strict=True):
        diff.loc[lev, lab] = float(d)
        sig.loc[lev, lab] = bool(s)
    diff.index.name = sig.index.name = "level"
    return diff.reset_index(), sig.reset_index()


def _points_change(d: float, sig: bool) -> str:
    if not np.isfinite(d):
        return ""
    return f"{100 * d:+.0f}" + ("*" if sig else "")


def change_crosstab(trend: TrendLike) -> pd.DataFrame:
    """The change from the first wave to the last by group, in points, ``*`` where significant.

    Parameters
    ----------
    trend : Trend

    Returns
    -------
    pandas.DataFrame
        ``level`` then one text column per group (``"+5*"``, ``"-2"``).
    """
    diff, sig = change_values(trend)
    out = diff[["level"]].copy()
    for col in diff.columns[1:]:
        out[col] = [_points_change(float(d), bool(s)) for d, s in zip(diff[col], sig[col], strict=True)]
    return out


def write_trend_xlsx(trend: TrendLike, path: StrPath) -> Path:
    """Write the trend topline (and the change by group) to an Excel workbook.

    Parameters
    ----------
    trend : Trend
    path : str or path-like
        The ``.xlsx`` file, written through a temporary name.

    Returns
    -------
    pathlib.Path

    Notes
    -----
    Sheet "Trend": answers as rows, the waves' shares and the change as numeric cells in
    percent formats (a significant change is shown with ``*`` by its number format and in
    bold).  Sheet "Change by group" when the trend has groups.  Labels and wording are
    :func:`~pewlike.textsafe.plain_text` and stored as text (never a formula); the file is
    byte-reproducible (fixed dates, as :func:`pewlike.tables.export.write_xlsx`).  R has no
    single equivalent (``openxlsx::write.xlsx`` of the two tables).
    """
    from pewlike.io.spreadsheetml import Style, StyleTable, Xml, package_parts
    from pewlike.io.workbook import _zip
    from pewlike.tables.export import atomic_write, fixed_datetime

    styles = StyleTable()
    ws = _Rows(Xml(styles))
    top = topline_values(trend)
    keys = [*trend.by, "level"]
    ws.title(f"{trend.variable}: {trend.question}")
    ws.texts([*keys, *trend.waves, change_label(trend)], "bold")
    for rec in top.itertuples(index=False, name=None):
        vals = dict(zip(top.columns, rec, strict=True))
        sig = bool(vals["significant"])
        change = (_num(vals["change"]), Style("bold" if sig else "plain", SIGNIFICANT_FORMAT if sig else CHANGE_FORMAT))
        ws.add(
            [_text(vals[k]) for k in keys] + [(_num(vals[w]), Style(fmt=SHARE_FORMAT)) for w in trend.waves] + [change]
        )
    ws.notes(trend)
    sheets, names = [ws.xml.xml()], ["Trend"]
    if trend.by:
        diff, sig_by = change_values(trend)
        ws2 = _Rows(Xml(styles))
        ws2.title(f"{change_label(trend)} by {', '.join(trend.by)}: {trend.question}")
        ws2.texts([str(c) for c in diff.columns], "bold")
        for i in range(len(diff)):
            cells: list[tuple[str | float | None, Style]] = [_text(diff.iloc[i, 0])]
            for j in range(1, diff.shape[1]):
                s = bool(sig_by.iloc[i, j])
                cells.append(
                    (_num(diff.iloc[i, j]), Style("bold" if s else "plain", SIGNIFICANT_FORMAT if s else CHANGE_FORMAT))
                )
            ws2.add(cells)
        ws2.notes(trend)
        sheets.append(ws2.xml.xml())
        names.append("Change by group")
    when = fixed_datetime()
    parts = package_parts(names, sheets, styles.xml(), title=plain_text(f"Trend of {trend.variable}"), when=when)
    return atomic_write(path, _zip(parts, when))


class _Rows:
    """Rows appended one after another to a worksheet (as a spreadsheet's "append")."""

    def __init__(self, xml: Any) -> None:
        self.xml, self.r = xml, 0

    def add(self, cells: Sequence[tuple[str | float | None, Any]]) -> None:
        self.r += 1
        self.xml.row(self.r, [(c, v, st) for c, (v, st) in enumerate(cells, start=1) if v is not None])

    def title(self, text: str) -> None:
        from pewlike.io.spreadsheetml import Style

        value, style = _text(text)
        self.add([(value, Style("title", quote=style.quote))])
        self.add([])

    def texts(self, values: Sequence[object], font: str = "plain") -> None:
        from pewlike.io.spreadsheetml import Style

        self.add([(v, Style(font, quote=st.quote)) for v, st in map(_text, values)])

    def notes(self, trend: TrendLike) -> None:
        self.add([])
        self.texts(
            [f"Percentages; change = last wave minus first, bold and * where significant at p < {trend.alpha:g}."]
        )
        for note in trend.notes:
            self.texts([note])


def _text(value: object) -> tuple[str, Any]:
    """A text cell: plain, and quoted when a spreadsheet would read it as a formula (never run)."""
    from pewlike.io.spreadsheetml import Style

    text = plain_text(value)
    return text, Style(quote=formula_like(text))


def _num(v: Any) -> float | None:
    x = float(v)
    return x if np.isfinite(x) else None
