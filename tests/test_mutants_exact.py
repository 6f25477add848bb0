"""Fisher-Freeman-Halton (exact and Monte Carlo) and quasi-independence: exact rows at the
boundaries, against hand calculations and R (issue 22: the mutants that survived
tests/test_selection_r.py and tests/test_exact_properties.py)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from cipsurvey.stats import exact, structural

EXACT = ["test", "statistic", "df", "p", "n", "method", "p_conf_low", "p_conf_high",
         "n_resamples", "seed", "note"]
TESTS = ["test", "statistic", "df", "p", "n", "method", "note"]
# R 4.2.2: fisher.test(matrix(c(5, 0, 0, 5, 1, 0), 2))$p.value
R_FISHER_2X3 = 0.0043290043290043221
TABLE_2X3 = np.array([[5, 0, 1], [0, 5, 0]])


def test_a_row_total_of_one_is_still_a_category():
    # rows 1 and 4, columns 1 and 4: the tables are a = 1 (P = 1/5, observed) and
    # a = 0 (P = 4/5), so p = 1/5
    row = exact.fisher_freeman_halton(np.array([[1, 0], [0, 4]])).iloc[0]
    assert row["p"] == pytest.approx(0.2)
    assert row["method"] == "Fisher-Freeman-Halton exact test (network algorithm)"
    assert row["note"] == ""


def test_one_answered_column_is_a_single_category():
    res = exact.fisher_freeman_halton(np.array([[3, 0], [2, 0]]))
    assert list(res.columns) == EXACT
    row = res.iloc[0]
    assert (row["test"], row["n"]) == ("Fisher-Freeman-Halton exact test", 5)
    assert (row["method"], row["note"]) == ("Fisher-Freeman-Halton", "a single category: no test")
    assert np.isnan(row["p"])


def test_monte_carlo_row_says_its_resamples_and_seed():
    res = exact.fisher_freeman_halton(TABLE_2X3, max_work=1, n_resamples=20_000, seed=7)
    assert list(res.columns) == EXACT
    row = res.iloc[0]
    assert row["method"] == "Fisher-Freeman-Halton test, Monte Carlo"
    assert row["note"] == "too large for the exact test: 20000 random tables, seed 7"
    assert (row["n_resamples"], row["seed"], row["n"]) == (20_000, 7, 11)
    assert row["p_conf_low"] <= R_FISHER_2X3 <= row["p_conf_high"]


def test_monte_carlo_keeps_a_column_answered_once():
    # the column of total 1 is part of the table: without it the p would be 2/252 = .0079
    p, lo, hi, _ = exact.monte_carlo_p(TABLE_2X3, 20_000, seed=11)
    assert lo <= R_FISHER_2X3 <= hi
    assert p == pytest.approx(R_FISHER_2X3, abs=0.001)


def test_monte_carlo_counts_tables_as_probable_as_the_observed_one():
    # [[1, 1], [1, 1]] is the most probable table of its margins (P = 4/6; the others 1/6):
    # every random table is at most as probable, so every one is a hit and p = 1
    p, _, hi, hits = exact.monte_carlo_p(np.array([[1, 1], [1, 1]]), 500, seed=3)
    assert hits == 500 and p == 1.0
    assert hi == 1.0


def test_monte_carlo_takes_counts_held_as_floats():
    p, _, _, hits = exact.monte_carlo_p(np.array([[1.0, 1.0], [1.0, 1.0]]), 200, seed=3)
    assert hits == 200 and p == 1.0


def test_merge_of_paths_by_row_sort_when_one_key_would_overflow():
    # nodes up to 5e6 and pasts 1e4 apart: at·span would overflow one int64 key, so the
    # paths are grouped by a row sort; the two paths at node 0 with past 0 are one
    at = np.array([0, 2_000_000, 0, 3], dtype=np.int64)
    past = np.array([0.0, 1e4, 0.0, 2.5])
    weight = np.array([1.0, 2.0, 3.0, 4.0])
    assert int(at.max()) >= (1 << 62) // (int(1e13) + 1)
    new_at, new_past, new_weight = exact._merge(at, past, weight)
    got = sorted(zip(new_at.tolist(), new_past.tolist(), new_weight.tolist(), strict=True))
    assert got == [(0, 0.0, 4.0), (3, 2.5, 4.0), (2_000_000, 1e4, 2.0)]


# ---- quasi-independence ----


def _g2(o: np.ndarray, e: np.ndarray) -> float:
    keep = o > 0
    return float(2 * (o[keep] * np.log(o[keep] / e[keep])).sum())


def test_quasi_independence_without_structural_zeros_is_the_ordinary_chi_square():
    # [[2, 8], [6, 4]]: expected 4 6 / 4 6; X² = 20 (8 - 48)² / (10·10·8·12) = 10/3, df 1
    o = np.array([[2, 8], [6, 4]])
    e = np.array([[4.0, 6], [4, 6]])
    tests, expected, _ = structural.quasi_independence_table(o, np.zeros((2, 2), bool))
    assert list(tests.columns) == TESTS
    method = "quasi-independence (structural zeros excluded), Poisson log-linear model"
    g2 = _g2(o, e)
    assert tests.to_dict("records") == [
        {"test": "Pearson chi-square", "statistic": pytest.approx(10 / 3), "df": 1,
         "p": pytest.approx(stats.chi2.sf(10 / 3, 1)), "n": 20, "method": method,
         "note": "0 structural zero cell(s) excluded; 2 of 4 cells (50.0%) have expected "
                 "count less than 5"},
        {"test": "Likelihood ratio", "statistic": pytest.approx(g2), "df": 1,
         "p": pytest.approx(stats.chi2.sf(g2, 1)), "n": 20,
         "method": "quasi-independence (structural zeros excluded), G2 of the Poisson "
                   "log-linear model", "note": ""}]
    assert expected == pytest.approx(e)
    assert tests.attrs == {"structural_cells": 0, "cells_below_5": 2, "pct_below_5": 50.0,
                           "min_expected": pytest.approx(4.0)}


def test_quasi_independence_of_a_table_with_an_empty_cell_warns_nothing():
    # an empty cell that could occur: 0·log 0 counts as 0 in G², without a numpy warning
    # (a warning would reach the report run's output); expected r·c/n
    o = np.array([[0, 6], [4, 5]])
    e = np.outer(o.sum(axis=1), o.sum(axis=0)) / o.sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tests, _, _ = structural.quasi_independence_table(o, np.zeros((2, 2), bool))
    assert tests["statistic"].iloc[1] == pytest.approx(_g2(o, e))
    assert tests["statistic"].iloc[0] == pytest.approx(float(((o - e) ** 2 / e).sum()))


def test_no_degrees_of_freedom_left_is_one_row_without_a_test():
    # a 2 × 2 table with one structural zero: 3 cells, 3 parameters, df 0
    o = np.array([[0, 6], [4, 5]])
    mask = np.array([[True, False], [False, False]])
    tests, expected, adj = structural.quasi_independence_table(o, mask)
    assert list(tests.columns) == TESTS
    assert len(tests) == 1
    row = tests.iloc[0]
    assert (row["test"], row["n"]) == ("Pearson chi-square", 15)
    assert row["method"] == ("quasi-independence (structural zeros excluded), Poisson "
                             "log-linear model")
    assert row["note"] == ("no degrees of freedom left once the structural zeros are "
                           "excluded: no test")
    assert math.isnan(row["statistic"]) and math.isnan(row["p"])
    assert np.isnan(expected).all() and np.isnan(adj).all()


def test_monte_carlo_keeps_a_row_answered_once():
    # the same table transposed: the row of total 1 is part of it (R's p as above)
    p, lo, hi, _ = exact.monte_carlo_p(TABLE_2X3.T, 20_000, seed=11)
    assert lo <= R_FISHER_2X3 <= hi
    assert p == pytest.approx(R_FISHER_2X3, abs=0.001)


def test_monte_carlo_leaves_out_rows_and_columns_nobody_answered():
    # an empty row and an empty column are no categories: the same random tables, the same p
    padded = np.zeros((3, 4), dtype=np.int64)
    padded[:2, :3] = TABLE_2X3
    assert exact.monte_carlo_p(padded, 2_000, seed=5) == exact.monte_carlo_p(TABLE_2X3,
                                                                             2_000, seed=5)
    wide = np.column_stack([TABLE_2X3, [0, 0]])
    assert exact.monte_carlo_p(wide, 2_000, seed=5) == exact.monte_carlo_p(TABLE_2X3, 2_000,
                                                                           seed=5)


def test_monte_carlo_of_a_cell_holding_almost_every_answer():
    # [[5, 0], [0, 1]]: the other table of its margins is [[4, 1], [1, 0]] (P = 5/6), so
    # p = 1/6; R: fisher.test(matrix(c(5, 0, 0, 1), 2))$p.value = 0.1666667
    p, lo, hi, _ = exact.monte_carlo_p(np.array([[5, 0], [0, 1]]), 2_000, seed=2)
    assert lo <= 1 / 6 <= hi
    assert p == pytest.approx(1 / 6, abs=0.03)


def test_exact_p_takes_counts_held_as_floats_and_one_category():
    assert exact.exact_p(np.array([[1.0, 0.0], [0.0, 4.0]])) == pytest.approx(0.2)
    assert exact.exact_p(np.array([[3, 0], [2, 0]])) == 1.0


def test_monte_carlo_ci_at_another_level_and_a_second_batch():
    # p = (1 + hits) / (N + 1); the CI is Clopper-Pearson's at 99 %, by the beta quantiles
    res = exact.fisher_freeman_halton(TABLE_2X3, max_work=1, n_resamples=2_000, seed=7,
                                      conf=0.99).iloc[0]
    hits = round(res["p"] * 2_001) - 1
    low = stats.beta.ppf(0.005, hits, 2_000 - hits + 1) if hits else 0.0
    high = stats.beta.ppf(0.995, hits + 1, 2_000 - hits)
    assert (res["p_conf_low"], res["p_conf_high"]) == pytest.approx((low, high))
    # more than one batch of 20,000: exactly n_resamples tables, every one a hit here
    p, _, _, hits = exact.monte_carlo_p(np.array([[1, 1], [1, 1]]), 20_001, seed=3)
    assert hits == 20_001 and p == 1.0


def test_merge_by_row_sort_keeps_paths_at_one_node_with_different_pasts():
    at = np.array([0, 0, 5_000_000], dtype=np.int64)
    past = np.array([0.0, 1.0, 1e4])
    new_at, new_past, new_weight = exact._merge(at, past, np.array([1.0, 2.0, 3.0]))
    got = sorted(zip(new_at.tolist(), new_past.tolist(), new_weight.tolist(), strict=True))
    assert got == [(0, 0.0, 1.0), (0, 1.0, 2.0), (5_000_000, 1e4, 3.0)]


def test_a_row_nobody_answered_is_no_category():
    row = exact.fisher_freeman_halton(np.array([[3, 2], [0, 0]])).iloc[0]
    assert (row["method"], row["note"]) == ("Fisher-Freeman-Halton", "a single category: no test")
    assert np.isnan(row["p"])


# ---- the work limit, at exactly the work of a table (counted by hand) ----
# The work is the number of arcs the network makes (one per way to fill a column from a node:
# _network) plus the arcs the p-value walk follows (exact_p). For 2-row tables the partial
# vectors _compositions counts are the arcs themselves. exact_p(table, W) is a p value for
# W = the work and None for W - 1.


@pytest.mark.parametrize(("table", "work", "p"), [
    # rows (2, 2), columns (2, 2): 3 arcs (x11 = 0, 1, 2); the observed table is the most
    # probable one, so every table counts at the root: no walk, p = 1
    ([[1, 1], [1, 1]], 3, 1.0),
    # rows (3, 3), columns (2, 2, 2): column 1 in 3 ways, giving the nodes (3, 1) and (2, 2);
    # column 2 from (3, 1) in 2 ways (x = (1, 1), (2, 0)) and from (2, 2) in 3: 3 + 5 = 8, and
    # again the most probable table: no walk
    ([[1, 1, 1], [1, 1, 1]], 8, 1.0),
    # rows (2, 2), columns (2, 2): 3 arcs in the network and the walk follows the root's 3;
    # p = P(x11 = 0) + P(x11 = 2) = 1/6 + 1/6 (hypergeometric: C(2, x) C(2, 2 - x) / C(4, 2))
    ([[2, 0], [0, 2]], 6, 1 / 3),
    # rows (2, 2), columns (2, 1, 1): column 1 in 3 ways (nodes (2, 0) and (1, 1)), column 2
    # from (2, 0) in 1 way and from (1, 1) in 2: 6 arcs; the walk follows the root's 3 and
    # stops (a first column (1, 1) leaves only tables more probable than the observed one):
    # 9. P(table) = 2! 2! 2! 1! 1! / (4! Π x!) = (1/3) / Π x!: the first column (2, 0) or
    # (0, 2) has Π x! = 2 (1/6 each), the two tables with first column (1, 1) have 1/3 each
    ([[2, 0, 0], [0, 1, 1]], 9, 1 / 3),
])
def test_exact_p_at_exactly_its_work_limit(table, work, p):
    t = np.array(table)
    assert exact.exact_p(t, max_work=work) == pytest.approx(p, rel=1e-12)
    assert exact.exact_p(t, max_work=work - 1) is None


# ---- keys ----


def test_encode_gives_the_exact_mixed_radix_integer():
    # two states of a 7-row table of n = 500 that differ by one answer moved between the
    # last two rows: their keys, 300·501⁶ + ... (about 4.7e18, below the int64 limit 9.2e18),
    # are 500 apart, closer than the spacing of float64 there (1024)
    states = np.array([[300, 100, 50, 30, 10, 10, 0], [300, 100, 50, 30, 10, 9, 1],
                       [2, 1, 0, 0, 0, 0, 0]], dtype=np.int64)
    want = [sum(int(s) * 501 ** (6 - i) for i, s in enumerate(row)) for row in states]
    assert want[0] - want[1] == 500 and want[2] == 2 * 501**6 + 501**5
    got = exact._encode(states, 501)
    assert got.dtype == np.int64
    assert got.tolist() == want


def test_merge_keeps_pasts_one_grid_step_apart_at_a_far_node():
    # pasts 1e4 and 1e4 + 1e-9 at node 1000: rounded to 1e-9 they are 1e13 and 1e13 + 1, the
    # span 1e13 + 2, and the one key 1000·span + rounded about 1.001e16, beyond 2**53 where
    # float64 holds only even integers: as integers the two keys differ, so the paths do too
    at = np.array([0, 1000, 1000], dtype=np.int64)
    past = np.array([0.0, 1e4, 1e4 + 1e-9])
    assert 1000 * (10**13 + 2) + 10**13 > 2**53
    new_at, new_past, new_weight = exact._merge(at, past, np.array([1.0, 2.0, 3.0]))
    got = sorted(zip(new_at.tolist(), new_past.tolist(), new_weight.tolist(), strict=True))
    assert got == [(0, 0.0, 1.0), (1000, 1e4, 2.0), (1000, 1e4 + 1e-9, 3.0)]


def test_merge_groups_pasts_on_the_grid_of_1e9ths():
    # 0.5 - 4e-10 and 0.5 + 4e-10 are both nearest to 500000000e-9: one path (weights added);
    # a grid of 1/(1e9 + 1) would put them in different cells
    at = np.array([0, 0], dtype=np.int64)
    past = np.array([0.5 - 4e-10, 0.5 + 4e-10])
    new_at, new_past, new_weight = exact._merge(at, past, np.array([1.0, 2.0]))
    assert new_at.tolist() == [0] and new_weight.tolist() == [3.0]
    assert new_past[0] == pytest.approx(0.5, abs=1e-9)


def test_merge_keeps_paths_at_neighbouring_nodes_apart():
    # node 0 with pasts 0 and 3e-9, node 1 with past 1e-9: rounded 0, 3 and 1, three paths
    # (a key span of 3 - 1 = 2 would give node 0's 3 and node 1's 1·2 + 1 the same key)
    at = np.array([0, 0, 1], dtype=np.int64)
    past = np.array([0.0, 3e-9, 1e-9])
    new_at, new_past, new_weight = exact._merge(at, past, np.array([1.0, 2.0, 4.0]))
    got = sorted(zip(new_at.tolist(), new_past.tolist(), new_weight.tolist(), strict=True))
    assert got == [(0, 0.0, 1.0), (0, 3e-9, 2.0), (1, 1e-9, 4.0)]
