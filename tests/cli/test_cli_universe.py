"""The command line's --filter/--universe and `pewlike mean` (#12)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import pewlike as pw
from pewlike.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _json(res) -> pd.DataFrame:
    assert res.exit_code == 0, res.output
    return pd.DataFrame(json.loads(res.output))


def test_topline_filter_by_code_equals_subset_by_label(runner, demo):
    got = _json(runner.invoke(main, ["topline", "CONCERNCO", "--filter", "F_AGECAT in [3, 4]", "--format", "json"]))
    expect = demo.subset("F_AGECAT in ['50-64', '65+']").topline("CONCERNCO", nets="auto").to_frame()
    np.testing.assert_allclose(
        got["estimate"], expect["estimate"], rtol=1e-8
    )  # the json output has 10 significant digits
    np.testing.assert_allclose(
        got["std_error"], expect["std_error"], rtol=1e-8
    )  # the json output has 10 significant digits
    full = demo.topline("CONCERNCO", nets="auto").to_frame()
    assert not np.allclose(got["estimate"], full["estimate"])


def test_topline_universe_is_in_the_notes(runner, demo):
    res = runner.invoke(main, ["topline", "SECUR1", "--filter", "F_SEX == 'Female'", "--universe", "Women"])
    assert res.exit_code == 0, res.output
    n = demo.subset("F_SEX == 2").n
    assert f"Among women, n = {n:,}." in res.output


def test_a_filter_without_a_name_is_said_in_the_notes(runner, demo, tmp_path):
    # never "Asked of all respondents" under numbers of a subgroup
    res = runner.invoke(main, ["topline", "SECUR1", "--filter", "F_SEX == 2"])
    assert res.exit_code == 0, res.output
    n = demo.subset("F_SEX == 2").n
    assert f"Among respondents matching F_SEX == 2, n = {n:,}." in res.output
    assert "Asked of all respondents" not in res.output
    spec = tmp_path / "r.toml"
    spec.write_text(
        '[data]\nfile = "pewlike:demo"\nsynthetic = true\n[output]\nformats = ["md"]\n'
        '[[topline]]\nvar = "SECUR1"\n[[topline]]\nvar = "CONCERNCO"\nfilter = "F_AGECAT in [3, 4]"\n'
    )
    rep = runner.invoke(main, ["report", str(spec), "--out", str(tmp_path / "o"), "-q", "--filter", "F_SEX == 2"])
    assert rep.exit_code == 0, rep.output
    md = (tmp_path / "o" / "report.md").read_text(encoding="utf-8")
    assert f"*Among respondents matching F_SEX == 2, n = {n:,}.*" in md  # under the title
    older = demo.subset("F_SEX == 2").subset("F_AGECAT in [3, 4]").n
    # the item's own filter, within the report's: named as Survey.subset names it
    assert f"Among respondents matching F_SEX == 2: F_AGECAT in [3, 4], n = {older:,}." in md


def test_crosstab_and_model_take_a_filter(runner, demo):
    sub = demo.subset("F_PARTYSUM_FINAL == 1")
    got = pd.read_csv(
        io.StringIO(
            runner.invoke(
                main,
                ["crosstab", "CONCERNGOV", "--by", "F_SEX", "--filter", "F_PARTYSUM_FINAL == 1", "--format", "csv"],
            ).output
        )
    )
    np.testing.assert_allclose(
        got["estimate"], sub.crosstab("CONCERNGOV", "F_SEX", nets="auto").to_frame()["estimate"], rtol=1e-8
    )
    formula = "CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ F_SEX"
    got = _json(runner.invoke(main, ["model", formula, "--filter", "F_PARTYSUM_FINAL == 1", "--format", "json"]))
    np.testing.assert_allclose(got["estimate"], sub.logit(formula).to_frame()["estimate"], rtol=1e-8)


@pytest.mark.parametrize("seed", [3, 11])
def test_mean_by_groups_equals_svy_mean(runner, tmp_path, seed):
    rng = np.random.default_rng(seed)
    n = 300 + 100 * seed
    frame = pd.DataFrame(
        {
            "REGION": pd.Categorical(rng.choice(["North", "South"], n), ["North", "South"]),
            "SEX": pd.Categorical(rng.choice(["Male", "Female"], n), ["Male", "Female"]),
            "INCOME": rng.lognormal(10, 0.5, n),
            "WEIGHT": rng.gamma(3.0, 1 / 3, n),
        }
    )
    frame.loc[rng.random(n) < 0.05, "INCOME"] = np.nan
    path = tmp_path / "s.sav"
    pw.Survey(frame, weights="WEIGHT").to_sav(path)
    svy = pw.read(path)
    args = ["mean", "INCOME", "--data", str(path), "--by", "REGION", "--by", "SEX", "--format", "json"]
    got = _json(runner.invoke(main, args))
    expect = svy.mean("INCOME", by=["REGION", "SEX"]).to_frame()
    assert list(got.columns) == list(expect.columns)
    np.testing.assert_allclose(
        got["estimate"], expect["estimate"], rtol=1e-8
    )  # the json output has 10 significant digits
    np.testing.assert_allclose(got["std_error"], expect["std_error"], rtol=1e-8)
    got = _json(runner.invoke(main, [*args[:4], "--filter", "SEX == 'Female'", "--format", "json"]))
    expect = svy.subset("SEX == 'Female'").mean("INCOME").to_frame()
    np.testing.assert_allclose(
        got[["estimate", "std_error"]].to_numpy(), expect[["estimate", "std_error"]].to_numpy(), rtol=1e-8
    )


def test_mean_text_names_the_universe(runner, demo):
    res = runner.invoke(main, ["mean", "QKEY", "--filter", "F_AGECAT == 1", "--universe", "Young adults"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith(f"Among young adults, n = {demo.subset('F_AGECAT == 1').n:,}.")
    assert "Mean of QKEY" in res.output


@pytest.mark.parametrize(
    ("args", "code", "fragments"),
    [
        (["mean", "CONCERNCO"], 1, ["`pewlike topline CONCERNCO_W49`"]),
        (["mean", "NOPE"], 1, ["unknown variable 'NOPE'"]),
        (["topline", "CONCERNCO", "--filter", "F_AGECAT == 9"], 1, ["--filter:", "not a code", "18-29"]),
        (["topline", "CONCERNCO", "--filter", "F_AGECAT ==* 1"], 1, ["--filter:", "column 12"]),
        (["crosstab", "CONCERNCO", "--by", "F_SEX", "--filter", "__import__('os')"], 1, ["--filter:", "__"]),
        (["model", "CONCERNCO in [1] ~ F_SEX", "--filter", "F_SEX.real == 1"], 1, ["attribute"]),
        (["topline", "CONCERNCO", "--filter", "F_SEX == 1", "--universe", ""], 1, ["--universe ''"]),
        (["mean", "QKEY", "--universe", "Voters"], 2, ["--universe names the group --filter selects"]),
        (["report", "--universe", "Voters"], 2, ["--filter"]),
    ],
)
def test_bad_input_is_one_line_about_options(runner, args, code, fragments):
    res = runner.invoke(main, args)
    assert res.exit_code == code, res.output
    for f in fragments:
        assert f in res.output
    assert "svy." not in res.output and "proportion(" not in res.output and "name=" not in res.output
    if code == 1:
        assert len(res.output.strip().splitlines()) == 1 and res.output.startswith("pewlike: error: ")


def test_report_filter_restricts_the_report(runner, tmp_path):
    spec = tmp_path / "r.toml"
    spec.write_text(
        '[data]\nfile = "pewlike:demo"\nsynthetic = true\n[output]\nformats = ["md"]\n[[topline]]\nvar = "SECUR1"\n'
    )
    res = runner.invoke(
        main, ["report", str(spec), "--out", str(tmp_path / "o"), "-q", "--filter", "F_SEX == 2", "--universe", "Women"]
    )
    assert res.exit_code == 0, res.output
    md = (tmp_path / "o" / "report.md").read_text(encoding="utf-8")
    n = pw.demo().subset("F_SEX == 2").n
    assert f"Among women, n = {n:,}." in md and "among women" in md
    bad = runner.invoke(main, ["report", str(spec), "--out", str(tmp_path / "p"), "--filter", "F_SEX = 2"])
    assert bad.exit_code == 1 and "command line: --filter: filter:" in bad.output
    assert not (tmp_path / "p").exists()


def test_mean_subprocess_and_help_without_pandas():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pewlike",
            "mean",
            "QKEY",
            "--by",
            "F_SEX",
            "--format",
            "csv",
            "--filter",
            "F_AGECAT == 4",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    got = pd.read_csv(io.StringIO(proc.stdout))
    expect = pw.demo().subset("F_AGECAT == 4").mean("QKEY", by="F_SEX").to_frame()
    np.testing.assert_allclose(
        got["estimate"], expect["estimate"], rtol=1e-8
    )  # the json output has 10 significant digits
    code = "import sys; from pewlike.cli import main; main(['mean', '--help'], standalone_mode=False); " + (
        "print('pandas' in sys.modules, 'matplotlib' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=Path.cwd())
    assert proc.returncode == 0, proc.stderr
    assert "--filter" in proc.stdout and "--universe" in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == "False False"


def test_an_item_universe_emptied_by_the_reports_filter_is_said_in_its_place(runner, tmp_path):
    spec = tmp_path / "r.toml"
    spec.write_text(
        '[data]\nfile = "pewlike:demo"\nsynthetic = true\n[output]\nformats = ["md"]\n'
        '[[topline]]\nvar = "SECUR1"\n[[topline]]\nvar = "CONCERNCO"\nfilter = "F_AGECAT in [3, 4]"\n'
        'universe = "Ages 50 and older"\n'
    )
    res = runner.invoke(main, ["report", str(spec), "--out", str(tmp_path / "o"), "-q", "--filter", "F_AGECAT == 1"])
    assert res.exit_code == 0, res.output
    md = (tmp_path / "o" / "report.md").read_text(encoding="utf-8")
    assert (
        "filter 'F_AGECAT in [3, 4]' matches nobody among respondents matching F_AGECAT == 1, the report's "
        "universe; it selects other respondents only"
    ) in md
    n = pw.demo().subset("F_AGECAT == 1").n
    assert f"Among respondents matching F_AGECAT == 1, n = {n:,}." in md  # the rest of the report is built
    # a filter that matches nobody at all is a mistake in the spec: the report is not built
    spec.write_text(
        spec.read_text(encoding="utf-8").replace('"F_AGECAT in [3, 4]"', '"F_AGECAT == 3 and F_AGECAT == 4"')
    )
    bad = runner.invoke(main, ["report", str(spec), "--out", str(tmp_path / "p"), "-q", "--filter", "F_AGECAT == 1"])
    assert bad.exit_code == 1 and "[[topline]] #2: filter: the subset is empty" in bad.output
    assert not (tmp_path / "p").exists()
