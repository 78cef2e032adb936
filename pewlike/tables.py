"""Pew-style tables: toplines, crosstabs, model tables and the methods statement.

This module is the doorway :class:`~pewlike.design.Survey` verbs call
(``svy.topline``, ``svy.crosstab``); the work lives in :mod:`pewlike.toplines`,
:mod:`pewlike.crosstabs` and :mod:`pewlike.modeltables`, files are written by
:mod:`pewlike.tableexport`.
"""

from __future__ import annotations

from .crosstabs import Crosstab, banner, crosstab
from .toplines import Topline, topline

__all__ = ["topline", "Topline", "crosstab", "Crosstab", "banner"]
