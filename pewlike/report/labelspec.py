"""The spec's ``[labels]`` table: short names, wordings and answer labels fit for publication.

::

    [labels.F_AGECAT]
    name = "Age"                                  # short display name
    values = { "18-29" = "Ages 18-29", "65+" = "Ages 65 and older" }

    [labels.CONCERNCO]
    label = "Concern about companies' use of data"  # the wording shown in titles

Each entry is applied with :meth:`pewlike.Survey.relabel` before anything is computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pewlike.errors import SpecError, VariableError

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.report.schema import DataSpec
    from pewlike.survey import Survey

__all__ = ["LabelSpec", "apply_labels", "declare_scales", "parse_labels"]

_KEYS = ("name", "label", "values")


@dataclass(frozen=True)
class LabelSpec:
    """One ``[labels.<VAR>]`` entry.

    Attributes
    ----------
    var : str
        The variable (wave suffix optional).
    name, label : str or None
        Short display name and wording.
    values : tuple of (str, str)
        Old answer -> new label pairs (answers by label; a TOML key is always text).
    where : str
        Its place in the spec (``[labels.F_AGECAT]``), named in errors.
    """

    var: str
    name: str | None
    label: str | None
    values: tuple[tuple[str, str], ...]
    where: str


def _text(spec_label: str, where: str, key: str, v: Any) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str) or not v.strip():
        raise SpecError(f"{spec_label}: {where}: {key!r} must be a non-empty string, not {v!r}")
    return v


def parse_labels(spec_label: str, raw: Any) -> tuple[LabelSpec, ...]:
    """Read the ``[labels]`` table of a spec.

    Parameters
    ----------
    spec_label : str
        The spec's name in error messages.
    raw : Any
        The ``labels`` value of the TOML document.

    Returns
    -------
    tuple of LabelSpec

    Raises
    ------
    SpecError
        Not a table of tables, an unknown key, a value of the wrong type; the message
        names the key.
    """
    if not isinstance(raw, Mapping):
        raise SpecError(f"{spec_label}: [labels] must be a table of [labels.<VARIABLE>] tables, not {raw!r}")
    out = []
    for var, entry in raw.items():
        where = f"[labels.{var}]"
        if not isinstance(entry, Mapping):
            raise SpecError(
                f'{spec_label}: {where} must be a table such as {{ name = "Age" }}, not {entry!r}; '
                'write [labels.VAR] with name = "...", label = "..." or values = { "old" = "new" }'
            )
        unknown = [k for k in entry if k not in _KEYS]
        if unknown:
            raise SpecError(f"{spec_label}: {where}: unknown key {unknown[0]!r}; expected one of: {', '.join(_KEYS)}")
        values = entry.get("values", {})
        if not isinstance(values, Mapping) or not all(isinstance(v, str) and v.strip() for v in values.values()):
            raise SpecError(
                f'{spec_label}: {where}: \'values\' must be a table {{ "old answer" = "new label" }}, not {values!r}'
            )
        out.append(
            LabelSpec(
                str(var),
                _text(spec_label, where, "name", entry.get("name")),
                _text(spec_label, where, "label", entry.get("label")),
                tuple((str(k), str(v)) for k, v in values.items()),
                where,
            )
        )
    return tuple(out)


def apply_labels(
    spec_label: str, entries: tuple[LabelSpec, ...], svy: Survey, *, where_possible: bool = False
) -> Survey:
    """Apply ``[labels]`` entries to a survey (:meth:`pewlike.Survey.relabel`).

    Parameters
    ----------
    spec_label : str
        The spec's name in error messages.
    entries : tuple of LabelSpec
        From :func:`parse_labels`.
    svy : Survey
        The survey of the report.
    where_possible : bool
        Leave out an entry the survey cannot take instead of stopping (a later wave of a
        trend report that does not ask the question).

    Returns
    -------
    Survey

    Raises
    ------
    SpecError
        A variable the data do not have, or an answer it does not have (the message
        names the key and the known answers); not with ``where_possible``.
    """
    for e in entries:
        try:
            svy = svy.relabel(e.var, dict(e.values) or None, name=e.name, label=e.label)
        except VariableError as exc:
            if not where_possible:
                raise SpecError(f"{spec_label}: {e.where}: {exc}") from None
    return svy


def declare_scales(spec_label: str, tables: Sequence[DataSpec], svy: Survey, *, where_possible: bool = False) -> Survey:
    """Apply ``[data] ordinal`` and ``nominal``: questions declared a scale, or not one.

    Parameters
    ----------
    spec_label : str
        The spec's name in error messages.
    tables : sequence of DataSpec
        The ``[data]`` tables whose declarations apply (a later wave: the first wave's and its own).
    svy : Survey
        The survey of the report.
    where_possible : bool
        Leave out a declaration the survey cannot take instead of stopping.

    Returns
    -------
    Survey

    Raises
    ------
    SpecError
        A question the data do not have, or one without labelled answers; not with
        ``where_possible``.
    """
    from pewlike.report.advice import for_spec

    for key, ordered in (("ordinal", True), ("nominal", False)):
        for var in dict.fromkeys(v for t in tables for v in getattr(t, key)):
            try:
                svy = svy.set_scale(var, ordered=ordered)
            except VariableError as exc:
                if not where_possible:
                    raise SpecError(f"{spec_label}: [data] {key}: {for_spec(str(exc))}") from None
    return svy
