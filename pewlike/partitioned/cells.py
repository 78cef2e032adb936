"""Cell specs of the partitioned estimators: how a partition finds each row's cells.

A *cell spec* tells a partition, for each of its rows, the numerator cell and value, the
denominator cell and value and the domain, in the space of all combinations of the known
categories (so every partition uses the same codes); :mod:`pewlike.partitioned.ratios` sums them.
:class:`ByCodes` and :class:`FactorCodes` give domains and response levels exactly as
:func:`pewlike.estimation.engine.domain_codes` and :func:`pewlike.estimation.estimators.factor_codes` do in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import EstimationError, VariableError
from pewlike.partitioned.engine import Level, column_codes

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.partitioned.frame import PartitionedFrame

__all__ = [
    "ByCodes",
    "DomainSpec",
    "FactorCodes",
    "MeanSpec",
    "PropSpec",
    "RatioSpec",
    "TableSpec",
    "by_codes",
    "factor_codes",
    "numeric_column",
    "spec_columns",
]


# --------------------------------------------------------------------------- codes
@dataclass(frozen=True, eq=False)
class ByCodes:
    """Domains of ``by`` variables: combined code in the space of all level combinations.

    The first variable varies fastest, as R's ``interaction`` and :func:`pewlike.estimation.engine.domain_codes`.
    """

    cols: tuple
    levels: tuple
    na_rm: bool = True

    @property
    def size(self) -> int:
        return int(np.prod([max(len(lev.values), 1) for lev in self.levels])) if self.cols else 1

    def codes(self, pdf, ok: np.ndarray) -> np.ndarray:
        if not self.cols:
            return np.where(ok, 0, -1)
        use = ok.copy()
        combined = np.zeros(len(pdf), dtype=np.int64)
        mult = 1
        for c, lev in zip(self.cols, self.levels):
            codes = column_codes(pdf, c, lev)
            if lev.categorical and self.na_rm and lev.missing:
                bad = np.array([lab in lev.missing for lab in lev.labels] + [True])
                codes = np.where(bad[codes], -1, codes)
            use &= codes >= 0
            combined += np.where(codes >= 0, codes, 0) * mult
            mult *= max(len(lev.values), 1)
        return np.where(use, combined, -1)

    def keys(self, present: np.ndarray) -> pd.DataFrame:
        """One row per present domain, as :func:`pewlike.estimation.engine.domain_codes` returns them."""
        import pandas as pd

        if not self.cols:
            return pd.DataFrame(index=[0])
        keys = {}
        rem = present.copy()
        for c, lev in zip(self.cols, self.levels):
            k = max(len(lev.values), 1)
            idx = rem % k
            rem = rem // k
            keys[c] = (
                pd.Categorical.from_codes(idx, categories=list(lev.values), ordered=lev.ordered)
                if lev.categorical
                else np.asarray(list(lev.values), dtype=object)[idx]
            )
        return pd.DataFrame(keys)


def by_codes(pf: PartitionedFrame, by, na_rm: bool) -> ByCodes:
    if by is None or (not isinstance(by, str) and not list(by)):
        return ByCodes((), (), na_rm)
    names = [by] if isinstance(by, str) else list(by)
    cols = [pf.resolve(b) for b in names]
    if len(set(cols)) != len(cols):
        raise EstimationError(f"by= names a variable twice: {names}")
    return ByCodes(tuple(cols), tuple(pf._level(c) for c in cols), na_rm)


@dataclass(frozen=True, eq=False)
class FactorCodes:
    """Level of every row of a categorical (-1: not counted), as :func:`pewlike.estimation.estimators.factor_codes`."""

    col: str
    level: Level
    lut: np.ndarray  # category code (last entry: missing) -> reported level
    labels: tuple

    def codes(self, pdf) -> np.ndarray:
        raw = column_codes(pdf, self.col, self.level)
        return self.lut[np.where(raw >= 0, raw, len(self.level.values))]


def factor_codes(pf: PartitionedFrame, var: str, *, na_rm: bool = True) -> FactorCodes:
    col = pf.resolve(var)
    lev = pf._level(col)
    cats = list(lev.labels)
    missing = set(pf._codebook.variables[col].missing) if na_rm else set()
    keep = [i for i, c in enumerate(cats) if c not in missing]
    lut = np.full(len(cats) + 1, -1, dtype=np.int64)
    lut[keep] = np.arange(len(keep))
    return FactorCodes(col, lev, lut, tuple(cats[i] for i in keep))


def numeric_column(pf: PartitionedFrame, var: str, what: str) -> str:
    import pandas as pd

    col = pf.resolve(var)
    dt = pf._ddf._meta[col].dtype
    if isinstance(dt, pd.CategoricalDtype) or not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt)):
        kind = "categorical" if isinstance(dt, pd.CategoricalDtype) else str(dt)
        raise VariableError(
            f"{what} needs a numeric variable but {col!r} is {kind}; "
            f"use proportion({col!r}) for the share of each response"
        )
    return col


def _values(pdf, col):
    y = pdf[col].to_numpy(dtype=float, na_value=np.nan)
    return y, np.isfinite(y)


# --------------------------------------------------------------------------- cell specs
@dataclass(frozen=True, eq=False)
class _Spec:
    columns: tuple
    n_num: int
    n_den: int
    den_of: np.ndarray | None
    den_from_num: bool
    n_dom: int
    dom_of: np.ndarray

    def extra(self, pdf, prep, codes) -> dict:
        return {}


@dataclass(frozen=True, eq=False)
class MeanSpec(_Spec):
    ycol: str = ""
    by: ByCodes | None = None
    na_rm: bool = True
    kind: str = "mean"

    def codes(self, pdf, prep):
        y, valid = _values(pdf, self.ycol)
        ok = (valid if self.na_rm else np.ones_like(valid)) & prep.dom
        code = self.by.codes(pdf, ok)
        yv = np.where(code >= 0, np.nan_to_num(y), 0.0)
        return code, yv, (code if self.kind == "mean" else None), None, code

    def extra(self, pdf, prep, codes):
        code = codes[0]
        _, valid = _values(pdf, self.ycol)
        ok = code >= 0
        return {
            "W": np.bincount(code[ok], weights=prep.w[ok], minlength=self.n_dom).astype(float),
            "bad": np.bincount(code[ok], weights=(~valid[ok]).astype(float), minlength=self.n_dom),
            "nvalid": np.array([float((valid & prep.dom).sum())]),
        }


@dataclass(frozen=True, eq=False)
class PropSpec(_Spec):
    factor: FactorCodes | None = None
    by: ByCodes | None = None
    L: int = 1

    def codes(self, pdf, prep):
        lev = self.factor.codes(pdf)
        code = self.by.codes(pdf, (lev >= 0) & prep.dom)
        cell = np.where(code >= 0, code * self.L + lev, -1)
        return cell, None, (code if self.n_den else None), None, code

    def extra(self, pdf, prep, codes):
        lev = self.factor.codes(pdf)
        return {"nvalid": np.array([float(((lev >= 0) & prep.dom).sum())])}


@dataclass(frozen=True, eq=False)
class RatioSpec(_Spec):
    ncol: str = ""
    dcol: str = ""
    by: ByCodes | None = None
    na_rm: bool = True

    def codes(self, pdf, prep):
        yn, vn = _values(pdf, self.ncol)
        yd, vd = _values(pdf, self.dcol)
        valid = vn & vd
        code = self.by.codes(pdf, (valid if self.na_rm else np.ones_like(valid)) & prep.dom)
        a = np.where(code >= 0, np.nan_to_num(yn), 0.0)
        b = np.where(code >= 0, np.nan_to_num(yd), 0.0)
        return code, a, code, b, code

    def extra(self, pdf, prep, codes):
        code = codes[0]
        ok = code >= 0
        _, vn = _values(pdf, self.ncol)
        return {
            "W": np.bincount(code[ok], weights=prep.w[ok], minlength=self.n_dom).astype(float),
            "nvalid": np.array([float((vn & prep.dom).sum())]),
        }


@dataclass(frozen=True, eq=False)
class TableSpec(_Spec):
    """Cells of a two-way table (rows vary fastest) within the rows valid on both variables."""

    rf: FactorCodes | None = None
    cf: FactorCodes | None = None

    def codes(self, pdf, prep):
        ri, ci = self.rf.codes(pdf), self.cf.codes(pdf)
        ok = (ri >= 0) & (ci >= 0) & prep.dom
        nr = len(self.rf.labels)
        cell = np.where(ok, np.where(ok, ri, 0) + nr * np.where(ok, ci, 0), -1)
        dom = np.where(ok, 0, -1)
        return cell, None, (dom if self.n_den else None), None, dom


@dataclass(frozen=True, eq=False)
class DomainSpec(_Spec):
    """Every row of the current domain in one cell: n and degrees of freedom."""

    def codes(self, pdf, prep):
        c = np.where(prep.dom, 0, -1)
        return c, None, None, None, c


def spec_columns(*cols) -> tuple:
    return tuple(dict.fromkeys(c for c in cols if c))
