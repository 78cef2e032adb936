"""Formula limits: huge numbers, exploding expansions, model size, empty models, degenerate poly() (issue #17)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from pewlike.errors import FormulaError
from pewlike.formula import MAX_COLUMNS, MAX_ORDER, model_frame, parse
from pewlike.formula.parser import MAX_INTEGER, MAX_TERMS


def _factors(k: int, levels: int = 4, n: int = 200, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {f"f{i}": pd.Categorical(rng.integers(0, levels, n).astype(str)) for i in range(k)}
    data["y"] = rng.normal(size=n)
    data["x"] = rng.normal(size=n)
    return pd.DataFrame(data)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "y ~ poly(x, " + "9" * 5000 + ")",
            "the degree of poly() is too large (999999999999... (5000 digits)); it must be at most 100,000",
        ),
        ("y ~ (a+b)^99999999999", "the power after '^' is too large (99999999999); it must be at most 100,000"),
        ("y ~ C(a, ref=123456789012345)", "is too large (123456789012345); it must be at most 100,000"),
        ("y ~ " + "*".join(f"v{i}" for i in range(30)), f"the formula expands to more than {MAX_TERMS:,} terms"),
        (
            "y ~ (" + "+".join(f"v{i}" for i in range(30)) + ")^30",
            f"the formula expands to more than {MAX_TERMS:,} terms",
        ),
    ],
)
def test_huge_numbers_and_expansions_are_formula_errors(text, message):
    t0 = time.perf_counter()
    with pytest.raises(FormulaError) as info:
        parse(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value) and len(str(info.value)) < 500
    assert time.perf_counter() - t0 < 5


def test_large_power_stops_when_nothing_new_comes():
    t0 = time.perf_counter()
    f = parse(f"y ~ (a+b+c)^{MAX_INTEGER}")
    assert f.term_labels == ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"]
    assert time.perf_counter() - t0 < 5


def test_interaction_order_limit_and_how_to_raise_it():
    data = _factors(6, levels=2)
    text = "y ~ f0:f1:f2:f3:f4:f5"
    with pytest.raises(FormulaError) as info:
        model_frame(text, data)
    assert str(info.value) == (
        f"the term f0:f1:f2:f3:f4:f5 is an interaction of 6 variables, more than max_order={MAX_ORDER}; "
        "drop it, or raise the limit with max_order=6 (command line: --max-order 6)"
    )
    mf = model_frame(text, data, max_order=6)
    assert mf.X.shape[1] == 1 + 2**6  # R: intercept + every cell of the 6-way table (codes 2 for the first)


def test_column_limit_is_checked_before_the_matrix_is_built():
    data = _factors(5, levels=5, n=100)
    t0 = time.perf_counter()
    with pytest.raises(FormulaError) as info:
        model_frame("y ~ f0*f1*f2*f3*f4", data)
    assert time.perf_counter() - t0 < 5
    total = 5**5  # every cell of the full factorial
    assert str(info.value) == (
        f"the model matrix would have {total:,} columns, more than max_columns={MAX_COLUMNS} "
        f"(the largest term, f0:f1:f2:f3:f4, makes {4**5:,}); drop or collapse terms, or raise the limit "
        f"with max_columns={total} (command line: --max-columns {total})"
    )
    assert model_frame("y ~ f0*f1", data, max_columns=25).X.shape[1] == 25
    with pytest.raises(FormulaError, match="max_columns=24"):
        model_frame("y ~ f0*f1", data, max_columns=24)


def test_poly_degree_counts_against_the_column_limit():
    data = pd.DataFrame({"y": np.arange(50.0), "x": np.arange(50.0)})
    with pytest.raises(FormulaError, match=r"poly\(x, 30\) would make 30 columns, more than max_columns=10"):
        model_frame("y ~ poly(x, 30)", data, max_columns=10)


@pytest.mark.parametrize("bad", [0, -1, True, 2.5])
def test_limits_must_be_positive_whole_numbers(bad):
    data = _factors(1)
    with pytest.raises(FormulaError, match="max_columns=.* is not valid; give a whole number of at least 1"):
        model_frame("y ~ f0", data, max_columns=bad)


def test_poly_degree_too_high_for_the_distinct_values():
    x = np.tile(np.arange(60.0), 3)
    data = pd.DataFrame({"y": x, "x": x})
    with pytest.raises(FormulaError) as info:
        model_frame("y ~ poly(x, 50)", data)
    msg = str(info.value)
    assert msg.startswith("poly(x, 50): the degree 50 is too high for the 60 distinct values of x: beyond degree ")
    k = int(msg.split("use a degree of at most ")[1])
    assert 5 <= k < 50
    assert np.isfinite(model_frame(f"y ~ poly(x, {k})", data).X).all()  # the advice works
    with pytest.raises(FormulaError, match=r"the degree must be less than the number of distinct values of x \(60\)"):
        model_frame("y ~ poly(x, 70)", data)


def test_poly_of_values_too_large_says_rescale():
    x = np.array([1e200, 2e200, 3e200, 4e200])
    with pytest.raises(FormulaError, match=r"the values of x are too large for polynomials.*rescale x"):
        model_frame("y ~ poly(x, 2)", pd.DataFrame({"y": x, "x": x}))
