"""A codebook of an instrument: every item, code, label and filter, as Markdown or HTML."""

from __future__ import annotations

from typing import Any

from ..lang import texts
from .model import Instrument, ItemType


def codebook_rows(inst: Instrument, lang: str = "en") -> list[dict[str, Any]]:
    """One record per item with everything the codebook shows."""
    head = texts("codebook", lang)
    rows = []
    for item in inst.items:
        codes = [(c.code, c.label.get(lang), c.name) for c in item.choices]
        missing = [(m.code, m.label.get(lang)) for m in inst.missing_codes(item)]
        rng = ""
        if item.range is not None:
            lo = "" if item.range.min is None else f"{item.range.min:g}"
            hi = "" if item.range.max is None else f"{item.range.max:g}"
            rng = f"{lo}–{hi}"
        prov = item.provenance
        rows.append({
            "id": item.id, "number": item.number or "", "role": item.role,
            "type": item.type.value, "text": item.text.get(lang), "codes": codes,
            "columns": item.columns if item.type == ItemType.multiple_choice else [],
            "missing": missing, "range": rng, "filter": item.relevant or "",
            "provenance": f"{head[prov.status]}: {prov.where or prov.why}",
            "required": item.required,
        })
    return rows


def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def codebook_markdown(inst: Instrument, lang: str = "en") -> str:
    """The codebook as Markdown."""
    h = texts("codebook", lang)
    out = [f"# {inst.title.get(lang)}", ""]
    if inst.description:
        out += [inst.description.get(lang), ""]
    if inst.citation:
        out += [f"*{inst.citation}*", ""]
    out += [f"## {h['items']}", ""]
    for row in codebook_rows(inst, lang):
        number = f"{row['number']}. " if row["number"] else ""
        out.append(f"### {number}`{row['id']}` — {_md_escape(row['text'])}")
        out.append("")
        out.append(f"- {h['type']}: {row['type']}" + (f" ({h['admin']})" if row["role"] == "admin"
                                                         else ""))
        if row["range"]:
            out.append(f"- {h['range']}: {row['range']}")
        if row["filter"]:
            out.append(f"- {h['filter']}: `{row['filter']}`")
        out.append(f"- {h['source']}: {_md_escape(row['provenance'])}")
        if row["codes"]:
            out += ["", f"| {h['codes']} | name | label |", "|---:|---|---|"]
            out += [f"| {c} | `{n}` | {_md_escape(lab)} |" for c, lab, n in row["codes"]]
        if row["columns"]:
            out += ["", f"{h['column']}: " + ", ".join(f"`{c}`" for c in row["columns"])]
        if row["missing"]:
            out += ["", f"{h['missing']}: " + "; ".join(f"{c} = {_md_escape(lab)}"
                                                       for c, lab in row["missing"])]
        out.append("")
    if inst.groups:
        out += [f"## {h['groups']}", ""]
        for g in inst.groups:
            out.append(f"- `{g.id}` ({g.type}): {_md_escape(g.text.get(lang))} — "
                       + ", ".join(f"`{i}`" for i in g.items))
        out.append("")
    if inst.derived:
        out += [f"## {h['derived']}", ""]
        for d in inst.derived:
            src = d.source or ", ".join(d.sources) or d.when or ""
            out.append(f"- `{d.id}` ({d.kind}): {_md_escape(d.text.get(lang))} — from {src}")
        out.append("")
    return "\n".join(out)


_HTML = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<title>{{ title }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;
text-align:left;vertical-align:top}code{background:#f4f4f4;padding:0 .2rem}
.meta{color:#555}
</style></head><body>
<h1>{{ title }}</h1>
{% if description %}<p>{{ description }}</p>{% endif %}
{% if citation %}<p class="meta"><em>{{ citation }}</em></p>{% endif %}
<h2>{{ h['items'] }}</h2>
{% for row in rows %}
<section id="{{ row.id }}">
<h3>{% if row.number %}{{ row.number }}. {% endif %}<code>{{ row.id }}</code> — {{ row.text }}</h3>
<p class="meta">{{ h['type'] }}: {{ row.type }}
{%- if row.role == 'admin' %} ({{ h['admin'] }}){% endif %}
{% if row.range %} · {{ h['range'] }}: {{ row.range }}{% endif %}
{% if row.filter %} · {{ h['filter'] }}: <code>{{ row.filter }}</code>{% endif %}
<br>{{ h['source'] }}: {{ row.provenance }}</p>
{% if row.codes %}<table><tr><th>{{ h['codes'] }}</th><th>name</th><th>label</th></tr>
{% for code, label, name in row.codes %}
<tr><td>{{ code }}</td><td><code>{{ name }}</code></td><td>{{ label }}</td></tr>
{% endfor %}
</table>{% endif %}
{% if row.missing %}<p class="meta">{{ h['missing'] }}:
{% for code, label in row.missing %}{{ code }} = {{ label }}{% if not loop.last %}; {% endif %}
{% endfor %}</p>{% endif %}
</section>
{% endfor %}
</body></html>
"""


def codebook_html(inst: Instrument, lang: str = "en") -> str:
    """The codebook as a self-contained HTML page."""
    from jinja2 import Environment

    env = Environment(autoescape=True)
    return env.from_string(_HTML).render(
        lang=lang, title=inst.title.get(lang),
        description=inst.description.get(lang) if inst.description else "",
        citation=inst.citation, rows=codebook_rows(inst, lang), h=texts("codebook", lang),
    )
