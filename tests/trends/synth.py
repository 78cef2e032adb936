"""Seeded synthetic waves of many shapes for the trend table and figure tests.

``waves(seed, n_waves, ...)`` returns ``{wave name: pw.Survey}``: a four-answer question
``Q_W<k>`` (with "Refused"), a group ``GRP`` with ``groups`` levels, weights ``WEIGHT_W<k>``
and a panel id ``QKEY`` shared by about ``overlap`` of consecutive waves' respondents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import pewlike as pw

LEVELS = ["Very", "Somewhat", "Not too", "Not at all"]


def waves(
    seed: int,
    n_waves: int = 2,
    *,
    n: int = 300,
    groups: int = 2,
    overlap: float = 0.4,
    drift: float = 0.6,
    labels: list[str] | None = None,
    question: str | None = None,
) -> dict[str, pw.Survey]:
    rng = np.random.default_rng(seed)
    cats = labels or LEVELS
    out: dict[str, pw.Survey] = {}
    prev_keys = np.arange(n)
    next_key = n
    for k in range(n_waves):
        m = n + int(rng.integers(-n // 5, n // 5))
        shift = drift * k / max(n_waves - 1, 1)  # first to last: the same drift
        logits = np.array([0.2 + shift, 0.4, 0.0 - shift / 2, -0.4 - shift])
        p = np.exp(logits) / np.exp(logits).sum()
        if k == 0:
            keys = np.arange(m)
            next_key = m
        else:
            stay = rng.choice(prev_keys, min(len(prev_keys), int(overlap * m)), replace=False)
            fresh = np.arange(next_key, next_key + m - len(stay))
            next_key += len(fresh)
            keys = np.r_[stay, fresh]
        q = rng.choice(cats, m, p=p).astype(object)
        q[rng.random(m) < 0.03] = "Refused"
        grp = (keys * 7 + 3) % groups  # a respondent keeps the group across waves
        df = pd.DataFrame(
            {
                "QKEY": keys,
                f"Q_W{k + 1}": pd.Categorical(q, categories=[*cats, "Refused"], ordered=True),
                "GRP": pd.Categorical([f"G{g + 1}" for g in grp]),
                f"WEIGHT_W{k + 1}": rng.gamma(3.0, 1.0 + k, m),
            }
        )
        book = None
        if question is not None:
            book = pw.Codebook.from_frame(df, labels={f"Q_W{k + 1}": question})
        out[str(2015 + 2 * k)] = pw.Survey(df, weights=f"WEIGHT_W{k + 1}", codebook=book)
        prev_keys = keys
    return out
