"""The report and figure caches (#15): the same bytes with or without them, bad caches ignored."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from pewlike.cli import main
from pewlike.report import build as buildmod
from pewlike.report import spec as specmod
from pewlike.report.build import build
from pewlike.report.figcache import CacheWarning, FigureCache, _pack, _unpack
from pewlike.report.reportcache import _safe_name

SPEC = """
title = "{title}"
[data]
file = "pewlike:demo"
synthetic = true
[output]
formats = ["html", "md", "csv", "png", "svg"]
[[topline]]
var = "SECUR1"
chart = true
[[crosstab]]
var = "CONCERNCO"
by = ["F_AGECAT"]
chart = "likert"
"""


def _spec(title: str = "Cached"):
    return specmod.loads(SPEC.format(title=title))


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _no_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(job):
        raise AssertionError(f"figure {job[3]} drawn although it is in the cache")

    monkeypatch.setattr(buildmod, "draw", refuse)


def _entries(cache: Path, kind: str) -> list[Path]:
    return sorted((cache / kind).glob("*.fig" if kind == "figures" else "*.rep"))


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def test_same_bytes_without_cache_cold_and_warm(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = build(_spec(), out=tmp_path / "plain", jobs=1, cache=False)
    cold = build(_spec(), out=tmp_path / "cold", jobs=1, cache=cache)
    assert len(_entries(cache, "figures")) == 2 and len(_entries(cache, "reports")) == 1
    _no_drawing(monkeypatch)
    monkeypatch.setattr(buildmod, "_load", lambda *a: pytest.fail("data read although the report is in the cache"))
    warm = build(_spec(), out=tmp_path / "warm", jobs=1, cache=cache)
    reference = _tree(tmp_path / "plain")
    assert any(name.endswith(".svg") for name in reference) and any(name.endswith(".png") for name in reference)
    assert _tree(tmp_path / "cold") == reference
    assert _tree(tmp_path / "warm") == reference
    assert plain.files == cold.files == warm.files
    assert warm.failures == ()
    assert not (tmp_path / "plain" / "cache").exists()  # nothing of the cache in a report folder


def test_changed_spec_redraws_nothing_unchanged(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(_spec("First"), out=tmp_path / "first", jobs=1, cache=cache)
    plain = build(_spec("Second"), out=tmp_path / "plain", jobs=1, cache=False)
    _no_drawing(monkeypatch)  # a new title: the report is built again, its figures come from the cache
    again = build(_spec("Second"), out=tmp_path / "again", jobs=1, cache=cache)
    assert again.failures == () and plain.failures == ()
    assert _tree(tmp_path / "again") == _tree(tmp_path / "plain")
    assert len(_entries(cache, "reports")) == 2


def test_damaged_entries_are_ignored_with_a_warning(tmp_path: Path, cache: Path) -> None:
    build(_spec(), out=tmp_path / "first", jobs=1, cache=cache)
    for p in _entries(cache, "figures") + _entries(cache, "reports"):
        data = bytearray(p.read_bytes())
        data[-5] ^= 0xFF  # one flipped byte: the checksum no longer matches
        p.write_bytes(bytes(data))
    with pytest.warns(CacheWarning, match="damaged"):
        build(_spec(), out=tmp_path / "second", jobs=1, cache=cache)
    assert _tree(tmp_path / "second") == _tree(tmp_path / "first")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # rewritten entries are good again
        build(_spec(), out=tmp_path / "third", jobs=1, cache=cache)
    assert _tree(tmp_path / "third") == _tree(tmp_path / "first")


def test_cache_of_another_version_is_started_afresh(tmp_path: Path, cache: Path) -> None:
    build(_spec(), out=tmp_path / "first", jobs=1, cache=cache)
    marker = cache / "figures" / "CACHE.json"
    marker.write_text(json.dumps({"format": 1, "pewlike": "0.0.1"}))
    stranger = cache / "figures" / "notes.txt"
    stranger.write_text("not pewlike's")
    with pytest.warns(CacheWarning, match="another pewlike version"):
        build(_spec(), out=tmp_path / "second", jobs=1, cache=cache)
    assert _tree(tmp_path / "second") == _tree(tmp_path / "first")
    assert stranger.read_text() == "not pewlike's"  # only its own entries are removed
    assert json.loads(marker.read_text())["pewlike"] != "0.0.1"


def test_unwritable_cache_is_ignored_with_one_warning(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("a file where the cache folder should be")
    plain = build(_spec(), out=tmp_path / "plain", jobs=1, cache=False)
    with pytest.warns(CacheWarning, match="cannot be written") as seen:
        res = build(_spec(), out=tmp_path / "rep", jobs=1, cache=blocker)
    assert len([w for w in seen if issubclass(w.category, CacheWarning)]) == 1
    assert res.files == plain.files
    assert _tree(tmp_path / "rep") == _tree(tmp_path / "plain")


def test_cli_no_cache_writes_no_cache_and_warnings_are_one_line(tmp_path: Path, monkeypatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("PEWLIKE_CACHE_DIR", str(cache))
    spec = tmp_path / "r.toml"
    spec.write_text(SPEC.format(title="CLI"))
    runner = CliRunner()
    res = runner.invoke(main, ["report", str(spec), "--out", str(tmp_path / "a"), "--jobs", "1", "-q", "--no-cache"])
    assert res.exit_code == 0, res.output
    assert not cache.exists()
    (cache / "figures").mkdir(parents=True)
    (cache / "figures" / "CACHE.json").write_text("{not json")
    res = runner.invoke(main, ["report", str(spec), "--out", str(tmp_path / "b"), "--jobs", "1", "-q"])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.stderr.splitlines() if "warning" in ln]
    assert lines == [
        f"pewlike: warning: figure cache {cache / 'figures'} is from another pewlike version or damaged; starting it afresh"
    ]
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


@pytest.mark.parametrize(
    "name, ok",
    [
        ("tables/a.csv", True),
        ("index.html", True),
        ("../outside.txt", False),
        ("/etc/passwd", False),
        ("tables/../../x", False),
        ("a\\b", False),
        ("a\nb", False),
        (".pewlike-manifest.json", False),
        ("", False),
    ],
)
def test_report_entries_only_name_files_inside_the_report(name: str, ok: bool) -> None:
    assert _safe_name(name) is ok


def test_entry_round_trip_and_rejections(tmp_path: Path) -> None:
    parts = {"png": b"\x89PNG...", "svg": b"<svg/>"}
    packed = _pack(parts, "k" * 64)
    assert _unpack(packed, "k" * 64) == parts
    assert _unpack(packed, "j" * 64) is None  # another key
    assert _unpack(packed[:-1], "k" * 64) is None  # truncated
    assert _unpack(b"garbage", "k" * 64) is None
    assert _unpack(_pack({"../x": b""}, "k" * 64), "k" * 64) is None  # a figure part has a fixed name
    fc = FigureCache(tmp_path / "c")
    assert fc.load("0" * 64) is None
    fc.store("0" * 64, parts)
    assert fc.load("0" * 64) == parts
