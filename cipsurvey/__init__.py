"""cipsurvey: instrument-driven survey import, validation, statistics and reports.

The package is imported lazily: ``import cipsurvey`` loads nothing heavy, and the public
functions below import pandas and friends only when they are first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .version import __version__

__all__ = ["__version__", "compare", "load_instrument", "load_plan", "load_study",
           "read_survey", "run_plan"]

# public name -> the module that defines it
_PUBLIC = {
    "load_instrument": "cipsurvey.instrument.model",
    "read_survey": "cipsurvey.wave.survey",
    "load_study": "cipsurvey.wave.study",
    "load_plan": "cipsurvey.analysis.plan",
    "run_plan": "cipsurvey.analysis.run",
    "compare": "cipsurvey.analysis.compare",
}

if TYPE_CHECKING:  # pragma: no cover
    from .analysis.compare import compare
    from .analysis.plan import load_plan
    from .analysis.run import run_plan
    from .instrument.model import load_instrument
    from .wave.study import load_study
    from .wave.survey import read_survey


def __getattr__(name: str) -> Any:
    """Import a public function on first use (PEP 562)."""
    if name not in _PUBLIC:
        raise AttributeError(f"module 'cipsurvey' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_PUBLIC[name]), name)
