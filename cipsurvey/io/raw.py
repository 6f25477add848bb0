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
    path: Path
    format: str
    frame: pd.DataFrame
    rows: np.ndarray
    details: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    user_missing: dict[str, list[tuple[Any, Any]]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    status: pd.Series | None = None  # per row: complete, partial or test (web-survey tools)
    short_rows: list[int] = field(default_factory=list)  # rows with fewer fields than header
    # numeric columns held in arrays the reader made and nothing else uses: coding may write
    # a column's codes into its array once its cells have been read (no fresh column)
    scratch: dict[str, np.ndarray] = field(default_factory=dict)
