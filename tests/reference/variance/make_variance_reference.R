# Reference values from R `survey` for tests/variance/test_variance.py (pewlike's variance engine).
#
# Setup (Debian):  apt-get install -y r-cran-survey
# Run from the repository root (every path below is relative to it):
#   Rscript tests/reference/variance/make_variance_reference.R
#
# Writes into tests/reference/variance/ (beside this script):
#   api_strat.csv, api_clus1.csv, api_clus2.csv  columns of R's api data (plus R's fpc$popsize,
#                                                fpc$sampsize and calibrated weights)
#   lonely.csv       a generated stratified cluster sample with lonely strata and a domain
#   brr.csv          a generated sample with 2 PSUs in each of 17 strata
#   reprand.csv      generated replicate weights (for svrepdesign/svrVar checks)
#   vcov.csv         case, i, j, value, r_call: covariance matrices from R
#   scalars.csv      case, name, index, value, r_call: degf, scale, rscales, ...
#   repw_<case>.csv  weights(as.svrepdesign(...), "analysis") matrices, one file per distinct
#                    matrix: a case whose matrix is the same as an earlier case's (JK1 with and
#                    without fpc; JKn with lonely strata removed, averaged or as certainty
#                    units) shares that case's file
#   repw_index.csv   case, file: the repw_*.csv file of every case
#   hadamard.csv     n, size, rows of hadamard(n) (0/1 strings)
# Numbers are written with 17 significant digits. Designs are built from the CSV as read back.

suppressPackageStartupMessages(library(survey))
data(api)
out <- "tests/reference/variance"
dir.create(out, recursive = TRUE, showWarnings = FALSE)

num17 <- function(df) {
  for (nm in names(df)) if (is.numeric(df[[nm]])) df[[nm]] <- sprintf("%.17g", df[[nm]])
  df
}
put <- function(df, file) {
  write.csv(num17(df), file.path(out, file), row.names = FALSE, quote = FALSE)
  read.csv(file.path(out, file), stringsAsFactors = FALSE)
}

vc <- list(); sc <- list()

# Replicate-weight matrices are written once each: a case whose CSV text equals a file already
# written reuses that file; repw_index.csv records which file holds each case's matrix.
repw_text <- list()  # file name -> CSV text written there
repw_index <- data.frame(case = character(), file = character())
csv_text <- function(df) paste(capture.output(write.csv(df, row.names = FALSE, quote = FALSE)), collapse = "\n")
write_repw <- function(case, r) {
  m <- num17(as.data.frame(weights(r, "analysis")))
  txt <- csv_text(m)
  same <- Filter(function(f) identical(repw_text[[f]], txt), names(repw_text))
  if (length(same)) {
    file <- same[[1]]
  } else {
    file <- paste0("repw_", case, ".csv")
    write.csv(m, file.path(out, file), row.names = FALSE, quote = FALSE)
    repw_text[[file]] <<- txt
  }
  repw_index <<- rbind(repw_index, data.frame(case = case, file = file))
}
add_vcov <- function(case, m, call) {
  m <- as.matrix(m)
  k <- nrow(m)
  vc[[length(vc) + 1]] <<- data.frame(case = case, i = rep(seq_len(k) - 1, k),
                                      j = rep(seq_len(k) - 1, each = k),
                                      value = as.vector(m), r_call = call)
}
add_scalar <- function(case, name, value, call) {
  sc[[length(sc) + 1]] <<- data.frame(case = case, name = name, index = seq_along(value) - 1,
                                      value = as.numeric(value), r_call = call)
}
ys <- ~api00 + api99 + meals + ell

# ---------------------------------------------------------------- api designs
options(survey.lonely.psu = "fail", survey.adjust.domain.lonely = FALSE,
        survey.ultimate.cluster = FALSE)

st <- put(apistrat[, c("stype", "fpc", "pw", "api00", "api99", "meals", "ell")], "api_strat.csv")
d <- svydesign(id = ~1, strata = ~stype, fpc = ~fpc, weights = ~pw, data = st)
add_vcov("strat_fpc", vcov(svytotal(ys, d)), "vcov(svytotal(~api00+api99+meals+ell, svydesign(id=~1, strata=~stype, fpc=~fpc, weights=~pw, data=apistrat)))")
add_vcov("strat_fpc_mean", vcov(svymean(ys, d)), "vcov(svymean(~api00+api99+meals+ell, same design))")
add_scalar("strat_fpc", "popsize", d$fpc$popsize[, 1], "svydesign(...)$fpc$popsize[,1]")
add_scalar("strat_fpc", "degf", degf(d), "degf(design)")
d <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = st)
add_vcov("strat_nofpc", vcov(svytotal(ys, d)), "vcov(svytotal(~api00+api99+meals+ell, svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat)))")
d <- svydesign(id = ~1, weights = ~pw, data = st)
add_vcov("weights_only", vcov(svytotal(ys, d)), "vcov(svytotal(~api00+api99+meals+ell, svydesign(id=~1, weights=~pw, data=apistrat)))")
add_scalar("weights_only", "degf", degf(d), "degf(svydesign(id=~1, weights=~pw, data=apistrat))")

c1 <- apiclus1[, c("dnum", "stype", "sch.wide", "fpc", "pw", "api00", "api99", "meals", "ell")]
names(c1)[3] <- "sch_wide"
d1 <- svydesign(id = ~dnum, fpc = ~fpc, weights = ~pw, data = c1)
pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_sw <- data.frame(sch_wide = c("No", "Yes"), Freq = c(1072, 5122))
dps <- postStratify(d1, ~stype, pop_stype)
cal_pop <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, api99 = 3914069)
dcal <- calibrate(d1, ~stype + api99, population = cal_pop)
dcr <- calibrate(d1, ~stype + api99, population = cal_pop, calfun = "raking")
drk <- rake(d1, list(~stype, ~sch_wide), list(pop_stype, pop_sw))
rk <- drk$postStrata[[1]]
c1$w_ps <- weights(dps); c1$w_cal <- weights(dcal); c1$w_calrake <- weights(dcr)
c1$w_rake <- weights(drk)
c1$rake_psw1 <- attr(rk[[1]], "weights"); c1$rake_psw2 <- attr(rk[[2]], "weights")
c1 <- put(c1, "api_clus1.csv")
d1 <- svydesign(id = ~dnum, fpc = ~fpc, weights = ~pw, data = c1)
add_vcov("clus1_fpc", vcov(svytotal(ys, d1)), "vcov(svytotal(~api00+api99+meals+ell, svydesign(id=~dnum, fpc=~fpc, weights=~pw, data=apiclus1)))")
add_scalar("clus1_fpc", "degf", degf(d1), "degf(svydesign(id=~dnum, fpc=~fpc, weights=~pw, data=apiclus1))")
add_vcov("clus1_nofpc", vcov(svytotal(ys, svydesign(id = ~dnum, weights = ~pw, data = c1))),
         "vcov(svytotal(~api00+api99+meals+ell, svydesign(id=~dnum, weights=~pw, data=apiclus1)))")
dps <- postStratify(d1, ~stype, pop_stype)
add_vcov("clus1_poststrat", vcov(svytotal(ys, dps)), "vcov(svytotal(ys, postStratify(dclus1, ~stype, data.frame(stype=c('E','H','M'), Freq=c(4421,755,1018)))))")
dcal <- calibrate(d1, ~stype + api99, population = cal_pop)
add_vcov("clus1_calibrate", vcov(svytotal(ys, dcal)), "vcov(svytotal(ys, calibrate(dclus1, ~stype+api99, population=c(6194,755,1018,3914069))))")
dcr <- calibrate(d1, ~stype + api99, population = cal_pop, calfun = "raking")
add_vcov("clus1_calibrate_raking", vcov(svytotal(ys, dcr)), "vcov(svytotal(ys, calibrate(dclus1, ~stype+api99, population=c(6194,755,1018,3914069), calfun='raking')))")
drk <- rake(d1, list(~stype, ~sch_wide), list(pop_stype, pop_sw))
add_vcov("clus1_rake", vcov(svytotal(ys, drk)), "vcov(svytotal(ys, rake(dclus1, list(~stype, ~sch.wide), list(pop_stype, data.frame(sch.wide=c('No','Yes'), Freq=c(1072,5122))))))")

c2 <- apiclus2[, c("dnum", "snum", "fpc1", "fpc2", "pw", "api00", "api99", "meals", "ell")]
d2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = c2)
c2$w <- weights(d2)
c2$popsize1 <- d2$fpc$popsize[, 1]; c2$popsize2 <- d2$fpc$popsize[, 2]
c2$sampsize1 <- d2$fpc$sampsize[, 1]; c2$sampsize2 <- d2$fpc$sampsize[, 2]
c2$frac1 <- c2$sampsize1 / c2$fpc1; c2$frac2 <- c2$sampsize2 / c2$fpc2
c2 <- put(c2, "api_clus2.csv")
d2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = c2)
add_vcov("clus2_fpc", vcov(svytotal(ys, d2)), "vcov(svytotal(~api00+api99+meals+ell, svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2)))")
add_scalar("clus2_fpc", "degf", degf(d2), "degf(svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2))")
d2f <- svydesign(id = ~dnum + snum, fpc = ~frac1 + frac2, data = c2)
add_vcov("clus2_frac", vcov(svytotal(ys, d2f)), "vcov(svytotal(ys, svydesign(id=~dnum+snum, fpc=~frac1+frac2, data=apiclus2))) # fpc as fractions")
c2$inf2 <- Inf
d2i <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + inf2, weights = ~w, data = c2)
options(survey.lonely.psu = "remove")  # districts with one sampled school are lonely at stage 2
add_vcov("clus2_inf2", vcov(svytotal(ys, d2i)), "options(survey.lonely.psu='remove'); vcov(svytotal(ys, svydesign(id=~dnum+snum, fpc=~fpc1+inf2, weights=~w, data=apiclus2))) # inf2=Inf")
options(survey.lonely.psu = "fail")
d2n <- svydesign(id = ~dnum + snum, weights = ~w, data = c2)
add_vcov("clus2_nofpc", vcov(svytotal(ys, d2n)), "vcov(svytotal(ys, svydesign(id=~dnum+snum, weights=~w, data=apiclus2)))")
options(survey.ultimate.cluster = TRUE)
add_vcov("clus2_onestage", vcov(svytotal(ys, d2)), "options(survey.ultimate.cluster=TRUE); vcov(svytotal(ys, clus2 design with fpc1+fpc2))")
options(survey.ultimate.cluster = FALSE)

# ---------------------------------------------------------------- lonely PSUs and domains
set.seed(20261126)
npsu <- c(3, 2, 1, 4, 2, 1, 3, 2)
rows <- do.call(rbind, lapply(seq_along(npsu), function(h) {
  do.call(rbind, lapply(seq_len(npsu[h]), function(j) {
    m <- sample(3:6, 1)
    data.frame(stratum = h, psu = 100 * h + j, m = m)
  }))
}))
lon <- rows[rep(seq_len(nrow(rows)), rows$m), c("stratum", "psu")]
nl <- nrow(lon)
lon$w <- round(runif(nl, 5, 40), 3)
lon$y1 <- round(rnorm(nl, 50, 10), 3)
lon$y2 <- rbinom(nl, 1, 0.4)
lon$N <- npsu[lon$stratum] * 4
lon$N[lon$stratum == 6] <- 1                          # stratum 6: a certainty PSU
lon$dom <- as.integer(!(lon$psu %in% c(202, 402, 403, 404)) & lon$y1 > 40)  # strata 2, 4 lonely in domain
lon$grp <- lon$psu %% 4                                  # domains that miss whole strata
lon <- put(lon, "lonely.csv")
lony <- ~y1 + y2
for (lp in c("remove", "adjust", "average", "certainty")) {
  options(survey.lonely.psu = lp)
  dl <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = lon)
  add_vcov(paste0("lonely_", lp), vcov(svytotal(lony, dl)),
           sprintf("options(survey.lonely.psu='%s'); vcov(svytotal(~y1+y2, svydesign(id=~psu, strata=~stratum, weights=~w, data=lonely)))", lp))
  dlf <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~N, data = lon)
  add_vcov(paste0("lonely_fpc_", lp), vcov(svytotal(lony, dlf)),
           sprintf("options(survey.lonely.psu='%s'); vcov(svytotal(~y1+y2, svydesign(id=~psu, strata=~stratum, weights=~w, fpc=~N, data=lonely)))", lp))
  for (adl in c(FALSE, TRUE)) {
    options(survey.adjust.domain.lonely = adl)
    v <- suppressWarnings(vcov(svytotal(lony, subset(dl, dom == 1))))
    add_vcov(sprintf("domain_%s_%s", lp, adl), v,
             sprintf("options(survey.lonely.psu='%s', survey.adjust.domain.lonely=%s); vcov(svytotal(~y1+y2, subset(lonely design, dom==1)))", lp, adl))
  }
  options(survey.adjust.domain.lonely = FALSE)
  by <- svyby(~y1, ~grp, dl, svytotal)
  add_scalar(paste0("svyby_", lp), "se", SE(by), sprintf("options(survey.lonely.psu='%s'); SE(svyby(~y1, ~grp, lonely design, svytotal)) # grp = psu %%%% 4", lp))
  if (lp == "adjust") add_scalar("domain", "degf", degf(subset(dl, dom == 1)), "degf(subset(lonely design, dom==1))")
  r <- as.svrepdesign(dl, type = "JKn")
  write_repw(paste0("jkn_lonely_", lp), r)
  add_scalar(paste0("jkn_lonely_", lp), "scale", r$scale, sprintf("options(survey.lonely.psu='%s'); as.svrepdesign(lonely design, type='JKn')$scale", lp))
  add_scalar(paste0("jkn_lonely_", lp), "rscales", r$rscales, "as.svrepdesign(lonely design, type='JKn')$rscales")
}
options(survey.lonely.psu = "fail")

# ---------------------------------------------------------------- replicate weights from designs
repw <- function(case, r, call) {
  write_repw(case, r)
  add_scalar(case, "scale", r$scale, paste0(call, "$scale"))
  add_scalar(case, "rscales", r$rscales, paste0(call, "$rscales"))
  add_scalar(case, "degf", degf(r), paste0("degf(", call, ")"))
}
d1n <- svydesign(id = ~dnum, weights = ~pw, data = c1)
repw("jk1_clus1", as.svrepdesign(d1n, type = "JK1"), "as.svrepdesign(svydesign(id=~dnum, weights=~pw, data=apiclus1), type='JK1')")
repw("jk1_clus1_fpc", as.svrepdesign(d1, type = "JK1"), "as.svrepdesign(svydesign(id=~dnum, fpc=~fpc, weights=~pw, data=apiclus1), type='JK1')")
lon_ok <- lon[!(lon$stratum %in% c(3, 6)), ]
dlo <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~N, data = lon_ok)
repw("jkn_lonely_ok_fpc", as.svrepdesign(dlo, type = "JKn"), "as.svrepdesign(svydesign(id=~psu, strata=~stratum, weights=~w, fpc=~N, data=subset(lonely, !stratum %in% c(3,6))), type='JKn')")

set.seed(7)
br <- do.call(rbind, lapply(1:17, function(h) do.call(rbind, lapply(1:2, function(j)
  data.frame(stratum = h, psu = 1000 * j + h, m = sample(2:4, 1))))))
br <- br[sample(nrow(br)), ]                           # PSUs in scrambled order
br <- br[rep(seq_len(nrow(br)), br$m), c("stratum", "psu")]
br$w <- round(runif(nrow(br), 1, 9), 3)
br$y1 <- round(rnorm(nrow(br)), 4); br$y2 <- round(rexp(nrow(br)), 4)
br <- put(br, "brr.csv")
db <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = br)
repw("brr17", as.svrepdesign(db, type = "BRR"), "as.svrepdesign(svydesign(id=~psu, strata=~stratum, weights=~w, data=brr), type='BRR')")
repw("fay17", as.svrepdesign(db, type = "Fay", fay.rho = 0.3), "as.svrepdesign(svydesign(id=~psu, strata=~stratum, weights=~w, data=brr), type='Fay', fay.rho=0.3)")
db10 <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = subset(br, stratum <= 10))
repw("brr10", as.svrepdesign(db10, type = "BRR"), "as.svrepdesign(svydesign(id=~psu, strata=~stratum, weights=~w, data=subset(brr, stratum<=10)), type='BRR')")
add_vcov("brr17_total", vcov(svytotal(~y1 + y2, as.svrepdesign(db, type = "BRR"))), "vcov(svytotal(~y1+y2, as.svrepdesign(brr design, type='BRR')))")

# ---------------------------------------------------------------- svrepdesign types and svrVar
set.seed(11)
nrr <- nrow(lon); R <- 24
rw <- lon$w * matrix(round(runif(nrr * R, 0, 2), 3), nrr, R)
colnames(rw) <- sprintf("rw%02d", seq_len(R))
rr <- put(cbind(lon[, c("w", "y1", "y2")], as.data.frame(rw)), "reprand.csv")
rwm <- as.matrix(rr[, sprintf("rw%02d", seq_len(R))])
rsc <- seq(0.5, 1.2, length.out = R)
types <- list(
  BRR = list(type = "BRR"), Fay = list(type = "Fay", rho = 0.3),
  JK1 = list(type = "JK1", scale = 23 / 24), JKn = list(type = "JKn", rscales = rsc),
  bootstrap = list(type = "bootstrap"), sdr = list(type = "successive-difference"),
  ACS = list(type = "ACS"), JK2 = list(type = "JK2"), other = list(type = "other", scale = 0.7, rscales = rsc))
for (nm in names(types)) for (mse in c(FALSE, TRUE)) {
  a <- types[[nm]]
  rd <- suppressWarnings(do.call(svrepdesign, c(list(data = rr, repweights = rwm, weights = ~w,
                                                     combined.weights = TRUE, mse = mse), a)))
  case <- sprintf("svrep_%s_%s", nm, mse)
  add_vcov(case, vcov(svytotal(~y1 + y2, rd)), sprintf("vcov(svytotal(~y1+y2, svrepdesign(data=reprand, repweights=rw01..rw24, weights=~w, combined.weights=TRUE, mse=%s, %s)))", mse, paste(names(a), sapply(a, function(v) paste(format(v, digits = 17), collapse = ",")), sep = "=", collapse = ", ")))
  add_scalar(case, "scale", rd$scale, "svrepdesign(...)$scale")
  add_scalar(case, "rscales", rd$rscales, "svrepdesign(...)$rscales")
  if (!mse) add_scalar(case, "degf", degf(rd), "degf(svrepdesign(...))")
}
th <- t(rwm) %*% as.matrix(rr[, c("y1", "y2")])
th[c(3, 10), 1] <- NA
full <- colSums(rr$w * rr[, c("y1", "y2")])
for (mse in c(FALSE, TRUE)) {
  v <- suppressWarnings(survey:::svrVar(th, scale = 0.2, rscales = rsc, mse = mse, coef = full))
  add_vcov(sprintf("svrvar_na_%s", mse), v, sprintf("survey:::svrVar(thetas with NA in replicates 3 and 10, scale=0.2, rscales=seq(0.5,1.2,length=24), mse=%s, coef=full)", mse))
}
lowrank <- cbind(rwm[, 1:6], rwm[, 1] + rwm[, 2], 2 * rwm[, 3], rwm[, 7:8])
rdl <- suppressWarnings(svrepdesign(data = rr, repweights = lowrank, weights = ~w, type = "other", scale = 1, rscales = 1))
add_scalar("lowrank", "degf", degf(rdl), "degf(svrepdesign(repweights=cbind(rw1..rw6, rw1+rw2, 2*rw3, rw7, rw8), type='other'))")

# ---------------------------------------------------------------- Hadamard matrices
hn <- c(1:72, 99, 107, 127, 131)
had <- do.call(rbind, lapply(hn, function(n) {
  H <- hadamard(n)
  data.frame(n = n, size = nrow(H), rows = paste(apply(H, 1, paste, collapse = ""), collapse = " "))
}))
write.csv(had, file.path(out, "hadamard.csv"), row.names = FALSE, quote = FALSE)

write.csv(num17(do.call(rbind, vc)), file.path(out, "vcov.csv"), row.names = FALSE)
write.csv(num17(do.call(rbind, sc)), file.path(out, "scalars.csv"), row.names = FALSE)
write.csv(repw_index, file.path(out, "repw_index.csv"), row.names = FALSE, quote = FALSE)
cat("wrote", length(vc), "covariance matrices and", length(sc), "scalar records\n")
