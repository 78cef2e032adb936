"""``pw.read(paths, engine="dask")``: partitioned files into a :class:`~pewlike.partitioned.frame.PartitionedFrame`."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from pewlike.errors import WeightWarning
from pewlike.partitioned.frame import PartitionedFrame
from pewlike.partitioned.io import expand_paths, read_partitioned

__all__ = ["read_dask"]


def read_dask(
    paths,
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
    lonely_psu: str = "fail",
    missing: str = "auto",
    columns: Sequence[str] | None = None,
    rho=None,
    scheduler=None,
    progress: bool = True,
    timeout: float = 10.0,
    **reader_options: Any,
) -> PartitionedFrame:
    """Read partitioned files (a glob, a directory or a list) into a :class:`~pewlike.partitioned.frame.PartitionedFrame` (the backend of a partitioned Survey).

    Parameters
    ----------
    paths : str, path or list
        ``"acs/*.parquet"``, a directory of Parquet/CSV files, a list of files, or a large
        ``.sav`` file (read in blocks of rows with pyreadstat's row offsets; option
        ``chunk_rows=``).
    weights ... rho
        As :func:`pewlike.read`.
    scheduler, progress, timeout
        As :class:`pewlike.Survey` (for a Dask DataFrame).
    **reader_options
        Passed to the reader (``dask.dataframe.read_parquet``, ``pandas.read_csv``, pyreadstat).

    Raises
    ------
    DataFileError
        A glob matching no file, partitions whose columns or types differ (the file is
        named), a design column missing from some partition.
    ClusterError
        The scheduler cannot be reached within ``timeout`` seconds.

    Notes
    -----
    Equivalent to reading every file and ``rbind``-ing them before ``svydesign`` in R,
    without ever holding all rows.
    """
    import fnmatch

    files = expand_paths(paths)
    required = []
    if isinstance(weights, str) and weights != "auto":
        required.append(("weight", weights))
    for role, x in (("stratum", strata), ("PSU", psu), ("fpc", fpc)):
        for c in [x] if isinstance(x, str) else list(x or []):
            required.append((role, c))
    if isinstance(repweights, (list, tuple)):
        required.extend(("replicate weight", c) for c in repweights)
    chunk = reader_options.pop("chunk_rows", None)
    kw = {"chunk_rows": chunk} if chunk else {}
    cols = columns
    if columns is not None and isinstance(repweights, str):
        import pyarrow.parquet as pq

        if files[0].suffix.lower() in (".parquet", ".pq"):
            names = pq.read_schema(files[0]).names
            cols = list(columns) + [c for c in names if fnmatch.fnmatchcase(c, repweights)]
    if cols is not None and isinstance(weights, str) and weights == "auto":
        warnings.warn("columns= with weights='auto': name the weight column so it is read", WeightWarning, stacklevel=2)
    ddf, codebook = read_partitioned(files, columns=cols, required=required, missing=missing, **kw, **reader_options)
    source = str(paths) if isinstance(paths, (str, bytes)) else f"{len(files)} files"
    return PartitionedFrame(
        ddf,
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
        source=source,
        scheduler=scheduler,
        progress=progress,
        timeout=timeout,
        missing=missing,
    )
