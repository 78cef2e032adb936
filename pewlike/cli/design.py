"""``--strata``, ``--psu``, ``--fpc``, ``--nest``, ``--lonely-psu``, ``--repweights``, ``--reptype``: a file's design.

The one-shot commands read a file with its weights; a sample with strata and clusters, or
with replicate weights, needs them for its margins of error, as R's ``svydesign(ids=,
strata=)`` and ``svrepdesign(repweights=)``.  The options are kept in the click context, as
``--drop-unweighted`` is, so the commands' signatures stay as they are.  A file whose columns
look like a design the user did not give gets one warning naming the options.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.survey import Survey

__all__ = ["LONELY", "REPTYPES", "design_kwargs", "design_options", "warn_unused_design"]

_F = TypeVar("_F", bound=Callable[..., Any])
_KEY = "pewlike.design"
#: Replicate types, as :func:`pewlike.read` takes them (R ``svrepdesign(type=)``).
REPTYPES = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "SDR")
#: What to do with a stratum of one PSU (R ``options(survey.lonely.psu=)``).
LONELY = ("fail", "remove", "adjust", "average", "certainty")


def _keep(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value not in (None, (), False):
        ctx.meta.setdefault(_KEY, {})[str(param.name)] = value
    return value


def design_options(func: _F) -> _F:
    """Add the design options to a command that reads ``--data``."""
    kept: dict[str, Any] = {"expose_value": False, "callback": _keep}
    options = [
        click.option(
            "--reptype",
            type=click.Choice(REPTYPES),
            help="Kind of the replicate weights (R svrepdesign type=); the file's documentation says which.",
            **kept,
        ),
        click.option(
            "--repweights",
            metavar="COLUMNS",
            help='Replicate weight columns: a pattern such as "REPWT*" or names joined by commas.',
            **kept,
        ),
        click.option(
            "--rho",
            type=click.FloatRange(0, 1, max_open=True),
            help="Fay's coefficient for --reptype Fay (R svrepdesign rho=), e.g. 0.5.",
            **kept,
        ),
        click.option(
            "--lonely-psu",
            "lonely_psu",
            type=click.Choice(LONELY),
            help="A stratum with one PSU: R's survey.lonely.psu (default: fail, naming the stratum).",
            **kept,
        ),
        click.option("--nest", is_flag=True, help="PSU numbers restart in each stratum (R nest=TRUE).", **kept),
        click.option("--fpc", multiple=True, metavar="COLUMN", help="Finite population correction.", **kept),
        click.option("--psu", multiple=True, metavar="COLUMN", help="Clusters (repeat for later stages).", **kept),
        click.option("--strata", metavar="COLUMN", help="Variance strata column (R svydesign strata=).", **kept),
    ]
    for option in options:
        func = option(func)
    return func


def design_kwargs(ctx: click.Context) -> dict[str, Any]:
    """The design the options gave, as :func:`pewlike.read` keywords (empty when none)."""
    given: dict[str, Any] = dict(ctx.meta.get(_KEY, {}))
    out: dict[str, Any] = {}
    if "strata" in given:
        out["strata"] = given["strata"]
    for key in ("psu", "fpc"):
        if key in given:
            cols = list(given[key])
            out[key] = cols[0] if len(cols) == 1 else cols
    if given.get("nest"):
        out["nest"] = True
    if "repweights" in given:
        text = str(given["repweights"])
        out["repweights"] = [c.strip() for c in text.split(",") if c.strip()] if "," in text else text
    for key in ("reptype", "lonely_psu", "rho"):
        if key in given:
            out[key] = given[key]
    return out


def warn_unused_design(svy: Survey) -> None:
    """Warn once when the data's columns look like a design (strata, PSUs) the command was not given."""
    import warnings

    import pandas as pd

    from pewlike.errors import DesignWarning
    from pewlike.report.starter_design import design_columns

    data = svy.data
    if not isinstance(data, pd.DataFrame):  # a partitioned survey: its columns are not looked at here
        return
    found = design_columns(data)
    if found is None:
        return
    given = [(opt, col) for opt, col in (("strata", found.strata), ("psu", found.psu)) if col]
    options = " ".join(f"--{opt} {col}" for opt, col in given)
    named = " and ".join(col for _, col in given)
    verb = "looks" if len(given) == 1 else "look"
    warnings.warn(
        f"{named} {verb} like the sample's design; these margins of error use the weights only: "
        f"add {options}{' --nest' if found.nest else ''} if the file's documentation says so",
        DesignWarning,
        stacklevel=2,
    )
