"""Figures drawn in worker processes that end with the build that started them.

:func:`figure_pool` forks the workers (they load the plotting modules and the
fonts while the build computes); :func:`draw` draws and saves one figure;
:class:`Pending` is a figure block whose image is being drawn.

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
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pewlike.errors import PewlikeError
from pewlike.report.html import FailureBlock, FigureBlock

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import ProcessPoolExecutor

__all__ = [
    "FIGURE_FORMATS",
    "Done",
    "FigureFuture",
    "FigureJob",
    "FigurePool",
    "Pending",
    "die_with_parent",
    "draw",
    "figure_pool",
    "job_count",
    "warm_up",
]

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


def job_count(jobs: int | None) -> int:
    """The number of figure workers: ``jobs``, checked, or up to 2 (one per CPU) when None.

    Parameters
    ----------
    jobs : int or None

    Returns
    -------
    int

    Raises
    ------
    PewlikeError
        ``jobs`` is not a whole number >= 1.
    """
    if jobs is None:
        return max(1, min(2, os.cpu_count() or 1))
    if not isinstance(jobs, int) or jobs < 1:
        raise PewlikeError(f"jobs={jobs!r} is not valid; give a number of processes >= 1")
    return jobs


def figure_pool(jobs: int) -> FigurePool | None:
    """A process pool (fork), its workers started now; None where fork is unavailable.

    The workers are forked at once, before any thread of the pool exists.  The first gets
    ready in parallel with the caller: it imports the plotting modules and loads the fonts
    (:func:`warm_up`), so the first figure is drawn by a worker that is ready.  The others
    wait, without taking a figure or any CPU, until :meth:`FigurePool.submit` finds a figure
    still being drawn: a rebuild that redraws one figure (the rest from the cache) then
    loads matplotlib once, not once per worker, and leaves the other core to the build.
    The workers end with this process, even when it is killed, and do not hold its stdout
    (:func:`die_with_parent`).

    Parameters
    ----------
    jobs : int
        Worker processes.

    Returns
    -------
    FigurePool or None
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    ctx = multiprocessing.get_context("fork")
    started, wake, closing = ctx.Value("i", 0), ctx.Event(), ctx.Event()
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=ctx,
        initializer=_start_worker,
        initargs=(os.getpid(), started, wake, closing),
    )
    try:
        pool.submit(int)  # a forking pool starts all its workers on the first task
    except OSError:  # no process can be forked now (limits, memory): the figures are drawn here
        pool.shutdown(wait=False, cancel_futures=True)
        return None
    return FigurePool(pool, wake, closing)


class FigurePool:
    """The figure workers of a build: :func:`draw` jobs submitted, the waiting workers woken when needed.

    Parameters
    ----------
    pool : concurrent.futures.ProcessPoolExecutor
        Forked by :func:`figure_pool`.
    wake, closing : multiprocessing.synchronize.Event
        Set to let the waiting workers go on (``closing`` as well: only to end).
    """

    def __init__(self, pool: ProcessPoolExecutor, wake: Any, closing: Any) -> None:
        self.pool, self.wake, self.closing = pool, wake, closing
        self.futures: list[Any] = []

    def submit(self, job: FigureJob) -> FigureFuture:
        """Queue one figure; wake the waiting workers when another is still being drawn.

        Parameters
        ----------
        job : FigureJob

        Returns
        -------
        concurrent.futures.Future
            Of the :func:`draw` call.
        """
        if not self.wake.is_set() and any(not f.done() for f in self.futures):
            self.wake.set()
        future = self.pool.submit(draw, job)
        self.futures.append(future)
        return future

    def shutdown(self) -> None:
        """Cancel what is queued, wait for what is being drawn, end every worker."""
        self.closing.set()
        self.wake.set()
        self.pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(parent: int, started: Any, wake: Any, closing: Any) -> None:
    """Pool initializer: :func:`die_with_parent`; the first worker warms up at once, the others when woken."""
    die_with_parent(parent)
    with started.get_lock():
        first = started.value == 0
        started.value += 1
    if not first:
        wake.wait()
        if closing.is_set():
            return
    warm_up()


def warm_up() -> None:
    """Import the plotting modules and load the fonts, as drawing the first figure would.

    An error here is left for the figures to meet: each one that fails is then reported in
    the report (an initializer that raised would break the whole pool).
    """
    try:
        from pewlike import plots  # noqa: F401
        from pewlike.plots.theme import figure_bytes, new_figure, style

        with style():
            figure_bytes(new_figure(1.0), "png")
    except Exception:
        return


#: A figure to draw: plots function, its arguments and keywords, file stem, formats, whether the PNG is wanted.
FigureJob = tuple[str, tuple[Any, ...], dict[str, Any], str, tuple[Literal["png", "svg"], ...], bool]
FIGURE_FORMATS: tuple[Literal["png", "svg"], ...] = ("png", "svg")


def draw(job: FigureJob) -> bytes:
    """Draw one figure, save its files, and return its PNG bytes (for the HTML page).

    Parameters
    ----------
    job : FigureJob
        ``pewlike.plots`` function name, its arguments and keywords, the file stem,
        the formats to save, whether PNG bytes are wanted without a PNG file.

    Returns
    -------
    bytes
        The PNG (empty when none is wanted).
    """
    from pewlike import plots
    from pewlike.plots.theme import figure_bytes, save_figure

    kind, args, kwargs, stem, fmts, want_png = job
    fig = getattr(plots, kind)(*args, **kwargs)
    if fmts:
        save_figure(fig, stem, fmts)
    if "png" in fmts:
        return Path(f"{stem}.png").read_bytes()
    return figure_bytes(fig, "png") if want_png else b""


class FigureFuture(Protocol):
    """What ``Pending`` waits on: a ``concurrent.futures.Future`` or a :class:`Done`."""

    def result(self) -> bytes:
        """The PNG bytes of the drawn figure (raises what drawing raised)."""
        ...


class Done:
    """A finished result (or error) with the ``Future.result()`` interface."""

    def __init__(self, value: bytes = b"", error: Exception | None = None) -> None:
        self.value, self.error = value, error

    def result(self) -> bytes:
        """The value, or the error raised."""
        if self.error is not None:
            raise self.error
        return self.value


class Pending:
    """A figure block whose image is being drawn."""

    def __init__(self, name: str, alt: str, path: str, links: tuple[tuple[str, str], ...]) -> None:
        self.name, self.alt, self.path, self.links = name, alt, path, links
        self.future: FigureFuture | None = None

    def result(self, failures: list[str]) -> FigureBlock | FailureBlock:
        """The figure's block; a figure that could not be drawn is reported in its place."""
        try:
            assert self.future is not None  # set by the writer as soon as the figure is queued
            return FigureBlock(self.name, self.alt, self.future.result(), self.path, self.links)
        except Exception as exc:
            msg = f"{type(exc).__name__}: {exc}"
            failures.append(f"figure {self.name}: {msg}")
            return FailureBlock(f"figure {self.name}", msg)
