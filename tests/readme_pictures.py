"""Redraw the README's pictures of the demo report (run by hand, from the repository root):

    python tests/readme_pictures.py

A page of the Word report as LibreOffice prints it (the page with Table 1) and the top of the
HTML report in Chromium at a desktop width: docs/images/word-page.png and
docs/images/html-summary.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from cipsurvey.cli.app import main  # noqa: E402

from clients import DESKTOP, Browser, page_png, pdf_words, to_pdf  # noqa: E402


def draw(out: Path = ROOT / "docs" / "images") -> list[Path]:
    """Write the demo report to a temporary folder and picture two of its pages."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "report"
        if main(["report", "--demo", "--out", str(folder)]) != 0:
            raise SystemExit("the demo report failed")
        pdf = to_pdf(folder / "report.docx", Path(tmp) / "pdf")
        pages = pdf_words(pdf)
        page = next(k for k, words in enumerate(pages)  # the page of Table 1
                    if {"Woman", "College"} <= {w.text for w in words})
        word = page_png(pdf, page + 1, out / "word-page.png", dpi=80)
        with Browser() as browser:
            html = browser.screenshot(folder / "report.html", DESKTOP,
                                      out / "html-summary.png", height=1000)
    return [word, html]


if __name__ == "__main__":
    for path in draw():
        print(path.relative_to(ROOT))
