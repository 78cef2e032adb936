"""``pewlike mean VAR [--by VAR ...]``: weighted means with design-based standard errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from pewlike.cli import _data_options, _emit, _format_option, _load, _user_errors
from pewlike.cli.universe import apply_filter, cli_message, filter_options

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.cli.format import OutputFormat

__all__ = ["mean"]


@click.command()
@click.argument("var")
@click.option("--by", "by", multiple=True, help="Group to break the mean down by (repeatable: groups crossed).")
@_data_options
@filter_options
@click.option("--level", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.95, show_default=True)
@click.option(
    "--codes",
    is_flag=True,
    help="Average the SPSS codes of a labelled VAR (a 0-10 scale labelled at its ends, say).",
)
@_format_option
@_user_errors
def mean(
    var: str,
    by: tuple[str, ...],
    data: str | None,
    weights: str | None,
    filter_: str | None,
    universe: str | None,
    level: float,
    codes: bool,
    fmt: OutputFormat,
) -> None:
    """Weighted mean of a numeric VAR (overall or by groups), with SE, CI, design effect and N.

    As R's svymean / svyby(~VAR, ~BY, design, svymean).  Missing values and
    Refused/Don't know codes are left out.  With --codes, the mean of a labelled
    question's codes, as svymean(~as.numeric(zap_missing(VAR))) on a haven file.
    """
    from pewlike.errors import PewlikeError

    svy = apply_filter(_load(data, weights), filter_, universe)
    try:
        col = svy.column(var)
        if codes and svy._codebook.variables[col].kind != "numeric":  # not the whole codebook table
            var = f"{col}_codes"  # a new column: each answer scored by its code
            svy = svy.score(col, "codes", name=var)
        result = svy.mean(var, by=list(by) or None, level=level)
    except PewlikeError as exc:
        raise type(exc)(cli_message(exc)) from None
    text = result.summary()
    if svy.universe:
        from pewlike.report.universe import among

        text = f"{among(svy.universe, svy.n)}.\n{text}"
    _emit(result.to_frame(), fmt, text)
