"""Collapsing categories and scoring answers: :meth:`pewlike.Survey.recode` and :meth:`~pewlike.Survey.score`.

Categories are named by label (``"Very concerned"``) or by SPSS code (``1``).  Missing
codes ("Refused", user-missing values) stay missing through a recode and are never scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pewlike.design.derive import _check_name, replace_columns
from pewlike.errors import VariableError
from pewlike.io.codebook import VariableInfo, base_name

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame

__all__ = ["Other", "recode_column", "score_column"]

#: What happens to categories a recode does not name: kept as they are, or made missing.
Other = Literal["keep", "drop"]


def _fmt(code: Any) -> str:
    return str(int(code)) if isinstance(code, float) and code.is_integer() else str(code)


def _categories(sf: SurveyFrame, var: str, verb: str) -> tuple[str, pd.Series, VariableInfo, list[str]]:
    import pandas as pd

    col = sf.resolve(var)
    s = sf.data[col]
    info = sf.codebook.variables[col]
    if not isinstance(s.dtype, pd.CategoricalDtype):
        raise VariableError(
            f"{verb}: {col!r} is {info.kind}, with no categories to {verb}; use svy.assign() to derive a value from it"
        )
    return col, s, info, [str(c) for c in s.cat.categories]


def _known(info: VariableInfo, cats: list[str]) -> str:
    by_label = {str(lab): code for code, lab in info.value_labels.items()}
    return ", ".join(f"{_fmt(by_label[c])} {c!r}" if c in by_label else repr(c) for c in cats)


def _category_of(member: Any, info: VariableInfo, cats: list[str], verb: str, col: str) -> str:
    """The category a member names: its label, or the label of its SPSS code."""
    if isinstance(member, str):
        if member in cats:
            return member
    elif isinstance(member, (int, float, np.integer, np.floating)) and not isinstance(member, bool):
        for code, lab in info.value_labels.items():
            if isinstance(code, (int, float)) and float(code) == float(member) and str(lab) in cats:
                return str(lab)
        if not info.value_labels and _fmt(float(member)) in cats:
            return _fmt(float(member))  # categories that are numbers themselves, without value labels
    raise VariableError(f"{verb}: {member!r} is not a category of {col!r}; known: {_known(info, cats)}")


def _members(value: Any) -> list[Any]:
    if isinstance(value, (str, int, float, np.integer, np.floating)):
        return [value]
    if isinstance(value, Iterable):
        return list(value)
    raise VariableError(f"recode: members must be a label, a code or a list of them, not {value!r}")


def _keeps_order(groups: list[str]) -> bool:
    """True when each new category's members are next to each other in the old order."""
    seen: list[str] = []
    for g in groups:
        if seen and seen[-1] == g:
            continue
        if g in seen:
            return False
        seen.append(g)
    return True


def recode_column(
    sf: SurveyFrame,
    var: str,
    mapping: Mapping[str, Any],
    *,
    name: str | None = None,
    label: str | None = None,
    other: Other = "keep",
) -> SurveyFrame:
    """Collapse or rename the categories of a labelled question: the engine of :meth:`pewlike.Survey.recode`.

    Parameters
    ----------
    sf : SurveyFrame
        The survey (in memory).
    var : str
        A categorical question (wave suffix optional).
    mapping : mapping
        New label -> the old categories it takes (labels or SPSS codes; one or a list).
    name : str, optional
        A new column; without it ``var`` is replaced.
    label : str, optional
        Question wording of the result (default: that of ``var``).
    other : {"keep", "drop"}
        Categories the mapping does not name: kept as they are, or made missing.

    Returns
    -------
    SurveyFrame

    Raises
    ------
    VariableError
        ``var`` is not categorical; a member is not one of its categories (the known
        ones are listed); a category is mapped twice; ``other`` is not valid.
    DesignError
        ``name`` is a design column.
    """
    import pandas as pd

    if other not in ("keep", "drop"):
        raise VariableError(f"recode: other={other!r} is not valid; choose 'keep' or 'drop'")
    col, s, info, cats = _categories(sf, var, "recode")
    target = _check_name(sf, col if name is None else name, "recode")
    if not isinstance(mapping, Mapping) or not mapping:
        raise VariableError("recode: give a mapping {new label: [old categories]}, e.g. {'Concerned': [1, 2]}")
    new_of: dict[str, str] = {}
    for new, members in mapping.items():
        if not isinstance(new, str) or not new:
            raise VariableError(f"recode: new category names are non-empty strings, got {new!r}")
        for member in _members(members):
            old = _category_of(member, info, cats, "recode", col)
            if old in new_of:
                raise VariableError(
                    f"recode: {old!r} of {col!r} is mapped twice (to {new_of[old]!r} and {new!r}); map it once"
                )
            new_of[old] = new
    missing = set(info.missing)
    code_of = {str(lab): code for code, lab in info.value_labels.items()}
    groups: list[str | None] = []
    for c in cats:
        if c in new_of:
            groups.append(new_of[c])
        elif c in missing or other == "keep":
            groups.append(c)
        else:
            groups.append(None)
    order = list(dict.fromkeys(g for g in groups if g is not None))
    members_of = {g: [c for c, h in zip(cats, groups) if h == g] for g in order}
    new_missing = tuple(g for g in order if all(m in missing for m in members_of[g]))
    substantive_groups = [g for c, g in zip(cats, groups) if g is not None and g not in new_missing]
    was_ordered = bool(getattr(s.dtype, "ordered", False))
    ordered = was_ordered and _keeps_order(substantive_groups)
    lookup = np.array([order.index(g) if g is not None else -1 for g in groups] + [-1], dtype=np.int64)
    codes = lookup[s.cat.codes.to_numpy()]
    cat = pd.Categorical.from_codes(codes, categories=pd.Index(order), ordered=ordered)
    # value labels: substantive categories numbered 1, 2, ... (skipping the missing codes), missing ones keep theirs
    labels: dict[Any, str] = {}
    taken = {code_of[g] for g in new_missing if g in code_of and len(members_of[g]) == 1}
    nxt = 1
    for g in order:
        if g in new_missing and g in code_of and len(members_of[g]) == 1:
            labels[code_of[g]] = g
            continue
        while nxt in taken:
            nxt += 1
        labels[nxt] = g
        nxt += 1
    labels = dict(sorted(labels.items(), key=lambda kv: float(kv[0])))
    miss_codes = tuple(c for c, g in labels.items() if g in new_missing)
    scale = info.scale if ordered else (False if was_ordered else info.scale)
    new_info = VariableInfo(
        target,
        label if label is not None else info.label,
        labels,
        new_missing,
        miss_codes,
        "categorical",
        info.measure if ordered or not was_ordered else "nominal",
        scale,
        short_name=info.short_name,
    )
    series = pd.Series(cat, index=s.index, name=target)
    return replace_columns(sf, {target: series}, {target: new_info})


def score_column(
    sf: SurveyFrame,
    var: str,
    scores: Mapping[Any, float] | Literal["codes"],
    *,
    name: str | None = None,
    label: str | None = None,
) -> SurveyFrame:
    """A numeric score of each answer: the engine of :meth:`pewlike.Survey.score`.

    Parameters
    ----------
    sf : SurveyFrame
        The survey (in memory).
    var : str
        A categorical question.
    scores : mapping or "codes"
        Category (label or SPSS code) -> number; every substantive answer needs one.
        ``"codes"``: each answer's SPSS code (:func:`_code_scores`).
    name : str, optional
        The new column (default ``<var>_score``, without the wave suffix).
    label : str, optional
        Its wording (default: that of ``var``).

    Returns
    -------
    SurveyFrame

    Raises
    ------
    VariableError
        A key is not a category (the known ones are listed) or is a missing code, an
        answer is scored twice or not at all, or a score is not a number.
    DesignError
        ``name`` is a design column.
    """
    import pandas as pd

    col, s, info, cats = _categories(sf, var, "score")
    target = _check_name(sf, name if name is not None else f"{base_name(col)}_score", "score")
    missing = set(info.missing)
    if isinstance(scores, str) and scores == "codes":
        scores = _code_scores(info, [c for c in cats if c not in missing], col)
    if not isinstance(scores, Mapping) or not scores:
        raise VariableError("score: give a mapping {answer: number}, e.g. {'Very concerned': 4, ...}, or 'codes'")
    value: dict[str, float] = {}
    for key, number in scores.items():
        cat = _category_of(key, info, cats, "score", col)
        if cat in missing:
            raise VariableError(f"score: {cat!r} of {col!r} is a missing code; missing answers are not scored")
        if cat in value:
            raise VariableError(f"score: {cat!r} of {col!r} is scored twice; score it once")
        if isinstance(number, bool) or not isinstance(number, (int, float, np.integer, np.floating)):
            raise VariableError(f"score: the score of {cat!r} is {number!r}; give a number")
        value[cat] = float(number)
    unscored = [c for c in cats if c not in missing and c not in value]
    if unscored:
        raise VariableError(
            f"score: {', '.join(map(repr, unscored))} of {col!r} have no score; give every answer one "
            "(missing codes are left out by themselves)"
        )
    lookup = np.array([value.get(c, np.nan) for c in cats] + [np.nan])
    series = pd.Series(lookup[s.cat.codes.to_numpy()], index=s.index, name=target)
    new_info = VariableInfo(target, label if label is not None else info.label, {}, (), (), "numeric")
    return replace_columns(sf, {target: series}, {target: new_info})


def _code_scores(info: VariableInfo, answers: list[str], col: str) -> dict[str, float]:
    """Each substantive answer scored by its SPSS code (a 0-10 scale labelled at its ends, say).

    As ``as.numeric(haven::zap_missing(x))`` in R: the number stored in the file, not the
    position of the answer.  Answers without a numeric code (text answers of a CSV) cannot be.
    """
    code_of = {
        str(lab): float(code)
        for code, lab in info.value_labels.items()
        if isinstance(code, (int, float, np.integer, np.floating)) and not isinstance(code, bool)
    }
    scores: dict[str, float] = {}
    for answer in answers:
        code = code_of.get(answer)
        if code is None and not info.value_labels:  # categories that are numbers themselves
            code = _number(answer)
        if code is None:
            raise VariableError(
                f"score: {answer!r} of {col!r} has no numeric code to score it by; "
                "give a mapping {answer: number} instead of 'codes'"
            )
        scores[answer] = code
    return scores


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None
