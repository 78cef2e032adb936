"""Estimates checked against R ``survey`` (fixtures made by
``tests/reference/estimation/make_reference.R``).

Each record in ``tests/reference/estimation/*.json`` names a data file beside it (or
``"demo"`` for ``pw.demo()``), the ``pw.Survey`` keyword arguments of its design, a method and
its keyword arguments, and what R reported. The R call that produced each number is stored
beside it (``r_call``, ``r_design``).

How the CSV files are read: ``pd.read_csv`` with its defaults. Factor columns were written by R
as strings (``stype`` is ``"E"``, ``"H"``, ``"M"``), empty cells are missing, and pewlike treats a
string column as a categorical with sorted levels -- the same order as R's ``factor()`` in the
C locale, which the script uses. Numeric ``by`` columns (``RIAGENDR``, ``ESA``) are compared as
text: R's level ``"1"`` matches the value 1.

Tolerance: 1e-6 relative (R survey 4.x is the reference; plus 1e-9 absolute, see ATOL);
``n`` must match exactly. A missing
value (``null``) in a fixture means R reported NA/NaN there (no design effect for ratios and
quantiles; a Woodruff limit outside [0, 1] for a small domain).
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pewlike as pw

DATA = Path(__file__).parents[1] / "reference" / "estimation"
REFERENCE = DATA
RTOL = 1e-6
# Absolute slack for values that should be exactly 0: where a level is absent from a cell, R's
# logit interval comes from a glm stopped short of p = 0 and gives limits like 1e-11.
ATOL = 1e-9
VALUE_COLUMNS = ("estimate", "std_error", "ci_lower", "ci_upper", "deff")
KEY_COLUMNS = ("variable", "level")


def _records():
    out = []
    for path in sorted(REFERENCE.glob("*.json")):
        for rec in json.loads(path.read_text())["records"]:
            out.append(pytest.param(rec, id=rec["id"]))
    return out


@functools.cache
def _frame(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name)


def _survey(rec):
    if rec["data"] == "demo":
        return pw.demo()
    return pw.Survey(_frame(rec["data"]).copy(), **rec["design"])


def _key(value):
    """A cell label as text: None for missing, integral numbers without '.0'."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


def _check_value(got, want, what):
    if want is None:
        assert got is None or pd.isna(got), f"{what}: R gives NA, got {got}"
    else:
        np.testing.assert_allclose(float(got), want, rtol=RTOL, atol=ATOL, err_msg=what)


def _check_rows(frame: pd.DataFrame, rows, by_cols):
    keys = [*KEY_COLUMNS, *by_cols]
    assert len(frame) == len(rows), f"{len(frame)} rows, R has {len(rows)}"
    index = {tuple(_key(r[c]) for c in keys): r for r in frame.to_dict("records")}
    for want in rows:
        label = tuple(_key(want[c]) for c in keys)
        assert label in index, f"no row {dict(zip(keys, label))} in\n{frame}"
        got = index[label]
        for col in VALUE_COLUMNS:
            _check_value(got[col], want[col], f"{col} of {dict(zip(keys, label))}")
        assert int(got["n"]) == want["n"], f"n of {dict(zip(keys, label))}"


def _check_stat(result, stat):
    _check_value(result.statistic, stat["statistic"], "statistic")
    np.testing.assert_allclose(
        np.atleast_1d(np.asarray(result.df, dtype=float)),
        np.atleast_1d(np.asarray(stat["df"], dtype=float)),
        rtol=RTOL,
        err_msg="df",
    )
    _check_value(result.p_value, stat["p_value"], "p_value")


@pytest.mark.parametrize("rec", _records())
def test_matches_r_survey(rec):
    assert not rec["options"]["adjust_domain_lonely"], "fixtures use R's default options"
    kwargs = rec["kwargs"]
    if "error" in rec:
        with pytest.raises(getattr(pw.errors, rec["error"])):
            getattr(_survey(rec), rec["method"])(**kwargs)
        return
    svy = _survey(rec)
    if rec["method"] == "degf":
        assert svy.degf == rec["value"]
        return
    result = getattr(svy, rec["method"])(**kwargs)
    if "stat" in rec:
        _check_stat(result, rec["stat"])
        for want in rec.get("rows", []):  # t test: the difference in means and its SE
            _check_value(result.estimate, want["estimate"], "estimate")
            _check_value(result.std_error, want["std_error"], "std_error")
        return
    by = kwargs.get("by")
    by_cols = [] if by is None else [by] if isinstance(by, str) else list(by)
    _check_rows(result.to_frame(), rec["rows"], by_cols)
