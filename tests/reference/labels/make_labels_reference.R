# Reference values from R `survey` for nets after relabelling (issue #11, "labels fit for publication").
#
# Setup (Debian):  apt-get install -y r-cran-survey r-cran-jsonlite
# Run from the repository root:
#   Rscript tests/reference/labels/make_labels_reference.R
# Writes, beside this script, labels_data.csv (a seeded stratified cluster sample: stratum, psu,
# weight, group, and q: a four-point scale coded 1-4 with 99 = Refused) and reference_labels.json.
#
# pewlike relabels q's answers (codes 1-4 get new labels) and gives q a short name; the automatic
# nets then take the top two (codes 1, 2) and the bottom two (codes 3, 4).  R has no relabelling
# that changes numbers, so the reference is the recoded variable itself:
#   * net (valid base): d_valid = subset(d, q != 99);
#       svyciprop(~I(q %in% members), d_valid, method = "logit") for estimate and interval,
#       svymean(~I(q %in% members), d_valid, deff = "replace") for SE and design effect;
#   * net by group: svyby(~I(q %in% members), ~group, d_valid, svyciprop, method = "logit", vartype = c("se", "ci"));
#   * the recoded factor: svymean(~net, d_valid) with net = factor(top two / bottom two): both shares and SEs.
# Numbers are written with 17 significant digits.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

num <- function(x) structure(sprintf("%.17g", as.numeric(x)), class = "json")
nums <- function(x) lapply(as.numeric(x), num)
here <- file.path("tests", "reference", "labels")

set.seed(20261206)
n_str <- 4; psu_per <- 6; per_psu <- 25
rows <- expand.grid(i = seq_len(per_psu), psu = seq_len(psu_per), stratum = seq_len(n_str))
n <- nrow(rows)
psu_id <- (rows$stratum - 1) * psu_per + rows$psu
psu_eff <- rnorm(n_str * psu_per, sd = 0.6)[psu_id]
group <- sample(c("A", "B", "C"), n, replace = TRUE)
lat <- psu_eff + 0.4 * (group == "B") - 0.3 * (group == "C") + rnorm(n)
q <- cut(lat, c(-Inf, -0.8, 0.2, 1.1, Inf), labels = FALSE)
q[runif(n) < 0.05] <- 99
dat <- data.frame(
  stratum = rows$stratum,
  psu = psu_id,
  weight = round(rgamma(n, shape = 4, rate = 2) * (1 + 0.3 * rows$stratum), 6),
  group = group,
  q = q
)
write.csv(dat, file.path(here, "labels_data.csv"), row.names = FALSE)

dat <- read.csv(file.path(here, "labels_data.csv"))
d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = dat)
d_valid <- subset(d, q != 99)
top <- c(1, 2); bottom <- c(3, 4)

net_record <- function(members, name) {
  f <- as.formula(sprintf("~I(q %%in%% c(%s))", paste(members, collapse = ", ")))
  ci <- svyciprop(f, d_valid, method = "logit")
  m <- svymean(f, d_valid, deff = "replace")
  by <- svyby(f, ~group, d_valid, svyciprop, method = "logit", vartype = c("se", "ci"))
  list(
    net = name,
    codes = members,
    call = sprintf("svyciprop(%s, subset(d, q != 99), method = 'logit'); svymean(..., deff = 'replace')",
                   deparse(f)),
    estimate = num(coef(ci)),
    std_error = num(SE(m)[[2]]),
    ci_lower = num(attr(ci, "ci")[[1]]),
    ci_upper = num(attr(ci, "ci")[[2]]),
    deff = num(deff(m)[[2]]),
    by_call = sprintf("svyby(%s, ~group, subset(d, q != 99), svyciprop, method = 'logit', vartype = c('se', 'ci'))",
                      deparse(f)),
    by_group = as.character(by$group),
    by_estimate = nums(by[[2]]),
    by_std_error = nums(by[[3]]),
    by_ci_lower = nums(by[[4]]),
    by_ci_upper = nums(by[[5]])
  )
}

dat_valid <- d_valid
dat_valid <- update(dat_valid, net = factor(ifelse(q %in% top, "top", "bottom"), levels = c("top", "bottom")))
fm <- svymean(~net, dat_valid)

out <- list(
  design = "svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = labels_data.csv)",
  survey_version = as.character(packageVersion("survey")),
  nets = list(net_record(top, "top"), net_record(bottom, "bottom")),
  recoded = list(
    call = "svymean(~net, subset(d, q != 99)) with net = factor(q in 1:2 -> top, 3:4 -> bottom)",
    estimate = nums(coef(fm)),
    std_error = nums(SE(fm))
  )
)
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE, digits = NA), file.path(here, "reference_labels.json"))
