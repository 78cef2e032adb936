"""Waves shaped unlike the demo, from ``pewlike init`` to the report.

ATP files name a battery's items ``SMUSE_a_W80`` .. ``SMUSE_none_W80`` as often as ``PP5a``;
other panels number them ``Q5_1``.  Pew asks "good or bad for society" on a Very good ..
Very bad scale.  Zero weights mark respondents outside a weight's universe.  Each file is
generated here (seeded).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

from pewlike.cli import main
from pewlike.report.spec import load

SEL = {0.0: "Not selected", 1.0: "Selected"}
GOOD = {1.0: "Very good", 2.0: "Somewhat good", 3.0: "Somewhat bad", 4.0: "Very bad", 99.0: "Refused"}
ITEMS = ["SMUSE_a_W80", "SMUSE_b_W80", "SMUSE_c_W80", "SMUSE_none_W80"]
GRID = ["SOCIETYa_W80", "SOCIETYb_W80", "SOCIETYc_W80"]


def _wave(path: Path, *, zero_weights: int = 0) -> Path:
    rng = np.random.default_rng(80)
    n = 600
    data: dict[str, np.ndarray] = {"QKEY": np.arange(1.0, n + 1)}
    chosen = rng.random((n, 3)) < [0.6, 0.4, 0.2]
    for j, col in enumerate(ITEMS[:3]):
        data[col] = chosen[:, j].astype(float)
    data[ITEMS[3]] = (~chosen.any(axis=1)).astype(float)
    for col in GRID:
        data[col] = rng.choice([1.0, 2.0, 3.0, 4.0, 99.0], n, p=[0.2, 0.3, 0.25, 0.2, 0.05])
    data["F_AGECAT"] = rng.choice([1.0, 2.0, 3.0, 4.0], n)
    w = rng.gamma(4.0, 0.25, n)
    w[:zero_weights] = 0.0
    data["WEIGHT_W80"] = w
    wording = dict(
        zip(
            ITEMS,
            [
                "Which do you use? Facebook",
                "Which do you use? YouTube",
                "Which do you use? TikTok",
                "Which do you use? None of these",
            ],
        )
    ) | dict(zip(GRID, [f"Good or bad for society: {t}" for t in ("AI", "Social media", "Smartphones")]))
    pyreadstat.write_sav(
        pd.DataFrame(data),
        str(path),
        column_labels=wording,
        variable_value_labels=dict.fromkeys(ITEMS, SEL)
        | dict.fromkeys(GRID, GOOD)
        | {"F_AGECAT": {1.0: "18-29", 2.0: "30-49", 3.0: "50-64", 4.0: "65+"}},
        missing_ranges={c: [99.0] for c in GRID},
        variable_measure=dict.fromkeys([*ITEMS, *GRID, "F_AGECAT"], "nominal"),
    )
    return path


def _init(tmp_path: Path, **kw) -> tuple[Path, CliRunner]:
    runner = CliRunner()
    data = _wave(tmp_path / "w80.sav", **kw)
    spec = tmp_path / "w80.toml"
    res = runner.invoke(main, ["init", str(data), "-o", str(spec)])
    assert res.exit_code == 0, res.output
    text = spec.read_text(encoding="utf-8").replace(
        'formats = ["html", "md", "csv", "xlsx", "png", "svg"]', 'formats = ["md"]'
    )
    spec.write_text(text, encoding="utf-8")
    return spec, runner


def test_underscore_battery_and_good_bad_grid_are_proposed_and_reported(tmp_path):
    spec, runner = _init(tmp_path)
    s = load(spec)
    assert [list(b.items) for b in s.select_alls] == [ITEMS]
    assert [list(g.items) for g in s.grids] == [GRID]
    picked = [t.var for t in s.toplines]
    assert picked == GRID  # battery items are not toplined one by one; the scale questions are
    out = tmp_path / "rep"
    res = runner.invoke(main, ["report", str(spec), "--out", str(out), "-q", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    md = (out / "report.md").read_text(encoding="utf-8")
    data, _ = pyreadstat.read_sav(str(tmp_path / "w80.sav"))
    w = data["WEIGHT_W80"]
    facebook = 100 * np.average(data["SMUSE_a_W80"], weights=w)
    assert f"| Facebook | {facebook:.0f} |" in md
    good = data["SOCIETYa_W80"].isin([1.0, 2.0])
    valid = data["SOCIETYa_W80"].notna()  # pyreadstat reads the user-missing 99 (Refused) as NaN
    net_good = 100 * np.average(good[valid], weights=w[valid])
    res = runner.invoke(main, ["select-all", "SMUSE", "--data", str(tmp_path / "w80.sav"), "--format", "csv"])
    assert res.exit_code == 0, res.output  # the battery's stem names it on the command line
    got = pd.read_csv(io.StringIO(res.output))
    assert set(got["variable"]) == {"SMUSE"} and set(ITEMS) <= set(got["item"])
    row = next(line for line in md.splitlines() if line.startswith("| AI |"))
    assert row.rstrip(" |").split(" | ")[-2] == f"{net_good:.0f}"  # NET Very/Somewhat good


@pytest.mark.parametrize("zeros", [0, 45])
def test_zero_weights_are_said_under_the_weights_table(tmp_path, zeros):
    spec, runner = _init(tmp_path, zero_weights=zeros)
    out = tmp_path / "rep"
    res = runner.invoke(main, ["report", str(spec), "--out", str(out), "-q", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    md = (out / "report.md").read_text(encoding="utf-8")
    assert f"| Respondents | {600 - zeros} |" in md
    said = f"{zeros} of the 600 respondents have a weight of zero and are not counted in these statistics."
    assert (said in md) == (zeros > 0)


def _panel_file(path: Path, weights: list[str]) -> Path:
    rng = np.random.default_rng(81)
    n = 120
    frame = pd.DataFrame({"Q1_W81": rng.choice([1.0, 2.0], n)})
    for j, col in enumerate(weights):
        frame[col] = rng.uniform(0.5, 2.0, n) + j
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"Q1_W81": {1.0: "Yes", 2.0: "No"}})
    return path


def test_a_panel_file_with_several_weights_gets_a_starter_with_the_latest_wave_weight(tmp_path):
    data = _panel_file(tmp_path / "panel.sav", ["WEIGHT_W80", "WEIGHT_W81", "WEIGHT_W79"])
    runner = CliRunner()
    res = runner.invoke(main, ["init", str(data), "-o", str(tmp_path / "p.toml")])
    assert res.exit_code == 0, res.output
    assert "weight: WEIGHT_W81, the latest wave's of the file's weight columns WEIGHT_W80, WEIGHT_W81, WEIGHT_W79" in (
        res.output
    )
    assert load(tmp_path / "p.toml").data.weights == "WEIGHT_W81"
    res = runner.invoke(main, ["report", "--data", str(data), "--out", str(tmp_path / "rep"), "-q", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert "Weight: WEIGHT_W81." in (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    res = runner.invoke(main, ["codebook", str(data), "--format", "csv"])  # a codebook needs no weight
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0].startswith("name,label,type") and "WEIGHT_W79" in res.output
    res = runner.invoke(main, ["topline", "Q1_W81", "--data", str(data)])  # an estimate does: say how to give it
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "pewlike: error: several weight columns found: WEIGHT_W80, WEIGHT_W81, WEIGHT_W79; "
        "give --weights 'WEIGHT_W80' (or another)"
    ]
    res = runner.invoke(main, ["topline", "Q1_W81", "--data", str(data), "--weights", "WEIGHT_W79"])
    assert res.exit_code == 0, res.output
    frame, _ = pyreadstat.read_sav(str(data))
    yes = 100 * np.average(frame["Q1_W81"] == 1.0, weights=frame["WEIGHT_W79"])
    assert any(line.split()[:2] == ["Yes", f"{yes:.0f}"] for line in res.output.splitlines())


def test_cli_warnings_are_one_line_with_command_line_advice(tmp_path):
    data = tmp_path / "noweight.sav"
    pyreadstat.write_sav(
        pd.DataFrame({"Q1": [1.0, 2.0] * 30}), str(data), variable_value_labels={"Q1": {1.0: "Yes", 2.0: "No"}}
    )
    res = CliRunner().invoke(main, ["topline", "Q1", "--data", str(data)])
    assert res.exit_code == 0, res.output
    warning = [line for line in res.output.splitlines() if "warning" in line]
    assert warning == [
        "pewlike: warning: no weight column found (looked for WEIGHT_W<n> or weight); using equal weights. "
        "Give the weight column with --weights COLUMN"
    ]


def test_a_weight_named_as_other_houses_do_is_suggested_not_chosen(tmp_path):
    """GSS calls its weight WTSSALL: every path says so and how to use it, none takes it silently."""
    import warnings

    import pewlike as pw
    from pewlike.errors import WeightWarning

    rng = np.random.default_rng(12)
    frame = pd.DataFrame(
        {"ID": np.arange(1.0, 301), "Q1": rng.choice([1.0, 2.0], 300), "WTSSALL": rng.gamma(4, 0.25, 300)}
    )
    data = tmp_path / "gss.sav"
    pyreadstat.write_sav(frame, str(data), variable_value_labels={"Q1": {1.0: "Yes", 2.0: "No"}})
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        svy = pw.read(data)
    assert [str(w.message) for w in rec if issubclass(w.category, WeightWarning)] == [
        "no weight column found (looked for WEIGHT_W<n> or weight); using equal weights. "
        "WTSSALL looks like one: pass weights='WTSSALL', or weights=None for unweighted"
    ]
    assert np.all(svy.weights == 1.0)
    res = CliRunner().invoke(main, ["topline", "Q1", "--data", str(data)])
    assert res.exit_code == 0, res.output
    assert [line for line in res.output.splitlines() if "warning" in line] == [
        "pewlike: warning: no weight column found (looked for WEIGHT_W<n> or weight); using equal weights. "
        "WTSSALL looks like one: give --weights WTSSALL"
    ]
    spec = tmp_path / "report.toml"
    res = CliRunner().invoke(main, ["init", str(data), "--output", str(spec)])
    assert res.exit_code == 0, res.output
    assert (
        "  weight: none named WEIGHT_W<n> or weight, so unweighted; WTSSALL looks like one: "
        'set [data] weights = "WTSSALL" to use it'
    ) in res.output.splitlines()
    assert load(spec).data.weights is False
    res = CliRunner().invoke(main, ["report", "--data", str(data), "--out", str(tmp_path / "out"), "--no-cache"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0] == (
        "pewlike: note: no column named WEIGHT_W<n> or weight, so the report is unweighted; WTSSALL looks like "
        'one: write a spec with `pewlike init DATA` and set [data] weights = "WTSSALL" in it'
    )


def test_a_complex_design_is_named_in_the_methods_notes(tmp_path):
    rng = np.random.default_rng(77)
    n = 500
    stratum = rng.integers(1, 5, n).astype(float)
    frame = pd.DataFrame(
        {
            "CONCERN_W77": rng.choice([1.0, 2.0, 3.0, 4.0], n),
            "F_AGECAT": rng.choice([1.0, 2.0], n),
            "STRATUM": stratum,
            "PSU": stratum * 10 + rng.integers(1, 4, n),
            "WEIGHT_W77": rng.uniform(0.5, 2.0, n),
        }
    )
    scale = {1.0: "Very concerned", 2.0: "Somewhat concerned", 3.0: "Not too concerned", 4.0: "Not at all concerned"}
    labels = {"CONCERN_W77": scale, "F_AGECAT": {1.0: "18-49", 2.0: "50+"}}
    pyreadstat.write_sav(frame, str(tmp_path / "d.sav"), variable_value_labels=labels)
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "d.sav"), "-o", str(tmp_path / "d.toml")]).exit_code == 0
    text = (tmp_path / "d.toml").read_text(encoding="utf-8")
    text = text.replace('weights = "WEIGHT_W77"\n', 'weights = "WEIGHT_W77"\nstrata = "STRATUM"\npsu = "PSU"\n', 1)
    (tmp_path / "d.toml").write_text(
        text.replace('formats = ["html", "md", "csv", "xlsx", "png", "svg"]', 'formats = ["md"]')
    )
    res = runner.invoke(main, ["report", str(tmp_path / "d.toml"), "--out", str(tmp_path / "rep"), "-q", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    clusters = frame["PSU"].nunique()
    assert (
        f"Design: Stratified 1 - level Cluster Sampling design (with replacement); with ({clusters}) clusters; "
        "4 strata (STRATUM). Standard errors, confidence intervals and significance tests take this design into account."
    ) in md
    weights_only = text.replace('strata = "STRATUM"\npsu = "PSU"\n', "")
    (tmp_path / "d.toml").write_text(
        weights_only.replace('formats = ["html", "md", "csv", "xlsx", "png", "svg"]', 'formats = ["md"]')
    )
    res = runner.invoke(main, ["report", str(tmp_path / "d.toml"), "--out", str(tmp_path / "rep"), "-q", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert "Design:" not in (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")


def test_yes_no_questions_asked_in_every_wave_are_proposed_as_trends(tmp_path):
    rng = np.random.default_rng(90)
    scale = {1.0: "Very concerned", 2.0: "Somewhat concerned", 3.0: "Not too concerned", 4.0: "Not at all concerned"}
    files = []
    for wave, n in ((80, 300), (81, 350)):
        frame = pd.DataFrame(
            {
                "QKEY": np.arange(n) + (0.0 if wave == 80 else 150.0),  # panel overlap: keys 150-299 in both
                f"CONCERN_W{wave}": rng.choice([1.0, 2.0, 3.0, 4.0], n),
                f"HEARD_W{wave}": rng.choice([1.0, 2.0], n),
                f"WEIGHT_W{wave}": rng.uniform(0.5, 2.0, n),
            }
        )
        labels = {f"CONCERN_W{wave}": scale, f"HEARD_W{wave}": {1.0: "Yes", 2.0: "No"}}
        files.append(tmp_path / f"w{wave}.sav")
        pyreadstat.write_sav(frame, str(files[-1]), variable_value_labels=labels)
    runner = CliRunner()
    res = runner.invoke(main, ["init", *map(str, files), "-o", str(tmp_path / "t.toml")])
    assert res.exit_code == 0, res.output
    assert [t.var for t in load(tmp_path / "t.toml").trends] == ["CONCERN", "HEARD"]
    res = runner.invoke(main, ["report", str(tmp_path / "t.toml"), "--out", str(tmp_path / "rep"), "-q", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert "**Trend: HEARD**" in (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")


def test_a_merged_panel_file_gets_the_latest_weight_every_respondent_has(tmp_path):
    data = _panel_file(tmp_path / "merged.sav", ["WEIGHT_W80", "WEIGHT_W81", "WEIGHT_W82"])
    frame, meta = pyreadstat.read_sav(str(data))
    frame.loc[:39, "WEIGHT_W82"] = np.nan  # the first 40 respondents did not take wave 82
    pyreadstat.write_sav(frame, str(data), variable_value_labels=meta.variable_value_labels)
    res = CliRunner().invoke(main, ["init", str(data), "-o", str(tmp_path / "m.toml")])
    assert res.exit_code == 0, res.output
    assert (
        "weight: WEIGHT_W81, the latest wave's that every respondent has (WEIGHT_W82 is missing for some; "
        "change [data] weights to use another)"
    ) in res.output
    assert load(tmp_path / "m.toml").data.weights == "WEIGHT_W81"


def test_a_csv_with_text_answers_gets_a_starter_spec(tmp_path):
    rng = np.random.default_rng(12)
    n = 400
    frame = pd.DataFrame(
        {
            "RESPID": np.arange(n),
            "CONCERN": rng.choice(
                ["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"], n
            ),
            "HEARD": rng.choice(["Yes", "No"], n),
            "COMMENT": [f"free text {i}" for i in range(n)],  # an open end: not a question to tabulate
            "F_AGECAT": rng.choice(["18-29", "30-49", "50-64", "65+"], n),
            "WEIGHT": rng.uniform(0.5, 2.0, n),
        }
    )
    frame.to_csv(tmp_path / "survey.csv", index=False)
    runner = CliRunner()
    res = runner.invoke(main, ["init", str(tmp_path / "survey.csv"), "-o", str(tmp_path / "s.toml")])
    assert res.exit_code == 0, res.output  # before: "no reportable question found"
    s = load(tmp_path / "s.toml")
    assert [t.var for t in s.toplines] == ["CONCERN", "HEARD"] and list(s.defaults.by) == ["F_AGECAT"]
    res = runner.invoke(main, ["report", str(tmp_path / "s.toml"), "--out", str(tmp_path / "rep"), "-q", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    yes = 100 * np.average(frame["HEARD"] == "Yes", weights=frame["WEIGHT"])
    assert f"| Yes | {yes:.0f} |" in md


def test_questions_nobody_answered_are_left_out_of_the_starter(tmp_path):
    """A merged file carries a question of another wave, blank (or all Refused) here: the report still builds."""
    rng = np.random.default_rng(44)
    n = 300
    yes_no = {1.0: "Yes", 2.0: "No", 99.0: "Refused"}
    frame = pd.DataFrame(
        {
            "ASKED_W90": rng.choice([1.0, 2.0, 99.0], n, p=[0.5, 0.45, 0.05]),
            "OTHERWAVE_W91": np.full(n, np.nan),
            "REFUSED_W90": np.full(n, 99.0),
            "WEIGHT_W90": rng.gamma(4.0, 0.25, n),
        }
    )
    data = tmp_path / "merged.sav"
    pyreadstat.write_sav(
        frame, str(data), variable_value_labels=dict.fromkeys(["ASKED_W90", "OTHERWAVE_W91", "REFUSED_W90"], yes_no)
    )
    res = CliRunner().invoke(main, ["init", str(data), "-o", str(tmp_path / "m.toml")])
    assert res.exit_code == 0, res.output
    assert "  left out 2 questions nobody answered: OTHERWAVE_W91, REFUSED_W90" in res.output.splitlines()
    assert [item.var for item in load(tmp_path / "m.toml").toplines] == ["ASKED_W90"]
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["report", "--data", str(data), "--out", str(out), "--no-cache", "-q"])
    assert res.exit_code == 0, res.output
    w = frame["WEIGHT_W90"][frame["ASKED_W90"] != 99.0]
    yes = 100 * w[frame["ASKED_W90"] == 1.0].sum() / w.sum()
    table = (out / "tables" / "topline_ASKED_W90.csv").read_text(encoding="utf-8")
    assert f"Yes,{yes:.0f}" in table.replace('"', "")


def test_waves_spelling_an_answer_differently_get_a_trend(tmp_path):
    """'Very Concerned ' in one wave and 'Very concerned' in the other: one question, one trend."""
    paths = []
    for wave, very in ((90, "Very concerned"), (95, "Very Concerned ")):
        rng = np.random.default_rng(wave)
        labels = {1.0: very, 2.0: "Somewhat concerned", 3.0: "Not too concerned", 4.0: "Not at all concerned"}
        frame = pd.DataFrame(
            {f"CONCERN_W{wave}": rng.choice([1.0, 2.0, 3.0, 4.0], 500), f"WEIGHT_W{wave}": rng.gamma(4.0, 0.25, 500)}
        )
        path = tmp_path / f"w{wave}.sav"
        pyreadstat.write_sav(frame, str(path), variable_value_labels={f"CONCERN_W{wave}": labels | {99.0: "Refused"}})
        paths.append((path, frame))
    spec = tmp_path / "t.toml"
    res = CliRunner().invoke(main, ["init", str(paths[0][0]), str(paths[1][0]), "-o", str(spec)])
    assert res.exit_code == 0, res.output
    assert [t.var for t in load(spec).trends] == ["CONCERN"]
    res = CliRunner().invoke(main, ["report", str(spec), "--out", str(tmp_path / "out"), "--no-cache", "-q"])
    assert res.exit_code == 0, res.output
    frame = paths[1][1]
    very = 100 * frame["WEIGHT_W95"][frame["CONCERN_W95"] == 1.0].sum() / frame["WEIGHT_W95"].sum()
    rows = pd.read_csv(tmp_path / "out" / "tables" / "trend_CONCERN.csv")
    assert rows.iloc[0, 0] == "Very concerned" and int(rows.iloc[0, 2]) == int(np.floor(very + 0.5))


def test_a_starter_report_reports_an_item_it_cannot_build_and_builds_the_rest(tmp_path):
    """A question asked only of respondents who refused the banner variable: no pair for its crosstab.

    ``report --data`` (a spec pewlike wrote) shows the failure in its place and writes the rest;
    the same spec written by ``init`` and run by the user stops with the one-line error.
    """
    rng = np.random.default_rng(45)
    n = 120
    age = rng.choice([1.0, 2.0, 3.0], n)
    refused_age = np.arange(n) < 30
    age[refused_age] = 99.0
    conc = np.where(refused_age, rng.choice([1.0, 2.0], n), np.nan)  # asked only of those who refused age
    trust = rng.choice([1.0, 2.0, 3.0], n)
    frame = pd.DataFrame({"CONC_W50": conc, "TRUST_W50": trust, "F_AGECAT": age, "WEIGHT_W50": rng.gamma(4, 0.25, n)})
    data = tmp_path / "w50.sav"
    pyreadstat.write_sav(
        frame,
        str(data),
        variable_value_labels={
            "CONC_W50": {1.0: "Very concerned", 2.0: "Somewhat concerned", 3.0: "Not too concerned"},
            "TRUST_W50": {1.0: "A great deal", 2.0: "Some", 3.0: "None at all"},
            "F_AGECAT": {1.0: "18-29", 2.0: "30-64", 3.0: "65+", 99.0: "Refused"},
        },
        missing_ranges={"F_AGECAT": [99.0]},
    )
    why = (
        "no respondent answered both 'CONC_W50' and 'F_AGECAT' (each has answers, from different respondents); "
        "crosstab 'CONC_W50' by another variable"
    )
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main, ["report", "--data", str(data), "--out", str(out), "--no-cache", "-q", "--jobs", "1"]
    )
    assert res.exit_code == 0, res.output
    assert f"  NOT BUILT: [[crosstab]] #1 (crosstab_CONC_W50): EstimationError: {why}" in res.output.splitlines()
    built = {p.name for p in (out / "tables").iterdir()}
    assert {"topline_CONC_W50.csv", "topline_TRUST_W50.csv", "crosstab_TRUST_W50.csv"} <= built
    assert "crosstab_CONC_W50.csv" not in built
    w = frame["WEIGHT_W50"]
    share = 100 * w[trust == 1.0].sum() / w.sum()
    assert f"A great deal,{share:.0f}" in (out / "tables" / "topline_TRUST_W50.csv").read_text(encoding="utf-8")
    assert why.replace("'", "&#x27;") in (out / "index.html").read_text(encoding="utf-8")
    spec = tmp_path / "w50.toml"
    assert CliRunner().invoke(main, ["init", str(data), "-o", str(spec)]).exit_code == 0
    res = CliRunner().invoke(main, ["report", str(spec), "--out", str(tmp_path / "mine"), "--no-cache", "-q"])
    assert res.exit_code == 1
    assert res.output.strip().splitlines()[-1] == f"pewlike: error: w50.toml: [[crosstab]] #1: {why}"
    assert not (tmp_path / "mine").exists()


@pytest.mark.parametrize("named", ["weight", "PWGTP"])
def test_replicate_weights_are_pointed_out_in_the_starter(tmp_path, named):
    """PWGTP1 .. PWGTP80 beside PWGTP (as ACS files have them): the starter says how to use them.

    Uncommented as it says, with the type the file's documentation gives, the report uses them
    (its methods statement names the replicate design).
    """

    rng = np.random.default_rng(80)
    n, R = 300, 8
    w = rng.gamma(3.0, 30.0, n)
    reps = {f"{named}{'_' if named == 'weight' else ''}{i}": w * np.exp(rng.normal(0, 0.3, n)) for i in range(1, R + 1)}
    frame = pd.DataFrame({**reps, "Q1": rng.choice([1.0, 2.0, 3.0], n), named: w})  # the replicates first
    data = tmp_path / "acs.sav"
    labels = {1.0: "Very concerned", 2.0: "Somewhat concerned", 3.0: "Not at all concerned"}
    pyreadstat.write_sav(frame, str(data), variable_value_labels={"Q1": labels})
    spec = tmp_path / "report.toml"
    res = CliRunner().invoke(main, ["init", str(data), "--output", str(spec)])
    assert res.exit_code == 0, res.output
    first, last = next(iter(reps)), list(reps)[-1]
    assert (
        f"  replicate weights: {first} .. {last} look like {named}'s; the spec says how to use them "
        "(their type is in the file's documentation)"
    ) in res.output.splitlines()
    text = spec.read_text(encoding="utf-8")
    stem = first[:-1]
    lines = text.splitlines()
    at = lines.index(f'# repweights = "{stem}[0-9]*"')
    assert lines[at - 1].startswith(f"# {first} .. {last} look like {R} replicate weights of {named}; to use them, set")
    assert load(spec).data.repweights is None  # a suggestion, not a choice
    used = text.replace(f'# repweights = "{stem}[0-9]*"', f'repweights = "{stem}[0-9]*"')
    used = used.replace("weights = false", f'weights = "{named}"').replace('# reptype = "JK1"', 'reptype = "SDR"\n#')
    spec.write_text(used, encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["report", str(spec), "--out", str(out), "--no-cache", "-q", "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert f"Replicate-weight design: Successive difference replicates (SDR) with {R} replicates" in (
        out / "report.md"
    ).read_text(encoding="utf-8")
    share = 100 * w[frame["Q1"] == 1.0].sum() / w.sum()
    assert f"Very concerned,{share:.0f}" in (out / "tables" / "topline_Q1.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("qualtrics", [True, False])
def test_qualtrics_metadata_columns_are_not_questions(tmp_path, qualtrics):
    """A Qualtrics export starts with Status, Progress, Finished, ResponseId ...: the starter sets them aside.

    The same names in a file that is not a Qualtrics export (no ResponseId and Finished) are questions.
    """
    rng = np.random.default_rng(46)
    n = 200
    frame = pd.DataFrame(
        {
            "Status": np.zeros(n),
            "Progress": np.full(n, 100.0),
            "Finished": rng.choice([0.0, 1.0], n),
            "Q_RecaptchaScore": rng.uniform(0.5, 1.0, n),
            "Q7": rng.choice([1.0, 2.0, 3.0], n),
            "Q8": rng.choice([1.0, 2.0], n),
        }
    )
    if qualtrics:
        frame.insert(0, "ResponseId", [f"R_{i:05d}" for i in range(n)])
    data = tmp_path / "q.sav"
    pyreadstat.write_sav(
        frame,
        str(data),
        variable_value_labels={
            "Status": {0.0: "IP Address", 1.0: "Survey Preview"},
            "Finished": {0.0: "False", 1.0: "True"},
            "Q7": {1.0: "A lot", 2.0: "A little", 3.0: "Not at all"},
            "Q8": {1.0: "Yes", 2.0: "No"},
        },
    )
    spec = tmp_path / "q.toml"
    res = CliRunner().invoke(main, ["init", str(data), "--output", str(spec)])
    assert res.exit_code == 0, res.output
    toplined = [t.var for t in load(spec).toplines]
    assert toplined == (["Q7", "Q8"] if qualtrics else ["Status", "Finished", "Q7", "Q8"])
