"""Files from other survey houses, from ``pewlike init`` to the report.

A GSS-like ``.sav``: skip codes ("IAP" declared user-missing, "Legitimate skip" not), a
"Prefer not to say" coded -2 (before the answers), a weight named ``WTSSALL`` and a stratified
cluster design.  A CSV exported by a European spreadsheet: semicolons, decimal commas and
"Inapplicable" written out as text.  Each file is generated here (seeded); the report's numbers
are checked against numpy.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
from click.testing import CliRunner

import pewlike as pw
from pewlike.cli import main
from pewlike.report.spec import load

PRIVACY = {1.0: "Very concerned", 2.0: "Somewhat concerned", 3.0: "Not too concerned", 4.0: "Not at all concerned"}


def _gss_like(path: Path, n: int = 1200) -> pd.DataFrame:
    rng = np.random.default_rng(2024)
    privacy = rng.choice([1.0, 2.0, 3.0, 4.0, 8.0], n, p=[0.3, 0.3, 0.2, 0.15, 0.05])
    privacy[rng.random(n) < 0.3] = -1.0  # IAP: not asked
    trust = rng.choice([1.0, 2.0, 3.0, -2.0], n, p=[0.3, 0.3, 0.34, 0.06])
    trust[rng.random(n) < 0.1] = -3.0  # legitimate skip, not declared missing
    frame = pd.DataFrame(
        {
            "VSTRAT": rng.integers(1, 11, n).astype(float),
            "VPSU": rng.integers(1, 3, n).astype(float),
            "WTSSALL": rng.uniform(0.4, 2.5, n).round(4),
            "PRIVACY": privacy,
            "TRUSTGOV": trust,
            "SEX": rng.choice([1.0, 2.0], n),
        }
    )
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=["Stratum", "PSU", "Weight", "Concern about privacy", "Trust in government", "Sex"],
        variable_value_labels={
            "PRIVACY": {-1.0: "IAP", **PRIVACY, 8.0: "Don't know"},
            "TRUSTGOV": {
                -3.0: "Legitimate skip",
                -2.0: "Prefer not to say",
                1.0: "Trust",
                2.0: "Neither",
                3.0: "Distrust",
            },
            "SEX": {1.0: "Male", 2.0: "Female"},
        },
        missing_ranges={"PRIVACY": [-1.0, 8.0]},
        variable_measure={"PRIVACY": "nominal", "TRUSTGOV": "nominal", "SEX": "nominal"},
    )
    return frame


def _share(frame: pd.DataFrame, col: str, value: float, base: pd.Series) -> int:
    w = frame["WTSSALL"]
    return int(np.floor(100 * w[base & (frame[col] == value)].sum() / w[base].sum() + 0.5))


def test_a_gss_like_file_from_init_to_report(tmp_path):
    frame = _gss_like(tmp_path / "gss.sav")
    spec = tmp_path / "report.toml"
    res = CliRunner().invoke(main, ["init", str(tmp_path / "gss.sav"), "-o", str(spec)])
    assert res.exit_code == 0, res.output
    assert 'WTSSALL looks like one: set [data] weights = "WTSSALL" to use it' in res.output
    assert "design: VSTRAT (strata) and VPSU (PSUs) look like the sample's" in res.output
    # SEX, as the GSS names it, is the demographic the crosstabs are by, not a question
    assert [t.var for t in load(spec).toplines] == ["PRIVACY", "TRUSTGOV"]
    assert load(spec).defaults.by == ("SEX",)
    assert "demographics (no F_ profile variable; named as other surveys name them" in res.output
    assert load(spec).data.strata is None  # proposed, not chosen
    text = spec.read_text(encoding="utf-8").replace("weights = false", 'weights = "WTSSALL"')
    text = text.replace('base = "valid"', 'base = "all"')
    # the user uncomments the design the starter proposes (VPSU numbers restart in each stratum)
    text, uncommented = re.subn(r"(?m)^# ((?:strata|psu|nest) = )", r"\1", text)
    assert uncommented == 3 and "lonely_psu" not in text
    spec.write_text(text, encoding="utf-8")
    data = load(spec).data
    assert (data.strata, data.psu, data.nest) == ("VSTRAT", "VPSU", True)
    res = CliRunner().invoke(main, ["report", str(spec), "--out", str(tmp_path / "out"), "--no-cache", "-q"])
    assert res.exit_code == 0, res.output
    tables = tmp_path / "out" / "tables"
    privacy = pd.read_csv(tables / "topline_PRIVACY.csv")
    asked = frame["PRIVACY"] != -1.0
    assert privacy["Response"].str.strip().tolist() == [
        "NET Very/Somewhat concerned",
        "Very concerned",
        "Somewhat concerned",
        "NET Not too/Not at all concerned",
        "Not too concerned",
        "Not at all concerned",
        "Don't know",
    ]
    got = dict(zip(privacy["Response"].str.strip(), privacy["%"].astype(str)))
    assert got["Very concerned"] == str(_share(frame, "PRIVACY", 1.0, asked))
    assert got["Don't know"] == str(_share(frame, "PRIVACY", 8.0, asked))
    trust = pd.read_csv(tables / "topline_TRUSTGOV.csv")
    assert trust["Response"].tolist() == ["Trust", "Neither", "Distrust", "Prefer not to say"]  # missing last
    asked = frame["TRUSTGOV"] != -3.0
    assert trust["%"].astype(str).tolist()[-1] == str(_share(frame, "TRUSTGOV", -2.0, asked))
    cross = pd.read_csv(tables / "crosstab_PRIVACY.csv", dtype=str)
    cross.index = cross["Response"].str.strip()
    women = (frame["PRIVACY"] != -1.0) & (frame["SEX"] == 2.0)
    assert cross.loc["Very concerned", "Female (B)"].rstrip(" A") == str(_share(frame, "PRIVACY", 1.0, women))
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert f"Asked of {int((frame['PRIVACY'] != -1.0).sum()):,} of 1,200 respondents" in md
    assert "Legitimate skip" not in md and "IAP" not in md
    assert "Stratified 1 - level Cluster Sampling design" in md


def test_a_semicolon_csv_with_text_skips_gets_a_report(tmp_path):
    rng = np.random.default_rng(77)
    n = 500
    agree = ["Strongly agree", "Agree", "Disagree", "Strongly disagree"]
    frame = pd.DataFrame(
        {
            "AGREE": rng.choice([*agree, "Inapplicable"], n, p=[0.2, 0.3, 0.2, 0.15, 0.15]),
            "weight": rng.uniform(0.3, 3.0, n).round(4),
        }
    )
    path = tmp_path / "export.csv"
    frame.to_csv(path, sep=";", decimal=",", index=False)
    res = CliRunner().invoke(main, ["report", "--data", str(path), "--out", str(tmp_path / "out"), "--no-cache", "-q"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "out" / "tables" / "topline_AGREE.csv")
    assert [r.strip() for r in table["Response"] if not r.startswith("NET")] == agree
    asked = frame["AGREE"] != "Inapplicable"
    w = frame["weight"]
    strongly = int(np.floor(100 * w[asked & (frame["AGREE"] == "Strongly agree")].sum() / w[asked].sum() + 0.5))
    assert dict(zip(table["Response"].str.strip(), table["%"].astype(str)))["Strongly agree"] == str(strongly)
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert f"Asked of {int(asked.sum()):,} of {n:,} respondents" in md


def test_pews_own_phone_survey_is_crossed_by_its_demographics(tmp_path):
    """Pew's Dec 2013 survey (pewmethods) names its demographics sex, recage, receduc ... without F_."""
    from pewlike.report.starter import file_starter, other_demographics

    src = Path(__file__).resolve().parents[1] / "reference" / "weighting" / "pewmethods" / "dec13_excerpt.csv"
    made = file_starter(str(src), spec_path=str(tmp_path / "report.toml"))
    (tmp_path / "report.toml").write_text(made.text, encoding="utf-8")
    spec = load(tmp_path / "report.toml")
    assert spec.defaults.by == ("recage", "sex", "receduc", "racethn2", "party", "cregion")
    assert [t.var for t in spec.toplines] == ["q1", "q2", "q45", "partyln"]
    assert [c.var for c in spec.crosstabs] == ["q1", "q2", "q45", "partyln"]
    # a file of demographics only keeps them as its questions
    frame = pd.DataFrame({"sex": ["Male", "Female"] * 20, "party": ["Rep", "Dem", "Ind", "Other"] * 10})
    frame.to_csv(tmp_path / "d.csv", index=False)
    only = file_starter(str(tmp_path / "d.csv"))
    assert only.questions == 2 and "by = []" in only.text
    # a file with F_ profile variables is crossed by them: the other names stay questions there
    frame = pd.DataFrame({"F_SEX": ["Male", "Female"] * 20, "sex": ["Yes", "No", "No", "Yes"] * 10})
    frame.to_csv(tmp_path / "atp.csv", index=False)
    atp = file_starter(str(tmp_path / "atp.csv"))
    assert 'by = ["F_SEX"]' in atp.text and 'var = "sex"' in atp.text
    assert other_demographics(pw.read(tmp_path / "atp.csv", weights=None)) == [("sex", "sex or gender")]
