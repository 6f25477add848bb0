"""wave/names.py: a wave read from stored copies (the web page's uploads) is the wave that
``read_survey`` gives for the same files at paths equal to their names: the same data,
account, exclusions and problems, every message naming the file by its name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cipsurvey.demo.files import demo_files
from cipsurvey.errors import CipsurveyError
from cipsurvey.wave.names import read_named
from cipsurvey.wave.survey import read_survey

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "paper_forms.csv"


def _as_named(tmp_path: Path, monkeypatch, sources: list[Path], names: list[str]):
    """The wave read from copies under made-up paths, and read_survey's wave of the same
    files named as given (relative paths in the current folder)."""
    stored = tmp_path / "stored-7f3a"
    stored.mkdir()
    own = tmp_path / "own"
    own.mkdir()
    pairs = []
    for k, (src, name) in enumerate(zip(sources, names, strict=True), start=1):
        copy = stored / f"f{k}{src.suffix}"
        shutil.copyfile(src, copy)
        shutil.copyfile(src, own / name)
        pairs.append((copy, name))
    named = read_named(pairs, "kallmen2017")
    monkeypatch.chdir(own)
    direct = read_survey(names, "kallmen2017")
    return named, direct, stored


def _same(named, direct, stored: Path) -> None:
    pd.testing.assert_frame_equal(named.data, direct.data)
    pd.testing.assert_frame_equal(named.problems, direct.problems)
    pd.testing.assert_frame_equal(named.missing, direct.missing)
    a = json.dumps(named.account.as_dict(), default=str, sort_keys=True)
    b = json.dumps(direct.account.as_dict(), default=str, sort_keys=True)
    assert a == b
    assert str(stored) not in a
    assert not named.problems["message"].astype(str).str.contains(str(stored)).any()


def test_a_file_with_problems_reads_as_under_its_own_name(tmp_path, monkeypatch):
    # the typed-in paper forms: unreadable cells, a duplicate id (whose message names the
    # file and row of the first one), an empty row excluded with its reason
    named, direct, stored = _as_named(tmp_path, monkeypatch, [EXAMPLE], ["paper forms.csv"])
    _same(named, direct, stored)
    dup = named.problems[named.problems["code"] == "duplicate_id"]
    assert dup["message"].str.contains("paper forms.csv row 6").all(), dup["message"].tolist()
    assert named.account.exclusions["file"].tolist() == ["paper forms.csv"]


def test_two_files_of_one_wave_and_an_exact_duplicate_across_them(tmp_path, monkeypatch):
    # the same rows twice: each row of the second copy is an exact duplicate of the first
    # file's row, and its exclusion reason names that file (sorting follows the names)
    paper = demo_files("baseline")[1]
    named, direct, stored = _as_named(tmp_path, monkeypatch, [paper, EXAMPLE, paper],
                                      ["b_paper.csv", "a_forms.csv", "c_again.csv"])
    _same(named, direct, stored)
    reasons = named.account.exclusions
    assert reasons["reason"].str.contains("exact duplicate of b_paper.csv row").sum() == 63


def test_an_unreadable_file_is_refused_by_its_name(tmp_path):
    stored = tmp_path / "stored-91c2"
    stored.mkdir()
    broken = stored / "f1.sav"
    broken.write_bytes(demo_files("baseline")[0].read_bytes()[:300])  # a truncated .sav
    with pytest.raises(CipsurveyError) as info:
        read_named([(broken, "web answers.sav")], "kallmen2017")
    shown = info.value.render()
    assert shown.startswith("web answers.sav: ")
    assert str(stored) not in shown and "f1.sav" not in shown
    assert str(info.value) == shown
