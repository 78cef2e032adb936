"""Leaving the process without the interpreter's teardown after a command.

Once ``pewlike topline`` has printed its table, Python would still spend 70-100 ms taking
pandas, pyarrow and numpy apart module by module before the shell gets its prompt back: a
sixth of the command's wall time. The console entry point skips that teardown after a
command that reads data and prints, and after ``report`` once its build is over (its worker
processes ended, its staging folder swapped in), but only when nothing could still need an
orderly exit (no other thread, no child process, no pending clean-up of multiprocessing, no
Dask), and only once everything printed is flushed. ``rake`` and ``init`` always exit
normally, as does every command in any other case.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

__all__ = ["AFTER_WORKERS", "QUICK_COMMANDS", "leave", "may_leave_early", "workers_left"]

#: Commands that only read data and print to the terminal.
QUICK_COMMANDS = frozenset({"codebook", "crosstab", "mean", "model", "select-all", "topline"})
#: Commands that start worker processes: they may end early once every worker has ended.
AFTER_WORKERS = frozenset({"report"})
# Cluster clients, and the plotting state of a command that drew: their own clean-up at exit.
_CLUSTERS = ("dask", "distributed")
_NEEDS_TEARDOWN = (*_CLUSTERS, "matplotlib")


def may_leave_early(argv: Iterable[str], modules: Iterable[str], threads: int, *, workers_left: bool = True) -> bool:
    """Whether the process may end without the interpreter's teardown.

    Parameters
    ----------
    argv : iterable of str
        The command line after the program name.
    modules : iterable of str
        Names of the imported modules (``sys.modules``).
    threads : int
        Number of live threads (``threading.active_count()``; 1 is the main thread alone).
    workers_left : bool
        Whether a child process is alive or multiprocessing has clean-up left for the exit
        (:func:`workers_left`).  Having ``multiprocessing`` or ``concurrent.futures`` imported
        is not enough to need the teardown (pyreadstat imports multiprocessing for its
        parallel reader): what they would clean up is a live child, a registered clean-up
        or a thread, and those are what is checked.

    Returns
    -------
    bool
    """
    words = [a for a in argv if not a.startswith("-")]
    if not words or threads > 1 or workers_left:
        return False
    loaded = set(modules)
    if words[0] in AFTER_WORKERS:
        return not any(m in loaded for m in _CLUSTERS)
    return words[0] in QUICK_COMMANDS and not any(m in loaded for m in _NEEDS_TEARDOWN)


def workers_left() -> bool:
    """Whether a child process is alive or multiprocessing would still clean up at exit.

    Returns
    -------
    bool
        True also when this cannot be told (multiprocessing's finalizer registry, which
        holds the removal of its temporary folders, is not where it was).
    """
    if "multiprocessing" not in sys.modules:
        return False
    import multiprocessing
    from multiprocessing import util

    registry = getattr(util, "_finalizer_registry", None)
    if not isinstance(registry, dict):
        return True
    at_exit = [key for key in list(registry) if isinstance(key, tuple) and key and key[0] is not None]
    return bool(at_exit) or bool(multiprocessing.active_children())


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
    if not may_leave_early(sys.argv[1:], list(sys.modules), threads, workers_left=workers_left()):
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
