"""Nets after relabelling equal R's svyciprop / svymean on the recoded variable (issue #11).

Reference: ``tests/reference/labels/make_labels_reference.R`` (a seeded stratified cluster
sample, written by R to ``labels_data.csv``; values in ``reference_labels.json``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pewlike as pw

HERE = Path(__file__).resolve().parents[1] / "reference" / "labels"
REF = json.loads((HERE / "reference_labels.json").read_text())
ANSWERS = {
    1: "Very concerned",
    2: "Somewhat concerned",
    3: "Not too concerned",
    4: "Not at all concerned",
    99: "Refused",
}
# new labels (a DataFrame's categoricals have no SPSS codes: by label), hostile and long ones; numbers stay
NEW = {
    "Very concerned": '=HYPERLINK("http://x")  worried a great deal',
    "Somewhat concerned": "<b>Somewhat</b> & worried",
    "Not too concerned": "Hardly worried " + "at all, " * 30,
    "Not at all concerned": "Not worried",
}


def _survey() -> pw.Survey:
    raw = pd.read_csv(HERE / "labels_data.csv")
    q = pd.Categorical.from_codes(
        raw["q"].map({c: i for i, c in enumerate(ANSWERS)}).to_numpy(), categories=list(ANSWERS.values())
    )
    frame = raw.drop(columns="q").assign(q=q)
    return pw.Survey(frame, weights="weight", strata="stratum", psu="psu", nest=True)


def _close(actual: float, expected: str) -> None:
    assert actual == pytest.approx(float(expected), rel=1e-6)


@pytest.fixture(scope="module")
def relabelled() -> pw.Survey:
    return _survey().relabel("q", NEW, name="Concern")


def test_relabelled_nets_equal_r_on_the_recoded_variable(relabelled):
    t = relabelled.topline("q", nets="auto").to_frame()
    nets = t[t["kind"] == "net"].reset_index(drop=True)
    assert len(nets) == 2
    new = [" ".join(v.split()) for v in NEW.values()]
    assert [str(x) for x in t.loc[t["kind"] == "response", "level"]] == new  # renamed, in code order
    for row, ref in zip(nets.itertuples(), REF["nets"]):
        _close(row.estimate, ref["estimate"])
        _close(row.std_error, ref["std_error"])
        _close(row.ci_lower, ref["ci_lower"])
        _close(row.ci_upper, ref["ci_upper"])
        _close(row.deff, ref["deff"])
    rec = REF["recoded"]
    _close(nets["estimate"].iloc[0], rec["estimate"][0])
    _close(nets["estimate"].iloc[1], rec["estimate"][1])
    _close(nets["std_error"].iloc[0], rec["std_error"][0])


def test_relabelled_nets_by_group_equal_r_svyby(relabelled):
    ct = relabelled.crosstab("q", "group", nets="auto", letters=False)
    f = ct.to_frame()
    assert ct.by_label == "group"
    for i, ref in enumerate(REF["nets"]):
        net = f[f["kind"] == "net"]
        label = list(dict.fromkeys(net["level"].astype(str)))[i]
        for g, est, se, lo, hi in zip(
            ref["by_group"], ref["by_estimate"], ref["by_std_error"], ref["by_ci_lower"], ref["by_ci_upper"]
        ):
            row = net[(net["level"].astype(str) == label) & (net["group"].astype(str) == g)].iloc[0]
            _close(row["estimate"], est)
            _close(row["std_error"], se)
            _close(row["ci_lower"], lo)
            _close(row["ci_upper"], hi)


def test_relabelling_changes_no_number():
    before = _survey().topline("q", nets="auto").to_frame()
    after = _survey().relabel("q", NEW).topline("q", nets="auto").to_frame()
    cols = ["estimate", "std_error", "ci_lower", "ci_upper", "deff", "n"]
    np.testing.assert_array_equal(before[cols].to_numpy(), after[cols].to_numpy())
    assert before["level"].astype(str).tolist()[:4] == list(ANSWERS.values())[:4]
