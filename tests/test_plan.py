"""The analysis-plan format: one model per kind, so that a misspelt key, a field of another
kind or an unknown kind is an error naming its YAML line and what the kind expects."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cipsurvey.analysis.plan import KINDS, AnalysisBase, Figure, Regression, load_plan
from cipsurvey.errors import InstrumentError

ROOT = Path(__file__).resolve().parents[1]
LABEL = {"sv": "x", "en": "x"}


def write_plan(tmp_path: Path, analysis: dict) -> tuple[Path, int]:
    """A one-analysis plan; returns its path and the line where the analysis starts."""
    text = yaml.safe_dump({
        "id": "p", "instrument": "kallmen2017", "title": LABEL,
        "sections": [{"id": "s", "title": LABEL,
                      "analyses": [{"id": "a", "title": LABEL, **analysis}]}]},
        sort_keys=False)
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text.splitlines().index("  - id: a") + 1


def problems(path: Path) -> list[tuple[int | None, str]]:
    with pytest.raises(InstrumentError) as info:
        load_plan(path)
    return [(p.line, p.message) for p in info.value.problems]


def line_of(path: Path, key: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.strip().startswith(f"{key}:"))


def test_a_misspelt_key_is_named_with_its_line_and_the_likely_field(tmp_path):
    path, start = write_plan(tmp_path, {"kind": "describe", "varibles": ["age"]})
    found = problems(path)
    assert (line_of(path, "varibles"),
            "unknown field 'varibles' for an analysis of kind 'describe' (its own fields: "
            "variables, by); did you mean 'variables'?") in found
    assert (start, "missing field 'variables'") in found


def test_a_field_of_another_kind_says_which_kinds_have_it(tmp_path):
    path, _ = write_plan(tmp_path, {"kind": "crosstab", "rows": "gender",
                                    "columns": "work_area", "by": "gender"})
    assert problems(path) == [(line_of(path, "by"),
                               "unknown field 'by' for an analysis of kind 'crosstab' (its own "
                               "fields: rows, columns, percent, layer, ordered, structural_zeros, "
                               "exact, family, primary); 'by' belongs to kind describe, "
                               "frequencies, ttest, anova, multiple_response, figure")]


def test_an_unknown_or_missing_kind_lists_the_kinds(tmp_path):
    path, start = write_plan(tmp_path, {"kind": "crosstabs", "rows": "gender",
                                        "columns": "work_area"})
    [(line, message)] = problems(path)
    assert line == start
    assert message.startswith("unknown kind 'crosstabs'; use one of: describe, frequencies")
    assert message.endswith("did you mean 'crosstab'?")
    path, start = write_plan(tmp_path, {"rows": "gender"})
    [(line, message)] = problems(path)
    assert line == start and message.startswith("missing field 'kind' (one of: describe")


def test_the_removed_answer_field_and_a_figure_without_its_data_are_errors(tmp_path):
    path, _ = write_plan(tmp_path, {"kind": "figure", "figure": "yes_bars",
                                    "group": "consequences", "answer": 1})
    [(line, message)] = problems(path)
    assert line == line_of(path, "answer")
    assert message.startswith("unknown field 'answer' for an analysis of kind 'figure'")
    path, _ = write_plan(tmp_path, {"kind": "figure", "figure": "yes_bars"})
    assert problems(path) == [(line_of(path, "figure"), "a yes_bars figure needs 'group'")]


def test_empty_lists_and_a_ttest_with_three_levels_are_errors(tmp_path):
    path, _ = write_plan(tmp_path, {"kind": "describe", "variables": []})
    assert problems(path) == [(line_of(path, "variables"), "'variables' needs at least one entry")]
    path, start = write_plan(tmp_path, {"kind": "ttest", "variables": ["age"], "by": "gender",
                                        "levels": [1, 2, 3]})
    assert problems(path) == [(start, "a t-test compares two levels")]


def test_every_kind_has_only_its_own_fields():
    base = set(AnalysisBase.model_fields)
    assert base == {"id", "kind", "title", "addition", "source", "subset", "note"}
    own = {kind: set(model.model_fields) - base for kind, model in KINDS.items()}
    tested = {"family", "primary"}  # the analyses whose tests count toward multiplicity
    assert own["crosstab"] == {"rows", "columns", "percent", "layer", "ordered",
                               "structural_zeros", "exact"} | tested
    assert own["describe"] == {"variables", "by"}
    assert "denominator" in own["frequencies"] and "denominator" not in own["describe"]
    assert {"model", "outcome", "predictors", "reference", "event",
            "trials"} == own["regression"]
    assert own["multiple_response"] == {"item", "by", "structural_zeros"} | tested
    assert tested <= own["anova"] and tested <= own["ttest"]
    assert not tested & own["describe"]
    for kind, model in KINDS.items():
        assert model.model_fields["kind"].annotation.__args__ == (kind,)


def test_the_2017_plan_loads_with_one_model_per_kind():
    plan = load_plan(ROOT / "analyses" / "kallmen2017.yaml")
    by_kind = {a.kind: type(a) for _, a in plan.analyses()}
    assert by_kind == {kind: KINDS[kind] for kind in by_kind}
    assert len(by_kind) == len(KINDS)  # the plan uses every kind
    figures = [a for _, a in plan.analyses() if isinstance(a, Figure)]
    assert {f.figure for f in figures} == set(Figure.NEEDS)
    [ols] = [a for _, a in plan.analyses() if isinstance(a, Regression) and a.model == "ols"]
    assert ols.named_items() == [ols.outcome, *ols.predictors]


@pytest.mark.parametrize(("analysis", "message"), [
    ({"kind": "multiple_response", "item": "shoe_size"}, "unknown item 'shoe_size'"),
    ({"kind": "figure", "figure": "mr_bars", "item": "shoe_size"}, "unknown item 'shoe_size'"),
    ({"kind": "regression", "model": "ols", "outcome": "age", "predictors": ["shoe_size"]},
     "unknown item 'shoe_size'"),
    ({"kind": "grid", "group": "nonesuch"}, "unknown group 'nonesuch'"),
    ({"kind": "crosstab", "rows": "work_area", "columns": "easiest_partner",
      "structural_zeros": [[1, 1], [9, 2]]},
     "structural zero [9, 2]: rows item 'work_area' has no code 9"),
    ({"kind": "multiple_response", "item": "partners_12m", "by": "work_area",
      "structural_zeros": [[1, 8]]},
     "structural zero [1, 8]: item item 'partners_12m' has no code 8"),
    ({"kind": "multiple_response", "item": "partners_12m", "structural_zeros": [[1, 1]]},
     "structural zeros need 'by'"),
    ({"kind": "regression", "model": "ols", "outcome": "age", "predictors": ["gender"],
      "reference": {"work_area": 1}}, "reference for 'work_area', not a predictor"),
])
def test_references_of_every_kind_are_checked_against_the_instrument(tmp_path, analysis,
                                                                     message):
    path, _ = write_plan(tmp_path, analysis)
    assert any(message in m for _, m in problems(path)), problems(path)


def test_a_family_title_needs_a_family_and_names_it_in_the_report(tmp_path):
    """A title under `families` that no analysis uses (a misspelt family) is an error; a
    family with a title is named by it in the report's language, one without by its id."""
    analysis = {"kind": "crosstab", "rows": "gender", "columns": "work_area",
                "family": "background"}
    path, _ = write_plan(tmp_path, analysis)
    plan = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan["families"] = {"backgrund": {"sv": "Bakgrund", "en": "Background"}}
    path.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    assert any("'backgrund', which no analysis names as its family" in message
               for _, message in problems(path))
    plan["families"] = {"background": {"sv": "Bakgrund", "en": "Background"}}
    path.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    loaded = load_plan(path)
    assert loaded.family_title("background", "sv") == "Bakgrund"
    assert loaded.family_title("other", "sv") == "other"
