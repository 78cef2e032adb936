"""What ``pewlike init`` proposes for numeric questions: a ``[[distribution]]`` each.

A question answered with a number (hours online, a 0-100 feeling thermometer, age in years)
has no answer labels to topline; its report item is a weighted histogram and box plot.
:func:`numeric_items` finds such columns -- numbers with ten or more different answers that
are not an identifier, a weight, a design column or a profile variable -- and
:func:`distribution_lines` writes their spec tables.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from pewlike.io.tomltext import toml_comment as _comment
from pewlike.io.tomltext import toml_string as _q

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.survey import Survey

__all__ = ["MAX_DISTRIBUTIONS", "MIN_DISTINCT", "distribution_lines", "numeric_items"]

#: Most numeric questions a starter spec proposes (the why line says how many more there were).
MAX_DISTRIBUTIONS = 6
#: Fewest distinct answers a numeric question needs (fewer unlabelled codes are not a distribution).
MIN_DISTINCT = 10
#: Numeric columns that are codes, ids or paradata by their name (a whole word): ZIP, FIPS, RESP_ID,
#: START_TIME, DURATION ...; their distribution says nothing about the respondents' answers.
_NOT_A_MEASURE = re.compile(
    r"(?:^|_)(?:zip(?:code)?|fips|county|id|uuid|phone|year|month|day|date|time|timestamp|duration|"
    r"lat|lon|latitude|longitude)(?:$|_|\d)",
    re.IGNORECASE,
)


def _weight_like(svy: Survey) -> set[str]:
    """Columns named like a weight (another house's, or a replicate of one) besides the design's."""
    from pewlike.design.structure import replicate_lookalikes, weight_lookalikes

    columns = [str(c) for c in svy._data.columns]
    weights = weight_lookalikes(columns)
    out = set(weights)
    for w in [*weights, *filter(None, [svy._design.names.get("weights")])]:
        out.update(replicate_lookalikes(columns, str(w)))
    return out


def numeric_items(svy: Survey, skip: Collection[str] = ()) -> list[str]:
    """Numeric questions worth a distribution: ten or more distinct answers, not an id or a weight.

    A numeric column whose labels name only some codes (99 = "Refused") counts; a labelled
    (categorical) one is toplined instead.  Left out: ``F_`` profile variables, the
    design's columns (weights, strata, PSUs, fpc, replicate weights), columns named like a
    weight (``pspwght``, ``PWGTP1`` .. ``PWGTP80``) or like a code, an id or paradata
    (``ZIP``, ``COUNTY_FIPS``, ``RESP_ID``, ``START_TIME``, ``DURATION``), columns named in
    ``skip`` (ids, forms, other weights), identifiers (every answer a different whole
    number) and columns no weighted respondent answered.

    Parameters
    ----------
    svy : Survey
        An in-memory survey.
    skip : collection of str
        More columns that are not questions.

    Returns
    -------
    list of str
        Columns, in the data's order.

    Notes
    -----
    No R equivalent.

    Examples
    --------
    >>> import pewlike as pw
    >>> numeric_items(pw.demo())
    []
    """
    import numpy as np
    import pandas as pd

    from pewlike.design.derive import design_columns
    from pewlike.design.frame import frame_of

    sf = frame_of(svy)
    counted = sf.design.in_domain & (sf.design.weights != 0)
    design = set(design_columns(sf)) | _weight_like(svy)
    out = []
    for col, info in svy._codebook.variables.items():
        if info.kind != "numeric" or col in design or col in skip or _NOT_A_MEASURE.search(col):
            continue
        s = svy._data[col]
        if col.upper().startswith("F_") or not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        values = s.to_numpy(dtype=float, na_value=np.nan)[counted & sf.valid(col)]
        values = values[np.isfinite(values)]
        distinct = np.unique(values)
        if distinct.size < MIN_DISTINCT:
            continue
        if distinct.size == values.size and np.all(distinct == np.round(distinct)):
            continue  # every respondent a different whole number: an identifier
        out.append(col)
    return out


def distribution_lines(cols: Sequence[str], wording: Mapping[str, str]) -> list[str]:
    """``[[distribution]]`` tables of a starter spec, one per numeric question.

    Parameters
    ----------
    cols : sequence of str
        The numeric questions (:func:`numeric_items`).
    wording : mapping of str to str
        Each column's question wording, for the comment above its table.

    Returns
    -------
    list of str
        Lines of TOML (empty when ``cols`` is).

    Examples
    --------
    >>> distribution_lines(["HOURS"], {"HOURS": "Hours online yesterday"})[:3]
    ['# HOURS (a number): Hours online yesterday', '[[distribution]]', '# A weighted histogram and box plot of the answers.']
    """
    lines: list[str] = []
    for i, col in enumerate(cols):
        said = _comment(wording.get(col, ""))
        said = said if len(said) <= 100 else said[:99] + "…"
        lines += [f"# {_comment(col)} (a number){': ' + said if said else ''}", "[[distribution]]"]
        if i == 0:
            lines.append("# A weighted histogram and box plot of the answers.")
        lines += [f"var = {_q(col)}", ""]
    return lines
