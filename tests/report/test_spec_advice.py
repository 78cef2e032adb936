"""Spec and CLI errors speak of spec keys and commands, never of Python calls (#12).

Each spec below fails in a different Survey method (recode, score, assign, set_scale,
topline, a distribution); its one-line SpecError names the [[derive]] entry or item and
gives advice in spec terms.  The CLI messages give commands and options.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from click.testing import CliRunner

from pewlike.cli import main
from pewlike.errors import SpecError
from pewlike.report import build as buildmod
from pewlike.report import spec as specmod
from pewlike.report.advice import PYTHON_ADVICE, for_cli, for_spec

HEAD = '[data]\nfile = "pewlike:demo"\nsynthetic = true\n'
PY = re.compile(r"\b(?:svy|pw)\.|Survey\(|with_weights|\bassign\(|proportion\(")


@pytest.mark.parametrize(
    ("body", "where", "advice"),
    [
        (  # a derive named like the design's weight column
            '[[derive]]\nname = "WEIGHT_W49"\nexpr = "F_AGECAT >= 3"\n[[topline]]\nvar = "CONCERNCO"\n',
            "[[derive]] #1:",
            'give the new variable another name = "..." (the design\'s columns are set in [data])',
        ),
        (  # recode of a numeric variable
            '[[derive]]\nname = "Q2"\nrecode = {var = "QKEY", map = {A = [1]}}\n[[topline]]\nvar = "CONCERNCO"\n',
            "[[derive]] #1:",
            'use a [[derive]] with expr = "..." to derive a value from it',
        ),
        (  # score of a numeric variable, second entry
            '[[derive]]\nname = "OLD"\nexpr = "F_AGECAT >= 3"\n[[derive]]\nname = "S"\n'
            'score = {var = "QKEY", map = {A = 1}}\n[[topline]]\nvar = "CONCERNCO"\n',
            "[[derive]] #2:",
            'use a [[derive]] with expr = "..." to derive a value from it',
        ),
        (  # a score named like the design's weight column
            '[[derive]]\nname = "WEIGHT_W49"\nscore = {var = "CONCERNCO", map = {"Very concerned" = 4, '
            '"Somewhat concerned" = 3, "Not too concerned" = 2, "Not at all concerned" = 1}}\n'
            '[[topline]]\nvar = "CONCERNCO"\n',
            "[[derive]] #1:",
            "another name = ",
        ),
        (  # a topline of a numeric variable
            '[[topline]]\nvar = "QKEY"\n',
            "[[topline]]",
            "use a [[distribution]] item with var = 'QKEY' for its distribution",
        ),
        (  # a distribution of a categorical question
            '[[distribution]]\nvar = "CONCERNCO"\n',
            "[[distribution]]",
            "use a [[topline]] item with var = 'CONCERNCO_W49' for the share",
        ),
        (  # a scale declared on a numeric variable
            '[[topline]]\nvar = "CONCERNCO"\n',
            "[data] ordinal",
            "(see `pewlike codebook FILE`)",
        ),
    ],
)
def test_spec_errors_give_spec_advice(body, where, advice, tmp_path):
    head = HEAD + 'ordinal = ["QKEY"]\n' if where == "[data] ordinal" else HEAD
    (tmp_path / "r.toml").write_text(head + body)
    with pytest.raises(SpecError) as err:
        buildmod.build(specmod.load(tmp_path / "r.toml"), out=tmp_path / "out", jobs=1)
    msg = str(err.value)
    assert msg.startswith(f"r.toml: {where}") or f"r.toml: {where}" in msg, msg
    assert advice in msg, msg
    assert not PY.search(msg), msg
    assert "\n" not in msg and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "advice"),
    [
        (["topline", "QKEY"], "use `pewlike mean QKEY` for its average"),
        (["mean", "CONCERNCO"], "use `pewlike topline CONCERNCO_W49` for the share"),
        (["topline", "CONCERNCO", "--filter", "F_AGECAT == 9"], "--filter"),
    ],
)
def test_cli_errors_give_commands(args, advice):
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1, res.output
    msg = res.output.strip().splitlines()[-1]
    assert msg.startswith("pewlike: error: ") and advice in msg, msg
    assert not PY.search(msg), msg


# every advice rewritten, for spec and CLI: a message as each module writes it
MESSAGES = [
    "assign: 'WEIGHT_W49' is the design's weight column; changing it would change the design, not a variable. "
    "Build a new Survey (pw.Survey(data, ...)) or use svy.with_weights() for new weights",
    "assign: labels are given for 'X', which is not assigned; assign it too (svy.assign(X=...)) or use the name "
    "of an assigned column ('Y')",
    "recode: 'AGE' is numeric, with no categories to recode; use svy.assign() to derive a value from it",
    "topline needs a categorical question but 'AGE' is numeric (float64); use svy.mean('AGE') for its average, "
    "or give it value labels",
    "histogram needs a numeric variable but 'Q' is categorical (answers, not numbers); use svy.topline('Q') for "
    "the share giving each answer",
    "mean needs a numeric variable but 'Q' is text (object), not numbers; use proportion('Q') for the share of each response",
    "select_all needs a list of item columns, e.g. ['PP5a', 'PP5b', 'PP5c']; svy.batteries() lists them",
    "set_scale: 'AGE' is numeric, with no labelled answers; a scale is a question whose answers have value labels "
    "(see svy.codebook())",
    "F_AGECAT has 12 missing value(s) among the respondents being weighted; impute them (as Pew does before "
    "raking) or drop those respondents with svy.subset(...)",
    "trend needs the column that names each row's wave, and 'W' is not one; stack the waves with pw.stack({...}) "
    "or name the column with wave=",
    "wave '2023' has no answers to 'Q' (was it asked in that wave?); leave the wave out with "
    "svy.subset(\"WAVE != '2023'\")",
    "wave '2023' has no answers to 'Q' in this subset (412 in the whole wave); leave the wave out with "
    "svy.subset(\"WAVE != '2023'\") or widen the subset",
    "by='G' has no values in wave '2023', so no change within its groups can be measured; leave it out of by=, "
    "or give that wave's column the name 'G' with pw.stack(rename=...)",
    "this weight summary has no weight distribution (a partitioned survey); draw it from "
    "svy.collect().weight_summary() or svy.sample(frac=0.05, seed=1).weight_summary()",
    "these weights have no achieved vs target margins: rake, poststratify or calibrate the survey first "
    "(svy.rake({...}).weight_summary())",
    "topline needs every row: Collect the data if they fit in memory (svy.collect().topline(...)) or work on a "
    "random sample (svy.sample(frac=0.05, seed=1).topline(...))",
    "subset name='' is not valid; give a short one-line text such as 'Registered voters'",
    "several weight columns found: WEIGHT_W80, WEIGHT_W81; pass weights='WEIGHT_W80' (or another), or "
    "weights=None for unweighted estimates",
    "no weight column found (looked for WEIGHT_W<n> or weight); using equal weights. Pass weights='<column>', "
    "or weights=None for unweighted",
    "no weight column found (looked for WEIGHT_W<n> or weight); using equal weights. WTSSALL looks like one: "
    "pass weights='WTSSALL', or weights=None for unweighted",
    "outcome Q has 4 levels; a binomial model needs two. Write \"Q in ['Yes'] ~ ...\" or use svy.ologit",
    "outcome Q is categorical; a gaussian model needs a number. Use family='binomial' with \"Q in [...] ~ ...\", "
    "or svy.ologit",
    "ologit needs a categorical outcome; 'y' is not one (use svy.glm or svy.logit for numeric or binary outcomes)",
    "outcome Q has 2 levels; ologit needs 3 or more (use svy.logit)",
]


@pytest.mark.parametrize("text", MESSAGES)
def test_every_known_python_advice_is_rewritten(text):
    assert PYTHON_ADVICE.search(text) or PY.search(text) or "subset name=" in text or "weights=" in text
    spec, cli = for_spec(text), for_cli(text)
    for out in (spec, cli):
        assert not PY.search(out), out
        assert "subset name=" not in out and "weights=" not in out
    assert spec != text and cli != text


def test_a_wave_without_answers_is_advised_as_spec_keys():
    asked = "wave '2023' has no answers to 'Q' (was it asked in that wave?); leave the wave out with svy.subset(\"WAVE != '2023'\")"
    assert for_spec(asked) == (
        "wave '2023' has no answers to 'Q' (was it asked in that wave?); leave that wave's [[data]] table out, "
        "or leave the question out of the [[trend]] items"
    )
    subset = (
        "wave '2023' has no answers to 'Q' in this subset (412 in the whole wave); leave the wave out with "
        "svy.subset(\"WAVE != '2023'\") or widen the subset"
    )
    assert for_spec(subset).endswith(
        "leave that wave's [[data]] table out, widen the [data] filter, or leave the question out of the [[trend]] items"
    )
    assert for_cli(subset).endswith("leave that wave out of the report spec's [[data]] tables, or widen the --filter")


def test_a_column_to_leave_out_of_a_wave_is_advised_as_a_rename_key():
    text = "'FORM' has labelled answers in wave 'W49' but not in wave 'W132'; leave it out of one with rename={'W132': {'FORM': None}}"
    said = for_spec(text)
    assert said.endswith(
        "give it another name in one wave with [stack] rename = { 'W132' = { 'FORM' = 'ANOTHER_NAME' } }"
    )
    assert tomllib.loads("[stack]\n" + said.split("[stack] ")[1])["stack"]["rename"] == {
        "W132": {"FORM": "ANOTHER_NAME"}
    }
