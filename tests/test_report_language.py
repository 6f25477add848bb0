"""Swedish throughout (issue 20): every text node of the Swedish HTML, Word and Excel outputs of
the demo report and of the comparison report is read back, and none may hold an English text
of the language catalog or a number written with a decimal point. The catalog's English is
the oracle: whatever cipsurvey writes in English has a Swedish entry, and that English must
not leak into a Swedish report."""

from __future__ import annotations

import re
import string

import pytest

from cipsurvey.lang import catalog
from cipsurvey.report.publication import known_method

from clients import DECIMAL_POINT, docx_texts, html_texts, xlsx_texts

READERS = {"report.html": html_texts, "report.docx": docx_texts, "report.xlsx": xlsx_texts}
# texts identical in both languages or too short to tell apart (symbols, "n", "Format")
MIN_WORDS = 2


def _pieces(template: str) -> list[str]:
    """The literal parts of a catalog template between its {fields}, as whole phrases."""
    out = []
    for literal, *_ in string.Formatter().parse(template):
        literal = literal.strip(" .,:;()[]")
        if len(literal.split()) >= MIN_WORDS and len(literal) >= 8:
            out.append(literal)
    return out


def english_phrases() -> list[str]:
    """Every English phrase of the catalog whose Swedish differs, as it would appear."""
    phrases: set[str] = set()
    for key, entry in catalog.entries().items():
        if key.startswith(("problem.", "codebook.", "sav.")):
            continue  # validation messages and codebooks: not in a report
        en, sv = entry["en"], entry["sv"]
        if en == sv:
            continue
        for piece in _pieces(en):
            if piece not in sv:
                phrases.add(piece)
        if "{" not in en and en not in sv and (len(en) >= 4 or " " in en):
            phrases.add(en.strip())
    return sorted(phrases, key=len, reverse=True)


ENGLISH = english_phrases()
# one pattern for all phrases (longest first), so that a report's thousands of text nodes
# are searched once each rather than once per phrase
_PHRASES = re.compile("|".join(r"(?<!\w)" + re.escape(p) + r"(?!\w)" for p in ENGLISH))


def _english_in(text: str) -> list[str]:
    return [m.group(0) for m in _PHRASES.finditer(text)]


def test_the_phrase_list_is_meaningful():
    assert len(ENGLISH) > 150
    for phrase in ("Key findings", "Reviewer's addition, not in the paper",
                   "Student's t test", "Percentages of those who answered the question"):
        assert phrase in ENGLISH


@pytest.mark.parametrize("command", ["report", "compare"])
@pytest.mark.parametrize("name", list(READERS))
def test_no_english_and_no_decimal_point_in_a_swedish_report(reports, command, name):
    texts = READERS[name](reports[command, "sv"] / name)
    assert len(texts) > 30
    english = {(p, t[:120]) for t in texts for p in _english_in(t)}
    assert not english, sorted(english)[:20]
    points = {(m, t[:120]) for t in texts for m in DECIMAL_POINT.findall(t)
              if not _version_line(t)}
    assert not points, sorted(points)[:20]


def _version_line(text: str) -> bool:
    """The software line names package versions (scipy 1.17.1): not decimal numbers."""
    return bool(re.match(r"^(Programvara|Software):", text)) and not re.search(
        r"(?<![\w.])\d+\.\d+(?![\w.])", re.sub(r"\b[\w-]+ \d+(\.\d+)+\b", "", text))


@pytest.mark.parametrize("command", ["report", "compare"])
def test_the_english_report_is_checked_the_same_way(reports, command):
    """The English report shows the phrases this test looks for (the check can find them)."""
    texts = html_texts(reports[command, "en"] / "report.html")
    assert sum(bool(_english_in(t)) for t in texts) > 10


@pytest.mark.parametrize("command", ["report", "compare"])
def test_every_test_the_reports_name_is_in_the_catalog(reports, command):
    """Each method a result carries has a name in both languages (a new test of the
    statistics must get one, or the Swedish report would print its English method)."""
    import json

    payload = json.loads((reports[command, "en"] / "results.json").read_text("utf-8"))
    methods = {str(v) for r in payload["results"] for t in r["tables"].values()
               for name, column in zip(t["columns"], zip(*t["rows"], strict=False), strict=False)
               if name in ("method", "measure") or name.endswith("_test")
               for v in column if isinstance(v, str) and v}
    # the comparison names its tests from the catalog already (compare.*): those have both
    english = [re.compile(re.sub(r"\\\{\w+\\\}", ".+", re.escape(entry["en"])))
               for entry in catalog.entries().values()]
    missing = sorted(m for m in methods if not known_method(m)
                     and not any(e.fullmatch(m) for e in english))
    assert not missing, missing


def test_every_report_text_of_the_catalog_is_used():
    """The report's words are looked up through texts("report"): each must be named in the
    report's code, as a string or as the pattern of an f-string (f"methods_{family}"), or
    it is dead."""
    from pathlib import Path

    code = "".join(p.read_text("utf-8") for p in
                   (Path(__file__).resolve().parents[1] / "cipsurvey" / "report").glob("*.py"))
    literals = set(re.findall(r"[\"']([A-Za-z][A-Za-z0-9_]*)[\"']", code))
    patterns = [re.compile("".join(re.escape(part) if k % 2 == 0 else r"\w+"
                                   for k, part in enumerate(re.split(r"(\{[^}]*\})", t))))
                for t in re.findall(r'f"([a-z][a-z_]*\{[^"]*)"', code)]
    unused = [key for key in catalog.entries() if key.startswith("report.")
              and key[7:] not in literals
              and not any(p.fullmatch(key[7:]) for p in patterns)]
    assert not unused, unused
