"""Hostile labels and specs: every output pewlike writes or prints stays inert (issue #17)."""
