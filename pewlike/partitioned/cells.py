"""Cell specs of the partitioned estimators: how a partition finds each row's cells.

A *cell spec* tells a partition, for each of its rows, the numerator cell and value, the
denominator cell and value and the domain, in the space of all combinations of the known
categories (so every partition uses the same codes); :mod:`pewlike.partitioned.ratios` sums them.
:class:`ByCodes` and :class:`FactorCodes` give domains and response levels exactly as
:func:`pewlike.estimation.engine.domain_codes` and :func:`pewlike.estimation.estimators.factor_codes` do in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np

from pewlike.errors import EstimationError, VariableError
from pewlike.partitioned.engine import Level, column_codes

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.partitioned.engine import Prep
    from pewlike.partitioned.frame import PartitionedFrame

__all__ = [
    "ByCodes",
    "CellCodes",
    "CellSpec",
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

    Attributes
    ----------
    cols : tuple of str
        The ``by`` columns (empty: one domain, everyone).
    levels : tuple of Level
        Their categories over all partitions.
    na_rm : bool
        Whether rows with a missing-coded ``by`` category are left out.
    """

    cols: tuple[str, ...]
    levels: tuple[Level, ...]
    na_rm: bool = True

    @property
    def size(self) -> int:
        """Number of domains: the product of the numbers of levels."""
        return int(np.prod([max(len(lev.values), 1) for lev in self.levels])) if self.cols else 1

    def codes(self, pdf: pd.DataFrame, ok: np.ndarray) -> np.ndarray:
        """Domain of every row of a partition.

        Parameters
        ----------
        pdf : pandas.DataFrame
            One partition with the ``by`` columns.
        ok : numpy.ndarray
            Boolean mask of the rows to place (the others get -1).

        Returns
        -------
        numpy.ndarray
            int64 domain codes (-1: in no domain).
        """
        if not self.cols:
            return np.where(ok, 0, -1)
        use = ok.copy()
        combined = np.zeros(len(pdf), dtype=np.int64)
        mult = 1
        for c, lev in zip(self.cols, self.levels):
            codes = column_codes(pdf, c, lev)
            if self.na_rm and lev.missing:  # categories or text answers such as "Refused"
                bad = np.array([lab in lev.missing for lab in lev.labels] + [True])
                codes = np.where(bad[codes], -1, codes)
            use &= codes >= 0
            combined += np.where(codes >= 0, codes, 0) * mult
            mult *= max(len(lev.values), 1)
        return np.where(use, combined, -1)

    def keys(self, present: np.ndarray) -> pd.DataFrame:
        """One row per present domain, as :func:`pewlike.estimation.engine.domain_codes` returns them.

        Parameters
        ----------
        present : numpy.ndarray
            Codes of the domains to describe.

        Returns
        -------
        pandas.DataFrame
            One column per ``by`` variable (categoricals keep their categories).
        """
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
                pd.Categorical.from_codes(idx, categories=lev.index(), ordered=lev.ordered)
                if lev.categorical
                else np.asarray(list(lev.values), dtype=object)[idx]
            )
        return pd.DataFrame(keys)


def by_codes(pf: PartitionedFrame, by: str | Sequence[str] | None, na_rm: bool) -> ByCodes:
    """The domains of ``by`` (none: one domain) with their categories over all partitions.

    Parameters
    ----------
    pf : PartitionedFrame
    by : str, list of str or None
        Domain variables (wave suffix optional).
    na_rm : bool
        Leave out rows with a missing-coded category.

    Returns
    -------
    ByCodes

    Raises
    ------
    EstimationError
        A variable is named twice.
    """
    if by is None or (not isinstance(by, str) and not list(by)):
        return ByCodes((), (), na_rm)
    names = [by] if isinstance(by, str) else list(by)
    cols = [pf.resolve(b) for b in names]
    if len(set(cols)) != len(cols):
        raise EstimationError(f"by= names a variable twice: {names}")
    return ByCodes(tuple(cols), tuple(pf._level(c) for c in cols), na_rm)


@dataclass(frozen=True, eq=False)
class FactorCodes:
    """Level of every row of a categorical (-1: not counted), as :func:`pewlike.estimation.estimators.factor_codes`.

    Attributes
    ----------
    col : str
        The column.
    level : Level
        Its categories over all partitions.
    lut : numpy.ndarray
        Category code (last entry: missing) -> reported level (-1: not counted).
    labels : tuple of str
        The reported levels.
    """

    col: str
    level: Level
    lut: np.ndarray  # category code (last entry: missing) -> reported level
    labels: tuple[str, ...]

    def codes(self, pdf: pd.DataFrame) -> np.ndarray:
        """Reported level of every row of a partition.

        Parameters
        ----------
        pdf : pandas.DataFrame
            One partition with the column.

        Returns
        -------
        numpy.ndarray
            int64 level codes (-1: not counted).
        """
        raw = column_codes(pdf, self.col, self.level)
        return self.lut[np.where(raw >= 0, raw, len(self.level.values))]


def factor_codes(pf: PartitionedFrame, var: str, *, na_rm: bool = True) -> FactorCodes:
    """The response levels of a categorical, with missing-coded ones left out when ``na_rm``.

    Parameters
    ----------
    pf : PartitionedFrame
    var : str
        A categorical variable (wave suffix optional).
    na_rm : bool
        Leave out the categories the codebook marks missing.

    Returns
    -------
    FactorCodes
    """
    col = pf.resolve(var)
    lev = pf._level(col)
    cats = list(lev.labels)
    missing = set(pf._codebook.variables[col].missing) if na_rm else set()
    keep = [i for i, c in enumerate(cats) if c not in missing]
    lut = np.full(len(cats) + 1, -1, dtype=np.int64)
    lut[keep] = np.arange(len(keep))
    return FactorCodes(col, lev, lut, tuple(cats[i] for i in keep))


def numeric_column(pf: PartitionedFrame, var: str, what: str) -> str:
    """The column of a numeric variable.

    Parameters
    ----------
    pf : PartitionedFrame
    var : str
        A variable (wave suffix optional).
    what : str
        The estimator, named in the error.

    Returns
    -------
    str

    Raises
    ------
    VariableError
        The variable is categorical or not numeric.
    """
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


def _values(pdf: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    y = pdf[col].to_numpy(dtype=float, na_value=np.nan)
    return y, np.isfinite(y)


# --------------------------------------------------------------------------- cell specs
class CellCodes(NamedTuple):
    """The cells of every row of a partition under a cell spec.

    Attributes
    ----------
    num : numpy.ndarray
        Numerator cell of every row (-1: none).
    a : numpy.ndarray or None
        Numerator value of every row (None: 1, a count of weight).
    den : numpy.ndarray or None
        Denominator cell of every row (None: no denominator, or the spec's
        ``den_from_num``).
    b : numpy.ndarray or None
        Denominator value (None: 1).
    dom : numpy.ndarray
        Domain of every row (-1: none).
    """

    num: np.ndarray
    a: np.ndarray | None
    den: np.ndarray | None
    b: np.ndarray | None
    dom: np.ndarray


@dataclass(frozen=True, eq=False, kw_only=True)
class CellSpec:
    """What every row contributes to the cells of an estimator (the base of the specs below).

    Attributes
    ----------
    columns : tuple of str
        The columns the spec reads.
    n_num : int
        Numerator cells.
    n_den : int
        Denominator cells (0: the estimates are totals, not ratios).
    den_of : numpy.ndarray
        Denominator cell of each numerator cell (not read when ``n_den`` is 0).
    den_from_num : bool
        The denominators are sums of numerator cells (shares of a domain).
    n_dom : int
        Domains.
    dom_of : numpy.ndarray
        Domain of each numerator cell.
    """

    columns: tuple[str, ...]
    n_num: int
    n_den: int
    den_of: np.ndarray
    den_from_num: bool
    n_dom: int
    dom_of: np.ndarray

    def codes(self, pdf: pd.DataFrame, prep: Prep) -> CellCodes:
        """Cells of every row of a partition.

        Parameters
        ----------
        pdf : pandas.DataFrame
            One partition with :attr:`columns`.
        prep : Prep
            Its weights and domain.

        Returns
        -------
        CellCodes
        """
        raise NotImplementedError

    def extra(self, pdf: pd.DataFrame, prep: Prep, codes: CellCodes) -> dict[str, np.ndarray]:
        """Further sums of a partition the estimator needs (none by default).

        Parameters
        ----------
        pdf : pandas.DataFrame
            One partition.
        prep : Prep
            Its weights and domain.
        codes : CellCodes
            What :meth:`codes` gave for it.

        Returns
        -------
        dict of str to numpy.ndarray
            Arrays added up over the partitions.
        """
        return {}


@dataclass(frozen=True, eq=False, kw_only=True)
class MeanSpec(CellSpec):
    """Means (or totals) of ``ycol`` in the domains of ``by``."""

    ycol: str
    by: ByCodes
    na_rm: bool
    kind: Literal["mean", "total"]

    def domain_values(self, pdf: pd.DataFrame, prep: Prep) -> tuple[np.ndarray, np.ndarray]:
        """Domain of every row of a partition (-1: none) and its value of ``ycol`` (0 outside the domains).

        Parameters
        ----------
        pdf : pandas.DataFrame
            One partition.
        prep : Prep
            Its weights and domain.

        Returns
        -------
        code, value : numpy.ndarray
        """
        y, valid = _values(pdf, self.ycol)
        ok = (valid if self.na_rm else np.ones_like(valid)) & prep.dom
        code = self.by.codes(pdf, ok)
        yv = np.where(code >= 0, np.nan_to_num(y), 0.0)
        return code, yv

    def codes(self, pdf: pd.DataFrame, prep: Prep) -> CellCodes:
        """Cells of every row of a partition: one cell per domain, the value ``ycol``."""
        code, yv = self.domain_values(pdf, prep)
        return CellCodes(code, yv, (code if self.kind == "mean" else None), None, code)

    def extra(self, pdf: pd.DataFrame, prep: Prep, codes: CellCodes) -> dict[str, np.ndarray]:
        """Weight totals ``W`` and rows with a missing value ``bad`` per domain, valid rows ``nvalid``."""
        code = codes[0]
        _, valid = _values(pdf, self.ycol)
        ok = code >= 0
        return {
            "W": np.bincount(code[ok], weights=prep.w[ok], minlength=self.n_dom).astype(float),
            "bad": np.bincount(code[ok], weights=(~valid[ok]).astype(float), minlength=self.n_dom),
            "nvalid": np.array([float((valid & prep.dom).sum())]),
        }


@dataclass(frozen=True, eq=False, kw_only=True)
class PropSpec(CellSpec):
    """Shares (or counts) of the ``L`` levels of ``factor`` in the domains of ``by``."""

    factor: FactorCodes
    by: ByCodes
    L: int

    def codes(self, pdf: pd.DataFrame, prep: Prep) -> CellCodes:
        """Cells of every row of a partition: (domain, level), the domain as denominator."""
        lev = self.factor.codes(pdf)
        code = self.by.codes(pdf, (lev >= 0) & prep.dom)
        cell = np.where(code >= 0, code * self.L + lev, -1)
        return CellCodes(cell, None, (code if self.n_den else None), None, code)

    def extra(self, pdf: pd.DataFrame, prep: Prep, codes: CellCodes) -> dict[str, np.ndarray]:
        """Rows with a counted level in the domain, ``nvalid``."""
        lev = self.factor.codes(pdf)
        return {"nvalid": np.array([float(((lev >= 0) & prep.dom).sum())])}


@dataclass(frozen=True, eq=False, kw_only=True)
class RatioSpec(CellSpec):
    """Ratios of the totals of ``ncol`` and ``dcol`` in the domains of ``by``."""

    ncol: str
    dcol: str
    by: ByCodes
    na_rm: bool

    def codes(self, pdf: pd.DataFrame, prep: Prep) -> CellCodes:
        """Cells of every row of a partition: one per domain, values ``ncol`` over ``dcol``."""
        yn, vn = _values(pdf, self.ncol)
        yd, vd = _values(pdf, self.dcol)
        valid = vn & vd
        code = self.by.codes(pdf, (valid if self.na_rm else np.ones_like(valid)) & prep.dom)
        a = np.where(code >= 0, np.nan_to_num(yn), 0.0)
        b = np.where(code >= 0, np.nan_to_num(yd), 0.0)
        return CellCodes(code, a, code, b, code)

    def extra(self, pdf: pd.DataFrame, prep: Prep, codes: CellCodes) -> dict[str, np.ndarray]:
        """Weight totals ``W`` per domain and rows with a valid numerator ``nvalid``."""
        code = codes[0]
        ok = code >= 0
        _, vn = _values(pdf, self.ncol)
        return {
            "W": np.bincount(code[ok], weights=prep.w[ok], minlength=self.n_dom).astype(float),
            "nvalid": np.array([float((vn & prep.dom).sum())]),
        }


@dataclass(frozen=True, eq=False, kw_only=True)
class TableSpec(CellSpec):
    """Cells of a two-way table (rows vary fastest) within the rows valid on both variables."""

    rf: FactorCodes
    cf: FactorCodes

    def codes(self, pdf: pd.DataFrame, prep: Prep) -> CellCodes:
        """Cells of every row of a partition: (row level, column level), one domain."""
        ri, ci = self.rf.codes(pdf), self.cf.codes(pdf)
        ok = (ri >= 0) & (ci >= 0) & prep.dom
        nr = len(self.rf.labels)
        cell = np.where(ok, np.where(ok, ri, 0) + nr * np.where(ok, ci, 0), -1)
        dom = np.where(ok, 0, -1)
        return CellCodes(cell, None, (dom if self.n_den else None), None, dom)


@dataclass(frozen=True, eq=False, kw_only=True)
class DomainSpec(CellSpec):
    """Every row of the current domain in one cell: n and degrees of freedom."""

    def codes(self, pdf: pd.DataFrame, prep: Prep) -> CellCodes:
        """Cells of every row of a partition: cell 0 for the rows of the domain."""
        c = np.where(prep.dom, 0, -1)
        return CellCodes(c, None, None, None, c)


def spec_columns(*cols: str | None) -> tuple[str, ...]:
    """The distinct columns named, in order (None and empty names dropped).

    Parameters
    ----------
    *cols : str or None

    Returns
    -------
    tuple of str
    """
    return tuple(dict.fromkeys(c for c in cols if c))
