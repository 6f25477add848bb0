"""cipsurvey serve's study of waves built in the page (in-process): the files of each wave,
the respondent key and the cohort chosen in the form give the comparison the command line
gives for a study manifest that says the same."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from pathlib import Path

import yaml
from starlette.testclient import TestClient

from cipsurvey.app.store import Store
from cipsurvey.app.web import Settings, build_app
from cipsurvey.demo.files import DATA_DIR, PREFIX
from cipsurvey.lang import text

PORT = 8766
BASE = f"http://127.0.0.1:{PORT}"
SAME = {"origin": BASE}


def _files(wave: str) -> list[Path]:
    return [DATA_DIR / f"{PREFIX}_{wave}_web.sav", DATA_DIR / f"{PREFIX}_{wave}_paper.csv"]


def test_waves_given_in_the_page_compare_as_their_manifest_does(tmp_path, cli, monkeypatch):
    settings = Settings(token="k", port=PORT, store=Store())
    with TestClient(build_app(settings), base_url=BASE) as client:
        client.cookies.set(f"cipsurvey-{PORT}", "k")
        files = [(f"wave{k}_files", (f.name, f.read_bytes(), "application/octet-stream"))
                 for k, wave in ((1, "baseline"), (2, "followup")) for f in _files(wave)]
        r = client.post("/study", files=files, headers=SAME, follow_redirects=False, data={
            "wave1_label": "Before", "wave2_label": "After",
            "instrument_kind": "bundled", "instrument_name": "kallmen2017"})
        assert r.status_code == 303, r.text
        where = r.headers["location"]
        page = client.get(where).text
        assert '<option value="resp_id" selected>' in page  # the instrument's id, shown
        r = client.post(f"{where}/run", headers=SAME, follow_redirects=False,
                        files=[("unused", ("", b"", "application/octet-stream"))],
                        data={"plan_kind": "bundled", "plan_name": "kallmen2017",
                              "respondent_key": "resp_id", "cohort": "course_occasion",
                              "base": "wave1", "follow": "wave2", "report_lang": "en"})
        assert r.status_code == 303, r.text
        job = r.headers["location"]
        for _ in range(3000):
            state = client.get(f"{job}/status").json()["state"]
            if state != "running":
                break
            time.sleep(0.2)
        assert state == "done", client.get(job).text
        got = json.loads(client.get(f"{job}/files/results.json").content)
        assert "Before" in client.get(f"{job}/files/report.html").text
    # the same study as a manifest, read by the command line
    folder = tmp_path / "study"
    folder.mkdir()
    waves = []
    for k, (wave, label) in enumerate((("baseline", "Before"), ("followup", "After")), 1):
        for f in _files(wave):
            (folder / f.name).write_bytes(f.read_bytes())
        waves.append({"id": f"wave{k}", "label": {"en": label, "sv": label},
                      "files": [f.name for f in _files(wave)]})
    manifest = {"schema_version": 1, "id": "study",
                "title": {"en": "Baseline and follow-up compared",
                          "sv": "Baslinjemätning och uppföljningsmätning jämförda"},
                "instrument": "kallmen2017", "plan": "kallmen2017",
                "respondent_key": "resp_id", "cohort": "course_occasion", "waves": waves}
    (folder / "study.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), "utf-8")
    assert cli("compare", folder / "study.yaml", "--out", tmp_path / "cli").code == 0
    own = json.loads((tmp_path / "cli" / "results.json").read_text("utf-8"))
    for payload in (got, own):
        payload.pop("generated")
        for f in payload["account"]["files"]:
            f["file"] = Path(f["file"]).name
        for e in payload["account"]["exclusions"]:
            e["file"] = Path(e["file"]).name
    assert got == own


def test_the_minimum_cell_size_protects_as_the_command_line_does(tmp_path, cli):
    """The demo wave with a minimum cell size of 5: the page's results.json is the command
    line's (the same protection pass: the same numbers hidden and the same audit), and the
    page says what was protected, as the command line prints it."""
    settings = Settings(token="k", port=PORT, store=Store())
    with TestClient(build_app(settings), base_url=BASE) as client:
        client.cookies.set(f"cipsurvey-{PORT}", "k")
        r = client.post("/wave", headers=SAME, follow_redirects=False, data={"demo": "1"},
                        files=[("unused", ("", b"", "application/octet-stream"))])
        where = r.headers["location"]
        r = client.post(f"{where}/run", headers=SAME, follow_redirects=False,
                        files=[("unused", ("", b"", "application/octet-stream"))],
                        data={"plan_kind": "bundled", "plan_name": "kallmen2017",
                              "report_lang": "en", "min_cell": "5"})
        job = r.headers["location"]
        for _ in range(3000):
            if client.get(f"{job}/status").json()["state"] != "running":
                break
            time.sleep(0.2)
        shown = client.get(job).text
        got = json.loads(client.get(f"{job}/files/results.json").content)
        report = client.get(f"{job}/files/report.html")
    # the report in the page may run the script its writer put in it, and nothing else
    policy = report.headers["content-security-policy"]
    scripts = re.findall(r"<script>(.*?)</script>", report.text, re.S)
    assert scripts and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    said = cli("report", "--demo", "--min-cell", "5", "--out", tmp_path / "cli")
    assert said.code == 0
    cells, statistics, tables = map(int, re.search(
        r"--min-cell 5: (\d+) counts hidden, (\d+) statistics and (\d+) tables withheld",
        said.err).groups())
    assert cells > 0
    assert text("app.protected", "en", k=5, cells=cells, statistics=statistics,
                tables=tables) in shown
    own = json.loads((tmp_path / "cli" / "results.json").read_text("utf-8"))
    for payload in (got, own):  # (the command line names the demo's files by their paths)
        payload.pop("generated")
        for f in payload["account"]["files"]:
            f["file"] = Path(f["file"]).name
    assert got == own
