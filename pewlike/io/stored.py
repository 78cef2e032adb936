"""The codebook pewlike stores in a Parquet file's metadata (key ``pewlike.codebook``), read defensively.

The metadata is JSON written by :func:`pewlike.io.files.write_parquet`.  A file from
elsewhere may carry anything under that key: text that is not JSON, JSON of another
shape, values of the wrong type, megabytes of it.  :func:`stored_codebook` checks every
part; anything it cannot use gives one :class:`~pewlike.errors.LabelWarning` and the data
are read without the stored labels (as a Parquet file without the key).
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Sequence
from typing import Any

from pewlike.errors import LabelWarning
from pewlike.io.codebook import VariableInfo

__all__ = ["MAX_CODEBOOK_BYTES", "stored_codebook"]

#: Largest stored codebook read, in bytes (the demo's is about 20 kB).
MAX_CODEBOOK_BYTES = 50_000_000

_KINDS = ("categorical", "numeric", "string", "date", "datetime", "time")


class _Malformed(Exception):
    """A reason the stored codebook cannot be used (turned into one warning)."""


def stored_codebook(
    raw: bytes | None, columns: Sequence[Any], source: object
) -> tuple[dict[str, VariableInfo], str | None] | None:
    """The variables and file label stored under ``pewlike.codebook``, or None.

    Parameters
    ----------
    raw : bytes or None
        The metadata value (None or empty: the file has no stored codebook).
    columns : sequence
        The columns read; stored variables not among them are skipped.
    source : object
        The file, named in the warning.

    Returns
    -------
    (dict of str to VariableInfo, str or None) or None
        None when there is no stored codebook or it is malformed (then a
        :class:`~pewlike.errors.LabelWarning` says why).

    Notes
    -----
    No R equivalent: ``arrow::read_parquet`` keeps R attributes in its own metadata key.
    """
    if not raw:
        return None
    try:
        return _parse(raw, set(columns))
    except _Malformed as exc:
        warnings.warn(
            f"{source}: its pewlike.codebook metadata is malformed ({exc}); reading the data without its stored labels",
            LabelWarning,
            stacklevel=3,
        )
        return None


def _parse(raw: bytes, columns: set[Any]) -> tuple[dict[str, VariableInfo], str | None]:
    if len(raw) > MAX_CODEBOOK_BYTES:
        raise _Malformed(f"{len(raw):,} bytes, more than {MAX_CODEBOOK_BYTES:,}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Malformed(f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    try:
        stored = json.loads(text)
    except RecursionError:
        raise _Malformed("JSON nested too deeply") from None
    except ValueError as exc:
        raise _Malformed(f"not JSON: {str(exc).splitlines()[0]}") from None
    if not isinstance(stored, dict):
        raise _Malformed(f"JSON {_json_type(stored)}, not an object")
    variables = stored.get("variables")
    if not isinstance(variables, dict):
        raise _Malformed("no 'variables' object")
    file_label = stored.get("file_label")
    if file_label is not None and not isinstance(file_label, str):
        raise _Malformed(f"'file_label' is {_json_type(file_label)}, not text")
    infos = {name: _variable(name, d) for name, d in variables.items() if name in columns}
    return infos, file_label


def _variable(name: str, d: Any) -> VariableInfo:
    if not isinstance(d, dict):
        raise _Malformed(f"variable {name!r} is {_json_type(d)}, not an object")
    label = _optional_text(d.get("label"), name, "label")
    measure = _optional_text(d.get("measure"), name, "measure")
    kind = d.get("kind", "numeric")
    if kind not in _KINDS:
        raise _Malformed(f"variable {name!r} has kind {str(kind)[:40]!r}; expected one of {', '.join(_KINDS)}")
    labels = d.get("value_labels", {})
    if not isinstance(labels, dict):
        raise _Malformed(f"'value_labels' of {name!r} is {_json_type(labels)}, not an object")
    value_labels: dict[float, str] = {}
    for code, text in labels.items():
        try:
            number = float(code)
        except ValueError:
            raise _Malformed(f"value label code {code[:40]!r} of {name!r} is not a number") from None
        if not math.isfinite(number) or not isinstance(text, str):
            raise _Malformed(f"value label {code[:40]!r} of {name!r} is not a finite code with text")
        value_labels[number] = text
    missing = d.get("missing", [])
    if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
        raise _Malformed(f"'missing' of {name!r} is not a list of labels")
    codes = d.get("missing_codes", [])
    if not isinstance(codes, list) or not all(
        isinstance(c, (int, float, str)) and not isinstance(c, bool) for c in codes
    ):
        raise _Malformed(f"'missing_codes' of {name!r} is not a list of codes")
    scale = d.get("scale")
    if scale is not None and not isinstance(scale, bool):
        raise _Malformed(f"'scale' of {name!r} is {_json_type(scale)}, not true/false")
    wordings = d.get("wordings", [])
    if not isinstance(wordings, list) or not all(
        isinstance(w, list) and len(w) == 2 and all(isinstance(t, str) for t in w) for w in wordings
    ):
        raise _Malformed(f"'wordings' of {name!r} is not a list of [wave, wording] pairs")
    return VariableInfo(
        name,
        label,
        value_labels,
        tuple(missing),
        tuple(codes),
        kind,
        measure,
        scale=scale,
        wordings=tuple((w[0], w[1]) for w in wordings),
    )


def _optional_text(value: Any, name: str, key: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise _Malformed(f"{key!r} of {name!r} is {_json_type(value)}, not text")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "text" if isinstance(value, str) else "null"
