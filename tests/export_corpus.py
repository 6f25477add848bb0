"""The export corpus (tests/corpus/exports, sources in tests/corpus/SOURCES.md) and an
independent reading of it.

Each :class:`Case` says what a person who looked at the file knows: which tool made it, how
many header rows it has, how it writes an answer (codes, names or labels; a ticked option as
1, Y, its label, Ja/Nein, Checked, True) and which definition describes it. :func:`expected`
reads the file with pandas and decodes every cell from that knowledge and the instrument's
answer lists alone: it shares no code with cipsurvey's readers and adapters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CORPUS = Path(__file__).parent / "corpus" / "exports"

# what each tool writes into a cell for "no answer" (LimeSurvey's full-text export, KoBoCAT's
# legacy export)
NO_ANSWER = {"limesurvey": {"n/a", "no answer", "keine antwort"}, "kobo": {"n/a"}}
# LimeSurvey's own codes: "-oth-" is the answer "other"
TOOL_WORDS = {"limesurvey": {"-oth-": "other"}}
TICKED = {"01": {"1": 1.0, "0": 0.0}, "Y": {"Y": 1.0}, "1blank": {"1": 1.0},
          "yesno": {"ja": 1.0, "yes": 1.0, "nein": 0.0, "no": 0.0},
          "checked": {"checked": 1.0, "unchecked": 0.0},
          "truefalse": {"true": 1.0, "false": 0.0}}


@dataclass(frozen=True)
class Case:
    file: str
    tool: str
    definition: str
    header: int = 1  # header records above the first response
    sep: str = ","
    values: str = "codes"  # how a choice answer is written: codes, names or labels
    options: str = "01"  # how a multiple-choice option column says "ticked"
    packed: str | None = None  # the separator of answers joined in one cell
    event: str | None = None
    drop_items: tuple[str, ...] = ()
    refused: str | None = None  # the refusal expected instead of an import
    sheet_header: int = 0  # .xlsx: the row of the (first) header

    @property
    def path(self) -> Path:
        return CORPUS / self.file

    @property
    def id(self) -> str:
        return self.file


R, K, Q, L = "redcap", "kobo", "qualtrics", "limesurvey"
CASES = [
    # REDCap: raw exports (codes, var___code checkboxes) with their data dictionaries
    *[Case(f"redcap/redcapr_{p}_data.csv", R, f"redcap/redcapr_{p}_dictionary.csv")
      for p in ("blank_for_gray_status", "checkboxes_1", "clinical_trial_1", "dag",
                "decimal_comma_and_dot", "nonnumeric_record_id",
                "potentially_problematic_values", "repeating_instruments", "survey",
                "vignette_repeating")],
    *[Case("redcap/redcapr_longitudinal_data.csv", R, "redcap/redcapr_longitudinal_dictionary.csv",
           event=e) for e in ("enrollment_arm_1", "dose_1_arm_1", "final_visit_arm_2")],
    Case("redcap/redcapapi_records.csv", R, "redcap/redcapapi_dictionary.csv",
         event="event_1_arm_1"),
    Case("redcap/redcapr_longitudinal_labels_derived.csv", R,
         "redcap/redcapr_longitudinal_dictionary.csv", event="Enrollment (Arm 1: Drug A)",
         refused="twice"),
    # KoboToolbox: formpack's exports (XML names with groups; labels), their XLSForms
    *[Case(f"kobo/kobo_{form}_xml_groups.csv", K, f"kobo/kobo_{form}_xlsform.xlsx", sep=";",
           values="names") for form in (
        "cip_numeric_names", "customer_satisfaction", "dietary_needs", "favorite_coffee",
        "grouped_translated", "literacy_test", "or_other", "sanitation_report",
        "select_one_legacy")],
    *[Case(f"kobo/kobo_{form}_labels.csv", K, f"kobo/kobo_{form}_xlsform.xlsx", sep=";",
           values="labels") for form in (
        "cip_numeric_names", "customer_satisfaction", "dietary_needs", "favorite_coffee",
        "grouped_translated", "literacy_test", "or_other", "sanitation_report",
        "select_one_legacy")],
    Case("kobo/replica_kobocat_legacy_na.csv", K, "kobo/kobo_cip_numeric_names_xlsform.xlsx",
         values="names", options="truefalse"),
    # Qualtrics: 2016 "Insights" and legacy V1… exports with their .qsf; qualtRics' samples
    *[Case(f"qualtrics/qt_{s}.csv", Q, f"qualtrics/qt_{s.replace('_insights', '')}.qsf",
           header=3, options="1blank")
      for s in ("multiple_answer_insights", "no_basis_insights", "sample_survey",
                "single_answer_insights")],
    *[Case(f"qualtrics/qt_{s}.csv", Q, f"qualtrics/qt_{s.replace('_legacy', '')}.qsf",
           header=2, options="1blank")
      for s in ("multiple_answer", "no_basis_legacy", "single_answer", "survey_logic")],
    Case("qualtrics/qualtrics_r_sample_de.csv", Q, "instruments/qualtrics_r_sample.yaml",
         header=3),
    Case("qualtrics/qualtrics_r_sample_legacy.csv", Q, "instruments/qualtrics_r_sample.yaml",
         header=2),
    Case("qualtrics/replica_qualtrics_2016.csv", Q, "instruments/cip_mini.yaml", header=3,
         packed=","),
    Case("qualtrics/replica_qualtrics_choicetext_sv.csv", Q, "instruments/cip_mini.yaml",
         header=3, values="labels", packed=","),
    # LimeSurvey
    Case("limesurvey/limonaid_survey_998192_fulltext_en.csv", L,
         "instruments/limonaid_998192.yaml", values="names"),
    Case("limesurvey/limonaid_survey_100001_fulltext_en.csv", L,
         "instruments/limonaid_100001.yaml", values="names"),
    Case("limesurvey/replica_ls_codes.csv", L, "limesurvey/replica_limesurvey_survey_845213.lss",
         values="names", options="Y"),
    Case("limesurvey/replica_ls_codes_semicolon.csv", L,
         "limesurvey/replica_limesurvey_survey_845213.lss", sep=";", values="names",
         options="Y"),
    Case("limesurvey/replica_ls_fulltext_de.csv", L,
         "limesurvey/replica_limesurvey_survey_845213.lss", values="labels", options="yesno",
         refused="twice"),
    Case("limesurvey/replica_ls_fulltext_de.csv", L,
         "limesurvey/replica_limesurvey_survey_845213.lss", values="labels", options="yesno",
         drop_items=("g02q05", "g02q06")),
    Case("limesurvey/replica_ls_fulltext_en_numbered.csv", L,
         "limesurvey/replica_limesurvey_survey_845213.lss", values="labels", options="yesno",
         drop_items=("g02q05", "g02q06")),
    # SurveyMonkey, Google Forms, Microsoft Forms (no definition to download)
    Case("surveymonkey/replica_sm_expanded.csv", "surveymonkey", "instruments/cip_mini.yaml",
         header=2, values="labels", options="label"),
    Case("surveymonkey/replica_sm_no_collector.xlsx", "surveymonkey",
         "instruments/cip_mini.yaml", header=2, values="labels", options="label"),
    Case("google_forms/replica_gf_en.csv", "google_forms", "instruments/cip_mini.yaml",
         values="labels", packed=", "),
    Case("google_forms/replica_gf_sv.csv", "google_forms", "instruments/cip_mini.yaml",
         values="labels", packed=", "),
    Case("microsoft_forms/replica_msf_en.xlsx", "microsoft_forms", "instruments/cip_mini.yaml",
         values="labels", packed=";"),
    Case("microsoft_forms/replica_msf_sv.xlsx", "microsoft_forms", "instruments/cip_mini.yaml",
         values="labels", packed=";"),
]


def raw_cells(case: Case) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    """The file's column names, its response cells as text, and each response's row number
    as cipsurvey counts rows (header records included, the first is row 1)."""
    if case.path.suffix == ".xlsx":
        sheet = pd.read_excel(case.path, header=None, dtype=object, engine="calamine")
        cells = sheet.map(_excel_text)
    else:
        cells = pd.read_csv(case.path, sep=case.sep, header=None, dtype=str,
                            keep_default_na=False, skip_blank_lines=False,
                            encoding="utf-8-sig").fillna("")
    top = cells.iloc[: case.header]
    names = _names(case, top)
    body = cells.iloc[case.header:].reset_index(drop=True)
    if case.path.suffix == ".xlsx":  # trailing empty rows of a sheet are formatting
        while len(body) and (body.iloc[-1] == "").all():
            body = body.iloc[:-1]
    body.columns = range(body.shape[1])
    if case.tool == "redcap":  # REDCap writes 0 for an unticked and a never-shown box alike
        groups: dict[str, list[int]] = {}
        for k, n in enumerate(names):
            m = re.match(r"^(.+)___\w+$", n) or re.match(r"^(.*) \(choice=.*\)$", n)
            if m:
                groups.setdefault(m.group(1), []).append(k)
        for cols in groups.values():
            unticked = body[cols].isin(["0", "Unchecked"]).all(axis=1)
            body.loc[unticked, cols] = ""
    return names, body, np.arange(case.header + 1, case.header + 1 + len(body))


def _excel_text(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _names(case: Case, top: pd.DataFrame) -> list[str]:
    """Column names as the tool means them: Qualtrics' legacy layout names its system
    columns in the second row; SurveyMonkey's second row names the options."""
    first = [str(v).strip() for v in top.iloc[0]]
    if case.tool == "qualtrics" and case.header == 2:
        second = [str(v).strip() for v in top.iloc[1]]
        return [s if re.fullmatch(r"V\d+", f) else f for f, s in zip(first, second, strict=True)]
    if case.tool == "surveymonkey":
        second = [str(v).strip() for v in top.iloc[1]]
        out, current = [], ""
        for f, s in zip(first, second, strict=True):
            current = f or current
            out.append(current if s in ("", "Response", "Open-Ended Response")
                       else f"{current} [{s}]")
        return out
    return first


def _blank(case: Case, text: str) -> bool:
    return text.strip() == "" or text.strip().lower() in NO_ANSWER.get(case.tool, set())


@cache
def redcap_choices(case: Case) -> dict[str, dict[str, str]]:
    """Per field, REDCap's answer codes and their labels, as the data dictionary lists them
    ("1, Yes | 2, No": split at the first comma), with REDCap's fixed yes/no and true/false."""
    import csv

    with (CORPUS / case.definition).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    name_col = 0
    type_col = next(k for k, h in enumerate(head) if h in ("Field Type", "field_type"))
    choice_col = next(k for k, h in enumerate(head) if h in (
        "Choices, Calculations, OR Slider Labels", "select_choices_or_calculations"))
    out = {}
    for r in rows[1:]:
        if len(r) <= max(type_col, choice_col):
            continue
        if r[type_col] == "yesno":
            out[r[name_col]] = {"1": "Yes", "0": "No"}
        elif r[type_col] == "truefalse":
            out[r[name_col]] = {"1": "True", "0": "False"}
        elif r[type_col] in ("radio", "dropdown", "checkbox") and r[choice_col]:
            pairs = (p.strip().partition(",") for p in r[choice_col].split("|") if p.strip())
            out[r[name_col]] = {c.strip(): lab.strip() for c, _, lab in pairs}
    return out


def decode_choice(case: Case, item: Any, text: str) -> tuple[float, bool]:
    """(code, readable) of one answer, read the one way the export writes it."""
    if _blank(case, text):
        return np.nan, True
    if case.tool == "redcap":  # the dictionary's label for the code, then the item's answer
        label = redcap_choices(case).get(item.id, {}).get(text.strip())
        hit = [c for c in item.choices if label is not None and c.label.en == label]
        if not hit:
            return np.nan, False
        if re.fullmatch(r"-?\d+", text.strip()):
            assert hit[0].code == int(text), (item.id, text, hit[0].code)  # no shifted code
        return float(hit[0].code), True
    text = TOOL_WORDS.get(case.tool, {}).get(text.strip(), text.strip())
    missing = {str(m.code): m for m in item.missing}
    if text in missing or any(text.lower() == lab.lower() for m in item.missing
                              for lab in m.label.all()):
        return np.nan, True
    for c in item.choices:
        if case.values == "codes" and re.fullmatch(r"-?\d+(\.0)?", text) and \
                int(float(text)) == c.code:
            return float(c.code), True
        # a name (and LimeSurvey's "other" in every mode)
        if text.lower() == c.name.lower() and (case.values == "names" or c.name == "other"):
            return float(c.code), True
        if case.values == "labels" and text.lower() in {x.lower() for x in c.label.all()}:
            return float(c.code), True
    return np.nan, False


def decode_number(case: Case, item: Any, text: str) -> tuple[float, bool]:
    t = text.strip()
    if _blank(case, t):
        return np.nan, True
    if str(t) in {str(m.code) for m in item.missing}:
        return np.nan, True
    if not re.fullmatch(r"[+-]?(\d+([.,]\d+)?|[.,]\d+)", t):
        return np.nan, False
    value = float(t.replace(",", "."))
    if item.type.value == "count" and not value.is_integer():
        return np.nan, False
    r = item.range
    if r is not None and ((r.min is not None and value < r.min) or
                          (r.max is not None and value > r.max)):
        return np.nan, False
    return value, True


_ISO = re.compile(r"^\d{4}-\d\d-\d\d([ T]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$")


def decode_date(case: Case, text: str) -> tuple[Any, bool]:
    """A date as cipsurvey documents it: ISO 8601 (time and offset allowed)."""
    t = text.strip()
    if _blank(case, t):
        return pd.NaT, True
    if not _ISO.match(t):
        return pd.NaT, False
    try:
        stamp = pd.Timestamp(t)
    except ValueError:
        return pd.NaT, False
    return (stamp.tz_localize(None) if stamp.tzinfo else stamp), True


def decode_option(case: Case, choice: Any, text: str) -> tuple[float, bool]:
    """One multiple-choice option column: 1 ticked, 0 not, missing when blank."""
    if _blank(case, text):
        return np.nan, True
    t = text.strip()
    if case.options == "label":
        return (1.0, True) if t.lower() in {x.lower() for x in (choice.name,
                                                                  *choice.label.all())} \
            else (np.nan, False)
    value = TICKED[case.options].get(t if case.options in ("01", "Y", "1blank") else t.lower())
    return (value, True) if value is not None else (np.nan, False)


def decode_packed(case: Case, item: Any, text: str) -> tuple[list[float], bool]:
    """Answers joined in one cell, each an answer's label, name or code as the export writes
    them (a label may itself hold the separator)."""
    n = len(item.choices)
    if _blank(case, text):
        return [np.nan] * n, True
    known = {}
    for k, c in enumerate(item.choices):
        spellings = {"codes": [str(c.code)], "names": [c.name], "labels": c.label.all()}
        for s in spellings[case.values]:
            known[s.strip().lower()] = k
    pieces = [p for p in text.split(case.packed)]
    while pieces and not pieces[-1].strip():
        pieces.pop()
    chosen: set[int] = set()
    i = 0
    while i < len(pieces):  # the longest run of pieces that is one answer
        for j in range(len(pieces), i, -1):
            key = case.packed.join(pieces[i:j]).strip().lower()
            if key in known:
                chosen.add(known[key])
                i = j
                break
        else:
            return [np.nan] * n, False
    return [1.0 if k in chosen else 0.0 for k in range(n)], True


@dataclass
class Expected:
    """Per wave column, the value of each response (by row number), and the cells that
    cannot be read (row, raw column)."""

    values: dict[str, dict[int, Any]] = field(default_factory=dict)
    unreadable: set[tuple[int, str]] = field(default_factory=set)


def expected(case: Case, inst: Any, columns_map: dict[str, str]) -> Expected:
    """The wave as the raw file says it, for the columns cipsurvey matched."""
    names, body, rows = raw_cells(case)
    position: dict[str, int] = {}
    for k, n in enumerate(names):
        position.setdefault(n, k)
    out = Expected()
    by_column = {c: item for item in inst.items for c in item.columns}
    options: dict[str, dict[int, dict[str, float]]] = {}
    for raw_col, wave_col in columns_map.items():
        k = _position(raw_col, position, names)
        cells = body[k].astype(str).tolist()
        if wave_col in inst.item_map and inst.item(wave_col).type.value == "multiple_choice":
            item = inst.item(wave_col)  # answers packed into one cell
            for row, text in zip(rows, cells, strict=True):
                values, ok = decode_packed(case, item, text)
                if not ok:
                    out.unreadable.add((int(row), raw_col))
                for col, v in zip(item.columns, values, strict=True):
                    options.setdefault(item.id, {}).setdefault(int(row), {})[col] = v
            continue
        item = by_column[wave_col]
        column: dict[int, Any] = {}
        for row, text in zip(rows, cells, strict=True):
            kind = item.type.value
            if kind == "multiple_choice":
                choice = item.choices[item.columns.index(wave_col)]
                v, ok = decode_option(case, choice, text)
                options.setdefault(item.id, {}).setdefault(int(row), {})[wave_col] = v
            elif item.choices:
                v, ok = decode_choice(case, item, text)
            elif kind in ("count", "number"):
                v, ok = decode_number(case, item, text)
            elif kind == "date":
                v, ok = decode_date(case, text)
            elif _blank(case, text):
                v, ok = np.nan, True
            else:
                v, ok = (text.strip() if kind == "identifier" else text), True
            if not ok:
                out.unreadable.add((int(row), raw_col))
            column[int(row)] = v
        if item.type.value != "multiple_choice":
            out.values[wave_col] = column
    for item_id, per_row in options.items():  # an unticked option beside a ticked one is 0
        item = inst.item(item_id)
        for row, cols in per_row.items():
            answered = any(v in (0.0, 1.0) for v in cols.values())
            if case.tool == "redcap" and cols and all(v == 0.0 for v in cols.values()):
                cols = dict.fromkeys(cols, np.nan)  # REDCap: all unticked = not shown
                answered = False
            for col in item.columns:
                if col not in cols:
                    continue
                v = cols[col]
                out.values.setdefault(col, {})[row] = 0.0 if answered and np.isnan(v) else v
    return out


def _position(raw_col: str, position: dict[str, int], names: list[str]) -> int:
    """The place of a column cipsurvey names: as written, or renamed "name (column N)"."""
    m = re.search(r"\(column (\d+)\)$", raw_col)
    if raw_col not in position and m:
        return int(m.group(1)) - 1
    if raw_col in position:
        return position[raw_col]
    # LimeSurvey's numbered headings: "3 - text" named "text"
    return next(k for k, n in enumerate(names) if re.sub(r"^\d+ - ", "", n) == raw_col)
