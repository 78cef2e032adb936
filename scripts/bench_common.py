"""Helpers shared by the benchmark scripts: timing, agreement, and running the peers.

R survey runs through ``Rscript -e``; the Python package svy in its own virtual
environment (``--svy-python`` or PEWLIKE_BENCH_SVY_PYTHON). Each peer script prints
one JSON object on its last line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def best_of(f, repeat: int = 3):
    """``(result, best wall time in seconds)`` of ``repeat`` calls of ``f``."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return out, min(times)


def rel_diff(a, b) -> float:
    """Largest relative difference between two arrays (NaN when the shapes differ)."""
    a = np.atleast_1d(np.asarray(a, dtype=float)).ravel()
    b = np.atleast_1d(np.asarray(b, dtype=float)).ravel()
    if a.shape != b.shape:
        return float("nan")
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def _run_json(cmd: list[str], label: str, timeout: int) -> dict | None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        tail = proc.stderr.strip()[-300:] if proc.stderr.strip() else f"exit {proc.returncode}"
        print(f"  {label} failed: {tail}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_r(script: str, *args: str, timeout: int = 7200) -> dict | None:
    """Run an R script (text) with arguments; None when Rscript is not installed or it fails."""
    if shutil.which("Rscript") is None:
        return None
    return _run_json(["Rscript", "-e", script, *map(str, args)], "R", timeout)


def svy_python(python: str | None = None) -> str | None:
    """The interpreter of the virtual environment where svy is installed, if any."""
    python = python or os.environ.get("PEWLIKE_BENCH_SVY_PYTHON")
    return python if python and Path(python).exists() else None


def run_svy(script: str, *args: str, python: str | None = None, timeout: int = 3600) -> dict | None:
    """Run a Python script (text) in svy's virtual environment; None when it is not available."""
    python = svy_python(python)
    if python is None:
        return None
    return _run_json([python, "-c", script, *map(str, args)], "svy", timeout)
