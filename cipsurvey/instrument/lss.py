"""LimeSurvey survey structure (``.lss``) to a cipsurvey instrument.

A ``.lss`` is LimeSurvey's XML export of a survey: tables of questions, subquestions and
answers, one row per language (LimeSurvey 3) or with the texts in ``*_l10ns`` tables
(LimeSurvey 4 and later). Each question type becomes the items its responses export as
(a list question one item, a multiple-choice question one multiple-choice item and its
"other" text, an array one item per subquestion); the relevance equations become filters
where the filter language can say them, and every question or equation it cannot say is
listed.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ..errors import CipsurveyError
from . import expr

# LimeSurvey's own words for the answers it supplies itself (its translation files)
YES = {"sv": "Ja", "en": "Yes", "de": "Ja", "nl": "Ja", "fr": "Oui", "es": "Sí", "da": "Ja",
       "nb": "Ja", "fi": "Kyllä"}
NO = {"sv": "Nej", "en": "No", "de": "Nein", "nl": "Nee", "fr": "Non", "es": "No", "da": "Nej",
      "nb": "Nei", "fi": "Ei"}
OTHER = {"sv": "Annat", "en": "Other", "de": "Sonstiges", "nl": "Anders", "fr": "Autre",
         "es": "Otro", "da": "Andet", "nb": "Annet", "fi": "Muu"}
FEMALE = {"sv": "Kvinna", "en": "Female", "de": "Weiblich", "nl": "Vrouw", "fr": "Féminin"}
MALE = {"sv": "Man", "en": "Male", "de": "Männlich", "nl": "Man", "fr": "Masculin"}
SINGLE = {"L", "!", "O"}  # list (radio), list (dropdown), list with comment
ARRAYS = {"F": None, "H": None, "A": [str(k) for k in range(1, 6)],
          "B": [str(k) for k in range(1, 11)], "C": ["Y", "U", "N"], "E": ["I", "S", "D"]}
NOT_QUESTIONS = {"X": "a text display", "*": "an equation", "|": "a file upload",
                 "I": "a language switch"}
UNSUPPORTED = {"R": "ranking", "1": "dual-scale array", ";": "array of texts",
               ":": "array of numbers", "P": "multiple choice with comments"}


def _rows(root: ET.Element, table: str) -> list[dict[str, str]]:
    node = root.find(f"{table}/rows")
    if node is None:
        return []
    return [{c.tag: (c.text or "") for c in row} for row in node]


def plain(text: str) -> str:
    """A question text as LimeSurvey writes it with "strip HTML": tags and entities gone."""
    text = re.sub(r"<[^>]+>", " ", text or "")
    return " ".join(html.unescape(text).split())


def _slug(code: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", code.lower()).strip("_")


def answer_codes(codes: list[str]) -> tuple[list[int], list[str]]:
    """Numbers and names for a list of answer codes, so that no code can be read as another.

    Whole-number codes keep their number (``"0"`` stays 0, ``"99"`` stays 99) and are named by
    it; other codes are named by their lower-cased text and numbered after the largest number.
    """
    numbers = [int(c) for c in codes if re.fullmatch(r"-?\d+", c)]
    nxt = max([0, *numbers]) + 1
    out_codes, names = [], []
    for c in codes:
        if re.fullmatch(r"-?\d+", c):
            out_codes.append(int(c))
            names.append(str(int(c)) if int(c) >= 0 else f"m{-int(c)}")
        else:
            out_codes.append(nxt)
            nxt += 1
            names.append(_slug(c) or f"c{nxt - 1}")
    return out_codes, names


def _texts(by_lang: dict[str, str], base: str, fallback: str) -> dict[str, str]:
    """A label in every language the survey has, with sv and en present."""
    out = {lang: t for lang, t in by_lang.items() if t}
    stand_in = out.get(base) or next(iter(out.values()), fallback)
    out.setdefault("sv", stand_in)
    out.setdefault("en", stand_in)
    return out


class _Survey:
    """The tables of a ``.lss``, keyed for the conversion."""

    def __init__(self, path: Path) -> None:
        try:
            self.root = ET.parse(path).getroot()
        except ET.ParseError as exc:
            raise CipsurveyError(f"not a LimeSurvey structure file: the XML is broken ({exc})",
                                 file=path) from None
        if self.root.findtext("LimeSurveyDocType") != "Survey":
            raise CipsurveyError("not a LimeSurvey survey structure (.lss) file", file=path,
                                 hint="export the survey from LimeSurvey: Display/Export → "
                                      "Survey structure (.lss)")
        self.languages = [e.text or "" for e in self.root.findall("languages/language")]
        self.base = self.languages[0] if self.languages else "en"
        questions = _rows(self.root, "questions")
        subquestions = _rows(self.root, "subquestions")
        l10ns = _rows(self.root, "question_l10ns")
        self.texts: dict[str, dict[str, str]] = {}
        for r in [*questions, *subquestions]:  # LimeSurvey 3: the text is in the row
            if r.get("question") is not None and r.get("language"):
                self.texts.setdefault(r["qid"], {})[r["language"]] = plain(r["question"])
        for r in l10ns:  # LimeSurvey 4+
            self.texts.setdefault(r["qid"], {})[r["language"]] = plain(r.get("question", ""))
        # one row per question (LimeSurvey 3 repeats it per language)
        self.questions = list({r["qid"]: r for r in questions}.values())
        self.questions.sort(key=lambda r: (self._group_order(r["gid"]),
                                           int(r.get("question_order") or 0)))
        self.sub: dict[str, list[dict[str, str]]] = {}
        for r in {r["qid"]: r for r in subquestions}.values():
            self.sub.setdefault(r["parent_qid"], []).append(r)
        for rows in self.sub.values():
            rows.sort(key=lambda r: int(r.get("question_order") or 0))
        answer_text: dict[str, dict[str, str]] = {}
        for r in _rows(self.root, "answer_l10ns"):
            answer_text.setdefault(r["aid"], {})[r["language"]] = plain(r.get("answer", ""))
        self.answers: dict[tuple[str, str], list[tuple[str, dict[str, str]]]] = {}
        seen: dict[tuple[str, str, str], dict[str, str]] = {}
        for r in _rows(self.root, "answers"):
            key = (r["qid"], r.get("scale_id") or "0")
            texts = answer_text.get(r.get("aid", ""), {})
            if r.get("language"):  # LimeSurvey 3
                texts = {r["language"]: plain(r.get("answer", ""))}
            slot = seen.get((*key, r["code"]))
            if slot is None:
                slot = seen[(*key, r["code"])] = {}
                self.answers.setdefault(key, []).append((r["code"], slot))
                self.answers[key][-1] = (r["code"], slot)
            slot.update(texts)
            order = int(r.get("sortorder") or 0)
            slot.setdefault("\x00order", str(order))
        for rows in self.answers.values():
            rows.sort(key=lambda a: int(a[1].get("\x00order", "0")))
            for _, slot in rows:
                slot.pop("\x00order", None)
        self.by_qid = {r["qid"]: r for r in self.questions}
        self.title = ""
        for r in _rows(self.root, "surveys_languagesettings"):
            if r.get("surveyls_language") == self.base:
                self.title = plain(r.get("surveyls_title", ""))
        self.sid = next((r.get("sid", "") for r in _rows(self.root, "surveys")), "")

    def _group_order(self, gid: str) -> int:
        for r in _rows(self.root, "groups"):
            if r.get("gid") == gid:
                return int(r.get("group_order") or 0)
        return 0


def from_lss(path: Path) -> tuple[dict[str, Any], list[str]]:
    """An instrument (as a dict) from a LimeSurvey ``.lss``, and what was not converted."""
    s = _Survey(path)
    notes: list[str] = []
    items: list[dict[str, Any]] = []
    variables: dict[str, dict[str, Any]] = {}  # question code -> what its answers are
    why = f"converted from the LimeSurvey survey {path.name}"
    if not {"sv", "en"} & set(s.languages):
        notes.append(f"the survey has no Swedish or English text: its {s.base!r} texts stand "
                     "in for both")

    def label(texts: dict[str, str], fallback: str) -> dict[str, str]:
        return _texts(texts, s.base, fallback)

    def words(table: dict[str, str]) -> dict[str, str]:
        return label({lang: table[lang] for lang in s.languages if lang in table},
                     table["en"])

    def choice_list(answers: list[tuple[str, dict[str, str]]]) -> list[dict[str, Any]]:
        codes, names = answer_codes([a for a, _ in answers])
        return [{"code": c, "name": n, "label": label(t, a)}
                for c, n, (a, t) in zip(codes, names, answers, strict=True)]

    for q in s.questions:
        qid, kind, title = q["qid"], q["type"], q["title"]
        ident = _slug(title)
        text = label(s.texts.get(qid, {}), title)
        if kind in NOT_QUESTIONS:
            notes.append(f"{title}: {NOT_QUESTIONS[kind]}, not a question; not converted")
            continue
        if kind in UNSUPPORTED or not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", ident):
            what = UNSUPPORTED.get(kind, f"question type {kind!r}")
            if kind not in UNSUPPORTED and kind not in "LOGYMNDSTUQK!5FHABCE":
                notes.append(f"{title}: {what} has no cipsurvey type; not converted")
            elif kind in UNSUPPORTED:
                notes.append(f"{title}: a {what} question has no cipsurvey type; not converted")
            else:
                notes.append(f"{title}: the code cannot be an item id; not converted")
            continue
        base = {"provenance": {"status": "reconstructed", "why": why}}
        if q.get("mandatory") == "Y":
            base["required"] = True
        new: list[dict[str, Any]] = []
        if kind in SINGLE or kind == "5":
            answers = s.answers.get((qid, "0"), [])
            if kind == "5":
                answers = [(str(k), {"en": str(k)}) for k in range(1, 6)]
            choices = choice_list(answers)
            item = {"id": ident, "type": "likert" if kind == "5" else "single_choice",
                    "text": text, "choices": choices, "aliases": {"limesurvey": [title]}, **base}
            if q.get("other") == "Y":
                code = max(c["code"] for c in choices) + 1 if choices else 1
                choices.append({"code": code, "name": "other", "label": words(OTHER)})
                new.append(item)
                new.append(_other_text(ident, title, s, qid, text, base))
            else:
                new.append(item)
            variables[title] = {"item": ident, "names": dict(zip(
                [a for a, _ in answers], [c["name"] for c in choices], strict=False))}
            if q.get("other") == "Y":
                variables[title]["names"]["-oth-"] = "other"
        elif kind == "Y":
            new.append({"id": ident, "type": "yes_no", "text": text, "choices": [
                {"code": 1, "name": "y", "label": words(YES)},
                {"code": 2, "name": "n", "label": words(NO)}],
                "aliases": {"limesurvey": [title]}, **base})
            variables[title] = {"item": ident, "names": {"Y": "y", "N": "n"}}
        elif kind == "G":
            new.append({"id": ident, "type": "single_choice", "text": text, "choices": [
                {"code": 1, "name": "f", "label": words(FEMALE)},
                {"code": 2, "name": "m", "label": words(MALE)}],
                "aliases": {"limesurvey": [title]}, **base})
            variables[title] = {"item": ident, "names": {"F": "f", "M": "m"}}
        elif kind == "M":
            subs = s.sub.get(qid, [])
            codes, names = answer_codes([r["title"] for r in subs])
            choices = [{"code": c, "name": n, "label": label(s.texts.get(r["qid"], {}), r["title"])}
                       for c, n, r in zip(codes, names, subs, strict=True)]
            if not choices:
                notes.append(f"{title}: a multiple-choice question without options; not converted")
                continue
            new.append({"id": ident, "type": "multiple_choice", "text": text, "choices": choices,
                        "aliases": {"limesurvey": [title]}, **base})
            variables[title] = {"item": ident, "multiple": True,
                                "names": dict(zip([r["title"] for r in subs], names, strict=True))}
            if q.get("other") == "Y":
                new.append(_other_text(ident, title, s, qid, text, base))
        elif kind in ("N", "K"):
            if kind == "N":
                new.append({"id": ident, "type": "number", "text": text,
                            "aliases": {"limesurvey": [title]}, **base})
                variables[title] = {"item": ident}
            else:
                new += _per_sub(s, q, ident, title, text, {"type": "number"}, base, notes)
        elif kind == "D":
            new.append({"id": ident, "type": "date", "text": text,
                        "aliases": {"limesurvey": [title]}, **base})
            variables[title] = {"item": ident}
        elif kind in ("S", "T", "U"):
            new.append({"id": ident, "type": "text", "text": text,
                        "aliases": {"limesurvey": [title]}, **base})
            variables[title] = {"item": ident}
        elif kind == "Q":
            new += _per_sub(s, q, ident, title, text, {"type": "text"}, base, notes)
        elif kind in ARRAYS:
            fixed = ARRAYS[kind]
            answers = s.answers.get((qid, "0"), []) if fixed is None else [
                (c, {"en": c}) for c in fixed]
            if not answers:
                notes.append(f"{title}: an array without answer options; not converted")
                continue
            spec = {"type": "likert" if kind in ("A", "B") else "single_choice",
                    "choices": choice_list(answers)}
            subs_items = _per_sub(s, q, ident, title, text, spec, base, notes)
            for it, r in zip(subs_items, s.sub.get(qid, []), strict=False):
                variables[f"{title}_{r['title']}"] = {
                    "item": it["id"], "names": dict(zip([a for a, _ in answers],
                                                        [c["name"] for c in spec["choices"]],
                                                        strict=True))}
            new += subs_items
        else:
            notes.append(f"{title}: question type {kind!r} has no cipsurvey type; not converted")
            continue
        relevance = (q.get("relevance") or "").strip()
        if relevance and relevance != "1":
            for it in new:
                it["\x00relevance"] = (title, relevance)
        items += new
    for it in items:
        pending = it.pop("\x00relevance", None)
        if pending is None:
            continue
        title, relevance = pending
        try:
            it["relevant"] = relevance_filter(relevance, variables, s)
        except expr.ExpressionError as exc:
            note = f"{title}: relevance {relevance!r} not converted ({exc.message})"
            if note not in notes:
                notes.append(note)
    ids = [i["id"] for i in items]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        notes.append(f"{dup}: two questions give this item id; the second is not converted")
    seen: set[str] = set()
    items = [i for i in items if not (i["id"] in seen or seen.add(i["id"]))]
    ident = _slug(f"limesurvey_{s.sid}") if s.sid else _slug(path.stem)
    title_text = s.title or path.stem
    return {"id": ident[:40], "title": {"sv": title_text, "en": title_text},
            "items": items}, notes


def _other_text(ident: str, title: str, s: _Survey, qid: str, text: dict[str, str],
                base: dict[str, Any]) -> dict[str, Any]:
    """The free-text "other" answer of a list or multiple-choice question."""
    words = {lang: OTHER.get(lang, OTHER["en"]) for lang in text}
    return {"id": f"{ident}_other"[:40], "type": "text",
            "text": {lang: f"{t} [{words[lang]}]" for lang, t in text.items()},
            "aliases": {"limesurvey": [f"{title}[other]", f"{title}_other"]}, **base}


def _per_sub(s: _Survey, q: dict[str, str], ident: str, title: str, text: dict[str, str],
             spec: dict[str, Any], base: dict[str, Any], notes: list[str]) -> list[dict[str, Any]]:
    """One item per subquestion of an array or multiple-field question."""
    out = []
    for r in s.sub.get(q["qid"], []):
        sub_id = f"{ident}_{_slug(r['title'])}"
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", sub_id):
            notes.append(f"{title}[{r['title']}]: the code cannot be an item id; not converted")
            continue
        sub_text = _texts(s.texts.get(r["qid"], {}), s.base, r["title"])
        out.append({"id": sub_id, **spec, "text": {
            lang: f"{text.get(lang, text['en'])} [{sub_text.get(lang, sub_text['en'])}]"
            for lang in sorted(set(text) | set(sub_text))},
            "aliases": {"limesurvey": [f"{title}[{r['title']}]", f"{title}_{r['title']}"]},
            **base})
    return out


_LS_TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>"[^"]*"|'[^']*')
    | (?P<name>\d+X\d+X\d+[A-Za-z0-9_]*(?:\.[A-Za-z]+)?|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z]+)?)
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<op>==|!=|<=|>=|<|>|&&|\|\||!|\(|\)|,)
    )""", re.VERBOSE)
_WORD_OPS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
             "and": "and", "or": "or", "not": "not"}


def relevance_filter(text: str, variables: dict[str, dict[str, Any]], s: _Survey) -> str:
    """A LimeSurvey relevance equation in cipsurvey's filter language.

    Understood: comparisons of a question (``Q1.NAOK``, ``Q1``, LimeSurvey 3's SGQA codes)
    with an answer code or a number, a multiple-choice option compared with ``"Y"``,
    ``is_empty()``, ``and``/``or``/``!`` and parentheses. Anything else raises
    ``ExpressionError``.
    """
    tokens: list[tuple[str, str]] = []
    pos = 0
    src = text.strip()
    while pos < len(src):
        m = _LS_TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise expr.ExpressionError("cannot read the equation here", text, pos)
        pos = m.end()
        kind = m.lastgroup
        tokens.append((kind, m.group(kind)))
    out: list[str] = []
    k = 0

    def ref(name: str) -> tuple[str, dict[str, Any] | None, str | None]:
        """(question code, its variable, the option of a multiple-choice question)."""
        name = re.sub(r"\.(NAOK|value|shown|code)$", "", name, flags=re.IGNORECASE)
        sgqa = re.fullmatch(r"\d+X\d+X(\d+)(.*)", name)
        if sgqa:
            q = s.by_qid.get(sgqa.group(1))
            if q is None:
                raise expr.ExpressionError(f"{name!r} names no question of the survey", text)
            name = q["title"] + (f"_{sgqa.group(2)}" if sgqa.group(2) else "")
        if name in variables:
            return name, variables[name], None
        if name.endswith("_other") and name[:-6] in variables:
            return name, {"item": f"{variables[name[:-6]]['item']}_other"}, None
        head, _, option = name.rpartition("_")
        if head in variables and variables[head].get("multiple"):
            return head, variables[head], option
        raise expr.ExpressionError(f"{name!r} is not a question the filter language can test",
                                   text)

    while k < len(tokens):
        kind, value = tokens[k]
        if kind == "op" and value in ("&&", "||"):
            out.append({"&&": "and", "||": "or"}[value])
        elif kind == "op" and value == "!":
            out.append("not")
        elif kind == "op" and value in "(),":
            out.append(value)
        elif kind == "name" and value.lower() in _WORD_OPS:
            out.append(_WORD_OPS[value.lower()])
        elif kind == "name" and value == "is_empty":
            if tokens[k + 1: k + 2] != [("op", "(")] or len(tokens) < k + 4 or \
                    tokens[k + 3] != ("op", ")"):
                raise expr.ExpressionError("is_empty() takes one question", text)
            _, var, option = ref(tokens[k + 2][1])
            if var is None or option is not None:
                raise expr.ExpressionError("is_empty() of an option", text)
            out.append(f"not answered({var['item']})")
            k += 4
            continue
        elif kind == "name":
            code, var, option = ref(value)
            nxt = tokens[k + 1] if k + 1 < len(tokens) else None
            lit = tokens[k + 2] if k + 2 < len(tokens) else None
            if nxt is None or nxt[0] != "op" or (nxt[1] not in ("==", "!=", "<", "<=", ">", ">=") \
                    and nxt[1] not in _WORD_OPS) or lit is None or lit[0] not in ("str", "num"):
                raise expr.ExpressionError(f"{value!r} is not compared with a value", text)
            op = _WORD_OPS.get(nxt[1], nxt[1])
            raw = lit[1].strip("\"'")
            if option is not None:
                if raw not in ("Y", "") or op not in ("==", "!="):
                    raise expr.ExpressionError(f"option {value!r} compared with {raw!r}", text)
                names = var["names"]
                if option not in names:
                    raise expr.ExpressionError(f"{option!r} is not an option of {code}", text)
                test = f'selected({var["item"]}, "{names[option]}")'
                selected_wanted = (raw == "Y") == (op == "==")
                out.append(test if selected_wanted else f"not {test}")
            elif "names" in var:
                names = var["names"]
                if raw == "":
                    out.append(("not " if op == "==" else "") + f"answered({var['item']})")
                elif raw in names and op in ("==", "!="):
                    out.append(f'{var["item"]} {op} "{names[raw]}"')
                else:
                    raise expr.ExpressionError(f"{raw!r} is not an answer code of {code}", text)
            else:
                if lit[0] == "str" and raw == "":
                    out.append(("not " if op == "==" else "") + f"answered({var['item']})")
                else:
                    out.append(f"{var['item']} {op} {raw if lit[0] == 'num' else repr(raw)}")
            k += 3
            continue
        else:
            raise expr.ExpressionError(f"{value!r} cannot stand here", text)
        k += 1
    result = " ".join(out).replace("( ", "(").replace(" )", ")")
    while "not not " in result:  # "!is_empty(x)": answered(x)
        result = result.replace("not not ", "")
    expr.parse(result)
    return result
