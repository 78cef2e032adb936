"""Loading surveys: ``pw.read`` for files and ``pw.demo`` for the bundled synthetic survey."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from pewlike.errors import DesignError
from pewlike.survey import LonelyPSU, Survey

__all__ = ["demo", "read"]


def read(
    path,
    *,
    weights: str | None = "auto",
    strata=None,
    psu=None,
    fpc=None,
    nest: bool = False,
    repweights=None,
    reptype=None,
    scale=None,
    rscales=None,
    mse: bool = False,
    lonely_psu: LonelyPSU = "fail",
    missing: str = "auto",
    columns: Sequence[str] | None = None,
    rho=None,
    engine: Literal["pandas", "dask"] = "pandas",
    **reader_options,
) -> Survey:
    """Read a survey file with its labels and build its design.

    Parameters
    ----------
    path : str or path-like
        ``.sav .zsav .por .dta .sas7bdat .xpt .csv .parquet`` (by extension).
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
    **reader_options
        Passed to the pyreadstat/pandas reader (``encoding=`` ...).

    Returns
    -------
    Survey

    Raises
    ------
    DataFileError
        The file is missing, empty, corrupt or of an unknown type.
    DesignError
        The design columns are invalid.

    Notes
    -----
    Equivalent to ``haven::read_sav`` followed by ``svydesign`` in R.
    """
    from pewlike.design.structure import find_weight_column
    from pewlike.io.files import column_names, read_file

    if engine == "dask":
        from pewlike.partitioned.read import read_dask

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
    if columns is not None:
        wanted = weights
        if isinstance(weights, str) and weights == "auto":
            wanted = find_weight_column(column_names(path))
        extra = [c for c in _design_columns(wanted, strata, psu, fpc, repweights) if c not in columns]
        if isinstance(repweights, str):
            import fnmatch

            extra += [c for c in column_names(path) if fnmatch.fnmatchcase(c, repweights)]
        columns = list(columns) + extra
    data, codebook = read_file(path, columns=columns, missing=missing, **reader_options)
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
    )


def _design_columns(weights, strata, psu, fpc, repweights) -> list[str]:
    out = []
    for x in (weights, strata, psu, fpc):
        if isinstance(x, str) and x != "auto":
            out.append(x)
        elif isinstance(x, (list, tuple)):
            out.extend(x)
    if isinstance(repweights, (list, tuple)):
        out.extend(repweights)
    return out


def demo(**options) -> Survey:
    """The bundled SYNTHETIC privacy survey, shaped like Pew's ATP Wave 49.

    Not real survey responses: made by ``scripts/make_demo_data.py`` from a
    stated population model, weighted by raking as Pew does.

    Returns
    -------
    Survey
        Weighted by ``WEIGHT_W49``.
    """
    from importlib.resources import as_file, files

    res = files("pewlike.datasets") / "privacy_survey_demo.sav"
    with as_file(res) as p:
        svy = read(p, **options)
    return Survey._wrap(replace(svy._backend, source="privacy_survey_demo.sav (synthetic demo data)"))
