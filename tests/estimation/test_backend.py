"""The estimators are written once against the WeightedTotals protocol (issue #10)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.estimation import estimators
from pewlike.estimation.backend import DomainCells, WeightedTotals
from pewlike.estimation.memory import InMemoryTotals, weighted_totals
from pewlike.survey import _IN_MEMORY, _PARTITIONED


class Recording:
    """A WeightedTotals that passes every call to another one and records the methods called."""

    def __init__(self, inner: WeightedTotals) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str):
        attr = getattr(self.inner, name)

        def call(*args, **kwargs):
            self.calls.append(name)
            return attr(*args, **kwargs)

        return call


def _frame(n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    st = rng.integers(0, 3, n)
    return pd.DataFrame(
        {
            "st": st,
            "psu": st * 10 + rng.integers(0, 4, n),
            "w": rng.uniform(0.5, 3.0, n),
            "y": np.where(rng.random(n) < 0.1, np.nan, rng.normal(50, 10, n)),
            "x": rng.uniform(1, 5, n),
            "g": pd.Categorical(rng.choice(["a", "b"], n)),
            "item": pd.Categorical(rng.choice(["yes", "no", "Refused"], n, p=[0.5, 0.4, 0.1])),
        }
    )


def _frames(svy: pw.Survey):
    return svy._backend


def test_both_backend_classes_satisfy_the_protocol():
    pytest.importorskip("dask.dataframe")
    from pewlike.partitioned.totals import PartitionedTotals

    sf = _frames(pw.Survey(_frame(), weights="w"))
    mem = weighted_totals(sf)
    assert isinstance(mem, InMemoryTotals) and isinstance(mem, WeightedTotals)
    assert weighted_totals(mem) is mem  # already a WeightedTotals
    assert isinstance(PartitionedTotals(None), WeightedTotals)  # type: ignore[arg-type]  # methods only
    members = [m for m in vars(WeightedTotals) if not m.startswith("_")]
    assert sorted(members) == sorted(
        [
            "design_label",
            "domain_df",
            "finish",
            "is_categorical",
            "label",
            "level_cells",
            "ratio_cells",
            "replicate_scales",
            "srs_ss",
            "value_cells",
            # the tests (chisq, ttest) ask for tables and two-group means
            "n_rows",
            "design_degf",
            "test_degf",
            "factor_levels",
            "table_cells",
            "table_totals",
            "group_cells",
            "group_means",
        ]
    )
    for m in members:
        assert callable(getattr(InMemoryTotals, m)) and callable(getattr(PartitionedTotals, m))


def test_the_facade_sends_both_backends_to_the_same_estimator_bodies():
    for verb in ("mean", "total", "proportion", "ratio"):
        assert _IN_MEMORY[verb] == _PARTITIONED[verb] == ("pewlike.estimation.estimators", verb)


@pytest.mark.parametrize(
    "design",
    [
        {"weights": "w"},
        {"weights": "w", "strata": "st"},
        {"weights": "w", "strata": "st", "psu": "psu", "nest": True},
    ],
)
def test_bodies_ask_only_the_protocol_and_give_the_same_results(design):
    svy = pw.Survey(_frame(), **design)
    sf = _frames(svy)
    rec = Recording(InMemoryTotals(sf))
    cases = [
        (estimators.mean, ("y",), {"by": "g", "na_rm": False}, {"value_cells", "finish", "srs_ss"}),
        (estimators.total, ("y",), {"by": "g"}, {"is_categorical", "value_cells", "finish", "srs_ss"}),
        (estimators.total, ("item",), {"na_rm": False}, {"is_categorical", "level_cells", "finish"}),
        (estimators.proportion, ("item",), {"by": "g"}, {"level_cells", "finish", "domain_df"}),
        (estimators.ratio, ("y", "x"), {"by": "g", "na_rm": True}, {"ratio_cells", "finish"}),
    ]
    for fn, args, kw, asked in cases:
        rec.calls.clear()
        via = fn(rec, *args, **kw)
        direct = fn(sf, *args, **kw)
        assert asked <= set(rec.calls), (fn.__name__, rec.calls)
        assert set(rec.calls) <= set(vars(WeightedTotals))  # nothing but the protocol
        pd.testing.assert_frame_equal(via.to_frame(), direct.to_frame(), check_exact=True)
        np.testing.assert_array_equal(via.vcov, direct.vcov)


def test_in_memory_cells_of_a_mean_by_domain():
    df = _frame()
    svy = pw.Survey(df, weights="w")
    c = InMemoryTotals(_frames(svy)).value_cells("mean", "y", "g", False)
    assert isinstance(c, DomainCells)
    assert c.col == "y" and c.by_cols == ("g",) and c.ndom == 2
    assert list(c.keys["g"]) == ["a", "b"]
    for j, lev in enumerate(["a", "b"]):
        rows = df["g"] == lev
        assert c.n[j] == rows.sum()  # na_rm=False: every row of the domain
        assert c.W[j] == pytest.approx(df.loc[rows, "w"].sum(), rel=1e-12)
        assert bool(c.bad[j]) == bool(df.loc[rows, "y"].isna().any())
    r = InMemoryTotals(_frames(svy)).finish(c)
    ok = df["y"].notna() & (df["g"] == "a")
    expect = np.average(df.loc[ok, "y"], weights=df.loc[ok, "w"])
    # na_rm=False: the mean's numerator counts missing values as 0 over all of the domain's weight
    assert r.theta[0] == pytest.approx((df.loc[ok, "y"] * df.loc[ok, "w"]).sum() / c.W[0], rel=1e-12)
    assert r.theta[0] != pytest.approx(expect)
