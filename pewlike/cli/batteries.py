"""``pewlike select-all``: a select-all battery's shares from the command line (#14).

Registered on :data:`pewlike.cli.main`; like the other commands it parses, calls
:meth:`pewlike.Survey.select_all` and prints (pandas is imported by the verbs only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import click

from pewlike.cli import _data_options, _emit, _format_option, _load, _user_errors

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.cli.format import OutputFormat
    from pewlike.survey import Survey

__all__ = ["select_all"]


def _expand(svy: Survey, items: tuple[str, ...]) -> list[str]:
    """One name that is a battery's stem (``PP5``) stands for its items; else the items as given."""
    if len(items) != 1:
        return list(items)
    from pewlike.estimation.indicators import item_stem
    from pewlike.io.codebook import base_name

    wanted = base_name(items[0]).rstrip("_")
    for battery in svy.batteries():
        if item_stem(battery[0]) == wanted:
            return battery
    return list(items)


@click.command("select-all")
@click.argument("items", nargs=-1, required=True)
@click.option("--by", "by", multiple=True, help="Group variable (repeatable): one table per group, with letters.")
@_data_options
@click.option(
    "--base",
    type=click.Choice(["asked", "all"]),
    default="asked",
    show_default=True,
    help="asked: those who answered the battery; all: every respondent.",
)
@click.option("--sort", type=click.Choice(["asked", "share"]), default="share", show_default=True, help="Item order.")
@_format_option
@_user_errors
def select_all(
    items: tuple[str, ...],
    by: tuple[str, ...],
    data: str | None,
    weights: str | None,
    base: Literal["asked", "all"],
    sort: Literal["asked", "share"],
    fmt: OutputFormat,
) -> None:
    """Share selecting each item of a select-all battery, NET Any and None of these.

    ITEMS are the battery's columns (PP5a PP5b ...), or one battery name such as PP5
    or SMUSE for SMUSE_a SMUSE_b ... (`pewlike codebook` lists the columns; batteries
    are found from their names and Selected / Not selected labels).
    """
    import pandas as pd

    from pewlike.estimation.results import _frame_text

    svy = _load(data, weights)
    cols = _expand(svy, items)
    results = [svy.select_all(cols, base=base, sort=sort, by=b) for b in (by or (None,))]
    texts = []
    for res in results:
        doc = res.table()
        texts.append("\n".join([doc.title, "", _frame_text(doc.frame), "", *doc.notes]))
    frame = (
        results[0].to_frame()
        if len(results) == 1
        else pd.concat(
            [r.to_frame().rename(columns={r.by[0]: "group"}).assign(by=r.by[0]) for r in results], ignore_index=True
        )
    )
    _emit(frame, fmt, "\n\n".join(texts))
