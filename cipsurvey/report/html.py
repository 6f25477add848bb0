"""The HTML report: one self-contained page a reader can find their way in.

It opens on a table of contents, the key findings and the methods; each part of the report
below folds open on demand (a link to a table opens its part), so the page is a few screens
long until the reader asks for more. Tables scroll sideways inside their own box on a phone
and fit the window on a desktop. Figures are embedded; nothing is fetched from elsewhere.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path
from typing import Any

from .document import Document, PubFigure, Remark
from .figures import NotDrawn
from .layout import column_widths, split
from .publication import PubTable
from .symbols import segments

_STYLE = """
:root{--ink:#1b1b1b;--muted:#555;--rule:#333;--accent:#0b5f8a}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
line-height:1.45;margin:0 auto;max-width:76rem;padding:0 1.25rem 3rem}
h1{font-size:1.7rem;margin:1.4rem 0 .4rem}h2{font-size:1.3rem;margin:0}
.meta{color:var(--muted);font-size:.85rem;margin:.2rem 0}
.synthetic{background:#fff4e5;border-left:4px solid #e69f00;padding:.55rem .8rem;margin:.8rem 0}
nav.toc{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
nav.toc ol{margin:.3rem 0 0;padding-left:1.3rem;columns:2 18rem}
nav.toc li{margin:.1rem 0;break-inside:avoid}
a{color:var(--accent)}
section.top{margin:1.4rem 0}
section.top h2{border-bottom:2px solid var(--accent);padding-bottom:.2rem;margin-bottom:.6rem}
ul.findings li{margin:.35rem 0}
.lead{color:var(--muted)}
details.part{border-top:2px solid var(--accent);margin:1rem 0}
details.part>summary{cursor:pointer;padding:.5rem 0;list-style-position:outside}
details.part>summary h2{display:inline}
.count{color:var(--muted);font-size:.85rem;font-weight:normal}
.tbl,figure{margin:1.3rem 0}
.tnum{font-weight:bold;margin:0}.ttitle{font-style:italic;margin:0 0 .35rem}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.86rem;font-variant-numeric:tabular-nums}
th,td{padding:.2rem .6rem;text-align:right;vertical-align:bottom}
th.text,td.text{text-align:left}
thead tr:first-child th{border-top:2px solid var(--rule)}
thead tr:last-child th{border-bottom:1px solid var(--rule);font-weight:normal}
thead th.spanner{border-bottom:1px solid #999;text-align:center;font-weight:normal}
tbody tr:last-child td,tbody tr:last-child th{border-bottom:2px solid var(--rule)}
tr.block th{text-align:left;font-weight:normal;padding-top:.45rem}
tr.indent td.text{padding-left:1.4rem}
tr.total td{border-top:1px solid #bbb}
td.num{white-space:nowrap}
.paper{display:block;color:#6b6b6b;font-size:.78rem}
.note,.fn{font-size:.8rem;color:#333;margin:.25rem 0;max-width:60rem}
.error{color:#a00}
figure img{max-width:100%;height:auto}
@media (max-width:600px){body{padding:0 .6rem 2rem}h1{font-size:1.35rem}
table{font-size:.78rem}th,td{padding:.15rem .4rem}nav.toc ol{columns:1}}
@media print{details.part>summary{list-style:none}}
"""

# the report's one script (public: the local web page allows exactly this one by its hash)
SCRIPT = """
function openTarget(){var id=location.hash.slice(1);if(!id)return;
var el=document.getElementById(id);if(!el)return;
for(var e=el;e;e=e.parentElement){if(e.tagName==='DETAILS')e.open=true;}
if(el.tagName==='DETAILS')el.open=true;el.scrollIntoView();}
window.addEventListener('hashchange',openTarget);window.addEventListener('load',openTarget);
window.addEventListener('beforeprint',function(){
document.querySelectorAll('details').forEach(function(d){d.open=true;});});
"""


def rich(text: str, generated: bool = True) -> str:
    """Escaped HTML of ``text``; in the report's own words, symbols in <i>."""
    if not generated:
        return escape(text)
    return "".join(f"<i>{escape(p)}</i>" if it else escape(p) for p, it in segments(text))


#: the widest a table may be on a desktop (its type measured as 17.5 pt Times: Chromium
#: lays the 0.86 rem sans-serif out that wide, measured): a wider one is shown in parts
DESKTOP_WIDTH, TYPE_SIZE = 1100.0, 17.5


def _fitting(table: PubTable) -> list[PubTable]:
    if column_widths(table, DESKTOP_WIDTH, DESKTOP_WIDTH, (TYPE_SIZE,)).fits:
        return [table]
    return split(table, DESKTOP_WIDTH, TYPE_SIZE)


def _table(table: PubTable, t: Any) -> str:
    label = f"{t('table')} {table.number}"
    if table.part:
        label = t("continued", label=label)
    anchor = f"table-{table.number}" + (f"-{table.part + 1}" if table.part else "")
    out = [f'<div class="tbl" id="{escape(anchor)}">',
           f'<p class="tnum">{escape(label)}</p>',
           f'<p class="ttitle" id="title-{escape(anchor)}">{escape(table.title)}</p>',
           f'<div class="scroll" role="region" tabindex="0" '
           f'aria-labelledby="title-{escape(anchor)}">',
           f'<table data-table="{escape(table.key)}"><thead>']
    if any(c.spanner for c in table.columns):
        out.append("<tr>")
        for k, j, text in table.spanner_runs():
            span = f' colspan="{j - k + 1}"' if j > k else ""
            cls = ' class="spanner"' if text else ""
            out.append(f'<th scope="colgroup"{span}{cls}>{rich(text)}</th>')
        out.append("</tr>")
    out.append("<tr>" + "".join(
        f'<th scope="col"{" class=text" if c.text else ""}>{rich(c.heading)}</th>'
        for c in table.columns) + "</tr></thead><tbody>")
    for row in table.rows:
        cls = " ".join(n for n, on in (("block", row.block), ("indent", row.indent),
                                       ("total", row.total)) if on)
        out.append(f'<tr class="{cls}">' if cls else "<tr>")
        k = 0
        while k < table.width:
            cell = row.cells[k]
            col = table.columns[k]
            span = 1
            if row.block and k == 0:
                while k + span < table.width and not row.cells[k + span].text:
                    span += 1
            body = rich(cell.text, cell.generated)
            if cell.paper:
                body += f'<span class="paper">{escape(cell.paper)}</span>'
            colspan = f' colspan="{span}"' if span > 1 else ""
            if row.block and k == 0:
                out.append(f'<th scope="rowgroup"{colspan}>{body}</th>')
            else:
                kind = "text" if col.text else "num"
                out.append(f'<td class="{kind}"{colspan}>{body}</td>')
            k += span
        out.append("</tr>")
    out.append("</tbody></table></div>")
    notes = list(table.notes)
    if notes and any(c.paper for r in table.rows for c in r.cells):
        notes.append(t("paper_key"))
    if notes:
        out.append(f'<p class="note"><i>{escape(t("note_lead"))}</i> '
                   f'{rich(" ".join(notes))}</p>')
    out += [f'<p class="fn">{rich(fn)}</p>' for fn in table.footnotes]
    out.append("</div>")
    return "\n".join(out)


def _figure(fig: PubFigure, drawn: Any, t: Any) -> str:
    head = (f'<figure id="figure-{escape(fig.number)}"><p class="tnum">{escape(t("figure"))} '
            f'{escape(fig.number)}</p><p class="ttitle">{escape(fig.title)}</p>')
    if drawn is None or isinstance(drawn, NotDrawn):
        why = drawn.note if drawn is not None else t("figure_empty")
        return head + f'<figcaption class="note">{escape(why)}</figcaption></figure>'
    data = base64.b64encode(Path(drawn.png).read_bytes()).decode("ascii")
    return (head + f'<img src="data:image/png;base64,{data}" alt="{escape(drawn.alt)}">'
            f'<figcaption class="note"><i>{escape(t("note_lead"))}</i> {rich(drawn.alt)}'
            "</figcaption></figure>")


def render(doc: Document, t: Any, figures: dict[str, Any], *, version: str) -> str:
    """The whole report as one HTML page."""
    parts = doc.all_parts()
    toc = [f'<li><a href="#summary">{escape(t("summary"))}</a></li>',
           f'<li><a href="#methods">{escape(t("methods"))}</a></li>']
    for part in parts:
        n_tab = sum(isinstance(i, PubTable) for i in part.items)
        n_fig = sum(isinstance(i, PubFigure) for i in part.items)
        count = ", ".join(
            [t("tables_one" if n_tab == 1 else "tables_many", n=n_tab)] * bool(n_tab)
            + [t("figures_one" if n_fig == 1 else "figures_many", n=n_fig)] * bool(n_fig))
        toc.append(f'<li><a href="#{escape(part.id)}">{escape(part.title)}</a> '
                   f'<span class="count">({escape(count)})</span></li>')
    body = [f'<header><h1>{escape(doc.title)}</h1>']
    if doc.synthetic:
        body.append(f'<p class="synthetic"><strong>{escape(t("synthetic"))}</strong></p>')
    body.append(f'<p class="meta">{escape(t("generated"))}: {escape(doc.generated[:10])} · '
                f"cipsurvey {escape(version)}</p></header>")
    body.append(f'<nav class="toc" aria-label="{escape(t("contents"))}">'
                f'<h2>{escape(t("contents"))}</h2><ol>{"".join(toc)}</ol></nav><main>')
    body.append(f'<section class="top" id="summary"><h2>{escape(t("summary"))}</h2>'
                f'<p class="lead">{rich(t("summary_lead"))}</p><ul class="findings">'
                + "".join(f"<li>{rich(f)}</li>" for f in doc.summary) + "</ul></section>")
    body.append(f'<section class="top" id="methods"><h2>{escape(t("methods"))}</h2>'
                + "".join(f"<p>{rich(p)}</p>" for p in doc.methods) + "</section>")
    for part in parts:
        items = []
        for item in part.items:
            if isinstance(item, PubTable):
                items += [_table(piece, t) for piece in _fitting(item)]
            elif isinstance(item, PubFigure):
                items.append(_figure(item, figures.get(item.result), t))
            elif isinstance(item, Remark):
                cls = "note error" if item.error else "note"
                items.append(f'<p class="{cls}">{escape(item.text)}</p>')
        body.append(f'<details class="part" id="{escape(part.id)}"><summary>'
                    f"<h2>{escape(part.title)}</h2></summary>" + "\n".join(items)
                    + "</details>")
    body.append("</main>")
    return (f'<!DOCTYPE html>\n<html lang="{escape(doc.lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(doc.title)}</title><style>{_STYLE}</style></head><body>"
            + "\n".join(body) + f"<script>{SCRIPT}</script></body></html>\n")
