"""The language catalog (cipsurvey/lang/catalog.yaml): complete, consistent, and the only
place where texts differ by language."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
import yaml

from cipsurvey import lang
from cipsurvey.lang import catalog
from cipsurvey.wave.coerce import SEVERITY

PACKAGE = Path(__file__).resolve().parents[1] / "cipsurvey"
RAW = yaml.safe_load(catalog.CATALOG.read_text(encoding="utf-8"))
PREFIXES = sorted({key.split(".")[0] for key in RAW})
# texts looked up by a computed key (f"problem.{code}"): every key it can give
COMPUTED = {"problem.": [f"problem.{code}" for code in SEVERITY]}
LOOKUPS = ("text", "translations", "say")  # take a key first (say: wave/draft.py)
INTERNAL = {"number.decimal_mark"}  # used by cipsurvey.lang itself (localise_decimal)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _references() -> tuple[set[str], set[str], set[str]]:
    """In the package's source: the literal keys given to text() and translations() (every
    string in the first argument, so that ``text("a.b" if x else "a.c", lang)`` counts), the
    prefixes of computed keys (f-strings), and the prefixes given to texts()."""
    keys: set[str] = set()
    computed: set[str] = set()
    prefixes: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "lang":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.args):
                continue
            first = node.args[0]
            if node.func.id == "texts" and isinstance(first, ast.Constant):
                prefixes.add(first.value)
            elif node.func.id in LOOKUPS and isinstance(first, ast.JoinedStr):
                computed.add(first.values[0].value)  # the constant part before the field
            elif node.func.id in LOOKUPS:
                strings = _literal_keys(first)
                assert strings, f"{path.name}:{node.lineno}: a key the test cannot read"
                keys.update(strings)
    return keys, computed, prefixes


def _literal_keys(node: ast.expr) -> list[str]:
    """A string, or each string a conditional expression may give (``"a" if x else "b"``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literal_keys(node.body) + _literal_keys(node.orelse)
    return []


def test_every_entry_has_every_language_with_text():
    assert RAW, "empty catalog"
    for key, entry in RAW.items():
        assert set(entry) == set(lang.LANGS), key
        for code in lang.LANGS:
            assert isinstance(entry[code], str) and entry[code].strip(), (key, code)


def test_every_language_of_an_entry_has_the_same_fields():
    for key, entry in RAW.items():
        fields = {code: _fields(entry[code]) for code in lang.LANGS}
        assert fields["en"] == fields["sv"], (key, fields)


def test_keys_are_grouped_by_prefix():
    order = [key.split(".")[0] for key in RAW]  # (YAML mappings keep the file's order)
    blocks = [p for i, p in enumerate(order) if i == 0 or order[i - 1] != p]
    assert len(blocks) == len(set(blocks)), blocks


def test_every_key_in_the_code_exists_and_every_entry_is_used():
    keys, computed_prefixes, prefixes = _references()
    assert len(keys) > 50, "few catalog keys found in the code: the scan is broken"
    assert not keys - set(RAW), f"keys missing from the catalog: {sorted(keys - set(RAW))}"
    assert computed_prefixes <= set(COMPUTED), computed_prefixes  # each listed in COMPUTED
    computed = {k for ks in COMPUTED.values() for k in ks}
    assert not computed - set(RAW), sorted(computed - set(RAW))
    assert prefixes <= set(PREFIXES), prefixes
    used = keys | computed | INTERNAL | {k for k in RAW if k.split(".")[0] in prefixes}
    assert not set(RAW) - used, f"entries nothing uses: {sorted(set(RAW) - used)}"


def test_no_language_branch_outside_the_catalog():
    """A text that differs by language comes from the catalog, never from an if."""
    branch = re.compile(r"""\blang\s*[!=]=\s*["'](?:sv|en)["']|["'](?:sv|en)["']\s*[!=]=\s*"""
                        r"""[\w.]*lang\b|\bif\s+(?:not\s+)?sv\b|\bsv\s*=\s*[\w.]*lang\b""")
    found = [f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}"
             for path in PACKAGE.rglob("*.py") if path.parent.name != "lang"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if branch.search(line)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("line", ['x = "a" if lang == "sv" else "b"',
                                  'if report.lang == "en":', 'sv = lang == "sv"',
                                  'label = "Ja" if sv else "Yes"', 'if "sv" == self.lang:'])
def test_the_branch_check_finds_a_planted_branch(tmp_path, monkeypatch, line):
    (tmp_path / "planted.py").write_text(line + "\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path)
    with pytest.raises(AssertionError, match=r"planted\.py"):
        test_no_language_branch_outside_the_catalog()


def test_text_fills_in_fields_in_each_language():
    assert lang.text("report.min_cell", "en", k=5) == \
        "Cells with fewer than 5 respondents are suppressed."
    assert lang.text("report.min_cell", "sv", k=5) == "Celler med färre än 5 svarande är dolda."
    assert lang.translations("choice.yes") == {"en": "Yes", "sv": "Ja"}
    assert lang.localise_decimal("< .001", "sv") == "< ,001"
    assert lang.localise_decimal("0.05", "en") == "0.05"


def test_an_unknown_key_or_language_is_a_clear_error():
    with pytest.raises(lang.UnknownText, match=r"no text 'report\.nonesuch' in the language"):
        lang.text("report.nonesuch", "en")
    with pytest.raises(lang.UnknownText, match="no texts under 'nonesuch'"):
        lang.texts("nonesuch", "en")
    with pytest.raises(lang.UnknownLanguage, match="unknown language 'de'") as info:
        lang.text("report.min_cell", "de", k=5)
    assert "en, sv" in str(info.value)


def test_a_catalog_entry_without_swedish_is_refused(tmp_path, monkeypatch):
    broken = tmp_path / "catalog.yaml"
    broken.write_text('report.table:\n  en: "Table"\n  sv: ""\n', encoding="utf-8")
    monkeypatch.setattr(catalog, "CATALOG", broken)
    catalog.entries.cache_clear()
    try:
        with pytest.raises(lang.UnknownText, match=r"'report\.table' needs a non-empty text"):
            catalog.entries()
    finally:
        monkeypatch.undo()
        catalog.entries.cache_clear()
