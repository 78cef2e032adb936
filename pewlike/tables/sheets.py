"""Spreadsheet layouts of toplines, crosstab banners and models: numbers as numbers.

The text tables (:class:`~pewlike.tables.export.TableDoc`) hold Pew-rounded strings
such as ``"71 A"``; a spreadsheet should hold the share ``0.71`` in a percent-formatted
cell and the letter ``A`` in a column of its own, so that readers can compute with it.
These functions build that :class:`~pewlike.io.workbook.Sheet` from the same results
(their ``to_frame()`` numbers), never recomputing a statistic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pewlike.io.workbook import COUNT, PERCENT, POINTS, Cell, Number, Sheet

if TYPE_CHECKING:  # pragma: no cover
    import os

    from pewlike.tables.crosstabs import Crosstab
    from pewlike.tables.export import TableDoc

__all__ = ["banner_sheet", "model_sheet", "table_html", "topline_sheet", "write_tables"]


def _pct(x: Any) -> Number:
    return Number(float(x), PERCENT)


def topline_sheet(labels: Sequence[str], shares: Sequence[float], *, n: int, moe: float) -> Sheet:
    """A topline as a sheet: ``Response``, ``%`` (shares, percent format), then N and MOE rows.

    Parameters
    ----------
    labels : sequence of str
        Row labels in Pew order (nets above their indented members).
    shares : sequence of float
        Their shares (fractions).
    n : int
        Unweighted N.
    moe : float
        Margin of error in points.

    Returns
    -------
    Sheet
        Name and title are left empty; :func:`pewlike.tables.export.text_sheet` fills them.
    """
    rows: list[list[Cell]] = [[lab, _pct(s)] for lab, s in zip(labels, shares)]
    rows += [["Unweighted N", Number(float(n), COUNT)], ["Margin of error (± points)", Number(float(moe), POINTS)]]
    return Sheet("", "", ["Response", "%"], rows)


def banner_sheet(
    tabs: Sequence[Crosstab],
    labels: Sequence[str],
    total: Sequence[float],
    *,
    cells: Sequence[Mapping[str, Mapping[str, tuple[Any, ...]]]] | None = None,
) -> Sheet:
    """A banner of crosstabs as a sheet: each column's share, then its letters (and flags) beside it.

    Parameters
    ----------
    tabs : sequence of Crosstab
        The banner's crosstabs (one question, one base).
    labels : sequence of str
        Row labels in Pew order.
    total : sequence of float
        The Total column's shares.
    cells : sequence of dict, optional
        Each crosstab's :func:`pewlike.tables.cells.column_cells`, when the caller has them.

    Returns
    -------
    Sheet
        Columns ``Response, Total``, then per group ``<group> (<letter>)`` (share),
        ``<letter> sig.`` (letters of the columns it is significantly above) and, when a
        column has a small base, ``<letter> flag``; the last rows give unweighted N and
        the margin of error.
    """
    keys = [lab.strip() for lab in labels]
    first = tabs[0]
    header = ["Response", "Total"]
    groups: list[tuple[str, int]] = [("", 2)]
    columns: list[list[Cell]] = [list(labels), [_pct(x) for x in total]]
    n_row: list[Cell] = ["Unweighted N", Number(float(first.total.n), COUNT)]
    m_row: list[Cell] = ["Margin of error (± points)", Number(float(first.total.moe), POINTS)]
    if cells is None:
        from pewlike.tables.cells import column_cells

        cells = [column_cells(t) for t in tabs]
    for t, by_column in zip(tabs, cells):
        span = 0
        for (c, letter), n, moe in zip(t.letters_of.items(), t.column_n, t.column_moe):
            cell = by_column.get(c, {})
            got = [cell[k][:3] if k in cell else (float("nan"), "", "") for k in keys]
            flagged = any(flag for _, _, flag in got)
            header += [f"{c} ({letter})", f"{letter} sig."] + ([f"{letter} flag"] if flagged else [])
            columns.append([_pct(e) for e, _, _ in got])
            columns.append([str(lets) or None for _, lets, _ in got])
            n_row += [Number(float(n), COUNT), None]
            m_row += [Number(float(moe), POINTS), None]
            if flagged:
                columns.append([str(flag) or None for _, _, flag in got])
                n_row.append(None)
                m_row.append(None)
            span += 3 if flagged else 2
        groups.append((t.by_label, span))
    rows: list[list[Cell]] = [list(r) for r in zip(*columns)]
    return Sheet("", "", header, [*rows, n_row, m_row], groups=groups)


def model_sheet(
    terms: Iterable[str],
    estimates: Iterable[float],
    lower: Iterable[float],
    upper: Iterable[float],
    pvalues: Iterable[float],
    *,
    head: str,
    stars: Sequence[str],
) -> Sheet:
    """A model table as a sheet: estimate, CI bounds and p as numbers, the stars in their own column.

    Parameters
    ----------
    terms, estimates, lower, upper, pvalues : sequences
        One entry a row, as in :func:`pewlike.tables.model_table`.
    head : str
        Name of the estimate column (``"Odds ratio"`` or ``"Coefficient"``).
    stars : sequence of str
        Significance stars of each row.

    Returns
    -------
    Sheet
    """
    rows: list[list[Cell]] = [
        [
            str(t),
            Number(float(e), "0.000"),
            Number(float(a), "0.000"),
            Number(float(b), "0.000"),
            Number(float(p), "0.0000"),
            s or None,
        ]
        for t, e, a, b, p, s in zip(terms, estimates, lower, upper, pvalues, stars)
    ]
    return Sheet("", "", ["Term", head, "CI lower", "CI upper", "p", "Sig."], rows)


def write_tables(docs: Sequence[TableDoc], path: str | os.PathLike[str]) -> Path:
    """Write tables to ``path`` (an ``.xlsx`` workbook, a sheet per table): ``to_excel`` of the results.

    Parameters
    ----------
    docs : sequence of TableDoc
    path : str or path-like
        Must end in ``.xlsx``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    PewlikeError
        ``path`` does not end in ``.xlsx``.
    """
    from pewlike.io.workbook import write_workbook
    from pewlike.tables.export import text_sheet

    return write_workbook([text_sheet(d) for d in docs], path, title=docs[0].title if docs else "pewlike tables")


def table_html(doc: TableDoc) -> str:
    """The notebook view of a table: the Pew-formatted table with its wording and notes, escaped.

    Parameters
    ----------
    doc : TableDoc

    Returns
    -------
    str
        ``<div class='pewlike-result'>`` around :meth:`TableDoc.html`.
    """
    return f"<div class='pewlike-result'>{doc.html()}</div>"
