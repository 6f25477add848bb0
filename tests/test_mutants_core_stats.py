"""Tests aimed at the mutants that survived tests/test_stats_* in the core statistics
(issue 22): contracts of the degenerate cases (exact columns, row names, notes, methods),
boundaries tested at exactly the boundary, and values checked against hand calculations
kept here, R, or a high-precision integral (mpmath) for the fallbacks of effect_ci."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from cipsurvey.stats import _discrete, _util, effect_ci
from cipsurvey.stats.contingency import association, chi2_tests, expected_note, table
from cipsurvey.stats.descriptives import describe, value_counts
from cipsurvey.stats.frequencies import (
    frequencies,
    grid,
    multiple_response,
    multiple_response_tests,
    wilson,
)
from cipsurvey.stats.kgroup import anova, kruskal, robust_anova
from cipsurvey.stats.paired import (
    marginal_homogeneity,
    mcnemar,
    paired_t,
    square_table,
    wilcoxon,
)
from cipsurvey.stats.posthoc import dunn, posthoc
from cipsurvey.stats.scales import cronbach_alpha, item_total, scale_scores, scored_item
from cipsurvey.stats.twogroup import cohens_d, levene, mann_whitney, ttest

ANOVA = ["source", "ss", "df", "ms", "statistic", "p", "method", "note"]
SOURCES = ["Between Groups", "Within Groups", "Total"]


def two(a: list[float], b: list[float]) -> pd.DataFrame:
    """Two groups 1 and 2 with these values of y."""
    return pd.DataFrame({"y": [*a, *b], "g": [1.0] * len(a) + [2.0] * len(b)})


def groups(*values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"y": [v for vs in values for v in vs],
                         "g": [float(k) for k, vs in enumerate(values, 1) for _ in vs]})


# --- contingency ---------------------------------------------------------------------------

def test_table_of_text_names_its_axes():
    data = pd.DataFrame({"x": ["a", "b", "a"], "y": ["u", "u", "v"]})
    obs = table(data, "x", "y")
    assert obs.index.name == "x" and obs.columns.name == "y"
    assert obs.to_numpy().tolist() == [[1, 1], [1, 0]]


def test_association_2x3_contract_and_capped_interval():
    # columns pure: chi2 = N = 12 by hand, so phi = V = 1; the upper limits of lambda exceed
    # N, so both CIs are capped at 1
    data = pd.DataFrame({"x": [1.0] * 8 + [2.0] * 4,
                         "y": [1.0] * 4 + [2.0] * 4 + [3.0] * 4})
    out = association(data, "x", "y")
    assert out.columns.tolist() == ["measure", "estimate", "conf_low", "conf_high", "p", "n",
                                    "method", "note"]
    assert out["measure"].tolist() == ["Phi", "Cramer's V"]
    assert out["method"].tolist() == ["phi coefficient, sqrt(chi-square / N)",
                                      "Cramer's V; CI by noncentral chi-square inversion"]
    assert out["note"].tolist() == ["", ""]
    assert out["estimate"].tolist() == pytest.approx([1.0, 1.0])
    assert out["conf_high"].tolist() == [1.0, 1.0]
    assert out["n"].tolist() == [12, 12]


def test_chi2_tests_2x2_contract():
    # table [[3, 1], [1, 3]]; R: fisher.test(matrix(c(3,1,1,3), 2))$p.value = 0.4857143
    # (= 34/70); one-sided (greater) 17/70 = 0.2428571; every expected count is 2 < 5
    data = pd.DataFrame({"x": [1.0] * 4 + [2.0] * 4,
                         "y": [1.0, 1.0, 1.0, 2.0, 1.0, 2.0, 2.0, 2.0]})
    out = chi2_tests(data, "x", "y")
    assert out.columns.tolist() == ["test", "statistic", "df", "p", "n", "method", "note"]
    assert out["test"].tolist() == ["Pearson chi-square", "Continuity correction",
                                    "Likelihood ratio", "Fisher's exact test",
                                    "Fisher's exact test (one-sided)",
                                    "Linear-by-linear association"]
    assert out["method"].tolist() == [
        "Pearson chi-square, no continuity correction",
        "Yates's continuity correction (2x2 only)", "likelihood-ratio chi-square (G2)",
        "Fisher's exact test, two-sided", "Fisher's exact test, one-sided (greater)",
        "Mantel-Haenszel linear-by-linear, codes as scores"]
    assert out["note"].tolist()[1:] == ["", "", "", "",
                                        "meaningful for ordered categories only"]
    assert out["p"].iloc[3] == pytest.approx(34 / 70)
    assert out["p"].iloc[4] == pytest.approx(17 / 70)
    assert out.attrs == {"cells_below_5": 4, "pct_below_5": 100.0, "min_expected": 2.0}


# --- frequencies ---------------------------------------------------------------------------

MR = pd.DataFrame({"o1": [1, 1, 0, np.nan, 1, 0], "o2": [1, 0, 0, np.nan, 1, 1],
                   "o3": [0, 0, 1, np.nan, 1, np.nan], "g": ["a", "a", "a", "a", "b", "b"]})


def test_multiple_response_by_group_hand_counts():
    out = multiple_response(MR, ["o1", "o2", "o3"], "g")
    # group a: 3 answered (the 4th left all missing); chosen o1 2, o2 1, o3 1: 4 responses
    # group b: 2 answered; o1 1, o2 2, o3 1: 4 responses
    assert out["group"].tolist() == ["a"] * 3 + ["b"] * 3
    assert out["count"].tolist() == [2, 1, 1, 1, 2, 1]
    assert out["n_respondents"].tolist() == [3, 3, 3, 2, 2, 2]
    assert out["n_responses"].tolist() == [4, 4, 4, 4, 4, 4]
    assert out["pct_of_respondents"].tolist() == pytest.approx(
        [200 / 3, 100 / 3, 100 / 3, 50, 100, 50])
    assert out["pct_of_responses"].tolist() == pytest.approx([50, 25, 25, 25, 50, 25])
    assert out["note"].tolist() == [""] * 6


def test_multiple_response_tests_count_unanswered_options_as_not_chosen():
    # o3 among the 5 who answered: a: 0, 0, 1; b: 1, missing -> 0. Table (a, b) x (0, 1):
    # [[2, 1], [1, 1]]; R: fisher.test(matrix(c(2,1,1,1), 2))$p.value = 1; chi-square by
    # hand: expected [[1.8, 1.2], [1.2, 0.8]], X2 = 0.02/1.8 + 0.02/1.2 + 0.02/1.2 + 0.02/0.8
    out = multiple_response_tests(MR, ["o1", "o2", "o3"], "g")
    row = out.set_index("option").loc["o3"]
    assert row["n"] == 5
    if "Fisher" in row["method"]:
        assert row["p"] == pytest.approx(1.0)
    else:
        x2 = 0.04 / 1.8 + 0.04 / 1.2 + 0.04 / 1.2 + 0.04 / 0.8
        assert row["statistic"] == pytest.approx(x2 / 2)


def test_memoised_results_are_keyed_by_their_arguments():
    data = pd.DataFrame({"i1": [1.0, 2.0, 2.0], "i2": [1.0, 1.0, 1.0],
                         "o1": [1.0, 0.0, 1.0], "o2": [0.0, 1.0, 1.0], "g": [1.0, 1.0, 2.0]})
    with _util.shared_work():
        first = grid(data, ["i1"], {1.0: "one", 2.0: "two"})
        second = grid(data, ["i2"], {1.0: "one", 2.0: "two"})
        tests = multiple_response_tests(data, ["o1", "o2"], "g")
    assert first["item"].unique().tolist() == ["i1"]
    assert second["item"].unique().tolist() == ["i2"]
    assert tests["option"].tolist() == ["o1", "o2"]


def test_frequencies_note_empty_when_there_are_answers():
    out = frequencies(pd.DataFrame({"q": [1.0, 2.0, 2.0]}), "q")
    assert out["note"].tolist() == ["", ""]


def test_wilson_of_a_single_answer():
    # by hand, z = 1.959964: lower = (1 + z^2/2 - z sqrt(z^2/4)) / (1 + z^2) = 1 / (1 + z^2)
    z = sps.norm.ppf(0.975)
    assert wilson(1, 1) == pytest.approx((1 / (1 + z * z), 1.0))
    assert all(math.isnan(v) for v in wilson(0, 0))


# --- twogroup ------------------------------------------------------------------------------

def test_ttest_one_value_in_each_group_note():
    out = ttest(two([1.0], [2.0]), "y", "g")
    assert out["note"].tolist() == ["too few values: no test"] * 2


def test_ttest_two_and_one_values():
    # a = [1, 3], b = [5]: pooled variance (1 * 2 + 0) / 1 = 2, se = sqrt(2 (1/2 + 1)) =
    # sqrt(3), t = (2 - 5) / sqrt(3) on 1 df; Welch's t needs a variance in both groups
    out = ttest(two([1.0, 3.0], [5.0]), "y", "g")
    assert out["test"].tolist() == ["Student", "Welch"]
    assert out["method"].tolist() == ["Student's t, pooled variance",
                                      "Welch's t, Satterthwaite df"]
    assert out["statistic"].iloc[0] == pytest.approx(-3 / math.sqrt(3))
    assert out["df"].iloc[0] == 1
    assert out["note"].tolist() == ["", "a group with one value: Welch's t undefined"]
    assert out["estimate"].tolist() == [-3.0, -3.0]


def test_cohens_d_contracts():
    d_cols = ["measure", "group1", "group2", "n1", "n2", "estimate", "conf_low", "conf_high",
              "method", "note"]
    zero = cohens_d(two([2.0, 2.0], [3.0, 3.0]), "y", "g")
    assert zero.columns.tolist() == d_cols
    assert zero["measure"].tolist() == ["Cohen's d", "Hedges' g"]
    assert zero["note"].tolist() == ["zero variance: d undefined"] * 2
    few = cohens_d(two([2.0], [3.0]), "y", "g")
    assert few["measure"].tolist() == ["Cohen's d", "Hedges' g"]
    assert few["note"].tolist() == ["too few values: no effect size"] * 2
    # a = [1, 2], b = [4]: sp^2 = (1 * 0.5 + 0) / 1, d = (1.5 - 4) / sqrt(0.5)
    out = cohens_d(two([1.0, 2.0], [4.0]), "y", "g")
    assert out["group1"].tolist() == [1.0, 1.0] and out["group2"].tolist() == [2.0, 2.0]
    assert out["estimate"].iloc[0] == pytest.approx(-2.5 / math.sqrt(0.5))
    assert out["method"].iloc[0] == "pooled SD; CI by noncentral t inversion"


def test_levene_df2_is_n_minus_groups():
    out = levene(groups([1.0, 2.0, 4.0], [2.0, 5.0], [1.0, 3.0, 3.0, 7.0]), "y", "g")
    assert out["df1"].iloc[0] == 2 and out["df2"].iloc[0] == 9 - 3


def test_mann_whitney_all_tied_contract():
    out = mann_whitney(two([1.0, 1.0], [1.0, 1.0]), "y", "g")
    assert out.columns.tolist()[:4] == ["group1", "group2", "n1", "n2"]
    assert "method" in out.columns and out["note"].tolist() == ["all values tied: no test"]


def test_mann_whitney_hand_values():
    # a = [4, 5, 6] ranks 3, 4, 5 (sum 12), b = [1, 2] ranks 1, 2 (sum 3): U1 = 12 - 6 = 6,
    # U2 = 0, the smaller U is U2 with W = 3; var = 3 * 2 * 6 / 12 = 3, z = -3 / sqrt(3)
    out = mann_whitney(two([4.0, 5.0, 6.0], [1.0, 2.0]), "y", "g").iloc[0]
    assert (out["mean_rank1"], out["mean_rank2"]) == (4.0, 1.5)
    assert (out["u1"], out["u"], out["w"]) == (6.0, 0.0, 3.0)
    assert out["statistic"] == pytest.approx(-math.sqrt(3))
    assert out["p"] == pytest.approx(2 * sps.norm.cdf(-math.sqrt(3)))
    # a group of one value is a test: a = [1, 2, 3], b = [4]: mean ranks 2 and 4, U = 0
    one = mann_whitney(two([1.0, 2.0, 3.0], [4.0]), "y", "g").iloc[0]
    assert (one["mean_rank1"], one["mean_rank2"], one["u"]) == (2.0, 4.0, 0.0)
    assert one["note"] == ""


# --- kgroup --------------------------------------------------------------------------------

def test_anova_contracts_and_boundaries():
    none = anova(groups([1.0, 2.0]), "y", "g")
    assert none["source"].tolist() == SOURCES
    assert none["note"].tolist() == ["fewer than two groups with values: no test"] * 3
    flat = anova(groups([1.0, 1.0], [2.0, 2.0]), "y", "g")
    assert flat["source"].tolist() == SOURCES
    assert flat["statistic"].isna().all() and flat["p"].isna().all()
    assert flat["note"].iloc[0] == "no variance within groups: F undefined"
    # [1, 2] vs [3, 4]: SSB = 4 on 1 df, SSW = 1 on 2 df, MSW = 0.5 (< 1), F = 8; F(1, 2) is
    # t(2)^2, so p = 1 - sqrt(F / (F + 2)) = 1 - sqrt(0.8)
    out = anova(groups([1.0, 2.0], [3.0, 4.0]), "y", "g")
    assert out.columns.tolist() == ANOVA
    assert out["statistic"].iloc[0] == pytest.approx(8.0)
    assert out["p"].iloc[0] == pytest.approx(1 - math.sqrt(0.8))
    assert out["note"].iloc[0] == ""
    assert out["method"].iloc[0] == "one-way ANOVA"


def test_kruskal_contracts():
    method = "Kruskal-Wallis H, tie-corrected, chi-square approximation"
    none = kruskal(groups([1.0, 2.0]), "y", "g")
    assert none["test"].tolist() == ["Kruskal-Wallis"]
    tied = kruskal(groups([1.0, 1.0], [1.0]), "y", "g")
    assert tied["test"].tolist() == ["Kruskal-Wallis"]
    assert tied["method"].tolist() == [method] and tied["n"].tolist() == [3]
    assert tied["note"].tolist() == ["all values equal: no test"]


def test_robust_anova_contracts():
    ok = robust_anova(groups([1.0, 2.0], [3.0, 5.0], [2.0, 6.0]), "y", "g")
    assert ok["test"].tolist() == ["Welch", "Brown-Forsythe"]
    assert ok["method"].tolist() == ["Welch's ANOVA", "Brown-Forsythe F* test"]
    assert ok["statistic"].notna().all()  # groups of two values have a variance
    flat = robust_anova(groups([1.0, 1.0], [3.0, 5.0]), "y", "g")
    assert flat["test"].tolist() == ["Welch", "Brown-Forsythe"]
    assert flat["method"].tolist() == ["Welch's ANOVA", "Brown-Forsythe F* test"]
    assert flat["note"].tolist() == ["a group without variance: the test is undefined"] * 2


# --- paired --------------------------------------------------------------------------------

def test_mcnemar_contracts():
    three = mcnemar(pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0]}), "x", "y")
    assert three["test"].tolist() == ["McNemar"]
    same = mcnemar(pd.DataFrame({"x": [1.0, 2.0, 2.0], "y": [1.0, 2.0, 2.0]}), "x", "y")
    assert same["test"].tolist() == ["McNemar"]
    assert (same["b"].iloc[0], same["c"].iloc[0], same["n"].iloc[0]) == (0, 0, 3)
    assert same["note"].tolist() == ["no discordant pairs: no test"]
    data = pd.DataFrame({"x": [1.0] * 5 + [2.0] * 3, "y": [1.0, 2.0, 2.0, 2.0, 2.0, 1.0, 2.0,
                                                          2.0]})
    out = mcnemar(data, "x", "y").set_index("test")
    assert out.loc["McNemar asymptotic (corrected)", "df"] == 1


def test_marginal_homogeneity_contracts():
    one = marginal_homogeneity(pd.DataFrame({"x": [1.0, 1.0], "y": [1.0, 1.0]}), "x", "y")
    assert one["test"].tolist() == ["Stuart-Maxwell", "Bowker"]
    # no pair changed: the covariance of the marginal differences is zero (singular)
    same = marginal_homogeneity(pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0]}),
                                "x", "y")
    assert same["test"].tolist() == ["Stuart-Maxwell", "Bowker"]


def test_paired_degenerate_rows():
    eq = paired_t(pd.DataFrame({"x": [2.0, 3.0, 4.0], "y": [1.0, 2.0, 3.0]}), "x", "y")
    assert eq["n"].tolist() == [3] and eq["note"].tolist() == ["all differences equal: no test"]
    assert eq["estimate"].tolist() == [1.0]
    w = wilcoxon(pd.DataFrame({"x": [1.0, 2.0], "y": [1.0, 2.0]}), "x", "y")
    assert w["method"].notna().all() and w["method"].iloc[0] != ""
    assert w["note"].tolist() == ["no nonzero differences"]


# --- scales --------------------------------------------------------------------------------

def test_cronbach_alpha_contracts():
    method = "Cronbach's alpha; Feldt CI"
    one = cronbach_alpha(pd.DataFrame({"a": [1.0, np.nan], "b": [2.0, 3.0]}), ["a", "b"])
    assert one["measure"].tolist() == ["Cronbach's alpha"]
    assert (one["n"].iloc[0], one["k"].iloc[0]) == (1, 2)
    assert one["method"].tolist() == [method]
    assert one["note"].tolist() == ["need at least two items and two complete cases"]
    # a and b vary but their sum does not: the total score has no variance
    flat = cronbach_alpha(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]}),
                          ["a", "b"])
    assert flat["measure"].tolist() == ["Cronbach's alpha"]
    assert flat["note"].tolist() == ["the total score has no variance"]
    assert flat["method"].tolist() == [method]


def test_item_total_of_two_items_has_no_alpha_if_deleted():
    out = item_total(pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": [2.0, 2.0, 5.0]}), ["a", "b"])
    assert out["alpha_if_deleted"].isna().all()
    # with one item left the scale's mean is that item's: means 7/3 and 3
    assert out["scale_mean_if_deleted"].tolist() == pytest.approx([3.0, 7 / 3])


def test_item_total_without_complete_cases():
    out = item_total(pd.DataFrame({"a": [1.0, np.nan], "b": [np.nan, 2.0],
                                   "c": [1.0, 1.0]}), ["a", "b", "c"])
    assert out["mean"].isna().all()


# --- effect_ci fallbacks -------------------------------------------------------------------

def test_bracket_shrinks_towards_the_centre_where_f_is_nan():
    # f is the decreasing -x, NaN above 0.8: the first bracket (-1, 1) has a NaN end, which
    # must move towards the centre (0.6) rather than outwards
    def f(x: float) -> float:
        return -x if x < 0.8 else math.nan

    assert effect_ci._bracket(f, 0.0, 1.0) == pytest.approx(0.0, abs=1e-9)


def test_bracket_starts_at_centre_plus_and_minus_width():
    seen = []

    def f(x: float) -> float:
        seen.append(x)
        return 3.0 - x

    assert effect_ci._bracket(f, 2.0, 5.0) == pytest.approx(3.0)
    assert seen[:2] == [-3.0, 7.0]


def test_ncp_f_default_conf_and_nonfinite_input():
    # R: f <- function(l, p) pf(6, 2, 20, ncp = l) - p
    #    c(uniroot(f, c(0, 100), p = .975, tol = 1e-12)$root,
    #      uniroot(f, c(0, 100), p = .025, tol = 1e-12)$root)   # 0.774521488332 30.852568849336
    lo, hi = effect_ci.ncp_f(6.0, 2, 20)
    assert (lo, hi) == pytest.approx((0.774521488332, 30.852568849336), rel=1e-6)
    assert all(math.isnan(v) for v in effect_ci.ncp_f(math.nan, 2, 20))


def test_ncp_t_normal_limit_far_out():
    # t = 1e5 on 10,000 df: scipy's noncentral t is NaN at some of the bracket's points, where
    # the normal limit is used. Reference: the roots of P(T <= t) = E[Phi(t sqrt(V/df) - d)],
    # V ~ chi2(df), by mpmath (30 digits):
    #   cdf = lambda d: mp.quad(lambda v: mp.ncdf(t*mp.sqrt(v/df) - d) * chi2_pdf(v, df),
    #                           [df-40s, df-10s, df-3s, df, df+3s, df+10s, df+40s])
    #   mp.findroot(lambda d: cdf(d) - p, guess) for p = 0.975, 0.025  (s = sqrt(2 df))
    lo, hi = effect_ci.ncp_t(1e5, 1e4)
    assert lo == pytest.approx(98613.0334227793, rel=2e-5)
    assert hi == pytest.approx(101386.199415787, rel=2e-5)


# --- descriptives, _discrete, _util, posthoc ------------------------------------------------

def test_describe_one_value_note():
    out = describe(pd.DataFrame({"y": [3.0]}), "y")
    assert out["note"].tolist() == ["one value: no SD"]


def test_group_codes_are_read_only():
    for column in (pd.Series([1.0, 2.0, np.nan]), pd.Series(["a", "b", None])):
        _, code = _util.group_codes(pd.DataFrame({"g": column}), "g")
        assert not code.flags.writeable


def test_dunn_with_exactly_two_groups():
    # [1, 2, 3] vs [4, 5, 6]: mean ranks 2 and 5, se = sqrt(6 * 7 / 12 * (1/3 + 1/3)),
    # z = -3 / se
    out = dunn(groups([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]), "y", "g")
    assert len(out) == 1
    assert abs(out["statistic"].iloc[0]) == pytest.approx(3 / math.sqrt(3.5 * 2 / 3))


def test_quantiles_halfway_agree_with_numpy_bit_for_bit():
    # halfway between 1.4 and 9.5 numpy.percentile interpolates from the upper value:
    # 9.5 - 8.1 / 2 = 5.45, where 1.4 + 8.1 / 2 = 5.449999999999999
    q = _discrete.quantiles(np.array([1.4, 9.5]), np.array([1, 1]), [0.5])
    assert q[0] == np.percentile([1.4, 9.5], 50) == 5.45


def test_levels_of_mixed_types_sort_by_text():
    # 1 and "a" cannot be compared: the order falls back on their text, "1" < "a" < "b"
    assert _util.levels(pd.Series(["b", 1, "a", None], dtype=object)) == [1, "a", "b"]


def test_games_howell_rows_for_every_pair_with_a_single_value_group():
    # group 1 has one value (5), groups 2 and 3 have [1, 2] and [3, 4, 6]: the two pairs with
    # group 1 have no variance but keep their identity; means 5, 1.5, 13/3 by hand
    out = posthoc(groups([5.0], [1.0, 2.0], [3.0, 4.0, 6.0]), "y", "g", method="games_howell")
    assert list(zip(out["group1"], out["group2"], strict=True)) == [(1.0, 2.0), (1.0, 3.0),
                                                                     (2.0, 3.0)]
    assert out["method"].tolist() == ["Games-Howell"] * 3
    assert out["n1"].tolist() == [1, 1, 2] and out["n2"].tolist() == [2, 3, 3]
    assert out["estimate"].tolist() == pytest.approx([3.5, 5 - 13 / 3, 1.5 - 13 / 3])
    assert out["note"].tolist()[:2] == ["a group with one value: no variance"] * 2


def test_kruskal_ranks_by_hand():
    """The "Ranks" table beside Kruskal-Wallis: ranks over all groups with ties at their
    mean rank (1, 3, 3, 3, 5 for the values 1, 2, 2, 2, 5), each group's n and mean rank;
    a group with no answer left out, and nothing answered gives the empty table."""
    from cipsurvey.stats.kgroup import kruskal_ranks

    frame = pd.DataFrame({"y": [1, 2, 2, np.nan, 2, 5, np.nan],
                          "g": [1, 1, 1, 1, 2, 2, 3]})
    out = kruskal_ranks(frame, "y", "g")
    assert list(out.columns) == ["group", "n", "mean_rank"]
    assert out["group"].tolist() == [1, 2] and out["n"].tolist() == [3, 2]
    assert out["mean_rank"].tolist() == pytest.approx([7 / 3, 4.0], rel=1e-15)
    empty = kruskal_ranks(frame.assign(y=np.nan), "y", "g")
    assert list(empty.columns) == ["group", "n", "mean_rank"] and empty.empty


def test_split_follows_the_given_order_and_leaves_out_absent_levels():
    """``split`` with an order: the levels in that order, those without values left out, on
    both paths (float groups, read by codes; text groups, read by value)."""
    from cipsurvey.stats._util import split

    for g in ([1.0, 3.0, 1.0, 3.0, 2.0], ["a", "c", "a", "c", "b"]):
        frame = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0, np.nan], "g": g})
        order = [g[1], 9.0 if isinstance(g[0], float) else "z", g[0]]
        found, groups = split(frame, "y", "g", order=order)
        assert found == [g[1], g[0]]
        assert [list(v) for v in groups] == [[2.0, 4.0], [1.0, 3.0]]


@pytest.mark.parametrize("method", ["games_howell", "tukey", "scheffe", "bonferroni"])
def test_every_computed_post_hoc_row_has_an_empty_note(method):
    """A pair whose comparison was computed carries no note (a note marks a pair that could
    not be computed), whichever the method."""
    from cipsurvey.stats.posthoc import posthoc

    frame = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0, 5.0, 7.0, 6.0, 8.0, 9.0],
                          "g": [1, 1, 1, 2, 2, 2, 3, 3, 3]})
    out = posthoc(frame, "y", "g", method=method)
    assert len(out) == 3 and out["p"].notna().all()
    assert out["note"].tolist() == ["", "", ""]


@pytest.mark.parametrize(("q", "k", "df"), [(3.5, 3, 20.0), (2.0, 4, 60.0), (4.2, 6, 12.0)])
def test_the_fast_range_cdf_equals_scipys(q, k, df):
    """The studentized range's cdf by the fixed Gauss-Legendre rule (which only proposes
    roots, so a wrong rule would still give right quantiles, through scipy's own cdf, only
    slower): equal to scipy's ``studentized_range.cdf`` to 1e-10 at ordinary q, k, df."""
    from cipsurvey.stats.posthoc import _range_cdf

    assert _range_cdf(k, df)(q) == pytest.approx(sps.studentized_range.cdf(q, k, df),
                                                 abs=1e-10)


def test_the_secant_finds_a_known_root():
    """The secant step on a cdf whose inverse is known: the normal cdf at 0.975 from a
    start of 2.5 gives 1.959963984540054 (the 97.5 % normal quantile)."""
    from cipsurvey.stats.posthoc import _secant

    root = _secant(lambda x: float(sps.norm.cdf(x)), 0.975, 2.5)
    assert root == pytest.approx(1.959963984540054, abs=1e-10)


# --- the full run's survivors (issue 22, all 11,865 mutants) --------------------------------

# x - y = 2, 3, 2, 5, -1. R 4.x:
#   x <- c(3, 5, 4, 8, 6); y <- c(1, 2, 2, 3, 7)
#   t.test(x, y, paired = TRUE)  # t = 2.269126742, df = 4, p = 0.08581037844,
#                                # stderr = 0.9695359715
#   wilcox.test(x, y, paired = TRUE, exact = FALSE, correct = FALSE)  # V = 14,
#                                # p = 0.07824818643
PAIRS = pd.DataFrame({"x": [3.0, 5.0, 4.0, 8.0, 6.0], "y": [1.0, 2.0, 2.0, 3.0, 7.0]})


def test_paired_t_standard_error_as_r():
    out = paired_t(PAIRS, "x", "y").iloc[0]
    # by hand: mean 2.2, squared deviations sum to 18.8, sd = sqrt(4.7), se = sd / sqrt(5)
    assert out["sd"] == pytest.approx(math.sqrt(4.7))
    assert out["se"] == pytest.approx(0.9695359715, rel=1e-9)
    assert out["statistic"] == pytest.approx(2.269126742, rel=1e-9)
    assert out["p"] == pytest.approx(0.08581037844, rel=1e-9)
    assert out["note"] == ""


def test_paired_t_degenerate_rows_keep_the_method_name():
    one = paired_t(pd.DataFrame({"x": [2.0, np.nan], "y": [1.0, 3.0]}), "x", "y")
    assert one["n"].tolist() == [1]
    assert one["method"].tolist() == ["paired t"]
    assert one["note"].tolist() == ["fewer than two pairs"]
    eq = paired_t(pd.DataFrame({"x": [2.0, 3.0, 4.0], "y": [1.0, 2.0, 3.0]}), "x", "y")
    assert eq["method"].tolist() == ["paired t"]


def test_wilcoxon_signed_ranks_as_r():
    out = wilcoxon(PAIRS, "x", "y").iloc[0]
    # |d| = 2, 3, 2, 5, 1: ranks 2.5, 4, 2.5, 5, 1; W+ = 14, W- = 1 (R's V = W+)
    assert (out["n"], out["n_nonzero"]) == (5, 5)
    assert out["w_plus"] == 14.0 and out["w_minus"] == 1.0
    # z = (14 - 7.5) / sqrt(5 * 6 * 11 / 24 - (2**3 - 2) / 48): positive, x exceeds y
    assert out["statistic"] == pytest.approx(6.5 / math.sqrt(13.75 - 6 / 48))
    assert out["p"] == pytest.approx(0.07824818643, rel=1e-9)
    assert out["note"] == ""
    # the same pairs the other way round: the sign of z turns, W+ and W- swap
    back = wilcoxon(PAIRS, "y", "x").iloc[0]
    assert back["w_plus"] == 1.0 and back["w_minus"] == 14.0
    assert back["statistic"] == pytest.approx(-out["statistic"])


def test_wilcoxon_without_nonzero_differences_counts_zero():
    w = wilcoxon(pd.DataFrame({"x": [1.0, 2.0, 4.0], "y": [1.0, 2.0, 4.0]}), "x", "y")
    assert w["n"].tolist() == [3]
    assert w["n_nonzero"].tolist() == [0]
    assert w["method"].tolist() == [
        "Wilcoxon signed-rank, normal approximation with tie correction"]


def test_marginal_homogeneity_row_when_the_library_fails(monkeypatch):
    # statsmodels catches its own singular matrix today, so only a failing library reaches
    # the except branch: the failed test gets a row of its own, the other one is computed
    from statsmodels.stats.contingency_tables import SquareTable

    def singular(self, method="stuart_maxwell"):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(SquareTable, "homogeneity", singular)
    data = pd.DataFrame({"x": [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 1.0],
                         "y": [2.0, 1.0, 3.0, 2.0, 1.0, 3.0, 3.0]})
    out = marginal_homogeneity(data, "x", "y")
    assert out.columns.tolist() == ["test", "statistic", "df", "p", "n", "method", "note"]
    assert out["test"].tolist() == ["Stuart-Maxwell", "Bowker"]
    assert out["n"].tolist() == [7, 7]
    assert out["note"].tolist() == ["the table is singular: no test", ""]
    failed = out.iloc[0]
    assert math.isnan(failed["statistic"]) and math.isnan(failed["p"])
    assert math.isnan(failed["df"]) and pd.isna(failed["method"])
    # Bowker by hand: pairs (1,2): 1 vs 0, (1,3): 1 vs 1, (2,3): 1 vs 0 ->
    # 1/1 + 0/2 + 1/1 = 2 on 3 df
    assert out["statistic"].iloc[1] == pytest.approx(2.0)
    assert out["df"].iloc[1] == 3


# a set of two options, three of four respondents answered (the fourth left both missing)
SET = pd.DataFrame({"o1": [1.0, 0.0, 1.0, np.nan], "o2": [0.0, 0.0, 1.0, np.nan],
                    "g": ["a", "b", "b", "a"]})


def test_multiple_response_without_groups_is_one_total_group():
    out = multiple_response(SET, ["o1", "o2"], labels={"o1": "Option one"})
    assert out["group"].tolist() == ["Total", "Total"]
    # a label where one is given, else the column's own name
    assert out["label"].tolist() == ["Option one", "o2"]
    assert out["count"].tolist() == [2, 1]
    assert out["n_respondents"].tolist() == [3, 3]
    # the default 95 % Wilson interval, in percent; R: prop.test(2, 3, correct = FALSE)
    # $conf.int = 0.207659600802 0.938508055280; prop.test(1, 3, correct = FALSE):
    # 0.0614919447204 0.7923403991980
    assert out["conf_low"].tolist() == pytest.approx([20.7659600802, 6.14919447204])
    assert out["conf_high"].tolist() == pytest.approx([93.8508055280, 79.23403991980])


def test_multiple_response_results_are_kept_apart_in_shared_work():
    with _util.shared_work():
        total = multiple_response(SET, ["o1", "o2"])
        by_group = multiple_response(SET, ["o1", "o2"], "g")
        labelled = multiple_response(SET, ["o1", "o2"], labels={"o2": "Two"})
    assert total["group"].tolist() == ["Total", "Total"]
    # group a: one answered (o1 1, o2 0); group b: two (o1 0, 1; o2 0, 1)
    assert by_group["group"].tolist() == ["a", "a", "b", "b"]
    assert by_group["count"].tolist() == [1, 0, 1, 1]
    assert by_group["n_respondents"].tolist() == [1, 1, 2, 2]
    assert labelled["label"].tolist() == ["o1", "Two"]


def test_scale_scores_refuses_an_unknown_method():
    with pytest.raises(ValueError, match=r"^method is 'mean' or 'sum', not 'median'$"):
        scale_scores(pd.DataFrame({"a": [1.0]}), ["a"], method="median")


def test_scale_scores_keep_the_rows_and_warn_nothing_for_an_empty_row():
    import warnings

    data = pd.DataFrame({"a": [1.0, np.nan, 4.0], "b": [3.0, np.nan, np.nan]},
                        index=[10, 20, 30])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 0 / 0 for the respondent who answered nothing
        out = scale_scores(data, ["a", "b"], min_items=1)
    assert out.index.tolist() == [10, 20, 30]
    assert out.name == "score"
    assert out[10] == 2.0 and np.isnan(out[20]) and out[30] == 4.0


def test_value_counts_are_whole_numbers_and_values_floats_on_both_paths():
    # numbers: the one-bincount path; text groups: the grouping path
    fast = value_counts(pd.DataFrame({"g": [1.0, 1.0, 2.0], "y": [3.0, 3.0, 1.0]}), "y", "g")
    assert fast["count"].dtype == np.int64 and fast["value"].dtype == np.float64
    assert fast["count"].tolist() == [2, 1]
    slow = value_counts(pd.DataFrame({"g": ["a", "a", "b"], "y": [3, 3, 1]}), "y", "g")
    assert slow["group"].tolist() == ["a", "b"]
    assert slow["value"].dtype == np.float64 and slow["value"].tolist() == [3.0, 1.0]
    assert slow["count"].dtype == np.int64 and slow["count"].tolist() == [2, 1]


def test_frequencies_without_labels_name_levels_and_follow_the_order():
    data = pd.DataFrame({"q": [1.0, 2.0, 2.0]})
    out = frequencies(data, "q")
    assert out["label"].tolist() == ["1.0", "2.0"]
    assert out["proportion"].tolist() == pytest.approx([1 / 3, 2 / 3])
    # default 95 % Wilson CI; R: prop.test(1, 3, correct = FALSE)$conf.int
    assert (out["conf_low"].iloc[0], out["conf_high"].iloc[0]) == pytest.approx(
        (0.0614919447204, 0.7923403991980))
    ordered = frequencies(data, "q", order=[2.0, 3.0, 1.0])
    assert ordered["level"].tolist() == [2.0, 3.0, 1.0]
    assert ordered["count"].tolist() == [2, 0, 1]
    assert ordered["proportion"].tolist() == pytest.approx([2 / 3, 0, 1 / 3])
    with pytest.raises(KeyError, match="no column 'zz' in the data"):
        frequencies(data, "zz")


def test_grid_item_labels_index_and_default_conf():
    data = pd.DataFrame({"i1": [1.0, 2.0, 2.0], "i2": [2.0, 2.0, 1.0]})
    out = grid(data, ["i1", "i2"], {1.0: "one", 2.0: "two"}, {"i1": "First"})
    assert out["item_label"].tolist() == ["First", "First", "i2", "i2"]
    assert out.index.tolist() == [0, 1, 2, 3]
    # R: prop.test(1, 3, correct = FALSE)$conf.int
    assert (out["conf_low"].iloc[0], out["conf_high"].iloc[0]) == pytest.approx(
        (0.0614919447204, 0.7923403991980))


def test_mcnemar_rows_of_a_computed_table_and_equal_discordant_counts():
    # b = c = 2: discordant pairs, no change overall. R: mcnemar.test(matrix(c(3, 2, 2, 1),
    # 2)) gives chi-squared 0.25, p = 0.6170750775 (corrected: (|b - c| - 1)^2 / (b + c));
    # uncorrected 0, p = 1; exact: 2 * pbinom(2, 4, 0.5) = 1.375, capped at 1
    data = pd.DataFrame({"x": [1.0] * 5 + [2.0] * 3,
                         "y": [1.0, 1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0]})
    out = mcnemar(data, "x", "y")
    assert out["test"].tolist() == ["McNemar exact", "McNemar asymptotic",
                                    "McNemar asymptotic (corrected)"]
    assert out["method"].tolist() == ["exact binomial, two-sided",
                                      "chi-square, no continuity correction",
                                      "chi-square, continuity corrected"]
    assert out["note"].tolist() == ["", "", ""]
    assert np.isnan(out["df"].iloc[0]) and out["df"].tolist()[1:] == [1, 1]
    assert out["b"].tolist() == [2, 2, 2] and out["c"].tolist() == [2, 2, 2]
    assert out["p"].tolist() == pytest.approx([1.0, 1.0, 0.6170750775])
    assert out["statistic"].tolist()[1:] == pytest.approx([0.0, 0.25])


# a = 1, 2, 3; b = 1, 3, 2; c = 1, 2, 4. Covariances by hand: var a = 1, var b = 1,
# var c = 7/3, cov(a, b) = 1/2, cov(a, c) = 3/2, cov(b, c) = 1/2. alpha(a, b) =
# 2 (1 - 2/3) = 2/3; alpha(a, c) = 2 (1 - (10/3) / (19/3)) = 18/19; alpha(b, c) =
# 2 (1 - (10/3) / (13/3)) = 6/13; b reversed in 1..3 (4 - b): cov(a, 4 - b) = -1/2,
# alpha = 2 (1 - 2/1) = -2
ABC = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 3.0, 2.0], "c": [1.0, 2.0, 4.0]})


def test_cronbach_alpha_by_hand_kept_apart_in_shared_work():
    with _util.shared_work():
        ab = cronbach_alpha(ABC, ["a", "b"])
        flipped = cronbach_alpha(ABC, ["a", "b"], reverse={"b": (1, 3)})
        ac = cronbach_alpha(ABC, ["a", "c"])
    assert ab["estimate"].iloc[0] == pytest.approx(2 / 3)
    assert flipped["estimate"].iloc[0] == pytest.approx(-2.0)
    assert ac["estimate"].iloc[0] == pytest.approx(18 / 19)


def test_cronbach_alpha_does_not_depend_on_the_unit():
    tiny = ABC * 1e-4  # variances of 1e-8: still a scale with variance
    assert cronbach_alpha(tiny, ["a", "b"])["estimate"].iloc[0] == pytest.approx(2 / 3)


def test_cronbach_alpha_of_constant_items():
    flat = cronbach_alpha(pd.DataFrame({"a": [2.0, 2.0, 2.0], "b": [1.0, 1.0, 1.0]}),
                          ["a", "b"])
    assert flat["note"].tolist() == ["the total score has no variance"]
    assert (flat["n"].iloc[0], flat["k"].iloc[0]) == (3, 2)
    assert np.isnan(flat["estimate"].iloc[0])


def test_cronbach_alpha_refuses_reverse_that_is_not_a_mapping():
    with pytest.raises(TypeError,
                       match=r"^reverse maps each reversed item to its \(min, max\) range$"):
        cronbach_alpha(ABC, ["a", "b"], reverse=[("b", (1, 3))])


def test_item_total_of_three_items_by_hand():
    out = item_total(ABC, ["a", "b", "c"])
    assert out.columns.tolist() == ["item", "mean", "sd", "scale_mean_if_deleted",
                                    "scale_var_if_deleted", "item_rest_r",
                                    "alpha_if_deleted"]
    assert out["sd"].tolist() == pytest.approx([1.0, 1.0, math.sqrt(7 / 3)])
    # with three items, alpha if deleted is alpha of the other two
    assert out["alpha_if_deleted"].tolist() == pytest.approx([6 / 13, 18 / 19, 2 / 3])


def test_item_total_with_one_complete_case():
    out = item_total(pd.DataFrame({"a": [1.0, 2.0, np.nan], "b": [2.0, np.nan, 1.0],
                                   "c": [1.0, 1.0, 1.0]}), ["a", "b", "c"])
    assert out["mean"].tolist() == [1.0, 2.0, 1.0]
    assert out["sd"].isna().all() and out["alpha_if_deleted"].isna().all()


def test_items_held_as_objects_count_as_numbers():
    # a column of Python numbers and None (an object column, as a mixed source gives)
    data = pd.DataFrame({"a": pd.Series([1, 4, None], dtype=object), "b": [3.0, 2.0, 5.0]})
    assert scored_item(data, "a").tolist()[:2] == [1.0, 4.0]
    out = scale_scores(data, ["a", "b"], min_items=1)
    assert out.tolist() == [2.0, 3.0, 5.0]


def test_table_names_the_missing_column_and_its_axes():
    data = pd.DataFrame({"x": [1.0, 2.0, 1.0], "y": [1.0, 1.0, 2.0]})
    with pytest.raises(KeyError, match="no column 'zz' in the data"):
        table(data, "x", "zz")
    with pytest.raises(KeyError, match="no column 'zz' in the data"):
        table(data, "zz", "y")
    obs = table(data, "x", "y")  # numbers: the one-bincount path
    assert obs.index.name == "x" and obs.columns.name == "y"
    assert obs.to_numpy().tolist() == [[1, 1], [1, 0]]
    with _util.shared_work():
        first = table(data, "x", "y")
        turned = table(data, "y", "x")
    assert first.index.name == "x" and turned.index.name == "y"


def test_chi2_tests_one_sided_fisher_follows_the_direction():
    # a d - b c < 0: [[1, 3], [3, 1]] -> "less", p = P(a <= 1) = 17/70 (by symmetry with
    # [[3, 1], [1, 3]]); a d - b c = 0: [[1, 2], [2, 4]] -> "greater", hypergeometric
    # P(a = 0..3) = 20, 45, 18, 1 (/ 84), p = P(a >= 1) = 64/84 (P(a <= 1) would be 65/84).
    # R: fisher.test(matrix(c(1, 2, 2, 4), 2), alternative = "greater")$p.value = 0.7619048
    less = chi2_tests(pd.DataFrame({"x": [1.0] * 4 + [2.0] * 4,
                                    "y": [1.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 2.0]}), "x", "y")
    row = less.set_index("test").loc["Fisher's exact test (one-sided)"]
    assert row["p"] == pytest.approx(17 / 70)
    even = chi2_tests(pd.DataFrame({"x": [1.0] * 3 + [2.0] * 6,
                                    "y": [1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0]}),
                      "x", "y")
    row = even.set_index("test").loc["Fisher's exact test (one-sided)"]
    assert row["p"] == pytest.approx(64 / 84)


def test_expected_note_at_exactly_five():
    # every expected count is 100 * 100 / 200 / ... = 5 exactly: none is below 5
    assert expected_note(np.array([[5.0, 5.0], [5.0, 5.0]])) == (
        0, 0.0, 5.0,
        "0 cells (0.0%) have expected count less than 5. The minimum expected count is 5.00.")


def test_association_names_cramers_v_where_there_is_one_category_and_signs_phi():
    one = association(pd.DataFrame({"x": [1.0, 1.0], "y": [1.0, 2.0]}), "x", "y")
    assert one["measure"].tolist() == ["Cramer's V"]
    assert one["note"].tolist() == ["a single category: no association"]
    # 2 x 2 [[3, 1], [1, 3]]: phi = (9 - 1) / sqrt(4 * 4 * 4 * 4) = 0.5, signed
    two = association(pd.DataFrame({"x": [1.0] * 4 + [2.0] * 4,
                                    "y": [1.0, 1.0, 1.0, 2.0, 1.0, 2.0, 2.0, 2.0]}), "x", "y")
    phi = two.iloc[0]
    assert (phi["measure"], phi["method"], phi["note"]) == ("Phi", "phi coefficient (signed)",
                                                            "")
    assert phi["estimate"] == pytest.approx(0.5)
    # its p is the uncorrected Pearson chi-square's, 8 * 8**2 / 4**4 = 2 on 1 df; R:
    # chisq.test(matrix(c(3, 1, 1, 3), 2), correct = FALSE)$p.value = 0.1572992
    assert phi["p"] == pytest.approx(0.1572992, rel=1e-6)


def test_chi2_tests_of_one_row_and_two_columns():
    out = chi2_tests(pd.DataFrame({"x": [1.0, 1.0, 1.0], "y": [1.0, 2.0, 2.0]}), "x", "y")
    assert out["test"].tolist() == ["Pearson chi-square"]
    assert out["note"].tolist() == ["a single category: no test"]
    assert out["n"].tolist() == [3]


def test_square_table_has_every_category_on_both_axes():
    data = pd.DataFrame({"x": [1.0, 2.0, 2.0], "y": [1.0, 3.0, 2.0]})
    sq = square_table(data, "x", "y")
    assert sq.index.tolist() == [1.0, 2.0, 3.0] and sq.columns.tolist() == [1.0, 2.0, 3.0]
    assert sq.to_numpy().tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 0]]


def test_describe_total_row_and_missing_count():
    with pytest.raises(KeyError, match="no column 'zz' in the data"):
        describe(pd.DataFrame({"q": [1.0]}), "zz")
    out = describe(pd.DataFrame({"q": [1.0, np.nan, 3.0, np.nan]}), "q")
    assert out["group"].tolist() == ["Total"]
    assert (out["n"].iloc[0], out["missing"].iloc[0]) == (2, 2)
    assert out.columns.tolist()[:3] == ["group", "n", "missing"]


def test_frequencies_total_group_on_both_paths():
    assert frequencies(pd.DataFrame({"q": [1.0, 2.0]}), "q")["group"].tolist() == ["Total"] * 2
    text = frequencies(pd.DataFrame({"q": ["a", "b", "a"]}), "q")
    assert text["group"].tolist() == ["Total"] * 2
    assert text["count"].tolist() == [2, 1]


def test_multiple_response_tests_exclusions_and_their_errors():
    data = pd.DataFrame({"o1": [1.0, 0.0, 1.0, 0.0, 1.0, 0.0],
                         "o2": [0.0, 0.0, 1.0, 1.0, 0.0, 0.0],
                         "g": [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]})
    with _util.shared_work():
        plain = multiple_response_tests(data, ["o1", "o2"], "g")
        out = multiple_response_tests(data, ["o1", "o2"], "g", structural={"o2": [1.0, 3.0]})
    assert plain["excluded"].tolist() == ["", ""]
    assert out["excluded"].tolist() == ["", "1.0, 3.0"]
    assert out["n"].tolist() == [6, 2]
    with pytest.raises(ValueError,
                       match=r"^'o1': a group declared unable to choose it has chosen it$"):
        multiple_response_tests(data, ["o1"], "g", structural={"o1": [1.0]})


def test_group_codes_keep_a_categorical_order_and_their_own_column():
    data = pd.DataFrame({"c": pd.Categorical(["low", "high", "low"],
                                             categories=["low", "high"], ordered=True),
                         "g": [2.0, 1.0, np.nan]})
    with _util.shared_work():
        found_c, code_c = _util.group_codes(data, "c")
        found_g, code_g = _util.group_codes(data, "g")
    assert found_c == ["low", "high"] and code_c.tolist() == [0, 1, 0]
    assert found_g == [1.0, 2.0] and code_g.tolist() == [1, 0, -1]


def test_cramers_v_interval_of_a_3x3_table_by_noncentral_chi_square():
    # [[5, 1, 1], [1, 5, 1], [1, 1, 5]], n = 21, k = min(r, c) - 1 = 2: V's limits are
    # sqrt(lambda / (n k)) for the noncentralities where the noncentral chi-square cdf at the
    # observed statistic is 0.975 and 0.025 (found here with scipy's ncx2 and brentq)
    from scipy.optimize import brentq

    cells = [(1.0, 1.0, 5), (1.0, 2.0, 1), (1.0, 3.0, 1), (2.0, 1.0, 1), (2.0, 2.0, 5),
             (2.0, 3.0, 1), (3.0, 1.0, 1), (3.0, 2.0, 1), (3.0, 3.0, 5)]
    data = pd.DataFrame([(x, y) for x, y, k in cells for _ in range(k)], columns=["x", "y"])
    chi2 = sps.chi2_contingency(np.array([[5, 1, 1], [1, 5, 1], [1, 1, 5]]),
                                correction=False)[0]

    def limit(target: float) -> float:
        return brentq(lambda lam: sps.ncx2.cdf(chi2, 4, lam) - target, 1e-9, 200.0)

    v = association(data, "x", "y").set_index("measure").loc["Cramer's V"]
    assert v["estimate"] == pytest.approx(math.sqrt(chi2 / 42))
    assert v["conf_low"] == pytest.approx(math.sqrt(limit(0.975) / 42), rel=1e-6)
    assert v["conf_high"] == pytest.approx(math.sqrt(limit(0.025) / 42), rel=1e-6)


def test_text_answers_have_no_linear_by_linear_row():
    # numbers by text: no order to test, so the table has no linear-by-linear row
    data = pd.DataFrame({"x": [1.0, 1.0, 2.0, 2.0, 1.0, 2.0],
                         "y": ["a", "b", "a", "b", "a", "a"]})
    out = chi2_tests(data, "x", "y")
    assert "Linear-by-linear association" not in out["test"].tolist()
    assert out["test"].tolist()[0] == "Pearson chi-square"


# --- round 4: the last survivors of _util, _discrete, ncp_t and frequencies ----------------

def test_missing_column_is_named_in_the_error():
    # listwise deletion and the group split refuse an absent column with our own message
    # (not pandas' bare KeyError), naming the first absent column
    data = pd.DataFrame({"y": [1.0, 2.0], "g": [1.0, 2.0]})
    with pytest.raises(KeyError, match="no column 'zz' in the data"):
        _util.complete_rows(data, ["y", "zz"])
    with pytest.raises(KeyError, match="no column 'zz' in the data"):
        _util.complete_rows(data, ["zz", "g", "ww"])
    with pytest.raises(KeyError, match="no column 'zz' in the data"):
        _util.split(data, "y", "zz")
    with pytest.raises(KeyError, match="no column 'zz' in the data"):
        _util.split(data, "zz", "g")


def test_plain_is_a_numpy_column_of_the_kinds_asked():
    data = pd.DataFrame({"f": [1.0, 2.0], "i": [1, 2],
                         "e": pd.array([1.0, None], dtype="Float64")})
    assert _util._plain(data, "f", "f") is True
    assert _util._plain(data, "i", "fiu") is True
    assert _util._plain(data, "i", "f") is False
    assert _util._plain(data, "e", "f") is False  # an extension type, not a numpy array
    assert _util._plain(data, "absent", "f") is False


@pytest.mark.parametrize("between", [[1.0, 1.0, 2.0, 2.0, np.nan],  # the counting path
                                     ["a", "a", "b", "b", None]])  # the general path
def test_split_groups_are_read_only_floats(between):
    # documented: the arrays are read-only (they may be shared) and hold the values as float
    # even for an integer column
    data = pd.DataFrame({"y": [1, 2, 3, 4, 5], "g": between})
    found, groups = _util.split(data, "y", "g")
    assert len(found) == 2
    assert [g.tolist() for g in groups] == [[1.0, 2.0], [3.0, 4.0]]
    for g in groups:
        assert g.dtype == np.float64
        assert not g.flags.writeable
        with pytest.raises(ValueError):
            g[0] = 0.0


def test_memo_computes_once_per_data_and_key_inside_shared_work():
    data, other = pd.DataFrame({"y": [1.0]}), pd.DataFrame({"y": [1.0]})
    calls: list[str] = []

    def compute(tag):
        def run():
            calls.append(tag)
            return tag
        return run

    assert _util.memo(data, ("k",), compute("outside")) == "outside"
    assert _util.memo(data, ("k",), compute("outside again")) == "outside again"
    with _util.shared_work():
        assert _util.memo(data, ("k",), compute("first")) == "first"
        assert _util.memo(data, ("k",), compute("second")) == "first"  # shared
        assert _util.memo(data, ("j",), compute("other key")) == "other key"
        assert _util.memo(other, ("k",), compute("other data")) == "other data"
    assert calls == ["outside", "outside again", "first", "other key", "other data"]


def test_split_inside_shared_work_keeps_columns_apart():
    # two splits of the same data on different columns are different results
    data = pd.DataFrame({"y": [1.0, 2.0, 3.0], "z": [7.0, 8.0, 9.0], "g": [1.0, 1.0, 2.0]})
    with _util.shared_work():
        _, ys = _util.split(data, "y", "g")
        _, zs = _util.split(data, "z", "g")
        _, ys_again = _util.split(data, "y", "g", order=[2.0, 1.0])
    assert [g.tolist() for g in ys] == [[1.0, 2.0], [3.0]]
    assert [g.tolist() for g in zs] == [[7.0, 8.0], [9.0]]
    assert [g.tolist() for g in ys_again] == [[3.0], [1.0, 2.0]]


def test_grid_index_grid_is_every_whole_number_from_lowest_to_highest():
    grid, index = _discrete.grid_index(np.array([3.0, 1.0, np.nan, 3.0]))
    assert grid.tolist() == [1.0, 2.0, 3.0]
    assert index.tolist() == [3, 1, 0, 3]


def test_codes_keep_the_dtype_as_factorize_does():
    # documented as pandas.factorize(values, sort=True): float32 values stay float32
    x = np.array([2.0, 1.0, np.nan, 2.0], dtype=np.float32)
    uniques, code = _discrete.codes(x)
    ref_code, ref_uniques = pd.factorize(x, sort=True)
    assert uniques.dtype == np.asarray(ref_uniques).dtype == np.float32
    assert uniques.tolist() == [1.0, 2.0] and code.tolist() == ref_code.tolist()


def test_float32_whole_numbers_above_two_to_the_24_are_coded_as_factorize_does():
    # float32 holds the even numbers above 2**24 but not the odd ones, so a grid offset by
    # lo - 1 would round; these values are coded by the general path, as pandas codes them
    x = np.array([2**24 + 2, 2**24 + 4, 2**24 + 2, np.nan], dtype=np.float32)
    uniques, code = _discrete.codes(x)
    assert uniques.tolist() == [16777218.0, 16777220.0] and code.tolist() == [0, 1, 0, -1]
    assert _util.levels(pd.Series(x)) == [16777218.0, 16777220.0]


def _normal_limit_roots(t: float, df: float, conf: float = 0.95) -> tuple[float, float]:
    """The limits of ncp_t's normal limit in closed form: (t - d)² = z²(1 + d²/(2 df)) is
    the quadratic d²(1 - z²/(2 df)) - 2 t d + t² - z² = 0; the smaller root is the lower
    limit (z > 0: d < t), the larger the upper."""
    z = sps.norm.ppf(1 - (1 - conf) / 2)
    a, b, c = 1 - z * z / (2 * df), -2 * t, t * t - z * z
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


@pytest.mark.parametrize(("t", "df"), [(1e6, 1e4), (1e6, 1e8)])
def test_ncp_t_normal_limit_at_the_roots(t, df):
    # at t = 1e6 scipy's noncentral t is NaN at both limits themselves, so both come from
    # the normal limit N((t - d) / sqrt(1 + d²/(2 df))) (checked here too)
    lo, hi = effect_ci.ncp_t(t, df)
    assert math.isnan(sps.nct.cdf(t, df, lo)) and math.isnan(sps.nct.cdf(t, df, hi))
    ref_lo, ref_hi = _normal_limit_roots(t, df)
    assert lo == pytest.approx(ref_lo, rel=1e-11)
    assert hi == pytest.approx(ref_hi, rel=1e-11)


def test_multiple_response_tests_report_cramers_v_not_signed_phi():
    # option chosen by 3 of 4 in group 1 and 1 of 4 in group 2: the table
    # [[1, 3], [3, 1]] has phi = (1·1 - 3·3) / sqrt(4·4·4·4) = -0.5, Cramér's V = |phi| = 0.5
    data = pd.DataFrame({"g": [1.0] * 4 + [2.0] * 4,
                         "o": [1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0]})
    out = multiple_response_tests(data, ["o"], "g")
    assert out["cramers_v"].tolist() == pytest.approx([0.5], abs=1e-12)


def test_frequencies_of_mixed_answers_in_text_order():
    # answers of mixed types (numbers and text in one column) are sorted by their text, as
    # every group order is: "10" < "2" < "x"
    data = pd.DataFrame({"x": pd.Series([2, 10, 2, "x"], dtype=object)})
    out = frequencies(data, "x")
    assert out["level"].tolist() == [10, 2, "x"]
    assert out["count"].tolist() == [1, 2, 1]


def test_levels_do_not_depend_on_row_order_even_for_a_signed_zero():
    # levels() promises that shuffling the rows changes nothing; -0.0 and 0.0 are one level,
    # and which of them comes first must not change how that level is reported ("-0.0" in
    # one order, "0.0" in the other)
    rows = [-0.0, 1.0, 0.0, 1.0]
    shuffled = rows[::-1]
    assert repr(_util.levels(pd.Series(rows))) == repr(_util.levels(pd.Series(shuffled)))
    found = [_util.split(pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "g": g}), "y", "g")[0]
             for g in (rows, shuffled)]
    assert repr(found[0]) == repr(found[1])
    assert len(found[0]) == 2


def test_a_signed_zero_among_fractions_is_one_level_in_either_row_order():
    # values that are not whole numbers take the general path of levels(), not the grid
    for rows in ([-0.0, 0.5, 0.0], [0.0, 0.5, -0.0]):
        found = _util.levels(pd.Series(rows))
        assert found == [0.0, 0.5]
        assert np.copysign(1.0, found[0]) == 1.0, rows
