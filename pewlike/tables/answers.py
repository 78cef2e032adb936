"""What a topline and a crosstab read of a question: its column, base, nets and their estimates.

Shared by :mod:`pewlike.tables.toplines`, :mod:`pewlike.tables.crosstabs` and the in-memory
table backend (:mod:`pewlike.tables.table_backend`), below all three so none imports another
to reach them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

import numpy as np

from pewlike.errors import EstimationError, VariableError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.estimation.results import Estimates
    from pewlike.io.codebook import Codebook, VariableInfo

    #: One net estimated: ``(label, estimates, position, levels)`` (see :func:`net_estimates`).
    NetEstimate: TypeAlias = tuple[str, Estimates, int, int]

__all__ = [
    "Base",
    "NetSpec",
    "Nets",
    "ProportionCI",
    "SurveyBackend",
    "auto_nets",
    "base_mask",
    "categorical_column",
    "check_base",
    "disjoint_groups",
    "moe_points",
    "net_estimates",
    "net_label",
    "resolve_nets",
    "response_frame",
]


#: Who is in the percentage base: substantive answers, or everyone asked (Refused/DK rows shown).
Base: TypeAlias = Literal["valid", "all"]
#: Interval method of a share (R ``svyciprop(method=)``; see :func:`pewlike.estimation.estimators.proportion`).
ProportionCI: TypeAlias = Literal["logit", "beta", "wilson", "xlogit", "mean"]
#: Nets as asked for: ``{"NET label": [response, ...]}``, ``"auto"`` or None.
NetSpec: TypeAlias = Mapping[str, Sequence[str]] | Literal["auto"] | bool | None
#: Nets as resolved and shown: ``(label, members)`` pairs.
Nets: TypeAlias = tuple[tuple[str, tuple[str, ...]], ...]


class SurveyBackend(Protocol):
    """What the helpers shared by both backends read of a survey: its codebook and wording.

    :class:`~pewlike.design.frame.SurveyFrame` and the partitioned backend
    (:class:`~pewlike.partitioned.frame.PartitionedFrame`) both satisfy it, so
    :func:`response_frame` and :func:`pewlike.tables.crosstabs.assemble_crosstab`
    serve both.
    """

    @property
    def codebook(self) -> Codebook:
        """Question wording, value labels and missing codes of every variable."""
        ...

    def question(self, name: str) -> str:
        """The question wording of ``name`` (the column name when unlabelled)."""
        ...


# ---------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------
def categorical_column(sf: SurveyFrame, var: str, what: str) -> str:
    """Resolve ``var`` and check it holds response options (categorical, text or boolean), not numbers.

    Parameters
    ----------
    sf : SurveyFrame
        The in-memory survey.
    var : str
        A variable name (wave suffix optional).
    what : str
        The caller, named in the error message (``"topline"``, ``"crosstab by="``).

    Returns
    -------
    str
        The data column ``var`` refers to.

    Raises
    ------
    VariableError
        ``var`` is unknown, or numeric without value labels.
    """
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


def check_base(base: str) -> Base:
    """Validate ``base``: ``"valid"`` (substantive answers) or ``"all"`` (with Refused/DK rows).

    Parameters
    ----------
    base : str
        The value given by the user.

    Returns
    -------
    {"valid", "all"}
        ``base`` itself, once checked.

    Raises
    ------
    EstimationError
        Any other value.
    """
    if base == "valid":
        return "valid"
    if base == "all":
        return "all"
    raise EstimationError(
        f"base={base!r} is not valid; choose 'valid' (substantive answers) or 'all' (Refused/Don't know rows shown)"
    )


def base_mask(sf: SurveyFrame, col: str, base: Base) -> np.ndarray:
    """Rows (over all rows) in the base of a question: asked, in the domain, and valid if ``base="valid"``.

    Parameters
    ----------
    sf : SurveyFrame
    col : str
        A resolved column.
    base : {"valid", "all"}

    Returns
    -------
    numpy.ndarray of bool
        One entry per row of ``sf.data``.
    """
    ok = sf.valid(col) if base == "valid" else sf.data[col].notna().to_numpy()
    return ok & sf.design.in_domain


def moe_points(sf: SurveyFrame, mask: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Pew's margin of error (points) and the design effect of the weights of the rows in ``mask``.

    Parameters
    ----------
    sf : SurveyFrame
    mask : numpy.ndarray of bool
        Rows (over all rows) of the group; zero weights are left out.
    level : float
        Confidence level of the margin.

    Returns
    -------
    moe : float
        Margin of error in percentage points (NaN for an empty group).
    deff : float
        Kish design effect of the group's weights (NaN for an empty group).

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
    """Pew's label of a net: ``["Very concerned", "Somewhat concerned"]`` -> ``NET Very/Somewhat concerned``.

    Parameters
    ----------
    members : sequence of str
        The responses the net adds up, in order.

    Returns
    -------
    str
        ``"NET "`` then the members joined by ``/``, their common last words written once.

    Examples
    --------
    >>> net_label(["Very concerned", "Somewhat concerned"])
    'NET Very/Somewhat concerned'
    >>> net_label(["Yes", "No"])
    'NET Yes/No'
    >>> net_label(["1 Very concerned", "2 Somewhat concerned"])  # the codes some files put in labels
    'NET Very/Somewhat concerned'
    >>> net_label(["Very concerned ", "Somewhat  concerned"])
    'NET Very/Somewhat concerned'
    """
    import re

    members = [" ".join(str(m).split()) for m in members]  # "Very concerned " as files sometimes spell it
    coded = re.compile(r"^\(?\d{1,3}[).:]?\s*-?\s+(?=[A-Z])")  # "1 Very ...", not "1 or 2 times"
    if len(members) > 1 and all(coded.match(m) for m in members):
        members = [coded.sub("", m) for m in members]
    words = [m.split(" ") for m in members]
    common = 0
    while all(len(w) > common + 1 for w in words) and len({tuple(w[len(w) - common - 1 :]) for w in words}) == 1:
        common += 1
    if common and len(members) > 1:
        heads = [" ".join(w[: len(w) - common]) for w in words]
        return "NET " + "/".join(heads) + " " + " ".join(words[0][len(words[0]) - common :])
    return "NET " + "/".join(members)


def auto_nets(info: VariableInfo, levels: Sequence[str], dtype: Any) -> list[tuple[str, ...]]:
    """Pew's automatic nets of a scale: the top two and the bottom two answers.

    Parameters
    ----------
    info : VariableInfo
        The question's codebook entry (a declared scale, the file's measure level).
    levels : sequence of str
        Its substantive answers, in order.
    dtype : dtype
        The data column's dtype (an ordered categorical counts as a scale when the file
        gives no measure level).

    Returns
    -------
    list of tuple of str
        Two nets for a scale of four answers, or of five answers around a neutral middle
        ("Neither agree nor disagree", "About the same"), which stays out of both; none
        otherwise (a question that is not a scale, or scales of 3 or 6+ answers).
    """
    from pewlike.io.scales import is_scale, is_two_sided, scale_ranks

    if not is_scale(info, levels, ordered=bool(getattr(dtype, "ordered", False))):
        return []
    if len(levels) == 4:
        return [tuple(levels[:2]), tuple(levels[2:])]
    ranks = scale_ranks(levels)
    if len(levels) == 5 and ranks is not None and ranks[2] == 3 and is_two_sided(levels):
        return [tuple(levels[:2]), tuple(levels[3:])]
    return []


def resolve_nets(sf: SurveyFrame, col: str, levels: Sequence[str], nets: NetSpec) -> list[tuple[str, tuple[str, ...]]]:
    """Check a nets spec against the substantive levels of ``col``.

    ``"auto"`` gives Pew's two nets (top two, bottom two) for an ordinal
    question with exactly four substantive answers, and none otherwise.

    Parameters
    ----------
    sf : SurveyFrame
        Read for ``codebook.variables[col]`` and ``data[col].dtype`` only (the
        partitioned backend passes a stand-in holding just those).
    col : str
        A resolved categorical column.
    levels : sequence of str
        Its substantive responses, in order.
    nets : mapping, "auto", bool or None
        ``{"NET label": [response, ...]}`` (a label not starting with ``NET``
        gets the prefix), ``"auto"`` or True (:func:`auto_nets`), or None/False
        for no nets.

    Returns
    -------
    list of (str, tuple of str)
        ``(label, members)`` of each net, in the order given.

    Raises
    ------
    EstimationError
        ``nets`` is another string, or a net names no response or one that is not
        a substantive response of ``col``.
    """
    if nets is None or nets is False:
        return []
    if nets is True:
        nets = "auto"
    if isinstance(nets, str):
        if nets != "auto":
            raise EstimationError(
                f"nets={nets!r} is not valid; give 'auto' (or True) or a mapping {{'NET label': [response, ...]}}"
            )
        return [(net_label(p), p) for p in auto_nets(sf.codebook.variables[col], levels, sf.data[col].dtype)]
    if not isinstance(nets, Mapping):
        raise EstimationError(
            f"nets={nets!r} is not valid; give 'auto' (or True) or a mapping {{'NET label': [response, ...]}}"
        )
    out = []
    for label, given in dict(nets).items():
        members = (given,) if isinstance(given, str) else tuple(given)
        bad = [m for m in members if m not in levels]
        if bad or not members:
            raise EstimationError(
                f"net {label!r} names {', '.join(map(repr, bad)) or 'no response'}, "
                f"not a response of {col!r}; choose from {', '.join(map(repr, levels))}"
            )
        out.append((str(label) if str(label).startswith("NET") else f"NET {label}", members))
    return out


def response_frame(sf: SurveyBackend, est: Estimates, col: str) -> tuple[pd.DataFrame, set[str], list[str]]:
    """``est.to_frame()`` with text levels and a ``kind`` column ("response" or "missing").

    Shared by toplines and crosstabs of in-memory and partitioned surveys.

    Parameters
    ----------
    sf : SurveyBackend
        The survey (either backend); read for the missing codes of ``col``.
    est : Estimates
        Proportions of ``col`` (optionally by domain).
    col : str
        The resolved column.

    Returns
    -------
    frame : pandas.DataFrame
        The estimates with ``level`` as text and ``kind`` appended.
    missing : set of str
        Labels of ``col``'s missing codes (Refused, Don't know).
    levels : list of str
        Every level of ``col`` in category order.
    """
    frame = est.to_frame()
    missing = set(sf.codebook.variables[col].missing)
    levels = [str(x) for x in frame["level"].cat.categories]
    frame["level"] = frame["level"].astype(str)
    frame["kind"] = np.where(frame["level"].isin(list(missing)), "missing", "response")
    return frame, missing, levels


def disjoint_groups(nets: Sequence[tuple[str, Sequence[str]]]) -> list[list[int]]:
    """Greedy groups of nets whose answer lists do not overlap (each group is one estimate).

    Parameters
    ----------
    nets : sequence of (label, members)
        Resolved nets (see :func:`resolve_nets`).

    Returns
    -------
    list of list of int
        Positions in ``nets``; each net is in exactly one group, placed in the
        first group it shares no answer with.

    Examples
    --------
    >>> disjoint_groups([("NET A", ["a", "b"]), ("NET B", ["c"]), ("NET C", ["b", "c"])])
    [[0, 1], [2]]
    """
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
    sf: SurveyFrame,
    col: str,
    nets: Sequence[tuple[str, Sequence[str]]],
    *,
    by: str | Sequence[str] | None = None,
    base: Base = "valid",
    ci: ProportionCI = "logit",
    level: float = 0.95,
) -> list[NetEstimate]:
    """Estimates of each net's share: ``(label, estimates, position, levels)`` per net.

    Nets that share no answer are estimated together, as the levels of one
    recode of ``col`` (net 1, net 2, ..., the rest of the base); a net's rows
    in ``estimates`` are ``position + levels * g`` for domain ``g``.

    Parameters
    ----------
    sf : SurveyFrame
    col : str
        A resolved categorical column.
    nets : sequence of (label, members)
        Resolved nets (see :func:`resolve_nets`).
    by : str or sequence of str, optional
        Domain variables (a crosstab's columns).
    base : {"valid", "all"}
        Who is in the base of each share.
    ci : {"logit", "beta", "wilson", "xlogit", "mean"}
        Interval method.
    level : float
        Confidence level.

    Returns
    -------
    list of (str, Estimates, int, int)
        One ``(label, estimates, position, levels)`` per net, in the order of ``nets``.

    Notes
    -----
    The share of one level does not depend on how the other answers are grouped,
    so each net's estimate, SE, design effect and interval are exactly those of
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
    by_cols = [sf.resolve(b) for b in ([by] if isinstance(by, str) else list(by or ()))]
    out: dict[int, NetEstimate] = {}
    for k, group in enumerate(groups):
        which = np.full(len(cats) + 1, len(group))  # answers in no net of this group: "the rest"
        for j, i in enumerate(group):
            which[np.isin(np.asarray(cats, dtype=object), list(nets[i][1])).nonzero()[0]] = j
        new = np.where(in_base & (codes >= 0), which[np.where(codes >= 0, codes, len(cats))], -1)
        labels = [nets[i][0] for i in group]
        name = f"{col}.NET{k + 1}"
        # pandas-stubs wants an int ndarray and an Index; pandas takes these int codes and any list-like
        cat = pd.Categorical.from_codes(new, categories=[*labels, "\x00rest"])  # type: ignore[call-overload]
        # only the columns the estimate reads: copying every column of a wide file for each net is slow
        data = pd.DataFrame({**{c: sf.data[c] for c in by_cols}, name: cat}, index=sf.data.index)
        cb = sf.codebook.replace(
            **{name: VariableInfo(name, sf.codebook.variables[col].label, {}, (), (), "categorical")}
        )
        est = proportion(sf.evolve(data=data, codebook=cb), name, by=by, ci=ci, level=level)
        for j, i in enumerate(group):
            out[i] = (nets[i][0], est, j, len(group) + 1)
    return [out[i] for i in range(len(nets))]


def _net_rows(col: str, nets: Sequence[NetEstimate]) -> pd.DataFrame:
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
