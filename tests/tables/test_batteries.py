"""Select-all batteries and item grids: recognition, bases, sorting, bad input, tables, figures (#14)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import EstimationError, VariableError
from pewlike.estimation.indicators import short_labels, trim_common_suffix
from pewlike.io.codebook import Codebook

SEL = ["Selected", "Not selected", "Refused"]


def _battery(seed: int, n: int = 300, k: int = 4, *, none: bool = True, not_asked: float = 0.0) -> pw.Survey:
    """A seeded battery: k items (+ None of these), optional share not asked (NaN), a group."""
    rng = np.random.default_rng(seed)
    act = rng.standard_normal(n)
    data: dict[str, object] = {}
    labels = {}
    chosen = []
    for j in range(k):
        p = 1 / (1 + np.exp(-(0.5 - 0.6 * j + act)))
        x = rng.random(n) < p
        chosen.append(x)
        data[f"Q7{'abcdefgh'[j]}"] = np.where(x, "Selected", "Not selected")
        labels[f"Q7{'abcdefgh'[j]}"] = f"Q7. Which of these do you own? Item number {j + 1}"
    if none:
        data["Q7z"] = np.where(np.column_stack(chosen).any(axis=1), "Not selected", "Selected")
        labels["Q7z"] = "Q7. Which of these do you own? None of these"
    frame = pd.DataFrame(data)
    skip = rng.random(n) < not_asked
    for c in list(frame.columns):
        frame[c] = pd.Categorical(frame[c].where(~skip), categories=SEL)
    frame["grp"] = pd.Categorical(rng.choice(["North", "South"], n))
    frame["w"] = rng.gamma(3.0, 1.0, n)
    return pw.Survey(frame, weights="w", codebook=Codebook.from_frame(frame, labels=labels))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batteries_are_recognised_from_stem_and_labels(seed):
    svy = _battery(seed, k=3 + seed)
    items = [f"Q7{c}" for c in "abcdefgh"[: 3 + seed]] + ["Q7z"]
    assert svy.batteries() == [items]
    assert pw.demo().batteries() == [[f"PP5{c}_W49" for c in "abcdefg"]]


@pytest.mark.parametrize("seed", [4, 5])
def test_shares_equal_weighted_means_and_net_any_and_count(seed):
    svy = _battery(seed)
    sa = svy.select_all(svy.batteries()[0])
    f = sa.to_frame()
    d, w = svy.data, svy.weights.to_numpy()
    for item in ["Q7a", "Q7b", "Q7c", "Q7d", "Q7z"]:
        share = np.average(d[item].astype(str) == "Selected", weights=w)
        assert float(f.loc[f["item"] == item, "estimate"].iloc[0]) == pytest.approx(share, rel=1e-12)
    X = np.column_stack([d[c].astype(str) == "Selected" for c in ["Q7a", "Q7b", "Q7c", "Q7d"]])
    assert float(f.loc[f["kind"] == "net", "estimate"].iloc[0]) == pytest.approx(np.average(X.any(axis=1), weights=w))
    # None of these is the complement of NET Any when it is built that way
    assert float(f.loc[f["kind"] == "none", "estimate"].iloc[0]) == pytest.approx(
        1 - float(f.loc[f["kind"] == "net", "estimate"].iloc[0])
    )
    assert float(sa.count["estimate"].iloc[0]) == pytest.approx(np.average(X.sum(axis=1), weights=w))
    dist = sa.count_distribution
    assert list(dist["level"].astype(str)) == ["0", "1", "2", "3", "4"]
    assert float(dist["estimate"].sum()) == pytest.approx(1.0)
    assert list(f.columns[:8]) == ["variable", "level", "estimate", "std_error", "ci_lower", "ci_upper", "deff", "n"]
    assert set(f["variable"]) == {"Q7"}
    assert list(f["level"])[:2] == ["Item number 1", "Item number 2"]


def test_sort_by_share_puts_the_largest_first_and_nets_last():
    svy = _battery(6)
    f = svy.select_all(svy.batteries()[0], sort="share", name="Owned").to_frame()
    items = f[f["kind"] == "item"]["estimate"].to_numpy()
    assert (np.diff(items) <= 0).all()
    assert list(f["kind"])[-2:] == ["net", "none"]
    assert set(f["variable"]) == {"Owned"}


def test_partial_asking_states_the_base_and_base_all_counts_everyone():
    svy = _battery(7, not_asked=0.25)
    items = svy.batteries()[0]
    asked = svy.select_all(items)
    assert asked.n == asked.asked < asked.total == 300
    assert any("outside the base" in note for note in asked.notes())
    assert "Asked of" in asked.notes()[0]
    every = svy.select_all(items, base="all")
    assert every.n == 300
    assert any("count as not selecting" in note for note in every.notes())
    ratio = every.to_frame()["estimate"].to_numpy()[:4] / asked.to_frame()["estimate"].to_numpy()[:4]
    w = svy.weights.to_numpy()
    share_asked = w[svy.data["Q7a"].notna().to_numpy()].sum() / w.sum()
    np.testing.assert_allclose(ratio, share_asked, rtol=1e-12)


def test_by_gives_letters_and_a_table_with_group_columns():
    svy = _battery(8, n=800)
    sa = svy.select_all(svy.batteries()[0], by="grp")
    f = sa.to_frame()
    assert list(f.columns[:3]) == ["variable", "level", "grp"] and "letters" in f
    assert set(f["letters"]) <= {"", "A", "B"}
    doc = sa.table()
    assert list(doc.frame.columns) == ["Item", "North (A)", "South (B)"]
    assert "NET Any" in list(doc.frame["Item"])
    assert "significantly higher" in " ".join(doc.notes)


def test_table_and_summary_of_the_demo_battery():
    svy = pw.demo()
    sa = svy.select_all(svy.batteries()[0], sort="share")
    doc = sa.table()
    assert list(doc.frame.columns) == ["Item", "%"]
    assert doc.frame["Item"].iloc[-2:].tolist() == ["NET Any", "None of these"]
    assert doc.title.startswith("In the past 12 months")
    assert "Mean number of items selected" in sa.summary()
    assert "<table" in sa._repr_html_()


@pytest.mark.parametrize(
    ("names", "battery"),
    [
        (["SMUSE_a_W80", "SMUSE_b_W80", "SMUSE_c_W80", "SMUSE_none_W80"], True),  # ATP's underscore items
        (["Q5_1", "Q5_2", "Q5_3", "Q5_10"], True),  # numbered items (Qualtrics, many panels)
        (["PP5a", "PP5b"], True),
        (["SMUSE_a", "OTHER_b"], False),  # different stems
        (["Q5_1234", "Q5_1235"], False),  # a long number is a code, not an item mark
        (["Q5_abc", "Q5_abd"], False),  # three letters are a word, not an item mark
    ],
)
def test_battery_item_names_with_underscores(names, battery):
    rng = np.random.default_rng(len("".join(names)))
    frame = pd.DataFrame({c: pd.Categorical(rng.choice(SEL[:2], 80), categories=SEL) for c in names})
    frame["w"] = rng.uniform(0.5, 2.0, 80)
    svy = pw.Survey(frame, weights="w", codebook=Codebook.from_frame(frame))
    assert svy.batteries() == ([names] if battery else [])
    if battery:  # the shares of a found battery are the items' weighted shares selected
        shares = svy.select_all(names).to_frame().set_index("item")["estimate"]
        want = [np.average(frame[c] == "Selected", weights=frame["w"]) for c in names]
        assert shares.iloc[: len(names)].to_numpy() == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize(
    ("labels", "selected"),
    [
        (("Yes, selected", "No, not selected"), "Yes, selected"),
        (("Ticked", "Not ticked"), "Ticked"),
        (("Picked", "Not picked"), "Picked"),
        (("Yes - mentioned", "No"), "Yes - mentioned"),
    ],
)
def test_selected_answers_followed_by_punctuation_make_a_battery(tmp_path, labels, selected):
    """ "Yes, selected" / "No, not selected" (a comma after the word) is a select-all battery, read from a .sav."""
    import pyreadstat

    from pewlike.estimation.indicators import selected_label

    assert selected_label(list(reversed(labels))) == selected
    assert selected_label(["Yesterday", "Today"]) is None and selected_label(["Unselected", "Other"]) is None
    rng = np.random.default_rng(len(selected))
    n = 300
    frame = pd.DataFrame({f"SMUSE_{c}_W104": rng.choice([1.0, 2.0, 99.0], n, p=[0.4, 0.57, 0.03]) for c in "abc"})
    frame["WEIGHT_W104"] = rng.gamma(3.0, 0.3, n)
    codes = {1.0: labels[0], 2.0: labels[1], 99.0: "Refused"}
    pyreadstat.write_sav(
        frame,
        str(tmp_path / "w.sav"),
        variable_value_labels={f"SMUSE_{c}_W104": codes for c in "abc"},
        missing_ranges={f"SMUSE_{c}_W104": [99.0] for c in "abc"},
    )
    svy = pw.read(tmp_path / "w.sav", weights="WEIGHT_W104")
    names = [f"SMUSE_{c}_W104" for c in "abc"]
    assert svy.batteries() == [names]
    asked = (frame[names] != 99.0).any(axis=1).to_numpy()
    w = frame["WEIGHT_W104"].to_numpy()[asked]
    shares = svy.select_all(names).to_frame().set_index("item")["estimate"]
    want = [np.average(frame[c].to_numpy()[asked] == 1.0, weights=w) for c in names]
    assert shares.loc[names].to_numpy() == pytest.approx(want, rel=1e-12)


def test_items_labelled_selected_alone_make_a_battery(tmp_path):
    """Items coded 1 = "Selected" and left blank otherwise (as some survey software exports them)."""
    import pyreadstat

    from pewlike.report.starter import file_starter

    rng = np.random.default_rng(41)
    n = 500
    names = [f"Q5_{c}" for c in "abcd"]
    frame = pd.DataFrame({c: np.where(rng.random(n) < p, 1.0, np.nan) for c, p in zip(names, [0.5, 0.3, 0.2, 0.1])})
    frame["WEIGHT_W9"] = rng.gamma(3.0, 0.3, n)
    pyreadstat.write_sav(
        frame,
        str(tmp_path / "w.sav"),
        variable_value_labels={c: {1.0: "Selected"} for c in names},
        column_labels={c: f"Which of these apply? Item {c[-1]}" for c in names},
    )
    svy = pw.read(tmp_path / "w.sav")
    assert svy.batteries() == [names]
    w = frame["WEIGHT_W9"].to_numpy()
    picked = frame[names].notna().to_numpy()
    anyone = picked.any(axis=1)
    asked = svy.select_all(names)
    shares = asked.to_frame().set_index("item")["estimate"]
    assert shares.loc[names].to_numpy() == pytest.approx(
        np.average(picked[anyone], axis=0, weights=w[anyone]), rel=1e-12
    )
    assert any("coded 'Selected' or left blank" in note for note in asked.notes())
    everyone = svy.select_all(names, base="all").to_frame().set_index("item")["estimate"]
    assert everyone.loc[names].to_numpy() == pytest.approx(np.average(picked, axis=0, weights=w), rel=1e-12)
    made = file_starter(str(tmp_path / "w.sav"), spec_path=str(tmp_path / "r.toml"))  # a file with only the battery
    assert '[[select_all]]\nitems = ["Q5_a", "Q5_b", "Q5_c", "Q5_d"]' in made.text


@pytest.mark.parametrize("unselected", [np.nan, 0.0])
def test_items_labelled_with_their_option_make_a_battery(tmp_path, unselected):
    """Qualtrics' export: Q5_1 coded 1 = "Facebook", Q5_2 1 = "Instagram" ..., blank (or 0) when not selected."""
    import pyreadstat

    from pewlike.report.starter import file_starter

    rng = np.random.default_rng(43)
    n = 600
    options = ["Facebook", "Instagram", "TikTok", "None of these"]
    names = [f"Q5_{k}" for k in range(1, 5)]
    picked = rng.random((n, 3)) < [0.6, 0.4, 0.2]
    picked = np.column_stack([picked, ~picked.any(axis=1)])
    frame = pd.DataFrame({c: np.where(picked[:, k], 1.0, unselected) for k, c in enumerate(names)})
    frame["Q6_1"] = rng.choice([1.0, 2.0], n)  # a lone item with its own labels: not a battery
    frame["weight"] = rng.gamma(3.0, 0.3, n)
    pyreadstat.write_sav(
        frame,
        str(tmp_path / "qx.sav"),
        variable_value_labels={c: {1.0: o} for c, o in zip(names, options)} | {"Q6_1": {1.0: "Yes", 2.0: "No"}},
        column_labels={c: f"Which of these do you use? - Selected Choice - {o}" for c, o in zip(names, options)},
    )
    svy = pw.read(tmp_path / "qx.sav")
    assert svy.batteries() == [names]
    res = svy.select_all(names)
    assert res.to_frame()["item"].tolist()[:3] == names[:3]
    assert str(res).splitlines()[0] == "Select-all battery Q5: Which of these do you use?"
    w = frame["weight"].to_numpy()
    base = picked.any(axis=1) if np.isnan(unselected) else np.ones(n, dtype=bool)  # here everyone picked one
    shares = res.to_frame().set_index("item")["estimate"]
    assert shares.loc[names].to_numpy() == pytest.approx(np.average(picked[base], axis=0, weights=w[base]), rel=1e-12)
    net = res.to_frame().set_index("level")["estimate"]["NET Any"]
    assert net == pytest.approx(np.average(picked[:, :3].any(axis=1), weights=w), rel=1e-12)
    table = str(res)
    assert all(f"\n{o} " in table for o in options)
    blank_note = any("coded with their option's name or left blank" in note for note in res.notes())
    assert blank_note == bool(np.isnan(unselected))
    made = file_starter(str(tmp_path / "qx.sav"), spec_path=str(tmp_path / "r.toml"))
    assert '[[select_all]]\nitems = ["Q5_1", "Q5_2", "Q5_3", "Q5_4"]' in made.text


def test_items_labelled_with_one_option_twice_are_not_a_battery():
    frame = pd.DataFrame({"Q5_1": pd.Categorical(["Facebook", None]), "Q5_2": pd.Categorical(["Facebook", "Facebook"])})
    assert pw.Survey(frame).batteries() == []
    frame["Q5_2"] = pd.Categorical(["Instagram", None])
    assert pw.Survey(frame).batteries() == [["Q5_1", "Q5_2"]]


def test_items_from_different_label_sets_are_named():
    svy = pw.demo()
    with pytest.raises(VariableError, match=r"not one battery: PP5a_W49 .* but CONCERNCO_W49"):
        svy.select_all(["PP5a", "CONCERNCO"])


def test_items_without_a_selected_answer_are_refused():
    with pytest.raises(VariableError, match=r"no 'selected' answer .*svy.grid"):
        pw.demo().select_all(["CONCERNCO", "CONCERNGOV"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"base": "valid"}, "base='valid' is not valid"), ({"sort": "size"}, "sort='size'"), ({"alpha": 2}, "alpha=2")],
)
def test_bad_options_are_one_line_errors(kwargs, match):
    svy = pw.demo()
    with pytest.raises(EstimationError, match=match):
        svy.select_all(svy.batteries()[0], **kwargs)


def test_bad_item_lists():
    svy = pw.demo()
    with pytest.raises(EstimationError, match="list of item columns"):
        svy.select_all("PP5a")
    with pytest.raises(EstimationError, match="given twice"):
        svy.select_all(["PP5a", "PP5a_W49"])


def test_grid_table_rows_are_items_and_columns_answers_and_nets():
    svy = pw.demo()
    g = svy.grid(["CONCERNCO", "CONCERNGOV", "CONCERNLE"])
    doc = g.table()
    assert doc.frame.columns[0] == "Item" and len(doc.frame) == 3
    assert list(doc.frame.columns[1:5]) == [
        "Very concerned",
        "Somewhat concerned",
        "Not too concerned",
        "Not at all concerned",
    ]
    assert any(c.startswith("NET") for c in doc.frame.columns)
    f = g.to_frame()
    for item in g.items:
        top = svy.topline(item, nets="auto").to_frame()
        np.testing.assert_allclose(f.loc[f["variable"] == item, "estimate"].to_numpy(), top["estimate"].to_numpy())
    assert g.comparison().empty


def test_grid_compare_is_a_paired_difference_and_bad_input_is_refused():
    svy = pw.demo()
    g = svy.grid(["CONCERNCO", "CONCERNGOV"], compare=("CONCERNCO", "CONCERNGOV"))
    c = g.comparison()
    np.testing.assert_allclose(c["difference"], c["estimate_a"] - c["estimate_b"], atol=1e-12)
    assert (c["std_error"] > 0).all() and "same respondents" in g.table().notes[-1]
    with pytest.raises(VariableError, match="do not share one scale: CONCERNCO_W49"):
        svy.grid(["CONCERNCO", "CONTROLCO"])
    with pytest.raises(EstimationError, match="two different items of the grid"):
        svy.grid(["CONCERNCO", "CONCERNGOV"], compare=("CONCERNCO", "CONCERNLE"))
    with pytest.raises(EstimationError, match="two or more items"):
        svy.grid(["CONCERNCO"])


def test_short_labels_and_suffix_trimming():
    stem, labels = short_labels(["Q1. Do you: Own a car", "Q1. Do you: Own a bike"], ["a", "b"])
    assert (stem, labels) == ("Q1. Do you: Own a", ["car", "bike"])
    assert short_labels([None, None], ["x1", "x2"]) == ("", ["x1", "x2"])
    # no separator: a shared start of three words or more is a stem, of one or two words not
    assert short_labels(["How much do you trust A", "How much, if at all, B"], ["a", "b"])[0] == ""
    assert short_labels(["Trust in banks", "Trust in shops"], ["a", "b"])[0] == ""
    assert short_labels(["Trust in the banks", "Trust in the shops"], ["a", "b"]) == (
        "Trust in the",
        ["banks", "shops"],
    )
    assert trim_common_suffix(["a b about you?", "c about you?"]) == ["A b", "C"]


def test_figures_draw_the_estimates_and_are_reproducible():
    from pewlike.plots import grid_plot, select_all_plot
    from pewlike.plots.theme import figure_bytes

    svy = pw.demo()
    sa = svy.select_all(svy.batteries()[0])
    fig = select_all_plot(sa, synthetic=True)
    bars = {p.get_gid(): p.get_width() for p in fig.axes[0].patches}
    f = sa.to_frame()
    for level, est in zip(f["level"], f["estimate"]):
        assert bars[level] == pytest.approx(100 * est)
    widths = [p.get_width() for p in fig.axes[0].patches if p.get_gid() not in ("NET Any", "None of these")]
    assert widths == sorted(widths, reverse=True)
    assert figure_bytes(fig, "svg") == figure_bytes(select_all_plot(sa, synthetic=True), "svg")
    with pytest.raises(EstimationError, match="without by="):
        select_all_plot(svy.select_all(svy.batteries()[0], by="F_SEX"))
    g = svy.grid(["CONCERNCO", "CONCERNGOV", "CONCERNLE"])
    gf = grid_plot(g)
    labels = [t.get_text() for t in gf.axes[0].get_yticklabels()]
    assert labels[-1] == "What law enforcement knows"
    drawn = {p.get_gid(): p.get_width() for p in gf.axes[0].patches if p.get_gid()}
    very = g.to_frame().query("variable == 'CONCERNCO_W49' and level == 'Very concerned'")["estimate"].iloc[0]
    assert drawn["How companies are using the data they collect|Very concerned"] == pytest.approx(100 * very)


def test_a_named_domain_is_named_in_the_notes():
    svy = pw.demo().subset("F_SEX == 'Female'", name="Women")
    sa = svy.select_all(svy.batteries()[0])
    assert sa.notes()[0].startswith("Among women: asked of")
    assert sa.to_frame().attrs["universe"] == "Women"
    assert sa.total == int((pw.demo().data["F_SEX"] == "Female").sum())


def _sm_wave(names: list[str], seed: int = 11, n: int = 400) -> pw.Survey:
    """Items named as some houses name them: a capital stem and one small item letter (SMa, SMb, ...)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {c: pd.Categorical(rng.choice(SEL[:2], n), categories=SEL) for c in names}
        | {"Age": pd.Categorical(rng.choice(["Young", "Old"], n)), "w": rng.gamma(2.0, 1.0, n)}
    )
    labels = {c: f"SM. Which of these sites do you use? Site {c[-1]}" for c in names}
    return pw.Survey(frame, weights="w", codebook=Codebook.from_frame(frame, labels=labels))


def test_a_capital_stem_with_small_item_letters_is_a_battery():
    svy = _sm_wave(["SMa", "SMb", "SMc", "SMd", "PARTYa"])
    assert svy.batteries() == [["SMa", "SMb", "SMc", "SMd"]]  # PARTYa alone is no battery
    f = svy.select_all(svy.batteries()[0]).to_frame()
    w = svy.weights.to_numpy()
    share = np.average(svy.data["SMc"].astype(str) == "Selected", weights=w)
    assert float(f.loc[f["item"] == "SMc", "estimate"].iloc[0]) == pytest.approx(share, rel=1e-12)
    assert set(f["variable"]) == {"SM"}


@pytest.mark.parametrize(
    ("name", "stem"),
    [("SMa", "SM"), ("SMa_W117", "SM"), ("PP5a", "PP5"), ("CONCERNCO", None), ("Age", None), ("sma", None)],
)
def test_item_stem_of_names_with_and_without_an_item_mark(name, stem):
    from pewlike.estimation.indicators import item_stem

    assert item_stem(name) == stem
