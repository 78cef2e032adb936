"""Weighting targets: reading margins given in several shapes and matching them to the sample.

A *margin* is one variable, or a joint cell of several (``("F_SEX", "F_EDUCCAT")``), with a
target for each category.  Targets can be given as

* a dict ``{level: value}`` or a pandas Series (a MultiIndex for a joint margin),
* a DataFrame of cells: one column per variable plus one value column (``Freq``,
  ``target``, ``share``, ``proportion``, ``total``...), as ``pewmethods`` and R use,

either inside a dict keyed by the variable (``{"F_AGECAT": {...}, ("F_SEX", "F_EDUCCAT"):
df}``; ``"F_SEX:F_EDUCCAT"`` also names a joint margin) or as a list of such DataFrames.
Each margin is proportions (summing to 1) or totals; :func:`pewlike.weighting.population.targets_from`
builds them from a population file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import RakingError
from pewlike.weighting.target_shapes import label_text, margin_name, normalize

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame

__all__ = [
    "Cells",
    "Margin",
    "build_margins",
    "cell_totals",
    "group_rows",
    "joint_cells",
    "label_text",
    "margin_name",
    "margins_frame",
]

PROPORTION_TOL = 1e-6  # a margin summing to 1 within this is a set of proportions
TOTAL_RTOL = 1e-6  # margins given as totals must agree on the total to this relative tolerance


@dataclass(frozen=True, eq=False)
class Margin:
    """One margin matched to the sample.

    Attributes
    ----------
    name : str
        ``"F_SEX"`` or ``"F_SEX x F_EDUCCAT"``.
    columns : tuple of str
        The data columns.
    labels : list
        Cell labels: a string, or a tuple of strings for a joint margin.
    code : ndarray (n,) of int
        Cell of each row (-1 for rows that are not raked: outside the domain or zero weight).
    target : ndarray
        Target total of each cell (after scaling proportions).
    """

    name: str
    columns: tuple
    labels: list
    code: np.ndarray
    target: np.ndarray

    @property
    def ncell(self) -> int:
        """Number of target cells."""
        return int(self.target.shape[0])


def _pct(x: float) -> str:
    return f"{100 * x:.3g}%"


# --------------------------------------------------------------------------- matching
def _column_codes(sf: SurveyFrame, col: str):
    """Codes (int64, -1 missing), labels and codebook-missing labels of a column."""
    import pandas as pd

    s = sf.data[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = [label_text(c) for c in s.cat.categories]
        codes = s.cat.codes.to_numpy()
        categorical = True
    else:
        codes, uniq = pd.factorize(s, sort=True)
        cats = [label_text(u) for u in uniq]
        categorical = False
    info = sf.codebook.variables.get(col)
    missing = set(info.missing) if info is not None else set()
    return codes, cats, missing, categorical


@dataclass(frozen=True, eq=False)
class Cells:
    """The weighted sample collapsed to the occupied cells of the cross-classification of all margins.

    Attributes
    ----------
    cell : ndarray (n,) of int
        Joint cell of every row (-1 for rows not weighted).
    codes : list of ndarray
        For every margin, its cell (0..k-1) of every joint cell.
    w : ndarray
        Sum of the starting weights of every joint cell.
    count : ndarray
        Respondents in every joint cell.
    """

    cell: np.ndarray
    codes: list
    w: np.ndarray
    count: np.ndarray

    def margin_totals(self, j: int, k: int, cell_values: np.ndarray | None = None) -> np.ndarray:
        """Totals of margin ``j`` from per-joint-cell values.

        Parameters
        ----------
        j : int
            The margin.
        k : int
            Its number of cells.
        cell_values : ndarray (cells,), optional
            Values of every joint cell (default: the starting weights).

        Returns
        -------
        ndarray (k,)
        """
        return np.bincount(self.codes[j], weights=self.w if cell_values is None else cell_values, minlength=k)


def build_margins(
    sf: SurveyFrame,
    margins: Mapping[Any, Any] | Sequence[Any],
    *,
    total: float | None = None,
    weights: np.ndarray | None = None,
    what: str = "raking",
    partial: bool = False,
) -> tuple[list[Margin], np.ndarray, Cells]:
    """Match targets to the sample; scale proportions to totals.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    margins : dict or list
        Targets in any shape of :mod:`pewlike.weighting.targets`.
    total : float, optional
        Population total for margins given as proportions (default: the weights' sum).
    weights : ndarray (n,), optional
        Starting weights (default: the design's).
    what : str
        The weighting step, for messages.
    partial : bool
        Drop target cells without respondents with a warning (R ``postStratify(partial =
        TRUE)``) instead of raising.

    Returns
    -------
    (list of Margin, ndarray, Cells)
        The margins, the mask of weighted rows (in the domain, positive weight) and the
        sample collapsed to joint cells.

    Raises
    ------
    RakingError
        Unknown level, missing values in a raking variable, a sample category without a
        target, a positive target without respondents, negative or all-zero targets, or
        margins given as totals that disagree on the total.
    """
    w = sf.design.weights if weights is None else weights
    active = sf.design.in_domain & (w > 0)
    all_active = bool(active.all())
    spec = normalize(margins, sf.resolve)
    cache: dict[str, Any] = {}
    raw = []
    for cols, entries in spec:
        name = margin_name(cols)
        labels = [k if len(cols) > 1 else k[0] for k, _ in entries]
        vals = np.array([v for _, v in entries], dtype=float)
        if len(set(labels)) != len(labels):
            dup = next(lab for lab in labels if labels.count(lab) > 1)
            raise RakingError(f"targets for {name} list {dup!r} more than once; give each category once")
        if not np.isfinite(vals).all():
            bad = labels[int(np.flatnonzero(~np.isfinite(vals))[0])]
            raise RakingError(f"target for {name} {bad!r} is missing; give a number for every category")
        if (vals < 0).any():
            j = int(np.argmin(vals))
            raise RakingError(
                f"targets for {name} include a negative value ({vals[j]:g} for {labels[j]!r}); "
                "targets must be shares or counts >= 0"
            )
        if vals.sum() <= 0:
            raise RakingError(f"targets for {name} sum to zero; give the population share of each category")
        code = _cell_codes(sf, cols, [k for k, _ in entries], active, all_active, cache, what)
        raw.append((name, cols, labels, code, vals))
    # -- scale ------------------------------------------------------------------------
    sums = np.array([r[4].sum() for r in raw])
    is_prop = np.abs(sums - 1.0) <= PROPORTION_TOL
    if total is not None:
        if not (np.isfinite(total) and total > 0):
            raise RakingError(f"total={total!r} is not valid; give the positive population total (or None)")
        base = float(total)
    elif (~is_prop).any():
        tot = sums[~is_prop]
        names = [r[0] for r, p in zip(raw, is_prop) if not p]
        far = np.abs(tot - tot[0]) > TOTAL_RTOL * tot[0]
        if far.any():
            j = int(np.flatnonzero(far)[0])
            raise RakingError(
                f"margins disagree on the total: {names[0]} sums to {tot[0]:,.6g} but {names[j]} "
                f"sums to {tot[j]:,.6g}; give every margin as proportions, or totals with one "
                "sum (or pass total=)"
            )
        base = float(tot[0])
        if abs(base - 100.0) <= 100.0 * PROPORTION_TOL:
            import warnings

            from pewlike.errors import WeightWarning

            warnings.warn(
                "the targets sum to 100 and are read as totals, so the weights will sum to 100; if they "
                "are percentages, divide them by 100 (or pass total=)",
                WeightWarning,
                stacklevel=4,
            )
    else:
        base = float(w.sum() if all_active else w[active].sum())
    cells = joint_cells([r[3] for r in raw], [len(r[2]) for r in raw], w, all_active)
    out = []
    for j, ((name, cols, labels, code, vals), s_) in enumerate(zip(raw, sums)):
        target = vals * (base / s_) if (total is not None or abs(s_ - 1.0) <= PROPORTION_TOL) else vals
        m, remap = _finish(name, cols, labels, code, target, cells, j, partial)
        if remap is not None:
            cells.codes[j] = remap[cells.codes[j]]
        out.append(m)
    return out, active, cells


def joint_cells(codes: list[np.ndarray], sizes: list[int], w: np.ndarray, all_active: bool) -> Cells:
    """Collapse the rows to the occupied cells of the cross-classification of the margins.

    Parameters
    ----------
    codes : list of ndarray (n,)
        Cell of every row in each margin (-1: not weighted).
    sizes : list of int
        Number of cells of each margin.
    w : ndarray (n,)
        Starting weights.
    all_active : bool
        Every row is weighted (no -1 codes).

    Returns
    -------
    Cells
    """
    stride = int(np.prod(sizes, dtype=np.float64))
    ctype: type[np.signedinteger[Any]] = np.int32 if stride < 2**31 - 1 else np.int64
    comb = codes[0].astype(ctype)
    step = sizes[0]
    for c, k in zip(codes[1:], sizes[1:]):
        comb += c.astype(ctype) * ctype(step)
        step *= k
    if not all_active:
        comb[codes[0] < 0] = stride  # rows not weighted: a slot of their own
    if stride <= 1 << 22:
        count = np.bincount(comb, minlength=stride + 1)[:stride]
        present = count > 0
        remap = (np.cumsum(present) - 1).astype(ctype)
        remap = np.append(remap, ctype(-1))
        cell = remap[comb]
        keys = np.flatnonzero(present)
        count = count[present]
    else:
        keys, cell, count = np.unique(comb, return_inverse=True, return_counts=True)
        if keys.size and keys[-1] == stride:
            keys, count = keys[:-1], count[:-1]
            cell = np.where(cell == keys.size, -1, cell)
        cell = cell.astype(ctype)
    ncell = keys.size
    cw = (
        np.bincount(cell, weights=w, minlength=ncell)
        if all_active
        else np.bincount(np.where(cell >= 0, cell, ncell), weights=w, minlength=ncell + 1)[:ncell]
    )
    cell_codes = []
    for k in sizes:
        cell_codes.append(keys % k)
        keys = keys // k
    return Cells(cell, cell_codes, cw, count)


def _small_int(k: int):
    """Smallest signed integer type holding -2 .. k."""
    for t in (np.int8, np.int16, np.int32):
        if k < np.iinfo(t).max:
            return t
    return np.int64


def _cell_codes(sf, cols, keys, active, all_active, cache, what) -> np.ndarray:
    """Target cell of every row (-1: not weighted), checking for NA and categories without targets.

    One lookup table per column maps category codes to target cells (-2 for a missing value,
    -1 for a category without a target), so a one-variable margin costs a single gather.
    """
    name = margin_name(cols)
    ncell = len(keys)
    ctype = _small_int(ncell)
    luts, sizes = [], []
    for i, col in enumerate(cols):
        if col not in cache:
            cache[col] = _column_codes(sf, col)
        _codes, cats, missing, categorical = cache[col]
        index = {c: j for j, c in enumerate(cats)}
        wanted = {k[i] for k in keys}
        for lab in sorted(wanted - set(index), key=str):
            if categorical or not wanted & set(cats):
                choices = ", ".join(repr(c) for c in cats[:12])
                raise RakingError(
                    f"target level {lab!r} is not a category of {col} (categories: "
                    f"{choices}); fix the label in the targets"
                )
            index[lab] = len(index)  # a level nobody has: no respondents
        pos = np.array([index[k[i]] for k in keys], dtype=np.int64)
        lut = np.arange(len(cats) + 1, dtype=np.int64)
        lut[-1] = -2  # code -1 (NA)
        for m in missing:
            if m in index and m not in wanted and index[m] < len(cats):
                lut[index[m]] = -2  # a missing category without a target is NA
        luts.append((lut, pos))
        sizes.append(len(index))
    if len(cols) == 1:
        lut, pos = luts[0]
        tmap = np.full(sizes[0], -1, dtype=np.int64)
        tmap[pos] = np.arange(ncell)
        full = np.where(lut >= 0, tmap[np.clip(lut, 0, None)], lut).astype(ctype)
        cell = full[cache[cols[0]][0]]
    else:
        stride = int(np.prod(sizes))
        comb = np.zeros(active.shape[0], dtype=np.int64)
        na = np.zeros(active.shape[0], dtype=bool)
        tcomb = np.zeros(ncell, dtype=np.int64)
        step = 1
        for col, (lut, pos), size in zip(cols, luts, sizes):
            part = lut[cache[col][0]]
            na |= part < 0
            comb += part * step
            tcomb += pos * step
            step *= size
        comb[na] = -1
        if stride <= 1 << 24:
            tlut = np.full(stride + 1, -1, dtype=ctype)
            tlut[tcomb] = np.arange(ncell, dtype=ctype)
            cell = tlut[comb]
        else:
            order = np.argsort(tcomb)
            ts = tcomb[order]
            at = np.clip(np.searchsorted(ts, comb), 0, ts.size - 1)
            cell = np.where(ts[at] == comb, order[at], -1).astype(ctype)
        cell[na] = -2
    if (cell.min() if cell.size else 0) < 0:
        bad = cell < 0 if all_active else (cell < 0) & active
        if bad.any():
            _unmatched(sf, cols, cell, bad, cache, name, what)
    if not all_active:
        cell[~active] = -1
    return cell


def _unmatched(sf, cols, cell, bad, cache, name, what):
    na = bad & (cell == -2)
    if na.any():
        miss = sorted({m for c in cols for m in cache[c][2]})
        extra = f" (including {', '.join(repr(m) for m in miss)})" if miss else ""
        raise RakingError(
            f"{name} has {int(na.sum()):,} missing value(s){extra} among the respondents being "
            f"weighted; impute them (as Pew does before {what}) or drop those respondents "
            "with svy.subset(...)"
        )
    i = int(np.flatnonzero(bad)[0])
    lab = tuple(cache[c][1][cache[c][0][i]] for c in cols)
    lab = lab if len(cols) > 1 else lab[0]
    same = np.ones(bad.shape[0], dtype=bool)
    for c in cols:
        same &= cache[c][0] == cache[c][0][i]
    count = int((bad & same).sum())
    raise RakingError(
        f"{name} category {lab!r} ({count:,} respondents) has no target; add it to the "
        "targets or recode those respondents"
    )


def group_rows(code: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Column sums of ``values`` within groups.

    Parameters
    ----------
    code : ndarray (m,) of int
        Group of every row (-1: none).
    values : ndarray (m, R)
        Columns to sum.
    k : int
        Number of groups.

    Returns
    -------
    ndarray (k, R)
    """
    from scipy import sparse

    rows = np.flatnonzero(code >= 0)
    ind = sparse.csr_matrix((np.ones(rows.size), (code[rows], rows)), shape=(k, code.shape[0]))
    return np.asarray(ind @ values)


def cell_totals(code: np.ndarray, k: int, w: np.ndarray | None = None) -> np.ndarray:
    """``bincount`` of the rows with ``code >= 0`` (no copies when every row counts).

    Parameters
    ----------
    code : ndarray (n,) of int
        Cell of every row (-1: none).
    k : int
        Number of cells.
    w : ndarray (n,), optional
        Weights (None: counts).

    Returns
    -------
    ndarray (k,)
    """
    if code.size and code.min() >= 0:
        return np.bincount(code, weights=w, minlength=k)
    ok = code >= 0
    return np.bincount(code[ok], weights=None if w is None else w[ok], minlength=k)


def _finish(name, cols, labels, code, target, cells: Cells, j: int, partial=False):
    """Check targets against the sample's cells; drop cells that are empty in both."""
    k = target.shape[0]
    have = cells.margin_totals(j, k)
    count = cells.margin_totals(j, k, cells.count.astype(float))
    total = target.sum()
    absent = (target > 0) & (have <= 0)
    if absent.any() and partial:
        import warnings

        from pewlike.errors import WeightWarning

        warnings.warn(
            f"{int(absent.sum())} target cell(s) of {name} have no respondents and were ignored (partial=True)",
            WeightWarning,
            stacklevel=4,
        )
        target = np.where(absent, 0.0, target)
    elif absent.any():
        i = int(np.flatnonzero(absent)[0])
        raise RakingError(
            f"{name} target category {labels[i]!r} (target share {_pct(target[i] / total)}) has no "
            "respondents in the sample; merge it with a neighbouring category or drop it from the "
            "targets"
        )
    zero = (target <= 0) & (count > 0)
    if zero.any():
        i = int(np.flatnonzero(zero)[0])
        raise RakingError(
            f"{name} category {labels[i]!r} has a target of 0 but {int(count[i]):,} respondents; "
            "give it a positive target or drop those respondents"
        )
    keep = target > 0
    remap = None
    if not keep.all():
        remap = np.full(k + 1, -1, dtype=code.dtype)
        remap[:k][keep] = np.arange(int(keep.sum()))
        code = remap[code]  # code -1 picks the last entry: -1
        labels = [lab for lab, kk in zip(labels, keep) if kk]
        target = target[keep]
    return Margin(name, tuple(cols), list(labels), code, np.asarray(target, dtype=float)), remap


def margins_frame(
    margins: list[Margin],
    weights: np.ndarray | None = None,
    *,
    achieved: list[np.ndarray] | None = None,
    before: list[np.ndarray] | None = None,
    unweighted: list[np.ndarray] | None = None,
) -> pd.DataFrame:
    """Achieved vs target shares of every target cell (and the shares before the step).

    Parameters
    ----------
    margins : list of Margin
        The margins.
    weights : ndarray (n,), optional
        Weights to sum the achieved totals from.
    achieved : list of ndarray, optional
        Each margin's weighted totals, instead of summing ``weights``.
    before : list of ndarray, optional
        Each margin's totals with the weights the step started from.
    unweighted : list of ndarray, optional
        Each margin's count of respondents.

    Returns
    -------
    pandas.DataFrame
        ``variable, level, target, achieved, difference``, then ``before`` and
        ``unweighted`` (shares) when given.
    """
    import pandas as pd

    def share(x: np.ndarray) -> np.ndarray:
        tot = float(np.sum(x))
        return np.asarray(x, dtype=float) / tot if tot > 0 else np.full(len(x), np.nan)

    rows = []
    extra: dict[str, list[float]] = {"before": [], "unweighted": []}
    for j, m in enumerate(margins):
        have = achieved[j] if achieved is not None else cell_totals(m.code, m.ncell, weights)
        tot_t, tot_h = m.target.sum(), have.sum()
        for lab, t, h in zip(m.labels, m.target, have):
            level = ":".join(lab) if isinstance(lab, tuple) else lab
            rows.append((m.name, level, t / tot_t, h / tot_h))
        for key, given in (("before", before), ("unweighted", unweighted)):
            if given is not None:
                extra[key] += share(given[j]).tolist()
    frame = pd.DataFrame(rows, columns=["variable", "level", "target", "achieved"])
    frame["difference"] = frame["achieved"] - frame["target"]
    for key, values in extra.items():
        if values:
            frame[key] = values
    return frame
