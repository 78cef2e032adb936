"""Read benchmark: a 1,000,000-row x 100-column labelled .sav, pw.read vs a bare pyreadstat.read_sav.

Each reader runs in a fresh process; time is the best of ``repeat`` runs, memory the
peak resident set size (VmHWM) above the process's resident size after imports. Targets:
time <= 0.4x the bare read with polars-readstat installed (``pewlike[fast]``, issue #15),
<= 1.3x with pyreadstat alone (issue #2); peak memory <= 2x the resulting DataFrame.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, sys, time
import numpy as np, pandas as pd, pyreadstat
def status(key):  # kB from /proc/self/status (VmHWM is this process's own peak, unlike ru_maxrss,
    with open("/proc/self/status") as fh:  # which Linux carries over from the parent across exec)
        return next(int(line.split()[1]) for line in fh if line.startswith(key))
path, mode = sys.argv[1], sys.argv[2]
fast = False
if mode == "pewlike":
    import pewlike.io.files  # import cost is not part of the read
    from pewlike.io import fastread
    fast = fastread.available()
    if fast:
        import polars_readstat
base = status("VmRSS:")
t = time.perf_counter()
if mode == "bare":
    df, meta = pyreadstat.read_sav(path)
else:
    import pewlike as pw
    df = pw.read(path, weights=None).data
elapsed = time.perf_counter() - t
peak = (status("VmHWM:") - base) * 1024
print(json.dumps({"seconds": elapsed, "peak_bytes": peak, "frame_bytes": int(df.memory_usage(deep=True).sum()),
                  "fast": fast}))
"""


def make_file(path: Path, n: int = 1_000_000, seed: int = 1) -> None:
    """A Pew-like file: id, weight, 88 labelled items (2-5 options + 99 Refused), 10 numerics."""
    import numpy as np
    import pandas as pd
    import pyreadstat

    rng = np.random.default_rng(seed)
    cols = {"QKEY": np.arange(n, dtype=float), "WEIGHT_W1": rng.uniform(0.2, 3, n)}
    labels = {}
    for j in range(88):
        k = int(rng.integers(2, 6))
        v = rng.integers(1, k + 1, n).astype(float)
        v[rng.random(n) < 0.02] = 99
        cols[f"Q{j + 1}_W1"] = v
        labels[f"Q{j + 1}_W1"] = {**{i: f"Option {i}" for i in range(1, k + 1)}, 99: "Refused"}
    for j in range(10):
        cols[f"X{j}"] = rng.normal(size=n)
    tmp = path.with_suffix(".tmp.sav")
    pyreadstat.write_sav(pd.DataFrame(cols), str(tmp), variable_value_labels=labels, row_compress=True)
    os.replace(tmp, path)


def _child(path: Path, mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), mode], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(echo, repeat: int = 2, cache: str | None = None) -> dict:
    """Time and measure both readers; returns the figures."""
    folder = Path(cache or os.environ.get("PEWLIKE_BENCH_CACHE", Path(tempfile.gettempdir()) / "pewlike-bench"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "read_1m_x_100.sav"
    echo("\n== read: 1,000,000 rows x 100 columns .sav ==")
    if not path.exists():
        echo("  writing the test file (once) ...")
        make_file(path)
    res = {}
    for mode in ("bare", "pewlike"):
        runs = [_child(path, mode) for _ in range(repeat)]
        res[mode] = {
            "seconds": min(r["seconds"] for r in runs),
            "peak_bytes": min(r["peak_bytes"] for r in runs),
            "frame_bytes": runs[0]["frame_bytes"],
        }
        echo(
            f"  {mode:<8} {res[mode]['seconds']:.2f} s, peak {res[mode]['peak_bytes'] / 2**20:.0f} MiB, "
            f"DataFrame {res[mode]['frame_bytes'] / 2**20:.0f} MiB"
        )
        if mode == "pewlike":
            res[mode]["fast"] = runs[0]["fast"]
    res["time_ratio"] = res["pewlike"]["seconds"] / res["bare"]["seconds"]
    res["peak_over_frame"] = res["pewlike"]["peak_bytes"] / res["pewlike"]["frame_bytes"]
    target = "0.4x, polars-readstat" if res["pewlike"]["fast"] else "1.3x, pyreadstat only; 0.4x with pewlike[fast]"
    echo(
        f"  pw.read / pyreadstat.read_sav time: {res['time_ratio']:.2f}x (target <= {target}); "
        f"peak / resulting DataFrame: {res['peak_over_frame']:.2f}x (target <= 2x)"
    )
    return res


if __name__ == "__main__":
    run(print)
