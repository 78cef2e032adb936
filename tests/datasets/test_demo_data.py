"""Tests of the bundled SYNTHETIC demo survey ``pewlike/datasets/privacy_survey_demo.sav``.

The file is read with pyreadstat directly.  Published figures below are Pew Research Center's
("Americans and Privacy", Nov. 2019, ATP Wave 49, weighted); the demo must reproduce them as
weighted percentages of valid answers (99 "Refused" excluded from the base).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from scipy import stats

ROOT = Path(__file__).resolve().parents[2]
SAV = ROOT / "pewlike" / "datasets" / "privacy_survey_demo.sav"

# (variable, codes summed, published %)
PUBLISHED = [
    ("CONCERNCO_W49", (1, 2), 79),
    ("CONCERNGOV_W49", (1, 2), 64),
    ("CONCERNGOV_W49", (3, 4), 36),
    ("CONTROLCO_W49", (3, 4), 81),
    ("CONTROLGOV_W49", (3, 4), 84),
    ("UNDERSTANDCO_W49", (3, 4), 59),
    ("UNDERSTANDCO_W49", (1,), 6),
    ("UNDERSTANDGOV_W49", (3, 4), 78),
    ("UNDERSTANDGOV_W49", (3,), 53),
    ("UNDERSTANDGOV_W49", (4,), 25),
    ("POSNEGCO_W49", (1,), 81),
    ("POSNEGGOV_W49", (1,), 66),
    ("TRACKCO1a_W49", (1, 2), 72),
    ("TRACKGOV1a_W49", (1, 2), 47),
    ("TRACKGOV1a_W49", (1,), 24),
    ("TRACKGOV1a_W49", (2,), 23),
    ("TRACKGOV1a_W49", (3,), 30),
    ("TRACKGOV1a_W49", (4,), 14),
    ("TRACKGOV1a_W49", (5,), 9),
    ("SECUR1_W49", (1,), 6),
    ("SECUR1_W49", (2,), 70),
    ("SECUR1_W49", (3,), 24),
    ("PP4_W49", (1,), 9),
    ("PP4_W49", (2,), 13),
    ("PP4_W49", (3,), 38),
    ("PP4_W49", (4,), 36),
    ("GOVREGV1_W49", (1,), 75),
]
# (variable, subgroup variable, subgroup code, published % very/somewhat concerned)
SUBGROUPS = [
    ("CONCERNGOV_W49", "F_PARTYSUM_FINAL", 1, 63),
    ("CONCERNGOV_W49", "F_PARTYSUM_FINAL", 2, 66),
    ("CONCERNLE_W49", "F_RACETHN", 1, 56),
    ("CONCERNLE_W49", "F_RACETHN", 2, 73),
]
WORDING = {
    "CONCERNCO_W49": "How concerned are you, if at all, about how companies are using the data they collect about you?",
    "CONCERNGOV_W49": "How concerned are you, if at all, about how the government is using the "
    "data it collects about you?",
    "CONCERNLE_W49": "How concerned are you, if at all, about what law enforcement knows about you?",
    "CONTROLCO_W49": "How much control do you think you have over the data that companies collect about you?",
    "UNDERSTANDCO_W49": "How much do you feel you understand what companies are doing with the "
    "data they collect about you?",
    "POSNEGCO_W49": "Thinking about the data that companies collect about you, would you say "
    "the potential risks outweigh the benefits, or the potential benefits "
    "outweigh the risks?",
    "TRACKCO1a_W49": "As far as you know, how much of what you do online or on your cellphone "
    "is being tracked by advertisers, technology firms or other companies?",
    "SECUR1_W49": "Compared with five years ago, do you think your personal information is more "
    "secure, less secure, or about the same?",
    "PP4_W49": "When you are asked to agree to a company's privacy policy, how often do you read "
    "it before agreeing to it?",
    "GOVREGV1_W49": "How much government regulation of what companies can do with their "
    "customers' personal information should there be?",
}
# raking targets (adult population margins, codes 1..k)
TARGETS = {
    "F_AGECAT": [21, 34, 25, 20],
    "F_SEX": [48, 52],
    "F_EDUCCAT": [33, 30, 37],
    "F_RACETHN": [63, 12, 16, 9],
    "F_INCOME_RECODE": [30, 38, 32],
}
ITEMS = [
    "CONCERNCO",
    "CONCERNGOV",
    "CONCERNLE",
    "CONTROLCO",
    "CONTROLGOV",
    "UNDERSTANDCO",
    "UNDERSTANDGOV",
    "POSNEGCO",
    "POSNEGGOV",
    "TRACKCO1a",
    "TRACKGOV1a",
    "SECUR1",
    "PP4",
    "GOVREGV1",
]
DEMOS = [
    "F_AGECAT",
    "F_SEX",
    "F_EDUCCAT",
    "F_RACETHN",
    "F_INCOME_RECODE",
    "F_PARTYSUM_FINAL",
    "F_IDEO",
    "F_CREGION",
    "F_METRO",
]

# the select-all battery appended after the weight (#14)
BATTERY = [f"PP5{c}_W49" for c in "abcdefg"]


@pytest.fixture(scope="module")
def sav() -> tuple[pd.DataFrame, pyreadstat.metadata_container]:
    return pyreadstat.read_sav(str(SAV))


def pct(df: pd.DataFrame, var: str, codes: tuple[int, ...], mask=None) -> float:
    """Weighted % of ``codes`` among valid answers (NaN and 99 excluded)."""
    x = df[var].to_numpy()
    w = df["WEIGHT_W49"].to_numpy()
    ok = ~np.isnan(x) & (x != 99)
    if mask is not None:
        ok &= mask
    return 100 * w[ok & np.isin(x, codes)].sum() / w[ok].sum()


@pytest.mark.parametrize(("var", "codes", "published"), PUBLISHED)
def test_published_topline_within_two_points(sav, var, codes, published):
    assert abs(pct(sav[0], var, codes) - published) <= 2.0


@pytest.mark.parametrize(("var", "by", "code", "published"), SUBGROUPS)
def test_published_subgroup_within_two_points(sav, var, by, code, published):
    df = sav[0]
    assert abs(pct(df, var, (1, 2), df[by].to_numpy() == code) - published) <= 2.0


def test_subgroup_gaps_have_published_sign_and_size(sav):
    df = sav[0]
    party, race = df["F_PARTYSUM_FINAL"].to_numpy(), df["F_RACETHN"].to_numpy()
    gov_gap = pct(df, "CONCERNGOV_W49", (1, 2), party == 2) - pct(df, "CONCERNGOV_W49", (1, 2), party == 1)
    le_gap = pct(df, "CONCERNLE_W49", (1, 2), race == 2) - pct(df, "CONCERNLE_W49", (1, 2), race == 1)
    assert 0 < gov_gap < 6  # published: 66 - 63 = 3 points
    assert 12 < le_gap < 22  # published: 73 - 56 = 17 points


@pytest.mark.parametrize("var", list(TARGETS))
def test_weighted_margins_equal_raking_targets(sav, var):
    df = sav[0]
    got = [pct(df, var, (code,)) for code in range(1, len(TARGETS[var]) + 1)]
    np.testing.assert_allclose(got, TARGETS[var], rtol=0, atol=1e-8)


def test_weights_are_normalised_and_trimmed(sav):
    w = sav[0]["WEIGHT_W49"].to_numpy()
    assert w.sum() == pytest.approx(len(w), rel=1e-12)
    assert w.min() > 0.2 and w.max() < 5
    kish = len(w) * (w @ w) / w.sum() ** 2
    assert 1.1 < kish < 1.6


def test_unweighted_sample_is_visibly_biased(sav):
    df = sav[0]
    ones = pd.DataFrame({**{c: df[c] for c in df}, "WEIGHT_W49": np.ones(len(df))})
    assert pct(ones, "F_AGECAT", (4,)) > 20 + 5  # too old
    assert pct(ones, "F_EDUCCAT", (1,)) > 33 + 8  # too educated
    assert pct(ones, "F_RACETHN", (3,)) < 16 - 4  # too few Hispanic adults
    assert pct(ones, "F_INCOME_RECODE", (1,)) < 30 - 5  # too few low-income adults


def test_shape_ids_and_forms(sav):
    df = sav[0]
    assert len(df) == 4272
    assert df["QKEY"].is_unique and (df["QKEY"] == df["QKEY"].round()).all()
    assert set(df["FORM_W49"]) == {1.0, 2.0}
    assert abs((df["FORM_W49"] == 1).mean() - 0.5) < 0.02
    expected = ["QKEY", "FORM_W49", *(f"{i}_W49" for i in ITEMS), *DEMOS, "WEIGHT_W49", *BATTERY]
    assert list(df.columns) == expected


def test_split_form_missingness(sav):
    df = sav[0]
    form1 = df["FORM_W49"].to_numpy() == 1
    assert (df["TRACKCO1a_W49"].isna().to_numpy() == ~form1).all()
    assert (df["TRACKGOV1a_W49"].isna().to_numpy() == form1).all()
    others = df.drop(columns=["TRACKCO1a_W49", "TRACKGOV1a_W49"])
    assert not others.isna().any().any()


@pytest.mark.parametrize("var", [f"{i}_W49" for i in ITEMS] + DEMOS)
def test_refusals_are_one_to_two_percent(sav, var):
    df, meta = sav
    x = df[var].dropna().to_numpy()
    code = 9 if var == "F_PARTYSUM_FINAL" else 99
    if var == "F_PARTYSUM_FINAL":
        assert meta.variable_value_labels[var][9.0] == "DK/Refused/No lean"
        assert 0.04 < np.mean(x == code) < 0.12  # no lean (about 7 %) plus refusals
    else:
        assert meta.variable_value_labels[var][99.0] == "Refused"
        assert 0.005 < np.mean(x == code) < 0.03
    labelled = set(meta.variable_value_labels[var])
    assert set(np.unique(x)) <= labelled


@pytest.mark.parametrize(("var", "wording"), list(WORDING.items()))
def test_question_wording_is_variable_label(sav, var, wording):
    assert sav[1].column_names_to_labels[var] == wording


def test_value_labels_and_metadata(sav):
    df, meta = sav
    labels = meta.variable_value_labels
    assert labels["CONCERNCO_W49"] == {
        1.0: "Very concerned",
        2.0: "Somewhat concerned",
        3.0: "Not too concerned",
        4.0: "Not at all concerned",
        99.0: "Refused",
    }
    assert labels["F_AGECAT"] == {1.0: "18-29", 2.0: "30-49", 3.0: "50-64", 4.0: "65+", 99.0: "Refused"}
    assert labels["PP4_W49"][5.0].startswith("Have never been asked")
    assert labels["TRACKGOV1a_W49"][1.0] == "All or almost all of it"
    assert "QKEY" not in labels and "WEIGHT_W49" not in labels
    unlabelled = set(df.columns) - set(labels)
    assert unlabelled == {"QKEY", "WEIGHT_W49"}
    assert meta.missing_ranges == {} and meta.missing_user_values == {}
    assert meta.file_label.startswith("SYNTHETIC demo data shaped like Pew ATP Wave 49")
    assert meta.notes == ["SYNTHETIC demo data shaped like Pew ATP Wave 49 \u2014 not real survey responses"]
    assert meta.column_names_to_labels["F_AGECAT"] == "Age category"


def test_file_is_small_and_row_compressed():
    raw = SAV.read_bytes()
    assert len(raw) < 1_000_000
    assert raw[:4] == b"$FL2"
    assert int.from_bytes(raw[72:76], "little") == 1  # bytecode (row) compression
    assert raw[92:109] == b"17 Jun 1900:00:00"  # pinned header stamp


def test_regenerating_gives_identical_bytes(generator, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    start = time.perf_counter()
    out = generator.main(tmp_path / "again.sav", verbose=False)
    assert time.perf_counter() - start < 20
    assert out.read_bytes() == SAV.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["again.sav"]  # no temporary left
    assert out.stat().st_mode & 0o777 == 0o644


def test_pin_sav_timestamp_uses_epoch_and_changes_nothing_else(demo_sav, tmp_path):
    pin_sav_timestamp = demo_sav.pin_sav_timestamp

    copy = tmp_path / "copy.sav"
    copy.write_bytes(SAV.read_bytes())
    pin_sav_timestamp(copy, epoch=1_700_000_000)  # 2023-11-14 22:13:20 UTC
    new, old = copy.read_bytes(), SAV.read_bytes()
    assert new[92:109] == b"14 Nov 2322:13:20"
    assert new[:92] == old[:92] and new[109:] == old[109:]
    meta = pyreadstat.read_sav(str(copy), metadataonly=True)[1]
    assert meta.creation_time.year == 2023
    text = tmp_path / "x.sav"
    text.write_bytes(b"not an spss file")
    with pytest.raises(ValueError, match="not an SPSS system file"):
        pin_sav_timestamp(text)


def test_effects_table_matches_generating_terms(generator):
    assert list(generator.EFFECTS) == ITEMS
    assert all(beta.shape == (13,) for beta in generator.EFFECTS.values())
    assert generator.EFFECTS["CONCERNCO"][2] < generator.EFFECTS["CONCERNCO"][1] < 0  # age
    assert generator.EFFECTS["UNDERSTANDCO"][5] > 0  # no degree


def test_ordinal_logit_recovers_generating_effects(sav, generator):
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    df = sav[0]
    y = df["CONCERNCO_W49"].to_numpy()
    ok = ~np.isnan(y) & (y != 99)
    for var in DEMOS[:5]:
        ok &= df[var].to_numpy() != 99
    dummies = [
        (var, float(level))
        for var, levels in [
            ("F_AGECAT", (2, 3, 4)),
            ("F_SEX", (2,)),
            ("F_EDUCCAT", (2, 3)),
            ("F_RACETHN", (2, 3, 4)),
            ("F_INCOME_RECODE", (2, 3)),
            ("F_PARTYSUM_FINAL", (2, 9)),
        ]
        for level in levels
    ]
    x = np.column_stack([df[v].to_numpy()[ok] == lv for v, lv in dummies]).astype(float)
    # selection depends only on these covariates, so the unweighted fit is consistent too
    fit = OrderedModel(y[ok].astype(int), x, distr="logit").fit(method="bfgs", disp=False, maxiter=2000)
    diff = fit.params[:13] - generator.EFFECTS["CONCERNCO"]
    cov = fit.cov_params()[:13, :13]
    wald = diff @ np.linalg.solve(cov, diff)
    assert stats.chi2.sf(wald, 13) > 0.01
    assert np.all(np.abs(diff / np.sqrt(np.diag(cov))) < 3)


def test_readme_is_labelled_synthetic_and_states_the_generating_effects(generator):
    text = (ROOT / "pewlike" / "datasets" / "README.md").read_text(encoding="utf-8")
    assert text.count("SYNTHETIC") >= 2 and "no real survey responses" in text
    table = text.split("Generating effects of the CONCERNCO model")[1].split("\n\n")[1]
    rows = [line.split("|")[2] for line in table.splitlines()[2:]]
    betas = [float(v) for row in rows for v in row.split("/")]
    np.testing.assert_array_equal(betas, generator.EFFECTS["CONCERNCO"])
    assert (ROOT / "pewlike" / "datasets" / "__init__.py").read_text().strip().startswith('"""Bundled synthetic')


def test_select_all_battery_is_plausible(sav):
    df, meta = sav
    items = df[BATTERY[:-1]].to_numpy()
    none = df[BATTERY[-1]].to_numpy()
    skipped = (df[BATTERY] == 99).all(axis=1).to_numpy()
    assert ((df[BATTERY] == 99).any(axis=1).to_numpy() == skipped).all()  # a skip is the whole battery
    assert 0.002 < skipped.mean() < 0.02
    answered = ~skipped
    assert set(np.unique(items[answered])) == {1.0, 2.0}
    # "None of these" exactly when no other item is selected
    assert ((none[answered] == 1) == ~(items[answered] == 1).any(axis=1)).all()
    shares = (items[answered] == 1).mean(axis=0)
    assert (shares > 0.1).all() and (shares < 0.7).all()
    assert meta.variable_value_labels["PP5a_W49"] == {1.0: "Selected", 2.0: "Not selected", 99.0: "Refused"}
    assert meta.column_names_to_labels["PP5g_W49"].endswith("None of these")
