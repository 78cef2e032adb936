"""Reading and writing survey files: the only module that talks to pyreadstat.

``read_file`` returns ``(DataFrame, Codebook)``: labelled numeric variables become
ordered Categoricals whose categories are the value labels in code order; SPSS
user-missing values and Pew's special codes ("Refused", "Don't know") are kept as
categories and recorded in the codebook as missing.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pewlike.errors import DataFileError
from pewlike.io import fastread
from pewlike.io.codebook import Codebook, VariableInfo
from pewlike.io.labelconv import apply_metadata, compact, expand
from pewlike.io.paths import not_regular
from pewlike.io.stored import stored_codebook

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pyreadstat.pyclasses import MissingRange

__all__ = [
    "LEGACY_CSV_ENCODING",
    "MAX_SCALE_ANSWERS",
    "SUPPORTED",
    "column_names",
    "csv_options",
    "not_text_error",
    "pin_sav_timestamp",
    "read_file",
    "skip_answers",
    "text_pair_categories",
    "text_scale_categories",
    "write_parquet",
    "write_sav",
]

# extension -> (pyreadstat reader name or pandas, human name)
SUPPORTED: dict[str, tuple[str, str]] = {
    ".sav": ("read_sav", "SPSS .sav"),
    ".zsav": ("read_sav", "SPSS .zsav"),
    ".por": ("read_por", "SPSS portable .por"),
    ".dta": ("read_dta", "Stata .dta"),
    ".sas7bdat": ("read_sas7bdat", "SAS .sas7bdat"),
    ".xpt": ("read_xport", "SAS transport .xpt"),
    ".csv": ("csv", "CSV"),
    ".parquet": ("parquet", "Parquet"),
}

_META_KEY = b"pewlike.codebook"
CHUNK_ROWS = 100000  # rows per chunk when reading large files (bounded peak memory)
#: More distinct text answers than this (missing answers included) are not an answer scale.
MAX_SCALE_ANSWERS = 20


def _check_path(path: str | os.PathLike[str]) -> tuple[Path, str]:
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in SUPPORTED:
        choices = ", ".join(SUPPORTED)
        raise DataFileError(f"{p}: unknown file type {ext or '(no extension)'!r}; supported: {choices}")
    if not p.exists():
        raise DataFileError(f"{p}: file not found; check the path (current folder: {Path.cwd()})")
    if p.is_dir():
        raise DataFileError(f"{p}: is a directory, not a data file; name the file inside it")
    kind = not_regular(p)
    if kind is not None:
        raise DataFileError(f"{p}: is not a regular file ({kind}); save the data to a file and read that")
    if p.stat().st_size == 0:
        raise DataFileError(f"{p}: file is empty (0 bytes); re-download or re-export it")
    return p, ext


def read_file(
    path: str | os.PathLike[str],
    *,
    columns: Sequence[str] | None = None,
    missing: Literal["auto", "keep", "nan"] = "auto",
    **reader_options: Any,
) -> tuple[pd.DataFrame, Codebook]:
    """Read a survey data file into a DataFrame and its :class:`Codebook`.

    Parameters
    ----------
    path : str or path-like
        File whose extension picks the reader (see ``SUPPORTED``).
    columns : sequence of str, optional
        Read only these columns (faster, less memory).
    missing : {"auto", "keep", "nan"}
        ``"auto"`` keeps special codes as categories marked missing in the
        codebook, and reads skip codes ("Legitimate skip", "IAP") as NaN, not asked;
        ``"nan"`` turns them all into NaN; ``"keep"`` treats them as answers.
    **reader_options
        Passed to the pyreadstat (or pandas) reader, e.g. ``encoding=``.

    Returns
    -------
    (pandas.DataFrame, Codebook)

    Raises
    ------
    DataFileError
        Missing, empty, directory, unknown type or unreadable file.

    Notes
    -----
    Equivalent to ``haven::read_sav(user_na = TRUE)`` followed by ``as_factor``.
    """
    if missing not in ("auto", "keep", "nan"):
        raise DataFileError(f"missing={missing!r} is not valid; choose one of 'auto', 'keep', 'nan'")
    p, ext = _check_path(path)
    reader, kind = SUPPORTED[ext]
    if reader == "csv":
        return _read_csv(p, columns, missing, csv_options(p, reader_options))
    if reader == "parquet":
        return _read_parquet(p, columns, missing, reader_options)
    import pyreadstat

    opts = dict(reader_options)
    read = getattr(pyreadstat, reader)
    try:
        _, head = read(str(p), metadataonly=True)
    except Exception:
        head = None  # the full read below reports the problem
    if columns is not None:
        if head is not None:
            columns = _match_columns(columns, list(head.column_names), p)
        opts["usecols"] = list(columns)
    if reader == "read_sav":
        opts.setdefault("user_missing", True)
    if reader in ("read_sav", "read_por", "read_dta"):
        opts.setdefault("apply_value_formats", False)
    nrows = getattr(head, "number_rows", None) if head is not None else None
    try:
        if nrows and nrows > 2 * CHUNK_ROWS and "row_offset" not in opts and "row_limit" not in opts:
            if reader == "read_sav" and fastread.available():  # the optional extra pewlike[fast]
                got = fastread.read_sav_columns(p, read, opts, CHUNK_ROWS)
                if got is not None:
                    return _unlabelled_text(*apply_metadata(*got, missing, p), missing)
            return _unlabelled_text(*_read_chunked(read, p, nrows, opts, missing), missing)
        df, meta = read(str(p), **opts)
    except DataFileError:
        raise
    except Exception as exc:  # pyreadstat raises its own error types and sometimes OSError
        raise _unreadable(p, kind, exc) from None
    return _unlabelled_text(
        *apply_metadata(lambda name: df[name], list(df.columns), df.index, meta, missing, p), missing
    )


def _unlabelled_text(df: pd.DataFrame, codebook: Codebook, missing: str) -> tuple[pd.DataFrame, Codebook]:
    """A labelled file's text columns without value labels read as a CSV's text answers.

    SPSS and Stata files may hold the answers themselves as text ("Strongly agree",
    "Refused"): a scale becomes a categorical in scale order, "Yes"/"No" comes Yes first,
    and "Refused" or "Don't know" is a missing answer (:func:`_text_answers`,
    :meth:`Codebook.from_frame`), keeping the variable's wording and measure level.
    """
    import dataclasses

    texts = [name for name, info in codebook.variables.items() if info.kind == "string"]
    if not texts:
        return df, codebook
    answers = _text_answers(df[texts], missing)  # a new frame (copy-on-write), changed in place
    found = Codebook.from_frame(answers, missing=missing)
    infos = {}
    for name in texts:
        df[name] = answers[name]  # a scale, a yes/no pair, blanks and skip answers made missing
        info = found[name]
        if info.kind != "string" or info.missing:
            infos[name] = dataclasses.replace(info, label=codebook[name].label, measure=codebook[name].measure)
    if not infos:
        return df, codebook
    return df, Codebook({**codebook.variables, **infos}, codebook.file_label)


def _unreadable(p: Path, kind: str, exc: Exception) -> DataFileError:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return DataFileError(f"{p}: cannot be read as {kind} ({msg}); the file may be corrupt or of another type")


def _read_chunked(
    read: Callable[..., Any], p: Path, nrows: int, opts: dict[str, Any], missing: str
) -> tuple[pd.DataFrame, Codebook]:
    """Read a large file in row chunks, keeping each chunk's columns compactly."""
    import pandas as pd

    store: dict[str, list[Any]] = {}
    meta = None
    names: list[str] = []
    for off in range(0, nrows, CHUNK_ROWS):
        df, m = read(str(p), row_offset=off, row_limit=CHUNK_ROWS, **opts)
        if meta is None:
            meta, names = m, list(df.columns)
            store = {n: [] for n in names}
        for n in names:
            store[n].append(compact(df[n]))
        del df
    index = pd.RangeIndex(sum(x.shape[0] for x in store[names[0]])) if names else pd.RangeIndex(0)
    assert meta is not None  # nrows > 0, so at least one chunk was read
    return apply_metadata(lambda name: expand(store.pop(name)), names, index, meta, missing, p)


def column_names(path: str | os.PathLike[str]) -> list[str]:
    """The column names of a data file, read from its header only.

    Parameters
    ----------
    path : str or path-like
        A file of a supported type (see ``SUPPORTED``).

    Returns
    -------
    list of str

    Raises
    ------
    DataFileError
        Missing, empty, directory, unknown type or unreadable file.
    """
    p, ext = _check_path(path)
    reader, kind = SUPPORTED[ext]
    try:
        if reader == "csv":
            import pandas as pd

            return [str(c) for c in pd.read_csv(p, nrows=0, **csv_options(p, {})).columns]
        if reader == "parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(p).names)
        import pyreadstat

        _, meta = getattr(pyreadstat, reader)(str(p), metadataonly=True)
        return list(meta.column_names)
    except Exception as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFileError(
            f"{p}: cannot be read as {kind} ({msg}); the file may be corrupt or of another type"
        ) from None


def _match_columns(requested: Sequence[str], available: list[str], p: Path) -> list[str]:
    """Map requested names (file names or base names without wave suffix) to the file's columns."""
    from pewlike.io.codebook import base_name

    out: list[str] = []
    for name in requested:
        if name in available:
            out.append(name)
            continue
        hits = [a for a in available if base_name(a) == name]
        if len(hits) != 1:
            import difflib

            hint = difflib.get_close_matches(name, available, n=3)
            extra = f"; did you mean {', '.join(hint)}?" if hint else ""
            what = "is ambiguous" if hits else "is not"
            raise DataFileError(f"{p}: column {name!r} {what} in the file{extra}")
        out.append(hits[0])
    return list(dict.fromkeys(out))


def _read_csv(
    p: Path, columns: Sequence[str] | None, missing: str, opts: dict[str, Any]
) -> tuple[pd.DataFrame, Codebook]:
    import pandas as pd

    if columns is not None:
        try:
            head = list(pd.read_csv(p, nrows=0, **opts).columns)
        except Exception:
            head = None
        if head is not None:
            columns = _match_columns(columns, head, p)
    usecols = list(columns) if columns is not None else None
    try:
        df = _csv_frame(p, usecols, opts)
    except UnicodeDecodeError as exc:
        if opts.get("encoding"):  # the user's encoding is not second-guessed
            raise not_text_error(p, exc, f"not {opts['encoding']} (encoding=)") from None
        _warn_legacy(p, exc)
        opts = {**opts, "encoding": LEGACY_CSV_ENCODING}
        try:
            df = _csv_frame(p, usecols, opts)
        except UnicodeDecodeError as again:
            raise not_text_error(p, again, "neither UTF-8 nor Windows-1252") from None
    _refuse_duplicates(p, _csv_header(p, opts, list(df.columns)))
    df = _text_answers(df, missing)
    return df, Codebook.from_frame(df, missing=missing)


def _csv_frame(p: Path, usecols: list[str] | None, opts: dict[str, Any]) -> pd.DataFrame:
    """``pd.read_csv`` with its errors said in one line; a decoding error is left to the caller."""
    import pandas as pd

    try:
        return pd.read_csv(p, usecols=usecols, **opts)
    except pd.errors.EmptyDataError:
        raise DataFileError(f"{p}: file has no data (no header row); re-export it") from None
    except UnicodeDecodeError:
        raise
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataFileError(f"{p}: cannot be read as CSV ({str(exc).splitlines()[0]})") from None


#: What a CSV that is not UTF-8 is read as: Windows' Western code page, which Excel's "CSV"
#: (not "CSV UTF-8") writes on US and Western European systems (R: ``fileEncoding = "CP1252"``).
LEGACY_CSV_ENCODING = "cp1252"


def not_text_error(p: Path | str, exc: UnicodeDecodeError, what: str) -> DataFileError:
    """The one-line error for a CSV whose bytes are not text in the encoding it was read with.

    Parameters
    ----------
    p : path
        The file.
    exc : UnicodeDecodeError
        What decoding it raised.
    what : str
        What the file is not ("neither UTF-8 nor Windows-1252", "not latin-1 (encoding=)").

    Returns
    -------
    DataFileError
        Naming the fix: save it as UTF-8, or give its encoding.
    """
    return DataFileError(
        f"{p}: is {what} text ({exc.reason}); save it as UTF-8 (Excel: 'CSV UTF-8'), "
        "or give its encoding: pw.read(path, encoding='...')"
    )


def _warn_legacy(p: Path, exc: UnicodeDecodeError) -> None:
    """Say that ``p``, not UTF-8, is read as Windows-1252, and how to change that.

    A file that is not UTF-8 most often comes from Excel's "CSV" on Windows: its accented
    letters are Windows-1252 bytes.  The warning names the guess and the fix, so a file in
    another code page (its letters then read wrong) is not taken as read right in silence.
    """
    import warnings

    from pewlike.errors import DataWarning

    warnings.warn(
        f"{p.name}: not UTF-8 ({exc.reason} at byte {exc.start:,}); read as Windows-1252, as Excel's "
        "'CSV' writes it; if its accented letters read wrong, save it as 'CSV UTF-8' or give its encoding",
        DataWarning,
        stacklevel=4,
    )


def _text_answers(df: pd.DataFrame, missing: str = "auto") -> pd.DataFrame:
    """``df`` with its text answer scales as categoricals in scale order, changed in place.

    A CSV exported with value labels holds "Strongly agree" ... as text, which would sort
    alphabetically ("Agree, Disagree, Strongly agree, ..."): no scale, no nets, tables in
    the wrong order.  A text column whose distinct answers form a recognised scale
    (:func:`text_scale_categories`) becomes a categorical with the
    scale's answers top first, then the missing answers ("Refused"), as a labelled
    ``.sav`` gives it.  Other text columns are left as they are.  With ``missing="auto"``
    a skip answer ("Legitimate skip": :func:`skip_answers`) is blank, not asked, as a
    labelled ``.sav`` reads it.  A cell of spaces only is blank too
    (:func:`~pewlike.io.codebook.blank_as_missing`), as an empty one is.
    """
    import pandas as pd

    from pewlike.io.codebook import MAX_TEXT_ANSWERS, blank_answers, is_text

    for name in df.columns:
        col = df[name]
        if is_text(col):
            answers = list(pd.unique(col.dropna()))
            blanks = blank_answers(answers)
            answers = [a for a in answers if a not in blanks]
            skips = skip_answers(answers) if missing == "auto" and len(answers) <= MAX_TEXT_ANSWERS else []
            if blanks or skips:  # one pass makes both blank
                col = df[name] = col.where(~col.isin([*blanks, *skips]))
                answers = [a for a in answers if a not in skips]
            cats = text_scale_categories(answers)
            if cats is not None:
                df[name] = pd.Categorical(col, categories=cats, ordered=True)
            elif (pair := text_pair_categories(answers)) is not None:
                df[name] = pd.Categorical(col, categories=pair)
    return df


def skip_answers(answers: Sequence[object]) -> list[str]:
    """The text answers among a column's distinct answers that say the respondent was not asked.

    Parameters
    ----------
    answers : sequence
        The distinct answers of a text column (a CSV's).

    Returns
    -------
    list of str
        Those :func:`~pewlike.io.codebook.is_not_asked_label` recognises ("Legitimate
        skip", "Inapplicable"); both engines read them as blank.

    Examples
    --------
    >>> skip_answers(["Yes", "No", "Legitimate skip", "Refused"])
    ['Legitimate skip']
    """
    from pewlike.io.codebook import is_not_asked_label

    return [a for a in answers if isinstance(a, str) and is_not_asked_label(a)]


def csv_options(p: Path, opts: Mapping[str, Any]) -> dict[str, Any]:
    """The reader options of a CSV file: its delimiter found from its header when none is given.

    Spreadsheets in many countries export "CSV" with semicolons (and decimal commas), others
    with tabs; read with commas such a file would be one column.  The delimiter is the one of
    ``,`` ``;`` tab ``|`` that the header line holds most often outside quotes (a comma on a tie
    or when none is there); with semicolons, numbers written ``1,5`` in the first lines make
    the decimal mark a comma.  A file that starts with a UTF-16 byte-order mark (Excel's
    "Unicode Text") is read as UTF-16 when no encoding is given.

    Parameters
    ----------
    p : pathlib.Path
        The CSV file.
    opts : mapping
        The reader options given (``sep=``/``delimiter=`` given win).

    Returns
    -------
    dict
        ``opts`` with ``sep`` (and ``decimal``) added when the file needs them.

    Notes
    -----
    R's ``read.csv`` assumes commas; ``read.csv2`` is the semicolon-and-decimal-comma variant.
    """
    out = dict(opts)
    if not out.get("encoding") and _starts_utf16(p):
        out["encoding"] = "utf-16"
    if "sep" in out or "delimiter" in out:
        return out
    try:
        with open(p, encoding=str(out.get("encoding") or "utf-8"), errors="replace", newline="") as fh:
            lines = [fh.readline() for _ in range(21)]
    except (OSError, LookupError):
        return out  # the reader says what is wrong with the file
    counts = dict.fromkeys((",", ";", "\t", "|"), 0)
    quoted = False
    for ch in lines[0]:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    sep = max(counts, key=lambda d: (counts[d], d == ","))
    if counts[sep] == 0 or sep == ",":
        return out
    out["sep"] = sep
    decimal_comma = re.compile(r"(^|;)\s*\"?-?\d+,\d+\"?\s*(?=;|$)")
    if sep == ";" and "decimal" not in out and any(decimal_comma.search(line.rstrip("\r\n")) for line in lines[1:]):
        out["decimal"] = ","
    return out


def _starts_utf16(p: Path) -> bool:
    """Whether ``p`` begins with a UTF-16 byte-order mark (little- or big-endian)."""
    try:
        with open(p, "rb") as fh:
            return fh.read(2) in (b"\xff\xfe", b"\xfe\xff")
    except OSError:
        return False  # the reader says what is wrong with the file


def _csv_header(p: Path, opts: dict[str, Any], columns: list[Any]) -> list[str]:
    """The header as written (pandas renames a repeated ``WEIGHT`` to ``WEIGHT.1``)."""
    import pandas as pd

    raw = {k: v for k, v in opts.items() if k not in ("header", "names", "usecols", "index_col", "dtype", "nrows")}
    try:
        head = pd.read_csv(p, header=None, nrows=1, dtype=str, **raw)
    except Exception:
        return [str(c) for c in columns]
    return ["" if isinstance(v, float) else str(v) for v in head.iloc[0].tolist()] if len(head) else []


def _refuse_duplicates(p: Path, names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataFileError(
                f"{p}: column name {name!r} appears more than once; give every column its own name "
                "(pewlike does not rename or guess which one is meant)"
            )
        seen.add(name)


def _read_parquet(
    p: Path, columns: Sequence[str] | None, missing: str, opts: dict[str, Any]
) -> tuple[pd.DataFrame, Codebook]:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(p)
    except Exception as exc:
        raise DataFileError(f"{p}: cannot be read as Parquet ({str(exc).splitlines()[0]})") from None
    _refuse_duplicates(p, list(schema.names))
    try:
        if columns is not None:
            columns = _match_columns(columns, list(schema.names), p)
        table = pq.read_table(p, columns=list(columns) if columns is not None else None, **opts)
    except DataFileError:
        raise
    except Exception as exc:
        raise DataFileError(f"{p}: cannot be read as Parquet ({str(exc).splitlines()[0]})") from None
    df = table.to_pandas()
    meta = (table.schema.metadata or {}).get(_META_KEY)
    stored = stored_codebook(meta, list(df.columns), p)
    if stored is None:  # a file from elsewhere: its text scales as from a CSV
        df = _text_answers(df, missing)
    codebook = Codebook.from_frame(df, missing=missing)
    if stored is not None:
        infos, file_label = stored
        # keep column order of the frame
        codebook = Codebook({**codebook.variables, **infos}, file_label).select(list(df.columns))
    return df, codebook


# ---------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------
def _atomic_target(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def pin_sav_timestamp(path: str | os.PathLike[str], epoch: int | None = None) -> None:
    """Overwrite the creation date/time in a .sav header so rewrites are byte-identical.

    The header stores ``creation_date`` (9 bytes, ``dd Mon yy``) at offset 92
    and ``creation_time`` (8 bytes, ``hh:mm:ss``) at offset 101.  The stamp is
    ``SOURCE_DATE_EPOCH`` when set, else ``epoch``, else 1 Jan 2000.

    Parameters
    ----------
    path : str or path-like
        An SPSS system file, changed in place.
    epoch : int, optional
        Seconds since 1970 (UTC) to write when ``SOURCE_DATE_EPOCH`` is not set.

    Raises
    ------
    DataFileError
        The file is not an SPSS system file.
    PewlikeError
        ``SOURCE_DATE_EPOCH`` is set but is not a Unix timestamp.
    """
    import time

    from pewlike.io.epoch import source_date_epoch

    env = source_date_epoch()
    stamp = env if env is not None else (946684800 if epoch is None else int(epoch))
    t = time.gmtime(stamp)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    date = f"{t.tm_mday:02d} {months[t.tm_mon - 1]} {t.tm_year % 100:02d}".encode("ascii")
    clock = f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}".encode("ascii")
    with open(path, "r+b") as fh:
        head = fh.read(4)
        if head not in (b"$FL2", b"$FL3"):
            raise DataFileError(f"{path}: not an SPSS system file; cannot pin its timestamp")
        fh.seek(92)
        fh.write(date + clock)


def _codes_for(col: pd.Series, info: VariableInfo | None) -> tuple[np.ndarray, dict[int | float, str]]:
    """Categorical -> (float codes, value labels) using the original codes when known."""
    cats = [str(c) for c in col.cat.categories]
    known = {}
    if info is not None and info.value_labels:
        known = {lab: code for code, lab in info.value_labels.items()}
    if all(c in known for c in cats):
        mapping = np.array([known[c] for c in cats], dtype=float)
    else:
        mapping = np.arange(1, len(cats) + 1, dtype=float)
    codes = col.cat.codes.to_numpy()
    out = np.where(codes >= 0, mapping[np.clip(codes, 0, None)] if len(mapping) else np.nan, np.nan)
    return out, {float(m): c for m, c in zip(mapping, cats)}


def write_sav(data: pd.DataFrame, codebook: Codebook, path: str | os.PathLike[str], *, compress: bool = True) -> Path:
    """Write a DataFrame with its codebook to SPSS ``.sav``, atomically.

    Categoricals are written as their codes with value labels; missing
    categories are declared SPSS user-missing so that any reader knows them.
    The header timestamp is pinned (see :func:`pin_sav_timestamp`).

    Parameters
    ----------
    data : pandas.DataFrame
        The columns to write (the index is not written).
    codebook : Codebook
        Variable labels, value labels, missing codes and measures of the columns.
    path : str or path-like
        The ``.sav`` file; written under a temporary name and renamed into place.
    compress : bool, default True
        Row-compress the file (SPSS "bytecode" compression).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    DataFileError
        The file cannot be written.

    Notes
    -----
    Equivalent to ``haven::write_sav`` in R.
    """
    import pandas as pd
    import pyreadstat

    path = Path(path)
    out: dict[str, Any] = {}
    value_labels: dict[str, dict[int | float, str]] = {}
    missing_ranges: dict[str, list[int | float | str | MissingRange]] = {}
    col_labels: list[str | None] = []
    measures: dict[str, str] = {}
    for name in data.columns:
        col = data[name]
        info = codebook.variables.get(name)
        col_labels.append((info.label if info else None) or "")
        if info is not None and info.measure in ("nominal", "ordinal", "scale"):
            measures[name] = info.measure
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes, labels = _codes_for(col, info)
            out[name] = codes
            value_labels[name] = labels
            miss = set(info.missing) if info else set()
            mcodes = [c for c, lab in labels.items() if lab in miss]
            if mcodes:
                span: MissingRange = {"lo": min(mcodes), "hi": max(mcodes)}
                missing_ranges[name] = list(mcodes[:3]) if len(mcodes) <= 3 else [span]
        else:
            out[name] = col
            if info is not None and info.kind == "numeric" and info.value_labels:
                value_labels[name] = dict(info.value_labels)
    frame = pd.DataFrame(out, index=data.index).reset_index(drop=True)
    tmp = _atomic_target(path)
    try:
        pyreadstat.write_sav(
            frame,
            str(tmp),
            column_labels=col_labels,
            variable_value_labels=value_labels,
            missing_ranges=missing_ranges,
            variable_measure=measures or None,
            file_label=codebook.file_label or "",
            row_compress=compress,
        )
        pin_sav_timestamp(tmp)
        os.replace(tmp, path)
    except DataFileError:
        tmp.unlink(missing_ok=True)
        raise
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        raise DataFileError(
            f"{path}: could not be written ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        ) from None
    return path


def write_parquet(data: pd.DataFrame, codebook: Codebook, path: str | os.PathLike[str]) -> Path:
    """Write a DataFrame and its codebook (as schema metadata) to Parquet, atomically.

    Parameters
    ----------
    data : pandas.DataFrame
        The columns to write (the index is not written).
    codebook : Codebook
        Stored as JSON in the schema metadata, so :func:`read_file` restores the labels.
    path : str or path-like
        The ``.parquet`` file; written under a temporary name and renamed into place.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    DataFileError
        The file cannot be written.

    Notes
    -----
    R's ``arrow::write_parquet`` writes the data; the codebook is pewlike's own metadata.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    table = pa.Table.from_pandas(data.reset_index(drop=True), preserve_index=False)
    stored = {
        "file_label": codebook.file_label,
        "variables": {
            n: {
                "label": i.label,
                "value_labels": {repr(float(k)): v for k, v in i.value_labels.items()},
                "missing": list(i.missing),
                "missing_codes": list(i.missing_codes),
                "kind": i.kind,
                "measure": i.measure,
                **({} if i.scale is None else {"scale": i.scale}),
                **({"wordings": [list(w) for w in i.wordings]} if i.wordings else {}),
            }
            for n, i in codebook.variables.items()
            if n in data.columns
        },
    }
    meta = dict(table.schema.metadata or {})
    meta[_META_KEY] = json.dumps(stored, sort_keys=True).encode("utf-8")
    table = table.replace_schema_metadata(meta)
    tmp = _atomic_target(path)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        raise DataFileError(f"{path}: could not be written ({exc})") from None
    return path


#: Two answers a labelled file codes affirmative first (1 = Yes, 2 = No), in lower case.
_PAIRS = (
    ("yes", "no"),
    ("selected", "not selected"),
    ("yes, selected", "no, not selected"),
    ("checked", "not checked"),
    ("true", "false"),
)


def text_pair_categories(answers: Sequence[object]) -> list[str] | None:
    """The categories of a text question answered Yes / No (or Selected / Not selected): that order, then missing.

    A CSV gives these answers as text, which sort "No" before "Yes"; a labelled ``.sav`` of the
    same survey codes Yes 1 and No 2.  The pair keeps the file's spelling; it is not a scale
    (no nets).

    Parameters
    ----------
    answers : sequence
        The distinct answers of a text column, in any order.

    Returns
    -------
    list of str or None
        The affirmative answer, the negative one, then the missing answers ("Refused",
        sorted); None for any other set of answers.

    Notes
    -----
    Both engines read a CSV's text answers with it, so they give the same categories.

    Examples
    --------
    >>> text_pair_categories(["No", "Refused", "Yes"])
    ['Yes', 'No', 'Refused']
    >>> text_pair_categories(["Not selected", "Selected"]), text_pair_categories(["No", "Maybe"])
    (['Selected', 'Not selected'], None)
    """
    from pewlike.io.codebook import answer_key, is_missing_label

    if not all(isinstance(a, str) for a in answers):
        return None
    texts = [str(a) for a in answers]
    missing = sorted(a for a in texts if is_missing_label(a))
    given = [a for a in texts if a not in missing]
    if len(given) != 2:
        return None
    by_key = {answer_key(a): a for a in given}
    for yes, no in _PAIRS:
        if set(by_key) == {yes, no}:
            return [by_key[yes], by_key[no], *missing]
    return None


def text_scale_categories(answers: Sequence[object]) -> list[str] | None:
    """The categories of a text question whose answers form a scale: scale order, then missing answers.

    Parameters
    ----------
    answers : sequence
        The distinct answers of a text column (a CSV's), in any order.

    Returns
    -------
    list of str or None
        :func:`~pewlike.io.scales.scale_order` of the substantive answers followed by the missing ones
        ("Refused", sorted); None when the answers are not all text, more than
        :data:`MAX_SCALE_ANSWERS`, or not a recognised scale.

    Notes
    -----
    Both engines read a CSV's text scales with it, so they give the same categories.

    Examples
    --------
    >>> from pewlike.io.files import text_scale_categories
    >>> text_scale_categories(["Agree", "Refused", "Strongly disagree", "Strongly agree", "Disagree"])
    ['Strongly agree', 'Agree', 'Disagree', 'Strongly disagree', 'Refused']
    >>> text_scale_categories(["Yes", "No", "Refused"]) is None
    True
    """
    from pewlike.io.codebook import is_missing_label
    from pewlike.io.scales import scale_order

    if len(answers) > MAX_SCALE_ANSWERS or not all(isinstance(a, str) for a in answers):
        return None
    texts = [str(a) for a in answers]
    missing = sorted(a for a in texts if is_missing_label(a))
    order = scale_order([a for a in texts if a not in missing])
    return None if order is None else order + missing
