"""``pewlike select-all`` (#14)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from click.testing import CliRunner

import pewlike as pw
from pewlike.cli import main


@pytest.fixture(scope="module")
def svy() -> pw.Survey:
    return pw.demo()


def test_select_all_by_a_battery_name_prints_the_table(svy):
    res = CliRunner().invoke(main, ["select-all", "PP5"])
    assert res.exit_code == 0, res.output
    assert "NET Any" in res.output and "None of these" in res.output and "Asked of 4,229 of 4,272" in res.output


def test_select_all_csv_equals_the_verb(svy):
    res = CliRunner().invoke(main, ["select-all", "PP5a", "PP5b", "PP5c", "--sort", "asked", "--format", "csv"])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(io.StringIO(res.output))
    want = svy.select_all(["PP5a", "PP5b", "PP5c"]).to_frame()
    assert list(got["item"]) == list(want["item"])
    assert got["estimate"].tolist() == pytest.approx(want["estimate"].tolist(), rel=1e-12)


def test_select_all_by_groups_stacks_them(svy):
    res = CliRunner().invoke(main, ["select-all", "PP5", "--by", "F_SEX", "--by", "F_AGECAT", "--format", "csv"])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(io.StringIO(res.output))
    assert set(got["by"]) == {"F_SEX", "F_AGECAT"} and "letters" in got.columns
    assert set(got.loc[got["by"] == "F_SEX", "group"]) == {"Male", "Female"}


def test_select_all_bad_items_are_one_line_errors():
    res = CliRunner().invoke(main, ["select-all", "PP5a", "CONCERNCO"])
    assert res.exit_code == 1
    assert "not one battery" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(main, ["select-all", "CONCERNCO", "CONCERNGOV"])
    assert res.exit_code == 1 and "no 'selected' answer" in res.output
    res = CliRunner().invoke(main, ["select-all"])
    assert res.exit_code == 2
