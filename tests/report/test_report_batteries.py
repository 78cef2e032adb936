"""Report spec and build: [[select_all]] and [[grid]] items (#14)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pewlike.errors import SpecError
from pewlike.report import spec as specmod
from pewlike.report.build import build

HEAD = '[data]\nfile = "s.csv"\nweights = "weight"\n'


def _data(tmp_path, seed: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 500
    act = rng.standard_normal(n)
    frame = pd.DataFrame({"F_SEX": rng.choice(["Male", "Female"], n)})
    for j, c in enumerate("abcd"):
        frame[f"B2{c}"] = np.where(rng.random(n) < 1 / (1 + np.exp(-(0.4 - 0.5 * j + act))), "Selected", "Not selected")
    scale = ["A lot", "Some", "Not much", "Not at all"]
    for g in ("T1", "T2"):
        frame[g] = rng.choice(scale, n, p=[0.2, 0.4, 0.3, 0.1])
    frame["weight"] = rng.uniform(0.5, 2.0, n)
    frame.to_csv(tmp_path / "s.csv", index=False)
    return frame


def test_items_are_parsed_with_defaults():
    s = specmod.loads(
        HEAD + '[[select_all]]\nitems = ["B2a", "B2b"]\n[[grid]]\nitems = ["T1", "T2"]\ncompare = ["T1", "T2"]\n'
        '[[select_all]]\nitems = ["B2a", "B2b", "B2c"]\nby = "F_SEX"\nsort = "asked"\nbase = "all"\nchart = false\n'
        'name = "owned"\nsection = "grids"\n'
    )
    first, second = s.select_alls
    assert (first.by, first.base, first.sort, first.chart) == ((), "asked", "share", True)
    assert (first.section, first.name) == ("batteries", "select_all_B2a")
    assert (second.by, second.base, second.sort, second.chart, second.name) == (
        ("F_SEX",),
        "all",
        "asked",
        False,
        "owned",
    )
    (grid,) = s.grids
    assert (grid.items, grid.compare, grid.nets, grid.section, grid.name) == (
        ("T1", "T2"),
        ("T1", "T2"),
        True,
        "grids",
        "grid_T1",
    )
    assert [sec.id for sec in s.sections] == ["batteries", "grids"]
    assert s.items_in("grids") == [second, grid]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[select_all]]\nitems = ["B2a"]', r"\[\[select_all\]\] #1: 'items' must list two or more item columns"),
        (
            '[[select_all]]\nitems = ["B2a", "B2b"]\nsort = "size"',
            r"sort = 'size' is not valid; choose one of: asked, share",
        ),
        (
            '[[select_all]]\nitems = ["B2a", "B2b"]\nbase = "valid"',
            r"base = 'valid' is not valid; choose one of: asked, all",
        ),
        (
            '[[grid]]\nitems = ["T1", "T2"]\ncompare = ["T1", "T3"]',
            r"\[\[grid\]\] #1: 'compare' must name two different items",
        ),
        ('[[grid]]\nitems = ["T1", "T2"]\ncolour = 1', r"\[\[grid\]\] #1: unknown key 'colour'"),
        ('[[grid]]\nitems = ["T1", "T2"]\nname = "index"', r"name = 'index' is reserved"),
    ],
)
def test_bad_items_are_located_one_line_errors(body, message):
    with pytest.raises(SpecError, match=message) as err:
        specmod.loads(HEAD + body + "\n")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[select_all]]\nitems = ["B2a", "T1"]',
            r"\[\[select_all\]\] #1: .*not one battery: B2a has answers .* but T1",
        ),
        ('[[select_all]]\nitems = ["T1", "T2"]', r"\[\[select_all\]\] #1: .*'T1' has no 'selected' answer"),
        ('[[grid]]\nitems = ["T1", "weight"]', r"\[\[grid\]\] #1: a grid needs a categorical question but 'weight'"),
    ],
)
def test_items_that_do_not_fit_the_data_fail_before_anything_is_written(tmp_path, body, message):
    _data(tmp_path)
    (tmp_path / "r.toml").write_text(HEAD + body + "\n")
    with pytest.raises(SpecError, match=message):
        build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1)
    assert not (tmp_path / "out").exists()


def test_report_shows_the_battery_and_the_grid(tmp_path):
    frame = _data(tmp_path)
    (tmp_path / "r.toml").write_text(
        HEAD + '[[select_all]]\nitems = ["B2a", "B2b", "B2c", "B2d"]\nby = "F_SEX"\n'
        '[[grid]]\nitems = ["T1", "T2"]\ncompare = ["T1", "T2"]\n'
    )
    res = build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1)
    files = set(res.files)
    for f in ("figures/select_all_B2a.png", "figures/grid_T1.svg", "tables/select_all_B2a.csv"):
        assert f in files
    out = tmp_path / "out" / "tables"
    for f in ("select_all_B2a_by_F_SEX.csv", "data/grid_T1_compare.csv", "data/select_all_B2a_number.csv"):
        assert (out / f).is_file()
    md = (tmp_path / "out" / "report.md").read_text()
    assert "## Select-all questions" in md and "## Item grids" in md and "NET Any" in md
    shares = pd.read_csv(out / "data" / "select_all_B2a.csv")
    w = frame["weight"].to_numpy()
    want = np.average(frame["B2a"] == "Selected", weights=w)
    assert float(shares.loc[shares["item"] == "B2a", "estimate"].iloc[0]) == pytest.approx(want)
    comp = pd.read_csv(out / "data" / "grid_T1_compare.csv")
    assert set(comp["level"]) >= {"A lot", "Some", "Not much", "Not at all"}  # text answers: sorted
    assert np.allclose(comp["difference"], comp["estimate_a"] - comp["estimate_b"])


def test_init_proposes_the_batteries_and_grids_it_finds(tmp_path):
    import pewlike as pw
    from pewlike.report.starter import starter_spec
    from pewlike.report.starter_batteries import grid_groups

    svy = pw.demo()
    data = tmp_path / "survey.sav"
    svy.to_sav(data)
    back = pw.read(data)
    s = specmod.loads(starter_spec(back, str(data), spec_path=str(tmp_path / "report.toml")))
    assert [it.items for it in s.select_alls] == [tuple(f"PP5{c}_W49" for c in "abcdefg")]
    grids = [it.items for it in s.grids]
    assert ("CONCERNCO_W49", "CONCERNGOV_W49", "CONCERNLE_W49") in grids
    assert ("CONTROLCO_W49", "CONTROLGOV_W49") in grids
    # each grid is one scale; no question is in two grids
    flat = [c for g in grids for c in g]
    assert len(flat) == len(set(flat))
    many = [f"Q{i}" for i in range(20)]
    frame = pd.DataFrame({q: pd.Categorical(["Yes", "No"] * 5) for q in many}).assign(w=1.0)
    small = pw.Survey(frame, weights="w")
    assert [len(g) for g in grid_groups(small, many)] == [8, 8, 4]
