"""Tokenizer for model formulas (see :mod:`pewlike.formula`).

The tokenizer only *reads* the formula text: it never evaluates, compiles or looks
anything up.  Positions in error messages are 1-based character columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pewlike.errors import FormulaError

__all__ = ["MAX_LENGTH", "Token", "formula_error", "tokenize"]

#: Longest formula accepted (characters); longer text is refused, not parsed.
MAX_LENGTH = 10_000

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?")
_TWO_CHAR = ("==", "!=")
_ONE_CHAR = "~+-*:^()[],=/"
_SPACE = " \t\r\n"
_HINTS = {
    ";": "a formula is a single expression",
    "$": "column access with '$' is not allowed; name the column directly",
    "@": "attribute access is not allowed; name the column directly",
    "{": "braces are not allowed in a formula",
    "}": "braces are not allowed in a formula",
    "%": "operators such as %in% are not supported; use a + a:b",
    "|": "'|' is not supported in a formula",
    "&": "'&' is not supported in a formula",
    ".": "a name starts with a letter or '_'; quote other column names in backticks",
    "!": "use '!=' to compare, or 'not in [...]'",
    "<": "only ==, !=, in and not in can build a binary response",
    ">": "only ==, !=, in and not in can build a binary response",
}


@dataclass(frozen=True)
class Token:
    """One lexical token.

    Attributes
    ----------
    kind : str
        ``"name"`` (bare identifier), ``"qname"`` (backtick-quoted name), ``"number"``,
        ``"string"``, ``"op"`` or ``"end"``.
    value : str
        The name, string contents, number text or operator.
    pos : int
        0-based offset of the token's first character in the formula.
    """

    kind: str
    value: str
    pos: int


def _printable(text: str) -> str:
    """Formula text made safe for a one-line message (control characters escaped)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def formula_error(text: str, pos: int, detail: str) -> FormulaError:
    """Build the one-line error ``formula error at position N in "...": detail``.

    Parameters
    ----------
    text : str
        The whole formula.
    pos : int
        0-based offset of the offending character; reported 1-based.
    detail : str
        What is wrong and how to fix it.
    """
    shown = _printable(text)
    if len(shown) > 200:
        shown = shown[:197] + "..."
    return FormulaError(f'formula error at position {pos + 1} in "{shown}": {detail}')


def _check_name(text: str, name: str, pos: int) -> None:
    if "__" in name:
        raise formula_error(
            text,
            pos,
            f"name {name!r} contains '__' (dunder names are not allowed); "
            "rename the column or remove the double underscore",
        )


def _read_string(text: str, pos: int) -> tuple[str, int]:
    """Read a quoted string starting at ``pos``; return (contents, end offset)."""
    quote = text[pos]
    out: list[str] = []
    i = pos + 1
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and text[i + 1] in (quote, "\\"):
            out.append(text[i + 1])
            i += 2
            continue
        if c == quote:
            return "".join(out), i + 1
        out.append(c)
        i += 1
    raise formula_error(text, pos, f"unterminated string: no closing {quote} for the quote here")


def tokenize(text: str) -> list[Token]:
    """Split a formula into tokens, ending with an ``"end"`` token.

    Parameters
    ----------
    text : str
        Formula text.

    Returns
    -------
    list of Token

    Raises
    ------
    FormulaError
        Stray characters, unterminated strings or backticks, dunder names.

    Notes
    -----
    R's parser (``str2lang``) would accept much more; only what pewlike's formula grammar
    uses is recognised here.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _SPACE:
            i += 1
            continue
        m = _NAME.match(text, i)
        if m:
            _check_name(text, m.group(), i)
            tokens.append(Token("name", m.group(), i))
            i = m.end()
            continue
        m = _NUMBER.match(text, i)
        if m:
            tokens.append(Token("number", m.group(), i))
            i = m.end()
            continue
        if c == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise formula_error(text, i, "unterminated backtick: no closing ` for the name here")
            name = text[i + 1 : end]
            if not name:
                raise formula_error(text, i, "empty backtick name ``; put the column name between the backticks")
            _check_name(text, name, i)
            tokens.append(Token("qname", name, i))
            i = end + 1
            continue
        if c in "'\"":
            value, i2 = _read_string(text, i)
            tokens.append(Token("string", value, i))
            i = i2
            continue
        if text.startswith(_TWO_CHAR, i):
            tokens.append(Token("op", text[i : i + 2], i))
            i += 2
            continue
        if c in _ONE_CHAR:
            tokens.append(Token("op", c, i))
            i += 1
            continue
        hint = _HINTS.get(c, "only names, numbers, quoted labels and ~ + - * : ^ ( ) [ ] , = == != are allowed")
        raise formula_error(text, i, f"unexpected character {_printable(c)!r}; {hint}")
    tokens.append(Token("end", "", n))
    return tokens
