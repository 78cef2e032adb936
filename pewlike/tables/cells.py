"""The cells of a crosstab by column, read from its frame once (banners and their sheets use them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.tables.crosstabs import Crosstab

__all__ = ["column_cells"]

_FIELDS = ("level", "estimate", "letters", "flag", "ci_lower", "ci_upper")


def column_cells(tab: Crosstab) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Each column's cells: column -> answer -> ``(estimate, letters, flag, ci_lower, ci_upper)``.

    The frame's columns are read once as Python lists (selecting each column's rows from the
    frame in turn costs far more); a later row of one column and answer replaces an earlier one.

    Parameters
    ----------
    tab : Crosstab
        A crosstab (its ``frame``: one row per column and answer).

    Returns
    -------
    dict
        Keyed by the column (the ``by`` value as text), then by the answer (text).

    Examples
    --------
    >>> import pewlike as pw
    >>> cells = column_cells(pw.demo().crosstab("CONCERNCO", "F_SEX"))
    >>> sorted(cells)
    ['Female', 'Male']
    >>> round(cells["Male"]["Very concerned"][0], 3)
    0.322
    """
    f = tab.frame
    keys = f[tab.by].astype(str).tolist()
    level, *values = (f[c].tolist() for c in _FIELDS)
    out: dict[str, dict[str, tuple[Any, ...]]] = {}
    for key, lev, *vals in zip(keys, level, *values):
        out.setdefault(key, {})[str(lev)] = tuple(vals)
    return out
