"""Tests of pewlike.cli: the pewlike command."""
