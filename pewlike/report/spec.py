"""The report spec: a TOML file (stdlib ``tomllib``) read into frozen dataclasses.

Every error names its place in the file, the bad value and what is allowed::

    report.toml: [[crosstab]] #2: unknown key 'colum'; expected one of: var, by, base, ...

A spec looks like this (all tables but ``[data]`` are optional)::

    title = "Americans and privacy"
    [data]
    file = "ATP W49.sav"            # relative to the spec; "pewlike:demo" is the bundled demo
    weights = "auto"                # a column, "auto", or false for unweighted
    ordinal = ["Q7"]                # declare answer scales the labels do not reveal
    nominal = ["F_IDEO"]            # or undo one (see Survey.set_scale)
    [output]
    dir = "pewlike-report"
    formats = ["html", "md", "csv", "xlsx", "png", "svg"]
    formula_guard = true            # CSV text that a spreadsheet would run (=, +, -, @) gets a leading '
    [defaults]
    by = ["F_AGECAT", "F_SEX"]      # demographics crossed when a crosstab gives no `by`
    [[section]]
    id = "concern"
    title = "Concern"
    [[topline]]
    var = "CONCERNCO"
    section = "concern"
    [[crosstab]]
    var = "CONCERNCO"
    section = "concern"
    [[model]]
    name = "concern_logit"
    type = "logit"
    formula = "CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ F_AGECAT + F_SEX"
    [[distribution]]                # a numeric variable: weighted histogram and box plot
    var = "AGE"
    by = ["F_SEX"]                  # optional: one panel and one box per group
    chart = "both"                  # or "hist", "box"
    bins = "sturges"                # or a number of bins, or the edges [18, 30, 50, 65, 99]

Variable names are checked against the data by :func:`pewlike.report.build.build`
before anything is written.

Several waves are ``[[data]]`` tables, each with ``wave = "..."``, with ``[stack]`` options and
``[[trend]]`` items; see :mod:`pewlike.report.trend_spec`.
"""

from __future__ import annotations

import os
from pathlib import Path

from pewlike.errors import SpecError
from pewlike.report.schema import (
    DEMO_DATA,
    FORMATS,
    CompareItem,
    CrosstabItem,
    DataSpec,
    Defaults,
    DistributionItem,
    ModelItem,
    OutputSpec,
    Section,
    Spec,
    ToplineItem,
    WeightingSpec,
)
from pewlike.report.specparse import parse

__all__ = [
    "DEMO_DATA",
    "FORMATS",
    "CompareItem",
    "CrosstabItem",
    "DataSpec",
    "Defaults",
    "DistributionItem",
    "ModelItem",
    "OutputSpec",
    "Section",
    "Spec",
    "ToplineItem",
    "WeightingSpec",
    "load",
    "loads",
]


def loads(text: str, *, label: str = "report.toml", path: str | None = None) -> Spec:
    """Parse and validate a spec from TOML text.

    Parameters
    ----------
    text : str
        The TOML document.
    label : str
        Its name in error messages.
    path : str, optional
        The spec file; relative data paths are read from its folder.

    Returns
    -------
    Spec

    Raises
    ------
    SpecError
        Syntax errors (with line and column), nesting deeper than 50 levels, unknown
        keys, wrong types or values, dangling section references, duplicate output names.

    Examples
    --------
    >>> spec = loads('[data]\\nfile = "pewlike:demo"\\n[[topline]]\\nvar = "CONCERNCO"\\n')
    >>> spec.title, [s.id for s in spec.sections], spec.toplines[0].name
    ('Survey report', ['toplines'], 'topline_CONCERNCO')
    """
    from pewlike.io.tomltext import parse_toml

    raw = parse_toml(text, label=label, error=SpecError)
    return parse(raw, label=label, path=path)


def load(path: str | os.PathLike[str]) -> Spec:
    """Read a spec file (see :func:`loads`).

    Parameters
    ----------
    path : str or path-like
        A TOML file (UTF-8).

    Returns
    -------
    Spec

    Raises
    ------
    SpecError
        The file is missing, unreadable, not a regular file (a FIFO, ``/dev/zero``),
        larger than 10 MB, not UTF-8, or the spec is invalid.

    Examples
    --------
    >>> spec = load("report.toml")  # doctest: +SKIP
    """
    from pewlike.io.paths import read_small_text

    p = Path(path)
    try:
        text = read_small_text(p, what="spec file", error=SpecError)
    except FileNotFoundError:
        raise SpecError(
            f"spec file {str(p)!r} not found; check the path, or run `pewlike init DATA.sav` to write one"
        ) from None
    return loads(text, label=p.name, path=str(p))
