"""Seeded synthetic data for the select-all and grid reference values (R: make_batteries_reference.R).

Run from the repository root: ``python tests/reference/batteries/make_batteries.py``.
Writes two CSV files beside this script (codes: 1 = Selected, 2 = Not selected, 9 = Refused,
empty = not asked / skipped; grid items 1-4 on one scale, 9 = Refused):

* ``battery_complex.csv`` -- 4 strata x 6 PSUs (nested ids), unequal weights; five items and
  "None of these"; a random third of respondents not asked (form 2), 2 % refusing the whole
  battery, 3 % of the asked leaving one item blank; a 3-group ``grp``; grid items g1-g3.
* ``battery_simple.csv`` -- weights only, four items (no "None"), everyone asked; grid items.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def _battery(rng: np.random.Generator, n: int, k: int, none: bool) -> dict[str, np.ndarray]:
    act = rng.standard_normal(n)
    base = np.linspace(0.6, -1.4, k)
    cols = {}
    for j in range(k):
        p = 1 / (1 + np.exp(-(base[j] + 0.8 * act)))
        cols[f"q{j + 1}"] = np.where(rng.random(n) < p, 1.0, 2.0)
    if none:
        anyone = np.column_stack([c == 1 for c in cols.values()]).any(axis=1)
        cols["qnone"] = np.where(anyone, 2.0, 1.0)
    return cols


def _grid(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    z = rng.standard_normal(n)
    out = {}
    for j, shift in enumerate((0.0, 0.4, 0.8), 1):
        lat = 0.7 * z + rng.standard_normal(n) + shift
        g = 1.0 + np.searchsorted([-0.6, 0.3, 1.2], lat)
        g[rng.random(n) < 0.02] = 9.0
        out[f"g{j}"] = g
    return out


def complex_shape(seed: int = 141) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    strata, psus, per = 4, 6, 25
    n = strata * psus * per
    st = np.repeat(np.arange(1, strata + 1), psus * per)
    psu = np.tile(np.repeat(np.arange(1, psus + 1), per), strata)
    w = rng.gamma(4.0, 1.0, n) * (1 + 0.3 * st)
    cols = _battery(rng, n, 5, none=True)
    asked = rng.random(n) > 1 / 3
    refused = asked & (rng.random(n) < 0.02)
    for c in cols.values():
        c[~asked] = np.nan
        c[refused] = 9.0
    blank = asked & ~refused & (rng.random(n) < 0.03)
    which = rng.integers(0, 5, n)
    for j in range(5):
        cols[f"q{j + 1}"][blank & (which == j)] = np.nan
    grp = 1 + rng.integers(0, 3, n)
    return pd.DataFrame({"stratum": st, "psu": psu, "w": w, "grp": grp, **cols, **_grid(rng, n)})


def simple_shape(seed: int = 142) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 400
    w = rng.lognormal(0, 0.5, n)
    return pd.DataFrame({"w": w, "grp": 1 + rng.integers(0, 2, n), **_battery(rng, n, 4, none=False), **_grid(rng, n)})


if __name__ == "__main__":
    complex_shape().to_csv(HERE / "battery_complex.csv", index=False, float_format="%.17g")
    simple_shape().to_csv(HERE / "battery_simple.csv", index=False, float_format="%.17g")
