"""A first instrument drafted from the files a user has: ``cipsurvey instrument draft``.

From an SPSS ``.sav`` the file says most of it: variable names and labels, value labels,
user-missing values and ranges, measurement levels, print formats and multiple-response
sets. From a CSV, Excel or web-survey export only the values speak, so the types and answer
lists are inferred from them. Either way every guess is written beside the item as a YAML
comment starting with ``REVIEW``, and facts read from the file as plain comments: the draft is
meant to be read once and corrected, not trusted.

The rules, in the order they are tried for one column (``_propose``):

1. a date format (.sav) or values that all read as dates: ``date``;
2. text: an id-like name with a different value in every row: ``identifier``; few distinct
   values that repeat: ``single_choice`` (or ``likert`` when the answers are an ordered
   vocabulary such as never ... always), coded 1..k; otherwise ``text``;
3. numbers with value labels: ``likert`` when the measurement level is ordinal or the labels
   read as an ordered scale, the codes are consecutive and there are at least three;
   otherwise ``single_choice``. Codes found in the data without a label get their number as
   label (REVIEW); when most answers carry no label at all the labels are not an answer list
   and the column is a number;
4. whole numbers without labels: ``likert`` with a ``range`` when they sit in a run of
   similar columns (or the level is ordinal) on 0/1..4-10; ``count`` when none is negative;
5. anything else numeric: ``number``.

Groups: an SPSS dichotomy set becomes a ``multiple_choice`` item (its variables as the
options' aliases); an SPSS category set, a ``grid``. Columns of one family (``q5_1``,
``q5_2`` ...; ``q5[a]``; ``q5/a``; ``q5___1``) that each hold only 0/1 or one text and blanks
become a ``multiple_choice`` item. Three or more consecutive Likert items sharing one answer
list are proposed as a ``scale``; items that load on the first principal component of their
correlations with the opposite sign to most items are proposed as reversed (REVIEW: check the
wording).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..io.readers import read_raw
from ..io.sav_data import DATE_KINDS
from ..lang import catalog, localise_decimal, text
from .coerce import parse_number

MAX_CHOICES = 15  # more distinct texts than this: free text, not an answer list
MAX_LIKERT_POINTS = 11  # 0-10 is the longest rating scale drafted as Likert
ID_NAME = re.compile(r"(^|_)(id|ids|key|lopnr|löpnr|lopnummer|löpnummer|caseid|case_id|"
                     r"respondent|respondentid|responseid|record_id|recordid|uuid)($|_)")
# words that make an answer list an ordered scale (English and Swedish)
ORDERED_WORDS = (
    "never", "rarely", "seldom", "sometimes", "often", "usually", "always", "agree",
    "disagree", "neither", "neutral", "satisfied", "dissatisfied", "poor", "fair", "good",
    "excellent", "not at all", "a little", "somewhat", "moderately", "quite", "very", "much",
    "extremely", "slightly", "low", "high", "medium", "important", "likely", "unlikely",
    "aldrig", "sällan", "ibland", "ofta", "alltid", "instämmer", "inte alls", "delvis",
    "helt", "nöjd", "missnöjd", "dålig", "bra", "mycket", "ganska", "lite", "viktig", "låg",
    "hög", "varken",
)
FAMILY = re.compile(r"^(?P<stem>.+?)(?:___|_|\.|/|\[)(?P<option>[A-Za-z0-9]+)\]?$")
# the SPSS formats whose values the .sav reader gives as dates (QYR, MOYR, WKYR... stay
# numbers, seconds since 1582, as pyreadstat leaves them: drafted as numbers)
DATE_FORMATS = tuple(f for f, kind in DATE_KINDS.items() if kind in ("date", "datetime"))
TEXT_DATES = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y", "%m/%d/%Y",
              "%d.%m.%Y", "%Y/%m/%d")


@dataclass
class Column:
    """One raw column as the files show it: answers (user-missing codes already masked)
    and whatever the file says about it."""

    name: str
    values: pd.Series
    label: str | None = None
    value_labels: dict[Any, str] = field(default_factory=dict)
    missing: list[tuple[Any, Any]] = field(default_factory=list)
    measure: str | None = None
    format: str | None = None
    files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Say:
    """A comment line to be written in the draft's language: a catalog key and its fields
    (a field may itself be a ``Say``)."""

    key: str
    fields: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str) -> str:
        """The line in ``lang``, its fields filled in (a field that is a ``Say`` first)."""
        # (the key is a say() call's, which the catalog test reads there)
        return catalog.text(self.key, lang, **{k: _field(v, lang) for k, v in self.fields})


def _field(value: Any, lang: str) -> Any:
    """A field as the language writes it: a nested line, or (name, number) pairs with the
    language's decimal mark."""
    if isinstance(value, Say):
        return value.text(lang)
    if isinstance(value, tuple) and value and all(isinstance(v, tuple) for v in value):
        return ", ".join(f"{name} {localise_decimal(f'{x:+.2f}', lang)}" for name, x in value)
    return value


def say(key: str, **fields: Any) -> Say:
    """A comment line (see :class:`Say`)."""
    return Say(key, tuple(fields.items()))


@dataclass
class Proposal:
    """A drafted item (or group) and the comment lines that explain it: ``facts`` read from
    the file, ``review`` the guesses to check."""

    entry: dict[str, Any]
    facts: list[Say] = field(default_factory=list)
    review: list[Say] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # raw columns it covers


def slug(text: str, pattern_start: str = "q_", limit: int = 40) -> str:
    """A lowercase id from a column name or label: letters, digits and underscores."""
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "ø": "o",
                           "æ": "ae", "ß": "ss"})
    s = re.sub(r"[^a-z0-9]+", "_", str(text).casefold().translate(table)).strip("_")
    if not s:
        s = "x"
    if not s[0].isalpha():
        s = pattern_start + s
    return s[:limit].rstrip("_")


def _unique(name: str, taken: set[str], limit: int = 40) -> str:
    out, k = name, 2
    while out in taken:
        suffix = f"_{k}"
        out = name[: limit - len(suffix)] + suffix
        k += 1
    taken.add(out)
    return out


def _number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _is_ordered(labels: list[str]) -> bool:
    """Whether an answer list reads as an ordered scale: all labels but at most one use a
    word of ORDERED_WORDS."""
    hits = sum(any(w in lab.casefold() for w in ORDERED_WORDS) for lab in labels)
    return len(labels) >= 3 and hits >= len(labels) - 1


def _whole(values: np.ndarray) -> bool:
    return bool(np.all(np.isclose(values, np.round(values))))


def _decimals(fmt: str | None) -> int | None:
    m = re.fullmatch(r"[A-Z]+(\d+)(?:\.(\d+))?", fmt or "")
    return int(m.group(2) or 0) if m else None


def _choice_names(labels: list[str], codes: list[int]) -> list[str]:
    taken: set[str] = set()
    names = []
    for lab, code in zip(labels, codes, strict=True):
        base = slug(lab, "a_", 32) if lab and lab != _number_text_or(lab) else ""
        if not base or base == "x":
            base = f"code_{code}" if code >= 0 else f"code_m{-code}"
        names.append(_unique(base, taken, 32))
    return names


def _number_text_or(label: str) -> str:
    """The label itself when it is a plain number (a label that is only the code), else ''."""
    return label if re.fullmatch(r"-?\d+(\.\d+)?", label.strip()) else ""


def _choices(codes: list[int], labels: list[str]) -> list[dict[str, Any]]:
    names = _choice_names(labels, codes)
    return [{"code": c, "name": n, "label": lab}
            for c, n, lab in zip(codes, names, labels, strict=True)]


def _missing_codes(col: Column, lang: str) -> tuple[list[dict[str, Any]], list[Say]]:
    """The file's user-missing codes as the item's missing codes (a range as its codes when
    it holds fewer than ten whole numbers; otherwise a note)."""
    out: list[dict[str, Any]] = []
    notes: list[Say] = []

    def label(value: Any) -> str:
        own = col.value_labels.get(value)
        return str(own) if own else text("draft.missing_label", lang,
                                                 code=_number_text(value)
                                                 if not isinstance(value, str) else value)
    for lo, hi in col.missing:
        if isinstance(lo, str):
            out.append({"code": lo, "label": label(lo)})
            continue
        whole = float(lo).is_integer() and float(hi).is_integer()
        if whole and hi - lo < 10:
            for v in range(int(lo), int(hi) + 1):
                out.append({"code": v, "label": label(float(v))})
        else:
            notes.append(say("draft.missing_range", lo=_number_text(lo), hi=_number_text(hi)))
    return out, notes


def _numbers(values: pd.Series) -> np.ndarray | None:
    """The column's answers as floats (read as the importer reads a typed number), or None
    when a non-blank cell is not a number."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        x = values.to_numpy(dtype=float, na_value=np.nan)
        return x[~np.isnan(x)]
    texts = _texts(values)
    read: dict[str, float] = {}
    for v in texts.unique():
        num, _ = parse_number(v)
        if num is None:
            return None
        read[v] = num
    return texts.map(read).to_numpy(dtype=float)


def _is_question(name: str) -> bool:
    """A header that is itself the question text (web exports), not a variable name."""
    return " " in name.strip() and len(name) > 20


def _texts(values: pd.Series) -> pd.Series:
    s = values.dropna().map(lambda v: str(v).strip())
    return s[s != ""]


def _is_date(col: Column, texts: pd.Series) -> Say | None:
    fmt = (col.format or "").upper()
    if any(fmt.startswith(d) for d in DATE_FORMATS):
        return say("draft.date_format", format=col.format)
    if pd.api.types.is_datetime64_any_dtype(col.values.dtype) or (
            len(texts) and all(hasattr(v, "year") for v in texts.head(20))):
        return say("draft.date_values")
    if len(texts) == 0 or pd.api.types.is_numeric_dtype(col.values.dtype):
        return None
    sample = pd.Series(texts.unique())
    for f in TEXT_DATES:
        if pd.to_datetime(sample, format=f, errors="coerce").notna().all():
            return say("draft.date_text", format=f)
    return None


def propose(col: Column, lang: str, *, in_run: bool = False) -> Proposal:
    """The item one column most likely holds, with the reasons (see the module docstring);
    ``lang``: the language of the labels it writes (a missing code's)."""
    item: dict[str, Any] = {"id": "", "type": "text", "text": col.label or col.name}
    p = Proposal(item, columns=[col.name])
    if not col.label and not _is_question(col.name):
        p.review.append(say("draft.no_text"))
    if col.format:
        p.facts.append(say("draft.format", format=col.format,
                           measure=col.measure or text("draft.unknown", lang)))
    missing, notes = _missing_codes(col, lang)
    p.review.extend(notes)
    texts = _texts(col.values)
    if len(texts) == 0:
        p.review.append(say("draft.empty"))
        return p
    why_date = _is_date(col, texts)
    if why_date:
        item["type"] = "date"
        p.facts.append(why_date)
        return p
    if (ID_NAME.search(col.name.casefold()) and texts.is_unique and len(texts) > 1
            and not col.value_labels):
        item["type"] = "identifier"
        p.facts.append(say("draft.identifier", n=len(texts)))
        return p
    numbers = _numbers(col.values)
    if numbers is None:
        _text_item(col, texts, p)
    else:
        _number_item(col, numbers, p, in_run)
    if missing and item["type"] not in ("text", "identifier", "date"):
        item["missing"] = missing
        p.facts.append(say("draft.missing", codes=", ".join(str(m["code"]) for m in missing)))
    return p


def _text_item(col: Column, texts: pd.Series, p: Proposal) -> None:
    item = p.entry
    distinct = list(dict.fromkeys(texts))  # in order of first appearance
    labelled = {str(k).strip(): str(v) for k, v in col.value_labels.items()
                if isinstance(k, str)}
    if labelled and set(distinct) <= set(labelled):
        values = list(labelled)
        item["type"] = "likert" if _is_ordered(list(labelled.values())) else "single_choice"
        item["choices"] = _choices(list(range(1, len(values) + 1)),
                                   [labelled[v] for v in values])
        for choice, value in zip(item["choices"], values, strict=True):
            if choice["name"] != value.casefold() and labelled[value] != value:
                p.review.append(say("draft.text_stored", value=value, label=labelled[value]))
                break
        p.facts.append(say("draft.text_labels", k=len(values)))
        return
    counts = texts.value_counts()
    if len(distinct) <= MAX_CHOICES and counts.max() > 1 and len(distinct) < len(texts):
        ordered = _is_ordered(distinct)
        item["type"] = "likert" if ordered else "single_choice"
        item["choices"] = _choices(list(range(1, len(distinct) + 1)), distinct)
        p.review.append(say("draft.answers_ordered" if ordered else "draft.answers_found",
                            k=len(distinct)))
        return
    item["type"] = "text"
    p.facts.append(say("draft.text", k=len(distinct), n=len(texts)))


def _labelled_codes(col: Column) -> tuple[dict[float, str], dict[float, str]]:
    """The value labels split into answers and labels of missing codes."""
    def is_missing(v: Any) -> bool:
        return any(lo <= v <= hi for lo, hi in col.missing if not isinstance(lo, str))

    answers, missing = {}, {}
    for code, label in col.value_labels.items():
        try:
            v = float(code)
        except (TypeError, ValueError):
            continue
        (missing if is_missing(v) else answers)[v] = str(label).strip() or _number_text(v)
    return answers, missing


def _number_item(col: Column, x: np.ndarray, p: Proposal, in_run: bool) -> None:
    item = p.entry
    whole = _whole(x) if len(x) else True
    lo, hi = (float(x.min()), float(x.max())) if len(x) else (np.nan, np.nan)
    found = np.unique(x)
    labels, _ = _labelled_codes(col)
    decimals = _decimals(col.format)
    if labels:
        labelled_share = float(np.isin(x, list(labels)).mean()) if len(x) else 1.0
        integral = all(float(c).is_integer() for c in labels) and whole
        if labelled_share >= 0.5 and integral:
            codes = sorted(set(labels) | set(found.tolist()))
            unlabelled = [c for c in codes if c not in labels]
            consecutive = codes == list(np.arange(codes[0], codes[-1] + 1))
            ordered = col.measure == "ordinal" or _is_ordered(list(labels.values()))
            if ordered and consecutive and len(codes) >= 3:
                item["type"] = "likert"
                why = say("draft.why_ordinal" if col.measure == "ordinal"
                          else "draft.why_ordered_labels")
                p.facts.append(say("draft.likert_labels", why=why, lo=_number_text(codes[0]),
                                   hi=_number_text(codes[-1])))
            else:
                item["type"] = "single_choice"
                p.facts.append(say("draft.single_labels", k=len(labels)))
            item["choices"] = _choices([int(c) for c in codes],
                                       [labels.get(c, _number_text(c)) for c in codes])
            if unlabelled:
                p.review.append(say("draft.unlabelled_codes",
                                    codes=", ".join(_number_text(c) for c in unlabelled)))
            if not set(labels) & set(found.tolist()):
                p.review.append(say("draft.labels_unused"))
            return
        p.review.append(say(
            "draft.labels_sparse", k=len(labels), percent=round(100 * (1 - labelled_share)),
            examples=", ".join(f"{_number_text(c)} = {lab}"
                               for c, lab in list(labels.items())[:4])
            + (", ..." if len(labels) > 4 else "")))
    span = f"{_number_text(lo)}–{_number_text(hi)}" if len(x) else "none"
    points = hi - lo + 1 if len(x) else 0
    if (whole and len(x) and lo in (0, 1) and 3 <= points <= MAX_LIKERT_POINTS and not labels
            and len(found) >= 3 and (in_run or col.measure == "ordinal")):
        item["type"] = "likert"
        item["range"] = {"min": int(lo), "max": int(hi)}
        why = say("draft.why_ordinal" if col.measure == "ordinal" else "draft.why_run")
        p.review.append(say("draft.likert_range", span=span, why=why))
        return
    if whole and len(found) == 2 and set(found.tolist()) == {0.0, 1.0} and not labels:
        item["type"] = "single_choice"
        item["choices"] = _choices([0, 1], ["0", "1"])
        p.review.append(say("draft.zero_one"))
        return
    if whole and (decimals in (None, 0)) and (not len(x) or lo >= 0):
        item["type"] = "count"
        p.facts.append(say("draft.count", span=span))
        if len(found) <= MAX_LIKERT_POINTS and lo in (0, 1) and not labels and len(x):
            p.review.append(say("draft.rating_hint", lo=_number_text(lo), hi=_number_text(hi)))
        return
    item["type"] = "number"
    p.facts.append(say("draft.number", span=span))


# --------------------------------------------------------------------------- groups

TRUE_WORDS = {"1", "yes", "ja", "true", "checked", "selected", "y", "x", "kryssad", "vald",
              "markerad"}
FALSE_WORDS = {"0", "no", "nej", "false", "unchecked", "not selected", "n", "ej vald"}
LABELLED_OPTION = re.compile(r"^(?P<stem>.+?)\s*\[(?P<option>[^\]]+)\]$")
PACKED_SEPARATORS = (";", ", ")


def _binary(col: Column) -> str | None:
    """How a column holds one option of a multiple choice: 'flag' (0/1, yes/no, ...),
    'label' (one text where ticked, blank elsewhere), or None (not an option column)."""
    texts = _texts(col.values)
    if len(texts) == 0:
        return None
    values = {t.casefold().removesuffix(".0") for t in texts.map(str)}
    if values <= TRUE_WORDS | FALSE_WORDS:
        return "flag"
    if (len(values) == 1 and not pd.api.types.is_numeric_dtype(col.values.dtype)
            and any(ch.isalpha() for ch in texts.iloc[0])
            and _is_date(col, texts) is None):  # an option's text, not a date or a number
        return "label"
    return None


def _family_key(name: str) -> tuple[str, str] | None:
    m = LABELLED_OPTION.match(name) or FAMILY.match(name)
    return (m.group("stem"), m.group("option")) if m else None


def _common_text(texts: list[str]) -> str:
    """The words the texts begin with in common (a question's text before its options)."""
    if not texts:
        return ""
    first = texts[0]
    k = 0
    while k < len(first) and all(len(t) > k and t[k] == first[k] for t in texts):
        k += 1
    return first[:k].rstrip(" -:–[(").strip()


def _multiple_choice(stem: str, members: list[Column], kinds: list[str],
                     taken: set[str]) -> Proposal:
    options = [_family_key(c.name)[1] for c in members]  # type: ignore[index]
    item_id = _unique(slug(stem), taken)
    ticked = [str(_texts(c.values).iloc[0]) if k == "label" else "" for c, k in
              zip(members, kinds, strict=True)]
    # the ticked text names the option when it differs between the columns (not when every
    # column says 'Y' or 'Yes')
    named_by_value = all(ticked) and len(set(ticked)) == len(ticked)
    labels = [t if named_by_value else (col.label or option)
              for t, col, option in zip(ticked, members, options, strict=True)]
    common = _common_text(labels) if all(c.label for c in members) else ""
    if common and len(common) > 3:
        labels = [lab[len(common):].strip(" -:–[]()") or lab for lab in labels]
    numeric = all(o.isdigit() for o in options) and len(set(options)) == len(options)
    codes = [int(o) for o in options] if numeric else list(range(1, len(members) + 1))
    choices = _choices(codes, labels)
    taken: set[str] = set()
    for choice, option in zip(choices, options, strict=True):  # q5_1 stays q5_1 in the wave
        choice["name"] = _unique(slug(option, "", 32) if option.isascii() else choice["name"],
                                 taken, 32)
    for choice, col in zip(choices, members, strict=True):
        generated = {f"{item_id}_{choice['code']}", f"{item_id}_{choice['name']}",
                     f"{item_id}[{choice['name']}]"}
        if col.name.casefold() not in generated:
            choice["aliases"] = [col.name]
    question = common or (members[0].label if len(members) == 1 else "") or stem
    entry = {"id": item_id, "type": "multiple_choice", "text": question, "choices": choices}
    p = Proposal(entry, columns=[c.name for c in members])
    p.review.append(say("draft.mr_family", k=len(members), first=members[0].name,
                        last=members[-1].name,
                        how=say("draft.how_flags" if set(kinds) == {"flag"}
                                else "draft.how_label")))
    return p


def _packed(col: Column) -> list[str] | None:
    """The options of a multiple choice packed into one cell ('A, B' or 'A;B;'), if the
    column looks like one: some answers hold several parts from a small vocabulary."""
    if pd.api.types.is_numeric_dtype(col.values.dtype):
        return None
    texts = _texts(col.values)
    if len(texts) < 5:
        return None
    for sep in PACKED_SEPARATORS:
        parts = texts.map(lambda t, s=sep: [x.strip() for x in t.split(s) if x.strip()])
        several = (parts.map(len) > 1).mean()
        flat = [x for row in parts for x in row]
        vocabulary = list(dict.fromkeys(flat))
        if (several >= 0.1 and 2 <= len(vocabulary) <= 2 * MAX_CHOICES
                and len(flat) >= 2 * len(vocabulary)
                and max(len(x) for x in vocabulary) <= 80):
            return vocabulary
    return None


def _pc_signs(frame: pd.DataFrame) -> np.ndarray | None:
    """Loadings on the first principal component of the items' correlations (complete
    cases), or None when there are too few cases or the correlations are undefined."""
    complete = frame.dropna()
    if len(complete) < 20 or (complete.std() == 0).any():
        return None
    corr = np.corrcoef(complete.to_numpy(dtype=float), rowvar=False)
    _, vecs = np.linalg.eigh(corr)
    return vecs[:, -1]


def _scale(run: list[Proposal], frame: pd.DataFrame, taken: set[str]) -> Proposal:
    ids = [p.entry["id"] for p in run]
    texts = [str(p.entry["text"]) for p in run]
    common = _common_text(texts)
    gid = _unique(slug(f"scale_{ids[0]}_{ids[-1]}"), taken)
    entry: dict[str, Any] = {"id": gid, "type": "scale",
                             "text": common if len(common) > 10 else f"{ids[0]} – {ids[-1]}",
                             "items": ids}
    p = Proposal(entry)
    p.review.append(say("draft.scale", k=len(ids)))
    loadings = _pc_signs(frame[[c for q in run for c in q.columns]])
    if loadings is not None:
        negative = loadings < 0
        if negative.sum() > len(ids) / 2 or (negative.sum() == len(ids) / 2 and
                                             abs(loadings[negative]).sum()
                                             > abs(loadings[~negative]).sum()):
            negative = ~negative
        if negative.any():
            entry["reverse"] = [i for i, neg in zip(ids, negative, strict=True) if neg]
            p.review.append(say(
                "draft.reversed", items=", ".join(entry["reverse"]),
                loadings=tuple(zip(ids, loadings.tolist(), strict=True))))
    return p


def _answer_list(p: Proposal) -> tuple | None:
    e = p.entry
    if e["type"] != "likert":
        return None
    if "range" in e:
        return ("range", e["range"]["min"], e["range"]["max"])
    return tuple((c["code"], str(c["label"]).casefold()) for c in e["choices"])


# --------------------------------------------------------------------------- the draft


@dataclass
class Draft:
    """A drafted instrument: its entries with their comments, ready to be written."""

    instrument_id: str
    title: str
    lang: str
    header: list[Say]
    items: list[Proposal]
    groups: list[Proposal]
    respondent_id: str | None = None

    def data(self) -> dict[str, Any]:
        """The instrument as plain data (what the YAML text holds, without comments)."""
        out: dict[str, Any] = {"schema_version": 1, "id": self.instrument_id,
                               "title": self.title, "languages": [self.lang]}
        if self.respondent_id:
            out["respondent_id"] = self.respondent_id
        out["items"] = [p.entry for p in self.items]
        if self.groups:
            out["groups"] = [p.entry for p in self.groups]
        return out

    def text(self) -> str:
        """The instrument as YAML, every inference beside its entry as a comment."""
        import yaml

        def dump(value: Any) -> str:
            return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100,
                                  default_flow_style=None)

        mark = text("draft.review", self.lang)

        def block(p: Proposal) -> str:
            lines = ([f"  # {f.text(self.lang)}" for f in p.facts]
                     + [f"  # {mark}: {r.text(self.lang)}" for r in p.review])
            body = "".join("  " + line + "\n" for line in dump([p.entry]).splitlines())
            return "\n".join(lines) + ("\n" if lines else "") + body

        head = "".join(f"# {line.text(self.lang)}\n" for line in self.header) + "\n"
        top = {k: v for k, v in self.data().items() if k not in ("items", "groups")}
        out = head + dump(top) + "\nitems:\n" + "".join(block(p) for p in self.items)
        if self.groups:
            out += "\ngroups:\n" + "".join(block(p) for p in self.groups)
        return out

    def review_count(self) -> int:
        """How many lines of the draft are marked for review."""
        return sum(len(p.review) for p in [*self.items, *self.groups])


def draft_columns(columns: list[Column], *, instrument_id: str, title: str, lang: str,
                  mr_sets: dict[str, dict[str, Any]] | None = None,
                  header: list[Say] | None = None, alias_key: str = "spss") -> Draft:
    """Propose an item (or a group) for every column (see the module docstring)."""
    taken: set[str] = set()
    by_name = {c.name: c for c in columns}
    covered: set[str] = set()
    items: list[Proposal] = []
    groups: list[Proposal] = []
    placed: dict[str, Proposal] = {}  # first raw column of a grouped item -> its proposal
    category_sets: list[tuple[str, dict[str, Any]]] = []

    for name, spec in (mr_sets or {}).items():
        members = [by_name[v] for v in spec.get("variable_list", []) if v in by_name]
        if len(members) < 2:
            continue
        if spec.get("type") == "D":
            fake = [Column(f"{name}_{k}", m.values, m.label, files=m.files)
                    for k, m in enumerate(members, start=1)]
            p = _multiple_choice(name.lstrip("$"), fake, ["flag"] * len(fake), taken)
            for choice, m in zip(p.entry["choices"], members, strict=True):
                choice["aliases"] = [m.name]
            if spec.get("label"):
                p.entry["text"] = spec["label"]
            p.columns = [m.name for m in members]
            p.review[-1:] = [say("draft.mr_set", name=name)]
            counted = spec.get("counted_value")
            if counted not in (None, 1, "1"):
                p.review.append(say("draft.mr_counted", value=counted))
            placed[members[0].name] = p
            covered.update(m.name for m in members)
        else:
            category_sets.append((name, spec))

    families: dict[str, list[Column]] = {}
    for col in columns:
        key = _family_key(col.name)
        if col.name not in covered and key:
            families.setdefault(key[0], []).append(col)
    for stem, members in families.items():
        kinds = [_binary(c) for c in members]
        if len(members) >= 2 and all(kinds):
            p = _multiple_choice(stem, members, kinds, taken)  # type: ignore[arg-type]
            placed[members[0].name] = p
            covered.update(c.name for c in members)

    runs = _runs([c for c in columns if c.name not in covered])
    for col in columns:
        if col.name in placed:
            items.append(placed[col.name])
            continue
        if col.name in covered:
            continue
        options = _packed(col)
        if options:
            item_id = _unique(slug(col.name), taken)
            entry = {"id": item_id, "type": "multiple_choice", "text": col.label or col.name,
                     "choices": _choices(list(range(1, len(options) + 1)), options)}
            p = Proposal(entry, columns=[col.name])
            p.review.append(say("draft.packed", k=len(options)))
        else:
            p = propose(col, lang, in_run=col.name in runs)
            p.entry["id"] = _unique(slug(col.name), taken)
        if p.entry["id"] != col.name.casefold():
            p.entry["aliases"] = {alias_key: [col.name]}
        items.append(p)

    frame = pd.DataFrame({c.name: pd.to_numeric(c.values, errors="coerce") for c in columns})
    ids = {p.columns[0]: p.entry["id"] for p in items if p.columns}
    for name, spec in category_sets:
        members = [ids[v] for v in spec.get("variable_list", []) if v in ids]
        gid = _unique(slug(name.lstrip("$")), taken)
        p = Proposal({"id": gid, "type": "grid", "text": spec.get("label") or name,
                      "items": members})
        p.review.append(say("draft.category_set", name=name))
        groups.append(p)
    run: list[Proposal] = []
    for p in [*items, None]:
        key = _answer_list(p) if p is not None else None
        if run and (key is None or key != _answer_list(run[-1])):
            if len(run) >= 3:
                groups.append(_scale(run, frame, taken))
            run = []
        if key is not None:
            run.append(p)  # type: ignore[arg-type]

    respondent = next((p.entry["id"] for p in items if p.entry["type"] == "identifier"), None)
    return Draft(instrument_id, title, lang, header or [], items, groups, respondent)


def _runs(columns: list[Column]) -> set[str]:
    """Columns in a run of three or more neighbours holding whole numbers without labels on
    the same small range (a grid of ratings)."""
    def key(c: Column) -> tuple[float, float] | None:
        if c.value_labels:
            return None
        x = _numbers(c.values)
        if x is None or len(x) == 0 or not _whole(x):
            return None
        lo, hi = float(x.min()), float(x.max())
        return (lo, hi) if lo in (0, 1) and 3 <= hi - lo + 1 <= MAX_LIKERT_POINTS else None

    out: set[str] = set()
    keys = [key(c) for c in columns]
    start = 0
    for k in range(1, len(columns) + 1):
        if k == len(columns) or keys[k] is None or keys[k] != keys[start]:
            if keys[start] is not None and k - start >= 3:
                out.update(c.name for c in columns[start:k])
            start = k
    return out


# --------------------------------------------------------------------------- reading files


def _mask_missing(values: pd.Series, missing: list[tuple[Any, Any]]) -> pd.Series:
    if not missing:
        return values
    keep = pd.Series(True, index=values.index)
    for lo, hi in missing:
        if isinstance(lo, str):
            keep &= values.astype(str).str.strip() != lo.strip()
        elif pd.api.types.is_numeric_dtype(values.dtype):
            keep &= ~values.between(lo, hi)
    return values.where(keep)


def read_columns(path: Path, called: str | None = None,
                 ) -> tuple[list[Column], dict[str, Any], dict[str, Any]]:
    """The columns of one data file, its SPSS multiple-response sets and what the file says
    about itself (format, rows, label); unreadable files raise the importer's errors.
    ``called``: what the file is called (default: its path's name)."""
    raw = read_raw(path)
    about: dict[str, Any] = {"format": raw.format, "rows": len(raw.frame),
                             "label": None,
                             "tool": raw.details.get("source") if raw.details.get(
                                 "source") not in (None, "table") else None}
    measures: dict[str, str] = {}
    formats: dict[str, str] = {}
    mr_sets: dict[str, Any] = {}
    if raw.format == "sav":
        import pyreadstat

        kwargs = {"encoding": raw.details["encoding"]} if raw.details.get(
            "encoding", "unknown") != "unknown" else {}
        try:
            _, meta = pyreadstat.read_sav(str(path), metadataonly=True, **kwargs)
        except Exception:  # the data were read; without this metadata the draft says less
            meta = None
        if meta is not None:
            measures = dict(meta.variable_measure or {})
            formats = dict(meta.original_variable_types or {})
            mr_sets = dict(getattr(meta, "mr_sets", None) or {})
            about["label"] = meta.file_label or None
    called = called or path.name
    columns = []
    for name in raw.frame.columns:
        missing = list(raw.user_missing.get(name, []))
        columns.append(Column(
            name=str(name), values=_mask_missing(raw.frame[name], missing),
            label=raw.column_labels.get(name), value_labels=raw.value_labels.get(name, {}),
            missing=missing, measure=(measures.get(name) if measures.get(name) != "unknown"
                                      else None),
            format=formats.get(name), files=[called]))
    return columns, mr_sets, about


def _merge(found: list[tuple[Path, list[Column]]]) -> list[Column]:
    """Columns of several files of one survey: in the first file's order, then new ones;
    values pooled, the first file's metadata kept."""
    merged: dict[str, Column] = {}
    for _path, columns in found:
        for col in columns:
            have = merged.get(col.name)
            if have is None:
                merged[col.name] = col
                continue
            have.values = pd.concat([have.values, col.values], ignore_index=True)
            have.files = [*have.files, *col.files]
            have.label = have.label or col.label
            have.value_labels = have.value_labels or col.value_labels
            have.missing = have.missing or col.missing
    return list(merged.values())


def draft_instrument(paths: list[Path], *, lang: str = "en",
                     instrument_id: str | None = None,
                     names: list[str] | None = None) -> Draft:
    """Draft an instrument from one or more data files of the same survey.

    ``names``: what each file is called in the draft's comments and its default id, when
    that is not its path's name (the local web page stores uploads under names it makes).
    """
    called = names or [path.name for path in paths]
    found, sets, abouts = [], {}, []
    for path, name in zip(paths, called, strict=True):
        columns, mr_sets, about = read_columns(path, name)
        found.append((path, columns))
        sets.update(mr_sets)
        abouts.append((name, about))
    columns = _merge(found)
    first = Path(called[0])
    title = next((a["label"] for _, a in abouts if a["label"]), None) or first.stem
    header = [
        *[say("draft.header_file", name=name, rows=a["rows"],
              format=a["format"] + (f", {a['tool']}" if a.get("tool") else ""))
          for name, a in abouts],
        say("draft.header_review", k=len(columns)),
        say("draft.header_lang", lang=lang),
        say("draft.header_check"),
    ]
    alias_key = "spss" if abouts[0][1]["format"] == "sav" else "csv"
    return draft_columns(columns, instrument_id=instrument_id or slug(first.stem, "s_"),
                         title=title, lang=lang, mr_sets=sets, header=header,
                         alias_key=alias_key)


# --------------------------------------------------------------------------- definitions

# the converters of questionnaire definitions, by their names in instrument.interchange
CONVERTERS = {"xlsform": ("from_xlsform",), "redcap": ("from_redcap",),
              "limesurvey": ("from_lss",), "qualtrics": ("from_qsf",)}
REDCAP_FIRST = "variable / field name"


def definition_kind(path: Path) -> str | None:
    """Which questionnaire definition a file is (xlsform, redcap, limesurvey, qualtrics),
    or None for a data file."""
    suffix = path.suffix.lower()
    if suffix == ".lss":
        return "limesurvey"
    if suffix == ".qsf":
        return "qualtrics"
    if suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True)
            sheets = {name.casefold() for name in book.sheetnames}
            book.close()
        except Exception:  # not a workbook openpyxl reads: the data reader will say why
            return None
        return "xlsform" if "survey" in sheets else None
    if suffix == ".csv":
        with path.open("rb") as fh:
            head = fh.read(200).decode("utf-8-sig", "replace").strip().strip('"').casefold()
        return "redcap" if head.startswith(REDCAP_FIRST) else None
    return None


def convert_definition(path: Path, kind: str) -> tuple[dict[str, Any], list[str]]:
    """The instrument a definition file describes, through the interchange converter for
    its kind, and what that converter could not carry over."""
    from ..errors import CipsurveyError
    from ..instrument import interchange

    fn = next((getattr(interchange, name) for name in CONVERTERS[kind]
               if hasattr(interchange, name)), None)
    if fn is None:
        raise CipsurveyError(f"this version of cipsurvey cannot convert {kind} definitions",
                             file=path, hint="export the answers (.sav, CSV or Excel) and "
                                             "draft the instrument from them instead")
    return fn(path)


def definition_text(path: Path, kind: str, lang: str,
                    called: str | None = None) -> tuple[str, int]:
    """A converted definition as YAML, with a header naming the source (``called``, default
    its path's name) and each thing the converter could not carry over; and how many such
    notes there are."""
    import yaml

    data, notes = convert_definition(path, kind)
    lines = [say("draft.converted", name=called or path.name, kind=kind),
             *[say("draft.not_converted", what=n) for n in notes],
             say("draft.header_check")]
    head = "".join(f"# {line.text(lang)}\n" for line in lines) + "\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), len(notes)
