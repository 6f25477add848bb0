"""cipsurvey: instrument-driven survey import, validation, statistics and reports.

The package is imported lazily: ``import cipsurvey`` loads nothing heavy, and the public
functions below import pandas and friends only when they are first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "load_instrument", "read_survey"]

if TYPE_CHECKING:  # pragma: no cover
    from .instrument import load_instrument
    from .survey import read_survey


def __getattr__(name: str) -> Any:
    if name == "load_instrument":
        from .instrument import load_instrument

        return load_instrument
    if name == "read_survey":
        from .survey import read_survey

        return read_survey
    raise AttributeError(f"module 'cipsurvey' has no attribute {name!r}")
