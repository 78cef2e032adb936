# Reference values from R for pewlike's own Student t quantile (pewlike/tdist.py;
# tests/test_tdist.py). pewlike computes qt() without scipy so that a first interval does
# not wait for scipy.special to import; these are R's numbers to compare it with.
#
# Run from the repository root:
#   Rscript tests/reference/quantiles/make_qt.R
#
# Writes qt.json beside this script: qt(p, df) on a grid of probabilities (including values
# next to 1/2, where the quantile is tiny, and far tails) and degrees of freedom from 0.3 to
# 1e12 (survey designs use df = PSUs - strata, from 1 to millions). Numbers are written with
# 17 significant digits.

p <- c(1e-12, 1e-6, 5e-4, 1e-3, 0.005, 0.025, 0.05, 0.1, 0.25, 0.4, 0.49, 0.4999999,
       0.499999999999999, 0.5000001, 0.6, 0.75, 0.9, 0.95, 0.975, 0.995, 0.9995, 1 - 1e-12)
df <- c(0.3, 0.5, 1, 1.5, 2, 2.5, 3, 3.7, 4, 5, 7, 10, 19, 29, 30, 99, 100, 999, 1000,
        2000, 5000, 9999, 10000, 1e5, 4271, 1e6, 9.99e6, 1e7, 1e8, 1e12)
grid <- expand.grid(p = p, df = df)
grid$qt <- qt(grid$p, grid$df)
fmt <- function(x) sprintf("%.17g", x)
rows <- sprintf('    {"p": %s, "df": %s, "qt": %s}', fmt(grid$p), fmt(grid$df), fmt(grid$qt))
out <- file.path("tests", "reference", "quantiles", "qt.json")
writeLines(c("{", sprintf('  "R": "%s",', R.version.string), '  "call": "qt(p, df)",',
             '  "values": [', paste(rows, collapse = ",\n"), "  ]", "}"), out)
