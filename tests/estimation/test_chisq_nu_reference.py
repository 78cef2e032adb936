"""The denominator df of R's ``svychisq`` where it is not ``degf()``: rows weighted zero, subsets of calibrated designs.

Reference values: ``tests/reference/hypothesis/make_chisq_nu.R`` (R 4.1.1) on a stratified,
clustered design with a PSU of every stratum and a tenth of the other rows weighted zero
(``zero_weights.csv``), and on ``apiclus1`` post-stratified on ``stype`` before or after a
subset.  Every statistic, df and p-value to 1e-10, in memory (post-stratified and raked on one
variable, which is the same weighting) and on Dask (raked).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pewlike as pw

REF = Path(__file__).parents[1] / "reference" / "hypothesis"
POP = {"E": 4421, "H": 755, "M": 1018}
POP_SUB = {"E": 2000, "H": 400, "M": 500}


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    zw = pd.read_csv(REF / "zero_weights.csv").astype({"Q": "category", "G": "category", "H": "category"})
    api = pd.read_csv(REF.parent / "estimation" / "apiclus1.csv").astype(
        {"stype": "category", "comp.imp": "category", "awards": "category"}
    )
    return zw, api


def _tests(make: Callable[[pd.DataFrame, dict], pw.Survey], weigh: Callable[[pw.Survey, dict], pw.Survey]) -> dict:
    zw, api = _frames()
    zdes = make(zw, {"weights": "w", "strata": "st", "psu": "psu", "nest": True})
    cl = make(api, {"weights": "pw", "psu": "dnum", "fpc": "fpc"})
    ps = weigh(cl, POP)
    return {
        "zero_clustered": lambda: zdes.chisq("Q", "G"),
        "zero_clustered_wald": lambda: zdes.chisq("Q", "G", statistic="Wald"),
        "zero_clustered_adjwald": lambda: zdes.chisq("Q", "G", statistic="adjWald"),
        "zero_rows": lambda: make(zw, {"weights": "w"}).chisq("Q", "G"),
        "zero_clustered_subset": lambda: zdes.subset("H == 'x'").chisq("Q", "G"),
        "calibrated_then_subset": lambda: ps.subset("dnum < 400").chisq("comp.imp", "awards"),
        "subset_then_calibrated": lambda: weigh(cl.subset("dnum < 400"), POP_SUB).chisq("comp.imp", "awards"),
        "calibrated_then_two_subsets": lambda: ps.subset("dnum < 600").subset("dnum > 100").chisq("comp.imp", "awards"),
    }


def _check(tests: dict) -> None:
    ref = json.loads((REF / "chisq_nu.json").read_text())
    assert set(tests) == set(ref)
    for name, r in ref.items():
        got = tests[name]()
        want = [float(np.ravel(r["statistic"])[0]), r["ndf"], r["ddf"], float(np.ravel(r["p"])[0])]
        np.testing.assert_allclose([got.statistic, *got.df, got.p_value], want, rtol=1e-10, err_msg=name)


@pytest.mark.parametrize("how", ["poststratify", "rake"])
def test_in_memory_matches_svychisq(how):
    def weigh(svy: pw.Survey, pop: dict) -> pw.Survey:
        return svy.poststratify("stype", pop) if how == "poststratify" else svy.rake({"stype": pop})

    _check(_tests(lambda d, kw: pw.Survey(d, **kw), weigh))


def test_dask_matches_svychisq():
    dd = pytest.importorskip("dask.dataframe")
    dask = pytest.importorskip("dask")
    with warnings.catch_warnings(), dask.config.set(scheduler="synchronous"):
        warnings.simplefilter("ignore")
        _check(
            _tests(
                lambda d, kw: pw.Survey(dd.from_pandas(d, npartitions=3), progress=False, **kw),
                lambda svy, pop: svy.rake({"stype": pop}),
            )
        )


def test_degf_is_unchanged():
    zw, api = _frames()
    zdes = pw.Survey(zw, weights="w", strata="st", psu="psu", nest=True)
    ps = pw.Survey(api, weights="pw", psu="dnum", fpc="fpc").poststratify("stype", POP)
    assert zdes.degf == 24 and ps.subset("dnum < 400").degf == 4  # R's degf(): rows with a nonzero weight
