"""Report specs with several waves: ``[[data]]`` tables with a wave name, ``[stack]`` and ``[[trend]]``.

A spec may name one data file (``[data]``) or several waves (``[[data]]`` tables, each with a
``wave``)::

    [[data]]
    wave = "2019"
    file = "W49.sav"

    [[data]]
    wave = "2023"
    file = "W132.sav"

    [stack]                 # optional: how the waves are stacked (pw.stack)
    id = "QKEY"             # panel id; false for independent samples
    weights = "rescale"     # or "as_is"
    rename = { "2023" = { "CONC_CO" = "CONCERNCO" } }

    [[trend]]
    var = "CONCERNCO"
    by = ["F_PARTYSUM_FINAL"]   # optional: the change within each group
    level = "NET Very/Somewhat concerned"   # the answer drawn by group

Every other item (toplines, crosstabs, models...) uses the first ``[[data]]`` file; the
``[[trend]]`` items use the stack of all of them.  The dataclasses are here, read by
:mod:`pewlike.report.specparse`; the blocks are built by :mod:`pewlike.report.trend_items`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pewlike.errors import SpecError

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.report.schema import DataSpec, Defaults, Nets

__all__ = ["StackSpec", "TrendItem", "WaveData", "parse_stack", "parse_trend", "parse_waves"]

_WAVE = "wave"


@dataclass(frozen=True)
class WaveData:
    """One wave of a spec with several ``[[data]]`` tables.

    Attributes
    ----------
    wave : str
        The wave's name (a column of the trend tables).
    data : DataSpec
        Its file and design, as a ``[data]`` table.
    where : str
        Its place in the spec file.
    """

    wave: str
    data: DataSpec
    where: str


@dataclass(frozen=True)
class StackSpec:
    """The ``[stack]`` table: :func:`pewlike.stack` options for the waves.

    Attributes
    ----------
    wave : str
        The new column naming each row's wave.
    id : str or None
        The panel id linking respondents across waves (None: independent samples).
    weights : {"rescale", "as_is"}
        As :func:`pewlike.stack`.
    rename : mapping
        ``{wave: {name: stacked name}}`` crosswalk.
    recode : mapping
        ``{wave: {stacked name: {answer in that wave: answer in the stack}}}`` crosswalk of
        answers, as :func:`pewlike.stack`'s ``recode=``.
    """

    wave: str = "WAVE"
    id: str | None = "QKEY"
    weights: Literal["rescale", "as_is"] = "rescale"
    rename: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    recode: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class TrendItem:
    """A ``[[trend]]``: one question's shares wave by wave, the changes, their tables and chart.

    Attributes
    ----------
    var : str
        The question (its name without the wave suffix).
    by : tuple of str
        Groups within which each change is measured (none: the whole sample).
    base : {"valid", "all"}
        As :meth:`pewlike.Survey.trend`.
    nets : "auto", None or mapping
        Nets shown with the answers.
    level : str or None
        The answer or net the chart draws (with groups: the default is the first answer).
    chart : bool
        Draw the trend chart (:func:`pewlike.plots.trend_plot`).
    section, name, where
        As :class:`pewlike.report.schema.ToplineItem`.
    """

    var: str
    by: tuple[str, ...]
    base: Literal["valid", "all"]
    nets: Nets
    level: str | None
    chart: bool
    section: str
    name: str
    where: str


def parse_waves(label: str, raw: list[Any], read_data: Any) -> tuple[DataSpec, tuple[WaveData, ...]]:
    """Read ``[[data]]`` tables, each a ``[data]`` table with a ``wave`` name.

    Parameters
    ----------
    label : str
        The spec's name in messages.
    raw : list
        The ``[[data]]`` tables.
    read_data : callable
        ``(label, table, where) -> DataSpec`` for the rest of each table.

    Returns
    -------
    (DataSpec, tuple of WaveData)
        The first wave's data (what the other items use) and every wave.

    Raises
    ------
    SpecError
        Fewer than two tables, a table without a wave name, a wave named twice, or a
        ``filter``/``universe`` in a table after the first (the first table's apply to
        every wave).
    """
    if len(raw) < 2:
        raise SpecError(
            f"{label}: [[data]] gives {len(raw)} file; write a single file as [data], or give two or more "
            '[[data]] tables, each with its wave = "..." name'
        )
    waves: list[WaveData] = []
    for i, table in enumerate(raw, 1):
        where = f"[[data]] #{i}"
        if not isinstance(table, dict):
            raise SpecError(f"{label}: {where}: must be a table, not {type(table).__name__}")
        name = table.get(_WAVE)
        if not isinstance(name, str) or not name.strip():
            raise SpecError(f'{label}: {where}: missing its wave name; add wave = "2019" (any label, in time order)')
        if any(w.wave == name for w in waves):
            raise SpecError(f"{label}: {where}: wave {name!r} is named twice; give each [[data]] its own wave")
        rest = {k: v for k, v in table.items() if k != _WAVE}
        said = [k for k in ("filter", "universe") if k in rest]
        if waves and said:  # one universe for the whole report: every wave's trend share is of the same people
            raise SpecError(
                f"{label}: {where}: {said[0]} is given for the whole report, every wave alike; write it once, "
                "in the first [[data]] table (or give --filter on the command line)"
            )
        waves.append(WaveData(name, read_data(label, rest, where), where))
    return waves[0].data, tuple(waves)


def parse_stack(label: str, raw: Any, waves: tuple[WaveData, ...], table: Any) -> StackSpec:
    """Read the ``[stack]`` table.

    Parameters
    ----------
    label : str
        The spec's name in messages.
    raw : dict
        The table.
    waves : tuple of WaveData
        The spec's waves (``rename`` may only name them).
    table : type
        The spec reader's table class (typed access with located errors).

    Returns
    -------
    StackSpec

    Raises
    ------
    SpecError
        No waves to stack, unknown keys, or a bad value.
    """
    t = table(label, "[stack]", raw, ("wave", "id", "weights", "rename", "recode"))
    if not waves:
        t.fail('needs several waves: write the data files as [[data]] tables, each with wave = "..."')
    ident = raw.get("id", "QKEY")
    if ident is not False and not (isinstance(ident, str) and ident.strip()):
        t.fail(f"'id' must be the panel id column (e.g. \"QKEY\") or false for independent samples, not {ident!r}")
    rename = raw.get("rename", {})
    names = [w.wave for w in waves]
    if not isinstance(rename, dict) or not all(
        isinstance(m, dict) and all(isinstance(k, str) and isinstance(v, str) and v for k, v in m.items())
        for m in rename.values()
    ):
        t.fail('\'rename\' must be a table { "<wave>" = { "old name" = "new name" } }')
    unknown = [w for w in rename if w not in names]
    if unknown:
        t.fail(f"rename names wave {unknown[0]!r}, which no [[data]] table has; the waves are {', '.join(names)}")
    recode = raw.get("recode", {})
    if not isinstance(recode, dict) or not all(
        isinstance(per_var, dict)
        and all(
            isinstance(m, dict) and all(isinstance(k, str) and isinstance(v, str) and v for k, v in m.items())
            for m in per_var.values()
        )
        for per_var in recode.values()
    ):
        t.fail(
            '\'recode\' must be a table { "<wave>" = { "<question>" = { "answer in the wave" = "answer in the stack" } } }'
        )
    unknown = [w for w in recode if w not in names]
    if unknown:
        t.fail(f"recode names wave {unknown[0]!r}, which no [[data]] table has; the waves are {', '.join(names)}")
    return StackSpec(
        wave=t.text("wave", "WAVE"),
        id=None if ident is False else ident,
        weights=t.text("weights", "rescale", choices=("rescale", "as_is")),
        rename={w: dict(m) for w, m in rename.items()},
        recode={w: {q: dict(m) for q, m in per_var.items()} for w, per_var in recode.items()},
    )


def parse_trend(label: str, i: int, raw: Any, defaults: Defaults, table: Any, name_of: Any) -> TrendItem:
    """Read one ``[[trend]]`` table.

    Parameters
    ----------
    label : str
        The spec's name in messages.
    i : int
        Its number among the ``[[trend]]`` tables.
    raw : dict
        The table.
    defaults : Defaults
        The spec's defaults (base, nets).
    table : type
        The spec reader's table class.
    name_of : callable
        Makes a file-safe name from the question.

    Returns
    -------
    TrendItem
    """
    t = table(label, f"[[trend]] #{i}", raw, ("var", "by", "base", "nets", "level", "chart", "section", "name"))
    var = t.text("var")
    return TrendItem(
        var=var,
        by=t.texts("by"),
        base=t.text("base", defaults.base, choices=("valid", "all")),
        nets=t.nets("nets", defaults.nets),
        level=t.text("level", None),
        chart=t.flag("chart", True),
        section=t.text("section", "trends"),
        name=t.name("name", f"trend_{name_of(var)}"),
        where=t.where,
    )
