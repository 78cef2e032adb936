"""The synthetic 2023 demo wave (``pw.demo("2023")``): labelled synthetic, a 40 % panel, reproducible."""

from __future__ import annotations

import numpy as np
import pyreadstat
import pytest

import pewlike as pw
from pewlike.errors import PewlikeError
from tests.conftest import ROOT, load_script

SAV = ROOT / "pewlike" / "datasets" / "privacy_survey_demo_2023.sav"
ITEMS = ["CONCERNCO", "CONCERNGOV", "CONCERNLE", "CONTROLCO", "UNDERSTANDCO", "GOVREGV1"]


@pytest.fixture(scope="module")
def wave_generator(generator):
    return load_script("make_demo_wave2023")


@pytest.fixture(scope="module")
def waves():
    return pw.demo(), pw.demo("2023")


def test_second_wave_is_labelled_synthetic_and_shares_the_panel(waves):
    w19, w23 = waves
    assert w23.n == 3500 and w23.weights.name == "WEIGHT_W132"
    assert w23.source == "privacy_survey_demo_2023.sav (synthetic demo data)"
    meta = pyreadstat.read_sav(str(SAV), metadataonly=True)[1]
    assert meta.file_label.startswith("SYNTHETIC") and "not real" in meta.file_label
    assert "SYNTHETIC" in meta.notes[0]
    keys19, keys23 = w19.data["QKEY"], w23.data["QKEY"]
    assert not keys23.duplicated().any()
    assert int(keys23.isin(keys19).sum()) == 1400  # 40 % panel overlap
    assert [f"{q}_W132" for q in ITEMS] == [c for c in w23.data.columns if c.endswith("_W132") and c != "WEIGHT_W132"]
    for q in ITEMS:
        assert w23.question(q) == w19.question(q)  # wording unchanged
    np.testing.assert_allclose(float(w23.weights.sum()), 3500.0, rtol=1e-9)
    sex = w23.proportion("F_SEX", na_rm=True).to_frame()
    np.testing.assert_allclose(sex["estimate"].to_numpy()[:2], [0.48, 0.52], rtol=1e-9)  # raked


def test_panel_members_answers_are_correlated_and_the_panel_se_is_smaller(waves):
    w19, w23 = waves
    a = w19.data[["QKEY", "CONCERNCO_W49"]].merge(w23.data[["QKEY", "CONCERNCO_W132"]], on="QKEY")
    assert len(a) == 1400
    ok = a["CONCERNCO_W49"].astype(str).ne("Refused") & a["CONCERNCO_W132"].astype(str).ne("Refused")
    same = (a.loc[ok, "CONCERNCO_W49"].astype(str) == a.loc[ok, "CONCERNCO_W132"].astype(str)).mean()
    p19 = a.loc[ok, "CONCERNCO_W49"].astype(str).value_counts(normalize=True)
    p23 = a.loc[ok, "CONCERNCO_W132"].astype(str).value_counts(normalize=True)
    chance = float((p19 * p23.reindex(p19.index).fillna(0)).sum())
    assert same > chance + 0.08
    panel = pw.stack({"2019": w19, "2023": w23}).trend("CONCERNCO").changes().set_index("level")
    indep = pw.stack({"2019": w19, "2023": w23}, id=None).trend("CONCERNCO").changes().set_index("level")
    np.testing.assert_allclose(panel["difference"], indep["difference"], rtol=1e-12)
    assert (panel["std_error"] < indep["std_error"]).all()
    net = panel.loc["NET Very/Somewhat concerned"]
    assert 0 < net["difference"] < 0.05  # population 79 -> 81 %


def test_bad_demo_wave_is_a_one_line_error():
    with pytest.raises(PewlikeError, match=r"pw.demo\('2021'\): no such demo wave; choose one of '2019', '2023'"):
        pw.demo("2021")


def test_regenerating_the_second_wave_gives_identical_bytes(wave_generator, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    out = wave_generator.main(tmp_path / "again.sav", verbose=False)
    assert out.read_bytes() == SAV.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["again.sav"]
