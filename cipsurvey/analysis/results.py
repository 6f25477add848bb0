"""What running a plan gives: one ``Result`` per analysis, gathered in a ``Report``.

Kept apart from the runner so that the renderers (and the figure worker, which unpickles
results) need pandas only, not the statistics stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from ..wave.survey import Survey
    from .plan import Plan


@dataclass
class Result:
    """One analysis computed: its tables (full precision), notes, error and figure kind."""

    id: str
    section: str
    kind: str
    title: str
    addition: bool
    source: str | None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    figure: str | None = None
    n: int | None = None
    conf: float = 0.95  # the level of its intervals (the plan's conf)


@dataclass
class Report:
    """A plan run on a wave: every result in plan order, in one language."""

    plan: Plan
    survey: Survey
    lang: str
    results: list[Result]
    # how the results were protected against disclosure (results.json "protection")
    protection: dict[str, Any] = field(default_factory=dict)

    def result(self, rid: str) -> Result:
        """The result with id ``rid`` (KeyError if none)."""
        for r in self.results:
            if r.id == rid:
                return r
        raise KeyError(rid)
