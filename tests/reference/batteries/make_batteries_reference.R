# Reference values from R `survey` for pewlike's select-all batteries and item grids
# (pewlike.tables.selectall / grid; tests/tables/test_batteries_reference.py).
#
# Setup (Debian):  apt-get install -y r-cran-survey r-cran-jsonlite
# Run from the repository root (after python tests/reference/batteries/make_batteries.py):
#   Rscript tests/reference/batteries/make_batteries_reference.R
#
# For each CSV beside this script (codes 1 = Selected, 2 = Not selected, 9 = Refused, NA = not
# asked or left blank) it writes reference_batteries.json with
#   * "items": svymean(~ind, subset(design, asked), deff = "replace") of each item's indicator
#     ind = (item == 1, blank counted 0), asked = any item answered 1 or 2; intervals
#     svyciprop(~ind, ..., method = "logit"); "None of these" the same on its own item;
#   * "net_any": svymean(~I(q1 == 1 | q2 == 1 | ...)) on the same base (None left out);
#   * "count": svymean(~I(ind1 + ind2 + ...)) on the same base;
#   * "all": the items with base = everyone (not asked counted 0): svymean(~ind, design);
#   * "by": svyby(~ind, ~grp, subset(design, asked), svymean, covmat = TRUE) of each item and
#     svycontrast(., c(1, -1, 0...)) for groups 1 vs 2;
#   * "compare": svycontrast(svymean(~I(g1 %in% x) + I(g2 %in% x), subset(design, both valid)),
#     c(1, -1)) for each answer x of the grid scale and the nets 1:2 and 3:4.
# Numbers are written with 17 significant digits; every record keeps its R call.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
OUT <- file.path("tests", "reference", "batteries")
num1 <- function(x) if (is.finite(x)) structure(sprintf("%.17g", x), class = "json") else NA

shapes <- list(
  complex = list(
    file = "battery_complex.csv", items = paste0("q", 1:5), none = "qnone",
    make = function(d) svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = d),
    call = "svydesign(id = ~psu, strata = ~stratum, weights = ~w, nest = TRUE, data = d)"
  ),
  simple = list(
    file = "battery_simple.csv", items = paste0("q", 1:4), none = NULL,
    make = function(d) svydesign(id = ~1, weights = ~w, data = d),
    call = "svydesign(id = ~1, weights = ~w, data = d)"
  )
)

one <- function(fit, ci = NULL) {
  rec <- list(estimate = num1(coef(fit)[[1]]), std_error = num1(SE(fit)[[1]]))
  d <- deff(fit)
  if (!is.null(d)) rec$deff <- num1(d[[1]])
  if (!is.null(ci)) {
    rec$ci_lower <- num1(attr(ci, "ci")[[1]])
    rec$ci_upper <- num1(attr(ci, "ci")[[2]])
  }
  rec
}

out <- list()
for (key in names(shapes)) {
  sh <- shapes[[key]]
  d <- read.csv(file.path(OUT, sh$file))
  all_items <- c(sh$items, sh$none)
  answered <- sapply(all_items, function(v) !is.na(d[[v]]) & d[[v]] %in% c(1, 2))
  d$asked <- rowSums(answered) > 0
  for (v in all_items) d[[paste0("i_", v)]] <- as.numeric(!is.na(d[[v]]) & d[[v]] == 1)
  d$net_any <- as.numeric(rowSums(sapply(sh$items, function(v) d[[paste0("i_", v)]])) > 0)
  d$cnt <- rowSums(sapply(sh$items, function(v) d[[paste0("i_", v)]]))
  des <- sh$make(d)
  sub <- subset(des, asked)
  rec <- list(design = sh$call, n_base = sum(d$asked), items = list(), all = list(), by = list())
  for (v in all_items) {
    f <- as.formula(paste0("~i_", v))
    rec$items[[v]] <- c(
      list(call = sprintf("svymean(~I(%s == 1), subset(design, asked), deff = 'replace'); svyciprop(..., method = 'logit')", v)),
      one(svymean(f, sub, deff = "replace"), svyciprop(f, sub, method = "logit"))
    )
    rec$all[[v]] <- c(list(call = sprintf("svymean(~I(%s == 1), design) (not asked counted 0)", v)),
                      one(svymean(f, des, deff = "replace")))
    by <- svyby(f, ~grp, sub, svymean, covmat = TRUE)
    k <- length(coef(by))
    con <- svycontrast(by, c(1, -1, rep(0, k - 2)))
    rec$by[[v]] <- list(
      call = sprintf("svyby(~I(%s == 1), ~grp, subset(design, asked), svymean, covmat = TRUE); svycontrast(., c(1, -1, ...))", v),
      estimate = structure(paste0("[", paste(sprintf("%.17g", coef(by)), collapse = ", "), "]"), class = "json"),
      std_error = structure(paste0("[", paste(sprintf("%.17g", SE(by)), collapse = ", "), "]"), class = "json"),
      diff12 = num1(coef(con)[[1]]), diff12_se = num1(SE(con)[[1]])
    )
  }
  rec$net_any <- c(list(call = "svymean(~I(q1 == 1 | q2 == 1 | ...), subset(design, asked)); svyciprop(logit)"),
                   one(svymean(~net_any, sub, deff = "replace"), svyciprop(~net_any, sub, method = "logit")))
  rec$count <- c(list(call = "svymean(~I(i1 + i2 + ...), subset(design, asked), deff = 'replace')"),
                 one(svymean(~cnt, sub, deff = "replace")))
  both <- subset(des, g1 %in% 1:4 & g2 %in% 1:4)
  rec$compare <- list()
  for (x in list(1, 2, 3, 4, c(1, 2), c(3, 4))) {
    m <- svymean(~I(as.numeric(g1 %in% x)) + I(as.numeric(g2 %in% x)), both)
    con <- svycontrast(m, c(1, -1))
    rec$compare[[paste(x, collapse = "+")]] <- list(
      call = sprintf("svycontrast(svymean(~I(g1 %%in%% c(%s)) + I(g2 %%in%% c(%s)), subset(design, g1 %%in%% 1:4 & g2 %%in%% 1:4)), c(1, -1))",
                     paste(x, collapse = ","), paste(x, collapse = ",")),
      estimate_a = num1(coef(m)[[1]]), estimate_b = num1(coef(m)[[2]]),
      difference = num1(coef(con)[[1]]), std_error = num1(SE(con)[[1]]), degf = degf(des)
    )
  }
  out[[key]] <- rec
}
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE, json_verbatim = TRUE, na = "null"),
           file.path(OUT, "reference_batteries.json"))
