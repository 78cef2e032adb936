"""A content-addressed cache of report items: an item whose inputs did not change is not computed again.

When a spec changes, the whole-report cache (:mod:`pewlike.report.reportcache`) misses, but
most items are the same.  An item's key is a SHA-256 of the report's *context* (the spec
without its items: data, derive, filters, universes, weighting, labels, defaults, sections,
output; the bytes and name of every wave's data file; ``SOURCE_DATE_EPOCH``; the pewlike and
matplotlib versions and the size and modification time of every pewlike module) and of the
item itself, as parsed.  An entry holds what the item gave the report: the files it wrote
(tables, estimates, figures) as bytes, and its blocks and tables (for ``index.html``,
``report.md`` and ``tables.xlsx``, which are assembled from every item at the end of each
build), so a build from the cache writes the same bytes as one without.

Nothing in an entry can run code: it is the figure cache's container (a JSON header, then
raw bytes) holding a JSON description of the blocks and tables (text cells, numbers with
their Excel format, names, links) and raw file bytes.  Everything read back is checked
(types, shapes, names, paths); an entry that does not pass, is not a regular file (a
symbolic link, a FIFO) or cannot be read is a miss, reported with a one-line
:class:`~pewlike.report.figcache.CacheWarning`, and the item is computed.  Only items built
without a failure, whose tables survive the round trip exactly, are kept.  Entries live
beside the figure cache in an ``items`` subfolder; the newest :data:`KEEP` are kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from pewlike.report.figcache import FigureCache, _pack, _unpack, _warn
from pewlike.report.reportcache import _safe_name

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.io.workbook import Cell, Sheet
    from pewlike.report.html import Block
    from pewlike.report.reportcache import ReportCache
    from pewlike.report.schema import Spec
    from pewlike.tables.export import TableDoc

__all__ = ["FORMAT", "KEEP", "ItemCache", "ItemEntry", "context_spec"]

#: Items kept in the cache (the least recently written are removed).
KEEP = 512
#: Version of the entry layout (part of every key).
FORMAT = 1
#: Largest entry read (bytes); a bigger file is not an entry this module wrote.
MAX_ENTRY = 256 << 20
_META = "meta"
_PNG = re.compile(r"^png:[0-9]{1,6}$")


class _Bad(ValueError):
    """An entry that does not describe an item (read back as a miss)."""


@dataclasses.dataclass
class ItemEntry:
    """A cached item: its files (relative path -> bytes, in the order written), blocks and tables.

    Attributes
    ----------
    files : dict of str to bytes
    blocks : list of TableBlock or FigureBlock
    docs : list of TableDoc
        The item's tables, in the order the workbook gets them.
    """

    files: dict[str, bytes]
    blocks: list[Block]
    docs: list[TableDoc]


def context_spec(spec: Spec) -> Spec:
    """The spec without its items: what every item of the report depends on.

    Parameters
    ----------
    spec : Spec

    Returns
    -------
    Spec
        ``spec`` with every tuple of items (any field whose entries have a ``section``) emptied.
    """
    empty: dict[str, Any] = {}
    for f in dataclasses.fields(spec):
        value = getattr(spec, f.name)
        if isinstance(value, tuple) and value and all(hasattr(v, "section") for v in value):
            empty[f.name] = ()
    return dataclasses.replace(spec, **empty)


class ItemCache:
    """Report items by content key, in ``<root>/items/<key>.item``.

    Parameters
    ----------
    figures : FigureCache
        The figure cache whose folder (and checks) this cache shares.

    Notes
    -----
    No R equivalent (knitr's chunk cache plays the same role for R Markdown reports).
    """

    def __init__(self, figures: FigureCache) -> None:
        self.folder = figures.folder.parent / "items"
        self.readable, self.writable = figures.readable, figures.writable
        if os.path.lexists(self.folder) and not self.folder.is_dir():  # storing reports it, once
            self.readable = False
        self.context: str | None = None
        self.warned = False  # one warning for the damaged or unreadable entries of a build

    def set_context(self, reports: ReportCache, spec: Spec, data_path: str, data_name: str) -> None:
        """Key the report's context (the spec without items, the data); no context: nothing is cached."""
        self.context = reports.key(context_spec(spec), data_path, data_name)

    def key(self, item: object) -> str | None:
        """The content key of one item of this report, or None (no context)."""
        if self.context is None:
            return None
        text = f"{FORMAT}\n{self.context}\n{type(item).__name__}\n{item!r}"
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    # -- reading -------------------------------------------------------------------------
    def load(self, key: str, reserved: Sequence[str] = ()) -> ItemEntry | None:
        """The stored item, or None (not stored, or an entry that does not pass the checks).

        ``reserved``: paths of the report an item never writes (the page, the workbook).
        """
        if not self.readable:
            return None
        path = self.folder / f"{key}.item"
        try:
            data = _read_regular(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._warn_once(f"item cache entry {path} cannot be read ({exc.strerror or exc}); building the item")
            return None
        try:
            if data is None:
                raise _Bad("not a regular file")
            entry = _decode(data, key)
            if {PurePosixPath(r).as_posix().casefold() for r in reserved} & {f.casefold() for f in entry.files}:
                raise _Bad("a file of the whole report")
            return entry
        except (_Bad, ValueError, TypeError, KeyError, UnicodeDecodeError, RecursionError):
            self._warn_once(f"item cache entry {path} is damaged; building the item again")
            return None

    def _warn_once(self, msg: str) -> None:
        """Warn of the first bad entry only: a damaged cache folder is one line, not one per item."""
        if not self.warned:
            self.warned = True
            _warn(f"{msg} (further bad entries are built again without a warning)")

    # -- writing -------------------------------------------------------------------------
    def store(self, key: str, folder: Path, files: Sequence[str], blocks: Sequence[Any], docs: Sequence[Any]) -> None:
        """Keep an item's files (read from ``folder``), blocks and tables; an item that does not round-trip is not kept."""
        if not self.writable:
            return
        try:
            data = _encode(key, folder, files, blocks, docs)
        except (_Bad, OSError, ValueError, TypeError):
            return  # not kept; the next build computes the item
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_new(self.folder / f"{key}.item", data)
        except OSError as exc:
            self.writable = False
            _warn(f"item cache {self.folder} cannot be written ({exc.strerror or exc}); items are not kept")

    def trim(self) -> None:
        """Remove all but the newest :data:`KEEP` entries."""
        if not self.writable:
            return
        try:
            entries = sorted(self.folder.glob("*.item"), key=lambda p: p.lstat().st_mtime_ns, reverse=True)
            for p in entries[KEEP:]:
                p.unlink(missing_ok=True)
        except OSError:
            pass


# ---------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------
def _read_regular(path: Path) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a link, FIFO or device) of sane size; else None."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(MAX_ENTRY + 1)
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to a new temporary file (never through a planted link) and move it to ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------
# encoding: JSON for the blocks and tables, raw bytes for the files
# ---------------------------------------------------------------------------
def _part_name(name: str) -> bool:
    return name == _META or bool(_PNG.match(name)) or (name.startswith("f:") and _safe_name(name[2:]))


def _encode(key: str, folder: Path, files: Sequence[str], blocks: Sequence[Any], docs: Sequence[Any]) -> bytes:
    from pewlike.report.html import FigureBlock, TableBlock

    parts: dict[str, bytes] = {}
    for rel in files:
        if not _safe_name(rel) or rel.startswith(".") or f"f:{rel}" in parts:
            raise _Bad(rel)
        parts[f"f:{rel}"] = (folder / rel).read_bytes()
    docs_json = [_doc_json(d) for d in docs]
    blocks_json: list[dict[str, Any]] = []
    for b in blocks:
        if type(b) is TableBlock:
            index = next((i for i, d in enumerate(docs) if d is b.doc), None)
            if index is None:
                raise _Bad("a table block without its table")
            blocks_json.append({"t": "table", "doc": index, "links": _links_json(b.links)})
        elif type(b) is FigureBlock:
            if not all(isinstance(v, str) for v in (b.name, b.alt, b.path)) or not isinstance(b.png, bytes):
                raise _Bad("figure")
            png = next((n for n in parts if n.startswith("f:") and parts[n] == b.png), None)
            if png is None:
                png = f"png:{len(blocks_json)}"
                parts[png] = b.png
            blocks_json.append(
                {"t": "figure", "name": b.name, "alt": b.alt, "png": png, "path": b.path, "links": _links_json(b.links)}
            )
        else:  # a failure (or anything else) is not kept
            raise _Bad(type(b).__name__)
    meta = {"format": FORMAT, "files": list(files), "docs": docs_json, "blocks": blocks_json}
    parts[_META] = _json(meta).encode("ascii")
    data = _pack(parts, key)
    entry = _decode(data, key)  # what is kept must come back exactly (compared as text: NaN equals NaN)
    if _json([_doc_json(d) for d in entry.docs]) != _json(docs_json) or any(
        not _same_frame(a.frame, b.frame) for a, b in zip(entry.docs, docs, strict=True)
    ):
        raise _Bad("tables do not round-trip")
    return data


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True, allow_nan=True)


def _decode(data: bytes, key: str) -> ItemEntry:
    from pewlike.report.html import FigureBlock, TableBlock

    parts = _unpack(data, key, _part_name)
    if parts is None or _META not in parts:
        raise _Bad("container")
    meta = json.loads(parts[_META].decode("ascii"))
    if not isinstance(meta, dict) or set(meta) != {"format", "files", "docs", "blocks"} or meta["format"] != FORMAT:
        raise _Bad("meta")
    files = _str_list(meta["files"])
    if len(set(files)) != len(files) or {f"f:{f}" for f in files} != {n for n in parts if n.startswith("f:")}:
        raise _Bad("files")
    out_files = {rel: parts[f"f:{rel}"] for rel in files}
    docs = [_doc_from_json(d) for d in _list(meta["docs"])]
    blocks: list[Block] = []
    used: set[int] = set()
    for b in _list(meta["blocks"]):
        if not isinstance(b, dict):
            raise _Bad("block")
        if b.get("t") == "table" and set(b) == {"t", "doc", "links"}:
            i = _int(b["doc"])
            if not 0 <= i < len(docs) or i in used:
                raise _Bad("block table")
            used.add(i)
            blocks.append(TableBlock(docs[i], _links(b["links"])))
        elif b.get("t") == "figure" and set(b) == {"t", "name", "alt", "png", "path", "links"}:
            png = _str(b["png"])
            if png == _META or png not in parts:
                raise _Bad("block png")
            blocks.append(FigureBlock(_str(b["name"]), _str(b["alt"]), parts[png], _str(b["path"]), _links(b["links"])))
        else:
            raise _Bad("block kind")
    return ItemEntry(out_files, blocks, docs)


def _doc_json(doc: TableDoc) -> dict[str, Any]:
    from pewlike.tables.export import TableDoc

    if type(doc) is not TableDoc:
        raise _Bad("table")
    frame = doc.frame
    columns = list(frame.columns)
    if (
        not _plain_frame(frame)
        or not all(type(c) is str for c in columns)
        or len(set(columns)) != len(columns)
        or any(type(v) is not str for v in frame.to_numpy(dtype=object).ravel())
    ):
        raise _Bad("frame")
    return {
        "name": _str(doc.name),
        "title": _str(doc.title),
        "columns": columns,
        "rows": [list(r) for r in frame.itertuples(index=False, name=None)],
        "notes": _str_list(list(doc.notes)),
        "groups": _groups_json(doc.groups),
        "sheet": None if doc.sheet is None else _sheet_json(doc.sheet),
    }


def _plain_frame(frame: pd.DataFrame) -> bool:
    import pandas as pd

    idx = frame.index
    return (
        isinstance(idx, pd.RangeIndex)
        and idx.start == 0
        and idx.step == 1
        and idx.name is None
        and type(frame.columns) is pd.Index
        and frame.columns.name is None
        and not frame.attrs
    )


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return (
        a.shape == b.shape
        and list(a.columns) == list(b.columns)
        and [str(t) for t in a.dtypes] == [str(t) for t in b.dtypes]
        and bool(a.equals(b))
    )


def _sheet_json(sheet: Sheet) -> dict[str, Any]:
    from pewlike.io.workbook import Sheet

    if type(sheet) is not Sheet:
        raise _Bad("sheet")
    return {
        "name": _str(sheet.name),
        "title": _str(sheet.title),
        "header": _str_list(list(sheet.header)),
        "rows": [[_cell_json(c) for c in row] for row in sheet.rows],
        "notes": _str_list(list(sheet.notes)),
        "groups": _groups_json(sheet.groups),
    }


def _cell_json(cell: Cell) -> Any:
    from pewlike.io.workbook import Number

    if cell is None or type(cell) is str:
        return cell
    if type(cell) is Number and type(cell.value) in (int, float) and type(cell.fmt) is str:
        return {"n": cell.value, "f": cell.fmt}
    raise _Bad("cell")


def _groups_json(groups: Sequence[tuple[str, int]]) -> list[list[Any]]:
    out = [[label, span] for label, span in groups]
    _groups(out)
    return out


def _links_json(links: Sequence[tuple[str, str]]) -> list[list[str]]:
    out = [[a, b] for a, b in links]
    _links(out)
    return out


# -- reading back, every value checked ------------------------------------------------------
def _list(v: Any) -> list[Any]:
    if type(v) is not list:
        raise _Bad("list")
    return v


def _str(v: Any) -> str:
    if type(v) is not str:
        raise _Bad("text")
    return v


def _int(v: Any) -> int:
    if type(v) is not int:  # bool is not an int here
        raise _Bad("integer")
    return v


def _str_list(v: Any) -> list[str]:
    return [_str(x) for x in _list(v)]


def _links(v: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for pair in _list(v):
        label, path = _str_list(pair) if len(_list(pair)) == 2 else ("", 0)
        out.append((label, _str(path)))
    return tuple(out)


def _groups(v: Any) -> tuple[tuple[str, int], ...]:
    out = []
    for pair in _list(v):
        if len(_list(pair)) != 2:
            raise _Bad("group")
        span = _int(pair[1])
        if span < 0:
            raise _Bad("group span")
        out.append((_str(pair[0]), span))
    return tuple(out)


def _cell(v: Any) -> Cell:
    from pewlike.io.workbook import Number

    if v is None or type(v) is str:
        return v
    if type(v) is dict and set(v) == {"n", "f"} and type(v["n"]) in (int, float):
        if type(v["n"]) is int and abs(v["n"]) > 2**63:
            raise _Bad("number")
        return Number(v["n"], _str(v["f"]))
    raise _Bad("cell")


def _doc_from_json(d: Any) -> TableDoc:
    import pandas as pd

    from pewlike.errors import PewlikeError
    from pewlike.io.workbook import Sheet
    from pewlike.tables.export import TableDoc

    if type(d) is not dict or set(d) != {"name", "title", "columns", "rows", "notes", "groups", "sheet"}:
        raise _Bad("table")
    columns = _str_list(d["columns"])
    rows = [_str_list(r) for r in _list(d["rows"])]
    if len(set(columns)) != len(columns) or any(len(r) != len(columns) for r in rows):
        raise _Bad("table shape")
    frame = pd.DataFrame({c: [r[j] for r in rows] for j, c in enumerate(columns)}, columns=columns)
    sheet = None
    if d["sheet"] is not None:
        s = d["sheet"]
        if type(s) is not dict or set(s) != {"name", "title", "header", "rows", "notes", "groups"}:
            raise _Bad("sheet")
        body = [[_cell(c) for c in _list(r)] for r in _list(s["rows"])]
        sheet = Sheet(
            _str(s["name"]), _str(s["title"]), _str_list(s["header"]), body, _str_list(s["notes"]), _groups(s["groups"])
        )
    try:
        return TableDoc(
            _str(d["name"]), _str(d["title"]), frame, _str_list(d["notes"]), _groups(d["groups"]), sheet=sheet
        )
    except PewlikeError as exc:  # a name that is not file-safe, spans that do not add up
        raise _Bad(str(exc)) from None
