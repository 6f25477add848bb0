"""Table names and problem records, each written once (analysis/tables.py, wave/problems.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from cipsurvey.analysis import tables
from cipsurvey.report.protect.apply import GROUP_TABLES, RANK_TABLES
from cipsurvey.report.publication import SHAPED
from cipsurvey.wave.problems import PROBLEM_COLUMNS, problem, problem_frame

PACKAGE = Path(__file__).resolve().parents[1] / "cipsurvey"
NAMES = {v for k, v in vars(tables).items() if k.isupper()}


def test_table_names_are_distinct_and_every_renderer_uses_known_ones():
    constants = [k for k in vars(tables) if k.isupper()]
    assert len(NAMES) == len(constants)
    assert set(SHAPED) <= NAMES
    assert set(GROUP_TABLES) | set(RANK_TABLES) <= NAMES


def test_no_table_looked_up_by_a_bare_string():
    """``result.tables["describe"]`` anywhere in the package: use ``tables.DESCRIBE``."""
    bad = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
                    and node.value.attr == "tables" and isinstance(node.slice, ast.Constant)):
                bad.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not bad, bad


def test_a_problem_record_has_the_eight_columns_in_order():
    rec = problem(file="a.csv", row=3, severity="error", code="unknown_code", message="m",
                  column="q1", item="q1", value="7")
    assert list(rec) == PROBLEM_COLUMNS
    whole_file = problem(file="a.csv", row=None, severity="note", code="c", message="m")
    frame = problem_frame([whole_file, rec])
    assert list(frame.columns) == PROBLEM_COLUMNS
    assert frame["severity"].tolist() == ["error", "note"]  # errors first
    assert frame["row"].dtype == pd.Int64Dtype() and pd.isna(frame["row"].iloc[1])


def test_a_problem_of_unknown_severity_is_refused():
    with pytest.raises(ValueError, match="severity"):
        problem(file="a.csv", row=1, severity="fatal", code="c", message="m")
