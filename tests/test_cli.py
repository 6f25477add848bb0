"""The command line: exit codes 0/1/2, one clear line per unusable input, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml

from conftest import write_text

MINI = {
    "id": "mini", "title": {"sv": "Mini", "en": "Mini"}, "respondent_id": "rid",
    "items": [
        {"id": "rid", "type": "identifier", "role": "admin", "text": {"sv": "id", "en": "id"},
         "provenance": {"status": "reconstructed", "why": "test"}},
        {"id": "used", "type": "yes_no", "text": {"sv": "Använt?", "en": "Used?"},
         "provenance": {"status": "reconstructed", "why": "test"}},
        {"id": "times", "type": "count", "range": {"min": 0, "max": 20},
         "relevant": 'used == "yes"', "text": {"sv": "Antal", "en": "Times"},
         "provenance": {"status": "reconstructed", "why": "test"}},
    ],
}


@pytest.fixture
def mini(tmp_path):
    p = tmp_path / "mini.yaml"
    p.write_text(yaml.safe_dump(MINI, allow_unicode=True), encoding="utf-8")
    return p


def test_validate_exit_codes_clean_problems_unusable(tmp_path, mini, cli):
    clean = write_text(tmp_path / "clean.csv", "rid;used;times\n1;Ja;3\n2;Nej;\n")
    r = cli("validate", clean, "--instrument", mini)
    assert r.code == 0, r.out + r.err
    assert "clean" in r.out
    dirty = write_text(tmp_path / "dirty.csv", "rid;used;times\n1;Ja;ca 3\n2;Nej;4\n")
    problems = tmp_path / "problems.csv"
    r = cli("validate", dirty, "--instrument", mini, "--problems", problems)
    assert r.code == 1
    listed = pd.read_csv(problems)
    assert sorted(listed["code"]) == ["answered_but_skipped", "free_typed_number"]
    assert set(listed["row"]) == {2, 3}
    r = cli("validate", tmp_path / "nope.csv", "--instrument", mini)
    assert r.code == 2 and "nope.csv: file not found" in r.err


def test_validate_json_matches_the_library(tmp_path, mini, cli):
    from cipsurvey import read_survey

    dirty = write_text(tmp_path / "dirty.csv", "rid,used,times\n1,yes,99\n")
    r = cli("validate", dirty, "--instrument", mini, "--json")
    payload = json.loads(r.out)
    lib = read_survey(dirty, mini)
    assert payload["clean"] is False and r.code == 1
    assert [p["code"] for p in payload["problems"]] == lib.problems["code"].tolist()
    assert payload["account"]["rows_read"] == lib.account.rows_read == 1


def junk_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    header_only = write_text(tmp_path / "header.csv", "rid;used;times\n")
    binary = tmp_path / "junk.csv"
    binary.write_bytes(bytes(range(256)) * 20)
    xlsx_named_csv = tmp_path / "book.csv"
    xlsx_named_csv.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    unfit = write_text(tmp_path / "other.csv", "colour,size\nred,3\n")
    sav = tmp_path / "ok.sav"
    pyreadstat.write_sav(pd.DataFrame({"rid": ["a"] * 50, "used": [1.0] * 50}), str(sav))
    truncated = tmp_path / "truncated.sav"
    truncated.write_bytes(sav.read_bytes()[:300])
    bad_quote = write_text(tmp_path / "quote.csv", 'rid,used\n1,"yes\n2,no\n3,yes,extra\n')
    long_row = write_text(tmp_path / "long.csv", "rid,used\n1,yes\n2,no\n3,yes,extra\n")
    return {
        "empty": (empty, "empty.csv: the file is empty"),
        "header only": (header_only, "header.csv: the file has a header but no data rows"),
        "binary": (binary, "junk.csv: this is not a text file"),
        "xlsx named csv": (xlsx_named_csv,
                           "book.csv: this is not a text file: it looks like a zip"),
        "does not fit": (unfit, "other.csv, row 1: the file does not fit the instrument"),
        "truncated sav": (truncated, "truncated.sav: cannot read the SPSS file"),
        "bad quote": (bad_quote, "quote.csv, line 2: a quoted field that starts on this line "
                                 "is never closed"),
        "long row": (long_row, "long.csv, line 4: this line has 3 fields where the header has 2"),
    }


@pytest.mark.parametrize("case", ["empty", "header only", "binary", "xlsx named csv",
                                  "does not fit", "truncated sav", "bad quote", "long row"])
def test_unusable_files_give_one_clear_error_and_exit_2(tmp_path, mini, cli, case):
    path, message = junk_cases(tmp_path)[case]
    for command in (["validate", path], ["import", path, "--to", tmp_path / "out.csv"]):
        r = cli(*command, "--instrument", mini)
        assert r.code == 2, (case, r.out, r.err)
        assert r.err.startswith("error: ") and message in r.err, r.err
        assert "Traceback" not in r.err + r.out
    assert not (tmp_path / "out.csv").exists()


def test_no_traceback_from_the_real_console_script_but_debug_shows_one(tmp_path, mini):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    base = [sys.executable, "-m", "cipsurvey.cli.app"]
    plain = subprocess.run([*base, "validate", str(empty), "-i", str(mini)],
                           capture_output=True, text=True)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    assert plain.stderr.strip().startswith("error:")
    debug = subprocess.run([*base, "validate", str(empty), "-i", str(mini), "--debug"],
                           capture_output=True, text=True)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_import_writes_each_format_and_never_overwrites_an_input(tmp_path, mini, cli):
    src = write_text(tmp_path / "w.csv", "rid;used;times\n1;Ja;3\n2;Nej;\n3;Ja;=2+5\n")
    for ext in ("sav", "csv", "parquet"):
        out = tmp_path / f"clean.{ext}"
        r = cli("import", src, "--instrument", mini, "--to", out)
        # written, and exit 1 as validate answers: "=2+5" is not a number
        assert r.code == 1 and out.exists(), r.err
        assert "1 problem(s) found" in r.err
    back = pd.read_csv(tmp_path / "clean.csv")
    assert back["used"].tolist() == [1, 2, 1]
    assert back["times"].iloc[0] == 3 and pd.isna(back["times"].iloc[2])
    _frame, meta = pyreadstat.read_sav(str(tmp_path / "clean.sav"))
    assert meta.variable_value_labels["used"] == {1.0: "Yes", 2.0: "No"}
    assert pd.read_parquet(tmp_path / "clean.parquet")["times"].iloc[0] == 3
    before = src.read_bytes()
    r = cli("import", src, "--instrument", mini, "--to", src, "--force")
    assert r.code == 2 and "refusing to overwrite an input" in r.err
    assert src.read_bytes() == before
    r = cli("import", src, "--instrument", mini, "--to", tmp_path / "clean.csv")
    assert r.code == 2 and "exists already" in r.err
    assert cli("import", src, "--instrument", mini, "--to", tmp_path / "clean.csv",
               "--force").code == 1  # (written; "=2+5" is a problem)


def test_csv_output_neutralises_formulas(tmp_path, cli):
    inst = dict(MINI)
    inst["items"] = [*MINI["items"], {"id": "note", "type": "text",
                                      "text": {"sv": "Övrigt", "en": "Other"},
                                      "provenance": {"status": "reconstructed", "why": "test"}}]
    path = tmp_path / "i.yaml"
    path.write_text(yaml.safe_dump(inst, allow_unicode=True), encoding="utf-8")
    src = write_text(tmp_path / "w.csv", "rid,used,note\n1,yes,=HYPERLINK(\"x\")\n2,no,@SUM(1)\n")
    out = tmp_path / "o.csv"
    # import answers as validate does: 0 clean, 1 problems found
    assert cli("import", src, "-i", path, "--to", out).code == cli("validate", src, "-i",
                                                                    path).code
    notes = pd.read_csv(out)["note"].tolist()
    assert notes == ["'=HYPERLINK(\"x\")", "'@SUM(1)"]


def test_help_lists_the_commands(cli):
    r = cli("--help")
    assert r.code == 0
    for command in ("validate", "import", "codebook", "instrument"):
        assert command in r.out
