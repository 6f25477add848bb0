"""Test selection, count models and multiplicity against R (issue 21).

Reference values: tests/reference/r_exact_models.R (R 4.2.2, MASS), run on
r_exact_tables.csv and r_models_data.csv (a column subset of the synthetic demo wave);
its output is r_exact_models.csv.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from cipsurvey import stats as st
from cipsurvey.stats import countmodels, exact, multiplicity, selection, structural

REF = Path(__file__).resolve().parent / "reference"
TABLES = pd.read_csv(REF / "r_exact_tables.csv")
MODELS = pd.read_csv(REF / "r_models_data.csv")
R = {n: float(v) for n, v in pd.read_csv(REF / "r_exact_models.csv", dtype={"value": str},
                                          keep_default_na=False).itertuples(index=False)
     if v != "NA"}
THREE = MODELS  # the file holds the three work areas only
PREDICTORS = ["work_area", "gender", "age", "years_at_workplace"]


def matrix(name: str) -> np.ndarray:
    t = TABLES[TABLES["table"] == name]
    m = np.zeros((t["row"].max(), t["col"].max()), dtype=np.int64)
    m[t["row"] - 1, t["col"] - 1] = t["count"]
    return m


def long(m: np.ndarray) -> pd.DataFrame:
    """One row per respondent of a table (row code, column code)."""
    r, c = np.nonzero(m >= 0)
    return pd.DataFrame({"a": np.repeat(r + 1.0, m[r, c]), "b": np.repeat(c + 1.0, m[r, c])})


EXACT = ["edu_gender", "sparse_3x4", "sparse_2x6", "uniform_4x5", "sparse_5x5", "two_by_two"]


@pytest.mark.parametrize("name", EXACT)
def test_fisher_freeman_halton_matches_r_fisher_test(name):
    ours = exact.fisher_freeman_halton(matrix(name)).iloc[0]
    assert ours["method"].endswith("(network algorithm)")
    assert ours["p"] == pytest.approx(R[f"fisher_{name}"], rel=1e-9)
    # the transposed table is the same test
    assert exact.exact_p(matrix(name).T) == pytest.approx(R[f"fisher_{name}"], rel=1e-9)


def test_monte_carlo_p_and_its_interval_against_r():
    m = matrix("monte_carlo_4x5")
    res = exact.fisher_freeman_halton(m, max_work=0).iloc[0]  # forced to simulate
    assert res["method"].endswith("Monte Carlo") and res["n_resamples"] == exact.N_RESAMPLES
    # the CI of the simulated p covers R's exact p (FEXACT with a large workspace)
    assert res["p_conf_low"] <= R["fisher_monte_carlo_4x5"] <= res["p_conf_high"]
    # and agrees with R's own simulation within four standard errors of the difference
    p = R["fisher_monte_carlo_4x5"]
    assert abs(res["p"] - R["fisher_sim_monte_carlo_4x5"]) < 4 * np.sqrt(2 * p * (1 - p) / 1e5)
    # a fixed seed: the same p every run
    again = exact.fisher_freeman_halton(m, max_work=0).iloc[0]
    assert again["p"] == res["p"]
    # the CI is Clopper-Pearson on the hits (hand check with the beta quantiles)
    from scipy import stats as sps

    hits = round(res["p"] * (exact.N_RESAMPLES + 1)) - 1
    assert res["p_conf_low"] == pytest.approx(
        sps.beta.ppf(0.025, hits, exact.N_RESAMPLES - hits + 1), rel=1e-9)


def test_exact_gives_way_to_simulation_on_a_large_table():
    res = exact.fisher_freeman_halton(matrix("partner_easiest")).iloc[0]
    assert res["method"].endswith("Monte Carlo")
    assert res["p"] == pytest.approx(1 / (exact.N_RESAMPLES + 1))


def test_quasi_independence_matches_r_glm_on_the_live_cells():
    m = matrix("partner_easiest")
    mask = np.eye(3, 7, dtype=bool)
    tests, expected, adj = structural.quasi_independence_table(m, mask)
    t = tests.set_index("test")
    assert t.loc["Pearson chi-square", "statistic"] == pytest.approx(R["qi_pearson"], rel=1e-9)
    assert t.loc["Likelihood ratio", "statistic"] == pytest.approx(R["qi_g2"], rel=1e-9)
    assert t.loc["Pearson chi-square", "df"] == R["qi_df"] == 9
    for i in range(3):
        for j in range(7):
            if i == j:
                assert np.isnan(expected[i, j]) and np.isnan(adj[i, j])
                continue
            key = f"{i + 1}_{j + 1}"
            assert expected[i, j] == pytest.approx(R[f"qi_expected_{key}"], rel=1e-8)
            assert adj[i, j] == pytest.approx(R[f"qi_adjres_{key}"], rel=1e-7)


def test_a_structural_zero_holding_answers_is_refused():
    m = matrix("partner_easiest")
    m[0, 0] = 1
    with pytest.raises(ValueError, match="structural"):
        structural.quasi_independence_table(m, np.eye(3, 7, dtype=bool))


def test_crosstab_with_structural_zeros_is_tested_for_quasi_independence():
    data = long(matrix("partner_easiest"))
    zeros = [(1, 1), (2, 2), (3, 3)]
    res = selection.crosstab_tests(data, "a", "b", structural_zeros=zeros)
    primary = res[res["primary"]].iloc[0]
    assert primary["statistic"] == pytest.approx(R["qi_pearson"], rel=1e-9)
    assert "structural" in primary["note"] and res.attrs["structural"]
    assert "Linear-by-linear association" not in set(res["test"])


def test_linear_by_linear_only_for_ordered_tables():
    data = long(matrix("uniform_4x5"))
    nominal = selection.crosstab_tests(data, "a", "b")
    ordered = selection.crosstab_tests(data, "a", "b", ordered=True)
    assert selection.LINEAR_BY_LINEAR not in set(nominal["test"])
    lbl = ordered.set_index("test").loc[selection.LINEAR_BY_LINEAR]
    # (N - 1) r² with the codes as scores, by hand
    r = np.corrcoef(data["a"], data["b"])[0, 1]
    assert lbl["statistic"] == pytest.approx((len(data) - 1) * r * r, rel=1e-12)


@pytest.mark.parametrize("name", ["edu_gender", "sparse_3x4"])
def test_a_sparse_table_gets_the_exact_test_as_its_primary_result(name):
    res = selection.crosstab_tests(long(matrix(name)), "a", "b")
    primary = res[res["primary"]]
    assert len(primary) == 1
    assert primary.iloc[0]["test"] == "Fisher-Freeman-Halton exact test"
    assert primary.iloc[0]["p"] == pytest.approx(R[f"fisher_{name}"], rel=1e-9)


def test_a_table_that_is_not_sparse_keeps_pearson_as_primary():
    m = matrix("partner_easiest")[:, 1:4] + 20
    res = selection.crosstab_tests(long(m), "a", "b")
    assert not selection.sparse(m)
    assert res[res["primary"]].iloc[0]["test"] == "Pearson chi-square"
    assert "Fisher-Freeman-Halton exact test" not in set(res["test"])


def test_cochran_rule_by_hand():
    # expected counts of [[1, 9], [9, 81]]: 1, 9, 9, 81 -> 1 of 4 below 5 (25 %): sparse
    assert selection.sparse(np.array([[1, 9], [9, 81]]))
    # [[10, 10], [10, 10]]: all expected 10: not sparse
    assert not selection.sparse(np.array([[10, 10], [10, 10]]))


def test_multiple_response_options_leave_out_the_groups_excluded_by_design():
    rng = np.random.default_rng(5)
    group = rng.integers(1, 4, 300).astype(float)
    own = np.where(group == 1, 0.0, (rng.random(300) < 0.5).astype(float))
    other = (rng.random(300) < 0.3).astype(float)
    data = pd.DataFrame({"g": group, "own": own, "other": other})
    res = st.multiple_response_tests(data, ["own", "other"], "g",
                                     structural={"own": [1]}).set_index("option")
    # the option "own" is compared between groups 2 and 3 only: Pearson χ² of that 2 x 2
    keep = group != 1
    expect = pd.crosstab(group[keep], own[keep]).to_numpy()
    from scipy.stats import chi2_contingency

    chi2 = chi2_contingency(expect, correction=False)[0]
    assert res.loc["own", "n"] == keep.sum()
    assert res.loc["own", "statistic"] == pytest.approx(chi2, rel=1e-12)
    assert res.loc["own", "excluded"] == "1"
    assert res.loc["other", "n"] == 300


# ---- count models ----

def _bounded():
    return countmodels.count_model(THREE, "template_contents_yes", PREDICTORS,
                                   {"work_area": 1.0, "gender": 1.0}, trials=14)


def test_bounded_count_gets_the_quasi_binomial_model_as_r():
    choice = _bounded()
    assert choice.chosen == "quasi_binomial"
    coef = choice.result.coefficients
    model = choice.result.model.iloc[0]
    assert model["n"] == R["tc_binom_n"]
    assert model["dispersion"] == pytest.approx(R["tc_quasi_dispersion"], rel=1e-8)
    for i in range(6):
        assert coef["estimate"].iloc[i] == pytest.approx(R[f"tc_binom_b{i + 1}"], rel=1e-7)
        assert coef["se"].iloc[i] == pytest.approx(R[f"tc_quasi_se{i + 1}"], rel=1e-7)
        assert coef["statistic"].iloc[i] == pytest.approx(R[f"tc_quasi_t{i + 1}"], rel=1e-7)
        assert coef["p"].iloc[i] == pytest.approx(R[f"tc_quasi_p{i + 1}"], rel=1e-6)
    checks = choice.checks.set_index("model")
    assert checks.loc["Poisson", "value"] == pytest.approx(R["tc_poisson_dispersion"], rel=1e-8)


def test_binomial_model_without_the_scale_matches_r_binomial():
    res = countmodels.binomial_count(THREE, "template_contents_yes", PREDICTORS,
                                     {"work_area": 1.0, "gender": 1.0}, trials=14, quasi=False)
    coef = res.coefficients
    for i in range(6):
        assert coef["se"].iloc[i] == pytest.approx(R[f"tc_binom_se{i + 1}"], rel=1e-7)
        assert coef["p"].iloc[i] == pytest.approx(R[f"tc_binom_p{i + 1}"], rel=1e-6)
    assert "over-dispersed" in res.model.iloc[0]["note"]


def test_under_dispersed_count_keeps_poisson_and_says_why():
    choice = countmodels.count_model(THREE, "template_contents_yes", PREDICTORS,
                                     {"work_area": 1.0, "gender": 1.0})
    assert choice.chosen == "poisson"
    assert "under-dispersed" in choice.notes[0]


def test_negative_binomial_at_its_boundary_says_so():
    # R's glm.nb warns (theta -> infinity: alpha at 0) on the same count
    assert R["tc_nb_warned"] == 1 and 1 / R["tc_nb_theta"] < 1e-5
    res = st.negative_binomial(THREE, "template_contents_yes", PREDICTORS,
                               {"work_area": 1.0, "gender": 1.0})
    assert "lower bound" in res.model.iloc[0]["note"]


def test_over_dispersed_count_gets_the_negative_binomial_as_r():
    choice = countmodels.count_model(THREE, "n_part_6m",
                                     ["gender", "age", "work_area", "years_at_workplace"],
                                     {"gender": 1.0, "work_area": 2.0})
    assert choice.chosen == "negative_binomial"
    checks = choice.checks.set_index("measure")
    assert checks.loc["Pearson chi2 / df", "value"] == pytest.approx(
        R["n6_poisson_dispersion"], rel=1e-8)
    assert checks.loc["alpha", "value"] == pytest.approx(R["n6_nb_alpha"], rel=1e-6)
    assert choice.result.model.iloc[0]["n"] == R["n6_nb_n"]


def test_reference_levels_and_their_counts():
    ref = countmodels.reference_levels(THREE, "n_part_6m", ["gender", "age", "work_area"],
                                       {"gender": 1.0, "work_area": 2.0}).set_index("predictor")
    complete = THREE.dropna(subset=["n_part_6m", "gender", "age", "work_area"])
    assert ref.loc["work_area", "reference"] == 2.0
    assert ref.loc["work_area", "n_reference"] == (complete["work_area"] == 2).sum()
    assert ref.loc["gender", "n_reference"] == (complete["gender"] == 1).sum()
    assert (ref["n"] == len(complete)).all()


# ---- multiplicity ----

P = [0.004, 0.278, 0.051, 0.0012, 0.03, np.nan, 0.6, 0.049]


@pytest.mark.parametrize(("method", "key"), [("holm", "holm"), ("fdr_bh", "bh")])
def test_adjusted_p_values_match_r_p_adjust(method, key):
    ours = multiplicity.adjust(P, method)
    for i, value in enumerate(ours):
        name = f"{key}_{i + 1}"
        if name not in R:
            assert np.isnan(value)
        else:
            assert value == pytest.approx(R[name], rel=1e-12)


def test_families_are_adjusted_separately_and_raw_p_kept():
    frame = pd.DataFrame({"p": [0.01, 0.02, 0.03, 0.04], "family": ["a", "a", "b", ""]})
    out = multiplicity.adjust_families(frame)
    assert list(out["p"]) == [0.01, 0.02, 0.03, 0.04]
    # Holm by hand: family a (m = 2): 0.02, max(0.02, 0.02); family b alone: unchanged
    assert list(out["p_adjusted"]) == pytest.approx([0.02, 0.02, 0.03, 0.04])
    assert list(out["family_size"]) == [2, 2, 1, 1]
    assert list(out["adjustment"]) == ["Holm", "Holm", "Holm", "none"]


def test_disagreement_at_alpha():
    # the cases: ANOVA .004 against Kruskal-Wallis .278; Welch .051 against .04
    assert multiplicity.disagreement(0.004, 0.278)
    assert multiplicity.disagreement(0.04, 0.051)
    assert not multiplicity.disagreement(0.004, 0.002)
    assert not multiplicity.disagreement(0.3, np.nan)
    classical = pd.DataFrame({"variable": ["a", "b"], "test": "ANOVA", "p": [0.004, 0.2]})
    robust = pd.DataFrame({"variable": ["a", "a", "b"], "test": ["Welch", "KW", "Welch"],
                           "p": [0.002, 0.278, 0.03]})
    out = multiplicity.disagreements(classical, robust, on=["variable"])
    assert list(out["disagree"]) == [False, True, True]


@settings(max_examples=30, deadline=None)
@given(hs.lists(hs.floats(0, 1), min_size=1, max_size=30))
def test_holm_equals_statsmodels_multipletests(p):
    from statsmodels.stats.multitest import multipletests

    assert np.allclose(multiplicity.holm(np.array(p)), multipletests(p, method="holm")[1],
                       rtol=1e-12, atol=0)
