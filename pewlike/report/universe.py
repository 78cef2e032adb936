"""Derived variables and universes while a report is built (the spec side is :mod:`pewlike.report.derive_spec`).

* :func:`prepare` runs the ``[[derive]]`` entries, checks every filter against the data
  (before anything is written) and puts "Among <universe>, n = N" under the report's
  title and under the heading of each section whose items share one universe;
* :func:`data_universe` restricts the survey to ``[data] filter`` (after weighting: the
  weights are those of the whole sample, and the variance keeps the full design);
* :func:`in_universe` gives an item its survey (``svy.subset(filter, name=universe)``) and a
  writer whose cache is that universe's and whose tables carry the universe in their notes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pewlike.errors import PewlikeError, SpecError

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping, Sequence

    import pandas as pd

    from pewlike.report.build import _Writer
    from pewlike.report.derive_spec import DeriveSpec, Universe
    from pewlike.report.schema import Item, Section, Spec
    from pewlike.survey import Survey
    from pewlike.tables.export import TableDoc

__all__ = [
    "EmptyUniverse",
    "among",
    "among_waves",
    "data_universe",
    "derive",
    "in_universe",
    "prepare",
    "with_line",
]


class EmptyUniverse(SpecError):
    """An item's filter matches respondents, but none within the report's own filter.

    The report is built; the item is reported in its place as not built, with this message.
    """


def _matches(svy: Survey, condition: str | None) -> bool:
    """Whether ``condition`` selects anyone in ``svy`` (a bad condition selects nobody)."""
    try:
        return condition is not None and svy.subset(condition).n > 0
    except PewlikeError:
        return False


def _where(spec: Spec, where: str, exc: object) -> SpecError:
    from pewlike.report.advice import for_spec

    return SpecError(f"{spec.label}: {where}: {for_spec(str(exc))}")


def among(name: str, n: int) -> str:
    """The note of a named universe: ``"Among registered voters, n = 2,861"``.

    Examples
    --------
    >>> among("Registered voters", 2861)
    'Among registered voters, n = 2,861'
    """
    from pewlike.tables.toplines import lower_first

    return f"Among {lower_first(name)}, n = {n:,}"


def with_line(text: str, line: str) -> str:
    """``text`` followed by the sentence ``line``, a full stop between them when ``text`` ends without one.

    Examples
    --------
    >>> with_line("Wave 49 of the panel", "Among women, n = 2,190.")
    'Wave 49 of the panel. Among women, n = 2,190.'
    >>> with_line("", "Among women, n = 2,190.")
    'Among women, n = 2,190.'
    """
    if not text:
        return line
    return f"{text} {line}" if text.rstrip()[-1] in ".!?:;" else f"{text.rstrip()}. {line}"


def among_waves(name: str, counts: Mapping[str, int]) -> str:
    """The note of a named universe in a report of several waves: its n in each wave.

    Examples
    --------
    >>> among_waves("Ages 18-29", {"2019": 424, "2023": 1455})
    'Among ages 18-29, n = 424 (2019), 1,455 (2023)'
    """
    from pewlike.tables.toplines import lower_first

    return f"Among {lower_first(name)}, n = " + ", ".join(f"{n:,} ({wave})" for wave, n in counts.items())


def derive(spec: Spec, svy: Survey, *, where_possible: bool = False) -> Survey:
    """Apply the spec's ``[[derive]]`` entries in order (a later one can use an earlier one).

    Parameters
    ----------
    spec : Spec
        The report spec.
    svy : Survey
        The survey as read.
    where_possible : bool
        Leave out an entry the survey cannot take instead of stopping: a trend report
        derives its variables in every wave, and a trend that uses one a wave lacks then
        says which wave has no values of it.

    Returns
    -------
    Survey
        With the new variables (same design).

    Raises
    ------
    SpecError
        An entry fails (unknown question or answer, a design column, ...); the message
        names its place in the spec.  Not with ``where_possible``.

    Notes
    -----
    :meth:`pewlike.Survey.recode`, :meth:`~pewlike.Survey.score` and
    :meth:`~pewlike.Survey.assign` (expressions in pewlike's language, never ``eval``).
    """
    for d in spec.derive:
        try:
            svy = _one(svy, d)
        except PewlikeError as exc:
            if not where_possible:
                raise _where(spec, d.where, _for_spec(exc)) from None
    return svy


def _for_spec(exc: Exception) -> str:
    """An error's advice for Python callers, said as a spec entry (:func:`pewlike.report.advice.for_spec`)."""
    from pewlike.report.advice import for_spec

    return for_spec(str(exc))


def _one(svy: Survey, d: DeriveSpec) -> Survey:
    if d.kind == "recode":
        assert d.var is not None and d.mapping is not None
        return svy.recode(d.var, dict(d.mapping), name=d.name, label=d.label, other=d.other)
    if d.kind == "score":
        assert d.var is not None and (d.codes or d.mapping is not None)
        return svy.score(d.var, "codes" if d.codes else dict(d.mapping or {}), name=d.name, label=d.label)
    labels = {d.name: d.label} if d.label else None
    columns: dict[str, Any] = {d.name: d.expr}
    return svy.assign(labels=labels, **columns)


def _subset(spec: Spec, svy: Survey, u: Universe) -> Survey:
    from pewlike.report.derive_spec import universe_name

    try:  # a filter is always said, named or not
        return svy.subset(u.filter, name=universe_name(u.name, u.filter, svy.universe))
    except PewlikeError as exc:
        raise _where(spec, f"{u.where}: filter", exc) from None


def data_universe(spec: Spec, svy: Survey) -> Survey:
    """The survey restricted to ``[data] filter`` (named ``[data] universe``); unchanged without one."""
    from pewlike.report.derive_spec import Universe

    if spec.data.filter is None:
        return svy
    return _subset(spec, svy, Universe(spec.data.filter, spec.data.universe, "[data]"))


def prepare(spec: Spec, svy: Survey) -> tuple[Survey, Spec]:
    """Derive the spec's variables and check its filters; headings say who each section is about.

    Parameters
    ----------
    spec : Spec
        The report spec.
    svy : Survey
        The survey as read.

    Returns
    -------
    (Survey, Spec)
        The survey with the derived variables (not yet filtered: see
        :func:`data_universe`), and the spec whose subtitle says "Among <universe>, n = N"
        for a ``[data] universe`` and whose sections whose items all share one named
        universe say it under their heading.

    Raises
    ------
    SpecError
        A derive fails, or a filter names an unknown variable or answer or matches
        nobody (the values that exist are listed); the message names its place.
    """
    svy = derive(spec, svy)
    whole = data_universe(spec, svy)
    subtitle = spec.subtitle
    if whole.universe and not spec.trends:  # trends across waves: the writer says each wave's n
        line = among(whole.universe, whole.n) + "."
        subtitle = with_line(subtitle, line)
    named: dict[str, tuple[str | None, int]] = {}
    for name, u in spec.universes.items():
        try:
            sub = _subset(spec, whole, u)
        except SpecError:
            if whole is svy or not _matches(svy, u.filter):
                raise  # a filter that matches nobody in the data: the spec is wrong
            continue  # nobody of the report's universe: the item says so in its place (in_universe)
        named[name] = (sub.universe, sub.n)
    sections = tuple(_headed(s, spec.items_in(s.id), named) for s in spec.sections)
    return svy, replace(spec, subtitle=subtitle, sections=sections)


def _headed(section: Section, items: Sequence[Item], named: dict[str, tuple[str | None, int]]) -> Section:
    found = {named.get(it.name, (None, 0)) for it in items}
    if len(found) != 1:
        return section
    name, n = found.pop()
    if not name:
        return section
    line = among(name, n) + "."
    return replace(section, text=f"{section.text} {line}" if section.text else line)


def in_universe(w: _Writer, svy: Survey, item: Item) -> tuple[Any, Survey]:
    """The writer and the survey an item is built with.

    Parameters
    ----------
    w : _Writer
        The report writer.
    svy : Survey
        The report's survey (after ``[data] filter``).
    item : Item
        A spec item.

    Returns
    -------
    (writer, Survey)
        ``w`` and ``svy`` for an item without a filter; otherwise a writer that keeps the
        universe's own cache of results and notes the universe under its tables, and
        ``svy.subset(filter, name=universe)`` (made once per universe).
    """
    u = w.spec.universes.get(item.name)
    if u is None:
        return w, svy
    key = ("universe", u.filter, u.name)
    if key not in w.cache:
        try:
            sub = _subset(w.spec, svy, u)
        except SpecError:
            if w.spec.data.filter is None:
                raise
            from pewlike.tables.toplines import lower_first

            # prepare() found that the filter matches respondents outside the report's universe only
            raise EmptyUniverse(
                f"filter {u.filter!r} matches nobody among {lower_first(svy.universe or 'the report')}, "
                "the report's universe; it selects other respondents only"
            ) from None
        w.cache[key] = (_UniverseWriter(w, sub), sub)
    found: tuple[_UniverseWriter, Survey] = w.cache[key]
    return found


class _UniverseWriter:
    """The report writer for the items of one universe: its own result cache, notes that name the universe.

    Everything else (files, figures, failures) goes to the report's writer.
    """

    def __init__(self, writer: _Writer, svy: Survey) -> None:
        self._writer = writer
        self._svy = svy
        self.cache: dict[tuple[Any, ...], Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)

    def topline(self, *args: Any, **kwargs: Any) -> Any:
        return type(self._writer).topline(self, *args, **kwargs)  # type: ignore[arg-type]

    def crosstabs(self, *args: Any, **kwargs: Any) -> Any:
        return type(self._writer).crosstabs(self, *args, **kwargs)  # type: ignore[arg-type]

    def table(self, doc: TableDoc, data_frames: Sequence[tuple[str, pd.DataFrame]] = ()) -> Any:
        name = self._svy.universe
        if name and not any(str(note).startswith("Among ") or "; among " in str(note) for note in doc.notes):
            doc.notes = (among(name, self._svy.n) + ".", *doc.notes)
        return self._writer.table(doc, data_frames)
