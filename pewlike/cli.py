"""The ``pewlike`` command line: parse, call, print.  Nothing statistical here.

Heavy libraries (pandas, matplotlib) are imported inside the commands, so
``pewlike --help`` stays fast.
"""

from __future__ import annotations

import functools
import sys

import click

__all__ = ["main"]


def _user_errors(func):
    """Turn a PewlikeError into one line on stderr and exit code 1 (bugs keep their traceback)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from .errors import PewlikeError

        try:
            return func(*args, **kwargs)
        except PewlikeError as exc:
            click.echo(f"pewlike: error: {exc}", err=True)
            sys.exit(1)

    return wrapper


def _load(data: str | None, weights: str | None):
    from .design import demo, read

    if data is None:
        return demo()
    return read(data, weights=weights or "auto")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pewlike")
def main() -> None:
    """pewlike: survey microdata -> weighted estimates, tables, models and reports.

    Run `pewlike report` to build the report of the bundled synthetic demo
    privacy survey.
    """


@main.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False))
@click.option("--data", "data", type=click.Path(), help="Survey data file (.sav, .dta, .csv, .parquet ...).")
@click.option("--out", "out", type=click.Path(file_okay=False), default="pewlike-report", show_default=True,
              help="Output folder.")
@_user_errors
def report(spec: str | None, data: str | None, out: str) -> None:
    """Build a report; with no arguments, the demo privacy report."""
    from .quickreport import quick_report

    quick_report(_load(data, None), echo=click.echo)


@main.command()
@click.argument("data", required=False, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "md", "json"]), default="table",
              show_default=True, help="Output format.")
@_user_errors
def codebook(data: str | None, fmt: str) -> None:
    """Print the codebook of a data file (default: the demo survey)."""
    from .clifmt import render

    svy = _load(data, None)
    click.echo(render(svy.codebook(), fmt))


@main.command()
@click.argument("var")
@click.option("--data", "data", type=click.Path(), help="Survey data file (default: the demo survey).")
@click.option("--weights", default=None, help="Weight column (default: auto-detect).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "md", "json"]), default="table",
              show_default=True, help="Output format.")
@_user_errors
def topline(var: str, data: str | None, weights: str | None, fmt: str) -> None:
    """Weighted percentages of one question, with its wording."""
    from .clifmt import render

    svy = _load(data, weights)
    res = svy.proportion(var)
    if fmt == "table":
        click.echo(svy.question(var))
    click.echo(render(res.to_frame(), fmt))


if __name__ == "__main__":  # pragma: no cover
    main()
