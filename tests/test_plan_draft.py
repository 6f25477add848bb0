"""``cipsurvey plan draft``: a starter plan that names its instrument, covers every question
and runs as it is, on a real SPSS file (tests/corpus/surveys/EFC.sav)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

EFC = Path(__file__).parent / "corpus" / "surveys" / "EFC.sav"


@pytest.fixture
def drafted(cli, tmp_path) -> Path:
    inst = tmp_path / "inst" / "efc.yaml"
    inst.parent.mkdir()
    assert cli("instrument", "draft", EFC, "--out", inst).code == 0
    return inst


def analyses(plan: dict) -> dict[str, dict]:
    return {a["id"]: a for s in plan["sections"] for a in s["analyses"]}


def test_a_plan_without_groups_covers_every_question(cli, tmp_path, drafted):
    out = tmp_path / "plans" / "plan.yaml"
    out.parent.mkdir()
    res = cli("plan", "draft", drafted, "--out", out)
    assert res.code == 0, res.err
    text = out.read_text(encoding="utf-8")
    plan = yaml.safe_load(text)
    assert plan["instrument"] == "../inst/efc.yaml"  # relative to the plan's own folder
    inst = yaml.safe_load(drafted.read_text(encoding="utf-8"))
    named = {v for a in analyses(plan).values() for v in a.get("variables", [])}
    scales = {i for g in inst["groups"] for i in g["items"]}
    for item in inst["items"]:
        assert item["id"] in named or item["id"] in scales, item["id"]
    assert "No --by" in text and "c161sex" in text  # the items that could group, named
    res = cli("report", EFC, "--plan", out, "--out", tmp_path / "r")
    assert res.code == 0, res.err
    results = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in results["results"] if r["error"]] == []


@pytest.mark.parametrize("by, kind", [("c161sex", "ttest"), ("e42dep", "anova")])
def test_a_grouping_item_adds_crosstabs_and_the_test_its_groups_call_for(cli, tmp_path,
                                                                         drafted, by, kind):
    out = tmp_path / "plan.yaml"
    assert cli("plan", "draft", drafted, "--by", by, "--out", out).code == 0
    plan = yaml.safe_load(out.read_text(encoding="utf-8"))
    found = analyses(plan)
    numbers = found[f"numbers_by_{by}"]
    assert numbers["kind"] == kind and numbers["by"] == by
    if kind == "anova":
        assert numbers["levene"] and numbers["robust"]
    assert any(a["kind"] == "crosstab" and a["columns"] == by for a in found.values())
    res = cli("report", EFC, "--plan", out, "--out", tmp_path / "r")
    assert res.code == 0, res.err
    results = {r["id"]: r for r in json.loads(
        (tmp_path / "r" / "results.json").read_text(encoding="utf-8"))["results"]}
    assert all(r["error"] is None for r in results.values())
    test = results[f"numbers_by_{by}"]["tables"]["ttest" if kind == "ttest" else "anova"]
    tested = {row[test["columns"].index("variable")] for row in test["rows"]}
    assert tested == set(numbers["variables"])  # every number, not only the first


def test_a_grouping_item_must_be_a_choice_item(cli, tmp_path, drafted):
    res = cli("plan", "draft", drafted, "--by", "c12hour", "--out", tmp_path / "p.yaml")
    assert res.code == 2
    assert "c12hour" in res.err and "c161sex" in res.err  # what can group, named
    assert not (tmp_path / "p.yaml").exists()


def test_the_draft_has_a_compare_section_that_fits_its_instrument(cli, tmp_path, drafted):
    from cipsurvey.analysis.plan import load_plan
    from cipsurvey.instrument import load_instrument
    from cipsurvey.wave.compare_section import resolve

    out = tmp_path / "plan.yaml"
    assert cli("plan", "draft", drafted, "--out", out).code == 0
    inst = load_instrument(drafted)
    plan = load_plan(out, inst)
    assert plan.compare is not None
    indicators = {i.id: i for i in resolve(plan.compare, inst)}
    # the scale as its score, with the instrument's reversed items
    (scale,) = [i for i in indicators.values() if i.kind == "scale"]
    assert scale.reverse == ("c82cop1", "c89cop8", "c90cop9")
    # every question outside the scale is an indicator, each of the kind its type calls for
    written = yaml.safe_load(drafted.read_text(encoding="utf-8"))
    in_scale = {i for g in written["groups"] for i in g["items"]}
    kinds = {"count": "count", "number": "number", "single_choice": "categorical",
             "likert": "categorical", "yes_no": "share"}
    for item in written["items"]:
        if item["id"] not in in_scale:
            assert indicators[item["id"]].kind == kinds[item["type"]], item
