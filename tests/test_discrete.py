"""Ranks, quantiles, codes and tables from counts of distinct values, against numpy, scipy
and pandas computing them from every value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_
from scipy import stats

from cipsurvey.stats import _discrete

# whole numbers (the fast path), with missing values, ±inf, fractions and wide ranges (the
# general path) mixed in
WHOLE = st_.integers(-5, 12).map(float)
VALUE = st_.one_of(WHOLE, WHOLE, WHOLE, st_.just(np.nan),
                   st_.sampled_from([0.5, -2.25, 1e9, -1e9, np.inf, -np.inf, -0.0]))
ARRAYS = st_.lists(VALUE, min_size=0, max_size=60).map(lambda v: np.array(v, dtype=float))


@settings(max_examples=300, deadline=None)
@given(ARRAYS)
def test_codes_are_pandas_factorize_sorted(x):
    uniques, codes = _discrete.codes(x)
    ref_codes, ref_uniques = pd.factorize(x, sort=True)
    assert uniques.tolist() == ref_uniques.tolist()
    assert codes.tolist() == ref_codes.tolist()


@settings(max_examples=300, deadline=None)
@given(ARRAYS)
def test_ranks_and_ties_are_scipys(x):
    x = x[~np.isnan(x)]
    if not len(x):
        return
    uniques, counts, code = _discrete.distinct(x)
    assert counts.sum() == len(x)
    assert np.array_equal(uniques[code], x)
    rank, ties = _discrete.ranks(x)
    assert np.array_equal(rank, stats.rankdata(x))
    _, t = np.unique(x, return_counts=True)
    assert ties == float((t.astype(float) ** 3 - t).sum())


@settings(max_examples=300, deadline=None)
@given(ARRAYS, st_.lists(st_.floats(0, 1), min_size=1, max_size=5),
       st_.sampled_from(["linear", "weibull"]))
def test_quantiles_are_numpys_to_the_bit(x, probs, method):
    x = x[np.isfinite(x)]
    if not len(x):
        return
    uniques, counts, _ = _discrete.distinct(x)
    ours = _discrete.quantiles(uniques, counts, probs, method)
    ref = np.quantile(x, probs, method=method)
    assert ours.tolist() == ref.tolist()


@settings(max_examples=300, deadline=None)
@given(ARRAYS, ARRAYS)
def test_joint_counts_are_a_crosstab(x, y):
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    found = _discrete.joint_counts(x, y)
    fast = _discrete.grid_index(x) is not None and _discrete.grid_index(y) is not None
    assert (found is not None) == fast
    if found is None:
        return
    rows, cols, counts = found
    keep = ~np.isnan(x) & ~np.isnan(y)
    ref = pd.crosstab(x[keep], y[keep])
    assert rows.tolist() == ref.index.tolist()
    assert cols.tolist() == ref.columns.tolist()
    assert counts.tolist() == ref.to_numpy().tolist()


def test_the_fast_path_is_taken_for_whole_numbers_only():
    assert _discrete.grid_index(np.array([1.0, np.nan, 5.0])) is not None
    assert _discrete.grid_index(np.array([1.0, 2.5])) is None
    assert _discrete.grid_index(np.array([1.0, np.inf])) is None
    assert _discrete.grid_index(np.array([0.0, float(_discrete.SPAN)])) is None
    assert _discrete.grid_index(np.array([np.nan, np.nan])) is None
    assert _discrete.grid_index(np.array([1, 2])) is None  # integers: not NaN-coded floats


def test_a_table_of_two_wide_ranges_is_not_a_dense_grid():
    x = np.arange(3000, dtype=float)
    assert _discrete.joint_counts(x, x) is None  # 9 million cells for 3,000 rows
    assert _discrete.joint_counts(x, x % 7) is not None


@pytest.mark.parametrize("method", ["median", "nope"])
def test_unknown_quantile_method(method):
    with pytest.raises(ValueError, match="quantile method"):
        _discrete.quantiles(np.array([1.0]), np.array([1]), [0.5], method)


@settings(max_examples=300, deadline=None)
@given(ARRAYS)
def test_value_counts_are_pandas(x):
    uniques, counts = _discrete.value_counts(x)
    ref = pd.Series(x).value_counts(dropna=True).sort_index()
    assert uniques.tolist() == ref.index.tolist()
    assert counts.tolist() == ref.tolist()
    whole = _discrete.present(x)
    if whole is not None:
        assert whole.tolist() == uniques.tolist()
