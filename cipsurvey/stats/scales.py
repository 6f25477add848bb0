"""Scales: Cronbach's α with a CI, item statistics, and scale scores.

A scale's reversed items are scored min + max - x with each item's own range (an item
answered 1-4 has min + max = 5, one answered 0-10 has 10), and α, the item statistics and
the scores all see the reversed items: pass the same ``reverse`` mapping to each.

Written here, from one covariance matrix of the complete cases shared by α and the item
statistics, and tested against pingouin and numpy (tests/test_fast_paths.py) and PSPP:

- α with Feldt's interval: ``pingouin.cronbach_alpha`` gives the same α, but its interval
  takes n from the rows before its own listwise deletion (on the demo wave's climate items
  [0.826, 0.862] where the complete cases give [0.825, 0.863]) and is rounded to three
  decimals; importing pingouin also costs 1.2 s.
- item-total statistics (SPSS's RELIABILITY /SUMMARY=TOTAL): no library has them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._util import complete_rows, frame, memo, nan_row

Reverse = Mapping[str, tuple[float, float]]
"""Reversed items of a scale, each with the (min, max) of its own answer range."""


def cronbach_alpha(data: pd.DataFrame, items: Sequence[str], conf: float = 0.95, *,
                   reverse: Reverse | None = None) -> pd.DataFrame:
    """Cronbach's α over the complete cases, with Feldt's (1965) F-based CI.

    α = k/(k-1)·(1 - Σ s²_item / s²_total). CI: 1 - (1 - α)·F_{1∓γ/2}(n - 1, (n - 1)(k - 1)).
    ``reverse`` names the reversed items with their (min, max) range: they enter as
    min + max - x (see :func:`scored_item`).

    Returns
    -------
    DataFrame
        ``measure, estimate, conf_low, conf_high, n, k, method, note``.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
        Psychometrika, 16, 297-334.
    Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson reliability
        coefficient twenty. Psychometrika, 30, 357-370.
    """
    cols = ["measure", "estimate", "conf_low", "conf_high", "n", "k", "method", "note"]
    n, _, c = _moments(data, items, reverse)
    k = len(c)
    method = "Cronbach's alpha; Feldt CI"
    if k < 2 or n < 2:
        return frame([nan_row(cols, "need at least two items and two complete cases",
                              measure="Cronbach's alpha", n=n, k=k, method=method)], cols)
    total_var = c.sum()  # the variance of a sum: the sum of the covariances
    if not total_var > 1e-12 * np.trace(c):  # zero, up to rounding
        return frame([nan_row(cols, "the total score has no variance",
                              measure="Cronbach's alpha", n=n, k=k, method=method)], cols)
    alpha = k / (k - 1) * (1 - np.trace(c) / total_var)
    g = 1 - conf
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lo = 1 - (1 - alpha) * stats.f.ppf(1 - g / 2, df1, df2)
    hi = 1 - (1 - alpha) * stats.f.ppf(g / 2, df1, df2)
    return frame([{"measure": "Cronbach's alpha", "estimate": alpha, "conf_low": lo,
                   "conf_high": hi, "n": n, "k": k, "method": method, "note": ""}], cols)


def item_total(data: pd.DataFrame, items: Sequence[str], *,
               reverse: Reverse | None = None) -> pd.DataFrame:
    """Item statistics as SPSS's RELIABILITY /SUMMARY=TOTAL prints them (complete cases),
    reversed items (``reverse``, as in :func:`cronbach_alpha`) taken as min + max - x.

    Returns
    -------
    DataFrame
        ``item, mean, sd, scale_mean_if_deleted, scale_var_if_deleted, item_rest_r,
        alpha_if_deleted``; the item-rest r correlates the item with the sum of the others.
    """
    # everything from the items' covariance matrix: the rest score's variance and its
    # covariance with the item, and α of the other items, are sums of its entries
    _, means, c = _moments(data, items, reverse)
    k = len(c)
    total_cov = c.sum(axis=1)
    rows = []
    for i, item in enumerate(items):
        rest_var = c.sum() - 2 * total_cov[i] + c[i, i]
        rest_cov = total_cov[i] - c[i, i]
        with np.errstate(divide="ignore", invalid="ignore"):
            r = rest_cov / np.sqrt(c[i, i] * rest_var) if c[i, i] > 0 and rest_var > 0 \
                else np.nan
            a = ((k - 1) / (k - 2) * (1 - (np.trace(c) - c[i, i]) / rest_var)
                 if k > 2 and rest_var > 0 else np.nan)
        rows.append({"item": item, "mean": means[i], "sd": np.sqrt(c[i, i]),
                     "scale_mean_if_deleted": means.sum() - means[i],
                     "scale_var_if_deleted": rest_var, "item_rest_r": r,
                     "alpha_if_deleted": a})
    return pd.DataFrame(rows)


def scored_item(data: pd.DataFrame, item: str, reverse: Reverse | None = None) -> np.ndarray:
    """One item's values as the scale counts them: ``min + max - x`` when ``reverse`` names
    it (with its own range), else as answered; missing stays missing."""
    x = data[item].to_numpy(dtype=float)
    if reverse and item in reverse:
        lo, hi = reverse[item]
        x = lo + hi - x
    return x


def _check_reverse(items: Sequence[str], reverse: Reverse | None) -> None:
    if reverse and not isinstance(reverse, Mapping):
        raise TypeError("reverse maps each reversed item to its (min, max) range")
    for item, bounds in (reverse or {}).items():
        if item not in items:
            raise ValueError(f"reversed item {item!r} is not one of the scale's items")
        lo, hi = bounds
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise ValueError(f"reversed item {item!r} needs a range min < max, got {bounds}")


def _moments(data: pd.DataFrame, items: Sequence[str],
             reverse: Reverse | None) -> tuple[int, np.ndarray, np.ndarray]:
    """Complete cases' count, item means and covariance matrix (n - 1), computed once per
    data, items and reversal in a plan (α and the item statistics share them)."""
    _check_reverse(items, reverse)
    flipped = tuple(sorted((i, tuple(b)) for i, b in (reverse or {}).items()))
    return memo(data, ("item_moments", tuple(items), flipped),
                lambda: _item_moments(data, items, reverse))


def _item_moments(data: pd.DataFrame, items: Sequence[str],
                  reverse: Reverse | None) -> tuple[int, np.ndarray, np.ndarray]:
    keep = complete_rows(data, items)
    k, n = len(items), int(keep.sum())
    # one row per item (a row per respondent would be strided through once per item)
    x = np.empty((k, n))
    for row, item in zip(x, items, strict=True):
        row[:] = scored_item(data, item, reverse)[keep]
    if n == 0:
        return 0, np.full(k, np.nan), np.full((k, k), np.nan)
    means = x.mean(axis=1)
    if n == 1:
        return 1, means, np.full((k, k), np.nan)
    x -= means[:, None]
    return n, means, x @ x.T / (n - 1)


def scale_scores(data: pd.DataFrame, items: Sequence[str], *, min_items: int | None = None,
                 reverse: Reverse | None = None, method: str = "mean") -> pd.Series:
    """Each respondent's score: the mean (or sum) of the answered items, reversed items
    (``reverse``, with each one's own range) flipped to min + max - x; missing when fewer
    than ``min_items`` were answered (default: all). A sum is prorated: the mean of the
    answered items times the number of items."""
    if method not in ("mean", "sum"):
        raise ValueError(f"method is 'mean' or 'sum', not {method!r}")
    _check_reverse(items, reverse)
    total = np.zeros(len(data))
    answered = np.zeros(len(data), dtype=np.int64)
    for item in items:  # item by item: no respondent × item copy
        x = scored_item(data, item, reverse)
        given = ~np.isnan(x)
        answered += given
        total += np.where(given, x, 0.0)
    need = len(items) if min_items is None else min_items
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / answered
    score = mean if method == "mean" else mean * len(items)
    score[(answered < need) | (answered == 0)] = np.nan
    return pd.Series(score, index=data.index, name="score")
