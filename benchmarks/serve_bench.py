"""How fast ``cipsurvey serve`` feels, run by hand: ``python benchmarks/serve_bench.py
[--rounds 5] [--screenshots docs/]``.

For the 705-row demo wave (its two files, uploaded as a person would) it measures, in
Debian's Chromium driven by Playwright against the real server (the console command in a
child process, started once, as a user starts it once):

- **table**: from the click on "Check the files" to the problems table on screen: the upload
  (0.44 MB over the loopback: milliseconds), the import and validation, and the page
  drawn. It bounds from above the time from the upload's end to the table;
- **report**: from the click on "Write the report" to the report page with its downloads,
  against ``cipsurvey report`` on the same files in a fresh process (start-up and imports
  included, as a user of the command line waits for them).

Each is the best and the median of ``--rounds`` rounds; the machine's load average is
written beside them (this machine is shared). With ``--screenshots DIR`` it also saves
serve-problems.png (the problems table of examples/paper_forms.csv) and serve-report.png
(the demo wave's report page) for the README. Results go to benchmarks/serve.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

from app_browser import (  # noqa: E402
    EXAMPLE_BROKEN,
    Server,
    copy_demo,
    launch,
    make_report,
    upload_wave,
)


def cli_report(files: list[Path], out: Path) -> float:
    """Seconds ``cipsurvey report FILES --instrument kallmen2017 --plan kallmen2017 --out
    OUT`` takes as a fresh process."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cipsurvey.cli.app", "report", *map(str, files),
                    "--instrument", "kallmen2017", "--plan", "kallmen2017", "--out", str(out)],
                   check=True, capture_output=True,
                   cwd=files[0].parent)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--screenshots", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=HERE / "serve.md")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    files = copy_demo(work / "own")
    server = Server(work / "server")
    table, page_report, cli = [], [], []
    try:
        with sync_playwright() as p:
            browser, context = launch(p, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(server.url)
            time.sleep(5)  # as a person choosing files: the server's warm-up imports finish
            for _ in range(args.rounds):
                table.append(upload_wave(page, server.url, files))
                page_report.append(make_report(page, "en"))
                cli.append(cli_report(files, work / "cli"))
            if args.screenshots:
                shoot(page, server, args.screenshots, files)
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()[0]

    def cell(values: list[float]) -> str:
        return f"{min(values):.2f} / {statistics.median(values):.2f}"

    lines = [
        "# cipsurvey serve: how fast it feels (benchmarks/serve_bench.py)", "",
        f"The 705-row demo wave (its web .sav and paper CSV), {args.rounds} rounds, "
        f"best / median in seconds; load average {load:.1f} on this 2-core machine "
        "(shared with other work while measured).", "",
        "| step | page | command line |", "|---|---:|---:|",
        f"| upload to problems table (click to table) | {cell(table)} | |",
        f"| report (click to report page; `cipsurvey report` as a fresh process) | "
        f"{cell(page_report)} | {cell(cli)} |", "",
        "The report in the page minus the command line's, round by round: "
        + ", ".join(f"{a - b:+.2f}" for a, b in zip(page_report, cli, strict=True)) + " s.",
        ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


def shoot(page, server: Server, folder: Path, files: list[Path]) -> None:
    """The README's two pictures: the problems of the typed-in example, the demo's report."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        broken = Path(tmp) / "paper_forms.csv"
        shutil.copyfile(EXAMPLE_BROKEN, broken)
        upload_wave(page, server.url, [broken])
    page.locator("#problems").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('problems').scrollIntoView()")
    page.screenshot(path=str(folder / "serve-problems.png"))
    upload_wave(page, server.url, files)
    make_report(page, "en")
    page.frame_locator("iframe.report").locator("h1").wait_for()
    page.screenshot(path=str(folder / "serve-report.png"))


if __name__ == "__main__":
    main()
