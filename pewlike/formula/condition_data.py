"""One column as a condition sees it: codes, labels, missing values (see :mod:`pewlike.formula.condition`).

A :class:`ColumnData` answers, with numpy arrays over all rows and no loop over rows:
which rows equal some literals (:meth:`equal`), which satisfy an order comparison
(:meth:`order`), which are missing (:attr:`missing`), and the column as numbers
(:attr:`numbers`, SPSS codes for a labelled categorical) or as text (:attr:`texts`).
Categoricals are handled per category and then spread to the rows through their codes.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import VariableError
from pewlike.formula.condition_lex import is_plain_name, printable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ColumnData", "compare_arrays"]

_SHOWN = 10
_OPS = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def compare_arrays(a: Any, op: str, b: Any) -> np.ndarray:
    """``a op b`` elementwise as a boolean array (NaN compares False, except with ``!=``)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(_OPS[op](a, b), dtype=bool)


def _take(per_category: np.ndarray, codes: np.ndarray, fill: Any) -> np.ndarray:
    """Spread a per-category array to the rows (code -1, missing, gets ``fill``)."""
    ext = np.empty(len(per_category) + 1, dtype=per_category.dtype)
    ext[:-1] = per_category
    ext[-1] = fill
    return ext[codes]


def _key(code: Any) -> float | str:
    """A code as a dictionary key: numbers as float (1 and 1.0 are one code), the rest as text."""
    if isinstance(code, (bool, np.bool_, int, float, np.number)):
        return float(code)
    return str(code)


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return printable(repr(value) if isinstance(value, str) else str(value))


def _listing(items: Sequence[str]) -> str:
    more = f", ... ({len(items)} in all)" if len(items) > _SHOWN else ""
    return ", ".join(items[:_SHOWN]) + more


def _label(text: Any) -> str:
    s = printable(str(text))
    return repr(s if len(s) <= 60 else s[:57] + "...")


class ColumnData:
    """A resolved column with its value labels and user-missing values.

    Parameters
    ----------
    name : str
        The name as written in the condition.
    column : str
        The data column it resolved to.
    series : pandas.Series
        The column.
    labels : mapping, optional
        Code -> label (SPSS value labels).
    missing : iterable, optional
        User-missing codes (numbers) or labels (strings): never selected by a comparison
        that does not name them.
    """

    def __init__(
        self,
        name: str,
        column: str,
        series: pd.Series,
        labels: Mapping[Any, Any] | None = None,
        missing: Iterable[Any] | None = None,
    ):
        import pandas as pd
        from pandas.api import types as pt

        self.name, self.column, self.s = name, column, series
        self.labels: dict[float | str, str] = {_key(c): str(lab) for c, lab in (labels or {}).items()}
        miss = [_key(m) for m in (missing or ())]
        self.missing_codes = sorted({m for m in miss if isinstance(m, float)})
        self.missing_labels = sorted({m for m in miss if isinstance(m, str)})
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            self.type = "categorical"
        elif pt.is_bool_dtype(dtype):
            self.type = "bool"
        elif pt.is_numeric_dtype(dtype):
            self.type = "numeric"
        elif pt.is_string_dtype(dtype):
            self.type = "text"
        else:
            self.type = "other"
        self.n = len(series)

    # -- description -----------------------------------------------------------------
    @property
    def display(self) -> str:
        """The name for messages: ``'F_REG'`` or ``'F_REG' (column 'F_REG_W49')``."""
        shown = repr(printable(self.name))
        return shown if self.column == self.name else f"{shown} (column {printable(str(self.column))!r})"

    @cached_property
    def _cats(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """Per category: label (object, None when unknown), code (float, NaN when unknown); row codes."""
        from pandas.api import types as pt

        cats = self.s.cat.categories
        codes = np.asarray(self.s.cat.codes.to_numpy())
        numeric = pt.is_numeric_dtype(cats.dtype) and not pt.is_bool_dtype(cats.dtype)
        if numeric:
            code = np.asarray(cats, dtype=float)
            label = np.array([self.labels.get(float(c)) for c in code], dtype=object)
        else:
            label = np.array([str(c) for c in cats], dtype=object)
            by_label = self._code_of
            code = np.array([by_label.get(str(c), math.nan) for c in cats], dtype=float)
        return label, code, codes, numeric

    @cached_property
    def _code_of(self) -> dict[str, float]:
        """Label -> its (first) numeric code."""
        out: dict[str, float] = {}
        for code, lab in self.labels.items():
            if isinstance(code, float):
                out.setdefault(lab, code)
        return out

    @property
    def has_codes(self) -> bool:
        """Numbers mean something for this column (codes, or numeric values)."""
        if self.type == "categorical":
            return bool(self._cats[3] or self._code_of)
        return self.type in ("numeric", "bool")

    def _valid_labels(self) -> list[str]:
        seen: dict[str, None] = {}
        if self.type == "categorical":
            seen.update((lab, None) for lab in self._cats[0] if lab is not None)
        seen.update((lab, None) for lab in self.labels.values())
        return list(seen)

    @cached_property
    def _code_set(self) -> frozenset[float]:
        return frozenset(self._valid_codes())

    def _valid_codes(self) -> list[float]:
        codes = {c for c in self.labels if isinstance(c, float)}
        if self.type == "categorical" and self._cats[3]:
            codes.update(float(c) for c in self._cats[1])
        return sorted(codes)

    def _bad_label(self, value: str) -> VariableError:
        valid = self._valid_labels()
        folded = [v for v in valid if v.casefold() == value.casefold()]
        close = folded or difflib.get_close_matches(value, valid, n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(_label(c) for c in close)}?)" if close else ""
        codes = self._valid_codes()
        tail = f"; a number means a code: {_listing([_fmt(c) for c in codes])}" if codes else ""
        return VariableError(
            f"{_label(value)} is not a label of {self.display}{hint}; its labels are "
            f"{_listing([_label(v) for v in valid]) or 'none'}{tail}"
        )

    def _bad_code(self, value: float) -> VariableError:
        codes = self._valid_codes()
        shown = [f"{_fmt(c)} = {_label(self.labels[c])}" if c in self.labels else _fmt(c) for c in codes]
        return VariableError(
            f"{_fmt(value)} is not a code of {self.display}; its codes are {_listing(shown)} "
            "(a quoted string means a label)"
        )

    def _no_numbers(self, value: Any) -> VariableError:
        labels = _listing([_label(v) for v in self._valid_labels()])
        what = "holds text" if self.type == "text" else "has labels but no codes (no value labels are known)"
        return VariableError(
            f"{self.display} {what}; compare it with a quoted label, not the number {_fmt(value)}"
            + (f": {labels}" if labels else "")
        )

    def _no_text(self, value: str) -> VariableError:
        return VariableError(
            f"{self.display} holds numbers and has no value labels; compare it with a number, not {_label(value)}"
        )

    # -- row views -------------------------------------------------------------------
    @cached_property
    def missing(self) -> np.ndarray:
        """Rows that are missing: NA, or a user-missing code or label."""
        if self.type == "categorical":
            label, code, codes, _ = self._cats
            per_cat = np.isin(code, self.missing_codes) | np.array(
                [lab in self.missing_labels for lab in label], dtype=bool
            )
            return _take(per_cat, codes, True)
        out = np.asarray(self.s.isna().to_numpy(), dtype=bool)
        if self.type in ("numeric", "bool"):
            miss = self.missing_codes + [self._code_of[m] for m in self.missing_labels if m in self._code_of]
            if miss:
                out = out | np.isin(self._raw, miss)
        elif self.type == "text" and (self.missing_labels or self.missing_codes):
            names = self.missing_labels + [self.labels[c] for c in self.missing_codes if c in self.labels]
            out = out | np.asarray(self.s.isin(names).to_numpy(), dtype=bool)
        return out

    @cached_property
    def _raw(self) -> np.ndarray:
        """Numbers before user-missing values are blanked (categorical: codes)."""
        if self.type == "categorical":
            _, code, codes, _ = self._cats
            return _take(code, codes, math.nan)
        return np.asarray(self.s.to_numpy(dtype=float, na_value=math.nan), dtype=float)

    @cached_property
    def _ints(self) -> np.ndarray | None:
        """The values of a numpy integer column (no missing values possible), else None."""
        dtype = self.s.dtype
        return np.asarray(self.s.to_numpy()) if isinstance(dtype, np.dtype) and dtype.kind in "iu" else None

    @cached_property
    def numbers(self) -> np.ndarray:
        """The column as float numbers (SPSS codes for a labelled categorical); missing rows are NaN."""
        if not self.has_codes:
            what = {"categorical": "has labels but no codes", "text": "holds text"}.get(
                self.type, f"is not numeric ({self.s.dtype})"
            )
            raise VariableError(
                f"{self.display} {what}; arithmetic and comparisons with numbers need a numeric column or value labels"
            )
        return np.where(self.missing, math.nan, self._raw)

    @cached_property
    def texts(self) -> np.ndarray | None:
        """The column as an object array of text (labels for categoricals), None where missing; None if numeric."""
        if self.type == "categorical":
            label, _, codes, _ = self._cats
            if any(lab is None for lab in label):
                return None
            out = _take(label, codes, None)
        elif self.type == "text":
            out = np.array(self.s.to_numpy(dtype=object), dtype=object, copy=True)
            out[np.asarray(self.s.isna().to_numpy(), dtype=bool)] = None
        else:
            return None
        out[self.missing] = None
        return out

    def truth(self) -> tuple[np.ndarray, np.ndarray]:
        """A boolean column used as a condition: (true rows, false rows)."""
        if self.type != "bool":
            kind = {"categorical": "categorical", "text": "text"}.get(self.type, "numeric")
            shown = self.name if is_plain_name(self.name) else f"`{self.name}`"
            example = f"{shown} == 1" if self.type == "numeric" else f"{shown} == 'label'"
            raise VariableError(f"{self.display} is {kind}, not true/false; write a comparison such as {example}")
        values = np.asarray(self.s.to_numpy(dtype=bool, na_value=False), dtype=bool)
        valid = ~self.missing
        return values & valid, ~values & valid

    # -- comparisons with literals ---------------------------------------------------
    def equal(self, values: Sequence[Any]) -> np.ndarray:
        """Rows equal to any of ``values`` (numbers are codes, strings labels); False where NA."""
        if self.type == "categorical":
            label, code, codes, _ = self._cats
            hit = np.zeros(len(label), dtype=bool)
            for v in values:
                if isinstance(v, str):
                    hit |= label == self._label_for(v)
                else:
                    x = float(v)
                    if not self.has_codes:
                        raise self._no_numbers(v)
                    if x not in self._code_set:
                        raise self._bad_code(x)
                    hit |= code == x
            return _take(hit, codes, False)
        if self.type in ("numeric", "bool"):
            if self._ints is not None and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                return np.isin(self._ints, list(values))  # exact, also beyond 2**53
            nums = [self._code_for(v) if isinstance(v, str) else float(v) for v in values]
            return np.isin(self._raw, nums)
        if self.type == "text":
            return np.asarray(self.s.isin(self._text_values(values)).to_numpy(), dtype=bool)
        try:
            return np.asarray(self.s.isin(list(values)).to_numpy(), dtype=bool)
        except (TypeError, ValueError) as exc:
            raise VariableError(f"cannot compare {self.display} ({self.s.dtype}) with {list(values)!r}") from exc

    def order(self, op: str, value: Any) -> np.ndarray:
        """Rows where ``column op value`` (codes for labelled columns); False where NA."""
        if self.type == "categorical":
            label, code, codes, _ = self._cats
            if isinstance(value, str) and not self._code_of and self.s.cat.ordered:
                per_cat = compare_arrays(np.arange(len(label)), op, self._position(value))
            elif isinstance(value, str):
                if not self.has_codes:
                    raise VariableError(
                        f"{self.display} is not ordered and has no codes; use ==, != or in with its labels"
                    )
                per_cat = compare_arrays(code, op, self._code_for(value))
            else:
                if not self.has_codes:
                    raise self._no_numbers(value)
                per_cat = compare_arrays(code, op, float(value))
            return _take(per_cat, codes, False)
        if self.type in ("numeric", "bool"):
            if self._ints is not None and isinstance(value, int) and not isinstance(value, bool):
                return compare_arrays(self._ints, op, value)  # exact, also beyond 2**53
            x = self._code_for(value) if isinstance(value, str) else float(value)
            return compare_arrays(self._raw, op, x)
        if self.type == "text" and not isinstance(value, str):
            raise self._no_numbers(value)
        try:
            out = _OPS[op](self.s, value)
            return np.asarray(out.to_numpy(dtype=bool, na_value=False), dtype=bool)
        except (TypeError, ValueError) as exc:
            raise VariableError(
                f"cannot order-compare {self.display} ({self.s.dtype}) with {_fmt(value)}: {printable(str(exc))[:80]}"
            ) from exc

    def _label_for(self, value: str) -> str:
        """The category label a string literal names (a label, or a string code)."""
        if self._cats[3] and not self.labels:
            raise self._no_text(value)
        if value in self._valid_labels():
            return value
        if value in self.labels:  # a string code of a labelled string variable
            return self.labels[value]
        raise self._bad_label(value)

    def _code_for(self, value: str) -> float:
        """The numeric code of a label (numeric or labelled columns)."""
        if value in self._code_of:
            return self._code_of[value]
        if not self.labels:
            raise self._no_text(value)
        raise self._bad_label(value)

    def _position(self, value: str) -> int:
        label = list(self._cats[0])
        if value not in label:
            raise self._bad_label(value)
        return label.index(value)

    def _text_values(self, values: Sequence[Any]) -> list[Any]:
        """Strings (and codes mapped to labels) a text column is matched against."""
        import pandas as pd

        out: list[Any] = []
        for v in values:
            if isinstance(v, str):
                out.append(v)
                out += [c for c, lab in self.labels.items() if lab == v and isinstance(c, str)]
                if v in self.labels:
                    out.append(self.labels[v])
            elif float(v) in self.labels:
                out.append(self.labels[float(v)])
            elif self.s.dtype == object and pd.api.types.infer_dtype(self.s, skipna=True) != "string":
                out.append(v)  # a mixed object column may hold numbers
            else:
                raise self._no_numbers(v)
        return out
