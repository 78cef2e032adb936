"""The partitioned backend of a :class:`~pewlike.survey.Survey`: a Dask DataFrame and its design.

``pw.Survey(dask_frame)`` and ``pw.read(paths, engine="dask")`` give a ``Survey`` holding a
:class:`PartitionedFrame`.  The verbs that can be computed from sums (``mean``, ``total``,
``proportion``, ``ratio`` with ``by=``, ``chisq``, ``ttest``, ``topline``, ``crosstab``,
``subset``, ``rake``, ``weight_summary``) map over the partitions (weighted sums by cell,
sampling unit, stratum or replicate), add the partial sums in a tree and finish with the
in-memory code, so results are the same result objects and equal the in-memory ones to
rounding.  Models and quantiles need all rows together: the ``Survey`` says how to
subsample (``svy.sample``) or collect (``svy.collect``).

Needs the optional extra ``pewlike[dask]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pewlike.errors import DesignError, EstimationError
from pewlike.io.codebook import Codebook
from pewlike.partitioned.cluster import connect
from pewlike.partitioned.engine import Level, State
from pewlike.partitioned.io import require_dask

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from distributed import Client
    from numpy.typing import ArrayLike

    from pewlike.partitioned.engine import Condition, DaskDesign
    from pewlike.partitioned.rake import PartitionedRake
    from pewlike.partitioned.tables import PartitionedTables
    from pewlike.partitioned.totals import PartitionedTotals
    from pewlike.partitioned.weights import PartitionedWeightSums
    from pewlike.variance.linearization import LonelyPSU

    #: One step to replay on an in-memory copy: ``("subset", condition)`` or ``("rake", margins, options)``.
    ReplayStep = tuple[Literal["subset"], Condition] | tuple[Literal["rake"], Any, dict[str, Any]]

__all__ = ["PartitionedFrame", "blank_answers", "is_dask_frame"]


def is_dask_frame(obj: object) -> bool:
    """Whether ``obj`` is a Dask DataFrame (checked without importing Dask).

    Parameters
    ----------
    obj : object
        Anything.

    Returns
    -------
    bool
    """
    mod = type(obj).__module__ or ""
    return mod.startswith("dask") and type(obj).__name__ == "DataFrame"


def blank_answers(pdf: pd.DataFrame, answers: dict[str, list[Any]]) -> pd.DataFrame:
    """One partition with the given answers of each column blank (a CSV's "Legitimate skip": not asked).

    Parameters
    ----------
    pdf : pandas.DataFrame
        One partition.
    answers : dict
        ``{column: answers to blank}``.

    Returns
    -------
    pandas.DataFrame
    """
    cols = {c: pdf[c].where(~pdf[c].isin(v)) for c, v in answers.items() if c in pdf.columns}
    return pdf.assign(**cols) if cols else pdf


class PartitionedFrame:
    """Survey microdata in a partitioned Dask DataFrame, with a sampling design.

    Parameters
    ----------
    data : dask.dataframe.DataFrame
        One row per respondent, in any number of partitions.
    weights, strata, psu, fpc, nest, repweights, reptype, scale, rscales, mse, lonely_psu, rho, codebook
        As for :class:`pewlike.survey.Survey`.
    source : str, optional
        The files the data came from (shown in descriptions).
    scheduler : str, distributed.Client or None
        Where to compute: a scheduler address (``"tcp://host:8786"``), a Client, or None
        for the active Client if there is one, else this machine's threads.
    progress : bool
        Show a progress bar on stderr while computing.
    timeout : float
        Seconds to wait for the scheduler before failing.
    missing : {"auto", "keep", "nan"}
        ``"auto"`` marks categories labelled like "Refused" as missing (see
        :class:`~pewlike.io.codebook.Codebook`); ``"keep"`` marks none; ``"nan"`` (what
        the files were read with) marks them as ``"auto"`` does.
    read_text : bool
        ``codebook`` holds an SPSS/Stata/SAS file's labels: its text columns without value
        labels or missing answers are read as a CSV's text answers (a scale in scale order,
        "Refused" missing), as :func:`pewlike.read` reads them in memory.

    Raises
    ------
    DesignError
        ``data`` is not a Dask DataFrame, has duplicate column names, or the design
        arguments do not fit the data.
    ClusterError
        The scheduler cannot be reached within ``timeout`` seconds.

    Notes
    -----
    The design is checked in one pass over the data when it is built (weights, replicate
    weights, strata and PSU values, the categories of every categorical column), as R's
    ``svydesign``/``svrepdesign`` check theirs; every estimate is then one or a few passes.
    R has no partitioned equivalent; ``svydesign(..., dbtype=)`` (database-backed designs)
    is the nearest.

    Examples
    --------
    >>> import pewlike as pw                                           # doctest: +SKIP
    >>> acs = pw.read("pums/*.parquet", engine="dask", weights="PWGTP",
    ...               repweights="PWGTP*", reptype="SDR")              # doctest: +SKIP
    >>> acs.proportion("SCHL", by="AGEP_CAT").to_frame()               # doctest: +SKIP
    """

    __slots__ = (
        "_args",
        "_cache",
        "_client",
        "_codebook",
        "_ddesign",
        "_ddf",
        "_history",
        "_levels",
        "_progress",
        "_source",
        "_state",
        "_universe",
    )

    _args: dict[str, Any]  # the design arguments, to rebuild the design in memory
    _cache: dict[str, float]  # "n" and "degf" of the current domain, once computed
    _client: Client | None
    _codebook: Codebook
    _ddesign: DaskDesign
    _ddf: Any  # dask.dataframe.DataFrame
    _history: tuple[str, ...]  # WeightingNote texts
    _levels: dict[str, Level]  # categories of the columns known so far (all categoricals, then on demand)
    _progress: bool
    _source: str | None
    _state: State
    _universe: str | None  # the domain's name (subset(..., name=)), for table notes

    kind: ClassVar[str] = "partitioned"

    def __init__(
        self,
        data: Any,
        *,
        weights: str | None = "auto",
        strata: str | Sequence[str] | None = None,
        psu: str | Sequence[str] | None = None,
        fpc: str | Sequence[str] | None = None,
        nest: bool = False,
        repweights: str | Sequence[str] | None = None,
        reptype: str | None = None,
        scale: float | None = None,
        rscales: ArrayLike | None = None,
        mse: bool = False,
        lonely_psu: LonelyPSU = "fail",
        rho: float | None = None,
        codebook: Codebook | None = None,
        source: str | None = None,
        scheduler: str | Client | None = None,
        progress: bool = True,
        timeout: float = 10.0,
        missing: Literal["auto", "keep", "nan"] = "auto",
        read_text: bool = False,
    ) -> None:
        from pewlike.partitioned.design import build, finish_codebook

        require_dask()
        if not is_dask_frame(data):
            raise DesignError(f"data must be a Dask DataFrame, not {type(data).__name__}")
        cols = [str(c) for c in data.columns]
        if len(set(cols)) != len(cols):
            dup = sorted({c for c in cols if cols.count(c) > 1})
            raise DesignError(f"duplicate column names {dup}; rename them before building the design")
        if list(data.columns) != cols:
            data = data.rename(columns=str)
        meta = data._meta
        names_only = (
            Codebook.from_frame(meta)
            if codebook is None
            else Codebook({**Codebook.from_frame(meta).variables, **codebook.variables}, codebook.file_label)
        )
        client = connect(scheduler, timeout=timeout)
        args: dict[str, Any] = dict(
            weights=weights,
            strata=strata,
            psu=psu,
            fpc=fpc,
            nest=nest,
            repweights=repweights,
            reptype=reptype,
            scale=scale,
            rscales=rscales,
            mse=mse,
            lonely_psu=lonely_psu,
            rho=rho,
        )
        design, cats, texts = build(data, names_only, client, progress, **args, known=codebook, read_text=read_text)
        cb, levels, skipped = finish_codebook(meta, cats, codebook, missing, texts, read_text)
        if skipped:  # a CSV's skip answers are blank for every later pass, conditions included
            data = data.map_partitions(blank_answers, skipped, meta=meta)
        self._init(data, cb, design, State(design), levels, client, progress, source, (), args)

    def _init(
        self,
        ddf: Any,
        cb: Codebook,
        design: DaskDesign,
        state: State,
        levels: dict[str, Level],
        client: Client | None,
        progress: bool,
        source: str | None,
        history: Sequence[str],
        args: dict[str, Any],
        universe: str | None = None,
    ) -> None:
        for name, value in (
            ("_ddf", ddf),
            ("_codebook", cb),
            ("_ddesign", design),
            ("_state", state),
            ("_levels", levels),
            ("_client", client),
            ("_progress", bool(progress)),
            ("_source", source),
            ("_history", tuple(history)),
            ("_cache", {}),
            ("_args", args),
            ("_universe", universe),
        ):
            object.__setattr__(self, name, value)

    def _evolve(
        self,
        *,
        state: State | None = None,
        history: Sequence[str] | None = None,
        progress: bool | None = None,
        codebook: Codebook | None = None,
        universe: str | Literal[False] | None = False,
    ) -> PartitionedFrame:
        obj = PartitionedFrame.__new__(PartitionedFrame)
        obj._init(
            self._ddf,
            self._codebook if codebook is None else codebook,
            self._ddesign,
            state or self._state,
            self._levels,
            self._client,
            self._progress if progress is None else progress,
            self._source,
            self._history if history is None else history,
            self._args,
            self._universe if universe is False else universe,
        )
        return obj

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a partitioned survey is immutable; its methods return a new one")

    # -- data and metadata ---------------------------------------------------
    @property
    def n(self) -> int:
        """Unweighted number of respondents in the current domain (one pass, cached)."""
        if "n" not in self._cache:
            from pewlike.partitioned.estimates import design_sums

            self._cache.update(design_sums(self, need_df=False))
        return int(self._cache["n"])

    @property
    def degf(self) -> int:
        """Design degrees of freedom (R ``degf(design)``), from one pass (cached)."""
        if "degf" not in self._cache:
            from pewlike.partitioned.estimates import design_sums

            self._cache.update(design_sums(self, need_df=True))
        return int(self._cache["degf"])

    def domain_frame(self) -> Any:
        """The respondents of the current domain, as a lazy Dask DataFrame.

        Returns
        -------
        dask.dataframe.DataFrame
        """
        if not self._state.domain:
            return self._ddf
        from pewlike.partitioned.engine import _domain_mask

        conds = self._state.domain
        return self._ddf.map_partitions(lambda p: p[_domain_mask(p, conds, len(conds))], meta=self._ddf._meta)

    def weight_series(self) -> Any:
        """Current analysis weights of the respondents in the domain, as a lazy Dask Series.

        Returns
        -------
        dask.dataframe.Series
        """
        import pandas as pd

        from pewlike.partitioned.engine import _domain_mask, prepare

        state = self._state
        name = self._ddesign.names.get("weights") or "weight"
        cols = sorted(state.columns())

        def part(p: pd.DataFrame) -> pd.Series:
            prep = prepare(p, state)
            keep = _domain_mask(p, state.domain, len(state.domain))
            return pd.Series(prep.w[keep], index=p.index[keep], name=name)

        return self._ddf[cols].map_partitions(part, meta=pd.Series(dtype=float, name=name))

    @property
    def npartitions(self) -> int:
        """Number of partitions of the data."""
        return int(self._ddf.npartitions)

    @property
    def source(self) -> str | None:
        """The files the data came from (None when built from a Dask DataFrame)."""
        return self._source

    def describe(self) -> str:
        """A printable description of the design.

        Returns
        -------
        str
            The kind of design, its weights, the subset and the weighting history.
        """
        d = self._ddesign
        kind = d.variance.summary()
        lines = [
            f"Partitioned survey design (Dask, {self.npartitions} partitions): {kind}",
            f"  weights: {d.weight_col or 'equal (unweighted)'}",
        ]
        if self._state.domain:
            lines.append("  subset: " + " & ".join(str(q[2]) for q in self._state.domain))
        lines.extend(f"  {h}" for h in self._history)
        return "\n".join(lines)

    @property
    def codebook(self) -> Codebook:
        """Question wording, value labels and missing codes."""
        return self._codebook

    @property
    def history(self) -> tuple[str, ...]:
        """Notes of the weighting steps applied, in order."""
        return self._history

    def codebook_frame(self) -> pd.DataFrame:
        """One row per variable: ``name, label, type, levels, missing_codes, ...``.

        ``n_valid`` and ``n_missing`` are those of no rows: counting them would need a pass
        over the data.

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        meta = self._ddf._meta
        known = {
            c: pd.CategoricalDtype(list(lev.values), ordered=lev.ordered)
            for c, lev in self._levels.items()
            if lev.categorical and c in meta.columns
        }
        return self._codebook.to_frame(meta.astype(known) if known else meta)

    def question(self, name: str) -> str:
        """The wording of a question (its column name when it has no label).

        Parameters
        ----------
        name : str
            A column or a name the codebook resolves (``CONCERNCO`` -> ``CONCERNCO_W49``).

        Returns
        -------
        str
        """
        col = self._codebook.resolve(name)
        return self._codebook.variables[col].label or col

    def weighted_totals(self) -> PartitionedTotals:
        """The weighted totals the estimators of :mod:`pewlike.estimation.estimators` ask for.

        Returns
        -------
        PartitionedTotals
            This survey as a :class:`pewlike.estimation.backend.WeightedTotals`.
        """
        from pewlike.partitioned.totals import PartitionedTotals

        return PartitionedTotals(self)

    def weight_sums(self) -> PartitionedWeightSums:
        """The weight sums :func:`pewlike.weighting.summary.weight_summary` asks for.

        Returns
        -------
        PartitionedWeightSums
        """
        from pewlike.partitioned.weights import PartitionedWeightSums

        return PartitionedWeightSums(self)

    def table_backend(self) -> PartitionedTables:
        """What :func:`pewlike.tables.toplines.topline` asks for.

        Returns
        -------
        PartitionedTables
        """
        from pewlike.partitioned.tables import PartitionedTables

        return PartitionedTables(self)

    def rake_backend(self) -> PartitionedRake:
        """What :func:`pewlike.weighting.raking.rake` asks for.

        Returns
        -------
        PartitionedRake
        """
        from pewlike.partitioned.rake import PartitionedRake

        return PartitionedRake(self)

    def resolve(self, name: str) -> str:
        """The data column a name refers to (``CONCERNCO`` -> ``CONCERNCO_W49``).

        Parameters
        ----------
        name : str

        Returns
        -------
        str
        """
        return self._codebook.resolve(name)

    def _level(self, col: str) -> Level:
        """Known categories of ``col`` over all partitions (a pass for non-categorical columns, cached)."""
        if col not in self._levels:
            from pewlike.partitioned.design import distinct_level

            self._levels[col] = distinct_level(self, col)
        return self._levels[col]

    def with_codebook(self, codebook: Codebook) -> PartitionedFrame:
        """The same survey with another codebook (labels, scales); the data are not touched.

        Parameters
        ----------
        codebook : Codebook
            Entries for the same columns.

        Returns
        -------
        PartitionedFrame
        """
        return self._evolve(codebook=codebook)

    # -- domains -----------------------------------------------------------
    @property
    def universe(self) -> str | None:
        """The domain's name (``subset(..., name=)``), or None."""
        return self._universe

    def subset(
        self,
        condition: str | Callable[[pd.DataFrame], Any],
        *,
        columns: Sequence[str] | None = None,
        name: str | None = None,
    ) -> PartitionedFrame:
        """Restrict to a domain, keeping the full design for variance (R ``subset(design, ...)``).

        Parameters
        ----------
        condition : str or callable
            A condition such as ``"F_SEX == 'Female'"`` in pewlike's condition language
            (:func:`pewlike.formula.condition.parse_condition`; parsed once, evaluated in
            each partition, never by ``eval``), or a function of a partition returning a
            boolean mask.
        columns : list of str, optional
            The columns a function needs (default: all columns are read for it; a query's
            columns are found in its text).
        name : str, optional
            The universe's name (see :func:`pewlike.design.domain.combine_universe`).

        Returns
        -------
        PartitionedFrame
            The same data and design, restricted to the domain.

        Raises
        ------
        EstimationError
            The condition is neither a string nor a function, fails on the data, or
            matches no respondent.
        """
        from pewlike.design.domain import bind_condition, combine_universe, empty_subset, values_note

        universe = combine_universe(self._universe, name, condition)
        cond: Condition
        bound: Any = None
        if isinstance(condition, str):
            bound = bind_condition(condition, self._codebook, self._ddf.columns)
            cond = ("query", bound.data_columns, bound)
        elif callable(condition):
            cols = tuple(self._ddf.columns) if columns is None else tuple(self.resolve(c) for c in columns)
            cond = ("call", cols, condition)
        else:
            raise EstimationError(
                "a partitioned survey is subset with a query string or a function of a "
                "partition; boolean arrays cannot be aligned with partitions"
            )
        out = self._evolve(
            state=State(self._state.design, self._state.domain + (cond,), self._state.steps), universe=universe
        )
        try:
            n = out.n
        except Exception as exc:
            from pewlike.errors import PewlikeError

            if isinstance(exc, PewlikeError):
                raise
            raise EstimationError(f"subset condition {condition!r} failed: {exc}") from None
        if n == 0:
            note = values_note(bound, self._codebook, self._describe) if bound is not None else ""
            raise empty_subset(condition, note)
        return out

    def _describe(self, col: str) -> str | None:
        level = self._levels.get(col)
        if level is None or not level.categorical:
            return None
        return "categories " + ", ".join(repr(lab) for lab in level.labels[:12])

    # -- leaving the cluster ---------------------------------------------------------
    def collect_frame(self) -> tuple[pd.DataFrame, dict[str, Any]]:
        """Every row in this process, with the arguments that rebuild the design in memory.

        Returns
        -------
        frame : pandas.DataFrame
            All rows (a fresh RangeIndex).
        options : dict
            Keyword arguments of :class:`pewlike.Survey` (design, codebook, source).
        """
        pdf = self._ddf.compute()
        return self._as_levels(pdf.reset_index(drop=True)), self._memory_options()

    def sample_frame(self, frac: float, *, seed: int | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
        """A random row sample (fraction ``frac``, drawn in every partition), weights scaled by ``1/frac``.

        Parameters
        ----------
        frac : float
            Fraction of rows, in (0, 1].
        seed : int, optional
            Random state of the sample.

        Returns
        -------
        frame : pandas.DataFrame
            The sampled rows, weights and replicate weights divided by ``frac``.
        options : dict
            Keyword arguments of :class:`pewlike.Survey` (design, codebook, source).

        Raises
        ------
        EstimationError
            ``frac`` is not in (0, 1].
        """
        import pandas as pd

        if not 0 < frac <= 1:
            raise EstimationError(f"frac={frac!r} is not valid; give a fraction in (0, 1], e.g. 0.05")
        pdf = self._ddf.sample(frac=frac, random_state=seed).compute().reset_index(drop=True)
        d = self._ddesign
        scaled = {c: pdf[c] / frac for c in ([d.weight_col] if d.weight_col else []) + list(d.rep_cols)}
        pdf = pdf.assign(**scaled) if scaled else pdf
        return self._as_levels(pd.DataFrame(pdf)), self._memory_options()

    def _as_levels(self, pdf: pd.DataFrame) -> pd.DataFrame:
        """``pdf`` with a text column read as a categorical (a CSV's answer scale) made one, as its level says."""
        import pandas as pd

        text = {
            c: pd.Categorical(pdf[c], categories=list(lev.values), ordered=lev.ordered)
            for c, lev in self._levels.items()
            if lev.categorical and c in pdf.columns and not isinstance(pdf[c].dtype, pd.CategoricalDtype)
        }
        return pdf.assign(**text) if text else pdf

    def _memory_options(self) -> dict[str, Any]:
        return dict(codebook=self._codebook, source=self._source, **self._args)

    def replay_steps(self) -> list[ReplayStep]:
        """The subsets and rakings applied so far, in order, for replaying them on an in-memory copy.

        Returns
        -------
        list of tuple
            ``("subset", condition)`` and ``("rake", margins, options)``.
        """
        out: list[ReplayStep] = []
        done = 0
        for step in self._state.steps:
            out.extend(("subset", cond) for cond in self._state.domain[done : step.ndomain])
            done = step.ndomain
            margins, opts = step.call
            out.append(("rake", margins, opts))
        out.extend(("subset", cond) for cond in self._state.domain[done:])
        return out
