"""A spec with its ``[data] filter`` and ``universe`` replaced (``pewlike report --filter ... --universe ...``)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pewlike.errors import SpecError

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.report.schema import Spec

__all__ = ["with_universe"]


def with_universe(spec: Spec, filter_: str | None, universe: str | None) -> Spec:
    """The spec with another report universe.

    Parameters
    ----------
    spec : Spec
        A validated spec.
    filter_ : str or None
        Replaces ``[data] filter`` (None keeps the spec's).
    universe : str or None
        Replaces ``[data] universe`` (None keeps the spec's when the filter is kept, and
        leaves a new filter unnamed).

    Returns
    -------
    Spec

    Raises
    ------
    SpecError
        The filter is not a condition of pewlike's language, or the name is not one line.
    """
    from pewlike.report.derive_spec import parse_universe

    raw: dict[str, str] = {"filter": filter_ if filter_ is not None else str(spec.data.filter)}
    if universe is not None:
        raw["universe"] = universe
    elif filter_ is None and spec.data.universe is not None:
        raw["universe"] = spec.data.universe
    try:
        u = parse_universe("command line", "--filter", raw)
    except SpecError as exc:
        raise SpecError(str(exc).replace("filter = ", "--filter ").replace("'universe'", "--universe")) from None
    assert u is not None
    return replace(spec, data=replace(spec.data, filter=u.filter, universe=u.name))
