"""The figure workers start with the build and get ready on their own; failures and errors end them (issue #15).

No timing here: what is checked is that the workers are forked with the build's writer and
load the plotting modules themselves (the build process does not), that a figure failing in a
worker is reported and the rest builds, that a build failing after the workers started leaves
no worker behind, and that one or two workers give the same bytes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pewlike.errors import SpecError
from pewlike.report import spec as specmod
from pewlike.report.build import build

pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="workers need fork")

SPEC = """
title = "Workers"
[data]
file = "pewlike:demo"
synthetic = true
[defaults]
by = ["F_SEX"]
[[section]]
id = "a"
title = "A"
[[topline]]
var = "CONCERNCO"
section = "a"
chart = true
[[crosstab]]
var = "CONCERNGOV"
section = "a"
[[crosstab]]
var = "POSNEGCO"
section = "a"
chart = "dots"
level = "The potential risks outweigh the benefits"
"""


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_workers_load_the_plotting_modules_themselves():
    code = textwrap.dedent(
        """
        import sys
        from pewlike.report.workers import figure_pool

        def ready():
            from matplotlib import font_manager
            return "pewlike.plots" in sys.modules and "matplotlib.figure" in sys.modules

        pool = figure_pool(2)
        before = "pewlike.plots" in sys.modules or "matplotlib" in sys.modules
        print(before, pool.pool.submit(ready).result(), len(pool.pool._processes))
        pool.shutdown()
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["False", "True", "2"]


def test_one_or_two_workers_give_the_same_bytes(tmp_path):
    one, two, again = tmp_path / "one", tmp_path / "two", tmp_path / "again"
    build(specmod.loads(SPEC), out=one, jobs=1, cache=False)
    build(specmod.loads(SPEC), out=two, jobs=2, cache=False)
    build(specmod.loads(SPEC), out=again, jobs=2, cache=False)
    files = _digest(one)
    assert sum(1 for f in files if f.startswith("figures/")) == 6
    assert files == _digest(two) == _digest(again)
    assert not multiprocessing.active_children()


def test_a_figure_failing_in_a_worker_is_reported_and_the_rest_builds(tmp_path, monkeypatch):
    from pewlike import plots

    def broken(*args, **kwargs):
        raise ValueError("no ink left")

    monkeypatch.setattr(plots, "dot_plot", broken)  # inherited by the workers, forked by the build
    res = build(specmod.loads(SPEC), out=tmp_path / "out", jobs=2, cache=False)
    assert res.failures == ("figure crosstab_POSNEGCO: ValueError: no ink left",)
    assert "figures/crosstab_POSNEGCO.png" not in res.files
    assert {"figures/topline_CONCERNCO.png", "figures/topline_CONCERNCO.svg"} <= set(res.files)
    assert "no ink left" in (tmp_path / "out" / "index.html").read_text()
    assert not multiprocessing.active_children()


def test_a_build_failing_after_the_workers_started_leaves_none(tmp_path):
    bad = SPEC.replace("The potential risks outweigh the benefits", "Not an answer")
    with pytest.raises(SpecError, match="Not an answer"):
        build(specmod.loads(bad), out=tmp_path / "out", jobs=2, cache=False)
    assert not multiprocessing.active_children()
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name != "out"]  # no staging folder left


def test_a_worker_that_cannot_warm_up_still_draws(tmp_path, monkeypatch):
    from pewlike.plots import theme

    def no_bytes(*args, **kwargs):
        raise RuntimeError("no fonts yet")

    monkeypatch.setattr(theme, "figure_bytes", no_bytes)  # the warm-up's call; saving does not use it
    res = build(specmod.loads(SPEC), out=tmp_path / "warm", jobs=2, cache=False)
    assert res.failures == ()
    build(specmod.loads(SPEC), out=tmp_path / "one", jobs=1, cache=False)
    assert _digest(tmp_path / "warm") == _digest(tmp_path / "one")


def test_no_process_to_fork_draws_in_the_build_process(tmp_path, monkeypatch):
    from concurrent.futures import ProcessPoolExecutor

    from pewlike.report.workers import figure_pool

    def cannot_fork(self, *args, **kwargs):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(ProcessPoolExecutor, "submit", cannot_fork)
    assert figure_pool(2) is None
    res = build(specmod.loads(SPEC), out=tmp_path / "here", jobs=2, cache=False)
    assert res.failures == ()
    assert sum(1 for f in res.files if f.startswith("figures/")) == 6
    assert not multiprocessing.active_children()


_SLEEPER = """
import os, sys, time
from pathlib import Path
from pewlike.report.workers import figure_pool

def loaded(pid):  # matplotlib's font library in the process's memory map
    return "ft2font" in Path(f"/proc/{pid}/maps").read_text()

def wait_for(cond):
    deadline = time.monotonic() + 60
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.05)

pool = figure_pool(2)
pids = list(pool.pool._processes)
first = pool.pool.submit(os.getpid).result()  # the warm worker takes the tasks
wait_for(lambda: loaded(first))
before = [loaded(p) for p in pids].count(True)
takers = {pool.pool.submit(os.getpid).result() for _ in range(20)}
pool.wake.set()  # as submit does when a figure is still being drawn
wait_for(lambda: all(map(loaded, pids)))
print(len(pids), "matplotlib" in sys.modules, before, takers == {first}, sum(map(loaded, pids)))
pool.shutdown()
"""


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc/<pid>/maps")
def test_the_second_worker_sleeps_until_a_figure_waits_for_a_worker():
    """One figure to draw (a rebuild with the rest cached): one worker loads matplotlib, not two."""
    out = subprocess.run([sys.executable, "-c", _SLEEPER], capture_output=True, text=True, timeout=180, check=True)
    # two workers; the build process never loads matplotlib; one loaded it before the wake-up,
    # every task went to it, and both have it after the wake-up
    assert out.stdout.split() == ["2", "False", "1", "True", "2"]


def test_a_sleeping_worker_ends_with_the_pool_without_loading_anything():
    from pewlike.report.workers import figure_pool

    pool = figure_pool(3)
    assert pool is not None
    pids = list(pool.pool._processes)
    pool.pool.submit(int).result()
    pool.shutdown()  # two workers never woken: shutdown must not wait for them forever
    assert len(pids) == 3 and not multiprocessing.active_children()


def test_a_second_figure_wakes_the_second_worker(tmp_path):
    """While a figure is being drawn, the next one wakes the waiting workers; a single figure does not."""
    from pewlike.report.workers import figure_pool

    class Slow:
        def __init__(self):
            self.finished = False

        def done(self):
            return self.finished

    pool = figure_pool(2)
    assert pool is not None
    try:
        pool.futures.append(Slow())  # a figure still being drawn
        assert not pool.wake.is_set()
        pool.pool.submit(int).result()
        pool.futures[0].finished = True
        job = ("nonexistent_plot", (), {}, str(tmp_path / "x"), (), False)
        with pytest.raises(AttributeError):
            pool.submit(job).result()  # nothing pending before it: the other worker still sleeps
        assert not pool.wake.is_set()
        pool.futures.append(Slow())
        with pytest.raises(AttributeError):
            pool.submit(job).result()
        assert pool.wake.is_set()
    finally:
        pool.shutdown()
    assert not multiprocessing.active_children()
