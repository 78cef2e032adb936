"""Frozen tree nodes of a parsed condition, and their canonical rendering.

Every node keeps ``pos``, the 0-based offset of its first character in the text, for
messages; ``pos`` takes no part in equality, so ``parse("a==1")`` equals ``parse("a == 1")``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TypeAlias

from pewlike.formula.condition_lex import is_plain_name

__all__ = [
    "And",
    "Arithmetic",
    "Bool",
    "Call",
    "Column",
    "Compare",
    "Membership",
    "Neg",
    "Node",
    "Not",
    "Number",
    "Or",
    "Scalar",
    "String",
    "children",
    "column_names",
    "kind",
    "render",
    "render_literal",
]

#: A literal value in the text: a number, a string or a boolean.
Scalar: TypeAlias = "int | float | str | bool"


def _pos() -> int:
    return field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Number:
    """A number literal (negative numbers are folded: ``-1`` is ``Number(-1)``)."""

    value: int | float
    pos: int = _pos()


@dataclass(frozen=True)
class String:
    """A quoted string literal (escapes already resolved)."""

    value: str
    pos: int = _pos()


@dataclass(frozen=True)
class Bool:
    """``True`` or ``False``."""

    value: bool
    pos: int = _pos()


@dataclass(frozen=True)
class Column:
    """A column name, as written (bare or in backticks); resolved at evaluation."""

    name: str
    pos: int = _pos()


@dataclass(frozen=True)
class Neg:
    """Unary minus of a non-literal."""

    operand: Node
    pos: int = _pos()


@dataclass(frozen=True)
class Arithmetic:
    """``first op1 x1 op2 x2 ...`` at one precedence level (all ``+``/``-`` or all ``*``/``/``)."""

    first: Node
    rest: tuple[tuple[str, Node], ...]
    pos: int = _pos()


@dataclass(frozen=True)
class Compare:
    """A comparison, possibly chained: ``operands[0] ops[0] operands[1] ops[1] ...``."""

    operands: tuple[Node, ...]
    ops: tuple[str, ...]
    pos: int = _pos()


@dataclass(frozen=True)
class Membership:
    """``operand in [values]`` (``negated``: ``not in``)."""

    operand: Node
    values: tuple[int | float | str | bool, ...]
    negated: bool = False
    pos: int = _pos()


@dataclass(frozen=True)
class Not:
    """``not operand``."""

    operand: Node
    pos: int = _pos()


@dataclass(frozen=True)
class And:
    """``operands[0] and operands[1] and ...`` (flattened)."""

    operands: tuple[Node, ...]
    pos: int = _pos()


@dataclass(frozen=True)
class Or:
    """``operands[0] or operands[1] or ...`` (flattened)."""

    operands: tuple[Node, ...]
    pos: int = _pos()


@dataclass(frozen=True)
class Call:
    """A call of an allow-listed function (``isna``, ``notna``, ``abs``) on one argument."""

    func: str
    arg: Node
    pos: int = _pos()


Node: TypeAlias = "Number | String | Bool | Column | Neg | Arithmetic | Compare | Membership | Not | And | Or | Call"


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of ``node``, in text order."""
    if isinstance(node, (And, Or, Compare)):
        return node.operands
    if isinstance(node, (Not, Neg, Membership)):
        return (node.operand,)
    if isinstance(node, Arithmetic):
        return (node.first, *(x for _, x in node.rest))
    if isinstance(node, Call):
        return (node.arg,)
    return ()


def kind(node: Node) -> str:
    """What the text alone says a node is: ``"bool"``, ``"number"``, ``"text"`` or ``"any"`` (a column)."""
    if isinstance(node, (Compare, Membership, Not, And, Or, Bool)):
        return "bool"
    if isinstance(node, Call):
        return "number" if node.func == "abs" else "bool"
    if isinstance(node, (Number, Neg, Arithmetic)):
        return "number"
    if isinstance(node, String):
        return "text"
    return "any"


def column_names(node: Node) -> tuple[str, ...]:
    """Column names referenced, in order of first appearance, without duplicates (no recursion)."""
    seen: dict[str, None] = {}
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, Column):
            seen.setdefault(cur.name, None)
        stack.extend(reversed(children(cur)))
    return tuple(seen)


def _precedence(node: Node) -> int:
    if isinstance(node, Or):
        return 1
    if isinstance(node, And):
        return 2
    if isinstance(node, Not):
        return 3
    if isinstance(node, (Compare, Membership)):
        return 4
    if isinstance(node, Arithmetic):
        return 5 if node.rest[0][0] in "+-" else 6
    if isinstance(node, Neg) or (isinstance(node, Number) and _is_negative(node.value)):
        return 7
    return 8


def _is_negative(value: float) -> bool:
    return value < 0 or (value == 0 and math.copysign(1.0, value) < 0)


def _quote(value: str) -> str:
    out = []
    for c in value:
        if c in "\\'":
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif not c.isprintable():
            o = ord(c)
            out.append(f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
        else:
            out.append(c)
    return "'" + "".join(out) + "'"


def render_literal(value: int | float | str | bool) -> str:
    """A literal as the language writes it (``'label'``, ``1``, ``2.5``, ``True``)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _name(name: str) -> str:
    return name if is_plain_name(name) else f"`{name}`"


def render(node: Node) -> str:
    """Canonical text of ``node``: single spaces, single quotes, only the parentheses needed.

    ``parse(render(node)) == node`` for every parsed node.
    """

    def wrap(child: Node, least: int) -> str:
        text = render(child)
        return f"({text})" if _precedence(child) < least else text

    if isinstance(node, Or):
        return " or ".join(wrap(c, 2) for c in node.operands)
    if isinstance(node, And):
        return " and ".join(wrap(c, 3) for c in node.operands)
    if isinstance(node, Not):
        return "not " + wrap(node.operand, 3)
    if isinstance(node, Compare):
        parts = [wrap(node.operands[0], 5)]
        for op, x in zip(node.ops, node.operands[1:]):
            parts += [op, wrap(x, 5)]
        return " ".join(parts)
    if isinstance(node, Membership):
        op = "not in" if node.negated else "in"
        return f"{wrap(node.operand, 5)} {op} [{', '.join(render_literal(v) for v in node.values)}]"
    if isinstance(node, Arithmetic):
        level = _precedence(node)
        parts = [wrap(node.first, level)]
        for op, x in node.rest:
            parts += [op, wrap(x, level + 1)]
        return " ".join(parts)
    if isinstance(node, Neg):
        return "-" + wrap(node.operand, 7)
    if isinstance(node, Call):
        return f"{node.func}({render(node.arg)})"
    if isinstance(node, Column):
        return _name(node.name)
    return render_literal(node.value)
