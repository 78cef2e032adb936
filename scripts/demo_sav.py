"""Deterministic, atomic SPSS .sav writing for the demo data (to move into ``pewlike/io.py``).

``pyreadstat``/ReadStat stamp the wall-clock date and time into the .sav header, so two runs
of the same generator give different bytes.  :func:`pin_sav_timestamp` replaces that stamp
with a fixed one; :func:`write_sav_pinned` writes to a temporary file in the target folder,
pins the stamp and renames the result into place.
"""

from __future__ import annotations

import calendar
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

DEFAULT_STAMP = calendar.timegm((2019, 6, 17, 0, 0, 0))
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def pin_sav_timestamp(path: str | os.PathLike[str], epoch: int | None = None) -> None:
    """Overwrite the creation date and time in a .sav/.zsav header with a fixed stamp.

    The SPSS system-file header is: 4-byte magic (``$FL2``/``$FL3``), 60-byte product name,
    four int32 (layout code, nominal case size, compression, weight index), int32 case
    count, float64 compression bias, then the creation date (9 ASCII bytes ``dd Mon yy``) at
    byte offset 92 and time (8 bytes ``hh:mm:ss``) at offset 101, then the 64-byte file label.
    Writers put the wall-clock time there, which makes otherwise identical files differ.

    Parameters
    ----------
    path
        A .sav or .zsav file, rewritten in place (only those 17 bytes change).
    epoch
        Seconds since 1970-01-01 UTC.  Default: ``SOURCE_DATE_EPOCH`` if set, else
        17 Jun 2019 00:00:00 UTC.

    Notes
    -----
    R's ``haven::write_sav`` has the same issue (ReadStat writes ``time(NULL)``); there is
    no R equivalent of this fix.  Month names are written in English, independent of locale.
    """
    if epoch is None:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_STAMP))
    t = time.gmtime(epoch)
    stamp = (
        f"{t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year % 100:02d}{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
    ).encode("ascii")
    with open(path, "r+b") as fh:
        if fh.read(4) not in (b"$FL2", b"$FL3"):
            raise ValueError(f"{os.fspath(path)!r} is not an SPSS system file; pass a .sav or .zsav path")
        fh.seek(92)
        fh.write(stamp)


def write_sav_pinned(
    data: dict[str, np.ndarray],
    out_path: str | os.PathLike[str],
    *,
    file_label: str,
    note: str,
    column_labels: dict[str, str],
    value_labels: dict[str, dict[float, str]],
    measure: dict[str, str],
    formats: dict[str, str],
) -> Path:
    """Write columns to an uncompressed-bytecode (row-compressed) .sav, byte-reproducibly.

    Parameters
    ----------
    data
        Column name -> numeric array (NaN is written as system-missing).
    out_path
        Destination; its folder is created if needed.  Never left half-written.
    file_label
        At most 64 bytes (the SPSS header field); longer text raises ``ValueError``.
    note
        One document line (at most 80 bytes), e.g. a provenance statement.
    column_labels, value_labels, measure, formats
        Passed to :func:`pyreadstat.write_sav`.  No user-missing values are declared.

    Returns
    -------
    Path
        The written file.

    Notes
    -----
    Like R ``haven::write_sav(compress = "byte")`` (both use ReadStat); the header stamp
    comes from :func:`pin_sav_timestamp`.
    """
    import pandas as pd
    import pyreadstat

    if len(file_label.encode("utf-8")) > 64:
        raise ValueError(f"file label {file_label!r} exceeds 64 bytes; shorten it and put the full text in the note")
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".sav.tmp", dir=out.parent)
    os.close(fd)
    try:
        pyreadstat.write_sav(
            pd.DataFrame(data),
            tmp,
            file_label=file_label,
            note=[note],
            column_labels=column_labels,
            variable_value_labels=value_labels,
            variable_measure=measure,
            variable_format=formats,
            row_compress=True,
        )
        pin_sav_timestamp(tmp)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a data file should be readable
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def write_wave_pinned(
    data: dict[str, np.ndarray],
    out_path: str | os.PathLike[str],
    *,
    fixed: dict[str, tuple[str, dict[float, str], str]],
    labels_of: Callable[[str], tuple[str, dict[float, str]]],
    nominal: set[str],
    weight: str,
    file_label: str,
    note: str,
) -> Path:
    """Write a demo wave: fixed columns as given, every other one labelled by ``labels_of``.

    Parameters
    ----------
    data
        Column name -> numeric array.
    out_path
        Destination (see :func:`write_sav_pinned`).
    fixed
        Column -> (label, value labels, measure) for the ID, weight and design columns.
    labels_of
        Column -> (wording, value labels) for the questions and demographics.
    nominal
        Labelled columns measured as nominal (the others are ordinal).
    weight
        The weight column (format F10.6; ``QKEY`` gets F6.0, the rest F2.0).
    file_label, note
        As :func:`write_sav_pinned`.

    Returns
    -------
    Path
        The written file.
    """
    col_labels = {name: spec[0] for name, spec in fixed.items()}
    value_labels = {name: spec[1] for name, spec in fixed.items() if spec[1]}
    measure = {name: spec[2] for name, spec in fixed.items()}
    for name in data:
        if name not in measure:
            col_labels[name], value_labels[name] = labels_of(name)
            measure[name] = "nominal" if name in nominal else "ordinal"
    formats = dict.fromkeys(data, "F2.0")
    formats.update({"QKEY": "F6.0", weight: "F10.6"})
    return write_sav_pinned(
        data,
        out_path,
        file_label=file_label,
        note=note,
        column_labels=col_labels,
        value_labels=value_labels,
        measure=measure,
        formats=formats,
    )
