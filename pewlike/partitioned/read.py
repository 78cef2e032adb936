"""``pw.read(paths, engine="dask")``: partitioned files into a :class:`~pewlike.partitioned.frame.PartitionedFrame`."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pewlike.errors import WeightWarning
from pewlike.partitioned.frame import PartitionedFrame
from pewlike.partitioned.io import expand_paths, labelled_file, read_partitioned

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client
    from numpy.typing import ArrayLike

    from pewlike.variance.linearization import LonelyPSU

__all__ = ["read_dask"]


def read_dask(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
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
    missing: Literal["auto", "keep", "nan"] = "auto",
    columns: Sequence[str] | None = None,
    rho: float | None = None,
    scheduler: str | Client | None = None,
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
    weights, strata, psu, fpc, nest, repweights, reptype, scale, rscales, mse, lonely_psu, rho
        As :func:`pewlike.read`.
    missing : {"auto", "keep", "nan"}
        How special codes ("Refused", SPSS user-missing) are kept; as :func:`pewlike.read`.
    columns : list of str, optional
        Read only these columns (the design columns are added; with a ``repweights``
        pattern, the Parquet columns it matches).
    scheduler, progress, timeout
        As :class:`pewlike.Survey` (for a Dask DataFrame).
    **reader_options
        Passed to the reader (``pyarrow.parquet.ParquetFile.read_row_groups``,
        ``pandas.read_csv``, pyreadstat); ``chunk_rows=``: rows per block of an
        SPSS/Stata/SAS file.

    Returns
    -------
    PartitionedFrame
        The data (read lazily: one or more partitions per file) with the design checked
        in one pass.

    Raises
    ------
    DataFileError
        A glob matching no file, partitions whose columns or types differ (the file is
        named), a design column missing from some partition.
    ClusterError
        The scheduler cannot be reached within ``timeout`` seconds.

    Warns
    -----
    WeightWarning
        ``columns=`` with ``weights="auto"``: the weight column may not be read.

    Notes
    -----
    R has no partitioned equivalent: the result equals reading every file (``haven::read_sav``,
    ``arrow::read_parquet``) and ``rbind``-ing them before ``svydesign``/``svrepdesign`` in
    R, without ever holding all rows.
    """
    import fnmatch

    files = expand_paths(paths)
    required: list[tuple[str, str]] = []
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
        read_text=labelled_file(files[0]),
    )
