"""Pew toplines: the weighted share of each response to one question.

A :class:`Topline` keeps the estimates contract in :meth:`Topline.to_frame`
(fractions) and adds ``moe`` (margin of error of the question's base, in
points) and ``kind`` (``"response"``, ``"missing"`` or ``"net"``) after it.
Percentages are for presentation only (:meth:`Topline.table`).

The helpers :func:`resolve_nets` and :func:`net_estimates` are shared with
:mod:`pewlike.tables.crosstabs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.resultbase import RowEstimates, frame_text
from pewlike.tables.answers import (
    Base,
    Nets,
    NetSpec,
    ProportionCI,
    _net_rows,
    base_mask,
    categorical_column,
    check_base,
    moe_points,
    net_estimates,
    net_label,
    resolve_nets,
    response_frame,
)
from pewlike.tables.export import TableDoc, file_safe, fmt_int, fmt_points, pew_percents

if TYPE_CHECKING:  # pragma: no cover
    import os
    from pathlib import Path

    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.tables.table_backend import TableBackend

__all__ = [
    "Base",
    "NetSpec",
    "Nets",
    "ProportionCI",
    "Topline",
    "base_mask",
    "categorical_column",
    "check_base",
    "layout_rows",
    "moe_points",
    "net_estimates",
    "net_label",
    "resolve_nets",
    "topline",
]


@dataclass(frozen=True, eq=False, repr=False)
class Topline(RowEstimates):
    """A Pew topline of one question.

    Attributes
    ----------
    variable : str
        The question's column.
    question : str
        Its wording.
    base : {"valid", "all"}
        Who is in the percentage base.
    frame : pandas.DataFrame
        ``variable, level, estimate, std_error, ci_lower, ci_upper, deff, n, moe, kind``.
    vcov : ndarray
        Covariance of the response rows (not the nets); the array behind :attr:`cov`.
    n : int
        Unweighted base.
    moe : float
        Margin of error of the base in percentage points, including the design
        effect of the weights (Pew's convention).
    deff : float
        Kish design effect of the weights of the base.
    asked : int
        Respondents asked the question (rows with any answer, Refused included).
    total : int
        Respondents in the survey (or domain).
    nets : tuple of (label, members)
        The nets shown, with the responses each one adds up.
    level, method, design : as in :class:`~pewlike.estimation.results.Estimates`.
    universe_name : str or None
        The name of the survey's domain (``svy.subset(..., name="Registered voters")``):
        the note says "Among registered voters" and ``to_frame().attrs["universe"]`` holds it.
    asked_of : str or None
        The forms of a split-form survey the question was asked of, when they are exactly
        who answered (``"Form 1"``; see :func:`pewlike.tables.asked.asked_of_forms`): the
        note says "Asked of Form 1, n = 1,983".
    estimates, std_errors : pandas.Series
        Fractions, labelled by response (nets included).
    cov : pandas.DataFrame
        :attr:`vcov`, labelled by the responses it covers (not the nets).

    Methods
    -------
    conf_int(level=None)
        ``ci_lower, ci_upper``: the stored intervals.

    Notes
    -----
    The names of :mod:`pewlike.resultbase` are canonical; these older names stay as read-only
    aliases of them, for existing code:

    vcov : ndarray
        ``cov.to_numpy()`` (the stored field).
    """

    variable: str
    question: str
    base: Base
    frame: pd.DataFrame
    vcov: np.ndarray | None
    n: int
    moe: float
    deff: float
    asked: int
    total: int
    nets: Nets = ()
    level: float = 0.95
    method: str = "logit"
    design: str = ""
    universe_name: str | None = None
    asked_of: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """Estimates (fractions) then ``moe`` (points, the same for every row) and ``kind``.

        Returns
        -------
        pandas.DataFrame
            ``variable, level, estimate, std_error, ci_lower, ci_upper, deff, n, moe, kind``
            (a copy); ``kind`` is ``"response"``, ``"missing"`` or ``"net"``;
            ``attrs["universe"]`` names the domain when the subset was named.
        """
        frame = self.frame.copy()
        if self.universe_name:
            frame.attrs["universe"] = self.universe_name
        return frame

    def universe(self) -> str:
        """Who was asked, as a Pew table note ("Asked of all respondents" / "Asked of 2,120 of 4,272").

        A question asked of some forms of a split-form survey names them: "Asked of Form 1,
        n = 1,983".

        A named domain (``svy.subset(cond, name="Registered voters")``) is named:
        "Among registered voters, n = 2,861", or "Among registered voters, asked of 1,402
        of 2,861" when only some of them were asked.

        Returns
        -------
        str
        """
        if self.universe_name:
            among = f"Among {lower_first(self.universe_name)}"
            if self.asked_of:
                return f"{among}, asked of {self.asked_of}, n = {self.asked:,}"
            if self.asked == self.total:
                return f"{among}, n = {self.total:,}"
            return f"{among}, asked of {self.asked:,} of {self.total:,}"
        if self.asked == self.total:
            return "Asked of all respondents"
        if self.asked_of:
            return f"Asked of {self.asked_of}, n = {self.asked:,}"
        return f"Asked of {self.asked:,} of {self.total:,} respondents"

    def table(self, *, small: str = "<1", name: str | None = None) -> TableDoc:
        """Pew-rounded presentation: responses (nets above their members), notes with N and MOE.

        Parameters
        ----------
        small : str
            Text for a share above 0 that rounds to 0 (``"*"`` in older Pew toplines).
        name : str, optional
            File-safe table name; default ``topline_<variable>``.

        Returns
        -------
        TableDoc
            Columns ``Response, %``, titled with the question wording.

        Notes
        -----
        Pew's topline conventions: whole percentages rounded half up, ``<1`` and
        ``>99`` near the ends, nets rounded from their own share (see
        :mod:`pewlike.tables.export`).
        """
        import pandas as pd

        f = self.frame
        labels, pct = layout_rows(f, self.nets)
        doc = pd.DataFrame({"Response": labels, "%": pew_percents(pct, small=small)})
        from pewlike.tables.sheets import topline_sheet

        sheet = topline_sheet(labels, pct, n=self.n, moe=self.moe)
        return TableDoc(name or f"topline_{file_safe(self.variable)}", self.question, doc, self.notes(), sheet=sheet)

    def notes(self) -> list[str]:
        """Base, N and margin-of-error notes.

        Returns
        -------
        list of str
            Who was asked and the base, then the unweighted N, margin of error and design effect.
        """
        base = (
            "Percentages of all who were asked, Refused shown"
            if self.base == "all"
            else "Percentages of those who answered (Refused and Don't know excluded)"
        )
        return [
            f"{self.universe()}. {base}.",
            f"Unweighted N = {fmt_int(self.n)}; margin of error ±{fmt_points(self.moe)} percentage points "
            f"(design effect {self.deff:.2f}).",
        ]

    def summary(self) -> str:
        """Readable text: wording, the estimates (percent) with CIs, unweighted n, base and MOE.

        Returns
        -------
        str
        """
        import pandas as pd

        f = self.frame
        pct = {c: [f"{100 * v:.1f}" for v in f[c]] for c in ("estimate", "ci_lower", "ci_upper")}
        body = pd.DataFrame(
            {
                "response": f["level"].astype(str),
                "%": pct["estimate"],
                f"{self.level:.0%} CI": [f"{a} - {b}" for a, b in zip(pct["ci_lower"], pct["ci_upper"])],
                "n": [f"{int(n):,}" for n in f["n"]],
            }
        )
        lines = [f"Topline of {self.variable}", f"  {self.question}", frame_text(body), *self.notes()]
        return "\n".join(lines)

    def _covered_rows(self) -> np.ndarray:
        return self.frame["kind"].to_numpy() != "net"

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [(f"Topline of {self.variable}: {self.question}", self.frame)]

    def _repr_html_(self) -> str:
        """Notebook view: the Pew-formatted topline (as :meth:`table`) with its wording and notes, escaped.

        Returns
        -------
        str
        """
        from pewlike.tables.sheets import table_html

        return table_html(self.table())

    def to_excel(self, path: str | os.PathLike[str]) -> Path:
        """Write the topline to an ``.xlsx`` workbook: shares as numbers in percent format, N and MOE.

        Parameters
        ----------
        path : str or path-like
            Ends in ``.xlsx``.

        Returns
        -------
        pathlib.Path

        Notes
        -----
        As ``openxlsx::write.xlsx`` of a topline table in R; see :mod:`pewlike.io.workbook`.
        """
        from pewlike.tables.sheets import write_tables

        return write_tables([self.table()], path)


#: First words of survey universes that stay capitalised inside a sentence ("Among Republicans").
_PROPER = frozenset(
    w.casefold()
    for w in (
        *("Republican", "Republicans", "Democrat", "Democrats", "Democratic"),
        *("Hispanic", "Hispanics", "Latino", "Latinos", "Latina", "Latinas", "Latinx", "Black", "Asian"),
        *("White", "American", "Americans", "Christian", "Christians", "Catholic", "Catholics"),
        *("Protestant", "Protestants", "Jewish", "Jews", "Muslim", "Muslims", "Millennials", "Gen", "Boomers"),
        *("English", "Spanish"),
    )
)


def lower_first(text: str) -> str:
    """Lower-case the first letter of a name for use inside a sentence, unless it is a proper noun.

    Kept as written: an acronym or abbreviation ("US adults", "U.S. adults"), a word with a
    capital inside ("McDonald's customers"), and the proper nouns and adjectives of survey
    universes (Republicans, Democrats, Hispanic, Black, Asian, White, American, Christian ...),
    capitalised as Pew writes them.

    Examples
    --------
    >>> lower_first("Registered voters"), lower_first("US adults")
    ('registered voters', 'US adults')
    >>> lower_first("U.S. adults"), lower_first("Republicans and leaners"), lower_first("Hispanic adults")
    ('U.S. adults', 'Republicans and leaners', 'Hispanic adults')
    """
    if len(text) > 1 and text[1].isupper():
        return text
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    word = first.strip("\"'(,;:").rstrip(".")
    if "." in word or any(c.isupper() for c in word[1:]) or word.casefold() in _PROPER:
        return text
    return text[:1].lower() + text[1:]


def layout_rows(f: pd.DataFrame, nets: Sequence[tuple[str, Sequence[str]]]) -> tuple[list[str], list[float]]:
    """Row labels and shares in Pew order: each net just above its (indented) members.

    Missing answers (``base="all"``'s Refused and Don't know rows) come after the
    substantive ones whatever their codes (a file coding "Refused" -2 lists it first).
    Nets that are not runs of adjacent responses, or that overlap, are listed
    after the responses.

    Parameters
    ----------
    f : pandas.DataFrame
        One group's rows (``level, estimate, kind``), e.g. a topline's frame.
    nets : sequence of (label, members)
        The nets among those rows.

    Returns
    -------
    labels : list of str
        Row labels; members of a net shown above them are indented by two spaces.
    shares : list of float
        The unrounded share of each row.
    """
    resp = f[f["kind"] != "net"]
    share = dict(zip((str(x) for x in resp["level"]), resp["estimate"]))
    missing = (resp["kind"] == "missing").to_numpy()
    levels = [str(x) for x in resp["level"][~missing]] + [str(x) for x in resp["level"][missing]]
    members = dict(nets)
    netrows = f[f["kind"] == "net"]
    pos = {lev: i for i, lev in enumerate(levels)}
    contiguous = all(
        sorted(pos[m] for m in ms) == list(range(pos[ms[0]], pos[ms[0]] + len(ms))) for ms in members.values()
    )
    disjoint = len({m for ms in members.values() for m in ms}) == sum(len(ms) for ms in members.values())
    net_share = dict(zip(netrows["level"].astype(str), netrows["estimate"]))
    labels, pct = [], []
    if contiguous and disjoint:
        first = {ms[0]: lab for lab, ms in members.items()}
        inside = {m for ms in members.values() for m in ms}
        for lev in levels:
            if lev in first:
                labels.append(first[lev])
                pct.append(net_share[first[lev]])
            labels.append(("  " if lev in inside else "") + lev)
            pct.append(share[lev])
        return labels, pct
    return levels + list(net_share), [share[x] for x in levels] + list(net_share.values())


def topline(
    sf: SurveyFrame | TableBackend | Any,
    var: str,
    *,
    base: Base = "valid",
    nets: NetSpec = None,
    ci: ProportionCI = "logit",
    level: float = 0.95,
) -> Topline:
    """Weighted percentage of each response to one question, as a Pew topline.

    Called as ``svy.topline(var, ...)``; the survey's backend comes first.  One body for
    both backends: they give the shares and the base's weights
    (:class:`pewlike.tables.table_backend.TableBackend`).

    Parameters
    ----------
    sf : SurveyFrame, PartitionedFrame or TableBackend
        The survey (either backend of a :class:`pewlike.Survey`).
    var : str
        A categorical question (wave suffix optional).
    base : {"valid", "all"}
        ``"valid"``: percentages of substantive answers; ``"all"``: of everyone
        asked, with "Refused"/"Don't know" rows (Pew's topline convention).
    nets : mapping, "auto" or bool, optional
        ``{"NET Concerned": ["Very concerned", "Somewhat concerned"]}``, or
        ``"auto"`` / True: top two and bottom two of a scale of four answers, or of
        five around a neutral middle (:func:`auto_nets`); the scale is declared,
        the file's "ordinal", or recognised from its labels.
    ci : {"logit", "beta", "wilson", "xlogit", "mean"}
        Interval method for each share (R ``svyciprop(method=)``; see
        :func:`pewlike.estimation.estimators.proportion`).
    level : float
        Confidence level of intervals and the margin of error.

    Returns
    -------
    Topline
        ``to_frame()``: ``variable, level, estimate, std_error, ci_lower,
        ci_upper, deff, n, moe, kind``.

    Raises
    ------
    VariableError
        ``var`` is unknown or numeric.
    EstimationError
        ``base`` or ``nets`` is not valid.

    Notes
    -----
    The shares are ``svymean(~factor(var), design)`` in R survey (with
    ``na.rm`` per ``base``), intervals ``svyciprop``; nets are
    ``svyciprop(~I(var %in% members))``.  The margin of error is Pew's:
    ``z * sqrt(deff * 0.25 / n)`` in points, with the Kish design effect of the
    weights of the base (``pewmethods::calculate_deff``).  The layout follows
    Pew's topline conventions (nets above their members, whole percentages,
    ``base="all"`` showing Refused/Don't know rows).

    Examples
    --------
    >>> import pewlike as pw
    >>> t = pw.demo().topline("CONCERNCO", nets="auto")
    >>> list(t.to_frame()["kind"].unique())
    ['response', 'net']
    >>> t.table().frame["Response"].iloc[0]
    'NET Very/Somewhat concerned'
    """
    import pandas as pd

    from pewlike.tables.table_backend import table_backend

    tb = table_backend(sf)
    base = check_base(base)
    col = tb.categorical_column(var, "topline")
    est = tb.proportion(col, ci=ci, na_rm=(base == "valid"), level=level)
    if est.vcov is None:  # pragma: no cover - proportion() always gives the covariance
        raise TypeError("proportion() gave no covariance")
    frame, missing, _ = response_frame(tb.survey(), est, col)
    substantive = [lev for lev in frame["level"] if lev not in missing]
    resolved = resolve_nets(tb.nets_source(col), col, substantive, nets)
    nrows = _net_rows(col, tb.net_estimates(col, resolved, base=base, ci=ci, level=level))
    if len(nrows):
        nrows["kind"] = "net"
        frame = pd.concat([frame, nrows], ignore_index=True)
    order = list(dict.fromkeys(frame["level"]))
    frame["level"] = pd.Categorical(frame["level"], categories=order)
    bs = tb.base_stats(col, base, level)
    frame.insert(len(frame.columns) - 1, "moe", bs.moe)
    asked_of = tb.asked_of(col)
    return Topline(
        col,
        tb.question(col),
        base,
        frame,
        est.vcov,
        bs.n,
        bs.moe,
        bs.deff,
        bs.asked,
        tb.n_rows(),
        tuple(resolved),
        level,
        est.method,
        est.design,
        asked_of=asked_of,
    )
