"""One-shot commands end without the interpreter's teardown, with the same output and exit code."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from pewlike.cli import main
from pewlike.cli.quickexit import may_leave_early


def test_only_read_and_print_commands_on_a_quiet_process():
    plain = ["sys", "pandas", "pyreadstat", "multiprocessing", "concurrent.futures"]  # pyreadstat loads both
    assert may_leave_early(["topline", "CONCERNCO"], plain, 1, workers_left=False)
    assert may_leave_early(["--data", "x.sav", "crosstab", "Q"], plain, 1, workers_left=False) is False  # not a word
    assert may_leave_early(["crosstab", "Q", "--by", "F_SEX"], plain, 1, workers_left=False)
    for command in ("report", "rake", "init"):
        assert not may_leave_early([command], plain, 1)  # cannot tell whether workers are left: normal exit
    # a report, once its workers have ended and multiprocessing has nothing left to clean up
    built = [*plain, "matplotlib"]
    assert may_leave_early(["report", "spec.toml", "--out", "x"], built, 1, workers_left=False)
    assert not may_leave_early(["report"], built, 1, workers_left=True)
    assert not may_leave_early(["report"], built, 2, workers_left=False)
    assert not may_leave_early(["report"], [*built, "distributed"], 1, workers_left=False)
    assert not may_leave_early(["rake"], plain, 1, workers_left=False)
    assert not may_leave_early([], plain, 1, workers_left=False)
    assert not may_leave_early(["topline", "Q"], plain, 2, workers_left=False)  # another thread is alive
    assert not may_leave_early(["topline", "Q"], plain, 1, workers_left=True)  # a child or a clean-up is left
    for module in ("dask", "distributed", "matplotlib"):
        assert not may_leave_early(["topline", "Q"], [*plain, module], 1, workers_left=False)


_ENTRY = (
    "import atexit, sys; atexit.register(lambda: print('teardown ran', file=sys.stderr)); "
    "sys.argv = ['pewlike', *sys.argv[1:]]; from pewlike.cli import run; run()"
)


def test_a_topline_ends_without_the_teardown():
    """As installed: pyreadstat imports multiprocessing, which leaves nothing to clean up."""
    quick = subprocess.run(
        [sys.executable, "-c", _ENTRY, "topline", "CONCERNCO"], capture_output=True, text=True, timeout=300
    )
    assert quick.returncode == 0 and "Very concerned" in quick.stdout
    assert "teardown ran" not in quick.stderr
    usage = subprocess.run([sys.executable, "-c", _ENTRY, "--help"], capture_output=True, text=True, timeout=300)
    assert "teardown ran" in usage.stderr  # no command: the normal exit runs it


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pewlike", *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_same_output_and_exit_code_as_the_normal_exit():
    for args in (["topline", "CONCERNCO"], ["crosstab", "CONCERNCO", "--by", "F_SEX", "--format", "csv"]):
        quick = _run(*args)
        normal = CliRunner().invoke(main, args)
        assert quick.returncode == normal.exit_code == 0
        assert quick.stdout == normal.output
        assert quick.stdout.strip()


def test_errors_keep_their_message_and_code():
    quick = _run("topline", "NO_SUCH_QUESTION")
    assert quick.returncode == 1
    assert quick.stdout == ""
    assert quick.stderr.startswith("pewlike: error: unknown variable 'NO_SUCH_QUESTION'")
    usage = _run("topline")
    assert usage.returncode == 2
    assert "Missing argument" in usage.stderr


_WORKERS = """
import multiprocessing, sys
from multiprocessing import util
from pewlike.cli.quickexit import workers_left
print(workers_left())
ctx = multiprocessing.get_context("fork")
child = ctx.Process(target=ctx.Event().wait, args=(30,))
child.start()
print(workers_left())
child.terminate(); child.join()
print(workers_left())
util.get_temp_dir()  # a temporary folder multiprocessing removes at exit
print(workers_left())
"""


def test_workers_left_sees_children_and_clean_up_for_the_exit():
    out = subprocess.run([sys.executable, "-c", _WORKERS], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split() == ["False", "True", "False", "True"]


_REPORT = """
import atexit, sys
atexit.register(lambda: print("teardown ran"))
from pewlike.cli import run
sys.argv = ["pewlike", "report", sys.argv[1], "--out", sys.argv[2], "-q", "--no-cache", "--jobs", "2"]
run()
"""

_SPEC = """
title = "Quick"
[data]
file = "pewlike:demo"
synthetic = true
[[section]]
id = "a"
title = "A"
[[topline]]
var = "CONCERNCO"
section = "a"
chart = true
[[crosstab]]
var = "CONCERNGOV"
by = ["F_SEX"]
section = "a"
"""


def test_a_report_ends_without_the_teardown_and_writes_the_same_files(tmp_path):
    import hashlib
    import multiprocessing

    spec = tmp_path / "spec.toml"
    spec.write_text(_SPEC)
    quick = subprocess.run(
        [sys.executable, "-c", _REPORT, str(spec), str(tmp_path / "quick")], capture_output=True, text=True, timeout=300
    )
    assert quick.returncode == 0, quick.stderr
    assert "teardown ran" not in quick.stdout  # the interpreter's exit (and its atexit calls) skipped
    normal = CliRunner().invoke(main, ["report", str(spec), "--out", str(tmp_path / "normal"), "-q", "--no-cache"])
    assert normal.exit_code == 0, normal.output

    def digest(folder):
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    files = digest(tmp_path / "quick")
    assert files == digest(tmp_path / "normal") and "index.html" in files
    assert sum(1 for f in files if f.startswith("figures/")) == 4
    assert not multiprocessing.active_children()
