"""The partitioned engine: per-partition weighted sums, combined, then the in-memory finishing code.

Every estimator of :mod:`pewlike.estimation.engine` is a ratio of weighted totals over cells.  On a
partitioned survey each partition returns small arrays -- cell totals, replicate totals
(replicates x cells), totals per (sampling unit, cell) as sparse pairs, per-stratum sums
and centred cross-products -- which are added up in a tree, so no process ever holds
more than one partition and the sums.  The covariance is then computed by the same
functions as in memory (:func:`pewlike.variance.linearization.linearized_vcov`,
:func:`pewlike.variance.linearization.replicate_vcov`).

Internal to the partitioned backend (:mod:`pewlike.partitioned.frame`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import DesignError, EstimationError
from pewlike.partitioned.cluster import compute

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.partitioned.frame import PartitionedFrame

__all__ = [
    "BLOCK_ROWS",
    "DaskDesign",
    "Extremes",
    "Level",
    "Pairs",
    "Prep",
    "RakeFactors",
    "State",
    "column_codes",
    "map_reduce",
    "prepare",
    "run_pass",
]

BLOCK_ROWS = 65536  # rows per block when a partition builds dense row x statistic arrays


# --------------------------------------------------------------------------- metadata
@dataclass(frozen=True, eq=False)
class Level:
    """The categories of a column, known for the whole data set (all partitions).

    ``values`` are the categories as pandas holds them (labels of a categorical, sorted
    distinct values otherwise), ``labels`` their text.
    """

    values: tuple
    labels: tuple
    categorical: bool
    ordered: bool = False
    missing: frozenset = frozenset()

    def index(self):
        import pandas as pd

        return pd.Index(list(self.values))


def column_codes(pdf: pd.DataFrame, col: str, level: Level) -> np.ndarray:
    """Category code (position in ``level.values``) of every row of a partition; -1 for missing."""
    import pandas as pd

    s = pdf[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        if len(cats) == len(level.values) and list(cats) == list(level.values):
            return s.cat.codes.to_numpy().astype(np.int64)
        lut = level.index().get_indexer(cats)
        codes = s.cat.codes.to_numpy()
        return np.where(codes >= 0, np.append(lut, -1)[codes], -1).astype(np.int64)
    return level.index().get_indexer(s).astype(np.int64)


# --------------------------------------------------------------------------- design
@dataclass(frozen=True, eq=False)
class DaskDesign:
    """What the partitioned engine needs to know about the sampling design.

    ``kind`` is ``"replicate"`` (replicate weight columns), ``"clustered"`` (PSUs given:
    sums per last-stage unit are gathered; ``unit_index`` holds the distinct units and
    ``unit_strata``/``unit_clusters``/``unit_pop`` their codes, as
    :class:`~pewlike.design.structure.Design` holds them per row) or ``"rows"`` (every row its
    own unit: per-stratum sums and centred cross-products, strata in ``strata_index``
    with row counts ``n_h`` and population sizes ``pop_h``).
    """

    kind: str
    weight_col: str | None
    weighted: bool
    lonely_psu: str
    names: dict
    rep_cols: tuple = ()
    reptype: str | None = None
    scale: float | None = None
    rscales: np.ndarray | None = None
    mse: bool = False
    key_cols: tuple = ()
    unit_index: Any = None
    unit_strata: np.ndarray | None = None
    unit_clusters: np.ndarray | None = None
    unit_pop: np.ndarray | None = None
    strata_index: Any = None
    strata_labels: tuple = ()
    n_h: np.ndarray | None = None
    pop_h: np.ndarray | None = None

    @property
    def columns(self) -> list[str]:
        return ([self.weight_col] if self.weight_col else []) + list(self.rep_cols) + list(self.key_cols)


@dataclass(frozen=True, eq=False)
class RakeFactors:
    """One raking step, as partitions apply it: joint cell of each row -> adjustment factor.

    Rows are keyed by the category codes of the raking columns (``key = sum (code + 1) *
    stride``); ``keys`` (sorted) map to joint cells ``jcell``, whose factors are
    ``factor`` (and ``rep_factor`` for every replicate).  ``ndomain`` is the number of
    subset conditions in force when raking (the rows raked).  ``codes``, ``ncells``,
    ``scale`` and ``count`` describe the raking for the variance, as
    :class:`pewlike.weighting.steps.RakingStep` does per row.
    """

    columns: tuple
    levels: tuple
    keys: np.ndarray
    jcell: np.ndarray
    factor: np.ndarray
    rep_factor: np.ndarray | None
    ndomain: int
    codes: tuple = ()
    ncells: tuple = ()
    scale: tuple = ()
    count: np.ndarray | None = None
    sweeps: int = 10
    call: tuple = ()

    def cells(self, pdf) -> np.ndarray:
        """Joint cell of every row of a partition (-1: not in the raked table)."""
        key = np.zeros(len(pdf), dtype=np.int64)
        stride = 1
        for col, lev in zip(self.columns, self.levels):
            key += (column_codes(pdf, col, lev) + 1) * stride
            stride *= len(lev.values) + 1
        pos = np.searchsorted(self.keys, key)
        pos = np.clip(pos, 0, max(self.keys.shape[0] - 1, 0))
        hit = self.keys[pos] == key if self.keys.size else np.zeros(key.shape[0], dtype=bool)
        return np.where(hit, self.jcell[pos], -1)


@dataclass(frozen=True, eq=False)
class State:
    """Everything a partition needs to compute its weights: design, subset conditions, raking steps."""

    design: DaskDesign
    domain: tuple = ()
    steps: tuple = ()

    def columns(self) -> set[str]:
        cols = set(self.design.columns)
        for q in self.domain:
            cols |= set(q[1])
        for s in self.steps:
            cols |= set(s.columns)
        return cols


@dataclass(eq=False)
class Prep:
    """Arrays of one partition: final weights ``w`` (zero outside the domain), domain mask,
    replicate weights ``rep`` as (replicates, rows), unit or stratum codes, and per raking step
    (joint cell, weights before it)."""

    w: np.ndarray
    dom: np.ndarray
    rep: np.ndarray | None
    unit: np.ndarray | None
    stratum: np.ndarray | None
    calib: list = field(default_factory=list)
    design: DaskDesign | None = None


def _domain_mask(pdf, conditions, upto: int) -> np.ndarray:
    mask = np.ones(len(pdf), dtype=bool)
    for kind, _cols, expr in conditions[:upto]:
        if kind == "query":
            hit = pdf.eval(expr, engine="python")
            hit = np.asarray(hit.fillna(False) if hasattr(hit, "fillna") else hit, dtype=bool)
        else:
            hit = np.asarray(expr(pdf), dtype=bool)
        if hit.shape != mask.shape:
            raise EstimationError(f"subset condition {expr!r} did not give one True/False per row")
        mask &= hit
    return mask


def prepare(pdf: pd.DataFrame, state: State) -> Prep:
    """Weights, replicate weights, domain and unit codes of one partition."""
    d = state.design
    n = len(pdf)
    w = np.ones(n) if d.weight_col is None else pdf[d.weight_col].to_numpy(dtype=float, na_value=np.nan)
    rep = None
    if d.rep_cols:
        rep = _replicate_rows(pdf, d.rep_cols)
    calib = []
    for step in state.steps:
        before = np.where(_domain_mask(pdf, state.domain, step.ndomain), w, 0.0)
        cell = step.cells(pdf)
        cell = np.where(before > 0, cell, -1)
        calib.append((cell, before))
        ok = cell >= 0
        f = np.ones(n)
        f[ok] = step.factor[cell[ok]]
        w = f * w
        if rep is not None and step.rep_factor is not None:
            fr = np.ones((rep.shape[0], n))
            fr[:, ok] = step.rep_factor[cell[ok]].T
            rep *= fr
    dom = _domain_mask(pdf, state.domain, len(state.domain))
    w = np.where(dom, w, 0.0)
    if rep is not None and len(state.domain):
        rep *= dom[None, :]
    unit = stratum = None
    if d.kind == "clustered":
        unit = _lookup(pdf, d.key_cols, d.unit_index)
    elif d.kind == "rows":
        stratum = _lookup(pdf, d.key_cols, d.strata_index) if d.key_cols else np.zeros(n, dtype=np.int64)
    return Prep(w, dom, rep, unit, stratum, calib, d)


def _replicate_rows(pdf, cols) -> np.ndarray:
    """Replicate weights as a C-ordered (replicates, rows) float array, filled column by column."""
    out = np.empty((len(cols), len(pdf)))
    for j, c in enumerate(cols):
        s = pdf[c]
        if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iuf":
            np.copyto(out[j], s.to_numpy())
        else:
            out[j] = s.to_numpy(dtype=float, na_value=np.nan)
    return out


def _lookup(pdf, cols, index) -> np.ndarray:
    import pandas as pd

    if len(cols) == 1:
        keys = pd.Index(pdf[cols[0]])
    else:
        keys = pd.MultiIndex.from_frame(pdf[list(cols)])
    pos = index.get_indexer(keys).astype(np.int64)
    if (pos < 0).any():
        raise DesignError(
            f"a partition has design values of {', '.join(cols)} not seen when the design was built; "
            "the data changed since the survey was created"
        )
    return pos


# --------------------------------------------------------------------------- reductions
@dataclass(eq=False)
class Pairs:
    """Sparse sums keyed by int64 ``keys`` (e.g. unit * cells + cell), with ``values`` (m, k)."""

    keys: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, key: np.ndarray, values: np.ndarray) -> Pairs:
        vals = values if values.ndim == 2 else values[:, None]
        if key.size == 0:
            return cls(np.zeros(0, dtype=np.int64), np.zeros((0, vals.shape[1])))
        uniq, inv = np.unique(key, return_inverse=True)
        inv = inv.ravel()
        out = np.empty((uniq.size, vals.shape[1]))
        for j in range(vals.shape[1]):  # a loop over statistics, not groups
            out[:, j] = np.bincount(inv, weights=vals[:, j], minlength=uniq.size)
        return cls(uniq, out)

    def merge(self, other: Pairs) -> Pairs:
        return Pairs.of(np.concatenate([self.keys, other.keys]), np.vstack([self.values, other.values]))

    def dense(self, nrow: int, ncol: int) -> np.ndarray:
        """As a dense (nrow, ncol) array of the first value column, keys = row * ncol + col."""
        out = np.zeros(nrow * ncol)
        out[self.keys] = self.values[:, 0]
        return out.reshape(nrow, ncol)


@dataclass(eq=False)
class Extremes:
    """Smallest and largest values seen (combined by min/max, not summed)."""

    lo: float = np.inf
    hi: float = -np.inf

    def merge(self, other: Extremes) -> Extremes:
        return Extremes(min(self.lo, other.lo), max(self.hi, other.hi))


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if hasattr(a, "merge"):  # Pairs, Extremes
        return a.merge(b)
    if isinstance(a, dict):
        return {k: _add(a.get(k), b.get(k)) for k in set(a) | set(b)}
    if isinstance(a, np.ndarray) and a.dtype == bool:
        return a | b
    return a + b


def _combine(parts: list):
    out = None
    for p in parts:
        out = p if out is None else _add(out, p)
    return out


def _apply(pdf, state: State, fn: Callable, params):
    return fn(pdf, prepare(pdf, state), params)


def _apply_raw(pdf, fn: Callable, params):
    return fn(pdf, params)


def run_pass(pf: PartitionedFrame, columns, fn: Callable, params=None, *, fan_in: int = 8):
    """Map ``fn(partition, prep, params) -> dict of arrays`` over the partitions and sum the results.

    The partials are added in a tree (``fan_in`` at a time) on the workers; only the
    final sums reach this process.  Progress is shown on stderr unless the survey is quiet.
    """
    import dask

    state = pf._state
    need = set(columns) | state.columns()
    cols = [c for c in pf._ddf.columns if c in need]  # in file order: no reordering copy
    parts = pf._ddf[cols].to_delayed()
    st = dask.delayed(state, pure=True)
    pr = dask.delayed(params, pure=True)
    tasks = [dask.delayed(_apply, pure=True)(p, st, fn, pr) for p in parts]
    return compute(pf._client, pf._progress, _tree(tasks, fan_in, _combine))


def map_reduce(ddf, columns, fn: Callable, params, combine: Callable, client, progress: bool, *, fan_in: int = 8):
    """``combine`` of ``fn(partition, params)`` over the partitions of ``ddf[columns]`` (no weights needed)."""
    import dask

    parts = ddf[list(columns)].to_delayed() if columns is not None else ddf.to_delayed()
    pr = dask.delayed(params, pure=True)
    tasks = [dask.delayed(_apply_raw, pure=True)(p, fn, pr) for p in parts]
    return compute(client, progress, _tree(tasks, fan_in, combine))


def _tree(tasks, fan_in, combine):
    import dask

    while len(tasks) > 1:
        tasks = [dask.delayed(combine, pure=True)(tasks[i : i + fan_in]) for i in range(0, len(tasks), fan_in)]
    return tasks[0]


# --------------------------------------------------------------------------- helpers for passes
def onehot_sum(code: np.ndarray, ncell: int, values: np.ndarray | None, Wt: np.ndarray) -> np.ndarray:
    """Replicate totals (R, ncell) of one partition: ``sum(Wt[r, i] * values[i])`` over the rows of each cell.

    ``Wt`` holds the replicate weights as (replicates, rows); one ``bincount`` per replicate
    (a loop over replicates, not groups) reads each row of ``Wt`` once, contiguously; rows
    without a cell go to a spare cell that is dropped.
    """
    ok = code >= 0
    c = code if ok.all() else np.where(ok, code, ncell)
    v = None if values is None else np.where(ok, values, 0.0)
    out = np.empty((Wt.shape[0], ncell))
    for r in range(Wt.shape[0]):
        x = Wt[r] if v is None else Wt[r] * v
        out[r] = np.bincount(c, weights=x, minlength=ncell + 1)[:ncell]
    return out


def rank_from_gram(gram: np.ndarray) -> int:
    """R's ``degf`` of a replicate design from the Gram matrix ``W'W`` of its replicate weights.

    A matrix with that Gram matrix (from its eigendecomposition) has the same column
    rank; :func:`pewlike.variance.linearization.degf_replicate` then decides the rank as R's ``qr``.
    """
    from pewlike.variance import linearization as variance

    if not np.any(gram):
        return -1
    vals, vecs = np.linalg.eigh((gram + gram.T) / 2)
    vals = np.clip(vals, 0, None)
    Wstar = np.sqrt(vals)[:, None] * vecs.T
    return int(variance.degf_replicate(Wstar))
