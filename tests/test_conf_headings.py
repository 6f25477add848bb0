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
from cipsurvey.report.display import shown
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


@pytest.mark.parametrize(("conf", "lang", "low", "high"), [
    (0.90, "en", "90% CI low", "90% CI high"),
    (0.99, "sv", "99 % KI nedre", "99 % KI övre"),
])
def test_interval_headings_and_figure_texts_follow_conf(tmp_path, conf, lang, low, high):
    report = demo_run(conf, lang)
    with_intervals = 0
    for result in report.results:
        assert result.conf == conf, result.id
        for name, frame in result.tables.items():
            table = shown(name, frame, lang, result.conf)
            if "conf_low" in table.columns:
                at = table.columns.index("conf_low")
                assert (table.headings[at], table.headings[at + 1]) == (low, high), name
                with_intervals += 1
            assert not any("95" in h for h in table.headings), (name, table.headings)
    assert with_intervals >= 10  # the plan's tables with intervals
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
