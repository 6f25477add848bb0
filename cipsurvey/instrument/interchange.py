"""Instrument interchange with the tools questionnaires are built in: XLSForm (KoboToolbox,
ODK, SurveyCTO) and the REDCap data dictionary, in both directions; LimeSurvey (``.lss``, in
``lss``) and Qualtrics (``.qsf``, in ``qsf``) survey definitions, read.

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
from .lss import from_lss as _lss
from .model import Instrument, ItemType, parse_instrument
from .qsf import from_qsf as _qsf
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


_LANGUAGES = {"svenska": "sv", "swedish": "sv", "english": "en", "engelska": "en",
              "deutsch": "de", "german": "de", "español": "es", "spanish": "es",
              "français": "fr", "french": "fr", "swahili": "sw"}


def _label_columns(header: list[str]) -> dict[str, str]:
    """Map 'sv'/'en' to the header of each language's label column."""
    out = {}
    for h in header:
        m = re.match(r"^label(?:::|:)(.*)$", h or "")
        if m:
            lang = m.group(1)
            code = re.search(r"\((\w+)\)", lang)
            name = lang.strip().lower()
            key = code.group(1) if code else _LANGUAGES.get(name, name[:2])
            out.setdefault(key.lower(), h)
    if "label" in header:
        out.setdefault("en", "label")
    return out


def _sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet of a workbook as rows of cell values, keyed by lower-cased sheet name
    (``.xlsx`` through openpyxl, the old ``.xls`` through xlrd)."""
    if path.suffix.lower() == ".xls":
        try:
            import xlrd
        except ImportError:  # pragma: no cover - xlrd is a dependency
            raise CipsurveyError("reading an .xls workbook needs xlrd", file=path,
                                 hint="save the form as .xlsx") from None
        try:
            book = xlrd.open_workbook(str(path))
        except xlrd.XLRDError as exc:
            raise CipsurveyError(f"cannot read the .xls workbook ({exc})", file=path,
                                 hint="save the form as .xlsx") from None
        return {sh.name.strip().lower(): [sh.row_values(i) for i in range(sh.nrows)]
                for sh in book.sheets()}
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise CipsurveyError(f"cannot open the workbook ({type(exc).__name__}: {exc})",
                             file=path, hint="save the form as .xlsx") from None
    try:
        return {name.strip().lower(): [list(r) for r in book[name].iter_rows(values_only=True)]
                for name in book.sheetnames}
    finally:
        book.close()


# XLSForm column names, including the older spellings ("list name", "bind:relevant")
_XLS_COLUMNS = {"list name": "list_name", "bind:relevant": "relevant",
                "bind:required": "required", "bind:constraint": "constraint",
                "bind::relevant": "relevant", "bind::required": "required",
                "bind::constraint": "constraint"}
_SELECT = re.compile(r"^(select_one|select one|select_multiple|select multiple|"
                     r"select all that apply)\s+(?:from\s+)?(\S+?)"
                     r"(\s+or[_ ]other|\s+or specify other)?$", re.IGNORECASE)


def _header(row: list[Any]) -> list[str]:
    out = []
    for h in row:
        h = "" if h is None else str(h).strip()
        out.append(_XLS_COLUMNS.get(h.lower(), h))
    return out


def _cell(row: list[Any], col: dict[str, int], name: str) -> str:
    k = col.get(name)
    if k is None or k >= len(row) or row[k] is None:
        return ""
    value = row[k]
    if isinstance(value, float) and value.is_integer():  # xlrd reads 1 as 1.0
        value = int(value)
    return str(value).strip()


def _xls_id(name: str) -> str | None:
    ident = re.sub(r"[^a-z0-9_]", "_", name.lower())
    return ident if re.fullmatch(r"[a-z][a-z0-9_]{0,39}", ident) else None


def from_xlsform(path: Path) -> tuple[dict[str, Any], list[str]]:
    """An instrument (as a dict) from an XLSForm (``.xlsx`` or ``.xls``), and the list of
    what was not converted."""
    rows = _sheets(path)
    notes: list[str] = []
    survey = rows.get("survey")
    if not survey:
        raise CipsurveyError("the XLSForm has no 'survey' sheet", file=path)
    header = _header(survey[0])
    col = {h: i for i, h in enumerate(header) if h}
    if "type" not in col or "name" not in col:
        raise CipsurveyError("the XLSForm's survey sheet has no 'type' and 'name' columns",
                             file=path)
    labels = _label_columns(header)
    choice_rows = rows.get("choices") or [[]]
    ch_header = _header(choice_rows[0])
    ch_col = {h: i for i, h in enumerate(ch_header) if h}
    ch_labels = _label_columns(ch_header)
    lists: dict[str, list[dict[str, Any]]] = {}
    for r in choice_rows[1:]:
        list_name = _cell(r, ch_col, "list_name")
        name = _cell(r, ch_col, "name")
        if not list_name or not name:
            continue
        entry: dict[str, Any] = {"name": name, "label": {
            lang: _cell(r, ch_col, h) or name for lang, h in ch_labels.items()}}
        if _cell(r, ch_col, "cipsurvey::code"):
            entry["code"] = int(float(_cell(r, ch_col, "cipsurvey::code")))
        lists.setdefault(list_name, []).append(entry)
    # first pass: the ids, and which questions are select_one (selected() on them is ==)
    entries = []
    ids: dict[str, str] = {}
    single: set[str] = set()
    for r in survey[1:]:
        kind = " ".join(_cell(r, col, "type").split())
        name = _cell(r, col, "name")
        if not kind:
            continue
        entries.append((r, kind, name))
        ident = _xls_id(name) if name else None
        if ident:
            ids[name] = ident
        m = _SELECT.match(kind)
        if m and m.group(1).lower() in ("select_one", "select one"):
            single.add(name)
    items = []
    seen: set[str] = set()
    for r, kind, name in entries:
        lowered = kind.lower()
        if lowered in ("begin repeat", "begin_repeat"):
            notes.append(f"{name}: a repeat group; its questions are answered once per "
                         "repetition and exported apart, so they are not converted as one "
                         "respondent's items")
        if lowered.startswith(("begin", "end")) or lowered in (
                "note", "start", "end", "today", "deviceid", "calculate", "username",
                "phonenumber", "simserial", "subscriberid", "audit", "hidden"):
            if lowered in ("note", "calculate") or not lowered.startswith(("begin", "end")):
                notes.append(f"{name}: XLSForm type {kind!r} is not a question; not converted")
            continue
        ident = ids.get(name)
        select = _SELECT.match(kind)
        if ident and select and select.group(1).lower() not in ("select_one", "select one") \
                and len(ident) > 31:  # an option's column must fit SPSS's 64 characters
            short = ident[:31].rstrip("_")
            notes.append(f"{name}: a multiple-choice id is at most 31 characters; "
                         f"{short!r} is used")
            ids[name] = ident = short
        if ident is None:
            notes.append(f"{name!r}: cannot be an item id (a letter, then letters, digits "
                         "or _); not converted")
            continue
        if ident in seen:
            notes.append(f"{name}: a second question with the id {ident!r}; not converted")
            continue
        meta = json.loads(_cell(r, col, META)) if _cell(r, col, META) else {}
        item: dict[str, Any] = {"id": ident, **meta}
        if ident != name and "aliases" not in meta:
            item["aliases"] = {"xlsform": [name]}
        other = bool(select and select.group(3))
        if "type" not in item:
            if select:
                item["type"] = "multiple_choice" if select.group(1).lower() in (
                    "select_multiple", "select multiple", "select all that apply") \
                    else "single_choice"
            else:
                item["type"] = {"integer": "count", "decimal": "number", "text": "text",
                                "date": "date", "datetime": "date"}.get(lowered)
            if item["type"] is None:
                notes.append(f"{name}: XLSForm type {kind!r} has no cipsurvey type; skipped")
                continue
        item["text"] = {lang: _cell(r, col, h) or name for lang, h in labels.items()}
        if not item["text"]:
            item["text"] = {"en": name}
        item["text"].setdefault("sv", item["text"].get("en", name))
        item["text"].setdefault("en", item["text"]["sv"])
        if select:
            options = lists.get(select.group(2))
            if not options:
                notes.append(f"{name}: the choice list {select.group(2)!r} is not on the "
                             "choices sheet; not converted")
                continue
            item["choices"] = _xls_choices(options, name, notes)
            if other:
                code = max(c["code"] for c in item["choices"]) + 1
                item["choices"].append({"code": code, "name": "other",
                                        "label": {"sv": "Annat", "en": "Other"}})
        if _cell(r, col, "choice_filter"):
            notes.append(f"{name}: choice_filter {_cell(r, col, 'choice_filter')!r} not "
                         "converted")
        relevant = _cell(r, col, "relevant")
        if relevant:
            try:
                item["relevant"] = from_tool(_xls_names(relevant, ids, single), "xlsform")
            except expr.ExpressionError as exc:
                notes.append(f"{name}: relevant {relevant!r} not converted ({exc})")
        if _cell(r, col, "required").lower() in ("yes", "true()", "true", "1"):
            item["required"] = True
        bounds = dict(re.findall(r"\.\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)",
                                 _cell(r, col, "constraint")))
        if bounds and item["type"] in ("count", "number"):
            item["range"] = {k: float(v) for k, v in (("min", bounds.get(">=")),
                                                        ("max", bounds.get("<=")))
                             if v is not None}
        item.setdefault("provenance", {"status": "reconstructed",
                                       "why": f"converted from the XLSForm {path.name}"})
        items.append(item)
        seen.add(ident)
        if other:  # the free text typed beside "other": its own text item
            other_id = f"{ident}_other_text"[:40]
            items.append({"id": other_id, "type": "text",
                          "text": {lang: f"{t} (other, specified)"
                                   for lang, t in item["text"].items()},
                          "aliases": {"xlsform": [f"{name}_other"]},
                          "provenance": item["provenance"]})
            seen.add(other_id)
    settings = rows.get("settings") or [[], []]
    s_header = _header(settings[0]) if settings else []
    s_values = settings[1] if len(settings) > 1 else []
    s = {h: (_cell(s_values, {h: i}, h) if i < len(s_values) else "")
         for i, h in enumerate(s_header) if h}
    top = json.loads(s[META]) if s.get(META) else {}
    top.setdefault("id", re.sub(r"[^a-z0-9_]", "_", str(s.get("form_id") or path.stem).lower()))
    top.setdefault("title", {"sv": str(s.get("form_title") or top["id"]),
                             "en": str(s.get("form_title") or top["id"])})
    top["items"] = items
    if not items:
        raise CipsurveyError("the XLSForm has no question cipsurvey can convert", file=path,
                             hint="; ".join(notes[:5]) or None)
    keep_valid_filters(top, notes, path)
    return top, notes


def _xls_choices(options: list[dict[str, Any]], question: str,
                 notes: list[str]) -> list[dict[str, Any]]:
    """Answer codes for an XLSForm choice list: its own code where the form carries one
    (cipsurvey::code), else the name's number where the name is a whole number ("0" stays
    0), else numbers after the largest; so that no name can be read as another's code."""
    numeric = [int(o["name"]) for o in options
               if "code" not in o and re.fullmatch(r"-?\d+", o["name"])]
    nxt = max([0, *numeric, *(o["code"] for o in options if "code" in o)]) + 1
    out = []
    for o in options:
        if "code" in o:
            code = o["code"]
        elif re.fullmatch(r"-?\d+", o["name"]):
            code = int(o["name"])
        else:
            code, nxt = nxt, nxt + 1
        name = re.sub(r"[^a-z0-9_]", "_", o["name"].lower())
        if not re.fullmatch(r"[a-z0-9][a-z0-9_]{0,31}", name):
            notes.append(f"{question}: the choice name {o['name']!r} cannot be an answer "
                         "name; its answers will not be read")
            name = f"c{len(out) + 1}"
        out.append({"code": code, "name": name,
                    "label": {"sv": o["label"].get("sv", o["label"].get("en", o["name"])),
                              "en": o["label"].get("en", o["label"].get("sv", o["name"])),
                              **{k: v for k, v in o["label"].items() if k not in ("sv", "en")}}})
    return out


def _xls_names(text: str, ids: dict[str, str], single: set[str]) -> str:
    """An XLSForm expression with item ids for names, and ``selected()`` on a select_one
    written as the comparison it is."""
    def one(m: re.Match[str]) -> str:
        return f"${{{m.group(1)}}} = '{m.group(2)}'" if m.group(1) in single else m.group(0)

    text = re.sub(r"selected\(\s*\$\{(\w+)\}\s*,\s*'([^']*)'\s*\)", one, text)
    return re.sub(r"\$\{(\w+)\}", lambda m: f"${{{ids.get(m.group(1), m.group(1))}}}", text)


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


# the data dictionary's columns as the API exports them (the download names them in words)
_REDCAP_API = {"field_name": "Variable / Field Name", "form_name": "Form Name",
               "section_header": "Section Header", "field_type": "Field Type",
               "field_label": "Field Label",
               "select_choices_or_calculations": "Choices, Calculations, OR Slider Labels",
               "field_note": "Field Note",
               "text_validation_type_or_show_slider_number":
                   "Text Validation Type OR Show Slider Number",
               "text_validation_min": "Text Validation Min",
               "text_validation_max": "Text Validation Max", "identifier": "Identifier?",
               "branching_logic": "Branching Logic (Show field only if...)",
               "required_field": "Required Field?", "custom_alignment": "Custom Alignment",
               "question_number": "Question Number (surveys only)",
               "matrix_group_name": "Matrix Group Name", "matrix_ranking": "Matrix Ranking?",
               "field_annotation": "Field Annotation"}
# REDCap's own codes for its yes/no and true/false fields
_REDCAP_FIXED = {
    "yesno": ("yes_no", [{"code": 1, "name": "yes", "label": {"sv": "Ja", "en": "Yes"}},
                         {"code": 0, "name": "no", "label": {"sv": "Nej", "en": "No"}}]),
    "truefalse": ("single_choice", [
        {"code": 1, "name": "true", "label": {"sv": "Sant", "en": "True"}},
        {"code": 0, "name": "false", "label": {"sv": "Falskt", "en": "False"}}]),
}


def _redcap_type(ftype: str, validation: str) -> str:
    """The cipsurvey type of a REDCap field from its type and text validation."""
    fixed = {"radio": "single_choice", "dropdown": "single_choice",
             "checkbox": "multiple_choice", "notes": "text"}
    if ftype in fixed:
        return fixed[ftype]
    if ftype in _REDCAP_FIXED:
        return _REDCAP_FIXED[ftype][0]
    if validation == "integer":
        return "count"
    if validation.startswith("number"):  # number, number_1dp, number_2dp_comma_decimal, ...
        return "number"
    if validation.startswith(("date_", "datetime_")):
        return "date"
    return "text"


def from_redcap(path: Path) -> tuple[dict[str, Any], list[str]]:
    """An instrument (as a dict) from a REDCap data dictionary (the download or the API
    export), and what was not converted."""
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = [_REDCAP_API.get(h.strip(), h.strip()) for h in next(reader, [])]
    col = {h: i for i, h in enumerate(header)}
    for needed in ("Variable / Field Name", "Field Type", "Field Label"):
        if needed not in col:
            raise CipsurveyError(f"not a REDCap data dictionary: no column {needed!r}",
                                 file=path, hint="download it from REDCap: Project Setup → "
                                                 "Data Dictionary → Download")
    notes: list[str] = []
    items: list[dict[str, Any]] = []
    top: dict[str, Any] = {}
    record_id = None
    for r in reader:
        if not r or not any(x.strip() for x in r):
            continue
        def get(field: str, r: list[str] = r) -> str:
            return r[col[field]].strip() if field in col and col[field] < len(r) else ""

        name, ftype = get("Variable / Field Name"), get("Field Type")
        annotation = get("Field Annotation")
        meta = {}
        m = re.search(r"@CIPSURVEY=(\{.*\})", annotation)
        if m:
            meta = json.loads(m.group(1))
        if name == "cipsurvey_meta":
            top = meta
            continue
        if record_id is None:
            record_id = name  # REDCap's first field is the record id
        if ftype in ("descriptive", "calc", "file", "slider", "sql"):
            notes.append(f"{name}: REDCap field type {ftype!r} not converted")
            continue
        item: dict[str, Any] = {"id": name, **meta}
        validation = get("Text Validation Type OR Show Slider Number")
        if "type" not in item:
            item["type"] = _redcap_type(ftype, validation)
            if name == record_id and ftype == "text":
                item["type"], item["role"] = "identifier", "admin"
        label = get("Field Label")
        item.setdefault("text", {"sv": label or name, "en": label or name})
        item["text"] = {**item["text"], "en": label} if "text" in meta and label else \
            item["text"]
        names = item.pop("choice_names", [])
        labels_sv = item.pop("choice_labels_sv", [])
        choices = get("Choices, Calculations, OR Slider Labels")
        if ftype in _REDCAP_FIXED:
            item.setdefault("choices", _REDCAP_FIXED[ftype][1])
        elif choices and ftype in ("radio", "dropdown", "checkbox"):
            parts = [p.strip() for p in choices.split("|") if p.strip()]
            pairs = [(c.strip(), lab.strip()) for c, _, lab in (p.partition(",") for p in parts)]
            numeric = [int(c) for c, _ in pairs if re.fullmatch(r"-?\d+", c)]
            nxt = max([0, *numeric]) + 1
            parsed = []
            for k, (code, lab) in enumerate(pairs):
                if re.fullmatch(r"-?\d+", code):
                    number = int(code)
                    slug = re.sub(r"[^a-z0-9_]+", "_", lab.lower()).strip("_")[:32]
                else:  # REDCap allows letter codes: the letters name the answer
                    number, nxt = nxt, nxt + 1
                    slug = re.sub(r"[^a-z0-9_]+", "_", code.lower())[:32]
                    notes.append(f"{name}: answer code {code!r} stored as {number}")
                parsed.append({"code": number,
                               "name": names[k] if k < len(names) else (slug or f"c{k + 1}"),
                               "label": {"sv": labels_sv[k] if k < len(labels_sv) else lab,
                                         "en": lab}})
            slugs = [p["name"] for p in parsed]
            if len(set(slugs)) != len(slugs) or not all(
                    re.fullmatch(r"[a-z0-9][a-z0-9_]{0,31}", n) for n in slugs):
                for p in parsed:  # labels that do not make distinct names: the codes do
                    p["name"] = f"c{p['code']}" if p["code"] >= 0 else f"m{-p['code']}"
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
            bounds = {}
            for key, v in (("min", lo), ("max", hi)):
                try:
                    if v:
                        bounds[key] = float(v)
                except ValueError:
                    bounds = {}
                    break
            if bounds and item["type"] in ("count", "number"):
                item["range"] = bounds
            else:
                notes.append(f"{name}: validation range {lo or '…'}–{hi or '…'} "
                             f"({validation or ftype}) not converted")
        item.setdefault("provenance", {"status": "reconstructed",
                                       "why": f"converted from the REDCap dictionary "
                                              f"{path.name}"})
        items.append(item)
    top.setdefault("id", re.sub(r"[^a-z0-9_]", "_", path.stem.lower())[:40] or "redcap")
    top.setdefault("title", {"sv": path.stem, "en": path.stem})
    if record_id and any(i["id"] == record_id and i["type"] == "identifier" for i in items):
        top.setdefault("respondent_id", record_id)
    top["items"] = [_named_answers(i, items) for i in items]
    keep_valid_filters(top, notes, path)
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


def from_lss(path: Path) -> tuple[dict[str, Any], list[str]]:
    """An instrument (as a dict) from a LimeSurvey survey structure (``.lss``), and what was
    not converted (:mod:`cipsurvey.instrument.lss`)."""
    data, notes = _lss(path)
    keep_valid_filters(data, notes, path)
    return data, notes


def from_qsf(path: Path) -> tuple[dict[str, Any], list[str]]:
    """An instrument (as a dict) from a Qualtrics survey file (``.qsf``), and what was not
    converted (:mod:`cipsurvey.instrument.qsf`)."""
    data, notes = _qsf(path)
    keep_valid_filters(data, notes, path)
    return data, notes


def keep_valid_filters(data: dict[str, Any], notes: list[str], source: Path) -> None:
    """Leave out, with a note, every translated filter the instrument check refuses (a
    comparison the filter language cannot make, such as a date with ``>``), so that the
    rest of the conversion stands; any other problem is raised."""
    from ..errors import InstrumentError

    for _ in range(len(data.get("items", [])) + 1):
        try:
            build(data, source)
            return
        except InstrumentError as exc:
            bad = {int(m.group(1)): str(p) for p in exc.problems
                   if (m := re.search(r"items\[(\d+)\]\.relevant", str(p)))}
            if not bad or len(bad) < len(exc.problems):
                raise
            for k, problem in sorted(bad.items()):
                item = data["items"][k]
                why = problem.split("filter:", 1)[-1].strip()
                notes.append(f"{item['id']}: filter {item.pop('relevant', '')!r} not "
                             f"converted ({why})")


def build(data: dict[str, Any], source: Path) -> Instrument:
    """Check a converted instrument like any other (lines refer to nothing: no YAML)."""
    return parse_instrument(YamlDocument(data, {}, source))
