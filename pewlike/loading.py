"""Loading surveys: ``pw.read`` for files and ``pw.demo`` for the bundled synthetic survey."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal, cast

from pewlike.design.frame import SurveyFrame
from pewlike.errors import DesignError
from pewlike.survey import LonelyPSU, RepType, Survey

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["demo", "read", "stack"]


def read(
    path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    weights: str | None = "auto",
    strata: str | Sequence[str] | None = None,
    psu: str | Sequence[str] | None = None,
    fpc: str | Sequence[str] | None = None,
    nest: bool = False,
    repweights: str | Sequence[str] | None = None,
    reptype: RepType | None = None,
    scale: float | None = None,
    rscales: Sequence[float] | np.ndarray | None = None,
    mse: bool = False,
    lonely_psu: LonelyPSU = "fail",
    missing: Literal["auto", "keep", "nan"] = "auto",
    columns: Sequence[str] | None = None,
    rho: float | None = None,
    engine: Literal["pandas", "dask"] = "pandas",
    probe: bool = False,
    missing_weights: Literal["error", "drop"] = "error",
    **reader_options: Any,
) -> Survey:
    """Read a survey file with its labels and build its design.

    Parameters
    ----------
    path : str or path-like
        ``.sav .zsav .por .dta .sas7bdat .xpt .csv .parquet`` (by extension).  With
        ``engine="dask"`` also a glob, a directory or a list of files.
    weights, strata, psu, fpc, nest, repweights, reptype, scale, rscales, mse, lonely_psu, rho
        As for :class:`Survey`.
    missing : {"auto", "keep", "nan"}
        How special codes ("Refused", SPSS user-missing) are kept; see
        :func:`pewlike.io.files.read_file`.
    columns : list of str, optional
        Read only these columns (the design columns are added automatically).
    engine : {"pandas", "dask"}
        ``"dask"`` reads a glob, directory or list of Parquet/CSV files (or a large .sav
        in row blocks) lazily into a partitioned ``Survey`` (backend :class:`~pewlike.partitioned.frame.PartitionedFrame`);
        it also takes ``scheduler=`` (address or Client), ``progress=`` and ``timeout=``.
        Needs ``pip install 'pewlike[dask]'``.
    probe : bool, default False
        Read the header of an SPSS/Stata/SAS file in a child process first (see
        :func:`pewlike.io.probe.probe_file`), so that a file that crashes the reader raises
        :class:`~pewlike.errors.DataFileError` instead of ending Python.  Costs a fraction
        of a second per file; the command line always does it.  Use it for files you did
        not write yourself.
    missing_weights : {"error", "drop"}
        As for :class:`Survey`: ``"drop"`` leaves out the respondents whose weight is blank
        (a panel file's weight of a wave they were not in), with a warning.
    **reader_options
        Passed to the pyreadstat/pandas reader (``encoding=`` ...).

    Returns
    -------
    Survey

    Raises
    ------
    DataFileError
        The file is missing, empty, not a regular file (a FIFO or device), corrupt, of an
        unknown type, has a column name twice, or (with ``probe=True``) crashes the reader.
    DesignError
        The design columns are invalid.

    Notes
    -----
    Equivalent to ``haven::read_sav`` followed by ``svydesign`` in R.

    SPSS, Stata and SAS files are parsed by pyreadstat, whose C code can crash the Python
    process (a segmentation fault, which no ``try`` catches) on some corrupt or malicious
    files; fuzzed ``.sav`` files do this in the metadata read.  Pass ``probe=True`` for
    files from other people: the header is then read in a child process first.  CSV and
    Parquet are read by memory-safe readers and need no probe.

    Examples
    --------
    >>> import pewlike as pw
    >>> svy = pw.read("ATP W49.sav", weights="WEIGHT_W49")  # doctest: +SKIP
    >>> svy.proportion("CONCERNCO").to_frame()  # doctest: +SKIP
    """
    from pewlike.design.structure import find_weight_column
    from pewlike.io.files import column_names, read_file

    if probe:
        _probe(path, engine)
    if engine == "dask":
        from pewlike.partitioned.read import read_dask

        if missing_weights != "error":
            raise DesignError("missing_weights='drop' is for engine='pandas'; the Dask engine needs every weight")

        return Survey._wrap(
            read_dask(
                path,
                weights=weights,
                strata=strata,
                psu=psu,
                fpc=fpc,
                nest=nest,
                repweights=repweights,
                reptype=reptype,
                scale=scale,
                rscales=rscales,
                mse=mse,
                lonely_psu=lonely_psu,
                missing=missing,
                columns=columns,
                rho=rho,
                **reader_options,
            )
        )
    if engine != "pandas":
        raise DesignError(f"engine={engine!r} is not valid; choose 'pandas' (in memory) or 'dask' (partitioned)")
    # one file in memory (a list of files is for engine="dask"; read_file refuses anything else)
    file = cast("str | os.PathLike[str]", path)
    if columns is not None:
        wanted = weights
        if isinstance(weights, str) and weights == "auto":
            wanted = find_weight_column(column_names(file))
        extra = [c for c in _design_columns(wanted, strata, psu, fpc, repweights) if c not in columns]
        if isinstance(repweights, str):
            import fnmatch

            extra += [c for c in column_names(file) if fnmatch.fnmatchcase(c, repweights)]
        columns = list(columns) + extra
    data, codebook = read_file(file, columns=columns, missing=missing, **reader_options)
    return Survey(
        data,
        weights=weights,
        strata=strata,
        psu=psu,
        fpc=fpc,
        nest=nest,
        repweights=repweights,
        reptype=reptype,
        scale=scale,
        rscales=rscales,
        mse=mse,
        lonely_psu=lonely_psu,
        rho=rho,
        codebook=codebook,
        source=str(path),
        missing_weights=missing_weights,
    )


def _probe(path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], engine: str) -> None:
    """Probe every SPSS/Stata/SAS file ``read`` is about to open (see :func:`pewlike.io.probe.probe_file`)."""
    from pewlike.io.probe import probe_file

    if engine == "dask":
        from pewlike.partitioned.io import expand_paths

        for f in expand_paths(path):
            probe_file(f)
    elif isinstance(path, (str, os.PathLike)):
        probe_file(path)


def _design_columns(
    weights: str | None,
    strata: str | Sequence[str] | None,
    psu: str | Sequence[str] | None,
    fpc: str | Sequence[str] | None,
    repweights: str | Sequence[str] | None,
) -> list[str]:
    out: list[str] = []
    for x in (weights, strata, psu, fpc):
        if isinstance(x, str) and x != "auto":
            out.append(x)
        elif isinstance(x, (list, tuple)):
            out.extend(x)
    if isinstance(repweights, (list, tuple)):
        out.extend(repweights)
    return out


#: The bundled synthetic demo waves: name -> file in pewlike/datasets.
DEMO_WAVES = {"2019": "privacy_survey_demo.sav", "2023": "privacy_survey_demo_2023.sav"}


def demo(wave: str = "2019", **options: Any) -> Survey:
    """The bundled SYNTHETIC privacy survey, shaped like Pew's ATP Wave 49.

    Not real survey responses: made by ``scripts/make_demo_data.py`` from a
    stated population model, weighted by raking as Pew does.  ``pw.demo("2023")`` is
    a synthetic follow-up wave (``scripts/make_demo_wave2023.py``): 3,500 respondents,
    40 % of them 2019 panel members with the same ``QKEY``, six questions asked again.

    Parameters
    ----------
    wave : {"2019", "2023"}
        Which synthetic wave.
    **options
        Passed to :func:`read` (``weights=``, ``missing=``, ``columns=`` ...).

    Returns
    -------
    Survey
        Weighted by ``WEIGHT_W49`` (2023: ``WEIGHT_W132``).

    Raises
    ------
    PewlikeError
        ``wave`` is not one of the bundled waves.

    Notes
    -----
    No R survey equivalent; like R's bundled example data (``data(api)``), but shaped
    like a Pew American Trends Panel wave.

    Examples
    --------
    >>> import pewlike as pw
    >>> svy = pw.demo()
    >>> svy.n, svy.weights.name
    (4272, 'WEIGHT_W49')
    >>> svy.source
    'privacy_survey_demo.sav (synthetic demo data)'
    >>> pw.demo("2023").n
    3500
    """
    from importlib.resources import as_file, files

    if wave not in DEMO_WAVES:
        from pewlike.errors import PewlikeError

        raise PewlikeError(
            f"pw.demo({wave!r}): no such demo wave; choose one of " + ", ".join(repr(w) for w in DEMO_WAVES)
        )
    name = DEMO_WAVES[wave]
    res = files("pewlike.datasets") / name
    with as_file(res) as p:
        svy = read(p, **options)
    backend = svy._backend
    if not isinstance(backend, SurveyFrame):  # engine="dask" (a TypeError, as replace() on that backend gave)
        raise TypeError("pw.demo() reads the demo survey into memory; drop engine='dask'")
    return Survey._wrap(replace(backend, source=f"{name} (synthetic demo data)"))


def stack(
    waves: Mapping[str, Survey],
    *,
    wave: str = "WAVE",
    id: str | None = "QKEY",
    rename: Mapping[str, Mapping[str, str | None]] | None = None,
    recode: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
    weights: Literal["rescale", "as_is"] = "rescale",
) -> Survey:
    """Stack survey waves into one survey whose design knows the waves (and the panel).

    Parameters
    ----------
    waves : mapping
        ``{"2019": w49, "2023": w132}``: wave name -> in-memory :class:`Survey`, in time
        order.
    wave : str
        Name of the new column holding each row's wave (an ordered categorical).
    id : str or None
        Panel id (``QKEY``).  When every wave has it, panel members answering in several
        waves are linked: each respondent is one cluster across waves.  When no wave has
        it, or ``id=None``, the waves are independent samples.
    rename : mapping, optional
        Crosswalk of names, ``{"2023": {"CONC_CO": "CONCERNCO"}}``; a name may be a column
        or its name without the wave suffix; ``None`` as the new name leaves that column
        out of the stack.  Wave suffixes are dropped without it (``CONCERNCO_W49`` and
        ``CONCERNCO_W132`` become ``CONCERNCO``).
    recode : mapping, optional
        Crosswalk of answers, ``{"2023": {"CONCERNCO": {"Extremely concerned": "Very
        concerned"}}}`` (several answers may become one).
    weights : {"rescale", "as_is"}
        ``"rescale"``: each wave's weights are divided by their mean, so every wave's
        respondents have a mean weight of 1 and pooled estimates weigh the waves by their
        sample sizes; ``"as_is"``: kept (a warning names the sums when their scales differ
        by more than 5 times).

    Returns
    -------
    Survey
        All rows, the harmonised questions, the wave column, the stacked weight column
        ``<wave>_WEIGHT``; question wording of the first wave that has it (a trend notes
        wording that changed).

    Raises
    ------
    DesignError
        Fewer than two waves; a wave with replicate weights (not supported yet) or a
        partitioned wave; a question whose substantive answers differ between waves (the
        answers are named, with a ``recode=`` to fix it; a wave without value labels, such
        as a CSV's text answers, may lack answers nobody gave there); ``id`` in some waves only, or
        duplicated within a wave; panel linking of waves that have strata or clusters;
        waves with different numbers of stages, fpc in some waves only, or different
        lonely-PSU rules; a crosswalk naming what a wave does not have.

    Notes
    -----
    No R survey function stacks waves.  The design equals R's ``svydesign`` on the
    stacked data: ``ids=~1, strata=~WAVE`` for independent weights-only waves (each
    wave's own strata and PSUs kept, made unique across waves, for complex waves), and
    ``ids=~QKEY`` for a panel-linked stack of weights-only waves.  Weights of waves raked
    in pewlike are kept but treated as fixed (a warning says so).

    Examples
    --------
    >>> import pandas as pd, pewlike as pw
    >>> w1 = pw.Survey(pd.DataFrame({"Q_W1": ["Yes", "No"], "w": [1.0, 3.0]}), weights="w")
    >>> w2 = pw.Survey(pd.DataFrame({"Q_W2": ["No", "Yes", "Yes"], "w": [2.0, 2.0, 2.0]}), weights="w")
    >>> both = pw.stack({"2019": w1, "2023": w2})
    >>> both.n, both.data["WAVE_WEIGHT"].tolist()
    (5, [0.5, 1.5, 1.0, 1.0, 1.0])
    """
    import pandas as pd

    from pewlike.trends.stack import stack_frames

    frames = {}
    for name, svy in dict(waves).items():
        if not isinstance(svy, Survey):
            kind = "DataFrame" if isinstance(svy, pd.DataFrame) else type(svy).__name__
            raise DesignError(
                f"wave {name!r} is a {kind}, not a pewlike Survey; wrap it with pw.Survey(df, weights=...) or read it with pw.read()"
            )
        backend = svy._backend
        if not isinstance(backend, SurveyFrame):
            raise DesignError(f"wave {name!r} is partitioned; stack in-memory waves (svy.collect() brings one in)")
        frames[name] = backend
    return Survey._wrap(stack_frames(frames, wave=wave, id=id, rename=rename, recode=recode, weights=weights))
