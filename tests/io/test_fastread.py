"""polars-readstat path for large .sav files (#15): identical frames and codebooks to pyreadstat's.

Each seeded file is read twice with :func:`read_file`: once through pyreadstat (the
fast path switched off), once through polars-readstat with a tiny ``CHUNK_ROWS`` so
that the file counts as large and is decoded in many row batches.
"""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from pewlike.io import fastread, files
from pewlike.io.files import read_file

pytest.importorskip("polars_readstat")

CHUNK = 7  # rows per batch in the fast reads: every file below spans several batches


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, *, fast: str, **kwargs: Any) -> tuple[pd.DataFrame, Any]:
    """``fast``: "off" (pyreadstat), "auto" (as installed) or "all" (polars-readstat reads
    every user-missing column and every plain column, however many of each)."""
    calls: list[Any] = []
    with monkeypatch.context() as m:
        if fast == "off":
            m.setattr(fastread, "available", lambda: False)
        else:
            m.setattr(files, "CHUNK_ROWS", CHUNK)
            real = fastread.read_sav_columns

            def spy(*args: Any, **kw: Any) -> Any:
                got = real(*args, **kw)
                calls.append(got)
                return got

            m.setattr(fastread, "read_sav_columns", spy)
        if fast == "all":
            m.setattr(fastread, "_NULL_BYTES_PER_ROW", 1)
            m.setattr(fastread, "_MOST_SLOW", 1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = read_file(path, **kwargs)
    large = len(out[0]) > 2 * CHUNK
    assert len(calls) == (large and fast != "off")  # asked exactly when the file counts as large
    if fast == "all" and large:
        assert calls[0] is not None  # ... and did not hand the file back to pyreadstat
    return out


def _same(path: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> pd.DataFrame:
    want, want_cb = _read(path, monkeypatch, fast="off", **kwargs)
    for fast in ("auto", "all"):
        got, got_cb = _read(path, monkeypatch, fast=fast, **kwargs)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        assert list(got.columns) == list(want.columns)
        assert got_cb == want_cb
    return got


def _raw(path: Path) -> pd.DataFrame:
    df, _ = pyreadstat.read_sav(str(path), user_missing=True, apply_value_formats=False)
    return df


def _survey(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Pew-like items with user-missing codes declared every way SPSS allows."""
    item = lambda k: rng.integers(1, k + 1, n).astype(float)  # noqa: E731
    data = {
        "QKEY": np.arange(n, dtype=float) + 1e6,
        "WEIGHT_W1": rng.uniform(0.2, 3, n),
        "DISCRETE": np.where(rng.random(n) < 0.2, rng.choice([98.0, 99.0], n), item(4)),
        "RANGE": np.where(rng.random(n) < 0.3, rng.choice([97.0, 98.0, 99.0], n), item(3)),
        "RANGE_PLUS": np.where(rng.random(n) < 0.3, rng.choice([-1.0, 7.0, 8.0], n), item(5)),
        "NEG_FRAC": np.where(rng.random(n) < 0.3, rng.choice([-2.5, -1.25, 0.125], n), item(2)),
        "NUM_MISS": np.where(rng.random(n) < 0.1, 999.0, rng.normal(50, 10, n)),
        "SYSMIS": np.where(rng.random(n) < 0.4, np.nan, item(3)),
        "UNDECLARED": np.where(rng.random(n) < 0.1, 99.0, item(4)),
    }
    meta: dict[str, Any] = {
        "variable_value_labels": {
            "DISCRETE": {1: "A", 2: "B", 3: "C", 4: "D", 98: "Don't know", 99: "Refused"},
            "RANGE": {1: "Yes", 2: "No", 3: "Maybe", 97: "Skipped", 98: "DK", 99: "Ref"},
            "RANGE_PLUS": {**{i: f"Option {i}" for i in range(1, 6)}, -1: "Not asked", 8: "DK"},
            "NEG_FRAC": {1: "Agree", 2: "Disagree"},
            "UNDECLARED": {1: "a", 2: "b", 3: "c", 4: "d", 99: "Refused"},
        },
        "missing_ranges": {
            "DISCRETE": [98, 99],
            "RANGE": [{"lo": 97, "hi": 99}],
            "RANGE_PLUS": [{"lo": 7, "hi": 8}, -1],
            "NEG_FRAC": [-2.5, -1.25, 0.125],
            "NUM_MISS": [999],
        },
        "column_labels": {"DISCRETE": "How much do you trust ... ?", "WEIGHT_W1": "Weight"},
        "variable_measure": {"DISCRETE": "ordinal", "RANGE": "nominal", "NUM_MISS": "scale"},
        "file_label": "Seeded test wave",
    }
    return pd.DataFrame(data), meta


def _write(path: Path, frame: pd.DataFrame, meta: dict[str, Any] | None = None) -> Path:
    meta = dict(meta or {})
    labels = meta.pop("column_labels", {})
    pyreadstat.write_sav(frame, str(path), column_labels=[labels.get(c, "") for c in frame.columns], **meta)
    return path


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("missing", ["auto", "keep", "nan"])
def test_user_missing_codes_kept_as_pyreadstat_keeps_them(tmp_path, monkeypatch, seed, missing):
    frame, meta = _survey(np.random.default_rng(seed), 53 + seed)
    path = _write(tmp_path / "w.sav", frame, meta)
    got = _same(path, monkeypatch, missing=missing)
    if missing == "keep":  # the declared codes are data, exactly as in the file
        assert (got["DISCRETE"].astype(str) == "Refused").sum() == (frame["DISCRETE"] == 99).sum() > 0
        assert got["NUM_MISS"].eq(999.0).sum() == frame["NUM_MISS"].eq(999.0).sum() > 0
        assert sorted(got["NEG_FRAC"].cat.categories) == sorted(["-2.5", "-1.25", "0.125", "Agree", "Disagree"])


def test_raw_columns_equal_pyreadstat_value_for_value(tmp_path, monkeypatch):
    monkeypatch.setattr(fastread, "_NULL_BYTES_PER_ROW", 1)  # user-missing codes from polars-readstat
    frame, meta = _survey(np.random.default_rng(7), 40)
    path = _write(tmp_path / "w.sav", frame, meta)
    got = fastread.read_sav_columns(
        path, pyreadstat.read_sav, {"user_missing": True, "apply_value_formats": False}, CHUNK
    )
    assert got is not None
    get, names, index, _ = got
    raw = _raw(path)
    assert names == list(raw.columns) and index.equals(raw.index)
    for name in names:
        np.testing.assert_array_equal(np.asarray(get(name), dtype=float), raw[name].to_numpy(dtype=float))
    assert np.isin([98.0, 99.0], raw["DISCRETE"]).all()  # the codes really are in the data


def test_strings_widths_unicode_empty_and_user_missing(tmp_path, monkeypatch):
    rng = np.random.default_rng(4)
    n = 45
    pool = ["", " ", "a", "  lead", "trail  ", "é à ü", "中文回答", "emoji 🙂", "DK", "x" * 300, "tab\there"]
    frame = pd.DataFrame(
        {
            "ID": np.arange(n, dtype=float),
            "OPEN": rng.choice(pool, n),
            "SHORT": rng.choice(["y", "n", "", "R"], n),
            "EMPTY": [""] * n,
            "CODE": rng.integers(1, 4, n).astype(float),
        }
    )
    path = _write(tmp_path / "s.sav", frame, {"missing_ranges": {"OPEN": ["DK"], "SHORT": ["R", ""]}})
    got = _same(path, monkeypatch)
    raw = _raw(path)["OPEN"]
    blank = raw.str.strip() == ""
    assert blank.any() and got["OPEN"][blank].isna().all()  # blank answers are not asked
    assert got["OPEN"][~blank].tolist() == raw[~blank].tolist()
    assert (got["OPEN"] == "DK").sum() == (frame["OPEN"] == "DK").sum() > 0
    assert (got["SHORT"] == "R").sum() == (frame["SHORT"] == "R").sum() > 0
    assert got["OPEN"].str.len().max() == 300


def test_dates_times_and_other_formats_equal(tmp_path, monkeypatch):
    rng = np.random.default_rng(5)
    n = 33
    start = dt.datetime(2020, 3, 1, 8, 0, 0)
    frame = pd.DataFrame(
        {
            "ID": np.arange(n, dtype=float),
            "DAY": [dt.date(1582, 10, 14) + dt.timedelta(days=int(d)) for d in rng.integers(0, 200000, n)],
            "STAMP": [start + dt.timedelta(seconds=float(s)) for s in rng.uniform(0, 1e7, n)],
            "CLOCK": [dt.time(int(h), int(m), 7) for h, m in zip(rng.integers(0, 24, n), rng.integers(0, 60, n))],
            "MONEY": rng.normal(1000, 300, n),
            "SHARE": rng.uniform(0, 100, n),
            "WEEKDAY": rng.integers(1, 8, n).astype(float),
            "YRMO": rng.uniform(1e10, 1.3e10, n),
        }
    )
    frame.loc[3, "DAY"] = None
    frame.loc[4, "STAMP"] = None
    frame.loc[5:9, "MONEY"] = -1.0
    fmts = {"MONEY": "DOLLAR10.2", "SHARE": "PCT6.1", "WEEKDAY": "WKDAY3", "YRMO": "MOYR6", "DAY": "ADATE10"}
    path = _write(tmp_path / "d.sav", frame, {"variable_format": fmts, "missing_ranges": {"MONEY": [-1]}})
    got = _same(path, monkeypatch)
    assert got["STAMP"].dtype == _raw(path)["STAMP"].dtype
    assert pd.isna(got.loc[3, "DAY"]) and pd.isna(got.loc[4, "STAMP"])


def test_all_missing_columns(tmp_path, monkeypatch):
    n = 30
    frame = pd.DataFrame(
        {
            "ALL_SYSMIS": np.full(n, np.nan),
            "ALL_USER": np.full(n, 99.0),
            "ALL_USER_LAB": np.full(n, 98.0),
            "ALL_EMPTY": [""] * n,
            "ALL_MISS_TEXT": ["NA"] * n,
            "W": np.ones(n),
        }
    )
    meta = {
        "variable_value_labels": {"ALL_USER_LAB": {1: "Yes", 2: "No", 98: "DK"}, "ALL_SYSMIS": {1: "Yes"}},
        "missing_ranges": {"ALL_USER": [99], "ALL_USER_LAB": [98], "ALL_MISS_TEXT": ["NA"], "ALL_SYSMIS": [9]},
    }
    path = _write(tmp_path / "m.sav", frame, meta)
    for missing in ("auto", "keep", "nan"):
        got = _same(path, monkeypatch, missing=missing)
        assert got["ALL_SYSMIS"].isna().all()
    kept = _same(path, monkeypatch, missing="keep")
    assert kept["ALL_USER"].eq(99.0).all() and kept["ALL_MISS_TEXT"].eq("NA").all()


def test_zero_rows_and_below_threshold_use_pyreadstat(tmp_path, monkeypatch):
    frame, meta = _survey(np.random.default_rng(8), 10)
    empty = _write(tmp_path / "z.sav", frame.iloc[:0], meta)
    got = _same(empty, monkeypatch)
    assert got.shape == (0, frame.shape[1])
    assert (
        fastread.read_sav_columns(empty, pyreadstat.read_sav, {"user_missing": True, "apply_value_formats": False}, 5)
        is None
    )
    small = _write(tmp_path / "small.sav", frame.iloc[: 2 * CHUNK], meta)
    _same(small, monkeypatch)  # not large: the spy checks the fast path was not asked


def test_wide_file_and_selected_columns(tmp_path, monkeypatch):
    rng = np.random.default_rng(9)
    n, k = 41, 260
    cols = {
        f"Q{j}_W2": np.where(rng.random(n) < 0.05, 99.0, rng.integers(1, 3 + j % 4, n).astype(float)) for j in range(k)
    }
    cols["AGE"] = np.where(rng.random(n) < 0.1, 99.0, rng.integers(18, 98, n).astype(float))
    frame = pd.DataFrame(cols)
    meta = {
        "variable_value_labels": {
            **{f"Q{j}_W2": {**{i: f"Opt {i}" for i in range(1, 3 + j % 4)}, 99: "Refused"} for j in range(k)},
            "AGE": {99: "Refused"},
        },
        "missing_ranges": {f"Q{j}_W2": [99] for j in range(0, k, 2)},
    }
    path = _write(tmp_path / "wide.sav", frame, meta)
    got = _same(path, monkeypatch)
    assert got.shape == (n, k + 1)
    part = _same(path, monkeypatch, columns=["Q7", "AGE", "Q2_W2"])
    assert list(part.columns) == ["Q2_W2", "Q7_W2", "AGE"]


def test_extreme_numbers(tmp_path, monkeypatch):
    values = [0.1, 1e300, -1e300, 5e-324, 2.0**53, -(2.0**53), 1 / 3, -7.25, np.nan, 123456789.123456789]
    n = 3 * len(values)
    frame = pd.DataFrame({"X": values * 3, "Y": values[::-1] * 3, "Z": np.arange(n, dtype=float) - 100})
    path = _write(tmp_path / "x.sav", frame, {"missing_ranges": {"Y": [1e300, 5e-324, 1 / 3]}})
    got = _same(path, monkeypatch, missing="keep")
    np.testing.assert_array_equal(got["Y"].to_numpy(), _raw(path)["Y"].to_numpy())


def test_fast_path_declines_what_it_cannot_match(tmp_path):
    frame, meta = _survey(np.random.default_rng(10), 20)
    path = _write(tmp_path / "w.sav", frame, meta)
    read = pyreadstat.read_sav
    assert (
        fastread.read_sav_columns(
            path, read, {"user_missing": True, "apply_value_formats": False, "encoding": "latin1"}, 5
        )
        is None
    )
    assert fastread.read_sav_columns(path, read, {"user_missing": False, "apply_value_formats": False}, 5) is None
    zsav = tmp_path / "w.zsav"
    pyreadstat.write_sav(frame, str(zsav), compress=True)
    assert fastread.read_sav_columns(zsav, read, {"user_missing": True, "apply_value_formats": False}, 5) is None
    broken = tmp_path / "broken.sav"
    broken.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(files.DataFileError, match="cannot be read"):
        read_file(broken)


def test_columns_widen_across_batches(tmp_path, monkeypatch):
    # each column changes storage type in a later batch: int8 -> int16 -> float, NaN-only first
    n = 6 * CHUNK
    base = np.tile([1.0, 2.0, 3.0, np.nan, 2.0, 1.0, 3.0], 6)
    wide = base.copy()
    wide[2 * CHUNK + 1] = 300.0  # needs int16 from the third batch on
    wide[4 * CHUNK + 2] = 1.5  # needs float from the fifth
    late = np.full(n, np.nan)
    late[3 * CHUNK :] = np.arange(n - 3 * CHUNK, dtype=float) - 200  # NaN batches, then int16
    frame = pd.DataFrame({"WIDE": wide, "LATE": late, "NEG": -base, "BIGINT": base * 1e6})
    path = _write(tmp_path / "w.sav", frame, {"variable_value_labels": {"WIDE": {1: "a", 2: "b", 300: "c"}}})
    for missing in ("auto", "keep"):
        _same(path, monkeypatch, missing=missing)
    got = fastread.read_sav_columns(
        path, pyreadstat.read_sav, {"user_missing": True, "apply_value_formats": False}, CHUNK
    )
    assert got is not None
    for name in frame.columns:
        np.testing.assert_array_equal(np.asarray(got[0](name)), frame[name].to_numpy())


def test_which_columns_polars_readstat_reads(tmp_path, monkeypatch):
    rng = np.random.default_rng(11)
    n, k = 30, 48
    frame = pd.DataFrame({f"Q{j}": rng.integers(1, 4, n).astype(float) for j in range(k)})
    frame["Q0"] = np.where(rng.random(n) < 0.3, 9.0, frame["Q0"])
    frame["TXT"] = rng.choice(["a", "DK", ""], n)
    opts = {"user_missing": True, "apply_value_formats": False}
    few = _write(tmp_path / "few.sav", frame, {"missing_ranges": {"Q0": [9], "TXT": ["DK"]}})
    seen: list[Any] = []
    real = fastread._batches
    monkeypatch.setattr(
        fastread,
        "_batches",
        lambda pr, path, cols, nulls, rows: seen.append((cols, nulls)) or real(pr, path, cols, nulls, rows),
    )
    assert fastread.read_sav_columns(few, pyreadstat.read_sav, opts, CHUNK) is not None
    # 49 columns: two (49 // 24) may keep their user-missing codes in polars-readstat's second pass
    assert [(len(cols), nulls is not None) for cols, nulls in seen] == [(k - 1, False), (2, True)]
    assert seen[1][0] == ["Q0", "TXT"]
    _same(few, monkeypatch)
    # every column declares user-missing codes: pyreadstat reads the file (the fast path declines)
    most = _write(tmp_path / "most.sav", frame, {"missing_ranges": {c: [9] for c in frame.columns if c != "TXT"}})
    assert fastread.read_sav_columns(most, pyreadstat.read_sav, opts, CHUNK) is None
    _same(most, monkeypatch)
