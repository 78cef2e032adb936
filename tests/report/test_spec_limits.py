"""Specs and targets from untrusted hands: nesting, devices, size; `init` on very wide files (issue #17)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pewlike.cli import main
from pewlike.errors import SpecError
from pewlike.io.tomltext import MAX_TOML_DEPTH, parse_toml, toml_depth
from pewlike.report.spec import load, loads

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text, depth",
    [
        ("a = 1\nb = 'x.y.z'\n", 0),
        ("[data]\nfile = 'a.sav'\n", 1),
        ("[[topline]]\nvar = 'Q1'\n", 2),
        ("x = [[1, 2], {a.b = 1.5}]  # [[[[[", 3),
        ('s = """ [[[[ \\""" {{{ """\nt = 1979-05-27T07:32:00.999', 0),
        ("a.b.c.d = 1", 3),
    ],
)
def test_toml_depth_ignores_strings_comments_and_numbers(text, depth):
    assert toml_depth(text) == depth


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 100_000 + "]" * 100_000,
        "a = " + "{b = " * 60 + "1" + "}" * 60,
        "a" + ".a" * 100_000 + " = 1",
        "[" + "a." * 60 + "a]\nx = 1",
    ],
)
def test_deep_toml_is_a_one_line_spec_error(text):
    t0 = time.perf_counter()
    with pytest.raises(SpecError) as info:
        loads(text, label="deep.toml")
    msg = str(info.value)
    assert msg.startswith("deep.toml: nested ") and f"more than {MAX_TOML_DEPTH}; " in msg and "\n" not in msg
    assert time.perf_counter() - t0 < 10


def test_toml_at_the_limit_still_parses():
    text = "a = " + "[" * MAX_TOML_DEPTH + "]" * MAX_TOML_DEPTH
    assert toml_depth(text) == MAX_TOML_DEPTH
    value = parse_toml(text, label="ok.toml", error=SpecError)["a"]
    for _ in range(MAX_TOML_DEPTH - 1):
        value = value[0]
    assert value == []


def test_spec_from_a_device_or_fifo_is_refused(tmp_path):
    if os.path.exists("/dev/zero"):
        with pytest.raises(SpecError, match=r"^spec file '/dev/zero' is not a regular file \(a character device\)"):
            load("/dev/zero")
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "spec.toml"
        os.mkfifo(fifo)
        with pytest.raises(SpecError, match=r"is not a regular file \(a FIFO \(named pipe\)\)"):
            load(fifo)


def test_huge_and_non_utf8_specs_are_refused(tmp_path):
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * 10_000_001)
    with pytest.raises(SpecError, match=r"is larger than 10,000,000 bytes"):
        load(big)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b"title = '\xe9'\n")
    with pytest.raises(SpecError, match=r"is not UTF-8 text .* save it as UTF-8"):
        load(latin)


def test_cli_report_dev_zero_and_deep_targets_exit_1(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if os.path.exists("/dev/zero"):
        res = subprocess.run(
            [sys.executable, "-m", "pewlike", "report", "/dev/zero"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert res.returncode == 1
        assert res.stderr.strip() == (
            "pewlike: error: spec file '/dev/zero' is not a regular file (a character device); "
            "save the text to a file and pass that"
        )
    deep = tmp_path / "targets.toml"
    deep.write_text("F_SEX = " + "[" * 100_000 + "]" * 100_000)
    res = CliRunner().invoke(main, ["rake", str(deep)])
    assert res.exit_code == 1
    assert res.output.startswith(f"pewlike: error: {deep}: nested 100000 levels deep")


def _wide_parquet(path: Path, questions: int) -> Path:
    rng = np.random.default_rng(3)
    scale = ["Very", "Somewhat", "Not too", "Not at all"]
    cols = {f"Q{i}": pd.Categorical(rng.choice(scale, 120), categories=scale, ordered=True) for i in range(questions)}
    cols["F_SEX"] = pd.Categorical(rng.choice(["Male", "Female"], 120))
    cols["weight"] = np.ones(120)
    pd.DataFrame(cols).to_parquet(path)
    return path


def test_init_caps_the_items_and_says_how_many_were_left_out(tmp_path):
    data = _wide_parquet(tmp_path / "wide.parquet", 230)
    out = tmp_path / "wide.toml"
    res = CliRunner().invoke(main, ["init", str(data), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert (
        "pewlike: note: 30 more questions were left out (the spec has the first 200); include them with --max-items 230"
    ) in res.output
    spec = load(out)
    assert len(spec.toplines) == 200 and len(spec.crosstabs) == 200
    assert "# 30 more questions were left out" in out.read_text()
    res = CliRunner().invoke(main, ["init", str(data), "-o", str(out), "--force", "--max-items", "230"])
    assert res.exit_code == 0 and "left out" not in res.output
    assert len(load(out).toplines) == 230
    res = CliRunner().invoke(main, ["init", str(data), "-o", str(out), "--force", "--max-items", "0"])
    assert res.exit_code == 2
