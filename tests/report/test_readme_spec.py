"""The README's annotated spec (issue #11) parses and builds, and `pewlike report --help` points to it."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from pewlike.cli import main
from pewlike.report.build import build
from pewlike.report.spec import loads

README = Path(__file__).parents[2] / "README.md"


def _example() -> str:
    text = README.read_text(encoding="utf-8")
    part = text.split("### The report spec", 1)[1]
    found = re.search(r"```toml\n(.*?)```", part, re.DOTALL)
    assert found, "the README section 'The report spec' has no toml block"
    return found.group(1)


def test_readme_spec_parses_with_every_kind_of_item():
    spec = loads(_example(), label="README.md")
    assert spec.data.file == "pewlike:demo" and spec.defaults.base == "valid"
    assert [t.var for t in spec.toplines] == ["CONCERNCO"]
    assert [c.base for c in spec.crosstabs] == ["valid", "all"]
    assert len(spec.compares) == 1 and len(spec.models) == 1
    keys = set(re.findall(r"^(\w+) =", _example(), re.MULTILINE))
    # every key written is explained by a comment on its line or the line above
    lines = _example().splitlines()
    for before, line in zip(["", *lines], lines):
        if re.match(r"^\w+ = ", line) and line.split(" = ")[0] not in {"text", "title", "var", "section", "id"}:
            assert "#" in line or before.startswith("#"), line
    assert {"base", "nets", "by", "formats", "weights", "ordinal", "nominal"} <= keys


def test_readme_spec_builds(tmp_path):
    text = _example().replace('"xlsx", "png"]', '"xlsx"]')  # figures are tested elsewhere
    res = build(loads(text, label="README.md"), out=str(tmp_path / "rep"), jobs=1)
    md = (res.out / "report.md").read_text(encoding="utf-8")
    assert "all who were asked, Refused shown; asked of Form 1, n = 2,136." in md
    assert "NET Very/Somewhat concerned" in md
    assert (
        "Percentages are of those who answered (Refused and Don't know excluded) unless a table says otherwise." in md
    )
    assert (res.out / "tables" / "tables.xlsx").is_file()


def test_report_help_says_where_the_format_is():
    res = CliRunner().invoke(main, ["report", "--help"])
    assert res.exit_code == 0
    assert "The report spec" in res.output and "README" in res.output
