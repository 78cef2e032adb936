"""``pewlike init``: a starter report spec written from a data file's codebook.

It picks the questions worth reporting -- answer scales recognised from their labels
(:mod:`pewlike.io.scales`, whatever the file's measure level) and yes/no items (two
substantive answers) -- the standard ATP demographics it finds (age, sex or gender,
education, race and ethnicity, party, income), and the weight, and writes a spec in which
every key is explained in a comment, toplining each question and crossing it by the
demographics.  :attr:`Starter.choices` says what was chosen and why.  The text is checked by
:func:`pewlike.report.spec.loads` before it is returned.  Select-all batteries and grids
of questions sharing a scale are proposed too (:mod:`pewlike.report.starter_batteries`).
:func:`read_for_starter` reads the file, choosing a weight where a panel file has several.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pewlike.io.tomltext import toml_comment as _comment
from pewlike.io.tomltext import toml_string as _q
from pewlike.report.starter_design import (
    PSU_NAMES,
    STRATA_NAMES,
    DesignColumns,
    design_columns,
    design_comment,
    design_seen,
    design_why,
)
from pewlike.report.starter_numeric import MAX_DISTRIBUTIONS, MIN_DISTINCT, distribution_lines, numeric_items

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.survey import Survey

__all__ = [
    "MAX_STARTER_ITEMS",
    "OTHER_DEMOGRAPHICS",
    "STANDARD_DEMOGRAPHICS",
    "Starter",
    "categorical_items",
    "demographics",
    "file_starter",
    "likert_items",
    "other_demographics",
    "read_for_starter",
    "standard_demographics",
    "starter",
    "starter_spec",
    "yes_no_items",
]

#: The starter's comment on ``[data] missing_weights = "drop"`` (a weight blank for some respondents).
MISSING_WEIGHTS_COMMENT = (
    '# Respondents whose weight is blank (not in that wave\'s sample) are left out; "error" stops instead.'
)

#: Questions a starter spec toplines and crosses by default (each gives two report items).
MAX_STARTER_ITEMS = 200

#: Demographics as other surveys name them (Pew's phone surveys, the GSS, ESS ...), used when a
#: file has no ``F_`` profile variable: (what it is, names tried in turn, compared case-blind).
OTHER_DEMOGRAPHICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("age", ("AGECAT", "RECAGE", "AGEGRP", "AGEGROUP", "AGE_CAT", "AGE4", "AGE")),
    ("sex or gender", ("SEX", "GENDER")),
    ("education", ("EDUCCAT", "RECEDUC", "EDUC", "EDUCATION", "DEGREE")),
    ("race and ethnicity", ("RACETHN", "RACETHN2", "RACETHNIC", "RACE_ETH", "RACE")),
    ("party", ("PARTY", "PARTYID", "PARTY3", "PID")),
    ("income", ("INCOME", "INC", "INCOME4", "INCOME3")),
    ("region", ("CREGION", "REGION")),
)

#: Columns that are not questions: ids, forms, weights, paradata (a whole word: IDEO and DEVICES stay
#: questions), and the design columns of :mod:`~pewlike.report.starter_design`.
_SKIP = re.compile(
    r"^(?:QKEY|X?FORM|CASEID|RESPID|ID|WEIGHT|WT|XW|REPWT|DEVICE_TYPE|INTERVIEW|LANG)(?:$|[_\d])"
    rf"|^({'|'.join(sorted(map(re.escape, STRATA_NAMES | PSU_NAMES)))})$",
    re.IGNORECASE,
)
#: Columns Qualtrics adds to every export (response status, progress, channel ...): not questions.
#: Set aside only in a file that has Qualtrics' ResponseId and Finished columns.
_QUALTRICS_META = frozenset(
    name.casefold()
    for name in (
        "StartDate",
        "EndDate",
        "Status",
        "IPAddress",
        "Progress",
        "Duration__in_seconds_",
        "Finished",
        "RecordedDate",
        "ResponseId",
        "RecipientLastName",
        "RecipientFirstName",
        "RecipientEmail",
        "ExternalReference",
        "LocationLatitude",
        "LocationLongitude",
        "DistributionChannel",
        "UserLanguage",
    )
)
_QUALTRICS_INTERNAL = re.compile(r"^Q_[A-Za-z]+$")  # Q_RecaptchaScore, Q_TotalDuration (not Q_5)

#: The standard ATP demographics, in report order: (what it is, names tried in turn).  A name
#: also matches with a wave suffix (``F_AGECAT_W49``); ``F_INC`` matches any ``F_INC...``.
STANDARD_DEMOGRAPHICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("age", ("F_AGECAT",)),
    ("sex or gender", ("F_SEX", "F_GENDER")),
    ("education", ("F_EDUCCAT", "F_EDUCCAT2")),
    ("race and ethnicity", ("F_RACETHN", "F_RACETHNMOD")),
    ("party", ("F_PARTYSUM_FINAL", "F_PARTY_FINAL")),
    ("income", ("F_INC",)),
)


def _wave_number(col: str) -> int:
    """The wave of a ``WEIGHT_W<n>`` column (-1 for a plain ``weight``)."""
    from pewlike.io.codebook import base_name

    digits = re.sub(r"\D", "", col[len(base_name(col)) :])
    return int(digits) if digits else -1


def read_for_starter(path: str) -> tuple[Survey, str | None]:
    """Read a data file for a starter spec, choosing a weight where the file has several.

    A panel file may carry the weight of each wave its respondents took part in
    (``WEIGHT_W80``, ``WEIGHT_W81``).  Estimates need one; the starter takes the latest
    wave's that every respondent has (a wave's weight is blank for those not in it), says
    so, and the spec names it so that it can be changed.  The file is read once.

    Parameters
    ----------
    path : str
        The data file.

    Returns
    -------
    (Survey, str or None)
        The survey, and the line saying which weight was chosen among several (None when
        the file has at most one weight column).

    Raises
    ------
    DataFileError
        The file cannot be read.
    DesignError
        The weight column has negative or infinite values, or is blank for everyone (a
        blank weight leaves its respondent out: ``missing_weights="drop"``).

    Notes
    -----
    No R equivalent: ``svydesign(weights=)`` is always given by hand.
    """
    import warnings

    from pewlike.design.structure import weight_columns
    from pewlike.errors import DataWarning
    from pewlike.loading import read
    from pewlike.survey import Survey

    plain = read(path, weights=None, probe=True)  # unweighted unless the file has a weight column
    found = weight_columns(list(plain._data.columns))
    if not found:
        return plain, None
    why = None
    chosen = found[0]
    if len(found) > 1:
        latest_first = sorted(found, key=_wave_number, reverse=True)
        complete = [c for c in latest_first if bool(plain._data[c].notna().all())]
        chosen = complete[0] if complete else latest_first[0]  # none complete: its blank rows are left out
        skipped = latest_first[: latest_first.index(chosen)]
        why = (
            f"weight: {chosen}, the latest wave's that every respondent has ({', '.join(skipped)} is missing for "
            "some; change [data] weights to use another)"
            if skipped
            else f"weight: {chosen}, the latest wave's of the file's weight columns {', '.join(found)} "
            "(change [data] weights to use another)"
        )
    blank = int(plain._data[chosen].isna().sum())
    if blank:  # a wave's weight of a panel file: blank for those not in that wave, who are left out
        why = (
            f"weight: {chosen}, blank for {blank:,} respondents (not in that wave's sample), who are left out "
            '([data] missing_weights = "drop"; change [data] weights to use another)'
        )
    with warnings.catch_warnings():  # said in the line above
        warnings.simplefilter("ignore", DataWarning)
        survey = Survey(
            plain._data,
            weights=chosen,
            codebook=plain._codebook,
            source=plain.source,
            missing_weights="drop" if blank else "error",
        )
    return survey, why


def file_starter(path: str, *, spec_path: str = "report.toml", max_items: int = MAX_STARTER_ITEMS) -> Starter:
    """The starter spec of a data file: :func:`read_for_starter`, then :func:`starter`.

    Parameters
    ----------
    path : str
        The data file.
    spec_path : str
        Where the spec will be written (data paths in it are relative to its folder).
    max_items : int
        As :func:`starter`.

    Returns
    -------
    Starter

    Notes
    -----
    No R equivalent; ``pewlike init DATA`` and ``pewlike report --data DATA`` both start here.
    """
    svy, weight_why = read_for_starter(path)
    return starter(svy, path, spec_path=spec_path, max_items=max_items, weight_why=weight_why)


def _levels(svy: Survey, col: str) -> list[str]:
    from pewlike.design.frame import frame_of
    from pewlike.estimation.estimators import factor_codes

    levels: list[str] = factor_codes(frame_of(svy), col)[2]
    return levels


def _answer_column(svy: Survey, col: str) -> bool:
    """Whether ``col`` holds answers: a labelled (categorical) column, or text with at most 12 distinct answers.

    A CSV gives its answers as text; a column of free text or identifiers has more.
    """
    import pandas as pd

    if _qualtrics_meta(svy, col):
        return False
    s = svy._data[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        return True
    return svy._codebook.variables[col].kind == "string" and int(s.nunique()) <= 12


def _qualtrics_meta(svy: Survey, col: str) -> bool:
    """Whether ``col`` is a column Qualtrics adds to its exports, in a file exported by Qualtrics."""
    if col.casefold() not in _QUALTRICS_META and not _QUALTRICS_INTERNAL.match(col):
        return False
    names = {str(c).casefold() for c in svy._data.columns}
    return {"responseid", "finished"} <= names


def likert_items(svy: Survey) -> list[str]:
    """Questions with an ordered scale of 3-7 substantive answers (not ``F_`` profile or design columns).

    A scale is recognised from its labels whatever the file's measure level, or declared
    (``svy.set_scale``); see :func:`pewlike.io.scales.is_scale`.

    Parameters
    ----------
    svy : Survey
        An in-memory survey.

    Returns
    -------
    list of str
        Columns, in the data's order.

    Examples
    --------
    >>> import pewlike as pw
    >>> likert_items(pw.demo())[:3]
    ['CONCERNCO_W49', 'CONCERNGOV_W49', 'CONCERNLE_W49']
    """
    import pandas as pd

    from pewlike.io.scales import is_scale

    out = []
    for col, info in svy._codebook.variables.items():
        if col.upper().startswith("F_") or _SKIP.match(col) or not _answer_column(svy, col):
            continue
        dtype = svy._data[col].dtype
        levels = _levels(svy, col)
        ordered = isinstance(dtype, pd.CategoricalDtype) and bool(dtype.ordered)
        if 3 <= len(levels) <= 7 and is_scale(info, levels, ordered=ordered):
            out.append(col)
    return out


def categorical_items(svy: Survey) -> list[str]:
    """Questions with 2-12 labelled answers (not ``F_`` profile or design columns, nor items of a
    select-all battery), scales and yes/no items among them.  A CSV's text answers count as
    labels.

    Parameters
    ----------
    svy : Survey
        An in-memory survey.

    Returns
    -------
    list of str
        Columns, in the data's order.

    Examples
    --------
    >>> import pewlike as pw
    >>> categorical_items(pw.demo())[:2]
    ['CONCERNCO_W49', 'CONCERNGOV_W49']
    """
    in_battery = {col for battery in svy.batteries() for col in battery}  # each proposed as one [[select_all]]
    return [
        col
        for col in svy._codebook.variables
        if _answer_column(svy, col)
        and col not in in_battery
        and not col.upper().startswith("F_")
        and not _SKIP.match(col)
        and 2 <= len(_levels(svy, col)) <= 12
    ]


def demographics(svy: Survey) -> list[str]:
    """``F_`` profile variables with 2-8 substantive categories (age, sex, education ...).

    Parameters
    ----------
    svy : Survey
        An in-memory survey.

    Returns
    -------
    list of str
        Columns, in the data's order.

    Examples
    --------
    >>> import pewlike as pw
    >>> demographics(pw.demo())[:3]
    ['F_AGECAT', 'F_SEX', 'F_EDUCCAT']
    """

    return [
        col
        for col in svy._codebook.variables
        if col.upper().startswith("F_") and _answer_column(svy, col) and 2 <= len(_levels(svy, col)) <= 8
    ]


def yes_no_items(svy: Survey) -> list[str]:
    """Questions with exactly two substantive answers (yes/no, either/or; not ``F_`` or design columns).

    Items of a select-all battery (:meth:`pewlike.Survey.batteries`) are left out: the
    starter proposes each battery as one ``[[select_all]]`` item instead.

    Parameters
    ----------
    svy : Survey
        An in-memory survey.

    Returns
    -------
    list of str
        Columns, in the data's order.

    Examples
    --------
    >>> import pewlike as pw
    >>> yes_no_items(pw.demo())
    ['POSNEGCO_W49', 'POSNEGGOV_W49']
    """

    in_battery = {col for battery in svy.batteries() for col in battery}
    return [
        col
        for col in svy._codebook.variables
        if _answer_column(svy, col)
        and col not in in_battery
        and not col.upper().startswith("F_")
        and not _SKIP.match(col)
        and len(_levels(svy, col)) == 2
    ]


def _matches(col: str, name: str) -> bool:
    up = col.upper()
    if name == "F_INC":
        return up.startswith("F_INC")
    return up == name or bool(re.fullmatch(re.escape(name) + r"_W\d+", up))


def standard_demographics(svy: Survey) -> list[tuple[str, str]]:
    """The standard ATP demographics found: age, sex or gender, education, race, party, income.

    Parameters
    ----------
    svy : Survey
        An in-memory survey.

    Returns
    -------
    list of (str, str)
        ``(column, what it is)`` in :data:`STANDARD_DEMOGRAPHICS` order, one per kind (the
        first name found), each a labelled variable with 2-12 substantive categories.

    Examples
    --------
    >>> import pewlike as pw
    >>> [c for c, _ in standard_demographics(pw.demo())]
    ['F_AGECAT', 'F_SEX', 'F_EDUCCAT', 'F_RACETHN', 'F_PARTYSUM_FINAL', 'F_INCOME_RECODE']
    """
    return _named_demographics(svy, STANDARD_DEMOGRAPHICS)


def _named_demographics(svy: Survey, kinds: tuple[tuple[str, tuple[str, ...]], ...]) -> list[tuple[str, str]]:
    """``(column, what it is)`` for each kind, the first of its names found as a labelled
    variable with 2-12 substantive categories (a column is taken once)."""
    usable = [col for col in svy._codebook.variables if _answer_column(svy, col) and 2 <= len(_levels(svy, col)) <= 12]
    out: list[tuple[str, str]] = []
    for what, names in kinds:
        found = next((col for name in names for col in usable if _matches(col, name)), None)
        if found is not None and all(found != c for c, _ in out):
            out.append((found, what))
    return out


def other_demographics(svy: Survey) -> list[tuple[str, str]]:
    """Demographics named as other surveys name them (``sex``, ``recage``, ``educ``, ``party``...).

    Used when a file has no ``F_`` profile variable: Pew's older phone surveys, the GSS and
    most other houses name them without a prefix.  Each must be a labelled variable with
    2-12 substantive categories (a numeric ``age`` in years is not one).

    Parameters
    ----------
    svy : Survey
        An in-memory survey.

    Returns
    -------
    list of (str, str)
        ``(column, what it is)`` in :data:`OTHER_DEMOGRAPHICS` order, one per kind.

    Examples
    --------
    >>> import pandas as pd
    >>> import pewlike as pw
    >>> d = pd.DataFrame({"sex": ["Male", "Female"] * 3, "recage": ["18-34", "35-64", "65+"] * 2, "q1": ["Yes", "No"] * 3})
    >>> other_demographics(pw.Survey(d, weights=None))
    [('recage', 'age'), ('sex', 'sex or gender')]
    """
    return _named_demographics(svy, OTHER_DEMOGRAPHICS)


@dataclass(frozen=True)
class Starter:
    """A starter spec, what it left out, and what it chose and why.

    Attributes
    ----------
    text : str
        The TOML spec, every key explained in a comment.
    questions : int
        Questions in the spec (each has a topline and, with demographics, a crosstab).
    left_out : int
        Questions found but not written, because of ``max_items``.
    choices : tuple of str
        One line per choice (questions, demographics, weight, base), saying why.
    weight_like : str or None
        A column named like another survey house's weight (``WTSSALL``) when the spec is
        unweighted because no column is named ``WEIGHT_W<n>`` or ``weight``; said, not chosen.
    unused_design : tuple of str
        What the file seems to have for its design and the spec leaves commented out
        ("VSTRAT (strata) and VPSU (PSUs) look like the sample's design", "replicate weights:
        PWGTP1 .. PWGTP80 look like PWGTP's").
    """

    text: str
    questions: int
    left_out: int
    choices: tuple[str, ...] = ()
    weight_like: str | None = None
    unused_design: tuple[str, ...] = ()


def starter_spec(
    svy: Survey, data_path: str, *, spec_path: str = "report.toml", max_items: int = MAX_STARTER_ITEMS
) -> str:
    """The text of a starter spec for ``svy`` read from ``data_path``.

    ``data_path`` is written relative to the spec's folder when it can be.

    Parameters
    ----------
    svy : Survey
        The survey read from ``data_path``.
    data_path : str
        The data file, as the spec will name it.
    spec_path : str
        Where the spec will be written.
    max_items : int
        Most questions written (the first ones in the data's order); see :func:`starter`.

    Returns
    -------
    str
        A TOML spec, checked by :func:`pewlike.report.spec.loads`.

    Raises
    ------
    SpecError
        No reportable question in the data, or ``max_items`` below 1.

    Examples
    --------
    >>> import pewlike as pw
    >>> text = starter_spec(pw.demo(), "privacy.sav")
    >>> 'file = "privacy.sav"' in text
    True
    """
    return starter(svy, data_path, spec_path=spec_path, max_items=max_items).text


def _count(items: Sequence[str], noun: str) -> str:
    """``"1 question"``, ``"3 questions"``."""
    return f"{len(items):,} {noun}{'' if len(items) == 1 else 's'}"


def _names(cols: list[str], most: int = 6) -> str:
    shown = ", ".join(cols[:most])
    return shown + (f" and {len(cols) - most:,} more" if len(cols) > most else "")


def _pick(svy: Survey, crossed: Collection[str] = ()) -> tuple[dict[str, str], list[str]]:
    """The questions (column -> kind), in the data's order, and one line per kind found saying why.

    ``crossed``: demographics the crosstabs are by, left out of the questions.
    """
    scales = [c for c in likert_items(svy) if c not in crossed]
    binary = [c for c in yes_no_items(svy) if c not in crossed]
    why = []
    if scales:
        why.append(
            f"{len(scales):,} answer scales (ordered answers recognised from their labels or declared): {_names(scales)}"
        )
    if binary:
        why.append(f"{len(binary):,} yes/no items (two substantive answers): {_names(binary)}")
    kinds = dict.fromkeys(scales, "answer scale") | dict.fromkeys(binary, "yes/no item")
    # a question with unordered answers (which of these, party) belongs in a topline as much as a scale
    others = [col for col in categorical_items(svy) if col not in kinds and col not in crossed]
    if others:
        why.append(
            f"{len(others):,} questions with 2-12 unordered answers: {_names(others)}"
            if kinds
            else f"no answer scale or yes/no item found; took the {len(others):,} labelled questions with "
            f"2-12 answers: {_names(others)}"
        )
    kinds |= dict.fromkeys(others, "question")
    found = {col: kinds[col] for col in svy._codebook.variables if col in kinds}
    unanswered = _unanswered(svy, list(found))
    if unanswered:  # a question not asked in this wave (a merged file): no table can be made of it
        many = "questions" if len(unanswered) > 1 else "question"
        why.append(f"left out {len(unanswered):,} {many} nobody answered: {_names(unanswered)}")
        found = {col: kind for col, kind in found.items() if col not in unanswered}
    return found, why


def _unanswered(svy: Survey, cols: list[str]) -> list[str]:
    """The questions among ``cols`` with no substantive answer of a respondent with a weight."""
    from pewlike.design.frame import frame_of

    sf = frame_of(svy)
    counted = sf.design.in_domain & (sf.design.weights != 0)
    return [col for col in cols if not (sf.valid(col) & counted).any()]


def starter(
    svy: Survey,
    data_path: str,
    *,
    spec_path: str = "report.toml",
    max_items: int = MAX_STARTER_ITEMS,
    weight_why: str | None = None,
) -> Starter:
    """A starter spec for ``svy`` with at most ``max_items`` questions, what it left out and why.

    Questions, in the data's order: answer scales recognised from their labels whatever the
    file's measure level (:func:`likert_items`), yes/no items (:func:`yes_no_items`) and the
    other labelled questions with 2-12 answers (:func:`categorical_items`).
    Demographics: the standard ATP ones found (:func:`standard_demographics`), else the
    ``F_`` profile variables with 2-8 categories.  The weight: the design's.  One base
    rule for the whole report (``[defaults] base``), stated under every table.

    Parameters
    ----------
    svy : Survey
        The survey read from ``data_path``.
    data_path : str
        The data file, as the spec will name it.
    spec_path : str
        Where the spec will be written.
    max_items : int
        Most questions written, the first ones in the data's order; the spec
        says in a comment how many more there were.  A file with thousands of columns
        would otherwise give a spec of thousands of tables.
    weight_why : str, optional
        The line saying how the weight was chosen (:func:`read_for_starter`), instead of
        "the file's weight column".

    Returns
    -------
    Starter

    Raises
    ------
    SpecError
        No reportable question in the data (no labelled question with 2-12 answers besides
        ``F_`` profile and design columns), or ``max_items`` below 1.

    Notes
    -----
    No R equivalent.

    Examples
    --------
    >>> import pewlike as pw
    >>> s = starter(pw.demo(), "privacy.sav", max_items=3)
    >>> s.questions, s.left_out
    (3, 11)
    """
    from pewlike.design.frame import dropped_unweighted
    from pewlike.design.structure import replicate_lookalikes, weight_lookalikes
    from pewlike.errors import SpecError
    from pewlike.report.spec import loads

    if not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 1:
        raise SpecError(f"max_items={max_items!r} is not valid; give a whole number of at least 1")
    # without F_ profile variables, demographics named as other houses name them (sex, recage ...)
    std = standard_demographics(svy)
    profile = [] if std else demographics(svy)[:6]
    other = [] if std or profile else other_demographics(svy)
    found, why = _pick(svy, crossed={c for c, _ in other})
    if not found and other:  # a file of demographics only: they are its questions
        found, why = _pick(svy)
        other = []
    numeric = _numeric_questions(svy)
    if not found and not svy.batteries() and not numeric:
        raise SpecError(
            f"{data_path}: no reportable question found (no answer scale, no yes/no item, no select-all battery, "
            "no labelled question with 2-12 answers, no numeric question, besides F_ profile and design columns); "
            "write the spec by hand, "
            "see the README "
            "section 'The report spec' or `pewlike report --help`"
        )
    if std:
        demos = [c for c, _ in std]
        why.append("demographics (the standard ATP ones found): " + ", ".join(f"{c} ({w})" for c, w in std))
    elif (demos := profile) or not other:
        why.append(
            "demographics: "
            + (
                f"no standard ATP demographic found; took F_ profile variables with 2-8 categories: {_names(demos)}"
                if demos
                else "none found (no F_ profile variable): the spec has toplines only"
            )
        )
    else:
        demos = [c for c, _ in other]
        why.append(
            "demographics (no F_ profile variable; named as other surveys name them, crossed by, not toplined): "
            + ", ".join(f"{c} ({w})" for c, w in other)
        )
    items = list(found)[:max_items]
    left_out = len(found) - len(items)
    spec_dir = Path(spec_path).resolve().parent
    data = Path(data_path).resolve()
    try:
        rel = data.relative_to(spec_dir).as_posix()
    except ValueError:
        rel = data.as_posix()
    label = svy._codebook.file_label or data.stem
    weight = svy._design.names.get("weights")
    columns = [str(c) for c in svy._data.columns]
    likes = [] if weight else weight_lookalikes(columns)
    # the full-sample weight with its replicates (PWGTP, not PWGTP1, when the file has both)
    full, replicates = next(
        ((c, reps) for c in ([weight] if weight else likes) if (reps := replicate_lookalikes(columns, c))),
        (weight or (likes[0] if likes else None), []),
    )
    like = None if weight else full
    if weight_why is None:
        weight_why = f"weight: {weight} (the file's weight column)" if weight else "weight: none found, so unweighted"
        if like:
            weight_why = (
                f"weight: none named WEIGHT_W<n> or weight, so unweighted; {like} looks like one: "
                f'set [data] weights = "{like}" to use it'
            )
    why.append(weight_why)
    unused: list[str] = []
    if replicates and not svy._design.is_replicate:
        unused.append(f"replicate weights: {replicates[0]} .. {replicates[-1]} look like {full}'s")
        why.append(f"{unused[-1]}; the spec says how to use them (their type is in the file's documentation)")
    design = _design_lookalikes(svy)
    if design is not None:
        why.append(design_why(design))
        unused.append(design_seen(design))
    why.append('base: "valid" for every table (Refused and Don\'t know excluded, said under each table)')
    wording = {col: svy._codebook.variables[col].label or "" for col in items}
    lines = _text(label, rel, weight, demos, {col: found[col] for col in items}, wording, _dot_levels(svy, found))
    if weight and dropped_unweighted(svy._history):
        at = lines.index(f"weights = {_q(weight)}") + 1
        lines[at:at] = [MISSING_WEIGHTS_COMMENT, 'missing_weights = "drop"']
    if replicates and not svy._design.is_replicate:
        at = next(i for i, x in enumerate(lines) if x.startswith("weights = ")) + 1
        lines[at:at] = _replicate_comment(str(full), replicates, chosen=bool(weight))
    if design is not None:
        at = lines.index("[output]") - 1
        lines[at:at] = design_comment(design)
    from pewlike.report.starter_batteries import battery_lines

    # batteries, and grids of the scales and yes/no items that share their answers (#14); unordered
    # answers are not one scale's sides, so their questions are not drawn as one diverging grid
    extra = battery_lines(svy, [col for col in items if found[col] != "question"])
    if extra:
        at = lines.index("[weighting]")
        lines[at:at] = extra
        why.append(f"batteries and grids: {sum(1 for x in extra if x.startswith('[['))} proposed")
    if numeric:
        shown = numeric[:MAX_DISTRIBUTIONS]
        at = lines.index("[weighting]")
        lines[at:at] = distribution_lines(shown, {col: svy._codebook.variables[col].label or "" for col in shown})
        first = f" (the first {len(shown)} are in the spec)" if len(shown) < len(numeric) else ""
        why.append(
            f"{_count(numeric, 'numeric question')} ({MIN_DISTINCT} or more different answers, not labelled), "
            f"a histogram and box plot each{first}: {_names(numeric)}"
        )
    if left_out:
        lines[2:2] = [
            f"# {left_out:,} more questions were left out (the first {len(items):,} of {len(found):,} "
            "are here); add them by hand or run `pewlike init --max-items N`"
        ]
    text = "\n".join(lines)
    loads(text, label=Path(spec_path).name)  # the starter must itself be a valid spec
    return Starter(text, len(items), left_out, tuple(why), like, tuple(unused))


def _numeric_questions(svy: Survey) -> list[str]:
    """The numeric questions (:func:`~pewlike.report.starter_numeric.numeric_items`), not ids, forms or paradata."""
    skip = {str(c) for c in svy._data.columns if _SKIP.match(str(c)) or _qualtrics_meta(svy, str(c))}
    return numeric_items(svy, skip)


def _design_lookalikes(svy: Survey) -> DesignColumns | None:
    """Strata and PSU columns of a weights-only design, by their names (:mod:`pewlike.report.starter_design`)."""
    if svy._design.is_replicate or svy._design.has_psu or svy._design.names.get("strata"):
        return None
    return design_columns(svy._data)


def _replicate_comment(weight: str, replicates: list[str], *, chosen: bool) -> list[str]:
    """Comment lines of the starter's [data]: how to use the replicate weights the file seems to have."""
    stem = replicates[0][: -len("1")]
    return [
        f"# {_comment(replicates[0])} .. {_comment(replicates[-1])} look like {len(replicates)} replicate weights "
        f"of {_comment(weight)}; to use them, set" + ("" if chosen else f" weights = {_q(_comment(weight))} and"),
        f"# repweights = {_q(_comment(stem) + '[0-9]*')}",
        '# reptype = "JK1"  # or "JKn", "BRR", "Fay" (with rho), "bootstrap", "SDR": the file\'s documentation says which',
    ]


def _dot_levels(svy: Survey, found: dict[str, str]) -> dict[str, str]:
    """The answer a crosstab of each unordered question charts as dots: its first substantive answer.

    A diverging chart is for answer scales: the first answers of an unordered question are not
    one side of anything, and more than 9 answers do not fit one.
    """
    from pewlike.design.frame import frame_of
    from pewlike.estimation.indicators import answer_levels

    sf = frame_of(svy)
    dots = {}
    for col, kind in found.items():
        # a spec names an answer by its text: a blank one (a DataFrame's "") cannot be named
        if kind == "question" and (named := [lev for lev in answer_levels(sf, col) if lev.strip()]):
            dots[col] = named[0]
    return dots


def _text(
    label: str,
    rel: str,
    weight: str | None,
    demos: list[str],
    items: dict[str, str],
    wording: dict[str, str],
    dots: dict[str, str],
) -> list[str]:
    lines = [
        f"# Starter report spec for {_comment(Path(rel).name)}, written by `pewlike init`.",
        "# Edit it, then build the report with: pewlike report <this file>",
        "# Every key is explained below; the README section 'The report spec' has the full format.",
        "",
        "# The report's title, shown on its first page.",
        f"title = {_q(label)}",
        "",
        "[data]",
        "# The data file, relative to this spec.",
        f"file = {_q(rel)}",
        '# The weight column; "auto" finds the one WEIGHT_W<n> column, false means unweighted.',
        f"weights = {_q(weight) if weight else 'false'}",
        "# Answer scales the labels do not reveal can be declared (nets follow), or a recognised one undone:",
        '# ordinal = ["Q7"]',
        '# nominal = ["Q8"]',
        "",
        "[output]",
        "# Folder of the report, relative to this spec; a rebuild replaces only the files pewlike wrote.",
        'dir = "pewlike-report"',
        "# Files to write: html page, Markdown, CSV per table, tables.xlsx (numbers as numbers), figures.",
        'formats = ["html", "md", "csv", "xlsx", "png", "svg"]',
        "",
        "[defaults]",
        "# Demographics every crosstab is broken down by.",
        f"by = [{', '.join(_q(d) for d in demos)}]",
        '# One base for the whole report: "valid" = those who answered (Refused excluded);',
        '# "all" = everyone asked, Refused shown.  An item may override it with its own base.',
        'base = "valid"',
        '# Nets: "auto" = top two / bottom two of each recognised scale; false = none.',
        'nets = "auto"',
        "# Columns with fewer respondents are flagged and not tested.",
        "min_n = 100",
        "",
    ]
    if not demos:
        lines.insert(lines.index("[defaults]") + 2, "# (no demographics found: add some to cross by)")
    for i, (col, kind) in enumerate(items.items()):
        said = _comment(wording.get(col, ""))
        said = said if len(said) <= 100 else said[:99] + "…"
        lines += [f"# {_comment(col)} ({kind}){': ' + said if said else ''}", "[[topline]]"]
        if i == 0:
            lines.append(
                "# var: the question's column; the table gives its wording, % per answer, N and margin of error."
            )
        lines += [f"var = {_q(col)}", ""]
    if demos:
        for i, col in enumerate(items):
            head = ["[[crosstab]]"]
            if i == 0:
                head.append("# A crosstab: column % by each [defaults] demographic, with significance letters.")
            lines += [*head, f"var = {_q(col)}"]
            if col in dots:
                lines += [
                    "# unordered answers: a dot plot of one answer by group (diverging bars are for scales)",
                    'chart = "dots"',
                    f"level = {_q(dots[col])}",
                ]
            lines.append("")
    lines += [
        "[weighting]",
        "# summary: a table of the weights (design effect, effective sample size, margin of error).",
        "summary = true",
        "",
    ]
    return lines
