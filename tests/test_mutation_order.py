"""The hooks that order a mutant's tests under mutmut (tests/mutation_order.py), run in a
pytest of their own as mutmut runs them: a first pass with MUTANT_UNDER_TEST=stats, then a
session per mutant."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

CONFTEST = """
from mutation_order import (order_for_mutant, pytest_fixture_setup, pytest_runtest_logreport,
                            pytest_sessionfinish, use_mutmut_profile)
use_mutmut_profile()
def pytest_collection_modifyitems(config, items):
    order_for_mutant(config, items)
"""

TESTS = """
import time
import pytest
from hypothesis import Phase, settings

@pytest.fixture
def slow_wave():
    time.sleep(1.2)

@pytest.fixture(params=["cheap", "dear"])
def wave(request):
    time.sleep(0.6 if request.param == "dear" else 0)

def test_fixture_heavy(slow_wave):
    pass

def test_param(wave):
    pass

def test_call_heavy():
    time.sleep(0.2)

def test_profile():
    now = settings.default
    assert now.derandomize and now.deadline is None and now.database is None
    assert Phase.shrink not in now.phases and Phase.generate in now.phases
"""

GIVEN = ["test_x.py::test_fixture_heavy", "test_x.py::test_param[dear]",
         "test_x.py::test_call_heavy", "test_x.py::test_param[cheap]"]


def run(folder: Path, phase: str | None, *ids: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "MUTANT_UNDER_TEST"}
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    if phase is not None:
        env["MUTANT_UNDER_TEST"] = phase
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-v",
               "--rootdir", str(folder), "-c", os.devnull, *ids]
    proc = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return re.findall(r"(test_x\.py::\S+) PASSED", proc.stdout)


def test_a_mutant_runs_its_tests_cheapest_first_counting_fixtures(tmp_path):
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_x.py").write_text(TESTS)
    costs = tmp_path / "mutmut-test-costs.json"

    assert run(tmp_path, None, *GIVEN) == GIVEN  # outside mutmut: nothing changes
    assert not costs.exists()

    run(tmp_path, "stats")  # mutmut's first pass times calls and fixtures
    assert costs.exists()
    # mutmut alone would order by call time: the two fixture-heavy tests first
    assert run(tmp_path, "cipsurvey.stats.x_f__mutmut_1", *GIVEN) == [
        "test_x.py::test_param[cheap]", "test_x.py::test_call_heavy",
        "test_x.py::test_param[dear]", "test_x.py::test_fixture_heavy"]
    # the profile: the only test that fails outside mutmut's phases
    assert run(tmp_path, "cipsurvey.stats.x_f__mutmut_1", "test_x.py::test_profile") == [
        "test_x.py::test_profile"]
