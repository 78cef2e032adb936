"""Calibration to population totals: GREG (linear), raking and logit distances, with bounds.

The calibration *controls* are either R-style model-matrix columns (``formula="~stype +
api99"`` with totals named ``(Intercept)``, ``stypeH``, ...) or margins as for
:func:`pewlike.weighting.raking.rake` plus numeric controls given as one total each.  The solver
(:func:`grake`) is Deville & Sarndal's Newton iteration; it runs for the full-sample
weights and for all replicate columns at once.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from pewlike.errors import CalibrationError, WeightWarning
from pewlike.weighting.distance import CALFUNS, grake, tdot, weighted_grams
from pewlike.weighting.steps import GregStep, WeightingNote, WeightingRecord
from pewlike.weighting.targets import build_margins, cell_totals, group_rows, margins_frame

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pewlike.design.frame import SurveyFrame

__all__ = ["calibrate", "grake"]

CONSISTENCY_RTOL = 1e-6


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _formula_controls(sf: SurveyFrame, formula: str, population_totals, active):
    """R-style controls: model matrix of ``formula`` and totals named by its columns."""
    import pandas as pd

    from pewlike.formula import model_frame, parse_rhs

    f = parse_rhs(formula)
    missing = {c: list(v.missing) for c, v in sf.codebook.variables.items() if v.missing}
    mf = model_frame(f, sf.data, resolve=sf.resolve, missing=missing)
    incomplete = active & ~mf.complete
    if incomplete.any():
        raise CalibrationError(
            f"the calibration variables have {int(incomplete.sum()):,} respondent(s) with missing "
            "values; impute them or drop those respondents with svy.subset(...)"
        )
    if isinstance(population_totals, (pd.Series, Mapping)):
        pop = {str(k): float(v) for k, v in population_totals.items()}
    else:
        vals = np.asarray(population_totals, dtype=float).reshape(-1)
        if vals.shape[0] != len(mf.columns):
            raise CalibrationError(
                f"{vals.shape[0]} population totals for {len(mf.columns)} model columns "
                f"{mf.columns}; give one total per column (or a dict by name)"
            )
        pop = dict(zip(mf.columns, vals))
    unknown = [k for k in pop if k not in mf.columns]
    absent = [c for c in mf.columns if c not in pop]
    if unknown or absent:
        raise CalibrationError(
            f"population totals do not match the model columns {mf.columns}: "
            + (f"unknown {unknown}" if unknown else "")
            + ("; " if unknown and absent else "")
            + (f"missing {absent}" if absent else "")
        )
    T = np.array([pop[c] for c in mf.columns])
    return mf.X[active], T, list(mf.columns), None, None


def _margin_controls(sf: SurveyFrame, population_totals, total, weights, active):
    """Controls from margins (indicators of every cell) and numeric totals.

    Returns ``(X, T, names, margins, cells)``: with only categorical margins the rows of
    ``X`` are the joint cells of :class:`~pewlike.weighting.targets.Cells` (rows in a cell share their
    controls), otherwise they are the calibrated rows and ``cells`` is None.
    """
    if not isinstance(population_totals, Mapping):
        # a list of target tables, as rake() takes
        ms, _, cells = build_margins(sf, population_totals, total=total, weights=weights, what="calibration")
        numeric = {}
    else:
        cats = {k: v for k, v in population_totals.items() if not _is_number(v)}
        numeric = {k: float(v) for k, v in population_totals.items() if _is_number(v)}
        ms, cells = [], None
        if cats:
            ms, _, cells = build_margins(sf, cats, total=total, weights=weights, what="calibration")
    by_cell = bool(ms) and not numeric
    rows = np.flatnonzero(active)
    cols: list[np.ndarray] = []
    T: list[float] = []
    names: list[str] = []
    for j, m in enumerate(ms):
        if by_cell:
            assert cells is not None  # categorical margins come with their joint cells
            code = cells.codes[j]
        else:
            code = m.code[rows]
        cols.append(np.eye(m.ncell)[code])
        T.extend(m.target)
        names.extend(f"{m.name}={':'.join(lab) if isinstance(lab, tuple) else lab}" for lab in m.labels)
    for key, value in numeric.items():
        if key == "(Intercept)":
            cols.append(np.ones((rows.size, 1)))
        else:
            from pewlike.estimation.estimators import numeric_values

            col, y, valid = numeric_values(sf, key, "calibration to a total")
            bad = active & ~valid
            if bad.any():
                raise CalibrationError(
                    f"{col} has {int(bad.sum()):,} missing value(s) among the respondents being "
                    "calibrated; impute them or drop those respondents with svy.subset(...)"
                )
            cols.append(y[rows][:, None])
            key = col
        T.append(value)
        names.append(key)
    if not cols:
        raise CalibrationError("no calibration controls given; pass margins or numeric totals")
    return np.hstack(cols), np.asarray(T, dtype=float), names, ms, (cells if by_cell else None)


def _gram(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    return (X * w[:, None]).T @ X


def _independent(X: np.ndarray, T: np.ndarray, w0: np.ndarray, names: list[str]):
    """Drop linearly dependent controls, checking their totals agree with the others.

    Dependence is read from the weighted Gram matrix ``X' W X`` (p x p), which has the null
    space of ``X * sqrt(w)``, so no factorisation of the n x p matrix is needed.
    """
    from scipy.linalg import qr

    G = _gram(X, w0)
    d = np.sqrt(np.diag(G))
    d = 1.0 / np.where(d > 0, d, 1.0)
    _, r, piv = qr(d[:, None] * G * d[None, :], pivoting=True)
    d = np.abs(np.diag(r))
    rank = int(np.sum(d > 1e-10 * d[0])) if d.size and d[0] > 0 else 0
    keep = np.sort(piv[:rank])
    drop = np.setdiff1d(np.arange(X.shape[1]), keep)
    if drop.size:
        coef = np.linalg.solve(G[np.ix_(keep, keep)], G[np.ix_(keep, drop)])
        implied = T[keep] @ coef
        scale = np.maximum(np.abs(T[drop]), np.abs(T).max() * 1e-9)
        off = np.abs(implied - T[drop]) > CONSISTENCY_RTOL * scale
        if off.any():
            j = int(np.flatnonzero(off)[0])
            raise CalibrationError(
                f"the targets disagree: {names[drop[j]]} has target {T[drop][j]:,.6g} but the other "
                f"margins imply {implied[j]:,.6g}; make joint and single margins consistent"
            )
    return keep


def _check_bounds(X, T, w0, lo, hi, names):
    """Necessary condition for bounds: every indicator cell can reach its target."""
    t = X.T @ w0
    ind = np.all((X == 0) | (X == 1), axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        need = T / t
    bad = ind & ((need < lo * (1 - 1e-12)) | (need > hi * (1 + 1e-12)))
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise CalibrationError(
            f"bounds ({lo:g}, {hi:g}) cannot be met: {names[j]} needs its weights scaled by "
            f"{need[j]:.4g} on average; widen the bounds"
        )


def _regcalibrate(X, W, T):
    """Unbounded linear calibration factors for every column of ``W`` (m, R)."""
    gram = weighted_grams(X, W)
    rhs = (T[:, None] - tdot(X, W)).T[:, :, None]
    try:
        lam = np.linalg.solve(gram, rhs)[:, :, 0]
    except np.linalg.LinAlgError:
        raise CalibrationError(
            "the calibration controls are collinear in the sample; drop a redundant control"
        ) from None
    return 1.0 + X @ lam.T


def calibrate(
    sf: SurveyFrame,
    population_totals: Mapping[Any, Any] | pd.Series | Sequence[Any],
    *,
    calfun: Literal["linear", "raking", "logit"] = "linear",
    bounds: tuple[float, float] | None = None,
    formula: str | None = None,
    max_iter: int = 50,
    epsilon: float = 1e-7,
    total: float | None = None,
    force: bool = False,
    method: str = "calibrate",
) -> SurveyFrame:
    """Calibrate the weights to population totals (GREG, raking or logit distance).

    Parameters
    ----------
    sf : SurveyFrame
        The survey.
    population_totals : dict, Series or list
        Without ``formula``: margins as for :func:`pewlike.weighting.raking.rake` (categorical
        controls; proportions are scaled to ``total`` or the current weight sum) and
        numeric controls as ``{"api99": 3914069}`` (``"(Intercept)"`` for the population
        size).  With ``formula``: totals named by the model-matrix columns of the formula,
        as R's ``calibrate`` takes them (``{"(Intercept)": 6194, "stypeH": 755, ...}``).
    calfun : {"linear", "raking", "logit"}
        Calibration distance.
    bounds : (float, float), optional
        Bounds on the factors g = new / old weight (``"logit"`` needs finite bounds).
    formula : str, optional
        Right-hand side (``"~stype + api99"``) whose model matrix holds the controls.
    max_iter, epsilon : int, float
        Newton iterations and tolerance (``|misfit| / (1 + |total|) < epsilon``).
    total : float, optional
        Population total for margins given as proportions.
    force : bool
        Keep the weights of a calibration that did not converge (with a warning).
    method : str
        Name of the step in the weighting record (``"rake"`` when bounded raking calls it).

    Returns
    -------
    SurveyFrame
        Calibrated weights; linearised variances use the calibration residuals and
        replicate designs calibrate every replicate.

    Raises
    ------
    CalibrationError
        Bad or inconsistent totals, bounds that cannot be met, no convergence (the best
        weights are on ``.weights``), or negative weights from linear calibration.

    Notes
    -----
    Equivalent to R survey's ``calibrate(design, formula, population, calfun=, bounds=)``
    (``regcalibrate`` for unbounded linear calibration, ``grake`` otherwise), including
    ``calibrate.svyrep.design`` for replicate designs.  Without ``formula`` the controls
    are every cell of every margin with dependent columns removed; the calibrated weights
    do not depend on that choice of basis.
    """
    if calfun not in CALFUNS:
        raise CalibrationError(f"calfun={calfun!r} is not valid; choose one of 'linear', 'raking', 'logit'")
    lo, hi = (-np.inf, np.inf) if bounds is None else (float(bounds[0]), float(bounds[1]))
    if not lo < hi:
        raise CalibrationError(f"bounds={bounds!r} are not valid; give (lower, upper) with lower < upper")
    if calfun == "logit" and not (np.isfinite(lo) and np.isfinite(hi) and lo < 1 < hi):
        raise CalibrationError(f"calfun='logit' needs finite bounds around 1, e.g. bounds=(0.5, 2); got {bounds!r}")
    d = sf.design
    active = d.in_domain & (d.weights > 0)
    if formula is not None:
        X, T, names, ms, cells = _formula_controls(sf, formula, population_totals, active)
    else:
        X, T, names, ms, cells = _margin_controls(sf, population_totals, total, d.weights, active)
    n = d.weights.shape[0]
    rows = np.flatnonzero(active)
    if cells is not None:  # units: joint cells of the margins
        unit, w0 = cells.cell, cells.w
        W_rep = None if d.repweights is None else group_rows(unit, d.repweights, w0.shape[0])
    else:  # units: the calibrated rows
        unit = np.full(n, -1, dtype=np.int64)
        unit[rows] = np.arange(rows.size)
        w0 = d.weights[rows]
        W_rep = None if d.repweights is None else d.repweights[rows]
    zz = (T == 0) & np.all(X == 0, axis=0)  # R drops columns zero in sample and population
    if zz.any():
        X, T, names = X[:, ~zz], T[~zz], [nm for nm, z in zip(names, zz) if not z]
    keep = _independent(X, T, w0, names) if formula is None else np.arange(X.shape[1])
    Xk, Tk = np.ascontiguousarray(X[:, keep]), T[keep]
    if np.isfinite(lo) or np.isfinite(hi):
        _check_bounds(Xk, Tk, w0, lo, hi, [names[i] for i in keep])
    linear = calfun == "linear" and bounds is None
    if linear:
        g = _regcalibrate(Xk, w0[:, None], Tk)[:, 0]
        iterations, failed = 1, None
    else:
        g, iters, fail = grake(Xk, w0[:, None], calfun, (lo, hi), Tk, epsilon=epsilon, max_iter=max_iter)
        g, iterations, failed = g[:, 0], int(iters[0]), fail[0]
    w = np.append(g, 1.0)[unit] * d.weights  # rows not calibrated (unit -1) keep their weight
    if failed is not None and np.isfinite(failed):
        msg = (
            f"calibration did not converge after {max_iter} iterations (largest misfit {failed:.3g} relative to "
            f"the totals). Check: the totals are consistent; bounds {bounds!r} are not too tight; raise max_iter"
        )
        if not force:
            raise CalibrationError(msg + ", or pass force=True to keep these weights", weights=w)
        warnings.warn(msg, WeightWarning, stacklevel=3)
    if (g < 0).any():
        n_neg = int((w < 0).sum())
        raise CalibrationError(
            f"linear calibration gives {n_neg} negative weight(s) (smallest factor "
            f"{g.min():.3g}); pass bounds=(0, np.inf) or use calfun='raking'",
            weights=w,
        )
    reps = None
    if W_rep is not None:
        if linear:
            gr = _regcalibrate(Xk, W_rep, Tk)
        else:
            gr, _, _ = grake(Xk, W_rep, calfun, (lo, hi), Tk, epsilon=epsilon, max_iter=max_iter)
        reps = d.repweights * np.vstack([gr, np.ones((1, gr.shape[1]))])[unit]
    record = WeightingRecord(
        method,
        _record_frame(ms, cells, X, T, names, w0 * g, w, d.weights),
        iterations,
        failed is None or not np.isfinite(failed),
        epsilon,
        options={"calfun": calfun, "bounds": bounds, "formula": formula},
    )
    what = f"{calfun} calibration" + (f" within bounds {tuple(bounds)}" if bounds is not None else "")
    note = WeightingNote(
        f"{'raked' if method == 'rake' else 'calibrated'} ({what}) to {len(names)} control total(s)", record
    )
    # the variance method keeps what it uses: the residual step, or the re-weighted replicates
    step = GregStep(unit, Xk, _ginv(Xk, w0), g, d.weights, identity=cells is None and rows.size == n)
    return sf.with_weights(w, repweights=reps, calibration=d.calibration + (step,), note=note)


def _ginv(X, w0) -> np.ndarray:
    """Inverse of ``X' W0 X`` (pseudo-inverse when rank deficient), with the columns equilibrated."""
    G = _gram(X, w0)
    d = np.sqrt(np.diag(G))
    d = 1.0 / np.where(d > 0, d, 1.0)
    return d[:, None] * np.linalg.pinv(d[:, None] * G * d[None, :], rcond=1e-10, hermitian=True) * d[None, :]


def _record_frame(ms, cells, X, T, names, wu, w_all, w_start) -> pd.DataFrame:
    """Achieved vs target: shares for margins (and before the step), totals for numeric controls."""
    import pandas as pd

    parts = []
    achieved = tdot(X, wu[:, None])[:, 0]
    if ms:
        per = None
        if cells is not None:
            per = [cells.margin_totals(j, m.ncell, wu) for j, m in enumerate(ms)]
        before = [cell_totals(m.code, m.ncell, w_start) for m in ms]
        counts = [cell_totals(m.code, m.ncell) for m in ms]
        parts.append(margins_frame(ms, w_all, achieved=per, before=before, unweighted=counts))
    n_cat = sum(m.ncell for m in ms) if ms else 0
    rows = [(names[j], None, T[j], achieved[j]) for j in range(n_cat, len(names))]
    if rows:
        extra = pd.DataFrame(rows, columns=["variable", "level", "target", "achieved"])
        extra["difference"] = extra["achieved"] - extra["target"]
        parts.append(extra)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
