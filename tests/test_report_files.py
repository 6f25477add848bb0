"""The Word and Excel files as documents a reader publishes (issue 20): a title page, a table
of contents and a one-page summary in Word, repeated header rows, italic symbols, landscape
pages for wide tables; an Excel workbook with a cover sheet, an index and headings in the
report's language; methods as prose; numbers without negative zero and with SE and CI at
their estimate's precision."""

from __future__ import annotations

import re
import zipfile

import pytest
from lxml import etree

from cipsurvey.lang import catalog

from clients import docx_texts, html_tables, xlsx_texts

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CAUSAL = {"en": ["because", "caused", "leads to", "led to", "due to", "effect of", "impact",
                 "results in"],
          "sv": ["på grund av", "orsak till", "leder till", "ledde till", "beror på",
                 "effekt av", "påverkar"]}


def _body(reports, command="report", lang="en"):
    with zipfile.ZipFile(reports[command, lang] / "report.docx") as z:
        return etree.fromstring(z.read("word/document.xml"))


def _paragraphs(body):
    return [(p, "".join(t.text or "" for t in p.iter(f"{W}t"))) for p in body.iter(f"{W}p")]


def _heading(paragraphs, text):
    """The index of the heading paragraph that says ``text`` (not its contents entry)."""
    for k, (p, t) in enumerate(paragraphs):
        style = p.find(f"{W}pPr/{W}pStyle")
        if t == text and style is not None and style.get(f"{W}val").startswith("Heading"):
            return k
    raise AssertionError(f"no heading {text!r}")


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_word_opens_on_a_title_page_contents_and_summary(reports, lang):
    body = _body(reports, lang=lang)
    paragraphs = _paragraphs(body)
    styles = [p.find(f"{W}pPr/{W}pStyle") for p, _ in paragraphs]
    assert styles[0] is not None and styles[0].get(f"{W}val") == "Title"
    breaks = [k for k, (p, _) in enumerate(paragraphs)
              if p.find(f".//{W}br[@{W}type='page']") is not None]
    texts = [t for _, t in paragraphs]
    contents = catalog.text("report.contents", lang)
    summary = catalog.text("report.summary", lang)
    assert breaks[0] < texts.index(contents) < breaks[1] < _heading(paragraphs, summary) \
        < breaks[2]
    instr = " ".join(e.text or "" for e in body.iter(f"{W}instrText"))
    assert "TOC" in instr
    entries = texts[texts.index(contents) + 1:breaks[1]]
    assert summary in entries and catalog.text("report.methods", lang) in entries
    assert len(entries) >= 8  # the summary, the methods, every part and the appendix


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_summary_gives_number_test_and_n_without_causal_words(reports, lang):
    paragraphs = _paragraphs(_body(reports, lang=lang))
    texts = [t for _, t in paragraphs]
    start = _heading(paragraphs, catalog.text("report.summary", lang))
    end = _heading(paragraphs, catalog.text("report.methods", lang))
    findings = texts[start + 2:end]
    findings = [f for f in findings if f.strip()]
    assert 6 <= len(findings) <= 12
    for f in findings:
        assert re.search(r"\d", f), f
        assert re.search(r"\b(n|N)\s*=\s*\d|\(\d+ (of|av) \d+\)| (of|av) \d+ ", f), f
        lowered = f.lower()
        assert not [w for w in CAUSAL[lang] if w in lowered], f
    assert any(re.search(r"\b(t|F|χ²)\(\d", f) for f in findings)


def test_word_tables_repeat_their_header_rows_and_italicise_symbols(reports):
    body = _body(reports)
    tables = list(body.iter(f"{W}tbl"))
    assert len(tables) > 20
    for tbl in tables:
        first = tbl.find(f"{W}tr")
        assert first.find(f"{W}trPr/{W}tblHeader") is not None
    italic = {"".join(t.text for t in r.iter(f"{W}t")) for tbl in tables
              for r in tbl.iter(f"{W}r") if r.find(f"{W}rPr/{W}i") is not None}
    assert {"M", "SD", "n", "p", "t", "F", "df"} <= italic
    assert "Mdn" in italic


def test_a_wide_table_gets_a_landscape_page(reports):
    body = _body(reports)
    orients = [s.find(f"{W}pgSz").get(f"{W}orient") for s in body.iter(f"{W}sectPr")]
    assert "landscape" in orients
    assert orients[-1] != "landscape"  # the report ends in portrait


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_excel_has_a_cover_sheet_with_the_index_and_the_synthetic_warning(reports, lang):
    from openpyxl import load_workbook

    book = load_workbook(reports["report", lang] / "report.xlsx")
    cover = book.worksheets[0]
    assert cover.title == catalog.text("report.cover_sheet", lang)
    values = [c.value for row in cover.iter_rows() for c in row if c.value]
    assert ("SIP" if lang == "sv" else "CIP") in values[0]  # the report's title
    assert catalog.text("report.synthetic", lang) in values
    assert any(str(v).startswith(catalog.text("report.methods_data", lang,
                                              n="705", files="")[:20]) for v in values)
    links = {c.hyperlink.location if c.hyperlink.location else c.hyperlink.target
             for row in cover.iter_rows() for c in row if c.hyperlink}
    sheets = book.sheetnames[1:]
    assert {f"#'{s}'!A1" for s in sheets} <= {link if link.startswith("#") else "#" + link
                                              for link in links}
    titles = {t.caption: t.title for t in html_tables(reports["report", lang] / "report.html")}
    index = [str(v) for v in values if re.match(r"(Table|Tabell) A?\d+: ", str(v))]
    assert len(index) == len(sheets)
    for entry in index:
        name, title = entry.split(": ", 1)
        assert titles[name] == title and len(name) <= 31


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_excel_headings_are_labels_in_the_reports_language(reports, lang):
    from openpyxl import load_workbook

    book = load_workbook(reports["report", lang] / "report.xlsx")
    for ws in book.worksheets[1:]:
        for row in ws.iter_rows(min_row=4, max_row=6):
            for cell in row:
                if isinstance(cell.value, str):
                    assert not re.search(r"\b[a-z]+_[a-z_]+\b", cell.value), (ws.title,
                                                                               cell.value)
    heads = {v for ws in book.worksheets[1:] for row in ws.iter_rows(min_row=4, max_row=6)
             for v in (c.value for c in row) if isinstance(v, str)}
    if lang == "sv":
        assert {"Totalt", "Kvinna", "fg"} <= heads
        assert not {"Total", "Woman", "df", "Statistic", "Estimate"} & heads


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_methods_name_each_test_once_with_the_missing_data_rule(reports, lang):
    import json

    methods = json.loads((reports["report", lang] / "results.json").read_text("utf-8"))[
        "methods"]
    names = [catalog.text(f"test.{k}", lang) for k in ("student_t", "welch_t", "scheffe",
                                                       "pearson_chi2", "cohens_d",
                                                       "hedges_g", "cramers_v")]
    for name in names:
        assert methods.count(name) == 1, name
    assert "pooled SD" not in methods and "Pearson chi-square" not in methods
    assert catalog.text("report.methods_missing", lang) in methods
    assert "642" in methods and "705" in methods  # α's complete cases, the score's n
    said = catalog.text("report.methods_denominator_all", lang, results="").split(",")[0]
    assert said in methods
    for family in ("means", "categorical", "models"):
        assert catalog.text(f"report.assume_{family}", lang) in methods


@pytest.mark.parametrize(("command", "lang"), [("report", "en"), ("report", "sv"),
                                               ("compare", "en"), ("compare", "sv")])
def test_no_negative_zero_anywhere(reports, command, lang):
    folder = reports[command, lang]
    texts = (docx_texts(folder / "report.docx") + xlsx_texts(folder / "report.xlsx")
             + [c for t in html_tables(folder / "report.html") for row in t.body for c in row])
    bad = [t for t in texts if re.search(r"[−-]0(?:[.,]0+)?(?![\d.,])", t)]
    assert not bad, bad[:10]


def test_se_and_ci_at_the_estimates_precision(reports):
    """A coefficient of −0.0031 has its SE and CI at four decimals, not 0.00 beside it."""
    for t in html_tables(reports["report", "en"] / "report.html"):
        if not t.key.endswith(".coefficients"):
            continue
        head = t.header[-1]
        b, se = head.index("B"), head.index("SE")
        for row in t.body:
            places = len(row[b].split(".")[-1])
            assert len(row[se].split(".")[-1]) == places, (t.key, row)
            lows = re.findall(r"\.(\d+)", row[head.index("95% CI")])
            assert all(len(x) == places for x in lows), (t.key, row)
