"""A report built from a named subset (#12) says whose answers it reports, in its source line,
table notes and figure source lines."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pewlike.report import build as buildmod
from pewlike.report import spec as specmod


def test_a_report_of_a_named_universe_names_it(tmp_path, monkeypatch):
    rng = np.random.default_rng(5)
    n = 400
    sex = rng.choice(["Male", "Female"], n)
    pd.DataFrame({"F_SEX": sex, "Q1": rng.choice(["Yes", "No"], n), "weight": np.ones(n)}).to_csv(
        tmp_path / "s.csv", index=False
    )
    (tmp_path / "r.toml").write_text(
        '[data]\nfile = "s.csv"\nweights = "weight"\n[defaults]\nby = ["F_SEX"]\n[[topline]]\nvar = "Q1"\nchart = true\n'
    )
    load = buildmod._load
    monkeypatch.setattr(buildmod, "_load", lambda spec, data: _named(load(spec, data)))
    buildmod.build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1)
    women = int((sex == "Female").sum())
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "Source: s.csv, weighted; among women." in md
    assert f"Among women, n = {women:,}. Percentages of those who answered" in md
    svg = next((tmp_path / "out" / "figures").glob("*.svg")).read_text(encoding="utf-8")
    assert "among women" in svg


def _named(loaded):
    svy, source = loaded
    return svy.subset("F_SEX == 'Female'", name="Women"), source


def test_the_universe_line_follows_a_subtitle_as_its_own_sentence(tmp_path):
    rng = np.random.default_rng(6)
    n = 300
    sex = rng.choice(["Male", "Female"], n)
    pd.DataFrame({"F_SEX": sex, "Q1": rng.choice(["Yes", "No"], n), "weight": np.ones(n)}).to_csv(
        tmp_path / "s.csv", index=False
    )
    spec = (
        'subtitle = "Wave 49 of the panel"\n[data]\nfile = "s.csv"\nweights = "weight"\n'
        'filter = "F_SEX == \'Female\'"\nuniverse = "Women"\n[[topline]]\nvar = "Q1"\n'
    )
    (tmp_path / "r.toml").write_text(spec)
    buildmod.build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1)
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert f"*Wave 49 of the panel. Among women, n = {int((sex == 'Female').sum()):,}.*" in md
