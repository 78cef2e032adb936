"""Several waves stacked into one survey, with a design that knows who was in which wave.

Waves are independent samples unless an id (``QKEY``) links panel members: then each
respondent is one cluster across the waves, so the change between waves gets the
covariance of the same person's two answers, as R's ``svydesign(ids=~QKEY, ...)`` on the
stacked data.  Independent waves keep their own design, each wave its own strata (R's
``svydesign(ids=~psu, strata=~interaction(WAVE, stratum), ...)``; for weights-only waves
``strata=~WAVE``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pewlike.errors import DesignError, WeightWarning
from pewlike.trends.harmonise import (
    Recode,
    Rename,
    harmonise_categories,
    recode_answers,
    spelling_map,
    wave_columns,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.io.codebook import VariableInfo

__all__ = ["stack_frames"]

#: Mean weights this many times apart, unscaled, get a warning.
_SCALE_RATIO = 5.0


def _text_as_answers(s: pd.Series, known: list[str]) -> pd.Series:
    """A column of text answers (a CSV wave's "Form 1" / "Form 2") as a categorical; other columns unchanged.

    Stacked beside a wave whose column has labelled answers, its answers are matched by
    their wording, as two labelled waves' are.  Text holds only the answers someone gave, so
    the labelled waves' answers (``known``, in their order) are its categories too, then any
    answer only it has (which the stack then reports as a difference).
    """
    import pandas as pd

    if isinstance(s.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)
    ):
        return s
    values = s.dropna().unique()  # the distinct answers, in the order first given (no loop over rows)
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        return s
    seen = set(known)
    extra = [v for v in values if v not in seen]
    return s.astype(pd.CategoricalDtype([*known, *extra]))


def _check_args(waves: Mapping[str, SurveyFrame], wave: str, weights: str) -> list[str]:
    names = list(waves)
    if len(names) < 2:
        raise DesignError(f"stack needs two or more waves, got {len(names)}; pass {{'name': survey, ...}}")
    bad = [n for n in names if not isinstance(n, str) or not n.strip()]
    if bad:
        raise DesignError(f"wave names must be non-empty text, got {bad[0]!r}; use e.g. {{'2019': w49, '2023': w132}}")
    if not isinstance(wave, str) or not wave:
        raise DesignError(f"wave={wave!r} must be a column name such as 'WAVE'")
    if weights not in ("rescale", "as_is"):
        raise DesignError(f"weights={weights!r} is not valid; choose 'rescale' or 'as_is'")
    return names


def _weights_only(sf: SurveyFrame) -> bool:
    d = sf.design
    return not d.names.get("strata") and not d.has_psu and d.popsize is None


def _wave_weights(names: list[str], frames: Mapping[str, SurveyFrame], how: str) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    means: dict[str, float] = {}
    for w in names:
        d = frames[w].design
        dom = d.in_domain
        total = float(d.weights.sum())
        if not np.isfinite(total) or total <= 0:
            raise DesignError(f"wave {w!r}: its weights sum to {total!r}; fix its weights before stacking")
        means[w] = total / max(int(dom.sum()), 1)
        out[w] = d.weights * (1.0 / means[w]) if how == "rescale" else d.weights.astype(float)
    if how == "as_is" and max(means.values()) > _SCALE_RATIO * min(means.values()):
        sums = ", ".join(f"{w}: {float(frames[w].design.weights.sum()):,.6g}" for w in names)
        warnings.warn(
            f"the waves' weights are on very different scales (sums {sums}); stacked estimates "
            "pool the waves in those proportions. Use weights='rescale' to give each wave's "
            "respondents a mean weight of 1",
            WeightWarning,
            stacklevel=4,
        )
    return out


def _codes(values: np.ndarray) -> np.ndarray:
    return np.unique(values, return_inverse=True)[1].astype(np.int64)


def _design_columns(
    names: list[str], frames: Mapping[str, SurveyFrame], wave: str, linked: str | None
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Stacked design columns and the ``Survey`` arguments that use them."""
    lonely = {frames[w].design.lonely_psu for w in names}
    if len(lonely) > 1:
        raise DesignError(
            f"the waves use different lonely_psu rules ({', '.join(sorted(lonely))}); rebuild them with one rule"
        )
    args: dict[str, Any] = {"lonely_psu": lonely.pop()}
    if linked is not None:
        complex_ = [w for w in names if not _weights_only(frames[w])]
        if complex_:
            raise DesignError(
                f"id={linked!r} links panel members across waves, which needs weights-only waves, but wave "
                f"{complex_[0]!r} has strata or clusters; pass id=None to treat the waves as independent samples"
            )
        args["psu"] = linked
        return {}, args
    if all(_weights_only(frames[w]) for w in names):
        args["strata"] = wave
        return {}, args
    stages = {frames[w].design.clusters.shape[1] for w in names}
    if len(stages) > 1:
        raise DesignError(
            f"the waves have {' and '.join(map(str, sorted(stages)))} sampling stages; stack needs the same "
            "number of stages in every wave"
        )
    with_fpc = [w for w in names if frames[w].design.popsize is not None]
    if with_fpc and len(with_fpc) < len(names):
        without = next(w for w in names if w not in with_fpc)
        raise DesignError(
            f"wave {with_fpc[0]!r} has a finite population correction and wave {without!r} none; "
            "give every wave an fpc, or none"
        )
    S = stages.pop()
    cols: dict[str, np.ndarray] = {}
    offset_s, offset_c = 0, np.zeros(S, dtype=np.int64)
    strata, clusters, pops = [], [], []
    for w in names:
        d = frames[w].design
        st = _codes(d.strata[:, 0]) + offset_s
        offset_s = int(st.max()) + 1 if st.size else offset_s
        strata.append(st)
        cl = np.column_stack([_codes(d.clusters[:, s]) for s in range(S)]) + offset_c
        offset_c = cl.max(axis=0) + 1 if cl.size else offset_c
        clusters.append(cl)
        if d.popsize is not None:
            pops.append(d.popsize)
    cols[f"{wave}_STRATUM"] = np.concatenate(strata)
    allc = np.concatenate(clusters)
    psu = [f"{wave}_PSU{s + 1}" for s in range(S)]
    for s, name in enumerate(psu):
        cols[name] = allc[:, s]
    args.update(strata=f"{wave}_STRATUM", psu=psu if S > 1 else psu[0])
    if pops:
        allp = np.concatenate(pops)
        fpc = [f"{wave}_FPC{s + 1}" for s in range(S)]
        for s, name in enumerate(fpc):
            cols[name] = allp[:, s]
        args["fpc"] = fpc if S > 1 else fpc[0]
    return cols, args


def _panel_id(names: list[str], frames: Mapping[str, pd.DataFrame], id: str | None) -> str | None:
    if id is None:
        return None
    have = [w for w in names if id in frames[w].columns]
    if not have:
        return None
    if len(have) < len(names):
        lacking = next(w for w in names if w not in have)
        raise DesignError(
            f"id={id!r} links panel members, but wave {lacking!r} has no column {id!r}; name its id column "
            f"with rename={{{lacking!r}: {{'its_id': {id!r}}}}}, or pass id=None for independent samples"
        )
    for w in names:
        col = frames[w][id]
        if col.isna().any():
            raise DesignError(f"wave {w!r} has respondents without an {id}; every panel member needs one")
        dup = col[col.duplicated()]
        if len(dup):
            raise DesignError(
                f"wave {w!r} has {len(dup)} duplicate {id} value(s) (e.g. {dup.iloc[0]}); an id must be "
                "unique within each wave"
            )
    return id


def _merge_info(name: str, infos: dict[str, VariableInfo], cats: list[str] | None) -> VariableInfo:
    first = next(iter(infos.values()))
    labels: dict[Any, str] = {}
    missing_codes: list[Any] = []
    for info in infos.values():
        for code, lab in info.value_labels.items():
            labels.setdefault(code, lab)
        missing_codes += [c for c in info.missing_codes if c not in missing_codes]
    missing = tuple(dict.fromkeys(m for info in infos.values() for m in info.missing))
    wordings = {w: info.label for w, info in infos.items() if info.label}
    changed = len(set(wordings.values())) > 1
    return replace(
        first,
        name=name,
        value_labels=labels,
        missing=missing if cats is not None else first.missing,
        missing_codes=tuple(missing_codes),
        wordings=tuple(wordings.items()) if changed else (),
    )


def _same_spelling(
    name: str, present: dict[str, pd.Series], infos: dict[str, VariableInfo]
) -> tuple[dict[str, pd.Series], dict[str, VariableInfo]]:
    """Later waves' answers (categoricals) spelled as the first wave's where only case or spacing differs."""
    waves = list(present)
    first = [str(c) for c in present[waves[0]].cat.categories]
    present, infos = dict(present), dict(infos)
    for w in waves[1:]:
        mapping = spelling_map(first, [str(c) for c in present[w].cat.categories])
        if mapping:
            present[w] = recode_answers(w, name, present[w], mapping)
            if w in infos:
                infos[w] = replace(infos[w], missing=tuple(mapping.get(m, m) for m in infos[w].missing))
    return present, infos


def _stacked_column(name: str, parts: dict[str, pd.Series | None], sizes: dict[str, int], cats: list[str] | None):
    import pandas as pd

    pieces = []
    for w, s in parts.items():
        if s is None:
            pieces.append(pd.Series([np.nan] * sizes[w], dtype=float if cats is None else object))
        else:
            pieces.append(s.astype(object) if cats is not None else s.reset_index(drop=True))
    out = pd.concat([p.reset_index(drop=True) for p in pieces], ignore_index=True)
    if cats is None:
        return out
    ordered = any(bool(s.cat.ordered) for s in parts.values() if s is not None)
    return pd.Series(pd.Categorical(out, categories=cats, ordered=ordered))


def stack_frames(
    waves: Mapping[str, SurveyFrame],
    *,
    wave: str = "WAVE",
    id: str | None = "QKEY",
    rename: Rename | None = None,
    recode: Recode | None = None,
    weights: Literal["rescale", "as_is"] = "rescale",
) -> SurveyFrame:
    """Stack in-memory waves into one survey (the backend of :func:`pewlike.stack`).

    Parameters
    ----------
    waves : mapping
        ``{wave name: SurveyFrame}`` in time order.
    wave, id, rename, recode, weights
        As :func:`pewlike.stack`.

    Returns
    -------
    SurveyFrame

    Raises
    ------
    DesignError
        See :func:`pewlike.stack`.
    """
    import pandas as pd

    from pewlike.design.frame import SurveyFrame
    from pewlike.io.codebook import Codebook
    from pewlike.trends.stackrep import check_replicate_waves, stacked_replicates

    names = _check_args(waves, wave, weights)
    frames: dict[str, pd.DataFrame] = {}
    maps: dict[str, dict[str, str]] = {}
    for w in names:
        sf = waves[w]
        cols = wave_columns(w, list(sf.data.columns), sf.codebook, rename)
        if wave in cols.values():
            raise DesignError(f"wave {w!r} already has a column {wave!r}; choose another name with wave=")
        frame = sf.data[list(cols)].rename(columns=cols).reset_index(drop=True)
        for name, mapping in dict((recode or {}).get(w, {})).items():
            if name not in frame.columns:
                raise DesignError(f"recode={{{w!r}: {{{name!r}: ...}}}}: wave {w!r} has no variable {name!r}")
            frame[name] = recode_answers(w, name, frame[name], mapping)
        frames[w], maps[w] = frame, cols
    linked = _panel_id(names, frames, id)
    wts = _wave_weights(names, waves, weights)
    replicate = check_replicate_waves(names, waves, linked)
    design_cols, args = ({}, {}) if replicate else _design_columns(names, waves, wave, linked)
    for w in names:
        if waves[w].design.calibration:
            warnings.warn(
                f"wave {w!r} was raked or calibrated in pewlike; the stack keeps its weights but treats them "
                "as fixed (as R's svydesign on the stacked data)",
                WeightWarning,
                stacklevel=3,
            )
    sizes = {w: len(frames[w]) for w in names}
    order = list(dict.fromkeys(c for w in names for c in frames[w].columns))
    data: dict[str, Any] = {}
    infos: dict[str, VariableInfo] = {}
    for name in order:
        parts = {w: (frames[w][name] if name in frames[w].columns else None) for w in names}
        present = {w: s for w, s in parts.items() if s is not None}
        labelled = [s for s in present.values() if isinstance(s.dtype, pd.CategoricalDtype)]
        if labelled:  # a CSV wave's text answers, in the labelled waves' order
            known = list(dict.fromkeys(str(c) for s in labelled for c in s.cat.categories))
            present = {w: _text_as_answers(s, known) for w, s in present.items()}
            parts.update(present)
        kinds = {w: isinstance(s.dtype, pd.CategoricalDtype) for w, s in present.items()}
        if len(set(kinds.values())) > 1:
            lab = next(w for w, k in kinds.items() if k)
            num = next(w for w, k in kinds.items() if not k)
            raise DesignError(
                f"{name!r} has labelled answers in wave {lab!r} but not in wave {num!r}; "
                f"leave it out of one with rename={{{num!r}: {{{name!r}: None}}}}"
            )
        wave_info = {
            w: waves[w].codebook.variables[col]
            for w in present
            for col, target in maps[w].items()
            if target == name and col in waves[w].codebook.variables
        }
        cats = None
        if any(kinds.values()):
            present, wave_info = _same_spelling(name, present, wave_info)
            parts.update(present)
            per = {
                w: ([str(c) for c in s.cat.categories], set(wave_info[w].missing) if w in wave_info else set())
                for w, s in present.items()
            }
            given = {w for w in present if w not in wave_info or not wave_info[w].value_labels}
            cats = harmonise_categories(name, per, given)
        data[name] = _stacked_column(name, parts, sizes, cats)
        if wave_info:
            infos[name] = _merge_info(name, wave_info, cats)
    wave_values = np.repeat(np.array(names, dtype=object), [sizes[w] for w in names])
    data[wave] = pd.Series(pd.Categorical(wave_values, categories=names, ordered=True))
    wcol = f"{wave}_WEIGHT"
    data[wcol] = pd.Series(np.concatenate([wts[w] for w in names]))
    for col, values in design_cols.items():
        data[col] = pd.Series(values)
    stacked = pd.DataFrame(data)
    book = Codebook(infos, " + ".join(f"{w}: {waves[w].codebook.file_label or waves[w].source or w}" for w in names))
    source = "stack of " + ", ".join(f"{w} ({waves[w].source or 'data'})" for w in names)
    sf = SurveyFrame.build(stacked, weights=wcol, codebook=book, source=source, **args)
    if replicate:
        sf = stacked_replicates(names, waves, wts, sf)
    dom = np.concatenate([waves[w].design.in_domain for w in names])
    return sf if dom.all() else sf.evolve(design=sf.design.restrict(dom))
