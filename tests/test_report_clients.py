"""The reports as their readers' programs show them: LibreOffice prints the Word and Excel
files, pdftotext reads the pages back (each word with its place on the page), Chromium lays
the HTML out at a phone's and a desktop's width. Run on the demo report and the comparison
report, in English and Swedish (the `reports` fixture of conftest.py)."""

from __future__ import annotations

import re

import pytest

from clients import (
    DESKTOP,
    PHONE,
    Browser,
    broken_labels,
    docx_tables,
    lines_of,
    pdf_words,
    placed_tables,
    to_pdf,
    words,
    xlsx_texts,
)

KINDS = [("report", "en"), ("report", "sv"), ("compare", "en"), ("compare", "sv")]
IDS = [f"{c}-{lang}" for c, lang in KINDS]


@pytest.fixture(scope="module")
def printed(reports, tmp_path_factory):
    """Each report's Word file printed to PDF by LibreOffice (in the report's language),
    read back as words with their boxes, with the Word file's own tables."""
    root = tmp_path_factory.mktemp("printed")
    out = {}
    for key, folder in reports.items():
        pdf = to_pdf(folder / "report.docx", root / "-".join(key), lang=key[1])
        out[key] = (pdf, pdf_words(pdf), docx_tables(folder / "report.docx"))
    return out


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


@pytest.mark.parametrize("key", KINDS, ids=IDS)
def test_word_tables_keep_every_label_whole(printed, key):
    """Columns as wide as their words: no heading or row label broken inside a word."""
    _, pages, tables = printed[key]
    assert broken_labels(placed_tables(pages, tables)) == []


@pytest.mark.parametrize("key", KINDS, ids=IDS)
def test_word_captions_print_on_the_page_of_their_table(printed, key):
    _, pages, tables = printed[key]
    placed = placed_tables(pages, tables)
    assert len(placed) >= 5
    assert [p.table.caption for p in placed if not p.with_caption] == []


@pytest.mark.parametrize("key", KINDS, ids=IDS)
def test_word_header_rows_repeat_on_every_page_a_table_runs_over(printed, key):
    """A table that runs over a page break shows its header row again at the top of the
    next page."""
    _, pages, tables = printed[key]
    for place in placed_tables(pages, tables):
        if not place.table.body:
            continue
        last = words(" ".join(place.table.body[-1]))
        on_page = {w for wd in pages[place.page] for w in words(wd.text)}
        if all(w in on_page for w in last):
            continue  # (the last row is on the caption's page: the table did not run over)
        top = [text for _, text in lines_of(pages[place.page + 1])[:4]]
        head = [h for h in place.table.header if h.strip()]
        assert any(words(head[0])[0] in words(line) for line in top), \
            (place.table.caption, top)


@pytest.mark.parametrize("key", KINDS, ids=IDS)
def test_table_and_figure_numbers_run_once_and_match_the_headings(printed, key):
    """One numbering: captions run 1, 2, 3 … (a table in parts repeats its number with
    "continued"), figures too, and no heading names a table by another number."""
    _, pages, tables = printed[key]
    word = "Tabell" if key[1] == "sv" else "Table"
    numbers = [int(m.group(1)) for t in tables if t.caption
               and (m := re.fullmatch(rf"{word} (\d+)", t.caption))]
    assert numbers == list(range(1, len(numbers) + 1))
    lines = [text for page in pages for _, text in lines_of(page)]
    fig = "Figur" if key[1] == "sv" else "Figure"
    figures = [int(m.group(1)) for line in lines if (m := re.fullmatch(rf"{fig} (\d+)", line))]
    assert figures and figures == list(range(1, len(figures) + 1))
    assert not [line for line in lines if re.match(rf"{fig}\s*:", line)], "unnumbered figure"
    headings = [line for line in lines if re.match(rf"{word} \d+\. ", line)]
    assert not headings, headings  # ("Table 2. Number of CIPs…" above "Table 18")


@pytest.mark.parametrize("key", [("report", "en"), ("report", "sv")], ids=["en", "sv"])
def test_the_excel_workbook_prints_with_whole_words_and_swedish_numbers(reports, key,
                                                                         tmp_path):
    """LibreOffice prints every sheet a page wide; every heading and label of the workbook
    is a whole word on the page, and a Swedish reader sees decimal commas."""
    pdf = to_pdf(reports[key] / "report.xlsx", tmp_path, lang=key[1])
    pages = pdf_words(pdf)
    printed_words = {piece for page in pages for w in page for piece in words(w.text)}
    labels = [t for t in xlsx_texts(reports[key] / "report.xlsx", sheet_names=False)
              if len(t) < 60]
    missing = sorted({w for t in labels for w in words(t)} - printed_words)
    assert not missing, missing[:20]
    tokens = [w.text for page in pages for w in page  # (not the software's versions)
              if not re.fullmatch(r"\d+(\.\d+){2,}[,.]?", w.text)]
    wrong = r"\d\.\d" if key[1] == "sv" else r"\d,\d{1,2}(?!\d)"  # (1,217 is a thousand)
    right = r"\d,\d" if key[1] == "sv" else r"\d\.\d"
    assert sum(bool(re.search(right, t)) for t in tokens) > 100
    assert not [t for t in tokens if re.search(wrong, t)]


@pytest.mark.parametrize("key", KINDS, ids=IDS)
@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_html_tables_fit_the_window(browser, reports, key, width):
    """No table runs past the window; on a phone a wide table scrolls in its own box, on a
    desktop every table fits."""
    layout = browser.layout(reports[key] / "report.html", width)
    assert layout.tables
    assert layout.page_width <= layout.viewport, "the page scrolls sideways"
    assert layout.overflowing() == []
    if width == DESKTOP:
        assert layout.scrolled() == []


@pytest.mark.parametrize("key", KINDS, ids=IDS)
def test_html_opens_on_a_contents_list_and_a_summary(browser, reports, key):
    """A reader lands on a table of contents and the key findings, not a wall of tables:
    every part is one link away and the page as first shown is a few screens long."""
    html = (reports[key] / "report.html").read_text("utf-8")
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", html, re.S)
    assert nav, "no table of contents"
    targets = re.findall(r'href="#([^"]+)"', nav.group(1))
    assert len(targets) >= 4 and all(f'id="{t}"' in html for t in targets)
    assert re.search(r'<section[^>]+id="summary"', html)
    layout = browser.layout(reports[key] / "report.html", DESKTOP)
    assert layout.page_height < 8000, f"{layout.page_height:.0f} px before anything is opened"
