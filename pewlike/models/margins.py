"""Predictions, averaged predictions by level, and average marginal effects of a fitted model.

Averaged predictions ("predictive margins") set every respondent's value of one
predictor to a level, predict, and average with the survey weights over the respondents
in the model.  Their design-based uncertainty has two sources: the coefficients, and the
sample of respondents the predictions are averaged over.  Three choices (``se=``):

``"unconditional"`` (default)
    Full linearisation: row influence ``w_i (f_i - mean) / sum(w) + h_i' g`` where ``h_i``
    is the row's influence on the coefficients and ``g`` the gradient of the average,
    passed to the design variance (Stata's ``margins, vce(unconditional)`` after ``svy``).
    Replicate designs: the average recomputed from every replicate's refit and weights.
``"svypredmeans"``
    R ``svypredmeans``: ``g' V g`` plus the design variance of the average with the
    predictions held fixed (the covariance between the two parts is left out).
``"delta"``
    ``g' V g`` only: the respondents are held fixed (``marginaleffects::avg_predictions``).

Contrasts of each level against the first (the average marginal effect of a categorical
predictor) and average slopes of numeric predictors (central differences) get their
variance from the same influence values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import ModelError, VariableError
from pewlike.resultbase import RowEstimates, frame_text, t_quantile

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.models.results import ModelResult

__all__ = ["MarginalEffects", "marginal_effects", "predict"]

SE_METHODS = ("unconditional", "svypredmeans", "delta")


def _glm_family(res: ModelResult):
    from pewlike.models.irls import family

    return family(res.family, res.link)


def predict(
    res: ModelResult,
    newdata: pd.DataFrame | Mapping[str, Any] | None = None,
    *,
    type: str = "response",
    se: bool = True,
) -> pd.DataFrame:
    """Predictions of a fitted model for ``newdata`` (see :meth:`ModelResult.predict`).

    Parameters
    ----------
    res : ModelResult
        The fitted model.
    newdata : DataFrame or mapping of columns, optional
        Columns by data name or formula name (default: the model's respondents).
    type : str
        glm: ``"response"`` or ``"link"``; ologit: ``"probs"``, ``"link"`` or ``"class"``.
    se : bool
        Add the delta-method ``std_error`` (glm).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``newdata``.

    Raises
    ------
    ModelError
        A ``type`` the model does not have.

    Notes
    -----
    glm: R ``predict.svyglm(type = "response" / "link")`` with the delta-method SE
    ``|d mu / d eta| sqrt(x' V x)``.  ologit: category probabilities
    ``F(zeta_k - x'beta) - F(zeta_{k-1} - x'beta)`` (no R counterpart in survey 4.1).
    """
    import pandas as pd

    from pewlike.formula import design_matrix

    md = res.data
    if newdata is None:
        sf = res.survey
        newdata = sf.data.loc[md.used]
    frame = newdata if isinstance(newdata, pd.DataFrame) else pd.DataFrame(newdata)
    X = design_matrix(md.frame, frame)
    if res.kind == "ologit":
        from pewlike.models.ordinal import category_probs

        p = res.n_slopes
        Xs = X[:, list(res.slope_columns)]
        eta = Xs @ res.coef[:p]
        if type == "link":
            return pd.DataFrame({"estimate": eta}, index=frame.index)
        probs = category_probs(np.nan_to_num(eta), res.coef[p:], res.link)
        probs[np.isnan(eta)] = np.nan
        if type == "probs":
            return pd.DataFrame(probs, index=frame.index, columns=list(res.levels))
        if type == "class":
            best = np.argmax(np.nan_to_num(probs, nan=-1), axis=1)
            labels = np.asarray(res.levels, dtype=object)[best]
            labels[np.isnan(eta)] = None
            return pd.DataFrame({"prediction": labels}, index=frame.index)
        raise ModelError(f"type={type!r} is not valid for ologit; choose 'probs', 'link' or 'class'")
    if type not in ("response", "link"):
        raise ModelError(f"type={type!r} is not valid for a glm; choose 'response' or 'link'")
    fam = _glm_family(res)
    eta = X @ res.coef
    out = {"estimate": eta if type == "link" else fam.linkinv(eta)}
    if se:
        vv = np.einsum("ij,jk,ik->i", X, res.vcov, X)
        scale = 1.0 if type == "link" else np.abs(fam.mu_eta(eta))
        out["std_error"] = scale * np.sqrt(vv)
    return pd.DataFrame(out, index=frame.index)


# ---------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class MarginalEffects(RowEstimates):
    """Averaged predictions by level, contrasts (average marginal effects) and average slopes.

    ``to_frame()`` columns: ``variable, level, outcome, type, estimate, std_error,
    statistic, p_value, ci_lower, ci_upper``; ``type`` is ``"prediction"`` (the average
    prediction with everyone at ``level``), ``"contrast"`` (its difference from the first
    level: the average marginal effect) or ``"slope"`` (the average derivative of a
    numeric predictor).

    Attributes
    ----------
    variable : str
        The predictor.
    frame : pandas.DataFrame
        The rows; read them with :meth:`to_frame`.
    vcov : ndarray
        Covariance of the rows (the array behind :attr:`cov`).
    se_method : str
        ``"unconditional"``, ``"svypredmeans"`` or ``"delta"``.
    formula : str
        The model's formula.
    df : float
        Degrees of freedom of the t statistics and intervals (the model's residual df).
    extra : dict
        Further details (the data column of ``variable``).
    level : float
        Confidence level of the stored intervals.
    estimates, std_errors, statistics, pvalues : pandas.Series
        Labelled by ``type, level`` (and ``outcome`` for ordinal models).
    cov : pandas.DataFrame
        :attr:`vcov`, labelled.

    Methods
    -------
    conf_int(level=None)
        ``ci_lower, ci_upper`` (t on :attr:`df`); the stored intervals by default.
    """

    variable: str
    frame: pd.DataFrame
    vcov: np.ndarray
    se_method: str
    formula: str
    df: float
    extra: dict[str, Any] = field(default_factory=dict)
    level: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        """The rows (see the class docstring).

        Returns
        -------
        pandas.DataFrame
            ``variable, level, outcome, type, estimate, std_error, statistic, p_value,
            ci_lower, ci_upper``.
        """
        return self.frame.copy()

    def _label_columns(self) -> Sequence[str]:
        return ("type", "level", "outcome")

    @property
    def statistics(self) -> pd.Series:
        """t statistics ``estimate / std_error``, labelled by row."""
        return self._column("statistic", "statistic")

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values on :attr:`df` degrees of freedom, labelled by row."""
        return self._column("p_value", "p_value")

    def _intervals(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """t intervals on :attr:`df` at another level than the stored one."""
        q = t_quantile(level, self.df)
        est, se = self.estimates.to_numpy(), self.std_errors.to_numpy()
        return est - q * se, est + q * se

    def summary(self) -> str:
        """Readable table with the model and the SE method.

        Returns
        -------
        str
        """
        return "\n".join(
            [
                f"Average predictions and marginal effects of {self.variable}",
                f"  model: {self.formula}",
                f"  standard errors: {self.se_method}",
                frame_text(self.frame),
            ]
        )

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [(f"Average marginal effects of {self.variable}: {self.formula}", self.frame)]


def _find_variable(res: ModelResult, var: str):
    md = res.data
    sf = res.survey
    wanted = sf.resolve(var) if not isinstance(var, str) or var not in md.columns else md.columns[var]
    response = md.formula.response  # a fitted model always has one
    resp = response.variable.name if response is not None else None
    for name, col in md.columns.items():
        if name == resp:
            continue
        if col == wanted or name == var:
            return name, col
    raise VariableError(
        f"{var!r} is not a predictor of this model; its predictors are "
        + ", ".join(repr(n) for n in md.columns if n != resp)
    )


def _predictions(res: ModelResult, X: np.ndarray, coef: np.ndarray):
    """Predictions (m, K) and their gradient (m, K, npar) at model matrix ``X`` (m, p)."""
    if res.kind == "ologit":
        from pewlike.models.ordinal import category_prob_derivs, category_probs

        p = res.n_slopes
        Xs = X[:, list(res.slope_columns)]
        eta = Xs @ coef[:p]
        P = category_probs(eta, coef[p:], res.link)
        d_eta, d_zeta = category_prob_derivs(eta, coef[p:], res.link)
        grad = np.concatenate([d_eta[:, :, None] * Xs[:, None, :], d_zeta], axis=2)
        return P, grad
    fam = _glm_family(res)
    eta = X @ coef
    return fam.linkinv(eta)[:, None], (fam.mu_eta(eta)[:, None] * X)[:, None, :]


def _replicate_average(res, X_flat, L, Wr):
    """Average predictions recomputed with each replicate's coefficients and weights: (R, L*K).

    ``X_flat`` stacks the model matrices of the L levels (level-major, m rows each).
    """
    m = Wr.shape[0]
    R = Wr.shape[1]
    total = Wr.sum(axis=0)
    if res.kind == "ologit":
        from pewlike.models.ordinal import category_probs

        p = res.n_slopes
        eta = X_flat[:, list(res.slope_columns)] @ res.replicates[:, :p].T  # (L*m, R)
        K = len(res.levels)
        out = np.empty((R, L, K))
        for r in range(R):  # replicates: each has its own cut points
            P = category_probs(eta[:, r], res.replicates[r, p:], res.link).reshape(L, m, K)
            out[r] = np.einsum("m,lmk->lk", Wr[:, r], P) / total[r]
        return out.reshape(R, L * K)
    fam = _glm_family(res)
    f = fam.linkinv(X_flat @ res.replicates.T).reshape(L, m, R)
    return np.einsum("mr,lmr->rl", Wr, f) / total[:, None]


def marginal_effects(
    res: ModelResult, var: str, *, se: str = "unconditional", level: float = 0.95, eps: float | None = None
) -> MarginalEffects:
    """Averaged predictions at each level of ``var`` and average marginal effects.

    Parameters
    ----------
    res : ModelResult
        The fitted model.
    var : str
        A predictor of the model: a categorical (predictions at each level, and contrasts
        against the first level) or a number (the average slope ``d prediction / d var``).
    se : {"unconditional", "svypredmeans", "delta"}
        What the standard errors account for (see the module docstring).
    level : float
        Confidence level; t quantiles with the model's residual df.
    eps : float, optional
        Step of the central difference for a numeric ``var`` (default 1e-4 x its range).

    Returns
    -------
    MarginalEffects

    Notes
    -----
    Averages are over the respondents in the model (R's ``svypredmeans`` averages over
    the respondents of the model *without* ``var``, which also includes those missing only
    ``var``).  ``se="svypredmeans"`` equals R's ``svypredmeans(update(model, . ~ . - var),
    ~var)`` when no respondent misses only ``var``; ``se="unconditional"`` is checked
    against the same influence functions computed in R (``scripts/make_model_reference.R``).
    For ologit the outcome's categories each get a row.
    """
    import pandas as pd

    from pewlike.distributions import t_ppf, t_sf
    from pewlike.formula import design_matrix
    from pewlike.models.data import PatternStatistic

    if se not in SE_METHODS:
        raise ModelError(f"se={se!r} is not valid; choose one of " + ", ".join(repr(s) for s in SE_METHODS))
    md = res.data
    name, col = _find_variable(res, var)
    rep = md.rep
    m = rep.shape[0]
    categorical = name in md.frame.levels
    if categorical:
        levels = list(md.frame.levels[name])
        values = [
            pd.Series(pd.Categorical([lv] * m, categories=rep[col].cat.categories), index=rep.index)
            if isinstance(rep[col].dtype, pd.CategoricalDtype)
            else pd.Series([lv] * m, index=rep.index)
            for lv in levels
        ]
    else:
        x = rep[col].to_numpy(dtype=float)
        span = float(np.nanmax(x) - np.nanmin(x)) if m else 0.0
        h = eps if eps is not None else 1e-4 * (span if span > 0 else 1.0)
        values = [pd.Series(x + h, index=rep.index), pd.Series(x - h, index=rep.index)]
        levels = ["+h", "-h"]
    big = pd.concat([rep.assign(**{col: v}) for v in values], ignore_index=True)
    X_flat = design_matrix(md.frame, big)  # the L levels stacked, m rows each
    W = md.w.sum()
    outcomes = list(res.levels) if res.kind == "ologit" else [res.response]
    K = len(outcomes)
    L = len(values)
    f, g = _predictions(res, X_flat, res.coef)  # all levels at once
    F = f.reshape(L, m, K).transpose(1, 0, 2).reshape(m, L * K)  # level-major, outcome-minor
    G = np.einsum("m,lmkp->lkp", md.w, g.reshape(L, m, K, -1)).reshape(L * K, -1) / W
    theta = md.w @ F / W
    if categorical:
        blocks = [np.eye(L * K)]  # the predictions, then each level's contrast with the first
        kinds = [("prediction", lv, out) for lv in levels for out in outcomes]
        for j in range(1, L):
            D = np.zeros((K, L * K))
            D[:, j * K : (j + 1) * K] = np.eye(K)
            D[:, :K] -= np.eye(K)
            blocks.append(D)
            kinds += [("contrast", levels[j], out) for out in outcomes]
        C = np.vstack(blocks)
    else:
        C = np.hstack([np.eye(K), -np.eye(K)]) / (2 * h)
        kinds = [("slope", None, out) for out in outcomes]
    est = C @ theta
    G_final = C @ G
    design = res.survey.design
    A = ((F - theta) / W) @ C.T  # averaging influence per unit weight
    if se == "delta":
        V = G_final @ res.vcov @ G_final.T
    elif se == "svypredmeans":
        # the average with the predictions held fixed (replicates: re-weighted, same coefficients)
        fixed = PatternStatistic(design, md.rows, A, est, lambda Wr: ((Wr.T @ F) / Wr.sum(axis=0)[:, None]) @ C.T)
        V = G_final @ res.vcov @ G_final.T + design.variance.covariance(fixed, design).vcov
    else:
        # replicates: every replicate's refit averaged with its weights
        full = PatternStatistic(
            design, md.rows, A + res.influence @ G_final.T, est, lambda Wr: _replicate_average(res, X_flat, L, Wr) @ C.T
        )
        V = design.variance.covariance(full, design).vcov
    sd = np.sqrt(np.clip(np.diag(V), 0, None))
    df = res.df_resid
    q = float(t_ppf(1 - (1 - level) / 2, df)) if df > 0 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        tstat = est / sd
    pval = 2 * t_sf(np.abs(tstat), df) if df > 0 else np.full(est.shape, np.nan)
    frame = pd.DataFrame(
        {
            "variable": name,
            "level": [k[1] for k in kinds],
            "outcome": [k[2] for k in kinds],
            "type": [k[0] for k in kinds],
            "estimate": est,
            "std_error": sd,
            "statistic": tstat,
            "p_value": pval,
            "ci_lower": est - q * sd,
            "ci_upper": est + q * sd,
        }
    )
    return MarginalEffects(name, frame, V, se, res.formula, df, {"column": col}, level=level)
