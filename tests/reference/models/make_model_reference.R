# Reference values from R `survey` for pewlike's models (svy.glm / logit / ologit, regterm,
# marginal effects, predict).
#
# Setup (Debian):  apt-get install -y r-cran-survey r-cran-haven r-cran-jsonlite
# Run from the repository root (every path below is relative to it), after
# tests/reference/estimation/make_reference.R (this script reads its gen_design.csv and nhanes.csv):
#   Rscript tests/reference/models/make_model_reference.R
#
# Writes into tests/reference/models/ (beside this script)
#   {apistrat,apiclus1,apiclus2,gen}.csv   the data the designs use (nhanes: the estimation
#                                          reference's tests/reference/estimation/nhanes.csv)
#   models_reference.json                  one record per fitted model
#
# Each record keeps the R call ("r_call") and design ("r_design") beside the values, its data
# ("data", a CSV path relative to tests/reference/models/), and the
# pewlike.Survey keyword arguments of the same design ("design"). "categorical" lists numeric
# columns that R turns into factors (the test makes them string categoricals); "subset" is a
# domain (R: subset(design, ...); pewlike: svy.subset(query)). Numbers have 17 digits.
#
# Convergence: the R fits are run to tight tolerances so that the reference is the optimum
# itself, not R's stopping point: svyglm(..., control = glm.control(epsilon = 1e-13,
# maxit = 100)) (its replicate refits reuse that control) and svyolr(..., control =
# list(reltol = 1e-15, maxit = 10000)) (passed to optim). svyolr's replicate refits call
# MASS::polr without a control, so for replicate designs the script repeats svyolr's
# computation with the same polr call plus the tight control (see olr_replicate()).
# svyolr's variance uses optim's finite-difference Hessian (steps ndeps = 1e-3 on polr's
# parameters): "std_error" is R's default; "std_error_fine_hessian" is the same svyolr call with
# control ndeps = 1e-5, i.e. R's sandwich with an (almost) exact Hessian.
#
# Marginal effects: "svypredmeans" holds R's svypredmeans(adjustmodel, ~group) (the model
# without the group plus .groupfactor, i.e. the same fit); "unconditional" holds the
# full linearisation of the same averaged predictions computed here from svyglm's influence
# functions: row influence w_i (f_i - mean) / sum(w) + influence(beta)_i %*% d mean / d beta,
# passed to svyrecvar (replicate designs: the averaged predictions recomputed from each
# replicate's coefficients and weights, then svrVar).

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
  library(haven)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))
options(survey.lonely.psu = "fail")

OUT <- file.path("tests", "reference", "models")
ESTIMATION <- file.path("tests", "reference", "estimation")
dir.create(OUT, showWarnings = FALSE, recursive = TRUE)
GLM_CONTROL <- glm.control(epsilon = 1e-13, maxit = 100)
OLR_CONTROL <- list(reltol = 1e-15, maxit = 10000)

num <- function(x) {
  x <- suppressWarnings(as.numeric(x))
  lapply(x, function(v) if (is.finite(v)) structure(sprintf("%.17g", v), class = "json") else NA)
}
num1 <- function(x) num(x)[[1]]

write_data <- function(df, name) {
  path <- file.path(OUT, name)
  write.csv(df, path, row.names = FALSE, na = "")
  read.csv(path, stringsAsFactors = TRUE, check.names = FALSE, na.strings = "")
}

# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------
data(api, package = "survey")
api_cols <- c("cds", "stype", "sch.wide", "comp.imp", "awards", "api00", "api99", "enroll",
              "meals", "ell", "mobility", "acs.46", "pw", "fpc", "dnum", "snum")
strat <- write_data(apistrat[, api_cols], "apistrat.csv")
clus1 <- write_data(apiclus1[, api_cols], "apiclus1.csv")
clus2 <- write_data(apiclus2[, c(setdiff(api_cols, "fpc"), "fpc1", "fpc2")], "apiclus2.csv")
# R's nhanes as make_reference.R wrote it (one copy of the file, not a second one here)
nh <- read.csv(file.path(ESTIMATION, "nhanes.csv"), stringsAsFactors = TRUE, check.names = FALSE, na.strings = "")
nh$race <- factor(nh$race)
nh$RIAGENDR <- factor(nh$RIAGENDR)
gen_all <- read.csv(file.path(ESTIMATION, "gen_design.csv"), check.names = FALSE)
gen_cols <- c("stratum", "stratum_c", "psu", "fpc1", "w", "dom1", "dom2", "y", "x", "z", "item",
              grep("^(jk1_|boot_|fay_)", names(gen_all), value = TRUE))
gen <- write_data(gen_all[, gen_cols], "gen.csv")

demo_raw <- read_sav(file.path("pewlike", "datasets", "privacy_survey_demo.sav"))
demo_vars <- c("CONCERNCO_W49", "CONCERNGOV_W49", "CONCERNLE_W49", "F_AGECAT", "F_SEX", "F_EDUCCAT", "F_RACETHN", "F_INCOME_RECODE",
               "F_PARTYSUM_FINAL")
demo <- data.frame(WEIGHT_W49 = as.numeric(demo_raw$WEIGHT_W49))
for (v in demo_vars) {
  f <- as_factor(demo_raw[[v]], levels = "labels")
  f[grepl("Refused", as.character(f))] <- NA          # the codebook's missing categories
  demo[[v]] <- droplevels(f)
}
# the binary outcome (not I(x %in% ...) in the formula: NA %in% ... is FALSE in R, not NA)
demo$concerned <- ifelse(is.na(demo$CONCERNCO_W49), NA,
                         demo$CONCERNCO_W49 %in% c("Very concerned", "Somewhat concerned"))

# ---------------------------------------------------------------------------------------------
# designs: R object + pewlike arguments
# ---------------------------------------------------------------------------------------------
D <- function(id, r_txt, data, csv, py, categorical = list(), weighting = NULL, lonely = "fail") {
  op <- options(survey.lonely.psu = lonely)
  on.exit(options(op))
  list(id = id, r = suppressWarnings(eval(parse(text = r_txt), list(data = data))), r_txt = r_txt, csv = csv,
       py = py, categorical = categorical, weighting = weighting, lonely = lonely)
}
POP_TYPES <- "data.frame(stype = c('E', 'H', 'M'), Freq = c(4421, 755, 1018))"
POP_SCHWIDE <- "data.frame(sch.wide = c('No', 'Yes'), Freq = c(1460, 4734))"
R_jk1 <- length(grep("^jk1_", names(gen)))
designs <- list(
  strat = D("apistrat", "svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = data)",
            strat, "apistrat.csv", list(strata = "stype", weights = "pw", fpc = "fpc")),
  clus1 = D("apiclus1", "svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = data)",
            clus1, "apiclus1.csv", list(psu = "dnum", weights = "pw", fpc = "fpc")),
  clus1ps = D("apiclus1-poststrat",
              sprintf("postStratify(svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = data), ~stype, %s)", POP_TYPES),
              clus1, "apiclus1.csv", list(psu = "dnum", weights = "pw", fpc = "fpc"),
              weighting = list(method = "poststratify", vars = "stype", population = list(E = 4421, H = 755, M = 1018))),
  clus1rake = D("apiclus1-rake",
                sprintf("rake(svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = data), list(~stype, ~sch.wide), list(%s, %s), control = list(maxit = 100, epsilon = 1e-12))",
                        POP_TYPES, POP_SCHWIDE),
                clus1, "apiclus1.csv", list(psu = "dnum", weights = "pw", fpc = "fpc"),
                weighting = list(method = "rake", margins = list(stype = list(E = 4421, H = 755, M = 1018),
                                                                  sch.wide = list(No = 1460, Yes = 4734)))),
  clus2 = D("apiclus2", "svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw, data = data)",
            clus2, "apiclus2.csv", list(psu = list("dnum", "snum"), fpc = list("fpc1", "fpc2"), weights = "pw")),
  nhanes = D("nhanes", "svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = data)",
             nh, "../estimation/nhanes.csv", list(psu = "SDMVPSU", strata = "SDMVSTRA", weights = "WTMEC2YR", nest = TRUE),
             categorical = list("race", "RIAGENDR")),
  # strata with a single PSU (R's options(survey.lonely.psu = ...), pewlike's lonely_psu=)
  adjust = D("gen-lonely-adjust", "svydesign(id = ~psu, strata = ~stratum, fpc = ~fpc1, weights = ~w, data = data)",
             gen, "gen.csv", list(psu = "psu", strata = "stratum", fpc = "fpc1", weights = "w", lonely_psu = "adjust"),
             lonely = "adjust"),
  average = D("gen-lonely-average", "svydesign(id = ~psu, strata = ~stratum, fpc = ~fpc1, weights = ~w, data = data)",
              gen, "gen.csv", list(psu = "psu", strata = "stratum", fpc = "fpc1", weights = "w", lonely_psu = "average"),
              lonely = "average"),
  jk1 = D("gen-jk1", sprintf("svrepdesign(data = data, type = 'JK1', repweights = '^jk1_', weights = ~w, combined.weights = TRUE, scale = %d/%d)", R_jk1 - 1, R_jk1),
          gen, "gen.csv", list(weights = "w", repweights = "jk1_*", reptype = "JK1", scale = num1((R_jk1 - 1) / R_jk1))),
  boot = D("gen-boot", "svrepdesign(data = data, type = 'bootstrap', repweights = '^boot_', weights = ~w, combined.weights = TRUE)",
           gen, "gen.csv", list(weights = "w", repweights = "boot_*", reptype = "bootstrap")),
  fay = D("gen-fay", "svrepdesign(data = data, type = 'Fay', rho = 0.3, repweights = '^fay_', weights = ~w, combined.weights = TRUE)",
          gen, "gen.csv", list(weights = "w", repweights = "fay_*", reptype = "Fay", rho = 0.3)),
  demo = D("demo", "svydesign(ids = ~1, weights = ~WEIGHT_W49, data = data)", demo, "demo", list())
)

sub_design <- function(des, subset_r) {
  if (is.null(subset_r)) des$r else eval(parse(text = sprintf("subset(des$r, %s)", subset_r)))
}

# ---------------------------------------------------------------------------------------------
# fits
# ---------------------------------------------------------------------------------------------
fam_of <- function(family, link) {
  switch(family, gaussian = gaussian(), binomial = quasibinomial(link = link), poisson = quasipoisson())
}

olr_replicate <- function(formula, des, method) {
  full <- svyolr(formula, des, method = method, control = OLR_CONTROL)
  start <- c(full$coefficients, full$zeta)
  df <- model.frame(des)
  rw <- weights(des, "analysis")
  pmeth <- if (method == "logistic") "logistic" else method
  # (polr looks the weights up in `df` first, and these data have a column `w`: svyolr's own
  # replicate loop, which names its weights `w`, would refit every replicate with that column)
  betas <- apply(rw, 2, function(.repw) {
    environment(formula) <- environment()
    m <- MASS::polr(formula, data = df, weights = .repw, start = start, method = pmeth,
                    control = OLR_CONTROL, Hess = FALSE, model = FALSE)
    c(m$coefficients, m$zeta)
  })
  full$var <- svrVar(t(betas), des$scale, des$rscales, mse = des$mse, coef = start)
  full
}

fit_model <- function(method, formula_r, des, family = "gaussian", link = "logit") {
  f <- as.formula(formula_r)
  if (method == "ologit") {
    meth <- if (link == "logit") "logistic" else "probit"
    # regTermTest() on an svyolr re-evaluates the call's `f` and `des` (model.frame.svyolr)
    assign("f", f, envir = globalenv())
    assign("des", des, envir = globalenv())
    if (inherits(des, "svyrep.design")) return(olr_replicate(f, des, meth))
    m <- svyolr(f, des, method = meth, control = OLR_CONTROL)
    # the same with optim's finite-difference Hessian taken with steps 1e-5 instead of 1e-3
    npar <- length(m$coefficients) + length(m$zeta)
    m2 <- svyolr(f, des, method = meth, control = c(OLR_CONTROL, list(ndeps = rep(1e-5, npar))))
    m$se_fine_hessian <- sqrt(diag(vcov(m2)))
    return(m)
  }
  fam <- fam_of(family, link)
  eval(bquote(svyglm(.(f), des, family = .(fam), control = .(GLM_CONTROL))))  # call re-evaluated by svrepglm
}

regterm_rows <- function(m, terms) {
  lapply(terms, function(t) {
    r <- regTermTest(m, as.formula(paste("~", t)))
    list(terms = t, statistic = num1(r$Ftest), df = num1(r$df), ddf = num1(r$ddf), p_value = num1(r$p),
         r_call = sprintf("regTermTest(model, ~%s)", t))
  })
}

predmeans_rows <- function(m, formula_r, des, family, link, group, adjust_formula) {
  fam <- fam_of(family, link)
  mdes <- m$survey.design
  mf <- model.frame(mdes)
  w <- weights(mdes, "sampling")
  levs <- m$xlevels[[group]]
  tt <- delete.response(terms(m))
  fits <- matrix(NA, nrow(mf), length(levs))
  dg <- matrix(NA, length(coef(m)), length(levs))
  for (i in seq_along(levs)) {
    nd <- mf
    nd[[group]] <- factor(levs[i], levels = levs)
    mm <- model.matrix(tt, model.frame(tt, nd, xlev = m$xlevels))
    eta <- drop(mm %*% coef(m))
    fits[, i] <- m$family$linkinv(eta)
    dg[, i] <- colSums(w * m$family$mu.eta(eta) * mm) / sum(w)
  }
  est <- colSums(w * fits) / sum(w)
  # svypredmeans' variance: t(dg) V dg + the variance of svymean(fits) with the fits held fixed
  cond <- svymean(fits, mdes)
  v_spm <- t(dg) %*% vcov(m) %*% dg + vcov(cond)
  if (inherits(mdes, "svyrep.design")) {
    # (svypredmeans() itself stops with "invalid subscript type 'list'" on replicate designs
    # in survey 4.1.1, so only its formula above is used)
    reps <- eval(bquote(svyglm(.(formula(m)), mdes, family = .(fam), control = .(GLM_CONTROL),
                               return.replicates = TRUE)))$replicates
    rw <- weights(mdes, "analysis")
    rep_est <- t(sapply(seq_len(nrow(reps)), function(r) {
      sapply(seq_along(levs), function(i) {
        nd <- mf
        nd[[group]] <- factor(levs[i], levels = levs)
        mm <- model.matrix(tt, model.frame(tt, nd, xlev = m$xlevels))
        sum(rw[, r] * m$family$linkinv(drop(mm %*% reps[r, ]))) / sum(rw[, r])
      })
    }))
    vu <- svrVar(rep_est, mdes$scale, mdes$rscales, mse = mdes$mse, coef = est)
  } else {
    # the formula above is svypredmeans() itself: check it (when svypredmeans averages over the
    # same rows: it keeps respondents who miss only the group variable, the model does not)
    adj <- eval(bquote(svyglm(.(as.formula(adjust_formula)), des, family = .(fam), control = .(GLM_CONTROL))))
    spm <- svypredmeans(adj, as.formula(paste("~", group)))
    ord <- match(levs, names(coef(spm)))
    if (nrow(model.frame(adj$survey.design)) == nrow(mf)) stopifnot(isTRUE(all.equal(unname(coef(spm)[ord]), unname(est), tolerance = 1e-9)),
              isTRUE(all.equal(unname(SE(spm)[ord]), unname(sqrt(diag(v_spm))), tolerance = 1e-9)))
    # svyglm(influence = TRUE) has a typo in survey 4.1.1; its definition written out:
    infl <- (model.matrix(m) * resid(m, "working") * m$weights) %*% m$naive.cov
    x <- sweep(fits, 2, est) * w / sum(w) + infl %*% dg
    vu <- svyrecvar(x, mdes$cluster, mdes$strata, mdes$fpc, postStrata = mdes$postStrata)
  }
  list(var = group, levels = as.list(levs), estimate = num(est),
       svypredmeans_se = num(sqrt(diag(v_spm))),
       svypredmeans_cov = lapply(seq_along(levs), function(i) num(v_spm[i, ])),
       unconditional_se = num(sqrt(diag(vu))),
       unconditional_cov = lapply(seq_along(levs), function(i) num(vu[i, ])),
       r_call = sprintf("svypredmeans(svyglm(%s, design), ~%s); unconditional: see script header",
                        adjust_formula, group))
}

predict_rows <- function(m, des, rows) {
  nd <- model.frame(des)[rows, , drop = FALSE]
  p <- predict(m, newdata = nd, type = "response")
  list(rows = as.list(rows - 1L), estimate = num(coef(p)), std_error = num(SE(p)),
       r_call = "predict(model, newdata = model.frame(design)[rows, ], type = 'response')")
}

record <- function(id, des_key, method, formula_r, formula_py, family = "gaussian", link = "logit",
                   subset_r = NULL, subset_py = NULL, regterm = NULL, predmeans = NULL, predict = NULL) {
  des <- designs[[des_key]]
  op <- options(survey.lonely.psu = des$lonely)
  on.exit(options(op))
  d <- sub_design(des, subset_r)
  m <- fit_model(method, formula_r, d, family, link)
  cf <- if (method == "ologit") c(m$coefficients, m$zeta) else coef(m)
  V <- vcov(m)
  df_resid <- m$df.residual
  kw <- list(formula = formula_py)
  if (method == "glm") kw$family <- family
  if (method == "ologit" || family == "binomial") kw$link <- link
  rec <- list(
    id = paste(des$id, id, sep = "-"),
    r_call = sprintf("%s(%s, design%s)", if (method == "ologit") "svyolr" else "svyglm", formula_r,
                     if (method == "ologit") sprintf(", method = '%s'", if (link == "logit") "logistic" else link)
                     else sprintf(", family = %s", deparse(fam_of(family, link)$family))),
    r_design = des$r_txt, r_lonely_psu = des$lonely, r_subset = if (is.null(subset_r)) NA else subset_r,
    data = des$csv, design = des$py, categorical = des$categorical, weighting = des$weighting,
    subset = if (is.null(subset_py)) NA else subset_py,
    method = method, kwargs = kw,
    names = as.list(names(cf)), coef = num(cf), std_error = num(sqrt(diag(V))),
    df_resid = num1(df_resid), n = if (method == "ologit") NA else sum(m$prior.weights != 0)
  )
  if (!is.null(m$se_fine_hessian)) rec$std_error_fine_hessian <- num(m$se_fine_hessian)
  if (!is.null(regterm)) rec$regterm <- regterm_rows(m, regterm)
  if (!is.null(predmeans)) rec$predmeans <- predmeans_rows(m, formula_r, d, family, link,
                                                           predmeans$group, predmeans$adjust)
  if (!is.null(predict)) rec$predict <- predict_rows(m, d, predict)
  cat(sprintf("%-40s %d coefficients\n", rec$id, length(cf)))
  rec
}

records <- list(
  # stratified, fpc
  record("gaussian", "strat", "glm", "api00 ~ ell + meals + mobility + stype", "api00 ~ ell + meals + mobility + stype",
         regterm = "stype", predict = c(1, 50, 120, 200)),
  record("binomial-factor", "strat", "glm", "sch.wide ~ ell + meals + stype", "sch.wide ~ ell + meals + stype",
         family = "binomial", regterm = c("stype", "ell")),
  record("poisson", "strat", "glm", "enroll ~ stype + meals", "enroll ~ stype + meals", family = "poisson"),
  record("ologit", "strat", "ologit", "stype ~ ell + meals + mobility", "stype ~ ell + meals + mobility",
         regterm = "meals"),
  record("oprobit", "strat", "ologit", "stype ~ ell + meals + mobility", "stype ~ ell + meals + mobility",
         link = "probit"),
  record("subset-gaussian", "strat", "glm", "api00 ~ ell + meals", "api00 ~ ell + meals",
         subset_r = "awards == 'Yes'", subset_py = "awards == 'Yes'"),
  # one-stage cluster, fpc
  record("gaussian", "clus1", "glm", "api00 ~ ell + meals + stype", "api00 ~ ell + meals + stype",
         predmeans = list(group = "stype", adjust = "api00 ~ ell + meals")),
  record("logit", "clus1", "glm", "I(comp.imp == 'Yes') ~ api99 + stype", "comp.imp == 'Yes' ~ api99 + stype",
         family = "binomial", predmeans = list(group = "stype", adjust = "I(comp.imp == 'Yes') ~ api99")),
  record("probit", "clus1", "glm", "I(comp.imp == 'Yes') ~ api99 + stype", "comp.imp == 'Yes' ~ api99 + stype",
         family = "binomial", link = "probit"),
  record("subset-gaussian", "clus1", "glm", "api00 ~ ell + meals", "api00 ~ ell + meals",
         subset_r = "stype != 'E'", subset_py = "stype != 'E'"),
  record("ologit", "clus1", "ologit", "stype ~ api00 + ell", "stype ~ api00 + ell"),
  # calibrated designs (post-stratified, raked): the variance uses calibration residuals
  record("gaussian", "clus1ps", "glm", "api00 ~ ell + meals + stype", "api00 ~ ell + meals + stype",
         regterm = "meals", predmeans = list(group = "stype", adjust = "api00 ~ ell + meals")),
  record("logit-subset", "clus1ps", "glm", "I(comp.imp == 'Yes') ~ api99 + meals", "comp.imp == 'Yes' ~ api99 + meals",
         family = "binomial", subset_r = "stype != 'H'", subset_py = "stype != 'H'"),
  record("ologit", "clus1ps", "ologit", "stype ~ api00 + ell", "stype ~ api00 + ell"),
  record("logit", "clus1rake", "glm", "I(comp.imp == 'Yes') ~ api99 + meals", "comp.imp == 'Yes' ~ api99 + meals",
         family = "binomial"),
  # two-stage cluster with missing values
  record("gaussian-na", "clus2", "glm", "api00 ~ acs.46 + meals", "api00 ~ acs.46 + meals"),
  record("logit-na", "clus2", "glm", "sch.wide ~ ell + acs.46", "sch.wide ~ ell + acs.46", family = "binomial"),
  # strata x PSU (nest), factors from numbers
  record("logit", "nhanes", "glm", "HI_CHOL ~ agecat + race + RIAGENDR", "HI_CHOL ~ agecat + race + RIAGENDR",
         family = "binomial", regterm = c("race", "agecat"),
         predmeans = list(group = "agecat", adjust = "HI_CHOL ~ race + RIAGENDR")),
  record("ologit", "nhanes", "ologit", "agecat ~ race + RIAGENDR + HI_CHOL", "agecat ~ race + RIAGENDR + HI_CHOL",
         regterm = "race"),
  # lonely PSUs, whole sample and a domain that lives in one PSU
  record("gaussian", "adjust", "glm", "y ~ x + dom1", "y ~ x + dom1"),
  record("logit-subset", "adjust", "glm", "I(dom1 == 'a') ~ x + z", "dom1 == 'a' ~ x + z",
         family = "binomial", subset_r = "dom2 == 'x'", subset_py = "dom2 == 'x'"),
  record("gaussian", "average", "glm", "y ~ x + dom1", "y ~ x + dom1",
         predmeans = list(group = "dom1", adjust = "y ~ x")),
  record("gaussian-subset", "average", "glm", "y ~ x + z", "y ~ x + z", subset_r = "dom2 == 'x'",
         subset_py = "dom2 == 'x'"),
  record("gaussian-strata-absent", "average", "glm", "y ~ x + dom1", "y ~ x + dom1",
         subset_r = "stratum > 4 & dom2 == 'y'", subset_py = "stratum > 4 and dom2 == 'y'"),
  record("ologit-subset", "average", "ologit", "item ~ x + z", "item ~ x + z", subset_r = "dom1 == 'b'",
         subset_py = "dom1 == 'b'"),
  # replicate designs
  record("gaussian", "jk1", "glm", "y ~ x + z + dom1", "y ~ x + z + dom1", regterm = "dom1",
         predmeans = list(group = "dom1", adjust = "y ~ x + z")),
  record("logit", "jk1", "glm", "I(dom2 == 'y') ~ x + z + dom1", "dom2 == 'y' ~ x + z + dom1", family = "binomial"),
  record("ologit", "jk1", "ologit", "item ~ x + dom1", "item ~ x + dom1"),
  record("subset-gaussian", "jk1", "glm", "y ~ x + z", "y ~ x + z", subset_r = "dom1 == 'a'", subset_py = "dom1 == 'a'"),
  record("gaussian", "boot", "glm", "y ~ x + dom2", "y ~ x + dom2"),
  record("ologit", "boot", "ologit", "item ~ x + dom2", "item ~ x + dom2"),
  record("logit", "fay", "glm", "I(dom2 == 'y') ~ x + dom1", "dom2 == 'y' ~ x + dom1", family = "binomial",
         predmeans = list(group = "dom1", adjust = "I(dom2 == 'y') ~ x")),
  # the demo survey: who is concerned about their data
  record("ologit", "demo", "ologit",
         "CONCERNCO_W49 ~ F_AGECAT + F_SEX + F_EDUCCAT + F_RACETHN + F_INCOME_RECODE + F_PARTYSUM_FINAL",
         "CONCERNCO ~ F_AGECAT + F_SEX + F_EDUCCAT + F_RACETHN + F_INCOME_RECODE + F_PARTYSUM_FINAL",
         regterm = c("F_EDUCCAT", "F_AGECAT")),
  record("oprobit", "demo", "ologit",
         "CONCERNCO_W49 ~ F_AGECAT + F_SEX + F_EDUCCAT + F_RACETHN + F_INCOME_RECODE + F_PARTYSUM_FINAL",
         "CONCERNCO ~ F_AGECAT + F_SEX + F_EDUCCAT + F_RACETHN + F_INCOME_RECODE + F_PARTYSUM_FINAL",
         link = "probit"),
  record("logit", "demo", "glm",
         "concerned ~ F_AGECAT + F_SEX + F_EDUCCAT + F_RACETHN + F_INCOME_RECODE + F_PARTYSUM_FINAL",
         "CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ F_AGECAT + F_SEX + F_EDUCCAT + F_RACETHN + F_INCOME_RECODE + F_PARTYSUM_FINAL",
         family = "binomial", regterm = c("F_EDUCCAT", "F_INCOME_RECODE"),
         predmeans = list(group = "F_AGECAT",
                          adjust = "concerned ~ F_SEX + F_EDUCCAT + F_RACETHN + F_INCOME_RECODE + F_PARTYSUM_FINAL")),
  record("subset-logit", "demo", "glm",
         "concerned ~ F_AGECAT + F_EDUCCAT",
         "CONCERNCO in ['Very concerned', 'Somewhat concerned'] ~ F_AGECAT + F_EDUCCAT",
         family = "binomial", subset_r = "F_SEX == 'Female'", subset_py = "F_SEX == 'Female'")
)

# weighted Cronbach's alpha (svy.scale): items scored 1..K in level order (numbers as they are)
alpha_record <- function(des_key, items, reverse = character(0), subset_r = NULL, subset_py = NULL) {
  des <- designs[[des_key]]
  d <- sub_design(des, subset_r)
  vars <- list()
  for (it in items) {
    x <- d$variables[[it]]
    x <- if (is.factor(x)) as.numeric(x) else x
    if (it %in% reverse) x <- if (is.factor(d$variables[[it]])) nlevels(d$variables[[it]]) + 1 - x else
      max(x, na.rm = TRUE) + min(x, na.rm = TRUE) - x
    vars[[paste0(".s", length(vars) + 1)]] <- x
  }
  d <- do.call(update, c(list(d), vars))
  f <- as.formula(paste("~", paste(names(vars), collapse = " + ")))
  a <- svycralpha(f, d, na.rm = TRUE)
  id <- paste(c(des$id, "alpha", paste(items, collapse = "+"), if (length(reverse)) "reversed",
                if (!is.null(subset_r)) "subset"), collapse = "-")
  list(id = id, data = des$csv, design = des$py,
       categorical = des$categorical, subset = if (is.null(subset_py)) NA else subset_py,
       items = as.list(items), reverse = as.list(reverse), alpha = num1(a),
       r_call = sprintf("svycralpha(~%s, design, na.rm = TRUE) on item scores", paste(items, collapse = " + ")))
}
alphas <- list(
  alpha_record("demo", c("CONCERNCO_W49", "CONCERNGOV_W49", "CONCERNLE_W49")),
  alpha_record("demo", c("CONCERNCO_W49", "CONCERNGOV_W49", "CONCERNLE_W49"), reverse = "CONCERNLE_W49",
               subset_r = "F_SEX == 'Female'", subset_py = "F_SEX == 'Female'"),
  alpha_record("clus1", c("ell", "meals", "mobility")),
  alpha_record("strat", c("ell", "meals", "mobility", "acs.46"), reverse = "mobility")
)

out <- list(generated_by = "tests/reference/models/make_model_reference.R", r_version = R.version.string,
            survey_version = as.character(packageVersion("survey")),
            mass_version = as.character(packageVersion("MASS")), records = records, alpha = alphas)
writeLines(toJSON(out, json_verbatim = TRUE, auto_unbox = TRUE, na = "null", null = "null", pretty = TRUE),
           file.path(OUT, "models_reference.json"))
cat(sprintf("%d records\n", length(records)))
