"""Recursive-descent parser of the condition language (see :mod:`pewlike.formula.condition`).

The grammar, in Python's precedence (``or`` binds loosest, signs tightest)::

    condition  := disjunct ('or' disjunct)*
    disjunct   := negation ('and' negation)*
    negation   := 'not'* comparison
    comparison := sum (COMPARE sum)*                  (chained like Python: a < b < c)
                | sum ['not'] 'in' list
    sum        := product (('+' | '-') product)*
    product    := signed (('*' | '/') signed)*
    signed     := ('-' | '+')* atom
    atom       := NUMBER | STRING | 'True' | 'False' | name
                | FUNCTION '(' condition ')' | '(' condition ')'
    list       := ('[' | '(') literal (',' literal)* [','] (']' | ')')
    literal    := ['-' | '+'] NUMBER | STRING | 'True' | 'False'
    name       := IDENTIFIER | '`' any characters but a backtick '`'
    COMPARE    := '==' | '!=' | '<' | '<=' | '>' | '>='
    FUNCTION   := 'isna' | 'notna' | 'abs'

Sequences (``a or b or ...``, ``a + b + ...``, ``not not ...``, ``- - x``) are read in loops
into flat nodes; only brackets and calls recurse, five or six frames a level
(``logic -> comparison -> arith -> signed -> atom [-> call]``).  Nesting is limited to
:data:`MAX_DEPTH` levels, so parsing needs at most ~610 frames, well inside Python's default
limit of 1000; should a caller's stack already be nearly full, ``parse_condition`` turns the
RecursionError into a FormulaError.
"""

from __future__ import annotations

import itertools

from pewlike.errors import FormulaError
from pewlike.formula.condition_lex import ALLOWED, FUNCTIONS, MAX_DEPTH, Token, error, printable, tokenize
from pewlike.formula.condition_nodes import (
    And,
    Arithmetic,
    Bool,
    Call,
    Column,
    Compare,
    Membership,
    Neg,
    Node,
    Not,
    Number,
    Or,
    Scalar,
    String,
    children,
    kind,
    render,
)

__all__ = ["parse_node"]

COMPARE = ("==", "!=", "<", "<=", ">", ">=")


class _Parser:
    """Parser state over the token list."""

    def __init__(self, text: str, what: str):
        self.text = text
        self.what = what
        self.tokens = tokenize(text, what)
        self.i = 0
        self.depth = 0

    # -- helpers ---------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self) -> Token:
        return self.tokens[min(self.i + 1, len(self.tokens) - 1)]

    def is_op(self, *values: str) -> bool:
        return self.tok.kind == "op" and self.tok.value in values

    def is_kw(self, value: str, tok: Token | None = None) -> bool:
        tok = tok or self.tok
        return tok.kind == "kw" and tok.value == value

    def fail(self, detail: str) -> FormulaError:
        return error(self.text, self.what, detail)

    def show(self, tok: Token) -> str:
        """The token as the user wrote it, with its column."""
        if tok.kind == "end":
            return f"the end of the {self.what} (column {tok.pos + 1})"
        if tok.kind == "string":
            return f"the quoted text {printable(tok.value[:40])!r} (column {tok.pos + 1})"
        if tok.kind == "qname":
            return f"`{printable(tok.value[:40])}` (column {tok.pos + 1})"
        return f"{printable(tok.value[:40])!r} (column {tok.pos + 1})"

    @staticmethod
    def col(tok: Token) -> str:
        return f"(column {tok.pos + 1})"

    def enter(self, tok: Token, levels: int = 1) -> None:
        self.depth += levels
        if self.depth > MAX_DEPTH:
            raise self.fail(
                f"the {self.what} is nested more than {MAX_DEPTH} levels deep at {self.show(tok)}; simplify it"
            )

    def need(self, node: Node, allowed: tuple[str, ...], role: str) -> Node:
        """Refuse an operand whose kind (known from the text alone) does not fit ``role``."""
        k = kind(node)
        if k in allowed:
            return node
        shown = printable(render(node)[:60])
        noun = {"number": "a number", "text": "text", "bool": "a condition"}[k]
        raise self.fail(f"{role}, but {shown!r} (column {node.pos + 1}) is {noun}")

    # -- grammar ---------------------------------------------------------------------
    def logic(self) -> Node:
        """``condition`` of the grammar: or of ands of negated comparisons, read in a loop."""
        disjuncts: list[Node] = []
        conjuncts: list[Node] = []
        while True:
            nots: list[Token] = []
            while self.is_kw("not"):
                nots.append(self.tok)
                self.i += 1
            if nots:
                self.enter(nots[-1], len(nots))
            node = self.comparison()
            for t in reversed(nots):
                node = Not(self.need(node, ("bool", "any"), "'not' applies to a condition"), pos=t.pos)
            self.depth -= len(nots)
            conjuncts.append(node)
            if self.is_kw("and"):
                self.i += 1
                continue
            disjuncts.append(self.join(conjuncts, "and"))
            conjuncts = []
            if self.is_kw("or"):
                self.i += 1
                continue
            return self.join(disjuncts, "or")

    def join(self, nodes: list[Node], op: str) -> Node:
        if len(nodes) == 1:
            return nodes[0]
        cls = And if op == "and" else Or
        flat: list[Node] = []
        for node in nodes:
            self.need(node, ("bool", "any"), f"'{op}' joins conditions")
            flat.extend(node.operands if isinstance(node, cls) else (node,))
        return cls(tuple(flat), pos=nodes[0].pos)

    def comparison(self) -> Node:
        first = self.arith()
        if self.is_op(*COMPARE):
            operands, ops = [first], []
            while self.is_op(*COMPARE):
                ops.append(self.tok.value)
                self.i += 1
                operands.append(self.arith())
            if self.is_kw("in") or (self.is_kw("not") and self.is_kw("in", self.peek())):
                raise self.fail(f"'in' {self.col(self.tok)} cannot be chained with a comparison; join them with 'and'")
            for a, b in itertools.pairwise(operands):
                kinds = {kind(a), kind(b)}
                if "text" in kinds and kinds & {"number", "bool"}:
                    raise self.fail(
                        f"cannot compare text with a number: {printable(render(a)[:40])!r} (column {a.pos + 1}) "
                        f"and {printable(render(b)[:40])!r} (column {b.pos + 1})"
                    )
            return Compare(tuple(operands), tuple(ops), pos=first.pos)
        negated = self.is_kw("not") and self.is_kw("in", self.peek())
        if self.is_kw("in") or negated:
            self.i += 2 if negated else 1
            values = self.literal_list("not in" if negated else "in")
            if self.is_op(*COMPARE) or self.is_kw("in") or (self.is_kw("not") and self.is_kw("in", self.peek())):
                raise self.fail(f"{self.show(self.tok)} cannot be chained with 'in'; join them with 'and'")
            k = kind(first)
            if (k == "text" and any(not isinstance(v, str) for v in values)) or (
                k in ("number", "bool") and any(isinstance(v, str) for v in values)
            ):
                raise self.fail(f"the list after 'in' mixes text and numbers for {printable(render(first)[:40])!r}")
            return Membership(first, values, negated, pos=first.pos)
        if self.is_kw("not"):
            raise self.fail(f"unexpected 'not' {self.col(self.tok)}; write 'not in [...]' or put 'not' first")
        return first

    def literal_list(self, op: str) -> tuple[Scalar, ...]:
        opener = self.tok
        if not self.is_op("[", "("):
            raise self.fail(
                f"'{op}' takes a list of literals such as [1, 2] or ['Yes', 'No'], "
                f"not {self.show(opener)}; compare with a column using == or !="
            )
        close = "]" if opener.value == "[" else ")"
        self.i += 1
        values: list[Scalar] = []
        while not self.is_op(close):
            tok = self.tok
            sign = 1
            while self.is_op("-", "+"):
                sign = -sign if self.tok.value == "-" else sign
                self.i += 1
            lit = self.atom_literal(self.tok)
            if lit is None or (self.tok is not tok and isinstance(lit, (str, bool))):
                what = "the list ends too early" if self.tok.kind == "end" else f"found {self.show(self.tok)}"
                raise self.fail(
                    f"the list after '{op}' (column {opener.pos + 1}) holds literals only "
                    f"(numbers, quoted labels, True/False); {what}"
                )
            self.i += 1
            values.append(-lit if sign < 0 and isinstance(lit, (int, float)) else lit)
            if self.is_op(","):
                self.i += 1
            elif not self.is_op(close):
                raise self.fail(f"expected ',' or '{close}' in the list after '{op}', found {self.show(self.tok)}")
        if not values:
            raise self.fail(f"empty list after '{op}' (column {opener.pos + 1}); give at least one value")
        self.i += 1
        return tuple(values)

    def atom_literal(self, tok: Token) -> Scalar | None:
        if tok.kind == "number":
            return _number(tok.value)
        if tok.kind == "string":
            return tok.value
        if tok.kind == "kw" and tok.value in ("True", "False"):
            return tok.value == "True"
        return None

    def arith(self) -> Node:
        """``sum`` and ``product`` of the grammar, read in loops into flat nodes."""
        terms: list[tuple[str, Node]] = []
        sign = "+"
        while True:
            factors = [("*", self.signed())]
            while self.is_op("*", "/"):
                op = self.tok.value
                self.i += 1
                factors.append((op, self.signed()))
            terms.append((sign, self.chain(factors)))
            if not self.is_op("+", "-"):
                return self.chain(terms)
            sign = self.tok.value
            self.i += 1

    def chain(self, items: list[tuple[str, Node]]) -> Node:
        """One node for ``a op b op c`` at one precedence level (first item's op is ignored)."""
        if len(items) == 1:
            return items[0][1]
        for i, (op, node) in enumerate(items):
            shown = items[1][0] if i == 0 else op  # the first item's op is a placeholder
            self.need(node, ("number", "bool", "any"), f"arithmetic ('{shown}') needs numbers")
        first = items[0][1]
        rest = tuple(items[1:])
        same = ("+", "-") if rest[0][0] in "+-" else ("*", "/")
        if isinstance(first, Arithmetic) and first.rest[0][0] in same:  # (a + b) + c is a + b + c
            return Arithmetic(first.first, first.rest + rest, pos=first.pos)
        return Arithmetic(first, rest, pos=first.pos)

    def signed(self) -> Node:
        signs: list[Token] = []
        while self.is_op("-", "+"):
            signs.append(self.tok)
            self.i += 1
        if signs:
            self.enter(signs[-1], len(signs))
        node = self.atom()
        for t in reversed(signs):
            if t.value == "+":
                node = self.need(node, ("number", "bool", "any"), "a sign ('+') needs a number")
            elif isinstance(node, Number):
                node = Number(-node.value, pos=t.pos)
            else:
                node = Neg(self.need(node, ("number", "bool", "any"), "a sign ('-') needs a number"), pos=t.pos)
        self.depth -= len(signs)
        return node

    def atom(self) -> Node:
        tok = self.tok
        lit = self.atom_literal(tok)
        if lit is not None:
            self.i += 1
            node: Node
            if isinstance(lit, bool):
                node = Bool(lit, pos=tok.pos)
            elif isinstance(lit, str):
                node = String(lit, pos=tok.pos)
            else:
                node = Number(lit, pos=tok.pos)
        elif tok.kind == "name" and self.peek().kind == "op" and self.peek().value == "(":
            node = self.call(tok)
        elif tok.kind in ("name", "qname"):
            self.i += 1
            node = Column(tok.value, pos=tok.pos)
        elif self.is_op("("):
            self.enter(tok)
            self.i += 1
            inner = self.logic()
            if not self.is_op(")"):
                raise self.fail(f"expected ')' to close the '(' at column {tok.pos + 1}, found {self.show(self.tok)}")
            self.i += 1
            self.depth -= 1
            node = inner
        elif self.is_op("["):
            raise self.fail(f"a list {self.col(tok)} is only allowed after 'in' (comprehensions are not allowed)")
        elif tok.kind == "end":
            prev = self.tokens[self.i - 1] if self.i else None
            after = f" after {self.show(prev)}" if prev is not None else ""
            raise self.fail(f"the {self.what} ends too early{after}; add a value")
        else:
            raise self.fail(f"expected a value, found {self.show(tok)}; {ALLOWED}")
        if self.is_op("("):
            raise self.fail(
                f"calls {self.col(self.tok)} are not allowed; only {', '.join(f + '()' for f in FUNCTIONS)} "
                "can be called, on a column or value"
            )
        if self.is_op("["):
            raise self.fail(f"subscripts {self.col(self.tok)} are not allowed; {ALLOWED}")
        return node

    def call(self, name: Token) -> Node:
        if name.value not in FUNCTIONS:
            raise self.fail(
                f"call to {printable(name.value)!r} (column {name.pos + 1}) is not allowed; the only functions are "
                f"{', '.join(f + '()' for f in FUNCTIONS)}"
            )
        self.i += 2
        self.enter(name)
        if self.is_op(")"):
            raise self.fail(f"{name.value}() (column {name.pos + 1}) takes one argument, as in {name.value}(x)")
        arg = self.logic()
        if not self.is_op(")"):
            found = "a second argument" if self.is_op(",") else self.show(self.tok)
            raise self.fail(f"{name.value}() (column {name.pos + 1}) takes one argument; found {found}")
        self.i += 1
        self.depth -= 1
        if name.value == "abs":
            self.need(arg, ("number", "bool", "any"), "abs() needs a number")
        return Call(name.value, arg, pos=name.pos)


def _number(text: str) -> int | float:
    if any(c in text for c in ".eE"):
        return float(text)
    return int(text)


def _tree_depth(node: Node) -> int:
    """Depth of the tree, computed without recursion."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        cur, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in children(cur))
    return deepest


def parse_node(text: object, what: str = "condition") -> Node:
    """Parse ``text`` into a tree of nodes (the work behind ``parse_condition``).

    Parameters
    ----------
    text : str
        The text to parse.
    what : {"condition", "expression"}
        ``"condition"`` requires a true/false result; ``"expression"`` accepts any value.

    Returns
    -------
    Node

    Raises
    ------
    FormulaError
        The text is not in the language, or exceeds a limit.
    """
    from pewlike.formula.condition_lex import MAX_LENGTH

    if not isinstance(text, str):
        raise FormulaError(f"a {what} must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise error(text, what, f"the {what} is {len(text):,} characters long; the limit is {MAX_LENGTH:,}")
    p = _Parser(text, what)
    if p.tok.kind == "end":
        raise p.fail(f"the {what} is empty; write a comparison such as F_SEX == 'Female'")
    node = p.logic()
    if p.tok.kind != "end":
        tok = p.tok
        if p.is_op(")"):
            raise p.fail(f"unbalanced ')' (column {tok.pos + 1}): no '(' opens it")
        if tok.kind == "name" and tok.value.lower() in ("and", "or", "not", "in"):
            raise p.fail(f"unexpected {p.show(tok)}; the operator is written in lower case: {tok.value.lower()!r}")
        if tok.kind in ("name", "qname", "number", "string") or p.is_op("("):
            raise p.fail(f"expected an operator before {p.show(tok)}; {ALLOWED}")
        raise p.fail(f"unexpected {p.show(tok)}; {ALLOWED}")
    if _tree_depth(node) > MAX_DEPTH:
        raise p.fail(f"the {what} is nested more than {MAX_DEPTH} levels deep; simplify it")
    if what == "condition":
        k = kind(node)
        if k in ("number", "text"):
            shown = printable(render(node)[:60])
            example = f"{shown} > 0" if k == "number" else f"x == {shown}"
            noun = "a number" if k == "number" else "text"
            raise p.fail(f"a condition must be true or false, but {shown!r} is {noun}; compare it, as in {example}")
    return node
