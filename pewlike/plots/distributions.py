"""Figures of distributions: weighted histograms and box plots, and the weights themselves.

* :func:`hist_plot` - a weighted histogram (``svy.hist``), one panel per group;
* :func:`box_plot` - weighted box plots (``svy.boxplot``), one box per group;
* :func:`weights_plot` - the distribution of the weights with the Kish design effect, the
  effective sample size and the trimming limits (``svy.weight_summary()``);
* :func:`margins_plot` - achieved vs target margins of a weighting step: for each category
  the target, the share before the step (and unweighted) and the share after it.

Each draws only what its result holds (``to_frame()``, ``box()``, ``bins``, ``margins``) and
never recomputes.  Every bar, box and point carries a ``gid`` (``"<group>|<bin>"``,
``"<group>|box"``, ``"<variable>|<level>|<series>"``) so what was drawn can be checked.

matplotlib draws them; seaborn is not used: its ``histplot(weights=)`` and ``boxplot`` would
compute the bins and quartiles again with their own rules (and without the design), while
these figures must show exactly R's ``svyhist`` edges and ``svyquantile`` quartiles from the
results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import EstimationError
from pewlike.plots.theme import (
    INK,
    MUTED,
    OKABE_ITO,
    WIDTH,
    finish,
    fit_label,
    new_figure,
    style,
    title_height,
    wrap,
)
from pewlike.tables.export import fmt_int

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

    from pewlike.estimation.distribution import BoxPlot, Histogram
    from pewlike.weighting.summary import WeightSummary

__all__ = ["box_plot", "hist_plot", "margins_plot", "weights_plot"]

LEFT = 0.9  # inches left of a histogram's axes
BOX_LEFT = 2.5  # inches for the group labels of box plots
BOTTOM = 0.95  # inches under the axes: axis label, source and n lines


def _source(source: str | None, synthetic: bool, universe: str | None) -> str:
    from pewlike.plots import source_line

    return source_line(source, synthetic=synthetic, universe=universe)


def _groups(frame: pd.DataFrame, by: tuple[str, ...]) -> list[tuple[str, pd.DataFrame]]:
    """The rows of each domain in order, labelled ``"a, b"`` (``"All"`` without ``by``)."""
    if not by:
        return [("All", frame)]
    keys = frame[list(by)].astype(str).agg(", ".join, axis=1)
    return [(k, frame[keys == k]) for k in dict.fromkeys(keys)]


def hist_plot(
    hist: Histogram,
    *,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
) -> Figure:
    """A weighted histogram (density or weighted count), one panel per group on shared bins.

    Parameters
    ----------
    hist : Histogram
        From :meth:`pewlike.Survey.hist`.
    title : str, optional
        Defaults to the variable's wording (or name).
    source : str, optional
        Data file named in the source line; ``synthetic`` adds "synthetic demo data".

    Returns
    -------
    matplotlib.figure.Figure
        A bar per bin with ``gid`` ``"<group>|<bin>"`` and height the ``density`` (or
        ``count`` when the histogram was made with ``density=False``).

    Notes
    -----
    Equivalent to the plot ``svyhist(~var, design)`` draws in R survey.

    Examples
    --------
    >>> import pandas as pd, pewlike as pw
    >>> from pewlike.plots import hist_plot
    >>> small = pw.Survey(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]}), weights="w")
    >>> fig = hist_plot(small.hist("x", bins=[0, 2, 4]))
    >>> [round(float(p.get_height()), 4) for p in fig.axes[0].patches]
    [0.1667, 0.3333]
    """
    frame = hist.to_frame()
    col = "density" if hist.density else "count"
    groups = _groups(frame, hist.by)
    title = title or hist.question or hist.variable
    panel = 2.4 if len(groups) == 1 else 1.35
    top = title_height(title) + 0.15
    height = top + panel * len(groups) + BOTTOM
    n = int(frame.groupby(list(hist.by), observed=True)["n"].sum().sum()) if hist.by else int(frame["n"].sum())
    with style():
        fig = new_figure(height)
        axes = []
        for i, (name, rows) in enumerate(groups):
            bottom = BOTTOM + panel * (len(groups) - 1 - i) + 0.12
            ax = fig.add_axes((LEFT / WIDTH, bottom / height, 1 - (LEFT + 0.3) / WIDTH, (panel - 0.3) / height))
            lo = rows["bin_lower"].to_numpy(dtype=float)
            hi = rows["bin_upper"].to_numpy(dtype=float)
            val = rows[col].to_numpy(dtype=float)
            bars = ax.bar(lo, val, width=hi - lo, align="edge", color=OKABE_ITO[0], edgecolor="white", linewidth=0.6)
            for bar, lev in zip(bars, rows["level"].astype(str)):
                bar.set_gid(f"{name}|{lev}")
            ax.set_xlim(float(hist.breaks[0]), float(hist.breaks[-1]))
            ax.yaxis.grid(True, color="#E5E5E5", linewidth=0.6)
            ax.set_axisbelow(True)
            ax.tick_params(labelsize=8.5, colors=MUTED)
            if hist.by:
                ax.text(
                    0.0,
                    1.02,
                    fit_label(name, 80, 1),
                    transform=ax.transAxes,
                    fontsize=9.5,
                    fontweight="bold",
                    va="bottom",
                )
            if i < len(groups) - 1:
                ax.tick_params(labelbottom=False)
            axes.append(ax)
        ymax = max(float(ax.get_ylim()[1]) for ax in axes)
        for ax in axes:
            ax.set_ylim(0, ymax)
        axes[-1].set_xlabel(wrap(hist.variable, 80), fontsize=9, color=MUTED)
        fig.text(
            0.1 / WIDTH,
            (BOTTOM + panel * len(groups) / 2) / height,
            "Density (weighted)" if hist.density else "Weighted count",
            rotation=90,
            va="center",
            ha="left",
            fontsize=10,
            color=MUTED,
        )
        finish(
            fig,
            title=title,
            source=_source(source, synthetic, hist.universe_name),
            n_note=f"n = {fmt_int(n)} (unweighted). Bars: weighted shares per unit of width, as R's svyhist."
            if hist.density
            else f"n = {fmt_int(n)} (unweighted). Bars: weighted counts.",
        )
    return fig


def box_plot(
    box: BoxPlot,
    *,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
) -> Figure:
    """Weighted box plots, one horizontal box per group.

    Parameters
    ----------
    box : BoxPlot
        From :meth:`pewlike.Survey.boxplot`.
    title : str, optional
        Defaults to the variable's wording (or name).
    source : str, optional
        Data file named in the source line; ``synthetic`` adds "synthetic demo data".

    Returns
    -------
    matplotlib.figure.Figure
        Per group a box (``gid`` ``"<group>|box"``) from q1 to q3, the median
        (``"<group>|median"``), whiskers (``"<group>|whiskers"``) and the outliers
        (``"<group>|outliers"``).

    Notes
    -----
    Equivalent to ``svyboxplot(var ~ by, design)`` in R survey (horizontal, as Pew draws
    groups).

    Examples
    --------
    >>> import pandas as pd, pewlike as pw
    >>> from pewlike.plots import box_plot
    >>> small = pw.Survey(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]}), weights="w")
    >>> fig = box_plot(small.boxplot("x"))
    >>> [p.get_gid() for p in fig.axes[0].patches]
    ['All|box']
    """
    from matplotlib.patches import Rectangle

    stats = box.box()
    names = stats[list(box.by)].astype(str).agg(", ".join, axis=1).tolist() if box.by else ["All"]
    title = title or box.question or box.variable
    row = 0.5
    top = title_height(title) + 0.15
    axes_h = max(len(names), 1) * row + 0.2
    height = top + axes_h + BOTTOM
    out = box.outliers
    with style():
        fig = new_figure(height)
        ax = fig.add_axes((BOX_LEFT / WIDTH, BOTTOM / height, 1 - (BOX_LEFT + 0.3) / WIDTH, axes_h / height))
        cols = ("lower_whisker", "q1", "median", "q3", "upper_whisker")
        five = stats[list(cols)].to_numpy(dtype=float)
        for y, (name, (w_lo, q1, med_, q3, w_hi)) in enumerate(zip(names, five.tolist())):
            rect = Rectangle((q1, y - 0.3), q3 - q1, 0.6, facecolor="#C6DBEF", edgecolor=OKABE_ITO[0], linewidth=1.2)
            rect.set_gid(f"{name}|box")
            ax.add_patch(rect)
            (med,) = ax.plot([med_, med_], [y - 0.3, y + 0.3], color=INK, linewidth=2.0)
            med.set_gid(f"{name}|median")
            whisk = ax.hlines([y, y], [w_lo, q3], [q1, w_hi], color=OKABE_ITO[0], linewidth=1.2)
            whisk.set_gid(f"{name}|whiskers")
            caps = ax.vlines([w_lo, w_hi], y - 0.15, y + 0.15, color=OKABE_ITO[0], linewidth=1.2)
            caps.set_gid(f"{name}|caps")
            if box.by:
                sel = (out[list(box.by)].astype(str).agg(", ".join, axis=1) == name).to_numpy()
            else:
                sel = np.ones(len(out), dtype=bool)
            pts = out["value"].to_numpy(dtype=float)[sel] if len(out) else np.array([])
            if pts.size:
                sc = ax.scatter(pts, np.full(pts.size, y), s=18, facecolors="none", edgecolors=MUTED, zorder=3)
                sc.set_gid(f"{name}|outliers")
        ax.set_yticks(np.arange(len(names)))
        ax.set_yticklabels([_box_label(nm, int(k)) for nm, k in zip(names, stats["n"])])
        ax.set_ylim(len(names) - 0.4, -0.6)
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", labelsize=8.5, colors=MUTED)
        ax.xaxis.grid(True, color="#E5E5E5", linewidth=0.6)
        ax.set_axisbelow(True)
        lo = float(np.nanmin([stats["lower_whisker"].min(), *(out["value"] if len(out) else [])]))
        hi = float(np.nanmax([stats["upper_whisker"].max(), *(out["value"] if len(out) else [])]))
        pad = 0.04 * (hi - lo) if hi > lo else 1.0
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_xlabel(wrap(box.variable, 80), fontsize=9, color=MUTED)
        for side in ("left", "top", "right"):
            ax.spines[side].set_visible(False)
        n = int(stats["n"].sum())
        finish(
            fig,
            title=title,
            source=_source(source, synthetic, box.universe_name),
            n_note=f"n = {fmt_int(n)} (unweighted). Boxes: weighted quartiles (svyquantile); "
            "whiskers to 1.5 times the interquartile range.",
        )
    return fig


def weights_plot(
    summary: WeightSummary,
    *,
    title: str = "Distribution of the weights",
    source: str | None = None,
    synthetic: bool = False,
) -> Figure:
    """Respondents by weight, with the Kish design effect, effective n and trimming limits marked.

    Parameters
    ----------
    summary : WeightSummary
        From :meth:`pewlike.Survey.weight_summary` (in memory: it holds the weights' bins).
    title : str
        The figure's title.
    source : str, optional
        Data file named in the source line; ``synthetic`` adds "synthetic demo data".

    Returns
    -------
    matplotlib.figure.Figure
        A bar per bin (``gid`` ``"weights|<lower>"``, height the number of respondents), a
        dashed line at each finite trimming limit (``gid`` ``"trim|lower"``/``"trim|upper"``).

    Raises
    ------
    EstimationError
        The summary has no weight distribution (a partitioned survey).

    Notes
    -----
    No R survey equivalent: ``hist(weights(design))`` annotated with
    ``pewmethods::calculate_deff``.

    Examples
    --------
    >>> import pewlike as pw
    >>> from pewlike.plots import weights_plot
    >>> fig = weights_plot(pw.demo().weight_summary())
    >>> int(sum(p.get_height() for p in fig.axes[0].patches)) == pw.demo().weight_summary().n
    True
    """
    bins = summary.bins
    if bins is None:
        raise EstimationError(
            "this weight summary has no weight distribution (a partitioned survey); "
            "draw it from svy.collect().weight_summary() or svy.sample(frac=0.05, seed=1).weight_summary()"
        )
    subtitle = (
        f"Kish design effect {summary.deff:.2f}; effective sample size {summary.ess:,.0f} of "
        f"{summary.n:,} respondents; margin of error +/- {summary.moe:.1f} points"
    )
    top = title_height(title, subtitle) + 0.15
    axes_h = 2.6
    height = top + axes_h + BOTTOM
    lo = bins["bin_lower"].to_numpy(dtype=float)
    hi = bins["bin_upper"].to_numpy(dtype=float)
    n = bins["n"].to_numpy(dtype=float)
    with style():
        fig = new_figure(height)
        ax = fig.add_axes((LEFT / WIDTH, BOTTOM / height, 1 - (LEFT + 0.3) / WIDTH, axes_h / height))
        bars = ax.bar(lo, n, width=hi - lo, align="edge", color=OKABE_ITO[0], edgecolor="white", linewidth=0.6)
        for bar, a in zip(bars, lo):
            bar.set_gid(f"weights|{a:g}")
        ax.set_xlim(float(lo[0]), float(hi[-1]))
        ymax = float(n.max()) * 1.12 if n.size and n.max() > 0 else 1.0
        ax.set_ylim(0, ymax)
        ax.axvline(summary.mean, color=INK, linewidth=0.9).set_gid("mean")
        ax.text(summary.mean, ymax, f" mean {summary.mean:.3g}", fontsize=8.5, color=INK, va="top", ha="left")
        if summary.trim_limits is not None:
            for side, limit in zip(("lower", "upper"), summary.trim_limits):
                if np.isfinite(limit):
                    ax.axvline(limit, color=OKABE_ITO[5], linewidth=1.2, linestyle="--").set_gid(f"trim|{side}")
                    ax.text(
                        limit,
                        ymax * 0.9,
                        f" trimmed at {limit:.3g} " if side == "upper" else f" trimmed at {limit:.3g}",
                        fontsize=8.5,
                        color=OKABE_ITO[5],
                        va="top",
                        ha="right" if side == "upper" else "left",
                    )
        ax.yaxis.grid(True, color="#E5E5E5", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=8.5, colors=MUTED)
        ax.set_xlabel("Weight", fontsize=9, color=MUTED)
        ax.set_ylabel("Respondents", color=MUTED)
        # the bars count respondents: the source line says so rather than "weighted"
        src = f"Source: {source or 'survey data'}; unweighted counts" + ("; synthetic demo data." if synthetic else ".")
        finish(
            fig,
            title=title,
            subtitle=subtitle,
            source=src,
            n_note=f"n = {fmt_int(summary.n)} respondents with a non-zero weight; range "
            f"{summary.min:.3g} - {summary.max:.3g}.",
        )
    return fig


_SERIES = (
    ("unweighted", "Unweighted", "s", "#BDBDBD"),
    ("before", "Before weighting step", "o", OKABE_ITO[1]),
    ("achieved", "After weighting step", "o", OKABE_ITO[0]),
)


def margins_plot(
    summary: WeightSummary,
    *,
    title: str = "Achieved vs target margins",
    source: str | None = None,
    synthetic: bool = False,
) -> Figure:
    """Per weighting category: the target (a bar), the share before the step and after it (points).

    Parameters
    ----------
    summary : WeightSummary
        From :meth:`pewlike.Survey.weight_summary` after ``rake``, ``poststratify`` or
        ``calibrate``.
    title : str
        The figure's title.
    source : str, optional
        Data file named in the source line; ``synthetic`` adds "synthetic demo data".

    Returns
    -------
    matplotlib.figure.Figure
        Target bars (``gid`` ``"<variable>|<level>|target"``, length the target in percent)
        and the points of the series ``unweighted``, ``before`` and ``achieved`` (``gid``
        ``"<series>"``, one point per category, in row order).

    Raises
    ------
    EstimationError
        The survey has no weighting step with margins.

    Notes
    -----
    As ``pewmethods``' achieved-vs-target tables, drawn.

    Examples
    --------
    >>> import pewlike as pw
    >>> svy = pw.demo().subset("F_SEX != 'Refused'")
    >>> from pewlike.plots import margins_plot
    >>> fig = margins_plot(svy.rake({"F_SEX": {"Male": 0.5, "Female": 0.5}}).weight_summary())
    >>> [round(float(p.get_width()), 1) for p in fig.axes[0].patches]
    [50.0, 50.0]
    """
    from pewlike.plots import LEFT as ROW_LEFT
    from pewlike.plots import ROW

    m = summary.margins
    if m is None or not len(m):
        raise EstimationError(
            "these weights have no achieved vs target margins: rake, poststratify or calibrate the survey "
            "first (svy.rake({...}).weight_summary())"
        )
    m = m[m["level"].notna()].reset_index(drop=True)  # numeric calibration totals are not shares
    labels: list[str] = []
    ys: list[float] = []
    heads: list[tuple[float, str]] = []
    last = None
    y = 0.0
    for var, lev in zip(m["variable"].astype(str), m["level"].astype(str)):
        if var != last:
            heads.append((y, var))
            y += 1
            last = var
        labels.append(lev)
        ys.append(y)
        y += 1
    top = title_height(title) + 0.45
    axes_h = max(y, 1) * ROW
    height = top + axes_h + BOTTOM
    yy = np.asarray(ys)
    with style():
        fig = new_figure(height)
        ax = fig.add_axes((ROW_LEFT / WIDTH, BOTTOM / height, 1 - (ROW_LEFT + 0.25) / WIDTH, axes_h / height))
        target = 100 * m["target"].to_numpy(dtype=float)
        bars = ax.barh(yy, target, height=0.6, color="#E5E5E5", edgecolor="#BDBDBD", linewidth=0.6, label="Target")
        for bar, var, lev in zip(bars, m["variable"].astype(str), labels):
            bar.set_gid(f"{var}|{lev}|target")
        for col, name, marker, color in _SERIES:
            if col in m.columns:
                pts = ax.scatter(
                    100 * m[col].to_numpy(dtype=float), yy, s=36, marker=marker, color=color, zorder=3, label=name
                )
                pts.set_gid(col)
        ticks = [*yy.tolist(), *(h for h, _ in heads)]
        texts = [fit_label(lab, 30, 1) for lab in labels] + [fit_label(v, 28, 1) for _, v in heads]
        ax.set_yticks(ticks)
        ax.set_yticklabels(texts)
        for tick, i in zip(ax.get_yticklabels(), range(len(texts))):
            if i >= len(labels):
                tick.set_fontweight("bold")
        ax.set_ylim(y - 0.4, -0.6)
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", labelsize=8.5, colors=MUTED)
        ax.xaxis.grid(True, color="#E5E5E5", linewidth=0.6)
        ax.set_axisbelow(True)
        hi = float(np.nanmax(100 * m[[c for c, *_ in _SERIES if c in m.columns] + ["target"]].to_numpy(dtype=float)))
        ax.set_xlim(0, min(100.0, 10 * np.ceil((hi + 5) / 10)))
        ax.set_xlabel("% of the weighted total", fontsize=9, color=MUTED)
        for side in ("left", "top", "right"):
            ax.spines[side].set_visible(False)
        # anchored on the right: four entries are as wide as the axes, and stay inside the page
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=4, fontsize=8.5, handletextpad=0.3)
        method = summary.record.method if summary.record is not None else "weighting"
        finish(
            fig,
            title=title,
            source=_source(source, synthetic, None),
            n_note=f"n = {fmt_int(summary.n)} (unweighted). Step: {method}; largest gap "
            f"{100 * float(m['difference'].abs().max()):.2g} points.",
        )
    return fig


def _box_label(name: str, n: int) -> str:
    """A box's row label: the group on two lines at most (an ellipsis beyond), and its n, always shown."""
    tail = f" (n={fmt_int(n)})"
    full = fit_label(name + tail, 30, 2)
    return full if not full.endswith("…") else fit_label(name, 30 - len(tail), 2) + tail
