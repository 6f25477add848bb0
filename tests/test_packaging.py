"""A plain (non-editable) install must carry the instruments and analysis plans."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="needs the source tree")
def test_wheel_carries_bundled_yaml(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
         str(ROOT)], capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("cipsurvey-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (ROOT / "instruments").glob("*.yaml"):
        assert f"cipsurvey/_bundled/instruments/{path.name}" in names
    for path in (ROOT / "analyses").iterdir():
        assert f"cipsurvey/_bundled/analyses/{path.name}" in names
    assert "cipsurvey/cli/app.py" in names
    # the paper's printed numbers and the checks that reproduce them
    for name in ("kallmen2017_published.yaml", "kallmen2017_checks.csv"):
        assert f"cipsurvey/demo/{name}" in names
    # the web page's templates and assets (served from the package: it works offline)
    for folder in ("templates", "static"):
        for path in (ROOT / "cipsurvey" / "app" / folder).iterdir():
            assert f"cipsurvey/app/{folder}/{path.name}" in names, path.name


def test_bundled_instruments_resolve_by_name():
    from cipsurvey.instrument.resources import bundled_names, instruments_dir

    assert "kallmen2017" in bundled_names("instruments")
    assert (instruments_dir() / "kallmen2017.yaml").is_file()
