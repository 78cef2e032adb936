"""Printable description of a survey design, in the manner of R's ``print(design)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame
    from pewlike.design.structure import Design

__all__ = ["describe_design", "design_kind"]


def design_kind(d: Design) -> str:
    """One line naming the kind of design (cheap: no counting), for result captions.

    Parameters
    ----------
    d : Design
        The design; its variance method names it.

    Returns
    -------
    str
        E.g. ``"Stratified Independent Sampling design"``.

    Notes
    -----
    The first line of R's ``print(design)``.
    """
    return d.variance.label(d)


def describe_design(sf: SurveyFrame) -> str:
    """Describe design type, n, strata/PSUs, weights and replicates.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.

    Returns
    -------
    str
        One line per fact, then the weighting history and the source file.

    Notes
    -----
    As R's ``print(design)`` (``print.survey.design2``, ``print.svyrep.design``).
    """
    d = sf.design
    names = d.names
    dom = d.in_domain
    lines = d.variance.describe(d)
    n_all = d.n_total
    lines.append(f"  n = {int(dom.sum()):,}" + (f" (domain of {n_all:,})" if d.domain is not None else ""))
    w = d.weights[dom]
    if d.weighted:
        lines.append(
            f"  weights: {names.get('weights') or '(computed)'}; min {w.min():.4g}, max {w.max():.4g}, "
            f"sum {w.sum():,.6g}"
        )
    else:
        lines.append("  unweighted (equal weights)")
    for note in sf.history:
        lines.append(f"  {note}")
    if sf.source:
        lines.append(f"  source: {sf.source}")
    return "\n".join(lines)
