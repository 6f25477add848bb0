"""A figure that cannot be drawn: the report is still written, and in the figure's place
the HTML and Word reports say why (the same note as results.json), not "no data"."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from cipsurvey import read_survey
from cipsurvey.analysis.plan import load_plan
from cipsurvey.analysis.run import run_plan
from cipsurvey.lang import catalog
from cipsurvey.report import outputs

from clients import docx_texts

LABEL = "{sv: x, en: x}"
CHOICES = ("[{code: 1, name: a, label: {sv: A, en: A}}, "
           "{code: 2, name: b, label: {sv: B, en: B}}]")
INSTRUMENT = f"""\
schema_version: 1
id: tiny
title: {LABEL}
respondent_id: resp
items:
  - {{id: resp, role: admin, type: identifier, text: {LABEL}}}
  - {{id: area, type: single_choice, text: {LABEL}, choices: {CHOICES}}}
  - {{id: plans, type: count, text: {LABEL}}}
"""
PLAN = f"""\
schema_version: 1
id: tiny_plan
instrument: tiny.yaml
title: {LABEL}
sections:
  - id: s
    title: {LABEL}
    analyses:
      - {{id: plans_by_area, kind: figure, figure: counts_by_group, title: {LABEL},
          variables: [plans], by: area}}
"""


def test_a_figure_that_fails_says_why_in_its_place(tmp_path, monkeypatch):
    (tmp_path / "tiny.yaml").write_text(INSTRUMENT, encoding="utf-8")
    (tmp_path / "tiny_plan.yaml").write_text(PLAN, encoding="utf-8")
    rng = np.random.default_rng(3)
    pd.DataFrame({"resp": [f"r{i}" for i in range(30)], "area": rng.integers(1, 3, 30),
                  "plans": rng.integers(0, 9, 30)}).to_csv(tmp_path / "w.csv", index=False)
    survey = read_survey(tmp_path / "w.csv", tmp_path / "tiny.yaml")
    report = run_plan(survey, load_plan(tmp_path / "tiny_plan.yaml", survey.instrument), "sv",
                      workers=1)

    def broken(result, folder, lang):
        raise ValueError("planted")

    monkeypatch.setattr(outputs, "draw", broken)
    written = outputs.write_report(report, tmp_path / "out")
    said = catalog.text("result.figure_failed", "sv", reason="ValueError: planted")
    notes = next(r for r in json.loads(written.json.read_text("utf-8"))["results"]
                 if r["id"] == "plans_by_area")["notes"]
    assert said in notes
    html = written.html.read_text("utf-8")
    assert said in html and catalog.text("report.figure_empty", "sv") not in html
    assert said in docx_texts(written.docx)
    assert written.figures == []
