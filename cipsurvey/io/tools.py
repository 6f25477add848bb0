"""Web-survey exports: recognise the tool, and lay its export out as a plain table.

Each tool writes the same questionnaire differently (docs/importing.md). An adapter turns a
tool's export into a table whose columns the instrument can match (item ids, aliases, question
text, ``item_code`` or ``question [option label]`` for multiple choice) and reports, per row,
whether the tool marks the response as partial or as a test. It changes no answer: values stay
as the tool wrote them and are read by the instrument-driven coercion.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..errors import InputFileError
from .raw import RawTable

TOOLS = ("table", "limesurvey", "redcap", "qualtrics", "surveymonkey", "google_forms",
         "microsoft_forms", "kobo")
COMPLETE, PARTIAL, TEST = "complete", "partial", "test"

SURVEYMONKEY_META = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
                     "Email Address", "First Name", "Last Name", "Custom Data 1"]
QUALTRICS_META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress",
                  "Duration (in seconds)", "Finished", "RecordedDate", "ResponseId",
                  "ResponseID", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                  "ExternalReference", "ExternalDataReference", "LocationLatitude",
                  "LocationLongitude", "DistributionChannel", "UserLanguage"]
LIMESURVEY_META = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate",
                   "datestamp", "ipaddr", "refurl", "token"]
GOOGLE_META = ["Timestamp", "Tidstämpel", "Email Address", "E-postadress"]
MICROSOFT_META = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
                  "Starttid", "Sluttid", "E-post", "Namn", "Senast ändrad"]
KOBO_META = ["start", "end", "today", "deviceid", "_id", "_uuid", "_submission_time",
             "_validation_status", "_notes", "_status", "_submitted_by", "__version__",
             "_tags", "_index", "meta/instanceID", "formhub/uuid", "_version_"]


def detect(raw: RawTable) -> str:
    """The tool that made the export, judged by its header (and first rows)."""
    cols = {str(c) for c in raw.frame.columns}
    lower = {c.lower() for c in cols}
    if {"Finished", "Progress"} <= cols and ({"ResponseId", "ResponseID"} & cols
                                             or "StartDate" in cols):
        return "qualtrics"
    if {"submitdate", "lastpage"} <= lower:
        return "limesurvey"
    if "Respondent ID" in cols and "Collector ID" in cols:
        return "surveymonkey"
    if any("(choice=" in c for c in cols) or (any(c.endswith("_complete") for c in cols) and (
            "record_id" in lower or "redcap_survey_identifier" in lower
            or any("___" in c for c in cols))):
        return "redcap"
    if {"_uuid", "_submission_time"} & cols or ("_id" in cols and "_index" in cols):
        return "kobo"
    if {"ID", "Start time", "Completion time"} <= cols or {"ID", "Starttid", "Sluttid"} <= cols:
        return "microsoft_forms"
    if str(raw.frame.columns[0]) in ("Timestamp", "Tidstämpel"):
        return "google_forms"
    return "table"


def adapt(raw: RawTable, source: str | None = None) -> tuple[RawTable, pd.Series, str]:
    """The export laid out as a plain table, each row's status, and the tool's name."""
    name = source or detect(raw)
    if name not in ADAPTERS:
        raise InputFileError(f"unknown source {name!r}; known: {', '.join(TOOLS)}",
                             file=raw.path)
    table, status = ADAPTERS[name](raw)
    table.details = {"source": name, **table.details}
    return table, status.reset_index(drop=True), name


def _complete(raw: RawTable) -> pd.Series:
    return pd.Series(COMPLETE, index=range(len(raw.frame)))


def _drop(raw: RawTable, columns: list[str]) -> RawTable:
    present = [c for c in columns if c in raw.frame.columns]
    raw.frame = raw.frame.drop(columns=present)
    raw.ignored_columns = [*raw.ignored_columns, *[f"{c} (tool metadata)" for c in present]]
    return raw


def _rename(raw: RawTable, fn: Callable[[str], str]) -> RawTable:
    raw.frame = raw.frame.rename(columns={c: fn(str(c)) for c in raw.frame.columns})
    return raw


def _text(series: pd.Series) -> pd.Series:
    return series.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                      else str(v).strip())


def _table(raw: RawTable) -> tuple[RawTable, pd.Series]:
    return raw, _complete(raw)


def _limesurvey(raw: RawTable) -> tuple[RawTable, pd.Series]:
    frame = raw.frame
    lower = {str(c).lower(): c for c in frame.columns}
    status = _complete(raw)
    if "submitdate" in lower:
        submitted = _text(frame[lower["submitdate"]])
        status = pd.Series(np.where(submitted == "", PARTIAL, COMPLETE))
    # multiple choice: Q[SQ001] in CSV, Q_SQ001 in the SPSS export -> Q_1 (the option's code)
    raw = _rename(raw, lambda c: re.sub(r"^(.+?)(?:\[SQ0*(\d+)\]|_SQ0*(\d+))$",
                                        lambda m: f"{m.group(1)}_{m.group(2) or m.group(3)}", c))
    raw = _drop(raw, [lower[m] for m in LIMESURVEY_META if m in lower])
    return raw, status


def _redcap(raw: RawTable) -> tuple[RawTable, pd.Series]:
    frame = raw.frame
    completes = [c for c in frame.columns if str(c).endswith("_complete") or str(c) == "Complete?"]
    status = _complete(raw)
    if completes:
        done = frame[completes].apply(_text).isin(["2", "Complete", "Komplett"])
        status = pd.Series(np.where(done.all(axis=1), COMPLETE, PARTIAL))
    # checkbox groups: var___1 (raw export) and "Label (choice=Text)" (label export)
    groups: dict[str, list[str]] = {}
    renames: dict[str, str] = {}
    for c in map(str, frame.columns):
        raw_box = re.match(r"^(.+)___(\w+)$", c)
        label_box = re.match(r"^(.*) \(choice=(.*)\)$", c)
        if raw_box:
            renames[c] = f"{raw_box.group(1)}_{raw_box.group(2)}"
            groups.setdefault(raw_box.group(1), []).append(c)
        elif label_box:
            renames[c] = f"{label_box.group(1)} [{label_box.group(2)}]"
            groups.setdefault(label_box.group(1), []).append(c)
    # an unticked and a never-shown checkbox are both 0 in REDCap: an all-0 group counts as
    # unanswered (the filter decides whether it was asked)
    for cols in groups.values():
        unticked = frame[cols].apply(_text).isin(["0", "Unchecked", "Ej markerad"]).all(axis=1)
        frame.loc[unticked, cols] = ""
    raw.frame = frame.rename(columns=renames)
    meta = [c for c in raw.frame.columns if str(c) in (
        "redcap_survey_identifier", "redcap_event_name", "Survey Identifier", "Survey Timestamp",
        "Event Name", "Complete?") or str(c).endswith(("_timestamp", "_complete"))]
    return _drop(raw, meta), status


def _qualtrics(raw: RawTable) -> tuple[RawTable, pd.Series]:
    frame = raw.frame
    # below the column ids: a row of question texts, then (newer exports) a row of ImportIds
    extra = 1
    if len(frame) > 1 and _text(frame.iloc[1]).str.startswith('{"ImportId"').any():
        extra = 2
    raw.frame = frame.iloc[extra:].reset_index(drop=True)
    raw.rows = raw.rows[extra:]
    if len(raw.frame) == 0:
        raise InputFileError("the Qualtrics export has its header rows but no responses",
                             file=raw.path)
    status = _complete(raw)
    if "Finished" in raw.frame.columns:
        finished = _text(raw.frame["Finished"]).isin(["1", "True", "true"])
        status = pd.Series(np.where(finished, COMPLETE, PARTIAL))
    if "Status" in raw.frame.columns:  # 1 = survey preview, 4 = test (Qualtrics codes)
        preview = _text(raw.frame["Status"]).isin(["1", "4", "Survey Preview", "Survey Test"])
        status = status.where(~preview.to_numpy(), TEST)
    return _drop(raw, QUALTRICS_META), status


def _surveymonkey(raw: RawTable) -> tuple[RawTable, pd.Series]:
    frame = raw.frame
    sub = _text(frame.iloc[0])
    names, current = [], ""
    for col, below in zip(frame.columns, sub, strict=True):
        col = str(col)
        if not col.startswith("(blank header") and not col.startswith("Unnamed"):
            current = col
        if below in ("", "Response", "Open-Ended Response", "Svar", "Öppet svar"):
            names.append(current)
        else:
            names.append(f"{current} [{below}]")
    raw.frame = frame.iloc[1:].reset_index(drop=True)
    raw.frame.columns = names
    raw.rows = raw.rows[1:]
    return _drop(raw, SURVEYMONKEY_META), _complete(raw)


def _google(raw: RawTable) -> tuple[RawTable, pd.Series]:
    return _drop(raw, GOOGLE_META), _complete(raw)


def _microsoft(raw: RawTable) -> tuple[RawTable, pd.Series]:
    return _drop(raw, MICROSOFT_META), _complete(raw)


def _kobo(raw: RawTable) -> tuple[RawTable, pd.Series]:
    cols = [str(c) for c in raw.frame.columns]
    colset = set(cols)
    # a select_multiple is exported as a summary column "q" (space-separated choice names)
    # beside split columns "q/option" (1/0); group names prefix both: "group/q/option"
    summaries = {c.rsplit("/", 1)[0] for c in cols if "/" in c} & colset
    raw = _drop(raw, [*KOBO_META, *sorted(summaries)])

    def name(c: str) -> str:
        parts = c.split("/")
        if len(parts) >= 2 and "/".join(parts[:-1]) in summaries:
            return f"{parts[-2]}_{parts[-1]}"  # (group/)q/option -> q_option
        if len(parts) >= 3:
            return f"{parts[-2]}_{parts[-1]}"  # split columns exported without their summary
        return parts[-1]  # group/question -> question

    return _rename(raw, name), _complete(raw)


ADAPTERS: dict[str, Callable[[RawTable], tuple[RawTable, pd.Series]]] = {
    "table": _table, "limesurvey": _limesurvey, "redcap": _redcap, "qualtrics": _qualtrics,
    "surveymonkey": _surveymonkey, "google_forms": _google, "microsoft_forms": _microsoft,
    "kobo": _kobo,
}
