"""Model frames and model matrices from parsed formulas (see :mod:`pewlike.formula`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import FormulaError, ModelError, VariableError
from pewlike.formula.coding import Coding, find_column, fit_coding, level_label, raw_values
from pewlike.formula.types import Formula, Response, Term, Variable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["MAX_COLUMNS", "MAX_ORDER", "ModelFrame", "build_frame", "rebuild_matrix", "term_codes"]

#: Most columns a model matrix may have unless the caller raises the limit (``max_columns=``).
MAX_COLUMNS = 1000
#: Most variables in one interaction unless the caller raises the limit (``max_order=``).
MAX_ORDER = 5


@dataclass(frozen=True)
class ModelFrame:
    """Response vector and model matrix of a formula on a data frame.

    Rows are the rows of the data, in order; rows with a missing value in any variable
    of the formula are not ``complete`` and hold NaN in ``y`` and ``X``.  Use
    ``X[complete]`` for R's ``model.matrix`` after ``na.omit``.

    Attributes
    ----------
    y : numpy.ndarray or None
        Response (float).  A binary response is 1/0; a categorical response holds its
        level positions 0..K-1 (levels in ``levels[name]``); ``None`` without a response.
    X : numpy.ndarray
        n x p model matrix, columns as R's ``model.matrix`` (treatment contrasts).
    columns : list of str
        R's column names, e.g. ``(Intercept)``, ``F_AGECAT30-49``, ``F_SEXFemale:F_AGECAT30-49``.
    terms : list of str
        R's term labels.
    assign : numpy.ndarray
        Term number of each column, 0 for the intercept (``attr(X, "assign")``).
    complete : numpy.ndarray
        Boolean mask of rows with no missing value in any variable used.
    levels : dict
        Formula name -> list of levels (data order) of each categorical variable, and of a
        categorical response.
    reference : dict
        Formula name -> reference level of each categorical predictor.
    formula : Formula or None
        The parsed formula.
    response : str or None
        The response label (e.g. ``CONCERNCO in ['Very concerned']``).
    codings : tuple of Coding
        Fitted coding of each right-hand-side variable (used by ``design_matrix``).
    codes : tuple of tuple of int
        R's factor code of each variable in each term (1 contrasts, 2 indicators).
    """

    y: np.ndarray | None
    X: np.ndarray
    columns: list[str]
    terms: list[str]
    assign: np.ndarray
    complete: np.ndarray
    levels: dict[str, list[Any]] = field(default_factory=dict)
    reference: dict[str, Any] = field(default_factory=dict)
    formula: Formula | None = None
    response: str | None = None
    codings: tuple[Coding, ...] = ()
    codes: tuple[tuple[int, ...], ...] = ()

    @property
    def n_complete(self) -> int:
        """Number of complete rows (R's ``nrow(model.frame(...))``)."""
        return int(self.complete.sum())


def term_codes(terms: tuple[Term, ...], intercept: bool, nlevels: Mapping[Variable, int]) -> list[list[int]]:
    """R's factor coding of each variable in each term.

    A variable is coded by contrasts (1) when the term without it is empty or contained
    in an earlier term, else by one indicator per level (2).  Without an intercept the
    first factor (with 2+ levels) of the first term that has one gets indicators.

    Parameters
    ----------
    terms : tuple of Term
        In R's order.
    intercept : bool
        Whether the model has an intercept.
    nlevels : mapping
        Number of levels of each factor variable; numeric variables are absent.

    Returns
    -------
    list of list of int
        One list per term, one code per variable of the term.

    Notes
    -----
    Equivalent to ``attr(terms(f), "factors")`` plus the no-intercept adjustment of
    R's ``model.matrix``.
    """
    sets = [frozenset(t.variables) for t in terms]
    codes: list[list[int]] = []
    for j, term in enumerate(terms):
        row: list[int] = []
        for v in term.variables:
            rest = sets[j] - {v}
            row.append(1 if not rest or any(rest <= sets[k] for k in range(j)) else 2)
        codes.append(row)
    if not intercept:
        for j, term in enumerate(terms):
            hit = [i for i, v in enumerate(term.variables) if nlevels.get(v, 0) > 1]
            if hit:
                codes[j][hit[0]] = 2
                break
    return codes


def _matrix(
    formula: Formula,
    codings: dict[Variable, Coding],
    series: dict[Variable, pd.Series],
    codes: list[list[int]],
    n: int,
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Assemble X; within a term the first variable's columns vary fastest (as R)."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    assign: list[int] = []
    if formula.intercept:
        blocks.append(np.ones((n, 1)))
        names.append("(Intercept)")
        assign.append(0)
    cache: dict[tuple[Variable, int], tuple[np.ndarray, list[str]]] = {}
    for j, term in enumerate(formula.terms, start=1):
        cols, cnames = np.ones((n, 1)), [""]
        for v, code in zip(term.variables, codes[j - 1]):
            key = (v, code)
            if key not in cache:
                cache[key] = codings[v].block(series[v], code)
            block, bnames = cache[key]
            cols = (block[:, :, None] * cols[:, None, :]).reshape(n, -1)
            cnames = [f"{c}:{b}" if c else b for b in bnames for c in cnames]
        blocks.append(cols)
        names.extend(cnames)
        assign.extend([j] * len(cnames))
    X = np.concatenate(blocks, axis=1) if blocks else np.empty((n, 0))
    return X, names, np.asarray(assign, dtype=np.int64)


def _variables(formula: Formula) -> tuple[Variable, ...]:
    if formula.variables:
        return formula.variables
    seen: dict[Variable, None] = {}
    for t in formula.terms:
        seen.update(dict.fromkeys(t.variables))
    return tuple(seen)


def _missing_of(coding: Coding, series: pd.Series) -> np.ndarray:
    if coding.kind == "factor":
        return coding.codes(series) < 0
    return np.isnan(coding.numeric(series)).any(axis=1)


def _response(resp: Response, series: pd.Series, na_values: tuple[Any, ...]) -> tuple[np.ndarray, list[Any] | None]:
    """Response values and, for a categorical response, its levels."""
    var = resp.variable
    if resp.op is None:
        _, levels, values = raw_values(series, na_values)
        if levels is not None and var.func is None:  # a factor (raw_values gives levels of factors only)
            return np.where(values < 0, np.nan, values.astype(float)), list(levels)
        coding = fit_coding(var, series, series.name, na_values)
        return coding.numeric(series)[:, 0], None
    _, levels, values = raw_values(series, na_values)
    if levels is not None:  # a factor
        wanted: list[int] = []
        labels = [level_label(v) for v in levels]
        for val in resp.values:
            hits = [i for i, lv in enumerate(levels) if lv == val or labels[i] == level_label(val)]
            if not hits:
                import difflib

                close = difflib.get_close_matches(str(val), labels, n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                raise VariableError(
                    f"{level_label(val)!r} is not a level of {var.name} "
                    f"(levels: {', '.join(repr(x) for x in labels)}){hint}"
                )
            wanted.extend(hits)
        hit = np.isin(values, wanted)
        missing = values < 0
    else:
        bad = [v for v in resp.values if isinstance(v, str)]
        if bad:
            raise VariableError(f"{var.name} is numeric, so compare it with numbers, not {bad[0]!r}")
        hit = np.isin(values, np.asarray(resp.values, dtype=float))
        missing = np.isnan(values)
    if resp.op in ("not in", "!="):
        hit = ~hit
    return np.where(missing, np.nan, hit.astype(float)), None


def build_frame(
    formula: Formula,
    data: pd.DataFrame,
    *,
    resolve: Callable[[str], str] | None = None,
    missing: Mapping[str, Any] | None = None,
    drop_unused: bool = False,
    require_rows: bool = True,
    max_columns: int = MAX_COLUMNS,
    max_order: int = MAX_ORDER,
) -> ModelFrame:
    """Build a :class:`ModelFrame` (see :func:`pewlike.formula.model_frame`).

    Parameters
    ----------
    formula : Formula
        A parsed formula.
    data : pandas.DataFrame
        The estimation data.
    resolve, missing, drop_unused, max_columns, max_order
        As :func:`pewlike.formula.model_frame`.
    require_rows : bool, default True
        Raise :class:`~pewlike.errors.ModelError` when no row is complete (off for prediction).

    Returns
    -------
    ModelFrame
    """
    n = len(data)
    missing = dict(missing or {})
    variables = _variables(formula)
    _check_size(formula, max_columns, max_order)
    columns: dict[str, Any] = {}

    def column(name: str) -> pd.Series:
        if name not in columns:
            columns[name] = find_column(name, data, resolve)
        return data[columns[name]]

    def na_of(name: str) -> tuple[Any, ...]:
        vals = missing.get(name, missing.get(columns.get(name, name), ()))
        return tuple([vals] if isinstance(vals, (str, int, float)) else vals)

    series = {v: column(v.name) for v in variables}
    codings = {v: fit_coding(v, series[v], columns[v.name], na_of(v.name)) for v in variables}
    complete = np.ones(n, dtype=bool)
    for v in variables:
        complete &= ~_missing_of(codings[v], series[v])
    y = None
    resp_levels = None
    if formula.response is not None:
        rname = formula.response.variable.name
        y, resp_levels = _response(formula.response, column(rname), na_of(rname))
        complete &= ~np.isnan(y)
    if require_rows and not complete.any():
        used = [formula.response.variable.label] if formula.response is not None else []
        used += [v.label for v in variables]
        raise ModelError(
            f"no row is complete: every row is missing at least one of {', '.join(used)}; "
            "check the variables' missing values"
        )
    if drop_unused:
        codings = {v: _drop_unused(c, series[v], complete) for v, c in codings.items()}
    nlev = {v: len(c.levels) for v, c in codings.items() if c.kind == "factor"}
    codes = term_codes(formula.terms, formula.intercept, nlev)
    _check_columns(formula, codings, codes, max_columns)
    X, names, assign = _matrix(formula, codings, series, codes, n)
    X[~complete] = np.nan
    if y is not None:
        y = np.where(complete, y, np.nan)
    levels: dict[str, list[Any]] = {}
    reference: dict[str, Any] = {}
    for v, c in codings.items():
        if c.kind == "factor":
            levels[v.name] = list(c.levels)
            if v.name not in reference or v.ref is not None:
                reference[v.name] = c.reference
    if resp_levels is not None and formula.response is not None:
        levels[formula.response.variable.name] = resp_levels
    return ModelFrame(
        y=y,
        X=X,
        columns=names,
        terms=[t.label for t in formula.terms],
        assign=assign,
        complete=complete,
        levels=levels,
        reference=reference,
        formula=formula,
        response=formula.response.label if formula.response is not None else None,
        codings=tuple(codings[v] for v in variables),
        codes=tuple(tuple(r) for r in codes),
    )


def _limit(value: int, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise FormulaError(f"{name}={value!r} is not valid; give a whole number of at least 1")
    return value


def _check_size(formula: Formula, max_columns: int, max_order: int) -> None:
    """Refuse interactions of more than ``max_order`` variables and ``poly()`` degrees above ``max_columns``."""
    _limit(max_columns, "max_columns")
    _limit(max_order, "max_order")
    for term in formula.terms:
        if term.order > max_order:
            raise FormulaError(
                f"the term {_short(term.label)} is an interaction of {term.order} variables, more than "
                f"max_order={max_order}; drop it, or raise the limit with max_order={term.order} "
                f"(command line: --max-order {term.order})"
            )
    for v in _variables(formula):
        if v.func == "poly" and (v.degree or 1) > max_columns:
            raise FormulaError(
                f"{_short(v.label)} would make {v.degree:,} columns, more than max_columns={max_columns}; "
                "use a lower degree"
            )


def _check_columns(formula: Formula, codings: dict[Variable, Coding], codes: list[list[int]], max_columns: int) -> None:
    """Count the model matrix's columns from the codings, before any is built."""
    total = 1 if formula.intercept else 0
    widest, widest_label = 0, ""
    for term, row in zip(formula.terms, codes):
        width = 1
        for v, code in zip(term.variables, row):
            c = codings[v]
            if c.kind == "factor":
                width *= max(len(c.levels) - (1 if code == 1 else 0), 0)
            elif v.func == "poly":
                width *= v.degree or 1
        total += width
        if width > widest:
            widest, widest_label = width, term.label
    if total > max_columns:
        raise FormulaError(
            f"the model matrix would have {total:,} columns, more than max_columns={max_columns} "
            f"(the largest term, {_short(widest_label)}, makes {widest:,}); drop or collapse terms, "
            f"or raise the limit with max_columns={total} (command line: --max-columns {total})"
        )


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


def _drop_unused(c: Coding, series: pd.Series, complete: np.ndarray) -> Coding:
    """Drop factor levels with no complete row (R's ``drop.unused.levels = TRUE``)."""
    if c.kind != "factor":
        return c
    codes = c.codes(series)
    used = np.bincount(codes[complete & (codes >= 0)], minlength=len(c.levels)) > 0
    if used.all():
        return c
    keep = [lv for lv, u in zip(c.levels, used) if u]
    order = [i for i in c.order if used[i]]  # reference falls to the next level, as relevel + droplevels
    ref = keep.index(c.levels[order[0]]) if order else 0
    return Coding(c.variable, c.column, "factor", tuple(keep), ref, na_values=c.na_values)


def rebuild_matrix(frame: ModelFrame, newdata: pd.DataFrame) -> np.ndarray:
    """Model matrix of ``newdata`` with the codings of ``frame`` (see :func:`pewlike.formula.design_matrix`).

    Parameters
    ----------
    frame : ModelFrame
        The fit's model frame: its codings (levels, reference, ``poly``/``scale``
        parameters) are applied unchanged.
    newdata : pandas.DataFrame
        Columns by their data name or formula name.

    Returns
    -------
    numpy.ndarray
        n x p, rows with a missing value are NaN.

    Raises
    ------
    VariableError
        A column is missing or holds a level the model does not know.
    FormulaError
        ``frame`` has no formula (it was not built by :func:`pewlike.formula.model_frame`).
    """
    n = len(newdata)
    formula = frame.formula
    codings = {c.variable: c for c in frame.codings}
    series: dict[Variable, pd.Series] = {}
    for c in frame.codings:
        if c.column in newdata.columns:
            series[c.variable] = newdata[c.column]
        elif c.variable.name in newdata.columns:
            series[c.variable] = newdata[c.variable.name]
        else:
            series[c.variable] = newdata[find_column(c.variable.name, newdata, None)]
    complete = np.ones(n, dtype=bool)
    for v, c in codings.items():
        complete &= ~_missing_of(c, series[v])
    if formula is None:
        raise FormulaError("this ModelFrame has no formula, so it cannot code new data; build it with model_frame()")
    X, _, _ = _matrix(formula, codings, series, [list(r) for r in frame.codes], n)
    X[~complete] = np.nan
    return X
