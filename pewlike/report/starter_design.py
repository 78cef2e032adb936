"""What ``pewlike init`` says of a file's sampling design: strata and PSU columns it recognises.

Surveys with a complex sample publish their design as columns (GSS ``VSTRAT`` / ``VPSU``,
NHANES ``SDMVSTRA`` / ``SDMVPSU``, BRFSS ``_STSTR`` / ``_PSU``, NHIS ``PSTRAT`` / ``PPSU``).
A starter spec that ignores them gives margins of error as if the sample were a simple one.
The names do not prove a design, so the starter only proposes them, as comments under
``weights`` that the user uncomments (:func:`design_comment`), and says so when it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pewlike.io.tomltext import toml_string as _q

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "PSU_NAMES",
    "STRATA_NAMES",
    "DesignColumns",
    "design_columns",
    "design_comment",
    "design_seen",
    "design_why",
]

#: Names (compared case-blind) under which surveys publish their variance strata.
STRATA_NAMES = frozenset(
    ("strata", "stratum", "strat", "vstrat", "vstratum", "sdmvstra", "varstr", "vestr", "pstrat", "_ststr", "ststr")
)
#: ... and their primary sampling units (first-stage clusters).
PSU_NAMES = frozenset(("psu", "vpsu", "sdmvpsu", "varpsu", "secu", "ppsu", "_psu", "cluster", "psu_id", "cluster_id"))


@dataclass(frozen=True)
class DesignColumns:
    """Strata and PSU columns a file seems to have, and what they need.

    Attributes
    ----------
    strata, psu : str or None
        The columns found (at least one of them).
    nest : bool
        Some PSU number is used in more than one stratum: the PSUs are numbered within
        each stratum, so the design needs ``nest = true`` (R's ``svydesign(nest=TRUE)``).
    lonely : int
        Strata with a single PSU (R stops on them unless ``options(survey.lonely.psu=)``
        says otherwise; the spec's ``lonely_psu``).
    """

    strata: str | None
    psu: str | None
    nest: bool = False
    lonely: int = 0


def _named(columns: list[str], names: frozenset[str]) -> str | None:
    return next((c for c in columns if c.casefold() in names), None)


def design_columns(data: pd.DataFrame) -> DesignColumns | None:
    """The strata and PSU columns of ``data``, recognised by their names; None when there are none.

    Parameters
    ----------
    data : pandas.DataFrame
        The survey's data.

    Returns
    -------
    DesignColumns or None

    Notes
    -----
    No R equivalent: ``svydesign(ids=, strata=)`` is always given by hand.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"VSTRAT": [1, 1, 2, 2, 3], "VPSU": [1, 2, 1, 2, 1], "Q": 1})
    >>> design_columns(d)
    DesignColumns(strata='VSTRAT', psu='VPSU', nest=True, lonely=1)
    """
    columns = [str(c) for c in data.columns]
    strata, psu = _named(columns, STRATA_NAMES), _named(columns, PSU_NAMES)
    if strata is None and psu is None:
        return None
    if strata is None or psu is None:
        return DesignColumns(strata, psu)
    pairs = data[[strata, psu]].dropna().drop_duplicates()
    per_psu = pairs.groupby(psu, observed=True)[strata].nunique()
    per_stratum = pairs.groupby(strata, observed=True)[psu].nunique()
    nest = bool((per_psu > 1).any())
    # with nest, a stratum's PSUs are its distinct numbers; without, a PSU in two strata is an error anyway
    return DesignColumns(strata, psu, nest=nest, lonely=int((per_stratum == 1).sum()))


def _named_list(found: DesignColumns) -> tuple[str, int]:
    named = [f"{c} ({what})" for c, what in ((found.strata, "strata"), (found.psu, "PSUs")) if c]
    return " and ".join(named), len(named)


def design_seen(found: DesignColumns) -> str:
    """What the columns ``found`` look like, said where the design is not used (a starter report).

    Examples
    --------
    >>> design_seen(DesignColumns("VSTRAT", "VPSU"))
    "VSTRAT (strata) and VPSU (PSUs) look like the sample's design"
    """
    named, count = _named_list(found)
    return f"{named} {'looks' if count == 1 else 'look'} like the sample's design"


def design_why(found: DesignColumns) -> str:
    """The line ``pewlike init`` prints about the design columns ``found``.

    Parameters
    ----------
    found : DesignColumns

    Returns
    -------
    str

    Examples
    --------
    >>> design_why(DesignColumns(None, "SECU"))
    "design: SECU (PSUs) looks like the sample's; the spec says how to use it (margins of error ignore it until then)"
    """
    named, count = _named_list(found)
    verb, it = ("looks", "it") if count == 1 else ("look", "them")
    return f"design: {named} {verb} like the sample's; the spec says how to use {it} (margins of error ignore {it} until then)"


def design_comment(found: DesignColumns) -> list[str]:
    """Comment lines of a starter spec's ``[data]``: how to use the design columns ``found``.

    Parameters
    ----------
    found : DesignColumns

    Returns
    -------
    list of str
        Lines each starting with ``#``, a key the user uncomments on each.

    Examples
    --------
    >>> for line in design_comment(DesignColumns("VSTRAT", "VPSU", nest=True)):
    ...     print(line)
    # VSTRAT (strata) and VPSU (PSUs) look like the sample's design; margins of error
    # ignore it until you uncomment these (the file's documentation says which columns to use):
    # strata = "VSTRAT"
    # psu = "VPSU"
    # nest = true  # PSU numbers restart in each stratum
    """
    named, count = _named_list(found)
    lines = [
        f"# {named} look{'s' if count == 1 else ''} like the sample's design; margins of error",
        "# ignore it until you uncomment these (the file's documentation says which columns to use):",
    ]
    lines += [f"# {key} = {_q(c)}" for key, c in (("strata", found.strata), ("psu", found.psu)) if c]
    if found.nest:
        lines.append("# nest = true  # PSU numbers restart in each stratum")
    if found.lonely:
        lines.append(
            f'# lonely_psu = "adjust"  # {found.lonely:,} {"strata have" if found.lonely > 1 else "stratum has"} '
            "one PSU (or remove, average, certainty)"
        )
    return lines
