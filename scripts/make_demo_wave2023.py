"""Generate the SYNTHETIC second demo wave ``pewlike/datasets/privacy_survey_demo_2023.sav``.

A 2023 follow-up of the synthetic 2019 demo survey (``scripts/make_demo_data.py``): the same
simulated population, **every row simulated, no real survey responses**.  Run
``python3 scripts/make_demo_wave2023.py [--out PATH]``; the output is byte-identical on every
run (``SEED`` split by ``numpy.random.SeedSequence``; the .sav header date pinned).

Generating model
----------------
1. The population, the item models (``EFFECTS``) and the 2019 sample are those of
   ``make_demo_data.build()``.
2. *Sample* of 3,500: 1,400 (40 %) are 2019 respondents who stayed in the panel (the same
   ``QKEY``; drawn with probability proportional to the 2019 response propensity), 2,100 are
   new recruits drawn from the rest of the population as the 2019 sample was.
3. *Items* asked again (suffix ``_W132``, wording unchanged): CONCERNCO, CONCERNGOV,
   CONCERNLE, CONTROLCO, UNDERSTANDCO, GOVREGV1, with the same effects and new population
   shares (``SHARES_2023``: concern about companies 79 -> 81 %, about the government
   64 -> 71 % very/somewhat concerned; understanding what companies do 59 -> 67 % very
   little/nothing; more regulation 75 -> 72 %).  A panel member's 2023 error is tied to the
   2019 answer: a 2019 error is drawn uniformly within the interval that gave the 2019
   answer, and the 2023 error is its Gaussian-copula partner with correlation ``RHO`` = 0.6
   (both still standard logistic), so panel members' answers are correlated across waves.
4. Refusals (1-2 %, code 99) and ``WEIGHT_W132`` (raking to the 2019 ``TARGETS``, trimmed,
   raked again) as in 2019.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
from demo_sav import write_wave_pinned
from make_demo_data import (
    DEMOGRAPHICS,
    EFFECTS,
    ITEMS,
    PARTY_NOLEAN_LABEL,
    REFUSED,
    add_refusals,
    build,
    design_matrix,
    draw_sample,
    make_weights,
    solve_thresholds,
)
from make_demo_data import SEED as SEED_2019

SEED = 20230601
N_SAMPLE = 3_500
N_PANEL = 1_400
RHO = 0.6
SUFFIX = "_W132"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "pewlike" / "datasets" / "privacy_survey_demo_2023.sav"
FILE_LABEL = "SYNTHETIC 2023 demo wave (follow-up of the demo) - not real data"
NOTE = "SYNTHETIC 2023 follow-up of the pewlike demo \u2014 not real survey responses"
# item: population shares by code in 2023 (2019: ITEMS in make_demo_data)
SHARES_2023 = {
    "CONCERNCO": [0.36, 0.45, 0.14, 0.05],
    "CONCERNGOV": [0.32, 0.39, 0.21, 0.08],
    "CONCERNLE": [0.26, 0.35, 0.26, 0.13],
    "CONTROLCO": [0.03, 0.14, 0.48, 0.35],
    "UNDERSTANDCO": [0.05, 0.28, 0.44, 0.23],
    "GOVREGV1": [0.72, 0.08, 0.20],
}


def _ndtr(x: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return np.asarray(ndtr(x))


def _ndtri(u: np.ndarray) -> np.ndarray:
    from scipy.special import ndtri

    return np.asarray(ndtri(u))


def _logistic_cdf(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _latent_category(item: str, codes: np.ndarray) -> np.ndarray:
    """0-based position on the latent scale of each answer code (-1 for Refused / not asked)."""
    order = ITEMS[item][3]
    k = len(ITEMS[item][2])
    seq = list(range(1, k + 1)) if order is None else list(order)
    out = np.full(codes.size, -1)
    for pos, code in enumerate(seq):
        out[codes == code] = pos
    return out


def build_2023(seed: int = SEED) -> dict[str, np.ndarray]:
    """Simulate the 2023 wave; returns its columns (codes as float, Pew's refusal codes)."""
    w49, extra = build()
    pop, x_pop = extra["population"], extra["x_pop"]
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    # the 2019 respondents are the population rows whose demographics and QKEY build() drew;
    # build() does not return the indices, so draw_sample is replayed with its stream
    s19 = [np.random.default_rng(s) for s in np.random.SeedSequence(SEED_2019).spawn(6)]
    idx19 = draw_sample(s19[1], pop)
    log_prop = (
        0.30 * (pop["F_AGECAT"] - 1)
        + np.array([0.55, 0.25, 0])[pop["F_EDUCCAT"] - 1]
        + np.array([0, -0.25, -0.45, 0])[pop["F_RACETHN"] - 1]
        - 0.30 * (pop["F_INCOME_RECODE"] == 1)
    )
    # panel members: Efraimidis-Spirakis among the 2019 respondents
    keys = np.log(streams[0].random(idx19.size)) / np.exp(log_prop[idx19])
    stay = np.sort(np.argpartition(-keys, N_PANEL)[:N_PANEL])  # positions in the 2019 sample
    rest = np.setdiff1d(np.arange(x_pop.shape[0]), idx19)
    keys = np.log(streams[1].random(rest.size)) / np.exp(log_prop[rest])
    fresh = np.sort(rest[np.argpartition(-keys, N_SAMPLE - N_PANEL)[: N_SAMPLE - N_PANEL]])
    idx = np.r_[idx19[stay], fresh]
    n = idx.size
    demo = {k: v[idx] for k, v in pop.items()}
    x = design_matrix(demo)
    cols: dict[str, np.ndarray] = {}
    for item, shares in SHARES_2023.items():
        order = ITEMS[item][3]
        latent_shares = shares if order is None else [shares[c - 1] for c in order]
        theta23 = solve_thresholds(x_pop @ EFFECTS[item], latent_shares)
        theta19 = extra["thresholds"][item]
        eta = x @ EFFECTS[item]
        u = streams[2].random(n)
        # panel members: a 2019 error consistent with their 2019 answer, then its copula partner
        prev = _latent_category(item, w49[f"{item}_W49"][stay])
        cuts = np.r_[-np.inf, theta19, np.inf]
        ok = prev >= 0
        lo = _logistic_cdf(cuts[prev[ok]] - eta[:N_PANEL][ok])
        hi = _logistic_cdf(cuts[prev[ok] + 1] - eta[:N_PANEL][ok])
        u19 = streams[3].random(N_PANEL)
        u19[ok] = lo + (hi - lo) * u19[ok]
        z = RHO * _ndtri(u19) + np.sqrt(1 - RHO**2) * streams[4].standard_normal(N_PANEL)
        u[:N_PANEL] = _ndtr(z)
        u = np.clip(u, 1e-15, 1 - 1e-15)
        latent = eta + np.log(u) - np.log1p(-u)
        cat = np.searchsorted(theta23, latent)
        codes = np.arange(1, len(shares) + 1) if order is None else np.array(order)
        cols[f"{item}{SUFFIX}"] = codes[cat].astype(float)
    cols.update({k: v.astype(float) for k, v in demo.items()})
    cols["F_PARTYSUM_FINAL"][cols["F_PARTYSUM_FINAL"] == 3] = 9.0
    add_refusals(streams[5], cols)
    data = {"QKEY": np.r_[w49["QKEY"][stay], _new_keys(w49["QKEY"], n - N_PANEL, streams[5])], **cols}
    data["WEIGHT_W132"] = make_weights(data)
    return data


def _new_keys(old: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    pool = np.setdiff1d(np.arange(100_000, 1_000_000), old.astype(np.int64))
    return np.sort(rng.choice(pool, k, replace=False)).astype(float)


def _labels(name: str) -> tuple[str, dict[float, str]]:
    if name in DEMOGRAPHICS:
        label, cats, _refusal = DEMOGRAPHICS[name]
        if name == "F_PARTYSUM_FINAL":
            return label, {1.0: cats[0], 2.0: cats[1], 9.0: PARTY_NOLEAN_LABEL}
        return label, {**{float(i): c for i, c in enumerate(cats, 1)}, REFUSED: "Refused"}
    wording, cats = ITEMS[name.removesuffix(SUFFIX)][:2]
    return wording, {**{float(i): c for i, c in enumerate(cats, 1)}, REFUSED: "Refused"}


def write_wave_sav(data: dict[str, np.ndarray], out_path: str | os.PathLike[str]) -> Path:
    """Write the 2023 wave with wording, value labels and measures (deterministic)."""
    fixed = {
        "QKEY": ("Respondent ID (synthetic; the same as in 2019 for panel members)", {}, "scale"),
        "WEIGHT_W132": ("Weight for the 2023 wave (synthetic, raked)", {}, "scale"),
    }
    nominal = {"F_SEX", "F_RACETHN", "F_PARTYSUM_FINAL", "F_CREGION", "F_METRO", f"GOVREGV1{SUFFIX}"}
    return write_wave_pinned(
        data,
        out_path,
        fixed=fixed,
        labels_of=_labels,
        nominal=nominal,
        weight="WEIGHT_W132",
        file_label=FILE_LABEL,
        note=NOTE,
    )


def main(out_path: str | os.PathLike[str] | None = None, *, verbose: bool = True) -> Path:
    """Generate the 2023 demo wave at ``out_path`` (default ``pewlike/datasets/privacy_survey_demo_2023.sav``)."""
    data = build_2023()
    out = write_wave_sav(data, DEFAULT_OUT if out_path is None else out_path)
    if verbose:
        w = data["WEIGHT_W132"]
        print(f"wrote {out} ({out.stat().st_size:,} bytes), n={w.size}, panel members {N_PANEL}")
        for item, shares in SHARES_2023.items():
            v = data[f"{item}{SUFFIX}"]
            ok = v != REFUSED
            got = [float(w[ok & (v == c)].sum() / w[ok].sum()) for c in range(1, len(shares) + 1)]
            print(f"{item:14s} population {shares}  sample {[round(g, 3) for g in got]}")
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help=f"output path (default {DEFAULT_OUT})")
    parser.add_argument("--quiet", action="store_true", help="do not print the check table")
    args = parser.parse_args()
    main(args.out, verbose=not args.quiet)
