"""Weight diagnostics behind the figures: shares before and after a weighting step, the weight
distribution and the trimming limits kept by svy.weight_summary()."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw

AGES = {"18-29": 0.21, "30-49": 0.33, "50-64": 0.25, "65+": 0.21}
SEX = {"Male": 0.49, "Female": 0.51}


@pytest.fixture(scope="module")
def base() -> pw.Survey:
    return pw.demo().subset("F_AGECAT != 'Refused' and F_SEX != 'Refused'")


def _shares(svy: pw.Survey, var: str, *, weighted: bool = True) -> pd.Series:
    data = svy.data
    w = svy.weights if weighted else pd.Series(1.0, index=data.index)
    tot = w.groupby(data[var].astype(str), observed=True).sum()
    return tot / tot.sum()


@pytest.mark.parametrize("how", ["rake", "calibrate", "rake_cap"])
def test_margins_hold_the_shares_before_the_step_and_unweighted(base, how):
    margins = {"F_AGECAT": AGES, "F_SEX": SEX}
    if how == "rake":
        after = base.rake(margins)
    elif how == "calibrate":
        after = base.calibrate(margins, calfun="raking")
    else:
        after = base.rake(margins, cap=4.0)
    m = after.weight_summary().margins
    assert list(m.columns) == ["variable", "level", "target", "achieved", "difference", "before", "unweighted"]
    for var in ("F_AGECAT", "F_SEX"):
        rows = m[m["variable"] == var].set_index("level")
        before = _shares(base, var)
        unweighted = _shares(base, var, weighted=False)
        np.testing.assert_allclose(rows["before"], before[rows.index], rtol=1e-10)
        np.testing.assert_allclose(rows["unweighted"], unweighted[rows.index], rtol=1e-10)
        np.testing.assert_allclose(rows["achieved"], _shares(after, var)[rows.index], atol=1e-6)
        np.testing.assert_allclose(rows["achieved"], rows["target"], atol=1e-6)


def test_poststratification_margins_before_and_after(base):
    after = base.poststratify("F_SEX", {"Male": 0.4, "Female": 0.6})
    m = after.weight_summary().margins.set_index("level")
    np.testing.assert_allclose(m.loc[["Male", "Female"], "achieved"], [0.4, 0.6])
    np.testing.assert_allclose(m.loc[["Male", "Female"], "before"], _shares(base, "F_SEX")[["Male", "Female"]])


def test_the_summary_keeps_the_weight_distribution(base):
    ws = base.weight_summary()
    w = base.weights.to_numpy()
    assert ws.bins["n"].sum() == ws.n == w.size
    lo, hi = ws.bins["bin_lower"].to_numpy(), ws.bins["bin_upper"].to_numpy()
    assert lo[0] <= w.min() and hi[-1] >= w.max()
    inside = [int(((w > a) & (w <= b)).sum()) for a, b in zip(lo, hi)]
    inside[0] += int((w == lo[0]).sum())
    assert inside == ws.bins["n"].tolist()
    assert ws.trim_limits is None


def test_trimming_limits_are_the_latest_trims_even_after_raking(base):
    trimmed = base.trim_weights(upper=2.0)
    assert trimmed.weight_summary().trim_limits == (-np.inf, 2.0)
    raked = trimmed.rake({"F_SEX": SEX})
    assert raked.weight_summary().trim_limits == (-np.inf, 2.0)
    assert raked.weight_summary().record.method == "rake"
    q = base.trim_weights(lower=0.05, upper=0.95, quantiles=True).weight_summary()
    w = base.weights.to_numpy()
    np.testing.assert_allclose(q.trim_limits, np.quantile(w, [0.05, 0.95]))
