"""``RawTable``: a data file's columns and cells as the file holds them, before any
instrument has looked at them. The readers (``readers``) make one, the tool adapters
(``tools``) reshape one, and the wave's coercion (``cipsurvey.wave.coerce``) reads one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class RawTable:
    """One data file as read: its cells as the file holds them, with what the format declares."""

    path: Path
    format: str
    frame: pd.DataFrame
    rows: np.ndarray
    details: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    user_missing: dict[str, list[tuple[Any, Any]]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    layout: Any = None  # what a survey tool's export holds beyond the answers (io.tools)
    # header names given twice, renamed "name (column N)": renamed -> as written
    duplicate_headers: dict[str, str] = field(default_factory=dict)
    short_rows: list[int] = field(default_factory=list)  # rows with fewer fields than header
    # numeric columns held in arrays the reader made and nothing else uses: coding may write
    # a column's codes into its array once its cells have been read (no fresh column)
    scratch: dict[str, np.ndarray] = field(default_factory=dict)


def unique_header(header: list[str]) -> tuple[list[str], dict[str, str]]:
    """The header with every name given again (ignoring case) renamed "name (column N)";
    and those renamed, with the name as written. Survey tools repeat headings (LimeSurvey's
    full question texts, REDCap's "Complete?"): a repeated heading is refused only when the
    instrument reads it (``wave.coerce.match_columns``)."""
    seen: dict[str, int] = {}
    out, duplicates = [], {}
    for i, name in enumerate(header, start=1):
        key = name.casefold()
        if name and key in seen:
            renamed = f"{name} (column {i})"
            duplicates[renamed] = name
            duplicates.setdefault(header[seen[key] - 1], header[seen[key] - 1])
            out.append(renamed)
            continue
        if name:
            seen[key] = i
        out.append(name)
    return out, duplicates
