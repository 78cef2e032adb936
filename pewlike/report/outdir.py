"""The report folder: where it may be, which folder a build may replace, and a crash-safe swap.

A build writes into a staging folder ``.NAME.building-PID`` beside the report
folder ``NAME`` and then swaps it into place.  On Linux the swap is one
``renameat2(RENAME_EXCHANGE)`` call, so the final name always holds a whole
report, old or new; elsewhere it is two renames through ``.NAME.previous-PID``
and the next build restores the previous report if a crash fell between them.
Every build first removes the staging and previous folders of builds whose
process is gone.  The swap runs under the lock of :mod:`pewlike.report.lock`,
so concurrent builds to one folder replace it one after the other.

Which files are pewlike's is recorded in the manifest (see
:mod:`pewlike.report.manifest`); the files a user adds to a report folder are
carried over into the new one.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from pewlike.errors import PewlikeError
from pewlike.report.lock import alive
from pewlike.report.manifest import MANIFEST, MARKER

__all__ = [
    "check_existing",
    "check_target",
    "clean_leftovers",
    "expand",
    "inside",
    "new_staging",
    "same_file",
    "swap",
]

_MARKER_TEXT = (
    "Written by `pewlike report`. The files listed in .pewlike-manifest.json are replaced when the report\n"
    "is rebuilt; files you add to this folder are kept.\n"
)
#: Characters the staging and previous names add to the folder name: ".", ".building-", a PID.
_SUFFIX_ROOM = 32
#: Characters kept free below the path limit for the files inside the report (tables/data/<name>_by_<var>.csv).
_INSIDE_ROOM = 300


def expand(path: str | os.PathLike[str]) -> Path:
    """``path`` with a leading ``~`` expanded to the home folder.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    pathlib.Path
    """
    return Path(os.path.expanduser(os.fspath(path)))


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name one file: equal once resolved, or the same file on disk.

    Parameters
    ----------
    a, b : str or path-like
        ``~`` is expanded; the files need not exist.

    Returns
    -------
    bool
    """
    pa, pb = expand(a), expand(b)
    try:
        if pa.resolve() == pb.resolve():
            return True
        return pa.exists() and pb.exists() and os.path.samefile(pa, pb)
    except (OSError, RuntimeError, ValueError):
        return False


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it (both resolved, so links are followed).

    Parameters
    ----------
    path, folder : pathlib.Path

    Returns
    -------
    bool
    """
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def _name_max(folder: Path) -> int:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (AttributeError, OSError, ValueError):
        return 255


def _path_max(folder: Path) -> int:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return int(os.pathconf(folder, "PC_PATH_MAX"))
    except (AttributeError, OSError, ValueError):
        return 4096 if sys.platform != "win32" else 32767


def check_target(
    out: str | os.PathLike[str], *, inputs: Sequence[tuple[str, str]] = (), shown: str | None = None
) -> Path:
    """Check a report folder before anything is computed; return it as an absolute path.

    Parameters
    ----------
    out : str or path-like
        The report folder (``~`` is expanded).
    inputs : sequence of (what, path)
        Files the build reads, e.g. ``("data file", "d.sav")``; the report folder
        must not hold any of them.
    shown : str, optional
        The folder as the user wrote it, for messages (default: ``out``).

    Returns
    -------
    pathlib.Path
        The absolute folder path (its last part not resolved).

    Raises
    ------
    PewlikeError
        The folder is the current folder (or holds it), a symbolic link, a file,
        a folder pewlike did not write, holds an input, or its name or path is
        too long for the file system.
    """
    shown = os.fspath(out) if shown is None else shown
    target = Path(os.path.abspath(expand(out)))
    if not target.name or target == Path.cwd() or inside(Path.cwd(), target):
        raise PewlikeError(
            f"output folder {shown!r} is the current folder or holds it, and a rebuild replaces the whole folder; "
            "give a new folder name such as 'pewlike-report'"
        )
    limit = _name_max(target.parent)
    long = [p for p in target.parts if len(os.fsencode(p)) > limit]
    if long or len(os.fsencode(target.name)) > limit - _SUFFIX_ROOM:
        part = long[0] if long else target.name
        raise PewlikeError(
            f"output folder {shown[:60]!r}... has a name of {len(part)} characters; this file system allows "
            f"{limit} (and the report needs {_SUFFIX_ROOM} of them for its staging folder): choose a shorter name"
        )
    plimit = _path_max(target.parent)
    if len(os.fsencode(str(target))) > plimit - _INSIDE_ROOM:
        raise PewlikeError(
            f"output folder {shown[:60]!r}... is a path of {len(str(target))} characters and "
            f"{len(target.parts)} levels; the report's files need it under {plimit - _INSIDE_ROOM}: "
            "choose a shorter --out"
        )
    if target.is_symlink():
        raise PewlikeError(
            f"output folder {shown!r} is a symbolic link (to {os.readlink(target)!r}); "
            "give the folder's real path as --out"
        )
    for what, path in inputs:
        if inside(expand(path), target):
            raise PewlikeError(
                f"output folder {shown!r} holds the {what} {path!r}, and a rebuild replaces the folder; "
                "choose an --out folder that does not contain your inputs"
            )
    check_existing(target, shown)
    return target


def check_existing(target: Path, shown: str | None = None) -> None:
    """Refuse a file, or a non-empty folder pewlike did not write, at ``target``.

    Parameters
    ----------
    target : pathlib.Path
    shown : str, optional
        The path as the user gave it (for the message).

    Raises
    ------
    PewlikeError
    """
    shown = str(target) if shown is None else shown
    try:
        if target.exists() and not target.is_dir():
            raise PewlikeError(f"output folder {shown!r} is a file; choose another --out")
        mine = (target / MARKER).exists() or (target / MANIFEST).exists()
        if target.is_dir() and not mine and any(target.iterdir()):
            raise PewlikeError(
                f"output folder {shown!r} exists and was not written by pewlike report; "
                "choose another --out or empty it"
            )
    except OSError as exc:
        raise PewlikeError(f"cannot use output folder {shown!r}: {exc.strerror or exc}; choose another --out") from None


# ---------------------------------------------------------------------------
# staging, leftovers, swap
# ---------------------------------------------------------------------------
def _makedirs(folder: Path) -> None:
    """``mkdir -p`` without recursion (a path thousands of levels deep does not overflow the stack)."""
    missing: list[Path] = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for d in reversed(missing):
        d.mkdir(exist_ok=True)


def new_staging(target: Path) -> Path:
    """Create the empty staging folder ``.NAME.building-PID`` beside ``target`` (marker written).

    Parameters
    ----------
    target : pathlib.Path
        The absolute report folder (from :func:`check_target`).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    PewlikeError
        The folder cannot be created.
    """
    staging = target.parent / f".{target.name}.building-{os.getpid()}"
    try:
        _makedirs(target.parent)
        if staging.exists():  # left by an earlier build in this very process
            shutil.rmtree(staging)
        staging.mkdir()
        (staging / MARKER).write_text(_MARKER_TEXT)
    except (OSError, RecursionError) as exc:
        raise PewlikeError(
            f"cannot write the report to {str(target)!r}: {getattr(exc, 'strerror', None) or exc}; "
            "choose a writable --out folder"
        ) from None
    return staging


def _leftovers(target: Path) -> list[tuple[str, int, Path]]:
    """The staging and previous folders of ``target`` (kind, PID, path) whose process is gone."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(building|previous)-(\d+)$")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    out = []
    for name in sorted(names):
        m = pattern.match(name)
        if m and not alive(int(m.group(2))):
            out.append((m.group(1), int(m.group(2)), target.parent / name))
    return out


def clean_leftovers(target: Path) -> list[str]:
    """Remove what killed builds left beside ``target``; restore the previous report if the folder is gone.

    Call under :func:`pewlike.report.lock.locked`.  Only folders of processes that no longer run are touched.

    Parameters
    ----------
    target : pathlib.Path
        The absolute report folder.

    Returns
    -------
    list of str
        What was done, one line each (for progress messages).
    """
    done: list[str] = []
    left = _leftovers(target)
    if not os.path.lexists(target):
        previous = [p for kind, _, p in left if kind == "previous" and (p / MARKER).exists()]
        if previous:
            newest = max(previous, key=lambda p: p.stat().st_mtime)
            os.rename(newest, target)
            done.append(f"restored {target.name}/ from {newest.name}/ (a build was interrupted)")
            left = _leftovers(target)
    for _, _, path in left:
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            done.append(f"removed {path.name}/ (left by an interrupted build)")
    return done


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return bool(renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0)


def swap(staging: Path, target: Path) -> None:
    """Put the finished staging folder at ``target``; the old report is removed only after that.

    Call under :func:`pewlike.report.lock.locked`.

    Parameters
    ----------
    staging : pathlib.Path
        The finished report (manifest written, foreign files carried over).
    target : pathlib.Path
        The report folder.

    Notes
    -----
    A crash at any point leaves the old or the new report at ``target``; with
    the two-rename fallback a crash between the renames leaves the old one as
    ``.NAME.previous-PID``, which :func:`clean_leftovers` restores.
    """
    if not os.path.lexists(target):
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now the old report; a leftover is cleaned next time
        return
    previous = target.parent / f".{target.name}.previous-{os.getpid()}"
    os.rename(target, previous)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(previous, target)
        raise
    shutil.rmtree(previous, ignore_errors=True)
