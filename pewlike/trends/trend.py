"""A question's shares wave by wave, and what changed between waves, with design-based tests.

Every wave's shares come from one estimate over the stacked design (R's ``svyby(~I(q ==
x), ~WAVE, design, svymean, covmat=TRUE)``), so the covariance between waves is known: zero
for independent samples, positive when panel members answer in several waves.  A change is
the contrast of two waves (R's ``svycontrast``), tested with t on the design's degrees of
freedom.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import EstimationError, VariableError
from pewlike.io.display import display_question
from pewlike.trends.results import Trend, change_columns, trend_columns

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.estimation.results import Estimates
    from pewlike.tables.toplines import NetSpec, ProportionCI

__all__ = ["trend"]


def _wave_column(sf: SurveyFrame, wave: str) -> str:
    try:
        return sf.resolve(wave)
    except VariableError:
        raise VariableError(
            f"trend needs the column that names each row's wave, and {wave!r} is not one; stack the waves "
            "with pw.stack({...}) or name the column with wave="
        ) from None


def _per_wave(rows: np.ndarray, wcodes: np.ndarray, n_waves: int) -> np.ndarray:
    """How many of the rows marked in ``rows`` each wave has (one pass, not one per wave)."""
    return np.bincount(wcodes[rows & (wcodes >= 0)], minlength=n_waves)[:n_waves]


def _check_asked(sf: SurveyFrame, col: str, wcol: str, waves: list[str], wcodes: np.ndarray, wave: str) -> None:
    anyone = sf.data[col].notna().to_numpy()
    answered = _per_wave(anyone & sf.design.in_domain, wcodes, len(waves))
    empty = np.flatnonzero(answered == 0)
    if not empty.size:
        return
    name = waves[int(empty[0])]
    outside = int(_per_wave(anyone, wcodes, len(waves))[empty[0]])
    if outside:  # asked, but of nobody in the subset
        raise EstimationError(
            f"wave {name!r} has no answers to {col!r} in this subset ({outside:,} in the whole wave); "
            f"leave the wave out with svy.subset(\"{wave} != '{name}'\") or widen the subset"
        )
    raise EstimationError(
        f"wave {name!r} has no answers to {col!r} (was it asked in that wave?); leave the wave out "
        f"with svy.subset(\"{wave} != '{name}'\")"
    )


def _check_groups(sf: SurveyFrame, col: str, by_cols: list[str], waves: list[str], wcodes: np.ndarray) -> None:
    """Every group column has values in every wave (else its changes would silently be empty)."""
    answered = sf.data[col].notna().to_numpy() & sf.design.in_domain
    for b in by_cols:
        empty = np.flatnonzero(_per_wave(sf.data[b].notna().to_numpy() & answered, wcodes, len(waves)) == 0)
        if empty.size:
            raise EstimationError(
                f"by={b!r} has no values in wave {waves[int(empty[0])]!r}, so no change within its groups can be "
                f"measured; leave it out of by=, or give that wave's column the name {b!r} with pw.stack(rename=...)"
            )


def _pairs(n: int) -> list[tuple[int, int]]:
    """First to last, then each adjacent pair (once)."""
    pairs = [(0, n - 1)]
    pairs += [(i, i + 1) for i in range(n - 1) if (i, i + 1) != (0, n - 1)]
    return pairs


def _changes(
    rows: pd.DataFrame,
    vcov: np.ndarray | None,
    wcol: str,
    by_cols: list[str],
    waves: list[str],
    df: float,
    level: float,
) -> list[dict[str, Any]]:
    """Changes between waves of the rows of one estimate (a row index into ``vcov`` per row)."""
    from pewlike.distributions import t_sf
    from pewlike.resultbase import t_quantile

    q = t_quantile(level, df)
    out: list[dict[str, Any]] = []
    if vcov is None:  # pragma: no cover - proportions always carry their covariance
        return out
    keys = ["level", *by_cols]
    for key, grp in rows.groupby(keys, sort=False, observed=True, dropna=False):
        at = {str(w): int(i) for w, i in zip(grp[wcol].astype(str), grp["_row"], strict=True)}
        present = [w for w in waves if w in at]
        for a, b in _pairs(len(present)) if len(present) > 1 else []:
            i, j = at[present[a]], at[present[b]]
            diff = float(
                rows.loc[rows["_row"] == j, "estimate"].iloc[0] - rows.loc[rows["_row"] == i, "estimate"].iloc[0]
            )
            var = float(vcov[i, i] + vcov[j, j] - 2 * vcov[i, j])
            se = float(np.sqrt(max(var, 0.0)))
            with np.errstate(divide="ignore", invalid="ignore"):
                p = float(2 * t_sf(abs(diff / se), df)) if se > 0 else float("nan")
            rec = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
            rec.update(
                from_wave=present[a],
                to_wave=present[b],
                difference=diff,
                std_error=se,
                ci_lower=diff - q * se,
                ci_upper=diff + q * se,
                p_value=p,
            )
            out.append(rec)
    return out


def _level_rows(est: Estimates, col: str, missing: set[str], base: str) -> pd.DataFrame:
    frame = est.to_frame()
    frame["level"] = frame["level"].astype(str)
    frame["_row"] = np.arange(len(frame))
    if base == "valid":
        frame = frame[~frame["level"].isin(list(missing))]
    return frame


def trend(
    sf: SurveyFrame,
    var: str,
    *,
    wave: str = "WAVE",
    by: str | Sequence[str] | None = None,
    nets: NetSpec = "auto",
    base: str = "valid",
    ci: ProportionCI = "logit",
    level: float = 0.95,
    alpha: float = 0.05,
) -> Trend:
    """Each wave's share of every answer (and net) of a question, and the changes between waves.

    Parameters
    ----------
    sf : SurveyFrame
        A stack of waves (:func:`pewlike.stack`) or any survey with a wave column.
    var : str
        A categorical question asked in every wave.
    wave : str
        The column naming each row's wave (its categories in time order).
    by : str or list of str, optional
        Groups within which each change is measured.
    nets : mapping, "auto", bool or None
        As :meth:`pewlike.Survey.topline`.
    base : {"valid", "all"}
        ``"valid"``: shares of substantive answers; ``"all"``: of everyone asked, with
        Refused/Don't know rows.
    ci : {"logit", "beta", "wilson", "xlogit", "mean"}
        Interval of each wave's share (R ``svyciprop(method=)``).
    level : float
        Confidence level of the intervals.
    alpha : float
        Significance level of the change flags.

    Returns
    -------
    Trend

    Raises
    ------
    VariableError
        No wave column, or ``var`` is not categorical.
    EstimationError
        A wave has no answers to ``var``, or a bad ``base``/``level``/``alpha``.

    Notes
    -----
    Shares: ``svyby(~var, ~WAVE + by, design, svymean, covmat=TRUE)`` with intervals as
    ``svyciprop``; nets as ``I(var %in% members)``.  Changes: ``svycontrast`` of two waves'
    shares, ``t = difference / SE`` on ``degf(design)`` degrees of freedom.  On a
    panel-linked stack the covariance of a respondent's answers in two waves enters the SE.
    """
    from pewlike.estimation.estimators import factor_codes, proportion
    from pewlike.tables.toplines import categorical_column, check_base, net_estimates, resolve_nets, response_frame

    base = check_base(base)
    if not (isinstance(alpha, float | int) and 0 < alpha < 1):
        raise EstimationError(f"alpha={alpha!r} is not valid; give a significance level between 0 and 1, e.g. 0.05")
    col = categorical_column(sf, var, "trend")
    wcol = _wave_column(sf, wave)
    if wcol == col:
        raise EstimationError(f"trend needs a question other than the wave column {wcol!r}")
    by_cols = [sf.resolve(b) for b in ([by] if isinstance(by, str) else list(by or []))]
    if wcol in by_cols:
        raise EstimationError(f"by= repeats the wave column {wcol!r}; the waves are already the columns of a trend")
    _, wcodes, waves = factor_codes(sf, wcol)
    _check_asked(sf, col, wcol, waves, wcodes, wave)
    _check_groups(sf, col, by_cols, waves, wcodes)
    est = proportion(sf, col, by=[wcol, *by_cols], ci=ci, na_rm=(base == "valid"), level=level)
    _, missing, _ = response_frame(sf, est, col)
    rows = _level_rows(est, col, missing, base)
    substantive = [lev for lev in dict.fromkeys(rows["level"]) if lev not in missing]
    resolved = resolve_nets(sf, col, substantive, nets)
    df = float(sf.degf)
    changes = _changes(rows, est.vcov, wcol, by_cols, waves, df, level)
    net_frames = []
    for label, nest, pos, L in net_estimates(sf, col, resolved, by=[wcol, *by_cols], base=base, ci=ci, level=level):
        nf = nest.to_frame()
        nf["_row"] = np.arange(len(nf))
        nf = nf.iloc[pos::L].copy()
        nf["level"] = label
        nf["variable"] = col
        net_frames.append(nf)
        changes += _changes(nf, nest.vcov, wcol, by_cols, waves, df, level)
    return _assemble(sf, col, wcol, by_cols, waves, rows, net_frames, changes, est, base, level, alpha)


def _assemble(
    sf: SurveyFrame,
    col: str,
    wcol: str,
    by_cols: list[str],
    waves: list[str],
    rows: pd.DataFrame,
    net_frames: list[pd.DataFrame],
    changes: list[dict[str, Any]],
    est: Estimates,
    base: str,
    level: float,
    alpha: float,
) -> Trend:
    import pandas as pd

    frame = pd.concat([rows, *net_frames], ignore_index=True)
    covered = np.zeros(len(frame), dtype=bool)
    covered[: len(rows)] = True
    frame = frame.rename(columns={wcol: "wave"})
    frame["wave"] = pd.Categorical(frame["wave"].astype(str), categories=waves, ordered=True)
    out = frame[trend_columns(by_cols)].reset_index(drop=True)
    keep = rows["_row"].to_numpy()
    vcov = est.vcov[np.ix_(keep, keep)] if est.vcov is not None else None
    ch = pd.DataFrame(changes, columns=change_columns(by_cols)[1:])
    ch.insert(0, "variable", col)
    ch["significant"] = ch["p_value"] < alpha
    info = sf.codebook.variables[col]
    notes = []
    if info.wordings:
        notes.append("Wording differs between waves: " + "; ".join(f"{w}: {t}" for w, t in info.wordings))
    return Trend(
        variable=col,
        question=display_question(sf.codebook, col),
        waves=tuple(waves),
        by=tuple(by_cols),
        base=base,
        frame=out,
        vcov=vcov,
        level=level,
        change_frame=ch.reset_index(drop=True),
        alpha=alpha,
        df=float(sf.degf),
        design=est.design,
        notes=tuple(notes),
        covered=covered,
    )
