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
from collections.abc import Callable, Mapping, Sequence
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pewlike.design.frame import LonelyPSU, RepType, SurveyFrame
from pewlike.errors import DesignError, EstimationError, VariableError

if TYPE_CHECKING:  # pragma: no cover
    import dask.dataframe as dd
    import numpy as np
    import pandas as pd
    from distributed import Client
    from typing_extensions import TypeIs

    from pewlike.estimation.breaks import Bins
    from pewlike.estimation.distribution import BoxPlot, Histogram
    from pewlike.estimation.results import Estimates, TestResult
    from pewlike.io.codebook import Codebook
    from pewlike.models.results import ModelResult
    from pewlike.models.scales import ScaleResult
    from pewlike.partitioned.frame import PartitionedFrame
    from pewlike.tables.crosstabs import Crosstab
    from pewlike.tables.grid import Grid
    from pewlike.tables.selectall import SelectAll
    from pewlike.tables.toplines import NetSpec, Topline
    from pewlike.trends.results import Trend
    from pewlike.weighting.summary import WeightSummary

    Backend = SurveyFrame | PartitionedFrame

_R = TypeVar("_R")

__all__ = ["LonelyPSU", "RepType", "Survey"]

#: Interval methods of :meth:`Survey.proportion` (R ``svyciprop(method=)``; "beta" is Korn-Graubard).
ProportionCI = Literal["logit", "beta", "wilson", "xlogit", "mean"]
#: Percentage bases of toplines and crosstabs: substantive answers, or everyone asked.
Base = Literal["valid", "all"]
#: GLM families of :meth:`Survey.glm` (quasi-likelihood, as R ``svyglm``).
Family = Literal["gaussian", "binomial", "poisson"]
#: Calibration distances of :meth:`Survey.calibrate` (R ``calibrate(calfun=)``).
CalFun = Literal["linear", "raking", "logit"]
#: Test statistics of :meth:`Survey.chisq` (R ``svychisq(statistic=)``).
ChisqStatistic = Literal["F", "Chisq", "Wald", "adjWald"]

# verb -> (module, function) implementing it for each backend
_IN_MEMORY: dict[str, tuple[str, str]] = {
    **{v: ("pewlike.estimation.estimators", v) for v in ("mean", "total", "proportion", "ratio")},
    "quantile": ("pewlike.estimation.quantiles", "quantile"),
    "hist": ("pewlike.estimation.distribution", "histogram"),
    "boxplot": ("pewlike.estimation.distribution", "boxplot"),
    "chisq": ("pewlike.estimation.hypothesis", "chisq"),
    "ttest": ("pewlike.estimation.hypothesis", "ttest"),
    "topline": ("pewlike.tables", "topline"),
    "crosstab": ("pewlike.tables", "crosstab"),
    "trend": ("pewlike.trends.trend", "trend"),
    "select_all": ("pewlike.tables.selectall", "select_all"),
    "grid": ("pewlike.tables.grid", "grid"),
    **{v: ("pewlike.weighting", v) for v in ("rake", "poststratify", "calibrate", "trim_weights", "weight_summary")},
    **{v: ("pewlike.models", v) for v in ("glm", "logit", "ologit", "scale")},
    "to_replicate": ("pewlike.design.replicate", "to_replicate"),
    "describe": ("pewlike.design.describe", "describe_design"),
}
_PARTITIONED: dict[str, tuple[str, str]] = {
    # one body per estimator: the partitioned frame gives the estimators its weighted totals
    **{v: ("pewlike.estimation.estimators", v) for v in ("mean", "total", "proportion", "ratio")},
    **{v: ("pewlike.estimation.hypothesis", v) for v in ("chisq", "ttest")},
    "topline": ("pewlike.tables", "topline"),
    "crosstab": ("pewlike.tables", "crosstab"),
    "rake": ("pewlike.weighting", "rake"),
    "weight_summary": ("pewlike.weighting", "weight_summary"),
}


def _is_dask_frame(obj: object) -> TypeIs[dd.DataFrame]:
    mod = type(obj).__module__ or ""
    return mod.startswith("dask") and type(obj).__name__ == "DataFrame"


def _needs_all_rows(verb: str) -> EstimationError:
    """The error for a verb the partitioned backend cannot run (yet)."""
    return EstimationError(
        f"{verb}() is not available on a partitioned (Dask) survey yet: it needs all rows in one process. "
        f"Collect the data if they fit in memory (svy.collect().{verb}(...)) or work on a random sample "
        f"(svy.sample(frac=0.05, seed=1).{verb}(...))"
    )


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
    reptype : str, optional
        Replicate method (R ``svrepdesign(type=)``): ``"JK1"``, ``"JKn"``, ``"BRR"``,
        ``"Fay"``, ``"bootstrap"`` or ``"SDR"``; needed with ``repweights``.
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
    missing_weights : {"error", "drop"}
        A blank weight is an error, as in R's ``svydesign``; ``"drop"`` leaves those
        respondents out with a warning, as Stata's ``svy`` does (a panel file's weight of a
        wave is blank for the panelists not in it).  In memory only.
    scheduler, progress, timeout, missing
        For a Dask DataFrame only: where to compute (a scheduler address, a Client, or
        None for the active Client or local threads), a progress bar on stderr, seconds to
        wait for the scheduler, and whether categories labelled like "Refused" are missing.

    Raises
    ------
    DesignError
        The design columns are missing, of the wrong type or inconsistent (the message
        names the column and the rows).

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

    From a DataFrame:

    >>> import pandas as pd
    >>> data = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "g": ["a", "a", "b", "b"], "w": [1.0, 1.0, 2.0, 2.0]})
    >>> small = pw.Survey(data, weights="w")
    >>> small.n, float(small.weights.sum())
    (4, 6.0)
    """

    __slots__ = ("_backend",)

    _backend: Backend

    def __init__(
        self,
        data: pd.DataFrame | dd.DataFrame,
        *,
        weights: str | None = "auto",
        strata: str | Sequence[str] | None = None,
        psu: str | Sequence[str] | None = None,
        fpc: str | Sequence[str] | None = None,
        nest: bool = False,
        repweights: str | Sequence[str] | None = None,
        reptype: RepType | None = None,
        scale: float | None = None,
        rscales: Sequence[float] | np.ndarray | None = None,
        mse: bool = False,
        lonely_psu: LonelyPSU = "fail",
        rho: float | None = None,
        codebook: Codebook | None = None,
        source: str | None = None,
        scheduler: str | Client | None = None,
        progress: bool = True,
        timeout: float = 10.0,
        missing: Literal["auto", "keep"] = "auto",
        missing_weights: Literal["error", "drop"] = "error",
    ) -> None:
        design: dict[str, Any] = dict(
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

            if missing_weights != "error":
                raise DesignError(
                    "missing_weights='drop' is for data in memory; drop the rows without a weight from the Dask "
                    "DataFrame first (ddf[ddf[weight].notnull()])"
                )
            backend = PartitionedFrame(
                data, scheduler=scheduler, progress=progress, timeout=timeout, missing=missing, **design
            )
        else:
            if scheduler is not None:
                raise DesignError("scheduler= is for Dask DataFrames; this data is in memory, so drop scheduler=")
            backend = SurveyFrame.build(data, missing_weights=missing_weights, **design)
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
            raise _needs_all_rows(verb)
        module, name = table[verb]
        fn: Callable[..., Any] = getattr(import_module(module), name)
        return fn

    def _call(self, verb: str, *args: Any, **kwargs: Any) -> Any:
        return self._impl(verb)(self._backend, *args, **kwargs)

    def _named(self, result: _R) -> _R:
        """A result that carries the domain's name (for its notes and ``to_frame().attrs``)."""
        universe = self._backend.universe
        if not universe:
            return result
        from dataclasses import replace

        return replace(result, universe_name=universe)  # type: ignore[type-var]

    def _named_crosstab(self, result: Crosstab) -> Crosstab:
        if not self._backend.universe:
            return result
        from dataclasses import replace

        return replace(result, total=self._named(result.total))

    def _in_memory(self, verb: str) -> SurveyFrame:
        backend = self._backend
        if not isinstance(backend, SurveyFrame):
            raise _needs_all_rows(verb)
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
    def data(self) -> pd.DataFrame | dd.DataFrame:
        """The respondents in the current domain: a read-only copy (pandas, copy-on-write),
        or a lazy Dask DataFrame for a partitioned survey.

        Setting a column on it (``svy.data["HEAVY"] = ...``) changes only the copy and
        warns (:class:`~pewlike.errors.DataWarning`): a ``Survey`` is immutable; use
        :meth:`assign`, :meth:`recode` or :meth:`score` for new variables.
        """
        backend = self._backend
        if not isinstance(backend, SurveyFrame):
            return backend.domain_frame()
        from pewlike.design.readonly import data_view

        return data_view(backend.domain_frame())

    @property
    def universe(self) -> str | None:
        """The name of the domain, given by :meth:`subset` (``name="Registered voters"``); None when unnamed."""
        return self._backend.universe

    @property
    def n(self) -> int:
        """Unweighted number of respondents in the current domain."""
        return self._backend.n

    @property
    def weights(self) -> pd.Series | dd.Series:
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
        backend = self._backend
        return 1 if isinstance(backend, SurveyFrame) else backend.npartitions

    @property
    def design(self) -> str:
        """A printable description of the design, like R's ``print(design)``."""
        backend = self._backend
        if not isinstance(backend, SurveyFrame):
            return backend.describe()
        describe: Callable[[SurveyFrame], str] = self._impl("describe")
        return describe(backend)

    def codebook(self) -> pd.DataFrame:
        """One row per variable: ``name, label, type, levels, missing_codes, n_valid, n_missing, base, measure``.

        For a partitioned survey ``n_valid`` and ``n_missing`` are those of no rows
        (counting them would need a pass over the data).

        Returns
        -------
        pandas.DataFrame
            ``type`` is ``"ordinal"`` (an answer scale: declared with :meth:`set_scale`,
            the file's measure level, or recognised from its labels whatever the file
            says), ``"categorical"``, ``"numeric"`` or ``"string"``; ``levels`` the
            response options joined by ``"; "``; ``missing_codes`` the codes (or labels) of
            the non-substantive answers ("Refused", SPSS user-missing values); ``measure``
            the file's SPSS measure level ("nominal", "ordinal", "scale"; empty when none).

        Notes
        -----
        R has no single equivalent: ``labelled::look_for`` (or ``haven`` attributes) for
        the labels, with counts in the current domain.

        Examples
        --------
        >>> import pewlike as pw
        >>> cb = pw.demo().codebook().set_index("name")
        >>> row = cb.loc["CONCERNCO_W49"]
        >>> row["type"], row["measure"], row["missing_codes"], int(row["n_missing"])
        ('ordinal', 'ordinal', '99', 44)
        """
        return self._backend.codebook_frame()

    def question(self, name: str) -> str:
        """The question wording (variable label) of ``name``; the name itself when unlabelled.

        Parameters
        ----------
        name : str
            A column, or its name without the wave suffix (``CONCERNCO``).

        Returns
        -------
        str

        Raises
        ------
        VariableError
            Unknown name (close names are suggested).

        Notes
        -----
        R: ``attr(data$var, "label")`` of a ``haven``-read file.

        Examples
        --------
        >>> import pewlike as pw
        >>> pw.demo().question("CONCERNCO")
        'How concerned are you, if at all, about how companies are using the data they collect about you?'
        """
        return self._backend.question(name)

    def column(self, name: str) -> str:
        """The data column a name refers to (``CONCERNCO`` -> ``CONCERNCO_W49``).

        Parameters
        ----------
        name : str
            A column, or its name without the wave suffix.

        Returns
        -------
        str

        Raises
        ------
        VariableError
            Unknown or ambiguous name (several waves).

        Notes
        -----
        No R survey equivalent (R names columns in full).

        Examples
        --------
        >>> import pewlike as pw
        >>> pw.demo().column("CONCERNCO")
        'CONCERNCO_W49'
        """
        return self._backend.resolve(name)

    def set_scale(self, var: str, ordered: bool | None = True) -> Survey:
        """Declare whether a question is an ordered answer scale (or let pewlike decide again).

        Parameters
        ----------
        var : str
            A labelled (categorical) question; the wave suffix is optional.
        ordered : bool or None
            True: a scale (``codebook()`` says ``ordinal``, ``nets="auto"`` gives its top
            two and bottom two, ``pewlike init`` reports it); False: not a scale, whatever
            its labels or the file say; None: back to the automatic rule (the file's
            measure level ``ordinal``, or labels :func:`pewlike.io.scales.scale_ranks`
            recognises).

        Returns
        -------
        Survey
            The same data and design with the declaration in its codebook.

        Raises
        ------
        VariableError
            ``var`` is unknown, or has no labelled answers (a numeric or text column).

        Notes
        -----
        R's equivalent is ``factor(x, ordered=TRUE)`` on the data; here the data are not
        touched: the declaration lives in the codebook, so estimates are unchanged.

        Examples
        --------
        >>> import pewlike as pw
        >>> svy = pw.demo().set_scale("SECUR1", ordered=True)
        >>> svy.codebook().set_index("name").loc["SECUR1_W49", "type"]
        'ordinal'
        """
        from dataclasses import replace

        backend = self._backend
        col = backend.resolve(var)
        info = backend.codebook.variables[col]
        if ordered not in (True, False, None):
            raise VariableError(f"set_scale({var!r}, ordered={ordered!r}): ordered is True, False or None")
        if info.kind != "categorical":
            raise VariableError(
                f"set_scale: {col!r} is {info.kind}, with no labelled answers; a scale is a question "
                "whose answers have value labels (see svy.codebook())"
            )
        book = backend.codebook.replace(**{col: replace(info, scale=ordered)})
        if isinstance(backend, SurveyFrame):
            return Survey._wrap(backend.evolve(codebook=book))
        return Survey._wrap(backend.with_codebook(book))

    def relabel(
        self,
        var: str,
        values: Mapping[Any, str] | None = None,
        name: str | None = None,
        label: str | None = None,
    ) -> Survey:
        """Labels fit for publication: rename answers, give a short display name or a new wording.

        Parameters
        ----------
        var : str
            A variable (wave suffix optional).
        values : mapping, optional
            Old answer (label or SPSS code) -> new label: ``{"18-29": "Ages 18-29"}``.
            Codes, order, missing codes and estimates are unchanged; a scale stays a scale.
        name : str, optional
            Short display name ("Age"): crosstab headings, figure rows and model terms
            ("Age: 30-49") use it; ``codebook()`` shows it as ``short_name``.
        label : str, optional
            New question wording (titles of tables and figures).

        Returns
        -------
        Survey
            Same design; ``recode``, ``assign`` and ``subset`` keep the short name.

        Raises
        ------
        VariableError
            ``var`` is unknown; ``values`` names an answer ``var`` does not have (the
            known answers are listed), or gives two answers one label; an empty name.
        EstimationError
            ``values`` on a partitioned survey (collect it first).

        Notes
        -----
        R: ``levels(x) <- ...`` (or ``forcats::fct_recode``) then ``update(design, ...)``;
        the display name has no R equivalent.

        Examples
        --------
        >>> import pewlike as pw
        >>> svy = pw.demo().relabel("F_AGECAT", {"18-29": "Ages 18-29"}, name="Age")
        >>> svy.data["F_AGECAT"].cat.categories[0], svy.codebook().set_index("name").loc["F_AGECAT", "short_name"]
        ('Ages 18-29', 'Age')
        """
        from pewlike.design.relabel import relabel_info, relabel_values

        backend = self._backend
        if values is not None:
            backend = relabel_values(self._in_memory("relabel"), var, values)
        col, info = relabel_info(backend.codebook, var, name=name, label=label)
        book = backend.codebook.replace(**{col: info})
        if isinstance(backend, SurveyFrame):
            return Survey._wrap(backend.evolve(codebook=book))
        return Survey._wrap(backend.with_codebook(book))

    # -- preparing data --------------------------------------------------------------
    def assign(
        self,
        labels: Mapping[str, str] | None = None,
        value_labels: Mapping[str, Mapping[Any, str]] | None = None,
        **columns: Any,
    ) -> Survey:
        """New or replaced variables, with the same design (weights, strata, PSUs, domain).

        Parameters
        ----------
        labels : mapping of str to str, optional
            Question wording of the new variables (``{"HEAVY": "Uses the internet
            almost constantly"}``); a replaced variable keeps its wording unless given.
        value_labels : mapping, optional
            Name -> ``{code: label}``: the values are codes, turned into a labelled
            (ordered) categorical as an SPSS file is read; labels like "Refused" become
            missing codes.
        **columns
            Name -> an array (one value per respondent of the domain, or per row of
            the data), a pandas Series (aligned on the index), a scalar, a function of
            the data (all rows) returning one of those, or a string: an expression in
            pewlike's condition language (``OLD="AGE >= 65"`` gives 1/0 and missing,
            ``K="INCOME / 1000"`` a number; labelled variables give their SPSS codes in
            arithmetic).  Evaluated in order, as ``DataFrame.assign``: a later column
            can use an earlier one.

        Returns
        -------
        Survey
            The same design; the codebook knows the new variables (``question()``,
            ``codebook()``).  Rows outside the domain get missing values when values
            are given for the domain only.

        Raises
        ------
        DesignError
            A name is a design column (weights, strata, PSU, fpc, replicate weights:
            changing them is a new design), or a value has the wrong length.
        FormulaError
            An expression is not valid (the message gives the column of the error);
            nothing is computed.
        VariableError
            An expression names an unknown variable; ``labels`` name a column not assigned.
        EstimationError
            The survey is partitioned (collect it first).

        Notes
        -----
        R: ``update(design, NEW = ...)`` (``transform`` on a ``survey.design``).
        Expressions are parsed by :func:`pewlike.formula.condition.parse_expression`,
        never evaluated as Python.

        Examples
        --------
        >>> import pewlike as pw
        >>> svy = pw.demo().assign(
        ...     YOUNG="F_AGECAT == '18-29'", labels={"YOUNG": "Ages 18-29"})
        >>> svy.question("YOUNG"), round(float(svy.mean("YOUNG").to_frame()["estimate"].iloc[0]), 3)
        ('Ages 18-29', 0.21)
        """
        from pewlike.design.derive import assign_columns

        frame = self._in_memory("assign")
        return Survey._wrap(assign_columns(frame, columns, labels=labels, value_labels=value_labels))

    def recode(
        self,
        var: str,
        mapping: Mapping[str, Any],
        name: str | None = None,
        label: str | None = None,
        other: Literal["keep", "drop"] = "keep",
    ) -> Survey:
        """Collapse or rename the answers of a labelled question.

        Parameters
        ----------
        var : str
            A categorical question (wave suffix optional).
        mapping : mapping
            New answer -> the old answers it takes, by label or SPSS code, one or a
            list: ``{"Concerned": ["Very concerned", "Somewhat concerned"],
            "Not concerned": [3, 4]}``.
        name : str, optional
            Add the result as a new variable; without it ``var`` is replaced.
        label : str, optional
            Question wording of the result (default: that of ``var``).
        other : {"keep", "drop"}
            Answers the mapping does not name: kept as they are, or made missing.

        Returns
        -------
        Survey
            Same design.  Missing codes ("Refused") stay missing; an ordered scale stays
            ordered when each new answer takes neighbouring old answers, and is no longer
            a scale otherwise.  The new answers get codes 1, 2, ... in order; missing
            codes keep theirs.

        Raises
        ------
        VariableError
            ``var`` is unknown or not categorical; the mapping names an answer ``var``
            does not have (the known codes and labels are listed) or one answer twice.
        DesignError
            ``name`` is a design column.
        EstimationError
            The survey is partitioned (collect it first).

        Notes
        -----
        R: ``forcats::fct_collapse`` / ``car::recode`` on the data, then
        ``update(design, ...)``.

        Examples
        --------
        >>> import pewlike as pw
        >>> svy = pw.demo().recode("CONCERNCO", {"Concerned": [1, 2], "Not concerned": [3, 4]}, name="CONC2")
        >>> svy.data["CONC2"].cat.categories.tolist()
        ['Concerned', 'Not concerned', 'Refused']
        """
        from pewlike.design.recode import recode_column

        frame = self._in_memory("recode")
        return Survey._wrap(recode_column(frame, var, mapping, name=name, label=label, other=other))

    def score(
        self,
        var: str,
        scores: Mapping[Any, float] | Literal["codes"],
        name: str | None = None,
        label: str | None = None,
    ) -> Survey:
        """A numeric score of a labelled question, for means and models.

        Parameters
        ----------
        var : str
            A categorical question (wave suffix optional).
        scores : mapping or "codes"
            Answer (label or SPSS code) -> number, for every substantive answer; or
            ``"codes"``: each answer's SPSS code, for a scale such as 0-10 with only its
            ends labelled (``svy.score("CONC10", "codes").mean("CONC10_score")``).
        name : str, optional
            The new variable (default ``<var>_score`` without the wave suffix:
            ``CONCERNCO_score``).
        label : str, optional
            Its wording (default: that of ``var``).

        Returns
        -------
        Survey
            Same design; missing codes ("Refused") are missing in the score.

        Raises
        ------
        VariableError
            A key is not an answer of ``var`` (the known ones are listed) or is a missing
            code; an answer is scored twice or not at all; a score is not a number.
        DesignError
            ``name`` is a design column.
        EstimationError
            The survey is partitioned (collect it first).

        Notes
        -----
        R: ``update(design, s = c(4, 3, 2, 1)[as.integer(var)])`` with the missing codes
        set to ``NA``, then ``svymean(~s, design, na.rm=TRUE)``; ``"codes"`` is
        ``as.numeric(haven::zap_missing(var))``.

        Examples
        --------
        >>> import pewlike as pw
        >>> svy = pw.demo().score("CONCERNCO", {1: 4, 2: 3, 3: 2, 4: 1})
        >>> svy.codebook().set_index("name").loc["CONCERNCO_score", "type"]
        'numeric'
        """
        from pewlike.design.recode import score_column

        frame = self._in_memory("score")
        return Survey._wrap(score_column(frame, var, scores, name=name, label=label))

    def __repr__(self) -> str:
        from pewlike.textsafe import terminal_text

        return terminal_text(self.design)

    def _repr_html_(self) -> str:
        from pewlike.textsafe import html_text

        return f"<pre>{html_text(self.design)}</pre>"

    # -- domains and designs -------------------------------------------------------
    def subset(self, mask_or_query: Any, *, name: str | None = None, columns: Sequence[str] | None = None) -> Survey:
        """Restrict to a domain, keeping the full design for variance.

        Parameters
        ----------
        mask_or_query : bool array, boolean Series, str or callable
            A mask over :attr:`data` (aligned on the index for a Series) or a condition
            such as ``"F_SEX == 'Female'"`` or ``"F_REG in [1, 2] and AGE >= 30"``.  A
            partitioned survey takes a condition or a function of a partition returning
            a boolean mask.
        name : str, optional
            The name of the universe ("Registered voters"): table notes say "Among
            registered voters, n = 2,861" instead of "Asked of all respondents", figure
            source lines and ``to_frame().attrs["universe"]`` carry it.  A named subset of
            a named survey is called "Registered voters: Women"; an unnamed subset of a
            named survey "Registered voters: <condition>", so a narrower group never
            carries a wider group's name.
        columns : list of str, optional
            Partitioned surveys only: the columns a function needs (default: all).

        Returns
        -------
        Survey

        Raises
        ------
        FormulaError
            The condition is not in pewlike's condition language.
        VariableError
            The condition names an unknown variable, a label or code the variable does
            not have, or compares a variable its type cannot compare.
        EstimationError
            The mask has the wrong length, or no respondent matches (the message lists
            the codes and labels of the condition's variables), or ``name`` is not a
            one-line text.

        Notes
        -----
        Equivalent to R ``subset(design, ...)`` on a ``survey.design2``: rows
        outside the domain keep their PSU and stratum and count as zero.

        A condition is read by pewlike's own parser
        (:func:`pewlike.formula.condition.parse_condition`: comparisons, ``in``,
        ``and``/``or``/``not``, arithmetic, ``isna``/``notna``/``abs``, column names and
        literals) and never evaluated as Python, so a condition from a shared spec or a
        command line cannot run code.  A number compared with a labelled variable is its
        SPSS code (``F_REG in [1, 2]``), a string its label (``F_REG == 'Registered'``).
        Missing values and user-missing codes (Refused, Don't know) are not selected
        unless named (``F_REG == 99``) or asked for (``isna(F_REG)``), as R's
        ``subset()`` drops ``NA``.

        Examples
        --------
        >>> import pewlike as pw
        >>> svy = pw.demo()
        >>> women = svy.subset("F_SEX == 'Female'")
        >>> women.n, svy.n
        (2190, 4272)
        >>> young = svy.subset("F_AGECAT == '18-29'", name="Adults under 30")
        >>> young.topline("CONCERNCO").universe()
        'Among adults under 30, n = 513'
        """
        backend = self._backend
        if not isinstance(backend, SurveyFrame):
            return Survey._wrap(backend.subset(mask_or_query, columns=columns, name=name))
        if columns is not None:
            raise EstimationError("columns= is for subsets of partitioned surveys; drop it for data in memory")
        return Survey._wrap(backend.subset(mask_or_query, name=name))

    def with_weights(
        self,
        weights: np.ndarray | pd.Series | Sequence[float] | str,
        *,
        repweights: np.ndarray | None = None,
        calibration: tuple[Any, ...] | None = None,
        note: str | None = None,
    ) -> Survey:
        """A new Survey with other analysis weights (same design otherwise).

        Parameters
        ----------
        weights : array, Series or str
            An array over all rows of the underlying data, a Series aligned on the index
            (rows it leaves out get weight 0; a missing value in it is an error), or the
            name of a numeric column.
        repweights, calibration, note
            Replicate weights to use instead, calibration steps to keep, a note for the history.

        Returns
        -------
        Survey

        Raises
        ------
        DesignError
            The weights have the wrong length, or missing, infinite or negative values.

        Notes
        -----
        Like R ``update(design, ...)`` with new weights; in memory only.

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> small = pw.Survey(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]}), weights="w")
        >>> small.with_weights([1.0, 1.0, 1.0, 1.0]).mean("x").to_frame()["estimate"].tolist()
        [2.5]
        """
        frame = self._in_memory("with_weights")
        return Survey._wrap(frame.with_weights(weights, repweights=repweights, calibration=calibration, note=note))

    def to_replicate(
        self, reptype: RepType = "JK1", replicates: int | None = None, seed: int | None = None, **options: Any
    ) -> Survey:
        """Convert to replicate weights (R ``as.svrepdesign``).

        Parameters
        ----------
        reptype : {"JK1", "JKn", "BRR", "Fay", "bootstrap"}
            Replicate method.
        replicates : int, optional
            Bootstrap replicates (default 50, as R).
        seed : int, optional
            Seed of the bootstrap.
        **options
            ``rho=`` (Fay's coefficient), ``mse=``; see
            :func:`pewlike.design.replicate.to_replicate`.

        Returns
        -------
        Survey
            Same data and weights, variance from the replicate weights.

        Notes
        -----
        Equivalent to ``as.svrepdesign(design, type=reptype)`` in R survey.

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> small = pw.Survey(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]}), weights="w")
        >>> print(small.to_replicate("JK1").design.splitlines()[0])
        Replicate-weight design: Unstratified cluster jacknife (JK1) with 4 replicates
        """
        return Survey._wrap(self._call("to_replicate", reptype, replicates=replicates, seed=seed, **options))

    # -- writing ---------------------------------------------------------------------
    def to_sav(self, path: str | os.PathLike[str]) -> Path:
        """Write the data, labels, missing codes and current weights to SPSS ``.sav``.

        Round-trips with :func:`pewlike.read`.  Written atomically.

        Parameters
        ----------
        path : str or path-like
            The ``.sav`` file.

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        DataFileError
            The file cannot be written.

        Notes
        -----
        Equivalent to ``haven::write_sav`` in R, with the weights as a column.

        Examples
        --------
        >>> import pewlike as pw
        >>> pw.demo().to_sav("privacy.sav")  # doctest: +SKIP
        PosixPath('privacy.sav')
        """
        from pewlike.io.files import write_sav

        frame = self._in_memory("to_sav")
        data = frame.export_frame()
        return write_sav(data, frame.codebook.select(list(data.columns)), path)

    def to_parquet(self, path: str | os.PathLike[str]) -> Path:
        """Write the data, codebook and current weights to Parquet (round-trips with ``read``).

        Parameters
        ----------
        path : str or path-like
            The ``.parquet`` file.

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        DataFileError
            The file cannot be written.

        Notes
        -----
        R's ``arrow::write_parquet`` writes the data; the codebook is stored as pewlike metadata.

        Examples
        --------
        >>> import pewlike as pw
        >>> pw.demo().to_parquet("privacy.parquet")  # doctest: +SKIP
        PosixPath('privacy.parquet')
        """
        from pewlike.io.files import write_parquet

        frame = self._in_memory("to_parquet")
        data = frame.export_frame()
        return write_parquet(data, frame.codebook.select(list(data.columns)), path)

    # -- estimates -------------------------------------------------------------------
    def mean(
        self, var: str, *, by: str | Sequence[str] | None = None, na_rm: bool = True, level: float = 0.95
    ) -> Estimates:
        """Weighted mean with a design-based standard error.

        Parameters
        ----------
        var : str
            A numeric variable (wave suffix optional).
        by : str or list of str, optional
            Domain variables; each domain keeps the full design for its variance.
        na_rm : bool
            Drop missing values (and codebook missing codes) from the base.
        level : float
            Confidence level of the intervals.

        Returns
        -------
        Estimates
            ``to_frame()``: ``variable, level, <by>, estimate, std_error, ci_lower,
            ci_upper, deff, n``.

        Notes
        -----
        Equivalent to ``svymean(~var, design, deff="replace")`` and
        ``svyby(~var, ~by, design, svymean)`` in R survey; see
        :func:`pewlike.estimation.estimators.mean`.

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> data = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "g": ["a", "a", "b", "b"], "w": [1.0, 1.0, 2.0, 2.0]})
        >>> small = pw.Survey(data, weights="w")
        >>> small.mean("x").to_frame()["estimate"].round(4).tolist()
        [2.8333]
        >>> small.mean("x", by="g").to_frame()[["g", "estimate"]].values.tolist()
        [['a', 1.5], ['b', 3.5]]
        """
        result: Estimates = self._call("mean", var, by=by, na_rm=na_rm, level=level)
        result = self._named(result)
        return result

    def total(
        self, var: str, *, by: str | Sequence[str] | None = None, na_rm: bool = True, level: float = 0.95
    ) -> Estimates:
        """Weighted total of a numeric variable (or counts of each level of a categorical).

        Parameters
        ----------
        var : str
            A numeric or categorical variable.
        by : str or list of str, optional
            Domain variables.
        na_rm : bool
            Drop missing values from the base.
        level : float
            Confidence level of the intervals.

        Returns
        -------
        Estimates

        Notes
        -----
        Equivalent to ``svytotal(~var, design, deff="replace")`` (and ``svyby``) in R
        survey; see :func:`pewlike.estimation.estimators.total`.

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> small = pw.Survey(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]}), weights="w")
        >>> small.total("x").to_frame()["estimate"].tolist()
        [17.0]
        """
        result: Estimates = self._call("total", var, by=by, na_rm=na_rm, level=level)
        result = self._named(result)
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
        """Share of respondents giving each response, with confidence intervals.

        Parameters
        ----------
        var : str
            A categorical variable; every non-missing level gets a row.
        by : str or list of str, optional
            Domain variables.
        ci : {"logit", "beta", "wilson", "xlogit", "mean"}
            Interval method, as R's ``svyciprop(method=)``; ``"beta"`` is Korn-Graubard.
        na_rm : bool
            Exclude missing responses ("Refused", "Don't know") from the base;
            ``False`` reports them as levels.
        level : float
            Confidence level.

        Returns
        -------
        Estimates
            Fractions (0-1); ``n`` is the unweighted count giving that response.

        Notes
        -----
        Estimates, SEs and ``deff`` equal ``svymean(~factor, design, deff="replace")``
        (and ``svyby``) in R survey; intervals equal ``svyciprop(~I(var == level),
        design, method=ci)``.  See :func:`pewlike.estimation.estimators.proportion`.

        Examples
        --------
        >>> import pewlike as pw
        >>> est = pw.demo().proportion("CONCERNCO")
        >>> est.to_frame()[["level", "estimate"]].round(3).values.tolist()
        [['Very concerned', 0.332], ['Somewhat concerned', 0.456], ['Not too concerned', 0.159], ['Not at all concerned', 0.052]]
        """
        result: Estimates = self._call("proportion", var, by=by, ci=ci, na_rm=na_rm, level=level)
        result = self._named(result)
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
        """Ratio of two weighted totals.

        Parameters
        ----------
        numerator, denominator : str
            Numeric variables.
        by : str or list of str, optional
            Domain variables.
        na_rm : bool
            Drop rows missing either variable.
        level : float
            Confidence level.

        Returns
        -------
        Estimates
            ``variable`` is ``"numerator/denominator"``; ``deff`` is NaN, as in R.

        Notes
        -----
        Equivalent to ``svyratio(~numerator, ~denominator, design)`` (and ``svyby``) in
        R survey; see :func:`pewlike.estimation.estimators.ratio`.

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> data = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [2.0, 2.0, 4.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]})
        >>> pw.Survey(data, weights="w").ratio("x", "y").to_frame()[["variable", "estimate"]].values.tolist()
        [['x/y', 0.85]]
        """
        result: Estimates = self._call("ratio", numerator, denominator, by=by, na_rm=na_rm, level=level)
        result = self._named(result)
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
        """Weighted quantiles with Woodruff confidence intervals.

        Parameters
        ----------
        var : str
            A numeric variable.
        q : float or sequence of float
            Probabilities in [0, 1].
        by : str or list of str, optional
            Domain variables.
        na_rm : bool
            Drop missing values.
        level : float
            Confidence level.
        **options
            ``qrule="math"`` or ``"school"``; see :func:`pewlike.estimation.quantiles.quantile`.

        Returns
        -------
        Estimates
            ``level`` holds the probability as text (``"0.5"``).

        Notes
        -----
        Equivalent to ``svyquantile(~var, design, q, ci=TRUE)`` in R survey (4.1 defaults).

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> small = pw.Survey(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]}), weights="w")
        >>> small.quantile("x", 0.5).to_frame()[["level", "estimate"]].values.tolist()
        [['0.5', 3.0]]
        """
        result: Estimates = self._call("quantile", var, q, by=by, na_rm=na_rm, level=level, **options)
        result = self._named(result)
        return result

    def hist(
        self,
        var: str,
        *,
        by: str | Sequence[str] | None = None,
        bins: Bins = "sturges",
        density: bool = True,
        na_rm: bool = True,
        level: float = 0.95,
    ) -> Histogram:
        """Weighted histogram of a numeric variable: the share and density of each bin, by group.

        Parameters
        ----------
        var : str
            A numeric variable (a categorical one is refused: use its topline).
        by : str or list of str, optional
            Domain variables: one histogram per group, on the same bins.
        bins : "sturges", int or list of float
            R's ``hist`` breaks: Sturges' rule, a suggested number of classes, or the edges.
        density : bool
            Draw the density (share per unit, R's default) or the weighted count.
        na_rm : bool
            Leave out missing values.
        level : float
            Confidence level of the shares' intervals.

        Returns
        -------
        Histogram
            ``to_frame()``: the estimates contract (``level`` the bin, ``estimate`` its
            share) then ``bin_lower, bin_upper, density, count``; draw it with
            :func:`pewlike.plots.hist_plot`.

        Notes
        -----
        Equivalent to ``svyhist(~var, design)`` in R survey (same edges and bar heights);
        see :func:`pewlike.estimation.distribution.histogram`.

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> small = pw.Survey(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]}), weights="w")
        >>> small.hist("x", bins=[0, 2, 4]).to_frame()[["level", "estimate", "density"]].values.tolist()
        [['[0, 2]', 0.3333333333333333, 0.16666666666666666], ['(2, 4]', 0.6666666666666666, 0.3333333333333333]]
        """
        result: Histogram = self._call("hist", var, by=by, bins=bins, density=density, na_rm=na_rm, level=level)
        return self._named(result)

    def boxplot(
        self,
        var: str,
        *,
        by: str | Sequence[str] | None = None,
        all_outliers: bool = False,
        na_rm: bool = True,
        level: float = 0.95,
    ) -> BoxPlot:
        """Weighted box plot statistics of a numeric variable, by group: quartiles and whiskers.

        Parameters
        ----------
        var : str
            A numeric variable (a categorical one is refused: use its topline).
        by : str or list of str, optional
            Domain variables: one box per group.
        all_outliers : bool
            Mark every respondent beyond the whiskers (R's ``all.outliers = TRUE``).
        na_rm : bool
            Leave out missing values.
        level : float
            Confidence level of the quantiles' Woodruff intervals.

        Returns
        -------
        BoxPlot
            ``to_frame()``: the quantiles 0, 0.25, 0.5, 0.75, 1 (as :meth:`quantile`);
            ``box()``: whiskers, quartiles and n per group; draw it with
            :func:`pewlike.plots.box_plot`.

        Notes
        -----
        Equivalent to ``svyboxplot(var ~ by, design)`` in R survey; the quantiles are
        ``svyquantile``'s; see :func:`pewlike.estimation.distribution.boxplot`.

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> small = pw.Survey(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]}), weights="w")
        >>> small.boxplot("x").box()[["q1", "median", "q3"]].values.tolist()
        [[2.0, 3.0, 4.0]]
        """
        result: BoxPlot = self._call("boxplot", var, by=by, all_outliers=all_outliers, na_rm=na_rm, level=level)
        return self._named(result)

    def chisq(self, row: str, col: str, *, statistic: ChisqStatistic = "F", na_rm: bool = True) -> TestResult:
        """Rao-Scott test of association between two categorical variables.

        Parameters
        ----------
        row, col : str
            Categorical variables.
        statistic : {"F", "Chisq", "Wald", "adjWald"}
            ``"F"``: second-order Rao-Scott F; ``"Chisq"``: first-order correction;
            ``"Wald"``/``"adjWald"``: design-based Wald tests.
        na_rm : bool
            Leave missing responses out of the table.

        Returns
        -------
        TestResult
            ``statistic``, ``df`` (``(ndf, ddf)`` for F) and ``p_value``.

        Notes
        -----
        Equivalent to ``svychisq(~row + col, design, statistic=)`` in R survey; see
        :func:`pewlike.estimation.hypothesis.chisq`.

        Examples
        --------
        >>> import pewlike as pw
        >>> test = pw.demo().chisq("CONCERNCO", "F_SEX")
        >>> f"F = {test.statistic:.2f}, p = {test.p_value:.3f}"
        'F = 2.19, p = 0.088'
        """
        result: TestResult = self._call("chisq", row, col, statistic=statistic, na_rm=na_rm)
        return result

    def ttest(self, var: str, by: str, *, na_rm: bool = True, level: float = 0.95) -> TestResult:
        """Design-based t test of a difference in means between two groups.

        Parameters
        ----------
        var : str
            A numeric variable.
        by : str
            A variable with two groups.
        na_rm : bool
            Drop missing values.
        level : float
            Confidence level of the difference's interval.

        Returns
        -------
        TestResult
            ``estimate`` is mean(second group) - mean(first group), with its SE.

        Notes
        -----
        Equivalent to ``svyttest(var ~ by, design)`` in R survey; see
        :func:`pewlike.estimation.hypothesis.ttest`.

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> data = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "g": ["a", "a", "b", "b"], "w": [1.0, 1.0, 2.0, 2.0]})
        >>> test = pw.Survey(data, weights="w").ttest("x", "g")
        >>> f"difference {test.estimate:g}, t = {test.statistic:.2f}, p = {test.p_value:.3f}"
        'difference 2, t = 3.46, p = 0.074'
        """
        result: TestResult = self._call("ttest", var, by, na_rm=na_rm, level=level)
        return result

    # -- Pew-style tables ------------------------------------------------------------
    def topline(self, var: str, *, base: Base = "valid", **options: Any) -> Topline:
        """Pew topline of one question: weighted % per response, unweighted N, margin of error.

        Parameters
        ----------
        var : str
            A categorical question (wave suffix optional).
        base : {"valid", "all"}
            ``"valid"``: percentages of substantive answers; ``"all"``: of everyone asked,
            with "Refused"/"Don't know" rows (Pew's topline convention).
        **options
            ``nets=`` (a mapping or ``"auto"``), ``ci=``, ``level=``; see
            :func:`pewlike.tables.toplines.topline`.

        Returns
        -------
        Topline
            ``to_frame()``: the estimates columns, then ``moe, kind``.

        Notes
        -----
        The shares are ``svymean(~factor(var), design)`` in R survey, intervals
        ``svyciprop``; the margin of error is ``pewmethods::calculate_deff``'s.

        Examples
        --------
        >>> import pewlike as pw
        >>> t = pw.demo().topline("CONCERNCO")
        >>> t.to_frame()["estimate"].round(3).tolist()
        [0.332, 0.456, 0.159, 0.052]
        """
        result: Topline = self._call("topline", var, base=base, **options)
        result = self._named(result)
        return result

    def crosstab(self, var: str, by: str, *, base: Base = "valid", letters: bool = True, **options: Any) -> Crosstab:
        """Column-percent crosstab with CIs, a Rao-Scott test and significance letters.

        Parameters
        ----------
        var : str
            A categorical question.
        by : str
            A categorical demographic (its "Refused" category is left out).
        base : {"valid", "all"}
            As for :meth:`topline`.
        letters : bool
            Compute significance letters between columns (design-based pairwise tests).
        **options
            ``nets=``, ``min_n=``, ``suppress=``, ``alpha=``, ``adjust=``, ``ci=``,
            ``level=``, ``total=``; see :func:`pewlike.tables.crosstabs.crosstab`.

        Returns
        -------
        Crosstab
            ``to_frame()``: the estimates columns (``by`` as its own column), then
            ``moe, letters, flag, kind``.

        Notes
        -----
        Cells are ``svyby(~var, ~by, design, svymean)`` in R survey, the test
        ``svychisq``, the letters ``svycontrast`` of pairs of columns.  Intervals,
        letters and the test share one degrees of freedom: the design df of those who
        answered both questions, ``degf(subset(design, !is.na(var) & !is.na(by)))``
        (see :func:`pewlike.tables.crosstabs.crosstab`).

        Examples
        --------
        >>> import pewlike as pw
        >>> ct = pw.demo().crosstab("CONCERNCO", "F_SEX")
        >>> ct.columns
        ('Male', 'Female')
        """
        result: Crosstab = self._call("crosstab", var, by, base=base, letters=letters, **options)
        result = self._named_crosstab(result)
        return result

    def trend(
        self,
        var: str,
        *,
        wave: str = "WAVE",
        by: str | Sequence[str] | None = None,
        nets: NetSpec = "auto",
        base: Base = "valid",
        **options: Any,
    ) -> Trend:
        """Each wave's shares of a question, and what changed between waves, with tests.

        Parameters
        ----------
        var : str
            A categorical question asked in every wave (wave suffix optional).
        wave : str
            The column naming each row's wave, in time order (``pw.stack`` makes it).
        by : str or list of str, optional
            Groups within which each change is measured (e.g. ``"F_AGECAT"``).
        nets : mapping, "auto", bool or None
            Nets, as for :meth:`topline`; their changes are tested too.
        base : {"valid", "all"}
            As for :meth:`topline`.
        **options
            ``ci=`` (interval method of each share), ``level=``, ``alpha=`` (the
            significance flag's level); see :func:`pewlike.trends.trend.trend`.

        Returns
        -------
        Trend
            ``to_frame()``: ``variable, level, wave, <by>, estimate, std_error, ci_lower,
            ci_upper, n``; ``changes()``: ``variable, level, <by>, from_wave, to_wave,
            difference, std_error, ci_lower, ci_upper, p_value, significant``.

        Notes
        -----
        Shares are ``svyby(~var, ~WAVE, design, svymean, covmat=TRUE)`` in R survey and
        changes ``svycontrast`` of two waves with a t test on ``degf(design)``.  On a
        panel-linked stack (``pw.stack(..., id="QKEY")``) the SE of a change includes the
        covariance of the same respondents' answers, as ``svydesign(ids=~QKEY, ...)``.

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> w1 = pw.Survey(pd.DataFrame({"Q_W1": ["Yes", "No", "Yes", "No"], "w": 1.0}), weights="w")
        >>> w2 = pw.Survey(pd.DataFrame({"Q_W2": ["Yes", "Yes", "Yes", "No"], "w": 1.0}), weights="w")
        >>> tr = pw.stack({"2019": w1, "2023": w2}).trend("Q")
        >>> row = tr.changes().iloc[0]
        >>> row["level"], row["from_wave"], row["to_wave"], float(row["difference"])
        ('No', '2019', '2023', -0.25)
        """
        result: Trend = self._call("trend", var, wave=wave, by=by, nets=nets, base=base, **options)
        return result

    # -- select-all batteries and item grids (#14) ---------------------------------------
    def batteries(self) -> list[list[str]]:
        """Select-all batteries found in the codebook.

        Returns
        -------
        list of list of str
            Item columns of each battery: names with a common stem and an item mark (a
            letter after a digit, ``PP5a`` .. ``PP5g``; or after an underscore, ``SMUSE_a``,
            ``Q5_1``) and Selected / Not selected answers.

        Notes
        -----
        No R survey equivalent; see :func:`pewlike.estimation.indicators.find_batteries`.

        Examples
        --------
        >>> import pewlike as pw
        >>> pw.demo().batteries()[0][:2]
        ['PP5a_W49', 'PP5b_W49']
        """
        from pewlike.estimation.indicators import find_batteries

        backend = self._backend
        names = list(backend.codebook.variables)
        if isinstance(backend, SurveyFrame):
            import pandas as pd

            data = backend.data
            names = [str(c) for c in data.columns]
            cats = {
                c: [str(x) for x in data[c].cat.categories]
                if isinstance(data[c].dtype, pd.CategoricalDtype)
                else sorted({str(v) for v in data[c].dropna().unique()})
                for c in names
                if isinstance(data[c].dtype, pd.CategoricalDtype) or backend.codebook.variables[c].kind == "string"
            }
            return find_batteries(backend.codebook, names, cats)
        return find_batteries(backend.codebook, names)

    def select_all(
        self,
        items: Sequence[str],
        name: str | None = None,
        base: Literal["asked", "all"] = "asked",
        by: str | Sequence[str] | None = None,
        *,
        sort: Literal["asked", "share"] = "asked",
        **options: Any,
    ) -> SelectAll:
        """Share selecting each item of a select-all battery, NET Any, None of these, number selected.

        Parameters
        ----------
        items : list of str
            The battery's item columns (coded like Selected / Not selected).
        name : str, optional
            The battery's name in ``to_frame()`` (default: the items' common stem).
        base : {"asked", "all"}
            Those asked the battery (answered any item), or every respondent.
        by : str or list of str, optional
            Groups; each item's shares get significance letters between groups.
        sort : {"asked", "share"}
            Items as asked or by share (largest first).
        **options
            ``ci=``, ``level=``, ``alpha=``; see :func:`pewlike.tables.selectall.select_all`.

        Returns
        -------
        SelectAll
            ``to_frame()``: ``variable, level, <by>, estimate, std_error, ci_lower, ci_upper,
            deff, n`` (``level`` the item's wording), then ``item, kind`` (and ``letters``).

        Notes
        -----
        Each share is ``svymean(~I(item == "Selected"), design)`` in R survey, NET Any
        ``svymean(~I(a | b | ...))``, the number selected ``svymean(~I(a + b + ...))``.

        Examples
        --------
        >>> import pewlike as pw
        >>> svy = pw.demo()
        >>> sa = svy.select_all(svy.batteries()[0], sort="share")
        >>> sa.to_frame()["level"].iloc[-1]
        'None of these'
        """
        result: SelectAll = self._call("select_all", items, name=name, base=base, by=by, sort=sort, **options)
        return self._named(result)

    def grid(
        self,
        items: Sequence[str],
        nets: NetSpec = "auto",
        compare: tuple[str, str] | None = None,
        **options: Any,
    ) -> Grid:
        """Several questions answered on one scale as one Pew grid table, with a paired comparison.

        Parameters
        ----------
        items : list of str
            Categorical questions sharing one set of answers.
        nets : mapping, "auto", bool or None
            Nets, as for :meth:`topline`.
        compare : (str, str), optional
            Two items whose shares (each answer and net) are compared among the same
            respondents, with a design-based test.
        **options
            ``ci=``, ``level=``; see :func:`pewlike.tables.grid.grid`.

        Returns
        -------
        Grid
            ``to_frame()``: each item's topline rows then ``item`` (short wording);
            ``comparison()``, ``table()``; draw with :func:`pewlike.plots.grid_plot`.

        Notes
        -----
        Rows are ``svymean(~item, design)``; a comparison is ``svycontrast`` on
        ``svymean(~I(a == x) + I(b == x), design, na.rm=TRUE)`` in R survey.

        Examples
        --------
        >>> import pewlike as pw
        >>> g = pw.demo().grid(["CONCERNCO", "CONCERNGOV", "CONCERNLE"])
        >>> g.question
        'How concerned are you, if at all, about'
        >>> g.labels[2]
        'what law enforcement knows about you?'
        """
        result: Grid = self._call("grid", items, nets=nets, compare=compare, **options)
        if not self._backend.universe:
            return result
        from dataclasses import replace

        return replace(self._named(result), toplines=tuple(self._named(t) for t in result.toplines))

    # -- weighting -----------------------------------------------------------------------
    def rake(
        self,
        margins: Mapping[Any, Any] | Sequence[Any],
        *,
        max_iter: int = 50,
        tol: float = 1e-7,
        total: float | None = None,
        **options: Any,
    ) -> Survey:
        """Rake the weights to marginal targets (iterative proportional fitting).

        Parameters
        ----------
        margins : dict or list
            ``{"F_AGECAT": {"18-29": .21, ...}, ("F_SEX", "F_EDUCCAT"): {...}}``: each
            margin a variable or a joint cell of several, with targets as proportions or
            totals (dict, Series or a DataFrame of cells).
        max_iter : int
            Maximum number of sweeps over the margins.
        tol : float
            Stop when every target cell's weighted share is within ``tol`` of its target.
        total : float, optional
            Population total the weights should sum to.
        **options
            ``bounds=``, ``cap=``; see :func:`pewlike.weighting.raking.rake`.

        Returns
        -------
        Survey
            Raked weights; variances account for the raking.

        Raises
        ------
        RakingError
            Bad targets, or no convergence (the best weights are on ``.weights``).

        Notes
        -----
        Equivalent to ``rake()`` in R survey and ``pewmethods::rake_survey``.

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> data = pd.DataFrame({"g": ["a", "a", "b", "b"], "w": [1.0, 1.0, 2.0, 2.0]})
        >>> raked = pw.Survey(data, weights="w").rake({"g": {"a": 0.5, "b": 0.5}})
        >>> raked.weights.tolist()
        [1.5, 1.5, 1.5, 1.5]
        """
        return Survey._wrap(self._call("rake", margins, max_iter=max_iter, tol=tol, total=total, **options))

    def poststratify(
        self,
        vars: str | Sequence[str],
        population: Mapping[Any, float] | pd.Series | pd.DataFrame,
        **options: Any,
    ) -> Survey:
        """Post-stratify: scale the weights so each cell's total equals its population count.

        Parameters
        ----------
        vars : str or list of str
            The post-stratification variable(s); several give their joint cells.
        population : dict, Series or DataFrame
            Count (or share) of every cell.
        **options
            ``partial=``, ``total=``; see :func:`pewlike.weighting.raking.poststratify`.

        Returns
        -------
        Survey

        Raises
        ------
        RakingError
            A cell without respondents, a sample cell without a population count.

        Notes
        -----
        Equivalent to ``postStratify(design, ~vars, population)`` in R survey.

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> data = pd.DataFrame({"g": ["a", "a", "b", "b"], "w": [1.0, 1.0, 2.0, 2.0]})
        >>> pw.Survey(data, weights="w").poststratify("g", {"a": 3, "b": 3}).weights.tolist()
        [1.5, 1.5, 1.5, 1.5]
        """
        return Survey._wrap(self._call("poststratify", vars, population, **options))

    def calibrate(
        self,
        population_totals: Mapping[Any, Any] | pd.Series | Sequence[Any],
        *,
        calfun: CalFun = "linear",
        bounds: tuple[float, float] | None = None,
        **options: Any,
    ) -> Survey:
        """Calibrate the weights to population totals (GREG, raking or logit distance).

        Parameters
        ----------
        population_totals : dict, Series or list
            Margins as for :meth:`rake` and numeric totals such as ``{"api99": 3914069}``;
            with ``formula=``, totals named by the model-matrix columns.
        calfun : {"linear", "raking", "logit"}
            Calibration distance.
        bounds : (float, float), optional
            Bounds on the factors new / old weight (``"logit"`` needs finite bounds).
        **options
            ``formula=``, ``max_iter=``, ``epsilon=``, ``total=``, ``force=``; see
            :func:`pewlike.weighting.calibration.calibrate`.

        Returns
        -------
        Survey

        Raises
        ------
        CalibrationError
            Bad totals, bounds that cannot be met, or no convergence.

        Notes
        -----
        Equivalent to ``calibrate(design, formula, population, calfun=)`` in R survey.

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> data = pd.DataFrame({"g": ["a", "a", "b", "b"], "w": [1.0, 1.0, 2.0, 2.0]})
        >>> pw.Survey(data, weights="w").calibrate({"g": {"a": 3, "b": 3}}).weights.tolist()
        [1.5, 1.5, 1.5, 1.5]
        """
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
        """Trim extreme weights and share the trimmed amount among the others.

        Parameters
        ----------
        lower, upper : float, optional
            Limits for the weights; with ``quantiles=True`` quantile levels of the weights.
        quantiles : bool
            Read ``lower``/``upper`` as quantile levels.
        strict : bool
            Repeat until no weight is outside the limits.
        **options
            ``minval=``, ``maxval=``; see :func:`pewlike.weighting.trimming.trim_weights`.

        Returns
        -------
        Survey

        Raises
        ------
        CalibrationError
            Bad limits, or limits that cannot be met.

        Notes
        -----
        Equivalent to ``trimWeights(design, upper, lower, strict)`` in R survey and
        ``pewmethods::trim_weights``.

        Examples
        --------
        >>> import pandas as pd, pewlike as pw
        >>> small = pw.Survey(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]}), weights="w")
        >>> small.trim_weights(upper=1.8).weights.tolist()
        [1.2, 1.2, 1.8, 1.8]
        """
        return Survey._wrap(
            self._call("trim_weights", lower=lower, upper=upper, quantiles=quantiles, strict=strict, **options)
        )

    def weight_summary(self) -> WeightSummary:
        """Kish design effect, effective n, margin of error and weight range.

        Returns
        -------
        WeightSummary
            With ``deff``, ``ess``, ``moe``, ``min``, ``max``, ``cv`` and, after
            weighting, achieved vs target ``margins``.

        Notes
        -----
        Equivalent to ``pewmethods::calculate_deff(weights)`` in R; see
        :func:`pewlike.weighting.summary.weight_summary`.

        Examples
        --------
        >>> import pewlike as pw
        >>> ws = pw.demo().weight_summary()
        >>> f"deff {ws.deff:.3f}, MOE {ws.moe:.1f} points"
        'deff 1.314, MOE 1.7 points'
        """
        result: WeightSummary = self._call("weight_summary")
        return result

    # -- models ----------------------------------------------------------------------------
    def glm(self, formula: str, *, family: Family = "gaussian", **options: Any) -> ModelResult:
        """Design-based generalised linear model.

        Parameters
        ----------
        formula : str
            ``"outcome ~ predictors"`` (see :mod:`pewlike.formula`); a binary outcome from
            a categorical is written ``"CONCERNCO in ['Very concerned'] ~ ..."``.
        family : {"gaussian", "binomial", "poisson"}
            Quasi-likelihood family.
        **options
            ``link=``, ``max_iter=``, ``tol=``, ``max_columns=`` (default 1000 coefficients),
            ``max_order=`` (default 5 variables in an interaction); see :func:`pewlike.models.glm`.

        Returns
        -------
        ModelResult

        Raises
        ------
        VariableError, FormulaError, ModelError
            Unknown variable, bad formula, or a model that cannot be fitted.

        Notes
        -----
        Equivalent to ``svyglm(formula, design, family=quasibinomial())`` (and
        ``gaussian()``, ``quasipoisson()``) in R survey.

        Examples
        --------
        >>> import pewlike as pw
        >>> fit = pw.demo().glm("CONCERNCO in ['Very concerned'] ~ F_SEX", family="binomial")
        >>> fit.params.round(3).tolist()
        [-0.743, 0.087]
        """
        result: ModelResult = self._call("glm", formula, family=family, **options)
        return result

    def logit(self, formula: str, **options: Any) -> ModelResult:
        """Design-based logistic regression: :meth:`glm` with ``family="binomial"``.

        Parameters
        ----------
        formula : str
            ``"outcome ~ predictors"``; see :meth:`glm`.
        **options
            As for :meth:`glm`.

        Returns
        -------
        ModelResult

        Notes
        -----
        Equivalent to ``svyglm(formula, design, family=quasibinomial())`` in R survey.

        Examples
        --------
        >>> import pewlike as pw
        >>> fit = pw.demo().logit("CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ F_SEX")
        >>> fit.params.index.tolist()
        ['(Intercept)', 'F_SEXFemale']
        """
        result: ModelResult = self._call("logit", formula, **options)
        return result

    def ologit(self, formula: str, *, link: Literal["logit", "probit"] = "logit", **options: Any) -> ModelResult:
        """Design-based proportional-odds (ordinal logistic or probit) model.

        Parameters
        ----------
        formula : str
            ``"CONCERNCO ~ F_AGECAT + F_SEX"``: a categorical outcome with 3 or more
            ordered levels.
        link : {"logit", "probit"}
            Link function.
        **options
            ``max_iter=``, ``tol=``, ``hessian=``, ``max_columns=``, ``max_order=``; see
            :func:`pewlike.models.ologit`.

        Returns
        -------
        ModelResult
            Slopes, then the cut points; ``logit P(Y <= k) = zeta_k - x'beta``.

        Notes
        -----
        Equivalent to ``svyolr(formula, design, method="logistic")`` in R survey.

        Examples
        --------
        >>> import pewlike as pw
        >>> fit = pw.demo().ologit("CONCERNCO ~ F_SEX")
        >>> fit.params.index[:2].tolist()
        ['F_SEXFemale', 'Very concerned|Somewhat concerned']
        """
        result: ModelResult = self._call("ologit", formula, link=link, **options)
        return result

    def scale(self, items: Sequence[str], **options: Any) -> ScaleResult:
        """Weighted summated index of Likert items, with weighted Cronbach's alpha.

        Parameters
        ----------
        items : list of str
            Two or more items (categoricals score 1..K in category order).
        **options
            ``reverse=``, ``method=``, ``min_items=``, ``name=``; see
            :func:`pewlike.models.scales.scale`.

        Returns
        -------
        ScaleResult
            Its ``survey`` is this survey with the index as a new column.

        Notes
        -----
        Alpha is ``svycralpha(~i1 + i2 + ..., design)`` in R survey.

        Examples
        --------
        >>> import pewlike as pw
        >>> index = pw.demo().scale(["CONCERNCO", "CONCERNGOV"])
        >>> index.name, round(index.alpha, 3)
        ('index_CONCERNCO_W49', 0.386)
        """
        from dataclasses import replace

        result: ScaleResult = self._call("scale", items, **options)
        frame = result.survey
        assert isinstance(frame, SurveyFrame)  # models.scales.scale returns the in-memory frame; wrap it
        return replace(result, survey=Survey._wrap(frame))

    # -- partitioned data: leaving the cluster ------------------------------------------------
    def collect(self) -> Survey:
        """All rows in this process as an in-memory Survey (same design, subsets and raking
        replayed), for what needs every row at once: models, quantiles.

        Only when the data fit in memory; otherwise use :meth:`sample`.  An in-memory survey
        returns itself.

        Returns
        -------
        Survey

        Notes
        -----
        No R survey equivalent (R designs are always in memory).

        Examples
        --------
        >>> import pewlike as pw
        >>> svy = pw.demo()
        >>> svy.collect() is svy
        True
        """
        backend = self._backend
        if isinstance(backend, SurveyFrame):
            return self
        frame, options = backend.collect_frame()
        return self._replay(backend, Survey(frame, **options))

    def sample(self, frac: float, *, seed: int | None = None) -> Survey:
        """A random row sample (fraction ``frac``) of a partitioned survey, in memory, weights scaled by ``1/frac``.

        For models and quantiles on data too large to collect.  The sample is drawn within
        every partition (``DataFrame.sample``); estimates and standard errors are those of
        the subsample, an approximation of the full data's.

        Parameters
        ----------
        frac : float
            Fraction of the rows to keep.
        seed : int, optional
            Seed of the draw.

        Returns
        -------
        Survey

        Raises
        ------
        EstimationError
            The survey is already in memory.

        Notes
        -----
        No R survey equivalent.
        """
        backend = self._backend
        if isinstance(backend, SurveyFrame):
            raise EstimationError("sample() draws rows from a partitioned survey; this one is already in memory")
        frame, options = backend.sample_frame(frac, seed=seed)
        return self._replay(backend, Survey(frame, **options))

    @staticmethod
    def _replay(backend: PartitionedFrame, svy: Survey) -> Survey:
        """Apply the partitioned survey's subsets and rakings, in order, to an in-memory copy."""
        import numpy as np

        for step in backend.replay_steps():
            if step[0] == "rake":
                svy = svy.rake(step[1], **step[2])
            elif step[1][0] == "query":
                svy = svy.subset(step[1][2].text)
            else:
                svy = svy.subset(np.asarray(step[1][2](svy._in_memory("subset").domain_frame())))
        frame = svy._in_memory("collect")
        if frame.universe != backend.universe:
            from dataclasses import replace

            svy = Survey._wrap(replace(frame, universe=backend.universe))
        return svy
