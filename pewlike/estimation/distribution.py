"""The weighted distribution of a numeric variable: histogram and box plot (R ``svyhist``, ``svyboxplot``).

* :func:`histogram` bins the variable with R's edges (:mod:`pewlike.estimation.breaks`) and
  estimates the share of each bin as ``svymean`` of the binned factor -- with standard
  errors, intervals and design effects -- and the density (share over width) that
  ``svyhist`` draws.
* :func:`boxplot` takes the design's quantiles 0, 0.25, 0.5, 0.75 and 1
  (:func:`pewlike.estimation.quantiles.quantile`, R's ``svyquantile``) and R's whiskers.

Figures of both are in :mod:`pewlike.plots.distributions`; they read these results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import EstimationError, VariableError
from pewlike.estimation.breaks import Bins, hist_breaks
from pewlike.resultbase import RowEstimates, frame_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.estimation.results import Estimates

__all__ = ["BOX_PROBS", "BoxPlot", "Histogram", "boxplot", "histogram", "numeric_column"]

#: The quantiles behind a box plot, as R's ``svyboxplot``.
BOX_PROBS = (0.0, 0.25, 0.5, 0.75, 1.0)


def numeric_column(sf: SurveyFrame, var: str, what: str) -> tuple[str, np.ndarray, np.ndarray]:
    """Column name, float values and valid rows of a numeric variable; a categorical is refused.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    var : str
        The variable (wave suffix optional).
    what : str
        The figure asking ("a histogram"), for the message.

    Returns
    -------
    (str, ndarray, ndarray)
        As :func:`pewlike.estimation.estimators.numeric_values`.

    Raises
    ------
    VariableError
        The variable is categorical (the message suggests its topline) or not numeric.
    """
    import pandas as pd

    from pewlike.estimation.estimators import numeric_values

    col = sf.resolve(var)
    dtype = sf.data[col].dtype
    categorical = isinstance(dtype, pd.CategoricalDtype)
    if categorical or not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
        kind = "categorical (answers, not numbers)" if categorical else f"text ({dtype}), not numbers"
        raise VariableError(
            f"{what} needs a numeric variable but {col!r} is {kind}; "
            f"use svy.topline({col!r}) for the share giving each answer"
        )
    return numeric_values(sf, col, what)


def _labels(edges: np.ndarray) -> list[str]:
    """``[a, b]`` for the first bin, ``(a, b]`` for the others (R's ``cut(right = TRUE, include.lowest = TRUE)``)."""
    for digits in (3, 6, 10, 17):
        txt = [f"{e:.{digits}g}" for e in edges]
        if len(set(txt)) == len(txt):
            break
    return [("[" if i == 0 else "(") + f"{txt[i]}, {txt[i + 1]}]" for i in range(len(edges) - 1)]


@dataclass(frozen=True, eq=False, repr=False)
class Histogram(RowEstimates):
    """A weighted histogram: the share of each bin (by group), as R's ``svyhist``.

    Attributes
    ----------
    variable : str
        The variable binned.
    by : tuple of str
        Domain variables.
    frame : pandas.DataFrame
        The rows; read them with :meth:`to_frame`.
    breaks : tuple of float
        The bin edges (closed on the right, the first bin also on the left).
    vcov : ndarray or None
        Covariance of the shares in row order.
    level : float
        Confidence level of the intervals.
    density : bool
        Whether a figure shows the density (share per unit) or the weighted count.
    question : str or None
        The variable's label.
    design : str
        One-line description of the design.
    universe_name : str or None
        The name of the survey's domain.
    """

    variable: str
    by: tuple[str, ...]
    frame: pd.DataFrame
    breaks: tuple[float, ...]
    vcov: np.ndarray | None = None
    level: float = 0.95
    density: bool = True
    question: str | None = None
    design: str = ""
    universe_name: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per bin (and domain).

        Returns
        -------
        pandas.DataFrame
            ``variable, level, <by...>, estimate, std_error, ci_lower, ci_upper, deff, n``
            (``level`` the bin, ``estimate`` its share), then ``bin_lower, bin_upper``,
            ``density`` (share / width, what ``svyhist`` draws) and ``count`` (share times the
            domain's weighted total of valid values).
        """
        frame = self.frame.copy()
        if self.universe_name:
            frame.attrs["universe"] = self.universe_name
        return frame

    def _label_columns(self) -> Sequence[str]:
        return (*self.by, "level")

    def summary(self) -> str:
        """The bins, their shares and densities, as text.

        Returns
        -------
        str
        """
        by = f" by {', '.join(self.by)}" if self.by else ""
        lines = [f"Histogram of {self.variable}{by} ({len(self.breaks) - 1} bins)"]
        if self.question and self.question != self.variable:
            lines.append(f"  {self.question}")
        lines.append(f"  design: {self.design}")
        cols = ["level", *self.by, "estimate", "std_error", "density", "n"]
        lines.append(frame_text(self.frame[cols]))
        return "\n".join(lines)

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [(f"Histogram of {self.variable}", self.frame)]


@dataclass(frozen=True, eq=False, repr=False)
class BoxPlot(RowEstimates):
    """The statistics of a weighted box plot (by group), as R's ``svyboxplot``.

    Attributes
    ----------
    variable : str
        The variable.
    by : tuple of str
        Domain variables.
    frame : pandas.DataFrame
        The quantiles 0, 0.25, 0.5, 0.75 and 1 with Woodruff intervals (``svyquantile``).
    outliers : pandas.DataFrame
        ``<by...>, value``: the points drawn beyond the whiskers.
    level : float
        Confidence level of the intervals.
    question, design, universe_name
        As :class:`Histogram`.
    """

    variable: str
    by: tuple[str, ...]
    frame: pd.DataFrame
    outliers: pd.DataFrame
    vcov: np.ndarray | None = None
    level: float = 0.95
    question: str | None = None
    design: str = ""
    universe_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The quantiles behind the box, five rows per domain.

        Returns
        -------
        pandas.DataFrame
            ``variable, level, <by...>, estimate, std_error, ci_lower, ci_upper, deff, n``;
            ``level`` is the probability as text (``"0.25"``), as :meth:`pewlike.Survey.quantile`.
        """
        frame = self.frame.copy()
        if self.universe_name:
            frame.attrs["universe"] = self.universe_name
        return frame

    def _label_columns(self) -> Sequence[str]:
        return (*self.by, "level")

    def box(self) -> pd.DataFrame:
        """The five numbers drawn per domain.

        Returns
        -------
        pandas.DataFrame
            ``<by...>, lower_whisker, q1, median, q3, upper_whisker, n``: the whiskers end
            at the fences ``q1 - 1.5 IQR`` and ``q3 + 1.5 IQR``, pulled in to the quantiles
            0 and 1 when those are nearer (R's ``svyboxplot``).
        """
        import pandas as pd

        f = self.frame
        q = f["estimate"].to_numpy(dtype=float).reshape(-1, len(BOX_PROBS))
        iqr = q[:, 3] - q[:, 1]
        out: dict[str, Any] = {}
        for c in self.by:
            out[c] = f[c].iloc[:: len(BOX_PROBS)].reset_index(drop=True)
        out.update(
            lower_whisker=np.maximum(q[:, 0], q[:, 1] - 1.5 * iqr),
            q1=q[:, 1],
            median=q[:, 2],
            q3=q[:, 3],
            upper_whisker=np.minimum(q[:, 4], q[:, 3] + 1.5 * iqr),
            n=f["n"].to_numpy()[:: len(BOX_PROBS)],
        )
        return pd.DataFrame(out)

    def summary(self) -> str:
        """The five numbers per domain and the outliers, as text.

        Returns
        -------
        str
        """
        by = f" by {', '.join(self.by)}" if self.by else ""
        lines = [f"Box plot of {self.variable}{by}"]
        if self.question and self.question != self.variable:
            lines.append(f"  {self.question}")
        lines.append(f"  design: {self.design}; quantiles as svyquantile (qrule 'math')")
        lines.append(frame_text(self.box()))
        if len(self.outliers):
            lines.append(f"Outliers: {len(self.outliers)} point(s) beyond the whiskers")
        return "\n".join(lines)

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [(f"Box plot of {self.variable}", self.box())]


def histogram(
    sf: SurveyFrame,
    var: str,
    *,
    by: str | Sequence[str] | None = None,
    bins: Bins = "sturges",
    density: bool = True,
    na_rm: bool = True,
    level: float = 0.95,
) -> Histogram:
    """Weighted histogram of a numeric variable: the share (and density) of each bin, by group.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    var : str
        A numeric variable.
    by : str or list of str, optional
        Domain variables: one histogram per group, on the same bins.
    bins : "sturges", int or sequence of float
        R's ``hist`` breaks: Sturges' rule (default), a suggested number of classes, or the
        edges (see :func:`pewlike.estimation.breaks.hist_breaks`).
    density : bool
        A figure shows the density (R's ``probability = TRUE``, the default) or the weighted
        count (``freq = TRUE``).
    na_rm : bool
        Leave out missing values (the share is of the valid values).
    level : float
        Confidence level of the shares' (logit) intervals.

    Returns
    -------
    Histogram

    Raises
    ------
    VariableError
        A categorical variable (use its topline) or an unknown one.
    EstimationError
        No valid values, or bins that are not valid.

    Notes
    -----
    Equivalent to ``svyhist(~var, design)`` in R survey: the edges are
    ``hist(var)$breaks`` (of the valid values in the domain) and the shares are
    ``svymean(~cut(var, breaks, right = TRUE, include.lowest = TRUE), design)``; with
    ``by``, ``svyby(~cut(...), ~by, design, svymean)`` on the same edges.  The density is
    share / width, ``svyhist``'s bar height.  R's count multiplies by the sum of all
    weights; here by the weights of the valid values, which is the same without missing
    values.
    """
    import pandas as pd

    from pewlike.design.derive import replace_columns
    from pewlike.estimation.estimators import _check_level, proportion
    from pewlike.io.codebook import VariableInfo

    level = _check_level(level)
    col, y, valid = numeric_column(sf, var, "a histogram")
    inside = valid & sf.design.in_domain
    edges = hist_breaks(y[inside], bins, name=repr(col))
    labels = _labels(edges)
    idx = np.full(y.shape[0], -1, dtype=np.int64)
    # (b[i-1], b[i]] -> i - 1; the first bin also takes its left edge; values outside stay out
    pos = np.searchsorted(edges, y[valid], side="left") - 1
    pos[y[valid] == edges[0]] = 0
    pos[(y[valid] < edges[0]) | (y[valid] > edges[-1])] = -1
    idx[valid] = pos
    tmp = f"{col} (bins)"
    while tmp in sf.data.columns:
        tmp += "_"
    series = pd.Series(
        pd.Categorical.from_codes(idx, dtype=pd.CategoricalDtype(labels, ordered=True)), index=sf.data.index
    )
    info = VariableInfo(tmp, sf.codebook.variables[col].label, {}, (), (), "categorical")
    binned = replace_columns(sf, {tmp: series}, {tmp: info})
    est: Estimates = proportion(binned, tmp, by=by, na_rm=na_rm, level=level)
    frame = est.frame.copy()
    frame["variable"] = col
    nb = len(labels)
    lower = np.tile(edges[:-1], len(frame) // nb)
    upper = np.tile(edges[1:], len(frame) // nb)
    share = frame["estimate"].to_numpy(dtype=float)
    wtot = _domain_weight_totals(binned, tmp, est, na_rm)
    frame["bin_lower"] = lower
    frame["bin_upper"] = upper
    frame["density"] = share / (upper - lower)
    frame["count"] = share * np.repeat(wtot, nb)
    return Histogram(
        col,
        tuple(est.by),
        frame,
        tuple(float(e) for e in edges),
        est.vcov,
        level,
        bool(density),
        sf.codebook.variables[col].label,
        est.design,
    )


def _domain_weight_totals(sf: SurveyFrame, col: str, est: Estimates, na_rm: bool) -> np.ndarray:
    """The weighted total of valid values in each domain of ``est`` (its rows' order)."""
    from pewlike.estimation import engine

    ok = (sf.data[col].cat.codes.to_numpy() >= 0) & sf.design.in_domain
    code, _keys, _cols = engine.domain_codes(sf, list(est.by) or None, ok, na_rm=na_rm)
    return np.asarray(engine.cell_sums(code, int(code.max()) + 1, sf.design.weights), dtype=float)


def boxplot(
    sf: SurveyFrame,
    var: str,
    *,
    by: str | Sequence[str] | None = None,
    all_outliers: bool = False,
    na_rm: bool = True,
    level: float = 0.95,
) -> BoxPlot:
    """The statistics of a weighted box plot of a numeric variable, by group.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    var : str
        A numeric variable.
    by : str or list of str, optional
        Domain variables: one box per group.
    all_outliers : bool
        Draw every respondent beyond the whiskers (R's ``all.outliers = TRUE``); by default
        only the quantiles 0 and 1 when they lie beyond them, as R.
    na_rm : bool
        Leave out missing values.
    level : float
        Confidence level of the quantiles' Woodruff intervals.

    Returns
    -------
    BoxPlot

    Raises
    ------
    VariableError
        A categorical variable (use its topline) or an unknown one.

    Notes
    -----
    Equivalent to ``svyboxplot(var ~ by, design)`` (``var ~ 1`` without groups) in R
    survey: the box is the quantiles 0.25, 0.5 and 0.75 of ``svyquantile`` (its default
    ``qrule = "math"``), the whiskers end at ``max(q0, q1 - 1.5 IQR)`` and ``min(q1, q3 +
    1.5 IQR)``.  As in R, the quantile 0 under the "math" rule is the smallest value whose
    cumulative weight share exceeds 0, which is the second smallest value when the
    smallest carries positive weight.
    """
    import pandas as pd

    from pewlike.estimation import engine
    from pewlike.estimation.quantiles import quantile

    col, y, valid = numeric_column(sf, var, "a box plot")
    est = quantile(sf, col, list(BOX_PROBS), by=by, na_rm=na_rm, level=level)
    result = BoxPlot(
        col,
        tuple(est.by),
        est.frame,
        pd.DataFrame(),
        None,
        est.level,
        est.question,
        est.design,
    )
    stats = result.box()
    q = est.frame["estimate"].to_numpy(dtype=float).reshape(-1, len(BOX_PROBS))
    groups: list[int] = []
    values: list[float] = []
    if all_outliers:
        ok = valid & (sf.design.weights != 0) & sf.design.in_domain
        code, _keys, _cols = engine.domain_codes(sf, list(est.by) or None, ok, na_rm=na_rm)
        for g in range(len(stats)):
            yg = y[code == g]
            lo, hi = stats["lower_whisker"].iloc[g], stats["upper_whisker"].iloc[g]
            pts = np.unique(np.concatenate([np.sort(yg[yg < lo]), np.sort(yg[yg > hi])]))
            groups += [g] * pts.size
            values += pts.tolist()
    else:
        for g in range(len(stats)):
            for v, w in ((q[g, 4], stats["upper_whisker"].iloc[g]), (q[g, 0], stats["lower_whisker"].iloc[g])):
                if v != w:
                    groups.append(g)
                    values.append(float(v))
    out: dict[str, Any] = {c: stats[c].iloc[groups].reset_index(drop=True) for c in est.by}
    out["value"] = np.asarray(values, dtype=float)
    if not len(stats):
        raise EstimationError(f"no respondent has a valid value of {col!r}")
    return BoxPlot(
        col,
        tuple(est.by),
        est.frame,
        pd.DataFrame(out),
        None,
        est.level,
        est.question,
        est.design,
        extra={"all_outliers": bool(all_outliers)},
    )
