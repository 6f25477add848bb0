"""Checks on a whole wave, collected in one pass into a table of problems.

Severity: ``error`` (a cell could not be used and is missing in the wave), ``warning`` (kept,
but inconsistent: an answer the filter should have skipped, a duplicated respondent id, a
column the instrument does not know), ``note`` (worth knowing, not wrong: an item left
unanswered where the filter asked for it). A wave is clean when it has no errors or warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..instrument import SOURCE_FILE, SOURCE_ROW, Instrument
from ..lang import text
from .problems import PROBLEM_LANG, ProblemRecord, problem, problem_chunk, problem_frame


@dataclass
class Findings:
    """What validation found, kept as it was collected: single problems (``records``) and
    tables of many (``chunks``). The sorted table of every problem is built from them only
    when someone asks for it (:meth:`table`); at a million respondents the filter checks
    find over a million gaps, and sorting them costs half a second that a run of the
    statistics does not need."""

    records: list[ProblemRecord] = field(default_factory=list)
    chunks: list[pd.DataFrame] = field(default_factory=list)

    def table(self) -> pd.DataFrame:
        """Every problem in one sorted table (built on request)."""
        return problem_frame(self.records, self.chunks)


def answered_rows(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The rows with a value in any of ``columns``."""
    answered = np.zeros(len(frame), dtype=bool)
    for col in columns:  # column by column: no rows × columns table of booleans
        answered |= frame[col].notna().to_numpy()
    return answered


class _Rows:
    """Where each wave row came from, as arrays: many problems become one table at once."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.file_codes, self.file_names = pd.factorize(frame[SOURCE_FILE])
        self.rows = frame[SOURCE_ROW].to_numpy()

    def problems(self, index: np.ndarray, column: str, item: str, severity: str, code: str,
                 values: list[str] | None, message: str) -> pd.DataFrame:
        k = len(index)

        def same(value: str) -> pd.Categorical:
            return pd.Categorical.from_codes(np.zeros(k, dtype=np.int8), [value])

        return problem_chunk(
            file=pd.Categorical.from_codes(self.file_codes[index], self.file_names),
            row=self.rows[index].astype(np.int64),
            column=same(column), item=same(item), severity=same(severity),
            code=same(code), value=pd.Categorical(values) if values is not None
            else same(""), message=same(message))


class _FedRows:
    """Which rows come from a file with a column for an item, computed once per set of
    files (nearly every item has the same set: all of them)."""

    def __init__(self, rows: _Rows, fed: dict[str, set[str]]) -> None:
        self.codes = rows.file_codes
        self.names = list(rows.file_names)
        self.fed = fed
        self.masks: dict[frozenset[str], np.ndarray] = {}

    def __call__(self, item_id: str) -> np.ndarray:
        files = frozenset(self.fed.get(item_id, set()))
        if files not in self.masks:
            has = np.array([name in files for name in self.names] + [False])
            self.masks[files] = has[self.codes]  # (code -1, no file, indexes the False)
        return self.masks[files]


def check_filters(inst: Instrument, frame: pd.DataFrame, fed: dict[str, set[str]],
                  absent: dict[str, np.ndarray] | None = None) -> list[pd.DataFrame]:
    """Answers where the filter says the item was skipped, and gaps where it was asked.

    ``fed`` names, per item, the files that have a column for it; rows from other files are
    not reported as gaps (their missing column is reported once, as ``missing_column``).
    ``absent`` marks, per item, rows that do not hold it at all (a REDCap repeat instance
    of another form): not gaps either.
    """
    absent = absent or {}
    where = _Rows(frame)
    records: list[pd.DataFrame] = []
    fed_rows = _FedRows(where, fed)
    evaluated: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # items share a few filters
    for item_id, bound in inst.filters.items():
        item = inst.item(item_id)
        if bound.text not in evaluated:
            relevant = bound.evaluate(frame)
            evaluated[bound.text] = (~relevant.isna().to_numpy(),
                                     relevant.to_numpy(dtype=bool, na_value=False))
        decided, asked = evaluated[bound.text]
        answered = answered_rows(frame, item.columns)
        # known: the filter could be evaluated, on a row from a file that has the item
        known = decided & fed_rows(item_id)
        if item_id in absent:
            known = known & ~absent[item_id]
        skipped_but = np.nonzero(known & ~asked & answered)[0]
        if len(skipped_but):
            records.append(where.problems(
                skipped_but, item.columns[0], item_id, "warning", "answered_but_skipped",
                _show(frame, item.columns, skipped_but),
                text("problem.answered_but_skipped", PROBLEM_LANG, filter=bound.text)))
        asked_not = np.nonzero(known & asked & ~answered)[0]
        if len(asked_not):
            records.append(where.problems(
                asked_not, item.columns[0], item_id, "warning" if item.required else "note",
                "missing_but_relevant", None,
                text("problem.missing_but_relevant", PROBLEM_LANG, filter=bound.text)))
    for item in inst.items:
        if item.required and not item.relevant:
            has_column = fed_rows(item.id)
            if item.id in absent:
                has_column = has_column & ~absent[item.id]
            gaps = np.nonzero(~answered_rows(frame, item.columns) & has_column)[0]
            if len(gaps):
                records.append(where.problems(gaps, item.columns[0], item.id, "warning",
                                              "missing_required", None,
                                              text("problem.missing_required", PROBLEM_LANG)))
    return records


def _show(frame: pd.DataFrame, columns: list[str], index: np.ndarray) -> list[str]:
    """The answers at ``index`` as text (the ticked options for multiple choice)."""
    if len(columns) == 1:
        values = frame[columns[0]].to_numpy()[index]
        return [f"{v:g}" if isinstance(v, float) else str(v) for v in values]
    block = frame[columns].to_numpy()[index]
    return [",".join(c for c, v in zip(columns, row, strict=True) if v == 1) for row in block]


def id_codes(frame: pd.DataFrame, column: str | None) -> np.ndarray | None:
    """Each row's respondent id as a number: equal ids, equal numbers, numbered in order of
    first appearance, -1 where missing; None without ids (no column, or all missing)."""
    if not column or column not in frame.columns:
        return None
    codes, uniques = pd.factorize(frame[column])
    return codes if len(uniques) else None


def repeats(ids: np.ndarray) -> np.ndarray:
    """Rows whose id occurs more than once (missing ids never repeat)."""
    counts = np.bincount(ids[ids >= 0], minlength=int(ids.max()) + 1)
    return (ids >= 0) & (counts[np.maximum(ids, 0)] > 1)


def later_repeats(ids: np.ndarray) -> np.ndarray:
    """Rows whose id occurred in an earlier row (ids numbered in order of first appearance:
    a row is the first of its id exactly when its number exceeds every number before it)."""
    seen = np.maximum.accumulate(ids)
    first = np.empty(len(ids), dtype=bool)
    first[:1] = True
    first[1:] = ids[1:] > seen[:-1]
    return (ids >= 0) & ~first


def check_duplicate_ids(inst: Instrument, frame: pd.DataFrame,
                        codes: np.ndarray | None = None) -> list[pd.DataFrame]:
    """A warning for each row whose respondent id an earlier row has. ``codes``:
    :func:`id_codes` of ``frame``, if already computed."""
    if codes is None:
        codes = id_codes(frame, inst.respondent_id)
    if codes is None:  # no id column, or no ids
        return []
    ids = frame[inst.respondent_id]
    later = later_repeats(codes)
    if not later.any():
        return []
    first = ~later & repeats(codes)
    first_of = {v: (f, r) for v, f, r in zip(ids[first], frame.loc[first, SOURCE_FILE],
                                             frame.loc[first, SOURCE_ROW], strict=True)}
    index = np.nonzero(later)[0]
    id_values = ids.to_numpy()
    where = _Rows(frame)
    # the id itself stays out of the problem list, which is an output too: the rows say
    # where to look
    chunk = where.problems(index, inst.respondent_id, inst.respondent_id, "warning",
                           "duplicate_id", None, "")
    message = text("problem.duplicate_id", PROBLEM_LANG, file="{file}", row="{row}")
    chunk["message"] = [message.format(file=f, row=r)
                        for f, r in (first_of[id_values[i]] for i in index)]
    return [chunk]


def check_columns(inst: Instrument, file: str, unknown: list[str],
                  absent: list[Any]) -> list[ProblemRecord]:
    """A problem for each column the instrument does not know, and each item no column holds."""
    records = []
    for col in unknown:
        records.append(problem(file=file, row=1, column=col, severity="warning",
                               code="unknown_column",
                               message=text("problem.unknown_column", PROBLEM_LANG)))
    for item in absent:
        if item.role == "admin" and not item.required:
            severity = "note"
        else:
            severity = "error" if item.required else "warning"
        records.append(problem(file=file, row=None, column=item.id, item=item.id,
                               severity=severity, code="missing_column",
                               message=text("problem.missing_column", PROBLEM_LANG)))
    return records
