"""Survey.with_weights: a column name, a Series with gaps, and blank weights (one-line errors)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.errors import DesignError


@pytest.fixture
def panel():
    """A merged panel file: this wave's weight is blank for the members who did not take it."""
    rng = np.random.default_rng(3)
    n = 300
    w = rng.uniform(0.3, 3.0, n)
    w[:25] = np.nan
    frame = pd.DataFrame(
        {"Q1": pd.Categorical(rng.choice(["Yes", "No"], n)), "WEIGHT_W7": w, "OTHER": rng.uniform(0.5, 2.0, n)}
    )
    return pw.Survey(frame, weights=None), frame


def test_a_column_name_is_taken_as_the_weights(panel):
    svy, frame = panel
    by_name = svy.with_weights("OTHER").proportion("Q1").to_frame()["estimate"]
    by_values = svy.with_weights(frame["OTHER"].to_numpy()).proportion("Q1").to_frame()["estimate"]
    np.testing.assert_array_equal(by_name, by_values)
    yes = frame["Q1"] == "Yes"
    expected = frame["OTHER"][yes].sum() / frame["OTHER"].sum()
    assert svy.with_weights("OTHER").proportion("Q1").to_frame().set_index("level")["estimate"]["Yes"] == (
        pytest.approx(float(expected), rel=1e-12)
    )


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ("WEIGHT_W7", r"weight column 'WEIGHT_W7' has 25 missing value\(s\); give every respondent a weight"),
        ("Q1", r"weight column 'Q1' is not numeric \(dtype category\); pass a numeric column"),
    ],
)
def test_bad_columns_get_one_line_errors(panel, weights, message):
    svy, _ = panel
    with pytest.raises(DesignError, match=message) as err:
        svy.with_weights(weights)
    assert "\n" not in str(err.value)


def test_a_series_with_blank_weights_is_refused_not_zeroed(panel):
    svy, frame = panel
    with pytest.raises(DesignError, match=r"new weights has 25 missing value\(s\)"):
        svy.with_weights(frame["WEIGHT_W7"])  # before: the blanks silently became weight 0
    zeroed = svy.with_weights(frame["WEIGHT_W7"].fillna(0.0)).proportion("Q1").to_frame()["estimate"]
    kept = frame["WEIGHT_W7"].notna()
    dropped = pw.Survey(frame[kept], weights="WEIGHT_W7").proportion("Q1").to_frame()["estimate"]
    np.testing.assert_allclose(zeroed, dropped, rtol=1e-12)  # weight 0 leaves a respondent out


def test_a_series_on_part_of_the_index_gives_the_rest_weight_zero(panel):
    svy, frame = panel
    part = frame["OTHER"].iloc[100:]
    est = svy.with_weights(part).proportion("Q1").to_frame()["estimate"]
    ref = pw.Survey(frame.iloc[100:], weights="OTHER").proportion("Q1").to_frame()["estimate"]
    np.testing.assert_allclose(est, ref, rtol=1e-12)
