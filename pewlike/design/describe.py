"""Printable description of a survey design, in the manner of R's ``print(design)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame

__all__ = ["describe_design", "design_kind"]


def design_kind(d) -> str:
    """One line naming the kind of design (cheap: no counting), for result captions."""
    return d.variance.label(d)


def describe_design(sf: SurveyFrame) -> str:
    """Describe design type, n, strata/PSUs, weights and replicates (R ``print(design)``)."""
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
