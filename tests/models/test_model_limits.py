"""Model-size limits and empty models through the survey verbs (issue #17)."""

from __future__ import annotations

import time

import pytest

from pewlike.errors import FormulaError

Y = "CONCERNCO in ['Very concerned'] ~ "


@pytest.mark.parametrize("rhs", ["0", "-1", "0 - 1"])
def test_model_without_terms(demo, rhs):
    with pytest.raises(FormulaError) as info:
        demo.logit(Y + rhs)
    assert str(info.value) == f"the model {Y + rhs!r} has no terms; add a predictor or an intercept"


def test_eight_way_interaction_is_refused_at_once(demo):
    eight = "*".join(
        ["F_AGECAT", "F_SEX", "F_EDUCCAT", "F_RACETHN", "F_INCOME_RECODE", "F_IDEO", "F_CREGION", "F_METRO"]
    )
    t0 = time.perf_counter()
    with pytest.raises(FormulaError, match="is an interaction of 6 variables, more than max_order=5"):
        demo.logit(Y + eight)
    with pytest.raises(FormulaError, match=r"the model matrix would have 11,520 columns, more than max_columns=1000"):
        demo.logit(Y + eight, max_order=8)
    assert time.perf_counter() - t0 < 20


def test_limits_can_be_raised(demo):
    fit = demo.glm(Y + "F_AGECAT*F_SEX", family="binomial", max_columns=8)  # 4 ages x 2 sexes ("Refused" dropped)
    assert len(fit.params) == 8
    with pytest.raises(FormulaError, match=r"would have 8 columns, more than max_columns=7"):
        demo.glm(Y + "F_AGECAT*F_SEX", family="binomial", max_columns=7)
    with pytest.raises(FormulaError, match="more than max_order=1"):
        demo.ologit("CONCERNCO ~ F_AGECAT:F_SEX", max_order=1)


def test_many_aliased_columns_are_counted_not_all_listed(demo):
    from pewlike.errors import ModelError

    with pytest.raises(ModelError) as info:
        demo.logit(Y + "F_AGECAT:F_SEX:F_EDUCCAT:F_RACETHN:F_IDEO")
    msg = str(info.value)
    assert msg.startswith("the model matrix is rank deficient: column(s) 'F_AGECAT")
    assert " more are linear combinations of earlier columns (aliased)" in msg
    assert len(msg) < 1000
