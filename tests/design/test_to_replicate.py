"""Survey.to_replicate() against R's as.svrepdesign.

Fixtures from ``tests/reference/design/make_conversion_reference.R``; a record's ``data`` is a
CSV path relative to ``tests/reference/design/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import DesignError

DATA = Path(__file__).parents[1] / "reference" / "design"
RECORDS = json.loads((DATA / "conversion_reference.json").read_text())["records"]


@pytest.mark.parametrize("rec", RECORDS, ids=[r["id"] for r in RECORDS])
def test_matches_as_svrepdesign(rec):
    svy = pw.Survey(pd.read_csv(DATA / rec["data"]), **rec["design"]).to_replicate(**rec["convert"])
    res = getattr(svy, rec["method"])(**rec["kwargs"]).to_frame()
    np.testing.assert_allclose(
        res["estimate"], rec["estimate"] if isinstance(rec["estimate"], list) else [rec["estimate"]], rtol=1e-9
    )
    np.testing.assert_allclose(
        res["std_error"], rec["std_error"] if isinstance(rec["std_error"], list) else [rec["std_error"]], rtol=1e-9
    )


def test_conversion_rules_follow_r(strat, apiclus1):
    with pytest.raises(DesignError, match="JK1 cannot be used for a stratified design; use reptype='JKn'"):
        strat.to_replicate("JK1")
    clus = pw.Survey(apiclus1, weights="pw", psu="dnum")
    with pytest.raises(DesignError, match="needs a stratified design"):
        clus.to_replicate("JKn")
    with pytest.raises(DesignError, match="already has replicate weights"):
        clus.to_replicate("JK1").to_replicate("JK1")
    with pytest.raises(DesignError, match="needs rho="):
        strat.to_replicate("Fay")


def test_bootstrap_is_reproducible_and_close_to_linearisation(apiclus1):
    svy = pw.Survey(apiclus1, weights="pw", psu="dnum")
    a = svy.to_replicate("bootstrap", replicates=200, seed=11).mean("api00").to_frame()
    b = svy.to_replicate("bootstrap", replicates=200, seed=11).mean("api00").to_frame()
    lin = svy.mean("api00").to_frame()
    assert a["std_error"][0] == b["std_error"][0]
    assert a["estimate"][0] == pytest.approx(lin["estimate"][0], rel=1e-12)
    # a 200-replicate bootstrap SE is within 25% of the linearisation SE of 15 clusters
    assert a["std_error"][0] == pytest.approx(lin["std_error"][0], rel=0.25)


def test_replicate_domain_estimates_equal_subset(apiclus1):
    svy = pw.Survey(apiclus1, weights="pw", psu="dnum").to_replicate("JK1")
    by = svy.mean("api00", by="stype").to_frame().set_index("stype")
    sub = svy.subset(svy.data["stype"] == "H").mean("api00").to_frame()
    assert sub["std_error"][0] == pytest.approx(by.loc["H", "std_error"], rel=1e-12)
