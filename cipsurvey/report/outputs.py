"""Write a computed report: results.json, HTML, Word, Excel and the figures.

Renderers only format what ``run_plan`` computed. The JSON keeps every number at full
precision (schema: docs/results-json.md); the Excel sheets keep numeric cells numeric; the
HTML and Word tables show rounded numbers with a footnote naming the test behind each p.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analysis import tables as T
from ..analysis.results import Report
from ..files import atomic_write, neutralise
from ..lang import localise_decimal, text, texts
from ..version import __version__
from .display import Shown, shown
from .figures import Figure, draw

SCHEMA = "cipsurvey-results/1"


@dataclass
class Written:
    """The files a report was written to."""

    html: Path
    docx: Path
    xlsx: Path
    json: Path
    figures: list[Figure]


def _clean(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def table_records(frame: pd.DataFrame) -> dict[str, Any]:
    """A table as JSON: column names and rows, numbers at full precision."""
    return {"columns": [str(c) for c in frame.columns],
            "rows": [[_clean(v) for v in rec] for rec in frame.itertuples(index=False)]}


def software() -> dict[str, str]:
    """The versions of the software that computed the report."""
    import pyreadstat
    import scipy
    import statsmodels

    return {"cipsurvey": __version__, "python": platform.python_version(),
            "pandas": pd.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__, "pyreadstat": pyreadstat.__version__}


def is_synthetic(report: Report) -> bool:
    """Whether the report's data are the SYNTHETIC demo files."""
    return any("synthetic" in Path(f.file).name for f in report.survey.account.files)


def methods_paragraph(report: Report, invited: int | None = None) -> str:
    """A methods paragraph written from the results (N, sources, tests, α, software)."""
    survey, lang = report.survey, report.lang
    acc = survey.account
    n = acc.rows_kept
    formats = ", ".join(sorted({f.format for f in acc.files}))
    tests = sorted({str(m) for r in report.results for t in r.tables.values()
                    if "method" in t.columns for m in t["method"].dropna().unique() if m})
    sw = software()
    soft = ", ".join(f"{k} {v}" for k, v in sw.items())
    own = getattr(report, "methods", "")  # a comparison writes its own (responses vs people)
    if own:
        return own + " " + text("report.software", lang, software=soft)
    rate = ""
    if invited:
        percent = localise_decimal(f"{100 * n / invited:.1f}", lang)
        rate = text("report.methods_rate", lang, invited=invited, percent=percent)
    return text("report.methods_paragraph", lang, n=n, rate=rate, files=len(acc.files),
                formats=formats, excluded=acc.rows_excluded,
                alpha=localise_decimal(f"{report.plan.alpha:g}", lang),
                tests="; ".join(tests), software=soft)


def results_json(report: Report, figures: list[Figure], invited: int | None = None,
                 generated: str | None = None, methods: str | None = None) -> dict[str, Any]:
    """The report as the results.json document (docs/results-json.md)."""
    survey = report.survey
    problems = survey.problems.groupby(["severity", "code"]).size().reset_index(name="n")
    return {
        "schema": SCHEMA,
        "generated": generated or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "synthetic_data": is_synthetic(report),
        "instrument": survey.instrument.id,
        "plan": report.plan.id,
        "lang": report.lang,
        "alpha": report.plan.alpha,
        "conf": report.plan.conf,
        "software": software(),
        "methods": methods or methods_paragraph(report, invited),
        "account": _clean_tree(survey.account.as_dict()),
        "validation": table_records(problems),
        "results": [{
            "id": r.id, "section": r.section, "kind": r.kind, "title": r.title,
            "addition": r.addition, "source": r.source, "n": r.n, "notes": r.notes,
            "error": r.error, "figure": r.figure,
            "tables": {name: table_records(t) for name, t in r.tables.items()
                       if not (r.kind == "figure" and name == T.DATA and len(t) > 500)},
        } for r in report.results],
        "figures": figure_records(figures),
    }


def figure_records(figures: list[Figure]) -> list[dict[str, str]]:
    """The figures as results.json lists them."""
    return [{"id": f.id, "alt": f.alt, "png": f.png.name, "svg": f.svg.name} for f in figures]


def _clean_tree(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _clean_tree(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean_tree(v) for v in obj]
    return _clean(obj)


# --------------------------------------------------------------------------- HTML

_HTML = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:68rem;margin:1.5rem auto;
padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem}h2{border-bottom:2px solid #0072b2;padding-bottom:.2rem;margin-top:2.2rem}
h3{font-size:1.05rem;margin-top:1.6rem}
table{border-collapse:collapse;margin:.4rem 0 .2rem;font-size:.86rem}
th,td{padding:.18rem .55rem;text-align:right;border-bottom:1px solid #ddd}
th:first-child,td:first-child,th.text,td.text{text-align:left}
thead th{border-top:2px solid #333;border-bottom:1px solid #333}
tbody tr:last-child td{border-bottom:2px solid #333}
.note,.foot{font-size:.8rem;color:#444;margin:.1rem 0}
.addition{display:inline-block;background:#e8f1fa;color:#004a77;border-radius:3px;
padding:0 .35rem;font-size:.75rem;margin-left:.4rem;vertical-align:middle}
.synthetic{background:#fff4e5;border-left:4px solid #e69f00;padding:.5rem .8rem}
.error{color:#a00}
figure{margin:1rem 0}figure img{max-width:100%;height:auto}
figcaption{font-size:.85rem;color:#333}
</style></head><body>
<h1>{{ title }}</h1>
{% if synthetic %}<p class="synthetic"><strong>{{ t.synthetic }}</strong></p>{% endif %}
<p class="note">{{ t.generated }}: {{ generated }}</p>
<h2 id="account">{{ t.account }}</h2>
<table><thead><tr><th>{{ t.file }}</th><th class="text">{{ t.format }}</th><th>{{ t.read }}</th>
<th>{{ t.kept }}</th><th>{{ t.excluded }}</th></tr></thead><tbody>
{% for f in account %}<tr><td>{{ f.file }}</td><td class="text">{{ f.format }}</td>
<td>{{ f.rows_read }}</td><td>{{ f.rows_kept }}</td><td>{{ f.rows_excluded }}</td></tr>
{% endfor %}
</tbody></table>
{% for e in exclusions %}<p class="foot">{{ e }}</p>{% endfor %}
<h3>{{ t.validation }}</h3>
<table><thead><tr><th>{{ t.severity }}</th><th class="text">{{ t.code }}</th>
<th>{{ t.count }}</th></tr></thead><tbody>
{% for p in problems %}<tr><td>{{ p[0] }}</td><td class="text">{{ p[1] }}</td>
<td>{{ p[2] }}</td></tr>{% endfor %}
</tbody></table>
<h2 id="methods">{{ t.methods }}</h2>
<p>{{ methods }}</p>
{% for section in sections %}
<h2 id="{{ section.id }}">{{ section.title }}</h2>
{% for r in section.results %}
<section class="result" id="r-{{ r.id }}">
<h3>{{ r.title }}{% if r.addition %}<span class="addition">{{ t.addition }}</span>{% endif %}</h3>
{% if r.source %}<p class="note">{{ t.source }}: {{ r.source }}</p>{% endif %}
{% if r.error %}<p class="error">{{ t.error }}: {{ r.error }}</p>{% endif %}
{% for note in r.notes %}<p class="note">{{ note }}</p>{% endfor %}
{% if r.figure %}<figure>
<img src="data:image/png;base64,{{ r.figure.b64 }}" alt="{{ r.figure.alt }}">
<figcaption>{{ t.figure }}: {{ r.title }}. {{ r.figure.alt }}</figcaption></figure>{% endif %}
{% for tab in r.tables %}
<table data-table="{{ r.id }}.{{ tab.name }}"><thead><tr>
{% for h in tab.headings %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in tab.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>
{% for fn in tab.footnotes %}<p class="foot">{{ fn }}</p>{% endfor %}
{% endfor %}
</section>
{% endfor %}
{% endfor %}
</body></html>
"""


def format_tables(report: Report) -> dict[tuple[str, str], Shown]:
    """Every table of the report as shown in HTML and Word, formatted once for both."""
    return {(r.id, name): shown(name, frame, report.lang, r.conf)
            for r in report.results if r.kind != "figure" for name, frame in r.tables.items()}


def _sections(report: Report, figures: dict[str, Figure],
              formatted: dict[tuple[str, str], Shown]) -> list[dict[str, Any]]:
    out = []
    for section in report.plan.sections:
        results = []
        for r in report.results:
            if r.section != section.id:
                continue
            tables = []
            if r.kind != "figure":
                for name in r.tables:
                    s = formatted[r.id, name]
                    tables.append({"name": name, "headings": s.headings, "rows": s.rows,
                                   "footnotes": s.footnotes})
            fig = figures.get(r.id)
            results.append({"id": r.id, "title": r.title, "addition": r.addition,
                            "source": r.source, "error": r.error, "notes": r.notes,
                            "tables": tables,
                            "figure": {"alt": fig.alt, "b64": base64.b64encode(
                                fig.png.read_bytes()).decode("ascii")} if fig else None})
        out.append({"id": section.id, "title": section.title.get(report.lang),
                    "results": results})
    return out


def write_html(report: Report, path: Path, figures: dict[str, Figure], methods: str,
               generated: str, formatted: dict[tuple[str, str], Shown] | None = None) -> Path:
    """The HTML report: one page, figures inlined."""
    from jinja2 import Environment

    env = Environment(autoescape=True)
    acc = report.survey.account
    problems = report.survey.problems.groupby(["severity", "code"]).size().reset_index()
    html = env.from_string(_HTML).render(
        lang=report.lang, t=texts("report", report.lang), title=report.plan.title.get(report.lang),
        synthetic=is_synthetic(report), generated=generated,
        account=[{"file": Path(f.file).name, "format": f.format, "rows_read": f.rows_read,
                  "rows_kept": f.rows_kept, "rows_excluded": f.rows_excluded}
                 for f in acc.files],
        exclusions=[f"{Path(r['file']).name}: {r['rows']} × {r['reason']}"
                    for _, r in acc.reasons().iterrows()],
        problems=problems.values.tolist(), methods=methods,
        sections=_sections(report, figures,
                           format_tables(report) if formatted is None else formatted))
    return atomic_write(path, lambda tmp: tmp.write_text(html, encoding="utf-8"))


# --------------------------------------------------------------------------- Word


def write_docx(report: Report, path: Path, figures: dict[str, Figure], methods: str,
               formatted: dict[tuple[str, str], Shown] | None = None) -> Path:
    """The Word report: account, methods, then every table and figure in plan order."""
    return WordReport(report, methods, formatted).save(path, figures)


class WordReport:
    """A Word report built in two steps: text and tables first, then the figures.

    The figures' places are kept as empty paragraphs, so that the document can be built
    while the figures are still being drawn (by the report command's worker process).
    """

    def __init__(self, report: Report, methods: str,
                 formatted: dict[tuple[str, str], Shown] | None = None) -> None:
        from docx import Document
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        t = texts("report", report.lang)
        formatted = format_tables(report) if formatted is None else formatted
        doc = Document()
        style = doc.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(11)
        doc.core_properties.title = report.plan.title.get(report.lang)
        doc.core_properties.author = "cipsurvey"
        doc.add_heading(report.plan.title.get(report.lang), level=0)
        if is_synthetic(report):
            doc.add_paragraph().add_run(t["synthetic"]).bold = True
        doc.add_heading(t["account"], level=1)
        acc = report.survey.account
        _docx_table(doc, [t["file"], t["format"], t["read"], t["kept"], t["excluded"]],
                    [[Path(f.file).name, f.format, str(f.rows_read), str(f.rows_kept),
                      str(f.rows_excluded)] for f in acc.files])
        doc.add_heading(t["methods"], level=1)
        doc.add_paragraph(methods)
        self.doc = doc
        self.slots: list[tuple[str, str, list[Any]]] = []  # id, title, title/picture/alt
        number = 0
        for section in report.plan.sections:
            doc.add_heading(section.title.get(report.lang), level=1)
            for r in report.results:
                if r.section != section.id:
                    continue
                title = r.title + (f" ({t['addition']})" if r.addition else "")
                if r.kind == "figure":
                    self.slots.append((r.id, title, [doc.add_paragraph() for _ in range(3)]))
                    continue
                for name in r.tables:
                    number += 1
                    cap = doc.add_paragraph()
                    cap.add_run(f"{t['table']} {number}").bold = True
                    doc.add_paragraph().add_run(title).italic = True
                    s = formatted[r.id, name]
                    table = _docx_table(doc, s.headings, s.rows)
                    table.alignment = 0
                    for fn in [*r.notes, *s.footnotes]:
                        p = doc.add_paragraph(fn)
                        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
                        p.runs[0].font.size = Pt(9)
                if r.error:
                    doc.add_paragraph(f"{t['error']}: {r.error}")

    def save(self, path: Path, figures: dict[str, Figure]) -> Path:
        """Put the figures in their places (a figure without data leaves none) and save."""
        from docx.shared import Inches, Pt

        for rid, title, (head, picture, alt) in self.slots:
            fig = figures.get(rid)
            if fig is None:  # python-docx has no call to remove a paragraph; lxml does it
                for p in (head, picture, alt):
                    p._p.getparent().remove(p._p)
                continue
            head.add_run(title).italic = True
            picture.add_run().add_picture(str(fig.png), width=Inches(6.2))
            alt.add_run(fig.alt).font.size = Pt(9)
        self.slots = []
        return atomic_write(path, lambda tmp: self.doc.save(str(tmp)))


def _docx_table(doc, headings: list[str], rows: list[list[str]]):
    """An APA-style table: rules above and below the header and at the bottom only."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    width = len(headings)
    if any(len(row) != width for row in rows):
        raise ValueError("every row of a table needs one cell per heading")
    # one pass over the grid: python-docx's add_row() and row.cells re-read the whole
    # table's XML on every call, which made Word the slowest output
    table = doc.add_table(rows=1 + len(rows), cols=width)
    cells = table._cells
    for cell, heading in zip(cells[:width], headings, strict=True):
        cell.text = heading
        for run in cell.paragraphs[0].runs:
            run.bold = False
    # the body straight into the XML (python-docx's cell.text costs a fifth of a second
    # over the report's tables): the same <w:r><w:t> each new cell's empty paragraph would
    # get, except for text with tabs or breaks, which the library's own setter translates
    body = (value for row in rows for value in row)
    for cell, value in zip(cells[width:], body, strict=True):
        if any(ch in value for ch in "\t\n\r\f\v"):
            cell.text = value
        else:
            run = cell._tc.p_lst[0].add_r()
            if value:  # (an empty cell has an empty run, as python-docx writes it)
                run.add_t(value)

    def border(cell, edge: str) -> None:
        tc_pr = cell._tc.get_or_add_tcPr()
        borders = tc_pr.find(qn("w:tcBorders"))
        if borders is None:
            borders = OxmlElement("w:tcBorders")
            tc_pr.append(borders)
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "8")
        borders.append(el)

    for cell in cells[:width]:
        border(cell, "top")
        border(cell, "bottom")
    for cell in cells[-width:]:
        border(cell, "bottom")
    return table


# --------------------------------------------------------------------------- Excel


def write_xlsx(report: Report, path: Path) -> Path:
    """The Excel workbook: one sheet per table, numbers kept numeric."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for r in report.results:
        for name, frame in r.tables.items():
            if r.kind == "figure":
                continue
            title = _sheet_name(f"{r.id}.{name}", used)
            ws = book.create_sheet(title)
            ws.append([str(c) for c in frame.columns])
            for rec in frame.itertuples(index=False, name=None):
                ws.append([neutralise(_clean(v)) if not isinstance(v, float | int | np.number)
                           else _clean(v) for v in rec])
            for k, col in enumerate(frame.columns, start=1):
                ws.column_dimensions[get_column_letter(k)].width = min(40, max(10, len(str(col))
                                                                              + 2))
            ws.freeze_panes = "A2"
    return atomic_write(path, lambda tmp: book.save(str(tmp)))


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31]
    out, k = base, 2
    while out in used:
        suffix = f"~{k}"
        out, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(out)
    return out


# --------------------------------------------------------------------------- all


def write_report(report: Report, out_dir: Path, *, invited: int | None = None,
                 generated: str | None = None, min_cell: int = 0,
                 free_text: bool = False,
                 drawn: Callable[[], dict[str, Figure | None]] | None = None) -> Written:
    """Write every output into ``out_dir`` (created if needed).

    ``drawn``: where figures are being drawn elsewhere (the report command's worker
    process), a function that waits for them and returns them by result id; it is called
    once what needs no figure (the workbook, the Word text, the JSON's tables) is done.
    Figures it does not return are drawn here.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    fig_dir = out_dir / "figures"
    fig_dir.mkdir(exist_ok=True)
    # first what needs no figure, while they may still be being drawn elsewhere
    xlsx = write_xlsx(report, out_dir / "report.xlsx")
    generated = generated or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    methods = methods_paragraph(report, invited)
    methods += " " + text("report.ids_free_text_included" if free_text
                          else "report.ids_free_text_left_out", report.lang)
    if min_cell > 1:
        methods += " " + text("report.min_cell", report.lang, k=min_cell)
    payload = results_json(report, [], invited, generated, methods)
    payload["protection"] = {"min_cell": min_cell, "free_text": free_text,
                             "respondent_ids": "pseudonymised" if free_text else "left out"}
    formatted = format_tables(report)
    word = WordReport(report, methods, formatted)
    ready = drawn() if drawn else {}
    figures: dict[str, Figure] = {}
    failed = False
    for r in report.results:
        if r.kind == "figure":
            try:
                fig = ready[r.id] if r.id in ready else draw(r, fig_dir, report.lang)
            except Exception as exc:  # one figure that cannot be drawn: a note, not a crash
                r.notes.append(text("result.figure_failed", report.lang,
                                    reason=f"{type(exc).__name__}: {exc}"))
                failed = True
                continue
            if fig:
                figures[r.id] = fig
    if failed:  # the notes belong in the JSON too
        payload = results_json(report, [], invited, generated, methods) | {
            "protection": payload["protection"]}
    payload["figures"] = figure_records(list(figures.values()))
    json_path = atomic_write(out_dir / "results.json", lambda tmp: tmp.write_text(
        json.dumps(payload, ensure_ascii=False, indent=1, allow_nan=False), encoding="utf-8"))
    html = write_html(report, out_dir / "report.html", figures, methods, generated, formatted)
    docx = word.save(out_dir / "report.docx", figures)
    return Written(html, docx, xlsx, json_path, list(figures.values()))
