"""Tests of pewlike.partitioned: surveys on Dask."""
