"""Figures of a trend across waves (:meth:`pewlike.Survey.trend`), with significant changes marked.

* two waves: a dumbbell (slope) chart -- one row per answer (or per group for one answer),
  a dot for each wave with its confidence interval, a line joining them, and the change in
  points at the right, bold with ``*`` where significant;
* three or more waves: lines across the waves with confidence bands, one line per answer
  (or per group); a segment between adjacent waves is solid where that change is
  significant and dashed where not, and each line ends with its first-to-last change.

Drawn only from ``trend.to_frame()`` and ``trend.changes()``.  Every dot carries the
``gid`` ``"<row>|<wave>"``, every joining line or segment ``"<row>|<from>-><to>|sig"`` (or
``|ns``), so what was drawn can be checked against the estimates.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import PewlikeError
from pewlike.plots.theme import INK, MUTED, OKABE_ITO, WIDTH, finish, new_figure, style, title_height, wrap
from pewlike.tables.export import fmt_int

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["trend_plot"]

ROW = 0.42  # inches per row of a dumbbell chart
LEFT = 2.5  # inches for row labels
RIGHT = 0.8  # inches for the change labels
BOTTOM = 0.85  # inches under the axes: source and n lines


def _rows(trend: Any, level: str | None) -> tuple[list[str], pd.DataFrame, pd.DataFrame, str]:
    """Row labels, the shares and the changes drawn, and what the rows are (answers or groups)."""
    frame = trend.to_frame()
    changes = trend.changes()
    frame["level"] = frame["level"].astype(str)
    changes["level"] = changes["level"].astype(str)
    levels = list(dict.fromkeys(frame["level"]))
    if level is not None and level not in levels:
        raise PewlikeError(
            f"level={level!r} is not an answer or net of {trend.variable!r}; choose one of "
            + ", ".join(repr(v) for v in levels)
        )
    by = list(trend.by)
    if not by:
        if level is not None:
            frame, changes = frame[frame["level"] == level], changes[changes["level"] == level]
        frame = frame.assign(_row=frame["level"])
        changes = changes.assign(_row=changes["level"])
        return list(dict.fromkeys(frame["_row"])), frame, changes, ""
    pick = level if level is not None else levels[0]
    frame, changes = frame[frame["level"] == pick].copy(), changes[changes["level"] == pick].copy()
    frame["_row"] = frame[by].astype(str).agg(", ".join, axis=1)
    changes["_row"] = changes[by].astype(str).agg(", ".join, axis=1)
    return list(dict.fromkeys(frame["_row"])), frame, changes, pick


def _change(changes: pd.DataFrame, row: str, a: str, b: str) -> tuple[float, bool]:
    sel = changes[(changes["_row"] == row) & (changes["from_wave"] == a) & (changes["to_wave"] == b)]
    if not len(sel):
        return float("nan"), False
    return float(sel["difference"].iloc[0]), bool(sel["significant"].iloc[0])


def _change_text(d: float, sig: bool) -> str:
    return "" if not np.isfinite(d) else f"{100 * d:+.0f}" + ("*" if sig else "")


def _n_note(trend: Any) -> str:
    frame = trend.to_frame()
    covered = np.asarray(getattr(trend, "covered", np.ones(len(frame), dtype=bool)), dtype=bool)
    base = frame[covered].groupby("wave", observed=True)["n"].sum()
    parts = ", ".join(f"{fmt_int(int(base.get(w, 0)))} ({w})" for w in trend.waves)
    return f"n = {parts} (unweighted)."


def trend_plot(
    trend: Any,
    *,
    level: str | None = None,
    title: str | None = None,
    source: str | None = None,
    synthetic: bool = False,
) -> Figure:
    """A trend across waves: a dumbbell for two waves, lines with confidence bands for more.

    Parameters
    ----------
    trend : Trend
        From :meth:`pewlike.Survey.trend`.
    level : str, optional
        The answer or net drawn.  Without groups the default draws every answer and net
        (one row or line each); with groups (``by=``) one answer is drawn per group, the
        first answer by default.
    title : str, optional
        Defaults to the question wording.
    source : str, optional
        Data file named in the source line; ``synthetic`` adds "synthetic demo data".

    Returns
    -------
    matplotlib.figure.Figure
        Dots (gid ``"<row>|<wave>"``) at the shares in percent; joining lines (gid
        ``"<row>|<from>-><to>|sig"`` or ``"|ns"``); change labels in points, ``*`` and bold
        where significant (``changes()["significant"]``).

    Raises
    ------
    PewlikeError
        ``level`` is not an answer or net of the trend.

    Notes
    -----
    No R survey equivalent: a chart of ``svyby(~I(q == x), ~WAVE, design, svyciprop)`` per
    wave with ``svycontrast`` tests of the changes.

    Examples
    --------
    >>> import pewlike as pw
    >>> from pewlike.plots import trend_plot
    >>> svy = pw.stack({"2019": pw.demo(), "2023": pw.demo("2023")})
    >>> fig = trend_plot(svy.trend("CONCERNCO"), level="Very concerned")
    >>> sorted(p.get_gid() for p in fig.axes[0].collections if p.get_gid() and "|20" in p.get_gid())
    ['Very concerned|2019', 'Very concerned|2023']
    """
    labels, frame, changes, pick = _rows(trend, level)
    title = title or trend.question or trend.variable
    src = _source_line(source, synthetic)
    test = f"* change significant at p < {trend.alpha:g}."
    with style():
        if len(trend.waves) == 2:
            fig = _dumbbell(trend, labels, frame, changes, pick, title)
            note = f"{_n_note(trend)} Whiskers: {trend.level:.0%} confidence intervals; {test}"
        else:
            fig = _lines(trend, labels, frame, changes, pick, title)
            note = (
                f"{_n_note(trend)} Bands: {trend.level:.0%} confidence intervals; solid segments: "
                f"significant change between adjacent waves; {test}"
            )
        finish(fig, title=title, source=src, n_note=note)
    return fig


def _source_line(source: str | None, synthetic: bool) -> str:
    from pewlike.plots import source_line

    return source_line(source, synthetic=synthetic)


def _subtitle(ax: Axes, trend: Any, pick: str) -> None:
    what = f"% saying: {pick}" if pick else "%"
    ax.text(0.0, 1.02, f"{what}, by wave", fontsize=9.5, color=MUTED, va="bottom", transform=ax.transAxes)


def _at(frame: pd.DataFrame, row: str, wave: str) -> tuple[float, float, float]:
    sel = frame[(frame["_row"] == row) & (frame["wave"].astype(str) == wave)]
    if not len(sel):
        return float("nan"), float("nan"), float("nan")
    r = sel.iloc[0]
    return 100 * float(r["estimate"]), 100 * float(r["ci_lower"]), 100 * float(r["ci_upper"])


def _dumbbell(
    trend: Any, labels: list[str], frame: pd.DataFrame, changes: pd.DataFrame, pick: str, title: str
) -> Figure:
    a, b = trend.waves
    top = title_height(title) + 0.5
    axes_h = max(len(labels), 1) * ROW
    height = top + axes_h + BOTTOM
    fig = new_figure(height)
    ax = fig.add_axes((LEFT / WIDTH, BOTTOM / height, 1 - (LEFT + RIGHT) / WIDTH, axes_h / height))
    colors = {a: OKABE_ITO[0], b: OKABE_ITO[5]}
    lows, highs = [], []
    for y, row in enumerate(labels):
        ea, la, ha = _at(frame, row, a)
        eb, lb, hb = _at(frame, row, b)
        d, sig = _change(changes, row, a, b)
        if np.isfinite(ea) and np.isfinite(eb):
            (line,) = ax.plot(
                [ea, eb], [y, y], color=INK if sig else "#BBBBBB", linewidth=2.4 if sig else 1.6, zorder=1
            )
            line.set_gid(f"{row}|{a}->{b}|{'sig' if sig else 'ns'}")
        for w, e, lo, hi, off, marker in ((a, ea, la, ha, -0.1, "o"), (b, eb, lb, hb, 0.1, "D")):
            if not np.isfinite(e):
                continue
            ax.hlines(y + off, lo, hi, color=colors[w], linewidth=1.1, alpha=0.8, zorder=2)
            pts = ax.scatter(
                [e], [y + off], s=42, color=colors[w], marker=marker, zorder=3, label=w if y == 0 else None
            )
            pts.set_gid(f"{row}|{w}")
            lows.append(lo)
            highs.append(hi)
        ax.text(
            1.01,
            y,
            _change_text(d, sig),
            transform=ax.get_yaxis_transform(),
            va="center",
            ha="left",
            fontsize=9.5,
            fontweight="bold" if sig else "normal",
            color=INK,
        )
    _axis(ax, lows, highs)
    ax.set_yticks(np.arange(len(labels)))
    ax.set_yticklabels([wrap(lab, 24) for lab in labels], linespacing=1.0)
    ax.set_ylim(len(labels) - 0.4, -0.6)
    ax.tick_params(axis="y", length=0)
    for side in ("left", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.text(1.01, 1.02, "Change", transform=ax.transAxes, fontsize=9, color=MUTED, va="bottom", ha="left")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=9, handletextpad=0.3, borderaxespad=0.1)
    _subtitle(ax, trend, pick)
    return fig


def _axis(ax: Axes, lows: list[float], highs: list[float]) -> None:
    lo = max(0.0, 10 * np.floor((min(lows, default=0.0) - 3) / 10))
    hi = min(100.0, 10 * np.ceil((max(highs, default=100.0) + 3) / 10))
    ax.set_xlim(lo, hi)
    ax.xaxis.grid(True, color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="x", labelsize=8.5, colors=MUTED)


def _lines(trend: Any, labels: list[str], frame: pd.DataFrame, changes: pd.DataFrame, pick: str, title: str) -> Figure:
    waves = list(trend.waves)
    top = title_height(title) + 0.5
    axes_h = 3.6
    right = 2.2
    height = top + axes_h + BOTTOM
    fig = new_figure(height)
    ax = fig.add_axes((0.8 / WIDTH, BOTTOM / height, 1 - (0.8 + right) / WIDTH, axes_h / height))
    x = np.arange(len(waves), dtype=float)
    lows: list[float] = []
    highs: list[float] = []
    ends: list[tuple[float, float, str, bool, str]] = []
    for k, row in enumerate(labels):
        color = OKABE_ITO[k % len(OKABE_ITO)]
        pts = np.array([_at(frame, row, w) for w in waves])
        est, lo, hi = pts[:, 0], pts[:, 1], pts[:, 2]
        ok = np.isfinite(est)
        ax.fill_between(x[ok], lo[ok], hi[ok], color=color, alpha=0.15, linewidth=0, zorder=1)
        for i in range(len(waves) - 1):
            if not (ok[i] and ok[i + 1]):
                continue
            _, sig = _change(changes, row, waves[i], waves[i + 1])
            (seg,) = ax.plot(
                x[i : i + 2],
                est[i : i + 2],
                color=color,
                linewidth=2.2,
                linestyle="-" if sig else (0, (3, 2)),
                zorder=2,
            )
            seg.set_gid(f"{row}|{waves[i]}->{waves[i + 1]}|{'sig' if sig else 'ns'}")
        for i in np.flatnonzero(ok).tolist():
            dot = ax.scatter([x[i]], [est[i]], s=30, color=color, zorder=3)
            dot.set_gid(f"{row}|{waves[i]}")
        lows += list(lo[ok])
        highs += list(hi[ok])
        d, sig = _change(changes, row, waves[0], waves[-1])
        last = int(np.flatnonzero(ok)[-1]) if ok.any() else len(waves) - 1
        ends.append(
            (
                float(est[last]) if ok.any() else 0.0,
                x[last],
                f"{wrap(row, 22)} {_change_text(d, sig)}".strip(),
                sig,
                color,
            )
        )
    lo_ = max(0.0, 10 * np.floor((min(lows, default=0.0) - 3) / 10))
    hi_ = min(100.0, 10 * np.ceil((max(highs, default=100.0) + 3) / 10))
    for y, (_, xe, text, sig, color) in zip(_spread([e[0] for e in ends], 0.045 * (hi_ - lo_)), ends, strict=True):
        ax.text(
            xe + 0.12,
            y,
            text,
            va="center",
            ha="left",
            fontsize=8.5,
            fontweight="bold" if sig else "normal",
            color=color,
        )
    ax.set_xticks(x)
    ax.set_xticklabels([wrap(w, 12) for w in waves])
    ax.set_xlim(-0.2, len(waves) - 0.8)
    ax.set_ylim(lo_, hi_)
    ax.yaxis.grid(True, color="#E5E5E5", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="both", labelsize=8.5, colors=MUTED)
    ax.text(
        1.0,
        1.02,
        f"Change {waves[0]}-{waves[-1]}",
        transform=ax.transAxes,
        fontsize=9,
        color=MUTED,
        va="bottom",
        ha="left",
    )
    _subtitle(ax, trend, pick)
    return fig


def _spread(ys: list[float], gap: float) -> list[float]:
    """Label positions near ``ys`` at least ``gap`` apart (order kept), so end labels do not overlap."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = list(ys)
    for prev, i in pairwise(order):
        out[i] = max(out[i], out[prev] + gap)
    return out
