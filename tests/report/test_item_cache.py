"""The per-item report cache (#15): a changed spec recomputes only the changed items, same bytes, nothing executable."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import shutil
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pewlike.io.workbook import Number, Sheet
from pewlike.report import items as itemsmod
from pewlike.report import spec as specmod
from pewlike.report.build import build
from pewlike.report.demo import demo_spec
from pewlike.report.figcache import CacheWarning, _pack, _unpack
from pewlike.report.html import FigureBlock, TableBlock
from pewlike.report.itemcache import _Bad, _decode, _encode, _part_name, context_spec
from pewlike.tables.export import TableDoc

SPEC = """
title = "Items"
[data]
file = "pewlike:demo"
synthetic = true
[defaults]
by = ["F_SEX"]
min_n = {min_n}
[output]
formats = ["html", "md", "csv", "xlsx", "png", "svg"]
[[section]]
id = "a"
title = "A"
[[section]]
id = "older"
title = "Older"
[[topline]]
var = "SECUR1"
chart = true
section = "a"
[[crosstab]]
var = "CONCERNCO"
by = {by_co}
chart = "likert"
section = "a"
[[crosstab]]
var = "CONCERNGOV"
by = ["F_AGECAT"]
section = "a"
[[compare]]
vars = ["CONTROLCO", "CONTROLGOV"]
labels = ["Companies", "Government"]
level = "NET Very little/No control"
by = ["F_SEX"]
section = "a"
[[crosstab]]
var = "POSNEGCO"
by = ["F_SEX"]
section = "older"
filter = "F_AGECAT in [3, 4]"
universe = "Adults ages 50 and older"
"""
N_ITEMS = 5


def _spec(by_co: str = '["F_AGECAT"]', min_n: int = 30):
    return specmod.loads(SPEC.format(by_co=by_co, min_n=min_n))


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _count_builders(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Items computed by the build (the item builders, spied on), by item name."""
    calls: Counter[str] = Counter()
    for kind, builder in list(itemsmod.ITEM_BUILDERS.items()):

        def spy(w, svy, item, _builder=builder):
            calls[item.name] += 1
            return _builder(w, svy, item)

        monkeypatch.setitem(itemsmod.ITEM_BUILDERS, kind, spy)
    return calls


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "items").glob("*.item"))


def _cache_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, CacheWarning)]


# ---------------------------------------------------------------------------
# the demo: one changed crosstab
# ---------------------------------------------------------------------------
def test_demo_one_changed_crosstab_same_bytes_as_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    spec = demo_spec()
    build(spec, out=tmp_path / "first", cache=cache)
    assert len(_entries(cache)) == sum(len(spec.items_in(s.id)) for s in spec.sections)
    x0 = spec.crosstabs[0]
    changed = dataclasses.replace(spec, crosstabs=(dataclasses.replace(x0, min_n=x0.min_n + 70), *spec.crosstabs[1:]))
    plain = build(changed, out=tmp_path / "plain", cache=False)
    calls = _count_builders(monkeypatch)
    again = build(changed, out=tmp_path / "again", cache=cache)
    assert dict(calls) == {x0.name: 1}  # every other item came from the cache
    reference = _tree(tmp_path / "plain")
    assert f"{changed.output.tables_dir}/tables.xlsx" in reference and "index.html" in reference
    assert _tree(tmp_path / "again") == reference  # every file, byte for byte
    assert again.files == plain.files and again.failures == plain.failures
    assert _tree(tmp_path / "first") != reference  # the option changed the report


# ---------------------------------------------------------------------------
# a small spec: what is recomputed
# ---------------------------------------------------------------------------
def test_one_changed_crosstab_is_the_only_item_computed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = build(_spec(), out=tmp_path / "first", jobs=1, cache=cache)
    assert first.failures == ()
    assert len(_entries(cache)) == N_ITEMS
    changed = _spec('["F_EDUCCAT", "F_SEX"]')
    plain = build(changed, out=tmp_path / "plain", jobs=1, cache=False)
    calls = _count_builders(monkeypatch)
    again = build(changed, out=tmp_path / "again", jobs=1, cache=cache)
    assert dict(calls) == {"crosstab_CONCERNCO": 1}  # the universe's item too comes from the cache
    reference = _tree(tmp_path / "plain")
    assert "tables/data/crosstab_CONCERNCO_by_F_EDUCCAT.csv" in reference
    assert _tree(tmp_path / "again") == reference
    assert again.files == plain.files
    assert len(_entries(cache)) == N_ITEMS + 1


def test_changed_context_recomputes_every_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    build(_spec(), out=tmp_path / "first", jobs=1, cache=cache)
    build(_spec(min_n=100), out=tmp_path / "plain", jobs=1, cache=False)
    calls = _count_builders(monkeypatch)
    build(_spec(min_n=100), out=tmp_path / "again", jobs=1, cache=cache)
    assert sorted(calls.values()) == [1] * N_ITEMS
    assert _tree(tmp_path / "again") == _tree(tmp_path / "plain")


def test_context_spec_drops_every_item_but_keeps_the_rest() -> None:
    spec = _spec()
    ctx = context_spec(spec)
    assert ctx.toplines == () and ctx.crosstabs == () and ctx.compares == ()
    assert ctx.defaults == spec.defaults and ctx.universes == spec.universes and ctx.sections == spec.sections
    assert repr(context_spec(_spec('["F_SEX"]'))) == repr(ctx)
    assert repr(context_spec(_spec(min_n=50))) != repr(ctx)


# ---------------------------------------------------------------------------
# damaged, planted and odd entries: a warning, the item computed, the same bytes
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A cache filled by one build of the small spec (its whole-report entries removed) and the report's files."""
    root = tmp_path_factory.mktemp("itemcache")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        build(_spec(), out=root / "first", jobs=1, cache=root / "cache")
    shutil.rmtree(root / "cache" / "reports")  # the same spec again must look every item up
    return root / "cache", _tree(root / "first")


def _meta_of(data: bytes, key: str) -> tuple[dict[str, bytes], dict]:
    parts = _unpack(data, key, _part_name)
    assert parts is not None
    return parts, json.loads(parts["meta"])


def _repack(
    entry: Path, change: Callable[[dict[str, bytes], dict], object] | None = None, raw: bytes | None = None
) -> None:
    """Rewrite an entry in a valid container: its JSON changed by ``change``, or replaced by ``raw``."""
    key = entry.stem
    parts, meta = _meta_of(entry.read_bytes(), key)
    if change is not None:
        change(parts, meta)
    parts["meta"] = raw if raw is not None else json.dumps(meta).encode()
    entry.write_bytes(_pack(parts, key))


def _truncate_meta(entry: Path) -> None:
    _repack(entry, raw=_unpack(entry.read_bytes(), entry.stem, _part_name)["meta"][:-40])


def _first_doc(meta: dict) -> dict:
    return meta["docs"][0]


class _Payload:
    """Unpickling this would create a file: proof that an entry never runs code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


DAMAGES: dict[str, Callable[[Path, Path], None]] = {
    "truncated file": lambda e, _: e.write_bytes(e.read_bytes()[: len(e.read_bytes()) // 2]),
    "empty file": lambda e, _: e.write_bytes(b""),
    "truncated JSON": lambda e, _: _truncate_meta(e),
    "meta not JSON text": lambda e, _: _repack(e, raw=b"\xff\xfe not text"),
    "notes not a list": lambda e, _: _repack(e, lambda p, m: _first_doc(m).update(notes="one note")),
    "cell a number": lambda e, _: _repack(e, lambda p, m: _first_doc(m)["rows"][0].__setitem__(0, 7)),
    "ragged rows": lambda e, _: _repack(e, lambda p, m: _first_doc(m)["rows"][0].append("x")),
    "sheet cell a list": lambda e, _: _repack(e, lambda p, m: _first_doc(m)["sheet"]["rows"][0].__setitem__(0, [1])),
    "number as text": lambda e, _: _repack(
        e, lambda p, m: _first_doc(m)["sheet"]["rows"][-1].__setitem__(-1, {"n": "0.5", "f": "0%"})
    ),
    "doc index a bool": lambda e, _: _repack(e, lambda p, m: m["blocks"][0].update(doc=True)),
    "doc index out of range": lambda e, _: _repack(e, lambda p, m: m["blocks"][0].update(doc=99)),
    "unknown block": lambda e, _: _repack(e, lambda p, m: m["blocks"].append({"t": "script", "src": "x"})),
    "extra key": lambda e, _: _repack(e, lambda p, m: m.update(code="print(1)")),
    "other format": lambda e, _: _repack(e, lambda p, m: m.update(format=0)),
    "unsafe table name": lambda e, _: _repack(e, lambda p, m: _first_doc(m).update(name="../x")),
    "group spans wrong": lambda e, _: _repack(e, lambda p, m: _first_doc(m).update(groups=[["All", 999]])),
    "file not listed": lambda e, _: _repack(e, lambda p, m: p.update({"f:tables/extra.csv": b"a,b\n"})),
    "listed file missing": lambda e, _: _repack(e, lambda p, m: m["files"].append("tables/ghost.csv")),
    "file outside the report": lambda e, _: _repack(e, lambda p, m: p.update({"f:../evil.csv": b"x"})),
    "the report's page": lambda e, _: _repack(
        e, lambda p, m: (p.update({"f:index.html": b"<p>planted</p>"}), m["files"].append("index.html"))
    ),
    "the workbook": lambda e, _: _repack(
        e, lambda p, m: (p.update({"f:tables/Tables.XLSX": b"PK"}), m["files"].append("tables/Tables.XLSX"))
    ),
    "pickle file": lambda e, tmp: e.write_bytes(pickle.dumps(_Payload(tmp / "ran"))),
    "pickle as meta": lambda e, tmp: _repack(e, raw=pickle.dumps(_Payload(tmp / "ran"))),
    "symbolic link": lambda e, tmp: (
        shutil.copy(e, tmp / "elsewhere.item"),
        e.unlink(),
        e.symlink_to(tmp / "elsewhere.item"),
    ),
    "fifo": lambda e, _: (e.unlink(), os.mkfifo(e)),
}


def test_a_damaged_cache_folder_is_one_warning_per_cache(
    pristine: tuple[Path, dict[str, bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every item and figure entry damaged: one line for the items, one for the figures, the same report."""
    source, reference = pristine
    cache = tmp_path / "cache"
    shutil.copytree(source, cache, symlinks=True)
    entries = _entries(cache)
    figures = sorted((cache / "figures").glob("*.fig"))
    assert len(entries) > 2 and figures
    for p in [*entries, *figures]:
        p.write_bytes(b"garbage " + p.name.encode())
    calls = _count_builders(monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = build(_spec(), out=tmp_path / "again", jobs=1, cache=cache)
    messages = _cache_warnings(caught)
    items = [m for m in messages if m.startswith("item cache entry ")]
    drawn = [m for m in messages if m.startswith("figure cache entry ")]
    assert len(items) == 1 and len(drawn) == 1 and len(messages) == 2, messages
    assert "is damaged" in items[0] and "further bad entries" in items[0] and "\n" not in items[0]
    assert sum(calls.values()) == len(entries)  # every item computed again
    assert res.failures == () and _tree(tmp_path / "again") == reference


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_entry_is_a_miss_with_one_warning(
    damage: str, pristine: tuple[Path, dict[str, bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, reference = pristine
    cache = tmp_path / "cache"
    shutil.copytree(source, cache, symlinks=True)
    victim = max(_entries(cache), key=lambda p: p.stat().st_size)  # an item with a figure and tables
    DAMAGES[damage](victim, tmp_path)
    calls = _count_builders(monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = build(_spec(), out=tmp_path / "again", jobs=1, cache=cache)
    messages = _cache_warnings(caught)
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"item cache entry {victim}") and "\n" not in messages[0]
    assert sum(calls.values()) == 1  # only the damaged item was computed
    assert res.failures == ()
    assert _tree(tmp_path / "again") == reference
    assert not (tmp_path / "ran").exists()  # nothing in an entry ran
    assert not (tmp_path / "evil.csv").exists() and not (cache / "evil.csv").exists()
    assert victim.is_file() and not victim.is_symlink()  # the item was stored again
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        calls.clear()
        shutil.rmtree(cache / "reports")
        build(_spec(), out=tmp_path / "third", jobs=1, cache=cache)
    assert sum(calls.values()) == 0
    assert _tree(tmp_path / "third") == reference


def test_unwritable_item_folder_the_build_proceeds(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "items").write_text("a file where the item folder should be")
    plain = build(_spec(), out=tmp_path / "plain", jobs=1, cache=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = build(_spec(), out=tmp_path / "rep", jobs=1, cache=cache)
    messages = _cache_warnings(caught)
    assert len(messages) == 1 and "item cache" in messages[0] and "cannot be written" in messages[0]
    assert res.files == plain.files
    assert _tree(tmp_path / "rep") == _tree(tmp_path / "plain")


def test_unwritable_cache_folder_the_build_proceeds(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("a file where the cache folder should be")
    plain = build(_spec(), out=tmp_path / "plain", jobs=1, cache=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = build(_spec(), out=tmp_path / "rep", jobs=1, cache=blocker)
    assert len(_cache_warnings(caught)) == 1  # the figure cache's, once
    assert _tree(tmp_path / "rep") == _tree(tmp_path / "plain")
    assert res.files == plain.files


# ---------------------------------------------------------------------------
# the encoding: many shapes of tables round-trip exactly; what cannot is not kept
# ---------------------------------------------------------------------------
_TEXTS = ["", "Yes", " No", "NET Agree", "=1+1", "<b>x</b>", "é ü 中文", "a|b", "1,000", "   indented", "\t"]
_FORMATS = ["0%", "#,##0", "0.0", "General", "0.000"]


def _random_doc(rng: np.random.Generator, name: str) -> TableDoc:
    n_rows, n_cols = int(rng.integers(1, 9)), int(rng.integers(1, 7))
    columns = [f"{rng.choice(_TEXTS)}#{j}" for j in range(n_cols)]
    rows = [[str(rng.choice(_TEXTS)) + str(rng.integers(0, 100)) for _ in range(n_cols)] for _ in range(n_rows)]
    frame = pd.DataFrame(rows, columns=columns)
    groups: list[tuple[str, int]] = []
    if rng.random() < 0.5 and n_cols > 1:
        groups = [(str(rng.choice(_TEXTS)), 1), ("", n_cols - 1)]
    sheet = None
    if rng.random() < 0.7:
        cells: list[list[object]] = []
        for _ in range(n_rows):
            row: list[object] = []
            for _ in range(n_cols):
                pick = rng.random()
                if pick < 0.2:
                    row.append(None)
                elif pick < 0.4:
                    row.append(str(rng.choice(_TEXTS)))
                elif pick < 0.5:
                    row.append(Number(float(rng.choice([np.nan, np.inf, -0.0, 1e-300])), str(rng.choice(_FORMATS))))
                elif pick < 0.6:
                    row.append(Number(int(rng.integers(-(10**9), 10**9)), "#,##0"))
                else:
                    row.append(Number(float(rng.normal()) / 3, str(rng.choice(_FORMATS))))
            cells.append(row)
        sheet = Sheet(name, "wording", columns, cells, ("note",), tuple(groups))
    notes = [str(rng.choice(_TEXTS)) for _ in range(int(rng.integers(0, 4)))]
    return TableDoc(name, str(rng.choice(_TEXTS)), frame, notes, groups, sheet=sheet)


def _sheet_text(sheet: Sheet | None) -> str:
    if sheet is None:
        return "None"
    cells = [
        [c if not isinstance(c, Number) else (repr(c.value), type(c.value).__name__, c.fmt) for c in r]
        for r in sheet.rows
    ]
    return repr((sheet.name, sheet.title, list(sheet.header), cells, list(sheet.notes), list(sheet.groups)))


@pytest.mark.parametrize("seed", range(12))
def test_tables_and_figures_round_trip_exactly(seed: int, tmp_path: Path) -> None:
    rng = np.random.default_rng(seed)
    docs = [_random_doc(rng, f"t{seed}_{i}") for i in range(int(rng.integers(1, 4)))]
    (tmp_path / "tables").mkdir()
    (tmp_path / "figures").mkdir()
    files = []
    for d in docs:
        (tmp_path / "tables" / f"{d.name}.csv").write_bytes(rng.bytes(int(rng.integers(0, 300))))
        files.append(f"tables/{d.name}.csv")
    png = rng.bytes(500)
    (tmp_path / "figures" / "f.png").write_bytes(png)
    blocks = [TableBlock(d, (("CSV", f"tables/{d.name}.csv"),)) for d in docs]
    blocks.insert(1, FigureBlock("f", "alt text é", png, "figures/f.png", (("PNG", "figures/f.png"),)))
    blocks.append(FigureBlock("g", "inline only", rng.bytes(50), "", ()))
    key = "ab" * 32
    entry = _decode(_encode(key, tmp_path, [*files, "figures/f.png"], blocks, docs), key)
    assert list(entry.files) == [*files, "figures/f.png"]
    assert entry.files["figures/f.png"] == png
    assert [type(b) for b in entry.blocks] == [type(b) for b in blocks]
    for got, want in zip(entry.docs, docs, strict=True):
        assert (got.name, got.title, got.notes, got.groups) == (want.name, want.title, want.notes, want.groups)
        pd.testing.assert_frame_equal(got.frame, want.frame)
        assert got.markdown() == want.markdown() and got.html() == want.html()
        assert _sheet_text(got.sheet) == _sheet_text(want.sheet)
    for got, want in zip(entry.blocks, blocks, strict=True):
        if isinstance(want, FigureBlock):
            assert got == want
        else:
            assert (
                isinstance(got, TableBlock) and got.links == want.links and got.doc is entry.docs[docs.index(want.doc)]
            )


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"a": ["x", None]}),  # a missing cell
        pd.DataFrame({"a": [1, 2]}),  # numbers
        pd.DataFrame({"a": ["x"]}, index=[5]),  # an index that is not 0..n-1
        pd.DataFrame([["x", "y"]], columns=["a", "a"]),  # repeated column names
        pd.DataFrame({("a", "b"): ["x"]}),  # a column that is not text
    ],
)
def test_tables_that_cannot_round_trip_are_not_kept(frame: pd.DataFrame, tmp_path: Path) -> None:
    doc = TableDoc("t", "title", frame)
    with pytest.raises(_Bad):
        _encode("cd" * 32, tmp_path, [], [TableBlock(doc)], [doc])


def test_a_block_whose_table_is_not_the_items_is_not_kept(tmp_path: Path) -> None:
    doc = TableDoc("t", "title", pd.DataFrame({"a": ["x"]}))
    other = TableDoc("t", "title", pd.DataFrame({"a": ["x"]}))
    with pytest.raises(_Bad):
        _encode("cd" * 32, tmp_path, [], [TableBlock(other)], [doc])


def test_cache_of_another_version_drops_its_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    build(_spec(), out=tmp_path / "first", jobs=1, cache=cache)
    (cache / "figures" / "CACHE.json").write_text(json.dumps({"format": 1, "pewlike": "0.0.1"}))
    stranger = cache / "items" / "notes.txt"
    stranger.write_text("not pewlike's")
    calls = _count_builders(monkeypatch)
    with pytest.warns(CacheWarning, match="another pewlike version"):
        build(_spec(min_n=31), out=tmp_path / "second", jobs=1, cache=cache)
    assert sorted(calls.values()) == [1] * N_ITEMS
    assert len(_entries(cache)) == N_ITEMS  # the old entries removed, the new ones kept
    assert stranger.read_text() == "not pewlike's"
