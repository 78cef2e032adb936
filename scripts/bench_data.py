"""Seeded synthetic data for the benchmarks (the same data for pewlike, R survey and svy).

A stratified two-stage-like sample: 50 strata, 1,000 PSUs (20 per stratum), unequal
weights, six categorical demographics, four 4-point Likert items, a numeric variable,
and 80 delete-a-group jackknife (JK1) replicate weights built from the PSUs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

N_STRATA = 50
N_PSU = 1000
N_REPS = 80
DEMOGRAPHICS = {"AGE": 4, "SEX": 2, "EDUC": 3, "RACE": 4, "INCOME": 3, "PARTY": 3}
ITEMS = ("Q1", "Q2", "Q3", "Q4")


def generate(n: int, seed: int = 20190603, replicates: bool = True) -> pd.DataFrame:
    """Return the benchmark sample of ``n`` rows (codes are integers 1..k)."""
    rng = np.random.default_rng(seed)
    psu = np.sort(rng.integers(0, N_PSU, n))
    psu[:N_PSU] = np.arange(N_PSU)  # every PSU present
    psu.sort()
    stratum = psu // (N_PSU // N_STRATA)
    cols: dict[str, np.ndarray] = {"stratum": stratum + 1, "psu": psu + 1}
    latent = rng.normal(size=n) + 0.3 * rng.normal(size=N_PSU)[psu]
    for name, k in DEMOGRAPHICS.items():
        cols[name] = rng.integers(1, k + 1, n)
    effect = 0.15 * cols["AGE"] - 0.2 * cols["EDUC"] + 0.1 * (cols["PARTY"] == 2)
    for j, item in enumerate(ITEMS):
        z = latent * 0.5 + effect + rng.logistic(size=n) + 0.2 * j
        cols[item] = np.digitize(z, [-0.5, 0.6, 1.6]) + 1
    cols["y"] = 50 + 10 * latent + 2 * cols["EDUC"] + rng.normal(0, 5, n)
    base = rng.uniform(0.5, 1.5, N_STRATA)[stratum] * rng.lognormal(0, 0.35, n)
    cols["weight"] = base / base.mean()
    frame = pd.DataFrame(cols)
    if replicates:
        group = rng.permutation(N_PSU) % N_REPS  # PSUs dealt into 80 groups
        g = group[psu]
        w = cols["weight"]
        reps = np.repeat((w * N_REPS / (N_REPS - 1))[:, None], N_REPS, axis=1)
        reps[np.arange(n), g] = 0.0
        frame = pd.concat([frame, pd.DataFrame(reps, columns=[f"rep{i + 1}" for i in range(N_REPS)])], axis=1)
    return frame


def as_categorical(frame: pd.DataFrame) -> pd.DataFrame:
    """The same data with demographics and items as ordered categoricals (labels "1".."k")."""
    out = frame.copy()
    for name in (*DEMOGRAPHICS, *ITEMS):
        k = DEMOGRAPHICS.get(name, 4)
        out[name] = pd.Categorical.from_codes(
            frame[name].to_numpy() - 1, [str(i) for i in range(1, k + 1)], ordered=True
        )
    return out
