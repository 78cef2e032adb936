"""The report: spec validation with located errors, building, reproducible bytes, safe replacement,
and failures that are reported instead of stopping the build."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import DataFileError, PewlikeError, SpecError
from pewlike.report import spec as specmod
from pewlike.report.build import MARKER, build
from pewlike.tables.export import pew_percent

SMALL = """
title = "Small report"
[data]
file = "pewlike:demo"
weights = "WEIGHT_W49"
synthetic = true
[defaults]
by = ["F_AGECAT", "F_SEX"]
[[section]]
id = "concern"
title = "Concern"
text = "Concern about data use."
[[topline]]
var = "CONCERNCO"
section = "concern"
base = "all"
chart = true
[[crosstab]]
var = "CONCERNCO"
section = "concern"
[[crosstab]]
var = "POSNEGCO"
section = "concern"
chart = "dots"
level = "The potential risks outweigh the benefits"
[[compare]]
vars = ["CONCERNCO", "CONCERNGOV"]
labels = ["Companies", "Government"]
level = "NET Very/Somewhat concerned"
section = "concern"
[[compare]]
vars = ["POSNEGCO", "POSNEGGOV"]
chart = "likert"
labels = ["Companies", "Government"]
section = "concern"
[weighting]
summary = true
"""


def _spec(text=SMALL, **kw):
    return specmod.loads(text, **kw)


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "report"
    lines: list[str] = []
    # its own cache: a module fixture is set up before the autouse one that empties the user's
    res = build(_spec(), out=out, echo=lines.append, jobs=1, cache=tmp_path_factory.mktemp("cache"))
    return out, res, lines


# ---------------------------------------------------------------------------
# spec errors name their place
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, message",
    [
        (
            "[data]\nfile='a.sav'\n[[crosstab]]\nvar='A'\nby='B'\n[[crosstab]]\nvar='X'\ncolum=1\n",
            "report.toml: [[crosstab]] #2: unknown key 'colum'; expected one of: var, by, base",
        ),
        ("[data\nfile='a.sav'\n", "report.toml: TOML syntax error: "),
        ("[[topline]]\nvar='A'\n", "report.toml: missing table [data]"),
        ("[data]\nfile='a.sav'\nweights=3\n", "report.toml: [data]: 'weights' must be a column name"),
        ("[data]\nfile='a.sav'\n[[crosstab]]\nvar='A'\n", "[[crosstab]] #1: no 'by' variables"),
        (
            "[data]\nfile='a.sav'\n[defaults]\nbase='every'\n",
            "[defaults]: base = 'every' is not valid; choose one of: valid, all",
        ),
        (
            "[data]\nfile='a.sav'\n[[topline]]\nvar='A'\nsection='nope'\n",
            "[[topline]] #1: section 'nope' is not defined",
        ),
        ("[data]\nfile='a.sav'\n[[topline]]\nvar='A'\nname='../../etc/passwd'\n", "is not a valid name"),
        ("[data]\nfile='a.sav'\n[output]\nfigures_dir='/tmp/x'\n", "would escape the output folder"),
        ("[data]\nfile='a.sav'\n[output]\ntables_dir='a/../../b'\n", "would escape the output folder"),
        ("[data]\nfile='a.sav'\n[output]\nformats=['pdf']\n", "format 'pdf' is not valid"),
        (
            "[data]\nfile='a.sav'\n[[topline]]\nvar='A'\n[[topline]]\nvar='A'\n",
            "output name 'topline_A' is already used",
        ),
        ("[data]\nfile='a.sav'\n[[compare]]\nvars=['A']\nlevel='x'\n", "'vars' must name two questions"),
        ("[data]\nfile='a.sav'\n[[crosstab]]\nvar='A'\nby=['B']\nchart='dots'\n", "needs level ="),
        ("[data]\nfile='a.sav'\n[weighting]\nrake={F_SEX=3}\n", "rake.F_SEX must map each category"),
        (
            "[data]\nfile='a.sav'\n[[topline]]\nvar='A'\nname='index'\n",
            "report.toml: [[topline]] #1: name = 'index' is reserved (pewlike writes index.html under that name)",
        ),
        (
            "[data]\nfile='a.sav'\n[[crosstab]]\nvar='A'\nby='B'\nname='Report'\n",
            "[[crosstab]] #1: name = 'Report' is reserved (pewlike writes report.md under that name)",
        ),
        (
            "[data]\nfile='a.sav'\n[[model]]\nformula='A ~ B'\nname='weights'\n",
            "[[model]] #1: name = 'weights' is reserved (pewlike writes the weighting table",
        ),
        (
            "[data]\nfile='a.sav'\n[[topline]]\nvar='A'\nname='x'\n[[topline]]\nvar='B'\nname='X'\n",
            "[[topline]] #2: output name 'X' is already used by [[topline]] #1",
        ),
        ("[data]\nfile='a.sav'\n[output]\ntables_dir='.pewlike'\n", "tables_dir = '.pewlike' is a hidden folder"),
        ("[data]\nfile='a.sav'\n[output]\nfigures_dir='a/.b'\n", "figures_dir = 'a/.b' is a hidden folder"),
    ],
)
def test_spec_errors_are_located(text, message):
    with pytest.raises(SpecError) as err:
        _spec(text)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_spec_defaults_and_paths(tmp_path):
    p = tmp_path / "sub" / "r.toml"
    p.parent.mkdir()
    p.write_text("[data]\nfile='data/x.sav'\n[defaults]\nby=['F_SEX']\n[[crosstab]]\nvar='A'\n")
    s = specmod.load(p)
    assert s.label == "r.toml"
    assert Path(s.data_path()) == p.parent / "data" / "x.sav"
    assert s.crosstabs[0].by == ("F_SEX",) and s.crosstabs[0].min_n == 100
    assert [x.id for x in s.sections] == ["crosstabs"]
    assert s.output.formats == specmod.FORMATS
    with pytest.raises(SpecError, match="not found"):
        specmod.load(tmp_path / "missing.toml")


def test_unknown_and_numeric_variables_fail_before_writing(tmp_path):
    out = tmp_path / "out"
    bad = SMALL.replace('var = "POSNEGCO"', 'var = "POSNEGC0"')
    with pytest.raises(SpecError, match=r"\[\[crosstab\]\] #2: unknown variable 'POSNEGC0'; did you mean"):
        build(_spec(bad), out=out, jobs=1)
    numeric = SMALL.replace('by = ["F_AGECAT", "F_SEX"]', 'by = ["F_AGECAT", "WEIGHT_W49"]')
    with pytest.raises(SpecError, match="numeric"):
        build(_spec(numeric), out=out, jobs=1)
    unknown_level = SMALL.replace('level = "The potential risks outweigh the benefits"', 'level = "Risks"')
    with pytest.raises(SpecError, match=r"\[\[crosstab\]\] #2: answer 'Risks' is not in the results"):
        build(_spec(unknown_level), out=out, jobs=1)
    assert not out.exists()
    assert not list(tmp_path.glob(".out*"))  # no staging folder left behind


def test_missing_data_file_is_a_clean_error(tmp_path):
    text = SMALL.replace('file = "pewlike:demo"', 'file = "no-such-file.sav"')
    with pytest.raises(DataFileError):
        build(_spec(text, path=str(tmp_path / "r.toml")), out=tmp_path / "out", jobs=1)
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------
# what a build writes
# ---------------------------------------------------------------------------
def test_build_writes_every_format(built):
    out, res, lines = built
    files = set(res.files)
    for name in (
        "index.html",
        "report.md",
        "tables/tables.xlsx",
        "tables/topline_CONCERNCO.csv",
        "tables/topline_CONCERNCO.md",
        "tables/topline_CONCERNCO.html",
        "tables/crosstab_CONCERNCO.csv",
        "tables/data/crosstab_CONCERNCO_by_F_AGECAT.csv",
        "tables/data/crosstab_CONCERNCO_by_F_SEX_tests.csv",
        "figures/crosstab_CONCERNCO.png",
        "figures/crosstab_CONCERNCO.svg",
        "figures/topline_CONCERNCO.png",
        "figures/compare_CONCERNCO_CONCERNGOV.svg",
        "tables/methods.csv",
        "tables/weights.csv",
    ):
        assert name in files, name
    assert (out / MARKER).exists() and MARKER not in files
    assert res.failures == ()
    assert any("crosstab crosstab_CONCERNCO" in x for x in lines)  # progress lines
    assert "Wrote" in res.summary() and "index.html" in res.summary()


def test_report_tables_hold_the_estimates(built, tmp_path):
    out, _, _ = built
    svy = pw.demo()
    data = pd.read_csv(out / "tables/data/crosstab_CONCERNCO_by_F_SEX.csv")
    want = svy.crosstab("CONCERNCO", "F_SEX", nets="auto").to_frame()
    assert list(data["level"]) == list(want["level"].astype(str))
    pd.testing.assert_series_equal(data["estimate"], want["estimate"], rtol=1e-15, check_names=False)
    shown = pd.read_csv(out / "tables/topline_CONCERNCO.csv", dtype=str)
    t = svy.topline("CONCERNCO", base="all", nets="auto")
    assert list(shown.columns) == ["Response", "%"]
    assert shown["Response"].str.strip().tolist()[:3] == [
        "NET Very/Somewhat concerned",
        "Very concerned",
        "Somewhat concerned",
    ]
    assert shown["%"].tolist() == t.table().frame["%"].tolist()
    comp = pd.read_csv(out / "tables/compare_CONCERNCO_CONCERNGOV.csv", dtype=str, keep_default_na=False)
    assert list(comp.columns) == ["Group", "Companies", "Government"]
    assert comp["Group"].str.strip().tolist() == [
        "Total",
        "Age category",
        "18-29",
        "30-49",
        "50-64",
        "65+",
        "Sex",
        "Male",
        "Female",
    ]
    gov = svy.crosstab("CONCERNGOV", "F_SEX", nets="auto").to_frame()
    net = gov[(gov["level"] == "NET Very/Somewhat concerned") & (gov["F_SEX"] == "Female")]["estimate"].item()
    assert comp.loc[comp["Group"].str.strip() == "Female", "Government"].item() == pew_percent(net)
    from openpyxl import load_workbook

    wb = load_workbook(out / "tables/tables.xlsx")
    assert "topline_CONCERNCO" in wb.sheetnames and "crosstab_CONCERNCO" in wb.sheetnames
    ws = wb["topline_CONCERNCO"]
    assert ws["A1"].value == svy.question("CONCERNCO")
    assert wb.properties.creator == "pewlike"


def test_html_is_self_contained_with_inline_figures(built):
    out, res, _ = built
    page = (out / "index.html").read_text()
    n_fig = len({f.rsplit(".", 1)[0] for f in res.files if f.startswith("figures/")})
    # 5 figures of the items and the weighting section's weight distribution (issue #14)
    assert page.count("<img src='data:image/png;base64,") == n_fig == 6
    assert "figures/weights_distribution.png" in res.files
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "synthetic demo data" in page
    assert "n = 4,272; margin of sampling error ±" in page
    md = (out / "report.md").read_text()
    assert "![" in md and "(figures/crosstab_CONCERNCO.png)" in md and "## Concern" in md


def test_two_builds_are_byte_identical_whatever_the_workers(built, tmp_path):
    out, _, _ = built
    again = tmp_path / "again"
    build(_spec(), out=again, jobs=2)
    assert _digest(out) == _digest(again)


def test_source_date_epoch_is_honoured(tmp_path, monkeypatch):
    text = SMALL.split("[[topline]]")[0] + '[[topline]]\nvar = "SECUR1"\nsection = "concern"\n'
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(_spec(text), out=tmp_path / "a", jobs=1)
    assert "Built 2023-11-14." in (tmp_path / "a" / "index.html").read_text()
    import zipfile

    with zipfile.ZipFile(tmp_path / "a" / "tables" / "tables.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert b"2023-11-14T22:13:20Z" in z.read("docProps/core.xml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(PewlikeError, match="SOURCE_DATE_EPOCH"):
        build(_spec(text), out=tmp_path / "b", jobs=1)


# ---------------------------------------------------------------------------
# failures
# ---------------------------------------------------------------------------
def test_a_failing_model_is_reported_and_the_rest_builds(tmp_path):
    text = SMALL + (
        '[[model]]\nname = "broken"\ntype = "logit"\nformula = "CONCERNCO ~ NOT_A_VARIABLE"\nsection = "concern"\n'
    )
    res = build(_spec(text), out=tmp_path / "out", jobs=1)
    assert len(res.failures) == 1 and "broken" in res.failures[0]
    page = (tmp_path / "out" / "index.html").read_text()
    assert "Not built: [[model]] #1 broken" in page
    assert "tables/crosstab_CONCERNCO.csv" in res.files
    assert "NOT BUILT" in res.summary()


def test_a_failed_model_gives_spec_advice_not_python(tmp_path):
    text = SMALL + '[[model]]\nname = "four"\ntype = "logit"\nformula = "CONCERNCO ~ F_SEX"\nsection = "concern"\n'
    res = build(_spec(text), out=tmp_path / "out", jobs=1)
    assert res.failures == (
        "[[model]] #1 (four): ModelError: outcome CONCERNCO has 4 levels; a binomial model needs two. "
        'Write "CONCERNCO in [\'Very concerned\'] ~ ..." or use type = "ologit"',
    )
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "svy." not in md and 'or use type = "ologit"' in md


def test_a_figure_that_cannot_be_drawn_is_reported(tmp_path, monkeypatch):
    from pewlike import plots

    def broken(*args, **kwargs):
        raise ValueError("no ink")

    monkeypatch.setattr(plots, "dot_plot", broken)
    res = build(_spec(), out=tmp_path / "out", jobs=1)
    assert res.failures == ("figure crosstab_POSNEGCO: ValueError: no ink",)
    assert "Not built: figure crosstab_POSNEGCO" in (tmp_path / "out" / "index.html").read_text()
    assert "figures/crosstab_CONCERNCO.png" in res.files


def test_failed_build_leaves_the_previous_report(built, tmp_path):
    import shutil

    out, _, _ = built
    target = tmp_path / "keep"
    shutil.copytree(out, target)
    before = _digest(target)
    bad = SMALL.replace('level = "The potential risks outweigh the benefits"', 'level = "Risks"')
    with pytest.raises(SpecError):
        build(_spec(bad), out=target, jobs=1)
    assert _digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep"]


def test_tables_in_the_report_folder_itself(tmp_path):
    text = SMALL.split("[weighting]")[0] + '[output]\ntables_dir = "."\nformats = ["html", "md", "csv"]\n'
    res = build(_spec(text), out=tmp_path / "out", jobs=1)
    assert "topline_CONCERNCO.csv" in res.files and "data/crosstab_CONCERNCO_by_F_SEX.csv" in res.files
    assert res.summary().splitlines()[0].endswith(": 27 files, 5 tables, 0 figures.")
    assert f"{len(res.files)} files" in res.summary()


def test_two_outputs_at_one_path_are_refused(tmp_path):
    # the topline's estimates and the crosstab's go to tables/data/x_by_F_SEX.csv
    text = (
        '[data]\nfile = "pewlike:demo"\n[output]\nformats = ["csv"]\n'
        '[[topline]]\nvar = "SECUR1"\nname = "x_by_F_SEX"\n'
        '[[crosstab]]\nvar = "CONCERNCO"\nby = "F_SEX"\nname = "x"\n'
    )
    with pytest.raises(SpecError) as err:
        build(_spec(text), out=tmp_path / "out", jobs=1)
    assert str(err.value) == (
        "report.toml: [[crosstab]] #1: two outputs of the report would be written to 'tables/data/x_by_F_SEX.csv'; "
        'give the items different names (name = "..."; names differing only in case count as one)'
    )
    assert list(tmp_path.iterdir()) == []


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path):
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.docx").write_text("precious")
    with pytest.raises(PewlikeError, match="was not written by pewlike report"):
        build(_spec(), out=mine, jobs=1)
    assert (mine / "chapter1.docx").read_text() == "precious"


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PewlikeError, match="cannot write the report"):
        build(_spec(), out=blocker / "sub" / "out", jobs=1)
    with pytest.raises(PewlikeError, match="is a file"):
        build(_spec(), out=blocker, jobs=1)


def test_demo_spec_is_valid_and_covers_the_2019_report():
    from pewlike.report.demo import demo_spec

    s = demo_spec()
    assert [x.id for x in s.sections] == [
        "concern",
        "control",
        "understanding",
        "risks",
        "tracking",
        "other",
        "protect",  # the select-all battery (#14)
        "older",  # the universe section (#12)
        "trends",
        "models",
        "weighting",
    ]
    assert [w.wave for w in s.waves] == ["2019", "2023"] and s.data.file == "pewlike:demo"
    assert [(t.var, t.by) for t in s.trends] == [
        ("CONCERNCO", ()), ("CONCERNGOV", ("F_PARTYSUM_FINAL",)), ("UNDERSTANDCO", ())
    ]  # fmt: skip
    assert [g.items for g in s.grids] == [("CONCERNCO", "CONCERNGOV", "CONCERNLE")]
    assert [len(b.items) for b in s.select_alls] == [7]
    assert set(s.defaults.by) == {"F_AGECAT", "F_SEX", "F_EDUCCAT", "F_RACETHN", "F_INCOME_RECODE", "F_PARTYSUM_FINAL"}
    assert {m.type for m in s.models} == {"logit", "ologit"}
    assert {c.vars for c in s.compares} >= {("CONCERNCO", "CONCERNGOV"), ("POSNEGCO", "POSNEGGOV")}


def test_starter_spec_from_a_codebook(tmp_path):
    from pewlike.report.starter import demographics, likert_items, starter_spec

    svy = pw.demo()
    items = likert_items(svy)
    assert "CONCERNCO_W49" in items and "TRACKCO1a_W49" in items
    assert not any(i.startswith(("F_", "QKEY", "FORM", "WEIGHT")) for i in items)
    assert demographics(svy)[:3] == ["F_AGECAT", "F_SEX", "F_EDUCCAT"]
    data = tmp_path / "survey.sav"
    svy.to_sav(data)
    back = pw.read(data)
    text = starter_spec(back, str(data), spec_path=str(tmp_path / "report.toml"))
    s = specmod.loads(text)
    assert s.data.file == "survey.sav"
    assert {t.var for t in s.toplines} >= set(likert_items(back)) >= set(items)
    assert {c.var for c in s.crosstabs} == {t.var for t in s.toplines}
    assert json.dumps(list(s.defaults.by))


def test_spec_raking_reweights_every_table(tmp_path):
    import numpy as np

    rng = np.random.default_rng(11)
    n = 600
    sex = rng.choice(["Male", "Female"], n, p=[0.3, 0.7])
    q = np.where(rng.random(n) < np.where(sex == "Male", 0.7, 0.4), "Yes", "No")
    pd.DataFrame({"F_SEX": sex, "Q1": q, "weight": np.ones(n)}).to_csv(tmp_path / "s.csv", index=False)
    (tmp_path / "r.toml").write_text(
        '[data]\nfile = "s.csv"\nweights = "weight"\n[defaults]\nby = ["F_SEX"]\n'
        '[[topline]]\nvar = "Q1"\n[weighting]\nrake = { F_SEX = { Male = 0.5, Female = 0.5 } }\n'
    )
    res = build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1)
    assert "tables/weighting_margins.csv" in res.files
    raked = pw.read(tmp_path / "s.csv", weights="weight").rake({"F_SEX": {"Male": 0.5, "Female": 0.5}})
    want = raked.topline("Q1", nets="auto").to_frame()
    got = pd.read_csv(tmp_path / "out" / "tables" / "data" / "topline_Q1.csv")
    np.testing.assert_allclose(got["estimate"], want["estimate"], rtol=1e-12)
    np.testing.assert_allclose(got["std_error"], want["std_error"], rtol=1e-12)  # calibration-aware SEs
    margins = pd.read_csv(tmp_path / "out" / "tables" / "data" / "weighting_margins.csv")
    assert sorted(margins["level"]) == ["Female", "Male"]
    np.testing.assert_allclose(margins["achieved"], 0.5, atol=1e-8)
    bad = (tmp_path / "r.toml").read_text().replace("Male = 0.5", "Mal = 0.5")
    (tmp_path / "bad.toml").write_text(bad)
    with pytest.raises(SpecError, match=r"bad.toml: \[weighting\]: "):
        build(specmod.load(tmp_path / "bad.toml"), out=tmp_path / "out2", jobs=1)
    assert not (tmp_path / "out2").exists()
