"""Schedulers for partitioned surveys: connecting to one (with a timeout), computing with progress.

``scheduler=None`` uses the active ``distributed.Client`` if there is one, else Dask's local
threads; an address connects to that scheduler (failing fast, naming the address, when it
cannot be reached); a Client is used as given.  Progress bars go to stderr.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Any

from pewlike.errors import PewlikeError

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

__all__ = ["ClusterError", "compute", "connect"]


class ClusterError(PewlikeError, ConnectionError):
    """A Dask scheduler cannot be reached, or the cluster failed while computing."""


def connect(scheduler: str | Client | None, *, timeout: float = 10.0) -> Client | None:
    """A ``distributed.Client`` for ``scheduler``: an address, a Client, or None (the active one, if any).

    Parameters
    ----------
    scheduler : str, distributed.Client or None
        A scheduler address (``"tcp://host:8786"``), a Client (used as given), or None.
    timeout : float
        Seconds to wait for the scheduler at an address.

    Returns
    -------
    distributed.Client or None
        None when ``scheduler`` is None and no Client is active (Dask's local threads).

    Raises
    ------
    ClusterError
        The address cannot be reached within ``timeout`` seconds.
    """
    if scheduler is None:
        try:
            from distributed import get_client

            return get_client()
        except (ImportError, ValueError):
            return None
    if not isinstance(scheduler, str):
        if hasattr(scheduler, "scheduler_info") and hasattr(scheduler, "compute"):  # a Client, used as given
            return scheduler
        raise ClusterError(
            f"scheduler={scheduler!r} is not valid; give an address such as 'tcp://host:8786' or a distributed.Client"
        )
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover
        raise PewlikeError("a scheduler address needs the optional extra: pip install 'pewlike[dask]'") from None
    try:
        return Client(scheduler, timeout=f"{float(timeout)}s", set_as_default=False)
    except Exception as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ClusterError(
            f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s ({msg}); check "
            "the address and that the scheduler is running, or pass scheduler=None to compute "
            "on this machine"
        ) from None


def compute(client: Client | None, progress: bool, task: Any) -> Any:
    """Compute one Dask object on ``client`` (or the local scheduler), with a progress bar on stderr.

    Parameters
    ----------
    client : distributed.Client or None
        Where to compute (None: Dask's local scheduler).
    progress : bool
        Show a progress bar on stderr.
    task : dask collection or Delayed
        What to compute.

    Returns
    -------
    object
        The computed value (whatever ``task`` computes to).

    Raises
    ------
    ClusterError
        The cluster failed (a worker died, the connection was lost).
    """
    import dask

    try:
        if client is not None:
            fut = client.compute(task)
            if progress:
                from distributed import progress as show

                with contextlib.redirect_stdout(sys.stderr):
                    show(fut)
            return fut.result()
        if progress:
            from dask.diagnostics import ProgressBar

            with ProgressBar(minimum=1.0, out=sys.stderr):
                return dask.compute(task)[0]
        return dask.compute(task)[0]
    except PewlikeError:
        raise
    except Exception as exc:
        if type(exc).__name__ != "KilledWorker" and not isinstance(exc, (OSError, TimeoutError)):
            raise
        if type(exc).__name__ == "KilledWorker":
            raise ClusterError(
                "a Dask worker died while computing (often: a partition too large for the worker's "
                "memory limit); use smaller partitions (chunk_rows=) or more memory per worker"
            ) from None
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ClusterError(f"the Dask computation failed ({msg}); check the cluster and the workers' logs") from None
