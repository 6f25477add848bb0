"""What a report publishes, as its reader gets it: every result's tables, notes and
n, the figures' alt text, and the protection record (which says how hidden values are
shown). Built from a computed ``Report`` (the protection checks its own work) or from a
``results.json`` (the tests attack the file as a reader would)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class Published:
    """One result as published."""

    id: str
    kind: str
    n: int | None
    notes: list[str]
    tables: dict[str, pd.DataFrame]
    alt: str = ""


@dataclass
class View:
    """Every published result, and the protection record (``{}`` when there is none)."""

    results: list[Published]
    record: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of_report(cls, report: Any, record: dict[str, Any] | None = None,
                  alt: dict[str, str] | None = None) -> View:
        """The view of a computed report (what its renderers would publish)."""
        return cls([Published(r.id, r.kind, r.n, list(r.notes), dict(r.tables),
                              (alt or {}).get(r.id, ""))
                    for r in report.results if not r.error], dict(record or {}))

    @classmethod
    def of_json(cls, payload: dict[str, Any]) -> View:
        """The view of a written results.json."""
        alt = {f["id"]: f.get("alt", "") for f in payload.get("figures", [])}
        out = []
        for r in payload["results"]:
            if r.get("error"):
                continue
            tables = {}
            for name, t in r["tables"].items():
                frame = pd.DataFrame(t["rows"], columns=t["columns"])
                for col in frame.columns:  # JSON null in a column of numbers is NaN
                    if frame[col].map(lambda v: v is None or isinstance(
                            v, int | float | bool | np.number)).all() and \
                            frame[col].notna().any():
                        frame[col] = frame[col].astype(float)
                tables[name] = frame
            out.append(Published(r["id"], r["kind"], r.get("n"), list(r.get("notes", [])),
                                 tables, alt.get(r["id"], "")))
        return cls(out, dict(payload.get("protection") or {}))

    def result(self, rid: str) -> Published | None:
        """The published result with id ``rid``, if any."""
        return next((r for r in self.results if r.id == rid), None)
