"""Who was asked a question of a partitioned survey: the split forms, counted in one pass.

The partitioned twin of :func:`pewlike.tables.asked.asked_of_forms`: one pass counts, for
every form column (found by name, :data:`pewlike.tables.asked.FORM_COLUMN`), the rows,
domain rows and respondents asked on each form; :func:`pewlike.tables.asked.asked_of_counts`
then decides as the in-memory rule does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.partitioned.engine import Level, column_codes, run_pass
from pewlike.tables.asked import FORM_COLUMN, FormCounts, asked_of_counts

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.partitioned.engine import Prep, Sums
    from pewlike.partitioned.frame import PartitionedFrame

__all__ = ["partitioned_asked_of"]


@dataclass(frozen=True)
class _Params:
    col: str
    level: Level
    forms: tuple[str, ...]


def _form_pass(pdf: pd.DataFrame, prep: Prep, params: _Params) -> Sums:
    import pandas as pd

    asked = (column_codes(pdf, params.col, params.level) >= 0) & prep.dom
    out: dict[str, Any] = {"n": np.array([float(asked.sum()), float(prep.dom.sum())])}
    for k, form in enumerate(params.forms):
        codes, uniques = pd.factorize(pdf[form])
        ok = codes >= 0
        rows = np.bincount(codes[ok], minlength=len(uniques))
        dom = np.bincount(codes[ok & prep.dom], minlength=len(uniques))
        ask = np.bincount(codes[ok & asked], minlength=len(uniques))
        # keyed by value: partitions hold different values, the dicts are merged key by key
        out[f"f{k}"] = {v: np.array([rows[i], dom[i], ask[i]], dtype=float) for i, v in enumerate(uniques)}
        out[f"m{k}"] = np.array([float((asked & ~ok).sum())])
    return out


def _ordered(pf: PartitionedFrame, form: str, values: list[Any]) -> list[Any]:
    """The values in the note's order: category order for a categorical, else sorted."""
    import pandas as pd

    dtype = pf._ddf._meta[form].dtype
    if isinstance(dtype, pd.CategoricalDtype) and dtype.categories is not None:
        order = {c: i for i, c in enumerate(dtype.categories)}
        if all(v in order for v in values):
            return sorted(values, key=lambda v: order[v])
    try:
        return sorted(values)
    except TypeError:  # mixed types: keep the order met
        return values


def partitioned_asked_of(pf: PartitionedFrame, col: str) -> str | None:
    """The forms a question of a partitioned survey was asked of, when they explain who was asked.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey.
    col : str
        The question's column.

    Returns
    -------
    str or None
        ``"Form 1"``, ``"Forms 1 and 3"``; None when no form column explains who was
        asked or everyone in the domain was; as :func:`pewlike.tables.asked.asked_of_forms`
        on the same rows.

    Notes
    -----
    No R equivalent (R's tables have no notes).  One pass over the question and the form
    columns.
    """
    forms = tuple(c for c in pf._ddf.columns if isinstance(c, str) and FORM_COLUMN.match(c))
    sums = run_pass(pf, [col, *forms], _form_pass, _Params(col, pf._level(col), forms))
    n_asked, n_domain = (int(x) for x in sums["n"])
    counts = []
    for k, form in enumerate(forms):
        table: dict[Any, np.ndarray] = sums.get(f"f{k}") or {}
        values = _ordered(pf, form, list(table))
        counts.append(
            FormCounts(
                tuple(values),
                tuple(int(table[v][0]) for v in values),
                tuple(int(table[v][1]) for v in values),
                tuple(int(table[v][2]) for v in values),
                int(sums[f"m{k}"][0]),
            )
        )
    return asked_of_counts(counts, n_asked, n_domain)
