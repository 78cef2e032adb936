"""Charts of questions that are not answer scales, and batteries named SMa, SMb, ... in a starter report.

A generated wave (seeded) as some houses write them: a 0-10 rating labelled only at its ends
(11 answers, measure "scale"), a nominal question with three unordered answers, a select-all
battery whose items are a capital stem and one small letter (``SMa`` .. ``SMd``), ``F_``
demographics and a weight.  ``pewlike init`` proposes a dot plot of one answer for the
crosstabs of the unordered questions (a diverging chart takes at most 9 answers, and is for
scales), and the battery as one ``[[select_all]]``; the report then builds without a failure.
A diverging chart (topline, crosstab or grid) asked of the 11 answers is reported in its place
with the fix; its table stands.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

import pewlike as pw
from pewlike.cli import main
from pewlike.errors import LabelWarning
from pewlike.report.spec import load

SEL = {1.0: "Selected", 2.0: "Not selected"}


def _wave(path: Path, seed: int, n: int = 600) -> Path:
    rng = np.random.default_rng(seed)
    data = {
        "QKEY": np.arange(1.0, n + 1),
        "SATIS_W9": rng.integers(0, 11, n).astype(float),
        "SATISGOV_W9": rng.integers(0, 11, n).astype(float),
        "SOURCE_W9": rng.choice([1.0, 2.0, 3.0, 99.0], n, p=[0.4, 0.35, 0.2, 0.05]),
        **{f"SM{c}_W9": rng.choice([1.0, 2.0], n) for c in "abcd"},
        "F_AGECAT": rng.choice([1.0, 2.0, 3.0, 4.0], n),
        "F_SEX": rng.choice([1.0, 2.0], n),
        "WEIGHT_W9": rng.gamma(4.0, 0.25, n),
    }
    labels = {
        "SATIS_W9": {0.0: "Not at all satisfied", 10.0: "Completely satisfied"},
        "SATISGOV_W9": {0.0: "Not at all satisfied", 10.0: "Completely satisfied"},
        "SOURCE_W9": {1.0: "Television", 2.0: "Websites or apps", 3.0: "Print", 99.0: "Refused"},
        **{f"SM{c}_W9": SEL for c in "abcd"},
        "F_AGECAT": {1.0: "18-29", 2.0: "30-49", 3.0: "50-64", 4.0: "65+"},
        "F_SEX": {1.0: "Man", 2.0: "Woman"},
    }
    wording = {
        "SATIS_W9": "How satisfied are you with your privacy online, from 0 to 10?",
        "SATISGOV_W9": "How satisfied are you with the government's privacy rules, from 0 to 10?",
        "SOURCE_W9": "Where do you get most of your news?",
        **{f"SM{c}_W9": f"Which of these sites do you use? Site {c.upper()}" for c in "abcd"},
    }
    pyreadstat.write_sav(
        pd.DataFrame(data),
        str(path),
        column_labels=wording,
        variable_value_labels=labels,
        missing_ranges={"SOURCE_W9": [99.0]},
        variable_measure={"SATIS_W9": "scale", "SATISGOV_W9": "scale", "SOURCE_W9": "nominal"},
    )
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize("seed", [3, 4])
def test_starter_charts_unordered_answers_as_dots_and_builds_without_failure(tmp_path, runner, seed):
    data = _wave(tmp_path / "w9.sav", seed)
    spec = tmp_path / "r.toml"
    res = runner.invoke(main, ["init", str(data), "-o", str(spec)])
    assert res.exit_code == 0, res.output
    s = load(spec)
    charts = {c.var: (c.chart, c.level) for c in s.crosstabs}
    assert charts["SATIS_W9"] == ("dots", "Not at all satisfied")
    assert charts["SOURCE_W9"] == ("dots", "Television")
    assert [list(b.items) for b in s.select_alls] == [[f"SM{c}_W9" for c in "abcd"]]
    assert s.grids == ()  # the two ratings share their answers, but they are not a scale's two sides
    out = tmp_path / "rep"
    res = runner.invoke(main, ["report", str(spec), "--out", str(out), "-q", "--jobs", "1", "--no-cache"])
    assert res.exit_code == 0, res.output
    assert "NOT BUILT" not in res.output
    assert (out / "figures" / "crosstab_SATIS_W9.png").read_bytes()[1:4] == b"PNG"
    # the dot plot's first row (Total) prints the weighted share answering "Not at all satisfied", as numpy gives it
    with pytest.warns(LabelWarning, match="1-9 between its labelled ends"):
        svy = pw.read(data)
    w, sat = svy.weights.to_numpy(), svy.data["SATIS_W9"].astype(str).to_numpy()
    share = 100 * np.average(sat == "Not at all satisfied", weights=w)
    printed = re.findall(
        r"font-size: 9px[^>]*>(\d+)</text>", (out / "figures" / "crosstab_SATIS_W9.svg").read_text(encoding="utf-8")
    )
    assert printed[0] == str(round(share))


def test_a_diverging_chart_of_eleven_answers_is_reported_with_the_fix(tmp_path, runner):
    data = _wave(tmp_path / "w9.sav", 5)
    spec = tmp_path / "r.toml"
    spec.write_text(
        f'title = "t"\n[data]\nfile = "{data.name}"\n[output]\nformats = ["md", "csv", "png"]\n'
        '[defaults]\nby = ["F_SEX"]\n[[topline]]\nvar = "SATIS_W9"\nchart = true\n'
        '[[crosstab]]\nvar = "SATIS_W9"\n[[grid]]\nitems = ["SATIS_W9", "SATISGOV_W9"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "rep"
    res = runner.invoke(main, ["report", str(spec), "--out", str(out), "--jobs", "1", "--no-cache"])
    assert res.exit_code == 0, res.output
    assert (
        "NOT BUILT: [[crosstab]] #1 (crosstab_SATIS_W9) figure: 11 answers are too many for a diverging chart "
        '(9 at most); set chart = "dots" and level = "<one answer>" for a dot plot of that answer, or chart = "none"'
    ) in res.output
    assert (
        "(topline_SATIS_W9) figure: 11 answers are too many for a diverging chart (9 at most); set chart = false"
        in (res.output)
    )
    assert not list(out.rglob("*SATIS*.png"))
    assert "(grid_SATIS_W9) figure: 11 answers are too many for a diverging chart (9 at most); set chart = false" in (
        res.output
    )
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "Not built: figure crosstab_SATIS_W9" in md
    assert (out / "tables" / "crosstab_SATIS_W9.csv").exists()  # the table stands
