"""Pytest hooks used only under mutmut (docs/testing.md, "Mutation testing").

mutmut runs each mutant's tests in a fresh, forked pytest session and stops at the first
failure. It orders them by the call time it measured in its first pass over the selection
(``MUTANT_UNDER_TEST=stats``), cheapest first. A test's call time leaves out its fixtures,
and in a fresh session the first test that asks for a fixture pays for it: a demo wave built
for a test whose call takes 50 ms costs about a second on every mutant whose tests reach it.
So in that first pass these hooks also time every fixture's setup, and in each mutant's
session they order the tests by call time plus the setup of every fixture in the test's
closure. The order only decides how soon a killing test runs; which tests run, and so every
verdict, stays mutmut's.

Hypothesis runs derandomized (the same examples for every mutant, so a verdict can be
repeated), without a database, shrinking or deadlines: a mutant is killed by the first failing
example, shrinking it only makes the report shorter, and a slow example is not a wrong answer.

Outside mutmut (``MUTANT_UNDER_TEST`` unset) nothing here does anything.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from hypothesis import Phase, settings

COSTS_FILE = "mutmut-test-costs.json"
_measured: dict[str, dict[str, float]] = {"calls": {}, "fixtures": {}}


def _phase() -> str | None:
    return os.environ.get("MUTANT_UNDER_TEST")


def _first_pass() -> bool:
    return _phase() == "stats"


def _mutant_run() -> bool:
    return "__mutmut_" in (_phase() or "")


def use_mutmut_profile() -> None:
    """Load the Hypothesis profile for mutant runs, when mutmut runs the tests."""
    if _phase() is None:
        return
    settings.register_profile("mutmut", derandomize=True, database=None, deadline=None,
                              phases=(Phase.explicit, Phase.generate, Phase.target))
    settings.load_profile("mutmut")


def fixture_key(name: str, index: int | None) -> str:
    """A fixture's name, with the index of its parameter when it is parametrised."""
    return name if index is None else f"{name}#{index}"


def startup_cost(nodeid: str, fixtures: Iterable[str], indices: Mapping[str, int],
              costs: Mapping[str, Mapping[str, float]]) -> float:
    """Seconds a test takes as the first test of a fresh session: its call plus the setup of
    every fixture it uses. A test the first pass did not time costs infinity (runs last)."""
    call = costs["calls"].get(nodeid)
    if call is None:
        return math.inf
    setup = costs["fixtures"]
    return call + sum(setup.get(fixture_key(name, indices.get(name)), 0.0) for name in fixtures)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if not _first_pass():
        return (yield)
    start = time.perf_counter()
    try:
        return (yield)
    finally:
        index = request.param_index if hasattr(request, "param") else None
        key = fixture_key(fixturedef.argname, index)
        spent = time.perf_counter() - start
        _measured["fixtures"][key] = max(spent, _measured["fixtures"].get(key, 0.0))


def pytest_runtest_logreport(report) -> None:
    if _first_pass() and report.when == "call":
        _measured["calls"][report.nodeid] = report.duration


def pytest_sessionfinish(session) -> None:
    if not _first_pass():
        return
    path = Path(session.config.rootpath) / COSTS_FILE
    known = json.loads(path.read_text()) if path.exists() else {"calls": {}, "fixtures": {}}
    for part in ("calls", "fixtures"):
        known[part].update(_measured[part])
    path.write_text(json.dumps(known))


def order_for_mutant(config, items: list) -> None:
    """In a mutant's session, sort the items by `startup_cost` (stable for equal costs)."""
    if not _mutant_run():
        return
    path = Path(config.rootpath) / COSTS_FILE
    if not path.exists():
        return
    costs = json.loads(path.read_text())

    def cost(item) -> float:
        indices = item.callspec.indices if hasattr(item, "callspec") else {}
        return startup_cost(item.nodeid, item.fixturenames, indices, costs)

    items.sort(key=cost)
