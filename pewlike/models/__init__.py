"""Design-based regression models: ``glm``, ``logit``, ``ologit`` and the ``scale`` index.

The fits are pseudo-maximum-likelihood with the survey weights; their covariance is the
design-based sandwich (linearisation through R's ``svyrecvar`` rules, calibration
included) or, for replicate designs, the spread of the replicate refits.  Numbers agree
with R ``survey`` 4.1 (``svyglm`` with quasi families, ``svyolr``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pewlike.errors import ModelError, PewlikeError, PewlikeWarning
from pewlike.formula.frame import MAX_COLUMNS, MAX_ORDER

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame
    from pewlike.models.results import ModelResult
    from pewlike.models.scales import ScaleResult

__all__ = ["glm", "logit", "ologit", "scale"]


def glm(
    sf: SurveyFrame,
    formula: str,
    *,
    family: Literal["gaussian", "binomial", "poisson"] = "gaussian",
    link: str | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
    max_columns: int = MAX_COLUMNS,
    max_order: int = MAX_ORDER,
) -> ModelResult:
    """Design-based generalised linear model.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    formula : str
        ``"outcome ~ predictors"`` (see :mod:`pewlike.formula`); a binary outcome from a
        categorical is written ``"CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ ..."``.
    family : {"gaussian", "binomial", "poisson"}
        Quasi-likelihood family (the dispersion is not used by the design-based variance).
        With ``"binomial"`` a two-level categorical outcome means "second level" (R's rule).
    link : str, optional
        Default: the canonical link; binomial also takes ``"probit"`` and ``"cloglog"``.
    max_iter, tol : optional
        IRLS limits (coefficients change by less than ``tol`` relative at convergence).
    max_columns : int, default 1000
        Most coefficients the model may have; a bigger model raises
        :class:`~pewlike.errors.FormulaError` before anything is built (an 8-way interaction
        of factors can need millions of columns).  Raise it for a model that really is that big.
    max_order : int, default 5
        Most variables in one interaction term.

    Returns
    -------
    ModelResult
        Coefficients in R's order, design-based covariance, t statistics with
        ``degf(design) + 1 - p`` residual degrees of freedom.

    Raises
    ------
    VariableError, FormulaError
        Unknown variable, formula syntax (with its position).
    ModelError
        Empty domain, outcome with one observed value, separation (the predictor level
        is named), aliased columns (named), no convergence (with a checklist).

    Notes
    -----
    Equivalent to R ``svyglm(formula, design, family = quasibinomial())`` (and
    ``gaussian()``, ``quasipoisson()``): the sandwich is ``svyrecvar(estfun %*% Ainv)`` with
    ``estfun = X w (y - mu) mu.eta / V(mu)`` and ``Ainv = (X' W X)^-1`` of the final IRLS
    weights; replicate designs refit with each replicate's weights (``svrepglm``) and
    use ``svrVar``.  Missing categories ("Refused") are dropped like ``NA``.

    Examples
    --------
    >>> import pewlike as pw
    >>> fit = pw.demo().logit("CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ F_AGECAT + F_SEX")
    >>> list(fit.params.index[:2])
    ['(Intercept)', 'F_AGECAT30-49']
    """
    from pewlike.models import irls as _glm
    from pewlike.models.data import PatternStatistic, prepare, residual_degf
    from pewlike.models.results import ModelResult

    fam = _glm.family(family, link)
    md = prepare(sf, formula, max_columns=max_columns, max_order=max_order)
    y = _glm_response(md, fam)
    X, w = md.X, md.w
    _check_aliased(md)
    if fam.name == "binomial":
        _check_separation_binary(md, y)
    beta, conv, it = _glm.irls(X, y, w, fam, tol=tol, max_iter=max_iter)
    beta = beta[0]
    eta = X @ beta
    mu = fam.linkinv(eta)
    if not conv[0]:
        _not_converged(md, fam, beta, mu, max_iter)
    me = fam.mu_eta(eta)
    var = fam.variance(mu)
    A = np.linalg.inv(_glm.gram(X, w * me * me / var)[0])
    H = (X * ((y - mu) * me / var)[:, None]) @ A
    design = sf.design
    failed: list[int] = []

    def refit(Wr: np.ndarray) -> np.ndarray:  # replicate designs: one IRLS fit per replicate
        reps, conv_r, _ = _glm.irls(X, y, Wr, fam, start=beta, tol=tol, max_iter=max_iter)
        failed.append(int((~conv_r).sum()))
        return reps

    cov = design.variance.covariance(PatternStatistic(design, md.rows, H, beta, refit), design)
    if failed and failed[0]:
        warnings.warn(f"{failed[0]} replicate fits did not converge", PewlikeWarning, stacklevel=3)
    V, reps = cov.vcov, cov.replicates
    df = residual_degf(design, md) + 1 - X.shape[1]
    return ModelResult(
        kind="glm",
        family=fam.name,
        link=fam.link,
        formula=md.formula.text,
        names=tuple(md.names),
        coef=beta,
        vcov=V,
        df_resid=float(df),
        n_obs=md.n_obs,
        response=md.frame.response or "",
        question=_question(sf, md),
        design=_design_line(sf),
        data=md,
        influence=H,
        replicates=reps,
        survey=sf,
        iterations=int(it),
    )


def logit(sf: SurveyFrame, formula: str, **options: Any) -> ModelResult:
    """Design-based logistic regression: :func:`glm` with ``family="binomial"``.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    formula : str
        ``"outcome ~ predictors"`` with a binary outcome (or ``"var in [...] ~ ..."``).
    **options
        ``link=`` (default ``"logit"``), ``max_iter=``, ``tol=``, ``max_columns=``,
        ``max_order=``: as :func:`glm`.

    Returns
    -------
    ModelResult

    Notes
    -----
    Equivalent to R ``svyglm(formula, design, family = quasibinomial())``.
    """
    options.setdefault("link", "logit")
    return glm(sf, formula, family="binomial", **options)


def ologit(
    sf: SurveyFrame,
    formula: str,
    *,
    link: Literal["logit", "probit"] = "logit",
    max_iter: int = 100,
    tol: float = 1e-10,
    hessian: Literal["analytic", "optim"] = "optim",
    max_columns: int = MAX_COLUMNS,
    max_order: int = MAX_ORDER,
) -> ModelResult:
    """Design-based proportional-odds (ordinal logistic or probit) model.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    formula : str
        ``"CONCERNCO ~ F_AGECAT + F_SEX"``: a categorical outcome with 3 or more ordered
        levels (missing categories such as "Refused" are dropped).
    link : {"logit", "probit"}
        Latent distribution: logistic or normal.
    max_iter, tol : optional
        Newton limits.
    hessian : {"optim", "analytic"}
        The Hessian in the sandwich.  ``"optim"`` (the default) reproduces R's
        finite-difference Hessian (``optim(hessian = TRUE)``, steps 1e-3) and so
        ``svyolr``'s standard errors digit for digit.  Its approximation error grows with a
        predictor's scale (about 20 % for ``api00``, in the hundreds, in R's ``apiclus1``;
        3e-8 on the demo survey): ``"analytic"`` gives the exact Hessian.
    max_columns, max_order : int
        Limits on the model's size, as :func:`glm`.

    Returns
    -------
    ModelResult
        Slopes, then the cut points named ``"Very concerned|Somewhat concerned"``...;
        ``logit P(Y <= k) = zeta_k - x'beta``, so a positive slope moves respondents
        towards the *later* levels.

    Raises
    ------
    ModelError
        Fewer than 3 outcome levels, an outcome level nobody chose, a predictor level
        whose respondents all give the first (or last) answer (separation), aliased
        columns, no convergence.

    Notes
    -----
    Equivalent to R ``svyolr(formula, design, method = "logistic")`` (``"probit"``):
    the same pseudo-likelihood and cut-point parameterisation; the covariance is
    ``svyrecvar(scores %*% solve(H))`` with the analytic Hessian (R differentiates its
    gradient numerically, so R's standard errors differ from these in the 6th digit);
    replicate designs refit each replicate (``svyolr.svyrep.design``).  Residual df:
    ``degf(design) - (number of slopes)``.
    """
    from pewlike.models import ordinal
    from pewlike.models.data import PatternStatistic, prepare, residual_degf
    from pewlike.models.results import ModelResult

    if link not in ordinal.LINKS:
        raise ModelError(
            f"link={link!r} is not valid for ologit; choose one of " + ", ".join(repr(x) for x in ordinal.LINKS)
        )
    md = prepare(sf, formula, max_columns=max_columns, max_order=max_order)
    resp = md.formula.response
    assert resp is not None and md.y is not None  # prepare() requires a response
    levels = md.frame.levels.get(resp.variable.name) if resp.op is None else None
    if levels is None:
        raise ModelError(
            f"ologit needs a categorical outcome; {resp.label!r} is not one (use svy.glm or "
            "svy.logit for numeric or binary outcomes)"
        )
    K = len(levels)
    y = md.y.astype(np.int64)
    seen = np.bincount(y, weights=md.count, minlength=K)
    if (seen > 0).sum() < 2:
        raise ModelError(
            f"outcome {resp.label} has one observed category "
            f"({levels[int(np.argmax(seen))]!r}); a model needs at least two"
        )
    if K < 3:
        raise ModelError(f"outcome {resp.label} has {K} levels; ologit needs 3 or more (use svy.logit)")
    if (seen == 0).any():
        empty = levels[int(np.flatnonzero(seen == 0)[0])]
        raise ModelError(
            f"outcome level {empty!r} of {resp.label} has no respondents; collapse it with a "
            "neighbouring level or drop it"
        )
    names = md.names
    if "(Intercept)" not in names:
        raise ModelError("ologit needs the formula's intercept (its cut points replace it); remove '-1' or '+0'")
    keep = [j for j, nm in enumerate(names) if nm != "(Intercept)"]
    X = md.X[:, keep]
    _check_aliased(md)
    _check_separation_ordinal(md, y, K, levels)
    theta, conv, it = ordinal.newton(X, y, K, md.w, link, tol=tol, max_iter=max_iter)
    theta = theta[0]
    p = X.shape[1]
    if not conv[0]:
        raise ModelError(
            f"the ordinal model did not converge after {max_iter} iterations. Check: no predictor "
            "level whose respondents all give the same answer; collapse sparse levels; "
            "rescale numeric predictors; raise max_iter"
        )
    _g, Hs, _ = ordinal.gradient_hessian(X, y, K, md.w[:, None], theta[None, :p], theta[None, p:], link)
    S = ordinal.scores(X, y, K, theta[:p], theta[p:], link)
    if hessian == "analytic":
        bread = np.linalg.inv(-Hs[0])
    elif hessian == "optim":
        bread = ordinal.optim_covariance(X, y, K, md.w, theta, link)
    else:
        raise ModelError(f"hessian={hessian!r} is not valid; choose 'analytic' or 'optim'")
    H = S @ bread
    design = sf.design
    failed: list[int] = []

    def refit(Wr: np.ndarray) -> np.ndarray:  # replicate designs: one Newton fit per replicate
        reps, conv_r, _ = ordinal.newton(X, y, K, Wr, link, start=theta, tol=tol, max_iter=max_iter)
        failed.append(int((~conv_r).sum()))
        return reps

    cov = design.variance.covariance(PatternStatistic(design, md.rows, H, theta, refit), design)
    if failed and failed[0]:
        warnings.warn(f"{failed[0]} replicate fits did not converge", PewlikeWarning, stacklevel=3)
    V, reps = cov.vcov, cov.replicates
    df = residual_degf(design, md) - p
    cuts = tuple(f"{levels[k]}|{levels[k + 1]}" for k in range(K - 1))
    return ModelResult(
        kind="ologit",
        family="ordinal",
        link=link,
        formula=md.formula.text,
        names=tuple(names[j] for j in keep) + cuts,
        coef=theta,
        vcov=V,
        df_resid=float(df),
        n_obs=md.n_obs,
        response=md.frame.response or "",
        question=_question(sf, md),
        design=_design_line(sf),
        data=md,
        influence=H,
        replicates=reps,
        survey=sf,
        iterations=int(it),
        levels=tuple(levels),
        n_slopes=p,
        slope_columns=tuple(keep),
    )


def scale(sf: SurveyFrame, items: Sequence[str], **options: Any) -> ScaleResult:
    """Weighted summated index of Likert items with weighted Cronbach's alpha.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    items : sequence of str
        Two or more items.
    **options
        ``reverse=``, ``method=``, ``min_items=``, ``name=``: see
        :func:`pewlike.models.scales.scale`.

    Returns
    -------
    ScaleResult

    Notes
    -----
    Alpha as R survey's ``svycralpha``; see :func:`pewlike.models.scales.scale`.
    """
    from pewlike.models.scales import scale as _scale

    return _scale(sf, items, **options)


# ---------------------------------------------------------------------------------------
# checks and helpers
# ---------------------------------------------------------------------------------------
def _question(sf, md) -> str | None:
    resp = md.formula.response
    try:
        from pewlike.io.display import display_question

        return display_question(sf.codebook, md.columns[resp.variable.name])
    except (KeyError, PewlikeError):  # a column without codebook entry: no wording to show
        return None


def _design_line(sf) -> str:
    d = sf.design
    return d.variance.model_caption(d)


def _glm_response(md, fam) -> np.ndarray:
    resp = md.formula.response
    y = md.y
    levels = md.frame.levels.get(resp.variable.name) if resp.op is None else None
    if levels is not None:
        if fam.name != "binomial":
            raise ModelError(
                f"outcome {resp.label} is categorical; a {fam.name} model needs a number. Use "
                f"family='binomial' with \"{resp.label} in [...] ~ ...\", or svy.ologit"
            )
        if len(levels) != 2:
            raise ModelError(
                f"outcome {resp.label} has {len(levels)} levels; a binomial model needs two. "
                f"Write \"{resp.label} in ['{levels[0]}'] ~ ...\" or use svy.ologit"
            )
        y = (y > 0).astype(float)
    if fam.name == "binomial" and ((y < 0) | (y > 1)).any():
        raise ModelError(f"outcome {resp.label} has values outside 0..1; a binomial model needs 0/1 or proportions")
    if fam.name == "poisson" and (y < 0).any():
        raise ModelError(f"outcome {resp.label} has negative values; a poisson model needs counts >= 0")
    if fam.name == "binomial" and (np.all(y == y[0])):
        raise ModelError(
            f"outcome {resp.label} has one observed category (every respondent in the model "
            f"has {int(y[0])}); a model needs both outcomes"
        )
    return y


def _check_aliased(md) -> None:
    from pewlike.models.irls import aliased_columns, gram

    G = gram(md.X, md.w)[0]
    bad = aliased_columns(G)
    if bad:
        names = [md.names[j] for j in bad]
        shown = ", ".join(repr(n) for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise ModelError(
            f"the model matrix is rank deficient: column(s) {shown} "
            "are linear combinations of earlier columns (aliased); drop a term or collapse levels"
        )


def _indicator_columns(md) -> list[int]:
    X = md.X
    is01 = np.all((X == 0) | (X == 1), axis=0)
    return [j for j in range(X.shape[1]) if is01[j] and md.names[j] != "(Intercept)"]


def _separation_groups(md):
    """(description, mask over patterns) of each indicator column and main-effect reference level."""
    out = []
    X = md.X
    for j in _indicator_columns(md):
        out.append((_describe_column(md, j), X[:, j] == 1))
    if "(Intercept)" in md.names:
        assign = np.asarray(md.frame.assign)
        for t, label in enumerate(md.frame.terms, start=1):
            cols = np.flatnonzero(assign == t)
            var = label
            if ":" in label or var not in md.frame.reference or not cols.size:
                continue
            if not np.all((X[:, cols] == 0) | (X[:, cols] == 1)):
                continue
            out.append((f"{var} = {md.frame.reference[var]!r} (the reference level)", ~(X[:, cols] == 1).any(axis=1)))
    return out


def _describe_column(md, j) -> str:
    from pewlike.models.data import term_of_column

    term, level = term_of_column(md, j)
    if level is not None and term in md.frame.levels:
        return f"{term} = {level!r}"
    return f"column {md.names[j]!r}"


def _check_separation_binary(md, y) -> None:
    if not np.all((y == 0) | (y == 1)):
        return
    for what, mask in _separation_groups(md):
        n1 = md.count[mask].sum()
        s1 = (md.count * y)[mask].sum()
        if n1 > 0 and (s1 == 0 or s1 == n1):
            val = 1 if s1 else 0
            raise ModelError(
                f"quasi-complete separation: every respondent with {what} has "
                f"{md.formula.response.label} = {val}, so its coefficient is infinite; collapse "
                "that level with a neighbouring one or drop the predictor"
            )


def _check_separation_ordinal(md, y, K, levels) -> None:
    for what, mask in _separation_groups(md):
        if not mask.any():
            continue
        ys = y[mask]
        for k in (0, K - 1):
            if np.all(ys == k):
                raise ModelError(
                    f"quasi-complete separation: every respondent with {what} answered "
                    f"{levels[k]!r}, so its coefficient is infinite; collapse that level with a "
                    "neighbouring one or drop the predictor"
                )


def _not_converged(md, fam, beta, mu, max_iter) -> None:
    if fam.name == "binomial" and np.any((mu < 1e-10) | (mu > 1 - 1e-10)):
        j = int(np.argmax(np.abs(beta) * (np.asarray(md.names) != "(Intercept)")))
        raise ModelError(
            f"fitted probabilities reach 0 or 1 (perfect separation); the coefficient of "
            f"{md.names[j]!r} grows without bound. Collapse sparse levels or drop that predictor"
        )
    raise ModelError(
        f"the model did not converge after {max_iter} iterations. Check: no predictor level "
        "whose respondents all give the same answer (separation); collapse sparse levels; "
        "rescale numeric predictors; raise max_iter"
    )
