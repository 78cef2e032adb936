"""Which files of a report folder pewlike wrote: the manifest, and carrying the user's files over.

Every build writes ``.pewlike-manifest.json`` into the report folder: the
relative path and SHA-256 of each file it wrote.  On a rebuild only those files
are replaced.  Anything else in the folder (``notes.txt``, ``my_figs/``) was
put there by someone else and is carried over into the new report, unless the
new report writes a file at the same place (then the build stops and says so).
A file pewlike wrote that was changed since is not thrown away either: the
build stops and names it.

A folder with the marker ``.pewlike-report`` but no manifest was written by a
pewlike from before the manifest: which of its files are pewlike's is not
known, so only the files the new report writes are replaced and everything
else is carried over (stale tables of items since removed from the spec
included; delete those by hand once).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from pewlike.errors import PewlikeError

__all__ = ["MANIFEST", "MARKER", "carry_over", "check_edited", "read_manifest", "write_manifest"]

MARKER = ".pewlike-report"
MANIFEST = ".pewlike-manifest.json"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(folder: Path, files: Iterable[str]) -> None:
    """Write the manifest of ``files`` (paths relative to ``folder``, ``/``-separated).

    Parameters
    ----------
    folder : pathlib.Path
        The report folder (staging).
    files : iterable of str
        What pewlike wrote there.
    """
    listing = {rel: _sha256(folder / rel) for rel in sorted(files)}
    text = json.dumps({"written_by": "pewlike report", "files": listing}, indent=1, sort_keys=True)
    (folder / MANIFEST).write_text(text + "\n", encoding="utf-8")


def read_manifest(folder: Path) -> dict[str, str] | None:
    """The manifest of a report folder: relative path -> SHA-256; None when there is none.

    Parameters
    ----------
    folder : pathlib.Path

    Returns
    -------
    dict or None

    Raises
    ------
    PewlikeError
        The manifest is unreadable or not one pewlike writes.
    """
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        files = raw["files"]
        if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
            raise ValueError("'files' is not a table of paths")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PewlikeError(
            f"{str(path)!r} is damaged ({exc}); move the files you added out of the report folder, "
            "delete the folder and build again"
        ) from None
    if any(PurePosixPath(k).is_absolute() or ".." in PurePosixPath(k).parts for k in files):
        raise PewlikeError(f"{str(path)!r} lists a path outside the report folder; delete the folder and build again")
    return files


def check_edited(folder: Path) -> None:
    """Refuse to replace a report in which a file pewlike wrote has been changed.

    Parameters
    ----------
    folder : pathlib.Path
        An existing report folder.

    Raises
    ------
    PewlikeError
        Names the first changed file.
    """
    for rel, digest in sorted((read_manifest(folder) or {}).items()):
        path = folder / rel
        if not os.path.lexists(path):
            continue  # deleted: nothing to keep
        if path.is_symlink() or not path.is_file() or _sha256(path) != digest:
            raise PewlikeError(
                f"{rel!r} in the report folder {str(folder)!r} was changed after pewlike wrote it, and a rebuild "
                "replaces it; move your version out of the folder (or delete it) and build again"
            )


def _foreign(folder: Path, written: set[str]) -> list[tuple[str, bool]]:
    """Paths in ``folder`` pewlike did not write: (relative path, is an empty folder), sorted."""
    mine = written | {MARKER, MANIFEST}
    parents = {p.as_posix() for rel in written for p in PurePosixPath(rel).parents}
    out: list[tuple[str, bool]] = []
    for root, dirs, files in os.walk(folder, onerror=_unreadable):
        rel_root = Path(root).relative_to(folder).as_posix()
        prefix = "" if rel_root == "." else f"{rel_root}/"
        if rel_root != "." and rel_root not in parents and not dirs and not files:
            out.append((rel_root, True))  # an empty folder of the user's
        for d in [d for d in dirs if (Path(root) / d).is_symlink()]:
            dirs.remove(d)  # a link to a folder is carried as a link
            out.append((prefix + d, False))
        out.extend((prefix + f, False) for f in files if prefix + f not in mine)
    return sorted(out)


def _unreadable(exc: OSError) -> None:
    raise PewlikeError(
        f"cannot read {exc.filename!r} in the report folder ({exc.strerror or exc}), so the files you added there "
        "cannot be carried over into the new report; make it readable or move it out of the folder"
    )


def carry_over(old: Path, new: Path) -> list[str]:
    """Copy the files a user added to report ``old`` into the new report ``new``.

    Files are hard-linked where possible (the folders are side by side), copied
    otherwise; symbolic links are copied as links.

    Parameters
    ----------
    old : pathlib.Path
        The current report folder (it may not exist).
    new : pathlib.Path
        The finished staging folder, its manifest written.

    Returns
    -------
    list of str
        The relative paths carried over.

    Raises
    ------
    PewlikeError
        A file pewlike wrote was changed, or a file the user added is where the new
        report writes one.
    """
    if not old.is_dir():
        return []
    check_edited(old)
    listed = read_manifest(old)
    # a report from before the manifest: what the new report writes is replaced, the rest kept
    written = set(listed) if listed is not None else set(read_manifest(new) or {})
    foreign = _foreign(old, written)
    for rel, empty_dir in foreign:
        dest = new / rel
        clash = next(
            (p for p in (dest, *dest.parents[: len(PurePosixPath(rel).parents) - 1]) if _taken(p, dest, empty_dir)),
            None,
        )
        if clash is not None:
            raise PewlikeError(
                f"{rel!r} in the report folder {str(old)!r} was not written by pewlike, and the new report writes "
                f"{clash.relative_to(new).as_posix()!r}; move your file out of the folder or rename it, then build again"
            )
    for rel, empty_dir in foreign:
        src, dest = old / rel, new / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if empty_dir:
            dest.mkdir(exist_ok=True)
        elif src.is_symlink():
            os.symlink(os.readlink(src), dest)
        else:
            try:
                os.link(src, dest)  # src is not a link: links are copied as links above
            except OSError:
                shutil.copy2(src, dest)
    return [rel for rel, _ in foreign]


def _taken(p: Path, dest: Path, empty_dir: bool) -> bool:
    """Whether ``p`` (``dest`` or one of its folders) is taken in the new report by something else."""
    if not os.path.lexists(p):
        return False
    if p == dest and not empty_dir:
        return True
    return p.is_symlink() or not p.is_dir()
