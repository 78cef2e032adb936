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
