# Reference values from R `survey` for pewlike's Pew-style tables (nets, letters, margins of error).
#
# Setup (Debian):  apt-get install -y r-cran-survey r-cran-haven r-cran-jsonlite
# Run from the repository root (every path below is relative to it), after
# tests/reference/estimation/make_reference.R (this script reads its apiclus1.csv):
#   Rscript tests/reference/tables/make_tables_reference.R
# Writes tests/reference/tables/reference_tables.json (beside this script); every record keeps
# the R call beside its values, and its "data" ("demo" or a CSV path relative to this folder).
#
# What is checked, and how R computes it:
#   * net: the share giving any of several answers, svyciprop(~I(x %in% members), method = "logit")
#     for the interval and svymean(~I(...), deff = "replace") for SE and design effect; base "valid"
#     drops Refused (NA), base "all" keeps it as an answer;
#   * crosstab: one degrees of freedom for a whole crosstab (Rao-Scott ddf, letters, intervals):
#     nu = degf(sub) with sub = subset(design, !is.na(var) & !is.na(by)), the respondents who
#     answered both questions (the designs here are not calibrated, so subset() drops the other
#     rows and svychisq(~var + by, sub) counts nu over the same PSUs: its ddf is ndf * nu).  Cells
#     are svyby(~I(var == level), ~by, sub, svymean, covmat = TRUE); intervals
#     svyby(~I(var == level), ~by, sub, svyciprop, method = "logit", df = nu), and for "beta" the
#     Korn-Graubard formula of svyciprop written out with nu (its beta method ignores df=); letters
#     the pairwise svycontrast of that svyby, t on nu df, p.adjust(p, "holm").  Data: a split-form
#     item of the demo (TRACKCO1a, asked of Form 1 only) by F_SEX and by F_AGECAT (Refused as NA),
#     and apistrat / apiclus1 with missing answers put in deterministically (see api_na());
#   * pairwise: crosstab letters. y = (x == level) on the design without missing x or by;
#     b = svyby(~y, ~by, design, svymean, covmat = TRUE); each pair of columns is
#     svycontrast(b, c(1, -1) at the pair), t = estimate / SE, p = 2 pt(-|t|, degf(design)),
#     then p.adjust(p, "holm") over the pairs;
#   * moe: Pew's margin of error of a base as pewmethods::calculate_deff() reports it:
#     1.96 * sqrt(deff * 0.25 / n) * 100 with deff = 1 + (sd(w) / mean(w))^2 of the base's weights
#     (pewmethods is not on CRAN; its formula is written out here).
# Numbers are written with 17 significant digits.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))

num <- function(x) structure(sprintf("%.17g", as.numeric(x)), class = "json")
nums <- function(x) lapply(as.numeric(x), num)

read_demo <- function(keep_refused = character()) {
  raw <- haven::read_sav(file.path("pewlike", "datasets", "privacy_survey_demo.sav"))
  as.data.frame(lapply(names(raw), function(v) {
    x <- raw[[v]]
    if (!haven::is.labelled(x)) return(as.vector(x))
    if (!(v %in% keep_refused)) x[x %in% c(9, 99)] <- NA
    droplevels(haven::as_factor(x, levels = "labels"))
  }), col.names = names(raw))
}

demo_design <- function(data) svydesign(id = ~1, weights = ~WEIGHT_W49, data = data)

# ---------------------------------------------------------------------------------------------
ref_net <- function(var, members, base, by = NULL) {
  data <- read_demo(if (base == "all") var else character())
  des <- demo_design(data)
  des <- des[!is.na(data[[var]]), ]
  if (!is.null(by)) des <- des[!is.na(des$variables[[by]]), ]
  des <- update(des, y = as.numeric(des$variables[[var]] %in% members))
  # intervals on the df of the whole table's base (a crosstab's one df), not each column's
  nu <- degf(des)
  one <- function(d) {
    m <- svymean(~y, d, deff = "replace")
    ci <- attr(svyciprop(~I(y == 1), d, method = "logit", df = nu), "ci")
    list(estimate = num(coef(m)), std_error = num(SE(m)), deff = num(deff(m)),
         ci_lower = num(ci[1]), ci_upper = num(ci[2]), n = sum(d$variables$y == 1))
  }
  if (is.null(by)) {
    cells <- list(c(list(group = NULL), one(des)))
  } else {
    levs <- levels(droplevels(des$variables[[by]]))
    cells <- lapply(levs, function(l) c(list(group = l), one(des[des$variables[[by]] == l, ])))
  }
  list(id = paste("net", var, base, if (is.null(by)) "total" else by, sep = "-"), kind = "net",
       data = "demo", var = var, members = members, base = base, by = by, cells = cells,
       r_call = sprintf(paste0("svyciprop(~I(%s %%in%% members), design, method = 'logit', df = degf(design)); ",
                               "svymean(~I(...), design, deff = 'replace')%s; base '%s'"),
                        var, if (is.null(by)) "" else sprintf(paste0(" in each level of %s (design[by == level, ]; ",
                                                                       "df = degf(design) of the whole base)"), by),
                        base))
}

ref_pairs <- function(label, des, var, level, by, design_py, data_name) {
  des <- des[!is.na(des$variables[[var]]) & !is.na(des$variables[[by]]), ]
  des <- update(des, y = as.numeric(des$variables[[var]] == level))
  b <- svyby(~y, as.formula(paste0("~", by)), des, svymean, covmat = TRUE)
  k <- length(coef(b))
  cols <- as.character(b[[by]])
  df <- degf(des)
  pairs <- list(); p <- c()
  for (a in seq_len(k - 1)) for (c in (a + 1):k) {
    w <- numeric(k); w[a] <- 1; w[c] <- -1
    con <- svycontrast(b, w)
    t <- coef(con) / SE(con)
    pv <- 2 * pt(-abs(t), df)
    p <- c(p, pv)
    pairs[[length(pairs) + 1]] <- list(a = cols[a], b = cols[c], difference = num(coef(con)),
                                        std_error = num(SE(con)), t = num(t), p = num(pv))
  }
  holm <- p.adjust(p, "holm")
  for (i in seq_along(pairs)) pairs[[i]]$p_holm <- num(holm[i])
  list(id = paste("pairwise", label, var, level, by, sep = "-"), kind = "pairwise", data = data_name,
       design = design_py, var = var, level = level, by = by, df = num(df),
       estimates = nums(coef(b)), columns = cols, pairs = pairs,
       r_call = sprintf(paste0("b <- svyby(~I(%s == '%s'), ~%s, subset(design, !is.na(%s) & !is.na(%s)), ",
                               "svymean, covmat = TRUE); svycontrast(b, pair); p = 2*pt(-|t|, degf(design)); ",
                               "p.adjust(p, 'holm')"), var, level, by, var, by))
}

# Korn-Graubard ("beta") interval of svymean(~y, d) on nu df: the body of svyciprop(method = "beta")
# with nu in place of degf(design) (svyciprop's beta method takes degf() of the column's design and
# ignores its df argument, so the one-df interval is written out here).
korn_graubard <- function(d, nu, level = 0.95) {
  m <- svymean(~y, d)
  p <- coef(m)[[1]]
  alpha <- 1 - level
  n.eff <- p * (1 - p) / vcov(m)[1, 1] * (qt(alpha / 2, nrow(d) - 1) / qt(alpha / 2, nu))^2
  c(qbeta(alpha / 2, n.eff * p, n.eff * (1 - p) + 1), qbeta(1 - alpha / 2, n.eff * p + 1, n.eff * (1 - p)))
}

# A crosstab of var by by on `des`, every number on the one df nu = degf(sub).
ref_crosstab <- function(label, des, var, by, design_py, data_name) {
  sub <- des[!is.na(des$variables[[var]]) & !is.na(des$variables[[by]]), ]
  sub$variables[[var]] <- droplevels(factor(sub$variables[[var]]))
  sub$variables[[by]] <- droplevels(factor(sub$variables[[by]]))
  nu <- degf(sub)
  byf <- as.formula(paste0("~", by))
  test <- svychisq(as.formula(paste0("~", var, " + ", by)), sub)
  stopifnot(abs(test$parameter[["ddf"]] / test$parameter[["ndf"]] - nu) < 1e-8 * nu)
  rows <- lapply(levels(sub$variables[[var]]), function(lev) {
    s <- update(sub, y = as.numeric(sub$variables[[var]] == lev))
    b <- svyby(~y, byf, s, svymean, covmat = TRUE)
    lg <- svyby(~I(y == 1), byf, s, svyciprop, method = "logit", df = nu, vartype = "ci")
    k <- length(coef(b))
    cols <- as.character(b[[by]])
    bt <- sapply(cols, function(g) korn_graubard(s[s$variables[[by]] == g, ], nu))
    pairs <- list(); p <- c()
    for (a in seq_len(k - 1)) for (c in (a + 1):k) {
      w <- numeric(k); w[a] <- 1; w[c] <- -1
      con <- svycontrast(b, w)
      t <- coef(con) / SE(con)
      pv <- 2 * pt(-abs(t), nu)
      p <- c(p, pv)
      pairs[[length(pairs) + 1]] <- list(a = cols[a], b = cols[c], difference = num(coef(con)),
                                          std_error = num(SE(con)), t = num(t), p = num(pv))
    }
    holm <- p.adjust(p, "holm")
    for (i in seq_along(pairs)) pairs[[i]]$p_holm <- num(holm[i])
    list(level = lev, columns = cols, estimate = nums(coef(b)), std_error = nums(SE(b)),
         logit_lower = nums(lg$ci_l), logit_upper = nums(lg$ci_u),
         beta_lower = nums(bt[1, ]), beta_upper = nums(bt[2, ]), pairs = pairs)
  })
  list(id = paste("crosstab", label, var, by, sep = "-"), kind = "crosstab", data = data_name,
       design = design_py, var = var, by = by, df = num(nu), n = nrow(sub),
       F = num(test$statistic), ndf = num(test$parameter[["ndf"]]), ddf = num(test$parameter[["ddf"]]),
       p = num(test$p.value), rows = rows,
       r_call = sprintf(paste0("sub <- subset(design, !is.na(%1$s) & !is.na(%2$s)); nu <- degf(sub); ",
                               "svychisq(~%1$s + %2$s, sub); svyby(~I(%1$s == level), ~%2$s, sub, svymean, covmat = TRUE); ",
                               "svyby(~I(%1$s == level), ~%2$s, sub, svyciprop, method = 'logit', df = nu); ",
                               "beta: svyciprop(method = 'beta')'s Korn-Graubard formula in each column with degf() -> nu; ",
                               "svycontrast(<svymean svyby>, pair), p = 2*pt(-|t|, nu), p.adjust(p, 'holm')"), var, by))
}

# apistrat / apiclus1 with a four-level answer (api00 band) and missing answers put in
# deterministically: band missing when snum %% 7 == 0, the school type (school) when snum %% 11 == 0.
api_na <- function(file, out) {
  api <- read.csv(file.path("tests", "reference", "estimation", file), stringsAsFactors = FALSE, na.strings = "")
  api$band <- as.character(cut(api$api00, c(-Inf, 600, 700, 800, Inf), labels = c("Q1", "Q2", "Q3", "Q4")))
  api$band[api$snum %% 7 == 0] <- NA
  api$school <- api$stype
  api$school[api$snum %% 11 == 0] <- NA
  write.csv(api, file.path("tests", "reference", "tables", out), row.names = FALSE, na = "")
  read.csv(file.path("tests", "reference", "tables", out), stringsAsFactors = TRUE, na.strings = "")
}

ref_moe <- function(var, base, by = NULL, group = NULL) {
  data <- read_demo(if (base == "all") var else character())
  ok <- !is.na(data[[var]])
  if (!is.null(by)) ok <- ok & !is.na(data[[by]]) & data[[by]] == group
  w <- data$WEIGHT_W49[ok]
  n <- length(w)
  deff <- 1 + (sd(w) / mean(w))^2
  list(id = paste("moe", var, base, if (is.null(by)) "total" else paste(by, group), sep = "-"), kind = "moe",
       data = "demo", var = var, base = base, by = by, group = group, n = n, deff = num(deff),
       moe = num(1.96 * sqrt(deff * 0.25 / n) * 100),
       r_call = "w <- weights of the base; deff <- 1 + (sd(w)/mean(w))^2; 1.96*sqrt(deff*0.25/n)*100 (pewmethods::calculate_deff)")
}

main <- function() {
  recs <- list(
    ref_net("CONCERNCO_W49", c("Very concerned", "Somewhat concerned"), "valid"),
    ref_net("CONCERNCO_W49", c("Very concerned", "Somewhat concerned"), "all"),
    ref_net("CONCERNCO_W49", c("Very concerned", "Somewhat concerned"), "valid", by = "F_AGECAT"),
    ref_net("TRACKCO1a_W49", c("All or almost all of it", "Most of it"), "valid", by = "F_PARTYSUM_FINAL")
  )
  demo <- demo_design(read_demo())
  py_demo <- list()
  recs <- c(recs, list(
    ref_pairs("demo", demo, "CONCERNCO_W49", "Very concerned", "F_AGECAT", py_demo, "demo"),
    ref_pairs("demo", demo, "CONTROLGOV_W49", "No control", "F_EDUCCAT", py_demo, "demo")
  ))
  api <- read.csv(file.path("tests", "reference", "estimation", "apiclus1.csv"), stringsAsFactors = TRUE, na.strings = "")
  clus <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = api)
  py_clus <- list(psu = "dnum", weights = "pw", fpc = "fpc")
  recs <- c(recs, list(
    ref_pairs("apiclus1", clus, "sch.wide", "Yes", "stype", py_clus, "../estimation/apiclus1.csv"),
    ref_pairs("apiclus1", clus, "awards", "Yes", "stype", py_clus, "../estimation/apiclus1.csv")
  ))
  strat <- api_na("apistrat.csv", "apistrat_na.csv")
  clus_na <- api_na("apiclus1.csv", "apiclus1_na.csv")
  recs <- c(recs, list(
    ref_crosstab("demo", demo, "TRACKCO1a_W49", "F_SEX", py_demo, "demo"),
    ref_crosstab("demo", demo, "TRACKCO1a_W49", "F_AGECAT", py_demo, "demo"),
    ref_crosstab("apistrat", svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat),
                 "band", "school", list(strata = "stype", weights = "pw", fpc = "fpc"), "apistrat_na.csv"),
    ref_crosstab("apiclus1", svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = clus_na),
                 "band", "school", py_clus, "apiclus1_na.csv")
  ))
  recs <- c(recs, list(
    ref_moe("CONCERNCO_W49", "valid"), ref_moe("CONCERNCO_W49", "all"), ref_moe("TRACKCO1a_W49", "valid"),
    ref_moe("CONCERNCO_W49", "valid", "F_AGECAT", "18-29")
  ))
  out <- list(generated_by = "tests/reference/tables/make_tables_reference.R", r_version = R.version.string,
              survey_version = as.character(packageVersion("survey")), records = recs)
  dir.create(file.path("tests", "reference", "tables"), showWarnings = FALSE, recursive = TRUE)
  path <- file.path("tests", "reference", "tables", "reference_tables.json")
  writeLines(toJSON(out, json_verbatim = TRUE, auto_unbox = TRUE, null = "null", pretty = TRUE), path)
  cat(sprintf("%s: %d records\n", path, length(recs)))
}

if (sys.nframe() == 0) main()
