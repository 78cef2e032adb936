"""pewlike's own t and F upper tails (no scipy on a first crosstab) against scipy and exact values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from pewlike.distributions import f_sf, t_sf
from pewlike.ftail import f_upper, t_upper

X = [-40.0, -5.0, -1.96, -0.3, 0.3, 1.0, 1.96, 3.0, 8.0, 40.0]
DF = [0.5, 1.0, 2.0, 3.7, 10.0, 29.0, 100.0, 949.0, 1000.0, 4271.0, 1e4, 2e4]


@pytest.mark.parametrize("nu", DF)
def test_t_tail_equals_scipy(nu):
    for x in X:
        ours, ref = t_upper(x, nu), float(stats.t.sf(x, nu))
        assert ours is not None
        assert ours == pytest.approx(ref, rel=1e-12, abs=0), (x, nu)


@pytest.mark.parametrize("dfd", [1.0, 5.5, 30.0, 300.0, 2562.3, 1e4, 2e4, 4.3e4, 1e5, 2e5])
def test_f_tail_equals_scipy(dfd):
    # Rao-Scott: a small (often fractional) numerator df over a design df
    for dfn in (0.5, 1.0, 2.0, 2.7, 3.7, 10.0, 29.0):
        for x in (0.01, 0.3, 1.0, 1.96, 3.0, 8.0, 40.0):
            ours, ref = f_upper(x, dfn, dfd), float(stats.f.sf(x, dfn, dfd))
            assert ours is not None
            assert ours == pytest.approx(ref, rel=1e-12 if dfd <= 2e4 else 2e-11, abs=0), (x, dfn, dfd)


def test_exact_values():
    # Cauchy (df = 1): 1/2 - atan(x)/pi, also next to 0 where scipy loses digits
    for x in (1e-8, 0.5, 1.0, 7.0):
        assert t_upper(x, 1.0) == pytest.approx(0.5 - math.atan(x) / math.pi, rel=1e-14)
    # df = 2: (1 - x / sqrt(2 + x^2)) / 2; F(2, 2) upper tail 1 / (1 + x)
    for x in (0.1, 1.0, 4.0):
        assert t_upper(x, 2.0) == pytest.approx(0.5 * (1 - x / math.sqrt(2 + x * x)), rel=1e-14)
        assert f_upper(x, 2.0, 2.0) == pytest.approx(1 / (1 + x), rel=1e-14)
    assert t_upper(1.96, math.inf) == pytest.approx(0.024997895148220435, rel=1e-14)


def test_edges_and_handing_over():
    assert t_upper(0.0, 5.0) == 0.5
    assert t_upper(math.inf, 5.0) == 0.0 and t_upper(-math.inf, 5.0) == 1.0
    assert math.isnan(t_upper(math.nan, 5.0)) and math.isnan(t_upper(1.0, 0.0))
    assert f_upper(0.0, 2.0, 5.0) == 1.0 and f_upper(-1.0, 2.0, 5.0) == 1.0 and f_upper(math.inf, 2.0, 5.0) == 0.0
    assert math.isnan(f_upper(1.0, -1.0, 5.0))
    # beyond the range computed here, None: the vectorised functions then ask scipy
    assert t_upper(1.0, 1e6) is None and f_upper(1.0, 2.0, math.inf) is None and f_upper(1.0, 2.0, 3e5) is None
    x = np.array([[0.5, 1.96], [3.0, -1.0]])
    df = np.array([[12.0, 1e6], [np.inf, 3e5]])
    np.testing.assert_allclose(t_sf(x, df), stats.t.sf(x, df), rtol=1e-12, atol=0)
    np.testing.assert_allclose(f_sf(x + 1, 2.5, df), stats.f.sf(x + 1, 2.5, df), rtol=1e-12, atol=0)
