"""pewlike: public-opinion survey microdata with design-correct uncertainty.

Read labelled survey files, apply weights and designs, estimate with standard
errors that agree with R's ``survey`` package, reweight, model, and write
Pew-style toplines, crosstabs and figures.

>>> import pewlike as pw
>>> svy = pw.demo()                       # synthetic ATP-like privacy survey
>>> svy.proportion("CONCERNCO").to_frame()["estimate"].round(2).tolist()
[0.33, 0.46, 0.16, 0.05]

Importing this package is cheap: heavy modules load when first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from pewlike import errors
from pewlike._version import __version__
from pewlike.errors import (
    CalibrationError,
    DataFileError,
    DesignError,
    EstimationError,
    FormulaError,
    ModelError,
    PewlikeError,
    RakingError,
    SpecError,
    VariableError,
)

__all__ = [
    "CalibrationError",
    "Codebook",
    "DataFileError",
    "DesignError",
    "EstimationError",
    "FormulaError",
    "ModelError",
    "PewlikeError",
    "RakingError",
    "SpecError",
    "Survey",
    "VariableError",
    "__version__",
    "demo",
    "errors",
    "moe",
    "read",
    "stack",
    "targets_from",
]

# public name -> module that defines it (imported on first access, PEP 562)
_LAZY = {
    "read": "loading",
    "Survey": "survey",
    "demo": "loading",
    "stack": "loading",
    "Codebook": "io.codebook",
    "moe": "weighting.summary",
    "targets_from": "weighting.population",
}

if TYPE_CHECKING:  # pragma: no cover
    from pewlike.io.codebook import Codebook
    from pewlike.loading import demo, read, stack
    from pewlike.survey import Survey
    from pewlike.weighting import targets_from
    from pewlike.weighting.summary import moe


def __getattr__(name: str) -> Any:
    """Import a public name on first access (PEP 562), so ``import pewlike`` stays cheap."""
    if name in _LAZY:
        from pewlike.io.epoch import source_date_epoch

        # numpy (under scipy, dask and matplotlib) reads SOURCE_DATE_EPOCH when first imported and
        # dies with a bare ValueError on a bad value: refuse it here first, with pewlike's message
        source_date_epoch()
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pewlike' has no attribute {name!r}")


def __dir__() -> list[str]:
    """Module attributes, including the public names not imported yet."""
    return sorted(set(globals()) | set(__all__))
