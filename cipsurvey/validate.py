"""Checks on a whole wave, collected in one pass into a table of problems.

Severity: ``error`` (a cell could not be used and is missing in the wave), ``warning`` (kept,
but inconsistent: an answer the filter should have skipped, a duplicated respondent id, a
column the instrument does not know), ``note`` (worth knowing, not wrong: an item left
unanswered where the filter asked for it). A wave is clean when it has no errors or warnings.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .instrument import Instrument

PROBLEM_COLUMNS = ["file", "row", "column", "item", "severity", "code", "value", "message"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}


def problem_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=PROBLEM_COLUMNS)
    if frame.empty:
        return frame.astype({"row": "Int64"})
    frame["row"] = pd.array(frame["row"], dtype="Int64")
    order = frame["severity"].map(SEVERITY_ORDER)
    frame = frame.assign(_order=order).sort_values(
        ["_order", "file", "row", "column"], kind="stable", na_position="first"
    )
    return frame.drop(columns="_order").reset_index(drop=True)


def _answered(inst: Instrument, frame: pd.DataFrame, item_id: str) -> pd.Series:
    item = inst.item(item_id)
    return frame[item.columns].notna().any(axis=1)


class _Rows:
    """Where each wave row came from, as arrays (looked up per problem, so no pandas .iloc)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.files = frame["source"].to_numpy()
        self.rows = frame["source_row"].to_numpy()

    def problems(self, index: np.ndarray, column: str, item: str, severity: str, code: str,
                 values: list[str] | None, message: str) -> list[dict[str, Any]]:
        vals = values if values is not None else [""] * len(index)
        return [{"file": self.files[i], "row": int(self.rows[i]), "column": column,
                 "item": item, "severity": severity, "code": code, "value": v,
                 "message": message} for i, v in zip(index, vals, strict=True)]


def check_filters(inst: Instrument, frame: pd.DataFrame,
                  fed: dict[str, set[str]]) -> list[dict[str, Any]]:
    """Answers where the filter says the item was skipped, and gaps where it was asked.

    ``fed`` names, per item, the files that have a column for it; rows from other files are
    not reported as gaps (their missing column is reported once, as ``missing_column``).
    """
    where = _Rows(frame)
    records: list[dict[str, Any]] = []
    for item_id, bound in inst.filters.items():
        item = inst.item(item_id)
        relevant = bound.evaluate(frame)
        answered = _answered(inst, frame, item_id).to_numpy()
        relevant = relevant.mask(~frame["source"].isin(fed.get(item_id, set())))
        skipped_but = np.nonzero((relevant == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
                                 & answered)[0]
        records += where.problems(skipped_but, item.columns[0], item_id, "warning",
                                  "answered_but_skipped", _show(frame, item.columns, skipped_but),
                                  f"answered although the filter `{bound.text}` skips it")
        asked_not = np.nonzero(relevant.fillna(False).to_numpy(dtype=bool) & ~answered)[0]
        records += where.problems(asked_not, item.columns[0], item_id,
                                  "warning" if item.required else "note", "missing_but_relevant",
                                  None, f"not answered although the filter `{bound.text}` "
                                  "asks for it")
    for item in inst.items:
        if item.required and not item.relevant:
            has_column = frame["source"].isin(fed.get(item.id, set())).to_numpy()
            gaps = np.nonzero(~_answered(inst, frame, item.id).to_numpy() & has_column)[0]
            records += where.problems(gaps, item.columns[0], item.id, "warning",
                                      "missing_required", None, "a required item is empty")
    return records


def _show(frame: pd.DataFrame, columns: list[str], index: np.ndarray) -> list[str]:
    """The answers at ``index`` as text (the ticked options for multiple choice)."""
    if len(columns) == 1:
        values = frame[columns[0]].to_numpy()[index]
        return [f"{v:g}" if isinstance(v, float) else str(v) for v in values]
    block = frame[columns].to_numpy()[index]
    return [",".join(c for c, v in zip(columns, row, strict=True) if v == 1) for row in block]


def check_duplicate_ids(inst: Instrument, frame: pd.DataFrame) -> list[dict[str, Any]]:
    if not inst.respondent_id or inst.respondent_id not in frame.columns:
        return []
    ids = frame[inst.respondent_id]
    dup = ids.notna() & ids.duplicated(keep=False)
    records = []
    firsts = frame.loc[dup].groupby(inst.respondent_id, sort=False).head(1)
    first_of = {v: (f, r) for v, f, r in zip(firsts[inst.respondent_id], firsts["source"],
                                             firsts["source_row"], strict=True)}
    where = _Rows(frame)
    id_values = ids.to_numpy()
    for i in np.nonzero(dup.to_numpy() & ids.duplicated(keep="first").to_numpy())[0]:
        f, r = first_of[id_values[i]]
        # the id itself stays out of the problem list, which is an output too: the rows say
        # where to look
        records += where.problems(np.array([i]), inst.respondent_id, inst.respondent_id,
                                  "warning", "duplicate_id", None,
                                  f"the same respondent id as {f} row {r}; both rows are kept")
    return records


def check_columns(inst: Instrument, file: str, unknown: list[str],
                  absent: list[Any]) -> list[dict[str, Any]]:
    records = []
    for col in unknown:
        records.append({"file": file, "row": 1, "column": col, "item": "",
                        "severity": "warning", "code": "unknown_column", "value": "",
                        "message": "the instrument has no item for this column; not imported"})
    for item in absent:
        if item.role == "admin" and not item.required:
            severity = "note"
        else:
            severity = "error" if item.required else "warning"
        records.append({"file": file, "row": None, "column": item.id, "item": item.id,
                        "severity": severity, "code": "missing_column", "value": "",
                        "message": "no column in the file holds this item; "
                                   "all its values are missing"})
    return records
