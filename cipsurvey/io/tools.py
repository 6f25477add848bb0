"""Web-survey exports: recognise the tool, and say what its export holds beyond the answers.

Each tool writes the same questionnaire differently (docs/importing.md). An adapter takes
away the tool's extra header rows, and describes the rest in a :class:`Layout`: which columns
are the tool's own (timestamps, ids, status; set aside unless the instrument names one),
which other names a column may be known by (``q/option`` of KoboToolbox is also ``q_option``),
each row's status (complete, partial, a test or spam), the tool's own response id, and for
REDCap the event and repeat columns. It changes no answer, except to blank the words a tool
writes into a cell for "no answer" (LimeSurvey's "N/A", KoboToolbox's legacy "n/a"): values
stay as the tool wrote them and are read by the instrument-driven coercion.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputFileError
from .raw import RawTable, unique_header

TOOLS = ("table", "limesurvey", "redcap", "qualtrics", "surveymonkey", "google_forms",
         "microsoft_forms", "kobo")
COMPLETE, PARTIAL, TEST, SPAM = "complete", "partial", "test", "spam"

# Qualtrics' "Response Type" (the Status column), as Qualtrics documents it in "Understanding
# Your Dataset" (qualtrics.com/support/survey-platform/data-and-analysis-module/data/
# download-data/understanding-your-dataset/) and labels it in its own SPSS exports:
# 0 IP Address (a normal response), 1 Survey Preview, 2 Survey Test, 4 Imported, 8 Spam,
# 9 Survey Preview Spam, 12 Imported Spam, 16 Offline, 17 Offline Survey Preview, 32 EX,
# 40 EX Spam, 48 EX Offline. The choice-text export writes the names instead of the numbers.
QUALTRICS_STATUS = {
    "0": COMPLETE, "ip address": COMPLETE, "4": COMPLETE, "imported": COMPLETE,
    "16": COMPLETE, "offline": COMPLETE, "32": COMPLETE, "ex": COMPLETE,
    "48": COMPLETE, "ex offline": COMPLETE,
    "1": TEST, "survey preview": TEST, "2": TEST, "survey test": TEST,
    "17": TEST, "offline survey preview": TEST,
    "8": SPAM, "spam": SPAM, "9": SPAM, "survey preview spam": SPAM, "12": SPAM,
    "imported spam": SPAM, "40": SPAM, "ex spam": SPAM,
}

SURVEYMONKEY_META = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
                     "Email Address", "First Name", "Last Name", "Custom Data 1"]
SURVEYMONKEY_SUB = {"response", "open-ended response", "svar", "öppet svar"}
QUALTRICS_META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress",
                  "Duration (in seconds)", "Finished", "RecordedDate", "ResponseId",
                  "ResponseID", "ResponseSet", "Name", "EmailAddress", "RecipientLastName",
                  "RecipientFirstName", "RecipientEmail", "ExternalReference",
                  "ExternalDataReference", "LocationLatitude", "LocationLongitude",
                  "LocationAccuracy", "DistributionChannel", "UserLanguage"]
# LimeSurvey's system columns: by code, and by the headings of its full-text export in the
# languages seen in real exports (English, German)
LIMESURVEY_META = {
    "id": "id", "response id": "id", "antwort id": "id",
    "submitdate": "submitdate", "date submitted": "submitdate",
    "datum abgeschickt": "submitdate",
    "lastpage": "lastpage", "last page": "lastpage", "letzte seite": "lastpage",
    "startlanguage": "startlanguage", "start language": "startlanguage",
    "start-sprache": "startlanguage",
    "seed": "seed", "zufallsstartwert": "seed",
    "startdate": "startdate", "date started": "startdate", "datum gestartet": "startdate",
    "datestamp": "datestamp", "date last action": "datestamp",
    "datum letzte aktivität": "datestamp",
    "ipaddr": "ipaddr", "ip address": "ipaddr", "ip-adresse": "ipaddr",
    "refurl": "refurl", "referrer url": "refurl", "token": "token",
}
# its timing columns: full-text headings, and codes (interviewtime, G01Q01Time, 1X2X3time)
LIMESURVEY_TIMING = re.compile(r"^(?:(?i:total time|group time: .+|question time: .+|"
                               r"filecount - .+|interviewtime)|[A-Za-z][A-Za-z0-9]*Time|"
                               r"\d+X\d+(?:X\d+\w*)?time)$", re.DOTALL)
# what LimeSurvey writes into a cell of its full-text export for "no answer"
LIMESURVEY_NO_ANSWER = {"n/a", "no answer", "keine antwort", "inget svar", "geen antwoord",
                        "sans réponse", "sin respuesta"}
GOOGLE_META = ["Timestamp", "Tidstämpel", "Email Address", "E-postadress", "Score", "Poäng"]
MICROSOFT_META = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
                  "Starttid", "Sluttid", "E-post", "Namn", "Senast ändrad"]
KOBO_META = ["start", "end", "today", "deviceid", "username", "phonenumber", "simserial",
             "subscriberid", "audit", "_id", "_uuid", "_submission_time", "_validation_status",
             "_notes", "_status", "_submitted_by", "__version__", "_tags", "_index",
             "_parent_index", "_parent_table_name", "meta/instanceID", "meta/rootUuid",
             "meta/deprecatedID", "meta/instanceName", "formhub/uuid", "_version_", "_duration",
             "_total_media", "_media_count", "_media_all_received", "_xform_id",
             "_attachments", "_geolocation", "_xform_id_string"]
REDCAP_META = ["redcap_survey_identifier", "redcap_event_name", "redcap_repeat_instrument",
               "redcap_repeat_instance", "redcap_data_access_group", "Survey Identifier",
               "Survey Timestamp", "Event Name", "Repeat Instrument", "Repeat Instance",
               "Data Access Group", "Complete?"]


@dataclass
class Layout:
    """What a tool's export holds beyond the answers (see the module docstring)."""

    tool: str
    status: pd.Series
    metadata: list[str] = field(default_factory=list)
    # tool columns never read, even where the instrument names them (KoboToolbox's summary
    # of a select_multiple, whose split columns hold the same answers)
    set_aside: list[str] = field(default_factory=list)
    alternatives: dict[str, list[str]] = field(default_factory=dict)
    response_id: str | None = None
    event: str | None = None
    repeat: tuple[str, str] | None = None
    forms: dict[str, str] = field(default_factory=dict)  # REDCap: column -> its form
    notes: list[str] = field(default_factory=list)


def _import_id_row(values: list[str]) -> bool:
    """A Qualtrics row of ``{"ImportId":"QID1"}`` (2017 on) or ``{'ImportId': 'QID1'}``."""
    return any(re.match(r"^\{\s*['\"]ImportId['\"]\s*:", v) for v in values)


def _row(raw: RawTable, k: int) -> list[str]:
    if len(raw.frame) <= k:
        return []
    return [t for t in _text(raw.frame.iloc[k]).tolist()]


def detect(raw: RawTable) -> str:
    """The tool that made the export, judged by its header (and first rows)."""
    cols = [str(c) for c in raw.frame.columns]
    colset = set(cols)
    lower = {c.lower() for c in cols}
    first, second = _row(raw, 0), _row(raw, 1)
    if (_import_id_row(second) or _import_id_row(first)) and (
            {"ResponseId", "ResponseID", "StartDate"} & colset):
        return "qualtrics"
    if {"Finished", "Progress"} <= colset and ({"ResponseId", "ResponseID"} & colset
                                               or "StartDate" in colset):
        return "qualtrics"
    if _qualtrics_legacy(cols, first):
        return "qualtrics"
    if {"id", "submitdate", "lastpage"} <= {LIMESURVEY_META.get(c, "") for c in lower}:
        return "limesurvey"
    if "Respondent ID" in colset and ("Collector ID" in colset or any(
            v.strip().lower() in SURVEYMONKEY_SUB for v in first)):
        return "surveymonkey"
    if any("(choice=" in c for c in cols) or {"redcap_event_name", "redcap_repeat_instrument",
                                             "redcap_data_access_group",
                                             "redcap_survey_identifier"} & colset or (
            any(c.endswith("_complete") for c in cols) and (
                "record_id" in lower or any("___" in c for c in cols))):
        return "redcap"
    if {"_uuid", "_submission_time", "meta/instanceID"} & colset or (
            "_id" in colset and "_index" in colset):
        return "kobo"
    if {"ID", "Start time", "Completion time"} <= colset or {"ID", "Starttid", "Sluttid"} <= colset:
        return "microsoft_forms"
    if cols and cols[0] in ("Timestamp", "Tidstämpel"):
        return "google_forms"
    if _limesurvey_by_content(raw):
        return "limesurvey"
    return "table"


def _qualtrics_legacy(cols: list[str], first: list[str]) -> bool:
    """The legacy layout: ``V1…V10`` over ResponseID, ResponseSet … in the second row."""
    return len(cols) > 2 and cols[0] == "V1" and cols[1] == "V2" and bool(first) and \
        first[0] == "ResponseID"


def _limesurvey_by_content(raw: RawTable) -> bool:
    """LimeSurvey's first four columns, whatever their headings' language: response ids,
    submission times (empty when not submitted), last pages, and language codes."""
    frame = raw.frame.head(200)  # (a sample decides: a plain table of a million rows is
    if frame.shape[1] < 5 or len(frame) == 0:  # not scanned)
        return False
    cells = [_text(frame.iloc[:, k]) for k in range(4)]
    ids, submitted, pages, langs = cells
    return bool(ids.str.fullmatch(r"\d+").all() and ids.is_unique
                and (submitted.str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?")
                     | (submitted == "")).all()
                and (pages.str.fullmatch(r"-?\d+") | (pages == "")).all()
                and langs.str.fullmatch(r"[a-z]{2,3}(-[A-Za-z-]+)?").all())


def adapt(raw: RawTable, source: str | None = None) -> tuple[RawTable, Layout]:
    """The export without its extra header rows, and its :class:`Layout`."""
    name = source or detect(raw)
    if name not in ADAPTERS:
        raise InputFileError(f"unknown source {name!r}; known: {', '.join(TOOLS)}",
                             file=raw.path)
    table, layout = ADAPTERS[name](raw)
    layout.status = layout.status.reset_index(drop=True)
    layout.metadata = [c for c in dict.fromkeys(layout.metadata) if c in table.frame.columns]
    table.details = {"source": name, **table.details}
    return table, layout


def _status(raw: RawTable, value: str = COMPLETE) -> pd.Series:
    return pd.Series(value, index=range(len(raw.frame)), dtype=object)


def _text(series: pd.Series) -> pd.Series:
    return series.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                      else str(v).strip())


def _skip_rows(raw: RawTable, n: int) -> RawTable:
    """Take ``n`` header rows below the column names off the table (rows keep their
    numbers in the file)."""
    raw.frame = raw.frame.iloc[n:].reset_index(drop=True)
    raw.rows = raw.rows[n:]
    return raw


def _blank_words(raw: RawTable, columns: list[str], words: set[str]) -> None:
    """Blank the cells whose whole text is a tool's word for "no answer"."""
    for c in columns:
        values = raw.frame[c]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        hit = values.astype(str).str.strip().str.lower().isin(words).to_numpy()
        if hit.any():
            raw.frame[c] = values.where(~hit, "")


def _table(raw: RawTable) -> tuple[RawTable, Layout]:
    return raw, Layout("table", _status(raw))


def _limesurvey(raw: RawTable) -> tuple[RawTable, Layout]:
    cols = [str(c) for c in raw.frame.columns]
    role = {c: LIMESURVEY_META[c.lower()] for c in cols if c.lower() in LIMESURVEY_META}
    notes = []
    if "id" not in role.values() and _limesurvey_by_content(raw):
        role.update(zip(cols[:4], ["id", "submitdate", "lastpage", "startlanguage"],
                        strict=True))
        notes.append("the first four columns taken as LimeSurvey's response id, submission "
                     "date, last page and start language")
    by_role = {r: c for c, r in role.items()}
    status = _status(raw)
    if "submitdate" in by_role:
        submitted = _text(raw.frame[by_role["submitdate"]])
        status = pd.Series(np.where(submitted == "", PARTIAL, COMPLETE), dtype=object)
    timing = [c for c in cols if c not in role and LIMESURVEY_TIMING.match(c)]
    meta = [*role, *timing]
    questions = [c for c in cols if c not in meta]
    # numbered headings ("1 - …", "2 - …" over every question column): the numbers go
    numbered = [re.match(r"^(\d+) - (.*)$", c, re.DOTALL) for c in questions]
    if questions and all(numbered) and [int(m.group(1)) for m in numbered] == \
            list(range(1, len(questions) + 1)):
        header, duplicates = unique_header(
            [c if c not in questions else numbered[questions.index(c)].group(2)
             for c in cols])
        raw.frame.columns = header
        raw.duplicate_headers.update(duplicates)
        questions = [h for h in header if h not in meta]
        notes.append("the numbers before the question texts (\"1 - …\") set aside")
    _blank_words(raw, questions, LIMESURVEY_NO_ANSWER)
    for c in questions:  # the "other" answer of a list question is coded -oth-
        values = raw.frame[c]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            hit = (values.astype(str).str.strip() == "-oth-").to_numpy()
            if hit.any():
                raw.frame[c] = values.where(~hit, "other")
    alternatives: dict[str, list[str]] = {}
    for c in questions:
        m = re.match(r"^(.+?)\[SQ0*(\d+)\]$", c)  # Q[SQ001]: option 1 by LimeSurvey's default
        if m:
            alternatives[c] = [f"{m.group(1)}_{m.group(2)}"]
        m = re.match(r"^(.+?)_SQ0*(\d+)$", c)  # the SPSS export's Q_SQ001
        if m:
            alternatives[c] = [f"{m.group(1)}_{m.group(2)}"]
    return raw, Layout("limesurvey", status, metadata=meta, alternatives=alternatives,
                       response_id=by_role.get("id"), notes=notes)


def _redcap(raw: RawTable) -> tuple[RawTable, Layout]:
    frame = raw.frame
    cols = [str(c) for c in frame.columns]
    completes = [c for c in cols if c.endswith("_complete") or c.startswith("Complete?")]
    status = _status(raw)
    if completes:
        # a form's status where the form applies (REDCap leaves it empty on the rows of
        # events and repeat instances without that form)
        values = frame[completes].apply(_text)
        present = values != ""
        done = values.isin(["2", "Complete", "Komplett"])
        partial = (present & ~done).any(axis=1).to_numpy()
        status = pd.Series(np.where(partial, PARTIAL, COMPLETE), dtype=object)
    groups: dict[str, list[str]] = {}
    alternatives: dict[str, list[str]] = {}
    for c in cols:
        raw_box = re.match(r"^(.+)___(\w+)$", c)
        label_box = re.match(r"^(.*) \(choice=(.*)\)$", c, re.DOTALL)
        if raw_box:
            alternatives[c] = [f"{raw_box.group(1)}_{raw_box.group(2)}"]
            groups.setdefault(raw_box.group(1), []).append(c)
        elif label_box:
            alternatives[c] = [f"{label_box.group(1)} [{label_box.group(2)}]"]
            groups.setdefault(label_box.group(1), []).append(c)
    # an unticked and a never-shown checkbox are both 0 in REDCap: an all-0 group counts as
    # unanswered (the filter decides whether it was asked)
    for group in groups.values():
        unticked = frame[group].apply(_text).isin(["0", "Unchecked", "Ej markerad"]).all(axis=1)
        frame.loc[unticked, group] = ""
    meta = [c for c in cols if c in REDCAP_META or c.startswith("Complete?")
            or c.endswith(("_timestamp", "_complete"))]
    event = next((c for c in ("redcap_event_name", "Event Name") if c in cols), None)
    repeat = next(((a, b) for a, b in (("redcap_repeat_instrument", "redcap_repeat_instance"),
                                       ("Repeat Instrument", "Repeat Instance"))
                   if a in cols and b in cols), None)
    # a raw export lays each form's fields out before its <form>_complete column
    forms: dict[str, str] = {}
    pending: list[str] = []
    for c in cols:
        if c.endswith("_complete"):
            forms.update(dict.fromkeys(pending, c.removesuffix("_complete")))
            pending = []
        elif c not in REDCAP_META and not c.endswith("_timestamp"):
            pending.append(c)
    return raw, Layout("redcap", status, metadata=meta, alternatives=alternatives,
                       event=event, repeat=repeat, forms=forms)


def _qualtrics(raw: RawTable) -> tuple[RawTable, Layout]:
    cols = [str(c) for c in raw.frame.columns]
    first = _row(raw, 0)
    alternatives: dict[str, list[str]] = {}
    notes: list[str] = []
    if _qualtrics_legacy(cols, first):
        # legacy layout: V1…V10 stand over the system columns, whose names are in row 2
        names = {c: t for c, t in zip(cols, first, strict=True) if re.fullmatch(r"V\d+", c) and t}
        raw.frame = raw.frame.rename(columns=names)
        texts = {names.get(c, c): t for c, t in zip(cols, first, strict=True)}
        raw = _skip_rows(raw, 1)
        notes.append("legacy Qualtrics layout (V1…V10 and one header row below)")
    else:
        texts = dict(zip(cols, first, strict=False))
        extra = 2 if _import_id_row(_row(raw, 1)) else 1
        raw = _skip_rows(raw, extra)
    for c, t in texts.items():  # the second header row: the question's text
        if t and t != c and c in raw.frame.columns:
            alternatives[c] = [t]
    if len(raw.frame) == 0:
        raise InputFileError("the Qualtrics export has its header rows but no responses",
                             file=raw.path)
    frame = raw.frame
    status = _status(raw)
    if "Finished" in frame.columns:
        finished = _text(frame["Finished"]).str.lower().isin(["1", "true"])
        status = pd.Series(np.where(finished, COMPLETE, PARTIAL), dtype=object)
    elif "Progress" in frame.columns:
        done = _text(frame["Progress"]) == "100"
        status = pd.Series(np.where(done, COMPLETE, PARTIAL), dtype=object)
    if "Status" in frame.columns:
        kinds = _text(frame["Status"]).str.lower().map(QUALTRICS_STATUS)
        unknown = sorted(set(_text(frame["Status"])[kinds.isna()]) - {""})
        if unknown:
            notes.append(f"Status values {unknown} are not Qualtrics response types; "
                         "those responses are counted as complete")
        special = kinds.isin([TEST, SPAM]).to_numpy()
        status = status.where(~special, kinds)
    meta = [c for c in frame.columns if c in QUALTRICS_META]
    response_id = next((c for c in ("ResponseId", "ResponseID") if c in frame.columns), None)
    return raw, Layout("qualtrics", status, metadata=meta, alternatives=alternatives,
                       response_id=response_id, notes=notes)


def _surveymonkey(raw: RawTable) -> tuple[RawTable, Layout]:
    frame = raw.frame
    sub = _text(frame.iloc[0])
    names, current = [], ""
    for col, below in zip(frame.columns, sub, strict=True):
        col = str(col)
        if col and not col.startswith("(blank header") and not col.startswith("\x00blank"):
            current = col
        if below == "" or below.lower() in SURVEYMONKEY_SUB:
            names.append(current)
        else:
            names.append(f"{current} [{below}]")
    raw = _skip_rows(raw, 1)
    raw.frame.columns = names
    meta = [c for c in names if c in SURVEYMONKEY_META or c.startswith("Custom Data")]
    return raw, Layout("surveymonkey", _status(raw), metadata=meta,
                       response_id="Respondent ID" if "Respondent ID" in names else None)


def _google(raw: RawTable) -> tuple[RawTable, Layout]:
    return raw, Layout("google_forms", _status(raw), metadata=GOOGLE_META)


def _microsoft(raw: RawTable) -> tuple[RawTable, Layout]:
    return raw, Layout("microsoft_forms", _status(raw), metadata=MICROSOFT_META,
                       response_id="ID" if "ID" in raw.frame.columns else None)


def _kobo(raw: RawTable) -> tuple[RawTable, Layout]:
    cols = [str(c) for c in raw.frame.columns]
    colset = set(cols)
    # a select_multiple is exported as a summary column "q" (space-separated choice names)
    # beside split columns "q/option" (1/0); group names prefix both: "group/q/option"
    summaries = {c.rsplit("/", 1)[0] for c in cols if "/" in c} & colset
    alternatives: dict[str, list[str]] = {}
    for c in cols:
        parts = c.split("/")
        if len(parts) < 2 or c in KOBO_META:
            continue
        if "/".join(parts[:-1]) in summaries:  # (group/)q/option
            q, option = parts[-2], parts[-1]
            names = [f"{q}[{option}]", f"{q} [{option}]", f"{q}_{option}"]
        else:  # group/question
            names = [parts[-1]]
        alternatives[c] = [n for n in names if n not in colset]
    meta = [*[c for c in cols if c in KOBO_META], *sorted(summaries)]
    _blank_words(raw, [c for c in cols if c not in meta], {"n/a"})  # legacy KoBoCAT
    response_id = next((c for c in ("_uuid", "meta/instanceID") if c in colset), None)
    return raw, Layout("kobo", _status(raw), metadata=meta, set_aside=sorted(summaries),
                       alternatives=alternatives, response_id=response_id)


ADAPTERS: dict[str, Callable[[RawTable], tuple[RawTable, Layout]]] = {
    "table": _table, "limesurvey": _limesurvey, "redcap": _redcap, "qualtrics": _qualtrics,
    "surveymonkey": _surveymonkey, "google_forms": _google, "microsoft_forms": _microsoft,
    "kobo": _kobo,
}
