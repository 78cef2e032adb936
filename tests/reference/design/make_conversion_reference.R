# Reference values for Survey.to_replicate() (R as.svrepdesign), written beside this script to
# tests/reference/design/conversion_reference.json (with apiclus1_pairs.csv, the data of the BRR/Fay cases).
# A record's "data" is a CSV path relative to tests/reference/design/; apistrat and apiclus1 are
# R's api data as tests/reference/estimation/make_reference.R writes them.
# Run from the repository root (every path below is relative to it):
#   Rscript tests/reference/design/make_conversion_reference.R
# Needs: apt-get install -y r-cran-survey r-cran-jsonlite
suppressMessages(library(survey)); library(jsonlite)
data(api)
out <- list()
add <- function(id, rcall, design, data, method, kwargs, est, se, convert) {
  out[[length(out)+1]] <<- list(id=id, r_call=rcall, data=data, design=design, convert=convert,
    method=method, kwargs=kwargs, estimate=unname(est), std_error=unname(se))
}
dstrat <- svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)
dclus1 <- svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)
dclus1n <- svydesign(id=~dnum, weights=~pw, data=apiclus1)
m <- svymean(~api00, as.svrepdesign(dstrat, type="JKn")); add("jkn-apistrat", "svymean(~api00, as.svrepdesign(svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat), type='JKn'))", list(weights="pw", strata="stype", fpc="fpc"), "../estimation/apistrat.csv", "mean", list(var="api00"), coef(m), SE(m), list(reptype="JKn"))
m <- svymean(~api00, as.svrepdesign(dclus1, type="JK1")); add("jk1-apiclus1-fpc", "svymean(~api00, as.svrepdesign(svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1), type='JK1'))", list(weights="pw", psu="dnum", fpc="fpc"), "../estimation/apiclus1.csv", "mean", list(var="api00"), coef(m), SE(m), list(reptype="JK1"))
m <- svytotal(~enroll, as.svrepdesign(dclus1n, type="JK1")); add("jk1-apiclus1", "svytotal(~enroll, as.svrepdesign(svydesign(id=~dnum, weights=~pw, data=apiclus1), type='JK1'))", list(weights="pw", psu="dnum"), "../estimation/apiclus1.csv", "total", list(var="enroll"), coef(m), SE(m), list(reptype="JK1"))
# BRR / Fay on a 2-PSU-per-stratum design built from apiclus1 districts
set.seed(7); d2 <- apiclus1; d2$pair <- as.integer(factor(d2$dnum)); d2$st <- (d2$pair + 1) %/% 2
d2 <- d2[d2$st <= 7, ]
write.csv(d2[, c("dnum","st","pw","api00","enroll","stype")], "tests/reference/design/apiclus1_pairs.csv", row.names=FALSE)
dp <- svydesign(id=~dnum, strata=~st, weights=~pw, data=d2)
m <- svymean(~api00, as.svrepdesign(dp, type="BRR")); add("brr-pairs", "svymean(~api00, as.svrepdesign(svydesign(id=~dnum, strata=~st, weights=~pw, data=d2), type='BRR'))", list(weights="pw", strata="st", psu="dnum"), "apiclus1_pairs.csv", "mean", list(var="api00"), coef(m), SE(m), list(reptype="BRR"))
m <- svymean(~api00, as.svrepdesign(dp, type="Fay", fay.rho=0.5)); add("fay-pairs", "svymean(~api00, as.svrepdesign(svydesign(id=~dnum, strata=~st, weights=~pw, data=d2), type='Fay', fay.rho=0.5))", list(weights="pw", strata="st", psu="dnum"), "apiclus1_pairs.csv", "mean", list(var="api00"), coef(m), SE(m), list(reptype="Fay", rho=0.5))
m <- svymean(~stype, as.svrepdesign(dp, type="JKn")); add("jkn-pairs-prop", "svymean(~stype, as.svrepdesign(svydesign(id=~dnum, strata=~st, weights=~pw, data=d2), type='JKn'))", list(weights="pw", strata="st", psu="dnum"), "apiclus1_pairs.csv", "proportion", list(var="stype"), coef(m), SE(m), list(reptype="JKn"))
writeLines(toJSON(list(survey_version=as.character(packageVersion("survey")), records=out), auto_unbox=TRUE, digits=NA, pretty=TRUE), "tests/reference/design/conversion_reference.json")
