"""Tests of pewlike.variance: linearisation and replicate variance against R survey."""
