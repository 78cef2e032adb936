"""The blocks of a ``[[trend]]`` report item: the trend topline, the change by group, the chart.

The waves of the spec (``[[data]]`` tables) are read and stacked once per build
(:func:`pewlike.stack` with the ``[stack]`` options); each trend item then calls
``svy.trend`` on the stack.  Tables are read from the result's frames
(:mod:`pewlike.trends.tables`); percentages are rounded as Pew prints them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pewlike.errors import PewlikeError
from pewlike.report.schema import DEMO_DATA

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.report.build import _Writer
    from pewlike.report.schema import Spec
    from pewlike.report.trend_spec import TrendItem, WaveData
    from pewlike.survey import Survey
    from pewlike.trends.results import Trend

__all__ = ["stacked_waves", "trend_blocks", "trend_source", "wave_counts", "wave_surveys"]

#: A demo wave in a spec: ``file = "pewlike:demo:2023"`` (``"pewlike:demo"`` is the 2019 wave).
_DEMO_PREFIX = DEMO_DATA + ":"


def _read_wave(spec: Spec, wave: WaveData) -> Survey:
    from pewlike.loading import demo, read

    opts = wave.data.read_options()
    file = wave.data.file
    try:
        if file == DEMO_DATA:
            return demo(**opts)
        if file.startswith(_DEMO_PREFIX):
            return demo(file[len(_DEMO_PREFIX) :], **opts)
        p = Path(file).expanduser()
        return read(str(p if p.is_absolute() else spec.base_dir / p), **opts)
    except PewlikeError as exc:
        from pewlike.report.advice import for_spec

        raise type(exc)(f"{wave.where} (wave {wave.wave!r}): {for_spec(str(exc))}") from None


def _prepared(spec: Spec, wave: WaveData) -> Survey:
    """One wave read and prepared as the report prepares its first wave: ``[[derive]]``,
    ``[data] ordinal``/``nominal`` (the first ``[[data]]`` table's and the wave's own),
    ``[labels]`` and ``[weighting] rake``.  An entry the wave cannot take (a question it does
    not ask) is left out of it; the rake's targets must be met."""
    from pewlike.report.labelspec import apply_labels, declare_scales
    from pewlike.report.universe import derive

    svy = derive(spec, _read_wave(spec, wave), where_possible=True)
    svy = declare_scales(spec.label, (spec.data, wave.data), svy, where_possible=True)
    svy = apply_labels(spec.label, spec.labels, svy, where_possible=True)
    return _raked(spec, wave, svy)


def _raked(spec: Spec, wave: WaveData, svy: Survey) -> Survey:
    """One wave raked to the ``[weighting] rake`` targets, as the first wave's tables are (unchanged without)."""
    ws = spec.weighting
    if ws is None or not ws.rake:
        return svy
    try:
        return svy.rake(dict(ws.rake))
    except PewlikeError as exc:
        from pewlike.report.advice import for_spec

        raise type(exc)(f"{ws.where} (wave {wave.wave!r}): {for_spec(str(exc))}") from None


def stacked_waves(w: _Writer) -> Survey:
    """The spec's waves stacked (read and stacked once per build).

    Parameters
    ----------
    w : _Writer
        The report writer (its cache keeps the stack).

    Returns
    -------
    Survey
        ``pw.stack({wave: survey, ...}, **[stack])`` of the waves with the spec's
        ``[[derive]]`` variables, scale declarations and ``[labels]``, each raked to the
        ``[weighting] rake`` targets, restricted to the report's universe (``[data] filter``
        or ``--filter``) in every wave.
    """
    key = ("stack",)
    if key not in w.cache:
        import warnings

        from pewlike.errors import WeightWarning
        from pewlike.loading import stack
        from pewlike.report.universe import data_universe

        spec = w.spec
        st = spec.stack
        assert st is not None  # a spec with waves always has its [stack] options
        waves = {wd.wave: _prepared(spec, wd) for wd in spec.waves}
        w.say(f"  stacking {len(waves)} waves: {', '.join(waves)}")
        with warnings.catch_warnings():  # raked to [weighting]: the trend's notes say the weights are taken as fixed
            warnings.filterwarnings("ignore", message=r"wave .* was raked or calibrated", category=WeightWarning)
            stacked = stack(
                waves, wave=st.wave, id=st.id, rename=st.rename, recode=st.recode or None, weights=st.weights
            )
        w.cache[key] = data_universe(spec, stacked)  # the report's universe, in every wave
    result: Survey = w.cache[key]
    return result


def wave_surveys(w: _Writer) -> dict[str, Survey]:
    """Each wave of the stack (in the report's universe), as a subset of it, in time order.

    Parameters
    ----------
    w : _Writer
        The report writer.

    Returns
    -------
    dict of str to Survey
        Wave name -> the stack restricted to that wave's respondents.
    """
    key = ("waves",)
    if key not in w.cache:
        stacked = stacked_waves(w)
        assert w.spec.stack is not None  # a spec with waves always has its [stack] options
        names = stacked.data[w.spec.stack.wave].astype(str).to_numpy()
        w.cache[key] = {wd.wave: stacked.subset(names == wd.wave) for wd in w.spec.waves}
    result: dict[str, Survey] = w.cache[key]
    return result


def wave_counts(w: _Writer) -> dict[str, int]:
    """Respondents of each wave in the report's universe (those weighted above zero), in time order.

    Parameters
    ----------
    w : _Writer
        The report writer.

    Returns
    -------
    dict of str to int
    """
    return {wave: sub.n for wave, sub in wave_surveys(w).items()}


def _asked_note(w: _Writer, var: str) -> str | None:
    """Who was asked the question in each wave, when not everyone (a split form): None otherwise.

    ``"Asked of Form 1 in each wave, n = 1,983 (2019), 1,702 (2023)."``, or each wave's own
    when they differ.  Counted as a topline counts them (any answer, Refused included, in the
    domain), from the stack's columns: no estimate is needed.
    """
    from pewlike.design.frame import frame_of
    from pewlike.tables.asked import asked_of_forms

    sf = frame_of(stacked_waves(w))
    answered = sf.data[sf.resolve(var)].notna().to_numpy()
    counts: dict[str, tuple[int, int, str | None]] = {}
    for wave, sub in wave_surveys(w).items():  # each wave's domain within the stack
        dom = frame_of(sub).design.in_domain
        asked, total = int((answered & dom).sum()), int(dom.sum())
        counts[wave] = (asked, total, asked_of_forms(sf.data, answered, dom) if asked < total else None)
    if all(asked == total for asked, total, _ in counts.values()):
        return None
    forms = {form for _, _, form in counts.values()}
    if len(forms) == 1 and None not in forms:
        each = ", ".join(f"{asked:,} ({wave})" for wave, (asked, _, _) in counts.items())
        return f"Asked of {forms.pop()} in each wave, n = {each}."

    def who(asked: int, total: int, form: str | None) -> str:
        if form:
            return f"asked of {form}, n = {asked:,}"
        if asked == total:
            return f"asked of all, n = {total:,}"
        return f"asked of {asked:,} of {total:,}"

    return "Who was asked: " + "; ".join(f"{wave} {who(*c)}" for wave, c in counts.items()) + "."


def trend_source(spec: Spec) -> str:
    """The files of the waves, for source lines: ``"a.sav (2019), b.sav (2023)"``.

    Parameters
    ----------
    spec : Spec

    Returns
    -------
    str
    """
    names = []
    for wd in spec.waves:
        file = wd.data.file
        if file == DEMO_DATA or file.startswith(_DEMO_PREFIX):
            from pewlike.loading import DEMO_WAVES

            file = DEMO_WAVES.get(file[len(_DEMO_PREFIX) :] if file != DEMO_DATA else "2019", file)
        names.append(f"{Path(file).name} ({wd.wave})")
    return ", ".join(names)


def _topline_frame(tr: Trend, small: str) -> pd.DataFrame:
    import pandas as pd

    from pewlike.tables.export import pew_percent
    from pewlike.trends.tables import change_label, topline_values

    top = topline_values(tr)
    out = pd.DataFrame({b: top[b].astype(str) for b in tr.by})
    out["Response"] = top["level"].astype(str)
    for wave in tr.waves:
        out[wave] = [pew_percent(v, small=small) for v in top[wave]]
    out[change_label(tr)] = [_points(d, s) for d, s in zip(top["change"], top["significant"], strict=True)]
    return out.reset_index(drop=True)


def _points(d: float, sig: bool) -> str:
    import numpy as np

    if not np.isfinite(d):
        return ""
    pts = int(np.floor(abs(d) * 100 + 0.5 + 1e-9))
    return ("0" if pts == 0 else f"{'+' if d > 0 else '-'}{pts}") + ("*" if sig else "")


def trend_blocks(w: _Writer, svy: Survey, item: TrendItem) -> list[Any]:
    """The tables (and chart) of one ``[[trend]]`` item.

    Parameters
    ----------
    w : _Writer
        The report writer.
    svy : Survey
        The report's (first wave's) survey; not used: trends use the stack of every wave.
    item : TrendItem

    Returns
    -------
    list
        The trend topline table, the change by group (with ``by``), the chart.
    """
    from pewlike.tables.export import TableDoc

    d = w.spec.defaults
    stacked = stacked_waves(w)
    assert w.spec.stack is not None  # a spec with waves always has its [stack] options
    tr = stacked.trend(
        item.var,
        wave=w.spec.stack.wave,
        by=list(item.by) or None,
        nets=item.nets,
        base=item.base,
        level=d.level,
        alpha=d.alpha,
    )
    if item.level is not None and item.level not in set(tr.to_frame()["level"].astype(str)):
        raise PewlikeError(
            f"level = {item.level!r} is not an answer or net of {tr.variable!r}; choose one of "
            + ", ".join(repr(v) for v in dict.fromkeys(tr.to_frame()["level"].astype(str)))
        )
    source = trend_source(w.spec)
    base = "those who answered" if tr.base == "valid" else "all asked"
    notes = [
        f"% of {base} in each wave; change = {tr.waves[-1]} minus {tr.waves[0]} in percentage points, "
        f"* significant at p < {tr.alpha:g} (design-based t test, df = {tr.df:,.0f}).",
        f"Design: {tr.design.splitlines()[0]}.",
        f"Sources: {source}.",
        *tr.notes,
    ]
    if w.spec.weighting is not None and w.spec.weighting.rake:
        notes.insert(
            2,
            "Each wave raked to the report's weighting targets; the changes' standard errors take those weights as fixed.",
        )
    asked = _asked_note(w, item.var)
    if asked:
        notes.insert(1, asked)
    if stacked.universe:  # the report's universe ([data] filter): who each wave's shares are of
        from pewlike.report.universe import among_waves

        notes.insert(0, f"{among_waves(stacked.universe, wave_counts(w))}.")
    blocks: list[Any] = [
        w.table(
            TableDoc(item.name, f"Trend: {tr.question}", _topline_frame(tr, d.small), notes),
            [("", tr.to_frame()), ("_changes", tr.changes())],
        )
    ]
    if tr.by:
        from pewlike.trends.tables import change_values

        diff, sig = change_values(tr)
        frame = diff[["level"]].rename(columns={"level": "Response"}).astype(str)
        for col in diff.columns[1:]:
            frame[col] = [_points(float(x), bool(s)) for x, s in zip(diff[col], sig[col], strict=True)]
        title = f"Change {tr.waves[0]}-{tr.waves[-1]} by {', '.join(stacked.question(b) for b in tr.by)}: {tr.question}"
        blocks.append(w.table(TableDoc(f"{item.name}_by_group", title, frame, notes[:1])))
    if item.chart:
        what = f"'{item.level}'" if item.level else "each answer"
        blocks.append(
            w.figure(
                "trend_plot",
                item.name,
                f"Trend chart of {what} across waves {', '.join(tr.waves)}: {tr.question}",
                tr,
                level=item.level,
                source=source,
                synthetic=w.synthetic,
            )
        )
    return blocks
