"""Design-based models: recovery of the demo's generating effects, equivalences, invariances, errors.

Numbers against R are in ``test_models_reference.py``; here each test computes its expected
value by a second route (weighted least squares, a row-level model frame, the generator's
stated effects, algebraic identities).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import pewlike as pw
from pewlike.errors import FormulaError, ModelError, VariableError

DATA = Path(__file__).parents[1] / "reference" / "models"
DEMOS = "F_AGECAT + F_SEX + F_EDUCCAT + F_RACETHN + F_INCOME_RECODE + F_PARTYSUM_FINAL"
BINARY = "CONCERNCO in ['Very concerned', 'Somewhat concerned']"


# ------------------------------------------------------------------------------------------
# the demo survey: the ordinal logit recovers the generator's effects
# ------------------------------------------------------------------------------------------
def test_ologit_recovers_generating_effects(demo, generator):
    fit = demo.ologit(f"CONCERNCO ~ {DEMOS}")
    truth = {}
    for key, beta in zip(generator.TERMS, generator.EFFECTS["CONCERNCO"]):
        var, level = generator.TERMS[key]
        truth[f"{var}{level}"] = beta
    # "DK/Refused/No lean" is a missing category in the codebook, so its rows are dropped
    assert "F_PARTYSUM_FINALDK/Refused/No lean" not in fit.params.index
    names = list(fit.params.index[: fit.n_slopes])
    assert set(names) == set(truth) - {"F_PARTYSUM_FINALDK/Refused/No lean"}
    beta = np.array([truth[n] for n in names])
    ci = fit.conf_int().loc[names]
    inside = (ci["ci_lower"].to_numpy() <= beta) & (beta <= ci["ci_upper"].to_numpy())
    assert inside.all(), ci.assign(truth=beta)[~inside]
    diff = fit.params[names].to_numpy() - beta
    wald = diff @ np.linalg.solve(fit.cov.loc[names, names].to_numpy(), diff)
    assert stats.chi2.sf(wald, len(names)) > 0.05
    # the strongest stated effects keep their signs: older people and Black adults less concerned
    assert fit.params["F_AGECAT65+"] < fit.params["F_AGECAT50-64"] < 0
    assert fit.pvalues["F_AGECAT65+"] < 1e-4
    assert list(fit.params.index[fit.n_slopes :]) == [
        "Very concerned|Somewhat concerned",
        "Somewhat concerned|Not too concerned",
        "Not too concerned|Not at all concerned",
    ]


def test_concern_model_answers_who_is_concerned(demo):
    fit = demo.logit(f"{BINARY} ~ {DEMOS}")
    test = fit.regterm("F_AGECAT")
    assert test.df == (3.0, fit.df_resid) and test.p_value < 1e-3
    me = fit.marginal_effects("F_AGECAT").to_frame()
    pred = me[me["type"] == "prediction"]
    assert list(pred["level"]) == ["18-29", "30-49", "50-64", "65+"]
    # the generator's age effects are negative, i.e. towards the first levels ("Very concerned"),
    # so the share very or somewhat concerned rises with age
    assert pred["estimate"].is_monotonic_increasing
    assert np.all((pred["estimate"] > 0) & (pred["estimate"] < 1))


# ------------------------------------------------------------------------------------------
# equivalences
# ------------------------------------------------------------------------------------------
def test_gaussian_glm_is_weighted_least_squares(clus1, apiclus1):
    fit = clus1.glm("api00 ~ ell + meals + stype")
    df = apiclus1
    X = np.column_stack([np.ones(len(df)), df.ell, df.meals, df.stype == "H", df.stype == "M"]).astype(float)
    sw = np.sqrt(df.pw.to_numpy())
    beta = np.linalg.lstsq(X * sw[:, None], df.api00.to_numpy() * sw, rcond=None)[0]
    np.testing.assert_allclose(fit.params.to_numpy(), beta, rtol=1e-10)


def test_patterns_reproduce_the_row_level_model_frame(demo):
    from pewlike.formula import model_frame
    from pewlike.models.data import prepare

    md = prepare(demo._backend, f"CONCERNCO ~ {DEMOS}")
    assert md.X.shape[0] < demo.n / 3  # compressed
    missing = {
        c: demo._codebook.variables[c].missing
        for c in demo.data.columns
        if c in demo._codebook.variables and demo._codebook.variables[c].missing
    }
    mf = model_frame(f"CONCERNCO ~ {DEMOS}", demo.data, resolve=demo._resolve, missing=missing, drop_unused=True)
    used = md.rows >= 0
    assert used.sum() == mf.complete.sum() == md.n_obs
    np.testing.assert_array_equal(md.X[md.rows[used]], mf.X[mf.complete])
    np.testing.assert_array_equal(md.y[md.rows[used]], mf.y[mf.complete])
    np.testing.assert_allclose(md.w.sum(), demo.weights.to_numpy()[mf.complete].sum())


def test_logit_equals_binomial_glm(demo):
    a = demo.logit(f"{BINARY} ~ F_AGECAT + F_SEX")
    b = demo.glm(f"{BINARY} ~ F_AGECAT + F_SEX", family="binomial")
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())


def test_domain_fit_keeps_the_full_design(demo):
    mask = (demo.data["F_SEX"] == "Female").to_numpy()
    dom = demo.subset(mask).logit(f"{BINARY} ~ F_AGECAT + F_EDUCCAT")
    alone = pw.Survey(demo.data[mask], weights="WEIGHT_W49").logit(f"{BINARY} ~ F_AGECAT + F_EDUCCAT")
    np.testing.assert_allclose(dom.params, alone.params, rtol=1e-9)
    # one stratum, every respondent a PSU: the domain's zero rows change only n/(n-1)
    N, n = demo.n, int(mask.sum())
    ratio = (N / (N - 1)) / (n / (n - 1))
    np.testing.assert_allclose(dom.std_errors**2, alone.std_errors**2 * ratio, rtol=1e-9)
    assert dom.n_obs == alone.n_obs


def test_gaussian_contrasts_and_slopes_are_the_coefficients(clus1):
    fit = clus1.glm("api00 ~ ell + meals + stype")
    for se in ("unconditional", "svypredmeans", "delta"):
        me = fit.marginal_effects("stype", se=se).to_frame()
        c = me[me["type"] == "contrast"].set_index("level")
        np.testing.assert_allclose(c["estimate"], fit.params[["stypeH", "stypeM"]], rtol=1e-10)
        if se != "svypredmeans":  # svypredmeans adds the (here spurious) averaging variance
            np.testing.assert_allclose(c["std_error"], fit.std_errors[["stypeH", "stypeM"]], rtol=1e-8)
    slope = fit.marginal_effects("ell").to_frame()
    assert list(slope["type"]) == ["slope"]
    np.testing.assert_allclose(slope["estimate"], fit.params["ell"], rtol=1e-8)
    np.testing.assert_allclose(slope["std_error"], fit.std_errors["ell"], rtol=1e-6)


def test_ologit_margins_and_predictions_are_probabilities(demo):
    fit = demo.ologit("CONCERNCO ~ F_AGECAT + F_SEX")
    me = fit.marginal_effects("F_AGECAT").to_frame()
    pred = me[me["type"] == "prediction"]
    sums = pred.groupby("level", observed=True, sort=False)["estimate"].sum()
    np.testing.assert_allclose(sums, 1.0, rtol=1e-12)
    contrast = me[me["type"] == "contrast"]
    np.testing.assert_allclose(contrast.groupby("level", sort=False)["estimate"].sum(), 0.0, atol=1e-12)
    probs = fit.predict(demo.data.head(20), type="probs")
    assert list(probs.columns) == list(fit.levels)
    np.testing.assert_allclose(probs.dropna().sum(axis=1), 1.0, rtol=1e-12)
    # probabilities by hand from R's parameterisation P(Y <= k) = F(zeta_k - x'beta)
    row = pd.DataFrame(
        {
            "F_AGECAT": pd.Categorical(["65+"], categories=demo.data["F_AGECAT"].cat.categories),
            "F_SEX": pd.Categorical(["Female"], categories=demo.data["F_SEX"].cat.categories),
        }
    )
    eta = fit.params["F_AGECAT65+"] + fit.params["F_SEXFemale"]
    cum = 1 / (1 + np.exp(-(fit.params.iloc[fit.n_slopes :].to_numpy() - eta)))
    np.testing.assert_allclose(fit.predict(row, type="probs").to_numpy()[0], np.diff(np.r_[0, cum, 1]), rtol=1e-12)
    ame = fit.marginal_effects("F_SEX", se="delta").to_frame()
    assert set(ame["outcome"]) == set(fit.levels)


def test_result_accessors_agree(demo):
    fit = demo.ologit("CONCERNCO ~ F_AGECAT + F_SEX")
    frame = fit.to_frame()
    assert list(frame.columns) == ["term", "estimate", "std_error", "statistic", "p_value", "ci_lower", "ci_upper"]
    np.testing.assert_allclose(frame["std_error"], np.sqrt(np.diag(fit.cov)))
    q = stats.t.ppf(0.95, fit.df_resid)
    ci = fit.conf_int(0.9)
    np.testing.assert_allclose(ci["ci_upper"] - fit.params, q * fit.std_errors)
    ors = fit.odds_ratios()
    assert len(ors) == fit.n_slopes
    np.testing.assert_allclose(ors["odds_ratio"], np.exp(fit.params.iloc[: fit.n_slopes]))
    one = fit.regterm("F_SEX")  # one coefficient: F = t^2
    np.testing.assert_allclose(one.statistic, fit.tvalues["F_SEXFemale"] ** 2, rtol=1e-12)
    both = fit.regterm("~ F_SEX + F_AGECAT")
    assert both.df[0] == 4
    text = repr(fit)
    assert "CONCERNCO ~ F_AGECAT + F_SEX" in text and "Very concerned|Somewhat concerned" in text
    assert "<table>" in fit._repr_html_()


# ------------------------------------------------------------------------------------------
# invariances
# ------------------------------------------------------------------------------------------
def test_scaling_weights_and_shuffling_rows_change_nothing(clus1, apiclus1):
    df = apiclus1
    base = clus1.logit("comp.imp == 'Yes' ~ api99 + stype")
    scaled = pw.Survey(df.assign(pw=df.pw * 7.5), psu="dnum", weights="pw", fpc="fpc")
    shuffled = pw.Survey(df.sample(frac=1, random_state=3), psu="dnum", weights="pw", fpc="fpc")
    for other in (scaled, shuffled):
        fit = other.logit("comp.imp == 'Yes' ~ api99 + stype")
        np.testing.assert_allclose(fit.params, base.params, rtol=1e-9)
        np.testing.assert_allclose(fit.std_errors, base.std_errors, rtol=1e-9)


def test_replicate_ologit_uses_replicate_refits():
    df = pd.read_csv(DATA / "gen.csv")
    jk = pw.Survey(df, weights="w", repweights="jk1_*", reptype="JK1", scale=41 / 42)
    fit = jk.ologit("item ~ x + dom1")
    assert fit.replicates.shape == (42, 5)
    dev = fit.replicates - fit.replicates.mean(axis=0)
    np.testing.assert_allclose(fit.cov.to_numpy(), 41 / 42 * dev.T @ dev, rtol=1e-10)


# ------------------------------------------------------------------------------------------
# bad input: clear errors
# ------------------------------------------------------------------------------------------
def test_unknown_variable_suggests_names(demo):
    with pytest.raises(VariableError, match="F_AGECAT"):
        demo.logit(f"{BINARY} ~ F_AGECATT")


def test_formula_syntax_error_gives_position(demo):
    with pytest.raises(FormulaError, match=r"position 23"):
        demo.glm("CONCERNCO ~ F_AGECAT +")


def test_outcome_with_one_category(demo):
    women = demo.subset("F_SEX == 'Female'")
    with pytest.raises(ModelError, match="one observed category"):
        demo.logit("F_SEX in ['Male', 'Female'] ~ F_AGECAT")
    with pytest.raises(ModelError, match="one observed category"):
        women.ologit("F_SEX ~ F_AGECAT")


def test_separation_names_predictor_and_level(demo):
    data = demo.data.copy()
    old = (data["F_AGECAT"] == "65+").to_numpy()
    data.loc[old, "CONCERNCO_W49"] = "Very concerned"
    svy = pw.Survey(data, weights="WEIGHT_W49")
    with pytest.raises(ModelError, match=re.escape("F_AGECAT = '65+'")) as err:
        svy.logit(f"{BINARY} ~ F_AGECAT + F_SEX")
    assert "collapse" in str(err.value)
    with pytest.raises(ModelError, match=re.escape("F_AGECAT = '65+'")):
        svy.ologit("CONCERNCO ~ F_AGECAT + F_SEX")


def test_aliased_columns_are_named(clus1, apiclus1):
    df = apiclus1
    svy = pw.Survey(df.assign(ell2=2 * df.ell + 1), psu="dnum", weights="pw", fpc="fpc")
    with pytest.raises(ModelError, match="'ell2'.*aliased"):
        svy.glm("api00 ~ ell + meals + ell2")


def test_nonconvergence_gives_a_checklist(clus1):
    with pytest.raises(ModelError, match="did not converge after 2 iterations.*Check:"):
        clus1.logit("comp.imp == 'Yes' ~ api99 + stype", max_iter=2)


def test_empty_domain_and_wrong_outcomes(demo, clus1):
    # TRACKCO1a was asked of form 1 only: nobody in the form-2 domain has an answer
    with pytest.raises(ModelError, match="no respondent in the domain"):
        demo.subset("FORM_W49 == 'Form 2'").logit("TRACKCO1a in ['Most of it'] ~ F_SEX")
    with pytest.raises(ModelError, match="3 or more"):
        demo.ologit("F_SEX ~ F_AGECAT")
    with pytest.raises(ModelError, match="categorical"):
        demo.glm("CONCERNCO ~ F_AGECAT")
    with pytest.raises(ModelError, match="family='poison' is not valid"):
        clus1.glm("api00 ~ ell", family="poison")
    with pytest.raises(ModelError, match="link='probit' is not available"):
        clus1.glm("enroll ~ ell", family="poisson", link="probit")


def test_scale_index(demo):
    res = demo.scale(["CONCERNCO", "CONCERNGOV", "CONCERNLE"], name="concern")
    assert res.name == "concern" and "concern" in res.survey.data.columns
    s = res.survey.data
    items = s[["CONCERNCO_W49", "CONCERNGOV_W49", "CONCERNLE_W49"]]
    codes = np.column_stack([items[c].cat.codes.to_numpy() + 1.0 for c in items])
    refused = np.column_stack([(items[c] == "Refused").to_numpy() | items[c].isna().to_numpy() for c in items])
    codes[refused] = np.nan
    np.testing.assert_allclose(res.values.to_numpy(), codes.mean(axis=1), equal_nan=True)
    mean = res.survey.mean("concern").to_frame()
    assert mean["n"].iloc[0] == res.n
    rev = demo.scale(["CONCERNCO", "CONCERNGOV"], reverse=["CONCERNGOV"], method="sum", name="x")
    assert rev.items["item_rest_corr"].lt(0).all()
    with pytest.raises(VariableError, match="already has a column"):
        res.survey.scale(["CONCERNCO", "CONCERNGOV"], name="concern")


@pytest.mark.parametrize("kind", ["ologit", "logit"])
def test_margin_gradients_match_finite_differences(demo, kind):
    from dataclasses import replace

    if kind == "ologit":
        fit = demo.ologit("CONCERNCO ~ F_AGECAT + F_SEX + F_EDUCCAT", link="probit")
    else:
        fit = demo.glm(f"{BINARY} ~ F_AGECAT + F_SEX + F_EDUCCAT", family="binomial", link="cloglog")
    me = fit.marginal_effects("F_EDUCCAT", se="delta")
    base = me.to_frame()["estimate"].to_numpy()
    h = 1e-6
    G = np.empty((base.size, fit.coef.size))
    for j in range(fit.coef.size):
        up, down = fit.coef.copy(), fit.coef.copy()
        up[j] += h
        down[j] -= h
        f_up = replace(fit, coef=up).marginal_effects("F_EDUCCAT", se="delta").to_frame()["estimate"].to_numpy()
        f_down = replace(fit, coef=down).marginal_effects("F_EDUCCAT", se="delta").to_frame()["estimate"].to_numpy()
        G[:, j] = (f_up - f_down) / (2 * h)
    np.testing.assert_allclose(me.vcov, G @ fit.vcov @ G.T, rtol=1e-6, atol=1e-14)
    # svypredmeans adds the (positive semi-definite) variance of averaging over the respondents
    extra = fit.marginal_effects("F_EDUCCAT", se="svypredmeans").vcov - me.vcov
    assert np.linalg.eigvalsh(extra).min() > -1e-15
