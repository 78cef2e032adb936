"""Report timing for ``scripts/bench.py``: `pewlike --help` start-up and the full demo report.

    python scripts/bench_report.py          # or: python scripts/bench.py --only report

Targets (issue #6): `pewlike --help` under 0.3 s; the whole demo report under 10 s. Both are
measured as users run them, in fresh processes (wall clock, best of several runs); the two
report builds are also compared byte for byte. Issue #15 adds the waits of a user who edits
a report: an unchanged rebuild (cache warm), and ``pewlike report spec.toml`` after changing
one crosstab of the demo spec written to a file (built once before, so the cache holds its
items), three times with a new ``min_n`` each (median). pewlike's bytecode is written first and
``PYTHONDONTWRITEBYTECODE`` is not passed on, as for an installed package. Not a test.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELP_LIMIT = 0.3
REPORT_LIMIT = 10.0


def _command() -> list[str]:
    script = Path(sys.executable).with_name("pewlike")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pewlike.cli"]


def _env() -> dict[str, str]:
    """This process's environment, letting Python write bytecode as an installed package has it.

    With ``PYTHONDONTWRITEBYTECODE`` set (some CI images set it) every run would compile
    pewlike's ~100 modules from source again (0.2 s a process), which no user's install does.
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _compile_pewlike() -> None:
    """Write pewlike's bytecode, as ``pip install`` does (an editable checkout may have none yet)."""
    import importlib.util

    spec = importlib.util.find_spec("pewlike")  # finds the package without importing it
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            subprocess.run([sys.executable, "-m", "compileall", "-q", folder], check=True, env=_env())


def _timed(cmd, cwd=None) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=_env())
    took = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-400:]}")
    return took


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _spec_with_one_crosstab_changed(folder: Path) -> tuple[Path, str]:
    """The demo spec in ``folder/spec.toml``, and its text with the first crosstab's ``min_n`` changed."""
    from pewlike.report.demo import DEMO_SPEC

    first = '[[crosstab]]\nvar = "CONCERNCO"\nsection = "concern"\n'
    changed = DEMO_SPEC.replace(first, first + "min_n = 101\n", 1)
    if changed == DEMO_SPEC:
        raise RuntimeError("the demo spec's first crosstab is not where bench_report.py expects it")
    spec = folder / "spec.toml"
    spec.write_text(DEMO_SPEC, encoding="utf-8")
    return spec, changed


def run(echo=print) -> dict:
    """Time `pewlike --help` and `pewlike report`; return the numbers (seconds) for bench.json."""
    cmd = _command()
    _compile_pewlike()
    help_times = [_timed([*cmd, "--help"]) for _ in range(5)]
    echo(f"pewlike --help             {min(help_times):6.3f} s (best of 5; target < {HELP_LIMIT} s)")
    out: dict = {
        "help_seconds": min(help_times),
        "help_limit": HELP_LIMIT,
        "report_limit": REPORT_LIMIT,
        "cpus": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory(prefix="pewlike-bench-report-") as tmp:
        digests, times = [], {}
        os.environ["PEWLIKE_CACHE_DIR"] = str(Path(tmp) / "cache")  # an empty cache: the first build is cold
        for label, extra in (
            ("report_seconds", []),
            ("report_seconds_again", []),
            ("report_seconds_no_cache", ["--no-cache"]),
            ("report_seconds_jobs1", ["--jobs", "1", "--no-cache"]),
        ):
            target = Path(tmp) / label
            times[label] = _timed([*cmd, "report", "--quiet", "--out", str(target), *extra])
            digests.append(_digest(target))
            files = sum(1 for p in target.rglob("*") if p.is_file())
            echo(
                f"pewlike report {' '.join(extra) or '(default)':<11} {times[label]:6.2f} s, {files} files "
                f"(target < {REPORT_LIMIT} s)"
            )
            shutil.rmtree(target)
        # as a user: build their spec, change one crosstab in it, build again (the command, cache warm);
        # three times, each with a value of min_n not built before, so each rebuild computes that crosstab
        # and draws its figure again
        spec, changed = _spec_with_one_crosstab_changed(Path(tmp))
        _timed([*cmd, "report", str(spec), "--quiet", "--out", str(Path(tmp) / "c")])
        runs = []
        for min_n in (101, 102, 103):
            spec.write_text(changed.replace("min_n = 101", f"min_n = {min_n}"), encoding="utf-8")
            runs.append(_timed([*cmd, "report", str(spec), "--quiet", "--out", str(Path(tmp) / "c")]))
        times["report_seconds_one_crosstab_changed"] = sorted(runs)[1]
        out["report_seconds_one_crosstab_changed_runs"] = runs
        echo(
            f"pewlike report, one crosstab changed (min_n), cache warm: "
            f"{sorted(runs)[1]:6.2f} s median of 3 ({', '.join(f'{t:.2f}' for t in runs)})"
        )
        out["load"] = os.getloadavg()
        echo(f"load average {out['load'][0]:.2f} {out['load'][1]:.2f}")
        out.update(times)
        out["report_best"] = min(v for k, v in times.items() if k in ("report_seconds", "report_seconds_no_cache"))
        out["byte_identical"] = len(set(digests)) == 1
        echo(f"four builds (cold, cached, --no-cache, --jobs 1) byte-identical: {out['byte_identical']}")
    return out


if __name__ == "__main__":
    res = run()
    ok = res["help_seconds"] < HELP_LIMIT and res["report_best"] < REPORT_LIMIT and res["byte_identical"]
    sys.exit(0 if ok else 1)
