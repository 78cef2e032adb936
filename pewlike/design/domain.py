"""Subset conditions bound to a survey's codebook, the same on both backends.

A subset written as text (``svy.subset("F_REG in [1, 2]")``) is parsed once by pewlike's
own condition language (:mod:`pewlike.formula.condition`), never by ``eval`` or
``DataFrame.query``.  :func:`bind_condition` resolves its names against the codebook
(``CONCERNCO`` -> ``CONCERNCO_W49``) and copies the value labels and user-missing codes it
needs into a small frozen object of plain data, so a partitioned survey can send it to
each partition and evaluate it there exactly as the in-memory backend does on all rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pewlike.errors import VariableError
from pewlike.formula.condition import Condition, evaluate, parse_condition

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from pewlike.io.codebook import Codebook

__all__ = ["BoundCondition", "bind_condition"]


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
