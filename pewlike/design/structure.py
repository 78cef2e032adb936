"""The arrays of a sampling design, built and validated from data columns.

:class:`Design` is what the variance engine needs, and nothing else: weights,
stage-wise strata and cluster codes, population sizes, replicate weights and
their scales, the domain mask of a subset, and calibration steps.  It never
holds the survey's variables.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from pewlike.errors import DesignError, WeightWarning
from pewlike.formula.coding import level_label
from pewlike.variance.replication import ReplicateVariance
from pewlike.variance.strategy import VarianceMethod
from pewlike.variance.taylor import LinearizationVariance

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from scipy import sparse


__all__ = ["LONELY_PSU", "REPTYPES", "Design", "build_design", "check_weight_total", "find_weight_column"]

LONELY_PSU = ("fail", "remove", "adjust", "average", "certainty")
REPTYPES = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "SDR")
_WEIGHT_NAME = re.compile(r"^(weight|weight_w\d+[a-z]?)$", re.IGNORECASE)
# Other houses' weight names (GSS WTSSALL, ESS pspwght, ACS PWGTP, finalwt): suggested, never chosen.
_WEIGHT_LIKE = re.compile(r"weight|wght|wgt|(^|_)wts?|wt(_?\d*)$", re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class Design:
    """Arrays describing a sampling design (one row per respondent, all rows).

    Attributes
    ----------
    weights : ndarray (n,)
        Analysis weights (zero outside :attr:`domain`).
    strata, clusters : ndarray (n, S) of int
        Stage-wise codes; cluster codes are unique in the sample at each stage
        and stage ``s > 0`` strata are nested in stage ``s - 1`` clusters.
        Replicate designs: one stratum, every row its own cluster.
    popsize : ndarray (n, S) or None
        Population number of units at each stage (R's ``fpc$popsize``).
    lonely_psu : str
        Rule for strata with one PSU (linearization).
    domain : ndarray (n,) of bool
        Rows inside the current subset.
    names : dict
        Column names used, for printing.
    weighted : bool
        Whether the weights come from a weight column (or a weighting step).
    variance : VarianceMethod
        How estimates get their covariance: :class:`~pewlike.variance.taylor.LinearizationVariance`
        (with its calibration steps) or :class:`~pewlike.variance.replication.ReplicateVariance`
        (with the replicate weights), chosen once by :func:`build_design`.
    held : ndarray (n,) of bool or None
        Rows R's design object would still hold (None: those of the domain): R's ``subset``
        drops the rows it leaves out of a design that is not calibrated, and keeps them,
        weighted zero, in a calibrated one.  Only :meth:`test_degf` reads it.
    """

    weights: np.ndarray
    strata: np.ndarray
    clusters: np.ndarray
    popsize: np.ndarray | None = None
    lonely_psu: str = "fail"
    domain: np.ndarray | None = None
    names: dict = field(default_factory=dict)
    weighted: bool = True
    variance: VarianceMethod = field(default_factory=LinearizationVariance)
    held: np.ndarray | None = None

    @property
    def n_total(self) -> int:
        """Number of rows of the data, inside and outside the domain."""
        return int(self.weights.shape[0])

    # -- read-only views of the variance method, for describing the design ----
    @property
    def is_replicate(self) -> bool:
        """Whether the variance comes from replicate weights (for describing; estimators ask :attr:`variance`)."""
        return self.variance.kind == "replicate"

    @property
    def repweights(self) -> np.ndarray | None:
        """Replicate weights (n, R), zero outside the domain; None for linearization designs."""
        return self.variance.repweights

    @property
    def calibration(self) -> tuple:
        """Calibration steps the linearized variance accounts for (empty for replicate designs)."""
        return self.variance.calibration

    @property
    def reptype(self) -> str | None:
        """Replicate type (``"JK1"``, ``"JKn"``, ...); None for linearization designs."""
        return getattr(self.variance, "reptype", None)

    @property
    def scale(self) -> float | None:
        """Overall multiplier of the replicate variance; None for linearization designs."""
        return getattr(self.variance, "scale", None)

    @property
    def rscales(self) -> np.ndarray | None:
        """Per-replicate multipliers (R,); None for linearization designs."""
        return getattr(self.variance, "rscales", None)

    @property
    def mse(self) -> bool:
        """Whether replicates are centred on the full-sample estimate (False for linearization)."""
        return bool(getattr(self.variance, "mse", False))

    @property
    def in_domain(self) -> np.ndarray:
        """Rows inside the current domain (n,) of bool; every row when there is no subset."""
        if self.domain is None:
            return np.ones(self.n_total, dtype=bool)
        return self.domain

    @property
    def has_psu(self) -> bool:
        """Whether PSU columns were given (else each row is its own sampling unit)."""
        return bool(self.names.get("psu"))

    def restrict(self, mask: np.ndarray) -> Design:
        """Domain restriction keeping the full design.

        Parameters
        ----------
        mask : ndarray (n,) of bool
            Rows to keep; intersected with the current domain.

        Returns
        -------
        Design
            Weights zero outside the domain; the variance method restricted to it.

        Notes
        -----
        As R's ``subset.survey.design`` / ``subset.svyrep.design``.
        """
        dom = self.in_domain & mask
        w = np.where(dom, self.weights, 0.0)
        held = self.held_rows if self.calibration else dom  # R drops the other rows unless calibrated
        return replace(self, weights=w, domain=dom, variance=self.variance.restrict(dom), held=held)

    def with_weights(
        self, weights: np.ndarray, repweights: np.ndarray | None = None, calibration: tuple | None = None
    ) -> Design:
        """Same design, new analysis weights.

        ``repweights`` (the re-weighted replicate columns) and ``calibration`` (the
        residual steps so far) are offered to the variance method, which keeps what it
        uses: see :meth:`~pewlike.variance.strategy.VarianceMethod.reweighted`.

        Parameters
        ----------
        weights : ndarray (n,)
            New analysis weights over all rows (set to zero outside the domain).
        repweights : ndarray (n, R), optional
            Re-weighted replicate columns.
        calibration : tuple, optional
            Residual steps of the weighting done so far.

        Returns
        -------
        Design
        """
        dom = self.in_domain
        w = np.where(dom, np.asarray(weights, dtype=float), 0.0)
        return replace(
            self,
            weights=w,
            weighted=True,
            variance=self.variance.reweighted(repweights=repweights, calibration=calibration),
        )

    @cached_property
    def units(self) -> tuple[np.ndarray, np.ndarray]:
        """Last-stage sampling units: ``(unit code per row, first row of each unit)``.

        Variance of any linear statistic depends only on totals over these units.
        """
        unit = self.clusters[:, -1]
        if (
            unit.shape[0]
            and np.array_equal(unit[:1], [0])
            and unit[-1] == unit.shape[0] - 1
            and np.all(np.diff(unit) == 1)
        ):
            return unit, np.arange(unit.shape[0])
        order = np.argsort(unit, kind="stable")
        su = unit[order]
        starts = np.r_[0, np.flatnonzero(np.diff(su)) + 1]
        return unit, order[starts]

    @cached_property
    def unit_weight_totals(self) -> np.ndarray:
        """Sum of the analysis weights in each last-stage unit (reused by every estimate)."""
        unit, first = self.units
        return np.bincount(unit, weights=self.weights, minlength=first.shape[0])

    def unit_sums(self, values: np.ndarray) -> np.ndarray:
        """Sums of ``weights * values`` within last-stage units (the weighted sums a variance needs).

        Parameters
        ----------
        values : ndarray (n,)

        Returns
        -------
        ndarray (units,)
        """
        return np.asarray(self.unit_weight_matrix @ values)  # a sparse product: ~10x one weighted bincount

    @cached_property
    def unit_weight_matrix(self) -> sparse.csr_matrix:
        """Sparse (units x rows) matrix of the weights: ``M @ y`` sums ``w * y`` within units."""
        from scipy import sparse

        unit, first = self.units
        n = unit.shape[0]
        return sparse.csr_matrix((self.weights, (unit, np.arange(n))), shape=(first.shape[0], n))

    @cached_property
    def weight_total(self) -> np.ndarray:
        """Sum of all the analysis weights, as a (1,) array (the weighted total of every row)."""
        total = np.array([self.weights.sum()])
        total.flags.writeable = False  # shared by every estimate of the design
        return total

    @cached_property
    def has_zero_weights(self) -> bool:
        """Whether any row inside the domain has weight zero (R's ``nobs`` then differs from n)."""
        return bool(np.any((self.weights == 0) & self.in_domain))

    def degf(self) -> int:
        """Design degrees of freedom, as R's ``degf``.

        Returns
        -------
        int
            From the variance method: PSUs minus strata, or the rank of the replicate
            weights minus one.
        """
        return self._degf

    @cached_property
    def _degf(self) -> int:
        return self.variance.degf(self)

    def test_degf(self) -> int:
        """Denominator degrees of freedom of a test of association, as R's ``svychisq``.

        R 4.1.1's ``svychisq`` counts the first-stage PSUs minus strata of every row its
        design object holds, weighted zero or not (``length(unique(design$cluster[, 1]))``),
        where :meth:`degf` counts only rows with a nonzero weight.  The two differ when
        respondents in the domain are weighted zero, or in a subset of a calibrated design
        (R keeps its other rows); otherwise this is :meth:`degf`.  Replicate designs: :meth:`degf`.

        Returns
        -------
        int
        """
        if self.is_replicate:
            return self.degf()
        held = self.held_rows
        if not self.has_zero_weights and not np.any(held & ~self.in_domain):
            return self.degf()
        from pewlike.variance.linearization import degf_linearized

        return int(degf_linearized(self.strata, self.clusters, held.astype(float)))

    def weighted_rows(self, mask: np.ndarray) -> np.ndarray:
        """The rows of ``mask`` with a nonzero weight: those R's ``unwtd.count`` and ``nobs`` count.

        A respondent weighted zero (outside the weight's universe) adds nothing to an estimate
        or to its margin of error, so no unweighted count includes it.

        Parameters
        ----------
        mask : ndarray (n,) of bool
            Rows (over all rows) inside the domain.

        Returns
        -------
        ndarray (n,) of bool
            ``mask`` itself when no row of the domain is weighted zero.
        """
        return mask & (self.weights != 0) if self.has_zero_weights else mask

    @property
    def held_rows(self) -> np.ndarray:
        """Rows R's design object would hold (:attr:`held`; without it, the domain's rows)."""
        return self.in_domain if self.held is None else self.held


# ---------------------------------------------------------------------------
def find_weight_column(columns: Sequence[str]) -> str | None:
    """The single column named like ``WEIGHT_W<n>`` or ``weight``; None when there is none.

    Parameters
    ----------
    columns : sequence of str
        As :func:`weight_columns`.

    Returns
    -------
    str or None

    Raises
    ------
    DesignError
        When several columns qualify (they are listed; :func:`weight_columns` gives them).
    """
    cands = weight_columns(columns)
    if len(cands) > 1:
        raise DesignError(
            f"several weight columns found: {', '.join(cands)}; pass weights='{cands[0]}' "
            f"(or another), or weights=None for unweighted estimates"
        )
    return cands[0] if cands else None


def weight_columns(columns: Sequence[str]) -> list[str]:
    """Every column named like a weight (``WEIGHT_W<n>``, ``weight``), in the data's order.

    Parameters
    ----------
    columns : sequence of str
        The data's column names.

    Returns
    -------
    list of str

    Examples
    --------
    >>> weight_columns(["QKEY", "WEIGHT_W80", "Q1", "WEIGHT_W81"])
    ['WEIGHT_W80', 'WEIGHT_W81']
    """
    return [str(c) for c in columns if _WEIGHT_NAME.match(str(c))]


def weight_lookalikes(columns: Sequence[str]) -> list[str]:
    """Columns named like another survey house's weight (``WTSSALL``, ``pspwght``, ``finalwt``), in the data's order.

    Only suggested in messages, never chosen: ``weights="auto"`` takes a column named
    ``WEIGHT_W<n>`` or ``weight`` alone (:func:`weight_columns`).

    Parameters
    ----------
    columns : sequence of str
        As :func:`weight_columns`.

    Returns
    -------
    list of str

    Examples
    --------
    >>> weight_lookalikes(["ID", "WTSSALL", "AGE", "pspwght", "finalwt"])
    ['WTSSALL', 'pspwght', 'finalwt']
    """
    return [str(c) for c in columns if _WEIGHT_LIKE.search(str(c)) and not _WEIGHT_NAME.match(str(c))]


#: Names surveys give replicate weights that are not the full weight's name and a number:
#: CPS and SIPP ``REPWGT1``.., IPUMS ``REPWTP1``.. / ``REPWT1``.., AHS ``REPWEIGHT1``.., MEPS ``BRR1``...
REPLICATE_STEMS = ("REPWGT", "REPWTP", "REPWT", "REPWEIGHT", "REPW", "BRR")


def replicate_lookalikes(columns: Sequence[str], weight: str) -> list[str]:
    """Columns named like replicate weights of ``weight``: ``<weight>1`` .. ``<weight>R`` (or ``<weight>_1`` ..),
    else one of :data:`REPLICATE_STEMS` and a number (``REPWGT1`` .. beside ``PWSSWGT``).

    Only suggested (by ``pewlike init``), never used: the replicate type cannot be told from the
    names.  Found only when the numbers run 1 .. R without a gap, R >= 4, and no column is named
    like an ATP wave weight (``WEIGHT_W4`` beside ``WEIGHT_W41`` .. are other waves' weights).

    Parameters
    ----------
    columns : sequence of str
        The data's columns.
    weight : str
        The full-sample weight column.

    Returns
    -------
    list of str
        In replicate order; empty when there are none.

    Examples
    --------
    >>> replicate_lookalikes(["PWGTP", *[f"PWGTP{i}" for i in range(1, 81)], "AGEP"], "PWGTP")[::79]
    ['PWGTP1', 'PWGTP80']
    >>> replicate_lookalikes(["WEIGHT_W4", "WEIGHT_W41", "WEIGHT_W42", "WEIGHT_W43", "WEIGHT_W44"], "WEIGHT_W4")
    []
    >>> replicate_lookalikes(["PWSSWGT", *[f"repwgt{i}" for i in range(1, 161)]], "PWSSWGT")[::159]
    ['repwgt1', 'repwgt160']
    """
    for stem in (weight, *REPLICATE_STEMS):  # the weight's own name first (PWGTP1 ..), then the usual names
        pattern = re.compile(re.escape(stem) + r"_?(\d+)", re.IGNORECASE)
        found: dict[int, str] = {}
        for c in map(str, columns):
            hit = pattern.fullmatch(c)
            if hit and c != weight and not _WEIGHT_NAME.match(c):
                found.setdefault(int(hit.group(1)), c)
        if len(found) >= 4 and sorted(found) == list(range(1, len(found) + 1)):
            return [found[i] for i in range(1, len(found) + 1)]
    return []


def _no_weight_advice(columns: Sequence[str]) -> str:
    """What to do when no column is named like a weight: use the lookalike, if there is one."""
    like = weight_lookalikes(columns)
    if like:
        return f"{like[0]} looks like one: pass weights='{like[0]}', or weights=None for unweighted"
    return "Pass weights='<column>', or weights=None for unweighted"


def check_weight_total(column: str, total: float, largest: float) -> None:
    """Refuse weights whose total (or the total of their squares) is not a finite number.

    Parameters
    ----------
    column : str
        The weight column, named in the message.
    total : float
        The sum of the weights.
    largest : float
        The largest weight.

    Raises
    ------
    DesignError
        The sum overflows (eleven weights of 1e308), or the weights are so large that the
        sums of squares behind every variance overflow.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        squares = largest * total  # bounds the sum of squared weights
    if np.isfinite(total) and np.isfinite(squares):
        return
    raise DesignError(
        f"weight column {column!r} is too large to compute with (largest {largest:.3g}; the total"
        f"{'' if not np.isfinite(total) else ' of squares'} overflows); rescale the weights, e.g. divide "
        "them by their mean"
    )


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _row_ids(data: pd.DataFrame, mask: np.ndarray, k: int = 5) -> str:
    ids = data.index[mask][:k]
    return ", ".join(str(i) for i in ids)


def _numeric(data, col: str, what: str) -> np.ndarray:
    import pandas as pd

    s = data[col]
    if isinstance(s.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)
    ):
        raise DesignError(f"{what} column {col!r} is not numeric (dtype {s.dtype}); pass a numeric column")
    return s.to_numpy(dtype=float, na_value=np.nan)


def _codes(data, cols: list[str], what: str) -> np.ndarray:
    """Integer codes of the combination of columns (NA is an error, as in R)."""
    import pandas as pd

    n = len(data)
    if not cols:
        return np.zeros(n, dtype=np.int64)
    keys = []
    for c in cols:
        s = data[c]
        if s.isna().any():
            bad = s.isna().to_numpy()
            raise DesignError(
                f"{what} column {c!r} has {int(bad.sum())} missing value(s) "
                f"(first rows: {_row_ids(data, bad)}); every respondent needs a {what}"
            )
        keys.append(pd.factorize(s, sort=True)[0].astype(np.int64))
    code = keys[0]
    for k in keys[1:]:
        code = code * (int(k.max()) + 1) + k
    return pd.factorize(code, sort=True)[0].astype(np.int64)


def _psus_in_several_strata(ids: np.ndarray, strata: np.ndarray) -> np.ndarray:
    """PSU codes seen in more than one stratum (one linear pass, no sort of the rows)."""
    if ids.size == 0:
        return ids
    first = np.empty(int(ids.max()) + 1, dtype=strata.dtype)
    first[ids] = strata  # one of each PSU's strata (whichever write wins): a PSU in two strata differs somewhere
    return ids[strata != first[ids]]


def _pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    import pandas as pd

    return pd.factorize(a * (int(b.max()) + 1) + b, sort=True)[0].astype(np.int64)


def drop_unweighted(
    data: pd.DataFrame, weights: str | None, resolve: Callable[[str], str]
) -> tuple[pd.DataFrame, str | None, int]:
    """The respondents with a weight: rows whose weight is blank left out (``missing_weights="drop"``).

    A panel file carries each wave's weight, blank for the panelists not in that wave's
    sample; an analysis of that wave leaves them out, as Stata's ``svy`` and SPSS Complex
    Samples do (R's ``svydesign`` stops: subset the data first).

    Parameters
    ----------
    data : pandas.DataFrame
    weights : str or None
        As :class:`pewlike.Survey` (``"auto"``: the one column named like a weight).
    resolve : callable
        Maps a user's name to a column.

    Returns
    -------
    (pandas.DataFrame, str or None, int)
        The rows with a weight (``data`` itself when none is blank), the weight column, and
        how many rows were left out.

    Raises
    ------
    DesignError
        The weight is blank for every respondent.
    """
    wcol = _weight_named(weights, [str(c) for c in data.columns], resolve)
    if wcol is None:
        return data, None, 0
    blank = data[wcol].isna().to_numpy()
    if blank.all():
        raise DesignError(f"weight column {wcol!r} is blank for every respondent; choose another weight column")
    if not blank.any():
        return data, wcol, 0
    return data.loc[~blank], wcol, int(blank.sum())


def weight_column(
    weights: str | None, columns: Sequence[str], resolve: Callable[[str], str]
) -> tuple[str | None, bool]:
    """The weight column a ``weights=`` argument names, and whether the design is weighted.

    Parameters
    ----------
    weights : str or None
        ``"auto"``: the one column named like ``WEIGHT_W<n>``/``weight`` (equal weights
        and a :class:`~pewlike.errors.WeightWarning` when there is none); ``None``:
        unweighted; a name: that column.
    columns : sequence of str
        The data's column names.
    resolve : callable
        Maps a user's name to a column (wave suffixes, suggestions).

    Returns
    -------
    (str or None, bool)
        The column (None: equal weights) and whether the design is weighted.

    Raises
    ------
    DesignError
        Several columns look like weights, or ``weights`` is not a name, "auto" or None.
    """
    import warnings

    wcol = _weight_named(weights, columns, resolve)
    if wcol is None and weights == "auto":
        warnings.warn(
            f"no weight column found (looked for WEIGHT_W<n> or weight); using equal weights. "
            f"{_no_weight_advice(columns)}",
            WeightWarning,
            stacklevel=4,
        )
    return wcol, wcol is not None


def _weight_named(weights: str | None, columns: Sequence[str], resolve: Callable[[str], str]) -> str | None:
    """The column a ``weights=`` argument names: "auto" the one named like a weight (None if none), None none."""
    if isinstance(weights, str):
        return find_weight_column(columns) if weights == "auto" else resolve(weights)
    if weights is None:
        return None
    raise DesignError(f"weights must be a column name, 'auto' or None, not {type(weights).__name__}")


def stage_columns(
    resolve: Callable[[str], str],
    strata: str | Sequence[str] | None,
    psu: str | Sequence[str] | None,
    fpc: str | Sequence[str] | None,
) -> tuple[list[str], list[str], list[str], int]:
    """Resolved PSU, strata and fpc columns and the number of stages, checked against each other.

    Parameters
    ----------
    resolve : callable
        Maps a user's name to a column.
    strata, psu, fpc : str, sequence of str or None
        Column names, one per stage (``strata`` and ``fpc`` may have fewer).

    Returns
    -------
    (list of str, list of str, list of str, int)
        PSU, strata and fpc columns, and the number of stages (at least 1).

    Raises
    ------
    DesignError
        More strata or fpc columns than stages.
    """
    psu_cols = [resolve(c) for c in _as_list(psu)]
    strata_cols = [resolve(c) for c in _as_list(strata)]
    fpc_cols = [resolve(c) for c in _as_list(fpc)]
    stages = max(1, len(psu_cols))
    if len(strata_cols) > stages:
        raise DesignError(
            f"{len(strata_cols)} strata columns for {stages} stage(s); give at most one strata column per psu column"
        )
    if len(fpc_cols) > stages:
        raise DesignError(f"{len(fpc_cols)} fpc columns for {stages} stage(s); give one fpc column per stage")
    return psu_cols, strata_cols, fpc_cols, stages


def build_design(
    data: pd.DataFrame,
    resolve: Callable[[str], str],
    *,
    weights: str | None = "auto",
    strata: str | Sequence[str] | None = None,
    psu: str | Sequence[str] | None = None,
    fpc: str | Sequence[str] | None = None,
    nest: bool = False,
    repweights: str | Sequence[str] | None = None,
    reptype: str | None = None,
    scale: float | None = None,
    rscales: Sequence[float] | np.ndarray | None = None,
    mse: bool = False,
    lonely_psu: str = "fail",
    rho: float | None = None,
) -> Design:
    """Validate design arguments against ``data`` and build a :class:`Design`.

    The variance method is chosen here, once: replicate weights give a
    :class:`~pewlike.variance.replication.ReplicateVariance`, anything else a
    :class:`~pewlike.variance.taylor.LinearizationVariance`.

    Parameters
    ----------
    data : pandas.DataFrame
        Every respondent.
    resolve : callable
        Maps a user's name to a column (wave suffixes, suggestions).
    weights, strata, psu, fpc, nest, repweights, reptype, scale, rscales, mse, lonely_psu, rho
        As :class:`pewlike.Survey`; ``repweights`` may be a glob pattern (``"REPWT*"``).

    Returns
    -------
    Design

    Raises
    ------
    DesignError
        Arguments that do not fit the data or each other: missing, negative or
        non-numeric weights, PSUs in several strata without ``nest``, replicate
        weights with strata/PSUs, an invalid ``reptype`` or ``lonely_psu``, a bad fpc.

    Notes
    -----
    Equivalent to the checks of R's ``svydesign``/``svrepdesign``.
    """

    import pandas as pd

    from pewlike.variance import linearization as variance

    n = len(data)
    if n == 0:
        raise DesignError("the data have no rows; a survey needs at least one respondent")
    if lonely_psu not in LONELY_PSU:
        raise DesignError(
            f"lonely_psu={lonely_psu!r} is not valid; choose one of " + ", ".join(repr(x) for x in LONELY_PSU)
        )
    names: dict[str, Any] = {}
    # -- weights -----------------------------------------------------------
    wcol, weighted = weight_column(weights, [str(c) for c in data.columns], resolve)
    if wcol is not None:
        w = _numeric(data, wcol, "weight")
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            kinds = []
            if np.isnan(w).any():
                kinds.append(f"{int(np.isnan(w).sum())} missing")
            if np.isinf(w).any():
                kinds.append(f"{int(np.isinf(w).sum())} infinite")
            if (w < 0).any():
                kinds.append(f"{int((w < 0).sum())} negative")
            raise DesignError(
                f"weight column {wcol!r} has {', '.join(kinds)} value(s) (first rows: "
                f"{_row_ids(data, bad)}); fix or drop those rows before building the design"
                + (
                    " (missing_weights='drop' leaves out those without a weight, as for a wave they were not in)"
                    if np.isnan(w).any()
                    else ""
                )
            )
        if not (w > 0).any():
            raise DesignError(f"weight column {wcol!r} is zero for every row; check the weight variable")
        with np.errstate(over="ignore"):
            total = float(np.sum(w))
        check_weight_total(wcol, total, float(np.max(w)))
        names["weights"] = wcol
    else:
        w = np.ones(n)
    # -- replicate designs ---------------------------------------------------
    if repweights is not None:
        if isinstance(repweights, str):
            cols = [str(c) for c in data.columns if fnmatch.fnmatchcase(str(c), repweights)]
            if not cols:
                raise DesignError(f"repweights={repweights!r} matches no column; check the pattern (e.g. 'REPWT*')")
        else:
            cols = [resolve(c) for c in repweights]
        if reptype is None:
            raise DesignError("replicate weights need reptype=; choose one of " + ", ".join(repr(r) for r in REPTYPES))
        if reptype not in REPTYPES:
            raise DesignError(
                f"reptype={reptype!r} is not valid; choose one of " + ", ".join(repr(r) for r in REPTYPES)
            )
        if strata is not None or psu is not None or fpc is not None:
            raise DesignError(
                "a replicate-weight design takes no strata, psu or fpc (they are in the replicate "
                "weights); drop them or drop repweights"
            )
        for c in cols:
            if not (
                pd.api.types.is_numeric_dtype(data[c].dtype) and not isinstance(data[c].dtype, pd.CategoricalDtype)
            ):
                raise DesignError(
                    f"replicate weight column {c!r} is not numeric (dtype {data[c].dtype}); "
                    "pass numeric replicate weight columns"
                )
        rep = np.ascontiguousarray(data[cols].to_numpy(dtype=float, na_value=np.nan))
        finite = np.isfinite(rep)
        if not finite.all():
            j = int(np.flatnonzero(~finite.all(axis=0))[0])
            bad = ~finite[:, j]
            raise DesignError(
                f"replicate weight column {cols[j]!r} has {int(bad.sum())} missing or infinite "
                f"value(s) (first rows: {_row_ids(data, bad)})"
            )
        del finite
        rs = None if rscales is None else np.asarray(rscales, dtype=float)
        sc, rs = variance.replicate_defaults(reptype, len(cols), scale=scale, rscales=rs, fay_rho=rho)
        names.update(repweights=cols, reptype=reptype)
        return Design(
            w,
            np.zeros((n, 1), dtype=np.int64),
            np.arange(n, dtype=np.int64)[:, None],
            lonely_psu=lonely_psu,
            names=names,
            weighted=weighted,
            variance=ReplicateVariance(rep, reptype, float(sc), np.asarray(rs, dtype=float), bool(mse)),
        )
    if reptype is not None or scale is not None or rscales is not None:
        raise DesignError("reptype/scale/rscales only apply with repweights=; pass the replicate weight columns")
    # -- linearisation designs -----------------------------------------------
    psu_cols, strata_cols, fpc_cols, stages = stage_columns(resolve, strata, psu, fpc)
    strata1 = _codes(data, strata_cols[:1], "stratum")
    if len(strata_cols) >= 1:
        import pandas as pd

        # stratum values by code (codes come from a sorted factorisation), for messages
        names["stratum_values"] = [level_label(v) for v in pd.factorize(data[strata_cols[0]], sort=True)[1]]
    clusters = np.empty((n, stages), dtype=np.int64)
    stratas = np.empty((n, stages), dtype=np.int64)
    prev: np.ndarray | None = None  # the previous stage's cluster codes
    for s in range(stages):
        if psu_cols:
            ids = _codes(data, psu_cols[: s + 1], "PSU" if s == 0 else f"stage-{s + 1} cluster")
        else:
            ids = np.arange(n, dtype=np.int64)
        if s == 0:
            if strata_cols and psu_cols and not nest:
                # R: "Clusters not nested in strata at top level; you may want nest=TRUE."
                split = _psus_in_several_strata(ids, strata1)
                if split.size:
                    bad = int(split.min())
                    example = data[psu_cols[0]].to_numpy()[np.flatnonzero(ids == bad)[0]]
                    shown = repr(example) if isinstance(example, str) else level_label(example)  # 4, not 4.0
                    raise DesignError(
                        f"PSU {shown} of {psu_cols[0]!r} appears in more than one stratum; "
                        "PSU ids are reused across strata, pass nest=True"
                    )
            if strata_cols and nest:
                ids = _pair(strata1, ids)
            stratas[:, 0] = strata1
        else:
            st = _codes(data, strata_cols[s : s + 1], "stratum") if len(strata_cols) > s else np.zeros(n, np.int64)
            assert prev is not None  # set at stage s - 1
            stratas[:, s] = _pair(prev, st)
            if strata_cols and nest:
                ids = _pair(strata1, ids)
        clusters[:, s] = ids
        prev = ids
    popsize = None
    if fpc_cols:
        f = np.column_stack([_numeric(data, c, "fpc") for c in fpc_cols])
        if not np.isfinite(f).all():
            bad = ~np.isfinite(f).all(axis=1)
            raise DesignError(
                f"fpc has {int(bad.sum())} missing or infinite value(s) (first rows: "
                f"{_row_ids(data, bad)}); every respondent needs a finite fpc"
            )
        popsize = variance.popsize_from_fpc(f, stratas, clusters, names.get("stratum_values"))
    names.update(strata=strata_cols, psu=psu_cols, fpc=fpc_cols, nest=bool(nest))
    return Design(
        w, stratas, clusters, popsize, lonely_psu, names=names, weighted=weighted, variance=LinearizationVariance()
    )
