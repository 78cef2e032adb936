"""Evaluation (issue #15): polars-readstat and pyreadstat's multiprocessing reader on the 1M x 100 .sav.

    /path/to/venv-with-polars-readstat/bin/python scripts/bench_read_polars.py [FILE]

Runs each reader in a fresh process on the file ``bench_read.py`` writes (default
``$TMPDIR/pewlike-bench/read_1m_x_100.sav``) and prints seconds, peak resident memory above
the post-import size, and the machine's load.  Modes: ``bare`` (one-process
``pyreadstat.read_sav``, the yardstick), ``mp2`` (``pyreadstat.read_file_multiprocessing``, 2
processes), ``polars`` (``polars_readstat.read_readstat``, order preserved), ``polars+pandas``
(the same, converted to a pandas DataFrame, plus pyreadstat's metadata-only read, which is
what pewlike would need).  Not a test; pewlike does not depend on polars-readstat.
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
import pyreadstat
def status(key):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(key))
path, mode = sys.argv[1], sys.argv[2]
if mode.startswith("polars"):
    import polars_readstat, polars, pyarrow
import pandas
base = status("VmRSS:")
t = time.perf_counter()
if mode == "bare":
    df, meta = pyreadstat.read_sav(path, user_missing=True, apply_value_formats=False)
    nbytes = int(df.memory_usage(deep=True).sum())
elif mode == "mp2":
    df, meta = pyreadstat.read_file_multiprocessing(pyreadstat.read_sav, path, num_processes=2, user_missing=True)
    nbytes = int(df.memory_usage(deep=True).sum())
else:
    pl = polars_readstat.read_readstat(path, preserve_order=True)
    nbytes = int(pl.estimated_size())
    if mode == "polars+pandas":
        _, meta = pyreadstat.read_sav(path, metadataonly=True, user_missing=True)
        df = pl.to_pandas()
        nbytes = int(df.memory_usage(deep=True).sum())
elapsed = time.perf_counter() - t
print(json.dumps({"seconds": elapsed, "peak_bytes": (status("VmHWM:") - base) * 1024, "frame_bytes": nbytes}))
"""


def main() -> None:
    default = Path(tempfile.gettempdir()) / "pewlike-bench" / "read_1m_x_100.sav"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    for mode in ("bare", "mp2", "polars", "polars+pandas"):
        out = subprocess.run([sys.executable, "-c", CHILD, str(path), mode], capture_output=True, text=True)
        one, five, _ = os.getloadavg()
        if out.returncode:
            print(f"{mode:<14} failed: {out.stderr.strip().splitlines()[-1:]}", flush=True)
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{mode:<14} {r['seconds']:7.2f} s  peak {r['peak_bytes'] / 2**20:6.0f} MiB  "
            f"frame {r['frame_bytes'] / 2**20:6.0f} MiB  (load {one:.1f} {five:.1f})",
            flush=True,
        )


if __name__ == "__main__":
    main()
