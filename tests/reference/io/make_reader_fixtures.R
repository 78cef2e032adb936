# Writes the small SAS file used by tests/io/test_io.py (pyreadstat cannot write .sas7bdat),
# tests/reference/io/small.sas7bdat, beside this script.
# Run from the repository root (the path below is relative to it):
#   Rscript tests/reference/io/make_reader_fixtures.R
# Needs: apt-get install -y r-cran-haven
suppressMessages(library(haven))
df <- data.frame(
  QKEY = c(101, 102, 103, 104),
  AGE = c(34, NA, 71, 50),
  AGREE = labelled(c(1, 2, 99, 1), c(Agree = 1, Disagree = 2, Refused = 99), label = "Do you agree?"),
  WEIGHT_W1 = c(0.5, 1.25, 1.0, 2.0)
)
attr(df$AGE, "label") <- "Age in years"
write_sas(df, "tests/reference/io/small.sas7bdat")
