"""Whether a question's answers fit a diverging chart; when they do not, the reason and the fix in its place.

A diverging chart (``pewlike.plots.likert``, ``grid_plot``) shows at most four answers a side and
a middle one (:func:`pewlike.plots.theme.diverging_colors`).  A report item asking for one of a
question with more answers (a 0-10 rating, a long list of options) gets, in the figure's place,
a one-line failure naming the spec key that fixes it; its table stands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pewlike.report.html import FailureBlock

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.report.build import _Writer
    from pewlike.report.schema import Item

__all__ = ["MOST_DIVERGING", "too_many_for_bars"]

#: Most answers one diverging chart shows: four a side and a middle one.
MOST_DIVERGING = 9


def too_many_for_bars(w: _Writer, item: Item, frame: pd.DataFrame, fix: str) -> list[FailureBlock]:
    """No diverging chart of more answers than it can show: a failure block saying why and ``fix``.

    Parameters
    ----------
    w : _Writer
        The report writer (the failure is added to its list).
    item : Item
        The spec item asking for the chart.
    frame : pandas.DataFrame
        A topline's ``to_frame()``: its ``kind == "response"`` rows are the answers.
    fix : str
        The spec change that fixes it (``set chart = false``).

    Returns
    -------
    list of FailureBlock
        Empty when the answers fit.
    """
    answers = int((frame["kind"] == "response").sum())
    if answers <= MOST_DIVERGING:
        return []
    msg = f"{answers} answers are too many for a diverging chart ({MOST_DIVERGING} at most); {fix}"
    w.failures.append(f"{item.where} ({item.name}) figure: {msg}")
    return [FailureBlock(f"figure {item.name}", msg)]
