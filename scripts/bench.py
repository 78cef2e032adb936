"""pewlike benchmark: speed and memory against R survey and svy, in one run.

    python scripts/bench.py                  # 100k and 1M rows, every section
    python scripts/bench.py --rows 100000 --skip-r
    python scripts/bench.py --only estimation,read
    python scripts/bench.py --scale --only none   # Dask: 10M ACS-like rows, 80 SDR replicates

Sections: ``read`` (1M x 100 .sav: pw.read vs bare pyreadstat; polars-readstat when installed), ``first`` (import +
design + first mean against R, and the one-shot ``pewlike topline``: bench_first.py), ``estimation``
(mean, total, proportion, six by= domains, the same on 80 JK1 replicates, Rao-Scott;
with R survey and svy when available), ``weighting``, ``models`` and ``report``
(from ``bench_weighting.py``, ``bench_models.py``, ``bench_report.py``).
The svy peer runs in its own virtual environment: pass ``--svy-python
/path/to/venv/bin/python`` (or set PEWLIKE_BENCH_SVY_PYTHON). Results are printed
and written to ``--json`` (default: bench-results.json). Not a test.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import best_of, rel_diff
from bench_data import DEMOGRAPHICS, as_categorical, generate
from bench_peers import TASKS, run_r, run_svy


def echo(msg: str = "") -> None:
    print(msg, flush=True)


def _flat(results):
    est = np.concatenate([r.to_frame()["estimate"].to_numpy() for r in results])
    se = np.concatenate([r.to_frame()["std_error"].to_numpy() for r in results])
    return est, se


def pewlike_tasks(frame):
    import pewlike as pw

    svy = pw.Survey(frame, weights="weight", strata="stratum", psu="psu")
    rep = pw.Survey(frame, weights="weight", repweights="rep*", reptype="JK1")
    dems = list(DEMOGRAPHICS)
    times, values = {}, {}
    r, times["mean"] = best_of(lambda: svy.mean("y"), repeat=5)
    values["mean"] = _flat([r])
    r, times["total"] = best_of(lambda: svy.total("y"), repeat=5)
    values["total"] = _flat([r])
    r, times["proportion"] = best_of(lambda: svy.proportion("Q1"), repeat=5)
    values["proportion"] = _flat([r])
    r, times["domains"] = best_of(lambda: [svy.proportion("Q1", by=v) for v in dems])
    values["domains"] = _flat(r)
    tracemalloc.start()
    r, times["replicate_domains"] = best_of(lambda: [rep.proportion("Q1", by=v) for v in dems], repeat=2)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    values["replicate_domains"] = _flat(r)
    r, times["chisq"] = best_of(lambda: svy.chisq("Q1", "PARTY"), repeat=5)
    values["chisq"] = (np.array([r.statistic]), np.array([r.p_value]))
    w = svy._design.weights
    q1 = frame["Q1"].cat.codes.to_numpy()
    codes = [frame[v].cat.codes.to_numpy() * 4 + q1 for v in dems]
    _, floor = best_of(lambda: [np.bincount(c, weights=w) for c in codes])
    return (
        times,
        values,
        {"replicate_peak_bytes": peak, "repweights_bytes": rep._design.repweights.nbytes, "bincount_floor": floor},
    )


def estimation(n: int, args, results: dict) -> None:
    echo(f"\n== estimation, {n:,} rows ==")
    t0 = time.perf_counter()
    raw = generate(n)
    frame = as_categorical(raw)
    echo(f"  data generated in {time.perf_counter() - t0:.1f} s")
    times, values, mem = pewlike_tasks(frame)
    peers = {}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_r:
            csv = Path(tmp) / "bench.csv"
            raw.to_csv(csv, index=False)
            echo("  running R survey ...")
            peers["R"] = run_r(csv)
        if not args.skip_svy:
            pq = Path(tmp) / "bench.parquet"
            raw.to_parquet(pq)
            echo("  running svy ...")
            peers["svy"] = run_svy(pq, args.svy_python)
    rows = []
    echo(
        f"  {'task':<20}{'pewlike':>10}{'R':>10}{'svy':>10}{'R/pw':>9}{'svy/pw':>9}  agreement with R (max rel. diff est, se)"
    )
    for task in TASKS:
        pr = peers.get("R") or {}
        ps = peers.get("svy") or {}
        rt = pr.get("times", {}).get(task)
        st = ps.get("times", {}).get(task)
        agree = ""
        if pr.get("values", {}).get(task) is not None:
            e, s = pr["values"][task]
            agree = f"{rel_diff(values[task][0], e):.1e}, {rel_diff(values[task][1], s):.1e}"
        rows.append({"task": task, "pewlike": times[task], "R": rt, "svy": st})
        echo(
            f"  {task:<20}{times[task]:>10.4f}{(rt or float('nan')):>10.3f}{(st or float('nan')):>10.3f}"
            f"{(rt / times[task] if rt else float('nan')):>9.1f}{(st / times[task] if st else float('nan')):>9.1f}  {agree}"
        )
    echo(
        f"  six domain estimates: {times['domains'] / mem['bincount_floor']:.1f}x one weighted np.bincount "
        f"per demographic ({mem['bincount_floor'] * 1000:.1f} ms)"
    )
    echo(
        f"  replicate task: extra peak memory {mem['replicate_peak_bytes'] / 2**20:.0f} MiB = "
        f"{mem['replicate_peak_bytes'] / mem['repweights_bytes']:.2f}x the replicate-weight matrix "
        f"({mem['repweights_bytes'] / 2**20:.0f} MiB)"
    )
    results[f"estimation_{n}"] = {
        "rows": rows,
        "memory": mem,
        "versions": {k: (v or {}).get("version") for k, v in peers.items()},
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--only", default="read,first,estimation,weighting,models,report")
    ap.add_argument("--skip-r", action="store_true")
    ap.add_argument("--skip-svy", action="store_true")
    ap.add_argument("--svy-python", default=None)
    ap.add_argument("--json", default="bench-results.json")
    ap.add_argument(
        "--scale",
        action="store_true",
        help="also the Dask scale run: 10M ACS-PUMS-like rows with 80 SDR replicates (bench_scale.py)",
    )
    ap.add_argument("--scale-rows", type=int, default=10_000_000)
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    results: dict = {}
    if args.scale:
        from bench_scale import run as run_scale

        results["scale"] = run_scale(echo, rows=args.scale_rows, skip_r=args.skip_r)
    if "read" in only:
        from bench_read import run as run_read

        results["read"] = run_read(echo)
    if "first" in only:
        from bench_first import run as run_first

        echo("\n== first answer (fresh processes) ==")
        results["first"] = run_first(echo, rows=max(args.rows), skip_r=args.skip_r)
    if "estimation" in only:
        for n in args.rows:
            estimation(n, args, results)
    peers = {"skip_r": args.skip_r, "skip_svy": args.skip_svy, "svy_python": args.svy_python}
    for section, module in (("weighting", "bench_weighting"), ("models", "bench_models"), ("report", "bench_report")):
        if section not in only:
            continue
        mod = importlib.import_module(module)
        echo(f"\n== {section} ==")
        if section == "report":
            results[section] = mod.run(echo)
        else:
            results[section] = {n: mod.run(n, echo, **peers) for n in args.rows}
    Path(args.json).write_text(json.dumps(results, indent=1, default=float))
    echo(f"\nresults written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
