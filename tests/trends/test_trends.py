"""Stacked waves and trends (issue #13) against R survey, and the stacking's bad input.

The waves are written by ``tests/reference/trends/make_waves.py`` (seeded); the reference
values by ``make_trends_reference.R``, which builds the stacked designs itself from the raw
waves (see its header for the R calls).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import DesignError, EstimationError, VariableError, WeightWarning

REF = Path(__file__).resolve().parents[1] / "reference" / "trends"
RTOL = 1e-6
LEVELS = ["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"]
NET = "NET Very/Somewhat concerned"
RECORDS = {r["name"]: r for r in json.loads((REF / "reference_trends.json").read_text(encoding="utf-8"))}


def _wave(frame: pd.DataFrame, wave: str, suffix: str, **design) -> pw.Survey:
    df = frame[frame["WAVE"] == wave].drop(columns="WAVE").reset_index(drop=True)
    df["Q"] = pd.Categorical(df["Q"], categories=[*LEVELS, "Refused"], ordered=True)
    df = df.rename(columns={"Q": f"Q_{suffix}", "W": f"WEIGHT_{suffix}"})
    return pw.Survey(df, weights=f"WEIGHT_{suffix}", **design)


def _waves(name: str) -> dict[str, pw.Survey]:
    if name == "replicate":  # each wave its own replicate design, as the R script builds them
        frame = pd.read_csv(REF / "waves_replicate.csv", dtype={"WAVE": str})
        return {
            "2019": _wave(frame, "2019", "W49", strata="STRATUM", psu="PSU").to_replicate("JKn"),
            "2023": _wave(frame, "2023", "W132", psu="PSU").to_replicate("JK1"),
        }
    if name == "complex":
        frame = pd.read_csv(REF / "waves_complex.csv", dtype={"WAVE": str})
        design = {"strata": "STRATUM", "psu": "PSU", "nest": True}
    else:
        frame = pd.read_csv(REF / "waves_panel.csv", dtype={"WAVE": str})
        design = {}
    return {"2019": _wave(frame, "2019", "W49", **design), "2023": _wave(frame, "2023", "W132", **design)}


def _stack(name: str) -> pw.Survey:
    return pw.stack(_waves(name), id="QKEY" if name == "panel" else None)


def _close(a, b, what):
    np.testing.assert_allclose(float(a), float(b), rtol=RTOL, atol=1e-12, err_msg=what)


@pytest.mark.parametrize("name", ["independent", "panel", "complex", "replicate"])
def test_shares_and_changes_equal_r(name):
    rec = RECORDS[name]
    svy = _stack(name)
    assert svy.degf == int(rec["degf"])
    tr = svy.trend("Q")
    frame = tr.to_frame()
    assert list(frame.columns) == ["variable", "level", "wave", "estimate", "std_error", "ci_lower", "ci_upper", "n"]
    changes = tr.changes()
    assert list(changes.columns) == [
        "variable", "level", "from_wave", "to_wave", "difference", "std_error", "ci_lower", "ci_upper",
        "p_value", "significant",
    ]  # fmt: skip
    for item in rec["overall"]:
        level = NET if item["level"] == "NET" else item["level"]
        for share in item["shares"]:
            row = frame[(frame["level"] == level) & (frame["wave"] == share["key"])].iloc[0]
            for col in ("estimate", "std_error") + (("ci_lower", "ci_upper") if share["ci_lower"] else ()):
                _close(row[col], share[col], f"{name} {level} {share['key']} {col}")
        (ch,) = item["changes"]
        got = changes[(changes["level"] == level)].iloc[0]
        assert (got["from_wave"], got["to_wave"]) == ("2019", "2023")
        for col in ("difference", "std_error", "ci_lower", "ci_upper", "p_value"):
            _close(got[col], ch[col], f"{name} {level} change {col}")
        assert bool(got["significant"]) == (float(ch["p_value"]) < 0.05)


@pytest.mark.parametrize("name", ["independent", "panel", "replicate"])
def test_changes_within_groups_equal_r(name):
    rec = RECORDS[name]
    tr = _stack(name).trend("Q", by="SEX")
    changes = tr.changes()
    assert list(changes.columns[:4]) == ["variable", "level", "SEX", "from_wave"]
    for item in rec["by_sex"]:
        level = NET if item["level"] == "NET" else item["level"]
        for ch in item["changes"]:
            got = changes[(changes["level"] == level) & (changes["SEX"] == ch["group"])].iloc[0]
            for col in ("difference", "std_error", "ci_lower", "ci_upper", "p_value"):
                _close(got[col], ch[col], f"{name} {level} {ch['group']} {col}")


def test_replicate_stack_adds_the_waves_replicate_variances():
    waves = _waves("replicate")
    svy = pw.stack(waves, id=None)
    assert svy.degf == int(RECORDS["replicate"]["degf"])
    assert svy.design.splitlines()[0].startswith("Replicate-weight design")
    frame = svy.trend("Q").to_frame()
    frame = frame[frame["level"].isin(LEVELS)]
    # a replicate of one wave leaves the other wave's shares alone: each wave's SE in the
    # stack is that wave's own replicate SE, centred on the full-sample estimate (mse=True)
    frame_csv = pd.read_csv(REF / "waves_replicate.csv", dtype={"WAVE": str})
    alone = {
        "2019": _wave(frame_csv, "2019", "W49", strata="STRATUM", psu="PSU").to_replicate("JKn", mse=True),
        "2023": _wave(frame_csv, "2023", "W132", psu="PSU").to_replicate("JK1", mse=True),
    }
    for w, sfx in (("2019", "W49"), ("2023", "W132")):
        own = alone[w].proportion(f"Q_{sfx}", na_rm=True).to_frame().set_index("level")
        got = frame[frame["wave"] == w].set_index("level")
        for col in ("estimate", "std_error"):
            np.testing.assert_allclose(got.loc[LEVELS, col], own.loc[LEVELS, col], rtol=1e-10)
    rep = waves["2019"]
    with pytest.raises(DesignError, match=r"wave '2019' has replicate weights but wave '2023' does not; convert it"):
        pw.stack({"2019": rep, "2023": _waves("complex")["2023"]}, id=None)
    ids = frame_csv.assign(RID=np.arange(len(frame_csv)))
    linked = {
        "2019": _wave(ids, "2019", "W49", strata="STRATUM", psu="PSU").to_replicate("JKn"),
        "2023": _wave(ids, "2023", "W132", psu="PSU").to_replicate("JK1"),
    }
    with pytest.raises(DesignError, match=r"id='RID' links panel members, which replicate-weight waves cannot"):
        pw.stack(linked, id="RID")


def test_panel_link_makes_the_change_more_precise():
    ind = _stack("independent").trend("Q").changes().set_index("level")
    pan = _stack("panel").trend("Q").changes().set_index("level")
    np.testing.assert_allclose(pan["difference"], ind["difference"], rtol=1e-12)
    assert (pan["std_error"] < ind["std_error"]).all()  # the same people answered twice


def test_stack_harmonises_names_rescales_weights_and_keeps_wording():
    waves = _waves("independent")
    svy = pw.stack(waves, id=None)
    assert {"Q", "WEIGHT", "WAVE", "WAVE_WEIGHT", "QKEY", "SEX"} <= set(svy.data.columns)
    assert list(svy.data["WAVE"].cat.categories) == ["2019", "2023"]
    means = svy.data.groupby("WAVE", observed=True)["WAVE_WEIGHT"].mean()
    np.testing.assert_allclose(means.to_numpy(), [1.0, 1.0], rtol=1e-12)
    assert svy.n == waves["2019"].n + waves["2023"].n
    assert svy.codebook().set_index("name").loc["Q", "type"] == "ordinal"
    as_is = pw.stack(waves, id=None, weights="as_is")
    np.testing.assert_allclose(as_is.data["WAVE_WEIGHT"].to_numpy(), as_is.data["WEIGHT"].to_numpy())


def test_trend_table_marks_significant_change():
    tr = _stack("panel").trend("Q")
    table = tr.table()
    assert list(table.columns) == ["level", "2019", "2023", "Change 2019-2023"]
    ch = tr.changes().set_index("level")
    for _, row in table.iterrows():
        d = ch.loc[row["level"]]
        assert row["Change 2019-2023"] == f"{100 * d['difference']:+.0f}" + ("*" if d["significant"] else "")
    text = str(tr)
    assert "Trend of Q across waves 2019, 2023" in text and "df = 229" not in text
    assert "<table>" in tr._repr_html_()


def test_crosswalk_rename_and_recode():
    waves = _waves("independent")
    w23 = waves["2023"]
    df = w23.data.rename(columns={"Q_W132": "CONC"}).copy()
    df["CONC"] = df["CONC"].cat.rename_categories({"Very concerned": "Extremely concerned"})
    other = pw.Survey(df, weights="WEIGHT_W132")
    fixed = pw.stack(
        {"2019": waves["2019"], "2023": other},
        id=None,
        rename={"2023": {"CONC": "Q"}},
        recode={"2023": {"Q": {"Extremely concerned": "Very concerned"}}},
    )
    ref = pw.stack(waves, id=None).trend("Q").changes()
    got = fixed.trend("Q").changes()
    np.testing.assert_allclose(got["difference"], ref["difference"], rtol=1e-12)
    with pytest.raises(DesignError, match=r"'Q' has different answers in waves '2019' and '2023'.*recode="):
        pw.stack({"2019": waves["2019"], "2023": other}, id=None, rename={"2023": {"CONC": "Q"}})
    with pytest.raises(DesignError, match=r"recode=\{'2023'.*names 'Extremly'.*its answers are"):
        pw.stack(
            {"2019": waves["2019"], "2023": other},
            id=None,
            rename={"2023": {"CONC": "Q"}},
            recode={"2023": {"Q": {"Extremly": "Very concerned"}}},
        )
    dropped = pw.stack({"2019": waves["2019"], "2023": other}, id=None, rename={"2023": {"CONC": None}})
    with pytest.raises(EstimationError, match=r"wave '2023' has no answers to 'Q' \(was it asked in that wave\?\)"):
        dropped.trend("Q")
    # asked in every wave, but in a subset nobody of one wave answered: said so, with the wave's count
    stacked = pw.stack(waves, id=None)
    first = stacked.data["WAVE"].astype(str) == "2019"
    keep = first.to_numpy() | (stacked.data["Q"].isna().to_numpy())
    asked = int((~first & stacked.data["Q"].notna()).sum())
    with pytest.raises(
        EstimationError, match=rf"wave '2023' has no answers to 'Q' in this subset \({asked:,} in the whole"
    ):
        stacked.subset(keep).trend("Q")


def test_answers_spelled_differently_only_in_case_or_spacing_are_one_answer():
    """'Very Concerned ' in 2023 is 2019's 'Very concerned' (R's rbind would keep two levels)."""
    waves = _waves("independent")
    df = waves["2023"].data.copy()
    df["Q_W132"] = df["Q_W132"].cat.rename_categories({"Very concerned": "Very Concerned ", "Refused": "REFUSED"})
    spelled = pw.Survey(df, weights="WEIGHT_W132")
    got = pw.stack({"2019": waves["2019"], "2023": spelled}, id=None)
    ref = pw.stack(waves, id=None)
    assert list(got.data["Q"].cat.categories) == list(ref.data["Q"].cat.categories)
    pd.testing.assert_frame_equal(got.proportion("Q", by="WAVE").to_frame(), ref.proportion("Q", by="WAVE").to_frame())
    own = spelled.proportion("Q").to_frame().set_index("level")["estimate"]
    stacked = got.proportion("Q", by="WAVE").to_frame()
    mine = stacked[stacked["WAVE"] == "2023"].set_index("level")["estimate"]
    assert mine["Very concerned"] == pytest.approx(own["Very Concerned "], rel=1e-12)
    pd.testing.assert_frame_equal(got.trend("Q").changes(), ref.trend("Q").changes())


def test_wording_change_is_noted():
    waves = _waves("independent")
    df = waves["2023"].data
    book = pw.Codebook.from_frame(df, labels={"Q_W132": "How concerned are you now?"})
    new = pw.Survey(df, weights="WEIGHT_W132", codebook=book)
    old_book = pw.Codebook.from_frame(waves["2019"].data, labels={"Q_W49": "How concerned are you?"})
    old = pw.Survey(waves["2019"].data, weights="WEIGHT_W49", codebook=old_book)
    tr = pw.stack({"2019": old, "2023": new}, id=None).trend("Q")
    assert tr.question == "How concerned are you?"
    assert "Wording differs between waves: 2019: How concerned are you?; 2023: How concerned are you now?" in str(tr)


def test_bad_stacks_are_one_line_errors():
    waves = _waves("panel")
    w19, w23 = waves["2019"], waves["2023"]
    with pytest.raises(DesignError, match="stack needs two or more waves, got 1"):
        pw.stack({"2019": w19})
    dup = w23.data.copy()
    dup.loc[1, "QKEY"] = dup.loc[0, "QKEY"]
    with pytest.raises(DesignError, match=r"wave '2023' has 1 duplicate QKEY value\(s\)"):
        pw.stack({"2019": w19, "2023": pw.Survey(dup, weights="WEIGHT_W132")})
    no_id = pw.Survey(w23.data.drop(columns="QKEY"), weights="WEIGHT_W132")
    with pytest.raises(DesignError, match=r"id='QKEY' links panel members, but wave '2023' has no column 'QKEY'"):
        pw.stack({"2019": w19, "2023": no_id})
    assert pw.stack({"2019": w19, "2023": no_id}, id=None).n == w19.n + no_id.n
    with pytest.raises(DesignError, match=r"weights='even' is not valid"):
        pw.stack(waves, weights="even")  # type: ignore[arg-type]
    with pytest.raises(DesignError, match=r"wave '2019' already has a column 'SEX'"):
        pw.stack(waves, wave="SEX")
    with pytest.raises(DesignError, match=r"rename=\{'2019': \.\.\.\} names 'NOPE'"):
        pw.stack(waves, rename={"2019": {"NOPE": "X"}})
    rep = w19.to_replicate("JK1")
    with pytest.raises(DesignError, match=r"wave '2019' has replicate weights"):
        pw.stack({"2019": rep, "2023": w23})
    cx = {
        w: pw.Survey(s.data.assign(RID=np.arange(s.n)), weights=f"WEIGHT_{sfx}", strata="STRATUM", psu="PSU", nest=True)
        for (w, s), sfx in zip(_waves("complex").items(), ("W49", "W132"), strict=True)
    }
    with pytest.raises(DesignError, match=r"needs weights-only waves, but wave '2019' has strata"):
        pw.stack(cx, id="RID")
    with pytest.raises(DesignError, match=r"wave 'x' is a DataFrame, not a pewlike Survey"):
        pw.stack({"x": w19.data, "y": w23})  # type: ignore[dict-item]


def test_weights_on_different_scales_warn_without_rescale():
    waves = _waves("independent")
    big = waves["2023"].data.copy()
    big["WEIGHT_W132"] *= 1000
    with pytest.warns(WeightWarning, match=r"very different scales \(sums 2019: .*, 2023: "):
        pw.stack({"2019": waves["2019"], "2023": pw.Survey(big, weights="WEIGHT_W132")}, weights="as_is", id=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pw.stack({"2019": waves["2019"], "2023": pw.Survey(big, weights="WEIGHT_W132")}, id=None)


def test_trend_needs_a_wave_column():
    with pytest.raises(VariableError, match=r"trend needs the column that names each row's wave"):
        pw.demo().trend("CONCERNCO")
    with pytest.raises(EstimationError, match=r"by= repeats the wave column"):
        _stack("panel").trend("Q", by="WAVE")


def test_a_group_missing_in_one_wave_is_a_one_line_error():
    waves = _waves("independent")
    w23 = pw.Survey(waves["2023"].data.drop(columns="SEX"), weights="WEIGHT_W132")
    svy = pw.stack({"2019": waves["2019"], "2023": w23}, id=None)
    with pytest.raises(EstimationError, match=r"by='SEX' has no values in wave '2023'.*pw.stack\(rename=\.\.\.\)"):
        svy.trend("Q", by="SEX")
    assert len(svy.trend("Q").changes()) == 6  # without groups the trend is whole


def test_a_wave_of_text_answers_stacks_with_a_labelled_wave(tmp_path):
    """A CSV wave gives a question's answers as text: matched by wording to the .sav wave's labels."""
    rng = np.random.default_rng(12)

    def wave(n: int, k: int, labelled: bool) -> pw.Survey:
        form = rng.choice(["Form 1", "Form 2"], n)
        q = rng.choice(["Yes", "No"], n)
        frame = pd.DataFrame({"FORM": form, "Q": q, f"WEIGHT_W{k}": rng.uniform(0.5, 2, n)})
        if labelled:
            frame["FORM"] = pd.Categorical(form, categories=["Form 1", "Form 2"])
            frame["Q"] = pd.Categorical(q, categories=["Yes", "No"])
        return pw.Survey(frame, weights=f"WEIGHT_W{k}")

    first, second = wave(300, 1, True), wave(280, 2, False)
    first.to_sav(tmp_path / "a.sav")  # a .sav wave: its answers are its value labels
    first = pw.read(tmp_path / "a.sav")
    assert dict(first._codebook.variables["Q"].value_labels) == {1.0: "Yes", 2.0: "No"}
    text = second.data.copy()
    text["FORM"] = text["FORM"].astype(object)  # as a CSV gives a column that is not a scale: plain text
    second = pw.Survey(text, weights="WEIGHT_W2")
    assert not isinstance(second.data["FORM"].dtype, pd.CategoricalDtype)
    stacked = pw.stack({"a": first, "b": second}, id=None)
    labelled = text.assign(FORM=pd.Categorical(text["FORM"], categories=["Form 1", "Form 2"]))
    both = pw.stack({"a": first, "b": pw.Survey(labelled, weights="WEIGHT_W2")}, id=None)
    got, want = stacked.trend("FORM").to_frame(), both.trend("FORM").to_frame()
    assert list(got["level"].astype(str)) == list(want["level"].astype(str))
    np.testing.assert_allclose(got["estimate"], want["estimate"], rtol=1e-14)
    np.testing.assert_allclose(got["std_error"], want["std_error"], rtol=1e-12)
    # text holds only the answers given: one nobody gave in the text wave is 0 there, in the labelled order
    nobody = text.assign(Q=np.where(text["Q"] == "No", None, text["Q"]).astype(object))
    got = pw.stack({"a": first, "b": pw.Survey(nobody, weights="WEIGHT_W2")}, id=None).trend("Q").to_frame()
    b = got[got["wave"].astype(str) == "b"]
    assert list(b["level"].astype(str)) == ["Yes", "No"] and list(b["estimate"]) == [1.0, 0.0]
    # an answer only the text wave has is a difference in answers, as between two labelled waves
    maybe = text.assign(Q=np.where(np.arange(len(text)) < 5, "Maybe", text["Q"]).astype(object))
    with pytest.raises(DesignError, match=r"'Q' has different answers in waves 'a' and 'b': none only in 'a', 'Maybe'"):
        pw.stack({"a": first, "b": pw.Survey(maybe, weights="WEIGHT_W2")}, id=None)
    # numbers in one wave beside labels in another are still refused
    numbers = text.assign(FORM=np.where(text["FORM"] == "Form 1", 1.0, 2.0))
    with pytest.raises(DesignError, match="'FORM' has labelled answers in wave 'a' but not in wave 'b'"):
        pw.stack({"a": first, "b": pw.Survey(numbers, weights="WEIGHT_W2")}, id=None)


def test_answers_only_given_may_lack_answers_but_not_have_others():
    from pewlike.trends.harmonise import harmonise_categories

    per = {"a": (["Yes", "No", "Refused"], {"Refused"}), "b": (["Yes", "Refused"], {"Refused"})}
    assert harmonise_categories("Q", per, given={"b"}) == ["Yes", "No", "Refused"]
    with pytest.raises(DesignError, match="different answers in waves 'a' and 'b'"):
        harmonise_categories("Q", per)  # both labelled: the answers offered differ
    # every wave's answers only those given: the wave that has them all sets the order
    both = {"a": (["No"], set()), "b": (["Yes", "No"], set()), "c": (["Yes"], set())}
    assert harmonise_categories("Q", both, given={"a", "b", "c"}) == ["Yes", "No"]
    apart = {"a": (["Yes", "Maybe"], set()), "b": (["Yes", "No"], set())}
    with pytest.raises(DesignError, match=r"'Maybe' only in 'a', 'No' only in 'b'"):
        harmonise_categories("Q", apart, given={"a", "b"})
