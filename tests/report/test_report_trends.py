"""Report specs with several waves (issue #13): [[data]] waves, [stack], [[trend]] items, and `pewlike init A B`."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import pewlike as pw
from pewlike.cli import main
from pewlike.errors import PewlikeError, SpecError, WeightWarning
from pewlike.report import spec as specmod
from pewlike.report.build import build
from tests.trends.synth import waves

WAVES = '[[data]]\nwave = "2015"\nfile = "a.sav"\n[[data]]\nwave = "2017"\nfile = "b.sav"\nsynthetic = true\n'


def _write_waves(tmp_path, seed=41, **kw):
    made = waves(seed, 2, groups=3, **kw)
    for svy, file in zip(made.values(), ("a.sav", "b.sav"), strict=True):
        svy.to_sav(tmp_path / file)
    return made


def test_waves_stack_and_trends_are_parsed():
    s = specmod.loads(
        WAVES + '[stack]\nid = false\nweights = "as_is"\nrename = { "2017" = { "Q2" = "Q" } }\n'
        '[[trend]]\nvar = "Q"\n[[trend]]\nvar = "Q"\nby = "GRP"\nlevel = "Very"\nname = "q_by"\nchart = false\n'
    )
    assert [w.wave for w in s.waves] == ["2015", "2017"] and s.data.file == "a.sav"
    assert s.waves[1].data.synthetic and s.waves[1].where == "[[data]] #2"
    assert (s.stack.wave, s.stack.id, s.stack.weights, dict(s.stack.rename)) == (
        "WAVE", None, "as_is", {"2017": {"Q2": "Q"}}
    )  # fmt: skip
    first, second = s.trends
    assert (first.var, first.by, first.level, first.chart, first.name, first.section) == (
        "Q", (), None, True, "trend_Q", "trends"
    )  # fmt: skip
    assert (second.by, second.level, second.chart, second.name) == (("GRP",), "Very", False, "q_by")
    assert [sec.id for sec in s.sections] == ["trends"] and s.items_in("trends") == [first, second]
    plain = specmod.loads(WAVES + '[[trend]]\nvar = "Q"\n')
    assert (plain.stack.id, plain.stack.weights) == ("QKEY", "rescale")  # defaults of pw.stack


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[data]]\nwave = "a"\nfile = "a.sav"\n', r"\[\[data\]\] gives 1 file; write a single file as \[data\]"),
        ('[[data]]\nfile = "a.sav"\n[[data]]\nwave = "b"\nfile = "b.sav"\n', r"\[\[data\]\] #1: missing its wave"),
        (
            '[[data]]\nwave = "a"\nfile = "a.sav"\n[[data]]\nwave = "a"\nfile = "b.sav"\n',
            r"\[\[data\]\] #2: wave 'a' is named twice",
        ),
        (
            '[[data]]\nwave = "a"\nfile = "a.sav"\n[[data]]\nwave = "b"\nfil = "b.sav"\n',
            r"\[\[data\]\] #2: unknown key 'fil'",
        ),
        ('[data]\nfile = "a.sav"\n[stack]\nid = "QKEY"\n', r"\[stack\]: needs several waves"),
        ('[data]\nfile = "a.sav"\n[[trend]]\nvar = "Q"\n', r"\[\[trend\]\] #1: a trend needs several waves"),
        (WAVES + '[stack]\nrename = { "2019" = { "A" = "B" } }\n', r"rename names wave '2019', which no \[\[data\]\]"),
        (WAVES + "[stack]\nid = 3\n", r"'id' must be the panel id column"),
        (WAVES + '[stack]\nweights = "even"\n', r"weights = 'even' is not valid; choose one of: rescale, as_is"),
        (WAVES + '[[trend]]\nvar = "Q"\ncolour = 1\n', r"\[\[trend\]\] #1: unknown key 'colour'"),
        (WAVES + '[[trend]]\nvar = "Q"\nname = "index"\n', r"name = 'index' is reserved"),
        (
            '[[data]]\nwave = "a"\nfile = "a.sav"\n[[data]]\nwave = "b"\nfile = "b.sav"\nfilter = "GRP == \'G1\'"\n',
            r"\[\[data\]\] #2: filter is given for the whole report, every wave alike; write it once, in the first",
        ),
    ],
)
def test_bad_wave_specs_are_one_line_errors(text, message):
    with pytest.raises(SpecError, match=message) as info:
        specmod.loads(text)
    assert "\n" not in str(info.value)


def test_trend_report_tables_and_chart_read_the_trend(tmp_path):
    made = _write_waves(tmp_path)
    spec_path = tmp_path / "report.toml"
    spec_path.write_text(
        WAVES
        + '[stack]\nid = "QKEY"\n[[trend]]\nvar = "Q"\nby = "GRP"\nlevel = "Very"\n[[trend]]\nvar = "Q"\nname = "all"\n',
        encoding="utf-8",
    )
    res = build(specmod.load(spec_path), out=tmp_path / "out")
    assert not res.failures
    files = set(res.files)
    for name in ("trend_Q", "all"):
        assert {f"tables/{name}.csv", f"tables/data/{name}.csv", f"tables/data/{name}_changes.csv"} <= files
        assert {f"figures/{name}.png", f"figures/{name}.svg"} <= files
    assert "tables/trend_Q_by_group.csv" in files and "tables/all_by_group.csv" not in files
    tr = pw.stack({k: pw.read(tmp_path / f) for k, f in zip(made, ("a.sav", "b.sav"), strict=True)}).trend(
        "Q", by="GRP"
    )
    est = pd.read_csv(tmp_path / "out" / "tables" / "data" / "trend_Q.csv")
    np.testing.assert_allclose(est["estimate"], tr.to_frame()["estimate"], rtol=1e-15)
    ch = pd.read_csv(tmp_path / "out" / "tables" / "data" / "trend_Q_changes.csv")
    np.testing.assert_allclose(ch["std_error"], tr.changes()["std_error"], rtol=1e-15)
    table = pd.read_csv(tmp_path / "out" / "tables" / "trend_Q.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["GRP", "Response", "2015", "2017", "Change 2015-2017"]
    top = tr.table()
    changes = tr.changes()
    # a change such as "+20*" reads as a formula to a spreadsheet: the CSV guards it with a quote
    table["Change 2015-2017"] = table["Change 2015-2017"].str.removeprefix("'")
    assert table["Change 2015-2017"].str.match(r"^([+-][1-9]\d*|0)\*?$").all()
    for _, row in table.iterrows():
        c = changes[(changes["GRP"].astype(str) == row["GRP"]) & (changes["level"] == row["Response"])].iloc[0]
        assert row["Change 2015-2017"].endswith("*") == bool(c["significant"])
        assert int(row["Change 2015-2017"].rstrip("*")) == int(np.floor(abs(c["difference"]) * 100 + 0.5)) * (
            1 if c["difference"] > 0 else -1
        )
    assert len(table) == len(top)
    by_group = pd.read_csv(tmp_path / "out" / "tables" / "trend_Q_by_group.csv", dtype=str, keep_default_na=False)
    assert list(by_group.columns) == ["Response", "G1", "G2", "G3"]
    assert by_group.iloc[:, 1:].apply(lambda c: c.str.endswith("*")).to_numpy().any()
    md = (tmp_path / "out" / "tables" / "trend_Q_by_group.md").read_text(encoding="utf-8")
    assert "'+" not in md and "\\*" in md
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Trends across waves" in html and "Sources: a.sav (2015), b.sav (2017)." in html
    again = build(specmod.load(spec_path), out=tmp_path / "out2")
    for f in ("figures/trend_Q.png", "figures/all.svg", "tables/tables.xlsx", "index.html"):
        assert (tmp_path / "out" / f).read_bytes() == (tmp_path / "out2" / f).read_bytes()
    assert again.files == res.files


def test_trend_report_errors_name_the_item_and_the_wave(tmp_path):
    _write_waves(tmp_path)
    spec_path = tmp_path / "report.toml"
    spec_path.write_text(WAVES + '[[trend]]\nvar = "Q"\nby = "GRP"\nlevel = "Vary"\n', encoding="utf-8")
    with pytest.raises(
        SpecError, match=r"\[\[trend\]\] #1: level = 'Vary' is not an answer or net of 'Q'; choose one of"
    ):
        build(specmod.load(spec_path), out=tmp_path / "out")
    assert not (tmp_path / "out").exists()
    spec_path.write_text(WAVES.replace("b.sav", "missing.sav") + '[[trend]]\nvar = "Q"\n', encoding="utf-8")
    with pytest.raises(Exception, match=r"\[\[trend\]\] #1: \[\[data\]\] #2 \(wave '2017'\): .*missing.sav"):
        build(specmod.load(spec_path), out=tmp_path / "out")
    spec_path.write_text(WAVES + '[[trend]]\nvar = "NOPE"\n', encoding="utf-8")
    with pytest.raises(SpecError, match=r"\[\[trend\]\] #1: .*NOPE"):
        build(specmod.load(spec_path), out=tmp_path / "out")


def test_init_on_two_files_proposes_the_shared_questions(tmp_path, monkeypatch):
    _write_waves(tmp_path)
    other = waves(42, 1, groups=2, labels=["Yes", "Mostly", "Hardly", "No"])["2015"]
    other.to_sav(tmp_path / "c.sav")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    res = runner.invoke(main, ["init", "a.sav", "b.sav", "-o", "trend.toml"])
    assert res.exit_code == 0, res.output
    spec = specmod.load(tmp_path / "trend.toml")
    assert [w.data.file for w in spec.waves] == ["a.sav", "b.sav"]
    assert [w.wave for w in spec.waves] == ["W1", "W2"]  # from the files' wave suffixes
    # GRP, an unordered question with the same answers in both, is a trend too
    assert [t.var for t in spec.trends] == ["Q", "GRP"] and spec.stack.id == "QKEY"
    # what was chosen and why: the trends, each wave's weight, the panel members QKEY links
    a, b = (set(pw.read(tmp_path / f).data["QKEY"]) for f in ("a.sav", "b.sav"))
    assert res.output.splitlines()[:4] == [
        "  2 questions asked in every wave with the same answers, proposed as trends: Q, GRP",
        "  W1 (a.sav): weight: WEIGHT_W1 (the file's weight column)",
        "  W2 (b.sav): weight: WEIGHT_W2 (the file's weight column)",
        f"  panel: QKEY links {len(a & b):,} respondents who answered more than one wave; each counts as one "
        "cluster, so the tests of change allow for their answers being alike",
    ]
    assert len(a & b) > 50
    built = runner.invoke(main, ["report", "trend.toml", "--out", "rep", "-q"])
    assert built.exit_code == 0, built.output
    assert (tmp_path / "rep" / "tables" / "trend_Q.csv").exists()
    res = runner.invoke(main, ["init", "a.sav", "c.sav", "-o", "none.toml"])
    assert res.exit_code != 0
    assert "no question is asked in every file with the same answers" in res.output


def test_an_output_folder_holding_a_wave_file_is_refused(tmp_path):
    (tmp_path / "rep").mkdir()
    made = waves(43, 2, groups=2)
    made["2015"].to_sav(tmp_path / "a.sav")
    made["2017"].to_sav(tmp_path / "rep" / "b.sav")
    spec_path = tmp_path / "report.toml"
    spec_path.write_text(WAVES.replace('"b.sav"', '"rep/b.sav"') + '[[trend]]\nvar = "Q"\n', encoding="utf-8")
    with pytest.raises(PewlikeError, match=r"data file of wave '2017'"):
        build(specmod.load(spec_path), out=tmp_path / "rep")
    assert (tmp_path / "rep" / "b.sav").exists()


def test_report_cache_notices_a_changed_second_wave(tmp_path):
    """The whole-report cache (#15) keys on every wave's file, not only the first one's."""
    _write_waves(tmp_path)
    spec_path = tmp_path / "report.toml"
    spec_path.write_text(WAVES + '[stack]\nid = "QKEY"\n[[trend]]\nvar = "Q"\nchart = false\n', encoding="utf-8")
    cache = tmp_path / "cache"
    build(specmod.load(spec_path), out=tmp_path / "one", cache=cache)
    first = pd.read_csv(tmp_path / "one" / "tables" / "data" / "trend_Q.csv")
    other = waves(99, 2, groups=3)  # another second wave, same shape
    list(other.values())[1].to_sav(tmp_path / "b.sav")
    build(specmod.load(spec_path), out=tmp_path / "two", cache=cache)
    second = pd.read_csv(tmp_path / "two" / "tables" / "data" / "trend_Q.csv")
    fresh = build(specmod.load(spec_path), out=tmp_path / "three", cache=False)
    assert fresh.files
    want = pd.read_csv(tmp_path / "three" / "tables" / "data" / "trend_Q.csv")
    pd.testing.assert_frame_equal(second, want)
    assert not np.allclose(first["estimate"].to_numpy()[-3:], second["estimate"].to_numpy()[-3:])


def test_stack_recode_in_a_spec_matches_pw_stack(tmp_path):
    """`[stack] recode` is pw.stack's answer crosswalk: a wave that words its answers differently."""
    made = waves(41, 2, groups=3)
    first, second = made.values()
    answers = [a for a in second.data["Q_W2"].cat.categories if a != "Refused"]  # the missing code stays as it is
    reworded = second.relabel("Q_W2", {a: f"{a} (2017 wording)" for a in answers})
    first.to_sav(tmp_path / "a.sav")
    reworded.to_sav(tmp_path / "b.sav")
    crosswalk = {"2017": {"Q": {f"{a} (2017 wording)": a for a in answers}}}
    spec_path = tmp_path / "report.toml"
    lines = [f'"{a} (2017 wording)" = "{a}"' for a in answers]
    spec_path.write_text(
        WAVES + '[stack]\nid = "QKEY"\n[stack.recode."2017".Q]\n' + "\n".join(lines) + '\n[[trend]]\nvar = "Q"\n',
        encoding="utf-8",
    )
    spec = specmod.load(spec_path)
    assert dict(spec.stack.recode["2017"]["Q"]) == crosswalk["2017"]["Q"]
    res = build(spec, out=tmp_path / "out", cache=False)
    assert not res.failures
    tr = pw.stack({"2015": pw.read(tmp_path / "a.sav"), "2017": pw.read(tmp_path / "b.sav")}, recode=crosswalk).trend(
        "Q"
    )
    est = pd.read_csv(tmp_path / "out" / "tables" / "data" / "trend_Q.csv")
    np.testing.assert_allclose(est["estimate"], tr.to_frame()["estimate"], rtol=1e-15)
    assert set(est["level"].astype(str)) >= set(answers)  # the stack speaks the first wave's answers


@pytest.mark.parametrize(
    ("recode", "message"),
    [
        ('recode = { "2017" = "Q" }', "'recode' must be a table"),
        ('recode = { "1999" = { Q = { a = "b" } } }', "recode names wave '1999'"),
    ],
)
def test_stack_recode_errors_are_one_line(recode, message):
    with pytest.raises(SpecError, match=message) as info:
        specmod.loads(WAVES + "[stack]\n" + recode + '\n[[trend]]\nvar = "Q"\n')
    assert "\n" not in str(info.value)


def test_waves_with_different_answers_point_to_stack_recode(tmp_path):
    """A spec error names the spec's [stack] recode, not pw.stack's Python argument."""
    made = waves(41, 2, groups=3)
    first, second = made.values()
    first.to_sav(tmp_path / "a.sav")
    second.relabel("Q_W2", {"Very": "Very much"}).to_sav(tmp_path / "b.sav")
    spec_path = tmp_path / "report.toml"
    spec_path.write_text(WAVES + '[stack]\nid = "QKEY"\n[[trend]]\nvar = "Q"\n', encoding="utf-8")
    with pytest.raises(SpecError) as info:
        build(specmod.load(spec_path), out=tmp_path / "out", cache=False)
    text = str(info.value)
    assert "[stack] recode = { '2017' = { 'Q' = {'Very much' = 'Very'} } }" in text
    assert "recode={" not in text and "rename={" not in text and "\n" not in text
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("how", ["spec", "command line"])
def test_the_report_universe_filters_every_wave_of_a_trend(tmp_path, how):
    made = _write_waves(tmp_path, seed=43)
    where = '[[data]]\nwave = "2015"\nfile = "a.sav"\n'
    if how == "spec":
        where += 'filter = "GRP == \'G1\'"\nuniverse = "Group one"\n'
    spec_path = tmp_path / "report.toml"
    spec_path.write_text(
        where + '[[data]]\nwave = "2017"\nfile = "b.sav"\n[stack]\nid = "QKEY"\n[[trend]]\nvar = "Q"\n',
        encoding="utf-8",
    )
    args = ["report", str(spec_path), "--out", str(tmp_path / "out"), "--no-cache", "-q"]
    if how == "command line":
        args += ["--filter", "GRP == 'G1'", "--universe", "Group one"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    surveys = {k: pw.read(tmp_path / f) for k, f in zip(made, ("a.sav", "b.sav"), strict=True)}
    stacked = pw.stack(surveys)
    want = stacked.subset("GRP == 'G1'").trend("Q")
    everyone = stacked.trend("Q")
    got = pd.read_csv(tmp_path / "out" / "tables" / "data" / "trend_Q.csv")
    np.testing.assert_allclose(got["estimate"], want.to_frame()["estimate"], rtol=1e-14)
    assert np.abs(got["estimate"].to_numpy() - everyone.to_frame()["estimate"].to_numpy()).max() > 1e-3
    ch = pd.read_csv(tmp_path / "out" / "tables" / "data" / "trend_Q_changes.csv")
    np.testing.assert_allclose(ch["std_error"], want.changes()["std_error"], rtol=1e-12)
    # who the shares are of, wave by wave: under the title, under the table and in the methods
    n1, n2 = ((s.data["GRP"] == "G1").sum() for s in surveys.values())
    among = f"Among group one, n = {n1:,} (2015), {n2:,} (2017)."
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert f"*{among}*" in md
    assert among in (tmp_path / "out" / "tables" / "trend_Q.md").read_text(encoding="utf-8")
    assert f"**2015: n = {n1:,}; margin of sampling error" in md and f"; 2017: n = {n2:,}; margin" in md
    methods = pd.read_csv(tmp_path / "out" / "tables" / "data" / "methods.csv")
    assert list(methods["wave"]) == [2015, 2017] and list(methods["n"]) == [n1, n2]
    assert "Source: a.sav (2015), b.sav (2017), weighted; among group one." in md


def test_a_trend_report_gives_each_waves_sample(tmp_path):
    made = _write_waves(tmp_path, seed=44)
    spec_path = tmp_path / "report.toml"
    spec_path.write_text(WAVES + '[defaults]\nby = ["GRP"]\n[[trend]]\nvar = "Q"\n', encoding="utf-8")
    build(specmod.load(spec_path), out=tmp_path / "out")
    table = pd.read_csv(tmp_path / "out" / "tables" / "methods.csv", dtype=str, keep_default_na=False)
    sizes = [s.n for s in made.values()]
    groups = [(s.data["GRP"] == "G1").sum() for s in made.values()]
    assert list(table["Group"]) == ["2015", "  Total sample", "  GRP", "    G1", "    G2", "    G3"] + [
        "2017", "  Total sample", "  GRP", "    G1", "    G2", "    G3"
    ]  # fmt: skip
    assert table["Unweighted sample size"].iloc[[1, 3, 7, 9]].tolist() == [
        f"{sizes[0]:,}", f"{groups[0]:,}", f"{sizes[1]:,}", f"{groups[1]:,}"
    ]  # fmt: skip
    for wave, svy in made.items():  # each wave's margin is that of its own weights (Kish)
        w = svy.weights.to_numpy()
        deff = 1 + w.var() / w.mean() ** 2
        moe = 100 * 1.959963984540054 * np.sqrt(deff * 0.25 / len(w))
        row = table.index[table["Group"] == wave][0] + 1
        assert table["Plus or minus ..."].iloc[row] == f"±{moe:.1f} points"


def test_init_on_independent_waves_says_they_are_not_linked(tmp_path):
    from pewlike.report.trend_starter import waves_starter

    made = _write_waves(tmp_path, seed=45)
    apart = [svy.data.rename(columns={"QKEY": "ID"}).drop(columns="GRP") for svy in made.values()]
    surveys = [pw.Survey(frame, weights=f"WEIGHT_W{k}") for k, frame in enumerate(apart, 1)]
    started = waves_starter(surveys, [str(tmp_path / "a.sav"), str(tmp_path / "b.sav")])
    assert started.choices[0].startswith("1 question asked in every wave with the same answers")
    assert started.choices[-1] == "panel: no QKEY column in every file, so the waves are stacked as independent samples"
    assert "id = false" in started.text


def test_derived_variables_are_made_in_every_wave(tmp_path):
    made = _write_waves(tmp_path, seed=46)
    derive = '[[derive]]\nname = "PAIR"\nrecode = { var = "GRP", map = { "G1 or G2" = ["G1", "G2"], "G3" = ["G3"] } }\n'
    spec_path = tmp_path / "report.toml"
    spec_path.write_text(WAVES + derive + '[[trend]]\nvar = "Q"\nby = "PAIR"\n', encoding="utf-8")
    res = build(specmod.load(spec_path), out=tmp_path / "out")
    assert not res.failures
    mapping = {"G1 or G2": ["G1", "G2"], "G3": ["G3"]}
    recoded = {k: svy.recode("GRP", mapping, name="PAIR") for k, svy in made.items()}
    want = pw.stack(recoded).trend("Q", by="PAIR")
    got = pd.read_csv(tmp_path / "out" / "tables" / "data" / "trend_Q.csv")
    assert sorted(set(got["PAIR"])) == ["G1 or G2", "G3"]
    np.testing.assert_allclose(got["estimate"], want.to_frame()["estimate"], rtol=1e-14)
    # a derive the second wave cannot take (its question is not asked there): a trend by it says so
    first = made["2015"].data.copy()
    first["EXTRA"] = pd.Categorical(np.where(np.arange(len(first)) % 3 == 0, "Yes", "No"), categories=["Yes", "No"])
    pw.Survey(first, weights="WEIGHT_W1").to_sav(tmp_path / "a.sav")
    only_first = (
        '[[derive]]\nname = "ASKED"\nrecode = { var = "EXTRA", map = { "Asked yes" = ["Yes"], "Asked no" = ["No"] } }\n'
    )
    spec_path.write_text(WAVES + only_first + '[[trend]]\nvar = "Q"\nby = "ASKED"\n', encoding="utf-8")
    with pytest.raises(SpecError, match="by='ASKED' has no values in wave '2017'"):
        build(specmod.load(spec_path), out=tmp_path / "out2")


def _tier_waves(tmp_path):
    """Two waves of a question whose labels do not reveal a scale (SPSS measure nominal)."""
    import pyreadstat

    rng = np.random.default_rng(7)
    tiers = {1.0: "Top tier", 2.0: "Upper tier", 3.0: "Lower tier", 4.0: "Bottom tier"}
    for k, keys in ((1, np.arange(0, 400)), (2, np.arange(250, 700))):
        frame = pd.DataFrame(
            {
                "QKEY": keys.astype(float),
                f"Q_W{k}": rng.integers(1, 5, len(keys)).astype(float),
                f"WEIGHT_W{k}": rng.uniform(0.5, 2.0, len(keys)),
            }
        )
        pyreadstat.write_sav(
            frame,
            str(tmp_path / ("a.sav" if k == 1 else "b.sav")),
            variable_value_labels={f"Q_W{k}": tiers},
            variable_measure={f"Q_W{k}": "nominal"},
        )


def test_a_scale_declared_and_labels_given_once_reach_every_wave(tmp_path):
    _tier_waves(tmp_path)
    head = '[[data]]\nwave = "2015"\nfile = "a.sav"\nordinal = ["Q"]\n[[data]]\nwave = "2017"\nfile = "b.sav"\n'
    labels = '[labels.Q]\nvalues = { "Top tier" = "Highest" }\n'
    spec_path = tmp_path / "report.toml"
    spec_path.write_text(head + labels + '[[trend]]\nvar = "Q"\n[[topline]]\nvar = "Q"\n', encoding="utf-8")
    build(specmod.load(spec_path), out=tmp_path / "out")
    table = pd.read_csv(tmp_path / "out" / "tables" / "trend_Q.csv", dtype=str, keep_default_na=False)
    # the nets of the declared scale, and the answer as relabelled, as in the first wave's topline
    assert list(table["Response"]) == [
        "Highest", "Upper tier", "Lower tier", "Bottom tier", "NET Highest/Upper tier", "NET Lower/Bottom tier"
    ]  # fmt: skip
    topline = pd.read_csv(tmp_path / "out" / "tables" / "topline_Q.csv", dtype=str, keep_default_na=False)
    assert "NET Highest/Upper tier" in set(topline["Response"])
    surveys = {
        "2015": pw.read(tmp_path / "a.sav").set_scale("Q", ordered=True).relabel("Q", {"Top tier": "Highest"}),
        "2017": pw.read(tmp_path / "b.sav").set_scale("Q", ordered=True).relabel("Q", {"Top tier": "Highest"}),
    }
    want = pw.stack(surveys).trend("Q")
    got = pd.read_csv(tmp_path / "out" / "tables" / "data" / "trend_Q.csv")
    np.testing.assert_allclose(got["estimate"], want.to_frame()["estimate"], rtol=1e-14)


def test_raking_targets_weight_every_wave_of_a_trend(tmp_path):
    made = _write_waves(tmp_path, seed=47)
    rake = "[weighting]\nrake = { GRP = { G1 = 0.5, G2 = 0.3, G3 = 0.2 } }\n"
    spec_path = tmp_path / "report.toml"
    spec_path.write_text(WAVES + rake + '[[trend]]\nvar = "Q"\n[[topline]]\nvar = "Q"\n', encoding="utf-8")
    with warnings.catch_warnings():  # the report says it in the trend's notes instead of warning
        warnings.simplefilter("error", WeightWarning)
        res = build(specmod.load(spec_path), out=tmp_path / "out")
    assert not res.failures
    assert "Each wave raked to the report's weighting targets" in (
        tmp_path / "out" / "tables" / "trend_Q.md"
    ).read_text(encoding="utf-8")
    targets = {"GRP": {"G1": 0.5, "G2": 0.3, "G3": 0.2}}
    raked = {k: svy.rake(targets) for k, svy in made.items()}
    with pytest.warns(WeightWarning, match="was raked or calibrated"):
        want = pw.stack(raked).trend("Q").to_frame()
    got = pd.read_csv(tmp_path / "out" / "tables" / "data" / "trend_Q.csv")
    np.testing.assert_allclose(got["estimate"], want["estimate"], rtol=1e-12)
    # the first wave's column is its (raked) topline, not the file's weights
    top = pd.read_csv(tmp_path / "out" / "tables" / "data" / "topline_Q.csv")
    first = got[got["wave"].astype(str) == "2015"].set_index("level")["estimate"]
    for level, est in zip(top["level"], top["estimate"], strict=True):
        if level in first.index:
            assert first[level] == pytest.approx(est, rel=1e-12)
    unraked = pw.stack(made).trend("Q").to_frame()
    assert np.abs(unraked["estimate"].to_numpy() - want["estimate"].to_numpy()).max() > 1e-3
    # a target the second wave cannot meet names the wave
    first = made["2015"].data.copy()
    first["GRP"] = first["GRP"].cat.add_categories("G4")
    first.loc[first.index[:30], "GRP"] = "G4"  # the first wave has a fourth group, the second not
    pw.Survey(first, weights="WEIGHT_W1").to_sav(tmp_path / "a.sav")
    four = "[weighting]\nrake = { GRP = { G1 = 0.5, G2 = 0.2, G3 = 0.2, G4 = 0.1 } }\n"
    spec_path.write_text(WAVES + four + '[[trend]]\nvar = "Q"\n', encoding="utf-8")
    with pytest.raises(PewlikeError, match=r"\[weighting\] \(wave '2017'\): .*G4"):
        build(specmod.load(spec_path), out=tmp_path / "out2")


def test_data_on_the_command_line_is_refused_for_a_spec_of_waves(tmp_path):
    _write_waves(tmp_path, seed=48)
    spec_path = tmp_path / "report.toml"
    spec_path.write_text(WAVES + '[[trend]]\nvar = "Q"\n', encoding="utf-8")
    res = CliRunner().invoke(
        main, ["report", str(spec_path), "--data", str(tmp_path / "b.sav"), "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 1
    assert res.output == (
        "pewlike: error: report.toml: --data replaces the data file of a one-file spec, but this spec has 2 waves "
        "([[data]] tables); change their file = ... in the spec instead\n"
    )
    assert not (tmp_path / "o").exists()


def test_each_waves_methods_leave_out_a_group_the_wave_lacks(tmp_path):
    made = _write_waves(tmp_path, seed=49)
    second = made["2017"].data.copy()
    second["GRP2"] = second["GRP"]
    second = second.drop(columns="GRP")  # the second wave names its group otherwise
    pw.Survey(second, weights="WEIGHT_W2").to_sav(tmp_path / "b.sav")
    spec_path = tmp_path / "report.toml"
    spec_path.write_text(WAVES + '[defaults]\nby = ["GRP"]\n[[trend]]\nvar = "Q"\n', encoding="utf-8")
    res = build(specmod.load(spec_path), out=tmp_path / "out")
    assert not res.failures
    table = pd.read_csv(tmp_path / "out" / "tables" / "methods.csv", dtype=str, keep_default_na=False)
    assert list(table["Group"]) == [
        "2015",
        "  Total sample",
        "  GRP",
        "    G1",
        "    G2",
        "    G3",
        "2017",
        "  Total sample",
    ]
    # waves that only the toplines' first wave is read from (no trend): one wave's methods, as before
    spec_path.write_text(WAVES + '[[topline]]\nvar = "Q"\n', encoding="utf-8")
    build(specmod.load(spec_path), out=tmp_path / "out2")
    table = pd.read_csv(tmp_path / "out2" / "tables" / "methods.csv", dtype=str, keep_default_na=False)
    assert list(table["Group"]) == ["Total sample"]
    assert "Source: a.sav, weighted. All tables" in (tmp_path / "out2" / "report.md").read_text(encoding="utf-8")


def _form_waves(tmp_path, second_all: bool):
    rng = np.random.default_rng(8)
    answers = ["Agree", "Disagree", "Refused"]
    sizes = {}
    for k, n in ((1, 420), (2, 380)):
        form = rng.choice(["Form 1", "Form 2"], n)
        asked = np.ones(n, bool) if (k == 2 and second_all) else form == "Form 1"
        q = np.where(asked, rng.choice(answers, n, p=[0.5, 0.45, 0.05]), None)
        frame = pd.DataFrame(
            {
                "QKEY": np.arange(n) + 1000 * k,
                f"FORM_W{k}": pd.Categorical(form, categories=["Form 1", "Form 2"]),
                f"S_W{k}": pd.Categorical(q, categories=answers),
                f"WEIGHT_W{k}": rng.uniform(0.5, 2.0, n),
            }
        )
        pw.Survey(frame, weights=f"WEIGHT_W{k}").to_sav(tmp_path / ("a.sav" if k == 1 else "b.sav"))
        sizes[k] = int(asked.sum())
    return sizes


@pytest.mark.parametrize("second_all", [False, True])
def test_a_split_form_trend_says_who_was_asked_in_each_wave(tmp_path, second_all):
    sizes = _form_waves(tmp_path, second_all)
    spec_path = tmp_path / "report.toml"
    spec_path.write_text(WAVES + '[[trend]]\nvar = "S"\n', encoding="utf-8")
    build(specmod.load(spec_path), out=tmp_path / "out")
    notes = (tmp_path / "out" / "tables" / "trend_S.md").read_text(encoding="utf-8")
    if second_all:
        want = f"Who was asked: 2015 asked of Form 1, n = {sizes[1]:,}; 2017 asked of all, n = {sizes[2]:,}."
    else:
        want = f"Asked of Form 1 in each wave, n = {sizes[1]:,} (2015), {sizes[2]:,} (2017)."
    assert want in notes


def test_init_refuses_one_file_given_as_two_waves(tmp_path, monkeypatch):
    _write_waves(tmp_path, seed=51)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for args, said in (
        (["a.sav", "a.sav"], "'a.sav' is given twice; "),
        (["a.sav", "b.sav", "./a.sav"], "'./a.sav' is given twice (as 'a.sav'); "),
    ):
        res = runner.invoke(main, ["init", *args, "-o", "t.toml"])
        assert res.exit_code == 1
        assert res.output == f"pewlike: error: {said}give each wave's file once, in time order\n"
        assert not (tmp_path / "t.toml").exists()


@pytest.mark.parametrize("csv_first", [False, True])
def test_init_and_report_on_a_sav_wave_and_a_csv_wave(tmp_path, monkeypatch, csv_first):
    """A CSV wave (text answers, only those given) with a .sav wave: proposed as a trend, built, 0 % where nobody said it."""
    import pyreadstat

    rng = np.random.default_rng(9)
    tiers = {1.0: "Very", 2.0: "Somewhat", 3.0: "Not too", 4.0: "Not at all"}
    n = 200
    sav = pd.DataFrame({"Q_W1": rng.integers(1, 5, n).astype(float), "WEIGHT_W1": rng.uniform(0.5, 2, n)})
    pyreadstat.write_sav(sav, str(tmp_path / "a.sav"), variable_value_labels={"Q_W1": tiers})
    csv = pd.DataFrame(
        {"Q_W2": rng.choice(["Very", "Somewhat", "Not too"], n), "WEIGHT_W2": rng.uniform(0.5, 2, n)}
    )  # nobody said "Not at all"
    csv.to_csv(tmp_path / "b.csv", index=False)
    monkeypatch.chdir(tmp_path)
    files = ["b.csv", "a.sav"] if csv_first else ["a.sav", "b.csv"]
    res = CliRunner().invoke(main, ["init", *files, "-o", "t.toml"])
    assert res.exit_code == 0, res.output
    assert [t.var for t in specmod.load(tmp_path / "t.toml").trends] == ["Q"]
    built = CliRunner().invoke(main, ["report", "t.toml", "--out", "out", "-q"])
    assert built.exit_code == 0, built.output
    got = pd.read_csv(tmp_path / "out" / "tables" / "data" / "trend_Q.csv")
    wave_csv = "W2"
    share = got[(got["wave"].astype(str) == wave_csv) & (got["level"] == "Not at all")]["estimate"]
    assert list(share) == [0.0]
    w = csv["WEIGHT_W2"]
    want = w[csv["Q_W2"] == "Very"].sum() / w.sum()
    very = got[(got["wave"].astype(str) == wave_csv) & (got["level"] == "Very")]["estimate"]
    assert float(very.iloc[0]) == pytest.approx(want, rel=1e-12)
