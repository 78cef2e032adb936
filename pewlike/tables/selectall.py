"""Select-all batteries: the share selecting each item, NET Any, None of these, number selected.

:func:`select_all` turns a battery's items into 0/1 indicators
(:mod:`pewlike.estimation.indicators`), adds them to a copy of the survey as
"Selected"/"Not selected" columns and estimates each with
:func:`pewlike.estimation.estimators.proportion` -- so every share, SE, deff and interval is
R's ``svymean(~I(item == "Selected"), design)`` / ``svyciprop`` on the stated base.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np

from pewlike.errors import EstimationError
from pewlike.estimation.indicators import BatteryColumns, battery_columns, selected_matrix
from pewlike.resultbase import RowEstimates, frame_text
from pewlike.tables.export import TableDoc, file_safe, fmt_int, fmt_points, pew_percent

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.tables.toplines import ProportionCI

__all__ = ["SelectAll", "SelectAllBase", "indicator_frame", "select_all"]

#: Who is in the base of a select-all share: those asked the battery, or every respondent.
SelectAllBase: TypeAlias = Literal["asked", "all"]
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


def _letters(vcov: np.ndarray, est: np.ndarray, df: float, alpha: float) -> list[str]:
    from pewlike.tables.crosstabs import pairwise_letters

    G = len(est)
    if G < 2:
        return [""] * G
    _, letters = pairwise_letters(est, vcov, np.arange(G)[None, :], np.ones(G, dtype=bool), df, alpha=alpha)
    return letters[0]


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
    are ``svycontrast`` of two groups of ``svyby(..., covmat=TRUE)``, t on ``degf(design)``,
    Holm-adjusted.
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

    from pewlike.io.codebook import Codebook
    from pewlike.tables.toplines import moe_points

    by_cols = _by_cols(sf, by)
    df = float(sf.degf)
    frames: list[pd.DataFrame] = []
    item_frames: list[pd.DataFrame] = []
    for k, col in enumerate(bat.columns):
        kind = "none" if k == bat.none else "item"
        est = proportion(sf2, f"_sa{k}", by=by_cols or None, ci=ci, level=level)
        rows, V = _selected_rows(est, col, kind, bat.labels[k], by_cols)
        if by_cols:
            rows["letters"] = _letters(V, rows["estimate"].to_numpy(), df, alpha)
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
        net["letters"] = _letters(V, net["estimate"].to_numpy(), df, alpha)
    variable = name or _stem_name(bat.columns)
    frame: pd.DataFrame = pd.concat([*item_frames, net, *frames], ignore_index=True)
    frame["variable"] = variable
    frame["level"] = frame["level"].astype(object)
    data = sf2.data.assign(_sa_count=count)
    k = len(bat.columns) - (bat.none is not None)
    cat = pd.Categorical.from_codes(
        np.where(np.isfinite(count), np.nan_to_num(count), -1).astype(int),
        dtype=pd.CategoricalDtype([str(i) for i in range(k + 1)], ordered=True),
    )
    data = data.assign(_sa_number=cat)
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
        n=int(in_base.sum()),
        asked=int(asked.sum()),
        total=int(sf.design.in_domain.sum()),
        moe=moe,
        notes_=tuple(notes),
        sort=sort,
        level=level,
        vcov=None,
    )


def _stem_name(columns: Sequence[str]) -> str:
    from pewlike.estimation.indicators import common_prefix
    from pewlike.io.codebook import base_name

    names = [base_name(c) for c in columns]
    stem = common_prefix(names)
    return stem or names[0]
