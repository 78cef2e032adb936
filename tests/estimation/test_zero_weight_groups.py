"""A group whose weights are all zero: R's ``svyby`` leaves it out, and so does pewlike, in both engines.

R 4.1.1 on the stratified, clustered example below (``svyby(~y, ~G, des, svymean)``) gives A and B
only, with the same estimates and standard errors as the design whose group C is weighted: a
domain's linearised variance does not depend on the weights of the rows outside it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import EstimationError

DESIGNS = [
    {"weights": "w"},
    {"weights": "w", "strata": "st", "psu": "psu", "nest": True},
]


def _frame(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 600
    return pd.DataFrame(
        {
            "Q": pd.Categorical(rng.choice(["Yes", "No"], n)),
            "G": pd.Categorical(rng.choice(["A", "B", "C"], n)),
            "y": rng.normal(size=n),
            "w": rng.uniform(0.5, 2.0, n),
            "st": rng.integers(1, 4, n),
            "psu": rng.integers(1, 40, n),
        }
    )


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("seed", [3, 4])
def test_a_zero_weight_group_is_left_out_and_the_others_are_unchanged(design, seed):
    weighted = _frame(seed)
    zero = weighted.assign(w=np.where(weighted["G"] == "C", 0.0, weighted["w"]))
    full, cut = pw.Survey(weighted, **design), pw.Survey(zero, **design)
    for fn, var in (("mean", "y"), ("total", "y"), ("proportion", "Q")):
        got = getattr(cut, fn)(var, by="G").to_frame()
        ref = getattr(full, fn)(var, by="G").to_frame()
        ref = ref[ref["G"] != "C"].reset_index(drop=True)
        assert list(got["G"].astype(str)) == list(ref["G"].astype(str)) and "C" not in set(got["G"].astype(str))
        np.testing.assert_allclose(got[["estimate", "std_error"]], ref[["estimate", "std_error"]], rtol=1e-12)
    tab = cut.crosstab("Q", "G").to_frame()
    assert sorted(set(tab["G"].astype(str))) == ["A", "B"]


@pytest.mark.parametrize("design", DESIGNS)
def test_both_engines_leave_it_out(design):
    dd = pytest.importorskip("dask.dataframe")
    frame = _frame(5)
    frame.loc[frame["G"] == "C", "w"] = 0.0
    mem = pw.Survey(frame, **design)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        part = pw.Survey(dd.from_pandas(frame, npartitions=3), progress=False, **design)
        for fn, var in (("mean", "y"), ("proportion", "Q")):
            a = getattr(mem, fn)(var, by="G").to_frame()
            b = getattr(part, fn)(var, by="G").to_frame()
            assert list(a["G"].astype(str)) == list(b["G"].astype(str))
            np.testing.assert_allclose(a[["estimate", "std_error"]], b[["estimate", "std_error"]], rtol=1e-10)
        b_tab = part.crosstab("Q", "G").to_frame()
    assert sorted(set(b_tab["G"].astype(str))) == ["A", "B"]


def test_a_domain_with_only_zero_weights_is_still_an_error():
    frame = _frame(6)
    frame.loc[frame["G"] == "C", "w"] = 0.0
    svy = pw.Survey(frame, weights="w").subset("G == 'C'")
    with pytest.raises(EstimationError, match=r"the weights of the domain sum to zero"):
        svy.mean("y")
    with pytest.raises(EstimationError, match=r"the weights of G=C sum to zero"):
        svy.mean("y", by="G")
