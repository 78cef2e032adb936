"""Labels fit for publication: wording without "QNAME." prefixes, short names, relabelled answers (issue #11).

The files are generated (seeded) ATP-like waves whose labels carry the question name as a
prefix ("CONCERN. How ..."), with hostile and very long labels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import pewlike as pw
from pewlike.errors import VariableError
from pewlike.io.codebook import VariableInfo
from pewlike.io.display import display_name, strip_question_prefix

LONG = "An answer that goes on " + "and on " * 40 + "until the end"
HOSTILE = "=cmd|' /C calc'!A0 <script>alert(1)</script>"
QUESTIONS = {
    "CONCERN_W88": (
        "CONCERN. How concerned are you, if at all, about how companies use your data?",
        ["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"],
    ),
    "CONCERNGOV_W88": (
        "CONCERNGOV. How concerned are you about the government's use of your data?",
        ["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"],
    ),
    "Q12a_W88": ("Q12a. Do you read privacy policies?", ["Yes", HOSTILE, LONG]),
    "F_AGECAT": ("F_AGECAT. Age category", ["18-29", "30-49", "50-64", "65+"]),
    "F_SEX": ("Sex", ["Male", "Female"]),
}


def write_wave(path: Path, seed: int, n: int = 500) -> Path:
    rng = np.random.default_rng(seed)
    data: dict[str, np.ndarray] = {"QKEY": np.arange(1, n + 1, dtype=float)}
    value_labels: dict[str, dict[float, str]] = {}
    for name, (_, labels) in QUESTIONS.items():
        codes = rng.integers(1, len(labels) + 1, n).astype(float)
        codes[rng.random(n) < 0.05] = 99.0
        data[name] = codes
        value_labels[name] = {float(i + 1): lab for i, lab in enumerate(labels)} | {99.0: "Refused"}
    data["WEIGHT_W88"] = rng.gamma(4.0, 0.25, n)
    frame = pd.DataFrame(data)
    wording = {name: w for name, (w, _) in QUESTIONS.items()}
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=[wording.get(c, c) for c in frame.columns],
        variable_value_labels=value_labels,
        missing_ranges={name: [99.0] for name in QUESTIONS},
        variable_measure=dict.fromkeys(QUESTIONS, "nominal"),
    )
    return path


@pytest.fixture(scope="module", params=[3, 17])
def wave(request, tmp_path_factory) -> pw.Survey:
    return pw.read(write_wave(tmp_path_factory.mktemp("w") / f"w88_{request.param}.sav", request.param))


@pytest.mark.parametrize(
    ("label", "name", "want"),
    [
        ("CONCERNCO. How concerned are you?", "CONCERNCO_W49", "How concerned are you?"),
        ("concernco: How concerned are you?", "CONCERNCO_W49", "How concerned are you?"),
        ("Q12a. Do you agree?", None, "Do you agree?"),
        ("Q.4b) Do you agree?", None, "Do you agree?"),
        ("PP5a. Have you ever ...", "PP5a_W49", "Have you ever ..."),
        ("SECUR1. Compared with five years ago", None, "Compared with five years ago"),
        ("Mr. Smith said so", None, "Mr. Smith said so"),
        ("U.S. adults who say so", None, "U.S. adults who say so"),
        ("How concerned are you?", "X", "How concerned are you?"),
        ("CONCERNCO.", "CONCERNCO", "CONCERNCO."),  # nothing would be left: kept
        ("A. First option", None, "A. First option"),  # one letter is not a question name
    ],
)
def test_question_prefix_is_stripped_only_when_it_is_one(label, name, want):
    assert strip_question_prefix(label, name) == want


def test_display_name_prefers_the_short_name():
    assert display_name(VariableInfo("F_AGECAT", "F_AGECAT. Age category", short_name="Age")) == "Age"
    assert display_name(VariableInfo("F_AGECAT", "F_AGECAT. Age category")) == "Age category"
    assert display_name(VariableInfo("X_W49")) == "X"


def test_tables_and_models_show_wording_without_prefix(wave):
    top = wave.topline("CONCERN")
    assert top.question == "How concerned are you, if at all, about how companies use your data?"
    assert wave.question("CONCERN").startswith("CONCERN. ")  # svy.question() keeps the file's label
    assert wave.topline("Q12a").question == "Do you read privacy policies?"
    ct = wave.crosstab("CONCERN", "F_AGECAT")
    assert ct.question == top.question and ct.by_label == "Age category"
    assert "CONCERN." not in ct.table().title and "CONCERN." not in top.table().title
    fit = wave.logit("CONCERN in ['Very concerned'] ~ F_AGECAT")
    assert fit.display_title() == (
        "How concerned are you, if at all, about how companies use your data? (outcome: 'Very concerned')"
    )


def test_relabel_renames_answers_by_label_or_code_and_keeps_every_number(wave):
    new = wave.relabel("CONCERN", {1: "A lot", "Somewhat concerned": "Some", 99: "No answer"}, name="Concern")
    cats = new.data["CONCERN_W88"].cat.categories.tolist()
    assert cats == ["A lot", "Some", "Not too concerned", "Not at all concerned", "No answer"]
    book = new.codebook().set_index("name")
    old_book = wave.codebook().set_index("name")
    assert book.loc["CONCERN_W88", "short_name"] == "Concern"
    assert book.loc["F_SEX", "short_name"] == ""
    assert list(book.columns).index("short_name") == list(book.columns).index("measure") + 1
    # the renamed Refused is still missing; codes and counts unchanged
    assert book.loc["CONCERN_W88", "n_missing"] == old_book.loc["CONCERN_W88", "n_missing"]
    assert book.loc["CONCERN_W88", "missing_codes"] == "99"
    before = wave.topline("CONCERN", nets="auto").to_frame()
    after = new.topline("CONCERN", nets="auto").to_frame()
    np.testing.assert_allclose(after["estimate"].to_numpy(), before["estimate"].to_numpy(), rtol=0, atol=0)
    assert after["level"].astype(str).tolist()[:4] == cats[:4]
    # a scale stays a scale: nets follow the new labels
    assert after.loc[after["kind"] == "net", "level"].astype(str).tolist()[0] == "NET A lot/Some"
    assert book.loc["CONCERN_W88", "type"] == "ordinal"


def test_relabel_wording_and_short_name_reach_the_tables(wave):
    new = wave.relabel("F_AGECAT", name="Age").relabel("CONCERN", label="Concern about companies")
    ct = new.crosstab("CONCERN", "F_AGECAT")
    assert ct.by_label == "Age" and ct.question == "Concern about companies"
    assert new.question("CONCERN") == "Concern about companies"
    fit = new.logit("CONCERN in ['Very concerned', 'Somewhat concerned'] ~ F_AGECAT + F_SEX")
    labels = {t: lab.text() for t, lab in fit.readable_terms().items()}
    assert labels["F_AGECAT30-49"] == "Age: 30-49 (vs. 18-29)"
    assert labels["F_SEXFemale"] == "Sex: Female (vs. Male)"
    assert labels["(Intercept)"] == "(Intercept)"
    assert fit.to_frame()["term"].tolist() == list(fit.names)  # raw terms untouched


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"Very worried": "x"}, "'Very worried' is not a category of 'CONCERN_W88'; known: 1 'Very concerned'"),
        ({7: "x"}, "7 is not a category of 'CONCERN_W88'"),
        ({1: "Some", 2: "Some"}, "two answers would be labelled 'Some'"),
        ({1: "Somewhat concerned"}, "two answers would be labelled 'Somewhat concerned'"),
        ({1: ""}, "must be a non-empty string"),
        ({}, "values is a mapping"),
    ],
)
def test_relabel_errors_are_one_line_and_name_the_answers(wave, values, needle):
    with pytest.raises(VariableError) as err:
        wave.relabel("CONCERN", values)
    msg = str(err.value)
    assert needle in msg and "\n" not in msg
    if "is not a category" in needle:
        assert "4 'Not at all concerned'" in msg and "99 'Refused'" in msg


def test_relabel_unknown_variable_and_bad_name(wave):
    with pytest.raises(VariableError, match="unknown variable 'CONCERNX'"):
        wave.relabel("CONCERNX", name="x")
    with pytest.raises(VariableError, match="name must be a non-empty string"):
        wave.relabel("CONCERN", name="  ")
    with pytest.raises(VariableError, match="no categories to relabel"):
        wave.relabel("QKEY", {1: "one"})


def test_short_names_survive_recode_assign_and_subset(wave):
    new = wave.relabel("F_AGECAT", name="Age").relabel("CONCERN", name="Concern")
    rec = new.recode("CONCERN", {"Concerned": [1, 2], "Not concerned": [3, 4]})
    assert rec.codebook().set_index("name").loc["CONCERN_W88", "short_name"] == "Concern"
    asg = new.assign(F_AGECAT=new.data["F_AGECAT"])
    assert asg.codebook().set_index("name").loc["F_AGECAT", "short_name"] == "Age"
    sub = new.subset("F_SEX == 'Female'", name="Women")
    assert sub.codebook().set_index("name").loc["F_AGECAT", "short_name"] == "Age"
    assert sub.crosstab("CONCERN", "F_AGECAT").by_label == "Age"


def test_hostile_and_long_labels_are_renamed(wave):
    new = wave.relabel("Q12a", {2: "No", 3: "Not sure"})  # SPSS cut the long label at 120 bytes: by code
    assert new.data["Q12a_W88"].cat.categories.tolist() == ["Yes", "No", "Not sure", "Refused"]
    same = wave.topline("Q12a").to_frame()["estimate"].to_numpy()
    np.testing.assert_array_equal(new.topline("Q12a").to_frame()["estimate"].to_numpy(), same)
    back = new.relabel("Q12a", {"No": HOSTILE})  # a hostile new label is data like any other
    assert back.data["Q12a_W88"].cat.categories[1] == HOSTILE
