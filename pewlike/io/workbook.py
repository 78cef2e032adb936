"""Excel workbooks people can compute with: numbers as numbers, text as text, fixed bytes.

A :class:`Sheet` is one table: a title (the question wording, cell A1), optional group
headers, a header row, rows of cells and notes under the table.  A cell is text, empty
(``None``) or a :class:`Number` carrying its Excel number format, so a percentage is the
share ``0.71`` shown as ``71%`` and stays computable; significance letters and flags go
in their own text columns.

Text from the data (labels, wording) is untrusted: every text cell is stored with the
string type (never as a formula), made plain (:func:`pewlike.textsafe.plain_text`) and,
when a spreadsheet would read it as a formula, given Excel's quote prefix.

This module sits in :mod:`pewlike.io` so that tables (``Topline.to_excel``) and models
(``ModelResult.to_excel``) can both write workbooks without importing each other.
"""

from __future__ import annotations

import io
import math
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pewlike.errors import PewlikeError
from pewlike.io.spreadsheetml import Style, StyleTable, Xml, package_parts
from pewlike.textsafe import formula_like, plain_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "COUNT",
    "PERCENT",
    "POINTS",
    "Number",
    "Sheet",
    "frame_sheet",
    "sheet_names",
    "workbook_bytes",
    "write_workbook",
]

#: Excel number formats used by the tables.
PERCENT = "0%"
COUNT = "#,##0"
POINTS = "0.0"

#: Date used when ``SOURCE_DATE_EPOCH`` is not set (ATP W49 fieldwork start), as the other writers.
_DEFAULT_EPOCH = 1559520000


@dataclass(frozen=True)
class Number:
    """A numeric cell and its Excel number format.

    Parameters
    ----------
    value : float
        The number (a share as a fraction, ``0.71``, with ``fmt=PERCENT``); NaN is written
        as an empty cell.
    fmt : str
        Excel number format (``"0%"``, ``"#,##0"``, ``"0.000"``...).
    """

    value: float
    fmt: str = "General"


#: A cell: text, a number with its format, or empty.
Cell = str | Number | None


@dataclass(frozen=True)
class Sheet:
    """One table for a workbook.

    Parameters
    ----------
    name : str
        Wanted sheet name (cut to Excel's 31 characters and made unique when written).
    title : str
        Written in A1, bold (the question wording).
    header : sequence of str
        Column names.
    rows : sequence of sequence of Cell
        The body.
    notes : sequence of str
        Written under the table, one a row.
    groups : sequence of (str, int)
        Optional header row over the columns, each label spanning its columns.
    """

    name: str
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    notes: Sequence[str] = ()
    groups: Sequence[tuple[str, int]] = field(default=())


def frame_sheet(frame: pd.DataFrame, *, percent: Sequence[str] = (), counts: Sequence[str] = ()) -> Sheet:
    """Any estimates frame as a sheet: numeric columns as numbers, the rest as text.

    Parameters
    ----------
    frame : pandas.DataFrame
        E.g. a model's ``to_frame()``.
    percent : sequence of str
        Columns of shares to show in percent format.
    counts : sequence of str
        Columns of counts (``#,##0``).

    Returns
    -------
    Sheet
        Other numeric columns use Excel's ``General`` format (full precision).
    """
    import pandas as pd

    fmts: list[str | None] = []
    for col in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(frame[col])
        fmts.append(None if not numeric else PERCENT if col in percent else COUNT if col in counts else "General")
    rows: list[list[Cell]] = []
    for rec in frame.itertuples(index=False, name=None):
        row: list[Cell] = []
        for v, fmt in zip(rec, fmts):
            if fmt is not None and v is not None and not pd.isna(v):
                row.append(Number(float(v), fmt))
            elif v is None or (not isinstance(v, str) and pd.isna(v)):
                row.append(None)
            else:
                row.append(str(v))
        rows.append(row)
    return Sheet("", "", [str(c) for c in frame.columns], rows)


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_names(names: Sequence[str]) -> list[str]:
    """Excel sheet names: at most 31 characters, no ``[]:*?/\\``, unique (case-insensitive).

    Parameters
    ----------
    names : sequence of str

    Returns
    -------
    list of str

    Examples
    --------
    >>> sheet_names(["a/b", "A_b", "x" * 40])[:2]
    ['a_b', 'A_b~2']
    """
    out, seen = [], set()
    for name in names:
        base = _SHEET_BAD.sub("_", name)[:31] or "table"
        cand, k = base, 2
        while cand.lower() in seen:
            suffix = f"~{k}"
            cand, k = base[: 31 - len(suffix)] + suffix, k + 1
        seen.add(cand.lower())
        out.append(cand)
    return out


def fixed_when() -> datetime:
    """The date stamped into workbooks: ``SOURCE_DATE_EPOCH`` when set, else a fixed date.

    Returns
    -------
    datetime.datetime
        In UTC.
    """
    from pewlike.io.epoch import source_date_epoch

    stamp = source_date_epoch()
    return datetime.fromtimestamp(_DEFAULT_EPOCH if stamp is None else stamp, tz=UTC)


def _text(c: int, value: str, font: str = "plain", *, right: bool = False) -> tuple[int, str, Style]:
    """A text cell: made plain, and given Excel's quote prefix when it would read as a formula."""
    text = plain_text(value)
    return c, text, Style(font=font, right=right, quote=formula_like(text))


def _write_sheet(ws: Xml, sheet: Sheet) -> None:
    ws.row(1, [_text(1, sheet.title, "title")])
    r = 3
    if sheet.groups:
        c, labels = 1, []
        for label, span in sheet.groups:
            if label:
                labels.append(_text(c, label, "bold"))
            c += span
        ws.row(r, labels)
        r += 1
    ws.row(r, [_text(c, str(name), "bold") for c, name in enumerate(sheet.header, start=1)])
    for values in sheet.rows:
        r += 1
        cells: list[tuple[int, str | float, Style]] = []
        for c, v in enumerate(values, start=1):
            if v is None:
                continue
            if isinstance(v, Number):
                if math.isfinite(v.value):
                    cells.append((c, float(v.value), Style(fmt=v.fmt, right=True)))
            else:
                cells.append(_text(c, str(v), right=c > 1))
        ws.row(r, cells)
    r += 1
    for note in sheet.notes:
        r += 1
        ws.row(r, [_text(1, note)])
    first = [str(v) for v in (row[0] for row in sheet.rows if row) if isinstance(v, str)]
    ws.width = min(60, max(12, *(len(v) for v in first))) if first else 12


def workbook_bytes(sheets: Sequence[Sheet], *, title: str = "pewlike tables") -> bytes:
    """The bytes of an ``.xlsx`` workbook, one sheet per :class:`Sheet`, identical from build to build.

    Parameters
    ----------
    sheets : sequence of Sheet
    title : str
        The workbook's title property.

    Returns
    -------
    bytes

    Raises
    ------
    PewlikeError
        ``sheets`` is empty.

    Notes
    -----
    As ``openxlsx::write.xlsx(list_of_tables, path)`` in R, one sheet per table.  Zip entry
    dates and document properties are fixed (:func:`fixed_when`).  The parts are written
    by :mod:`pewlike.io.spreadsheetml`.
    """
    if not sheets:
        raise PewlikeError("no tables to write to the Excel workbook")
    styles = StyleTable()
    parts = []
    for sheet in sheets:
        ws = Xml(styles)
        _write_sheet(ws, sheet)
        parts.append(ws.xml())
    names = sheet_names([s.name for s in sheets])
    when = fixed_when()
    return _zip(package_parts(names, parts, styles.xml(), title=plain_text(title), when=when), when)


def write_workbook(sheets: Sequence[Sheet], path: str | os.PathLike[str], *, title: str = "pewlike tables") -> Path:
    """Write :func:`workbook_bytes` to ``path`` (``.xlsx``) through a temporary name, then rename it.

    Parameters
    ----------
    sheets : sequence of Sheet
    path : str or path-like
        Must end in ``.xlsx``; missing folders are created.
    title : str
        The workbook's title property.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    PewlikeError
        ``path`` does not end in ``.xlsx``, or ``sheets`` is empty.
    """
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise PewlikeError(f"to_excel writes an .xlsx workbook; {str(path)!r} does not end in .xlsx (add .xlsx)")
    data = workbook_bytes(sheets, title=title)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return target


def _zip(parts: Sequence[tuple[str, str | bytes]], when: datetime) -> bytes:
    """A zip of ``parts`` in the given order, every entry dated ``when`` (no clock, no umask)."""
    date_time = max(when.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name, body in parts:
            zi = zipfile.ZipInfo(name, date_time=date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, body.encode("utf-8") if isinstance(body, str) else body)
    return out.getvalue()
