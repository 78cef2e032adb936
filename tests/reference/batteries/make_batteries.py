"""Seeded synthetic data for the select-all and grid reference values (R: make_batteries_reference.R).

Run from the repository root: ``python tests/reference/batteries/make_batteries.py``.
Writes two CSV files beside this script (codes: 1 = Selected, 2 = Not selected, 9 = Refused,
empty = not asked / skipped; grid items 1-4 on one scale, 9 = Refused):

* ``battery_complex.csv`` -- 4 strata x 6 PSUs (nested ids), unequal weights; five items and
  "None of these"; a random third of respondents not asked (form 2), 2 % refusing the whole
  battery, 3 % of the asked leaving one item blank; a 3-group ``grp``; grid items g1-g3.
* ``battery_simple.csv`` -- weights only, four items (no "None"), everyone asked; grid items.

Both have ``grpm``: ``grp`` with missing values (6 % at random; in the complex file also every
row of two PSUs), for the letters' df.
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


def with_missing_group(d: pd.DataFrame, seed: int, whole_psus: list[tuple[int, int]]) -> pd.DataFrame:
    """``grpm``: ``grp`` with missing values (a random 6 %, and every row of some PSUs).

    Drawn from its own generator so the other columns stay as they were; whole PSUs without
    a group make the letters' df (those in the base with a group) differ from the design's.
    """
    rng = np.random.default_rng(seed)
    grpm = d["grp"].astype(float).to_numpy().copy()
    grpm[rng.random(len(d)) < 0.06] = np.nan
    for st, psu in whole_psus:
        grpm[(d["stratum"] == st).to_numpy() & (d["psu"] == psu).to_numpy()] = np.nan
    return d.assign(grpm=grpm)


if __name__ == "__main__":
    with_missing_group(complex_shape(), 1411, [(1, 1), (3, 2)]).to_csv(
        HERE / "battery_complex.csv", index=False, float_format="%.17g"
    )
    with_missing_group(simple_shape(), 1421, []).to_csv(HERE / "battery_simple.csv", index=False, float_format="%.17g")
