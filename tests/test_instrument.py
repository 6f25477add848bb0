"""The instrument format, its checks with YAML lines, and the bundled 2017 instrument."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from cipsurvey.errors import InstrumentError
from cipsurvey.instrument import ItemType, json_schema, load_instrument
from cipsurvey.instrument.codebook import codebook_html, codebook_markdown

ROOT = Path(__file__).resolve().parents[1]

# The paper's categories, transcribed from Table 1 of Källmén, Hed & Elgán (2017).
EDUCATION = ["Primary education", "Secondary education", "Other post-primary education",
             "College or university", "Practical job training"]
WORK_AREAS = ["Social services", "Psychiatric care", "Substance use treatment services",
              "Other healthcare areas"]
TABLE3_ROWS = 14
TABLE4_ROWS = 7
TABLE5_PARTNERS = ["Social services", "Psychiatric care", "Substance use treatment services",
                   "Social Insurance Agency", "Employment services", "Correctional treatment",
                   "Primary healthcare"]


def question_number(item) -> str:
    return re.sub(r"[a-z]$", "", item.number)


def test_kallmen2017_has_the_papers_33_questions(inst):
    numbers = [question_number(i) for i in inst.questions()]
    distinct = sorted(set(numbers), key=int)
    assert distinct == [str(k) for k in range(1, 34)]
    by_number = {n: [i for i in inst.questions() if question_number(i) == n] for n in distinct}
    background = [n for n in distinct if int(n) <= 6]
    cip_work = [n for n in distinct if 8 <= int(n) <= 26]
    climate = [n for n in distinct if 27 <= int(n) <= 32]
    assert (len(background), len(cip_work), len(climate)) == (6, 19, 6)
    assert by_number["7"][0].id == "meets_clients_needing_cip"
    assert by_number["8"][0].id == "ever_cip"


def test_categories_follow_the_paper(inst):
    assert [c.label.en for c in inst.item("education").choices] == EDUCATION
    assert [c.label.en for c in inst.item("work_area").choices] == WORK_AREAS
    assert len(inst.group_map["template_contents"].items) == TABLE3_ROWS
    assert len(inst.group_map["consequences"].items) == TABLE4_ROWS
    partners = inst.item("partners_12m")
    assert partners.type == ItemType.multiple_choice
    assert [c.label.en for c in partners.choices] == TABLE5_PARTNERS
    for tc in inst.group_map["template_contents"].items:
        assert [c.name for c in inst.item(tc).choices] == ["yes", "no", "dont_know"]
    for n in ("n_part_30d", "n_self_30d", "n_part_6m", "n_self_6m", "n_part_12m", "n_self_12m"):
        assert inst.item(n).type == ItemType.count


def test_ever_cip_is_the_filter_of_the_plan_and_template_items(inst):
    filtered = {i.id for i in inst.items if i.relevant and "ever_cip" in i.relevant}
    assert {"n_part_30d", "n_self_6m", "abstained_6m", "template_exists",
            "partners_12m", "easiest_partner", "cq_coordination"} <= filtered
    assert inst.item("tc_housing").relevant == 'template_exists == "exists"'
    assert not inst.item("climate_trust").relevant


def test_every_item_is_bilingual_and_has_provenance(inst):
    for item in inst.items:
        assert item.text.sv and item.text.en
        assert item.text.sv != item.text.en or item.id in {"gender"}
        for c in item.choices:
            assert c.label.sv and c.label.en
        prov = item.provenance
        assert (prov.where if prov.status == "published" else prov.why)
    statuses = {i.id: i.provenance.status for i in inst.items}
    assert statuses["work_area"] == "published"
    assert statuses["climate_trust"] == "reconstructed"


def test_derived_variables_are_declared(inst):
    assert set(inst.derived_map) == {"age_group", "abstained_any_reason", "template_contents_yes"}


def _write(tmp_path: Path, doc: dict) -> Path:
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return p


def _minimal() -> dict:
    label = {"sv": "x", "en": "x"}
    prov = {"status": "reconstructed", "why": "test"}
    return {
        "id": "mini", "title": label,
        "items": [
            {"id": "q1", "type": "yes_no", "text": label, "provenance": prov},
            {"id": "q2", "type": "count", "text": label, "provenance": prov,
             "range": {"min": 0, "max": 10}, "relevant": 'q1 == "yes"'},
        ],
    }


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_errors_carry_their_yaml_line(tmp_path):
    doc = _minimal()
    doc["items"][1]["type"] = "counter"
    doc["items"][0]["colour"] = "red"
    doc["items"][1]["relevant"] = 'q1 == "perhaps"'
    path = _write(tmp_path, doc)
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    problems = info.value.problems
    messages = {p.message.split(":")[0]: p.line for p in problems}
    assert any("unknown field 'colour'" in p.message and p.line == line_of(path, "colour")
               for p in problems)
    assert any("counter" in p.message and p.line == line_of(path, "counter") for p in problems)
    assert messages  # several problems reported at once


def test_semantic_problems_carry_their_yaml_line(tmp_path):
    doc = _minimal()
    doc["items"][1]["relevant"] = 'q1 == "perhaps"'
    doc["items"].append(dict(doc["items"][0]))  # duplicate id q1
    path = _write(tmp_path, doc)
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    texts = [str(p) for p in info.value.problems]
    assert any("no answer 'perhaps'" in t and f"line {line_of(path, 'perhaps')}" in t
               for t in texts)
    assert any("duplicate item id 'q1'" in t for t in texts)


def test_filter_cycles_are_found(tmp_path):
    doc = _minimal()
    doc["items"][0]["relevant"] = "q2 > 3"
    path = _write(tmp_path, doc)
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    assert any("cycle" in p.message and "q1" in p.message and "q2" in p.message
               for p in info.value.problems)


def test_expression_that_calls_code_is_refused(tmp_path):
    doc = _minimal()
    doc["items"][1]["relevant"] = "__import__('os').system('echo pwned')"
    path = _write(tmp_path, doc)
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    assert any("filter" in p.message for p in info.value.problems)


def test_unsafe_yaml_tags_are_refused(tmp_path):
    p = tmp_path / "evil.yaml"
    p.write_text("id: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    with pytest.raises(Exception) as info:
        load_instrument(p)
    assert "python/object" in str(info.value) or "constructor" in str(info.value).lower()


def test_check_command_lists_every_problem_with_lines(tmp_path, cli):
    doc = _minimal()
    doc["items"][1]["relevant"] = 'q9 == "yes"'
    doc["items"][0]["type"] = "yesno"
    path = _write(tmp_path, doc)
    result = cli("instrument", "check", path)
    assert result.code == 2
    assert f"line {line_of(path, 'yesno')}" in result.err
    assert f"line {line_of(path, 'q9')}" in result.err or "q9" in result.err
    ok = cli("instrument", "check", "kallmen2017")
    assert ok.code == 0 and "ok" in ok.out


def test_committed_json_schema_is_generated_from_the_model():
    committed = json.loads((ROOT / "docs" / "instrument.schema.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(json_schema()))


def test_bundled_instrument_validates_against_the_json_schema(inst):
    import jsonschema
    data = yaml.safe_load((ROOT / "instruments" / "kallmen2017.yaml").read_text("utf-8"))
    jsonschema.validate(data, json_schema())
    data["items"][0]["type"] = "nonsense"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())


def test_codebook_lists_every_item_code_and_filter(inst):
    md = codebook_markdown(inst, "en")
    for item in inst.items:
        assert f"`{item.id}`" in md
        for c in item.choices:
            assert c.label.en in md.replace("\\|", "|")
        if item.relevant:
            assert item.relevant in md
    sv = codebook_html(inst, "sv")
    assert "Socialtjänst" in sv and "Vet ej" in sv
    assert "&lt;" not in md


def test_codebook_html_escapes_labels(tmp_path):
    doc = _minimal()
    doc["items"][0]["text"] = {"sv": "<script>alert(1)</script>", "en": "<b>x</b>"}
    path = _write(tmp_path, doc)
    html = codebook_html(load_instrument(path), "sv")
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_codebook_command_writes_and_refuses_to_overwrite(tmp_path, cli):
    out = tmp_path / "cb.html"
    assert cli("codebook", "kallmen2017", "--format", "html", "--out", out).code == 0
    assert out.read_text("utf-8").startswith("<!DOCTYPE html>")
    again = cli("codebook", "kallmen2017", "--format", "html", "--out", out)
    assert again.code == 2 and "exists" in again.err
