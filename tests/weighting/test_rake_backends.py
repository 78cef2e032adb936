"""rake shares its checks, joint-cell raking and record between backends (issue #10).

Seeded surveys (weights only, strata and PSUs, replicate weights, a subset) raked in memory
and partitioned (Dask, synchronous scheduler): the same weights' estimates, the same record of
achieved vs target margins and the same note; option errors word for word the same; a raking
that cannot converge fails alike, with the best weights only where all rows are at hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import RakingError
from pewlike.weighting.rake_core import check_rake_options, margin_totals
from pewlike.weighting.raking import ipf
from pewlike.weighting.steps import last_record
from pewlike.weighting.targets import build_margins

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

AGE = ["18-29", "30-49", "50-64", "65+"]
MARGINS = {"AGE": dict(zip(AGE, [0.2, 0.33, 0.27, 0.2])), "SEX": {"Male": 0.49, "Female": 0.51}}


def _frame(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "w": rng.gamma(2 + seed % 3, 0.5, n),
            "st": rng.integers(0, 4, n),
            "psu": rng.integers(0, 5, n),
            "AGE": pd.Categorical(rng.choice(AGE, n, p=[0.1, 0.3, 0.3, 0.3]), categories=AGE, ordered=True),
            "SEX": pd.Categorical(rng.choice(["Male", "Female"], n, p=[0.6, 0.4]), categories=["Male", "Female"]),
            "y": rng.normal(size=n),
        }
    )


def _pair(shape: str, seed: int, n: int) -> tuple[pw.Survey, pw.Survey]:
    df = _frame(seed, n)
    kw: dict = {"weights": "w"}
    if shape in ("strata and PSUs", "subset"):
        kw = {"weights": "w", "strata": "st", "psu": "psu", "nest": True}
    elif shape == "JKn":
        rep = pw.Survey(df, weights="w", strata="st", psu="psu", nest=True).to_replicate("JKn")
        W = rep._design.repweights
        df = pd.concat([df, pd.DataFrame({f"rw{i:02d}": W[:, i] for i in range(W.shape[1])}, index=df.index)], axis=1)
        kw = dict(weights="w", repweights="rw*", reptype="JKn", rscales=rep._design.rscales)
    mem, dsk = pw.Survey(df, **kw), pw.Survey(dd.from_pandas(df, npartitions=3), **kw)
    if shape == "subset":
        mem, dsk = mem.subset("st != 2"), dsk.subset("st != 2")
    return mem, dsk


@pytest.mark.parametrize(
    ("shape", "seed", "n"), [("weights only", 1, 300), ("strata and PSUs", 2, 900), ("subset", 3, 700), ("JKn", 4, 600)]
)
def test_rake_record_and_estimates_equal_on_both_backends(shape, seed, n):
    mem, dsk = _pair(shape, seed, n)
    with dask.config.set(scheduler="synchronous"):
        rm, rd = mem.rake(MARGINS, total=1000.0), dsk.rake(MARGINS, total=1000.0)
        a, b = rm.proportion("AGE", by="SEX"), rd.proportion("AGE", by="SEX")
        np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-10)
        np.testing.assert_allclose(a.std_error, b.std_error, rtol=1e-10)
        np.testing.assert_allclose(rd.total("y").estimate, rm.total("y").estimate, rtol=1e-10)
    ra, rb = last_record(rm._history), last_record(rd._history)
    assert ra is not None and rb is not None
    assert str(rm._history[-1]) == str(rd._history[-1])
    assert str(rm._history[-1]).startswith("raked to 2 margin(s) (AGE, SEX) in ")
    assert (ra.method, ra.iterations, ra.converged, ra.tolerance, ra.options) == (
        rb.method,
        rb.iterations,
        rb.converged,
        rb.tolerance,
        rb.options,
    )
    pd.testing.assert_frame_equal(ra.margins, rb.margins, rtol=1e-10)
    # the record: achieved on target, "before" the shares of the starting weights
    got = ra.margins.set_index(["variable", "level"])
    assert np.abs(got["achieved"] - got["target"]).max() < 1e-7
    dom = mem.data if shape != "subset" else mem.data[mem.data.st != 2]
    start = dom.groupby("AGE", observed=False)["w"].sum()
    np.testing.assert_allclose(got.loc["AGE", "before"].to_numpy(float), (start / start.sum()).to_numpy(), rtol=1e-10)
    counts = dom["AGE"].value_counts().reindex(AGE)
    np.testing.assert_allclose(got.loc["AGE", "unweighted"].to_numpy(float), (counts / counts.sum()).to_numpy())


def test_margin_totals_of_the_joint_cells():
    """Totals before and after raking and the respondents of each margin, from the joint cells."""
    svy = pw.Survey(_frame(5, 400), weights="w")
    ms, _, cells = build_margins(svy._backend, MARGINS, total=None)
    res = ipf(cells, [m.target for m in ms], max_iter=50, tol=1e-9)
    tot = margin_totals(cells, ms, res.factor)
    df = svy.data
    for j, m in enumerate(ms):
        np.testing.assert_allclose(tot.achieved[j], m.target, rtol=1e-7)
        np.testing.assert_allclose(tot.before[j], df.groupby(m.name, observed=False)["w"].sum().to_numpy(), rtol=1e-12)
        assert tot.unweighted[j].tolist() == df[m.name].value_counts().reindex(m.labels).tolist()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_iter": 0}, "max_iter=0 is not valid; give a positive integer such as 50"),
        ({"max_iter": 2.5}, "max_iter=2.5 is not valid; give a positive integer such as 50"),
        ({"tol": 0}, "tol=0 is not valid; give a positive tolerance such as 1e-7"),
        ({"tol": -1e-3, "max_iter": 0}, "max_iter=0 is not valid"),  # max_iter is checked first
    ],
)
def test_option_errors_are_the_same_on_both_backends(options, message):
    mem, dsk = _pair("weights only", 6, 200)
    errs = []
    for svy in (mem, dsk):
        with pytest.raises(RakingError) as err, dask.config.set(scheduler="synchronous"):
            svy.rake(MARGINS, **options)
        errs.append(str(err.value))
    assert errs[0] == errs[1] and errs[0].startswith(message)


def test_check_rake_options_cap():
    check_rake_options(50, 1e-7, 3.0)
    with pytest.raises(RakingError, match=r"^cap=1 is not valid; give the largest weight as a multiple \(> 1\)"):
        check_rake_options(50, 1e-7, 1)
    with pytest.raises(RakingError, match=r"^max_iter=-1 "):
        check_rake_options(-1, 1e-7, 1)


def test_nonconvergence_fails_alike_with_best_weights_only_in_memory():
    """Margins that disagree cannot be met: the same message; in memory the best weights come with it."""
    mem, dsk = _pair("weights only", 7, 300)
    bad = {"AGE": MARGINS["AGE"], ("AGE", "SEX"): {(a, s): 0.125 for a in AGE for s in ("Male", "Female")}}
    errs = []
    for svy in (mem, dsk):
        with pytest.raises(RakingError) as err, dask.config.set(scheduler="synchronous"):
            svy.rake(bad, max_iter=5)
        errs.append(err.value)
    assert str(errs[0]) == str(errs[1])
    assert str(errs[0]).startswith("raking did not converge after 5 iterations")
    assert errs[0].weights is not None and errs[0].weights.shape == (300,) and errs[1].weights is None
