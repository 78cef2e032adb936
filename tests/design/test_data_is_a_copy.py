"""A Survey keeps its own data: changing the DataFrame it was built from changes no estimate.

R's ``svydesign(data = df)`` stores a copy of ``df``; a user who recodes ``df`` afterwards
expects the design to be unchanged.  pandas' copy-on-write makes the copy free.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pewlike as pw


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 200
    return pd.DataFrame(
        {
            "x": rng.normal(50, 10, n),
            "q": pd.Categorical(rng.choice(["Yes", "No"], n), categories=["Yes", "No"]),
            "w": rng.uniform(0.5, 2.0, n),
            "st": np.repeat(np.arange(4), n // 4),
            "psu": np.arange(n) // 5,
        }
    )


def _numbers(svy: pw.Survey) -> list[float]:
    mean = svy.mean("x").to_frame()
    share = svy.proportion("q").to_frame()
    return [*mean.select_dtypes("number").to_numpy().ravel(), *share.select_dtypes("number").to_numpy().ravel()]


@pytest.mark.parametrize(
    "change",
    [
        lambda df: df.loc.__setitem__((0, "x"), 1e6),  # one value
        lambda df: df.__setitem__("x", 0.0),  # a whole column replaced
        lambda df: df.loc.__setitem__((slice(None), "w"), np.linspace(1.0, 9.0, len(df))),
        lambda df: df.loc.__setitem__((df.index[:50], "q"), "No"),
        lambda df: df.__delitem__("x"),
        lambda df: setattr(df, "columns", ["y", *df.columns[1:]]),
    ],
    ids=["value", "column", "weights", "answers", "column deleted", "renamed"],
)
def test_changing_the_users_frame_changes_no_estimate(change) -> None:
    df = _frame()
    svy = pw.Survey(df, weights="w", strata="st", psu="psu")
    before = _numbers(svy)
    change(df)
    assert _numbers(svy) == before  # to the bit
    assert svy.n == 200 and "x" in svy.data.columns


def test_changing_svy_data_changes_no_estimate() -> None:
    svy = pw.Survey(_frame(), weights="w", strata="st", psu="psu")
    before = _numbers(svy)
    view = svy.data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        view.loc[0, "x"] = 1e6
        view["w"] = 5.0
    assert _numbers(svy) == before
