"""Model formulas: parse R-style formulas (never evaluate them) and build model matrices.

>>> from pewlike.formula import parse
>>> parse("y ~ a * b").term_labels
['a', 'b', 'a:b']

A formula names columns and a fixed set of constructs, nothing else:

* ``y ~ a + b + a:b``, ``a*b`` (= ``a + b + a:b``), ``(a + b):c``, ``(a + b + c)^2``,
  ``- term``, ``-1`` / ``+0`` (no intercept), ``1``;
* ``C(x, ref="level")`` or ``C(x, ref=2)`` (categorical with a chosen reference),
  ``log(x)``, ``sqrt(x)``, ``poly(x, k)`` (R's orthogonal polynomials), ``scale(x)``;
* a binary response from a categorical: ``CONCERNCO in ['Very concerned', 'Somewhat
  concerned'] ~ ...`` (also ``not in``, ``==``, ``!=``); 1/0, missing stays missing;
* names are ``[A-Za-z_][A-Za-z0-9_.]*`` or any text in backticks; names with ``__`` are refused.

Everything else (other calls, attribute access, stray characters) raises
:class:`~pewlike.errors.FormulaError` with the 1-based position of the offending token.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pewlike.errors import FormulaError
from pewlike.formula.frame import MAX_COLUMNS, MAX_ORDER, ModelFrame, build_frame, rebuild_matrix, term_codes
from pewlike.formula.parser import parse_text
from pewlike.formula.types import Formula, Response, Term, Variable

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "MAX_COLUMNS",
    "MAX_ORDER",
    "Formula",
    "ModelFrame",
    "Response",
    "Term",
    "Variable",
    "design_matrix",
    "model_frame",
    "parse",
    "parse_rhs",
    "term_codes",
]


def parse(formula: str) -> Formula:
    """Parse ``"response ~ predictors"`` into a :class:`Formula`.

    Parameters
    ----------
    formula : str
        The formula text.

    Returns
    -------
    Formula
        Response, terms in R's order (by degree, then first appearance; duplicates
        removed), intercept flag and the original text.

    Raises
    ------
    FormulaError
        The text is not a formula pewlike accepts; the message quotes it and gives the
        1-based position of the offending token.

    Notes
    -----
    Equivalent to R's ``terms(formula)``: ``term.labels``, ``order`` and ``intercept``
    agree, including R's reordering of variables inside interactions (``y ~ b:a + a``
    gives ``a``, ``b:a``; variables are ordered by first appearance).  Nothing is
    evaluated; names stay text until :func:`model_frame` looks them up as columns.

    Examples
    --------
    >>> f = parse("CONCERNCO in ['Very concerned'] ~ F_AGECAT + F_SEX")
    >>> f.response.label, f.term_labels, f.intercept
    ("CONCERNCO in ['Very concerned']", ['F_AGECAT', 'F_SEX'], True)
    """
    return parse_text(formula, with_response=True)


def parse_rhs(text: str) -> Formula:
    """Parse a right-hand side alone (``"a + b"`` or ``"~ a + b"``) for a design matrix.

    Returns
    -------
    Formula
        With ``response`` None.

    Raises
    ------
    FormulaError
        As :func:`parse`; a response before ``~`` is refused.

    Notes
    -----
    Equivalent to a one-sided R formula ``~ a + b``.
    """
    return parse_text(text, with_response=False)


def model_frame(
    formula: Formula | str,
    data: pd.DataFrame | Mapping[str, Any],
    *,
    resolve: Callable[[str], str] | None = None,
    missing: Mapping[str, Any] | None = None,
    drop_unused: bool = False,
    max_columns: int = MAX_COLUMNS,
    max_order: int = MAX_ORDER,
) -> ModelFrame:
    """Response vector and model matrix of ``formula`` on ``data``.

    Parameters
    ----------
    formula : Formula or str
        A parsed formula (or its text).
    data : pandas.DataFrame
        Categoricals (ordered or not), strings, objects and booleans are factors; numeric
        columns are numbers.
    resolve : callable, optional
        Maps a formula name to the actual column (e.g. ``'CONCERNCO'`` ->
        ``'CONCERNCO_W49'``); may raise :class:`~pewlike.errors.VariableError` itself.
    missing : mapping, optional
        Formula or column name -> values to treat as missing (e.g. ``["Refused"]``); they
        are removed from the levels too.
    drop_unused : bool, default False
        Drop factor levels that have no complete row (R's ``glm`` does this through
        ``model.frame(drop.unused.levels = TRUE)``); by default they are kept and give
        all-zero columns, as R's ``model.matrix`` on a factor with unused levels.
    max_columns : int, default 1000
        Most columns the model matrix may have; more raise :class:`~pewlike.errors.FormulaError`
        before the matrix is built (a many-way interaction of factors can need millions).
    max_order : int, default 5
        Most variables in one interaction term.

    Returns
    -------
    ModelFrame
        Rows aligned with ``data``; incomplete rows hold NaN (``X[mf.complete]`` is R's
        matrix after ``na.omit``).

    Raises
    ------
    VariableError
        Unknown column (close names are suggested), unknown level in a binary response or
        ``ref=``, a transform of a categorical column, log/sqrt of values out of range, a
        factor with one level coded by contrasts.
    FormulaError
        Text that does not parse; ``poly()`` degree not below the number of distinct values
        (or too high for them to give distinct polynomials); more than ``max_columns``
        columns or an interaction of more than ``max_order`` variables.
    ModelError
        No complete row.

    Notes
    -----
    Equivalent to R's ``model.frame`` + ``model.matrix`` with treatment contrasts and
    ``na.omit``: column names, column order (first variable fastest inside an
    interaction), ``assign``, and the coding of interactions whose margins are absent
    (R's rule: a factor gets all its indicators when the term without it is not among the
    earlier terms; without an intercept the first factor gets all its indicators).
    ``C(x, ref = "b")`` matches R's ``relevel(x, ref = "b")`` with the label written as
    ``C(x, ref = "b")``.  Differences from R: string levels sort in code-point order,
    not the locale's; ``poly()`` is computed from the non-missing values of ``x`` (R
    refuses missing values); booleans are levels ``FALSE``/``TRUE`` as in R.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"y": [1.0, 2.0, 4.0], "g": ["a", "b", "a"], "x": [0.5, None, 2.0]})
    >>> mf = model_frame("y ~ g + x", data)
    >>> mf.columns, mf.complete.tolist()
    (['(Intercept)', 'gb', 'x'], [True, False, True])
    """
    if isinstance(formula, str):
        formula = parse(formula)
    if not isinstance(formula, Formula):
        raise FormulaError(f"model_frame needs a formula string or Formula, got {type(formula).__name__}")
    return build_frame(
        formula,
        _frame(data),
        resolve=resolve,
        missing=missing,
        drop_unused=drop_unused,
        max_columns=max_columns,
        max_order=max_order,
    )


def design_matrix(
    model_frame_or_formula: ModelFrame | Formula | str, newdata: pd.DataFrame | Mapping[str, Any]
) -> np.ndarray:
    """Model matrix of ``newdata`` for prediction.

    Parameters
    ----------
    model_frame_or_formula : ModelFrame, Formula or str
        With a :class:`ModelFrame`, ``newdata`` is coded exactly as the fit: same levels
        and reference, same ``poly()`` coefficients and ``scale()`` centre and spread.
        With a formula (its response is ignored), the coding is fitted on ``newdata``.
    newdata : pandas.DataFrame or mapping of columns
        Columns by their data name (e.g. ``CONCERNCO_W49``) or formula name.

    Returns
    -------
    numpy.ndarray
        n x p, columns as ``ModelFrame.columns``; rows with missing values are NaN.

    Raises
    ------
    VariableError
        A column is missing or holds a level the model does not know.

    Notes
    -----
    Equivalent to ``model.matrix(delete.response(terms(fit)), newdata, xlev = fit$xlevels)``
    as R's ``predict`` builds it, with ``poly`` evaluated by ``predict.poly``.

    Examples
    --------
    >>> import pandas as pd
    >>> mf = model_frame("y ~ g", pd.DataFrame({"y": [1.0, 2.0, 4.0], "g": ["a", "b", "a"]}))
    >>> design_matrix(mf, pd.DataFrame({"g": ["b", "a"]}))
    array([[1., 1.],
           [1., 0.]])
    """
    newdata = _frame(newdata)
    if isinstance(model_frame_or_formula, ModelFrame):
        return rebuild_matrix(model_frame_or_formula, newdata)
    formula = model_frame_or_formula
    if isinstance(formula, str):
        formula = parse(formula) if "~" in formula and not formula.lstrip().startswith("~") else parse_rhs(formula)
    if not isinstance(formula, Formula):
        raise FormulaError(f"design_matrix needs a ModelFrame, a Formula or formula text, got {type(formula).__name__}")
    rhs = Formula(None, formula.terms, formula.intercept, formula.text, formula.variables)
    return build_frame(rhs, newdata, require_rows=False).X


def _frame(data: Any) -> pd.DataFrame:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    try:
        return pd.DataFrame(data)
    except (TypeError, ValueError) as exc:
        raise FormulaError(
            f"data must be a pandas DataFrame or a mapping of columns, got {type(data).__name__}"
        ) from exc
