"""Instrument interchange with the tools questionnaires are built in: XLSForm (KoboToolbox,
ODK, SurveyCTO) and the REDCap data dictionary, in both directions.

What the other format expresses natively travels natively: item names and types, question
texts, answer lists, ranges, required flags and the skip logic (XLSForm ``relevant``, REDCap
branching logic). Skip logic is translated token by token into cipsurvey's filter language
and then parsed by the same safe parser as every instrument (never evaluated). What the other
format has no place for (provenance, aliases, missing codes, answer codes in XLSForm, question
numbers, groups and derived variables) rides in columns or a sheet the tools ignore. What
cannot be converted is listed, not dropped.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from ..errors import CipsurveyError
from . import expr
from .model import Instrument, ItemType, parse_instrument
from .yamlio import YamlDocument

META = "cipsurvey::meta"
XLS_TYPES = {ItemType.single_choice: "select_one", ItemType.yes_no: "select_one",
             ItemType.yes_no_dont_know: "select_one", ItemType.likert: "select_one",
             ItemType.multiple_choice: "select_multiple", ItemType.count: "integer",
             ItemType.number: "decimal", ItemType.text: "text", ItemType.date: "date",
             ItemType.identifier: "text"}
REDCAP_HEADER = ["Variable / Field Name", "Form Name", "Section Header", "Field Type",
                 "Field Label", "Choices, Calculations, OR Slider Labels", "Field Note",
                 "Text Validation Type OR Show Slider Number", "Text Validation Min",
                 "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
                 "Required Field?", "Custom Alignment", "Question Number (surveys only)",
                 "Matrix Group Name", "Matrix Ranking?", "Field Annotation"]


# --------------------------------------------------------------------------- expressions


def to_tool(text: str, inst: Instrument, tool: str) -> str:
    """A cipsurvey filter written in XLSForm (``tool="xlsform"``) or REDCap syntax."""
    tree = expr.parse(text)
    variables = inst.variables()

    def lit(item: str | None, node: expr.Literal) -> str:
        value = node.value
        source = inst.item_map.get(item) if item else None
        if source is not None and source.choices:
            code = expr.answer_code(variables[item], value)
            choice = next(c for c in source.choices if c.code == code)
            return f"'{choice.name}'" if tool == "xlsform" else f"'{choice.code}'"
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else repr(value)
        return f"'{value}'"

    def ref(name: str) -> str:
        return f"${{{name}}}" if tool == "xlsform" else f"[{name}]"

    def go(n: Any) -> str:
        if isinstance(n, expr.BoolOp):
            return f" {n.op} ".join(f"({go(o)})" if isinstance(o, expr.BoolOp) else go(o)
                                    for o in n.operands)
        if isinstance(n, expr.Not):
            return f"not({go(n.operand)})"
        if isinstance(n, expr.Compare):
            name = n.left.name if isinstance(n.left, expr.Name) else (
                n.right.name if isinstance(n.right, expr.Name) else None)
            def side(x: Any, name: str | None = name) -> str:
                return ref(x.name) if isinstance(x, expr.Name) else lit(name, x)

            op = {"==": "=", "!=": "!=" if tool == "xlsform" else "<>"}.get(n.op, n.op)
            return f"{side(n.left)} {op} {side(n.right)}"
        if isinstance(n, expr.In):
            name = n.operand.name
            parts = [f"{ref(name)} = {lit(name, v)}" for v in n.values]
            joined = " or ".join(parts)
            return f"not({joined})" if n.negated else (f"({joined})" if len(parts) > 1
                                                       else joined)
        if isinstance(n, expr.Call):
            name = n.args[0].name
            if n.func == "answered":
                return f"{ref(name)} {'!=' if tool == 'xlsform' else '<>'} ''"
            option = n.args[1].value
            item = inst.item(name)
            column = expr.option_column(variables[name], option)
            choice = item.choices[item.columns.index(column)]
            if tool == "xlsform":
                return f"selected({ref(name)}, '{choice.name}')"
            return f"[{name}({choice.code})] = '1'"
        raise CipsurveyError(f"cannot write {text!r} for {tool}")

    return go(tree)


def from_tool(text: str, tool: str) -> str:
    """XLSForm ``relevant`` or REDCap branching logic in cipsurvey's filter language.

    The translation is textual and token by token; the result is then parsed like any
    filter, so anything it cannot express (functions such as ``count-selected`` or
    ``datediff``) fails with a clear message instead of being guessed.
    """
    s = text.strip()
    if tool == "xlsform":
        s = re.sub(r"selected\(\s*\$\{(\w+)\}\s*,\s*'([^']*)'\s*\)", r'selected(\1, "\2")', s)
        s = re.sub(r"\$\{(\w+)\}\s*!=\s*''", r"answered(\1)", s)
        s = re.sub(r"\$\{(\w+)\}", r"\1", s)
    else:
        s = re.sub(r"\[(\w+)\((\w+)\)\]\s*=\s*['\"]1['\"]", r'selected(\1, "\2")', s)
        s = re.sub(r"\[(\w+)\]\s*<>\s*(''|\"\")", r"answered(\1)", s)
        s = re.sub(r"\[(\w+)\]", r"\1", s)
        s = s.replace("<>", "!=")
    s = re.sub(r"(?<![!<>=])=(?!=)", "==", s)
    s = re.sub(r"'([^']*)'", lambda m: '"' + m.group(1) + '"', s)
    s = re.sub(r"\bnot\(", "not (", s)
    s = re.sub(r'"(-?\d+(?:\.\d+)?)"', r"\1", s) if tool == "redcap" else s
    expr.parse(s)  # raises ExpressionError for anything it cannot express
    return s


# --------------------------------------------------------------------------- XLSForm


def _item_meta(item, native: set[str]) -> str:
    data = item.model_dump(mode="json", exclude_defaults=True)
    for key in native:
        data.pop(key, None)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _instrument_meta(inst: Instrument) -> str:
    data = inst.model_dump(mode="json", exclude_defaults=True)
    data.pop("items", None)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def to_xlsform(inst: Instrument, path: Path) -> list[str]:
    """Write ``inst`` as an XLSForm workbook; return what could not be expressed natively."""
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Svenska (sv)", "label::English (en)", "relevant",
                   "required", "constraint", META])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::Svenska (sv)", "label::English (en)",
                    "cipsurvey::code"])
    notes: list[str] = []
    native = {"id", "text", "choices", "relevant", "required", "range"}  # type: lossy
    for item in inst.items:
        kind = XLS_TYPES[item.type]
        list_name = f"l_{item.id}"
        if item.choices:
            kind = f"{kind} {list_name}"
            for c in item.choices:
                choices.append([list_name, c.name, c.label.get("sv"), c.label.get("en"), c.code])
        constraint = ""
        if item.range is not None:
            parts = []
            if item.range.min is not None:
                parts.append(f". >= {item.range.min:g}")
            if item.range.max is not None:
                parts.append(f". <= {item.range.max:g}")
            constraint = " and ".join(parts)
        relevant = to_tool(item.relevant, inst, "xlsform") if item.relevant else ""
        survey.append([kind, item.id, item.text.get("sv"), item.text.get("en"), relevant,
                       "yes" if item.required else "", constraint,
                       _item_meta(item, native)])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language", META])
    settings.append([inst.title.get("sv"), inst.id, inst.version, "Svenska (sv)",
                     _instrument_meta(inst)])
    if inst.groups or inst.derived:
        notes.append("groups and derived variables have no XLSForm form; they ride in the "
                     f"settings sheet's {META} column")
    book.save(path)
    return notes


def _label_columns(header: list[str]) -> dict[str, str]:
    """Map 'sv'/'en' to the header of each language's label column."""
    out = {}
    for h in header:
        m = re.match(r"^label(?:::|:)(.*)$", h or "")
        if m:
            lang = m.group(1)
            code = re.search(r"\((\w+)\)", lang)
            key = code.group(1) if code else lang.strip().lower()[:2]
            out[{"sw": "sv"}.get(key, key)] = h
    if "label" in header:
        out.setdefault("en", "label")
    return out


def from_xlsform(path: Path) -> tuple[dict[str, Any], list[str]]:
    """An instrument (as a dict) from an XLSForm, and the list of what was not converted."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = {name: [list(r) for r in book[name].iter_rows(values_only=True)]
            for name in book.sheetnames}
    notes: list[str] = []
    survey = rows.get("survey")
    if not survey:
        raise CipsurveyError("the XLSForm has no 'survey' sheet", file=path)
    header = [str(h) if h is not None else "" for h in survey[0]]
    col = {h: i for i, h in enumerate(header)}
    labels = _label_columns(header)
    choice_rows = rows.get("choices") or [[]]
    ch_header = [str(h) if h is not None else "" for h in choice_rows[0]]
    ch_col = {h: i for i, h in enumerate(ch_header)}
    ch_labels = _label_columns(ch_header)
    list_key = "list_name" if "list_name" in ch_col else "list name"
    lists: dict[str, list[dict[str, Any]]] = {}
    for r in choice_rows[1:]:
        if not r or r[ch_col[list_key]] is None:
            continue
        name = str(r[ch_col["name"]])
        entry = {"name": name, "label": {lang: str(r[ch_col[h]] or name)
                                         for lang, h in ch_labels.items()}}
        if "cipsurvey::code" in ch_col and r[ch_col["cipsurvey::code"]] is not None:
            entry["code"] = int(r[ch_col["cipsurvey::code"]])
        lists.setdefault(str(r[ch_col[list_key]]), []).append(entry)
    items = []
    for r in survey[1:]:
        if not r or r[col["type"]] is None:
            continue
        kind = str(r[col["type"]]).strip()
        name = str(r[col["name"]])
        if kind.startswith(("begin", "end")) or kind in ("note", "start", "end", "today",
                                                         "deviceid", "calculate"):
            notes.append(f"{name}: XLSForm type {kind!r} is not a question; not converted")
            continue
        meta = json.loads(r[col[META]]) if META in col and r[col[META]] else {}
        item: dict[str, Any] = {"id": name, **meta}
        if " or_other" in kind:
            notes.append(f"{name}: the 'or_other' free-text answer is not converted")
        parts = kind.replace(" or_other", "").split()
        base = parts[0].replace("select one", "select_one")
        if "type" not in item:
            item["type"] = {"select_one": "single_choice", "select_multiple": "multiple_choice",
                            "integer": "count", "decimal": "number", "text": "text",
                            "date": "date"}.get(base)
            if item["type"] is None:
                notes.append(f"{name}: XLSForm type {kind!r} has no cipsurvey type; skipped")
                continue
        item["text"] = {lang: str(r[col[h]] or name) for lang, h in labels.items()}
        item["text"].setdefault("sv", item["text"].get("en", name))
        item["text"].setdefault("en", item["text"]["sv"])
        if len(parts) > 1:
            options = lists.get(parts[1], [])
            item["choices"] = [{"code": o.get("code", k), "name": o["name"],
                                "label": {"sv": o["label"].get("sv", o["label"].get("en")),
                                          "en": o["label"].get("en", o["label"].get("sv"))}}
                               for k, o in enumerate(options, start=1)]
        if "choice_filter" in col and r[col["choice_filter"]]:
            notes.append(f"{name}: choice_filter {r[col['choice_filter']]!r} not converted")
        relevant = r[col["relevant"]] if "relevant" in col else None
        if relevant:
            try:
                item["relevant"] = from_tool(str(relevant), "xlsform")
            except expr.ExpressionError as exc:
                notes.append(f"{name}: relevant {relevant!r} not converted ({exc})")
        if "required" in col and str(r[col["required"]] or "").lower() in ("yes", "true()"):
            item["required"] = True
        constraint = str(r[col["constraint"]] or "") if "constraint" in col else ""
        bounds = dict(re.findall(r"\.\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)", constraint))
        if bounds:
            item["range"] = {k: float(v) for k, v in (("min", bounds.get(">=")),
                                                        ("max", bounds.get("<=")))
                             if v is not None}
        item.setdefault("provenance", {"status": "reconstructed",
                                       "why": f"converted from the XLSForm {path.name}"})
        items.append(item)
    settings = rows.get("settings") or [[], []]
    s_header = [str(h) if h is not None else "" for h in settings[0]]
    s_values = settings[1] if len(settings) > 1 else []
    s = dict(zip(s_header, s_values, strict=False))
    top = json.loads(s[META]) if s.get(META) else {}
    top.setdefault("id", re.sub(r"[^a-z0-9_]", "_", str(s.get("form_id") or path.stem).lower()))
    top.setdefault("title", {"sv": str(s.get("form_title") or top["id"]),
                             "en": str(s.get("form_title") or top["id"])})
    top["items"] = items
    return top, notes


# --------------------------------------------------------------------------- REDCap


def to_redcap(inst: Instrument, path: Path, lang: str = "en") -> list[str]:
    """Write ``inst`` as a REDCap data dictionary (CSV); return what is carried elsewhere."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(REDCAP_HEADER)
    native = {"id", "choices", "relevant", "required", "range"}  # type: lossy in REDCap
    for item in inst.items:
        ftype, validation = {
            ItemType.single_choice: ("radio", ""), ItemType.yes_no: ("radio", ""),
            ItemType.yes_no_dont_know: ("radio", ""), ItemType.likert: ("radio", ""),
            ItemType.multiple_choice: ("checkbox", ""), ItemType.count: ("text", "integer"),
            ItemType.number: ("text", "number"), ItemType.text: ("notes", ""),
            ItemType.date: ("text", "date_ymd"), ItemType.identifier: ("text", ""),
        }[item.type]
        choices = " | ".join(f"{c.code}, {c.label.get(lang)}" for c in item.choices)
        rng = item.range
        row = [item.id, "sip", "", ftype, item.text.get(lang), choices, "", validation,
               "" if rng is None or rng.min is None else f"{rng.min:g}",
               "" if rng is None or rng.max is None else f"{rng.max:g}",
               "y" if item.type == ItemType.identifier else "",
               to_tool(item.relevant, inst, "redcap") if item.relevant else "",
               "y" if item.required else "", "", item.number or "", "", "",
               f"@CIPSURVEY={_redcap_meta(item, native)}"]
        w.writerow(row)
    w.writerow(["cipsurvey_meta", "sip", "", "descriptive", "cipsurvey instrument metadata",
                "", "", "", "", "", "", "", "", "", "", "", "",
                f"@CIPSURVEY={_instrument_meta(inst)}"])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return ["the other language's texts, provenance, aliases and missing codes ride in "
            "@CIPSURVEY field annotations"]


def _redcap_meta(item, native: set[str]) -> str:
    """Item metadata plus what REDCap's choice lists cannot hold: names and Swedish labels."""
    data = json.loads(_item_meta(item, native))
    if item.choices:
        data["choice_names"] = [c.name for c in item.choices]
        data["choice_labels_sv"] = [c.label.get("sv") for c in item.choices]
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def from_redcap(path: Path) -> tuple[dict[str, Any], list[str]]:
    """An instrument (as a dict) from a REDCap data dictionary, and what was not converted."""
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    col = {h: i for i, h in enumerate(header)}
    for needed in ("Variable / Field Name", "Field Type", "Field Label"):
        if needed not in col:
            raise CipsurveyError(f"not a REDCap data dictionary: no column {needed!r}",
                                 file=path)
    notes: list[str] = []
    items: list[dict[str, Any]] = []
    top: dict[str, Any] = {}
    for r in reader:
        if not r:
            continue
        def get(field: str, r: list[str] = r) -> str:
            return r[col[field]] if field in col and col[field] < len(r) else ""

        name, ftype = get("Variable / Field Name"), get("Field Type")
        annotation = get("Field Annotation")
        meta = {}
        m = re.search(r"@CIPSURVEY=(\{.*\})", annotation)
        if m:
            meta = json.loads(m.group(1))
        if name == "cipsurvey_meta":
            top = meta
            continue
        if ftype in ("descriptive", "calc", "file", "slider", "sql"):
            notes.append(f"{name}: REDCap field type {ftype!r} not converted")
            continue
        item: dict[str, Any] = {"id": name, **meta}
        validation = get("Text Validation Type OR Show Slider Number")
        if "type" not in item:
            item["type"] = {"radio": "single_choice", "dropdown": "single_choice",
                            "checkbox": "multiple_choice", "yesno": "yes_no",
                            "notes": "text"}.get(ftype) or {
                "integer": "count", "number": "number", "date_ymd": "date"}.get(validation,
                                                                              "text")
        label = get("Field Label")
        item.setdefault("text", {"sv": label, "en": label})
        item["text"] = {**item["text"], "en": label} if "text" in meta else item["text"]
        names = item.pop("choice_names", [])
        labels_sv = item.pop("choice_labels_sv", [])
        choices = get("Choices, Calculations, OR Slider Labels")
        if choices and ftype in ("radio", "dropdown", "checkbox"):
            parsed = []
            for k, part in enumerate(p.strip() for p in choices.split("|")):
                code, _, lab = part.partition(",")  # split on the first comma only
                code, lab = code.strip(), lab.strip()
                if code.lstrip("-").isdigit():
                    number = int(code)
                    slug = re.sub(r"[^a-z0-9_]+", "_", lab.lower()).strip("_")[:32]
                else:  # REDCap allows letter codes: keep the letter as the answer's name
                    number, slug = k + 1, re.sub(r"[^a-z0-9_]+", "_", code.lower())[:32]
                    notes.append(f"{name}: answer code {code!r} stored as {number}")
                parsed.append({"code": number,
                               "name": names[k] if k < len(names) else (slug or f"c{k + 1}"),
                               "label": {"sv": labels_sv[k] if k < len(labels_sv) else lab,
                                         "en": lab}})
            item["choices"] = parsed
        logic = get("Branching Logic (Show field only if...)")
        if logic:
            try:
                item["relevant"] = from_tool(logic, "redcap")
            except expr.ExpressionError as exc:
                notes.append(f"{name}: branching logic {logic!r} not converted ({exc})")
        if get("Required Field?").lower() == "y":
            item["required"] = True
        lo, hi = get("Text Validation Min"), get("Text Validation Max")
        if lo or hi:
            item["range"] = {k: float(v) for k, v in (("min", lo), ("max", hi)) if v}
        item.setdefault("provenance", {"status": "reconstructed",
                                       "why": f"converted from the REDCap dictionary "
                                              f"{path.name}"})
        items.append(item)
    top.setdefault("id", re.sub(r"[^a-z0-9_]", "_", path.stem.lower()))
    top.setdefault("title", {"sv": path.stem, "en": path.stem})
    top["items"] = [_named_answers(i, items) for i in items]
    return top, notes


def _named_answers(item: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """REDCap logic names answers by code; write them by name, as instruments do."""
    if not item.get("relevant"):
        return item
    names = {i["id"]: {str(c["code"]): c["name"] for c in i.get("choices", [])}
             for i in items}

    def fix(n: Any) -> Any:
        if isinstance(n, expr.Compare | expr.In):
            target = n.left if isinstance(n, expr.Compare) else n.operand
            other = n.right if isinstance(n, expr.Compare) else None
            if isinstance(target, expr.Name) and names.get(target.name):
                lookup = names[target.name]

                def named(lit: Any) -> Any:
                    if isinstance(lit, expr.Literal) and isinstance(lit.value, float) and \
                            f"{lit.value:g}" in lookup:
                        return expr.Literal(lookup[f"{lit.value:g}"], lit.pos)
                    return lit

                if isinstance(n, expr.Compare):
                    return expr.Compare(n.op, n.left, named(other), n.pos)
                return expr.In(n.operand, tuple(named(v) for v in n.values), n.negated, n.pos)
            return n
        if isinstance(n, expr.Call) and n.func == "selected":
            lookup = names.get(n.args[0].name, {})
            option = n.args[1]
            key = f"{option.value:g}" if isinstance(option.value, float) else str(option.value)
            if key in lookup:
                return expr.Call("selected", (n.args[0], expr.Literal(lookup[key], option.pos)),
                                 n.pos)
            return n
        if isinstance(n, expr.Not):
            return expr.Not(fix(n.operand), n.pos)
        if isinstance(n, expr.BoolOp):
            return expr.BoolOp(n.op, tuple(fix(o) for o in n.operands), n.pos)
        return n

    return {**item, "relevant": expr.to_text(fix(expr.parse(item["relevant"])))}


def build(data: dict[str, Any], source: Path) -> Instrument:
    """Check a converted instrument like any other (lines refer to nothing: no YAML)."""
    return parse_instrument(YamlDocument(data, {}, source))
