"""The workbook writer (pewlike.io.spreadsheetml behind workbook_bytes): read back by openpyxl, cell by cell."""

from __future__ import annotations

import io
import math
import zipfile
from xml.etree import ElementTree

import numpy as np
import openpyxl
import pytest

from pewlike.io.spreadsheetml import column_name
from pewlike.io.workbook import Number, Sheet, workbook_bytes

HOSTILE = [
    "<script>alert(1)</script>",
    "a & b &amp; c ]]> d",
    '=HYPERLINK("http://x","y")',
    "  +1+1",
    "@SUM(A1)",
    "-0.53",
    "Very\x1b]0;pwned\x07 concerned\x00",
    "line one\nline two",
    " leading and trailing ",
    "Müller, 東京, 😀",
]


def _sheets(rng: np.random.Generator) -> list[Sheet]:
    values = rng.normal(size=(6, 30)) * 10.0 ** rng.integers(-12, 12, size=(6, 30))
    values[0, 3] = np.nan
    values[1, 4] = np.inf
    rows = []
    for i in range(6):
        row = [HOSTILE[i]] + [
            Number(float(v), fmt) for v, fmt in zip(values[i], ["0%", "#,##0", "0.0", "0.000", "General"] * 6)
        ]
        rows.append(row + [HOSTILE[(i + 4) % len(HOSTILE)], None, ""])
    return [
        Sheet(
            'tab "one" <&>',
            "Title " + HOSTILE[0],
            ["Response", *[f"c{j}" for j in range(30)], "=note", "", "x"],
            rows,
            notes=["Note " + HOSTILE[2], HOSTILE[1]],
            groups=(("", 1), ("Group <A>", 15), ("=grp", 16)),
        ),
        Sheet('tab "one" <&>', "Second", ["a"], [["only"]]),  # same name: made unique
    ]


def test_every_cell_reads_back_as_written() -> None:
    sheets = _sheets(np.random.default_rng(3))
    data = workbook_bytes(sheets, title="T <&> \x1b[31mred")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert names[0] == "[Content_Types].xml"
        for name in names:  # every part is well-formed XML
            ElementTree.fromstring(z.read(name))
        assert b"<script>" not in b"".join(z.read(n) for n in names)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ['tab "one" <&>', 'tab "one" <&>~2']
    assert wb.properties.title == "T <&> red" and wb.properties.creator == "pewlike"
    ws = wb.worksheets[0]
    assert ws["A1"].value == "Title <script>alert(1)</script>" and ws["A1"].font.b and ws["A1"].font.sz == 12
    assert ws["A3"].value is None and ws["B3"].value == "Group <A>" and ws["B3"].font.b
    assert ws["Q3"].value == "=grp" and ws["Q3"].data_type == "s" and ws["Q3"].quotePrefix
    assert (
        [c.value for c in ws[4]][:3] == ["Response", "c0", "c1"] and ws["AF4"].quotePrefix and ws["AG4"].value is None
    )
    for i, row in enumerate(sheets[0].rows):
        r = 5 + i
        first = ws.cell(row=r, column=1)
        want = HOSTILE[i].replace("\x1b]0;pwned\x07", "").replace("\x00", "")
        assert first.value == want and first.data_type == "s" and first.alignment.horizontal is None
        assert first.quotePrefix == (i in (2, 3, 4))  # formula-like texts, not the number "-0.53"
        for j, cell in enumerate(row[1:31], start=2):
            got = ws.cell(row=r, column=j)
            assert isinstance(cell, Number)
            if not math.isfinite(cell.value):
                assert got.value is None
                continue
            assert got.value == cell.value  # the exact double, not 15 or 16 digits of it
            assert got.data_type == "n" and got.number_format == cell.fmt and got.alignment.horizontal == "right"
        text = ws.cell(row=r, column=32)
        assert text.data_type == "s" and text.alignment.horizontal == "right"
        assert ws.cell(row=r, column=33).value is None and ws.cell(row=r, column=34).value is None
    assert ws["A12"].value == 'Note =HYPERLINK("http://x","y")' and ws["A13"].value == HOSTILE[1]
    assert ws.column_dimensions["A"].width == max(len(h) for h in HOSTILE[:6])  # longest first-column text (12-60)
    assert wb.worksheets[1]["A4"].value == "only" and wb.worksheets[1].column_dimensions["A"].width == 12


def test_bytes_depend_only_on_the_tables_and_the_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    sheets = _sheets(np.random.default_rng(5))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    a, b = workbook_bytes(sheets), workbook_bytes(sheets)
    assert a == b
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    c = workbook_bytes(sheets)
    assert c != a and str(openpyxl.load_workbook(io.BytesIO(c)).properties.created) == "2023-11-14 22:13:20"
    assert str(openpyxl.load_workbook(io.BytesIO(a)).properties.created) == "2019-06-03 00:00:00"


def test_column_letters_past_z() -> None:
    assert [column_name(c) for c in (1, 2, 26, 27, 52, 53, 702, 703, 16384)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
        "XFD",
    ]


def test_whole_numbers_are_written_as_excel_writes_them() -> None:
    """4272.0 is ``<v>4272</v>`` (openpyxl reads an int back); other floats keep every digit."""
    values = [4272.0, -3.0, 0.0, 1e22, 0.1 + 0.2, 123456789.5, 2.0**60]
    data = workbook_bytes([Sheet("s", "T", ["x"], [[Number(v, "General")] for v in values])], title="t")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<v>4272</v>" in sheet and "<v>-3</v>" in sheet and "<v>0</v>" in sheet
    assert "<v>1e+22</v>" in sheet and "<v>0.30000000000000004</v>" in sheet and "<v>1.152921504606847e+18</v>" in sheet
    got = [
        ws_row[0] for ws_row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(min_row=4, values_only=True)
    ]
    assert got == values and [type(v) for v in got[:3]] == [int, int, int]
