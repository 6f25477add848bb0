"""Every export of the corpus, read by cipsurvey and, independently, by pandas and the
knowledge of its tool (tests/export_corpus.py): the tool is detected, every row is kept or
excluded for its reason, the tool's partial and test responses are counted, and every
matched column holds the values the raw file holds."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from export_corpus import CASES, CORPUS, Case, expected, raw_cells

import cipsurvey
from cipsurvey.errors import InputFileError
from cipsurvey.instrument import interchange as ic
from cipsurvey.instrument import load_instrument

# Qualtrics' documented response types (Status): 1 Survey Preview, 2 Survey Test, 17 Offline
# Survey Preview are tests; 8, 9, 12, 40 are marked spam ("Understanding Your Dataset")
QUALTRICS_TEST = {"1", "2", "17", "survey preview", "survey test", "offline survey preview"}
QUALTRICS_SPAM = {"8", "9", "12", "40", "spam", "survey preview spam", "imported spam",
                  "ex spam"}
READING = {"unknown_code", "ambiguous_code", "out_of_range", "free_typed_number",
           "not_a_number", "not_integer", "invalid_date"}


def instrument(case: Case):
    path = CORPUS / case.definition
    if path.suffix == ".yaml":
        return load_instrument(path)
    reader = {".csv": ic.from_redcap, ".lss": ic.from_lss, ".qsf": ic.from_qsf}.get(
        path.suffix, ic.from_xlsform)
    data, _ = reader(path)
    data["items"] = [i for i in data["items"] if i["id"] not in case.drop_items]
    return ic.build(data, path)


def test_the_corpus_is_what_the_issue_asks_for():
    files = {c.file for c in CASES}
    tools = Counter(f.split("/")[0] for f in files)
    assert len(files) >= 40
    assert set(tools) == {"redcap", "kobo", "qualtrics", "limesurvey", "surveymonkey",
                          "google_forms", "microsoft_forms"}
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*")
               if p.suffix in (".csv", ".xlsx") and p.parent.name != "instruments"
               and not re.search(r"(dictionary|events|xlsform)\.|pyxform", p.name)}
    assert on_disk == files  # every export of the corpus is a case


def _status(case: Case, names: list[str], body: pd.DataFrame, blank: np.ndarray) -> Counter:
    """The tool's partial / test / spam responses among the non-blank rows."""
    col = {n: k for k, n in reversed(list(enumerate(names)))}
    counts: Counter = Counter()
    for i in np.nonzero(~blank)[0]:
        row = body.iloc[i]
        kind = "complete"
        if case.tool == "limesurvey":
            submit = next(k for n, k in col.items() if n.lower() in (
                "submitdate", "date submitted", "datum abgeschickt"))
            kind = "partial" if row[submit].strip() == "" else kind
        elif case.tool == "qualtrics":
            if "Finished" in col and row[col["Finished"]].strip().lower() not in ("1", "true"):
                kind = "partial"
            status = row[col["Status"]].strip().lower() if "Status" in col else ""
            kind = "test" if status in QUALTRICS_TEST else (
                "spam" if status in QUALTRICS_SPAM else kind)
        elif case.tool == "redcap":
            done = [row[k].strip() for n, k in col.items()
                    if n.endswith("_complete") or n.startswith("Complete?")]
            if any(v and v not in ("2", "Complete") for v in done):
                kind = "partial"
        counts[kind] += 1
    return counts


def _case_id(c: Case) -> str:
    drop = "-" + ",".join(c.drop_items) if c.drop_items else ""
    return f"{c.file}:{c.event or ''}{drop}{'-refused' if c.refused else ''}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_every_export_is_read_right_or_refused_with_a_reason(case):
    inst = instrument(case)
    if case.refused:
        with pytest.raises(InputFileError, match=case.refused) as err:
            cipsurvey.read_survey(case.path, inst, event=case.event)
        assert "hint:" in err.value.render()  # it says what to export instead
        return
    wave = cipsurvey.read_survey(case.path, inst, event=case.event)
    acc = wave.account.files[0]
    assert acc.details["source"] == case.tool

    names, body, rows = raw_cells(case)
    assert acc.rows_read == len(body) == acc.rows_kept + acc.rows_excluded
    # why each row is excluded, from the raw cells
    blank = (body.map(lambda v: str(v).strip() == "")).all(axis=1).to_numpy()
    questions = [raw for raw, col in acc.columns_map.items()
                 if (inst.item_map.get(col) or next(i for i in inst.items
                                                    if col in i.columns)).role == "question"]
    exp = expected(case, inst, acc.columns_map)
    answered = np.zeros(len(body), dtype=bool)
    for raw in questions:
        k = _index(raw, names)
        answered |= body[k].map(lambda v: str(v).strip() != "" and str(v).strip().lower()
                                not in {"n/a", "no answer", "keine antwort"}).to_numpy()
    reasons = np.where(blank, "empty row", np.where(~answered, "no question answered", ""))
    if case.event:
        event_col = next(k for k, n in enumerate(names)
                         if n in ("redcap_event_name", "Event Name"))
        other = body[event_col].str.strip().to_numpy()
        reasons = np.where(~blank & (other != case.event),
                           [f"another REDCap event ({e})" for e in other], reasons)
    want = Counter(r for r in reasons if r)
    got = Counter(wave.account.exclusions["reason"])
    assert got == want
    kept = rows[reasons == ""]
    assert wave.data["source.row"].tolist() == kept.tolist()

    status = _status(case, names, body, blank)
    assert (acc.partial, acc.test, acc.spam) == (status["partial"], status["test"],
                                                 status["spam"])

    # every matched column holds what the raw file holds
    at = pd.Index(wave.data["source.row"])
    for col, values in exp.values.items():
        want_col = [values[r] for r in kept]
        got_col = wave.data[col].tolist()
        for r, a, b in zip(kept, got_col, want_col, strict=True):
            assert _same(a, b), (case.file, col, int(r), a, b)
    assert at.is_unique
    problems = wave.problems
    bad = problems[problems["code"].isin(READING)]
    assert set(zip(bad["row"].astype(int), bad["column"], strict=True)) == {
        (r, c) for r, c in exp.unreadable if r in set(kept.tolist())}


def _index(raw: str, names: list[str]) -> int:
    m = re.search(r"\(column (\d+)\)$", raw)
    if raw not in names and m:
        return int(m.group(1)) - 1
    if raw in names:
        return names.index(raw)
    return next(k for k, n in enumerate(names) if re.sub(r"^\d+ - ", "", n) == raw)


def _same(a, b) -> bool:
    if isinstance(b, pd.Timestamp) or b is pd.NaT:
        return (pd.isna(a) and pd.isna(b)) or pd.Timestamp(a) == b
    if isinstance(b, str):
        return a == b
    if b is None or (isinstance(b, float) and np.isnan(b)):
        return a is None or pd.isna(a)
    return not pd.isna(a) and float(a) == float(b)
