"""Recursive-descent parser for model formulas (see :mod:`pewlike.formula`).

The grammar, in R's precedence (``^`` binds tightest, then ``:``, ``*``, ``+``/``-``)::

    formula  := response '~' sum
    response := var | var ('in' | 'not' 'in') '[' value (',' value)* ']'
              | var ('==' | '!=') value
    sum      := ['-'] prod (('+' | '-') prod)*
    prod     := inter ('*' inter)*
    inter    := power (':' power)*
    power    := atom ['^' integer]          (atom must be parenthesised)
    atom     := var | '0' | '1' | '(' sum ')'
    var      := name | C(name[, ref=label|index]) | log(name) | sqrt(name)
              | poly(name[, degree]) | scale(name)

The text is never evaluated: names are kept as strings and calls are limited to the
fixed list above.
"""

from __future__ import annotations

import re

from pewlike.errors import FormulaError
from pewlike.formula.lex import MAX_LENGTH, Token, formula_error, tokenize
from pewlike.formula.types import Formula, Response, Term, Variable

__all__ = ["parse_text"]

FUNCTIONS = ("C", "log", "sqrt", "poly", "scale")
_ALLOWED = "use C(), log(), sqrt(), poly(), scale()"
_MAX_DEPTH = 60
#: Most terms a formula may expand to (``a*b*c*...`` doubles them with every factor).
MAX_TERMS = 5_000
#: Largest whole number in a formula (a ``poly()`` degree, a power, a ``ref=`` index).
MAX_INTEGER = 100_000


class _Parser:
    """Recursive-descent parser over the token list; builds terms as frozensets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.vars: dict[Variable, int] = {}
        self.var_pos: dict[Variable, int] = {}
        self.intercept = True

    # -- token helpers -------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def is_op(self, value: str, tok: Token | None = None) -> bool:
        tok = tok or self.tok
        return tok.kind == "op" and tok.value == value

    def error(self, detail: str, tok: Token | None = None) -> FormulaError:
        tok = tok or self.tok
        return formula_error(self.text, tok.pos, detail)

    def describe(self, tok: Token) -> str:
        if tok.kind == "end":
            prev = self.tokens[self.i - 1] if self.i else None
            if prev is not None and prev.kind == "op" and prev.value not in ")]":
                return f"the formula ends after {prev.value!r}; add a term after the operator or remove it"
            return "the formula ends too early"
        if tok.kind == "string":
            return f"unexpected quoted text {tok.value!r}"
        return f"unexpected {tok.value!r}"

    def expect(self, value: str, what: str, opener: Token | None = None) -> Token:
        if opener is not None and self.tok.kind == "end":
            raise self.error(f"unbalanced {opener.value!r}: nothing closes it", opener)
        if not self.is_op(value):
            raise self.error(f"expected {value!r} {what}; {self.describe(self.tok)}")
        tok = self.tok
        self.i += 1
        return tok

    # -- variables -----------------------------------------------------------------
    def _int_arg(self, what: str, minimum: int) -> int:
        tok = self.tok
        if tok.kind != "number" or not re.fullmatch(r"[0-9]+", tok.value) or int(tok.value[:12]) < minimum:
            shown = tok.value if len(tok.value) <= 20 else f"{tok.value[:12]}... ({len(tok.value)} digits)"
            raise self.error(f"{what} must be a whole number of at least {minimum}, got {shown or 'nothing'!r}")
        if len(tok.value) > 12 or int(tok.value) > MAX_INTEGER:
            shown = tok.value if len(tok.value) <= 20 else f"{tok.value[:12]}... ({len(tok.value)} digits)"
            raise self.error(f"{what} is too large ({shown}); it must be at most {MAX_INTEGER:,}")
        self.i += 1
        return int(tok.value)

    def capped(self, terms: list[frozenset[int]], at: Token, count: int | None = None) -> list[frozenset[int]]:
        """``terms``, unless there are (or ``count`` would make) more than :data:`MAX_TERMS` of them."""
        if (len(terms) if count is None else count) > MAX_TERMS:
            raise self.error(
                f"the formula expands to more than {MAX_TERMS:,} terms; write the interactions you need "
                "instead of crossing everything with '*' or '^'",
                at,
            )
        return terms

    def cross(self, left: list[frozenset[int]], right: list[frozenset[int]], at: Token) -> list[frozenset[int]]:
        """Every union of a term of ``left`` with a term of ``right`` (refused before a huge one is built)."""
        if len(left) * len(right) > 50 * MAX_TERMS:
            self.capped([], at, count=len(left) * len(right))
        return self.capped(_trim([a | b for a in left for b in right]), at)

    def _call(self, fname: str, name_tok: Token, open_tok: Token) -> Variable:
        arg = self.tok
        if arg.kind not in ("name", "qname"):
            kind = "a number" if arg.kind == "number" else self.describe(arg)
            raise self.error(f"{fname}() takes a column name, got {kind}; write {fname}(column)")
        self.i += 1
        if self.is_op("("):
            raise self.error(f"calls cannot be nested inside {fname}(); {fname}() takes a column name")
        degree: int | None = None
        ref: str | int | None = None
        keyword = False
        if self.is_op(","):
            self.i += 1
            if fname == "poly":
                if self.tok.kind == "name" and self.tok.value == "degree" and self.is_op("=", self.peek()):
                    self.i += 2
                    keyword = True
                degree = self._int_arg("the degree of poly()", 1)
            elif fname == "C":
                if not (self.tok.kind == "name" and self.tok.value == "ref" and self.is_op("=", self.peek())):
                    raise self.error('C() takes only ref=, as in C(x, ref="level") or C(x, ref=2)')
                self.i += 2
                if self.tok.kind == "string":
                    ref = self.tok.value
                    self.i += 1
                else:
                    ref = self._int_arg("ref= (a quoted level label or a 1-based level number)", 1)
            else:
                raise self.error(f"{fname}() takes one argument, the column name")
        self.expect(")", f"to close {fname}(", open_tok)
        return Variable(arg.value, fname, degree, ref, keyword)

    def variable(self) -> tuple[Variable, Token]:
        tok = self.tok
        if tok.kind not in ("name", "qname"):
            raise self.error(self._not_a_name(tok))
        self.i += 1
        if tok.kind == "name" and self.is_op("("):
            open_tok = self.tok
            if tok.value not in FUNCTIONS:
                raise self.error(f"call to {tok.value!r} is not allowed; {_ALLOWED}", open_tok)
            self.i += 1
            return self._call(tok.value, tok, open_tok), tok
        return Variable(tok.value), tok

    def _not_a_name(self, tok: Token) -> str:
        if tok.kind == "number":
            return (
                f"number {tok.value} where a variable name is expected; only 0 and 1 "
                "(intercept) may stand alone, quote odd column names in backticks"
            )
        return f"expected a variable name; {self.describe(tok)}"

    def index(self, var: Variable) -> int:
        return self.vars.setdefault(var, len(self.vars))

    # -- right-hand side -------------------------------------------------------------
    def sum(self) -> list[frozenset[int]]:
        """Parse a sum; returns the terms (frozensets of variable indices)."""
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.error(f"the formula is nested more than {_MAX_DEPTH} levels deep; simplify it")
        if self.is_op("-"):
            self.i += 1
            terms = _delete([], self.product(negated=True))
        else:
            terms = self.product(negated=False)
        while self.is_op("+") or self.is_op("-"):
            minus = self.tok.value == "-"
            self.i += 1
            right = self.product(negated=minus)
            terms = _delete(terms, right) if minus else _trim(terms + right)
        self.depth -= 1
        return terms

    def product(self, negated: bool) -> list[frozenset[int]]:
        # 0 and 1 may stand alone as summands: they set or remove the intercept.
        tok = self.tok
        if tok.kind == "number" and not self._binary_follows():
            if tok.value in ("0", "1"):
                self.i += 1
                self.intercept = (tok.value == "1") != negated
                return []
            raise self.error(self._not_a_name(tok))
        terms = self.interaction()
        while self.is_op("*") or self.is_op("/"):
            if self.is_op("/"):
                raise self.error("nesting with '/' is not supported; write a + a:b instead of a/b")
            star = self.tok
            self.i += 1
            right = self.interaction()
            terms = self.capped(_trim(terms + right + self.cross(terms, right, star)), star)
        return terms

    def _binary_follows(self) -> bool:
        nxt = self.peek()
        return nxt.kind == "op" and nxt.value in ("*", ":", "^", "/")

    def interaction(self) -> list[frozenset[int]]:
        terms = self.power()
        while self.is_op(":"):
            colon = self.tok
            self.i += 1
            right = self.power()
            terms = self.cross(terms, right, colon)
        return terms

    def power(self) -> list[frozenset[int]]:
        start = self.tok
        if start.kind == "number":
            raise self.error(
                "0 and 1 (intercept) cannot be part of an interaction; write them as separate terms"
                if start.value in ("0", "1")
                else self._not_a_name(start)
            )
        if self.is_op("("):
            self.i += 1
            terms = self.sum()
            self.expect(")", "to close the parenthesis", start)
        else:
            var, vtok = self.variable()
            self.var_pos.setdefault(var, vtok.pos)
            terms = [frozenset([self.index(var)])]
        if self.is_op("^"):
            caret = self.tok
            if not self.is_op("(", start):
                raise self.error(
                    "x^k in a formula means interactions, not a power; use poly(x, k) "
                    "for a polynomial or (a + b)^2 for all two-way interactions",
                    caret,
                )
            self.i += 1
            k = self._int_arg("the power after '^'", 1)
            result = terms
            for _ in range(k - 1):
                grown = self.cross(terms, result, caret)
                if grown == result:  # every interaction is there: higher powers add nothing
                    break
                result = grown
            terms = result
        return terms

    # -- left-hand side ------------------------------------------------------------------
    def value(self) -> str | float:
        tok = self.tok
        sign = 1.0
        if self.is_op("-"):
            sign = -1.0
            self.i += 1
            tok = self.tok
        if tok.kind == "string" and sign > 0:
            self.i += 1
            return tok.value
        if tok.kind == "number":
            self.i += 1
            return sign * float(tok.value)
        raise self.error(f"expected a quoted label or a number; {self.describe(tok)}")

    def response(self) -> Response:
        tok = self.tok
        if self.is_op("~"):
            raise self.error(
                "empty left-hand side; write 'response ~ predictors' (use parse_rhs() for a right-hand side alone)"
            )
        var, _ = self.variable()
        if var.func in ("C", "poly"):
            raise self.error(
                f"{var.func}() cannot be used on the left-hand side; "
                "name the response column, or use log(), sqrt(), scale()",
                tok,
            )
        op = None
        values: list[str | float] = []
        cur = self.tok
        if cur.kind == "name" and cur.value == "in":
            op = "in"
        elif cur.kind == "name" and cur.value == "not" and self.peek().kind == "name" and self.peek().value == "in":
            op = "not in"
            self.i += 1
        elif self.is_op("==") or self.is_op("!="):
            op = cur.value
        if op is not None:
            if var.func is not None:
                raise self.error(f"a comparison needs a plain column name, not {var.label}", cur)
            self.i += 1
            if op in ("==", "!="):
                values.append(self.value())
            else:
                bracket = self.expect("[", f"after '{op}' (write {op} ['label 1', 'label 2'])")
                if self.is_op("]"):
                    raise self.error(f"empty list after '{op}'; give at least one label")
                values.append(self.value())
                while self.is_op(","):
                    self.i += 1
                    if self.is_op("]"):
                        break
                    values.append(self.value())
                self.expect("]", "to close the list of labels", bracket)
        return Response(var, op, tuple(values))


def _trim(terms: list[frozenset[int]]) -> list[frozenset[int]]:
    """Remove repeated and empty terms, keeping first occurrences (R's TrimRepeats)."""
    seen: set[frozenset[int]] = set()
    out: list[frozenset[int]] = []
    for t in terms:
        if t and t not in seen:
            seen.add(t)
            out.append(t)
    return out


def _delete(left: list[frozenset[int]], right: list[frozenset[int]]) -> list[frozenset[int]]:
    drop = set(right)
    return [t for t in left if t not in drop]


def parse_text(text: object, *, with_response: bool) -> Formula:
    """Parse ``text`` into a :class:`Formula` (see :func:`pewlike.formula.parse`).

    Parameters
    ----------
    text : str
        The formula; anything else is refused with a :class:`~pewlike.errors.FormulaError`.
    with_response : bool
        ``True`` for ``response ~ predictors`` (:func:`pewlike.formula.parse`), ``False``
        for a right-hand side alone (:func:`pewlike.formula.parse_rhs`).

    Returns
    -------
    Formula

    Raises
    ------
    FormulaError
        With the 1-based position of the offending token.
    """
    if not isinstance(text, str):
        raise formula_error("", 0, f"a formula must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise formula_error(text, MAX_LENGTH, f"the formula is longer than {MAX_LENGTH} characters")
    p = _Parser(text)
    response: Response | None = None
    tildes = [t for t in p.tokens if t.kind == "op" and t.value == "~"]
    if len(tildes) > 1:
        raise p.error("a formula has one '~'; remove the extra one", tildes[1])
    if with_response:
        if not tildes:
            raise p.error(
                "missing '~'; write 'response ~ predictors' (use parse_rhs() for a right-hand side alone)", p.tokens[0]
            )
        response = p.response()
        p.expect("~", "after the response")
    elif tildes:
        if not p.is_op("~"):
            raise p.error("a right-hand side has no response; remove the text before '~' or use parse()")
        p.i += 1
    if p.tok.kind == "end":
        raise p.error("empty right-hand side; add predictors, or 1 for an intercept-only model")
    terms = p.sum()
    if p.tok.kind != "end":
        tok = p.tok
        if p.is_op(")"):
            raise p.error("unbalanced ')': no '(' opens it")
        if tok.kind in ("name", "qname", "number", "string") or p.is_op("("):
            raise p.error(f"{p.describe(tok)}; join terms with '+', ':' or '*'")
        raise p.error(p.describe(tok))
    order = sorted(p.vars, key=p.vars.__getitem__)
    if response is not None and response.variable in p.vars:
        raise formula_error(
            text,
            p.var_pos[response.variable],
            f"the response {response.variable.label} also appears on the right-hand side; remove it there",
        )
    terms = sorted(terms, key=len)  # stable: by degree, then order of appearance
    built = tuple(Term(tuple(order[i] for i in sorted(t))) for t in terms)
    return Formula(response, built, p.intercept, text, tuple(order))
