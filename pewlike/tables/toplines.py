"""Pew toplines: the weighted share of each response to one question.

A :class:`Topline` keeps the estimates contract in :meth:`Topline.to_frame`
(fractions) and adds ``moe`` (margin of error of the question's base, in
points) and ``kind`` (``"response"``, ``"missing"`` or ``"net"``) after it.
Percentages are for presentation only (:meth:`Topline.table`).

The helpers :func:`resolve_nets` and :func:`net_estimates` are shared with
:mod:`pewlike.tables.crosstabs`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from pewlike.errors import EstimationError, VariableError
from pewlike.resultbase import RowEstimates, frame_text
from pewlike.tables.export import TableDoc, file_safe, fmt_int, fmt_points, pew_percents

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.estimation.results import Estimates

__all__ = [
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

Base = Literal["valid", "all"]
NetSpec = Mapping[str, Sequence[str]] | Literal["auto"] | None


# ---------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------
def categorical_column(sf: SurveyFrame, var: str, what: str) -> str:
    """Resolve ``var`` and check it holds response options (categorical, text or boolean), not numbers."""
    import pandas as pd

    col = sf.resolve(var)
    dtype = sf.data[col].dtype
    if (
        not isinstance(dtype, pd.CategoricalDtype)
        and pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
    ):
        raise VariableError(
            f"{what} needs a categorical question but {col!r} is numeric ({dtype}); "
            f"use svy.mean({col!r}) for its average, or give it value labels"
        )
    return col


def check_base(base: str) -> str:
    """Validate ``base``: ``"valid"`` (substantive answers) or ``"all"`` (with Refused/DK rows)."""
    if base not in ("valid", "all"):
        raise EstimationError(
            f"base={base!r} is not valid; choose 'valid' (substantive answers) or 'all' (Refused/Don't know rows shown)"
        )
    return base


def base_mask(sf: SurveyFrame, col: str, base: str) -> np.ndarray:
    """Rows (over all rows) in the base of a question: asked, in the domain, and valid if ``base="valid"``."""
    ok = sf.valid(col) if base == "valid" else sf.data[col].notna().to_numpy()
    return ok & sf.design.in_domain


def moe_points(sf: SurveyFrame, mask: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Pew's margin of error (points) and the design effect of the weights of the rows in ``mask``.

    Notes
    -----
    :func:`pewlike.moe` and :func:`pewlike.weighting.summary.kish_deff` of those
    weights: ``pewmethods::calculate_deff(w)`` in R, ``deff = 1 + (sd(w)/mean(w))^2``
    and ``moe = 1.96 * sqrt(deff * 0.25 / n) * 100``.
    """
    from pewlike.weighting.summary import kish_deff, moe

    w = sf.design.weights[mask]
    w = w[w != 0]
    if w.size == 0:
        return float("nan"), float("nan")
    return float(moe(w, level=level)), float(kish_deff(w))


def net_label(members: Sequence[str]) -> str:
    """Pew's label of a net: ``["Very concerned", "Somewhat concerned"]`` -> ``NET Very/Somewhat concerned``."""
    words = [m.split(" ") for m in members]
    common = 0
    while all(len(w) > common + 1 for w in words) and len({tuple(w[len(w) - common - 1 :]) for w in words}) == 1:
        common += 1
    if common and len(members) > 1:
        heads = [" ".join(w[: len(w) - common]) for w in words]
        return "NET " + "/".join(heads) + " " + " ".join(words[0][len(words[0]) - common :])
    return "NET " + "/".join(members)


def resolve_nets(sf: SurveyFrame, col: str, levels: Sequence[str], nets: NetSpec) -> list[tuple[str, tuple]]:
    """Check a nets spec against the substantive levels of ``col``.

    ``"auto"`` gives Pew's two nets (top two, bottom two) for an ordinal
    question with exactly four substantive answers, and none otherwise.
    """
    if nets is None:
        return []
    if isinstance(nets, str):
        if nets != "auto":
            raise EstimationError(
                f"nets={nets!r} is not valid; give 'auto' or a mapping {{'NET label': [response, ...]}}"
            )
        info = sf.codebook.variables[col]
        ordinal = info.measure == "ordinal" or (
            info.measure is None and bool(getattr(sf.data[col].dtype, "ordered", False))
        )
        if len(levels) != 4 or not ordinal:
            return []
        pairs = [tuple(levels[:2]), tuple(levels[2:])]
        return [(net_label(p), p) for p in pairs]
    out = []
    for label, members in dict(nets).items():
        members = (members,) if isinstance(members, str) else tuple(members)
        bad = [m for m in members if m not in levels]
        if bad or not members:
            raise EstimationError(
                f"net {label!r} names {', '.join(map(repr, bad)) or 'no response'}, "
                f"not a response of {col!r}; choose from {', '.join(map(repr, levels))}"
            )
        out.append((str(label) if str(label).startswith("NET") else f"NET {label}", members))
    return out


def response_frame(sf, est, col: str):
    """``est.to_frame()`` with text levels and a ``kind`` column ("response" or "missing").

    Returns ``(frame, missing labels, levels in order)``; shared by toplines and
    crosstabs of in-memory and partitioned surveys.
    """
    frame = est.to_frame()
    missing = set(sf.codebook.variables[col].missing)
    levels = [str(x) for x in frame["level"].cat.categories]
    frame["level"] = frame["level"].astype(str)
    frame["kind"] = np.where(frame["level"].isin(list(missing)), "missing", "response")
    return frame, missing, levels


def disjoint_groups(nets) -> list[list[int]]:
    """Greedy groups of nets whose answer lists do not overlap (each group is one estimate)."""
    groups: list[list[int]] = []
    for i, (_, members) in enumerate(nets):
        for g in groups:
            if not any(set(members) & set(nets[j][1]) for j in g):
                g.append(i)
                break
        else:
            groups.append([i])
    return groups


def net_estimates(
    sf: SurveyFrame, col: str, nets, *, by=None, base: str = "valid", ci: str = "logit", level: float = 0.95
) -> list[tuple[str, Estimates, int, int]]:
    """Estimates of each net's share: ``(label, estimates, position, levels)`` per net.

    Nets that share no answer are estimated together, as the levels of one
    recode of ``col`` (net 1, net 2, ..., the rest of the base); a net's rows
    in ``estimates`` are ``position + levels * g`` for domain ``g``.  The share
    of one level does not depend on how the other answers are grouped, so each
    net's estimate, SE, design effect and interval are exactly those of
    ``svyciprop(~I(var %in% members), design)`` in R.
    """
    import pandas as pd

    from pewlike.estimation.estimators import factor_codes, proportion
    from pewlike.io.codebook import VariableInfo

    if not nets:
        return []
    in_base = sf.valid(col) if base == "valid" else sf.data[col].notna().to_numpy()
    _, codes, cats = factor_codes(sf, col, na_rm=False)
    groups = disjoint_groups(nets)
    out: list = [None] * len(nets)
    for k, group in enumerate(groups):
        which = np.full(len(cats) + 1, len(group))  # answers in no net of this group: "the rest"
        for j, i in enumerate(group):
            which[np.isin(np.asarray(cats, dtype=object), list(nets[i][1])).nonzero()[0]] = j
        new = np.where(in_base & (codes >= 0), which[np.where(codes >= 0, codes, len(cats))], -1)
        labels = [nets[i][0] for i in group]
        name = f"{col}.NET{k + 1}"
        data = sf.data.assign(**{name: pd.Categorical.from_codes(new, categories=[*labels, "\x00rest"])})
        cb = sf.codebook.replace(
            **{name: VariableInfo(name, sf.codebook.variables[col].label, {}, (), (), "categorical")}
        )
        est = proportion(sf.evolve(data=data, codebook=cb), name, by=by, ci=ci, level=level)
        for j, i in enumerate(group):
            out[i] = (nets[i][0], est, j, len(group) + 1)
    return out


def _net_rows(col: str, nets) -> pd.DataFrame:
    """The net rows of :func:`net_estimates` in the estimates layout (all domains, net by net)."""
    import pandas as pd

    frames = []
    for label, est, pos, L in nets:
        f = est.to_frame()
        f = f.iloc[pos::L].copy()
        f["variable"] = col
        f["level"] = label
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# ---------------------------------------------------------------------------
# the topline
# ---------------------------------------------------------------------------
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
    base: str
    frame: pd.DataFrame
    vcov: np.ndarray | None
    n: int
    moe: float
    deff: float
    asked: int
    total: int
    nets: tuple[tuple[str, tuple[str, ...]], ...] = ()
    level: float = 0.95
    method: str = "logit"
    design: str = ""

    def to_frame(self) -> pd.DataFrame:
        """Estimates (fractions) then ``moe`` (points, the same for every row) and ``kind``."""
        return self.frame.copy()

    def universe(self) -> str:
        """Who was asked, as a Pew table note ("Asked of all respondents" / "Asked of 2,120 of 4,272")."""
        if self.asked == self.total:
            return "Asked of all respondents"
        return f"Asked of {self.asked:,} of {self.total:,} respondents"

    def table(self, *, small: str = "<1", name: str | None = None) -> TableDoc:
        """Pew-rounded presentation: responses (nets above their members), notes with N and MOE."""
        import pandas as pd

        f = self.frame
        labels, pct = layout_rows(f, self.nets)
        doc = pd.DataFrame({"Response": labels, "%": pew_percents(pct, small=small)})
        return TableDoc(name or f"topline_{file_safe(self.variable)}", self.question, doc, self.notes())

    def notes(self) -> list[str]:
        """Base, N and margin-of-error notes."""
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
        """Readable text: wording, the estimates (percent) with CIs, unweighted n, base and MOE."""
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


def layout_rows(f: pd.DataFrame, nets) -> tuple[list[str], list[float]]:
    """Row labels and shares in Pew order: each net just above its (indented) members.

    ``f`` holds one group's rows (``level, estimate, kind``).  Nets that are not
    runs of adjacent responses, or that overlap, are listed after the responses.
    """
    resp = f[f["kind"] != "net"]
    levels = [str(x) for x in resp["level"]]
    share = dict(zip(levels, resp["estimate"]))
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
    sf: SurveyFrame, var: str, *, base: Base = "valid", nets: NetSpec = None, ci: str = "logit", level: float = 0.95
) -> Topline:
    """Weighted percentage of each response to one question, as a Pew topline.

    Parameters
    ----------
    svy : Survey
    var : str
        A categorical question (wave suffix optional).
    base : {"valid", "all"}
        ``"valid"``: percentages of substantive answers; ``"all"``: of everyone
        asked, with "Refused"/"Don't know" rows (Pew's topline convention).
    nets : mapping or "auto", optional
        ``{"NET Concerned": ["Very concerned", "Somewhat concerned"]}``, or
        ``"auto"`` (top two / bottom two of a four-point ordinal scale).
    ci : str
        Interval method for each share (see :func:`pewlike.estimation.estimators.proportion`).
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

    Notes
    -----
    The shares are ``svymean(~factor(var), design)`` in R survey (with
    ``na.rm`` per ``base``), intervals ``svyciprop``; nets are
    ``svyciprop(~I(var %in% members))``.  The margin of error is Pew's:
    ``z * sqrt(deff * 0.25 / n)`` in points, with the Kish design effect of the
    weights of the base (``pewmethods::calculate_deff``).

    Examples
    --------
    >>> import pewlike as pw
    >>> t = pw.demo().topline("CONCERNCO", nets="auto")
    >>> list(t.to_frame()["kind"].unique())
    ['response', 'net']
    """
    import pandas as pd

    from pewlike.estimation.estimators import proportion

    base = check_base(base)
    col = categorical_column(sf, var, "topline")
    est = proportion(sf, col, ci=ci, na_rm=(base == "valid"), level=level)
    frame, missing, _ = response_frame(sf, est, col)
    substantive = [lev for lev in frame["level"] if lev not in missing]
    resolved = resolve_nets(sf, col, substantive, nets)
    nrows = _net_rows(col, net_estimates(sf, col, resolved, base=base, ci=ci, level=level))
    if len(nrows):
        nrows["kind"] = "net"
        frame = pd.concat([frame, nrows], ignore_index=True)
    order = list(dict.fromkeys(frame["level"]))
    frame["level"] = pd.Categorical(frame["level"], categories=order)
    mask = base_mask(sf, col, base)
    moe, deff = moe_points(sf, mask, level)
    frame.insert(len(frame.columns) - 1, "moe", moe)
    asked = int((sf.data[col].notna().to_numpy() & sf.design.in_domain).sum())
    return Topline(
        col,
        sf.question(col),
        base,
        frame,
        est.vcov,
        int(mask.sum()),
        moe,
        deff,
        asked,
        sf.n,
        tuple(resolved),
        level,
        est.method,
        est.design,
    )
