"""From raw file columns to labelled data: value labels -> Categoricals, missing codes.

Used by :mod:`pewlike.io.files` (which alone talks to pyreadstat).  Large files are
read in row chunks; each chunk's columns are kept compactly (small integer
codes as int8/int16) and converted one column at a time, so peak memory stays
near the size of the final DataFrame.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from pewlike.errors import LabelWarning
from pewlike.io.codebook import (
    Codebook,
    VariableInfo,
    blank_as_missing,
    is_missing_label,
    is_not_asked_label,
    text_kind,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pyreadstat import metadata_container

__all__ = ["apply_metadata", "compact", "expand"]

# Above this many distinct unlabelled codes a labelled variable is numeric
# (e.g. age in years with only 99 "Refused" labelled), not categorical.
_NUMERIC_IF_UNLABELLED_OVER = 10


def _missing_code_set(values: np.ndarray, ranges: list[Any] | None) -> np.ndarray:
    """Boolean mask of values inside SPSS user-missing ranges."""
    mask = np.zeros(values.shape, dtype=bool)
    for r in ranges or ():
        lo, hi = r.get("lo"), r.get("hi")
        try:
            mask |= (values >= float(lo)) & (values <= float(hi))
        except (TypeError, ValueError):  # string missing values on string variables
            continue
    return mask


def _code_index(vals: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Index of each value in sorted ``codes`` (-1 for NaN); codes must contain every value."""
    out = np.full(vals.shape, -1, dtype=np.int32)
    valid = ~np.isnan(vals)
    v = vals[valid]
    if codes.size and np.all(codes == np.round(codes)) and codes.min() >= 0 and codes.max() < 65536:
        lut = np.full(int(codes.max()) + 1, -1, dtype=np.int32)
        lut[codes.astype(np.int64)] = np.arange(codes.size, dtype=np.int32)
        out[valid] = lut[v.astype(np.int64)]
    else:
        out[valid] = np.searchsorted(codes, v).astype(np.int32)
    return out


def _present_codes(vals: np.ndarray) -> np.ndarray:
    v = vals[~np.isnan(vals)]
    if v.size == 0:
        return v
    if np.all(v == np.round(v)) and v.min() >= 0 and v.max() < 65536:
        counts = np.bincount(v.astype(np.int64))
        return np.flatnonzero(counts).astype(float)
    return np.unique(v)


def _mostly_unlabelled(extra: int, substantive: int) -> bool:
    """Whether a column with value labels is a number or text with a few labelled codes, not a question.

    Age 18..97 with 99 = "Refused", or open answers with "99" = "Refused": more codes without
    a label (``extra``) than a question's answers, or no substantive label at all.
    """
    return extra > 0 and (substantive == 0 or extra > max(_NUMERIC_IF_UNLABELLED_OVER, 2 * substantive))


def _labelled_column(
    name: str,
    vals: np.ndarray,
    value_labels: Mapping[Any, str],
    ranges: list[Any] | None,
    label: str | None,
    measure: str | None,
    missing: str,
    unlabelled_log: dict[str, np.ndarray],
) -> tuple[np.ndarray | pd.Categorical, VariableInfo]:
    """Convert one labelled numeric column; returns (new column, VariableInfo)."""

    labelled = {
        float(k): str(v) for k, v in value_labels.items() if isinstance(k, (int, float, np.integer, np.floating))
    }
    user_missing = _missing_code_set(vals, ranges)
    present = _present_codes(vals)
    extra = np.setdiff1d(present, np.fromiter(labelled, float, len(labelled)))
    substantive = [c for c, lab in labelled.items() if not is_missing_label(lab)]
    if _mostly_unlabelled(extra.size, len(substantive)):
        # A numeric variable with a few labelled special codes (age 18..97, 99 Refused).
        miss_codes = sorted(
            {c for c, lab in labelled.items() if is_missing_label(lab)} | set(np.unique(vals[user_missing]).tolist())
        )
        out = vals.copy()
        if missing != "keep" and miss_codes:
            out[np.isin(out, miss_codes)] = np.nan
        info = VariableInfo(
            name,
            label,
            dict(sorted(labelled.items())),
            (),
            tuple(miss_codes) if missing != "keep" else (),
            "numeric",
            measure,
        )
        return out, info
    if extra.size:
        unlabelled_log[name] = extra
    codes = np.union1d(np.fromiter(labelled, float, len(labelled)), extra)
    names: list[str] = []
    seen: set[str] = set()
    for c in codes:
        lab = labelled.get(float(c))
        lab = _fmt(c) if lab is None or not lab.strip() else lab  # a blank label would be a blank row
        if lab in seen:
            lab = f"{lab} ({_fmt(c)})"
        seen.add(lab)
        names.append(lab)
    idx = _code_index(vals, codes)
    user_codes = set(np.unique(vals[user_missing]).tolist())
    miss_idx = [
        i
        for i, (c, lab) in enumerate(zip(codes, names))
        if float(c) in user_codes
        or (labelled.get(float(c)) is not None and is_missing_label(labelled[float(c)]))
        or _in_ranges(float(c), ranges)
    ]
    info = VariableInfo(name, label, {float(c): n for c, n in zip(codes, names)}, measure=measure, kind="categorical")
    return _with_missing(info, idx, [float(c) for c in codes], names, miss_idx, missing, ordered=True)


def _with_missing(
    info: VariableInfo,
    idx: np.ndarray,
    codes: list[Any],
    names: list[str],
    miss_idx: list[int],
    missing: str,
    *,
    ordered: bool,
) -> tuple[pd.Categorical, VariableInfo]:
    """The categorical of a labelled column and ``info`` with its missing answers, as ``missing`` says.

    ``idx`` is each row's position in ``codes`` (-1: no answer) and ``names`` their labels;
    ``miss_idx`` the positions of the missing answers ("Refused", SPSS user-missing).
    ``"auto"`` marks them missing, ``"keep"`` makes them answers, ``"nan"`` blanks their rows.
    With ``"auto"`` a skip code ("Legitimate skip", "Inapplicable": :func:`is_not_asked_label`)
    blanks its rows and is no category, as ATP files leave those not asked blank; the
    codebook keeps it among the missing codes.
    """
    import dataclasses

    import pandas as pd

    if missing == "keep":
        miss_idx = []
    if missing == "nan" and miss_idx:
        idx = np.where(np.isin(idx, miss_idx), -1, idx)
    skip = [i for i in miss_idx if is_not_asked_label(names[i])] if missing == "auto" else []
    said = [names[i] for i in miss_idx if i not in skip] if missing == "auto" else []
    if skip:
        kept = np.setdiff1d(np.arange(len(names)), skip)
        renum = np.full(len(names) + 1, -1, dtype=idx.dtype)  # position -1 (no answer) reads the last: -1
        renum[kept] = np.arange(kept.size)
        idx = renum[idx]
        names = [names[i] for i in kept]
    # pandas-stubs accept only an Index as categories; pandas takes any list-like
    cat = pd.Categorical.from_codes(idx, categories=names, ordered=ordered)  # type: ignore[call-overload]
    return cat, dataclasses.replace(info, missing=tuple(said), missing_codes=tuple(codes[i] for i in miss_idx))


def _labelled_text_column(
    name: str,
    col: Any,
    value_labels: Mapping[Any, str],
    ranges: list[Any] | None,
    label: str | None,
    measure: str | None,
    missing: str,
    unlabelled_log: dict[str, np.ndarray],
) -> tuple[Any, VariableInfo]:
    """Convert one SPSS string variable with value labels ("Y" = "Yes"); returns (new column, VariableInfo).

    As :func:`_labelled_column` for string codes: a categorical of the labels in code order
    (``haven::as_factor``), a blank answer not asked, labels such as "Refused" and SPSS
    user-missing strings missing.  A text column with only a few labelled codes (open
    answers with "99" = "Refused") stays text.  The codes are not kept as value labels:
    pewlike's codebook stores numeric codes, and ``to_sav`` writes the answers as 1..k.
    """
    import pandas as pd

    s = pd.Series(col, copy=False).astype(object)
    text = s.where(s.str.strip().fillna("").ne(""), None)  # blank (or not text): not asked
    labelled = {str(k): str(v) for k, v in value_labels.items() if isinstance(k, str)}
    present = [str(v) for v in pd.unique(text.dropna())]
    extra = sorted(set(present) - set(labelled))
    substantive = [c for c, lab in labelled.items() if not is_missing_label(lab)]
    if _mostly_unlabelled(len(extra), len(substantive)):
        info = VariableInfo(name, label, {}, (), (), text_kind(s), measure)
        return blank_as_missing(pd.Series(col, copy=False)), info
    if extra:
        unlabelled_log[name] = np.array(extra, dtype=object)
    codes = sorted(set(labelled) | set(extra))
    names: list[str] = []
    for c in codes:
        lab = labelled.get(c, "")
        lab = lab if lab.strip() else c  # no label, or a blank one (a blank row): the code
        names.append(f"{lab} ({c})" if lab in names else lab)
    user = {str(r.get("lo")) for r in ranges or () if r.get("lo") == r.get("hi")}
    miss_idx = [i for i, c in enumerate(codes) if c in user or (c in labelled and is_missing_label(labelled[c]))]
    idx = pd.Categorical(text, categories=codes).codes.astype(np.int64)
    # not ordered: without value labels an ordered categorical would be taken for a declared scale
    info = VariableInfo(name, label, measure=measure, kind="categorical")
    return _with_missing(info, idx, codes, names, miss_idx, missing, ordered=False)


def _unlabelled_note(name: str, codes: np.ndarray, info: VariableInfo) -> str:
    """A column's codes without a label, for the warning; a scale labelled only at its ends says how to average it.

    0 "Not at all concerned" ... 10 "Extremely concerned" with 1..9 unlabelled reads as
    answers (``haven::as_factor``); its numbers are :meth:`pewlike.Survey.score` with ``"codes"``.
    """
    numeric = codes.dtype.kind == "f" and bool(np.all(codes == np.round(codes)))
    ends = [
        float(c)
        for c, lab in info.value_labels.items()
        if isinstance(c, float) and lab != _fmt(c) and lab not in info.missing
    ]
    if numeric and codes.size >= 3 and len(ends) >= 2 and min(ends) < codes.min() and codes.max() < max(ends):
        return (
            f"{name}: {_fmt(codes.min())}-{_fmt(codes.max())} between its labelled ends; "
            f"svy.score({name!r}, 'codes') gives its SPSS codes as numbers"
        )
    return f"{name}: {', '.join(_fmt(c) for c in codes[:5])}"


def _in_ranges(code: float, ranges: list[Any] | None) -> bool:
    for r in ranges or ():
        try:
            if float(r["lo"]) <= code <= float(r["hi"]):
                return True
        except (TypeError, ValueError, KeyError):
            continue
    return False


def _fmt(code: float) -> str:
    code = float(code)
    return str(int(code)) if code.is_integer() else repr(code)


def compact(values: pd.Series | np.ndarray) -> pd.Series | np.ndarray:
    """Store one chunk of a column compactly: small integer codes as int8/int16 (NaN as sentinel).

    Parameters
    ----------
    values : pandas.Series or numpy.ndarray
        One chunk of one raw column as the reader returned it.

    Returns
    -------
    pandas.Series or numpy.ndarray
        A non-numeric Series unchanged (index reset); numbers as an int8/int16 array when
        they are whole and fit (NaN stored as the type's minimum), else a float64 copy.
        :func:`expand` undoes it.
    """
    import pandas as pd

    if isinstance(values, pd.Series):
        if not (pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_integer_dtype(values.dtype)):
            return values.reset_index(drop=True)
        values = values.to_numpy(dtype=float, na_value=np.nan)
    v = np.asarray(values, dtype=float)
    nan = np.isnan(v)
    finite = v[~nan]
    if finite.size == 0 or not np.all(finite == np.round(finite)):
        return v.copy()
    lo, hi = finite.min(), finite.max()
    for dtype in (np.int8, np.int16):
        info = np.iinfo(dtype)
        if lo > info.min and hi <= info.max:
            out = np.where(nan, info.min, v).astype(dtype)
            return out
    return v.copy()


def expand(parts: list[pd.Series] | list[np.ndarray]) -> pd.Series | np.ndarray:
    """Concatenate compact chunks back into one float64 array (or a Series for other kinds).

    Parameters
    ----------
    parts : list of numpy.ndarray or list of pandas.Series
        The chunks of one column from :func:`compact`, in row order.

    Returns
    -------
    pandas.Series or numpy.ndarray
        Float64 values with NaN restored, or the concatenated Series.
    """
    import pandas as pd

    # a column's chunks are all Series or all arrays: the reader types a column once, from the file
    if any(isinstance(p, pd.Series) for p in parts):
        return pd.concat(cast("list[pd.Series]", parts), ignore_index=True)
    arrays = cast("list[np.ndarray]", parts)
    n = sum(p.shape[0] for p in arrays)
    out = np.empty(n, dtype=float)
    pos = 0
    for p in arrays:
        k = p.shape[0]
        if p.dtype.kind == "i":
            sentinel = np.iinfo(p.dtype).min
            out[pos : pos + k] = p
            out[pos : pos + k][p == sentinel] = np.nan
        else:
            out[pos : pos + k] = p
        pos += k
    return out


def apply_metadata(
    get: Callable[[str], pd.Series | np.ndarray],
    names: list[str],
    index: pd.Index,
    meta: metadata_container,
    missing: str,
    path: Path,
) -> tuple[pd.DataFrame, Codebook]:
    """Build the DataFrame and Codebook column by column.

    ``get(name)`` returns the raw column (Series or float array) and may free
    its storage; each converted column is kept, the raw one dropped.

    Parameters
    ----------
    get : callable
        Returns the raw column of a name (a Series, or a float array from :func:`expand`).
    names : list of str
        Columns, in order.
    index : pandas.Index
        Row index of the result.
    meta : pyreadstat.metadata_container
        The file's metadata: variable labels, value labels, missing ranges, measures.
    missing : {"auto", "keep", "nan"}
        As :func:`pewlike.io.files.read_file`.
    path : pathlib.Path
        The file (named in the warning about unlabelled codes).

    Returns
    -------
    (pandas.DataFrame, Codebook)

    Warns
    -----
    LabelWarning
        Labelled variables hold codes without a value label (kept as categories).
    """
    import pandas as pd

    labels = dict(zip(meta.column_names, meta.column_labels or [None] * len(meta.column_names)))
    vlabels = getattr(meta, "variable_value_labels", {}) or {}
    ranges = getattr(meta, "missing_ranges", {}) or {}
    measures = getattr(meta, "variable_measure", {}) or {}
    infos: dict[str, VariableInfo] = {}
    out: dict[str, Any] = {}
    unlabelled: dict[str, np.ndarray] = {}
    for name in names:
        col = get(name)
        label = labels.get(name) or None
        measure = measures.get(name) if measures.get(name) not in (None, "unknown") else None
        numeric = (isinstance(col, np.ndarray) and col.dtype.kind == "f") or (
            isinstance(col, pd.Series) and pd.api.types.is_numeric_dtype(col.dtype)
        )
        if numeric:
            vals = col if isinstance(col, np.ndarray) else col.to_numpy(dtype=float, na_value=np.nan)
            if name in vlabels:
                new, info = _labelled_column(
                    name, vals, vlabels[name], ranges.get(name), label, measure, missing, unlabelled
                )
            else:
                rng = ranges.get(name)
                codes: tuple = ()
                new = vals
                if rng and missing != "keep":
                    mask = _missing_code_set(vals, rng)
                    if mask.any():
                        codes = tuple(np.unique(vals[mask]).tolist())
                        new = vals.copy()
                        new[mask] = np.nan
                info = VariableInfo(name, label, {}, (), codes, "numeric", measure)
            out[name] = new
        elif any(isinstance(k, str) for k in vlabels.get(name, {})):
            out[name], info = _labelled_text_column(
                name, col, vlabels[name], ranges.get(name), label, measure, missing, unlabelled
            )
        else:
            kind = text_kind(col)
            out[name] = blank_as_missing(col) if kind == "string" and isinstance(col, pd.Series) else col
            info = VariableInfo(name, label, {}, (), (), kind, measure)
        infos[name] = info
        del col
    df = pd.DataFrame(out, index=index, copy=False)  # no consolidation copy of the float columns
    if unlabelled:
        shown = "; ".join(_unlabelled_note(n, codes, infos[n]) for n, codes in list(unlabelled.items())[:5])
        more = f" (and {len(unlabelled) - 5} more variables)" if len(unlabelled) > 5 else ""
        warnings.warn(
            f"{path.name}: codes without value labels were kept as categories: {shown}{more}",
            LabelWarning,
            stacklevel=4,
        )
    return df, Codebook(infos, getattr(meta, "file_label", None) or None)
