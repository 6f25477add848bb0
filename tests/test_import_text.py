"""CSV and Excel import: detection of encoding, delimiter and decimal mark; answer matching."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cipsurvey import read_survey
from cipsurvey.errors import InputFileError

from conftest import write_text

HEADER = ["resp_id", "gender", "age", "work_area", "ever_cip", "n_part_30d", "years_at_workplace"]


def rows_text(rows, delimiter=",", header=HEADER):
    lines = [delimiter.join(header)]
    lines += [delimiter.join(str(v) for v in r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("delimiter, name", [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_delimiters_are_detected(tmp_path, delimiter, name):
    rows = [[1, 1, 44, 1, 1, 2, 3], [2, 2, 51, 2, 2, "", 10]]
    path = write_text(tmp_path / "w.csv", rows_text(rows, delimiter))
    s = read_survey(path)
    assert s.account.files[0].details["delimiter"] == name
    assert s.data["age"].tolist() == [44.0, 51.0]
    assert s.data["work_area"].tolist() == [1.0, 2.0]


@pytest.mark.parametrize("encoding, bom, expected", [
    ("utf-8", False, "utf-8"), ("utf-8", True, "utf-8-sig"), ("cp1252", False, "cp1252"),
])
def test_encodings_are_detected_and_swedish_labels_match(tmp_path, encoding, bom, expected):
    rows = [[1, "Kvinna", "44,5", "Socialtjänst", "Ja", 2, "3,5"],
            [2, "man", 51, "Psykiatrisk vård", "nej", "", 10],
            [3, " KVINNA ", 38, "Beroendevård", "Ja", 0, 1]]
    path = write_text(tmp_path / "p.csv", rows_text(rows, ";"), encoding, bom)
    s = read_survey(path)
    d = s.account.files[0].details
    assert d["encoding"] == expected and d["delimiter"] == "semicolon" and d["decimal"] == "comma"
    assert s.data["gender"].tolist() == [1.0, 2.0, 1.0]
    assert s.data["work_area"].tolist() == [1.0, 2.0, 3.0]
    assert s.data["age"].tolist() == [44.5, 51.0, 38.0]
    assert s.data["years_at_workplace"].tolist() == [3.5, 10.0, 1.0]
    assert s.problems[s.problems.severity == "error"].empty


def test_english_labels_and_answer_names_match_too(tmp_path):
    rows = [[1, "Woman", 30, "social services", "YES", 1, 2],
            [2, "man", 40, "substance_use_treatment", "no", "", 2]]
    s = read_survey(write_text(tmp_path / "e.csv", rows_text(rows)))
    assert s.data["gender"].tolist() == [1.0, 2.0]
    assert s.data["work_area"].tolist() == [1.0, 3.0]
    assert s.data["ever_cip"].tolist() == [1.0, 2.0]


def test_columns_match_by_alias_and_question_text_in_either_language(tmp_path):
    header = ["ID", "Kön", "Age (years)", "Nuvarande verksamhetsområde",
              "Have you ever participated in the establishment of a CIP?"]
    rows = [[7, "Kvinna", 33, "Socialtjänst", "Ja"]]
    s = read_survey(write_text(tmp_path / "q.csv", rows_text(rows, ";", header)))
    assert s.account.files[0].columns_unknown == []
    assert s.data.loc[0, ["gender", "age", "work_area", "ever_cip"]].tolist() == [1, 33, 1, 1]
    assert s.data.loc[0, "resp_id"] == "7"


def test_overrides_win_over_detection(tmp_path):
    text = rows_text([[1, 1, "44,5", 1, 1, 2, 3]], ";")
    path = write_text(tmp_path / "o.csv", text, "cp1252")
    s = read_survey(path, encoding="latin-1", delimiter=";", decimal=",")
    assert s.account.files[0].details["encoding"] == "latin-1"
    with pytest.raises(InputFileError, match="fields where the header has"):
        read_survey(path, delimiter=",")  # with ',' the decimal comma splits the row


def test_decimal_comma_in_quoted_field_of_a_comma_file(tmp_path):
    text = 'resp_id,age,years_at_workplace\n1,"44,5","2,5"\n2,50,3\n'
    s = read_survey(write_text(tmp_path / "c.csv", text))
    assert s.data["age"].tolist() == [44.5, 50.0]
    assert s.data["years_at_workplace"].tolist() == [2.5, 3.0]


def test_several_files_form_one_wave_with_a_source_column(tmp_path):
    web = write_text(tmp_path / "web.csv", rows_text([[1, 1, 40, 1, 1, 1, 1],
                                                      [2, 2, 50, 2, 2, "", 2]]))
    paper = write_text(tmp_path / "paper.csv",
                       rows_text([[3, "Kvinna", 45, "Beroendevård", "Ja", 3, 4]], ";"),
                       "cp1252")
    s = read_survey([web, paper])
    assert s.n == 3
    assert s.data["source.file"].tolist() == [str(web), str(web), str(paper)]
    assert s.data["source.row"].tolist() == [2, 3, 2]
    assert [f.rows_read for f in s.account.files] == [2, 1]


def test_multiple_choice_as_option_columns_and_packed_cells(tmp_path):
    header = ["resp_id", "ever_cip", "partners_12m_social_services",
              "partners_12m_psychiatric_care", "partners_12m_primary_healthcare"]
    rows = [[1, "Ja", 1, "", ""], [2, "Ja", "", "", ""], [3, "Ja", "x", "Ja", "0"],
            [4, "Ja", "Socialtjänsten", "", ""]]
    s = read_survey(write_text(tmp_path / "m.csv", rows_text(rows, ";", header)))
    got = s.data[["partners_12m_social_services", "partners_12m_psychiatric_care",
                  "partners_12m_primary_healthcare"]]
    expected = np.array([[1, 0, 0], [np.nan, np.nan, np.nan], [1, 1, 0], [1, 0, 0]])
    np.testing.assert_array_equal(got.to_numpy(dtype=float), expected)
    # an option absent from the file is 'not selected' where the item was answered
    assert s.data["partners_12m_employment_services"].tolist()[0] != 1
    packed = write_text(tmp_path / "p.csv", rows_text(
        [[1, "Ja", "Socialtjänsten; Primärvården"], [2, "Ja", "2|3"], [3, "Ja", "Polisen"]], ",",
        ["resp_id", "ever_cip", "partners_12m"]))
    s = read_survey(packed)
    assert s.data.loc[0, "partners_12m_social_services"] == 1
    assert s.data.loc[0, "partners_12m_primary_healthcare"] == 1
    assert s.data.loc[0, "partners_12m_psychiatric_care"] == 0
    assert s.data.loc[1, ["partners_12m_psychiatric_care", "partners_12m_sut_services"]].tolist() \
        == [1, 1]
    bad = s.problems[s.problems.code == "unknown_code"]
    assert bad[["row", "value"]].values.tolist() == [[4, "Polisen"]]


def test_excel_with_title_rows_numbers_and_labels(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Svar"
    ws.append([])
    ws.append(["resp_id", "Kön", "age", "work_area", "response_date"])
    ws.append([1, "Kvinna", 44.0, "Socialtjänst", pd.Timestamp("2014-11-05").to_pydatetime()])
    ws.append([2, 2, "51", 3, "2015-03-02"])
    ws.append([3, "Man", "ca 40", "Okänd", "igår"])
    path = tmp_path / "paper.xlsx"
    book.save(path)
    s = read_survey(path)
    assert s.account.files[0].details == {"source": "table", "sheet": "Svar"}
    assert s.data["gender"].tolist() == [1.0, 2.0, 2.0]
    assert s.data["age"].tolist()[:2] == [44.0, 51.0]
    assert s.data["response_date"].iloc[0] == pd.Timestamp("2014-11-05")
    assert s.data["response_date"].iloc[1] == pd.Timestamp("2015-03-02")
    errs = s.problems[(s.problems.severity == "error") & s.problems.row.notna()]
    # rows are numbered as Excel shows them: header on row 2, answers from row 3
    assert sorted(errs[["row", "code"]].itertuples(index=False, name=None)) == [
        (5, "free_typed_number"), (5, "invalid_date"), (5, "unknown_code")]
