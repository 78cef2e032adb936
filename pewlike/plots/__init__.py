"""Pew-style figures drawn from results' ``to_frame()`` (never recomputed).

* :func:`likert` - diverging stacked bars of a Likert item by group (or of
  several items), with the nets printed at the ends;
* :func:`dot_plot` - the share giving one answer (or a net) by group, with
  confidence-interval whiskers;
* :func:`paired_dots` - one answer of two items side by side by group
  (companies vs government);
* :func:`coef_plot` - odds ratios (or coefficients) of a model with CIs;
* :func:`predicted_plot` - predicted probabilities by group from
  ``model.marginal_effects(var)``;
* :func:`hist_plot`, :func:`box_plot` - weighted distributions of a numeric variable
  (``svy.hist``, ``svy.boxplot``), and :func:`weights_plot`, :func:`margins_plot` - the
  weights and achieved vs target margins (``svy.weight_summary()``); see
  :mod:`pewlike.plots.distributions`;
* :func:`trend_plot` - a trend across waves (``svy.trend``): a dumbbell for two waves,
  lines with confidence bands for more, significant changes marked; see
  :mod:`pewlike.plots.trends`.
* :func:`select_all_plot`, :func:`grid_plot` - a select-all battery's bars sorted by share and
  an item grid's diverging bars; see :mod:`pewlike.plots.batteries`.

Each returns a :class:`matplotlib.figure.Figure` in the house style
(:mod:`pewlike.plots.theme`); save it with :func:`pewlike.plots.theme.save_figure`.
Every drawn bar and point carries a ``gid`` ``"<row>|<answer>"`` so what was
drawn can be checked against the estimates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pewlike.errors import PewlikeError
from pewlike.plots.theme import (
    INK,
    MUTED,
    OKABE_ITO,
    WIDTH,
    diverging_colors,
    finish,
    fit_label,
    new_figure,
    style,
    text_color,
    title_height,
)
from pewlike.tables.export import fmt_int, pew_percent

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    from pewlike.tables.crosstabs import Crosstab
    from pewlike.tables.toplines import Topline

__all__ = [
    "box_plot",
    "coef_plot",
    "dot_plot",
    "grid_plot",
    "hist_plot",
    "likert",
    "margins_plot",
    "paired_dots",
    "predicted_plot",
    "select_all_plot",
    "source_line",
    "trend_plot",
    "weights_plot",
]

ROW = 0.34  # inches per row
LEFT = 2.5  # inches for row labels


def source_line(source: str | None, *, synthetic: bool = False, universe: str | None = None) -> str:
    """The source line under a figure: ``"Source: <file>, weighted; synthetic demo data."``.

    Parameters
    ----------
    source : str or None
        The data file (``"survey data"`` when None).
    synthetic : bool
        Add "synthetic demo data".
    universe : str, optional
        The name of the survey's domain (``svy.subset(..., name="Registered voters")``):
        adds "among registered voters".

    Returns
    -------
    str

    Examples
    --------
    >>> source_line("ATP W49.sav")
    'Source: ATP W49.sav, weighted.'
    >>> source_line(None, synthetic=True)
    'Source: survey data, weighted; synthetic demo data.'
    >>> source_line("W49.sav", universe="Registered voters")
    'Source: W49.sav, weighted; among registered voters.'
    """
    from pewlike.tables.toplines import lower_first

    src = source or "survey data"
    among = f"; among {lower_first(universe)}" if universe else ""
    return f"Source: {src}, weighted{among}" + ("; synthetic demo data." if synthetic else ".")


def _universe_of(results: Iterable[Any]) -> str | None:
    """The domain name carried by the first topline or crosstab of a chart (None when unnamed)."""
    for res in results:
        res = res[1] if isinstance(res, tuple) else res
        # a topline carries the name; a crosstab through its total (a Topline)
        name = getattr(res, "universe_name", None) or getattr(getattr(res, "total", None), "universe_name", None)
        return name if isinstance(name, str) else None
    return None


@dataclass(frozen=True)
class _Row:
    label: str
    frame: pd.DataFrame | None  # None for a heading
    flag: str = ""
    fitted: bool = False  # the label is already wrapped to the row (see _heading_text)


def _rows(results: Iterable[Topline | Crosstab]) -> tuple[list[_Row], str, int]:
    """Rows of a chart from toplines/crosstabs: Total, then each demographic's groups under a heading.

    Returns the rows, the question wording and the unweighted n of the total.
    """
    from pewlike.tables.crosstabs import Crosstab
    from pewlike.tables.toplines import Topline

    results = list(results)
    if not results:
        raise PewlikeError("a chart needs at least one topline or crosstab")
    first = results[0]
    total = first.total if isinstance(first, Crosstab) else first
    rows = [_Row("Total", total.to_frame())]
    for res in results:
        if isinstance(res, Topline):
            if res is not first:
                raise PewlikeError("give one topline, or crosstabs of one question")
            continue
        if not isinstance(res, Crosstab):
            raise PewlikeError(f"cannot chart a {type(res).__name__}; give toplines or crosstabs")
        if res.variable != first.variable:
            raise PewlikeError(
                f"crosstabs of different questions ({first.variable}, {res.variable}) cannot share one chart"
            )
        f = res.to_frame()
        rows.append(_Row(res.by_label, None))
        keys = f[res.by].astype(str)
        for col in res.columns:
            sub = f[keys == col]
            rows.append(_Row(col, sub, str(sub["flag"].iloc[0]) if len(sub) else ""))
    return rows, total.question, total.n


def _item_rows(items: Sequence[tuple[str, Topline]]) -> list[_Row]:
    return [_Row(label, res.to_frame()) for label, res in items]


def _sides(levels: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Split a scale: first half (right, positive), middle (odd count), second half (left)."""
    h, mid = divmod(len(levels), 2)
    return levels[:h], levels[h : h + mid], levels[h + mid :]


def _layout(fig_rows: float, title: str, extra_top: float, bottom: float = 0.55) -> tuple[Figure, Axes, float]:
    top = title_height(title) + extra_top
    axes_h = max(fig_rows, 1) * ROW
    height = top + axes_h + bottom
    fig = new_figure(height)
    ax = fig.add_axes((LEFT / WIDTH, bottom / height, 1 - (LEFT + 0.25) / WIDTH, axes_h / height))
    return fig, ax, top


def _ylabels(ax: Axes, rows: list[_Row], head: float = 0.0) -> None:
    """Row labels (headings bold, small bases marked †); ``head`` extra rows of space above the first."""
    y = np.arange(len(rows))
    ax.set_yticks(y)
    labels = [
        r.label if r.fitted else fit_label(r.label + (" †" if r.flag == "small base" else ""), 24, 2) for r in rows
    ]
    ax.set_yticklabels(labels, linespacing=1.0)
    for tick, r in zip(ax.get_yticklabels(), rows):
        if r.frame is None:
            tick.set_fontweight("bold")
    ax.set_ylim(len(rows) - 0.4, -0.6 - head)
    ax.tick_params(axis="y", length=0)
    for side in ("left", "top", "right"):
        ax.spines[side].set_visible(False)


def likert(
    *results: Topline | Crosstab,
    items: Sequence[tuple[str, Topline]] | None = None,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
    small: Literal["<1", "*"] = "<1",
) -> Figure:
    """Diverging stacked bars of a Likert question, with nets printed at both ends.

    Parameters
    ----------
    *results : Topline or Crosstab
        A topline (one bar), or crosstabs of one question (Total, then a bar per
        group under each demographic's heading).
    items : list of (label, Topline), optional
        Instead of ``results``: one bar per item (several questions sharing a scale).
    title : str, optional
        Defaults to the question wording.
    source : str
        Data file named in the source line; ``synthetic`` adds "synthetic demo data".
    small : {"<1", "*"}
        How shares below half a percent are printed.

    Returns
    -------
    matplotlib.figure.Figure
        The first half of the responses extends right of zero, the second half
        left, a middle response straddles zero; each bar's width is the
        estimate in percent.  Nets come from the results' ``"net"`` rows.

    Raises
    ------
    PewlikeError
        No result, results of different questions, or something other than toplines
        and crosstabs.

    Notes
    -----
    No R survey equivalent: Pew's diverging bars of ``svymean`` shares (R's ``likert``
    package draws similar charts from unweighted data).

    Examples
    --------
    >>> import pewlike as pw
    >>> from pewlike.plots import likert
    >>> svy = pw.demo()
    >>> fig = likert(svy.topline("CONCERNCO", nets="auto"), svy.crosstab("CONCERNCO", "F_SEX", nets="auto"))
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['Total', 'Sex', 'Male', 'Female']
    """
    if items:
        rows = _item_rows(items)
        first = items[0][1]
        question, n = first.question, min(r.n for _, r in items)
    else:
        rows, question, n = _rows(results)
    title = title or question
    ref = rows[0].frame
    assert ref is not None  # the first row is the total (or the first item), never a heading
    levels = [str(x) for x in ref.loc[ref["kind"] == "response", "level"]]
    right, middle, left = _sides(levels)
    colors = dict(zip(levels, diverging_colors(len(right), len(middle), len(left))))
    net_right = net_left = None
    res_nets = _net_members(results, items)
    for lab, ms in res_nets:
        if set(ms) == set(right):
            net_right = lab
        elif set(ms) == set(left):
            net_left = lab
    ncol = min(len(levels), 5)
    legend_texts = _legend_texts(levels, ncol, WIDTH - LEFT + 0.15)  # centred on the axes: twice its room to the right
    legend_lines = -(-len(levels) // ncol) * max(t.count("\n") + 1 for t in legend_texts)
    with style():
        head = 1.4 if (net_right or net_left) else 0.0  # room for the net headings above the first bar
        fig, ax, _top = _layout(len(rows) + head, title, 0.4 + 0.16 * (legend_lines - 1))
        max_r = max_l = 0.0
        bars: list[tuple[float, float, float, str, str]] = []
        for y, row in enumerate(rows):
            if row.frame is None:
                continue
            f = row.frame
            share = {str(lv): e for lv, e, k in zip(f["level"], f["estimate"], f["kind"]) if k == "response"}
            m = sum(100 * share.get(lv, 0.0) for lv in middle if np.isfinite(share.get(lv, np.nan)))
            start_r, start_l = m / 2, -m / 2
            for lv in middle:
                _bar(ax, bars, y, -m / 2, 100 * share.get(lv, np.nan), colors[lv], f"{row.label}|{lv}", small)
            for lv in reversed(right):
                w = 100 * share.get(lv, np.nan)
                _bar(ax, bars, y, start_r, w, colors[lv], f"{row.label}|{lv}", small)
                start_r += w if np.isfinite(w) else 0
            for lv in left:
                w = 100 * share.get(lv, np.nan)
                _bar(ax, bars, y, start_l - (w if np.isfinite(w) else 0), w, colors[lv], f"{row.label}|{lv}", small)
                start_l -= w if np.isfinite(w) else 0
            max_r, max_l = max(max_r, start_r), max(max_l, -start_l)
            if not any(np.isfinite(v) for v in share.values()):
                ax.text(
                    0, y, "too few respondents", ha="center", va="center", fontsize=8.5, color=MUTED, style="italic"
                )
        _draw_bars(ax, bars)
        pad = 17.0
        lo, hi = -max_l - pad, max_r + pad
        for y, row in enumerate(rows):
            if row.frame is None:
                continue
            f = row.frame
            val = {str(lv): e for lv, e, k in zip(f["level"], f["estimate"], f["kind"]) if k == "net"}
            for net, x in ((net_right, hi - pad / 2), (net_left, lo + pad / 2)):
                if net is not None and net in val:
                    ax.text(
                        x,
                        y,
                        pew_percent(val[net], small=small),
                        ha="center",
                        va="center",
                        fontweight="bold",
                        fontsize=10,
                        gid=f"net:{row.label}|{net}",
                    )
        ax.set_xlim(lo, hi)
        ax.axvline(0, color=INK, linewidth=0.8, zorder=0.5)
        ax.set_xticks([])
        ax.spines["bottom"].set_visible(False)
        _ylabels(ax, rows, head=head)
        for net, x in ((net_right, hi - pad / 2), (net_left, lo + pad / 2)):
            if net is not None:
                ax.text(x, -0.55, _wrap_short(net), ha="center", va="bottom", fontsize=8, color=MUTED)
        handles = [_patch(colors[lv]) for lv in levels]
        ax.legend(
            handles,
            legend_texts,
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncol=ncol,
            fontsize=8.5,
            handlelength=1.0,
            columnspacing=0.9,
            handletextpad=0.4,
        )
        finish(
            fig,
            title=title,
            source=source_line(source, synthetic=synthetic, universe=_universe_of(items or results)),
            n_note=f"n = {fmt_int(n)} (unweighted)." + _dagger_note(rows),
        )
    return fig


def _text_width(text: str, size: float) -> float:
    """Width in points of one line of text in the house font (DejaVu Sans), measured, not guessed."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(family="DejaVu Sans", size=size)
    return max(TextToPath().get_text_width_height_descent(line, font, ismath=False)[0] for line in text.split("\n"))


def _legend_texts(labels: Sequence[str], ncol: int, room: float, size: float = 8.5) -> list[str]:
    """Legend labels as they are when each row of the legend fits ``room`` inches, else wrapped to fit.

    A row's width is its labels' measured widths plus the handle and spacing of each entry
    (about 2.3 font sizes); labels too wide are wrapped (two lines at most, an ellipsis after).
    """
    plain = [fit_label(lab, 10_000, 1) for lab in labels]
    extra = 2.3 * size
    avail = room * 72

    def fits(texts: list[str]) -> bool:
        rows = [texts[i : i + ncol] for i in range(0, len(texts), ncol)]
        return all(sum(_text_width(t, size) + extra for t in row) <= avail for row in rows)

    if fits(plain):
        return plain
    chars = max(6, int((avail / ncol - extra) / (0.62 * size)))
    while True:
        texts = [fit_label(lab, chars, 2) for lab in labels]
        if fits(texts) or chars <= 6:
            return texts
        chars -= 2


def _heading_text(head: str) -> str:
    """A model term's group heading, its reference category kept whole: "Family income (3…" / "(vs. <$30,000)"."""
    group, sep, ref = head.partition(" (vs. ")
    if not sep or len(fit_label(head, 24, 3).split("\n")) <= 2:
        return fit_label(head, 24, 2)
    return fit_label(group, 24, 1) + "\n" + fit_label(f"(vs. {ref}", 24, 1)


def _dagger_note(rows: list[_Row]) -> str:
    return " † Fewer than 100 respondents: interpret with caution." if any(r.flag == "small base" for r in rows) else ""


def _net_members(
    results: Sequence[Topline | Crosstab], items: Sequence[tuple[str, Topline]] | None
) -> list[tuple[str, Sequence[str]]]:
    objs = [r for _, r in items] if items else list(results)
    for o in objs:
        nets = getattr(o, "nets", ())
        if nets:
            return list(nets)
    return []


def _wrap_short(text: str) -> str:
    return fit_label(text, 14, 3)


def _patch(color: str) -> Patch:
    from matplotlib.patches import Patch

    return Patch(facecolor=color, edgecolor="none")


def _bar(
    ax: Axes,
    bars: list[tuple[float, float, float, str, str]],
    y: float,
    start: float,
    width: float,
    color: str,
    gid: str,
    small: str,
) -> None:
    """A segment of a stacked bar, kept in ``bars`` (see :func:`_draw_bars`), and its label drawn on it."""
    if not np.isfinite(width) or width <= 0:
        return
    bars.append((y, start, width, color, gid))
    if width >= 4.5:
        ax.text(
            start + width / 2,
            y,
            pew_percent(width / 100, small=small),
            ha="center",
            va="center",
            fontsize=8.5,
            color=text_color(color),
        )


def _draw_bars(ax: Axes, bars: Sequence[tuple[float, float, float, str, str]]) -> None:
    """All the segments of a chart in one ``barh`` call (one per segment costs far more), in the order given.

    Bars are drawn below the labels whatever the order they are added in (zorder), so the
    figure is the same as with one call per segment.
    """
    if not bars:
        return
    ys, starts, widths, colors, gids = zip(*bars)
    rects = ax.barh(
        list(ys), list(widths), left=list(starts), height=0.68, color=list(colors), edgecolor="white", linewidth=0.6
    )
    for rect, gid in zip(rects, gids):
        rect.set_gid(gid)


def _level_rows(rows: list[_Row], level: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    est: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    for row in rows:
        if row.frame is None:
            est.append(np.nan)
            lo.append(np.nan)
            hi.append(np.nan)
            continue
        f = row.frame
        hit = f[f["level"].astype(str) == level]
        if hit.empty:
            known = ", ".join(repr(str(x)) for x in f["level"])
            raise PewlikeError(f"answer {level!r} is not in the results; choose one of {known}")
        est.append(hit["estimate"].iloc[0])
        lo.append(hit["ci_lower"].iloc[0])
        hi.append(hit["ci_upper"].iloc[0])
    return 100 * np.asarray(est), 100 * np.asarray(lo), 100 * np.asarray(hi)


def dot_plot(
    *results: Topline | Crosstab,
    level: str,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
) -> Figure:
    """The share giving ``level`` (an answer or a net label), by group, with CI whiskers.

    Points sit at the estimate (percent); whiskers span ``ci_lower`` -
    ``ci_upper`` of the results' frames.

    Parameters
    ----------
    *results : Topline or Crosstab
        A topline, or crosstabs of one question (Total, then each group).
    level : str
        The answer or net label shown.
    title : str, optional
        Defaults to the question wording.
    source : str, optional
        Data file named in the source line; ``synthetic`` adds "synthetic demo data".

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    PewlikeError
        ``level`` is not in the results (the known answers are listed).

    Notes
    -----
    No R survey equivalent: a dot chart of ``svyby(..., svyciprop)`` estimates with
    their confidence intervals.

    Examples
    --------
    >>> import pewlike as pw
    >>> from pewlike.plots import dot_plot
    >>> ct = pw.demo().crosstab("CONCERNCO", "F_SEX")
    >>> fig = dot_plot(ct, level="Very concerned")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['Total', 'Sex', 'Male', 'Female']
    """
    rows, question, n = _rows(results)
    title = title or question
    est, lo, hi = _level_rows(rows, level)
    with style():
        fig, ax, _top = _layout(len(rows), title, 0.35, bottom=0.85)
        _dots(ax, rows, est, lo, hi, OKABE_ITO[0], level)
        for y, e in enumerate(est):
            if np.isfinite(e):
                ax.text(hi[y] + 1.2, y, pew_percent(e / 100), va="center", ha="left", fontsize=9, color=INK)
        _percent_axis(ax, np.nanmin(lo), np.nanmax(hi))
        _ylabels(ax, rows)
        ax.text(
            0.0,
            1.015,
            fit_label(f"% saying: {level}", 66, 1),
            fontsize=9.5,
            color=MUTED,
            va="bottom",
            transform=ax.transAxes,
        )
        finish(
            fig,
            title=title,
            source=source_line(source, synthetic=synthetic, universe=_universe_of(results)),
            n_note=f"n = {fmt_int(n)} (unweighted). Whiskers: 95% confidence intervals." + _dagger_note(rows),
        )
    return fig


def _dots(
    ax: Axes,
    rows: list[_Row],
    est: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    color: str,
    label: str,
    offset: float = 0.0,
    marker: str = "o",
    gid: str | None = None,
) -> PathCollection:
    y = np.arange(len(rows)) + offset
    ok = np.isfinite(est)
    ax.errorbar(
        est[ok],
        y[ok],
        xerr=np.vstack([est[ok] - lo[ok], hi[ok] - est[ok]]),
        fmt="none",
        ecolor=color,
        elinewidth=1.2,
        capsize=0,
        alpha=0.8,
    )
    pts = ax.scatter(est[ok], y[ok], s=42, color=color, marker=marker, zorder=3, label=label)
    pts.set_gid(gid or label)
    return pts


def _percent_axis(ax: Axes, lo: float, hi: float) -> None:
    lo = max(0.0, 10 * np.floor((lo - 3) / 10))
    hi = min(100.0, 10 * np.ceil((hi + 6) / 10))
    ax.set_xlim(lo, hi)
    ax.xaxis.grid(True, color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="x", labelsize=8.5, colors=MUTED)


def paired_dots(
    first: Topline | Crosstab | list[Crosstab] | tuple[Crosstab, ...],
    second: Topline | Crosstab | list[Crosstab] | tuple[Crosstab, ...],
    *,
    level_first: str,
    level_second: str | None = None,
    labels: tuple[str, str] = ("Companies", "Government"),
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
) -> Figure:
    """One answer (or net) of two questions side by side, by group (Pew's dumbbell comparison).

    Parameters
    ----------
    first, second : Topline, Crosstab or list of Crosstab
        The same layout for both questions (same demographics, same order).
    level_first, level_second : str
        The answer or net shown for each (``level_second`` defaults to ``level_first``).
    labels : (str, str)
        Legend labels of the two questions.
    title : str, optional
        Defaults to ``"<label 1> vs. <label 2>: <level>"``.
    source : str, optional
        Data file named in the source line; ``synthetic`` adds "synthetic demo data".

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    PewlikeError
        The two questions are broken down by different groups, or a level is missing.

    Notes
    -----
    No R survey equivalent: a dumbbell chart of two ``svyby(..., svyciprop)`` estimates
    per group.

    Examples
    --------
    >>> import pewlike as pw
    >>> from pewlike.plots import paired_dots
    >>> svy = pw.demo()
    >>> fig = paired_dots(svy.topline("CONCERNCO"), svy.topline("CONCERNGOV"), level_first="Very concerned")
    >>> fig.axes[0].get_legend_handles_labels()[1]
    ['Companies', 'Government']
    """
    a: Sequence[Topline | Crosstab] = first if isinstance(first, (list, tuple)) else [first]
    b: Sequence[Topline | Crosstab] = second if isinstance(second, (list, tuple)) else [second]
    rows_a, _, n_a = _rows(a)
    rows_b, _, n_b = _rows(b)
    if [r.label for r in rows_a] != [r.label for r in rows_b]:
        raise PewlikeError("the two questions must be broken down by the same groups")
    title = title or f"{labels[0]} vs. {labels[1]}: {level_first}"
    ea, la, ha = _level_rows(rows_a, level_first)
    eb, lb, hb = _level_rows(rows_b, level_second or level_first)
    names = tuple(_legend_texts(labels, 2, WIDTH - LEFT - 0.1))
    extra = 0.16 * max(n.count("\n") for n in names)
    with style():
        fig, ax, _top = _layout(len(rows_a), title, 0.45 + extra, bottom=0.85)
        y = np.arange(len(rows_a))
        ok = np.isfinite(ea) & np.isfinite(eb)
        ax.hlines(y[ok], np.minimum(ea, eb)[ok], np.maximum(ea, eb)[ok], color="#BBBBBB", linewidth=2, zorder=1)
        _dots(ax, rows_a, ea, la, ha, OKABE_ITO[0], names[0], offset=-0.12, gid=labels[0])
        _dots(ax, rows_b, eb, lb, hb, OKABE_ITO[5], names[1], offset=0.12, marker="D", gid=labels[1])
        _percent_axis(ax, np.nanmin(np.r_[la, lb]), np.nanmax(np.r_[ha, hb]))
        _ylabels(ax, rows_a)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=9, handletextpad=0.3)
        finish(
            fig,
            title=title,
            source=source_line(
                source,
                synthetic=synthetic,
                universe=_universe_of(first if isinstance(first, (list, tuple)) else [first]),
            ),
            n_note=f"n = {fmt_int(n_a)} / {fmt_int(n_b)} (unweighted). Whiskers: 95% confidence intervals.",
        )
    return fig


def coef_plot(
    frame: pd.DataFrame,
    *,
    odds: bool = True,
    title: str,
    source: str | None = None,
    synthetic: bool = False,
    n: int | None = None,
    drop: Sequence[str] = ("(Intercept)",),
    labels: Mapping[str, str] | None = None,
    ordinal: bool | None = None,
) -> Figure:
    """Odds ratios (log scale, reference line at 1) or coefficients (line at 0) with CIs.

    Parameters
    ----------
    frame : pandas.DataFrame
        A model's ``to_frame()`` or ``odds_ratios()``: ``term, estimate, ci_lower, ci_upper``.
    odds : bool
        The frame holds odds ratios (log-scaled axis).
    drop : sequence of str
        Terms left out (the intercept; thresholds ``a|b`` of ordinal models are always left out).
    labels : dict, optional
        Readable row labels by term; labels ``"Group: level"`` are shown as the
        level under a bold group heading, as in Pew's charts.
    ordinal : bool, optional
        A proportional-odds model: the axis says which way the odds run (R's
        ``logit P(Y <= k) = zeta_k - x'beta``).  Default: the frame has cut points.
    title : str
        The figure's title.
    source : str, optional
        Data file named in the source line; ``synthetic`` adds "synthetic demo data".
    n : int, optional
        Unweighted number of respondents, printed under the figure.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    No R survey equivalent: a coefficient plot of ``exp(coef(fit))`` and
    ``exp(confint(fit))`` of a ``svyglm`` or ``svyolr`` fit.

    Examples
    --------
    >>> import pewlike as pw
    >>> from pewlike.plots import coef_plot
    >>> fit = pw.demo().logit("CONCERNCO in ['Very concerned'] ~ F_SEX + F_AGECAT")
    >>> frame = fit.odds_ratios().rename(columns={"odds_ratio": "estimate"})
    >>> fig = coef_plot(frame, title="Odds of being very concerned", labels={"F_SEXFemale": "Sex: Female"})
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()][:2]
    ['Sex', 'Female']
    """
    cuts = frame["term"].astype(str).str.contains("|", regex=False)
    ordinal = bool(cuts.any()) if ordinal is None else ordinal  # cut points "a|b": proportional odds
    f = frame[~frame["term"].astype(str).isin(list(drop)) & ~cuts]
    labels = labels or {}
    rows: list[_Row] = []
    pos: list[int] = []
    last: str | None = None
    for i, t in enumerate(f["term"]):
        head, sep, level = labels.get(str(t), str(t)).rpartition(": ")
        if sep and head != last:
            rows.append(_Row(_heading_text(head), None, fitted=True))
        last = head if sep else None
        pos.append(len(rows))
        rows.append(_Row(level, f.iloc[[i]]))
    est = f["estimate"].to_numpy(dtype=float)
    lo = f["ci_lower"].to_numpy(dtype=float)
    hi = f["ci_upper"].to_numpy(dtype=float)
    with style():
        fig, ax, _top = _layout(len(rows), title, 0.3, bottom=0.85)
        y = np.asarray(pos, dtype=float)
        ax.errorbar(est, y, xerr=np.vstack([est - lo, hi - est]), fmt="none", ecolor=OKABE_ITO[0], elinewidth=1.3)
        pts = ax.scatter(est, y, s=40, color=OKABE_ITO[0], zorder=3)
        pts.set_gid("estimates")
        ax.axvline(1.0 if odds else 0.0, color=INK, linewidth=0.8, linestyle="--")
        if odds:
            ax.set_xscale("log")
            from matplotlib.ticker import FuncFormatter, LogLocator

            ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 1.5, 2.0, 3.0, 5.0, 7.0)))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
            ax.xaxis.set_minor_locator(LogLocator(base=10, subs=()))
        ax.xaxis.grid(True, color="#E5E5E5", linewidth=0.6)
        ax.set_axisbelow(True)
        xlabel = "Odds ratio (95% CI)" if odds else "Coefficient (95% CI)"
        if ordinal:  # R's parameterisation: logit P(Y <= k) = zeta_k - x'beta
            xlabel += "; above 1: answers further down the scale are more likely"
        ax.set_xlabel(xlabel, fontsize=9, color=MUTED)
        _ylabels(ax, rows)
        finish(
            fig,
            title=title,
            source=source_line(source, synthetic=synthetic),
            n_note=f"n = {fmt_int(n)} (unweighted)." if n is not None else "",
        )
    return fig


def predicted_plot(
    frame: pd.DataFrame,
    *,
    group: str,
    title: str,
    source: str | None = None,
    synthetic: bool = False,
    n: int | None = None,
) -> Figure:
    """Predicted probability by group with CIs, from ``marginal_effects(var).to_frame()``.

    ``frame`` has one row per group level (column ``level``, or ``group``) and
    ``estimate, ci_lower, ci_upper`` as probabilities; rows whose ``type`` is
    not ``"prediction"`` (contrasts) are left out; with several outcome
    categories (column ``outcome``), one colour per category.

    Parameters
    ----------
    frame : pandas.DataFrame
        A model's ``marginal_effects(var).to_frame()``.
    group : str
        The column holding the groups (``level`` is used when there is none).
    title : str
        The figure's title.
    source : str, optional
        Data file named in the source line; ``synthetic`` adds "synthetic demo data".
    n : int, optional
        Unweighted number of respondents, printed under the figure.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    No R survey equivalent: a dot chart of average predicted probabilities by level
    (``marginaleffects::avg_predictions`` of a ``svyglm`` fit).

    Examples
    --------
    >>> import pewlike as pw
    >>> from pewlike.plots import predicted_plot
    >>> svy = pw.demo()
    >>> fit = svy.logit("CONCERNCO in ['Very concerned'] ~ F_SEX")
    >>> frame = fit.marginal_effects("F_SEX").to_frame()
    >>> fig = predicted_plot(frame, group="F_SEX", title="Predicted probability by sex")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['Male', 'Female']
    """
    if "type" in frame.columns:
        frame = frame[frame["type"].astype(str) == "prediction"]
    gcol = group if group in frame.columns else "level"
    outcomes: list[str | None] = (
        [None] if "outcome" not in frame.columns else list(dict.fromkeys(frame["outcome"].astype(str)))
    )
    if len(outcomes) == 1:
        outcomes = [None]
    groups = list(dict.fromkeys(frame[gcol].astype(str)))
    rows = [_Row(g, frame[frame[gcol].astype(str) == g]) for g in groups]
    k = len(outcomes)
    named = [o for o in outcomes if o is not None]
    shown = dict(zip(named, _legend_texts(named, 2, WIDTH - LEFT - 0.1)))
    extra = 0.16 * max([s.count("\n") for s in shown.values()] or [0]) * (1 if k <= 2 else 2)
    with style():
        fig, ax, _top = _layout(len(rows), title, (0.45 if k <= 2 else 0.7) + extra, bottom=0.85)
        lows: list[float] = []
        highs: list[float] = []
        for j, out in enumerate(outcomes):
            sub = frame if out is None else frame[frame["outcome"].astype(str) == out]
            idx = {str(g): i for i, g in enumerate(sub[gcol].astype(str))}
            pick = [idx.get(g) for g in groups]
            est = np.array([100 * sub["estimate"].iloc[i] if i is not None else np.nan for i in pick])
            lo = np.array([100 * sub["ci_lower"].iloc[i] if i is not None else np.nan for i in pick])
            hi = np.array([100 * sub["ci_upper"].iloc[i] if i is not None else np.nan for i in pick])
            off = (j - (k - 1) / 2) * (0.6 / max(k, 1))
            _dots(
                ax,
                rows,
                est,
                lo,
                hi,
                OKABE_ITO[j % len(OKABE_ITO)],
                shown.get(out or "", "predicted"),
                offset=off,
                gid=out or "predicted",
            )
            lows.append(np.nanmin(lo))
            highs.append(np.nanmax(hi))
        _percent_axis(ax, min(lows), max(highs))
        ax.set_xlabel("Predicted probability, % (95% CI)", fontsize=9, color=MUTED)
        _ylabels(ax, rows)
        if k > 1:
            ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=k if k <= 2 else 2, fontsize=8.5)
        finish(
            fig,
            title=title,
            source=source_line(source, synthetic=synthetic),
            n_note=f"n = {fmt_int(n)} (unweighted)." if n is not None else "",
        )
    return fig


# the figures of distributions live in their own module; imported last (they use source_line)
from pewlike.plots.batteries import grid_plot, select_all_plot  # noqa: E402
from pewlike.plots.distributions import box_plot, hist_plot, margins_plot, weights_plot  # noqa: E402
from pewlike.plots.trends import trend_plot  # noqa: E402
