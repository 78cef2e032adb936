"""How a fitted model presents itself outside the terminal: in a notebook and in a workbook.

The numbers are those of :meth:`ModelResult.to_frame` (never refitted); the notes say the
sample size, the design degrees of freedom and the formula, as the report's model table does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pewlike.textsafe import html_text

if TYPE_CHECKING:  # pragma: no cover
    import os
    from pathlib import Path

    import pandas as pd

    from pewlike.models.results import ModelResult

__all__ = ["model_html", "model_notes", "rounded_frame", "write_model"]


def model_notes(model: ModelResult) -> list[str]:
    """Notes under a model table: N and design df, how the tests are made, the formula.

    Parameters
    ----------
    model : ModelResult

    Returns
    -------
    list of str
    """
    se = "replicate weights" if model.replicates is not None else "linearization"
    return [
        f"N = {model.n_obs:,} respondents; design degrees of freedom = {model.df_resid:g}.",
        f"Design-based standard errors ({se}); t tests on the design degrees of freedom.",
        f"Model: {model.formula}",
    ]


def _p(p: float) -> str:
    if p != p:  # NaN
        return ""
    return "<.001" if p < 0.001 else f"{p:.3f}"


def rounded_frame(model: ModelResult) -> pd.DataFrame:
    """``to_frame()`` rounded for reading: estimates, SEs and CIs to 3 decimals, p as ``<.001``.

    Parameters
    ----------
    model : ModelResult

    Returns
    -------
    pandas.DataFrame
        Text cells: ``Term, Estimate, SE, t, p, CI``.
    """
    import pandas as pd

    f = model.to_frame()
    return pd.DataFrame(
        {
            "Term": f["term"].astype(str),
            "Estimate": [f"{v:.3f}" for v in f["estimate"]],
            "SE": [f"{v:.3f}" for v in f["std_error"]],
            "t": [f"{v:.2f}" for v in f["statistic"]],
            "p": [_p(v) for v in f["p_value"]],
            "95% CI": [f"{a:.3f} to {b:.3f}" for a, b in zip(f["ci_lower"], f["ci_upper"])],
        }
    )


def model_html(model: ModelResult) -> str:
    """The notebook view of a model: title, wording, the rounded table and the notes, all escaped.

    Parameters
    ----------
    model : ModelResult

    Returns
    -------
    str
    """
    f = rounded_frame(model)
    head = "".join(f"<th>{html_text(c)}</th>" for c in f.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html_text(v)}</td>" for v in rec) + "</tr>"
        for rec in f.itertuples(index=False, name=None)
    )
    question = f"<p>{html_text(model.question)}</p>" if model.question and model.question != model.response else ""
    notes = "".join(f"<p class='note'>{html_text(n)}</p>" for n in model_notes(model))
    return (
        f"<div class='pewlike-result'><p><b>{html_text(model._title())}</b></p>{question}"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}</div>"
    )


def write_model(model: ModelResult, path: str | os.PathLike[str]) -> Path:
    """Write ``to_frame()`` to an ``.xlsx`` workbook (numbers as numbers) with the notes under it.

    Parameters
    ----------
    model : ModelResult
    path : str or path-like
        Ends in ``.xlsx``.

    Returns
    -------
    pathlib.Path
    """
    from dataclasses import replace

    from pewlike.io.workbook import frame_sheet, write_workbook

    title = model._title()
    sheet = replace(frame_sheet(model.to_frame()), name="model", title=title, notes=model_notes(model))
    return write_workbook([sheet], path, title=title)
