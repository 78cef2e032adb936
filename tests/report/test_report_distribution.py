"""Report spec and build: [[distribution]] items and the weight diagnostics of [weighting]."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import SpecError
from pewlike.report import spec as specmod
from pewlike.report.build import build

HEAD = '[data]\nfile = "s.csv"\nweights = "weight"\n'


def _data(tmp_path):
    rng = np.random.default_rng(4)
    n = 400
    frame = pd.DataFrame(
        {
            "F_SEX": rng.choice(["Male", "Female"], n, p=[0.35, 0.65]),
            "AGE": rng.integers(18, 90, n),
            "Q1": rng.choice(["Yes", "No"], n),
            "CITY": rng.choice(["Springfield", "Shelbyville", "Ogdenville"], n),
            "weight": rng.uniform(0.5, 2.0, n),
        }
    )
    frame.to_csv(tmp_path / "s.csv", index=False)
    return frame


def test_distribution_items_are_parsed_with_defaults():
    s = specmod.loads(
        HEAD + '[[distribution]]\nvar = "AGE"\n[[distribution]]\nvar = "AGE"\nby = "F_SEX"\nchart = "box"\n'
        'bins = [18, 30, 50, 65, 90]\nname = "age_box"\ntitle = "Age"\nsection = "people"\n'
        '[[section]]\nid = "people"\ntitle = "People"\n'
    )
    first, second = s.distributions
    assert (first.var, first.by, first.chart, first.bins, first.density) == ("AGE", (), "both", "sturges", True)
    assert (first.section, first.name) == ("distributions", "distribution_AGE")
    assert second.by == ("F_SEX",) and second.bins == (18.0, 30.0, 50.0, 65.0, 90.0) and second.title == "Age"
    assert [sec.id for sec in s.sections] == ["people", "distributions"]
    assert s.items_in("people") == [second]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'var = "AGE"\ncolour = "red"',
            r"\[\[distribution\]\] #1: unknown key 'colour'; expected one of: var, by, chart",
        ),
        ('var = "AGE"\nchart = "violin"', r"chart = 'violin' is not valid; choose one of: both, hist, box"),
        ('var = "AGE"\nbins = 0', r"'bins' must be \"sturges\", a number of bins >= 1 or a list"),
        ('var = "AGE"\nbins = [3, 1]', r"'bins' must be .* increasing bin edges, not the list \[3, 1\]"),
        ('var = "AGE"\nbins = "fd"', r"bins = 'fd' is not valid; give \"sturges\""),
        ('by = "F_SEX"', r"\[\[distribution\]\] #1: missing key 'var'"),
        ('var = "AGE"\nname = "weights"', r"name = 'weights' is reserved"),
    ],
)
def test_bad_distribution_items_are_located_one_line_errors(body, message):
    with pytest.raises(SpecError, match=message) as err:
        specmod.loads(HEAD + "[[distribution]]\n" + body + "\n")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("var", "kind"), [("Q1", "categorical"), ("CITY", "text")])
def test_a_categorical_distribution_fails_before_anything_is_written(tmp_path, var, kind):
    _data(tmp_path)  # Q1 answers Yes / No (a categorical, Yes first), CITY is other text
    (tmp_path / "r.toml").write_text(HEAD + f'[[distribution]]\nvar = "{var}"\n')
    with pytest.raises(
        SpecError,
        match=rf"r.toml: \[\[distribution\]\] #1: a distribution needs a numeric variable but '{var}' is {kind} .*"
        rf"use a \[\[topline\]\] item with var = '{var}'",
    ):
        build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1)
    assert not (tmp_path / "out").exists()


def test_report_draws_distributions_and_weight_diagnostics(tmp_path):
    _data(tmp_path)
    (tmp_path / "r.toml").write_text(
        HEAD + '[[distribution]]\nvar = "AGE"\nby = ["F_SEX"]\nbins = 8\n'
        "[weighting]\nrake = { F_SEX = { Male = 0.5, Female = 0.5 } }\n"
    )
    res = build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1)
    assert res.failures == ()
    for f in (
        "figures/distribution_AGE_hist.png",
        "figures/distribution_AGE_box.svg",
        "figures/weights_distribution.png",
        "figures/weighting_margins_chart.png",
        "tables/distribution_AGE_hist.csv",
        "tables/distribution_AGE_box.csv",
    ):
        assert f in res.files
    raked = pw.read(tmp_path / "s.csv", weights="weight").rake({"F_SEX": {"Male": 0.5, "Female": 0.5}})
    want = raked.hist("AGE", by="F_SEX", bins=8).to_frame()
    got = pd.read_csv(tmp_path / "out" / "tables" / "data" / "distribution_AGE_hist.csv")
    np.testing.assert_allclose(got["estimate"], want["estimate"], rtol=1e-12)
    np.testing.assert_allclose(got["density"], want["density"], rtol=1e-12)
    box = pd.read_csv(tmp_path / "out" / "tables" / "data" / "distribution_AGE_box_box.csv")
    np.testing.assert_allclose(box["median"], raked.boxplot("AGE", by="F_SEX").box()["median"])
    margins = pd.read_csv(tmp_path / "out" / "tables" / "data" / "weighting_margins.csv")
    assert {"before", "unweighted"} <= set(margins.columns)
    page = (tmp_path / "out" / "index.html").read_text()
    assert "Achieved vs target margins: target, unweighted, before and after weighting" in page
    assert "Histogram of AGE by F_SEX" in page and "Box plot of AGE by F_SEX" in page


def test_distribution_tables_head_their_groups_by_name(tmp_path):
    _data(tmp_path)
    spec = HEAD + '[labels.F_SEX]\nname = "Sex"\n[[distribution]]\nvar = "AGE"\nby = ["F_SEX"]\nbins = 4\n'
    (tmp_path / "r.toml").write_text(spec)
    build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1)
    hist = pd.read_csv(tmp_path / "out" / "tables" / "distribution_AGE_hist.csv")
    box = pd.read_csv(tmp_path / "out" / "tables" / "distribution_AGE_box.csv")
    assert list(hist.columns) == ["Sex", "Bin", "%", "Density", "Unweighted N"]
    assert box.columns[0] == "Sex" and sorted(box["Sex"]) == ["Female", "Male"]
    # two groups with one short name keep their column names (a table cannot have two "Group" columns)
    frame = pd.read_csv(tmp_path / "s.csv")
    frame["F_OTHER"] = frame["F_SEX"]
    frame.to_csv(tmp_path / "s.csv", index=False)
    twice = HEAD + '[labels.F_SEX]\nname = "Group"\n[labels.F_OTHER]\nname = "Group"\n'
    (tmp_path / "r.toml").write_text(
        twice + '[[distribution]]\nvar = "AGE"\nby = ["F_SEX", "F_OTHER"]\nchart = "box"\n'
    )
    build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out2", jobs=1)
    box = pd.read_csv(tmp_path / "out2" / "tables" / "distribution_AGE_box.csv")
    assert list(box.columns)[:2] == ["F_SEX", "F_OTHER"]
