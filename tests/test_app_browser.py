"""cipsurvey serve in a real browser (Debian's Chromium through Playwright): the whole flow
on the demo files and on a broken file, the downloads against the command line's files for
the same input, both languages with no console error, and axe-core's accessibility check.

The server is the console command in a child process; the browser is the system's. Locally
the tests skip without Chromium or Playwright; in CI (CI=true) that is a failure: .ci/run
installs Chromium, and the [test] extra Playwright and axe-core (axe-playwright-python).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from cipsurvey.lang import text

from app_browser import (
    CHROMIUM,
    EXAMPLE_BROKEN,
    Server,
    Watch,
    axe_violations,
    comparable,
    copy_demo,
    download,
    draft_wave,
    launch,
    make_report,
    problems_table,
    upload_wave,
    use_draft,
)
from conftest import IN_CI

SERIOUS = {"serious", "critical"}
EFC = Path(__file__).resolve().parent / "corpus" / "surveys" / "EFC.sav"  # one's own survey


def _need(ok: bool, what: str) -> None:
    if not ok:
        if IN_CI:
            pytest.fail(f"{what} is missing; .ci/run must install it")
        pytest.skip(f"{what} is missing")


@pytest.fixture(scope="module")
def playwright():
    _need(Path(CHROMIUM).exists(), "Chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the [test] extra installs it
        _need(False, "the playwright package")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    running = Server(tmp)
    yield running
    running.stop()
    assert not running.folders(), "the private folder outlived the server"


@pytest.fixture
def page(playwright):
    browser, context = launch(playwright)
    page = context.new_page()
    yield page
    browser.close()


def test_demo_files_to_a_word_report_equal_to_the_command_lines(page, server, cli, tmp_path,
                                                                 monkeypatch):
    files = copy_demo(tmp_path / "own")
    watch = Watch(page)
    upload_wave(page, server.url, files)
    shown = problems_table(page)
    assert shown and {r["file"] for r in shown} <= {f.name for f in files}
    make_report(page, "en")
    frame = page.frame_locator("iframe.report")
    assert frame.locator("h1").inner_text().strip()  # the report, in the page
    assert frame.locator("img").count() >= 5  # its figures
    got = tmp_path / "downloads"
    docx = download(page, "report.docx", got)
    results = json.loads(download(page, "results.json", got).read_text("utf-8"))
    everything = download(page, "report.zip", got)
    # the command line on the same files, named as the page was given them
    monkeypatch.chdir(tmp_path / "own")
    assert cli("report", *[f.name for f in files], "--instrument", "kallmen2017",
               "--plan", "kallmen2017", "--out", "cli").code == 0
    own = json.loads((tmp_path / "own" / "cli" / "results.json").read_text("utf-8"))
    assert comparable(results) == comparable(own)
    import docx as python_docx

    heading = python_docx.Document(str(docx)).paragraphs[0].text
    assert heading == python_docx.Document(str(tmp_path / "own" / "cli" /
                                               "report.docx")).paragraphs[0].text
    with zipfile.ZipFile(everything) as z:
        names = set(z.namelist())
    assert {"report.docx", "report.xlsx", "results.json", "report.html"} <= names
    assert len([n for n in names if n.startswith("figures/")]) == 2 * len(results["figures"])
    assert not watch.errors, watch.errors
    assert not watch.foreign(server.base), watch.foreign(server.base)
    # the report page (the page around the report; the report is the library's)
    assert not axe_violations(page, SERIOUS)


def test_a_broken_file_shows_the_problems_validate_lists(page, server, cli, tmp_path,
                                                        monkeypatch):
    broken = tmp_path / "paper_forms.csv"
    shutil.copyfile(EXAMPLE_BROKEN, broken)
    upload_wave(page, server.url, [broken])
    shown = problems_table(page)
    monkeypatch.chdir(tmp_path)  # the command line given the file by its name
    result = cli("validate", broken.name, "--instrument", "kallmen2017", "--json")
    assert result.code == 1
    listed = json.loads(result.out)["problems"]
    assert len(shown) == len(listed) == 52
    for row, want in zip(shown, listed, strict=True):
        assert row["severity"] == text(f"app.severity_{want['severity']}", "en")
        assert row["file"] == "paper_forms.csv"
        assert row["row"] == ("" if want["row"] is None else str(want["row"]))
        assert (row["column"], row["value"], row["message"]) == \
            (want["column"], want["value"], want["message"])
    # filtered by severity, file and column in the page
    page.select_option("#f-severity", "error")
    page.click("form.filters button")
    errors = problems_table(page)
    assert [r["column"] for r in errors] == [p["column"] for p in listed
                                             if p["severity"] == "error"]
    page.select_option("#f-severity", "")
    page.select_option("#f-column", "resp_id")
    page.click("form.filters button")
    assert [r["message"] for r in problems_table(page)] == \
        [p["message"] for p in listed if p["column"] == "resp_id"]
    csv = download_problems(page, tmp_path)
    assert csv.read_text("utf-8").count("\n") == 2  # the heading and the one resp_id problem


def download_problems(page, folder: Path) -> Path:
    with page.expect_download() as info:
        page.click("a.download")
    target = folder / "problems.csv"
    info.value.save_as(target)
    return target


def test_both_languages_render_without_console_errors(page, server, tmp_path):
    watch = Watch(page)
    broken = tmp_path / "paper_forms.csv"
    shutil.copyfile(EXAMPLE_BROKEN, broken)
    for lang in ("en", "sv"):
        page.goto(server.url)
        if page.locator("html").get_attribute("lang") != lang:
            page.click("header nav a")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").inner_text() == text("app.home_heading", lang)
        page.goto(f"{server.base}/study")
        assert page.locator("h1").inner_text() == text("app.study_heading", lang)
        upload_wave(page, f"{server.base}/", [broken])
        assert page.locator("h1").inner_text() == text("app.workspace_heading", lang)
        assert text("app.severity_warning", lang) in page.locator("#problems-table").inner_text()
    assert not watch.errors, watch.errors


def test_the_demo_study_compared_in_swedish(page, server, cli, tmp_path):
    watch = Watch(page)
    page.goto(server.url)
    page.click("header nav a")  # to Swedish
    page.goto(f"{server.base}/study")
    page.click("form[action='/study'] >> nth=1 >> button")
    page.wait_for_selector("#run")
    assert page.locator("table.account").count() == 2  # baseline and follow-up
    make_report(page, "sv")
    summary = page.locator("ul.summary li").all_inner_texts()
    results = json.loads(download(page, "results.json", tmp_path).read_text("utf-8"))
    assert cli("compare", "--demo", "--lang", "sv", "--out", tmp_path / "cli").code == 0
    own = json.loads((tmp_path / "cli" / "results.json").read_text("utf-8"))
    # the command line names each file by its path, the page by the manifest's name
    for payload in (results, own):
        for f in payload["account"]["files"]:
            f["file"] = Path(f["file"]).name
        for e in payload["account"]["exclusions"]:
            e["file"] = Path(e["file"]).name
    assert comparable(results) == comparable(own)
    printed = cli("compare", "--demo", "--lang", "sv", "--out", tmp_path / "again")
    assert summary == [line.strip() for line in printed.out.splitlines()[1:]]
    assert not watch.errors, watch.errors
    assert not axe_violations(page, SERIOUS)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_no_serious_accessibility_violation(page, server, tmp_path, lang):
    broken = tmp_path / "paper_forms.csv"
    shutil.copyfile(EXAMPLE_BROKEN, broken)
    page.goto(server.url)
    if page.locator("html").get_attribute("lang") != lang:
        page.click("header nav a")
    checked = {}

    def drafted_plan() -> None:
        use_draft(page)
        page.goto(page.url.split("#")[0] + "/plan?by=c161sex")

    for name, go in [("home", lambda: page.goto(f"{server.base}/")),
                     ("study", lambda: page.goto(f"{server.base}/study")),
                     ("problems", lambda: upload_wave(page, f"{server.base}/", [broken])),
                     ("draft", lambda: draft_wave(page, f"{server.base}/", [EFC])),
                     ("plan", drafted_plan)]:
        go()
        checked[name] = axe_violations(page, SERIOUS)
    assert page.locator("pre.yaml").count() == 1  # (the plan page was the one checked)
    assert not any(checked.values()), checked
