# Reference values for the denominator df (nu) of R survey's svychisq, where it is not degf().
#
# Setup (Debian):  apt-get update && apt-get install -y r-cran-survey r-cran-jsonlite
# Run from this folder:  Rscript make_chisq_nu.R   (writes chisq_nu.json)
#
# R 4.1.1's svychisq takes nu = length(unique(design$cluster[, 1])) - length(unique(design$strata[, 1])):
# every row the design object holds, weighted zero or not.  degf() counts rows with a nonzero weight.
# The two differ with zero weights, and in subsets of calibrated designs (whose rows R keeps).
suppressMessages({
  library(survey)
  library(jsonlite)
})
options(survey.lonely.psu = "fail")

test <- function(formula, design, statistic = "F") {
  x <- suppressWarnings(svychisq(formula, design, statistic = statistic))
  list(statistic = unname(x$statistic), ndf = unname(x$parameter[1]), ddf = unname(x$parameter[2]),
       p = unname(x$p.value), degf = degf(design),
       call = paste(deparse(sys.call()), collapse = " "))
}

zw <- read.csv("zero_weights.csv")
zdes <- svydesign(ids = ~psu, strata = ~st, weights = ~w, data = zw, nest = TRUE)
zrows <- svydesign(ids = ~1, weights = ~w, data = zw)

api <- read.csv("../estimation/apiclus1.csv")
cl <- svydesign(ids = ~dnum, weights = ~pw, data = api, fpc = ~fpc)
pop <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
ps <- postStratify(cl, ~stype, pop)
sub_first <- subset(cl, dnum < 400)
pop_sub <- data.frame(stype = c("E", "H", "M"), Freq = c(2000, 400, 500))

out <- list(
  zero_clustered = test(~Q + G, zdes),
  zero_clustered_wald = test(~Q + G, zdes, "Wald"),
  zero_clustered_adjwald = test(~Q + G, zdes, "adjWald"),
  zero_rows = test(~Q + G, zrows),
  zero_clustered_subset = test(~Q + G, subset(zdes, H == "x")),
  calibrated_then_subset = test(~comp.imp + awards, subset(ps, dnum < 400)),
  subset_then_calibrated = test(~comp.imp + awards, postStratify(sub_first, ~stype, pop_sub)),
  calibrated_then_two_subsets = test(~comp.imp + awards, subset(subset(ps, dnum < 600), dnum > 100))
)
txt <- toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE)
writeLines(txt, "chisq_nu.json")
