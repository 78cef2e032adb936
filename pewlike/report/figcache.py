"""A content-addressed cache of report figures: an unchanged figure is not drawn again.

A figure's key is a SHA-256 of everything that decides its bytes: the plotting function,
its inputs (the estimates, pickled), the formats, the file name, the pewlike version, the
matplotlib version and the size and modification time of the plotting modules.  Changing
the data or an item's spec changes the estimates, hence the key; anything else that could
change a figure changes the versions.  An entry holds the figure's files (PNG, SVG) as
they were written, so a build with the cache writes the same bytes as one without.

The cache lives outside the report folder (it is not in the folder's manifest): by default
``$PEWLIKE_CACHE_DIR``, else ``$XDG_CACHE_HOME/pewlike``, else ``~/.cache/pewlike``, in a
``figures`` subfolder.  A corrupt entry, a cache written by another format version or a
folder that cannot be written is ignored with a one-line :class:`CacheWarning`; the build
then draws the figures itself.  Deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pewlike.errors import PewlikeWarning

__all__ = ["FORMAT", "CacheWarning", "FigureCache", "default_cache_dir"]

#: Version of the entry layout; a cache folder marked with another one is cleared.
FORMAT = 1
_MAGIC = b"pewlike-figure\n"
_ENTRY = re.compile(r"^[0-9a-f]{64}\.fig$")


class CacheWarning(PewlikeWarning):
    """The figure cache could not be used; the build draws its figures without it."""


def default_cache_dir() -> Path:
    """The folder for pewlike's caches: ``$PEWLIKE_CACHE_DIR``, ``$XDG_CACHE_HOME/pewlike`` or ``~/.cache/pewlike``.

    Returns
    -------
    pathlib.Path
    """
    if os.environ.get("PEWLIKE_CACHE_DIR"):
        return Path(os.environ["PEWLIKE_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pewlike"


def _warn(msg: str) -> None:
    warnings.warn(msg, CacheWarning, stacklevel=3)


class FigureCache:
    """Figures by content key, in ``<root>/figures/<key>.fig``.

    Parameters
    ----------
    root : path
        The cache folder (created when missing).

    Notes
    -----
    No R equivalent (knitr's chunk cache plays the same role for R Markdown reports).
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.folder = Path(root) / "figures"
        self.readable = True
        self.writable = True
        self.warned = False  # one warning for the damaged or unreadable entries of a build
        self._salt = _salt()
        self._check_marker()

    # -- the folder ----------------------------------------------------------------------
    def _check_marker(self) -> None:
        from pewlike._version import __version__

        marker = self.folder / "CACHE.json"
        want = {"format": FORMAT, "pewlike": __version__}
        try:
            found = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else None
        except (OSError, ValueError, UnicodeDecodeError):
            found = "unreadable"
        if found == want:
            return
        if found is not None:
            _warn(f"figure cache {self.folder} is from another pewlike version or damaged; starting it afresh")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for p in self.folder.iterdir():  # only entries this module writes
                if _ENTRY.match(p.name):
                    p.unlink()
            reports = self.folder.parent / "reports"
            for p in reports.glob("*.rep") if reports.is_dir() else ():
                if re.match(r"^[0-9a-f]{64}\.rep$", p.name):
                    p.unlink()
            items = self.folder.parent / "items"  # the item cache (pewlike.report.itemcache)
            for p in items.glob("*.item") if items.is_dir() and not items.is_symlink() else ():
                if re.match(r"^[0-9a-f]{64}\.item$", p.name):
                    p.unlink()
            _atomic(marker, json.dumps(want).encode("utf-8"))
        except OSError as exc:
            self.writable = False
            self.readable = found is None and self.folder.is_dir()
            _warn(f"figure cache {self.folder} cannot be written ({exc.strerror or exc}); drawing every figure")

    # -- keys and entries ----------------------------------------------------------------
    def key(self, job: Sequence[Any]) -> str | None:
        """The content key of a figure job (``pewlike.report.workers.FigureJob``); None if it cannot be hashed."""
        kind, args, kwargs, stem, fmts, want_png = job
        try:
            blob = pickle.dumps((kind, args, kwargs, Path(stem).name, tuple(fmts), want_png), protocol=5)
        except Exception:  # an input that does not pickle is drawn every time
            return None
        return hashlib.sha256(self._salt + blob).hexdigest()

    def load(self, key: str) -> dict[str, bytes] | None:
        """The stored files of ``key`` (format -> bytes; ``"inline"``: a PNG only for the page), or None."""
        if not self.readable:
            return None
        path = self.folder / f"{key}.fig"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._warn_once(f"figure cache entry {path} cannot be read ({exc.strerror or exc}); drawing the figure")
            return None
        parts = _unpack(data, key)
        if parts is None:
            self._warn_once(f"figure cache entry {path} is damaged; drawing the figure again")
        return parts

    def _warn_once(self, msg: str) -> None:
        """Warn of the first bad entry only: a damaged cache folder is one line, not one per figure."""
        if not self.warned:
            self.warned = True
            _warn(f"{msg} (further bad entries are drawn again without a warning)")

    def store(self, key: str, parts: Mapping[str, bytes]) -> None:
        """Keep the files of a drawn figure (a folder that cannot be written is reported once)."""
        if not self.writable:
            return
        try:
            _atomic(self.folder / f"{key}.fig", _pack(parts, key))
        except OSError as exc:
            self.writable = False
            _warn(f"figure cache {self.folder} cannot be written ({exc.strerror or exc}); figures are not kept")


def _salt(subpackages: Sequence[str] = ("plots", "report")) -> bytes:
    """What else decides a figure's bytes: versions, and the plotting code as installed.

    ``subpackages``: the folders of pewlike whose modules count (``""``: all of pewlike).
    """
    from importlib.metadata import PackageNotFoundError, version

    from pewlike._version import __version__

    try:
        mpl = version("matplotlib")
    except PackageNotFoundError:  # pragma: no cover - matplotlib is a dependency
        mpl = "?"
    here = Path(__file__).resolve().parent.parent
    stats = []
    for sub in subpackages:
        for p in sorted((here / sub).glob("*.py" if sub else "**/*.py")):
            st = p.stat()
            stats.append(f"{p.relative_to(here).as_posix()}:{st.st_size}:{st.st_mtime_ns}")
    text = f"{FORMAT}\n{__version__}\n{mpl}\n" + "\n".join(stats)
    return hashlib.sha256(text.encode("utf-8")).digest()


def _pack(parts: Mapping[str, bytes], key: str) -> bytes:
    names = sorted(parts)
    body = b"".join(parts[n] for n in names)
    head = {"key": key, "parts": [[n, len(parts[n])] for n in names], "sha256": hashlib.sha256(body).hexdigest()}
    return _MAGIC + json.dumps(head).encode("utf-8") + b"\n" + body


def _figure_part(name: str) -> bool:
    return name in ("png", "svg", "inline")


def _unpack(data: bytes, key: str, allowed: Callable[[str], bool] = _figure_part) -> dict[str, bytes] | None:
    if not data.startswith(_MAGIC):
        return None
    rest = data[len(_MAGIC) :]
    line, sep, body = rest.partition(b"\n")
    try:
        head = json.loads(line.decode("utf-8"))
        if not sep or head["key"] != key or hashlib.sha256(body).hexdigest() != head["sha256"]:
            return None
        out: dict[str, bytes] = {}
        pos = 0
        for name, size in head["parts"]:
            if not isinstance(name, str) or not allowed(name) or not isinstance(size, int) or size < 0:
                return None
            out[name] = body[pos : pos + size]
            pos += size
        return out if pos == len(body) else None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def _atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
