"""Answer scales recognised from their labels, whatever the file's measure level (issue #11).

Many ATP files mark every labelled question "nominal"; pewlike used to recognise scales only
when the file said "ordinal", so ``nets="auto"`` gave no nets and ``pewlike init`` found no
question.  The files here are generated (seeded) with each measure level.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import pewlike as pw
from pewlike.errors import EstimationError, SpecError, VariableError
from pewlike.io.codebook import VariableInfo
from pewlike.io.scales import is_scale, is_two_sided, scale_ranks

SCALES = {
    "intensity": ["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"],
    "likely": ["Very likely", "Somewhat likely", "Not too likely", "Not at all likely"],
    "quantity": ["A great deal", "Some", "Very little", "None"],
    "control": ["A great deal of control", "Some control", "Very little control", "No control"],
    "share": ["All or almost all of it", "Most of it", "Some of it", "Very little of it", "None of it"],
    "frequency": ["Always", "Often", "Sometimes", "Rarely", "Never"],
    "frequency_time": ["All of the time", "Most of the time", "Some of the time", "Hardly ever", "Never"],
    "evaluation": ["Excellent", "Good", "Only fair", "Poor"],
    "agree5": [
        "Strongly agree",
        "Somewhat agree",
        "Neither agree nor disagree",
        "Somewhat disagree",
        "Strongly disagree",
    ],
    "agree4": ["Strongly agree", "Agree", "Disagree", "Strongly disagree"],
    "satisfied": ["Very satisfied", "Somewhat satisfied", "Somewhat dissatisfied", "Very dissatisfied"],
    "favorable": ["Very favorable", "Mostly favorable", "Mostly unfavorable", "Very unfavorable"],
    "better": ["A lot better", "A little better", "About the same", "A little worse", "A lot worse"],
    "ideology": ["Very conservative", "Conservative", "Moderate", "Liberal", "Very liberal"],
    "good_bad": ["Very good", "Somewhat good", "Somewhat bad", "Very bad"],  # "good or bad for society"
    "reason": ["Major reason", "Minor reason", "Not a reason"],
    "problem": ["A very big problem", "A moderately big problem", "A small problem", "Not a problem at all"],
    "trust_government": ["Just about always", "Most of the time", "Only some of the time", "Never"],
    "amount": ["Too much", "About the right amount", "Too little"],
    "lot": ["A lot", "Some", "Not a lot", "None at all"],
    "use": ["Almost constantly", "Several times a day", "About once a day", "A few times a week", "Less often"],
    "visits": ["Several times a day", "About once a day", "A few times a week", "Every few weeks", "Less often"],
    "coded": ["1 Very concerned", "2 Somewhat concerned", "3 Not too concerned", "4 Not at all concerned"],
    "coded_dots": ["(1) Strongly agree", "(2) Agree", "(3) Disagree", "(4) Strongly disagree"],
}

NOT_SCALES = {
    "yes_no": ["Yes", "No"],
    "yes_no_unsure": ["Yes", "No", "Not sure"],
    "party": ["Republican", "Democrat", "Independent", "Something else"],
    "race": ["White", "Black", "Hispanic", "Asian", "Other"],
    "region": ["Northeast", "Midwest", "South", "West"],
    "listing": ["More secure", "Less secure", "About the same"],  # listed out of scale order
    "education": ["College grad+", "Some college", "H.S. graduate or less"],
    "shuffled": ["Somewhat concerned", "Very concerned", "Not too concerned", "Not at all concerned"],
    "two_rungs_alike": ["Very concerned", "Very worried", "Not too concerned"],
    "sex": ["Male", "Female", "Other"],
    "places": ["Large city", "Small city", "Small town", "Rural area"],
    "counts": ["1 or 2 times", "3 to 5 times", "6 or more times"],
    "some_coded": ["1 Very concerned", "Somewhat concerned", "Not too concerned"],
    "amount_listing": ["Too much", "Too little", "About the right amount"],
    "less_often_and_never": ["About once a day", "A few times a week", "Less often", "Never"],
}


@pytest.mark.parametrize("name", sorted(SCALES))
def test_scales_are_recognised_in_either_direction(name):
    labels = SCALES[name]
    down = scale_ranks(labels)
    up = scale_ranks(labels[::-1])
    assert down is not None and up is not None
    assert list(down) == sorted(down, reverse=True) and len(set(down)) == len(labels)
    assert up == down[::-1]


@pytest.mark.parametrize("name", sorted(NOT_SCALES))
def test_lists_that_are_not_scales_are_not_recognised(name):
    assert scale_ranks(NOT_SCALES[name]) is None


def test_ranks_and_sides_of_known_scales():
    assert scale_ranks(SCALES["intensity"]) == (5, 3, 2, 1)
    assert scale_ranks(SCALES["agree5"]) == (5, 4, 3, 2, 1)
    assert scale_ranks(SCALES["frequency"]) == (6, 4, 3, 2, 1)
    assert is_two_sided(SCALES["agree5"]) and is_two_sided(SCALES["satisfied"])
    assert not is_two_sided(SCALES["intensity"]) and not is_two_sided(SCALES["share"])
    assert scale_ranks(SCALES["good_bad"]) == (5, 4, 2, 1) and is_two_sided(SCALES["good_bad"])
    assert not is_two_sided(SCALES["evaluation"])  # excellent ... poor stays one-sided


def test_declaration_wins_over_file_and_labels():
    nominal = VariableInfo("Q", measure="nominal", kind="categorical")
    assert is_scale(nominal, SCALES["intensity"])
    assert not is_scale(VariableInfo("Q", measure="ordinal", kind="categorical", scale=False), SCALES["intensity"])
    assert is_scale(VariableInfo("Q", measure="nominal", kind="categorical", scale=True), NOT_SCALES["party"])
    assert is_scale(VariableInfo("Q", measure="ordinal", kind="categorical"), NOT_SCALES["party"])  # the file says so
    assert not is_scale(VariableInfo("Q", kind="categorical"), NOT_SCALES["party"], ordered=False)
    assert is_scale(VariableInfo("Q", kind="categorical"), NOT_SCALES["party"], ordered=True)


# ------------------------------------------------------------------ a generated ATP-like wave
QUESTIONS = {  # name: (labels by code, is a scale)
    "CONCERN_W88": (SCALES["intensity"], True),
    "AGREE_W88": (SCALES["agree5"], True),
    "OFTEN_W88": (SCALES["frequency"][::-1], True),  # Never ... Always
    "TRUST_W88": (SCALES["quantity"], True),
    "PARTY_W88": (NOT_SCALES["party"], False),
    "YESNO_W88": (NOT_SCALES["yes_no"], False),
}


def _write_wave(path: Path, measure: str, seed: int = 11) -> Path:
    rng = np.random.default_rng(seed)
    n = 400
    data = {"QKEY": np.arange(1, n + 1, dtype=float)}
    value_labels: dict[str, dict[float, str]] = {}
    for name, (labels, _) in QUESTIONS.items():
        codes = rng.integers(1, len(labels) + 1, n).astype(float)
        codes[rng.random(n) < 0.04] = 99.0
        data[name] = codes
        value_labels[name] = {float(i + 1): lab for i, lab in enumerate(labels)} | {99.0: "Refused"}
    data["WEIGHT_W88"] = rng.gamma(4.0, 0.25, n)
    frame = pd.DataFrame(data)
    measures = dict.fromkeys(QUESTIONS, measure)
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=[f"{c}. Question {c}" for c in frame.columns],
        variable_value_labels=value_labels,
        missing_ranges={name: [99.0] for name in QUESTIONS},
        variable_measure=measures,
    )
    return path


@pytest.mark.parametrize("measure", ["nominal", "scale", "unknown", "ordinal"])
def test_codebook_types_and_nets_whatever_the_measure_level(tmp_path, measure):
    svy = pw.read(_write_wave(tmp_path / f"w88_{measure}.sav", measure))
    book = svy.codebook().set_index("name")
    for name, (_, scale) in QUESTIONS.items():
        want = "ordinal" if scale or measure == "ordinal" else "categorical"
        assert book.loc[name, "type"] == want, name
    assert book.loc["CONCERN_W88", "measure"] == ("" if measure == "unknown" else measure)
    nets = svy.topline("CONCERN", nets="auto").to_frame()
    assert nets["level"].tolist()[-2:] == ["NET Very/Somewhat concerned", "NET Not too/Not at all concerned"]
    agree = svy.topline("AGREE", nets=True).to_frame()  # True means the automatic nets
    net_rows = agree[agree["level"].str.startswith("NET")]
    assert net_rows["level"].tolist() == ["NET Strongly/Somewhat agree", "NET Somewhat/Strongly disagree"]
    shares = agree.set_index("level")["estimate"]
    neither = shares["Neither agree nor disagree"]
    assert net_rows["estimate"].sum() + neither == pytest.approx(1.0)  # the neutral middle is in no net
    if measure != "ordinal":
        assert not svy.topline("PARTY", nets="auto").to_frame()["level"].str.startswith("NET").any()


def test_set_scale_declares_and_undoes(tmp_path):
    svy = pw.read(_write_wave(tmp_path / "w.sav", "nominal"))
    party = svy.set_scale("PARTY", ordered=True)
    assert party.codebook().set_index("name").loc["PARTY_W88", "type"] == "ordinal"
    net = party.topline("PARTY", nets="auto").to_frame()["level"].tolist()
    assert net[-2:] == ["NET Republican/Democrat", "NET Independent/Something else"]
    plain = svy.set_scale("CONCERN", ordered=False)
    assert plain.codebook().set_index("name").loc["CONCERN_W88", "type"] == "categorical"
    assert not plain.topline("CONCERN", nets=True).to_frame()["level"].str.startswith("NET").any()
    back = plain.set_scale("CONCERN", ordered=None)
    assert back.codebook().set_index("name").loc["CONCERN_W88", "type"] == "ordinal"
    # the estimates are untouched
    pd.testing.assert_frame_equal(plain.proportion("CONCERN").to_frame(), svy.proportion("CONCERN").to_frame())


def test_set_scale_errors_are_one_line(tmp_path):
    svy = pw.read(_write_wave(tmp_path / "w.sav", "nominal"))
    with pytest.raises(VariableError, match=r"'WEIGHT_W88' is numeric, with no labelled answers"):
        svy.set_scale("WEIGHT_W88")
    with pytest.raises(VariableError, match=r"unknown variable 'CONCREN'"):
        svy.set_scale("CONCREN")
    with pytest.raises(VariableError, match=r"ordered is True, False or None"):
        svy.set_scale("CONCERN", ordered="yes")  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match=r"nets='top2' is not valid; give 'auto' \(or True\)"):
        svy.topline("CONCERN", nets="top2")
    with pytest.raises(EstimationError, match=r"nets=3 is not valid"):
        svy.topline("CONCERN", nets=3)


def test_init_finds_scales_in_an_all_nominal_file(tmp_path):
    from pewlike.report.starter import likert_items

    svy = pw.read(_write_wave(tmp_path / "w.sav", "nominal"))
    assert likert_items(svy) == ["CONCERN_W88", "AGREE_W88", "OFTEN_W88", "TRUST_W88"]


def _spec(tmp_path: Path, data_keys: str) -> Path:
    _write_wave(tmp_path / "w.sav", "nominal")
    spec = tmp_path / "r.toml"
    spec.write_text(
        f'[data]\nfile = "w.sav"\n{data_keys}\n[[topline]]\nvar = "PARTY"\nnets = "auto"\n', encoding="utf-8"
    )
    return spec


def test_spec_declares_scales(tmp_path):
    from pewlike.report.spec import load

    spec = load(_spec(tmp_path, 'ordinal = ["PARTY"]\nnominal = ["CONCERN"]'))
    assert spec.data.ordinal == ("PARTY",) and spec.data.nominal == ("CONCERN",)
    with pytest.raises(SpecError, match=r"'PARTY' is listed in both 'ordinal' and 'nominal'; keep it in one"):
        load(_spec(tmp_path, 'ordinal = ["PARTY"]\nnominal = ["PARTY"]'))


def test_report_applies_spec_scales_and_names_a_bad_one(tmp_path):
    from pewlike.report.build import build
    from pewlike.report.spec import load

    res = build(load(_spec(tmp_path, 'ordinal = ["PARTY"]')), out=str(tmp_path / "rep"), jobs=1)
    md = (res.out / "report.md").read_text(encoding="utf-8")
    assert "NET Republican/Democrat" in md
    with pytest.raises(SpecError, match=r"r\.toml: \[data\] ordinal: unknown variable 'PARTYY'"):
        build(load(_spec(tmp_path, 'ordinal = ["PARTYY"]')), out=str(tmp_path / "rep2"), jobs=1)


def test_starter_falls_back_to_categorical_questions_when_no_scale_is_recognised():
    from pewlike.errors import SpecError
    from pewlike.report.starter import categorical_items, likert_items, starter

    n = 60
    df = pd.DataFrame(
        {
            "PARTY": pd.Categorical(["Rep", "Dem", "Ind"] * (n // 3)),
            "F_SEX": pd.Categorical(["Man", "Woman"] * (n // 2)),
            "AGE": np.arange(n, dtype=float),
            "w": np.ones(n),
        }
    )
    svy = pw.Survey(df, weights="w")
    assert likert_items(svy) == []
    assert categorical_items(svy) == ["PARTY"]
    made = starter(svy, "x.sav")
    assert made.questions == 1 and 'var = "PARTY"' in made.text
    numeric = pw.Survey(df[["AGE", "w"]], weights="w")
    with pytest.raises(SpecError, match=r"^x\.sav: no reportable question found"):
        starter(numeric, "x.sav")


def test_more_pew_scales_in_an_all_nominal_file_get_nets_and_a_starter(tmp_path):
    """Big/small problem, trust in government, major/minor reason and coded labels, all marked nominal."""
    from pewlike.report.starter import likert_items

    rng = np.random.default_rng(23)
    n = 500
    questions = {
        "PROBLEM_W90": SCALES["problem"],
        "TRUSTGOV_W90": SCALES["trust_government"],
        "REASON_W90": SCALES["reason"],
        "CODED_W90": SCALES["coded"],
        "PLACE_W90": NOT_SCALES["places"],
    }
    data = {name: rng.integers(1, len(labels) + 1, n).astype(float) for name, labels in questions.items()}
    frame = pd.DataFrame({**data, "WEIGHT_W90": rng.gamma(4.0, 0.25, n)})
    path = tmp_path / "w90.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={k: {float(i + 1): lab for i, lab in enumerate(v)} for k, v in questions.items()},
        variable_measure=dict.fromkeys(questions, "nominal"),
    )
    svy = pw.read(path)
    assert likert_items(svy) == ["PROBLEM_W90", "TRUSTGOV_W90", "REASON_W90", "CODED_W90"]
    top = svy.topline("PROBLEM", nets="auto").to_frame().set_index("level")
    w = frame["WEIGHT_W90"]
    assert top.loc["NET A very/A moderately big problem", "estimate"] == pytest.approx(
        w[frame["PROBLEM_W90"] <= 2].sum() / w.sum(), rel=1e-12
    )
    trust = svy.topline("TRUSTGOV", nets="auto").to_frame()["level"].tolist()
    assert trust[-2:] == ["NET Just about always/Most of the time", "NET Only some of the time/Never"]
    assert svy.codebook().set_index("name").loc["PLACE_W90", "type"] == "categorical"
    coded = svy.topline("CODED", nets="auto").to_frame()["level"].tolist()
    assert coded[-2:] == ["NET Very/Somewhat concerned", "NET Not too/Not at all concerned"]
