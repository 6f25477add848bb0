"""SPSS .sav import (value labels, user-missing codes, encodings) and the PSPP round trip."""

from __future__ import annotations

import math

import pandas as pd
import pyreadstat
import pytest

from cipsurvey import read_survey
from cipsurvey.errors import InputFileError

from conftest import run_pspp
from pspp_csv import number, tables


def write_sav(path, inst, lang="sv"):
    """A web export as SPSS: codes with the instrument's labels, -9/-7 user-missing."""
    frame = pd.DataFrame({
        "resp_id": ["w1", "w2", "w3", "w4"],
        "gender": [1.0, 2.0, -9.0, 1.0],
        "age": [44.0, -9.0, 51.5, 99.0],
        "work_area": [1.0, 3.0, 2.0, 4.0],
        "ever_cip": [1.0, 2.0, 1.0, 1.0],
        "n_part_30d": [2.0, -7.0, 0.0, 5.0],
        "comments": ["Bra kurs", "", "Åsa: för lite tid", "=1+1"],
    })
    labels = {}
    for col in ("gender", "work_area", "ever_cip"):
        item = inst.item(col)
        labels[col] = {float(c.code): c.label.get(lang) for c in item.choices}
        labels[col].update({float(m.code): m.label.get(lang) for m in inst.missing})
    pyreadstat.write_sav(
        frame, str(path),
        column_labels=[inst.item(c).text.get(lang) for c in frame.columns],
        variable_value_labels=labels,
        # the file declares 99 missing for age although the instrument does not
        missing_ranges={"gender": [-9.0, -7.0], "age": [-9.0, 99.0], "n_part_30d": [-9.0, -7.0]},
    )
    return frame


def test_value_labels_and_user_missing_codes(tmp_path, inst):
    path = tmp_path / "web.sav"
    write_sav(path, inst)
    s = read_survey(path)
    assert s.account.files[0].format == "sav"
    assert s.data["gender"].tolist()[:2] == [1.0, 2.0] and math.isnan(s.data["gender"][2])
    assert math.isnan(s.data["age"][1]) and math.isnan(s.data["age"][3])
    assert s.data["age"][2] == 51.5
    recorded = {(r.row, r.column): r.code for r in s.missing.itertuples()}
    assert recorded == {(3, "gender"): -9, (2, "age"): -9, (4, "age"): 99.0,
                        (2, "n_part_30d"): -7}
    assert s.data["comments"].fillna("<NA>").tolist() == [
        "Bra kurs", "<NA>", "Åsa: för lite tid", "=1+1"]
    assert not (s.problems["code"] == "unknown_code").any()


def test_windows_1252_sav_written_by_pspp(tmp_path):
    syntax = """SET LOCALE='windows-1252'.
DATA LIST LIST /resp_id (A4) work_area (F1) comments (A30).
BEGIN DATA
"p1" 1 "Hälsa på"
"p2" 3 "Åsa öl"
END DATA.
VALUE LABELS work_area 1 'Socialtjänst' 3 'Beroendevård'.
VARIABLE LABELS work_area 'Verksamhetsområde'.
SAVE OUTFILE='cp1252.sav'.
"""
    run_pspp(syntax, tmp_path)
    s = read_survey(tmp_path / "cp1252.sav")
    assert s.account.files[0].details["encoding"].upper() == "WINDOWS-1252"
    assert s.data["comments"].str.strip().tolist() == ["Hälsa på", "Åsa öl"]
    assert s.data["work_area"].tolist() == [1.0, 3.0]


def test_truncated_sav_is_a_clear_error(tmp_path, inst):
    path = tmp_path / "web.sav"
    write_sav(path, inst)
    cut = tmp_path / "cut.sav"
    cut.write_bytes(path.read_bytes()[: 700])
    with pytest.raises(InputFileError) as info:
        read_survey(cut)
    assert "cut.sav" in str(info.value) and "truncated" in str(info.value)


def test_csv_named_sav_is_refused(tmp_path):
    path = tmp_path / "fake.sav"
    path.write_text("resp_id,age\n1,40\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="not an SPSS"):
        read_survey(path)


def _dictionary(csv_text):
    t = tables(csv_text)
    variables = {r[0]: r for r in t["Variables"][1:]}
    value_labels: dict[str, dict[float, str]] = {}
    current = None
    for row in t["Value Labels"][1:]:
        if row[0].startswith("Footnote"):
            continue
        if row[0]:
            current = row[0]
        value_labels.setdefault(current, {})[number(row[1])] = row[2]
    data = t["Data List"]
    return variables, value_labels, data


def test_round_trip_sav_through_cipsurvey_shows_the_same_in_pspp(tmp_path, inst, cli):
    src = tmp_path / "web.sav"
    write_sav(src, inst, lang="sv")
    out = tmp_path / "clean.sav"
    # import answers as validate does (0 clean, 1 problems found)
    assert cli("import", src, "-i", "kallmen2017", "--to", out, "--lang", "sv",
               "--keep-ids").code == cli("validate", src, "-i", "kallmen2017").code
    columns = ["gender", "age", "work_area", "ever_cip", "n_part_30d"]
    def syntax_for(f):
        return (f"GET FILE='{f}'.\nDISPLAY DICTIONARY /VARIABLES={' '.join(columns)}."
                      f"\nLIST /VARIABLES=resp_id {' '.join(columns)}.\n")
    before = _dictionary(run_pspp(syntax_for(src), tmp_path))
    after = _dictionary(run_pspp(syntax_for(out), tmp_path))
    vars_b, labels_b, data_b = before
    vars_a, labels_a, data_a = after
    for col in columns:
        assert vars_a[col][2] == vars_b[col][2], f"variable label of {col}"
    for col in ("gender", "work_area", "ever_cip"):
        label = vars_b[col][2]
        assert labels_a[label] == labels_b[label]
    def values(rows):  # as numbers: the export prints codes as F1.0, not F8.2
        return [[r[0], *[number(x) if x.strip() else None for x in r[1:]]] for r in rows[1:]]

    assert data_a[0] == data_b[0]
    assert values(data_a) == values(data_b)  # same values, the user-missing codes included
    assert vars_a["gender"][7] == "F2.0"  # codes 1-2 and the missing codes -9, -7
    assert vars_a["n_part_30d"][7].endswith(".0")
    # missing values: the instrument's -9/-7 are declared; so is the file's own 99 for age
    assert vars_a["gender"][-1] == "-9; -7"
    assert vars_a["age"][-1] == "-9; -7; 99"


def test_coding_into_the_readers_arrays_changes_nothing(tmp_path, inst, monkeypatch):
    """The .sav decoder hands its numeric arrays to the coding, which writes each column's
    codes into its array once the cells are read: the survey is the same as when every
    column is coded into a fresh array (problem values, user-missing codes, a blank row and
    a row of user-missing codes only included)."""
    from cipsurvey.io import readers

    frame = pd.DataFrame({
        "resp_id": ["w1", "w2", "w3", "w4", "", ""],
        "gender": [1.0, 2.0, -9.0, 7.0, float("nan"), -9.0],  # 7: no such code
        "age": [44.0, -9.0, 51.5, 99.0, float("nan"), -9.0],
        "work_area": [1.0, 3.0, 2.0, 4.0, float("nan"), -7.0],
        "n_part_30d": [2.0, -7.0, 0.0, 5.0, float("nan"), -7.0],
        "comments": ["Bra kurs", "", "x", "=1+1", "", ""],
    })
    path = tmp_path / "web.sav"
    pyreadstat.write_sav(frame, str(path), missing_ranges={
        c: [-9.0, -7.0] for c in ("gender", "age", "work_area", "n_part_30d")})
    assert set(readers.read_raw(path).scratch) >= {"gender", "age", "n_part_30d"}
    fast = read_survey(path)
    real = readers.read_sav_fast
    monkeypatch.setattr(readers, "read_sav_fast",
                        lambda path, meta, encoding, scratch=None: real(path, meta, encoding))
    fresh = read_survey(path)
    pd.testing.assert_frame_equal(fast.data, fresh.data)
    pd.testing.assert_frame_equal(fast.problems, fresh.problems)
    pd.testing.assert_frame_equal(fast.missing, fresh.missing)
    pd.testing.assert_frame_equal(fast.account.exclusions, fresh.account.exclusions)
    assert len(fast.account.exclusions) == 2  # the blank row, the row without an answer
    assert (fast.problems["value"] == "7.0").any()  # the problem shows the cell as read
