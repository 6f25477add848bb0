"""Issue 17's failure classes, one test each, on real exports (tests/corpus/exports) or on
the smallest file that shows the mechanism. Expected values come from the raw files, read
here with the csv module or pandas, or from the tool's documentation."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cipsurvey
from cipsurvey.errors import CipsurveyError, InputFileError
from cipsurvey.instrument import SOURCE_ROW
from cipsurvey.instrument import interchange as ic
from cipsurvey.io.readers import read_raw
from cipsurvey.wave.study import load_study

CORPUS = Path(__file__).parent / "corpus" / "exports"
MINI = CORPUS / "instruments" / "cip_mini.yaml"


def converted(definition: Path):
    reader = {".csv": ic.from_redcap, ".lss": ic.from_lss, ".qsf": ic.from_qsf}.get(
        definition.suffix, ic.from_xlsform)
    data, notes = reader(definition)
    return ic.build(data, definition), notes


def rows_of(path: Path, skip: int = 0, **kw) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, **kw)
        header = next(reader)
        body = list(reader)[skip:]
    return [dict(zip(header, r, strict=False)) for r in body if any(r)]


def same(got, want) -> bool:
    """Equal lists, missing equal to missing."""
    return pd.Series(list(got), dtype=float).equals(pd.Series(list(want), dtype=float))


def codes_of(survey, code: str) -> list[tuple[int, str]]:
    p = survey.problems
    p = p[p["code"] == code]
    return list(zip(p["row"].astype(int), p["column"], strict=True))


# ------------------------------------------------------------------ 1 rows never vanish


def test_a_row_whose_answers_are_all_unreadable_is_kept_with_its_problems(tmp_path, cli):
    # a Google Forms answer of a check box whose label has a comma, plus a typed "Other"
    path = tmp_path / "form.csv"
    path.write_text('Timestamp,Which partners took part?\n'
                    '2024/03/01 10:12:00 AM GMT+1,"Social work, adults"\n'
                    '2024/03/01 10:13:00 AM GMT+1,"School, preschool"\n', encoding="utf-8")
    wave = cipsurvey.read_survey(path, MINI)
    acc = wave.account.files[0]
    assert (acc.rows_read, acc.rows_kept, acc.rows_excluded) == (2, 2, 0)
    assert codes_of(wave, "unknown_code") == [(2, "Which partners took part?")]
    r = cli("validate", path, "--instrument", MINI)
    assert r.code == 1


def test_only_rows_without_any_raw_answer_are_excluded():
    # LimeSurvey: response 5 opened the survey and answered nothing: excluded; response 3
    # answered but never submitted: kept (and flagged partial)
    path = CORPUS / "limesurvey/replica_ls_codes.csv"
    inst, _ = converted(CORPUS / "limesurvey/replica_limesurvey_survey_845213.lss")
    wave = cipsurvey.read_survey(path, inst)
    raw = rows_of(path)
    meta = {"id", "submitdate", "lastpage", "startlanguage", "seed"}
    answered = [k for k, r in enumerate(raw) if any(v for c, v in r.items() if c not in meta)]
    assert wave.data[SOURCE_ROW].tolist() == [k + 2 for k in answered]
    excluded = wave.account.exclusions
    assert list(zip(excluded["row"], excluded["reason"], strict=True)) == [
        (k + 2, "no question answered") for k in range(len(raw)) if k not in answered]


# ------------------------------------------------------------------ 2 codes never shift


def test_xlsform_choice_names_that_are_numbers_keep_their_number():
    inst, _ = converted(CORPUS / "kobo/kobo_cip_numeric_names_xlsform.xlsx")
    assert [(c.code, c.name) for c in inst.item("ever_cip").choices] == [(1, "1"), (0, "0")]
    assert [(c.code, c.name) for c in inst.item("knows_template").choices] == \
        [(1, "1"), (0, "0"), (99, "99")]
    wave = cipsurvey.read_survey(CORPUS / "kobo/kobo_cip_numeric_names_xml_groups.csv", inst)
    raw = rows_of(CORPUS / "kobo/kobo_cip_numeric_names_xml_groups.csv", delimiter=";")
    kept = [r for r in raw if r["bakgrund/ever_cip"]]
    assert wave.data["ever_cip"].tolist() == [float(r["bakgrund/ever_cip"]) for r in kept]
    assert wave.data["knows_template"].tolist() == [float(r["knows_template"]) for r in kept]
    assert wave.problems.empty


def test_a_name_that_is_another_answers_code_is_refused_not_guessed(tmp_path):
    # what the old converter made of an XLSForm list named 0/1: codes by position
    inst = tmp_path / "i.yaml"
    inst.write_text(
        "schema_version: 1\nid: t\ntitle: {sv: t, en: t}\nitems:\n"
        "  - id: smoker\n    type: single_choice\n    text: {sv: Röker, en: Smokes}\n"
        "    choices:\n"
        "      - {code: 1, name: '0', label: {sv: Nej, en: 'No'}}\n"
        "      - {code: 2, name: '1', label: {sv: Ja, en: 'Yes'}}\n"
        "    provenance: {status: reconstructed, why: test}\n", encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("smoker\n1\n0\nJa\n", encoding="utf-8")
    wave = cipsurvey.read_survey(data, inst)
    assert codes_of(wave, "ambiguous_code") == [(2, "smoker")]
    assert wave.data["smoker"].tolist()[1:] == [1.0, 2.0]  # "0" names code 1; "Ja" is 2
    assert np.isnan(wave.data["smoker"].iat[0])


def test_redcap_yesno_and_truefalse_keep_redcaps_one_and_zero():
    inst, _ = converted(CORPUS / "redcap/redcapr_survey_dictionary.csv")
    assert {c.code: c.name for c in inst.item("pmq3").choices} == {1: "yes", 0: "no"}
    assert {c.code: c.name for c in inst.item("has_diabetes").choices} == {1: "true", 0: "false"}
    wave = cipsurvey.read_survey(CORPUS / "redcap/redcapr_survey_data.csv", inst)
    raw = rows_of(CORPUS / "redcap/redcapr_survey_data.csv")
    assert wave.data["has_diabetes"].tolist() == [float(r["has_diabetes"]) for r in raw]


def test_redcap_branching_on_a_zero_answer_converts(tmp_path):
    path = tmp_path / "dict.csv"
    path.write_text(
        '"Variable / Field Name","Form Name","Section Header","Field Type","Field Label",'
        '"Choices, Calculations, OR Slider Labels","Field Note",'
        '"Text Validation Type OR Show Slider Number","Text Validation Min",'
        '"Text Validation Max",Identifier?,"Branching Logic (Show field only if...)",'
        '"Required Field?","Custom Alignment","Question Number (surveys only)",'
        '"Matrix Group Name","Matrix Ranking?","Field Annotation"\n'
        'record_id,f,,text,ID,,,,,,,,,,,,,\n'
        'smoker,f,,yesno,Smokes?,,,,,,,,,,,,,\n'
        "quit_when,f,,text,When did you stop?,,,date_ymd,,,,[smoker] = '0',,,,,,\n",
        encoding="utf-8")
    inst, _ = converted(path)
    assert inst.item("quit_when").relevant == 'smoker == "no"'
    assert inst.item("quit_when").type.value == "date"
    assert inst.respondent_id == "record_id"


# ------------------------------------------------------------------ 3 REDCap


def test_redcap_date_ranges_are_listed_not_a_crash():
    inst, notes = converted(CORPUS / "redcap/redcapr_clinical_trial_1_dictionary.csv")
    assert inst.item("dob").type.value == "date" and inst.item("dob").range is None
    assert any(n.startswith("dob: validation range 1900-01-01") for n in notes)


@pytest.mark.parametrize("field, kind", [
    ("date_dmy_test", "date"), ("date_mdy_test", "date"), ("datetime_ymd_hms_test", "date"),
    ("number_1dp_test", "number"), ("number_2dp_comma_test", "number"),
    ("integer_test", "count"), ("email_test", "text")])
def test_redcap_validation_types_and_the_api_dictionary(field, kind):
    inst, _ = converted(CORPUS / "redcap/redcapapi_dictionary.csv")  # field_name,form_name,...
    assert inst.item(field).type.value == kind


def test_redcap_events_are_refused_together_and_read_one_at_a_time():
    inst, _ = converted(CORPUS / "redcap/redcapr_longitudinal_dictionary.csv")
    path = CORPUS / "redcap/redcapr_longitudinal_data.csv"
    with pytest.raises(InputFileError, match="holds 12 events"):
        cipsurvey.read_survey(path, inst)
    raw = rows_of(path)
    wave = cipsurvey.read_survey(path, inst, event="enrollment_arm_1")
    acc = wave.account.files[0]
    assert acc.rows_read == len(raw) and acc.rows_kept == sum(
        r["redcap_event_name"] == "enrollment_arm_1" for r in raw)
    assert wave.data["study_id"].tolist() == [r["study_id"] for r in raw
                                              if r["redcap_event_name"] == "enrollment_arm_1"]
    assert wave.account.exclusions["reason"].str.startswith("another REDCap event (").all()
    assert not wave.problems["code"].isin(["partial_response", "unknown_column"]).any() or \
        set(wave.problems.loc[wave.problems["code"] == "unknown_column", "column"]) <= {
            "patient_document", "specify_mood", "bmi", "bmi2"}


def test_redcap_events_become_the_waves_of_a_study(tmp_path):
    for name in ("redcapr_longitudinal_data.csv", "redcapr_longitudinal_dictionary.csv"):
        (tmp_path / name).write_bytes((CORPUS / "redcap" / name).read_bytes())
    data, _ = ic.from_redcap(tmp_path / "redcapr_longitudinal_dictionary.csv")
    import yaml

    (tmp_path / "inst.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / "study.yaml").write_text(
        "schema_version: 1\nid: s\ntitle: {sv: s, en: s}\n"
        f"instrument: {tmp_path / 'inst.yaml'}\n"
        "respondent_key: study_id\nwaves:\n"
        "  - {id: baseline, label: {sv: Bas, en: Base}, files: [redcapr_longitudinal_data.csv],"
        " event: enrollment_arm_1}\n"
        "  - {id: followup, label: {sv: Upp, en: Follow}, files: [redcapr_longitudinal_data.csv],"
        " event: final_visit_arm_1}\n", encoding="utf-8")
    study = load_study(tmp_path / "study.yaml")
    raw = rows_of(CORPUS / "redcap/redcapr_longitudinal_data.csv")
    for wave, event in (("baseline", "enrollment_arm_1"), ("followup", "final_visit_arm_1")):
        assert study.waves[wave].data["study_id"].tolist() == [
            r["study_id"] for r in raw if r["redcap_event_name"] == event]


def test_redcap_repeat_instances_are_rows_of_the_same_respondent():
    inst, _ = converted(CORPUS / "redcap/redcapr_repeating_instruments_dictionary.csv")
    wave = cipsurvey.read_survey(CORPUS / "redcap/redcapr_repeating_instruments_data.csv", inst)
    raw = rows_of(CORPUS / "redcap/redcapr_repeating_instruments_data.csv")
    assert wave.data["record_id"].tolist() == [r["record_id"] for r in raw]
    codes = set(wave.problems["code"])
    # no duplicate id (instances differ), no partial (an empty _complete: form not in row),
    # no unknown column (repeat and event columns are REDCap's own), no required gaps
    assert not codes & {"duplicate_id", "partial_response", "unknown_column",
                        "missing_required", "missing_but_relevant"}


def test_redcap_data_access_group_is_redcaps_own_column():
    inst, _ = converted(CORPUS / "redcap/redcapr_dag_dictionary.csv")
    wave = cipsurvey.read_survey(CORPUS / "redcap/redcapr_dag_data.csv", inst)
    acc = wave.account.files[0]
    assert "redcap_data_access_group" not in acc.columns_unknown
    assert "redcap_data_access_group (tool metadata)" in acc.columns_ignored


def test_redcap_numbers_without_a_leading_zero():
    inst, _ = converted(CORPUS / "redcap/redcapr_longitudinal_dictionary.csv")
    wave = cipsurvey.read_survey(CORPUS / "redcap/redcapr_longitudinal_data.csv", inst,
                                 event="visit_1_arm_1")
    raw = [r for r in rows_of(CORPUS / "redcap/redcapr_longitudinal_data.csv")
           if r["redcap_event_name"] == "visit_1_arm_1"]
    assert any(r["vbw1"].startswith(".") for r in raw)
    assert wave.data["vbw1"].tolist() == [float(r["vbw1"]) for r in raw]
    assert "free_typed_number" not in set(wave.problems["code"])


# ------------------------------------------------------------------ 4 LimeSurvey full text


def test_limesurvey_english_full_text_export_is_detected_and_partials_flagged():
    path = CORPUS / "limesurvey/limonaid_survey_998192_fulltext_en.csv"
    wave = cipsurvey.read_survey(path, CORPUS / "instruments/limonaid_998192.yaml")
    acc = wave.account.files[0]
    raw = rows_of(path)
    assert acc.details["source"] == "limesurvey"
    assert acc.partial == sum(r["Date submitted"] == "" for r in raw)
    assert "Date submitted (tool metadata)" in acc.columns_ignored
    got = wave.data.set_index("response_id")["gender"]
    codes = {"man": 1.0, "woman": 2.0, "-oth-": 3.0}  # "-oth-" is LimeSurvey's "other"
    answered = {r["Response ID"]: codes[r["How do you identify?"]] for r in raw
                if r["How do you identify?"]}
    assert "-oth-" in {r["How do you identify?"] for r in raw}
    assert {i: got[i] for i in answered} == answered


def test_limesurvey_repeated_headings_are_refused_only_when_read():
    # limonaid's export repeats dual-scale headings that no item reads: the file is read
    wave = cipsurvey.read_survey(CORPUS / "limesurvey/limonaid_survey_100001_fulltext_en.csv",
                                 CORPUS / "instruments/limonaid_100001.yaml")
    assert wave.account.files[0].rows_read == 4
    # two comment questions with the same text, both items of the survey: refused, with
    # what to export instead
    inst, _ = converted(CORPUS / "limesurvey/replica_limesurvey_survey_845213.lss")
    with pytest.raises(InputFileError, match="twice") as err:
        cipsurvey.read_survey(CORPUS / "limesurvey/replica_ls_fulltext_de.csv", inst)
    assert "question codes as headings" in err.value.render()


def test_limesurvey_german_answer_texts():
    data, _ = ic.from_lss(CORPUS / "limesurvey/replica_limesurvey_survey_845213.lss")
    data["items"] = [i for i in data["items"] if i["id"] not in ("g02q05", "g02q06")]
    inst = ic.build(data, CORPUS / "x.lss")
    path = CORPUS / "limesurvey/replica_ls_fulltext_de.csv"
    wave = cipsurvey.read_survey(path, inst)
    raw = rows_of(path)
    kept = [r for r in raw if any(v for k, v in r.items() if k not in (
        "Antwort ID", "Datum Abgeschickt", "Letzte Seite", "Start-Sprache",
        "Zufallsstartwert"))]
    ja_nein = {"Ja": 1.0, "Nein": 2.0, "": np.nan}
    assert same(wave.data["g01q02"], [ja_nein[r["Haben Sie an einem SIP mitgewirkt?"]]
                                      for r in kept])
    school = "Welche Partner waren beteiligt? [Schule]"
    assert same(wave.data["g01q04_sq001"], [
        {"Ja": 1.0, "Nein": 0.0, "": np.nan}[r[school]] for r in kept])
    # "Keine Antwort" is LimeSurvey's "no answer": missing, not an unreadable cell
    assert "Keine Antwort" in [r["Geschlecht"] for r in kept]
    assert wave.problems[wave.problems["severity"] == "error"].empty
    assert wave.account.files[0].partial == sum(r["Datum Abgeschickt"] == "" for r in raw)


def test_limesurvey_numbered_headings():
    inst, _ = converted(CORPUS / "limesurvey/replica_limesurvey_survey_845213.lss")
    data = inst.model_dump()
    data["items"] = [i for i in data["items"] if i["id"] not in ("g02q05", "g02q06")]
    wave = cipsurvey.read_survey(CORPUS / "limesurvey/replica_ls_fulltext_en_numbered.csv",
                                 ic.build(data, CORPUS / "x.lss"))
    acc = wave.account.files[0]
    assert acc.details["source"] == "limesurvey"
    assert acc.columns_unknown == ["Comment", "Comment (column 20)"]
    assert wave.data["g02q02"].tolist()[:2] == [1.0, 0.0]  # "Yes"/"No" of a 1/0/99 list


# ------------------------------------------------------------------ 5 Qualtrics


@pytest.mark.parametrize("name", ["qt_multiple_answer.csv", "qt_multiple_answer_insights.csv",
                                  "qt_no_basis_legacy.csv", "qt_no_basis_insights.csv",
                                  "qualtrics_r_sample_legacy.csv"])
def test_qualtrics_2016_and_legacy_layouts(name):
    path = CORPUS / "qualtrics" / name
    raw = read_raw(path)
    assert raw.details["source"] == "qualtrics"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        lines = [r for r in csv.reader(fh) if any(r)]
    ids = [r[0] for r in lines if r[0].startswith("R_")]
    assert raw.frame[raw.layout.response_id].tolist() == ids  # no header row as a respondent
    legacy = lines[0][:2] == ["V1", "V2"]
    assert any("legacy" in n for n in raw.layout.notes) == legacy  # said once, in the account


# Qualtrics' documented response types (tools.QUALTRICS_STATUS cites the page)
@pytest.mark.parametrize("status, kind", [
    ("0", "complete"), ("IP Address", "complete"), ("1", "test"), ("Survey Preview", "test"),
    ("2", "test"), ("Survey Test", "test"), ("4", "complete"), ("Imported", "complete"),
    ("8", "spam"), ("9", "spam"), ("12", "spam"), ("16", "complete"),
    ("17", "test"), ("32", "complete")])
def test_qualtrics_status_is_the_documented_response_type(tmp_path, status, kind):
    path = tmp_path / "q.csv"
    rows = [["StartDate", "Status", "Progress", "Finished", "ResponseId", "ever_cip"],
            ["Start Date", "Response Type", "Progress", "Finished", "Response ID", "CIP?"],
            ['{"ImportId":"startDate"}', '{"ImportId":"status"}', '{"ImportId":"progress"}',
             '{"ImportId":"finished"}', '{"ImportId":"_recordId"}', '{"ImportId":"QID1"}'],
            ["2024-03-01 10:00:00", status, "100", "1", "R_1", "1"]]
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    assert read_raw(path).layout.status.tolist() == [kind]


def test_qualtrics_response_id_is_read_when_the_instrument_names_it():
    path = CORPUS / "qualtrics/qualtrics_r_sample_de.csv"
    wave = cipsurvey.read_survey(path, CORPUS / "instruments/qualtrics_r_sample.yaml")
    raw = rows_of(path, skip=2)
    assert wave.data["response_id"].tolist() == [r["ResponseId"] for r in raw]


# ------------------------------------------------------------------ 6 SurveyMonkey


def test_surveymonkey_without_collector_id():
    path = CORPUS / "surveymonkey/replica_sm_no_collector.xlsx"
    wave = cipsurvey.read_survey(path, MINI)
    acc = wave.account.files[0]
    sheet = pd.read_excel(path, header=None, dtype=object, engine="calamine")
    assert acc.details["source"] == "surveymonkey"
    assert acc.rows_read == len(sheet) - 2  # the "Response" row is a header
    assert same(wave.data["area"], [
        {"Psychiatry": 2.0, "Social services": 1.0, "Addiction care": 3.0}.get(v, np.nan)
        for v in sheet.iloc[2:, 7]])


# ------------------------------------------------------------------ 7 KoboToolbox / ODK


def test_kobo_other_choice_beside_its_text_column():
    inst, _ = converted(CORPUS / "kobo/kobo_or_other_xlsform.xlsx")
    path = CORPUS / "kobo/kobo_or_other_xml_groups.csv"
    wave = cipsurvey.read_survey(path, inst)
    raw = rows_of(path, delimiter=";")
    assert wave.data["fav_emperors_other"].tolist() == [float(r["fav_emperors/other"])
                                                        for r in raw]
    assert wave.data["fav_emperors_other_text"].fillna("").tolist() == \
        [r["fav_emperors_other"] for r in raw]
    assert wave.data["fav_emperor"].tolist() == [
        {"other": 5.0, "augustus": 2.0}[r["fav_emperor"]] for r in raw]
    assert wave.problems[wave.problems["severity"] != "note"].empty


def test_kobo_legacy_na_and_a_repeated_submission():
    inst, _ = converted(CORPUS / "kobo/kobo_cip_numeric_names_xlsform.xlsx")
    path = CORPUS / "kobo/replica_kobocat_legacy_na.csv"
    wave = cipsurvey.read_survey(path, inst)
    raw = rows_of(path)
    assert "n/a" in {v for r in raw for v in r.values()}
    assert wave.problems[wave.problems["severity"] == "error"].empty
    uuids = [r["_uuid"] for r in raw]
    later = [k + 2 for k, u in enumerate(uuids) if u in uuids[:k]]
    assert codes_of(wave, "duplicate_response") == [(row, "_uuid") for row in later]


def test_old_xls_xlsform_in_the_old_syntax():
    inst, notes = converted(CORPUS / "kobo/pyxform_tutorial.xls")
    assert [c.name for c in inst.item("sex").choices] == ["male", "female"]
    assert inst.item("age_in_years").relevant.replace(" ", "") == 'older_than_five=="yes"'
    assert inst.item("age_in_months").range.max == 72
    assert any("repeat group" in n for n in notes)


def test_an_old_xls_workbook_is_read_as_a_table():
    # calamine (a Rust reader, not xlrd) reads the same sheet: the independent reading
    path = CORPUS / "kobo/pyxform_tutorial.xls"
    sheet = pd.read_excel(path, sheet_name=0, dtype=str, engine="calamine").fillna("")
    raw = read_raw(path)
    assert list(raw.frame.columns) == list(sheet.columns)
    assert raw.frame.map(lambda v: "" if v is None else str(v)).values.tolist() == \
        sheet.values.tolist()


def test_an_xlsform_without_questions_says_why(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "survey"
    book.active.append(["type", "name", "label"])
    book.active.append(["select one from nolist", "q", "Q?"])
    book.save(tmp_path / "f.xlsx")
    with pytest.raises(CipsurveyError, match="no question") as err:
        ic.from_xlsform(tmp_path / "f.xlsx")
    assert "nolist" in err.value.render()


# ------------------------------------------------------------------ 8 ids and exit codes


def test_import_exits_1_and_counts_the_problems(tmp_path, cli):
    out = tmp_path / "w.csv"
    r = cli("import", CORPUS / "google_forms/replica_gf_en.csv", "--instrument", MINI,
            "--to", out)
    assert r.code == 1
    assert "1 problem(s) found" in r.err
    assert out.exists()


def test_a_file_that_is_not_responses_says_what_to_export(tmp_path, cli):
    r = cli("validate", CORPUS / "qualtrics/qt_single_answer.qsf", "--instrument", MINI)
    assert r.code == 2 and "export the responses as CSV" in r.err
    zipped = tmp_path / "export.zip"
    zipped.write_bytes(b"PK\x03\x04")
    r = cli("validate", zipped, "--instrument", MINI)
    assert r.code == 2 and "unzip" in r.err


def test_columns_that_fit_nothing_say_what_to_export(tmp_path, cli):
    r = cli("validate", CORPUS / "qualtrics/qt_single_answer.csv", "--instrument",
            CORPUS / "instruments/limonaid_998192.yaml")
    assert r.code == 2
    assert "Qualtrics" in r.err and ".qsf" in r.err


def test_conversions_from_lss_and_qsf_on_the_command_line(tmp_path, cli):
    out = tmp_path / "i.yaml"
    r = cli("instrument", "convert", CORPUS / "qualtrics/qt_survey_logic.qsf", "--to",
            "cipsurvey", "--out", out)
    assert r.code == 0 and "not converted" in r.err
    assert cli("instrument", "check", out).code == 0
    r = cli("instrument", "convert", CORPUS / "limesurvey/jp_limesurvey_survey_222232.lss",
            "--to", "cipsurvey", "--out", tmp_path / "j.yaml")
    assert r.code == 0
