"""Tests of the documentation site (mkdocs.yml, docs/): skipped unless '.[docs]' is installed."""
