"""Preparing data (#12): Survey.assign, Survey.recode, Survey.score and the read-only svy.data."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import DataWarning, DesignError, EstimationError, FormulaError, VariableError

CONCERN = ["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"]


def _small() -> pw.Survey:
    """Eight respondents, two strata, a labelled 4-point scale with a Refused code."""
    df = pd.DataFrame(
        {
            "st": [1, 1, 1, 1, 2, 2, 2, 2],
            "w": [1.0, 2.0, 1.0, 2.0, 1.5, 1.5, 3.0, 1.0],
            "rep1": [1.0] * 8,
            "AGE": [22, 35, 67, 71, 45, 19, 80, 54],
            "Q": [1.0, 2.0, 3.0, 4.0, 99.0, 1.0, 2.0, 2.0],
        }
    )
    svy = pw.Survey(df, weights="w", strata="st")
    return svy.assign(
        Q=df["Q"],
        value_labels={"Q": {1: CONCERN[0], 2: CONCERN[1], 3: CONCERN[2], 4: CONCERN[3], 99: "Refused"}},
        labels={"Q": "How concerned are you?"},
    )


# -- assign --------------------------------------------------------------------------------
def test_assign_arrays_functions_and_expressions_keep_the_design(demo):
    new = demo.assign(
        HEAVY=np.arange(demo.n) % 2,
        OLD="F_AGECAT == '65+'",
        FN=lambda d: (d["F_SEX"] == "Female").astype(float).where(d["F_SEX"].isin(["Male", "Female"])),
        labels={"HEAVY": "Heavy user", "OLD": "Ages 65 and older"},
    )
    assert new.question("HEAVY") == "Heavy user" and new.question("OLD") == "Ages 65 and older"
    assert new.design == demo.design and new.n == demo.n
    np.testing.assert_array_equal(new.weights.to_numpy(), demo.weights.to_numpy())
    # the expression is 1/0 with missing where the age is missing (R: as.numeric(F_AGECAT == "65+"))
    old = new.data["OLD"]
    age = demo.data["F_AGECAT"]
    assert old.isna().sum() == age.isna().sum() + age.isin(demo._codebook.variables["F_AGECAT"].missing).sum()
    mean_old = new.mean("OLD").to_frame()["estimate"].iloc[0]
    share = demo.proportion("F_AGECAT").to_frame().set_index("level")["estimate"]["65+"]
    assert mean_old == pytest.approx(share, rel=1e-12)
    # a function of the data: the share of women among those who answered
    assert new.mean("FN").to_frame()["estimate"].iloc[0] == pytest.approx(
        demo.proportion("F_SEX").to_frame().set_index("level")["estimate"]["Female"], rel=1e-12
    )
    cb = new.codebook().set_index("name")
    assert cb.loc["HEAVY", "type"] == "numeric" and cb.loc["OLD", "label"] == "Ages 65 and older"
    assert "HEAVY" not in demo.data.columns  # the original survey is unchanged


def test_assign_later_columns_see_earlier_ones_and_arithmetic_uses_codes(demo):
    new = demo.assign(A="F_AGECAT == '18-29'", B="A * 10")
    a, b = new.data["A"].to_numpy(), new.data["B"].to_numpy()
    np.testing.assert_array_equal(np.nan_to_num(b, nan=-1), np.nan_to_num(a * 10, nan=-1))
    # a labelled variable contributes its SPSS codes in arithmetic
    coded = demo.assign(C="CONCERNCO + 0").data["C"]
    assert sorted(coded.dropna().unique().tolist()) == [1.0, 2.0, 3.0, 4.0]


def test_assign_on_a_subset_takes_domain_length_values():
    svy = _small().subset("AGE >= 40")
    new = svy.assign(Z=[10.0, 20.0, 30.0, 40.0, 50.0])
    assert new.data["Z"].tolist() == [10.0, 20.0, 30.0, 40.0, 50.0]
    assert new.data.index.tolist() == [2, 3, 4, 6, 7]
    # R: svymean(~z, subset(des, AGE >= 40)) on the weights 1, 2, 1.5, 3, 1
    expected = (10 * 1 + 20 * 2 + 30 * 1.5 + 40 * 3 + 50 * 1) / (1 + 2 + 1.5 + 3 + 1)
    assert new.mean("Z").to_frame()["estimate"].iloc[0] == pytest.approx(expected, rel=1e-12)


def test_assign_value_labels_make_a_labelled_categorical():
    svy = _small()
    q = svy.data["Q"]
    assert list(q.cat.categories) == [*CONCERN, "Refused"] and q.cat.ordered
    info = svy._codebook.variables["Q"]
    assert info.missing == ("Refused",) and info.missing_codes == (99,)
    assert svy.question("Q") == "How concerned are you?"
    # Refused is out of the base: 7 valid answers
    assert int(svy.proportion("Q").to_frame()["n"].sum()) == 7


def test_assign_refuses_design_columns_wrong_lengths_and_bad_expressions():
    svy = _small()
    with pytest.raises(DesignError, match=r"'w' is the design's weights column.*with_weights"):
        svy.assign(w=1.0)
    with pytest.raises(DesignError, match=r"'st' is the design's strata column"):
        svy.assign(st=1)
    with pytest.raises(DesignError, match=r"'Z' has 3 values but the survey has 8"):
        svy.assign(Z=[1, 2, 3])
    with pytest.raises(FormulaError, match=r"column"):
        svy.assign(OK="AGE + 1", BAD="AGE >= ")
    with pytest.raises(FormulaError):
        svy.assign(BAD="__import__('os').system('true')")
    with pytest.raises(VariableError, match="unknown variable 'AGEE'"):
        svy.assign(OLD="AGEE >= 65")
    with pytest.raises(VariableError, match=r"labels are given for 'X'"):
        svy.assign(Y=1, labels={"X": "wording"})
    with pytest.raises(VariableError, match=r"no value label"):
        svy.assign(R=[1, 2, 3, 1, 2, 3, 1, 5], value_labels={"R": {1: "a", 2: "b", 3: "c"}})
    rep = pw.Survey(
        pd.DataFrame({"w": [1.0, 2.0], "rep1": [1.0, 2.0], "rep2": [2.0, 1.0], "x": [1, 2]}),
        weights="w",
        repweights=["rep1", "rep2"],
        reptype="JK1",
        scale=0.5,
    )
    with pytest.raises(DesignError, match=r"'rep2' is the design's replicate weights column"):
        rep.assign(rep2=0.0)


def test_a_bad_expression_runs_nothing():
    svy = _small()
    calls = []

    def fn(d):
        calls.append(1)
        return d["AGE"]

    with pytest.raises(FormulaError):
        svy.assign(F=fn, BAD="AGE >")
    assert calls == []


# -- recode ----------------------------------------------------------------------------------
def test_recode_by_label_equals_recode_by_code_and_sums_proportions(demo):
    by_label = demo.recode(
        "CONCERNCO", {"Concerned": CONCERN[:2], "Not concerned": CONCERN[2:]}, name="C2", label="Concerned?"
    )
    by_code = demo.recode("CONCERNCO", {"Concerned": [1, 2], "Not concerned": [3, 4]}, name="C2")
    pd.testing.assert_series_equal(by_label.data["C2"], by_code.data["C2"])
    assert by_label.question("C2") == "Concerned?" and by_code.question("C2") == demo.question("CONCERNCO")
    merged = by_label.proportion("C2").to_frame().set_index("level")["estimate"]
    parts = demo.proportion("CONCERNCO").to_frame().set_index("level")["estimate"]
    assert merged["Concerned"] == pytest.approx(parts[CONCERN[0]] + parts[CONCERN[1]], rel=1e-12)
    assert merged["Not concerned"] == pytest.approx(parts[CONCERN[2]] + parts[CONCERN[3]], rel=1e-12)
    # the SE of the merged category is that of the sum: sqrt(v1 + v2 + 2 c12)
    est = demo.proportion("CONCERNCO")
    cov = est.cov.loc[[CONCERN[0], CONCERN[1]], [CONCERN[0], CONCERN[1]]].to_numpy()
    se = by_label.proportion("C2").to_frame().set_index("level")["std_error"]["Concerned"]
    assert se == pytest.approx(np.sqrt(cov.sum()), rel=1e-9)


def test_recode_keeps_missing_codes_missing_and_scales_ordered(demo):
    new = demo.recode("CONCERNCO", {"Concerned": [1, 2], "Not concerned": [3, 4]})
    col = new.data["CONCERNCO_W49"]
    assert list(col.cat.categories) == ["Concerned", "Not concerned", "Refused"] and col.cat.ordered
    info = new._codebook.variables["CONCERNCO_W49"]
    assert info.missing == ("Refused",) and info.missing_codes == (99.0,)
    assert info.value_labels == {1: "Concerned", 2: "Not concerned", 99.0: "Refused"}
    assert (col == "Refused").sum() == (demo.data["CONCERNCO_W49"] == "Refused").sum()
    assert new.codebook().set_index("name").loc["CONCERNCO_W49", "type"] == "ordinal"
    # a mapping that breaks the order gives an unordered, not-a-scale variable
    mixed = demo.recode("CONCERNCO", {"Ends": [1, 4]}, name="ENDS")
    assert not mixed.data["ENDS"].cat.ordered
    assert mixed._codebook.variables["ENDS"].scale is False
    assert list(mixed.data["ENDS"].cat.categories) == ["Ends", CONCERN[1], CONCERN[2], "Refused"]


def test_recode_other_drop_makes_unmapped_answers_missing(demo):
    new = demo.recode("CONCERNCO", {"Very": [1]}, name="V", other="drop")
    v = new.data["V"]
    assert list(v.cat.categories) == ["Very", "Refused"]
    original = demo.data["CONCERNCO_W49"]
    assert int(v.isna().sum()) == int(original.isin(CONCERN[1:]).sum() + original.isna().sum())
    assert new.proportion("V").to_frame()["estimate"].tolist() == [1.0]


def test_recode_errors_list_the_known_categories():
    svy = _small()
    with pytest.raises(
        VariableError, match=r"'Worried' is not a category of 'Q'; known: 1 'Very concerned'.*99 'Refused'"
    ):
        svy.recode("Q", {"C": ["Worried"]})
    with pytest.raises(VariableError, match=r"5 is not a category"):
        svy.recode("Q", {"C": [5]})
    with pytest.raises(VariableError, match=r"'Very concerned' of 'Q' is mapped twice"):
        svy.recode("Q", {"A": [1, 2], "B": ["Very concerned"]})
    with pytest.raises(VariableError, match=r"other='maybe' is not valid; choose 'keep' or 'drop'"):
        svy.recode("Q", {"A": [1]}, other="maybe")  # type: ignore[arg-type]
    with pytest.raises(VariableError, match=r"'AGE' is numeric, with no categories"):
        svy.recode("AGE", {"A": [1]})
    with pytest.raises(DesignError, match="weights column"):
        svy.recode("Q", {"A": [1]}, name="w")


# -- score -----------------------------------------------------------------------------------
def test_score_is_a_numeric_recode_without_missing_codes():
    svy = _small().score("Q", {CONCERN[0]: 4, CONCERN[1]: 3, 3: 2, 4: 1})
    s = svy.data["Q_score"]
    np.testing.assert_array_equal(s.to_numpy(), [4, 3, 2, 1, np.nan, 4, 3, 3])
    w = np.array([1.0, 2.0, 1.0, 2.0, 1.5, 1.5, 3.0, 1.0])
    ok = ~np.isnan(s.to_numpy())
    expected = np.sum(w[ok] * s.to_numpy()[ok]) / w[ok].sum()
    assert svy.mean("Q_score").to_frame()["estimate"].iloc[0] == pytest.approx(expected, rel=1e-12)
    assert svy.question("Q_score") == "How concerned are you?"


def test_score_default_name_drops_the_wave_suffix_and_errors(demo):
    scored = demo.score("CONCERNCO", {1: 4, 2: 3, 3: 2, 4: 1})
    assert "CONCERNCO_score" in scored.data.columns
    with pytest.raises(VariableError, match=r"'Refused' of 'CONCERNCO_W49' is a missing code"):
        demo.score("CONCERNCO", {1: 4, 2: 3, 3: 2, 4: 1, 99: 0})
    with pytest.raises(VariableError, match=r"'Not at all concerned' of 'CONCERNCO_W49' have no score"):
        demo.score("CONCERNCO", {1: 4, 2: 3, 3: 2})
    with pytest.raises(VariableError, match=r"is scored twice"):
        demo.score("CONCERNCO", {1: 4, "Very concerned": 4, 2: 3, 3: 2, 4: 1})
    with pytest.raises(VariableError, match=r"give a number"):
        demo.score("CONCERNCO", {1: "high", 2: 3, 3: 2, 4: 1})


# -- svy.data is read-only ------------------------------------------------------------------
def test_setting_a_column_of_data_warns_and_points_at_assign(demo):
    with pytest.warns(DataWarning, match=r"read-only copy.*svy = svy.assign\(HEAVY=\.\.\.\)"):
        demo.data["HEAVY"] = 1
    assert "HEAVY" not in demo.data.columns
    d = demo.data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        derived = d[d["F_SEX"] == "Female"]
        derived["X"] = 1  # anything derived from it is a plain DataFrame
    assert type(derived) is pd.DataFrame and "X" in derived.columns


def test_partitioned_surveys_refuse_assign_with_a_hint():
    dd = pytest.importorskip("dask.dataframe")
    df = pd.DataFrame({"x": np.arange(10.0), "w": 1.0})
    dsk = pw.Survey(dd.from_pandas(df, npartitions=2), weights="w", progress=False)
    for call in (lambda: dsk.assign(y="x + 1"), lambda: dsk.recode("x", {"a": [1]}), lambda: dsk.score("x", {})):
        with pytest.raises(EstimationError, match=r"partitioned.*collect\(\)"):
            call()


def test_assign_a_partial_boolean_series_stays_numeric_and_recode_takes_numeric_categories(demo):
    part = demo.assign(S=demo.data["F_SEX"].iloc[:10].eq("Female"))
    s = part.data["S"]
    assert s.dtype == float and int(s.notna().sum()) == 10
    assert part._codebook.variables["S"].kind == "numeric"
    df = pd.DataFrame({"g": pd.Categorical([1, 2, 3, 1]), "w": 1.0})
    svy = pw.Survey(df, weights="w")
    assert svy.recode("g", {"low": [1, 2]}).data["g"].tolist() == ["low", "low", "3", "low"]
