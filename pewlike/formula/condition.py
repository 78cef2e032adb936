"""Conditions and derived values: one small, safe expression language.

Subsets (``svy.subset("F_REG in [1, 2]")``), spec filters, the CLI's ``--filter`` and
derived values are written in this language.  Text is read by pewlike's own tokenizer and
parser into frozen nodes and evaluated with numpy; it is never passed to ``eval``,
``exec``, ``compile``, ``DataFrame.query`` or ``DataFrame.eval``.

>>> from pewlike.formula.condition import parse_condition
>>> c = parse_condition("not F_REG == 1 or (AGE >= 65 and F_SEX == 'Female')")
>>> c.columns
('F_REG', 'AGE', 'F_SEX')
>>> str(c)
"not F_REG == 1 or AGE >= 65 and F_SEX == 'Female'"

The language, in Python's precedence (``or`` loosest)::

    condition  := disjunct ('or' disjunct)*
    disjunct   := negation ('and' negation)*
    negation   := 'not'* comparison
    comparison := sum (('==' | '!=' | '<' | '<=' | '>' | '>=') sum)*
                | sum ['not'] 'in' list
    sum        := product (('+' | '-') product)*
    product    := signed (('*' | '/') signed)*
    signed     := ('-' | '+')* atom
    atom       := NUMBER | STRING | 'True' | 'False' | name
                | ('isna' | 'notna' | 'abs') '(' condition ')' | '(' condition ')'
    list       := ('[' | '(') literal (',' literal)* [','] (']' | ')')
    literal    := ['-' | '+'] NUMBER | STRING | 'True' | 'False'
    name       := IDENTIFIER | '`' any characters except a backtick '`'

* numbers are decimal (``12``, ``0.5``, ``1e-3``), at most 30 digits; strings are in single
  or double quotes with the escapes ``\\\\ \\' \\" \\n \\t \\r \\xhh \\uhhhh \\Uhhhhhhhh``;
* comparisons chain as in Python: ``18 <= AGE < 30`` is ``18 <= AGE and AGE < 30``
  (``in`` does not chain);
* nothing else: no attribute access, ``@`` variables, subscripts, other calls, lambdas,
  comprehensions, f-strings, ``:=``, ``&``/``|``/``~``, names containing ``__``;
* limits: 10,000 characters, 100 levels of nesting.

Every refusal is a :class:`~pewlike.errors.FormulaError` naming the column of the offending
text; an unknown column or label is a :class:`~pewlike.errors.VariableError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pewlike.errors import FormulaError
from pewlike.formula.condition_lex import FUNCTIONS, MAX_DEPTH, MAX_DIGITS, MAX_LENGTH, printable
from pewlike.formula.condition_nodes import Node, column_names, kind, render
from pewlike.formula.condition_parse import parse_node

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_LENGTH",
    "Condition",
    "evaluate",
    "evaluate_value",
    "parse_condition",
    "parse_expression",
]


@dataclass(frozen=True, eq=False)
class Condition:
    """A parsed condition (or derived-value expression).

    Attributes
    ----------
    text : str
        The text as given.
    node : Node
        The parsed tree (frozen dataclasses from :mod:`pewlike.formula.condition_nodes`).
    columns : tuple of str
        Names referenced, in order of first appearance, without duplicates (as written;
        ``resolve`` maps them to data columns at evaluation).
    is_condition : bool
        True when the expression can be a condition (it is true/false, or a bare column
        that must then be boolean).

    Notes
    -----
    ``str(condition)`` is the canonical rendering (single spaces, single quotes, only the
    parentheses needed); parsing it gives an equal condition.  Two conditions are equal
    when their trees are, whatever their spacing.
    """

    text: str
    node: Node
    columns: tuple[str, ...]
    is_condition: bool

    def __str__(self) -> str:
        return render(self.node)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Condition) and self.node == other.node

    def __hash__(self) -> int:
        return hash(self.node)


def _too_deep(what: str, text: str) -> FormulaError:
    """The error for a caller whose stack is already so deep that even a nesting within
    :data:`MAX_DEPTH` (a few hundred frames at most) does not fit: never a RecursionError."""
    return FormulaError(f'{what} "{printable(text[:100])}": nested too deeply for the call stack; simplify it')


def _build(text: object, what: str) -> Condition:
    try:
        node = parse_node(text, what)
    except RecursionError:
        raise _too_deep(what, str(text)) from None
    assert isinstance(text, str)
    return Condition(text, node, column_names(node), kind(node) in ("bool", "any"))


def parse_condition(text: str) -> Condition:
    """Parse a condition such as ``"F_REG in [1, 2] and AGE >= 18"``.

    Parameters
    ----------
    text : str
        The condition.

    Returns
    -------
    Condition

    Raises
    ------
    FormulaError
        The text is not in the language (the message names the column of the offending
        text and what is allowed), is longer than :data:`MAX_LENGTH`, nests deeper than
        :data:`MAX_DEPTH`, has a number longer than :data:`MAX_DIGITS` digits, or is a number
        or text rather than true/false.

    Notes
    -----
    R's ``subset(design, ...)`` evaluates an R expression; pewlike reads a fixed language
    instead and never evaluates text as code.

    Examples
    --------
    >>> parse_condition("x.y == 1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pewlike.errors.FormulaError: condition "x.y == 1": attribute access '.y' (column 2) is not allowed; ...
    """
    return _build(text, "condition")


def parse_expression(text: str) -> Condition:
    """Parse a derived-value expression such as ``"(INCOME - 50000) / 1000"`` or a condition.

    Returns
    -------
    Condition
        ``is_condition`` tells whether it is also a condition.

    Raises
    ------
    FormulaError
        As :func:`parse_condition`, except that numbers and text are accepted.

    Examples
    --------
    >>> str(parse_expression("-(a+b) * 2"))
    '-(a + b) * 2'
    """
    return _build(text, "expression")


def _evaluator(
    condition: Condition,
    frame: pd.DataFrame,
    resolve: Callable[[str], str] | None,
    value_labels: Callable[[str], Mapping[Any, Any] | None] | None,
    missing: Callable[[str], Iterable[Any] | None] | None,
) -> Any:
    import pandas as pd

    from pewlike.formula.condition_eval import Evaluator

    if not isinstance(frame, pd.DataFrame):
        raise FormulaError(f"a condition is evaluated on a pandas DataFrame, got {type(frame).__name__}")
    return Evaluator(frame, resolve=resolve, value_labels=value_labels, missing=missing, text=condition.text)


def evaluate(
    condition: Condition | str,
    frame: pd.DataFrame,
    *,
    resolve: Callable[[str], str] | None = None,
    value_labels: Callable[[str], Mapping[Any, Any] | None] | None = None,
    missing: Callable[[str], Iterable[Any] | None] | None = None,
) -> np.ndarray:
    """Rows of ``frame`` where ``condition`` is true.

    Parameters
    ----------
    condition : Condition or str
        A parsed condition, or its text.
    frame : pandas.DataFrame
        The data (a whole frame, or one partition of a partitioned one).
    resolve : callable, optional
        Maps a name in the condition to a column (``'CONCERNCO'`` -> ``'CONCERNCO_W49'``);
        may raise :class:`~pewlike.errors.VariableError` itself.  Without it names must be
        columns.
    value_labels : callable, optional
        Column -> its value labels (SPSS code -> label), or None.  With them a number
        compared with the column is a code and a string a label.
    missing : callable, optional
        Column -> its user-missing codes or labels (SPSS user-missing values, e.g.
        ``VariableInfo.missing_codes``).  Rows holding them are missing: only a comparison
        that names their value (``== 99``, ``in ['Refused']``) or ``isna()`` selects them.

    Returns
    -------
    numpy.ndarray
        Boolean, ``len(frame)``, positional (not aligned on the index).

    Raises
    ------
    FormulaError
        The text does not parse, or is not a condition.
    VariableError
        An unknown column (close names are suggested), a label that is not one of the
        column's labels or a number that is not one of its codes (the valid ones are
        listed), a comparison the column's type does not support.

    Notes
    -----
    * Codes and labels: for a categorical whose categories are labels, ``F_REG == 1`` and
      ``F_REG in [1, 2]`` compare SPSS codes, ``F_REG == 'Registered'`` the label, and
      ``<``/``>=`` compare codes (an ordered categorical without value labels compares
      category positions).  Numeric columns compare as numbers (a string is first turned
      into its code when the column has value labels); text columns as text.
    * Missing values (NaN, None, pd.NA) are never selected by a comparison, ``!=`` and
      ``not in`` included: logic is three-valued, as in SQL, and ``not x == 1`` is unknown
      where ``x`` is missing.  ``isna(x)`` and ``notna(x)`` test for them.
    * Arithmetic is in float; ``x / 0`` is missing (as SPSS's system-missing).
    * Vectorised: categoricals are compared per category, then spread through the codes.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"reg": pd.Categorical(["Yes", "No", None]), "age": [20, 70, 45]})
    >>> evaluate("reg == 'Yes' or age > 65", df)
    array([ True,  True, False])
    >>> evaluate("reg != 'Yes'", df)
    array([False,  True, False])
    """
    if not isinstance(condition, Condition):
        condition = parse_condition(condition)
    if not condition.is_condition:
        raise FormulaError(
            f'condition "{printable(condition.text[:100])}": it is a value, not true/false; compare it, '
            f"as in {str(condition)[:60]} > 0"
        )
    ev = _evaluator(condition, frame, resolve, value_labels, missing)
    try:
        return ev.logic(ev.value(condition.node), condition.node).true
    except RecursionError:
        raise _too_deep("condition", condition.text) from None


def evaluate_value(
    expression: Condition | str,
    frame: pd.DataFrame,
    *,
    resolve: Callable[[str], str] | None = None,
    value_labels: Callable[[str], Mapping[Any, Any] | None] | None = None,
    missing: Callable[[str], Iterable[Any] | None] | None = None,
) -> np.ndarray:
    """A derived value of every row of ``frame``.

    Parameters
    ----------
    expression : Condition or str
        An expression from :func:`parse_expression`, or its text.
    frame, resolve, value_labels, missing
        As :func:`evaluate`.

    Returns
    -------
    numpy.ndarray
        ``len(frame)`` values: float for arithmetic (NaN where missing; a labelled
        categorical contributes its codes), 1.0/0.0/NaN for a condition, and for a bare
        column its values (labels as an object array with None where missing for text
        and categorical columns).

    Raises
    ------
    FormulaError, VariableError
        As :func:`evaluate`.

    Examples
    --------
    >>> import pandas as pd
    >>> evaluate_value("(a - 1) / b", pd.DataFrame({"a": [1.0, 3.0, None], "b": [2, 0, 1]}))
    array([ 0., nan, nan])
    """
    if not isinstance(expression, Condition):
        expression = parse_expression(expression)
    ev = _evaluator(expression, frame, resolve, value_labels, missing)
    try:
        return ev.as_values(ev.value(expression.node))
    except RecursionError:
        raise _too_deep("expression", expression.text) from None
