"""Quasi-independence with structural zeros (cipsurvey.stats.structural): the mutants that
survived the full mutmut run of issue 22.

What is checked, and against what:
- the per-cell table of :func:`quasi_independence` (columns, every cell's observed and
  structural flag, R's fitted counts and standardized residuals from
  tests/reference/r_exact_models.R), and its shape when nothing was answered;
- :func:`structural_mask` on levels stored as text and on labels that are not numbers
  (the mask picks the declared cells and nothing else, and indexes the table);
- :func:`quasi_independence_table` on tables with an empty row or column, a row or column
  with a single answer, a count table of pandas' nullable integers and a 0/1 integer mask:
  Pearson X², G² and df against R's ``glm(poisson)`` on the cells that can occur (R code
  and numbers below); the refusal message of structural cells that hold answers (the
  count of such cells by hand); the expected-count note at exactly 5; and a table whose
  fitted counts of two sampling zeros go to 0 (the limit by hand).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cipsurvey.stats import structural
from cipsurvey.stats.structural import CELL_COLUMNS

REF = Path(__file__).resolve().parent / "reference"
TESTS = ["test", "statistic", "df", "p", "n", "method", "note"]
METHOD = "quasi-independence (structural zeros excluded), Poisson log-linear model"

# R 4.2.2, the cells that can occur fitted by a Poisson GLM (row + column effects):
#   qi <- function(m, s) {
#     d <- data.frame(y = as.vector(m), r = factor(row(m)), c = factor(col(m)))
#     live <- !as.vector(s) & rowSums(m)[row(m)] > 0 & colSums(m)[col(m)] > 0
#     f <- glm(y ~ r + c, poisson, droplevels(d[live, ]),
#              control = glm.control(epsilon = 1e-14, maxit = 100))
#     c(sum(residuals(f, "pearson")^2), deviance(f), df.residual(f)); fitted(f) }
#   s1 <- matrix(c(0, 6, 3, 4, 0, 5, 2, 7, 0), 3, byrow = TRUE); qi(s1, diag(3) == 1)
#   s4 <- matrix(c(0, 6, 3, 0, 4, 0, 5, 1, 2, 7, 0, 0, 1, 0, 0, 0), 4, byrow = TRUE)
#   z4 <- matrix(FALSE, 4, 4); diag(z4)[1:3] <- TRUE; qi(s4, z4)
S1 = np.array([[0, 6, 3], [4, 0, 5], [2, 7, 0]])
R_S1 = {"pearson": 0.07119576831466598, "g2": 0.071405331002384942, "df": 1}
# fitted(f) of s1, in R's order (column by column over the cells that can occur)
R_S1_EXPECTED = {(1, 0): 3.7873806794455405, (2, 0): 2.2126193205544635,
                 (0, 1): 6.2126193205544622, (2, 1): 6.7873806794455378,
                 (0, 2): 2.7873806794455382, (1, 2): 5.2126193205544649}
# s4: s1 with a fourth row and column holding one answer each (row 4 column 1, row 2
# column 4)
S4 = np.array([[0, 6, 3, 0], [4, 0, 5, 1], [2, 7, 0, 0], [1, 0, 0, 0]])
R_S4 = {"pearson": 5.230935967196725, "g2": 4.8530485157403351, "df": 6}


def eye_mask(r: int, c: int, k: int) -> np.ndarray:
    """The first k diagonal cells of an r × c table are structural zeros."""
    mask = np.zeros((r, c), dtype=bool)
    mask[range(k), range(k)] = True
    return mask


def assert_tests(tests: pd.DataFrame, ref: dict, n: int) -> None:
    """Both test rows against R's Pearson X², G² and df."""
    assert list(tests.columns) == TESTS
    assert list(tests["test"]) == ["Pearson chi-square", "Likelihood ratio"]
    assert list(tests["df"]) == [ref["df"], ref["df"]]
    assert tests["statistic"].iloc[0] == pytest.approx(ref["pearson"], rel=1e-9)
    assert tests["statistic"].iloc[1] == pytest.approx(ref["g2"], rel=1e-9)
    assert tests["p"].iloc[0] == pytest.approx(stats.chi2.sf(ref["pearson"], ref["df"]),
                                               rel=1e-9)
    assert list(tests["n"]) == [n, n]


# ------------------------------------------------------------------ the per-cell table


def r_values() -> dict[str, float]:
    return {k: float(v) for k, v in pd.read_csv(REF / "r_exact_models.csv",
                                                dtype={"value": str},
                                                keep_default_na=False).itertuples(index=False)
            if v != "NA"}


def partner_easiest() -> np.ndarray:
    t = pd.read_csv(REF / "r_exact_tables.csv")
    t = t[t["table"] == "partner_easiest"]
    m = np.zeros((t["row"].max(), t["col"].max()), dtype=np.int64)
    m[t["row"] - 1, t["col"] - 1] = t["count"]
    return m


def test_quasi_independence_cells_are_every_cell_with_r_fitted_counts():
    # the demo's "easiest partner" by work area (3 × 7), one's own organisation (1,1),
    # (2,2), (3,3) a structural zero; R: tests/reference/r_exact_models.R
    m = partner_easiest()
    r, c = np.nonzero(m >= 0)
    data = pd.DataFrame({"a": np.repeat(r + 1.0, m[r, c]), "b": np.repeat(c + 1.0, m[r, c])})
    R = r_values()
    tests, cells = structural.quasi_independence(data, "a", "b", [(1, 1), (2, 2), (3, 3)])
    assert tests["statistic"].iloc[0] == pytest.approx(R["qi_pearson"], rel=1e-9)
    assert list(cells.columns) == CELL_COLUMNS
    assert len(cells) == 21
    for k, (i, j) in enumerate((i, j) for i in range(3) for j in range(7)):
        cell = cells.iloc[k]
        assert (cell["row"], cell["column"]) == (i + 1.0, j + 1.0)
        assert cell["observed"] == m[i, j] and isinstance(cell["observed"], (int, np.integer))
        assert bool(cell["structural"]) is (i == j)
        if i == j:
            assert np.isnan(cell["expected"]) and np.isnan(cell["adj_residual"])
        else:
            key = f"{i + 1}_{j + 1}"
            assert cell["expected"] == pytest.approx(R[f"qi_expected_{key}"], rel=1e-8)
            assert cell["adj_residual"] == pytest.approx(R[f"qi_adjres_{key}"], rel=1e-7)


def test_quasi_independence_with_nothing_answered_keeps_its_columns():
    data = pd.DataFrame({"a": [np.nan, 1.0], "b": [2.0, np.nan]})
    tests, cells = structural.quasi_independence(data, "a", "b", [(1, 1)])
    assert list(cells.columns) == CELL_COLUMNS and len(cells) == 0
    assert list(tests.columns) == TESTS and len(tests) == 1
    row = tests.iloc[0]
    assert (row["test"], row["n"], row["method"]) == ("Pearson chi-square", 0, METHOD)
    assert row["note"] == ("no degrees of freedom left once the structural zeros are "
                           "excluded: no test")


# ------------------------------------------------------------------ structural_mask


def test_structural_mask_compares_levels_stored_as_text_as_numbers():
    # codes read as text ("1", "2", "3") and zeros declared as numbers: the same cells
    obs = pd.DataFrame(S1, index=["1", "2", "3"], columns=["1", "2", "3"])
    mask = structural.structural_mask(obs, [(1, 1), (2.0, 2), (3, 3), (9, 9)])
    assert mask.dtype == bool
    assert mask.tolist() == np.eye(3, dtype=bool).tolist()
    # the mask picks the structural cells of the table (it is a boolean index)
    assert obs.to_numpy()[mask].tolist() == [0, 0, 0]


def test_structural_mask_of_labels_that_are_not_numbers():
    labels = ["Social services", "Psychiatry", "Addiction care"]
    obs = pd.DataFrame(S1, index=labels, columns=labels)
    mask = structural.structural_mask(obs, [("Psychiatry", "Psychiatry"),
                                            ("Addiction care", "Social services")])
    want = np.zeros((3, 3), dtype=bool)
    want[1, 1] = want[2, 0] = True
    assert mask.tolist() == want.tolist()
    assert obs.to_numpy()[mask].tolist() == [0, 2]


# ------------------------------------------------------------------ quasi_independence_table


def test_three_by_three_with_its_diagonal_excluded_as_r():
    tests, expected, adj = structural.quasi_independence_table(S1, np.eye(3, dtype=bool))
    assert_tests(tests, R_S1, 27)
    for (i, j), want in R_S1_EXPECTED.items():
        assert expected[i, j] == pytest.approx(want, rel=1e-9)
    # rstandard(f, type = "pearson"), in the same order: ±0.26682535170906
    sign = {(1, 0): 1, (2, 0): -1, (0, 1): -1, (2, 1): 1, (0, 2): 1, (1, 2): -1}
    for (i, j), s in sign.items():
        assert adj[i, j] == pytest.approx(s * 0.26682535170906, rel=1e-9)
    assert np.isnan(np.diag(expected)).all()


def test_a_count_table_of_nullable_integers_as_r():
    # counts as pandas' nullable Int64 (what a count column read with missing-value
    # support gives): the same test as the plain integers
    obs = pd.DataFrame(S1).astype("Int64")
    tests, _, _ = structural.quasi_independence_table(obs, np.eye(3, dtype=bool))
    assert_tests(tests, R_S1, 27)


def test_a_zero_one_integer_mask_is_a_mask_as_r():
    # the structural cells given as 0/1 integers, not booleans
    tests, _, _ = structural.quasi_independence_table(S1, np.eye(3, dtype=int))
    assert_tests(tests, R_S1, 27)


def test_an_empty_row_and_column_take_no_part_as_r():
    # s1 with a fourth row and a fourth column that nobody chose: no cell of them can
    # occur, so the test is s1's (6 cells, 5 parameters, df 1)
    o = np.zeros((4, 4), dtype=int)
    o[:3, :3] = S1
    tests, expected, adj = structural.quasi_independence_table(o, eye_mask(4, 4, 3))
    assert_tests(tests, R_S1, 27)
    assert np.isnan(expected[3]).all() and np.isnan(expected[:, 3]).all()
    assert np.isnan(adj[3]).all() and np.isnan(adj[:, 3]).all()
    assert tests.attrs["structural_cells"] == 3


def test_a_row_and_a_column_with_one_answer_take_part_as_r():
    # row 4 and column 4 hold one answer each: all 13 cells that are not structural
    # take part (13 cells, 7 parameters, df 6)
    tests, expected, _ = structural.quasi_independence_table(S4, eye_mask(4, 4, 3))
    assert_tests(tests, R_S4, 29)
    assert np.isfinite(expected[3]).all() and np.isfinite(expected[:3, 3]).all()


def test_structural_cells_that_hold_answers_are_counted_in_the_refusal():
    # three structural cells holding 0, 3 and 5 answers: two of them hold answers
    o = np.array([[0, 6, 3], [4, 3, 5], [2, 7, 5]])
    with pytest.raises(ValueError) as err:
        structural.quasi_independence_table(o, np.eye(3, dtype=bool))
    assert str(err.value) == "2 cell(s) declared structural zeros hold answers"


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
def test_expected_counts_of_five_are_not_below_five():
    # [[5, 5], [5, 5]]: every expected count is 10 · 10 / 20 = 5 (the fit gives 5 to a
    # few units in the last place), not less than 5
    tests, expected, _ = structural.quasi_independence_table(np.full((2, 2), 5),
                                                             np.zeros((2, 2), bool))
    assert expected == pytest.approx(np.full((2, 2), 5.0), rel=1e-12)
    assert tests["note"].iloc[0] == ("0 structural zero cell(s) excluded; 0 of 4 cells "
                                     "(0.0%) have expected count less than 5")
    assert tests.attrs["cells_below_5"] == 0 and tests.attrs["pct_below_5"] == 0.0
    assert tests["statistic"].tolist() == pytest.approx([0.0, 0.0], abs=1e-12)


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
def test_sampling_zeros_the_margins_force_to_zero_are_fitted_to_zero():
    # [[-, 0, 5], [0, -, 3], [2, 6, -]] (diagonal structural): the row totals of rows 1 and
    # 2 (5 + 3) equal the total of column 3 alone, so the fitted counts of cells (1,2) and
    # (2,1) must sum to 0: the maximum likelihood fit is the boundary where those two are
    # 0 and the other four cells are fitted exactly; Pearson X² and G² are 0 there. The fit
    # must come within 1e-10 of that limit.
    o = np.array([[0, 0, 5], [0, 0, 3], [2, 6, 0]])
    tests, expected, _ = structural.quasi_independence_table(o, np.eye(3, dtype=bool))
    assert list(tests["df"]) == [1, 1]
    assert tests["statistic"].tolist() == pytest.approx([0.0, 0.0], abs=1e-10)
    assert expected[0, 1] == pytest.approx(0.0, abs=1e-10)
    assert expected[1, 0] == pytest.approx(0.0, abs=1e-10)
    assert [expected[0, 2], expected[1, 2], expected[2, 0], expected[2, 1]] == pytest.approx(
        [5.0, 3.0, 2.0, 6.0], rel=1e-10)


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.SingularMatrixWarning")
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_an_expected_count_of_five_landing_an_ulp_below_is_not_below_five():
    # the middle cell is alone in its row and column (the others of both are structural):
    # its expected count is its observed 5 exactly, which the fit gives as 4.9999999999999964;
    # the corners [[12, 7], [9, 4]] are an ordinary 2 × 2 table: 19·21/32 = 12.46875,
    # 19·11/32 = 6.53125, 13·21/32 = 8.53125, 13·11/32 = 4.46875, of which one is below 5
    # (the design is rank-deficient, the isolated cell's row and column being one block: df 1)
    o = np.array([[12, 0, 7], [0, 5, 0], [9, 0, 4]])
    s = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=bool)
    tests, expected, _ = structural.quasi_independence_table(o, s)
    live = expected[~s]
    assert live.tolist() == pytest.approx([12.46875, 6.53125, 5.0, 8.53125, 4.46875], rel=1e-12)
    assert tests["note"].iloc[0] == ("4 structural zero cell(s) excluded; 1 of 5 cells "
                                     "(20.0%) have expected count less than 5")
    assert tests.attrs["cells_below_5"] == 1 and tests.attrs["pct_below_5"] == 20.0


QUASI_TABLE = np.array([[0, 31, 21], [28, 22, 27], [28, 22, 18]], dtype=float)
QUASI_ZERO = np.array([[1, 0, 0], [0, 0, 0], [0, 0, 0]], dtype=bool)


def test_quasi_independence_of_a_million_times_the_counts_converges_to_a_million_times_x2():
    # X² and G² are linear in the counts (the fitted counts scale with them); with a purely
    # absolute tolerance on the deviance the fit of millions of answers never converged
    small, _, _ = structural.quasi_independence_table(QUASI_TABLE, QUASI_ZERO)
    big, _, _ = structural.quasi_independence_table(QUASI_TABLE * 1e6, QUASI_ZERO)
    assert big["statistic"].to_numpy() / 1e6 == pytest.approx(small["statistic"].to_numpy(),
                                                               rel=1e-9)
    assert big.loc[0, "note"] == small.loc[0, "note"] == (
        "1 structural zero cell(s) excluded; 0 of 8 cells (0.0%) have expected count less "
        "than 5")


def test_a_quasi_independence_fit_that_does_not_converge_says_so(monkeypatch):
    from cipsurvey.stats import _sm

    class OneStep(_sm.GLM):
        def fit(self, *args, **kwargs):
            return super().fit(*args, **(kwargs | {"maxiter": 1}))

    monkeypatch.setattr(_sm, "GLM", OneStep)
    tests, _, _ = structural.quasi_independence_table(QUASI_TABLE, QUASI_ZERO)
    assert tests.loc[0, "note"] == (
        "1 structural zero cell(s) excluded; 0 of 8 cells (0.0%) have expected count less "
        "than 5; the model did not converge in 200 iterations: the test is approximate")


def test_the_fit_is_given_the_200_iterations_its_note_names(monkeypatch):
    from cipsurvey.stats import _sm

    given = {}

    class Spy(_sm.GLM):
        def fit(self, *args, **kwargs):
            given.update(kwargs)
            return super().fit(*args, **kwargs)

    monkeypatch.setattr(_sm, "GLM", Spy)
    structural.quasi_independence_table(QUASI_TABLE, QUASI_ZERO)
    assert given["maxiter"] == 200
