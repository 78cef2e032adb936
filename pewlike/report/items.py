"""The blocks of each kind of report item: topline, crosstab, comparison, distribution, model, weighting, methods.

Each builder takes the report writer (:class:`pewlike.report.build._Writer`), the
survey and one spec item, computes the results through the public verbs
(``svy.topline``, ``svy.crosstab``, ``svy.logit`` ...) and returns the table
and figure blocks, whose files the writer has written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pewlike.errors import PewlikeError
from pewlike.report.battery_blocks import grid_blocks, select_all_blocks
from pewlike.report.chartfit import too_many_for_bars
from pewlike.report.html import Block, FailureBlock, PendingBlock
from pewlike.report.trend_items import trend_blocks

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.models.results import ModelResult
    from pewlike.report.build import _Writer
    from pewlike.report.schema import (
        CompareItem,
        CrosstabItem,
        DistributionItem,
        ModelItem,
        ToplineItem,
        WeightingSpec,
    )
    from pewlike.survey import Survey
    from pewlike.tables import MethodsStatement
    from pewlike.tables.export import TableDoc

#: What an item builder returns: tables, figures (drawn later) and failures, in report order.
Blocks = list[Block | PendingBlock]

__all__ = ["ITEM_BUILDERS", "design_note", "methods_blocks", "weighting_blocks"]


def _topline(w: _Writer, svy: Survey, item: ToplineItem) -> Blocks:
    t = w.topline(svy, item.var, item.base, item.nets)
    blocks: Blocks = [w.table(t.table(small=w.spec.defaults.small, name=item.name), [("", t.to_frame())])]
    if item.chart and (too_many := too_many_for_bars(w, item, t.to_frame(), "set chart = false")):
        blocks += too_many
    elif item.chart:
        blocks.append(
            w.figure(
                "likert",
                item.name,
                f"Stacked bar chart: {t.question}",
                t,
                source=w.source,
                synthetic=w.synthetic,
                small=w.spec.defaults.small,
            )
        )
    return blocks


def _crosstab(w: _Writer, svy: Survey, item: CrosstabItem) -> Blocks:
    from pewlike.tables import banner

    tabs = w.crosstabs(svy, item.var, item.by, item.base, item.nets, item.min_n, item.letters, item.adjust)
    doc = banner(tabs, small=w.spec.defaults.small, name=item.name, ci=item.ci)
    data = [(f"_by_{t.by}", t.to_frame()) for t in tabs]
    data += [(f"_by_{t.by}_tests", t.pairs) for t in tabs if t.pairs is not None]
    blocks: Blocks = [w.table(doc, data)]
    question = tabs[0].question
    dots = 'set chart = "dots" and level = "<one answer>" for a dot plot of that answer, or chart = "none"'
    if item.chart == "likert" and (too_many := too_many_for_bars(w, item, tabs[0].total.to_frame(), dots)):
        blocks += too_many
    elif item.chart == "likert":
        blocks.append(
            w.figure(
                "likert",
                item.name,
                f"Diverging bar chart by group: {question}",
                *tabs,
                source=w.source,
                synthetic=w.synthetic,
                small=w.spec.defaults.small,
            )
        )
    elif item.chart == "dots":
        _share(tabs[0].total.to_frame(), item.level, "<1")  # an unknown answer fails here, with its place
        blocks.append(
            w.figure(
                "dot_plot",
                item.name,
                f"Dot plot of '{item.level}' by group: {question}",
                *tabs,
                level=item.level,
                source=w.source,
                synthetic=w.synthetic,
            )
        )
    return blocks


def _compare(w: _Writer, svy: Survey, item: CompareItem) -> Blocks:
    from dataclasses import replace

    import pandas as pd

    from pewlike.io.display import display_name
    from pewlike.tables.export import TableDoc

    if not item.labels:  # legends show labels, never variable names
        book = svy._codebook
        item = replace(item, labels=tuple(display_name(book[v]) for v in item.vars))
    d = w.spec.defaults
    nets = d.nets
    if item.chart == "likert":
        items = [(label, w.topline(svy, var, d.base, nets)) for label, var in zip(item.labels, item.vars)]
        return [
            w.figure(
                "likert",
                item.name,
                f"Stacked bars comparing {' and '.join(item.labels)}: {item.title or items[0][1].question}",
                items=items,
                title=item.title,
                source=w.source,
                synthetic=w.synthetic,
                small=d.small,
            )
        ]
    sides: list[list[Any]] = []  # per question: its crosstabs, or its topline alone
    for var in item.vars:
        sides.append(
            w.crosstabs(svy, var, item.by, d.base, nets, d.min_n, d.letters, d.adjust)
            if item.by
            else [w.topline(svy, var, d.base, nets)]
        )
    # the same numbers as a table: Total, then each group of each demographic
    totals = [(side[0].total if item.by else side[0]).to_frame() for side in sides]
    rows = [["Total", *(_share(f, item.level, d.small) for f in totals)]]
    for ta, tb in zip(*sides) if item.by else ():
        rows.append([ta.by_label, "", ""])
        fa, fb = ta.to_frame(), tb.to_frame()
        for col in ta.columns:
            rows.append(
                [
                    f"  {col}",
                    _share(fa[fa[ta.by].astype(str) == col], item.level, d.small),
                    _share(fb[fb[tb.by].astype(str) == col], item.level, d.small),
                ]
            )
    questions = [side[0].question for side in sides]
    doc = TableDoc(
        item.name,
        item.title or f"{item.labels[0]} vs. {item.labels[1]}",
        pd.DataFrame(rows, columns=["Group", *item.labels]),
        [f"% saying: {item.level}.", *(f"{lab}: {q}" for lab, q in zip(item.labels, questions))],
    )
    fig = w.figure(
        "paired_dots",
        item.name,
        f"Paired dot plot of '{item.level}' for {' and '.join(item.labels)} by group",
        sides[0],
        sides[1],
        level_first=item.level,
        labels=tuple(item.labels),
        title=item.title,
        source=w.source,
        synthetic=w.synthetic,
    )
    return [fig, w.table(doc)]


def _share(frame: pd.DataFrame, level: str | None, small: str) -> str:
    from pewlike.tables.export import pew_percent

    hit = frame[frame["level"].astype(str) == level]
    if hit.empty:
        raise PewlikeError(
            f"answer {level!r} is not in the results; choose one of "
            + ", ".join(repr(str(x)) for x in dict.fromkeys(frame["level"].astype(str)))
        )
    return pew_percent(hit["estimate"].iloc[0], small=small)


def _model(w: _Writer, svy: Survey, item: ModelItem) -> Blocks:
    from pewlike.tables import model_table

    fitters: dict[str, Callable[[str], ModelResult]] = {"logit": svy.logit, "ologit": svy.ologit, "glm": svy.glm}
    fit = fitters[item.type](item.formula)
    doc = model_table(fit, name=item.name, title=item.title)
    blocks: Blocks = [w.table(doc, [("", fit.to_frame())])]
    odds = getattr(fit, "link", "") == "logit"
    frame = fit.odds_ratios().rename(columns={"odds_ratio": "estimate"}) if odds else fit.to_frame()
    n = getattr(fit, "n_obs", None)
    blocks.append(
        w.figure(
            "coef_plot",
            f"{item.name}_coefficients",
            f"Coefficient plot: {doc.title}",
            frame,
            odds=odds,
            title=item.title or doc.title,
            source=w.source,
            synthetic=w.synthetic,
            n=n,
            labels={t: lab.heading() for t, lab in fit.readable_terms().items()},
            ordinal=item.type == "ologit",
        )
    )
    for var in item.effects:
        try:
            me = fit.marginal_effects(var)
            mframe = me.to_frame()
            col = svy.column(var)
            name = f"{item.name}_predicted_{col}"
            blocks.append(w.table(_effects_doc(mframe, name, col, item, svy), [("", mframe)]))
            what = "each answer" if item.type == "ologit" else "the outcome"
            blocks.append(
                w.figure(
                    "predicted_plot",
                    name,
                    f"Predicted probabilities by {col}: {doc.title}",
                    mframe,
                    group=col,
                    title=f"Predicted probability of {what} by {_short(svy, col).lower()} ({item.name})",
                    source=w.source,
                    synthetic=w.synthetic,
                    n=n,
                )
            )
        except Exception as exc:  # reported in the report; the model table above stands
            msg = f"{type(exc).__name__}: {exc}"
            w.failures.append(f"{item.where} ({item.name}) marginal effects of {var}: {msg}")
            blocks.append(FailureBlock(f"{item.where} {item.name}: marginal effects of {var}", msg))
    return blocks


def _short(svy: Survey, col: str) -> str:
    """A variable's short name (``[labels]``), else its wording without the "QNAME." prefix."""
    from pewlike.io.display import display_name

    return display_name(svy._codebook[col])


def _wording(svy: Survey, col: str) -> str:
    from pewlike.io.display import display_question

    return display_question(svy._codebook, col)


def _effects_doc(frame: pd.DataFrame, name: str, col: str, item: ModelItem, svy: Survey) -> TableDoc:
    import pandas as pd

    from pewlike.tables.export import TableDoc, pew_percent

    if "type" in frame.columns:
        frame = frame[frame["type"].astype(str) == "prediction"]
    gcol = col if col in frame.columns else "level"
    cols = [c for c in ("outcome",) if c in frame.columns and frame[c].nunique() > 1]
    rows = [
        [
            *(str(r[c]) for c in cols),
            str(r[gcol]),
            pew_percent(r["estimate"]),
            f"{100 * r['ci_lower']:.1f} - {100 * r['ci_upper']:.1f}",
        ]
        for _, r in frame.iterrows()
    ]
    table = pd.DataFrame(rows, columns=[*(c.capitalize() for c in cols), _short(svy, col), "Predicted %", "95% CI"])
    return TableDoc(
        name,
        f"Predicted probability by {_short(svy, col).lower()} ({item.name})",
        table,
        ["Average predicted probability over the sample with each respondent set to the level (design-based CIs)."],
    )


def _distribution(w: _Writer, svy: Survey, item: DistributionItem) -> Blocks:
    import pandas as pd

    from pewlike.tables.export import TableDoc

    by = list(item.by) or None
    blocks: Blocks = []
    col = svy.column(item.var)
    question = item.title or _wording(svy, col)
    bins: Any = list(item.bins) if isinstance(item.bins, tuple) else item.bins
    if item.chart in ("both", "hist"):
        h = svy.hist(col, by=by, bins=bins, density=item.density)
        f = h.to_frame()
        name = f"{item.name}_hist"
        table = pd.DataFrame(
            {
                **{head: f[b].astype(str) for b, head in _by_headers(svy, h.by).items()},
                **dict(
                    zip(
                        _HIST_COLUMNS,
                        (
                            f["level"].astype(str),
                            [_pct(v) for v in f["estimate"]],
                            [f"{v:.4g}" for v in f["density"]],
                            [f"{int(v):,}" for v in f["n"]],
                        ),
                        strict=True,
                    )
                ),
            }
        )
        notes = [f"Variable: {col}. Bins closed on the right (the first on both sides), as R's svyhist."]
        blocks.append(w.table(TableDoc(name, f"Distribution: {question}", table, notes), [("", f)]))
        blocks.append(
            w.figure(
                "hist_plot",
                name,
                f"Histogram of {col}" + (f" by {', '.join(h.by)}" if h.by else ""),
                h,
                title=item.title,
                source=w.source,
                synthetic=w.synthetic,
            )
        )
    if item.chart in ("both", "box"):
        b = svy.boxplot(col, by=by)
        stats = b.box()
        name = f"{item.name}_box"
        table = pd.DataFrame(
            {
                **{head: stats[c].astype(str) for c, head in _by_headers(svy, b.by).items()},
                **{lab: [f"{v:.4g}" for v in stats[c]] for c, lab in _BOX_COLUMNS},
                "Unweighted N": [f"{int(v):,}" for v in stats["n"]],
            }
        )
        notes = [f"Variable: {col}. Weighted quantiles as R's svyquantile; whiskers to 1.5 times the IQR."]
        blocks.append(
            w.table(TableDoc(name, f"Box plot: {question}", table, notes), [("", b.to_frame()), ("_box", stats)])
        )
        blocks.append(
            w.figure(
                "box_plot",
                name,
                f"Box plot of {col}" + (f" by {', '.join(b.by)}" if b.by else ""),
                b,
                title=item.title,
                source=w.source,
                synthetic=w.synthetic,
            )
        )
    return blocks


#: The columns of a distribution's histogram table after its groups' (a group's heading is not one of them).
_HIST_COLUMNS = ("Bin", "%", "Density", "Unweighted N")
#: The box plot table's statistics (``BoxPlot.box()`` column, heading), before its Unweighted N.
_BOX_COLUMNS = (
    ("lower_whisker", "Lower whisker"),
    ("q1", "25th percentile"),
    ("median", "Median"),
    ("q3", "75th percentile"),
    ("upper_whisker", "Upper whisker"),
)


def _by_headers(svy: Survey, by: Sequence[str]) -> dict[str, str]:
    """Column -> its table heading: the group's short name ("Age category"), or the column's own
    name when two groups would share a heading or the name is a table column already."""
    heads = {b: _short(svy, b) for b in by}
    taken = {*_HIST_COLUMNS, *(lab for _, lab in _BOX_COLUMNS)}
    if len(set(heads.values())) < len(heads) or taken & set(heads.values()):
        return {b: b for b in by}
    return heads


def _pct(v: float) -> str:
    from pewlike.tables.export import pew_percent

    return pew_percent(v)


#: The builder of each kind of item, by the item's class name.
ITEM_BUILDERS: dict[str, Callable[[_Writer, Survey, Any], Blocks]] = {
    "ToplineItem": _topline,
    "CrosstabItem": _crosstab,
    "CompareItem": _compare,
    "DistributionItem": _distribution,
    "ModelItem": _model,
    "TrendItem": trend_blocks,
    "SelectAllItem": select_all_blocks,
    "GridItem": grid_blocks,
}


def weighting_blocks(w: _Writer, svy: Survey, wspec: WeightingSpec) -> Blocks:
    """The weight summary and distribution (and achieved vs target margins after raking); a failure is reported, not fatal.

    Parameters
    ----------
    w : _Writer
        The report writer (writes the tables' files).
    svy : Survey
        The survey as weighted for the report.
    wspec : WeightingSpec
        The spec's ``[weighting]`` table.

    Returns
    -------
    list of TableBlock, PendingBlock or FailureBlock
        The weights table and the weight distribution figure; after raking the achieved vs
        target table and figure.  Empty when ``summary = false``; a failure is reported in
        the list.
    """
    import pandas as pd

    from pewlike.tables.export import TableDoc

    if not wspec.summary:
        return []
    try:
        ws = svy.weight_summary()
        f = ws.to_frame()
        labels = {
            "n": "Respondents",
            "sum": "Sum of weights",
            "mean": "Mean weight",
            "min": "Smallest weight",
            "max": "Largest weight",
            "sd": "Standard deviation",
            "cv": "Coefficient of variation",
            "deff": "Design effect (Kish)",
            "ess": "Effective sample size",
            "moe": "Margin of error (points, 95%)",
        }
        rows = [[labels.get(s, s), _fmt_value(v)] for s, v in zip(f["statistic"], f["value"])]
        notes = [f"Weight: {svy._design.names.get('weights') or 'computed'}."]
        if ws.n < svy.n:  # the statistics count the non-zero weights
            notes.append(
                f"{svy.n - ws.n:,} of the {svy.n:,} respondents have a weight of zero and are not "
                "counted in these statistics."
            )
        blocks: Blocks = [
            w.table(
                TableDoc(
                    "weights",
                    "Weights",
                    pd.DataFrame(rows, columns=["Statistic", "Value"]),
                    notes,
                ),
                [("", f)],
            )
        ]
        if ws.bins is not None:
            blocks.append(
                w.figure(
                    "weights_plot",
                    "weights_distribution",
                    "Histogram of the weights with the Kish design effect and effective sample size",
                    ws,
                    source=w.source,
                    synthetic=w.synthetic,
                )
            )
        margins = ws.margins
        if margins is not None and len(margins):
            shares = ("target", "achieved", "difference", "before", "unweighted")
            m = margins.assign(**{c: (100 * margins[c]).round(1) for c in shares if c in margins.columns})
            blocks.append(
                w.table(
                    TableDoc("weighting_margins", "Achieved vs target margins (%)", m.astype(str), []), [("", margins)]
                )
            )
            blocks.append(
                w.figure(
                    "margins_plot",
                    "weighting_margins_chart",
                    "Achieved vs target margins: target, unweighted, before and after weighting",
                    ws,
                    source=w.source,
                    synthetic=w.synthetic,
                )
            )
        return blocks
    except Exception as exc:  # the summary is reported as missing; the report still builds
        msg = f"{type(exc).__name__}: {exc}"
        w.failures.append(f"[weighting] summary: {msg}")
        return [FailureBlock("[weighting] summary", msg)]


def _fmt_value(v: object) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 1000 else f"{v:,.1f}"
    return str(v)


def methods_blocks(w: _Writer, svy: Survey) -> tuple[str, Blocks]:
    """The one-line methods statement and Pew's table of margins of error by group.

    Parameters
    ----------
    w : _Writer
        The report writer (writes the table's files).
    svy : Survey
        The survey as weighted for the report.

    Returns
    -------
    (str, list of TableBlock)
        The statement (sample size, margin of error and the report's base rule, ending with a
        full stop) and the table's block.
    """
    from pewlike.design.frame import dropped_unweighted
    from pewlike.tables import methods_statement, waves_table
    from pewlike.tables.export import TableDoc

    ms = methods_statement(svy, w.spec.defaults.by, level=w.spec.defaults.level)
    base = (  # the report's one base rule, said out loud (#11); each table also states its own
        "of all who were asked, Refused shown,"
        if w.spec.defaults.base == "all"
        else "of those who answered (Refused and Don't know excluded)"
    )
    later = _later_waves(w)
    every = [(w.spec.waves[0].wave, ms), *later] if later else []  # a trend report: each wave's sample
    said_n = "; ".join(f"{wave}: {m.text()}" for wave, m in every) if every else ms.text()
    statement = f"{said_n}. Percentages are {base} unless a table says otherwise."
    left_out = dropped_unweighted(svy._history)  # [data] missing_weights = "drop"
    if left_out:
        statement += f" {left_out[0].upper()}{left_out[1:]}."
    data = ms.to_frame()
    doc = waves_table(every) if every else ms.table()
    if every:  # each wave's rows, the wave named in a first column
        import pandas as pd

        data = pd.concat([m.to_frame().assign(wave=wave)[["wave", *data.columns]] for wave, m in every])
    said = design_note(svy)
    if said:
        doc = TableDoc(doc.name, doc.title, doc.frame, [*doc.notes, said], groups=doc.groups, sheet=doc.sheet)
    return statement, [w.table(doc, [("", data.reset_index(drop=True))])]


def _later_waves(w: _Writer) -> list[tuple[str, MethodsStatement]]:
    """Sample sizes and margins of the waves after the first (a report with trends across waves; else none).

    Each wave's groups are those of ``[defaults] by`` found in the stack of waves.
    """
    if not w.spec.trends:  # the later waves are read for the trends alone
        return []
    from pewlike.design.frame import frame_of
    from pewlike.errors import EstimationError
    from pewlike.report.trend_items import wave_surveys
    from pewlike.tables import methods_statement
    from pewlike.tables.toplines import categorical_column

    surveys = list(wave_surveys(w).items())[1:]
    out = []
    for wave, sub in surveys:
        sf = frame_of(sub)
        by = []
        for b in w.spec.defaults.by:  # a group the wave lacks, or has as numbers, is left out of its rows
            try:
                categorical_column(sf, b, "methods_statement")
            except PewlikeError:
                continue
            by.append(b)
        try:
            out.append((wave, methods_statement(sub, by, level=w.spec.defaults.level)))
        except EstimationError:  # nobody of the report's universe in this wave: its trends say so
            continue
    return out


def design_note(svy: Survey) -> str | None:
    """The methods note naming a complex design (strata, clusters, fpc, replicates); None for weights only.

    Parameters
    ----------
    svy : Survey
        The survey as weighted for the report; its description (:attr:`pewlike.Survey.design`,
        R's ``print(design)``) gives the wording.

    Returns
    -------
    str or None

    Examples
    --------
    >>> import pandas as pd
    >>> import pewlike as pw
    >>> df = pd.DataFrame({"st": [1, 1, 1, 1, 2, 2, 2, 2], "cl": [1, 1, 2, 2, 3, 3, 4, 4], "w": 1.0})
    >>> design_note(pw.Survey(df, weights="w", strata="st", psu="cl")).split(". ")[0]
    'Design: Stratified 1 - level Cluster Sampling design (with replacement); with (4) clusters; 2 strata (st)'
    >>> design_note(pw.Survey(df, weights="w")) is None
    True
    """
    names = svy._design.names
    if not any(names.get(k) for k in ("strata", "psu", "fpc", "repweights")):
        return None
    first, *rest = [line.strip() for line in svy.design.splitlines() if line.strip()]
    details = [d.rstrip(".") for d in rest if not d.startswith(("n =", "weights:", "source:"))]
    said = "; ".join([first, *(d[:1].lower() + d[1:] for d in details)])
    return (
        f"Design: {said}. Standard errors, confidence intervals and significance tests take this design into account."
    )
