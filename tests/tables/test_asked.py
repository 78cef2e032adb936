"""Who was asked, said out loud (issue #11): split-form questions name their form and n."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.tables.asked import asked_of_forms


def _split(seed: int, forms: list[object], asked_forms: list[object], *, labelled: bool = True) -> pw.Survey:
    rng = np.random.default_rng(seed)
    n = 600
    form = rng.choice(forms, n)
    q = np.where(np.isin(form, asked_forms), rng.choice(["Yes", "No", "Refused"], n, p=[0.5, 0.45, 0.05]), None)
    df = pd.DataFrame(
        {
            "FORM_W7": pd.Categorical(form, categories=forms) if labelled else form,
            "Q": pd.Categorical(q, categories=["Yes", "No", "Refused"]),
            "WEIGHT_W7": rng.uniform(0.3, 3, n),
        }
    )
    return pw.Survey(df, weights="WEIGHT_W7")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_form_is_named_with_its_n(seed):
    svy = _split(seed, ["Form 1", "Form 2"], ["Form 2"])
    t = svy.topline("Q", base="all")
    n2 = int((svy.data["FORM_W7"] == "Form 2").sum())
    assert t.asked == n2
    assert t.universe() == f"Asked of Form 2, n = {n2:,}"
    assert t.notes()[0] == f"Asked of Form 2, n = {n2:,}. Percentages of all who were asked, Refused shown."
    valid = svy.topline("Q")
    assert "Refused and Don't know excluded" in valid.notes()[0]
    x = svy.crosstab("Q", "FORM_W7", min_n=0)
    assert x.notes()[0].endswith(f"asked of Form 2, n = {n2:,}.")


def test_several_forms_and_numeric_codes():
    svy = _split(4, [1, 2, 3], [1, 3], labelled=False)
    t = svy.topline("Q")
    assert t.universe().startswith("Asked of Forms 1 and 3, n = ")


def test_no_form_explains_it_keeps_the_counts():
    svy = _split(5, ["Form 1", "Form 2"], ["Form 1"])
    data = svy.data.copy()
    first = data.index[data["Q"].notna()][0]
    data.loc[first, "Q"] = np.nan  # one Form 1 respondent skipped: the form no longer explains who was asked
    t = pw.Survey(data, weights="WEIGHT_W7").topline("Q")
    assert t.universe() == f"Asked of {t.asked:,} of {t.total:,} respondents"


def test_everyone_asked_or_no_form_column():
    d = pd.DataFrame({"FORM": ["a", "b", "a"], "OTHER": [1, 2, 1]})
    assert asked_of_forms(d, np.array([True, True, True]), np.ones(3, bool)) is None
    assert asked_of_forms(d[["OTHER"]], np.array([True, False, True]), np.ones(3, bool)) is None
    assert asked_of_forms(d, np.array([True, False, True]), np.ones(3, bool)) == "Form a"
    # within a domain: only the domain's rows count
    assert asked_of_forms(d, np.array([True, False, False]), np.array([True, True, False])) == "Form a"


def test_demo_split_form_item(demo):
    t = demo.topline("TRACKCO1a")
    n1 = int((demo.data["FORM_W49"].astype(str) == "Form 1").sum())
    assert t.universe() == f"Asked of Form 1, n = {n1:,}"


@pytest.mark.parametrize(
    ("seed", "forms", "asked_forms", "labelled", "sub"),
    [
        (11, ["Form 1", "Form 2"], ["Form 1"], True, None),
        (12, [1, 2, 3], [1, 3], False, None),
        (13, ["Form 1", "Form 2", "Form 3"], ["Form 2"], True, "WEIGHT_W7 > 1"),
        (14, ["Form 1", "Form 2"], ["Form 1", "Form 2"], True, None),
    ],
)
def test_partitioned_names_the_form_as_in_memory(seed, forms, asked_forms, labelled, sub):
    dd = pytest.importorskip("dask.dataframe")
    dask = pytest.importorskip("dask")
    mem = _split(seed, forms, asked_forms, labelled=labelled)
    dsk = pw.Survey(dd.from_pandas(mem.data, npartitions=3), weights="WEIGHT_W7")
    if sub:
        mem, dsk = mem.subset(sub), dsk.subset(sub)
    with dask.config.set(scheduler="synchronous"):
        for base in ("valid", "all"):
            m, d = mem.topline("Q", base=base), dsk.topline("Q", base=base)
            assert d.asked_of == m.asked_of and d.universe() == m.universe() and d.notes() == m.notes()
    want = {1: "Form 1", 2: None, 3: None, 4: None}
    if seed == 12:
        assert m.universe().startswith("Asked of Forms 1 and 3, n = ")
    elif seed == 13:
        assert m.asked_of == "Form 2"
    else:
        assert m.asked_of == want[seed - 10]


def test_partitioned_form_with_a_skipped_respondent_is_not_named():
    dd = pytest.importorskip("dask.dataframe")
    dask = pytest.importorskip("dask")
    data = _split(15, ["Form 1", "Form 2"], ["Form 1"]).data.copy()
    data.loc[data.index[data["Q"].notna()][0], "Q"] = np.nan
    mem = pw.Survey(data, weights="WEIGHT_W7")
    dsk = pw.Survey(dd.from_pandas(data, npartitions=4), weights="WEIGHT_W7")
    with dask.config.set(scheduler="synchronous"):
        d = dsk.topline("Q")
    assert d.asked_of is None and d.universe() == mem.topline("Q").universe()
    assert d.universe() == f"Asked of {d.asked:,} of {d.total:,} respondents"


def _two_forms(seed: int) -> pw.Survey:
    """One question worded two ways, each asked of one form (a split-form wording test)."""
    rng = np.random.default_rng(seed)
    n = 500
    form = rng.choice(["Form 1", "Form 2"], n)
    answers = ["A lot", "Some", "Not much", "Refused"]

    def asked(of: str | None) -> pd.Categorical:
        values = rng.choice(answers, n)
        return pd.Categorical(values if of is None else np.where(form == of, values, None), categories=answers)

    df = pd.DataFrame(
        {
            "FORM_W7": pd.Categorical(form, categories=["Form 1", "Form 2"]),
            "Q_F1": asked("Form 1"),
            "Q_F2": asked("Form 2"),
            "COURTS_F1": asked("Form 1"),
            "BANK": asked(None),
            "SHOP": asked(None),
            "WEIGHT_W7": rng.uniform(0.3, 3, n),
        }
    )
    labels = {
        "Q_F1": "How much do you trust the federal government?",
        "Q_F2": "How much, if at all, do you trust the government?",
        "COURTS_F1": "How much do you trust the federal courts?",
        "BANK": "How much do you trust your bank?",
        "SHOP": "How much do you trust online shops?",
    }
    svy = pw.Survey(df, weights="WEIGHT_W7")
    for col, text in labels.items():
        svy = svy.relabel(col, label=text)
    return svy


def test_a_grid_of_two_forms_says_who_was_asked_each_item():
    svy = _two_forms(21)
    n1, n2 = (int((svy.data["FORM_W7"] == f).sum()) for f in ("Form 1", "Form 2"))
    g = svy.grid(["Q_F1", "Q_F2"])
    # "How much" is not a stem: each row keeps its whole wording, the title names the items
    assert g.question == ""
    assert list(g.labels) == [
        "How much do you trust the federal government?",
        "How much, if at all, do you trust the government?",
    ]
    assert g.table().title == "Q_F1, Q_F2"
    assert g.notes()[1] == (
        'Items asked of different respondents: "How much do you trust the federal government?" asked of Form 1, '
        f'n = {n1:,}; "How much, if at all, do you trust the government?" asked of Form 2, n = {n2:,}.'
    )
    assert "Items asked of different respondents" in g.table().markdown()
    # one form for both items: said once, as a topline says it
    same = svy.grid(["Q_F1", "COURTS_F1"])
    assert same.question == "How much do you trust the federal"
    assert list(same.labels) == ["government?", "courts?"]
    assert same.notes()[1] == f"Asked of Form 1, n = {n1:,}."
    # everyone asked: the notes are the base and the N only
    everyone = svy.grid(["BANK", "SHOP"])
    assert everyone.question == "How much do you trust"
    assert len(everyone.notes()) == 2
    assert everyone.notes()[1].startswith("Unweighted N = ")
