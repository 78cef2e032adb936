"""save_figure makes a figure plain once and writes each format with the bytes figure_bytes gives (issue #15)."""

from __future__ import annotations

import pytest

from pewlike import plots
from pewlike.plots.theme import figure_bytes, save_figure


def _figure(demo, text: str):
    fig = plots.likert(demo.crosstab("CONCERNCO", "F_SEX", nets="auto"), title=text, source="demo.sav")
    fig.axes[0].patches[0].set_gid("Total|\x1b[31mred")
    return fig


@pytest.mark.parametrize("formats", [("png", "svg"), ("svg", "png"), ("svg",), ("png",)])
def test_saved_files_equal_figure_bytes_and_are_plain(tmp_path, demo, formats):
    text = "Concern\x1b]0;title\x07 about data\x00 use"
    paths = save_figure(_figure(demo, text), tmp_path / "fig", formats)
    assert [p.name for p in paths] == [f"fig.{f}" for f in formats]
    for path, fmt in zip(paths, formats):
        assert path.read_bytes() == figure_bytes(_figure(demo, text), fmt)
    if "svg" in formats:
        svg = (tmp_path / "fig.svg").read_text()
        assert "Concern about data use" in svg and "Total|red" in svg
        assert not any(ch in svg for ch in "\x1b\x07\x00")
