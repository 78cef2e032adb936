"""Unweighted counts leave out respondents with weight zero, as R's ``unwtd.count``.

R 4.1.1 on a design of 200 rows, 40 of them weighted zero (``svyby(~Q, ~G, des, unwtd.count)``
and ``unwtd.count(~Q, des)``) gives 77, 83 and 160: the rows with a nonzero weight.  A
respondent weighted zero adds nothing to an estimate or to Pew's margin of error, so the N
printed beside them (``n`` of every estimate, a table's Unweighted N, the methods statement)
counts only the others.  The expected counts here are those rows counted with numpy.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.tables import methods_statement

DESIGNS = [
    {"weights": "w"},
    {"weights": "w", "strata": "st", "psu": "psu", "nest": True},
]
SCALE = ["Very", "Somewhat", "Not too", "Not at all"]


def _frame(seed: int, n: int = 500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.5, 2.0, n)
    w[rng.random(n) < 0.25] = 0.0  # a quarter outside the weight's universe
    q = rng.choice([*SCALE, "Refused"], n, p=[0.3, 0.3, 0.2, 0.15, 0.05]).astype(object)
    q[rng.random(n) < 0.1] = None  # not asked
    return pd.DataFrame(
        {
            "Q": pd.Categorical(q, categories=[*SCALE, "Refused"], ordered=True),
            "R": pd.Categorical(rng.choice(SCALE, n), categories=SCALE, ordered=True),
            "G": pd.Categorical(rng.choice(["A", "B"], n)),
            "y": rng.normal(size=n),
            "x": rng.gamma(2.0, 1.0, n),
            "w": w,
            "st": rng.integers(1, 4, n),
            "psu": rng.integers(1, 30, n),
        }
    )


def _expected(frame: pd.DataFrame, valid: pd.Series) -> dict[str, int]:
    keep = valid & (frame["w"] != 0)
    return {g: int((keep & (frame["G"] == g)).sum()) for g in ("A", "B")} | {"all": int(keep.sum())}


def _by_group(f: pd.DataFrame) -> dict[str, int]:
    return {str(g): int(n) for g, n in f.groupby("G", observed=True)["n"].first().items()}


@pytest.mark.parametrize("design", DESIGNS)
def test_every_estimate_counts_the_weighted_rows(design):
    frame = _frame(11)
    svy = pw.Survey(frame, **design)
    answered = frame["Q"].isin(SCALE)
    want = _expected(frame, answered)
    for_y = _expected(frame, pd.Series(True, index=frame.index))
    assert _by_group(svy.mean("y", by="G").to_frame()) == {"A": for_y["A"], "B": for_y["B"]}
    assert _by_group(svy.total("y", by="G").to_frame()) == {"A": for_y["A"], "B": for_y["B"]}
    assert _by_group(svy.ratio("y", "x", by="G").to_frame()) == {"A": for_y["A"], "B": for_y["B"]}
    assert _by_group(svy.quantile("y", [0.5], by="G").to_frame()) == {"A": for_y["A"], "B": for_y["B"]}
    p = svy.proportion("Q").to_frame()
    weighted = frame["w"] != 0
    assert [int(v) for v in p["n"]] == [int((weighted & (frame["Q"] == s)).sum()) for s in SCALE]
    assert int(p["n"].sum()) == want["all"]
    by = svy.proportion("Q", by="G").to_frame()
    assert by.groupby("G", observed=True)["n"].sum().astype(int).to_dict() == {"A": want["A"], "B": want["B"]}


@pytest.mark.parametrize("design", DESIGNS)
def test_tables_print_the_weighted_rows_as_unweighted_n(design):
    frame = _frame(12)
    svy = pw.Survey(frame, **design)
    want = _expected(frame, frame["Q"].isin(SCALE))
    assert svy.topline("Q").n == want["all"]
    assert f"Unweighted N = {want['all']:,};" in str(svy.topline("Q"))
    tab = svy.crosstab("Q", "G")
    assert tab.total.n == want["all"]
    nrow = next(line for line in str(tab).splitlines() if line.startswith("Unweighted N"))
    assert nrow.split()[2:] == [str(want["all"]), str(want["A"]), str(want["B"])]
    m = methods_statement(svy, ["G"]).to_frame()
    every = _expected(frame, pd.Series(True, index=frame.index))
    assert [int(v) for v in m["n"]] == [every["all"], every["A"], every["B"]]
    both = frame["Q"].isin(SCALE) & frame["R"].isin(SCALE) & (frame["w"] != 0)
    cmp = svy.grid(["Q", "R"], compare=("Q", "R"), nets=None).comparison()
    assert set(cmp["n"].astype(int)) == {int(both.sum())}


@pytest.mark.parametrize("design", DESIGNS)
def test_a_select_all_battery_counts_the_weighted_rows_asked(design):
    frame = _frame(15)
    rng = np.random.default_rng(15)
    sel = pd.CategoricalDtype(["Selected", "Not selected"])
    asked = rng.random(len(frame)) < 0.8
    for item in ("PP1", "PP2", "PP3"):
        picked = np.where(rng.random(len(frame)) < 0.4, "Selected", "Not selected").astype(object)
        picked[~asked] = None
        frame[item] = pd.Series(picked, dtype=sel)
    res = pw.Survey(frame, **design).select_all(["PP1", "PP2", "PP3"])
    assert res.n == int((asked & (frame["w"] != 0).to_numpy()).sum()) < int(asked.sum())
    assert f"Unweighted N = {res.n:,};" in str(res)


def test_without_zero_weights_every_row_counts():
    frame = _frame(13).assign(w=lambda f: f["w"].where(f["w"] != 0, 1.0))
    svy = pw.Survey(frame, weights="w")
    assert svy.topline("Q").n == int(frame["Q"].isin(SCALE).sum())
    assert _by_group(svy.mean("y", by="G").to_frame()) == frame.groupby("G", observed=True).size().to_dict()


@pytest.mark.parametrize("design", DESIGNS)
def test_both_engines_count_alike(design):
    dd = pytest.importorskip("dask.dataframe")
    frame = _frame(14)
    mem = pw.Survey(frame, **design)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        part = pw.Survey(dd.from_pandas(frame, npartitions=3), progress=False, **design)
        pairs = [
            (getattr(s, fn)(*args, by="G").to_frame()["n"].tolist() for s in (mem, part))
            for fn, args in (("mean", ("y",)), ("total", ("y",)), ("ratio", ("y", "x")), ("proportion", ("Q",)))
        ]
        for a, b in pairs:
            assert a == b
        assert mem.topline("Q").n == part.topline("Q").n == _expected(frame, frame["Q"].isin(SCALE))["all"]
        nrows = [
            next(x for x in str(s.crosstab("Q", "G")).splitlines() if x.startswith("Unweighted N")) for s in (mem, part)
        ]
    assert nrows[0] == nrows[1]


def test_rao_scott_with_zero_weights_is_r_svychisq():
    """R 4.1.1: ``svychisq(~Q + G, svydesign(ids=~1, weights=~w, data=d))`` on this frame (written to CSV).

    R's ``nu`` counts all 200 rows (ddf 199) where ``degf(des)`` is 159 (rows with a nonzero weight);
    ``unwtd.count``: 77 and 83 by G, 160 in all.
    """
    rng = np.random.default_rng(1)
    n = 200
    frame = pd.DataFrame(
        {
            "w": rng.gamma(2, 0.5, n),
            "Q": pd.Categorical(rng.choice(["Yes", "No"], n), categories=["Yes", "No"]),
            "G": pd.Categorical(rng.choice(["A", "B"], n)),
        }
    )
    frame.loc[:39, "w"] = 0.0
    svy = pw.Survey(frame, weights="w")
    test = svy.chisq("Q", "G")
    np.testing.assert_allclose([test.statistic, test.p_value], [3.1412726351257656, 0.0778642590772994], rtol=1e-10)
    assert test.df == (1.0, 199.0) and svy.degf == 159
    assert svy.proportion("Q", by="G").to_frame().groupby("G", observed=True)["n"].sum().to_dict() == {
        "A": 77,
        "B": 83,
    }
    assert svy.topline("Q").n == 160
