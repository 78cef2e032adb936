"""Tokenizer of the condition language (see :mod:`pewlike.formula.condition`).

The tokenizer only *reads* the text: it never evaluates, compiles or looks anything up.
Every refusal is a :class:`~pewlike.errors.FormulaError` naming the 1-based column of the
offending character, the offending text and what is allowed instead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pewlike.errors import FormulaError

__all__ = ["ALLOWED", "FUNCTIONS", "KEYWORDS", "MAX_DEPTH", "MAX_DIGITS", "MAX_LENGTH", "Token", "error", "tokenize"]

#: Longest text accepted (characters); longer text is refused before it is read.
MAX_LENGTH = 10_000
#: Deepest nesting of parentheses, calls, ``not`` and signs (and of the parsed tree).
MAX_DEPTH = 100
#: Most digits in a number literal (and at most 3 in its exponent).
MAX_DIGITS = 30
#: The only functions a condition may call.
FUNCTIONS = ("isna", "notna", "abs")
#: Words of the language; a column with one of these names is written in backticks.
KEYWORDS = frozenset(["and", "or", "not", "in", "True", "False"])
ALLOWED = (
    "use column names, literals, comparisons, in [...], and/or/not, arithmetic (+ - * /) and isna(), notna(), abs()"
)

_IDENT = re.compile(r"[^\W\d]\w*")
_PLAIN = re.compile(r"[^\W\d]\w*\Z")
_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_SPACE = " \t\r\n"
_OPS2 = ("==", "!=", "<=", ">=")
_OPS1 = "<>+-*/()[],"
# Operators and characters outside the language: (what it is, how to say it instead).
_BAD2 = {
    ":=": ("the assignment ':=' (walrus)", ""),
    "**": ("the power operator '**'", ""),
    "//": ("floor division '//'", ""),
    "<>": ("'<>'", "use '!='"),
    "->": ("'->'", ""),
    "&&": ("'&&'", "use 'and'"),
    "||": ("'||'", "use 'or'"),
}
_BAD1 = {
    "@": ("'@' variables", ""),
    "=": ("'=' (assignment or keyword argument)", "use '==' to compare"),
    ":": ("':' (lambda, slice or annotation)", ""),
    ";": ("';'", "a condition is a single expression"),
    "&": ("'&'", "use 'and'"),
    "|": ("'|'", "use 'or'"),
    "~": ("'~'", "use 'not'"),
    "!": ("'!' alone", "use '!=' or 'not'"),
    "%": ("'%'", ""),
    "^": ("'^'", ""),
    "{": ("braces (dicts, sets, f-string fields)", ""),
    "}": ("braces (dicts, sets, f-string fields)", ""),
    "\\": ("a backslash outside a quoted string", ""),
    "#": ("comments ('#')", ""),
    "$": ("'$'", "name the column directly"),
}
# Python words that must never be read as column names: (what it is, how to say it instead).
_RESERVED = {
    "is": ("'is'", "use == or != to compare and isna(x) to test for missing values"),
    "None": ("'None'", "use isna(x) or notna(x) to test for missing values"),
    "lambda": ("lambda functions", ""),
    "if": ("conditional expressions ('if')", ""),
    "else": ("conditional expressions ('else')", ""),
    "for": ("comprehensions and loops ('for')", ""),
}
_STATEMENTS = frozenset(
    [
        "async",
        "await",
        "yield",
        "import",
        "from",
        "def",
        "class",
        "return",
        "del",
        "global",
        "nonlocal",
        "assert",
        "raise",
        "try",
        "except",
        "finally",
        "while",
        "with",
        "as",
        "pass",
        "break",
        "continue",
        "elif",
    ]
)
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_HEX = {"x": 2, "u": 4, "U": 8}
_PREFIXES = frozenset(["f", "r", "b", "u", "rb", "br", "fr", "rf"])


@dataclass(frozen=True)
class Token:
    """One lexical token.

    Attributes
    ----------
    kind : str
        ``"name"`` (identifier), ``"qname"`` (backtick-quoted name), ``"kw"`` (and, or,
        not, in, True, False), ``"number"``, ``"string"``, ``"op"`` or ``"end"``.
    value : str
        The name, keyword, string contents, number text or operator.
    pos : int
        0-based offset of the token's first character.
    """

    kind: str
    value: str
    pos: int


def printable(text: str) -> str:
    """``text`` made safe for a one-line message (control characters escaped)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def error(text: str, what: str, detail: str) -> FormulaError:
    """The one-line error ``<what> "<text>": <detail>`` (long text is shortened)."""
    shown = printable(text[:121])
    if len(text) > 100:
        shown = shown[:100] + f"... ({len(text):,} characters)"
    return FormulaError(f'{what} "{shown}": {detail}')


def _at(pos: int) -> str:
    return f"(column {pos + 1})"


def _refuse(text: str, what: str, pos: int, item: tuple[str, str], extra: str = "") -> FormulaError:
    subject, fix = item
    return error(text, what, f"{subject} {_at(pos)} is not allowed; {fix + '; ' if fix else ''}{ALLOWED}{extra}")


def is_plain_name(name: str) -> bool:
    """True when ``name`` can be written without backticks."""
    return bool(_PLAIN.match(name)) and name not in KEYWORDS and name not in _RESERVED and name not in _STATEMENTS


def _check_name(text: str, what: str, name: str, pos: int) -> None:
    if "__" in name:
        raise error(
            text,
            what,
            f"name {printable(name)!r} {_at(pos)} contains '__' (dunder names are not allowed); "
            "rename the column or remove the double underscore",
        )


def _read_string(text: str, what: str, pos: int) -> tuple[str, int]:
    """Read the quoted string starting at ``pos``; return (contents, end offset)."""
    quote = text[pos]
    if text.startswith(quote * 3, pos):
        raise error(text, what, f"triple-quoted strings {_at(pos)} are not allowed; use '...' or \"...\"")
    out: list[str] = []
    i, n = pos + 1, len(text)
    while i < n:
        c = text[i]
        if c == quote:
            return "".join(out), i + 1
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = text[i + 1 : i + 2]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 2
        elif e in _HEX:
            digits = text[i + 2 : i + 2 + _HEX[e]]
            if len(digits) != _HEX[e] or not all(d in "0123456789abcdefABCDEF" for d in digits):
                raise error(text, what, f"bad escape '\\{e}' {_at(i)}: it takes {_HEX[e]} hexadecimal digits")
            code = int(digits, 16)
            if code > 0x10FFFF:
                raise error(text, what, f"bad escape '\\{e}{digits}' {_at(i)}: no such character")
            out.append(chr(code))
            i += 2 + _HEX[e]
        else:
            raise error(
                text,
                what,
                f"unknown escape '\\{printable(e)}' {_at(i)} in a quoted string; "
                "use \\\\ \\' \\\" \\n \\t \\r \\xhh or \\uhhhh",
            )
    raise error(text, what, f"unterminated string {_at(pos)}: no closing {quote} for the quote here")


def _name_token(text: str, what: str, name: str, pos: int, end: int) -> Token:
    if name in _RESERVED or name in _STATEMENTS:
        item = _RESERVED.get(name, (f"the Python word {name!r}", ""))
        raise _refuse(text, what, pos, item, f" (write a column named {name} as `{name}`)")
    if text[end : end + 1] in ("'", '"'):
        if name.lower() in _PREFIXES:
            raise error(
                text,
                what,
                f"string prefix {name!r} {_at(pos)} (f-strings, raw and byte strings) is not allowed; "
                "write a plain quoted string",
            )
        raise error(text, what, f"quoted text right after the name {name!r} {_at(end)}; put an operator between them")
    _check_name(text, what, name, pos)
    return Token("kw" if name in KEYWORDS else "name", name, pos)


def _number_token(text: str, what: str, pos: int, end: int) -> Token:
    lit = text[pos:end]
    nxt = text[end : end + 1]
    if nxt and (nxt == "." or nxt == "_" or nxt.isalnum()):
        m = re.compile(r"[\w.]*").match(text, end)
        bad = text[pos : m.end() if m else end + 1]
        raise error(
            text,
            what,
            f"malformed number {printable(bad[:40])!r} {_at(pos)}; write decimal numbers such as 12, 0.5 or 1e-3 "
            "(no hexadecimal, no '_', no attribute access)",
        )
    mantissa, _, exponent = lit.lower().partition("e")
    if sum(c.isdigit() for c in mantissa) > MAX_DIGITS or len(exponent.lstrip("+-")) > 3:
        raise error(
            text,
            what,
            f"number {printable(lit[:40])!r}{'...' if len(lit) > 40 else ''} {_at(pos)} is too long; "
            f"numbers have at most {MAX_DIGITS} digits and a 3-digit exponent",
        )
    if not math.isfinite(float(lit)):
        raise error(text, what, f"number {printable(lit)!r} {_at(pos)} is out of range (larger than about 1.8e308)")
    return Token("number", lit, pos)


def tokenize(text: str, what: str = "condition") -> list[Token]:
    """Split ``text`` into tokens, ending with an ``"end"`` token.

    Parameters
    ----------
    text : str
        The condition or expression.
    what : str
        ``"condition"`` or ``"expression"``, for messages.

    Returns
    -------
    list of Token

    Raises
    ------
    FormulaError
        Characters and words outside the language, unterminated strings or backticks,
        dunder names, string prefixes, malformed or oversized numbers.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in _SPACE:
            i += 1
            continue
        m = _IDENT.match(text, i)
        if m:
            tokens.append(_name_token(text, what, m.group(), i, m.end()))
            i = m.end()
            continue
        m = _NUMBER.match(text, i)
        if m:
            tokens.append(_number_token(text, what, i, m.end()))
            i = m.end()
            continue
        if c == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise error(text, what, f"unterminated backtick {_at(i)}: no closing ` for the name here")
            name = text[i + 1 : end]
            if not name.strip():
                raise error(text, what, f"empty backtick name {_at(i)}; put the column name between the backticks")
            _check_name(text, what, name, i)
            tokens.append(Token("qname", name, i))
            i = end + 1
            continue
        if c in "'\"":
            value, end = _read_string(text, what, i)
            tokens.append(Token("string", value, i))
            i = end
            continue
        two = text[i : i + 2]
        if two in _BAD2:
            raise _refuse(text, what, i, _BAD2[two])
        if two in _OPS2:
            tokens.append(Token("op", two, i))
            i += 2
            continue
        if c in _OPS1:
            tokens.append(Token("op", c, i))
            i += 1
            continue
        if c == ".":
            m = _IDENT.match(text, i + 1)
            shown = "." + (m.group() if m else "")
            raise error(
                text,
                what,
                f"attribute access {printable(shown)!r} {_at(i)} is not allowed; {ALLOWED} "
                "(write a column name with a dot in backticks: `a.b`)",
            )
        raise _refuse(text, what, i, _BAD1.get(c, (f"the character {printable(c)!r}", "")))
    tokens.append(Token("end", "", n))
    return tokens
