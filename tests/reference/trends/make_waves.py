"""Write the synthetic waves of the trend tests (seeded): ``waves_panel.csv`` and ``waves_complex.csv``.

Run from the repository root: ``python tests/reference/trends/make_waves.py``; then
``Rscript tests/reference/trends/make_trends_reference.R`` writes the reference values.

* ``waves_panel.csv``: two weights-only waves (2019: 600 respondents, 2023: 560), about 40% of
  the 2023 respondents are 2019 panel members (same QKEY) whose answers are correlated with
  their 2019 answers; ``Q`` a four-point concern scale with "Refused", ``SEX`` a group.
* ``waves_complex.csv``: two stratified cluster waves (3 strata, 6 PSUs each) with
  different weights; independent samples.
* ``waves_replicate.csv``: two clustered waves with a group ``SEX``, each analysed with its
  own replicate weights (2019: 3 strata of 4 PSUs, stratified jackknife JKn; 2023: 9 PSUs,
  no strata, JK1); independent samples.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
LEVELS = np.array(["Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned"])


def _answers(rng: np.random.Generator, n: int, p: list[float]) -> np.ndarray:
    q = rng.choice(LEVELS, n, p=p).astype(object)
    q[rng.random(n) < 0.03] = "Refused"
    return q


def panel_waves(seed: int = 20191203) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n1, n2, overlap = 600, 560, 230
    q1 = _answers(rng, n1, [0.30, 0.42, 0.18, 0.10])
    w1 = pd.DataFrame(
        {
            "WAVE": "2019",
            "QKEY": np.arange(1, n1 + 1),
            "Q": q1,
            "SEX": rng.choice(["Male", "Female"], n1),
            "W": rng.gamma(4.0, 0.5, n1),
        }
    )
    keep = rng.choice(n1, overlap, replace=False)
    q2 = _answers(rng, n2, [0.36, 0.40, 0.16, 0.08])
    stay = rng.random(overlap) < 0.6  # panel members mostly give the same answer again
    q2[:overlap] = np.where(stay, q1[keep], q2[:overlap])
    w2 = pd.DataFrame(
        {
            "WAVE": "2023",
            "QKEY": np.r_[w1["QKEY"].to_numpy()[keep], np.arange(5001, 5001 + n2 - overlap)],
            "Q": q2,
            "SEX": np.r_[w1["SEX"].to_numpy()[keep], rng.choice(["Male", "Female"], n2 - overlap)],
            "W": rng.gamma(3.0, 2.0, n2),  # another scale: rescaling matters
        }
    )
    return pd.concat([w1, w2], ignore_index=True)


def complex_waves(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for wave, n_per, p in (("2019", 12, [0.3, 0.4, 0.2, 0.1]), ("2023", 10, [0.4, 0.35, 0.15, 0.1])):
        rows = []
        for s in range(3):
            for c in range(6):
                m = n_per + int(rng.integers(0, 5))
                shift = rng.normal(0, 0.6)
                pp = np.exp(np.log(p) + shift * np.array([1, 0.3, -0.3, -1]))
                pp /= pp.sum()
                rows.append(
                    pd.DataFrame(
                        {
                            "WAVE": wave,
                            "STRATUM": s + 1,
                            "PSU": c + 1,  # numbered within the stratum
                            "Q": _answers(rng, m, list(pp)),
                            "W": rng.gamma(5.0, 1.0 + s, m),
                        }
                    )
                )
        parts.append(pd.concat(rows, ignore_index=True))
    return pd.concat(parts, ignore_index=True)


def replicate_waves(seed: int = 2023) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for wave, strata, psus, p in (("2019", 3, 4, [0.3, 0.4, 0.2, 0.1]), ("2023", 1, 9, [0.38, 0.36, 0.16, 0.1])):
        for s in range(strata):
            for c in range(psus):
                m = 14 + int(rng.integers(0, 8))
                shift = rng.normal(0, 0.5)
                pp = np.exp(np.log(p) + shift * np.array([1, 0.3, -0.3, -1]))
                pp /= pp.sum()
                parts.append(
                    pd.DataFrame(
                        {
                            "WAVE": wave,
                            "STRATUM": s + 1,
                            "PSU": 10 * (s + 1) + c + 1,  # unique across strata
                            "Q": _answers(rng, m, list(pp)),
                            "SEX": rng.choice(["Male", "Female"], m),
                            "W": rng.gamma(4.0, 1.0 + 0.5 * s, m) * (3.0 if wave == "2023" else 1.0),
                        }
                    )
                )
    return pd.concat(parts, ignore_index=True)


if __name__ == "__main__":
    panel_waves().to_csv(HERE / "waves_panel.csv", index=False, float_format="%.17g")
    complex_waves().to_csv(HERE / "waves_complex.csv", index=False, float_format="%.17g")
    replicate_waves().to_csv(HERE / "waves_replicate.csv", index=False, float_format="%.17g")
