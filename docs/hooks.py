"""MkDocs hooks of the pewlike site (``hooks:`` in mkdocs.yml).

A page may hold a placeholder comment that is replaced, before Markdown is rendered, by
mkdocstrings directives generated from the package itself, so the reference follows the code:

* ``<!-- pewlike:public-names -->`` - one ``:::`` block per name in ``pewlike.__all__`` (the
  functions and classes a user meets as ``pw.<name>``), except those with a page of their own
  (``Survey``, the error classes and the ``errors`` module).
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

PLACEHOLDER = "<!-- pewlike:public-names -->"

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


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace the placeholder comments of a page (MkDocs event)."""
    if PLACEHOLDER in markdown:
        markdown = markdown.replace(PLACEHOLDER, public_directives())
    return markdown
