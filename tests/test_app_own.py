"""cipsurvey serve with one's own questionnaire (in-process): the README's walkthrough on the
real EFC.sav done in the page (the instrument drafted from the file and shown for review, the
plan drafted, the report) gives the files the command line gives, command for command."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from cipsurvey.app.store import Store
from cipsurvey.app.web import Settings, build_app
from cipsurvey.lang import text

ROOT = Path(__file__).resolve().parents[1]
EFC = ROOT / "tests" / "corpus" / "surveys" / "EFC.sav"
PORT = 8767
BASE = f"http://127.0.0.1:{PORT}"
SAME = {"origin": BASE}
NO_FILE = [("unused", ("", b"", "application/octet-stream"))]  # (makes the body multipart)


@pytest.fixture
def client():
    settings = Settings(token="k", port=PORT, store=Store())
    with TestClient(build_app(settings), base_url=BASE) as c:
        c.cookies.set(f"cipsurvey-{PORT}", "k")
        c.settings = settings
        yield c


def _drafted(client, files: list[Path], lang: str = "en") -> str:
    """Post the files with "draft one from these files"; the review page's address."""
    r = client.post("/wave", headers=SAME, follow_redirects=False,
                    files=[("files", (f.name, f.read_bytes(), "application/octet-stream"))
                           for f in files],
                    data={"instrument_kind": "draft", "draft_lang": lang})
    assert r.status_code == 303, r.text
    return r.headers["location"]


def _wait(client, job: str) -> None:
    for _ in range(3000):
        if client.get(f"{job}/status").json()["state"] != "running":
            return
        time.sleep(0.2)


def test_the_walkthrough_in_the_page_gives_the_command_lines_files(client, cli, tmp_path):
    review = _drafted(client, [EFC])
    assert review.endswith("/instrument")
    where = review.removesuffix("/instrument")
    shown = client.get(review).text
    assert client.get(where).status_code == 404  # nothing is read before the review
    download = client.get(f"{review}.yaml")
    name = re.search(r'filename="([^"]+)"', download.headers["content-disposition"]).group(1)
    drafted = download.text

    # the command line, on a file of the same name
    (tmp_path / "EFC.sav").write_bytes(EFC.read_bytes())
    assert cli("instrument", "draft", tmp_path / "EFC.sav", "--out", tmp_path / name).code == 0
    assert drafted == (tmp_path / name).read_text(encoding="utf-8")
    assert "f1.sav" not in drafted and "EFC.sav" in drafted  # called by its own name
    # the review page: the draft to edit, and each guess beside its item
    marked = drafted.count(f"# {text('draft.review', 'en')}:")
    assert marked > 0 and text("app.draft_marked", "en", n=marked) in shown
    assert "c82cop1" in shown.split("<textarea")[0]  # a reversed item's guess, in the table

    # the reviewed draft is used: the problems are validate's with that instrument
    r = client.post(review, headers=SAME, follow_redirects=False, files=NO_FILE,
                    data={"instrument_text": drafted})
    assert r.status_code == 303 and r.headers["location"] == where
    problems = client.get(f"{where}/problems.csv").content
    assert cli("validate", tmp_path / "EFC.sav", "--instrument", tmp_path / name,
               "--problems", tmp_path / "problems.csv").code in (0, 1)
    assert problems == (tmp_path / "problems.csv").read_bytes()

    # the drafted plan, grouped by the carer's gender: plan draft's file
    page = client.get(where).text
    assert '<option value="c161sex">' in page
    plan = client.get(f"{where}/plan.yaml", params={"by": "c161sex"}).text
    assert cli("plan", "draft", tmp_path / name, "--by", "c161sex",
               "--out", tmp_path / "plan.yaml").code == 0
    assert plan == (tmp_path / "plan.yaml").read_text(encoding="utf-8")

    # the report with the drafted plan: the command line's results, and the plan beside it
    r = client.post(f"{where}/run", headers=SAME, follow_redirects=False, files=NO_FILE,
                    data={"plan_kind": "draft", "by": "c161sex", "report_lang": "en",
                          "min_cell": "0"})
    assert r.status_code == 303, r.text
    job = r.headers["location"]
    _wait(client, job)
    assert client.get(f"{job}/status").json()["state"] == "done", client.get(job).text
    assert client.get(f"{job}/files/plan.yaml").text == plan
    got = json.loads(client.get(f"{job}/files/results.json").content)
    assert cli("report", tmp_path / "EFC.sav", "--plan", tmp_path / "plan.yaml",
               "--out", tmp_path / "cli").code == 0
    own = json.loads((tmp_path / "cli" / "results.json").read_text("utf-8"))
    for payload in (got, own):
        payload.pop("generated")
        for f in payload["account"]["files"]:
            f["file"] = Path(f["file"]).name
    assert got == own


def test_an_edited_draft_that_does_not_load_stays_on_the_page_with_its_message(client, cli,
                                                                                 tmp_path):
    review = _drafted(client, [EFC], "sv")
    drafted = client.get(f"{review}.yaml").text
    assert f"# {text('draft.review', 'sv')}:" in drafted  # written in the files' language
    broken = drafted.replace("type: likert", "type: likerts", 1)
    r = client.post(review, headers=SAME, follow_redirects=False, files=NO_FILE,
                    data={"instrument_text": broken})
    assert r.status_code == 422
    assert "likerts" in r.text and "Traceback" not in r.text
    assert "type: likerts" in r.text  # the edited text is kept, not replaced by the draft
    # what the command line says of the same file
    (tmp_path / "broken.yaml").write_text(broken, encoding="utf-8")
    said = cli("instrument", "check", tmp_path / "broken.yaml")
    assert said.code != 0
    first = next(line for line in (said.out + said.err).splitlines() if "likerts" in line)
    assert first.split(":", 1)[-1].strip()[:40] in r.text.replace("&#39;", "'")


def test_a_study_drafts_one_instrument_from_every_waves_files(client, cli, tmp_path):
    from cipsurvey.demo.files import demo_files

    files = [demo_files("baseline")[0], demo_files("followup")[0]]  # the two web .sav
    names = ["before.sav", "after.sav"]
    r = client.post("/study", headers=SAME, follow_redirects=False, files=[
        (f"wave{k}_files", (name, f.read_bytes(), "application/octet-stream"))
        for k, (f, name) in enumerate(zip(files, names, strict=True), start=1)],
        data={"wave1_label": "Before", "wave2_label": "After", "instrument_kind": "draft",
              "draft_lang": "sv"})
    assert r.status_code == 303 and r.headers["location"].endswith("/instrument")
    drafted = client.get(f"{r.headers['location']}.yaml").text
    for f, name in zip(files, names, strict=True):
        (tmp_path / name).write_bytes(f.read_bytes())
    assert cli("instrument", "draft", *(tmp_path / n for n in names), "--lang", "sv",
               "--out", tmp_path / "drafted.yaml").code == 0
    assert drafted == (tmp_path / "drafted.yaml").read_text(encoding="utf-8")


def test_a_questionnaire_definition_is_converted_for_review(client, cli, tmp_path,
                                                            monkeypatch):
    """A KoBoToolbox XLSForm (real, from the export corpus) given as the instrument with its
    data export: the page shows instrument draft's conversion of it for review, named by
    the file's own name, and the data are then checked against it as validate checks them."""
    kobo = ROOT / "tests" / "corpus" / "exports" / "kobo"
    form, data = kobo / "kobo_favorite_coffee_xlsform.xlsx", \
        kobo / "kobo_favorite_coffee_labels.csv"
    r = client.post("/wave", headers=SAME, follow_redirects=False, files=[
        ("files", ("coffee.csv", data.read_bytes(), "text/csv")),
        ("instrument_file", ("coffee form.xlsx", form.read_bytes(), "application/octet-stream"))],
        data={"instrument_kind": "file", "draft_lang": "en"})
    assert r.status_code == 303 and r.headers["location"].endswith("/instrument"), r.text
    review = r.headers["location"]
    converted = client.get(f"{review}.yaml").text
    (tmp_path / "coffee form.xlsx").write_bytes(form.read_bytes())
    assert cli("instrument", "draft", tmp_path / "coffee form.xlsx",
               "--out", tmp_path / "coffee.yaml").code == 0
    assert converted == (tmp_path / "coffee.yaml").read_text(encoding="utf-8")
    assert "coffee form.xlsx" in converted
    r = client.post(review, headers=SAME, follow_redirects=False, files=NO_FILE,
                    data={"instrument_text": converted})
    assert r.status_code == 303, r.text
    (tmp_path / "coffee.csv").write_bytes(data.read_bytes())
    monkeypatch.chdir(tmp_path)  # (the command line given the file by its name)
    said = cli("validate", "coffee.csv", "--instrument", "coffee.yaml",
               "--problems", "problems.csv")
    assert said.code in (0, 1), said.err
    assert client.get(f"{r.headers['location']}/problems.csv").content == \
        (tmp_path / "problems.csv").read_bytes()


def test_a_study_with_a_drafted_plan_compares_as_its_manifest_does(client, cli, tmp_path,
                                                                    monkeypatch):
    """Two waves given in the page with a drafted plan: the comparison's results.json is
    compare's for a manifest naming the same plan file; the plan is offered beside it."""
    import yaml

    from cipsurvey.demo.files import DATA_DIR, PREFIX

    waves = {k: [DATA_DIR / f"{PREFIX}_{wave}_web.sav", DATA_DIR / f"{PREFIX}_{wave}_paper.csv"]
             for k, wave in ((1, "baseline"), (2, "followup"))}
    r = client.post("/study", headers=SAME, follow_redirects=False, files=[
        (f"wave{k}_files", (f.name, f.read_bytes(), "application/octet-stream"))
        for k, files in waves.items() for f in files],
        data={"wave1_label": "Before", "wave2_label": "After", "instrument_kind": "bundled",
              "instrument_name": "kallmen2017"})
    where = r.headers["location"]
    # (grouped: without a grouping, the comparison's planning table is empty, and the
    # Excel writer fails on it, on the command line as in the page)
    plan = client.get(f"{where}/plan.yaml", params={"by": "gender"}).text
    assert "\ncompare:" in plan
    r = client.post(f"{where}/run", headers=SAME, follow_redirects=False, files=NO_FILE,
                    data={"plan_kind": "draft", "by": "gender", "respondent_key": "resp_id",
                          "cohort": "", "base": "wave1", "follow": "wave2",
                          "report_lang": "en"})
    assert r.status_code == 303, r.text
    job = r.headers["location"]
    _wait(client, job)
    assert client.get(f"{job}/status").json()["state"] == "done", client.get(job).text
    assert client.get(f"{job}/files/plan.yaml").text == plan
    got = json.loads(client.get(f"{job}/files/results.json").content)

    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "plan.yaml").write_text(plan, encoding="utf-8")
    for files in waves.values():
        for f in files:
            (folder / f.name).write_bytes(f.read_bytes())
    manifest = {"schema_version": 1, "id": "study",
                "title": {"en": "Baseline and follow-up compared",
                          "sv": "Baslinjemätning och uppföljningsmätning jämförda"},
                "instrument": "kallmen2017", "plan": "plan.yaml", "respondent_key": "resp_id",
                "waves": [{"id": f"wave{k}", "label": {"en": label, "sv": label},
                           "files": [f.name for f in waves[k]]}
                          for k, label in ((1, "Before"), (2, "After"))]}
    (folder / "study.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), "utf-8")
    monkeypatch.chdir(folder)  # (compare finds a manifest's plan file from where it runs)
    said = cli("compare", "study.yaml", "--out", tmp_path / "cli")
    assert said.code == 0, said.err
    own = json.loads((tmp_path / "cli" / "results.json").read_text("utf-8"))
    for payload in (got, own):
        payload.pop("generated")
        for f in payload["account"]["files"]:
            f["file"] = Path(f["file"]).name
        for e in payload["account"]["exclusions"]:
            e["file"] = Path(e["file"]).name
    assert got == own


def test_a_comparison_the_plan_cannot_make_says_why_without_the_private_folder(client):
    """A plan without a compare section (the 2017 plan with it taken out): the run fails
    with the command line's words, and the message does not show where the page keeps its
    files (it named the workspace's folder before)."""
    import yaml

    from cipsurvey.demo.files import demo_files

    plan = yaml.safe_load((ROOT / "analyses" / "kallmen2017.yaml").read_text("utf-8"))
    del plan["compare"]
    r = client.post("/study", headers=SAME, follow_redirects=False, files=[
        (f"wave{k}_files", (f.name, f.read_bytes(), "application/octet-stream"))
        for k, wave in ((1, "baseline"), (2, "followup")) for f in demo_files(wave)],
        data={"instrument_kind": "bundled", "instrument_name": "kallmen2017"})
    where = r.headers["location"]
    r = client.post(f"{where}/run", headers=SAME, follow_redirects=False, files=[
        ("plan_file", ("my plan.yaml", yaml.safe_dump(plan).encode(), "application/yaml"))],
        data={"plan_kind": "file", "report_lang": "en"})
    job = r.headers["location"]
    _wait(client, job)
    assert client.get(f"{job}/status").json()["state"] == "failed"
    shown = client.get(job).text
    assert "study: the study has no compare section" in shown
    assert str(client.settings.store.root) not in shown and "Traceback" not in shown
