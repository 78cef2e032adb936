"""Building the design of a partitioned survey: one checking pass over the data.

The pass collects, per partition, what :func:`pewlike.design.structure.build_design` checks and
what the partitioned engine needs to give every row a globally consistent code: bad
weights, bad replicate weights, missing stratum or PSU values, the categories of every
categorical column, the distinct sampling units (designs with PSUs) or the strata and
their sizes (designs whose units are the rows).  The distinct units are then passed to
``build_design`` itself, so stage codes, nesting checks and population sizes are exactly
those of the in-memory design.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pewlike.design.structure import LONELY_PSU, REPTYPES, build_design, stage_columns, weight_column
from pewlike.errors import DesignError
from pewlike.io.codebook import MAX_TEXT_ANSWERS, is_text
from pewlike.partitioned.engine import DaskDesign, Level, StrataTable, UnitTable, map_reduce
from pewlike.partitioned.strategy import variance_for

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from distributed import Client
    from numpy.typing import ArrayLike

    from pewlike.io.codebook import Codebook
    from pewlike.partitioned.frame import PartitionedFrame
    from pewlike.variance.linearization import LonelyPSU

    #: Categories of every categorical column over all partitions: ``{column: (categories, ordered)}``.
    Categories = dict[str, tuple[list[Any], bool]]
    #: Distinct answers of every text column over all partitions (None: too many to be answers).
    Answers = dict[str, list[Any] | None]

__all__ = ["build", "distinct_level", "finish_codebook"]


def _numeric_column(meta: pd.DataFrame, col: str, what: str) -> None:
    import pandas as pd

    dt = meta[col].dtype
    if isinstance(dt, pd.CategoricalDtype) or not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt)):
        raise DesignError(f"{what} column {col!r} is not numeric (dtype {dt}); pass a numeric column")


def build(
    ddf: Any,
    cb: Codebook,
    client: Client | None,
    progress: bool,
    *,
    weights: str | None = "auto",
    strata: str | Sequence[str] | None = None,
    psu: str | Sequence[str] | None = None,
    fpc: str | Sequence[str] | None = None,
    nest: bool = False,
    repweights: str | Sequence[str] | None = None,
    reptype: str | None = None,
    scale: float | None = None,
    rscales: ArrayLike | None = None,
    mse: bool = False,
    lonely_psu: LonelyPSU = "fail",
    rho: float | None = None,
    known: Codebook | None = None,
    read_text: bool = False,
) -> tuple[DaskDesign, Categories, Answers]:
    """Check the design arguments against the data (one pass) and build the :class:`DaskDesign`.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The data.
    cb : Codebook
        Resolves names to columns (``CONCERNCO`` -> ``CONCERNCO_W49``).
    client : distributed.Client or None
        Where to compute (None: Dask's local scheduler).
    progress : bool
        Show a progress bar on stderr.
    weights, strata, psu, fpc, nest, repweights, reptype, scale, rscales, mse, lonely_psu, rho
        As for :class:`pewlike.survey.Survey`.
    known : Codebook, optional
        The file's or the user's codebook: the answers of its text columns are not collected
        (its entries are kept as they are).
    read_text : bool
        ``known`` holds an SPSS/Stata/SAS file's labels: the answers of its text columns
        without labels or missing answers are collected, as a CSV's (see :func:`finish_codebook`).

    Returns
    -------
    design : DaskDesign
    categories : dict
        For every categorical column, ``(categories, ordered)`` over all partitions
        (categories in order of first appearance).
    answers : dict
        For every text column, its distinct answers over all partitions (in order of first
        appearance), or None when it has more than
        :data:`~pewlike.io.codebook.MAX_TEXT_ANSWERS` (IDs, open ends).

    Raises
    ------
    DesignError
        Bad design arguments or bad design values in the data.

    Notes
    -----
    The same checks and messages as R's ``svydesign``/``svrepdesign`` in
    :func:`pewlike.design.structure.build_design`.
    """
    import pandas as pd

    from pewlike.variance import linearization as variance

    meta = ddf._meta
    columns = [str(c) for c in ddf.columns]
    resolve = cb.resolve
    if lonely_psu not in LONELY_PSU:
        raise DesignError(f"lonely_psu={lonely_psu!r} is not valid; choose one of " + ", ".join(map(repr, LONELY_PSU)))
    names: dict[str, Any] = {}
    wcol, weighted = weight_column(weights, columns, resolve)
    if wcol is not None:
        _numeric_column(meta, wcol, "weight")
        names["weights"] = wcol
    rep_cols: list[str] = []
    key_cols: list[str] = []
    fpc_cols: list[str] = []
    psu_cols: list[str] = []
    strata_cols: list[str] = []
    replicate: DaskDesign | None = None  # known before the pass: it needs no sums
    if repweights is not None:
        if isinstance(repweights, str):
            rep_cols = [c for c in columns if fnmatch.fnmatchcase(c, repweights)]
            if not rep_cols:
                raise DesignError(f"repweights={repweights!r} matches no column; check the pattern (e.g. 'REPWT*')")
        else:
            rep_cols = [resolve(c) for c in repweights]
        if reptype is None:
            raise DesignError("replicate weights need reptype=; choose one of " + ", ".join(map(repr, REPTYPES)))
        if reptype not in REPTYPES:
            raise DesignError(f"reptype={reptype!r} is not valid; choose one of " + ", ".join(map(repr, REPTYPES)))
        if strata is not None or psu is not None or fpc is not None:
            raise DesignError(
                "a replicate-weight design takes no strata, psu or fpc (they are in the replicate "
                "weights); drop them or drop repweights"
            )
        for c in rep_cols:
            _numeric_column(meta, c, "replicate weight")
        rs = None if rscales is None else np.asarray(rscales, dtype=float)
        sc, rs = variance.replicate_defaults(reptype, len(rep_cols), scale=scale, rscales=rs, fay_rho=rho)
        names.update(repweights=rep_cols, reptype=reptype)
        kind = "replicate"
        replicate = _with_variance(
            kind="replicate",
            weight_col=wcol,
            weighted=weighted,
            lonely_psu=lonely_psu,
            names=names,
            rep_cols=tuple(rep_cols),
            reptype=reptype,
            scale=float(sc),
            rscales=np.asarray(rs, dtype=float),
            mse=bool(mse),
        )
    else:
        if reptype is not None or scale is not None or rscales is not None:
            raise DesignError("reptype/scale/rscales only apply with repweights=; pass the replicate weight columns")
        psu_cols, strata_cols, fpc_cols, _stages = stage_columns(resolve, strata, psu, fpc)
        for c in fpc_cols:
            _numeric_column(meta, c, "fpc")
        kind = "clustered" if psu_cols else "rows"
        key_cols = strata_cols + psu_cols
        names.update(strata=strata_cols, psu=psu_cols, fpc=fpc_cols, nest=bool(nest))
    cat_cols = [c for c in columns if isinstance(meta[c].dtype, pd.CategoricalDtype)]
    design_cols = {wcol, *rep_cols, *key_cols, *fpc_cols}
    # the file's codebook describes its columns, except text it says nothing of (scanned as a CSV's)
    described = [] if known is None else [k for k in known.variables if not (read_text and _plain_text(known, k))]
    skip = design_cols | set(described)
    text_cols = [c for c in columns if c not in skip and is_text(meta[c])]
    params = (wcol, tuple(rep_cols), tuple(cat_cols), tuple(key_cols), tuple(fpc_cols), kind, tuple(text_cols))
    need = list(dict.fromkeys(([wcol] if wcol else []) + rep_cols + cat_cols + key_cols + fpc_cols + text_cols))
    scan = map_reduce(ddf, need if need else columns[:1], _scan, params, _merge, client, progress)
    if scan["n"] == 0:
        raise DesignError("the data have no rows; a survey needs at least one respondent")
    _check_weights(wcol, scan)
    for c, bad in zip(rep_cols, scan["rep_bad"]):
        if bad:
            raise DesignError(f"replicate weight column {c!r} has {int(bad):,} missing or infinite value(s)")
    for c, bad in zip(key_cols, scan["key_na"]):
        if bad:
            what = "stratum" if c in strata_cols else "PSU"
            raise DesignError(f"{what} column {c!r} has {int(bad):,} missing value(s); every respondent needs a {what}")
    levels: Categories = scan["cats"]
    texts: Answers = scan["text"]
    if replicate is not None:
        return replicate, levels, texts
    common: dict[str, Any] = dict(
        weight_col=wcol,
        weighted=weighted,
        lonely_psu=lonely_psu,
        names=names,
        zero_weights=bool(scan["w_pos"] < scan["n"]),
    )
    if kind == "clustered":
        return (
            _clustered(scan["keys"], key_cols, strata_cols, psu_cols, fpc_cols, nest, lonely_psu, common),
            levels,
            texts,
        )
    return _rows(scan["keys"], strata_cols, fpc_cols, common), levels, texts


def finish_codebook(
    meta: pd.DataFrame,
    cats: Categories,
    given: Codebook | None,
    missing: Literal["auto", "keep", "nan"] = "auto",
    texts: Answers | None = None,
    read_text: bool = False,
) -> tuple[Codebook, dict[str, Level], dict[str, list[Any]]]:
    """The codebook (from the known categories, with ``given`` entries kept) and the :class:`Level` of
    every categorical and text column.

    Parameters
    ----------
    meta : pandas.DataFrame
        The empty frame of the data's columns and types.
    cats : dict
        ``{column: (categories, ordered)}`` from :func:`build`.
    given : Codebook or None
        The user's (or the file's) codebook: its entries for the data's columns are kept.
        Without one (a CSV, a Parquet file from elsewhere), a text column whose answers form
        a scale is a categorical in scale order, as :func:`pewlike.read` reads it in memory.
    missing : {"auto", "keep", "nan"}
        As :meth:`pewlike.io.codebook.Codebook.from_frame`.
    texts : dict, optional
        The distinct answers of every text column from :func:`build`: their missing answers
        ("Refused") are found as in memory.
    read_text : bool
        ``given`` is an SPSS/Stata/SAS file's labels: its text columns without labels or
        missing answers are read as a CSV's, as :func:`pewlike.read` reads them in memory.

    Returns
    -------
    codebook : Codebook
    levels : dict of str to Level
    skipped : dict of str to list
        The skip answers of each text column that has some ("Legitimate skip"): not asked, so
        in no level; the partitions must read them as blank, as :func:`pewlike.read` does.
    """
    import pandas as pd

    from pewlike.io.codebook import Codebook
    from pewlike.io.files import skip_answers, text_pair_categories, text_scale_categories

    answers = {c: found for c, found in (texts or {}).items() if found is not None}
    # text answers the file does not describe (a CSV's, or a labelled file's text without value
    # labels) are read as pewlike.read reads them in memory (files._text_answers, _unlabelled_text)
    plain = {c for c in answers if given is None or (read_text and _plain_text(given, c))}
    skipped: dict[str, list[Any]] = {}
    if missing == "auto":  # skip answers are not asked, as in memory (files.skip_answers)
        skipped = {c: skips for c, found in answers.items() if c in plain and (skips := skip_answers(found))}
        answers = {c: [a for a in found if a not in skipped.get(c, ())] for c, found in answers.items()}
    if plain:
        for c, found in [(c, found) for c, found in answers.items() if c in plain]:
            scale = text_scale_categories(found)
            pair = text_pair_categories(found) if scale is None else None
            if scale is not None:
                cats = {**cats, c: (scale, True)}
                del answers[c]
            elif pair is not None:  # Yes / No: the .sav's order, not a scale
                cats = {**cats, c: (pair, False)}
                del answers[c]
    known = meta.astype({c: pd.CategoricalDtype(v, ordered=o) for c, (v, o) in cats.items()}) if cats else meta
    variables = dict(Codebook.from_frame(known, missing=missing).variables)
    for c, found in answers.items():  # text answers: missing ones found from the answers, as in memory
        variables[c] = Codebook.from_frame(pd.DataFrame({c: pd.Series(found, dtype=meta[c].dtype)}), missing=missing)[c]
    if given is None:
        cb = Codebook(variables)
    else:
        kept = {k: v for k, v in given.variables.items() if k in variables and k not in plain}
        read = {
            k: dataclasses.replace(variables[k], label=v.label, measure=v.measure)
            for k, v in given.variables.items()
            if k in plain
        }
        cb = Codebook({**variables, **kept, **read}, given.file_label)
    levels: dict[str, Level] = {}
    for c, (values, ordered) in cats.items():
        levels[c] = Level(
            tuple(values), tuple(str(x) for x in values), True, bool(ordered), frozenset(cb.variables[c].missing)
        )
    for c, found in answers.items():
        levels[c] = _text_level(found, meta[c].dtype, cb.variables[c].missing)
    return cb, levels, skipped


def _plain_text(given: Codebook, name: str) -> bool:
    """Whether a labelled file's codebook has the column as text (a file's text has no labels or missing answers)."""
    info = given.variables.get(name)
    return info is not None and info.kind == "string"


def _check_weights(wcol: str | None, scan: dict[str, Any]) -> None:
    if wcol is None:
        return
    kinds = [
        f"{int(scan[k]):,} {name}"
        for k, name in (("w_nan", "missing"), ("w_inf", "infinite"), ("w_neg", "negative"))
        if scan[k]
    ]
    if kinds:
        raise DesignError(
            f"weight column {wcol!r} has {', '.join(kinds)} value(s); fix or drop those rows before building the design"
        )
    if not scan["w_pos"]:
        raise DesignError(f"weight column {wcol!r} is zero for every row; check the weight variable")
    from pewlike.design.structure import check_weight_total

    check_weight_total(wcol, scan["w_sum"], scan["w_max"])


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Key columns as plain values (categoricals from different partitions compare by value)."""
    import pandas as pd

    return frame.astype({c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def _scan(pdf: pd.DataFrame, params: tuple[Any, ...]) -> dict[str, Any]:
    import pandas as pd

    wcol, rep_cols, cat_cols, key_cols, fpc_cols, kind, text_cols = params
    out: dict[str, Any] = {"n": len(pdf)}
    if wcol is not None:
        w = pdf[wcol].to_numpy(dtype=float, na_value=np.nan)
        out.update(
            w_nan=int(np.isnan(w).sum()),
            w_inf=int(np.isinf(w).sum()),
            w_neg=int((w < 0).sum()),
            w_pos=int((w > 0).sum()),
            w_sum=_finite_sum(w),
            w_max=float(np.max(w[np.isfinite(w)])) if np.isfinite(w).any() else 0.0,
        )
    else:
        out.update(w_nan=0, w_inf=0, w_neg=0, w_pos=len(pdf), w_sum=float(len(pdf)), w_max=1.0)
    if rep_cols:
        out["rep_bad"] = np.array(
            [
                int((~np.isfinite(pdf[c].to_numpy(dtype=float, na_value=np.nan))).sum())
                if pdf[c].dtype.kind not in "iub"
                else 0
                for c in rep_cols
            ]
        )
    else:
        out["rep_bad"] = np.zeros(0)
    out["cats"] = {
        c: (
            (list(pdf[c].cat.categories), bool(pdf[c].cat.ordered))
            if isinstance(pdf[c].dtype, pd.CategoricalDtype)  # plain text in this file
            else (sorted(pdf[c].dropna().unique().tolist()), False)
        )
        for c in cat_cols
    }
    out["text"] = {c: _answers(pdf[c]) for c in text_cols}
    cols = list(key_cols) + list(fpc_cols)
    out["key_na"] = np.array([int(pdf[c].isna().sum()) for c in key_cols])
    if kind == "clustered":
        out["keys"] = _plain(pdf[cols].dropna(subset=list(key_cols)).drop_duplicates())
    elif kind == "rows":
        frame = _plain(pdf[cols]) if cols else pd.DataFrame(index=pdf.index)
        if cols:
            out["keys"] = frame.groupby(cols, dropna=True, sort=False).size().rename("n").reset_index()
        else:
            out["keys"] = pd.DataFrame({"n": [len(pdf)]})
    return out


def _answers(s: pd.Series) -> list[Any] | None:
    """The distinct answers of a text column in one partition; None for more than a question has."""
    import pandas as pd

    found = pd.unique(s.dropna())
    return None if len(found) > MAX_TEXT_ANSWERS else list(found)


def _finite_sum(w: np.ndarray) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.sum(w[np.isfinite(w)]))


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    import pandas as pd

    out = dict(parts[0])
    for p in parts[1:]:
        for k in ("n", "w_nan", "w_inf", "w_neg", "w_pos", "rep_bad", "key_na"):
            out[k] = out[k] + p[k]
        with np.errstate(over="ignore"):
            out["w_sum"] = out["w_sum"] + p["w_sum"]
        out["w_max"] = max(out["w_max"], p["w_max"])
        cats = dict(out["cats"])
        for c, (values, _ordered) in p["cats"].items():
            have, o = cats[c]
            new = [v for v in values if v not in set(have)]
            cats[c] = (have + new, o)
        out["cats"] = cats
        texts = dict(out["text"])
        for c, found in p["text"].items():
            have = texts[c]
            if have is not None and found is not None:
                have = list(dict.fromkeys([*have, *found]))
            texts[c] = None if have is None or found is None or len(have) > MAX_TEXT_ANSWERS else have
        out["text"] = texts
        if "keys" in out:
            out["keys"] = pd.concat([out["keys"], p["keys"]], ignore_index=True)
    if "keys" in out:
        keys = out["keys"]
        if "n" in keys.columns:
            group = [c for c in keys.columns if c != "n"]
            out["keys"] = (
                keys.groupby(group, dropna=True, sort=False)["n"].sum().reset_index()
                if group
                else pd.DataFrame({"n": [int(keys["n"].sum())]})
            )
        else:
            out["keys"] = keys.drop_duplicates(ignore_index=True)
    return out


def _index(frame: pd.DataFrame, cols: Sequence[str]) -> pd.Index:
    import pandas as pd

    if len(cols) == 1:
        return pd.Index(frame[cols[0]].to_numpy(dtype=object))
    return pd.MultiIndex.from_frame(frame[list(cols)].astype(object))


def _clustered(
    units: pd.DataFrame,
    key_cols: list[str],
    strata_cols: list[str],
    psu_cols: list[str],
    fpc_cols: list[str],
    nest: bool,
    lonely_psu: LonelyPSU,
    common: dict[str, Any],
) -> DaskDesign:
    units = units.sort_values(key_cols, kind="stable").reset_index(drop=True)
    dup = units.duplicated(subset=key_cols)
    if dup.any():
        first = int(np.argmax(dup.to_numpy()))  # the first repeated unit (the index is 0..n-1)
        raise DesignError(
            f"fpc varies within the unit {tuple(units[key_cols].iloc[first])}; the fpc must be "
            "constant within each stratum"
        )
    D = build_design(
        units,
        lambda c: c,
        weights=None,
        strata=strata_cols or None,
        psu=psu_cols,
        fpc=fpc_cols or None,
        nest=nest,
        lonely_psu=lonely_psu,
    )
    return _with_variance(
        kind="clustered",
        key_cols=tuple(key_cols),
        units=UnitTable(index=_index(units, key_cols), strata=D.strata, clusters=D.clusters, popsize=D.popsize),
        **common,
    )


def _rows(table: pd.DataFrame, strata_cols: list[str], fpc_cols: list[str], common: dict[str, Any]) -> DaskDesign:
    table = table.reset_index(drop=True)
    if strata_cols:
        table = table.sort_values(strata_cols, kind="stable").reset_index(drop=True)
    n_all = table["n"].to_numpy(dtype=float)
    labels: tuple[str, ...]
    index: pd.Index | None
    if strata_cols:
        dup = table.duplicated(subset=strata_cols)
        if dup.any():
            first = int(np.argmax(dup.to_numpy()))  # the first repeated stratum (the index is 0..n-1)
            raise DesignError(
                f"fpc varies within stratum {tuple(table[strata_cols].iloc[first])}; the fpc "
                "must be constant within each stratum"
            )
        labels = tuple(" ".join(str(v) for v in row) for row in table[strata_cols].itertuples(index=False))
        index = _index(table, strata_cols)
    else:
        if len(table) > 1:
            raise DesignError(
                "fpc varies between rows of an unstratified design; the fpc must be constant within each stratum"
            )
        labels, index = ("1",), None
    pop: np.ndarray | None = None
    if fpc_cols:
        f = table[fpc_cols[0]].to_numpy(dtype=float)
        if np.isnan(f).any():
            raise DesignError("fpc is missing for some rows; give an fpc for every row or none")
        if (f < 0).any():
            raise DesignError(f"fpc={f[f < 0][0]:g} is negative; fpc must be population counts or sampling fractions")
        if (f > 1).any() and not (f >= 1).all():
            raise DesignError(
                f"fpc mixes population counts (>1) and sampling fractions (<1), e.g. {f[f < 1][0]:g}; use one kind"
            )
        if not (f > 1).any() and (f == 1).all():
            raise DesignError(
                "fpc is 1 everywhere, which is ambiguous (census or one-unit populations); give "
                "population counts or fractions"
            )
        with np.errstate(divide="ignore"):
            pop = f if (f > 1).any() else n_all / f
        small = pop < n_all
        if small.any():
            j = int(np.flatnonzero(small)[0])
            raise DesignError(
                f"stratum {labels[j]} at stage 1: fpc says {pop[j]:g} PSUs in the population but "
                f"{int(n_all[j])} are sampled; check the fpc column"
            )
    return _with_variance(
        kind="rows",
        key_cols=tuple(strata_cols),
        strata=StrataTable(index=index, labels=labels, n=n_all, popsize=pop),
        **common,
    )


# --------------------------------------------------------------------------- categories of other columns
def _distinct(pdf: pd.DataFrame, col: str) -> dict[str, list[Any]]:
    s = pdf[col].dropna()
    return {"v": list(dict.fromkeys(s.tolist()))}


def _union(parts: list[dict[str, list[Any]]]) -> dict[str, list[Any]]:
    seen: dict[Any, None] = {}
    for p in parts:
        for v in p["v"]:
            seen.setdefault(v, None)
    return {"v": list(seen)}


def distinct_level(pf: PartitionedFrame, col: str) -> Level:
    """Sorted distinct values of a non-categorical column over all partitions (one pass).

    The same levels, in the same order, as ``pandas.factorize(sort=True)`` gives in memory.

    Parameters
    ----------
    pf : PartitionedFrame
    col : str
        A data column.

    Returns
    -------
    Level
    """
    vals = map_reduce(pf._ddf, [col], _distinct, col, _union, pf._client, pf._progress)["v"]
    info = pf._codebook.variables.get(col)
    return _text_level(vals, pf._ddf._meta[col].dtype, info.missing if info is not None else ())


def _text_level(vals: Sequence[Any], dtype: Any, missing: Sequence[str]) -> Level:
    """The :class:`Level` of a non-categorical column from its distinct values: sorted, as in memory."""
    import pandas as pd

    values = pd.Index(pd.array(vals, dtype=dtype) if len(vals) else pd.array([], dtype=dtype)).sort_values()
    return Level(tuple(values.tolist()), tuple(str(u) for u in values.tolist()), False, False, frozenset(missing))


def _with_variance(**fields: Any) -> DaskDesign:
    """A :class:`DaskDesign` with its variance strategy, chosen once here as it is built."""
    d = DaskDesign(**fields)
    object.__setattr__(d, "variance", variance_for(d))
    return d
