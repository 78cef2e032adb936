"""CSV text answers: scales read in scale order, missing answers ("Refused") out of every base."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pewlike as pw
from pewlike.io.scales import scale_order

CONCERN = ["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"]
AGREE = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"]


@pytest.mark.parametrize(
    "order",
    [
        CONCERN,
        AGREE,
        ["Always", "Often", "Sometimes", "Rarely", "Never"],
        ["Excellent", "Good", "Fair", "Poor"],
        ["Very satisfied", "Somewhat satisfied", "Somewhat dissatisfied", "Very dissatisfied"],
        ["Very conservative", "Conservative", "Moderate", "Liberal", "Very liberal"],
        ["A great deal", "Some", "Very little", "None"],
    ],
)
def test_scale_order_puts_the_top_first_whatever_the_given_order(order):
    for seed in range(3):
        shuffled = list(np.random.default_rng(seed).permutation(order))
        assert scale_order(shuffled) == order
        assert scale_order(sorted(order)) == order


@pytest.mark.parametrize(
    "answers",
    [["Yes", "No", "Not sure"], ["Republican", "Democrat", "Independent"], ["Agree", "Disagree"], ["Very", "Very"]],
)
def test_scale_order_is_none_for_answers_that_are_not_a_scale(answers):
    assert scale_order(answers) is None


@pytest.fixture
def csv(tmp_path):
    rng = np.random.default_rng(11)
    n = 800
    frame = pd.DataFrame(
        {
            "CONCERN_W7": rng.choice([*CONCERN, "Refused"], n, p=[0.3, 0.3, 0.2, 0.15, 0.05]),
            "AGREE_W7": rng.choice(AGREE, n),
            "USED_W7": rng.choice(["Yes", "No", "Refused"], n, p=[0.5, 0.42, 0.08]),
            "PARTY": rng.choice(["Republican", "Democrat", "Independent"], n),
            "OPEN": [f"answer {i}" for i in rng.integers(0, 400, n)],
            "F_SEX": rng.choice(["Male", "Female"], n),
            "WEIGHT_W7": rng.uniform(0.3, 3.0, n),
        }
    )
    path = tmp_path / "wave.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_text_scales_are_read_in_scale_order_with_missing_answers_last(csv):
    path, frame = csv
    svy = pw.read(path)
    assert list(svy.data["CONCERN_W7"].cat.categories) == [*CONCERN, "Refused"]
    assert list(svy.data["AGREE_W7"].cat.categories) == AGREE
    assert (svy.data["CONCERN_W7"].astype(str) == frame["CONCERN_W7"]).all()  # no answer changed
    types = dict(zip(svy.codebook()["name"], svy.codebook()["type"]))
    assert types["CONCERN_W7"] == types["AGREE_W7"] == "ordinal"
    assert types["PARTY"] == types["OPEN"] == "string"  # not scales: left as text
    assert types["USED_W7"] == "categorical"  # Yes / No in the .sav's order (Yes first); not a scale
    assert list(svy.data["USED_W7"].cat.categories) == ["Yes", "No", "Refused"]
    assert svy.topline("USED").to_frame()["level"].tolist() == ["Yes", "No"]

    top = svy.topline("CONCERN", nets="auto").to_frame()
    responses = top[top["kind"] == "response"]
    assert responses["level"].tolist() == CONCERN
    valid = frame["CONCERN_W7"] != "Refused"
    w = frame["WEIGHT_W7"]
    expected = [w[valid & (frame["CONCERN_W7"] == c)].sum() / w[valid].sum() for c in CONCERN]
    np.testing.assert_allclose(responses["estimate"], expected, rtol=1e-12)
    assert top[top["kind"] == "net"]["level"].str.startswith("NET Very/Somewhat").any()


def test_missing_text_answers_are_out_of_the_base_and_the_margin_of_error(csv):
    path, frame = csv
    svy = pw.read(path)
    top = svy.topline("USED")
    answered = frame["USED_W7"] != "Refused"
    assert top.n == int(answered.sum())
    assert top.to_frame()["n"].sum() == int(answered.sum())
    assert top.moe == pytest.approx(pw.moe(frame.loc[answered, "WEIGHT_W7"].to_numpy()), rel=1e-12)
    xt = svy.crosstab("USED", "F_SEX").to_frame()
    bases = xt[xt["kind"] == "response"].groupby("F_SEX", observed=True)["n"].sum()
    assert bases.to_dict() == frame[answered].groupby("F_SEX").size().to_dict()


def test_init_proposes_text_scales(csv, tmp_path):
    from click.testing import CliRunner

    from pewlike.cli import main

    path, _ = csv
    out = tmp_path / "report.toml"
    result = CliRunner().invoke(main, ["init", str(path), "--output", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert 'var = "CONCERN_W7"' in text
    assert 'var = "AGREE_W7"' in text


def test_parquet_from_elsewhere_reads_text_scales_but_pewlike_parquet_keeps_its_codebook(csv, tmp_path):
    _, frame = csv
    elsewhere = tmp_path / "elsewhere.parquet"
    frame.to_parquet(elsewhere)  # no pewlike codebook in it
    assert list(pw.read(elsewhere).data["AGREE_W7"].cat.categories) == AGREE
    kept = pw.Survey(frame, weights="WEIGHT_W7")  # a user's frame: text stays text, as in R
    assert not isinstance(kept.data["AGREE_W7"].dtype, pd.CategoricalDtype)
    again = pw.read(kept.to_parquet(tmp_path / "kept.parquet"))
    assert not isinstance(again.data["AGREE_W7"].dtype, pd.CategoricalDtype)
    assert sorted(again.topline("AGREE").to_frame()["level"]) == again.topline("AGREE").to_frame()["level"].tolist()


def test_yes_no_text_answers_come_yes_first_in_both_engines_as_the_sav_codes_them(tmp_path):
    """A CSV's "No" sorts before "Yes"; the same survey as a labelled .sav codes Yes 1, No 2."""
    dask = pytest.importorskip("dask")
    rng = np.random.default_rng(12)
    n = 300
    frame = pd.DataFrame(
        {
            "USED": rng.choice(["Yes", "No", "Refused"], n, p=[0.5, 0.45, 0.05]),
            "PP5a": rng.choice(["Selected", "Not selected"], n),
            "PP5b": rng.choice(["Selected", "Not selected"], n),
            "weight": rng.uniform(0.5, 2.0, n),
        }
    )
    path = tmp_path / "yn.csv"
    frame.to_csv(path, index=False)
    mem = pw.read(path)
    assert list(mem.data["USED"].cat.categories) == ["Yes", "No", "Refused"]
    assert not mem.data["USED"].cat.ordered  # not a scale: no nets
    top = mem.topline("USED").to_frame()
    w = frame["weight"][frame["USED"] != "Refused"]
    yes = w[frame["USED"] == "Yes"].sum() / w.sum()
    assert top["level"].tolist() == ["Yes", "No"] and top["estimate"].iloc[0] == pytest.approx(yes, rel=1e-12)
    assert mem.batteries() == [["PP5a", "PP5b"]]
    share = mem.select_all(["PP5a", "PP5b"]).to_frame().set_index("item")["estimate"]["PP5a"]
    assert share == pytest.approx(np.average(frame["PP5a"] == "Selected", weights=frame["weight"]), rel=1e-12)
    with dask.config.set(scheduler="synchronous"):
        part = pw.read(path, engine="dask")
        assert part.topline("USED").to_frame()["level"].tolist() == ["Yes", "No"]
