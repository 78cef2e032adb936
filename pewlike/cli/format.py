"""Render a DataFrame for the terminal or a pipe (table, csv, md, json)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["OutputFormat", "markdown", "render"]

#: Output formats of the commands' ``--format``: aligned text, or the estimates for pipes.
OutputFormat = Literal["table", "csv", "md", "json"]


def markdown(frame: pd.DataFrame, floatfmt: str = "{:.4g}") -> str:
    """A GitHub-flavoured Markdown table (no extra dependency).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table; its index is not shown.
    floatfmt : str
        ``str.format`` pattern of floats; NaN and None print as empty cells.

    Returns
    -------
    str
        Header, separator and one line per row; every header and text cell is
        :func:`~pewlike.textsafe.markdown_text` (``|``, links, images and raw HTML escaped,
        one line).

    Notes
    -----
    No R survey equivalent; like ``knitr::kable(frame, format = "pipe")`` in R.

    Examples
    --------
    >>> import pandas as pd
    >>> print(markdown(pd.DataFrame({"level": ["Yes", "No"], "estimate": [0.61234, float("nan")]})))
    | level | estimate |
    |---|---|
    | Yes | 0.6123 |
    | No |  |
    """
    from pewlike.textsafe import markdown_text

    cols = [markdown_text(c) for c in frame.columns]

    def cell(v: object) -> str:
        if isinstance(v, float):
            return "" if v != v else floatfmt.format(v)
        return "" if v is None else markdown_text(v)

    rows = [[cell(v) for v in rec] for rec in frame.itertuples(index=False, name=None)]
    out = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def render(frame: pd.DataFrame, fmt: OutputFormat = "table") -> str:
    """Format ``frame`` as ``table`` (aligned text), ``csv``, ``md`` or ``json`` (records).

    Parameters
    ----------
    frame : pandas.DataFrame
        A result's ``to_frame()`` (or a codebook); its index is not shown.
    fmt : {"table", "csv", "md", "json"}
        Aligned text for the terminal, or CSV, Markdown or JSON records for pipes.

    Returns
    -------
    str
        Without a trailing newline.  Text from the data is made safe for where it goes:
        ``csv`` cells that a spreadsheet would run as a formula get a leading ``'``
        (:func:`pewlike.tables.export.csv_safe`; numbers are never changed), ``md`` cells are
        escaped (:func:`markdown`), ``table`` cells lose escape sequences and control
        characters (:func:`~pewlike.textsafe.terminal_text`).

    Notes
    -----
    No R survey equivalent (R prints results with ``print`` and writes them with ``write.csv``).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"level": ["Yes", "No"], "estimate": [0.6, 0.4]})
    >>> print(render(frame, "csv"))
    level,estimate
    Yes,0.6
    No,0.4
    >>> print(render(frame, "json"))
    [
     {
      "level":"Yes",
      "estimate":0.6
     },
     {
      "level":"No",
      "estimate":0.4
     }
    ]
    """
    from pewlike.tables.export import csv_safe, map_text
    from pewlike.textsafe import terminal_text

    if fmt == "csv":
        return csv_safe(frame).to_csv(index=False).rstrip("\n")
    if fmt == "md":
        return markdown(frame)
    if fmt == "json":
        return frame.to_json(orient="records", indent=1)
    import pandas as pd

    with pd.option_context(
        "display.max_rows", 500, "display.max_columns", 50, "display.width", 160, "display.max_colwidth", 60
    ):
        return map_text(frame, terminal_text).to_string(index=False)
