"""Blocks rendered while the figures are drawn give the same pages as rendering them at the end (#15)."""

from __future__ import annotations

import pandas as pd

from pewlike.report.html import (
    BuiltSection,
    FailureBlock,
    FigureBlock,
    ReportDoc,
    TableBlock,
    finished_blocks,
    render_html,
    render_markdown,
)
from pewlike.tables.export import TableDoc


class _Drawing:
    """A figure still being drawn: finished only after the blocks were rendered."""

    def __init__(self, block: FigureBlock) -> None:
        self.block = block

    def result(self, failures: list[str]) -> FigureBlock:
        return self.block


def _doc() -> tuple[ReportDoc, _Drawing]:
    frame = pd.DataFrame({"Response": ["<b>Yes</b>", "=1+1"], "Total": ["61%", "39%"]})
    table = TableBlock(TableDoc("t_one", "Q <i>one</i>", frame, ("Note & more",)), (("CSV", "tables/t_one.csv"),))
    figure = FigureBlock("fig_a", "alt <x>", b"\x89PNG-bytes", "figures/fig_a.png", (("PNG", "figures/fig_a.png"),))
    drawing = _Drawing(FigureBlock("fig_b", "drawn later", b"\x89PNG-late", "figures/fig_b.png"))
    failure = FailureBlock("figure c", "ValueError: no ink <left>")
    sections = (
        BuiltSection("a", "First", "Intro text", [table, figure, drawing]),  # type: ignore[list-item]
        BuiltSection("b", "Second", "", [failure, table]),
    )
    return ReportDoc("Title", "Sub", "Intro", "n = 10", "Source", sections, "Made with pewlike"), drawing


def test_prerendered_blocks_give_the_same_pages():
    doc, drawing = _doc()
    html_blocks, md_blocks = finished_blocks(doc)
    assert id(drawing) not in html_blocks and id(drawing) not in md_blocks  # not drawn yet: rendered at the end
    assert len(html_blocks) == len(md_blocks) == 3  # the table (twice, one object), the figure, the failure
    for section in doc.sections:  # the figure arrives, as in the build's finish
        section.blocks[:] = [b.result([]) if isinstance(b, _Drawing) else b for b in section.blocks]
    html, md = render_html(doc, rendered=html_blocks), render_markdown(doc, rendered=md_blocks)
    assert html == render_html(doc) and md == render_markdown(doc)
    assert "fig-fig_b" in html and "figures/fig_b.png" in md and "&lt;b&gt;Yes&lt;/b&gt;" in html
