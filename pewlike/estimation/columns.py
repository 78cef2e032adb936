"""The data columns an estimator reads: numeric values, factor codes and domain codes.

Lower than :mod:`pewlike.estimation.estimators` and :mod:`pewlike.estimation.memory`, which
both read columns through these helpers (so neither imports the other to get them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pewlike.errors import EstimationError, VariableError
from pewlike.estimation import engine

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame

__all__ = ["factor_codes", "numeric_values"]


def _check_level(level: float) -> float:
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise EstimationError(f"level={level!r} is not valid; give a confidence level between 0 and 1, e.g. 0.95")
    return float(level)


def numeric_values(sf: SurveyFrame, var: str, what: str) -> tuple[str, np.ndarray, np.ndarray]:
    """Resolved name, float values (NaN where missing) and validity mask of a numeric variable.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    var : str
        Variable name (wave suffix optional).
    what : str
        The estimator asking, for the error message.

    Returns
    -------
    (str, ndarray, ndarray)
        Column name, values (n,) as float with NaN where missing, valid rows (n,) of bool.

    Raises
    ------
    VariableError
        The variable is categorical or not numeric.
    """
    import pandas as pd

    col = sf.resolve(var)
    s = sf.data[col]
    if isinstance(s.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)
    ):
        from pewlike.io.codebook import text_kind

        kind = "categorical" if isinstance(s.dtype, pd.CategoricalDtype) else text_kind(s)
        if kind in ("date", "datetime", "time"):
            example = f", e.g. svy.assign(YEAR=lambda d: pd.to_datetime(d[{col!r}]).dt.year)" if kind != "time" else ""
            raise VariableError(
                f"{what} needs a numeric variable but {col!r} holds {kind}s; "
                f"derive a number from it first with svy.assign(){example}"
            )
        info = sf.codebook.variables.get(col)
        coded = (
            kind == "categorical"
            and info is not None
            and any(isinstance(k, (int, float)) and not isinstance(k, bool) for k in info.value_labels)
        )
        codes = f", or svy.score({col!r}, 'codes') for its SPSS codes as numbers" if coded else ""
        raise VariableError(
            f"{what} needs a numeric variable but {col!r} is {kind}; "
            f"use proportion({col!r}) for the share of each response{codes}"
        )
    y = s.to_numpy(dtype=float, na_value=np.nan)
    valid = np.isfinite(y)  # numeric missing codes are NaN already (the reader replaces them)
    return col, y, valid


def factor_codes(sf: SurveyFrame, var: str, *, na_rm: bool = True) -> tuple[str, np.ndarray, list[str]]:
    """Resolved name, level index per row (-1 if not counted) and the levels of a categorical.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    var : str
        Variable name (wave suffix optional); a non-categorical is factorised, sorted.
    na_rm : bool
        Leave out the codebook's missing codes ("Refused", ...) as levels.

    Returns
    -------
    (str, ndarray, list of str)
        Column name, level index per row (n,) of int (-1: missing or not counted), levels.
    """
    import pandas as pd

    col = sf.resolve(var)
    s = sf.data[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in s.cat.categories]
        codes = s.cat.codes.to_numpy().astype(np.int64)
    else:
        codes, uniq = pd.factorize(s, sort=True)
        cats = [str(u) for u in uniq]
        codes = codes.astype(np.int64)
    missing = set(sf.codebook.variables[col].missing) if na_rm else set()
    keep = [i for i, c in enumerate(cats) if c not in missing]
    if len(keep) == len(cats):
        return col, codes, cats
    remap = np.full(len(cats) + 1, -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    idx = remap[np.where(codes >= 0, codes, len(cats))]
    return col, idx, [cats[i] for i in keep]


def _domain_setup(sf: SurveyFrame, ok: np.ndarray, by, na_rm: bool, col: str):
    """Domains of the rows in ``ok``.

    Returns ``(code, keys, by_cols, G)``; domains without any row in ``ok``
    are left out.
    """
    d = sf.design
    ok = ok & d.in_domain
    if not ok.any():
        if not (sf.valid(col) & d.in_domain).any():
            raise EstimationError(f"{col!r} has no valid values in this survey (all missing or refused)")
        raise EstimationError(f"no respondent has valid values of {col!r} in this domain")
    code, keys, by_cols = engine.domain_codes(sf, by, ok, na_rm=na_rm)
    return code, keys, by_cols, len(keys)
