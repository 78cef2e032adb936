# Reference values from R `survey` for pewlike's data preparation (Survey.subset(name=),
# Survey.recode, Survey.score).
#
# Setup (Debian):  apt-get install -y r-cran-survey r-cran-jsonlite
# Run from the repository root (every path below is relative to it):
#   Rscript tests/reference/prep/make_prep_reference.R
# Writes, beside this script:
#   * prep_data.csv: R's apistrat and apiclus1 (survey package data) stacked with a column
#     `sample` ("strat"/"clus1"), plus two seeded survey-like coded answers:
#       concern: 1 Very, 2 Somewhat, 3 Not too, 4 Not at all concerned, 99 Refused;
#       reg:     1 Registered, 2 Probably registered, 3 Not registered;
#   * prep_reference.json: one record per estimate with its R call, estimates and SEs.
# The Refused code (99) is NA in R (a missing code in pewlike); estimates use na.rm = TRUE.
# Numbers are written with 17 significant digits.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))
data(api)

num <- function(x) structure(sprintf("%.17g", as.numeric(x)), class = "json")
nums <- function(x) lapply(as.numeric(x), num)

set.seed(2019)
answers <- function(n) {
  data.frame(
    concern = sample(c(1, 2, 3, 4, 99), n, replace = TRUE, prob = c(0.3, 0.4, 0.18, 0.09, 0.03)),
    reg = sample(1:3, n, replace = TRUE, prob = c(0.6, 0.15, 0.25))
  )
}
cols <- c("stype", "pw", "fpc", "dnum", "api00")
strat <- cbind(sample = "strat", apistrat[, cols], answers(nrow(apistrat)))
clus1 <- cbind(sample = "clus1", apiclus1[, cols], answers(nrow(apiclus1)))
both <- rbind(strat, clus1)
write.csv(both, "tests/reference/prep/prep_data.csv", row.names = FALSE)

prepare <- function(d) {
  d$concern_na <- ifelse(d$concern == 99, NA, d$concern)
  d$conc2 <- factor(ifelse(d$concern_na <= 2, "Concerned", "Not concerned"))
  d$conc_score <- c(4, 3, 2, 1)[d$concern_na]
  d$regcat <- factor(d$reg, levels = 1:3, labels = c("Registered", "Probably registered", "Not registered"))
  d
}
designs <- list(
  strat = list(
    design = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = prepare(strat)),
    text = "svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=strat)",
    kwargs = list(weights = "pw", strata = "stype", fpc = "fpc")
  ),
  clus1 = list(
    design = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = prepare(clus1)),
    text = "svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=clus1)",
    kwargs = list(weights = "pw", psu = "dnum", fpc = "fpc")
  )
)

out <- list()
add <- function(id, sample, kind, rcall, est, se, extra = list()) {
  out[[length(out) + 1]] <<- c(list(
    id = id, sample = sample, kind = kind, design = designs[[sample]]$kwargs, r_call = rcall,
    levels = names(est), estimate = nums(coef(est)), std_error = nums(SE(est))
  ), extra)
}

for (s in names(designs)) {
  des <- designs[[s]]$design
  txt <- designs[[s]]$text
  reg12 <- subset(des, reg %in% c(1, 2))
  # a named universe: estimates among the registered (codes 1 and 2)
  add(paste0(s, "-subset-mean"), s, "subset_mean",
      sprintf("svymean(~api00, subset(%s, reg %%in%% c(1, 2)))", txt),
      svymean(~api00, reg12))
  add(paste0(s, "-subset-proportion"), s, "subset_proportion",
      sprintf("svymean(~factor(concern_na), subset(%s, reg %%in%% c(1, 2)), na.rm=TRUE)", txt),
      svymean(~factor(concern_na), reg12, na.rm = TRUE))
  # recode: Concerned = 1, 2; Not concerned = 3, 4; Refused stays missing
  add(paste0(s, "-recode"), s, "recode",
      sprintf("svymean(~conc2, %s, na.rm=TRUE)  # conc2 = Concerned (1, 2) / Not concerned (3, 4)", txt),
      svymean(~conc2, des, na.rm = TRUE))
  add(paste0(s, "-subset-recode"), s, "subset_recode",
      sprintf("svymean(~conc2, subset(%s, reg %%in%% c(1, 2)), na.rm=TRUE)", txt),
      svymean(~conc2, reg12, na.rm = TRUE))
  # score: 4, 3, 2, 1 for codes 1-4; Refused NA
  add(paste0(s, "-score"), s, "score",
      sprintf("svymean(~conc_score, %s, na.rm=TRUE)  # conc_score = c(4, 3, 2, 1)[concern]", txt),
      svymean(~conc_score, des, na.rm = TRUE))
  # recode of reg with other='keep': Registered = 1, 2; 3 kept
  add(paste0(s, "-recode-keep"), s, "recode_keep",
      sprintf("svymean(~factor(ifelse(reg <= 2, 'Registered', 'Not registered')), %s)", txt),
      svymean(~factor(ifelse(reg <= 2, "Registered", "Not registered")), des))
}

writeLines(
  toJSON(list(survey_version = as.character(packageVersion("survey")), records = out),
         auto_unbox = TRUE, digits = NA, pretty = TRUE, json_verbatim = TRUE),
  "tests/reference/prep/prep_reference.json"
)
