"""Model benchmark: pewlike's logit and ordinal logit against R survey's svyglm and svyolr.

    python scripts/bench_models.py                    # 1,000,000 rows
    python scripts/bench_models.py --rows 100000 1000000 --skip-r

The benchmark sample (``bench_data.generate``: 50 strata, 1,000 PSUs, unequal weights, six
categorical demographics) with the design ``strata = stratum, psu = psu, weights = weight``:

* logit  ``Q1 in ['1', '2'] ~ AGE + SEX + EDUC + RACE + INCOME + PARTY``
  (R: ``svyglm(I(Q1 %in% 1:2) ~ ..., design, family = quasibinomial())``);
* ordinal logit ``Q1 ~ AGE + SEX + EDUC + RACE + INCOME + PARTY`` (R: ``svyolr``).

R runs in the same run through Rscript (its default settings; svyolr once, it is slow),
and the coefficients and standard errors are compared.  The Python package svy has a GLM
but no ordinal model; it is run when ``PEWLIKE_BENCH_SVY_PYTHON`` (or ``--svy-python``) names
a python with svy installed.  pewlike times are the best of three and cover the model call
only (formula, fit, variance), not reading the data or building the design.
``run(n_rows, echo)`` is what ``scripts/bench.py`` calls.  Not a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_common as common
from bench_data import DEMOGRAPHICS, as_categorical, generate

RHS = " + ".join(DEMOGRAPHICS)
LOGIT = f"Q1 in ['1', '2'] ~ {RHS}"
OLOGIT = f"Q1 ~ {RHS}"

R_SCRIPT = r"""
suppressMessages({library(survey); library(data.table); library(jsonlite)})
args <- commandArgs(TRUE)
d <- as.data.frame(fread(args[1]))
for (v in strsplit(args[2], ",")[[1]]) d[[v]] <- factor(d[[v]])
d$Q1 <- factor(d$Q1)
rhs <- args[3]
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~weight, data = d)
t_glm <- system.time(g <- svyglm(as.formula(paste("I(Q1 %in% c('1', '2')) ~", rhs)), des,
                                 family = quasibinomial()))[["elapsed"]]
t_olr <- system.time(o <- svyolr(as.formula(paste("Q1 ~", rhs)), des))[["elapsed"]]
cat(toJSON(list(glm = t_glm, olr = t_olr, version = as.character(packageVersion("survey")),
                glm_coef = unname(coef(g)), glm_se = unname(sqrt(diag(vcov(g)))),
                olr_coef = unname(c(o$coefficients, o$zeta)), olr_se = unname(sqrt(diag(vcov(o))))),
           auto_unbox = TRUE, digits = NA))
"""

# svy is not installed where this script was written: this call follows svy's GLM interface
# as far as its documentation shows and is unverified; a failure is reported, not fatal.
SVY_SCRIPT = r"""
import json, sys, time
import polars as pl
import svy

path, dems = sys.argv[1], sys.argv[2].split(",")
d = pl.read_parquet(path).with_columns([pl.col(c).cast(pl.Utf8) for c in dems])
d = d.with_columns((pl.col("Q1") <= 2).cast(pl.Int64).alias("concerned"))
smp = svy.Sample(data=d, design=svy.Design(stratum="stratum", psu="psu", wgt="weight"))
times = []
for k in range(3):
    t0 = time.perf_counter()
    smp.glm.fit(y="concerned", x=[svy.Cat(v) for v in dems], family="binomial")
    times.append(time.perf_counter() - t0)
print(json.dumps({"time": min(times), "version": svy.__version__}))
"""


def _in_se(fit, coef) -> float:
    return float(np.max(np.abs(fit.params.to_numpy() - np.asarray(coef, dtype=float)) / fit.std_errors.to_numpy()))


def run_r(csv: Path) -> dict | None:
    return common.run_r(R_SCRIPT, csv, ",".join(DEMOGRAPHICS), RHS)


def run_svy(parquet: Path, python: str | None) -> dict | None:
    return common.run_svy(SVY_SCRIPT, parquet, ",".join(DEMOGRAPHICS), python=python)


def run(n_rows: int, echo, *, skip_r: bool = False, skip_svy: bool = False, svy_python: str | None = None) -> dict:
    """Fit the logit and the ordinal logit on ``n_rows`` rows; print and return the results."""
    import pewlike as pw

    echo(f"  models on {n_rows:,} rows (50 strata, 1,000 PSUs, 6 categorical demographics)")
    raw = generate(n_rows, replicates=False)
    frame = as_categorical(raw)
    svy = pw.Survey(frame, weights="weight", strata="stratum", psu="psu")
    logit, t_logit = common.best_of(lambda: svy.logit(LOGIT))
    ologit, t_ologit = common.best_of(lambda: svy.ologit(OLOGIT))
    _margins, t_margins = common.best_of(lambda: logit.marginal_effects("AGE"))
    out = {"rows": n_rows, "logit": t_logit, "ologit": t_ologit, "logit_margins": t_margins}
    echo(f"  pewlike   logit {t_logit:7.3f} s   ologit {t_ologit:7.3f} s   marginal effects of AGE {t_margins:7.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not skip_r:
            cols = ["stratum", "psu", "weight", "Q1", *DEMOGRAPHICS]
            raw[cols].to_csv(tmp / "models.csv", index=False)
            r = run_r(tmp / "models.csv")
            if r is not None:
                # coefficients: largest difference in standard errors (several are ~0 here, and
                # svyolr stops optim at reltol 1.5e-8); SEs: largest relative difference
                agree = {
                    "logit_coef_in_se": _in_se(logit, r["glm_coef"]),
                    "logit_se": common.rel_diff(logit.std_errors, r["glm_se"]),
                    "ologit_coef_in_se": _in_se(ologit, r["olr_coef"]),
                    "ologit_se": common.rel_diff(ologit.std_errors, r["olr_se"]),
                }
                out.update(R_glm=r["glm"], R_olr=r["olr"], R_version=r["version"], R_agreement=agree)
                echo(
                    f"  R survey  svyglm {r['glm']:7.2f} s ({r['glm'] / t_logit:.0f}x pewlike)   "
                    f"svyolr {r['olr']:7.2f} s ({r['olr'] / t_ologit:.0f}x pewlike)"
                )
                echo(
                    "  agreement with R (max relative difference): "
                    + ", ".join(f"{k} {v:.1e}" for k, v in agree.items())
                )
        if not skip_svy:
            frame_raw = raw[["stratum", "psu", "weight", "Q1", *DEMOGRAPHICS]]
            try:
                frame_raw.to_parquet(tmp / "models.parquet")
                s = run_svy(tmp / "models.parquet", svy_python)
            except ImportError:
                s = None
            if s is not None:
                out.update(svy_glm=s["time"], svy_version=s["version"])
                echo(
                    f"  svy       glm {s['time']:7.3f} s ({s['time'] / t_logit:.1f}x pewlike; svy has no ordinal model)"
                )
            else:
                echo("  svy       not run (set PEWLIKE_BENCH_SVY_PYTHON to a python with svy)")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--skip-r", action="store_true")
    ap.add_argument("--skip-svy", action="store_true")
    ap.add_argument("--svy-python", default=None)
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    results = {
        n: run(
            n, lambda m="": print(m, flush=True), skip_r=args.skip_r, skip_svy=args.skip_svy, svy_python=args.svy_python
        )
        for n in args.rows
    }
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
