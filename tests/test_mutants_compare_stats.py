"""Tests that kill the mutants mutmut left alive in the wave-comparison statistics (issue 22,
part 1): power, attrition weights, longitudinal change, multiplicity and test selection.

Every result is checked whole (its exact columns, and every value of a row) against values
computed here independently: scipy's noncentral t, F and chi-square distributions for the
power functions (the definitions pingouin and R's power.t.test / power.anova.test use),
R's values stored in tests/reference/r_compare_values.csv (tests/reference/r_compare.R),
Fagerland, Lydersen & Laake's worked example, and hand calculations kept in the tests.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize
from scipy import stats as sps

from cipsurvey.stats import selection
from cipsurvey.stats.longitudinal import paired_share_change, wave_change
from cipsurvey.stats.power import mde_groups, mde_means, mde_shares, sample_size, w_two_shares
from cipsurvey.stats.weights import response_weights, weight_diagnostics, weighted_mean

REF = Path(__file__).parent / "reference"
R = {name: float(value) for name, value in
     pd.read_csv(REF / "r_compare_values.csv", dtype={"value": str}).itertuples(index=False)}

POWER_COLUMNS = ["comparison", "n", "alpha", "power", "effect_name", "effect", "mde", "unit",
                 "method", "note"]
NAN = float("nan")


def same_row(frame: pd.DataFrame, columns: list[str], expected: dict, rtol: float = 1e-6):
    """``frame`` is one row with exactly ``columns`` and the ``expected`` value in each
    (NaN where nothing can be computed; numbers to ``rtol``)."""
    assert list(frame.columns) == columns
    assert len(frame) == 1
    assert set(expected) == set(columns)
    row = frame.iloc[0]
    for col, want in expected.items():
        got = row[col]
        if isinstance(want, float) and math.isnan(want):
            assert isinstance(got, float) and math.isnan(got), (col, got)
        elif isinstance(want, float):
            assert got == pytest.approx(want, rel=rtol), (col, got, want)
        else:
            assert type(got) is not type(None) and got == want, (col, got, want)


# ------------------------------------------------------------ independent power references


def t_power(df: float, ncp: float, alpha: float) -> float:
    """Two-sided power of a t test: both rejection regions of the noncentral t."""
    crit = sps.t.ppf(1 - alpha / 2, df)
    # scipy's lower tail comes back NaN where it is far below 1e-15 (large ncp): 0 there
    return sps.nct.sf(crit, df, ncp) + np.nan_to_num(sps.nct.cdf(-crit, df, ncp))


def chi2_w(n: float, df: int, alpha: float, power: float) -> float:
    """Cohen's w that a chi-square test with ``df`` detects at ``n`` (noncentrality w² n)."""
    crit = sps.chi2.ppf(1 - alpha, df)
    return optimize.brentq(lambda w: sps.ncx2.sf(crit, df, w * w * n) - power, 1e-6, 5,
                           xtol=1e-14)


def anova_f(k: int, n: int, alpha: float, power: float) -> float:
    """Cohen's f that a one-way ANOVA of ``k`` groups and ``n`` people detects (F with k - 1
    and n - k df, noncentrality f² n)."""
    crit = sps.f.ppf(1 - alpha, k - 1, n - k)
    return optimize.brentq(lambda f: sps.ncf.sf(crit, k - 1, n - k, f * f * n) - power,
                           1e-3, 1.5, xtol=1e-14)


def cohen_w(p0: float, p1: float, q0: float) -> float:
    """Cohen's w of a 2 × 2 table written out: sqrt(sum (O - E)² / E) / sqrt(N) per person."""
    q1 = 1 - q0
    cells = np.array([[q0 * p0, q0 * (1 - p0)], [q1 * p1, q1 * (1 - p1)]])
    expected = np.outer(cells.sum(axis=1), cells.sum(axis=0))
    return float(np.sqrt(((cells - expected) ** 2 / expected).sum()))


# ------------------------------------------------------------ power: rows where nothing is computed


def test_power_rows_without_an_estimate_keep_the_design_and_say_why():
    same_row(mde_means(1, paired=True, alpha=0.01, power=0.9), POWER_COLUMNS, {
        "comparison": "paired", "n": 1, "alpha": 0.01, "power": 0.9, "effect_name": "d_z",
        "effect": NAN, "mde": NAN, "unit": NAN, "method": NAN,
        "note": "fewer than two pairs"})
    same_row(mde_means(30, 1, alpha=0.01, power=0.9), POWER_COLUMNS, {
        "comparison": "independent", "n": 31, "alpha": 0.01, "power": 0.9,
        "effect_name": "d", "effect": NAN, "mde": NAN, "unit": NAN, "method": NAN,
        "note": "fewer than two in a group"})
    same_row(mde_shares(0.5, 494, paired=True, discordant=0.0, alpha=0.01, power=0.9),
             POWER_COLUMNS, {
                 "comparison": "paired", "n": 494, "alpha": 0.01, "power": 0.9,
                 "effect_name": "d_z", "effect": NAN, "mde": NAN, "unit": "proportion",
                 "method": NAN, "note": "no pairs that changed: no estimate"})
    empty = {"comparison": "independent", "alpha": 0.01, "power": 0.9, "effect_name": "w",
             "effect": NAN, "mde": NAN, "unit": "proportion", "method": NAN,
             "note": "an empty wave"}
    # n counts whoever there is: the second wave missing (None) or empty (0)
    same_row(mde_shares(0.3, 40, alpha=0.01, power=0.9), POWER_COLUMNS, empty | {"n": 40})
    same_row(mde_shares(0.3, 0, 25, alpha=0.01, power=0.9), POWER_COLUMNS, empty | {"n": 25})


@pytest.mark.parametrize("k,n", [(1, 100), (3, 3), (4, 2)])
def test_anova_mde_needs_two_groups_and_more_people_than_groups(k, n):
    same_row(mde_groups(k, n, alpha=0.01, power=0.9), POWER_COLUMNS, {
        "comparison": f"{k} groups", "n": n, "alpha": 0.01, "power": 0.9,
        "effect_name": "f", "effect": NAN, "mde": NAN, "unit": NAN, "method": NAN,
        "note": "too few people or groups"})


# ------------------------------------------------------------ power: full rows against scipy and R


def test_mde_means_rows_whole():
    same_row(mde_means(494, paired=True, sd=2.0), POWER_COLUMNS, {
        "comparison": "paired", "n": 494, "alpha": 0.05, "power": 0.8, "effect_name": "d_z",
        "effect": R["mde_paired_dz"], "mde": 2 * R["mde_paired_dz"], "unit": "mean",
        "method": "paired t (pingouin)", "note": ""}, rtol=1e-5)
    same_row(mde_means(150, 150, sd=3.0), POWER_COLUMNS, {
        "comparison": "independent", "n": 300, "alpha": 0.05, "power": 0.8,
        "effect_name": "d", "effect": R["mde_two_d"], "mde": 3 * R["mde_two_d"],
        "unit": "mean", "method": "two-sample t (pingouin)", "note": ""}, rtol=1e-5)


def test_mde_groups_rows_whole_at_the_two_group_boundary():
    # k = 2 is the smallest ANOVA there is (the boundary of "fewer than two groups")
    f = anova_f(2, 100, 0.05, 0.8)
    same_row(mde_groups(2, 100), POWER_COLUMNS, {
        "comparison": "2 groups", "n": 100, "alpha": 0.05, "power": 0.8, "effect_name": "f",
        "effect": f, "mde": NAN, "unit": NAN, "method": "one-way ANOVA (pingouin)",
        "note": ""}, rtol=1e-4)
    # two groups of 50: f = d / 2 of the two-sample t (Cohen 1988, 8.2.1)
    assert f == pytest.approx(_two_sample_d(50, 50) / 2, rel=1e-3)
    same_row(mde_groups(3, 180), POWER_COLUMNS, {
        "comparison": "3 groups", "n": 180, "alpha": 0.05, "power": 0.8, "effect_name": "f",
        "effect": R["mde_anova_f"], "mde": NAN, "unit": NAN,
        "method": "one-way ANOVA (pingouin)", "note": ""}, rtol=1e-4)


def _two_sample_d(n1: int, n2: int, alpha: float = 0.05, power: float = 0.8) -> float:
    df, scale = n1 + n2 - 2, math.sqrt(n1 * n2 / (n1 + n2))
    return optimize.brentq(lambda d: t_power(df, d * scale, alpha) - power, 0.01, 1.5,
                           xtol=1e-14)


def test_mde_shares_rows_whole():
    w = chi2_w(1217, 1, 0.05, 0.8)
    assert w == pytest.approx(chi2_w(705 + 512, 1, 0.05, 0.8))
    same_row(mde_shares(0.3, 705, 512), POWER_COLUMNS, {
        "comparison": "independent", "n": 1217, "alpha": 0.05, "power": 0.8,
        "effect_name": "w", "effect": w, "mde": R["mde_share_up"], "unit": "proportion",
        "method": "Pearson chi-square (pingouin)", "note": ""}, rtol=1e-4)
    # the share found gives that w, written out as a 2 x 2 table
    got = mde_shares(0.3, 705, 512)["mde"].iloc[0]
    assert cohen_w(0.3, 0.3 + got, 705 / 1217) == pytest.approx(w, rel=1e-6)
    # near the edge no change is detectable: w is still reported, with the reason
    same_row(mde_shares(0.995, 20, 20), POWER_COLUMNS, {
        "comparison": "independent", "n": 40, "alpha": 0.05, "power": 0.8,
        "effect_name": "w", "effect": chi2_w(40, 1, 0.05, 0.8), "mde": NAN,
        "unit": "proportion", "method": "Pearson chi-square (pingouin)",
        "note": "no change within 0-100 % is detectable in this direction"})


def test_one_person_in_a_wave_is_not_an_empty_wave():
    # n1 = 1 is the boundary of "an empty wave" (n1 < 1): w at n = 101 is computed; the
    # largest w one person can make, sqrt(q0 q1 0.7² / (pbar (1 - pbar))), is below it
    w = chi2_w(101, 1, 0.05, 0.8)
    assert cohen_w(0.3, 1.0, 100 / 101) < w
    same_row(mde_shares(0.3, 100, 1), POWER_COLUMNS, {
        "comparison": "independent", "n": 101, "alpha": 0.05, "power": 0.8,
        "effect_name": "w", "effect": w, "mde": NAN, "unit": "proportion",
        "method": "Pearson chi-square (pingouin)",
        "note": "no change within 0-100 % is detectable in this direction"})


def test_sample_size_rows_whole():
    # paired at alpha = 0.01: the smallest n whose noncentral t power reaches 0.8
    need = optimize.brentq(lambda n: t_power(n - 1, 0.2 * math.sqrt(n), 0.01) - 0.8, 3, 1000)
    same_row(sample_size(0.2, design="paired", alpha=0.01), POWER_COLUMNS, {
        "comparison": "paired", "n": math.ceil(need), "alpha": 0.01, "power": 0.8,
        "effect_name": "d_z", "effect": 0.2, "mde": NAN, "unit": NAN,
        "method": "paired t (pingouin)", "note": ""})
    # independent, twice as many in the second group
    m = optimize.brentq(lambda m: t_power(3 * m - 2, 0.3 * math.sqrt(2 * m / 3), 0.05) - 0.8,
                        3, 1000)
    n1 = math.ceil(m)
    same_row(sample_size(0.3, design="independent", ratio=2.0), POWER_COLUMNS, {
        "comparison": "independent", "n": n1 + math.ceil(2 * n1), "alpha": 0.05,
        "power": 0.8, "effect_name": "d", "effect": 0.3, "mde": NAN, "unit": NAN,
        "method": "two-sample t (pingouin)", "note": ""})
    same_row(sample_size(0.25, design="anova", k=3), POWER_COLUMNS, {
        "comparison": "3 groups", "n": 3 * math.ceil(R["n_anova_f025"]), "alpha": 0.05,
        "power": 0.8, "effect_name": "f", "effect": 0.25, "mde": NAN, "unit": NAN,
        "method": "one-way ANOVA (pingouin)", "note": ""})
    same_row(sample_size(0.1, design="chi2", k=3), POWER_COLUMNS, {
        "comparison": "3 groups", "n": math.ceil(R["n_chi2_w01"]), "alpha": 0.05,
        "power": 0.8, "effect_name": "w", "effect": 0.1, "mde": NAN, "unit": NAN,
        "method": "Pearson chi-square, df = 2 (pingouin)", "note": ""})


def test_w_of_a_table_without_variation_is_zero():
    # everyone yes (pbar = 1) or everyone no (pbar = 0): no association, w = 0
    assert w_two_shares(1.0, 1.0, 0.5) == 0.0
    assert w_two_shares(0.0, 0.0, 0.5) == 0.0
    assert w_two_shares(0.3, 0.5, 0.4) == pytest.approx(cohen_w(0.3, 0.5, 0.4), rel=1e-12)


# ------------------------------------------------------------ attrition weights

MODEL_COLUMNS = ["term", "estimate", "se", "statistic", "p", "conf_low", "conf_high", "n",
                 "n_responded"]
DIAGNOSTIC_COLUMNS = ["n", "sum", "mean", "min", "median", "max", "max_to_min", "cv", "ess",
                      "design_effect", "extreme_threshold", "n_extreme", "n_trimmed"]
MEAN_COLUMNS = ["n", "sum_weights", "ess", "estimate", "se", "conf_low", "conf_high",
                "method", "note"]
MEAN_METHOD = "weighted mean, linearisation SE (WLS with HC1)"
Z95 = 1.959963984540054  # qnorm(0.975)


@pytest.fixture(scope="module")
def invited():
    return pd.read_csv(REF / "r_compare_invited.csv")


def test_response_model_table_whole_against_r_glm(invited):
    result = response_weights(invited, "responded", ["gender", "area", "age"],
                              categorical=["gender", "area"])
    model = result.model
    assert list(model.columns) == MODEL_COLUMNS
    for k in range(len(model)):
        b, se = R[f"rm_b{k + 1}"], R[f"rm_se{k + 1}"]
        row = model.iloc[k]
        assert row["statistic"] == pytest.approx(b / se, rel=1e-6)
        assert row["p"] == pytest.approx(2 * sps.norm.sf(abs(b / se)), rel=1e-5)
        assert row["conf_low"] == pytest.approx(b - Z95 * se, rel=1e-6)
        assert row["conf_high"] == pytest.approx(b + Z95 * se, rel=1e-6)
    assert set(model["n"]) == {len(invited)}
    assert set(model["n_responded"]) == {int((invited["responded"] == 1).sum())}
    assert result.missing == {"age": int(invited["age"].isna().sum())}
    assert result.propensity.name == "propensity" and result.weights.name == "weight"
    levels = list(result.balance[["trait", "level"]].itertuples(index=False, name=None))
    assert levels == [("gender", 2), ("area", 2), ("area", 3), ("age", ""),
                      ("age", "missing")]


def test_a_trait_with_one_level_leaves_the_intercept_alone_and_weights_equal():
    # one site for everyone: no column for it, the model is the intercept only, so every
    # respondent's propensity is 2 / 4 and weight 4 / 2; an index that is not 0..n-1 is kept
    data = pd.DataFrame({"site": ["a"] * 4, "responded": [1, 0, 1, 0]}, index=[10, 20, 30, 40])
    result = response_weights(data, "responded", ["site"], categorical=["site"], trim=1.0)
    assert list(result.model["term"]) == ["const"]
    assert list(result.propensity.index) == [10, 20, 30, 40]
    assert result.propensity.to_numpy() == pytest.approx([0.5] * 4, rel=1e-9)
    w = result.weights
    assert w.loc[[10, 30]].to_numpy() == pytest.approx([2.0, 2.0], rel=1e-9)
    assert w.loc[[20, 40]].isna().all()
    # trimming at 1 x the mean caps only weights above the mean: equal weights stay
    assert result.diagnostics["n_trimmed"].iloc[0] == 0
    assert not any("capped" in note for note in result.notes)


def test_two_separating_levels_are_named_in_one_note():
    area = [1] * 10 + [2] * 10 + [3] * 3 + [4] * 3
    responded = [1, 0] * 10 + [1] * 6
    data = pd.DataFrame({"area": area, "responded": responded})
    result = response_weights(data, "responded", ["area"], categorical=["area"])
    assert result.left_out == ["area=3", "area=4"]
    assert result.notes == ["left out of the response model because everyone in it answered "
                            "the same way (these people count with the reference level): "
                            "area=3, area=4"]


def test_a_numeric_trait_that_separates_response_is_reported_not_converged():
    data = pd.DataFrame({"age": np.arange(20.0), "responded": [0] * 10 + [1] * 10})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = response_weights(data, "responded", ["age"])
    assert result.converged is False
    assert result.notes[-1] == ("the response model did not converge cleanly (separation?): "
                                "read the weights with care")


def test_weight_diagnostics_whole_by_hand():
    # w = 1, 1, 1, 5: sum 8, mean 2, population SD sqrt((1 + 1 + 1 + 9) / 4) = sqrt(3),
    # ess = 8² / 28 = 16 / 7, design effect 4 / ess = 7 / 4 = 1 + cv²; 5 is exactly
    # 2.5 x the mean: not *above* it, so not extreme
    d = weight_diagnostics([1, 1, 1, 5], extreme=2.5)
    same_row(d, DIAGNOSTIC_COLUMNS, {
        "n": 4, "sum": 8.0, "mean": 2.0, "min": 1.0, "median": 1.0, "max": 5.0,
        "max_to_min": 5.0, "cv": math.sqrt(3) / 2, "ess": 16 / 7, "design_effect": 7 / 4,
        "extreme_threshold": 5.0, "n_extreme": 0, "n_trimmed": 0}, rtol=1e-12)
    # a missing weight (None) is left out like NaN
    assert weight_diagnostics([1.0, None, 3.0])["n"].iloc[0] == 2
    same_row(weight_diagnostics([np.nan]), [*DIAGNOSTIC_COLUMNS, "note"],
             {c: NAN for c in DIAGNOSTIC_COLUMNS} | {"n": 0, "note": "no weights"})


def test_weighted_mean_whole_by_hand():
    # y = 1, 2, 4 with w = 1, 1, 2: mean 11 / 4; the linearisation variance
    # n / (n - 1) sum w² (y - mean)² / (sum w)² (svymean's, with HC1's n / (n - 1))
    y, w = np.array([1.0, 2.0, 4.0]), np.array([1.0, 1.0, 2.0])
    est = 11 / 4
    se = math.sqrt(3 / 2 * (w**2 * (y - est) ** 2).sum() / 16)
    same_row(weighted_mean(y, w), MEAN_COLUMNS, {
        "n": 3, "sum_weights": 4.0, "ess": 16 / 6, "estimate": est, "se": se,
        "conf_low": est - Z95 * se, "conf_high": est + Z95 * se, "method": MEAN_METHOD,
        "note": ""}, rtol=1e-9)
    same_row(weighted_mean([3.0, np.nan], [1.0, 2.0]), MEAN_COLUMNS, {
        "n": 1, "sum_weights": NAN, "ess": NAN, "estimate": NAN, "se": NAN,
        "conf_low": NAN, "conf_high": NAN, "method": MEAN_METHOD,
        "note": "fewer than two weighted answers"})


# ------------------------------------------------------------ longitudinal

PAIRED_SHARE_COLUMNS = ["n", "n_yes_before", "n_yes_after", "b", "c", "before", "after",
                        "estimate", "conf_low", "conf_high", "p", "method", "note"]
PAIRED_METHOD = "Newcombe hybrid score interval (paired); exact McNemar"
WAVE_COLUMNS = ["term", "wave", "reference", "estimate", "se", "conf_low", "conf_high",
                "statistic", "df", "p", "n_obs", "n_clusters", "n_repeated", "correlation",
                "method", "note"]
GEE_EXCHANGEABLE = ("GEE, exchangeable working correlation, robust SE (respondent as "
                    "cluster)")


@pytest.fixture(scope="module")
def long():
    return pd.read_csv(REF / "r_compare_long.csv")


def test_paired_share_change_row_whole_against_the_textbook():
    # Fagerland, Lydersen & Laake (2017), ch. 8 (Cavo et al. 2012): 59 yes/yes, 16 yes/no,
    # 6 no/yes, 80 no/no; printed 95 % CI -0.1186 to -0.0046
    data = pd.DataFrame({"before": [1] * 59 + [1] * 16 + [0] * 6 + [0] * 80,
                         "after": [1] * 59 + [0] * 16 + [1] * 6 + [0] * 80})
    out = paired_share_change(data, "before", "after")
    row = out.iloc[0]
    assert (round(row["conf_low"], 4), round(row["conf_high"], 4)) == (-0.1186, -0.0046)
    same_row(out, PAIRED_SHARE_COLUMNS, {
        "n": 161, "n_yes_before": 75, "n_yes_after": 65, "b": 16, "c": 6,
        "before": 75 / 161, "after": 65 / 161, "estimate": -10 / 161,
        "conf_low": row["conf_low"], "conf_high": row["conf_high"],
        "p": sps.binomtest(6, 22, 0.5).pvalue, "method": PAIRED_METHOD, "note": ""},
             rtol=1e-12)


def test_paired_share_change_without_pairs():
    data = pd.DataFrame({"before": [1.0, np.nan], "after": [np.nan, 0.0]})
    same_row(paired_share_change(data, "before", "after"), PAIRED_SHARE_COLUMNS,
             {c: NAN for c in PAIRED_SHARE_COLUMNS}
             | {"n": 0, "method": PAIRED_METHOD, "note": "no pairs"})


def test_wave_change_rows_whole_against_geepack(long):
    out = wave_change(long, "y", "wave", "person")
    assert list(out.columns) == WAVE_COLUMNS
    assert list(out["term"]) == ["mean"] * 3 + ["change"] * 2 + ["joint", "trend"]
    assert list(out["wave"].iloc[:5]) == [0, 1, 2, 1, 2]
    assert out["wave"].iloc[5:].isna().all()
    assert list(out["reference"].iloc[3:6]) == [0, 0, 0]
    assert set(out["method"]) == {GEE_EXCHANGEABLE}
    assert set(out["note"]) == {""}
    change = out[out["term"] == "change"]
    for k, (_, row) in enumerate(change.iterrows(), start=2):
        b, se = R[f"gee3_b{k}"], R[f"gee3_se{k}"]
        assert row["conf_low"] == pytest.approx(b - Z95 * se, rel=1e-5)
        assert row["conf_high"] == pytest.approx(b + Z95 * se, rel=1e-5)
        assert row["correlation"] == pytest.approx(R["gee3_alpha"], rel=1e-6)
    means = out[out["term"] == "mean"]
    assert means["p"].isna().all() and means["statistic"].isna().all()
    joint = out[out["term"] == "joint"].iloc[0]
    assert np.isnan(joint[["estimate", "se", "conf_low", "conf_high"]].astype(float)).all()
    assert joint["correlation"] == pytest.approx(R["gee3_alpha"], rel=1e-6)


def test_a_single_wave_row_whole(long):
    data = long[long["wave"] == 0]
    out = wave_change(data, "y", "wave", "person")
    n = int(data["y"].notna().sum())
    same_row(out, WAVE_COLUMNS, {c: NAN for c in WAVE_COLUMNS} | {
        "term": "change", "n_obs": n, "n_clusters": n, "n_repeated": 0,
        "method": GEE_EXCHANGEABLE,
        "note": "fewer than two waves with answers: no model"})


def test_a_singular_joint_test_keeps_its_reference():
    y = [0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    data = pd.DataFrame({"y": y, "wave": [0] * 4 + [1] * 4 + [2] * 4})
    joint = wave_change(data, "y", "wave", None).set_index("term").loc["joint"]
    assert joint["reference"] == 0 and "singular" in joint["note"]


# ------------------------------------------------------------ test selection


def two_by_two(a: int, b: int, c: int, d: int) -> pd.DataFrame:
    """One row per person of the table [[a, b], [c, d]]."""
    return pd.DataFrame({"x": [1] * (a + b) + [2] * (c + d),
                         "y": [1] * a + [2] * b + [1] * c + [2] * d})


SPARSE_REASON = "the table is sparse: the exact test is the one to read"


def test_exact_always_makes_fisher_primary_on_a_table_that_is_not_sparse():
    data = two_by_two(20, 10, 12, 25)
    assert not selection.sparse(np.array([[20, 10], [12, 25]]))
    res = selection.crosstab_tests(data, "x", "y", exact="always")
    assert list(res.columns) == [*selection.SELECTED_COLUMNS]
    assert list(res.loc[res["primary"], "test"]) == ["Fisher's exact test"]
    fisher = res.set_index("test").loc["Fisher's exact test"]
    assert fisher["note"] == SPARSE_REASON
    assert fisher["p"] == pytest.approx(sps.fisher_exact([[20, 10], [12, 25]])[1], rel=1e-12)
    # auto on the same table: Pearson stays the one to read
    auto = selection.crosstab_tests(data, "x", "y")
    assert list(auto.loc[auto["primary"], "test"]) == ["Pearson chi-square"]


def test_a_monte_carlo_exact_test_uses_the_resamples_asked_for():
    # R's monte_carlo_4x5 table (tests/reference/r_exact_tables.csv): too large for the
    # network algorithm, so the Fisher-Freeman-Halton p is simulated
    t = pd.read_csv(REF / "r_exact_tables.csv")
    t = t[t["table"] == "monte_carlo_4x5"]
    data = pd.DataFrame({"x": np.repeat(t["row"].to_numpy(), t["count"].to_numpy()),
                         "y": np.repeat(t["col"].to_numpy(), t["count"].to_numpy())})
    res = selection.crosstab_tests(data, "x", "y", exact="always", n_resamples=999, seed=7)
    ffh = res[res["primary"]].iloc[0]
    assert ffh["test"] == "Fisher-Freeman-Halton exact test"
    assert ffh["n_resamples"] == 999 and ffh["seed"] == 7
    assert ffh["note"] == (f"{SPARSE_REASON}; too large for the exact test: 999 random "
                           "tables, seed 7")


def test_a_table_with_one_row_is_not_sparse():
    assert selection.sparse(np.array([[3, 4]])) is False
    assert selection.sparse(np.array([[0, 0], [3, 4]])) is False


def test_a_response_column_of_python_objects_gives_the_same_weights():
    # 1/0 read as text-like objects (dtype object) are still numbers to the model
    data = pd.DataFrame({"area": [1, 1, 2, 2, 2, 1, 2, 1], "responded": [1, 0, 1, 1, 0, 1, 1, 0]})
    plain = response_weights(data, "responded", ["area"], categorical=["area"])
    objects = response_weights(data.astype({"responded": object}), "responded", ["area"],
                               categorical=["area"])
    # area 1: 2 of 4 answered (weight 2), area 2: 3 of 4 (weight 4 / 3)
    expected = [2.0, np.nan, 4 / 3, 4 / 3, np.nan, 2.0, 4 / 3, np.nan]
    np.testing.assert_allclose(plain.weights.to_numpy(), expected, rtol=1e-7)
    np.testing.assert_allclose(objects.weights.to_numpy(), expected, rtol=1e-7)


def test_a_numeric_trait_nobody_answered_is_left_out_without_a_numpy_warning():
    data = pd.DataFrame({"age": [np.nan] * 6, "area": [1, 2, 1, 2, 1, 2],
                         "responded": [1, 0, 1, 1, 0, 1]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = response_weights(data, "responded", ["age", "area"], categorical=["area"])
    assert result.left_out == ["age"]
    assert result.missing == {}


def test_a_model_that_cannot_be_fitted_gives_a_row_with_the_reason():
    # the same answer from everyone in every wave: no variance to fit
    data = pd.DataFrame({"y": [2.0] * 9, "wave": [0, 1, 2] * 3,
                         "person": [1, 1, 1, 2, 2, 2, 3, 3, 3]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = wave_change(data, "y", "wave", "person", method="mixed")
    same_row(out, WAVE_COLUMNS, {c: NAN for c in WAVE_COLUMNS} | {
        "term": "change", "n_obs": 9, "n_clusters": 3, "n_repeated": 3,
        "method": "linear mixed model, random intercept per respondent (REML)",
        "note": "the model did not converge"})


def test_a_mixed_model_without_repeated_people_is_not_reported_with_nan_errors():
    # one answer per person: the random intercept cannot be told from the residual, the
    # fixed effects come back (1 and 1) but their covariance does not (NaN): no model
    data = pd.DataFrame({"y": [1.0, 2.0], "wave": [0, 1], "person": [1, 2]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = wave_change(data, "y", "wave", "person", method="mixed")
    same_row(out, WAVE_COLUMNS, {c: NAN for c in WAVE_COLUMNS} | {
        "term": "change", "n_obs": 2, "n_clusters": 2, "n_repeated": 0,
        "method": "linear mixed model, random intercept per respondent (REML)",
        "note": "the model did not converge"})


def test_a_trend_model_that_cannot_be_fitted_gives_its_row_with_the_reason():
    # the answer is exactly the wave number: the trend model (random intercept) leaves no
    # residual variance and its covariance cannot be computed; the wave model comes back
    # (with a convergence note) at rounding-error standard errors
    data = pd.DataFrame({"y": [2.0, 0.0, 2.0, 0.0, 1.0, 1.0], "wave": [2, 0, 2, 0, 1, 1],
                         "person": [3, 1, 3, 3, 3, 1]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = wave_change(data, "y", "wave", "person", method="mixed")
    assert list(out["term"]) == ["mean"] * 3 + ["change"] * 2 + ["joint", "trend"]
    same_row(out.iloc[[-1]].reset_index(drop=True), WAVE_COLUMNS,
             {c: NAN for c in WAVE_COLUMNS} | {
                 "term": "trend", "n_obs": 6, "n_clusters": 2, "n_repeated": 2,
                 "method": "linear mixed model, random intercept per respondent (REML)",
                 "note": "the trend model did not converge"})
