"""Select-all shares, NET Any, number selected and paired grid differences against R survey.

Reference values: tests/reference/batteries/make_batteries_reference.R (R survey 4.1) on the
seeded files of make_batteries.py; 1e-6 relative.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.io.codebook import Codebook

REF = Path(__file__).resolve().parents[1] / "reference" / "batteries"
R = json.loads((REF / "reference_batteries.json").read_text())
SEL = {1.0: "Selected", 2.0: "Not selected", 9.0: "Refused"}
SCALE = {1.0: "A lot", 2.0: "Some", 3.0: "Not much", 4.0: "Not at all", 9.0: "Refused"}
NETS = {"NET A lot/Some": ["A lot", "Some"], "NET Not much/Not at all": ["Not much", "Not at all"]}
ITEM_WORDS = ["Read the news", "Watched a film", "Went for a walk", "Called a friend", "Cooked a meal"]


def _cat(x: pd.Series, labels: dict[float, str]) -> pd.Categorical:
    return pd.Categorical(x.map(labels), categories=list(labels.values()), ordered=False)


def _survey(key: str) -> tuple[pw.Survey, list[str], str | None]:
    d = pd.read_csv(REF / f"battery_{key}.csv")
    items = [c for c in d.columns if c.startswith("q") and c != "qnone"]
    none = "qnone" if "qnone" in d.columns else None
    labels = {c: f"Which of these did you do yesterday? {ITEM_WORDS[i]}" for i, c in enumerate(items)}
    if none:
        labels[none] = "Which of these did you do yesterday? None of these"
    for c in [*items, *([none] if none else [])]:
        d[c] = _cat(d[c], SEL)
    for g in ("g1", "g2", "g3"):
        d[g] = _cat(d[g], SCALE)
        labels[g] = f"How much do you trust them? Group {g[1]}"
    d["grp"] = pd.Categorical(d["grp"].map({1: "One", 2: "Two", 3: "Three"}), categories=["One", "Two", "Three"])
    d["grpm"] = pd.Categorical(d["grpm"].map({1: "One", 2: "Two", 3: "Three"}), categories=["One", "Two", "Three"])
    design = dict(strata="stratum", psu="psu", nest=True) if key == "complex" else {}
    svy = pw.Survey(d, weights="w", codebook=Codebook.from_frame(d, labels=labels), **design)
    return svy, items, none


def _close(got: float, want: float | None) -> None:
    assert want is not None
    assert got == pytest.approx(want, rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("key", ["complex", "simple"])
def test_item_shares_net_any_and_count_match_r(key):
    svy, items, none = _survey(key)
    ref = R[key]
    sa = svy.select_all([*items, *([none] if none else [])])
    f = sa.to_frame()
    assert sa.n == ref["n_base"]
    for item in [*items, *([none] if none else [])]:
        row = f[f["item"] == item].iloc[0]
        for col in ("estimate", "std_error", "deff", "ci_lower", "ci_upper"):
            _close(float(row[col]), ref["items"][item][col])
    net = f[f["kind"] == "net"].iloc[0]
    assert net["level"] == "NET Any"
    for col in ("estimate", "std_error", "deff", "ci_lower", "ci_upper"):
        _close(float(net[col]), ref["net_any"][col])
    for col in ("estimate", "std_error", "deff"):
        _close(float(sa.count[col].iloc[0]), ref["count"][col])
    if none:
        assert f["kind"].iloc[-1] == "none" and f["level"].iloc[-1] == "None of these"


@pytest.mark.parametrize("key", ["complex", "simple"])
def test_base_all_counts_the_not_asked_as_not_selecting(key):
    svy, items, _ = _survey(key)
    f = svy.select_all(items, base="all").to_frame()
    for item in items:
        row = f[f["item"] == item].iloc[0]
        for col in ("estimate", "std_error", "deff"):
            _close(float(row[col]), R[key]["all"][item][col])


@pytest.mark.parametrize("key", ["complex", "simple"])
def test_by_groups_and_their_contrast_match_r(key):
    svy, items, _ = _survey(key)
    sa = svy.select_all(items, by="grp")
    f = sa.to_frame()
    assert "letters" in f.columns and list(f.columns[:3]) == ["variable", "level", "grp"]
    for item in items:
        rows = f[f["item"] == item]
        ref = R[key]["by"][item]
        np.testing.assert_allclose(rows["estimate"].to_numpy(float), ref["estimate"], rtol=1e-6)
        np.testing.assert_allclose(rows["std_error"].to_numpy(float), ref["std_error"], rtol=1e-6)
    # the letters' contrast: group One minus group Two of the first item, with the design covariance
    from pewlike.design.frame import frame_of
    from pewlike.estimation.estimators import proportion
    from pewlike.estimation.indicators import battery_columns, selected_matrix
    from pewlike.tables.selectall import indicator_frame

    sf = frame_of(svy)
    bat = battery_columns(sf, items)
    Y = selected_matrix(sf.data, bat, {c: sf.codebook.variables[c].missing for c in bat.columns})
    asked = np.isfinite(Y).any(axis=1)
    sf2 = indicator_frame(sf, {"x": np.where(asked, np.nan_to_num(Y[:, 0]), np.nan)}, {"x": "x"})
    est = proportion(sf2, "x", by="grp")
    pos = np.flatnonzero(est.to_frame()["level"].astype(str).to_numpy() == "Selected")
    V = est.vcov[np.ix_(pos, pos)]
    e = est.to_frame()["estimate"].to_numpy()[pos]
    _close(float(e[0] - e[1]), R[key]["by"][items[0]]["diff12"])
    _close(float(np.sqrt(V[0, 0] + V[1, 1] - 2 * V[0, 1])), R[key]["by"][items[0]]["diff12_se"])


@pytest.mark.parametrize("key", ["complex", "simple"])
def test_grid_paired_difference_matches_svycontrast(key):
    svy, _, _ = _survey(key)
    g = svy.grid(["g1", "g2", "g3"], nets=NETS, compare=("g1", "g2"))
    comp = g.comparison().set_index("level")
    keys = {"A lot": "1", "Some": "2", "Not much": "3", "Not at all": "4"}
    keys.update({"NET A lot/Some": "1+2", "NET Not much/Not at all": "3+4"})
    assert list(comp.index) == list(keys)
    for level, k in keys.items():
        ref = R[key]["compare"][k]
        for col in ("estimate_a", "estimate_b", "difference", "std_error"):
            _close(float(comp.loc[level, col]), ref[col])
        t = ref["difference"] / ref["std_error"]
        from scipy import stats

        _close(float(comp.loc[level, "p_value"]), float(2 * stats.t.sf(abs(t), ref["degf"])))


@pytest.mark.parametrize("key", ["complex", "simple"])
def test_letters_use_the_df_of_the_base_with_a_group(key):
    """Letters' p-values: svycontrast on svyby, t on degf(subset(design, asked & !is.na(by))) (#14)."""
    svy, items, none = _survey(key)
    ref = R[key]["letters"]
    sa = svy.select_all([*items, *([none] if none else [])], by="grpm")
    assert sa.df == ref["degf"] and ref["degf"] < ref["degf_design"]  # not the design's df
    groups = ["One", "Two", "Three"]
    for item in [*items, *([none] if none else []), "NET Any"]:
        want = ref["items"]["net_any" if item == "NET Any" else item]
        got = sa.pairs[sa.pairs["level"] == "NET Any"] if item == "NET Any" else sa.pairs[sa.pairs["item"] == item]
        assert got["a"].tolist() == [groups[int(i) - 1] for i in want["a"]]
        assert got["b"].tolist() == [groups[int(i) - 1] for i in want["b"]]
        for col in ("difference", "std_error", "p_value", "p_adjusted"):
            np.testing.assert_allclose(got[col].to_numpy(float), want[col], rtol=1e-6)
    # the letters follow from those adjusted p-values
    f = sa.to_frame()
    for item in items:
        t = sa.pairs[sa.pairs["item"] == item]
        rows = f[f["item"] == item]
        for g_i, g in enumerate(rows["grpm"].astype(str)):
            above = t[((t["a"] == g) & (t["difference"] > 0)) | ((t["b"] == g) & (t["difference"] < 0))]
            other = [b if a == g else a for a, b in zip(above["a"], above["b"])]
            sig = [o for o, p in zip(other, above["p_adjusted"]) if p < 0.05]
            assert rows["letters"].iloc[g_i] == "".join(sorted(chr(65 + groups.index(o)) for o in sig))


@pytest.mark.parametrize("key", ["complex", "simple"])
@pytest.mark.parametrize("sort", ["asked", "share"])
def test_select_all_cov_is_svymean_vcov(key, sort):
    svy, items, none = _survey(key)
    sa = svy.select_all([*items, *([none] if none else [])], sort=sort)
    want = np.asarray(R[key]["cov"]["vcov"])
    order = [*items, "NET Any", *([none] if none else [])]  # R's order
    f = sa.to_frame()
    pos = [
        int(np.flatnonzero((f["level"] == "NET Any").to_numpy() if o == "NET Any" else (f["item"] == o).to_numpy())[0])
        for o in order
    ]
    got = sa.cov.to_numpy()[np.ix_(pos, pos)]
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-14)
    assert list(sa.cov.index) == list(f["level"])
    assert list(f.columns[:9]) == [
        "variable",
        "level",
        "estimate",
        "std_error",
        "ci_lower",
        "ci_upper",
        "deff",
        "n",
        "item",
    ]


@pytest.mark.parametrize("key", ["complex", "simple"])
def test_select_all_cov_by_group_is_svyby_vcov(key):
    svy, items, none = _survey(key)
    sa = svy.select_all([*items, *([none] if none else [])], by="grp")
    want = np.asarray(R[key]["cov_by"]["vcov"])  # variable major, groups fastest: as the frame
    np.testing.assert_allclose(sa.cov.to_numpy(), want, rtol=1e-6, atol=1e-14)
    np.testing.assert_allclose(np.sqrt(np.diag(sa.cov)), sa.to_frame()["std_error"], rtol=1e-10)


@pytest.mark.parametrize("key", ["complex", "simple"])
def test_grid_cov_matches_r(key):
    svy, _, _ = _survey(key)
    # everyone answered all three: vcov(svymean(~g1 + g2 + g3))
    both = svy.subset("g1 != 'Refused' and g2 != 'Refused' and g3 != 'Refused'")
    g = both.grid(["g1", "g2", "g3"], nets=NETS)
    np.testing.assert_allclose(g.cov.to_numpy(), np.asarray(R[key]["grid_cov"]["vcov"]), rtol=1e-6, atol=1e-14)
    # each item on its own base
    g = svy.grid(["g1", "g2", "g3"], nets=NETS)
    own = R[key]["grid_cov_own"]
    resp = g.to_frame().query("kind == 'response'")
    np.testing.assert_allclose(resp["estimate"].to_numpy(float), own["estimate"], rtol=1e-10)
    np.testing.assert_allclose(g.cov.to_numpy(), np.asarray(own["vcov"]), rtol=1e-6, atol=1e-14)
    assert list(g.cov.index.get_level_values("level")[:4]) == ["A lot", "Some", "Not much", "Not at all"]
    assert "NET A lot/Some" in set(g.to_frame()["level"])  # nets stay in the frame, not in cov


@pytest.mark.parametrize("design", ["jkn", "raked"])
def test_cov_agrees_with_the_standard_errors_on_replicate_and_raked_designs(design):
    svy, items, none = _survey("complex")
    if design == "jkn":
        svy = svy.to_replicate(reptype="JKn")
    else:
        svy = svy.rake({"grp": {"One": 0.3, "Two": 0.3, "Three": 0.4}})
    sa = svy.select_all([*items, none], by="grp")
    np.testing.assert_allclose(np.sqrt(np.diag(sa.cov)), sa.to_frame()["std_error"], rtol=1e-10)
    np.testing.assert_allclose(sa.cov.to_numpy(), sa.cov.to_numpy().T, rtol=1e-12, atol=1e-16)
    g = svy.grid(["g1", "g2", "g3"], nets=NETS)
    resp = g.to_frame().query("kind == 'response'")
    np.testing.assert_allclose(np.sqrt(np.diag(g.cov)), resp["std_error"], rtol=1e-10)
    assert np.linalg.eigvalsh(g.cov.to_numpy()).min() > -1e-12
