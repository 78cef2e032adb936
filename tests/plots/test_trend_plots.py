"""Figures of trends (issue #13): what is drawn equals the trend's frames, changes are marked, bytes reproduce."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D

import pewlike as pw
from pewlike.errors import PewlikeError
from pewlike.plots import trend_plot
from pewlike.plots.theme import figure_bytes
from tests.trends.synth import waves


def _gid(fig, gid):
    return [a for a in fig.findobj() if a.get_gid() == gid]


def _texts(fig) -> list[str]:
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
    return out


def _dot_value(fig, gid: str, horizontal: bool) -> float:
    (dot,) = _gid(fig, gid)
    assert isinstance(dot, PathCollection)
    x, y = dot.get_offsets()[0]
    return float(x if horizontal else y)


def _mark(d: float, sig: bool) -> str:
    return f"{100 * d:+.0f}" + ("*" if sig else "")


@pytest.mark.parametrize(("seed", "groups"), [(31, 1), (32, 3)])
def test_two_waves_dumbbell_draws_shares_and_marks_changes(seed, groups):
    tr = pw.stack(waves(seed, 2, groups=groups)).trend("Q", by="GRP" if groups > 1 else None)
    frame, ch = tr.to_frame(), tr.changes()
    if groups > 1:
        fig = trend_plot(tr, level="Very")
        frame, ch = frame[frame["level"] == "Very"], ch[ch["level"] == "Very"]
        rows = frame["GRP"].astype(str)
        crow = ch["GRP"].astype(str)
    else:
        fig = trend_plot(tr)
        rows, crow = frame["level"], ch["level"]
    for (_, r), row in zip(frame.iterrows(), rows, strict=True):
        assert _dot_value(fig, f"{row}|{r['wave']}", True) == pytest.approx(100 * r["estimate"], rel=1e-12)
    texts = _texts(fig)
    assert len(ch) == len(set(rows))
    for (_, c), row in zip(ch.iterrows(), crow, strict=True):
        tag = "sig" if c["significant"] else "ns"
        (line,) = _gid(fig, f"{row}|2015->2017|{tag}")
        assert isinstance(line, Line2D)
        assert line.get_xdata()[1] - line.get_xdata()[0] == pytest.approx(100 * c["difference"], rel=1e-9)
        label = [t for t in fig.axes[0].texts if t.get_text() == _mark(c["difference"], c["significant"])]
        assert label and all((t.get_fontweight() == "bold") == bool(c["significant"]) for t in label)
    assert ch["significant"].any()
    assert any("* change significant at p < 0.05" in t for t in texts)
    assert any(t.startswith("Source: survey data, weighted.") for t in texts)


def test_more_waves_draw_lines_with_bands_and_solid_significant_segments():
    tr = pw.stack(waves(33, 4, groups=2)).trend("Q")
    fig = trend_plot(tr, title="Concern over time")
    frame, ch = tr.to_frame(), tr.changes()
    for _, r in frame.iterrows():
        assert _dot_value(fig, f"{r['level']}|{r['wave']}", False) == pytest.approx(100 * r["estimate"], rel=1e-12)
    adjacent = ch[ch["to_wave"].astype(int) - ch["from_wave"].astype(int) == 2]
    assert len(adjacent) == 3 * frame["level"].nunique()
    kinds = set()
    for _, c in adjacent.iterrows():
        tag = "sig" if c["significant"] else "ns"
        (seg,) = _gid(fig, f"{c['level']}|{c['from_wave']}->{c['to_wave']}|{tag}")
        assert (seg.get_linestyle() == "-") == bool(c["significant"])
        kinds.add(tag)
    assert kinds == {"sig", "ns"}  # both kinds of segment are drawn and told apart
    first_last = ch[(ch["from_wave"] == "2015") & (ch["to_wave"] == "2021")]
    texts = _texts(fig)
    for _, c in first_last.iterrows():
        assert f"{c['level']} {_mark(c['difference'], c['significant'])}" in texts
    assert fig.texts[0].get_text() == "Concern over time"
    assert len(fig.axes[0].collections) >= frame["level"].nunique()  # one band per line at least


def test_trend_figure_bytes_reproduce_and_labels_stay_text():
    labels = ["<script>x</script>", "Somewhat\x1b[31m", "$5 & up", "Not at all"]
    tr = pw.stack(waves(34, 3, groups=1, labels=labels, question="Wording <b>&</b>")).trend("Q")
    a, b = trend_plot(tr), trend_plot(tr)
    for fmt in ("png", "svg"):
        assert figure_bytes(a, fmt) == figure_bytes(b, fmt)
    svg = figure_bytes(a, "svg").decode()
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "\x1b" not in svg
    two = pw.stack(waves(34, 2, groups=1)).trend("Q")
    assert figure_bytes(trend_plot(two), "png") == figure_bytes(trend_plot(two), "png")


def test_bad_level_names_the_answers():
    tr = pw.stack(waves(35, 2, groups=2)).trend("Q", by="GRP")
    with pytest.raises(PewlikeError, match=r"level='Nope' is not an answer or net of 'Q'; choose one of 'Very'"):
        trend_plot(tr, level="Nope")
    assert np.isfinite(_dot_value(trend_plot(tr), "G1|2015", True))  # default: the first answer
