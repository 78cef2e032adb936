"""Checks on input paths before anything reads them: regular files only, bounded text.

A FIFO, a terminal or a device (``/dev/zero``) is not a data file: reading one blocks or
never ends, and its size says nothing (``0 bytes``).  pewlike refuses them by name.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pewlike.errors import PewlikeError

__all__ = ["MAX_TEXT_BYTES", "not_regular", "read_small_text"]

#: Largest text file (a report spec, raking targets) read whole, in bytes.
MAX_TEXT_BYTES = 10_000_000

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def not_regular(path: str | os.PathLike[str]) -> str | None:
    """What ``path`` is when it is not a regular file (``"a FIFO (named pipe)"`` ...), else None.

    Parameters
    ----------
    path : str or path-like
        An existing path (symbolic links are followed).

    Returns
    -------
    str or None
        None for a regular file (or a path that does not exist: the caller reports that).
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a file")


def read_small_text(
    path: str | os.PathLike[str], *, what: str, error: type[PewlikeError], limit: int = MAX_TEXT_BYTES
) -> str:
    """Read a UTF-8 text file that must be a regular file of at most ``limit`` bytes.

    Parameters
    ----------
    path : str or path-like
        The file.
    what : str
        Its role in messages (``"spec file"``, ``"targets file"``).
    error : type of PewlikeError
        The exception raised for every problem (e.g. :class:`~pewlike.errors.SpecError`).
    limit : int
        Largest size accepted, in bytes.

    Returns
    -------
    str

    Raises
    ------
    PewlikeError
        Of type ``error``: missing, not a regular file, larger than ``limit``, unreadable
        or not UTF-8.
    """
    p = Path(path)
    kind = not_regular(p)
    if kind is not None:
        raise error(f"{what} {str(p)!r} is not a regular file ({kind}); save the text to a file and pass that")
    try:
        with open(p, "rb") as fh:
            raw = fh.read(limit + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise error(f"cannot read {what} {str(p)!r}: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise error(f"{what} {str(p)!r} is larger than {limit:,} bytes; is it the right file?")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"{what} {str(p)!r} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"
        ) from None
