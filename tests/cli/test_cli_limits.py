"""Hostile arguments on the command line: one line, exit 1 or 2, no hang (issue #17)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pewlike.cli import main

ROOT = Path(__file__).resolve().parents[2]
Y = "CONCERNCO in ['Very concerned'] ~ "


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pewlike", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize(
    "formula, message",
    [
        (Y + "0", "has no terms; add a predictor or an intercept"),
        (Y + "-1", "has no terms; add a predictor or an intercept"),
        (Y + "poly(F_AGECAT, " + "9" * 5000 + ")", "the degree of poly() is too large"),
        (Y + "(F_AGECAT+F_SEX)^99999999999", "the power after '^' is too large (99999999999)"),
        (Y + "*".join(f"F_{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), "the formula expands to more than 5,000 terms"),
    ],
)
def test_hostile_formulas_exit_1_with_one_line(tmp_path, formula, message):
    res = _run(["model", formula], tmp_path)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pewlike: error: ") and message in lines[0]


def test_model_size_options():
    eight = "*".join(
        ["F_AGECAT", "F_SEX", "F_EDUCCAT", "F_RACETHN", "F_INCOME_RECODE", "F_IDEO", "F_CREGION", "F_METRO"]
    )
    res = CliRunner().invoke(main, ["model", Y + eight])
    assert res.exit_code == 1
    assert (
        "more than max_order=5; drop it, or raise the limit with max_order=6 (command line: --max-order 6)"
        in res.output
    )
    res = CliRunner().invoke(main, ["model", "--max-order", "8", Y + eight])
    assert res.exit_code == 1
    assert "would have 11,520 columns, more than max_columns=1000" in res.output
    assert "(command line: --max-columns 11520)" in res.output
    res = CliRunner().invoke(main, ["model", "--max-columns", "7", Y + "F_AGECAT*F_SEX"])
    assert res.exit_code == 1 and "would have 8 columns, more than max_columns=7" in res.output
    res = CliRunner().invoke(main, ["model", "--max-columns", "8", "--format", "csv", Y + "F_AGECAT*F_SEX"])
    assert res.exit_code == 0 and len(res.output.strip().splitlines()) == 1 + 8
    res = CliRunner().invoke(main, ["model", "--max-columns", "0", Y + "F_SEX"])
    assert res.exit_code == 2


def test_one_row_and_huge_weights_exit_1(tmp_path):
    one = tmp_path / "one.csv"
    one.write_text("Q1,weight\nYes,1\n")
    res = _run(["topline", "Q1", "--data", str(one)], tmp_path)
    assert res.returncode == 1
    assert res.stderr.strip().startswith("pewlike: error: the sample has only one PSU (one respondent, or one cluster)")
    big = tmp_path / "big.csv"
    big.write_text("Q1,weight\n" + "".join(f"{'Yes' if i % 2 else 'No'},1e308\n" for i in range(11)))
    res = CliRunner().invoke(main, ["topline", "Q1", "--data", str(big)])
    assert res.exit_code == 1
    assert res.output.strip() == (
        "pewlike: error: weight column 'weight' is too large to compute with (largest 1e+308; the total overflows); "
        "rescale the weights, e.g. divide them by their mean"
    )
