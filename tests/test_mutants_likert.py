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
