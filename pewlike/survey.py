"""The :class:`Survey`: the one user-facing design object and its verbs.

A ``Survey`` holds a backend: a :class:`~pewlike.design.frame.SurveyFrame` (a pandas
DataFrame in memory) or a :class:`~pewlike.partitioned.frame.PartitionedFrame` (a Dask
DataFrame).  Each verb is written once here and calls the topic function that implements it
for that backend (R dispatches ``svymean`` on the design's class the same way).  Topic
modules are imported only when a verb is called, so importing pewlike stays cheap, and they
never import this module: only this facade, ``report/`` and ``cli/`` know ``Survey``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pewlike.design.frame import LonelyPSU, SurveyFrame
from pewlike.errors import DesignError, EstimationError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.estimation.results import Estimates, TestResult
    from pewlike.io.codebook import Codebook
    from pewlike.models.results import ModelResult
    from pewlike.models.scales import ScaleResult
    from pewlike.partitioned.frame import PartitionedFrame
    from pewlike.tables.crosstabs import Crosstab
    from pewlike.tables.toplines import Topline
    from pewlike.weighting.summary import WeightSummary

    Backend = SurveyFrame | PartitionedFrame

__all__ = ["LonelyPSU", "Survey"]

ProportionCI = Literal["logit", "beta", "wilson", "xlogit", "mean"]
Base = Literal["valid", "all"]
Family = Literal["gaussian", "binomial", "poisson"]
CalFun = Literal["linear", "raking", "logit"]

# verb -> (module, function) implementing it for each backend
_IN_MEMORY: dict[str, tuple[str, str]] = {
    **{v: ("pewlike.estimation.estimators", v) for v in ("mean", "total", "proportion", "ratio")},
    "quantile": ("pewlike.estimation.quantiles", "quantile"),
    "chisq": ("pewlike.estimation.hypothesis", "chisq"),
    "ttest": ("pewlike.estimation.hypothesis", "ttest"),
    "topline": ("pewlike.tables", "topline"),
    "crosstab": ("pewlike.tables", "crosstab"),
    **{v: ("pewlike.weighting", v) for v in ("rake", "poststratify", "calibrate", "trim_weights", "weight_summary")},
    **{v: ("pewlike.models", v) for v in ("glm", "logit", "ologit", "scale")},
    "to_replicate": ("pewlike.design.replicate", "to_replicate"),
    "describe": ("pewlike.design.describe", "describe_design"),
}
_PARTITIONED: dict[str, tuple[str, str]] = {
    **{v: ("pewlike.partitioned.estimates", v) for v in ("mean", "total", "proportion", "ratio", "chisq", "ttest")},
    "topline": ("pewlike.partitioned.tables", "topline"),
    "crosstab": ("pewlike.partitioned.tables", "crosstab"),
    "rake": ("pewlike.partitioned.rake", "rake"),
    "weight_summary": ("pewlike.partitioned.weights", "weight_summary"),
}


def _is_dask_frame(obj: object) -> bool:
    mod = type(obj).__module__ or ""
    return mod.startswith("dask") and type(obj).__name__ == "DataFrame"


class Survey:
    """Survey microdata with a sampling design.

    Parameters
    ----------
    data : pandas.DataFrame or dask.dataframe.DataFrame
        One row per respondent.  Categoricals give response options in order.  A Dask
        DataFrame gives a partitioned survey (needs ``pip install 'pewlike[dask]'``).
    weights : str, "auto" or None
        Weight column; ``"auto"`` finds the one column named like
        ``WEIGHT_W<n>`` or ``weight`` (equal weights with a warning when none);
        ``None`` means unweighted.
    strata, psu, fpc : str or list of str, optional
        Stratum, cluster and finite-population-correction columns.  ``psu`` and
        ``fpc`` take a list for multistage designs (R's ``id=~dnum+snum,
        fpc=~fpc1+fpc2``); fpc may be population counts or sampling fractions.
    nest : bool
        PSU ids are only unique within strata (R's ``nest=TRUE``).
    repweights : list of str or glob, optional
        Replicate weight columns (combined weights), e.g. ``"REPWT*"``.
    reptype : {"JK1", "JKn", "BRR", "Fay", "bootstrap", "SDR"}
        Replicate method (R ``svrepdesign(type=)``).
    scale, rscales : optional
        Variance multipliers; defaults as R's ``svrepdesign``.
    mse : bool
        Centre replicates on the full-sample estimate (R ``mse=TRUE``).
    lonely_psu : {"fail", "remove", "adjust", "average", "certainty"}
        Strata with one PSU (R ``options(survey.lonely.psu=)``).
    rho : float, optional
        Fay's coefficient for ``reptype="Fay"``.
    codebook : Codebook, optional
        Labels and missing codes; built from the data when omitted.
    source : str, optional
        The file the data came from (shown in descriptions and figure source lines).
    scheduler, progress, timeout, missing
        For a Dask DataFrame only: where to compute (a scheduler address, a Client, or
        None for the active Client or local threads), a progress bar on stderr, seconds to
        wait for the scheduler, and whether categories labelled like "Refused" are missing.

    Notes
    -----
    Equivalent to R ``svydesign(ids, strata, weights, fpc, nest, data)`` or, with
    ``repweights``, ``svrepdesign(..., combined.weights=TRUE)``.  A ``Survey`` is
    immutable: every method that changes something returns a new ``Survey``.

    Examples
    --------
    >>> import pewlike as pw
    >>> svy = pw.demo()
    >>> svy.n > 4000
    True
    """

    __slots__ = ("_backend",)

    _backend: Backend

    def __init__(
        self,
        data: Any,
        *,
        weights: str | None = "auto",
        strata: str | None = None,
        psu: str | Sequence[str] | None = None,
        fpc: str | Sequence[str] | None = None,
        nest: bool = False,
        repweights: str | Sequence[str] | None = None,
        reptype: str | None = None,
        scale: float | None = None,
        rscales: Any = None,
        mse: bool = False,
        lonely_psu: LonelyPSU = "fail",
        rho: float | None = None,
        codebook: Codebook | None = None,
        source: str | None = None,
        scheduler: Any = None,
        progress: bool = True,
        timeout: float = 10.0,
        missing: Literal["auto", "keep"] = "auto",
    ) -> None:
        design = dict(
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
            codebook=codebook,
            source=source,
        )
        backend: Backend
        if _is_dask_frame(data):
            from pewlike.partitioned.frame import PartitionedFrame

            backend = PartitionedFrame(
                data, scheduler=scheduler, progress=progress, timeout=timeout, missing=missing, **design
            )
        else:
            if scheduler is not None:
                raise DesignError("scheduler= is for Dask DataFrames; this data is in memory, so drop scheduler=")
            backend = SurveyFrame.build(data, **design)
        object.__setattr__(self, "_backend", backend)

    @classmethod
    def _wrap(cls, backend: Backend) -> Survey:
        obj = cls.__new__(cls)
        object.__setattr__(obj, "_backend", backend)
        return obj

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Survey is immutable; its methods return a new Survey")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Survey is immutable; its methods return a new Survey")

    def __reduce__(self) -> tuple[Callable[..., Survey], tuple[Backend]]:
        # pickling (e.g. to send a survey to worker processes) rebuilds through _wrap
        return (Survey._wrap, (self._backend,))

    # -- the backend ---------------------------------------------------------------
    @property
    def is_partitioned(self) -> bool:
        """Whether the data stay partitioned (a Dask DataFrame) rather than in memory."""
        return self._backend.kind == "partitioned"

    def _impl(self, verb: str) -> Callable[..., Any]:
        table = _PARTITIONED if self.is_partitioned else _IN_MEMORY
        if verb not in table:
            raise EstimationError(
                f"{verb}() is not available on a partitioned (Dask) survey yet: it needs all rows in one process. "
                f"Collect the data if they fit in memory (svy.collect().{verb}(...)) or work on a random sample "
                f"(svy.sample(frac=0.05, seed=1).{verb}(...))"
            )
        module, name = table[verb]
        fn: Callable[..., Any] = getattr(import_module(module), name)
        return fn

    def _call(self, verb: str, *args: Any, **kwargs: Any) -> Any:
        return self._impl(verb)(self._backend, *args, **kwargs)

    def _in_memory(self, verb: str) -> SurveyFrame:
        backend = self._backend
        if not isinstance(backend, SurveyFrame):
            self._impl(verb)  # raises the partitioned error
            raise AssertionError(verb)  # pragma: no cover
        return backend

    # -- kept for code written against earlier versions (read-only) -----------------
    @property
    def _data(self) -> pd.DataFrame:
        return self._in_memory("data").data

    @property
    def _design(self) -> Any:
        return self._in_memory("design").design

    @property
    def _codebook(self) -> Codebook:
        return self._backend.codebook

    @property
    def _history(self) -> tuple[Any, ...]:
        return self._backend.history

    def _resolve(self, name: str) -> str:
        return self._backend.resolve(name)

    def _valid(self, name: str) -> Any:
        return self._in_memory("valid").valid(name)

    # -- data and metadata ---------------------------------------------------------
    @property
    def data(self) -> Any:
        """The respondents in the current domain: a pandas DataFrame (a copy-on-write view),
        or a lazy Dask DataFrame for a partitioned survey."""
        return self._backend.domain_frame()

    @property
    def n(self) -> int:
        """Unweighted number of respondents in the current domain."""
        return self._backend.n

    @property
    def weights(self) -> Any:
        """Current analysis weights of the respondents in the domain (a Series; lazy when partitioned)."""
        return self._backend.weight_series()

    @property
    def degf(self) -> int:
        """Design degrees of freedom (R ``degf(design)``)."""
        return self._backend.degf

    @property
    def source(self) -> str | None:
        """File the data came from, if any."""
        return self._backend.source

    @property
    def npartitions(self) -> int:
        """Number of partitions of the data (1 in memory)."""
        return self._backend.npartitions if self.is_partitioned else 1

    @property
    def design(self) -> str:
        """A printable description of the design, like R's ``print(design)``."""
        if self.is_partitioned:
            return self._backend.describe()
        describe: Callable[[SurveyFrame], str] = self._impl("describe")
        return describe(self._in_memory("describe"))

    def codebook(self) -> pd.DataFrame:
        """One row per variable: ``name, label, type, levels, missing_codes, n_valid, n_missing, base``.

        For a partitioned survey ``n_valid`` and ``n_missing`` are those of no rows
        (counting them would need a pass over the data).
        """
        return self._backend.codebook_frame()

    def question(self, name: str) -> str:
        """The question wording (variable label) of ``name``; the name itself when unlabelled."""
        return self._backend.question(name)

    def column(self, name: str) -> str:
        """The data column a name refers to (``CONCERNCO`` -> ``CONCERNCO_W49``)."""
        return self._backend.resolve(name)

    def __repr__(self) -> str:
        return self.design

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(self.design)}</pre>"

    # -- domains and designs -------------------------------------------------------
    def subset(self, mask_or_query: Any, *, columns: Sequence[str] | None = None) -> Survey:
        """Restrict to a domain, keeping the full design for variance.

        Parameters
        ----------
        mask_or_query : bool array, boolean Series, str or callable
            A mask over :attr:`data` (aligned on the index for a Series) or a
            pandas query string such as ``"F_SEX == 'Female'"``.  A partitioned survey
            takes a query string or a function of a partition returning a boolean mask.
        columns : list of str, optional
            Partitioned surveys only: the columns a function needs (default: all).

        Returns
        -------
        Survey

        Notes
        -----
        Equivalent to R ``subset(design, ...)`` on a ``survey.design2``: rows
        outside the domain keep their PSU and stratum and count as zero.
        """
        if self.is_partitioned:
            return Survey._wrap(self._backend.subset(mask_or_query, columns=columns))
        if columns is not None:
            raise EstimationError("columns= is for subsets of partitioned surveys; drop it for data in memory")
        return Survey._wrap(self._in_memory("subset").subset(mask_or_query))

    def with_weights(
        self, weights: Any, *, repweights: Any = None, calibration: Any = None, note: str | None = None
    ) -> Survey:
        """A new Survey with other analysis weights (same design otherwise).

        Parameters
        ----------
        weights : array or Series
            An array over all rows of the underlying data, or a Series aligned on the index.
        repweights, calibration, note
            Replicate weights to use instead, calibration steps to keep, a note for the history.

        Returns
        -------
        Survey
        """
        frame = self._in_memory("with_weights")
        return Survey._wrap(frame.with_weights(weights, repweights=repweights, calibration=calibration, note=note))

    def to_replicate(
        self, reptype: str = "JK1", replicates: int | None = None, seed: int | None = None, **options: Any
    ) -> Survey:
        """Convert to replicate weights (R ``as.svrepdesign``).

        See :func:`pewlike.design.replicate.to_replicate` for the options.
        """
        return Survey._wrap(self._call("to_replicate", reptype, replicates=replicates, seed=seed, **options))

    # -- writing ---------------------------------------------------------------------
    def to_sav(self, path: str | os.PathLike[str]) -> Path:
        """Write the data, labels, missing codes and current weights to SPSS ``.sav``.

        Round-trips with :func:`pewlike.read`.  Written atomically.
        """
        from pewlike.io.files import write_sav

        frame = self._in_memory("to_sav")
        data = frame.export_frame()
        return write_sav(data, frame.codebook.select(list(data.columns)), path)

    def to_parquet(self, path: str | os.PathLike[str]) -> Path:
        """Write the data, codebook and current weights to Parquet (round-trips with ``read``)."""
        from pewlike.io.files import write_parquet

        frame = self._in_memory("to_parquet")
        data = frame.export_frame()
        return write_parquet(data, frame.codebook.select(list(data.columns)), path)

    # -- estimates -------------------------------------------------------------------
    def mean(
        self, var: str, *, by: str | Sequence[str] | None = None, na_rm: bool = True, level: float = 0.95
    ) -> Estimates:
        """Weighted mean with design-based SE (R ``svymean``, ``svyby``); see :func:`pewlike.estimation.estimators.mean`."""
        result: Estimates = self._call("mean", var, by=by, na_rm=na_rm, level=level)
        return result

    def total(
        self, var: str, *, by: str | Sequence[str] | None = None, na_rm: bool = True, level: float = 0.95
    ) -> Estimates:
        """Weighted total (R ``svytotal``); see :func:`pewlike.estimation.estimators.total`."""
        result: Estimates = self._call("total", var, by=by, na_rm=na_rm, level=level)
        return result

    def proportion(
        self,
        var: str,
        *,
        by: str | Sequence[str] | None = None,
        ci: ProportionCI = "logit",
        na_rm: bool = True,
        level: float = 0.95,
    ) -> Estimates:
        """Share of each response (R ``svymean`` on a factor, ``svyciprop``); see :func:`pewlike.estimation.estimators.proportion`."""
        result: Estimates = self._call("proportion", var, by=by, ci=ci, na_rm=na_rm, level=level)
        return result

    def ratio(
        self,
        numerator: str,
        denominator: str,
        *,
        by: str | Sequence[str] | None = None,
        na_rm: bool = True,
        level: float = 0.95,
    ) -> Estimates:
        """Ratio of totals (R ``svyratio``); see :func:`pewlike.estimation.estimators.ratio`."""
        result: Estimates = self._call("ratio", numerator, denominator, by=by, na_rm=na_rm, level=level)
        return result

    def quantile(
        self,
        var: str,
        q: float | Sequence[float],
        *,
        by: str | Sequence[str] | None = None,
        na_rm: bool = True,
        level: float = 0.95,
        **options: Any,
    ) -> Estimates:
        """Quantiles with Woodruff confidence intervals (R ``svyquantile``); see :func:`pewlike.estimation.quantiles.quantile`."""
        result: Estimates = self._call("quantile", var, q, by=by, na_rm=na_rm, level=level, **options)
        return result

    def chisq(self, row: str, col: str, *, statistic: str = "F", na_rm: bool = True) -> TestResult:
        """Rao-Scott test of association (R ``svychisq``); see :func:`pewlike.estimation.hypothesis.chisq`."""
        result: TestResult = self._call("chisq", row, col, statistic=statistic, na_rm=na_rm)
        return result

    def ttest(self, var: str, by: str, *, na_rm: bool = True, level: float = 0.95) -> TestResult:
        """Design-based t test of a difference in means (R ``svyttest``); see :func:`pewlike.estimation.hypothesis.ttest`."""
        result: TestResult = self._call("ttest", var, by, na_rm=na_rm, level=level)
        return result

    # -- Pew-style tables ------------------------------------------------------------
    def topline(self, var: str, *, base: Base = "valid", **options: Any) -> Topline:
        """Pew topline of one question; see :func:`pewlike.tables.toplines.topline`."""
        result: Topline = self._call("topline", var, base=base, **options)
        return result

    def crosstab(self, var: str, by: str, *, base: Base = "valid", letters: bool = True, **options: Any) -> Crosstab:
        """Column-percent crosstab with CIs and significance letters; see :func:`pewlike.tables.crosstabs.crosstab`."""
        result: Crosstab = self._call("crosstab", var, by, base=base, letters=letters, **options)
        return result

    # -- weighting -----------------------------------------------------------------------
    def rake(
        self, margins: Any, *, max_iter: int = 50, tol: float = 1e-7, total: float | None = None, **options: Any
    ) -> Survey:
        """Rake to marginal targets (R ``rake``, ``pewmethods::rake_survey``); see :func:`pewlike.weighting.raking.rake`."""
        return Survey._wrap(self._call("rake", margins, max_iter=max_iter, tol=tol, total=total, **options))

    def poststratify(self, vars: str | Sequence[str], population: Any, **options: Any) -> Survey:
        """Post-stratify (R ``postStratify``); see :func:`pewlike.weighting.raking.poststratify`."""
        return Survey._wrap(self._call("poststratify", vars, population, **options))

    def calibrate(
        self, population_totals: Any, *, calfun: CalFun = "linear", bounds: Any = None, **options: Any
    ) -> Survey:
        """Calibrate to totals (R ``calibrate``); see :func:`pewlike.weighting.calibration.calibrate`."""
        return Survey._wrap(self._call("calibrate", population_totals, calfun=calfun, bounds=bounds, **options))

    def trim_weights(
        self,
        *,
        lower: float | None = None,
        upper: float | None = None,
        quantiles: bool = False,
        strict: bool = False,
        **options: Any,
    ) -> Survey:
        """Trim extreme weights (R ``trimWeights``); see :func:`pewlike.weighting.trimming.trim_weights`."""
        return Survey._wrap(
            self._call("trim_weights", lower=lower, upper=upper, quantiles=quantiles, strict=strict, **options)
        )

    def weight_summary(self) -> WeightSummary:
        """Kish deff, effective n, MOE and weight range (``pewmethods::calculate_deff``); see :func:`pewlike.weighting.summary.weight_summary`."""
        result: WeightSummary = self._call("weight_summary")
        return result

    # -- models ----------------------------------------------------------------------------
    def glm(self, formula: str, *, family: Family = "gaussian", **options: Any) -> ModelResult:
        """Design-based GLM (R ``svyglm``); see :func:`pewlike.models.glm`."""
        result: ModelResult = self._call("glm", formula, family=family, **options)
        return result

    def logit(self, formula: str, **options: Any) -> ModelResult:
        """Design-based logistic regression (R ``svyglm(family=quasibinomial())``); see :func:`pewlike.models.logit`."""
        result: ModelResult = self._call("logit", formula, **options)
        return result

    def ologit(self, formula: str, *, link: Literal["logit", "probit"] = "logit", **options: Any) -> ModelResult:
        """Proportional-odds model (R ``svyolr``); see :func:`pewlike.models.ologit`."""
        result: ModelResult = self._call("ologit", formula, link=link, **options)
        return result

    def scale(self, items: Sequence[str], **options: Any) -> ScaleResult:
        """Weighted summated index with Cronbach's alpha (R ``svycralpha``); see :func:`pewlike.models.scale`."""
        from dataclasses import replace

        result: ScaleResult = self._call("scale", items, **options)
        return replace(result, survey=Survey._wrap(result.survey))

    # -- partitioned data: leaving the cluster ------------------------------------------------
    def collect(self) -> Survey:
        """All rows in this process as an in-memory Survey (same design, subsets and raking
        replayed), for what needs every row at once: models, quantiles.

        Only when the data fit in memory; otherwise use :meth:`sample`.  An in-memory survey
        returns itself.
        """
        if not self.is_partitioned:
            return self
        frame, options = self._backend.collect_frame()
        return self._replay(Survey(frame, **options))

    def sample(self, frac: float, *, seed: int | None = None) -> Survey:
        """A random row sample (fraction ``frac``) of a partitioned survey, in memory, weights scaled by ``1/frac``.

        For models and quantiles on data too large to collect.  The sample is drawn within
        every partition (``DataFrame.sample``); estimates and standard errors are those of
        the subsample, an approximation of the full data's.
        """
        if not self.is_partitioned:
            raise EstimationError("sample() draws rows from a partitioned survey; this one is already in memory")
        frame, options = self._backend.sample_frame(frac, seed=seed)
        return self._replay(Survey(frame, **options))

    def _replay(self, svy: Survey) -> Survey:
        """Apply the partitioned survey's subsets and rakings, in order, to an in-memory copy."""
        import numpy as np

        for step in self._backend.replay_steps():
            if step[0] == "rake":
                svy = svy.rake(step[1], **step[2])
            elif step[1][0] == "query":
                svy = svy.subset(step[1][2])
            else:
                svy = svy.subset(np.asarray(step[1][2](svy.data)))
        return svy
