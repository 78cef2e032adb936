"""What ``pewlike init`` proposes beyond toplines and crosstabs: select-all batteries and item grids (#14).

:func:`battery_lines` returns the ``[[select_all]]`` and ``[[grid]]`` tables of a starter spec:
every battery :meth:`pewlike.Survey.batteries` recognises, and every group of two or more of the
starter's scale questions that share one set of answers (concern about companies / the
government / law enforcement).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pewlike.io.tomltext import toml_string as _q

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.survey import Survey

__all__ = ["battery_lines", "grid_groups"]

#: Most items in one proposed grid (a longer run of one scale is split into grids of this size).
MAX_GRID = 8


def grid_groups(svy: Survey, questions: Sequence[str]) -> list[list[str]]:
    """Runs of questions that share one set of answers, in the data's order.

    Parameters
    ----------
    svy : Survey
        An in-memory survey.
    questions : sequence of str
        Candidate questions (the starter's scale questions).

    Returns
    -------
    list of list of str
        Groups of 2 to :data:`MAX_GRID` questions with identical substantive answers.

    Examples
    --------
    >>> import pewlike as pw
    >>> svy = pw.demo()
    >>> grid_groups(svy, ["CONCERNCO_W49", "CONCERNGOV_W49", "PP4_W49", "CONCERNLE_W49"])
    [['CONCERNCO_W49', 'CONCERNGOV_W49', 'CONCERNLE_W49']]
    """
    from pewlike.design.frame import frame_of
    from pewlike.estimation.indicators import answer_levels

    sf = frame_of(svy)
    groups: dict[tuple[str, ...], list[str]] = {}
    for col in questions:
        groups.setdefault(answer_levels(sf, col), []).append(col)
    out = []
    for cols in groups.values():
        out += [cols[i : i + MAX_GRID] for i in range(0, len(cols), MAX_GRID) if len(cols[i : i + MAX_GRID]) >= 2]
    return out


def battery_lines(svy: Survey, questions: Sequence[str]) -> list[str]:
    """``[[select_all]]`` tables of the batteries found and ``[[grid]]`` tables of shared scales.

    Parameters
    ----------
    svy : Survey
        An in-memory survey.
    questions : sequence of str
        The starter's scale questions.

    Returns
    -------
    list of str
        Lines of TOML (empty when there is nothing to propose).
    """
    lines: list[str] = []
    for items in svy.batteries():
        lines += ["# a select-all battery (items with one stem, Selected / Not selected)", "[[select_all]]"]
        lines += [f"items = [{', '.join(_q(c) for c in items)}]", ""]
    for items in grid_groups(svy, questions):
        lines += ["# questions on one scale, shown as one grid", "[[grid]]"]
        lines += [f"items = [{', '.join(_q(c) for c in items)}]", ""]
    return lines
