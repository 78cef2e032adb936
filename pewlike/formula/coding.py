"""Turning one formula variable into model-matrix columns (see :mod:`pewlike.formula`).

A :class:`Coding` is fitted once on the estimation data (factor levels and reference,
``poly()`` recurrence coefficients, ``scale()`` centre and spread) and then applied to any
data frame, so that prediction uses exactly the coding of the fit.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pewlike.errors import FormulaError, VariableError
from pewlike.formula.types import Variable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Coding", "find_column", "fit_coding", "level_label", "raw_values"]


def level_label(value: Any) -> str:
    """Level text used in column names, as R prints factor levels (``TRUE``, ``2``, ``2.5``)."""
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _suggest(name: str, choices: list[str]) -> str:
    folded = [c for c in choices if c.lower() == name.lower()]
    close = folded or difflib.get_close_matches(name, choices, n=3, cutoff=0.6)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def find_column(name: str, data: pd.DataFrame, resolve: Callable[[str], str] | None) -> Any:
    """Actual column of ``data`` for the formula name ``name``.

    Parameters
    ----------
    name : str
        A name as written in the formula.
    data : pandas.DataFrame
        The data searched.
    resolve : callable or None
        Maps a formula name to a column (e.g. ``CONCERNCO`` -> ``CONCERNCO_W49``).

    Returns
    -------
    object
        The column label (usually a str).

    Raises
    ------
    VariableError
        When the name (after ``resolve``) is not a column; close names are suggested.
    """
    actual: Any = name
    if resolve is not None:
        try:
            actual = resolve(name)
        except VariableError:
            raise
        except KeyError as exc:
            raise VariableError(f"variable {name!r} is not in the data{_suggest(name, _names(data))}") from exc
    if actual not in data.columns:
        shown = repr(name) if actual == name else f"{name!r} (resolved to {actual!r})"
        raise VariableError(f"variable {shown} is not in the data{_suggest(str(actual), _names(data))}")
    return actual


def _names(data: pd.DataFrame) -> list[str]:
    return [str(c) for c in data.columns]


def raw_values(
    series: pd.Series, na_values: tuple[Any, ...] = ()
) -> tuple[Literal["factor", "numeric"], list[Any] | None, np.ndarray]:
    """Classify a column: ``("factor", levels, codes)`` or ``("numeric", None, float array)``.

    Categoricals keep their category order; strings/objects get sorted unique values (as
    R's ``factor()``, but in code-point order, not the locale's); booleans get
    ``[False, True]``.  ``na_values`` are treated as missing and dropped from the levels.

    Parameters
    ----------
    series : pandas.Series
        One column of the data.
    na_values : tuple
        Values (labels or numbers) treated as missing.

    Returns
    -------
    kind : {"factor", "numeric"}
    levels : list or None
        The factor's levels; None for a numeric column.
    values : numpy.ndarray
        Level positions (int64, -1 where missing) of a factor, or float values (NaN where
        missing) of a numeric column.

    Raises
    ------
    VariableError
        A column type a model cannot use (dates, for example).
    """
    import pandas as pd
    from pandas.api import types as pt

    dtype = series.dtype
    drop = set(na_values)
    if isinstance(dtype, pd.CategoricalDtype):
        cats = [c for c in dtype.categories if c not in drop]
        codes = np.asarray(series.cat.codes.to_numpy(), dtype=np.int64)
        if drop:  # renumber the kept categories; dropped ones become missing (-1)
            new = np.array([-1 if c in drop else cats.index(c) for c in dtype.categories] + [-1], dtype=np.int64)
            codes = new[codes]
        return "factor", cats, codes
    if pt.is_bool_dtype(dtype):
        cats = [v for v in (False, True) if v not in drop]
        return "factor", cats, _codes_for(series, cats)
    if pt.is_numeric_dtype(dtype):
        x = series.to_numpy(dtype=float, na_value=np.nan)
        if drop:
            x = np.where(np.isin(x, [float(v) for v in drop if _is_number(v)]), np.nan, x)
        return "numeric", None, x
    if pt.is_string_dtype(dtype) or dtype == object:  # noqa: E721 (numpy dtype equality, not identity)
        present = series.dropna().unique()
        try:
            cats = sorted(v for v in present if v not in drop)
        except TypeError:
            cats = sorted((v for v in present if v not in drop), key=str)
        return "factor", cats, _codes_for(series, cats)
    raise VariableError(
        f"column {series.name!r} has type {dtype}, which a model cannot use; convert it to numbers or categories"
    )


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _codes_for(series: pd.Series, cats: list[Any]) -> np.ndarray:
    import pandas as pd

    return np.asarray(pd.Index(cats, dtype=object).get_indexer(series.astype(object)), dtype=np.int64)


@dataclass(frozen=True)
class Coding:
    """The fitted coding of one formula variable.

    Attributes
    ----------
    variable : Variable
        The formula variable coded.
    column : object
        The data column it reads (after wave-suffix resolution).
    kind : str
        ``"factor"`` or ``"numeric"``.
    levels : tuple
        Factor levels in data order (unused ones dropped when asked).
    ref_index : int
        Position of the reference level in ``levels``.
    center, scale : float or None
        ``scale()`` parameters.
    alpha, norm2 : tuple of float
        ``poly()`` recurrence coefficients, as R's ``attr(poly(x, k), "coefs")``.
    na_values : tuple
        Values treated as missing.
    """

    variable: Variable
    column: Any
    kind: str
    levels: tuple[Any, ...] = ()
    ref_index: int = 0
    center: float | None = None
    scale: float | None = None
    alpha: tuple[float, ...] = ()
    norm2: tuple[float, ...] = ()
    na_values: tuple[Any, ...] = ()

    @property
    def order(self) -> list[int]:
        """Level positions in coding order: the reference first (R's ``relevel``)."""
        r = self.ref_index
        return [r] + [i for i in range(len(self.levels)) if i != r]

    @property
    def reference(self) -> Any:
        """The reference level (left out under treatment contrasts); None for a numeric variable."""
        return self.levels[self.ref_index] if self.levels else None

    def codes(self, series: pd.Series) -> np.ndarray:
        """Level positions (in ``levels``) of each row, -1 where missing.

        Values match a level by value or by its label text (so ``"2"`` finds level ``2``).

        Raises
        ------
        VariableError
            A non-missing value is not one of the fitted levels.
        """
        import pandas as pd

        if isinstance(series.dtype, pd.CategoricalDtype):
            inverse = series.cat.codes.to_numpy().astype(np.int64)
            uniques = list(series.cat.categories)
        else:
            inverse, uniq = pd.factorize(series, use_na_sentinel=True)
            inverse = np.asarray(inverse, dtype=np.int64)
            uniques = list(uniq)
        by_value = {v: i for i, v in enumerate(self.levels)}
        by_label = {level_label(v): i for i, v in enumerate(self.levels)}
        missing = set(self.na_values)
        pos = np.array([by_value.get(u, by_label.get(level_label(u), -1)) for u in uniques] + [-1], dtype=np.int64)
        codes = pos[inverse]  # inverse == -1 picks the trailing -1
        unknown = [u for u, p in zip(uniques, pos) if p < 0 and u not in missing]
        if unknown:
            used = np.isin(inverse, [uniques.index(u) for u in unknown])
            if used.any():
                first = uniques[int(inverse[used][0])]
                raise VariableError(
                    f"{self.variable.name} has level {level_label(first)!r}, which the model does not know; "
                    f"known levels: {', '.join(repr(level_label(v)) for v in self.levels)}"
                )
        return codes

    def numeric(self, series: pd.Series) -> np.ndarray:
        """Numeric columns (n x k) of the variable, NaN where missing."""
        kind, _, x = raw_values(series, self.na_values)
        if kind != "numeric":
            raise VariableError(
                f"{self.variable.label} needs a numeric column, but {self.variable.name!r} "
                f"is categorical; use it as a factor or C({self.variable.name})"
            )
        func = self.variable.func
        ok = ~np.isnan(x)
        if func == "log":
            if (x[ok] <= 0).any():
                raise VariableError(
                    f"log({self.variable.name}) is undefined: {self.variable.name} has values <= 0 "
                    f"(smallest {x[ok].min():g}); shift the column or use sqrt()"
                )
            return np.log(x)[:, None]
        if func == "sqrt":
            if (x[ok] < 0).any():
                raise VariableError(
                    f"sqrt({self.variable.name}) is undefined: {self.variable.name} has negative "
                    f"values (smallest {x[ok].min():g}); shift the column first"
                )
            return np.sqrt(x)[:, None]
        if func == "scale":
            assert self.center is not None and self.scale is not None  # fit_coding sets both for scale()
            return ((x - self.center) / self.scale)[:, None]
        if func == "poly":
            return _poly_predict(x, np.asarray(self.alpha), np.asarray(self.norm2))
        return x[:, None]

    def block(self, series: pd.Series, code: int) -> tuple[np.ndarray, list[str]]:
        """Columns and names of the variable within a term.

        ``code`` is R's factor code: 1 = treatment contrasts (reference left out),
        2 = one indicator per level.
        """
        label = self.variable.label
        if self.kind == "numeric":
            x = self.numeric(series)
            if self.variable.func == "poly" and x.shape[1] > 1:
                return x, [f"{label}{k}" for k in range(1, x.shape[1] + 1)]
            return x, [label]
        codes = self.codes(series)
        order = self.order if code == 2 else self.order[1:]
        if code == 1 and len(self.levels) < 2:
            raise VariableError(
                f"{self.variable.name} has {len(self.levels)} level(s) "
                f"({', '.join(repr(level_label(v)) for v in self.levels)}); "
                "a factor needs 2 or more levels: drop it from the formula"
            )
        block = (codes[:, None] == np.asarray(order, dtype=np.int64)[None, :]).astype(float)
        block[codes < 0] = np.nan
        return block, [f"{label}{level_label(self.levels[i])}" for i in order]


def fit_coding(var: Variable, series: pd.Series, column: Any, na_values: tuple[Any, ...] = ()) -> Coding:
    """Fit the coding of ``var`` on the estimation data ``series``.

    Parameters
    ----------
    var : Variable
        The formula variable (with its function: ``C``, ``log``, ``poly`` ...).
    series : pandas.Series
        Its column in the estimation data.
    column : object
        The column label, kept in the coding for prediction.
    na_values : tuple
        Values treated as missing.

    Returns
    -------
    Coding

    Notes
    -----
    Transforms see the whole column (every non-missing value), as R evaluates them in
    ``model.frame`` before ``na.omit``: ``scale(x)`` matches R exactly.  R's ``poly()``
    refuses missing values; pewlike computes it from the non-missing values of ``x``.
    """
    kind, levels, values = raw_values(series, na_values)
    if var.func == "C" or (var.func is None and kind == "factor"):
        if levels is None:  # a numeric column made a factor by C()
            drop = set(na_values)
            levels = sorted(v for v in series.dropna().unique() if v not in drop)
        return Coding(var, column, "factor", tuple(levels), _ref_index(var, levels), na_values=na_values)
    if kind != "numeric":
        raise VariableError(
            f"{var.label} needs a numeric column, but {var.name!r} is categorical; use {var.name} as a factor instead"
        )
    x = values[~np.isnan(values)]
    if var.func == "scale":
        center = float(x.mean()) if x.size else np.nan
        spread = float(np.sqrt(((x - center) ** 2).sum() / max(1, x.size - 1))) if x.size else np.nan
        if not spread > 0:
            raise VariableError(f"scale({var.name}) divides by zero: {var.name} has no spread; drop it")
        return Coding(var, column, "numeric", center=center, scale=spread, na_values=na_values)
    if var.func == "poly":
        alpha, norm2 = _poly_fit(x, var)
        return Coding(var, column, "numeric", alpha=alpha, norm2=norm2, na_values=na_values)
    return Coding(var, column, "numeric", na_values=na_values)


def _ref_index(var: Variable, levels: list[Any]) -> int:
    ref = var.ref
    if ref is None:
        return 0
    shown = ", ".join(repr(level_label(v)) for v in levels)
    if isinstance(ref, int):
        if ref > len(levels):
            raise VariableError(
                f"{var.label}: ref={ref} is past the last of {len(levels)} levels of "
                f"{var.name} ({shown}); give a label or a number from 1 to {len(levels)}"
            )
        return ref - 1
    for i, v in enumerate(levels):
        if v == ref or level_label(v) == ref:
            return i
    hint = _suggest(ref, [level_label(v) for v in levels])
    raise VariableError(f"{var.label}: {ref!r} is not a level of {var.name} (levels: {shown}){hint}")


def _poly_fit(x: np.ndarray, var: Variable) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Recurrence coefficients of R's orthogonal ``poly(x, degree)``.

    The k-th column is the part of ``(x - mean)^k`` orthogonal to lower powers, scaled to
    unit length; this is unique, so the signs agree with R's QR-based computation.
    """
    degree = int(var.degree or 1)
    n_unique = np.unique(x).size
    if degree >= n_unique:
        raise FormulaError(
            f"{var.label}: the degree must be less than the number of distinct values of "
            f"{var.name} ({n_unique}); use a lower degree"
        )
    xbar = x.mean()
    xc = x - xbar
    with np.errstate(over="ignore", invalid="ignore"):
        powers = np.vander(xc, degree + 1, increasing=True)
    finite = np.isfinite(powers).all(axis=0)
    m = degree + 1 if finite.all() else int(np.argmin(finite))  # huge values overflow at high powers
    q, r = np.linalg.qr(powers[:, :m])
    # R's poly() stops when the QR rank is below degree + 1 (tolerance 1e-7 on each column's norm)
    kept = np.zeros(degree + 1, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        kept[:m] = np.abs(np.diag(r)) > 1e-7 * np.linalg.norm(powers[:, :m], axis=0)
    if not kept.all():
        ok = int(np.argmin(kept)) - 1
        if ok < 1:
            raise FormulaError(
                f"{var.label}: the values of {var.name} are too large for polynomials (they overflow); "
                f"rescale {var.name} (e.g. divide it by 1,000) first"
            )
        raise FormulaError(
            f"{var.label}: the degree {degree} is too high for the {n_unique} distinct values of {var.name}: "
            f"beyond degree {ok} the polynomials are numerically the same; use a degree of at most {ok}"
        )
    z = q * np.diag(r)[None, :]
    norm2 = (z**2).sum(axis=0)
    alpha = ((xc[:, None] * z**2).sum(axis=0) / norm2 + xbar)[:degree]
    return tuple(float(a) for a in alpha), (1.0,) + tuple(float(v) for v in norm2)


def _poly_predict(x: np.ndarray, alpha: np.ndarray, norm2: np.ndarray) -> np.ndarray:
    """Evaluate fitted orthogonal polynomials at ``x`` (R's ``predict.poly``)."""
    degree = alpha.size
    z = np.ones((x.size, degree + 1))
    z[:, 1] = x - alpha[0]
    for j in range(2, degree + 1):  # recurrence over the degree, not over data
        z[:, j] = (x - alpha[j - 1]) * z[:, j - 1] - (norm2[j] / norm2[j - 1]) * z[:, j - 2]
    z /= np.sqrt(norm2[1:])[None, :]
    return z[:, 1:]
