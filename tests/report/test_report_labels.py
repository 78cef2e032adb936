"""The spec's ``[labels]`` and a report of a wave whose labels start with "QNAME." (issue #11)."""

from __future__ import annotations

import pytest

from pewlike.errors import SpecError
from pewlike.report import build as buildmod
from pewlike.report import spec as specmod
from tests.design.test_relabel import QUESTIONS, write_wave

SPEC = """
title = "Labels"
[data]
file = "w88.sav"
[defaults]
by = ["F_AGECAT", "F_SEX"]
[labels.F_AGECAT]
name = "Age"
values = {{ "18-29" = "Ages 18-29", "65+" = "Ages 65 and older" }}
[labels.CONCERN]
label = "Concern about companies' use of data"
{extra}
[[topline]]
var = "CONCERN"
chart = true
[[topline]]
var = "Q12a"
[[crosstab]]
var = "CONCERN"
[[compare]]
vars = ["CONCERN", "CONCERNGOV"]
level = "NET Very/Somewhat concerned"
by = []
[[model]]
type = "logit"
formula = "CONCERN in ['Very concerned', 'Somewhat concerned'] ~ F_AGECAT + F_SEX"
name = "concern_model"
"""


def _spec(tmp_path, extra: str = ""):
    write_wave(tmp_path / "w88.sav", seed=29)
    path = tmp_path / "r.toml"
    path.write_text(SPEC.format(extra=extra), encoding="utf-8")
    return specmod.load(path)


def test_labels_table_is_parsed():
    spec = specmod.loads(
        '[data]\nfile = "x.sav"\n[labels.F_AGECAT]\nname = "Age"\nvalues = { "18-29" = "Young" }\n'
        '[labels.Q1]\nlabel = "Wording"\n'
    )
    assert [(e.var, e.name, e.label, e.values) for e in spec.labels] == [
        ("F_AGECAT", "Age", None, (("18-29", "Young"),)),
        ("Q1", None, "Wording", ()),
    ]


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ('[labels]\nF_AGECAT = "Age"', "[labels.F_AGECAT] must be a table"),
        ('[labels.F_AGECAT]\nshort = "Age"', "[labels.F_AGECAT]: unknown key 'short'; expected one of: name, label"),
        ("[labels.F_AGECAT]\nname = 3", "[labels.F_AGECAT]: 'name' must be a non-empty string"),
        ('[labels.F_AGECAT]\nvalues = ["a"]', "[labels.F_AGECAT]: 'values' must be a table"),
        ('[labels.F_AGECAT]\nvalues = { "a" = 1 }', "[labels.F_AGECAT]: 'values' must be a table"),
        ("labels = 3", "[labels] must be a table"),
    ],
)
def test_bad_labels_tables_fail_in_one_line_naming_the_key(toml, needle):
    with pytest.raises(SpecError) as err:
        specmod.loads(f'{toml}\n[data]\nfile = "x.sav"\n')
    assert needle in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ('[labels.NOPE]\nname = "x"', "r.toml: [labels.NOPE]: unknown variable 'NOPE'"),
        (
            '[labels.F_SEX]\nvalues = { "Women" = "W" }',
            "r.toml: [labels.F_SEX]: relabel: 'Women' is not a category of 'F_SEX'; known: 1 'Male', 2 'Female'",
        ),
    ],
)
def test_labels_for_unknown_variables_or_answers_fail_before_any_output(tmp_path, extra, needle):
    spec = _spec(tmp_path, extra)
    with pytest.raises(SpecError) as err:
        buildmod.build(spec, out=tmp_path / "out", jobs=1)
    assert needle in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "out").exists()


def test_report_shows_wording_short_names_and_relabelled_answers(tmp_path):
    buildmod.build(_spec(tmp_path), out=tmp_path / "out", jobs=1)
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    for name in QUESTIONS:  # no "QNAME." prefix anywhere a title is shown
        assert f"{name.split('_W')[0]}. " not in md, name
    assert "Concern about companies' use of data" in md
    assert "Do you read privacy policies?" in md
    assert "Ages 18-29" in md and "Ages 65 and older" in md and "| 18-29 |" not in md
    # the model table names the terms by the short name, with the reference category
    model_md = (tmp_path / "out" / "tables" / "concern_model.md").read_text(encoding="utf-8")
    assert "Age: 30-49 (vs. Ages 18-29)" in model_md and "Sex: Female (vs. Male)" in model_md
    assert "F_AGECAT30-49" not in model_md.split("Model:")[0]  # raw terms only in the formula note
    # the model's title is the outcome's wording (the relabelled one), not its formula
    assert "Concern about companies' use of data (odds of 'Very concerned' or 'Somewhat concerned')" in model_md
    # compare: legends are the questions' labels, not variable names
    svg = (tmp_path / "out" / "figures" / "compare_CONCERN_CONCERNGOV.svg").read_text(encoding="utf-8")
    assert "Concern about companies" in svg and "government's use of your data" in svg
    assert "CONCERNGOV" not in svg and "CONCERN_W88" not in svg
    fig_svg = (tmp_path / "out" / "figures" / "concern_model_coefficients.svg").read_text(encoding="utf-8")
    assert "(vs. Ages 18-29)" in fig_svg and "F_AGECAT30-49" not in fig_svg
