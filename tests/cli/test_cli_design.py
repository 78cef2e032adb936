"""The one-shot commands' design options: --strata, --psu, --fpc, --nest, --repweights, --reptype."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

import pewlike as pw
from pewlike.cli import main

CONCERN = {1.0: "Very concerned", 2.0: "Somewhat concerned", 3.0: "Not too concerned", 4.0: "Not at all concerned"}


@pytest.fixture(scope="module")
def wave(tmp_path_factory):
    """A stratified cluster sample (PSUs numbered within strata, clustered answers) with 20 JK1 replicates."""
    rng = np.random.default_rng(41)
    strata = np.repeat(np.arange(1, 6), 120).astype(float)
    psu = np.tile(np.repeat(np.arange(1, 7), 20), 5).astype(float)
    n = strata.size
    cluster = (strata * 10 + psu).astype(int)
    shift = rng.normal(0, 0.8, cluster.max() + 1)[cluster]
    conc = np.clip(np.round(2.5 + shift + rng.normal(0, 0.7, n)), 1, 4)
    weight = rng.gamma(4, 0.25, n)
    frame = pd.DataFrame({"CONC": conc, "F_SEX": rng.choice([1.0, 2.0], n), "STRATA": strata, "PSU": psu})
    frame["WEIGHT"] = weight
    for r in range(20):
        frame[f"REPWT{r + 1}"] = weight * rng.uniform(0.5, 1.5, n)
    path = tmp_path_factory.mktemp("design") / "clustered.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={"CONC": CONCERN, "F_SEX": {1.0: "Male", 2.0: "Female"}},
        column_labels={"CONC": "How concerned are you?"},
    )
    return path


def _json(result) -> pd.DataFrame:
    """The rows a command printed with --format json (numbers to 10 decimals: compared at 1e-8)."""
    assert result.exit_code == 0, result.output
    return pd.DataFrame(json.loads(result.stdout))


def test_strata_and_psu_give_the_design_based_standard_errors(wave):
    args = ["topline", "CONC", "--data", str(wave), "--no-nets", "--format", "json"]
    got = _json(CliRunner().invoke(main, [*args, "--strata", "STRATA", "--psu", "PSU", "--nest"]))
    want = pw.read(wave, strata="STRATA", psu="PSU", nest=True).topline("CONC").to_frame()
    np.testing.assert_allclose(got["std_error"], want["std_error"], rtol=1e-8)
    np.testing.assert_allclose(got["estimate"], want["estimate"], rtol=1e-8)
    plain = _json(CliRunner().invoke(main, args))
    assert (got["std_error"].to_numpy() > 1.2 * plain["std_error"].to_numpy()).all()  # the clustering counts


def test_replicate_weights_by_pattern_or_by_names(wave):
    want = pw.read(wave, repweights="REPWT*", reptype="JK1").crosstab("CONC", "F_SEX", nets="auto").to_frame()
    base = ["crosstab", "CONC", "--by", "F_SEX", "--data", str(wave), "--format", "json", "--reptype", "JK1"]
    got = _json(CliRunner().invoke(main, [*base, "--repweights", "REPWT*"]))
    assert got["level"].tolist() == want["level"].tolist()  # nets included, as the command shows them
    np.testing.assert_allclose(got["std_error"], want["std_error"], rtol=1e-8)
    names = ",".join(f"REPWT{r + 1}" for r in range(20))
    again = _json(CliRunner().invoke(main, [*base, "--repweights", names]))
    np.testing.assert_allclose(again["std_error"], want["std_error"], rtol=1e-8)


def test_a_file_that_looks_clustered_gets_one_warning_naming_the_options(wave):
    res = CliRunner().invoke(main, ["topline", "CONC", "--data", str(wave)])
    assert res.exit_code == 0, res.output
    lines = [line for line in res.stderr.splitlines() if "look like the sample's design" in line]
    assert len(lines) == 1
    assert "add --strata STRATA --psu PSU --nest" in lines[0]
    quiet = CliRunner().invoke(
        main, ["topline", "CONC", "--data", str(wave), "--strata", "STRATA", "--psu", "PSU", "--nest"]
    )
    assert quiet.exit_code == 0 and "sample's design" not in quiet.stderr


def test_bad_design_options_say_the_fix_in_one_line(wave):
    res = CliRunner().invoke(main, ["topline", "CONC", "--data", str(wave), "--strata", "STRATA", "--psu", "PSU"])
    assert res.exit_code == 1
    assert res.stderr.strip() == (
        "pewlike: error: PSU 1 of 'PSU' appears in more than one stratum; PSU ids are reused across strata, add --nest"
    )
    demo = CliRunner().invoke(main, ["topline", "CONCERNCO", "--psu", "PSU"])
    assert demo.exit_code == 2 and "add --data FILE" in demo.stderr
    missing = CliRunner().invoke(main, ["topline", "CONC", "--data", str(wave), "--strata", "NOPE", "--psu", "PSU"])
    assert missing.exit_code == 1 and "NOPE" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def lonely(tmp_path_factory):
    """Stratum 1 has one PSU (its ten respondents form a single cluster)."""
    rng = np.random.default_rng(9)
    n = 300
    frame = pd.DataFrame(
        {
            "Q": rng.choice([1.0, 2.0], n),
            "STRATA": np.r_[np.ones(10), rng.integers(2, 5, n - 10)].astype(float),
            "PSU": np.r_[np.ones(10), rng.integers(1, 6, n - 10)].astype(float),
            "WEIGHT": rng.uniform(0.5, 2.0, n),
        }
    )
    path = tmp_path_factory.mktemp("lonely") / "lonely.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"Q": {1.0: "Yes", 2.0: "No"}})
    return path


def test_a_lonely_psu_says_the_option_and_the_option_works(lonely):
    args = ["topline", "Q", "--data", str(lonely), "--strata", "STRATA", "--psu", "PSU", "--nest", "--format", "json"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1
    assert res.stderr.strip() == (
        "pewlike: error: stratum 1 (stage 1) has only one PSU; add --lonely-psu adjust to centre it on the grand "
        "mean, average to use the average of the other strata, or remove/certainty to drop it"
    )
    for how in ("adjust", "average", "remove", "certainty"):
        got = _json(CliRunner().invoke(main, [*args, "--lonely-psu", how]))
        want = pw.read(lonely, strata="STRATA", psu="PSU", nest=True, lonely_psu=how).topline("Q").to_frame()
        np.testing.assert_allclose(got["std_error"], want["std_error"], rtol=1e-8)


def test_the_spec_is_told_its_own_key_for_a_lonely_psu():
    from pewlike.report.advice import for_spec

    msg = (
        "stratum 1 (stage 1) has only one PSU; pass lonely_psu='adjust' to centre it on the grand mean, "
        "'average' to use the average of the other strata, or 'remove'/'certainty' to drop it"
    )
    assert for_spec(msg) == (
        'stratum 1 (stage 1) has only one PSU; set [data] lonely_psu = "adjust" to centre it on the grand mean, '
        '"average" to use the average of the other strata, or "remove"/"certainty" to drop it'
    )
    assert for_spec(
        "PSU 3 of 'P' appears in more than one stratum; PSU ids are reused across strata, pass nest=True"
    ) == ("PSU 3 of 'P' appears in more than one stratum; PSU ids are reused across strata, set [data] nest = true")
    assert for_spec("replicate weights need reptype=; choose one of 'JK1'") == (
        "[data] repweights needs reptype; choose one of 'JK1'"
    )
    assert for_spec("repweights='R*' matches no column; check the pattern (e.g. 'REPWT*')") == (
        "repweights = 'R*' matches no column; check the pattern (e.g. 'REPWT*')"
    )


def test_a_starter_report_says_the_design_it_does_not_use(wave, tmp_path):
    res = CliRunner().invoke(main, ["report", "--data", str(wave), "--out", str(tmp_path / "rep"), "-q"])
    assert res.exit_code == 0, res.output
    notes = [line for line in res.stderr.splitlines() if line.startswith("pewlike: note:")]
    assert notes == [
        "pewlike: note: replicate weights: REPWT1 .. REPWT20 look like WEIGHT's; the report's margins of error "
        "ignore them: write a spec with `pewlike init DATA` and uncomment its design keys",
        "pewlike: note: STRATA (strata) and PSU (PSUs) look like the sample's design; the report's margins of error "
        "ignore them: write a spec with `pewlike init DATA` and uncomment its design keys",
    ]
    assert (tmp_path / "rep" / "index.html").is_file()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--reptype", "JK1"], "--reptype only applies with --repweights; give the replicate weight columns"),
        (["--repweights", "NOPE*", "--reptype", "JK1"], "--repweights 'NOPE*' matches no column; check the pattern"),
        (["--repweights", "REPWT*"], "--repweights needs --reptype; choose one of 'JK1', 'JKn', 'BRR', 'Fay',"),
        (
            ["--repweights", "REPWT*", "--reptype", "JK1", "--strata", "STRATA"],
            "takes no --strata, --psu or --fpc (they are in the replicate weights); drop them or drop --repweights",
        ),
    ],
)
def test_replicate_option_mistakes_are_said_as_options(wave, options, message):
    res = CliRunner().invoke(main, ["topline", "CONC", "--data", str(wave), *options])
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pewlike: error: ") and message in lines[0]
    assert "=" not in lines[0].split("error: ", 1)[1]  # no Python keyword advice on the command line


def test_fay_weights_take_rho_on_the_command_line_and_in_a_spec(wave, tmp_path):
    base = ["topline", "CONC", "--data", str(wave), "--no-nets", "--format", "json"]
    fay = ["--repweights", "REPWT*", "--reptype", "Fay"]
    res = CliRunner().invoke(main, [*base, *fay])
    assert res.exit_code == 1
    assert res.stderr.strip() == (
        "pewlike: error: --reptype Fay needs --rho (Fay's coefficient, e.g. --rho 0.5); it is not guessed"
    )
    got = _json(CliRunner().invoke(main, [*base, *fay, "--rho", "0.3"]))
    want = pw.read(wave, repweights="REPWT*", reptype="Fay", rho=0.3).topline("CONC").to_frame()
    np.testing.assert_allclose(got["std_error"], want["std_error"], rtol=1e-8)
    assert CliRunner().invoke(main, [*base, *fay, "--rho", "1"]).exit_code == 2  # usage: outside [0, 1)

    from pewlike.report.spec import loads

    text = f'[data]\nfile = "{wave.as_posix()}"\nrepweights = "REPWT*"\nreptype = "Fay"\nrho = 0.3\n[[topline]]\nvar = "CONC"\n'
    assert loads(text).data.read_options()["rho"] == 0.3
    with pytest.raises(pw.SpecError, match=r"'rho' must be Fay's coefficient, .* not 1\.5"):
        loads(text.replace("rho = 0.3", "rho = 1.5"))


def test_the_command_lines_choices_are_the_engines():
    # pewlike.cli.design keeps its own copy (the engine's module imports numpy, which --help must not)
    from pewlike.cli.design import LONELY, REPTYPES
    from pewlike.design.structure import LONELY_PSU
    from pewlike.design.structure import REPTYPES as ENGINE_REPTYPES

    assert (REPTYPES, LONELY) == (ENGINE_REPTYPES, LONELY_PSU)
