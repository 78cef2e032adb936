"""Tests for pewlike.variance.linearization / pewlike.variance.replication against R survey 4.1.

Reference numbers come from ``tests/reference/variance/make_variance_reference.R`` (R survey
4.1-1) and live beside it in ``tests/reference/variance``; each value there carries the R call
that produced it (``r_call`` column).  Tests never call R.
"""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

import pewlike as pw
from pewlike.errors import DesignError, EstimationError, PewlikeWarning
from pewlike.variance import linearization as V

DATA = Path(__file__).parents[1] / "reference" / "variance"
YS = ["api00", "api99", "meals", "ell"]
TIGHT = 1e-10  # relative to the largest entry of R's matrix


@cache
def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name)


def ref_vcov(case: str) -> np.ndarray:
    d = _csv("vcov.csv")
    d = d[d.case == case]
    assert len(d), f"no R reference for {case}"
    k = int(d.i.max()) + 1
    m = np.full((k, k), np.nan)
    m[d.i.to_numpy(), d.j.to_numpy()] = d.value.to_numpy()
    return m


def ref_scalar(case: str, name: str) -> np.ndarray:
    d = _csv("scalars.csv")
    d = d[(d.case == case) & (d.name == name)].sort_values("index")
    assert len(d), f"no R reference for {case}/{name}"
    return d.value.to_numpy()


def ref_repweights(case: str) -> np.ndarray:
    # cases whose R matrices are equal share one file; repw_index.csv names each case's file
    file = _csv("repw_index.csv").set_index("case").loc[case, "file"]
    return pd.read_csv(DATA / file).to_numpy(float)


def assert_close(got, want, rtol=TIGHT):
    got, want = np.asarray(got, float), np.asarray(want, float)
    assert got.shape == want.shape
    scale = np.max(np.abs(want))
    assert np.max(np.abs(got - want)) <= rtol * scale, np.max(np.abs(got - want)) / scale


def codes(s) -> np.ndarray:
    return pd.factorize(pd.Series(s))[0]


# ----------------------------------------------------------------------------- api designs
def strat():
    d = _csv("api_strat.csv")
    n = len(d)
    return d, d.pw.to_numpy()[:, None] * d[YS].to_numpy(float), codes(d.stype), np.arange(n)


def clus1():
    d = _csv("api_clus1.csv")
    return d, d.pw.to_numpy()[:, None] * d[YS].to_numpy(float), np.zeros(len(d), int), d.dnum.to_numpy()


def clus2():
    d = _csv("api_clus2.csv")
    return (
        d,
        d.w.to_numpy()[:, None] * d[YS].to_numpy(float),
        np.zeros((len(d), 2), int),
        d[["dnum", "snum"]].to_numpy(),
    )


def test_stratified_with_fpc_matches_svytotal():
    d, x, s, c = strat()
    pop = V.popsize_from_fpc(d.fpc.to_numpy(), s, c)
    assert_close(pop[:, 0], ref_scalar("strat_fpc", "popsize"))
    assert_close(V.linearized_vcov(x, s, c, pop), ref_vcov("strat_fpc"))


def test_stratified_mean_influence_matches_svymean():
    d, _, s, c = strat()
    w, y = d.pw.to_numpy(), d[YS].to_numpy(float)
    infl = w[:, None] * (y - w @ y / w.sum()) / w.sum()
    pop = V.popsize_from_fpc(d.fpc.to_numpy(), s, c)
    assert_close(V.linearized_vcov(infl, s, c, pop), ref_vcov("strat_fpc_mean"))


def test_stratified_without_fpc_and_weights_only():
    d, x, s, c = strat()
    assert_close(V.linearized_vcov(x, s, c), ref_vcov("strat_nofpc"))
    assert_close(V.linearized_vcov(x, np.zeros(len(d), int), c), ref_vcov("weights_only"))


def test_one_stage_cluster_with_and_without_fpc():
    d, x, s, c = clus1()
    pop = V.popsize_from_fpc(d.fpc.to_numpy(), s, c)
    assert_close(V.linearized_vcov(x, s, c, pop), ref_vcov("clus1_fpc"))
    assert_close(V.linearized_vcov(x, s, c), ref_vcov("clus1_nofpc"))


def test_two_stage_with_fpc_counts_and_fractions():
    d, x, s, c = clus2()
    pop = V.popsize_from_fpc(d[["fpc1", "fpc2"]].to_numpy(), s, c)
    np.testing.assert_array_equal(pop, d[["popsize1", "popsize2"]].to_numpy())
    np.testing.assert_array_equal(V.stratum_psu_counts(s, c), d[["sampsize1", "sampsize2"]].to_numpy())
    assert_close(V.linearized_vcov(x, s, c, pop), ref_vcov("clus2_fpc"))
    pop_frac = V.popsize_from_fpc(d[["frac1", "frac2"]].to_numpy(), s, c)
    assert_close(pop_frac, pop)
    assert_close(V.linearized_vcov(x, s, c, pop_frac), ref_vcov("clus2_frac"))


def test_two_stage_fewer_fpc_columns_means_with_replacement_later():
    d, x, s, c = clus2()
    pop = V.popsize_from_fpc(d[["fpc1"]].to_numpy(), s, c)
    assert np.isinf(pop[:, 1]).all()
    # R needs an explicit Inf column and lonely.psu='remove' (stage-2 singletons)
    assert_close(V.linearized_vcov(x, s, c, pop, lonely_psu="remove"), ref_vcov("clus2_inf2"))


def test_two_stage_without_fpc_and_ultimate_cluster():
    d, x, s, c = clus2()
    pop = V.popsize_from_fpc(d[["fpc1", "fpc2"]].to_numpy(), s, c)
    assert_close(V.linearized_vcov(x, s, c), ref_vcov("clus2_nofpc"))
    assert_close(V.linearized_vcov(x, s, c, pop, one_stage=True), ref_vcov("clus2_onestage"))
    assert_close(V.linearized_vcov(x, s, c, pop, one_stage=2), ref_vcov("clus2_fpc"))
    # the second stage really contributes
    assert not np.allclose(ref_vcov("clus2_onestage"), ref_vcov("clus2_fpc"))


def test_shuffling_rows_and_relabelling_codes_changes_nothing():
    d, x, s, c = clus2()
    pop = V.popsize_from_fpc(d[["fpc1", "fpc2"]].to_numpy(), s, c)
    want = V.linearized_vcov(x, s, c, pop)
    perm = np.random.default_rng(3).permutation(len(d))
    c2 = c * 7 + 11
    got = V.linearized_vcov(x[perm], s[perm] + 5, c2[perm], pop[perm])
    assert_close(got, want, 1e-12)


def test_textbook_stratified_srs_total():
    rng = np.random.default_rng(5)
    n_h, N_h = np.array([4, 7, 5]), np.array([40.0, 70.0, 25.0])
    h = np.repeat(np.arange(3), n_h)
    y = rng.normal(10, 3, h.size)
    w = (N_h / n_h)[h]
    want = sum(N_h[j] ** 2 * (1 - n_h[j] / N_h[j]) * np.var(y[h == j], ddof=1) / n_h[j] for j in range(3))
    got = V.linearized_vcov(w * y, h, np.arange(h.size), N_h[h][:, None])
    assert got.shape == (1, 1)
    assert got[0, 0] == pytest.approx(want, rel=1e-12)


def test_one_psu_per_row_equals_weights_only():
    d, x, _, c = strat()
    z = np.zeros(len(d), int)
    assert_close(V.linearized_vcov(x, z, c + 1000), V.linearized_vcov(x, z, np.arange(len(d))), 1e-14)


# ----------------------------------------------------------------------------- lonely PSUs and domains
def lonely():
    d = _csv("lonely.csv")
    x = d.w.to_numpy()[:, None] * d[["y1", "y2"]].to_numpy(float)
    return d, x, d.stratum.to_numpy(), d.psu.to_numpy()


@pytest.mark.parametrize("lp", ["remove", "adjust", "average", "certainty"])
def test_lonely_psu_options_match_r(lp):
    d, x, s, c = lonely()
    assert_close(V.linearized_vcov(x, s, c, lonely_psu=lp), ref_vcov(f"lonely_{lp}"))
    pop = V.popsize_from_fpc(d.N.to_numpy(), s, c)
    assert_close(V.linearized_vcov(x, s, c, pop, lonely_psu=lp), ref_vcov(f"lonely_fpc_{lp}"))


def test_lonely_options_really_differ():
    assert not np.allclose(ref_vcov("lonely_adjust"), ref_vcov("lonely_remove"))
    assert not np.allclose(ref_vcov("lonely_average"), ref_vcov("lonely_remove"))


def test_lonely_psu_fail_names_stratum_and_stage():
    _, x, s, c = lonely()
    with pytest.raises(DesignError, match=r"stratum 3 \(stage 1\) has only one PSU.*lonely_psu='adjust'"):
        V.linearized_vcov(x, s, c)


def test_certainty_stratum_does_not_fail():
    d, x, s, c = lonely()
    keep = d.stratum.to_numpy() != 3  # stratum 6 is lonely but has N = 1 (certainty)
    pop = V.popsize_from_fpc(d.N.to_numpy()[keep], s[keep], c[keep])
    v = V.linearized_vcov(x[keep], s[keep], c[keep], pop, lonely_psu="fail")
    v_rm = V.linearized_vcov(x[keep], s[keep], c[keep], pop, lonely_psu="remove")
    assert_close(v, v_rm, 1e-14)


def test_bad_lonely_option_lists_choices():
    _, x, s, c = lonely()
    with pytest.raises(DesignError, match="lonely_psu='adust' is not valid; choose one of 'fail'"):
        V.linearized_vcov(x, s, c, lonely_psu="adust")


@pytest.mark.parametrize("lp", ["remove", "adjust", "average", "certainty"])
@pytest.mark.parametrize("adl", [False, True])
def test_domain_with_lonely_psu_matches_r_subset(lp, adl):
    d, x, s, c = lonely()
    dom = d.dom.to_numpy() == 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = V.linearized_vcov(x, s, c, lonely_psu=lp, adjust_domain_lonely=adl, domain=dom)
    assert_close(got, ref_vcov(f"domain_{lp}_{str(adl).upper()}"))
    assert any(issubclass(w.category, PewlikeWarning) for w in caught) == adl
    # zero influence outside the domain gives the same answer when adl is off
    if not adl:
        assert_close(V.linearized_vcov(np.where(dom[:, None], x, 0.0), s, c, lonely_psu=lp), got)


def test_adjust_domain_lonely_changes_the_answer():
    assert not np.allclose(ref_vcov("domain_adjust_FALSE"), ref_vcov("domain_adjust_TRUE"))
    assert not np.allclose(ref_vcov("domain_average_FALSE"), ref_vcov("domain_average_TRUE"))


def test_explicit_sampsize_on_domain_rows_equals_domain_mask():
    d, x, s, c = lonely()
    dom = d.dom.to_numpy() == 1
    samp = V.stratum_psu_counts(s, c)
    for adl in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = V.linearized_vcov(x, s, c, lonely_psu="adjust", adjust_domain_lonely=adl, domain=dom)
            b = V.linearized_vcov(
                x[dom], s[dom], c[dom], lonely_psu="adjust", adjust_domain_lonely=adl, sampsize=samp[dom]
            )
        assert_close(b, a, 1e-14)


# ----------------------------------------------------------------------------- fpc checks
def test_popsize_from_fpc_errors():
    s = np.array([1, 1, 2, 2, 2])
    c = np.arange(5)
    with pytest.raises(DesignError, match="mixes population counts"):
        V.popsize_from_fpc([10, 10, 0.5, 0.5, 0.5], s, c)
    with pytest.raises(DesignError, match=r"stratum 2 at stage 1: fpc says 2 PSUs in the population but 3 are sampled"):
        V.popsize_from_fpc([10, 10, 2, 2, 2], s, c)
    with pytest.raises(DesignError, match="varies within stratum 2"):
        V.popsize_from_fpc([10, 10, 20, 20, 21], s, c)
    with pytest.raises(DesignError, match="missing"):
        V.popsize_from_fpc([10, 10, np.nan, 20, 20], s, c)
    np.testing.assert_allclose(V.popsize_from_fpc([0.1, 0.1, 0.5, 0.5, 0.5], s, c)[:, 0], [20, 20, 6, 6, 6])
    # messages name the stratum as the data do, and the whole sample when there are no strata
    with pytest.raises(DesignError, match=r"^fpc varies within stratum East at stage 1 \(20 vs 21\)"):
        V.popsize_from_fpc([10, 10, 20, 20, 21], s - 1, c, ["West", "East"])
    with pytest.raises(DesignError, match=r"^fpc varies within the sample \(one stratum\) at stage 1 \(10 vs 20\)"):
        V.popsize_from_fpc([10, 10, 20, 20, 20], np.zeros(5, dtype=int), c)


def test_fpc_messages_name_the_files_stratum_values():
    d = pd.DataFrame({"y": np.arange(8.0), "st": [11] * 4 + [12] * 4, "psu": range(8), "w": 1.0})
    d["f"] = [100, 100, 100, 90, 50, 50, 50, 50]
    with pytest.raises(DesignError, match=r"^fpc varies within stratum 11 at stage 1 \(100 vs 90\)"):
        pw.Survey(d, weights="w", strata="st", psu="psu", fpc="f")
    d["f"] = [3, 3, 3, 3, 50, 50, 50, 50]
    with pytest.raises(DesignError, match=r"^stratum 11 at stage 1: fpc says 3 PSUs in the population but 4"):
        pw.Survey(d, weights="w", strata="st", psu="psu", fpc="f")


def test_clusters_must_nest_in_strata():
    with pytest.raises(DesignError, match="more than one stratum"):
        V.linearized_vcov(np.ones(4), [1, 1, 2, 2], [1, 2, 2, 3])


# ----------------------------------------------------------------------------- calibration
def test_poststratification_residuals_match_r():
    d, _, s, c = clus1()
    w0, wn = d.pw.to_numpy(), d.w_ps.to_numpy()
    X = np.eye(3)[codes(d.stype)] * np.sqrt(w0)[:, None]
    r = V.calibration_residuals(wn[:, None] * d[YS].to_numpy(float), X, wn / np.sqrt(w0))
    pop = V.popsize_from_fpc(d.fpc.to_numpy(), s, c)
    assert_close(V.linearized_vcov(r, s, c, pop), ref_vcov("clus1_poststrat"))


@pytest.mark.parametrize("case,col", [("clus1_calibrate", "w_cal"), ("clus1_calibrate_raking", "w_calrake")])
def test_calibration_residuals_match_r(case, col):
    d, _, s, c = clus1()
    w0, wn = d.pw.to_numpy(), d[col].to_numpy()
    mm = np.column_stack([np.ones(len(d)), d.stype == "H", d.stype == "M", d.api99]).astype(float)
    r = V.calibration_residuals(wn[:, None] * d[YS].to_numpy(float), mm * np.sqrt(w0)[:, None], wn / w0 * np.sqrt(w0))
    pop = V.popsize_from_fpc(d.fpc.to_numpy(), s, c)
    assert_close(V.linearized_vcov(r, s, c, pop), ref_vcov(case))


def test_raking_residuals_match_r():
    d, _, s, c = clus1()
    wn = d.w_rake.to_numpy()
    margins = np.column_stack([codes(d.stype), codes(d.sch_wide)])
    r = V.raking_residuals(wn[:, None] * d[YS].to_numpy(float), margins, d[["rake_psw1", "rake_psw2"]].to_numpy())
    pop = V.popsize_from_fpc(d.fpc.to_numpy(), s, c)
    assert_close(V.linearized_vcov(r, s, c, pop), ref_vcov("clus1_rake"))


def test_calibration_groups_equal_separate_fits_and_rank_deficiency():
    rng = np.random.default_rng(9)
    n = 60
    g = np.repeat([0, 1, 2], 20)
    X = np.column_stack([np.ones(n), rng.normal(size=n), np.zeros(n)])  # an empty column
    w = rng.uniform(1, 3, n)
    x = rng.normal(size=(n, 2))
    got = V.calibration_residuals(x, X, w, groups=g)
    for j in range(3):
        m = g == j
        assert_close(got[m], V.calibration_residuals(x[m], X[m, :2], w[m]), 1e-9)
    # residuals of x/w are orthogonal to X
    assert np.abs(X[:, :2].T @ (V.calibration_residuals(x, X, w) / w[:, None])).max() < 1e-10


# ----------------------------------------------------------------------------- degrees of freedom, deff
def test_degf_linearized_matches_r():
    d, _, s, c = strat()
    assert V.degf_linearized(s, c, d.pw) == ref_scalar("strat_fpc", "degf")[0]
    assert V.degf_linearized(np.zeros(len(d)), c, d.pw) == ref_scalar("weights_only", "degf")[0]
    d, _, s, c = clus1()
    assert V.degf_linearized(s, c, d.pw) == ref_scalar("clus1_fpc", "degf")[0]
    d, _, s, c = clus2()
    assert V.degf_linearized(s, c, d.w) == ref_scalar("clus2_fpc", "degf")[0]
    d, _, s, c = lonely()
    w = np.where(d.dom == 1, d.w, 0.0)
    assert V.degf_linearized(s, c, w) == ref_scalar("domain", "degf")[0]


# ----------------------------------------------------------------------------- replicate weights vs R
@pytest.mark.parametrize("case,fpc", [("jk1_clus1", False), ("jk1_clus1_fpc", True)])
def test_jk1_weights_match_as_svrepdesign(case, fpc):
    d = _csv("api_clus1.csv")
    W, scale, rscales = V.jk1_weights(d.dnum.to_numpy(), d.pw.to_numpy(), popsize=d.fpc.to_numpy() if fpc else None)
    assert W.flags.c_contiguous and W.dtype == np.float64
    assert_close(W, ref_repweights(case), 1e-14)
    assert scale == pytest.approx(ref_scalar(case, "scale")[0], rel=1e-12)
    assert_close(rscales, ref_scalar(case, "rscales"))
    assert V.degf_replicate(W) == ref_scalar(case, "degf")[0]


@pytest.mark.parametrize("lp", ["remove", "adjust", "average", "certainty"])
def test_jkn_weights_with_lonely_strata_match_r(lp):
    d = _csv("lonely.csv")
    W, scale, rscales = V.jkn_weights(d.stratum, d.psu, d.w, lonely_psu=lp)
    assert_close(W, ref_repweights(f"jkn_lonely_{lp}"), 1e-14)
    assert scale == pytest.approx(ref_scalar(f"jkn_lonely_{lp}", "scale")[0], rel=1e-12)
    assert_close(rscales, ref_scalar(f"jkn_lonely_{lp}", "rscales"), 1e-12)


def test_jkn_weights_with_fpc_match_r():
    d = _csv("lonely.csv")
    d = d[~d.stratum.isin([3, 6])]
    W, scale, rscales = V.jkn_weights(d.stratum, d.psu, d.w, popsize=d.N.to_numpy())
    case = "jkn_lonely_ok_fpc"
    assert_close(W, ref_repweights(case), 1e-14)
    assert scale == ref_scalar(case, "scale")[0]
    assert_close(rscales, ref_scalar(case, "rscales"), 1e-12)
    assert V.degf_replicate(W) == ref_scalar(case, "degf")[0]


def test_jkn_fail_on_lonely_stratum():
    d = _csv("lonely.csv")
    with pytest.raises(DesignError, match="stratum 3 has only one PSU"):
        V.jkn_weights(d.stratum, d.psu, d.w)


@pytest.mark.parametrize("case,rho,max_stratum", [("brr17", 0.0, 17), ("fay17", 0.3, 17), ("brr10", 0.0, 10)])
def test_brr_and_fay_weights_match_r(case, rho, max_stratum):
    d = _csv("brr.csv")
    d = d[d.stratum <= max_stratum]
    W, scale, rscales = V.brr_weights(d.stratum.to_numpy(), d.psu.to_numpy(), d.w.to_numpy(), fay_rho=rho)
    assert_close(W, ref_repweights(case), 1e-14)
    assert scale == pytest.approx(ref_scalar(case, "scale")[0], rel=1e-12)
    assert_close(rscales, ref_scalar(case, "rscales"))
    assert V.degf_replicate(W) == ref_scalar(case, "degf")[0]


def test_brr_variance_of_totals_matches_r_and_linearization():
    d = _csv("brr.csv")
    W, scale, rscales = V.brr_weights(d.stratum.to_numpy(), d.psu.to_numpy(), d.w.to_numpy())
    y = d[["y1", "y2"]].to_numpy()
    v = V.replicate_vcov(V.replicate_totals(W, y), d.w.to_numpy() @ y, scale=scale, rscales=rscales)
    assert_close(v, ref_vcov("brr17_total"))
    # full orthogonal balance: BRR equals the with-replacement linearized variance for totals
    lin = V.linearized_vcov(d.w.to_numpy()[:, None] * y, d.stratum.to_numpy(), d.psu.to_numpy())
    assert_close(v, lin, 1e-10)


def test_brr_needs_two_psus_per_stratum():
    d = _csv("lonely.csv")
    with pytest.raises(DesignError, match=r"stratum 1 has 3 PSUs but BRR needs exactly 2"):
        V.brr_weights(d.stratum.to_numpy(), d.psu.to_numpy(), d.w.to_numpy())


def test_jk1_variance_of_totals_equals_linearization():
    d, x, _s, c = clus1()
    W, scale, rscales = V.jk1_weights(c, d.pw.to_numpy())
    y = d[YS].to_numpy(float)
    v = V.replicate_vcov(V.replicate_totals(W, y), x.sum(0), scale=scale, rscales=rscales)
    assert_close(v, ref_vcov("clus1_nofpc"), 1e-10)


def test_hadamard_matches_r():
    h = _csv("hadamard.csv")
    assert len(h) > 70
    for n, size, rows in h.itertuples(index=False):
        want = np.array([[int(ch) for ch in r] for r in rows.split()])
        H = V.hadamard(n)
        assert H.shape == (size, size), n
        np.testing.assert_array_equal(H, want, err_msg=f"hadamard({n})")
        pm = 2 * H.astype(int) - 1
        np.testing.assert_array_equal(pm.T @ pm, size * np.eye(size, dtype=int))


# ----------------------------------------------------------------------------- replicate variance
REPTYPES = {
    "BRR": dict(reptype="BRR"),
    "Fay": dict(reptype="Fay", fay_rho=0.3),
    "JK1": dict(reptype="JK1", scale=23 / 24),
    "JKn": dict(reptype="JKn", rscales=np.linspace(0.5, 1.2, 24)),
    "bootstrap": dict(reptype="bootstrap"),
    "sdr": dict(reptype="SDR"),
    "ACS": dict(reptype="ACS"),
    "JK2": dict(reptype="JK2"),
    "other": dict(reptype="other", scale=0.7, rscales=np.linspace(0.5, 1.2, 24)),
}


def reprand():
    d = _csv("reprand.csv")
    W = np.ascontiguousarray(d[[c for c in d.columns if c.startswith("rw")]].to_numpy(float))
    y = d[["y1", "y2"]].to_numpy(float)
    return d, W, y


@pytest.mark.parametrize("name", list(REPTYPES))
@pytest.mark.parametrize("mse", [False, True])
def test_replicate_vcov_matches_svrepdesign(name, mse):
    d, W, y = reprand()
    args = dict(REPTYPES[name])
    reptype = args.pop("reptype")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PewlikeWarning)
        scale, rscales = V.replicate_defaults(reptype, W.shape[1], **args)
    case = f"svrep_{name}_{str(mse).upper()}"
    assert scale == pytest.approx(ref_scalar(case, "scale")[0], rel=1e-12)
    assert_close(rscales, ref_scalar(case, "rscales"), 1e-12)
    v = V.replicate_vcov(V.replicate_totals(W, y), d.w.to_numpy() @ y, scale=scale, rscales=rscales, mse=mse)
    assert_close(v, ref_vcov(case))


def test_mse_centring_differs_from_mean_centring():
    assert not np.allclose(ref_vcov("svrep_BRR_TRUE"), ref_vcov("svrep_BRR_FALSE"))


@pytest.mark.parametrize("mse", [False, True])
def test_missing_replicates_are_dropped_with_warning(mse):
    d, W, y = reprand()
    th = V.replicate_totals(W, y)
    th[[2, 9], 0] = np.nan
    with pytest.warns(PewlikeWarning, match="2 replicates"):
        v = V.replicate_vcov(th, d.w.to_numpy() @ y, scale=0.2, rscales=np.linspace(0.5, 1.2, 24), mse=mse)
    assert_close(v, ref_vcov(f"svrvar_na_{str(mse).upper()}"))
    with pytest.raises(EstimationError):
        V.replicate_vcov(np.full((3, 2), np.nan), [0, 0], scale=1, rscales=1)


def test_degf_replicate_matches_r_rank():
    _d, W, _ = reprand()
    assert V.degf_replicate(W) == ref_scalar("svrep_BRR_FALSE", "degf")[0]
    low = np.column_stack([W[:, :6], W[:, 0] + W[:, 1], 2 * W[:, 2], W[:, 6:8]])
    assert V.degf_replicate(low) == ref_scalar("lowrank", "degf")[0] == 7


def test_replicate_defaults_errors():
    with pytest.raises(DesignError, match="rscales=\\(n_h-1\\)/n_h"):
        V.replicate_defaults("JKn", 10)
    with pytest.raises(DesignError, match=r"needs rho= \(Fay's coefficient, e.g. rho=0.5\)"):
        V.replicate_defaults("Fay", 10)
    with pytest.raises(DesignError, match="reptype='JK3' is not valid"):
        V.replicate_defaults("JK3", 10)
    with pytest.raises(DesignError, match="rscales has length 3"):
        V.replicate_defaults("JKn", 10, rscales=[1, 2, 3])
    with pytest.warns(PewlikeWarning):
        assert V.replicate_defaults("JK1", 10)[0] == pytest.approx(0.9)


def test_replicate_totals_dense_and_sparse_agree():
    _, W, y = reprand()
    dense = V.replicate_totals(W, y)
    sp = V.replicate_totals(W, sparse.csr_matrix(y))
    assert dense.shape == (W.shape[1], 2) and dense.flags.c_contiguous
    assert_close(sp, dense, 1e-14)
    assert_close(dense, W.T @ y, 1e-14)


# ----------------------------------------------------------------------------- bootstrap (properties)
def test_bootstrap_weights_properties():
    d, _x, s, c = strat()
    W, scale, rscales = V.bootstrap_weights(s, c, d.pw.to_numpy(), replicates=40, seed=1)
    assert W.shape == (len(d), 40) and W.flags.c_contiguous
    counts = W / d.pw.to_numpy()[:, None]
    np.testing.assert_allclose(counts, np.round(counts), atol=1e-12)  # draws are whole numbers
    n_h = np.bincount(s)
    for j in range(3):  # each stratum redraws n_h PSUs
        np.testing.assert_allclose(counts[s == j].sum(0), n_h[j])
    m = 1 / np.mean(1 / n_h)
    assert scale == pytest.approx(m / ((m - 1) * 39))
    np.testing.assert_array_equal(rscales, np.ones(40))
    W2, _, _ = V.bootstrap_weights(s, c, d.pw.to_numpy(), replicates=40, seed=1)
    np.testing.assert_array_equal(W, W2)


def test_bootstrap_variance_is_close_to_linearization():
    d, x, s, c = strat()
    W, scale, rscales = V.bootstrap_weights(s, c, d.pw.to_numpy(), replicates=3000, seed=42)
    y = d[YS].to_numpy(float)
    v = V.replicate_vcov(V.replicate_totals(W, y), x.sum(0), scale=scale, rscales=rscales)
    lin = ref_vcov("strat_nofpc")
    np.testing.assert_allclose(np.diag(v), np.diag(lin), rtol=0.08)


@pytest.mark.parametrize("lp", ["remove", "adjust", "average", "certainty"])
def test_several_domains_at_once_match_svyby(lp):
    d, _, s, c = lonely()
    grp = d.grp.to_numpy()
    x = (d.w * d.y1).to_numpy()[:, None] * (grp[:, None] == np.arange(4))  # zero outside own domain
    v = V.linearized_vcov(x, s, c, lonely_psu=lp, domain=grp)
    assert_close(np.sqrt(np.diag(v)), ref_scalar(f"svyby_{lp}", "se"))
    assert np.all(v[~np.eye(4, dtype=bool)] == 0)  # block diagonal
    for g in range(4):
        one = V.linearized_vcov(x[:, [g]], s, c, lonely_psu=lp, domain=grp == g)
        assert one[0, 0] == pytest.approx(v[g, g], rel=1e-12)


def test_average_depends_on_strata_present_in_the_domain():
    d, _, s, c = lonely()
    grp = d.grp.to_numpy()
    x = (d.w * d.y1).to_numpy()[:, None] * (grp[:, None] == np.arange(4))
    by_domain = np.diag(V.linearized_vcov(x, s, c, lonely_psu="average", domain=grp))
    zero_padded = np.diag(V.linearized_vcov(x, s, c, lonely_psu="average"))
    assert not np.allclose(by_domain, zero_padded)


def test_fpc_fraction_zero_means_with_replacement():
    d, x, s, c = strat()
    pop = V.popsize_from_fpc(np.zeros(len(d)), s, c)
    assert np.isinf(pop).all()
    assert_close(V.linearized_vcov(x, s, c, pop), ref_vcov("strat_nofpc"))


# ----------------------------------------------------------------------------- a literal port as a second route
def _ref_onestrat(x, cluster, n_psu, fpc, lonely, adl):
    """R's onestrat() written out with loops (slow, obviously correct)."""
    f = (
        np.ones(len(x))
        if fpc is None
        else np.where(np.isinf(fpc), 1.0, (fpc - n_psu) / np.where(np.isinf(fpc), 1, fpc))
    )
    scale = f * n_psu / (n_psu - 1) if n_psu > 1 else f.copy()
    k = x.shape[1]
    if np.all(f < 1e-7):
        return np.zeros((k, k))
    ids = list(dict.fromkeys(cluster.tolist()))
    tot = np.array([x[cluster == u].sum(0) for u in ids])
    sc = np.array([scale[np.flatnonzero(cluster == u)[0]] for u in ids])
    nsub = len(ids)
    if nsub < n_psu:
        tot = np.vstack([tot, np.zeros((int(n_psu) - nsub, k))])
        sc = np.full(len(tot), sc[0])
    if lonely != "adjust" or nsub > 1 or (n_psu > 1 and not adl):
        tot = tot - tot.mean(0)
    if nsub == 1 and n_psu > 1 and adl and lonely == "average":
        sc = sc * np.nan
    if n_psu == 1:
        if lonely == "fail":
            raise DesignError("lonely")
        if lonely == "average":
            return np.full((k, k), np.nan)
    return sum(s * np.outer(t, t) for s, t in zip(sc, tot))


def _ref_multistage(x, st, cl, n_psu, fpc, lonely, adl):
    k = x.shape[1]
    mats = []
    for h in dict.fromkeys(st[:, 0].tolist()):
        m = st[:, 0] == h
        mats.append(_ref_onestrat(x[m], cl[m, 0], n_psu[m, 0][0], None if fpc is None else fpc[m, 0], lonely, adl))
    ok = [not np.isnan(m).any() for m in mats]
    v = sum(m for m, o in zip(mats, ok) if o) if any(ok) else np.zeros((k, k))
    v = v * len(mats) / sum(ok) if any(ok) else np.full((k, k), np.nan)
    if fpc is not None and cl.shape[1] > 1:
        for u in dict.fromkeys(cl[:, 0].tolist()):
            m = cl[:, 0] == u
            i = np.flatnonzero(m)[0]
            v = (
                v
                + _ref_multistage(x[m], st[m, 1:], cl[m, 1:], n_psu[m, 1:], fpc[m, 1:], lonely, adl)
                * n_psu[i, 0]
                / fpc[i, 0]
            )
    return v


def _random_design(rng, stages):
    rows = [((), ())]  # (strata path, cluster path)
    for s in range(stages):
        new = []
        for spath, cpath in rows:
            for h in range(rng.integers(1, 3) if s else rng.integers(3, 6)):
                for j in range(rng.integers(1, 4)):
                    new.append((spath + (h,), cpath + (j,)))
        rows = new
    rows = [r for r in rows for _ in range(rng.integers(1, 3))]
    n = len(rows)
    strata = np.array([r[0] for r in rows])
    # unique cluster codes per stage: the path up to that stage
    clusters = np.column_stack(
        [pd.factorize(pd.Series([str(r[1][: s + 1]) + str(r[0][: s + 1]) for r in rows]))[0] for s in range(stages)]
    )
    samp = V.stratum_psu_counts(strata, clusters)
    pop = np.empty((n, stages))
    for s in range(stages):
        key = pd.Series([str(r[1][:s]) + str(r[0][: s + 1]) for r in rows])
        choice = {k: rng.integers(0, 3) for k in key.unique()}
        extra = {k: rng.integers(1, 9) for k in key.unique()}
        pop[:, s] = [
            np.inf if choice[k] == 0 else samp[i, s] + (0 if choice[k] == 1 else extra[k]) for i, k in enumerate(key)
        ]
    return strata, clusters, samp, pop, n


@pytest.mark.parametrize("seed", range(24))
def test_vectorised_engine_equals_literal_port_of_r(seed):
    rng = np.random.default_rng(seed)
    stages = 1 + seed % 3
    strata, clusters, samp, pop, n = _random_design(rng, stages)
    x = rng.normal(size=(n, 2))
    dom = rng.random(n) < 0.7
    lonely = ["remove", "adjust", "average", "certainty", "fail"][seed % 5]
    for use_pop in (None, pop):
        for adl in (False, True):
            for mask in (None, dom):
                rows = np.ones(n, bool) if mask is None else mask
                st_r = np.column_stack(
                    [strata[:, 0]] + [clusters[:, s - 1] * 10 + strata[:, s] for s in range(1, stages)]
                )
                try:
                    want = _ref_multistage(
                        x[rows],
                        st_r[rows],
                        clusters[rows],
                        samp[rows],
                        None if use_pop is None else use_pop[rows],
                        lonely,
                        adl,
                    )
                except DesignError:
                    want = None
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", PewlikeWarning)
                    if want is None:
                        with pytest.raises(DesignError):
                            V.linearized_vcov(
                                x, strata, clusters, use_pop, lonely_psu=lonely, adjust_domain_lonely=adl, domain=mask
                            )
                        continue
                    got = V.linearized_vcov(
                        x, strata, clusters, use_pop, lonely_psu=lonely, adjust_domain_lonely=adl, domain=mask
                    )
                np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, equal_nan=True)
