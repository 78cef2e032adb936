"""weight_summary is one body over either backend (issue #10).

In memory it keeps the exact numbers of the numpy formulas (``w.std(ddof=1)``,
:func:`~pewlike.weighting.summary.kish_deff`, :func:`~pewlike.weighting.summary.moe`) bit for
bit; partitioned (Dask, synchronous scheduler) it equals the in-memory summary to 1e-10.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import EstimationError
from pewlike.weighting.summary import kish_deff, moe, weight_summary
from pewlike.weighting.weight_sums import InMemoryWeightSums, WeightSums, weight_sums


def _weights(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = rng.lognormal(0, 0.3 + seed % 4 * 0.3, n)
    w[rng.random(n) < 0.1] = 0.0  # zero weights are left out
    w[0] = max(w[0], 0.5)  # at least one non-zero weight
    return w


SHAPES = [(1, 2), (2, 3), (3, 57), (4, 1000), (5, 12345), (6, 4)]


@pytest.mark.parametrize(("seed", "n"), SHAPES)
def test_in_memory_numbers_are_those_of_the_numpy_formulas(seed, n):
    w = _weights(seed, n)
    svy = pw.Survey(pd.DataFrame({"w": w, "x": np.arange(n)}), weights="w")
    ws = svy.weight_summary()
    nz = w[w != 0]
    assert ws.n == nz.size
    assert ws.sum == float(nz.sum()) and ws.mean == float(nz.mean())
    assert (ws.min, ws.max) == (float(nz.min()), float(nz.max()))
    assert ws.sd == (float(nz.std(ddof=1)) if nz.size > 1 else 0.0)
    assert ws.deff == kish_deff(nz) and ws.moe == moe(nz) and ws.ess == nz.size / kish_deff(nz)
    assert ws.bins is not None and int(ws.bins["n"].sum()) == nz.size


def test_a_single_weight_and_no_weight():
    svy = pw.Survey(pd.DataFrame({"w": [0.0, 2.5, 0.0, 1.0], "g": [1, 0, 1, 2]}), weights="w")
    ws = svy.subset("g < 2").weight_summary()
    assert (ws.n, ws.sd, ws.deff, ws.ess) == (1, 0.0, 1.0, 1.0)
    assert ws.moe == pytest.approx(98.0)
    with pytest.raises(EstimationError, match="no non-zero weights"):
        svy.subset("g == 1").weight_summary()


def test_the_body_takes_any_weight_sums():
    svy = pw.Survey(pd.DataFrame({"w": _weights(9, 300)}), weights="w")
    sums = weight_sums(svy._backend)
    assert isinstance(sums, InMemoryWeightSums) and isinstance(sums, WeightSums)
    assert weight_sums(sums) is sums
    a, b = weight_summary(sums), svy.weight_summary()
    assert (a.n, a.sum, a.sd, a.deff, a.moe) == (b.n, b.sum, b.sd, b.deff, b.moe)


@pytest.mark.parametrize(("seed", "n"), SHAPES[2:])
def test_partitioned_equals_in_memory(seed, n):
    dd = pytest.importorskip("dask.dataframe")
    dask = pytest.importorskip("dask")
    df = pd.DataFrame({"w": _weights(seed, n), "g": np.arange(n) % 3})
    mem = pw.Survey(df, weights="w")
    dsk = pw.Survey(dd.from_pandas(df, npartitions=3), weights="w")
    with dask.config.set(scheduler="synchronous"):
        wd, sub_d = dsk.weight_summary(), dsk.subset("g != 1").weight_summary()
    wm, sub_m = mem.weight_summary(), mem.subset("g != 1").weight_summary()
    for d, m in ((wd, wm), (sub_d, sub_m)):
        assert d.n == m.n
        np.testing.assert_allclose(
            [d.sum, d.mean, d.min, d.max, d.sd, d.cv, d.deff, d.ess, d.moe],
            [m.sum, m.mean, m.min, m.max, m.sd, m.cv, m.deff, m.ess, m.moe],
            rtol=1e-10,
        )
        assert d.bins is None and m.bins is not None  # partitioned weights are not binned
