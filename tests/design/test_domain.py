"""Subset conditions (issue #17): parsed by pewlike's own grammar on both backends, never run as code.

``svy.subset(text)`` used ``DataFrame.query(engine="python")`` (in memory) and
``DataFrame.eval(engine="python")`` (partitioned), so ``@pd.io.common.os.system(...)`` ran
a shell command.  Now both backends bind the text to the codebook with
:func:`pewlike.design.domain.bind_condition` and evaluate it with numpy.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.design.domain import bind_condition
from pewlike.errors import EstimationError, FormulaError, VariableError
from pewlike.io.codebook import Codebook, VariableInfo

HOSTILE = [
    "@pd.io.common.os.system('touch pwned') == 0",
    "@self._data.to_csv('pwned.csv')",
    "__import__('os').system('touch pwned') == 0",
    "F_SEX.__class__ == 1",
    "F_SEX.str.len() > 0",
    "().__class__.__bases__[0].__subclasses__()",
    "(lambda: 1)() == 1",
    "[x for x in F_SEX] == 1",
    "f'{F_SEX}' == 'x'",
    "F_SEX == 'Female' & AGE > 30",
    "~(AGE > 30)",
    "open('pwned', 'w') == 1",
    "AGE[0] == 1",
    "AGE := 3",
    "`x` + `__class__` == 1",
]


@pytest.fixture
def frame() -> pd.DataFrame:
    """Eight respondents with a labelled categorical (99 = Refused), a numeric with a missing code, weights."""
    return pd.DataFrame(
        {
            "F_SEX": pd.Categorical(
                ["Male", "Female", "Female", "Refused", "Male", "Female", None, "Male"],
                categories=["Male", "Female", "Refused"],
            ),
            "AGE_W49": [25.0, 70.0, 99.0, 40.0, 65.0, 33.0, 50.0, np.nan],
            "weight": [1.0, 2.0, 1.5, 1.0, 0.5, 1.0, 2.0, 1.0],
        }
    )


@pytest.fixture
def codebook(frame: pd.DataFrame) -> Codebook:
    base = Codebook.from_frame(frame, labels={"F_SEX": "Sex", "AGE_W49": "Age"})
    infos = dict(base.variables)
    infos["F_SEX"] = VariableInfo(
        "F_SEX",
        "Sex",
        value_labels={1: "Male", 2: "Female", 99: "Refused"},
        missing=("Refused",),
        missing_codes=(99,),
        kind="categorical",
    )
    infos["AGE_W49"] = VariableInfo("AGE_W49", "Age", missing_codes=(99.0,), kind="numeric")
    return Codebook(infos)


@pytest.fixture
def svy(frame: pd.DataFrame, codebook: Codebook) -> pw.Survey:
    return pw.Survey(frame, weights="weight", codebook=codebook)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_conditions_are_refused_and_run_nothing(text, svy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises((FormulaError, VariableError)) as info:
        svy.subset(text)
    msg = str(info.value)
    assert "\n" not in msg and msg  # one line
    assert sorted(os.listdir(tmp_path)) == []  # nothing was written


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("F_SEX == 'Female'", [1, 2, 5]),
        ("F_SEX == 2", [1, 2, 5]),  # a number is the SPSS code
        ("F_SEX in [1, 2]", [0, 1, 2, 4, 5, 7]),
        ("F_SEX != 'Male'", [1, 2, 5]),  # Refused is user-missing and NaN is missing: neither selected
        ("F_SEX == 'Refused'", [3]),  # named, so selected
        ("F_SEX == 99", [3]),
        ("isna(F_SEX)", [3, 6]),  # user-missing codes count as missing
        ("AGE >= 65", [1, 4]),  # 99 is AGE's missing code, NaN is missing
        ("AGE >= 65 or F_SEX == 'Refused'", [1, 3, 4]),
        ("not AGE < 65", [1, 4]),  # three-valued: not(unknown) is unknown
        ("18 <= AGE < 35 and F_SEX == 'Male'", [0]),
        ("AGE / 10 > 6", [1, 4]),
        ("`AGE_W49` == 25", [0]),
    ],
)
def test_conditions_select_codes_labels_and_drop_missing(text, rows, svy, frame, codebook):
    mask = bind_condition(text, codebook, frame.columns).mask(frame)
    assert np.flatnonzero(mask).tolist() == rows
    assert svy.subset(text).n == len(rows)


def test_subset_by_condition_equals_subset_by_mask(svy, frame):
    by_text = svy.subset("F_SEX in [1, 2]").mean("AGE").to_frame()
    by_mask = svy.subset(frame["F_SEX"].isin(["Male", "Female"]).to_numpy()).mean("AGE").to_frame()
    pd.testing.assert_frame_equal(by_text, by_mask)
    assert svy.subset("F_SEX in [1, 2]").total("weight").to_frame()["estimate"].iloc[0] == pytest.approx(
        1 + 4 + 2.25 + 0.25 + 1 + 1
    )  # sum of w * w over rows 0 1 2 4 5 7


def test_unknown_names_labels_and_codes_are_one_line_errors(svy):
    with pytest.raises(VariableError, match=r"unknown variable 'F_SX'; did you mean 'F_SEX'"):
        svy.subset("F_SX == 'Female'")
    with pytest.raises(VariableError, match=r"Femal") as info:
        svy.subset("F_SEX == 'Femal'")
    assert "Female" in str(info.value)  # the valid labels are listed
    with pytest.raises(VariableError, match=r"\b7\b"):
        svy.subset("F_SEX == 7")
    with pytest.raises(FormulaError, match="must be true or false"):
        svy.subset("AGE + 1")
    with pytest.raises(EstimationError, match="the subset is empty"):
        svy.subset("AGE > 200")


def test_overlong_and_deep_conditions_are_refused(svy):
    with pytest.raises(FormulaError, match="the limit is 10,000"):
        svy.subset("AGE == 1 or " * 2000 + "AGE == 2")
    with pytest.raises(FormulaError, match="nest"):
        svy.subset("(" * 500 + "AGE == 1" + ")" * 500)
    with pytest.raises(FormulaError, match="digits"):
        svy.subset("AGE == " + "9" * 5000)


# ------------------------------------------------------------------ partitioned backend
dd = pytest.importorskip("dask.dataframe")


@pytest.fixture
def parts(frame: pd.DataFrame, codebook: Codebook) -> pw.Survey:
    return pw.Survey(dd.from_pandas(frame, npartitions=3), weights="weight", codebook=codebook)


@pytest.mark.parametrize("text", HOSTILE)
def test_partitioned_hostile_conditions_are_refused(text, parts, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises((FormulaError, VariableError)):
        parts.subset(text)
    assert sorted(os.listdir(tmp_path)) == []


@pytest.mark.parametrize("text", ["F_SEX != 'Male'", "F_SEX in [1, 2]", "AGE >= 65 or F_SEX == 99", "isna(F_SEX)"])
def test_partitioned_conditions_match_in_memory(text, parts, svy):
    d = parts.subset(text)
    m = svy.subset(text)
    assert d.n == m.n
    np.testing.assert_allclose(
        d.total("weight").to_frame()["estimate"], m.total("weight").to_frame()["estimate"], rtol=1e-12
    )
    # a partitioned subset replays on the in-memory copy by its text
    assert d.collect().n == m.n
