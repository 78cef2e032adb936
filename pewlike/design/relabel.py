"""Publication labels: :meth:`pewlike.Survey.relabel` renames answers, gives a short name and a wording.

Renaming answers changes the categories' labels only: the codes, their order, the
missing codes and every estimate stay as they were.  A question that was an answer
scale stays one (it is declared so in the codebook), so its automatic nets follow the
new labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pewlike.design.derive import replace_columns
from pewlike.design.recode import _categories, _category_of
from pewlike.errors import VariableError

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame
    from pewlike.io.codebook import Codebook, VariableInfo

__all__ = ["relabel_info", "relabel_values"]


def _text(value: Any, what: str, col: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise VariableError(f"relabel {col!r}: {what} must be a non-empty string, not {value!r}")
    return " ".join(value.split())


def relabel_info(
    codebook: Codebook, var: str, *, name: str | None = None, label: str | None = None
) -> tuple[str, VariableInfo]:
    """The codebook entry of ``var`` with a new short name and/or wording.

    Parameters
    ----------
    codebook : Codebook
        The survey's codebook.
    var : str
        A variable (wave suffix optional).
    name : str, optional
        Short display name ("Age").
    label : str, optional
        New question wording.

    Returns
    -------
    tuple of (str, VariableInfo)
        The column and its new entry.

    Raises
    ------
    VariableError
        Unknown variable, or a name or label that is not a non-empty string.
    """
    col = codebook.resolve(var)
    info = codebook.variables[col]
    short = _text(name, "name", col)
    wording = _text(label, "label", col)
    if short is not None:
        info = replace(info, short_name=short)
    if wording is not None:
        info = replace(info, label=wording)
    return col, info


def relabel_values(sf: SurveyFrame, var: str, values: Mapping[Any, str]) -> SurveyFrame:
    """Rename answers of a labelled question (by label or SPSS code): the engine of ``relabel(values=)``.

    Parameters
    ----------
    sf : SurveyFrame
        The in-memory survey.
    var : str
        A categorical question.
    values : mapping
        Old answer (label or code) -> new label.

    Returns
    -------
    SurveyFrame
        The same data with the categories renamed (codes, order and missing codes kept),
        value labels renamed, and a scale declared as one.

    Raises
    ------
    VariableError
        ``var`` is not categorical; a key is not one of its answers (the known ones are
        listed); a new label is empty, given twice or already another answer's.
    """
    from pewlike.io.scales import is_scale

    col, s, info, cats = _categories(sf, var, "relabel")
    if not isinstance(values, Mapping) or not values:
        raise VariableError(
            f"relabel {col!r}: values is a mapping {{old answer: new label}}, e.g. {{{cats[0]!r}: 'New label'}}"
        )
    new_of: dict[str, str] = {}
    for old, new in values.items():
        cat = _category_of(old, info, cats, "relabel", col)
        text = _text(new, f"the new label of {cat!r}", col)
        assert text is not None
        if cat in new_of and new_of[cat] != text:
            raise VariableError(f"relabel {col!r}: {cat!r} is renamed twice ({new_of[cat]!r} and {text!r}); once")
        new_of[cat] = text
    renamed = [new_of.get(c, c) for c in cats]
    dup = next((r for i, r in enumerate(renamed) if r in renamed[:i]), None)
    if dup is not None:
        raise VariableError(
            f"relabel {col!r}: two answers would be labelled {dup!r}; give each a different label "
            "(to merge answers use svy.recode)"
        )
    missing = set(info.missing)
    substantive = [c for c in cats if c not in missing]
    was_scale = is_scale(info, substantive, ordered=bool(getattr(s.dtype, "ordered", False)))
    series = s.cat.rename_categories(renamed)
    new_info = replace(
        info,
        value_labels={code: new_of.get(str(lab), str(lab)) for code, lab in info.value_labels.items()},
        missing=tuple(new_of.get(m, m) for m in info.missing),
        scale=True if (was_scale and info.scale is None) else info.scale,
    )
    return replace_columns(sf, {col: series}, {col: new_info})
