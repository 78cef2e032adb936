"""The in-memory backend of a :class:`~pewlike.survey.Survey`: a DataFrame, its design and codebook.

Topic modules (estimation, weighting, tables, models) take a :class:`SurveyFrame`, never a
``Survey``: the facade in :mod:`pewlike.survey` holds one of these (or the partitioned
backend of :mod:`pewlike.partitioned`) and wraps what the topic functions return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from pewlike.design.structure import Design, build_design
from pewlike.errors import DesignError, EstimationError
from pewlike.io.codebook import Codebook

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["LonelyPSU", "RepType", "SurveyFrame", "frame_of", "with_columns"]

#: How strata with a single PSU are handled (R ``options(survey.lonely.psu=)``).
LonelyPSU = Literal["fail", "remove", "adjust", "average", "certainty"]
#: Replicate-weight methods (R ``svrepdesign(type=)``).
RepType = Literal["JK1", "JKn", "BRR", "Fay", "bootstrap", "SDR"]


@dataclass(frozen=True, slots=True, eq=False)
class SurveyFrame:
    """Respondents in memory with their sampling design and codebook (immutable).

    Attributes
    ----------
    data : pandas.DataFrame
        Every row of the data, including rows outside the current domain.
    design : Design
        Weights, strata, PSUs, replicate weights, domain and calibration steps.
    codebook : Codebook
        Question wording, value labels, missing codes.
    source : str or None
        The file the data came from.
    history : tuple
        Notes of the weighting steps applied, in order.
    universe : str or None
        The name of the domain (``svy.subset(..., name="Registered voters")``), for table
        notes and figure source lines; None for an unnamed one.
    """

    data: pd.DataFrame
    design: Design
    codebook: Codebook
    source: str | None = None
    history: tuple[Any, ...] = ()
    universe: str | None = None

    kind: ClassVar[str] = "memory"

    @classmethod
    def build(
        cls,
        data: pd.DataFrame,
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
        rho: float | None = None,
        codebook: Codebook | None = None,
        source: str | None = None,
        missing_weights: Literal["error", "drop"] = "error",
    ) -> SurveyFrame:
        """Validate the data and build the design (R ``svydesign``/``svrepdesign``).

        Parameters
        ----------
        data : pandas.DataFrame
            Every respondent.
        weights, strata, psu, fpc, nest, repweights, reptype, scale, rscales, mse, lonely_psu, rho
            The design, as :class:`pewlike.Survey`.
        codebook : Codebook, optional
            Wording, labels and missing codes (default: read from the data's categories).
        source : str, optional
            The file the data came from.
        missing_weights : {"error", "drop"}
            A blank weight is an error (R), or its respondent is left out with a
            :class:`~pewlike.errors.DataWarning` (:func:`~pewlike.design.structure.drop_unweighted`).

        Returns
        -------
        SurveyFrame

        Raises
        ------
        DesignError
            ``data`` is not a DataFrame, has duplicate column names, or the design
            arguments do not fit it.
        """
        import pandas as pd

        if not isinstance(data, pd.DataFrame):
            raise DesignError(f"data must be a pandas DataFrame, not {type(data).__name__}")
        if data.columns.duplicated().any():
            dup = list(data.columns[data.columns.duplicated()])
            raise DesignError(f"duplicate column names {dup}; rename them before building the design")
        if all(isinstance(c, str) for c in data.columns):
            data = _own_copy(data)
        else:
            data = data.rename(columns=str)  # a new frame already
        cb = Codebook.from_frame(data) if codebook is None else codebook
        missing_info = [c for c in data.columns if c not in cb.variables]
        if missing_info:
            cb = Codebook({**cb.variables, **Codebook.from_frame(data[missing_info]).variables}, cb.file_label)
        if missing_weights not in ("error", "drop"):
            raise DesignError(f"missing_weights={missing_weights!r} is not valid; choose 'error' or 'drop'")
        history: tuple[str, ...] = ()
        if missing_weights == "drop":
            data, history = _with_weights_only(data, weights, cb)
        design = build_design(
            data,
            cb.resolve,
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
        )
        return cls(data, design, cb, source, history)

    def evolve(
        self,
        *,
        design: Design | None = None,
        data: pd.DataFrame | None = None,
        codebook: Codebook | None = None,
        history: tuple[Any, ...] | None = None,
    ) -> SurveyFrame:
        """A copy with some parts replaced.

        Parameters
        ----------
        design, data, codebook, history : optional
            The parts to replace; the others are kept.

        Returns
        -------
        SurveyFrame
        """
        return replace(
            self,
            data=self.data if data is None else data,
            design=design or self.design,
            codebook=codebook or self.codebook,
            history=self.history if history is None else tuple(history),
        )

    # -- the respondents -------------------------------------------------------------
    def domain_frame(self) -> pd.DataFrame:
        """The respondents in the current domain.

        Returns
        -------
        pandas.DataFrame
            A shallow copy.
        """
        dom = self.design.domain
        frame = self.data if dom is None else self.data.loc[dom]
        return frame.copy(deep=False)

    @property
    def n(self) -> int:
        """Unweighted number of respondents in the current domain."""
        return int(self.design.in_domain.sum())

    @property
    def degf(self) -> int:
        """Design degrees of freedom (R ``degf(design)``)."""
        return self.design.degf()

    def weight_series(self) -> pd.Series:
        """Analysis weights of the respondents in the domain.

        Returns
        -------
        pandas.Series
            Indexed like the data, named after the weight column (``"weight"`` without one).
        """
        import pandas as pd

        dom = self.design.in_domain
        name = self.design.names.get("weights") or "weight"
        return pd.Series(self.design.weights[dom], index=self.data.index[dom], name=name)

    def codebook_frame(self) -> pd.DataFrame:
        """One row per variable, counted in the domain.

        Returns
        -------
        pandas.DataFrame
            See :meth:`pewlike.io.codebook.Codebook.to_frame`.
        """
        return self.codebook.to_frame(self.domain_frame())

    # -- variables -------------------------------------------------------------------
    def resolve(self, name: str) -> str:
        """The data column a name refers to (``CONCERNCO`` -> ``CONCERNCO_W49``).

        Parameters
        ----------
        name : str
            A column name, with or without its wave suffix.

        Returns
        -------
        str

        Raises
        ------
        VariableError
            No column matches (close names are suggested), or the name is ambiguous.
        """
        return self.codebook.resolve(name)

    def question(self, name: str) -> str:
        """The question wording of ``name``; the column name when unlabelled.

        Parameters
        ----------
        name : str
            A variable name.

        Returns
        -------
        str
        """
        col = self.codebook.resolve(name)
        return self.codebook.variables[col].label or col

    def series(self, name: str) -> pd.Series:
        """Full-length column (all rows, including outside the domain).

        Parameters
        ----------
        name : str
            A variable name.

        Returns
        -------
        pandas.Series
        """
        return self.data[self.resolve(name)]

    def valid(self, name: str) -> np.ndarray:
        """Rows with a substantive (non-missing) answer, over all rows.

        Parameters
        ----------
        name : str
            A variable name.

        Returns
        -------
        ndarray (n,) of bool
            False for NA and for the codebook's missing codes ("Refused", ...).
        """
        import pandas as pd

        col = self.resolve(name)
        s = self.data[col]
        ok = s.notna().to_numpy().copy()
        miss = self.codebook.variables[col].missing
        if miss and isinstance(s.dtype, pd.CategoricalDtype):
            cats = [str(c) for c in s.cat.categories]
            bad = np.array([c in miss for c in cats] + [False])
            ok &= ~bad[s.cat.codes.to_numpy()]
        elif miss:  # text answers ("Refused" in a CSV)
            ok &= ~s.isin(list(miss)).to_numpy()
        return ok

    # -- domains and weights -----------------------------------------------------------
    def subset(self, mask_or_query: Any, *, name: str | None = None) -> SurveyFrame:
        """Restrict to a domain, keeping the full design for variance (R ``subset(design, ...)``).

        Parameters
        ----------
        mask_or_query : str, boolean Series or boolean array
            As :meth:`pewlike.Survey.subset`.
        name : str, optional
            The universe's name (see :func:`pewlike.design.domain.combine_universe`).

        Returns
        -------
        SurveyFrame

        Raises
        ------
        EstimationError
            The condition fails, the mask has the wrong length, or no respondent matches.
        """
        import pandas as pd

        from pewlike.design.domain import bind_condition, combine_universe, describe_series, empty_subset, values_note

        universe = combine_universe(self.universe, name, mask_or_query)
        full = self.data
        dom = self.design.in_domain
        note = ""
        if isinstance(mask_or_query, str):
            bound = bind_condition(mask_or_query, self.codebook, full.columns)
            mask = bound.mask(full) & dom
            if not mask.any():
                note = values_note(bound, self.codebook, lambda col: describe_series(full.loc[dom, col]))
        elif isinstance(mask_or_query, pd.Series):
            aligned = mask_or_query.reindex(full.index)
            mask = aligned.fillna(False).astype(bool).to_numpy() & dom
        else:
            m = np.asarray(mask_or_query)
            if m.dtype != bool or m.ndim != 1:
                raise EstimationError("subset mask must be a 1-d boolean array, a boolean Series or a query string")
            if m.shape[0] == full.shape[0] and self.design.domain is None:
                mask = m
            elif m.shape[0] == int(dom.sum()):
                mask = np.zeros(full.shape[0], dtype=bool)
                mask[np.flatnonzero(dom)[m]] = True
            else:
                raise EstimationError(f"subset mask has {m.shape[0]} values but the survey has {self.n} respondents")
        if not mask.any():
            raise empty_subset(mask_or_query, note)
        return replace(self.evolve(design=self.design.restrict(mask)), universe=universe)

    def with_weights(
        self, weights: Any, *, repweights: Any = None, calibration: Any = None, note: Any = None
    ) -> SurveyFrame:
        """A copy with other analysis weights (an array over all rows, or a Series on the index).

        Parameters
        ----------
        weights : array-like, pandas.Series or str
            As :meth:`pewlike.Survey.with_weights`.
        repweights, calibration, note
            Replicate weights to use instead, calibration steps to keep, a note for the history.

        Returns
        -------
        SurveyFrame

        Raises
        ------
        DesignError
            The weights have the wrong length, or missing, infinite or negative values.
        """
        import pandas as pd

        what = "new weights"
        if isinstance(weights, str):  # a column of the data
            col = self.resolve(weights)
            what = f"weight column {col!r}"
            weights = self.data[col]
            if isinstance(weights.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(weights.dtype):
                raise DesignError(f"{what} is not numeric (dtype {weights.dtype}); pass a numeric column")
        if isinstance(weights, pd.Series):
            if weights.isna().any():  # rows the Series leaves out get weight 0, but a blank weight is an error
                raise DesignError(
                    f"{what} has {int(weights.isna().sum()):,} missing value(s); give every respondent a weight "
                    "(0 leaves one out) or drop them before building the survey"
                )
            weights = weights.reindex(self.data.index).fillna(0.0).to_numpy(dtype=float)
        w = np.asarray(weights, dtype=float)
        if w.shape != (self.data.shape[0],):
            raise DesignError(f"weights have shape {w.shape}; expected ({self.data.shape[0]},)")
        if not np.isfinite(w).all() or (w < 0).any():
            raise DesignError(f"{what}: missing, infinite or negative values; give every respondent a weight >= 0")
        history = self.history + ((note,) if note else ())
        return self.evolve(design=self.design.with_weights(w, repweights, calibration), history=history)

    def export_frame(self) -> pd.DataFrame:
        """The domain's data with the current weights as a column (for writing files).

        Returns
        -------
        pandas.DataFrame
        """
        data = self.domain_frame()
        wname = self.design.names.get("weights")
        if self.design.weighted:
            name = wname or "weight"
            data = with_columns(data, {name: self.design.weights[self.design.in_domain]})
        return data


def with_columns(data: pd.DataFrame, columns: Mapping[str, Any]) -> pd.DataFrame:
    """``data.assign(**columns)`` without pandas' warning that the frame is fragmented.

    pewlike reads a file into one block per column, so that reading needs no
    consolidation copy (peak memory at most twice the frame); pandas then warns
    (``PerformanceWarning: DataFrame is highly fragmented``) on every column added to a
    frame of more than 100 columns, which every ATP file is.  Adding a column copies
    no data (copy-on-write), so the warning says nothing a user could act on.

    Parameters
    ----------
    data : pandas.DataFrame
    columns : mapping of str to array-like
        New columns (or replacements), as ``DataFrame.assign`` takes them.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> from pewlike.design.frame import with_columns
    >>> with_columns(pd.DataFrame({"a": [1, 2]}), {"b": [3, 4]}).columns.tolist()
    ['a', 'b']
    """
    import warnings

    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        return data.assign(**dict(columns))


def frame_of(survey: Any) -> SurveyFrame:
    """The in-memory backend of a ``Survey`` (or the frame itself), for public helpers of topic modules.

    Parameters
    ----------
    survey : Survey or SurveyFrame
        The survey.

    Returns
    -------
    SurveyFrame

    Raises
    ------
    EstimationError
        For a partitioned survey, or anything that is not a survey.
    """
    frame = getattr(survey, "_backend", survey)
    if isinstance(frame, SurveyFrame):
        return frame
    if getattr(frame, "kind", None) == "partitioned":
        raise EstimationError("this needs the data in memory; use svy.collect() or svy.sample(frac=...) first")
    raise EstimationError(f"expected a pewlike Survey, not {type(survey).__name__}")


def _own_copy(data: pd.DataFrame) -> pd.DataFrame:
    """The design's own copy of a user's frame, as R's ``svydesign`` stores a copy of its ``data``.

    Changing the user's frame afterwards must change no estimate.  With pandas'
    copy-on-write (always on from pandas 3, an option in pandas 2) a shallow copy is one,
    and free: the data are shared until either side writes.  Without it, a deep copy.

    Parameters
    ----------
    data : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd

    cow = int(pd.__version__.split(".")[0]) >= 3 or pd.options.mode.copy_on_write is True
    return data.copy(deep=not cow)


#: The end of the design note of respondents left out for a blank weight (:func:`dropped_unweighted`).
_DROPPED = "weight (not in that wave's sample) left out"


def dropped_unweighted(history: Sequence[str]) -> str | None:
    """The design note of respondents left out because their weight was blank (``missing_weights="drop"``).

    Parameters
    ----------
    history : sequence of str
        The survey's design notes (``SurveyFrame.history``).

    Returns
    -------
    str or None
        "76 respondent(s) without a WEIGHT_W61 weight (not in that wave's sample) left out";
        None when no respondent was left out.
    """
    return next((str(note) for note in history if str(note).endswith(_DROPPED)), None)


def _with_weights_only(data: pd.DataFrame, weights: str | None, cb: Codebook) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """``data`` without the respondents whose weight is blank, said in a :class:`~pewlike.errors.DataWarning`,
    and the design note that says it (none when no weight is blank)."""
    import warnings

    from pewlike.design.structure import drop_unweighted
    from pewlike.errors import DataWarning

    kept, wcol, dropped = drop_unweighted(data, weights, cb.resolve)
    if not dropped:
        return kept, ()
    who = "1 respondent" if dropped == 1 else f"{dropped:,} respondents"
    warnings.warn(
        f"{who} {'has' if dropped == 1 else 'have'} no {wcol} weight (not in that wave's sample) and are left out; "
        f"{len(kept):,} remain",
        DataWarning,
        stacklevel=5,
    )
    return kept, (f"{who} without a {wcol} {_DROPPED}",)
