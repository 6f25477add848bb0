"""Qualtrics survey file (``.qsf``) to a cipsurvey instrument.

A ``.qsf`` is JSON: ``SurveyElements`` holds one ``SQ`` element per question with its export
tag, type and selector, choice texts, the numeric values it exports (``RecodeValues``) and its
display logic. Each question becomes the items its responses export as: a single-answer
question one item whose codes are the recode values, a multiple-answer question one
multiple-choice item, a matrix one item per statement, a text-entry form one text item per
field. Negative recode values ("No basis for evaluation" coded -1) become missing codes, as
Qualtrics users use them. Display logic on the answers of other questions becomes the item's
filter; logic on anything else (embedded data, device type, "is displayed", survey flow
branches) is listed as not converted.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from ..errors import CipsurveyError
from . import expr

SINGLE = {"SAVR", "SAHR", "SACOL", "DL", "SB", "NPS"}
MULTIPLE = {"MAVR", "MAHR", "MACOL", "MSB"}
NOT_QUESTIONS = {"DB": "a text/graphic block", "Timing": "a timing question",
                 "Meta": "browser meta information", "Captcha": "a captcha"}
UNSUPPORTED = {"SBS": "side-by-side", "RO": "rank order", "PGR": "pick, group and rank",
               "HotSpot": "hot spot", "HeatMap": "heat map", "FileUpload": "file upload",
               "Draw": "signature", "DD": "drill down", "GAP": "gap analysis",
               "Slider": "slider", "CS": "constant sum"}
COMPARE = {"EqualTo": "==", "NotEqualTo": "!=", "GreaterThan": ">",
           "GreaterThanOrEqual": ">=", "LessThan": "<", "LessThanOrEqual": "<="}


def plain(text: Any) -> str:
    """A question text as the export's second header row shows it: no tags or entities."""
    text = re.sub(r"<[^>]+>", " ", str(text or ""))
    return " ".join(html.unescape(text).split())


def _ident(tag: str) -> str:
    out = re.sub(r"[^a-z0-9_]+", "_", tag.lower()).strip("_")
    if not out or not out[0].isalpha():
        out = f"q_{out}"
    return out[:40]


def _number(value: Any) -> int | None:
    try:
        f = float(str(value).strip())
    except ValueError:
        return None
    return int(f) if f.is_integer() else None


def _choices(payload: dict[str, Any], key: str = "Choices", order_key: str = "ChoiceOrder",
             recode_key: str = "RecodeValues") -> list[tuple[str, str, Any]]:
    """(choice id, text, recode value or None) in display order."""
    raw = payload.get(key) or {}
    if isinstance(raw, list):  # an empty list is written as []
        raw = {str(k + 1): v for k, v in enumerate(raw) if v}
    order = [str(c) for c in (payload.get(order_key) or raw.keys())]
    recode = payload.get(recode_key) or {}
    out = []
    for cid in order:
        if cid not in raw:
            continue
        out.append((cid, plain(raw[cid].get("Display", "")), recode.get(cid)))
    return out


class _Converter:
    def __init__(self, path: Path) -> None:
        try:
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CipsurveyError(f"not a Qualtrics survey file: it is not JSON ({exc})",
                                 file=path) from None
        if not isinstance(data, dict) or "SurveyElements" not in data:
            raise CipsurveyError("not a Qualtrics survey file (.qsf): no SurveyElements",
                                 file=path, hint="in Qualtrics: Tools → Import/Export → "
                                                 "Export survey")
        self.path = path
        self.entry = data.get("SurveyEntry") or {}
        self.elements = data["SurveyElements"]
        self.notes: list[str] = []
        self.items: list[dict[str, Any]] = []
        self.by_qid: dict[str, dict[str, Any]] = {}  # QID -> how its answers are named
        self.base = str(self.entry.get("SurveyLanguage") or "EN").lower()[:2]
        trash: set[str] = set()  # questions in the survey's trash block are not asked
        self.order: list[str] = []  # the questions in block order
        for e in self.elements:
            blocks = (e.get("Payload") or []) if e.get("Element") == "BL" else []
            for b in blocks.values() if isinstance(blocks, dict) else blocks:
                ids = [x.get("QuestionID") for x in b.get("BlockElements") or []
                       if x.get("Type") == "Question"]
                if b.get("Type") == "Trash":
                    trash |= set(ids)
                else:
                    self.order += ids
        self.questions = {e["Payload"]["QuestionID"]: e["Payload"] for e in self.elements
                          if e.get("Element") == "SQ" and e.get("Payload")
                          and e["Payload"].get("QuestionID") not in trash}
        self.order = [q for q in self.order if q in self.questions] + [
            q for q in self.questions if q not in self.order]
        for e in self.elements:
            if e.get("Element") == "FL":
                self._flow_notes(e.get("Payload") or {})

    def _flow_notes(self, flow: dict[str, Any]) -> None:
        for step in flow.get("Flow") or []:
            if step.get("Type") == "Branch":
                self.notes.append("survey flow: a branch ("
                                  f"{plain(_descriptions(step.get('BranchLogic')))!s}) decides "
                                  "which blocks are shown; block-level logic is not converted")
            self._flow_notes(step)

    def label(self, text: str, translations: dict[str, str] | None = None) -> dict[str, str]:
        out = {self.base: text}
        out.update({k: v for k, v in (translations or {}).items() if v})
        out.setdefault("sv", out.get(self.base, text))
        out.setdefault("en", out.get(self.base, text))
        return {k: v or text for k, v in out.items()}

    def translations(self, payload: dict[str, Any], key: str,
                     choice: str | None = None, field: str = "Choices") -> dict[str, str]:
        out = {}
        for lang, tr in (payload.get("Language") or {}).items():
            if not isinstance(tr, dict):
                continue
            if choice is None:
                value = tr.get(key)
            else:
                value = ((tr.get(field) or {}).get(choice) or {}).get("Display")
            if value:
                out[lang.lower()[:2]] = plain(value)
        return out

    def codes(self, tag: str, choices: list[tuple[str, str, Any]],
              payload: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Answer choices and missing codes: recode values where every choice has a whole
        one, else the choice ids; negative values are missing codes."""
        numbers = [_number(r) for _, _, r in choices]
        if any(n is None for n in numbers):
            if any(r is not None for _, _, r in choices):
                self.notes.append(f"{tag}: recode values that are not whole numbers; the "
                                  "choice ids are used as codes")
            numbers = [_number(cid) for cid, _, _ in choices]
        out, missing = [], []
        for (cid, text, _), code in zip(choices, numbers, strict=True):
            lab = self.label(text or cid, self.translations(payload, "", cid))
            if code is None:
                continue
            if code < 0:
                missing.append({"code": code, "label": lab, "\x00id": cid})
            else:
                out.append({"code": code, "name": cid.lower(), "label": lab, "\x00id": cid})
        if missing:
            self.notes.append(f"{tag}: " + ", ".join(
                f"{m['code']} ({m['label']['en']})" for m in missing)
                + " taken as missing codes (negative recode values)")
        return out, missing

    def convert(self) -> tuple[dict[str, Any], list[str]]:
        for qid in self.order:
            self.question(qid, self.questions[qid])
        for item in self.items:
            logic = item.pop("\x00logic", None)
            if logic is not None:
                try:
                    item["relevant"] = self.logic(logic)
                except expr.ExpressionError as exc:
                    note = (f"{item['aliases']['qualtrics'][0]}: display logic "
                            f"{plain(_descriptions(logic))!r} not converted ({exc.message})")
                    if note not in self.notes:
                        self.notes.append(note)
            for c in item.get("choices", []):
                c.pop("\x00id", None)
        ids = [i["id"] for i in self.items]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            self.notes.append(f"{dup}: two questions give this item id; the second is not "
                              "converted")
        seen: set[str] = set()
        items = [i for i in self.items if not (i["id"] in seen or seen.add(i["id"]))]
        name = str(self.entry.get("SurveyName") or self.path.stem)
        return {"id": _ident(f"qualtrics_{name}"), "title": {"sv": name, "en": name},
                "items": items}, self.notes

    def question(self, qid: str, p: dict[str, Any]) -> None:
        tag = str(p.get("DataExportTag") or qid)
        kind, selector = p.get("QuestionType"), p.get("Selector")
        text = self.label(plain(p.get("QuestionText")) or tag,
                          self.translations(p, "QuestionText"))
        why = {"provenance": {"status": "reconstructed",
                              "why": f"converted from the Qualtrics survey {self.path.name}"}}
        if kind in NOT_QUESTIONS:
            return
        if kind in UNSUPPORTED:
            self.notes.append(f"{tag}: a {UNSUPPORTED[kind]} question has no cipsurvey type; "
                              "not converted")
            return
        required = ((p.get("Validation") or {}).get("Settings") or {}).get("ForceResponse") == "ON"
        common: dict[str, Any] = {**why}
        if required:
            common["required"] = True
        if p.get("DisplayLogic"):
            common["\x00logic"] = p["DisplayLogic"]
        ident = _ident(tag)
        new: list[dict[str, Any]] = []
        if kind == "MC" and (selector in SINGLE or selector in MULTIPLE):
            choices, missing = self.codes(tag, _choices(p), p)
            multiple = selector in MULTIPLE
            ids = {c["\x00id"] for c in choices}
            if any(str(c["code"]) in ids - {c["\x00id"]} for c in choices):
                # a choice id that is another choice's recode value: named apart, so that
                # no value can be read as the other (an id is a name, a recode a code)
                for c in choices:
                    c["name"] = "c" + c["\x00id"].lower()
                if multiple:
                    self.notes.append(f"{tag}: recode values and choice ids cross; the legacy "
                                      f"export's columns ({tag}_<choice id>) will not match: "
                                      "export in the current layout")
            if multiple:
                choices = choices + [{"code": m["code"], "name": m["\x00id"].lower(),
                                      "label": m["label"], "\x00id": m["\x00id"]}
                                     for m in missing]
                missing = []
            item = {"id": ident, "type": "multiple_choice" if multiple else "single_choice",
                    "text": text, "choices": choices, "aliases": {"qualtrics": [tag]}, **common}
            if missing:
                item["missing"] = [{k: v for k, v in m.items() if k != "\x00id"}
                                   for m in missing]
            new.append(item)
            self.by_qid[qid] = {"item": ident, "multiple": multiple,
                                "names": {c["\x00id"]: c["name"] for c in choices if c["\x00id"]},
                                "codes": {c["\x00id"]: c["code"] for c in choices}}
            for cid, ctext, _ in _choices(p):
                if ((p.get("Choices") or {}).get(cid) or {}).get("TextEntry") in ("true", True):
                    new.append({"id": _ident(f"{tag}_{cid}_text"), "type": "text",
                                "text": self.label(f"{text['en']} - {ctext} - Text"),
                                "aliases": {"qualtrics": [f"{tag}_{cid}_TEXT", f"{tag}_TEXT"]},
                                **why})
        elif kind == "TE":
            if selector == "FORM":
                for cid, ctext, _ in _choices(p):
                    new.append({"id": _ident(f"{tag}_{cid}"), "type": "text",
                                "text": self.label(f"{text['en']} - {ctext}"),
                                "aliases": {"qualtrics": [f"{tag}_{cid}"]}, **common})
            else:
                content = ((p.get("Validation") or {}).get("Settings") or {}).get("ContentType")
                kind_ = {"ValidNumber": "number", "ValidDate": "date"}.get(content, "text")
                new.append({"id": ident, "type": kind_, "text": text,
                            "aliases": {"qualtrics": [tag, f"{tag}_TEXT"]}, **common})
                self.by_qid[qid] = {"item": ident, "text": True}
        elif kind == "Matrix":
            answers, missing = self.codes(tag, _choices(p, "Answers", "AnswerOrder"), p)
            multiple = p.get("SubSelector") == "MultipleAnswer"
            if multiple:
                answers = answers + [{"code": m["code"], "name": m["\x00id"].lower(),
                                      "label": m["label"], "\x00id": m["\x00id"]}
                                     for m in missing]
                missing = []
            statements = _choices(p, recode_key="ChoiceDataExportTags")
            for cid, stext, export_tag in statements:
                column = str(export_tag) if export_tag else f"{tag}_{cid}"
                names = [column] + ([f"{tag}_{export_tag}"] if export_tag else [])
                item = {"id": _ident(column), "text": self.label(
                    f"{text['en']} - {stext}", self.translations(p, "", cid)),
                    "type": "multiple_choice" if multiple else (
                        "likert" if selector == "Likert" else "single_choice"),
                    "choices": [dict(a) for a in answers], "aliases": {"qualtrics": names},
                    **common}
                if missing:
                    item["missing"] = [{k: v for k, v in m.items() if k != "\x00id"}
                                       for m in missing]
                new.append(item)
        else:
            self.notes.append(f"{tag}: question type {kind}/{selector} has no cipsurvey type; "
                              "not converted")
            return
        for item in new:
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", item["id"]):
                self.notes.append(f"{tag}: {item['id']!r} cannot be an item id; not converted")
                continue
            self.items.append(item)

    def logic(self, logic: dict[str, Any]) -> str:
        """Qualtrics display logic (conditions joined by Conjuction) in the filter language."""
        parts: list[str] = []
        groups = [v for k, v in sorted(((k, v) for k, v in logic.items() if k.isdigit()),
                                       key=lambda kv: int(kv[0])) if isinstance(v, dict)]
        for g, group in enumerate(groups):
            conds = [v for k, v in sorted(((k, v) for k, v in group.items() if k.isdigit()),
                                          key=lambda kv: int(kv[0])) if isinstance(v, dict)]
            inner: list[str] = []
            for c, cond in enumerate(conds):
                text = self.condition(cond)
                if c:
                    inner.append({"And": "and", "Or": "or"}.get(cond.get("Conjuction"), "and"))
                inner.append(text)
            piece = " ".join(inner)
            if g:
                parts.append({"And": "and", "Or": "or"}.get(group.get("Conjuction"), "and"))
            parts.append(f"({piece})" if len(conds) > 1 else piece)
        if not parts:
            raise expr.ExpressionError("empty display logic", "")
        result = " ".join(parts)
        expr.parse(result)
        return result

    def condition(self, cond: dict[str, Any]) -> str:
        if cond.get("LogicType") != "Question":
            raise expr.ExpressionError(f"logic on {cond.get('LogicType')!r}, not on an answer",
                                       "")
        left = str(cond.get("LeftOperand") or "")
        m = re.fullmatch(r"q://(QID\d+)/(\w+)/?([\w-]*)", left)
        if not m:
            raise expr.ExpressionError(f"cannot read {left!r}", "")
        qid, what, arg = m.groups()
        target = self.by_qid.get(qid)
        if target is None:
            raise expr.ExpressionError(f"{qid} is not a converted question", "")
        op = cond.get("Operator")
        if what == "SelectableChoice" and op in ("Selected", "NotSelected"):
            name = target.get("names", {}).get(arg)
            if name is None:
                raise expr.ExpressionError(f"choice {arg} of {qid} is not an answer", "")
            test = (f'selected({target["item"]}, "{name}")' if target["multiple"]
                    else f'{target["item"]} == "{name}"')
            return test if op == "Selected" else f"not {test}"
        if what == "ChoiceTextEntryValue" and op in COMPARE and target.get("text"):
            right = str(cond.get("RightOperand", ""))
            value = right if _number(right) is not None or re.fullmatch(r"-?\d+\.\d+", right) \
                else json.dumps(right)
            return f"{target['item']} {COMPARE[op]} {value}"
        if op in ("Empty", "NotEmpty"):
            return ("not " if op == "Empty" else "") + f"answered({target['item']})"
        raise expr.ExpressionError(f"the condition {what} {op}", "")


def _descriptions(logic: Any) -> str:
    """The human-readable description Qualtrics keeps beside each condition."""
    out = []
    if isinstance(logic, dict):
        if "Description" in logic:
            out.append(str(logic["Description"]))
        for v in logic.values():
            if isinstance(v, dict):
                out.append(_descriptions(v))
    return " ".join(x for x in out if x)


def from_qsf(path: Path) -> tuple[dict[str, Any], list[str]]:
    """An instrument (as a dict) from a Qualtrics ``.qsf``, and what was not converted."""
    return _Converter(path).convert()
