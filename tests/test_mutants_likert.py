"""Likert tables: their exact columns and the summary's values by hand (issue 22: the
mutants that survived tests/test_likert.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cipsurvey.stats import likert

LABELS = {1.0: "Disagree", 2.0: "Neither", 3.0: "Agree"}
# a: 1, 1, 2, 3, 3, 3  -> n 6, median 2.5, below 2/6, middle 1/6, above 3/6
# b: 3, 2, 2, missing  -> n 3, median 2
DATA = pd.DataFrame({"a": [1, 1, 2, 3, 3, 3], "b": [3, 2, 2, np.nan, np.nan, np.nan]},
                    dtype=float)
DIST = ["item", "item_label", "level", "label", "side", "count", "n", "proportion", "percent",
        "conf_low", "conf_high", "method", "note"]
SUMMARY = ["item", "item_label", "n", "mean", "sd", "median", "percent_below",
           "percent_middle", "percent_above", "method", "note"]


def test_distribution_columns_put_the_side_after_the_label():
    dist = likert.likert_distribution(DATA, ["a", "b"], LABELS)
    assert list(dist.columns) == DIST
    assert list(dist["side"].iloc[:3]) == ["below", "middle", "above"]


def test_summary_by_hand():
    s = likert.likert_summary(DATA, ["a", "b"], LABELS, {"a": "Item A"})
    assert list(s.columns) == SUMMARY
    assert list(s["item_label"]) == ["Item A", "b"]  # an item without a label: its name
    assert list(s["n"]) == [6, 3]
    assert list(s["median"]) == [2.5, 2.0]
    assert list(s["mean"]) == pytest.approx([13 / 6, 7 / 3])
    assert list(s["percent_below"]) == pytest.approx([100 * 2 / 6, 0])
    assert list(s["percent_middle"]) == pytest.approx([100 / 6, 200 / 3])
    assert list(s["percent_above"]) == pytest.approx([50, 100 / 3])
    assert list(s["method"]) == ["mean and SD of the answer codes (an addition)"] * 2
    assert list(s["note"]) == ["", ""]


def test_summary_of_a_one_answer_item():
    # a tick box: one answer code, so one row per item in the distribution
    d = pd.DataFrame({"t": [1.0, 1.0, np.nan]})
    s = likert.likert_summary(d, ["t"], {1.0: "Ticked"})
    assert s["n"].iloc[0] == 2
    assert s["percent_middle"].iloc[0] == pytest.approx(100)


def test_distribution_item_labels_and_conf_as_r():
    # item a: 2 of 6 disagree. R: prop.test(2, 6, conf.level = 0.90, correct = FALSE)
    # $conf.int = 0.117276094102 0.652985233000; at 0.95: 0.0967714111058 0.7000066848616
    dist = likert.likert_distribution(DATA, ["a", "b"], LABELS, {"a": "Item A"}, conf=0.90)
    assert list(dist["item_label"]) == ["Item A"] * 3 + ["b"] * 3
    first = dist.iloc[0]
    assert (first["conf_low"], first["conf_high"]) == pytest.approx((0.117276094102,
                                                                     0.652985233000))
    default = likert.likert_distribution(DATA, ["a"], LABELS).iloc[0]
    assert (default["conf_low"], default["conf_high"]) == pytest.approx((0.0967714111058,
                                                                         0.7000066848616))


def test_summary_of_an_unanswered_item():
    d = pd.DataFrame({"a": [1.0, 3.0], "e": [np.nan, np.nan]})
    s = likert.likert_summary(d, ["a", "e"], LABELS).set_index("item")
    assert s.loc["e", "n"] == 0
    assert s.loc["e", "note"] == "no answers"
    assert s.loc["e", ["percent_below", "percent_middle", "percent_above"]].isna().all()
    assert s.loc["a", "note"] == ""
    assert list(s.loc["a", ["percent_below", "percent_middle", "percent_above"]]) == [50, 0, 50]


def test_summary_with_no_answer_codes_and_no_answers():
    # no codes given: the distribution has no row for the item at all
    s = likert.likert_summary(pd.DataFrame({"e": [np.nan]}), ["e"], {})
    assert s["n"].tolist() == [0]
    assert s["note"].tolist() == ["no answers"]


def test_sides_of_a_six_point_scale():
    assert likert.sides([1, 2, 3, 4, 5, 6]) == {1: "below", 2: "below", 3: "below",
                                                4: "above", 5: "above", 6: "above"}
    assert likert.sides([1, 2, 3, 4, 5]) == {1: "below", 2: "below", 3: "middle",
                                             4: "above", 5: "above"}
