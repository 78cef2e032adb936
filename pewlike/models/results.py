"""The result of a design-based model: coefficients, covariance, tests, predictions.

``to_frame()`` columns are the contract: ``term, estimate, std_error, statistic, p_value,
ci_lower, ci_upper``.  :class:`ModelResult` derives from :class:`pewlike.resultbase.Result`
and uses its vocabulary (``params``, ``std_errors``, ``cov``, ``statistics``, ``pvalues``,
``conf_int``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import ModelError, VariableError
from pewlike.resultbase import Result, frame_text, t_quantile

if TYPE_CHECKING:  # pragma: no cover
    import os
    from pathlib import Path

    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.estimation.results import TestResult
    from pewlike.models.data import ModelData
    from pewlike.models.margins import MarginalEffects
    from pewlike.models.terms import TermLabel

__all__ = ["MODEL_COLUMNS", "ModelResult"]

MODEL_COLUMNS = ("term", "estimate", "std_error", "statistic", "p_value", "ci_lower", "ci_upper")


def _t_quantile(level: float, df: float) -> float:
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise ModelError(f"level={level!r} is not valid; give a confidence level between 0 and 1, e.g. 0.95")
    return t_quantile(level, df)


@dataclass(frozen=True, eq=False, repr=False)
class ModelResult(Result):
    """A fitted design-based model (``svy.glm``, ``svy.logit``, ``svy.ologit``).

    Attributes
    ----------
    kind : {"glm", "ologit"}
    family, link : str
    formula : str
    names : tuple of str
        Coefficient names in R's order (for ologit: slopes, then cut points).
    coef : ndarray
        The coefficients in :attr:`names` order (the array behind :attr:`params`).
    vcov : ndarray
        Design-based covariance (the array behind :attr:`cov`).
    df_resid : float
        Residual degrees of freedom used for t statistics (R's ``df.residual``).
    n_obs : int
        Respondents in the model.
    response, question, design : str
        Outcome label, its question wording and a one-line design description.
    params, std_errors, statistics, pvalues : pandas.Series
        Labelled by :attr:`names`.
    cov : pandas.DataFrame
        Labelled by :attr:`names` on both axes.

    Methods
    -------
    conf_int(level=0.95)
        ``ci_lower, ci_upper`` (t on :attr:`df_resid`).

    Notes
    -----
    The names of :mod:`pewlike.resultbase` are canonical; these older names stay as read-only
    aliases of them, for existing code:

    coef : ndarray
        ``params.to_numpy()`` (the stored field).
    vcov : ndarray
        ``cov.to_numpy()`` (the stored field).
    tvalues : pandas.Series
        :attr:`statistics`.

    The attributes after ``design`` are the fit's internals (model data, influence
    values, replicate estimates, the survey) used by :meth:`predict`,
    :meth:`marginal_effects` and :meth:`regterm`.
    """

    kind: str
    family: str
    link: str
    formula: str
    names: tuple[str, ...]
    coef: np.ndarray
    vcov: np.ndarray
    df_resid: float
    n_obs: int
    response: str
    question: str | None
    design: str
    data: ModelData
    survey: SurveyFrame
    influence: np.ndarray | None = None
    replicates: np.ndarray | None = None
    iterations: int = 0
    levels: tuple[str, ...] = ()
    n_slopes: int = 0
    slope_columns: tuple[int, ...] = ()

    # -- coefficients ----------------------------------------------------------------
    @property
    def params(self) -> pd.Series:
        """Coefficients (R's order and names)."""
        import pandas as pd

        return pd.Series(self.coef, index=list(self.names), name="estimate")

    @property
    def cov(self) -> pd.DataFrame:
        """Design-based covariance matrix of the coefficients."""
        import pandas as pd

        return pd.DataFrame(self.vcov, index=list(self.names), columns=list(self.names))

    @property
    def std_errors(self) -> pd.Series:
        """Design-based standard errors."""
        import pandas as pd

        return pd.Series(np.sqrt(np.diag(self.vcov)), index=list(self.names), name="std_error")

    @property
    def statistics(self) -> pd.Series:
        """t statistics ``estimate / std_error``."""
        return (self.params / self.std_errors).rename("statistic")

    @property
    def tvalues(self) -> pd.Series:
        """Alias of :attr:`statistics`."""
        return self.statistics

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values from t with :attr:`df_resid` degrees of freedom (NaN when df <= 0)."""
        import pandas as pd

        from pewlike.distributions import t_sf

        t = self.statistics.to_numpy()
        if self.df_resid > 0:
            p = 2 * t_sf(np.abs(t), self.df_resid)
        else:
            p = np.full(t.shape, np.nan)
        return pd.Series(p, index=list(self.names), name="p_value")

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Wald confidence intervals with t quantiles on :attr:`df_resid`.

        Parameters
        ----------
        level : float
            Confidence level.

        Returns
        -------
        pandas.DataFrame
            ``ci_lower, ci_upper``, labelled by :attr:`names`.

        Raises
        ------
        ModelError
            ``level`` is not between 0 and 1.

        Notes
        -----
        Equivalent to R ``confint(svyglm(...), df = df.residual)``.
        """
        import pandas as pd

        q = _t_quantile(level, self.df_resid)
        se = self.std_errors.to_numpy()
        return pd.DataFrame({"ci_lower": self.coef - q * se, "ci_upper": self.coef + q * se}, index=list(self.names))

    def odds_ratios(self, level: float = 0.95) -> pd.DataFrame:
        """``exp`` of the coefficients and of their confidence limits (logit links only).

        For ``ologit`` only the slopes are returned: ``exp(beta)`` is the odds ratio of
        answering a *later* level (R's sign convention ``zeta_k - x'beta``).

        Parameters
        ----------
        level : float
            Confidence level.

        Returns
        -------
        pandas.DataFrame
            ``term, odds_ratio, ci_lower, ci_upper`` (no intercept, no cut points).

        Raises
        ------
        ModelError
            The model's link is not logit.

        Notes
        -----
        Equivalent to R ``exp(cbind(coef(fit), confint(fit)))``.
        """
        import pandas as pd

        if self.link != "logit":
            raise ModelError(f"odds ratios need a logit link; this model uses {self.link!r}")
        ci = self.conf_int(level)
        out = pd.DataFrame(
            {
                "term": list(self.names),
                "odds_ratio": np.exp(self.coef),
                "ci_lower": np.exp(ci["ci_lower"].to_numpy()),
                "ci_upper": np.exp(ci["ci_upper"].to_numpy()),
            }
        )
        if self.kind == "ologit":
            out = out.iloc[: self.n_slopes]
        elif "(Intercept)" in self.names:
            out = out[out["term"] != "(Intercept)"]
        return out.reset_index(drop=True)

    def to_frame(self, level: float = 0.95) -> pd.DataFrame:
        """The coefficient table.

        Parameters
        ----------
        level : float
            Confidence level of ``ci_lower``/``ci_upper``.

        Returns
        -------
        pandas.DataFrame
            ``term, estimate, std_error, statistic, p_value, ci_lower, ci_upper``.
        """
        import pandas as pd

        ci = self.conf_int(level)
        return pd.DataFrame(
            {
                "term": list(self.names),
                "estimate": self.coef,
                "std_error": self.std_errors.to_numpy(),
                "statistic": self.statistics.to_numpy(),
                "p_value": self.pvalues.to_numpy(),
                "ci_lower": ci["ci_lower"].to_numpy(),
                "ci_upper": ci["ci_upper"].to_numpy(),
            }
        )

    # -- presentation ----------------------------------------------------------------
    def _title(self) -> str:
        if self.kind == "ologit":
            return f"Proportional-odds model ({self.link}) of {self.response}"
        if self.family == "binomial" and self.link == "logit":
            return f"Logistic regression of {self.response}"
        return f"GLM ({self.family}, {self.link} link) of {self.response}"

    def readable_terms(self) -> dict[str, TermLabel]:
        """Readable coefficient names: ``F_AGECAT30-49`` -> "Age: 30-49 (vs. 18-29)".

        Returns
        -------
        dict of str to TermLabel
            By raw term (as in ``to_frame()["term"]``); variables are named by their
            short name (:meth:`pewlike.Survey.relabel`), else their wording.

        Examples
        --------
        >>> import pewlike as pw
        >>> fit = pw.demo().relabel("F_AGECAT", name="Age").logit("CONCERNCO in ['Very concerned'] ~ F_AGECAT")
        >>> fit.readable_terms()["F_AGECAT30-49"].text()
        'Age: 30-49 (vs. 18-29)'
        """
        from pewlike.models.terms import readable_terms

        return readable_terms(self.survey, self.data, list(self.names))

    def display_title(self, *, odds: bool = False) -> str:
        """A title from the outcome's wording (not the formula): tables and figures use it.

        Returns
        -------
        str
            The outcome's wording without its "QNAME." prefix, and for a binary outcome
            from a question the answers counted (``(outcome: 'Very concerned')``).
        """
        from pewlike.models.terms import model_title

        resp = self.data.formula.response
        outcome = tuple(str(v) for v in resp.values) if resp is not None and resp.op in ("in", "==") else ()
        return model_title(self.question, self.response, outcome, kind="odds" if odds else "plain")

    def summary(self) -> str:
        """Readable report: the model, the design, the coefficient table (raw and readable terms).

        Returns
        -------
        str
        """
        lines = [self._title()]
        if self.question and self.question != self.response:
            lines.append(f"  {self.question}")
        lines.append(f"  formula: {self.formula}")
        lines.append(f"  design: {self.design}; n = {self.n_obs:,}; residual df = {self.df_resid:g}")
        se_kind = "replicate weights" if self.replicates is not None else "linearization"
        lines.append(f"  standard errors: design-based ({se_kind}); t tests on the residual df")
        frame = self.to_frame()
        labels = self.readable_terms()
        frame.insert(1, "label", [labels[str(t)].text() for t in frame["term"]])
        lines.append(frame_text(frame))
        if self.kind == "ologit":
            lines.append(
                "  logit P(Y <= k) = cut_k - x'beta: positive slopes favour later levels"
                if self.link == "logit"
                else "  probit P(Y <= k) = cut_k - x'beta"
            )
        return "\n".join(lines)

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [(f"{self._title()}: {self.formula}", self.to_frame())]

    def _repr_html_(self) -> str:
        """Notebook view: the coefficient table, rounded, with the model's notes (N, df, formula), escaped.

        Returns
        -------
        str
        """
        from pewlike.models.present import model_html

        return model_html(self)

    def to_excel(self, path: str | os.PathLike[str]) -> Path:
        """Write ``to_frame()`` to an ``.xlsx`` workbook, numbers as numbers, with the model's notes.

        Parameters
        ----------
        path : str or path-like
            Ends in ``.xlsx``.

        Returns
        -------
        pathlib.Path

        Notes
        -----
        As ``openxlsx::write.xlsx(broom::tidy(svyglm(...)))`` in R.
        """
        from pewlike.models.present import write_model

        return write_model(self, path)

    # -- tests -----------------------------------------------------------------------
    def regterm(self, terms: str | Sequence[str], *, df: float | None = None) -> TestResult:
        """Wald test that every coefficient of one or more terms is zero.

        Parameters
        ----------
        terms : str or list of str
            Term labels as in the formula (``"F_EDUCCAT"``, ``"F_AGECAT:F_SEX"``), or a
            one-sided formula ``"~ F_EDUCCAT + F_SEX"``.
        df : float, optional
            Denominator df (default: the model's residual df; ``inf`` gives a chi-squared test).

        Returns
        -------
        TestResult
            F statistic ``chisq / k`` with ``(k, df)`` degrees of freedom.

        Notes
        -----
        Equivalent to R ``regTermTest(model, ~ term)`` (``method = "Wald"``).
        """
        from pewlike.distributions import chi2_sf, f_sf
        from pewlike.estimation.results import TestResult

        wanted = _term_list(terms)
        md = self.data
        labels = list(md.frame.terms)
        canon = {_canonical(t): i for i, t in enumerate(labels, start=1)}
        assign = np.asarray(md.frame.assign)
        if self.kind == "ologit":
            assign = assign[list(self.slope_columns)]
        idx = []
        for t in wanted:
            key = _canonical(t)
            if key not in canon:
                raise VariableError(
                    f"term {t!r} is not in the model; its terms are " + ", ".join(repr(x) for x in labels)
                )
            idx.extend(np.flatnonzero(assign == canon[key]).tolist())
        idx = sorted(set(idx))
        beta = self.coef[idx]
        V = self.vcov[np.ix_(idx, idx)]
        chisq = float(beta @ np.linalg.solve(V, beta))
        k = len(idx)
        ddf = self.df_resid if df is None else float(df)
        dfs: float | tuple[float, float]
        if np.isfinite(ddf):
            stat, p, dfs = chisq / k, float(f_sf(chisq / k, k, ddf)), (float(k), float(ddf))
            method = "Wald test (F)"
        else:
            stat, p, dfs = chisq, float(chi2_sf(chisq, k)), float(k)
            method = "Wald test (chi-squared)"
        return TestResult(stat, dfs, p, method, tuple(wanted), extra={"chisq": chisq, "formula": self.formula})

    # -- predictions -----------------------------------------------------------------
    def predict(
        self, newdata: pd.DataFrame | Mapping[str, Any] | None = None, *, type: str = "response", se: bool = True
    ) -> pd.DataFrame:
        """Predictions for new data (default: the model's respondents).

        Parameters
        ----------
        newdata : DataFrame or mapping of columns, optional
            Columns by data name (``F_AGECAT``) or formula name; categorical values as labels.
        type : {"response", "link"} for glm; {"probs", "link", "class"} for ologit
            The scale of the predictions.
        se : bool
            Add the delta-method ``std_error`` (glm).

        Returns
        -------
        pandas.DataFrame
            glm: ``estimate, std_error`` (delta method with the design covariance, R's
            ``predict.svyglm``); ologit ``"probs"``: one column per outcome level.
        """
        from pewlike.models.margins import predict

        return predict(self, newdata, type=type, se=se)

    def marginal_effects(self, var: str, *, se: str = "unconditional", level: float = 0.95) -> MarginalEffects:
        """Predicted outcomes at each level of ``var`` averaged over the sample, and average marginal effects.

        Parameters
        ----------
        var : str
            A predictor of the model.
        se : {"unconditional", "svypredmeans", "delta"}
            What the standard errors account for.
        level : float
            Confidence level.

        Returns
        -------
        MarginalEffects

        Notes
        -----
        ``se="svypredmeans"`` is R survey's ``svypredmeans``; see
        :func:`pewlike.models.margins.marginal_effects`.
        """
        from pewlike.models.margins import marginal_effects

        return marginal_effects(self, var, se=se, level=level)


def _canonical(term: str) -> str:
    return ":".join(sorted(p.strip() for p in term.split(":")))


def _term_list(terms) -> list[str]:
    if isinstance(terms, str):
        text = terms.strip()
        if text.startswith("~"):
            from pewlike.formula import parse_rhs

            return parse_rhs(text).term_labels
        return [text]
    return [str(t) for t in terms]
