"""The statistics of a wave comparison against independent references: R's geepack, lme4,
glm + survey and the power functions (tests/reference/r_compare.R made the data and the
values), and a worked example from a textbook for the paired share interval."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from cipsurvey.stats.longitudinal import newcombe_paired, paired_share_change, wave_change
from cipsurvey.stats.power import mde_groups, mde_means, mde_shares, sample_size
from cipsurvey.stats.weights import response_weights, weight_diagnostics, weighted_mean

REF = Path(__file__).parent / "reference"
R = {name: float(value) for name, value in
     pd.read_csv(REF / "r_compare_values.csv", dtype={"value": str}).itertuples(index=False)}


@pytest.fixture(scope="module")
def long():
    return pd.read_csv(REF / "r_compare_long.csv")


@pytest.fixture(scope="module")
def invited():
    return pd.read_csv(REF / "r_compare_invited.csv")


def close(a, b, rtol=1e-6, atol=0.0):
    assert np.isclose(a, b, rtol=rtol, atol=atol), (a, b)


# ---------------------------------------------------------------- paired shares


def test_newcombe_paired_interval_reproduces_the_textbook_example():
    # Fagerland, Lydersen & Laake (2017), ch. 8: complete response before and after
    # consolidation therapy (Cavo et al. 2012), table [[59, 6], [16, 80]] (rows: after,
    # columns: before). Printed: estimate -0.0621, 95 % CI -0.1186 to -0.0046.
    low, high = newcombe_paired(a=59, b=16, c=6, d=80)
    assert round(low, 4) == -0.1186 and round(high, 4) == -0.0046
    data = pd.DataFrame({"before": [1] * 59 + [1] * 16 + [0] * 6 + [0] * 80,
                         "after": [1] * 59 + [0] * 16 + [1] * 6 + [0] * 80})
    row = paired_share_change(data, "before", "after").iloc[0]
    assert round(row["estimate"], 4) == -0.0621 and (row["b"], row["c"]) == (16, 6)
    assert np.isclose(row["p"], sps.binomtest(6, 22, 0.5).pvalue, rtol=1e-12)


def test_paired_share_refuses_codes_other_than_0_and_1():
    with pytest.raises(ValueError, match="0/1"):
        paired_share_change(pd.DataFrame({"a": [1, 2], "b": [1, 1]}), "a", "b")


# ---------------------------------------------------------------- GEE and mixed models


@pytest.mark.parametrize("prefix,outcome,waves", [("gee3", "y", [0, 1, 2]),
                                                  ("gee3b", "yb", [0, 1, 2]),
                                                  ("gee2", "y", [0, 1])])
def test_gee_agrees_with_geepack(long, prefix, outcome, waves):
    data = long[long["wave"].isin(waves)]
    out = wave_change(data, outcome, "wave", "person")
    means = out[out["term"] == "mean"].reset_index(drop=True)
    change = out[out["term"] == "change"].reset_index(drop=True)
    for k in range(len(waves)):
        close(means.loc[k, "estimate"], R[f"{prefix}_mean{k + 1}"], rtol=1e-7)
        close(means.loc[k, "se"], R[f"{prefix}_mean_se{k + 1}"], rtol=1e-6)
    for k in range(1, len(waves)):
        close(change.loc[k - 1, "estimate"], R[f"{prefix}_b{k + 1}"], rtol=1e-6)
        close(change.loc[k - 1, "se"], R[f"{prefix}_se{k + 1}"], rtol=1e-6)
        z = R[f"{prefix}_b{k + 1}"] / R[f"{prefix}_se{k + 1}"]
        close(change.loc[k - 1, "p"], 2 * sps.norm.sf(abs(z)), rtol=1e-5)
    close(out["correlation"].iloc[0], R[f"{prefix}_alpha"], rtol=1e-6)
    assert out["n_obs"].iloc[0] == R[f"{prefix}_nobs"]
    assert out["n_clusters"].iloc[0] == R[f"{prefix}_nclusters"]
    if len(waves) >= 3:
        joint = out[out["term"] == "joint"].iloc[0]
        close(joint["statistic"], R[f"{prefix}_joint"], rtol=1e-5)
        assert joint["df"] == 2
        trend = out[out["term"] == "trend"].iloc[0]
        close(trend["estimate"], R[f"{prefix}_trend"], rtol=1e-6)
        close(trend["se"], R[f"{prefix}_trend_se"], rtol=1e-6)


def test_gee_with_independence_agrees_with_geepack(long):
    out = wave_change(long, "y", "wave", "person", correlation="independence")
    change = out[out["term"] == "change"].reset_index(drop=True)
    for k in (0, 1):
        close(change.loc[k, "estimate"], R[f"geei3_b{k + 2}"], rtol=1e-8)
        close(change.loc[k, "se"], R[f"geei3_se{k + 2}"], rtol=1e-7)
    trend = out[out["term"] == "trend"].iloc[0]
    close(trend["se"], R["geei3_trend_se"], rtol=1e-7)
    # the change is the difference of the waves' means over everyone who answered
    means = long.groupby("wave")["y"].mean()
    close(change.loc[1, "estimate"], means[2] - means[0], rtol=1e-10)


def test_an_inadmissible_exchangeable_correlation_falls_back_to_independence():
    # 60 people in both waves who vary a lot and keep their level, 400 who answered once
    # and vary little: the moment estimate of the correlation exceeds 1 (geepack gives the
    # same; the demo study's CIP count does this, alpha = 1.17)
    rng = np.random.default_rng(3)
    level = rng.normal(0, 10, 60)
    linked = pd.DataFrame({"id": np.repeat(np.arange(60), 2), "wave": np.tile([0, 1], 60),
                           "y": np.repeat(level, 2) + rng.normal(0, 0.5, 120)})
    single = pd.DataFrame({"id": np.nan, "wave": np.repeat([0, 1], 200),
                           "y": rng.normal(0, 1, 400)})
    data = pd.concat([linked, single], ignore_index=True)
    out = wave_change(data, "y", "wave", "id")
    change = out[out["term"] == "change"].iloc[0]
    assert "outside its admissible range" in change["note"]
    assert np.isnan(change["correlation"])
    means = data.groupby("wave")["y"].mean()
    close(change["estimate"], means[1] - means[0], rtol=1e-10)


def test_mixed_model_agrees_with_lme4(long):
    out = wave_change(long, "y", "wave", "person", method="mixed")
    change = out[out["term"] == "change"].reset_index(drop=True)
    means = out[out["term"] == "mean"].reset_index(drop=True)
    close(means.loc[0, "estimate"], R["lmm3_b1"], rtol=1e-5)
    close(means.loc[0, "se"], R["lmm3_se1"], rtol=1e-5)
    for k in (0, 1):
        close(change.loc[k, "estimate"], R[f"lmm3_b{k + 2}"], rtol=1e-5)
        close(change.loc[k, "se"], R[f"lmm3_se{k + 2}"], rtol=1e-5)
    close(out["correlation"].iloc[0], R["lmm3_icc"], rtol=1e-3)
    trend = out[out["term"] == "trend"].iloc[0]
    close(trend["estimate"], R["lmm3_trend"], rtol=1e-5)
    close(trend["se"], R["lmm3_trend_se"], rtol=1e-4)


def test_without_a_key_every_response_is_its_own_cluster(long):
    data = long[long["wave"].isin([0, 1])]
    out = wave_change(data, "y", "wave", None)
    change = out[out["term"] == "change"].iloc[0]
    assert out["n_repeated"].iloc[0] == 0
    a = data.loc[data["wave"] == 0, "y"].dropna()
    b = data.loc[data["wave"] == 1, "y"].dropna()
    close(change["estimate"], b.mean() - a.mean(), rtol=1e-10)
    # independent clusters: the sandwich SE is the unpooled SE with n (not n - 1) variances
    se = np.sqrt(a.var(ddof=0) / len(a) + b.var(ddof=0) / len(b))
    close(change["se"], se, rtol=1e-8)


def test_reference_wave_and_order_are_respected(long):
    out = wave_change(long, "y", "wave", "person", order=[0, 1, 2], reference=2)
    change = out[out["term"] == "change"]
    assert list(change["wave"]) == [0, 1] and set(change["reference"]) == {2}
    close(change["estimate"].iloc[0], -R["gee3_b3"], rtol=1e-6)


def test_a_single_wave_gives_a_note_not_an_error(long):
    out = wave_change(long[long["wave"] == 0], "y", "wave", "person")
    assert len(out) == 1 and "fewer than two waves" in out["note"].iloc[0]


# ---------------------------------------------------------------- response weights


def test_response_model_and_weights_agree_with_r_glm_and_survey(invited, long):
    result = response_weights(invited, "responded", ["gender", "area", "age"],
                              categorical=["gender", "area"])
    model = result.model
    assert list(model["term"]) == ["const", "gender=2", "area=2", "area=3", "age",
                                   "age=missing"]
    for k in range(len(model)):
        close(model["estimate"].iloc[k], R[f"rm_b{k + 1}"], rtol=1e-7)
        close(model["se"].iloc[k], R[f"rm_se{k + 1}"], rtol=1e-6)
    diag = result.diagnostics.iloc[0]
    close(diag["sum"], R["w_sum"], rtol=1e-8)
    close(diag["max"], R["w_max"], rtol=1e-8)
    close(diag["min"], R["w_min"], rtol=1e-8)
    close(diag["ess"], R["w_ess"], rtol=1e-8)
    assert any("age: 15 without an answer" in n or "age:" in n for n in result.notes)

    w1 = long[long["wave"] == 1].set_index("person")
    frame = invited.assign(w=result.weights.to_numpy()).set_index("person")
    resp = frame[frame["responded"] == 1].join(w1[["y", "yb"]].add_suffix("1"))
    m = weighted_mean(resp["y1"], resp["w"]).iloc[0]
    close(m["estimate"], R["svy_y1"], rtol=1e-8)
    close(m["se"], R["svy_y1_se"], rtol=1e-7)
    close(m["conf_low"], R["svy_y1_low"], rtol=1e-7)
    close(m["conf_high"], R["svy_y1_high"], rtol=1e-7)
    mb = weighted_mean(resp["yb1"], resp["w"]).iloc[0]
    close(mb["estimate"], R["svy_yb1"], rtol=1e-8)
    close(mb["se"], R["svy_yb1_se"], rtol=1e-7)
    mc = weighted_mean(resp["y1"] - resp["y"], resp["w"]).iloc[0]
    close(mc["estimate"], R["svy_change"], rtol=1e-8)
    close(mc["se"], R["svy_change_se"], rtol=1e-7)


def test_weighting_moves_the_respondents_toward_everyone_invited(invited):
    result = response_weights(invited, "responded", ["gender", "area", "age"],
                              categorical=["gender", "area"])
    bal = result.balance.set_index(["trait", "level"])
    age = invited["age"].fillna(invited["age"].mean())
    resp = invited["responded"] == 1
    w = result.weights[resp]
    row = bal.loc[("age", "")]
    assert row["target"] == pytest.approx(age.mean())
    assert row["respondents"] == pytest.approx(age[resp].mean())
    assert row["weighted"] == pytest.approx((age[resp] * w).sum() / w.sum())
    assert row["smd_unweighted"] == pytest.approx((age[resp].mean() - age.mean()) / age.std())
    # the older answered less often: weighting brings the respondents close to everyone
    assert row["smd_unweighted"] < -0.1 and abs(row["smd_weighted"]) < 0.01
    assert (bal["smd_weighted"].abs() < 0.05).all()


def test_weight_diagnostics_by_hand():
    w = np.array([1.0, 1.0, 2.0, 4.0, 12.0])
    d = weight_diagnostics(w, extreme=2.0).iloc[0]
    assert d["ess"] == pytest.approx(20**2 / 166)
    assert d["design_effect"] == pytest.approx(5 * 166 / 400)
    assert d["design_effect"] == pytest.approx(1 + d["cv"] ** 2)
    assert (d["max_to_min"], d["n_extreme"]) == (12.0, 1)


def test_trimming_caps_and_keeps_the_sum(invited):
    plain = response_weights(invited, "responded", ["gender", "area", "age"],
                             categorical=["gender", "area"])
    cap = 1.2
    trimmed = response_weights(invited, "responded", ["gender", "area", "age"],
                               categorical=["gender", "area"], trim=cap)
    w0, w1 = plain.weights.dropna(), trimmed.weights.dropna()
    assert np.isclose(w0.sum(), w1.sum())
    assert trimmed.diagnostics["n_trimmed"].iloc[0] == (w0 > cap * w0.mean()).sum() > 0
    assert w1.max() <= cap * w0.mean() * w0.sum() / np.minimum(w0, cap * w0.mean()).sum() + 1e-9


# ---------------------------------------------------------------- power


def test_minimum_detectable_effects_agree_with_r():
    close(mde_means(494, paired=True, sd=2.0)["effect"].iloc[0], R["mde_paired_dz"], rtol=1e-5)
    close(mde_means(494, paired=True, sd=2.0)["mde"].iloc[0], 2 * R["mde_paired_dz"], rtol=1e-5)
    close(mde_means(150, 150)["effect"].iloc[0], R["mde_two_d"], rtol=1e-5)
    close(mde_means(705, 512)["effect"].iloc[0], R["mde_unequal_d"], rtol=1e-5)
    close(mde_means(705, 512, sd=2.5)["mde"].iloc[0], 2.5 * R["mde_unequal_d"], rtol=1e-5)
    close(mde_groups(3, 180)["effect"].iloc[0], R["mde_anova_f"], rtol=1e-4)
    close(mde_groups(3, 400, test="chi2")["effect"].iloc[0], R["mde_chi2_w"], rtol=1e-5)
    up = mde_shares(0.3, 705, 512)["mde"].iloc[0]
    down = mde_shares(0.3, 705, 512, direction=-1)["mde"].iloc[0]
    close(up, R["mde_share_up"], rtol=1e-4)
    close(down, R["mde_share_down"], rtol=1e-4)


def test_sample_sizes_agree_with_r():
    assert sample_size(0.3, design="independent")["n"].iloc[0] == 2 * np.ceil(R["n_two_d03"])
    assert sample_size(0.2, design="paired")["n"].iloc[0] == np.ceil(R["n_paired_dz02"])
    assert sample_size(0.25, design="anova", k=3)["n"].iloc[0] == 3 * np.ceil(R["n_anova_f025"])
    assert sample_size(0.1, design="chi2", k=3)["n"].iloc[0] == np.ceil(R["n_chi2_w01"])


def test_paired_share_mde_by_hand():
    # d_z from the paired t at n = 494; δ = d_z √ψ / √(1 + d_z²) solves δ / √(ψ - δ²) = d_z
    psi = 0.2
    row = mde_shares(0.5, 494, paired=True, discordant=psi).iloc[0]
    delta = row["mde"]
    assert delta / np.sqrt(psi - delta**2) == pytest.approx(R["mde_paired_dz"], rel=1e-5)
    assert np.isnan(mde_shares(0.5, 494, paired=True, discordant=0.0)["mde"].iloc[0])


def test_no_detectable_share_beyond_the_edge():
    row = mde_shares(0.995, 20, 20).iloc[0]
    assert np.isnan(row["mde"]) and "no change" in row["note"]


def test_a_category_whose_members_all_answered_is_left_out_of_the_response_model(invited):
    data = invited.copy()
    data.loc[data.index[:3], "area"] = 4  # three people in a new area, all of whom answered
    data.loc[data.index[:3], "responded"] = 1
    result = response_weights(data, "responded", ["gender", "area", "age"],
                              categorical=["gender", "area"])
    assert "area=4" not in set(result.model["term"])
    assert any("everyone in it answered the same way" in n and "area=4" in n
               for n in result.notes)
    assert result.model["se"].max() < 10  # no coefficient running off to infinity


def test_three_waves_without_variation_in_two_give_no_joint_test_and_no_crash():
    # unlinked waves (no cluster); the answer varies at the first wave only, so the two
    # changes' sandwich covariance is var(first) in every cell: singular (rank 1)
    y = [0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    data = pd.DataFrame({"y": y, "wave": [0] * 4 + [1] * 4 + [2] * 4})
    out = wave_change(data, "y", "wave", None).set_index("term")
    joint = out.loc["joint"]
    assert np.isnan(joint["statistic"]) and "singular" in joint["note"]
    change = out.loc["change"]
    assert list(change["estimate"]) == pytest.approx([0.5, 0.5])
