"""Tests of pewlike.datasets: the bundled synthetic demo survey."""
