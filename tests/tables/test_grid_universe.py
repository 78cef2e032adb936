"""A grid built on a named subset carries the universe name (issue #14 after #12)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

ITEMS = ["CONCERNCO", "CONCERNGOV", "CONCERNLE"]


@pytest.mark.parametrize(
    ("cond", "name"), [("F_SEX == 'Female'", "Women"), ("F_AGECAT in [1, 2]", "US adults under 50")]
)
def test_grid_on_a_named_subset_names_it(demo, cond, name):
    sub = demo.subset(cond, name=name)
    g = sub.grid(ITEMS, compare=("CONCERNCO", "CONCERNGOV"))
    f = g.to_frame()
    assert f.attrs["universe"] == name
    lead = name if name[1].isupper() else name[0].lower() + name[1:]
    notes = g.table().notes
    assert notes[0] == f"Among {lead}: percentages of those who answered each item (Refused excluded)."
    assert notes[1].startswith("Unweighted N = ")
    assert any("same respondents" in x for x in notes)  # the comparison note is kept
    assert all(t.universe_name == name for t in g.toplines)
    assert f"Among {lead}" in g.summary()
    # the numbers are those of the subset, not of everyone
    top = sub.topline("CONCERNCO")
    want = top.to_frame().query("kind == 'response'")["estimate"].to_numpy()
    got = f[(f["variable"] == g.items[0]) & (f["kind"] == "response")]["estimate"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_grid_figure_source_names_the_universe(demo):
    from pewlike.plots import grid_plot

    fig = grid_plot(demo.subset("F_SEX == 'Male'", name="Men").grid(ITEMS[:2]), source="W49.sav")
    texts = [t.get_text() for t in fig.texts]
    assert any("among men" in t for t in texts)


def test_grid_without_a_name_says_no_universe(demo):
    g = demo.subset("F_SEX == 'Male'").grid(ITEMS)
    assert "universe" not in g.to_frame().attrs
    assert g.universe_name is None
    assert g.table().notes[0] == "Percentages of those who answered each item (Refused excluded)."
    assert isinstance(g.to_frame(), pd.DataFrame)
