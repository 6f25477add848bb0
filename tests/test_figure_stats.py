"""The statistics a figure is drawn from, against matplotlib's and numpy's own."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st_
from matplotlib import cbook

from cipsurvey import stats as st


@settings(max_examples=60, deadline=None)
@given(st_.lists(st_.tuples(st_.integers(1, 3), st_.integers(0, 40) | st_.just(-1)),
                 min_size=1, max_size=80))
def test_box_stats_are_matplotlibs(pairs):
    frame = pd.DataFrame(pairs, columns=["g", "y"], dtype=float)
    frame.loc[frame["y"] < 0, "y"] = np.nan  # missing values are left out
    ours = st.box_stats(frame, "y", "g").set_index("group")
    present = sorted(frame.dropna()["g"].unique())
    assert list(ours.index) == present
    for level in present:
        x = frame.loc[frame["g"] == level, "y"].dropna().to_numpy()
        ref = cbook.boxplot_stats(x, whis=1.5)[0]
        row = ours.loc[level]
        assert row["n"] == len(x)
        for mine, theirs in (("q1", "q1"), ("median", "med"), ("q3", "q3"),
                             ("whisker_low", "whislo"), ("whisker_high", "whishi")):
            assert row[mine] == ref[theirs], (mine, x)


def test_value_counts_are_numpys():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"g": rng.integers(1, 4, 3000).astype(float),
                          "y": rng.poisson(3, 3000).astype(float)})
    frame.loc[::17, "y"] = np.nan
    counts = st.value_counts(frame, "y", "g")
    assert counts["count"].sum() == frame["y"].notna().sum()
    for level, part in counts.groupby("group"):
        values, n = np.unique(frame.loc[frame["g"] == level, "y"].dropna(), return_counts=True)
        assert part["value"].tolist() == values.tolist()
        assert part["count"].tolist() == n.tolist()
