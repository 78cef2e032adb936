"""Tests of pewlike.estimation: means, totals, proportions, ratios, quantiles and tests."""
