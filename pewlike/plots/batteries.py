"""Figures of batteries: select-all bars sorted by share, and an item grid's diverging bars.

* :func:`select_all_plot` - one horizontal bar per item (largest share on top), its 95 %
  interval as a whisker, NET Any and "None of these" below a rule;
* :func:`grid_plot` - the diverging stacked bars of :func:`pewlike.plots.likert`, one bar per
  item of a :class:`~pewlike.tables.grid.Grid`.

Both draw only what the result holds (``to_frame()``, ``toplines``) and never recompute.  Each
bar carries a ``gid`` (``"<item>"``, ``"<item>|ci"``) so what was drawn can be checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import EstimationError
from pewlike.plots.theme import INK, MUTED, OKABE_ITO, WIDTH, finish, new_figure, style, title_height, wrap
from pewlike.tables.export import fmt_int, pew_percent

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from pewlike.tables.grid import Grid
    from pewlike.tables.selectall import SelectAll

__all__ = ["grid_plot", "select_all_plot"]

ROW = 0.36  # inches per bar
LEFT = 3.3  # inches for the item wordings
BOTTOM = 0.75  # inches for the source and n lines


def select_all_plot(
    result: SelectAll,
    *,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
) -> Figure:
    """Select-all shares as horizontal bars sorted by share, with confidence-interval whiskers.

    Parameters
    ----------
    result : SelectAll
        From :meth:`pewlike.Survey.select_all` without ``by=``.
    title : str, optional
        Defaults to the battery's shared wording (or its name).
    source : str, optional
        Data file named in the source line; ``synthetic`` adds "synthetic demo data".

    Returns
    -------
    matplotlib.figure.Figure
        Bars of width ``100 * estimate`` (gid the item's wording), whiskers from
        ``ci_lower`` to ``ci_upper`` (gid ``"<wording>|ci"``); items largest first, then
        NET Any and None of these.

    Raises
    ------
    EstimationError
        The result has groups (``by=``): draw one result per group.

    Notes
    -----
    No R survey equivalent: a bar chart of ``svymean`` shares of the indicators with
    ``svyciprop`` intervals.

    Examples
    --------
    >>> import pewlike as pw
    >>> from pewlike.plots import select_all_plot
    >>> svy = pw.demo()
    >>> fig = select_all_plot(svy.select_all(svy.batteries()[0]))
    >>> fig.axes[0].patches[0].get_gid()
    'Deleted cookies or your browsing history'
    """
    if result.by:
        raise EstimationError("select_all_plot draws one group; run select_all without by= (or subset the survey)")
    frame = result.to_frame()
    items = frame[frame["kind"] == "item"].sort_values("estimate", ascending=False, kind="stable")
    rest = frame[frame["kind"] != "item"]
    rows = [*items.itertuples(index=False), *rest.itertuples(index=False)]
    gap = 0.6 if len(rest) else 0.0
    ys = np.concatenate([np.arange(len(items)), len(items) + gap + np.arange(len(rest))])
    title = title or result.question or result.variable
    top = title_height(title) + 0.2
    axes_h = (len(rows) + gap) * ROW
    height = top + axes_h + BOTTOM
    with style():
        fig = new_figure(height)
        ax = fig.add_axes((LEFT / WIDTH, BOTTOM / height, 1 - (LEFT + 0.35) / WIDTH, axes_h / height))
        hi_max = 0.0
        for y, row in zip(ys, rows, strict=True):
            est, lo, hi = (100 * float(v) for v in (row.estimate, row.ci_lower, row.ci_upper))  # type: ignore[arg-type]
            color = OKABE_ITO[0] if row.kind == "item" else (MUTED if row.kind == "none" else INK)
            ax.barh(y, est, height=0.62, color=color, gid=str(row.level))
            ax.plot([lo, hi], [y, y], color=INK, linewidth=0.9, solid_capstyle="butt", gid=f"{row.level}|ci")
            ax.text(hi + 1.0, y, pew_percent(est / 100), va="center", ha="left", fontsize=9, color=INK)
            hi_max = max(hi_max, hi)
        if len(rest):
            ax.axhline(len(items) - 0.5 + gap / 2, color="#CCCCCC", linewidth=0.6)
        ax.set_yticks(ys)
        ax.set_yticklabels([wrap(str(r.level), 44) for r in rows], fontsize=9, linespacing=1.0)
        for tick, r in zip(ax.get_yticklabels(), rows, strict=True):
            if r.kind == "net":
                tick.set_fontweight("bold")
        ax.set_ylim(ys[-1] + 0.5, -0.5)
        ax.set_xlim(0, max(hi_max + 8.0, 10.0))
        ax.set_xticks([])
        ax.tick_params(axis="y", length=0)
        for side in ("left", "top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        from pewlike.plots import source_line

        finish(
            fig,
            title=title,
            source=source_line(source, synthetic=synthetic, universe=result.universe_name),
            n_note=f"n = {fmt_int(result.n)} (unweighted, {'asked the battery' if result.base == 'asked' else 'all respondents'}). "
            f"Respondents could select more than one item. Whiskers: {result.level:.0%} confidence intervals.",
        )
    return fig


def grid_plot(
    grid: Grid,
    *,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
) -> Figure:
    """An item grid as one diverging chart: a bar per item, nets at both ends.

    Parameters
    ----------
    grid : Grid
        From :meth:`pewlike.Survey.grid`.
    title : str, optional
        Defaults to the items' shared wording.
    source : str, optional
        Data file named in the source line; ``synthetic`` adds "synthetic demo data".

    Returns
    -------
    matplotlib.figure.Figure
        As :func:`pewlike.plots.likert` with ``items=``: one row per item labelled with its
        short wording.

    Notes
    -----
    No R survey equivalent (Pew's diverging bars of ``svymean`` shares).

    Examples
    --------
    >>> import pewlike as pw
    >>> from pewlike.plots import grid_plot
    >>> fig = grid_plot(pw.demo().grid(["CONCERNCO", "CONCERNGOV"]))
    >>> len(fig.axes[0].get_yticklabels())
    2
    """
    from pewlike.estimation.indicators import trim_common_suffix
    from pewlike.plots import likert

    labels = trim_common_suffix(grid.labels)
    stem = f"{grid.question} \u2026" if grid.question and grid.question[-1].isalnum() else grid.question
    fig = likert(
        items=list(zip(labels, grid.toplines, strict=True)),
        title=title or stem or None,
        source=source,
        synthetic=synthetic,
    )
    ax = fig.axes[0]
    ticks = list(ax.get_yticks())
    ax.set_yticks(ticks)  # the item wordings, wrapped wider and smaller than likert's group labels
    ax.set_yticklabels([wrap(lab, 34) for lab in labels], fontsize=9, linespacing=1.0)
    return fig
