"""New and replaced columns of an in-memory survey: :meth:`pewlike.Survey.assign`.

A survey's data are never changed in place: :func:`assign_columns` returns a new
:class:`~pewlike.design.frame.SurveyFrame` with the same design (weights, strata, PSUs,
domain, calibration) and a codebook that knows the new variables.  A value written as
text is read by pewlike's own expression language
(:func:`pewlike.formula.condition.parse_expression`), never by ``eval``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.design.frame import with_columns
from pewlike.errors import DesignError, VariableError
from pewlike.io.codebook import Codebook, VariableInfo, is_missing_label

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame

__all__ = ["assign_columns", "design_columns", "labelled_column", "replace_columns"]


def design_columns(sf: SurveyFrame) -> dict[str, str]:
    """The columns the design is built on, each with its role.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.

    Returns
    -------
    dict
        Column -> ``"weights"``, ``"strata"``, ``"psu"``, ``"fpc"`` or ``"replicate weights"``.
    """
    names = sf.design.names
    roles: dict[str, str] = {}
    for key, role in (("weights", "weights"), ("strata", "strata"), ("psu", "psu"), ("fpc", "fpc")):
        value = names.get(key)
        for col in [value] if isinstance(value, str) else list(value or []):
            roles.setdefault(str(col), role)
    for col in names.get("repweights") or []:
        roles.setdefault(str(col), "replicate weights")
    return roles


def _check_name(sf: SurveyFrame, name: object, verb: str) -> str:
    if not isinstance(name, str) or not name:
        raise VariableError(f"{verb}: column names must be non-empty strings, got {name!r}")
    role = design_columns(sf).get(name)
    if role is not None:
        raise DesignError(
            f"{verb}: {name!r} is the design's {role} column; changing it would change the design, not a "
            "variable. Build a new Survey (pw.Survey(data, ...)) or use svy.with_weights() for new weights"
        )
    return name


def _expression_values(sf: SurveyFrame, text: str, name: str) -> np.ndarray:
    from pewlike.design.domain import bind_condition
    from pewlike.formula.condition import evaluate_value, parse_expression

    expr = parse_expression(text)
    bound = bind_condition(expr, sf.codebook, sf.data.columns)
    return evaluate_value(
        expr,
        sf.data,
        resolve=bound.columns.__getitem__,
        value_labels=bound.value_labels.get,
        missing=bound.missing.get,
    )


def _full_length(sf: SurveyFrame, name: str, value: Any) -> pd.Series:
    """A value over every row of the data (rows outside the domain are missing when given for the domain)."""
    import pandas as pd

    full = sf.data
    dom = sf.design.in_domain
    if isinstance(value, pd.Series):
        out = value.reindex(full.index).rename(name)
        if pd.api.types.is_bool_dtype(value.dtype) and out.dtype == object:
            out = out.astype(float)  # rows the Series lacks made it object: keep it 1/0 with missing
        return out
    if np.ndim(value) == 0:
        return pd.Series([value] * len(full), index=full.index, name=name)
    if isinstance(value, pd.Categorical):
        arr: Any = value
    else:
        arr = np.asarray(value)
        if arr.ndim != 1:
            raise DesignError(f"assign: {name!r} has shape {arr.shape}; give one value per respondent")
    if len(arr) == len(full):
        return pd.Series(arr, index=full.index, name=name)
    n_dom = int(dom.sum())
    if len(arr) == n_dom:
        out = pd.Series(arr, index=full.index[dom], name=name)
        return out.reindex(full.index)
    expected = f"{n_dom:,}" if n_dom == len(full) else f"{n_dom:,} (the domain) or {len(full):,} (all rows)"
    raise DesignError(
        f"assign: {name!r} has {len(arr):,} values but the survey has {expected}; give one per respondent"
    )


def labelled_column(name: str, values: pd.Series, value_labels: Mapping[Any, str]) -> tuple[pd.Series, VariableInfo]:
    """Turn codes into an ordered Categorical of their labels, as a labelled SPSS variable is read.

    Parameters
    ----------
    name : str
        The column.
    values : pandas.Series
        Codes (missing values stay missing).
    value_labels : mapping
        Code -> label.

    Returns
    -------
    series : pandas.Series
        Categories are the labels in code order.
    info : VariableInfo
        Categorical, with labels like "Refused" marked missing.

    Raises
    ------
    VariableError
        A code has no label, or two codes share one label.
    """
    import pandas as pd

    codes = sorted(value_labels, key=lambda c: (not isinstance(c, (int, float)), c))
    labels = [str(value_labels[c]) for c in codes]
    if len(set(labels)) != len(labels):
        raise VariableError(f"assign: value labels of {name!r} repeat a label ({labels}); give each code its own")
    known = dict(zip(codes, labels))
    present = pd.unique(values.dropna())
    unknown = [v for v in present if v not in known]
    if unknown:
        raise VariableError(
            f"assign: {name!r} has values {sorted(map(str, unknown))[:5]} with no value label; "
            f"label every code (known: {', '.join(map(str, codes))})"
        )
    cat = pd.Categorical(values.map(known), categories=labels, ordered=True)
    miss = tuple(lab for lab in labels if is_missing_label(lab))
    miss_codes = tuple(c for c, lab in known.items() if lab in miss)
    info = VariableInfo(name, None, dict(known), miss, miss_codes, "categorical")
    return pd.Series(cat, index=values.index, name=name), info


def replace_columns(
    sf: SurveyFrame, columns: Mapping[str, pd.Series], infos: Mapping[str, VariableInfo]
) -> SurveyFrame:
    """A copy of ``sf`` with columns added or replaced and their codebook entries.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    columns : mapping of str to pandas.Series
        Full-length columns, on the data's index.
    infos : mapping of str to VariableInfo
        Their codebook entries.

    Returns
    -------
    SurveyFrame
        Same design, history and source.
    """
    data = with_columns(sf.data, dict(columns))
    book = Codebook({**sf.codebook.variables, **dict(infos)}, sf.codebook.file_label)
    return sf.evolve(data=data, codebook=book)


def assign_columns(
    sf: SurveyFrame,
    columns: Mapping[str, Any],
    *,
    labels: Mapping[str, str] | None = None,
    value_labels: Mapping[str, Mapping[Any, str]] | None = None,
) -> SurveyFrame:
    """New or replaced columns, with the same design: the engine of :meth:`pewlike.Survey.assign`.

    Parameters
    ----------
    sf : SurveyFrame
        The survey (in memory).
    columns : mapping
        Name -> an array or Categorical (one value per row of the domain, or of all
        rows), a pandas Series (aligned on the index; rows it lacks are missing), a
        scalar, a function of the data (all rows) returning one of those, or a string:
        an expression in pewlike's condition language (``"AGE >= 65"`` gives 1/0,
        ``"(INCOME - 50000) / 1000"`` a number).  Evaluated in order, so a later value
        can use an earlier one, as ``DataFrame.assign``.
    labels : mapping of str to str, optional
        Question wording of new variables (a replaced variable keeps its wording unless given).
    value_labels : mapping, optional
        Name -> ``{code: label}``: the values are codes, turned into an ordered
        Categorical of their labels (labels like "Refused" are missing codes).

    Returns
    -------
    SurveyFrame

    Raises
    ------
    DesignError
        A name is a design column (weights, strata, PSU, fpc, replicate weights), or a
        value has the wrong length.
    FormulaError
        A string is not a valid expression (the message gives the position); nothing runs.
    VariableError
        An expression or label names an unknown variable; ``labels``/``value_labels``
        name a column that is not assigned.
    """
    labels = dict(labels or {})
    value_labels = dict(value_labels or {})
    for extra in (set(labels) | set(value_labels)) - set(columns):
        raise VariableError(
            f"assign: labels are given for {extra!r}, which is not assigned; assign it too "
            f"(svy.assign({extra}=...)) or use the name of an assigned column ({', '.join(map(repr, columns))})"
        )
    # parse every expression first, so a bad one fails before anything is computed
    from pewlike.formula.condition import parse_expression

    for name, value in columns.items():
        _check_name(sf, name, "assign")
        if isinstance(value, str):
            parse_expression(value)
    out = sf
    for name, value in columns.items():
        if isinstance(value, str):
            value = _expression_values(out, value, name)
        elif callable(value):
            fn: Callable[[pd.DataFrame], Any] = value
            value = fn(out.data.copy(deep=False))
        series = _full_length(out, name, value)
        if name in value_labels:
            series, info = labelled_column(name, series, value_labels[name])
        else:
            info = Codebook.from_frame(series.to_frame()).variables[name]
        old = out.codebook.variables.get(name)
        wording = labels.get(name, old.label if old is not None else None)
        info = replace(info, label=wording, short_name=old.short_name if old is not None else None)
        out = replace_columns(out, {name: series}, {name: info})
    return out
