"""Reading weighting targets given in several shapes (dicts, Series, DataFrames of cells).

See :mod:`pewlike.weighting.targets` for the shapes accepted; :func:`normalize` turns any of them
into ``[(columns, [(label tuple, value), ...]), ...]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import RakingError, VariableError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["label_text", "margin_name", "normalize"]

_VALUE_COLUMNS = (
    "Freq",
    "freq",
    "target",
    "targets",
    "share",
    "proportion",
    "prop",
    "total",
    "count",
    "value",
    "pct",
    "percent",
)


def label_text(value: object) -> str | None:
    """A category label as text: None for missing, integral numbers without ``.0``.

    Parameters
    ----------
    value : object
        A category, a number or a missing value.

    Returns
    -------
    str or None
    """
    import pandas as pd

    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return None
        if float(value).is_integer():
            return str(int(value))
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


def margin_name(columns: Sequence[str]) -> str:
    """The name of a margin: ``"F_SEX"`` or ``"F_SEX x F_EDUCCAT"``.

    Parameters
    ----------
    columns : sequence of str
        The margin's variables.

    Returns
    -------
    str
    """
    return " x ".join(columns)


def _split_key(key, resolve) -> tuple:
    if isinstance(key, str):
        if ":" in key:
            try:
                return (resolve(key),)
            except VariableError:
                return tuple(k.strip() for k in key.split(":"))
        return (key,)
    if isinstance(key, (tuple, list)) and key and all(isinstance(k, str) for k in key):
        return tuple(key)
    raise RakingError(
        f"margin key {key!r} is not valid; use a variable name, a tuple of names "
        "such as ('F_SEX', 'F_EDUCCAT'), or 'F_SEX:F_EDUCCAT'"
    )


def _entries_from_frame(df: pd.DataFrame, names: tuple | None) -> tuple[tuple, list]:
    import pandas as pd

    cols = [str(c) for c in df.columns]
    value = next((c for c in _VALUE_COLUMNS if c in cols), None)
    if value is None:
        numeric = [c for c in cols if pd.api.types.is_numeric_dtype(df[c].dtype) and (names is None or c not in names)]
        if len(numeric) != 1:
            raise RakingError(
                f"cannot tell which column of the target table {cols} holds the targets; "
                "name it 'Freq', 'target' or 'share'"
            )
        value = numeric[0]
    var_cols = [c for c in cols if c != value]
    if names is not None:
        if len(var_cols) != len(names):
            raise RakingError(
                f"the target table for {margin_name(names)} has columns {var_cols}; "
                f"expected {list(names)} and one value column"
            )
        if set(var_cols) == set(names):
            var_cols = list(names)
    keys = list(zip(*(df[c].map(label_text) for c in var_cols)))
    vals = df[value].to_numpy(dtype=float, na_value=np.nan)
    return tuple(names or var_cols), [(k, v) for k, v in zip(keys, vals)]


def _entries(names: tuple | None, spec) -> tuple[tuple, list]:
    """(variables, [(label tuple, value), ...]) from one margin's targets."""
    import pandas as pd

    if isinstance(spec, pd.DataFrame):
        return _entries_from_frame(spec, names)
    if isinstance(spec, pd.Series):
        if isinstance(spec.index, pd.MultiIndex):
            keys = [tuple(label_text(v) for v in k) for k in spec.index]
            if names is None:
                names = tuple(str(n) for n in spec.index.names)
        else:
            keys = [(label_text(k),) for k in spec.index]
            if names is None:
                names = (str(spec.index.name),) if spec.index.name is not None else (str(spec.name),)
        return names, list(zip(keys, spec.to_numpy(dtype=float, na_value=np.nan)))
    if isinstance(spec, Mapping):
        if names is None:  # normalize() keys every dict of targets by its variables
            raise RakingError(
                "targets given as a dict need the variable(s) they are for, as the key of a dict of margins"
            )
        out = []
        for k, v in spec.items():
            if isinstance(k, tuple):
                key = tuple(label_text(x) for x in k)
            elif names is not None and len(names) > 1 and isinstance(k, str) and k.count(":") == len(names) - 1:
                key = tuple(k.split(":"))
            else:
                key = (label_text(k),)
            try:
                out.append((key, float(v)))
            except (TypeError, ValueError):
                raise RakingError(f"target {v!r} for {k!r} of {margin_name(names or ('?',))} is not a number") from None
        return names, out
    raise RakingError(
        f"targets for {margin_name(names or ('?',))} must be a dict, a pandas Series or a "
        f"DataFrame of cells, not {type(spec).__name__}"
    )


def normalize(margins: Mapping[Any, Any] | Sequence[Any], resolve: Callable[[str], str]) -> list[tuple[tuple, list]]:
    """Margins as ``[(columns, [(label tuple, value), ...]), ...]`` with resolved column names.

    Parameters
    ----------
    margins : dict or list
        ``{variable or tuple of variables: targets}``, or a list of target tables
        (DataFrames or Series); see :mod:`pewlike.weighting.targets`.
    resolve : callable
        Maps a user's name to a column.

    Returns
    -------
    list of (tuple of str, list of (tuple, float))
        For every margin: its columns, and (label tuple, target) for every cell.

    Raises
    ------
    RakingError
        Margins of another shape, none at all, or keys that do not fit their variables.
    """
    import pandas as pd

    if isinstance(margins, Mapping):
        items = [_entries(_split_key(k, resolve), v) for k, v in margins.items()]
    elif isinstance(margins, (list, tuple)) and all(isinstance(m, (pd.DataFrame, pd.Series)) for m in margins):
        items = [_entries(None, m) for m in margins]
    else:
        raise RakingError(
            "margins must be a dict {variable: targets} or a list of target tables "
            f"(DataFrames with a 'Freq' column), not {type(margins).__name__}"
        )
    if not items:
        raise RakingError("no margins given; pass at least one variable with its targets")
    out = []
    for names, entries in items:
        cols = tuple(resolve(n) for n in names)
        for key, _ in entries:
            if len(key) != len(cols):
                raise RakingError(
                    f"target key {key!r} has {len(key)} part(s) but the margin "
                    f"{margin_name(cols)} has {len(cols)} variable(s)"
                )
        out.append((cols, entries))
    return out
