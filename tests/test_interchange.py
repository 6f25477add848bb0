"""Instrument interchange: XLSForm and REDCap dictionaries, both ways, skip logic included."""

from __future__ import annotations

import pytest
import yaml

from cipsurvey.instrument import expr, load_instrument
from cipsurvey.instrument import interchange as ic


@pytest.mark.parametrize("tool", ["xlsform", "redcap"])
def test_kallmen2017_round_trips_to_the_same_instrument(tmp_path, inst, tool):
    path = tmp_path / ("k.xlsx" if tool == "xlsform" else "k.csv")
    (ic.to_xlsform if tool == "xlsform" else ic.to_redcap)(inst, path)
    data, notes = (ic.from_xlsform if tool == "xlsform" else ic.from_redcap)(path)
    assert notes == []
    assert ic.build(data, path).model_dump() == inst.model_dump()


def test_skip_logic_is_written_in_each_tools_syntax(inst):
    assert ic.to_tool('ever_cip == "yes"', inst, "xlsform") == "${ever_cip} = 'yes'"
    assert ic.to_tool('ever_cip == "yes"', inst, "redcap") == "[ever_cip] = '1'"
    assert ic.to_tool('selected(abstain_reasons, "other")', inst, "redcap") == \
        "[abstain_reasons(4)] = '1'"
    assert ic.to_tool('not work_area in ["social_services", "other_healthcare"]', inst,
                      "xlsform") == \
        "not((${work_area} = 'social_services' or ${work_area} = 'other_healthcare'))"


@pytest.mark.parametrize("tool, text, ours", [
    ("xlsform", "${ever_cip} = 'no'", 'ever_cip == "no"'),
    ("xlsform", "selected(${partners_12m}, 'primary_healthcare') and ${age} >= 60",
     'selected(partners_12m, "primary_healthcare") and age >= 60'),
    ("xlsform", "${comments} != ''", "answered(comments)"),
    ("redcap", "[ever_cip] = '2'", "ever_cip == 2"),
    ("redcap", "[ever_cip] <> '1' or [age] > 50", "ever_cip != 1 or age > 50"),
    ("redcap", "[abstain_reasons(4)] = '1'", "selected(abstain_reasons, 4)"),
])
def test_tool_syntax_is_translated_then_parsed(tool, text, ours):
    assert ic.from_tool(text, tool) == ours


@pytest.mark.parametrize("tool, text", [
    ("xlsform", "count-selected(${partners_12m}) > 2"),
    ("xlsform", "${ever_cip} = 'no' or __import__('os').system('ls')"),
    ("redcap", "datediff([date1], 'today', 'y') > 1"),
])
def test_what_cannot_be_translated_fails_in_the_parser(tool, text):
    with pytest.raises(expr.ExpressionError):
        ic.from_tool(text, tool)


def test_unconvertible_parts_are_listed_not_dropped(tmp_path, inst):
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)", "relevant"])
    survey.append(["select_one yn", "used", "Used?", ""])
    survey.append(["integer", "times", "How often?", "${used} = 'yes'"])
    survey.append(["calculate", "double", "", ""])
    survey.append(["integer", "odd", "Odd?", "count-selected(${used}) > 1"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)"])
    choices.append(["yn", "yes", "Yes"])
    choices.append(["yn", "no", "No"])
    path = tmp_path / "form.xlsx"
    book.save(path)
    data, notes = ic.from_xlsform(path)
    assert any("double" in n and "calculate" in n for n in notes)
    assert any("odd" in n and "count-selected" in n for n in notes)
    built = ic.build(data, path)
    assert built.item("times").relevant == 'used == "yes"'
    assert [c.name for c in built.item("used").choices] == ["yes", "no"]


def test_convert_command_both_ways(tmp_path, cli):
    xls = tmp_path / "k.xlsx"
    assert cli("instrument", "convert", "kallmen2017", "--to", "xlsform", "--out", xls).code == 0
    back = tmp_path / "k.yaml"
    r = cli("instrument", "convert", str(xls), "--to", "cipsurvey", "--out", back)
    assert r.code == 0, r.err
    assert load_instrument(back).model_dump() == load_instrument("kallmen2017").model_dump()
    assert yaml.safe_load(back.read_text("utf-8"))["id"] == "kallmen2017"
    red = tmp_path / "dict.csv"
    assert cli("instrument", "convert", "kallmen2017", "--to", "redcap", "--out", red).code == 0
    assert red.read_text("utf-8").startswith(
        'Variable / Field Name,Form Name,Section Header,Field Type,Field Label,'
        '"Choices, Calculations, OR Slider Labels"')
    again = cli("instrument", "convert", "kallmen2017", "--to", "redcap", "--out", red)
    assert again.code == 2 and "exists" in again.err
