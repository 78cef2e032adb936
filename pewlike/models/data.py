"""Model data for design-based models: the model frame, compressed to covariate patterns.

Survey models with categorical predictors have few distinct rows: six demographics and a
4-point outcome give at most a few thousand *patterns* (distinct predictor values and
response), however many respondents there are.  :func:`prepare` finds those patterns
with integer codes (no strings, no per-group frames), builds the model matrix once per
pattern with :func:`pewlike.formula.model_frame`, and sums the analysis weights (and
replicate weights) per pattern.  Fits then run on the patterns; row-level quantities
(influence values, predictions) are pattern values looked up through ``rows``.

:class:`PatternStatistic` hands pattern-level influence values (or replicate refits) to the
design's variance method, which gives the covariance exactly as R's ``svyrecvar`` does with
the row-level values (or ``svrVar`` with the refits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import FormulaError, ModelError
from pewlike.formula.frame import MAX_COLUMNS, MAX_ORDER

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.design.structure import Design
    from pewlike.formula import Formula, ModelFrame
    from pewlike.variance.replication import ReplicateVariance

__all__ = ["ModelData", "PatternStatistic", "prepare", "replicate_pattern_weights", "residual_degf"]

_DATA_DEPENDENT = ("poly", "scale")  # codings fitted on the data: no compression
_MAX_CODE = 2**62


@dataclass(frozen=True, eq=False)
class ModelData:
    """The model frame of a survey model, one row per pattern.

    Attributes
    ----------
    formula : Formula
        The parsed formula.
    frame : ModelFrame
        Model frame of the representative rows (its codings rebuild model matrices for
        new data, see :func:`pewlike.formula.design_matrix`).
    X : ndarray (m, p)
        Model matrix of the patterns (R's ``model.matrix`` columns).
    y : ndarray (m,) or None
        Response of each pattern (0/1 for a binary response, 0..K-1 for a categorical one);
        None for a formula without a response.
    w : ndarray (m,)
        Sum of the analysis weights of the pattern's respondents.
    count : ndarray (m,)
        Number of respondents with the pattern.
    rows : ndarray (n_total,)
        Pattern of every row of the survey data, -1 for rows not in the model (outside
        the domain, zero weight, or missing a value).
    rep : pandas.DataFrame
        One representative data row per pattern (the model's columns).
    columns : dict
        Formula name -> data column.
    """

    formula: Formula
    frame: ModelFrame
    X: np.ndarray
    y: np.ndarray | None
    w: np.ndarray
    count: np.ndarray
    rows: np.ndarray
    rep: pd.DataFrame
    columns: dict

    @property
    def names(self) -> list[str]:
        """R's column names of the model matrix."""
        return list(self.frame.columns)

    @property
    def n_obs(self) -> int:
        """Unweighted number of respondents in the model."""
        return int(self.count.sum())

    @property
    def used(self) -> np.ndarray:
        """Boolean mask over all survey rows: the respondents in the model."""
        return self.rows >= 0


def _formula_variables(formula: Formula) -> list:
    if formula.variables:
        return list(formula.variables)
    seen: dict = {}
    for t in formula.terms:
        seen.update(dict.fromkeys(t.variables))
    return list(seen)


def _codes(series, idx: np.ndarray) -> np.ndarray:
    """Integer code (>= -1) of each selected row of a column; equal values share a code."""
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy()[idx].astype(np.int64)
    codes, _ = pd.factorize(series.to_numpy()[idx], use_na_sentinel=True)
    return codes.astype(np.int64)


def _combine(parts: list[np.ndarray]) -> np.ndarray:
    """One integer code per row for the combination of several code arrays (>= -1 each)."""
    import pandas as pd

    combined = np.zeros(parts[0].shape[0], dtype=np.int64)
    bound = 1
    for c in parts:
        k = int(c.max()) + 2 if c.size else 1
        if bound * k >= _MAX_CODE:
            combined, uniq = pd.factorize(combined)
            combined = combined.astype(np.int64)
            bound = max(len(uniq), 1)
        combined = combined * k + (c + 1)
        bound *= k
    return combined


def _first_rows(pattern: np.ndarray) -> np.ndarray:
    """Position of the first row of each pattern (patterns numbered in order of appearance)."""
    if pattern.size == 0:
        return np.zeros(0, dtype=np.intp)
    run = np.maximum.accumulate(pattern)
    new = np.r_[True, run[1:] > run[:-1]]
    return np.flatnonzero(new)


def prepare(
    sf: SurveyFrame,
    formula: str,
    *,
    response_required: bool = True,
    max_columns: int = MAX_COLUMNS,
    max_order: int = MAX_ORDER,
) -> ModelData:
    """Model data of ``formula`` on the survey's domain.

    Missing categories of every variable (codebook ``missing``, e.g. "Refused") count as
    missing; rows missing any model variable are dropped (R: recode to ``NA``, then
    ``na.omit``); factor levels without a complete row are dropped (``drop.unused.levels``).

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    formula : str
        The model formula.
    response_required : bool
        Refuse a formula without a response.
    max_columns, max_order : int
        Limits on the model's size; see :func:`pewlike.formula.model_frame`.

    Returns
    -------
    ModelData

    Raises
    ------
    FormulaError, VariableError
        From the formula parser and model frame (unknown variable, bad syntax).
    ModelError
        Empty domain, or no complete row.
    """
    import pandas as pd

    from pewlike.formula import model_frame, parse

    f = parse(formula) if isinstance(formula, str) else formula
    if response_required and f.response is None:
        raise ModelError(f"formula {f.text!r} has no response; write 'outcome ~ predictors'")
    if not f.terms and not f.intercept:
        raise FormulaError(f"the model {f.text!r} has no terms; add a predictor or an intercept")
    design = sf.design
    variables = _formula_variables(f)
    names = [v.name for v in variables]
    if f.response is not None:
        names = [f.response.variable.name] + names
    columns = {}
    for name in names:
        columns[name] = sf.resolve(name)
    cols = list(dict.fromkeys(columns.values()))
    missing = {}
    for c in cols:
        info = sf.codebook.variables.get(c)
        if info is not None and info.missing:
            missing[c] = tuple(info.missing)
    w_all = design.weights
    use = design.in_domain & (w_all > 0)
    if not use.any():
        raise ModelError("the domain is empty (no respondent with a positive weight); check the subset")
    data = sf.data
    funcs = [v.func for v in variables] + ([f.response.variable.func] if f.response is not None else [])
    compress = not any(fn in _DATA_DEPENDENT for fn in funcs)
    idx = np.flatnonzero(use)
    if compress:
        pattern, _ = pd.factorize(_combine([_codes(data[c], idx) for c in cols]))
        pattern = pattern.astype(np.int64)
        first = _first_rows(pattern)
        rep = data[cols].iloc[idx[first]]
    else:  # codings fitted on the domain's rows (R fits poly()/scale() on the model frame)
        dom = np.flatnonzero(design.in_domain)
        rep_all = data[cols].iloc[dom]
        pattern = np.arange(idx.size, dtype=np.int64)
        first = np.searchsorted(dom, idx)
        rep = rep_all
    try:
        frame = model_frame(
            f,
            rep,
            resolve=sf.resolve,
            missing=missing,
            drop_unused=True,
            max_columns=max_columns,
            max_order=max_order,
        )
    except ModelError as exc:
        raise ModelError(
            f"no respondent in the domain has valid values of every variable in {f.text!r} ({exc}); check the subset"
        ) from None
    if compress:
        ok_pat = frame.complete
        X, y = frame.X[ok_pat], (None if frame.y is None else frame.y[ok_pat])
        rep_ok = rep.iloc[np.flatnonzero(ok_pat)]
    else:
        ok_rows = frame.complete[first] if first.size else np.zeros(0, dtype=bool)
        # R drops unused levels over the complete rows of the whole domain (weight 0 included)
        ok_pat = ok_rows
        sel = first[ok_rows]
        X, y = frame.X[sel], (None if frame.y is None else frame.y[sel])
        rep_ok = rep_all.iloc[sel]
    if not ok_pat.any():
        raise ModelError(
            f"no respondent in the domain has valid values of every variable in {f.text!r}; "
            "check the variables' missing values and the subset"
        )
    remap = np.full(ok_pat.shape[0], -1, dtype=np.int64)
    remap[ok_pat] = np.arange(int(ok_pat.sum()))
    row_pat = remap[pattern]
    keep = row_pat >= 0
    m = int(ok_pat.sum())
    rows = np.full(w_all.shape[0], -1, dtype=np.int64)
    rows[idx[keep]] = row_pat[keep]
    w = np.bincount(row_pat[keep], weights=w_all[idx[keep]], minlength=m)
    count = np.bincount(row_pat[keep], minlength=m).astype(float)
    return ModelData(f, frame, X, y, w, count, rows, rep_ok.reset_index(drop=True), columns)


def replicate_pattern_weights(design: Design, md: ModelData) -> np.ndarray:
    """Replicate weights summed per pattern.

    Parameters
    ----------
    design : Design
        A replicate-weight design.
    md : ModelData
        The model's patterns.

    Returns
    -------
    ndarray (m, R)

    Raises
    ------
    ModelError
        The design has no replicate weights.
    """
    if design.repweights is None:
        raise ModelError("the design has no replicate weights")
    return _pattern_sums(md.rows, md.X.shape[0], design.repweights)


def _pattern_sums(rows: np.ndarray, m: int, W: np.ndarray) -> np.ndarray:
    """Columns of ``W`` (n, R) summed over the rows of each of ``m`` patterns: (m, R)."""
    from scipy import sparse

    ok = rows >= 0
    n = rows.shape[0]
    agg = sparse.csr_matrix((np.ones(int(ok.sum())), (rows[ok], np.flatnonzero(ok))), shape=(m, n))
    return np.asarray(agg @ W)


@dataclass(frozen=True, eq=False)
class PatternStatistic:
    """Model statistics whose influence value for row ``i`` is ``w_i H[rows_i]``.

    A :class:`~pewlike.variance.strategy.Statistic` for the design's variance method:
    linearization takes the influence values, replicate designs call ``refit`` with the
    replicate weights summed per pattern (m, R) to get the statistic in every replicate.

    Parameters
    ----------
    design : Design
    rows : ndarray (n_total,)
        Pattern of each row, -1 for rows not in the model (influence 0).
    H : ndarray (m, k)
        Influence per unit weight of each pattern.
    estimate : ndarray (k,)
        Full-sample estimates.
    refit : callable, optional
        ``refit(Wr) -> (R, k)``: the statistic recomputed with each column of ``Wr``.

    Notes
    -----
    As R's ``svyrecvar(estfun %*% Ainv, design$cluster, design$strata, design$fpc,
    postStrata = design$postStrata)`` after svyglm/svyolr drop the rows that are not in the
    model: uncalibrated designs are then R's row subset (units outside keep their zero
    totals, strata without a model row are left out, which matters only for lonely-PSU
    rules, see :attr:`subset_units`); calibrated designs keep the rows with weight zero and
    apply the calibration residuals to the row-level values first.  Replicate designs
    refit (R's ``svrepglm``, ``svyolr.svyrep.design``).
    """

    design: Design
    rows: np.ndarray
    H: np.ndarray
    estimate: np.ndarray
    refit: Callable[[np.ndarray], np.ndarray] | None = None
    column_domains: None = None

    @cached_property
    def _H(self) -> np.ndarray:
        H = np.asarray(self.H, dtype=float)
        return H[:, None] if H.ndim == 1 else H

    @cached_property
    def subset_units(self) -> np.ndarray:
        """Sampling units with a row in the model."""
        unit, first = self.design.units
        return np.bincount(unit[self.rows >= 0], minlength=first.shape[0]) > 0

    def unit_influence(self) -> np.ndarray:
        """Influence totals per last-stage sampling unit.

        Returns
        -------
        ndarray (units, k)
        """
        from scipy import sparse

        H, rows, w = self._H, self.rows, self.design.weights
        ok = rows >= 0
        unit, first = self.design.units
        nunit, m, n = first.shape[0], H.shape[0], rows.shape[0]
        if nunit * m <= 4 * n:  # few units x patterns: a dense table of weight sums
            table = np.bincount(unit[ok] * m + rows[ok], weights=w[ok], minlength=nunit * m)
            return table.reshape(nunit, m) @ H
        return np.asarray(sparse.coo_matrix((w[ok], (unit[ok], rows[ok])), shape=(nunit, m)).tocsr() @ H)

    def row_influence(self) -> np.ndarray:
        """Influence values of every row (zero for rows not in the model).

        Returns
        -------
        ndarray (n, k)
        """
        H, rows, w = self._H, self.rows, self.design.weights
        ok = rows >= 0
        x = np.zeros((rows.shape[0], H.shape[1]))
        x[ok] = w[ok, None] * H[rows[ok]]
        return x

    def replicates(self, method: ReplicateVariance) -> np.ndarray:
        """The statistic refitted with every replicate's weights summed per pattern.

        Parameters
        ----------
        method : ReplicateVariance
            The replicate weights.

        Returns
        -------
        ndarray (R, k)

        Raises
        ------
        ModelError
            No ``refit`` was given.
        """
        if self.refit is None:
            raise ModelError("this model statistic cannot be recomputed with replicate weights")
        return self.refit(_pattern_sums(self.rows, self._H.shape[0], method.repweights))


def residual_degf(design: Design, md: ModelData) -> int:
    """Design degrees of freedom of the model's design, as R's svyglm/svyolr compute them.

    Linearisation: ``degf()`` of the design after the rows missing a model variable are
    dropped; replicate designs: ``degf()`` of the (subset) design before dropping them
    (R's ``svrepglm``/``svyolr`` call ``degf(design)`` on the design they were given).
    The design's variance method says which (``model_degf_rows``).

    Parameters
    ----------
    design : Design
        The survey's design.
    md : ModelData
        The model's patterns (``rows`` marks the rows in the model).

    Returns
    -------
    int
    """
    from pewlike.estimation import engine

    code = np.where(design.variance.model_degf_rows(design.in_domain, md.rows >= 0), 0, -1)
    return int(engine.domain_degf(design, code, 1)[0])


def term_of_column(md: ModelData, j: int) -> tuple[str, Any]:
    """(term label, level text) of model-matrix column ``j`` for messages.

    Parameters
    ----------
    md : ModelData
        The model's data.
    j : int
        A column of the model matrix.

    Returns
    -------
    (str, str or None)
        The term (``"(Intercept)"`` for the intercept) and the level the column codes
        (None for numeric terms and interactions).
    """
    term = md.frame.terms[int(md.frame.assign[j]) - 1] if md.frame.assign[j] > 0 else "(Intercept)"
    name = md.frame.columns[j]
    level = name[len(term) :] if name.startswith(term) and ":" not in term else None
    return term, level
