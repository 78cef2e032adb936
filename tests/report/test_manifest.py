"""A rebuild replaces only what pewlike wrote: the manifest, files the user added kept, edits refused."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from pewlike.errors import PewlikeError
from pewlike.report import spec as specmod
from pewlike.report.build import MANIFEST, MARKER, build

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
SECOND = '[[topline]]\nvar = "CONCERNCO"\n'


def _build(out: Path, title: str = "Old", extra: str = ""):
    return build(specmod.loads(TINY.format(title=title) + extra), out=out, jobs=1)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_manifest_lists_what_pewlike_wrote_with_digests(tmp_path):
    out = tmp_path / "rep"
    res = _build(out)
    listed = json.loads((out / MANIFEST).read_text())["files"]
    assert sorted(listed) == list(res.files)
    assert "index.html" in listed and "tables/topline_SECUR1.csv" in listed
    assert MANIFEST not in res.files and MARKER not in res.files
    for rel, digest in listed.items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest


def test_rebuild_keeps_the_files_the_user_added(tmp_path):
    out = tmp_path / "rep"
    _build(out, extra=SECOND)
    (out / "notes.txt").write_text("my notes")
    (out / "my_figs" / "deep").mkdir(parents=True)
    (out / "my_figs" / "deep" / "a.png").write_bytes(b"\x89PNG mine")
    (out / "my_figs" / "empty").mkdir()
    (out / "tables" / "mine.csv").write_text("a,b\n1,2\n")
    os.symlink("notes.txt", out / "link-to-notes")
    lines: list[str] = []
    res = build(specmod.loads(TINY.format(title="New")), out=out, jobs=1, echo=lines.append)
    assert (out / "notes.txt").read_text() == "my notes"
    assert (out / "my_figs" / "deep" / "a.png").read_bytes() == b"\x89PNG mine"
    assert (out / "my_figs" / "empty").is_dir()
    assert (out / "tables" / "mine.csv").read_text() == "a,b\n1,2\n"
    assert os.readlink(out / "link-to-notes") == "notes.txt"
    assert "New" in (out / "index.html").read_text()
    # the item dropped from the spec: its files were pewlike's, so they are gone
    assert not (out / "tables" / "topline_CONCERNCO.csv").exists()
    # the user's files are not pewlike's: not in the result, not in the manifest
    listed = json.loads((out / MANIFEST).read_text())["files"]
    assert "notes.txt" not in res.files and "notes.txt" not in listed and "tables/mine.csv" not in listed
    assert any("kept 5 file(s) you added" in line for line in lines)
    # a third build keeps them again, and leaves nothing beside the folder
    _build(out, title="Third")
    assert (out / "notes.txt").read_text() == "my notes" and (out / "my_figs" / "empty").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_a_changed_file_pewlike_wrote_is_not_replaced(tmp_path):
    out = tmp_path / "rep"
    _build(out)
    (out / "report.md").write_text("# my edited report\n")
    before = _tree(out)
    with pytest.raises(PewlikeError) as err:
        _build(out, title="New")
    msg = str(err.value)
    assert "'report.md' in the report folder" in msg and "was changed after pewlike wrote it" in msg
    assert "move your version out of the folder" in msg and "\n" not in msg
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]
    (out / "report.md").unlink()  # the fix the message names
    _build(out, title="New")
    assert "New" in (out / "report.md").read_text()


def test_a_user_file_where_the_new_report_writes_is_refused(tmp_path):
    out = tmp_path / "rep"
    _build(out)
    (out / "tables" / "topline_CONCERNCO.csv").write_text("mine")
    before = _tree(out)
    with pytest.raises(PewlikeError, match=r"'tables/topline_CONCERNCO.csv' in the report folder .* was not written"):
        _build(out, extra=SECOND)
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]


def test_a_user_file_where_the_new_report_needs_a_folder_is_refused(tmp_path):
    out = tmp_path / "rep"
    build(
        specmod.loads(TINY.format(title="x").replace('formats = ["html", "md", "csv"]', 'formats = ["png"]')),
        out=out,
        jobs=1,
    )
    (out / "tables").write_text("a file named like the tables folder")
    with pytest.raises(PewlikeError, match=r"'tables' in the report folder .* the new report writes 'tables';"):
        _build(out)
    assert (out / "tables").read_text() == "a file named like the tables folder"


def test_a_report_from_before_the_manifest_keeps_what_the_new_one_does_not_write(tmp_path):
    out = tmp_path / "rep"
    (out / "tables").mkdir(parents=True)
    (out / MARKER).write_text("Written by `pewlike report`; the whole folder is replaced when the report is rebuilt.\n")
    (out / "notes.txt").write_text("mine")
    (out / "index.html").write_text("old page")
    (out / "tables" / "topline_SECUR1.csv").write_text("old table")
    res = _build(out, title="New")
    assert (out / "notes.txt").read_text() == "mine"  # not known to be pewlike's: kept
    assert "New" in (out / "index.html").read_text()
    assert (out / "tables" / "topline_SECUR1.csv").read_text() != "old table"
    assert sorted(json.loads((out / MANIFEST).read_text())["files"]) == list(res.files)
    assert "notes.txt" not in res.files


def test_an_unreadable_folder_the_user_added_stops_the_build(tmp_path, monkeypatch):
    out = tmp_path / "rep"
    _build(out)
    (out / "private").mkdir()
    (out / "private" / "a.txt").write_text("mine")
    real_scandir = os.scandir

    def scandir(path="."):  # what a folder without read permission does (root reads every folder)
        if isinstance(path, str) and path.endswith("private"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(PewlikeError, match=r"cannot read '.*private' in the report folder \(Permission denied\)"):
        _build(out, title="New")
    monkeypatch.undo()
    assert (out / "private" / "a.txt").read_text() == "mine" and "Old" in (out / "index.html").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]
