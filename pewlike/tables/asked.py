"""Who was asked a question: the form of a split-form survey, said in the table's note.

ATP waves split the sample into forms (``FORM_W49`` = "Form 1" / "Form 2") and ask some
questions of one form only.  When the respondents who were asked a question (any answer,
Refused included) are exactly those on some of the forms, the table says so: "Asked of
Form 1, n = 1,983" rather than "Asked of 1,983 of 4,272 respondents".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["FORM_COLUMN", "FormCounts", "asked_of_counts", "asked_of_forms", "form_names"]

#: Columns that hold a split-form assignment (``FORM``, ``FORM_W49``, ``XFORM_W49``...).
FORM_COLUMN = re.compile(r"^X?FORM(_?W\d+)?$", re.IGNORECASE)

#: Most distinct forms considered (a column with more values is not a form assignment).
_MAX_FORMS = 8


def _form_label(value: object) -> str:
    text = str(value).strip()
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        text = str(int(value))
    return text if text.lower().startswith("form") else f"Form {text}"


def asked_of_forms(data: pd.DataFrame, asked: np.ndarray, domain: np.ndarray) -> str | None:
    """The forms a question was asked of, when they explain exactly who was asked.

    Parameters
    ----------
    data : pandas.DataFrame
        The survey's data (form columns are found by name, :data:`FORM_COLUMN`).
    asked : (n,) bool ndarray
        Rows with an answer to the question (Refused included).
    domain : (n,) bool ndarray
        Rows in the survey's domain.

    Returns
    -------
    str or None
        ``"Form 1"``, ``"Forms 1 and 3"`` (labels from the file: a label that does not start
        with "Form" gets it), or None when no form column explains who was asked, or
        everyone in the domain was asked.

    Notes
    -----
    No R equivalent: R's ``svytable`` output has no notes.  Missing form values count as
    no form.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> d = pd.DataFrame({"FORM_W49": pd.Categorical(["Form 1", "Form 2", "Form 1", "Form 2"])})
    >>> asked_of_forms(d, np.array([True, False, True, False]), np.ones(4, bool))
    'Form 1'
    """
    import pandas as pd

    asked = np.asarray(asked, dtype=bool) & np.asarray(domain, dtype=bool)
    domain = np.asarray(domain, dtype=bool)
    if not asked.any() or asked.sum() == domain.sum():
        return None
    for col in data.columns:
        if not isinstance(col, str) or not FORM_COLUMN.match(col):
            continue
        values = data[col]
        codes, uniques = pd.factorize(values, sort=True)
        if len(uniques) < 2 or len(uniques) > _MAX_FORMS:
            continue
        in_dom = codes[domain]
        on = np.unique(codes[asked])
        if (on < 0).any():
            continue
        present = np.unique(in_dom[in_dom >= 0])
        if len(on) >= len(present):
            continue
        if np.array_equal(np.isin(codes, on) & domain, asked):
            if isinstance(values.dtype, pd.CategoricalDtype):
                order = {c: i for i, c in enumerate(values.cat.categories)}
                labels = sorted((uniques[i] for i in on), key=lambda v: order.get(v, 0))
            else:
                labels = [uniques[i] for i in on]
            return form_names(labels)
    return None


def form_names(values: Sequence[object]) -> str:
    """The note's words for forms: ``"Form 1"``, ``"Forms 1 and 3"``.

    Parameters
    ----------
    values : sequence
        The forms' values or labels, in order (a label that does not start with "Form"
        gets it).

    Returns
    -------
    str

    Examples
    --------
    >>> form_names([1.0, 3.0]), form_names(["Form 2"])
    ('Forms 1 and 3', 'Form 2')
    """
    names = [_form_label(v) for v in values]
    if len(names) == 1:
        return names[0]
    bare = [n[5:] if n.lower().startswith("form ") else n for n in names]
    return "Forms " + ", ".join(bare[:-1]) + " and " + bare[-1]


@dataclass(frozen=True)
class FormCounts:
    """Counts of one form column, as summed over a survey's rows (e.g. partition by partition).

    Attributes
    ----------
    values : tuple
        The column's distinct values (missing left out), in the order the note lists them.
    rows, in_domain, asked : tuple of int
        For each value: rows with it, those in the domain, those asked the question.
    asked_without_form : int
        Respondents asked the question whose form is missing.
    """

    values: tuple[object, ...]
    rows: tuple[int, ...]
    in_domain: tuple[int, ...]
    asked: tuple[int, ...]
    asked_without_form: int


def asked_of_counts(columns: Sequence[FormCounts], n_asked: int, n_domain: int) -> str | None:
    """:func:`asked_of_forms` from counts: the forms that explain exactly who was asked.

    Parameters
    ----------
    columns : sequence of FormCounts
        One per form column, in the data's column order.
    n_asked, n_domain : int
        Respondents asked (any answer) and in the domain.

    Returns
    -------
    str or None
        The same answer as :func:`asked_of_forms` on the rows the counts were made from.

    Notes
    -----
    A form explains who was asked when every respondent on it (in the domain) was asked,
    no one asked is on another form or none, and some form in the domain was not asked.

    Examples
    --------
    >>> c = FormCounts(("Form 1", "Form 2"), (5, 5), (5, 5), (5, 0), 0)
    >>> asked_of_counts([c], 5, 10)
    'Form 1'
    """
    if n_asked == 0 or n_asked == n_domain:
        return None
    for c in columns:
        if len(c.values) < 2 or len(c.values) > _MAX_FORMS or c.asked_without_form:
            continue
        on = [i for i, a in enumerate(c.asked) if a > 0]
        present = [i for i, d in enumerate(c.in_domain) if d > 0]
        if len(on) >= len(present):
            continue
        if all(c.asked[i] == c.in_domain[i] for i in on):
            return form_names([c.values[i] for i in on])
    return None
