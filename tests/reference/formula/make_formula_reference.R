# Reference model matrices for tests/formula/test_formula.py (pewlike's formula parser).
# Run from the repository root (every path below is relative to it):
#   Rscript tests/reference/formula/make_formula_reference.R
# Writes into tests/reference/formula/ (beside this script): data.csv (the input), index.csv
# (one row a formula: the pewlike formula, the R call that made the fixture, R's term labels,
# intercept and assign), m<NN>.csv (model.matrix after na.omit, with .row = 1-based data row and .y =
# model.response) and poly_*.csv (poly() values, coefficients and predictions).
# Ordered factors get treatment contrasts, as pewlike codes them.
options(contrasts = c("contr.treatment", "contr.treatment"))
out <- "tests/reference/formula"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

d <- data.frame(
  y = c(2.1, 3.4, NA, 5.0, 1.2, 7.7, 3.3, 4.8, 6.1, 2.9, 5.5, 8.2, 3.0, 4.4, 6.6, 5.9),
  a = factor(c("p", "q", "r", "p", NA, "r", "q", "q", "p", "r", "r", "p", "q", "p", "r", "q"),
             levels = c("p", "q", "r")),
  b = factor(c("u", "v", "u", "v", "u", "v", "v", "u", "u", "v", "u", "v", "u", "v", "u", "v"),
             levels = c("u", "v")),
  c = factor(c("lo", "mid", "hi", "hi", "lo", "mid", "lo", "hi", "mid", "lo", "hi", "mid", "lo", "mid", "hi", "lo"),
             levels = c("lo", "mid", "hi"), ordered = TRUE),
  x = c(1.5, 2.0, 3.0, 7.0, 5.0, 6.0, 2.5, 4.0, 8.0, 3.5, 9.0, 1.0, 6.5, 4.5, 7.5, 5.5),
  z = c(0.5, 1.2, 2.2, NA, 3.1, 0.9, 4.4, 2.0, 1.1, 5.2, 0.7, 2.8, 3.9, 1.6, 2.4, 0.3),
  s = c("dog", "cat", "emu", "dog", "cat", "cat", "emu", "dog", "emu", "cat", "dog", "emu", "cat", "dog", "emu", "cat"),
  g = c(TRUE, FALSE, TRUE, TRUE, FALSE, FALSE, TRUE, FALSE, TRUE, FALSE, TRUE, TRUE, FALSE, FALSE, TRUE, FALSE),
  k = c(1L, 2L, 3L, 1L, 2L, 3L, 3L, 2L, 1L, 1L, 2L, 3L, 1L, 2L, 3L, 1L),
  u = factor(c("m", "n", "m", "n", "m", "n", "m", "n", "m", "n", "m", "n", "m", "n", "m", "n"),
             levels = c("m", "n", "zz")),
  `my var` = c(10, 12, 9, 15, 11, 14, 13, 8, 16, 7, 12, 10, 9, 11, 14, 13),
  check.names = FALSE, stringsAsFactors = FALSE)
write.csv(d, file.path(out, "data.csv"), row.names = FALSE, na = "")

# pewlike formula, R formula (same model; R spells C(x, ref=) as relevel(x, ref=), C(k) as factor(k))
cases <- list(
  c("y ~ a + b + a:b", "y ~ a + b + a:b"),
  c("y ~ a*b*x", "y ~ a*b*x"),
  c("y ~ a:b", "y ~ a:b"),
  c("y ~ 0 + a + x", "y ~ 0 + a + x"),
  c("y ~ 0 + x + a:b", "y ~ 0 + x + a:b"),
  c("y ~ x:a + b:x", "y ~ x:a + b:x"),
  c("y ~ poly(x, 2) + a", "y ~ poly(x, 2) + a"),
  c("y ~ poly(x, 3)*b", "y ~ poly(x, 3)*b"),
  c("y ~ scale(z) + log(z) + sqrt(z)", "y ~ scale(z) + log(z) + sqrt(z)"),
  c("y ~ C(a, ref=\"q\") + b", "y ~ relevel(a, ref = \"q\") + b"),
  c("y ~ C(c, ref=2):b", "y ~ relevel(factor(c, ordered = FALSE), ref = 2):b"),
  c("y ~ (a + b):x", "y ~ (a + b):x"),
  c("y ~ (a + b + x)^2", "y ~ (a + b + x)^2"),
  c("y ~ a*b - a", "y ~ a*b - a"),
  c("y ~ -1 + a:b", "y ~ -1 + a:b"),
  c("y ~ s + g", "y ~ s + g"),
  c("y ~ C(k) + c", "y ~ factor(k) + c"),
  c("y ~ `my var` + a", "y ~ `my var` + a"),
  c("y ~ a + b:c", "y ~ a + b:c"),
  c("y ~ u + x", "y ~ u + x"),
  c("log(z) ~ c*x", "log(z) ~ c*x"),
  c("y ~ 0 + b:a + c", "y ~ 0 + b:a + c"),
  c("y ~ poly(x, degree = 2)", "y ~ poly(x, degree = 2)"),
  c("y ~ 1", "y ~ 1"),
  c("y ~ (a + c)*(b + x) - a:x", "y ~ (a + c)*(b + x) - a:x"),
  c("y ~ x + a:x + a:b:x", "y ~ x + a:x + a:b:x"),
  c("y ~ poly(x) + z:g", "y ~ poly(x) + z:g"),
  c("y ~ s*a + 0", "y ~ s*a + 0"))

index <- data.frame()
for (i in seq_along(cases)) {
  f <- as.formula(cases[[i]][2])
  mf <- model.frame(f, d, na.action = na.omit)
  mm <- model.matrix(f, mf)
  tt <- terms(f)
  id <- sprintf("m%02d", i)
  res <- data.frame(.row = as.integer(rownames(mf)), .y = as.numeric(model.response(mf)), check.names = FALSE)
  res <- cbind(res, as.data.frame(mm, check.names = FALSE))
  write.csv(res, file.path(out, paste0(id, ".csv")), row.names = FALSE)
  call <- sprintf("mf <- model.frame(%s, d, na.action = na.omit); model.matrix(%s, mf)",
                  cases[[i]][2], cases[[i]][2])
  index <- rbind(index, data.frame(
    id = id, pewlike = cases[[i]][1], r_call = call,
    terms = paste(attr(tt, "term.labels"), collapse = "|"),
    intercept = attr(tt, "intercept"),
    assign = paste(attr(mm, "assign"), collapse = " ")))
}
write.csv(index, file.path(out, "index.csv"), row.names = FALSE)

# poly(): values on x, coefficients, and predictions at new points (predict.poly)
p <- poly(d$x, 3)
write.csv(data.frame(x = d$x, p1 = p[, 1], p2 = p[, 2], p3 = p[, 3]),
          file.path(out, "poly_values.csv"), row.names = FALSE)           # poly(d$x, 3)
cf <- attr(p, "coefs")
write.csv(data.frame(alpha = c(cf$alpha, NA), norm2 = cf$norm2[-1]),
          file.path(out, "poly_coefs.csv"), row.names = FALSE)           # attr(poly(d$x, 3), "coefs")
newx <- c(0, 2.25, 5, 10.5)
pp <- predict(p, newx)
write.csv(data.frame(x = newx, p1 = pp[, 1], p2 = pp[, 2], p3 = pp[, 3]),
          file.path(out, "poly_predict.csv"), row.names = FALSE)         # predict(poly(d$x, 3), c(0, 2.25, 5, 10.5))
# scale() centre and spread use every non-missing z (before na.omit), as model.frame does
sz <- scale(d$z)
write.csv(data.frame(center = attr(sz, "scaled:center"), scale = attr(sz, "scaled:scale")),
          file.path(out, "scale_z.csv"), row.names = FALSE)              # scale(d$z)
cat("wrote", nrow(index), "model matrices to", out, "\n")

# 300 formulas drawn once at random (seeded) from the grammar's pieces, on random_data.csv.
# For each: colnames, assign, term labels, data rows kept by na.omit, and the matrix by
# column, from  mf <- model.frame(f, r, na.action = na.omit); model.matrix(f, mf)
r <- read.csv(file.path(out, "random_data.csv"), stringsAsFactors = FALSE)
r$a <- factor(r$a, levels = c("p", "q", "r"))
r$b <- factor(r$b)
r$c <- factor(r$c, levels = c("m", "l", "k"))
rf <- read.csv(file.path(out, "random_formulas.csv"), stringsAsFactors = FALSE)
res <- lapply(rf$r, function(s) {
  f <- as.formula(s)
  mf <- model.frame(f, r, na.action = na.omit)
  mm <- model.matrix(f, mf)
  list(r_call = sprintf("mf <- model.frame(%s, r, na.action = na.omit); model.matrix(%s, mf)", s, s),
       columns = colnames(mm), assign = attr(mm, "assign"), terms = attr(terms(f), "term.labels"),
       rows = as.integer(rownames(mf)), X = unname(as.vector(mm)))
})
writeLines(jsonlite::toJSON(res, digits = NA), file.path(out, "random_matrices.json"))
cat("wrote", length(res), "random-formula matrices\n")
