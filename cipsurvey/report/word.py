"""The Word report: a document a reader can publish without touching it.

A title page, a table of contents, the key findings on one page, the methods, then the
tables and figures, numbered as the document numbers them (APA: "Table 3" in bold, the title
in italics above the table, the note below). Each column is as wide as its longest word
needs (measured in Times Roman, see ``layout``), header rows repeat on every page a table
runs over, captions stay on the page of their table, statistical symbols are in italics,
and a table too wide for a portrait page gets a landscape page of its own.

Tables are written as WordprocessingML directly: python-docx's cell objects re-read the
whole table on every access, which made the Word file the slowest output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from .document import Document, PubFigure, Remark
from .figures import NotDrawn
from .layout import PADDING, column_widths, split
from .measure import width
from .publication import PubTable
from .symbols import segments

PAGE_W, PAGE_H = 595.3, 841.9   # A4 in points
MARGIN = 72.0                   # 2.54 cm
PORTRAIT = PAGE_W - 2 * MARGIN
LANDSCAPE = PAGE_H - 2 * MARGIN
CELL_MARGIN = 72                # twips (3.6 pt) left and right in every cell
#: a table lower than this share of the page's text height is kept on one page
KEEP_WHOLE = 0.8
GREY = "767676"
_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def _run(text: str, *, bold: bool = False, italic: bool = False, size: float | None = None,
         color: str | None = None) -> str:
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    if color:
        props += f'<w:color w:val="{color}"/>'
    if size:
        props += f'<w:sz w:val="{round(2 * size)}"/><w:szCs w:val="{round(2 * size)}"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _runs(text: str, *, generated: bool, bold: bool = False, size: float | None = None,
          italic: bool = False, color: str | None = None) -> str:
    """Runs of ``text``; in text the report wrote, statistical symbols in italics."""
    if not generated:
        return _run(text, bold=bold, italic=italic, size=size, color=color)
    return "".join(_run(piece, bold=bold, italic=italic or it, size=size, color=color)
                   for piece, it in segments(text))


def _para(runs: str, *, keep: bool = False, align: str | None = None, indent: int = 0,
          style: str | None = None, after: int = 0) -> str:
    ppr = (f'<w:pStyle w:val="{style}"/>' if style else "") + ("<w:keepNext/>" if keep else "")
    ppr += f'<w:spacing w:before="0" w:after="{after}"/>'
    if indent:
        ppr += f'<w:ind w:left="{indent}"/>'
    if align:
        ppr += f'<w:jc w:val="{align}"/>'
    return f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>"


def _border(edges: dict[str, int]) -> str:
    if not edges:
        return ""
    inner = "".join(f'<w:{e} w:val="single" w:sz="{sz}" w:space="0" w:color="000000"/>'
                    for e, sz in edges.items())
    return f"<w:tcBorders>{inner}</w:tcBorders>"


def _cell(width: int, content: str, *, span: int = 1, edges: dict[str, int] | None = None,
          valign: str = "bottom") -> str:
    tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        tcpr += f'<w:gridSpan w:val="{span}"/>'
    tcpr += _border(edges or {})
    tcpr += f'<w:vAlign w:val="{valign}"/>'
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{content}</w:tc>"


def _height(table: PubTable, widths: list[float], size: float) -> float:
    """About how tall a table prints, in points: each row as many lines as its most wrapped
    cell needs (a landscape page's text is the portrait page's width tall)."""
    total = 0.0
    for row in table.rows:
        lines = 1
        for k, cell in enumerate(row.cells):
            room = max(1.0, widths[k] - PADDING)
            need = width(cell.text, size) / room
            lines = max(lines, int(need) + 1 + bool(cell.paper))
        total += lines * size * 1.25 + 2
    return total


def table_xml(table: PubTable, widths: list[float], size: float, *,
              landscape: bool = False) -> str:
    """One publication table as a <w:tbl> element."""
    twips = [round(20 * w) for w in widths]
    n_rows = len(table.rows)
    # a table that fits on a page is kept on one; a longer one keeps its first rows with
    # the caption and header, and flows on
    room = KEEP_WHOLE * ((PAGE_W if landscape else PAGE_H) - 2 * MARGIN)
    keep_rows = n_rows if _height(table, widths, size) <= room else 2
    rows: list[str] = []
    header_rows: list[list[str]] = []
    # the spanner row: one merged cell over each run of columns sharing a spanner
    if any(c.spanner for c in table.columns):
        cells = []
        for k, j, span_text in table.spanner_runs():
            edges = {"top": 8}
            if span_text:
                edges["bottom"] = 4
            cells.append(_cell(sum(twips[k:j + 1]),
                               _para(_runs(span_text, generated=True, size=size),
                                     keep=True, align="center"), span=j - k + 1,
                               edges=edges))
        header_rows.append(cells)
    first_header = not header_rows
    heads = []
    for k, col in enumerate(table.columns):
        edges = {"bottom": 8}
        if first_header:
            edges["top"] = 8
        heads.append(_cell(twips[k], _para(_runs(col.heading, generated=True, size=size),
                                           keep=True, align=None if col.text else "right"),
                           edges=edges))
    header_rows.append(heads)
    for cells in header_rows:
        rows.append('<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>'
                    + "".join(cells) + "</w:tr>")
    for i, row in enumerate(table.rows):
        last = i == n_rows - 1
        keep = i < keep_rows - 1 or (i < keep_rows and not last)
        out, k = [], 0
        while k < table.width:
            cell = row.cells[k]
            span = 1
            if row.block and k == 0:
                while k + span < table.width and not row.cells[k + span].text:
                    span += 1
            col = table.columns[k]
            runs = _runs(cell.text, generated=cell.generated, size=size,
                         italic=False)
            if cell.paper:
                runs += "<w:r><w:br/></w:r>" + _run(cell.paper, size=size - 1, color=GREY)
            align = None if col.text else "right"
            indent = 180 if (row.indent and k == 0) else 0
            edges = {"bottom": 8} if last else {}
            if row.total and not last:
                edges = {"top": 4}
            out.append(_cell(sum(twips[k:k + span]),
                             _para(runs, keep=keep, align=align, indent=indent), span=span,
                             edges=edges, valign="top"))
            k += span
        rows.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(out) + "</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
    tblpr = (f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
             f'<w:tblCellMar><w:left w:w="{CELL_MARGIN}" w:type="dxa"/>'
             f'<w:right w:w="{CELL_MARGIN}" w:type="dxa"/></w:tblCellMar>'
             '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
             'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>')
    return (f"<w:tbl {_NS}><w:tblPr>{tblpr}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
            + "".join(rows) + "</w:tbl>")


class WordWriter:
    """Builds the Word report from a :class:`Document`; figures are put in their places
    when they are ready (they may be drawn in another process meanwhile)."""

    def __init__(self, doc: Document, t: Any, *, version: str) -> None:
        from docx import Document as Docx
        from docx.shared import Pt

        self.doc_model = doc
        self.t = t
        d = Docx()
        self.d = d
        sec = d.sections[0]
        from docx.shared import Emu

        sec.page_width, sec.page_height = Emu(int(PAGE_W * 12700)), Emu(int(PAGE_H * 12700))
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(sec, side, Emu(int(MARGIN * 12700)))
        normal = d.styles["Normal"]
        normal.font.name = "Times New Roman"
        normal.font.size = Pt(11)
        for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "TOC Heading"):
            d.styles[name].font.name = "Times New Roman"
        d.core_properties.title = doc.title
        d.core_properties.author = "cipsurvey"
        d.core_properties.language = t("locale")
        self._language(t("locale"))
        self.slots: list[tuple[PubFigure, Any]] = []
        self._landscape = False
        self._bookmarks = 0
        self._title_page(version)
        self._contents()
        self._summary()
        self._methods()
        for part in doc.all_parts():
            self._part(part)

    # ---- plumbing
    def _append(self, xml: str) -> Any:
        from docx.oxml import parse_xml

        element = parse_xml(xml)
        body = self.d.element.body
        body.insert(len(body) - 1, element)
        return element

    def _language(self, code: str) -> None:
        """Set the proofing language of the styles (Word's spelling check, hyphenation)."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        rpr = self.d.styles["Normal"].element.get_or_add_rPr()
        el = OxmlElement("w:lang")
        el.set(qn("w:val"), code)
        rpr.append(el)

    def _orient(self, landscape: bool) -> None:
        if landscape == self._landscape:
            return
        from docx.enum.section import WD_ORIENT, WD_SECTION
        from docx.shared import Emu

        sec = self.d.add_section(WD_SECTION.NEW_PAGE)
        sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        w, h = (PAGE_H, PAGE_W) if landscape else (PAGE_W, PAGE_H)
        sec.page_width, sec.page_height = Emu(int(w * 12700)), Emu(int(h * 12700))
        self._landscape = landscape

    def _heading(self, text: str, level: int, anchor: str | None = None) -> None:
        p = self.d.add_heading(text, level=level)
        if anchor:
            from docx.oxml import OxmlElement
            from docx.oxml.ns import qn

            self._bookmarks += 1
            start = OxmlElement("w:bookmarkStart")
            start.set(qn("w:id"), str(self._bookmarks))
            start.set(qn("w:name"), anchor)
            end = OxmlElement("w:bookmarkEnd")
            end.set(qn("w:id"), start.get(qn("w:id")))
            p._p.insert(1, start)
            p._p.append(end)

    def _page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # ---- the parts of the document
    def _title_page(self, version: str) -> None:
        from docx.shared import Pt, RGBColor

        m = self.doc_model
        self.d.add_paragraph(m.title, style="Title")
        if m.synthetic:
            run = self.d.add_paragraph().add_run(self.t("synthetic"))
            run.bold = True
            run.font.color.rgb = RGBColor(0xA0, 0x3A, 0x00)
        p = self.d.add_paragraph()
        p.add_run(f"{self.t('generated')}: {m.generated[:10]}").font.size = Pt(10)
        p = self.d.add_paragraph()
        p.add_run(f"cipsurvey {version}").font.size = Pt(10)
        self._page_break()

    def _contents(self) -> None:
        """A table of contents field, filled in with the headings so that it reads right
        before Word updates it (Word adds the page numbers when it opens the file)."""
        m = self.doc_model
        self.d.add_paragraph(self.t("contents"), style="TOC Heading")
        entries = [self.t("summary"), self.t("methods")] + [p.title for p in m.all_parts()]
        begin = ('<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
                 '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-1" \\h \\z \\u '
                 '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>')
        for k, entry in enumerate(entries):
            lead = begin if k == 0 else ""
            tail = ('<w:r><w:fldChar w:fldCharType="end"/></w:r>'
                    if k == len(entries) - 1 else "")
            self._append(f"<w:p {_NS}><w:pPr><w:spacing w:before=\"0\" w:after=\"60\"/>"
                         f"</w:pPr>{lead}{_run(entry)}{tail}</w:p>")
        self._update_fields_on_open()
        self._page_break()

    def _update_fields_on_open(self) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        settings = self.d.settings.element
        el = OxmlElement("w:updateFields")
        el.set(qn("w:val"), "true")
        settings.append(el)

    def _summary(self) -> None:
        m = self.doc_model
        self._heading(self.t("summary"), 1, "summary")
        p = self.d.add_paragraph()
        for piece, it in segments(self.t("summary_lead")):
            p.add_run(piece).italic = True if it else None
        for finding in m.summary:
            para = self.d.add_paragraph(style="List Bullet")
            for piece, it in segments(finding):
                run = para.add_run(piece)
                if it:
                    run.italic = True
        self._page_break()

    def _methods(self) -> None:
        self._heading(self.t("methods"), 1, "methods")
        for paragraph in self.doc_model.methods:
            p = self.d.add_paragraph()
            for piece, it in segments(paragraph):
                run = p.add_run(piece)
                if it:
                    run.italic = True

    def _part(self, part: Any) -> None:
        self._orient(False)
        self._heading(part.title, 1, part.id)
        for item in part.items:
            if isinstance(item, PubTable):
                self._table(item)
            elif isinstance(item, PubFigure):
                self._orient(False)
                self._figure(item)
            elif isinstance(item, Remark):
                self.d.add_paragraph(item.text)

    def _caption(self, label: str, title: str) -> None:
        self._append(f"<w:p {_NS}><w:pPr><w:keepNext/><w:spacing w:before=\"240\" "
                     f"w:after=\"60\"/></w:pPr>{_run(label, bold=True)}</w:p>")
        self._append(f"<w:p {_NS}><w:pPr><w:keepNext/><w:spacing w:before=\"0\" "
                     f"w:after=\"120\"/></w:pPr>"
                     f"{_runs(title, generated=False, italic=True)}</w:p>")

    def _notes(self, notes: list[str], footnotes: list[str], size: float = 9.0) -> None:
        if notes:
            runs = _run(self.t("note_lead") + " ", italic=True, size=size)
            runs += _runs(" ".join(notes), generated=True, size=size)
            self._append(f"<w:p {_NS}><w:pPr><w:spacing w:before=\"60\" w:after=\"0\"/>"
                         f"</w:pPr>{runs}</w:p>")
        for fn in footnotes:
            self._append(f"<w:p {_NS}><w:pPr><w:spacing w:before=\"0\" w:after=\"0\"/>"
                         f"</w:pPr>{_runs(fn, generated=True, size=size)}</w:p>")

    def _table(self, table: PubTable) -> None:
        widths = column_widths(table, PORTRAIT, LANDSCAPE)
        if not widths.fits:  # too wide for any page: in parts, the labels in each
            for part in split(table, LANDSCAPE):
                self._table(part)
            return
        self._orient(widths.landscape)
        label = f"{self.t('table')} {table.number}"
        if table.part:
            label = self.t("continued", label=label)
        self._caption(label, table.title)
        self._append(table_xml(table, widths.columns, widths.size,
                               landscape=widths.landscape))
        notes = list(table.notes)
        if table.notes and any(c.paper for r in table.rows for c in r.cells):
            notes.append(self.t("paper_key"))
        self._notes(notes, table.footnotes)

    def _figure(self, fig: PubFigure) -> None:
        self._caption(f"{self.t('figure')} {fig.number}", fig.title)
        picture = self.d.add_paragraph()
        note = self.d.add_paragraph()
        self.slots.append((fig, (picture, note)))

    def save(self, path: Path, figures: dict[str, Any]) -> Path:
        """Put the drawn figures in their places (a figure without data leaves its caption
        with a note) and write the file atomically."""
        from docx.shared import Inches, Pt

        from ..files import atomic_write

        for fig, (picture, note) in self.slots:
            drawn = figures.get(fig.result)
            if drawn is None or isinstance(drawn, NotDrawn):
                why = drawn.note if drawn is not None else self.t("figure_empty")
                note.add_run(why).font.size = Pt(9)
                continue
            picture.add_run().add_picture(str(drawn.png), width=Inches(6.2))
            lead = note.add_run(self.t("note_lead") + " ")
            lead.italic = True
            lead.font.size = Pt(9)
            note.add_run(drawn.alt).font.size = Pt(9)
        self.slots = []
        return atomic_write(path, lambda tmp: self.d.save(str(tmp)))
