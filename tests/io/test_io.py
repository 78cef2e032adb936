"""Reading survey files: every reader, labels, missing codes, round trips and errors."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import pewlike as pw
from pewlike.errors import DataFileError, LabelWarning
from pewlike.io.codebook import is_missing_label, is_not_asked_label
from pewlike.io.files import pin_sav_timestamp, read_file

DATA = Path(__file__).parents[1] / "reference" / "io"

LABELS = {
    "CONCERNCO_W49": "How concerned are you, if at all, about how companies are using the data they collect about you?",
    "F_AGECAT": "Age category",
    "AGE": "Age in years",
}
VALUE_LABELS = {
    "CONCERNCO_W49": {
        1: "Very concerned",
        2: "Somewhat concerned",
        3: "Not too concerned",
        4: "Not at all concerned",
        99: "Refused",
    },
    "F_AGECAT": {1: "18-29", 2: "30-49", 3: "50-64", 4: "65+", 99: "Refused"},
    "AGE": {99: "Refused"},
}


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "QKEY": [1.0, 2, 3, 4, 5, 6],
            "CONCERNCO_W49": [1.0, 2, 99, 4, 3, np.nan],
            "F_AGECAT": [4.0, 1, 2, 3, 4, 99],
            "AGE": [70.0, 22, 41, 55, 99, 80],
            "WEIGHT_W49": [0.5, 1.5, 1.0, 1.2, 0.8, 1.0],
        }
    )


def _write_sav(path: Path, **extra) -> Path:
    frame = _frame()
    # AGE: numeric with a labelled refusal code and many distinct values -> stays numeric
    frame["AGE"] = [70.0, 22, 41, 55, 99, 80]
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=[LABELS.get(c, "") for c in frame.columns],
        variable_value_labels=VALUE_LABELS,
        **extra,
    )
    return path


def test_sav_labels_become_ordered_categoricals_in_code_order(tmp_path):
    df, cb = read_file(_write_sav(tmp_path / "w.sav"))
    col = df["CONCERNCO_W49"]
    assert isinstance(col.dtype, pd.CategoricalDtype) and col.cat.ordered
    assert list(col.cat.categories) == [
        "Very concerned",
        "Somewhat concerned",
        "Not too concerned",
        "Not at all concerned",
        "Refused",
    ]
    assert col.tolist()[:5] == [
        "Very concerned",
        "Somewhat concerned",
        "Refused",
        "Not at all concerned",
        "Not too concerned",
    ]
    assert pd.isna(col.iloc[5])
    assert cb["CONCERNCO_W49"].label == LABELS["CONCERNCO_W49"]
    assert cb["CONCERNCO_W49"].missing == ("Refused",)
    assert cb["CONCERNCO_W49"].missing_codes == (99.0,)


def test_sav_special_code_on_numeric_becomes_nan(tmp_path):
    df, cb = read_file(_write_sav(tmp_path / "w.sav"))
    # AGE has only 99 labelled, so it is numeric; the labelled refusal is not an age
    assert df["AGE"].dtype.kind == "f"
    assert np.isnan(df["AGE"].iloc[4])
    assert cb["AGE"].kind == "numeric" and cb["AGE"].missing_codes == (99.0,)


def test_user_missing_values_and_ranges_are_recorded(tmp_path):
    frame = pd.DataFrame({"Q1": [1.0, 2, 8, 9, 1], "INCOME": [10.0, 20, 999, 30, 40]})
    path = tmp_path / "um.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={"Q1": {1: "Yes", 2: "No", 8: "Skipped", 9: "Other"}},
        missing_ranges={"Q1": [8], "INCOME": [{"lo": 900, "hi": 1000}]},
    )
    df, cb = read_file(path)
    # 8 is SPSS user-missing (even though its label reads like an answer); 9 "Other" is an answer
    assert cb["Q1"].missing == ("Skipped",)
    assert list(df["Q1"].cat.categories) == ["Yes", "No", "Skipped", "Other"]
    assert df["Q1"].iloc[2] == "Skipped"
    assert np.isnan(df["INCOME"].iloc[2]) and cb["INCOME"].missing_codes == (999.0,)


def test_unlabelled_codes_are_kept_and_warned_once(tmp_path):
    frame = pd.DataFrame({"A": [1.0, 2, 7, 7, 1], "B": [1.0, 5, 1, 2, 1]})
    path = tmp_path / "u.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"A": {1: "Yes", 2: "No"}, "B": {1: "Yes", 2: "No"}})
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        df, _ = read_file(path)
    msgs = [str(w.message) for w in rec if issubclass(w.category, LabelWarning)]
    assert len(msgs) == 1 and "A: 7" in msgs[0] and "B: 5" in msgs[0]
    assert list(df["A"].cat.categories) == ["Yes", "No", "7"]
    assert df["A"].tolist() == ["Yes", "No", "7", "7", "Yes"]


@pytest.mark.parametrize(
    "label,missing",
    [
        ("Refused", True),
        ("Don't know", True),
        ("DK/Ref", True),
        ("DK/Refused/No lean", True),
        ("Don't know/Refused (VOL.)", True),
        ("No answer", True),
        ("Dont know", True),
        ("No preference (VOL.)", False),
        ("Never asked", False),
        ("Other party (VOL.)", False),
        ("Very concerned", False),
        ("Kind of", False),
        ("Redfield", False),
        ("Prefer not to say", True),
        ("Legitimate skip", True),
        ("Valid skip", True),
        ("-1 Inapplicable", True),
        ("Not in universe", True),
        ("System missing", True),
        ("Not asked", True),
        ("Not asked (Form 2)", True),
        ("Not applicable", True),
        ("Not applicable (VOL.)", False),
        ("N/A", True),
        ("IAP", True),
        ("Skipped", True),
        ("Skipped a meal", False),
        ("Not asked to vote", False),
        ("National", False),
        ("Nap", False),
    ],
)
def test_missing_label_recognition(label, missing):
    assert is_missing_label(label) is missing


@pytest.mark.parametrize(
    "label,skip",
    [
        ("Legitimate skip", True),
        ("-1 Inapplicable", True),
        ("IAP", True),
        ("Not asked (Form 2)", True),
        ("Not applicable", True),
        ("Not applicable (VOL.)", False),
        ("Refused", False),
        ("Skipped on web", False),
        ("No answer", False),
        ("N/A", False),
        ("Never asked", False),
        ("Not asked to vote", False),
    ],
)
def test_skip_label_recognition(label, skip):
    """Skip codes are read as not asked; refusals and non-answers of those asked are not skips."""
    assert is_not_asked_label(label) is skip
    assert is_missing_label(label) or not skip


def test_zsav_and_columns_option(tmp_path):
    path = _write_sav(tmp_path / "w.zsav", compress=True)
    df, cb = read_file(path, columns=["CONCERNCO_W49", "WEIGHT_W49"])
    assert list(df.columns) == ["CONCERNCO_W49", "WEIGHT_W49"]
    assert list(cb) == ["CONCERNCO_W49", "WEIGHT_W49"]
    svy = pw.read(path, columns=["CONCERNCO"])  # base name, and the weight column is added
    assert list(svy.data.columns) == ["CONCERNCO_W49", "WEIGHT_W49"]


def test_por_dta_xpt_sas7bdat(tmp_path):
    frame = _frame()
    short = frame.rename(columns={"CONCERNCO_W49": "CONCERN", "WEIGHT_W49": "WEIGHT"})
    pyreadstat.write_por(short, str(tmp_path / "w.por"))
    pyreadstat.write_dta(
        frame,
        str(tmp_path / "w.dta"),
        variable_value_labels={"F_AGECAT": VALUE_LABELS["F_AGECAT"]},
        column_labels=[LABELS.get(c, c)[:80] for c in frame.columns],
    )
    pyreadstat.write_xport(frame, str(tmp_path / "w.xpt"), column_labels=list(frame.columns))
    por, _ = read_file(tmp_path / "w.por")
    assert por["WEIGHT"].tolist() == frame["WEIGHT_W49"].tolist()
    dta, cb = read_file(tmp_path / "w.dta")
    assert dta["F_AGECAT"].iloc[0] == "65+" and cb["F_AGECAT"].missing == ("Refused",)
    assert cb["F_AGECAT"].label == "Age category"
    xpt, _ = read_file(tmp_path / "w.xpt")
    assert np.allclose(xpt["WEIGHT_W49"], frame["WEIGHT_W49"])
    sas, cb = read_file(DATA / "small.sas7bdat")
    assert sas["WEIGHT_W1"].tolist() == [0.5, 1.25, 1.0, 2.0]
    assert cb["AGREE"].label == "Do you agree?" and cb["AGE"].label == "Age in years"


def test_csv_and_parquet(tmp_path):
    frame = _frame()
    frame.to_csv(tmp_path / "w.csv", index=False)
    svy = pw.read(tmp_path / "w.csv")
    assert svy.weights.tolist() == frame["WEIGHT_W49"].tolist()
    svy = pw.read(_write_sav(tmp_path / "w.sav"))
    svy.to_parquet(tmp_path / "w.parquet")
    back = pw.read(tmp_path / "w.parquet")
    pd.testing.assert_frame_equal(back.data, svy.data)
    assert back.question("CONCERNCO") == LABELS["CONCERNCO_W49"]
    assert back._codebook["CONCERNCO_W49"].missing == ("Refused",)


def test_sav_round_trip_every_labelled_column(tmp_path):
    svy = pw.demo()
    out = svy.to_sav(tmp_path / "copy.sav")
    back = pw.read(out)
    pd.testing.assert_frame_equal(back.data, svy.data)
    for name, info in svy._codebook.variables.items():
        b = back._codebook.variables[name]
        assert (b.label, b.missing, b.kind, b.measure) == (info.label, info.missing, info.kind, info.measure), name
        if info.kind == "categorical":
            assert list(back.data[name].cat.categories) == list(svy.data[name].cat.categories)
    assert back.weights.tolist() == svy.weights.tolist()
    # byte-identical when written twice
    again = svy.to_sav(tmp_path / "copy2.sav")
    assert out.read_bytes() == again.read_bytes()


def test_to_sav_writes_current_weights(tmp_path):
    svy = pw.demo()
    doubled = svy.with_weights(svy._design.weights * 2)
    back = pw.read(doubled.to_sav(tmp_path / "d.sav"))
    assert np.allclose(back.weights.to_numpy(), 2 * svy.weights.to_numpy())


def test_pin_timestamp_uses_source_date_epoch(tmp_path, monkeypatch):
    path = _write_sav(tmp_path / "t.sav")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1560729600")  # 2019-06-17
    pin_sav_timestamp(path)
    head = path.read_bytes()[92:109]
    assert head == b"17 Jun 1900:00:00"


@pytest.mark.parametrize(
    "name,content,expect",
    [
        ("data.xlsx", b"x", "unknown file type '.xlsx'"),
        ("empty.sav", b"", "file is empty"),
        ("corrupt.sav", b"this is not an spss file at all" * 10, "cannot be read as SPSS .sav"),
        ("corrupt.dta", b"\x00\x01garbage" * 20, "cannot be read as Stata .dta"),
        ("bad.parquet", b"PAR1 nope", "cannot be read as Parquet"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path, name, content, expect):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataFileError) as err:
        pw.read(path)
    msg = str(err.value)
    assert expect in msg and str(path) in msg and "\n" not in msg


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataFileError, match="file not found"):
        pw.read(tmp_path / "nope.sav")
    d = tmp_path / "folder.sav"
    d.mkdir()
    with pytest.raises(DataFileError, match="is a directory"):
        pw.read(d)
    with pytest.raises(DataFileError, match="column 'CONCERNCO_W94' is not in the file; did you mean CONCERNCO_W49"):
        read_file(_write_sav(tmp_path / "w.sav"), columns=["CONCERNCO_W94"])


def test_reading_never_opens_input_for_writing(tmp_path):
    path = _write_sav(tmp_path / "w.sav")
    before = path.read_bytes()
    path.chmod(0o444)
    pw.read(path)
    assert path.read_bytes() == before


def test_chunked_reading_equals_one_read(tmp_path, monkeypatch):
    import pewlike.io.files as pio

    rng = np.random.default_rng(3)
    n = 1000
    frame = pd.DataFrame(
        {
            "ITEM": rng.integers(1, 5, n).astype(float),
            "BIG": rng.choice([1.0, 2.0, 300.0, np.nan], n),  # needs int16 storage
            "X": rng.normal(size=n),  # float storage
            "WEIRD": np.where(rng.random(n) < 0.5, 1.5, 2.0),  # labelled but fractional
        }
    )
    frame.loc[::7, "ITEM"] = np.nan
    frame.loc[::11, "ITEM"] = 99
    path = tmp_path / "big.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={
            "ITEM": {1: "A", 2: "B", 3: "C", 4: "D", 99: "Refused"},
            "BIG": {1: "one", 2: "two", 300: "many"},
            "WEIRD": {1.5: "one and a half", 2: "two"},
        },
    )
    whole, cb1 = read_file(path)
    monkeypatch.setattr(pio, "CHUNK_ROWS", 64)
    monkeypatch.setattr(pio.fastread, "available", lambda: False)  # pyreadstat's chunks (test_fastread: polars')
    chunked, cb2 = read_file(path)
    pd.testing.assert_frame_equal(whole, chunked)
    assert cb1 == cb2
    assert chunked["ITEM"].iloc[11] == "Refused" and pd.isna(chunked["ITEM"].iloc[7])


def test_parquet_keeps_declared_scales_and_wave_wordings(tmp_path):
    svy = pw.demo().set_scale("SECUR1_W49", ordered=True).set_scale("CONCERNCO_W49", ordered=False)
    svy.to_parquet(tmp_path / "w.parquet")
    back = pw.read(tmp_path / "w.parquet", weights="WEIGHT_W49")
    assert back.codebook().set_index("name").loc[["SECUR1_W49", "CONCERNCO_W49"], "type"].tolist() == [
        "ordinal",
        "categorical",
    ]
    a = pw.Survey(pd.DataFrame({"Q_W1": [1.0, 2.0], "w": [1.0, 1.0]}), weights="w")
    b = pw.Survey(pd.DataFrame({"Q_W2": [2.0, 1.0], "w": [1.0, 1.0]}), weights="w")
    a = a.assign(Q_W1=a.data["Q_W1"], labels={"Q_W1": "Old wording"})
    b = b.assign(Q_W2=b.data["Q_W2"], labels={"Q_W2": "New wording"})
    stacked = pw.stack({"1": a, "2": b}, id=None)
    stacked.to_parquet(tmp_path / "s.parquet")
    again = pw.read(tmp_path / "s.parquet", weights="WAVE_WEIGHT")
    assert again._codebook.variables["Q"].wordings == (("1", "Old wording"), ("2", "New wording"))


def test_skip_codes_of_other_houses_are_out_of_the_base(tmp_path):
    """Files from other survey houses label skips ("Legitimate skip", "Inapplicable") without declaring them missing."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "Q1": [1.0, 2.0, 1.0, -1.0, -1.0, 9.0, 1.0, 2.0],
            "AGE": [34.0, 51.0, 29.0, -1.0, 77.0, 45.0, 62.0, 18.0],
            "weight": [1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 1.0, 2.0],
        }
    )
    path = tmp_path / "gss_like.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={
            "Q1": {1: "Yes", 2: "No", -1: "Legitimate skip", 9: "Prefer not to say"},
            "AGE": {-1: "Inapplicable"},
        },
    )
    svy = pw.read(path, weights="weight")
    row = svy.codebook().set_index("name").loc["Q1"]
    assert row["missing_codes"] == "-1; 9"
    t = svy.topline("Q1").to_frame().set_index("level")
    # base: the five Yes/No answers, weights 1+2+1+1+2 = 7, Yes 3 of them
    assert list(t.index) == ["Yes", "No"]
    assert t.loc["Yes", "estimate"] == pytest.approx(3 / 7)
    assert svy.proportion("Q1").to_frame().set_index("level").loc["No", "n"] == 2
    # -1 "Inapplicable" of a number is not an age
    assert svy.mean("AGE").to_frame()["estimate"].iloc[0] == pytest.approx(
        (34 + 2 * 51 + 29 + 3 * 77 + 45 + 62 + 2 * 18) / 11
    )


def _skip_file(path, n: int = 600, seed: int = 5):
    """A file coded as other survey houses do: skips labelled ('Legitimate skip', declared 'IAP')."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    q2 = rng.choice([1.0, 2.0, 9.0], n, p=[0.5, 0.45, 0.05])
    q2[rng.random(n) < 0.3] = -1.0  # not asked: coded, not blank
    q3 = rng.choice([1.0, 2.0, 3.0, 8.0], n, p=[0.4, 0.3, 0.2, 0.1])
    q3[rng.random(n) < 0.2] = -1.0
    q3[:5] = np.nan  # and a few blanks
    frame = pd.DataFrame({"Q2": q2, "Q3": q3, "VOTE": rng.choice([1.0, 2.0], n), "weight": rng.gamma(4, 0.25, n)})
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={
            "Q2": {1: "Yes", 2: "No", -1: "Legitimate skip", 9: "Refused"},
            "Q3": {1: "Agree", 2: "Neither", 3: "Disagree", -1: "IAP", 8: "Don't know"},
            "VOTE": {1: "Voted", 2: "Not asked to vote"},
        },
        missing_ranges={"Q3": [-1, 8]},
    )
    return frame


def test_skip_codes_are_not_asked(tmp_path):
    """A skip code is read as blank (not asked), as ATP leaves those not asked; the codebook keeps its code."""
    frame = _skip_file(tmp_path / "skips.sav")
    svy = pw.read(tmp_path / "skips.sav", weights="weight")
    assert list(svy.data["Q2"].cat.categories) == ["Yes", "No", "Refused"]
    assert list(svy.data["Q3"].cat.categories) == ["Agree", "Neither", "Disagree", "Don't know"]
    assert svy.data["Q2"].isna().to_numpy().tolist() == (frame["Q2"] == -1).tolist()
    assert list(svy.data["VOTE"].cat.categories) == ["Voted", "Not asked to vote"]
    cb = svy.codebook().set_index("name")
    assert cb.loc["Q2", "missing_codes"] == "-1; 9" and cb.loc["Q3", "missing_codes"] == "-1; 8"
    for var, skip, missing in (("Q2", -1, 9), ("Q3", -1, 8)):
        asked = frame[var].notna() & (frame[var] != skip)
        t = svy.topline(var, base="all")
        assert t.asked == int(asked.sum()) and t.n == int(asked.sum())
        assert f"Asked of {int(asked.sum()):,} of 600 respondents" in t.table().notes[0]
        w = frame["weight"][asked]
        got = t.to_frame().set_index("level")["estimate"]
        assert got.iloc[-1] == pytest.approx(w[frame[var][asked] == missing].sum() / w.sum(), rel=1e-12)
        valid = svy.topline(var)
        assert valid.n == int((asked & (frame[var] != missing)).sum())
    # selecting the skip code by its number says where those rows went
    with pytest.raises(pw.EstimationError, match=r"Q2 has -1 'Legitimate skip' \(read as blank: not asked\), 1 'Yes'"):
        svy.subset("Q2 == -1")
    assert svy.subset("isna(Q2)").n == int(frame["Q2"].isin([-1, 9]).sum())  # isna() also sees missing codes
    # missing="keep": every code an answer, the skip too
    kept = pw.read(tmp_path / "skips.sav", weights="weight", missing="keep")
    assert list(kept.data["Q2"].cat.categories) == ["Legitimate skip", "Yes", "No", "Refused"]
    assert kept.topline("Q2").n == 600
    # round trip through pewlike's own files
    back = pw.read(svy.to_sav(tmp_path / "back.sav"), weights="weight")
    assert back.topline("Q2", base="all").to_frame().equals(svy.topline("Q2", base="all").to_frame())
    pq = pw.read(svy.to_parquet(tmp_path / "back.parquet"), weights="weight")
    assert pq.topline("Q3", base="all").to_frame().equals(svy.topline("Q3", base="all").to_frame())


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_csv_with_another_delimiter_is_read_by_its_header(tmp_path, sep):
    """Spreadsheets export 'CSV' with semicolons and decimal commas, or tabs: the header says which."""
    import pandas as pd

    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "Q1": rng.choice(["Yes", "No", "Refused"], 200),
            "AGREE": rng.choice(["Strongly agree", "Agree", "Disagree", "Strongly disagree"], 200),
            "weight": rng.gamma(4.0, 0.25, 200).round(4),
        }
    )
    path = tmp_path / "export.csv"
    frame.to_csv(path, sep=sep, index=False, decimal="," if sep == ";" else ".")
    svy = pw.read(path)  # weights="auto" finds "weight"
    assert list(svy.data.columns) == ["Q1", "AGREE", "weight"]
    np.testing.assert_allclose(svy.data["weight"], frame["weight"], rtol=0, atol=0)
    assert list(svy.data["AGREE"].cat.categories) == ["Strongly agree", "Agree", "Disagree", "Strongly disagree"]
    valid = frame["Q1"] != "Refused"
    yes = frame["weight"][valid & (frame["Q1"] == "Yes")].sum() / frame["weight"][valid].sum()
    assert svy.topline("Q1").to_frame().set_index("level").loc["Yes", "estimate"] == pytest.approx(yes, rel=1e-12)


def test_csv_delimiter_guess_keeps_commas_and_given_options(tmp_path):
    import pandas as pd

    from pewlike.io.files import csv_options

    path = tmp_path / "quoted.csv"
    path.write_text('"Q1; part a",weight\nYes,1.5\nNo,2\n', encoding="utf-8")
    assert csv_options(path, {}) == {}
    assert list(pw.read(path).data.columns) == ["Q1; part a", "weight"]
    semi = tmp_path / "semi.csv"
    semi.write_text("Q1;weight\nYes;1.5\nNo;2.25\n", encoding="utf-8")
    assert csv_options(semi, {}) == {"sep": ";"}  # decimal points stay points
    assert csv_options(semi, {"sep": ","}) == {"sep": ","}  # the caller's choice wins
    assert pw.read(semi, weights="weight").data["weight"].tolist() == [1.5, 2.25]
    assert pd.api.types.is_float_dtype(pw.read(semi).data["weight"].dtype)


def test_labels_padded_with_spaces_are_classified_without_backtracking(tmp_path):
    """A stranger's answer text of 100,000 spaces: classified in one pass (a backtracking pattern took minutes)."""
    import pandas as pd

    pad = " " * 100_000
    labels = [f"Not asked{pad}x", f"Not asked{pad}", f"{pad}(Form 2)", f"N/A{pad}.", f"don't{pad}x"]
    assert [is_missing_label(lab) for lab in labels] == [False, True, False, True, False]
    assert [is_not_asked_label(lab) for lab in labels] == [False, True, False, False, False]
    path = tmp_path / "padded.csv"
    pd.DataFrame({"Q": ["Yes", "No", f"Not asked{pad}x", "Yes"], "weight": 1.0}).to_csv(path, index=False)
    svy = pw.read(path)
    assert svy.data["Q"].tolist()[2].startswith("Not asked") and svy.topline("Q").n == 4


def test_blank_labels_read_as_their_codes(tmp_path):
    """A value label that is empty or only spaces names its answer by the code: a table has no blank row."""
    rng = np.random.default_rng(11)
    n = 200
    frame = pd.DataFrame(
        {
            "Q1": rng.choice([1.0, 2.0, 3.0], n),
            "Q2": rng.choice(["A", "B"], n),
            "W": rng.uniform(0.5, 2.0, n),
        }
    )
    pyreadstat.write_sav(
        frame,
        str(tmp_path / "blank.sav"),
        variable_value_labels={"Q1": {1.0: "", 2.0: "   ", 3.0: "Other"}, "Q2": {"A": " ", "B": "Bee"}},
    )
    svy = pw.read(tmp_path / "blank.sav", weights="W")
    assert list(svy.data["Q1"].cat.categories) == ["1", "2", "Other"]
    assert list(svy.data["Q2"].cat.categories) == ["A", "Bee"]
    top = svy.topline("Q1").to_frame().set_index("level")["estimate"]
    w = frame["W"].to_numpy()
    assert top["1"] == pytest.approx(np.average(frame["Q1"] == 1.0, weights=w), rel=1e-12)
    assert svy.subset("Q1 == 2").n == int((frame["Q1"] == 2.0).sum())
