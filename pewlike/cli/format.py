"""Render a DataFrame for the terminal or a pipe (table, csv, md, json)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["markdown", "render"]


def markdown(frame: pd.DataFrame, floatfmt: str = "{:.4g}") -> str:
    """A GitHub-flavoured Markdown table (no extra dependency)."""
    cols = [str(c) for c in frame.columns]

    def cell(v) -> str:
        if isinstance(v, float):
            return "" if v != v else floatfmt.format(v)
        return "" if v is None else str(v).replace("|", "\\|")

    rows = [[cell(v) for v in rec] for rec in frame.itertuples(index=False, name=None)]
    out = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def render(frame: pd.DataFrame, fmt: str = "table") -> str:
    """Format ``frame`` as ``table`` (aligned text), ``csv``, ``md`` or ``json`` (records)."""
    if fmt == "csv":
        return frame.to_csv(index=False).rstrip("\n")
    if fmt == "md":
        return markdown(frame)
    if fmt == "json":
        return frame.to_json(orient="records", indent=1)
    import pandas as pd

    with pd.option_context(
        "display.max_rows", 500, "display.max_columns", 50, "display.width", 160, "display.max_colwidth", 60
    ):
        return frame.to_string(index=False)
