"""Partitioned surveys: repr of a weights-only design, real AttributeErrors, bad weights (issue #17)."""

from __future__ import annotations

import warnings

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


def test_partitioned_duplicate_columns_are_refused(tmp_path):
    (tmp_path / "a.csv").write_text("Q1,W,W\nYes,1,2\nNo,1,2\n")
    with pytest.raises(pw.DataFileError, match=r"a\.csv: column name 'W' appears more than once"):
        pw.read(str(tmp_path / "a.csv"), engine="dask", weights="W", progress=False)
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(
        pa.table([pa.array([1, 2]), pa.array([1.0, 2.0]), pa.array([3.0, 4.0])], names=["Q1", "W", "W"]),
        tmp_path / "b.parquet",
    )
    with pytest.raises(pw.DataFileError, match=r"b\.parquet: column name 'W' appears more than once"):
        pw.read(str(tmp_path / "b.parquet"), engine="dask", weights="W", progress=False)


def test_partitioned_overflowing_totals_are_an_error():
    df = pd.DataFrame({"x": [1e308] * 6, "w": np.ones(6)})
    svy = pw.Survey(dd.from_pandas(df, npartitions=2), weights="w", progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(pw.EstimationError, match=r"^a weighted total overflows"):
            svy.mean("x")
