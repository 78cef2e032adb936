"""Tests of pewlike.plots: the figures."""
