"""Weighting checked against R ``survey`` 4.1 (fixtures from
``tests/reference/weighting/make_weighting_reference.R``).

Each case in ``tests/reference/weighting/survey.json`` builds a design from a CSV (a path
relative to ``tests/reference/weighting/``: R's api data in ``tests/reference/estimation/``, or
its JK1 replicate version beside the fixture) or from the demo survey's complete cases of its
raking variables, applies one or more weighting steps -- the R call is stored beside pewlike's
arguments -- and compares

* the final weights (and replicate weights) row by row, and
* means, totals, proportions and domain means with their standard errors,

to 1e-6 relative.  R raked to convergence (epsilon 1e-13) and pewlike rakes to ``tol=1e-10``,
so the weights agree whatever the stopping rule.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pewlike as pw

DATA = Path(__file__).parents[1] / "reference" / "weighting"
FIXTURE = DATA / "survey.json"
RTOL = 1e-6


def _cases():
    return [pytest.param(c, id=c["id"]) for c in json.loads(FIXTURE.read_text())["cases"]]


@functools.cache
def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name)


def _survey(case) -> pw.Survey:
    if case["data"] == "demo":
        demo = pw.demo()
        keep = np.ones(demo.n, dtype=bool)
        for col in case["filter"]["complete"]:
            keep &= demo._valid(col)
        return pw.Survey(demo._data[keep], weights="WEIGHT_W49", codebook=demo._codebook)
    return pw.Survey(_csv(case["data"]).copy(), **case["design"])


def _targets(m):
    levels = [tuple(x) if isinstance(x, list) else x for x in m["levels"]]
    return dict(zip(levels, m["values"]))


def _vars(v):
    return [v] if isinstance(v, str) else list(v)  # R's JSON writer unboxes one-element vectors


def _margins(ms):
    out = {}
    for m in ms:
        v = _vars(m["vars"])
        out[v[0] if len(v) == 1 else tuple(v)] = _targets(m)
    return out


def apply_step(svy: pw.Survey, step) -> pw.Survey:
    a = step["args"]
    op = step["op"]
    if op == "rake":
        return svy.rake(_margins(a["margins"]), tol=a["tol"], max_iter=a["max_iter"])
    if op == "poststratify":
        return svy.poststratify(_vars(a["vars"]), _targets(a))
    if op == "calibrate":
        bounds = tuple(a["bounds"]) if a.get("bounds") else None
        extra = {"epsilon": a["epsilon"]} if "epsilon" in a else {}
        if "formula" in a:
            return svy.calibrate(
                a["totals"], formula=a["formula"], calfun=a.get("calfun", "linear"), bounds=bounds, **extra
            )
        return svy.calibrate(_margins(a["margins"]), calfun=a["calfun"], bounds=bounds, **extra)
    if op == "trim":
        return svy.trim_weights(
            lower=a.get("lower"),
            upper=a.get("upper"),
            quantiles=a.get("quantiles", False),
            strict=a.get("strict", False),
        )
    raise AssertionError(f"unknown op {op}")


@functools.cache
def _weighted(case_id: str):
    case = next(c for c in json.loads(FIXTURE.read_text())["cases"] if c["id"] == case_id)
    svy = _survey(case)
    for step in case["steps"]:
        svy = apply_step(svy, step)
    return svy


@pytest.mark.parametrize("case", _cases())
def test_weights_match_r(case):
    svy = _weighted(case["id"])
    np.testing.assert_allclose(
        svy.weights.to_numpy(), np.array(case["weights"], dtype=float), rtol=RTOL, err_msg=case["steps"][-1]["r_call"]
    )
    if "repweights" in case:
        want = np.column_stack([np.array(c, dtype=float) for c in case["repweights"]])
        np.testing.assert_allclose(svy._design.repweights, want, rtol=RTOL, atol=1e-9)


def _levels(est, var):
    return [lv[len(var) :] if lv.startswith(var) else lv for lv in est["levels"]]


@pytest.mark.parametrize("case", _cases())
def test_standard_errors_match_r(case):
    svy = _weighted(case["id"])
    for est in case["estimates"]:
        var = est["var"]
        if est.get("by"):
            got = svy.mean(var, by=est["by"]).to_frame()
            got = got.assign(key=got[est["by"]].astype(str)).set_index("key").loc[est["levels"]]
        elif est.get("levels"):
            got = svy.proportion(var).to_frame()
            got = got.assign(key=got["level"].astype(str)).set_index("key").loc[_levels(est, var)]
        elif est["method"] == "total":
            got = svy.total(var).to_frame()
        else:
            got = svy.mean(var).to_frame()
        for col in ("estimate", "std_error"):
            np.testing.assert_allclose(
                got[col].to_numpy(dtype=float),
                np.array(est[col], dtype=float),
                rtol=RTOL,
                err_msg=f"{case['id']}: {est['r_call']} {col}",
            )


def test_fixture_covers_every_operation():
    ops = {s["op"] for c in json.loads(FIXTURE.read_text())["cases"] for s in c["steps"]}
    calfuns = {
        s["args"].get("calfun", "linear")
        for c in json.loads(FIXTURE.read_text())["cases"]
        for s in c["steps"]
        if s["op"] == "calibrate"
    }
    assert ops == {"rake", "poststratify", "calibrate", "trim"}
    assert calfuns == {"linear", "raking", "logit"}
