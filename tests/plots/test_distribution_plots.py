"""Figures of distributions and weights: what is drawn equals the results, and bytes reproduce."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.patches import Rectangle

import pewlike as pw
from pewlike import plots
from pewlike.errors import EstimationError
from pewlike.plots.theme import figure_bytes

AGES = {"18-29": 0.21, "30-49": 0.33, "50-64": 0.25, "65+": 0.21}


def _svy() -> pw.Survey:
    rng = np.random.default_rng(8)
    n = 300
    data = pd.DataFrame(
        {
            "x": np.round(rng.gamma(3.0, 10.0, n), 1),
            "g": rng.choice(["North", "South"], n),
            "w": rng.uniform(0.5, 2.5, n),
        }
    )
    return pw.Survey(data, weights="w")


def _gid(fig, gid):
    return [a for a in fig.findobj() if a.get_gid() == gid]


def _texts(fig) -> str:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts] + [t.get_text() for t in ax.get_yticklabels()]
    return "\n".join(out)


def test_histogram_bars_are_the_densities_and_counts():
    h = _svy().hist("x", by="g")
    f = h.to_frame()
    fig = plots.hist_plot(h, title="Spending", source="s.csv")
    assert len(fig.axes) == 2
    for name, ax in zip(["North", "South"], fig.axes):
        rows = f[f["g"].astype(str) == name]
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        assert [b.get_gid() for b in bars] == [f"{name}|{lev}" for lev in rows["level"].astype(str)]
        np.testing.assert_allclose([b.get_height() for b in bars], rows["density"], rtol=1e-12)
        np.testing.assert_allclose([b.get_x() for b in bars], rows["bin_lower"])
        np.testing.assert_allclose([b.get_width() for b in bars], rows["bin_upper"] - rows["bin_lower"])
    text = _texts(fig)
    assert "Spending" in text and "Source: s.csv, weighted." in text and f"n = {int(f['n'].sum())}" in text
    counts = _svy().hist("x", density=False)
    fig2 = plots.hist_plot(counts)
    np.testing.assert_allclose([b.get_height() for b in fig2.axes[0].patches], counts.to_frame()["count"])
    assert "Weighted count" in _texts(fig2)


def test_box_plot_draws_the_quartiles_whiskers_and_outliers():
    b = _svy().boxplot("x", by="g", all_outliers=True)
    stats = b.box()
    fig = plots.box_plot(b)
    for name, s in zip(["North", "South"], stats.itertuples(index=False)):
        (box,) = _gid(fig, f"{name}|box")
        assert box.get_x() == pytest.approx(s.q1) and box.get_width() == pytest.approx(s.q3 - s.q1)
        (med,) = _gid(fig, f"{name}|median")
        assert list(med.get_xdata()) == pytest.approx([s.median, s.median])
        (whisk,) = _gid(fig, f"{name}|whiskers")
        assert isinstance(whisk, LineCollection)
        ends = sorted(x for seg in whisk.get_segments() for x, _ in seg)
        assert ends == pytest.approx(sorted([s.lower_whisker, s.q1, s.q3, s.upper_whisker]))
        pts = _gid(fig, f"{name}|outliers")
        want = b.outliers.loc[b.outliers["g"].astype(str) == name, "value"].to_numpy()
        if want.size:
            (sc,) = pts
            assert isinstance(sc, PathCollection)
            np.testing.assert_allclose(sc.get_offsets()[:, 0], want)
        else:
            assert pts == []
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [f"{g} (n={n})" for g, n in zip(["North", "South"], stats["n"])]


def test_weights_plot_counts_respondents_and_marks_trimming():
    svy = pw.demo()
    ws = svy.weight_summary()
    fig = plots.weights_plot(ws, source="privacy_survey_demo.sav", synthetic=True)
    bars = fig.axes[0].patches
    assert [b.get_height() for b in bars] == ws.bins["n"].tolist()
    assert sum(b.get_height() for b in bars) == ws.n
    text = _texts(fig)
    assert f"Kish design effect {ws.deff:.2f}" in text and f"effective sample size {ws.ess:,.0f}" in text
    assert _gid(fig, "trim|upper") == []
    trimmed = svy.trim_weights(lower=0.5, upper=2.5).weight_summary()
    assert trimmed.trim_limits == (0.5, 2.5)
    fig = plots.weights_plot(trimmed)
    for side, limit in (("lower", 0.5), ("upper", 2.5)):
        (line,) = _gid(fig, f"trim|{side}")
        assert list(line.get_xdata()) == [limit, limit]
    assert "trimmed at 2.5" in _texts(fig)
    assert trimmed.bins["n"].sum() == trimmed.n
    assert trimmed.bins["bin_lower"].iloc[0] <= 0.5 and trimmed.bins["bin_upper"].iloc[-1] >= 2.5


def test_margins_plot_shows_target_before_and_after():
    svy = pw.demo().subset("F_AGECAT != 'Refused' and F_SEX != 'Refused'")
    raked = svy.rake({"F_AGECAT": AGES, "F_SEX": {"Male": 0.49, "Female": 0.51}})
    ws = raked.weight_summary()
    m = ws.margins
    fig = plots.margins_plot(ws)
    bars = fig.axes[0].patches
    assert [b.get_gid() for b in bars] == [f"{v}|{lev}|target" for v, lev in zip(m["variable"], m["level"])]
    np.testing.assert_allclose([b.get_width() for b in bars], 100 * m["target"])
    for series in ("unweighted", "before", "achieved"):
        (pts,) = _gid(fig, series)
        np.testing.assert_allclose(pts.get_offsets()[:, 0], 100 * m[series], rtol=1e-12)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert {"F_AGECAT", "F_SEX", "18-29", "Female"} <= set(labels)
    with pytest.raises(EstimationError, match=r"no achieved vs target margins: rake"):
        plots.margins_plot(pw.demo().weight_summary())


def test_figures_are_byte_reproducible():
    svy = _svy()
    raked = svy.rake({"g": {"North": 0.5, "South": 0.5}})
    for make in (
        lambda: plots.hist_plot(svy.hist("x", by="g")),
        lambda: plots.box_plot(svy.boxplot("x")),
        lambda: plots.weights_plot(raked.trim_weights(upper=2.0).weight_summary()),
        lambda: plots.margins_plot(raked.weight_summary()),
    ):
        for fmt in ("png", "svg"):
            assert figure_bytes(make(), fmt) == figure_bytes(make(), fmt)


def test_labels_from_data_reach_the_figure_as_plain_text():
    rng = np.random.default_rng(2)
    data = pd.DataFrame({"x": rng.normal(size=60), "g": ["a\x1b]0;pwned\x07", "b<script>"] * 30, "w": 1.0})
    svy = pw.Survey(data, weights="w")
    svg = figure_bytes(plots.box_plot(svy.boxplot("x", by="g")), "svg").decode()
    assert "\x1b" not in svg and "<script>" not in svg and "&lt;script&gt;" in svg
