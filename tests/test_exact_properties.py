"""The exact r x c test against a brute-force enumeration (scipy's random_table pmf) and
SciPy's 2 x 2 Fisher test, over random small tables."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as hs
from scipy import stats

from cipsurvey.stats.exact import exact_p


def brute_force(o: np.ndarray) -> float:
    """Σ P(T) over every table T with the margins of ``o`` and P(T) ≤ P(o) (1 + 1e-7)."""
    rows, cols = o.sum(axis=1), o.sum(axis=0)
    dist = stats.random_table(rows, cols)
    p_obs = dist.pmf(o)
    r, c = o.shape
    total = 0.0
    ranges = [range(min(rows[i], cols[j]) + 1) for i in range(r - 1) for j in range(c - 1)]
    for free in itertools.product(*ranges):
        t = np.zeros((r, c), dtype=np.int64)
        t[: r - 1, : c - 1] = np.array(free).reshape(r - 1, c - 1)
        t[: r - 1, c - 1] = rows[: r - 1] - t[: r - 1, : c - 1].sum(axis=1)
        t[r - 1, :] = cols - t[: r - 1, :].sum(axis=0)
        if (t < 0).any():
            continue
        p = dist.pmf(t)
        if p <= p_obs * (1 + 1e-7):
            total += p
    return total


tables = hs.tuples(hs.integers(2, 3), hs.integers(2, 3)).flatmap(
    lambda s: hs.lists(hs.integers(0, 4), min_size=s[0] * s[1], max_size=s[0] * s[1]).map(
        lambda v, s=s: np.array(v, dtype=np.int64).reshape(s)))


@settings(max_examples=60, deadline=None)
@given(tables)
def test_exact_p_equals_brute_force(o):
    if (o.sum(axis=1) == 0).any() or (o.sum(axis=0) == 0).any():
        return  # an empty row or column is dropped by the test; nothing to enumerate
    assert np.isclose(exact_p(o), brute_force(o), rtol=1e-9, atol=1e-14)


@settings(max_examples=60, deadline=None)
@given(hs.lists(hs.integers(0, 30), min_size=4, max_size=4))
def test_two_by_two_equals_scipy_fisher(v):
    o = np.array(v, dtype=np.int64).reshape(2, 2)
    if (o.sum(axis=1) == 0).any() or (o.sum(axis=0) == 0).any():
        return
    assert np.isclose(exact_p(o), stats.fisher_exact(o).pvalue, rtol=1e-9, atol=1e-14)
