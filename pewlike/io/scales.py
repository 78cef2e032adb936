"""Answer scales recognised from their labels, whatever measure level the file declares.

Many ATP files mark every labelled question "nominal", so the SPSS measure level cannot say
which questions are scales.  The labels can: "Very concerned / Somewhat concerned / Not too
concerned / Not at all concerned" is an ordered intensity scale in any file.  A list of
substantive labels (missing codes set aside) is a scale when every label takes a distinct
rung of one known family and the rungs run one way, top to bottom or bottom to top.

Families: degree and quantity (extremely/very/somewhat/not too/not at all; a great
deal/some/very little/none; all/most/some/very little/none of it; a very big/a moderately
big/a small/not a problem; major/minor/not a reason), frequency (always/often/sometimes/
rarely/never; just about always/most of the time/only some of the time/never; almost
constantly/several times a day/about once a day/a few times a week/every few weeks/less
often), evaluation
(excellent/good/fair/poor), and two-sided scales (strongly/somewhat agree/disagree;
very/somewhat likely/unlikely; satisfied, favorable, approve, support/oppose, better/worse,
more/less, too much/too little, conservative/liberal...) with an optional neutral middle
(neither..., about the same, about the right amount, moderate, mixed).  A code that starts
every label ("1 Very concerned") is set aside.

>>> scale_ranks(["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"])
(5, 3, 2, 1)
>>> scale_ranks(["Never", "Sometimes", "Often", "Always"])
(1, 3, 4, 6)
>>> scale_ranks(["Yes", "No", "Not sure"]) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.io.codebook import VariableInfo

__all__ = ["is_scale", "is_two_sided", "scale_order", "scale_ranks"]

_WORD = re.compile(r"[^a-z0-9+]+")

#: Degree and quantity, top rung first: each rung lists the openings that place a label on it.
_DEGREE: tuple[tuple[int, tuple[str, ...]], ...] = (
    # low rungs first where a longer opening shares a word with a higher one ("very little")
    (
        2,
        (
            "very little",
            "not too",
            "not very",
            "not much",
            "a little",
            "only a little",
            "only a few",
            "a few",
            "slightly",
            "hardly any",
            "hardly",
            "little",
            "not so",
            "only slightly",
            "not that",
            "minor",
            "not a lot",
            "a small",
            "small",
        ),
    ),
    (1, ("not at all", "none", "no ", "nothing", "not any", "never", "zero", "not a")),
    (
        6,
        (
            "extremely",
            "completely",
            "entirely",
            "totally",
            "a great deal",
            "a lot",
            "all",
            "a great amount",
            "very much",
            "almost all",
            "nearly all",
            "virtually all",
        ),
    ),
    (5, ("very", "a very big", "major", "a big", "big")),
    (
        4,
        (
            "most",
            "mostly",
            "quite",
            "pretty",
            "fairly",
            "a fair amount",
            "a good amount",
            "a good deal",
            "moderately",
            "a moderately",
        ),
    ),
    (3, ("somewhat", "some", "a moderate amount", "partly", "partially", "only some")),
)

_FREQUENCY: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        5,
        (
            "almost always",
            "nearly always",
            "most of the time",
            "very often",
            "usually",
            "several times a day",
            "many times a day",
            "multiple times a day",
        ),
    ),
    (
        2,
        (
            "rarely",
            "seldom",
            "hardly ever",
            "almost never",
            "only rarely",
            "once in a while",
            "every few weeks",
            "a few times a month",
        ),
    ),
    (1, ("never", "none of the time", "less often")),
    (6, ("always", "just about always", "all of the time", "all the time", "constantly", "almost constantly")),
    (4, ("often", "frequently", "fairly often", "about once a day", "once a day", "daily", "every day")),
    (
        3,
        (
            "sometimes",
            "some of the time",
            "only some of the time",
            "occasionally",
            "now and then",
            "a few times a week",
            "several times a week",
            "every few days",
            "weekly",
        ),
    ),
)

_EVALUATION: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("very poor", "very bad", "terrible")),
    (5, ("excellent", "outstanding", "very good")),
    (4, ("good",)),
    (3, ("fair", "only fair", "average", "okay", "ok")),
    (2, ("poor", "bad")),
)

#: Two-sided scales: the positive and negative words; the rung also needs a degree.
_POLES: tuple[tuple[str, str], ...] = (
    ("agree", "disagree"),
    ("likely", "unlikely"),
    ("satisfied", "dissatisfied"),
    ("favorable", "unfavorable"),
    ("favourable", "unfavourable"),
    ("approve", "disapprove"),
    ("support", "oppose"),
    ("better", "worse"),
    ("more", "less"),
    ("positive", "negative"),
    ("important", "unimportant"),
    ("comfortable", "uncomfortable"),
    ("acceptable", "unacceptable"),
    ("confident", "not confident"),
    ("effective", "ineffective"),
    ("fair", "unfair"),
    ("increase", "decrease"),
    ("conservative", "liberal"),
    ("trust", "distrust"),
    ("easy", "difficult"),
    ("helped", "hurt"),
    ("help", "hurt"),
    ("good", "bad"),
    ("too much", "too little"),
    ("too many", "too few"),
)
_STRONG = ("strongly", "very", "much", "a lot", "extremely", "completely", "totally", "far", "definitely")
_MILD = ("somewhat", "mostly", "a little", "slightly", "moderately", "fairly", "probably", "a bit")
_NEUTRAL = (
    "neither",
    "about the same",
    "the same",
    "no difference",
    "not made a difference",
    "no change",
    "stayed the same",
    "neutral",
    "mixed",
    "moderate",
    "middle of the road",
    "equally",
    "both equally",
    "no opinion either way",
    "about the right amount",
    "about right",
    "the right amount",
)


def _norm(label: str) -> str:
    return " ".join(_WORD.sub(" ", str(label).lower()).split())


#: A code written before each label by some files ("1 Very concerned", "(2) Somewhat", "3. Not too").
_CODE_PREFIX = re.compile(r"^\d{1,3} (?=[a-z])")


def _texts(labels: Sequence[str]) -> list[str]:
    """The normalised labels, without the code every one of them starts with ("1 Very concerned")."""
    texts = [_norm(x) for x in labels]
    if texts and all(_CODE_PREFIX.match(t) for t in texts):
        texts = [_CODE_PREFIX.sub("", t) for t in texts]
    return texts


def _opens(text: str, start: str) -> bool:
    start = start.strip()
    return text == start or text.startswith(start + " ")


def _rung(text: str, rungs: tuple[tuple[int, tuple[str, ...]], ...]) -> int | None:
    for rank, starts in rungs:
        if any(_opens(text, s) for s in starts):
            return rank
    return None


def _pole_rank(text: str, pos: str, neg: str) -> int | None:
    if any(_opens(text, n) for n in _NEUTRAL):
        return 3
    words = text.split(" ")
    has_neg = neg in text if " " in neg else neg in words
    has_pos = not has_neg and (pos in text if " " in pos else pos in words)
    if not (has_neg or has_pos):
        return None
    strong = any(_opens(text, s) for s in _STRONG)
    return (1 if strong else 2) if has_neg else (5 if strong else 4)


def _monotone(ranks: Sequence[int]) -> bool:
    pairs = list(pairwise(ranks))
    return all(a > b for a, b in pairs) or all(a < b for a, b in pairs)


def _two_sided(texts: list[str]) -> tuple[int, ...] | None:
    for pos, neg in _POLES:
        ranks = [_pole_rank(t, pos, neg) for t in texts]
        if any(r is None for r in ranks):
            continue
        got = tuple(int(r) for r in ranks if r is not None)
        sides = {r > 3 for r in got if r != 3}
        if sides == {True, False} and _monotone(got):
            return got
    return None


def scale_ranks(labels: Sequence[str]) -> tuple[int, ...] | None:
    """The rung of each label when the labels form an ordered answer scale, else None.

    Parameters
    ----------
    labels : sequence of str
        The substantive answers in the file's order (missing codes such as Refused set aside).

    Returns
    -------
    tuple of int or None
        One rank per label (higher = more: more often, more agreement, more of it), strictly
        increasing or strictly decreasing along the labels; None when the labels are not
        three or more answers of one recognised scale.

    Notes
    -----
    R and SPSS have no equivalent: ``haven`` keeps the file's measure level and R's
    ``factor(ordered=)`` is set by hand.  Recognition is by the opening words of each label
    ("Very ...", "Not too ...", "Strongly agree"), so it works in either direction and with
    any subject ("Very concerned", "Very likely").

    Examples
    --------
    >>> scale_ranks(["Strongly agree", "Somewhat agree", "Neither agree nor disagree",
    ...              "Somewhat disagree", "Strongly disagree"])
    (5, 4, 3, 2, 1)
    >>> scale_ranks(["All or almost all of it", "Most of it", "Some of it", "Very little of it", "None of it"])
    (6, 4, 3, 2, 1)
    >>> scale_ranks(["More secure", "Less secure", "About the same"]) is None
    True
    """
    texts = _texts(labels)
    if len(texts) < 3 or len(set(texts)) != len(texts) or any(not t for t in texts):
        return None
    for family in (_DEGREE, _FREQUENCY, _EVALUATION):
        found = [_rung(t, family) for t in texts]
        if all(r is not None for r in found):
            ranks = tuple(int(r) for r in found if r is not None)
            if _monotone(ranks):
                return ranks
    return _two_sided(texts)


def scale_order(labels: Sequence[str]) -> list[str] | None:
    """Answers given in any order (a CSV's text answers), top of the scale first, when they form a scale.

    Parameters
    ----------
    labels : sequence of str
        The distinct substantive answers, in any order (missing answers set aside).

    Returns
    -------
    list of str or None
        The answers from the top rung down ("Very ..." first, "Strongly agree" first,
        "Always" first, "Excellent" first), the order Pew's toplines use; None when they are
        not an answer scale :func:`scale_ranks` recognises in some order.

    Notes
    -----
    R's ``read.csv`` keeps text answers as character and ``factor()`` sorts them
    alphabetically ("Agree, Disagree, Strongly agree, Strongly disagree").

    Examples
    --------
    >>> scale_order(["Disagree", "Strongly agree", "Agree", "Strongly disagree"])
    ['Strongly agree', 'Agree', 'Disagree', 'Strongly disagree']
    >>> scale_order(["Not at all concerned", "Not too concerned", "Somewhat concerned", "Very concerned"])
    ['Very concerned', 'Somewhat concerned', 'Not too concerned', 'Not at all concerned']
    >>> scale_order(["Republican", "Democrat", "Independent"]) is None
    True
    """
    texts = _texts(labels)
    if len(texts) < 3 or len(set(texts)) != len(texts) or any(not t for t in texts):
        return None
    rankings = [[_rung(t, family) for t in texts] for family in (_DEGREE, _FREQUENCY, _EVALUATION)]
    rankings += [[_pole_rank(t, pos, neg) for t in texts] for pos, neg in _POLES]
    for ranks in rankings:
        if all(r is not None for r in ranks) and len(set(ranks)) == len(ranks):
            order = [label for _, label in sorted(zip(ranks, labels, strict=True), key=lambda x: -int(x[0] or 0))]
            if scale_ranks(order) is not None:
                return order
    return None


def is_two_sided(labels: Sequence[str]) -> bool:
    """Whether a recognised scale has two sides (agree ... disagree) rather than one (very ... not at all).

    Parameters
    ----------
    labels : sequence of str
        The substantive answers in order.

    Returns
    -------
    bool
        True for a two-sided scale, with or without a neutral middle.

    Examples
    --------
    >>> is_two_sided(["Very likely", "Somewhat likely", "Somewhat unlikely", "Very unlikely"])
    True
    >>> is_two_sided(["A great deal", "Some", "Very little", "None"])
    False
    """
    texts = _texts(labels)
    if len(texts) < 3:
        return False
    for family in (_DEGREE, _FREQUENCY, _EVALUATION):
        found = [_rung(t, family) for t in texts]
        if all(r is not None for r in found) and _monotone([int(r) for r in found if r is not None]):
            return False
    return _two_sided(texts) is not None


def is_scale(info: VariableInfo, levels: Sequence[str], *, ordered: bool = False) -> bool:
    """Whether a categorical question is an ordered answer scale.

    Parameters
    ----------
    info : VariableInfo
        Its codebook entry: a user's declaration (``info.scale``) wins, then the file's
        measure level ``"ordinal"``.
    levels : sequence of str
        Its substantive answers in order (missing codes set aside).
    ordered : bool
        Whether the data's categorical is ordered; counts only for a categorical built by
        hand (no measure level and no value labels: a file's labelled variables are all
        read as ordered, in code order, so their order says nothing).

    Returns
    -------
    bool
        True for a declared scale, a file's ordinal variable, an ordered categorical
        built by hand, or labels that :func:`scale_ranks` recognises (whatever
        the measure level: many files mark every question "nominal").

    Notes
    -----
    R has no equivalent: ``ordered`` factors are set by hand (``haven::as_factor`` keeps
    the file's order, not its measure level).

    Examples
    --------
    >>> from pewlike.io.codebook import VariableInfo
    >>> info = VariableInfo("Q1", measure="nominal", kind="categorical")
    >>> is_scale(info, ["Always", "Often", "Sometimes", "Rarely", "Never"])
    True
    >>> is_scale(info, ["Republican", "Democrat", "Independent"])
    False
    """
    if info.scale is not None:
        return info.scale
    if info.measure == "ordinal" or (info.measure is None and ordered and not info.value_labels):
        return True
    return scale_ranks(levels) is not None
