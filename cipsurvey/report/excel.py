"""The Excel workbook: the report's tables for people who go on working with the numbers.

A cover sheet says what the workbook is (title, data source, the SYNTHETIC warning where it
applies, the methods, the key findings) and lists every sheet with its table's full title,
linked. Each table has a sheet named by its number ("Tabell 3"), with the same headings as
the report in the report's language; every number stays a number, with a number format of
its kind's precision, and a cell that shows two numbers in the report ("518 (92.2)",
"[0.03, 0.40]") is two columns here. Where the report reproduces a paper, the paper's
printed values stand in a column beside the reproduced ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..files import neutralise
from ..lang.numbers import excel_format
from .document import Document
from .publication import Column, PubTable

TITLE_SIZE = 14
WIDEST = 60  # characters: longer texts wrap
COVER_WIDTH = 110  # characters: the cover sheet's text column


def _width(text: str) -> float:
    return len(text) * 1.1 + 2


def _columns(table: PubTable) -> list[tuple[int, Column, int]]:
    """(table column, column, number of sheet columns) for each table column."""
    out = []
    for k, col in enumerate(table.columns):
        n = max([len(col.parts)] + [len(r.cells[k].nums) for r in table.rows]) or 1
        if col.text:
            n = 1
        out.append((k, col, n))
    return out


def write_table_sheet(book: Any, table: PubTable, name: str, t: Any, lang: str) -> Any:
    """One table on its own sheet; returns the sheet."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(name)
    ws["A1"] = f"{t('table')} {table.number}"
    ws["A1"].font = Font(bold=True, size=12)
    ws["A2"] = neutralise(table.title)
    ws["A2"].font = Font(italic=True)
    layout = _columns(table)
    papers = {k for k in range(table.width) if any(r.cells[k].paper for r in table.rows)}
    # sheet column of each table column, and of its paper column
    at, starts, paper_at = 1, {}, {}
    for k, _, n in layout:
        starts[k] = at
        at += n
        if k in papers:
            paper_at[k] = at
            at += 1
    last_col = at - 1
    row = 4
    rule = Side(style="thin")
    has_spanner = any(c.spanner for c in table.columns)
    has_parts = any(n > 1 for _, _, n in layout)
    head_rows = []
    if has_spanner:
        for k, j, text in table.spanner_runs():
            if text:
                first = starts[k]
                end = (paper_at.get(j) or starts[j] + layout[j][2] - 1)
                ws.cell(row, first, neutralise(text)).alignment = Alignment(
                    horizontal="center", wrap_text=True)
                if end > first:
                    ws.merge_cells(start_row=row, start_column=first, end_row=row,
                                   end_column=end)
        head_rows.append(row)
        row += 1
    heading_row = row
    for k, col, n in layout:
        c = ws.cell(row, starts[k], neutralise(col.heading))
        c.alignment = Alignment(wrap_text=True, horizontal="left" if col.text else "center")
        if n > 1:
            ws.merge_cells(start_row=row, start_column=starts[k], end_row=row,
                           end_column=starts[k] + n - 1)
        if k in paper_at:
            head = neutralise(t("paper_column", heading=col.heading))
            ws.cell(row, paper_at[k], head).alignment = Alignment(wrap_text=True,
                                                                  horizontal="center")
    head_rows.append(row)
    row += 1
    if has_parts:
        for k, col, n in layout:
            if n > 1:
                for j, part in enumerate(col.parts[:n]):
                    ws.cell(row, starts[k] + j, neutralise(part)).alignment = Alignment(
                        horizontal="right")
        head_rows.append(row)
        row += 1
    for c in range(1, last_col + 1):
        ws.cell(head_rows[0], c).border = Border(top=rule)
        ws.cell(head_rows[-1], c).border = Border(bottom=rule)
    first_body = row
    widths = {c: 8.0 for c in range(1, last_col + 1)}
    for r in table.rows:
        for k, col, n in layout:
            cell = r.cells[k]
            if col.text or not cell.nums:
                if cell.text:
                    x = ws.cell(row, starts[k], neutralise(cell.text))
                    if r.indent and k == 0:
                        x.alignment = Alignment(indent=1)
                    if not (r.block and k == 0):
                        widths[starts[k]] = max(widths[starts[k]], min(WIDEST,
                                                                       _width(cell.text)))
            else:
                for j, num in enumerate(cell.nums[:n]):
                    if num.value is None:
                        continue
                    x = ws.cell(row, starts[k] + j, num.value)
                    x.number_format = excel_format(num.kind, lang, num.places)
                    widths[starts[k] + j] = max(widths[starts[k] + j],
                                                _width(f"{num.value:.{num.places or 2}f}"))
            if k in paper_at and cell.paper:
                ws.cell(row, paper_at[k], neutralise(cell.paper)).alignment = Alignment(
                    horizontal="right")
                widths[paper_at[k]] = max(widths[paper_at[k]], _width(cell.paper))
        row += 1
    for c in range(1, last_col + 1):
        ws.cell(row - 1, c).border = Border(bottom=rule)
    for k, col, n in layout:  # a heading wraps, but never inside a word
        longest = max((len(w) for w in col.heading.split()), default=0) + 2
        for j in range(n):
            widths[starts[k] + j] = max(widths[starts[k] + j], longest / n + 1)
    widths[1] = max(widths.get(1, 0.0), 12.0)
    for c, w in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = w
    # the heading row as tall as its most wrapped heading (a row keeps one line otherwise)
    lines = max(len(col.heading) // max(1, int(sum(widths[starts[k] + j] for j in range(n))
                                               - 2)) + 1 for k, col, n in layout) \
        if layout else 1
    ws.row_dimensions[heading_row].height = 15 * lines
    row += 1
    notes = list(table.notes)
    if papers:
        notes.append(t("paper_key_excel"))
    lines = ([f"{t('note_lead')} {' '.join(notes)}"] if notes else []) + list(table.footnotes)
    span = max(last_col, 6)
    for line in lines:
        ws.cell(row, 1, neutralise(line)).alignment = Alignment(wrap_text=True,
                                                                vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
        chars = sum(ws.column_dimensions[get_column_letter(c)].width for c in
                    range(1, span + 1))
        ws.row_dimensions[row].height = 15 * (1 + len(line) // max(20, int(chars)))
        row += 1
    ws.freeze_panes = ws.cell(first_body, 2)
    ws.print_title_rows = f"{head_rows[0]}:{head_rows[-1]}"
    _fit_to_page_width(ws, landscape=sum(widths.values()) > 100)
    return ws


def write_workbook(doc: Document, path: Path, t: Any, *, sources: list[tuple[str, ...]],
                   version: str) -> Path:
    """The workbook: the cover sheet and one sheet per table, written atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from ..files import atomic_write

    book = Workbook()
    cover = book.active
    cover.title = t("cover_sheet")
    lang = doc.lang
    cover["A1"] = neutralise(doc.title)
    cover["A1"].font = Font(bold=True, size=TITLE_SIZE)
    row = 2
    if doc.synthetic:
        cover.cell(row, 1, t("synthetic")).font = Font(bold=True, color="A03A00")
        row += 1
    cover.cell(row, 1, f"{t('generated')}: {doc.generated[:10]} · cipsurvey {version}")
    row += 2

    def heading(text: str) -> None:
        nonlocal row
        cover.cell(row, 1, neutralise(text)).font = Font(bold=True, size=12)
        row += 1

    def paragraph(text: str) -> None:
        nonlocal row
        c = cover.cell(row, 1, neutralise(text))
        c.alignment = Alignment(wrap_text=True, vertical="top")
        cover.row_dimensions[row].height = 15 * (1 + len(text) // (COVER_WIDTH - 10))
        row += 1

    heading(t("data_source"))
    head = [t("file"), t("format"), t("rows_read"), t("rows_kept"), t("rows_excluded")]
    for j, h in enumerate(head, start=1):
        cover.cell(row, j, neutralise(h)).font = Font(italic=True)
    row += 1
    for source in sources:
        for j, value in enumerate(source, start=1):
            cover.cell(row, j, neutralise(value))
        row += 1
    row += 1
    heading(t("summary"))
    for finding in doc.summary:
        paragraph("• " + finding)
    row += 1
    heading(t("methods"))
    for text in doc.methods:
        paragraph(text)
    row += 1
    heading(t("sheets"))
    for table in doc.tables():
        name = f"{t('table')} {table.number}"
        link = cover.cell(row, 1, neutralise(f"{name}: {table.title}"))
        link.hyperlink = f"#'{name}'!A1"
        link.font = Font(color="0B5F8A", underline="single")
        link.alignment = Alignment(wrap_text=True)
        row += 1
        write_table_sheet(book, table, name, t, lang)
    cover.column_dimensions["A"].width = COVER_WIDTH
    for col in "BCDE":
        cover.column_dimensions[col].width = 14
    _fit_to_page_width(cover, landscape=False)
    return atomic_write(path, lambda tmp: book.save(str(tmp)))


def _fit_to_page_width(ws: Any, *, landscape: bool) -> None:
    """Print the sheet as wide as one page (as many pages long as it takes)."""
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
