"""Printable description of a survey design, in the manner of R's ``print(design)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame

__all__ = ["describe_design", "design_kind"]

_REPNAMES = {
    "JK1": "Unstratified cluster jacknife (JK1)",
    "JKn": "Stratified cluster jackknife (JKn)",
    "BRR": "Balanced Repeated Replicates (BRR)",
    "Fay": "Fay's variant of BRR",
    "bootstrap": "Bootstrap",
    "SDR": "Successive difference replicates (SDR)",
}


def design_kind(d) -> str:
    """One line naming the kind of design (cheap: no counting), for result captions."""
    if d.is_replicate:
        return f"{_REPNAMES.get(d.reptype, d.reptype)} with {d.repweights.shape[1]} replicates"
    names = d.names
    kind = (
        "Independent Sampling design"
        if not names.get("psu")
        else f"{d.clusters.shape[1]} - level Cluster Sampling design"
    )
    if names.get("strata"):
        kind = "Stratified " + kind
    return kind + (" (with replacement)" if d.popsize is None else "")


def describe_design(sf: SurveyFrame) -> str:
    """Describe design type, n, strata/PSUs, weights and replicates (R ``print(design)``)."""
    d = sf.design
    names = d.names
    dom = d.in_domain
    lines = []
    if d.is_replicate:
        lines.append(
            f"Replicate-weight design: {_REPNAMES.get(d.reptype, d.reptype)} with "
            f"{d.repweights.shape[1]} replicates{' (MSE)' if d.mse else ''}"
        )
        lines.append(f"  scale {d.scale:.6g}; replicate columns {names['repweights'][0]} .. {names['repweights'][-1]}")
    else:
        stages = d.clusters.shape[1]
        has_strata = bool(names.get("strata"))
        fpc = ""
        if not names.get("psu"):
            kind = "Independent Sampling design"
        else:
            kind = f"{stages} - level Cluster Sampling design"
        if has_strata:
            kind = "Stratified " + kind
        kind += " (with replacement)" if d.popsize is None else ""
        lines.append(kind + fpc)
        if names.get("psu"):
            counts = [len(np.unique(d.clusters[:, s])) for s in range(stages)]
            lines.append(f"  With ({', '.join(str(c) for c in counts)}) clusters.")
        if has_strata:
            lines.append(f"  {len(np.unique(d.strata[:, 0]))} strata ({', '.join(names['strata'])})")
        if d.popsize is not None:
            lines.append(f"  fpc: {', '.join(names['fpc'])}")
        if d.lonely_psu != "fail":
            lines.append(f"  lonely PSUs: {d.lonely_psu}")
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
