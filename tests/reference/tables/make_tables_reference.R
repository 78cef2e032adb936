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
  one <- function(d) {
    m <- svymean(~y, d, deff = "replace")
    ci <- attr(svyciprop(~I(y == 1), d, method = "logit"), "ci")
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
       r_call = sprintf(paste0("svyciprop(~I(%s %%in%% members), design, method = 'logit'); ",
                               "svymean(~I(...), design, deff = 'replace')%s; base '%s'"),
                        var, if (is.null(by)) "" else sprintf(" in each level of %s (design[by == level, ])", by),
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
