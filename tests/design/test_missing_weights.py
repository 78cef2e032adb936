"""A weight that is blank for some respondents (a panel file's weight of a wave they were not in).

R's ``svydesign`` stops on a missing weight, and so does pewlike by default; ``missing_weights="drop"``
(a spec's ``[data] missing_weights = "drop"``, the command line's ``--drop-unweighted``) leaves those
respondents out, as Stata's ``svy`` does, and says so.  ``pewlike init`` chooses it when the only
weight is blank for some.  Checked against numpy on generated files.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

import pewlike as pw
from pewlike.cli import main
from pewlike.errors import DataWarning, DesignError
from pewlike.report import spec as specmod
from pewlike.report.build import build
from pewlike.report.starter import file_starter


def _panel_file(path, seed: int, n: int = 300, blank: float = 0.3) -> pd.DataFrame:
    """Two questions and one wave's weight, blank for a share ``blank`` (panelists not in that wave)."""
    rng = np.random.default_rng(seed)
    weight = rng.gamma(3.0, 0.3, n)
    weight[rng.random(n) < blank] = np.nan
    frame = pd.DataFrame(
        {
            "QKEY": np.arange(n, dtype=float) + 1,
            "CONC_W61": rng.choice([1.0, 2.0, 3.0, 4.0], n),
            "F_GENDER": rng.choice([1.0, 2.0], n),
            "WEIGHT_W61": weight,
        }
    )
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={
            "CONC_W61": {
                1.0: "Very concerned",
                2.0: "Somewhat concerned",
                3.0: "Not too concerned",
                4.0: "Not at all concerned",
            },
            "F_GENDER": {1.0: "A man", 2.0: "A woman"},
        },
        column_labels={"CONC_W61": "How concerned are you?"},
    )
    return frame


def _share(frame: pd.DataFrame, code: float) -> float:
    kept = frame["WEIGHT_W61"].notna().to_numpy()
    w = frame["WEIGHT_W61"].to_numpy()[kept]
    return float(np.average(frame["CONC_W61"].to_numpy()[kept] == code, weights=w))


@pytest.mark.parametrize("seed", [1, 2])
def test_drop_leaves_out_the_blank_weights_and_says_so(tmp_path, seed):
    frame = _panel_file(tmp_path / "w.sav", seed)
    blank = int(frame["WEIGHT_W61"].isna().sum())
    with pytest.raises(DesignError, match=r"missing_weights='drop' leaves out those without a weight"):
        pw.read(tmp_path / "w.sav")
    with pytest.warns(
        DataWarning, match=rf"^{blank} respondents have no WEIGHT_W61 weight .* {len(frame) - blank} remain"
    ):
        svy = pw.read(tmp_path / "w.sav", missing_weights="drop")
    assert svy.n == len(frame) - blank
    got = svy.proportion("CONC").to_frame().set_index("level")["estimate"]
    assert got["Very concerned"] == pytest.approx(_share(frame, 1.0), rel=1e-12)
    # the same as building the design on the rows with a weight (R: svydesign(data = subset(d, !is.na(w))))
    kept = pw.read(tmp_path / "w.sav", weights=None).data
    kept = kept[frame["WEIGHT_W61"].notna().to_numpy()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pw.Survey(kept, weights="WEIGHT_W61").proportion("CONC").to_frame()
    mine = svy.proportion("CONC").to_frame()
    np.testing.assert_allclose(mine["std_error"], ref["std_error"], rtol=1e-12)
    assert f"{blank} respondents without a WEIGHT_W61 weight (not in that wave's sample) left out" in svy.design


def test_bad_missing_weights(tmp_path):
    frame = _panel_file(tmp_path / "w.sav", 3)
    with pytest.raises(DesignError, match=r"missing_weights='keep' is not valid; choose 'error' or 'drop'"):
        pw.read(tmp_path / "w.sav", missing_weights="keep")
    everyone_blank = frame.assign(WEIGHT_W61=np.nan)
    with pytest.raises(DesignError, match=r"'WEIGHT_W61' is blank for every respondent; choose another weight"):
        pw.Survey(everyone_blank, weights="WEIGHT_W61", missing_weights="drop")
    with pytest.raises(DesignError, match=r"missing_weights='drop' is for engine='pandas'"):
        pw.read(tmp_path / "w.sav", engine="dask", missing_weights="drop")
    full = frame.assign(WEIGHT_W61=1.0)  # nothing to drop: no warning, no note
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        svy = pw.Survey(full, weights="WEIGHT_W61", missing_weights="drop")
    assert svy.n == len(frame) and "left out" not in svy.design


def test_init_chooses_drop_and_the_report_says_it(tmp_path):
    frame = _panel_file(tmp_path / "w.sav", 4)
    blank = int(frame["WEIGHT_W61"].isna().sum())
    made = file_starter(str(tmp_path / "w.sav"), spec_path=str(tmp_path / "report.toml"))
    assert 'missing_weights = "drop"' in made.text
    assert any(f"blank for {blank} respondents" in line for line in made.choices)
    (tmp_path / "report.toml").write_text(made.text, encoding="utf-8")
    result = build(specmod.load(tmp_path / "report.toml"), out=tmp_path / "out", jobs=1, cache=False)
    page = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert f"{blank} respondents without a WEIGHT_W61 weight (not in that wave's sample) left out." in page
    assert not result.failures
    topline = pd.read_csv(tmp_path / "out" / "tables" / "topline_CONC_W61.csv")
    very = topline.loc[topline.iloc[:, 0].str.strip() == "Very concerned"].iloc[0, 1]
    assert float(very) == pytest.approx(round(100 * _share(frame, 1.0)), abs=0.5)


def test_a_spec_without_the_key_says_the_key(tmp_path):
    _panel_file(tmp_path / "w.sav", 5)
    (tmp_path / "r.toml").write_text('[data]\nfile = "w.sav"\nweights = "WEIGHT_W61"\n[[topline]]\nvar = "CONC"\n')
    with pytest.raises(DesignError) as err:
        build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1, cache=False)
    assert '[data] missing_weights = "drop" leaves out those without a weight' in str(err.value)
    assert not (tmp_path / "out").exists()
    bad = '[data]\nfile = "w.sav"\nmissing_weights = "ignore"\n[[topline]]\nvar = "CONC"\n'
    with pytest.raises(specmod.SpecError, match=r"missing_weights"):
        specmod.loads(bad)


def test_cli_drop_unweighted(tmp_path):
    frame = _panel_file(tmp_path / "w.sav", 6)
    runner = CliRunner()
    refused = runner.invoke(main, ["topline", "CONC", "--data", str(tmp_path / "w.sav")])
    assert refused.exit_code == 1
    assert "--drop-unweighted leaves out those without a weight" in refused.output
    res = runner.invoke(
        main, ["topline", "CONC", "--data", str(tmp_path / "w.sav"), "--drop-unweighted", "--format", "csv"]
    )
    assert res.exit_code == 0, res.output
    got = pd.read_csv(io.StringIO(res.stdout)).set_index("level")["estimate"]
    assert got["Very concerned"] == pytest.approx(_share(frame, 1.0), rel=1e-9)


def test_the_trend_starter_writes_drop_for_each_wave_that_needs_it(tmp_path):
    from pewlike.report.starter import read_for_starter
    from pewlike.report.trend_starter import waves_starter

    _panel_file(tmp_path / "a.sav", 7)
    _panel_file(tmp_path / "b.sav", 8, blank=0.0)  # every respondent has a weight
    paths = [str(tmp_path / "a.sav"), str(tmp_path / "b.sav")]
    made = waves_starter([read_for_starter(p)[0] for p in paths], paths, spec_path=str(tmp_path / "t.toml"))
    blocks = made.text.split("[[data]]")[1:]
    assert ['missing_weights = "drop"' in b for b in blocks] == [True, False]
    spec = specmod.loads(made.text, path=str(tmp_path / "t.toml"))
    assert [w.data.missing_weights for w in spec.waves] == ["drop", "error"]
