# Reference values from R `survey` for 72 seeded samples of many designs (randomised comparison).
#
# Setup (Debian):  apt-get update && apt-get install -y r-cran-survey r-cran-jsonlite
# Run from the repository root:
#   python tests/reference/random_designs/designs.py /tmp/random_designs
#   Rscript tests/reference/random_designs/make_reference.R /tmp/random_designs
#
# Writes tests/reference/random_designs/reference.json: per sample, the design (pewlike.Survey
# keywords, as designs.py made it), the R design call, and R's results of
#   mean      svymean(~y, na.rm = TRUE, deff = "replace")      estimate, SE, deff
#   total     svytotal(~y, na.rm = TRUE)                       estimate, SE
#   prop      svymean(~x) on subset(design, !is.na(x))         estimates, SEs (levels a, b, c)
#   bymean    svyby(~y, ~grp, svymean, na.rm = TRUE)            estimates, SEs (g1, g2, g3)
#   bytotal   svyby(~y, ~grp, svytotal, na.rm = TRUE)           estimates, SEs
#   ratio     svyratio(~y, ~y2) on subset(design, !is.na(y))   estimate, SE
#   chisq     svychisq(~x + grp, statistic = "F")              statistic, ndf, ddf, p
#   ttest     svyttest(y ~ z)                                  difference, t, df, p
#   quantile  svyquantile(~y, 0.5, na.rm = TRUE, ci = TRUE)    estimate, SE
#   logit     svyglm(z ~ y2 + grp, quasibinomial())            coefficients, SEs
#   domain    svymean(~y, subset(design, grp == "g1"), na.rm = TRUE)
#   ciprop    svyciprop(~I(x == "a"), method = "logit" / "beta") on subset(design, !is.na(x))
#   raked     svymean(~y) after rake() to grp 30/30/40 % and z 45/55 % of the weight total
#             (control: maxit 100, epsilon 1e-12)
#   ologit    svyolr(x ~ y2 + grp), x ordered a < b < c (not replicate designs: svyolr's
#             replicate refits take no control), optim reltol 1e-15
# A result R refuses is stored as the string "error: <R's message>".  svyglm runs to
# epsilon = 1e-16 (maxit 1000): at R's default stopping point its sandwich is computed at the
# second-to-last iterate, off by up to 1e-5 relative where PSU totals nearly cancel.
# Numbers are written with 17 significant digits.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))
options(survey.adjust.domain.lonely = FALSE)

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript make_reference.R DIR (written by designs.py)")
dir <- args[[1]]
designs <- fromJSON(file.path(dir, "designs.json"), simplifyVector = FALSE)

tilde <- function(cols) as.formula(paste("~", paste(unlist(cols), collapse = " + ")))

r_design <- function(df, d) {
  options(survey.lonely.psu = if (is.null(d$lonely_psu)) "fail" else d$lonely_psu)
  if (!is.null(d$reptype)) {
    type <- if (d$reptype == "SDR") "successive-difference" else d$reptype
    call <- list(data = df, weights = ~w, repweights = "rw[0-9]+", type = type, combined.weights = TRUE)
    if (!is.null(d$rscales)) call$rscales <- unlist(d$rscales)
    if (!is.null(d$rho)) call$rho <- d$rho
    return(list(design = do.call(svrepdesign, call),
                text = sprintf("svrepdesign(weights = ~w, repweights = 'rw[0-9]+', type = '%s', combined.weights = TRUE%s%s)",
                               type, if (is.null(d$rscales)) "" else ", rscales = <JKn: (n_h - 1)/n_h>",
                               if (is.null(d$rho)) "" else sprintf(", rho = %g", d$rho))))
  }
  call <- list(ids = if (is.null(d$psu)) ~1 else tilde(d$psu), weights = ~w, data = df)
  if (!is.null(d$strata)) call$strata <- tilde(d$strata)
  if (!is.null(d$fpc)) call$fpc <- tilde(d$fpc)
  if (isTRUE(d$nest)) call$nest <- TRUE
  text <- sprintf("svydesign(ids = %s, strata = %s, fpc = %s, weights = ~w, nest = %s), survey.lonely.psu = '%s'",
                  deparse(call$ids), if (is.null(call$strata)) "NULL" else deparse(call$strata),
                  if (is.null(call$fpc)) "NULL" else deparse(call$fpc), isTRUE(d$nest), getOption("survey.lonely.psu"))
  list(design = do.call(svydesign, call), text = text)
}

attempt <- function(expr) tryCatch(expr, error = function(e) paste("error:", conditionMessage(e)))
# numbers as JSON arrays with 17 significant digits (jsonlite itself stops at 15); NaN/Inf as null
vec <- function(x) {
  x <- unname(as.numeric(x))
  txt <- ifelse(is.finite(x), sprintf("%.17g", x), "null")
  structure(paste0("[", paste(txt, collapse = ", "), "]"), class = "json")
}
exact <- function(d) {  # the design as read: a number stays a number, a list of numbers a list
  lapply(d, function(v) {
    if (is.double(v) && length(v) == 1) structure(sprintf("%.17g", v), class = "json")
    else if (is.list(v) && all(vapply(v, is.double, TRUE))) vec(unlist(v))
    else v
  })
}
pair <- function(x) list(estimate = vec(coef(x)), std_error = vec(SE(x)))

records <- list()
for (seed in names(designs)) {
  d <- designs[[seed]]
  df <- read.csv(file.path(dir, sprintf("d%s.csv", seed)), stringsAsFactors = FALSE)
  df$x <- factor(ifelse(df$x == "", NA, df$x))
  df$grp <- factor(df$grp)
  made <- r_design(df, d)
  des <- made$design
  res <- list()
  res$mean <- attempt({
    m <- svymean(~y, des, na.rm = TRUE, deff = "replace")
    c(pair(m), list(deff = vec(deff(m))))
  })
  res$total <- attempt(pair(svytotal(~y, des, na.rm = TRUE)))
  res$prop <- attempt(pair(svymean(~x, subset(des, !is.na(x)))))
  res$bymean <- attempt(pair(svyby(~y, ~grp, des, svymean, na.rm = TRUE)))
  res$bytotal <- attempt(pair(svyby(~y, ~grp, des, svytotal, na.rm = TRUE)))
  res$ratio <- attempt(pair(svyratio(~y, ~y2, subset(des, !is.na(y)))))
  res$chisq <- attempt({
    ch <- svychisq(~x + grp, des, statistic = "F")
    list(statistic = vec(ch$statistic), ndf = vec(ch$parameter[[1]]), ddf = vec(ch$parameter[[2]]),
         p_value = vec(ch$p.value))
  })
  res$ttest <- attempt({
    tt <- svyttest(y ~ z, des)
    list(estimate = vec(tt$estimate), statistic = vec(tt$statistic), df = vec(tt$parameter), p_value = vec(tt$p.value))
  })
  res$quantile <- attempt(pair(svyquantile(~y, des, 0.5, na.rm = TRUE, ci = TRUE)))
  res$logit <- attempt(pair(svyglm(z ~ y2 + grp, des, family = quasibinomial(),
                                   control = glm.control(epsilon = 1e-16, maxit = 1000))))
  res$domain <- attempt(pair(svymean(~y, subset(des, grp == "g1"), na.rm = TRUE)))
  res$ciprop <- attempt({
    answered <- subset(des, !is.na(x))
    ci <- lapply(c("logit", "beta"), function(m) as.numeric(attr(svyciprop(~I(x == "a"), answered, method = m), "ci")))
    list(logit = vec(ci[[1]]), beta = vec(ci[[2]]))
  })
  res$raked <- attempt({
    total <- sum(weights(des, "sampling"))
    grp_m <- data.frame(grp = c("g1", "g2", "g3"), Freq = total * c(0.3, 0.3, 0.4))
    z_m <- data.frame(z = c(0, 1), Freq = total * c(0.45, 0.55))
    raked <- rake(des, list(~grp, ~z), list(grp_m, z_m), control = list(maxit = 100, epsilon = 1e-12))
    pair(svymean(~y, raked, na.rm = TRUE))
  })
  if (is.null(d$reptype)) {  # svyolr's replicate refits take no control (see tests/reference/models)
    res$ologit <- attempt({
      des_o <- update(des, xo = factor(x, levels = c("a", "b", "c"), ordered = TRUE))
      pair(svyolr(xo ~ y2 + grp, des_o, control = list(reltol = 1e-15, maxit = 10000)))
    })
  }
  records[[length(records) + 1]] <- list(seed = as.integer(seed), design = exact(d), r_design = made$text, results = res)
}
out <- file.path("tests", "reference", "random_designs", "reference.json")
writeLines(toJSON(list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
                       records = records), auto_unbox = TRUE, json_verbatim = TRUE, pretty = TRUE, null = "null"), out)
cat("wrote", out, "with", length(records), "samples\n")
