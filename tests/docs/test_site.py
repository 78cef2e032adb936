"""The site's executed pages and its strictness: examples run at build time, failures fail it."""

from __future__ import annotations

import re
from pathlib import Path

import pewlike as pw

from .conftest import ROOT, mkdocs_build, require_docs_extra

require_docs_extra()


def text_of(page: Path) -> str:
    """The visible text of a built page (tags removed, entities kept)."""
    return re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))


def test_getting_started_shows_what_its_code_computed(site: Path) -> None:
    page = site / "getting-started" / "index.html"
    html = page.read_text(encoding="utf-8")
    text = text_of(page)
    svy = pw.demo()
    top = svy.topline("CONCERNCO", base="all").summary()
    # the topline printed on the page is the one the package computes now
    first = next(line for line in top.splitlines() if line.startswith("Very concerned"))
    assert re.sub(r"\s+", " ", first) in re.sub(r"\s+", " ", text)
    assert "Rao-Scott F(" in text  # the crosstab's test
    assert "Ordinal" in text or "|" in text
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', html)) >= 4
    assert "Traceback" not in text


def test_gallery_draws_every_figure_function(site: Path) -> None:
    import pewlike.plots

    source = (ROOT / "docs" / "gallery.md").read_text(encoding="utf-8")
    drawers = [n for n in pewlike.plots.__all__ if n.endswith("_plot") or n in {"likert", "paired_dots"}]
    missing = [n for n in drawers if f"plots.{n}(" not in source]
    assert not missing, f"figure functions without a gallery entry: {missing}"
    html = (site / "gallery" / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'src="data:image/png;base64,', html)) >= len(drawers)


def test_pages_in_the_nav_are_all_built(site: Path) -> None:
    nav = re.findall(r":\s*([\w/-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
    assert len(nav) > 20
    for md in nav:
        built = site / (md[: -len(".md")] + "/index.html" if md != "index.md" else "index.html")
        assert built.exists(), md


def _tiny_project(tmp_path: Path, page: str) -> Path:
    """A one-page site using this project's markdown-exec setup."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(page, encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: t\nstrict: true\nplugins:\n  - markdown-exec\nmarkdown_extensions:\n  - pymdownx.superfences\n",
        encoding="utf-8",
    )
    return config


def test_a_failing_example_fails_the_build(tmp_path: Path) -> None:
    config = _tiny_project(tmp_path, '# t\n\n```python exec="on"\nraise ValueError("no such column")\n```\n')
    done = mkdocs_build(config, tmp_path / "site")
    assert done.returncode != 0
    assert "no such column" in done.stderr + done.stdout


def test_a_broken_internal_link_fails_the_build(tmp_path: Path) -> None:
    config = _tiny_project(tmp_path, "# t\n\nSee [the guide](guide/missing.md).\n")
    done = mkdocs_build(config, tmp_path / "site")
    assert done.returncode != 0
    assert "missing.md" in done.stderr + done.stdout


def test_trends_page_shows_what_its_code_computed(site: Path) -> None:
    text = text_of(site / "guide" / "trends" / "index.html")
    html = (site / "guide" / "trends" / "index.html").read_text(encoding="utf-8")
    tr = pw.stack({"2019": pw.demo(), "2023": pw.demo("2023")}).trend("CONCERNCO")
    first = next(line for line in tr.summary().splitlines() if line.startswith("Very concerned"))
    assert re.sub(r"\s+", " ", first) in re.sub(r"\s+", " ", text)  # the trend printed is today's
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', html)) >= 1
    assert "Traceback" not in text


def test_guide_pages_run_the_merged_features(site: Path) -> None:
    prep = text_of(site / "guide" / "preparing-data" / "index.html")
    assert "Among adults ages 50 and older" in prep  # the CLI's --universe, executed
    assert "dunder names are not allowed" in prep  # a derive outside the language is refused
    tables = text_of(site / "guide" / "tables" / "index.html")
    sa = pw.demo().select_all(pw.demo().batteries()[0], sort="share")
    net_any = next(line for line in sa.summary().splitlines() if line.startswith("NET Any"))
    assert re.sub(r"\s+", " ", net_any) in re.sub(r"\s+", " ", tables)
    assert "['Unweighted N', 4272]" in tables  # the workbook's cells, read back
    assert "Traceback" not in prep + tables
