"""Select-all batteries: recognising them in a codebook and turning their items into 0/1 indicators.

A Pew "select all that apply" list stores each item as its own column coded like
1 = Selected, 2 = Not selected, with a common stem in the names (``PP5a`` .. ``PP5g``).
This module finds such batteries, checks that a list of items is one of them, shortens the
items' wordings to what differs between them, and builds the indicator matrix that the
estimates are computed on (R: ``svymean(~I(PP5a == "Selected") + ..., design)``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import EstimationError, VariableError
from pewlike.io.codebook import base_name

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.io.codebook import Codebook, VariableInfo

__all__ = [
    "BatteryColumns",
    "answer_levels",
    "battery_columns",
    "common_prefix",
    "find_batteries",
    "is_none_item",
    "item_stem",
    "selected_label",
    "short_labels",
    "trim_common_suffix",
]

_SELECTED = ("selected", "yes", "checked", "ticked", "mentioned", "chosen", "picked", "marked", "applies")
#: Item names of a battery: a letter after a digit (``PP5a``), after an underscore one or two
#: letters, up to three digits or "none" (``SMUSE_a``, ``Q5_1``, ``SMUSE_none``), or one small
#: letter after a capital (``SMa``; so ``CONCERNCO``, all capitals, has no item mark).
_STEMS = (
    re.compile(r"^(?P<stem>.*\d)(?P<item>[A-Za-z])$"),
    re.compile(r"^(?P<stem>.+_)(?P<item>[A-Za-z]{1,2}|\d{1,3}|none)$", re.IGNORECASE),
    re.compile(r"^(?P<stem>.*[A-Z])(?P<item>[a-z])$"),
)
_NONE = re.compile(r"^\s*(none of (these|the above|them)|none)\b", re.IGNORECASE)
_SEPARATORS = (". ", ": ", "? ", " - ", " \u2013 ", " \u2014 ", "; ", ", ")
#: Fewest words a shared start of items' wordings needs to be their stem when no separator ends it.
_MIN_BARE_STEM_WORDS = 3
#: What Qualtrics puts between a question and its option in a select-all item's wording.
_SELECTED_CHOICE = re.compile(r"\s*[-\u2013\u2014:]?\s*selected choice\s*$", re.IGNORECASE)


def selected_label(levels: Sequence[str]) -> str | None:
    """The answer meaning "selected" among an item's labels, or None.

    Parameters
    ----------
    levels : sequence of str
        The item's substantive answer labels.

    Returns
    -------
    str or None
        The first label reading "Selected", "Yes", "Checked", "Ticked", "Mentioned",
        "Chosen", "Picked", "Marked" or "Applies" (case-insensitive, optionally followed by
        more words after a space or punctuation: "Yes, selected"); None when there is none.

    Examples
    --------
    >>> selected_label(["Selected", "Not selected"]), selected_label(["Agree", "Disagree"])
    ('Selected', None)
    >>> selected_label(["No, not selected", "Yes, selected"]), selected_label(["Yesterday", "Today"])
    ('Yes, selected', None)
    """
    for lab in levels:
        low = lab.strip().lower()
        if any(low.startswith(w) and (len(low) == len(w) or not low[len(w)].isalnum()) for w in _SELECTED):
            return lab
    return None


def choice_label(levels: Sequence[str]) -> str | None:
    """The option an item names when its one answer is the option itself, or None.

    Survey software such as Qualtrics exports a select-all question as one column per option,
    coded 1 with the option's name as its label ("Facebook") and left blank (or 0, unlabelled)
    when not selected.

    Parameters
    ----------
    levels : sequence of str
        The item's substantive answer labels.

    Returns
    -------
    str or None
        The one label that is neither a "selected" word (:func:`selected_label`) nor the
        unlabelled code "0"; None otherwise.

    Examples
    --------
    >>> choice_label(["Facebook"]), choice_label(["0", "Facebook"]), choice_label(["Selected"])
    ('Facebook', 'Facebook', None)
    >>> choice_label(["Agree", "Disagree"])
    """
    named = [lab for lab in levels if lab.strip() != "0"]
    if len(named) != 1 or len(levels) - len(named) > 1 or selected_label(named) is not None:
        return None
    return named[0]


def _substantive(info: VariableInfo, levels: Sequence[str] | None = None) -> tuple[str, ...]:
    labels = levels if levels is not None else [str(v) for v in info.value_labels.values()]
    return tuple(str(v) for v in labels if str(v) not in set(info.missing))


def answer_levels(sf: SurveyFrame, col: str) -> tuple[str, ...]:
    """The substantive answers of a categorical column (its categories without missing codes).

    Parameters
    ----------
    sf : SurveyFrame
    col : str
        A resolved column.

    Returns
    -------
    tuple of str
    """
    import pandas as pd

    s = sf.data[col]
    info = sf.codebook.variables[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats: list[str] | None = [str(c) for c in s.dtype.categories]
    elif info.kind == "string":  # text answers (a CSV): the distinct answers, sorted
        cats = sorted({str(v) for v in s.dropna().unique()})
    else:
        cats = None
    return _substantive(info, cats)


def item_stem(name: str) -> str | None:
    """The battery stem of an item's column name, or None when the name has no item mark.

    Parameters
    ----------
    name : str
        A column name (an ATP wave suffix is set aside).

    Returns
    -------
    str or None
        The name up to its item mark: a letter after a digit (``PP5a``), an underscore
        followed by one or two letters, up to three digits or ``none`` (``SMUSE_a``,
        ``Q5_10``; the underscore is not part of the stem), or one small letter after a
        capital (``SMa``).

    Examples
    --------
    >>> item_stem("PP5a_W49"), item_stem("SMUSE_none_W80"), item_stem("Q5_10"), item_stem("CONCERNCO_W49")
    ('PP5', 'SMUSE', 'Q5', None)
    >>> item_stem("SMa_W117"), item_stem("Age")
    ('SM', None)
    """
    for pattern in _STEMS:
        m = pattern.match(base_name(name))
        if m:
            return m["stem"].rstrip("_")
    return None


def find_batteries(
    codebook: Codebook, columns: Sequence[str], levels: Mapping[str, Sequence[str]] | None = None
) -> list[list[str]]:
    """Select-all batteries in a codebook: items with a common stem and Selected/Not selected labels.

    Parameters
    ----------
    codebook : Codebook
        The survey's codebook.
    columns : sequence of str
        The data's columns, in file order (the battery keeps that order).
    levels : mapping of column to labels, optional
        Each categorical column's categories (default: the codebook's value labels).

    Returns
    -------
    list of list of str
        One list of column names per battery of two or more items (``PP5a_W49``,
        ``PP5b_W49``, ...): same name up to a final letter after a digit, up to a final
        underscore followed by one or two letters, up to three digits or ``none``
        (``SMUSE_a``, ``Q5_1``), or up to a final small letter after a capital (``SMa``);
        categorical, one set of answer labels that has a
        "selected" answer: Selected / Not selected, or "Selected" alone (an item left
        blank when not selected, as some survey software exports it); or each item
        labelled with its own option's name, left blank or 0 when not selected
        (Qualtrics' export; :func:`choice_label`).

    Notes
    -----
    R has no equivalent; Pew codebooks list such items under one question number.
    """
    groups: dict[str, list[str]] = {}
    choices: dict[str, list[tuple[str, str]]] = {}
    for col in columns:
        info = codebook.variables.get(col)
        if info is None or info.kind not in ("categorical", "string"):
            continue
        stem = item_stem(col)
        if stem is None:
            continue
        labels = _substantive(info, None if levels is None else levels.get(col))
        suffix = col[len(base_name(col)) :]
        if selected_label(labels) is not None and len(labels) <= 2:  # one label: "Selected", blank when not
            groups.setdefault(f"{stem}\x00{labels}\x00{suffix}", []).append(col)
        elif (option := choice_label(labels)) is not None:  # each item labelled with its option's name
            choices.setdefault(f"{stem}\x00{suffix}", []).append((col, option))
    found = [cols for cols in groups.values() if len(cols) >= 2]
    for items in choices.values():
        names = [name.casefold() for _, name in items]
        if len(items) >= 2 and len(set(names)) == len(names):
            found.append([col for col, _ in items])
    order = {c: i for i, c in enumerate(columns)}
    return sorted(found, key=lambda cols: order[cols[0]])


def common_prefix(texts: Sequence[str]) -> str:
    """The longest text every one of ``texts`` starts with (character by character).

    Examples
    --------
    >>> common_prefix(["PP5a", "PP5b"])
    'PP5'
    """
    if not texts:
        return ""
    first, last = min(texts), max(texts)
    k = 0
    while k < min(len(first), len(last)) and first[k] == last[k]:
        k += 1
    return first[:k]


def _cut(prefix: str, texts: Sequence[str]) -> str:
    """The common prefix cut back to a whole word (a separator such as ". " or ": " ends it best)."""
    best = 0
    for sep in _SEPARATORS:
        at = prefix.rfind(sep)
        if at >= 0:
            best = max(best, at + len(sep))
    words = prefix.rfind(" ") + 1
    # a shared run of whole words after the last separator; with no separator at all, only a
    # stem of three words or more ("How much" of two wordings of one question is not a stem)
    long_enough = best > 0 or len(prefix[:words].split()) >= _MIN_BARE_STEM_WORDS
    if words > best and long_enough and all(len(t) > words for t in texts):
        return prefix[:words]
    return prefix[:best]


def short_labels(labels: Sequence[str | None], names: Sequence[str]) -> tuple[str, list[str]]:
    """The shared question stem of items' wordings and each item's own part.

    Parameters
    ----------
    labels : sequence of str or None
        The items' variable labels (question wording).
    names : sequence of str
        Their column names (used when an item has no label).

    Returns
    -------
    (str, list of str)
        The common stem (whole words; may be empty) and each item's remaining text.

    Examples
    --------
    >>> short_labels(["Used: Social media", "Used: Email"], ["A1a", "A1b"])
    ('Used', ['Social media', 'Email'])
    """
    texts = [(lab or name).strip() for lab, name in zip(labels, names, strict=True)]
    if len(texts) < 2:
        return "", texts
    stem = _cut(common_prefix(texts), texts)
    out = [t[len(stem) :].strip() or t for t in texts]
    if len(set(out)) < len(out):  # the cut left two items alike: keep whole wordings
        return "", texts
    return stem.strip().rstrip(".:;,-\u2013\u2014").strip(), out


def trim_common_suffix(labels: Sequence[str]) -> list[str]:
    """Items' wordings without the whole words they all end with (for short chart labels).

    Examples
    --------
    >>> trim_common_suffix(["how companies use it about you?", "what police know about you?"])
    ['How companies use it', 'What police know']
    """
    rev = [" ".join(reversed(t.split())) for t in labels]
    tail = common_prefix(rev)
    whole = tail.endswith(" ") or all(r == tail or r.startswith(tail + " ") for r in rev)
    n_words = len(tail.split()) if whole else max(len(tail.split()) - 1, 0)
    out = []
    for t in labels:
        words = t.split()
        kept = words[: len(words) - n_words] if len(words) > n_words else words
        text = " ".join(kept).rstrip(",;:")
        out.append(text[:1].upper() + text[1:])
    return out


def is_none_item(label: str) -> bool:
    """Whether an item's own wording is "None of these" (it is left out of NET Any).

    Examples
    --------
    >>> is_none_item("None of these"), is_none_item("Nonprofit groups")
    (True, False)
    """
    return bool(_NONE.match(label))


def _have(cols: Sequence[str]) -> str:
    return "has" if len(cols) == 1 else "have"


@dataclass(frozen=True)
class BatteryColumns:
    """The checked items of one battery.

    Attributes
    ----------
    columns : tuple of str
        Resolved column names, in the order given.
    labels : tuple of str
        Each item's own wording (:func:`short_labels`).
    stem : str
        The wording the items share (the question), possibly empty.
    selected : str
        The answer label that means "selected" (the first item's, when each item is
        labelled with its own option's name).
    none : int or None
        Position of a "None of these" item, if any.
    item_selected : tuple of str
        Each item's "selected" label when they differ (items labelled with their option's
        name, :func:`choice_label`); empty when all items share :attr:`selected`.
    blank_unselected : bool
        Whether the items have no answer but "selected": one not selected is left blank, so
        those not asked cannot be told from those who selected nothing.
    """

    columns: tuple[str, ...]
    labels: tuple[str, ...]
    stem: str
    selected: str
    none: int | None
    item_selected: tuple[str, ...] = ()
    blank_unselected: bool = False

    def selected_of(self, k: int) -> str:
        """The answer label meaning "selected" for item ``k``."""
        return self.item_selected[k] if self.item_selected else self.selected


def battery_columns(sf: SurveyFrame, items: Sequence[str], what: str = "select_all") -> BatteryColumns:
    """Check that ``items`` are one select-all battery and describe it.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    items : sequence of str
        Item columns (wave suffix optional).
    what : str
        The verb asking, for messages.

    Returns
    -------
    BatteryColumns

    Raises
    ------
    VariableError
        An item is not categorical, the items have different answer labels (the message
        names both groups), or they have no "selected" answer.
    EstimationError
        Fewer than one item, or an item given twice.
    """
    if isinstance(items, str) or not items:
        raise EstimationError(
            f"{what} needs a list of item columns, e.g. ['PP5a', 'PP5b', 'PP5c']; svy.batteries() lists them"
        )
    cols = [sf.resolve(i) for i in items]
    if len(set(cols)) < len(cols):
        dup = next(c for c in cols if cols.count(c) > 1)
        raise EstimationError(f"{what}: item {dup!r} is given twice; list each item once")
    infos = [sf.codebook.variables[c] for c in cols]
    for c, info in zip(cols, infos, strict=True):
        if info.kind not in ("categorical", "string"):
            raise VariableError(
                f"{what}: {c!r} is not a labelled (categorical) item; a battery's items are coded like Selected / Not selected"
            )
    answers = [answer_levels(sf, c) for c in cols]
    sets: dict[tuple[str, ...], list[str]] = {}
    for c, levels in zip(cols, answers, strict=True):
        sets.setdefault(levels, []).append(c)
    choices = [choice_label(levels) for levels in answers]
    if len(cols) > 1 and all(choices) and len({str(x).casefold() for x in choices}) == len(cols):
        named = tuple(str(x) for x in choices)  # each item labelled with its own option (Qualtrics)
        stem, _ = short_labels([i.label for i in infos], cols)
        stem = _SELECTED_CHOICE.sub("", stem).strip()
        nones = [k for k, lab in enumerate(named) if is_none_item(lab)]
        return BatteryColumns(
            tuple(cols), named, stem, named[0], nones[-1] if nones else None, named, len(answers[0]) == 1
        )
    if len(sets) > 1:
        (a_labels, a_cols), (b_labels, b_cols) = list(sets.items())[:2]
        raise VariableError(
            f"{what}: the items are not one battery: {', '.join(a_cols)} {_have(a_cols)} answers {list(a_labels)} "
            f"but {', '.join(b_cols)} {_have(b_cols)} {list(b_labels)}; pass items that share one set of answer labels"
        )
    levels = next(iter(sets))
    sel = selected_label(levels)
    if sel is None:
        raise VariableError(
            f"{what}: {cols[0]!r} has no 'selected' answer among {list(levels)}; select_all needs items coded like "
            "Selected / Not selected (for items answered on one scale use svy.grid)"
        )
    stem, labels = short_labels([i.label for i in infos], cols)
    nones = [k for k, lab in enumerate(labels) if is_none_item(lab)]
    return BatteryColumns(
        tuple(cols), tuple(labels), stem, sel, nones[-1] if nones else None, blank_unselected=len(levels) == 1
    )


def selected_matrix(data: pd.DataFrame, battery: BatteryColumns, missing: Mapping[str, Sequence[str]]) -> np.ndarray:
    """Each respondent's answer to each item: 1 selected, 0 not, NaN not answered (or a missing code).

    Parameters
    ----------
    data : pandas.DataFrame
        The survey's data.
    battery : BatteryColumns
        The items.
    missing : mapping of column name to labels
        Each item's missing-answer labels ("Refused" ...), counted as not answered.

    Returns
    -------
    ndarray of float, shape (n, k)
    """
    out = []
    for k, c in enumerate(battery.columns):
        s = data[c]
        text = s.astype(object)
        answered = s.notna().to_numpy() & ~text.isin(list(missing.get(c, ()))).to_numpy()
        sel = (text == battery.selected_of(k)).to_numpy(dtype=bool)
        out.append(np.where(answered, sel.astype(float), np.nan))
    return np.column_stack(out)
