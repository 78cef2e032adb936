"""``pewlike init`` proposes the strata and PSU columns it recognises (GSS, NHANES, BRFSS names)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

import pewlike as pw
from pewlike.cli import main
from pewlike.report.spec import load
from pewlike.report.starter_design import DesignColumns, design_columns, design_comment, design_why


def test_nested_psus_and_a_lonely_stratum_are_seen():
    d = pd.DataFrame({"VSTRAT": [1, 1, 2, 2, 3, 3], "VPSU": [1, 2, 1, 2, 1, 1], "Q": 0})
    assert design_columns(d) == DesignColumns("VSTRAT", "VPSU", nest=True, lonely=1)


def test_psus_numbered_across_strata_need_no_nest():
    d = pd.DataFrame({"sdmvstra": [1, 1, 2, 2, 2], "SDMVPSU": [11, 12, 21, 22, np.nan]})
    assert design_columns(d) == DesignColumns("sdmvstra", "SDMVPSU", nest=False, lonely=0)


@pytest.mark.parametrize(
    ("columns", "want"),
    [
        (["cluster", "Q"], DesignColumns(None, "cluster")),
        (["_STSTR", "Q"], DesignColumns("_STSTR", None)),
        (["STRATEGY", "PSUPPORT", "Q"], None),  # a name must be the whole column name
    ],
)
def test_one_design_column_or_none(columns, want):
    assert design_columns(pd.DataFrame({c: [1, 2] for c in columns})) == want


def test_the_comment_says_every_key_to_uncomment():
    lines = design_comment(DesignColumns("VSTRAT", "VPSU", nest=True, lonely=2))
    assert all(line.startswith("# ") for line in lines)
    assert lines[2:] == [
        '# strata = "VSTRAT"',
        '# psu = "VPSU"',
        "# nest = true  # PSU numbers restart in each stratum",
        '# lonely_psu = "adjust"  # 2 strata have one PSU (or remove, average, certainty)',
    ]
    assert design_why(DesignColumns("VSTRAT", None)).startswith("design: VSTRAT (strata) looks like")


def _clustered(path, n=900, seed=5):
    rng = np.random.default_rng(seed)
    stratum = rng.integers(1, 7, n).astype(float)
    psu = rng.integers(1, 4, n).astype(float)
    psu[stratum == 6] = 1.0  # one PSU in stratum 6
    effect = rng.normal(0, 0.8, (7, 4))[stratum.astype(int), psu.astype(int)]  # answers cluster in PSUs
    q = np.clip(np.round(2.5 + effect + rng.normal(0, 0.7, n)), 1, 4)
    frame = pd.DataFrame(
        {
            "VSTRAT": stratum,
            "VPSU": psu,
            "weight": rng.uniform(0.5, 2.0, n).round(3),
            "Q": q,
            "IDEO": rng.choice([1.0, 2.0, 3.0], n),  # a question, though it starts like ID
        }
    )
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={
            "Q": {
                1.0: "Very concerned",
                2.0: "Somewhat concerned",
                3.0: "Not too concerned",
                4.0: "Not at all concerned",
            },
            "IDEO": {1.0: "Liberal", 2.0: "Moderate", 3.0: "Conservative"},
            "VPSU": {1.0: "First", 2.0: "Second", 3.0: "Third"},  # labelled, still not a question
        },
    )
    return frame


def test_init_proposes_the_design_and_the_uncommented_spec_uses_it(tmp_path):
    _clustered(tmp_path / "c.sav")
    spec = tmp_path / "report.toml"
    res = CliRunner().invoke(main, ["init", str(tmp_path / "c.sav"), "-o", str(spec)])
    assert res.exit_code == 0, res.output
    assert "design: VSTRAT (strata) and VPSU (PSUs) look like the sample's" in res.output
    proposed = load(spec)
    assert [t.var for t in proposed.toplines] == ["Q", "IDEO"]
    assert proposed.data.strata is None and proposed.data.psu is None
    text, uncommented = re.subn(r"(?m)^# ((?:strata|psu|nest|lonely_psu) = )", r"\1", spec.read_text(encoding="utf-8"))
    assert uncommented == 4
    spec.write_text(text, encoding="utf-8")
    used = load(spec).data
    assert used.read_options() == {
        "weights": "weight",
        "nest": True,
        "lonely_psu": "adjust",
        "strata": "VSTRAT",
        "psu": "VPSU",
    }
    svy = pw.read(tmp_path / "c.sav", **used.read_options())
    by_hand = pw.read(tmp_path / "c.sav", weights="weight", strata="VSTRAT", psu="VPSU", nest=True, lonely_psu="adjust")
    simple = pw.read(tmp_path / "c.sav", weights="weight")
    got, want = svy.proportion("Q").to_frame(), by_hand.proportion("Q").to_frame()
    assert np.allclose(got["std_error"], want["std_error"], rtol=1e-12)
    # the clustering the comment warned of: margins of error grow once the design is used
    assert (got["std_error"] > 1.2 * simple.proportion("Q").to_frame()["std_error"]).all()
    built = CliRunner().invoke(main, ["report", str(spec), "--out", str(tmp_path / "out"), "--no-cache", "-q"])
    assert built.exit_code == 0, built.output
    assert "Stratified 1 - level Cluster Sampling design" in (tmp_path / "out" / "report.md").read_text(
        encoding="utf-8"
    )


def test_a_design_already_given_is_not_proposed_again(tmp_path):
    from pewlike.report.starter import starter

    _clustered(tmp_path / "c.sav")
    svy = pw.read(tmp_path / "c.sav", weights="weight", strata="VSTRAT", psu="VPSU", nest=True, lonely_psu="adjust")
    made = starter(svy, str(tmp_path / "c.sav"))
    assert "strata =" not in made.text and not any(w.startswith("design:") for w in made.choices)
