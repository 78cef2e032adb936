"""Pew-style toplines and crosstabs: R survey reference values, equivalences and invariances.

R fixtures: ``tests/reference/tables/reference_tables.json`` made by
``tests/reference/tables/make_tables_reference.R`` (the R call is stored beside each value; a
record's ``data`` is ``"demo"`` or a CSV path relative to ``tests/reference/tables/``).
Tolerance 1e-6 relative, as the estimator tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import EstimationError, VariableError
from pewlike.tables.crosstabs import pairwise_letters
from pewlike.tables.export import pew_percent

DATA = Path(__file__).parents[1] / "reference" / "tables"
RTOL = 1e-6
RECORDS = json.loads((DATA / "reference_tables.json").read_text())["records"]


def _survey(rec, demo):
    if rec["data"] == "demo":
        return demo
    return pw.Survey(pd.read_csv(DATA / rec["data"]), **rec["design"])


def _by_kind(kind):
    return [pytest.param(r, id=r["id"]) for r in RECORDS if r["kind"] == kind]


# ---------------------------------------------------------------------------
# against R survey
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("rec", _by_kind("net"))
def test_nets_match_r_svyciprop(rec, demo):
    nets = {"NET X": rec["members"]}
    if rec["by"] is None:
        f = demo.topline(rec["var"], base=rec["base"], nets=nets).to_frame()
        rows = f[f["kind"] == "net"]
        groups = [None]
    else:
        f = demo.crosstab(rec["var"], rec["by"], base=rec["base"], nets=nets, min_n=0).to_frame()
        rows = f[f["kind"] == "net"]
        groups = list(rows[rec["by"]].astype(str))
    assert len(rows) == len(rec["cells"])
    for cell in rec["cells"]:
        row = rows.iloc[groups.index(cell["group"])]
        assert row["level"] == "NET X"
        for key in ("estimate", "std_error", "deff", "ci_lower", "ci_upper"):
            assert row[key] == pytest.approx(cell[key], rel=RTOL), key
        assert row["n"] == cell["n"]


@pytest.mark.parametrize("rec", _by_kind("pairwise"))
def test_letter_tests_match_r_svycontrast(rec, demo):
    svy = _survey(rec, demo)
    x = svy.crosstab(rec["var"], rec["by"], min_n=0)
    assert x.df == pytest.approx(rec["df"], rel=RTOL)
    cells = x.to_frame()
    cells = cells[cells["level"] == rec["level"]]
    assert list(cells[rec["by"]].astype(str)) == rec["columns"]
    np.testing.assert_allclose(cells["estimate"], rec["estimates"], rtol=RTOL)
    tests = x.pairs[x.pairs["level"] == rec["level"]].reset_index(drop=True)
    assert len(tests) == len(rec["pairs"])
    for got, want in zip(tests.itertuples(), rec["pairs"]):
        assert (got.a, got.b) == (want["a"], want["b"])
        assert got.difference == pytest.approx(want["difference"], rel=RTOL)
        assert got.std_error == pytest.approx(want["std_error"], rel=RTOL)
        assert got.t == pytest.approx(want["t"], rel=RTOL)
        assert got.p_value == pytest.approx(want["p"], rel=RTOL, abs=1e-15)
        assert got.p_adjusted == pytest.approx(want["p_holm"], rel=RTOL, abs=1e-15)
    # the letters are exactly the significant positive differences
    letter = x.letters_of
    for want in rec["pairs"]:
        if want["p_holm"] < 0.05:
            hi, lo = (want["a"], want["b"]) if want["difference"] > 0 else (want["b"], want["a"])
            assert letter[lo] in cells.loc[cells[rec["by"]].astype(str) == hi, "letters"].item()
        else:
            for c, o in ((want["a"], want["b"]), (want["b"], want["a"])):
                assert letter[o] not in cells.loc[cells[rec["by"]].astype(str) == c, "letters"].item()


@pytest.mark.parametrize("rec", _by_kind("moe"))
def test_margin_of_error_matches_kish_formula_in_r(rec, demo):
    if rec["by"] is None:
        t = demo.topline(rec["var"], base=rec["base"])
        assert t.n == rec["n"]
        assert t.moe == pytest.approx(rec["moe"], rel=RTOL)
        assert t.deff == pytest.approx(rec["deff"], rel=RTOL)
        assert (t.to_frame()["moe"] == t.moe).all()
    else:
        x = demo.crosstab(rec["var"], rec["by"], base=rec["base"])
        i = x.columns.index(rec["group"])
        assert x.column_n[i] == rec["n"]
        assert x.column_moe[i] == pytest.approx(rec["moe"], rel=RTOL)


# ---------------------------------------------------------------------------
# the contract and Pew conventions
# ---------------------------------------------------------------------------
def test_topline_frame_keeps_the_estimates_contract(demo):
    f = demo.topline("CONCERNCO").to_frame()
    assert list(f.columns[:8]) == ["variable", "level", "estimate", "std_error", "ci_lower", "ci_upper", "deff", "n"]
    assert list(f.columns[8:]) == ["moe", "kind"]
    assert list(f["level"].astype(str)) == [
        "Very concerned",
        "Somewhat concerned",
        "Not too concerned",
        "Not at all concerned",
    ]
    assert f["estimate"].sum() == pytest.approx(1.0)
    p = demo.proportion("CONCERNCO").to_frame()
    np.testing.assert_allclose(f["estimate"], p["estimate"], rtol=1e-12)
    np.testing.assert_allclose(f["ci_lower"], p["ci_lower"], rtol=1e-12)


def test_topline_base_all_shows_refused_and_counts_everyone_asked(demo):
    t = demo.topline("TRACKCO1a", base="all")
    f = t.to_frame()
    assert list(f.loc[f["kind"] == "missing", "level"].astype(str)) == ["Refused"]
    assert f["estimate"].sum() == pytest.approx(1.0)
    asked = int(demo.data["TRACKCO1a_W49"].notna().sum())
    assert t.n == asked == t.asked == f["n"].sum()
    assert t.total == demo.n and asked < demo.n
    assert t.universe() == "Asked of Form 1, n = 2,136"  # the form that explains who was asked (#11)
    valid = demo.topline("TRACKCO1a")
    assert valid.n == asked - int((demo.data["TRACKCO1a_W49"] == "Refused").sum())


def test_auto_nets_only_for_four_point_ordinal_scales(demo):
    f = demo.topline("CONCERNCO", nets="auto").to_frame()
    nets = f[f["kind"] == "net"]
    assert list(nets["level"].astype(str)) == ["NET Very/Somewhat concerned", "NET Not too/Not at all concerned"]
    resp = f[f["kind"] == "response"].set_index(f[f["kind"] == "response"]["level"].astype(str))
    assert nets["estimate"].iloc[0] == pytest.approx(
        resp.loc[["Very concerned", "Somewhat concerned"], "estimate"].sum(), rel=1e-12
    )
    assert nets["n"].iloc[0] == resp.loc[["Very concerned", "Somewhat concerned"], "n"].sum()
    for var in ("POSNEGCO", "SECUR1", "TRACKCO1a", "F_SEX"):
        assert (demo.topline(var, nets="auto").to_frame()["kind"] != "net").all(), var


def test_topline_table_puts_nets_above_their_members_with_pew_rounding(demo):
    t = demo.topline("CONCERNCO", nets="auto", base="all")
    doc = t.table()
    rows = list(doc.frame["Response"])
    assert rows[0] == "NET Very/Somewhat concerned"
    assert rows[1].strip() == "Very concerned" and rows[1].startswith("  ")
    assert rows[-1] == "Refused"
    f = t.to_frame().set_index(t.to_frame()["level"].astype(str))
    for label, pct in zip(rows, doc.frame["%"]):
        assert pct == pew_percent(f.loc[label.strip(), "estimate"])
    assert doc.title == demo.question("CONCERNCO")
    assert any("N = 4,272" in n for n in doc.notes)


@pytest.mark.parametrize(
    "share, text",
    [
        (0.125, "13"),
        (0.124999, "12"),
        (0.285, "29"),
        (0.0049, "<1"),
        (0.005, "1"),
        (0.0, "0"),
        (1.0, "100"),
        (0.9951, ">99"),
        (float("nan"), "-"),
    ],
)
def test_pew_percent_rounding(share, text):
    assert pew_percent(share) == text
    if text == "<1":
        assert pew_percent(share, small="*") == "*"


def test_crosstab_frame_contract_and_columns(demo):
    x = demo.crosstab("CONCERNCO", "F_AGECAT")
    f = x.to_frame()
    assert list(f.columns) == [
        "variable",
        "level",
        "F_AGECAT",
        "estimate",
        "std_error",
        "ci_lower",
        "ci_upper",
        "deff",
        "n",
        "moe",
        "letters",
        "flag",
        "kind",
    ]
    assert x.columns == ("18-29", "30-49", "50-64", "65+")  # Refused age is not a column
    sums = f.groupby("F_AGECAT", observed=True)["estimate"].sum()
    np.testing.assert_allclose(sums, 1.0)
    assert tuple(f.groupby("F_AGECAT", observed=True)["n"].sum()) == x.column_n


def test_crosstab_cells_are_the_domain_proportions(demo):
    """The cells (estimate, SE, deff, n) are svy.proportion(var, by=by), itself checked against R svyby.

    The intervals are not: proportion() uses each column's df, a crosstab the one df of its
    base (tests/tables/test_crosstab_df.py); on that df they are proportion_ci's.
    """
    from pewlike.estimation.proportion_ci import prop_ci

    xt = demo.crosstab("CONCERNCO", "F_PARTYSUM_FINAL", nets="auto")
    x = xt.to_frame()
    cells = x[x["kind"] == "response"].reset_index(drop=True)
    p = demo.proportion("CONCERNCO", by="F_PARTYSUM_FINAL").to_frame()
    assert list(cells["level"].astype(str)) == list(p["level"].astype(str))
    assert list(cells["F_PARTYSUM_FINAL"].astype(str)) == list(p["F_PARTYSUM_FINAL"].astype(str))
    for key in ("estimate", "std_error", "deff"):
        np.testing.assert_allclose(cells[key], p[key], rtol=1e-12)
    assert list(cells["n"]) == list(p["n"])
    lo, hi = prop_ci(p["estimate"], p["std_error"] ** 2, xt.df, 0.95, "logit")
    np.testing.assert_allclose(cells["ci_lower"], lo, rtol=1e-12)
    np.testing.assert_allclose(cells["ci_upper"], hi, rtol=1e-12)


def test_crosstab_column_equals_topline_of_the_subset(demo):
    """Two routes to one number: a column of the crosstab is the topline of that subgroup.

    Not its interval: the subgroup's topline is on the subgroup's df, the crosstab's column on the
    df of the whole table's base (the same interval with the t quantile of the other df).
    """
    from scipy import stats

    xt = demo.crosstab("CONTROLCO", "F_EDUCCAT", nets="auto")
    x = xt.to_frame()
    sub = demo.subset(demo.data["F_EDUCCAT"] == "Some college")
    t = sub.topline("CONTROLCO", nets="auto").to_frame()
    col = x[x["F_EDUCCAT"] == "Some college"].reset_index(drop=True)
    for key in ("estimate", "std_error", "deff"):
        np.testing.assert_allclose(col[key], t[key], rtol=1e-9)
    assert list(col["n"]) == list(t["n"])
    logit = lambda v: np.log(v / (1 - v))  # noqa: E731
    n_sub = int(t["n"][t["kind"] != "net"].sum())  # weights-only design: df = respondents - 1
    ratio = stats.t.ppf(0.975, xt.df) / stats.t.ppf(0.975, n_sub - 1)
    np.testing.assert_allclose(
        logit(col["ci_upper"]) - logit(col["ci_lower"]),
        (logit(t["ci_upper"]) - logit(t["ci_lower"])) * ratio,
        rtol=1e-9,
    )


def test_crosstab_invariant_to_weight_scale_and_row_order(demo):
    data = demo.data
    x0 = demo.crosstab("UNDERSTANDCO", "F_RACETHN").to_frame()
    scaled = pw.Survey(data.assign(WEIGHT_W49=data["WEIGHT_W49"] * 7.5), weights="WEIGHT_W49", codebook=demo._codebook)
    shuffled = pw.Survey(data.sample(frac=1.0, random_state=3), weights="WEIGHT_W49", codebook=demo._codebook)
    for other in (scaled, shuffled):
        x1 = other.crosstab("UNDERSTANDCO", "F_RACETHN").to_frame()
        np.testing.assert_allclose(x1["estimate"], x0["estimate"], rtol=1e-9)
        np.testing.assert_allclose(x1["std_error"], x0["std_error"], rtol=1e-9)
        assert list(x1["letters"]) == list(x0["letters"])


def test_small_columns_are_flagged_untested_or_suppressed(demo):
    x = demo.crosstab("CONCERNCO", "F_RACETHN", min_n=500)
    small = {c for c, n in zip(x.columns, x.column_n) if n < 500}
    assert small and small != set(x.columns)
    f = x.to_frame()
    is_small = f["F_RACETHN"].astype(str).isin(small)
    assert (f.loc[is_small, "flag"] == "small base").all() and (f.loc[~is_small, "flag"] == "").all()
    assert (f.loc[is_small, "letters"] == "").all()
    letters_small = {x.letters_of[c] for c in small}
    assert not any(set(s) & letters_small for s in f["letters"])
    assert not set(x.pairs["a"]) & small and not set(x.pairs["b"]) & small
    assert "†" in "".join(x.table().frame.iloc[:, 2:].to_numpy().ravel())
    s = demo.crosstab("CONCERNCO", "F_RACETHN", min_n=500, suppress=True).to_frame()
    assert s.loc[is_small, "estimate"].isna().all() and (s.loc[is_small, "flag"] == "suppressed").all()
    assert s.loc[~is_small, "estimate"].notna().all()


def test_letters_off_and_multiplicity_choices(demo):
    none = demo.crosstab("CONCERNCO", "F_AGECAT", adjust="none")
    holm = demo.crosstab("CONCERNCO", "F_AGECAT", adjust="holm")
    bonf = demo.crosstab("CONCERNCO", "F_AGECAT", adjust="bonferroni")
    np.testing.assert_allclose(none.pairs["p_adjusted"], none.pairs["p_value"])
    assert (holm.pairs["p_adjusted"] <= bonf.pairs["p_adjusted"] + 1e-15).all()
    assert (holm.pairs["p_adjusted"] >= holm.pairs["p_value"] - 1e-15).all()
    count = lambda x: sum(len(s) for s in x.to_frame()["letters"])  # noqa: E731
    assert count(none) >= count(holm) >= count(bonf)
    off = demo.crosstab("CONCERNCO", "F_AGECAT", letters=False)
    assert (off.to_frame()["letters"] == "").all() and off.pairs is None


def test_pairwise_letters_on_a_hand_example():
    est = np.array([0.5, 0.3, 0.1])
    vcov = np.diag([1e-4, 1e-4, 1e-4])
    tests, letters = pairwise_letters(
        est, vcov, np.array([[0, 1, 2]]), np.array([True, True, True]), np.inf, adjust="none"
    )
    assert letters == [["BC", "C", ""]]
    assert tests["difference"].tolist() == pytest.approx([0.2, 0.4, 0.2])
    assert tests["std_error"].tolist() == pytest.approx([np.sqrt(2e-4)] * 3)


def test_crosstab_rao_scott_p_equals_svychisq(demo):
    """svychisq on the respondents who answered both questions (the table's base, its one df)."""
    x = demo.crosstab("CONCERNCO", "F_EDUCCAT")
    sub = demo.subset(demo._valid("F_EDUCCAT") & demo._valid("CONCERNCO"))
    want = sub.chisq("CONCERNCO", "F_EDUCCAT")
    assert x.test.p_value == pytest.approx(want.p_value, rel=1e-12)
    assert x.test.df[1] == pytest.approx(want.df[1], rel=1e-12)
    assert want.df[1] == pytest.approx(want.df[0] * sub.degf, rel=1e-12) and sub.degf == x.df
    assert "Rao-Scott F(" in x.test_note()


def test_banner_has_a_column_per_group_with_letters_restarting(demo):
    from pewlike.tables import banner

    tabs = [demo.crosstab("POSNEGGOV", by) for by in ("F_SEX", "F_PARTYSUM_FINAL")]
    doc = banner(tabs, name="posneggov_banner")
    assert list(doc.frame.columns) == [
        "Response",
        "Total",
        "Male (A)",
        "Female (B)",
        "Rep/Lean Rep (A)",
        "Dem/Lean Dem (B)",
    ]
    assert doc.groups == (("", 2), ("Sex", 2), ("Party summary (with leaners)", 2))
    assert list(doc.frame["Response"][-2:]) == ["Unweighted N", "Margin of error (± points)"]
    f = tabs[1].to_frame()
    rep = f[(f["F_PARTYSUM_FINAL"] == "Rep/Lean Rep")].set_index("level", drop=False)
    first = doc.frame["Response"].iloc[0]
    cell = doc.frame["Rep/Lean Rep (A)"].iloc[0]
    assert cell.split(" ")[0] == pew_percent(rep.loc[first, "estimate"])
    with_ci = banner(tabs, ci=True).frame["Rep/Lean Rep (A)"].iloc[0]
    lo, hi = rep.loc[first, "ci_lower"], rep.loc[first, "ci_upper"]
    assert with_ci.startswith(cell) and with_ci.endswith(f"[{100 * lo:.0f}-{100 * hi:.0f}]")


def test_bad_input_messages(demo):
    with pytest.raises(VariableError, match="numeric"):
        demo.crosstab("QKEY", "F_SEX")
    with pytest.raises(VariableError, match="numeric"):
        demo.crosstab("CONCERNCO", "WEIGHT_W49")
    with pytest.raises(VariableError, match="did you mean"):
        demo.topline("CONCERNC0")
    with pytest.raises(EstimationError, match="base='every'"):
        demo.topline("CONCERNCO", base="every")
    with pytest.raises(EstimationError, match="adjust='fdr'"):
        demo.crosstab("CONCERNCO", "F_SEX", adjust="fdr")
    with pytest.raises(EstimationError, match="not a response"):
        demo.topline("CONCERNCO", nets={"NET x": ["Very concernd"]})
    with pytest.raises(EstimationError, match="two different"):
        demo.crosstab("CONCERNCO", "CONCERNCO")


def test_model_table_shows_odds_ratios_stars_n_and_df(demo):
    from pewlike.tables import model_table, stars

    fit = demo.logit("CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ F_AGECAT + F_SEX")
    doc = model_table(fit, name="concern")
    f = fit.to_frame().set_index("term")
    assert list(doc.frame.columns) == ["Term", "Odds ratio", "95% CI", "p"]
    # readable terms: the variable's label, the level, the reference category
    assert list(doc.frame["Term"]) == [
        "Age category: 30-49 (vs. 18-29)",
        "Age category: 50-64 (vs. 18-29)",
        "Age category: 65+ (vs. 18-29)",
        "Sex: Female (vs. Male)",
    ]
    raw = ["F_AGECAT30-49", "F_AGECAT50-64", "F_AGECAT65+", "F_SEXFemale"]
    for term, row in zip(raw, doc.frame.itertuples()):
        beta, p = f.loc[term, "estimate"], f.loc[term, "p_value"]
        assert row._2 == f"{np.exp(beta):.2f}{stars(p)}"
        lo, hi = np.exp(f.loc[term, ["ci_lower", "ci_upper"]])
        assert row._3 == f"{lo:.2f} - {hi:.2f}"
    assert any(f"N = {fit.n_obs:,} respondents; design degrees of freedom = {fit.df_resid:g}" in n for n in doc.notes)
    assert [stars(x) for x in (0.0004, 0.004, 0.04, 0.4)] == ["***", "**", "*", ""]
    coefs = model_table(fit, name="concern_b", odds=False)
    assert coefs.frame.columns[1] == "Coefficient"
    assert coefs.frame["Coefficient"].iloc[0].startswith(f"{f.loc['F_AGECAT30-49', 'estimate']:.2f}")


def test_methods_statement_for_sample_and_groups(demo):
    from pewlike.tables import methods_statement

    m = methods_statement(demo, ["F_AGECAT", "F_SEX"])
    f = m.to_frame()
    assert f.iloc[0]["n"] == demo.n and f.iloc[0]["moe"] == pytest.approx(pw.moe(demo), rel=1e-12)
    young = demo.subset(demo.data["F_AGECAT"] == "18-29")
    row = f[(f["group"] == "Age category") & (f["level"] == "18-29")].iloc[0]
    assert row["n"] == young.n and row["moe"] == pytest.approx(pw.moe(young), rel=1e-12)
    assert list(f["level"][1:]) == ["18-29", "30-49", "50-64", "65+", "Male", "Female"]
    assert m.text() == (
        f"n = 4,272; margin of sampling error ±{f.iloc[0]['moe']:.1f} points, including the "
        f"design effect of {f.iloc[0]['deff']:.2f}"
    )
    doc = m.table()
    assert list(doc.frame["Group"][:3]) == ["Total sample", "Age category", "  18-29"]


def test_missing_rows_come_last_whatever_their_codes():
    """A file coding Refused -2 and Don't know -1 (before the answers): the table lists them after."""
    rng = np.random.default_rng(31)
    n = 800
    cats = ["Refused", "Don't know", "Agree", "Neither", "Disagree"]
    q = rng.choice(cats, n, p=[0.04, 0.06, 0.4, 0.2, 0.3])
    df = pd.DataFrame(
        {
            "Q": pd.Categorical(q, categories=cats, ordered=True),
            "SEX": pd.Categorical(rng.choice(["Male", "Female"], n)),
            "w": rng.gamma(4, 0.25, n),
        }
    )
    svy = pw.Survey(df, weights="w")
    t = svy.topline("Q", base="all")
    assert t.to_frame()["level"].tolist() == cats  # the estimates keep R's (category) order
    doc = t.table().frame
    assert doc["Response"].tolist() == ["Agree", "Neither", "Disagree", "Refused", "Don't know"]
    for lab, pct in zip(doc["Response"], doc["%"]):
        share = np.average(q == lab, weights=df["w"])
        assert pct == pew_percent(share)
    tab = svy.crosstab("Q", "SEX", base="all").table().frame
    assert tab["Response"].tolist()[:5] == ["Agree", "Neither", "Disagree", "Refused", "Don't know"]
    male = (df["SEX"] == "Male").to_numpy()
    col = next(c for c in tab.columns if c.startswith("Male"))
    for lab, cell in zip(tab["Response"][:5], tab[col][:5]):
        share = np.average(q[male] == lab, weights=df["w"][male])
        assert cell.split()[0] == pew_percent(share)
