"""MkDocs hooks of the pewlike site (``hooks:`` in mkdocs.yml).

A page may hold a placeholder comment that is replaced, before Markdown is rendered, by
mkdocstrings directives generated from the package itself, so the reference follows the code:

* ``<!-- pewlike:public-names -->`` - one ``:::`` block per name in ``pewlike.__all__`` (the
  functions and classes a user meets as ``pw.<name>``), except those with a page of their own
  (``Survey``, the error classes and the ``errors`` module);
* ``<!-- pewlike:spec-keys -->`` - a table of keys for every table of a report spec, read from
  the dataclasses of :mod:`pewlike.report.schema` (a new item kind or key appears by itself).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
import typing
from typing import Any

PLACEHOLDER = "<!-- pewlike:public-names -->"
SPEC_KEYS = "<!-- pewlike:spec-keys -->"

# dataclass fields that are not keys of the TOML file (where an item is, the spec's own path)
INTERNAL = {"where", "path", "label"}

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


def spec_tables() -> list[tuple[str, type, list[str]]]:
    """The tables of a report spec: ``(header, dataclass, keys)``, the top level first.

    Read from :class:`pewlike.report.schema.Spec`: a field typed ``X`` (a dataclass) is the table
    ``[name]``, a field typed ``tuple[X, ...]`` the array of tables ``[[singular name]]``, and the
    other fields (less :data:`INTERNAL`) are keys of the top level.
    """
    schema = importlib.import_module("pewlike.report.schema")
    hints = typing.get_type_hints(schema.Spec)
    top: list[str] = []
    tables: list[tuple[str, type, list[str]]] = []
    for f in dataclasses.fields(schema.Spec):
        if f.name in INTERNAL:
            continue
        kind = hints[f.name]
        args = [a for a in typing.get_args(kind) if a is not type(None) and a is not Ellipsis]
        inner = kind if dataclasses.is_dataclass(kind) else (args[0] if len(args) == 1 else None)
        if inner is not None and dataclasses.is_dataclass(inner):
            array = typing.get_origin(kind) is tuple
            name = f.name[:-1] if array and f.name.endswith("s") else f.name
            header = f"[[{name}]]" if array else f"[{name}]"
            keys = [g.name for g in dataclasses.fields(inner) if g.name not in INTERNAL]
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


def spec_key_tables() -> str:
    """Markdown: one table of keys (type, default, meaning) per table of a report spec."""
    schema = importlib.import_module("pewlike.report.schema")
    out = []
    for header, cls, keys in spec_tables():
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        docs = _attribute_docs(cls)
        summary = (inspect.getdoc(cls) or "").split("\n\n")[0].replace("\n", " ")
        out.append(f"### `{header}`\n\n{_plain(summary)}\n")
        out.append("| key | type | default | meaning |\n|---|---|---|---|")
        for k in keys:
            f = fields[k]
            typ = str(f.type).replace("|", "or")
            meaning = docs.get(k) or MEANINGS.get((cls.__name__, k), "")
            same = re.fullmatch(r"As `(\w+)`\.?", meaning)
            if same and inspect.isclass(other := getattr(schema, same.group(1), None)):
                meaning = _attribute_docs(other).get(k, meaning)
            out.append(f"| `{k}` | `{typ}` | {_default(f)} | {meaning} |")
        out.append("")
    return "\n".join(out)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace the placeholder comments of a page (MkDocs event)."""
    if PLACEHOLDER in markdown:
        markdown = markdown.replace(PLACEHOLDER, public_directives())
    if SPEC_KEYS in markdown:
        markdown = markdown.replace(SPEC_KEYS, spec_key_tables())
    return markdown
