"""Bundled synthetic demo data for pewlike."""
