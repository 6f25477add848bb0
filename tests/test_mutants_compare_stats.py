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

from cipsurvey.stats import multiplicity, selection
from cipsurvey.stats.longitudinal import paired_share_change, wave_change
from cipsurvey.stats.power import (
    dz_paired_shares,
    mde_groups,
    mde_means,
    mde_shares,
    sample_size,
    w_two_shares,
)
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


# ------------------------------------------------------------ the full mutmut run (issue 22):
# power at a level other than the defaults, the chi-square MDE of k groups, boundaries


def paired_t_dz(n: int, alpha: float, power: float) -> float:
    """d_z that a paired t test of ``n`` pairs detects (noncentral t, n - 1 df)."""
    return optimize.brentq(lambda d: t_power(n - 1, d * math.sqrt(n), alpha) - power, 1e-3,
                           10, xtol=1e-14)


def share_change(p0: float, w: float, q0: float, direction: int) -> float:
    """The change of a share from ``p0`` that gives Cohen's ``w`` (closed form): with
    Δ = p1 - p0 and pbar = p0 + q1 Δ, w² pbar (1 - pbar) = q0 q1 Δ² is the quadratic
    (q0 q1 + w² q1²) Δ² - w² q1 (1 - 2 p0) Δ - w² p0 (1 - p0) = 0; its positive root is
    the increase, its negative root the decrease."""
    q1 = 1 - q0
    a, b, c = q0 * q1 + w * w * q1 * q1, -w * w * q1 * (1 - 2 * p0), -w * w * p0 * (1 - p0)
    return (-b + direction * math.sqrt(b * b - 4 * a * c)) / (2 * a)


def test_mde_groups_chi2_rows_whole():
    # the chi-square MDE of a crosstab: df = k - 1 by default, or as given
    same_row(mde_groups(3, 300, test="chi2", alpha=0.01, power=0.9), POWER_COLUMNS, {
        "comparison": "3 groups", "n": 300, "alpha": 0.01, "power": 0.9, "effect_name": "w",
        "effect": chi2_w(300, 2, 0.01, 0.9), "mde": NAN, "unit": NAN,
        "method": "Pearson chi-square, df = 2 (pingouin)", "note": ""}, rtol=1e-6)
    same_row(mde_groups(3, 300, test="chi2", dof=4), POWER_COLUMNS, {
        "comparison": "3 groups", "n": 300, "alpha": 0.05, "power": 0.8, "effect_name": "w",
        "effect": chi2_w(300, 4, 0.05, 0.8), "mde": NAN, "unit": NAN,
        "method": "Pearson chi-square, df = 4 (pingouin)", "note": ""}, rtol=1e-6)


def test_mde_groups_anova_at_another_alpha():
    same_row(mde_groups(4, 200, alpha=0.01, power=0.9), POWER_COLUMNS, {
        "comparison": "4 groups", "n": 200, "alpha": 0.01, "power": 0.9, "effect_name": "f",
        "effect": anova_f(4, 200, 0.01, 0.9), "mde": NAN, "unit": NAN,
        "method": "one-way ANOVA (pingouin)", "note": ""}, rtol=1e-4)


def test_unknown_test_or_design_is_named_in_the_error():
    with pytest.raises(ValueError, match=r"^test must be 'anova' or 'chi2', not 'kruskal'$"):
        mde_groups(3, 90, test="kruskal")
    with pytest.raises(ValueError, match=r"^design must be independent, paired, anova or "
                                         r"chi2, not 'cluster'$"):
        sample_size(0.3, design="cluster")


def test_mde_means_at_another_alpha_with_the_default_sd():
    # sd defaults to 1: the MDE in the unit is the standardized effect itself
    d = _two_sample_d(40, 60, alpha=0.01, power=0.9)
    same_row(mde_means(40, 60, alpha=0.01, power=0.9), POWER_COLUMNS, {
        "comparison": "independent", "n": 100, "alpha": 0.01, "power": 0.9,
        "effect_name": "d", "effect": d, "mde": d, "unit": "mean",
        "method": "two-sample t (pingouin)", "note": ""}, rtol=1e-5)
    dz = paired_t_dz(30, 0.01, 0.9)
    same_row(mde_means(30, paired=True, alpha=0.01, power=0.9), POWER_COLUMNS, {
        "comparison": "paired", "n": 30, "alpha": 0.01, "power": 0.9, "effect_name": "d_z",
        "effect": dz, "mde": dz, "unit": "mean", "method": "paired t (pingouin)",
        "note": ""}, rtol=1e-5)


def test_mde_means_with_two_in_each_group_and_without_a_second_group():
    # two in each group is the smallest two-sample t (2 df): computed, d about 5.65
    d = _two_sample_d_wide(2, 2)
    same_row(mde_means(2, 2), POWER_COLUMNS, {
        "comparison": "independent", "n": 4, "alpha": 0.05, "power": 0.8,
        "effect_name": "d", "effect": d, "mde": d, "unit": "mean",
        "method": "two-sample t (pingouin)", "note": ""}, rtol=1e-5)
    # no second group: n counts the first group only
    same_row(mde_means(30), POWER_COLUMNS, {
        "comparison": "independent", "n": 30, "alpha": 0.05, "power": 0.8,
        "effect_name": "d", "effect": NAN, "mde": NAN, "unit": NAN, "method": NAN,
        "note": "fewer than two in a group"})


def _two_sample_d_wide(n1: int, n2: int, alpha: float = 0.05, power: float = 0.8) -> float:
    df, scale = n1 + n2 - 2, math.sqrt(n1 * n2 / (n1 + n2))
    return optimize.brentq(lambda d: t_power(df, d * scale, alpha) - power, 0.01, 9.9,
                           xtol=1e-14)


def test_mde_shares_paired_row_whole():
    # McNemar as a paired t on the differences: the d_z of 50 pairs, and the change whose
    # differences (+1 with share c, -1 with share b, b + c = 0.4) have mean / SD = d_z
    dz = paired_t_dz(50, 0.01, 0.9)

    def dz_of(delta: float) -> float:
        c, b = (0.4 + delta) / 2, (0.4 - delta) / 2
        mean = c - b
        return mean / math.sqrt(c + b - mean**2)

    delta = optimize.brentq(lambda d: dz_of(d) - dz, 1e-9, 0.4 - 1e-9, xtol=1e-15)
    same_row(mde_shares(0.4, 50, paired=True, discordant=0.4, direction=-1, alpha=0.01,
                        power=0.9), POWER_COLUMNS, {
        "comparison": "paired", "n": 50, "alpha": 0.01, "power": 0.9, "effect_name": "d_z",
        "effect": dz, "mde": -delta, "unit": "proportion",
        "method": "McNemar as a paired t on the differences (pingouin)", "note": ""},
             rtol=1e-5)


def test_dz_paired_shares_from_the_differences():
    # 10 % of the pairs change yes -> no (-1), 20 % no -> yes (+1): the differences have
    # mean 0.1 and population SD sqrt(0.3 - 0.01), so d_z = 0.1 / sqrt(0.29)
    diffs = np.array([-1] * 10 + [1] * 20 + [0] * 70, dtype=float)
    assert dz_paired_shares(0.1, 0.3) == pytest.approx(diffs.mean() / diffs.std(), rel=1e-12)
    assert dz_paired_shares(0.1, 0.3) == pytest.approx(0.1 / math.sqrt(0.29), rel=1e-12)


def test_mde_shares_independent_decrease_at_another_alpha_to_full_precision():
    # the decrease from 0.9 that 50 and 40 people detect at alpha 0.01, power 0.9, against
    # the closed form of the quadratic in the change (to 1e-15: the root is solved to 1e-14)
    w = chi2_w(90, 1, 0.01, 0.9)
    row = mde_shares(0.9, 50, 40, direction=-1, alpha=0.01, power=0.9)
    same_row(row, POWER_COLUMNS, {
        "comparison": "independent", "n": 90, "alpha": 0.01, "power": 0.9,
        "effect_name": "w", "effect": w, "mde": share_change(0.9, w, 50 / 90, -1),
        "unit": "proportion", "method": "Pearson chi-square (pingouin)", "note": ""})
    got = mde_shares(0.9, 50, 40, direction=-1)
    w = got["effect"].iloc[0]
    assert w == pytest.approx(chi2_w(90, 1, 0.05, 0.8), rel=1e-6)
    assert got["mde"].iloc[0] == pytest.approx(share_change(0.9, w, 50 / 90, -1), abs=1e-15)


def test_a_change_to_exactly_all_is_detectable_when_it_gives_exactly_the_w_needed(
        monkeypatch):
    # the boundary of "no change within 0-100 %": the w needed equals, to the last bit, the
    # w of a change from 0.3 to 1.0 (pingouin replaced by that number); the change to 1.0 is
    # then just detectable: 0.7, not "nothing detectable"
    import types

    from cipsurvey.stats import power as power_module

    q0 = 0.5
    exact = math.sqrt(q0 * q0 * 0.7**2 / (0.65 * 0.35))
    assert exact == w_two_shares(0.3, 1.0, q0)
    fake = types.SimpleNamespace(power_chi2=lambda **kw: exact)
    monkeypatch.setattr(power_module, "_pg", lambda: fake)
    row = mde_shares(0.3, 100, 100)
    assert row["note"].iloc[0] == ""
    assert row["mde"].iloc[0] == pytest.approx(0.7, abs=1e-12)


def test_sample_size_defaults_and_another_alpha():
    # k defaults to 2 groups: ANOVA of two groups (1 and 2n - 2 df, noncentrality f² 2n)
    per = optimize.brentq(
        lambda m: sps.ncf.sf(sps.f.ppf(0.95, 1, 2 * m - 2), 1, 2 * m - 2, 0.25**2 * 2 * m)
        - 0.8, 3, 1000, xtol=1e-12)
    same_row(sample_size(0.25, design="anova"), POWER_COLUMNS, {
        "comparison": "2 groups", "n": 2 * math.ceil(per), "alpha": 0.05, "power": 0.8,
        "effect_name": "f", "effect": 0.25, "mde": NAN, "unit": NAN,
        "method": "one-way ANOVA (pingouin)", "note": ""})
    # ... and one degree of freedom for a chi-square (w² n noncentrality)
    n = optimize.brentq(lambda m: sps.ncx2.sf(sps.chi2.ppf(0.95, 1), 1, 0.1**2 * m) - 0.8,
                        10, 1e5, xtol=1e-12)
    same_row(sample_size(0.1, design="chi2"), POWER_COLUMNS, {
        "comparison": "2 groups", "n": math.ceil(n), "alpha": 0.05, "power": 0.8,
        "effect_name": "w", "effect": 0.1, "mde": NAN, "unit": NAN,
        "method": "Pearson chi-square, df = 1 (pingouin)", "note": ""})
    # every design at alpha = 0.01
    m = optimize.brentq(lambda m: t_power(2 * m - 2, 0.3 * math.sqrt(m / 2), 0.01) - 0.8, 3,
                        1000)
    assert sample_size(0.3, design="independent", alpha=0.01)["n"].iloc[0] == 2 * math.ceil(m)
    m = optimize.brentq(lambda m: t_power(3 * m - 2, 0.3 * math.sqrt(2 * m / 3), 0.01) - 0.8,
                        3, 1000)
    assert (sample_size(0.3, design="independent", ratio=2.0, alpha=0.01)["n"].iloc[0]
            == math.ceil(m) + 2 * math.ceil(m))
    per = optimize.brentq(
        lambda m: sps.ncf.sf(sps.f.ppf(0.99, 2, 3 * m - 3), 2, 3 * m - 3, 0.25**2 * 3 * m)
        - 0.8, 3, 1000, xtol=1e-12)
    assert sample_size(0.25, design="anova", k=3, alpha=0.01)["n"].iloc[0] == 3 * math.ceil(per)
    n = optimize.brentq(lambda m: sps.ncx2.sf(sps.chi2.ppf(0.99, 2), 2, 0.1**2 * m) - 0.8,
                        10, 1e5, xtol=1e-12)
    assert sample_size(0.1, design="chi2", k=3, alpha=0.01)["n"].iloc[0] == math.ceil(n)


def test_sample_size_of_unequal_groups_just_above_three_in_the_first():
    # twice as many in the second group: an effect whose exact solution is 3.5 people in
    # the first (7 in the second) is found (the search starts at 3 = 2 / 1 + 1): 4 + 8
    d = optimize.brentq(lambda d: t_power(3.5 + 7 - 2, d * math.sqrt(3.5 * 7 / 10.5), 0.05)
                        - 0.8, 0.5, 9, xtol=1e-14)
    same_row(sample_size(d, design="independent", ratio=2.0), POWER_COLUMNS, {
        "comparison": "independent", "n": 4 + 8, "alpha": 0.05, "power": 0.8,
        "effect_name": "d", "effect": d, "mde": NAN, "unit": NAN,
        "method": "two-sample t (pingouin)", "note": ""})


def test_sample_size_chi2_with_its_own_degrees_of_freedom_and_unequal_groups_rounded_up():
    # dof given (4) instead of k - 1 (2)
    n = optimize.brentq(lambda m: sps.ncx2.sf(sps.chi2.ppf(0.95, 4), 4, 0.1**2 * m) - 0.8,
                        10, 1e5, xtol=1e-12)
    same_row(sample_size(0.1, design="chi2", k=3, dof=4), POWER_COLUMNS, {
        "comparison": "3 groups", "n": math.ceil(n), "alpha": 0.05, "power": 0.8,
        "effect_name": "w", "effect": 0.1, "mde": NAN, "unit": NAN,
        "method": "Pearson chi-square, df = 4 (pingouin)", "note": ""})
    # d = 0.18, twice as many in the second group: the exact solution is 364.01 in the
    # first, so 365 + 730 (a solution only to within one person could round to 364)
    m = optimize.brentq(lambda m: t_power(3 * m - 2, 0.18 * math.sqrt(2 * m / 3), 0.05) - 0.8,
                        3, 1e4, xtol=1e-12)
    assert 364 < m < 364.1
    assert sample_size(0.18, design="independent", ratio=2.0)["n"].iloc[0] == 365 + 730


# ------------------------------------------------------------ attrition weights, by hand


def area_sample(**extra) -> pd.DataFrame:
    """Ten people invited: area 1 (6 people, 3 answered), area 2 (4 people, 3 answered).
    With area in the model the propensity is the share who answered in one's area: the
    weights are 6 / 3 = 2 in area 1 and 4 / 3 in area 2."""
    data = pd.DataFrame({"area": [1] * 6 + [2] * 4,
                         "responded": [1, 0, 1, 0, 1, 0, 1, 1, 0, 1]})
    for name, values in extra.items():
        data[name] = values
    return data


def test_weights_balance_and_diagnostics_by_hand():
    result = response_weights(area_sample(), "responded", ["area"], categorical=["area"])
    w = result.weights.to_numpy()
    expected = np.array([2, np.nan, 2, np.nan, 2, np.nan, 4 / 3, 4 / 3, np.nan, 4 / 3])
    np.testing.assert_allclose(w, expected, rtol=1e-7)
    # the balance of the one model column, area = 2: 4 of 10 invited (SD with n - 1),
    # 3 of 6 respondents, and weighted 3 (4 / 3) / (3 x 2 + 3 x 4 / 3) = 0.4, the target
    sd = math.sqrt(0.4 * 0.6 * 10 / 9)
    bal = result.balance
    assert list(bal.columns) == ["trait", "level", "target", "respondents", "weighted",
                                 "smd_unweighted", "smd_weighted"]
    row = bal.iloc[0]
    assert (row["trait"], row["level"]) == ("area", 2) and len(bal) == 1
    assert row["target"] == pytest.approx(0.4, rel=1e-12)
    assert row["respondents"] == pytest.approx(0.5, rel=1e-12)
    assert row["weighted"] == pytest.approx(0.4, rel=1e-7)
    assert row["smd_unweighted"] == pytest.approx(0.1 / sd, rel=1e-9)
    assert row["smd_weighted"] == pytest.approx(0, abs=1e-7)
    # no trimming asked: none trimmed (0, not missing); extreme is 5 x the mean by default
    diag = result.diagnostics.iloc[0]
    assert diag["n_trimmed"] == 0 and diag["n_trimmed"] is not None
    assert diag["extreme_threshold"] == pytest.approx(5 * 10 / 6, rel=1e-7)
    assert result.notes == []
    # an extreme limit of 1.1 x the mean (11 / 6): the three weights of 2 are above it
    tight = response_weights(area_sample(), "responded", ["area"], categorical=["area"],
                             extreme=1.1).diagnostics.iloc[0]
    assert tight["extreme_threshold"] == pytest.approx(1.1 * 10 / 6, rel=1e-7)
    assert tight["n_extreme"] == 3


def test_trimmed_weights_by_hand():
    # cap at 1.1 x the mean 10 / 6: the three weights of 2 become 11 / 6, then all are
    # scaled back to the sum 10 (it was 3 x 11 / 6 + 3 x 4 / 3 = 9.5)
    result = response_weights(area_sample(), "responded", ["area"], categorical=["area"],
                              trim=1.1)
    w = result.weights.dropna().to_numpy()
    np.testing.assert_allclose(w, [11 / 6 * 10 / 9.5] * 3 + [4 / 3 * 10 / 9.5] * 3,
                               rtol=1e-7)
    assert result.diagnostics["n_trimmed"].iloc[0] == 3
    assert result.notes == ["3 weights capped at 1.1 times the mean weight"]


def test_missing_answers_are_a_category_with_a_note_and_levels_keep_their_names():
    # area read as float (it has a missing answer): its level is named "area=2", not
    # "area=2.0"; a text trait's level by its text; age missing once, set to the mean
    area = [1.0, 1.0, 1.0, 1.0, 1.0, np.nan, 2.0, 2.0, 2.0, np.nan]
    site = ["north", "south"] * 5
    age = [30.0, 40.0, np.nan, np.nan, 20.0, 30.0, 40.0, 35.0, 45.0, 25.0]
    data = area_sample(area=area, site=site, age=age)
    data["responded"] = [1, 0, 1, 0, 1, 0, 1, 1, 0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = response_weights(data, "responded", ["area", "site", "age"],
                                  categorical=["area", "site"])
    assert list(result.model["term"]) == ["const", "area=2", "area=missing", "site=south",
                                          "age", "age=missing"]
    assert result.missing == {"area": 2, "age": 2}
    assert result.notes[:2] == [
        "area: 2 without an answer kept in the response model as a category of their own",
        "age: 2 without an answer kept in the response model as a category of their own "
        "(value set to the mean)"]


def test_a_numeric_trait_held_as_python_objects_is_read_as_numbers():
    # ages as objects with None for a missing answer (as from a JSON or mixed column): the
    # same model as the float column
    age = [30.0, 40.0, np.nan, 50.0, 20.0, 30.0, 40.0, 35.0, 45.0, 25.0]
    plain = response_weights(area_sample(age=age), "responded", ["age"])
    objects = response_weights(
        area_sample(age=pd.Series([None if np.isnan(a) else a for a in age], dtype=object)),
        "responded", ["age"])
    np.testing.assert_allclose(objects.model["estimate"], plain.model["estimate"], rtol=1e-9)
    np.testing.assert_allclose(objects.weights.to_numpy(), plain.weights.to_numpy(),
                               rtol=1e-9)


def test_constant_traits_are_left_out_by_name():
    # two numeric traits the same for everyone, the first model columns: both left out
    data = area_sample(age=[40.0] * 10, score=[3.0] * 10)
    result = response_weights(data, "responded", ["age", "score"])
    assert result.notes == ["left out of the response model (the same for everyone): "
                            "age, score"]
    assert result.left_out == ["age", "score"]
    assert list(result.model["term"]) == ["const"]


def test_a_separating_first_column_is_left_out():
    # area = 2 (the first model column): everyone there answered
    data = pd.DataFrame({"area": [1] * 6 + [2] * 3 + [3] * 4,
                         "responded": [1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1]})
    result = response_weights(data, "responded", ["area"], categorical=["area"])
    assert result.left_out == ["area=2"]
    assert result.notes == ["left out of the response model because everyone in it answered "
                            "the same way (these people count with the reference level): "
                            "area=2"]
    assert result.converged is True


def test_a_response_column_that_is_not_one_or_zero_is_refused_by_name():
    data = area_sample()
    data.loc[0, "responded"] = 2
    with pytest.raises(ValueError, match=r"^responded must be 1 \(responded\) or 0 \(did "
                                         r"not\)$"):
        response_weights(data, "responded", ["area"], categorical=["area"])


def test_weight_diagnostics_max_to_min_and_default_extreme_by_hand():
    # 2, 4, 8: max / min = 4; mean 14 / 3, the default extreme limit 5 x the mean
    d = weight_diagnostics([2.0, 4.0, 8.0]).iloc[0]
    assert d["max_to_min"] == 4.0
    assert d["extreme_threshold"] == pytest.approx(5 * 14 / 3, rel=1e-12)
    # a zero weight: the ratio is infinite, said without a division warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        z = weight_diagnostics([0.0, 2.0]).iloc[0]
    assert z["max_to_min"] == np.inf


def test_weighted_mean_of_two_answers_by_hand_with_missing_values_as_none():
    # y = 1, 3 with w = 1, 3: mean 10 / 4 = 2.5; variance 2 / 1 x (1 x 1.5² + 9 x 0.5²)
    # / 4² = 9 / 16, SE 0.75; the None in either list is a missing row
    est, se = 2.5, 0.75
    same_row(weighted_mean([1.0, None, 3.0, 5.0], [1.0, 2.0, 3.0, None]), MEAN_COLUMNS, {
        "n": 2, "sum_weights": 4.0, "ess": 16 / 10, "estimate": est, "se": se,
        "conf_low": est - Z95 * se, "conf_high": est + Z95 * se, "method": MEAN_METHOD,
        "note": ""}, rtol=1e-9)


# ------------------------------------------------------------ multiplicity, by hand


def test_adjust_defaults_to_holm_and_none_leaves_p_alone():
    # Holm by hand: sorted 0.005 x 4, 0.01 x 3, 0.03 x 2, 0.04 x 1 -> 0.02, 0.03, 0.06,
    # then 0.04 lifted to 0.06 by the running maximum
    got = multiplicity.adjust([0.01, 0.04, 0.03, 0.005])
    assert list(got) == pytest.approx([0.03, 0.06, 0.06, 0.02], rel=1e-12)
    # a missing p (None) is not a test: m = 2
    got = multiplicity.adjust([0.01, None, 0.04])
    assert got[0] == pytest.approx(0.02) and np.isnan(got[1]) and got[2] == pytest.approx(0.04)
    none = multiplicity.adjust([0.01, np.nan, 0.04], "none")
    assert none[0] == 0.01 and np.isnan(none[1]) and none[2] == 0.04


def test_families_adjusted_with_the_method_asked_for():
    frame = pd.DataFrame({"p": [0.01, 0.02, 0.03], "family": ["a", "a", "a"]})
    out = multiplicity.adjust_families(frame, method="bonferroni")
    assert list(out["p_adjusted"]) == pytest.approx([0.03, 0.06, 0.09], rel=1e-12)
    assert list(out["adjustment"]) == ["Bonferroni"] * 3


def test_disagreement_at_exactly_alpha_and_with_one_p_missing():
    # p = alpha is not significant (p < alpha is): .05 and .2 agree
    assert not multiplicity.disagreement(0.05, 0.2)
    assert not multiplicity.disagreement(0.2, 0.05)
    assert multiplicity.disagreement(0.049, 0.05)
    # either p missing: no disagreement, whichever is significant
    assert not multiplicity.disagreement(0.01, np.nan)
    assert not multiplicity.disagreement(np.nan, 0.01)
    classical = pd.DataFrame({"variable": ["a"], "test": "ANOVA", "p": [0.03]})
    robust = pd.DataFrame({"variable": ["a"], "test": ["Welch"], "p": [0.005]})
    assert list(multiplicity.disagreements(classical, robust, on=["variable"])["disagree"]) \
        == [False]
    assert list(multiplicity.disagreements(classical, robust, on=["variable"],
                                           alpha=0.01)["disagree"]) == [True]


# ------------------------------------------------------------ power beyond pingouin's search
# (found by the boundary mutants n < 2 -> n <= 2 and the bracket of the unequal-groups search:
# two pairs gave a blank NaN, a large effect a traceback)

NO_EFFECT = ("no effect up to d = 10 (the end of pingouin's search) reaches this power: too "
             "few to detect any plausible effect")
NO_SAMPLE = ("no sample within pingouin's search (up to 10 million) reaches exactly this "
             "power: the effect is too large or too small to plan a sample for")


def test_two_pairs_detect_no_effect_up_to_d_10_and_say_so():
    # two pairs: a t on 1 df; even d_z = 10 (noncentrality 10 sqrt 2) has power below 0.8,
    # so no MDE within pingouin's search exists, and the row says why
    assert t_power(1, 10 * math.sqrt(2), 0.05) < 0.8
    same_row(mde_means(2, paired=True), POWER_COLUMNS, {
        "comparison": "paired", "n": 2, "alpha": 0.05, "power": 0.8, "effect_name": "d_z",
        "effect": NAN, "mde": NAN, "unit": "mean", "method": "paired t (pingouin)",
        "note": NO_EFFECT})
    same_row(mde_shares(0.3, 2, paired=True, discordant=0.4), POWER_COLUMNS, {
        "comparison": "paired", "n": 2, "alpha": 0.05, "power": 0.8, "effect_name": "d_z",
        "effect": NAN, "mde": NAN, "unit": "proportion",
        "method": "McNemar as a paired t on the differences (pingouin)", "note": NO_EFFECT})
    # two in each group at alpha 0.01 (2 df): the same
    assert t_power(2, 10 * math.sqrt(1), 0.01) < 0.8
    assert mde_means(2, 2, alpha=0.01)["note"].iloc[0] == NO_EFFECT


def test_an_effect_too_large_to_plan_for_is_a_note_not_a_traceback():
    # twice as many in the second group: the search starts at 3 and 6, where d = 3 already
    # has more power than 0.8; half as many: at 5 and 2.5, the same
    assert t_power(3 + 6 - 2, 3 * math.sqrt(3 * 6 / 9), 0.05) > 0.8
    assert t_power(5 + 2.5 - 2, 3 * math.sqrt(5 * 2.5 / 7.5), 0.05) > 0.8
    for ratio in (2.0, 0.5):
        same_row(sample_size(3.0, design="independent", ratio=ratio), POWER_COLUMNS, {
            "comparison": "independent", "n": NAN, "alpha": 0.05, "power": 0.8,
            "effect_name": "d", "effect": 3.0, "mde": NAN, "unit": NAN,
            "method": "two-sample t (pingouin)", "note": NO_SAMPLE})
    assert sample_size(20.0, design="independent")["note"].iloc[0] == NO_SAMPLE
    assert sample_size(50.0, design="paired")["note"].iloc[0] == NO_SAMPLE
    assert sample_size(5.0, design="anova", k=3)["note"].iloc[0] == NO_SAMPLE
    assert sample_size(3.0, design="chi2")["note"].iloc[0] == NO_SAMPLE


# ------------------------------------------------------------ round 4: holm, Cochran's rule,
# structural zeros and the exact test's CI (issue 22, part 1)


def test_holm_reads_p_values_given_as_text():
    # p values read from a file as text are numbers to Holm (as to adjust); by hand:
    # sorted 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> lifted to 0.06
    got = multiplicity.holm(["0.01", "0.04", "0.03"])
    assert got.dtype == float
    assert list(got) == pytest.approx([0.03, 0.06, 0.06], rel=1e-12)


def test_sparse_reads_counts_given_as_text():
    # [[1, 0], [20, 20]] as text: the expected counts of the first row are 21/41 and 20/41
    assert selection.sparse(np.array([["1", "0"], ["20", "20"]])) is True


def outer(r: list[int], c: list[int]) -> np.ndarray:
    """A table of independent rows and columns: its expected counts are its counts."""
    return np.outer(r, c)


@pytest.mark.parametrize("table, want", [
    # 2 of 10 expected counts (2 and 2) below 5: exactly 20 %, not more than 20 %; min 2
    (outer([1, 1], [10, 10, 10, 10, 2]), False),
    # 5 of 24 (row 1's 2, 2, 2, 2, 2) below 5: 20.8 %, more than 20 %; min 2
    (outer([1, 5, 5, 5], [10, 2, 2, 2, 2, 2]), True),
    # one expected count of exactly 1 (21 x 11 / 231) of 6 cells: not below 1, 16.7 %
    (outer([1, 10], [1, 10, 10]), False),
    # a row of one person is kept: expected 21/41 and 20/41 are below 1
    (np.array([[1, 0], [20, 20]]), True),
    # ... and a column of one person
    (np.array([[1, 20], [0, 20]]), True),
    # an empty column is left out: the rest is 10 everywhere
    (np.array([[10, 10, 0], [10, 10, 0]]), False),
])
def test_cochrans_rule_at_its_boundaries_by_hand(table, want):
    assert selection.sparse(table) is want


def counts_to_data(counts: np.ndarray) -> pd.DataFrame:
    """One row per person of a table, levels 1, 2, ... on both sides."""
    r, c = np.indices(counts.shape)
    reps = counts.ravel()
    return pd.DataFrame({"x": np.repeat(r.ravel() + 1, reps),
                         "y": np.repeat(c.ravel() + 1, reps)})


QI_METHOD = "quasi-independence (structural zeros excluded), Poisson log-linear model"
APPROXIMATE = "; no exact test under quasi-independence: the p value is approximate"


@pytest.mark.parametrize("counts, below, live, sparse_note", [
    # cell (1, 1) structural; the other cells are rows x columns, so quasi-independence
    # fits them exactly (X² = G² = 0 on 5 - 4 = 1 df). Fitted 2 and 2 below 5: 40 %
    ([[0, 2, 2], [10, 10, 10]], 2, 5, True),
    # one fitted count (3) below 5 of 5: exactly 20 %, which is not more than 20 %
    ([[0, 10, 10], [3, 10, 10]], 1, 5, False),
    # 5 x 5, one structural: column 5's five 1s of 24 cells, 20.8 % (24 - 9 = 15 df)
    ([[0, 5, 5, 5, 1]] + [[5, 5, 5, 5, 1]] * 4, 5, 24, True),
])
def test_structural_zeros_whole_with_the_sparse_note_by_hand(counts, below, live, sparse_note):
    counts = np.array(counts)
    res = selection.crosstab_tests(counts_to_data(counts), "x", "y",
                                   structural_zeros=[(1, 1)])
    assert list(res.columns) == selection.SELECTED_COLUMNS
    assert res.attrs["structural"] is True
    assert list(res["test"]) == ["Pearson chi-square", "Likelihood ratio"]
    assert list(res["primary"]) == [True, False]
    df = live - (counts.shape[0] + counts.shape[1] - 1)
    assert list(res["df"]) == [df, df]
    assert list(res["statistic"]) == pytest.approx([0, 0], abs=1e-8)
    assert list(res["n"]) == [counts.sum()] * 2
    note = (f"1 structural zero cell(s) excluded; {below} of {live} cells "
            f"({100 * below / live:.1f}%) have expected count less than 5")
    assert list(res["note"]) == [note + (APPROXIMATE if sparse_note else ""), ""]


def test_structural_zeros_that_leave_no_degrees_of_freedom():
    # 2 x 2 with one structural zero: 3 cells, 3 parameters, no test (and no sparse note)
    res = selection.crosstab_tests(counts_to_data(np.array([[0, 4], [6, 8]])), "x", "y",
                                   structural_zeros=[(1, 1)])
    assert list(res.columns) == selection.SELECTED_COLUMNS
    assert res.attrs["structural"] is True
    assert len(res) == 1
    row = res.iloc[0]
    assert (row["test"], row["n"], row["method"], bool(row["primary"])) == (
        "Pearson chi-square", 18, QI_METHOD, True)
    assert row["note"] == ("no degrees of freedom left once the structural zeros are "
                           "excluded: no test")
    assert np.isnan(row["p"]) and np.isnan(row["statistic"])


def test_a_table_without_structural_zeros_says_so():
    for data in (two_by_two(20, 10, 12, 25), two_by_two(2, 1, 1, 3)):
        res = selection.crosstab_tests(data, "x", "y")
        assert res.attrs["structural"] is False


def test_the_monte_carlo_p_interval_has_the_level_asked_for():
    # the simulated p = (1 + hits) / (R + 1); its CI is Clopper-Pearson's for hits of R,
    # here at 99 %: Beta(0.005; hits, R - hits + 1) and Beta(0.995; hits + 1, R - hits)
    t = pd.read_csv(REF / "r_exact_tables.csv")
    t = t[t["table"] == "monte_carlo_4x5"]
    data = pd.DataFrame({"x": np.repeat(t["row"].to_numpy(), t["count"].to_numpy()),
                         "y": np.repeat(t["col"].to_numpy(), t["count"].to_numpy())})
    res = selection.crosstab_tests(data, "x", "y", exact="always", n_resamples=999, seed=7,
                                   conf=0.99)
    ffh = res[res["primary"]].iloc[0]
    hits = round(ffh["p"] * 1000) - 1
    assert 0 < hits < 999
    assert ffh["p_conf_low"] == pytest.approx(sps.beta.ppf(0.005, hits, 999 - hits + 1),
                                              rel=1e-9)
    assert ffh["p_conf_high"] == pytest.approx(sps.beta.ppf(0.995, hits + 1, 999 - hits),
                                               rel=1e-9)


def test_unequal_groups_whose_power_is_reached_exactly_at_either_end_of_the_search():
    # the search runs from 3 in the first group (twice as many in the second) to 10 million;
    # a power reached exactly at 3 (and 6) or at 10 million (and 20 million) is the answer,
    # not "no sample reaches it". The powers asked for are pingouin's own at those ends, so
    # that they are met exactly; they are the two-sample t's (scipy's noncentral t)
    import pingouin

    at_three = pingouin.power_ttest2n(nx=3.0, ny=6.0, d=2.0, alpha=0.05)
    assert at_three == pytest.approx(t_power(7, 2.0 * math.sqrt(3 * 6 / 9), 0.05), rel=1e-9)
    same_row(sample_size(2.0, design="independent", ratio=2.0, power=at_three),
             POWER_COLUMNS, {
                 "comparison": "independent", "n": 3 + 6, "alpha": 0.05, "power": at_three,
                 "effect_name": "d", "effect": 2.0, "mde": NAN, "unit": NAN,
                 "method": "two-sample t (pingouin)", "note": ""})
    at_end = pingouin.power_ttest2n(nx=1e7, ny=2e7, d=0.002, alpha=0.05)
    assert at_end == pytest.approx(sps.norm.sf(1.959963984540054 - 0.002 * math.sqrt(2e7 / 3)),
                                   rel=1e-6)
    row = sample_size(0.002, design="independent", ratio=2.0, power=at_end)
    assert row["n"].iloc[0] == 10_000_000 + 20_000_000 and row["note"].iloc[0] == ""



def test_unequal_groups_needing_just_over_ten_million_are_beyond_the_search():
    # d chosen so that 0.8 is reached between 10,000,000 and 10,000,001 in the first group
    # (the normal approximation: n1 = 1.5 (z .975 + z .8)² / d² = 1.0000000e7): no answer
    # within the search, a note rather than a traceback
    d = 0.0010850479680226894
    z = sps.norm.ppf(0.975) + sps.norm.ppf(0.8)
    assert 1.5 * z**2 / d**2 == pytest.approx(1e7, rel=1e-5)
    same_row(sample_size(d, design="independent", ratio=2.0), POWER_COLUMNS, {
        "comparison": "independent", "n": NAN, "alpha": 0.05, "power": 0.8,
        "effect_name": "d", "effect": d, "mde": NAN, "unit": NAN,
        "method": "two-sample t (pingouin)", "note": NO_SAMPLE})


@pytest.mark.parametrize("paired", [False, True])
def test_a_direction_other_than_up_or_down_is_refused_by_name(paired):
    # direction 0 was read as a decrease (independent) and gave an MDE of 0 (paired)
    with pytest.raises(ValueError) as err:
        mde_shares(0.3, 100, 100, paired=paired, discordant=0.2, direction=0)
    assert str(err.value) == "direction must be 1 (an increase) or -1 (a decrease), not 0"
    with pytest.raises(ValueError, match=r"not 2$"):
        mde_shares(0.3, 100, 100, paired=paired, discordant=0.2, direction=2)
    # both directions stay allowed: a decrease mirrors an increase from 0.5 (independent),
    # and the paired change is signed by the direction
    up = mde_shares(0.5, 100, 100, paired=paired, discordant=0.2, direction=1)["mde"].iloc[0]
    down = mde_shares(0.5, 100, 100, paired=paired, discordant=0.2, direction=-1)["mde"].iloc[0]
    assert up > 0 and down == pytest.approx(-up, rel=1e-9)


def test_a_paired_change_larger_than_the_share_of_changing_pairs_is_refused():
    # the differences are +1, 0 or -1, so their mean (the change) is at most psi, the share of
    # pairs that changed; d_z = delta / sqrt(psi - delta^2) reaches psi at psi* = d_z^2/(1+d_z^2)
    dz = paired_t_dz(10, 0.05, 0.8)
    edge = dz**2 / (1 + dz**2)
    above = mde_shares(0.5, 10, paired=True, discordant=edge * 1.001).iloc[0]
    assert 0 < above["mde"] <= edge * 1.001 and above["note"] == ""
    assert above["mde"] == pytest.approx(edge, rel=1e-3)
    below = mde_shares(0.5, 10, paired=True, discordant=edge * 0.999, direction=-1).iloc[0]
    assert np.isnan(below["mde"]) and below["effect"] == pytest.approx(dz, rel=1e-5)
    assert below["note"] == ("the change this power needs is larger than the share of pairs "
                             "that change (psi): no change is detectable with so few changing "
                             "pairs")


def test_a_paired_change_exactly_equal_to_the_share_of_changing_pairs_is_allowed():
    # delta = psi is the largest change there is (every changing pair moves one way), so it is
    # an answer, not a refusal; find the psi within a few ulps of dz^2 / (1 + dz^2) at which
    # the change comes out exactly equal to it
    dz = mde_shares(0.5, 15, paired=True, discordant=0.5)["effect"].iloc[0]
    psi = dz**2 / (1 + dz**2)
    near = [psi]
    for _ in range(3):
        near += [np.nextafter(near[-1], 2.0)]
    near += [np.nextafter(psi, -1.0)]
    exact = []
    for share in near:
        row = mde_shares(0.5, 15, paired=True, discordant=float(share)).iloc[0]
        assert np.isnan(row["mde"]) or row["mde"] <= share
        exact += [row["mde"] == share]
    assert any(exact)
