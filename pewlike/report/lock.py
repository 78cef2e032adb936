"""The lock of a report folder: builds to one folder replace it one after the other.

The lock is the file ``.NAME.lock`` beside the folder ``NAME``.  With ``fcntl``
(POSIX) it is an ``flock`` the kernel releases when its process dies, however it
dies; elsewhere the file is created exclusively and holds its owner's PID, and
a lock whose process is gone is taken over.  The file is removed on release.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from pewlike.errors import PewlikeError

__all__ = ["alive", "locked"]


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (this process counts; a process of another user counts).

    Parameters
    ----------
    pid : int

    Returns
    -------
    bool
    """
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


@contextlib.contextmanager
def locked(target: Path, *, timeout: float = 120.0) -> Iterator[None]:
    """Hold the lock of report folder ``target`` (the file ``.NAME.lock`` beside it).

    Parameters
    ----------
    target : pathlib.Path
        The absolute report folder.
    timeout : float
        Seconds to wait for another build holding the lock.

    Yields
    ------
    None

    Raises
    ------
    PewlikeError
        Another build held the lock for longer than ``timeout``.

    Notes
    -----
    With ``fcntl`` (POSIX) the lock is released by the kernel when its process
    dies; elsewhere the lock file holds the PID and a lock whose process is gone
    is taken over.  The lock file is removed on release.
    """
    path = target.parent / f".{target.name}.lock"
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        with _pid_lock(path, target, timeout):
            yield
        return
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise PewlikeError(
                f"cannot write the report to {str(target)!r}: {exc.strerror or exc}; choose a writable --out folder"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() > deadline:
                _busy(path, target)
            time.sleep(0.05)
            continue
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the file was removed by the build that released it; lock the new one
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _busy(path: Path, target: Path) -> None:
    try:
        who = f"PID {int(path.read_text().strip())}"
    except (OSError, ValueError):
        who = "another process"
    raise PewlikeError(
        f"another pewlike report ({who}) is writing {str(target)!r}; wait for it to finish or choose another --out"
    )


@contextlib.contextmanager
def _pid_lock(path: Path, target: Path, timeout: float) -> Iterator[None]:
    """The lock without ``fcntl``: a file created exclusively, holding its owner's PID."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            break
        except FileExistsError:
            try:
                pid = int(path.read_text().strip() or "0")
            except (OSError, ValueError):
                pid = 0
            if pid and not alive(pid):
                with contextlib.suppress(OSError):
                    os.unlink(path)  # stale: its build was killed
                continue
            if time.monotonic() > deadline:
                _busy(path, target)
            time.sleep(0.05)
    try:
        os.write(fd, f"{os.getpid()}\n".encode())
        os.close(fd)
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
