"""Readable model terms and titles: ``F_AGECAT30-49`` -> "Age: 30-49 (vs. 18-29)".

R names a coefficient by pasting the formula's variable and the level
(``F_AGECAT30-49``); a published table names the variable as readers know it (its short
name, else its wording) and the reference category the coefficient is compared with.
The raw names stay in ``to_frame()["term"]``; these labels are for printed output,
tables and figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.design.frame import SurveyFrame
    from pewlike.models.data import ModelData

__all__ = ["TermLabel", "model_title", "readable_terms"]


@dataclass(frozen=True)
class TermLabel:
    """One coefficient's readable parts.

    Attributes
    ----------
    term : str
        R's name (``F_AGECAT30-49``).
    group : str
        The variable(s) as readers know them ("Age"; "Sex x Age" for an interaction);
        empty for the intercept, a cut point or a term not recognised.
    level : str
        The level(s) ("30-49"; "Female x 30-49"), or the term itself.
    reference : str
        The reference category of a main effect ("18-29"), else empty.
    """

    term: str
    group: str
    level: str
    reference: str = ""

    def text(self) -> str:
        """``"Age: 30-49 (vs. 18-29)"`` (tables and printed output)."""
        if not self.group:
            return self.level
        ref = f" (vs. {self.reference})" if self.reference else ""
        return f"{self.group}: {self.level}{ref}" if self.level else f"{self.group}{ref}"

    def heading(self) -> str:
        """``"Age (vs. 18-29): 30-49"``: a figure's group heading, then the row."""
        if not self.group:
            return self.level
        ref = f" (vs. {self.reference})" if self.reference else ""
        return f"{self.group}{ref}: {self.level}" if self.level else f"{self.group}{ref}"


def readable_terms(sf: SurveyFrame, data: ModelData, terms: list[str] | tuple[str, ...]) -> dict[str, TermLabel]:
    """Readable labels of a fit's coefficient names.

    Parameters
    ----------
    sf : SurveyFrame
        The survey the model was fitted on (its codebook names the variables:
        :func:`pewlike.io.display.display_name`).
    data : ModelData
        The fit's model data (formula variables, their columns, levels and references).
    terms : sequence of str
        Coefficient names in R's form.

    Returns
    -------
    dict of str to TermLabel
        One entry per term; a name that matches no formula variable keeps itself as
        its level (the intercept, cut points ``a|b``).

    Notes
    -----
    R prints ``names(coef(fit))``; the reference level is ``levels(x)[1]`` (or that of
    ``relevel``/``C(x, ref=)``), left out of the treatment contrasts.
    """
    from pewlike.formula.coding import level_label
    from pewlike.io.display import display_name

    mf = data.frame
    variables = sorted(data.formula.variables, key=lambda v: len(v.label), reverse=True)
    names: dict[str, str] = {}
    for v in variables:
        col = data.columns.get(v.name)
        info = sf.codebook.variables.get(col) if isinstance(col, str) else None
        names[v.label] = display_name(info) if info is not None else v.name
    refs: Mapping[str, object] = getattr(mf, "reference", {}) or {}

    def part(p: str) -> tuple[str, str, str] | None:
        for v in variables:
            if p.startswith(v.label):
                rest = p[len(v.label) :]
                if v.name in refs:
                    return names[v.label], rest, level_label(refs[v.name])
                return names[v.label], (f"degree {rest}" if rest else ""), ""
        return None

    out: dict[str, TermLabel] = {}
    for t in terms:
        t = str(t)
        bits = [part(p) for p in t.split(":")] if t != "(Intercept)" and "|" not in t else [None]
        if any(b is None for b in bits):
            out[t] = TermLabel(t, "", t)
        elif len(bits) == 1:
            g, lev, ref = bits[0]  # type: ignore[misc]
            out[t] = TermLabel(t, g, lev, ref)
        else:
            groups = " x ".join(b[0] for b in bits if b)
            levels = " x ".join((f"{b[0]} {b[1]}" if not b[2] else b[1]) if b[1] else b[0] for b in bits if b)
            out[t] = TermLabel(t, groups, levels)
    return out


def model_title(
    question: str | None, response: str, outcome: tuple[str, ...] = (), *, kind: Literal["plain", "odds"] = "plain"
) -> str:
    """A model's title from the outcome's wording, not its formula.

    Parameters
    ----------
    question : str or None
        The outcome's wording (its label without the "QNAME." prefix).
    response : str
        The formula's response (used when there is no wording).
    outcome : tuple of str
        The answers counted as 1 in a binary outcome (``y in ['Very concerned']``).
    kind : {"plain", "odds"}
        ``"odds"`` says what the odds are of.

    Returns
    -------
    str

    Examples
    --------
    >>> model_title("How concerned are you?", "Q1 in ['Very']", ("Very",))
    "How concerned are you? (outcome: 'Very')"
    """
    head = question or response
    if outcome:
        said = " or ".join(repr(o) for o in outcome)
        return f"{head} (odds of {said})" if kind == "odds" else f"{head} (outcome: {said})"
    return head
