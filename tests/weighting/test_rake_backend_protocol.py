"""rake is one body that asks its backend (issue #10): RakeBackend in memory and partitioned.

Seeded surveys of several shapes (weights only, a subset, JKn replicates, a joint margin):
the partitioned backend's joint-cell table agrees with the in-memory one cell by cell; rake
asks any backend the same questions in the same order; the partitioned backend refuses
row-level raking (bounds=, cap=) with one message, before the options are checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import RakingError
from pewlike.weighting.rake_backend import InMemoryRake, RakeBackend, rake_backend
from pewlike.weighting.raking import rake

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

AGE = ["18-29", "30-49", "50-64", "65+"]
SEX = ["Male", "Female"]
REFUSE = (
    "bounds= and cap= are not available on a partitioned survey (they need every row); rake "
    "without them, or collect()/sample() the survey and rake in memory"
)


def _frame(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "w": rng.gamma(1.5 + seed % 4, 0.7, n),
            "st": rng.integers(0, 3, n),
            "psu": rng.integers(0, 6, n),
            "AGE": pd.Categorical(rng.choice(AGE, n, p=[0.15, 0.35, 0.3, 0.2]), categories=AGE, ordered=True),
            "SEX": pd.Categorical(rng.choice(SEX, n, p=[0.55, 0.45]), categories=SEX),
            "y": rng.normal(size=n),
        }
    )


def _margins(seed: int, joint: bool) -> dict[Any, Any]:
    rng = np.random.default_rng(100 + seed)
    age = rng.dirichlet(np.full(len(AGE), 5.0))
    out: dict[Any, Any] = {"AGE": dict(zip(AGE, age.tolist()))}
    if joint:
        cells = rng.dirichlet(np.full(2 * len(AGE), 5.0))
        out[("SEX", "AGE")] = {(s, a): float(v) for (s, a), v in zip([(s, a) for s in SEX for a in AGE], cells)}
        # the joint margin's AGE totals must agree with the single margin
        for a_i, a in enumerate(AGE):
            sub = [(s, a) for s in SEX]
            tot = sum(out[("SEX", "AGE")][k] for k in sub)
            for k in sub:
                out[("SEX", "AGE")][k] *= age[a_i] / tot
    else:
        male = float(rng.uniform(0.4, 0.6))
        out["SEX"] = {"Male": male, "Female": 1.0 - male}
    return out


def _pair(shape: str, seed: int, n: int) -> tuple[pw.Survey, pw.Survey]:
    df = _frame(seed, n)
    kw: dict[str, Any] = {"weights": "w"}
    if shape == "JKn":
        rep = pw.Survey(df, weights="w", strata="st", psu="psu", nest=True).to_replicate("JKn")
        W = rep._design.repweights
        df = pd.concat([df, pd.DataFrame({f"rw{i:02d}": W[:, i] for i in range(W.shape[1])}, index=df.index)], axis=1)
        kw = {"weights": "w", "repweights": "rw*", "reptype": "JKn", "rscales": rep._design.rscales}
    mem, dsk = pw.Survey(df, **kw), pw.Survey(dd.from_pandas(df, npartitions=4), **kw)
    if shape == "subset":
        mem, dsk = mem.subset("st != 1"), dsk.subset("st != 1")
    return mem, dsk


def test_each_backend_gives_its_rake_backend():
    mem, dsk = _pair("weights only", 1, 120)
    a, b = rake_backend(mem._backend), rake_backend(dsk._backend)
    assert type(a).__name__ == "InMemoryRake" and type(b).__name__ == "PartitionedRake"
    assert isinstance(a, RakeBackend) and isinstance(b, RakeBackend)
    assert rake_backend(a) is a  # a backend is taken as given


@pytest.mark.parametrize(
    ("shape", "seed", "n", "joint"),
    [("weights only", 2, 250, False), ("subset", 3, 600, True), ("JKn", 4, 500, False), ("JKn", 5, 350, True)],
)
def test_partitioned_joint_cell_table_equals_the_in_memory_one(shape, seed, n, joint):
    mem, dsk = _pair(shape, seed, n)
    margins = _margins(seed, joint)
    with dask.config.set(scheduler="synchronous"):
        tm = rake_backend(mem._backend).table(margins, total=None)
        tp = rake_backend(dsk._backend).table(margins, total=None)
    assert [m.name for m in tm.margins] == [m.name for m in tp.margins]
    for a, b in zip(tm.margins, tp.margins):
        assert a.labels == b.labels
        np.testing.assert_allclose(a.target, b.target, rtol=1e-12)
    # joint cells are numbered alike; units differ (rows in memory, occupied keys partitioned)
    cm, cp = tm.cells, tp.cells
    assert [c.tolist() for c in cm.codes] == [c.tolist() for c in cp.codes]
    np.testing.assert_allclose(cm.w, cp.w, rtol=1e-12)
    assert cm.count.tolist() == cp.count.tolist()
    assert int(cm.count.sum()) == int((mem._design.in_domain & (mem._design.weights > 0)).sum())
    if shape == "JKn":
        assert tm.rep is not None and tp.rep is not None
        ncell = cm.w.shape[0]
        rows = cm.cell >= 0
        per_cell_mem = np.vstack([np.bincount(cm.cell[rows], weights=c[rows], minlength=ncell) for c in tm.rep.T]).T
        per_cell_dsk = np.vstack([np.bincount(cp.cell, weights=c, minlength=ncell) for c in tp.rep.T]).T
        np.testing.assert_allclose(per_cell_dsk, per_cell_mem, rtol=1e-12)
    else:
        assert tm.rep is None and tp.rep is None


@dataclass(eq=False)
class _Recording:
    """A RakeBackend that records what rake asks of the backend it wraps."""

    inner: Any
    asked: list[str] = field(default_factory=list)

    def rows(self) -> Any:
        self.asked.append("rows")
        return self.inner.rows()

    def table(self, margins: Any, *, total: float | None) -> Any:
        self.asked.append("table")
        return self.inner.table(margins, total=total)

    def weights(self, table: Any, factor: np.ndarray) -> Any:
        self.asked.append("weights")
        return self.inner.weights(table, factor)

    def apply(self, table: Any, res: Any, weights: Any, note: Any, *, call: Any) -> Any:
        self.asked.append("apply")
        self.call = call
        return self.inner.apply(table, res, weights, note, call=call)


@pytest.mark.parametrize(("seed", "n", "joint"), [(6, 200, False), (7, 450, True)])
def test_rake_asks_any_backend_the_same_questions(seed, n, joint):
    mem, dsk = _pair("weights only", seed, n)
    margins = _margins(seed, joint)
    rec_m, rec_d = _Recording(InMemoryRake(mem._backend)), _Recording(rake_backend(dsk._backend))
    with dask.config.set(scheduler="synchronous"):
        out_m = rake(rec_m, margins, tol=1e-9, total=500.0)
        out_d = rake(rec_d, margins, tol=1e-9, total=500.0)
        direct = mem.rake(margins, tol=1e-9, total=500.0)
        np.testing.assert_allclose(out_m.design.weights, direct._design.weights, rtol=0, atol=0)
        got = pw.Survey._wrap(out_d).mean("y", by="AGE")  # a variable not raked: a real variance
        want = direct.mean("y", by="AGE")
        np.testing.assert_allclose(got.estimate, want.estimate, rtol=1e-10)
        np.testing.assert_allclose(got.std_error, want.std_error, rtol=1e-10)
    assert rec_m.asked == rec_d.asked == ["table", "weights", "apply"]
    assert rec_d.call == (margins, {"max_iter": 50, "tol": 1e-9, "total": 500.0})


def test_capped_raking_asks_for_the_rows():
    mem, _ = _pair("weights only", 8, 400)
    margins = _margins(8, False)
    rec = _Recording(InMemoryRake(mem._backend))
    out = rake(rec, margins, cap=5.0)
    assert rec.asked == ["rows", "table", "weights", "apply"]
    np.testing.assert_array_equal(out.design.weights, mem.rake(margins, cap=5.0)._design.weights)
    uncapped = mem.rake(margins)._design.weights
    assert uncapped.max() > 10 * uncapped.mean()  # the cap binds
    assert out.design.weights.max() <= 5.0 * out.design.weights.mean() * (1 + 1e-9)


@pytest.mark.parametrize(
    "options",
    [{"cap": 3.0}, {"bounds": (0.5, 2.0)}, {"cap": 1}, {"cap": 3.0, "max_iter": 0}, {"bounds": (0.5, 2.0), "tol": 0}],
)
def test_partitioned_refuses_row_level_raking_before_checking_options(options):
    mem, dsk = _pair("weights only", 9, 150)
    with pytest.raises(RakingError) as err, dask.config.set(scheduler="synchronous"):
        dsk.rake(_margins(9, False), **options)
    assert str(err.value) == REFUSE
    if options.get("cap") == 1:  # in memory the option itself is checked
        with pytest.raises(RakingError, match=r"^cap=1 is not valid"):
            mem.rake(_margins(9, False), **options)
