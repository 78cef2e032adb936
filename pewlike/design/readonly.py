"""The DataFrame :attr:`pewlike.Survey.data` returns: a copy that warns when a column is set.

``svy.data["HEAVY"] = ...`` cannot change a survey (a ``Survey`` is immutable and its data
are a copy); pandas would at best warn about chained assignment and the column would
silently not appear.  This frame says so and names the verb that does it:
``svy = svy.assign(HEAVY=...)``.  Anything derived from it is a plain DataFrame.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import pandas as pd

from pewlike.errors import DataWarning

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Hashable

__all__ = ["DataView", "data_view"]


class DataView(pd.DataFrame):
    """A copy of a survey's data that warns when a column is set (see :func:`data_view`)."""

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def __setitem__(self, key: Any, value: Any) -> None:
        name = key if isinstance(key, str) else "..."
        warnings.warn(
            f"svy.data is a read-only copy: setting {name!r} changes only this copy, never the survey; "
            f"use svy = svy.assign({name if name.isidentifier() else 'NEW'}=...) to add or replace a column",
            DataWarning,
            stacklevel=2,
        )
        super().__setitem__(key, value)

    def insert(self, loc: int, column: Hashable, value: Any, allow_duplicates: bool | object = False) -> None:
        """As :meth:`pandas.DataFrame.insert`, with the warning of ``__setitem__``."""
        warnings.warn(
            f"svy.data is a read-only copy: inserting {column!r} changes only this copy, never the survey; "
            "use svy = svy.assign(...) to add a column",
            DataWarning,
            stacklevel=2,
        )
        super().insert(loc, column, value, allow_duplicates=allow_duplicates)  # type: ignore[arg-type]


def data_view(frame: pd.DataFrame) -> pd.DataFrame:
    """Wrap a survey's data (a copy) so that setting a column warns and points at ``assign``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The domain's rows, already a copy.

    Returns
    -------
    pandas.DataFrame
        A :class:`DataView` sharing ``frame``'s data (copy-on-write).

    Examples
    --------
    >>> import warnings, pandas as pd
    >>> view = data_view(pd.DataFrame({"x": [1, 2]}))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     view["y"] = 0
    >>> caught[0].category.__name__
    'DataWarning'
    """
    return DataView(frame)
