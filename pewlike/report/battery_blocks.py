"""Report blocks of ``[[select_all]]`` and ``[[grid]]`` items (#14): a table and a chart each.

Registered in :data:`pewlike.report.items.ITEM_BUILDERS`; the results come from the public
verbs (``svy.select_all``, ``svy.grid``) and the figures from :mod:`pewlike.plots.batteries`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pewlike.report.chartfit import too_many_for_bars

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.report.build import _Writer
    from pewlike.report.items import Blocks
    from pewlike.report.schema import GridItem, SelectAllItem
    from pewlike.survey import Survey

__all__ = ["grid_blocks", "select_all_blocks"]


def select_all_blocks(w: _Writer, svy: Survey, item: SelectAllItem) -> Blocks:
    """The battery's table (and one per group variable) and its bars sorted by share.

    Parameters
    ----------
    w : _Writer
        The report writer.
    svy : Survey
        The survey.
    item : SelectAllItem
        The spec item.

    Returns
    -------
    Blocks
    """
    small = w.spec.defaults.small
    res = svy.select_all(list(item.items), base=item.base, sort=item.sort)
    doc = res.table(small=small, name=item.name)
    if item.title:
        doc.title = item.title
    data = [("", res.to_frame()), ("_number", res.count_distribution)]
    blocks: Blocks = [w.table(doc, data)]
    for by in item.by:
        grouped = svy.select_all(list(item.items), base=item.base, sort=item.sort, by=by)
        gdoc = grouped.table(small=small, name=f"{item.name}_by_{by}")
        gdoc.title = f"{item.title or doc.title} (by {svy.question(by) or by})"
        blocks.append(w.table(gdoc, [("", grouped.to_frame())]))
    if item.chart:
        blocks.append(
            w.figure(
                "select_all_plot",
                item.name,
                f"Bar chart of the share selecting each item: {res.question or res.variable}",
                res,
                title=item.title,
                source=w.source,
                synthetic=w.synthetic,
            )
        )
    return blocks


def grid_blocks(w: _Writer, svy: Survey, item: GridItem) -> Blocks:
    """The grid table (items by answers and nets, with any paired comparison) and its diverging chart.

    Parameters
    ----------
    w : _Writer
        The report writer.
    svy : Survey
        The survey.
    item : GridItem
        The spec item.

    Returns
    -------
    Blocks
    """
    g = svy.grid(list(item.items), nets="auto" if item.nets else None, compare=item.compare)
    doc = g.table(small=w.spec.defaults.small, name=item.name)
    if item.title:
        doc.title = item.title
    data = [("", g.to_frame())]
    if item.compare:
        data.append(("_compare", g.comparison()))
    blocks: Blocks = [w.table(doc, data)]
    if item.chart and (too_many := too_many_for_bars(w, item, g.toplines[0].to_frame(), "set chart = false")):
        blocks += too_many
    elif item.chart:
        blocks.append(
            w.figure(
                "grid_plot",
                item.name,
                f"Diverging bar chart of {len(g.items)} items: {g.question or ', '.join(g.items)}",
                g,
                title=item.title,
                source=w.source,
                synthetic=w.synthetic,
            )
        )
    return blocks
