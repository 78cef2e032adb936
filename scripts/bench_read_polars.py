"""Reading a 1M x 100 .sav (issue #15): pewlike's polars-readstat path against pyreadstat.

    /path/to/venv-with-pewlike[fast]/bin/python scripts/bench_read_polars.py [FILE] [--missing] [--repeat N]

Runs each reader in a fresh process on the file ``bench_read.py`` writes (default
``$TMPDIR/pewlike-bench/read_1m_x_100.sav``; ``--missing`` writes and reads a copy whose 88
items declare 99 "Refused" as SPSS user-missing, so the user-missing codes must be restored)
and prints the best time in seconds, peak resident memory above the post-import size (least
of the runs; peak/frame shows every run's range), the size of the frame the mode returns, and
the 1/5-minute load average after each run. Modes:

- ``bare``: one-process ``pyreadstat.read_sav(user_missing=True, apply_value_formats=False)``, the yardstick;
- ``mp2``: ``pyreadstat.read_file_multiprocessing`` with 2 processes;
- ``polars``: ``polars_readstat.read_readstat`` (raw polars frame, order preserved);
- ``polars+pandas``: the same with ``to_pandas()`` and pyreadstat's metadata-only read (the
  earlier evaluation: user-missing codes are nulls there, so the data are not pyreadstat's);
- ``pewlike-pyreadstat``: ``pewlike.io.files.read_file`` with polars-readstat switched off
  (pyreadstat in row chunks);
- ``pewlike-fast``: ``read_file`` as installed with ``pewlike[fast]``: polars-readstat in row
  batches, user-missing codes restored, pyreadstat metadata, the same Categoricals and codebook.

Findings with polars-readstat 0.25 against ``pyreadstat.read_sav(user_missing=True,
apply_value_formats=False)`` (tests/io/test_fastread.py checks each): plain numbers equal to the
bit, system-missing as null (NaN), text equal (trailing blanks trimmed alike, long and non-ASCII
strings), column and row order kept with ``preserve_order=True``. Different: SPSS user-missing
values become nulls (their codes only through ``informative_nulls``, which decodes the chosen
columns whole before the first batch, about 24 bytes a row each; a declared blank string gets
no indicator), date-times are cut to whole seconds, dates come as a Date type. pewlike reads
those with pyreadstat (``pewlike/io/fastread.py``).

Not a test.
"""

from __future__ import annotations

import argparse
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
if mode.startswith("pewlike"):
    from pewlike.io import fastread, files
    import polars_readstat, polars
    if mode == "pewlike-pyreadstat":
        fastread.available = lambda: False
import pandas
base = status("VmRSS:")
t = time.perf_counter()
if mode == "bare":
    df, meta = pyreadstat.read_sav(path, user_missing=True, apply_value_formats=False)
    nbytes = int(df.memory_usage(deep=True).sum())
elif mode == "mp2":
    df, meta = pyreadstat.read_file_multiprocessing(pyreadstat.read_sav, path, num_processes=2, user_missing=True)
    nbytes = int(df.memory_usage(deep=True).sum())
elif mode.startswith("pewlike"):
    df, codebook = files.read_file(path)
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

MODES = ("bare", "mp2", "polars", "polars+pandas", "pewlike-pyreadstat", "pewlike-fast")


def with_user_missing(src: Path, dest: Path) -> None:
    """A copy of ``src`` whose labelled items declare 99 as SPSS user-missing."""
    import pyreadstat

    df, meta = pyreadstat.read_sav(str(src), user_missing=True)
    labels = meta.variable_value_labels
    tmp = dest.with_suffix(".tmp.sav")
    pyreadstat.write_sav(
        df,
        str(tmp),
        variable_value_labels=labels,
        missing_ranges={name: [99] for name in labels},
        row_compress=True,
    )
    os.replace(tmp, dest)


def main() -> None:
    default = Path(tempfile.gettempdir()) / "pewlike-bench" / "read_1m_x_100.sav"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", type=Path, default=default)
    ap.add_argument("--missing", action="store_true", help="read a copy with 99 declared user-missing")
    ap.add_argument("--repeat", type=int, default=1, help="runs per mode (best time and peak reported)")
    ap.add_argument("--modes", default=",".join(MODES))
    args = ap.parse_args()
    path = args.file
    if not path.exists():
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_read import make_file

        path.parent.mkdir(parents=True, exist_ok=True)
        make_file(path)
    if args.missing:
        src, path = path, path.with_name(path.stem + "_user_missing.sav")
        if not path.exists():
            with_user_missing(src, path)
    print(f"{path}")
    for mode in args.modes.split(","):
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, "-c", CHILD, str(path), mode], capture_output=True, text=True)
            one, five, _ = os.getloadavg()
            if out.returncode:
                print(f"{mode:<19} failed: {out.stderr.strip().splitlines()[-1:]}", flush=True)
                break
            runs.append((json.loads(out.stdout.strip().splitlines()[-1]), one, five))
        if not runs:
            continue
        r = min(runs, key=lambda x: x[0]["seconds"])[0]
        peaks = sorted(x[0]["peak_bytes"] / r["frame_bytes"] for x in runs)
        loads = ", ".join(f"{one:.1f}/{five:.1f}" for _, one, five in runs)
        spread = f"{peaks[0]:.2f}" + (f"-{peaks[-1]:.2f}" if len(peaks) > 1 else "")
        print(
            f"{mode:<19} {r['seconds']:7.2f} s  peak {peaks[0] * r['frame_bytes'] / 2**20:6.0f} MiB  "
            f"frame {r['frame_bytes'] / 2**20:6.0f} MiB  peak/frame {spread}  (load {loads})",
            flush=True,
        )


if __name__ == "__main__":
    main()
