"""Words fit for publication: question wording without its "QNAME." prefix, short display names.

ATP files often start a variable label with the question's name or number
("CONCERNCO. How concerned are you ...", "Q12a. Do you ..."): useful to an analyst,
noise in a published title.  Tables, figures and report headings read wording
through :func:`display_question` and variable names through :func:`display_name`;
``svy.question()`` and ``codebook()`` keep the file's label as it is.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.io.codebook import Codebook, VariableInfo

__all__ = ["display_name", "display_question", "strip_question_prefix"]

# a leading token, then "." ":" or ")" and a space: "CONCERNCO. ", "Q12a. ", "Q.4b: "
_PREFIX = re.compile(r"^\s*(?P<tok>[A-Za-z][A-Za-z0-9_.]*?)\s*[.:)]\s+(?=\S)")
# question numbers: Q12, Q12a, Q.12b, PP5a, SECUR1, F_AGECAT, CONCERNCO
_QNUM = re.compile(r"^(?:Q\.?\d+[A-Za-z]{0,3}|[A-Z][A-Z0-9_]+[a-z]{0,2})$")


def strip_question_prefix(label: str, name: str | None = None) -> str:
    """Remove a leading question name or number (``"CONCERNCO. "``, ``"Q12a. "``) from a wording.

    Parameters
    ----------
    label : str
        A variable label.
    name : str, optional
        The variable's name; a prefix equal to it (with or without the wave suffix,
        any case) is always removed.

    Returns
    -------
    str
        The wording without the prefix; the label unchanged when it has none, or when
        nothing would be left.

    Notes
    -----
    A prefix is a first word followed by ``.``, ``:`` or ``)`` that is the variable's
    name or reads like a question number: ``Q`` and digits (``Q12a``), or capitals,
    digits and underscores of two characters or more (``SECUR1``, ``CONCERNCO``).
    "Mr. Smith ..." or "I. e." keep their words.

    Examples
    --------
    >>> strip_question_prefix("CONCERNCO. How concerned are you?", "CONCERNCO_W49")
    'How concerned are you?'
    >>> strip_question_prefix("Q12a. Do you use social media?")
    'Do you use social media?'
    >>> strip_question_prefix("Mr. Smith said so")
    'Mr. Smith said so'
    """
    from pewlike.io.codebook import base_name

    text = str(label)
    m = _PREFIX.match(text)
    if not m:
        return text
    tok = m.group("tok").rstrip(".")
    names = {n.lower() for n in (name, base_name(name)) if n} if name else set()
    known = tok.lower() in names
    looks = len(tok) >= 2 and bool(_QNUM.match(tok)) and not tok.isdigit()
    if not (known or looks):
        return text
    rest = text[m.end() :].strip()
    return rest or text


def display_question(codebook: Codebook, name: str) -> str:
    """The wording of a question for a title: the label without its prefix; the name when unlabelled.

    Parameters
    ----------
    codebook : Codebook
        The survey's codebook.
    name : str
        A variable (wave suffix optional).

    Returns
    -------
    str
        A wording given with :meth:`pewlike.Survey.relabel` (``label=``) is kept as
        written; a file's label loses its "QNAME." prefix.

    Examples
    --------
    >>> from pewlike.io.codebook import Codebook, VariableInfo
    >>> cb = Codebook({"Q1": VariableInfo("Q1", "Q1. Do you agree?")})
    >>> display_question(cb, "Q1")
    'Do you agree?'
    """
    col = codebook.resolve(name)
    info = codebook.variables[col]
    return strip_question_prefix(info.label, col) if info.label else col


def display_name(info: VariableInfo) -> str:
    """A variable's short display name: ``short_name`` if set, else its wording, else its name.

    Parameters
    ----------
    info : VariableInfo
        A codebook entry.

    Returns
    -------
    str
        What headings and model terms call the variable ("Age").

    Examples
    --------
    >>> from pewlike.io.codebook import VariableInfo
    >>> display_name(VariableInfo("F_AGECAT", "Age category", short_name="Age"))
    'Age'
    >>> display_name(VariableInfo("F_SEX", "F_SEX. Sex"))
    'Sex'
    """
    if info.short_name:
        return info.short_name
    if info.label:
        return strip_question_prefix(info.label, info.name)
    return info.base
