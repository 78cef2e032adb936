"""Seeded survey samples of many designs, for the randomised comparison with R ``survey``.

``design_data(seed)`` returns a data frame and its design: weights only; strata; clusters;
stratified clusters numbered within strata (``nest``); a lonely stratum under each of R's
``survey.lonely.psu`` rules; two stages with population sizes; strata with population
sizes; clusters with a sampling fraction; and replicate weights of each type (JK1, JKn, BRR,
Fay, bootstrap, SDR) made here.  Every number is rounded to 6 decimals so that the CSV R reads
holds exactly the values the test builds in memory.

Run ``python tests/reference/random_designs/designs.py DIR`` to write ``d<seed>.csv`` and
``designs.json`` into DIR for ``make_reference.R`` (see there).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

#: One round of designs; lonely strata and replicate weights come more often (they have variants).
KINDS = (
    "weights",
    "strata",
    "clusters",
    "nested",
    "two_stage",
    "strata_fpc",
    "fraction_fpc",
    "lonely",
    "lonely",
    "replicate",
    "replicate",
    "replicate",
)
LONELY = ("remove", "adjust", "average", "certainty")
REPTYPES = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "SDR")
SEEDS = range(72)  # six rounds: each lonely rule three times, each replicate type three times
FAY_RHO = 0.3


def _replicates(rng: np.random.Generator, df: pd.DataFrame, reptype: str) -> tuple[np.ndarray, dict]:
    """Replicate weights (combined: full weight times adjustment) and the design keywords R and pewlike take."""
    w = df["w"].to_numpy()
    strata, psu = df["strata"].to_numpy(), df["psu"].to_numpy()
    units = sorted(set(zip(strata, psu)))
    cols: list[np.ndarray] = []
    extra: dict = {}
    if reptype == "JK1":  # one stratum: drop each cluster in turn
        g = len(units)
        for s, p in units:
            drop = (strata == s) & (psu == p)
            cols.append(np.where(drop, 0.0, w * g / (g - 1)))
    elif reptype == "JKn":
        rscales = []
        for s, p in units:
            in_h = strata == s
            n_h = len({q for t, q in units if t == s})
            cols.append(np.where(in_h & (psu == p), 0.0, np.where(in_h, w * n_h / (n_h - 1), w)))
            rscales.append((n_h - 1) / n_h)
        extra["rscales"] = rscales
    elif reptype in ("BRR", "Fay"):  # two PSUs per stratum; half-samples at random (balance is not needed here)
        low, high = (0.0, 2.0) if reptype == "BRR" else (FAY_RHO, 2.0 - FAY_RHO)
        for _ in range(12):
            first = {s: rng.integers(1, 3) for s in np.unique(strata)}
            pick = np.array([p == first[s] for s, p in zip(strata, psu)])
            cols.append(w * np.where(pick, high, low))
        if reptype == "Fay":
            extra["rho"] = FAY_RHO
    elif reptype == "bootstrap":
        for _ in range(20):
            mult = np.ones(len(w))
            for s in np.unique(strata):
                ps = np.unique(psu[strata == s])
                counts = rng.multinomial(len(ps) - 1, np.full(len(ps), 1 / len(ps)))
                for p, c in zip(ps, counts):
                    mult[(strata == s) & (psu == p)] = c * len(ps) / (len(ps) - 1)
            cols.append(w * mult)
    else:  # SDR: successive-difference style factors in 0.3 .. 1.7
        for _ in range(16):
            cols.append(w * rng.choice([1 - 0.7071, 1.0, 1 + 0.7071], len(w)))
    return np.round(np.column_stack(cols), 6), extra


def design_data(seed: int) -> tuple[pd.DataFrame, dict]:
    """The sample of ``seed`` and its design (``pewlike.Survey`` keywords, plus ``kind``).

    Parameters
    ----------
    seed : int

    Returns
    -------
    (pandas.DataFrame, dict)
    """
    rng = np.random.default_rng(seed)
    kind = KINDS[seed % len(KINDS)]
    turn = (seed // len(KINDS)) * KINDS.count(kind) + KINDS[: seed % len(KINDS)].count(kind)  # this kind's n-th sample
    n = int(rng.integers(60, 250))
    strata = rng.integers(1, int(rng.integers(2, 6)) + 1, n)
    psu = rng.integers(1, int(rng.integers(2, 5)) + 1, n)
    df = pd.DataFrame(
        {
            "strata": strata,
            "psu": psu,
            "ssu": rng.integers(1, 4, n),
            "w": np.round(rng.gamma(2.0, 1.5, n) + 0.05, 6),
            "y": np.round(rng.normal(10, 3, n) + strata * 0.5 + psu * 0.3, 6),
            "y2": np.round(np.abs(rng.normal(5, 2, n)) + 0.1, 6),
            "x": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]).astype(object),
            "grp": rng.choice(["g1", "g2", "g3"], n),
            "z": rng.integers(0, 2, n),
        }
    )
    df.loc[rng.random(n) < 0.1, "y"] = np.nan
    df.loc[rng.random(n) < 0.08, "x"] = None
    design: dict = {"kind": kind, "weights": "w"}
    if kind == "strata":
        design["strata"] = "strata"
    elif kind in ("clusters", "fraction_fpc", "two_stage"):
        df["psu"] = df["strata"] * 10 + df["psu"]
        design["psu"] = "psu"
        if kind == "fraction_fpc":
            df["fpc1"] = 0.4
            design["fpc"] = "fpc1"
        elif kind == "two_stage":
            df["fpc1"], df["fpc2"] = 60, 40
            design.update(psu=["psu", "ssu"], fpc=["fpc1", "fpc2"])
    elif kind in ("nested", "lonely"):
        design.update(strata="strata", psu="psu", nest=True)
        if kind == "lonely":
            df.loc[df["strata"] == 1, "psu"] = 1
            design["lonely_psu"] = LONELY[turn % len(LONELY)]
    elif kind == "strata_fpc":
        df["fpc1"] = df.groupby("strata")["w"].transform("size") * 5
        design.update(strata="strata", fpc="fpc1")
    elif kind == "replicate":
        reptype = REPTYPES[turn % len(REPTYPES)]
        if reptype == "JK1":
            df["strata"] = 1
            df["psu"] = rng.integers(1, 9, n)
        elif reptype in ("BRR", "Fay"):
            df["psu"] = rng.integers(1, 3, n)
        reps, extra = _replicates(rng, df, reptype)
        for i in range(reps.shape[1]):
            df[f"rw{i + 1}"] = reps[:, i]
        design.update(repweights="rw*", reptype=reptype, **extra)
    return df, design


def data_sum(df: pd.DataFrame) -> float:
    """A checksum of a sample's numbers (weights, answers, replicate weights): R's reference keeps it,
    so that a numpy whose random streams changed is told apart from a wrong estimate."""
    return float(df.select_dtypes("number").sum().sum())


def main(out: str) -> None:
    """Write every sample as ``d<seed>.csv`` and the designs as ``designs.json`` into ``out``."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    designs = {}
    for seed in SEEDS:
        df, design = design_data(seed)
        df.to_csv(folder / f"d{seed}.csv", index=False)
        designs[str(seed)] = {**design, "data_sum": data_sum(df)}
    (folder / "designs.json").write_text(json.dumps(designs, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
