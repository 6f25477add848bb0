"""Every web-survey tool's export of the demo wave imports to the same clean wave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cipsurvey
from cipsurvey.demo.files import demo_files

from tool_exports import VARIANTS, WRITERS, limesurvey, qualtrics


@pytest.fixture(scope="module")
def reference():
    return cipsurvey.read_survey(demo_files())


def item_frame(survey) -> pd.DataFrame:
    cols = [c for i in survey.instrument.items for c in i.columns]
    return survey.data[cols].reset_index(drop=True)


LAYOUTS = {**{t: (t, ext, w, {}) for t, (ext, w) in WRITERS.items()}, **VARIANTS}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_each_export_gives_the_same_wave(tmp_path, reference, layout):
    tool, ext, writer, options = LAYOUTS[layout]
    path = writer(reference.instrument, reference.data, tmp_path / f"{layout}.{ext}", **options)
    wave = cipsurvey.read_survey(path)
    acc = wave.account.files[0]
    assert acc.details["source"] == tool
    assert (acc.rows_read, acc.rows_kept) == (705, 705)
    assert acc.columns_unknown == [], acc.columns_unknown
    got, want = item_frame(wave), item_frame(reference)
    for col in want.columns:
        a, b = got[col], want[col]
        same = (a.isna() & b.isna()) | (a.astype(object) == b.astype(object))
        assert same.all(), (tool, col, a[~same].head(3).tolist(), b[~same].head(3).tolist())
    severe = wave.problems[wave.problems["severity"].isin(["error", "warning"])]
    assert severe.empty, severe.head().to_string()


def test_detection_can_be_overridden(tmp_path, reference):
    path = qualtrics(reference.instrument, reference.data.head(20), tmp_path / "q.csv")
    wave = cipsurvey.read_survey(path, source="qualtrics")
    assert wave.account.files[0].details["source"] == "qualtrics" and wave.n == 20
    with pytest.raises(Exception, match="unknown source"):
        cipsurvey.read_survey(path, source="nettskjema")


@pytest.mark.parametrize("rule, kept, excluded", [("flag", 30, 0), ("keep", 30, 0),
                                                  ("drop", 26, 4)])
def test_partial_and_test_responses_follow_the_rule(tmp_path, reference, rule, kept, excluded):
    lime = limesurvey(reference.instrument, reference.data.head(30), tmp_path / "l.csv",
                      partial_rows=4)
    wave = cipsurvey.read_survey(lime, partial=rule)
    acc = wave.account.files[0]
    assert (acc.rows_kept, acc.rows_excluded, acc.partial) == (kept, excluded, 4)
    flagged = wave.problems[wave.problems["code"] == "partial_response"]
    assert len(flagged) == (4 if rule == "flag" else 0)
    if rule == "drop":
        assert set(wave.account.exclusions["reason"]) == {"partial response (limesurvey)"}
    q = qualtrics(reference.instrument, reference.data.head(10), tmp_path / "q.csv",
                  preview_rows=2)
    wave = cipsurvey.read_survey(q, test=rule)
    assert wave.account.files[0].test == 2
    assert wave.n == (8 if rule == "drop" else 10)


def test_cli_names_the_detected_source(tmp_path, reference, cli):
    path = WRITERS["kobo"][1](reference.instrument, reference.data.head(5), tmp_path / "k.csv")
    r = cli("validate", path, "--json", "-i", "kallmen2017")
    import json

    payload = json.loads(r.out)
    assert payload["account"]["files"][0]["details"]["source"] == "kobo"
    assert np.isfinite(payload["account"]["rows_kept"])


def test_limesurvey_spss_export(tmp_path, reference):
    """LimeSurvey's SPSS export: Q_SQ001 option columns (1 ticked, 0 not), system columns."""
    import pyreadstat

    inst = reference.instrument
    wave = reference.data.head(40).reset_index(drop=True)
    frame = pd.DataFrame({"id": np.arange(1, 41, dtype=float),
                          "submitdate": ["2015-01-01 10:00:00"] * 38 + ["", ""],
                          "lastpage": [9.0] * 40})
    for item in inst.items:
        if item.type.value == "multiple_choice":
            for c, col in zip(item.choices, item.columns, strict=True):
                frame[f"{item.id}_SQ{c.code:03d}"] = wave[col]
        elif item.type.value in ("text", "identifier"):
            frame[item.id] = wave[item.id].fillna("").astype(str)
        elif item.type.value == "date":
            frame[item.id] = wave[item.id].dt.strftime("%Y-%m-%d")
        else:
            frame[item.id] = wave[item.id]
    path = tmp_path / "lime.sav"
    pyreadstat.write_sav(frame, str(path))
    got = cipsurvey.read_survey(path)
    acc = got.account.files[0]
    assert acc.details["source"] == "limesurvey" and acc.partial == 2 and acc.columns_unknown == []
    cols = [c for i in inst.items for c in i.columns if i.type.value != "date"]
    left, right = got.data[cols], wave[cols]
    same = (left.isna() & right.isna()) | (left.astype(object) == right.astype(object))
    assert same.all().all()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=st.sampled_from(sorted(LAYOUTS)), seed=st.integers(0, 10_000),
       size=st.integers(1, 30))
def test_any_sample_through_any_tool_comes_back_unchanged(tmp_path_factory, reference, layout,
                                                          seed, size):
    """The accounting invariant for the web-survey importers: every row of a random sample
    of the demo wave comes back, value for value, whichever tool's layout carried it."""
    _, ext, writer, options = LAYOUTS[layout]
    sample = reference.data.sample(n=size, random_state=seed).reset_index(drop=True)
    path = writer(reference.instrument, sample,
                  tmp_path_factory.mktemp("tool") / f"{layout}.{ext}", **options)
    wave = cipsurvey.read_survey(path)
    acc = wave.account.files[0]
    assert acc.rows_read == size == acc.rows_kept + acc.rows_excluded
    assert acc.rows_kept == size
    got, want = item_frame(wave), sample[item_frame(wave).columns]
    same = (got.isna() & want.isna()) | (got.astype(object) == want.astype(object))
    assert same.all().all(), layout
