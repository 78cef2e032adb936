"""Large ``.sav`` files read with polars-readstat (the optional extra ``pewlike[fast]``).

polars-readstat decodes SPSS files on several threads, several times faster than
pyreadstat.  This module only returns the raw columns; :func:`pewlike.io.files.read_file`
turns them into the DataFrame and Codebook with the same code as for pyreadstat, using
pyreadstat's metadata-only read, so both paths give identical results.

What makes the columns identical to ``pyreadstat.read_sav(user_missing=True,
apply_value_formats=False)``:

- user-missing values: polars-readstat turns them into nulls; they are read back from its
  "informative null" indicator (the code as text, parsed to the same float) and put in place.
  polars-readstat 0.25 decodes such columns whole before the first batch (about 24 bytes a
  row each), so it reads them only when they are few (``width / 24`` columns: no more memory
  than the smallest frame the file gives); more are read with pyreadstat;
- only plain numeric formats (``F``, ``COMMA``, ``DOLLAR`` ...) and text (``A``) are taken
  from polars-readstat; dates, times and any other format are read with pyreadstat
  (polars-readstat rounds date-times to whole seconds);
- when more than half the columns would be read with pyreadstat (a file whose every item
  declares user-missing codes), when the encoding is not UTF-8, and at any surprise (a column
  type or name that differs, an error of polars-readstat), the whole file is read with
  pyreadstat (``None`` is returned).

Memory: the file is read in row batches; each batch's numbers go straight into one compact
array per column (:func:`pewlike.io.labelconv.compact`'s types), as small as the pyreadstat
path keeps them.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.io.labelconv import compact, expand

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import polars as pl

__all__ = ["available", "read_sav_columns"]

# SPSS print formats whose values pyreadstat returns as plain floats / text
_PLAIN_NUMERIC = frozenset({"F", "N", "E", "COMMA", "DOT", "DOLLAR", "PCT", "CCA", "CCB", "CCC", "CCD", "CCE", "Z"})
_TEXT = frozenset({"A", "AHEX"})
_SUFFIX = " (pewlike user-missing)"  # indicator columns; no SPSS name has a space or brackets
_UTF8 = frozenset({"utf-8", "utf8"})
# rows per polars-readstat batch: the batches in flight stay small beside the frame
_BATCH_ROWS = 10_000
_NULL_BYTES_PER_ROW = 24  # polars-readstat's memory for a column read with its user-missing codes
_MOST_SLOW = 0.5  # above this share of columns for pyreadstat, pyreadstat reads the whole file
_WIDTH = {"b": 1, "h": 2, "d": 8}  # int8, int16, float64: the types compact() stores


def available() -> bool:
    """Whether polars-readstat is installed (checked without importing it).

    Returns
    -------
    bool
    """
    return importlib.util.find_spec("polars_readstat") is not None


def _refusal(exc: BaseException) -> bool:
    """An error of the reader (a Rust panic is a BaseException), not an interrupt."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _format_family(fmt: str | None) -> str:
    match = re.match(r"[A-Za-z]+", fmt or "")
    return match.group(0).upper() if match else ""


def read_sav_columns(
    path: Path,
    read: Callable[..., Any],
    opts: dict[str, Any],
    chunk_rows: int,
) -> tuple[Callable[[str], pd.Series | np.ndarray], list[str], pd.Index, Any] | None:
    """Read a ``.sav`` file's raw columns with polars-readstat, in row batches.

    Parameters
    ----------
    path : pathlib.Path
        The SPSS file.
    read : callable
        ``pyreadstat.read_sav``: the metadata-only read, and the columns polars-readstat
        does not decode exactly like pyreadstat (dates, times, other formats).
    opts : dict
        The pyreadstat options of :func:`pewlike.io.files.read_file`: ``user_missing=True``,
        ``apply_value_formats=False`` and optionally ``usecols``; nothing else.
    chunk_rows : int
        Rows per pyreadstat chunk; polars-readstat's batches are at most 10,000 rows.

    Returns
    -------
    (get, names, index, meta) or None
        The arguments :func:`pewlike.io.labelconv.apply_metadata` takes (``get(name)``
        returns a raw column and frees it); None when polars-readstat is missing or this
        file is read with pyreadstat (see the module notes).

    Notes
    -----
    The data equal ``pyreadstat.read_sav(path, user_missing=True, apply_value_formats=False)``
    (R: ``haven::read_sav(user_na = TRUE)``) value for value, in the same column and row order.
    """
    if set(opts) - {"user_missing", "apply_value_formats", "usecols"}:
        return None
    if opts.get("user_missing") is not True or opts.get("apply_value_formats") is not False:
        return None
    try:
        import polars as pl
        import polars_readstat as pr
    except ImportError:
        return None
    if path.suffix.lower() != ".sav":
        return None
    _, meta = read(str(path), metadataonly=True, **opts)
    nrows = getattr(meta, "number_rows", None)
    if not nrows or str(getattr(meta, "file_encoding", "") or "").lower() not in _UTF8:
        return None
    names = list(meta.column_names)
    formats = dict(getattr(meta, "original_variable_types", {}) or {})
    ranges = dict(getattr(meta, "missing_ranges", {}) or {})
    try:
        schema = pr.scan_readstat(str(path)).collect_schema()  # the header only
    except BaseException as exc:  # polars-readstat refused the file: pyreadstat reads it or says why
        if not _refusal(exc):
            raise
        return None
    if len(set(names)) != len(names) or any(n not in schema or n + _SUFFIX in schema for n in names):
        return None
    numeric = [n for n in names if _format_family(formats.get(n)) in _PLAIN_NUMERIC and schema[n] == pl.Float64]
    text = [n for n in names if _format_family(formats.get(n)) in _TEXT and schema[n] == pl.String]
    flagged = [n for n in names if ranges.get(n) and n in set(numeric) | set(text)]
    if len(flagged) > _group_size(len(names)):  # one pass with user-missing codes at most
        flagged = []
    slow = [n for n in names if n not in set(numeric) | set(text) or (ranges.get(n) and n not in flagged)]
    fast = [n for n in names if n not in set(slow)]
    if len(slow) > _MOST_SLOW * len(names):  # little to gain: pyreadstat reads it all, in less memory
        return None
    store: dict[str, list[Any]] = {n: [] for n in names}
    if fast:
        try:
            blank = {n for n in text if any(str(r.get("lo", "x")).strip() == "" for r in ranges.get(n) or ())}
            sizes = (nrows, min(chunk_rows, _BATCH_ROWS))
            for cols, nulls in _passes(pr, fast, flagged):
                _read_fast(pr, path, cols, nulls, (set(numeric), blank), sizes, store)
        except BaseException as exc:  # polars-readstat refused the file: pyreadstat reads it or says why
            if not _refusal(exc):
                raise
            return None
    if slow:
        _read_slow(path, read, opts, slow, nrows, chunk_rows, store)
    import pandas as pd

    def get(name: str) -> pd.Series | np.ndarray:
        parts = store.pop(name)
        if parts and isinstance(parts[0], list):  # text from polars, as pyreadstat gives it
            values = np.empty(nrows, dtype=object)
            pos = 0
            for part in parts:
                values[pos : pos + len(part)] = part
                pos += len(part)
            return pd.Series(values)
        return expand(parts)

    return get, names, pd.RangeIndex(nrows), meta


def _group_size(width: int) -> int:
    """How many columns polars-readstat may read with their user-missing codes, in one pass.

    To report user-missing codes, polars-readstat 0.25 decodes the whole selection before
    the first batch (about 24 bytes a row per column, value and indicator); ``width / 24``
    columns need no more memory than the smallest frame the file can give (a byte a row per
    column). Each pass parses the whole file again, so more such columns are read with
    pyreadstat: beyond one group, passes would cost as much as pyreadstat's read.
    """
    return max(1, width // _NULL_BYTES_PER_ROW)


def _passes(pr: Any, fast: list[str], flagged: list[str]) -> list[tuple[list[str], Any]]:
    """The reads over the file: columns without user-missing values in one streamed pass,
    those with them (at most :func:`_group_size`) in another."""
    plain = [n for n in fast if n not in set(flagged)]
    out: list[tuple[list[str], Any]] = [(plain, None)] if plain else []
    if flagged:
        nulls = pr.InformativeNullOpts(columns=flagged, mode="separate_column", suffix=_SUFFIX, use_value_labels=False)
        out.append((flagged, nulls))
    return out


def _read_fast(
    pr: Any,
    path: Path,
    cols: list[str],
    nulls: Any,
    kinds: tuple[set[str], set[str]],
    sizes: tuple[int, int],
    store: dict[str, list[Any]],
) -> None:
    """Decode ``cols`` with polars-readstat in row batches into ``store``.

    ``kinds``: the numeric columns and the text columns with a declared blank missing
    value; ``sizes``: the file's rows and the rows per batch. Numbers go straight into one
    compact array per column, so that nothing but the final columns and a batch is held.
    """
    numeric, blank = kinds
    nrows, chunk_rows = sizes
    flagged = set() if nulls is None else set(cols)
    columns: dict[str, np.ndarray | None] = {n: None for n in cols if n in numeric}
    rows = 0
    for batch in _batches(pr, path, cols, nulls, chunk_rows):
        if rows + batch.height > nrows:
            raise ValueError("more rows than the header says")  # read with pyreadstat instead
        for n in cols:
            col = batch.get_column(n)
            flag = batch.get_column(n + _SUFFIX) if n in flagged else None
            if n in numeric:
                columns[n] = _place(columns[n], nrows, rows, _numbers(col, flag))
            else:
                store[n].append(_text(col, flag, n in blank))
        rows += batch.height
        del batch
    if rows != nrows:
        raise ValueError("fewer rows than the header says")  # read with pyreadstat instead
    for n, column in columns.items():
        store[n] = [] if column is None else [column]


def _batches(pr: Any, path: Path, fast: list[str], nulls: Any, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """The file's row batches in order, from polars-readstat's batch source.

    ``scan_readstat(...).collect_batches()`` gives the same batches through polars'
    streaming engine, which holds more of them at once (and cannot project the
    indicator columns); the source itself decodes a few batches ahead on its threads.
    """
    source = pr.PyPolarsReadstat(
        path=str(path),
        size_hint=chunk_rows,
        n_rows=None,
        threads=None,
        missing_string_as_null=False,
        value_labels_as_strings=False,
        preserve_order=True,
        compress=None,
        informative_nulls=None if nulls is None else nulls.to_dict(),
        row_index_name=None,
        data=None,
        storage_options=None,
    )
    source.set_with_columns(fast)
    while (batch := source.next()) is not None:
        yield batch


def _place(column: np.ndarray | None, nrows: int, pos: int, values: np.ndarray) -> np.ndarray:
    """Write one batch into a column kept as :func:`compact` stores it, widening it when needed."""
    part = compact(values)
    assert isinstance(part, np.ndarray)  # compact keeps arrays arrays
    if column is None:
        column = np.empty(nrows, dtype=part.dtype)
    elif _WIDTH[part.dtype.char] > _WIDTH[column.dtype.char]:
        column = np.concatenate([_recode(column[:pos], part.dtype), np.empty(nrows - pos, dtype=part.dtype)])
    column[pos : pos + part.shape[0]] = _recode(part, column.dtype)
    return column


def _recode(part: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A compact part in a wider compact type (missing kept as the wider type's marker)."""
    if part.dtype == dtype:
        return part
    values = np.asarray(expand([part]))
    if dtype.kind == "f":
        return values
    return np.where(np.isnan(values), np.iinfo(dtype).min, values).astype(dtype)


def _numbers(col: pl.Series, flag: pl.Series | None) -> np.ndarray:
    """One batch of a numeric column: system-missing as NaN, user-missing codes restored."""
    values = col.to_numpy(writable=True)
    if flag is not None and flag.null_count() < flag.len():
        mask = flag.is_not_null().to_numpy()
        values[mask] = np.array([float(s) for s in flag.filter(flag.is_not_null()).to_list()], dtype=float)
    return np.asarray(values, dtype=float)


def _text(col: pl.Series, flag: pl.Series | None, blank_missing: bool) -> list[Any]:
    """One batch of a text column as Python strings; user-missing strings restored.

    polars-readstat gives no indicator for a declared blank missing value (pyreadstat's
    ``""``); with ``missing_string_as_null=False`` a null left over can only be that one.
    """
    if flag is not None and flag.null_count() < flag.len():
        col = col.fill_null(flag)
    if col.null_count():
        if not blank_missing:
            raise ValueError("a text value polars-readstat did not give")  # read with pyreadstat instead
        col = col.fill_null("")
    return col.to_list()


def _read_slow(
    path: Path,
    read: Callable[..., Any],
    opts: dict[str, Any],
    slow: list[str],
    nrows: int,
    chunk_rows: int,
    store: dict[str, list[Any]],
) -> None:
    """Columns polars-readstat would decode differently, read with pyreadstat in row chunks."""
    base = {k: v for k, v in opts.items() if k != "usecols"}
    for off in range(0, nrows, chunk_rows):
        df, _ = read(str(path), usecols=slow, row_offset=off, row_limit=chunk_rows, **base)
        for n in slow:
            store[n].append(compact(df[n]))
        del df
