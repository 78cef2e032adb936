"""Pew-style number formatting and table files: CSV, Markdown, HTML and one Excel workbook.

Everything written here is byte-reproducible: no clock, no random ids, fixed
zip-entry dates and document properties in the workbook (taken from
``SOURCE_DATE_EPOCH`` when it is set).

Rounding conventions (as Pew Research Center toplines)
------------------------------------------------------
* Percentages are whole numbers, rounded half up on the unrounded share
  (12.5 -> 13); nets are rounded from their own unrounded share, so a net can
  differ by one point from the sum of its rounded parts.
* A share above zero that rounds to 0 is shown as ``"<1"`` (``small="*"`` gives
  Pew's older asterisk convention: "* = less than 0.5%"); one that rounds to
  100 without being 100 is shown as ``">99"``.
* Exactly zero is ``"0"``.
* ``"-"`` marks a cell with no estimate: the question was not asked there, or
  the estimate is suppressed because its base is too small.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from pewlike.errors import PewlikeError
from pewlike.textsafe import formula_like, html_text, markdown_text, plain_text, spreadsheet_cell

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "StrPath",
    "TableDoc",
    "atomic_write",
    "csv_safe",
    "file_safe",
    "fixed_datetime",
    "fmt_int",
    "fmt_points",
    "frame_html",
    "frame_markdown",
    "map_text",
    "pew_percent",
    "pew_percents",
    "write_csv",
    "write_html",
    "write_markdown",
    "write_xlsx",
]

#: Date used for reproducible outputs when ``SOURCE_DATE_EPOCH`` is not set (ATP W49 fieldwork start).
DEFAULT_EPOCH = 1559520000  # 2019-06-03T00:00:00Z

#: A file path as the writers take it: text or a path object.
StrPath: TypeAlias = str | os.PathLike[str]


def file_safe(name: str) -> str:
    """A name usable in file names and HTML ids (``CONCERNCO_W49`` stays, ``a b/c`` -> ``a_b_c``).

    Parameters
    ----------
    name : str
        Any label (a variable, a table name from a spec).

    Returns
    -------
    str
        Runs of characters other than letters, digits, ``_`` and ``-`` replaced by
        one ``_``, outer ``_`` stripped; ``"item"`` when nothing is left.

    Examples
    --------
    >>> file_safe("CONCERNCO_W49"), file_safe("a b/c"), file_safe("%%")
    ('CONCERNCO_W49', 'a_b_c', 'item')
    """
    return re.sub(r"[^A-Za-z0-9_\-]+", "_", str(name)).strip("_") or "item"


def fixed_datetime() -> datetime:
    """The build date of reproducible outputs: ``SOURCE_DATE_EPOCH`` or 2019-06-03 (UTC).

    Returns
    -------
    datetime.datetime
        Timezone-aware (UTC).

    Raises
    ------
    PewlikeError
        ``SOURCE_DATE_EPOCH`` is set but is not an integer number of seconds.

    Notes
    -----
    Follows https://reproducible-builds.org/specs/source-date-epoch/; an
    invalid value raises an error rather than silently using the clock.
    """
    from pewlike.io.epoch import source_date_epoch

    stamp = source_date_epoch()
    return datetime.fromtimestamp(DEFAULT_EPOCH if stamp is None else stamp, tz=UTC)


# ---------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------
def pew_percent(share: float | None, *, small: str = "<1") -> str:
    """Format a share (0-1) as Pew prints percentages.

    Parameters
    ----------
    share : float or None
        A fraction; NaN (or None) means "no estimate".
    small : str
        Text for a share above 0 that rounds to 0 (``"<1"``; Pew toplines use ``"*"``).

    Returns
    -------
    str
        Whole percent rounded half up; ``"<1"``/``">99"`` near the ends;
        ``"0"`` for exactly zero; ``"-"`` for NaN.

    Notes
    -----
    R has no single equivalent; it is ``round()`` with Pew's display rules.

    Examples
    --------
    >>> [pew_percent(x) for x in (0.125, 0.004, 0.0, 0.9996, float("nan"))]
    ['13', '<1', '0', '>99', '-']
    """
    if share is None or not np.isfinite(share):
        return "-"
    if share == 0:
        return "0"
    pct = int(np.floor(share * 100 + 0.5 + 1e-9))
    if pct <= 0:
        return small if share > 0 else "0"
    if pct >= 100 and share < 1:
        return ">99"
    return str(pct)


def pew_percents(shares: Iterable[float], *, small: str = "<1") -> list[str]:
    """:func:`pew_percent` of each share.

    Parameters
    ----------
    shares : iterable of float
        Fractions (NaN for "no estimate").
    small : str
        As in :func:`pew_percent`.

    Returns
    -------
    list of str

    Examples
    --------
    >>> pew_percents([0.333, 0.667], small="*")
    ['33', '67']
    """
    return [pew_percent(float(s), small=small) for s in shares]


def fmt_int(n: int | np.integer) -> str:
    """Unweighted counts with a thousands separator (``4,272``).

    Parameters
    ----------
    n : int
        A count (Python or NumPy integer).

    Returns
    -------
    str

    Examples
    --------
    >>> fmt_int(4272)
    '4,272'
    """
    return f"{int(n):,}"


def fmt_points(x: float | None, digits: int = 1) -> str:
    """A margin of error in percentage points (``"1.9"``).

    Parameters
    ----------
    x : float or None
        Points; NaN, infinite or None print as ``"-"``.
    digits : int
        Decimals shown (Pew prints one).

    Returns
    -------
    str

    Examples
    --------
    >>> fmt_points(1.94), fmt_points(float("nan"))
    ('1.9', '-')
    """
    return "-" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


# ---------------------------------------------------------------------------
# a presentation table
# ---------------------------------------------------------------------------
class TableDoc:
    """A presentation table: a title, a text DataFrame and notes printed under it.

    Parameters
    ----------
    name : str
        File-safe name (``topline_CONCERNCO``); letters, digits, ``_``, ``-``.
    title : str
        Usually the question wording.
    frame : pandas.DataFrame
        Cells as text (Pew-rounded), column names as printed.
    notes : sequence of str
        Base, margin of error, significance and source notes.
    groups : sequence of (label, span)
        Optional header row over the columns (a banner's demographics); spans
        add up to the number of columns.

    Raises
    ------
    PewlikeError
        ``name`` is not file-safe, or the group spans do not add up to the columns.

    Notes
    -----
    A presentation object, not a result: it holds text already rounded by Pew's
    conventions (:func:`pew_percent`) and is what the writers below and the
    report take.  R has no single equivalent; it plays the part of a
    ``knitr::kable`` / ``flextable`` table with its caption and footnotes.

    Examples
    --------
    >>> import pandas as pd
    >>> doc = TableDoc("demo", "Concern", pd.DataFrame({"Response": ["Yes", "No"], "%": ["61", "39"]}), ["N = 100"])
    >>> print(doc.markdown(), end="")
    **Concern**
    <BLANKLINE>
    | Response | % |
    | :--- | ---: |
    | Yes | 61 |
    | No | 39 |
    <BLANKLINE>
    N = 100
    """

    __slots__ = ("frame", "groups", "name", "notes", "title")

    def __init__(
        self,
        name: str,
        title: str,
        frame: pd.DataFrame,
        notes: Sequence[str] = (),
        groups: Sequence[tuple[str, int]] = (),
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
            raise PewlikeError(f"table name {name!r} is not file-safe; use letters, digits, '_' or '-'")
        self.name = name
        self.title = title
        self.frame = frame
        self.notes = tuple(notes)
        if groups and sum(span for _, span in groups) != frame.shape[1]:
            raise PewlikeError(
                f"column groups span {sum(s for _, s in groups)} columns; the table has {frame.shape[1]}"
            )
        self.groups = tuple(groups)

    def markdown(self) -> str:
        """The table as Markdown, title as a bold line and notes below.

        Returns
        -------
        str
            Text ending in a newline; every piece of text is :func:`~pewlike.textsafe.markdown_text`
            (one line, Markdown and HTML markup escaped), so a label cannot add a link, an
            image, raw HTML or a line.
        """
        parts = [f"**{markdown_text(self.title).strip()}**", "", frame_markdown(self.frame)]
        if self.notes:
            parts += [""] + [f"{markdown_text(n)}  " for n in self.notes]
        return "\n".join(parts).rstrip() + "\n"

    def html(self, *, heading: str = "h4") -> str:
        """The table as an HTML fragment (``<figure>`` with caption and notes).

        Parameters
        ----------
        heading : str
            Element of the caption's title (``"h1"`` for a standalone page).

        Returns
        -------
        str
            ``<figure class='table' id='<name>'>``; every piece of text is escaped.
        """
        notes = "".join(f"<p class='note'>{html_text(n)}</p>" for n in self.notes)
        return (
            f"<figure class='table' id='{self.name}'><figcaption><{heading}>{html_text(self.title)}"
            f"</{heading}></figcaption>{frame_html(self.frame, self.groups)}{notes}</figure>"
        )


def _indent(text: str, space: str) -> str:
    """Leading spaces (indented net members) as non-collapsing spaces."""
    stripped = text.lstrip(" ")
    return space * (len(text) - len(stripped)) + stripped


def frame_markdown(frame: pd.DataFrame) -> str:
    """A GitHub Markdown table of a text frame; first column left-aligned, the rest right.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cells as text; leading spaces of the first column (indented net members)
        become non-breaking spaces.

    Returns
    -------
    str
        Header, alignment row and one line per row (no final newline).

    Notes
    -----
    As ``knitr::kable(frame, format = "pipe", align = c("l", "r", ...))`` in R.
    """
    cols = [str(c) for c in frame.columns]
    rows = [
        [_indent(markdown_text(rec[0]), "\u00a0")] + ["" if v is None else markdown_text(v) for v in rec[1:]]
        for rec in frame.itertuples(index=False, name=None)
    ]
    align = [":---"] + ["---:"] * (len(cols) - 1)
    out = ["| " + " | ".join(markdown_text(c) for c in cols) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def frame_html(frame: pd.DataFrame, groups: Sequence[tuple[str, int]] = ()) -> str:
    """An HTML ``<table>`` of a text frame (escaped), with an optional column-group header row.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cells as text; the first column becomes row headers (class ``net`` for
        ``NET`` rows, ``member`` for indented rows).
    groups : sequence of (label, span)
        Optional header row over the columns.

    Returns
    -------
    str
        ``<table>...</table>`` with every header and cell escaped.
    """
    head = "".join(f"<th scope='col'>{html_text(str(c))}</th>" for c in frame.columns)
    if groups:
        top = "".join(f"<th colspan='{span}' scope='colgroup'>{html_text(label)}</th>" for label, span in groups)
        head = f"<tr class='groups'>{top}</tr><tr>{head}</tr>"
    else:
        head = f"<tr>{head}</tr>"
    body = []
    for rec in frame.itertuples(index=False, name=None):
        first, rest = str(rec[0]), rec[1:]
        cls = " class='net'" if first.startswith("NET ") else (" class='member'" if first.startswith(" ") else "")
        cells = [f"<th scope='row'>{html_text(first.strip())}</th>"]
        cells += [f"<td>{html_text('' if v is None else str(v))}</td>" for v in rest]
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<table><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


# ---------------------------------------------------------------------------
# files (all written through a temporary name, then renamed)
# ---------------------------------------------------------------------------
def atomic_write(path: StrPath, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary name in the same folder, then rename it into place.

    Parameters
    ----------
    path : str or path-like
        The file to write; missing folders are created.
    data : bytes

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    The rename is atomic on one file system, so a reader never sees half a file
    and an interrupted build leaves the old file whole.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def write_csv(frame: pd.DataFrame, path: StrPath, *, formula_guard: bool = True) -> Path:
    """Write a frame as UTF-8 CSV with ``\\n`` line ends and full float precision (``repr``).

    Parameters
    ----------
    frame : pandas.DataFrame
        Usually a result's ``to_frame()`` (fractions, not percentages).
    path : str or path-like
    formula_guard : bool
        Text cells and column names that a spreadsheet would run as a formula (they
        begin with ``=``, ``+``, ``-``, ``@`` or a tab and are not a plain number) get a
        single quote before them, as OWASP recommends against CSV injection
        (:func:`~pewlike.textsafe.spreadsheet_cell`).  Numbers, negative ones
        included, are never changed.  ``False`` writes such text as it is, for files
        that feed a program rather than a spreadsheet.

    Returns
    -------
    pathlib.Path
        ``path``, written through :func:`atomic_write`.

    Notes
    -----
    As ``write.csv(frame, path, row.names = FALSE, fileEncoding = "UTF-8")`` in R,
    except that floats keep every digit (Python's shortest round-trip ``repr``;
    R writes 15 significant digits).  Control characters and terminal escape
    sequences are removed from text (:func:`~pewlike.textsafe.plain_text`) whatever
    ``formula_guard`` says.
    """
    frame = csv_safe(frame, formula_guard=formula_guard)
    # pandas-stubs types float_format's argument as object; pandas calls it with the float cells
    text = frame.to_csv(index=False, lineterminator="\n", float_format=lambda x: repr(float(x)))  # type: ignore[arg-type]
    return atomic_write(Path(path), text.encode("utf-8"))


def csv_safe(frame: pd.DataFrame, *, formula_guard: bool = True) -> pd.DataFrame:
    """The frame with every text cell and column name as :func:`~pewlike.textsafe.spreadsheet_cell`.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame; numeric columns and non-text cells are left alone.
    formula_guard : bool
        As in :func:`write_csv`.

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself when nothing needed a change (the usual case), else a copy in
        which the changed text columns hold plain objects.

    Notes
    -----
    No R equivalent (R's ``write.csv`` writes text as it is).

    Examples
    --------
    >>> import pandas as pd
    >>> csv_safe(pd.DataFrame({"level": ["=1+1", "Yes"], "estimate": [-0.5, 0.5]})).to_dict("list")
    {'level': ["'=1+1", 'Yes'], 'estimate': [-0.5, 0.5]}
    """

    return map_text(frame, lambda v: spreadsheet_cell(v, formula_guard=formula_guard))


def map_text(frame: pd.DataFrame, func: Callable[[str], object]) -> pd.DataFrame:
    """The frame with ``func`` applied to every text cell and text column name.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame; numeric, boolean and date columns and non-text cells are left alone.
    func : callable
        Takes a cell's text (e.g. :func:`~pewlike.textsafe.terminal_text`).

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself when ``func`` changed nothing (the usual case: its dtypes and
        bytes stay exactly as they were), else a copy in which the changed columns hold
        plain objects.

    Examples
    --------
    >>> import pandas as pd
    >>> map_text(pd.DataFrame({"a b": ["x y", "z"], "n": [1, 2]}), lambda s: s.replace(" ", "_")).to_dict("list")
    {'a_b': ['x_y', 'z'], 'n': [1, 2]}
    """
    import pandas as pd

    def cell(v: object) -> object:
        return func(v) if isinstance(v, str) else v

    names = [cell(c) for c in frame.columns]
    changed: dict[int, pd.Series] = {}
    for i in range(frame.shape[1]):
        col = frame.iloc[:, i]
        if col.dtype.kind in "biufcmM":  # numbers, booleans and dates are never text
            continue
        values = col.astype(object).to_numpy()
        new = [cell(v) for v in values]
        if any(a is not b and a != b for a, b in zip(new, values)):
            changed[i] = pd.Series(new, index=frame.index, dtype=object)
    if not changed and names == list(frame.columns):
        return frame
    out = frame.set_axis(range(frame.shape[1]), axis=1)
    for i, col in changed.items():
        out[i] = col
    return out.set_axis(names, axis=1)


def write_markdown(doc: TableDoc, path: StrPath) -> Path:
    """Write one :class:`TableDoc` as Markdown.

    Parameters
    ----------
    doc : TableDoc
    path : str or path-like

    Returns
    -------
    pathlib.Path
        ``path``, written through :func:`atomic_write` (UTF-8).

    Notes
    -----
    :meth:`TableDoc.markdown`: a pipe table as ``knitr::kable(format = "pipe")``
    in R, under the title and over the notes.
    """
    return atomic_write(Path(path), doc.markdown().encode("utf-8"))


def write_html(doc: TableDoc, path: StrPath, *, css: str = "") -> Path:
    """Write one :class:`TableDoc` as a standalone HTML page.

    Parameters
    ----------
    doc : TableDoc
    path : str or path-like
    css : str
        Style sheet placed in the page's ``<style>`` element (trusted text, not escaped).

    Returns
    -------
    pathlib.Path
        ``path``, written through :func:`atomic_write` (UTF-8).

    Notes
    -----
    :meth:`TableDoc.html` in a page titled with the table's title; all text from
    the data is escaped.  In R one would knit the ``kable`` to HTML.
    """
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html_text(doc.title)}</title><style>{css}</style></head>"
        f"<body>{doc.html(heading='h1')}</body></html>\n"
    )
    return atomic_write(Path(path), page.encode("utf-8"))


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_names(names: Sequence[str]) -> list[str]:
    """Excel sheet names: at most 31 characters, no ``[]:*?/\\``, unique (case-insensitive)."""
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


def write_xlsx(docs: Sequence[TableDoc], path: StrPath, *, title: str = "pewlike tables") -> Path:
    """Write every table to one Excel workbook, a sheet per table, with fixed bytes.

    The sheet holds the title in A1, the table from row 3 and the notes under
    it.  Document properties and zip entry dates are set to
    :func:`fixed_datetime` so two builds give identical files.

    Parameters
    ----------
    docs : sequence of TableDoc
        One sheet each, named after :attr:`TableDoc.name` (cut to Excel's 31
        characters, made unique).
    path : str or path-like
    title : str
        The workbook's title property.

    Returns
    -------
    pathlib.Path
        ``path``, written through :func:`atomic_write`.

    Raises
    ------
    PewlikeError
        ``docs`` is empty.

    Notes
    -----
    As ``openxlsx::write.xlsx(list_of_tables, path)`` in R, one sheet per table.
    Cells stay text, so Pew's rounded percentages (``"<1"``, ``"-"``) are shown
    exactly as in the other formats.  Every cell is stored with the string type, so a
    label that begins with ``=`` is shown as written and never runs as a formula;
    control characters, which Excel cannot store, are removed
    (:func:`~pewlike.textsafe.plain_text`).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    if not docs:
        raise PewlikeError("no tables to write to the Excel workbook")
    when = fixed_datetime()
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for doc, sheet in zip(docs, _sheet_names([d.name for d in docs])):
        ws = wb.create_sheet(sheet)
        ws["A1"] = plain_text(doc.title)
        _as_text(ws["A1"])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append([])
        if doc.groups:
            _append_text(ws, [cell for label, span in doc.groups for cell in [label, *[None] * (span - 1)]])
            for cell in ws[3]:
                cell.font = bold
        _append_text(ws, [str(c) for c in doc.frame.columns])
        head_row = ws.max_row
        for cell in ws[head_row]:
            cell.font = bold
        for rec in doc.frame.itertuples(index=False, name=None):
            _append_text(ws, ["" if v is None else v for v in rec])
        ws.append([])
        for note in doc.notes:
            _append_text(ws, [note])
        ws.column_dimensions["A"].width = min(
            60, max(12, *(len(str(v)) for v in doc.frame.iloc[:, 0])) if len(doc.frame) else 12
        )
        for row in ws.iter_rows(min_row=head_row + 1, max_row=head_row + len(doc.frame), min_col=2):
            for cell in row:
                cell.alignment = Alignment(horizontal="right")
    wb.properties.creator = "pewlike"
    wb.properties.title = plain_text(title)
    wb.properties.created = when.replace(tzinfo=None)
    buf = io.BytesIO()
    wb.save(buf)
    return atomic_write(Path(path), _normalise_zip(buf.getvalue(), when))


def _append_text(ws: Any, values: Sequence[object]) -> None:
    """Append a row of text cells (``None`` stays empty); see :func:`_as_text`."""
    ws.append([None if v is None else plain_text(v) for v in values])
    for cell in ws[ws.max_row]:
        _as_text(cell)


def _as_text(cell: Any) -> None:
    """Store a cell as text, never as a formula or a number.

    Pew-rounded strings such as ``"<1"`` must not become numbers, and a label such as
    ``=HYPERLINK(...)`` must not become a live formula (openpyxl makes any string that
    starts with ``=`` a formula).  Text that a spreadsheet would read as a formula is also
    marked with Excel's quote prefix, so editing the cell keeps it text; the cell shows the
    label exactly, without a quote.
    """
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if formula_like(cell.value):
            cell.quotePrefix = True


_DCTERMS = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _normalise_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite an OOXML zip with sorted-as-written entries, fixed dates and fixed core properties."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    date_time = max(when.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _DCTERMS.sub(rb"\g<1>" + stamp + rb"\g<2>", body)
            zi = zipfile.ZipInfo(info.filename, date_time=date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, body)
    return out.getvalue()
