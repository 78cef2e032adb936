# Reference values from R `survey` for pewlike's stacked waves and trends (pw.stack, svy.trend).
#
# Setup (Debian):  apt-get install -y r-cran-survey r-cran-jsonlite
# Run from the repository root, after tests/reference/trends/make_waves.py:
#   Rscript tests/reference/trends/make_trends_reference.R
# Writes tests/reference/trends/reference_trends.json.
#
# The stacked design is built here from the raw waves, independently of pewlike:
#   * weights rescaled within each wave to a mean of 1 (pw.stack(weights = "rescale"));
#   * "independent": svydesign(ids = ~1, strata = ~WAVE, weights = ~WR)   (pw.stack(id = None));
#   * "panel":       svydesign(ids = ~QKEY, weights = ~WR)                  (pw.stack(id = "QKEY"));
#   * "complex":     svydesign(ids = ~PSUID, strata = ~STID, weights = ~WR) with each wave's own
#                    strata and PSUs made unique across waves (pw.stack of two stratified cluster
#                    designs);
#   * "replicate":   each wave its own replicate design (2019 as.svrepdesign(type = "JKn") of a
#                    stratified cluster design, 2023 as.svrepdesign(type = "JK1") of a cluster
#                    design), stacked as one svrepdesign(type = "other", scale = 1, mse = TRUE,
#                    combined.weights = TRUE): a replicate of one wave carries that wave's
#                    (rescaled) replicate weights on its rows and the full weights WR on the
#                    other wave's rows, with rscales = that wave's scale * rscales
#                    (pw.stack of two replicate-weight waves, id = None);
# Shares (base "valid": Refused is NA): sub = subset(design, !is.na(Q));
#   svyby(~Q, ~WAVE, sub, svymean, covmat = TRUE), intervals svyby(~I(Q == level), ~WAVE, sub,
#   svyciprop, method = "logit"); a net is I(Q %in% members).  Changes: svycontrast of the two
#   waves' shares, t = difference / SE, p = 2 pt(-|t|, degf(design)), CI difference +- qt(0.975,
#   degf(design)) SE.  Subgroups: svyby(~Q, ~WAVE + SEX, ...).
# Numbers are written with 17 significant digits.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))

num <- function(x) structure(sprintf("%.17g", as.numeric(x)), class = "json")
nums <- function(x) lapply(as.numeric(x), num)
here <- "tests/reference/trends"
LEVELS <- c("Very concerned", "Somewhat concerned", "Not too concerned", "Not at all concerned")
NET <- c("Very concerned", "Somewhat concerned")

prep <- function(d) {
  d$WAVE <- factor(as.character(d$WAVE), levels = c("2019", "2023"))
  d$Q <- factor(ifelse(d$Q == "Refused", NA, d$Q), levels = LEVELS)
  d$WR <- d$W / ave(d$W, d$WAVE, FUN = mean)
  d$NET <- as.numeric(d$Q %in% NET)
  d$NET[is.na(d$Q)] <- NA
  d
}

shares <- function(des, by) {
  sub <- subset(des, !is.na(Q))
  nu <- degf(des)
  out <- list()
  for (lev in c(LEVELS, "NET")) {
    f <- if (lev == "NET") ~NET else as.formula(sprintf("~I(as.numeric(Q == '%s'))", lev))
    b <- svyby(f, by, sub, svymean, covmat = TRUE)
    ci <- if (lev == "NET") NULL else {
      cb <- svyby(f, by, sub, svyciprop, method = "logit", vartype = "ci")
      cbind(cb$ci_l, cb$ci_u)
    }
    keys <- do.call(paste, c(lapply(all.vars(by), function(v) as.character(b[[v]])), sep = "|"))
    groups <- if (length(all.vars(by)) > 1) unique(as.character(b[[all.vars(by)[2]]])) else ""
    rows <- list()
    for (k in seq_along(keys)) {
      rows[[k]] <- list(key = keys[k], estimate = num(coef(b)[k]), std_error = num(SE(b)[k]),
                        ci_lower = if (is.null(ci)) NULL else num(ci[k, 1]),
                        ci_upper = if (is.null(ci)) NULL else num(ci[k, 2]))
    }
    ch <- list()
    for (g in groups) {
      i <- which(keys == if (g == "") "2019" else paste("2019", g, sep = "|"))
      j <- which(keys == if (g == "") "2023" else paste("2023", g, sep = "|"))
      w <- rep(0, length(keys)); w[i] <- -1; w[j] <- 1
      con <- svycontrast(b, w)
      d <- as.numeric(coef(con)); se <- as.numeric(SE(con))
      ch[[length(ch) + 1]] <- list(group = g, difference = num(d), std_error = num(se),
                                   ci_lower = num(d - qt(0.975, nu) * se),
                                   ci_upper = num(d + qt(0.975, nu) * se),
                                   p_value = num(2 * pt(-abs(d / se), nu)))
    }
    out[[length(out) + 1]] <- list(level = lev, shares = rows, changes = ch)
  }
  out
}

panel <- prep(read.csv(file.path(here, "waves_panel.csv"), stringsAsFactors = FALSE))
cx <- prep(read.csv(file.path(here, "waves_complex.csv"), stringsAsFactors = FALSE))
cx$STID <- paste(cx$WAVE, cx$STRATUM)
cx$PSUID <- paste(cx$WAVE, cx$STRATUM, cx$PSU)

rp <- prep(read.csv(file.path(here, "waves_replicate.csv"), stringsAsFactors = FALSE))
in19 <- rp$WAVE == "2019"
r19 <- as.svrepdesign(svydesign(ids = ~PSU, strata = ~STRATUM, weights = ~W, data = rp[in19, ]), type = "JKn")
r23 <- as.svrepdesign(svydesign(ids = ~PSU, weights = ~W, data = rp[!in19, ]), type = "JK1")
f19 <- mean(rp$WR[in19] / rp$W[in19])
f23 <- mean(rp$WR[!in19] / rp$W[!in19])
rep19 <- weights(r19, "analysis") * f19
rep23 <- weights(r23, "analysis") * f23
block <- cbind(rbind(rep19, matrix(rp$WR[!in19], sum(!in19), ncol(rep19))),
               rbind(matrix(rp$WR[in19], sum(in19), ncol(rep23)), rep23))
stopifnot(all(which(in19) == seq_len(sum(in19))))

designs <- list(
  independent = list(data = "waves_panel.csv",
                     design = svydesign(ids = ~1, strata = ~WAVE, weights = ~WR, data = panel)),
  panel = list(data = "waves_panel.csv", design = svydesign(ids = ~QKEY, weights = ~WR, data = panel)),
  complex = list(data = "waves_complex.csv",
                 design = svydesign(ids = ~PSUID, strata = ~STID, weights = ~WR, data = cx)),
  replicate = list(data = "waves_replicate.csv",
                   design = svrepdesign(data = rp, repweights = block, weights = ~WR, type = "other",
                                        scale = 1, rscales = c(r19$scale * r19$rscales, r23$scale * r23$rscales),
                                        mse = TRUE, combined.weights = TRUE))
)

records <- list()
for (name in names(designs)) {
  des <- designs[[name]]$design
  rec <- list(name = name, data = designs[[name]]$data, degf = num(degf(des)),
              overall = shares(des, ~WAVE))
  if (name != "complex") rec$by_sex <- shares(des, ~WAVE + SEX)
  records[[length(records) + 1]] <- rec
}
writeLines(toJSON(records, auto_unbox = TRUE, pretty = TRUE, null = "null"),
           file.path(here, "reference_trends.json"))
