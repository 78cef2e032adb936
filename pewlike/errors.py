"""Exceptions and warnings raised by pewlike.

Every error a user can cause is a :class:`PewlikeError`.  Subclasses also inherit
the built-in exception they refine, so ``except ValueError`` keeps working.
Messages are one line: they name the bad value and say how to fix it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = [
    "CalibrationError",
    "DataFileError",
    "DataWarning",
    "DesignError",
    "DesignWarning",
    "EstimationError",
    "FormulaError",
    "LabelWarning",
    "ModelError",
    "PewlikeError",
    "PewlikeWarning",
    "RakingError",
    "SpecError",
    "VariableError",
    "WeightWarning",
]


class PewlikeError(Exception):
    """Root of every error pewlike raises on purpose."""


class DataFileError(PewlikeError, OSError):
    """A data file is missing, unreadable, of an unknown kind, empty or corrupt."""


class DesignError(PewlikeError, ValueError):
    """The survey design (weights, strata, PSUs, fpc, replicates) is invalid."""


class VariableError(PewlikeError, KeyError):
    """A variable is unknown or of the wrong kind for the requested operation."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class EstimationError(PewlikeError, ValueError):
    """An estimate cannot be computed (empty domain, all missing, bad argument)."""


class RakingError(PewlikeError, ValueError):
    """Raking failed: bad targets, or the iterations did not converge.

    Attributes
    ----------
    weights : numpy.ndarray or None
        The best weights reached before the failure, when there are some.
    """

    def __init__(self, message: str, weights: np.ndarray | None = None) -> None:
        super().__init__(message)
        self.weights = weights


class CalibrationError(RakingError):
    """Calibration failed: bounds cannot be met, or no convergence."""


class FormulaError(PewlikeError, ValueError):
    """A model formula cannot be parsed or names something not allowed."""


class ModelError(PewlikeError, ValueError):
    """A model cannot be fitted (separation, one outcome category, aliasing...)."""


class SpecError(PewlikeError, ValueError):
    """A report spec is invalid; the message gives the location."""


class PewlikeWarning(UserWarning):
    """Root of pewlike's warnings."""


class LabelWarning(PewlikeWarning):
    """Value labels and data disagree (for example unlabelled codes)."""


class WeightWarning(PewlikeWarning):
    """No weights were found, or the weights look suspicious."""


class DesignWarning(PewlikeWarning):
    """The data's columns look like a sampling design (strata, clusters) that was not given."""


class DataWarning(PewlikeWarning):
    """A change made to a copy of a survey's data, which the survey never sees (use ``svy.assign``)."""
