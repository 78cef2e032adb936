"""A wide file (an ATP wave has hundreds of columns, over 100 numeric) gives no pandas PerformanceWarning."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyreadstat
import pytest

import pewlike as pw

ANSWERS = ["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"]
CONCERN = {**dict(enumerate(ANSWERS, 1)), 99: "Refused"}


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    rng = np.random.default_rng(5)
    n = 200
    cols, labels = {}, {}
    for i in range(120):
        cols[f"N{i}"] = rng.normal(size=n)  # numbers: pandas counts their blocks
    for i in range(20):
        cols[f"Q{i}_W99"] = rng.choice([1.0, 2.0, 3.0, 4.0, 99.0], n)
        labels[f"Q{i}_W99"] = CONCERN
    for b in "abcd":
        cols[f"SM{b}_W99"] = rng.choice([0.0, 1.0], n)
        labels[f"SM{b}_W99"] = {1: "Selected", 0: "Not selected"}
    cols["F_SEX"] = rng.choice([1.0, 2.0], n)
    labels["F_SEX"] = {1: "Male", 2: "Female"}
    cols["WEIGHT_W99"] = rng.uniform(0.3, 3.0, n)
    path = tmp_path_factory.mktemp("wide") / "wide.sav"
    pyreadstat.write_sav(pd.DataFrame(cols), str(path), variable_value_labels=labels)
    return pw.read(path)


@pytest.mark.parametrize(
    "verb",
    [
        lambda s: s.assign(X="Q1_W99 == 'Very concerned'").mean("X"),
        lambda s: s.recode("Q1", {"Concerned": [1, 2], "Not": [3, 4]}, name="C2").topline("C2"),
        lambda s: s.score("Q2", dict(zip(ANSWERS, [4, 3, 2, 1]))).mean("Q2_score"),
        lambda s: s.scale(["Q1", "Q2", "Q3"], name="IDX"),
        lambda s: s.select_all(["SMa_W99", "SMb_W99", "SMc_W99", "SMd_W99"]),
        lambda s: s.crosstab("Q3", "F_SEX", nets="auto"),
        lambda s: s.topline("Q4", nets="auto"),
    ],
    ids=["assign", "recode", "score", "scale", "select_all", "crosstab", "topline"],
)
def test_no_fragmentation_warning(wide, verb):
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        verb(wide)


def test_nets_of_a_wide_file_are_the_shares_of_their_answers(wide):
    top = wide.topline("Q5", nets="auto").to_frame()
    data = wide.data
    answered = data["Q5_W99"].isin(ANSWERS)
    w = data["WEIGHT_W99"][answered]
    concerned = data["Q5_W99"][answered].isin(["Very concerned", "Somewhat concerned"])
    net = top[top["kind"] == "net"]["estimate"].iloc[0]
    assert net == pytest.approx(float(w[concerned].sum() / w.sum()), rel=1e-12)
