"""Real clients for the reports: LibreOffice lays out the Word and Excel files, pdftotext reads
the pages back, and headless Chromium lays out the HTML at a phone's and a desktop's width.

Each helper runs the installed program (skipped locally without it, a failure in CI) in a
private profile, so that several test runs (and engineers) never share one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import IN_CI

PHONE, DESKTOP = 375, 1280


def require(*names: str) -> str:
    """The path of the first program found; skipped locally without any, a failure in CI."""
    for name in names:
        exe = shutil.which(name)
        if exe:
            return exe
    if IN_CI:
        pytest.fail(f"{names[0]} is not installed; .ci/run must install it")
    pytest.skip(f"{names[0]} not installed")


# --------------------------------------------------------------------------- LibreOffice


def to_pdf(document: Path, out_dir: Path, *, lang: str | None = None) -> Path:
    """``document`` (.docx, .xlsx) converted to PDF by LibreOffice, as it would print.

    ``lang`` sets LibreOffice's locale (``sv`` shows a Swedish workbook's numbers with a
    decimal comma, as Excel would for a Swedish reader).
    """
    exe = require("soffice", "libreoffice")
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / f"lo-profile-{document.stem}"
    env = None
    if lang:
        import os

        locale = {"sv": "sv_SE.UTF-8", "en": "en_US.UTF-8"}[lang]
        env = {**os.environ, "LC_ALL": locale, "LANG": locale, "LANGUAGE": locale[:5]}
    proc = subprocess.run(
        [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out_dir), str(document)],
        capture_output=True, text=True, timeout=300, env=env)
    pdf = out_dir / (document.stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        raise AssertionError(f"LibreOffice could not convert {document.name}: "
                             f"{proc.stdout}{proc.stderr}")
    return pdf


def pdf_pages(pdf: Path, *, layout: bool = False) -> list[str]:
    """The text of each page of a PDF, as pdftotext reads it (``layout`` keeps columns)."""
    exe = require("pdftotext")
    args = [exe, "-enc", "UTF-8", *(["-layout"] if layout else []), str(pdf), "-"]
    text = subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def page_png(pdf: Path, page: int, out: Path, *, dpi: int = 60) -> Path:
    """One page (1-based) of a PDF as a PNG, to look at."""
    exe = require("pdftoppm")
    stem = out.with_suffix("")
    subprocess.run([exe, "-f", str(page), "-l", str(page), "-r", str(dpi), "-png",
                    "-singlefile", str(pdf), str(stem)], check=True, timeout=120)
    return stem.with_suffix(".png")


def words(text: str) -> list[str]:
    """The words of a text as a line breaker may separate them: at spaces and after hyphens
    and dashes (a word broken anywhere else is broken inside)."""
    return [w for w in re.split(r"(?<=[-\u2010\u2013/])|[\s\u00a0]+", text) if w]


# --------------------------------------------------------------------------- Chromium

_MEASURE = """() => {
  const doc = document.documentElement;
  const height = doc.scrollHeight;  // as first shown, before any part is opened
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const out = {viewport: doc.clientWidth, page_width: doc.scrollWidth,
               page_height: height, tables: []};
  document.querySelectorAll('table').forEach((t, k) => {
    let scroller = null;
    for (let e = t.parentElement; e && e !== document.body; e = e.parentElement) {
      const o = getComputedStyle(e).overflowX;
      if (o === 'auto' || o === 'scroll') { scroller = e; break; }
    }
    const box = (scroller || t.parentElement).getBoundingClientRect();
    const r = t.getBoundingClientRect();
    out.tables.push({index: k, id: t.getAttribute('data-table') || '', width: r.width,
                     container: box.width, box_right: box.right, scrolls: scroller !== null});
  });
  return out;
}"""


@dataclass
class Layout:
    """How Chromium laid out a page at one width: the page's height as first shown, and its
    width and tables once every folded part is open."""

    viewport: int
    page_width: float
    page_height: float
    tables: list[dict]

    def overflowing(self) -> list[dict]:
        """Tables wider than their container that do not sit in a box the reader scrolls
        sideways, and any table whose box itself runs past the window."""
        return [t for t in self.tables
                if (t["width"] > t["container"] + 0.5 and not t["scrolls"])
                or t["box_right"] > self.viewport + 0.5]

    def scrolled(self) -> list[dict]:
        """Tables wider than their box, shown in a box the reader scrolls sideways."""
        return [t for t in self.tables if t["width"] > t["container"] + 0.5]


class Browser:
    """Debian's Chromium driven by Playwright (its own browser download is not needed).

    Headless Chromium's command line cannot make a window narrower than 500 px; Playwright
    sets the viewport through the DevTools protocol, as a phone would have it.
    """

    def __enter__(self) -> Browser:
        exe = require("chromium", "chromium-browser")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:  # pragma: no cover - a test extra
            if IN_CI:
                pytest.fail("playwright is not installed; it is in the [test] extra")
            pytest.skip("playwright not installed")
        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        return self

    def __exit__(self, *exc: object) -> None:
        self._browser.close()
        self._pw.stop()

    def _page(self, html: Path, width: int, height: int):
        page = self._browser.new_page(viewport={"width": width, "height": height},
                                      device_scale_factor=1, is_mobile=width < 500,
                                      has_touch=width < 500)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.as_uri(), wait_until="load")
        if errors:
            raise AssertionError(f"{html.name}: script errors in Chromium: {errors}")
        return page

    def layout(self, html: Path, width: int) -> Layout:
        """Lay ``html`` out at ``width`` CSS pixels and measure the page and its tables."""
        page = self._page(html, width, 900)
        try:
            data = page.evaluate(_MEASURE)
        finally:
            page.close()
        return Layout(data["viewport"], data["page_width"], data["page_height"],
                      data["tables"])

    def screenshot(self, html: Path, width: int, out: Path, *, height: int = 900,
                   selector: str | None = None) -> Path:
        """What a reader sees first of ``html`` in a ``width`` × ``height`` window (or the
        element ``selector`` names)."""
        out.parent.mkdir(parents=True, exist_ok=True)
        page = self._page(html, width, height)
        try:
            if selector:
                page.locator(selector).first.screenshot(path=str(out))
            else:
                page.screenshot(path=str(out))
        finally:
            page.close()
        return out


# --------------------------------------------------------------------------- Word's tables

CAPTION = re.compile(r"^(Table|Tabell) A?\d+\b")


@dataclass
class WordTable:
    """A table of a .docx as it stands in the document: its caption and its cells."""

    caption: str | None
    header: list[str]
    body: list[list[str]]


def docx_tables(path: Path) -> list[WordTable]:
    """Every table of a Word document in order, with the caption paragraph ("Table 3 ...")
    that precedes it (None if the paragraphs since the previous table hold none). The header
    is the last row Word repeats on each page; a merged cell is one cell, as Word shows it;
    a cell's lines are joined with a newline."""
    from docx import Document
    from docx.text.paragraph import Paragraph

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    doc = Document(str(path))
    out: list[WordTable] = []
    caption: str | None = None
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(block, doc).text.strip()
            if CAPTION.match(text):
                caption = text
        elif tag == "tbl":
            rows, header_rows = [], 0
            for tr in block.iterchildren(f"{w}tr"):
                cells = []
                for tc in tr.iterchildren(f"{w}tc"):
                    lines = []
                    for p in tc.iter(f"{w}p"):
                        line = []
                        for el in p.iter(f"{w}t", f"{w}br", f"{w}tab"):
                            line.append(el.text or "" if el.tag == f"{w}t" else
                                        "\n" if el.tag == f"{w}br" else "\t")
                        lines.append("".join(line))
                    cells.append("\n".join(lines))
                rows.append(cells)
                if tr.find(f"{w}trPr/{w}tblHeader") is not None:
                    header_rows = len(rows)
            header_rows = header_rows or 1
            out.append(WordTable(caption, rows[header_rows - 1] if rows else [],
                                 rows[header_rows:]))
            caption = None
    return out


@dataclass(frozen=True)
class Word:
    """A word as pdftotext places it on a page (points from the top left)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def pdf_words(pdf: Path) -> list[list[Word]]:
    """The words of each page with their boxes (``pdftotext -bbox``): where a table's cells
    are, whatever order the text of a page is read in."""
    import html

    exe = require("pdftotext")
    out = subprocess.run([exe, "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    pages = []
    for page in re.findall(r"<page[^>]*>(.*?)</page>", out, re.S):
        pages.append([Word(html.unescape(m.group(5)), *map(float, m.group(1, 2, 3, 4)))
                      for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" '
                                           r'xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                                           page)])
    return pages


def lines_of(words_on_page: list[Word]) -> list[tuple[float, str]]:
    """The lines of a page: (top, text), words of one baseline joined in reading order."""
    rows: dict[int, list[Word]] = {}
    for w in words_on_page:
        rows.setdefault(round(w.y1), []).append(w)
    return sorted((min(w.y0 for w in ws), " ".join(w.text for w in sorted(ws, key=lambda w: w.x0)))
                  for ws in rows.values())


@dataclass
class Placed:
    """Where a Word table landed in the PDF: its caption's page, the words from its caption
    to the next table's caption (over page breaks), and whether the table starts on the
    caption's page."""

    table: WordTable
    page: int
    words: list[str]
    with_caption: bool


def placed_tables(pages: list[list[Word]], tables: list[WordTable]) -> list[Placed]:
    """Find each captioned table in the pages (words with their boxes), in document order.

    A caption is a line of its own ("Table 3"), so a heading or a contents entry that
    mentions the table is not taken for it. A caption is with its table when every word of
    the table's header row and first body row stands below it on the same page.
    """
    lines = [lines_of(page) for page in pages]
    found: list[tuple[WordTable, int, float]] = []
    page, top = 0, -1.0
    for table in (t for t in tables if t.caption):
        want = " ".join(table.caption.split())
        hit = None
        for p in range(page, len(pages)):
            for y, text in lines[p]:
                if (p > page or y > top) and text == want:
                    hit = (p, y)
                    break
            if hit:
                break
        if hit is None:
            raise AssertionError(f"caption {table.caption!r} is not a line of the PDF")
        page, top = hit
        found.append((table, page, top))
    out = []
    for k, (table, p, y) in enumerate(found):
        stop = (found[k + 1][1], found[k + 1][2]) if k + 1 < len(found) else (len(pages), 0)
        region = [w for q in range(p, min(stop[0] + 1, len(pages))) for w in pages[q]
                  if (q > p or w.y0 > y + 1) and (q < stop[0] or w.y0 < stop[1] - 1)]
        below = {piece for w in pages[p] if w.y0 > y + 1 for piece in words(w.text)}
        wanted = words(" ".join(table.header + (table.body[0] if table.body else [])))
        out.append(Placed(table, p, [piece for w in region for piece in words(w.text)],
                          all(w in below for w in wanted)))
    return out


def broken_labels(placed: list[Placed]) -> list[str]:
    """Words of each table's headings and row labels that do not appear whole in the text
    of that table in the PDF: LibreOffice broke them inside (a column too narrow for
    "Woman" prints "Woma" and "n")."""
    out: dict[str, None] = {}
    for p in placed:
        seen = set(p.words)
        labels = p.table.header + [row[0] for row in p.table.body if row]
        out.update((f"{p.table.caption}: {w}", None) for label in labels
                   for w in words(label) if w not in seen)
    return list(out)


# --------------------------------------------------------------------------- text nodes


def html_texts(path: Path) -> list[str]:
    """Every text node of an HTML page and every attribute a reader meets (alt, title,
    aria-label), scripts and styles left out."""
    from html.parser import HTMLParser

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.out: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style"):
                self.skip += 1
            for name, value in attrs:
                if name in ("alt", "title", "aria-label") and value:
                    self.out.append(value)

        def handle_endtag(self, tag):
            if tag in ("script", "style"):
                self.skip -= 1

        def handle_data(self, data):
            if not self.skip and data.strip():
                self.out.append(data)

    parser = Collect()
    parser.feed(path.read_text("utf-8"))
    return parser.out


def docx_texts(path: Path) -> list[str]:
    """The text of every paragraph of a Word file (body, tables, headers and footers), each
    paragraph's runs joined as Word shows them, and the document's title."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    out = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
                continue
            root = etree.fromstring(z.read(name))
            for p in root.iter(f"{w}p"):
                text = "".join(t.text or "" for t in p.iter(f"{w}t"))
                if text.strip():
                    out.append(text)
        core = etree.fromstring(z.read("docProps/core.xml"))
        out += [e.text for e in core.iter() if e.text and e.text.strip()
                and e.tag.endswith("title")]
    return out


def xlsx_texts(path: Path, *, sheet_names: bool = True) -> list[str]:
    """Every text cell (and every sheet name) of a workbook (numbers stay numbers)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    out = list(book.sheetnames) if sheet_names else []
    for ws in book.worksheets:
        for row in ws.iter_rows(values_only=True):
            out += [v for v in row if isinstance(v, str) and v.strip()]
    return out


#: a number written with a decimal point: not part of a version (1.17.1) or a name
DECIMAL_POINT = re.compile(r"(?<![\w.])\d*\.\d+(?!\w|\.\d)")


# --------------------------------------------------------------------------- HTML's tables


@dataclass
class HtmlTable:
    """A table of the HTML report: its key (``data-table``), caption, title, the header rows
    and the body rows (each cell's text, and the paper's value shown beside it, if any),
    and the notes below it."""

    key: str
    caption: str
    title: str
    header: list[list[str]]
    body: list[list[str]]
    paper: list[list[str]]
    notes: list[str]


def html_tables(path: Path) -> list[HtmlTable]:
    """Every table of an HTML report, in order (the old report's tables have no caption)."""
    from html.parser import HTMLParser

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.tables: list[HtmlTable] = []
            self.where: list[str] = []
            self.cell: list[str] | None = None
            self.paper: list[str] | None = None
            self.in_paper = False
            self.text_of: str | None = None
            self.caption = self.title = ""
            self.buffer: list[str] = []
            self.section = ""

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            cls = a.get("class") or ""
            if tag == "table":
                self.tables.append(HtmlTable(a.get("data-table") or "", self.caption,
                                             self.title, [], [], [], []))
                self.caption = self.title = ""
            elif tag in ("thead", "tbody"):
                self.section = tag
            elif tag == "tr" and self.tables:
                target = self.tables[-1].header if self.section == "thead" \
                    else self.tables[-1].body
                target.append([])
                if self.section == "tbody":
                    self.tables[-1].paper.append([])
            elif tag in ("td", "th") and self.tables and self.section:
                self.cell, self.paper = [], []
            elif tag == "span" and "paper" in cls:
                self.in_paper = True
            elif tag == "p" and cls in ("tnum", "ttitle", "note", "fn"):
                self.text_of, self.buffer = cls, []

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                t = self.tables[-1]
                if self.section == "thead":
                    t.header[-1].append("".join(self.cell).strip())
                else:
                    t.body[-1].append("".join(self.cell).strip())
                    t.paper[-1].append("".join(self.paper or []).strip())
                self.cell = self.paper = None
            elif tag == "span" and self.in_paper:
                self.in_paper = False
            elif tag == "table":
                self.section = ""
            elif tag == "p" and self.text_of:
                text = "".join(self.buffer).strip()
                if self.text_of == "tnum":
                    self.caption = text
                elif self.text_of == "ttitle":
                    self.title = text
                elif self.tables:
                    self.tables[-1].notes.append(text)
                self.text_of = None

        def handle_data(self, data):
            if self.cell is not None:
                (self.paper if self.in_paper else self.cell).append(data)
            elif self.text_of:
                self.buffer.append(data)

    parser = Collect()
    parser.feed(path.read_text("utf-8"))
    return parser.tables


def numbers_in(text: str, lang: str) -> list[float]:
    """The numbers a cell shows, as floats ("518 (92.2)" → 518, 92.2; "< .001" → none)."""
    if text.lstrip().startswith(("<", ">")):
        return []
    out = []
    for found in re.finditer(r"[−-]?[\d\u00a0,.]*\d", text):
        token = found.group(0).replace("−", "-").replace("\u00a0", "")
        mark, group = (",", ".") if lang == "sv" else (".", ",")
        token = token.replace(group, "").replace(mark, ".").rstrip(".")
        try:
            out.append(float(token))
        except ValueError:
            continue
    return out
