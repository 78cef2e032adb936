"""Tests of pewlike.tables: Pew-style toplines, crosstabs and their exports."""
