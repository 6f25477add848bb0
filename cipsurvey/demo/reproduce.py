"""Reproduce Källmén, Hed & Elgán (2017): every printed number beside the value the plan
computes from a wave, with a verdict.

The checks are data: ``kallmen2017_checks.csv`` (beside this module) has one row per printed
number, naming where the paper's value stands in ``kallmen2017_published.yaml`` (cipsurvey's
copy of the paper's transcription) and where its reproduction stands in the report's results
(result id, table, column, the row's keys), how the value read there becomes the printed one
(a sum or count of rows, a percentage of a denominator the paper names, a sign), the printed
precision, whether the report prints the paper's value beside that cell, and the paper's
known contradictions with their reasons. The file's header describes each column.

``load_checks`` reads the table and refuses, before anything is computed, a row naming a
published key, a source, a table name or a transformation that does not exist;
``build_checks`` then checks each row's result, table and columns against the report and reads
the values. A value matches when it rounds (half up, as SPSS prints) to the printed one at the
printed decimals; a known contradiction of the paper is shown as such and does not fail.

To check another printed number: add its value to the published YAML (if it is not there) and
a row to the CSV; no code changes.
"""

from __future__ import annotations

import csv
import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..analysis import tables as T
from ..analysis.results import Report
from ..errors import CipsurveyError

HERE = Path(__file__).resolve().parent
PUBLISHED = HERE / "kallmen2017_published.yaml"
CHECKS = HERE / "kallmen2017_checks.csv"

COLUMNS = ("label", "published", "quote", "value", "result", "table", "column", "where",
           "reduce", "scale", "per", "decimals", "shown", "known")
ACCOUNT, DATA, INVITED = "@account", "@data", "@invited"
SOURCES = (ACCOUNT, DATA, INVITED)
TABLE_NAMES = frozenset(v for k, v in vars(T).items() if k.isupper() and isinstance(v, str))


def _one(values: pd.Series) -> float | None:
    """The one value the rows hold (rows that repeat it, as a grid's n, count once)."""
    distinct = values.dropna().unique()
    return float(distinct[0]) if len(distinct) == 1 else None


def _max_abs(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.abs().max()) if len(values) else None


REDUCERS = {
    "": _one,
    "sum": lambda values: float(values.sum()),
    "count": lambda values: float(values.notna().sum()),
    "nunique": lambda values: float(values.nunique()),
    "max_abs": _max_abs,
}


@dataclass(frozen=True)
class CheckRow:
    """One row of the checks table, read and checked (see the CSV's header for each field).

    ``where`` maps a column to the values its rows may hold; ``printed`` is the paper's value,
    ``per`` the denominator (a published number, ``INVITED``, or None), ``shown`` the column
    beside which the report prints the paper's value (None: not shown); ``line`` is the
    row's line in the file.
    """

    label: str
    published: str
    printed: float
    result: str
    table: str
    column: str
    where: dict[str, tuple[Any, ...]]
    reduce: str
    scale: float
    per: float | str | None
    decimals: int
    shown: str | None
    known: str
    line: int


@dataclass
class Check:
    """One printed number beside its reproduction; ``cell`` says where the reproduced value
    stands in the report's results (result id, table, column, and the keys of its row), so
    that the report can print the paper's value beside it; ``known`` is the reason when the
    paper contradicts itself in this number."""

    label: str
    published: float
    reproduced: float | None
    decimals: int
    cell: tuple[str, str, str, dict[str, Any]] | None = None
    known: str = ""

    @property
    def verdict(self) -> str:
        """match, mismatch, known inconsistency (of the paper) or missing."""
        if self.reproduced is None:
            return "missing"
        ok = _round(self.reproduced, self.decimals) == round(self.published, self.decimals)
        if ok:
            return "match"
        return "known inconsistency" if self.known else "mismatch"


def _round(x: float, k: int) -> float:
    return float(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-k), ROUND_HALF_UP))


def load_published(path: Path = PUBLISHED) -> dict:
    """The paper's printed numbers (``kallmen2017_published.yaml``)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def published_value(published: dict, key: str) -> Any:
    """What stands at ``key`` (keys joined by dots, list positions as numbers) in the
    published numbers; KeyError with the known keys at the place it fails."""
    node: Any = published
    done: list[str] = []
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            where = ".".join(done) or "the top"
            known = (list(node) if isinstance(node, dict)
                     else [str(i) for i in range(len(node))] if isinstance(node, list) else [])
            close = difflib.get_close_matches(part, known, n=1)
            hint = (f"did you mean {close[0]!r}?" if close
                    else f"known: {', '.join(known) or 'none'}")
            raise KeyError(f"no {part!r} under {where} ({hint})")
        done.append(part)
    return node


def _code(text: str) -> Any:
    """A row key as written: a code as a number, a label as text."""
    try:
        return float(text)
    except ValueError:
        return text


def _key(value: Any) -> Any:
    """Row keys compare codes as floats (1 and 1.0 are one group), labels as text."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


class _Problems:
    """Problems found in the checks table, each with its line and column."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.found: list[str] = []

    def add(self, line: int, column: str, message: str) -> None:
        self.found.append(f"line {line}, column {column!r}: {message}")

    def raise_any(self, what: str = "") -> None:
        """Raise one error listing every problem found, if any."""
        if self.found:
            raise CipsurveyError(f"{len(self.found)} problem(s) in the checks table"
                                 f"{' ' + what if what else ''}:\n  " + "\n  ".join(self.found),
                                 file=self.path)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def load_checks(path: Path = CHECKS, published: dict | None = None) -> list[CheckRow]:
    """The checks table, every row checked against the published numbers and the names
    cipsurvey knows (sources, table names, reductions); one ``CipsurveyError`` lists every
    problem by line and column."""
    pub = published if published is not None else load_published()
    lines = path.read_text(encoding="utf-8").splitlines()
    numbered = [(i, s) for i, s in enumerate(lines, start=1) if s.strip() and not s.startswith("#")]
    problems = _Problems(path)
    if not numbered:
        problems.add(1, "", "no header")
        problems.raise_any("(empty)")
    records = list(csv.reader([s for _, s in numbered]))
    header = records[0]
    if tuple(header) != COLUMNS:
        problems.add(numbered[0][0], "", f"the header must be {','.join(COLUMNS)}; "
                     f"it is {','.join(header)}")
        problems.raise_any("header")
    rows: list[CheckRow] = []
    labels: set[str] = set()
    for (line, _), record in zip(numbered[1:], records[1:], strict=True):
        if len(record) != len(COLUMNS):
            problems.add(line, "", f"{len(record)} fields, not {len(COLUMNS)}")
            continue
        row = _read_row(dict(zip(COLUMNS, record, strict=True)), line, pub, problems)
        if row is None:
            continue
        if row.label in labels:
            problems.add(line, "label", f"{row.label!r} is already a check")
        labels.add(row.label)
        rows.append(row)
    problems.raise_any()
    return rows


def _printed(f: dict[str, str], pub: dict, bad: Callable[[str, str], None]) -> float | None:
    """The paper's value for a row: the number at its published key, or, for a number
    printed only in prose, the row's value once its quote is found in the published text."""
    try:
        at = published_value(pub, f["published"])
    except KeyError as e:
        bad("published", f"unknown published key {f['published']!r}: {e.args[0]}")
        return None
    if f["quote"] or f["value"]:
        if not f["quote"] or not isinstance(at, str) or f["quote"] not in at:
            bad("quote", f"{f['quote']!r} is not in the published text at {f['published']!r}")
        printed = _number(f["value"])
        if printed is None:
            bad("value", f"{f['value']!r} is not a number")
        return printed
    if isinstance(at, int | float) and not isinstance(at, bool):
        return float(at)
    bad("published", f"{f['published']!r} holds {at!r}, not a number (for a number printed "
        "in prose, give the quote and the value)")
    return None


def _read_row(f: dict[str, str], line: int, pub: dict, problems: _Problems) -> CheckRow | None:
    """One row read and checked; None (with its problems recorded) if it cannot be used."""
    before = len(problems.found)

    def bad(column: str, message: str) -> None:
        problems.add(line, column, message)

    if not f["label"]:
        bad("label", "empty")
    printed = _printed(f, pub, bad)
    source = f["result"]
    if not source:
        bad("result", "empty")
    elif source.startswith("@") and source not in SOURCES:
        bad("result", f"unknown source {source!r} (known: {', '.join(SOURCES)})")
    if source.startswith("@"):
        if f["table"]:
            bad("table", f"{source} has no tables")
    elif f["table"] not in TABLE_NAMES:
        close = difflib.get_close_matches(f["table"], sorted(TABLE_NAMES), n=1)
        bad("table", f"unknown table name {f['table']!r}"
            + (f" (did you mean {close[0]!r}?)" if close else ""))
    if source == INVITED:
        if f["column"] or f["where"] or f["reduce"]:
            bad("column", "@invited is one number: no column, where or reduce")
    elif not f["column"]:
        bad("column", "empty")
    where: dict[str, tuple[Any, ...]] = {}
    for part in filter(None, f["where"].split(";")):
        name, eq, values = part.partition("=")
        if not eq or not name or not values:
            bad("where", f"{part!r} is not column=value")
        elif name in where:
            bad("where", f"{name!r} twice")
        else:
            where[name] = tuple(_code(v) for v in values.split("|"))
    if f["reduce"] not in REDUCERS:
        bad("reduce", f"unknown reduction {f['reduce']!r} (known: "
            + ", ".join(r for r in REDUCERS if r) + ")")
    scale = 1.0 if not f["scale"] else _number(f["scale"])
    if scale is None:
        bad("scale", f"{f['scale']!r} is not a number")
    per: float | str | None = None
    if f["per"] == INVITED:
        per = INVITED
    elif f["per"]:
        try:
            per = published_value(pub, f["per"])
        except KeyError as e:
            bad("per", f"unknown published key {f['per']!r}: {e.args[0]}")
        else:
            if not isinstance(per, int | float) or isinstance(per, bool) or per == 0:
                bad("per", f"{f['per']!r} holds {per!r}, not a denominator")
    decimals = int(f["decimals"]) if f["decimals"].isdigit() else None
    if decimals is None:
        bad("decimals", f"{f['decimals']!r} is not a number of decimals")
    shown: str | None = None
    if f["shown"] == "yes":
        shown = f["column"]
    elif f["shown"] != "no":
        shown = f["shown"]
    if shown is not None:
        if source.startswith("@"):
            bad("shown", f"the report has no cell for {source}")
        if f["reduce"] or any(len(v) != 1 for v in where.values()):
            bad("shown", "a cell shown in the report is one value of one row: no reduce, no a|b")
        if not shown:
            bad("shown", "yes, no or a column name")
    if len(problems.found) > before:
        return None
    assert printed is not None and scale is not None and decimals is not None
    return CheckRow(f["label"], f["published"], printed, source, f["table"], f["column"],
                    where, f["reduce"], scale, per, decimals, shown, f["known"], line)


def _source(report: Report, row: CheckRow) -> pd.DataFrame | None:
    """The frame a row reads (None if its result failed: the value is missing)."""
    if row.result == ACCOUNT:
        return report.survey.account.table()
    if row.result == DATA:
        return report.survey.data
    result = report.result(row.result)
    return None if result.error else result.tables[row.table]


def _check_against(report: Report, rows: list[CheckRow], path: Path) -> None:
    """Every result, table and column the rows name exists in the report (a result that
    failed is not a misspelling: its values are missing); one error lists every problem."""
    problems = _Problems(path)
    ids = [r.id for r in report.results]
    for row in rows:
        if row.result == INVITED:
            continue
        if not row.result.startswith("@") and row.result not in ids:
            close = difflib.get_close_matches(row.result, ids, n=1)
            problems.add(row.line, "result", f"the report has no result {row.result!r}"
                         + (f" (did you mean {close[0]!r}?)" if close else ""))
            continue
        if not row.result.startswith("@"):
            result = report.result(row.result)
            if result.error:
                continue
            if row.table not in result.tables:
                problems.add(row.line, "table", f"result {row.result!r} has no table "
                             f"{row.table!r} (it has: {', '.join(result.tables)})")
                continue
        frame = _source(report, row)
        assert frame is not None
        where = f"{row.result} {row.table}".strip()
        for column, name in (("column", row.column), *(("where", k) for k in row.where),
                             ("shown", row.shown)):
            if name is not None and name not in frame.columns:
                close = difflib.get_close_matches(name, [str(c) for c in frame.columns], n=1)
                problems.add(row.line, column, f"{where} has no column {name!r}"
                             + (f" (did you mean {close[0]!r}?)" if close else ""))
    problems.raise_any("against the report")


class _Reader:
    """The reproduced values of one report's rows, each frame and each keyed column of it
    read once. Rows are matched in plain Python: on the demo the 340 checks take 0.2 s
    (most of it reading the YAML), against 0.9 s with a pandas mask built per check."""

    def __init__(self, report: Report, invited: int | None) -> None:
        self.report = report
        self.invited = invited
        self.frames: dict[tuple[str, str], pd.DataFrame | None] = {}
        self.keyed: dict[tuple[str, str, str], list[Any]] = {}

    def frame(self, row: CheckRow) -> pd.DataFrame | None:
        """The frame the row reads (None if its result failed)."""
        at = (row.result, row.table)
        if at not in self.frames:
            self.frames[at] = _source(self.report, row)
        return self.frames[at]

    def value(self, row: CheckRow) -> float | None:
        """The row's value: read, reduced, scaled and divided as it says."""
        invited = self.invited
        if row.result == INVITED:
            value: float | None = float(invited) if invited else None
        else:
            frame = self.frame(row)
            if frame is None:
                return None
            picked = list(range(len(frame)))
            for name, values in row.where.items():
                at = (row.result, row.table, name)
                if at not in self.keyed:
                    self.keyed[at] = [_key(v) for v in frame[name]]
                keys, wanted = self.keyed[at], {_key(v) for v in values}
                picked = [i for i in picked if keys[i] in wanted]
            value = REDUCERS[row.reduce](frame[row.column].iloc[picked])
        if value is None:
            return None
        if row.scale != 1:
            value = row.scale * value
        if row.per == INVITED:
            value = value / invited if invited else None
        elif row.per is not None:
            value = value / row.per
        return value


def build_checks(report: Report, published: dict | None = None,
                 invited: int | None = None, checks: Path = CHECKS) -> list[Check]:
    """Every number the paper prints, each beside its reproduced value: the rows of the
    checks table (``checks``) read from the report. Rows that need the number invited are
    left out when ``invited`` is not known. A row naming a result, table or column the report
    lacks is a ``CipsurveyError`` before any value is read."""
    pub = published or load_published()
    rows = load_checks(checks, pub)
    _check_against(report, rows, checks)
    reader = _Reader(report, invited)
    out = []
    for row in rows:
        if not invited and INVITED in (row.result, row.per):
            continue
        cell = None if row.shown is None else (
            row.result, row.table, row.shown, {k: v[0] for k, v in row.where.items()})
        out.append(Check(row.label, row.printed, reader.value(row),
                         row.decimals, cell, row.known))
    return out


def paper_cells(checks: list[Check]) -> dict[tuple[str, str, str, tuple], tuple[float, int]]:
    """The paper's printed values by the result cell each reproduces, as the report looks
    them up to print each beside its reproduction: (result, table, column, the row's keys)
    → (printed value, its decimals)."""
    out = {}
    for c in checks:
        if c.cell is None:
            continue
        rid, table, column, where = c.cell
        key = (rid, table, column, tuple(sorted((k, _key(v)) for k, v in where.items())))
        out[key] = (c.published, c.decimals)
    return out


def checks_frame(checks: list[Check]) -> pd.DataFrame:
    """The checks as a table, with the reason for each known inconsistency."""
    return pd.DataFrame([{"quantity": c.label, "published": c.published,
                          "reproduced": c.reproduced, "decimals": c.decimals,
                          "verdict": c.verdict,
                          "why": c.known if c.verdict == "known inconsistency" else ""}
                         for c in checks])


def paper_beside(report: Report) -> dict[tuple[str, str, str, tuple], tuple[float, int]]:
    """The paper's printed values by the result cell each reproduces, for the demo wave's
    report with the paper's plan (what the report prints beside its numbers)."""
    from .files import demo_invited

    return paper_cells(build_checks(report, invited=demo_invited("baseline")))
