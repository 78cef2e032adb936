"""The :class:`Survey`: survey data, its codebook and its sampling design.

A ``Survey`` is immutable.  Verbs (``mean``, ``rake``, ``logit``...) are
one-line methods delegating to topic modules, which are imported only when
called, so importing pewlike stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from pewlike.design.structure import Design, build_design
from pewlike.errors import DesignError, EstimationError
from pewlike.io.codebook import Codebook

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Survey"]

LonelyPSU = Literal["fail", "remove", "adjust", "average", "certainty"]


class Survey:
    """Survey microdata with a sampling design.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.  Categoricals give response options in order.
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

    Notes
    -----
    Equivalent to R ``svydesign(ids, strata, weights, fpc, nest, data)`` or, with
    ``repweights``, ``svrepdesign(..., combined.weights=TRUE)``.

    Examples
    --------
    >>> import pewlike as pw
    >>> svy = pw.demo()
    >>> svy.n > 4000
    True
    """

    __slots__ = ("_codebook", "_data", "_design", "_history", "_source")

    def __new__(cls, data=None, *args, **kwargs):
        # a Dask DataFrame gives a partitioned survey (pewlike.partitioned.survey, issue #7)
        if cls is Survey and type(data).__module__.startswith("dask") and type(data).__name__ == "DataFrame":
            from pewlike.partitioned.survey import DaskSurvey

            return DaskSurvey(data, *args, **kwargs)
        return super().__new__(cls)

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        weights: str | None = "auto",
        strata=None,
        psu=None,
        fpc=None,
        nest: bool = False,
        repweights=None,
        reptype=None,
        scale=None,
        rscales=None,
        mse: bool = False,
        lonely_psu: LonelyPSU = "fail",
        rho=None,
        codebook: Codebook | None = None,
        source: str | None = None,
    ):
        import pandas as pd

        if not isinstance(data, pd.DataFrame):
            raise DesignError(f"data must be a pandas DataFrame, not {type(data).__name__}")
        if data.columns.duplicated().any():
            dup = list(data.columns[data.columns.duplicated()])
            raise DesignError(f"duplicate column names {dup}; rename them before building the design")
        data = data.rename(columns=str) if not all(isinstance(c, str) for c in data.columns) else data
        cb = Codebook.from_frame(data) if codebook is None else codebook
        missing_info = [c for c in data.columns if c not in cb.variables]
        if missing_info:
            cb = Codebook({**cb.variables, **Codebook.from_frame(data[missing_info]).variables}, cb.file_label)
        design = build_design(
            data,
            cb.resolve,
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
        _init(self, data, design, cb, source, ())

    # -- construction helpers ------------------------------------------------
    @classmethod
    def _make(cls, data, design: Design, codebook: Codebook, source=None, history=()) -> Survey:
        obj = cls.__new__(cls)
        _init(obj, data, design, codebook, source, history)
        return obj

    def _evolve(self, *, design: Design | None = None, data=None, codebook=None, history=None) -> Survey:
        return Survey._make(
            self._data if data is None else data,
            design or self._design,
            codebook or self._codebook,
            self._source,
            self._history if history is None else history,
        )

    def __setattr__(self, name, value):
        raise AttributeError("Survey is immutable; its methods return a new Survey")

    def __reduce__(self):
        # pickling (e.g. to send a survey to worker processes) rebuilds through _make
        return (Survey._make, (self._data, self._design, self._codebook, self._source, self._history))

    def __delattr__(self, name):
        raise AttributeError("Survey is immutable; its methods return a new Survey")

    # -- data and metadata ---------------------------------------------------
    @property
    def data(self) -> pd.DataFrame:
        """The respondents in the current domain (a copy-on-write view)."""
        dom = self._design.domain
        frame = self._data if dom is None else self._data.loc[dom]
        return frame.copy(deep=False)

    @property
    def n(self) -> int:
        """Unweighted number of respondents (in the current domain)."""
        return int(self._design.in_domain.sum())

    @property
    def weights(self) -> pd.Series:
        """Current analysis weights of the respondents in the domain."""
        import pandas as pd

        dom = self._design.in_domain
        name = self._design.names.get("weights") or "weight"
        return pd.Series(self._design.weights[dom], index=self._data.index[dom], name=name)

    @property
    def degf(self) -> int:
        """Design degrees of freedom (R ``degf(design)``)."""
        return self._design.degf()

    @property
    def source(self) -> str | None:
        """File the data came from, if any."""
        return self._source

    @property
    def design(self) -> str:
        """A printable description of the design, like R's ``print(design)``."""
        from pewlike.design.describe import describe_design

        return describe_design(self)

    def codebook(self) -> pd.DataFrame:
        """One row per variable: ``name, label, type, levels, missing_codes, n_valid, n_missing, base``."""
        return self._codebook.to_frame(self.data)

    def question(self, name: str) -> str:
        """The question wording (variable label) of ``name``; the name itself when unlabelled."""
        col = self._codebook.resolve(name)
        return self._codebook.variables[col].label or col

    def column(self, name: str) -> str:
        """The data column a name refers to (``CONCERNCO`` -> ``CONCERNCO_W49``)."""
        return self._codebook.resolve(name)

    def __repr__(self) -> str:
        return self.design

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(self.design)}</pre>"

    # -- domains and designs -------------------------------------------------
    def subset(self, mask_or_query) -> Survey:
        """Restrict to a domain, keeping the full design for variance.

        Parameters
        ----------
        mask_or_query : bool array, boolean Series or str
            A mask over :attr:`data` (aligned on the index for a Series) or a
            pandas query string such as ``"F_SEX == 'Female'"``.

        Notes
        -----
        Equivalent to R ``subset(design, ...)`` on a ``survey.design2``: rows
        outside the domain keep their PSU and stratum and count as zero.
        """
        import pandas as pd

        full = self._data
        dom = self._design.in_domain
        if isinstance(mask_or_query, str):
            try:
                picked = self.data.query(mask_or_query, engine="python")
            except Exception as exc:
                raise EstimationError(f"subset query {mask_or_query!r} failed: {exc}") from None
            mask = full.index.isin(picked.index) & dom
        elif isinstance(mask_or_query, pd.Series):
            m = mask_or_query.reindex(full.index)
            mask = m.fillna(False).astype(bool).to_numpy() & dom
        else:
            m = np.asarray(mask_or_query)
            if m.dtype != bool or m.ndim != 1:
                raise EstimationError("subset mask must be a 1-d boolean array, a boolean Series or a query string")
            if m.shape[0] == full.shape[0] and self._design.domain is None:
                mask = m
            elif m.shape[0] == int(dom.sum()):
                mask = np.zeros(full.shape[0], dtype=bool)
                mask[np.flatnonzero(dom)[m]] = True
            else:
                raise EstimationError(f"subset mask has {m.shape[0]} values but the survey has {self.n} respondents")
        if not mask.any():
            raise EstimationError("the subset is empty: no respondent matches; check the condition")
        return self._evolve(design=self._design.restrict(mask))

    def with_weights(self, weights, *, repweights=None, calibration=None, note: str | None = None) -> Survey:
        """A new Survey with other analysis weights (same design otherwise).

        ``weights`` is an array over all rows of the underlying data, or a Series
        aligned on the index.
        """
        import pandas as pd

        if isinstance(weights, pd.Series):
            weights = weights.reindex(self._data.index).fillna(0.0).to_numpy(dtype=float)
        w = np.asarray(weights, dtype=float)
        if w.shape != (self._data.shape[0],):
            raise DesignError(f"weights have shape {w.shape}; expected ({self._data.shape[0]},)")
        if not np.isfinite(w).all() or (w < 0).any():
            raise DesignError("new weights contain missing, infinite or negative values")
        history = self._history + ((note,) if note else ())
        return self._evolve(design=self._design.with_weights(w, repweights, calibration), history=history)

    def to_replicate(
        self, reptype: str = "JK1", replicates: int | None = None, seed: int | None = None, **options
    ) -> Survey:
        """Convert to replicate weights; see :func:`pewlike.design.replicate.to_replicate` (R ``as.svrepdesign``)."""
        from pewlike.design.replicate import to_replicate

        return to_replicate(self, reptype, replicates=replicates, seed=seed, **options)

    # -- writing ---------------------------------------------------------------
    def _frame_for_export(self):
        data = self.data
        wname = self._design.names.get("weights")
        if self._design.weighted:
            name = wname or "weight"
            data = data.assign(**{name: self._design.weights[self._design.in_domain]})
        return data

    def to_sav(self, path: str | os.PathLike) -> Path:
        """Write the data, labels, missing codes and current weights to SPSS ``.sav``.

        Round-trips with :func:`pewlike.read`.  Written atomically.
        """
        from pewlike.io.files import write_sav

        data = self._frame_for_export()
        return write_sav(data, self._codebook.select(list(data.columns)), path)

    def to_parquet(self, path: str | os.PathLike) -> Path:
        """Write the data, codebook and current weights to Parquet (round-trips with ``read``)."""
        from pewlike.io.files import write_parquet

        data = self._frame_for_export()
        return write_parquet(data, self._codebook.select(list(data.columns)), path)

    # -- estimates ---------------------------------------------------------------
    def mean(self, var, *, by=None, na_rm: bool = True, level: float = 0.95):
        """Weighted mean with design-based SE; see :func:`pewlike.estimation.estimators.mean` (R ``svymean``)."""
        from pewlike.estimation.estimators import mean

        return mean(self, var, by=by, na_rm=na_rm, level=level)

    def total(self, var, *, by=None, na_rm: bool = True, level: float = 0.95):
        """Weighted total; see :func:`pewlike.estimation.estimators.total` (R ``svytotal``)."""
        from pewlike.estimation.estimators import total

        return total(self, var, by=by, na_rm=na_rm, level=level)

    def proportion(self, var, *, by=None, ci: str = "logit", na_rm: bool = True, level: float = 0.95):
        """Share of each response; see :func:`pewlike.estimation.estimators.proportion` (R ``svymean`` on a factor, ``svyciprop``)."""
        from pewlike.estimation.estimators import proportion

        return proportion(self, var, by=by, ci=ci, na_rm=na_rm, level=level)

    def ratio(self, numerator, denominator, *, by=None, na_rm: bool = True, level: float = 0.95):
        """Ratio of totals; see :func:`pewlike.estimation.estimators.ratio` (R ``svyratio``)."""
        from pewlike.estimation.estimators import ratio

        return ratio(self, numerator, denominator, by=by, na_rm=na_rm, level=level)

    def quantile(self, var, q, *, by=None, na_rm: bool = True, level: float = 0.95, **options):
        """Quantiles with confidence intervals; see :func:`pewlike.estimation.estimators.quantile` (R ``svyquantile``)."""
        from pewlike.estimation.estimators import quantile

        return quantile(self, var, q, by=by, na_rm=na_rm, level=level, **options)

    def chisq(self, row, col, *, statistic: str = "F", na_rm: bool = True):
        """Rao-Scott test of association; see :func:`pewlike.estimation.estimators.chisq` (R ``svychisq``)."""
        from pewlike.estimation.estimators import chisq

        return chisq(self, row, col, statistic=statistic, na_rm=na_rm)

    def ttest(self, var, by, *, na_rm: bool = True, level: float = 0.95):
        """Design-based t test of a difference in means; see :func:`pewlike.estimation.estimators.ttest` (R ``svyttest``)."""
        from pewlike.estimation.estimators import ttest

        return ttest(self, var, by, na_rm=na_rm, level=level)

    # -- Pew-style tables ------------------------------------------------------
    def topline(self, var, *, base: str = "valid", **options):
        """Pew topline of one question; see :func:`pewlike.tables.topline`."""
        from pewlike.tables import topline

        return topline(self, var, base=base, **options)

    def crosstab(self, var, by, *, base: str = "valid", letters: bool = True, **options):
        """Column-percent crosstab with CIs and significance letters; see :func:`pewlike.tables.crosstab`."""
        from pewlike.tables import crosstab

        return crosstab(self, var, by, base=base, letters=letters, **options)

    # -- weighting ----------------------------------------------------------------
    def rake(self, margins, *, max_iter: int = 50, tol: float = 1e-7, total=None, **options) -> Survey:
        """Rake to marginal targets; see :func:`pewlike.weighting.rake` (R ``rake``)."""
        from pewlike.weighting import rake

        return rake(self, margins, max_iter=max_iter, tol=tol, total=total, **options)

    def poststratify(self, vars, population, **options) -> Survey:
        """Post-stratify; see :func:`pewlike.weighting.poststratify` (R ``postStratify``)."""
        from pewlike.weighting import poststratify

        return poststratify(self, vars, population, **options)

    def calibrate(self, population_totals, *, calfun: str = "linear", bounds=None, **options) -> Survey:
        """Calibrate to totals; see :func:`pewlike.weighting.calibrate` (R ``calibrate``)."""
        from pewlike.weighting import calibrate

        return calibrate(self, population_totals, calfun=calfun, bounds=bounds, **options)

    def trim_weights(
        self, *, lower=None, upper=None, quantiles: bool = False, strict: bool = False, **options
    ) -> Survey:
        """Trim extreme weights; see :func:`pewlike.weighting.trim_weights` (R ``trimWeights``)."""
        from pewlike.weighting import trim_weights

        return trim_weights(self, lower=lower, upper=upper, quantiles=quantiles, strict=strict, **options)

    def weight_summary(self):
        """Kish deff, effective n, MOE and weight range; see :func:`pewlike.weighting.weight_summary`."""
        from pewlike.weighting import weight_summary

        return weight_summary(self)

    # -- models -------------------------------------------------------------------
    def glm(self, formula: str, *, family: str = "gaussian", **options):
        """Design-based GLM; see :func:`pewlike.models.irls` (R ``svyglm``)."""
        from pewlike.models import glm

        return glm(self, formula, family=family, **options)

    def logit(self, formula: str, **options):
        """Design-based logistic regression (R ``svyglm(family=quasibinomial())``)."""
        from pewlike.models import logit

        return logit(self, formula, **options)

    def ologit(self, formula: str, *, link: str = "logit", **options):
        """Proportional-odds model; see :func:`pewlike.models.ologit` (R ``svyolr``)."""
        from pewlike.models import ologit

        return ologit(self, formula, link=link, **options)

    def scale(self, items: Sequence[str], **options):
        """Weighted summated index with Cronbach's alpha; see :func:`pewlike.models.scale`."""
        from pewlike.models import scale

        return scale(self, items, **options)

    # -- internals used by the topic modules ---------------------------------------
    def _resolve(self, name) -> str:
        return self._codebook.resolve(name)

    def _series(self, name) -> pd.Series:
        """Full-length column (all rows, including outside the domain)."""
        return self._data[self._resolve(name)]

    def _valid(self, name) -> np.ndarray:
        """Rows with a substantive (non-missing) answer, over all rows."""
        import pandas as pd

        col = self._resolve(name)
        s = self._data[col]
        ok = s.notna().to_numpy().copy()
        miss = self._codebook.variables[col].missing
        if miss and isinstance(s.dtype, pd.CategoricalDtype):
            cats = [str(c) for c in s.cat.categories]
            bad = np.array([c in miss for c in cats] + [False])
            ok &= ~bad[s.cat.codes.to_numpy()]
        return ok


def _init(obj: Survey, data, design: Design, codebook: Codebook, source, history) -> None:
    object.__setattr__(obj, "_data", data)
    object.__setattr__(obj, "_design", design)
    object.__setattr__(obj, "_codebook", codebook)
    object.__setattr__(obj, "_source", source)
    object.__setattr__(obj, "_history", tuple(history))
