"""The confidence level reaches the report: table headings and figure descriptions name the
plan's conf, in both languages, not a fixed 95 %."""

from __future__ import annotations

import functools
import re

import pytest

import cipsurvey
from cipsurvey.analysis.plan import load_plan
from cipsurvey.analysis.run import run_plan
from cipsurvey.demo.files import demo_files
from cipsurvey.lang import confidence_level
from cipsurvey.report import document as D
from cipsurvey.report.figures import draw


@functools.cache
def demo_run(conf: float, lang: str):
    survey = cipsurvey.read_survey(demo_files())
    plan = load_plan("kallmen2017", survey.instrument).model_copy(update={"conf": conf})
    return run_plan(survey, plan, lang=lang, processes=False)


def test_the_level_as_written():
    assert [confidence_level(c, "en") for c in (0.9, 0.95, 0.99, 0.995)] == \
        ["90", "95", "99", "99.5"]
    assert confidence_level(0.995, "sv") == "99,5"


@pytest.mark.parametrize(("conf", "lang", "ci", "low", "high"), [
    (0.90, "en", "90% CI", "90% CI low", "90% CI high"),
    (0.99, "sv", "99 % KI", "99 % KI nedre", "99 % KI övre"),
])
def test_interval_headings_and_figure_texts_follow_conf(tmp_path, conf, lang, ci, low, high):
    """Every table of the report as the publication layer shapes it for HTML, Word and
    Excel: an interval column is headed by the plan's level (one column "90% CI" holding
    lower and upper, or a table shown as it is with "90% CI low" and "90% CI high"), and no
    heading says 95."""
    report = demo_run(conf, lang)
    for result in report.results:
        assert result.conf == conf, result.id
    ctx = D.context_for(report)
    doc = D.build(ctx, report, title="", synthetic=True, generated="", summary=[],
                  methods=[], appendix=[])
    with_intervals = pairs = 0
    for table in doc.tables():
        heads = [c.heading for c in table.columns]
        if ci in heads or low in heads:
            with_intervals += 1
        if low in heads:
            assert heads[heads.index(low) + 1] == high, (table.key, heads)
            pairs += 1
        words = [*heads, *(p for c in table.columns for p in c.parts), table.title]
        assert not any("95" in h or "{" in h for h in words), (table.key, words)
    assert with_intervals >= 10  # the plan's tables with intervals
    assert pairs >= 1  # (the Likert answers, shown as the statistics give them)
    described = 0
    for result in report.results:
        if result.kind != "figure":
            continue
        figure = draw(result, tmp_path, lang)
        levels = re.findall(r"(\d+(?:[.,]\d+)?) ?% (?:CI|KI)", figure.alt) if figure else []
        if levels:
            assert set(levels) == {confidence_level(conf, lang)}, figure.alt
            described += 1
    assert described >= 2  # the bars with intervals
