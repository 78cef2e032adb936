"""Long and hostile labels in every figure kind: wrapped or cut with an ellipsis, never overlapping (issue #11).

The survey is generated (seeded) with category labels far longer than a row, with no spaces,
and with markup; each figure is drawn and the extents of its texts are measured.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import pewlike as pw
from pewlike import plots
from pewlike.plots.theme import fit_label

SCALE = [
    "Very concerned about everything that is happening with the data that companies collect about me every day",
    "Somewhat concerned",
    "Not too concerned " + "x" * 120,  # a word longer than any line
    "Not at all concerned <b>&amp;</b> =SUM(A1)",
]
GROUPS = [
    "A group whose label is longer than the whole page " * 4,
    "Short",
    "Another really quite long group label that needs two lines at least",
]


def _survey(seed: int, n: int = 600) -> pw.Survey:
    rng = np.random.default_rng(seed)
    q = pd.Categorical.from_codes(rng.integers(0, 4, n), categories=SCALE, ordered=True)
    g = pd.Categorical.from_codes(rng.integers(0, 3, n), categories=GROUPS)
    frame = pd.DataFrame({"Q": q, "G": g, "x": rng.gamma(3.0, 2.0, n), "w": rng.gamma(4.0, 0.25, n)})
    svy = pw.Survey(frame, weights="w")
    return svy.relabel("Q", label="How concerned are you? " * 6).relabel("G", name="Group " * 10)


def _boxes(fig):
    """The drawn texts and their extents: figure texts, axes texts, labels, legends and the ticks in view."""
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = list(fig.texts)
    for ax in fig.axes:
        lo, hi = sorted(ax.get_xlim())
        texts += [t for t in ax.get_xticklabels() if lo <= t.get_position()[0] <= hi]
        lo, hi = sorted(ax.get_ylim())
        texts += [t for t in ax.get_yticklabels() if lo <= t.get_position()[1] <= hi]
        texts += [*ax.texts, ax.xaxis.label, ax.yaxis.label, ax.title]
        if ax.get_legend() is not None:
            texts += list(ax.get_legend().get_texts())
    out = [(t, t.get_window_extent(renderer)) for t in texts if t.get_visible() and str(t.get_text()).strip()]
    return out, fig.bbox


def _overlap(a, b, tol: float = 0.5) -> bool:
    return a.x0 + tol < b.x1 and b.x0 + tol < a.x1 and a.y0 + tol < b.y1 and b.y0 + tol < a.y1


def _check(fig, max_line: int = 32) -> None:
    boxes, fig_box = _boxes(fig)
    for text, bb in boxes:  # inside the page
        assert bb.x0 >= fig_box.x0 - 1 and bb.x1 <= fig_box.x1 + 1, text.get_text()
        assert bb.y0 >= fig_box.y0 - 1 and bb.y1 <= fig_box.y1 + 1, text.get_text()
    for ax in fig.axes:
        ticks = [t for t in ax.get_yticklabels() if t.get_text()]
        for t in ticks:
            lines = t.get_text().split("\n")
            assert len(lines) <= 2 and all(len(line) <= max_line for line in lines), t.get_text()
        tick_boxes = [(t, t.get_window_extent(fig.canvas.get_renderer())) for t in ticks]
        for (ta, a), (tb, b) in itertools.combinations(tick_boxes, 2):
            assert not _overlap(a, b), (ta.get_text(), tb.get_text())
        legend = ax.get_legend()
        if legend is not None:
            lb = legend.get_window_extent(fig.canvas.get_renderer())
            assert lb.x0 >= fig_box.x0 - 1 and lb.x1 <= fig_box.x1 + 1
            for t in fig.texts:  # the title and the source line
                if t.get_text().strip():
                    assert not _overlap(lb, t.get_window_extent(fig.canvas.get_renderer())), t.get_text()
            for t in legend.get_texts():
                lines = t.get_text().split("\n")
                assert len(lines) <= 2


@pytest.fixture(scope="module", params=[5, 23])
def svy(request) -> pw.Survey:
    return _survey(request.param)


def test_fit_label_wraps_and_cuts_with_an_ellipsis():
    assert fit_label("Somewhat concerned", 24) == "Somewhat concerned"
    assert fit_label("one two three four five six", 9, 2) == "one two\nthree…"
    long = fit_label("x" * 100, 10, 2)
    assert long == "x" * 10 + "\n" + "x" * 9 + "…"
    assert fit_label("a\x00b\x1b[31m red", 24) == "ab red"  # control characters and escape sequences dropped
    for width in (8, 14, 24):
        for text in (SCALE[0], SCALE[2], GROUPS[0]):
            lines = fit_label(text, width, 2).split("\n")
            assert len(lines) == 2 and all(len(x) <= width for x in lines) and lines[-1].endswith("…")


def test_likert_and_dot_plots_fit_long_labels(svy):
    top = svy.topline("Q", nets="auto")
    ct = svy.crosstab("Q", "G", nets="auto")
    fig = plots.likert(top, ct)
    _check(fig)
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert rows[:2] == ["Total", fit_label("Group " * 10, 24, 2)]  # the heading: G's short name
    assert rows[2] == fit_label(GROUPS[0], 24, 2) and rows[2].endswith("…")
    # the bars are still the estimates
    f = top.to_frame()
    share = f.loc[f["level"].astype(str) == SCALE[1], "estimate"].iloc[0]
    (bar,) = [p for p in fig.axes[0].patches if p.get_gid() == f"Total|{SCALE[1]}"]
    assert bar.get_width() == pytest.approx(100 * share)
    _check(plots.dot_plot(ct, level=SCALE[0]))


def test_paired_dots_and_items_likert_fit_long_labels(svy):
    other = svy.relabel("Q", name="Other")
    a, b = svy.crosstab("Q", "G"), other.crosstab("Q", "G")
    fig = plots.paired_dots(a, b, level_first=SCALE[0], labels=(GROUPS[0], GROUPS[2]))
    _check(fig)
    assert [c.get_gid() for c in fig.axes[0].collections if c.get_gid() in GROUPS] == [GROUPS[0], GROUPS[2]]
    _check(plots.likert(items=[(GROUPS[0], svy.topline("Q")), (GROUPS[2], other.topline("Q"))]))


def test_model_figures_fit_long_labels(svy):
    fit = svy.logit(f"Q in [{SCALE[0]!r}, {SCALE[1]!r}] ~ G")
    labels = {t: lab.heading() for t, lab in fit.readable_terms().items()}
    frame = fit.odds_ratios().rename(columns={"odds_ratio": "estimate"})
    fig = plots.coef_plot(frame, title=fit.display_title(odds=True), labels=labels)
    _check(fig)
    heads = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_fontweight() == "bold"]
    assert len(heads) == 1 and heads[0].split("\n")[-1].startswith("(vs. ")  # the reference survives
    me = fit.marginal_effects("G").to_frame()
    _check(plots.predicted_plot(me, group="G", title="Predicted"))
    ofit = svy.ologit("Q ~ G")
    _check(plots.predicted_plot(ofit.marginal_effects("G").to_frame(), group="G", title="Predicted"))


def test_distribution_figures_fit_long_labels(svy):
    _check(plots.hist_plot(svy.hist("x", by="G")))
    fig = plots.box_plot(svy.boxplot("x", by="G"))
    _check(fig, max_line=30)
    assert all("(n=" in t.get_text() for t in fig.axes[0].get_yticklabels())  # the n always shows
    shares = svy.proportion("G").to_frame()
    raked = svy.rake({"G": dict(zip(GROUPS, [0.5, 0.2, 0.3]))})
    ws = raked.weight_summary()
    assert len(shares) == 3
    _check(plots.margins_plot(ws), max_line=30)
    _check(plots.weights_plot(ws))
