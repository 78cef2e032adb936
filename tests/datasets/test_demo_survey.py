"""``pw.demo()``: the bundled synthetic file as a weighted Survey (the file itself is checked in
``test_demo_data.py``)."""

from __future__ import annotations

import pytest

import pewlike as pw


def test_demo_is_synthetic_and_weighted():
    svy = pw.demo()
    assert "synthetic" in (svy._codebook.file_label or "").lower()
    assert svy.n == 4272 and svy.weights.sum() == pytest.approx(4272)
    assert "synthetic" in svy.design
