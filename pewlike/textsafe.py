"""Text from strangers, made safe for each place pewlike writes it.

Survey files, their labels and report specs come from other people.  Their text reaches
spreadsheets, Markdown, HTML, SVG and terminals, and each of those reads some characters as
instructions: ``=`` starts a formula in a spreadsheet, ``<script>`` and ``[x](javascript:...)``
are markup in Markdown, ``ESC ] 8 ;`` makes a terminal print a hyperlink, a NUL byte makes an
SVG or an Excel workbook invalid.  The functions here are the only place those rules live;
every writer calls them at its output boundary:

==========================  ==================================================================
:func:`plain_text`          terminal escape sequences and control characters removed
                            (tab and newline kept): XLSX, SVG, PNG, HTML, CSV
:func:`terminal_text`       :func:`plain_text`, and no bidirectional overrides: ``str()`` of
                            results, everything the CLI prints
:func:`markdown_text`       :func:`plain_text` on one line, Markdown and HTML metacharacters
                            escaped: titles, headings, table cells, alt and link text
:func:`markdown_target`     a link target that can only be a relative path pewlike wrote
:func:`html_text`           :func:`plain_text`, HTML-escaped
:func:`formula_like`        would a spreadsheet read this text cell as a formula?
:func:`spreadsheet_cell`    a CSV cell neutralised as OWASP recommends (``'`` before it)
==========================  ==================================================================

Every function returns ordinary text unchanged (``"Very concerned"``, ``"<$30,000 (A)"``,
``"p < .001"``, ``"-0.53"``), so a report without hostile labels is byte-for-byte what it was.

This module sits at the bottom of the import layers (beside :mod:`pewlike.errors`): io,
tables, plots, report and the CLI all import it, and it imports only the standard library.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

__all__ = [
    "formula_like",
    "html_text",
    "markdown_target",
    "markdown_text",
    "plain_text",
    "spreadsheet_cell",
    "terminal_text",
]

# Terminal escape sequences (ECMA-48), removed whole so that no part of them is shown:
# OSC/DCS/SOS/PM/APC strings up to their terminator (BEL or ST), CSI sequences, and the
# two-character escapes; their 8-bit (C1) forms too.  An unterminated string loses its
# introducer only (with the control characters below), so the rest of the label stays.
_ESCAPES = re.compile(
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"  # OSC, DCS, SOS, PM, APC strings
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement, erasing
    r"|\x1b[ -/]*[0-~]"  # other escapes (ESC c resets the terminal)
)
# C0 controls but tab and newline, DEL, C1 controls, lone surrogates, and the two
# non-characters XML forbids (U+FFFE, U+FFFF).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Directional overrides and isolates: a terminal shows the line in another order than its bytes.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Line and paragraph breaks (and tabs) that would break a Markdown line.
_BREAKS = re.compile(r"[\t\n\u2028\u2029]")
# Markdown markup: the backslash (so an escape cannot be undone), code spans, emphasis, table
# cells, headings (escaped always); "_" and "~" (emphasis, strikethrough) unless they cannot
# open or close (inside a word, or between spaces); "]" where it would end a link's text, an
# image's alt text or a reference definition: before "(", "[", ":" or at the end.
_MD_MARKUP = re.compile(r"[\\`*|#_~\[\]]")
# A "<" that could open raw HTML (a tag, a closing tag, a comment, a declaration, a processing
# instruction) or an autolink (URI: a scheme starts with a letter; e-mail: local part then "@").
_MD_LT = re.compile(r"<(?=[A-Za-z/!?]|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@)")
# Cells a spreadsheet reads as a formula (OWASP: = + - @, tab, carriage return; also after
# leading spaces or line breaks, which an import may trim) ...
_FORMULA_START = ("=", "+", "-", "@")
# ... unless they are a plain number ("-0.53", "+1,234.5", "-12%") or Pew's "-" (no estimate).
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?|-")


def plain_text(text: object) -> str:
    """Text without terminal escape sequences or control characters (tab and newline kept).

    Parameters
    ----------
    text : object
        A label, title or cell; anything else is converted with ``str``.

    Returns
    -------
    str
        ``text`` with escape sequences (``ESC [ ... m``, ``ESC ] 0 ; title BEL``, OSC 8
        hyperlinks ...) removed whole, carriage returns turned into newlines, and C0 control
        characters other than tab and newline, DEL, C1 control characters, lone surrogates
        and U+FFFE/U+FFFF removed.  What is left is valid in XML (SVG, XLSX) and harmless in
        a terminal.

    Notes
    -----
    No R equivalent; R writes labels as they are.

    Examples
    --------
    >>> plain_text("Very \\x1b]0;pwned\\x07concerned\\x00")
    'Very concerned'
    >>> plain_text("line one\\r\\nline\\ttwo")
    'line one\\nline\\ttwo'
    """
    s = str(text)
    if s.isprintable():  # the usual label: nothing to remove
        return s
    if ("\n" in s or "\t" in s) and s.replace("\n", "").replace("\t", "").isprintable():
        return s  # lines and tabs only (a whole page): ~7x faster than the two searches below
    s = _ESCAPES.sub("", s)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", s)


def terminal_text(text: object) -> str:
    """Text safe to print to a terminal: :func:`plain_text` without bidirectional overrides.

    Parameters
    ----------
    text : object
        What is about to be printed (a result's summary, a table, a message).

    Returns
    -------
    str
        No escape sequence (colours, window titles, OSC 8 hyperlinks), no backspace, bell or
        carriage return (which could overwrite what was printed), and no directional override
        (U+202A-U+202E, U+2066-U+2069) that would show the line in another order than its
        characters; tabs and newlines kept.

    Examples
    --------
    >>> terminal_text("\\x1b]8;;http://evil\\x1b\\\\link\\x1b]8;;\\x1b\\\\ ok\\x08\\x08")
    'link ok'
    """
    s = plain_text(text)
    return _BIDI.sub("", s) if not s.isascii() else s


def markdown_text(text: object, *, link_text: bool = False) -> str:
    """Text placed in Markdown as text: one line, no markup, no raw HTML.

    Parameters
    ----------
    text : object
        A title, heading, table cell, note, alt text or link text from a label or a spec.
    link_text : bool
        The text goes between ``[`` and ``]`` (a link's text, an image's alt text): every
        bracket is escaped.

    Returns
    -------
    str
        :func:`plain_text` with tabs and line breaks as spaces (a heading or an image line
        cannot be broken), ``&`` as ``&amp;``, a ``<`` that could open a tag, a comment or an
        autolink as ``&lt;``, and the characters that make Markdown markup escaped with a
        backslash: always the backslash, the backtick, ``*``, ``|`` and ``#``; ``_`` and ``~`` unless inside a word or between
        spaces (``F_AGECAT``, ``y ~ x`` stay); ``]`` before ``(``, ``[``, ``:`` or at the end,
        so brackets cannot make a link, an image, a reference or a footnote.  No link, image,
        raw HTML, emphasis, code span or table cell can be made.  A ``<`` before a space, a
        digit or ``$`` stays as it is (``p < .001``, ``<1``, ``<$30,000``): it cannot start
        markup.

    Notes
    -----
    Follows CommonMark 0.31 (raw HTML, autolinks, backslash escapes) and GitHub's table and
    strikethrough extensions.

    Examples
    --------
    >>> markdown_text("[x](javascript:alert(1)) <script>alert(1)</script>")
    '[x\\\\](javascript:alert(1)) &lt;script>alert(1)&lt;/script>'
    >>> markdown_text("Model: y in ['Yes'] ~ F_AGECAT"), markdown_text("a [b]", link_text=True)
    ("Model: y in ['Yes'] ~ F_AGECAT", 'a \\\\[b\\\\]')
    >>> markdown_text("Under $30,000 | <$30,000")
    'Under $30,000 \\\\| <$30,000'
    """
    s = _BREAKS.sub(" ", plain_text(text))
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = _MD_LT.sub("&lt;", s)

    def escape(m: re.Match[str]) -> str:
        ch, i = m.group(), m.start()
        if ch in "_~":
            before = s[i - 1] if i else " "
            after = s[i + 1] if i + 1 < len(s) else " "
            if (before.isspace() and after.isspace()) or (ch == "_" and before.isalnum() and after.isalnum()):
                return ch
        elif not link_text and (ch == "[" or (ch == "]" and s[i + 1 : i + 2] not in ("(", "[", ":", ""))):
            return ch  # a "[" alone, or a "]" that cannot end a link's text
        return "\\" + ch

    return _MD_MARKUP.sub(escape, s)


def markdown_target(path: str) -> str:
    """A link or image target in Markdown that can only be the relative path it names.

    Parameters
    ----------
    path : str
        A relative path of a file pewlike wrote (``tables/topline_Q1.csv``).

    Returns
    -------
    str
        ``path`` percent-encoded except letters, digits and ``/ . _ - ~``: a ``:`` cannot
        make it a ``javascript:`` or ``http:`` link, and spaces or parentheses cannot end it.

    Examples
    --------
    >>> markdown_target("tables/topline_Q1.csv"), markdown_target("javascript:alert(1)/x.csv")
    ('tables/topline_Q1.csv', 'javascript%3Aalert%281%29/x.csv')
    """
    return quote(plain_text(path), safe="/")


def html_text(text: object) -> str:
    """Text placed in HTML (element content or a quoted attribute): control characters out, escaped.

    Parameters
    ----------
    text : object
        A label, title or cell.

    Returns
    -------
    str
        ``html.escape(plain_text(text))``: ``& < > " '`` escaped.

    Examples
    --------
    >>> html_text("<img src=x onerror=alert(1)>\\x07")
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    return html.escape(plain_text(text))


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula rather than show it.

    Parameters
    ----------
    text : str
        A cell's text.

    Returns
    -------
    bool
        True when it begins with a tab or a carriage return, or with ``=``, ``+``, ``-`` or
        ``@`` (OWASP's list) -- also after leading spaces or line breaks, which an import
        may trim -- and is not a plain number (``-0.53``, ``+1,234``, ``-12%``) or Pew's ``-``
        for "no estimate".

    Examples
    --------
    >>> [formula_like(t) for t in ("=1+1", "@SUM(A1)", "  +cmd", "-0.53", "-", "-1.2 - 3.4", "Yes")]
    [True, True, True, False, False, True, False]
    """
    if text.startswith(("\t", "\r")):
        return True
    s = text.lstrip()
    return s.startswith(_FORMULA_START) and _NUMBER.fullmatch(s) is None


def spreadsheet_cell(value: object, *, formula_guard: bool = True) -> object:
    """A CSV cell: text made plain and, when it looks like a formula, stored as text.

    Parameters
    ----------
    value : object
        A cell.  Anything but a ``str`` (numbers, missing values) is returned as it is, so
        negative numbers stay numbers.
    formula_guard : bool
        Prefix formula-like text (see :func:`formula_like`) with a single quote, as OWASP
        recommends against CSV injection; ``False`` keeps it as it is (control characters
        are removed either way).

    Returns
    -------
    object
        ``value``, or its text as :func:`plain_text`, with ``'`` before it when guarded.

    Notes
    -----
    A spreadsheet opening the file shows ``'=1+1`` as the text ``'=1+1``: the quote is
    visible, but nothing is run.  Programs reading the CSV get the quote too; pass
    ``formula_guard=False`` (report spec: ``[output] formula_guard = false``) when the files
    feed a pipeline rather than people.

    Examples
    --------
    >>> [spreadsheet_cell(v) for v in ("=HYPERLINK(\\"http://evil\\")", "\\t=cmd", -0.5, "-0.5", "Yes")]
    ['\\'=HYPERLINK("http://evil")', "'\\t=cmd", -0.5, '-0.5', 'Yes']
    >>> spreadsheet_cell("=2+2", formula_guard=False)
    '=2+2'
    """
    if not isinstance(value, str):
        return value
    s = plain_text(value)
    return "'" + s if formula_guard and formula_like(s) else s
