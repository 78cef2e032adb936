"""TOML text (report specs, raking targets) parsed with a bound on nesting.

``tomllib`` recurses once per level of ``[`` / ``{`` and builds one table per part of a
dotted key: a document nested 100,000 deep stops it with ``RecursionError`` (or exhausts
memory).  :func:`parse_toml` first scans the text for its deepest nesting, outside strings
and comments, and refuses anything deeper than ``max_depth`` with a one-line error.
"""

from __future__ import annotations

from typing import Any

from pewlike.errors import PewlikeError

__all__ = ["MAX_TOML_DEPTH", "parse_toml", "toml_comment", "toml_depth", "toml_string"]

#: Deepest nesting (brackets, braces and dotted-key parts together) accepted.
MAX_TOML_DEPTH = 50


def _skip_string(text: str, i: int) -> int:
    """Offset just after the string that starts at ``i`` (the end of the text if unterminated)."""
    q = text[i]
    n = len(text)
    if text.startswith(q * 3, i):  # multi-line; basic strings (") have escapes
        j = i + 3
        while j < n:
            if q == '"' and text[j] == "\\":
                j += 2
                continue
            if text.startswith(q * 3, j):
                j += 3
                while j < n and text[j] == q:  # up to two quotes may end the content
                    j += 1
                return j
            j += 1
        return n
    j = i + 1
    while j < n and text[j] != "\n":
        if q == '"' and text[j] == "\\":
            j += 2
            continue
        if text[j] == q:
            return j + 1
        j += 1
    return j


def toml_depth(text: str) -> int:
    """Deepest nesting in TOML ``text``: open brackets and braces plus the parts of a dotted key.

    Parameters
    ----------
    text : str
        A TOML document (it need not be valid).

    Returns
    -------
    int
        0 for flat ``key = value`` lines; ``[a.b]`` counts 2 (1 bracket, 1 dot).

    Examples
    --------
    >>> toml_depth('a = 1'), toml_depth('x = [[1], {b.c = 2}]'), toml_depth('v = "[[[["')
    (0, 3, 0)
    """
    depth = best = dots = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            i = _skip_string(text, i)
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c == "\n":
            dots = 0
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(0, depth - 1)
        elif c == "." and not (0 < i < n - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()):
            dots += 1  # a dotted key (a dot between digits is a number or a time)
        best = max(best, depth + dots)
        i += 1
    return best


def parse_toml(text: str, *, label: str, error: type[PewlikeError], max_depth: int = MAX_TOML_DEPTH) -> dict[str, Any]:
    """Parse TOML ``text`` with ``tomllib`` after checking its nesting.

    Parameters
    ----------
    text : str
        The document.
    label : str
        Its name in messages (a file name).
    error : type of PewlikeError
        Raised for every problem (e.g. :class:`~pewlike.errors.SpecError`).
    max_depth : int
        Deepest nesting accepted (see :func:`toml_depth`).

    Returns
    -------
    dict

    Raises
    ------
    PewlikeError
        Of type ``error``: nested deeper than ``max_depth``, or a TOML syntax error (with
        its line and column).
    """
    import tomllib

    depth = toml_depth(text)
    if depth > max_depth:
        raise error(
            f"{label}: nested {depth} levels deep (brackets, braces and dotted keys), more than {max_depth}; "
            "a spec or targets file needs only a few levels: flatten it"
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{label}: TOML syntax error: {exc}") from None
    except RecursionError:  # a shape the scan did not foresee
        raise error(f"{label}: nested too deeply for the TOML reader; flatten it") from None


def toml_string(text: object) -> str:
    r"""``text`` as a TOML basic string, for specs pewlike writes.

    JSON's escapes are valid TOML; TOML also wants DEL escaped.

    Examples
    --------
    >>> print(toml_string('Say "hi"'))
    "Say \"hi\""
    """
    import json

    return json.dumps(str(text), ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_comment(text: object) -> str:
    r"""Text from a data file made safe for one TOML comment line (no line breaks or control characters).

    Examples
    --------
    >>> toml_comment("Age\n  in years\x7f")
    'Age in years'
    """
    from pewlike.textsafe import plain_text

    return " ".join(plain_text(str(text)).replace("\x7f", "").split())
