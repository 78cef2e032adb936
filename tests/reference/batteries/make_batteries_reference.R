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
#     c(1, -1)) for each answer x of the grid scale and the nets 1:2 and 3:4;
#   * "letters": svycontrast of each pair of groups of svyby(~ind, ~grpm, sub, svymean,
#     covmat = TRUE), sub = subset(design, asked & !is.na(grpm)); p = 2 * pt(-|t|, degf(sub))
#     (the crosstab's one df), p.adjust(method = "holm") within the item;
#   * "cov"/"cov_by": vcov(svymean(~i1 + ... + net_any + i_none, subset(design, asked))) and of
#     svyby(..., ~grp, covmat = TRUE);
#   * "grid_cov": vcov(svymean(~g1 + g2 + g3)) (factors 1-4) on those who answered all three;
#     "grid_cov_own": each item on its own base (delta method on joint totals, as svyratio).
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
  # letters between groups of grpm (grp with missing values): one df, that of the respondents
  # in the base who have a group, as a crosstab's (degf(subset(design, asked & !is.na(grpm))))
  subg <- subset(des, asked & !is.na(grpm))
  nu <- degf(subg)
  rec$letters <- list(degf = nu, degf_design = degf(des), items = list())
  for (v in c(all_items, "net_any")) {
    f <- if (v == "net_any") ~net_any else as.formula(paste0("~i_", v))
    by <- svyby(f, ~grpm, subg, svymean, covmat = TRUE)
    G <- length(coef(by))
    pr <- combn(G, 2)
    tests <- lapply(seq_len(ncol(pr)), function(j) {
      cc <- rep(0, G); cc[pr[1, j]] <- 1; cc[pr[2, j]] <- -1
      con <- svycontrast(by, cc)
      t <- coef(con)[[1]] / SE(con)[[1]]
      c(a = pr[1, j], b = pr[2, j], difference = coef(con)[[1]], std_error = SE(con)[[1]], p = 2 * pt(-abs(t), nu))
    })
    p <- sapply(tests, function(x) x[["p"]])
    vec <- function(x) structure(paste0("[", paste(sprintf("%.17g", x), collapse = ", "), "]"), class = "json")
    rec$letters$items[[v]] <- list(
      call = sprintf("svycontrast(svyby(~I(%s == 1), ~grpm, subset(design, asked & !is.na(grpm)), svymean, covmat = TRUE), pair); p = 2 * pt(-|t|, degf(subset(...))); p.adjust('holm')", v),
      a = vec(sapply(tests, function(x) x[["a"]])), b = vec(sapply(tests, function(x) x[["b"]])),
      difference = vec(sapply(tests, function(x) x[["difference"]])),
      std_error = vec(sapply(tests, function(x) x[["std_error"]])),
      p_value = vec(p), p_adjusted = vec(p.adjust(p, "holm"))
    )
  }
  # the joint covariance of the shares: items as asked, NET Any, then None of these
  jf <- as.formula(paste("~", paste(c(paste0("i_", sh$items), "net_any", if (!is.null(sh$none)) paste0("i_", sh$none)), collapse = " + ")))
  rec$cov <- list(call = sprintf("vcov(svymean(%s, subset(design, asked)))", deparse(jf)),
                  vcov = structure(toJSON(unname(as.matrix(vcov(svymean(jf, sub)))), digits = I(17)), class = "json"))
  byc <- svyby(jf, ~grp, sub, svymean, covmat = TRUE)
  rec$cov_by <- list(call = sprintf("vcov(svyby(%s, ~grp, subset(design, asked), svymean, covmat = TRUE))", deparse(jf)),
                     vcov = structure(toJSON(unname(as.matrix(vcov(byc))), digits = I(17)), class = "json"))
  # grid: svymean(~g1 + g2 + g3) as factors on the respondents who answered all three
  for (g in c("g1", "g2", "g3")) d[[paste0(g, "f")]] <- factor(ifelse(d[[g]] %in% 1:4, d[[g]], NA), levels = 1:4)
  des <- sh$make(d)
  allv <- subset(des, g1 %in% 1:4 & g2 %in% 1:4 & g3 %in% 1:4)
  rec$grid_cov <- list(call = "vcov(svymean(~g1f + g2f + g3f, subset(design, g1 %in% 1:4 & g2 %in% 1:4 & g3 %in% 1:4)))",
                       vcov = structure(toJSON(unname(as.matrix(vcov(svymean(~g1f + g2f + g3f, allv)))), digits = I(17)), class = "json"))
  # each item on its own base: ratios n_gx / v_g of joint totals (delta method, as svyratio)
  for (g in c("g1", "g2", "g3")) {
    d[[paste0("v_", g)]] <- as.numeric(d[[g]] %in% 1:4)
    for (x in 1:4) d[[paste0("n_", g, "_", x)]] <- as.numeric(d[[g]] %in% x)
  }
  des <- sh$make(d)
  nums <- unlist(lapply(c("g1", "g2", "g3"), function(g) paste0("n_", g, "_", 1:4)))
  tot <- svytotal(as.formula(paste("~", paste(c(nums, paste0("v_", c("g1", "g2", "g3"))), collapse = " + "))), des)
  exprs <- lapply(nums, function(n) parse(text = sprintf("%s / v_%s", n, strsplit(n, "_")[[1]][2]))[[1]])
  names(exprs) <- nums
  rat <- svycontrast(tot, exprs)
  rec$grid_cov_own <- list(call = "svycontrast(svytotal(~n_g1_1 + ... + v_g1 + v_g2 + v_g3, design), list(n_g1_1 / v_g1, ...)): each item on its own base",
                           estimate = structure(toJSON(unname(coef(rat)), digits = I(17)), class = "json"),
                           vcov = structure(toJSON(unname(as.matrix(vcov(rat))), digits = I(17)), class = "json"))
  out[[key]] <- rec
}
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE, json_verbatim = TRUE, na = "null"),
           file.path(OUT, "reference_batteries.json"))
