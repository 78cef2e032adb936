# Reference values from R `survey` for pewlike's weighted histograms and box plots
# (pewlike.estimation.breaks / distribution; tests/estimation/test_distribution_reference.py).
#
# Setup (Debian):  apt-get install -y r-cran-survey r-cran-jsonlite
# Run from the repository root:
#   Rscript tests/reference/distributions/make_distributions.R
#
# Reads R's example data as tests/reference/estimation/make_reference.R wrote them
# (apistrat.csv, apiclus1.csv, apiclus2.csv) and writes distributions.json beside this script:
#   * "pretty": pretty(c(lo, hi), n, min.n = 1) for generated ranges (the edges hist() uses);
#   * "hist": svyhist(~var, design) -- its breaks, density (share / width) and counts, and the
#     shares' SEs from svymean(~cut(var, breaks, right = TRUE, include.lowest = TRUE), design);
#     with a group, svyby(~cut(...), ~by, design, svymean) on the edges of the whole sample;
#   * "box": the quantiles 0, 0.25, 0.5, 0.75, 1 behind svyboxplot(var ~ by, design):
#     svyquantile(~var, design[cell, ], q, ci = TRUE, na.rm = TRUE) per group (svyby computes
#     the same cell by cell), with svyboxplot's whiskers max(q0, q1 - 1.5 IQR) and
#     min(q1, q3 + 1.5 IQR) and the points it draws beyond them (all.outliers = FALSE).
# Numbers are written with 17 significant digits; every record keeps its R call.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))
pdf(NULL)  # svyhist draws; nothing is kept

DATA <- file.path("tests", "reference", "estimation")
OUT <- file.path("tests", "reference", "distributions")

nums <- function(x) {
  x <- as.numeric(x)
  txt <- ifelse(is.finite(x), sprintf("%.17g", x), "null")
  structure(paste0("[", paste(txt, collapse = ", "), "]"), class = "json")
}
num1 <- function(x) if (is.finite(x)) structure(sprintf("%.17g", x), class = "json") else NA

designs <- list(
  strat = list(
    data = "apistrat.csv",
    pw = list(weights = "pw", strata = "stype", fpc = "fpc"),
    make = function(d) svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = d),
    call = "svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)"
  ),
  clus1 = list(
    data = "apiclus1.csv",
    pw = list(weights = "pw", psu = "dnum", fpc = "fpc"),
    make = function(d) svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = d),
    call = "svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)"
  ),
  clus2 = list(
    data = "apiclus2.csv",
    pw = list(weights = "pw", psu = list("dnum", "snum"), fpc = list("fpc1", "fpc2")),
    make = function(d) svydesign(id = ~dnum + snum, weights = ~pw, fpc = ~fpc1 + fpc2, data = d),
    call = "svydesign(id = ~dnum + snum, weights = ~pw, fpc = ~fpc1 + fpc2, data = apiclus2)"
  )
)
get_design <- function(key) {
  d <- read.csv(file.path(DATA, designs[[key]]$data))
  d$stype <- factor(d$stype)
  list(data = d, design = designs[[key]]$make(d))
}

# -- pretty -------------------------------------------------------------------------------------
set.seed(14)
pretty_recs <- list()
ranges <- list(c(0, 1), c(0, 0), c(5, 5), c(-3.2, 7.9), c(398, 893), c(1e-4, 3.7e-4), c(-1e6, -2),
               c(0.001, 1000), c(12, 13), c(-0.5, 0.5), c(1.5, 1.5000001), c(2, 97))
for (i in 1:40) {
  a <- signif(rnorm(1, 0, 10^sample(-3:5, 1)), 6)
  b <- a + signif(abs(rnorm(1, 0, 10^sample(-3:5, 1))), 6)
  ranges[[length(ranges) + 1]] <- c(a, b)
}
for (r in ranges) {
  for (n in c(1, 4, 9, 13)) {
    p <- pretty(r, n = n, min.n = 1)
    pretty_recs[[length(pretty_recs) + 1]] <- list(
      lo = num1(r[1]), hi = num1(r[2]), n = n, breaks = nums(p),
      r_call = sprintf("pretty(c(%.17g, %.17g), n = %d, min.n = 1)", r[1], r[2], n)
    )
  }
}

# -- svyhist ------------------------------------------------------------------------------------
hist_rec <- function(key, var, by = NULL) {
  g <- get_design(key)
  d <- g$data; des <- g$design
  x <- d[[var]]
  h <- svyhist(as.formula(paste0("~", var)), des)
  br <- h$breaks
  f <- as.formula(sprintf("~cut(%s, c(%s), right = TRUE, include.lowest = TRUE)", var,
                          paste(sprintf("%.17g", br), collapse = ", ")))
  rec <- list(design_key = key, data = designs[[key]]$data, design = designs[[key]]$pw, var = var,
              breaks = nums(br), r_design = designs[[key]]$call)
  if (is.null(by)) {
    m <- svymean(f, des, na.rm = TRUE)
    rec$density <- nums(h$density)
    rec$counts <- nums(h$counts)
    rec$estimate <- nums(coef(m))
    rec$std_error <- nums(SE(m))
    rec$r_call <- sprintf("svyhist(~%s, design); svymean(~cut(%s, breaks, right = TRUE, include.lowest = TRUE), design, na.rm = TRUE)", var, var)
  } else {
    b <- svyby(f, as.formula(paste0("~", by)), des, svymean, na.rm = TRUE)
    k <- length(br) - 1
    est <- as.matrix(b[, 1 + seq_len(k)]); se <- as.matrix(b[, 1 + k + seq_len(k)])  # a row a group
    rec$by <- by
    rec$groups <- as.character(b[[by]])
    rec$estimate <- nums(t(est))  # group by group, bins in order
    rec$std_error <- nums(t(se))
    rec$r_call <- sprintf("svyby(~cut(%s, breaks, right = TRUE, include.lowest = TRUE), ~%s, design, svymean, na.rm = TRUE) with breaks = svyhist(~%s, design)$breaks; estimates group by group", var, by, var)
  }
  rec
}

# -- svyboxplot ---------------------------------------------------------------------------------
box_rows <- function(des, var) {
  q <- c(0, 0.25, 0.5, 0.75, 1)
  s <- svyquantile(as.formula(paste0("~", var)), des, q, ci = TRUE, na.rm = TRUE)
  est <- coef(s); ci <- confint(s)
  iqr <- est[4] - est[2]
  low <- max(est[1], est[2] - 1.5 * iqr)
  hi <- min(est[5], est[4] + 1.5 * iqr)
  out <- c(if (est[5] != hi) est[5], if (est[1] != low) est[1])
  list(estimate = nums(est), ci_lower = nums(ci[, 1]), ci_upper = nums(ci[, 2]),
       std_error = nums(SE(s)), whiskers = nums(c(low, hi)), outliers = nums(out))
}
box_rec <- function(key, var, by = NULL) {
  g <- get_design(key)
  d <- g$data; des <- g$design
  rec <- list(design_key = key, data = designs[[key]]$data, design = designs[[key]]$pw, var = var,
              r_design = designs[[key]]$call)
  if (is.null(by)) {
    rec$groups <- list(c(list(group = NA), box_rows(des, var)))
    rec$r_call <- sprintf("svyquantile(~%s, design, c(0, 0.25, 0.5, 0.75, 1), ci = TRUE, na.rm = TRUE), as svyboxplot(%s ~ 1, design)", var, var)
  } else {
    rec$by <- by
    rec$groups <- lapply(levels(d[[by]]), function(lv) {
      c(list(group = lv), box_rows(des[!is.na(d[[by]]) & d[[by]] == lv, ], var))
    })
    rec$r_call <- sprintf("svyquantile(~%s, design[%s == level, ], c(0, 0.25, 0.5, 0.75, 1), ci = TRUE, na.rm = TRUE) per level, as svyboxplot(%s ~ %s, design)", var, by, var, by)
  }
  rec
}

out <- list(
  generated_by = "tests/reference/distributions/make_distributions.R",
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  pretty = pretty_recs,
  hist = list(hist_rec("strat", "api00"), hist_rec("clus1", "enroll"), hist_rec("clus2", "acs.46"),
              hist_rec("strat", "api00", by = "stype"), hist_rec("clus1", "api99", by = "stype")),
  box = list(box_rec("strat", "api00"), box_rec("strat", "api00", by = "stype"),
             box_rec("clus1", "enroll", by = "stype"), box_rec("clus2", "acs.46"))
)
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE, na = "null", json_verbatim = TRUE),
           file.path(OUT, "distributions.json"))
