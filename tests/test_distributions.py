"""pewlike.distributions equals scipy.stats (which pewlike no longer imports for intervals and p-values)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from scipy import stats

from pewlike import distributions as d

P = np.array([1e-12, 0.001, 0.025, 0.05, 0.5, 0.9, 0.975, 0.995, 1 - 1e-12, 0.0, 1.0, np.nan])
DF = np.array([0.5, 1.0, 2.0, 3.7, 10.0, 29.0, 1e3, 1e8, np.inf, 0.0, -1.0, np.nan])
X = np.array([-5.0, -1.0, 0.0, 0.3, 1.0, 1.96, 3.0, 40.0, np.inf, np.nan])


def _same(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float), rtol=1e-12, atol=0)


def test_normal_and_t_quantiles():
    _same(d.norm_ppf(P), stats.norm.ppf(P))
    pp, dd = np.meshgrid(P, DF)
    _same(d.t_ppf(pp, dd), stats.t.ppf(pp, dd))
    assert d.t_ppf(0.975, np.inf) == stats.norm.ppf(0.975)
    assert isinstance(d.t_ppf(0.975, 10.0), float)


def test_tail_probabilities():
    xx, dd = np.meshgrid(X, DF)
    _same(d.t_sf(xx, dd), stats.t.sf(xx, dd))
    _same(d.chi2_sf(xx, dd), stats.chi2.sf(xx, dd))
    for dfd in (1.0, 5.5, 300.0, np.inf, 0.0, np.nan):
        _same(d.f_sf(xx, dd, dfd), stats.f.sf(xx, dd, dfd))


def test_beta_quantiles():
    a = np.r_[0.0, np.geomspace(0.01, 1e5, 25), np.nan]
    p = np.array(
        [0.0005, 0.005, 0.025, 0.05, 0.5, 0.95, 0.975, 0.995, 0.0, 1.0, np.nan]
    )  # not p = 1e-12: 1e-25 quantiles
    pp, aa, bb = np.meshgrid(p, a, a[::-1])
    _same(d.beta_ppf(pp, aa, bb), stats.beta.ppf(pp, aa, bb))


def test_a_first_estimate_does_not_import_scipy_stats():
    code = (
        "import sys, pewlike as pw\n"
        "s = pw.demo()\n"
        "s.proportion('CONCERNCO'); s.proportion('CONCERNCO', by='F_SEX'); s.total('QKEY')\n"
        "s.crosstab('CONCERNCO', 'F_SEX')\n"
        "print('scipy.stats' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
