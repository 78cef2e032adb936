"""Partitioned surveys: repr of a weights-only design, real AttributeErrors, bad weights (issue #17)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw

dd = pytest.importorskip("dask.dataframe")


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"Q1": ["Yes", "No"] * 25, "weight": np.linspace(0.5, 1.5, 50)})


@pytest.mark.parametrize("weights, line", [("weight", "  weights: weight"), (None, "  weights: equal (unweighted)")])
def test_repr_of_weights_only_partitioned_survey(tmp_path, weights, line):
    svy = pw.Survey(dd.from_pandas(_frame(), npartitions=2), weights=weights, progress=False)
    text = repr(svy)
    assert text.splitlines() == [
        "Partitioned survey design (Dask, 2 partitions): independent sampling",
        line,
    ]
    assert svy._repr_html_() == f"<pre>{text}</pre>"
    _frame().to_parquet(tmp_path / "a.parquet")
    read = pw.read(str(tmp_path / "a.parquet"), engine="dask", weights="weight", progress=False)
    assert repr(read).splitlines()[1] == "  weights: weight"
    assert read.n == 50


def test_attribute_error_inside_a_property_is_not_masked(monkeypatch):
    svy = pw.Survey(dd.from_pandas(_frame(), npartitions=2), weights="weight", progress=False)
    backend = type(svy._backend)

    def broken(self):
        raise AttributeError("the real cause")

    monkeypatch.setattr(backend, "n", property(broken))
    with pytest.raises(AttributeError, match="^the real cause$"):
        svy.n
    with pytest.raises(AttributeError, match="has no attribute 'no_such_thing'"):
        svy.no_such_thing


def test_partitioned_weights_whose_total_overflows(tmp_path):
    df = pd.DataFrame({"Q1": ["Yes", "No"] * 5 + ["Yes"], "weight": [1e308] * 11})
    with pytest.raises(
        pw.DesignError, match=r"weight column 'weight' is too large to compute with .*rescale the weights"
    ):
        pw.Survey(dd.from_pandas(df, npartitions=2), weights="weight", progress=False).n
