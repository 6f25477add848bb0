"""The demo wave laid out as each web-survey tool exports it (test fixtures).

Built from the documented formats and the real samples the project studied
(LimeSurvey CSV with BOM and quoted fields and Q[SQ001] columns; REDCap raw CSV with
var___1 checkboxes and <form>_complete; Qualtrics CSV with three header rows; SurveyMonkey
XLSX with two header rows; Google Forms with a timestamp and packed check boxes; Microsoft
Forms with its leading columns and "A;B;" cells; KoboToolbox CSV with ; and group/question
names and split select_multiple columns). Every writer starts from the same clean wave, so
every import must give that wave back.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from cipsurvey.instrument import Instrument, ItemType


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT


def _num(v) -> str:
    if _blank(v):
        return ""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _cell(item, v, lang: str, use_labels: bool, names: bool = False) -> str:
    if _blank(v):
        return ""
    if item.type == ItemType.date:
        return pd.Timestamp(v).strftime("%Y-%m-%d")
    if item.choices and item.type != ItemType.multiple_choice:
        choice = next(c for c in item.choices if c.code == int(v))
        if names:
            return choice.name
        return choice.label.get(lang) if use_labels else str(choice.code)
    if item.type in (ItemType.count, ItemType.number):
        return _num(v)
    return str(v)


def _selected(item, row) -> list:
    block = [row[c] for c in item.columns]
    if all(_blank(v) for v in block):
        return None  # not answered
    return [c for c, v in zip(item.choices, block, strict=True) if v == 1]


def _write_csv(path: Path, header_rows: list[list[str]], rows: list[list[str]], *,
               delimiter: str = ",", bom: bool = False, quote_all: bool = False) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n",
                   quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    w.writerows(header_rows)
    w.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))
    return path


def limesurvey(inst: Instrument, wave: pd.DataFrame, path: Path, partial_rows: int = 0,
               text: bool = False) -> Path:
    """Question codes and answer codes, or (``text``) full question texts and answer texts."""
    header = ["id", "submitdate", "lastpage", "startlanguage"]
    for item in inst.items:
        if item.type == ItemType.multiple_choice:
            header += [f"{item.text.sv} [{c.label.sv}]" if text else f"{item.id}[SQ{c.code:03d}]"
                       for c in item.choices]
        else:
            header.append(item.text.sv if text else item.id)
    rows = []
    for k, (_, r) in enumerate(wave.iterrows(), start=1):
        partial = k <= partial_rows
        row = [str(k), "" if partial else "2015-01-01 10:00:00", "3" if partial else "9", "sv"]
        for item in inst.items:
            if item.type == ItemType.multiple_choice:
                chosen = _selected(item, r)
                yes = "Ja" if text else "Y"
                row += ["" if chosen is None else (yes if c in chosen else "")
                        for c in item.choices]
            else:
                row.append(_cell(item, r[item.id], "sv", use_labels=text))
        rows.append(row)
    return _write_csv(path, [header], rows, bom=True, quote_all=True)


def redcap(inst: Instrument, wave: pd.DataFrame, path: Path, labels: bool = False) -> Path:
    """The raw export (codes, var___1 columns) or (``labels``) the label export."""
    first = inst.items[0]
    header = [first.text.en if labels else "resp_id",
              "Survey Identifier" if labels else "redcap_survey_identifier",
              "Survey Timestamp" if labels else "sip_enkat_timestamp"]
    for item in inst.items[1:]:
        if item.type == ItemType.multiple_choice:
            header += [f"{item.text.en} (choice={c.label.en})" if labels
                       else f"{item.id}___{c.code}" for c in item.choices]
        else:
            header.append(item.text.en if labels else item.id)
    header.append("Complete?" if labels else "sip_enkat_complete")
    rows = []
    for _, r in wave.iterrows():
        row = [str(r["resp_id"]), "", "2015-01-01 10:00:00"]
        for item in inst.items[1:]:
            if item.type == ItemType.multiple_choice:
                chosen = _selected(item, r) or []
                on, off = ("Checked", "Unchecked") if labels else ("1", "0")
                row += [on if c in chosen else off for c in item.choices]
            else:
                row.append(_cell(item, r[item.id], "en", use_labels=labels))
        rows.append([*row, "Complete" if labels else "2"])
    return _write_csv(path, [header], rows)


def qualtrics(inst: Instrument, wave: pd.DataFrame, path: Path, preview_rows: int = 0,
              text: bool = False) -> Path:
    """Numeric values, or (``text``) choice texts; multi-select packed with commas."""
    meta = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
            "Finished", "RecordedDate", "ResponseId", "DistributionChannel", "UserLanguage"]
    ids = meta + [i.id for i in inst.items]
    texts = meta + [i.text.sv for i in inst.items]
    imports = [json.dumps({"ImportId": c}) for c in meta] + [
        json.dumps({"ImportId": f"QID{k}"}) for k in range(1, len(inst.items) + 1)]
    rows = []
    for k, (_, r) in enumerate(wave.iterrows(), start=1):
        status = "1" if k <= preview_rows else "0"
        row = ["2015-01-01 10:00:00", "2015-01-01 10:09:00", status, "", "100", "540", "1",
               "2015-01-01 10:09:00", f"R_{k:05d}", "anonymous", "SV"]
        for item in inst.items:
            if item.type == ItemType.multiple_choice:
                chosen = _selected(item, r)
                row.append("" if chosen is None else ",".join(
                    c.label.sv if text else str(c.code) for c in chosen))
            else:
                row.append(_cell(item, r[item.id], "sv", use_labels=text))
        rows.append(row)
    return _write_csv(path, [ids, texts, imports], rows)


def surveymonkey(inst: Instrument, wave: pd.DataFrame, path: Path) -> Path:
    from openpyxl import Workbook

    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
            "Email Address", "First Name", "Last Name", "Custom Data 1"]
    top, sub = list(meta), [""] * len(meta)
    for item in inst.items:
        if item.type == ItemType.multiple_choice:
            for k, c in enumerate(item.choices):
                top.append(item.text.sv if k == 0 else None)
                sub.append(c.label.sv)
        elif item.id == "resp_id":
            top.append("resp_id")  # a custom variable carries the pseudonymous id
            sub.append("")
        else:
            top.append(item.text.sv)
            sub.append("Response")
    book = Workbook()
    ws = book.active
    ws.append(top)
    ws.append(sub)
    records = []
    for k, (_, r) in enumerate(wave.iterrows(), start=1):
        row = [10_000 + k, 4242, "01/01/2015 10:00:00", "01/01/2015 10:09:00", "", "", "", "",
               ""]
        for item in inst.items:
            if item.type == ItemType.multiple_choice:
                chosen = _selected(item, r) or []
                row += [c.label.sv if c in chosen else None for c in item.choices]
            else:
                text = _cell(item, r[item.id], "sv", use_labels=True)
                row.append(text if text != "" else None)
        records.append(row)
    if path.suffix == ".csv":
        clean = [["" if v is None else str(v) for v in row] for row in records]
        return _write_csv(path, [["" if v is None else v for v in top], sub], clean)
    for row in records:
        ws.append(row)
    book.save(path)
    return path


def google_forms(inst: Instrument, wave: pd.DataFrame, path: Path) -> Path:
    header = ["Tidstämpel"] + [i.text.sv for i in inst.items]
    rows = []
    for _, r in wave.iterrows():
        row = ["2015/01/01 10:00:00 fm. CET"]
        for item in inst.items:
            if item.type == ItemType.multiple_choice:
                chosen = _selected(item, r)
                row.append("" if chosen is None else ", ".join(c.label.sv for c in chosen))
            else:
                row.append(_cell(item, r[item.id], "sv", use_labels=True))
        rows.append(row)
    return _write_csv(path, [header], rows)


def microsoft_forms(inst: Instrument, wave: pd.DataFrame, path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.append(["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
               *[i.text.en for i in inst.items]])
    for k, (_, r) in enumerate(wave.iterrows(), start=1):
        row = [k, "1/1/15 10:00:00", "1/1/15 10:09:00", "anonymous", "", ""]
        for item in inst.items:
            if item.type == ItemType.multiple_choice:
                chosen = _selected(item, r)
                row.append(None if chosen is None
                           else "".join(f"{c.label.en};" for c in chosen) or None)
            else:
                text = _cell(item, r[item.id], "en", use_labels=True)
                row.append(text if text != "" else None)
        ws.append(row)
    book.save(path)
    return path


def kobo(inst: Instrument, wave: pd.DataFrame, path: Path) -> Path:
    group = {i.id: ("bakgrund" if (i.number or "").isdigit() and int(i.number) <= 7 else "sip")
             for i in inst.items}
    header = ["start", "end"]
    for item in inst.items:
        base = f"{group[item.id]}/{item.id}"
        if item.type == ItemType.multiple_choice:
            header.append(base)
            header += [f"{base}/{c.name}" for c in item.choices]
        else:
            header.append(base)
    header += ["_id", "_uuid", "_submission_time", "_index"]
    rows = []
    for k, (_, r) in enumerate(wave.iterrows(), start=1):
        row = ["2015-01-01T10:00:00.000+01:00", "2015-01-01T10:09:00.000+01:00"]
        for item in inst.items:
            if item.type == ItemType.multiple_choice:
                chosen = _selected(item, r)
                if chosen is None:
                    row += [""] * (len(item.choices) + 1)
                else:
                    row.append(" ".join(c.name for c in chosen))
                    row += ["1" if c in chosen else "0" for c in item.choices]
            else:
                row.append(_cell(item, r[item.id], "sv", use_labels=False, names=True))
        rows.append([*row, str(k), f"uuid-{k}", "2015-01-01T09:09:00", str(k)])
    return _write_csv(path, [header], rows, delimiter=";")


WRITERS = {"limesurvey": ("csv", limesurvey), "redcap": ("csv", redcap),
           "qualtrics": ("csv", qualtrics), "surveymonkey": ("xlsx", surveymonkey),
           "google_forms": ("csv", google_forms), "microsoft_forms": ("xlsx", microsoft_forms),
           "kobo": ("csv", kobo)}
# the other layouts each tool offers: (tool, extension, writer, options)
VARIANTS = {
    "limesurvey_text": ("limesurvey", "csv", limesurvey, {"text": True}),
    "redcap_labels": ("redcap", "csv", redcap, {"labels": True}),
    "qualtrics_text": ("qualtrics", "csv", qualtrics, {"text": True}),
    "surveymonkey_csv": ("surveymonkey", "csv", surveymonkey, {}),
}
