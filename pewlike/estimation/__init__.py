"""Estimators over a design: means, totals, proportions, ratios, quantiles and tests."""
