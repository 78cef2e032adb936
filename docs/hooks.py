"""MkDocs hooks of the pewlike site (``hooks:`` in mkdocs.yml).

A page may hold a placeholder comment that is replaced, before Markdown is rendered, by
mkdocstrings directives generated from the package itself, so the reference follows the code:

* ``<!-- pewlike:public-names -->`` - one ``:::`` block per name in ``pewlike.__all__`` (the
  functions and classes a user meets as ``pw.<name>``), except those with a page of their own
  (``Survey``, the error classes and the ``errors`` module);
* ``<!-- pewlike:plots -->`` - one ``:::`` block per function of ``pewlike.plots.__all__``,
  under a heading per module that defines them (a new figure function appears by itself);
* ``<!-- pewlike:results -->`` - one ``:::`` block per result class (a subclass of
  :class:`pewlike.resultbase.Result` defined in any module of the package), under a heading
  per module, less :mod:`pewlike.resultbase` itself (documented whole on the page);
* ``<!-- pewlike:spec-keys -->`` - a table of keys for every table of a report spec, read from
  the dataclasses of :mod:`pewlike.report.schema` (a new item kind or key appears by itself).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
import typing
from typing import Any

PLACEHOLDER = "<!-- pewlike:public-names -->"
SPEC_KEYS = "<!-- pewlike:spec-keys -->"
PLOTS = "<!-- pewlike:plots -->"
RESULTS = "<!-- pewlike:results -->"

# the heading of the functions pewlike.plots defines itself
PLOTS_OWN = "## Tables and models\n\nFigures of toplines, crosstabs and models, and the source line under each.\n"

# not searched for result classes: the command line (no results of its own) and ``python -m``
NO_RESULTS = ("pewlike.cli", "pewlike.__main__")

# dataclass fields that are not keys of the TOML file: every class's place in the spec, and, per
# class, what the file gives another way (a label's variable is its table name [labels.VAR]) or the
# command line sets (keep_going: the starter report of `report --data`)
INTERNAL = {"where"}
INTERNAL_OF = {"Spec": {"path", "label", "keep_going"}, "LabelSpec": {"var"}, "WaveData": {"data"}}

# fields of Spec that are not written as ``[name]`` / ``[[singular name]]``: the header they have
# in the file, or None for a field that is no table (per-item ``filter``/``universe`` keys)
SPEC_HEADERS: dict[str, str | None] = {"universes": None, "labels": "[labels.VAR]", "waves": "[[data]]"}

# the TOML keys of a table whose dataclass holds them in another shape (a derive's kind and
# mapping come from one ``recode``, ``score`` or ``expr`` key); absent: the dataclass fields
TOML_KEYS = {"DeriveSpec": ("name", "label", "recode", "score", "expr")}

# keys of no field: (type, meaning)
EXTRA_KEYS = {
    ("DeriveSpec", "recode"): (
        "table",
        "`{var, map, other}`: new answer -> old answers (labels or SPSS codes) as `Survey.recode`; "
        "`other` is `keep` or `drop` for answers the map does not name.",
    ),
    ("DeriveSpec", "score"): ("table", "`{var, map}`: answer -> number, as `Survey.score`."),
    ("DeriveSpec", "expr"): (
        "str",
        "Arithmetic or a condition on other variables (`Survey.assign`); parsed by the safe "
        "condition language, never run as Python.",
    ),
}

# documented on their own pages (reference/survey.md, reference/errors.md)
OWN_PAGE = {"Survey", "errors", "__version__"}


def public_directives() -> str:
    """mkdocstrings directives for ``pewlike.__all__`` (less :data:`OWN_PAGE` and exceptions)."""
    pw = importlib.import_module("pewlike")
    blocks = []
    first = ["read", "demo"]
    for name in first + sorted((n for n in pw.__all__ if n not in first), key=str.lower):
        if name in OWN_PAGE or name not in pw.__all__:
            continue
        obj = getattr(pw, name)
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            continue
        path = f"{obj.__module__}.{obj.__qualname__}"
        blocks.append(f"::: {path}\n    options:\n      heading_level: 2\n      show_root_full_path: false\n")
    return "\n".join(blocks)


def _directive(path: str, level: int) -> str:
    return f"::: {path}\n    options:\n      heading_level: {level}\n      show_root_full_path: false\n"


def _module_heading(module: str) -> str:
    """``## `module` `` and the first line of its docstring."""
    doc = (inspect.getdoc(importlib.import_module(module)) or "").split("\n\n")[0].replace("\n", " ")
    return f"## `{module}`\n\n{_plain(doc)}\n"


def plots_directives() -> str:
    """mkdocstrings directives for ``pewlike.plots.__all__``, grouped by defining module."""
    plots = importlib.import_module("pewlike.plots")
    groups: dict[str, list[str]] = {}
    for name in plots.__all__:
        obj = getattr(plots, name)
        groups.setdefault(obj.__module__, []).append(f"{obj.__module__}.{obj.__qualname__}")
    out = []
    for module, paths in groups.items():
        out.append(_module_heading(module) if module != "pewlike.plots" else PLOTS_OWN)
        out.extend(_directive(p, 3) for p in paths)
    return "\n".join(out)


def result_classes() -> dict[str, list[str]]:
    """Module -> the result classes it defines (subclasses of ``Result``), in package order."""
    pw = importlib.import_module("pewlike")
    base = importlib.import_module("pewlike.resultbase").Result
    found: dict[str, list[str]] = {}
    for info in pkgutil.walk_packages(pw.__path__, "pewlike."):
        if info.name.startswith(NO_RESULTS) or info.name == "pewlike.resultbase":
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, base)
                and obj.__module__ == info.name
                and not name.startswith("_")
            ):
                found.setdefault(info.name, []).append(f"{info.name}.{obj.__qualname__}")
    return found


def results_directives() -> str:
    """mkdocstrings directives for every result class, under a heading per module."""
    out = []
    for module, paths in result_classes().items():
        out.append(_module_heading(module))
        out.extend(_directive(p, 3) for p in paths)
    return "\n".join(out)


def _keys(cls: type) -> list[str]:
    """The TOML keys of the table read into ``cls``."""
    if cls.__name__ in TOML_KEYS:
        return list(TOML_KEYS[cls.__name__])
    skip = INTERNAL | INTERNAL_OF.get(cls.__name__, set())
    return [g.name for g in dataclasses.fields(cls) if g.name not in skip]  # type: ignore[arg-type]


def spec_tables() -> list[tuple[str, type, list[str]]]:
    """The tables of a report spec: ``(header, dataclass, keys)``, the top level first.

    Read from :class:`pewlike.report.schema.Spec`: a field typed ``X`` (a dataclass) is the table
    ``[name]``, a field typed ``tuple[X, ...]`` the array of tables ``[[singular name]]`` (less the
    fields :data:`SPEC_HEADERS` names another way), and the other fields (less :data:`INTERNAL`)
    are keys of the top level.  The item kinds of
    :data:`pewlike.report.derive_spec.UNIVERSE_KINDS` also take ``filter`` and ``universe``;
    ``[[data]]`` (one per wave) takes ``wave`` and every key of ``[data]``.
    """
    schema = importlib.import_module("pewlike.report.schema")
    derive_spec = importlib.import_module("pewlike.report.derive_spec")
    hints = typing.get_type_hints(schema.Spec)
    top: list[str] = []
    tables: list[tuple[str, type, list[str]]] = []
    for f in dataclasses.fields(schema.Spec):
        if f.name in INTERNAL | INTERNAL_OF["Spec"]:
            continue
        if f.name in SPEC_HEADERS and SPEC_HEADERS[f.name] is None:
            continue
        kind = hints[f.name]
        args = [a for a in typing.get_args(kind) if a is not type(None) and a is not Ellipsis]
        inner = kind if dataclasses.is_dataclass(kind) else (args[0] if len(args) == 1 else None)
        if inner is not None and dataclasses.is_dataclass(inner):
            array = typing.get_origin(kind) is tuple
            name = f.name[:-1] if array and f.name.endswith("s") else f.name
            header = SPEC_HEADERS.get(f.name) or (f"[[{name}]]" if array else f"[{name}]")
            keys = _keys(inner)  # type: ignore[arg-type]
            if header == "[[data]]":
                keys += _keys(schema.DataSpec)
            if header.strip("[]") in derive_spec.UNIVERSE_KINDS:
                keys += ["filter", "universe"]
            tables.append((header, inner, keys))  # type: ignore[arg-type]
        else:
            top.append(f.name)
    return [("top level", schema.Spec, top), *tables]


def _attribute_docs(cls: type) -> dict[str, str]:
    """Descriptions from a numpydoc ``Attributes`` section (``a, b : type`` then indented text)."""
    doc = inspect.getdoc(cls) or ""
    match = re.search(r"^Attributes\n-+\n(.*?)(?:\n\n[A-Z][a-z]+\n-+\n|\Z)", doc, re.S | re.M)
    out: dict[str, str] = {}
    if not match:
        return out
    names: list[str] = []
    for line in match.group(1).splitlines():
        if line and not line.startswith(" "):
            names = [n.strip() for n in line.split(":")[0].split(",")]
            for n in names:
                out[n] = ""
        elif line.strip():
            for n in names:
                out[n] += line.strip() + " "
    return {k: _plain(v.strip()) for k, v in out.items()}


def _plain(text: str) -> str:
    """reST to Markdown for a table cell: roles and double backticks become code spans."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`").replace("|", "\\|")


# meanings of keys whose dataclass has no ``Attributes`` section (shown when the docstring is silent)
MEANINGS = {
    ("DataSpec", "file"): 'The data file, relative to the spec\'s folder; `"pewlike:demo"` is the bundled demo.',
    ("DataSpec", "weights"): 'A weight column, `"auto"` (finds `WEIGHT_W<n>`), or `false` (unweighted).',
    ("DataSpec", "strata"): "Stratum column (`pw.read(strata=)`).",
    ("DataSpec", "psu"): "Cluster column, or a list for a multistage design.",
    ("DataSpec", "fpc"): "Finite population correction column(s), one per stage.",
    ("DataSpec", "nest"): "PSU ids are unique only within strata (R's `nest=TRUE`).",
    ("DataSpec", "repweights"): 'Replicate weight columns, a list or a glob such as `"REPWT*"`.',
    ("DataSpec", "reptype"): "`JK1`, `JKn`, `BRR`, `Fay`, `bootstrap` or `SDR`.",
    ("DataSpec", "lonely_psu"): "`fail`, `remove`, `adjust`, `average` or `certainty`.",
    ("DataSpec", "filter"): 'The report\'s universe: a condition such as `"F_REG in [1, 2]"` (SPSS codes).',
    ("DataSpec", "universe"): 'Its name in notes and headings ("Among registered voters, n = ..."); needs a `filter`.',
    ("DataSpec", "synthetic"): "Label every table and figure as synthetic data.",
    ("DataSpec", "ordinal"): "Questions declared an ordered answer scale (`Survey.set_scale`).",
    ("DataSpec", "nominal"): "Questions declared not a scale.",
    ("OutputSpec", "dir"): "Output folder, relative to the spec's folder and inside it (`--out` overrides).",
    ("OutputSpec", "formats"): "Which of `html`, `md`, `csv`, `xlsx`, `png`, `svg` are written.",
    ("OutputSpec", "tables_dir"): "Subfolder of the tables.",
    ("OutputSpec", "figures_dir"): "Subfolder of the figures.",
    ("OutputSpec", "formula_guard"): "CSV text cells a spreadsheet would run as a formula get a leading `'`.",
    ("Defaults", "by"): "Demographics crossed when a crosstab gives no `by`.",
    ("Defaults", "base"): "`valid` (those who answered) or `all` (missing answers as rows).",
    ("Defaults", "nets"): '`"auto"`, none, or `{"NET label" = ["answer", ...]}`.',
    ("Defaults", "min_n"): "Columns with fewer respondents are flagged and not tested.",
    ("Defaults", "letters"): "Significance letters between crosstab columns.",
    ("Defaults", "adjust"): "Multiple-comparison adjustment of the letters: `holm`, `bonferroni`, `none`.",
    ("Defaults", "alpha"): "Significance level of the letters.",
    ("Defaults", "small"): "How a share below 0.5% is shown: `<1` or `*`.",
    ("Defaults", "level"): "Confidence level of intervals.",
    ("Spec", "title"): 'The report\'s title (default `"Survey report"`).',
    ("Spec", "subtitle"): "A line under the title.",
    ("Spec", "intro"): "A paragraph under the title.",
}


def _default(f: dataclasses.Field[Any]) -> str:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        return ""
    if isinstance(value, tuple):
        value = list(value)
    return f"`{value!r}`".replace("|", "\\|")


def _row(schema: Any, cls: type, key: str) -> str:
    """One row of a key table: the key, its type, default and meaning."""
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    if key not in fields and dataclasses.is_dataclass(cls) and cls.__name__ == "WaveData":
        cls = schema.DataSpec  # [[data]]: the keys of [data]
        fields = {f.name: f for f in dataclasses.fields(cls)}
    if (cls.__name__, key) in EXTRA_KEYS:
        typ, meaning = EXTRA_KEYS[(cls.__name__, key)]
        return f"| `{key}` | `{typ}` |  | {meaning} |"
    if key not in fields:  # an item's filter/universe (pewlike.report.derive_spec.Universe)
        universe = importlib.import_module("pewlike.report.derive_spec").Universe
        meaning = _attribute_docs(universe).get("filter" if key == "filter" else "name", "")
        if key == "universe":
            meaning += " Needs a `filter`."
        return f"| `{key}` | `str` |  | This item only: {meaning} |"
    f = fields[key]
    typ = str(f.type).replace("|", "or")
    meaning = _attribute_docs(cls).get(key) or MEANINGS.get((cls.__name__, key), "")
    same = re.fullmatch(r"As `(?:[\w.]+\.)?(\w+)`\.?", meaning)
    if same and inspect.isclass(other := getattr(schema, same.group(1), None)):
        meaning = _attribute_docs(other).get(key, meaning)
    return f"| `{key}` | `{typ}` | {_default(f)} | {meaning} |"


def spec_key_tables() -> str:
    """Markdown: one table of keys (type, default, meaning) per table of a report spec."""
    schema = importlib.import_module("pewlike.report.schema")
    out = []
    for header, cls, keys in spec_tables():
        summary = (inspect.getdoc(cls) or "").split("\n\n")[0].replace("\n", " ")
        out.append(f"### `{header}`\n\n{_plain(summary)}\n")
        out.append("| key | type | default | meaning |\n|---|---|---|---|")
        out.extend(_row(schema, cls, k) for k in keys)
        out.append("")
    return "\n".join(out)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace the placeholder comments of a page (MkDocs event)."""
    if PLACEHOLDER in markdown:
        markdown = markdown.replace(PLACEHOLDER, public_directives())
    if PLOTS in markdown:
        markdown = markdown.replace(PLOTS, plots_directives())
    if RESULTS in markdown:
        markdown = markdown.replace(RESULTS, results_directives())
    if SPEC_KEYS in markdown:
        markdown = markdown.replace(SPEC_KEYS, spec_key_tables())
    return markdown
