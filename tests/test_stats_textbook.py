"""Statistics against textbook examples and hand calculations kept here (values a reader can
check with a pencil), beside the PSPP and R comparisons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cipsurvey import stats as st


def _table_rows(counts: dict[tuple[int, int], int], names=("x", "y")) -> pd.DataFrame:
    """One row per respondent of a contingency table given as cell counts."""
    rows = [(r, c) for (r, c), k in counts.items() for _ in range(k)]
    return pd.DataFrame(rows, columns=list(names), dtype=float)


# Agresti (2007), An Introduction to Categorical Data Analysis, 2nd ed., Tables 2.5 and 2.6:
# party identification by gender (General Social Survey), rows 1 = female, 2 = male,
# columns 1 = Democrat, 2 = Independent, 3 = Republican; the book prints the adjusted
# ("standardized") residuals to two decimals.
PARTY = {(1, 1): 762, (1, 2): 327, (1, 3): 468, (2, 1): 484, (2, 2): 239, (2, 3): 477}
PARTY_ADJUSTED = {(1, 1): 4.50, (1, 2): 0.70, (1, 3): -5.32,
                  (2, 1): -4.50, (2, 2): -0.70, (2, 3): 5.32}


def test_adjusted_residuals_of_a_textbook_table():
    cells = st.crosstab_cells(_table_rows(PARTY), "x", "y").set_index(["row", "column"])
    for (r, c), printed in PARTY_ADJUSTED.items():
        assert cells.loc[(r, c), "adj_residual"] == pytest.approx(printed, abs=0.005), (r, c)
    # the first cell by hand: E = 1557·1246/2757 = 703.67, (O - E)/√E = 2.20
    assert cells.loc[(1, 1), "expected"] == pytest.approx(1557 * 1246 / 2757, rel=1e-12)
    assert cells.loc[(1, 1), "std_residual"] == pytest.approx(
        (762 - 1557 * 1246 / 2757) / np.sqrt(1557 * 1246 / 2757), rel=1e-12)


def test_row_column_and_total_percent_by_hand():
    """A 2×3 table where every percentage differs: row % divides by the row's total, column %
    by the column's."""
    counts = {(1, 1): 10, (1, 2): 30, (1, 3): 60, (2, 1): 30, (2, 2): 10, (2, 3): 0}
    cells = st.crosstab_cells(_table_rows(counts), "x", "y").set_index(["row", "column"])
    # row totals 100 and 40, column totals 40, 40 and 60, N = 140
    expected = {(1, 1): (10.0, 25.0), (1, 2): (30.0, 75.0), (1, 3): (60.0, 100.0),
                (2, 1): (75.0, 75.0), (2, 2): (25.0, 25.0), (2, 3): (0.0, 0.0)}
    for cell, (row_pct, col_pct) in expected.items():
        assert cells.loc[cell, "row_percent"] == pytest.approx(row_pct, rel=1e-12), cell
        assert cells.loc[cell, "col_percent"] == pytest.approx(col_pct, rel=1e-12), cell
        assert cells.loc[cell, "total_percent"] == pytest.approx(
            100 * counts[cell] / 140, rel=1e-12), cell
    assert cells["observed"].sum() == 140


def test_mcnemar_of_a_textbook_table():
    """Agresti (2007), Table 8.1: approval of the president's performance in two surveys a
    month apart (794 yes-yes, 150 yes-no, 86 no-yes, 570 no-no). z² = (86 - 150)² / 236 =
    17.36 (the book's z = -4.17); corrected (|86 - 150| - 1)² / 236 = 16.82."""
    data = _table_rows({(1, 1): 794, (1, 2): 150, (2, 1): 86, (2, 2): 570}, ("first", "second"))
    res = st.mcnemar(data, "first", "second").set_index("test")
    assert (res.iloc[0]["b"], res.iloc[0]["c"], res.iloc[0]["n"]) == (150, 86, 1600)
    assert res.loc["McNemar asymptotic", "statistic"] == pytest.approx(64**2 / 236, rel=1e-12)
    assert np.sqrt(res.loc["McNemar asymptotic", "statistic"]) == pytest.approx(4.17, abs=0.005)
    assert res.loc["McNemar asymptotic (corrected)", "statistic"] == pytest.approx(
        63**2 / 236, rel=1e-12)


def test_kruskal_wallis_and_epsilon_squared_by_hand():
    """Two groups without ties, 1 2 3 and 4 5 6: rank sums 6 and 15, so
    H = 12 / (6·7) · (6²/3 + 15²/3) - 3·7 = 27/7, and ε² = H / (n - 1) = 27/35."""
    data = pd.DataFrame({"g": [1.0] * 3 + [2.0] * 3, "y": [1.0, 2, 3, 4, 5, 6]})
    res = st.kruskal(data, "y", "g").iloc[0]
    assert res["statistic"] == pytest.approx(27 / 7, rel=1e-12)
    assert res["epsilon_squared"] == pytest.approx(27 / 35, rel=1e-12)
    assert (res["df"], res["n"]) == (1, 6)


def test_scale_scores_by_hand():
    """Mean and prorated sum of the answered items, a reversed item flipped (1 + 5 - x), and
    missing below the minimum number of items."""
    items = pd.DataFrame({"a": [1.0, 5, np.nan, np.nan], "b": [2.0, 4, 3, np.nan],
                          "c": [5.0, 1, np.nan, np.nan]})
    mean = st.scale_scores(items, ["a", "b", "c"], min_items=2, reverse={"c": (1, 5)})
    # row 1: 1, 2, (6 - 5) = 1 → 4/3; row 2: 5, 4, (6 - 1) = 5 → 14/3; row 3: one item < 2
    assert mean.tolist() == pytest.approx([4 / 3, 14 / 3, np.nan, np.nan], nan_ok=True)
    total = st.scale_scores(items, ["a", "b", "c"], min_items=1, method="sum")
    # no item reversed; row 3 prorated: 3 answered of one item → 3 · 3 = 9
    assert total.tolist() == pytest.approx([8.0, 10.0, 9.0, np.nan], nan_ok=True)
    every = st.scale_scores(items, ["a", "b", "c"])  # by default every item is needed
    assert every.isna().tolist() == [False, False, True, True]
    assert every.index.equals(items.index) and every.name == "score"


def test_paired_t_with_two_pairs_by_hand():
    """The smallest paired t: differences 1 and 3, mean 2, SD √2, t = 2 on 1 df, and on 1 df
    the two-sided p is 1 - 2·atan(t)/π (the t distribution with 1 df is Cauchy)."""
    data = pd.DataFrame({"x": [2.0, 5.0], "y": [1.0, 2.0]})
    res = st.paired_t(data, "x", "y").iloc[0]
    assert (res["n"], res["df"], res["note"]) == (2, 1, "")
    assert res["statistic"] == pytest.approx(2.0, rel=1e-12)
    assert res["p"] == pytest.approx(1 - 2 * np.arctan(2.0) / np.pi, rel=1e-12)
    assert st.paired_t(data.iloc[:1], "x", "y").iloc[0]["note"] == "fewer than two pairs"
