"""One result vocabulary: every result derives from pewlike.resultbase.Result, canonical names
(estimates/params, std_errors, cov, statistics, pvalues, conf_int) agree with the old aliases,
str/repr are the summary, and the notebook HTML is escaped."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import pewlike as pw
from pewlike.errors import EstimationError
from pewlike.resultbase import Result, RowEstimates

SCRIPT = "<script>alert(1)</script>"
SCORES = {"Very concerned": 4.0, "Somewhat concerned": 3.0, "Not too concerned": 2.0, "Not at all concerned": 1.0}
LOGIT = "CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ F_AGECAT + F_SEX"
OLOGIT = "CONCERNCO ~ F_AGECAT + F_SEX"
KINDS = ["mean", "proportion", "chisq", "ttest", "logit", "ologit", "topline", "crosstab", "weight_summary"]


def _scored(data: pd.DataFrame) -> pd.DataFrame:
    """The demo data with a numeric concern score (4 = very concerned; Refused is NaN)."""
    return data.assign(SCORE=data["CONCERNCO_W49"].astype(object).map(SCORES).astype(float))


def _results(svy: pw.Survey, scored: pw.Survey, score: str = "SCORE") -> dict[str, Result]:
    return {
        "mean": scored.mean(score, by="F_SEX"),
        "proportion": svy.proportion("CONCERNCO", by="F_SEX"),
        "chisq": svy.chisq("CONCERNCO", "F_SEX"),
        "ttest": scored.ttest(score, "F_SEX"),
        "logit": svy.logit(LOGIT),
        "ologit": svy.ologit(OLOGIT),
        "topline": svy.topline("CONCERNCO", nets="auto"),
        "crosstab": svy.crosstab("CONCERNCO", "F_SEX", nets="auto"),
        "weight_summary": svy.weight_summary(),
    }


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    svy = pw.demo()
    return _results(svy, pw.Survey(_scored(svy.data), weights="WEIGHT_W49"))


@pytest.fixture(scope="module")
def hostile() -> dict[str, Result]:
    """The same results where a category label and a column name carry a script tag."""
    data = _scored(pw.demo().data)
    data = data[data["F_SEX"] != "Refused"].copy()  # raking needs every respondent's sex
    data["F_SEX"] = data["F_SEX"].cat.remove_unused_categories().cat.rename_categories({"Female": SCRIPT})
    data = data.rename(columns={"SCORE": f"SCORE{SCRIPT}"}).assign(**{f"SEX{SCRIPT}": data["F_SEX"]})
    svy = pw.Survey(data, weights="WEIGHT_W49")
    out = _results(svy, svy, f"SCORE{SCRIPT}")
    out["chisq"] = svy.chisq("CONCERNCO", f"SEX{SCRIPT}")  # a test shows names, not levels
    out["topline"] = svy.topline("F_SEX")
    out["weight_summary"] = svy.rake({"F_SEX": {"Male": 0.49, SCRIPT: 0.51}}).weight_summary()
    return out


# ---------------------------------------------------------------------------
# the base: to_frame, summary, str, repr, HTML
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_every_result_presents_itself_through_the_base(results, kind):
    r = results[kind]
    assert isinstance(r, Result)
    assert dataclasses.is_dataclass(r) and type(r).__dataclass_params__.frozen
    text = r.summary()
    assert isinstance(text, str) and text
    assert str(r) == text
    assert repr(r) == text
    assert isinstance(r.to_frame(), pd.DataFrame)
    page = r._repr_html_()
    assert page.startswith("<div class='pewlike-result'>") and page.endswith("</div>")


@pytest.mark.parametrize("kind", KINDS)
def test_notebook_html_is_escaped(hostile, kind):
    r = hostile[kind]
    assert SCRIPT in r.summary()  # the label reaches the text...
    page = r._repr_html_()
    assert "<script" not in page  # ...but never the HTML unescaped
    assert "&lt;script&gt;" in page


def test_html_falls_back_to_the_escaped_summary(hostile):
    page = hostile["chisq"]._repr_html_()
    assert page.startswith("<div class='pewlike-result'><pre>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ---------------------------------------------------------------------------
# canonical names and aliases agree (values)
# ---------------------------------------------------------------------------
def _check_rows(r: RowEstimates, covered: np.ndarray | None = None) -> None:
    """estimates/std_errors/cov/conf_int of a result with estimate rows, against to_frame()."""
    f = r.to_frame()
    np.testing.assert_array_equal(r.estimates.to_numpy(), f["estimate"].to_numpy(dtype=float))
    np.testing.assert_array_equal(r.std_errors.to_numpy(), f["std_error"].to_numpy(dtype=float))
    assert r.estimates.name == "estimate" and r.std_errors.name == "std_error"
    assert r.estimates.index.equals(r.std_errors.index)
    cov = r.cov
    assert cov is not None
    np.testing.assert_array_equal(cov.to_numpy(), r.vcov)  # alias: the stored array
    rows = slice(None) if covered is None else covered
    assert cov.index.equals(r.estimates.index[rows]) and cov.columns.equals(cov.index)
    np.testing.assert_allclose(np.sqrt(np.diag(cov)), r.std_errors.to_numpy()[rows], rtol=1e-12)
    ci = r.conf_int()
    assert list(ci.columns) == ["ci_lower", "ci_upper"] and ci.index.equals(r.estimates.index)
    np.testing.assert_array_equal(ci.to_numpy(), f[["ci_lower", "ci_upper"]].to_numpy(dtype=float))
    np.testing.assert_array_equal(r.conf_int(r.level).to_numpy(), ci.to_numpy())


def test_mean(results):
    r = results["mean"]
    _check_rows(r)
    np.testing.assert_array_equal(r.estimate, r.estimates.to_numpy())
    np.testing.assert_array_equal(r.std_error, r.std_errors.to_numpy())
    assert list(r.estimates.index) == ["Male", "Female"] and r.estimates.index.name == "F_SEX"


def test_mean_intervals_at_another_level(results):
    r = results["mean"]
    z = stats.norm.ppf(0.95)
    ci = r.conf_int(0.90)
    np.testing.assert_allclose(ci["ci_lower"], r.estimates - z * r.std_errors, rtol=1e-12)
    np.testing.assert_allclose(ci["ci_upper"], r.estimates + z * r.std_errors, rtol=1e-12)
    with pytest.raises(EstimationError, match="between 0 and 1"):
        r.conf_int(95)


def test_proportion(results):
    r = results["proportion"]
    _check_rows(r)
    np.testing.assert_array_equal(r.estimate, r.estimates.to_numpy())
    np.testing.assert_array_equal(r.std_error, r.std_errors.to_numpy())
    f = r.to_frame()
    first = f.iloc[0]
    assert r.estimates[(first["F_SEX"], first["level"])] == first["estimate"]
    assert r.estimates.index.names == ["F_SEX", "level"]
    with pytest.raises(EstimationError, match="level=0.9"):
        r.conf_int(0.9)  # logit intervals need the design df: ask the estimator


def test_chisq(results):
    r = results["chisq"]
    f = r.to_frame()
    assert r.statistics.iloc[0] == r.statistic == f["statistic"].iloc[0]
    assert r.pvalues.iloc[0] == r.p_value == f["p_value"].iloc[0]
    assert r.pvalues.name == "p_value" and r.statistics.name == "statistic"
    assert list(r.pvalues.index) == [f["variables"].iloc[0]]
    assert isinstance(r.df, tuple) and r.df == (f["df"].iloc[0], f["ddf"].iloc[0])
    assert r.estimates is None and r.std_errors is None and r.cov is None
    with pytest.raises(EstimationError, match="no estimate"):
        r.conf_int()


def test_ttest(results):
    r = results["ttest"]
    f = r.to_frame()
    assert r.statistics.iloc[0] == r.statistic == f["statistic"].iloc[0]
    assert r.pvalues.iloc[0] == r.p_value == f["p_value"].iloc[0]
    assert r.estimates.iloc[0] == r.estimate == f["estimate"].iloc[0]
    assert r.std_errors.iloc[0] == r.std_error == f["std_error"].iloc[0]
    assert r.cov.iloc[0, 0] == pytest.approx(r.std_error**2, rel=1e-15)
    assert r.statistic == pytest.approx(r.estimate / r.std_error, rel=1e-12)
    q = stats.t.ppf(0.975, r.df)
    ci = r.conf_int()
    assert ci.iloc[0].tolist() == pytest.approx([r.estimate - q * r.std_error, r.estimate + q * r.std_error])
    assert r.p_value == pytest.approx(2 * stats.t.sf(abs(r.statistic), r.df), rel=1e-12)


@pytest.mark.parametrize("kind", ["logit", "ologit"])
def test_models(results, kind):
    r = results[kind]
    f = r.to_frame()
    names = list(r.names)
    assert list(r.params.index) == names == list(f["term"])
    np.testing.assert_array_equal(r.params.to_numpy(), r.coef)
    np.testing.assert_array_equal(r.cov.to_numpy(), r.vcov)
    assert list(r.cov.index) == names == list(r.cov.columns)
    pd.testing.assert_series_equal(r.tvalues, r.statistics)
    np.testing.assert_array_equal(r.params.to_numpy(), f["estimate"])
    np.testing.assert_array_equal(r.std_errors.to_numpy(), f["std_error"])
    np.testing.assert_array_equal(r.statistics.to_numpy(), f["statistic"])
    np.testing.assert_array_equal(r.pvalues.to_numpy(), f["p_value"])
    np.testing.assert_allclose(r.std_errors.to_numpy(), np.sqrt(np.diag(r.vcov)), rtol=1e-15)
    np.testing.assert_array_equal(r.conf_int().to_numpy(), f[["ci_lower", "ci_upper"]].to_numpy())
    np.testing.assert_array_equal(r.conf_int(0.9).to_numpy(), r.to_frame(level=0.9)[["ci_lower", "ci_upper"]])


def test_regterm_uses_the_test_vocabulary(results):
    fit = results["logit"]
    one = fit.regterm("F_SEX")
    assert one.pvalues.iloc[0] == one.p_value
    assert one.statistics.iloc[0] == pytest.approx(fit.statistics["F_SEXFemale"] ** 2, rel=1e-12)
    assert one.pvalues.iloc[0] == pytest.approx(fit.pvalues["F_SEXFemale"], rel=1e-9)


def test_topline(results):
    r = results["topline"]
    kind = r.to_frame()["kind"].to_numpy()
    assert (kind == "net").any()
    _check_rows(r, covered=kind != "net")
    assert r.estimates.index.name == "level"
    assert r.cov.shape == ((kind != "net").sum(),) * 2
    assert r.estimates["Very concerned"] == r.to_frame().set_index("level").loc["Very concerned", "estimate"]


def test_crosstab(results):
    r = results["crosstab"]
    kind = r.to_frame()["kind"].to_numpy()
    assert (kind == "net").any()
    _check_rows(r, covered=kind != "net")
    assert r.estimates.index.names == ["F_SEX", "level"]
    assert r.test.pvalues.iloc[0] == r.test.p_value


def test_weight_summary(results):
    r = results["weight_summary"]
    f = r.to_frame().set_index("statistic")["value"]
    for name in ("n", "deff", "ess", "moe", "min", "max", "cv"):
        assert f[name] == getattr(r, name)


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("mean", "estimates"),
        ("mean", "estimate"),
        ("mean", "vcov"),
        ("chisq", "p_value"),
        ("chisq", "pvalues"),
        ("logit", "coef"),
        ("logit", "tvalues"),
        ("logit", "params"),
        ("topline", "cov"),
        ("crosstab", "vcov"),
    ],
)
def test_names_are_read_only(results, kind, name):
    with pytest.raises(AttributeError):
        setattr(results[kind], name, None)


def test_text_tables_keep_each_row_on_one_line():
    from pewlike.resultbase import frame_text

    labels = ["Yes\nreally", "No\r\nway", "Tab\there", "Line\u2028sep", "  indented"]
    frame = pd.DataFrame({"level\n(answer)": labels, "n": [1, 2, 3, 4, 5]})
    lines = frame_text(frame).split("\n")
    assert len(lines) == 6 and lines[0].split() == ["level", "(answer)", "n"]
    width = len("level (answer)")
    assert [ln[:width].rstrip() for ln in lines[1:]] == ["Yes really", "No way", "Tab here", "Line sep", "  indented"]
    assert [ln[width:].strip() for ln in lines[1:]] == ["1", "2", "3", "4", "5"]
