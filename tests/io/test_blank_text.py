"""Blank text answers (empty, or spaces only) read as missing in every reader, never as a response."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

import pewlike as pw
from pewlike.cli import main
from pewlike.io.codebook import blank_as_missing


@pytest.fixture
def frame():
    rng = np.random.default_rng(23)
    n = 400
    return pd.DataFrame(
        {
            # a text question with blanks of both kinds, and one with a free answer
            "PICK": rng.choice(["Alpha", "Beta", "Gamma", "", "   "], n, p=[0.3, 0.25, 0.2, 0.15, 0.1]),
            "OPEN": [f"answer {i}" if i % 4 else "" for i in range(n)],
            "W": rng.uniform(0.4, 2.5, n),
        }
    )


def _expected(frame: pd.DataFrame) -> pd.Series:
    answered = frame["PICK"].str.strip() != ""
    w = frame["W"][answered]
    return w.groupby(frame["PICK"][answered]).sum() / w.sum()


def test_blank_as_missing_leaves_a_column_without_blanks_untouched():
    col = pd.Series(["Yes", None, "No"], dtype=object)
    assert blank_as_missing(col) is col
    got = blank_as_missing(pd.Series(["Yes", "", " \t", "No", np.nan], dtype=object))
    assert got.isna().tolist() == [False, True, True, False, True]
    assert got[0] == "Yes" and got[3] == "No"


@pytest.mark.parametrize("kind", ["sav", "dta", "csv", "parquet"])
def test_blank_answers_are_not_asked_in_every_file_type(frame, tmp_path, kind):
    path = tmp_path / f"wave.{kind}"
    if kind == "sav":
        pyreadstat.write_sav(frame, str(path))
    elif kind == "dta":
        pyreadstat.write_dta(frame, str(path))
    elif kind == "parquet":
        frame.to_parquet(path)  # from elsewhere: no pewlike codebook in it
    else:
        frame.to_csv(path, index=False)
    svy = pw.read(path, weights="W")
    assert svy.data["PICK"].isna().sum() == int((frame["PICK"].str.strip() == "").sum())
    assert svy.data["OPEN"].isna().sum() == 100
    top = svy.topline("PICK")
    est = top.to_frame().set_index("level")["estimate"]
    assert sorted(est.index) == ["Alpha", "Beta", "Gamma"]  # no response without a label
    assert top.n == int((frame["PICK"].str.strip() != "").sum())
    exp = _expected(frame)
    for level in ["Alpha", "Beta", "Gamma"]:
        assert est[level] == pytest.approx(exp[level], rel=1e-12)


@pytest.mark.parametrize("kind", ["csv", "parquet", "sav"])
def test_dask_reads_blank_text_as_the_in_memory_reader_does(frame, tmp_path, kind):
    pytest.importorskip("dask")
    path = tmp_path / f"wave.{kind}"
    {"csv": lambda: frame.to_csv(path, index=False), "parquet": lambda: frame.to_parquet(path)}.get(
        kind, lambda: pyreadstat.write_sav(frame, str(path))
    )()
    eager = pw.read(path, weights="W").topline("PICK").to_frame()
    lazy = pw.read(path, weights="W", engine="dask").topline("PICK").to_frame()
    assert sorted(lazy["level"]) == ["Alpha", "Beta", "Gamma"]
    got = lazy.set_index("level")["estimate"].sort_index()
    np.testing.assert_allclose(got.to_numpy(), eager.set_index("level")["estimate"].sort_index().to_numpy(), rtol=1e-12)


def test_labelled_text_that_stays_text_reads_its_blanks_as_missing(tmp_path):
    # an open answer with one labelled code ("99" = "Refused") stays text: its blanks too are not asked
    frame = pd.DataFrame({"OPEN": ["answer a", "", "answer b", "  ", "99", "answer c"], "W": [1.0] * 6})
    path = tmp_path / "open.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"OPEN": {"99": "Refused"}})
    data = pw.read(path, weights="W").data["OPEN"]
    assert data.isna().tolist() == [False, True, False, True, False, False]


def test_init_never_writes_a_blank_answer_into_the_spec(frame, tmp_path):
    # a text question of three unordered answers gets a dot plot of its first answer, never of a blank
    frame = frame.rename(columns={"W": "WEIGHT"}).assign(F_SEX=np.resize(["Male", "Female"], len(frame)))
    frame.to_csv(tmp_path / "wave.csv", index=False)
    pyreadstat.write_sav(frame, str(tmp_path / "wave.sav"))
    for name in ("wave.sav", "wave.csv"):
        spec = tmp_path / f"{name}.toml"
        res = CliRunner().invoke(main, ["init", str(tmp_path / name), "-o", str(spec)])
        assert res.exit_code == 0, res.output
        crosstabs = tomllib.loads(spec.read_text(encoding="utf-8")).get("crosstab", [])
        levels = [c["level"] for c in crosstabs if "level" in c]
        assert levels and all(lev in ("Alpha", "Beta", "Gamma") for lev in levels)
