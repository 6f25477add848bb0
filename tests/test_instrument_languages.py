"""The instrument format for a survey in one language (issue 18): ``languages: [en]`` at the
top, plain-string texts, no provenance, Likert answers given as a range; errors that say what
is expected; the JSON Schema says the same."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from cipsurvey.errors import InstrumentError
from cipsurvey.instrument import json_schema, parse_instrument
from cipsurvey.instrument.yamlio import load_yaml

ONE_LANGUAGE = """\
schema_version: 1
id: caregivers
languages: [en]
title: Caring for an older relative
items:
  - id: sex
    type: single_choice
    text: Your sex
    choices:
      - {code: 1, name: male, label: Male}
      - {code: 2, name: female, label: Female}
  - id: cope
    type: likert
    text: Do you feel you cope well?
    range: {min: 1, max: 4}
  - id: hours
    type: count
    text: Hours of care a week
    range: {min: 0, max: 168}
groups:
  - {id: coping, type: scale, text: Coping, items: [cope, hours], reverse: [cope]}
"""


def parse(text: str, tmp_path):
    path = tmp_path / "inst.yaml"
    path.write_text(text, encoding="utf-8")
    return parse_instrument(load_yaml(path))


def problems(text: str, tmp_path) -> list[str]:
    with pytest.raises(InstrumentError) as err:
        parse(text, tmp_path)
    return [str(p) for p in err.value.problems]


def test_one_language_plain_texts_and_no_provenance(tmp_path, cli):
    inst = parse(ONE_LANGUAGE, tmp_path)
    assert inst.languages == ["en"]
    assert inst.item("sex").choices[1].label.get("en") == "Female"
    assert inst.item("sex").text.get("sv") == "Your sex"  # a Swedish report shows it as written
    cope = inst.item("cope")
    assert [c.code for c in cope.choices] == [1, 2, 3, 4]
    assert cope.answer_range == (1.0, 4.0)
    assert inst.item("hours").answer_range == (0.0, 168.0)
    res = cli("instrument", "check", tmp_path / "inst.yaml")
    assert res.code == 0, res.err


def test_a_plain_text_in_a_two_language_instrument_says_what_is_expected(tmp_path):
    text = ONE_LANGUAGE.replace("languages: [en]\n", "")
    found = problems(text, tmp_path)
    assert any(p.startswith("line 3 (title)") and "{sv: ..., en: ...}" in p
               and "languages: [en]" in p for p in found), found
    assert not any("valid dictionary" in p for p in found), found


def test_a_missing_language_is_named(tmp_path):
    text = ONE_LANGUAGE.replace("languages: [en]", "languages: [sv, en]").replace(
        "title: Caring for an older relative", "title: {en: Caring}")
    found = problems(text, tmp_path)
    assert any("(title)" in p and "no text in sv" in p for p in found), found


def test_a_reversed_item_needs_a_range(tmp_path):
    text = ONE_LANGUAGE.replace("    range: {min: 0, max: 168}\n", "").replace(
        "reverse: [cope]", "reverse: [hours]")
    found = problems(text, tmp_path)
    assert any("'hours' needs its answers' range" in p for p in found), found


def test_likert_range_and_choices_are_not_both_given(tmp_path):
    text = ONE_LANGUAGE.replace("    range: {min: 1, max: 4}\n",
                                "    range: {min: 1, max: 5}\n"
                                "    choices: [{code: 1, name: a, label: A}]\n")
    assert any("not both" in p for p in problems(text, tmp_path))


def test_json_schema_accepts_plain_texts_and_per_language_texts():
    schema = json_schema()
    jsonschema.validate(yaml.safe_load(ONE_LANGUAGE), schema)
    two = yaml.safe_load(ONE_LANGUAGE)
    two["title"] = {"sv": "Omsorg", "en": "Care"}
    jsonschema.validate(two, schema)
    two["title"] = {}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(two, schema)
