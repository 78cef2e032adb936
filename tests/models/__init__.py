"""Tests of pewlike.models: design-based GLMs, ordinal logits, margins and scales."""
