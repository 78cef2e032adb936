"""Vectorised evaluation of a parsed condition tree (see :mod:`pewlike.formula.condition`).

Logic is three-valued, as in SQL: every comparison yields, per row, *true*, *false* or
*unknown* (a missing value was involved), held as two boolean arrays (``true``, ``false``;
unknown is neither).  ``not`` swaps them, ``and``/``or`` follow Kleene's rules, and a
condition selects the rows that are *true*, so ``x != 1`` and ``not x == 1`` never select a
row where ``x`` is missing.  Only ``isna()``/``notna()`` see missing values.

The tree is walked once; each node's work is a handful of numpy operations over all rows.
The walk recurses, but the parser bounds the tree's depth (:data:`MAX_DEPTH`).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from pewlike.errors import FormulaError, VariableError
from pewlike.formula.coding import find_column
from pewlike.formula.condition_data import ColumnData, compare_arrays
from pewlike.formula.condition_lex import printable
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
    String,
    render,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Evaluator", "Logic"]

_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_PY = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Logic:
    """Three-valued result: rows known true, rows known false (the rest are unknown)."""

    true: np.ndarray
    false: np.ndarray

    def numbers(self) -> np.ndarray:
        """1.0 true, 0.0 false, NaN unknown."""
        return np.where(self.true, 1.0, np.where(self.false, 0.0, math.nan))


@dataclass(frozen=True)
class Lit:
    """A literal, not yet spread over rows."""

    value: int | float | str | bool


Value: TypeAlias = "Logic | Lit | ColumnData | np.ndarray"


class Evaluator:
    """Evaluates nodes on one data frame; columns are resolved once and cached.

    Parameters
    ----------
    frame : pandas.DataFrame
    resolve, value_labels, missing : callable, optional
        As :func:`pewlike.formula.condition.evaluate`.
    text : str
        The condition, for messages.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        resolve: Callable[[str], str] | None,
        value_labels: Callable[[str], Mapping[Any, Any] | None] | None,
        missing: Callable[[str], Iterable[Any] | None] | None,
        text: str,
    ):
        self.frame = frame
        self.n = len(frame)
        self.resolve = resolve
        self.value_labels = value_labels
        self.missing = missing
        self.text = text
        self._columns: dict[str, ColumnData] = {}

    # -- columns ---------------------------------------------------------------------
    def column(self, name: str) -> ColumnData:
        """The data column a condition names, resolved and wrapped once.

        Parameters
        ----------
        name : str
            The name as written in the condition.

        Returns
        -------
        ColumnData

        Raises
        ------
        VariableError
            No such column, or a name on several columns.
        """
        if name not in self._columns:
            actual = find_column(name, self.frame, self.resolve)
            series = self.frame[actual]
            if series.ndim != 1:  # a DataFrame: the name is on several columns
                raise VariableError(f"column {printable(str(actual))!r} appears more than once in the data")
            labels = _ask(self.value_labels, actual)
            miss = _ask(self.missing, actual)
            self._columns[name] = ColumnData(name, str(actual), series, labels, miss)
        return self._columns[name]

    # -- conversions -----------------------------------------------------------------
    def constant(self, value: bool) -> Logic:
        """The same truth value on every row.

        Parameters
        ----------
        value : bool
            True or false.

        Returns
        -------
        Logic
        """
        return Logic(np.full(self.n, value), np.full(self.n, not value))

    def logic(self, value: Value, node: Node) -> Logic:
        """A value read as true/false/unknown on every row.

        Parameters
        ----------
        value : Logic, Lit, ColumnData or ndarray
            An evaluated node.
        node : Node
            The node, for messages.

        Returns
        -------
        Logic

        Raises
        ------
        FormulaError
            The value is not true/false (a number or text).
        """
        if isinstance(value, Logic):
            return value
        if isinstance(value, ColumnData):
            return Logic(*value.truth())
        if isinstance(value, Lit) and isinstance(value.value, bool):
            return self.constant(value.value)
        raise FormulaError(f'condition "{printable(self.text[:100])}": {render(node)[:60]!r} is not true/false')

    def numbers(self, value: Value, node: Node) -> np.ndarray | float:
        """A value as numbers: an array over the rows (NaN missing) or one number.

        Parameters
        ----------
        value : Logic, Lit, ColumnData or ndarray
            An evaluated node.
        node : Node
            The node, for messages.

        Returns
        -------
        ndarray (n,) or float

        Raises
        ------
        FormulaError
            A text literal.
        """
        if isinstance(value, np.ndarray):
            return value
        if isinstance(value, Logic):
            return value.numbers()
        if isinstance(value, ColumnData):
            return value.numbers
        if isinstance(value.value, str):
            raise FormulaError(f'condition "{printable(self.text[:100])}": {render(node)[:60]!r} is text, not a number')
        return float(value.value)

    def full(self, values: np.ndarray | float) -> np.ndarray:
        """A number spread over the rows (an array is returned as it is).

        Parameters
        ----------
        values : ndarray (n,) or float
            Numbers.

        Returns
        -------
        ndarray (n,)
        """
        return np.full(self.n, values, dtype=float) if np.ndim(values) == 0 else np.asarray(values)

    # -- the walk --------------------------------------------------------------------
    def value(self, node: Node) -> Value:
        """Evaluate a node of the condition's tree.

        Parameters
        ----------
        node : Node
            Any node.

        Returns
        -------
        Logic, Lit, ColumnData or ndarray
            Truth values, a literal, a column, or numbers over the rows.
        """
        if isinstance(node, (Number, String, Bool)):
            return Lit(node.value)
        if isinstance(node, Column):
            return self.column(node.name)
        if isinstance(node, Not):
            inner = self.logic(self.value(node.operand), node.operand)
            return Logic(inner.false, inner.true)
        if isinstance(node, (And, Or)):
            parts = [self.logic(self.value(x), x) for x in node.operands]
            t, f = parts[0].true.copy(), parts[0].false.copy()
            for p in parts[1:]:
                if isinstance(node, And):
                    t &= p.true
                    f |= p.false
                else:
                    t |= p.true
                    f &= p.false
            return Logic(t, f)
        if isinstance(node, Compare):
            operands = [self.value(x) for x in node.operands]
            out: Logic | None = None
            for i, op in enumerate(node.ops):
                step = self.compare(operands[i], op, operands[i + 1], node)
                out = step if out is None else Logic(out.true & step.true, out.false | step.false)
            assert out is not None
            return out
        if isinstance(node, Membership):
            return self.membership(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Neg):
            return self.full(-self.numbers(self.value(node.operand), node.operand))
        return self.arithmetic(node)

    def arithmetic(self, node: Arithmetic) -> np.ndarray:
        """Evaluate ``+ - * /`` from left to right (``x / 0`` is missing, as in SPSS).

        Parameters
        ----------
        node : Arithmetic
            The operands and operators.

        Returns
        -------
        ndarray (n,)
        """
        acc = self.numbers(self.value(node.first), node.first)
        with np.errstate(all="ignore"):
            for op, x in node.rest:
                b = self.numbers(self.value(x), x)
                if op == "+":
                    acc = np.add(acc, b)
                elif op == "-":
                    acc = np.subtract(acc, b)
                elif op == "*":
                    acc = np.multiply(acc, b)
                else:  # x / 0 is missing, as in SPSS
                    acc = np.where(np.equal(b, 0), math.nan, np.divide(acc, np.where(np.equal(b, 0), 1.0, b)))
        return self.full(acc)

    def call(self, node: Call) -> Value:
        """Evaluate ``abs(x)``, ``isna(x)`` or ``notna(x)``.

        Parameters
        ----------
        node : Call
            The function and its argument.

        Returns
        -------
        ndarray (n,) or Logic
            Numbers for ``abs``, truth values for the others.
        """
        value = self.value(node.arg)
        if node.func == "abs":
            return self.full(np.abs(self.numbers(value, node.arg)))
        if isinstance(value, ColumnData):
            na = value.missing
        elif isinstance(value, Logic):
            na = ~(value.true | value.false)
        elif isinstance(value, np.ndarray):
            na = np.isnan(value)
        else:
            na = np.zeros(self.n, dtype=bool)
        return Logic(na, ~na) if node.func == "isna" else Logic(~na, na)

    def compare(self, a: Value, op: str, b: Value, node: Node) -> Logic:
        """Compare two values row by row; a missing side makes the row unknown.

        Parameters
        ----------
        a, b : Logic, Lit, ColumnData or ndarray
            The evaluated sides.
        op : str
            ``"=="``, ``"!="``, ``"<"``, ``"<="``, ``">"`` or ``">="``.
        node : Node
            The comparison, for messages.

        Returns
        -------
        Logic

        Raises
        ------
        FormulaError, VariableError
            Text compared with numbers, or values that cannot be ordered.
        """
        if isinstance(a, Lit) and isinstance(b, Lit):
            try:
                return self.constant(bool(_PY[op](a.value, b.value)))
            except TypeError:
                raise FormulaError(
                    f'condition "{printable(self.text[:100])}": cannot compare {a.value!r} with {b.value!r}'
                ) from None
        if isinstance(b, Lit) and isinstance(a, ColumnData):
            return self.with_literal(a, op, b.value)
        if isinstance(a, Lit) and isinstance(b, ColumnData):
            return self.with_literal(b, _FLIP[op], a.value)
        if isinstance(a, ColumnData) and isinstance(b, ColumnData) and not (a.has_codes and b.has_codes):
            ta, tb = a.texts, b.texts
            if ta is None or tb is None:
                raise VariableError(f"cannot compare {a.display} with {b.display}: one holds numbers, the other text")
            valid = ~(_isna(ta) | _isna(tb))
            res = np.zeros(self.n, dtype=bool)
            try:
                res[valid] = np.asarray(_PY[op](ta[valid], tb[valid]), dtype=bool)
            except TypeError as exc:
                raise VariableError(f"cannot compare {a.display} with {b.display}: {exc}") from None
            return Logic(res & valid, ~res & valid)
        for side in (a, b):
            if isinstance(side, Lit) and isinstance(side.value, str):
                raise FormulaError(
                    f'condition "{printable(self.text[:100])}": cannot compare text {side.value!r} '
                    f"with a number in {render(node)[:60]!r}"
                )
        x, y = self.numbers(a, node), self.numbers(b, node)
        valid = ~(np.isnan(x) | np.isnan(y))
        res = compare_arrays(x, op, y)
        return Logic(self.full(res & valid).astype(bool), self.full(~res & valid).astype(bool))

    def with_literal(self, col: ColumnData, op: str, value: Any) -> Logic:
        """Compare a column with a literal (a label, a code or a number).

        Parameters
        ----------
        col : ColumnData
            The column.
        op : str
            The comparison operator.
        value : int, float, str or bool
            The literal.

        Returns
        -------
        Logic
        """
        known = ~col.missing
        if op in ("==", "!="):
            hit = col.equal([value])
            return Logic(hit, ~hit & known) if op == "==" else Logic(~hit & known, hit)
        res = col.order(op, value)
        return Logic(res & known, ~res & known)

    def membership(self, node: Membership) -> Logic:
        """Evaluate ``x in [...]`` / ``x not in [...]``.

        Parameters
        ----------
        node : Membership
            The operand, the listed values and whether it is negated.

        Returns
        -------
        Logic

        Raises
        ------
        FormulaError
            Text listed for a numeric operand.
        """
        value = self.value(node.operand)
        if isinstance(value, ColumnData):
            hit = value.equal(node.values)
            other = ~hit & ~value.missing
        elif isinstance(value, Lit):
            found = value.value in node.values
            return self.constant(found != node.negated)
        else:
            if any(isinstance(v, str) for v in node.values):
                raise FormulaError(
                    f'condition "{printable(self.text[:100])}": {render(node.operand)[:60]!r} is a number; '
                    "the list after 'in' must hold numbers"
                )
            x = self.full(self.numbers(value, node.operand))
            hit = np.isin(x, [float(v) for v in node.values])
            other = ~hit & ~np.isnan(x)
        return Logic(other, hit) if node.negated else Logic(hit, other)

    # -- results ---------------------------------------------------------------------
    def as_values(self, value: Value) -> np.ndarray:
        """A derived value as one array over the rows."""
        if isinstance(value, Logic):
            return value.numbers()
        if isinstance(value, Lit):
            return np.full(self.n, value.value, dtype=object if isinstance(value.value, str) else None)
        if isinstance(value, ColumnData):
            if value.type in ("numeric", "bool"):
                return value.numbers
            texts = value.texts
            if texts is not None:
                return texts
            return value.numbers if value.has_codes else value.s.to_numpy()
        return value


def _ask(func: Callable[[str], Any] | None, column: str) -> Any:
    """Call a metadata callback; a column it does not know gets no metadata."""
    if func is None:
        return None
    try:
        return func(column)
    except LookupError:  # KeyError, VariableError, IndexError
        return None


def _isna(values: np.ndarray) -> np.ndarray:
    import pandas as pd

    return np.asarray(pd.isna(values), dtype=bool)
