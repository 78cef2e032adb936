"""Figure workers that end with the build that started them.

Forked pool workers inherit the pipes of the queue that feeds them, so they
never see it close: when the build is killed (``kill -9``) they would wait
forever, each holding its memory and the caller's stdout.  :func:`die_with_parent`
runs first in every worker: it points the worker's stdin, stdout and stderr at
``os.devnull`` and arranges for the worker to end when its parent does (Linux:
``prctl(PR_SET_PDEATHSIG, SIGTERM)``; elsewhere a thread that watches
``os.getppid()``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time

__all__ = ["die_with_parent"]

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, *, poll: float = 0.5) -> None:
    """Pool initializer: detach from the caller's terminal and end when process ``parent`` ends.

    Parameters
    ----------
    parent : int
        The PID of the build process (``os.getpid()`` before the pool forks).
    poll : float
        Seconds between checks of the parent, where the kernel cannot be asked.
    """
    _quiet_stdio()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a handler inherited from the caller must not keep it alive
    if not _parent_death_signal():
        threading.Thread(target=_watch, args=(parent, poll), name="pewlike-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _quiet_stdio() -> None:
    """Point file descriptors 0, 1 and 2 at the null device (a worker has nothing to print)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, OSError, ValueError):
            stream.flush()
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in (0, 1, 2):
            with contextlib.suppress(OSError):
                os.dup2(null, fd)
    finally:
        os.close(null)


def _parent_death_signal() -> bool:
    """Ask Linux to send SIGTERM to this process when its parent dies; False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0)
    except (AttributeError, OSError):
        return False


def _watch(parent: int, poll: float) -> None:
    while os.getppid() == parent:
        time.sleep(poll)
    os._exit(1)
