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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np

from pewlike.errors import DesignError, EstimationError
from pewlike.partitioned.cluster import compute

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from distributed import Client

    from pewlike.design.domain import BoundCondition
    from pewlike.partitioned.frame import PartitionedFrame
    from pewlike.partitioned.strategy import PartitionedVariance
    from pewlike.variance.linearization import LonelyPSU

    #: A subset condition: ``("query", columns, parsed condition)`` or ``("call", columns,
    #: function of a partition returning one True/False per row)``; ``columns`` are those it reads.
    QueryCondition = tuple[Literal["query"], tuple[str, ...], BoundCondition]
    CallCondition = tuple[Literal["call"], tuple[str, ...], Callable[[pd.DataFrame], Any]]
    Condition = QueryCondition | CallCondition
    #: What a pass returns for one partition, and (added up) for all: arrays, Pairs, Extremes by name.
    Sums = dict[str, Any]
    #: A pass over partitions: ``fn(partition, prep, params) -> Sums``.
    PassFn = Callable[[pd.DataFrame, "Prep", Any], Sums]

__all__ = [
    "BLOCK_ROWS",
    "DaskDesign",
    "Extremes",
    "Level",
    "Pairs",
    "Prep",
    "RakeFactors",
    "State",
    "StrataTable",
    "UnitTable",
    "column_codes",
    "map_reduce",
    "onehot_sum",
    "prepare",
    "rank_from_gram",
    "run_pass",
]

BLOCK_ROWS = 65536  # rows per block when a partition builds dense row x statistic arrays

_P = TypeVar("_P")
_R = TypeVar("_R")


# --------------------------------------------------------------------------- metadata
@dataclass(frozen=True, eq=False)
class Level:
    """The categories of a column, known for the whole data set (all partitions).

    Attributes
    ----------
    values : tuple
        The categories as pandas holds them (labels of a categorical, sorted distinct
        values otherwise); any hashable scalars.
    labels : tuple of str
        Their text.
    categorical : bool
        Whether the column is a pandas categorical.
    ordered : bool
        Whether its categories are ordered.
    missing : frozenset of str
        Labels the codebook marks missing ("Refused", ...).
    """

    values: tuple[Any, ...]
    labels: tuple[str, ...]
    categorical: bool
    ordered: bool = False
    missing: frozenset[str] = frozenset()

    def index(self) -> pd.Index:
        """The categories as a pandas Index (position = category code).

        Returns
        -------
        pandas.Index
        """
        import pandas as pd

        return pd.Index(list(self.values))


def column_codes(pdf: pd.DataFrame, col: str, level: Level) -> np.ndarray:
    """Category code (position in ``level.values``) of every row of a partition; -1 for missing.

    Parameters
    ----------
    pdf : pandas.DataFrame
        One partition.
    col : str
        The column.
    level : Level
        Its categories over all partitions.

    Returns
    -------
    numpy.ndarray
        int64 codes, one per row.
    """
    import pandas as pd

    s = pdf[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        if len(cats) == len(level.values) and list(cats) == list(level.values):
            return s.cat.codes.to_numpy().astype(np.int64)
        lut = level.index().get_indexer(cats)
        codes = s.cat.codes.to_numpy()
        return np.where(codes >= 0, np.append(lut, -1)[codes], -1).astype(np.int64)
    return level.index().get_indexer(pd.Index(s)).astype(np.int64)


# --------------------------------------------------------------------------- design
@dataclass(frozen=True, eq=False)
class UnitTable:
    """The distinct last-stage sampling units of a clustered design, with their design codes.

    Attributes
    ----------
    index : pandas.Index
        The units' key values (strata and PSU columns; a MultiIndex for several).
    strata, clusters : numpy.ndarray
        (units, stages) integer codes, as :class:`~pewlike.design.structure.Design` holds them per row.
    popsize : numpy.ndarray or None
        (units, stages) population sizes from the fpc; None without an fpc.
    """

    index: pd.Index
    strata: np.ndarray
    clusters: np.ndarray
    popsize: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class StrataTable:
    """The strata of a design whose sampling units are the rows.

    Attributes
    ----------
    index : pandas.Index or None
        The strata's key values (None for an unstratified design: one stratum).
    labels : tuple of str
        Their names in messages.
    n : numpy.ndarray
        Rows sampled in each stratum.
    popsize : numpy.ndarray or None
        Population sizes from the fpc; None without an fpc.
    """

    index: pd.Index | None
    labels: tuple[str, ...]
    n: np.ndarray
    popsize: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class DaskDesign:
    """What the partitioned engine needs to know about the sampling design.

    Attributes
    ----------
    kind : {"replicate", "clustered", "rows"}
        ``"replicate"``: replicate weight columns ``rep_cols``; ``"clustered"``: PSUs given,
        sums per last-stage unit are gathered and ``units`` holds the distinct units;
        ``"rows"``: every row its own unit, per-stratum sums and centred cross-products,
        strata in ``strata``.
    weight_col : str or None
        The weight column (None: equal weights).
    weighted : bool
        Whether the design is weighted.
    lonely_psu : {"fail", "remove", "adjust", "average", "certainty"}
        Treatment of strata with one PSU.
    names : dict
        The design's columns by role (``weights``, ``strata``, ``psu``, ``fpc``, ``repweights`` ...).
    rep_cols, reptype, scale, rscales, mse
        Replicate weights and their variance multipliers (``kind == "replicate"``).
    key_cols : tuple of str
        Strata and PSU columns that code each row's unit or stratum.
    units : UnitTable or None
        Set exactly when ``kind == "clustered"``.
    strata : StrataTable or None
        Set exactly when ``kind == "rows"``.
    variance : PartitionedVariance
        The variance strategy, chosen from ``kind`` when the design is built; every step
        that differs by variance method asks it.
    zero_weights : bool
        Whether some row's weight is zero (found by the pass that built the design).
    """

    kind: Literal["replicate", "clustered", "rows"]
    weight_col: str | None
    weighted: bool
    lonely_psu: LonelyPSU
    names: dict[str, Any]
    rep_cols: tuple[str, ...] = ()
    reptype: str | None = None
    scale: float | None = None
    rscales: np.ndarray | None = None
    mse: bool = False
    key_cols: tuple[str, ...] = ()
    units: UnitTable | None = None
    strata: StrataTable | None = None
    zero_weights: bool = False
    variance: PartitionedVariance = field(init=False, repr=False)

    @property
    def columns(self) -> list[str]:
        """The data columns the design reads: weights, replicate weights, strata and PSUs."""
        return ([self.weight_col] if self.weight_col else []) + list(self.rep_cols) + list(self.key_cols)

    def unit_table(self) -> UnitTable:
        """The sampling units of a clustered design.

        Returns
        -------
        UnitTable

        Raises
        ------
        TypeError
            The design is not clustered (a bug in the caller).
        """
        if self.units is None:
            raise TypeError(f"a {self.kind!r} design has no table of sampling units")
        return self.units

    def strata_table(self) -> StrataTable:
        """The strata of a design whose units are the rows.

        Returns
        -------
        StrataTable

        Raises
        ------
        TypeError
            The design's units are not its rows (a bug in the caller).
        """
        if self.strata is None:
            raise TypeError(f"a {self.kind!r} design has no table of strata")
        return self.strata


@dataclass(frozen=True, eq=False, kw_only=True)
class RakeFactors:
    """One raking step, as partitions apply it: joint cell of each row -> adjustment factor.

    Rows are keyed by the category codes of the raking columns (``key = sum (code + 1) *
    stride``); ``keys`` (sorted) map to joint cells ``jcell``, whose factors are
    ``factor`` (and ``rep_factor`` for every replicate).  ``ndomain`` is the number of
    subset conditions in force when raking (the rows raked).  ``codes``, ``ncells``,
    ``scale`` and ``count`` describe the raking for the variance, as
    :class:`pewlike.weighting.steps.RakingStep` does per row.  ``call`` is ``(margins,
    options)`` of the ``rake`` call, to replay it in memory.
    """

    columns: tuple[str, ...]
    levels: tuple[Level, ...]
    keys: np.ndarray
    jcell: np.ndarray
    factor: np.ndarray
    rep_factor: np.ndarray | None
    ndomain: int
    codes: tuple[np.ndarray, ...]
    ncells: tuple[int, ...]
    scale: tuple[np.ndarray, ...]
    count: np.ndarray
    sweeps: int = 10
    call: tuple[Any, dict[str, Any]]

    def cells(self, pdf: pd.DataFrame) -> np.ndarray:
        """Joint cell of every row of a partition (-1: not in the raked table).

        Parameters
        ----------
        pdf : pandas.DataFrame
            One partition with the raking columns.

        Returns
        -------
        numpy.ndarray
            int64 joint-cell codes, one per row.
        """
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
    """Everything a partition needs to compute its weights: design, subset conditions, raking steps.

    Attributes
    ----------
    design : DaskDesign
    domain : tuple
        Subset conditions in order (see ``Condition``).
    steps : tuple of RakeFactors
        Raking steps in order.
    """

    design: DaskDesign
    domain: tuple[Condition, ...] = ()
    steps: tuple[RakeFactors, ...] = ()

    def columns(self) -> set[str]:
        """The columns a partition must read to compute its weights and domain."""
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
    calib: list[tuple[np.ndarray, np.ndarray]]
    design: DaskDesign

    def rep_weights(self) -> np.ndarray:
        """Replicate weights (replicates, rows) of a replicate design.

        Returns
        -------
        numpy.ndarray

        Raises
        ------
        TypeError
            The design has no replicate weights (a bug in the caller).
        """
        if self.rep is None:
            raise TypeError(f"a {self.design.kind!r} design has no replicate weights")
        return self.rep

    def unit_codes(self) -> np.ndarray:
        """Sampling unit of every row (position in ``design.units``) of a clustered design.

        Returns
        -------
        numpy.ndarray

        Raises
        ------
        TypeError
            The design is not clustered (a bug in the caller).
        """
        if self.unit is None:
            raise TypeError(f"a {self.design.kind!r} design has no sampling-unit codes")
        return self.unit

    def stratum_codes(self) -> np.ndarray:
        """Stratum of every row (position in ``design.strata``) of a design whose units are rows.

        Returns
        -------
        numpy.ndarray

        Raises
        ------
        TypeError
            The design's units are not its rows (a bug in the caller).
        """
        if self.stratum is None:
            raise TypeError(f"a {self.design.kind!r} design has no stratum codes")
        return self.stratum


def _domain_mask(pdf: pd.DataFrame, conditions: Sequence[Condition], upto: int) -> np.ndarray:
    mask = np.ones(len(pdf), dtype=bool)
    for cond in conditions[:upto]:
        if cond[0] == "query":
            hit = cond[2].mask(pdf)
        else:
            hit = np.asarray(cond[2](pdf), dtype=bool)
        if hit.shape != mask.shape:
            raise EstimationError(f"subset condition {cond[2]!r} did not give one True/False per row")
        mask &= hit
    return mask


def held_rows(pdf: pd.DataFrame, state: State) -> np.ndarray:
    """Rows of a partition that R's design object would still hold (see ``Design.held``).

    R's ``subset`` drops the rows it leaves out of a design that is not calibrated and keeps
    them in a calibrated one: the rows held are those of the subsets made before the first
    raking step.

    Parameters
    ----------
    pdf : pandas.DataFrame
        One partition with the columns of ``state.columns()``.
    state : State

    Returns
    -------
    numpy.ndarray of bool
    """
    return _domain_mask(pdf, state.domain, state.steps[0].ndomain if state.steps else len(state.domain))


def prepare(pdf: pd.DataFrame, state: State) -> Prep:
    """Weights, replicate weights, domain and unit codes of one partition.

    Parameters
    ----------
    pdf : pandas.DataFrame
        One partition with the columns of ``state.columns()``.
    state : State
        The design, subsets and raking steps in force.

    Returns
    -------
    Prep
    """
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
    unit, stratum = d.variance.row_codes(pdf)
    return Prep(w, dom, rep, unit, stratum, calib, d)


def _replicate_rows(pdf: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """Replicate weights as a C-ordered (replicates, rows) float array, filled column by column."""
    out = np.empty((len(cols), len(pdf)))
    for j, c in enumerate(cols):
        s = pdf[c]
        if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iuf":
            np.copyto(out[j], s.to_numpy())
        else:
            out[j] = s.to_numpy(dtype=float, na_value=np.nan)
    return out


def lookup_codes(pdf: pd.DataFrame, cols: Sequence[str], index: pd.Index) -> np.ndarray:
    """Position in ``index`` of every row's values of ``cols`` (its unit or stratum).

    Parameters
    ----------
    pdf : pandas.DataFrame
        One partition.
    cols : sequence of str
        The key columns.
    index : pandas.Index
        The design's distinct keys.

    Returns
    -------
    numpy.ndarray
        int64 positions, one per row.

    Raises
    ------
    DesignError
        A row's key is not in ``index`` (the data changed since the design was built).
    """
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
        """Sum the rows of ``values`` sharing a key.

        Parameters
        ----------
        key : numpy.ndarray
            int64 key of every row.
        values : numpy.ndarray
            (rows,) or (rows, k) values to sum.

        Returns
        -------
        Pairs
            Distinct keys (sorted) with the (keys, k) sums.
        """
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
        """The sums of both (keys present in either; values of shared keys added).

        Parameters
        ----------
        other : Pairs

        Returns
        -------
        Pairs
        """
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
        """The extremes of both.

        Parameters
        ----------
        other : Extremes

        Returns
        -------
        Extremes
        """
        return Extremes(min(self.lo, other.lo), max(self.hi, other.hi))


def _add(a: Any, b: Any) -> Any:
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


def _combine(parts: list[Sums]) -> Sums | None:
    out: Sums | None = None
    for p in parts:
        out = p if out is None else _add(out, p)
    return out


def _apply(pdf: pd.DataFrame, state: State, fn: PassFn, params: Any) -> Sums:
    return fn(pdf, prepare(pdf, state), params)


def _apply_raw(pdf: pd.DataFrame, fn: Callable[[pd.DataFrame, _P], _R], params: _P) -> _R:
    return fn(pdf, params)


def run_pass(pf: PartitionedFrame, columns: Iterable[str], fn: PassFn, params: Any = None, *, fan_in: int = 8) -> Sums:
    """Map ``fn(partition, prep, params) -> dict of arrays`` over the partitions and sum the results.

    The partials are added in a tree (``fan_in`` at a time) on the workers; only the
    final sums reach this process.  Progress is shown on stderr unless the survey is quiet.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey: its data, design state, client and progress setting.
    columns : iterable of str
        The columns ``fn`` reads (those of the design state are added).
    fn : callable
        ``fn(partition, prep, params)`` returning a dict of arrays, :class:`Pairs` or
        :class:`Extremes` (added up, merged).
    params : object
        Passed to every call of ``fn`` (sent once to the workers).
    fan_in : int
        Partials added together per task of the tree.

    Returns
    -------
    dict
        The sums over all partitions, by name.
    """
    import dask

    state = pf._state
    need = set(columns) | state.columns()
    cols = [c for c in pf._ddf.columns if c in need]  # in file order: no reordering copy
    parts = pf._ddf[cols].to_delayed()
    st = dask.delayed(state, pure=True)
    pr = dask.delayed(params, pure=True)
    tasks = [dask.delayed(_apply, pure=True)(p, st, fn, pr) for p in parts]
    sums: Sums = compute(pf._client, pf._progress, _tree(tasks, fan_in, _combine))
    return sums


def map_reduce(
    ddf: Any,
    columns: Sequence[str] | None,
    fn: Callable[[pd.DataFrame, _P], _R],
    params: _P,
    combine: Callable[[list[_R]], _R],
    client: Client | None,
    progress: bool,
    *,
    fan_in: int = 8,
) -> _R:
    """``combine`` of ``fn(partition, params)`` over the partitions of ``ddf[columns]`` (no weights needed).

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The data.
    columns : sequence of str or None
        The columns ``fn`` reads (None: all).
    fn : callable
        ``fn(partition, params)``, the partial result of one partition.
    params : object
        Passed to every call of ``fn``.
    combine : callable
        Combines a list of partial results into one (applied in a tree, ``fan_in`` at a time).
    client : distributed.Client or None
        Where to compute (None: Dask's local scheduler).
    progress : bool
        Show a progress bar on stderr.
    fan_in : int
        Partials combined per task of the tree.

    Returns
    -------
    object
        The combined result.
    """
    import dask

    parts = ddf[list(columns)].to_delayed() if columns is not None else ddf.to_delayed()
    pr = dask.delayed(params, pure=True)
    tasks = [dask.delayed(_apply_raw, pure=True)(p, fn, pr) for p in parts]
    result: _R = compute(client, progress, _tree(tasks, fan_in, combine))
    return result


def _tree(tasks: list[Any], fan_in: int, combine: Callable[[list[Any]], Any]) -> Any:
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

    Parameters
    ----------
    code : numpy.ndarray
        Cell of every row (-1: none).
    ncell : int
        Number of cells.
    values : numpy.ndarray or None
        Value of every row (None: counts of weight).
    Wt : numpy.ndarray
        Replicate weights (replicates, rows).

    Returns
    -------
    numpy.ndarray
        (replicates, ncell) totals.
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

    Parameters
    ----------
    gram : numpy.ndarray
        (replicates, replicates) Gram matrix.

    Returns
    -------
    int
        The rank minus one (-1 for a zero matrix).
    """
    from pewlike.variance import linearization as variance

    if not np.any(gram):
        return -1
    vals, vecs = np.linalg.eigh((gram + gram.T) / 2)
    vals = np.clip(vals, 0, None)
    Wstar = np.sqrt(vals)[:, None] * vecs.T
    return int(variance.degf_replicate(Wstar))
