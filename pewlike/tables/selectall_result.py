"""The result of a select-all battery: :class:`SelectAll` (shares, NET Any, number selected).

Made by :func:`pewlike.tables.selectall.select_all`; it only presents what was estimated
(``to_frame()``, ``table()``, ``summary()``, notes on the base).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

import numpy as np

from pewlike.resultbase import RowEstimates, frame_text
from pewlike.tables.export import TableDoc, file_safe, fmt_int, fmt_points, pew_percent

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["SelectAll", "SelectAllBase"]

#: Who is in the base of a select-all share: those asked the battery, or every respondent.
SelectAllBase: TypeAlias = Literal["asked", "all"]


@dataclass(frozen=True, eq=False, repr=False)
class SelectAll(RowEstimates):
    """The shares of a select-all battery (from :meth:`pewlike.Survey.select_all`).

    Attributes
    ----------
    variable : str
        The battery's name (``name=`` or the items' common stem, e.g. ``PP5``).
    question : str
        The wording the items share.
    items : tuple of str
        Item columns, as asked.
    labels : tuple of str
        Each item's own wording, as asked.
    base : {"asked", "all"}
        Who is in the base.
    by : tuple of str
        Domain variables.
    frame : pandas.DataFrame
        ``variable, level, <by>, estimate, std_error, ci_lower, ci_upper, deff, n, item, kind``
        (plus ``letters`` with ``by``); ``kind`` is ``"item"``, ``"net"`` (NET Any) or ``"none"``.
    count : pandas.DataFrame
        The mean number of items selected (estimates contract, ``level`` empty).
    count_distribution : pandas.DataFrame
        The share selecting 0, 1, 2, ... items (estimates contract, ``level`` the number).
    n : int
        Unweighted base.
    asked, total : int
        Respondents asked the battery (any item answered) and in the survey (or domain).
    moe : float
        Pew margin of error of the base (points).
    notes_ : tuple of str
        Statements about the base (who was not asked, skipped items).
    sort : {"asked", "share"}
        Item order of the frame.
    vcov : ndarray or None
        Covariance of every row of ``frame`` (items, NET Any, None of these; with ``by``
        their groups), as R's ``vcov(svymean(~i1 + i2 + ...))``: the array behind :attr:`cov`.
    pairs : pandas.DataFrame or None
        With ``by``: every pairwise test behind the letters, ``item, level, a, b,
        difference, std_error, t, p_value, p_adjusted`` (``a``/``b`` the groups).
    df : float
        Degrees of freedom of the letters' t tests: the design df of those in the base who
        have the ``by`` values (as a crosstab's one df).
    """

    variable: str
    question: str
    items: tuple[str, ...]
    labels: tuple[str, ...]
    base: SelectAllBase
    by: tuple[str, ...]
    frame: pd.DataFrame
    count: pd.DataFrame
    count_distribution: pd.DataFrame
    n: int
    asked: int
    total: int
    moe: float
    notes_: tuple[str, ...] = ()
    sort: str = "asked"
    level: float = 0.95
    vcov: np.ndarray | None = None
    universe_name: str | None = None
    pairs: pd.DataFrame | None = None
    df: float = float("inf")

    def to_frame(self) -> pd.DataFrame:
        """The shares: ``variable, level, <by>, estimate, std_error, ci_lower, ci_upper, deff, n`` then ``item, kind``.

        Returns
        -------
        pandas.DataFrame
            A copy; ``level`` is the item's wording ("NET Any", "None of these" for the
            summary rows), ``n`` the unweighted count selecting; ``letters`` (with ``by``)
            names the groups each group's share is significantly above.
        """
        frame = self.frame.copy()
        if self.universe_name:
            frame.attrs["universe"] = self.universe_name
        return frame

    def _label_columns(self) -> tuple[str, ...]:
        return ("level", *self.by)

    def notes(self) -> list[str]:
        """Base, N, margin of error and the number selected.

        Returns
        -------
        list of str
        """
        if self.base == "asked":
            who = (
                f"Asked of {self.asked:,} of {self.total:,} respondents"
                if self.asked < self.total
                else "Asked of all respondents"
            )
            base = f"{who}. Percentages of those asked the battery; items left blank count as not selected."
        else:
            base = f"Percentages of all {self.total:,} respondents (those not asked count as not selecting)."
        if self.universe_name:
            from pewlike.tables.toplines import lower_first

            base = f"Among {lower_first(self.universe_name)}: {base[0].lower()}{base[1:]}"
        mean = self.count[self.count[list(self.by)].notna().all(axis=1)] if self.by else self.count
        avg = "; ".join(f"{v:.1f}" for v in mean["estimate"])
        lines = [
            f"{base} Respondents could select more than one item; NET Any is the share selecting at least one.",
            f"Unweighted N = {fmt_int(self.n)}; margin of error ±{fmt_points(self.moe)} percentage points. "
            f"Mean number of items selected: {avg}.",
            *self.notes_,
        ]
        if self.by and "letters" in self.frame:
            lines.append(
                "Letters: significantly higher than the group with that letter (design-based t tests, Holm-adjusted, p < .05)."
            )
        return lines

    def table(self, *, small: str = "<1", name: str | None = None) -> TableDoc:
        """Pew-rounded presentation: one row per item (sorted as the result), NET Any, None of these.

        Parameters
        ----------
        small : str
            Text for a share above 0 that rounds to 0.
        name : str, optional
            File-safe table name; default ``select_all_<variable>``.

        Returns
        -------
        TableDoc
            Columns ``Item, %`` or, with ``by``, ``Item`` and one column per group (with
            its letter and the letters of groups it is above).
        """
        import pandas as pd

        f = self.frame
        rows = list(dict.fromkeys(f["level"].astype(str)))
        doc: dict[str, list[str]] = {"Item": rows}
        if not self.by:
            doc["%"] = [
                pew_percent(float(f.loc[f["level"].astype(str) == r, "estimate"].iloc[0]), small=small) for r in rows
            ]
        else:
            keys = f[list(self.by)].astype(str).agg(" / ".join, axis=1)
            groups = list(dict.fromkeys(keys))
            for g_i, g in enumerate(groups):
                letter = chr(ord("A") + g_i) if g_i < 26 else str(g_i)
                cells = []
                for r in rows:
                    hit = f[(f["level"].astype(str) == r) & (keys == g)]
                    if hit.empty:
                        cells.append("")
                        continue
                    txt = pew_percent(float(hit["estimate"].iloc[0]), small=small)
                    let = str(hit["letters"].iloc[0]) if "letters" in hit else ""
                    cells.append(f"{txt} {let}".strip())
                doc[f"{g} ({letter})"] = cells
        title = self.question or self.variable
        return TableDoc(name or f"select_all_{file_safe(self.variable)}", title, pd.DataFrame(doc), self.notes())

    def summary(self) -> str:
        """Readable text: the battery, each item's share (percent) with CIs, the notes.

        Returns
        -------
        str
        """
        import pandas as pd

        f = self.frame
        body = pd.DataFrame(
            {
                "item": f["level"].astype(str),
                **{b: f[b].astype(str) for b in self.by},
                "%": [f"{100 * v:.1f}" for v in f["estimate"]],
                f"{self.level:.0%} CI": [
                    f"{100 * a:.1f} - {100 * b:.1f}" for a, b in zip(f["ci_lower"], f["ci_upper"])
                ],
                "n": [f"{int(n):,}" for n in f["n"]],
                **({"letters": f["letters"].astype(str)} if "letters" in f else {}),
            }
        )
        head = f"Select-all battery {self.variable}" + (f": {self.question}" if self.question else "")
        return "\n".join([head, frame_text(body), *self.notes()])

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [(f"Select-all battery {self.variable}", self.frame)]
