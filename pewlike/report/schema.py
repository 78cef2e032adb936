"""The frozen dataclasses of a report spec (read from TOML by :mod:`pewlike.report.specparse`).

The format itself is described in :mod:`pewlike.report.spec`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DEMO_DATA",
    "FORMATS",
    "CompareItem",
    "CrosstabItem",
    "DataSpec",
    "Defaults",
    "ModelItem",
    "OutputSpec",
    "Section",
    "Spec",
    "ToplineItem",
    "WeightingSpec",
]

DEMO_DATA = "pewlike:demo"
FORMATS = ("html", "md", "csv", "xlsx", "png", "svg")


# ---------------------------------------------------------------------------
# the frozen spec
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class DataSpec:
    """Where the data are and how they were sampled (``pewlike.read`` arguments)."""

    file: str
    weights: Any = "auto"
    strata: Any = None
    psu: Any = None
    fpc: Any = None
    nest: bool = False
    repweights: Any = None
    reptype: str | None = None
    lonely_psu: str = "fail"
    synthetic: bool = False

    def read_options(self) -> dict:
        """Keyword arguments for :func:`pewlike.read` (``weights=None`` when the spec says ``false``)."""
        out = {
            "weights": None if self.weights is False else self.weights,
            "nest": self.nest,
            "lonely_psu": self.lonely_psu,
        }
        for key in ("strata", "psu", "fpc", "repweights", "reptype"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class OutputSpec:
    """What is written, and where (``dir`` relative to the working directory)."""

    dir: str = "pewlike-report"
    formats: tuple = FORMATS
    tables_dir: str = "tables"
    figures_dir: str = "figures"


@dataclass(frozen=True)
class Defaults:
    """Settings shared by every table unless an item overrides them."""

    by: tuple = ()
    base: str = "valid"
    nets: Any = "auto"
    min_n: int = 100
    letters: bool = True
    adjust: str = "holm"
    alpha: float = 0.05
    small: str = "<1"
    level: float = 0.95


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    text: str = ""
    where: str = ""


@dataclass(frozen=True)
class ToplineItem:
    var: str
    section: str
    name: str
    base: str
    nets: Any
    chart: bool
    where: str


@dataclass(frozen=True)
class CrosstabItem:
    var: str
    by: tuple
    section: str
    name: str
    base: str
    nets: Any
    chart: str  # "likert", "dots" or "none"
    level: str | None
    min_n: int
    letters: bool
    adjust: str
    where: str
    ci: bool = False  # show each cell's confidence interval in the table


@dataclass(frozen=True)
class CompareItem:
    vars: tuple
    labels: tuple
    level: str | None
    by: tuple
    title: str | None
    section: str
    name: str
    chart: str  # "paired" or "likert"
    where: str


@dataclass(frozen=True)
class ModelItem:
    name: str
    type: str
    formula: str
    title: str | None
    section: str
    effects: tuple
    where: str


@dataclass(frozen=True)
class WeightingSpec:
    section: str = "weighting"
    title: str = "Weighting"
    summary: bool = True
    rake: Any = None
    where: str = "[weighting]"


@dataclass(frozen=True)
class Spec:
    """A validated report spec.  ``path`` is the spec file (None for the built-in demo)."""

    title: str
    data: DataSpec
    output: OutputSpec
    defaults: Defaults
    sections: tuple
    toplines: tuple = ()
    crosstabs: tuple = ()
    compares: tuple = ()
    models: tuple = ()
    weighting: WeightingSpec | None = None
    subtitle: str = ""
    intro: str = ""
    path: str | None = None
    label: str = "report.toml"

    @property
    def base_dir(self) -> Path:
        """Folder relative paths in the spec are read from."""
        return Path(self.path).resolve().parent if self.path else Path.cwd()

    def data_path(self) -> str:
        """The data file as a path (relative ones taken from the spec's folder)."""
        if self.data.file == DEMO_DATA:
            return DEMO_DATA
        p = Path(self.data.file).expanduser()
        return str(p if p.is_absolute() else self.base_dir / p)

    def items_in(self, section: str) -> list:
        """Items of one section in report order: toplines, crosstabs, comparisons, models."""
        return [
            it
            for group in (self.toplines, self.crosstabs, self.compares, self.models)
            for it in group
            if it.section == section
        ]


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------
