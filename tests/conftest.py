"""Shared helpers: every test writes the small files it needs into its own tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from mutation_order import (  # hooks that act only under mutmut
    order_for_mutant,
    pytest_fixture_setup,  # noqa: F401
    pytest_runtest_logreport,  # noqa: F401
    pytest_sessionfinish,  # noqa: F401
    use_mutmut_profile,
)

from cipsurvey.cli.app import main
from cipsurvey.instrument import load_instrument

IN_CI = bool(os.environ.get("CI"))
use_mutmut_profile()  # only under mutmut: tests/mutation_order.py


@pytest.fixture(autouse=True)
def _private_key_file(tmp_path, monkeypatch):
    """Tests never touch the user's ~/.cipsurvey/key."""
    monkeypatch.setenv("CIPSURVEY_KEY_FILE", str(tmp_path / "cipsurvey.key"))


@pytest.fixture(scope="session")
def inst():
    return load_instrument("kallmen2017")


def write_text(path: Path, text: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    data = text.encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process and capture its exit code and output."""

    def run(*args: str) -> CliResult:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def require_pspp() -> str:
    """Path of the pspp binary; skipped locally without it, a failure in CI."""
    exe = shutil.which("pspp")
    if exe is None:
        if IN_CI:
            pytest.fail("GNU PSPP is not installed; .ci/run must install it")
        pytest.skip("GNU PSPP not installed")
    return exe


def run_pspp(syntax: str, workdir: Path) -> str:
    """Run PSPP syntax in batch and return its CSV output."""
    exe = require_pspp()
    job = workdir / "job.sps"
    job.write_text(syntax, encoding="utf-8")
    out = workdir / "out.csv"
    proc = subprocess.run([exe, "-O", "format=csv", "-o", str(out), str(job)],
                          capture_output=True, text=True, cwd=workdir, timeout=120)
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if proc.returncode != 0:
        raise AssertionError(f"pspp failed ({proc.returncode}): {proc.stderr}\n{text}")
    return text


REPORTS = [("report", "en"), ("report", "sv"), ("compare", "en"), ("compare", "sv")]


@pytest.fixture(scope="session")
def reports(tmp_path_factory):
    """The demo report and the comparison report in English and Swedish, written once by
    the command line as a user would: {(command, lang): folder}."""
    given = os.environ.get("CIPSURVEY_TEST_REPORTS")
    if given:  # reports written elsewhere (by another version, to see what its tests say)
        return {(command, lang): Path(given) / f"{command}-{lang}" for command, lang in REPORTS}
    root = tmp_path_factory.mktemp("reports")
    made = {}
    for command, lang in REPORTS:
        out = root / f"{command}-{lang}"
        code = main([command, "--demo", "--out", str(out), "--lang", lang])
        assert code == 0, f"cipsurvey {command} --demo --lang {lang} failed"
        made[command, lang] = out
    return made


# The suite runs on two workers (pytest-xdist; `-n auto --dist loadgroup` in pyproject.toml).
# Each test file is one group, so that it runs on one worker and its module fixtures are
# computed once; the files that read the demo reports written by ``reports`` share a group,
# so that the session fixture writing them runs once.
READS_DEMO_REPORTS = {"test_publication", "test_report_clients", "test_report_files",
                      "test_report_language"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            module = item.module.__name__.rsplit(".", 1)[-1] if item.module else item.nodeid
            group = "demo_reports" if module in READS_DEMO_REPORTS else module
            item.add_marker(pytest.mark.xdist_group(group))
    order_for_mutant(config, items)  # only in a mutant's session under mutmut
