"""Figure workers end with the build that started them and never hold the caller's stdout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to see zombies")

SPEC = """
[data]
file = "pewlike:demo"
synthetic = true
[output]
formats = ["html", "png"]
[[topline]]
var = "SECUR1"
chart = true
[[topline]]
var = "CONCERNCO"
chart = true
"""

_PARENT = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from pewlike.report import build as b, workers
    from pewlike.report.spec import loads

    pids, out, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    if mode == "watch":  # no prctl: the thread watching the parent must do it
        workers._parent_death_signal = lambda: False

    def slow_draw(job):
        (pids / str(os.getpid())).write_text("")
        print("worker writing to stdout", flush=True)
        time.sleep(120)
        return b""

    b.draw = workers.draw = slow_draw  # in this process and in the forked workers
    b.build(loads(Path(sys.argv[4]).read_text()), out=out, jobs=2)
    """
)


def _gone(pid: int) -> bool:
    """Ended (a zombie counts: it holds no memory and no file)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return "\nState:\tZ" in status


def _start(tmp_path: Path, mode: str) -> tuple[subprocess.Popen[str], list[int]]:
    pids = tmp_path / "pids"
    pids.mkdir()
    (tmp_path / "r.toml").write_text(SPEC)
    proc = subprocess.Popen(
        [sys.executable, "-c", _PARENT, str(pids), str(tmp_path / "rep"), mode, str(tmp_path / "r.toml")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while len(list(pids.iterdir())) < 2:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "the figure workers did not start"
        time.sleep(0.05)
    workers = sorted(int(p.name) for p in pids.iterdir())
    assert all(not _gone(pid) for pid in workers)
    return proc, workers


@pytest.mark.parametrize(
    "sig, mode",
    [(signal.SIGKILL, "prctl"), (signal.SIGTERM, "prctl"), (signal.SIGKILL, "watch")],
    ids=["kill-9", "sigterm", "kill-9-without-prctl"],
)
def test_workers_end_with_their_parent(tmp_path, sig, mode):
    proc, workers = _start(tmp_path, mode)
    try:
        proc.send_signal(sig)
        t0 = time.monotonic()
        out, _ = proc.communicate(timeout=10)  # EOF on stdout and stderr: no worker holds them
        assert proc.returncode == -sig
        assert "worker writing to stdout" not in out
        while not all(_gone(pid) for pid in workers):
            assert time.monotonic() - t0 < 5, f"figure workers {workers} outlived their parent"
            time.sleep(0.05)
    finally:
        for pid in (proc.pid, *workers):
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)
