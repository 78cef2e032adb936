"""Spec data preparation (#12): [data] filter/universe, per-item filter/universe, [[derive]]."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import SpecError
from pewlike.report import build as buildmod
from pewlike.report import spec as specmod

HEAD = '[data]\nfile = "pewlike:demo"\nsynthetic = true\n'


# ---------------------------------------------------------------------------
# parsing
# ---------------------------------------------------------------------------
def test_parse_filters_universes_and_derives():
    spec = specmod.loads(
        HEAD
        + 'filter = "F_PARTYSUM_FINAL in [1, 2]"\nuniverse = "Partisans"\n'
        + '[[derive]]\nname = "CONC2"\nlabel = "Concerned"\n'
        + 'recode = {var = "CONCERNCO", map = {Concerned = [1, 2], "Not concerned" = ["Not too concerned", 4]}, '
        + 'other = "drop"}\n'
        + '[[derive]]\nname = "S"\nscore = {var = "CONCERNCO", map = {"Very concerned" = 4, "Somewhat concerned" = 3}}\n'
        + '[[derive]]\nname = "OLD"\nexpr = "F_AGECAT >= 3"\n'
        + '[[topline]]\nvar = "CONC2"\nfilter = "OLD == 1"\nuniverse = "Older adults"\n'
        + '[[topline]]\nvar = "CONCERNGOV"\n'
        + '[[crosstab]]\nvar = "CONCERNGOV"\nby = "F_SEX"\nfilter = "F_SEX == 2"\n'
    )
    assert (spec.data.filter, spec.data.universe) == ("F_PARTYSUM_FINAL in [1, 2]", "Partisans")
    assert [(d.name, d.kind) for d in spec.derive] == [("CONC2", "recode"), ("S", "score"), ("OLD", "expr")]
    rec = spec.derive[0]
    assert (rec.var, dict(rec.mapping), rec.other, rec.label) == (
        "CONCERNCO",
        {"Concerned": [1, 2], "Not concerned": ["Not too concerned", 4]},
        "drop",
        "Concerned",
    )
    assert dict(spec.derive[1].mapping) == {"Very concerned": 4.0, "Somewhat concerned": 3.0}
    assert spec.derive[2].expr == "F_AGECAT >= 3"
    assert set(spec.universes) == {"topline_CONC2", "crosstab_CONCERNGOV"}
    assert (spec.universes["topline_CONC2"].filter, spec.universes["topline_CONC2"].name) == (
        "OLD == 1",
        "Older adults",
    )
    assert spec.universes["crosstab_CONCERNGOV"].name is None  # named when built (universe.unnamed_universe)


@pytest.mark.parametrize(
    ("body", "where", "fragment"),
    [
        ("[[derive]]\nname = \"X\"\nexpr = \"__import__('os').system('touch pwned')\"\n", "[[derive]] #1", "__"),
        ('[[derive]]\nname = "X"\nexpr = "system(\'ls\')"\n', "[[derive]] #1", "expr"),
        ('[[derive]]\nname = "X"\nexpr = "AGE.real"\n', "[[derive]] #1", "attribute"),
        ('[[derive]]\nname = "X"\nexpr = "lambda: 1"\n', "[[derive]] #1", "expr"),
        ('[[derive]]\nname = "X"\nexpr = "[x for x in AGE]"\n', "[[derive]] #1", "expr"),
        ('[[derive]]\nname = "X"\nexpr = "1"\nscore = {var = "A", map = {a = 1}}\n', "[[derive]] #1", "exactly one"),
        ('[[derive]]\nname = "X"\nrun = "1"\n', "[[derive]] #1", "unknown key 'run'"),
        ('[[derive]]\nexpr = "1"\n', "[[derive]] #1", "missing key 'name'"),
        ('[[derive]]\nname = "a b"\nexpr = "1"\n', "[[derive]] #1", "not a valid variable name"),
        ('[[derive]]\nname = "labels"\nexpr = "1"\n', "[[derive]] #1", "not a valid variable name"),
        ('[[derive]]\nname = "X"\nexpr = "1"\n[[derive]]\nname = "x"\nexpr = "2"\n', "[[derive]] #2", "twice"),
        ('[[derive]]\nname = "X"\nscore = {var = "A", map = {a = "high"}}\n', "[[derive]] #1", "must be a number"),
        ('[[derive]]\nname = "X"\nrecode = {var = "A", map = {a = [1.5]}}\n', "[[derive]] #1", "recode.map.a"),
        ('[[derive]]\nname = "X"\nrecode = {var = "A", map = {a = [1]}, other = "lose"}\n', "[[derive]] #1", "keep"),
        ('[[derive]]\nname = "X"\nrecode = {var = "A"}\n', "[[derive]] #1", "needs var"),
        ('[[derive]]\nname = "X"\nscore = {var = "A", map = {a = 1}, other = "keep"}\n', "[[derive]] #1", "'other'"),
        ('[[topline]]\nvar = "Q"\nuniverse = "Voters"\n', "[[topline]] #1", "needs filter"),
        ('[[topline]]\nvar = "Q"\nfilter = "F_REG in [1, 2"\n', "[[topline]] #1", "filter"),
        ('[[model]]\nformula = "y ~ x"\nfilter = "open(\'f\')"\n', "[[model]] #1", "filter"),
        ('[[crosstab]]\nvar = "Q"\nby = "B"\nfilter = "a"\nuniverse = "two\\nlines"\n', "[[crosstab]] #1", "one-line"),
        ('[[distribution]]\nvar = "Q"\nfilter = 3\n', "[[distribution]] #1", "one-line"),
    ],
)
def test_hostile_or_malformed_entries_are_one_line_spec_errors(body, where, fragment, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecError) as err:
        specmod.loads(HEAD + body, label="r.toml")
    msg = str(err.value)
    assert msg.startswith(f"r.toml: {where}") and fragment in msg and "\n" not in msg
    assert not (tmp_path / "pwned").exists()


def test_data_universe_without_filter_is_refused():
    with pytest.raises(SpecError, match=r"^r\.toml: \[data\]: universe = 'Voters' needs filter"):
        specmod.loads(HEAD + 'universe = "Voters"\n[[topline]]\nvar = "Q"\n', label="r.toml")


# ---------------------------------------------------------------------------
# building: the numbers are those of svy.subset(...)
# ---------------------------------------------------------------------------
def _data(seed: int, n: int, k: int, path) -> None:
    """A labelled .sav of n respondents: region, sex, age, a k-answer question, gamma weights."""
    rng = np.random.default_rng(seed)
    answers = [f"Answer {i}" for i in range(1, k + 1)]
    frame = pd.DataFrame(
        {
            "GRP": pd.Categorical(
                rng.choice(["North", "South", "East"], n, p=[0.5, 0.3, 0.2]), ["North", "South", "East"]
            ),
            "SEX": pd.Categorical(rng.choice(["Male", "Female"], n), ["Male", "Female"]),
            "AGE": rng.integers(18, 90, n).astype(float),
            "Q1": pd.Categorical(rng.choice(answers, n), answers),
            "weight": rng.gamma(4.0, 0.25, n),
        }
    )
    pw.Survey(frame, weights="weight").to_sav(path)


def _estimates(path) -> np.ndarray:
    return pd.read_csv(path)["estimate"].to_numpy()


@pytest.mark.parametrize(("seed", "n", "k"), [(1, 150, 2), (2, 420, 3), (3, 900, 5)])
def test_built_universes_equal_subset_estimates(seed, n, k, tmp_path):
    _data(seed, n, k, tmp_path / "s.sav")
    (tmp_path / "r.toml").write_text(
        '[data]\nfile = "s.sav"\nweights = "weight"\nfilter = "GRP != \'East\'"\nuniverse = "North and South"\n'
        '[output]\nformats = ["csv", "md"]\n'
        '[[derive]]\nname = "OLDER"\nlabel = "Ages 50+"\nexpr = "AGE >= 50"\n'
        '[[derive]]\nname = "Q1B"\nrecode = {var = "Q1", map = {First = ["Answer 1"]}, other = "keep"}\n'
        '[[section]]\nid = "old"\ntitle = "Older"\n'
        '[[topline]]\nvar = "Q1"\nname = "all_q1"\n'
        '[[topline]]\nvar = "Q1B"\nsection = "old"\nname = "old_q1b"\nfilter = "OLDER == 1"\nuniverse = "Adults 50+"\n'
        '[[crosstab]]\nvar = "Q1"\nby = "SEX"\nsection = "old"\nname = "old_q1_sex"\n'
        'filter = "OLDER == 1"\nuniverse = "Adults 50+"\n'
    )
    buildmod.build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1)
    base = pw.read(tmp_path / "s.sav", weights="weight")
    ns = base.subset("GRP != 'East'", name="North and South")
    data = tmp_path / "out" / "tables" / "data"
    np.testing.assert_allclose(_estimates(data / "all_q1.csv"), ns.topline("Q1").to_frame()["estimate"], rtol=1e-12)
    old = (
        base.assign(OLDER="AGE >= 50")
        .recode("Q1", {"First": ["Answer 1"]}, name="Q1B")
        .subset("GRP != 'East'", name="North and South")
        .subset("OLDER == 1", name="Adults 50+")
    )
    expect = old.topline("Q1B").to_frame()
    got = pd.read_csv(data / "old_q1b.csv")
    np.testing.assert_allclose(got["estimate"], expect["estimate"], rtol=1e-12)
    np.testing.assert_allclose(got["std_error"], expect["std_error"], rtol=1e-9)
    assert list(got["level"]) == [str(x) for x in expect["level"]]
    cross = old.crosstab("Q1", "SEX").to_frame()
    np.testing.assert_allclose(_estimates(data / "old_q1_sex_by_SEX.csv"), cross["estimate"], rtol=1e-12)
    # the universe is said: under the title, under the section heading, in the notes
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    n_ns, n_old = ns.n, old.n
    assert f"Among north and South, n = {n_ns:,}." in md or f"Among north and south, n = {n_ns:,}." in md
    assert f"Among north and South: Adults 50+, n = {n_old:,}." in md
    assert md.count("Adults 50+, n = ") >= 3  # section heading, topline notes, crosstab notes
    # an item without a filter is not restricted further: its N is the data universe's
    assert old.n < ns.n < base.n


def test_model_and_distribution_items_note_their_universe(tmp_path):
    _data(7, 600, 3, tmp_path / "s.sav")
    (tmp_path / "r.toml").write_text(
        '[data]\nfile = "s.sav"\nweights = "weight"\n[output]\nformats = ["csv", "md"]\n'
        '[[model]]\nname = "m"\ntype = "glm"\nformula = "AGE ~ SEX"\nfilter = "GRP == \'North\'"\nuniverse = "The north"\n'
        '[[distribution]]\nvar = "AGE"\nchart = "box"\nfilter = "GRP == \'North\'"\nuniverse = "The north"\n'
    )
    buildmod.build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1)
    north = pw.read(tmp_path / "s.sav", weights="weight").subset("GRP == 'North'", name="The north")
    got = pd.read_csv(tmp_path / "out" / "tables" / "data" / "m.csv")
    np.testing.assert_allclose(got["estimate"], north.glm("AGE ~ SEX").to_frame()["estimate"], rtol=1e-10)
    for name in ("m", "distribution_AGE_box"):
        md = (tmp_path / "out" / "tables" / f"{name}.md").read_text(encoding="utf-8")
        assert f"Among the north, n = {north.n:,}." in md


def test_filter_matching_nobody_fails_before_anything_is_written(tmp_path):
    (tmp_path / "r.toml").write_text(HEAD + '[[topline]]\nvar = "SECUR1"\nfilter = "F_AGECAT == 7"\n')
    with pytest.raises(SpecError) as err:
        buildmod.build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1)
    msg = str(err.value)
    assert msg.startswith("r.toml: [[topline]] #1: filter: 7 is not a code of 'F_AGECAT'") and "18-29" in msg
    assert not (tmp_path / "out").exists()


def test_derive_of_an_unknown_answer_names_its_place(tmp_path):
    (tmp_path / "r.toml").write_text(
        HEAD + '[[derive]]\nname = "C"\nrecode = {var = "CONCERNCO", map = {A = ["Very worried"]}}\n'
        '[[topline]]\nvar = "C"\n'
    )
    with pytest.raises(SpecError) as err:
        buildmod.build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1)
    msg = str(err.value)
    assert msg.startswith("r.toml: [[derive]] #1:") and "Very concerned" in msg and "\n" not in msg
    assert not (tmp_path / "out").exists()


def test_demo_spec_has_one_universe_section(demo):
    from pewlike.report.demo import demo_spec

    spec = demo_spec()
    older = [s for s in spec.sections if s.id == "older"]
    assert len(older) == 1
    items = spec.items_in("older")
    assert (
        {it.name for it in items}
        == set(spec.universes)
        == {
            "topline_CONCERNGOV_50plus",
            "crosstab_CONCERNGOV_50plus",
        }
    )
    assert all(spec.universes[it.name].name == "Adults ages 50 and older" for it in items)
    # prepare() puts the universe under the heading, with the universe's n
    from pewlike.report.universe import prepare

    _, ready = prepare(spec, demo)
    n = demo.subset("F_AGECAT in [3, 4]").n
    heading = next(s for s in ready.sections if s.id == "older")
    assert heading.text.endswith(f"Among adults ages 50 and older, n = {n:,}.")
    assert all(s.text == t.text for s, t in zip(spec.sections, ready.sections) if s.id != "older")
