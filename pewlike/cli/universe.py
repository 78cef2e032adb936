"""``--filter`` and ``--universe``: the commands' domain options (pandas is imported only when used).

``--filter "F_REG in [1, 2]"`` is read by pewlike's condition language (numbers compared with a
labelled variable are SPSS codes, strings are labels; never evaluated as Python) and keeps
the full design for the variance, as R's ``subset(design, ...)``; ``--universe NAME`` names
the group in the notes ("Among registered voters, n = 2,861").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.survey import Survey

__all__ = ["apply_filter", "check_universe", "cli_message", "filter_options"]

_F = TypeVar("_F", bound=Callable[..., Any])

#: Advice written for Python callers, and what a command-line user should read instead.
_FOR_CLI = (
    ("subset name=", "--universe "),
    ("svy.subset(", "--filter ("),
)


def filter_options(func: _F) -> _F:
    """Add ``--filter CONDITION`` and ``--universe NAME`` to a command."""
    func = click.option(
        "--universe",
        "universe",
        default=None,
        help='Name of the filtered group for the notes, e.g. "Registered voters" (needs --filter).',
    )(func)
    return click.option(
        "--filter",
        "filter_",
        default=None,
        metavar="CONDITION",
        help="Only respondents matching it, e.g. \"F_REG in [1, 2]\" (numbers are SPSS codes, 'text' labels).",
    )(func)


def check_universe(filter_: str | None, universe: str | None, *, spec_filter: bool = False) -> None:
    """Refuse ``--universe`` without a filter to name (bad usage: exit code 2)."""
    if universe is not None and filter_ is None and not spec_filter:
        raise click.UsageError('--universe names the group --filter selects; add --filter "CONDITION"')


def cli_message(exc: Exception) -> str:
    """An error's text with the advice meant for Python callers turned into command-line options.

    Examples
    --------
    >>> cli_message(ValueError("subset name='' is not valid"))
    "--universe '' is not valid"
    """
    text = re.sub(r"use proportion\('([^']*)'\)", r"use `pewlike topline \1`", str(exc))
    for old, new in _FOR_CLI:
        text = text.replace(old, new)
    return text


def apply_filter(svy: Survey, filter_: str | None, universe: str | None) -> Survey:
    """``svy.subset(filter_, name=universe)``, with errors that speak of the options.

    Parameters
    ----------
    svy : Survey
        The survey as loaded.
    filter_ : str or None
        ``--filter``; None keeps every respondent.
    universe : str or None
        ``--universe``.

    Returns
    -------
    Survey

    Raises
    ------
    click.UsageError
        ``--universe`` without ``--filter``.
    PewlikeError
        The filter is not a condition (the column of the error is given), names an
        unknown variable or answer, or matches nobody (the values that exist are listed).
    """
    from pewlike.errors import PewlikeError

    check_universe(filter_, universe)
    if filter_ is None:
        return svy
    from pewlike.report.derive_spec import universe_name

    try:
        return svy.subset(filter_, name=universe_name(universe, filter_, svy.universe))
    except PewlikeError as exc:
        raise type(exc)(f"--filter: {cli_message(exc)}") from None
