"""Names and answers of several waves made to agree before they are stacked.

ATP waves name the same question ``CONCERNCO_W49`` and ``CONCERNCO_W132``; other surveys
name it differently or word its answers differently.  :func:`wave_columns` maps each wave's
columns to one stacked name (the wave suffix dropped, then the user's ``rename`` crosswalk);
:func:`harmonise_categories` applies the ``recode`` crosswalk to a wave's answers and checks
that a question has the same substantive answers in every wave.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pewlike.errors import DesignError
from pewlike.io.codebook import answer_key

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.io.codebook import Codebook

__all__ = ["harmonise_categories", "recode_answers", "spelling_map", "wave_columns"]

#: ``{wave: {column or base name: stacked name, or None to leave it out}}``.
Rename = Mapping[str, Mapping[str, "str | None"]]
#: ``{wave: {stacked name: {answer in that wave: answer in the stack}}}``.
Recode = Mapping[str, Mapping[str, Mapping[str, str]]]


def wave_columns(wave: str, columns: Sequence[str], codebook: Codebook, rename: Rename | None) -> dict[str, str]:
    """Each column of one wave and its name in the stack.

    Parameters
    ----------
    wave : str
        The wave's name (a key of ``rename``).
    columns : sequence of str
        The wave's columns.
    codebook : Codebook
        The wave's codebook (for base names).
    rename : mapping, optional
        ``{wave: {name: new name or None}}``; a name may be the column or its base name.

    Returns
    -------
    dict
        Column -> stacked name, for the columns kept.

    Raises
    ------
    DesignError
        ``rename`` names a column the wave does not have, or two columns of the wave
        would get one name.
    """
    from pewlike.io.codebook import base_name

    given = dict((rename or {}).get(wave, {}))
    known = set(columns) | {base_name(c) for c in columns}
    unknown = [k for k in given if k not in known]
    if unknown:
        raise DesignError(
            f"rename={{{wave!r}: ...}} names {unknown[0]!r}, which wave {wave!r} does not have; "
            "check the spelling (names or names without the wave suffix)"
        )
    out: dict[str, str] = {}
    for col in columns:
        info = codebook.variables.get(col)
        base = info.base if info is not None else base_name(col)
        target = given[col] if col in given else given.get(base, base)
        if target is None:
            continue
        out[col] = str(target)
    seen: dict[str, str] = {}
    for col, target in out.items():
        if target in seen:
            raise DesignError(
                f"wave {wave!r}: columns {seen[target]!r} and {col!r} would both be {target!r} in the stack; "
                f"rename one, e.g. rename={{{wave!r}: {{{col!r}: {col + '_2'!r}}}}}"
            )
        seen[target] = col
    return out


def recode_answers(wave: str, name: str, series: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    """One wave's answers relabelled by the ``recode`` crosswalk (several may become one).

    Parameters
    ----------
    wave, name : str
        The wave and the question's stacked name, for messages.
    series : pandas.Series
        The wave's answers (a categorical).
    mapping : mapping
        ``{answer in the wave: answer in the stack}``.

    Returns
    -------
    pandas.Series
        A categorical whose categories are the new answers, in the order of the old ones.

    Raises
    ------
    DesignError
        The question is not categorical, or the mapping names an answer it does not have.
    """
    import pandas as pd

    if not isinstance(series.dtype, pd.CategoricalDtype):
        raise DesignError(f"recode={{{wave!r}: {{{name!r}: ...}}}}: {name!r} has no labelled answers in that wave")
    cats = [str(c) for c in series.cat.categories]
    bad = [k for k in mapping if k not in cats]
    if bad:
        raise DesignError(
            f"recode={{{wave!r}: {{{name!r}: ...}}}} names {bad[0]!r}, not an answer of {name!r} in wave "
            f"{wave!r}; its answers are {', '.join(map(repr, cats))}"
        )
    new = list(dict.fromkeys(str(mapping.get(c, c)) for c in cats))
    values = series.astype(object).map(lambda v: v if v is None or v != v else mapping.get(str(v), str(v)))
    return pd.Series(pd.Categorical(values, categories=new, ordered=series.cat.ordered), index=series.index)


def spelling_map(first: Sequence[str], answers: Sequence[str]) -> dict[str, str]:
    """A later wave's answers that differ from the first wave's only in case or spacing, mapped to them.

    Parameters
    ----------
    first : sequence of str
        The first wave's answers.
    answers : sequence of str
        A later wave's answers.

    Returns
    -------
    dict
        ``{answer in the later wave: the first wave's answer}`` (empty when the answers agree
        or differ in words).

    Notes
    -----
    R's ``rbind`` of two factors keeps "Very Concerned " and "Very concerned" as two levels;
    Pew's trend toplines treat them as one answer, and so does :func:`pewlike.stack`.

    Examples
    --------
    >>> spelling_map(["Very concerned", "Refused"], ["Very Concerned ", "Refused", "Other"])
    {'Very Concerned ': 'Very concerned'}
    """
    ref: dict[str, str] = {}
    for a in first:
        ref.setdefault(answer_key(a), a)
    same = set(ref.values())
    return {a: ref[answer_key(a)] for a in answers if a not in same and answer_key(a) in ref}


def harmonise_categories(
    name: str, per_wave: Mapping[str, tuple[list[str], set[str]]], given: Collection[str] = ()
) -> list[str]:
    """The stacked answers of a question asked in several waves, checked to agree.

    Parameters
    ----------
    name : str
        The question's stacked name.
    per_wave : mapping
        ``{wave: (answers in order, answers that are missing codes)}``.
    given : collection of str
        Waves whose answers are only those someone gave (text in a CSV, no value labels):
        such a wave may lack answers of the others (nobody gave them), not have its own.

    Returns
    -------
    list of str
        The substantive answers of the first wave with value labels (else of the wave whose
        answers include every other's), in its order, then every missing-code answer
        (Refused, Don't know) seen in any wave.

    Raises
    ------
    DesignError
        The substantive answers differ between waves; the message names the answers that
        differ and suggests the ``recode`` crosswalk.
    """
    waves = list(per_wave)
    subst = {w: [c for c in cats if c not in miss] for w, (cats, miss) in per_wave.items()}
    first = next((w for w in waves if w not in given), None)
    if first is None:  # every wave's answers are those given: the wave that has them all, if one does
        first = next((w for w in waves if all(set(subst[v]) <= set(subst[w]) for v in waves)), waves[0])
    ref = subst[first]
    for w in waves:
        if w == first or (w in given and set(subst[w]) <= set(ref)):
            continue
        if set(subst[w]) != set(ref):
            only_ref = [c for c in ref if c not in subst[w]]
            only_w = [c for c in subst[w] if c not in ref]
            example = {only_w[0]: only_ref[0]} if only_w and only_ref else {}
            hint = (
                f"map them with recode={{{w!r}: {{{name!r}: {example!r}}}}}"
                if example
                else f"map them with recode={{{w!r}: {{{name!r}: {{...}}}}}}"
            )
            raise DesignError(
                f"{name!r} has different answers in waves {first!r} and {w!r}: "
                f"{_listing(only_ref)} only in {first!r}, {_listing(only_w)} only in {w!r}; "
                f"{hint}, or leave it out with rename={{{w!r}: {{{name!r}: None}}}}"
            )
    missing: list[str] = []
    for cats, miss in per_wave.values():
        missing += [c for c in cats if c in miss and c not in missing]
    return [*ref, *missing]


def _listing(items: Sequence[Any]) -> str:
    if not items:
        return "none"
    shown = ", ".join(repr(x) for x in items[:4])
    return shown + (f" and {len(items) - 4} more" if len(items) > 4 else "")
