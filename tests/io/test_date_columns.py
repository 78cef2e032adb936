"""SPSS date, date-time and time columns: typed as such in the codebook, refused by mean() with advice."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import pewlike as pw
from pewlike.errors import VariableError
from pewlike.io.codebook import text_kind


@pytest.fixture
def wave(tmp_path):
    """An ATP-like wave with interview date-times, a date of birth and a time of day."""
    rng = np.random.default_rng(7)
    n = 60
    start = pd.Timestamp("2021-03-01") + pd.to_timedelta(rng.integers(0, 86_400 * 10, n), unit="s")
    df = pd.DataFrame(
        {
            "INTERVIEW_START_W99": start,
            "DOB": [dt.date(1950, 1, 1) + dt.timedelta(days=int(x)) for x in rng.integers(0, 20_000, n)],
            "CALLTIME": [dt.time(int(h), 30) for h in rng.integers(8, 20, n)],
            "Q1_W99": rng.choice([1.0, 2.0], n),
            "NOTE": rng.choice(["a", "b"], n),
            "WEIGHT_W99": rng.uniform(0.5, 2.0, n),
        }
    )
    path = tmp_path / "w99.sav"
    pyreadstat.write_sav(
        df, str(path), variable_value_labels={"Q1_W99": {1: "Yes", 2: "No"}}, column_labels={"DOB": "Date of birth"}
    )
    return path


def test_codebook_types_dates_from_sav_and_parquet(wave, tmp_path):
    svy = pw.read(wave)
    types = dict(zip(svy.codebook()["name"], svy.codebook()["type"]))
    assert types == {
        "INTERVIEW_START_W99": "datetime",
        "DOB": "date",
        "CALLTIME": "time",
        "Q1_W99": "categorical",
        "NOTE": "string",
        "WEIGHT_W99": "numeric",
    }
    again = pw.read(svy.to_parquet(tmp_path / "w99.parquet"))  # the stored codebook keeps the new kinds
    assert dict(zip(again.codebook()["name"], again.codebook()["type"])) == types
    assert again.codebook().set_index("name").loc["DOB", "label"] == "Date of birth"


def test_codebook_types_dates_from_a_frame():
    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2020-01-01 10:00", None, "2020-01-02 11:00"]),
            "tz": pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"]).tz_localize("UTC"),
            "day": [None, dt.date(2020, 1, 1), dt.date(2020, 1, 2)],
            "text": ["x", None, "y"],
            "empty": pd.Series([None, None, None], dtype=object),
        }
    )
    svy = pw.Survey(frame, weights=None)
    assert svy.codebook()["type"].tolist() == ["datetime", "datetime", "date", "string", "string"]


def test_text_kind_of_arrays_and_repeated_index():
    assert text_kind(np.array([dt.time(9, 0)], dtype=object)) == "time"
    assert text_kind(pd.Series([dt.date(2020, 1, 1), dt.date(2020, 1, 2)], index=[0, 0])) == "date"
    assert text_kind(pd.Series([dt.datetime(2020, 1, 1, 9)], dtype=object)) == "datetime"


@pytest.mark.parametrize(
    ("var", "column", "kind"), [("DOB", "DOB", "dates"), ("INTERVIEW_START", "INTERVIEW_START_W99", "datetimes")]
)
def test_mean_of_a_date_says_how_to_derive_a_number(wave, var, column, kind):
    svy = pw.read(wave)
    with pytest.raises(VariableError, match=f"{column!r} holds {kind}; derive a number from it first") as err:
        svy.mean(var)
    assert "\n" not in str(err.value)
    assert f"pd.to_datetime(d[{column!r}]).dt.year" in str(err.value)
    # the advice works as written
    year = svy.assign(YEAR=lambda d: pd.to_datetime(d[column]).dt.year).mean("YEAR")
    col = svy.data[column]
    expected = np.average(pd.to_datetime(col).dt.year, weights=svy.data["WEIGHT_W99"])
    assert year.to_frame()["estimate"].iloc[0] == pytest.approx(expected, rel=1e-12)


def test_mean_of_a_time_says_derive_without_a_date_example(wave):
    with pytest.raises(
        VariableError, match="'CALLTIME' holds times; derive a number from it first with svy.assign"
    ) as err:
        pw.read(wave).mean("CALLTIME")
    assert "to_datetime" not in str(err.value)
