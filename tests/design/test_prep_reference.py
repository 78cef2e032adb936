"""Data preparation against R survey 4.1: estimates among a named universe, a recoded variable's
proportions and a score's mean, with their SEs.

R fixtures: ``tests/reference/prep/prep_reference.json`` and ``prep_data.csv``, made by
``tests/reference/prep/make_prep_reference.R`` (the R call is written beside every value).
The data's ``concern`` and ``reg`` are SPSS-style codes; here they become labelled
variables with :meth:`pewlike.Survey.assign` (``value_labels=``), so 99 is a missing code
("Refused") as it is ``NA`` in R.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pewlike as pw

DATA = Path(__file__).resolve().parents[1] / "reference" / "prep"
RECORDS = json.loads((DATA / "prep_reference.json").read_text())["records"]
RTOL = 1e-6
CONCERN = {
    1: "Very concerned",
    2: "Somewhat concerned",
    3: "Not too concerned",
    4: "Not at all concerned",
    99: "Refused",
}
REG = {1: "Registered", 2: "Probably registered", 3: "Not registered"}


def _survey(rec: dict) -> pw.Survey:
    df = pd.read_csv(DATA / "prep_data.csv")
    df = df[df["sample"] == rec["sample"]].reset_index(drop=True)
    svy = pw.Survey(df, **rec["design"])
    return svy.assign(concern=df["concern"], reg=df["reg"], value_labels={"concern": CONCERN, "reg": REG})


def _check(frame: pd.DataFrame, rec: dict) -> None:
    np.testing.assert_allclose(frame["estimate"].to_numpy(), np.atleast_1d(rec["estimate"]), rtol=RTOL)
    np.testing.assert_allclose(frame["std_error"].to_numpy(), np.atleast_1d(rec["std_error"]), rtol=RTOL)


def _records(*kinds: str) -> list[dict]:
    return [r for r in RECORDS if r["kind"] in kinds]


def test_fixture_covers_both_designs_and_every_kind():
    assert {r["sample"] for r in RECORDS} == {"strat", "clus1"}
    assert len(RECORDS) == 12


@pytest.mark.parametrize("rec", _records("subset_mean", "subset_proportion"), ids=lambda r: r["id"])
def test_named_universe_matches_r_subset(rec):
    voters = _survey(rec).subset("reg in [1, 2]", name="Registered voters")
    if rec["kind"] == "subset_mean":
        est = voters.mean("api00")
    else:
        est = voters.proportion("concern")
        assert est.to_frame()["level"].tolist() == [CONCERN[k] for k in (1, 2, 3, 4)]
    assert est.to_frame().attrs["universe"] == "Registered voters"
    _check(est.to_frame(), rec)
    # the subset by label is the same domain
    by_label = _survey(rec).subset("reg in ['Registered', 'Probably registered']")
    other = by_label.mean("api00") if rec["kind"] == "subset_mean" else by_label.proportion("concern")
    _check(other.to_frame(), rec)


@pytest.mark.parametrize("rec", _records("recode", "subset_recode"), ids=lambda r: r["id"])
def test_recoded_proportions_match_r(rec):
    svy = _survey(rec)
    if rec["kind"] == "subset_recode":
        svy = svy.subset("reg <= 2", name="Registered voters")
    recoded = svy.recode("concern", {"Concerned": [1, 2], "Not concerned": ["Not too concerned", 4]}, name="conc2")
    frame = recoded.proportion("conc2").to_frame()
    assert frame["level"].tolist() == ["Concerned", "Not concerned"]
    _check(frame, rec)


@pytest.mark.parametrize("rec", _records("recode_keep"), ids=lambda r: r["id"])
def test_recode_keeping_other_categories_matches_r(rec):
    recoded = _survey(rec).recode("reg", {"Registered": [1, 2]}, other="keep")
    frame = recoded.proportion("reg").to_frame()
    # R's factor levels sort alphabetically: "Not registered", "Registered"
    frame = frame.set_index("level").loc[["Not registered", "Registered"]].reset_index()
    _check(frame, rec)


@pytest.mark.parametrize("rec", _records("score"), ids=lambda r: r["id"])
def test_score_mean_matches_r(rec):
    scored = _survey(rec).score("concern", {1: 4, 2: 3, 3: 2, 4: 1})
    _check(scored.mean("concern_score").to_frame(), rec)
