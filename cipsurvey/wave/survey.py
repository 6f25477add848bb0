"""A wave of answers: the tidy data, its instrument, and an account of every input row."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CipsurveyError, InputFileError
from ..instrument import SOURCE_FILE, SOURCE_ROW, Instrument, ItemType, load_instrument
from ..io.readers import read_raw
from ..lang import text
from ..parallel import two_threads
from .coerce import MissingCodes, coerce_table, is_text_column
from .derive import compute_derived
from .problems import PROBLEM_LANG, ProblemRecord, problem
from .validate import (
    Findings,
    check_columns,
    check_duplicate_ids,
    check_filters,
    id_codes,
    repeats,
)

EXCLUSION_COLUMNS = ["file", "row", "reason"]
TOOL_NAMES = {"limesurvey": "LimeSurvey", "redcap": "REDCap", "qualtrics": "Qualtrics",
              "surveymonkey": "SurveyMonkey", "google_forms": "Google Forms",
              "microsoft_forms": "Microsoft Forms", "kobo": "KoboToolbox/ODK"}
# what to export (or convert) when a file's columns are none of the instrument's items
EXPORT_HINTS = {
    "table": "check --instrument, or add the column names as aliases in the instrument",
    "limesurvey": "convert the survey's .lss with `cipsurvey instrument convert` and use that "
                  "instrument, or export the responses with question codes as headings",
    "redcap": "convert the project's data dictionary with `cipsurvey instrument convert` and "
              "use that instrument; export raw data with variable names as headers",
    "qualtrics": "convert the survey's .qsf with `cipsurvey instrument convert` and use that "
                 "instrument, or give the questions export tags equal to the item ids",
    "surveymonkey": "give the instrument's items the question texts of the survey, or add "
                    "the headings as aliases",
    "google_forms": "give the instrument's items the question texts of the form, or add the "
                    "headings as aliases",
    "microsoft_forms": "give the instrument's items the question texts of the form, or add "
                       "the headings as aliases",
    "kobo": "convert the form's XLSForm with `cipsurvey instrument convert` and use that "
            "instrument; export CSV with XML values and headers",
}


@dataclass
class FileAccount:
    """What happened to one input file."""

    file: str
    format: str
    details: dict[str, str]
    rows_read: int
    rows_kept: int
    rows_excluded: int
    columns_matched: int
    columns_unknown: list[str]
    columns_ignored: list[str]
    items_absent: list[str]
    partial: int = 0
    test: int = 0
    spam: int = 0
    columns_map: dict[str, str] = field(default_factory=dict)  # raw column -> wave column
    notes: list[str] = field(default_factory=list)  # what was assumed about the file

    def as_dict(self) -> dict[str, Any]:
        """The account as plain data (for results.json)."""
        return dict(self.__dict__)


@dataclass
class ImportAccount:
    """Per file: rows read = rows kept + rows excluded, with the reason for each exclusion."""

    files: list[FileAccount]
    exclusions: pd.DataFrame

    @property
    def rows_read(self) -> int:
        """Rows read, over every file."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_kept(self) -> int:
        """Rows kept, over every file."""
        return sum(f.rows_kept for f in self.files)

    @property
    def rows_excluded(self) -> int:
        """Rows excluded, over every file."""
        return sum(f.rows_excluded for f in self.files)

    def table(self) -> pd.DataFrame:
        """One row per file: format, what was detected, rows read, kept and excluded."""
        rows = [{
            "file": f.file, "format": f.format,
            "detected": ", ".join(f"{k}: {v}" for k, v in f.details.items()),
            "rows_read": f.rows_read, "rows_kept": f.rows_kept, "rows_excluded": f.rows_excluded,
        } for f in self.files]
        return pd.DataFrame(rows)

    def reasons(self) -> pd.DataFrame:
        """Number of excluded rows per file and reason."""
        if self.exclusions.empty:
            return pd.DataFrame(columns=["file", "reason", "rows"])
        return (self.exclusions.groupby(["file", "reason"], sort=False).size()
                .rename("rows").reset_index())

    def as_dict(self) -> dict[str, Any]:
        """The account as plain data (for results.json)."""
        return {
            "rows_read": self.rows_read, "rows_kept": self.rows_kept,
            "rows_excluded": self.rows_excluded,
            "files": [f.as_dict() for f in self.files],
            "exclusions": self.exclusions.to_dict(orient="records"),
        }


@dataclass
class Survey:
    """One wave: answers as codes and numbers, one row per kept respondent.

    ``data`` holds the instrument's columns in order, the derived variables, and the
    administrative ``source.file`` and ``source.row`` (the file and row each answer came
    from; names no item can have). ``problems`` lists what
    validation found (built on first request from ``findings``); ``missing`` records the
    user-missing code behind every missing value that had one; ``account`` accounts for
    every input row.
    """

    instrument: Instrument
    data: pd.DataFrame
    account: ImportAccount
    findings: Findings
    missing_codes: MissingCodes | None = None

    @cached_property
    def problems(self) -> pd.DataFrame:
        """One row per problem (the columns of :data:`.problems.PROBLEM_COLUMNS`); errors
        first, then by file, row and column."""
        return self.findings.table()

    @property
    def missing(self) -> pd.DataFrame:
        """One row per missing cell that had a user-missing code: ``file, row, column,
        code`` (built on request from the compact ``missing_codes``)."""
        if self.missing_codes is None:
            return pd.DataFrame(columns=["file", "row", "column", "code"])
        return self.missing_codes.table(self.data[SOURCE_FILE].to_numpy(dtype=object),
                                        self.data[SOURCE_ROW].to_numpy())

    @property
    def n(self) -> int:
        """The number of respondents."""
        return len(self.data)

    def is_clean(self) -> bool:
        """Whether validation found no error and no warning."""
        return not self.problems["severity"].isin(["error", "warning"]).any()

    def labelled(self, lang: str = "en") -> pd.DataFrame:
        """The data with choice codes replaced by ordered categories labelled in ``lang``."""
        out = self.data.copy()
        inst = self.instrument
        for item in inst.items:
            if item.choices and item.type != ItemType.multiple_choice:
                out[item.id] = _categorical(out[item.id], item.choices, lang)
        for d in inst.derived:
            if d.choices:
                out[d.id] = _categorical(out[d.id], d.choices, lang)
        return out


def _categorical(values: pd.Series, choices: list[Any], lang: str) -> pd.Series:
    labels = [c.label.get(lang) for c in choices]
    mapping = {float(c.code): c.label.get(lang) for c in choices}
    return pd.Series(pd.Categorical(values.map(mapping), categories=labels, ordered=True),
                     index=values.index)


def read_survey(
    paths: str | Path | Sequence[str | Path],
    instrument: str | Path | Instrument = "kallmen2017",
    *,
    format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    sheet: str | int | None = None,
    source: str | None = None,
    partial: str = "flag",
    test: str = "flag",
    event: str | None = None,
) -> Survey:
    """Import one or several files as one wave, validated against an instrument.

    Parameters
    ----------
    paths : path or list of paths
        ``.sav``, ``.csv`` (any of ``,`` ``;`` tab, UTF-8 with or without BOM, or Windows-1252)
        or ``.xlsx`` files; several files form one wave (web + paper).
    instrument : name, path or Instrument
        A bundled instrument name (``"kallmen2017"``) or a YAML file.
    format, encoding, delimiter, decimal, sheet, source
        Overrides for what is otherwise detected per file (``source``: the survey tool,
        one of ``cipsurvey.io.tools.TOOLS``).
    partial, test : {"flag", "keep", "drop"}
        What to do with responses the tool marks as partial (not submitted) or as tests
        (previews, tests and what the tool marks as spam): keep them with a warning
        (default), keep them silently (still counted in the account), or exclude them with
        the reason.
    event : str, optional
        REDCap's unique event name (``baseline_arm_1``) whose rows form this wave; a
        longitudinal export with several events is refused without it (one record is then
        one respondent per event: see ``study.Wave.event``).

    Returns
    -------
    Survey
    """
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    if isinstance(paths, str | Path):
        paths = [paths]
    if not paths:
        raise CipsurveyError("no data files given")
    for kind, rule in (("partial", partial), ("test", test)):
        if rule not in ("flag", "keep", "drop"):
            raise CipsurveyError(f"--{kind} must be flag, keep or drop, not {rule!r}")
    parts: list[FilePart] = []
    seen_files: set[Path] = set()
    for path in paths:
        p = Path(path)
        if p.exists() and p.resolve() in seen_files:
            raise CipsurveyError("the same file is given twice", file=p)
        if p.exists():
            seen_files.add(p.resolve())
        parts.append(read_file(p, inst, format=format, encoding=encoding,
                               delimiter=delimiter, decimal=decimal, sheet=sheet,
                               source=source, partial=partial, test=test, event=event))
    return validate_wave(assemble_wave(parts, inst), inst)


@dataclass
class FilePart:
    """One input file read against the instrument: its kept rows, and what happened."""

    frame: pd.DataFrame  # the kept rows, coded, with source.file and source.row
    missing: MissingCodes  # the user-missing codes behind the kept rows' missing values
    account: FileAccount
    problems: list[ProblemRecord]  # of the kept rows, and of the file's columns
    exclusions: list[dict[str, Any]]  # file, row, reason
    fed: set[str]  # the items the file has a column for
    forms: dict[str, str]  # REDCap: item id -> the form that holds it


def read_file(p: Path, inst: Instrument, *, format: str | None = None,
              encoding: str | None = None, delimiter: str | None = None,
              decimal: str | None = None, sheet: str | int | None = None,
              source: str | None = None, partial: str = "flag",
              test: str = "flag", event: str | None = None) -> FilePart:
    """Read one file and code it to the instrument: rows kept or excluded with a reason
    (empty, no question answered, another REDCap event, a partial, test or spam response
    when asked to drop those), and the problems of the kept rows' cells and of the file's
    columns.

    Raises ``InputFileError`` when the file cannot be read, or none of its columns is an
    item of the instrument.
    """
    raw = read_raw(p, format=format, encoding=encoding, delimiter=delimiter,
                   decimal=decimal, sheet=sheet, source=source)
    layout = raw.layout
    blank = _blank_rows(raw.frame)  # (before coding, which may reuse the raw arrays)
    other_event = _event_rows(raw, event)
    repeat = _repeat_keys(raw)
    coerced = coerce_table(raw, inst)
    tool = raw.details.get("source", "table")
    if not coerced.matches:
        shown = ", ".join(repr(str(c)) for c in list(raw.frame.columns)[:5])
        raise InputFileError(
            f"the file does not fit the instrument {inst.id!r}: none of its columns "
            f"({shown}{', ...' if raw.frame.shape[1] > 5 else ''}) is one of its items"
            + (f" (it looks like a {TOOL_NAMES[tool]} export)" if tool != "table" else ""),
            file=p, row=1, hint=EXPORT_HINTS[tool])
    problems: list[ProblemRecord] = []
    # joined, not inserted: a wave of a hundred columns is a hundred blocks, which pandas
    # warns about (PerformanceWarning) on every insert
    admin: dict[str, Any] = {SOURCE_FILE: str(p), SOURCE_ROW: raw.rows}
    if repeat is not None:
        admin[REPEAT] = repeat
    frame = pd.concat([coerced.frame, pd.DataFrame(admin, index=coerced.frame.index)], axis=1)
    keep, reasons = _row_exclusions(blank, coerced.raw_answered)
    if other_event is not None:  # (the event is the reason, answered or not)
        moved = ~blank & other_event.notna().to_numpy()
        for i in np.nonzero(moved)[0]:
            reasons[i] = f"another REDCap event ({other_event.iat[i]})"
        keep &= ~moved
    status = layout.status.where(~blank, "complete")  # (a blank row is no response)
    problems.extend(_duplicate_responses(raw, coerced, keep))
    for kind, rule in (("partial", partial), ("test", test), ("spam", test)):
        marked = (status == kind).to_numpy() & keep
        if rule == "drop":
            for i in np.nonzero(marked)[0]:
                reasons[i] = f"{kind} response ({tool})"
            keep = keep & ~marked
        elif rule == "flag":
            for i in np.nonzero(marked)[0]:
                problems.append(problem(
                    file=str(p), row=int(raw.rows[i]), severity="warning",
                    code=f"{kind}_response", message=text(
                        "problem.marked_response", PROBLEM_LANG, tool=tool, kind=kind,
                        option="partial" if kind == "partial" else "test-responses")))
    exclusions = [{"file": str(p), "row": int(raw.rows[i]), "reason": reasons[i]}
                  for i in np.nonzero(~keep)[0]]
    for row in raw.short_rows:
        problems.append(problem(
            file=str(p), row=row, severity="warning", code="short_row",
            message=text("problem.short_row", PROBLEM_LANG)))
    excluded_rows = set(raw.rows[~keep].tolist())
    problems.extend(pr for pr in coerced.problems if pr["row"] not in excluded_rows)
    problems.extend(check_columns(inst, str(p), coerced.unknown_columns, coerced.absent_items))
    account = FileAccount(
        file=str(p), format=raw.format, details=raw.details, rows_read=len(raw.frame),
        rows_kept=int(keep.sum()), rows_excluded=int((~keep).sum()),
        columns_matched=len(coerced.matches), columns_unknown=coerced.unknown_columns,
        columns_ignored=[*raw.ignored_columns,
                         *(f"{c} (tool metadata)" for c in coerced.ignored_columns)],
        items_absent=[i.id for i in coerced.absent_items],
        partial=int((status == "partial").sum()), test=int((status == "test").sum()),
        spam=int((status == "spam").sum()),
        columns_map={m.raw: m.column for m in coerced.matches},
        notes=list(layout.notes),
    )
    forms = {m.item.id: layout.forms[m.raw] for m in coerced.matches if m.raw in layout.forms}
    return FilePart(frame=frame if keep.all() else frame.loc[keep],  # (no copy if all kept)
                    missing=coerced.missing.take(keep), account=account, problems=problems,
                    exclusions=exclusions, fed={match.item.id for match in coerced.matches},
                    forms=forms)


@dataclass
class AssembledWave:
    """The files' kept rows as one wave, before the checks across rows."""

    data: pd.DataFrame
    missing: MissingCodes
    ids: np.ndarray | None  # :func:`id_codes` of ``data``
    accounts: list[FileAccount]
    problems: list[ProblemRecord]
    exclusions: list[dict[str, Any]]
    fed: dict[str, set[str]]  # item id -> the files that have a column for it
    forms: dict[str, str]  # REDCap: item id -> its form


def assemble_wave(parts: list[FilePart], inst: Instrument) -> AssembledWave:
    """Stack the files' rows into one wave and exclude exact duplicates (a row identical to
    an earlier one, id included, is a double entry), with their reason and accounting."""
    data = pd.concat([p.frame for p in parts], ignore_index=True) if len(parts) > 1 else \
        parts[0].frame.reset_index(drop=True)
    codes = MissingCodes.concat([p.missing for p in parts])
    accounts = [p.account for p in parts]
    problems = [pr for p in parts for pr in p.problems]
    exclusions = [e for p in parts for e in p.exclusions]
    fed: dict[str, set[str]] = {}
    forms: dict[str, str] = {}
    for part in parts:
        for item_id in part.fed:
            fed.setdefault(item_id, set()).add(part.account.file)
        forms.update(part.forms)
    ids = _respondent_codes(data, inst.respondent_id)  # once, for both duplicate checks
    data, dup_exclusions, unique = _drop_exact_duplicates(data, inst, ids)
    if dup_exclusions:
        codes = codes.take(unique)
        ids = ids[unique] if ids is not None else None  # (first rows are kept: still valid)
        exclusions.extend(dup_exclusions)
        for acc in accounts:
            k = sum(1 for e in dup_exclusions if e["file"] == acc.file)
            acc.rows_kept -= k
            acc.rows_excluded += k
        dropped = {(e["file"], e["row"]) for e in dup_exclusions}
        problems = [pr for pr in problems if (pr["file"], pr["row"]) not in dropped]
    return AssembledWave(data, codes, ids, accounts, problems, exclusions, fed, forms)


def validate_wave(wave: AssembledWave, inst: Instrument) -> Survey:
    """The checks across a whole wave (answers the filters skip, gaps they ask for,
    duplicated ids) and its derived variables; the accounting invariant checked last."""
    data = wave.data
    unreadable = {(pr["file"], pr["row"], pr["item"]) for pr in wave.problems
                  if pr["severity"] == "error" and pr["row"] is not None}
    # the filter checks only read the wave: on a large one they run beside the derived
    # variables (both mostly numpy, which lets go of the interpreter lock)
    absent = _not_in_row(data, wave.forms)
    data = data.drop(columns=[REPEAT], errors="ignore")
    if two_threads(len(data)):
        with ThreadPoolExecutor(1) as pool:
            checked = pool.submit(check_filters, inst, data, wave.fed, absent)
            derived = compute_derived(inst, data)
            found = checked.result()
    else:
        found = check_filters(inst, data, wave.fed, absent)
        derived = compute_derived(inst, data)
    chunks = [_drop_known(c, unreadable) for c in found]
    chunks += check_duplicate_ids(inst, data, wave.ids)
    at = data.columns.get_loc(SOURCE_FILE)
    if len(derived.columns):  # before source.file, joined (copy-on-write: no copy made)
        data = pd.concat([data.iloc[:, :at], derived.set_axis(data.index),
                          data.iloc[:, at:]], axis=1)
    account = ImportAccount(wave.accounts,
                            pd.DataFrame(wave.exclusions, columns=EXCLUSION_COLUMNS))
    for acc in wave.accounts:  # the accounting invariant: no row is lost or invented
        if acc.rows_read != acc.rows_kept + acc.rows_excluded:  # pragma: no cover
            raise AssertionError(f"row accounting broken for {acc.file}")
    if account.rows_kept != len(data):  # pragma: no cover
        raise AssertionError("row accounting broken: kept rows differ from the wave")
    return Survey(inst, data, account, Findings(wave.problems, chunks), wave.missing)


def _drop_known(chunk: pd.DataFrame, unreadable: set[tuple[str, int, str]]) -> pd.DataFrame:
    """Leave out the filter gaps that an unreadable cell explains (already an error)."""
    if not unreadable or chunk.empty:
        return chunk
    item = chunk["item"].iat[0]
    known = [(f, r) for f, r, i in unreadable if i == item]
    if not known:
        return chunk
    where = pd.MultiIndex.from_arrays([chunk["file"], chunk["row"]])
    return chunk[~where.isin(known)]


def _blank_rows(raw: pd.DataFrame) -> np.ndarray:
    """Rows of a file with no cell at all."""
    rows = np.arange(len(raw))  # the rows blank in every column so far
    for col in raw.columns:
        if not len(rows):  # (usually after the first column or two: nothing left to check)
            break
        values = raw[col] if len(rows) == len(raw) else raw[col].iloc[rows]
        rows = rows[_blank_cells(values)]
    blank = np.zeros(len(raw), dtype=bool)
    blank[rows] = True
    return blank


def _row_exclusions(blank: np.ndarray, raw_answered: np.ndarray,
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Which rows to keep: a row with no cell at all (``blank``), or with no cell in any
    question column (only the tool's own columns: a visit without answers), is excluded. A
    row whose question cells are all unreadable is kept: its problems are its account."""
    keep = ~blank & raw_answered
    reasons = np.full(len(keep), "", dtype=object)  # (one shared str per reason, not per row)
    reasons[blank] = "empty row"
    reasons[~keep & ~blank] = "no question answered"
    return keep, reasons


REPEAT = "\x00repeat"  # a REDCap row's repeat instrument and instance, while reading


def _event_rows(raw: Any, event: str | None) -> pd.Series | None:
    """Each row's REDCap event where it is another than ``event`` (None elsewhere); None
    for a file without events. A file with several events needs ``event``."""
    layout = raw.layout
    column = layout.event if layout is not None else None
    if column is None:
        if event is not None:
            raise InputFileError(f"the file has no REDCap events, so event {event!r} cannot "
                                 "be read from it", file=raw.path)
        return None
    values = raw.frame[column].astype(str).str.strip()
    names = [v for v in pd.unique(values) if v]
    if event is None:
        if len(names) > 1:
            raise InputFileError(
                f"this REDCap export holds {len(names)} events ({', '.join(names[:6])}"
                f"{', ...' if len(names) > 6 else ''}): a record is one respondent per event",
                file=raw.path, column=column,
                hint="read one event as a wave (--event NAME), or name the events as the "
                     "waves of a study manifest (docs/study-manifest.md)")
        return None
    if event not in names:
        raise InputFileError(f"the export has no event {event!r}; its events: "
                             f"{', '.join(names)}", file=raw.path, column=column)
    return values.where(values != event)


def _repeat_keys(raw: Any) -> np.ndarray | None:
    """Per row, REDCap's repeat instrument and instance ("" on a record's first row): a
    repeat instance is another row of the same respondent, not a duplicate."""
    layout = raw.layout
    if layout is None or layout.repeat is None:
        return None
    instrument, instance = (raw.frame[c].astype(str).str.strip() for c in layout.repeat)
    return np.where(instance == "", "", instrument + "#" + instance).astype(object)


def _respondent_codes(data: pd.DataFrame, column: str | None) -> np.ndarray | None:
    """:func:`validate.id_codes`, with REDCap's repeat instances told apart."""
    if REPEAT not in data.columns or not column or column not in data.columns:
        return id_codes(data, column)
    ids = data[column]
    combined = ids.astype(str) + "\x00" + data[REPEAT].fillna("").astype(str)
    codes, uniques = pd.factorize(combined.where(ids.notna()))
    return codes if len(uniques) else None


def _not_in_row(data: pd.DataFrame, forms: dict[str, str]) -> dict[str, np.ndarray]:
    """Per item of a REDCap form, the rows that do not hold that form: a repeat instance
    of another form, or a record's first row for a form that repeats. Its cells there are
    not unanswered questions."""
    if REPEAT not in data.columns or not forms:
        return {}
    instrument = data[REPEAT].fillna("").astype(str).str.split("#").str[0]
    repeating = set(pd.unique(instrument)) - {""}
    out = {}
    for item, form in forms.items():
        mask = ((instrument != "") & (instrument != form)) | (
            (instrument == "") & (form in repeating))
        if mask.any():
            out[item] = mask.to_numpy()
    return out


def _duplicate_responses(raw: Any, coerced: Any, keep: np.ndarray) -> list[ProblemRecord]:
    """A warning on each kept row whose tool response id (KoboToolbox's _uuid, Qualtrics'
    ResponseId, ...) an earlier kept row of the file has: the tool recorded it twice. (An id
    the instrument reads as its respondent id is checked as such.)"""
    layout = raw.layout
    column = layout.response_id if layout is not None else None
    if column is None or column not in raw.frame.columns or \
            any(m.raw == column for m in coerced.matches):
        return []
    values = raw.frame[column].astype(str).str.strip().where(keep, "")
    first: dict[str, int] = {}
    out = []
    for i, v in enumerate(values.tolist()):
        if not v:
            continue
        if v in first:
            out.append(problem(file=str(raw.path), row=int(raw.rows[i]), column=column,
                               severity="warning", code="duplicate_response", value=v,
                               message=text("problem.duplicate_response", PROBLEM_LANG,
                                            row=int(raw.rows[first[v]]))))
        else:
            first[v] = i
    return out


def _blank_cells(values: pd.Series) -> np.ndarray:
    """True where a cell holds nothing: missing, or text of only spaces (vectorised)."""
    missing = values.isna().to_numpy()
    if is_text_column(values):
        return missing | (values.str.strip() == "").fillna(False).to_numpy(dtype=bool)
    if values.dtype == object:  # text mixed with numbers: only the texts can be blank
        text = values.where(~missing, "")
        is_text = text.map(lambda v: isinstance(v, str)).to_numpy()
        text = pd.Series(np.where(is_text, text, "x"), dtype=object)
        return missing | (text.str.strip() == "").to_numpy(dtype=bool)
    return missing


def _drop_exact_duplicates(data: pd.DataFrame, inst: Instrument, ids: np.ndarray | None,
                           ) -> tuple[pd.DataFrame, list[dict[str, Any]], np.ndarray]:
    """A row identical to an earlier one in every column (id included) is a double entry.
    Returns the wave without them, their exclusions, and which rows were kept. ``ids``:
    :func:`id_codes` of the wave."""
    columns = [c for i in inst.items for c in i.columns]
    every = np.ones(len(data), dtype=bool)
    if ids is None:
        return data, [], every
    # an exact duplicate repeats the id too: compare whole rows only where the id repeats
    repeated = pd.Series(repeats(ids), index=data.index)
    if not repeated.any():
        return data, [], every
    dup = pd.Series(False, index=data.index)
    dup[repeated] = data.loc[repeated].duplicated(subset=columns, keep="first")
    if not dup.any():
        return data, [], every
    first = data.loc[~dup].drop_duplicates(subset=columns)
    keys = data.loc[dup, columns].merge(first[[*columns, SOURCE_FILE, SOURCE_ROW]], on=columns,
                                        how="left")
    out = [{"file": f, "row": int(r), "reason": f"exact duplicate of {f0} row {int(r0)}"}
           for f, r, f0, r0 in zip(data.loc[dup, SOURCE_FILE], data.loc[dup, SOURCE_ROW],
                                   keys[SOURCE_FILE], keys[SOURCE_ROW], strict=True)]
    return data.loc[~dup].reset_index(drop=True), out, ~dup.to_numpy()
