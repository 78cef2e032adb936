"""``pewlike init``: a starter report spec written from a data file's codebook.

It picks the Likert-like questions (ordered answer scales of three to five
substantive options) and the ``F_`` demographics it finds, and writes a spec
that toplines and crosses every question by every demographic.  The text is
checked by :func:`pewlike.report.spec.loads` before it is returned.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.survey import Survey

__all__ = [
    "MAX_STARTER_ITEMS",
    "Starter",
    "categorical_items",
    "demographics",
    "likert_items",
    "starter",
    "starter_spec",
]

#: Questions a starter spec toplines and crosses by default (each gives two report items).
MAX_STARTER_ITEMS = 200

_SKIP = re.compile(r"^(QKEY|FORM|CASEID|RESPID|ID|WEIGHT|WT|XW|REPWT|DEVICE|INTERVIEW|LANG)", re.IGNORECASE)


def _levels(svy: Survey, col: str) -> list[str]:
    from pewlike.design.frame import frame_of
    from pewlike.estimation.estimators import factor_codes

    levels: list[str] = factor_codes(frame_of(svy), col)[2]
    return levels


def likert_items(svy: Survey) -> list[str]:
    """Questions with an ordered scale of 3-5 substantive answers (not ``F_`` profile or design columns).

    Parameters
    ----------
    svy : Survey
        An in-memory survey.

    Returns
    -------
    list of str
        Columns, in the data's order.

    Examples
    --------
    >>> import pewlike as pw
    >>> likert_items(pw.demo())[:3]
    ['CONCERNCO_W49', 'CONCERNGOV_W49', 'CONCERNLE_W49']
    """
    import pandas as pd

    from pewlike.io.scales import is_scale

    out = []
    for col, info in svy._codebook.variables.items():
        dtype = svy._data[col].dtype
        if not isinstance(dtype, pd.CategoricalDtype) or col.upper().startswith("F_") or _SKIP.match(col):
            continue
        levels = _levels(svy, col)
        if 3 <= len(levels) <= 5 and is_scale(info, levels, ordered=bool(dtype.ordered)):
            out.append(col)
    return out


def categorical_items(svy: Survey) -> list[str]:
    """Questions with 2-12 labelled answers (not ``F_`` profile or design columns): the fallback
    when a file has no recognisable scale.

    Parameters
    ----------
    svy : Survey
        An in-memory survey.

    Returns
    -------
    list of str
        Columns, in the data's order.

    Examples
    --------
    >>> import pewlike as pw
    >>> categorical_items(pw.demo())[:2]
    ['CONCERNCO_W49', 'CONCERNGOV_W49']
    """
    import pandas as pd

    return [
        col
        for col in svy._codebook.variables
        if isinstance(svy._data[col].dtype, pd.CategoricalDtype)
        and not col.upper().startswith("F_")
        and not _SKIP.match(col)
        and 2 <= len(_levels(svy, col)) <= 12
    ]


def demographics(svy: Survey) -> list[str]:
    """``F_`` profile variables with 2-8 substantive categories (age, sex, education ...).

    Parameters
    ----------
    svy : Survey
        An in-memory survey.

    Returns
    -------
    list of str
        Columns, in the data's order.

    Examples
    --------
    >>> import pewlike as pw
    >>> demographics(pw.demo())[:3]
    ['F_AGECAT', 'F_SEX', 'F_EDUCCAT']
    """
    import pandas as pd

    return [
        col
        for col in svy._codebook.variables
        if col.upper().startswith("F_")
        and isinstance(svy._data[col].dtype, pd.CategoricalDtype)
        and 2 <= len(_levels(svy, col)) <= 8
    ]


def _q(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML; TOML also wants DEL escaped)."""
    return json.dumps(str(text), ensure_ascii=False).replace("\x7f", "\\u007f")


@dataclass(frozen=True)
class Starter:
    """A starter spec and what it left out.

    Attributes
    ----------
    text : str
        The TOML spec.
    questions : int
        Likert-like questions in the spec (each has a topline and a crosstab).
    left_out : int
        Likert-like questions found but not written, because of ``max_items``.
    """

    text: str
    questions: int
    left_out: int


def starter_spec(
    svy: Survey, data_path: str, *, spec_path: str = "report.toml", max_items: int = MAX_STARTER_ITEMS
) -> str:
    """The text of a starter spec for ``svy`` read from ``data_path``.

    ``data_path`` is written relative to the spec's folder when it can be.

    Parameters
    ----------
    svy : Survey
        The survey read from ``data_path``.
    data_path : str
        The data file, as the spec will name it.
    spec_path : str
        Where the spec will be written.
    max_items : int
        Most questions written (the first ones in the data's order); see :func:`starter`.

    Returns
    -------
    str
        A TOML spec, checked by :func:`pewlike.report.spec.loads`.

    Raises
    ------
    SpecError
        No Likert-like question in the data, or ``max_items`` below 1.

    Examples
    --------
    >>> import pewlike as pw
    >>> text = starter_spec(pw.demo(), "privacy.sav")
    >>> text.splitlines()[4:6]
    ['[data]', 'file = "privacy.sav"']
    """
    return starter(svy, data_path, spec_path=spec_path, max_items=max_items).text


def starter(
    svy: Survey, data_path: str, *, spec_path: str = "report.toml", max_items: int = MAX_STARTER_ITEMS
) -> Starter:
    """A starter spec for ``svy`` with at most ``max_items`` questions, and how many it left out.

    Parameters
    ----------
    svy : Survey
        The survey read from ``data_path``.
    data_path : str
        The data file, as the spec will name it.
    spec_path : str
        Where the spec will be written.
    max_items : int
        Most Likert-like questions written, the first ones in the data's order; the spec
        says in a comment how many more there were.  A file with thousands of columns
        would otherwise give a spec of thousands of tables.

    Returns
    -------
    Starter

    Raises
    ------
    SpecError
        No Likert-like question in the data, or ``max_items`` below 1.

    Notes
    -----
    No R equivalent.

    Examples
    --------
    >>> import pewlike as pw
    >>> s = starter(pw.demo(), "privacy.sav", max_items=3)
    >>> s.questions, s.left_out
    (3, 7)
    """
    from pewlike.errors import SpecError
    from pewlike.report.spec import loads

    if not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1:
        raise SpecError(f"max_items={max_items!r} is not valid; give a whole number of at least 1")
    found = likert_items(svy) or categorical_items(svy)
    demos = demographics(svy)
    if not found:
        raise SpecError(
            f"{data_path}: no categorical question found (labelled answers, 2-12 categories, not F_ profile "
            "or design columns); write the spec by hand, see `pewlike report --help`"
        )
    items = found[:max_items]
    left_out = len(found) - len(items)
    spec_dir = Path(spec_path).resolve().parent
    data = Path(data_path).resolve()
    try:
        rel = data.relative_to(spec_dir).as_posix()
    except ValueError:
        rel = data.as_posix()
    label = svy._codebook.file_label or data.stem
    weight = svy._design.names.get("weights")
    lines = [
        f"# Starter report spec for {data.name}, written by `pewlike init`.",
        "# Edit it, then build the report with: pewlike report " + Path(spec_path).name,
        f"title = {_q(label)}",
        "",
        "[data]",
        f"file = {_q(rel)}",
        f"weights = {_q(weight) if weight else 'false'}",
        "",
        "[output]",
        'dir = "pewlike-report"',
        'formats = ["html", "md", "csv", "xlsx", "png", "svg"]',
        "",
        "[defaults]",
        "# demographics every crosstab is broken down by",
        f"by = [{', '.join(_q(d) for d in demos)}]",
        'base = "valid"',
        'nets = "auto"',
        "min_n = 100",
        "",
    ]
    if left_out:
        lines[2:2] = [
            f"# {left_out:,} more Likert-like questions were left out (the first {len(items):,} of {len(found):,} "
            "are here); add them by hand or run `pewlike init --max-items N`"
        ]
    for col in items:
        lines += ["[[topline]]", f"var = {_q(col)}", 'base = "all"', ""]
    if demos:
        for col in items:
            lines += ["[[crosstab]]", f"var = {_q(col)}", ""]
    else:
        lines.insert(lines.index("[defaults]") + 2, "# (no F_ demographics found: add some to cross by)")
    from pewlike.report.starter_batteries import battery_lines

    lines += battery_lines(svy, items)  # batteries and grids it finds (#14)
    lines += ["[weighting]", "summary = true", ""]
    text = "\n".join(lines)
    loads(text, label=Path(spec_path).name)  # the starter must itself be a valid spec
    return Starter(text, len(items), left_out)
