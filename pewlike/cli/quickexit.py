"""Leaving the process without the interpreter's teardown after a one-shot command.

Once ``pewlike topline`` has printed its table, Python would still spend 70-100 ms taking
pandas, pyarrow and numpy apart module by module before the shell gets its prompt back: a
sixth of the command's wall time. The console entry point skips that teardown, but only
after a command that reads data and prints (never ``report``, ``rake`` or ``init``, which
write files and may run worker processes), only when nothing could still need an orderly
exit (no other thread, no child process, no Dask), and only once everything printed is
flushed. In every other case the normal exit runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

__all__ = ["QUICK_COMMANDS", "leave", "may_leave_early"]

#: Commands that only read data and print to the terminal.
QUICK_COMMANDS = frozenset({"codebook", "crosstab", "mean", "model", "select-all", "topline"})
# Loaded by commands that start processes, threads or cluster clients with their own clean-up.
_NEEDS_TEARDOWN = ("multiprocessing", "concurrent.futures", "dask", "distributed", "matplotlib")


def may_leave_early(argv: Iterable[str], modules: Iterable[str], threads: int) -> bool:
    """Whether the process may end without the interpreter's teardown.

    Parameters
    ----------
    argv : iterable of str
        The command line after the program name.
    modules : iterable of str
        Names of the imported modules (``sys.modules``).
    threads : int
        Number of live threads (``threading.active_count()``; 1 is the main thread alone).

    Returns
    -------
    bool
    """
    words = [a for a in argv if not a.startswith("-")]
    if not words or words[0] not in QUICK_COMMANDS or threads > 1:
        return False
    loaded = set(modules)
    return not any(m in loaded for m in _NEEDS_TEARDOWN)


def leave(code: object) -> None:
    """End the process now with ``code`` if :func:`may_leave_early` allows it; else return.

    Parameters
    ----------
    code : object
        The ``SystemExit`` code click raised (an int or None; anything else returns).
    """
    if code is not None and not isinstance(code, int):
        return
    threads = 1
    if "threading" in sys.modules:
        import threading

        threads = threading.active_count()
    if not may_leave_early(sys.argv[1:], list(sys.modules), threads):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: let the normal exit report it as usual
        return
    if "logging" in sys.modules:
        import logging

        logging.shutdown()
    os._exit(code or 0)
