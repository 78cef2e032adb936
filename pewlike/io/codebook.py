"""The codebook: question wording, value labels, missing codes and wave suffixes.

A :class:`Codebook` is built once, when a file is read or a DataFrame is wrapped,
and is immutable.  It answers three questions the rest of pewlike asks:

* what is the wording of a question (``label``), and its response options;
* which responses are *missing* (SPSS user-missing values, and Pew's special
  codes recognised from their labels: "Refused", "Don't know", "DK/Ref", ...);
* which column does a name refer to (``CONCERNCO`` finds ``CONCERNCO_W49``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pewlike.errors import VariableError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "MAX_TEXT_ANSWERS",
    "Codebook",
    "VariableInfo",
    "answer_key",
    "base_name",
    "blank_answers",
    "blank_as_missing",
    "is_missing_label",
    "is_not_asked_label",
    "is_text",
    "text_kind",
]

#: A text column with at most this many distinct answers has its missing answers ("Refused") found.
MAX_TEXT_ANSWERS = 200

_WAVE_SUFFIX = re.compile(r"_W\d+[A-Za-z]?$", re.IGNORECASE)

# Labels Pew (and most survey houses) use for non-substantive answers.  A
# "(VOL.)" answer such as "No preference (VOL.)" is substantive and is not here.
_MISSING_LABEL = re.compile(
    r"""(^|[^a-z])(
        refused | refusal | ref\b |
        don'?t\s+know | do\s+not\s+know | dk\b | d/k |
        no\s+answer | not\s+ascertained | skipped\s+on\s+web | web\s+blank |
        not\s+sure\s*/\s*refused | prefer\s+not\s+to\s+(say|answer)
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# Skip codes: the respondent was not asked ("Legitimate skip" in other survey houses' files).
_NOT_ASKED_LABEL = re.compile(
    r"""(^|[^a-z])(
        legitimate\s+skip | valid\s+skip | inapplicable | not\s+in\s+universe |
        system\s+missing | sysmis
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# Labels that say so only when they are the whole label: inside a longer label they can be
# an answer ("Never asked", "Not asked to vote", "Skipped a meal").  Compared as plain text, not
# by a regular expression: a label is a stranger's text, and spaces must not make it slow.
_MISSING_WHOLE_LABELS = frozenset({"n/a", "na", "skipped", "skipped question"})
_NOT_ASKED_WHOLE_LABELS = frozenset({"not asked", "not applicable", "iap"})


def answer_key(label: object) -> str:
    """An answer's text for matching it: case and spacing set aside (across waves, against known labels).

    Parameters
    ----------
    label : object
        An answer label.

    Returns
    -------
    str

    Examples
    --------
    >>> answer_key("Very Concerned ") == answer_key("very  concerned")
    True
    """
    return " ".join(str(label).split()).casefold()


def _whole_label(label: str) -> str:
    """A label's words in lower case, without a closing note in parentheses ("(Form 2)") or a final '.'/':'.

    A "(VOL.)" note stays: a volunteered answer is an answer.
    """
    text = answer_key(label)
    if text.endswith(")"):
        head, paren, note = text.rpartition("(")
        if paren and ")" not in note[:-1] and not note.lstrip().startswith("vol"):
            text = head.rstrip()
    return text.rstrip(".:").rstrip()


def is_missing_label(label: str) -> bool:
    """Return True when a value label marks a non-substantive answer.

    Recognises "Refused", "Don't know", "DK/Ref", "DK/Refused/No lean", "No answer",
    "Prefer not to say" and similar ("N/A" and "Skipped" when they are the whole label),
    and the skip codes of :func:`is_not_asked_label`.  "No preference (VOL.)", "Never
    asked" and "Skipped a meal" are answers.

    Examples
    --------
    >>> is_missing_label("Don't know/Refused (VOL.)"), is_missing_label("No preference (VOL.)")
    (True, False)
    """
    text = str(label)
    return bool(_MISSING_LABEL.search(text) or _whole_label(text) in _MISSING_WHOLE_LABELS or is_not_asked_label(text))


def is_not_asked_label(label: str) -> bool:
    """Return True when a value label marks a skip: the respondent was not asked.

    Other survey houses code the respondents a question was not put to ("Legitimate skip",
    "Valid skip", "Inapplicable", "Not in universe", "System missing"; "Not asked", "Not
    applicable" or "IAP" when that is the whole label) where ATP files leave them blank.
    A file's labelled column reads them as blank (:mod:`pewlike.io.labelconv`), so they
    are neither answers nor counted among those asked.

    Examples
    --------
    >>> is_not_asked_label("Legitimate skip"), is_not_asked_label("Refused"), is_not_asked_label("Never asked")
    (True, False, False)
    """
    text = str(label)
    return bool(_NOT_ASKED_LABEL.search(text) or _whole_label(text) in _NOT_ASKED_WHOLE_LABELS)


def base_name(name: str) -> str:
    """Strip an ATP wave suffix: ``CONCERNCO_W49`` -> ``CONCERNCO``."""
    return _WAVE_SUFFIX.sub("", name)


def is_text(col: pd.Series) -> bool:
    """Whether a column holds text answers: not categorical, numeric, boolean or dates (:func:`text_kind`).

    Parameters
    ----------
    col : pandas.Series

    Returns
    -------
    bool

    Examples
    --------
    >>> import pandas as pd
    >>> from pewlike.io.codebook import is_text
    >>> is_text(pd.Series(["Yes", "No"])), is_text(pd.Series([1.0, 2.0])), is_text(pd.to_datetime(pd.Series(["2020-01-01"])))
    (True, False, False)
    """
    import pandas as pd

    dtype = col.dtype
    if (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
    ):
        return False
    return text_kind(col) == "string"


def blank_as_missing(col: pd.Series) -> pd.Series:
    """A text column with its blank answers (empty, or spaces only) missing: not asked.

    SPSS and Stata store an unanswered text question as an empty (space-padded) string
    and a CSV as an empty cell or a few spaces; all of them read as missing here, so that
    a blank is never a response of its own (a table row with no label).

    Parameters
    ----------
    col : pandas.Series
        A text column (:func:`is_text`).

    Returns
    -------
    pandas.Series
        ``col`` itself when it has no blank answer (the usual case), else a copy with
        each blank answer missing.

    Notes
    -----
    As ``haven::zap_empty()`` in R, which also counts strings of spaces as empty here
    because SPSS pads its strings with spaces.

    Examples
    --------
    >>> import pandas as pd
    >>> from pewlike.io.codebook import blank_as_missing
    >>> blank_as_missing(pd.Series(["Yes", "", "  ", None], dtype=object)).isna().tolist()
    [False, True, True, True]
    """
    import pandas as pd

    blanks = blank_answers(pd.unique(col.dropna()))
    return col.where(~col.isin(blanks)) if blanks else col


def blank_answers(answers: Iterable[object]) -> list[str]:
    """The blank ones (empty, or spaces only) among a text column's distinct answers.

    Examples
    --------
    >>> blank_answers(["Yes", "", "  ", 3.0])
    ['', '  ']
    """
    return [a for a in answers if isinstance(a, str) and not a.strip()]


def text_kind(col: pd.Series | np.ndarray) -> str:
    """The codebook type of a column that is neither numeric nor categorical.

    SPSS, Stata and SAS store dates as numbers with a date format; the readers turn
    them into dates (``DATE11``, e.g. a date of birth), date-times (``DATETIME20``,
    e.g. ATP's ``INTERVIEW_START_W<n>``) or times of day.  Those are ``"date"``,
    ``"datetime"`` and ``"time"``; anything else (text answers, IDs) is ``"string"``.

    Parameters
    ----------
    col : pandas.Series or numpy.ndarray

    Returns
    -------
    str

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from pewlike.io.codebook import text_kind
    >>> text_kind(pd.Series([None, dt.date(2019, 6, 3)])), text_kind(pd.Series(["Yes", "No"]))
    ('date', 'string')
    """
    import datetime as dt

    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        return "datetime"
    if not isinstance(col, pd.Series):
        col = pd.Series(col, copy=False)
    first = col.first_valid_index()
    value = None if first is None else col.loc[first]
    if isinstance(value, pd.Series):  # a repeated index label
        value = value.iloc[0]
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    return "string"


@dataclass(frozen=True)
class VariableInfo:
    """Metadata of one variable.

    Attributes
    ----------
    name : str
        Column name in the data (the file's name, e.g. ``CONCERNCO_W49``).
    label : str or None
        Variable label, i.e. the question wording.
    value_labels : Mapping
        Code -> label, in code order (empty for unlabelled variables).
    missing : tuple of str
        Categories (labels) that are missing responses, for categoricals.
    missing_codes : tuple
        The codes behind them (and SPSS user-missing codes of numerics).
    kind : str
        ``"categorical"``, ``"numeric"``, ``"string"``, or ``"date"``, ``"datetime"``,
        ``"time"`` for SPSS date formats (:func:`text_kind`).
    measure : str or None
        SPSS measurement level, when the file has one.
    scale : bool or None
        Declared by the user (:meth:`pewlike.Survey.set_scale`, spec ``[data] ordinal``):
        True for an ordered answer scale, False for not one; None lets pewlike decide
        (:func:`pewlike.io.scales.is_scale`).
    wordings : tuple of (str, str)
        In a stack of waves (:func:`pewlike.stack`) whose wording of the question
        differs: ``(wave, wording)`` of each wave; empty otherwise.
    short_name : str or None
        A short display name ("Age") given with :meth:`pewlike.Survey.relabel` or the
        spec's ``[labels]``: table headings and model terms use it.
    """

    name: str
    label: str | None = None
    value_labels: Mapping[Any, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    missing_codes: tuple[Any, ...] = ()
    kind: str = "numeric"
    measure: str | None = None
    scale: bool | None = None
    wordings: tuple[tuple[str, str], ...] = ()
    short_name: str | None = None

    @property
    def base(self) -> str:
        """Name without the wave suffix."""
        return base_name(self.name)


@dataclass(frozen=True)
class Codebook:
    """Metadata of a whole data set: one :class:`VariableInfo` per column.

    Notes
    -----
    R has no single equivalent; ``haven`` keeps labels as attributes and the
    ``survey`` package ignores them.  Build one with :func:`pewlike.read` or
    :meth:`Codebook.from_frame`.
    """

    variables: Mapping[str, VariableInfo]
    file_label: str | None = None

    # -- construction -------------------------------------------------------
    @classmethod
    def from_frame(
        cls,
        data: pd.DataFrame,
        *,
        labels: Mapping[str, str] | None = None,
        missing: str = "auto",
        file_label: str | None = None,
    ) -> Codebook:
        """Build a codebook from a DataFrame (Categoricals give the levels).

        Categories whose labels read like "Refused" or "Don't know" are marked
        missing (``missing="auto"``); ``missing="keep"`` marks none.

        Parameters
        ----------
        data : pandas.DataFrame
            Categoricals become categorical variables (their categories are the
            response options), numbers and booleans numeric, anything else string.
        labels : mapping of str to str, optional
            Variable labels (question wording) by column.
        missing : {"auto", "keep"}
            ``"auto"`` marks categories (and text answers) labelled like "Refused"
            as missing; ``"keep"`` treats them as answers.
        file_label : str, optional
            The data set's label.

        Returns
        -------
        Codebook

        Examples
        --------
        >>> import pandas as pd
        >>> answers = pd.Categorical(["Yes", "No", "Refused"], categories=["Yes", "No", "Refused"])
        >>> cb = Codebook.from_frame(pd.DataFrame({"Q1": answers}), labels={"Q1": "Do you agree?"})
        >>> cb["Q1"].missing, cb.label("Q1")
        (('Refused',), 'Do you agree?')
        """
        import pandas as pd

        labels = dict(labels or {})
        out: dict[str, VariableInfo] = {}
        for name in data.columns:
            col = data[name]
            if isinstance(col.dtype, pd.CategoricalDtype):
                cats = [str(c) for c in col.cat.categories]
                miss: tuple[str, ...] = tuple(c for c in cats if missing != "keep" and is_missing_label(c))
                info = VariableInfo(str(name), labels.get(name), {}, miss, (), "categorical")
            elif pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
                info = VariableInfo(str(name), labels.get(name), {}, (), (), "numeric")
            else:
                # text answers ("Don't know/Refused (VOL.)" in a CSV) are recognised like category labels
                miss = ()
                kind = text_kind(col)
                if missing != "keep" and kind == "string":
                    uniq = pd.unique(col.dropna())
                    if len(uniq) <= MAX_TEXT_ANSWERS:
                        miss = tuple(sorted(str(u) for u in uniq if is_missing_label(str(u))))
                info = VariableInfo(str(name), labels.get(name), {}, miss, (), kind)
            out[str(name)] = info
        return cls(out, file_label)

    # -- lookup --------------------------------------------------------------
    def __contains__(self, name: object) -> bool:
        return name in self.variables

    def __getitem__(self, name: str) -> VariableInfo:
        return self.variables[self.resolve(name)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    def resolve(self, name: str) -> str:
        """Return the column a name refers to, accepting base names without wave suffix.

        Raises
        ------
        VariableError
            When no column matches (with close names suggested) or a base name is
            ambiguous (several waves).
        """
        if not isinstance(name, str):
            raise VariableError(f"variable names must be strings, got {name!r}")
        if name in self.variables:
            return name
        matches = [v for v in self.variables if base_name(v) == name]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise VariableError(f"variable {name!r} is ambiguous: it matches {', '.join(matches)}; use the full name")
        ci = [v for v in self.variables if v.lower() == name.lower() or base_name(v).lower() == name.lower()]
        import difflib

        hints = ci or difflib.get_close_matches(name, list(self.variables), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(h) for h in hints)}?" if hints else ""
        raise VariableError(f"unknown variable {name!r}{hint}")

    def label(self, name: str) -> str | None:
        """The variable label (question wording) of a variable."""
        return self[name].label

    def missing_categories(self, name: str) -> tuple[str, ...]:
        """Categories of a categorical variable that are missing responses."""
        return self[name].missing

    def replace(self, **infos: VariableInfo) -> Codebook:
        """Return a codebook with some variables added or replaced."""
        merged = dict(self.variables)
        merged.update(infos)
        return Codebook(merged, self.file_label)

    def select(self, names: Iterable[str]) -> Codebook:
        """Return the codebook of a subset of the columns."""
        return Codebook({n: self.variables[n] for n in names if n in self.variables}, self.file_label)

    def to_frame(self, data: pd.DataFrame) -> pd.DataFrame:
        """One row per variable: ``name, label, type, levels, missing_codes, n_valid, n_missing, base, measure, short_name``.

        ``type`` is ``"ordinal"`` for a categorical that is an answer scale (declared, or
        recognised from its labels: :func:`pewlike.io.scales.is_scale`), else
        ``"categorical"``, ``"numeric"``, ``"string"``, ``"date"``, ``"datetime"`` or
        ``"time"``; ``measure`` is the file's SPSS
        measure level (empty when the file has none); ``short_name`` the display name
        given with :meth:`pewlike.Survey.relabel` (empty when none).
        """
        import pandas as pd

        from pewlike.io.scales import is_scale

        rows = []
        for name, info in self.variables.items():
            col = data[name] if name in data.columns else None
            levels = ""
            n_missing = 0
            kind = info.kind
            if col is not None:
                isna = col.isna().to_numpy()
                if info.kind == "categorical" and isinstance(col.dtype, pd.CategoricalDtype):
                    cats = [str(c) for c in col.cat.categories]
                    levels = "; ".join(cats)
                    substantive = [c for c in cats if c not in set(info.missing)]
                    if is_scale(info, substantive, ordered=bool(col.dtype.ordered)):
                        kind = "ordinal"
                miss = col.isin(list(info.missing)).to_numpy() if info.missing else False
                n_missing = int((isna | miss).sum())
                n_valid = int(len(col) - n_missing)
            else:
                n_valid = 0
            codes = info.missing_codes or tuple(info.missing)
            rows.append(
                {
                    "name": name,
                    "label": info.label or "",
                    "type": kind,
                    "levels": levels,
                    "missing_codes": "; ".join(_fmt_code(c) for c in codes),
                    "n_valid": n_valid,
                    "n_missing": n_missing,
                    "base": info.base,
                    "measure": info.measure or "",
                    "short_name": info.short_name or "",
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "name",
                "label",
                "type",
                "levels",
                "missing_codes",
                "n_valid",
                "n_missing",
                "base",
                "measure",
                "short_name",
            ],
        )


def _fmt_code(code: object) -> str:
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code)
