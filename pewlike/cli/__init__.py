"""The ``pewlike`` command line: parse, call, print.  Nothing statistical here.

Heavy libraries (pandas, matplotlib) are imported inside the commands, so
``pewlike --help`` stays fast.  User errors (a :class:`~pewlike.errors.PewlikeError`)
print one line and exit 1; bad usage exits 2 (click); bugs keep their traceback.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar

import click

from pewlike.cli.design import design_kwargs, design_options, warn_unused_design
from pewlike.cli.universe import apply_filter, check_universe, filter_options

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.cli.format import OutputFormat
    from pewlike.report.schema import Spec
    from pewlike.survey import Base, Family, Survey

__all__ = ["main", "run"]

FORMATS = ["table", "csv", "md", "json"]

_P = ParamSpec("_P")
_R = TypeVar("_R")
_F = TypeVar("_F", bound=Callable[..., Any])


def _user_errors(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn a PewlikeError into one line on stderr and exit code 1 (bugs keep their traceback).

    pewlike's warnings are one line each while the command runs (:func:`_one_line_warnings`).
    """

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        from pewlike.errors import PewlikeError

        try:
            with _one_line_warnings():
                return func(*args, **kwargs)
        except PewlikeError as exc:
            from pewlike.report.advice import for_cli  # Python advice said as commands and options

            _say(f"pewlike: error: {for_cli(str(exc))}", err=True)
            sys.exit(1)

    return wrapper


def _home(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback: a path option with a leading ``~`` expanded (``--out=~/rep`` is not expanded by the shell)."""
    import os

    return None if value is None else os.path.expanduser(value)


def _refuse_same(output: str, what: str, inputs: dict[str, str | None]) -> None:
    """Refuse an output file that is one of the command's inputs (resolved paths, or the same file on disk)."""
    from pewlike.errors import PewlikeError
    from pewlike.report.outdir import same_file

    for name, path in inputs.items():
        if path is not None and same_file(output, path):
            raise PewlikeError(
                f"{what} {output!r} is the {name} {path!r}, which would be overwritten; choose another {what}"
            )


def _say(text: str, *, err: bool = False) -> None:
    """Print a line: labels and file names come from strangers, so no escape sequence gets through."""
    from pewlike.textsafe import terminal_text

    click.echo(terminal_text(text), err=err)


def _load(data: str | None, weights: str | None) -> Survey:
    from pewlike.loading import demo, read

    ctx = click.get_current_context()
    design = design_kwargs(ctx)  # --strata, --psu, ... (pewlike.cli.design)
    if data is None:
        if design:
            raise click.UsageError(
                "--strata, --psu, --fpc, --nest, --lonely-psu, --repweights, --reptype and --rho describe a data file; add --data FILE"
            )
        return demo()
    drop = ctx.meta.get("pewlike.drop_unweighted", False)  # --drop-unweighted
    svy = read(  # probe: a file that crashes the reader is an error, not the end of the process
        data, weights=weights or "auto", probe=True, missing_weights="drop" if drop else "error", **design
    )
    if not design:
        warn_unused_design(svy)
    return svy


def _format_option(func: _F) -> _F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="table: readable text; csv, md, json: the estimates for pipes.",
    )(func)


def _keep_flag(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta["pewlike.drop_unweighted"] = value  # read by _load; the commands' signatures stay as they are
    return value


def _data_file_option(dest: str, text: str) -> Callable[[_F], _F]:
    """``--data FILE`` (``~`` expanded), stored as ``dest``: one definition for every command that reads a file."""
    return click.option("--data", dest, type=click.Path(dir_okay=False), callback=_home, help=text)


def _data_options(func: _F) -> _F:
    func = click.option(
        "--drop-unweighted",
        is_flag=True,
        expose_value=False,
        callback=_keep_flag,
        help="Leave out respondents whose weight is blank (a wave they were not in).",
    )(func)
    func = design_options(func)
    func = click.option("--weights", default=None, help="Weight column (default: auto-detect).")(func)
    return _data_file_option("data", "Survey data file (default: the bundled demo survey).")(func)


def _emit(frame: pd.DataFrame, fmt: OutputFormat, text: str | None = None) -> None:
    """Readable text for the terminal, or the frame as csv/md/json."""
    from pewlike.cli.format import render

    _say(text if fmt == "table" and text is not None else render(frame, fmt))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pewlike")
@_user_errors
def main() -> None:
    """pewlike: survey microdata -> weighted estimates, tables, models and reports.

    Run `pewlike report` to build the report of the bundled synthetic demo
    privacy survey into ./pewlike-report/.
    """
    from pewlike.io.epoch import source_date_epoch

    source_date_epoch()  # an invalid SOURCE_DATE_EPOCH is one line here, not a traceback from NumPy's import


def run() -> None:
    """Console entry point: :func:`main`, then a quick exit where nothing needs the teardown.

    ``pewlike topline`` and the like, and ``pewlike report`` once its workers have ended,
    skip the interpreter's teardown once their output is flushed (see
    :mod:`pewlike.cli.quickexit`); every other command exits normally.
    """
    try:
        main()
    except SystemExit as stop:
        from pewlike.cli.quickexit import leave

        leave(stop.code)
        raise


@main.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False), callback=_home)
@_data_file_option("data", "Data file; replaces the spec's [data] file (without SPEC: a starter report of this file).")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False),
    callback=_home,
    default=None,
    help="Output folder (default: the spec's [output] dir, in the spec's folder; ./pewlike-report).",
)
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Processes drawing figures (default: up to 2).")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@click.option("--no-cache", is_flag=True, help="Draw every figure (do not reuse figures from earlier builds).")
@filter_options
@_user_errors
def report(
    spec: str | None,
    data: str | None,
    out: str | None,
    jobs: int | None,
    quiet: bool,
    no_cache: bool = False,
    filter_: str | None = None,
    universe: str | None = None,
) -> None:
    """Build a report: toplines, crosstabs, models and charts.

    With no arguments, the demo privacy report.  SPEC is a TOML file (write a
    starter with `pewlike init DATA.sav`).  The report goes to a temporary
    folder first: a failed build leaves the previous report untouched.  A
    rebuild replaces only the files pewlike wrote; files you added are kept.

    The spec format (every key, with a complete annotated example) is in the
    README section "The report spec"; `pewlike init DATA.sav` writes a
    commented starter spec.
    Figures drawn before are reused from the user cache folder (see README).
    """
    from pewlike.report.build import build

    if spec is not None:
        from pewlike.io.probe import probe_file
        from pewlike.report.spec import DEMO_DATA, load

        spec_obj = load(spec)
        path = data or spec_obj.data_path()
        if path != DEMO_DATA:
            probe_file(path)  # before the build reads it in this process
    elif data is not None:
        spec_obj = _starter(data)
        data = None
    else:
        from pewlike.report.demo import demo_spec

        spec_obj = demo_spec()
    if filter_ is not None or universe is not None:  # --filter/--universe replace the spec's [data] ones
        from pewlike.report.specdata import with_universe

        check_universe(filter_, universe, spec_filter=spec_obj.data.filter is not None)
        spec_obj = with_universe(spec_obj, filter_, universe)
    echo = (lambda msg: None) if quiet else (lambda msg: _say(msg, err=True))
    result = build(spec_obj, out=out, data=data, echo=echo, jobs=jobs, cache=not no_cache)
    _say(result.summary())


@contextlib.contextmanager
def _one_line_warnings() -> Iterator[None]:
    """Show pewlike's warnings as one line on stderr (``pewlike: warning: ...``); others as usual.

    The previous ``warnings.showwarning`` is back when the block ends.
    """
    import warnings

    from pewlike.errors import PewlikeWarning

    shown = warnings.showwarning

    def show(
        message: Any, category: type[Warning], filename: str, lineno: int, file: Any = None, line: Any = None
    ) -> None:
        if issubclass(category, PewlikeWarning):
            from pewlike.report.advice import for_cli  # Python advice said as commands and options

            _say(f"pewlike: warning: {for_cli(str(message))}", err=True)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown


def _starter(data: str) -> Spec:
    import dataclasses

    from pewlike.report.spec import loads
    from pewlike.report.starter import file_starter

    made = file_starter(data)
    if made.weight_like:  # an unweighted report of a file with a column named like a weight
        _say(
            f"pewlike: note: no column named WEIGHT_W<n> or weight, so the report is unweighted; "
            f"{made.weight_like} looks like one: write a spec with `pewlike init DATA` and set "
            f'[data] weights = "{made.weight_like}" in it',
            err=True,
        )
    for seen in made.unused_design:  # a design the file seems to have, which a starter report does not use
        _say(
            f"pewlike: note: {seen}; the report's margins of error ignore them: write a spec "
            f"with `pewlike init DATA` and uncomment its design keys",
            err=True,
        )
    if made.left_out:
        _say(
            f"pewlike: note: the report covers the first {made.questions:,} questions; "
            f"{made.left_out:,} more were left out (write a spec with `pewlike init --max-items N` to include them)",
            err=True,
        )
    # pewlike wrote this spec, not the user: an item the file cannot give is reported in its place
    return dataclasses.replace(loads(made.text, label=f"starter spec for {data}"), keep_going=True)


def _homes(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    """Click callback: several paths with a leading ``~`` expanded."""
    import os

    return tuple(os.path.expanduser(v) for v in value)


@main.command()
@click.argument("data", nargs=-1, required=True, type=click.Path(dir_okay=False), callback=_homes)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False),
    callback=_home,
    default="report.toml",
    show_default=True,
    help="Spec file to write.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing spec file.")
@click.option(
    "--max-items",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Most questions in the spec (each gets a topline and a crosstab); the rest are counted, not written.",
)
@_user_errors
def init(data: tuple[str, ...], output: str, force: bool, max_items: int) -> None:
    """Write a starter report spec for DATA from its codebook.

    It picks the answer scales (recognised from their labels), the yes/no items
    and the other labelled questions with 2-12 answers (up to --max-items, in the
    file's order), a distribution of each numeric question (ten or more
    different answers: hours, a 0-100 thermometer; up to six), the standard
    demographics found (F_AGECAT, F_SEX or F_GENDER, F_EDUCCAT, F_RACETHN,
    F_PARTYSUM_FINAL, F_INC...; without F_ variables, sex, recage, educ, race,
    party ... as other surveys name them) and the weight
    (of several, the latest wave's that every respondent has; respondents whose
    weight is blank are left out), the select-all batteries and the questions
    sharing a scale (as grids), proposes in comments the strata and PSU columns it
    recognises (VSTRAT/VPSU, SDMVSTRA/SDMVPSU ...), says what it chose and why, and writes a spec in
    which every key is explained; edit it and run `pewlike report SPEC`.
    Given several files (waves, in time order), it proposes the questions they
    share as trends.
    """
    import os
    from pathlib import Path

    from pewlike.errors import PewlikeError
    from pewlike.report.starter import file_starter, read_for_starter

    seen: dict[Path, str] = {}
    for path in data:
        _refuse_same(output, "--output", {"data file": path})
        key = Path(path).expanduser().resolve()  # a wave against itself is no trend
        if key in seen:
            same = "" if seen[key] == path else f" (as {seen[key]!r})"
            raise PewlikeError(f"{path!r} is given twice{same}; give each wave's file once, in time order")
        seen[key] = path
    target = Path(output)
    if target.exists() and not force:
        raise PewlikeError(f"{output!r} exists; pass --force to overwrite it or choose another --output")
    if len(data) > 1:
        from pewlike.report.trend_starter import waves_starter

        read = [read_for_starter(p) for p in data]
        made = waves_starter(
            [svy for svy, _ in read], list(data), spec_path=output, weight_whys=[why for _, why in read]
        )
    else:
        made = file_starter(data[0], spec_path=output, max_items=max_items)
    text = made.text
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        raise PewlikeError(f"cannot write {output!r}: {exc.strerror or exc}") from None
    if made.left_out and len(data) > 1:
        _say(
            f"pewlike: note: {made.left_out:,} shared question(s) have different answers; see the spec's comment",
            err=True,
        )
    elif made.left_out:
        _say(
            f"pewlike: note: {made.left_out:,} more questions were left out (the spec has the first "
            f"{made.questions:,}); include them with --max-items {made.questions + made.left_out}",
            err=True,
        )
    for line in made.choices:  # what was chosen and why (#11)
        _say(f"  {line}")
    _say(f"Wrote {output}. Build the report with: pewlike report {output}")


@main.command()
@click.argument("data", required=False, type=click.Path(dir_okay=False), callback=_home)
@_data_file_option("data_option", "The data file, as the other commands take it (or give it as the argument).")
@_format_option
@_user_errors
def codebook(data: str | None, data_option: str | None, fmt: OutputFormat) -> None:
    """Print the codebook of a data file (default: the demo survey)."""
    if data is not None and data_option is not None and data != data_option:
        raise click.UsageError(f"two data files given ({data} and --data {data_option}); give one")
    data = data or data_option
    if data is None:
        svy = _load(None, None)
    else:  # a codebook needs no weight: a file with none, or several, is read as it is
        from pewlike.loading import read

        svy = read(data, weights=None, probe=True)
    _emit(svy.codebook(), fmt)


@main.command()
@click.argument("var")
@_data_options
@click.option(
    "--base",
    type=click.Choice(["valid", "all"]),
    default="valid",
    show_default=True,
    help="all: show Refused/Don't know rows.",
)
@click.option("--nets/--no-nets", default=True, show_default=True, help="Top-two / bottom-two nets of 4-point scales.")
@filter_options
@_format_option
@_user_errors
def topline(
    var: str,
    data: str | None,
    weights: str | None,
    base: Base,
    nets: bool,
    fmt: OutputFormat,
    filter_: str | None = None,
    universe: str | None = None,
) -> None:
    """Weighted percentages of one question, with its wording, N and margin of error."""
    from pewlike.estimation.results import _frame_text

    t = apply_filter(_load(data, weights), filter_, universe).topline(var, base=base, nets="auto" if nets else None)
    doc = t.table()
    text = "\n".join([t.question, "", _frame_text(doc.frame), "", *doc.notes])
    _emit(t.to_frame(), fmt, text)


@main.command()
@click.argument("var")
@click.option("--by", "by", multiple=True, required=True, help="Demographic to break down by (repeatable).")
@_data_options
@click.option("--base", type=click.Choice(["valid", "all"]), default="valid", show_default=True)
@click.option(
    "--min-n",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="Columns with fewer respondents are flagged and not tested.",
)
@click.option(
    "--adjust",
    type=click.Choice(["holm", "bonferroni", "none"]),
    default="holm",
    show_default=True,
    help="Multiplicity adjustment of the significance letters.",
)
@click.option("--ci", is_flag=True, help="Show each cell's 95% confidence interval.")
@filter_options
@_format_option
@_user_errors
def crosstab(
    var: str,
    by: tuple[str, ...],
    data: str | None,
    weights: str | None,
    base: Base,
    min_n: int,
    adjust: Literal["holm", "bonferroni", "none"],
    ci: bool,
    fmt: OutputFormat,
    filter_: str | None = None,
    universe: str | None = None,
) -> None:
    """Column percentages of VAR by one or more demographics, with significance letters."""
    import pandas as pd

    from pewlike.estimation.results import _frame_text
    from pewlike.tables import banner

    svy = apply_filter(_load(data, weights), filter_, universe)
    tabs = [svy.crosstab(var, b, base=base, nets="auto", min_n=min_n, adjust=adjust) for b in by]
    doc = banner(tabs, ci=ci)
    text = "\n".join([doc.title, "", _frame_text(doc.frame), "", *doc.notes])
    frame = (
        tabs[0].to_frame()
        if len(tabs) == 1
        else pd.concat([t.to_frame().rename(columns={t.by: "group"}).assign(by=t.by) for t in tabs], ignore_index=True)
    )
    _emit(frame, fmt, text)


@main.command()
@click.argument("formula")
@_data_options
@click.option("--type", "kind", type=click.Choice(["logit", "ologit", "glm"]), default="logit", show_default=True)
@click.option(
    "--family",
    type=click.Choice(["gaussian", "binomial", "poisson"]),
    default="gaussian",
    show_default=True,
    help="For --type glm.",
)
@click.option(
    "--max-columns",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Most coefficients the model may have (bigger models are refused before they are built).",
)
@click.option(
    "--max-order", type=click.IntRange(min=1), default=5, show_default=True, help="Most variables in an interaction."
)
@filter_options
@_format_option
@_user_errors
def model(
    formula: str,
    data: str | None,
    weights: str | None,
    kind: Literal["logit", "ologit", "glm"],
    family: Family,
    max_columns: int,
    max_order: int,
    fmt: OutputFormat,
    filter_: str | None = None,
    universe: str | None = None,
) -> None:
    """Fit a design-based model (logit, ordinal logit or GLM) and print it.

    FORMULA names columns, e.g. "CONCERNCO in ['Very concerned'] ~ F_AGECAT + F_SEX".
    """
    svy = apply_filter(_load(data, weights), filter_, universe)
    limits = {"max_columns": max_columns, "max_order": max_order}
    fit = svy.glm(formula, family=family, **limits) if kind == "glm" else getattr(svy, kind)(formula, **limits)
    _emit(fit.to_frame(), fmt, fit.summary())


@main.command()
@click.argument("targets", type=click.Path(dir_okay=False), callback=_home)
@_data_options
@click.option(
    "--save",
    "save",
    type=click.Path(dir_okay=False),
    callback=_home,
    default=None,
    help="Write the data with the new weights (.sav or .parquet).",
)
@_format_option
@_user_errors
def rake(targets: str, data: str | None, weights: str | None, save: str | None, fmt: OutputFormat) -> None:
    """Rake the weights to the margins in TARGETS and show the result.

    TARGETS is a TOML file of shares (or totals) per category, e.g.

      F_SEX = {Male = 0.48, Female = 0.52}
    """
    from pewlike.errors import SpecError
    from pewlike.io.paths import read_small_text
    from pewlike.io.tomltext import parse_toml

    if save:
        _refuse_same(save, "--save", {"data file": data, "targets file": targets})
    try:
        text = read_small_text(targets, what="targets file", error=SpecError)
    except FileNotFoundError:
        raise SpecError(f"targets file {targets!r} not found") from None
    margins = parse_toml(text, label=targets, error=SpecError)
    raked = _load(data, weights).rake(margins)
    summary = raked.weight_summary()
    if save:
        (raked.to_parquet if save.endswith(".parquet") else raked.to_sav)(save)
    _emit(summary.to_frame(), fmt, summary.summary() + (f"\nWrote {save}" if save else ""))


from pewlike.cli.mean import mean as _mean  # noqa: E402  (registered last: it uses the helpers above)

main.add_command(_mean)

from pewlike.cli.batteries import select_all  # noqa: E402  (a command of its own module, #14)

main.add_command(select_all)
