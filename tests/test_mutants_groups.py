"""Tests aimed at the mutants of the full mutmut run (issue 22) that survived in the group
comparisons: ``effect_ci`` (the noncentral-F and χ² limits, their widening loop, the root
finder and the large-noncentrality fallbacks), ``kgroup`` (η²/ω², Welch and Brown-Forsythe,
Kruskal-Wallis H at millions of values), ``posthoc`` (Dunn, pairwise d, the post hoc tables
and the studentized-range quantile's last fallback) and ``twogroup`` (Mann-Whitney).

Each value is checked against something the code under test did not produce: R (the R code
that made each number is in a comment beside it), PSPP's output, scipy where the function is
our own replacement for it, an exact formula, a textbook table, or a hand calculation kept
in the test. The contracts (exact columns, row names, notes and method names in the
degenerate cases) are those of tests/test_stats_contract.py.
"""

from __future__ import annotations

import importlib
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from cipsurvey.stats import effect_ci
from cipsurvey.stats.kgroup import _kruskal_h, anova, anova_effect_sizes, kruskal, robust_anova
from cipsurvey.stats.posthoc import dunn, pairwise_d, q_quantile
from cipsurvey.stats.twogroup import cohens_d, levene, mann_whitney, ttest

# the module itself (cipsurvey.stats.posthoc is also the name of its main function)
posthoc_module = importlib.import_module("cipsurvey.stats.posthoc")


def groups(*values: list[float]) -> pd.DataFrame:
    """Groups 1, 2, ... with these values of y."""
    return pd.DataFrame({"y": [v for vs in values for v in vs],
                         "g": [float(k) for k, vs in enumerate(values, 1) for _ in vs]})


# --- effect_ci: the root finder ------------------------------------------------------------

def test_solve_returns_a_root_at_the_end_of_the_bracket():
    # 1 - x is 0 at x = 1, the bracket's upper end: the product of the ends is 0, not > 0,
    # so this is a bracket (brentq returns the end where f is 0)
    assert effect_ci._solve(lambda x: 1.0 - x, 0.0, 1.0) == 1.0
    assert effect_ci._solve(lambda x: x, 0.0, 1.0) == 0.0


def test_solve_without_a_sign_change_is_nan():
    # x + 0.5 is 0.5 and 1.5 at the ends: no root in [0, 1], however small the product
    assert math.isnan(effect_ci._solve(lambda x: x + 0.5, 0.0, 1.0))
    assert math.isnan(effect_ci._solve(lambda x: -x - 2.0, 0.0, 1.0))


def test_solve_locates_a_sign_change_to_its_tolerance():
    # a step at r leaves brentq nothing to interpolate, so it bisects until the bracket is
    # narrower than xtol + rtol·|x| = 1e-12 + 1e-12·r: the root is within that of r
    r = 0.001

    def step(x: float) -> float:
        return 1.0 if x < r else -1.0

    assert abs(effect_ci._solve(step, 0.0, 1.0) - r) <= 1e-12 + 1e-12 * r


def test_solve_converges_on_a_very_wide_bracket():
    # the widening loop of _nonnegative_limits multiplies the top by 4 until the root is
    # inside: bisecting [0, 1e20] down to 1e-12 takes about 106 halvings, more than
    # brentq's default of 100 iterations
    r = 1 / 3

    def step(x: float) -> float:
        return 1.0 if x < r else -1.0

    assert effect_ci._solve(step, 0.0, 1e20) == pytest.approx(r, abs=2e-12)


# --- effect_ci: _nonnegative_limits ---------------------------------------------------------

def test_nonnegative_limits_widen_the_bracket_until_the_root_is_inside():
    """A made-up decreasing cdf(λ) = exp(-λ/500), for which the limits are known by hand:
    cdf = p at λ = -500·ln p, so the 95 % limits are -500·ln 0.975 = 12.659 and
    -500·ln 0.025 = 1844.4. The search starts at top = 100, below the upper limit: the
    loop must widen it (100, 400, 1600, 6400) while cdf(top) > 0.025. At 1600 the cdf is
    exp(-3.2) = 0.041, between α/2 and 2α, so a loop testing 2α would stop too early. A
    loop that never ends (a top that does not grow) stops the test after 10,000 calls."""
    calls = []

    def cdf(stat: float, lam: float) -> float:
        calls.append(lam)
        if len(calls) > 10_000:
            raise RuntimeError("the widening loop does not end")
        return math.exp(-lam / 500)

    lo, hi = effect_ci._nonnegative_limits(cdf, 1.0, 0.95, 100.0)
    assert lo == pytest.approx(-500 * math.log(0.975), rel=1e-10)
    assert hi == pytest.approx(-500 * math.log(0.025), rel=1e-10)


def test_ncp_f_widens_its_search_on_one_denominator_df():
    """F = 10 on (1, 1) df at 99.998 %: the search starts at top = 20·F·df1 = 200, where
    scipy's noncentral F cdf is 2.0e-5, still above α/2 = 1e-5, so the top is widened.

    R:  pf(10, 1, 1)                                                 # 0.805017770957863
        f <- function(l, p) pf(10, 1, 1, ncp = l) - p
        uniroot(f, c(0, 1e4), p = 1e-5, tol = 1e-13)$root          # 214.624460491744
    The lower limit is 0: even λ = 0 puts F = 10 below the 1 - 1e-5 point. (scipy's and
    R's noncentral F differ by 6e-6 relative this far in the tail, hence rel = 2e-5.)"""
    lo, hi = effect_ci.ncp_f(10.0, 1, 1, conf=0.99998)
    assert lo == 0.0
    assert hi == pytest.approx(214.624460491744, rel=2e-5)


def test_ncp_f_limits_at_zero_when_f_is_small():
    # R:  pf(0.5, 2, 20)                                             # 0.386086746459241
    #     g <- function(l, p) pf(0.5, 2, 20, ncp = l) - p
    #     uniroot(g, c(0, 100), p = .025, tol = 1e-13)$root         # 7.03753257364214
    # F = 0.5 is below the 97.5 % point even at λ = 0: the lower limit is exactly 0
    lo, hi = effect_ci.ncp_f(0.5, 2, 20)
    assert lo == 0.0
    assert hi == pytest.approx(7.03753257364214, rel=1e-8)
    # F = 0 (equal means): the cdf at 0 is 0 for every λ, so both limits are 0
    assert effect_ci.ncp_f(0.0, 2, 20) == (0.0, 0.0)


def test_ncp_f_needs_positive_df():
    for df1, df2 in ((0, 20), (2, 0), (-1, 20), (2, -3)):
        lo, hi = effect_ci.ncp_f(2.0, df1, df2)
        assert math.isnan(lo) and math.isnan(hi), (df1, df2)


def test_ncp_f_with_an_exact_denominator_is_the_chi_square_interval():
    """With df2 = ∞ the denominator of F is exactly 1, so df1·F is a noncentral χ² with the
    same λ: scipy's noncentral F is NaN there and ncp_f falls back on the χ² cdf of
    df1·F = 12 on 2 df, which must give R's χ² limits.

    R:  g <- function(l, p) pchisq(12, 2, ncp = l) - p
        c(uniroot(g, c(0, 200), p = .975, tol = 1e-13)$root,
          uniroot(g, c(0, 200), p = .025, tol = 1e-13)$root)   # 1.60444113099843 28.1663798368383
    """
    lo, hi = effect_ci.ncp_f(6.0, 2, math.inf)
    assert (lo, hi) == pytest.approx((1.60444113099843, 28.1663798368383), rel=1e-9)


def test_ncx2_cdf_normal_limit_where_scipy_gives_nan():
    """At λ = 1e12 scipy's noncentral χ² cdf is NaN and _ncx2_cdf uses the normal limit with
    mean df + λ and variance 2(df + 2λ). On 1 df the cdf is exact in closed form:
    X = (Z + √λ)², so P(X ≤ x) = Φ(√x - √λ) - Φ(-√x - √λ). At x half a standard deviation
    above the mean both are Φ(0.5) = 0.691462 (the normal limit's error is about 1/√λ)."""
    lam = 1e12
    x = lam + 1 + 0.5 * math.sqrt(2 * (1 + 2 * lam))
    assert math.isnan(sps.ncx2.cdf(x, 1, lam))  # the fallback is really taken
    exact = (sps.norm.cdf((x - lam) / (math.sqrt(x) + math.sqrt(lam)))
             - sps.norm.cdf(-math.sqrt(x) - math.sqrt(lam)))
    assert exact == pytest.approx(0.691462, abs=1e-5)
    assert effect_ci._ncx2_cdf(x, 1, lam) == pytest.approx(exact, abs=1e-5)
    # below the mean by 2 standard deviations: Φ(-2) = 0.0227501
    x = lam + 1 - 2 * math.sqrt(2 * (1 + 2 * lam))
    exact = sps.norm.cdf((x - lam) / (math.sqrt(x) + math.sqrt(lam)))
    assert effect_ci._ncx2_cdf(x, 1, lam) == pytest.approx(exact, abs=1e-5)
    assert exact == pytest.approx(0.0227501, abs=1e-5)


# --- kgroup --------------------------------------------------------------------------------

COLS_ES = ["measure", "estimate", "conf_low", "conf_high", "method", "note"]


def test_anova_effect_sizes_by_hand_and_r():
    """Groups [1, 2, 3], [2, 3, 4], [4, 5, 6]: means 2, 3, 5, grand mean 10/3; SSB = 14,
    SSW = 6, SST = 20, df 2 and 6, MSW = 1, F = 7; η² = 14/20 = 0.7 and
    ω² = (14 - 2·1)/(20 + 1) = 4/7.

    R:  pf(7, 2, 6)                                 # 0.973 (< .975: the lower λ is 0)
        f <- function(l, p) pf(7, 2, 6, ncp = l) - p
        uniroot(f, c(0, 200), p = .025, tol = 1e-13)$root     # 41.4089840296419
    η²'s upper limit λ/(λ + 6), ω²'s (λ - 2)/(λ + 7)."""
    lam = 41.4089840296419
    out = anova_effect_sizes(groups([1, 2, 3], [2, 3, 4], [4, 5, 6]), "y", "g")
    assert out.columns.tolist() == COLS_ES
    assert out["measure"].tolist() == ["eta squared", "omega squared"]
    assert out["estimate"].tolist() == pytest.approx([0.7, 4 / 7], rel=1e-12)
    assert out["conf_low"].tolist() == [0.0, 0.0]
    assert out["conf_high"].tolist() == pytest.approx([lam / (lam + 6), (lam - 2) / (lam + 7)],
                                                      rel=1e-8)
    assert out["method"].tolist() == ["CI by noncentral F inversion"] * 2
    assert out["note"].tolist() == ["", ""]


def test_anova_effect_sizes_of_one_group_name_both_measures():
    out = anova_effect_sizes(groups([1, 2, 3]), "y", "g")
    assert out.columns.tolist() == COLS_ES
    assert out["measure"].tolist() == ["eta squared", "omega squared"]
    assert out["note"].tolist() == ["fewer than two groups with values: no test"] * 2
    assert out[["estimate", "conf_low", "conf_high"]].isna().all().all()


def test_anova_effect_sizes_when_f_overflows():
    """Groups [0, 1e-160] and [1e10, 1e10]: the within-group sum of squares is 5e-321 (a
    subnormal number, not 0), so F = MSB/MSW overflows to infinity with no note. η² and ω²
    are still defined: SSB/SST = 1 and (SSB - MSW)/(SST + MSW) = 1 to double precision.
    Only the interval is undefined (ncp_f of an infinite F): NaN, not 0."""
    with np.errstate(over="ignore"):
        out = anova_effect_sizes(groups([0.0, 1e-160], [1e10, 1e10]), "y", "g")
    assert out["estimate"].tolist() == [1.0, 1.0]
    assert out[["conf_low", "conf_high"]].isna().all().all()
    assert out["note"].tolist() == ["", ""]


def test_robust_anova_with_a_one_value_group_names_both_tests():
    out = robust_anova(groups([1, 2, 3], [4]), "y", "g")
    assert out["test"].tolist() == ["Welch", "Brown-Forsythe"]
    assert out["method"].tolist() == ["Welch's ANOVA", "Brown-Forsythe F* test"]
    assert out["note"].tolist() == ["a group with one value: no variance"] * 2
    assert out[["statistic", "df1", "df2", "p"]].isna().all().all()


def test_robust_anova_rows_have_no_note():
    # groups [1, 2, 3] and [2, 4, 9]: means 2 and 5, variances 1 and 13, n = 3 each.
    # With two groups Welch's F is Welch's t²: (5 - 2)² / (1/3 + 13/3) = 9/4.6667 = 1.928571,
    # and Brown-Forsythe's F* with equal n is the same number
    out = robust_anova(groups([1, 2, 3], [2, 4, 9]), "y", "g")
    assert out["statistic"].tolist() == pytest.approx([27 / 14, 27 / 14], rel=1e-12)
    assert out["note"].tolist() == ["", ""]


def test_kruskal_h_past_two_million_values():
    """2.2 million answers of 0 or 1 in two groups, [[600,000, 500,000], [500,000, 600,000]]
    (zeros, ones): n³ = 1.06e19 is beyond the int64 range, so the tie correction must be
    computed in floats. For two groups and two values the tie-corrected H is
    (N - 1)·(ad - bc)² / (r1·r2·c1·c2) (N - 1 times φ²), by hand:
    2,199,999 · (3.6e11 - 2.5e11)² / 1.1e6⁴ = 18181.81..."""
    a, b, c, d = 600_000, 500_000, 500_000, 600_000
    n = a + b + c + d
    expected = (n - 1) * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    g1 = np.repeat([0.0, 1.0], [a, b])
    g2 = np.repeat([0.0, 1.0], [c, d])
    assert _kruskal_h([g1, g2]) == pytest.approx(expected, rel=1e-9)


def test_kruskal_h_as_scipy_on_small_groups():
    # the ranks from counts against scipy's kruskal (the library this replaces)
    g = [np.array([1.0, 2, 2, 5]), np.array([2.0, 3, 7]), np.array([1.0, 1, 9, 9, 4])]
    assert _kruskal_h(g) == pytest.approx(sps.kruskal(*g).statistic, rel=1e-12)
    assert kruskal(groups(*g), "y", "g")["statistic"].iloc[0] == pytest.approx(
        sps.kruskal(*g).statistic, rel=1e-12)


# --- posthoc: Dunn -------------------------------------------------------------------------

DUNN = ["method", "group1", "group2", "n1", "n2", "estimate", "statistic", "p", "p_adj", "note"]


def test_dunn_of_one_group():
    out = dunn(groups([1, 2, 3]), "y", "g")
    assert out.columns.tolist() == DUNN
    assert out["method"].tolist() == ["Dunn"]
    assert out["note"].tolist() == ["fewer than two groups"]


def test_dunn_of_two_single_values_by_hand():
    """[1] against [2]: ranks 1 and 2, N = 2, no ties, so the rank variance is
    N(N + 1)/12 = 0.5 and se = √(0.5·(1 + 1)) = 1; z = (1 - 2)/1 = -1 and
    p = 2Φ(-1) = 0.317310507862914. One pair: p_adj = p for "none" and Bonferroni."""
    p = 0.317310507862914
    for adjust in ("none", "bonferroni"):
        out = dunn(groups([1], [2]), "y", "g", p_adjust=adjust)
        assert out.columns.tolist() == DUNN
        assert out["estimate"].tolist() == [-1.0]
        assert out["statistic"].tolist() == pytest.approx([-1.0], rel=1e-15)
        assert out["p"].tolist() == pytest.approx([p], rel=1e-12)
        assert out["p_adj"].tolist() == pytest.approx([p], rel=1e-12)
        assert out["note"].tolist() == [""]


def test_dunn_without_adjustment_keeps_each_p():
    # three groups, three pairs: with p_adjust="none" p_adj is p itself (Bonferroni would
    # triple the two smaller ones)
    data = groups([1, 2, 3], [4, 5, 6], [2, 7, 8])
    none = dunn(data, "y", "g", p_adjust="none")
    assert none["p_adj"].tolist() == none["p"].tolist()
    assert none["p"].notna().all()
    bonf = dunn(data, "y", "g")
    assert bonf["p_adj"].tolist() == pytest.approx(
        [min(1.0, 3 * p) for p in none["p"]], rel=1e-12)


def test_dunn_all_values_tied():
    """Every answer 2: all ranks are 2.5, the tie correction takes the whole variance
    (N(N + 1)/12 = Σ(t³ - t)/(12(N - 1)) = 2.5 at N = 4), so there is no test: z and p NaN
    with the note, and no numpy warning from dividing 0 by 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = dunn(groups([2, 2], [2, 2]), "y", "g")
    assert out["estimate"].tolist() == [0.0]
    assert out[["statistic", "p", "p_adj"]].isna().all().all()
    assert out["note"].tolist() == ["all values tied"]


# --- posthoc: pairwise d and the studentized-range quantile --------------------------------

def test_pairwise_d_default_conf_and_index():
    """Cohen's d for every pair at the default 95 %, numbered 0, 1, 2 like every result.

    R:  a <- c(1, 2, 3, 4); b <- c(2, 4, 5, 7)
        t <- unname(t.test(a, b, var.equal = TRUE)$statistic); s <- sqrt(1/4 + 1/4)
        f <- function(d, p) pt(t, 6, ncp = d) - p
        t * s                                                     # -1.15470053837925
        c(uniroot(f, c(-20, 20), p = .975, tol = 1e-13)$root * s,
          uniroot(f, c(-20, 20), p = .025, tol = 1e-13)$root * s)
        # -2.642331754533661 0.409511124751373
    """
    out = pairwise_d(groups([1, 2, 3, 4], [2, 4, 5, 7], [3, 5, 6, 9]), "y", "g")
    assert out.index.tolist() == [0, 1, 2]
    first = out.iloc[0]
    assert (first["group1"], first["group2"]) == (1.0, 2.0)
    assert first["estimate"] == pytest.approx(-1.15470053837925, rel=1e-12)
    assert (first["conf_low"], first["conf_high"]) == pytest.approx(
        (-2.642331754533661, 0.409511124751373), rel=1e-7)


def test_q_quantile_last_fallback_is_scipys_ppf(monkeypatch):
    """When neither secant search (on the fixed rule, then on scipy's cdf) gives a root that
    scipy's cdf confirms, q_quantile returns scipy's own ppf. Both searches are made to fail
    (the secant returns NaN); the answer must be scipy's ppf, which is Tukey's table value
    q(0.95; 3, 20) = 3.578 (e.g. Harter 1960; Table of the studentized range)."""
    monkeypatch.setattr(posthoc_module, "_secant", lambda cdf, conf, start: math.nan)
    q = q_quantile(0.95, 3, 20)
    assert q == sps.studentized_range.ppf(0.95, 3, 20)
    assert q == pytest.approx(3.578, abs=5e-4)


# --- twogroup: Mann-Whitney ----------------------------------------------------------------

MW = ["group1", "group2", "n1", "n2", "mean_rank1", "mean_rank2", "u1", "u", "w", "statistic",
      "p", "method", "note"]
MW_METHOD = "Mann-Whitney U, normal approximation with tie correction"


def test_mann_whitney_one_value_against_two_as_pspp():
    """Group 1 = [2], group 2 = [1, 3]. PSPP 1.6.2 (NPAR TESTS /M-W = y BY g (1 2)):
    mean ranks 2.00 and 2.00, sums 2.00 and 4.00, Mann-Whitney U 1.00, Wilcoxon W 4.00,
    Z .00, Asymp. Sig. 1.000. With equal U for both groups PSPP reports group 2's
    rank sum as W (mann-whitney.c: w = rank_sum[1] unless group 2's U is the larger)."""
    out = mann_whitney(groups([2], [1, 3]), "y", "g")
    assert out.columns.tolist() == MW
    row = out.iloc[0]
    assert (row["group1"], row["group2"], row["n1"], row["n2"]) == (1.0, 2.0, 1, 2)
    assert (row["mean_rank1"], row["mean_rank2"]) == (2.0, 2.0)
    assert (row["u1"], row["u"], row["w"]) == (1.0, 1.0, 4.0)
    assert row["statistic"] == 0.0 and row["p"] == 1.0
    assert row["method"] == MW_METHOD and row["note"] == ""


def test_mann_whitney_with_an_empty_group_keeps_its_identity():
    out = mann_whitney(groups([1, 2], [3, 4]), "y", "g", order=[1.0, 3.0])
    assert out.columns.tolist() == MW
    row = out.iloc[0]
    assert (row["group1"], row["group2"], row["n1"], row["n2"]) == (1.0, 3.0, 2, 0)
    assert row["method"] == MW_METHOD
    assert row["note"] == "an empty group: no test"
    assert out[["u", "w", "statistic", "p"]].isna().all().all()


def test_mann_whitney_all_tied_keeps_its_identity():
    out = mann_whitney(groups([5, 5], [5, 5, 5]), "y", "g")
    row = out.iloc[0]
    assert (row["group1"], row["group2"], row["n1"], row["n2"]) == (1.0, 2.0, 2, 3)
    assert row["method"] == MW_METHOD
    assert row["note"] == "all values tied: no test"
    assert out[["u", "w", "statistic", "p"]].isna().all().all()


def test_a_million_tied_values_are_no_test():
    """1,000,005 answers, all 3, in two groups. The tie-corrected rank variance
    N(N + 1)/12 - Σ(t³ - t)/(12(N - 1)) is 0 by hand, but in floating point it comes out
    1.5e-5 for Dunn (and about 2.4 for Mann-Whitney's form), which gave z = 0 and p = 1 as if
    there were a test. With every value tied there is none."""
    n = 1_000_005
    data = pd.DataFrame({"y": np.full(n, 3.0),
                         "g": np.r_[np.ones(500_000), np.full(n - 500_000, 2.0)]})
    d = dunn(data, "y", "g")
    assert d["note"].tolist() == ["all values tied"]
    assert d[["statistic", "p", "p_adj"]].isna().all().all()
    mw = mann_whitney(data, "y", "g")
    assert mw["note"].tolist() == ["all values tied: no test"]
    assert mw[["statistic", "p"]].isna().all().all()


# --- effect_ci: _bracket, ncp_t and ncp_chi2 -----------------------------------------------

def test_bracket_root_on_its_first_end():
    # 1 - x is 0 at centre + width = 1: the first bracket already holds the root at its end
    assert effect_ci._bracket(lambda x: 1.0 - x, 0.0, 1.0) == 1.0


def test_bracket_widens_by_width_until_the_signs_differ():
    # 0.5 - x/10 is 0.6 and 0.4 at the first ends (-1, 1): same sign, so both ends move out
    # by the width until the upper end reaches the root at 5
    assert effect_ci._bracket(lambda x: 0.5 - x / 10, 0.0, 1.0) == pytest.approx(5.0, abs=1e-12)
    # and to the left: the root at -5
    assert effect_ci._bracket(lambda x: -0.5 - x / 10, 0.0, 1.0) == pytest.approx(-5.0, abs=1e-12)


def test_bracket_gives_up_after_sixty_widenings():
    # the k-th try (k = 1..60) spans centre ± k·width: a root at 59.5 is found on the 60th,
    # one at 60.5 would need a 61st and gives NaN
    assert effect_ci._bracket(lambda x: 59.5 - x, 0.0, 1.0) == pytest.approx(59.5, abs=1e-12)
    assert math.isnan(effect_ci._bracket(lambda x: 60.5 - x, 0.0, 1.0))


def test_bracket_shrinks_each_nan_end_separately():
    # 2 - x, NaN above 3 and below -30: from centre 0 and width 5 the upper end (NaN) moves
    # towards the centre (0.6 of the way each time) while the lower end (finite, positive)
    # moves out by the width; the root 2 is found
    def f(x: float) -> float:
        return 2.0 - x if -30 <= x <= 3 else math.nan

    assert effect_ci._bracket(f, 0.0, 5.0) == pytest.approx(2.0, abs=1e-12)

    # the mirror image: x - 2 reversed, root at -2, NaN below -3
    def g(x: float) -> float:
        return -2.0 - x if -3 <= x <= 30 else math.nan

    assert effect_ci._bracket(g, 0.0, 5.0) == pytest.approx(-2.0, abs=1e-12)


def test_ncp_t_on_one_df_and_its_guards():
    # R:  f <- function(d, p) pt(3, 1, ncp = d) - p
    #     c(uniroot(f, c(-50, 200), p = .975, tol = 1e-13)$root,
    #       uniroot(f, c(-50, 200), p = .025, tol = 1e-13)$root)
    #     # -0.924800855204537 7.087937772910853
    # (R warns that pnt may not reach full precision on 1 df, hence rel = 1e-6)
    lo, hi = effect_ci.ncp_t(3.0, 1)
    assert (lo, hi) == pytest.approx((-0.924800855204537, 7.087937772910853), rel=1e-6)
    for t, df in ((3.0, 0), (3.0, -1), (math.inf, 10), (math.nan, 10)):
        assert all(math.isnan(v) for v in effect_ci.ncp_t(t, df)), (t, df)


def test_ncp_chi2_default_conf_one_df_and_guards():
    # R:  g <- function(l, p) pchisq(12, 2, ncp = l) - p
    #     c(uniroot(g, c(0, 200), p = .975, tol = 1e-13)$root,
    #       uniroot(g, c(0, 200), p = .025, tol = 1e-13)$root)  # 1.60444113099843 28.1663798368383
    assert effect_ci.ncp_chi2(12.0, 2) == pytest.approx((1.60444113099843, 28.1663798368383),
                                                        rel=1e-9)
    # R:  pchisq(5, 1)                                              # 0.974652681322532 (< .975)
    #     g <- function(l, p) pchisq(5, 1, ncp = l) - p
    #     uniroot(g, c(0, 200), p = .025, tol = 1e-13)$root         # 17.6066842174244
    lo, hi = effect_ci.ncp_chi2(5.0, 1)
    assert lo == 0.0 and hi == pytest.approx(17.6066842174244, rel=1e-9)
    for x2, df in ((math.inf, 2), (math.nan, 2), (5.0, 0), (5.0, -1)):
        assert all(math.isnan(v) for v in effect_ci.ncp_chi2(x2, df)), (x2, df)


def test_ncp_chi2_lower_limit_exactly_at_the_boundary():
    # at the 97.5 % point of the central χ² (cdf exactly 0.975 in floating point) even λ = 0
    # just reaches the limit: the lower limit is 0, not chndtrinc's subnormal residue
    x2 = sps.chi2.ppf(0.975, 2)
    assert sps.chi2.cdf(x2, 2) == 0.975
    assert effect_ci.ncp_chi2(x2, 2)[0] == 0.0


# --- kgroup: contracts ---------------------------------------------------------------------

def test_anova_one_value_per_group_and_row_notes():
    one = anova(groups([1], [2]), "y", "g")
    assert one["note"].tolist() == ["one value per group: no within-group variance"] * 3
    out = anova(groups([1, 2, 3], [2, 3, 4], [4, 5, 6]), "y", "g")
    assert out["note"].tolist() == ["", "", ""]
    assert out["ss"].tolist() == pytest.approx([14.0, 6.0, 20.0])  # by hand, see above


def test_kruskal_contracts():
    method = "Kruskal-Wallis H, tie-corrected, chi-square approximation"
    few = kruskal(groups([1, 2, 3]), "y", "g")
    assert few["test"].tolist() == ["Kruskal-Wallis"] and few["method"].tolist() == [method]
    assert few["n"].tolist() == [3]
    ok = kruskal(groups([1, 2, 3], [4, 5, 6]), "y", "g")
    assert ok["note"].tolist() == [""] and ok["method"].tolist() == [method]


# --- twogroup: t tests, Levene, Cohen's d --------------------------------------------------

def test_two_group_functions_refuse_three_groups_or_a_bad_order():
    data = groups([1, 2], [3, 4], [5, 6])
    with pytest.raises(ValueError, match=r"^'g' has 3 groups; give the two to compare as order$"):
        ttest(data, "y", "g")
    with pytest.raises(ValueError, match=r"^order must name two groups$"):
        ttest(data, "y", "g", order=[1.0, 2.0, 3.0])


def test_ttest_with_an_empty_group():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ttest(groups([1, 2, 3], [4, 5]), "y", "g", order=[1.0, 3.0])
    assert out["test"].tolist() == ["Student", "Welch"]
    assert out["method"].tolist() == ["Student's t, pooled variance",
                                      "Welch's t, Satterthwaite df"]
    assert out["note"].tolist() == ["an empty group: no test"] * 2
    assert out["group1"].tolist() == [1.0, 1.0] and out["group2"].tolist() == [3.0, 3.0]
    assert out["n1"].tolist() == [3, 3] and out["n2"].tolist() == [0, 0]
    assert out["mean1"].tolist() == [2.0, 2.0] and out["mean2"].isna().all()
    # the empty group first: its mean is NaN too, again without numpy's warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ttest(groups([1, 2, 3], [4, 5]), "y", "g", order=[3.0, 1.0])
    assert out["note"].tolist() == ["an empty group: no test"] * 2
    assert out["n1"].tolist() == [0, 0] and out["n2"].tolist() == [3, 3]
    assert out["mean1"].isna().all() and out["mean2"].tolist() == [2.0, 2.0]


def test_ttest_one_value_against_two_by_hand():
    """[5] against [1, 3]: pooled variance (0 + 2)/1 = 2, se = √(2·(1 + 1/2)) = √3,
    t = (5 - 2)/√3 = √3 on 1 df; Welch's t needs two values in each group."""
    out = ttest(groups([5], [1, 3]), "y", "g")
    assert out["test"].tolist() == ["Student", "Welch"]
    assert out["group1"].tolist() == [1.0, 1.0] and out["group2"].tolist() == [2.0, 2.0]
    assert out["mean1"].tolist() == [5.0, 5.0] and out["mean2"].tolist() == [2.0, 2.0]
    assert out["statistic"].iloc[0] == pytest.approx(math.sqrt(3), rel=1e-12)
    assert out["df"].iloc[0] == 1
    assert out["note"].tolist() == ["", "a group with one value: Welch's t undefined"]
    assert out["estimate"].tolist() == [3.0, 3.0]
    assert out["n1"].tolist() == [1, 1] and out["method"].iloc[1] == "Welch's t, Satterthwaite df"
    # Welch with two values in the smaller group is computed: [1, 2] against [3, 5, 10]
    welch = ttest(groups([1, 2], [3, 5, 10]), "y", "g").iloc[1]
    assert welch["note"] == "" and np.isfinite(welch["statistic"])


def test_ttest_zero_variance_in_both_groups():
    out = ttest(groups([2, 2], [3, 3, 3]), "y", "g")
    assert out["test"].tolist() == ["Student", "Welch"]
    assert out["method"].tolist() == ["Student's t, pooled variance",
                                      "Welch's t, Satterthwaite df"]
    assert out["note"].tolist() == ["zero variance in both groups: no test"] * 2
    assert out["estimate"].tolist() == [-1.0, -1.0]
    assert out["group1"].tolist() == [1.0, 1.0] and out["n2"].tolist() == [3, 3]


def test_ttest_with_one_constant_group_raises_no_warning():
    # [2, 2, 2] against [1, 2, 3]: scipy warns of catastrophic cancellation for the constant
    # group (its variance is exactly 0); the warning is not the user's business. Student's
    # t = 0 (equal means)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ttest(groups([2, 2, 2], [1, 2, 3]), "y", "g")
    assert out["statistic"].tolist() == [0.0, 0.0]


def test_levene_contracts():
    name = "Levene (mean)"
    few = levene(groups([1], [2]), "y", "g")
    assert few["test"].tolist() == [name]
    assert few["note"].tolist() == ["fewer than two groups with values"]
    flat = levene(groups([1, 1], [2, 2]), "y", "g")
    assert flat["test"].tolist() == [name] and flat["note"].tolist() == ["no variance in any group"]
    med = levene(groups([1, 2, 4], [2, 3, 9]), "y", "g", center="median")
    assert med["test"].tolist() == ["Levene (median, Brown-Forsythe)"]
    assert med["method"].tolist() == ["Levene's test centred on the median"]
    assert med["note"].tolist() == [""]
    # at the boundary n - k = 1 ([1, 2] and [3]) the test runs on (1, 1) df
    with np.errstate(divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        edge = levene(groups([1, 2], [3]), "y", "g")
    assert (edge["df1"].iloc[0], edge["df2"].iloc[0]) == (1, 1)
    assert edge["note"].tolist() == [""]


def test_cohens_d_one_value_against_two_by_hand():
    """[5] against [1, 3]: pooled SD √((0 + 1·2)/1) = √2 (the single value adds no
    variance), d = (5 - 2)/√2 = 2.1213203."""
    out = cohens_d(groups([5], [1, 3]), "y", "g")
    assert out["measure"].tolist() == ["Cohen's d", "Hedges' g"]
    assert out["estimate"].iloc[0] == pytest.approx(3 / math.sqrt(2), rel=1e-12)
    assert out["method"].tolist() == ["pooled SD; CI by noncentral t inversion",
                                      "pooled SD; CI by noncentral t inversion; exact J correction"]
    assert out["note"].tolist() == ["", ""]


def test_cohens_d_degenerate_rows_keep_their_identity():
    empty = cohens_d(groups([1, 2, 3], [4]), "y", "g", order=[1.0, 3.0])
    assert empty["note"].tolist() == ["too few values: no effect size"] * 2
    assert empty["group1"].tolist() == [1.0, 1.0] and empty["group2"].tolist() == [3.0, 3.0]
    assert empty["n1"].tolist() == [3, 3] and empty["n2"].tolist() == [0, 0]
    flat = cohens_d(groups([2, 2], [2, 2]), "y", "g")
    assert flat["note"].tolist() == ["zero variance: d undefined"] * 2
    assert flat["group1"].tolist() == [1.0, 1.0] and flat["n2"].tolist() == [2, 2]


def test_bracket_steps_by_hand():
    """Where _bracket looks, by hand. Both ends move out by the width while f has the same
    sign at both (0.5 - x/10 from centre 0, width 1: -1, 1, -2, 2, ...; the mirror image
    likewise); an end where f is NaN moves 0.6 of the way towards the centre
    (12 - x, NaN outside [7, 13], from centre 10 and width 5: 5 and 15 are NaN, then
    10 - 5·0.6 = 7 and 10 + 5·0.6 = 13, which bracket the root 12)."""
    for f, root in ((lambda x: 0.5 - x / 10, 5.0), (lambda x: -0.5 - x / 10, -5.0)):
        seen = []
        assert effect_ci._bracket(lambda x, f=f, seen=seen: seen.append(x) or f(x),
                                  0.0, 1.0) == \
            pytest.approx(root, abs=1e-12)
        assert seen[:8] == [-1.0, 1.0, -2.0, 2.0, -3.0, 3.0, -4.0, 4.0]
    seen = []

    def g(x: float) -> float:
        seen.append(x)
        return 12.0 - x if 7 <= x <= 13 else math.nan

    assert effect_ci._bracket(g, 10.0, 5.0) == pytest.approx(12.0, abs=1e-12)
    assert seen[:4] == pytest.approx([5.0, 15.0, 7.0, 13.0], abs=1e-12)


def test_posthoc_names_its_methods_when_given_another():
    with pytest.raises(ValueError,
                       match=r"^method must be one of scheffe, tukey, bonferroni, games_howell$"):
        posthoc_module.posthoc(groups([1, 2], [3, 4]), "y", "g", method="lsd")


# --- round 4: the post hoc tables' boundaries and degenerate rows ---------------------------

PH = ["method", "group1", "group2", "n1", "n2", "estimate", "se", "statistic", "df", "p",
      "conf_low", "conf_high", "note"]


def test_posthoc_of_two_groups_by_hand():
    """Two groups are enough for a post hoc table. [1, 2, 3] against [4, 5, 6]: d = -3,
    MS_within = (2 + 2)/4 = 1, SE = √(2/3), Scheffé F = (d/SE)²/(k - 1) = 13.5 on (1, 4) df.

    R:  pf(13.5, 1, 4, lower.tail = FALSE)          # 0.021311641128756727
        sqrt(2/3) * sqrt(qf(.95, 1, 4))               # 2.2669579355275191 (half width)
    """
    out = posthoc_module.posthoc(groups([1, 2, 3], [4, 5, 6]), "y", "g", "scheffe")
    assert out.columns.tolist() == PH and len(out) == 1
    row = out.iloc[0]
    assert (row["method"], row["group1"], row["group2"], row["n1"], row["n2"]) == (
        "Scheffé", 1.0, 2.0, 3, 3)
    assert row["estimate"] == -3.0 and row["df"] == 4
    assert row["se"] == pytest.approx(math.sqrt(2 / 3), rel=1e-15)
    assert row["statistic"] == pytest.approx(13.5, rel=1e-14)
    assert row["p"] == pytest.approx(0.021311641128756727, rel=1e-10)
    assert (row["conf_low"], row["conf_high"]) == pytest.approx(
        (-3 - 2.2669579355275191, -3 + 2.2669579355275191), rel=1e-10)
    assert row["note"] == ""


def test_posthoc_on_a_single_within_group_df_by_hand():
    """[1, 3] against [5]: N - k = 1 within-group df is enough. MS_within = 2/1 = 2,
    SE = √(2·(1/2 + 1)) = √3, Bonferroni t = (2 - 5)/√3 = -√3 on 1 df, one pair so
    p = 2·P(T₁ < -√3) = 2·(1/2 - atan(√3)/π) = 1/3 exactly; half width t₁(.975)·√3 =
    tan(0.475π)·√3 (R: 2 * pt(-sqrt(3), 1); qt(.975, 1) * sqrt(3) = 22.007792174426871)."""
    out = posthoc_module.posthoc(groups([1, 3], [5]), "y", "g", "bonferroni")
    row = out.iloc[0]
    assert row["note"] == "" and row["df"] == 1
    assert row["statistic"] == pytest.approx(-math.sqrt(3), rel=1e-14)
    assert row["p"] == pytest.approx(1 / 3, rel=1e-12)
    half = math.tan(0.475 * math.pi) * math.sqrt(3)
    assert half == pytest.approx(22.007792174426871, rel=1e-13)
    assert (row["conf_low"], row["conf_high"]) == pytest.approx((-3 - half, -3 + half),
                                                                rel=1e-10)


@pytest.mark.parametrize("method", ["scheffe", "tukey", "bonferroni", "games_howell"])
def test_posthoc_without_a_table_names_its_method(method):
    """One group, or two single values (no within-group df): one row, the method's name as
    SPSS prints it, the note, everything else NaN."""
    names = {"scheffe": "Scheffé", "tukey": "Tukey HSD", "bonferroni": "Bonferroni",
             "games_howell": "Games-Howell"}
    for data in (groups([1, 2, 3]), groups([1], [2])):
        out = posthoc_module.posthoc(data, "y", "g", method)
        assert out.columns.tolist() == PH
        assert out["method"].tolist() == [names[method]]
        assert out["note"].tolist() == ["fewer than two groups or no within-group df"]
        assert out.drop(columns=["method", "note"]).isna().all().all()


def test_games_howell_with_two_values_in_each_group_by_hand():
    """[1, 2] against [3, 4]: two values per group are enough for Games-Howell.
    Each SE² part is 0.5/2 = 0.25, SE = √0.5, Welch df = 0.5²/(2·0.25²/1) = 2,
    q = |d|/SE·√2 = 4. With two groups q/√2 is |t| on the same df, so
    p = P(|T₂| > 2√2) = 1 - 2√2/√(2 + 8) = 1 - 2/√5 and the half width is
    t₂(.975)·SE, t₂(p) = (2p - 1)/√(2p(1 - p)) (R: 2 * pt(-2 * sqrt(2), 2) =
    0.1055728090000841; qt(.975, 2) * sqrt(.5) = 3.0424349222966542)."""
    out = posthoc_module.posthoc(groups([1, 2], [3, 4]), "y", "g", "games_howell")
    row = out.iloc[0]
    assert row["note"] == "" and (row["n1"], row["n2"]) == (2, 2)
    assert row["se"] == pytest.approx(math.sqrt(0.5), rel=1e-15)
    assert row["df"] == pytest.approx(2.0, rel=1e-14)
    assert row["statistic"] == pytest.approx(4.0, rel=1e-14)
    assert row["p"] == pytest.approx(1 - 2 / math.sqrt(5), rel=1e-8)
    half = 0.95 / math.sqrt(2 * 0.975 * 0.025) * math.sqrt(0.5)
    assert half == pytest.approx(3.0424349222966542, rel=1e-14)
    assert (row["conf_low"], row["conf_high"]) == pytest.approx((-2 - half, -2 + half),
                                                                rel=1e-9)


def test_games_howell_pair_without_variance_and_the_pairs_after_it():
    """[2, 2], [5, 5], [1, 3]: the first pair has no variance in either group (a row with
    its identity and the note); the two later pairs are computed: (1, 3) has SE = √(0 + 2/2)
    = 1 exactly and d = 0, so q = 0 and p = 1; (2, 3) has d = 3, SE = 1, q = 3√2, df = 1."""
    out = posthoc_module.posthoc(groups([2, 2], [5, 5], [1, 3]), "y", "g", "games_howell")
    assert out.columns.tolist() == PH
    assert list(zip(out["group1"], out["group2"], strict=True)) == [(1.0, 2.0), (1.0, 3.0),
                                                                     (2.0, 3.0)]
    assert out["method"].tolist() == ["Games-Howell"] * 3
    assert out["n1"].tolist() == [2, 2, 2] and out["n2"].tolist() == [2, 2, 2]
    assert out["estimate"].tolist() == [-3.0, 0.0, 3.0]
    assert out["note"].tolist() == ["no variance in either group", "", ""]
    assert out.loc[0, ["se", "statistic", "df", "p", "conf_low", "conf_high"]].isna().all()
    assert out["se"].tolist()[1:] == [1.0, 1.0]
    assert out["p"].iloc[1] == 1.0
    assert out["statistic"].iloc[2] == pytest.approx(3 * math.sqrt(2), rel=1e-15)
    assert out["df"].iloc[2] == pytest.approx(1.0, rel=1e-15)


@pytest.mark.parametrize("method", ["scheffe", "tukey", "bonferroni"])
def test_pooled_post_hoc_without_variance_keeps_every_pair(method):
    """[2, 2], [5, 5], [7, 7]: MS_within = 0, so no pair has a test; each of the three pairs
    keeps its identity and estimate with the note."""
    out = posthoc_module.posthoc(groups([2, 2], [5, 5], [7, 7]), "y", "g", method)
    assert out.columns.tolist() == PH
    assert list(zip(out["group1"], out["group2"], strict=True)) == [(1.0, 2.0), (1.0, 3.0),
                                                                     (2.0, 3.0)]
    assert out["n1"].tolist() == [2, 2, 2] and out["n2"].tolist() == [2, 2, 2]
    assert out["estimate"].tolist() == [-3.0, -5.0, -2.0]
    assert out["note"].tolist() == ["no variance within groups"] * 3
    assert out[["se", "statistic", "df", "p", "conf_low", "conf_high"]].isna().all().all()


# --- round 4: the secant and the studentized-range quantile's path -------------------------

def test_secant_steps_on_a_straight_line():
    """cdf(x) = x/10, conf 0.3, start 5: the secant evaluates 5 and 0.97·5 = 4.85, and on a
    straight line its first step lands on the root, 3 (f = 0.2 and 0.185, step
    4.85 - 0.185·(-0.15)/(-0.015) = 3), where it stops."""
    from cipsurvey.stats.posthoc import _secant

    calls: list[float] = []

    def line(x: float) -> float:
        calls.append(x)
        return x / 10

    root = _secant(line, 0.3, 5.0)
    assert root == pytest.approx(3.0, abs=1e-14)
    assert len(calls) == 3
    assert calls[:2] == pytest.approx([5.0, 4.85], rel=1e-15)


def test_secant_stops_on_a_flat_cdf_and_after_forty_steps():
    """A flat cdf (f equal at both points) stops the secant at once at 0.97·start, without
    dividing by zero; a cdf that never gets near conf stops after 40 steps (42 values: the
    two starting points and one per step)."""
    from cipsurvey.stats.posthoc import _secant

    assert _secant(lambda x: 0.5, 0.95, 4.0) == pytest.approx(3.88, rel=1e-15)
    calls: list[float] = []

    def restless(x: float) -> float:
        calls.append(x)
        return 0.95 + 1 + len(calls) % 2  # 1 and 2 away from conf in turn

    _secant(restless, 0.95, 4.0)
    assert len(calls) == 42


def test_q_quantile_starts_at_the_bonferroni_bound_and_scipy_checks_once(monkeypatch):
    """q(0.95; 3, 20): the secant starts at √2·t₂₀(1 - 0.05/(2·3)) (m = 3 pairs), the
    Bonferroni bound, and the root of the fast rule is accepted at once (one secant search).

    R:  sqrt(2) * qt(1 - 0.05/6, 20)                  # 3.6947537381122095
    The answer is Tukey's table value 3.578 (Harter 1960)."""
    starts: list[float] = []
    real = posthoc_module._secant

    def spy(cdf, conf, start):
        starts.append(start)
        return real(cdf, conf, start)

    monkeypatch.setattr(posthoc_module, "_secant", spy)
    q = q_quantile(0.95, 3, 20)
    assert starts == pytest.approx([3.6947537381122095], rel=1e-12)
    assert q == pytest.approx(3.578, abs=5e-4)
    assert abs(sps.studentized_range.cdf(q, 3, 20) - 0.95) < 1e-11


def test_q_quantile_rejects_a_finite_root_scipy_does_not_confirm(monkeypatch):
    """Both secant searches return 1.0, finite but far from the root (scipy's cdf there is
    0.238, not 0.95): neither is accepted, and the answer is scipy's ppf, Tukey's
    3.578 for q(0.95; 3, 20)."""
    monkeypatch.setattr(posthoc_module, "_secant", lambda cdf, conf, start: 1.0)
    q = q_quantile(0.95, 3, 20)
    assert q == pytest.approx(3.578, abs=5e-4)
    assert abs(sps.studentized_range.cdf(q, 3, 20) - 0.95) < 1e-9


def test_q_quantile_falls_back_on_the_secant_on_scipys_cdf(monkeypatch):
    """When the fixed rule proposes no root (here a flat cdf), the secant on scipy's own cdf
    gives it, confirmed there; scipy's slow ppf is not used."""
    def no_ppf(*args, **kwargs):
        raise AssertionError("scipy's ppf called")

    monkeypatch.setattr(posthoc_module, "_range_cdf", lambda k, df: (lambda q: 0.0))
    monkeypatch.setattr(sps.studentized_range, "ppf", no_ppf)
    q = q_quantile(0.95, 3, 20)
    assert q == pytest.approx(3.578, abs=5e-4)
    assert abs(sps.studentized_range.cdf(q, 3, 20) - 0.95) < 1e-11


def test_q_quantile_acceptance_is_strictly_below_1e_11(monkeypatch):
    """A root is accepted only if scipy's cdf there is strictly within 1e-11 of conf. At
    conf = 0 with scipy's cdf made to answer exactly 1e-11 everywhere, neither secant root
    is accepted and the answer is scipy's ppf at 0, the lower end of the support: 0."""
    monkeypatch.setattr(sps.studentized_range, "cdf", lambda q, k, df: 1e-11)
    assert q_quantile(0.0, 3, 20) == 0.0
