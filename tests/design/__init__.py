"""Tests of pewlike.design: the Survey design object and its conversion to replicate weights."""
