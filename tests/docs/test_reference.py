"""Every public name is in the built reference; the spec keys follow the parser.

The reference pages render whole classes and modules with their members, so a method added to
``Survey`` or a function added to ``pewlike.plots`` appears without editing the docs: these tests
read the names from the code and look for their anchors in the built HTML, and fail only when
the docs configuration leaves something out.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from types import ModuleType

import click
import pytest

import pewlike as pw
import pewlike.plots
from pewlike.cli import main
from pewlike.errors import SpecError
from pewlike.report.derive_spec import UNIVERSE_KINDS
from pewlike.report.spec import loads
from pewlike.survey import Survey

from .conftest import ROOT, require_docs_extra

require_docs_extra()


def anchors(site: Path) -> set[str]:
    """Every ``id="..."`` of the built reference pages."""
    found: set[str] = set()
    for page in (site / "reference").rglob("*.html"):
        found |= set(re.findall(r'id="([^"]+)"', page.read_text(encoding="utf-8")))
    return found


def docs_sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))


def dotted(obj: object) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"  # type: ignore[attr-defined]


def test_every_name_of_pewlike_all_is_in_the_reference(site: Path) -> None:
    ids, sources = anchors(site), docs_sources()
    missing = []
    for name in pw.__all__:
        obj = getattr(pw, name)
        if isinstance(obj, ModuleType):
            ok = obj.__name__ in ids
        elif inspect.isclass(obj) or inspect.isfunction(obj):
            ok = dotted(obj) in ids
        else:  # a value such as __version__
            ok = f"pw.{name}" in sources or f"pewlike.{name}" in sources
        if not ok:
            missing.append(name)
    assert not missing, f"pewlike.__all__ names missing from the built reference: {missing}"


def test_every_public_survey_member_is_in_the_reference(site: Path) -> None:
    ids = anchors(site)
    public = [n for n, _ in inspect.getmembers(Survey) if not n.startswith("_")]
    assert len(public) > 30  # the verbs are there to check
    missing = [n for n in public if f"pewlike.survey.Survey.{n}" not in ids]
    assert not missing, f"Survey members missing from docs/reference/survey.md: {missing}"


def test_every_plots_function_is_in_the_reference(site: Path) -> None:
    ids = anchors(site)
    names = pewlike.plots.__all__
    assert {"likert", "dot_plot", "hist_plot"} <= set(names)
    missing = [n for n in names if dotted(getattr(pewlike.plots, n)) not in ids]
    assert not missing, f"pewlike.plots functions missing from docs/reference/plots.md: {missing}"


def test_every_error_class_is_in_the_reference(site: Path) -> None:
    ids = anchors(site)
    errors = [getattr(pw.errors, n) for n in pw.errors.__all__]
    missing = [e.__name__ for e in errors if dotted(e) not in ids]
    assert not missing, f"error classes missing from docs/reference/errors.md: {missing}"


def test_every_cli_command_and_option_is_in_the_reference(site: Path) -> None:
    page = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    assert isinstance(main, click.Group)
    commands = sorted(main.commands)
    assert {"report", "init", "codebook", "topline", "crosstab", "model", "rake"} <= set(commands)
    missing = [c for c in commands if f'id="pewlike-{c}"' not in page]
    assert not missing, f"commands missing from docs/reference/cli.md: {missing}"
    for name, command in main.commands.items():
        for param in command.params:
            if getattr(param, "hidden", False):  # not shown by --help, so not in the reference
                continue
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in page, f"option {opt} of `pewlike {name}` is missing from the CLI reference"


def _accepted_keys(toml: str) -> list[str]:
    """The keys a table accepts, read from the parser's own error for an unknown key."""
    with pytest.raises(SpecError) as info:
        loads(toml)
    match = re.search(r"expected one of: (.*)$", str(info.value))
    assert match, str(info.value)
    return [k.strip() for k in match.group(1).split(",")]


def test_the_spec_key_tables_are_the_keys_the_parser_accepts(hooks: ModuleType) -> None:
    data = '[data]\nfile = "pewlike:demo"\n'
    waves = '[[data]]\nwave = "a"\nfile = "pewlike:demo"\n[[data]]\nwave = "b"\nfile = "pewlike:demo"\n'
    tables = {header: keys for header, _cls, keys in hooks.spec_tables()}
    assert set(tables) >= {"top level", "[data]", "[output]", "[[topline]]", "[[crosstab]]", "[[model]]"}
    new = {"[[data]]", "[stack]", "[[trend]]", "[[derive]]", "[labels.VAR]", "[[select_all]]", "[[grid]]"}
    assert set(tables) >= new
    for header, keys in tables.items():
        if header == "top level":
            bad = "zzz_unknown = 1\n" + data
            top_tables = {h.strip("[]").split(".")[0] for h in tables if h != "top level"}
            assert set(_accepted_keys(bad)) == set(keys) | top_tables, header
            continue
        name = header.strip("[]")
        extra: set[str] = set()
        if header == "[data]":
            toml = '[data]\nfile = "pewlike:demo"\nzzz_unknown = 1\n'
        elif header == "[[data]]":  # one per wave: its wave name, then the keys of [data]
            toml = waves + "zzz_unknown = 1\n"
            extra = {"wave"}
        elif header.startswith("[["):
            toml = f"{data}[[{name}]]\nzzz_unknown = 1\n"
            if name in UNIVERSE_KINDS:  # taken out before the item is read (parse_universe)
                extra = {"filter", "universe"}
        else:
            toml = f"{data}[{name}]\nzzz_unknown = 1\n"
        assert set(_accepted_keys(toml)) | extra == set(keys), f"{header}: docs/hooks.py and the parser disagree"


def test_the_per_item_filter_and_universe_keys_are_accepted(hooks: ModuleType) -> None:
    """The keys the parser's message does not list are read: a spec using them loads."""
    tables = {header: keys for header, _cls, keys in hooks.spec_tables()}
    spec = loads(
        '[data]\nfile = "pewlike:demo"\n[[topline]]\nvar = "CONCERNCO"\n'
        'filter = "F_AGECAT >= 3"\nuniverse = "Adults 50 and older"\n'
    )
    assert [u.name for u in spec.universes.values()] == ["Adults 50 and older"]
    assert {"filter", "universe"} <= set(tables["[[topline]]"])
    assert {"filter", "universe"}.isdisjoint(tables["[[grid]]"])  # not an item kind that takes them
    assert set(UNIVERSE_KINDS) == {h.strip("[]") for h, keys in tables.items() if "universe" in keys} - {"data"}


def test_every_spec_key_is_on_the_report_spec_page(site: Path, hooks: ModuleType) -> None:
    page = (site / "guide" / "report-spec" / "index.html").read_text(encoding="utf-8")
    for header, _cls, keys in hooks.spec_tables():
        if header != "top level":
            assert f"<code>{header}</code>" in page, header
        section = page.split(f"<code>{header}</code>")[-1] if header != "top level" else page
        for key in keys:
            assert f"<code>{key}</code>" in section, f"{header} {key}"
