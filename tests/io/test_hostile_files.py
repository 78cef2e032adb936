"""Hostile input files: FIFOs, duplicate names, malformed stored codebooks, reader crashes (issue #17)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import DataFileError, LabelWarning, PewlikeError
from pewlike.io import probe as probe_mod
from pewlike.io.epoch import source_date_epoch
from pewlike.io.files import pin_sav_timestamp

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], cwd: Path, timeout: float = 120, env: dict[str, str] | None = None):
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "pewlike", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=full
    )


def _one_line_error(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert "Traceback" not in stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("pewlike: error: ")
    return lines[0]


# ------------------------------------------------------------------------------ not regular files
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataFileError, match=r"data.csv: is not a regular file \(a FIFO \(named pipe\)\)"):
        pw.read(fifo)
    res = _run(["topline", "Q1", "--data", str(fifo)], tmp_path, timeout=60)
    assert res.returncode == 1
    assert "is not a regular file (a FIFO (named pipe))" in _one_line_error(res.stderr)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_sav_is_refused_before_the_probe(tmp_path):
    fifo = tmp_path / "data.sav"
    os.mkfifo(fifo)
    with pytest.raises(DataFileError, match="is not a regular file"):  # a probe would block on it
        pw.read(fifo, probe=True)


# ------------------------------------------------------------------------------ duplicate columns
def test_duplicate_csv_column_is_refused_not_renamed(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("Q1,WEIGHT,WEIGHT\nYes,1,2\nNo,1,2\n")
    with pytest.raises(DataFileError, match=r"dup.csv: column name 'WEIGHT' appears more than once"):
        pw.read(path)
    res = _run(["topline", "Q1", "--data", str(path), "--weights", "WEIGHT.1"], tmp_path)
    assert res.returncode == 1
    assert "column name 'WEIGHT' appears more than once" in _one_line_error(res.stderr)


def test_csv_column_really_named_with_a_dot_number_is_fine(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text("Q1,WEIGHT,WEIGHT.1\nYes,1,2\nNo,1,2\n")
    svy = pw.read(path, weights="WEIGHT.1")
    assert list(svy.data.columns) == ["Q1", "WEIGHT", "WEIGHT.1"]
    assert svy.weights.tolist() == [2.0, 2.0]


def test_duplicate_parquet_column_is_refused(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "dup.parquet"
    pq.write_table(
        pa.table([pa.array([1, 2]), pa.array([1.0, 2.0]), pa.array([3.0, 4.0])], names=["Q1", "W", "W"]), path
    )
    with pytest.raises(DataFileError, match=r"dup.parquet: column name 'W' appears more than once"):
        pw.read(path)


# ------------------------------------------------------------------------------ stored codebook
GOOD = {
    "file_label": "x",
    "variables": {
        "Q1": {
            "label": "Question one",
            "value_labels": {"1.0": "Yes", "2.0": "No"},
            "missing": [],
            "missing_codes": [],
            "kind": "numeric",
            "measure": None,
        }
    },
}

MALFORMED = {
    "not JSON": (b"{nope", "not JSON"),
    "JSON list": (b"[1, 2]", "JSON a list, not an object"),
    "missing keys": (b"{}", "no 'variables' object"),
    "label a number": (json.dumps({"variables": {"Q1": {"label": 5}}}).encode(), "'label' of 'Q1' is a number"),
    "variable is text": (json.dumps({"variables": {"Q1": "x"}}).encode(), "variable 'Q1' is text"),
    "bad code": (
        json.dumps({"variables": {"Q1": {"value_labels": {"x": "Yes"}}}}).encode(),
        "value label code 'x' of 'Q1' is not a number",
    ),
    "labels a list": (
        json.dumps({"variables": {"Q1": {"value_labels": [1]}}}).encode(),
        "'value_labels' of 'Q1' is a list",
    ),
    "bad kind": (json.dumps({"variables": {"Q1": {"kind": "weird"}}}).encode(), "kind 'weird'"),
    "missing not list": (json.dumps({"variables": {"Q1": {"missing": "Refused"}}}).encode(), "'missing' of 'Q1'"),
    "scale a text": (json.dumps({"variables": {"Q1": {"scale": "yes"}}}).encode(), "'scale' of 'Q1' is text"),
    "wordings flat": (
        json.dumps({"variables": {"Q1": {"wordings": ["2019", "Old"]}}}).encode(),
        "'wordings' of 'Q1' is not a list of [wave, wording] pairs",
    ),
    "nested deep": (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply"),
    "not UTF-8": (b"\xff\xfe{", "not UTF-8 text"),
    "huge": (b'{"variables": {}, "pad": "' + b"a" * 50_000_001 + b'"}', "more than 50,000,000"),
}


def _parquet_with(path: Path, meta: bytes) -> Path:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"Q1": [1.0, 2.0, 1.0], "weight": [1.0, 1.0, 2.0]})
    pq.write_table(table.replace_schema_metadata({b"pewlike.codebook": meta}), path)
    return path


def test_well_formed_stored_codebook_is_used(tmp_path):
    svy = pw.read(_parquet_with(tmp_path / "good.parquet", json.dumps(GOOD).encode()))
    assert svy.question("Q1") == "Question one"


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_stored_codebook_warns_and_falls_back(tmp_path, case):
    meta, reason = MALFORMED[case]
    path = _parquet_with(tmp_path / "bad.parquet", meta)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svy = pw.read(path)
    msgs = [str(w.message) for w in caught if issubclass(w.category, LabelWarning)]
    assert len(msgs) == 1
    assert msgs[0].startswith(f"{path}: its pewlike.codebook metadata is malformed (")
    assert reason in msgs[0]
    assert msgs[0].endswith("reading the data without its stored labels")
    plain = pw.read(_parquet_with(tmp_path / "plain.parquet", b""))  # the same data, no stored codebook
    assert svy.n == 3 and svy.weights.sum() == 4.0
    pd.testing.assert_frame_equal(svy.codebook(), plain.codebook())


def test_malformed_stored_codebook_through_the_cli(tmp_path):
    path = _parquet_with(tmp_path / "bad.parquet", b"{nope")
    res = _run(["codebook", str(path), "--format", "csv"], tmp_path)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert res.stdout.splitlines()[0].startswith("name,label,type")


# ------------------------------------------------------------------------------ SOURCE_DATE_EPOCH
def test_source_date_epoch_is_read_when_used(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert source_date_epoch() == 1700000000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    assert source_date_epoch() is None
    for bad in ("abc", "-5", "1.5", "9" * 5000):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", bad)
        with pytest.raises(PewlikeError, match=r"^SOURCE_DATE_EPOCH='.*' is not a Unix timestamp; set it to"):
            source_date_epoch()


def test_invalid_source_date_epoch_is_one_line_in_the_cli(tmp_path):
    import_only = subprocess.run(
        [sys.executable, "-c", "import pewlike, pewlike.cli"],
        env={**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "abc"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert import_only.returncode == 0, import_only.stderr  # nothing reads it at import
    api = subprocess.run(
        [sys.executable, "-c", "import pewlike as pw; pw.demo()"],
        env={**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "abc"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert api.returncode == 1  # pewlike's error, before numpy's f2py raises a bare ValueError on import
    assert api.stderr.strip().splitlines()[-1] == (
        "pewlike.errors.PewlikeError: SOURCE_DATE_EPOCH='abc' is not a Unix timestamp; set it to a whole number "
        "of seconds since 1970 (e.g. 1700000000) or unset it"
    )
    res = _run(["topline", "CONCERNCO"], tmp_path, env={"SOURCE_DATE_EPOCH": "abc"})
    assert res.returncode == 1
    assert _one_line_error(res.stderr) == (
        "pewlike: error: SOURCE_DATE_EPOCH='abc' is not a Unix timestamp; set it to a whole number of "
        "seconds since 1970 (e.g. 1700000000) or unset it"
    )


def test_pin_sav_timestamp_refuses_invalid_epoch(tmp_path, monkeypatch):
    path = tmp_path / "x.sav"
    path.write_bytes(b"$FL2" + b"\0" * 200)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(PewlikeError, match="SOURCE_DATE_EPOCH='yesterday'"):
        pin_sav_timestamp(path)


# ------------------------------------------------------------------------------ reader probe
def _small_sav(path: Path) -> Path:
    import pyreadstat

    df = pd.DataFrame(
        {
            "Q1": [1.0, 2, 1, 3, 2, 1],
            "Q2": [1.0, 1, 2, 2, 1, 9],
            "WEIGHT": [1.0, 1.2, 0.8, 1, 1, 1],
            "TXT": ["a", "bb", "c", "d", "e", "f"],
        }
    )
    pyreadstat.write_sav(
        df,
        str(path),
        column_labels=["Question one", "Question two", "Weight", "text"],
        variable_value_labels={"Q1": {1: "Yes", 2: "No", 3: "Refused"}, "Q2": {1: "A", 2: "B", 9: "DK"}},
        file_label="fuzz",
    )
    pin_sav_timestamp(path, epoch=946684800)
    return path


def _segfaulting_child(path: str, reader: str) -> list[str]:
    return [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]


@pytest.mark.skipif(not hasattr(signal, "SIGSEGV") or os.name != "posix", reason="POSIX signals")
def test_reader_crash_is_a_data_file_error(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    path = _small_sav(tmp_path / "crash.sav")
    assert pw.read(path, probe=True).n == 6  # the real probe passes a good file
    monkeypatch.setattr(probe_mod, "_probe_command", _segfaulting_child)
    msg = f"the reader crashed on {path} (SIGSEGV, signal 11): the file is corrupt or not an SPSS file"
    with pytest.raises(DataFileError) as info:
        pw.read(path, probe=True)
    assert str(info.value) == msg
    with pytest.raises(DataFileError, match="signal 11"):
        probe_mod.probe_file(path)
    probe_mod.probe_file(tmp_path / "other.csv")  # CSV needs no probe (and the missing file is the read's to report)

    from click.testing import CliRunner

    from pewlike.cli import main

    for args in (["codebook", str(path)], ["topline", "Q1", "--data", str(path)], ["init", str(path)]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 1, res.output
        assert res.output.strip() == f"pewlike: error: {msg}"


def test_reader_that_hangs_is_stopped(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    path = _small_sav(tmp_path / "slow.sav")
    monkeypatch.setattr(probe_mod, "_probe_command", lambda p, r: [sys.executable, "-c", "import time; time.sleep(30)"])
    with pytest.raises(
        DataFileError, match=r"slow.sav: the reader did not finish reading the file's header within 1 s"
    ):
        probe_mod.probe_file(path, timeout=1)


def _mutants(base: bytes, seeds: range) -> list[tuple[int, bytes]]:
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        b = bytearray(base)
        for _ in range(int(rng.integers(1, 9))):
            i = int(rng.integers(0, len(b)))
            if rng.random() < 0.5:
                b[i] = int(rng.integers(0, 256))
            else:
                b[i] ^= 1 << int(rng.integers(0, 8))
        out.append((seed, bytes(b)))
    return out


_DRIVER = textwrap.dedent(
    """
    import json, sys, warnings
    warnings.simplefilter("ignore")
    import pewlike as pw
    from pewlike.errors import PewlikeError
    for path in sys.argv[1:]:
        try:
            pw.read(path, probe=True).codebook()
            out = {"path": path, "ok": True}
        except PewlikeError as exc:
            out = {"path": path, "ok": False, "error": str(exc)}
        print(json.dumps(out), flush=True)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_fuzzed_sav_files_never_crash_or_hang(tmp_path, monkeypatch):
    """80 seeded mutants of a small .sav: each read is clean data or one-line error, never a crash."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    base = _small_sav(tmp_path / "base.sav").read_bytes()
    files = []
    for seed, data in _mutants(base, range(80)):
        f = tmp_path / f"m{seed:03d}.sav"
        f.write_bytes(data)
        files.append(f)
    # every mutant through the guarded API, in one child (a crash in it would end it early)
    res = subprocess.run(
        [sys.executable, "-c", _DRIVER, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert res.returncode == 0, res.stderr[-2000:]
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["path"] for r in rows] == [str(f) for f in files]
    errors = [r["error"] for r in rows if not r["ok"]]
    assert all("\n" not in e and len(e) < 1000 for e in errors)
    crashed = [e for e in errors if "the reader crashed on" in e]
    assert all(e.endswith("the file is corrupt or not an SPSS file") for e in crashed)
    # a sample through the real command line, each under its own timeout
    crashed_paths = [r["path"] for r in rows if not r["ok"] and "the reader crashed on" in r["error"]]
    sample = crashed_paths[:3] + [str(f) for f in files[:5]]
    for path in sample:
        cli = _run(["codebook", path, "--format", "csv"], tmp_path, timeout=120)
        assert cli.returncode in (0, 1, 2), (path, cli.returncode, cli.stderr[-500:])
        assert "Traceback" not in cli.stderr
        if cli.returncode:
            _one_line_error(cli.stderr)
    for path in crashed_paths[:3]:  # these crash pyreadstat 1.3.8 in its metadata read
        cli = _run(["codebook", path], tmp_path, timeout=120)
        assert cli.returncode == 1
        assert "the reader crashed on" in _one_line_error(cli.stderr)


def test_a_csv_saved_by_excel_as_windows_1252_is_read_with_a_warning(tmp_path):
    from pewlike.errors import DataWarning

    rng = np.random.default_rng(12)
    answers = rng.choice(["Très inquiet", "Assez inquiet", "Pas inquiet"], 240)
    weights = np.round(rng.gamma(3.0, 0.3, 240), 4)
    frame = pd.DataFrame({"Q1": answers, "weight": weights})
    legacy = tmp_path / "excel.csv"
    frame.to_csv(legacy, index=False, encoding="cp1252")
    with pytest.warns(DataWarning, match="not UTF-8 .*read as Windows-1252"):
        svy = pw.read(legacy)
    share = np.average(answers == "Très inquiet", weights=weights)
    top = svy.topline("Q1").to_frame().set_index("level")
    assert float(top.loc["Très inquiet", "estimate"]) == pytest.approx(share, rel=1e-12)
    # an encoding the user gives is not second-guessed
    with pytest.raises(DataFileError, match=r"is not utf-8 \(encoding=\) text .*'CSV UTF-8'"):
        pw.read(legacy, encoding="utf-8")
    # bytes that are neither UTF-8 nor Windows-1252 (0x81): one line naming the fix, no frame of garbage
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"Q1,weight\n\x81\x8d,1\nok,2\n")
    with pytest.warns(DataWarning), pytest.raises(DataFileError, match="neither UTF-8 nor Windows-1252"):
        pw.read(broken)


def test_a_windows_1252_csv_on_dask_needs_its_encoding_and_says_so(tmp_path):
    pytest.importorskip("dask.dataframe")
    from pewlike.errors import DataFileError

    frame = pd.DataFrame({"Q1": ["Très inquiet", "Pas inquiet"] * 60, "weight": np.linspace(0.5, 2.0, 120)})
    legacy = tmp_path / "excel.csv"
    frame.to_csv(legacy, index=False, encoding="cp1252")
    with pytest.raises(DataFileError, match=r"is not UTF-8 text .*give its encoding"):
        pw.read(legacy, engine="dask")
    svy = pw.read(legacy, engine="dask", encoding="cp1252")
    top = svy.topline("Q1").to_frame().set_index("level")
    assert float(top.loc["Très inquiet", "estimate"]) == pytest.approx(
        np.average(frame["Q1"] == "Très inquiet", weights=frame["weight"]), rel=1e-12
    )


def test_a_utf16_tab_separated_export_is_read_by_its_byte_order_mark(tmp_path):
    rng = np.random.default_rng(13)
    frame = pd.DataFrame(
        {"Q1": rng.choice(["Très inquiet", "Pas inquiet"], 150), "weight": np.round(rng.gamma(3.0, 0.3, 150), 4)}
    )
    unicode_text = tmp_path / "unicode.csv"  # Excel's "Unicode Text": UTF-16 with a BOM, tabs
    frame.to_csv(unicode_text, sep="\t", index=False, encoding="utf-16")
    assert unicode_text.read_bytes()[:2] == b"\xff\xfe"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no guess to warn of: the byte-order mark says it
        svy = pw.read(unicode_text)
    assert list(svy.data.columns[:2]) == ["Q1", "weight"]
    top = svy.topline("Q1").to_frame().set_index("level")
    share = np.average(frame["Q1"] == "Très inquiet", weights=frame["weight"])
    assert float(top.loc["Très inquiet", "estimate"]) == pytest.approx(share, rel=1e-12)
