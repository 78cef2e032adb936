"""Tests of pewlike.weighting: raking, post-stratification, calibration, trimming and summaries."""
