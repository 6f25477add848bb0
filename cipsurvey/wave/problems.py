"""The one record of a data-validation problem, and the table of them.

Every problem found while importing and validating a wave (an unreadable cell, a row the
tool marks as partial, an answer the filter should have skipped, a missing column) is one
row with the same eight columns, ``PROBLEM_COLUMNS``. A single problem is made with
:func:`problem`; many at once (a filter check over a million rows) with :func:`problem_chunk`,
column by column; :func:`problem_frame` sorts them all into one table.
"""

from __future__ import annotations

from typing import Any, TypedDict

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

PROBLEM_COLUMNS = ["file", "row", "column", "item", "severity", "code", "value", "message"]
SEVERITIES = ("error", "warning", "note")
SEVERITY_ORDER = {name: k for k, name in enumerate(SEVERITIES)}
# the language of the messages (catalog entries problem.*): problems are found while a wave
# is read, before any report language is chosen
PROBLEM_LANG = "en"


class ProblemRecord(TypedDict):
    """One problem: where (file, row as the user sees it, column, item), how bad, which
    kind (``code``), the value as the file held it, and a message for a person."""

    file: str
    row: int | None
    column: str
    item: str
    severity: str
    code: str
    value: str
    message: str


def problem(*, file: str, row: int | None, severity: str, code: str, message: str,
            column: str = "", item: str = "", value: str = "") -> ProblemRecord:
    """One problem record; ``row`` is None for a problem of a whole column or file."""
    if severity not in SEVERITY_ORDER:
        raise ValueError(f"unknown severity {severity!r}")
    return {"file": file, "row": None if row is None else int(row), "column": column,
            "item": item, "severity": severity, "code": code, "value": value,
            "message": message}


def problem_chunk(*, file: Any, row: Any, column: Any, item: Any, severity: Any, code: Any,
                  value: Any, message: Any) -> pd.DataFrame:
    """Many problems as one table, from equally long arrays (or categoricals) per column."""
    return pd.DataFrame({"file": file, "row": row, "column": column, "item": item,
                         "severity": severity, "code": code, "value": value,
                         "message": message}, copy=False)


def problem_frame(records: list[ProblemRecord],
                  chunks: list[pd.DataFrame] | None = None) -> pd.DataFrame:
    """One table of problems, errors first, then by file, row and column.

    ``records`` are single problems; ``chunks`` are tables of many (the filter checks of a
    large wave give one per item, built from arrays rather than one dict per cell, with
    categorical text columns so that no string is copied per row until the end).
    """
    parts = [pd.DataFrame.from_records(records, columns=PROBLEM_COLUMNS)] if records else []
    parts += [c for c in (chunks or []) if len(c)]
    if not parts:
        return pd.DataFrame(columns=PROBLEM_COLUMNS).astype({"row": "Int64"})
    columns: dict[str, Any] = {}
    for name in PROBLEM_COLUMNS:
        if name == "row":
            columns[name] = pd.array(np.concatenate(
                [pd.array(p[name], dtype="Int64") for p in parts]), dtype="Int64")
            continue
        columns[name] = union_categoricals([_categorical(p[name]) for p in parts])
    frame = pd.DataFrame(columns, copy=False)
    keys = [frame[c].cat.reorder_categories(sorted(frame[c].cat.categories)).cat.codes
            for c in ("column", "file")]
    order = np.lexsort((keys[0].to_numpy(), frame["row"].fillna(-1).to_numpy(dtype=np.int64),
                        keys[1].to_numpy(),
                        frame["severity"].map(SEVERITY_ORDER).to_numpy(dtype=np.int64)))
    frame = frame.take(order).reset_index(drop=True)
    for name in PROBLEM_COLUMNS:
        if name != "row":
            frame[name] = frame[name].astype(object)
    return frame


def _categorical(values: pd.Series) -> pd.Categorical:
    """Categories as plain Python objects, so that every part can be combined."""
    cat = values.array if isinstance(values.dtype, pd.CategoricalDtype) else \
        pd.Categorical(values.astype(object).where(values.notna(), ""))
    names = pd.Index(cat.categories.to_numpy(dtype=object), dtype=object)
    return pd.Categorical.from_codes(cat.codes, names)


def problem_counts(table: pd.DataFrame) -> pd.DataFrame:
    """How many problems of each kind: ``severity, code, n``, errors first, then by code."""
    counts = table.groupby(["severity", "code"]).size().rename("n").reset_index()
    return counts.sort_values(["severity", "code"], key=lambda c: c.map(SEVERITY_ORDER)
                              if c.name == "severity" else c, kind="stable")


def problems_csv(table: pd.DataFrame) -> bytes:
    """The problems as UTF-8 CSV (``cipsurvey validate --problems``), with text that a
    spreadsheet would run as a formula defused."""
    import io

    from ..files import neutralise

    safe = table.map(neutralise) if not table.empty else table
    out = io.StringIO()
    safe.to_csv(out, index=False)
    return out.getvalue().encode("utf-8")
