"""The estimation engine: weighted sums by cell, unit and replicate, and their variance.

Every estimator here is a ratio of weighted totals over *cells* (a domain, or a
domain x response level): ``theta_k = A_k / B_d(k)`` with
``A_k = sum(w a [cell = k])`` and ``B_d = sum(w b [den cell = d])``.  Its
influence totals per sampling unit come from one ``np.bincount`` over
(unit, cell), replicate totals from one blocked matrix product; the design's
variance method (:mod:`pewlike.variance.strategy`) asks for the ones it needs
through a :class:`CellRatios` statistic.  No Python loop runs over domains,
levels or strata.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import EstimationError
from pewlike.variance.replication import BLOCK_ROWS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.design.structure import Design
    from pewlike.variance.replication import ReplicateVariance

__all__ = [
    "BLOCK_ROWS",
    "CellRatios",
    "Ratios",
    "cell_sums",
    "domain_codes",
    "domain_degf",
    "ratio_totals",
    "refuse_overflow",
]


@dataclass(frozen=True)
class Ratios:
    """Estimates ``theta`` (k,), their covariance ``vcov`` (k, k) and the totals behind them.

    ``reps`` holds the replicate estimates (R, k) for replicate designs.
    """

    theta: np.ndarray
    vcov: np.ndarray
    num: np.ndarray
    den: np.ndarray | None
    reps: np.ndarray | None = None
    counts: np.ndarray | None = None
    unit_counts: np.ndarray | None = None


def counted(code: np.ndarray) -> np.ndarray | slice:
    """Rows with a cell (``code >= 0``), or ``slice(None)`` when every row has one (no copies).

    Parameters
    ----------
    code : ndarray (n,) of int
        Cell of each row, -1 for rows not counted.

    Returns
    -------
    ndarray (n,) of bool or slice
        An index that selects the counted rows.
    """
    ok = code >= 0
    return slice(None) if ok.all() else ok


def cell_sums(code: np.ndarray, ncell: int, weights: np.ndarray, ok: np.ndarray | slice | None = None) -> np.ndarray:
    """``sum(weights[code == k])`` for every cell ``k`` (rows with code -1 are ignored).

    Parameters
    ----------
    code : ndarray (n,) of int
        Cell of each row, -1 for rows not counted.
    ncell : int
        Number of cells.
    weights : ndarray (n,)
        Values to sum.
    ok : ndarray (n,) of bool or slice, optional
        ``counted(code)``, when the caller has it already.

    Returns
    -------
    ndarray (ncell,)
    """
    ok = counted(code) if ok is None else ok
    if ncell == 1:
        return np.array([weights[ok].sum()])
    return np.bincount(code[ok], weights=weights[ok], minlength=ncell)[:ncell]


def _unit_sums(
    design: Design, code: np.ndarray, ncell: int, *values: np.ndarray | None, ok: np.ndarray | slice | None = None
) -> list[np.ndarray]:
    """Totals of each of ``values`` per (sampling unit, cell): arrays (units, ncell).

    The unit-cell index is built once and shared by all ``values``; a value of
    ``None`` gives unweighted row counts.
    """
    unit, first = design.units
    nunit = first.shape[0]
    ok = counted(code) if ok is None else ok
    every_row = isinstance(ok, slice)
    if ncell == 1 and nunit == unit.shape[0] and every_row:  # every row its own unit
        return [np.ones((nunit, 1)) if v is None else v.reshape(-1, 1).astype(float, copy=True) for v in values]
    idx = None
    out = []
    for v in values:
        if ncell == 1 and every_row and v is design.weights:
            out.append(design.unit_weight_totals.reshape(nunit, 1))
            continue
        if idx is None:
            idx = unit[ok] if ncell == 1 else unit[ok] * ncell + code[ok]
        w = None if v is None else v[ok]
        out.append(np.bincount(idx, weights=w, minlength=nunit * ncell).astype(float, copy=False).reshape(nunit, ncell))
    return out


def ratio_totals(
    design: Design,
    num_code: np.ndarray,
    n_num: int,
    num_val: np.ndarray | None,
    den_code: np.ndarray | None = None,
    n_den: int = 0,
    den_val: np.ndarray | None = None,
    den_of: np.ndarray | None = None,
    *,
    domains: tuple | None = None,
    den_from_num: bool = False,
    ok: np.ndarray | slice | None = None,
    counts: bool | str = False,
) -> Ratios:
    """Ratios of weighted totals over cells with their design-based covariance.

    Parameters
    ----------
    design : Design
        The design; its variance method gives the covariance.
    num_code : (n,) int
        Numerator cell of each row (-1: not counted).
    n_num : int
        Number of numerator cells.
    num_val : (n,) float or None
        Numerator values ``a`` (None: 1).
    den_code, n_den, den_val : optional
        Denominator cells and values ``b``; omit for plain totals.
    den_of : (n_num,) int
        Denominator cell of each numerator cell (default: the same index).
    domains : (row domain code, domain of each numerator cell), optional
        When the cells belong to ``svyby`` domains; used where R's subset
        designs differ from zero-padding (``lonely_psu="average"``).
    den_from_num : bool
        The denominator cells partition the numerator cells (``den_of``) and
        every counted row has value 1 in both (proportions): denominator sums
        are then summed from the numerator sums instead of a second pass.
    ok : slice or bool array, optional
        ``counted(num_code)``, when the caller has it already.
    counts : bool or "cells"
        Also return unweighted rows per cell (``counts``) and, unless
        ``"cells"``, for linearised designs with real clusters, per unit and
        cell (``unit_counts``, which give domain degrees of freedom).

    Returns
    -------
    Ratios

    Notes
    -----
    Linearisation as R's ``svymean``/``svyratio``/``svytotal``: the influence of
    row i on ``theta_k`` is ``w_i (a_i - theta_k b_i) / B_k`` (``w_i a_i`` for
    totals), summed within sampling units and passed to ``svyrecvar``.  Replicate
    designs recompute every ratio with each replicate's weights (``svrVar``).
    """
    w = design.weights
    ok = counted(num_code) if ok is None else ok
    ratio = den_code is not None
    if ratio and den_of is None:
        den_of = np.arange(n_num)
    # Variance from unit totals (linearisation): unit x cell sums first; the cell totals are their column sums.
    linear = design.variance.uses_unit_totals
    same = ratio and den_code is num_code and n_den == n_num and not den_from_num
    b_w = None
    if ratio:
        b_w = w if den_val is None else w * den_val
    unit_counts = cell_counts = None
    # real clusters: counts per unit are small
    per_unit = counts is True and design.units[1].shape[0] < w.shape[0]
    if (
        linear
        and n_num == 1
        and isinstance(ok, slice)
        and (not ratio or same)
        and not per_unit
        and design.units[1].shape[0] < w.shape[0]
    ):
        # one cell, every row: unit sums as one sparse product each (no weighted copy of the data)
        Zu: Any = (design.unit_weight_totals if num_val is None else design.unit_sums(num_val)).reshape(-1, 1)
        Zb: Any = None
        if ratio:
            Zb = (design.unit_weight_totals if den_val is None else design.unit_sums(den_val)).reshape(-1, 1)
    elif linear:
        a_w = w if num_val is None else w * num_val
        wanted = [a_w] + ([b_w] if same else []) + ([None] if per_unit else [])
        sums = _unit_sums(design, num_code, n_num, *wanted, ok=ok)
        Zu = sums[0]
        Zb = sums[1] if same else None
        if per_unit:
            unit_counts = sums[-1]
            cell_counts = unit_counts.sum(axis=0)
    else:
        Zu = Zb = None
    if counts and cell_counts is None:
        if n_num == 1 and isinstance(ok, slice):
            cell_counts = np.array([float(num_code.shape[0])])
        else:
            cell_counts = np.bincount(num_code[ok], minlength=n_num).astype(float)
    A = Zu.sum(axis=0) if linear else cell_sums(num_code, n_num, w if num_val is None else w * num_val, ok)
    B = None
    if ratio:
        assert den_code is not None and den_of is not None and b_w is not None  # set above for a ratio
        if Zb is not None:
            B = Zb.sum(axis=0)
        elif den_from_num:
            # every counted row is in exactly one numerator cell of its denominator cell
            B = np.bincount(den_of, weights=A, minlength=n_den)
            Zb = _group_columns(Zu, den_of, n_den) if Zu is not None else None  # Zu: the linear case
        elif linear:
            Zb = _unit_sums(design, den_code, n_den, b_w)[0]
            B = Zb.sum(axis=0)
        else:
            B = cell_sums(den_code, n_den, b_w)
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = A / B[den_of]
    else:
        theta = A
    stat = CellRatios(
        design,
        theta,
        B,
        num_code,
        n_num,
        num_val,
        den_code,
        n_den,
        den_val,
        den_of,
        den_from_num=den_from_num,
        ok=ok,
        Zu=Zu,
        Zb=Zb,
        column_domains=domains,
    )
    refuse_overflow(A, B)
    cov = design.variance.covariance(stat, design)
    refuse_overflow(np.diagonal(cov.vcov), None, what="its variance")
    return Ratios(theta, cov.vcov, A, B, cov.replicates, counts=cell_counts, unit_counts=unit_counts)


def refuse_overflow(A: np.ndarray, B: np.ndarray | None, what: str = "a weighted total") -> None:
    """Raise when weighted totals (or variances) are infinite: values or weights too large for floating point.

    Parameters
    ----------
    A, B : ndarray
        Numerator and denominator totals (``B`` may be None); or a variance diagonal as ``A``.
    what : str
        The quantity named in the message.

    Raises
    ------
    EstimationError
        An entry is infinite; an estimate from it would print as "-" or ``nan``.
    """
    if np.isinf(A).any() or (B is not None and np.isinf(B).any()):
        raise EstimationError(
            f"{what} overflows (the values times the weights are too large to compute with, so the "
            "estimate would be meaningless); rescale the variable (e.g. to thousands) or the weights"
        )


@dataclass(frozen=True, eq=False)
class CellRatios:
    """The ratios of :func:`ratio_totals` as a :class:`~pewlike.variance.strategy.Statistic`.

    ``theta_k = A_k / B_den_of(k)`` (``B`` None: totals ``A_k``).  ``Zu``/``Zb`` are the
    numerator/denominator totals per (unit, cell) when the estimate already summed them.
    """

    design: Design
    estimate: np.ndarray
    B: np.ndarray | None
    num_code: np.ndarray
    n_num: int
    num_val: np.ndarray | None
    den_code: np.ndarray | None
    n_den: int
    den_val: np.ndarray | None
    den_of: np.ndarray | None
    den_from_num: bool = False
    ok: Any = None
    Zu: np.ndarray | None = None
    Zb: np.ndarray | None = None
    column_domains: tuple | None = None
    subset_units: None = None

    def unit_influence(self) -> np.ndarray:
        """Influence totals per (unit, cell): ``(Zu - theta Zb) / B`` for ratios, ``Zu`` for totals.

        Returns
        -------
        ndarray (units, n_num)
        """
        d, w = self.design, self.design.weights
        Zu, Zb = self.Zu, self.Zb
        if Zu is None:
            a_w = w if self.num_val is None else w * self.num_val
            Zu = _unit_sums(d, self.num_code, self.n_num, a_w, ok=self.ok)[0]
        if self.B is None:
            return Zu
        theta, B, den_of = self.estimate, self.B, self.den_of
        assert den_of is not None  # a ratio: ratio_totals set den_of
        if Zb is None:
            if self.den_from_num:
                Zb = _group_columns(Zu, den_of, self.n_den)
            else:
                assert self.den_code is not None
                b_w = w if self.den_val is None else w * self.den_val
                Zb = _unit_sums(d, self.den_code, self.n_den, b_w)[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            Z = (Zu - theta * Zb[:, den_of]) / B[den_of]
        Z[:, ~np.isfinite(theta)] = 0.0
        return Z

    def row_influence(self) -> np.ndarray:
        """Row-level influence values, for designs with calibration steps.

        Returns
        -------
        ndarray (n, n_num)
        """
        return _row_influence(
            self.design,
            self.num_code,
            self.n_num,
            self.num_val,
            self.den_code,
            self.den_val,
            self.den_of,
            self.estimate,
            self.B,
        )

    def replicates(self, method: ReplicateVariance) -> np.ndarray:
        """Every ratio recomputed with each replicate's weights.

        Parameters
        ----------
        method : ReplicateVariance
            Gives the replicate totals by cell.

        Returns
        -------
        ndarray (R, n_num)
        """
        Ar = method.cell_totals(self.num_code, self.n_num, self.num_val)
        if self.B is None:
            return Ar
        den_code, den_of = self.den_code, self.den_of
        assert den_code is not None and den_of is not None  # a ratio: ratio_totals set both
        if self.den_from_num:
            Br = _group_columns(Ar, den_of, self.n_den)
        else:
            Br = method.cell_totals(den_code, self.n_den, self.den_val)
        with np.errstate(divide="ignore", invalid="ignore"):
            return Ar / Br[:, den_of]


def _group_columns(M: np.ndarray, group: np.ndarray, ngroup: int) -> np.ndarray:
    """Sum the columns of ``M`` within groups: (m, k) -> (m, ngroup)."""
    S = np.zeros((group.shape[0], ngroup))
    S[np.arange(group.shape[0]), group] = 1.0
    return M @ S


def _row_influence(design, num_code, n_num, num_val, den_code, den_val, den_of, theta, B):
    """Row-level influence values (n, n_num), for designs whose variance needs rows (calibration)."""
    from scipy import sparse

    n = design.weights.shape[0]
    w = design.weights
    ok = num_code >= 0
    a = w if num_val is None else w * num_val
    x = np.asarray(sparse.csr_matrix((a[ok], (np.flatnonzero(ok), num_code[ok])), shape=(n, n_num)).todense())
    if den_code is not None:
        b = w if den_val is None else w * den_val
        okd = den_code >= 0
        rows = sparse.csr_matrix((b[okd], (np.flatnonzero(okd), den_code[okd])), shape=(n, B.shape[0]))
        fin = np.isfinite(theta)
        m = sparse.csr_matrix((np.where(fin, theta, 0.0), (den_of, np.arange(n_num))), shape=(B.shape[0], n_num))
        x -= np.asarray((rows @ m).todense())
        with np.errstate(divide="ignore", invalid="ignore"):
            x = x / B[den_of][None, :]
        x[:, ~fin] = 0.0
    return x


# ---------------------------------------------------------------------------
# domains
# ---------------------------------------------------------------------------
def domain_codes(
    sf: SurveyFrame, by: str | Sequence[str] | None, ok: np.ndarray, *, na_rm: bool = True
) -> tuple[np.ndarray, pd.DataFrame, list[str]]:
    """Domain code per row for the ``by`` variables.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    by : str, sequence of str or None
        Domain variables (None or empty: one domain).
    ok : ndarray (n,) of bool
        Rows that may be counted.
    na_rm : bool
        Leave out rows with a missing (or codebook-missing) ``by`` value.

    Returns
    -------
    (ndarray, pandas.DataFrame, list of str)
        ``code`` (n,) int with -1 for rows outside ``ok`` or with a missing ``by``
        value; ``keys``, one row per domain present (R ``svyby`` order: the first
        variable varies fastest); ``by_cols``, the resolved column names.  As R's
        ``svyby``, a domain whose rows all have a zero weight is not present (when
        every domain is so, they are kept, and the estimator says the weights sum to zero).

    Raises
    ------
    EstimationError
        A variable named twice, or no row with valid ``by`` values.
    """
    import pandas as pd

    if by is None:
        return (np.zeros(ok.shape[0], dtype=np.int64) if ok.all() else np.where(ok, 0, -1)), pd.DataFrame(index=[0]), []
    names = [by] if isinstance(by, str) else list(by)
    if not names:
        return np.where(ok, 0, -1), pd.DataFrame(index=[0]), []
    cols = [sf.resolve(b) for b in names]
    if len(set(cols)) != len(cols):
        raise EstimationError(f"by= names a variable twice: {names}")
    use = ok.copy()
    parts: list[np.ndarray] = []
    levels: list[list[Any]] = []
    for c in cols:
        s = sf.data[c]
        if not isinstance(s.dtype, pd.CategoricalDtype):
            use &= sf.valid(c) if na_rm else s.notna().to_numpy()
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes = s.cat.codes.to_numpy().astype(np.int64)
            cats = list(s.cat.categories)
            if na_rm and sf.codebook.variables[c].missing:
                bad = np.array([str(x) in sf.codebook.variables[c].missing for x in cats] + [True])
                codes = np.where(bad[codes], -1, codes)
        else:
            codes, uniques = pd.factorize(s, sort=True)
            codes = codes.astype(np.int64)
            cats = list(uniques)
        parts.append(codes)
        levels.append(cats)
    # combined code, last variable most significant so the first varies fastest (R's interaction order)
    mult = 1
    combined: np.ndarray | None = None
    for codes, cats in zip(parts, levels):
        use &= codes >= 0
        combined = codes if combined is None else combined + codes * mult
        mult *= max(len(cats), 1)
    assert combined is not None  # at least one by variable
    every = bool(use.all())
    counts = np.bincount(combined if every else combined[use], minlength=mult)
    present = np.flatnonzero(counts)
    if present.size == 0:
        raise EstimationError(f"no respondent has valid values of {', '.join(cols)} in this domain")
    if sf.design.has_zero_weights:  # R's svyby: domains of the rows with a nonzero weight only
        weighted = np.flatnonzero(np.bincount(combined[sf.design.weighted_rows(use)], minlength=mult))
        if 0 < weighted.size < present.size:
            present = weighted
    if present.size == mult:
        code = combined if every else np.where(use, combined, -1)
    else:
        remap = np.full(mult + 1, -1, dtype=np.int64)
        remap[present] = np.arange(present.size)
        code = remap[np.where(use, combined, mult)]
    keys: dict[str, Any] = {}
    rem = present.copy()
    for c, cats in zip(cols, levels):
        k = max(len(cats), 1)
        idx = rem % k
        rem = rem // k
        keys[c] = (
            pd.Categorical.from_codes(
                idx, dtype=pd.CategoricalDtype(cats, ordered=bool(getattr(sf.data[c].dtype, "ordered", False)))
            )
            if isinstance(sf.data[c].dtype, pd.CategoricalDtype)
            else np.asarray(cats, dtype=object)[idx]
        )
    return code, pd.DataFrame(keys), cols


def domain_degf(design: Design, code: np.ndarray, ndom: int) -> np.ndarray:
    """Degrees of freedom of each domain's subset design.

    Parameters
    ----------
    design : Design
        The design; its variance method counts the degrees of freedom.
    code : ndarray (n,) of int
        Domain of each row (-1: in none).
    ndom : int
        Number of domains.

    Returns
    -------
    ndarray (ndom,) of float

    Notes
    -----
    R ``degf(subset(design, ...))`` for each domain, as ``svyby`` computes it.
    """
    in_dom = (code >= 0) & (design.weights != 0)
    if in_dom.all():
        if ndom == 1:
            return np.array([float(design.degf())])
        in_dom = slice(None)
    return design.variance.subset_degf(design, code, ndom, in_dom)


def unit_domain_degf(design: Design, present: np.ndarray) -> np.ndarray:
    """Domain df from which sampling units each domain touches (``present``: units x domains).

    Same value as :func:`domain_degf` (PSUs minus strata with rows in the domain)
    when no row has weight zero; costs nothing per row.  Unit counts come from
    estimates whose variance method uses unit totals, whose degrees of freedom
    are PSUs minus strata.

    Parameters
    ----------
    design : Design
        The design.
    present : ndarray (units, ndom) of bool
        Whether each last-stage unit has a row in each domain.

    Returns
    -------
    ndarray (ndom,) of float
    """
    _, first = design.units
    ndom = present.shape[1]
    u, g = np.nonzero(present)
    out = np.zeros(ndom)
    for labels, sign in ((design.clusters[first, 0], 1.0), (design.strata[first, 0], -1.0)):
        m = int(labels.max()) + 1
        seen = np.zeros(m * ndom, dtype=bool)
        seen[labels[u] * ndom + g] = True
        out += sign * seen.reshape(m, ndom).sum(axis=0)
    return out
