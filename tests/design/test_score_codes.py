"""A labelled question's SPSS codes as numbers (a 0-10 scale labelled only at its ends).

R reads such a column with ``haven::read_sav`` as a labelled double and averages it with
``svymean(~as.numeric(zap_missing(x)))``; pewlike reads it as answers (``as_factor``), so
``svy.score(var, "codes")``, a spec's ``score = {var = ..., map = "codes"}`` and
``pewlike mean VAR --codes`` give the numbers back.  Checked against numpy on generated files.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

import pewlike as pw
from pewlike.cli import main
from pewlike.errors import LabelWarning, SpecError, VariableError
from pewlike.report import spec as specmod
from pewlike.report.advice import for_cli, for_spec
from pewlike.report.universe import derive

#: the scale's unlabelled middle codes (1..9) are said once per read; not what these tests check
pytestmark = pytest.mark.filterwarnings("ignore::pewlike.errors.LabelWarning")


def _scale_file(path, seed: int) -> pd.DataFrame:
    """A 0-10 scale with its ends and 99 'Refused' labelled, a question whose labels repeat, a weight."""
    rng = np.random.default_rng(seed)
    n = 400
    scale = rng.integers(0, 11, n).astype(float)
    scale[rng.random(n) < 0.05] = 99.0
    dup = rng.integers(1, 4, n).astype(float)
    frame = pd.DataFrame(
        {
            "CONC10_W104": scale,
            "DUP_W104": dup,
            "GRP": rng.integers(1, 3, n).astype(float),
            "WEIGHT_W104": rng.gamma(3.0, 0.3, n),
        }
    )
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels={"CONC10_W104": "From 0 to 10, how concerned are you?"},
        variable_value_labels={
            "CONC10_W104": {0.0: "Not at all concerned", 10.0: "Extremely concerned", 99.0: "Refused"},
            "DUP_W104": {1.0: "Yes", 2.0: "No", 3.0: "Yes"},
            "GRP": {1.0: "North", 2.0: "South"},
        },
        missing_ranges={"CONC10_W104": [99.0]},
        variable_measure={"CONC10_W104": "scale"},
    )
    return frame


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    return float(np.sum(values * weights) / np.sum(weights))


@pytest.mark.parametrize("seed", [1, 2])
def test_codes_score_a_scale_labelled_at_its_ends(tmp_path, seed):
    frame = _scale_file(tmp_path / "w.sav", seed)
    svy = pw.read(tmp_path / "w.sav", weights="WEIGHT_W104")
    with pytest.raises(VariableError, match=r"or svy\.score\('CONC10_W104', 'codes'\) for its SPSS codes as numbers"):
        svy.mean("CONC10")
    scored = svy.score("CONC10", "codes")
    got = scored.mean("CONC10_score").to_frame().iloc[0]
    ok = frame["CONC10_W104"].to_numpy() != 99.0
    y, w = frame["CONC10_W104"].to_numpy()[ok], frame["WEIGHT_W104"].to_numpy()[ok]
    assert got["estimate"] == pytest.approx(_weighted_mean(y, w), rel=1e-12)
    assert got["n"] == ok.sum()
    # the same numbers given as a plain numeric column: the same estimate and standard error
    plain = pw.Survey(frame.assign(C=np.where(ok, frame["CONC10_W104"], np.nan)), weights="WEIGHT_W104")
    ref = plain.mean("C").to_frame().iloc[0]
    assert got["std_error"] == pytest.approx(ref["std_error"], rel=1e-12)
    # codes are the numbers in the file, not the positions of the answers (0 is "Not at all concerned")
    assert np.nanmin(scored.data["CONC10_score"].to_numpy()) == 0.0
    assert scored.question("CONC10_score") == "From 0 to 10, how concerned are you?"


def test_the_warning_on_unlabelled_middle_codes_names_the_fix(tmp_path):
    _scale_file(tmp_path / "w.sav", 6)
    with pytest.warns(LabelWarning) as got:
        pw.read(tmp_path / "w.sav", weights="WEIGHT_W104")
    msg = str(got[0].message)
    assert "CONC10_W104: 1-9 between its labelled ends; svy.score('CONC10_W104', 'codes') gives its SPSS codes" in msg
    # as the command line shows it (pewlike: warning: ...) and as a spec reader reads it
    assert "1-9 between its labelled ends; `pewlike mean CONC10_W104 --codes` averages its SPSS codes" in for_cli(msg)
    assert "a [[derive]] with score = {var = 'CONC10_W104', map = \"codes\"} gives its SPSS codes" in for_spec(msg)


def test_codes_of_repeated_labels_and_by_groups(tmp_path):
    frame = _scale_file(tmp_path / "w.sav", 3)
    svy = pw.read(tmp_path / "w.sav", weights="WEIGHT_W104").score("DUP", "codes", name="D")
    np.testing.assert_array_equal(svy.data["D"].to_numpy(), frame["DUP_W104"].to_numpy())
    by = svy.mean("D", by="GRP").to_frame()
    for code, name in ((1.0, "North"), (2.0, "South")):
        rows = frame["GRP"].to_numpy() == code
        expected = _weighted_mean(frame["DUP_W104"].to_numpy()[rows], frame["WEIGHT_W104"].to_numpy()[rows])
        assert by.loc[by["GRP"] == name, "estimate"].iloc[0] == pytest.approx(expected, rel=1e-12)


def test_text_answers_have_no_codes_to_score():
    frame = pd.DataFrame({"Q": pd.Categorical(["High", "Low", "High"]), "w": [1.0, 2.0, 1.0]})
    svy = pw.Survey(frame, weights="w")
    with pytest.raises(VariableError, match=r"'High' of 'Q' has no numeric code to score it by; give a mapping"):
        svy.score("Q", "codes")
    with pytest.raises(VariableError) as err:
        svy.mean("Q")
    assert "score" not in str(err.value)  # no advice that cannot work


def test_numbers_as_categories_score_as_themselves():
    frame = pd.DataFrame({"Q": pd.Categorical(["1", "5", "10", None]), "w": [1.0, 2.0, 1.0, 1.0]})
    scored = pw.Survey(frame, weights="w").score("Q", "codes")
    np.testing.assert_array_equal(scored.data["Q_score"].to_numpy(), [1.0, 5.0, 10.0, np.nan])


def test_spec_derive_scores_by_codes(tmp_path):
    frame = _scale_file(tmp_path / "w.sav", 4)
    spec = specmod.loads(
        f'[data]\nfile = "{(tmp_path / "w.sav").as_posix()}"\nweights = "WEIGHT_W104"\n'
        '[[derive]]\nname = "C10"\nscore = {var = "CONC10", map = "codes"}\n'
        '[[topline]]\nvar = "GRP"\n'
    )
    assert (spec.derive[0].codes, spec.derive[0].mapping) == (True, None)
    svy = derive(spec, pw.read(tmp_path / "w.sav", weights="WEIGHT_W104"))
    ok = frame["CONC10_W104"].to_numpy() != 99.0
    expected = _weighted_mean(frame["CONC10_W104"].to_numpy()[ok], frame["WEIGHT_W104"].to_numpy()[ok])
    assert svy.mean("C10").to_frame()["estimate"].iloc[0] == pytest.approx(expected, rel=1e-12)
    with pytest.raises(SpecError, match=r'score\.map must be a non-empty table \(or "codes"'):
        specmod.loads('[data]\nfile = "x.sav"\n[[derive]]\nname = "C"\nscore = {var = "Q", map = "code"}\n')


def test_cli_mean_codes(tmp_path):
    frame = _scale_file(tmp_path / "w.sav", 5)
    runner = CliRunner()
    base = ["--data", str(tmp_path / "w.sav"), "--weights", "WEIGHT_W104"]
    refused = runner.invoke(main, ["mean", "CONC10", *base])
    assert refused.exit_code != 0
    assert "or `pewlike mean CONC10_W104 --codes` for its SPSS codes as numbers" in refused.output
    res = runner.invoke(main, ["mean", "CONC10", "--codes", *base, "--format", "csv"])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(io.StringIO(res.stdout))
    ok = frame["CONC10_W104"].to_numpy() != 99.0
    expected = _weighted_mean(frame["CONC10_W104"].to_numpy()[ok], frame["WEIGHT_W104"].to_numpy()[ok])
    assert got["variable"].iloc[0] == "CONC10_W104_codes"
    assert got["estimate"].iloc[0] == pytest.approx(expected, rel=1e-9)
    # a numeric variable is its own codes
    num = runner.invoke(main, ["mean", "WEIGHT_W104", "--codes", *base, "--format", "csv"])
    assert num.exit_code == 0, num.output
    w = frame["WEIGHT_W104"].to_numpy()
    assert pd.read_csv(io.StringIO(num.stdout))["estimate"].iloc[0] == pytest.approx(_weighted_mean(w, w), rel=1e-9)
