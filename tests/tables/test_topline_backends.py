"""topline is one body over either backend (issue #10): same table, same errors.

Seeded surveys of several shapes, partitioned with Dask's synchronous scheduler; the
partitioned topline must equal the in-memory one to 1e-10 (shares, SEs, intervals, margin
of error, design effect, counts and nets).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import EstimationError, VariableError
from pewlike.tables.table_backend import InMemoryTables, TableBackend, table_backend
from pewlike.tables.toplines import topline

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

SCALE = ["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"]


def _frame(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cats = SCALE + ["Refused"]
    q = rng.choice(cats, n, p=[0.3, 0.3, 0.2, 0.15, 0.05]).astype(object)
    q[rng.random(n) < 0.1] = None  # not asked
    return pd.DataFrame(
        {
            "w": rng.gamma(2 + seed % 3, 0.5, n),
            "st": rng.integers(0, 3, n),
            "psu": rng.integers(0, 20, n),
            "Q": pd.Categorical(q, categories=cats, ordered=True),
            "y": rng.normal(size=n),
        }
    )


def _same(a, b) -> None:
    fa, fb = a.to_frame(), b.to_frame()
    assert list(fa.columns) == list(fb.columns)
    assert fa["level"].astype(str).tolist() == fb["level"].astype(str).tolist()
    assert fa["kind"].tolist() == fb["kind"].tolist() and fa["n"].tolist() == fb["n"].tolist()
    num = ["estimate", "std_error", "ci_lower", "ci_upper", "deff", "moe"]
    np.testing.assert_allclose(fa[num].to_numpy(float), fb[num].to_numpy(float), rtol=1e-10)
    assert (a.n, a.asked, a.total) == (b.n, b.asked, b.total)
    np.testing.assert_allclose([a.moe, a.deff], [b.moe, b.deff], rtol=1e-10)


@pytest.mark.parametrize(("seed", "n", "clustered"), [(1, 300, False), (2, 1200, True), (3, 5000, True)])
@pytest.mark.parametrize("base", ["valid", "all"])
def test_topline_equal_on_both_backends(seed, n, clustered, base):
    df = _frame(seed, n)
    kw = {"weights": "w", "strata": "st", "psu": "psu", "nest": True} if clustered else {"weights": "w"}
    mem = pw.Survey(df, **kw)
    dsk = pw.Survey(dd.from_pandas(df, npartitions=4), **kw)
    with dask.config.set(scheduler="synchronous"):
        for opts in ({}, {"nets": "auto"}, {"nets": {"NET Any": SCALE[:3]}, "ci": "beta", "level": 0.9}):
            m = mem.topline("Q", base=base, **opts)
            _same(dsk.topline("Q", base=base, **opts), m)
            _same(topline(dsk._backend, "Q", base=base, **opts), m)
            _same(topline(InMemoryTables(mem._backend), "Q", base=base, **opts), m)
        _same(dsk.subset("st != 1").topline("Q", base=base), mem.subset("st != 1").topline("Q", base=base))
    # the base is the valid (or all) answers of those asked
    asked = df.Q.notna()
    assert m.asked == int(asked.sum())
    assert m.n == int((asked & (df.Q != "Refused")).sum() if base == "valid" else asked.sum())


def test_table_backend_dispatch():
    mem = pw.Survey(_frame(4, 100), weights="w")
    tb = table_backend(mem._backend)
    assert isinstance(tb, InMemoryTables) and isinstance(tb, TableBackend) and table_backend(tb) is tb


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.topline("y"),
        lambda s: s.topline("Q", base="some"),
        lambda s: s.topline("Q", nets={"NET": ["No such answer"]}),
        lambda s: s.topline("nope"),
    ],
)
def test_errors_are_the_same_on_both_backends(call):
    df = _frame(5, 200)
    mem, dsk = pw.Survey(df, weights="w"), pw.Survey(dd.from_pandas(df, npartitions=2), weights="w")
    errs = []
    for svy in (mem, dsk):
        with pytest.raises((EstimationError, VariableError)) as err, dask.config.set(scheduler="synchronous"):
            call(svy)
        errs.append((type(err.value), str(err.value)))
    assert errs[0] == errs[1] and "\n" not in errs[0][1]
