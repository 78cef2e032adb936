"""SPSS and Stata files whose answers are text without value labels read as a CSV's text answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import pewlike as pw

AGREE = ["Strongly agree", "Agree", "Disagree", "Strongly disagree"]


@pytest.fixture
def frame():
    rng = np.random.default_rng(31)
    n = 600
    return pd.DataFrame(
        {
            "AGREE": rng.choice([*AGREE, "Refused"], n, p=[0.2, 0.25, 0.25, 0.2, 0.1]),
            "USED": rng.choice(["Yes", "No", "Don't know", "Legitimate skip"], n, p=[0.4, 0.35, 0.1, 0.15]),
            "OPEN": [f"free answer {i}" for i in rng.integers(0, 400, n)],
            "weight": rng.uniform(0.4, 2.5, n),
        }
    )


def _write(frame: pd.DataFrame, path) -> None:
    if path.suffix == ".sav":
        pyreadstat.write_sav(frame, str(path), column_labels={"AGREE": "Do you agree?", "USED": "Have you used it?"})
    elif path.suffix == ".dta":
        pyreadstat.write_dta(frame, str(path))
    else:
        frame.to_csv(path, index=False)


def _shares(frame: pd.DataFrame, col: str, answers: list[str]) -> list[float]:
    keep = frame[col].isin(answers)
    w = frame["weight"][keep]
    return [w[frame[col][keep] == a].sum() / w.sum() for a in answers]


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_text_answers_of_a_labelled_file_read_as_from_a_csv(frame, tmp_path, suffix):
    path = tmp_path / f"wave{suffix}"
    _write(frame, path)
    svy = pw.read(path)
    assert list(svy.data["AGREE"].cat.categories) == [*AGREE, "Refused"]  # scale order, as a CSV reads it
    cb = svy.codebook().set_index("name")
    assert cb.loc["AGREE", "type"] == "ordinal" and cb.loc["AGREE", "missing_codes"] == "Refused"
    assert cb.loc["USED", "missing_codes"] == "Don't know"
    assert cb.loc["OPEN", "type"] == "string"  # free text stays text
    if suffix == ".sav":
        assert svy.codebook().set_index("name").loc["AGREE", "label"] == "Do you agree?"  # wording kept
    top = svy.topline("AGREE").to_frame()
    levels = [lev for lev in top["level"] if not lev.startswith("NET")]
    assert levels == AGREE  # "Refused" is out of the base, not a response
    got = top.set_index("level")["estimate"][AGREE].to_numpy()
    np.testing.assert_allclose(got, _shares(frame, "AGREE", AGREE), rtol=1e-12)
    used = svy.topline("USED").to_frame()
    assert used["level"].tolist() == ["Yes", "No"]  # Yes first; Don't know missing; the skip not asked
    np.testing.assert_allclose(used["estimate"].to_numpy(), _shares(frame, "USED", ["Yes", "No"]), rtol=1e-12)
    assert svy.data["USED"].isna().sum() == (frame["USED"] == "Legitimate skip").sum()


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_both_engines_agree_with_the_csv(frame, tmp_path, suffix):
    pytest.importorskip("dask")
    path, csv = tmp_path / f"wave{suffix}", tmp_path / "wave.csv"
    _write(frame, path)
    _write(frame, csv)
    want = pw.read(csv).topline("AGREE").to_frame()
    for engine in ("pandas", "dask"):
        got = pw.read(path, engine=engine).topline("AGREE").to_frame()
        assert got["level"].tolist() == want["level"].tolist()
        np.testing.assert_allclose(got["estimate"].to_numpy(), want["estimate"].to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(got["std_error"].to_numpy(), want["std_error"].to_numpy(), rtol=1e-10)
    lazy = pw.read(path, engine="dask").topline("USED").to_frame()
    assert lazy["level"].tolist() == ["Yes", "No"]


def test_a_users_text_saved_by_pewlike_stays_text_in_both_engines(tmp_path):
    pytest.importorskip("dask")
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"AGREE": rng.choice(AGREE, 200), "weight": rng.uniform(0.5, 2.0, 200)})
    kept = pw.Survey(frame, weights="weight").to_parquet(tmp_path / "kept.parquet")
    for engine in ("pandas", "dask"):
        levels = pw.read(kept, engine=engine).topline("AGREE").to_frame()["level"].tolist()
        assert levels == sorted(AGREE)  # the stored codebook says text: no scale is made of it


def test_skip_answers_of_free_text_are_not_asked_as_in_a_csv(tmp_path):
    # free text (no scale, no missing answer) with "Legitimate skip": blank in every format
    frame = pd.DataFrame({"WHY": ["too slow", "Legitimate skip", "price", "Legitimate skip", "other"], "W": [1.0] * 5})
    pyreadstat.write_dta(frame, str(tmp_path / "why.dta"))
    frame.to_csv(tmp_path / "why.csv", index=False)
    for name in ("why.dta", "why.csv"):
        data = pw.read(tmp_path / name, weights="W").data["WHY"]
        assert data.isna().tolist() == [False, True, False, True, False], name
