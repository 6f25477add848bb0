"""Every validation rule, and the row account: read = kept + excluded, with reasons."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st_

from cipsurvey import read_survey

from conftest import write_text


def survey_from(tmp_path, header, rows, name="w.csv"):
    text = "\n".join([",".join(header)] + [",".join(str(v) for v in r) for r in rows]) + "\n"
    return read_survey(write_text(tmp_path / name, text))


def codes_at(s, code):
    p = s.problems[s.problems.code == code]
    return sorted(zip(p["row"].astype(int), p["column"], strict=True))


def test_unknown_and_missing_columns(tmp_path):
    s = survey_from(tmp_path, ["resp_id", "age", "shoe_size"], [[1, 40, 44]])
    assert codes_at(s, "unknown_column") == [(1, "shoe_size")]
    missing = s.problems[s.problems.code == "missing_column"].set_index("column")
    assert missing.loc["ever_cip", "severity"] == "error"  # required
    assert missing.loc["gender", "severity"] == "warning"
    assert missing.loc["course_occasion", "severity"] == "note"  # administrative
    assert not s.is_clean()


def test_unknown_codes_and_out_of_range_values_become_missing_and_listed(tmp_path):
    s = survey_from(tmp_path, ["resp_id", "gender", "age", "ever_cip", "n_part_30d"],
                    [[1, 3, 17, 1, 101], [2, "Kvinna", 76, 1, 2], [3, 2, 30, "kanske", 1]])
    assert codes_at(s, "unknown_code") == [(2, "gender"), (4, "ever_cip")]
    assert codes_at(s, "out_of_range") == [(2, "age"), (2, "n_part_30d"), (3, "age")]
    assert s.data["gender"].isna().tolist() == [True, False, False]
    assert s.data["age"].isna().tolist() == [True, True, False]
    values = s.problems.set_index(["row", "column"])["value"]
    assert values[(2, "gender")] == "3" and values[(3, "age")] == "76"


def test_free_typed_numbers_are_flagged_never_guessed(tmp_path):
    typed = ["ca 5", "3-4", "5+", "ungefär 10", ">2", "fem", '"2,5"']
    rows = [[i, 1, v] for i, v in enumerate(typed, start=1)]
    s = survey_from(tmp_path, ["resp_id", "ever_cip", "n_part_30d"], rows)
    free = s.problems[s.problems.column == "n_part_30d"].set_index("value")["code"]
    assert free.to_dict() == {
        "ca 5": "free_typed_number", "3-4": "free_typed_number", "5+": "free_typed_number",
        "ungefär 10": "free_typed_number", ">2": "free_typed_number", "fem": "not_a_number",
        "2,5": "not_integer",  # a decimal comma is read, but a count must be whole
    }
    assert s.data["n_part_30d"].isna().all()


def test_filter_violations_both_ways(tmp_path):
    header = ["resp_id", "ever_cip", "n_part_30d", "template_exists", "tc_housing"]
    rows = [
        [1, 2, 3, "", ""],        # said never, yet gave a count: answered_but_skipped
        [2, 1, "", 1, ""],        # asked but left blank: missing_but_relevant (notes)
        [3, 1, 2, 3, 1],          # template 'not aware', yet answered a content item
        [4, "", 4, "", ""],       # filter unanswered: neither demanded nor forbidden
    ]
    s = survey_from(tmp_path, header, rows)
    assert codes_at(s, "answered_but_skipped") == [(2, "n_part_30d"), (4, "tc_housing")]
    gaps = s.problems[s.problems.code == "missing_but_relevant"]
    assert set(gaps["severity"]) == {"note"}
    assert sorted(zip(gaps["row"], gaps["column"], strict=True)) == [
        (3, "n_part_30d"), (3, "tc_housing")]
    # the answers are kept as given: validation reports, it does not rewrite
    assert s.data["n_part_30d"].tolist()[0] == 3


def test_duplicate_ids_empty_rows_and_exact_duplicates(tmp_path):
    header = ["resp_id", "gender", "ever_cip"]
    rows = [[1, 1, 1], ["", "", ""], [2, 2, 2], [2, 1, 2], [1, 1, 1], ["9", "", ""]]
    s = survey_from(tmp_path, header, rows)
    acc = s.account
    assert (acc.rows_read, acc.rows_kept, acc.rows_excluded) == (6, 3, 3)
    reasons = {(r.row, r.reason) for r in acc.exclusions.itertuples()}
    assert reasons == {(3, "empty row"), (6, f"exact duplicate of {tmp_path / 'w.csv'} row 2"),
                       (7, "no question answered")}
    assert codes_at(s, "duplicate_id") == [(5, "resp_id")]
    assert s.data["resp_id"].tolist() == ["1", "2", "2"]


def test_account_balances_for_every_file(tmp_path):
    a = survey_from(tmp_path, ["resp_id", "gender"], [[1, 1], ["", ""], [2, 2]], "a.csv")
    b_text = "resp_id;gender\n3;Man\n;\n"
    b = write_text(tmp_path / "b.csv", b_text)
    s = read_survey([tmp_path / "a.csv", b])
    for f in s.account.files:
        assert f.rows_read == f.rows_kept + f.rows_excluded
    assert s.account.rows_kept == s.n == 3
    assert a.account.rows_read == 3
    table = s.account.table()
    assert table[["rows_read", "rows_kept", "rows_excluded"]].values.tolist() == [[3, 2, 1],
                                                                                   [2, 1, 1]]


def test_user_missing_labels_typed_in_text_files(tmp_path):
    s = survey_from(tmp_path, ["resp_id", "gender", "age", "ever_cip"],
                    [[1, "Ej besvarad", -9, 1], [2, "Not answered", 40, 2]])
    assert s.data["gender"].isna().all()
    assert math.isnan(s.data["age"][0])
    assert sorted(s.missing["code"].tolist()) == [-9, -9, -9]
    assert not (s.problems["code"] == "unknown_code").any()


def test_derived_variables(tmp_path):
    header = ["resp_id", "age", "ever_cip", "abstained_6m", "abstain_reasons_lack_of_time",
              "abstain_reasons_other", "template_exists", "tc_housing", "tc_occupation"]
    rows = [[1, 29.9, 1, 1, 1, "", 1, 1, 3], [2, 30, 1, 1, 0, 0, 1, 2, 2],
            [3, 60, 1, 2, "", "", 1, "", ""]]
    s = survey_from(tmp_path, header, rows)
    assert s.data["age_group"].tolist() == [1.0, 2.0, 5.0]
    assert s.data["abstained_any_reason"].iloc[:2].tolist() == [1.0, 2.0]
    assert pd.isna(s.data["abstained_any_reason"].iloc[2])
    assert s.data["template_contents_yes"].iloc[:2].tolist() == [1.0, 0.0]
    assert pd.isna(s.data["template_contents_yes"].iloc[2])  # no content item answered
    labelled = s.labelled("sv")
    assert labelled["age_group"].tolist()[0] == "Under 30 år"


def test_reading_in_two_threads_changes_nothing(monkeypatch):
    """Columns coded in two threads, and the filter checks beside the derived variables."""
    from cipsurvey import parallel
    from cipsurvey.demo.files import demo_files

    files = demo_files()
    monkeypatch.setattr(parallel, "THREADS_FROM", 10**9)
    one = read_survey(files)
    monkeypatch.setattr(parallel, "THREADS_FROM", 0)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    two = read_survey(files)
    pd.testing.assert_frame_equal(one.data, two.data)
    pd.testing.assert_frame_equal(one.problems, two.problems)
    pd.testing.assert_frame_equal(one.missing, two.missing)
    assert one.account.as_dict() == two.account.as_dict()


@settings(max_examples=200, deadline=None)
@given(st_.lists(st_.sampled_from(["a", "b", "c", "d", None]), min_size=1, max_size=40))
def test_id_repeats_are_pandas_duplicated(values):
    from cipsurvey.wave.validate import id_codes, later_repeats, repeats

    ids = pd.Series(values, dtype=object)
    codes = id_codes(pd.DataFrame({"id": ids}), "id")
    if ids.isna().all():
        assert codes is None
        return
    assert repeats(codes).tolist() == (ids.notna() & ids.duplicated(keep=False)).tolist()
    assert later_repeats(codes).tolist() == (ids.notna() & ids.duplicated()).tolist()


TEXT = st_.sampled_from([None, "", " ", "\t ", "x", " a "])
MIXED = st_.sampled_from([None, float("nan"), 1.0, "", "  ", "b"])
NUMBER = st_.sampled_from([float("nan"), 0.0, 2.5])


@settings(max_examples=200, deadline=None)
@given(st_.lists(st_.tuples(TEXT, NUMBER, MIXED, TEXT), min_size=1, max_size=25))
def test_blank_rows_are_the_rows_without_any_cell(rows):
    from cipsurvey.wave.survey import _blank_rows

    frame = pd.DataFrame({
        "t": pd.Series([r[0] for r in rows], dtype="str"),
        "n": pd.Series([r[1] for r in rows], dtype=float),
        "m": pd.Series([r[2] for r in rows], dtype=object),
        "u": pd.Series([r[3] for r in rows], dtype=object),
    })

    def empty(value: object) -> bool:  # the obvious way, cell by cell
        return value is None or (isinstance(value, float) and math.isnan(value)) or (
            isinstance(value, str) and value.strip() == "")

    expected = [all(empty(v) for v in row) for row in rows]
    assert _blank_rows(frame).tolist() == expected
