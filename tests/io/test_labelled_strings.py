"""SPSS string variables with value labels ("Y" = "Yes"): read as their labels, like numeric codes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import pewlike as pw
from pewlike.errors import LabelWarning

CONCERN = ["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"]


@pytest.fixture
def wave(tmp_path):
    rng = np.random.default_rng(17)
    n = 500
    frame = pd.DataFrame(
        {
            "USED": rng.choice(["Y", "N", "R", ""], n, p=[0.45, 0.4, 0.1, 0.05]),
            "CONC": rng.choice(["1", "2", "3", "4", "9"], n),
            "OPEN": [f"answer {i}" for i in rng.integers(0, 300, n)],  # free text, one labelled code
            "W": rng.uniform(0.3, 3.0, n),
        }
    )
    frame.loc[:9, "OPEN"] = "99"
    path = tmp_path / "strings.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={
            "USED": {"Y": "Yes", "N": "No", "R": "Refused"},
            "CONC": {**{str(i): lab for i, lab in enumerate(CONCERN, 1)}, "9": "Refused"},
            "OPEN": {"99": "Refused"},
        },
        column_labels={"USED": "Have you used it?", "CONC": "How concerned are you?"},
        missing_ranges={"USED": ["R"]},
    )
    return path, frame


def test_labels_replace_string_codes_and_missing_answers_leave_the_base(wave):
    path, frame = wave
    svy = pw.read(path, weights="W")
    cb = svy.codebook().set_index("name")
    assert cb.loc["USED", "levels"] == "No; Refused; Yes"  # code order, as haven::as_factor
    assert cb.loc["USED", "missing_codes"] == "R"
    assert cb.loc["USED", "type"] == "categorical"
    assert cb.loc["CONC", "type"] == "ordinal"
    assert cb.loc["OPEN", "type"] == "string"  # an open answer with one labelled code stays text
    top = svy.topline("USED")
    answered = frame["USED"].isin(["Y", "N"])
    assert top.n == int(answered.sum())  # "Refused" and blanks are out of the base
    est = top.to_frame().set_index("level")["estimate"]
    w = frame["W"]
    assert est["Yes"] == pytest.approx(w[frame["USED"] == "Y"].sum() / w[answered].sum(), rel=1e-12)
    levels = svy.topline("CONC", nets="auto").to_frame()
    assert levels[levels["kind"] == "response"]["level"].tolist() == CONCERN


def test_labelled_strings_survive_parquet_and_sav(wave, tmp_path):
    path, _ = wave
    svy = pw.read(path, weights="W")
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelWarning)
        back = pw.read(svy.to_parquet(tmp_path / "s.parquet"), weights="W")  # crashed: codes are not numbers
    resav = pw.read(svy.to_sav(tmp_path / "s2.sav"), weights="W")
    for again in (back, resav):
        for var in ("USED", "CONC"):
            a, b = svy.topline(var).to_frame(), again.topline(var).to_frame()
            assert a["level"].tolist() == b["level"].tolist()
            np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-12)


@pytest.mark.parametrize(("missing", "refused_n"), [("keep", True), ("nan", False)])
def test_missing_options_as_for_numeric_codes(wave, missing, refused_n):
    path, frame = wave
    top = pw.read(path, weights="W", missing=missing).topline("USED").to_frame().set_index("level")
    assert top.index.tolist() == ["No", "Refused", "Yes"]
    # keep: "Refused" is an answer; nan: its rows are blank (the category stays, with no one)
    assert top.loc["Refused", "n"] == (int((frame["USED"] == "R").sum()) if refused_n else 0)
