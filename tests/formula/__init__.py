"""Tests of pewlike.formula: parsing formulas and building model matrices."""
