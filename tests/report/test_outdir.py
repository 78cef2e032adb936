"""The report folder: where it may be, crash-safe replacement, leftovers of killed builds."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pewlike as pw
from pewlike.errors import PewlikeError, SpecError
from pewlike.report import outdir
from pewlike.report import spec as specmod
from pewlike.report.build import build

TINY = """
title = "{title}"
[data]
file = "pewlike:demo"
synthetic = true
[output]
formats = ["html", "md", "csv"]
[[topline]]
var = "SECUR1"
"""


def _spec(title: str = "Old", **kw):
    return specmod.loads(TINY.format(title=title), **kw)


def _title(folder: Path) -> str:
    page = (folder / "index.html").read_text()
    return "Old" if "<title>Old" in page else "New" if "<title>New" in page else "?"


# ---------------------------------------------------------------------------
# where a report may go
# ---------------------------------------------------------------------------
def test_the_current_folder_and_its_parents_are_refused(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for out in (".", "..", str(work), "./"):
        with pytest.raises(PewlikeError, match="is the current folder or holds it") as err:
            build(_spec(), out=out, jobs=1)
        assert "\n" not in str(err.value)
    assert list(work.iterdir()) == []


def test_a_symlink_out_is_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(PewlikeError, match=r"'.*link' is a symbolic link \(to '.*real'\); give the folder's real path"):
        build(_spec(), out=tmp_path / "link", jobs=1)
    assert list(real.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_names_and_paths_too_long_are_refused(tmp_path):
    with pytest.raises(PewlikeError, match="has a name of 300 characters; this file system allows 255"):
        build(_spec(), out=tmp_path / ("n" * 300), jobs=1)
    with pytest.raises(PewlikeError, match="has a name of 240 characters"):  # no room for '.NAME.building-PID'
        build(_spec(), out=tmp_path / ("n" * 240), jobs=1)
    deep = tmp_path.joinpath(*["d"] * 2000)
    with pytest.raises(PewlikeError, match=r"is a path of \d+ characters and \d+ levels") as err:
        build(_spec(), out=deep, jobs=1)
    assert "\n" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_a_deep_path_within_the_limit_is_created_without_recursion(tmp_path):
    levels = 1200  # deeper than Python's recursion limit, shorter than PATH_MAX
    deep = tmp_path.joinpath(*["d"] * levels)
    try:
        build(_spec(), out=deep / "rep", jobs=1)
        assert (deep / "rep" / "index.html").is_file()
    finally:  # shutil.rmtree (and so pytest's clean-up of old tmp_path folders) recurses once per level
        if (deep / "rep").exists():
            shutil.rmtree(deep / "rep")
        for i in range(levels, 0, -1):
            with contextlib.suppress(FileNotFoundError):
                tmp_path.joinpath(*["d"] * i).rmdir()
    assert list(tmp_path.iterdir()) == []


def test_an_out_holding_the_data_or_the_spec_is_refused(tmp_path):
    data = tmp_path / "rep" / "d.sav"
    data.parent.mkdir()
    pw.demo().to_sav(data)
    with pytest.raises(PewlikeError, match=r"output folder '.*rep' holds the data file '.*d.sav'"):
        build(_spec(), out=tmp_path / "rep", data=str(data), jobs=1)
    assert [p.name for p in (tmp_path / "rep").iterdir()] == ["d.sav"]
    spec_file = tmp_path / "s" / "r.toml"
    spec_file.parent.mkdir()
    spec_file.write_text(TINY.format(title="x"))
    with pytest.raises(PewlikeError, match="holds the spec file"):
        build(specmod.load(spec_file), out=tmp_path, jobs=1)
    assert spec_file.read_text() == TINY.format(title="x")


def test_spec_dir_is_relative_to_the_spec_and_stays_inside(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    spec_file = tmp_path / "proj" / "r.toml"
    spec_file.parent.mkdir()
    spec_file.write_text(TINY.format(title="x").replace("[output]\n", '[output]\ndir = "out/rep"\n'))
    res = build(specmod.load(spec_file), jobs=1)
    assert (tmp_path / "proj" / "out" / "rep" / "index.html").is_file()
    assert res.out == tmp_path / "proj" / "out" / "rep" and list(elsewhere.iterdir()) == []
    # a folder inside the spec's folder that is a link to elsewhere does not let the report out
    (tmp_path / "proj" / "away").symlink_to(elsewhere)
    spec_file.write_text(TINY.format(title="x").replace("[output]\n", '[output]\ndir = "away/rep"\n'))
    with pytest.raises(SpecError, match=r"r.toml: \[output\]: dir = 'away/rep' leads outside the spec's folder"):
        build(specmod.load(spec_file), jobs=1)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("value", ["/tmp/rep", "../rep", "~", "~/rep", "a/../../rep", "C:/rep"])
def test_spec_dir_outside_the_spec_folder_is_refused(value):
    with pytest.raises(SpecError, match=rf"\[output\]: dir = '{value}' would put the report outside the spec's folder"):
        specmod.loads(TINY.format(title="x").replace("[output]\n", f"[output]\ndir = '{value}'\n"))


@pytest.mark.parametrize("value", [".", "./", "././"])
def test_spec_dir_that_is_the_spec_folder_is_refused(value):
    with pytest.raises(SpecError, match="is the spec's own folder"):
        specmod.loads(TINY.format(title="x").replace("[output]\n", f"[output]\ndir = '{value}'\n"))


def test_tilde_in_out_is_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    res = build(_spec(), out="~/rep", jobs=1)
    assert (tmp_path / "rep" / "index.html").is_file() and res.out == tmp_path / "rep"


def test_same_file():
    here = Path(__file__)
    assert outdir.same_file(here, here.parent / ".." / here.parent.name / here.name)
    assert not outdir.same_file(here, here.parent)


def test_same_file_through_links(tmp_path):
    (tmp_path / "d.sav").write_bytes(b"data")
    os.link(tmp_path / "d.sav", tmp_path / "hard.sav")
    (tmp_path / "soft.sav").symlink_to(tmp_path / "d.sav")
    assert outdir.same_file(tmp_path / "d.sav", tmp_path / "hard.sav")
    assert outdir.same_file(tmp_path / "soft.sav", tmp_path / "d.sav")
    assert not outdir.same_file(tmp_path / "d.sav", tmp_path / "new.sav")


# ---------------------------------------------------------------------------
# a kill at every step of the swap
# ---------------------------------------------------------------------------
_KILLER = textwrap.dedent(
    """
    import os, shutil, sys
    from pewlike.report import build as b, outdir
    from pewlike.report.spec import loads

    mode, k, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if mode == "rename":
        outdir._exchange = lambda a, c: False  # the portable two-rename swap
    steps = [0]

    def dying(real):
        def step(*args, **kwargs):
            steps[0] += 1
            if steps[0] == k:
                os._exit(9)
            return real(*args, **kwargs)
        return step

    real_manifest = b.write_manifest

    def manifest_then_arm(*args, **kwargs):
        if k == 0:
            os._exit(9)  # killed while the report is being written
        real_manifest(*args, **kwargs)
        outdir._exchange = dying(outdir._exchange)
        os.rename = dying(os.rename)
        shutil.rmtree = dying(shutil.rmtree)

    b.write_manifest = manifest_then_arm
    b.build(loads(sys.stdin.read()), out=out, jobs=1)
    """
)


@pytest.mark.parametrize("mode", ["exchange", "rename"])
def test_a_kill_at_any_step_leaves_a_report_and_the_next_build_cleans_up(tmp_path, mode):
    out = tmp_path / "rep"
    build(_spec("Old"), out=out, jobs=1)
    (out / "notes.txt").write_text("mine")
    seen = []
    for k in range(8):
        proc = subprocess.run(
            [sys.executable, "-c", _KILLER, mode, str(k), str(out)],
            input=TINY.format(title="New"),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode in (0, 9), proc.stderr
        left = sorted(p.name for p in tmp_path.iterdir() if p.name != "rep")
        if out.exists():
            state = _title(out)
            assert state in ("Old", "New")
            assert (out / "notes.txt").read_text() == "mine"
        else:  # only the two-rename swap, killed between its renames
            assert mode == "rename" and any(".rep.previous-" in n for n in left), left
            state = "none"
        seen.append((k, proc.returncode, state, len(left)))
        lines: list[str] = []
        build(_spec("Old"), out=out, jobs=1, echo=lines.append)  # the next run: restores, cleans, rebuilds
        assert _title(out) == "Old" and (out / "notes.txt").read_text() == "mine"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]
        assert (left == []) == (not any("interrupted" in line for line in lines))
        if proc.returncode == 0:
            break
    states = [s for _, _, s, _ in seen]
    assert seen[-1][1] == 0 and states[-1] == "New"
    if mode == "exchange":  # kill before the exchange: old; after it: new; the final name never empty
        assert states == ["Old", "Old", "New", "New"], seen
    else:
        assert states == ["Old", "Old", "Old", "none", "New", "New"], seen
    assert seen[0][3] == 1  # the staging folder of the build killed while writing was left, then removed


def test_leftovers_of_live_builds_are_not_touched(tmp_path):
    target = tmp_path / "rep"
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        mine = tmp_path / f".rep.building-{live.pid}"
        mine.mkdir()
        dead = tmp_path / ".rep.building-999999999"
        dead.mkdir()
        other = tmp_path / ".other.building-999999999"
        other.mkdir()
        assert outdir.clean_leftovers(target) == ["removed .rep.building-999999999/ (left by an interrupted build)"]
        assert mine.is_dir() and other.is_dir() and not dead.exists()
    finally:
        live.kill()
        live.wait()
