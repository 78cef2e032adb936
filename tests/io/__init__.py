"""Tests of pewlike.io: reading and writing survey files, value labels and missing codes."""
