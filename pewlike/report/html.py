"""Rendering a built report: one self-contained ``index.html`` and a ``report.md``.

The HTML page has no script and loads nothing: its style sheet is inline and
every figure is a ``data:`` PNG.  Both documents are pure functions of the
blocks they are given, so the bytes are reproducible.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from pewlike.tables.export import TableDoc
from pewlike.textsafe import html_text, markdown_target, markdown_text, plain_text

__all__ = [
    "CSS",
    "Block",
    "BuiltSection",
    "FailureBlock",
    "FigureBlock",
    "PendingBlock",
    "ReportDoc",
    "TableBlock",
    "finished_blocks",
    "render_html",
    "render_markdown",
]


@dataclass(frozen=True)
class TableBlock:
    """A table of the report, with links to its files.

    Attributes
    ----------
    doc : TableDoc
        The table (title, text cells, notes).
    links : tuple of (str, str)
        ``(label, relative path)`` of each file written for it (CSV, Markdown, HTML).
    """

    doc: TableDoc
    links: tuple[tuple[str, str], ...] = ()  # (label, relative path)


@dataclass(frozen=True)
class FigureBlock:
    """A figure of the report: its PNG (inlined in the HTML page) and links to its files.

    Attributes
    ----------
    name : str
        File stem, also the HTML anchor ``fig-<name>``.
    alt : str
        Text alternative of the image.
    png : bytes
        The PNG image.
    path : str
        Relative path of the PNG (for ``report.md``); ``""`` when PNGs are not written.
    links : tuple of (str, str)
        ``(label, relative path)`` of each file written (PNG, SVG).
    """

    name: str
    alt: str
    png: bytes
    path: str  # relative path of the PNG (for report.md); "" when PNGs are not written
    links: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FailureBlock:
    """A part of the report that could not be built, shown in its place.

    Attributes
    ----------
    where : str
        The spec item (or figure) that failed.
    message : str
        The error, one line.
    """

    where: str
    message: str


#: Any block of a built section.
Block = TableBlock | FigureBlock | FailureBlock


class PendingBlock(Protocol):
    """A block still being made: a figure drawn in a worker process while the report is built."""

    def result(self, failures: list[str]) -> FigureBlock | FailureBlock:
        """The finished block; a failure is appended to ``failures`` and shown in its place."""
        ...


@dataclass
class BuiltSection:
    """A section being filled with blocks, in report order (mutable while the report is built).

    Attributes
    ----------
    id, title, text : str
        As the spec's :class:`~pewlike.report.schema.Section`.
    blocks : list
        :class:`TableBlock`, :class:`FigureBlock` and :class:`FailureBlock` items (and,
        until the figures are drawn, :class:`PendingBlock` figures).
    """

    id: str
    title: str
    text: str = ""
    blocks: list[Block | PendingBlock] = field(default_factory=list)


@dataclass(frozen=True)
class ReportDoc:
    """Everything a rendered report shows, in order (see :func:`render_html`, :func:`render_markdown`).

    Attributes
    ----------
    title, subtitle, intro : str
        The report's heading and opening paragraph (from the spec).
    statement : str
        The one-line methods statement (sample size, margin of error).
    source : str
        The source line (data file, weighted, synthetic or not).
    sections : tuple of BuiltSection
        The sections, in order.
    footer : str
        The pewlike version (and the build date when ``SOURCE_DATE_EPOCH`` is set).
    workbook : str
        Relative path of the Excel workbook, ``""`` when none was written.
    """

    title: str
    subtitle: str
    intro: str
    statement: str
    source: str
    sections: tuple[BuiltSection, ...]
    footer: str
    workbook: str = ""  # relative path of the Excel workbook, if written


CSS = """
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;color:#222;max-width:60rem;margin:2rem auto;
padding:0 1rem;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:2px solid #0072B2;padding-bottom:.2rem}
.subtitle{color:#555;font-size:1.05rem;margin-top:0}.statement{background:#F2F6FA;padding:.6rem .9rem;
border-left:4px solid #0072B2}nav ol{columns:2}figure{margin:1.5rem 0}figure.table{overflow-x:auto}
figcaption h4{margin:.2rem 0 .5rem;font-size:1rem}table{border-collapse:collapse;font-size:.86rem}
th,td{padding:.22rem .5rem;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
thead th{border-bottom:2px solid #888;vertical-align:bottom}thead th:first-child{text-align:left}tr.groups th{text-align:center;border-bottom:1px solid #bbb}
tbody th{text-align:left;font-weight:normal}tr.net th,tr.net td{font-weight:bold}tr.member th{padding-left:1.5rem}
.note{font-size:.8rem;color:#555;margin:.2rem 0}.links{font-size:.8rem}.links a{margin-right:.8rem}
img{max-width:100%;height:auto}.failure{border-left:4px solid #D55E00;background:#FDF1EA;padding:.6rem .9rem}
footer{margin-top:3rem;font-size:.8rem;color:#555;border-top:1px solid #ddd;padding-top:.6rem}
""".strip()


def _links(links: tuple[tuple[str, str], ...]) -> str:
    if not links:
        return ""
    return (
        "<p class='links'>"
        + "".join(f"<a href='{html_text(markdown_target(p))}'>{html_text(label)}</a>" for label, p in links)
        + "</p>"
    )


def _block_html(b: Block | PendingBlock) -> str:
    if isinstance(b, TableBlock):
        return b.doc.html() + _links(b.links)
    if isinstance(b, FigureBlock):
        data = base64.b64encode(b.png).decode("ascii")
        return (
            f"<figure class='chart' id='fig-{html_text(b.name)}'><img src='data:image/png;base64,{data}' "
            f"alt='{html_text(b.alt)}' width='800'>{_links(b.links)}</figure>"
        )
    if isinstance(b, FailureBlock):
        return f"<div class='failure'><p><b>Not built: {html_text(b.where)}</b></p><p>{html_text(b.message)}</p></div>"
    raise TypeError(type(b).__name__)  # pragma: no cover


def finished_blocks(doc: ReportDoc) -> tuple[dict[int, str], dict[int, str]]:
    """HTML and Markdown of every block that is not a figure still being drawn, by ``id`` of the block.

    The build renders these while its workers draw, then passes them to
    :func:`render_html` and :func:`render_markdown`.

    Parameters
    ----------
    doc : ReportDoc
        The report, some of its figures possibly still pending.

    Returns
    -------
    (dict, dict)
        ``{id(block): html}`` and ``{id(block): markdown}``.
    """
    done = [b for s in doc.sections for b in s.blocks if isinstance(b, (TableBlock, FigureBlock, FailureBlock))]
    return {id(b): _block_html(b) for b in done}, {id(b): _block_md(b) for b in done}


def render_html(doc: ReportDoc, *, rendered: Mapping[int, str] | None = None) -> str:
    """The self-contained HTML report: inline style sheet, figures as ``data:`` PNGs, no script.

    Parameters
    ----------
    doc : ReportDoc
        The built report (every figure drawn).
    rendered : mapping, optional
        Blocks rendered already (:func:`finished_blocks`), by ``id``.

    Returns
    -------
    str
        The page; text from the spec and the data is HTML-escaped and without control
        characters (:func:`~pewlike.textsafe.html_text`), and links point only at the
        files of the report (:func:`~pewlike.textsafe.markdown_target`).
    """
    toc = "".join(f"<li><a href='#{html_text(s.id)}'>{html_text(s.title)}</a></li>" for s in doc.sections)
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<link rel='icon' href='data:,'>",
        f"<title>{html_text(doc.title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{html_text(doc.title)}</h1>",
    ]
    if doc.subtitle:
        parts.append(f"<p class='subtitle'>{html_text(doc.subtitle)}</p>")
    parts.append("</header><main>")
    if doc.intro:
        parts.append(f"<p>{html_text(doc.intro)}</p>")
    parts.append(f"<p class='statement'>{html_text(doc.statement)}</p>")
    parts.append(f"<nav><h2>Contents</h2><ol>{toc}</ol></nav>")
    for s in doc.sections:
        parts.append(f"<section id='{html_text(s.id)}'><h2>{html_text(s.title)}</h2>")
        if s.text:
            parts.append(f"<p>{html_text(s.text)}</p>")
        parts.extend((rendered or {}).get(id(b)) or _block_html(b) for b in s.blocks)
        parts.append("</section>")
    wb = (
        f" All tables in one workbook: <a href='{html_text(markdown_target(doc.workbook))}'>{html_text(doc.workbook)}</a>."
        if doc.workbook
        else ""
    )
    parts.append(f"</main><footer><p>{html_text(doc.source)}{wb}</p><p>{html_text(doc.footer)}</p></footer>")
    parts.append("</body></html>")
    return plain_text("\n".join(parts) + "\n")


def _link(text: str, target: str) -> str:
    """A Markdown link to a file of the report: text escaped, target a relative path only."""
    return f"[{markdown_text(text, link_text=True)}]({markdown_target(target)})"


def _block_md(b: Block | PendingBlock) -> str:
    if isinstance(b, TableBlock):
        links = " · ".join(_link(label, p) for label, p in b.links)
        return b.doc.markdown() + (f"\n{links}\n" if links else "")
    if isinstance(b, FigureBlock):
        if not b.path:
            return f"*Figure: {markdown_text(b.alt).strip()}*\n"
        return f"![{markdown_text(b.alt, link_text=True)}]({markdown_target(b.path)})\n"
    if isinstance(b, FailureBlock):
        return f"> **Not built: {markdown_text(b.where).strip()}**  \n> {markdown_text(b.message)}\n"
    raise TypeError(type(b).__name__)  # pragma: no cover


def render_markdown(doc: ReportDoc, *, rendered: Mapping[int, str] | None = None) -> str:
    """The report as Markdown (figures linked from ``figures/``).

    Parameters
    ----------
    doc : ReportDoc
        The built report (every figure drawn).
    rendered : mapping, optional
        Blocks rendered already (:func:`finished_blocks`), by ``id``.

    Returns
    -------
    str
        Every piece of text from the spec and the data is
        :func:`~pewlike.textsafe.markdown_text` (one line, no raw HTML, no link or image
        of its own), and links point only at the files of the report.
    """
    md = markdown_text
    parts = [f"# {md(doc.title)}", ""]
    if doc.subtitle:
        parts += [f"*{md(doc.subtitle).strip()}*", ""]
    if doc.intro:
        parts += [md(doc.intro), ""]
    parts += [f"**{md(doc.statement).strip()}**", "", "## Contents", ""]
    parts += [f"{i}. [{md(s.title, link_text=True)}](#{markdown_target(s.id)})" for i, s in enumerate(doc.sections, 1)]
    for s in doc.sections:
        parts += ["", f'<a id="{html_text(s.id)}"></a>', "", f"## {md(s.title)}", ""]
        if s.text:
            parts += [md(s.text), ""]
        for b in s.blocks:
            parts += [(rendered or {}).get(id(b)) or _block_md(b)]
    parts += [
        "---",
        "",
        md(doc.source) + (f" All tables: {_link(doc.workbook, doc.workbook)}." if doc.workbook else ""),
        "",
        md(doc.footer),
    ]
    return plain_text("\n".join(parts).rstrip() + "\n")
