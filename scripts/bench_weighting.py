"""Raking benchmark: pewlike against R survey's ``rake`` and svy's ``rake``, in one run.

    python scripts/bench_weighting.py                 # 1,000,000 rows
    python scripts/bench_weighting.py --rows 100000 1000000 --skip-r

Rakes the benchmark sample (``bench_data.generate``: unequal weights) to four margins
(AGE 4, SEX 2, EDUC 3, RACE 4 categories).  R runs in the same run through Rscript (twice:
its default ``control``, and converged with ``epsilon = 1e-10``, whose weights pewlike's
are compared with); svy runs in its own virtual environment when
``PEWLIKE_BENCH_SVY_PYTHON`` (or ``--svy-python``) names its python.  Times are the best of
three (R: of two) and cover the raking call only, not reading the data or building the
design.  ``run(n_rows, echo)`` is what ``scripts/bench.py`` calls.  Not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_common as common
from bench_data import as_categorical, generate

SHARES = {
    "AGE": [0.20, 0.30, 0.30, 0.20],
    "SEX": [0.48, 0.52],
    "EDUC": [0.35, 0.30, 0.35],
    "RACE": [0.60, 0.15, 0.15, 0.10],
}

R_SCRIPT = r"""
suppressMessages({library(survey); library(data.table); library(jsonlite)})
args <- commandArgs(TRUE)
d <- as.data.frame(fread(args[1]))
shares <- fromJSON(args[2])
for (v in names(shares)) d[[v]] <- factor(d[[v]])
des <- svydesign(ids = ~1, weights = ~weight, data = d)
W <- sum(d$weight)
pops <- lapply(names(shares), function(v) { p <- data.frame(factor(seq_along(shares[[v]])), Freq = shares[[v]] * W); names(p)[1] <- v; p })
margins <- lapply(names(shares), function(v) as.formula(paste0("~", v)))
best <- function(expr) { t <- c(); for (i in 1:2) t <- c(t, system.time(r <- eval.parent(substitute(expr)))[["elapsed"]]); list(r, min(t)) }
dflt <- best(rake(des, margins, pops))
tight <- best(rake(des, margins, pops, control = list(maxit = 100, epsilon = 1e-10)))
writeBin(as.numeric(weights(tight[[1]])), args[3])
cat(toJSON(list(default = dflt[[2]], converged = tight[[2]], version = as.character(packageVersion("survey"))),
           auto_unbox = TRUE, digits = NA))
"""

SVY_SCRIPT = r"""
import json, sys, time
import numpy as np
import polars as pl
import svy

path, shares, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
d = pl.read_parquet(path).with_columns([pl.col(c).cast(pl.Utf8) for c in shares])
total = float(d["weight"].sum())
controls = {v: {str(i + 1): s * total for i, s in enumerate(p)} for v, p in shares.items()}
times, res = [], None
for k in range(3):
    smp = svy.Sample(data=d, design=svy.Design(wgt="weight"))
    t0 = time.perf_counter()
    res = smp.weighting.rake(controls=controls, wgt_name="rk_wgt", max_iter=100)
    times.append(time.perf_counter() - t0)
np.asarray(res.data["rk_wgt"].to_numpy(), dtype=float).tofile(out)
print(json.dumps({"time": min(times), "version": svy.__version__}))
"""


def _margins():
    return {v: {str(i + 1): s for i, s in enumerate(p)} for v, p in SHARES.items()}


def run_r(csv: Path, out: Path) -> dict | None:
    return common.run_r(R_SCRIPT, csv, json.dumps(SHARES), out)


def run_svy(parquet: Path, out: Path, python: str | None) -> dict | None:
    return common.run_svy(SVY_SCRIPT, parquet, json.dumps(SHARES), out, python=python)


def run(n_rows: int, echo, *, skip_r: bool = False, skip_svy: bool = False, svy_python: str | None = None) -> dict:
    """Rake ``n_rows`` rows on four margins with pewlike, R survey and svy; print and return the results."""
    import pewlike as pw

    echo(f"  raking {n_rows:,} rows on 4 margins (AGE, SEX, EDUC, RACE)")
    raw = generate(n_rows, replicates=False)
    frame = as_categorical(raw)
    svy = pw.Survey(frame, weights="weight")
    margins = _margins()
    raked, t_pw = common.best_of(lambda: svy.rake(margins))
    tracemalloc.start()
    svy.rake(margins)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    w_pw = raked.weights.to_numpy()
    column = n_rows * 8
    out = {
        "rows": n_rows,
        "pewlike": t_pw,
        "iterations": raked.weight_summary().iterations,
        "peak_bytes": peak,
        "peak_columns": peak / column,
    }
    echo(
        f"  pewlike   {t_pw:8.4f} s  ({out['iterations']} sweeps; peak extra memory {peak / 2**20:.0f} MiB = "
        f"{peak / column:.1f} float columns of {n_rows:,})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not skip_r:
            raw[["weight", *SHARES]].to_csv(tmp / "rake.csv", index=False)
            r = run_r(tmp / "rake.csv", tmp / "r_weights.bin")
            if r is not None:
                w_r = np.fromfile(tmp / "r_weights.bin")
                out.update(
                    R_default=r["default"],
                    R_converged=r["converged"],
                    R_version=r["version"],
                    R_agreement=common.rel_diff(w_pw, w_r),
                )
                echo(
                    f"  R survey  {r['default']:8.3f} s  default control ({r['default'] / t_pw:.0f}x pewlike); "
                    f"{r['converged']:.3f} s converged ({r['converged'] / t_pw:.0f}x); weights agree to "
                    f"{out['R_agreement']:.1e}"
                )
            else:
                echo("  R survey  not available (Rscript with survey, data.table, jsonlite)")
        if not skip_svy:
            raw[["weight", *SHARES]].to_parquet(tmp / "rake.parquet")
            s = run_svy(tmp / "rake.parquet", tmp / "svy_weights.bin", svy_python)
            if s is not None:
                w_s = np.fromfile(tmp / "svy_weights.bin")
                out.update(svy=s["time"], svy_version=s["version"], svy_agreement=common.rel_diff(w_pw, w_s))
                echo(
                    f"  svy {s['version']:<6}{s['time']:8.3f} s  ({s['time'] / t_pw:.0f}x pewlike); weights agree to "
                    f"{out['svy_agreement']:.1e} (svy's default tolerance)"
                )
            else:
                echo("  svy       not available (set PEWLIKE_BENCH_SVY_PYTHON to its venv's python)")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--skip-r", action="store_true")
    ap.add_argument("--skip-svy", action="store_true")
    ap.add_argument("--svy-python", default=None)
    args = ap.parse_args(argv)
    for n in args.rows:
        run(
            n, lambda m="": print(m, flush=True), skip_r=args.skip_r, skip_svy=args.skip_svy, svy_python=args.svy_python
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
