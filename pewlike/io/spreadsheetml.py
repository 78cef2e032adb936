"""The SpreadsheetML parts of an ``.xlsx`` workbook, written directly (no spreadsheet library).

:func:`pewlike.io.workbook.workbook_bytes` needs a small part of the format: text and
numbers, three fonts (plain, bold, bold 12 pt), number formats, right alignment, Excel's
quote prefix and the width of column A.  Writing those parts as strings takes a few
milliseconds for a report's 40-odd tables, where building them through openpyxl took half a
second with its import (issue #15: the wait when one table of a report changes).

Every text reaching a part is first made plain (:func:`pewlike.textsafe.plain_text`, which
leaves only characters valid in XML) and then escaped, so a label cannot close an element
or add markup; text cells are inline strings (``t="inlineStr"``), never formulas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

__all__ = ["Style", "StyleTable", "Xml", "column_name", "package_parts"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: Excel's built-in number formats (id by format code); others get ids from 164 up.
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "@": 49}
#: Fonts by name: Excel's default body font, in bold, and bold at 12 points for titles.
_FONTS = {
    "plain": '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    "bold": '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    "title": '<font><b/><sz val="12"/><name val="Calibri"/><family val="2"/></font>',
}
_FONT_ID = {name: i for i, name in enumerate(_FONTS)}


@dataclass(frozen=True)
class Style:
    """How one cell looks: font (``"plain"``, ``"bold"``, ``"title"``), number format, alignment, quote prefix."""

    font: str = "plain"
    fmt: str = "General"
    right: bool = False
    quote: bool = False


@dataclass
class StyleTable:
    """The workbook's cell formats (``cellXfs``), numbered in the order they are first used."""

    styles: dict[Style, int] = field(default_factory=lambda: {Style(): 0})
    formats: dict[str, int] = field(default_factory=dict)

    def index(self, style: Style) -> int:
        """The ``s`` attribute of a cell with ``style`` (added on first use).

        Parameters
        ----------
        style : Style

        Returns
        -------
        int
        """
        if style not in self.styles:
            if style.fmt not in _BUILTIN_FORMATS and style.fmt not in self.formats:
                self.formats[style.fmt] = 164 + len(self.formats)
            self.styles[style] = len(self.styles)
        return self.styles[style]

    def xml(self) -> str:
        """The ``xl/styles.xml`` part.

        Returns
        -------
        str
        """
        fmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{escape(code)}"/>' for code, i in self.formats.items())
        xfs = []
        for st in self.styles:
            num = _BUILTIN_FORMATS.get(st.fmt, self.formats.get(st.fmt, 0))
            attrs = f'numFmtId="{num}" fontId="{_FONT_ID[st.font]}" fillId="0" borderId="0" xfId="0"'
            attrs += ' applyNumberFormat="1"' if num else ""
            attrs += ' applyFont="1"' if st.font != "plain" else ""
            attrs += ' quotePrefix="1"' if st.quote else ""
            xfs.append(
                f'<xf {attrs} applyAlignment="1"><alignment horizontal="right"/></xf>' if st.right else f"<xf {attrs}/>"
            )
        return (
            f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(self.formats)}">{fmts}</numFmts>' if self.formats else "")
            + f'<fonts count="{len(_FONTS)}">{"".join(_FONTS.values())}</fonts>'
            + '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            + '<fill><patternFill patternType="gray125"/></fill></fills>'
            + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            + f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            + "</styleSheet>"
        )


def _number(value: float) -> str:
    """A number as a cell value: every digit of the float (``repr``), a whole number without ``.0`` as Excel writes it."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def column_name(col: int) -> str:
    """Excel's letters for a 1-based column number.

    Parameters
    ----------
    col : int

    Returns
    -------
    str

    Examples
    --------
    >>> [column_name(c) for c in (1, 26, 27, 703)]
    ['A', 'Z', 'AA', 'AAA']
    """
    name = ""
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


class Xml:
    """One worksheet's XML, written a row at a time.

    Parameters
    ----------
    styles : StyleTable
        The workbook's formats (shared by its sheets).
    """

    def __init__(self, styles: StyleTable) -> None:
        self.styles = styles
        self.rows: list[str] = []
        self.width: float | None = None

    def row(self, r: int, cells: Sequence[tuple[int, str | float, Style]]) -> None:
        """Add row ``r`` (1-based, ascending) with ``(column, value, style)`` cells in column order.

        A text value is an inline string (an empty text is no cell); a float is a number
        (callers leave out NaN and infinities, which a workbook cannot hold).

        Parameters
        ----------
        r : int
        cells : sequence of (int, str or float, Style)
        """
        out = []
        for c, value, style in cells:
            if value == "":
                continue
            s = self.styles.index(style)
            ref = f"{column_name(c)}{r}"
            sattr = f' s="{s}"' if s else ""
            if isinstance(value, str):
                out.append(
                    f'<c r="{ref}"{sattr} t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
                )
            else:
                assert math.isfinite(value)  # callers write no NaN or infinity
                out.append(f'<c r="{ref}"{sattr}><v>{_number(value)}</v></c>')
        if out:
            self.rows.append(f'<row r="{r}">{"".join(out)}</row>')

    def xml(self) -> str:
        """The ``xl/worksheets/sheetN.xml`` part.

        Returns
        -------
        str
        """
        cols = f'<cols><col min="1" max="1" width="{self.width!r}" customWidth="1"/></cols>' if self.width else ""
        return f'{_HEAD}<worksheet xmlns="{_MAIN}">{cols}<sheetData>{"".join(self.rows)}</sheetData></worksheet>'


def package_parts(
    names: Sequence[str], sheets: Sequence[str], styles: str, *, title: str, when: datetime
) -> list[tuple[str, str]]:
    """Every part of the workbook package, in the order they are zipped.

    Parameters
    ----------
    names : sequence of str
        Sheet names, valid already (:func:`pewlike.io.workbook.sheet_names`).
    sheets : sequence of str
        Each sheet's XML (:meth:`Xml.xml`).
    styles : str
        :meth:`StyleTable.xml`.
    title : str
        Document title (plain text).
    when : datetime.datetime
        Creation and modification date of the document properties.

    Returns
    -------
    list of (str, str)
        Part name and XML.
    """
    n = len(sheets)
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}"/>' for i in range(1, n + 1)
    )
    content_types = (
        f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}"
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    )
    root_rels = (
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = (
        f"{_HEAD}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>pewlike</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    app = (
        f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>pewlike</Application></Properties>"
    )
    entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, start=1)
    )
    workbook = (
        f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{entries}</sheets></workbook>'
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1)
    )
    workbook_rels = (
        f'{_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}'
        f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
    )
    return [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("docProps/app.xml", app),
        ("docProps/core.xml", core),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/styles.xml", styles),
        *((f"xl/worksheets/sheet{i}.xml", xml) for i, xml in enumerate(sheets, start=1)),
    ]
