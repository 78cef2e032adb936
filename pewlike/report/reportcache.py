"""A content-addressed cache of whole reports: an unchanged rebuild writes the stored files.

The key is a SHA-256 of the spec (every field, as parsed), the data file's bytes, the data
file name, ``SOURCE_DATE_EPOCH`` (it dates the workbook and the footer), the pewlike and
matplotlib versions and the size and modification time of every pewlike module.  An entry
holds every file the build wrote (not the manifest, which is written afresh) and the
failures it reported, so a build from the cache writes the same bytes as one without.
It lives beside the figure cache (:mod:`pewlike.report.figcache`) in a ``reports``
subfolder; the newest :data:`KEEP` reports are kept.  A damaged entry or a folder that cannot
be written is ignored with a one-line :class:`~pewlike.report.figcache.CacheWarning`.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pewlike.report.figcache import FigureCache, _atomic, _pack, _unpack, _warn

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.report.schema import Spec

__all__ = ["KEEP", "ReportCache"]

#: Reports kept in the cache (the least recently written are removed).
KEEP = 8
_FAILURES = ".failures"


def _safe_name(name: str) -> bool:
    """A relative path inside the report folder (no ``..``, no absolute path, no odd characters)."""
    if name == _FAILURES:
        return True
    p = PurePosixPath(name)
    return (
        bool(name)
        and not p.is_absolute()
        and ".." not in p.parts
        and "\\" not in name
        and not any(ord(c) < 32 for c in name)
        and not name.startswith(".pewlike")
    )


class ReportCache:
    """Whole reports by content key, in ``<root>/reports/<key>.rep``.

    Parameters
    ----------
    figures : FigureCache
        The figure cache whose folder (and checks) this cache shares.
    """

    def __init__(self, figures: FigureCache) -> None:
        self.folder = figures.folder.parent / "reports"
        self.readable, self.writable = figures.readable, figures.writable
        self._digests: dict[tuple[tuple[str, ...], str, str], str | None] = {}

    def key(self, spec: Spec, data_path: str, data_name: str) -> str | None:
        """The content key of a build; None when the data file cannot be read (the build reports it)."""
        from pewlike.report.figcache import _salt

        digest = self._data_digest(tuple(_other_waves(spec, data_path)), data_path, data_name)
        if digest is None:
            return None
        h = hashlib.sha256(_salt(("",)))
        h.update(repr(spec).encode("utf-8", "surrogatepass"))
        h.update(b"\0" + digest.encode())
        return h.hexdigest()

    def _data_digest(self, others: tuple[str, ...], data_path: str, data_name: str) -> str | None:
        """Digest of the data a build reads (every wave's bytes, the names shown, SOURCE_DATE_EPOCH).

        Read once per cache: the report key and the item cache's context key share it.
        """
        memo = self._digests
        if (others, data_path, data_name) in memo:
            return memo[(others, data_path, data_name)]
        h = hashlib.sha256(b"\0" + data_name.encode("utf-8", "surrogatepass") + b"\0")
        h.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode() + b"\0")
        digest: str | None = None
        try:
            for i, path in enumerate((data_path, *others)):
                if i:  # a trend report reads every wave's file
                    h.update(b"\0" + path.encode("utf-8", "surrogatepass") + b"\0")
                if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or device is not read twice (or at all here)
                    break
                with open(path, "rb") as f:
                    while chunk := f.read(1 << 20):
                        h.update(chunk)
            else:
                digest = h.hexdigest()
        except OSError:
            digest = None
        memo[(others, data_path, data_name)] = digest
        return digest

    def load(self, key: str) -> tuple[dict[str, bytes], tuple[str, ...]] | None:
        """The files (relative path -> bytes) and failures of a stored build, or None."""
        if not self.readable:
            return None
        path = self.folder / f"{key}.rep"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            _warn(f"report cache entry {path} cannot be read ({exc.strerror or exc}); building the report")
            return None
        parts = _unpack(data, key, _safe_name)
        if parts is None or _FAILURES not in parts:
            _warn(f"report cache entry {path} is damaged; building the report again")
            return None
        try:
            failures = tuple(line for line in parts.pop(_FAILURES).decode("utf-8").split("\n") if line)
        except UnicodeDecodeError:
            _warn(f"report cache entry {path} is damaged; building the report again")
            return None
        return parts, failures

    def store(self, key: str, folder: Path, files: Sequence[str], failures: Sequence[str]) -> None:
        """Keep the files a build wrote into ``folder`` (a folder that cannot be written is reported once)."""
        if not self.writable:
            return
        try:
            parts = {rel: (folder / rel).read_bytes() for rel in files if _safe_name(rel)}
            parts[_FAILURES] = "\n".join(f.replace("\n", " ") for f in failures).encode("utf-8")
            self.folder.mkdir(parents=True, exist_ok=True)
            _atomic(self.folder / f"{key}.rep", _pack(parts, key))
            self._trim()
        except OSError as exc:
            self.writable = False
            _warn(f"report cache {self.folder} cannot be written ({exc.strerror or exc}); reports are not kept")

    def _trim(self) -> None:
        entries = sorted(self.folder.glob("*.rep"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for p in entries[KEEP:]:
            p.unlink(missing_ok=True)


def _other_waves(spec: Spec, data_path: str) -> list[str]:
    """The data files of a spec's other ``[[data]]`` waves (the first is ``data_path``), as paths."""
    from pewlike.loading import DEMO_WAVES
    from pewlike.report.schema import DEMO_DATA

    datasets = Path(__file__).resolve().parent.parent / "datasets"
    out = []
    for wd in spec.waves[1:]:
        file = wd.data.file
        if file == DEMO_DATA or file.startswith(DEMO_DATA + ":"):
            name = DEMO_WAVES.get(file[len(DEMO_DATA) + 1 :] if file != DEMO_DATA else "2019", file)
            out.append(str(datasets / Path(name).name))
            continue
        p = Path(file).expanduser()
        out.append(str(p if p.is_absolute() else spec.base_dir / p))
    return [p for p in out if p != data_path]
