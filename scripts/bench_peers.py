"""Run the estimation benchmark tasks in R survey and in the Python package svy (subprocesses).

Each peer reads the same CSV/Parquet written by ``bench.py`` and prints one JSON
object: ``{"times": {task: seconds}, "values": {task: [[estimates...], [ses...]]}}``.
"""

from __future__ import annotations

from pathlib import Path

import bench_common as common
from bench_data import DEMOGRAPHICS

TASKS = ("mean", "total", "proportion", "domains", "replicate_domains", "chisq")

R_SCRIPT = r"""
suppressMessages({library(survey); library(data.table); library(jsonlite)})
args <- commandArgs(TRUE)
d <- as.data.frame(fread(args[1]))
dems <- strsplit(args[2], ",")[[1]]
for (v in c(dems, "Q1")) d[[v]] <- factor(d[[v]])
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, data = d)
rep <- svrepdesign(data = d, repweights = "^rep[0-9]+$", type = "JK1", weights = ~weight,
                   combined.weights = TRUE, scale = 79/80)
tm <- list(); val <- list()
best <- function(expr) { t <- c(); for (i in 1:2) t <- c(t, system.time(r <- eval.parent(substitute(expr)))[["elapsed"]]); list(r, min(t)) }
x <- best(svymean(~y, des)); tm$mean <- x[[2]]; val$mean <- list(unname(coef(x[[1]])), unname(SE(x[[1]])))
x <- best(svytotal(~y, des)); tm$total <- x[[2]]; val$total <- list(unname(coef(x[[1]])), unname(SE(x[[1]])))
x <- best(svymean(~Q1, des)); tm$proportion <- x[[2]]; val$proportion <- list(unname(coef(x[[1]])), unname(SE(x[[1]])))
dom <- function(design) lapply(dems, function(v) svyby(~Q1, as.formula(paste0("~", v)), design, svymean))
flat <- function(rs) {
  L <- nlevels(d$Q1)
  list(unlist(lapply(rs, function(r) as.vector(t(as.matrix(r[, 2:(L + 1)]))))),
       unlist(lapply(rs, function(r) as.vector(t(as.matrix(r[, (L + 2):(2 * L + 1)]))))))
}
x <- best(dom(des)); tm$domains <- x[[2]]; val$domains <- flat(x[[1]])
t1 <- system.time(r <- dom(rep))[["elapsed"]]; tm$replicate_domains <- t1; val$replicate_domains <- flat(r)
x <- best(svychisq(~Q1 + PARTY, des)); tm$chisq <- x[[2]]
val$chisq <- list(unname(x[[1]]$statistic), unname(x[[1]]$p.value))
cat(toJSON(list(times = tm, values = val, version = as.character(packageVersion("survey"))), auto_unbox = TRUE, digits = NA))
"""

SVY_SCRIPT = r"""
import json, sys, time
import numpy as np
import polars as pl
import svy
from svy.core.repwgts import JackknifeWgts

path, dems = sys.argv[1], sys.argv[2].split(",")
d = pl.read_parquet(path)
d = d.with_columns([pl.col(c).cast(pl.Utf8) for c in dems + ["Q1"]])
smp = svy.Sample(data=d, design=svy.Design(stratum="stratum", psu="psu", wgt="weight"))
rep = svy.Sample(data=d, design=svy.Design(wgt="weight", rep_wgts=JackknifeWgts(prefix="rep", n_reps=80, kind="jk1")))
times = {}
def best(f, k=2):
    out, t = None, []
    for _ in range(k):
        t0 = time.perf_counter(); out = f(); t.append(time.perf_counter() - t0)
    return out, min(t)
_, times["mean"] = best(lambda: smp.estimation.mean("y"))
_, times["total"] = best(lambda: smp.estimation.total("y"))
_, times["proportion"] = best(lambda: smp.estimation.prop("Q1"))
_, times["domains"] = best(lambda: [smp.estimation.prop("Q1", by=v) for v in dems])
_, times["replicate_domains"] = best(lambda: [rep.estimation.prop("Q1", by=v, method="replication") for v in dems], k=1)
_, times["chisq"] = best(lambda: smp.categorical.tabulate("Q1", "PARTY"))
print(json.dumps({"times": times, "version": svy.__version__}))
"""


def run_r(csv: Path, timeout: int = 3600) -> dict | None:
    """Run the tasks in R survey; None when Rscript (or data.table/jsonlite) is missing."""
    return common.run_r(R_SCRIPT, csv, ",".join(DEMOGRAPHICS), timeout=timeout)


def run_svy(parquet: Path, python: str | None, timeout: int = 3600) -> dict | None:
    """Run the tasks in svy (in its own virtual environment); None when not available."""
    return common.run_svy(SVY_SCRIPT, parquet, ",".join(DEMOGRAPHICS), python=python, timeout=timeout)
