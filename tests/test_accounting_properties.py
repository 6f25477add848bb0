"""Property-based tests (hypothesis): every importer accounts for every row, and every kept
value is the input value after its documented recoding; the CSV sniffer never fails with
anything but a clear input error."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cipsurvey
from cipsurvey.errors import InputFileError
from cipsurvey.io.readers import read_raw

LABEL = {"sv": "x", "en": "x"}
PROV = {"status": "reconstructed", "why": "test"}
MINI = {"id": "mini", "title": LABEL, "respondent_id": "rid", "items": [
    {"id": "rid", "type": "identifier", "role": "admin", "text": LABEL, "provenance": PROV},
    {"id": "used", "type": "yes_no", "text": {"sv": "Använt", "en": "Used"}, "provenance": PROV},
    {"id": "times", "type": "count", "range": {"min": 0, "max": 50},
     "text": {"sv": "Antal", "en": "Times"}, "provenance": PROV},
]}
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

used_cells = st.sampled_from(["1", "2", "Ja", "nej", "YES", " no ", "", "maybe", "3", "-9"])
times_cells = st.one_of(st.integers(-5, 80).map(str), st.sampled_from(
    ["", "ca 5", "2,5", "3.0", "5+", "fem", "-9", " 7 "]))
rows = st.lists(st.tuples(st.integers(0, 30).map(lambda i: f"r{i}" if i else ""),
                          used_cells, times_cells), min_size=1, max_size=25)


def expected_used(cell: str) -> float:
    return {"1": 1.0, "2": 2.0, "ja": 1.0, "nej": 2.0, "yes": 1.0, "no": 2.0}.get(
        cell.strip().lower(), math.nan)


def expected_times(cell: str) -> float:
    text = cell.strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return math.nan
    if not value.is_integer() or not 0 <= value <= 50:
        return math.nan
    return value


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    path = tmp_path_factory.mktemp("inst") / "mini.yaml"
    path.write_text(yaml.safe_dump(MINI), encoding="utf-8")
    return path


def check(survey, data: list[tuple[str, str, str]], file_rows: list[int]) -> None:
    acc = survey.account.files[0]
    assert acc.rows_read == len(data) == acc.rows_kept + acc.rows_excluded
    excluded = set(survey.account.exclusions["row"])
    kept = [(r, d) for r, d in zip(file_rows, data, strict=True) if r not in excluded]
    assert len(kept) == survey.n
    by_row = survey.data.set_index("source.row")
    problems = survey.problems
    for row, (_rid, used, times) in kept:
        got = by_row.loc[row]
        for col, cell, want in (("used", used, expected_used(used)),
                                ("times", times, expected_times(times))):
            value = got[col]
            if math.isnan(want):
                assert math.isnan(value), (col, cell, value)
                if cell.strip() and cell.strip() != "-9":
                    listed = problems[(problems["row"] == row) & (problems["item"] == col)]
                    assert len(listed) == 1, (col, cell)  # never a silent change
            else:
                assert value == want, (col, cell, value)
    for row in excluded:
        reason = survey.account.exclusions.set_index("row").loc[row, "reason"]
        assert isinstance(reason, str) and reason


@SETTINGS
@given(data=rows, delimiter=st.sampled_from([",", ";", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_csv_accounts_for_every_row(tmp_path_factory, mini, data, delimiter, encoding):
    path = tmp_path_factory.mktemp("csv") / "w.csv"
    lines = [delimiter.join(["rid", "used", "times"])]
    for rid, used, times in data:
        quote = (lambda s: f'"{s}"') if delimiter == "," else (lambda s: s)
        lines.append(delimiter.join([rid, used, quote(times)]))
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    survey = cipsurvey.read_survey(path, mini)
    check(survey, data, list(range(2, len(data) + 2)))


@SETTINGS
@given(data=rows)
def test_xlsx_accounts_for_every_row(tmp_path_factory, mini, data):
    from openpyxl import Workbook

    path = tmp_path_factory.mktemp("xlsx") / "w.xlsx"
    book = Workbook()
    book.active.append(["rid", "used", "times"])
    for row in data:
        book.active.append([v if v != "" else None for v in row])
    book.save(path)
    survey = cipsurvey.read_survey(path, mini)
    check(survey, data, list(range(2, len(data) + 2)))


@SETTINGS
@given(data=st.lists(st.tuples(st.integers(0, 30).map(lambda i: f"r{i}" if i else ""),
                               st.sampled_from([1.0, 2.0, 3.0, -9.0, math.nan]),
                               st.one_of(st.integers(-5, 80).map(float),
                                         st.just(math.nan), st.just(2.5))),
                     min_size=1, max_size=25))
def test_sav_accounts_for_every_row(tmp_path_factory, mini, data):
    path = tmp_path_factory.mktemp("sav") / "w.sav"
    frame = pd.DataFrame(data, columns=["rid", "used", "times"])
    pyreadstat.write_sav(frame, str(path), missing_ranges={"used": [-9.0]})
    survey = cipsurvey.read_survey(path, mini)
    as_text = [(r, "" if np.isnan(u) else f"{u:g}", "" if np.isnan(t) else f"{t:g}")
               for r, u, t in data]
    check(survey, as_text, list(range(1, len(data) + 1)))


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_any_bytes_are_read_as_a_table_or_refused_naming_the_file(tmp_path_factory, blob):
    """Random bytes: either a table whose every row has its record number and text cells,
    or one InputFileError that names the file (never another exception)."""
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_bytes(blob)
    try:
        table = read_raw(path)
    except InputFileError as error:
        assert error.location.file is not None and Path(error.location.file) == path
        assert str(path) in str(error) and error.message.strip()
        return
    assert len(table.frame) == len(table.rows) >= 1
    assert table.rows[0] >= 2 and (np.diff(table.rows) > 0).all()  # line 1 is the header
    assert table.frame.columns.is_unique and all(str(c) for c in table.frame.columns)
    assert set(table.short_rows) <= set(table.rows.tolist())
    assert all(isinstance(v, str) for col in table.frame for v in table.frame[col])


# cells without the candidate delimiters, quotes or line breaks; a header of distinct names
cell_text = st.text(alphabet="abcxyzåäöÅÄÖé0123456789 .-_/", max_size=8)
header_names = st.lists(st.text(alphabet="abcdefghåäö", min_size=1, max_size=6),
                        min_size=1, max_size=5, unique=True)


@SETTINGS
@given(header=header_names, body=st.data(), delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
       newline=st.sampled_from(["\n", "\r\n"]))
def test_a_delimited_grid_is_read_back_cell_for_cell(tmp_path_factory, header, body,
                                                       delimiter, encoding, newline):
    """Whatever its delimiter, encoding and line ends, a grid of text comes back as it was
    written: the same header, every cell's text (blank as ""), each row's record number."""
    grid = body.draw(st.lists(st.lists(cell_text, min_size=len(header), max_size=len(header)),
                              min_size=1, max_size=12)
                     .filter(lambda rows: any(c.strip() for r in rows for c in r)))
    path = tmp_path_factory.mktemp("grid") / "g.csv"
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in grid]
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    table = read_raw(path)
    assert list(table.frame.columns) == header
    assert table.frame.to_numpy().tolist() == grid
    assert table.rows.tolist() == list(range(2, len(grid) + 2))
