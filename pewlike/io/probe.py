"""Reading an untrusted file's header in a child process, so a reader crash is an error.

pyreadstat (the C library ReadStat underneath) can crash the whole Python process on a
corrupt ``.sav``/``.por``/``.dta`` file: a segmentation fault, not an exception.  A fuzzer
finds such files easily (a few bytes changed in the header).  :func:`probe_file` reads the
file's metadata in a separate, short-lived Python process first: if that process dies
from a signal, or does not finish, the file is refused with a one-line
:class:`~pewlike.errors.DataFileError` and the caller lives on.

The probe costs one small Python process (about 0.1-0.4 s: pyreadstat's import, no pandas);
the metadata read is the part of a read that parses the header, where the crashes found so far
happen.  A file whose header reads cleanly can still be corrupt further on; the full read then
reports it (or, rarely, crashes in the data section: probing is a guard, not a proof).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from pewlike.errors import DataFileError
from pewlike.io.paths import not_regular

__all__ = ["PROBED", "PROBE_TIMEOUT", "probe_file"]

#: Extensions read by pyreadstat, which :func:`probe_file` checks (others need no probe).
PROBED: dict[str, tuple[str, str]] = {
    ".sav": ("read_sav", "an SPSS file"),
    ".zsav": ("read_sav", "an SPSS file"),
    ".por": ("read_por", "an SPSS portable file"),
    ".dta": ("read_dta", "a Stata file"),
    ".sas7bdat": ("read_sas7bdat", "a SAS file"),
    ".xpt": ("read_xport", "a SAS transport file"),
}

#: Seconds the child may take to read the header before the file is refused.
PROBE_TIMEOUT = 60.0

# The child imports pyreadstat only (output_format="dict" keeps pandas out of it).
_CHILD = (
    "import sys, pyreadstat; getattr(pyreadstat, sys.argv[2])(sys.argv[1], metadataonly=True, output_format='dict')"
)


def _probe_command(path: str, reader: str) -> list[str]:
    """The child's command line (a function, so that tests can put a crashing child here)."""
    return [sys.executable, "-c", _CHILD, path, reader]


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def probe_file(path: str | os.PathLike[str], *, timeout: float = PROBE_TIMEOUT) -> None:
    """Read the metadata of an SPSS/Stata/SAS file in a child process; refuse it if the reader crashes.

    Parameters
    ----------
    path : str or path-like
        The file; other extensions (CSV, Parquet) return at once, as they are read by
        memory-safe readers.
    timeout : float
        Seconds the header read may take.

    Raises
    ------
    DataFileError
        The reader crashed (``the reader crashed on FILE (signal 11): ...``) or did not finish
        within ``timeout`` seconds.  A file the reader refuses with an ordinary error passes:
        the read that follows reports that error as usual.

    Notes
    -----
    No R equivalent: ``haven`` runs ReadStat in the R process, so a crash ends the R session.
    The CLI probes every SPSS/Stata/SAS file it is given; ``pw.read(path, probe=True)`` does
    the same in Python.

    Examples
    --------
    >>> probe_file("ATP W49.sav")  # doctest: +SKIP
    """
    p = Path(path)
    entry = PROBED.get(p.suffix.lower())
    if entry is None:
        return
    reader, kind = entry
    if not p.is_file() or not_regular(p) is not None:
        return  # missing, a FIFO or a device: the read refuses it by name (a FIFO would block the child)
    try:
        done = subprocess.run(
            _probe_command(str(p), reader),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DataFileError(
            f"{p}: the reader did not finish reading the file's header within {timeout:g} s; "
            f"the file is corrupt or not {kind}"
        ) from None
    except OSError as exc:  # no child process could be started: read without the guard
        import warnings

        from pewlike.errors import PewlikeWarning

        warnings.warn(
            f"could not start the reader probe ({exc.strerror or exc}); reading {p} without it",
            PewlikeWarning,
            stacklevel=2,
        )
        return
    if done.returncode < 0:
        number = -done.returncode
        raise DataFileError(
            f"the reader crashed on {p} ({_signal_name(number)}, signal {number}): the file is corrupt or not {kind}"
        )
