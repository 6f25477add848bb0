"""No request leaves the machine: the whole flow of cipsurvey serve (server, Chromium,
upload, problems, report, every download) inside a network namespace whose only interface
is the loopback (``unshare -rn``, as an unprivileged user namespace), with every request
the browser made recorded and checked to be the server's own.

Needs util-linux's unshare and iproute2's ip (.ci/run installs iproute2), and a kernel
that allows user namespaces; locally the test skips without them, in CI it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app_browser import CHROMIUM
from conftest import IN_CI

HERE = Path(__file__).resolve().parent


def _namespace() -> list[str]:
    unshare, ip = shutil.which("unshare"), shutil.which("ip")
    ok = bool(unshare and ip and Path(CHROMIUM).exists())
    if ok:
        probe = subprocess.run([unshare, "-rn", "true"], capture_output=True)
        ok = probe.returncode == 0
    if not ok:
        if IN_CI:
            pytest.fail("unshare, ip or Chromium missing, or no user namespaces: "
                        ".ci/run must install util-linux, iproute2 and chromium")
        pytest.skip("no network namespace here")
    return [unshare, "-rn", "sh", "-c", f'"{ip}" link set lo up && exec "$0" "$@"']


def test_the_whole_flow_with_networking_blocked(tmp_path):
    command = [*_namespace(), sys.executable, str(HERE / "app_browser.py"), str(tmp_path)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(command, capture_output=True, text=True, timeout=1800, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["interfaces"] == ["lo"]  # the flow ran with no way off the machine
    assert found["requests"] >= 10
    assert found["foreign"] == []
    assert found["errors"] == []
    assert found["rows"] > 0
    for name, path in found["downloads"].items():
        assert Path(path).stat().st_size > 1000, name
    with zipfile.ZipFile(found["downloads"]["report.zip"]) as z:
        assert "report.docx" in z.namelist()
    assert found["folders_left"] == []  # the private folder went with the server
