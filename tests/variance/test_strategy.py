"""The variance methods (pewlike.variance.strategy) alone on small arrays, and as a design holds them.

Textbook formulas on toy designs: the with-replacement stratified variance of PSU totals
(Cochran 1977, 5A.4, with fpc), the delete-one jackknife of a mean (s^2/n); what each
method asks of a statistic; how it carries subsets and reweighting steps; and a third,
made-up method that plugs into a design without any other change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pytest

import pewlike as pw
from pewlike.errors import DesignError
from pewlike.variance.replication import ReplicateVariance
from pewlike.variance.strategy import Covariance, VarianceMethod, linearization_label, replicate_label
from pewlike.variance.taylor import LinearizationVariance


# --------------------------------------------------------------------------- toy arrays
@dataclass(frozen=True)
class Toy:
    """A SampleDesign made of arrays (cluster codes 0..U-1)."""

    weights: np.ndarray
    strata: np.ndarray
    clusters: np.ndarray
    popsize: np.ndarray | None = None
    lonely_psu: str = "fail"
    names: dict = field(default_factory=dict)

    @property
    def units(self) -> tuple[np.ndarray, np.ndarray]:
        unit = self.clusters[:, -1]
        _, first = np.unique(unit, return_index=True)
        return unit, first


@dataclass
class Stat:
    """A Statistic that records what the method asked for."""

    estimate: np.ndarray
    z: np.ndarray | None = None
    x: np.ndarray | None = None
    reps: object = None
    column_domains: tuple | None = None
    subset_units: np.ndarray | None = None
    asked: list = field(default_factory=list)

    def unit_influence(self) -> np.ndarray:
        self.asked.append("units")
        return self.z

    def row_influence(self) -> np.ndarray:
        self.asked.append("rows")
        return self.x

    def replicates(self, method) -> np.ndarray:
        self.asked.append("replicates")
        return self.reps(method.repweights)


def _rows_design(strata, popsize=None) -> Toy:
    """Every row its own PSU."""
    n = len(strata)
    pop = None if popsize is None else np.asarray(popsize, dtype=float)[:, None]
    return Toy(np.ones(n), np.asarray(strata)[:, None], np.arange(n)[:, None], pop)


def _textbook(z, strata, N=None):
    """sum_h (1 - n_h/N_h) n_h/(n_h - 1) sum_i (z_hi - mean_h)^2 for PSU totals z."""
    v = 0.0
    for h in np.unique(strata):
        zh = z[strata == h]
        nh = zh.size
        f = 1.0 if N is None else 1.0 - nh / N[strata == h][0]
        v += f * nh / (nh - 1) * np.sum((zh - zh.mean()) ** 2)
    return v


# --------------------------------------------------------------------------- linearization
def test_linearization_is_the_stratified_textbook_formula():
    strata = np.array([0, 0, 0, 1, 1, 1, 1])
    z = np.array([3.0, 5.0, 10.0, 1.0, 2.0, 2.5, 7.0])
    stat = Stat(np.zeros(1), z=z[:, None])
    cov = LinearizationVariance().covariance(stat, _rows_design(strata))
    assert isinstance(cov, Covariance) and cov.replicates is None
    assert cov.vcov[0, 0] == pytest.approx(_textbook(z, strata), rel=1e-14)
    assert stat.asked == ["units"]


def test_linearization_with_fpc_and_clusters():
    N = np.array([10.0, 10.0, 10.0, 6.0, 6.0, 6.0, 6.0])
    strata = np.array([0, 0, 0, 1, 1, 1, 1])
    z = np.array([3.0, 5.0, 10.0, 1.0, 2.0, 2.5, 7.0])
    v = LinearizationVariance().covariance(Stat(np.zeros(1), z=z[:, None]), _rows_design(strata, N)).vcov
    assert v[0, 0] == pytest.approx(_textbook(z, strata, N), rel=1e-14)
    # two rows per PSU: the statistic's unit totals are what counts
    rows = Toy(np.ones(8), np.zeros((8, 1), dtype=int), np.repeat(np.arange(4), 2)[:, None])
    zu = np.array([[1.0], [4.0], [2.0], [9.0]])
    v = LinearizationVariance().covariance(Stat(np.zeros(1), z=zu), rows).vcov
    assert v[0, 0] == pytest.approx(_textbook(zu[:, 0], np.zeros(4, dtype=int)), rel=1e-14)


def test_linearization_of_a_weighted_mean_from_rows():
    rng = np.random.default_rng(1)
    n = 12
    strata = np.repeat([0, 1, 2], 4)
    w = rng.uniform(1, 3, n)
    y = rng.normal(size=n)
    d = Toy(w, strata[:, None], np.arange(n)[:, None])
    ybar = np.sum(w * y) / w.sum()
    x = (w * (y - ybar) / w.sum())[:, None]
    got = LinearizationVariance().covariance(Stat(np.array([ybar]), z=x), d).vcov[0, 0]
    assert got == pytest.approx(_textbook(x[:, 0], strata), rel=1e-13)


def test_calibration_steps_take_row_values_first():
    class Centre:  # a residual step: subtract the mean of each column
        def residuals(self, x):
            return x - x.mean(axis=0)

    strata = np.array([0, 0, 1, 1, 1])
    x = np.array([[1.0], [2.0], [4.0], [0.5], [3.0]])
    method = LinearizationVariance(calibration=(Centre(),))
    assert not method.uses_unit_totals and LinearizationVariance().uses_unit_totals
    stat = Stat(np.zeros(1), x=x)
    v = method.covariance(stat, _rows_design(strata)).vcov
    assert stat.asked == ["rows"]
    assert v[0, 0] == pytest.approx(_textbook((x - x.mean())[:, 0], strata), rel=1e-14)


def test_linearization_degrees_of_freedom():
    d = Toy(np.ones(6), np.array([0, 0, 0, 1, 1, 1])[:, None], np.array([0, 0, 1, 2, 3, 4])[:, None])
    method = LinearizationVariance()
    assert method.degf(d) == 5 - 2
    code = np.array([0, 0, 1, 1, 1, 1])
    np.testing.assert_array_equal(method.subset_degf(d, code, 2, slice(None)), [1 - 1, 4 - 2])
    in_dom, in_model = np.array([True] * 6), np.array([True, False] * 3)
    assert method.model_degf_rows(in_dom, in_model) is in_model


# --------------------------------------------------------------------------- replication
def _jk1(n: int) -> np.ndarray:
    """Delete-one jackknife weights for n rows of weight 1: (n, n)."""
    return (np.ones((n, n)) - np.eye(n)) * n / (n - 1)


def test_jk1_variance_of_a_mean_is_s2_over_n():
    y = np.array([2.0, 3.5, 1.0, 7.0, 4.0, 4.5])
    n = y.size
    method = ReplicateVariance(_jk1(n), "JK1", (n - 1) / n, np.ones(n))
    stat = Stat(np.array([y.mean()]), reps=lambda W: ((W.T @ y) / W.sum(axis=0))[:, None])
    cov = method.covariance(stat, _rows_design(np.zeros(n, dtype=int)))
    assert stat.asked == ["replicates"]
    assert cov.vcov[0, 0] == pytest.approx(y.var(ddof=1) / n, rel=1e-13)
    # the hand formula: (n-1)/n * sum_j (theta_j - mean theta)^2
    theta = np.array([np.delete(y, j).mean() for j in range(n)])
    np.testing.assert_allclose(cov.replicates[:, 0], theta, rtol=1e-14)
    assert cov.vcov[0, 0] == pytest.approx((n - 1) / n * np.sum((theta - theta.mean()) ** 2), rel=1e-13)


def test_replicate_mse_centres_on_the_full_sample_estimate():
    reps = np.array([[1.0], [2.0], [4.0]])
    method = ReplicateVariance(np.ones((2, 3)), "bootstrap", 0.5, np.ones(3), mse=True)
    v = method.vcov_from_replicates(reps, np.array([3.0]))
    assert v[0, 0] == pytest.approx(0.5 * (4 + 1 + 1))
    assert replace(method, mse=False).vcov_from_replicates(reps, np.array([3.0]))[0, 0] == pytest.approx(
        0.5 * np.sum((reps - reps.mean()) ** 2)
    )


@pytest.mark.parametrize("compressible", [True, False])
def test_replicate_cell_totals_equal_the_dense_product(compressible):
    rng = np.random.default_rng(7)
    n, R, ncell = 40, 6, 3
    if compressible:  # JK1 over 8 clusters: rows of a cluster share a pattern
        cl = np.repeat(np.arange(8), 5)
        W = rng.uniform(1, 2, n)[:, None] * (cl[:, None] != np.arange(R)[None, :]) * 8 / 7
    else:  # a row whose replicate weights sum to zero cannot be scaled from a pattern
        W = rng.uniform(0, 2, (n, R))
        W[0] = [1.0, -1.0, 0.0, 0.0, 0.0, 0.0]
    method = ReplicateVariance(W, "JK1", 1.0, np.ones(R))
    assert (method.compressed is not None) == compressible
    code = rng.integers(-1, ncell, n)
    v = rng.normal(size=n)
    onehot = np.zeros((n, ncell))
    ok = code >= 0
    onehot[np.flatnonzero(ok), code[ok]] = v[ok]
    np.testing.assert_allclose(method.cell_totals(code, ncell, v), W.T @ onehot, rtol=1e-12, atol=1e-12)


def test_replicate_degrees_of_freedom():
    n = 6
    method = ReplicateVariance(_jk1(n), "JK1", (n - 1) / n, np.ones(n))
    d = _rows_design(np.zeros(n, dtype=int))
    assert method.degf(d) == n - 1
    code = np.array([0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(method.subset_degf(d, code, 2, slice(None)), [2, 2])
    in_dom, in_model = np.ones(n, dtype=bool), np.array([True, False] * 3)
    assert method.model_degf_rows(in_dom, in_model) is in_dom


# --------------------------------------------------------------------------- life cycle
def test_methods_carry_subsets_and_reweighting():
    W = _jk1(4)
    rep = ReplicateVariance(W, "JK1", 0.75, np.ones(4))
    dom = np.array([True, False, True, True])
    sub = rep.restrict(dom)
    np.testing.assert_array_equal(sub.repweights, W * dom[:, None])
    assert (sub.reptype, sub.scale) == ("JK1", 0.75)
    new = W * 2
    assert rep.reweighted(repweights=new, calibration=("step",)).repweights is new
    assert rep.reweighted(calibration=("step",)) is rep  # steps live in the replicate columns
    assert rep.calibration == ()

    lin = LinearizationVariance()
    assert lin.restrict(dom) is lin
    assert lin.repweights is None
    assert lin.reweighted(calibration=("a",)).calibration == ("a",)
    assert lin.reweighted(calibration=("a",)).reweighted().calibration == ("a",)
    with pytest.raises(DesignError, match="replicate weights given for a design without them"):
        lin.reweighted(repweights=W)


def test_both_classes_implement_the_protocol():
    assert isinstance(LinearizationVariance(), VarianceMethod)
    assert isinstance(ReplicateVariance(_jk1(3), "JK1", 1.0, np.ones(3)), VarianceMethod)


def test_labels():
    assert replicate_label("JK1", 80) == "Unstratified cluster jacknife (JK1) with 80 replicates"
    assert replicate_label("other", 4) == "other with 4 replicates"
    assert linearization_label(stages=1, clustered=False, stratified=True, fpc=True) == (
        "Stratified Independent Sampling design"
    )
    assert linearization_label(stages=2, clustered=True, stratified=False, fpc=False) == (
        "2 - level Cluster Sampling design (with replacement)"
    )


# --------------------------------------------------------------------------- in a design
def test_the_design_keeps_its_method_through_subset_and_weighting(apistrat):
    svy = pw.Survey(apistrat, weights="pw", strata="stype", fpc="fpc")
    assert isinstance(svy._design.variance, LinearizationVariance)
    raked = svy.poststratify("stype", {"E": 4421, "H": 755, "M": 1018})
    assert isinstance(raked._design.variance, LinearizationVariance)
    assert len(raked._design.variance.calibration) == 1
    sub = raked.subset(raked.data["api00"].to_numpy() > 600)
    assert sub._design.variance is raked._design.variance
    trimmed = sub.trim_weights(upper=0.9, quantiles=True)
    assert trimmed._design.calibration == raked._design.calibration
    assert not trimmed._design.is_replicate

    rep = svy.to_replicate("JKn")
    method = rep._design.variance
    assert isinstance(method, ReplicateVariance) and rep._design.is_replicate
    mask = rep.data["api00"].to_numpy() > 600
    sub = rep.subset(mask)
    assert isinstance(sub._design.variance, ReplicateVariance)
    np.testing.assert_array_equal(sub._design.repweights, method.repweights * mask[:, None])
    post = sub.poststratify("stype", {"E": 4421, "H": 755, "M": 1018})
    assert isinstance(post._design.variance, ReplicateVariance)
    assert post._design.calibration == ()
    assert not np.array_equal(post._design.repweights, sub._design.repweights)
    doubled = post.with_weights(post._design.weights * 2)
    assert doubled._design.variance is post._design.variance


def test_describe_comes_from_the_method(apistrat):
    svy = pw.Survey(apistrat, weights="pw", strata="stype", fpc="fpc")
    assert svy.design.splitlines()[:2] == ["Stratified Independent Sampling design", "  3 strata (stype)"]
    rep = svy.to_replicate("JKn")
    assert (
        rep.design.splitlines()[0] == "Replicate-weight design: Stratified cluster jackknife (JKn) with 200 replicates"
    )


# --------------------------------------------------------------------------- a third method
@dataclass(frozen=True, eq=False)
class RowsAsDraws:
    """A made-up third method: rows are independent draws, whatever the strata and clusters."""

    kind = "rows"
    repweights = None
    calibration = ()
    uses_unit_totals = False
    per_column_df = False  # a logit interval comes from the SE

    def covariance(self, stat, design):
        x = stat.row_influence()
        n = x.shape[0]
        dev = x - x.mean(axis=0)
        return Covariance(n / (n - 1) * dev.T @ dev)

    def degf(self, design):
        return int(design.weights.shape[0]) - 1

    def subset_degf(self, design, code, ndom, rows):
        return np.bincount(code[rows], minlength=ndom) - 1.0

    def model_degf_rows(self, in_domain, in_model):
        return in_model

    def restrict(self, domain):
        return self

    def reweighted(self, *, repweights=None, calibration=None):
        return self

    def label(self, design):
        return "Rows as independent draws"

    def describe(self, design):
        return [self.label(design)]

    def model_caption(self, design):
        return "rows as independent draws"


def test_a_third_method_is_one_class(apistrat):
    """Swapping the method of a weights-only design for rows-as-draws changes no number:
    for that design both are the with-replacement variance over rows."""
    svy = pw.Survey(apistrat, weights="pw")
    other = pw.Survey._wrap(svy._backend.evolve(design=replace(svy._design, variance=RowsAsDraws())))
    assert isinstance(RowsAsDraws(), VarianceMethod)
    assert other.design.splitlines()[0] == "Rows as independent draws"
    for a, b in (
        (svy.mean("api00", by="stype"), other.mean("api00", by="stype")),
        (svy.proportion("awards"), other.proportion("awards")),
        (svy.ratio("api00", "api99"), other.ratio("api00", "api99")),
    ):
        fa, fb = a.to_frame(), b.to_frame()
        np.testing.assert_allclose(fb["estimate"], fa["estimate"], rtol=1e-13)
        np.testing.assert_allclose(fb["std_error"], fa["std_error"], rtol=1e-10)
    fit_a, fit_b = svy.glm("api00 ~ ell + meals"), other.glm("api00 ~ ell + meals")
    np.testing.assert_allclose(fit_b.vcov, fit_a.vcov, rtol=1e-10)
    assert other.degf == svy.degf
