"""The frozen dataclasses of a report spec (read from TOML by :mod:`pewlike.report.specparse`).

The format itself is described in :mod:`pewlike.report.spec`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pewlike.report.derive_spec import DeriveSpec, Universe
from pewlike.report.labelspec import LabelSpec
from pewlike.report.trend_spec import StackSpec, TrendItem, WaveData

__all__ = [
    "DEMO_DATA",
    "FORMATS",
    "CompareItem",
    "CrosstabItem",
    "DataSpec",
    "Defaults",
    "DistributionItem",
    "Item",
    "ModelItem",
    "Nets",
    "OutputSpec",
    "Section",
    "Spec",
    "ToplineItem",
    "WeightingSpec",
]

DEMO_DATA = "pewlike:demo"
FORMATS = ("html", "md", "csv", "xlsx", "png", "svg")

#: Nets of a table: ``"auto"``, none, or ``{"NET label": ("answer", ...)}``.
Nets = Mapping[str, tuple[str, ...]] | Literal["auto"] | None


# ---------------------------------------------------------------------------
# the frozen spec
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class DataSpec:
    """Where the data are and how they were sampled (``pewlike.read`` arguments).

    ``ordinal`` and ``nominal`` list questions declared an answer scale or not one
    (:meth:`pewlike.Survey.set_scale`), over what the file and the labels say.
    """

    file: str
    weights: str | Literal[False] = "auto"
    strata: str | list[str] | None = None
    psu: str | list[str] | None = None
    fpc: str | list[str] | None = None
    nest: bool = False
    repweights: str | list[str] | None = None
    reptype: str | None = None
    rho: float | None = None  # Fay's coefficient (reptype = "Fay"), R svrepdesign(rho=)
    lonely_psu: str = "fail"
    missing_weights: str = "error"  # "drop": respondents without a weight are left out (pewlike.read)
    synthetic: bool = False
    ordinal: tuple[str, ...] = ()
    nominal: tuple[str, ...] = ()
    filter: str | None = None  # the report's universe: a condition (pewlike.report.derive_spec)
    universe: str | None = None  # ... and its name in notes and headings

    def read_options(self) -> dict[str, Any]:
        """Keyword arguments for :func:`pewlike.read` (``weights=None`` when the spec says ``false``)."""
        out = {
            "weights": None if self.weights is False else self.weights,
            "nest": self.nest,
            "lonely_psu": self.lonely_psu,
        }
        if self.missing_weights != "error":
            out["missing_weights"] = self.missing_weights
        for key in ("strata", "psu", "fpc", "repweights", "reptype", "rho"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class OutputSpec:
    """What is written, and where (``dir`` relative to the spec's folder, and inside it).

    ``formula_guard`` (default true): CSV text cells that a spreadsheet would run as a
    formula get a single quote before them (see :func:`pewlike.tables.export.write_csv`);
    ``false`` for CSV files that feed a program rather than people.
    """

    dir: str = "pewlike-report"
    formats: tuple[str, ...] = FORMATS
    tables_dir: str = "tables"
    figures_dir: str = "figures"
    formula_guard: bool = True


@dataclass(frozen=True)
class Defaults:
    """Settings shared by every table unless an item overrides them."""

    by: tuple[str, ...] = ()
    base: Literal["valid", "all"] = "valid"
    nets: Nets = "auto"
    min_n: int = 100
    letters: bool = True
    adjust: Literal["holm", "bonferroni", "none"] = "holm"
    alpha: float = 0.05
    small: Literal["<1", "*"] = "<1"
    level: float = 0.95


@dataclass(frozen=True)
class Section:
    """A section of the report: ``[[section]]``, or one added for items that name none.

    Attributes
    ----------
    id : str
        What items name in their ``section`` key (also the HTML anchor).
    title, text : str
        The heading and an optional paragraph under it.
    where : str
        Its place in the spec file, for error messages.
    """

    id: str
    title: str
    text: str = ""
    where: str = ""


@dataclass(frozen=True)
class ToplineItem:
    """A ``[[topline]]``: one question's table (and optionally its stacked bar).

    Attributes
    ----------
    var : str
        The question.
    section : str
        The section it is shown in.
    name : str
        Output file name (``tables/<name>.csv`` ...).
    base : {"valid", "all"}
        As :meth:`pewlike.Survey.topline`.
    nets : "auto", None or mapping
        Nets shown above their answers.
    chart : bool
        Draw a stacked bar.
    where : str
        Its place in the spec file, for error messages.
    """

    var: str
    section: str
    name: str
    base: Literal["valid", "all"]
    nets: Nets
    chart: bool
    where: str


@dataclass(frozen=True)
class CrosstabItem:
    """A ``[[crosstab]]``: one question by one or more demographics (a banner), and its chart.

    Attributes
    ----------
    var : str
        The question.
    by : tuple of str
        The demographics, side by side after the Total column.
    section, name, base, nets, where
        As :class:`ToplineItem`.
    chart : {"likert", "dots", "none"}
        Diverging bars by group, dots of one answer (``level``), or no chart.
    level : str or None
        The answer or net shown by ``chart = "dots"``.
    min_n, letters, adjust
        As :meth:`pewlike.Survey.crosstab`.
    ci : bool
        Show each cell's confidence interval in the table.
    """

    var: str
    by: tuple[str, ...]
    section: str
    name: str
    base: Literal["valid", "all"]
    nets: Nets
    chart: Literal["likert", "dots", "none"]
    level: str | None
    min_n: int
    letters: bool
    adjust: Literal["holm", "bonferroni", "none"]
    where: str
    ci: bool = False  # show each cell's confidence interval in the table


@dataclass(frozen=True)
class CompareItem:
    """A ``[[compare]]``: one answer of two questions side by side (companies vs government).

    Attributes
    ----------
    vars, labels : tuple of str
        The two questions and their legend labels (``labels`` empty: each question's
        short name from ``[labels]``, else its wording, at build time).
    level : str or None
        The answer or net compared (needed by ``chart = "paired"``).
    by : tuple of str
        The demographics of the comparison (none: the totals only).
    title : str or None
        The figure and table title.
    section, name, where
        As :class:`ToplineItem`.
    chart : {"paired", "likert"}
        A paired dot plot of ``level`` by group, or stacked bars of both questions.
    """

    vars: tuple[str, ...]
    labels: tuple[str, ...]
    level: str | None
    by: tuple[str, ...]
    title: str | None
    section: str
    name: str
    chart: Literal["paired", "likert"]
    where: str


@dataclass(frozen=True)
class ModelItem:
    """A ``[[model]]``: a design-based model's table, coefficient plot and predicted probabilities.

    Attributes
    ----------
    name : str
        Output file name.
    type : {"logit", "ologit", "glm"}
        :meth:`pewlike.Survey.logit`, :meth:`~pewlike.Survey.ologit` or :meth:`~pewlike.Survey.glm`.
    formula : str
        The model formula (see :mod:`pewlike.formula`).
    title : str or None
        The table and figure title.
    section, where
        As :class:`ToplineItem`.
    effects : tuple of str
        Predictors whose predicted probabilities by level are tabled and drawn.
    """

    name: str
    type: Literal["logit", "ologit", "glm"]
    formula: str
    title: str | None
    section: str
    effects: tuple[str, ...]
    where: str


@dataclass(frozen=True)
class DistributionItem:
    """A ``[[distribution]]``: a numeric variable's weighted histogram and/or box plot, by group.

    Attributes
    ----------
    var : str
        The numeric variable.
    by : tuple of str
        Groups: one histogram panel and one box per group (none: the whole sample).
    chart : {"both", "hist", "box"}
        The figures (each with its table).
    bins : "sturges", int or tuple of float
        As :meth:`pewlike.Survey.hist`.
    density : bool
        The histogram shows the density (else the weighted count).
    title : str or None
        The figures' and tables' title (default: the variable's wording).
    section, name, where
        As :class:`ToplineItem`; files are ``<name>_hist`` and ``<name>_box``.
    """

    var: str
    by: tuple[str, ...]
    chart: Literal["both", "hist", "box"]
    bins: str | int | tuple[float, ...]
    density: bool
    title: str | None
    section: str
    name: str
    where: str


@dataclass(frozen=True)
class SelectAllItem:
    """A ``[[select_all]]``: a select-all battery's shares, NET Any and number selected (#14).

    Attributes
    ----------
    items : tuple of str
        The battery's item columns.
    by : tuple of str
        Groups: one table per group variable, with significance letters.
    base : {"asked", "all"}
        As :meth:`pewlike.Survey.select_all`.
    sort : {"asked", "share"}
        Item order of the table and chart.
    chart : bool
        Draw the bars sorted by share (:func:`pewlike.plots.select_all_plot`).
    title : str or None
        Title (default: the items' shared wording).
    section, name, where
        As :class:`ToplineItem`.
    """

    items: tuple[str, ...]
    by: tuple[str, ...]
    base: Literal["asked", "all"]
    sort: Literal["asked", "share"]
    chart: bool
    title: str | None
    section: str
    name: str
    where: str


@dataclass(frozen=True)
class GridItem:
    """A ``[[grid]]``: questions answered on one scale as one table and one diverging chart (#14).

    Attributes
    ----------
    items : tuple of str
        The questions.
    nets : bool
        Show the automatic nets (top two / bottom two).
    compare : tuple of (str, str) or None
        Two items whose shares are compared among the same respondents.
    chart : bool
        Draw the diverging bars (:func:`pewlike.plots.grid_plot`).
    title : str or None
        Title (default: the items' shared wording).
    section, name, where
        As :class:`ToplineItem`.
    """

    items: tuple[str, ...]
    nets: bool
    compare: tuple[str, str] | None
    chart: bool
    title: str | None
    section: str
    name: str
    where: str


@dataclass(frozen=True)
class WeightingSpec:
    """The ``[weighting]`` table: raking before the report is built, and the weight summary.

    Attributes
    ----------
    section, title : str
        The section the summary is shown in, and its title.
    summary : bool
        Show the weight summary (and achieved vs target margins after raking).
    rake : mapping or None
        Targets per variable, ``{"F_SEX": {"Male": 0.48, "Female": 0.52}}``, as
        :meth:`pewlike.Survey.rake` takes them.
    where : str
        Its place in the spec file, for error messages.
    """

    section: str = "weighting"
    title: str = "Weighting"
    summary: bool = True
    rake: Mapping[str, Mapping[str, float]] | None = None
    where: str = "[weighting]"


@dataclass(frozen=True)
class Spec:
    """A validated report spec.  ``path`` is the spec file (None for the built-in demo)."""

    title: str
    data: DataSpec
    output: OutputSpec
    defaults: Defaults
    sections: tuple[Section, ...]
    toplines: tuple[ToplineItem, ...] = ()
    crosstabs: tuple[CrosstabItem, ...] = ()
    compares: tuple[CompareItem, ...] = ()
    models: tuple[ModelItem, ...] = ()
    weighting: WeightingSpec | None = None
    distributions: tuple[DistributionItem, ...] = ()
    select_alls: tuple[SelectAllItem, ...] = ()
    grids: tuple[GridItem, ...] = ()
    subtitle: str = ""
    intro: str = ""
    path: str | None = None
    label: str = "report.toml"
    derive: tuple[DeriveSpec, ...] = ()  # [[derive]]: variables made before the build
    universes: Mapping[str, Universe] = field(default_factory=dict)  # item name -> its filter and universe
    labels: tuple[LabelSpec, ...] = ()  # [labels.<VAR>]: short names, wordings, answer labels
    waves: tuple[WaveData, ...] = ()  # several [[data]] files (the first is ``data``)
    stack: StackSpec | None = None
    trends: tuple[TrendItem, ...] = ()
    keep_going: bool = False  # an item that fails is reported in its place (starter reports of unseen files)

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

    def items_in(self, section: str) -> list[Item]:
        """Items of one section in report order: toplines, crosstabs, comparisons, distributions, models, trends."""
        groups: tuple[tuple[Item, ...], ...] = (
            self.toplines,
            self.crosstabs,
            self.compares,
            self.select_alls,
            self.grids,
            self.distributions,
            self.models,
            self.trends,
        )
        return [it for group in groups for it in group if it.section == section]


#: Any item of a report.
Item = ToplineItem | CrosstabItem | CompareItem | ModelItem | DistributionItem | TrendItem | SelectAllItem | GridItem


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------
