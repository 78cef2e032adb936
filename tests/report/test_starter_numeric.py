"""``pewlike init`` proposes a [[distribution]] for each numeric question (hours, thermometers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

import pewlike as pw
from pewlike.cli import main
from pewlike.report.spec import load
from pewlike.report.starter import file_starter
from pewlike.report.starter_numeric import MAX_DISTRIBUTIONS, distribution_lines, numeric_items


def _wave(path, n=600, seed=3, *, labelled=True):
    rng = np.random.default_rng(seed)
    therm = rng.integers(0, 101, n).astype(float)
    therm[rng.random(n) < 0.05] = 999.0  # Refused, a declared missing code
    frame = pd.DataFrame(
        {
            "QKEY": np.arange(1, n + 1, dtype=float),
            "RESPNUM": rng.permutation(n).astype(float) + 5000,  # an id by its values, not its name
            "THERM_W5": therm,
            "HOURS_W5": np.round(rng.gamma(2.0, 3.0, n), 1),
            "KIDS_W5": rng.integers(0, 5, n).astype(float),  # five answers: not a distribution
            "F_AGE": rng.integers(18, 90, n).astype(float),  # a profile variable
            "CONCERN_W5": rng.integers(1, 5, n).astype(float),
            "BLANK_W5": np.full(n, np.nan),
            "WEIGHT_W5": rng.uniform(0.4, 2.5, n).round(4),
            "pspwght": rng.uniform(0.4, 2.5, n).round(4),  # another house's weight
        }
    )
    labels = {"THERM_W5": {999.0: "Refused"}}
    if labelled:
        labels["CONCERN_W5"] = {1.0: "Very concerned", 2.0: "Somewhat concerned", 3.0: "Not too", 4.0: "Not at all"}
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={"THERM_W5": "Feeling thermometer\nfor Congress (0-100)", "HOURS_W5": "Hours online"},
        variable_value_labels=labels,
        missing_ranges={"THERM_W5": [999.0]},
        variable_measure={"THERM_W5": "scale", "HOURS_W5": "scale"},
    )
    return frame


def test_numbers_with_many_answers_are_the_numeric_questions(tmp_path):
    _wave(tmp_path / "w.sav")
    svy = pw.read(tmp_path / "w.sav")
    # not RESPNUM (every answer a different whole number), KIDS (five answers), F_AGE, the weights
    assert numeric_items(svy) == ["THERM_W5", "HOURS_W5"]
    assert numeric_items(svy, skip={"THERM_W5"}) == ["HOURS_W5"]


def test_the_starter_proposes_a_distribution_each_and_the_report_builds_it(tmp_path):
    frame = _wave(tmp_path / "w.sav")
    spec = tmp_path / "report.toml"
    res = CliRunner().invoke(main, ["init", str(tmp_path / "w.sav"), "-o", str(spec)])
    assert res.exit_code == 0, res.output
    assert "2 numeric questions (10 or more different answers, not labelled)" in res.output
    text = spec.read_text(encoding="utf-8")
    # the wording's line break does not end the comment
    assert "# THERM_W5 (a number): Feeling thermometer for Congress (0-100)\n[[distribution]]" in text
    loaded = load(spec)
    assert [d.var for d in loaded.distributions] == ["THERM_W5", "HOURS_W5"]
    assert [t.var for t in loaded.toplines] == ["CONCERN_W5"]
    out = tmp_path / "out"
    built = CliRunner().invoke(main, ["report", str(spec), "--out", str(out), "--no-cache", "-q"])
    assert built.exit_code == 0, built.output
    box = pd.read_csv(out / "tables" / "distribution_THERM_W5_box.csv")
    answered = frame["THERM_W5"] != 999.0
    assert int(box["Unweighted N"].iloc[0]) == int(answered.sum())
    assert float(box["Upper whisker"].iloc[0]) <= 100  # the Refused code is not an answer
    svy = pw.read(tmp_path / "w.sav")
    median = svy.quantile("THERM_W5", 0.5).to_frame()["estimate"].iloc[0]
    assert float(box["Median"].iloc[0]) == pytest.approx(median)


def test_a_file_of_numbers_only_gets_a_starter(tmp_path):
    _wave(tmp_path / "w.sav", labelled=False)
    made = file_starter(str(tmp_path / "w.sav"))
    assert made.questions == 0
    assert "[[topline]]" not in made.text and made.text.count("[[distribution]]") == 2


def test_at_most_six_are_proposed_and_the_rest_counted(tmp_path):
    rng = np.random.default_rng(9)
    n = 200
    frame = pd.DataFrame({f"N{i}": rng.normal(50, 10, n).round(1) for i in range(MAX_DISTRIBUTIONS + 3)})
    frame["weight"] = rng.uniform(0.5, 2, n)
    frame.to_csv(tmp_path / "n.csv", index=False)
    made = file_starter(str(tmp_path / "n.csv"))
    assert made.text.count("[[distribution]]") == MAX_DISTRIBUTIONS
    why = next(w for w in made.choices if "numeric questions" in w)
    assert why.startswith(f"{MAX_DISTRIBUTIONS + 3} numeric questions") and "(the first 6 are in the spec)" in why


def test_codes_ids_and_paradata_are_not_questions(tmp_path):
    rng = np.random.default_rng(10)
    n = 300
    names = ["ZIP", "county_fips", "RESP_ID", "START_TIME", "Duration", "birth_year", "LAT", "SCORE", "DAYS_ONLINE"]
    frame = pd.DataFrame({c: rng.integers(0, 60, n).astype(float) for c in names})
    frame["weight"] = rng.uniform(0.5, 2, n)
    frame.to_csv(tmp_path / "c.csv", index=False)
    # SCORE and DAYS_ONLINE are answers ("DAYS" is not the word "DAY")
    assert numeric_items(pw.read(tmp_path / "c.csv")) == ["SCORE", "DAYS_ONLINE"]


def test_the_lines_quote_hostile_names():
    lines = distribution_lines(['Q"1\n[x]'], {'Q"1\n[x]': "Wording\r\n# not a key = 1"})
    assert lines[:2] == ['# Q"1 [x] (a number): Wording # not a key = 1', "[[distribution]]"]
    assert 'var = "Q\\"1\\n[x]"' in lines
