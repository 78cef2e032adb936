"""First-answer timing for ``scripts/bench.py`` (issue #15): what a user waits for, in fresh processes.

    python scripts/bench_first.py [--rows 1000000] [--skip-r]   # or: python scripts/bench.py --only first

* ``import + design + first mean``: a fresh Python process with the data already in a
  DataFrame (read from Parquet before the clock starts) times ``import pewlike``,
  ``pw.Survey(strata, psu, weights)`` and the first ``mean``, then a second ``mean``;
  R times ``library(survey)``, ``svydesign`` and ``svymean`` after ``read.csv``.
* ``pewlike topline CONCERNCO``: the whole command on the demo, median of 5 runs
  (bytecode compiled, as an installed package has it), beside the floor: a process that
  only imports click, pandas and pyreadstat.

Every figure is printed with the machine's load average (``os.getloadavg``), because the
machine may be shared. Not a test.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import run_r
from bench_data import generate

_PY = r"""
import json, sys, time
import pandas as pd
frame = pd.read_parquet(sys.argv[1])
t0 = time.perf_counter()
import pewlike as pw
t1 = time.perf_counter()
svy = pw.Survey(frame, weights="weight", strata="stratum", psu="psu")
t2 = time.perf_counter()
m = svy.mean("y")
t3 = time.perf_counter()
svy.mean("y")
t4 = time.perf_counter()
est = m.to_frame()
print(json.dumps({"import": t1 - t0, "design": t2 - t1, "first_mean": t3 - t2, "second_mean": t4 - t3,
                  "total": t3 - t0, "estimate": float(est["estimate"].iloc[0]), "se": float(est["std_error"].iloc[0])}))
"""

_R = r"""
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
t0 <- proc.time()[["elapsed"]]
suppressMessages(library(survey))
t1 <- proc.time()[["elapsed"]]
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d)
t2 <- proc.time()[["elapsed"]]
m <- svymean(~y, des)
t3 <- proc.time()[["elapsed"]]
cat(jsonlite::toJSON(list(import = t1 - t0, design = t2 - t1, first_mean = t3 - t2, total = t3 - t0,
    estimate = unname(coef(m)), se = as.numeric(SE(m))), auto_unbox = TRUE, digits = NA), "\n")
"""


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} {five:.2f}"


def _pewlike_cmd() -> list[str]:
    script = Path(sys.executable).with_name("pewlike")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pewlike"]


def first_answer(rows: int, skip_r: bool, echo=print) -> dict:
    """Import + design + first mean on ``rows`` rows, pewlike and (unless skipped) R survey."""
    raw = generate(rows, replicates=False)[["stratum", "psu", "weight", "y"]]
    out: dict = {"rows": rows}
    with tempfile.TemporaryDirectory(prefix="pewlike-bench-first-") as tmp:
        pq, csv = Path(tmp) / "d.parquet", Path(tmp) / "d.csv"
        raw.to_parquet(pq)
        runs = []
        for _ in range(3):
            proc = subprocess.run([sys.executable, "-c", _PY, str(pq)], capture_output=True, text=True, check=True)
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        best = min(runs, key=lambda r: r["total"])
        out["pewlike"] = best
        echo(
            f"  pewlike import + design + first mean: {best['total']:.3f} s (import {best['import']:.3f}, "
            f"design {best['design']:.3f}, first mean {best['first_mean']:.3f}; second mean "
            f"{best['second_mean']:.4f}) best of 3, {load()}"
        )
        if not skip_r:
            raw.to_csv(csv, index=False)
            r = run_r(_R, str(csv))
            out["R"] = r
            if r:
                echo(
                    f"  R library(survey) + svydesign + svymean: {r['total']:.3f} s (svydesign {r['design']:.3f}, "
                    f"svymean {r['first_mean']:.3f}); R / pewlike = {r['total'] / best['total']:.1f}x; "
                    f"estimate rel. diff {abs(r['estimate'] - best['estimate']) / abs(r['estimate']):.1e}, "
                    f"se {abs(r['se'] - best['se']) / abs(r['se']):.1e}; {load()}"
                )
    return out


def _wall_times(cmd: list[str], env: dict[str, str], runs: int = 5) -> list[float]:
    """Wall seconds of ``runs`` whole processes running ``cmd``."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - t0)
    return times


def topline_cli(echo=print) -> dict:
    """``pewlike topline CONCERNCO`` on the demo: whole process, median of 5 (after one warm-up run)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cmd = [*_pewlike_cmd(), "topline", "CONCERNCO"]
    subprocess.run(cmd, capture_output=True, check=True, env=env)  # writes the bytecode, as an install does
    times = _wall_times(cmd, env)
    med = statistics.median(times)
    # The floor: a process that only imports what any pewlike command reading a .sav needs.
    fmed = statistics.median(_wall_times([sys.executable, "-c", "import click, pandas, pyreadstat"], env))
    echo(
        f"  pewlike topline CONCERNCO: {med:.3f} s median of 5 (min {min(times):.3f}; target 0.5 s); "
        f"`import click, pandas, pyreadstat` alone: {fmed:.3f} s median of 5; {load()}"
    )
    return {"median": med, "times": times, "import_floor": fmed, "load": os.getloadavg()}


def run(echo=print, rows: int = 1_000_000, skip_r: bool = False) -> dict:
    """Both measurements, for bench.json."""
    return {"first_answer": first_answer(rows, skip_r, echo), "topline_cli": topline_cli(echo)}


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--skip-r", action="store_true")
    a = ap.parse_args()
    print(json.dumps(run(rows=a.rows, skip_r=a.skip_r), default=float)[:2000])
