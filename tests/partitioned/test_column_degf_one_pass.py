"""A crosstab's per-column design df on a partitioned survey come from one data pass (issue #15).

``PartitionedTables.column_degf`` used to read the data once per column (the df of the
domain restricted to that column, :attr:`PartitionedFrame.degf`).  It now reads it once for
all columns; its df must equal the per-column ones exactly, on every replicate design
(JK1, JKn, BRR, Fay, bootstrap), on linearization designs, with zero weights, empty
columns, missing answers, subsets, raking and any number of partitions.  The old algorithm
is kept here (:func:`_old_column_degf`) as the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.partitioned import engine
from pewlike.partitioned import tables as ptables
from pewlike.partitioned.cells import factor_codes
from pewlike.partitioned.engine import Level, column_codes
from pewlike.partitioned.tables import PartitionedTables
from pewlike.tables.table_backend import table_backend

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

GROUPS = ["g0", "g1", "g2", "g3", "g4", "g5", "empty", "Refused"]
COLUMNS = GROUPS[:-1]  # "Refused" is missing-coded: not a column
ANSWERS = ["Yes", "No", "Refused"]
RTOL = 1e-10


@dataclass(frozen=True, eq=False)
class _InColumn:
    """Rows whose answer to ``col`` has raw category code ``code`` (the old one-pass-per-column condition)."""

    col: str
    level: Level
    code: int

    def __call__(self, pdf: pd.DataFrame) -> np.ndarray:
        return column_codes(pdf, self.col, self.level) == self.code


def _old_column_degf(pt: PartitionedTables, bycol: str, columns: list[str]) -> np.ndarray:
    """The former algorithm: each column as one more domain condition, its df from its own pass."""
    bfc = factor_codes(pt.pf, bycol)
    blev = pt.pf._level(bycol)
    raw_of = np.flatnonzero(bfc.lut[:-1] >= 0)
    codes = [int(raw_of[list(bfc.labels).index(c)]) for c in columns]
    return np.array([float(pt._within(("call", (bycol,), _InColumn(bycol, blev, k))).degf) for k in codes])


def _frame(seed: int, n: int, two_psus: bool) -> pd.DataFrame:
    """Strata and PSUs, a 6-level column variable with Refused, missing rows and an empty level, zero weights."""
    rng = np.random.default_rng(seed)
    st = rng.integers(0, 5, n)
    psu = rng.integers(0, 2 if two_psus else 6, n)
    g = rng.choice(GROUPS[:6] + ["Refused"], n, p=[0.2, 0.2, 0.2, 0.15, 0.1, 0.1, 0.05]).astype(object)
    g[(psu == 0) & (g == "g5")] = "g4"  # g5 in fewer PSUs: fewer df
    g[(st == 0) & (g == "g3")] = "g2"  # g3 in fewer strata
    g[rng.random(n) < 0.05] = None  # no answer
    q = rng.choice(ANSWERS, n, p=[0.5, 0.45, 0.05]).astype(object)
    q[rng.random(n) < 0.1] = None  # not asked
    w = rng.gamma(2.0, 0.5, n)
    w[rng.random(n) < 0.03] = 0.0  # zero-weight rows
    w[g == "g1"] *= rng.random(int((g == "g1").sum())) < 0.5  # half of a column has zero weight
    return pd.DataFrame(
        {
            "w": w,
            "st": st,
            "psu": psu,
            "G": pd.Categorical(g, categories=GROUPS),
            "Q": pd.Categorical(q, categories=ANSWERS),
            "REG": pd.Categorical(rng.choice(["N", "S", "W"], n), categories=["N", "S", "W"]),
        }
    )


def _surveys(design: str, seed: int, n: int, nparts: int) -> tuple[pw.Survey, pw.Survey]:
    """The same seeded survey in memory and partitioned, as ``design``."""
    df = _frame(seed, n, design in ("BRR", "Fay"))
    if design == "rows":
        kw: dict = {"weights": "w", "strata": "st"}
    elif design == "clusters":
        kw = {"weights": "w", "strata": "st", "psu": "psu", "nest": True}
    else:
        base = {"weights": "w", "psu": "psu"} if design == "JK1" else {"weights": "w", "strata": "st", "psu": "psu"}
        opts: dict = {"seed": 1000 + seed, "replicates": 30} if design == "bootstrap" else {}
        if design == "Fay":
            opts["rho"] = 0.3
        mem = pw.Survey(df, **base, nest=True).to_replicate(design, **opts)
        W = mem._design.repweights
        reps = pd.DataFrame({f"rw{i:03d}": W[:, i] for i in range(W.shape[1])}, index=df.index)
        df = pd.concat([df, reps], axis=1)
        d = mem._design
        kw = {"weights": "w", "repweights": "rw*", "reptype": design}
        if design == "Fay":
            kw["rho"] = 0.3
        elif design != "BRR":  # BRR's and Fay's scale follow from the type
            kw.update(scale=d.scale, rscales=d.rscales)
    return pw.Survey(df, **kw), pw.Survey(dd.from_pandas(df, npartitions=nparts), **kw)


CASES = [
    ("JK1", 1, 400, 1),
    ("JKn", 2, 900, 3),
    ("BRR", 3, 800, 4),
    ("Fay", 4, 700, 2),
    ("bootstrap", 5, 1200, 5),
    ("bootstrap", 6, 300, 7),
    ("clusters", 7, 800, 3),
    ("rows", 8, 600, 2),
]


@pytest.mark.parametrize(("design", "seed", "n", "nparts"), CASES)
def test_one_pass_equals_one_pass_per_column(design, seed, n, nparts):
    _, dsk = _surveys(design, seed, n, nparts)
    views = {
        "everyone": dsk,
        "a subset": dsk.subset("st != 1"),
        "a raked survey": dsk.rake({"REG": {"N": 0.3, "S": 0.4, "W": 0.3}}),
    }
    with dask.config.set(scheduler="synchronous"):
        for name, svy in views.items():
            pt = PartitionedTables(svy._backend)
            bases = (
                [pt, pt.restrict_to_base("G", "valid").restrict_to_base("Q", "valid")] if name == "everyone" else [pt]
            )
            for base in bases:
                old = _old_column_degf(base, "G", COLUMNS)  # one pass per column: a column's df is its own
                for cols in (COLUMNS, ["empty", "g5", "g0"], []):
                    new = base.column_degf("G", cols)
                    want = old[[COLUMNS.index(c) for c in cols]]
                    assert new.dtype == want.dtype and new.shape == (len(cols),), name
                    np.testing.assert_array_equal(new, want, err_msg=f"{design}, {name}, {cols}")
            # no respondent in a column: no replicate weights (rank 0, df -1) or no PSU and stratum (df 0)
            assert old[COLUMNS.index("empty")] == (0.0 if design in ("clusters", "rows") else -1.0)
            assert (old[:6] >= 1).all()
            if name != "a raked survey":  # (re-raked replicates can span more than the column's PSUs)
                assert len(set(old[:6].tolist())) > 1  # g5 is in fewer PSUs, g3 in fewer strata


@pytest.mark.parametrize(("design", "seed", "n", "nparts"), [("JKn", 9, 600, 4), ("bootstrap", 10, 500, 6)])
def test_the_df_of_all_columns_take_one_pass(monkeypatch, design, seed, n, nparts):
    """One ``run_pass`` reading each partition once, however many columns; the old way read them once per column."""
    _, dsk = _surveys(design, seed, n, nparts)
    pt = PartitionedTables(dsk._backend).restrict_to_base("Q", "valid")
    reads: list[int] = []
    passes: list[int] = []
    real_prepare, real_run_pass = engine.prepare, ptables.run_pass

    def prepare(pdf, state):
        reads.append(len(pdf))
        return real_prepare(pdf, state)

    def run_pass(*args, **kwargs):
        passes.append(1)
        return real_run_pass(*args, **kwargs)

    monkeypatch.setattr(engine, "prepare", prepare)
    monkeypatch.setattr(ptables, "run_pass", run_pass)
    with dask.config.set(scheduler="synchronous"):
        pt.column_degf("G", ["g0"])  # categories known from now on
        for cols in (["g0"], COLUMNS[:3], COLUMNS):
            reads.clear()
            passes.clear()
            pt.column_degf("G", cols)
            assert len(passes) == 1
            assert len(reads) == nparts and sum(reads) == n
            reads.clear()
            _old_column_degf(pt, "G", cols)
            assert len(reads) == nparts * len(cols)  # the spy sees every partition read


@pytest.mark.parametrize(("reptype", "seed", "n", "nparts"), [("bootstrap", 11, 1500, 4), ("JK1", 12, 500, 3)])
def test_crosstab_by_a_six_level_column_equals_in_memory(reptype, seed, n, nparts):
    """The partitioned crosstab of a replicate survey (logit intervals on each column's df) equals the in-memory one."""
    mem, dsk = _surveys(reptype, seed, n, nparts)
    assert table_backend(dsk._backend).per_column_df()
    with dask.config.set(scheduler="synchronous"):
        x = dsk.crosstab("Q", "G", min_n=0)
        tb = table_backend(dsk._backend).restrict_to_base("G", "valid").restrict_to_base("Q", "valid")
        dsk_df = tb.column_degf("G", list(x.columns))
    m = mem.crosstab("Q", "G", min_n=0)
    mem_df = table_backend(mem._backend).restrict_to_base("G", "valid").restrict_to_base("Q", "valid")
    np.testing.assert_array_equal(dsk_df, mem_df.column_degf("G", list(m.columns)))
    assert x.columns == m.columns and len(x.columns) == 6  # the empty level and Refused are no columns
    assert (x.column_n, x.df) == (m.column_n, m.df)
    fa, fb = x.to_frame(), m.to_frame()
    for c in ("variable", "level", "G", "letters", "flag", "kind"):
        assert fa[c].astype(str).tolist() == fb[c].astype(str).tolist(), c
    assert fa["n"].tolist() == fb["n"].tolist()
    num = ["estimate", "std_error", "ci_lower", "ci_upper", "deff", "moe"]
    np.testing.assert_allclose(fa[num].to_numpy(float), fb[num].to_numpy(float), rtol=RTOL, equal_nan=True)
    assert x.table().frame.equals(m.table().frame)
