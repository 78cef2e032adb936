"""Subset conditions bound to a survey's codebook, the same on both backends.

A subset written as text (``svy.subset("F_REG in [1, 2]")``) is parsed once by pewlike's
own condition language (:mod:`pewlike.formula.condition`), never by ``eval`` or
``DataFrame.query``.  :func:`bind_condition` resolves its names against the codebook
(``CONCERNCO`` -> ``CONCERNCO_W49``) and copies the value labels and user-missing codes it
needs into a small frozen object of plain data, so a partitioned survey can send it to
each partition and evaluate it there exactly as the in-memory backend does on all rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pewlike.errors import EstimationError, VariableError
from pewlike.formula.condition import Condition, evaluate, parse_condition

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from pewlike.io.codebook import Codebook, VariableInfo

__all__ = [
    "BoundCondition",
    "bind_condition",
    "combine_universe",
    "describe_series",
    "empty_subset",
    "values_note",
]


@dataclass(frozen=True)
class BoundCondition:
    """A parsed condition with the codebook facts it needs to run on any partition.

    Attributes
    ----------
    condition : Condition
        The parsed text.
    columns : dict
        Name as written -> data column.
    value_labels : dict
        Data column -> its value labels (code -> label), for labelled columns.
    missing : dict
        Data column -> its user-missing codes and labels, for columns that have them.
    """

    condition: Condition
    columns: Mapping[str, str]
    value_labels: Mapping[str, Mapping[Any, Any]]
    missing: Mapping[str, tuple[Any, ...]]

    @property
    def text(self) -> str:
        """The condition as the user wrote it."""
        return self.condition.text

    @property
    def data_columns(self) -> tuple[str, ...]:
        """The data columns the condition reads, in order of first use."""
        return tuple(dict.fromkeys(self.columns.values()))

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """Rows of ``frame`` (all rows, or one partition) where the condition is true.

        Parameters
        ----------
        frame : pandas.DataFrame
            Holds at least :attr:`data_columns`.

        Returns
        -------
        numpy.ndarray
            Boolean, one value per row; rows where the condition is unknown (a missing
            value) are False, as R's ``subset()`` drops ``NA``.
        """
        return evaluate(
            self.condition,
            frame,
            resolve=self.columns.__getitem__,
            value_labels=self.value_labels.get,
            missing=self.missing.get,
        )


def _column(name: str, codebook: Codebook, columns: Iterable[str]) -> str:
    try:
        return codebook.resolve(name)
    except VariableError:
        if name in set(columns):
            return name
        raise


def bind_condition(text: str | Condition, codebook: Codebook, columns: Iterable[str]) -> BoundCondition:
    """Parse a subset condition and resolve it against a survey's codebook.

    Parameters
    ----------
    text : str or Condition
        The condition, in the language of :func:`pewlike.formula.condition.parse_condition`:
        numbers compared with a labelled variable are its SPSS codes, strings its labels.
    codebook : Codebook
        The survey's codebook (names, value labels, user-missing codes).
    columns : iterable of str
        The data's columns (names outside the codebook, such as weights, are allowed).

    Returns
    -------
    BoundCondition

    Raises
    ------
    FormulaError
        The text is not a condition of the language (it never reaches ``eval``).
    VariableError
        A name is neither a variable nor a column (close names are suggested).

    Notes
    -----
    R's ``subset(design, ...)`` evaluates an R expression in the data; pewlike reads a
    fixed language so that a condition from a shared spec or command line cannot run code.

    Examples
    --------
    >>> import pandas as pd
    >>> from pewlike.io.codebook import Codebook, VariableInfo
    >>> df = pd.DataFrame({"REG_W49": pd.Categorical(["Yes", "No", "Refused", "Yes"]), "w": 1.0})
    >>> info = VariableInfo("REG_W49", value_labels={1: "Yes", 2: "No", 99: "Refused"},
    ...                     missing=("Refused",), missing_codes=(99,), kind="categorical")
    >>> b = bind_condition("REG != 1", Codebook({"REG_W49": info}), df.columns)
    >>> b.columns
    {'REG': 'REG_W49'}
    >>> b.mask(df)
    array([False,  True, False, False])
    """
    cond = text if isinstance(text, Condition) else parse_condition(text)
    cols = list(columns)
    resolved = {name: _column(name, codebook, cols) for name in cond.columns}
    labels: dict[str, Mapping[Any, Any]] = {}
    missing: dict[str, tuple[Any, ...]] = {}
    for col in dict.fromkeys(resolved.values()):
        info = codebook.variables.get(col)
        if info is None:
            continue
        if info.value_labels:
            labels[col] = dict(info.value_labels)
        codes = tuple(info.missing_codes) + tuple(info.missing)
        if codes:
            missing[col] = codes
    return BoundCondition(cond, resolved, labels, missing)


def _fmt_code(code: Any) -> str:
    return str(int(code)) if isinstance(code, float) and code.is_integer() else str(code)


def _brief(items: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items) - limit} more)" if len(items) > limit else "")


def values_note(bound: BoundCondition, codebook: Codebook, describe: Callable[[str], str | None] | None = None) -> str:
    """Which values the variables of a condition have, briefly (for an empty subset's error).

    Parameters
    ----------
    bound : BoundCondition
        The condition.
    codebook : Codebook
        The survey's codebook (value labels).
    describe : callable, optional
        Column -> a short description of its values when it has no value labels
        (its categories, or the range of a number); None for nothing.

    Returns
    -------
    str
        ``"F_REG has 1 'Registered', 2 'Not registered', 99 'Refused'"``, one clause per
        column joined by ``"; "`` (empty when nothing is known).

    Examples
    --------
    >>> from pewlike.io.codebook import Codebook, VariableInfo
    >>> info = VariableInfo("REG", value_labels={1: "Yes", 2: "No"}, kind="categorical")
    >>> cb = Codebook({"REG": info})
    >>> values_note(bind_condition("REG == 3", cb, ["REG"]), cb)
    "REG has 1 'Yes', 2 'No'"
    """
    parts = []
    for col in bound.data_columns:
        info = codebook.variables.get(col)
        if info is not None and info.value_labels:
            items = [
                f"{_fmt_code(c)} {str(lab)!r}" + (" (read as blank: not asked)" if _skipped(info, c, lab) else "")
                for c, lab in info.value_labels.items()
            ]
            parts.append(f"{col} has {_brief(items)}")
        elif describe is not None:
            text = describe(col)
            if text:
                parts.append(f"{col} has {text}")
    return "; ".join(parts)


def _skipped(info: VariableInfo, code: Any, label: object) -> bool:
    """Whether a labelled code is a skip code the reader made blank ("Legitimate skip", missing="auto")."""
    from pewlike.io.codebook import is_not_asked_label

    return code in info.missing_codes and is_not_asked_label(str(label))


def describe_series(s: pd.Series) -> str | None:
    """Categories, or the range, of a column, briefly (for :func:`values_note`).

    Parameters
    ----------
    s : pandas.Series
        The column (all rows).

    Returns
    -------
    str or None
        ``"categories 'a', 'b'"``, ``"values from 18 to 93"``, or None when empty.
    """
    import pandas as pd

    if isinstance(s.dtype, pd.CategoricalDtype):
        return "categories " + _brief([repr(str(c)) for c in s.cat.categories])
    valid = s.dropna()
    if valid.empty:
        return "no values (all missing)"
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return f"values from {_fmt_code(float(valid.min()))} to {_fmt_code(float(valid.max()))}"
    uniq = sorted(map(str, pd.unique(valid)))
    return "values " + _brief([repr(u) for u in uniq])


def empty_subset(condition: object, note: str = "") -> EstimationError:
    """The error for a subset that no respondent matches, naming the values that exist.

    Parameters
    ----------
    condition : object
        The condition as given (text, or a mask).
    note : str
        From :func:`values_note` (empty for a mask).

    Returns
    -------
    EstimationError
    """
    what = f"{condition!r} " if isinstance(condition, str) else ""
    tail = f"; {note}" if note else ""
    return EstimationError(
        f"the subset is empty: no respondent matches {what}in the current domain{tail}; check the condition"
    )


def combine_universe(previous: str | None, name: str | None, condition: object) -> str | None:
    """The name of a subset's universe, given the survey's and the one asked for.

    Parameters
    ----------
    previous : str or None
        The survey's universe name.
    name : str or None
        The name given to this subset.
    condition : object
        The condition (its text continues an earlier name when no new name is given).

    Returns
    -------
    str or None
        ``name`` for a first named subset; ``"previous: name"`` for a named subset of a
        named survey (``"Registered voters: Women"``); ``"previous: condition"`` (or
        ``"previous (subset)"`` for a mask) for an unnamed subset of a named survey, so a
        table never calls a narrower group by a wider name; None when neither is named.

    Raises
    ------
    EstimationError
        ``name`` is not a non-empty one-line string.

    Examples
    --------
    >>> combine_universe("Registered voters", "Women", "F_SEX == 2")
    'Registered voters: Women'
    >>> combine_universe("Registered voters", None, "F_SEX == 2")
    'Registered voters: F_SEX == 2'
    """
    if name is not None:
        if not isinstance(name, str) or not name.strip() or "\n" in name or "\r" in name:
            raise EstimationError(
                f"subset name={name!r} is not valid; give a short one-line text such as 'Registered voters'"
            )
        name = name.strip()
        return name if previous is None else f"{previous}: {name}"
    if previous is None:
        return None
    return f"{previous}: {condition}" if isinstance(condition, str) else f"{previous} (subset)"
