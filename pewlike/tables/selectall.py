"""Select-all batteries: the share selecting each item, NET Any, None of these, number selected.

:func:`select_all` turns a battery's items into 0/1 indicators
(:mod:`pewlike.estimation.indicators`), adds them to a copy of the survey as
"Selected"/"Not selected" columns and estimates each with
:func:`pewlike.estimation.estimators.proportion` -- so every share, SE, deff and interval is
R's ``svymean(~I(item == "Selected"), design)`` / ``svyciprop`` on the stated base.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pewlike.design.frame import with_columns
from pewlike.errors import EstimationError
from pewlike.estimation.indicators import BatteryColumns, battery_columns, selected_matrix
from pewlike.tables.selectall_result import SelectAll, SelectAllBase

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.tables.toplines import ProportionCI

__all__ = ["SelectAll", "SelectAllBase", "indicator_frame", "letters_df", "select_all"]

_SEL = ("Selected", "Not selected")


def indicator_frame(sf: SurveyFrame, values: dict[str, np.ndarray], labels: dict[str, str]) -> SurveyFrame:
    """A copy of the survey with 0/1 indicator columns added as Selected / Not selected categoricals.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    values : dict of name -> ndarray (n,)
        1 selected, 0 not, NaN outside the base.
    labels : dict of name -> str
        Each new column's wording.

    Returns
    -------
    SurveyFrame
        Same design and rows; the new columns are in the codebook.
    """
    import pandas as pd

    from pewlike.io.codebook import Codebook

    dtype = pd.CategoricalDtype(list(_SEL), ordered=True)
    new = pd.DataFrame(
        {
            k: pd.Categorical.from_codes(np.where(v == 1, 0, np.where(v == 0, 1, -1)), dtype=dtype)
            for k, v in values.items()
        },
        index=sf.data.index,
    )
    data = pd.concat([sf.data.drop(columns=[c for c in new.columns if c in sf.data.columns]), new], axis=1)
    cb = Codebook.from_frame(new, labels=labels, missing="keep")
    return sf.evolve(data=data, codebook=Codebook({**sf.codebook.variables, **cb.variables}, sf.codebook.file_label))


def _by_cols(sf: SurveyFrame, by: str | Sequence[str] | None) -> list[str]:
    return [sf.resolve(b) for b in ([by] if isinstance(by, str) else list(by or []))]


def _asked_mask(sf: SurveyFrame, Y: np.ndarray, base: str) -> tuple[np.ndarray, np.ndarray]:
    """(rows in the base, rows asked) over all rows."""
    answered = np.isfinite(Y).any(axis=1)
    dom = sf.design.in_domain
    if base == "asked":
        return answered & dom, answered & dom
    return dom.copy(), answered & dom


def _base_notes(Y: np.ndarray, in_base: np.ndarray, asked: np.ndarray, dom: np.ndarray, base: str) -> list[str]:
    notes = []
    skipped = int((asked & ~np.isfinite(Y).all(axis=1)).sum())
    not_asked = int((dom & ~asked).sum())
    if skipped:
        notes.append(f"{skipped:,} respondents asked the battery left some items blank (counted as not selected).")
    if not_asked and base == "asked":
        notes.append(
            f"{not_asked:,} respondents did not answer the battery (not asked, or refused every item) and are outside the base; base='all' counts them."
        )
    if not_asked and base == "all":
        notes.append(
            f"{not_asked:,} respondents did not answer the battery (not asked, or refused every item) and count as not selecting (base='all')."
        )
    return notes


def _selected_rows(est: Any, col: str, kind: str, label: str, by_cols: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    f = est.to_frame()
    pos = np.flatnonzero(f["level"].astype(str).to_numpy() == "Selected")
    rows = f.iloc[pos].copy()
    rows["level"] = label
    rows["item"] = col
    rows["kind"] = kind
    vcov = est.vcov[np.ix_(pos, pos)] if est.vcov is not None else np.full((len(pos), len(pos)), np.nan)
    return rows, vcov


def _letters(
    vcov: np.ndarray, rows: pd.DataFrame, by_cols: list[str], df: float, alpha: float
) -> tuple[list[str], pd.DataFrame | None]:
    """Letters of one item's groups and the pairwise tests behind them (``item`` and ``level`` named)."""
    from pewlike.tables.crosstabs import pairwise_letters

    est = rows["estimate"].to_numpy(dtype=float)
    G = len(est)
    if G < 2:
        return [""] * G, None
    groups = rows[by_cols].astype(str).agg(" / ".join, axis=1).tolist()
    tests, letters = pairwise_letters(
        est, vcov, np.arange(G)[None, :], np.ones(G, dtype=bool), df, alpha=alpha, columns=groups
    )
    tests["level"] = str(rows["level"].iloc[0])
    tests.insert(0, "item", str(rows["item"].iloc[0]))
    return letters[0], tests


def letters_df(sf: SurveyFrame, in_base: np.ndarray, by_cols: list[str]) -> float:
    """The one df of a battery's letters: the design df of those in its base who have the ``by`` values.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    in_base : (n,) bool ndarray
        Rows in the battery's base.
    by_cols : list of str
        Resolved domain variables.

    Returns
    -------
    float
        ``degf(subset(design, in_base & !is.na(by)))`` in R, as a crosstab's df (the
        respondents who answered both questions); ``degf(design)`` without ``by``.
    """
    from pewlike.estimation.engine import domain_codes

    if not by_cols:
        return float(sf.degf)
    code, _, _ = domain_codes(sf, by_cols, in_base)
    return float(sf.design.restrict(code >= 0).degf())


def select_all(
    sf: SurveyFrame,
    items: Sequence[str],
    *,
    name: str | None = None,
    base: SelectAllBase = "asked",
    by: str | Sequence[str] | None = None,
    sort: Literal["asked", "share"] = "asked",
    ci: ProportionCI = "logit",
    level: float = 0.95,
    alpha: float = 0.05,
) -> SelectAll:
    """Share selecting each item of a select-all battery, NET Any, None of these and the number selected.

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    items : sequence of str
        The battery's item columns (coded like Selected / Not selected).
    name : str, optional
        The battery's name in ``to_frame()``'s ``variable`` (default: the common stem).
    base : {"asked", "all"}
        ``"asked"``: respondents who answered any item; ``"all"``: everyone (those not
        asked count as not selecting).  The notes say who was left out.
    by : str or list of str, optional
        Domain variables; each item's groups get significance letters.
    sort : {"asked", "share"}
        Item order: as given, or by overall share (largest first).  NET Any and None
        of these come last.
    ci : {"logit", "beta", "wilson", "xlogit", "mean"}
        Interval of each share (R ``svyciprop(method=)``).
    level : float
        Confidence level.
    alpha : float
        Significance level of the letters.

    Returns
    -------
    SelectAll

    Raises
    ------
    VariableError
        The items are not one battery (different answer labels: both groups named) or
        have no "selected" answer.
    EstimationError
        Bad ``base``/``sort``/``alpha``, or nobody in the base.

    Notes
    -----
    Each share is ``svymean(~I(item == "Selected"), design)`` in R survey on the base
    (``subset(design, asked)`` for ``base="asked"``), interval ``svyciprop``; NET Any is
    ``svymean(~I(a | b | ...))``; the number selected ``svymean(~I(a + b + ...))``; letters
    are ``svycontrast`` of two groups of ``svyby(..., covmat=TRUE)``, t on the crosstab's one
    df: ``degf(subset(design, in_base & !is.na(by)))`` (those in the base who have the ``by``
    values), Holm-adjusted; ``cov`` is ``vcov(svymean(~i1 + i2 + ..., base))`` of every row
    (``svyby(..., covmat=TRUE)`` with ``by``).
    """
    from pewlike.estimation.estimators import mean, proportion

    if base not in ("asked", "all"):
        raise EstimationError(f"base={base!r} is not valid; choose 'asked' (those asked the battery) or 'all'")
    if sort not in ("asked", "share"):
        raise EstimationError(f"sort={sort!r} is not valid; choose 'asked' or 'share'")
    if not (isinstance(alpha, float | int) and 0 < alpha < 1):
        raise EstimationError(f"alpha={alpha!r} is not valid; give a significance level between 0 and 1, e.g. 0.05")
    bat = battery_columns(sf, items)
    missing = {c: sf.codebook.variables[c].missing for c in bat.columns}
    Y = selected_matrix(sf.data, bat, missing)
    in_base, asked = _asked_mask(sf, Y, base)
    if not in_base.any():
        raise EstimationError(
            f"nobody in this survey answered any of {', '.join(bat.columns)}; check the items and the domain"
        )
    notes = _base_notes(Y, in_base, asked, sf.design.in_domain, base)
    if base == "asked" and bat.blank_unselected:  # "Selected", else blank
        coded = "with their option's name" if bat.item_selected else repr(bat.selected)
        notes.append(
            f"The items are coded {coded} or left blank, so a respondent who selected nothing cannot be told "
            "from one not asked: the base is those who selected at least one item (base='all' counts everyone)."
        )
    Y0 = np.where(np.isfinite(Y), Y, 0.0)
    real = [k for k in range(len(bat.columns)) if k != bat.none]
    values: dict[str, np.ndarray] = {}
    for k in range(len(bat.columns)):
        values[f"_sa{k}"] = np.where(in_base, Y0[:, k], np.nan)
    values["_sa_any"] = np.where(in_base, Y0[:, real].max(axis=1), np.nan)
    sf2 = indicator_frame(sf, values, {k: k for k in values})
    count = np.where(in_base, Y0[:, real].sum(axis=1), np.nan)
    return _estimate(
        sf, sf2, bat, values, count, in_base, asked, name, base, by, sort, ci, level, alpha, notes, mean, proportion
    )


def _estimate(
    sf: SurveyFrame,
    sf2: SurveyFrame,
    bat: BatteryColumns,
    values: dict[str, np.ndarray],
    count: np.ndarray,
    in_base: np.ndarray,
    asked: np.ndarray,
    name: str | None,
    base: SelectAllBase,
    by: str | Sequence[str] | None,
    sort: str,
    ci: ProportionCI,
    level: float,
    alpha: float,
    notes: list[str],
    mean: Any,
    proportion: Any,
) -> SelectAll:
    import pandas as pd

    from pewlike.estimation.joint import joint_means
    from pewlike.io.codebook import Codebook
    from pewlike.tables.toplines import moe_points

    by_cols = _by_cols(sf, by)
    df = letters_df(sf, in_base, by_cols)
    frames: list[pd.DataFrame] = []
    item_frames: list[pd.DataFrame] = []
    tests: dict[str, pd.DataFrame] = {}
    for k, col in enumerate(bat.columns):
        kind = "none" if k == bat.none else "item"
        est = proportion(sf2, f"_sa{k}", by=by_cols or None, ci=ci, level=level)
        rows, V = _selected_rows(est, col, kind, bat.labels[k], by_cols)
        if by_cols:
            rows["letters"], t = _letters(V, rows, by_cols, df, alpha)
            if t is not None:
                tests[col] = t
        (item_frames if kind == "item" else frames).append(rows)
    if sort == "share":
        w = sf.design.weights
        share = [
            float(np.average(values[f"_sa{bat.columns.index(str(r['item'].iloc[0]))}"][in_base], weights=w[in_base]))
            for r in item_frames
        ]
        item_frames = [item_frames[i] for i in np.argsort(-np.asarray(share), kind="stable")]
    est = proportion(sf2, "_sa_any", by=by_cols or None, ci=ci, level=level)
    net, V = _selected_rows(est, "", "net", "NET Any", by_cols)
    net["item"] = ",".join(bat.columns)
    if by_cols:
        net["letters"], t = _letters(V, net, by_cols, df, alpha)
        if t is not None:
            tests["NET Any"] = t
    variable = name or _stem_name(bat.columns)
    frame: pd.DataFrame = pd.concat([*item_frames, net, *frames], ignore_index=True)
    # the covariance of every row, as one svymean(~i1 + i2 + ... + any + none) (svyby with by=)
    order = [f"_sa{bat.columns.index(str(r['item'].iloc[0]))}" for r in item_frames] + ["_sa_any"]
    order += [f"_sa{bat.none}"] if bat.none is not None else []
    vcov = joint_means(sf, [values[k] for k in order], by_cols or None).vcov
    pair_frames = [tests[str(r["item"].iloc[0])] for r in item_frames if str(r["item"].iloc[0]) in tests]
    pair_frames += [
        tests[k] for k in ("NET Any", *([bat.columns[bat.none]] if bat.none is not None else [])) if k in tests
    ]
    pairs = pd.concat(pair_frames, ignore_index=True) if pair_frames else None
    frame["variable"] = variable
    frame["level"] = frame["level"].astype(object)
    data = with_columns(sf2.data, {"_sa_count": count})
    k = len(bat.columns) - (bat.none is not None)
    cat = pd.Categorical.from_codes(
        np.where(np.isfinite(count), np.nan_to_num(count), -1).astype(int),
        dtype=pd.CategoricalDtype([str(i) for i in range(k + 1)], ordered=True),
    )
    data = with_columns(data, {"_sa_number": cat})
    cb = Codebook.from_frame(data[["_sa_count", "_sa_number"]], missing="keep")
    sf3 = sf2.evolve(data=data, codebook=Codebook({**sf2.codebook.variables, **cb.variables}, sf2.codebook.file_label))
    cnt = mean(sf3, "_sa_count", by=by_cols or None, level=level).to_frame()
    dist = proportion(sf3, "_sa_number", by=by_cols or None, ci=ci, level=level).to_frame()
    cnt["variable"] = dist["variable"] = f"{variable} (number selected)"
    moe, _ = moe_points(sf, in_base, level)
    return SelectAll(
        variable=variable,
        question=bat.stem,
        items=bat.columns,
        labels=bat.labels,
        base=base,
        by=tuple(by_cols),
        frame=frame,
        count=cnt,
        count_distribution=dist,
        n=int(sf.design.weighted_rows(in_base).sum()),
        asked=int(asked.sum()),
        total=int(sf.design.in_domain.sum()),
        moe=moe,
        notes_=tuple(notes),
        sort=sort,
        level=level,
        vcov=vcov,
        pairs=pairs,
        df=df,
    )


def _stem_name(columns: Sequence[str]) -> str:
    """The battery's name: its items' stem (``PP5``, ``SMUSE`` of ``SMUSE_a``), else their common start."""
    from pewlike.estimation.indicators import common_prefix, item_stem
    from pewlike.io.codebook import base_name

    stems = {item_stem(c) for c in columns}
    if len(stems) == 1 and None not in stems:
        return str(stems.pop())
    names = [base_name(c) for c in columns]
    stem = common_prefix(names)
    return stem or names[0]
