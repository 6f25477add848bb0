"""Instruments from the survey definitions evaluators download beside their data: LimeSurvey
``.lss`` and Qualtrics ``.qsf`` (real files in tests/corpus/exports), with the skip logic
translated where the filter language can say it and everything else listed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cipsurvey.errors import CipsurveyError
from cipsurvey.instrument import interchange as ic

CORPUS = Path(__file__).parent / "corpus" / "exports"


def lss_rows(path: Path, table: str) -> list[dict[str, str]]:
    root = ET.parse(path).getroot()
    return [{c.tag: c.text or "" for c in row} for row in root.findall(f"{table}/rows/row")]


def test_limesurvey_5_structure():
    path = CORPUS / "limesurvey/replica_limesurvey_survey_845213.lss"
    data, notes = ic.from_lss(path)
    inst = ic.build(data, path)
    questions = {r["qid"]: r for r in lss_rows(path, "questions")}
    answers = lss_rows(path, "answers")
    # every answer code of a list question is an answer, whole numbers keeping their number
    for q in questions.values():
        if q["type"] != "L":
            continue
        codes = [a["code"] for a in answers if a["qid"] == q["qid"]]
        item = inst.item(q["title"].lower())
        assert [c.name for c in item.choices][:len(codes)] == [c.lower() for c in codes]
        for c, code in zip(item.choices, codes, strict=False):
            if code.isdigit():
                assert c.code == int(code)
    assert {c.code for c in inst.item("g02q02").choices} == {0, 1, 99}
    # the texts of every language (the survey has sv, en, de)
    assert inst.item("g01q02").text.model_extra["de"] == "Haben Sie an einem SIP mitgewirkt?"
    # relevance equations: a yes/no answer and a multiple-choice option
    assert inst.item("g01q03").relevant == '((g01q02 == "y"))'
    assert inst.item("g01q04").relevant == '((g01q02 == "y"))'
    assert inst.item("g01q04").type.value == "multiple_choice"
    assert [c.name for c in inst.item("g01q04").choices] == ["sq001", "sq002", "sq003"]
    assert inst.item("g02q04_sq001").type.value == "single_choice"  # an array's row
    assert notes == []


def test_limesurvey_3_structure_with_sgqa_relevance():
    path = CORPUS / "limesurvey/jp_limesurvey_survey_222232.lss"
    data, notes = ic.from_lss(path)
    inst = ic.build(data, path)
    # ((222232X22X630MA101.NAOK == "Y")): question 630 (MA1), its option MA101, ticked
    assert inst.item("ma1a1").relevant == '((selected(ma1, "ma101")))'
    assert inst.item("ma1a0").relevant == "answered(ma1_other)"
    assert notes == ["the survey has no Swedish or English text: its 'de' texts stand in "
                     "for both"]
    sub = [r for r in lss_rows(path, "subquestions") if r["parent_qid"] == "630"]
    assert [c.name for c in inst.item("ma1").choices] == list(dict.fromkeys(
        r["title"].lower() for r in sub))


def with_relevance(tmp_path: Path, equation: str) -> Path:
    """The replica survey with question G01Q03's relevance equation replaced."""
    text = (CORPUS / "limesurvey/replica_limesurvey_survey_845213.lss").read_text("utf-8")
    old = '<relevance><![CDATA[((G01Q02.NAOK == "Y"))]]></relevance>'
    assert old in text
    path = tmp_path / "s.lss"
    path.write_text(text.replace(old, f"<relevance><![CDATA[{equation}]]></relevance>", 1),
                    "utf-8")
    return path


@pytest.mark.parametrize("equation, expected", [
    ('G01Q02.NAOK == "N"', 'g01q02 == "n"'),
    ('G01Q02 != "Y" and G02Q02.NAOK == "99"', 'g01q02 != "y" and g02q02 == "99"'),
    ("G01Q01.NAOK == 'A2' || is_empty(G02Q05)", 'g01q01 == "a2" or not answered(g02q05)'),
    ('G01Q04_SQ002.NAOK == "Y"', 'selected(g01q04, "sq002")'),
    ('G01Q04_SQ003.NAOK != "Y"', 'not selected(g01q04, "sq003")'),
    ('G01Q01.NAOK == "-oth-"', 'g01q01 == "other"'),
    ('!is_empty(G01Q01_other)', "answered(g01q01_other)"),
    ("G02Q03.NAOK > 2", "g02q03 > 2"),
])
def test_limesurvey_relevance_is_translated(tmp_path, equation, expected):
    path = with_relevance(tmp_path, equation)
    data, notes = ic.from_lss(path)
    inst = ic.build(data, path)
    assert inst.item("g01q03").relevant == expected, notes


@pytest.mark.parametrize("equation", ["count(G01Q02) > 1", "sum(G01Q03.NAOK, 2) > 1",
                                      'G01Q02.NAOK == "maybe"', "G01Q02.NAOK"])
def test_limesurvey_equations_it_cannot_say_are_listed(tmp_path, equation):
    path = with_relevance(tmp_path, equation)
    data, notes = ic.from_lss(path)
    inst = ic.build(data, path)
    assert inst.item("g01q03").relevant is None
    assert any(n.startswith(f"G01Q03: relevance {equation!r} not converted") for n in notes)


def qsf(questions: list[dict], tmp_path: Path) -> Path:
    """A Qualtrics survey file laid out as Qualtrics writes one (see the corpus .qsf)."""
    doc = {"SurveyEntry": {"SurveyID": "SV_x", "SurveyName": "SIP", "SurveyLanguage": "SV"},
           "SurveyElements": [
               {"SurveyID": "SV_x", "Element": "BL", "PrimaryAttribute": "Survey Blocks",
                "Payload": [{"Type": "Default", "ID": "BL_1", "BlockElements": [
                    {"Type": "Question", "QuestionID": q["QuestionID"]} for q in questions]}]},
               *[{"SurveyID": "SV_x", "Element": "SQ", "PrimaryAttribute": q["QuestionID"],
                 "Payload": q} for q in questions]]}
    path = tmp_path / "s.qsf"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_qualtrics_display_logic_on_answers_is_translated(tmp_path):
    q1 = {"QuestionID": "QID1", "DataExportTag": "ever_cip", "QuestionType": "MC",
          "Selector": "SAVR", "QuestionText": "Har du varit med om en SIP?",
          "Choices": {"1": {"Display": "Ja"}, "2": {"Display": "Nej"},
                      "3": {"Display": "Vet ej"}},
          "ChoiceOrder": ["1", "2", "3"], "RecodeValues": {"1": "1", "2": "0", "3": "-9"},
          "Language": {"EN": {"QuestionText": "Have you taken part in a CIP?",
                              "Choices": {"1": {"Display": "Yes"}, "2": {"Display": "No"},
                                          "3": {"Display": "Don't know"}}}}}
    q2 = {"QuestionID": "QID2", "DataExportTag": "partners", "QuestionType": "MC",
          "Selector": "MAVR", "QuestionText": "Vilka parter?",
          "Choices": {"1": {"Display": "Skola"}, "2": {"Display": "Polis"},
                      "3": {"Display": "Annat", "TextEntry": "true"}},
          "ChoiceOrder": ["1", "2", "3"],
          "DisplayLogic": {"0": {"0": {"LogicType": "Question", "QuestionID": "QID1",
                                       "LeftOperand": "q://QID1/SelectableChoice/1",
                                       "Operator": "Selected", "Type": "Expression"},
                                 "Type": "If"}, "Type": "BooleanExpression"}}
    q3 = {"QuestionID": "QID3", "DataExportTag": "n_cips", "QuestionType": "TE",
          "Selector": "SL", "QuestionText": "Hur många?",
          "Validation": {"Settings": {"ContentType": "ValidNumber", "ForceResponse": "ON"}},
          "DisplayLogic": {"0": {
              "0": {"LogicType": "Question", "LeftOperand": "q://QID2/SelectableChoice/2",
                    "Operator": "NotSelected", "Type": "Expression"},
              "1": {"LogicType": "Question", "LeftOperand": "q://QID1/SelectableChoice/3",
                    "Operator": "Selected", "Type": "Expression", "Conjuction": "Or"},
              "Type": "If"}, "Type": "BooleanExpression"}}
    q4 = {"QuestionID": "QID4", "DataExportTag": "Q4", "QuestionType": "MC",
          "Selector": "SAVR", "QuestionText": "Enhet?",
          "Choices": {"1": {"Display": "A"}, "2": {"Display": "B"}}, "ChoiceOrder": ["1", "2"],
          "DisplayLogic": {"0": {"0": {"LogicType": "EmbeddedField", "LeftOperand": "unit",
                                       "Operator": "EqualTo", "RightOperand": "x",
                                       "Type": "Expression", "Description": "If unit is x"},
                                 "Type": "If"}, "Type": "BooleanExpression"}}
    path = qsf([q1, q2, q3, q4], tmp_path)
    data, notes = ic.from_qsf(path)
    inst = ic.build(data, path)
    ever = inst.item("ever_cip")
    assert [(c.code, c.label.sv, c.label.en) for c in ever.choices] == [
        (1, "Ja", "Yes"), (0, "Nej", "No")]
    assert [m.code for m in ever.missing] == [-9]  # the negative recode value
    assert inst.item("partners").relevant == 'ever_cip == "1"'
    # "Vet ej" is a missing code (-9), not an answer: the filter on it cannot be said
    assert inst.item("n_cips").relevant is None
    assert any(n.startswith("n_cips: display logic") for n in notes)
    assert inst.item("n_cips").type.value == "number" and inst.item("n_cips").required
    assert inst.item("partners_3_text").aliases == {"qualtrics": ["partners_3_TEXT",
                                                                 "partners_TEXT"]}
    assert inst.item("q4").relevant is None
    assert any(n.startswith("Q4: display logic 'If unit is x' not converted") for n in notes)


def test_qualtrics_corpus_definitions_convert_and_list_what_they_cannot(tmp_path):
    data, notes = ic.from_qsf(CORPUS / "qualtrics/qt_survey_logic.qsf")
    ic.build(data, CORPUS / "x.qsf")
    assert sum("survey flow: a branch" in n for n in notes) == 2
    assert any(n.startswith("Q2: display logic") for n in notes)
    data, notes = ic.from_qsf(CORPUS / "qualtrics/qt_sample_survey.qsf")
    assert sum("side-by-side" in n for n in notes) == 4


@pytest.mark.parametrize("suffix, content, message", [
    (".qsf", "not json", "not JSON"),
    (".qsf", '{"a": 1}', "no SurveyElements"),
    (".lss", "<document/>", "not a LimeSurvey survey structure"),
    (".lss", "<document><LimeSurveyDocType>Survey", "XML is broken"),
])
def test_broken_definitions_are_refused_clearly(tmp_path, suffix, content, message):
    path = tmp_path / f"x{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CipsurveyError, match=message):
        (ic.from_qsf if suffix == ".qsf" else ic.from_lss)(path)


def test_qualtrics_recode_values_that_cross_choice_ids_are_read_as_codes(tmp_path):
    # choice 1 "No" exports 2, choice 2 "Yes" exports 1: "1" in the data is Yes
    q = {"QuestionID": "QID1", "DataExportTag": "ever_cip", "QuestionType": "MC",
         "Selector": "SAVR", "QuestionText": "SIP?",
         "Choices": {"1": {"Display": "Nej"}, "2": {"Display": "Ja"}}, "ChoiceOrder": ["1", "2"],
         "RecodeValues": {"1": "2", "2": "1"}}
    path = qsf([q], tmp_path)
    data, _ = ic.from_qsf(path)
    inst = ic.build(data, path)
    assert [(c.code, c.name, c.label.sv) for c in inst.item("ever_cip").choices] == [
        (2, "c1", "Nej"), (1, "c2", "Ja")]
    import cipsurvey

    csv_path = tmp_path / "d.csv"
    csv_path.write_text("ever_cip\n1\n2\n", encoding="utf-8")
    wave = cipsurvey.read_survey(csv_path, inst)
    assert wave.data["ever_cip"].tolist() == [1.0, 2.0]
    assert wave.problems[wave.problems["severity"] == "error"].empty
