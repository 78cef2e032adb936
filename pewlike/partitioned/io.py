"""Partitioned data for :mod:`pewlike.partitioned.survey`: finding files, reading them lazily, schedulers.

Every file (or, for large SPSS files, every block of rows) becomes one or more Dask
partitions; nothing here reads all rows into one process.  Files are checked against
each other before any computation starts (same columns, same types, the design columns
present everywhere), so a bad partition is reported by name instead of failing deep
inside a computation.

Needs the optional extra ``pewlike[dask]`` (``dask[dataframe]`` and ``distributed``).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pewlike.errors import DataFileError, PewlikeError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.io.codebook import Codebook

__all__ = ["SAV_CHUNK_ROWS", "conform", "expand_paths", "labelled_file", "read_partitioned", "require_dask"]

SAV_CHUNK_ROWS = 500_000  # rows per partition when an SPSS/Stata/SAS file is read in blocks
_KINDS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".sav": "sav",
    ".zsav": "sav",
    ".dta": "dta",
    ".sas7bdat": "sas7bdat",
    ".xpt": "xport",
    ".por": "por",
}


def require_dask() -> None:
    """Fail with an installation hint when Dask is missing."""
    try:
        import dask
        import dask.dataframe  # noqa: F401
    except ImportError:  # pragma: no cover - dask is in the test extra
        raise PewlikeError(
            "engine='dask' needs the optional extra: pip install 'pewlike[dask]' (dask[dataframe] and distributed)"
        ) from None


# --------------------------------------------------------------------------- files
def expand_paths(paths_or_glob: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files named by a path, a directory, a glob (``"acs/*.parquet"``) or a list of them.

    Parameters
    ----------
    paths_or_glob : str, path or list of them
        Files, directories (their .parquet/.csv/.sav... files) and glob patterns
        (``**`` recurses).

    Returns
    -------
    list of Path
        The files, in order (each pattern's and directory's matches sorted).

    Raises
    ------
    DataFileError
        A pattern matching no file, a missing file, or files of several kinds.
    """
    items = [paths_or_glob] if isinstance(paths_or_glob, (str, os.PathLike)) else list(paths_or_glob)
    if not items:
        raise DataFileError("no files given; pass a path, a directory or a glob such as 'data/part-*.parquet'")
    out: list[Path] = []
    for item in items:
        s = os.fspath(item)
        if any(ch in s for ch in "*?["):
            hits = sorted(Path(h) for h in glob.glob(s, recursive=True) if Path(h).is_file())
            if not hits:
                raise DataFileError(
                    f"{s!r} matches no files; check the directory and the pattern (e.g. 'data/part-*.parquet')"
                )
            out.extend(hits)
        elif Path(s).is_dir():
            hits = sorted(
                p
                for p in Path(s).iterdir()
                if p.is_file() and p.suffix.lower() in _KINDS and not p.name.startswith((".", "_"))
            )
            if not hits:
                raise DataFileError(f"directory {s!r} holds no .parquet, .csv or .sav files")
            out.extend(hits)
        elif Path(s).is_file():
            out.append(Path(s))
        else:
            raise DataFileError(f"{s}: no such file; check the path")
    bad = next((p for p in out if p.suffix.lower() not in _KINDS), None)
    if bad is not None:
        raise DataFileError(f"{bad}: unknown file type {bad.suffix!r}; use .parquet, .csv or .sav")
    kinds = {_KINDS[p.suffix.lower()] for p in out}
    if len(kinds) > 1:
        raise DataFileError(f"the files mix several formats ({', '.join(sorted(kinds))}); give files of one kind")
    return out


def labelled_file(path: Path) -> bool:
    """Whether ``path`` is an SPSS, Stata or SAS file (its labels are the codebook; not a CSV or Parquet)."""
    return _KINDS.get(path.suffix.lower()) not in (None, "csv", "parquet")


def read_partitioned(
    files: Sequence[Path],
    *,
    columns: Sequence[str] | None = None,
    required: Sequence[tuple[str, str]] = (),
    missing: Literal["auto", "keep", "nan"] = "auto",
    chunk_rows: int = SAV_CHUNK_ROWS,
    **reader_options: Any,
) -> tuple[Any, Codebook | None]:
    """A lazy Dask DataFrame over ``files`` and the codebook stored in the first file (None if none).

    Parameters
    ----------
    files : list of Path
        From :func:`expand_paths`; all of one kind.
    columns : list of str, optional
        Read only these columns.
    required : iterable of (role, column)
        Design columns every file must have (``("weight", "PWGTP")``); named in errors.
    missing : {"auto", "keep", "nan"}
        As :func:`pewlike.io.files.read_file`.
    chunk_rows : int
        Rows per partition for SPSS/Stata/SAS files (read with pyreadstat's row offsets).
    **reader_options
        Passed to the reader (``pyarrow.parquet.ParquetFile.read_row_groups``,
        ``pandas.read_csv``, pyreadstat).

    Returns
    -------
    ddf : dask.dataframe.DataFrame
        One partition per file, per block of row groups (Parquet) or per block of rows.
    codebook : Codebook or None
        The codebook pewlike stored in a Parquet file, or the labels of an SPSS/Stata/SAS
        file; None for CSV and other Parquet files.

    Raises
    ------
    DataFileError
        A file lacks a column the first file has (a design column is named as such), has
        extra columns, or stores a column with another type.
    """
    require_dask()
    kind = _KINDS[files[0].suffix.lower()]
    if kind == "parquet":
        return _read_parquet(files, columns, required, missing, reader_options)
    if kind == "csv":
        return _read_csv(files, columns, required, missing, reader_options)
    return _read_stat(files, kind, columns, required, missing, chunk_rows, reader_options)


def _compare_columns(first: Path, names: list[str], path: Path, other: list[str], required) -> None:
    role_of = {c: role for role, c in required}
    lost = [c for c in names if c not in other]
    for c in lost:
        if c in role_of:
            raise DataFileError(
                f"{path}: {role_of[c]} column {c!r} is missing in this file (it is in "
                f"{first.name}); every partition needs the design columns"
            )
    extra = [c for c in other if c not in names]
    if lost or extra:
        parts = ([f"missing {lost[:5]}"] if lost else []) + ([f"extra {extra[:5]}"] if extra else [])
        raise DataFileError(
            f"{path}: columns differ from {first.name} ({'; '.join(parts)}); every partition needs the same columns"
        )


def _arrow_type(t) -> str:
    import pyarrow as pa

    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        t = pa.string()
    return str(t)


def _read_parquet(files, columns, required, missing, opts):
    import dask.dataframe as dd
    import pyarrow.parquet as pq

    try:
        schemas = [pq.read_schema(f) for f in files]
    except Exception as exc:
        bad = next((f for f in files if not _readable_schema(f)), files[0])
        raise DataFileError(f"{bad}: cannot be read as Parquet ({str(exc).splitlines()[0]})") from None
    from pewlike.io.files import _refuse_duplicates

    for f, s in zip(files, schemas):
        _refuse_duplicates(f, list(s.names))
    first = schemas[0]
    names = [n for n in first.names if not n.startswith("__index_level_")]
    for f, s in zip(files[1:], schemas[1:]):
        other = [n for n in s.names if not n.startswith("__index_level_")]
        _compare_columns(files[0], names, f, other, required)
        for n in names:
            a, b = _arrow_type(first.field(n).type), _arrow_type(s.field(n).type)
            if a != b:
                raise DataFileError(
                    f"{f}: column {n!r} is stored as {b} but as {a} in {files[0].name}; "
                    "write every partition with the same types"
                )
    use = _select(names, columns, required, files[0])
    rows = int(opts.pop("chunk_rows", SAV_CHUNK_ROWS))
    items = []
    for f in files:
        meta_f = pq.ParquetFile(f).metadata
        groups: list[int] = []
        count = 0
        for g in range(meta_f.num_row_groups):  # consecutive row groups up to ``rows`` rows a partition
            n = meta_f.row_group(g).num_rows
            if groups and count + n > rows:
                items.append((str(f), tuple(groups)))
                groups, count = [], 0
            groups.append(g)
            count += n
        items.append((str(f), tuple(groups)))
    names = use if use is not None else names
    meta = first.empty_table().to_pandas()[names]
    codebook = _parquet_codebook(first, meta, missing, files[0])
    # a Parquet file from elsewhere is read as a CSV is (blank text answers missing); pewlike's as it stored it
    reader = _ParquetPart(names, opts, blank_text=codebook is None)
    ddf = dd.from_map(reader, items, meta=meta, enforce_metadata=False, label="read-parquet")
    return ddf, codebook


class _ParquetPart:
    """One partition: some row groups of one Parquet file, with only the ``columns`` asked for."""

    def __init__(self, columns, opts, blank_text=False):
        self.names = list(columns)
        self.opts = dict(opts)
        self.blank_text = blank_text

    def __call__(self, item, columns=None):
        import pyarrow.parquet as pq

        path, groups = item
        cols = self.names if columns is None else list(columns)
        try:
            table = pq.ParquetFile(path).read_row_groups(list(groups), columns=cols, **self.opts)
        except Exception as exc:
            raise DataFileError(f"{path}: cannot be read as Parquet ({str(exc).splitlines()[0]})") from None
        df = table.to_pandas()
        df = df if list(df.columns) == cols else df[cols]
        return _blank_text(df) if self.blank_text else df


def _readable_schema(f) -> bool:
    import pyarrow.parquet as pq

    try:
        pq.read_schema(f)
        return True
    except Exception:
        return False


def _select(names, columns, required, path):
    if columns is None:
        return None
    want = list(dict.fromkeys([*columns, *(c for _, c in required)]))
    lost = [c for c in want if c not in names]
    if lost:
        raise DataFileError(f"{path}: column {lost[0]!r} is not in the file")
    return want


def _parquet_codebook(schema, meta, missing, source):
    """The codebook pewlike stored in the file's metadata (None for other Parquet files)."""
    from pewlike.io.codebook import Codebook
    from pewlike.io.files import _META_KEY
    from pewlike.io.stored import stored_codebook

    del missing  # categories are only known after the design pass; see daskdesign.finish_codebook
    stored = stored_codebook((schema.metadata or {}).get(_META_KEY), list(meta.columns), source)
    if stored is None:
        return None
    infos, file_label = stored
    return Codebook(infos, file_label)


def _read_csv(files, columns, required, missing, opts):
    import dask.dataframe as dd
    import pandas as pd

    from pewlike.io.files import _csv_header, _refuse_duplicates, csv_options, not_text_error

    opts = csv_options(files[0], opts)  # the parts of one survey share the first part's delimiter
    heads = []
    for f in files:
        try:
            heads.append([str(c) for c in pd.read_csv(f, nrows=0, **opts).columns])
        except UnicodeDecodeError as exc:  # no guess here: every part is read with one encoding
            raise not_text_error(f, exc, f"not {opts.get('encoding') or 'UTF-8'}") from None
        except Exception as exc:
            raise DataFileError(f"{f}: cannot be read as CSV ({str(exc).splitlines()[0]})") from None
        _refuse_duplicates(f, _csv_header(f, opts, heads[-1]))
    for f, h in zip(files[1:], heads[1:]):
        _compare_columns(files[0], heads[0], f, h, required)
    use = _select(heads[0], columns, required, files[0])
    meta = _load_csv(files[0], use, None, opts).iloc[:0]
    ddf = dd.from_map(
        _CsvPart(use, meta, opts, str(files[0].name)), [str(f) for f in files], meta=meta, enforce_metadata=False
    )
    return ddf, None


def _blank_text(df: pd.DataFrame) -> pd.DataFrame:
    """A partition with the blank answers of its text columns missing, as the in-memory readers read them."""
    from pewlike.io.codebook import blank_as_missing, is_text

    for name in df.columns:
        if is_text(col := df[name]) and (unblank := blank_as_missing(col)) is not col:
            df[name] = unblank
    return df


def _load_csv(path, use, meta, opts):
    """One CSV part, its cells of spaces only blank (as the in-memory reader's)."""
    import pandas as pd

    try:
        return _blank_text(pd.read_csv(path, usecols=use, **opts))
    except UnicodeDecodeError as exc:
        from pewlike.io.files import not_text_error

        raise not_text_error(path, exc, f"not {opts.get('encoding') or 'UTF-8'}") from None
    except Exception as exc:
        raise DataFileError(f"{path}: cannot be read as CSV ({str(exc).splitlines()[0]})") from None


class _CsvPart:
    """Load one CSV file (only the ``columns`` asked for) as a partition; check its types against the first file."""

    def __init__(self, use, meta, opts, first):
        self.use, self.meta, self.opts, self.first = use, meta, opts, first

    def __call__(self, path, columns=None):
        cols = list(self.meta.columns) if columns is None else list(columns)
        df = _load_csv(path, cols, self.meta, self.opts)
        return conform(df[cols], self.meta[cols], path, self.first)


def conform(df: pd.DataFrame, meta: pd.DataFrame, path: str | os.PathLike[str], first: str) -> pd.DataFrame:
    """Check a partition's columns and types against ``meta``; integers read as floats are cast.

    Parameters
    ----------
    df : pandas.DataFrame
        One partition as read.
    meta : pandas.DataFrame
        The empty frame of the expected columns and types (from the first file).
    path : str or path
        The partition's file, named in errors.
    first : str
        The first file's name, named in errors.

    Returns
    -------
    pandas.DataFrame
        ``df``, numeric columns cast to the type of ``meta`` where nothing is lost (to
        floats; to integers when the column has no missing value).

    Raises
    ------
    DataFileError
        Naming ``path`` and the column whose type differs.
    """
    import pandas as pd

    if list(df.columns) != list(meta.columns):
        lost = [c for c in meta.columns if c not in df.columns]
        raise DataFileError(
            f"{path}: columns differ from {first} (missing {lost[:5]}); every partition needs the same columns"
        )
    fix = {}
    for c in meta.columns:
        a, b = meta[c].dtype, df[c].dtype
        if a == b:
            continue
        num_a, num_b = pd.api.types.is_numeric_dtype(a), pd.api.types.is_numeric_dtype(b)
        if (
            num_a
            and num_b
            and not isinstance(a, pd.CategoricalDtype)
            and not isinstance(b, pd.CategoricalDtype)
            and (a.kind == "f" or df[c].notna().all())
        ):
            fix[c] = a
            continue
        if pd.api.types.is_string_dtype(a) and pd.api.types.is_string_dtype(b):
            continue
        if isinstance(a, pd.CategoricalDtype) and isinstance(b, pd.CategoricalDtype):
            continue
        hint = (
            f"; pass dtype={{{c!r}: 'float64'}} so that missing values read as NaN in every file"
            if num_a and num_b
            else "; give every partition the same column types"
        )
        raise DataFileError(f"{path}: column {c!r} has type {b} but {a} in {first}{hint}")
    return df.astype(fix) if fix else df


def _read_stat(files, kind, columns, required, missing, chunk_rows, opts):
    """SPSS/Stata/SAS files in blocks of ``chunk_rows`` rows (pyreadstat row offsets)."""
    import dask.dataframe as dd
    import pyreadstat

    read = getattr(
        pyreadstat,
        {"sav": "read_sav", "dta": "read_dta", "sas7bdat": "read_sas7bdat", "xport": "read_xport", "por": "read_por"}[
            kind
        ],
    )
    blocks: list[tuple[str, int, int]] = []
    heads: list[list[str]] = []
    for f in files:
        try:
            _, head = read(str(f), metadataonly=True)
        except Exception as exc:
            raise DataFileError(f"{f}: cannot be read as {kind} ({str(exc).splitlines()[0]})") from None
        heads.append(list(head.column_names))
        nrows = int(head.number_rows or 0)
        blocks.extend((str(f), off, chunk_rows) for off in range(0, max(nrows, 1), chunk_rows))
    for f, h in zip(files[1:], heads[1:]):
        _compare_columns(files[0], heads[0], f, h, required)
    use = _select(heads[0], columns, required, files[0])
    loader = _StatBlock(kind, use, missing, opts, files[0].name)
    first, codebook = loader.load(blocks[0])
    ddf = dd.from_map(loader, blocks, meta=first.iloc[:0], enforce_metadata=False)
    return ddf, codebook


class _StatBlock:
    """Load ``chunk_rows`` rows of an SPSS/Stata/SAS file starting at an offset, with labels applied."""

    def __init__(self, kind, use, missing, opts, first):
        self.kind, self.use, self.missing, self.opts, self.first = kind, use, missing, dict(opts), first

    def load(self, block):
        import warnings

        import pyreadstat

        from pewlike.io.labelconv import apply_metadata

        path, off, rows = block
        read = getattr(
            pyreadstat,
            {
                "sav": "read_sav",
                "dta": "read_dta",
                "sas7bdat": "read_sas7bdat",
                "xport": "read_xport",
                "por": "read_por",
            }[self.kind],
        )
        opts = dict(self.opts)
        if self.use is not None:
            opts["usecols"] = list(self.use)
        if self.kind == "sav":
            opts.setdefault("user_missing", True)
        if self.kind in ("sav", "por", "dta"):
            opts.setdefault("apply_value_formats", False)
        try:
            df, meta = read(path, row_offset=off, row_limit=rows, **opts)
        except Exception as exc:
            raise DataFileError(f"{path}: cannot be read ({str(exc).splitlines()[0]})") from None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unlabelled codes: reported once by the categories pass
            return apply_metadata(lambda name: df[name], list(df.columns), df.index, meta, self.missing, Path(path))

    def __call__(self, block, columns=None):
        if columns is None or (self.use is not None and list(columns) == list(self.use)):
            return self.load(block)[0]
        part = _StatBlock(self.kind, list(columns), self.missing, self.opts, self.first)
        return part.load(block)[0][list(columns)]
