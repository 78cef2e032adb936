"""Scale benchmark (issue #7): ACS-PUMS-like data, 80 SDR replicate weights, on a Dask cluster.

    python scripts/bench_scale.py                       # 10 million rows (about 3 GB of Parquet)
    python scripts/bench_scale.py --rows 2000000 --skip-r
    python scripts/bench.py --scale                      # the same, from the main benchmark

Generates (seeded, partition by partition, never all rows at once) a person file shaped
like the American Community Survey PUMS: integer person weights ``PWGTP`` and 80
successive-difference replicate weights ``PWGTP1..PWGTP80`` (household-level replicate
factors 1 +- 2^-1/2 from the rows of an order-84 Hadamard matrix, rounded to integers as
the Census Bureau publishes them), six demographics and an outcome.  Then:

1. on a ``LocalCluster`` (2 worker processes, 1 thread each, 4 GiB memory limit each):
   read the Parquet partitions, build the SDR design, and estimate the outcome by each of
   the six demographics (proportions with replicate SEs); peak resident memory of every
   worker is read from the worker processes (``getrusage``);
2. in memory, the same on a 1M-row slice (the first partitions), for time per row;
3. R survey's ``svrepdesign(type="successive-difference")`` + ``svyby`` on the same slice
   (when ``Rscript`` is installed), for time and agreement of the standard errors.

Not a test: it prints the figures and returns them as a dict (``run(echo, rows=...)``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N_REPS = 80
PART_ROWS = 500_000
DEMOGRAPHICS = {
    "AGEP_CAT": ["0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"],
    "SEX": ["Male", "Female"],
    "RACETH": ["White", "Black", "Hispanic", "Asian", "AIAN", "Other/multiple"],
    "SCHL_CAT": ["Less than HS", "HS", "Some college", "Bachelor's", "Graduate"],
    "DIVISION": [
        "New England",
        "Middle Atlantic",
        "East North Central",
        "West North Central",
        "South Atlantic",
        "East South Central",
        "West South Central",
        "Mountain",
        "Pacific",
    ],
    "POV_CAT": ["<100%", "100-199%", "200-399%", "400%+"],
}
OUTCOME = ("HINS", ["Employer", "Direct purchase", "Public", "Uninsured"])
REP_COLS = [f"PWGTP{i}" for i in range(1, N_REPS + 1)]


# --------------------------------------------------------------------------- data
def _partition(index: int, rows: int, seed: int):
    """One partition of the person file (seeded by partition number)."""
    import pandas as pd

    from pewlike.variance.linearization import hadamard

    rng = np.random.default_rng([seed, index])
    size = rng.integers(1, 6, rows)  # household sizes
    hh = np.repeat(np.arange(rows), size)[:rows]
    nh = int(hh[-1]) + 1
    H = 2.0 * hadamard(N_REPS)[:, :N_REPS] - 1.0  # +-1, 84 x 80
    a = rng.integers(0, H.shape[0], nh)
    b = (a + 1 + rng.integers(0, H.shape[0] - 1, nh)) % H.shape[0]
    factor = 1.0 + 2.0**-1.5 * (H[a] - H[b])  # SDR factors per household: 1 +- 2^-1/2 or 1
    cols = {"SERIALNO": np.int64(index) * 10_000_000 + hh}
    codes = {}
    for name, levels in DEMOGRAPHICS.items():
        p = rng.dirichlet(np.full(len(levels), 4.0))
        codes[name] = rng.choice(len(levels), rows, p=p)
    div_h = rng.integers(0, len(DEMOGRAPHICS["DIVISION"]), nh)
    codes["DIVISION"] = div_h[hh]  # households live in one division
    z = 0.25 * codes["POV_CAT"] + 0.15 * codes["SCHL_CAT"] - 0.1 * (codes["AGEP_CAT"] >= 6) + rng.logistic(size=rows)
    codes[OUTCOME[0]] = np.digitize(z, [1.2, 1.6, 2.4])
    hh_w = rng.lognormal(np.log(90), 0.45, nh)
    w = np.maximum(1, np.round(hh_w[hh] * rng.uniform(0.85, 1.15, rows))).astype(np.int32)
    cols["PWGTP"] = w
    reps = np.round(w[:, None] * factor[hh]).astype(np.int32)
    cols.update({c: reps[:, j] for j, c in enumerate(REP_COLS)})
    for name, levels in [*DEMOGRAPHICS.items(), OUTCOME]:
        cols[name] = pd.Categorical.from_codes(codes[name], categories=levels)
    return pd.DataFrame(cols)


def generate(folder: Path, rows: int, seed: int = 2019, echo=print) -> list[Path]:
    """Write ``rows`` person records as Parquet partitions of ``PART_ROWS`` rows."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    nparts = -(-rows // PART_ROWS)
    t0 = time.perf_counter()
    for i in range(nparts):
        n = min(PART_ROWS, rows - i * PART_ROWS)
        path = folder / f"pums-{i:03d}.parquet"
        if not path.exists():
            _partition(i, n, seed).to_parquet(path, index=False)
        paths.append(path)
    size = sum(p.stat().st_size for p in paths)
    echo(
        f"  data: {rows:,} rows in {nparts} Parquet partitions ({size / 2**30:.2f} GiB) "
        f"written in {time.perf_counter() - t0:.0f} s"
    )
    return paths


# --------------------------------------------------------------------------- runs
def _analysis(svy) -> list:
    return [svy.proportion(OUTCOME[0], by=d) for d in DEMOGRAPHICS]


def _maxrss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _dask_run(pattern: str, echo) -> dict:
    from distributed import Client, LocalCluster

    import pewlike as pw

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit="4GiB", dashboard_address=":0"
    )
    client = Client(cluster)
    try:
        t0 = time.perf_counter()
        svy = pw.read(
            pattern,
            engine="dask",
            weights="PWGTP",
            repweights=REP_COLS,
            reptype="SDR",
            scheduler=client,
            progress=False,
        )
        t_design = time.perf_counter() - t0
        t1 = time.perf_counter()
        res = _analysis(svy)
        t_est = time.perf_counter() - t1
        peaks = client.run(_maxrss)
        n = svy.n
    finally:
        client.close()
        cluster.close()
    return {
        "rows": n,
        "design_s": t_design,
        "estimates_s": t_est,
        "total_s": t_design + t_est,
        "worker_peak_bytes": max(peaks.values()),
        "workers": len(peaks),
        "results": res,
    }


def _memory_run(paths: list[Path], rows: int) -> dict:
    import pandas as pd

    import pewlike as pw

    t0 = time.perf_counter()
    frame = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True).iloc[:rows]
    t_read = time.perf_counter() - t0
    t1 = time.perf_counter()
    svy = pw.Survey(frame, weights="PWGTP", repweights=REP_COLS, reptype="SDR")
    t_design = time.perf_counter() - t1
    t2 = time.perf_counter()
    res = _analysis(svy)
    t_est = time.perf_counter() - t2
    return {
        "rows": len(frame),
        "read_s": t_read,
        "design_s": t_design,
        "estimates_s": t_est,
        "total_s": t_read + t_design + t_est,
        "results": res,
        "frame": frame,
    }


R_SCRIPT = r"""
suppressMessages({library(survey); library(data.table); library(jsonlite)})
args <- commandArgs(TRUE)
d <- as.data.frame(fread(args[1]))
dems <- strsplit(args[2], ",")[[1]]
for (v in c(dems, args[3])) d[[v]] <- factor(d[[v]])   # codes 1..k: levels in pewlike's category order
t0 <- proc.time()[["elapsed"]]
des <- svrepdesign(data = d, weights = ~PWGTP, repweights = "^PWGTP[0-9]+$", type = "successive-difference",
                   combined.weights = TRUE)
t1 <- proc.time()[["elapsed"]]
rs <- lapply(dems, function(v) svyby(as.formula(paste0("~", args[3])), as.formula(paste0("~", v)), des, svymean))
t2 <- proc.time()[["elapsed"]]
L <- nlevels(d[[args[3]]])
est <- unlist(lapply(rs, function(r) as.vector(t(as.matrix(r[, 2:(L + 1)])))))
se <- unlist(lapply(rs, function(r) as.vector(t(as.matrix(r[, (L + 2):(2 * L + 1)])))))
cat(toJSON(list(design = t1 - t0, estimates = t2 - t1, est = est, se = se,
                version = as.character(packageVersion("survey"))), auto_unbox = TRUE, digits = NA))
"""


def _r_run(frame, echo) -> dict | None:
    """R survey on the in-memory slice: svrepdesign(type="successive-difference") and six svyby."""
    if shutil.which("Rscript") is None:
        echo("  R: Rscript not found, skipped")
        return None
    names = [*DEMOGRAPHICS, OUTCOME[0]]
    out = frame[["PWGTP", *REP_COLS]].copy()
    for v in names:
        out[v] = frame[v].cat.codes.to_numpy() + 1
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "slice.csv"
        out.to_csv(csv, index=False)
        proc = subprocess.run(
            ["Rscript", "-e", R_SCRIPT, str(csv), ",".join(DEMOGRAPHICS), OUTCOME[0]],
            capture_output=True,
            text=True,
            timeout=7200,
        )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode
        echo(f"  R failed: {tail}")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _flat(results):
    est = np.concatenate([r.to_frame()["estimate"].to_numpy() for r in results])
    se = np.concatenate([r.to_frame()["std_error"].to_numpy() for r in results])
    return est, se


def run(
    echo=print,
    rows: int = 10_000_000,
    *,
    slice_rows: int = 1_000_000,
    skip_r: bool = False,
    folder: str | Path | None = None,
    keep: bool = False,
) -> dict:
    """Generate the data, time the cluster run and the in-memory 1M-row run (and R); return the figures."""
    tmp = None
    if folder is None:
        tmp = tempfile.mkdtemp(prefix="pewlike-scale-")
        folder = tmp
    folder = Path(folder)
    echo(f"\n== scale: ACS-PUMS-like, {rows:,} rows, {N_REPS} SDR replicate weights ==")
    try:
        paths = generate(folder, rows, echo=echo)
        dk = _dask_run(str(folder / "pums-*.parquet"), echo)
        per_row_dask = dk["total_s"] / dk["rows"]
        echo(
            f"  Dask (2 workers x 1 thread, 4 GiB limit): design pass {dk['design_s']:.1f} s, six by= proportions "
            f"{dk['estimates_s']:.1f} s, total {dk['total_s']:.1f} s = {per_row_dask * 1e6:.2f} us/row; peak worker "
            f"memory {dk['worker_peak_bytes'] / 2**30:.2f} GiB"
        )
        slice_rows = min(slice_rows, rows)
        mem = _memory_run(paths[: -(-slice_rows // PART_ROWS)], slice_rows)
        per_row_mem = mem["total_s"] / mem["rows"]
        echo(
            f"  in memory, {mem['rows']:,}-row slice: read {mem['read_s']:.1f} s, design {mem['design_s']:.1f} s, "
            f"six by= proportions {mem['estimates_s']:.1f} s, total {mem['total_s']:.1f} s = "
            f"{per_row_mem * 1e6:.2f} us/row"
        )
        ratio = per_row_dask / per_row_mem
        est_ratio = (dk["estimates_s"] / dk["rows"]) / (mem["estimates_s"] / mem["rows"])
        echo(f"  time per row, Dask / in memory: {ratio:.2f} in total (goal: under 3); estimates alone {est_ratio:.2f}")
        out = {
            "rows": rows,
            "dask": {k: v for k, v in dk.items() if k != "results"},
            "memory_slice": {k: v for k, v in mem.items() if k not in ("results", "frame")},
            "per_row_ratio": ratio,
            "estimates_per_row_ratio": est_ratio,
            "peak_worker_gib": dk["worker_peak_bytes"] / 2**30,
        }
        if rows == mem["rows"]:
            e1, s1 = _flat(dk["results"])
            e2, s2 = _flat(mem["results"])
            out["dask_vs_memory"] = float(max(np.max(np.abs(e1 - e2) / np.abs(e2)), np.max(np.abs(s1 - s2) / s2)))
            echo(f"  Dask vs in memory (same rows): max relative difference {out['dask_vs_memory']:.1e}")
        if not skip_r:
            echo(f"  running R survey on the {mem['rows']:,}-row slice ...")
            r = _r_run(mem["frame"], echo)
            if r is not None:
                e, s = _flat(mem["results"])
                agree_e = float(np.max(np.abs(e - np.asarray(r["est"])) / np.abs(np.asarray(r["est"]))))
                agree_s = float(np.max(np.abs(s - np.asarray(r["se"])) / np.asarray(r["se"])))
                r_total = r["design"] + r["estimates"]
                echo(
                    f"  R survey {r['version']}: svrepdesign {r['design']:.1f} s, six svyby {r['estimates']:.1f} s "
                    f"(reading the CSV not counted); pewlike in memory (design + estimates) is "
                    f"{r_total / (mem['design_s'] + mem['estimates_s']):.1f}x faster on the same rows, Dask "
                    f"{r_total / mem['rows'] / per_row_dask:.1f}x faster per row (reading included); agreement "
                    f"with R (max rel. diff) estimates {agree_e:.1e}, SEs {agree_s:.1e}"
                )
                out["R"] = {
                    "version": r["version"],
                    "design_s": r["design"],
                    "estimates_s": r["estimates"],
                    "agree_estimates": agree_e,
                    "agree_se": agree_s,
                }
        return out
    finally:
        if tmp is not None and not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--slice-rows", type=int, default=1_000_000)
    ap.add_argument("--skip-r", action="store_true")
    ap.add_argument("--folder", default=None, help="keep the generated Parquet files here (reused if present)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    out = run(
        lambda m="": print(m, flush=True), args.rows, slice_rows=args.slice_rows, skip_r=args.skip_r, folder=args.folder
    )
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
