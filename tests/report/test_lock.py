"""The lock of a report folder: it waits, names its holder, dies with it; concurrent builds take turns."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from pewlike.errors import PewlikeError
from pewlike.report import lock
from pewlike.report import spec as specmod
from pewlike.report.build import MANIFEST, build

TINY = """
title = "{title}"
[data]
file = "pewlike:demo"
synthetic = true
[output]
formats = ["html", "md", "csv"]
[[topline]]
var = "SECUR1"
"""


def _spec(title: str = "Old"):
    return specmod.loads(TINY.format(title=title))


_HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pewlike.report.lock import locked
    with locked(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(60)
    """
)


def test_the_lock_waits_names_its_holder_and_dies_with_it(tmp_path):
    target = tmp_path / "rep"
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        t0 = time.monotonic()
        with pytest.raises(PewlikeError) as err, lock.locked(target, timeout=0.3):
            pass
        assert time.monotonic() - t0 >= 0.3
        assert str(err.value) == (
            f"another pewlike report (PID {holder.pid}) is writing {str(target)!r}; "
            "wait for it to finish or choose another --out"
        )
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        with lock.locked(target, timeout=5):  # the kernel released the killed holder's lock
            assert (tmp_path / ".rep.lock").read_text() == f"{os.getpid()}\n"
        assert list(tmp_path.iterdir()) == []  # the lock file goes with the lock
    finally:
        holder.kill()
        holder.wait()


def test_the_pid_lock_takes_over_a_dead_owner_and_waits_for_a_live_one(tmp_path):
    target = tmp_path / "rep"
    path = tmp_path / ".rep.lock"
    path.write_text("999999999\n")
    with lock._pid_lock(path, target, timeout=1):
        assert path.read_text() == f"{os.getpid()}\n"
    assert not path.exists()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        path.write_text(f"{live.pid}\n")
        busy = rf"another pewlike report \(PID {live.pid}\) is writing"
        with pytest.raises(PewlikeError, match=busy), lock._pid_lock(path, target, timeout=0.2):
            pass
        assert path.read_text() == f"{live.pid}\n"
    finally:
        live.kill()
        live.wait()


_BUILDER = "import sys; from pewlike.report.build import build; from pewlike.report.spec import loads; " + (
    "build(loads(sys.stdin.read()), out=sys.argv[1], jobs=1)"
)


def test_two_builds_at_once_take_turns(tmp_path):
    out = tmp_path / "rep"
    build(_spec("Old"), out=out, jobs=1)
    (out / "notes.txt").write_text("mine")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _BUILDER, str(out)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for p in procs:
        assert p.stdin is not None
        p.stdin.write(TINY.format(title="New"))
        p.stdin.close()
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read() if p.stderr else ""
    assert "<title>New" in (out / "index.html").read_text() and (out / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]
    listed = set(json.loads((out / MANIFEST).read_text())["files"])
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk - listed == {".pewlike-report", MANIFEST, "notes.txt"}
