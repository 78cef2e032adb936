"""Proportions of recoded levels and the design sums of a partitioned survey.

Means, totals, proportions and ratios are the estimators of :mod:`pewlike.estimation.estimators`,
and the tests those of :mod:`pewlike.estimation.hypothesis`, on the partitioned backend
(:class:`pewlike.partitioned.totals.PartitionedTotals`); :func:`proportion` here adds the
recoded levels of nets (for toplines and crosstabs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from pewlike.estimation import estimators as _est
from pewlike.partitioned.cells import DomainSpec, FactorCodes
from pewlike.partitioned.ratios import domain_df, first_pass
from pewlike.partitioned.totals import PartitionedTotals

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.estimation.results import Estimates
    from pewlike.partitioned.frame import PartitionedFrame

    #: Confidence intervals of proportions (R ``svyciprop(method=)``).
    ProportionCI = Literal["logit", "beta", "wilson", "xlogit", "mean"]
    #: Domain variables: one name, several, or None for the whole survey.
    By = str | Sequence[str] | None

__all__ = ["design_sums", "proportion"]


def design_sums(pf: PartitionedFrame, *, need_df: bool = True) -> dict[str, float]:
    """Respondents in the domain and (with ``need_df``) the design degrees of freedom: one pass.

    Parameters
    ----------
    pf : PartitionedFrame
    need_df : bool
        Also compute the degrees of freedom.

    Returns
    -------
    dict
        ``n`` (int) and, with ``need_df``, ``degf`` (float).
    """
    spec = DomainSpec(
        columns=(),
        n_num=1,
        n_den=0,
        den_of=np.zeros(0, dtype=np.int64),  # no denominators
        den_from_num=False,
        n_dom=1,
        dom_of=np.zeros(1, dtype=np.int64),
    )
    sums = first_pass(pf, spec, need_df=need_df)
    out: dict[str, float] = {"n": int(sums["n"][0])}
    if need_df:
        out["degf"] = float(domain_df(pf, sums, np.array([0]))[0])
    return out


# --------------------------------------------------------------------------- estimators
def proportion(
    pf: PartitionedFrame,
    var: str,
    *,
    by: By = None,
    ci: ProportionCI = "logit",
    na_rm: bool = True,
    level: float = 0.95,
    factor: FactorCodes | None = None,
) -> Estimates:
    """Share of respondents giving each response, with confidence intervals, on a partitioned survey.

    Parameters
    ----------
    pf : PartitionedFrame
        The survey (the backend of a partitioned :class:`pewlike.Survey`).
    var : str
        Categorical variable (wave suffix optional); every counted level gets a row.
    by : str or list of str, optional
        Domain variables.
    ci : {"logit", "beta", "wilson", "xlogit", "mean"}
        Interval method, as R's ``svyciprop(method=)``; "beta" is Korn-Graubard.
        Intervals use the design degrees of freedom of each domain.
    na_rm : bool
        Exclude missing responses ("Refused", "Don't know") from the base; ``False``
        reports them as levels.
    level : float
        Confidence level.
    factor : FactorCodes, optional
        The levels to report, when they are not those of ``var`` (nets are a recode of it).

    Returns
    -------
    Estimates
        Fractions (0-1), as :func:`pewlike.estimation.estimators.proportion`; ``n`` is the
        unweighted count giving that response.

    Raises
    ------
    EstimationError
        A bad ``ci`` or ``level``, no substantive level, or no valid response in the domain.

    Notes
    -----
    R has no partitioned equivalent: estimates, SEs and ``deff`` equal R survey's
    ``svymean(~factor(var), design, deff="replace")`` (and ``svyby``) on all rows in
    memory, intervals ``svyciprop(~I(var == level), design, method=ci)`` per level and
    domain; as :func:`pewlike.estimation.estimators.proportion`.
    """
    return _est.proportion(PartitionedTotals(pf, factor), var, by=by, ci=ci, na_rm=na_rm, level=level)
