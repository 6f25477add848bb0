"""Likert distributions against a hand count kept in the test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cipsurvey.stats import likert

LABELS = {1.0: "Completely disagree", 2.0: "Disagree", 3.0: "Neither", 4.0: "Agree",
          5.0: "Completely agree"}
# item a: 1, 2, 2, 3, 4, 4, 4, 5, missing  -> n 8; counts 1, 2, 1, 3, 1
# item b: 5, 5, 4, 4, 4, 4, 3, 1, 1        -> n 9; counts 2, 0, 1, 4, 2
DATA = pd.DataFrame({"a": [1, 2, 2, 3, 4, 4, 4, 5, np.nan],
                     "b": [5, 5, 4, 4, 4, 4, 3, 1, 1]}, dtype=float)


def test_sides_of_odd_and_even_scales():
    assert likert.sides([1, 2, 3, 4, 5]) == {1: "below", 2: "below", 3: "middle", 4: "above",
                                             5: "above"}
    assert likert.sides([1, 2, 3, 4]) == {1: "below", 2: "below", 3: "above", 4: "above"}


def test_item_by_answer_table_by_hand():
    dist = likert.likert_distribution(DATA, ["a", "b"], LABELS)
    a = dist[dist["item"] == "a"]
    assert list(a["count"]) == [1, 2, 1, 3, 1]
    assert list(a["n"]) == [8] * 5
    assert list(a["percent"]) == pytest.approx([12.5, 25, 12.5, 37.5, 12.5])
    b = dist[dist["item"] == "b"]
    assert list(b["count"]) == [2, 0, 1, 4, 2]  # an answer nobody gave keeps its row
    assert list(b["label"]) == list(LABELS.values())
    assert list(b["side"]) == ["below", "below", "middle", "above", "above"]


def test_summary_by_hand():
    s = likert.likert_summary(DATA, ["a", "b"], LABELS).set_index("item")
    assert s.loc["a", "mean"] == pytest.approx(25 / 8)
    assert s.loc["b", "mean"] == pytest.approx(31 / 9)
    assert s.loc["a", "sd"] == pytest.approx(np.std([1, 2, 2, 3, 4, 4, 4, 5], ddof=1))
    assert s.loc["a", "percent_below"] == pytest.approx(37.5)
    assert s.loc["a", "percent_middle"] == pytest.approx(12.5)
    assert s.loc["a", "percent_above"] == pytest.approx(50.0)
    assert s.loc["b", "percent_below"] == pytest.approx(200 / 9)


def test_diverging_bars_centre_the_middle_answer_on_zero():
    """Item a (12.5, 25, 12.5, 37.5, 12.5 %): the bars start at -(12.5 + 25 + 12.5 / 2) =
    -43.75, by hand; the middle answer spans -6.25 to 6.25."""
    from cipsurvey.report.figures import likert_bars, setup_plotting

    plt, sns = setup_plotting()
    dist = likert.likert_distribution(DATA, ["a"], LABELS)
    fig, alt = likert_bars(plt, sns, dist, "en")
    bars = [p for p in fig.axes[0].patches if p.get_width() > 0]
    assert [b.get_x() for b in bars] == pytest.approx([-43.75, -31.25, -6.25, 6.25, 43.75])
    assert [b.get_width() for b in bars] == pytest.approx([12.5, 25, 12.5, 37.5, 12.5])
    assert bars[2].get_facecolor()[:3] == pytest.approx((0.75, 0.75, 0.75))  # middle: grey
    assert "(50 %)" in alt
    plt.close(fig)
