"""Raking targets from a population file (``pewmethods::create_raking_targets``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import RakingError, VariableError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from numpy.typing import ArrayLike

__all__ = ["targets_from"]


def targets_from(
    frame: pd.DataFrame,
    vars: str | tuple[str, ...] | Sequence[str | tuple[str, ...]],
    *,
    weights: str | ArrayLike | None = None,
) -> dict[Any, pd.Series]:
    """Raking targets (population shares) from a population file such as an ACS extract.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per population unit (or per cell, with ``weights`` giving its size).
    vars : str or list of str or tuple
        Variables; ``"sex:receduc"`` or ``("sex", "receduc")`` gives a joint margin.
    weights : str or array_like, optional
        Weight column name or values (None: every row counts once).

    Returns
    -------
    dict
        ``{variable or tuple of variables: pandas.Series of shares}`` summing to 1; a joint
        margin has every combination of categories (zero where there is none), indexed by
        a MultiIndex.  Pass it straight to :meth:`Survey.rake`.

    Raises
    ------
    RakingError
        Missing values in a variable or in the weights, negative weights, or a zero total.

    Notes
    -----
    Equivalent to ``pewmethods::create_raking_targets(frame, vars, wt=)`` in R, with shares
    (not percentages) and the variable names kept as given (no ``rk_`` prefix).
    """
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise RakingError(f"frame must be a pandas DataFrame, not {type(frame).__name__}")
    names = [vars] if isinstance(vars, (str, tuple)) else list(vars)
    if weights is None:
        w = np.ones(len(frame))
    elif isinstance(weights, str):
        if weights not in frame.columns:
            raise VariableError(f"weight column {weights!r} is not in the population frame")
        w = frame[weights].to_numpy(dtype=float, na_value=np.nan)
    else:
        w = np.asarray(weights, dtype=float)
    if w.shape != (len(frame),) or not np.isfinite(w).all() or (w < 0).any():
        raise RakingError(
            "population weights must be finite, non-negative and one per row; drop or fix the "
            "rows with missing or negative weights"
        )
    if w.sum() <= 0:
        raise RakingError("population weights sum to zero; check the weight column")
    out: dict = {}
    for spec in names:
        cols = tuple(spec.split(":")) if isinstance(spec, str) else tuple(spec)
        codes, levels = [], []
        for c in cols:
            if c not in frame.columns:
                raise VariableError(f"variable {c!r} is not in the population frame")
            s = frame[c]
            if s.isna().any():
                raise RakingError(
                    f"population variable {c!r} has {int(s.isna().sum())} missing value(s); "
                    "drop or impute them before building targets"
                )
            if isinstance(s.dtype, pd.CategoricalDtype):
                codes.append(s.cat.codes.to_numpy().astype(np.int64))
                levels.append(list(s.cat.categories))
            else:
                cc, uu = pd.factorize(s, sort=True)
                codes.append(cc.astype(np.int64))
                levels.append(list(uu))
        sizes = [len(lv) for lv in levels]
        flat = np.ravel_multi_index(tuple(codes), sizes) if len(cols) > 1 else codes[0]
        tot = np.bincount(flat, weights=w, minlength=int(np.prod(sizes)))
        share = tot / tot.sum()
        if len(cols) == 1:
            index = pd.Index(levels[0], name=cols[0])
            out[cols[0]] = pd.Series(share, index=index, name="target")
        else:
            index = pd.MultiIndex.from_product(levels, names=list(cols))
            out[cols] = pd.Series(share, index=index, name="target")
    return out
