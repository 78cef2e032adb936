"""Reading a parsed TOML document into a :class:`pewlike.report.spec.Spec`, with located errors.

Every table is read through :class:`_Table`, which refuses unknown keys and
checks each value's type, naming the place in the file::

    report.toml: [[crosstab]] #2: unknown key 'colum'; expected one of: var, by, base, ...
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import PurePosixPath
from typing import Any, NoReturn

from pewlike.design.structure import LONELY_PSU, REPTYPES
from pewlike.errors import SpecError
from pewlike.report.derive_spec import name_universes, parse_derive, parse_universe, split_universes
from pewlike.report.labelspec import parse_labels
from pewlike.report.schema import (
    FORMATS,
    CompareItem,
    CrosstabItem,
    DataSpec,
    Defaults,
    DistributionItem,
    GridItem,
    Item,
    ModelItem,
    OutputSpec,
    Section,
    SelectAllItem,
    Spec,
    ToplineItem,
    WeightingSpec,
)
from pewlike.tables.export import file_safe

__all__ = ["parse"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,79}$")
#: Item names pewlike gives to files it writes itself (compared ignoring case), and what they are.
_RESERVED = {
    "index": "index.html",
    "report": "report.md",
    "methods": "the methodology table",
    "weights": "the weighting table",
    "weighting_margins": "the weighting margins table",
    "weights_distribution": "the weight distribution figure",
    "weighting_margins_chart": "the achieved vs target margins figure",
}


def parse(raw: dict[str, Any], *, label: str, path: str | None) -> Spec:
    """Validate a TOML document (a dict from ``tomllib``) and build the :class:`Spec`.

    Parameters
    ----------
    raw : dict
        The document as ``tomllib.loads`` returns it.
    label : str
        The spec's name in error messages (its file name).
    path : str or None
        The spec file; relative data paths are read from its folder.

    Returns
    -------
    Spec

    Raises
    ------
    SpecError
        Unknown keys, wrong types or values, dangling section references, duplicate
        output names; the message names the place in the file.
    """
    raw, found = split_universes(label, raw)  # per-item filter/universe (pewlike.report.derive_spec)
    from pewlike.report.trend_spec import parse_stack, parse_trend, parse_waves

    top = _Table(label, "", raw, _TOP_KEYS)
    if not top.has("data"):
        top.fail('missing table [data]; add [data] with file = "your-survey.sav"')
    waves: tuple[Any, ...] = ()
    if isinstance(raw["data"], list):  # several waves: [[data]] tables with wave = "..."
        data, waves = parse_waves(label, raw["data"], _data)
    else:
        data = _data(label, raw["data"])
    output = _output(label, raw.get("output", {}))
    defaults = _defaults(label, raw.get("defaults", {}))
    declared = _sections(label, raw.get("section", []))
    toplines = tuple(_topline(label, i, r, defaults) for i, r in enumerate(_array(top, "topline"), 1))
    crosstabs = tuple(_crosstab(label, i, r, defaults) for i, r in enumerate(_array(top, "crosstab"), 1))
    compares = tuple(_compare(label, i, r, defaults) for i, r in enumerate(_array(top, "compare"), 1))
    models = tuple(_model(label, i, r) for i, r in enumerate(_array(top, "model"), 1))
    distributions = tuple(_distribution(label, i, r) for i, r in enumerate(_array(top, "distribution"), 1))
    select_alls = tuple(_select_all(label, i, r) for i, r in enumerate(_array(top, "select_all"), 1))
    grids = tuple(_grid(label, i, r) for i, r in enumerate(_array(top, "grid"), 1))
    weighting = _weighting(label, raw["weighting"]) if "weighting" in raw else None
    stack = parse_stack(label, raw["stack"], waves, _Table) if "stack" in raw else None
    trends = tuple(parse_trend(label, i, r, defaults, _Table, file_safe) for i, r in enumerate(_array(top, "trend"), 1))
    if trends and not waves:
        raise SpecError(
            f'{label}: {trends[0].where}: a trend needs several waves; write the data files as [[data]] tables, each with wave = "..."'
        )
    items: tuple[Item, ...] = (*toplines, *crosstabs, *compares, *select_alls, *grids, *distributions, *models, *trends)
    sections = _complete_sections(label, declared, items, weighting)
    spec = Spec(
        title=top.text("title", "Survey report"),
        data=data,
        output=output,
        defaults=defaults,
        sections=sections,
        toplines=toplines,
        crosstabs=crosstabs,
        compares=compares,
        models=models,
        weighting=weighting,
        distributions=distributions,
        select_alls=select_alls,
        grids=grids,
        subtitle=top.text("subtitle", ""),
        intro=top.text("intro", ""),
        path=path,
        label=label,
        derive=parse_derive(label, raw.get("derive", [])),
        universes=name_universes(
            found,
            {
                "topline": toplines,
                "crosstab": crosstabs,
                "compare": compares,
                "model": models,
                "distribution": distributions,
            },
        ),
        labels=parse_labels(label, raw["labels"]) if "labels" in raw else (),
        waves=waves,
        stack=(stack or parse_stack(label, {}, waves, _Table)) if waves else None,
        trends=trends,
    )
    _unique_names(spec)
    return spec


class _Table:
    """Typed access to one TOML table with located errors; refuses unknown keys."""

    def __init__(self, label: str, where: str, raw: Any, keys: tuple[str, ...]) -> None:
        self.label, self.where = label, where
        if not isinstance(raw, dict):
            self.fail(f"must be a table, not {_show(raw)}")
        unknown = [k for k in raw if k not in keys]
        if unknown:
            self.fail(f"unknown key {unknown[0]!r}; expected one of: {', '.join(keys)}")
        self.raw = raw

    def fail(self, msg: str) -> NoReturn:
        raise SpecError(f"{self.label}: {self.where}: {msg}" if self.where else f"{self.label}: {msg}")

    def has(self, key: str) -> bool:
        return key in self.raw

    def text(self, key: str, default: Any = ..., *, choices: tuple[str, ...] | None = None) -> Any:
        if key not in self.raw:
            if default is ...:
                self.fail(f"missing key {key!r}")
            return default
        v = self.raw[key]
        if not isinstance(v, str) or not v.strip():
            self.fail(f"{key!r} must be a non-empty string, not {_show(v)}")
        if choices and v not in choices:
            self.fail(f"{key} = {v!r} is not valid; choose one of: {', '.join(choices)}")
        return v

    def texts(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        if key not in self.raw:
            return default
        v = self.raw[key]
        if isinstance(v, str) and v.strip():
            return (v,)
        if isinstance(v, list) and all(isinstance(x, str) and x.strip() for x in v):
            return tuple(v)
        self.fail(f"{key!r} must be a string or a list of strings, not {_show(v)}")

    def flag(self, key: str, default: bool) -> bool:
        v = self.raw.get(key, default)
        if not isinstance(v, bool):
            self.fail(f"{key!r} must be true or false, not {_show(v)}")
        return v

    def count(self, key: str, default: int, *, minimum: int = 0) -> int:
        v = self.raw.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            self.fail(f"{key!r} must be a whole number >= {minimum}, not {_show(v)}")
        return v

    def prob(self, key: str, default: float) -> float:
        v = self.raw.get(key, default)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1:
            self.fail(f"{key!r} must be a number between 0 and 1, not {_show(v)}")
        return float(v)

    def name(self, key: str, default: str) -> str:
        v = self.raw.get(key, default)
        if not isinstance(v, str) or not _NAME.match(v):
            self.fail(
                f"{key} = {_show(v)} is not a valid name; use letters, digits, '_' and '-' "
                "(it names output files, which stay inside the output folder)"
            )
        return v

    def nets(self, key: str, default: Any) -> Any:
        v = self.raw.get(key, default)
        if v is None or v == "auto" or v is False:
            return None if v is False else v
        if (
            isinstance(v, dict)
            and v
            and all(
                isinstance(k, str) and isinstance(m, list) and m and all(isinstance(x, str) for x in m)
                for k, m in v.items()
            )
        ):
            return {k: tuple(m) for k, m in v.items()}
        self.fail(f'{key!r} must be "auto", false, or a table {{"NET label" = ["answer", ...]}}, not {_show(v)}')


def _show(v: Any) -> str:
    if isinstance(v, dict):
        return "a table"
    if isinstance(v, list):
        return f"the list {v!r}"
    return repr(v)


def _escapes(v: str) -> bool:
    """Whether a folder name leaves the folder it is relative to: absolute, a drive, '~' or '..'."""
    p = PurePosixPath(v.replace("\\", "/"))
    return p.is_absolute() or ".." in p.parts or bool(re.match(r"^[A-Za-z]:", v)) or v.startswith("~")


def _relative_dir(t: _Table, key: str, default: str) -> str:
    """A folder inside the output folder: relative, no '..', no drive or root, not hidden."""
    v = t.text(key, default)
    p = PurePosixPath(v.replace("\\", "/"))
    if _escapes(v):
        t.fail(f"{key} = {v!r} would escape the output folder; give a relative folder name such as {default!r}")
    if any(part.startswith(".") for part in p.parts):
        t.fail(
            f"{key} = {v!r} is a hidden folder, and names starting with '.' are pewlike's own; give a name such as {default!r}"
        )
    return str(p)


def _output_dir(t: _Table) -> str:
    """The report folder, relative to the spec's folder and inside it (``--out`` can go anywhere)."""
    v = t.text("dir", "pewlike-report")
    if _escapes(v):
        t.fail(
            f"dir = {v!r} would put the report outside the spec's folder; give a folder relative to the spec "
            "such as 'pewlike-report' (an absolute path, '~' or '..' only with --out on the command line)"
        )
    p = PurePosixPath(v.replace("\\", "/"))
    if not p.parts:
        t.fail(
            f"dir = {v!r} is the spec's own folder, and a rebuild replaces the whole folder; give a subfolder such as 'pewlike-report'"
        )
    return str(p)


_TOP_KEYS = (
    "title",
    "subtitle",
    "intro",
    "data",
    "output",
    "defaults",
    "section",
    "topline",
    "crosstab",
    "compare",
    "model",
    "distribution",
    "select_all",
    "grid",
    "weighting",
    "derive",
    "labels",
    "stack",
    "trend",
)
_BASES = ("valid", "all")
_ADJUST = ("holm", "bonferroni", "none")


def _array(top: _Table, key: str) -> list[Any]:
    v = top.raw.get(key, [])
    if not isinstance(v, list):
        top.fail(f"{key!r} must be an array of tables written [[{key}]], not {_show(v)}")
    return v


def _data(label: str, raw: Any, where: str = "[data]") -> DataSpec:
    t = _Table(
        label,
        where,
        raw,
        (
            "file",
            "weights",
            "strata",
            "psu",
            "fpc",
            "nest",
            "repweights",
            "reptype",
            "rho",
            "lonely_psu",
            "missing_weights",
            "synthetic",
            "ordinal",
            "nominal",
            "filter",
            "universe",
        ),
    )
    weights = raw.get("weights", "auto")
    if weights is not False and not (isinstance(weights, str) and weights):
        t.fail(f"'weights' must be a column name, \"auto\" or false, not {_show(weights)}")
    if weights is True:
        t.fail("'weights' must be a column name, \"auto\" or false, not true")
    both = set(t.texts("ordinal")) & set(t.texts("nominal"))
    if both:
        t.fail(f"{sorted(both)[0]!r} is listed in both 'ordinal' and 'nominal'; keep it in one")
    return DataSpec(
        file=t.text("file"),
        weights=weights,
        strata=_opt_cols(t, "strata"),
        psu=_opt_cols(t, "psu"),
        fpc=_opt_cols(t, "fpc"),
        nest=t.flag("nest", False),
        repweights=_opt_cols(t, "repweights"),
        reptype=t.text("reptype", None, choices=REPTYPES),
        rho=_rho(t),
        lonely_psu=t.text("lonely_psu", "fail", choices=LONELY_PSU),
        missing_weights=t.text("missing_weights", "error", choices=("error", "drop")),
        synthetic=t.flag("synthetic", False),
        ordinal=t.texts("ordinal"),
        nominal=t.texts("nominal"),
        **_data_universe(label, raw),
    )


def _data_universe(label: str, raw: dict[str, Any]) -> dict[str, str | None]:
    u = parse_universe(label, "[data]", raw)
    return {} if u is None else {"filter": u.filter, "universe": u.name}


def _rho(t: _Table) -> float | None:
    """``[data] rho``: Fay's coefficient, a number in [0, 1)."""
    if not t.has("rho"):
        return None
    rho = t.raw["rho"]
    if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not 0 <= rho < 1:
        t.fail(
            f"'rho' must be Fay's coefficient, a number from 0 up to (not including) 1, such as 0.5; not {_show(rho)}"
        )
    return float(rho)


def _opt_cols(t: _Table, key: str) -> str | list[str] | None:
    if not t.has(key):
        return None
    cols = t.texts(key)
    return cols[0] if len(cols) == 1 and isinstance(t.raw[key], str) else list(cols)


def _output(label: str, raw: Any) -> OutputSpec:
    t = _Table(label, "[output]", raw, ("dir", "formats", "tables_dir", "figures_dir", "formula_guard"))
    formats = t.texts("formats", FORMATS)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        t.fail(f"format {bad[0]!r} is not valid; choose from: {', '.join(FORMATS)}")
    return OutputSpec(
        dir=_output_dir(t),
        formats=tuple(f for f in FORMATS if f in formats),
        tables_dir=_relative_dir(t, "tables_dir", "tables"),
        figures_dir=_relative_dir(t, "figures_dir", "figures"),
        formula_guard=t.flag("formula_guard", True),
    )


def _defaults(label: str, raw: Any) -> Defaults:
    t = _Table(
        label, "[defaults]", raw, ("by", "base", "nets", "min_n", "letters", "adjust", "alpha", "small", "level")
    )
    return Defaults(
        by=t.texts("by"),
        base=t.text("base", "valid", choices=_BASES),
        nets=t.nets("nets", "auto"),
        min_n=t.count("min_n", 100),
        letters=t.flag("letters", True),
        adjust=t.text("adjust", "holm", choices=_ADJUST),
        alpha=t.prob("alpha", 0.05),
        small=t.text("small", "<1", choices=("<1", "*")),
        level=t.prob("level", 0.95),
    )


def _sections(label: str, raw: Any) -> list[Section]:
    if not isinstance(raw, list):
        raise SpecError(f"{label}: 'section' must be an array of tables written [[section]]")
    out: list[Section] = []
    for i, r in enumerate(raw, 1):
        t = _Table(label, f"[[section]] #{i}", r, ("id", "title", "text"))
        out.append(Section(t.name("id", ""), t.text("title"), t.text("text", ""), t.where))
    return out


def _topline(label: str, i: int, raw: Any, d: Defaults) -> ToplineItem:
    t = _Table(label, f"[[topline]] #{i}", raw, ("var", "base", "nets", "section", "name", "chart"))
    var = t.text("var")
    return ToplineItem(
        var,
        t.text("section", "toplines"),
        t.name("name", f"topline_{file_safe(var)}"),
        t.text("base", d.base, choices=_BASES),
        t.nets("nets", d.nets),
        t.flag("chart", False),
        t.where,
    )


def _crosstab(label: str, i: int, raw: Any, d: Defaults) -> CrosstabItem:
    t = _Table(
        label,
        f"[[crosstab]] #{i}",
        raw,
        ("var", "by", "base", "nets", "section", "name", "chart", "level", "min_n", "letters", "adjust", "ci"),
    )
    var = t.text("var")
    by = t.texts("by", d.by)
    if not by:
        t.fail("no 'by' variables: give by = [\"F_AGECAT\", ...] here or in [defaults]")
    chart = t.text("chart", "likert", choices=("likert", "dots", "none"))
    level = t.text("level", None)
    if chart == "dots" and level is None:
        t.fail('chart = "dots" needs level = "<answer or NET label>" to plot')
    return CrosstabItem(
        var,
        by,
        t.text("section", "crosstabs"),
        t.name("name", f"crosstab_{file_safe(var)}"),
        t.text("base", d.base, choices=_BASES),
        t.nets("nets", d.nets),
        chart,
        level,
        t.count("min_n", d.min_n),
        t.flag("letters", d.letters),
        t.text("adjust", d.adjust, choices=_ADJUST),
        t.where,
        t.flag("ci", False),
    )


def _compare(label: str, i: int, raw: Any, d: Defaults) -> CompareItem:
    t = _Table(label, f"[[compare]] #{i}", raw, ("vars", "labels", "level", "by", "title", "section", "name", "chart"))
    vars_ = t.texts("vars")
    if len(vars_) != 2:
        t.fail(f"'vars' must name two questions to compare, not {len(vars_)}")
    labels = t.texts("labels", ())  # none: the questions' short names or wording (at build time)
    if t.has("labels") and len(labels) != 2:
        t.fail("'labels' must give two labels, one per question")
    chart = t.text("chart", "paired", choices=("paired", "likert"))
    level = t.text("level", None)
    if chart == "paired" and level is None:
        t.fail('chart = "paired" needs level = "<answer or NET label>" to compare')
    return CompareItem(
        vars_,
        labels,
        level,
        t.texts("by", d.by),
        t.text("title", None),
        t.text("section", "comparisons"),
        t.name("name", f"compare_{file_safe(vars_[0])}_{file_safe(vars_[1])}"),
        chart,
        t.where,
    )


def _model(label: str, i: int, raw: Any) -> ModelItem:
    t = _Table(label, f"[[model]] #{i}", raw, ("name", "type", "formula", "title", "section", "effects"))
    return ModelItem(
        t.name("name", f"model_{i}"),
        t.text("type", "logit", choices=("logit", "ologit", "glm")),
        t.text("formula"),
        t.text("title", None),
        t.text("section", "models"),
        t.texts("effects"),
        t.where,
    )


def _distribution(label: str, i: int, raw: Any) -> DistributionItem:
    t = _Table(
        label,
        f"[[distribution]] #{i}",
        raw,
        ("var", "by", "chart", "bins", "density", "title", "section", "name"),
    )
    var = t.text("var")
    bins = raw.get("bins", "sturges")
    if isinstance(bins, str):
        if bins != "sturges":
            t.fail(f'bins = {bins!r} is not valid; give "sturges", a number of bins such as 20, or the bin edges')
    elif isinstance(bins, bool) or not (
        (isinstance(bins, int) and bins >= 1)
        or (
            isinstance(bins, list)
            and len(bins) >= 2
            and all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bins)
            and all(a < b for a, b in pairwise(bins))
        )
    ):
        t.fail(
            f"'bins' must be \"sturges\", a number of bins >= 1 or a list of increasing bin edges, not {_show(bins)}"
        )
    return DistributionItem(
        var,
        t.texts("by"),
        t.text("chart", "both", choices=("both", "hist", "box")),
        tuple(float(b) for b in bins) if isinstance(bins, list) else bins,
        t.flag("density", True),
        t.text("title", None),
        t.text("section", "distributions"),
        t.name("name", f"distribution_{file_safe(var)}"),
        t.where,
    )


def _select_all(label: str, i: int, raw: Any) -> SelectAllItem:
    t = _Table(label, f"[[select_all]] #{i}", raw, ("items", "by", "base", "sort", "chart", "title", "section", "name"))
    items = t.texts("items")
    if len(items) < 2:
        t.fail('\'items\' must list two or more item columns, e.g. items = ["PP5a", "PP5b", "PP5c"]')
    return SelectAllItem(
        items,
        t.texts("by"),
        t.text("base", "asked", choices=("asked", "all")),
        t.text("sort", "share", choices=("asked", "share")),
        t.flag("chart", True),
        t.text("title", None),
        t.text("section", "batteries"),
        t.name("name", f"select_all_{file_safe(items[0])}"),
        t.where,
    )


def _grid(label: str, i: int, raw: Any) -> GridItem:
    t = _Table(label, f"[[grid]] #{i}", raw, ("items", "nets", "compare", "chart", "title", "section", "name"))
    items = t.texts("items")
    if len(items) < 2:
        t.fail('\'items\' must list two or more questions on one scale, e.g. items = ["CONCERNCO", "CONCERNGOV"]')
    compare = t.texts("compare")
    if compare and (len(compare) != 2 or not set(compare) <= set(items) or compare[0] == compare[1]):
        t.fail(f"'compare' must name two different items of the grid ({', '.join(items)}), not {_show(list(compare))}")
    return GridItem(
        items,
        t.flag("nets", True),
        (compare[0], compare[1]) if compare else None,
        t.flag("chart", True),
        t.text("title", None),
        t.text("section", "grids"),
        t.name("name", f"grid_{file_safe(items[0])}"),
        t.where,
    )


def _weighting(label: str, raw: Any) -> WeightingSpec:
    t = _Table(label, "[weighting]", raw, ("section", "title", "summary", "rake"))
    rake = raw.get("rake")
    if rake is not None:
        if not isinstance(rake, dict) or not rake:
            t.fail("'rake' must be a table of targets: rake.F_SEX = {Male = 0.48, Female = 0.52}")
        for var, targets in rake.items():
            if (
                not isinstance(targets, dict)
                or not targets
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in targets.values())
            ):
                t.fail(
                    f"rake.{var} must map each category to a non-negative share or total, "
                    f'e.g. {{"18-29" = 0.21}}; got {_show(targets)}'
                )
    return WeightingSpec(
        t.name("section", "weighting"), t.text("title", "Weighting"), t.flag("summary", True), rake, t.where
    )


def _complete_sections(
    label: str, sections: list[Section], items: tuple[Item, ...], weighting: WeightingSpec | None
) -> tuple[Section, ...]:
    """Check references and add the implicit sections (toplines, crosstabs, ...) items fall into."""
    by_id: dict[str, Section] = {}
    for s in sections:
        if s.id in by_id:
            raise SpecError(f"{label}: {s.where}: section id {s.id!r} is used twice; give each section its own id")
        by_id[s.id] = s
    implicit = {
        "toplines": "Toplines",
        "crosstabs": "Crosstabs",
        "comparisons": "Comparisons",
        "distributions": "Distributions",
        "batteries": "Select-all questions",
        "grids": "Item grids",
        "models": "Models",
        "trends": "Trends across waves",
    }
    out = list(sections)
    needed: list[tuple[str, str]] = [(it.section, it.where) for it in items]
    if weighting is not None:
        needed.append((weighting.section, weighting.where))
    for sid, where in needed:
        if sid in by_id:
            continue
        if sid in implicit:
            title = implicit[sid]
        elif weighting is not None and sid == weighting.section:
            title = weighting.title
        else:
            known = ", ".join(repr(s) for s in by_id) or "none defined"
            raise SpecError(
                f"{label}: {where}: section {sid!r} is not defined; add [[section]] id = {sid!r} (defined: {known})"
            )
        by_id[sid] = Section(sid, title, "", "")
        out.append(by_id[sid])
    return tuple(out)


def _unique_names(spec: Spec) -> None:
    """Every item names its own files: names differ (ignoring case) and are not pewlike's own."""
    seen: dict[str, str] = {}
    for group in (
        spec.toplines,
        spec.crosstabs,
        spec.compares,
        spec.select_alls,
        spec.grids,
        spec.distributions,
        spec.models,
        spec.trends,
    ):
        for it in group:
            key = it.name.casefold()
            if key in _RESERVED:
                raise SpecError(
                    f"{spec.label}: {it.where}: name = {it.name!r} is reserved (pewlike writes {_RESERVED[key]} "
                    'under that name); set name = "..." to another name'
                )
            if key in seen:
                raise SpecError(
                    f"{spec.label}: {it.where}: output name {it.name!r} is already used by {seen[key]}; "
                    'set name = "..." to tell them apart (names differing only in case count as one)'
                )
            seen[key] = it.where
