"""A summated index of Likert items (e.g. a privacy-concern index) with weighted Cronbach's alpha."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from pewlike.design.frame import with_columns
from pewlike.errors import EstimationError, VariableError
from pewlike.resultbase import Result, frame_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.survey import Survey

__all__ = ["ScaleResult", "cronbach_alpha", "scale"]


def cronbach_alpha(scores: np.ndarray, weights: np.ndarray) -> float:
    """Weighted Cronbach's alpha of complete item scores.

    ``k / (k - 1) * (1 - sum(var_i) / var(sum))`` with weighted variances.

    Parameters
    ----------
    scores : ndarray (n, k)
        Item scores of the respondents who answered every item.
    weights : ndarray (n,)
        Their weights.

    Returns
    -------
    float

    Raises
    ------
    EstimationError
        Fewer than two items.

    Notes
    -----
    Equivalent to R survey's ``svycralpha(~ i1 + i2 + ..., design, na.rm = TRUE)``.
    """
    x = np.asarray(scores, dtype=float)
    w = np.asarray(weights, dtype=float)
    k = x.shape[1]
    if k < 2:
        raise EstimationError("Cronbach's alpha needs at least two items")
    W = w.sum()
    mean = w @ x / W
    var_items = w @ (x - mean) ** 2 / W
    tot = x.sum(axis=1)
    var_total = w @ (tot - w @ tot / W) ** 2 / W
    return float(k / (k - 1) * (1 - var_items.sum() / var_total))


def _item_scores(sf: SurveyFrame, name: str, reverse: bool):
    """(column, score per row over all rows (NaN = missing), number of valid levels or None)."""
    import pandas as pd

    col = sf.resolve(name)
    s = sf.data[col]
    ok = sf.valid(col)
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in s.cat.categories]
        miss = set(sf.codebook.variables[col].missing) if col in sf.codebook.variables else set()
        valid = [i for i, c in enumerate(cats) if c not in miss]
        pos = np.full(len(cats) + 1, np.nan)
        pos[valid] = np.arange(1, len(valid) + 1)
        score = pos[s.cat.codes.to_numpy()]
        k = len(valid)
        if reverse:
            score = k + 1 - score
        return col, np.where(ok, score, np.nan), k
    if not pd.api.types.is_numeric_dtype(s.dtype):
        raise VariableError(f"item {col!r} is neither categorical nor numeric; a scale needs Likert items or scores")
    score = s.to_numpy(dtype=float, na_value=np.nan)
    if reverse:
        score = np.nanmax(score) + np.nanmin(score) - score
    return col, np.where(ok, score, np.nan), None


@dataclass(frozen=True, eq=False, repr=False)
class ScaleResult(Result):
    """A summated index: its values, Cronbach's alpha and item statistics.

    Attributes
    ----------
    name : str
        The index column added to :attr:`survey`.
    alpha : float
        Weighted Cronbach's alpha over respondents who answered every item (R ``svycralpha``).
    n : int
        Respondents (in the domain) who answered every item.
    items : pandas.DataFrame
        One row per item: ``item, question, mean, std_dev, item_rest_corr, alpha_if_dropped``.
    values : pandas.Series
        The index over all rows of the data (NaN where too few items were answered).
    survey : Survey
        The survey with the index as a new numeric column, ready for ``mean``/``glm``...
        (:func:`scale` stores the in-memory frame; :meth:`pewlike.Survey.scale` wraps it.)
    method : str
        ``"mean"`` (average item score) or ``"sum"``.
    """

    name: str
    alpha: float
    n: int
    items: pd.DataFrame
    values: pd.Series
    survey: SurveyFrame | Survey
    method: str

    def to_frame(self) -> pd.DataFrame:
        """The item table.

        Returns
        -------
        pandas.DataFrame
            ``item, question, mean, std_dev, item_rest_corr, alpha_if_dropped``.
        """
        return self.items.copy()

    def summary(self) -> str:
        """Readable text: the index, its alpha and the item table.

        Returns
        -------
        str
        """
        return "\n".join(
            [
                f"Index {self.name!r}: {self.method} of {len(self.items)} items",
                f"  Cronbach's alpha (weighted) = {self.alpha:.3f}; n = {self.n:,} complete answers",
                frame_text(self.items),
            ]
        )

    def _html_tables(self) -> list[tuple[str, pd.DataFrame]]:
        return [(f"Index {self.name}: alpha = {self.alpha:.3f} ({self.method} of items)", self.items)]


def scale(
    sf: SurveyFrame,
    items: Sequence[str],
    *,
    reverse: Sequence[str] = (),
    method: Literal["mean", "sum"] = "mean",
    min_items: int | None = None,
    name: str | None = None,
) -> ScaleResult:
    """Build a weighted summated index from Likert items.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    items : list of str
        Two or more items: categoricals score 1..K in category order (missing
        categories such as "Refused" are missing), numbers are used as they are.
    reverse : list of str
        Items to reverse-score (``K + 1 - score``) so that all point the same way.
    method : {"mean", "sum"}
        Average item score, or their sum (prorated when ``min_items`` allows gaps).
    min_items : int, optional
        Least number of answered items for an index value (default: all of them).
    name : str, optional
        Name of the new column (default ``"index_" + first item``).

    Returns
    -------
    ScaleResult

    Raises
    ------
    VariableError
        Unknown item, an item neither categorical nor numeric, a name already in use.
    EstimationError
        Fewer than two items, nobody answering every item, bad ``method``/``min_items``.

    Notes
    -----
    Alpha is R survey's ``svycralpha(~i1 + i2 + ..., design, na.rm = TRUE)``:
    ``k/(k-1) (1 - sum of weighted item variances / weighted variance of the total)`` over
    the domain's respondents who answered every item.
    """
    import pandas as pd

    from pewlike.io.codebook import VariableInfo

    items = [items] if isinstance(items, str) else list(items)
    if len(items) < 2:
        raise EstimationError(f"a scale needs at least two items, got {items}")
    if method not in ("mean", "sum"):
        raise EstimationError(f"method={method!r} is not valid; choose 'mean' or 'sum'")
    rev = {sf.resolve(r) for r in reverse}
    cols, scores = [], []
    for item in items:
        col, score, _ = _item_scores(sf, item, sf.resolve(item) in rev)
        cols.append(col)
        scores.append(score)
    unknown = rev - set(cols)
    if unknown:
        raise VariableError(f"reverse= names {sorted(unknown)}, which are not among the items {cols}")
    X = np.column_stack(scores)
    k = X.shape[1]
    need = k if min_items is None else int(min_items)
    if not 1 <= need <= k:
        raise EstimationError(f"min_items={min_items!r} must be between 1 and the number of items ({k})")
    answered = (~np.isnan(X)).sum(axis=1)
    with np.errstate(invalid="ignore"):
        mean_score = np.nanmean(np.where(answered[:, None] > 0, X, 0.0), axis=1)
    value = np.where(answered >= need, mean_score * (k if method == "sum" else 1), np.nan)
    design = sf.design
    w_all = design.weights
    complete = (answered == k) & design.in_domain & (w_all > 0)
    if not complete.any():
        raise EstimationError(
            f"no respondent in the domain answered all of {', '.join(cols)}; check the items or pass min_items="
        )
    Xc, wc = X[complete], w_all[complete]
    alpha = cronbach_alpha(Xc, wc)
    W = wc.sum()
    means = wc @ Xc / W
    sds = np.sqrt(wc @ (Xc - means) ** 2 / W)
    total = Xc.sum(axis=1)
    rest_corr, drop_alpha = [], []
    for j in range(k):  # one statistic per item
        rest = total - Xc[:, j]
        cov = wc @ ((Xc[:, j] - means[j]) * (rest - wc @ rest / W)) / W
        sd_rest = np.sqrt(wc @ (rest - wc @ rest / W) ** 2 / W)
        rest_corr.append(cov / (sds[j] * sd_rest))
        drop_alpha.append(cronbach_alpha(np.delete(Xc, j, axis=1), wc) if k > 2 else np.nan)
    table = pd.DataFrame(
        {
            "item": cols,
            "question": [sf.question(c) for c in cols],
            "mean": means,
            "std_dev": sds,
            "item_rest_corr": rest_corr,
            "alpha_if_dropped": drop_alpha,
        }
    )
    name = name or f"index_{cols[0]}"
    if name in sf.data.columns:
        raise VariableError(f"the survey already has a column {name!r}; pass name= to choose another")
    values = pd.Series(value, index=sf.data.index, name=name)
    label = f"{'Mean' if method == 'mean' else 'Sum'} of {', '.join(cols)}" + (
        f" ({', '.join(sorted(rev))} reversed)" if rev else ""
    )
    codebook = sf.codebook.replace(**{name: VariableInfo(name=name, label=label, kind="numeric")})
    new = sf.evolve(
        data=with_columns(sf.data, {name: value}),
        codebook=codebook,
        history=sf.history + (f"index {name!r} built from {len(cols)} items",),
    )
    return ScaleResult(name, alpha, int(complete.sum()), table, values, new, method)
