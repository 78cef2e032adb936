# Reference values from R `survey` for pewlike's estimator tests.
#
# Setup (Debian):  apt-get update && apt-get install -y r-cran-survey r-cran-haven r-cran-jsonlite
# Run from the repository root (every path below is relative to it):
#   Rscript tests/reference/estimation/make_reference.R
#
# Writes into tests/reference/estimation/ (beside this script)
#   {apistrat,apiclus1,apiclus2,nhanes,scd}.csv   R survey's example data (columns used); also
#                                                 read by the weighting, tables, design and models
#                                                 references and by the tests' shared fixtures
#   gen_design.csv                                a generated multistage sample with lonely strata
#                                                 and replicate weights (make_model_reference.R
#                                                 reads it)
#   gen_jkn_rscales.csv                           rscales matching the jkn_* columns
#   {apistrat,apiclus1,apiclus2,nhanes,scd,gen_design,demo}.json   one fixture file per data set
#
# Every record keeps the R call that produced it ("r_call") and the design it used ("r_design");
# "design" holds the matching pewlike.Survey keyword arguments. Numbers are written with 17
# significant digits. Designs are always built from the CSV as read back, so R and Python see
# the same numbers. Conventions (also described in tests/estimation/test_reference_estimates.py):
#   * mean/total: svymean/svytotal(deff = "replace"), CI = confint() (normal quantile);
#   * proportion: estimate, SE, deff from svymean() on the factor; CI from
#     svyciprop(~I(x == level), method = ci) (t quantile with degf() of the domain design);
#     cases with a missing x are dropped first (domain), as na_rm = TRUE does;
#   * ratio: svyratio(), normal CI, no deff (null);
#   * quantile: svyquantile(ci = TRUE) with this version's defaults, SE as SE() reports it;
#   * n: unweighted count of valid cases in the cell (for proportions: cases with that level);
#   * by: cells with a missing by value, and cells with no valid case, are left out;
#   * survey 4.1 has no svyciprop(method = "wilson"): those limits use the Wilson formula of
#     later versions (n_eff = p(1 - p)/var, t quantile on degf of the domain), see wilson_ci().
# R's options are left at their defaults (survey.adjust.domain.lonely = FALSE) apart from
# survey.lonely.psu, which follows the design's lonely_psu.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))  # factor levels sorted by code point, as Python does
options(survey.lonely.psu = "fail", survey.adjust.domain.lonely = FALSE)

DATA_DIR <- file.path("tests", "reference", "estimation")
REF_DIR <- DATA_DIR  # the JSON fixtures sit beside the CSV files they are computed from
PROP_CI_ALL <- c("logit", "beta", "wilson", "xlogit", "mean")

# ---------------------------------------------------------------------------------------------
# JSON helpers
# ---------------------------------------------------------------------------------------------

num <- function(x) {
  x <- suppressWarnings(as.numeric(x))
  if (length(x) != 1 || !is.finite(x)) return(NA)
  structure(sprintf("%.17g", x), class = "json")
}

write_fixture <- function(records, name) {
  out <- list(
    generated_by = "tests/reference/estimation/make_reference.R",
    r_version = R.version.string,
    survey_version = as.character(packageVersion("survey")),
    records = records
  )
  path <- file.path(REF_DIR, paste0(name, ".json"))
  txt <- toJSON(out, json_verbatim = TRUE, auto_unbox = TRUE, na = "null", null = "null",
                pretty = TRUE)
  writeLines(txt, path)
  cat(sprintf("%-28s %4d records\n", path, length(records)))
}

write_data <- function(df, name) {
  path <- file.path(DATA_DIR, name)
  write.csv(df, path, row.names = FALSE, na = "")
  read.csv(path, stringsAsFactors = TRUE, check.names = FALSE, na.strings = "")
}

# ---------------------------------------------------------------------------------------------
# Designs: the R object plus the pewlike description of it
# ---------------------------------------------------------------------------------------------

make_design <- function(id, r_txt, data, csv, py, lonely = "fail", env = list()) {
  op <- options(survey.lonely.psu = lonely)
  on.exit(options(op))
  r <- suppressWarnings(eval(parse(text = r_txt), envir = c(list(data = data), env)))
  list(id = id, r = r, r_txt = r_txt, csv = csv, py = py, lonely = lonely)
}

record <- function(D, id, r_call, method, kwargs, rows = NULL, stat = NULL, error = NULL) {
  if (length(kwargs) == 0) kwargs <- setNames(list(), character(0))
  rec <- list(
    id = paste(D$id, id, sep = "-"),
    r_call = r_call,
    r_design = D$r_txt,
    data = D$csv,
    design = D$py,
    options = list(adjust_domain_lonely = FALSE),
    method = method,
    kwargs = kwargs
  )
  if (!is.null(rows)) rec$rows <- rows
  if (!is.null(stat)) rec$stat <- stat
  if (!is.null(error)) rec$error <- error
  rec
}

with_lonely <- function(D, expr) {
  op <- options(survey.lonely.psu = D$lonely)
  on.exit(options(op))
  force(expr)
}

mkrow <- function(variable, level, byvals, est, se, lo, hi, deff, n) {
  r <- list(variable = variable, level = if (is.null(level)) NA else level)
  for (b in names(byvals)) r[[b]] <- as.character(byvals[[b]])
  c(r, list(estimate = num(est), std_error = num(se), ci_lower = num(lo), ci_upper = num(hi),
            deff = num(deff), n = as.integer(n)))
}

by_formula <- function(by) as.formula(paste("~", paste(by, collapse = " + ")))
by_txt <- function(by) paste0("~", paste(by, collapse = " + "))
by_kw <- function(by) if (length(by) == 1) by else as.list(by)

# rows of a svyby result -> list of named by values, and a mask selecting that cell in `dat`
cell_values <- function(b, by, i) {
  v <- lapply(by, function(g) as.character(b[[g]][i]))
  names(v) <- by
  v
}
# the combinations of by values present in `dat` (none missing), sorted as svyby sorts them
by_cells <- function(dat, by) {
  cells <- unique(dat[, by, drop = FALSE])
  cells <- cells[complete.cases(cells), , drop = FALSE]
  cells[do.call(order, unname(as.list(cells))), , drop = FALSE]
}
cell_mask <- function(dat, vals) {
  m <- rep(TRUE, nrow(dat))
  for (g in names(vals)) m <- m & !is.na(dat[[g]]) & as.character(dat[[g]]) == vals[[g]]
  m
}

# ---------------------------------------------------------------------------------------------
# Estimators (each returns one record)
# ---------------------------------------------------------------------------------------------

ref_mean <- function(D, var, by = NULL, method = "mean") {
  with_lonely(D, {
    fun_name <- if (method == "mean") "svymean" else "svytotal"
    FUN <- get(fun_name)
    f <- as.formula(paste0("~", var))
    dat <- D$r$variables
    ok <- !is.na(dat[[var]])
    kw <- list(var = var)
    if (any(!ok)) kw$na_rm <- TRUE
    if (is.null(by)) {
      m <- FUN(f, D$r, deff = "replace", na.rm = TRUE)
      ci <- confint(m)
      rows <- list(mkrow(var, NULL, list(), coef(m)[1], SE(m)[1], ci[1, 1], ci[1, 2],
                         deff(m)[1], sum(ok)))
      call <- sprintf("%s(~%s, design, deff = 'replace', na.rm = TRUE)", fun_name, var)
      id <- paste(method, var, sep = "-")
    } else {
      b <- svyby(f, by_formula(by), D$r[complete.cases(dat[, by]), ], FUN, deff = "replace",
                 na.rm = TRUE)
      ci <- confint(b)
      est <- coef(b); se <- SE(b); de <- b[[paste0("DEff.", var)]]
      rows <- lapply(seq_len(nrow(b)), function(i) {
        vals <- cell_values(b, by, i)
        mkrow(var, NULL, vals, est[i], se[i], ci[i, 1], ci[i, 2], de[i],
              sum(ok & cell_mask(dat, vals)))
      })
      # a cell with no valid case comes back from svyby as 0 (SE 0): not an estimate, left out
      rows <- Filter(function(r) r$n > 0, rows)
      call <- sprintf("svyby(~%s, %s, design, %s, deff = 'replace', na.rm = TRUE)",
                      var, by_txt(by), fun_name)
      kw$by <- by_kw(by)
      id <- paste(method, var, "by", paste(by, collapse = "+"), sep = "-")
    }
    record(D, id, call, method, kw, rows = rows)
  })
}

# Wilson interval with effective sample size and t quantile (df = degf of the domain design).
# survey 4.1 has no method = "wilson" in svyciprop(); this follows the formula that later
# versions (>= 4.2) use, evaluated from svymean() of this version.
wilson_ci <- function(f, design, level = 0.95) {
  m <- svymean(f, design)
  p <- as.numeric(coef(m)[1])
  n_eff <- p * (1 - p) / as.numeric(vcov(m))
  t <- qt((1 - level) / 2, df = degf(design), lower.tail = FALSE)
  centre <- p + t^2 / (2 * n_eff)
  half <- t / (2 * n_eff) * sqrt(4 * n_eff * p * (1 - p) + t^2)
  c(centre - half, centre + half) / (1 + t^2 / n_eff)
}

ciprop <- function(lev_f, design, ci) {
  if (ci == "wilson") {
    num_f <- as.formula(paste0("~as.numeric(", deparse(lev_f[[2]]), ")"))
    return(wilson_ci(num_f, design))
  }
  as.numeric(attr(svyciprop(lev_f, design, method = ci), "ci"))
}

ref_prop <- function(D, var, by = NULL, ci = "logit") {
  with_lonely(D, {
    dat0 <- D$r$variables
    des <- D$r[!is.na(dat0[[var]]), ]
    dat <- des$variables
    levs <- levels(droplevels(factor(dat[[var]])))
    f <- as.formula(paste0("~", var))
    lev_formula <- function(lev) as.formula(sprintf("~I(%s == \"%s\")", var, lev))
    kw <- list(var = var, ci = ci)
    ci_call <- if (ci == "wilson") {
      "CI: Wilson with n_eff = p(1-p)/var and t(degf(domain)) as in survey >= 4.2 svyciprop(method = 'wilson') (computed from svymean(); 4.1 lacks it)"
    } else {
      sprintf("CI: svyciprop(~I(%s == level), design, method = '%s')", var, ci)
    }
    if (is.null(by)) {
      m <- svymean(f, des, deff = "replace")
      rows <- lapply(seq_along(levs), function(k) {
        lim <- ciprop(lev_formula(levs[k]), des, ci)
        j <- match(paste0(var, levs[k]), names(coef(m)))
        mkrow(var, levs[k], list(), coef(m)[j], SE(m)[j], lim[1], lim[2], deff(m)[j],
              sum(dat[[var]] == levs[k]))
      })
      call <- sprintf("svymean(~%s, subset(design, !is.na(%s)), deff = 'replace'); %s",
                      var, var, ci_call)
      id <- paste("proportion", var, ci, sep = "-")
    } else {
      cells <- by_cells(dat, by)
      rows <- list()
      for (k in seq_along(levs)) {
        for (i in seq_len(nrow(cells))) {
          vals <- cell_values(cells, by, i)
          mask <- cell_mask(dat, vals)
          cell <- des[mask, ]
          m <- svymean(f, cell, deff = "replace")
          lim <- ciprop(lev_formula(levs[k]), cell, ci)
          j <- match(paste0(var, levs[k]), names(coef(m)))
          rows[[length(rows) + 1]] <- mkrow(
            var, levs[k], vals, coef(m)[j], SE(m)[j], lim[1], lim[2], deff(m)[j],
            sum(mask & dat[[var]] == levs[k]))
        }
      }
      call <- sprintf(paste0("svyby(~%s, %s, subset(design, !is.na(%s)), svymean, deff = 'replace')",
                             " (evaluated cell by cell as svymean(~x, design[cell, ]));",
                             " %s per cell, i.e. svyby(~I(%s == level), %s, ..., svyciprop, vartype = 'ci', method = '%s')"),
                      var, by_txt(by), var, ci_call, var, by_txt(by), ci)
      kw$by <- by_kw(by)
      id <- paste("proportion", var, ci, "by", paste(by, collapse = "+"), sep = "-")
    }
    record(D, id, call, "proportion", kw, rows = rows)
  })
}

ref_ratio <- function(D, num_var, den_var, by = NULL) {
  with_lonely(D, {
    dat <- D$r$variables
    ok <- !is.na(dat[[num_var]]) & !is.na(dat[[den_var]])
    fn <- as.formula(paste0("~", num_var)); fd <- as.formula(paste0("~", den_var))
    variable <- paste(num_var, den_var, sep = "/")
    kw <- list(numerator = num_var, denominator = den_var)
    if (is.null(by)) {
      r <- svyratio(fn, fd, D$r, na.rm = TRUE)
      ci <- confint(r)
      rows <- list(mkrow(variable, NULL, list(), coef(r)[1], SE(r)[1], ci[1, 1], ci[1, 2],
                         NA, sum(ok)))
      call <- sprintf("svyratio(~%s, ~%s, design, na.rm = TRUE)", num_var, den_var)
      id <- paste("ratio", variable, sep = "-")
    } else {
      b <- svyby(fn, by_formula(by), D$r, svyratio, denominator = fd, na.rm = TRUE)
      ci <- confint(b)
      est <- coef(b); se <- SE(b)
      rows <- lapply(seq_len(nrow(b)), function(i) {
        vals <- cell_values(b, by, i)
        mkrow(variable, NULL, vals, est[i], se[i], ci[i, 1], ci[i, 2], NA,
              sum(ok & cell_mask(dat, vals)))
      })
      call <- sprintf("svyby(~%s, %s, design, svyratio, denominator = ~%s, na.rm = TRUE)",
                      num_var, by_txt(by), den_var)
      kw$by <- by_kw(by)
      id <- paste("ratio", variable, "by", paste(by, collapse = "+"), sep = "-")
    }
    record(D, id, call, "ratio", kw, rows = rows)
  })
}

quantile_rows <- function(var, design, q, vals, n) {
  s <- svyquantile(as.formula(paste0("~", var)), design, q, ci = TRUE, na.rm = TRUE)
  est <- coef(s); se <- SE(s); ci <- confint(s)
  lapply(seq_along(q), function(k) {
    mkrow(var, format(q[k]), vals, est[k], se[k], ci[k, 1], ci[k, 2], NA, n)
  })
}

ref_quantile <- function(D, var, by = NULL, q = c(0.25, 0.5)) {
  with_lonely(D, {
    dat <- D$r$variables
    ok <- !is.na(dat[[var]])
    kw <- list(var = var, q = q)
    if (is.null(by)) {
      rows <- quantile_rows(var, D$r, q, list(), sum(ok))
      call <- sprintf("svyquantile(~%s, design, c(%s), ci = TRUE, na.rm = TRUE)",
                      var, paste(q, collapse = ", "))
      id <- paste("quantile", var, sep = "-")
    } else {
      cells <- by_cells(dat, by)
      rows <- list()
      for (i in seq_len(nrow(cells))) {
        vals <- cell_values(cells, by, i)
        mask <- cell_mask(dat, vals)
        rows <- c(rows, quantile_rows(var, D$r[mask, ], q, vals, sum(ok & mask)))
      }
      call <- sprintf(paste0("svyby(~%s, %s, design, svyquantile, quantiles = c(%s), ci = TRUE,",
                             " na.rm = TRUE), computed cell by cell as svyquantile(~%s,",
                             " design[cell, ], ...)"),
                      var, by_txt(by), paste(q, collapse = ", "), var)
      kw$by <- by_kw(by)
      id <- paste("quantile", var, "by", paste(by, collapse = "+"), sep = "-")
    }
    record(D, id, call, "quantile", kw, rows = rows)
  })
}

ref_chisq <- function(D, row, col, statistic = "F") {
  with_lonely(D, {
    s <- svychisq(as.formula(sprintf("~%s + %s", row, col)), D$r, statistic = statistic)
    df <- as.numeric(s$parameter)
    stat <- list(statistic = num(s$statistic),
                 df = if (length(df) == 1) num(df) else lapply(df, num),
                 p_value = num(s$p.value))
    call <- sprintf("svychisq(~%s + %s, design, statistic = '%s')", row, col, statistic)
    record(D, paste("chisq", row, col, statistic, sep = "-"), call, "chisq",
           list(row = row, col = col, statistic = statistic), stat = stat)
  })
}

ref_ttest <- function(D, var, group) {
  with_lonely(D, {
    t <- svyttest(as.formula(sprintf("%s ~ %s", var, group)), D$r)
    est <- as.numeric(t$estimate)
    se <- est / as.numeric(t$statistic)
    stat <- list(statistic = num(t$statistic), df = num(t$parameter), p_value = num(t$p.value))
    rows <- list(list(estimate = num(est), std_error = num(se)))
    call <- sprintf("svyttest(%s ~ %s, design); std_error = estimate / statistic", var, group)
    record(D, paste("ttest", var, group, sep = "-"), call, "ttest",
           list(var = var, by = group), rows = rows, stat = stat)
  })
}

ref_degf <- function(D) {
  with_lonely(D, {
    rec <- record(D, "degf", "degf(design)", "degf", list())
    rec$value <- as.integer(degf(D$r))
    rec
  })
}

ref_error <- function(D, var, method = "mean") {
  msg <- with_lonely(D, tryCatch({
    svymean(as.formula(paste0("~", var)), D$r, na.rm = TRUE)
    NULL
  }, error = function(e) conditionMessage(e)))
  if (is.null(msg)) stop("expected an error from design ", D$id)
  call <- sprintf("svymean(~%s, design, na.rm = TRUE) -> error: %s", var, msg)
  record(D, paste("error", method, var, sep = "-"), call, method,
         list(var = var, na_rm = TRUE), error = "DesignError")
}

# A standard set of records for one design. `cfg` names the variables to use; a missing
# entry skips that estimator.
battery <- function(D, cfg, prop_ci = c("logit", "beta"), quantiles = TRUE,
                    chisq_stats = c("F", "Chisq", "Wald", "adjWald")) {
  recs <- list(ref_degf(D))
  add <- function(r) recs[[length(recs) + 1]] <<- r
  by2 <- c(cfg$by1, cfg$by2)
  add(ref_mean(D, cfg$mean))
  add(ref_mean(D, cfg$mean, by = cfg$by1))
  if (length(by2) == 2) add(ref_mean(D, cfg$mean, by = by2))
  if (!is.null(cfg$mean_na)) {
    add(ref_mean(D, cfg$mean_na))
    add(ref_mean(D, cfg$mean_na, by = cfg$by1))
  }
  add(ref_mean(D, cfg$total, method = "total"))
  add(ref_mean(D, cfg$total, by = cfg$by1, method = "total"))
  if (!is.null(cfg$prop)) {
    for (ci in prop_ci) add(ref_prop(D, cfg$prop, ci = ci))
    for (ci in intersect(prop_ci, c("logit", "beta")))
      add(ref_prop(D, cfg$prop, by = cfg$prop_by, ci = ci))
    if (length(cfg$prop_by2) == 2) add(ref_prop(D, cfg$prop, by = cfg$prop_by2, ci = "logit"))
  }
  if (!is.null(cfg$ratio)) {
    add(ref_ratio(D, cfg$ratio[1], cfg$ratio[2]))
    add(ref_ratio(D, cfg$ratio[1], cfg$ratio[2], by = cfg$by1))
  }
  if (quantiles && !is.null(cfg$quantile)) {
    add(ref_quantile(D, cfg$quantile))
    add(ref_quantile(D, cfg$quantile, by = cfg$by1))
  }
  if (!is.null(cfg$chisq))
    for (s in chisq_stats) add(ref_chisq(D, cfg$chisq[1], cfg$chisq[2], s))
  if (!is.null(cfg$ttest)) add(ref_ttest(D, cfg$ttest[1], cfg$ttest[2]))
  recs
}

# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

API_COLS <- c("cds", "stype", "sch.wide", "comp.imp", "both", "awards", "api00", "api99",
              "enroll", "api.stu", "meals", "ell", "mobility", "acs.46", "pw", "fpc", "dnum",
              "snum", "cname")

export_api <- function() {
  data(api, package = "survey", envir = environment())
  clus2_cols <- c(setdiff(API_COLS, "fpc"), "fpc1", "fpc2")
  apiclus2$fpc2 <- as.vector(apiclus2$fpc2)
  list(
    apistrat = write_data(apistrat[, API_COLS], "apistrat.csv"),
    apiclus1 = write_data(apiclus1[, API_COLS], "apiclus1.csv"),
    apiclus2 = write_data(apiclus2[, clus2_cols], "apiclus2.csv")
  )
}

export_nhanes <- function() {
  data(nhanes, package = "survey", envir = environment())
  write_data(nhanes, "nhanes.csv")
}

# The svrepdesign() example: BRR on 6 ambulance stations, no sampling weights. The replicate
# columns are written as combined weights (sampling weight 1 times the 0/2 multipliers).
export_scd <- function() {
  data(scd, package = "survey", envir = environment())
  multipliers <- 2 * cbind(c(1, 0, 1, 0, 1, 0), c(1, 0, 0, 1, 0, 1),
                           c(0, 1, 1, 0, 0, 1), c(0, 1, 0, 1, 1, 0))
  colnames(multipliers) <- paste0("rep", 1:4)
  write_data(cbind(scd, weight = 1, multipliers), "scd.csv")
}

# A stratified two-stage sample: 12 strata with 1-6 PSUs (strata 1 and 2 have a single PSU),
# 3-6 second-stage units per PSU, 2-4 rows per second-stage unit. fpc1 = PSUs in the stratum's
# population, fpc2 = second-stage units in the PSU's population. In stratum 4 the domain
# dom2 == "x" lives in one PSU only (a lonely PSU inside a domain).
generate_design_data <- function() {
  set.seed(20191115)
  npsu <- c(1, 1, 2, 3, 4, 5, 6, 2, 3, 4, 5, 6)
  parts <- list()
  for (h in seq_along(npsu)) {
    N_h <- npsu[h] + sample(2:8, 1)
    for (j in seq_len(npsu[h])) {
      nssu <- sample(3:6, 1)
      M <- nssu + sample(2:12, 1)
      u <- rnorm(1, 0, 4)
      for (k in seq_len(nssu)) {
        m <- sample(2:4, 1)
        parts[[length(parts) + 1]] <- data.frame(
          stratum = h, psu = 100 * h + j, psu_in_stratum = j, ssu = k, fpc1 = N_h, fpc2 = M,
          base = (N_h / npsu[h]) * (M / nssu), u = u, k = seq_len(m))
      }
    }
  }
  g <- do.call(rbind, parts)
  n <- nrow(g)
  g$w <- round(g$base * runif(n, 0.7, 1.3), 4)
  g$stratum_c <- ifelse(g$stratum == 1, 3, ifelse(g$stratum == 2, 4, g$stratum))
  g$dom1 <- sample(c("a", "b"), n, replace = TRUE, prob = c(0.45, 0.55))
  g$dom2 <- sample(c("x", "y"), n, replace = TRUE)
  g$dom2[g$stratum == 4] <- ifelse(g$psu[g$stratum == 4] == 401, "x", "y")
  g$y <- round(50 + 2 * g$stratum + g$u + 3 * (g$dom1 == "b") + rnorm(n, 0, 8), 3)
  g$y[sample(n, round(0.06 * n))] <- NA
  g$x <- round(runif(n, 1, 5) + g$stratum / 24, 3)
  g$z <- round(8 * g$x + rnorm(n, 0, 3) + 10 + g$u, 3)
  latent <- g$u / 4 + 0.4 * (g$dom1 == "b") + rnorm(n)
  g$item <- as.character(cut(latent, c(-Inf, -0.8, 0, 0.9, Inf),
                             labels = c("Not at all", "Not too", "Somewhat", "Very")))
  g$item[sample(n, round(0.05 * n))] <- NA
  g[, c("stratum", "stratum_c", "psu", "psu_in_stratum", "ssu", "fpc1", "fpc2", "w",
        "dom1", "dom2", "y", "x", "z", "item")]
}

# Replicate weights for the generated sample (combined weights, i.e. w times the multipliers).
add_replicates <- function(g) {
  set.seed(20191116)
  reps <- function(design, prefix, ...) {
    r <- as.svrepdesign(design, ...)
    W <- weights(r, "analysis")
    W <- matrix(as.numeric(as.matrix(unclass(W))), nrow = nrow(g))
    colnames(W) <- paste0(prefix, seq_len(ncol(W)))
    list(W = W, r = r)
  }
  clus <- svydesign(id = ~psu, weights = ~w, data = g)
  strat <- svydesign(id = ~psu, strata = ~stratum_c, weights = ~w, data = g)
  jk1 <- reps(clus, "jk1_", type = "JK1", compress = FALSE)
  jkn <- reps(strat, "jkn_", type = "JKn", compress = FALSE)
  boot <- reps(strat, "boot_", type = "bootstrap", replicates = 50, compress = FALSE)
  fay <- reps(strat, "fay_", type = "Fay", fay.rho = 0.3, compress = FALSE, large = "merge")
  # successive-difference style multipliers 1 + 2^(-3/2) (H[a, r] - H[b, r]) by PSU, 20 columns
  H <- hadamard(20)[, 1:20]
  psus <- sort(unique(g$psu))
  a <- (seq_along(psus) %% nrow(H)) + 1
  b <- ((seq_along(psus) + 1) %% nrow(H)) + 1
  f <- 1 + 2^(-1.5) * (H[a, , drop = FALSE] - H[b, , drop = FALSE])
  sdr <- g$w * f[match(g$psu, psus), ]
  colnames(sdr) <- paste0("sdr_", 1:20)
  rscales <- data.frame(column = colnames(jkn$W), rscale = jkn$r$rscales)
  write.csv(rscales, file.path(DATA_DIR, "gen_jkn_rscales.csv"), row.names = FALSE)
  cbind(g, jk1$W, jkn$W, boot$W, fay$W, sdr)
}

# ---------------------------------------------------------------------------------------------
# Fixtures per data set
# ---------------------------------------------------------------------------------------------

# (awards by stype and sch.wide would leave empty cells: awards implies sch.wide == "Yes")
API_CFG <- list(mean = "api00", by1 = "stype", by2 = "sch.wide", mean_na = "acs.46",
                total = "enroll", prop = "awards", prop_by = "stype",
                ratio = c("api00", "api99"),
                quantile = "api00", chisq = c("sch.wide", "stype"), ttest = c("api00", "awards"))

fixtures_api <- function(api) {
  dwt <- make_design("apistrat-weights", "svydesign(id = ~1, weights = ~pw, data = data)",
                     api$apistrat, "apistrat.csv", list(weights = "pw"))
  dstrat <- make_design("apistrat-strat",
                        "svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = data)",
                        api$apistrat, "apistrat.csv",
                        list(weights = "pw", strata = "stype", fpc = "fpc"))
  dclus1 <- make_design("apiclus1", "svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = data)",
                        api$apiclus1, "apiclus1.csv",
                        list(weights = "pw", psu = "dnum", fpc = "fpc"))
  dclus2 <- make_design("apiclus2",
                        "svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw, data = data)",
                        api$apiclus2, "apiclus2.csv",
                        list(weights = "pw", psu = list("dnum", "snum"), fpc = list("fpc1", "fpc2")))
  write_fixture(c(battery(dwt, API_CFG), battery(dstrat, API_CFG, prop_ci = PROP_CI_ALL)),
                "apistrat")
  write_fixture(battery(dclus1, API_CFG, prop_ci = PROP_CI_ALL), "apiclus1")
  clus2_cfg <- modifyList(API_CFG, list(mean_na = "enroll"))
  write_fixture(battery(dclus2, clus2_cfg), "apiclus2")
}

fixtures_nhanes <- function(nh) {
  D <- make_design("nhanes",
                   "svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = data)",
                   nh, "nhanes.csv",
                   list(weights = "WTMEC2YR", strata = "SDMVSTRA", psu = "SDMVPSU", nest = TRUE))
  cfg <- list(mean = "HI_CHOL", by1 = "RIAGENDR", by2 = "race", total = "HI_CHOL",
              prop = "agecat", prop_by = "RIAGENDR", prop_by2 = c("RIAGENDR", "race"),
              quantile = NULL, chisq = c("agecat", "RIAGENDR"), ttest = c("HI_CHOL", "RIAGENDR"))
  write_fixture(battery(D, cfg, prop_ci = PROP_CI_ALL), "nhanes")
}

fixtures_scd <- function(scd) {
  D <- make_design("scd-brr",
                   "svrepdesign(data = data, type = 'BRR', repweights = ~rep1 + rep2 + rep3 + rep4, weights = ~weight, combined.weights = TRUE)",
                   scd, "scd.csv",
                   list(weights = "weight", repweights = list("rep1", "rep2", "rep3", "rep4"),
                        reptype = "BRR"))
  cfg <- list(mean = "arrests", by1 = "ESA", total = "alive",
              ratio = c("alive", "arrests"))
  write_fixture(battery(D, cfg), "scd")
}

GEN_CFG <- list(mean = "z", by1 = "dom2", by2 = "dom1", mean_na = "y", total = "y",
                prop = "item", prop_by = "dom1", prop_by2 = c("dom1", "dom2"),
                ratio = c("z", "x"), quantile = "z", chisq = c("item", "dom1"),
                ttest = c("y", "dom1"))

fixtures_gen <- function(gen) {
  recs <- list()
  one_stage <- "svydesign(id = ~psu, strata = ~stratum, fpc = ~fpc1, weights = ~w, data = data)"
  one_py <- list(weights = "w", strata = "stratum", psu = "psu", fpc = "fpc1")
  fail <- make_design("gen-1stage-fail", one_stage, gen, "gen_design.csv",
                      c(one_py, lonely_psu = "fail"), lonely = "fail")
  recs <- c(recs, list(ref_error(fail, "z")))
  for (lonely in c("remove", "adjust", "average", "certainty")) {
    D <- make_design(paste0("gen-1stage-", lonely), one_stage, gen, "gen_design.csv",
                     c(one_py, lonely_psu = lonely), lonely = lonely)
    recs <- c(recs, battery(D, GEN_CFG, prop_ci = if (lonely == "adjust") PROP_CI_ALL else c("logit", "beta")))
  }
  two_stage <- "svydesign(id = ~psu + ssu, strata = ~stratum, fpc = ~fpc1 + fpc2, weights = ~w, data = data)"
  two_py <- list(weights = "w", strata = "stratum", psu = list("psu", "ssu"),
                 fpc = list("fpc1", "fpc2"))
  for (lonely in c("adjust", "certainty")) {
    D <- make_design(paste0("gen-2stage-", lonely), two_stage, gen, "gen_design.csv",
                     c(two_py, lonely_psu = lonely), lonely = lonely)
    recs <- c(recs, battery(D, GEN_CFG))
  }
  nest <- make_design("gen-nest-remove",
                      "svydesign(id = ~psu_in_stratum, strata = ~stratum, weights = ~w, nest = TRUE, data = data)",
                      gen, "gen_design.csv",
                      list(weights = "w", strata = "stratum", psu = "psu_in_stratum", nest = TRUE,
                           lonely_psu = "remove"), lonely = "remove")
  recs <- c(recs, battery(nest, GEN_CFG, quantiles = FALSE))

  R_jk1 <- length(grep("^jk1_", names(gen)))
  jkn_cols <- grep("^jkn_", names(gen), value = TRUE)
  rscales <- read.csv(file.path(DATA_DIR, "gen_jkn_rscales.csv"))$rscale
  rep_designs <- list(
    list("gen-jk1", sprintf("svrepdesign(data = data, type = 'JK1', repweights = '^jk1_', weights = ~w, combined.weights = TRUE, scale = %d/%d)", R_jk1 - 1, R_jk1),
         list(weights = "w", repweights = "jk1_*", reptype = "JK1", scale = num((R_jk1 - 1) / R_jk1))),
    list("gen-jk1-mse", sprintf("svrepdesign(data = data, type = 'JK1', repweights = '^jk1_', weights = ~w, combined.weights = TRUE, scale = %d/%d, mse = TRUE)", R_jk1 - 1, R_jk1),
         list(weights = "w", repweights = "jk1_*", reptype = "JK1", scale = num((R_jk1 - 1) / R_jk1), mse = TRUE)),
    list("gen-jkn", "svrepdesign(data = data, type = 'JKn', repweights = '^jkn_', weights = ~w, combined.weights = TRUE, rscales = <gen_jkn_rscales.csv>)",
         list(weights = "w", repweights = as.list(jkn_cols), reptype = "JKn", rscales = lapply(rscales, num))),
    list("gen-boot", "svrepdesign(data = data, type = 'bootstrap', repweights = '^boot_', weights = ~w, combined.weights = TRUE)",
         list(weights = "w", repweights = "boot_*", reptype = "bootstrap")),
    list("gen-boot-mse", "svrepdesign(data = data, type = 'bootstrap', repweights = '^boot_', weights = ~w, combined.weights = TRUE, mse = TRUE)",
         list(weights = "w", repweights = "boot_*", reptype = "bootstrap", mse = TRUE)),
    list("gen-sdr", "svrepdesign(data = data, type = 'successive-difference', repweights = '^sdr_', weights = ~w, combined.weights = TRUE)",
         list(weights = "w", repweights = "sdr_*", reptype = "SDR")),
    list("gen-fay", "svrepdesign(data = data, type = 'Fay', rho = 0.3, repweights = '^fay_', weights = ~w, combined.weights = TRUE)",
         list(weights = "w", repweights = "fay_*", reptype = "Fay", rho = 0.3))
  )
  for (spec in rep_designs) {
    r_txt <- sub("<gen_jkn_rscales.csv>", "rscales", spec[[2]], fixed = TRUE)
    D <- make_design(spec[[1]], r_txt, gen, "gen_design.csv", spec[[3]],
                     env = list(rscales = rscales))
    D$r_txt <- spec[[2]]
    cis <- if (spec[[1]] == "gen-jkn") PROP_CI_ALL else c("logit", "beta")
    recs <- c(recs, battery(D, GEN_CFG, prop_ci = cis))
  }
  write_fixture(recs, "gen_design")
}

main <- function() {
  dir.create(REF_DIR, recursive = TRUE, showWarnings = FALSE)
  api <- export_api()
  fixtures_api(api)
  fixtures_nhanes(export_nhanes())
  fixtures_scd(export_scd())
  gen <- write_data(add_replicates(generate_design_data()), "gen_design.csv")
  fixtures_gen(gen)
  if (file.exists(DEMO_PATH)) fixtures_demo() else message("demo file ", DEMO_PATH, " not found: skipped")
}

# The bundled synthetic privacy survey. pewlike drops the refusal codes from the base
# (99 "Refused"; 9 "DK/Refused/No lean" for party), so they are NA here; labelled values
# become factors with the value labels as levels, in code order.
DEMO_PATH <- file.path("pewlike", "datasets", "privacy_survey_demo.sav")
fixtures_demo <- function() {
  raw <- haven::read_sav(DEMO_PATH)
  demo <- as.data.frame(lapply(raw, function(x) {
    if (!haven::is.labelled(x)) return(as.vector(x))
    x[x %in% c(9, 99)] <- NA
    droplevels(haven::as_factor(x, levels = "labels"))
  }))
  D <- make_design("demo", "svydesign(id = ~1, weights = ~WEIGHT_W49, data = data)", demo, "demo",
                   list(weights = "WEIGHT_W49"))
  recs <- list(ref_degf(D))
  for (ci in c("logit", "beta")) {
    recs <- c(recs, list(ref_prop(D, "CONCERNCO_W49", ci = ci)))
    for (by in c("F_PARTYSUM_FINAL", "F_AGECAT"))
      recs <- c(recs, list(ref_prop(D, "CONCERNCO_W49", by = by, ci = ci)))
  }
  # the file's only unlabelled numbers are the respondent id and the weight
  recs <- c(recs, list(ref_mean(D, "QKEY"), ref_mean(D, "QKEY", by = "F_AGECAT")))
  for (s in c("F", "Chisq")) recs <- c(recs, list(ref_chisq(D, "CONCERNCO_W49", "F_EDUCCAT", s)))
  write_fixture(recs, "demo")
}

if (sys.nframe() == 0) main()
