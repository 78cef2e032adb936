"""Error advice written for Python callers, said again for spec authors and command-line users.

The topic modules' messages advise Python calls (``svy.assign()``, ``pw.Survey(...)``,
``svy.subset(...)``): right in a notebook, wrong in a report spec or a terminal, where the
reader cannot call them.  :func:`for_spec` and :func:`for_cli` rewrite the known advice into
the spec's keys (``[[derive]]``, ``[data] filter``, ``[stack] rename``) or the commands
(``pewlike mean``, ``--filter``).  Pure ``re``: importing this module imports nothing heavy.
"""

from __future__ import annotations

import re

__all__ = ["PYTHON_ADVICE", "for_cli", "for_spec"]

#: A Python call in a message: ``svy.assign(``, ``pw.Survey(``.
PYTHON_ADVICE = re.compile(r"\b(?:svy|pw)\.[A-Za-z_]+\(")

# (pattern, in a spec, on the command line); applied in order
_RULES: tuple[tuple[str, str, str], ...] = (
    (
        r"Build a new Survey \(pw\.Survey\(data, \.\.\.\)\) or use svy\.with_weights\(\) for new weights",
        'give the new variable another name = "..." (the design\'s columns are set in [data])',
        "choose another name (the design's columns are set with --weights)",
    ),
    (
        r"\(svy\.assign\((\w+)=\.\.\.\)\)",
        r'(a [[derive]] with name = "\1")',
        r'(a report spec\'s [[derive]] with name = "\1")',
    ),
    (
        r"use svy\.assign\(\) to derive",
        'use a [[derive]] with expr = "..." to derive',
        'use a report spec\'s [[derive]] with expr = "..." to derive',
    ),
    (
        r"use svy\.mean\(('([^']*)')\) for its average",
        r"use a [[distribution]] item with var = \1 for its distribution",
        r"use `pewlike mean \2` for its average",
    ),
    (
        r"use svy\.topline\(('([^']*)')\) for the share giving each answer",
        r"use a [[topline]] item with var = \1 for the share giving each answer",
        r"use `pewlike topline \2` for the share giving each answer",
    ),
    (
        r"svy\.score\(('([^']*)'), 'codes'\) gives its SPSS codes as numbers",
        r'a [[derive]] with score = {var = \1, map = "codes"} gives its SPSS codes as numbers',
        r"`pewlike mean \2 --codes` averages its SPSS codes",
    ),
    (
        r"or svy\.score\(('([^']*)'), 'codes'\) for its SPSS codes as numbers",
        r'or a [[derive]] with score = {var = \1, map = "codes"} for its SPSS codes as numbers',
        r"or `pewlike mean \2 --codes` for its SPSS codes as numbers",
    ),
    (
        r"use proportion\(('([^']*)')\) for the share of each response",
        r"use a [[topline]] item with var = \1 for the share of each response",
        r"use `pewlike topline \2` for the share of each response",
    ),
    (
        r"svy\.batteries\(\) lists them",
        "`pewlike init FILE` proposes them",
        "one battery name (e.g. PP5) stands for its items; `pewlike init FILE` lists the batteries",
    ),
    (r"\(see svy\.codebook\(\)\)", "(see `pewlike codebook FILE`)", "(see `pewlike codebook FILE`)"),
    (
        r"drop those respondents with svy\.subset\(\.\.\.\)",
        'drop those respondents with [data] filter = "..."',
        "drop those respondents from the data file first",
    ),
    (
        r"stack the waves with pw\.stack\(\{\.\.\.\}\) or name the column with wave=",
        'write the data files as [[data]] tables, each with wave = "..."',
        'write the waves as a report spec\'s [[data]] tables, each with wave = "..."',
    ),
    (
        r"leave the wave out with svy\.subset\((\"[^\"]*\")\) or widen the subset",
        "leave that wave's [[data]] table out, widen the [data] filter, or leave the question out of the "
        "[[trend]] items",
        "leave that wave out of the report spec's [[data]] tables, or widen the --filter",
    ),
    (
        r"leave the wave out with svy\.subset\((\"[^\"]*\")\)",
        "leave that wave's [[data]] table out, or leave the question out of the [[trend]] items",
        "leave that wave out of the report spec's [[data]] tables",
    ),
    (
        r"leave it out of by=, or give that wave's column the name ('[^']*') with pw\.stack\(rename=\.\.\.\)",
        r"leave it out of by, or give that wave's column the name \1 with [stack] rename = {...}",
        r"leave it out of by, or give that wave's column the name \1 with [stack] rename = {...}",
    ),
    (
        r"draw it from svy\.collect\(\)\.weight_summary\(\) or svy\.sample\(frac=[^)]*\)\.weight_summary\(\)",
        "read the data in memory (the report does unless told otherwise)",
        "read the data in memory",
    ),
    (
        r"first \(svy\.rake\(\{\.\.\.\}\)\.weight_summary\(\)\)",
        "first ([weighting] in the spec)",
        "first (`pewlike rake`)",
    ),
    (
        r"Collect the data if they fit in memory \(svy\.collect\(\)\.\w+\(\.\.\.\)\) or work on a random sample "
        r"\(svy\.sample\([^)]*\)\.\w+\(\.\.\.\)\)",
        "read the data in memory",
        "read the data in memory",
    ),
    (
        r"leave it out of one with rename=\{('[^']*'): \{('[^']*'): None\}\}",
        r"give it another name in one wave with [stack] rename = { \1 = { \2 = 'ANOTHER_NAME' } }",
        r"give it another name in one wave with a report spec's [stack] rename",
    ),
    (
        r"map them with recode=\{('[^']*'): \{('[^']*'): (\{.*?\})\}\}, or leave it out with rename=\{'[^']*': \{'[^']*': None\}\}",
        r"map them with [stack] recode = { \1 = { \2 = \3 } } (answer in that wave = answer in the stack), "
        r"or leave the question out of the [[trend]] items",
        r"map them with a report spec's [stack] recode, or leave the question out",
    ),
    (
        r"pass weights=('[^']*') \(or another\), or weights=None for unweighted estimates",
        r"set [data] weights = \1 (or another), or weights = false for unweighted estimates",
        r"give --weights \1 (or another)",
    ),
    (
        r"looks like one: pass weights='([^']*)', or weights=None for unweighted",
        r'looks like one: set [data] weights = "\1", or weights = false for unweighted',
        r"looks like one: give --weights \1",
    ),
    (
        r"Pass weights='<column>', or weights=None for unweighted",
        'Set [data] weights = "<column>", or weights = false for unweighted',
        "Give the weight column with --weights COLUMN",
    ),
    (
        r"\(use svy\.glm or svy\.logit for numeric or binary outcomes\)",
        '(use type = "glm" or "logit" for numeric or binary outcomes)',
        "(use --type glm or --type logit for numeric or binary outcomes)",
    ),
    (r"\(use svy\.logit\)", '(use type = "logit")', "(use --type logit)"),
    (r"Use family='binomial' with", 'Use type = "logit" with', "Use --family binomial with"),
    (r"(or use|or) svy\.ologit\b", r'\1 type = "ologit"', r"\1 --type ologit"),
    (
        r"\(missing_weights='drop' leaves out those without a weight, as for a wave they were not in\)",
        '([data] missing_weights = "drop" leaves out those without a weight, as for a wave they were not in)',
        "(--drop-unweighted leaves out those without a weight, as for a wave they were not in)",
    ),
    (
        r"PSU ids are reused across strata, pass nest=True",
        "PSU ids are reused across strata, set [data] nest = true",
        "PSU ids are reused across strata, add --nest",
    ),
    (
        r"pass lonely_psu='adjust' to centre it on the grand mean, 'average' to use the average of the other "
        r"strata, or 'remove'/'certainty' to drop it",
        'set [data] lonely_psu = "adjust" to centre it on the grand mean, "average" to use the average of the '
        'other strata, or "remove"/"certainty" to drop it',
        "add --lonely-psu adjust to centre it on the grand mean, average to use the average of the other "
        "strata, or remove/certainty to drop it",
    ),
    (
        r"reptype/scale/rscales only apply with repweights=; pass the replicate weight columns",
        "reptype only applies with repweights; give the replicate weight columns in [data] repweights",
        "--reptype only applies with --repweights; give the replicate weight columns",
    ),
    (
        r"replicate weights need reptype=; choose one of",
        "[data] repweights needs reptype; choose one of",
        "--repweights needs --reptype; choose one of",
    ),
    (
        r"repweights=('[^']*') matches no column",
        r"repweights = \1 matches no column",
        r"--repweights \1 matches no column",
    ),
    (
        r"takes no strata, psu or fpc \(they are in the replicate weights\); drop them or drop repweights",
        "takes no strata, psu or fpc (they are in the replicate weights); drop them or drop repweights",
        "takes no --strata, --psu or --fpc (they are in the replicate weights); drop them or drop --repweights",
    ),
    (
        r"reptype='Fay' needs rho= \(Fay's coefficient, e\.g\. rho=0\.5\)",
        'reptype = "Fay" needs rho (Fay\'s coefficient, e.g. [data] rho = 0.5)',
        "--reptype Fay needs --rho (Fay's coefficient, e.g. --rho 0.5)",
    ),
    (r"subset name=", "universe = ", "--universe "),
    (r"svy\.subset\(", "filter = (", "--filter ("),
)
#: ``'a': 'b'`` pairs of a Python dict shown in a message, said as TOML (``'a' = 'b'``).
_TOML_PAIR = re.compile(r"('[^']*'): ('[^']*')")
_COMPILED = tuple((re.compile(p), spec, cli) for p, spec, cli in _RULES)


def for_spec(text: str) -> str:
    """An error message with its Python advice said in spec terms.

    Parameters
    ----------
    text : str
        The message of a :class:`~pewlike.errors.PewlikeError`.

    Returns
    -------
    str

    Examples
    --------
    >>> for_spec("recode: 'AGE' is numeric, with no categories to recode; use svy.assign() to derive a value from it")
    'recode: \\'AGE\\' is numeric, with no categories to recode; use a [[derive]] with expr = "..." to derive a value from it'
    """
    for pattern, spec, _ in _COMPILED:
        text = pattern.sub(spec, text)
    at = text.find("[stack] recode = {")
    return text if at < 0 else text[:at] + _TOML_PAIR.sub(r"\1 = \2", text[at:])


def for_cli(text: str) -> str:
    """An error message with its Python advice said as commands and options.

    Parameters
    ----------
    text : str
        The message of a :class:`~pewlike.errors.PewlikeError`.

    Returns
    -------
    str

    Examples
    --------
    >>> for_cli("topline needs a categorical question but 'AGE' is numeric (float64); use svy.mean('AGE') for its average")
    "topline needs a categorical question but 'AGE' is numeric (float64); use `pewlike mean AGE` for its average"
    """
    for pattern, _, cli in _COMPILED:
        text = pattern.sub(cli, text)
    return text
