# Reference values from R `survey` (and `pewmethods`) for pewlike's weighting tests.
#
# Setup (Debian):  apt-get install -y r-cran-survey r-cran-haven r-cran-jsonlite
#   optional, for the pewmethods fixtures: apt-get install -y r-cran-mice r-cran-ranger, then
#   R CMD INSTALL -l <lib> <a checkout of github.com/pewresearch/pewmethods>  and pass the
#   library in PEWMETHODS_LIB=<lib> (without it those fixtures are skipped).
# Run from the repository root (every path below is relative to it), after
# tests/reference/estimation/make_reference.R (this script reads its api*.csv):
#   Rscript tests/reference/weighting/make_weighting_reference.R
#
# Reads tests/reference/estimation/api*.csv and tests/reference/weighting/pewmethods/*.csv.
# Writes into tests/reference/weighting/ (beside this script)
#   apiclus1_jk1.csv   R's apiclus1 with JK1 replicate weights
#   survey.json        one case per weighting call: the design (its "data": a CSV path
#                      relative to tests/reference/weighting/, or "demo"), the steps
#                      (R call beside pewlike's arguments), the final weights
#                      (and replicate weights) and estimates with SEs
#   pewmethods.json    pewmethods calculate_deff / get_totals /
#                      create_raking_targets / trim_weights / rake_survey
#
# Raking runs to convergence (control = list(maxit = 200, epsilon = 1e-13)) so that weights
# can be compared to 1e-6 whatever the stopping rule. Numbers are written with 17 digits.
# Every design is built from the CSV as read back, so R and Python see the same numbers.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))
options(survey.lonely.psu = "fail")

OUT <- file.path("tests", "reference", "weighting")
DATA <- file.path("tests", "reference", "estimation")  # R's api data as make_reference.R wrote it
PM_DATA <- file.path(OUT, "pewmethods")
DEMO_PATH <- file.path("pewlike", "datasets", "privacy_survey_demo.sav")
RAKE_CONTROL <- "control = list(maxit = 200, epsilon = 1e-13)"

num <- function(x) {
  x <- suppressWarnings(as.numeric(x))
  if (length(x) != 1 || !is.finite(x)) return(NA)
  structure(sprintf("%.17g", x), class = "json")
}
nums <- function(x) lapply(as.numeric(x), num)

write_json_file <- function(obj, name) {
  obj <- c(list(generated_by = "tests/reference/weighting/make_weighting_reference.R", r_version = R.version.string,
                survey_version = as.character(packageVersion("survey"))), obj)
  txt <- toJSON(obj, json_verbatim = TRUE, auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE,
                digits = NA)
  writeLines(txt, file.path(OUT, name))
  cat(sprintf("wrote %s\n", file.path(OUT, name)))
}

read_back <- function(df, name) {
  path <- file.path(OUT, name)
  write.csv(df, path, row.names = FALSE, na = "")
  read.csv(path, stringsAsFactors = TRUE, check.names = FALSE, na.strings = "")
}

# ---------------------------------------------------------------------------------------------
# margins: R data frames <-> pewlike's {"vars", "levels", "values"}
# ---------------------------------------------------------------------------------------------
pop_table <- function(pop, vars, formula_vars) {
  tab <- as.data.frame(xtabs(as.formula(paste("~", paste(vars, collapse = "+"))), pop))
  tab
}
margin_py <- function(tab) {
  vars <- setdiff(names(tab), "Freq")
  levels <- if (length(vars) == 1) as.character(tab[[vars]]) else
    lapply(seq_len(nrow(tab)), function(i) vapply(vars, function(v) as.character(tab[[v]][i]), ""))
  list(vars = vars, levels = levels, values = nums(tab$Freq))
}
deparse1c <- function(x) paste(deparse(x, width.cutoff = 500L), collapse = " ")

# ---------------------------------------------------------------------------------------------
# estimates on a (weighted) design
# ---------------------------------------------------------------------------------------------
est_mean <- function(des, var, py_method = "mean") {
  f <- as.formula(paste0("~", var))
  e <- if (py_method == "total") svytotal(f, des, na.rm = TRUE) else svymean(f, des, na.rm = TRUE)
  list(method = py_method, var = var, r_call = sprintf("%s(~%s, design, na.rm = TRUE)",
       if (py_method == "total") "svytotal" else "svymean", var),
       levels = if (length(coef(e)) > 1) names(coef(e)) else NULL,
       estimate = nums(coef(e)), std_error = nums(SE(e)))
}
est_by <- function(des, var, by) {
  b <- svyby(as.formula(paste0("~", var)), as.formula(paste0("~", by)), des, svymean, na.rm = TRUE)
  list(method = "mean", var = var, by = by,
       r_call = sprintf("svyby(~%s, ~%s, design, svymean, na.rm = TRUE)", var, by),
       levels = as.character(b[[by]]), estimate = nums(coef(b)), std_error = nums(SE(b)))
}

make_case <- function(id, data, csv, r_design, py_design, steps, estimates, filter = NULL, reps = FALSE) {
  des <- eval(parse(text = r_design), envir = list(data = data))
  for (s in steps) des <- eval(parse(text = s$r_call), envir = list(design = des, data = data, s = s))
  ests <- lapply(estimates, function(e) if (!is.null(e$by)) est_by(des, e$var, e$by) else
    est_mean(des, e$var, e$method))
  case <- list(id = id, data = csv, filter = filter, r_design = r_design, design = py_design,
               steps = lapply(steps, function(s) s[c("op", "r_call", "args")]),
               weights = nums(if (inherits(des, "svyrep.design")) weights(des, "sampling") else weights(des)),
               estimates = ests)
  if (reps) case$repweights <- lapply(seq_len(ncol(weights(des, "analysis"))),
                                      function(j) nums(weights(des, "analysis")[, j]))
  cat(sprintf("  %-34s %d steps, %d estimates\n", id, length(steps), length(ests)))
  case
}

step_rake <- function(tabs, r_txt) {
  list(op = "rake", r_call = r_txt, args = list(margins = lapply(tabs, margin_py), tol = 1e-10, max_iter = 200))
}

# ---------------------------------------------------------------------------------------------
# R's api data
# ---------------------------------------------------------------------------------------------
api_cases <- function() {
  data(api, package = "survey")
  clus1 <- read.csv(file.path(DATA, "apiclus1.csv"), stringsAsFactors = TRUE, check.names = FALSE)
  strat <- read.csv(file.path(DATA, "apistrat.csv"), stringsAsFactors = TRUE, check.names = FALSE)
  clus2 <- read.csv(file.path(DATA, "apiclus2.csv"), stringsAsFactors = TRUE, check.names = FALSE)
  pop_stype <- pop_table(apipop, "stype")
  pop_sw <- pop_table(apipop, "sch.wide")
  pop_aw_sw <- pop_table(apipop, c("awards", "sch.wide"))
  tot_api99 <- sum(apipop$api99)
  N <- nrow(apipop)
  pop_aw <- pop_table(apipop, "awards")
  pop_both <- pop_table(apipop, "both")
  assign("POP", list(stype = pop_stype, sw = pop_sw, aw_sw = pop_aw_sw, aw = pop_aw, both = pop_both),
         envir = globalenv())
  ests <- list(list(var = "api00", method = "mean"), list(var = "enroll", method = "total"),
               list(var = "awards", method = "mean"), list(var = "api00", by = "awards"))

  D1 <- "svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = data)"
  P1 <- list(weights = "pw", psu = "dnum", fpc = "fpc")
  DS <- "svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = data)"
  PS <- list(weights = "pw", strata = "stype", fpc = "fpc")
  D2 <- "svydesign(id = ~dnum + snum, weights = ~pw, fpc = ~fpc1 + fpc2, data = data)"
  P2 <- list(weights = "pw", psu = list("dnum", "snum"), fpc = list("fpc1", "fpc2"))

  rake2 <- step_rake(list(pop_stype, pop_sw),
    sprintf("rake(design, list(~stype, ~sch.wide), list(POP$stype, POP$sw), %s)", RAKE_CONTROL))
  post <- list(op = "poststratify", r_call = "postStratify(design, ~stype, POP$stype)",
               args = c(list(vars = list("stype")), margin_py(pop_stype)[c("levels", "values")]))
  totals <- c(`(Intercept)` = N, stypeH = sum(apipop$stype == "H"), stypeM = sum(apipop$stype == "M"),
              api99 = tot_api99)
  assign("TOTALS", totals, envir = globalenv())
  cal <- function(calfun, bounds = NULL, extra = "") {
    b_r <- if (is.null(bounds)) "" else sprintf(", bounds = c(%s)", paste(bounds, collapse = ", "))
    b_r <- paste0(b_r, extra)
    list(op = "calibrate",
         r_call = sprintf("calibrate(design, ~stype + api99, TOTALS, calfun = '%s'%s)", calfun, b_r),
         args = list(formula = "~stype + api99", totals = as.list(setNames(nums(totals), names(totals))),
                     calfun = calfun, bounds = if (is.null(bounds)) NULL else as.list(bounds)))
  }
  cal_list <- list(op = "calibrate",
    r_call = "calibrate(design, list(~stype, ~sch.wide), list(POP$stype, POP$sw), calfun = 'raking', epsilon = 1e-12)",
    args = list(margins = list(margin_py(pop_stype), margin_py(pop_sw)), calfun = "raking", epsilon = 1e-12))
  cases <- list(
    make_case("apiclus1-rake", clus1, "../estimation/apiclus1.csv", D1, P1, list(rake2), ests),
    make_case("apiclus1-poststratify", clus1, "../estimation/apiclus1.csv", D1, P1, list(post), ests),
    make_case("apiclus1-cal-linear", clus1, "../estimation/apiclus1.csv", D1, P1, list(cal("linear")), ests),
    make_case("apiclus1-cal-raking", clus1, "../estimation/apiclus1.csv", D1, P1, list(cal("raking")), ests),
    make_case("apiclus1-cal-logit", clus1, "../estimation/apiclus1.csv", D1, P1, list(cal("logit", c(0.5, 2.5))), ests),
    make_case("apiclus1-cal-linear-bounded", clus1, "../estimation/apiclus1.csv", D1, P1, list(cal("linear", c(0.7, 1.7))), ests),
    make_case("apiclus1-cal-margins-raking", clus1, "../estimation/apiclus1.csv", D1, P1, list(cal_list), ests),
    make_case("apiclus1-cal-margins-raking-bounded", clus1, "../estimation/apiclus1.csv", D1, P1, list(list(op = "calibrate",
      r_call = "calibrate(design, list(~stype, ~sch.wide), list(POP$stype, POP$sw), calfun = 'raking', bounds = c(0.85, 1.9), epsilon = 1e-12)",
      args = list(margins = list(margin_py(pop_stype), margin_py(pop_sw)), calfun = "raking", bounds = list(0.85, 1.9),
                  epsilon = 1e-12))), ests),
    make_case("apiclus1-rake-trim", clus1, "../estimation/apiclus1.csv", D1, P1,
              list(rake2, list(op = "trim", r_call = "trimWeights(design, upper = 60, lower = 32)",
                               args = list(upper = 60, lower = 32))), ests),
    make_case("apistrat-trim", strat, "../estimation/apistrat.csv", DS, PS,
              list(list(op = "trim", r_call = "trimWeights(design, upper = 40, lower = 16)",
                        args = list(upper = 40, lower = 16))), ests),
    make_case("apistrat-trim-strict", strat, "../estimation/apistrat.csv", DS, PS,
              list(list(op = "trim", r_call = "trimWeights(design, upper = 35, lower = 16, strict = TRUE)",
                        args = list(upper = 35, lower = 16, strict = TRUE))), ests),
    make_case("apistrat-poststratify-joint", strat, "../estimation/apistrat.csv", DS, PS,
              list(list(op = "poststratify", r_call = "postStratify(design, ~awards + sch.wide, POP$aw_sw)",
                        args = c(list(vars = list("awards", "sch.wide")),
                                 margin_py(pop_aw_sw)[c("levels", "values")]))),
              list(list(var = "api00", method = "mean"), list(var = "enroll", method = "total"),
                   list(var = "stype", method = "mean"), list(var = "api00", by = "stype"))),
    # two weighting steps: the variance applies both, in order (R's design$postStrata list)
    make_case("apistrat-poststratify-rake", strat, "../estimation/apistrat.csv", DS, PS,
              list(list(op = "poststratify", r_call = "postStratify(design, ~awards, POP$aw)",
                        args = c(list(vars = list("awards")), margin_py(pop_aw)[c("levels", "values")])),
                   step_rake(list(pop_sw, pop_both),
                             sprintf("rake(design, list(~sch.wide, ~both), list(POP$sw, POP$both), %s)", RAKE_CONTROL))),
              ests),
    make_case("apistrat-cal-api99", strat, "../estimation/apistrat.csv", DS, PS,
              list(list(op = "calibrate", r_call = sprintf("calibrate(design, ~api99, c(%.17g, %.17g))", N, tot_api99),
                        args = list(formula = "~api99",
                                    totals = list(`(Intercept)` = num(N), api99 = num(tot_api99))))), ests),
    make_case("apiclus2-rake", clus2, "../estimation/apiclus2.csv", D2, P2, list(rake2), ests),
    make_case("apiclus2-cal-raking", clus2, "../estimation/apiclus2.csv", D2, P2, list(cal("raking")), ests)
  )
  # replicate weights (JK1 from the one-stage cluster sample), exported as combined weights
  rd <- as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, data = clus1), type = "JK1")
  rw <- weights(rd, "analysis")
  colnames(rw) <- sprintf("rep_%02d", seq_len(ncol(rw)))
  jk <- read_back(cbind(clus1, rw), "apiclus1_jk1.csv")
  DR <- sprintf("svrepdesign(data = data, repweights = '^rep_', weights = ~pw, type = 'JK1', scale = %d/%d, combined.weights = TRUE)",
                ncol(rw) - 1L, ncol(rw))
  PR <- list(weights = "pw", repweights = "rep_*", reptype = "JK1", scale = num((ncol(rw) - 1) / ncol(rw)))
  c(cases, list(
    make_case("jk1-rake", jk, "apiclus1_jk1.csv", DR, PR, list(rake2), ests, reps = TRUE),
    make_case("jk1-poststratify", jk, "apiclus1_jk1.csv", DR, PR, list(post), ests, reps = TRUE),
    # compress = FALSE: survey 4.1's calibrate.svyrep.design fails on its default compress = NA
    make_case("jk1-cal-linear", jk, "apiclus1_jk1.csv", DR, PR,
              list(cal("linear", extra = ", compress = FALSE")), ests, reps = TRUE),
    make_case("jk1-cal-raking", jk, "apiclus1_jk1.csv", DR, PR,
              list(cal("raking", extra = ", compress = FALSE")), ests, reps = TRUE)
  ))
}

# ---------------------------------------------------------------------------------------------
# the demo survey (complete cases of the raking variables; refusals are NA)
# ---------------------------------------------------------------------------------------------
q <- function(des, p) unname(quantile(weights(des), p))  # type 7, as pewmethods::trim_weights
RAKE_VARS <- c("F_AGECAT", "F_SEX", "F_EDUCCAT", "F_RACETHN")
demo_cases <- function() {
  raw <- haven::read_sav(DEMO_PATH)
  demo <- as.data.frame(lapply(raw, function(x) {
    if (!haven::is.labelled(x)) return(as.vector(x))
    x[x %in% c(9, 99)] <- NA
    droplevels(haven::as_factor(x, levels = "labels"))
  }))
  demo <- demo[complete.cases(demo[, RAKE_VARS]), ]
  # population shares (illustrative, ACS-like), as totals on the sample's weight sum
  W <- sum(demo$WEIGHT_W49)
  share <- function(var, lv, p) {
    d <- data.frame(factor(lv, levels = levels(demo[[var]])), Freq = p * W)
    names(d)[1] <- var
    d
  }
  age <- share("F_AGECAT", c("18-29", "30-49", "50-64", "65+"), c(0.21, 0.33, 0.26, 0.20))
  race <- share("F_RACETHN", c("White non-Hispanic", "Black non-Hispanic", "Hispanic", "Other"),
                c(0.63, 0.12, 0.16, 0.09))
  sexed <- expand.grid(F_SEX = c("Male", "Female"),
                       F_EDUCCAT = c("College grad+", "Some college", "H.S. graduate or less"))
  sexed$Freq <- c(0.16, 0.17, 0.14, 0.16, 0.18, 0.19) * W
  assign("DEMO_POP", list(age = age, race = race, sexed = sexed), envir = globalenv())
  D <- "svydesign(id = ~1, weights = ~WEIGHT_W49, data = data)"
  P <- list(weights = "WEIGHT_W49")
  filt <- list(complete = as.list(RAKE_VARS))
  ests <- list(list(var = "CONCERNCO_W49", method = "mean"), list(var = "QKEY", method = "mean"),
               list(var = "QKEY", method = "total"), list(var = "QKEY", by = "F_PARTYSUM_FINAL"))
  rake3 <- step_rake(list(age, sexed, race),
    sprintf("rake(design, list(~F_AGECAT, ~F_SEX + F_EDUCCAT, ~F_RACETHN), list(DEMO_POP$age, DEMO_POP$sexed, DEMO_POP$race), %s)",
            RAKE_CONTROL))
  list(
    make_case("demo-rake", demo, "demo", D, P, list(rake3), ests, filter = filt),
    make_case("demo-cal-raking", demo, "demo", D, P, list(list(op = "calibrate",
      r_call = "calibrate(design, list(~F_AGECAT, ~F_SEX + F_EDUCCAT, ~F_RACETHN), list(DEMO_POP$age, DEMO_POP$sexed, DEMO_POP$race), calfun = 'raking', epsilon = 1e-12)",
      args = list(margins = list(margin_py(age), margin_py(sexed), margin_py(race)), calfun = "raking",
                  epsilon = 1e-12))), ests, filter = filt),
    make_case("demo-poststratify", demo, "demo", D, P, list(list(op = "poststratify",
      r_call = "postStratify(design, ~F_AGECAT, DEMO_POP$age)",
      args = c(list(vars = list("F_AGECAT")), margin_py(age)[c("levels", "values")]))), ests, filter = filt),
    make_case("demo-rake-trim-quantiles", demo, "demo", D, P, list(rake3, list(op = "trim",
      r_call = "trimWeights(design, lower = q(design, 0.05), upper = q(design, 0.95), strict = TRUE)",
      args = list(lower = 0.05, upper = 0.95, quantiles = TRUE, strict = TRUE))), ests, filter = filt)
  )
}

# ---------------------------------------------------------------------------------------------
# pewmethods on its own example data
# ---------------------------------------------------------------------------------------------
LEVELS <- list(
  cregion = c("Northeast", "Midwest", "South", "West"),
  q1 = c("Approve", "Disapprove", "Don't know/Refused (VOL.)"),
  q2 = c("Very strongly", "Not so strongly", "Don't know/Refused (VOL.)"),
  q45 = c("Approve", "Disapprove", "Don't know/Refused (VOL.)"),
  sex = c("Male", "Female"),
  recage = c("18-24", "25-34", "35-44", "45-54", "55-64", "65+", "DK/Ref"),
  receduc = c("HS grad or less", "Some coll/Assoc degree", "Coll+", "DK/Ref"))
pew_cases <- function(lib) {
  suppressPackageStartupMessages(library(pewmethods, lib.loc = lib))
  suppressPackageStartupMessages(library(dplyr))
  dec <- read.csv(file.path(PM_DATA, "dec13_excerpt.csv"), stringsAsFactors = FALSE, check.names = FALSE,
                  na.strings = "")
  acs <- read.csv(file.path(PM_DATA, "acs_2017_excerpt.csv"), stringsAsFactors = FALSE, check.names = FALSE)
  for (v in names(LEVELS)) if (v %in% names(dec)) dec[[v]] <- factor(dec[[v]], levels = LEVELS[[v]])
  for (v in c("sex", "recage", "receduc")) acs[[v]] <- factor(acs[[v]], levels = setdiff(LEVELS[[v]], "DK/Ref"))
  deff <- lapply(c("weight", "llweight", "cellweight"), function(w) {
    d <- calculate_deff(dec[[w]])
    list(weight = w, r_call = sprintf("calculate_deff(dec13_excerpt$%s)", w), n = d$n, mean_wt = num(d$mean_wt),
         sd_wt = num(d$sd_wt), deff = num(d$deff), ess = num(d$ess), moe = num(d$moe))
  })
  tot_all <- get_totals("q1", dec, wt = "weight")
  dk <- dec %>% mutate(q1 = dk_to_na(q1))
  tot_valid <- get_totals("q1", dk, wt = "weight", na.rm = TRUE)
  toplines <- list(
    list(var = "q1", base = "all", r_call = "get_totals('q1', dec13_excerpt, wt = 'weight')",
         levels = as.character(tot_all$q1), percent = nums(tot_all$weight)),
    list(var = "q1", base = "valid", r_call = "get_totals('q1', dec13_excerpt %>% mutate(q1 = dk_to_na(q1)), wt = 'weight', na.rm = TRUE)",
         levels = as.character(tot_valid$q1), percent = nums(tot_valid$weight)))
  tg <- suppressMessages(create_raking_targets(acs, vars = c("recage", "sex:receduc"), wt = "weight"))
  targets <- lapply(seq_along(tg), function(i) list(
    vars = if (i == 1) list("recage") else list("sex", "receduc"), r_name = names(tg[[i]])[1],
    levels = as.character(tg[[i]][[1]]), percent = nums(tg[[i]]$Freq)))
  tr <- trim_weights(dec$weight, lower_quantile = 0.05, upper_quantile = 0.95, strict = TRUE)
  trims <- list(list(r_call = "trim_weights(dec13_excerpt$weight, lower_quantile = 0.05, upper_quantile = 0.95, strict = TRUE)",
                     lower = 0.05, upper = 0.95, strict = TRUE, weights = nums(tr)))
  tr2 <- trim_weights(dec$weight, lower_quantile = 0.01, upper_quantile = 0.99, minval = 1.2, maxval = 7)
  trims <- c(trims, list(list(r_call = "trim_weights(dec13_excerpt$weight, 0.01, 0.99, minval = 1.2, maxval = 7)",
                              lower = 0.01, upper = 0.99, minval = 1.2, maxval = 7, strict = FALSE,
                              weights = nums(tr2))))
  # rake_survey on the complete cases of sex, age and education (pewmethods imputes instead)
  cc <- dec %>% filter(recage != "DK/Ref", receduc != "DK/Ref") %>% mutate(recage = droplevels(recage),
        receduc = droplevels(receduc), sex_receduc = interaction(sex, receduc, sep = ":"))
  tg4 <- suppressMessages(create_raking_targets(acs, vars = c("sex", "recage", "receduc", "sex:receduc"),
                                                wt = "weight", prefix = ""))
  rk <- rake_survey(cc, tg4, epsilon = 1e-12, maxit = 200)
  rake <- list(r_call = "rake_survey(cc, create_raking_targets(acs_2017_excerpt, c('sex', 'recage', 'receduc', 'sex:receduc'), wt = 'weight', prefix = ''), epsilon = 1e-12, maxit = 200)",
               rows = "recage != 'DK/Ref' & receduc != 'DK/Ref'", weights = nums(rk))
  list(pewmethods_version = as.character(packageVersion("pewmethods", lib.loc = lib)), levels = LEVELS,
       deff = deff, toplines = toplines, targets = targets, trim = trims, rake_survey = rake)
}

main <- function() {
  dir.create(OUT, recursive = TRUE, showWarnings = FALSE)
  cases <- api_cases()
  if (file.exists(DEMO_PATH)) cases <- c(cases, demo_cases()) else message("no demo file: skipped")
  write_json_file(list(cases = cases), "survey.json")
  lib <- Sys.getenv("PEWMETHODS_LIB")
  if (nzchar(lib) && requireNamespace("pewmethods", lib.loc = lib, quietly = TRUE)) {
    write_json_file(pew_cases(lib), "pewmethods.json")
  } else message("pewmethods not installed (PEWMETHODS_LIB): pewmethods.json not rewritten")
}

if (sys.nframe() == 0) main()
