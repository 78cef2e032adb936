"""Named universes (#12): svy.subset(cond, name=...) in table notes, figure source lines and to_frame().attrs,
and empty subsets that say which values exist."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.design.domain import combine_universe
from pewlike.errors import EstimationError
from pewlike.plots import dot_plot, likert, source_line


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def test_subset_by_code_equals_subset_by_label(demo):
    by_code = demo.subset("CONCERNCO in [1, 2]")
    by_label = demo.subset("CONCERNCO in ['Very concerned', 'Somewhat concerned']")
    assert (
        by_code.n == by_label.n == int(demo.data["CONCERNCO_W49"].isin(["Very concerned", "Somewhat concerned"]).sum())
    )
    pd.testing.assert_frame_equal(by_code.proportion("F_SEX").to_frame(), by_label.proportion("F_SEX").to_frame())


def test_named_subset_flows_into_notes_and_frames(demo):
    women = demo.subset("F_SEX == 'Female'", name="Women")
    assert women.universe == "Women" and demo.universe is None
    t = women.topline("CONCERNCO")
    assert t.universe() == f"Among women, n = {women.n:,}"
    assert t.notes()[0].startswith(f"Among women, n = {women.n:,}. Percentages of those who answered")
    assert t.to_frame().attrs == {"universe": "Women"}
    assert demo.topline("CONCERNCO").to_frame().attrs == {}
    assert demo.topline("CONCERNCO").universe() == "Asked of all respondents"
    ct = women.crosstab("CONCERNCO", "F_AGECAT")
    assert (
        ct.notes()[0]
        == f"Column percentages of those who answered (Refused and Don't know excluded); among women, n = {women.n:,}."
    )
    assert ct.to_frame().attrs["universe"] == "Women"
    for est in (women.mean("QKEY"), women.proportion("F_AGECAT"), women.total("QKEY")):
        assert est.to_frame().attrs["universe"] == "Women"
    # the estimates are those of the unnamed subset
    plain = demo.subset("F_SEX == 'Female'")
    named = women.proportion("CONCERNCO").to_frame()
    named.attrs = {}
    pd.testing.assert_frame_equal(plain.proportion("CONCERNCO").to_frame(), named)


def test_a_question_asked_of_part_of_a_named_universe(demo):
    voters = demo.subset("F_AGECAT != '18-29'", name="Adults 30 and older")
    t = voters.topline("TRACKCO1a")
    assert t.asked < t.total  # the demo asks TRACKCO1a of one form only
    # the demo's FORM_W49 explains who was asked: the form is named (#11)
    assert t.universe() == f"Among adults 30 and older, asked of Form 1, n = {t.asked:,}"


def test_names_combine_and_weighting_keeps_them(demo):
    women = demo.subset("F_SEX == 'Female'", name="Women")
    assert women.subset("F_AGECAT == '65+'", name="Ages 65+").universe == "Women: Ages 65+"
    assert women.subset("F_AGECAT == '65+'").universe == "Women: F_AGECAT == '65+'"
    mask = np.asarray(women.data["F_AGECAT"] == "65+")
    assert women.subset(mask).universe == "Women (subset)"
    assert demo.subset("F_SEX == 'Female'").universe is None
    assert women.to_replicate("JK1").universe == "Women"
    reweighted = women.with_weights(np.full(len(demo._data), 2.0))
    assert reweighted.universe == "Women"
    assert combine_universe(None, "  Registered voters ", "x == 1") == "Registered voters"
    with pytest.raises(EstimationError, match=r"name='' is not valid"):
        demo.subset("F_SEX == 'Female'", name="")
    with pytest.raises(EstimationError, match=r"one-line"):
        demo.subset("F_SEX == 'Female'", name="a\nb")


def test_lower_first_keeps_acronyms(demo):
    us = demo.subset("F_SEX == 'Female'", name="US women")
    assert us.topline("CONCERNCO").universe().startswith("Among US women, n = ")


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("U.S. women", "Among U.S. women"),
        ("Republicans and leaners", "Among Republicans and leaners"),
        ("Hispanic women", "Among Hispanic women"),
        ("McDonald's customers", "Among McDonald's customers"),
        ("Women ages 50 and older", "Among women ages 50 and older"),
        ("Registered voters", "Among registered voters"),
    ],
)
def test_proper_nouns_keep_their_capital_inside_a_sentence(demo, name, said):
    named = demo.subset("F_SEX == 'Female'", name=name)
    assert named.topline("CONCERNCO").universe().startswith(f"{said}, n = ")
    assert source_line("W49.sav", universe=name) == f"Source: W49.sav, weighted; a{said[1:]}."


def test_figure_source_lines_name_the_universe(demo):
    women = demo.subset("F_SEX == 'Female'", name="Women")
    assert source_line("W49.sav", synthetic=True, universe="Women") == (
        "Source: W49.sav, weighted; among women; synthetic demo data."
    )
    fig = likert(women.topline("CONCERNCO"), source="W49.sav")
    assert any(t.startswith("Source: W49.sav, weighted; among women. ") for t in _texts(fig))
    fig = dot_plot(women.crosstab("CONCERNCO", "F_AGECAT"), level="Very concerned", source="W49.sav")
    assert any(t.startswith("Source: W49.sav, weighted; among women. ") for t in _texts(fig))
    fig = dot_plot(demo.topline("CONCERNCO"), level="Very concerned", source="W49.sav")
    assert any(t.startswith("Source: W49.sav, weighted. ") for t in _texts(fig))


def test_empty_subset_names_the_values_that_exist(demo):
    with pytest.raises(EstimationError) as info:
        demo.subset("CONCERNCO == 1 and CONCERNCO == 2")
    msg = str(info.value)
    assert msg.startswith("the subset is empty: no respondent matches 'CONCERNCO == 1 and CONCERNCO == 2'")
    assert "CONCERNCO_W49 has 1 'Very concerned', 2 'Somewhat concerned', 3 'Not too concerned'" in msg
    assert "99 'Refused'" in msg and "\n" not in msg
    df = pd.DataFrame({"AGE": [20.0, 35.0, 70.0], "g": pd.Categorical(["a", "b", "a"]), "w": 1.0})
    small = pw.Survey(df, weights="w")
    with pytest.raises(EstimationError, match=r"AGE has values from 20 to 70; g has categories 'a', 'b'"):
        small.subset("AGE > 100 and g == 'a'")
    with pytest.raises(
        EstimationError, match=r"^the subset is empty: no respondent matches in the current domain; check"
    ):
        small.subset(np.zeros(3, dtype=bool))


def test_partitioned_named_subset_matches_in_memory():
    dd = pytest.importorskip("dask.dataframe")
    rng = np.random.default_rng(3)
    n = 300
    df = pd.DataFrame(
        {
            "Q": pd.Categorical(rng.choice(["Yes", "No", "Refused"], n), categories=["Yes", "No", "Refused"]),
            "g": pd.Categorical(rng.choice(["a", "b"], n)),
            "w": rng.uniform(0.5, 2, n),
        }
    )
    mem = pw.Survey(df, weights="w").subset("g == 'a'", name="Group A")
    dsk = pw.Survey(dd.from_pandas(df, npartitions=3), weights="w", progress=False).subset("g == 'a'", name="Group A")
    assert dsk.universe == "Group A"
    tm, td = mem.topline("Q"), dsk.topline("Q")
    assert tm.universe() == td.universe() == f"Among group A, n = {mem.n}"
    assert td.to_frame().attrs["universe"] == "Group A"
    assert dsk.proportion("Q").to_frame().attrs["universe"] == "Group A"
    np.testing.assert_allclose(td.to_frame()["estimate"].to_numpy(), tm.to_frame()["estimate"].to_numpy(), rtol=1e-10)
    assert dsk.collect().universe == "Group A"
    assert dsk.subset("Q == 'Yes'", name="Yes").universe == "Group A: Yes"
    with pytest.raises(EstimationError, match=r"the subset is empty.*g has categories 'a', 'b'"):
        pw.Survey(dd.from_pandas(df, npartitions=3), weights="w", progress=False).subset("g == 'a' and g == 'b'")
