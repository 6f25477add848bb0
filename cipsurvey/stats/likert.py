"""Likert items as distributions: each answer's share per item, the scale's sides, the mean.

A mean of 3.4 on a 1-5 agreement scale hides whether people agree mildly or split between
the ends. The item-by-answer table shows each answer's count and percent (with Wilson CIs)
and which side of the scale it lies on, so that a diverging stacked bar can centre the
neutral answer; the mean and SD stay beside it as an addition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._util import frame
from .descriptives import describe
from .frequencies import grid

SIDES = ("below", "middle", "above")
SUMMARY_COLUMNS = ["item", "item_label", "n", "mean", "sd", "median", "percent_below",
                   "percent_middle", "percent_above", "method", "note"]


def sides(codes: Sequence[Any]) -> dict[Any, str]:
    """Each answer code's side of an ordered scale: the lower half "below", the upper half
    "above", the centre of an odd-length scale "middle" (codes in scale order)."""
    k = len(codes)
    out = {}
    for i, code in enumerate(codes):
        if k % 2 and i == k // 2:
            out[code] = "middle"
        else:
            out[code] = "below" if i < k / 2 else "above"
    return out


def likert_distribution(data: pd.DataFrame, items: Sequence[str], labels: Mapping[Any, str],
                        item_labels: Mapping[str, str] | None = None,
                        conf: float = 0.95) -> pd.DataFrame:
    """The item-by-answer table of a Likert scale.

    Parameters
    ----------
    items : sequence of str
        The items of one scale (same answers).
    labels : mapping
        Answer code → label, in scale order (lowest first).

    Returns
    -------
    DataFrame
        ``item, item_label, level, label, side, count, n, proportion, percent, conf_low,
        conf_high, method, note``: one row per item and answer, answers in scale order;
        ``side`` is "below", "middle" or "above" (:func:`sides`).

    References
    ----------
    Robbins, N. B., & Heiberger, R. M. (2011). Plotting Likert and other rating scales.
        Proceedings of the Survey Research Methods Section, ASA, 1058-1066.
    """
    table = grid(data, items, labels, item_labels, conf=conf)
    side = sides(list(labels))
    table.insert(table.columns.get_loc("label") + 1, "side",
                 [side[lv] for lv in table["level"]])
    return table


def likert_summary(data: pd.DataFrame, items: Sequence[str], labels: Mapping[Any, str],
                   item_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per item: n, mean, SD and median of the codes (an addition to the distribution) and
    the percent below, at and above the middle of the scale.

    Returns
    -------
    DataFrame
        ``item, item_label, n, mean, sd, median, percent_below, percent_middle,
        percent_above, method, note``.
    """
    dist = likert_distribution(data, items, labels, item_labels)
    rows = []
    for item in items:
        d = describe(data, item).iloc[0]
        part = dist[dist["item"] == item]
        shares = {s: float(part.loc[part["side"] == s, "percent"].sum()) for s in SIDES}
        n = int(part["n"].iloc[0]) if len(part) else 0
        rows.append({"item": item, "item_label": (item_labels or {}).get(item, item), "n": n,
                     "mean": d["mean"], "sd": d["sd"], "median": d["median"],
                     "percent_below": shares["below"] if n else np.nan,
                     "percent_middle": shares["middle"] if n else np.nan,
                     "percent_above": shares["above"] if n else np.nan,
                     "method": "mean and SD of the answer codes (an addition)",
                     "note": "" if n else "no answers"})
    return frame(rows, SUMMARY_COLUMNS)
