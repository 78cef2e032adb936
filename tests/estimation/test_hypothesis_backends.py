"""chisq and ttest are one body over either backend (issue #10): same numbers, same errors.

The tests ask :class:`pewlike.estimation.backend.WeightedTotals` for the cells of a table or
of two groups; the in-memory and partitioned backends must answer alike.  Seeded frames of
several shapes (strata and PSUs, weights only, unused and missing-coded levels), partitioned
with Dask's synchronous scheduler (no cluster).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import EstimationError, VariableError
from pewlike.estimation import hypothesis
from pewlike.estimation.memory import InMemoryTotals

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

RTOL = 1e-10
STATISTICS = ("F", "Chisq", "Wald", "adjWald")


def _frame(seed: int, n: int, nlev: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    levels = [f"L{i}" for i in range(nlev)] + ["Refused"]
    p = np.r_[np.full(nlev, 0.95 / nlev), 0.05]
    return pd.DataFrame(
        {
            "st": rng.integers(0, 4, n),
            "psu": rng.integers(0, 30, n),
            "w": rng.gamma(3, 1.0, n),
            "a": pd.Categorical(rng.choice(levels, n, p=p), categories=levels + ["Unused"]),
            "b": pd.Categorical(rng.choice(["x", "y", "z"], n, p=[0.5, 0.3, 0.2])),
            "two": pd.Categorical(rng.choice(["m", "f", "Refused"], n, p=[0.49, 0.48, 0.03])),
            "y": np.where(rng.random(n) < 0.05, np.nan, rng.normal(10, 3, n)),
        }
    )


SHAPES = [(1, 400, 2, True), (2, 900, 4, False), (3, 1500, 3, True), (4, 250, 5, False)]


def _pair(seed: int, n: int, nlev: int, clustered: bool) -> tuple[pw.Survey, pw.Survey]:
    df = _frame(seed, n, nlev)
    kw = {"weights": "w", "strata": "st", "psu": "psu", "nest": True} if clustered else {"weights": "w"}
    mem = pw.Survey(df, **kw)
    dsk = pw.Survey(dd.from_pandas(df, npartitions=3), **kw)
    return mem, dsk


def _same(a, b) -> None:
    assert a.method == b.method and a.variables == b.variables
    np.testing.assert_allclose(np.ravel(a.statistic), np.ravel(b.statistic), rtol=RTOL)
    np.testing.assert_allclose(np.ravel(a.df), np.ravel(b.df), rtol=RTOL)
    np.testing.assert_allclose(a.p_value, b.p_value, rtol=1e-8, atol=1e-300)


@pytest.mark.parametrize("shape", SHAPES)
def test_chisq_and_ttest_equal_on_both_backends(shape):
    mem, dsk = _pair(*shape)
    with dask.config.set(scheduler="synchronous"):
        for stat in STATISTICS:
            m = mem.chisq("a", "b", statistic=stat)
            _same(dsk.chisq("a", "b", statistic=stat), m)
            # the function itself takes either backend, or the backend's totals
            _same(hypothesis.chisq(InMemoryTotals(mem._backend), "a", "b", statistic=stat), m)
            _same(hypothesis.chisq(dsk._backend, "a", "b", statistic=stat), m)
        sub_m, sub_d = mem.subset("b != 'z'"), dsk.subset("b != 'z'")
        _same(sub_d.chisq("b", "a"), sub_m.chisq("b", "a"))
        tm, td = mem.ttest("y", "two"), dsk.ttest("y", "two")
        _same(td, tm)
        assert td.extra == tm.extra
        np.testing.assert_allclose([td.estimate, td.std_error], [tm.estimate, tm.std_error], rtol=RTOL)
        # the statistic is the difference over its SE
        assert tm.statistic == pytest.approx(tm.estimate / tm.std_error, rel=1e-12)
        assert tm.extra["groups"] == ("f", "m")  # "Refused" is a missing code, left out
        if not shape[3]:  # weights only: df = rows used - 2
            df = _frame(*shape[:3])
            used = df.y.notna() & df.two.isin(["m", "f"])
            assert tm.df == used.sum() - 2


def test_ttest_difference_is_the_difference_of_domain_means():
    mem, dsk = _pair(5, 800, 3, True)
    sub = mem.subset("two != 'Refused'")
    means = sub.mean("y", by="two").to_frame().set_index("two")["estimate"]
    for svy in (mem, dsk):
        with dask.config.set(scheduler="synchronous"):
            t = svy.ttest("y", "two")
        g0, g1 = t.extra["groups"]
        assert t.estimate == pytest.approx(means[g1] - means[g0], rel=1e-12)


def _message(fn) -> tuple[type, str]:
    with pytest.raises((EstimationError, VariableError)) as err, dask.config.set(scheduler="synchronous"):
        fn()
    return type(err.value), str(err.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.chisq("a", "a"),
        lambda s: s.chisq("a", "b", statistic="G"),
        lambda s: s.subset("b == 'x'").chisq("a", "b"),
        lambda s: s.ttest("y", "b"),
        lambda s: s.subset("b == 'x'").ttest("y", "b"),
        lambda s: s.ttest("b", "two"),
        lambda s: s.ttest("y", "two", level=1.5),
    ],
)
def test_errors_are_the_same_on_both_backends(call):
    mem, dsk = _pair(6, 300, 3, True)
    kind, msg = _message(lambda: call(mem))
    assert _message(lambda: call(dsk)) == (kind, msg)
    assert "\n" not in msg and len(msg) > 20


@pytest.mark.parametrize("statistic", ["F", "Chisq", "Wald", "adjWald"])
def test_a_singular_table_is_a_one_line_error_and_the_crosstab_has_no_test(statistic):
    """Three respondents, each in a cell of its own: R's svychisq stops ("exactly singular"); so does chisq, in words."""
    import pandas as pd

    from pewlike.errors import EstimationError

    frame = pd.DataFrame(
        {
            "A": pd.Categorical(["Good", "Fair", "Poor"]),
            "B": pd.Categorical(["North", "South", "West"]),
            "w": [1.0, 1.0, 1.0],
        }
    )
    svy = pw.Survey(frame, weights="w")
    with pytest.raises(EstimationError, match=r"^chisq cannot be computed for this table: .*singular") as err:
        svy.chisq("A", "B", statistic=statistic)
    assert "\n" not in str(err.value)
    tab = svy.crosstab("A", "B", min_n=1)
    assert tab.test is None
    got = tab.to_frame()
    assert got.loc[(got["B"] == "North") & (got["level"] == "Good"), "estimate"].iloc[0] == pytest.approx(1.0)
