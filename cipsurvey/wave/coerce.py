"""Match a raw table to an instrument and turn its cells into codes and numbers.

Columns match items by id, alias, or question text in either language; answers match by code,
by answer name, or by label in either language, ignoring case and surrounding spaces. Every
cell that cannot be read as a valid answer becomes missing in the wave and is listed as a
problem with its original text, so nothing changes silently. SPSS user-missing codes (and the
instrument's missing codes) become missing and are recorded with their code.

Each column is handled through its distinct values (``pandas.factorize``): a survey column
holds few distinct answers, so the per-value Python work stays small even for a million rows.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..instrument import CHOICE_TYPES, Instrument, Item, ItemType
from ..instrument.expr import normalise
from ..io.raw import RawTable
from ..lang import text
from ..parallel import two_threads
from .problems import PROBLEM_LANG, ProblemRecord, problem

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)$")  # 12, 1.5, 1,5, .43
_GROUPED = re.compile(r"^\d{1,3}([ \u00a0\u202f]\d{3})+$")
_TRUE = {"1", "1.0", "yes", "ja", "true", "sant", "x", "checked", "selected", "y", "kryssad",
         "vald", "markerad", "oui", "sí", "kyllä"}
_FALSE = {"0", "0.0", "no", "nej", "false", "falskt", "unchecked", "not selected", "n",
          "ej vald", "ej markerad", "ej kryssad", "nein", "nee", "non", "nei", "ei"}

# Outcome of reading one cell. "ok" and "empty" are not problems.
OK, EMPTY, USER_MISSING = "ok", "empty", "user_missing"
SEVERITY = {
    "unknown_code": "error", "ambiguous_code": "error", "out_of_range": "error",
    "free_typed_number": "error", "not_a_number": "error", "not_integer": "error",
    "invalid_date": "error", "date_out_of_range": "error",
}


@dataclass
class ColumnMatch:
    """Which raw column feeds which wave column."""

    raw: str
    item: Item
    column: str  # wave column
    packed: bool = False  # a multiple-choice answer packed into one cell


@dataclass
class Coerced:
    """A raw table coded to the instrument: the wave columns, how columns matched,
    the problems of its cells and the user-missing codes."""

    frame: pd.DataFrame
    matches: list[ColumnMatch]
    unknown_columns: list[str]
    absent_items: list[Item]
    problems: list[ProblemRecord]
    missing: MissingCodes
    ignored_columns: list[str] = field(default_factory=list)  # tool columns not read
    # rows with a value in any question column, readable or not (not a missing code)
    raw_answered: np.ndarray | None = None


def _key(text: Any) -> str:
    text = normalise(str(text))
    return text.rstrip(" ?:.")


def column_keys(inst: Instrument) -> dict[str, tuple[Item, str, bool] | None]:
    """Every spelling of a column header that maps to an item column (None: to two).

    Names the instrument gives (item ids, aliases) come before the spellings derived from
    them (an option's wave column ``item_name``, ``item_code``, ``item[name]``, question
    texts, ``text [label]``): a tool's ``q_other`` text column is the item that names it,
    not the option "other" of ``q``. A spelling that would name two different columns at the
    same rank names neither: two answer labels that differ only in case, or two questions
    with the same text, are not told apart by a guess.
    """
    ranked: list[dict[str, tuple[Item, str, bool] | None]] = [{}, {}]

    def put(rank: int, key: str, value: tuple[Item, str, bool]) -> None:
        table = ranked[rank]
        k = _key(key)
        if k in table and table[k] is not None and (table[k][0].id, table[k][1]) != (
                value[0].id, value[1]):
            table[k] = None  # ambiguous at this rank
        elif k not in table:
            table[k] = value

    for item in inst.items:
        aliases = [a for values in item.aliases.values() for a in values]
        langs = ["sv", "en", *(item.text.model_extra or {})]
        if item.type == ItemType.multiple_choice:
            for choice, col in zip(item.choices, item.columns, strict=True):
                value = (item, col, False)
                put(1, col, value)
                for alias in choice.aliases:  # the file's own name for this option's column
                    put(0, alias, value)
                for base in (item.id, *aliases):
                    put(1, f"{base}_{choice.code}", value)
                    put(1, f"{base}_{choice.name}", value)
                    put(1, f"{base}[{choice.name}]", value)
                for lang in dict.fromkeys([*langs, *(choice.label.model_extra or {})]):
                    put(1, f"{item.text.get(lang)} [{choice.label.get(lang)}]", value)
                    put(1, f"{item.text.get(lang)} [{choice.name}]", value)
            for base in (item.id, *aliases):
                put(0, base, (item, item.id, True))
            for base in item.text.all():
                put(1, base, (item, item.id, True))
        else:
            for base in (item.id, *aliases):
                put(0, base, (item, item.id, False))
            for base in item.text.all():
                put(1, base, (item, item.id, False))
    keys: dict[str, tuple[Item, str, bool] | None] = {}
    for table in reversed(ranked):  # (a rank-0 name is never lost to a derived one)
        keys.update(table)
    return keys


def match_columns(raw: RawTable, inst: Instrument,
                  ) -> tuple[list[ColumnMatch], list[str], list[str]]:
    """Which raw column feeds which wave column; the columns no item reads (unknown), and the
    survey tool's own columns no item reads (set aside).

    A column is matched by its own name first, then by the other names its tool gives it
    (``layout.alternatives``); a tool column (a timestamp, the tool's response id) is read
    like any other when the instrument names it and no answer column holds that item. A
    name the header gives twice is refused when an item would read it: which of the two holds
    the answers is not guessed.
    """
    keys = column_keys(inst)
    layout = raw.layout
    metadata = set(layout.metadata) if layout is not None else set()
    set_aside = set(layout.set_aside) if layout is not None else set()
    alternatives = layout.alternatives if layout is not None else {}
    matches: list[ColumnMatch] = []
    unknown: list[str] = []
    ignored: list[str] = []
    used: dict[str, str] = {}
    derived = {d.id for d in inst.derived}
    twice: dict[str, list[str]] = {}
    for renamed, written in raw.duplicate_headers.items():
        twice.setdefault(_key(written), []).append(renamed)
    # the tool's own columns last: one feeds an item only when no answer column does
    order = [c for c in raw.frame.columns if c not in metadata] + \
        [c for c in raw.frame.columns if c in metadata]
    for col in order:
        written = raw.duplicate_headers.get(col)
        if col in set_aside:
            ignored.append(col)
            continue
        if written is not None:
            if _key(written) in keys:
                _raise_twice(raw, written, twice[_key(written)], keys[_key(written)], inst)
            hit = None
        else:
            hit = keys.get(_key(col))
            for alt in alternatives.get(col, []) if hit is None else []:
                hit = keys.get(_key(alt))
                if hit is not None:
                    break
        if hit is None:
            if col in metadata:
                ignored.append(col)
            elif _key(col) not in derived:
                unknown.append(col)
            continue
        item, column, packed = hit
        if column in used:
            if col in metadata:
                ignored.append(col)
                continue
            raise_duplicate(raw, col, used[column], column)
        used[column] = col
        matches.append(ColumnMatch(col, item, column, packed))
    position = {c: k for k, c in enumerate(raw.frame.columns)}
    matches.sort(key=lambda m: position[m.raw])
    return matches, unknown, ignored


def _raise_twice(raw: RawTable, written: str, columns: list[str],
                 hit: tuple[Item, str, bool] | None, inst: Instrument) -> None:
    from ..errors import InputFileError

    if hit is None:  # the heading is the text of two items as well
        readers = [i.id for i in inst.items if _key(written) in {_key(t) for t in i.text.all()}]
        item_text = f"items {' and '.join(map(repr, readers))} read it"
    else:
        item_text = f"item {hit[0].id!r} reads it"

    where = sorted(int(m.group(1)) for c in columns
                   if (m := re.search(r"\(column (\d+)\)$", c)))
    first = next((k + 1 for k, c in enumerate(raw.frame.columns) if c == written), None)
    places = [p for p in [first, *where] if p is not None]
    tool = raw.details.get("source", "table")
    raise InputFileError(
        f"the header names the column {written!r} twice (columns "
        f"{' and '.join(map(str, places))}), and {item_text}",
        file=raw.path, row=1, column=written, hint=TWICE_HINTS.get(tool, TWICE_HINTS["table"]),
    )


# what to export instead when a heading is given twice
TWICE_HINTS = {
    "table": "rename or delete one of the two columns",
    "limesurvey": "export the responses again with question codes as headings "
                  "(Export → Headings: Question code)",
    "redcap": "export the raw data (variable names as headers) instead of the labels",
    "qualtrics": "export again with the question export tags as headers",
    "surveymonkey": "give the two questions different texts, or rename one column",
    "google_forms": "give the two questions different texts, or rename one column",
    "microsoft_forms": "give the two questions different texts, or rename one column",
    "kobo": "export with XML values and headers instead of labels",
}


def raise_duplicate(raw: RawTable, col: str, other: str, column: str) -> None:
    """Refuse a file in which two columns hold the same wave column."""
    from ..errors import InputFileError

    raise InputFileError(
        f"columns {other!r} and {col!r} both hold {column!r}", file=raw.path, row=1, column=col,
        hint="delete or rename one of them",
    )


# --------------------------------------------------------------------------- single values


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


def parse_number(value: Any) -> tuple[float | None, str]:
    """A number from a cell: (value, status). Accepts decimal comma and point, and digit
    groups separated by spaces ("1 000"); anything else typed is flagged, never guessed."""
    if isinstance(value, bool):
        return None, "not_a_number"
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value), OK
    text = str(value).strip()
    m = _NUMBER.match(text)
    if m:
        return float(text.replace(",", ".")), OK
    if _GROUPED.match(text):
        return float(re.sub(r"\s", "", text)), OK
    if any(ch.isdigit() for ch in text):
        return None, "free_typed_number"
    return None, "not_a_number"


class _ItemReader:
    """Reads the cells of one item, remembering missing codes and answer spellings."""

    def __init__(self, inst: Instrument, item: Item, file_missing: list[tuple[Any, Any]],
                 value_labels: dict[Any, str]) -> None:
        self.item = item
        self.missing = {m.code: m for m in inst.missing_codes(item)}
        self.file_missing = file_missing
        self.answers: dict[str, float] = {}
        self.names = {_key(c.name): float(c.code) for c in item.choices}
        for c in item.choices:
            for key in (c.name, *c.label.all()):
                self.answers.setdefault(_key(key), float(c.code))
        # labels the file itself attaches to codes (SPSS value labels) also count as spellings
        for code, label in (value_labels or {}).items():
            try:
                self.answers.setdefault(_key(label), float(code))
            except (TypeError, ValueError):
                continue
        self.missing_labels = {_key(lab): m.code for m in self.missing.values()
                               for lab in m.label.all()}
        self.codes = {float(c.code) for c in item.choices}

    def user_missing(self, value: Any) -> Any | None:
        """The missing code this value stands for, if it is one."""
        for lo, hi in self.file_missing:
            try:
                if lo == hi and value == lo:
                    return value
                if not isinstance(value, str) and lo <= value <= hi:
                    return value
            except TypeError:
                continue
        num, status = (None, "")
        if isinstance(value, str):
            text = value.strip()
            key = _key(text)
            if key in self.missing_labels:
                return self.missing_labels[key]
            if text in {str(c) for c in self.missing}:
                for c in self.missing:
                    if str(c) == text:
                        return c
            num, status = parse_number(text)
        elif isinstance(value, int | float | np.integer | np.floating):
            num, status = float(value), OK
        if status == OK and num is not None:
            for code in self.missing:
                if isinstance(code, int | float) and float(code) == num:
                    return code
        return None

    def read(self, value: Any) -> tuple[Any, str, Any]:
        """(wave value, status, missing code)."""
        if _is_blank(value):
            return np.nan, EMPTY, None
        code = self.user_missing(value)
        if code is not None:
            return np.nan, USER_MISSING, code
        kind = self.item.type
        if kind in CHOICE_TYPES:
            return self._choice(value)
        if kind in (ItemType.count, ItemType.number):
            return self._number(value)
        if kind == ItemType.date:
            return self._date(value)
        if kind == ItemType.identifier:
            if isinstance(value, float) and value.is_integer():
                return str(int(value)), OK, None
            return str(value).strip(), OK, None
        return (value if isinstance(value, str) else str(value)), OK, None

    def _choice(self, value: Any) -> tuple[Any, str, Any]:
        num, status = parse_number(value)
        by_code = num if status == OK and num is not None and num in self.codes else None
        by_name = self.names.get(_key(value)) if isinstance(value, str) else None
        if by_code is not None and by_name is not None and by_code != by_name:
            return np.nan, "ambiguous_code", None  # "1" names the answer coded 2
        if by_name is not None:
            return by_name, OK, None
        if by_code is not None:
            return by_code, OK, None
        if isinstance(value, str):
            hit = self.answers.get(_key(value))
            if hit is not None:
                return hit, OK, None
        return np.nan, "unknown_code", None

    def _number(self, value: Any) -> tuple[Any, str, Any]:
        num, status = parse_number(value)
        if status != OK or num is None or not math.isfinite(num):
            return np.nan, status if status != OK else "not_a_number", None
        if self.item.type == ItemType.count and not float(num).is_integer():
            return np.nan, "not_integer", None
        rng = self.item.range
        if rng is not None and ((rng.min is not None and num < rng.min)
                                or (rng.max is not None and num > rng.max)):
            return np.nan, "out_of_range", None
        return num, OK, None

    def _date(self, value: Any) -> tuple[Any, str, Any]:
        if isinstance(value, dt.datetime | dt.date | pd.Timestamp | np.datetime64):
            stamp = pd.Timestamp(value)
        else:
            try:
                stamp = pd.to_datetime(str(value).strip(), format="ISO8601")
            except (ValueError, TypeError, OverflowError):
                return pd.NaT, "invalid_date", None
            if stamp.tzinfo is not None:
                stamp = stamp.tz_localize(None)
        # the wave's date columns are datetime64[ns]: a date outside their span (a year
        # 1000 from a damaged cell) is a problem on the cell, not a crash
        if not pd.Timestamp.min <= stamp <= pd.Timestamp.max:
            return pd.NaT, "date_out_of_range", None
        return stamp, OK, None

    def read_option(self, value: Any, choice_label_keys: set[str]) -> tuple[Any, str, Any]:
        """A cell of one multiple-choice option column: 1 selected, 0 not selected."""
        if _is_blank(value):
            return np.nan, EMPTY, None
        code = self.user_missing(value)
        if code is not None:
            return np.nan, USER_MISSING, code
        numeric = isinstance(value, int | float | np.integer | np.floating)
        if numeric and not isinstance(value, bool):
            if float(value) in (0.0, 1.0):
                return float(value), OK, None
            return np.nan, "unknown_code", None
        key = _key(value)
        if key in _TRUE or key in choice_label_keys:
            return 1.0, OK, None
        if key in _FALSE:
            return 0.0, OK, None
        return np.nan, "unknown_code", None


# --------------------------------------------------------------------------- whole table

# Per distinct value, the outcome is kept as a small integer (an index into STATUSES), so that
# a million rows need no Python object per cell.
STATUSES = [OK, EMPTY, USER_MISSING, *SEVERITY]
_CODE = {name: i for i, name in enumerate(STATUSES)}
_FIRST_PROBLEM = _CODE[USER_MISSING] + 1


def _empty_column(item: Item) -> pd.Series:
    if item.type == ItemType.date:
        return pd.Series(pd.NaT, dtype="datetime64[us]")
    if item.type in (ItemType.text, ItemType.identifier):
        return pd.Series(np.nan, dtype=object)
    return pd.Series(np.nan, dtype=float)


def is_text_column(series: pd.Series) -> bool:
    """Every cell missing or a string (checked in C, not per cell)."""
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return True
    return series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in (
        "string", "empty")


def _read_text(series: pd.Series, reader: _ItemReader, out_rows: MissingCodes,
               column: str) -> pd.Series:
    """A text or id column read column-wise (ids and free text are nearly all distinct).

    Only a value whose first character can begin a missing code or label (after the same
    normalisation) can be one; those few distinct values get the per-value check.
    """
    text = series.astype(object) if series.dtype == object else series
    stripped = text.str.strip()
    blank = (stripped.isna() | (stripped == "")).to_numpy(dtype=bool)
    kept = stripped if reader.item.type == ItemType.identifier else text
    starts = {_key(k)[:1] for k in reader.missing_labels} | {str(c)[:1] for c in reader.missing}
    if any(isinstance(c, int | float) for c in reader.missing):
        starts |= set("+-0123456789")
    if starts - {""}:
        first = stripped.str[:1]
        firsts = pd.unique(first[~blank].to_numpy(dtype=object))
        maybe = [f for f in firsts if f.casefold()[:1] in starts or f.isdigit()]
        candidates = ~blank & first.isin(maybe).to_numpy(dtype=bool)
        if candidates.any():
            values = stripped[candidates]
            hits = {v: c for v in pd.unique(values.to_numpy(dtype=object))
                    if (c := reader.user_missing(v)) is not None}
            if hits:
                found = values.map(hits).to_numpy(dtype=object)
                um = np.nonzero(candidates)[0][pd.notna(found)]
                out_rows.add(column, um, found[pd.notna(found)])
                blank[um] = True
    if isinstance(kept.dtype, pd.StringDtype):  # pandas' own strings stay as they are
        return kept.reset_index(drop=True).where(~blank)
    return pd.Series(kept.to_numpy(dtype=object), dtype=object).where(~blank, np.nan)


class MissingCodes:
    """The user-missing code behind each missing cell, stored compactly.

    Per column: a small-integer array aligned with the rows (0 = no code, k = ``codes[k-1]``)
    and the list of its distinct codes. A million rows with dozens of skipped items each
    would otherwise need tens of millions of table rows.
    """

    def __init__(self, n: int, columns: dict[str, tuple[np.ndarray, list[Any]]] | None = None,
                 ) -> None:
        self.n = n
        self.columns: dict[str, tuple[np.ndarray, list[Any]]] = dict(columns or {})

    def add(self, column: str, index: np.ndarray, codes: np.ndarray) -> None:
        """Rows ``index`` hold the codes ``codes``."""
        if not len(index):
            return
        distinct = list(pd.unique(np.asarray(codes, dtype=object)))
        which = np.zeros(self.n, dtype=np.int16)
        which[index] = pd.Index(distinct).get_indexer(codes) + 1
        self.columns[column] = (which, distinct)

    def add_coded(self, column: str, idx: np.ndarray, per_value: np.ndarray) -> None:
        """Each row's code given through its distinct value: ``per_value[idx]`` (None where
        there is no code); the work is per distinct value, not per row."""
        present = [k for k, c in enumerate(per_value) if c is not None]
        if not present:
            return
        distinct = list(dict.fromkeys(per_value[k] for k in present))
        number = np.zeros(len(per_value), dtype=np.int16)
        for k in present:
            number[k] = distinct.index(per_value[k]) + 1
        which = number[idx]
        if which.any():
            self.columns[column] = (which, distinct)

    def take(self, keep: np.ndarray) -> MissingCodes:
        """The rows where ``keep`` is True."""
        if keep.all():
            return self
        return MissingCodes(int(keep.sum()), {c: (w[keep], codes)
                                              for c, (w, codes) in self.columns.items()})

    @staticmethod
    def concat(parts: list[MissingCodes]) -> MissingCodes:
        """The codes of several files' rows, stacked in order."""
        if len(parts) == 1:
            return parts[0]
        columns: dict[str, tuple[np.ndarray, list[Any]]] = {}
        names = list(dict.fromkeys(c for p in parts for c in p.columns))
        for name in names:
            codes = list(dict.fromkeys(c for p in parts if name in p.columns
                                       for c in p.columns[name][1]))
            arrays = []
            for p in parts:
                if name not in p.columns:
                    arrays.append(np.zeros(p.n, dtype=np.int16))
                    continue
                which, own = p.columns[name]
                remap = np.array([0, *(codes.index(c) + 1 for c in own)], dtype=np.int16)
                arrays.append(remap[which])
            columns[name] = (np.concatenate(arrays), codes)
        return MissingCodes(sum(p.n for p in parts), columns)

    def table(self, files: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
        """One row per coded cell: ``file, row, column, code`` (``files`` and ``rows`` say
        where each row came from)."""
        parts = []
        for name, (which, codes) in self.columns.items():
            at = np.nonzero(which)[0]
            parts.append(pd.DataFrame({"file": files[at], "row": rows[at], "column": name,
                                       "code": np.asarray(codes, dtype=object)[which[at] - 1]}))
        if not parts:
            return pd.DataFrame(columns=["file", "row", "column", "code"])
        out = pd.concat(parts, ignore_index=True)
        if all(isinstance(c, float | int) for c in pd.unique(out["code"])):
            out["code"] = out["code"].astype(float)
        return out


def _read_values(series: pd.Series, read: Any,
                 ) -> tuple[list[Any], np.ndarray, np.ndarray, np.ndarray]:
    """Read each distinct value once: per distinct value its wave value, each row's index
    into the distinct values (-1: empty, which indexes the last entry), and per distinct
    value (plus the empty cell, last) its status code and missing code."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    results = [read(u) for u in uniques]
    status = np.array([_CODE[r[1]] for r in results] + [_CODE[EMPTY]], dtype=np.int8)
    mcodes = np.array([r[2] for r in results] + [None], dtype=object)
    return [r[0] for r in results], codes, status, mcodes


def _column(item: Item, values: list[Any], codes: np.ndarray,
            into: np.ndarray | None = None) -> pd.Series:
    """The wave column: each row's value (``values`` per distinct value, the empty cell
    after them), numbers written into ``into`` if given (a float array of the rows)."""
    if item.type == ItemType.date:
        stamps = pd.DatetimeIndex([*values, pd.NaT]).as_unit("us")  # (ns ends at 1677)
        return pd.Series(stamps.take(codes))
    if item.type in (ItemType.text, ItemType.identifier):
        return pd.Series(np.array([*values, np.nan], dtype=object)[codes], dtype=object,
                         copy=False)
    table = np.array([*values, np.nan], dtype=float)
    if into is None:
        return pd.Series(table[codes], copy=False)
    np.take(table, codes, out=into)
    return pd.Series(into, copy=False)


def coerce_table(raw: RawTable, inst: Instrument) -> Coerced:
    """Turn a raw table into wave columns, listing every cell that could not be read."""
    matches, unknown, ignored = match_columns(raw, inst)
    n = len(raw.frame)
    out: dict[str, pd.Series] = {}
    problems: list[dict[str, Any]] = []
    missing = MissingCodes(n)
    fed_items = {m.item.id for m in matches}

    def one(match: ColumnMatch) -> tuple[dict[str, pd.Series], list[dict[str, Any]],
                                         MissingCodes]:
        cols: dict[str, pd.Series] = {}
        found: list[dict[str, Any]] = []
        codes = MissingCodes(n)
        _coerce_column(raw, inst, match, cols, found, codes)
        return cols, found, codes

    # columns are independent; numpy and pandas release the GIL for most of the work, so a
    # large file is read in two threads. The parts are merged in column order either way.
    if two_threads(n) and len(matches) > 1:
        with ThreadPoolExecutor(2) as pool:
            parts = list(pool.map(one, matches))
    else:
        parts = [one(match) for match in matches]
    for cols, found, codes in parts:
        out.update(cols)
        problems.extend(found)
        missing.columns.update(codes.columns)

    for item in inst.items:
        for column in item.columns:
            if column not in out:
                out[column] = _empty_column(item).reindex(range(n))
    if any(i.type == ItemType.multiple_choice for i in inst.items):
        _fill_unselected(inst, out, fed_items)
    frame = pd.DataFrame({c: out[c].reset_index(drop=True) for c in _wave_columns(inst)},
                         copy=False)
    absent = [i for i in inst.items if i.id not in fed_items]
    # a row answered something when one of its question cells holds a value: a readable
    # one, or an unreadable one (a problem on its cell); a declared missing code is neither
    questions = [c for i in inst.questions() if i.id in fed_items for c in i.columns]
    answered = np.zeros(n, dtype=bool)
    for column in questions:
        answered |= frame[column].notna().to_numpy()
    if problems:
        answered[np.searchsorted(raw.rows, [p["row"] for p in problems])] = True
    return Coerced(frame, matches, unknown, absent, problems, missing, ignored, answered)


def _coerce_column(raw: RawTable, inst: Instrument, match: ColumnMatch,
                   out: dict[str, pd.Series], problems: list[dict[str, Any]],
                   missing: MissingCodes) -> None:
    """Read one raw column into ``out`` (one wave column, or several for a packed
    multiple-choice cell), adding its problems and user-missing codes."""
    item = match.item
    file = str(raw.path)
    reader = _ItemReader(inst, item, raw.user_missing.get(match.raw, []),
                         raw.value_labels.get(match.raw, {}))
    series = raw.frame[match.raw]
    if (item.type in (ItemType.identifier, ItemType.text) and not reader.file_missing
            and is_text_column(series)):
        out[match.column] = _read_text(series, reader, missing, match.column)
        return
    if match.packed:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        _unpack_multiple(match, reader, series, codes, uniques, raw, out, problems)
        return
    if item.type == ItemType.multiple_choice:
        choice = item.choices[item.columns.index(match.column)]
        label_keys = {_key(x) for x in (choice.name, *choice.label.all())}
        values, idx, status, mcodes = _read_values(
            series, lambda u: reader.read_option(u, label_keys))
    else:
        values, idx, status, mcodes = _read_values(series, reader.read)
    if (status >= _FIRST_PROBLEM).any():  # per distinct value first: rarely any
        row_status = status[idx]
        bad = np.nonzero(row_status >= _FIRST_PROBLEM)[0]
        originals = series.iloc[bad].to_numpy(dtype=object)
        for i, value in zip(bad, originals, strict=True):
            problems.append(_problem(file, raw.rows[i], match, STATUSES[row_status[i]],
                                     value, item))
    # the cells have been read: a number column may now take the place of the reader's
    # array (each raw column feeds one wave column; pop: never twice)
    into = raw.scratch.pop(match.raw, None) if item.type not in (
        ItemType.date, ItemType.text, ItemType.identifier) else None
    if into is not None and (into.dtype != np.float64 or len(into) != len(idx)):
        into = None
    out[match.column] = _column(item, values, idx, into)
    missing.add_coded(match.column, idx, mcodes)


def _wave_columns(inst: Instrument) -> list[str]:
    return [c for item in inst.items for c in item.columns]


def _fill_unselected(inst: Instrument, out: dict[str, pd.Series], fed: set[str]) -> None:
    """In a multiple-choice item, an empty option beside a selected one means 'not selected'."""
    for item in inst.items:
        if item.type != ItemType.multiple_choice or item.id not in fed:
            continue
        options = [out[c].to_numpy(dtype=float) for c in item.columns]
        answered = np.zeros(len(options[0]), dtype=bool)
        for values in options:  # option by option: no respondents × options copy
            answered |= (values == 1) | (values == 0)
        for c, values in zip(item.columns, options, strict=True):
            fill = answered & np.isnan(values)
            if fill.any():
                filled = values.copy()
                filled[fill] = 0.0
                out[c] = pd.Series(filled, index=out[c].index, name=out[c].name, copy=False)


def _unpack_multiple(match: ColumnMatch, reader: _ItemReader, series: pd.Series,
                     codes: np.ndarray, uniques: Any, raw: RawTable,
                     out: dict[str, pd.Series], problems: list[dict[str, Any]]) -> None:
    """A multiple-choice answer written in one cell: codes or labels joined by ; , | or space."""
    item = match.item
    lookup: dict[str, int] = {}
    for k, c in enumerate(item.choices):
        for key in (str(c.code), c.name, *c.label.all()):
            lookup[_key(key)] = k
    n_opt = len(item.choices)
    per_unique: list[tuple[np.ndarray, str]] = []
    for u in uniques:
        if _is_blank(u) or reader.user_missing(u) is not None:
            per_unique.append((np.full(n_opt, np.nan), EMPTY))
            continue
        text = str(int(u)) if isinstance(u, float) and u.is_integer() else str(u)
        parts = _split_packed(text, lookup)
        if parts is None:
            per_unique.append((np.full(n_opt, np.nan), "unknown_code"))
            continue
        row = np.zeros(n_opt)
        row[parts] = 1.0
        per_unique.append((row, OK))
    matrix = np.vstack([p[0] for p in per_unique] + [np.full(n_opt, np.nan)])
    statuses = np.array([p[1] for p in per_unique] + [EMPTY], dtype=object)
    idx = np.where(codes < 0, len(uniques), codes)
    rows = matrix[idx]
    for k, col in enumerate(item.columns):
        out[col] = pd.Series(rows[:, k])
    originals = series.to_numpy(dtype=object)
    for i in np.nonzero(statuses[idx] == "unknown_code")[0]:
        problems.append(_problem(str(raw.path), raw.rows[i], match, "unknown_code",
                                 originals[i], item))


def _split_packed(text: str, lookup: dict[str, int]) -> list[int] | None:
    """The options of a cell that joins several answers: ``A;B;`` (Microsoft Forms), ``A, B``
    (Google Forms), ``1,3`` (Qualtrics), ``a b`` (KoboToolbox). An answer's own text may hold
    the separator ("Skola, förskola"): the cell is cut into pieces at every separator and the
    pieces are joined back into known answers; a cell that can be read in two ways, or not
    at all, is None."""
    key = _key(text)
    if key in lookup:
        return [lookup[key]]
    for sep in (";", "|", ",", " "):
        if sep not in text:
            continue
        pieces = text.split(sep)
        while pieces and not pieces[-1].strip():  # "A;B;"
            pieces.pop()
        readings = _readings(pieces, sep, lookup)
        if len(readings) == 1:
            return sorted(set(readings[0]))
        if len(readings) > 1:
            return None
    return None


def _readings(pieces: list[str], sep: str, lookup: dict[str, int],
              limit: int = 2) -> list[list[int]]:
    """The ways (at most ``limit``) to read consecutive pieces as known answers."""
    n = len(pieces)
    ways: list[list[list[int]]] = [[] for _ in range(n + 1)]
    ways[n] = [[]]
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n + 1):
            if not ways[j]:
                continue
            key = _key(sep.join(pieces[i:j]))
            if key in lookup:
                ways[i] += [[lookup[key], *rest] for rest in ways[j]][:limit - len(ways[i])]
            if len(ways[i]) >= limit:
                break
    return ways[0]


def _problem(file: str, row: int, match: ColumnMatch, status: str, value: Any,
             item: Item) -> ProblemRecord:
    codes = ", ".join(f"{c.code}={c.name}" for c in item.choices)
    rng = item.range
    rng_text = f"{rng.min:g}–{rng.max:g}" if rng and rng.min is not None and rng.max is not None \
        else str(rng)
    message = text(f"problem.{status}", PROBLEM_LANG, value=value, codes=codes, range=rng_text)
    return problem(file=file, row=int(row), column=match.raw, item=item.id,
                   severity=SEVERITY[status], code=status, value=str(value), message=message)
