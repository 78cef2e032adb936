"""Item grids: several questions answered on one scale, as one Pew table (rows items, columns answers).

:func:`grid` makes one :class:`~pewlike.tables.toplines.Topline` per item and lays them out
as one table; ``compare=(a, b)`` tests, for the same respondents, the difference between two
items' shares of each answer and net (correlated proportions: R ``svycontrast`` on
``svymean(~I(a == x) + I(b == x), design)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import EstimationError, VariableError
from pewlike.estimation.indicators import answer_levels, short_labels
from pewlike.resultbase import RowEstimates, frame_text
from pewlike.tables.export import TableDoc, file_safe, fmt_int, pew_percent
from pewlike.tables.toplines import categorical_column, topline

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.tables.toplines import NetSpec, ProportionCI, Topline

__all__ = ["Grid", "compare_items", "comparison_columns", "grid"]


def comparison_columns() -> list[str]:
    """Columns of :meth:`Grid.comparison`.

    Returns
    -------
    list of str
    """
    return [
        "level",
        "a",
        "b",
        "estimate_a",
        "estimate_b",
        "difference",
        "std_error",
        "ci_lower",
        "ci_upper",
        "p_value",
        "n",
    ]


@dataclass(frozen=True, eq=False, repr=False)
class Grid(RowEstimates):
    """Items answered on one scale (from :meth:`pewlike.Survey.grid`).

    Attributes
    ----------
    items : tuple of str
        Item columns, in the order given.
    labels : tuple of str
        Each item's short wording (what differs between the items' labels).
    question : str
        The wording the items share (may be empty).
    toplines : tuple of Topline
        One per item.
    frame : pandas.DataFrame
        ``variable, level, estimate, std_error, ci_lower, ci_upper, deff, n, moe, kind, item``:
        the toplines' rows, ``item`` the short wording.
    comparison_frame : pandas.DataFrame or None
        With ``compare=``: see :meth:`comparison`.
    vcov : ndarray or None
        Covariance of the response rows of every item (item major, answer minor; not the
        nets), as R's ``vcov(svymean(~a + b + ...))``; the array behind :attr:`cov`.
    universe_name : str or None
        The named domain the grid was built on (``svy.subset(cond, name=...)``): it leads
        the notes and is ``to_frame().attrs["universe"]``.
    """

    items: tuple[str, ...]
    labels: tuple[str, ...]
    question: str
    toplines: tuple[Topline, ...]
    frame: pd.DataFrame
    comparison_frame: pd.DataFrame | None = None
    level: float = 0.95
    vcov: np.ndarray | None = None
    universe_name: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """Every item's shares: the estimates contract, then ``moe, kind, item``.

        Returns
        -------
        pandas.DataFrame
            ``variable`` the item's column, ``level`` the answer or net; a copy;
            ``attrs["universe"]`` names the domain when the subset was named.
        """
        frame = self.frame.copy()
        if self.universe_name:
            frame.attrs["universe"] = self.universe_name
        return frame

    def _label_columns(self) -> tuple[str, ...]:
        return ("variable", "level")

    def _covered_rows(self) -> np.ndarray:
        return self.frame["kind"].to_numpy() != "net"

    def notes(self) -> list[str]:
        """The base (and the named domain), N per item and any comparison.

        Returns
        -------
        list of str
        """
        from pewlike.tables.toplines import lower_first

        base = "Percentages of those who answered each item (Refused excluded)."
        if self.universe_name:
            base = f"Among {lower_first(self.universe_name)}: {base[0].lower()}{base[1:]}"
        n = min(t.n for t in self.toplines)
        return [base, *self._asked_notes(), f"Unweighted N = {fmt_int(n)} or more per item.", *self._comparison_notes()]

    def _asked_notes(self) -> list[str]:
        """Who was asked, when not everyone: one form for all items, or each item's (a split-form pair)."""
        from pewlike.tables.toplines import lower_first

        asked = [t.universe() for t in self.toplines]
        if len(set(asked)) == 1:
            everyone = self.toplines[0].asked == self.toplines[0].total
            return [] if everyone else [f"{asked[0]}."]
        each = "; ".join(f'"{lab}" {lower_first(a)}' for lab, a in zip(self.labels, asked, strict=True))
        return [f"Items asked of different respondents: {each}."]

    def comparison(self) -> pd.DataFrame:
        """The tested differences between the two compared items (empty without ``compare=``).

        Returns
        -------
        pandas.DataFrame
            ``level, a, b, estimate_a, estimate_b, difference, std_error, ci_lower, ci_upper,
            p_value, n``: shares among those who answered both items, ``difference`` =
            a - b, its SE from the design covariance of the two shares.
        """
        import pandas as pd

        if self.comparison_frame is None:
            return pd.DataFrame(columns=comparison_columns())
        return self.comparison_frame.copy()

    def answers(self) -> list[str]:
        """The table's columns: the answers of the scale, then the nets."""
        f = self.frame
        resp = [str(x) for x in dict.fromkeys(f.loc[f["kind"] == "response", "level"])]
        nets = [str(x) for x in dict.fromkeys(f.loc[f["kind"] == "net", "level"])]
        return resp + nets

    def table(self, *, small: str = "<1", name: str | None = None) -> TableDoc:
        """Pew-rounded grid: one row per item (short wording), one column per answer and net.

        Parameters
        ----------
        small : str
            Text for a share above 0 that rounds to 0.
        name : str, optional
            File-safe name; default ``grid_<first item>``.

        Returns
        -------
        TableDoc
        """
        import pandas as pd

        cols = self.answers()
        doc: dict[str, list[str]] = {"Item": list(self.labels)}
        for c in cols:
            cells = []
            for item in self.items:
                hit = self.frame[(self.frame["variable"] == item) & (self.frame["level"].astype(str) == c)]
                cells.append(pew_percent(float(hit["estimate"].iloc[0]), small=small) if len(hit) else "")
            doc[c] = cells
        title = self.question or ", ".join(self.items)
        return TableDoc(name or f"grid_{file_safe(self.items[0])}", title, pd.DataFrame(doc), self.notes())

    def _comparison_notes(self) -> list[str]:
        c = self.comparison_frame
        if c is None or c.empty:
            return []
        a, b = str(c["a"].iloc[0]), str(c["b"].iloc[0])
        parts = [
            f"{lev}: {100 * float(d):+.1f} points (p = {float(p):.3f})"
            for lev, d, p in zip(c["level"], c["difference"], c["p_value"], strict=True)
        ]
        return [f"{a} minus {b}, same respondents (design-based paired test): " + "; ".join(parts) + "."]

    def summary(self) -> str:
        """Readable text: the grid in percent, then any comparison.

        Returns
        -------
        str
        """
        import pandas as pd

        cols = self.answers()
        body = pd.DataFrame({"item": list(self.labels)})
        for c in cols:
            body[c] = [
                f"{100 * float(self.frame[(self.frame['variable'] == i) & (self.frame['level'].astype(str) == c)]['estimate'].iloc[0]):.1f}"
                for i in self.items
            ]
        lines = [f"Grid of {len(self.items)} items" + (f": {self.question}" if self.question else ""), frame_text(body)]
        if self.universe_name:
            lines.append(self.notes()[0])
        return "\n".join(lines + self._comparison_notes())

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        out = [(f"Grid: {self.question or ', '.join(self.items)}", self.frame)]
        if self.comparison_frame is not None:
            out.append(("Comparison of two items", self.comparison_frame))
        return out


def _check_scale(sf: SurveyFrame, cols: list[str]) -> None:
    sets: dict[tuple[str, ...], list[str]] = {}
    for c in cols:
        sets.setdefault(answer_levels(sf, c), []).append(c)
    if len(sets) > 1:
        (a_l, a_c), (b_l, b_c) = list(sets.items())[:2]
        raise VariableError(
            f"grid: the items do not share one scale: {', '.join(a_c)} have answers {list(a_l)} but "
            f"{', '.join(b_c)} have {list(b_l)}; pass items answered on the same scale"
        )


def grid(
    sf: SurveyFrame,
    items: Sequence[str],
    *,
    nets: NetSpec = "auto",
    compare: tuple[str, str] | None = None,
    ci: ProportionCI = "logit",
    level: float = 0.95,
) -> Grid:
    """Several questions answered on one scale as one table, with an optional paired comparison.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    items : sequence of str
        Two or more categorical questions sharing one set of answers.
    nets : mapping, "auto", bool or None
        Nets, as :func:`pewlike.tables.toplines.topline`.
    compare : (str, str), optional
        Two of the items: the difference of their shares of each answer and net among
        the respondents who answered both, with a design-based test.
    ci : {"logit", "beta", "wilson", "xlogit", "mean"}
        Interval of each share.
    level : float
        Confidence level.

    Returns
    -------
    Grid

    Raises
    ------
    VariableError
        An item is not categorical, or the items have different answers (both groups named).
    EstimationError
        Fewer than two items, or ``compare`` names something not in ``items``.

    Notes
    -----
    Each row is ``svymean(~item, design)`` (a topline); ``cov`` is the covariance of every
    item's answer shares, ``vcov(svymean(~a + b + ..., design))`` when the items have the same
    respondents (each item on its own base otherwise); a comparison is
    ``svycontrast(svymean(~I(a == x) + I(b == x), design, na.rm=TRUE), c(1, -1))`` with a
    t test on ``degf(design)``.
    """
    import pandas as pd

    if isinstance(items, str) or len(items) < 2:
        raise EstimationError("grid needs two or more items answered on one scale, e.g. ['CONCERNCO', 'CONCERNGOV']")
    cols = [categorical_column(sf, i, "grid") for i in items]
    if len(set(cols)) < len(cols):
        raise EstimationError("grid: an item is given twice; list each item once")
    _check_scale(sf, cols)
    tops = tuple(topline(sf, c, nets=nets, ci=ci, level=level) for c in cols)
    stem, labels = short_labels([sf.codebook.variables[c].label for c in cols], cols)
    frames = []
    for lab, t in zip(labels, tops, strict=True):
        f = t.to_frame()
        f["item"] = lab
        frames.append(f)
    frame = pd.concat(frames, ignore_index=True)
    comp = None
    if compare is not None:
        if isinstance(compare, str) or len(compare) != 2:
            raise EstimationError(
                f"compare={compare!r} is not valid; give two of the items, e.g. compare=({cols[0]!r}, {cols[1]!r})"
            )
        pair = [sf.resolve(x) for x in compare]
        bad = [x for x in pair if x not in cols]
        if bad or pair[0] == pair[1]:
            raise EstimationError(
                f"compare= needs two different items of the grid ({', '.join(cols)}); got {list(compare)}"
            )
        comp = compare_items(sf, pair[0], pair[1], tops[0].nets, level=level)
    return Grid(tuple(cols), tuple(labels), stem, tops, frame, comp, level, vcov=_response_cov(sf, cols, frame))


def _response_cov(sf: SurveyFrame, cols: list[str], frame: pd.DataFrame) -> np.ndarray:
    """Covariance of every item's answer shares (the frame's response rows, in order), each on its base."""
    from pewlike.estimation.joint import joint_means

    values = []
    resp = frame["kind"].to_numpy() == "response"
    for c in cols:
        valid = sf.valid(c)
        answers = sf.data[c].astype(object)
        for x in frame.loc[resp & (frame["variable"] == c).to_numpy(), "level"].astype(str):
            values.append(np.where(valid, (answers == x).to_numpy(dtype=float), np.nan))
    return joint_means(sf, values).vcov


def compare_items(
    sf: SurveyFrame, a: str, b: str, nets: Sequence[tuple[str, Sequence[str]]] = (), *, level: float = 0.95
) -> pd.DataFrame:
    """Paired differences between two items' shares of each answer (and net), same respondents.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    a, b : str
        Resolved columns sharing one scale.
    nets : sequence of (label, members)
        Nets to compare too.
    level : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        :func:`comparison_columns`.

    Notes
    -----
    The mean of ``I(a in x) - I(b in x)`` over those valid on both equals
    ``svycontrast(svymean(~I(a %in% x) + I(b %in% x), design), c(1, -1))`` (the same
    influence values), so its SE holds the covariance of the two answers.
    """
    import pandas as pd

    from pewlike.distributions import t_sf
    from pewlike.estimation.estimators import mean
    from pewlike.io.codebook import Codebook
    from pewlike.resultbase import t_quantile

    both = sf.valid(a) & sf.valid(b)
    n = int(sf.design.weighted_rows(both & sf.design.in_domain).sum())  # R's unwtd.count: nonzero weights
    sa, sb = sf.data[a].astype(object), sf.data[b].astype(object)
    answers = list(answer_levels(sf, a))
    groups = [(x, (x,)) for x in answers] + [(lab, tuple(ms)) for lab, ms in nets]
    cols: dict[str, Any] = {}
    for k, (_, members) in enumerate(groups):
        ia = sa.isin(list(members)).to_numpy(dtype=float)
        ib = sb.isin(list(members)).to_numpy(dtype=float)
        cols[f"_ga{k}"] = np.where(both, ia, np.nan)
        cols[f"_gb{k}"] = np.where(both, ib, np.nan)
        cols[f"_gd{k}"] = np.where(both, ia - ib, np.nan)
    new = pd.DataFrame(cols, index=sf.data.index)
    cb = Codebook.from_frame(new, missing="keep")
    sf2 = sf.evolve(
        data=pd.concat([sf.data, new], axis=1),
        codebook=Codebook({**sf.codebook.variables, **cb.variables}, sf.codebook.file_label),
    )
    df = float(sf.degf)
    q = t_quantile(level, df)
    rows = []
    for k, (label, _) in enumerate(groups):
        d = mean(sf2, f"_gd{k}", level=level).to_frame().iloc[0]
        ea = float(mean(sf2, f"_ga{k}").to_frame()["estimate"].iloc[0])
        eb = float(mean(sf2, f"_gb{k}").to_frame()["estimate"].iloc[0])
        diff, se = float(d["estimate"]), float(d["std_error"])
        p = float(2 * t_sf(abs(diff / se), df)) if se > 0 else float("nan")
        rows.append([label, a, b, ea, eb, diff, se, diff - q * se, diff + q * se, p, n])
    return pd.DataFrame(rows, columns=comparison_columns())
