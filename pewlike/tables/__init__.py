"""Pew-style tables: toplines, crosstabs, model tables and the methods statement.

This module is the doorway :class:`~pewlike.survey.Survey` verbs call
(``svy.topline``, ``svy.crosstab``); toplines and crosstabs live in
:mod:`pewlike.tables.toplines` and :mod:`pewlike.tables.crosstabs`, files are written by
:mod:`pewlike.tables.export`.  The model table and the methods statement are
here: both only format what other results computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import EstimationError
from pewlike.resultbase import Result, frame_text
from pewlike.tables.export import TableDoc, fmt_int, fmt_points
from pewlike.tables.toplines import Topline, categorical_column, moe_points, topline

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.models.results import ModelResult
    from pewlike.survey import Survey
    from pewlike.tables.crosstabs import Crosstab, banner, crosstab

__all__ = [
    "Crosstab",
    "MethodsStatement",
    "Topline",
    "banner",
    "crosstab",
    "methods_statement",
    "model_table",
    "stars",
    "topline",
    "waves_table",
]


_LAZY = {"Crosstab", "banner", "crosstab"}


def __getattr__(name: str) -> Any:
    """The crosstab names, imported on first use (a topline does not load the crosstab module)."""
    if name in _LAZY:
        from pewlike.tables import crosstabs

        return getattr(crosstabs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------
# model tables
# ---------------------------------------------------------------------------
def stars(p: float | None) -> str:
    """``***`` p < .001, ``**`` p < .01, ``*`` p < .05, else empty.

    Parameters
    ----------
    p : float or None
        A p-value; None or NaN gives no stars.

    Returns
    -------
    str

    Notes
    -----
    R's significance codes of ``printCoefmat`` (``summary(svyglm(...))``), without
    its ``.`` for p < .1.

    Examples
    --------
    >>> [stars(p) for p in (0.0004, 0.004, 0.04, 0.4, float("nan"))]
    ['***', '**', '*', '', '']
    """
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _fmt_p(p: float) -> str:
    if not np.isfinite(p):
        return "-"
    return "<.001" if p < 0.001 else f"{p:.3f}".lstrip("0")


def model_table(
    model: ModelResult, *, name: str, title: str | None = None, odds: bool | None = None, level: float = 0.95
) -> TableDoc:
    """A model's odds ratios (or coefficients) with CIs, p-values, stars, N and design df.

    Parameters
    ----------
    model : ModelResult
        From ``svy.logit``, ``svy.ologit`` or ``svy.glm``; read through
        ``to_frame()`` (and ``odds_ratios()`` when ``odds``), never refitted.
    name : str
        File-safe table name.
    title : str, optional
        Default: the outcome's wording (not the formula) and the answers counted
        (:meth:`~pewlike.models.results.ModelResult.display_title`).
    odds : bool, optional
        Show odds ratios; default: for logit links.  Coefficients leave out the
        intercept of a GLM (an ordinal model's cut points stay).
    level : float
        Confidence level of the intervals.

    Returns
    -------
    TableDoc
        Columns ``Term`` (readable: "Age: 30-49 (vs. 18-29)", the variable's short
        name or wording and the reference category), ``Odds ratio`` (or ``Coefficient``) with stars,
        ``<level> CI`` and ``p``; notes give N, the design degrees of freedom,
        the star legend and the formula.

    Raises
    ------
    PewlikeError
        ``name`` is not file-safe.

    Notes
    -----
    The numbers are those of ``summary(svyglm(...))`` / ``svyolr`` in R, with
    ``exp(coef)`` and ``exp(confint)`` for odds ratios; p-values are the design-based
    t tests on ``df.residual`` degrees of freedom.

    Examples
    --------
    >>> import pewlike as pw
    >>> fit = pw.demo().logit("CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ F_SEX")
    >>> doc = model_table(fit, name="concern")
    >>> list(doc.frame.columns)
    ['Term', 'Odds ratio', '95% CI', 'p']
    """
    import pandas as pd

    frame = model.to_frame(level=level)
    link = getattr(model, "link", None)
    odds = (link == "logit") if odds is None else odds
    pval = dict(zip(frame["term"], frame["p_value"]))
    if odds:
        ors = model.odds_ratios(level)
        est, lo, hi, terms = ors["odds_ratio"], ors["ci_lower"], ors["ci_upper"], list(ors["term"])
        head = "Odds ratio"
    else:
        f = frame[frame["term"] != "(Intercept)"] if getattr(model, "kind", "") != "ologit" else frame
        est, lo, hi, terms = f["estimate"], f["ci_lower"], f["ci_upper"], list(f["term"])
        head = "Coefficient"
    pct = f"{level:.0%} CI"
    readable = model.readable_terms() if hasattr(model, "readable_terms") else {}
    rows = [
        [
            readable[t].text() if t in readable else t,
            f"{e:.2f}{stars(pval.get(t, np.nan))}",
            f"{a:.2f} - {b:.2f}",
            _fmt_p(pval.get(t, np.nan)),
        ]
        for t, e, a, b in zip(terms, est, lo, hi)
    ]
    out = pd.DataFrame(rows, columns=["Term", head, pct, "p"])
    n = getattr(model, "n_obs", None)
    df = getattr(model, "df_resid", None)
    notes = []
    if n is not None:
        notes.append(
            f"N = {fmt_int(n)} respondents; design degrees of freedom = {df:g}."
            if df is not None
            else f"N = {fmt_int(n)} respondents."
        )
    notes.append("*** p < .001, ** p < .01, * p < .05 (design-based t tests).")
    formula = getattr(model, "formula", None)
    if formula:
        notes.append(f"Model: {formula}")
    if getattr(model, "kind", "") == "ologit" and odds:
        notes.append("Odds ratios above 1 favour later (less concerned) answers; cut points not shown.")
    from pewlike.tables.sheets import model_sheet

    p_of = [pval.get(t, np.nan) for t in terms]
    shown = [readable[t].text() if t in readable else t for t in terms]
    sheet = model_sheet(shown, est, lo, hi, p_of, head=head, stars=[stars(p) for p in p_of])
    default = model.display_title(odds=bool(odds)) if hasattr(model, "display_title") else name
    return TableDoc(name, title or default, out, notes, sheet=sheet)


# ---------------------------------------------------------------------------
# methods statement
# ---------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class MethodsStatement(Result):
    """Sample sizes and margins of error for the full sample and each subgroup, as Pew's methodology.

    Attributes
    ----------
    frame : pandas.DataFrame
        ``group, level, n, deff, moe`` (``group`` is ``"Total sample"`` on the first row).
    level : float
        Confidence level of the margins of error.
    """

    frame: pd.DataFrame
    level: float = 0.95

    def to_frame(self) -> pd.DataFrame:
        """``group, level, n, deff, moe`` (MOE in percentage points).

        Returns
        -------
        pandas.DataFrame
            A copy; the first row is the total sample.
        """
        return self.frame.copy()

    def text(self) -> str:
        """``n = 4,272; margin of sampling error ±1.7 points, including the design effect of 1.31``.

        Returns
        -------
        str
            The sentence for the total sample (no final full stop).
        """
        r = self.frame.iloc[0]
        return (
            f"n = {fmt_int(r['n'])}; margin of sampling error ±{fmt_points(r['moe'])} points, "
            f"including the design effect of {r['deff']:.2f}"
        )

    def table(self, name: str = "methods") -> TableDoc:
        """Pew's table: group, unweighted sample size, plus or minus (points).

        Parameters
        ----------
        name : str
            File-safe table name.

        Returns
        -------
        TableDoc
            A heading row per group, then its levels indented; notes give the
            statement and how the margins were computed.

        Notes
        -----
        The layout of the "sample sizes and margins of error" table in Pew
        Research Center methodology statements.
        """
        import pandas as pd

        f = self.frame
        rows: list[list[str]] = []
        last = None
        for group, level, n, moe in zip(f["group"], f["level"], f["n"], f["moe"]):
            if group != last and group != "Total sample":
                rows.append([group, "", ""])
            last = group
            label = "Total sample" if group == "Total sample" else f"  {level}"
            rows.append([label, fmt_int(n), f"±{fmt_points(moe)} points"])
        doc = pd.DataFrame(rows, columns=["Group", "Unweighted sample size", "Plus or minus ..."])
        return TableDoc(
            name,
            "Sample sizes and margins of sampling error",
            doc,
            [f"{self.text()}.", _moe_note(self.level)],
        )

    def summary(self) -> str:
        """The statement and the table as text.

        Returns
        -------
        str
        """
        return "\n".join([self.text(), frame_text(self.frame)])

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [(self.text(), self.frame)]


def _moe_note(level: float) -> str:
    return (
        f"Margins of error at the {level:.0%} level include the design effect due to "
        "weighting (1 + CV² of the weights in each group)."
    )


def waves_table(statements: Sequence[tuple[str, MethodsStatement]], name: str = "methods") -> TableDoc:
    """Pew's table of sample sizes and margins of error for several waves, one block per wave.

    Parameters
    ----------
    statements : sequence of (str, MethodsStatement)
        Each wave's name and statement, in time order.
    name : str
        File-safe table name.

    Returns
    -------
    TableDoc
        For each wave a heading row, its total sample, then its groups (as
        :meth:`MethodsStatement.table`); notes give each wave's statement.

    Notes
    -----
    No R equivalent; a trend report's methodology gives each wave's sample.

    Examples
    --------
    >>> import pewlike as pw
    >>> doc = waves_table([("2019", methods_statement(pw.demo())), ("2023", methods_statement(pw.demo("2023")))])
    >>> list(doc.frame["Group"])
    ['2019', '  Total sample', '2023', '  Total sample']
    """
    import pandas as pd

    parts = []
    notes = []
    for wave, ms in statements:
        one = ms.table(name).frame
        indented = one.assign(Group="  " + one["Group"])
        parts += [pd.DataFrame([[wave, "", ""]], columns=one.columns), indented]
        notes.append(f"{wave}: {ms.text()}.")
    notes.append(_moe_note(statements[0][1].level))
    doc = pd.concat(parts, ignore_index=True)
    return TableDoc(name, "Sample sizes and margins of sampling error", doc, notes)


def methods_statement(survey: Survey | SurveyFrame, by: Sequence[str] = (), *, level: float = 0.95) -> MethodsStatement:
    """Unweighted n, design effect and margin of error of the sample and of each group of ``by``.

    Parameters
    ----------
    survey : Survey or SurveyFrame
        A survey in memory (a partitioned one must be collected first).
    by : sequence of str
        Categorical variables whose groups get their own margin, in order.
    level : float
        Confidence level of the margins.

    Returns
    -------
    MethodsStatement
        ``to_frame()``: ``group, level, n, deff, moe``; ``text()`` the sentence,
        ``table()`` Pew's table.

    Raises
    ------
    EstimationError
        The survey is partitioned, or has no respondents in its domain.
    VariableError
        A ``by`` variable is unknown or numeric.

    Notes
    -----
    Pew's methodology table; each margin is
    ``pewmethods::calculate_deff(w)$moe`` of the group's weights (Kish design
    effect ``1 + CV^2``, margin ``z * sqrt(deff * 0.25 / n)`` in points).  Empty
    groups are left out.

    Examples
    --------
    >>> import pewlike as pw
    >>> m = methods_statement(pw.demo(), ["F_SEX"])
    >>> m.text()
    'n = 4,272; margin of sampling error ±1.7 points, including the design effect of 1.31'
    >>> list(m.to_frame()["level"])
    ['', 'Male', 'Female']
    """
    import pandas as pd

    from pewlike.design.frame import frame_of
    from pewlike.estimation.estimators import factor_codes
    from pewlike.io.display import display_name

    sf = frame_of(survey)
    dom = sf.design.in_domain
    moe, deff = moe_points(sf, dom, level)
    rows = [
        {"group": "Total sample", "level": "", "n": int(sf.design.weighted_rows(dom).sum()), "deff": deff, "moe": moe}
    ]
    for var in by:
        col = categorical_column(sf, var, "methods_statement")
        _, idx, levels = factor_codes(sf, col)
        label = display_name(sf.codebook.variables[col])
        for k, lev in enumerate(levels):  # one margin per reported group
            mask = dom & (idx == k)
            n = int(sf.design.weighted_rows(mask).sum())
            if n:  # a group whose respondents all have weight zero is left out, as in the estimates
                m, d = moe_points(sf, mask, level)
                rows.append({"group": label, "level": lev, "n": n, "deff": d, "moe": m})
    if not rows[0]["n"]:
        raise EstimationError("the survey has no respondents in this domain")
    return MethodsStatement(pd.DataFrame(rows, columns=["group", "level", "n", "deff", "moe"]), level)
