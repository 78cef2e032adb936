"""Tests of pewlike.report: report specs and builds."""
