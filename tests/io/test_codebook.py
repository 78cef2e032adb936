"""The codebook of a survey: base names of wave-suffixed variables, question wording, and text
answers that read as missing (moved from the design tests)."""

from __future__ import annotations

import pandas as pd
import pytest

import pewlike as pw


def test_codebook_and_question_accept_base_names():
    svy = pw.demo()
    cb = svy.codebook()
    assert list(cb.columns) == [
        "name", "label", "type", "levels", "missing_codes", "n_valid", "n_missing", "base", "measure", "short_name"
    ]  # fmt: skip
    row = cb.set_index("name").loc["CONCERNCO_W49"]
    # issue #11: a scale's type is "ordinal"; `measure` is what the file says
    assert row["base"] == "CONCERNCO" and row["type"] == "ordinal" and row["missing_codes"] == "99"
    assert row["measure"] == "ordinal"
    sex = cb.set_index("name").loc["F_SEX"]
    assert (sex["type"], sex["measure"]) == ("categorical", "nominal")
    assert row["n_valid"] + row["n_missing"] == svy.n
    assert svy.question("CONCERNCO") == svy.question("CONCERNCO_W49")
    assert svy.question("CONCERNCO").startswith("How concerned are you")
    assert svy.column("CONCERNCO") == "CONCERNCO_W49"


def test_text_answers_that_read_as_missing_leave_the_base():
    df = pd.DataFrame(
        {"q1": ["Approve", "Disapprove", "Don't know/Refused (VOL.)", "Approve"], "weight": [1.0, 1.0, 1.0, 1.0]}
    )
    svy = pw.Survey(df)
    f = svy.proportion("q1").to_frame()
    assert list(f["level"]) == ["Approve", "Disapprove"]
    assert f["estimate"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert svy.codebook().set_index("name").loc["q1", "n_missing"] == 1
    assert len(svy.proportion("q1", na_rm=False).to_frame()) == 3
