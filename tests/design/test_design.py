"""The Survey design object: construction, validation, immutability, domains and printing."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import DesignError, EstimationError, VariableError, WeightWarning


def test_weights_auto_finds_the_one_weight_column():
    df = pd.DataFrame({"x": [1.0, 2, 3], "WEIGHT_W49": [1.0, 2, 3]})
    svy = pw.Survey(df)
    assert svy.weights.tolist() == [1.0, 2.0, 3.0] and svy.weights.name == "WEIGHT_W49"


def test_weights_auto_lists_several_candidates():
    df = pd.DataFrame({"x": [1.0, 2], "WEIGHT_W49": [1.0, 2], "weight": [1.0, 1.0]})
    with pytest.raises(DesignError, match="several weight columns found: WEIGHT_W49, weight; pass weights="):
        pw.Survey(df)


def test_weights_auto_without_candidates_warns_and_uses_equal_weights():
    df = pd.DataFrame({"x": [1.0, 2, 4], "llweight": [3.0, 1, 1]})
    with pytest.warns(WeightWarning, match="no weight column found"):
        svy = pw.Survey(df)
    assert svy.weights.tolist() == [1.0, 1.0, 1.0]
    assert svy.mean("x").estimate[0] == pytest.approx(7 / 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pw.Survey(df, weights=None).mean("x").estimate[0] == pytest.approx(7 / 3)


@pytest.mark.parametrize(
    "bad,what",
    [
        ([1.0, np.nan, 2.0, np.nan], "2 missing"),
        ([1.0, -1.0, 2.0, 1.0], "1 negative"),
        ([1.0, np.inf, 2.0, 1.0], "1 infinite"),
    ],
)
def test_bad_weights_are_counted_with_row_ids(bad, what):
    df = pd.DataFrame({"x": [1.0, 2, 3, 4], "w": bad}, index=[10, 11, 12, 13])
    with pytest.raises(DesignError) as err:
        pw.Survey(df, weights="w")
    msg = str(err.value)
    assert what in msg and "first rows: 11" in msg


def test_unknown_columns_suggest_close_names(apistrat):
    with pytest.raises(VariableError, match="unknown variable 'stpye'; did you mean 'stype'"):
        pw.Survey(apistrat, weights="pw", strata="stpye")
    with pytest.raises(VariableError, match="did you mean 'api00'"):
        pw.Survey(apistrat, weights="pw").mean("api0")


def test_fpc_smaller_than_sampled_psus(apistrat):
    df = apistrat.assign(fpc=np.where(apistrat["stype"] == "E", 50, apistrat["fpc"]))
    with pytest.raises(DesignError, match="fpc"):
        pw.Survey(df, weights="pw", strata="stype", fpc="fpc")


def test_fpc_inconsistent_within_stratum(apistrat):
    df = apistrat.copy()
    df.loc[0, "fpc"] = df.loc[0, "fpc"] + 10
    with pytest.raises(DesignError, match="varies within"):
        pw.Survey(df, weights="pw", strata="stype", fpc="fpc")


def test_psu_ids_repeated_across_strata_need_nest():
    df = pd.DataFrame({"st": [1, 1, 2, 2], "psu": [1, 2, 1, 2], "w": [1.0] * 4, "y": [1.0, 2, 3, 4]})
    with pytest.raises(DesignError, match="appears in more than one stratum.*nest=True"):
        pw.Survey(df, weights="w", strata="st", psu="psu")
    svy = pw.Survey(df, weights="w", strata="st", psu="psu", nest=True)
    assert svy.degf == 2


def test_replicate_weight_checks(apistrat):
    df = apistrat.assign(r1=apistrat["pw"], r2=apistrat["pw"] * 1.1)
    with pytest.raises(DesignError, match="matches no column"):
        pw.Survey(df, weights="pw", repweights="REPWT*", reptype="JK1")
    with pytest.raises(DesignError, match="reptype='JK3' is not valid; choose one of 'JK1'"):
        pw.Survey(df, weights="pw", repweights="r*", reptype="JK3")
    with pytest.raises(DesignError, match="need reptype"):
        pw.Survey(df, weights="pw", repweights=["r1", "r2"])
    with pytest.raises(DesignError, match="replicate weight column 'stype' is not numeric"):
        pw.Survey(df, weights="pw", repweights=["r1", "stype"], reptype="JK1")
    with pytest.raises(VariableError, match="unknown variable 'r3'"):
        pw.Survey(df, weights="pw", repweights=["r1", "r3"], reptype="JK1")
    bad = df.assign(r2=np.where(df.index == 3, np.nan, df["r2"]))
    with pytest.raises(DesignError, match="'r2' has 1 missing"):
        pw.Survey(bad, weights="pw", repweights="r*", reptype="JK1")


def test_lonely_psu_option_is_validated(apistrat):
    with pytest.raises(DesignError, match="lonely_psu='adust' is not valid; choose one of 'fail', 'remove', 'adjust'"):
        pw.Survey(apistrat, weights="pw", lonely_psu="adust")


def test_lonely_psu_fail_names_the_stratum():
    df = pd.DataFrame({"st": ["a", "a", "b", "c", "c"], "psu": [1, 2, 3, 4, 5], "w": [1.0] * 5, "y": [1.0, 2, 3, 4, 6]})
    svy = pw.Survey(df, weights="w", strata="st", psu="psu")
    with pytest.raises(DesignError, match="stratum b \\(stage 1\\) has only one PSU; pass lonely_psu='adjust'"):
        svy.mean("y")
    assert np.isfinite(pw.Survey(df, weights="w", strata="st", psu="psu", lonely_psu="adjust").mean("y").std_error[0])


def test_survey_is_immutable(apistrat):
    svy = pw.Survey(apistrat, weights="pw")
    with pytest.raises(AttributeError, match="immutable"):
        svy.n = 3
    data = svy.data
    with pytest.warns(pw.errors.DataWarning, match="read-only copy"):
        data["api00"] = 0
    assert svy.mean("api00").estimate[0] > 600


def test_subset_keeps_the_full_design(apistrat):
    svy = pw.Survey(apistrat, weights="pw", strata="stype", fpc="fpc")
    sub = svy.subset(apistrat["sch.wide"] == "Yes")
    assert sub.n == int((apistrat["sch.wide"] == "Yes").sum())
    # as R's degf(subset(dstrat, sch.wide == "Yes")): PSUs minus strata among the domain's rows
    assert sub.degf == sub.n - 3
    by = svy.mean("api00", by="sch.wide").to_frame().set_index("sch.wide")
    dom = sub.mean("api00").to_frame()
    assert dom["estimate"][0] == pytest.approx(by.loc["Yes", "estimate"], rel=1e-12)
    assert dom["std_error"][0] == pytest.approx(by.loc["Yes", "std_error"], rel=1e-12)
    q = svy.subset("`sch.wide` == 'Yes'")
    assert q.mean("api00").estimate[0] == pytest.approx(dom["estimate"][0], rel=1e-12)
    with pytest.raises(EstimationError, match="the subset is empty"):
        svy.subset(apistrat["api00"] > 10_000)


def test_design_printout(apistrat, apiclus2):
    text = pw.Survey(apistrat, weights="pw", strata="stype", fpc="fpc").design
    assert text.splitlines()[0] == "Stratified Independent Sampling design"
    assert "3 strata" in text and "n = 200" in text
    text = pw.Survey(apiclus2, weights="pw", psu=["dnum", "snum"], fpc=["fpc1", "fpc2"]).design
    assert text.splitlines()[0] == "2 - level Cluster Sampling design"
    assert "With (40, 126) clusters." in text
    w = pw.Survey(apistrat, weights="pw").design
    assert w.splitlines()[0] == "Independent Sampling design (with replacement)"
    assert "min 15.1, max 44.21" in w


def test_survey_pickles_and_weighting_an_unweighted_survey_makes_it_weighted(tmp_path):
    import pickle

    svy = pw.demo().subset(pw.demo().data["F_SEX"] == "Female")
    back = pickle.loads(pickle.dumps(svy))
    pd.testing.assert_frame_equal(back.data, svy.data)
    assert back.proportion("CONCERNCO").to_frame().equals(svy.proportion("CONCERNCO").to_frame())
    plain = pw.Survey(pd.DataFrame({"x": [1.0, 2.0, 3.0]}), weights=None)
    weighted = plain.with_weights(np.array([1.0, 2.0, 3.0]))
    assert "unweighted" not in weighted.design and weighted.weights.tolist() == [1.0, 2.0, 3.0]
