"""The reports as their readers' programs show them: LibreOffice prints the Word and Excel
files, pdftotext reads the pages back, Chromium lays the HTML out at a phone's and a desktop's
width. Run on the demo report and the comparison report, in English and Swedish."""

from __future__ import annotations

import re

import pytest

from cipsurvey.cli.app import main

from clients import (
    DESKTOP,
    PHONE,
    Browser,
    broken_labels,
    docx_tables,
    pdf_pages,
    placed_tables,
    to_pdf,
)

KINDS = [("report", "en"), ("report", "sv"), ("compare", "en"), ("compare", "sv")]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The four reports, written once by the command line as a user would."""
    root = tmp_path_factory.mktemp("clients")
    made = {}
    for command, lang in KINDS:
        out = root / f"{command}-{lang}"
        code = main([command, "--demo", "--out", str(out), "--lang", lang])
        assert code == 0, f"cipsurvey {command} --lang {lang} failed"
        made[command, lang] = out
    return made


@pytest.fixture(scope="module")
def printed(outputs, tmp_path_factory):
    """Each report's Word file printed to PDF by LibreOffice, read back page by page."""
    root = tmp_path_factory.mktemp("printed")
    out = {}
    for key, folder in outputs.items():
        pdf = to_pdf(folder / "report.docx", root / "-".join(key), lang=key[1])
        out[key] = (pdf, pdf_pages(pdf), docx_tables(folder / "report.docx"))
    return out


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


ids = [f"{c}-{lang}" for c, lang in KINDS]


@pytest.mark.parametrize("key", KINDS, ids=ids)
def test_word_tables_keep_every_label_whole(printed, key):
    """Columns wide enough for their words: no heading or row label broken inside a word."""
    _, pages, tables = printed[key]
    assert broken_labels(placed_tables(pages, tables)) == []


@pytest.mark.parametrize("key", KINDS, ids=ids)
def test_word_captions_print_on_the_page_of_their_table(printed, key):
    _, pages, tables = printed[key]
    placed = placed_tables(pages, tables)
    assert placed, "no captioned table"
    assert [p.table.caption for p in placed if not p.with_caption] == []


@pytest.mark.parametrize("key", KINDS, ids=ids)
def test_word_header_rows_repeat_on_every_page_a_table_runs_over(printed, key):
    """A table that runs over a page break shows its header row again on the next page."""
    _, pages, tables = printed[key]
    flat = [" ".join(p.split()) for p in pages]
    runs_over = 0
    for place in placed_tables(pages, tables):
        last_row = " ".join(" ".join(place.table.body[-1]).split()) if place.table.body else ""
        if not last_row or last_row in flat[place.page]:
            continue
        runs_over += 1
        head = " ".join(" ".join(place.table.header).split())
        nxt = flat[place.page + 1]
        assert head.split()[0] in nxt.split()[:40], (place.table.caption, nxt[:200])
    assert runs_over or key[0] == "compare"


@pytest.mark.parametrize("key", KINDS, ids=ids)
def test_table_and_figure_numbers_run_once_and_match_the_headings(printed, outputs, key):
    """One numbering: captions run 1, 2, 3 … and a heading never names another table."""
    _, pages, tables = printed[key]
    word = "Tabell" if key[1] == "sv" else "Table"
    numbers = [int(re.match(rf"{word} (\d+)", t.caption).group(1)) for t in tables if t.caption]
    assert numbers == list(range(1, len(numbers) + 1))
    text = "\n".join(pages)
    fig = "Figur" if key[1] == "sv" else "Figure"
    figures = [int(n) for n in re.findall(rf"^{fig} (\d+)\b", text, re.M)]
    assert figures and figures == list(range(1, len(figures) + 1))
    assert not re.search(rf"\b{fig}\s*:", text), "an unnumbered figure caption"


@pytest.mark.parametrize("key", KINDS, ids=ids)
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_html_tables_fit_the_window(browser, outputs, key, width):
    """No table runs past the window; on a phone a wide table scrolls in its own box, on a
    desktop every table fits."""
    layout = browser.layout(outputs[key] / "report.html", width)
    assert layout.page_width <= layout.viewport, "the page scrolls sideways"
    assert layout.overflowing() == []
    if width == DESKTOP:
        assert layout.scrolled() == []


@pytest.mark.parametrize("key", KINDS, ids=ids)
def test_html_opens_on_a_contents_list_and_a_summary(browser, outputs, key):
    """A reader lands on a table of contents and the key findings, not a wall of tables:
    every section is one link away and the page as first shown is a few screens long."""
    html = (outputs[key] / "report.html").read_text("utf-8")
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", html, re.S)
    assert nav, "no table of contents"
    targets = re.findall(r'href="#([^"]+)"', nav.group(1))
    assert len(targets) >= 4 and all(f'id="{t}"' in html for t in targets)
    assert re.search(r'<section[^>]+id="summary"', html)
    layout = browser.layout(outputs[key] / "report.html", DESKTOP)
    assert layout.page_height < 8000, f"{layout.page_height:.0f} px before anything is opened"
