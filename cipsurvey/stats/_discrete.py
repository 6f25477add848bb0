"""Survey answers as distinct values and counts: codes, exact ranks and quantiles.

Answers are codes and whole numbers, so a million of them hold a few dozen distinct values.
Ranks, tie corrections and quantiles follow from how often each distinct value occurs,
in one counting pass instead of a sort of every value. The results are the same numbers as
``scipy.stats.rankdata`` and ``numpy.quantile`` give on the values themselves (tested
against both); values that are not whole numbers in a small range take a hash-based path
(``pandas.factorize``), which is exact too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# whole numbers spanning at most this many values are coded by offset arithmetic
SPAN = 1 << 16


def grid_index(x: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """For an array of whole numbers (missing as NaN) within a range of ``SPAN`` values:
    ``grid``, every whole number from the smallest to the largest, and ``index``, each
    value's position in the grid plus one (0 where missing). None for anything else.

    Offset arithmetic in a few passes over the array; no hashing, no sort. Only float64:
    in float32 the offset ``lo - 1`` rounds above 2**24 (the general path takes the rest).
    """
    if x.dtype != np.float64 or len(x) == 0:
        return None
    lo, hi = np.fmin.reduce(x), np.fmax.reduce(x)  # NaN left out; NaN if all are
    if not (np.isfinite(lo) and np.isfinite(hi) and hi - lo < SPAN):  # all missing, ±inf
        return None
    shifted = x - (lo - 1)  # 1 to SPAN for numbers, NaN for missing
    np.fmax(shifted, 0, out=shifted)  # NaN → 0 (fmax takes the number)
    index = shifted.astype(np.int32)
    # whole numbers survive the cast unchanged, fractions do not: one check, no floor pass
    if not np.array_equal(index, shifted):
        return None
    return lo + np.arange(int(hi - lo) + 1, dtype=x.dtype), index


def codes(values: np.ndarray | pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct non-missing values of a numeric array, and each value's position
    among them (-1 where missing).

    Same as ``pandas.factorize(values, sort=True)``, which it falls back on; whole numbers
    in a range of up to 65,536 values (every code and count of a survey) are coded through
    :func:`grid_index`.
    """
    x = np.asarray(values)
    fast = grid_index(x)
    if fast is not None:
        grid, index = fast
        seen = np.bincount(index, minlength=len(grid) + 1)[1:] > 0
        table = np.concatenate([[-1], np.cumsum(seen, dtype=np.int32) - 1]).astype(np.int32)
        return grid[seen], table[index]
    c, uniques = pd.factorize(x, sort=True)
    return np.asarray(uniques), c.astype(np.int32, copy=False)


def distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For an array without missing values: sorted candidate values, how often each occurs
    (some may not occur: count 0), and each element's position among them."""
    x = np.asarray(values)
    fast = grid_index(x)
    if fast is not None:
        grid, index = fast
        position = index - 1
        return grid, np.bincount(position, minlength=len(grid)), position
    c, uniques = pd.factorize(x, sort=True)
    return np.asarray(uniques), np.bincount(c, minlength=len(uniques)), c


def ranks(values: np.ndarray) -> tuple[np.ndarray, float]:
    """Each value's rank, ties sharing the mean of their ranks (``scipy.stats.rankdata``'s
    "average"), and Σ (t³ - t) over the tied groups, the tie correction of rank tests. From
    how often each distinct value occurs: a counting pass, not a sort of every value."""
    _, counts, code = distinct(values)
    mid = np.cumsum(counts, dtype=np.float64) - (counts - 1) / 2  # per distinct value
    t = counts.astype(np.float64)
    return mid[code], float((t**3 - t).sum())


def _order_stats(uniques: np.ndarray, counts: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The k-th smallest values (0-based), from sorted distinct values and their counts."""
    return uniques[np.searchsorted(np.cumsum(counts), k, side="right")]


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    # numpy.percentile's interpolation, written the same way so the bits agree: from the
    # upper value when t ≥ 0.5
    diff = b - a
    return np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)


def quantiles(uniques: np.ndarray, counts: np.ndarray, probs: np.ndarray | list[float],
              method: str = "linear") -> np.ndarray:
    """Sample quantiles from sorted distinct values and their counts, as
    ``numpy.quantile(values, probs, method=method)`` on the values themselves.

    ``method``: "linear" (Hyndman & Fan definition 7, numpy's default) or "weibull"
    (definition 6, SPSS's default).
    """
    p = np.asarray(probs, dtype=np.float64)
    n = int(counts.sum())
    # the positions computed as numpy computes them, so that the results agree to the bit
    if method == "linear":
        index = (n - 1) * p
    elif method == "weibull":
        index = n * p + p - 1
    else:
        raise ValueError(f"unsupported quantile method {method!r}")
    index = np.clip(index, 0, n - 1)
    below = np.floor(index)
    t = index - below
    lo = _order_stats(uniques, counts, below.astype(np.int64))
    hi = _order_stats(uniques, counts, np.minimum(below + 1, n - 1).astype(np.int64))
    return _lerp(lo.astype(np.float64), hi.astype(np.float64), t)


def value_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct non-missing values and how often each occurs: one ``bincount``
    of :func:`grid_index` for whole numbers, else ``pandas.factorize``."""
    x = np.asarray(values)
    fast = grid_index(x)
    if fast is not None:
        grid, index = fast
        counts = np.bincount(index, minlength=len(grid) + 1)[1:]
        seen = counts > 0
        return grid[seen], counts[seen]
    c, uniques = pd.factorize(x, sort=True)
    return np.asarray(uniques), np.bincount(c[c >= 0], minlength=len(uniques))


def present(values: np.ndarray) -> np.ndarray | None:
    """The sorted distinct non-missing values of whole numbers within ``SPAN``; None for
    other arrays (the caller's general path)."""
    fast = grid_index(np.asarray(values))
    if fast is None:
        return None
    grid, index = fast
    return grid[np.bincount(index, minlength=len(grid) + 1)[1:] > 0]


def joint_counts(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                        np.ndarray] | None:
    """The contingency table of two arrays of whole numbers, rows with a value in both
    (listwise): row values, column values, counts (only values that occur). One
    ``bincount`` over combined offsets; None when either array is not whole numbers within
    ``SPAN``, or the grid of all value pairs would be larger than the data and 2²⁰ cells
    (a table of two wide ranges: hashing the pairs that occur is then cheaper)."""
    fx, fy = grid_index(np.asarray(x)), grid_index(np.asarray(y))
    if fx is None or fy is None:
        return None
    if (len(fx[0]) + 1) * (len(fy[0]) + 1) > max(1 << 20, len(fx[1])):
        return None
    (gx, ix), (gy, iy) = fx, fy
    width = len(gy) + 1
    counts = np.bincount(ix.astype(np.int64) * width + iy,
                         minlength=(len(gx) + 1) * width).reshape(len(gx) + 1, width)
    counts = counts[1:, 1:]  # index 0: missing in x or y
    rows, cols = counts.sum(axis=1) > 0, counts.sum(axis=0) > 0
    return gx[rows], gy[cols], counts[np.ix_(rows, cols)]
