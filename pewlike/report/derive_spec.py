"""The spec's data preparation: ``[[derive]]`` entries, ``[data] filter``/``universe`` and per-item universes.

Read from the TOML document before the items (whose tables refuse unknown keys)::

    [data]
    file = "w49.sav"
    filter = "F_REG in [1, 2]"          # the safe condition language; numbers are SPSS codes
    universe = "Registered voters"      # notes say "Among registered voters, n = 2,861"

    [[derive]]
    name = "CONC2"
    label = "Concerned about companies' use of data"
    recode = {var = "CONCERNCO", map = {Concerned = [1, 2], "Not concerned" = [3, 4]}, other = "keep"}
    [[derive]]
    name = "CONC_SCORE"
    score = {var = "CONCERNCO", map = {"Very concerned" = 4, "Somewhat concerned" = 3,
             "Not too concerned" = 2, "Not at all concerned" = 1}}
    [[derive]]
    name = "OLDER"
    expr = "F_AGECAT >= 3"              # arithmetic or a condition; never evaluated as Python

    [[topline]]
    var = "CONCERNGOV"
    filter = "F_AGECAT in [3, 4]"
    universe = "Adults ages 50 and older"

Every expression and filter is parsed here, when the spec is read, so a derive that calls
anything the language does not allow fails with a one-line :class:`~pewlike.errors.SpecError`
before any data is read or anything is computed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pewlike.errors import PewlikeError, SpecError

__all__ = [
    "UNIVERSE_KINDS",
    "DeriveSpec",
    "Universe",
    "name_universes",
    "parse_derive",
    "parse_universe",
    "split_universes",
    "universe_name",
    "unnamed_universe",
]

#: The item arrays that take ``filter`` and ``universe`` keys.
UNIVERSE_KINDS = ("topline", "crosstab", "compare", "model", "distribution")


@dataclass(frozen=True)
class Universe:
    """A filter and the name of the universe it selects (``"Registered voters"``).

    Attributes
    ----------
    filter : str or None
        A condition in pewlike's condition language (checked when the spec is read).
    name : str or None
        Shown in notes and headings: "Among registered voters, n = 2,861".
    where : str
        Its place in the spec file, for error messages.
    """

    filter: str | None
    name: str | None
    where: str = ""


@dataclass(frozen=True)
class DeriveSpec:
    """One ``[[derive]]`` entry: a new variable made before the report is built.

    Attributes
    ----------
    name : str
        The new variable (an existing non-design variable is replaced).
    kind : {"recode", "score", "expr"}
        :meth:`pewlike.Survey.recode`, :meth:`~pewlike.Survey.score`, or
        :meth:`~pewlike.Survey.assign` from an expression.
    var : str or None
        The question recoded or scored.
    mapping : mapping or None
        Recode: new answer -> old answers (labels or SPSS codes); score: answer -> number.
    codes : bool
        Score: each answer scored by its SPSS code (``map = "codes"``), not by ``mapping``.
    other : {"keep", "drop"}
        Recode: answers the mapping does not name.
    expr : str or None
        The expression (already parsed once, so known to be in the language).
    label : str or None
        The question wording of the new variable.
    where : str
        Its place in the spec file.
    """

    name: str
    kind: Literal["recode", "score", "expr"]
    var: str | None = None
    mapping: Mapping[str, Any] | None = None
    codes: bool = False
    other: Literal["keep", "drop"] = "keep"
    expr: str | None = None
    label: str | None = None
    where: str = ""


def _fail(label: str, where: str, msg: str) -> SpecError:
    return SpecError(f"{label}: {where}: {msg}")


def _one_line(label: str, where: str, key: str, v: Any) -> str:
    if not isinstance(v, str) or not v.strip() or "\n" in v or "\r" in v:
        raise _fail(label, where, f"{key!r} must be a non-empty one-line string, not {v!r}"[:300])
    return v.strip()


def _check_condition(label: str, where: str, key: str, text: str) -> None:
    from pewlike.formula.condition import parse_condition

    try:
        parse_condition(text)
    except PewlikeError as exc:
        raise _fail(label, where, f"{key}: {exc}") from None


def parse_universe(label: str, where: str, raw: Mapping[str, Any]) -> Universe | None:
    """Read ``filter`` and ``universe`` from one table of the spec.

    Parameters
    ----------
    label : str
        The spec's name in error messages.
    where : str
        The table's place (``"[data]"``, ``"[[topline]] #2"``).
    raw : mapping
        The table as TOML read it.

    Returns
    -------
    Universe or None
        None when the table has neither key.

    Raises
    ------
    SpecError
        The filter is not a condition of the language (the message gives the column of
        the error), or the universe is not a one-line text, or a universe is named
        without a filter.
    """
    if "filter" not in raw and "universe" not in raw:
        return None
    text = _one_line(label, where, "filter", raw["filter"]) if "filter" in raw else None
    name = _one_line(label, where, "universe", raw["universe"]) if "universe" in raw else None
    if text is None:
        raise _fail(label, where, f'universe = {name!r} needs filter = "<condition>" selecting it')
    _check_condition(label, where, "filter", text)
    return Universe(text, name, where)


def unnamed_universe(condition: str) -> str:
    """The name of a filter given without one: its notes say whom the numbers are about.

    A table of a subgroup never reads as one of everyone ("Asked of all respondents"):
    the report, its tables and the command line's notes say "Among respondents matching
    <condition>, n = N".

    Examples
    --------
    >>> unnamed_universe("F_SEX == 2")
    'Respondents matching F_SEX == 2'
    """
    return f"Respondents matching {condition}"


def universe_name(name: str | None, condition: str | None, within: str | None = None) -> str | None:
    """The name a filter's subset is given: ``name``, else :func:`unnamed_universe`.

    Within a named universe (``within``) an unnamed filter stays unnamed here:
    :meth:`pewlike.Survey.subset` names it "<universe>: <condition>" ("Women: F_AGECAT in [3, 4]").

    Examples
    --------
    >>> universe_name(None, "F_SEX == 2"), universe_name("Women", "F_SEX == 2"), universe_name(None, "X == 1", "Women")
    ('Respondents matching F_SEX == 2', 'Women', None)
    """
    if name is not None or within or condition is None:
        return name
    return unnamed_universe(condition)


def split_universes(label: str, raw: dict[str, Any]) -> tuple[dict[str, Any], dict[tuple[str, int], Universe]]:
    """Take ``filter``/``universe`` out of the item tables (topline, crosstab, compare, model, distribution).

    Parameters
    ----------
    label : str
        The spec's name in error messages.
    raw : dict
        The TOML document (not changed).

    Returns
    -------
    (dict, dict)
        A copy of the document without those keys in the items, and
        ``(kind, number) -> Universe`` for the items that had them (numbers from 1).
    """
    out = dict(raw)
    found: dict[tuple[str, int], Universe] = {}
    for kind in UNIVERSE_KINDS:
        arr = raw.get(kind)
        if not isinstance(arr, list):
            continue
        items: list[Any] = []
        for i, item in enumerate(arr, 1):
            if isinstance(item, dict) and ("filter" in item or "universe" in item):
                u = parse_universe(label, f"[[{kind}]] #{i}", item)
                if u is not None:
                    found[(kind, i)] = u
                item = {k: v for k, v in item.items() if k not in ("filter", "universe")}
            items.append(item)
        out[kind] = items
    return out, found


def name_universes(
    found: Mapping[tuple[str, int], Universe], items: Mapping[str, Sequence[Any]]
) -> dict[str, Universe]:
    """Item name -> its universe, from :func:`split_universes` and the parsed items of each kind."""
    return {items[kind][i - 1].name: u for (kind, i), u in found.items()}


_DERIVE_KEYS = ("name", "label", "recode", "score", "expr")


def parse_derive(label: str, raw: Any) -> tuple[DeriveSpec, ...]:
    """Read the ``[[derive]]`` array.

    Parameters
    ----------
    label : str
        The spec's name in error messages.
    raw : list
        The array as TOML read it.

    Returns
    -------
    tuple of DeriveSpec

    Raises
    ------
    SpecError
        Unknown keys, not exactly one of ``recode``/``score``/``expr``, a mapping of the
        wrong shape, a name given twice, or an expression outside the language (a call,
        an attribute, ``__`` ...): nothing is executed.
    """
    if not isinstance(raw, list):
        raise SpecError(f"{label}: 'derive' must be an array of tables written [[derive]]")
    out: list[DeriveSpec] = []
    seen: set[str] = set()
    for i, r in enumerate(raw, 1):
        where = f"[[derive]] #{i}"
        if not isinstance(r, dict):
            raise _fail(label, where, "must be a table")
        unknown = [k for k in r if k not in _DERIVE_KEYS]
        if unknown:
            raise _fail(label, where, f"unknown key {str(unknown[0])!r}; expected one of: {', '.join(_DERIVE_KEYS)}")
        if "name" not in r:
            raise _fail(label, where, "missing key 'name'; give the new variable a name = \"...\"")
        name = _one_line(label, where, "name", r["name"])
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,63}", name) or name in ("labels", "value_labels"):
            raise _fail(
                label, where, f"name = {name!r} is not a valid variable name; use a letter, then letters, digits or '_'"
            )
        if name.casefold() in seen:
            raise _fail(label, where, f"name = {name!r} is derived twice; give each [[derive]] its own name")
        seen.add(name.casefold())
        wording = _one_line(label, where, "label", r["label"]) if "label" in r else None
        kinds = [k for k in ("recode", "score", "expr") if k in r]
        if len(kinds) != 1:
            raise _fail(label, where, 'give exactly one of recode = {...}, score = {...} or expr = "..."')
        kind = kinds[0]
        if kind == "expr":
            out.append(DeriveSpec(name, "expr", expr=_expr(label, where, r["expr"]), label=wording, where=where))
        else:
            out.append(_mapped(label, where, name, kind, r[kind], wording))
    return tuple(out)


def _expr(label: str, where: str, v: Any) -> str:
    from pewlike.formula.condition import parse_expression

    text = _one_line(label, where, "expr", v)
    try:
        parse_expression(text)
    except PewlikeError as exc:
        raise _fail(label, where, f"expr: {exc}") from None
    return text


def _member(v: Any) -> bool:
    return (isinstance(v, str) and bool(v)) or (isinstance(v, int) and not isinstance(v, bool))


def _mapped(label: str, where: str, name: str, kind: str, v: Any, wording: str | None) -> DeriveSpec:
    keys = ("var", "map", "other") if kind == "recode" else ("var", "map")
    if not isinstance(v, dict):
        raise _fail(label, where, f'{kind} must be a table {{var = "...", map = {{...}}}}, not {v!r}'[:300])
    unknown = [k for k in v if k not in keys]
    if unknown:
        raise _fail(label, where, f"{kind}: unknown key {str(unknown[0])!r}; expected one of: {', '.join(keys)}")
    if "var" not in v or "map" not in v:
        raise _fail(label, where, f'{kind} needs var = "QUESTION" and map = {{...}}')
    var = _one_line(label, where, f"{kind}.var", v["var"])
    m = v["map"]
    if kind == "score" and m == "codes":  # each answer's SPSS code (a 0-10 scale labelled at its ends)
        return DeriveSpec(name, "score", var=var, codes=True, label=wording, where=where)
    if not isinstance(m, dict) or not m:
        also = ' (or "codes": each answer\'s SPSS code)' if kind == "score" else ""
        raise _fail(label, where, f"{kind}.map must be a non-empty table{also}")
    if kind == "score":
        bad = [k for k, x in m.items() if isinstance(x, bool) or not isinstance(x, (int, float))]
        if bad:
            raise _fail(label, where, f"score.map: the score of {bad[0]!r} must be a number")
        return DeriveSpec(
            name, "score", var=var, mapping={k: float(x) for k, x in m.items()}, label=wording, where=where
        )
    mapping: dict[str, Any] = {}
    for k, x in m.items():
        members = x if isinstance(x, list) else [x]
        if not members or not all(_member(y) for y in members):
            raise _fail(
                label, where, f'recode.map.{k}: give the answers it takes, as labels or SPSS codes: [1, 2] or ["Yes"]'
            )
        mapping[k] = list(members)
    other = v.get("other", "keep")
    if other not in ("keep", "drop"):
        raise _fail(label, where, f"recode.other = {other!r} is not valid; choose one of: keep, drop"[:300])
    return DeriveSpec(name, "recode", var=var, mapping=mapping, other=other, label=wording, where=where)
