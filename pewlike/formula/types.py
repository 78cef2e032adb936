"""Frozen value types of a parsed formula (see :mod:`pewlike.formula`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Formula", "Response", "Term", "Variable", "r_name"]

_R_SYNTACTIC = re.compile(r"^(?:(?:[A-Za-z]|\.[A-Za-z._])[A-Za-z0-9._]*|\.)$")
_R_RESERVED = frozenset(
    [
        "if",
        "else",
        "repeat",
        "while",
        "function",
        "for",
        "next",
        "break",
        "TRUE",
        "FALSE",
        "NULL",
        "Inf",
        "NaN",
        "NA",
        "NA_integer_",
        "NA_real_",
        "NA_character_",
        "NA_complex_",
        "in",
    ]
)


def r_name(name: str) -> str:
    """Deparse a column name as R does: backtick-quoted unless syntactic."""
    if _R_SYNTACTIC.match(name) and name not in _R_RESERVED:
        return name
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def _r_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _r_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True)
class Variable:
    """One variable of a formula: a column, possibly inside an allowed function.

    Attributes
    ----------
    name : str
        Column name as written in the formula (before any wave-suffix resolution).
    func : str or None
        ``None`` (the column itself), ``"C"``, ``"log"``, ``"sqrt"``, ``"poly"`` or ``"scale"``.
    degree : int or None
        Degree of ``poly()``.
    ref : str, int or None
        Reference level of ``C()``: a label, or a 1-based index into the levels.
    keyword : bool
        Whether ``poly()``'s degree was written ``degree = k`` (kept for R's label).
    """

    name: str
    func: str | None = None
    degree: int | None = None
    ref: str | int | None = None
    keyword: bool = False

    @property
    def label(self) -> str:
        """The variable as R deparses it, e.g. ``poly(x, 2)`` or ``C(a, ref = "b")``."""
        inner = r_name(self.name)
        if self.func is None:
            return inner
        if self.func == "poly" and self.degree is not None:
            if self.keyword:
                return f"poly({inner}, degree = {self.degree})"
            return f"poly({inner}, {self.degree})"
        if self.func == "C" and self.ref is not None:
            ref = _r_string(self.ref) if isinstance(self.ref, str) else str(self.ref)
            return f"C({inner}, ref = {ref})"
        return f"{self.func}({inner})"


@dataclass(frozen=True)
class Term:
    """A model term: one variable (main effect) or an interaction of several.

    Attributes
    ----------
    variables : tuple of Variable
        In the formula's variable order (order of first appearance), as R's ``terms()``.
    """

    variables: tuple[Variable, ...]

    @property
    def label(self) -> str:
        """R's term label, e.g. ``F_AGECAT:F_SEX``."""
        return ":".join(v.label for v in self.variables)

    @property
    def order(self) -> int:
        """Number of variables in the term (R's ``attr(terms, "order")``)."""
        return len(self.variables)


@dataclass(frozen=True)
class Response:
    """The left-hand side of a formula.

    Attributes
    ----------
    variable : Variable
        The column (plain, or inside ``log``/``sqrt``/``scale``).
    op : str or None
        ``None`` for the column itself, else ``"in"``, ``"not in"``, ``"=="`` or ``"!="``:
        the response is then 1 where the comparison holds, 0 where not, missing where the
        column is missing.
    values : tuple
        Labels (str) or numbers (float) the column is compared with.
    """

    variable: Variable
    op: str | None = None
    values: tuple[str | float, ...] = ()

    @property
    def label(self) -> str:
        """The response as text, e.g. ``CONCERNCO in ['Very concerned']``."""
        if self.op is None:
            return self.variable.label
        shown = [repr(v) if isinstance(v, str) else _r_number(v) for v in self.values]
        if self.op in ("==", "!="):
            return f"{self.variable.label} {self.op} {shown[0]}"
        return f"{self.variable.label} {self.op} [{', '.join(shown)}]"


@dataclass(frozen=True)
class Formula:
    """A parsed formula.

    Attributes
    ----------
    response : Response or None
        ``None`` for a right-hand side alone (:func:`pewlike.formula.parse_rhs`).
    terms : tuple of Term
        R's ``terms()`` order: by degree, then order of appearance; duplicates removed.
    intercept : bool
        Whether the model has an intercept.
    text : str
        The formula as given.
    variables : tuple of Variable
        Every right-hand-side variable in order of first appearance, including any that
        only occur in removed terms (R keeps those in the model frame, so their missing
        values still drop rows).  Empty means "the variables of ``terms``".
    """

    response: Response | None
    terms: tuple[Term, ...]
    intercept: bool
    text: str
    variables: tuple[Variable, ...] = ()

    @property
    def term_labels(self) -> list[str]:
        """R's ``attr(terms(f), "term.labels")``."""
        return [t.label for t in self.terms]
