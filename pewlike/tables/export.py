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

import os
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import numpy as np

from pewlike.errors import PewlikeError
from pewlike.textsafe import html_text, markdown_text, spreadsheet_cell

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.io.workbook import Sheet

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
    "text_sheet",
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
    sheet : pewlike.io.workbook.Sheet, optional
        The same table for a spreadsheet, with numbers as numbers (shares as
        fractions in percent format, letters and flags in their own columns);
        without it the workbook gets the text cells.

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

    __slots__ = ("frame", "groups", "name", "notes", "sheet", "title")

    def __init__(
        self,
        name: str,
        title: str,
        frame: pd.DataFrame,
        notes: Sequence[str] = (),
        groups: Sequence[tuple[str, int]] = (),
        *,
        sheet: Sheet | None = None,
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
        self.sheet = sheet

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
        # each distinct text once (a table repeats its labels in every row)
        fixed = {v: func(v) for v in {v for v in values if isinstance(v, str)}}
        if all(fixed[v] == v for v in fixed):
            continue
        changed[i] = pd.Series([fixed[v] if isinstance(v, str) else v for v in values], index=frame.index, dtype=object)
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


def write_xlsx(docs: Sequence[TableDoc], path: StrPath, *, title: str = "pewlike tables") -> Path:
    """Write every table to one Excel workbook, a sheet per table, with fixed bytes.

    The sheet holds the title (the wording) in A1, the table from row 3 and the
    notes under it.  Document properties and zip entry dates are set to
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
    A table with a :attr:`TableDoc.sheet` (toplines, crosstabs, models) is written
    with numbers as numbers: percentages are the shares with a percent format,
    letters and flags in their own columns, N and margins of error numeric.  Other
    tables are written as their text cells.  Every text cell is stored with the
    string type, so a label that begins with ``=`` is shown as written and never
    runs as a formula; control characters, which Excel cannot store, are removed
    (:func:`~pewlike.textsafe.plain_text`).  See :mod:`pewlike.io.workbook`.
    """
    from pewlike.io.workbook import workbook_bytes

    if not docs:
        raise PewlikeError("no tables to write to the Excel workbook")
    return atomic_write(Path(path), workbook_bytes([text_sheet(d) for d in docs], title=title))


def text_sheet(doc: TableDoc) -> Sheet:
    """The sheet of a table: its :attr:`TableDoc.sheet`, else its text cells.

    Parameters
    ----------
    doc : TableDoc

    Returns
    -------
    pewlike.io.workbook.Sheet
    """
    from pewlike.io.workbook import Sheet

    if doc.sheet is not None:
        return Sheet(doc.name, doc.title, doc.sheet.header, doc.sheet.rows, doc.notes, doc.sheet.groups)
    rows = [["" if v is None else str(v) for v in rec] for rec in doc.frame.itertuples(index=False, name=None)]
    return Sheet(doc.name, doc.title, [str(c) for c in doc.frame.columns], rows, doc.notes, doc.groups)
