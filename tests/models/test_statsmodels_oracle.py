"""statsmodels as an independent oracle for model point estimates.

Design-based GLMs (R ``svyglm``) maximise the weighted (pseudo-)likelihood, so their
coefficients equal those of an ordinary GLM with the survey weights as frequency weights.
statsmodels computes that with its own IRLS; the design-based standard errors are checked
against R survey elsewhere (tests/reference).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw

sm = pytest.importorskip("statsmodels.api")

DEMOS = ["F_AGECAT", "F_SEX", "F_EDUCCAT"]


def _design_frame(svy, outcome: pd.Series) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    """Treatment-coded dummies (first category the reference) for the rows with complete answers."""
    data = svy.data
    ok = outcome.notna().to_numpy().copy()
    for v in DEMOS:
        ok &= svy._valid(v)[svy._design.in_domain]
    parts = [pd.Series(1.0, index=data.index, name="(Intercept)")]
    for v in DEMOS:
        col = data[svy.column(v)]
        cats = [c for c in col.cat.categories if c not in svy._codebook.variables[svy.column(v)].missing]
        for c in cats[1:]:
            parts.append((col == c).astype(float).rename(f"{v}{c}"))
    X = pd.concat(parts, axis=1)[ok]
    return X, svy.weights.to_numpy()[ok], outcome[ok]


@pytest.mark.parametrize(
    ("family", "make_y", "sm_family"),
    [
        ("binomial", lambda s: s.isin(["Very concerned", "Somewhat concerned"]), sm.families.Binomial()),
        ("gaussian", lambda s: s.cat.codes.astype(float), sm.families.Gaussian()),
        ("poisson", lambda s: s.cat.codes.astype(float), sm.families.Poisson()),
    ],
)
def test_glm_point_estimates_equal_statsmodels_weighted_glm(demo, family, make_y, sm_family):
    col = demo.column("CONCERNCO")
    raw = demo.data[col]
    substantive = ~raw.isin(demo._codebook.variables[col].missing)
    y = make_y(raw).astype(float).where(substantive)
    X, w, yy = _design_frame(demo, y)

    fit = sm.GLM(yy.to_numpy(), X.to_numpy(), family=sm_family, freq_weights=w).fit(tol=1e-12)

    derived = pw.Survey(demo.data.assign(Y=y), weights="WEIGHT_W49", codebook=demo._codebook)
    ours = derived.glm(f"Y ~ {' + '.join(DEMOS)}", family=family)
    np.testing.assert_allclose(ours.params.to_numpy(), fit.params, rtol=1e-7, atol=1e-9)
    assert list(ours.params.index) == list(X.columns)
