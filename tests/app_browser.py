"""Driving ``cipsurvey serve`` in Debian's Chromium with Playwright: start the real server
(the console command, in a child process), open a browser, and walk the page as a person
does. Used by tests/test_app_browser.py, and run as a script by tests/test_app_offline.py
inside a network namespace with nothing but the loopback interface.

Playwright's own browser download is never used: the browser is the system's Chromium
(``CIPSURVEY_CHROMIUM``, default /usr/bin/chromium).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CIPSURVEY_CHROMIUM", "/usr/bin/chromium")
DEMO = ROOT / "cipsurvey" / "demo" / "data"
EXAMPLE_BROKEN = ROOT / "examples" / "paper_forms.csv"  # typed-in forms with the usual mistakes
DEMO_WAVE = ["kallmen2017_synthetic_baseline_web.sav", "kallmen2017_synthetic_baseline_paper.csv"]
REPORT_TIMEOUT_MS = 600_000  # a loaded CI machine; the demo report takes seconds alone


class Server:
    """``cipsurvey serve --no-browser`` in a child process, its temporary folder under
    ``tmp``; ``url`` is the printed address with its key, ``base`` the origin."""

    def __init__(self, tmp: Path, *extra: str) -> None:
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cipsurvey.cli.app", "serve", "--no-browser", *extra],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
        line = self.proc.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", line)
        if not found:
            self.stop()
            raise AssertionError(f"cipsurvey serve printed no address: {line!r}")
        self.url = found.group(0)
        self.base = self.url.split("/?")[0]

    def folders(self) -> list[Path]:
        """The server's private folders in its temporary folder."""
        return sorted(self.tmp.glob("cipsurvey-serve-*"))

    def stop(self) -> str:
        """Interrupt it as Ctrl+C does; return what it wrote to stderr."""
        if self.proc.poll() is None:
            self.proc.send_signal(2)  # SIGINT
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.stderr.read() if self.proc.stderr else ""


def launch(playwright: Any, **context: Any) -> tuple[Any, Any]:
    """The system's Chromium and a context that accepts downloads."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                         args=["--no-sandbox", "--disable-gpu"])
    return browser, browser.new_context(accept_downloads=True, locale="en-GB", **context)


class Watch:
    """What a page did: console errors, page errors, and every URL it requested."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def foreign(self, base: str) -> list[str]:
        """Requests to anywhere but ``base`` (data: URLs are the page's own images)."""
        return [u for u in self.requests if not (u.startswith(base + "/") or u == base
                                                or u.startswith("data:"))]


def copy_demo(folder: Path) -> list[Path]:
    """The demo wave's two files, copied under their own names into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copyfile(DEMO / name, folder / name)) for name in DEMO_WAVE]


def upload_wave(page: Any, url: str, files: list[Path], instrument: str = "kallmen2017"
                ) -> float:
    """Open the page, give it the files and the bundled instrument, and wait for the
    problems (or the clean note); return the seconds from the click to the table."""
    page.goto(url)
    page.set_input_files("#files", [str(f) for f in files])
    page.check("#ik-bundled")
    page.select_option("select[name=instrument_name]", instrument)
    start = time.perf_counter()
    page.click("form[action='/wave'] button[type=submit] >> nth=0")
    page.wait_for_selector("#problems-table, .clean, .error", timeout=REPORT_TIMEOUT_MS)
    return time.perf_counter() - start


def draft_wave(page: Any, url: str, files: list[Path]) -> None:
    """Open the page, give it the files with "draft one from these files", and wait for
    the draft's review page."""
    page.goto(url)
    page.set_input_files("#files", [str(f) for f in files])
    page.check("#ik-draft")
    page.click("form[action='/wave'] button[type=submit] >> nth=0")
    page.wait_for_selector("#instrument_text, .error", timeout=REPORT_TIMEOUT_MS)


def use_draft(page: Any) -> None:
    """Use the draft on the review page as it stands, and wait for the problems."""
    page.click("form[action$='/instrument'] button[type=submit]")
    page.wait_for_selector("#problems-table, .clean, .error", timeout=REPORT_TIMEOUT_MS)


def problems_table(page: Any) -> list[dict[str, str]]:
    """The rows of the problems table as shown (headers from the data-free column order)."""
    columns = ["severity", "file", "row", "column", "value", "message"]
    rows = page.eval_on_selector_all(
        "#problems-table tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent))")
    return [dict(zip(columns, cells[-6:], strict=True)) for cells in rows]


def make_report(page: Any, lang: str, min_cell: int = 0, plan: str = "kallmen2017") -> float:
    """Fill in the report form and wait for the report; return the seconds it took."""
    if page.locator("#pk-bundled").count():
        page.check("#pk-bundled")
        page.select_option("select[name=plan_name]", plan)
    page.select_option("#report_lang", lang)
    if page.locator("#min_cell").count():
        page.fill("#min_cell", str(min_cell))
    start = time.perf_counter()
    page.click("form[action$='/run'] button[type=submit]")
    page.wait_for_selector("#downloads, .error", timeout=REPORT_TIMEOUT_MS)
    return time.perf_counter() - start


def download(page: Any, name: str, folder: Path) -> Path:
    """Click the download link of ``name`` and save the file into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with page.expect_download() as info:
        page.click(f"ul.downloads a[href$='/{name}']")
    target = folder / name
    info.value.save_as(target)
    return target


def axe_violations(page: Any, impacts: set[str]) -> list[tuple[str, str, int]]:
    """axe-core's violations of the page of the given impacts: (rule, impact, nodes).

    axe-core comes from the PyPI package axe-playwright-python (it carries axe.min.js, MPL
    2.0), which injects it through the browser's debugging protocol: the page's Content
    Security Policy does not govern that, so the page is checked as it is served."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [(v["id"], v["impact"], len(v["nodes"])) for v in found if v["impact"] in impacts]


def comparable(results: dict[str, Any]) -> dict[str, Any]:
    """results.json without what differs between two runs of the same input: the time it
    was made."""
    return {k: v for k, v in results.items() if k != "generated"}


def offline_flow(tmp: Path) -> dict[str, Any]:
    """The whole flow on the demo wave (upload, problems, report, every download); returns
    what a test checks: the requests made, console errors, downloaded files."""
    from playwright.sync_api import sync_playwright

    server = Server(tmp / "server")
    files = copy_demo(tmp / "own")
    try:
        with sync_playwright() as p:
            browser, context = launch(p)
            page = context.new_page()
            watch = Watch(page)
            upload_wave(page, server.url, files)
            rows = len(problems_table(page))
            make_report(page, "sv")
            page.frame_locator("iframe.report").locator("h1").wait_for()
            got = {name: download(page, name, tmp / "downloads") for name in
                   ("report.docx", "report.xlsx", "results.json", "figures.zip", "report.zip")}
            browser.close()
    finally:
        server.stop()
    return {"foreign": watch.foreign(server.base), "errors": watch.errors, "rows": rows,
            "requests": len(watch.requests), "downloads": {k: str(v) for k, v in got.items()},
            "folders_left": [str(f) for f in server.folders()],
            "interfaces": sorted(name for _, name in socket.if_nameindex())}


if __name__ == "__main__":  # run by test_app_offline.py inside the network namespace
    print(json.dumps(offline_flow(Path(sys.argv[1]))))
