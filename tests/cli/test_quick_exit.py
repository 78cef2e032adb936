"""One-shot commands end without the interpreter's teardown, with the same output and exit code."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from pewlike.cli import main
from pewlike.cli.quickexit import may_leave_early


def test_only_read_and_print_commands_on_a_quiet_process():
    plain = ["sys", "pandas", "pyreadstat"]
    assert may_leave_early(["topline", "CONCERNCO"], plain, 1)
    assert may_leave_early(["--data", "x.sav", "crosstab", "Q", "--by", "F_SEX"], plain, 1) is False  # not a word
    assert may_leave_early(["crosstab", "Q", "--by", "F_SEX"], plain, 1)
    for command in ("report", "rake", "init"):
        assert not may_leave_early([command], plain, 1)
    assert not may_leave_early([], plain, 1)
    assert not may_leave_early(["topline", "Q"], plain, 2)  # another thread is alive
    for module in ("multiprocessing", "concurrent.futures", "dask", "distributed", "matplotlib"):
        assert not may_leave_early(["topline", "Q"], [*plain, module], 1)


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
