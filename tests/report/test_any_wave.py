"""Any ATP-like wave to a report (issue #11): generated files of many shapes, not only the demo.

Each file is generated here (seeded) as Pew distributes them: split forms (a question asked of
Form 1 only), 98 = Don't know and 99 = Refused declared as an SPSS user-missing range, a
yes/no item, party and race, the standard ``F_`` demographics (their names varying between
files: F_SEX or F_GENDER, F_RACETHN or F_RACETHNMOD, an F_INC... income) and every measure
level a file may carry on its labelled questions (nominal, scale, unknown, ordinal).
``pewlike init`` then ``pewlike report`` must succeed on each; nets appear; the codebook says
ordinal for the scales and not for party, race or the yes/no item; tables.xlsx holds numbers.
One report is opened in headless Chromium (skipped, with the reason, when it is missing).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

import pewlike as pw
from pewlike.cli import main
from pewlike.errors import SpecError
from pewlike.report.spec import load

ROOT = Path(__file__).parents[2]
MEASURES = ["nominal", "scale", "unknown", "ordinal"]
MISSING = {98.0: "Don't know", 99.0: "Refused"}

#: name -> (labels in code order, is an answer scale)
QUESTIONS: dict[str, tuple[list[str], bool]] = {
    "CONCERN_W7": (["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"], True),
    "AGREE_W7": (
        ["Strongly agree", "Somewhat agree", "Neither agree nor disagree", "Somewhat disagree", "Strongly disagree"],
        True,
    ),
    "OFTEN_W7": (["Never", "Rarely", "Sometimes", "Often", "Always"], True),  # bottom to top
    "HEARD_W7": (["Yes", "No"], False),
    "PARTY_W7": (["Republican", "Democrat", "Independent", "Something else"], False),
}
SPLIT = "TRUST_W7"  # asked of Form 1 only
SPLIT_LABELS = ["A great deal", "Some", "Not too much", "None at all"]


def _demographics(variant: int) -> dict[str, list[str]]:
    return {
        "F_AGECAT": ["18-29", "30-49", "50-64", "65+"],
        ("F_SEX" if variant % 2 == 0 else "F_GENDER"): ["Man", "Woman"],
        "F_EDUCCAT": ["College graduate+", "Some college", "HS graduate or less"],
        ("F_RACETHN" if variant % 2 == 0 else "F_RACETHNMOD"): ["White", "Black", "Hispanic", "Other"],
        "F_PARTYSUM_FINAL": ["Rep/Lean Rep", "Dem/Lean Dem"],
        ("F_INC_SDT1" if variant % 2 == 0 else "F_INCOME"): ["Less than $30,000", "$30,000-$69,999", "$70,000+"],
    }


def write_wave(path: Path, measure: str, seed: int) -> Path:
    """An ATP-like .sav: every labelled question with measure level ``measure``."""
    rng = np.random.default_rng(seed)
    n = 700
    form = rng.integers(1, 3, n).astype(float)
    data: dict[str, np.ndarray] = {"QKEY": np.arange(1, n + 1, dtype=float), "FORM_W7": form}
    value_labels: dict[str, dict[float, str]] = {"FORM_W7": {1.0: "Form 1", 2.0: "Form 2"}}
    missing_ranges: dict[str, list[dict[str, float]]] = {}
    labels: dict[str, str] = {"QKEY": "Respondent key", "FORM_W7": "Form assignment"}

    def labelled(name: str, cats: list[str], wording: str, *, refuse: float = 0.05) -> None:
        codes = rng.integers(1, len(cats) + 1, n).astype(float)
        odd = rng.random(n)
        codes[odd < refuse] = 99.0
        codes[(odd >= refuse) & (odd < refuse + 0.02)] = 98.0
        data[name] = codes
        value_labels[name] = {float(i + 1): lab for i, lab in enumerate(cats)} | MISSING
        missing_ranges[name] = [{"lo": 98.0, "hi": 99.0}]
        labels[name] = wording

    for name, (cats, _) in QUESTIONS.items():
        labelled(name, cats, f"{name.split('_')[0]}. How would you answer question {name}?")
    labelled(SPLIT, SPLIT_LABELS, "TRUST. How much do you trust them?")
    data[SPLIT][form == 2] = np.nan  # not asked of Form 2
    for name, cats in _demographics(seed).items():
        labelled(name, cats, f"Profile: {name}", refuse=0.02)
    data["WEIGHT_W7"] = rng.gamma(4.0, 0.25, n)
    labels["WEIGHT_W7"] = "Wave 7 weight"
    frame = pd.DataFrame(data)
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=[labels[c] for c in frame.columns],
        variable_value_labels=value_labels,
        missing_ranges=missing_ranges,
        variable_measure=dict.fromkeys(value_labels, measure),
    )
    return path


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def _init_and_report(runner: CliRunner, tmp: Path, measure: str, seed: int, formats: str | None) -> Path:
    data = write_wave(tmp / f"w7_{measure}.sav", measure, seed)
    spec = tmp / f"{measure}.toml"
    res = runner.invoke(main, ["init", str(data), "-o", str(spec)])
    assert res.exit_code == 0, res.output
    assert "answer scales" in res.output and "yes/no items" in res.output and "weight: WEIGHT_W7" in res.output
    if formats:  # a lighter build where figures are not under test
        text = spec.read_text(encoding="utf-8")
        spec.write_text(text.replace('formats = ["html", "md", "csv", "xlsx", "png", "svg"]', formats), "utf-8")
    out = tmp / f"rep_{measure}"
    res = runner.invoke(main, ["report", str(spec), "--out", str(out), "-q", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    return out


@pytest.mark.parametrize("measure", MEASURES)
def test_init_picks_questions_and_demographics_whatever_the_measure_level(tmp_path, runner, measure):
    seed = MEASURES.index(measure) + 1
    data = write_wave(tmp_path / "w.sav", measure, seed)
    spec = tmp_path / "r.toml"
    res = runner.invoke(main, ["init", str(data), "-o", str(spec)])
    assert res.exit_code == 0, res.output
    s = load(spec)
    scales = [q for q, (_, scale) in QUESTIONS.items() if scale] + [SPLIT]
    picked = [t.var for t in s.toplines]
    assert set(scales) <= set(picked) and "HEARD_W7" in picked
    # PARTY has unordered answers: in the topline as a question, a scale only where the file says "ordinal"
    assert "PARTY_W7" in picked
    said = "answer scale" if measure == "ordinal" else "question"
    assert f"# PARTY_W7 ({said})" in spec.read_text(encoding="utf-8")
    if measure != "ordinal":
        assert "questions with 2-12 unordered answers: " in res.output and "PARTY_W7" in res.output
    assert list(s.defaults.by) == list(_demographics(seed))
    assert s.defaults.base == "valid" and all(t.base == "valid" for t in s.toplines)
    assert all(c.base == "valid" for c in s.crosstabs)
    assert s.data.weights == "WEIGHT_W7"
    text = spec.read_text(encoding="utf-8")
    for key in ("title =", "file =", "weights =", "dir =", "formats =", "by =", "base =", "nets =", "min_n ="):
        line = next(i for i, ln in enumerate(text.splitlines()) if ln.startswith(key))
        assert text.splitlines()[line - 1].startswith("#"), key  # every key explained above it
    book = pw.read(data).codebook().set_index("name")
    for q, (_, scale) in QUESTIONS.items():
        if scale:
            assert book.loc[q, "type"] == "ordinal", q
        elif measure != "ordinal":
            assert book.loc[q, "type"] != "ordinal", q
    race = "F_RACETHN" if seed % 2 == 0 else "F_RACETHNMOD"
    if measure != "ordinal":
        assert book.loc[race, "type"] != "ordinal" and book.loc["F_PARTYSUM_FINAL", "type"] != "ordinal"
    assert book.loc["CONCERN_W7", "measure"] == ("" if measure == "unknown" else measure)


@pytest.mark.parametrize("measure", ["nominal", "scale", "unknown"])
def test_report_builds_with_nets_and_forms(tmp_path, runner, measure):
    out = _init_and_report(runner, tmp_path, measure, MEASURES.index(measure) + 1, 'formats = ["md", "xlsx"]')
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "NET Very/Somewhat concerned" in md and "NET Strongly/Somewhat agree" in md
    assert "NET A great deal/Some" in md  # the split-form scale
    svy = pw.read(tmp_path / f"w7_{measure}.sav")
    asked = int(svy.data[SPLIT].notna().sum())
    assert f"Asked of Form 1, n = {asked:,}" in md
    assert "Refused and Don't know excluded" in md


def test_report_of_a_nominal_wave_in_chromium_and_its_workbook(tmp_path, runner):
    openpyxl = pytest.importorskip("openpyxl")
    out = _init_and_report(runner, tmp_path, "ordinal", 4, None)
    wb = openpyxl.load_workbook(out / "tables" / "tables.xlsx")
    sheet = wb["topline_CONCERN_W7"]
    assert sheet["A1"].value == "How would you answer question CONCERN_W7?"  # wording, "CONCERN." prefix dropped
    svy = pw.read(tmp_path / "w7_ordinal.sav")
    want = svy.topline("CONCERN_W7", nets="auto").to_frame().set_index("level")["estimate"]
    got = {
        str(r[0].value).strip(): r[1]
        for r in sheet.iter_rows(min_row=4)
        if r[0].value and str(r[0].value).strip() in want.index
    }
    assert set(got) == set(want.index.astype(str))
    for level, cell in got.items():
        assert cell.data_type == "n" and cell.number_format == "0%"
        assert cell.value == pytest.approx(want[level], rel=1e-12)
    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
        pytest.skip("chromium is not installed (apt-get install chromium): the browser check did not run")
    res = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_report_chromium.py"), str(out / "index.html")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_a_wave_with_nothing_to_report_says_so(tmp_path, runner):
    rng = np.random.default_rng(5)
    # an id and a number with four unlabelled answers: nothing to topline, no distribution to draw
    # (ten or more different numbers would be one: tests/report/test_starter_numeric.py)
    frame = pd.DataFrame({"QKEY": np.arange(50.0), "KIDS": rng.integers(0, 4, 50).astype(float)})
    path = tmp_path / "numeric.sav"
    pyreadstat.write_sav(frame, str(path))
    res = runner.invoke(main, ["init", str(path), "-o", str(tmp_path / "x.toml")])
    assert res.exit_code == 1
    assert res.output.startswith(f"pewlike: error: {path}: no reportable question found")
    assert len(res.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.toml").exists()
    with pytest.raises(SpecError, match="no reportable question"):
        from pewlike.report.starter import starter

        starter(pw.read(path, weights=None), str(path))
