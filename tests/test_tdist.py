"""pewlike's own t quantile (no scipy) against R's qt, the density near 1/2 and scipy."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.special import stdtrit

from pewlike.distributions import t_ppf
from pewlike.tdist import t_quantile

QT = json.loads((Path(__file__).parent / "reference" / "quantiles" / "qt.json").read_text())["values"]


def _rel(ours: float, ref: float) -> float:
    return abs(ours - ref) / abs(ref)


@pytest.mark.parametrize("row", [r for r in QT if abs(r["p"] - 0.5) > 1e-6 and not (r["df"] < 1 and r["p"] > 0.999)])
def test_equals_r_qt(row):
    assert _rel(t_quantile(row["p"], row["df"]), row["qt"]) < 1e-12


@pytest.mark.parametrize("nu", [0.3, 0.5, 1.5, 2.5, 3.0, 3.7, 4.0, 5.0, 7.0, 10.0, 19.0, 29.0, 100.0])
@pytest.mark.parametrize("p", [0.4999999, 0.499999999999999, 0.5000001])
def test_next_to_one_half_follows_the_density(p, nu):
    # Here R's qt (and scipy's stdtrit) lose digits; the quantile is (p - 1/2) / f(0) up to a
    # relative term of order (p - 1/2)^2, with f(0) the t density at 0.
    f0 = math.exp(math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2)) / math.sqrt(nu * math.pi)
    shift = p - 0.5
    expected = shift / f0
    tolerance = 1e-11 if abs(shift) > 1e-9 else 1e-13
    assert _rel(t_quantile(p, nu), expected) < tolerance


def test_extreme_tail_below_one_degree_of_freedom():
    # mpmath with 40 digits (R's qt is off by 1e-4 relative at these points).
    assert _rel(t_quantile(1 - 1e-12, 0.3), 3.007407566495873e38) < 1e-12
    assert _rel(t_quantile(1 - 1e-12, 0.5), 1.0285366618133392e23) < 1e-12


def test_special_values():
    assert t_quantile(0.0, 5.0) == -math.inf
    assert t_quantile(1.0, 5.0) == math.inf
    assert t_quantile(0.5, 5.0) == 0.0
    for p, nu in [(math.nan, 5.0), (0.3, math.nan), (-0.1, 5.0), (1.1, 5.0), (0.3, 0.0), (0.3, -2.0)]:
        assert math.isnan(t_quantile(p, nu))
    assert t_quantile(0.975, math.inf) == pytest.approx(1.959963984540054, rel=1e-15)
    assert t_quantile(0.025, 1.0) == pytest.approx(-12.706204736174698, rel=1e-14)  # Cauchy
    assert t_quantile(0.975, 2.0) == pytest.approx(4.302652729749464, rel=1e-14)


def test_symmetry_and_monotonicity():
    for nu in (1.5, 4.0, 30.0, 4271.0, 1e6):
        ps = np.linspace(0.001, 0.999, 199)
        qs = np.array([t_quantile(float(p), nu) for p in ps])
        assert np.all(np.diff(qs) > 0)
        assert np.allclose(qs, -qs[::-1], rtol=1e-13, atol=0)


def test_t_ppf_vectorised_equals_scipy():
    rng = np.random.default_rng(7)
    p = rng.uniform(0.0005, 0.9995, size=(6, 40))
    df = rng.choice([2.5, 3.0, 12.0, 85.0, 4271.0, 2.5e5], size=(6, 40))
    np.testing.assert_allclose(t_ppf(p, df), stdtrit(df, p), rtol=1e-12, atol=0)
    assert t_ppf(p, df).shape == (6, 40)


def test_newton_converges_in_a_few_steps(monkeypatch):
    # Stalling at the rounding level (a 2-cycle) must stop the iteration, not run 200 steps.
    import pewlike.tdist as tdist

    calls = []
    original = tdist._beta_cf
    monkeypatch.setattr(tdist, "_beta_cf", lambda *a: calls.append(1) or original(*a))
    for nu in (3.0, 4.5, 30.0, 475.0, 949.0, 999.0, 1234.5, 5000.0, 9999.0):
        for p in (0.5000001, 0.6, 0.75, 0.9, 0.975, 0.995, 0.9995, 1 - 1e-9):
            calls.clear()
            tdist.t_quantile(p, nu)
            assert len(calls) <= 8, (p, nu, len(calls))
