"""Regression and count models: exact columns, notes and values, against hand calculations
and R (issue 22: the mutants that survived tests/test_selection_r.py and
tests/test_regression_distinct.py).

The models here have closed forms where it helps: OLS with one predictor, a Poisson or
binomial GLM with one binary predictor (the group rates), logistic regression on a 2 × 2
table (the log odds ratio and Woolf's SE). The negative binomial's α has none; its values
come from R 4.2.2 with MASS (the R code is kept beside them).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from scipy.special import gammaln

from cipsurvey.stats import countmodels, regression

COEF = ["term", "estimate", "se", "beta", "statistic", "df", "p", "conf_low", "conf_high",
        "exp_estimate", "exp_conf_low", "exp_conf_high", "method", "note"]
OLS_MODEL = ["n", "r_squared", "adj_r_squared", "statistic", "df1", "df2", "p", "sigma",
             "method", "note"]
ANOVA = ["source", "ss", "df", "ms", "statistic", "p", "method", "note"]
COUNT_MODEL = ["n", "log_likelihood", "aic", "deviance", "pearson_chi2", "df_resid",
               "dispersion", "alpha", "lr_alpha", "p_alpha", "method", "note"]
LOGIT_MODEL = ["n", "events", "minus2ll", "cox_snell_r2", "nagelkerke_r2", "lr_chi2", "df",
               "p", "method", "note"]
BINOMIAL_MODEL = ["n", "trials", "log_likelihood", "deviance", "pearson_chi2", "df_resid",
                  "dispersion", "scale", "method", "note"]
CHECKS = ["model", "measure", "value", "note"]
Z = stats.norm.ppf(0.975)

# ---- OLS: y on x, by hand ----
# x = 1..5, y = 1, 2, 2, 4, 6: Sxx = 10, Sxy = 12, b1 = 1.2, b0 = 3 - 3.6 = -0.6;
# fitted .6 1.8 3 4.2 5.4, residuals .4 .2 -1 -.2 .6: SSR = 1.6, SST = 16, SSM = 14.4;
# R² = .9, F = 14.4 / (1.6 / 3) = 27, se(b1) = √(1.6/3/10), β = 1.2·√2.5/√4 = √.9
OLS_DATA = pd.DataFrame({"y": [1, 2, 2, 4, 6], "x": [1, 2, 3, 4, 5]}, dtype=float)


def test_ols_tables_by_hand():
    res = regression.ols(OLS_DATA, "y", ["x"])
    coef, model, anova = res.coefficients, res.model, res.anova
    assert list(coef.columns) == COEF
    assert list(model.columns) == OLS_MODEL
    assert list(anova.columns) == ANOVA
    mse = 1.6 / 3
    se1 = math.sqrt(mse / 10)
    se0 = math.sqrt(mse * (1 / 5 + 9 / 10))
    t = stats.t.ppf(0.975, 3)
    assert list(coef["term"]) == ["(Intercept)", "x"]
    assert list(coef["estimate"]) == pytest.approx([-0.6, 1.2])
    assert list(coef["se"]) == pytest.approx([se0, se1])
    assert np.isnan(coef["beta"].iloc[0])  # no standardized coefficient for the intercept
    assert coef["beta"].iloc[1] == pytest.approx(math.sqrt(0.9))
    assert list(coef["statistic"]) == pytest.approx([-0.6 / se0, 1.2 / se1])
    assert list(coef["df"]) == [3, 3]
    assert coef["p"].iloc[1] == pytest.approx(2 * stats.t.sf(1.2 / se1, 3))
    assert list(coef["conf_low"]) == pytest.approx([-0.6 - t * se0, 1.2 - t * se1])
    assert list(coef["conf_high"]) == pytest.approx([-0.6 + t * se0, 1.2 + t * se1])
    assert coef[["exp_estimate", "exp_conf_low", "exp_conf_high"]].isna().all().all()
    assert list(coef["method"]) == ["OLS", "OLS"]
    assert list(coef["note"]) == ["", ""]
    m = model.iloc[0]
    assert m["n"] == 5
    assert m["r_squared"] == pytest.approx(0.9)
    assert m["adj_r_squared"] == pytest.approx(1 - 0.1 * 4 / 3)
    assert m["statistic"] == pytest.approx(27)
    assert (m["df1"], m["df2"]) == (1, 3)
    assert m["p"] == pytest.approx(stats.f.sf(27, 1, 3))
    assert m["sigma"] == pytest.approx(math.sqrt(mse))
    assert (m["method"], m["note"]) == ("OLS", "")
    assert list(anova["source"]) == ["Regression", "Residual", "Total"]
    assert list(anova["ss"]) == pytest.approx([14.4, 1.6, 16])
    assert list(anova["df"]) == [1, 3, 4]
    assert list(anova["ms"].iloc[:2]) == pytest.approx([14.4, mse])
    assert anova["statistic"].iloc[0] == pytest.approx(27)
    assert anova["p"].iloc[0] == pytest.approx(stats.f.sf(27, 1, 3))
    assert anova["p"].iloc[1:].isna().all()
    assert list(anova["method"]) == ["OLS: regression and residual sums of squares"] * 3
    assert list(anova["note"]) == [""] * 3


def test_ols_ms_is_ss_over_df_with_two_predictors():
    # with df1 = 2 the regression mean square is half its sum of squares (a slip to
    # ss · df is invisible when df1 = 1)
    d = OLS_DATA.assign(z=[0.0, 1, 0, 0, 1])
    anova = regression.ols(d, "y", ["x", "z"]).anova
    assert anova["df"].iloc[0] == 2
    assert anova["ms"].iloc[0] == pytest.approx(anova["ss"].iloc[0] / 2)
    sst = 16.0
    assert anova["ss"].iloc[0] + anova["ss"].iloc[1] == pytest.approx(sst)


def test_ols_with_a_constant_outcome_is_one_empty_row():
    res = regression.ols(OLS_DATA.assign(y=3.0), "y", ["x"])
    coef = res.coefficients
    assert list(coef.columns) == COEF
    assert len(coef) == 1 and coef["term"].iloc[0] == "(Intercept)"
    assert coef["note"].iloc[0] == "the outcome has no variance: no model"
    assert coef.drop(columns=["term", "note"]).isna().all().all()
    m = res.model
    assert list(m.columns) == OLS_MODEL
    assert m["n"].iloc[0] == 5 and m["note"].iloc[0] == "the outcome has no variance: no model"
    assert res.anova is None


def test_an_integer_outcome_with_missing_values_is_read_as_numbers():
    # a nullable integer column (as read from a .sav or Arrow file) with a missing answer
    d = pd.concat([OLS_DATA, pd.DataFrame({"y": [np.nan], "x": [6.0]})], ignore_index=True)
    d["y"] = d["y"].astype("Int64")
    res = regression.ols(d, "y", ["x"])
    assert list(res.coefficients["estimate"]) == pytest.approx([-0.6, 1.2])
    pois = regression.poisson(d, "y", ["x"])
    assert pois.model["n"].iloc[0] == 5 and pois.model["note"].iloc[0] == ""


def test_a_yes_no_outcome_stored_as_booleans_is_a_linear_probability_model():
    # y = 1 0 1 1 0 1 on x = 1..6: Σ(x - 3.5)(y - 2/3) = 0, so b1 = 0 and b0 = 2/3
    d = pd.DataFrame({"y": [True, False, True, True, False, True],
                      "x": [1.0, 2, 3, 4, 5, 6]})
    coef = regression.ols(d, "y", ["x"]).coefficients
    assert list(coef["estimate"]) == pytest.approx([2 / 3, 0], abs=1e-12)


# ---- Poisson and negative binomial: one binary predictor ----
# the Poisson MLE is the group means: exp(b0) = 20/8, exp(b1) = (34/8)/(20/8) = 1.7,
# se(b0) = √(1/20), se(b1) = √(1/20 + 1/34) (the inverse of the information Σ μ)
Y0 = [0, 0, 1, 1, 2, 3, 5, 8]
Y1 = [0, 1, 4, 9, 12, 0, 2, 6]
COUNTS = pd.DataFrame({"y": Y0 + Y1, "g": [0.0] * 8 + [1.0] * 8}, dtype=float)
# R 4.2.2, MASS 7.3:
#   y <- c(0,0,1,1,2,3,5,8,0,1,4,9,12,0,2,6); g <- rep(0:1, each = 8)
#   m <- glm.nb(y ~ g, control = glm.control(epsilon = 1e-14, maxit = 200))
#   p <- glm(y ~ g, family = poisson); a <- 1 / m$theta; mu <- fitted(m)
#   a; 2 * (logLik(m) - logLik(p)); logLik(m); sum((y - mu)^2 / (mu + a * mu^2)); deviance(m)
#   1 / theta.ml(y, fitted(p), limit = 100, eps = 1e-14)
R_NB = {"alpha": 0.99670419000029697, "lr": 20.787146281988313, "llf": -37.20186229566432,
        "pearson": 12.364941975796427, "deviance": 17.999638355861723,
        "alpha_fixed_means": 0.99670418999983534}


def _poisson_by_hand():
    y = np.array(Y0 + Y1, dtype=float)
    mu = np.array([2.5] * 8 + [4.25] * 8)
    pearson = float(((y - mu) ** 2 / mu).sum())
    llf = float((y * np.log(mu) - mu - gammaln(y + 1)).sum())
    return y, mu, pearson, llf


def test_poisson_by_hand_with_its_overdispersion_note():
    res = regression.poisson(COUNTS, "y", ["g"])
    coef, model = res.coefficients, res.model
    assert list(coef.columns) == COEF and list(model.columns) == COUNT_MODEL
    b = [math.log(2.5), math.log(1.7)]
    se = [math.sqrt(1 / 20), math.sqrt(1 / 20 + 1 / 34)]
    assert list(coef["estimate"]) == pytest.approx(b, rel=1e-9)
    assert list(coef["se"]) == pytest.approx(se, rel=1e-7)
    assert list(coef["statistic"]) == pytest.approx([b[0] / se[0], b[1] / se[1]], rel=1e-7)
    assert list(coef["p"]) == pytest.approx([2 * stats.norm.sf(b[i] / se[i]) for i in (0, 1)],
                                            rel=1e-6)
    assert list(coef["conf_low"]) == pytest.approx([b[i] - Z * se[i] for i in (0, 1)],
                                                   rel=1e-7)
    assert list(coef["exp_estimate"]) == pytest.approx([2.5, 1.7], rel=1e-9)
    assert list(coef["exp_conf_low"]) == pytest.approx(
        [math.exp(b[i] - Z * se[i]) for i in (0, 1)], rel=1e-7)
    assert list(coef["exp_conf_high"]) == pytest.approx(
        [math.exp(b[i] + Z * se[i]) for i in (0, 1)], rel=1e-7)
    assert list(coef["method"]) == ["Poisson GLM"] * 2
    assert list(coef["note"]) == ["", ""]
    assert coef[["beta", "df"]].isna().all().all()
    _, _, pearson, llf = _poisson_by_hand()
    m = model.iloc[0]
    assert m["n"] == 16 and m["df_resid"] == 14
    assert m["pearson_chi2"] == pytest.approx(pearson, rel=1e-9)
    assert m["dispersion"] == pytest.approx(pearson / 14, rel=1e-9)
    assert m["log_likelihood"] == pytest.approx(llf, rel=1e-10)
    assert m["method"] == "Poisson GLM"
    assert m["note"] == f"overdispersed (dispersion {pearson / 14:.2f})"


def test_negative_binomial_model_table_as_r_glm_nb():
    res = regression.negative_binomial(COUNTS, "y", ["g"])
    coef, model = res.coefficients, res.model
    assert list(coef.columns) == COEF and list(model.columns) == COUNT_MODEL
    m = model.iloc[0]
    assert m["alpha"] == pytest.approx(R_NB["alpha"], rel=1e-9)
    assert m["lr_alpha"] == pytest.approx(R_NB["lr"], rel=1e-8)
    assert m["p_alpha"] == pytest.approx(0.5 * stats.chi2.sf(R_NB["lr"], 1), rel=1e-6)
    assert m["log_likelihood"] == pytest.approx(R_NB["llf"], rel=1e-10)
    assert m["aic"] == pytest.approx(-2 * R_NB["llf"] + 2 * 3, rel=1e-10)
    assert m["pearson_chi2"] == pytest.approx(R_NB["pearson"], rel=1e-8)
    assert m["deviance"] == pytest.approx(R_NB["deviance"], rel=1e-8)
    assert m["df_resid"] == 14
    assert m["dispersion"] == pytest.approx(R_NB["pearson"] / 14, rel=1e-8)
    assert (m["method"], m["note"]) == ("negative binomial (NB2), maximum likelihood", "")
    # the NB2 means are the group means too
    assert list(coef["exp_estimate"]) == pytest.approx([2.5, 1.7], rel=1e-8)
    assert list(coef["method"]) == ["negative binomial (NB2)"] * 2


UNDER = pd.DataFrame({"y": [2, 3, 2, 3, 2, 3, 2, 3, 3, 4, 3, 4, 3, 4, 3, 4],
                      "g": [0.0] * 8 + [1.0] * 8}, dtype=float)
AT_BOUND = ("alpha at its lower bound: the counts are not over-dispersed and the model is "
            "the Poisson model")


def test_negative_binomial_of_under_dispersed_counts_says_it_is_the_poisson_model():
    m = regression.negative_binomial(UNDER, "y", ["g"]).model.iloc[0]
    assert m["note"] == AT_BOUND
    assert m["alpha"] < regression.ALPHA_BOUND
    assert m["lr_alpha"] == pytest.approx(0, abs=1e-6)


def test_nb_alpha_at_fixed_means_as_r_theta_ml():
    y, mu, _, _ = _poisson_by_hand()
    w = np.ones(len(y))
    for start in (0.5, 1.0, 3.0, 10.0):  # Newton from near the maximum: to rounding
        alpha = regression._nb_alpha(y, mu, w, start)
        assert alpha == pytest.approx(R_NB["alpha_fixed_means"], rel=1e-12), start
    for start in (0.05, 100.0):  # Newton leaves the concave region: the bounded search,
        # with its own tolerance (1e-11 in log α: 1.2e-8 here; scipy's default 1e-5 would
        # give 4.6e-8), which scipy takes without a warning about unknown options
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            alpha = regression._nb_alpha(y, mu, w, start)
        assert alpha == pytest.approx(R_NB["alpha_fixed_means"], rel=2e-8), start


def test_nb_alpha_is_found_by_newton_without_the_bounded_search(monkeypatch):
    # the module docstring: Newton on log r, the bounded search only when Newton leaves
    # the concave region; near the maximum Newton converges by itself
    def refuse(*args, **kwargs):
        raise AssertionError("the bounded search was used")

    monkeypatch.setattr(optimize, "minimize_scalar", refuse)
    y, mu, _, _ = _poisson_by_hand()
    alpha = regression._nb_alpha(y, mu, np.ones(len(y)), 0.9)
    assert alpha == pytest.approx(R_NB["alpha_fixed_means"], rel=1e-10)


def test_nb_alpha_of_under_dispersed_counts_is_below_the_bound():
    y = UNDER["y"].to_numpy()
    mu = np.array([2.5] * 8 + [3.5] * 8)
    for start in (1e-3, 0.1, 1.0):
        assert regression._nb_alpha(y, mu, np.ones(len(y)), start) < regression.ALPHA_BOUND


# two maxima of the NB2 likelihood at fixed means: nine 0s and a 20 (mean 2, over-dispersed)
# beside ten 100s (no variance at all). The likelihood is high at α = 0 (the Poisson limit),
# falls to a minimum near α = 0.03 and rises to its largest value at α = 1.63. A search that
# only climbs from α = 1e-8 (the moment estimate, clipped) stopped at the bound.
# R 4.2.2, MASS 7.3:
#   y <- c(rep(0, 9), 20, rep(100, 10)); g <- rep(0:1, each = 10)
#   m <- glm.nb(y ~ g, control = glm.control(epsilon = 1e-14, maxit = 200))
#   p <- glm(y ~ g, family = poisson)
#   1 / m$theta; logLik(m); 2 * (logLik(m) - logLik(p))
#   1 / theta.ml(y, fitted(p), limit = 100, eps = 1e-14)
TWO_PEAKS = pd.DataFrame({"y": [0.0] * 9 + [20.0] + [100.0] * 10, "g": [0.0] * 10 + [1.0] * 10})
R_TWO_PEAKS = {"alpha": 1.6327370705348516, "llf": -74.7759998459579975,
               "lr": 11.8404851422802437, "alpha_fixed_means": 1.632736999234861}


def test_nb_alpha_finds_the_larger_of_two_maxima():
    y = TWO_PEAKS["y"].to_numpy()
    mu = np.array([2.0] * 10 + [100.0] * 10)
    w = np.ones(len(y))
    # the likelihood at the two maxima, by scipy's negative binomial (n = 1/α, p = n/(n + μ))
    def loglik(a):
        return stats.nbinom.logpmf(y, 1 / a, (1 / a) / (1 / a + mu)).sum()

    assert loglik(R_TWO_PEAKS["alpha_fixed_means"]) > loglik(1e-8) + 5
    assert loglik(0.03) < loglik(1e-8)  # a valley between them
    for start in (1e-8, 1e-3, 0.03, 1.0, 100.0):
        alpha = regression._nb_alpha(y, mu, w, start)
        assert alpha == pytest.approx(R_TWO_PEAKS["alpha_fixed_means"], rel=1e-7), start


def test_negative_binomial_with_two_maxima_as_r_glm_nb():
    m = regression.negative_binomial(TWO_PEAKS, "y", ["g"]).model.iloc[0]
    assert m["alpha"] == pytest.approx(R_TWO_PEAKS["alpha"], rel=1e-7)
    assert m["log_likelihood"] == pytest.approx(R_TWO_PEAKS["llf"], rel=1e-10)
    assert m["lr_alpha"] == pytest.approx(R_TWO_PEAKS["lr"], rel=1e-8)
    assert m["note"] == ""
    choice = countmodels.count_model(TWO_PEAKS, "y", ["g"])
    assert choice.chosen == "negative_binomial"


# ---- distinct rows ----


def test_distinct_rows_of_a_wide_design_are_distinct():
    # 1 outcome + 60 binary columns: 2^61 possible keys, below the 2^62 a key can hold
    rng = np.random.default_rng(5)
    base = rng.integers(0, 2, size=(4, 61)).astype(float)
    base[0], base[1] = 0, 1  # every column takes both values
    rows = np.repeat(base, [3, 2, 4, 1], axis=0)
    y = rows[:, 0]
    x = pd.DataFrame(rows[:, 1:], columns=[f"c{i}" for i in range(60)])
    yu, xu, w = regression.distinct_rows(y, x)
    assert len(yu) == 4 and len(xu) == 4
    assert sorted(w) == [1, 2, 3, 4]
    got = {tuple([a, *r]): c for a, r, c in zip(yu, xu.to_numpy(), w, strict=True)}
    assert got == {tuple(b): c for b, c in zip(base, [3, 2, 4, 1], strict=True)}


# ---- logistic: a 2 × 2 table ----
# g = 0: 3 events of 10; g = 1: 7 of 10. b0 = log(3/7), b1 = log((7/3)/(3/7)),
# se(b1) = √(1/3 + 1/7 + 1/7 + 1/3) (Woolf), se(b0) = √(1/3 + 1/7)
LOGIT = pd.DataFrame({"y": [1.0] * 3 + [0.0] * 7 + [1.0] * 7 + [0.0] * 3,
                      "g": [0.0] * 10 + [1.0] * 10})


def test_logistic_tables_by_hand():
    res = regression.logistic(LOGIT, "y", ["g"])
    coef, model = res.coefficients, res.model
    assert list(coef.columns) == COEF and list(model.columns) == LOGIT_MODEL
    b = [math.log(3 / 7), 2 * math.log(7 / 3)]
    se = [math.sqrt(1 / 3 + 1 / 7), math.sqrt(2 / 3 + 2 / 7)]
    assert list(coef["term"]) == ["(Intercept)", "g"]
    assert list(coef["estimate"]) == pytest.approx(b, rel=1e-9)
    assert list(coef["se"]) == pytest.approx(se, rel=1e-8)
    assert list(coef["statistic"]) == pytest.approx([(b[i] / se[i]) ** 2 for i in (0, 1)],
                                                    rel=1e-8)
    assert list(coef["df"]) == [1, 1]
    assert list(coef["exp_estimate"]) == pytest.approx([3 / 7, 49 / 9], rel=1e-9)
    assert list(coef["exp_conf_low"]) == pytest.approx(
        [math.exp(b[i] - Z * se[i]) for i in (0, 1)], rel=1e-8)
    assert list(coef["exp_conf_high"]) == pytest.approx(
        [math.exp(b[i] + Z * se[i]) for i in (0, 1)], rel=1e-8)
    assert list(coef["method"]) == ["logistic regression (Wald)"] * 2
    assert list(coef["note"]) == ["", ""]
    assert coef["beta"].isna().all()
    ll1 = 2 * (3 * math.log(0.3) + 7 * math.log(0.7))
    ll0 = 20 * math.log(0.5)
    m = model.iloc[0]
    assert (m["n"], m["events"], m["df"]) == (20, 10, 1)
    assert m["minus2ll"] == pytest.approx(-2 * ll1)
    assert m["lr_chi2"] == pytest.approx(2 * (ll1 - ll0))
    cox = 1 - math.exp(2 * (ll0 - ll1) / 20)
    assert m["cox_snell_r2"] == pytest.approx(cox)
    assert m["nagelkerke_r2"] == pytest.approx(cox / (1 - math.exp(2 * ll0 / 20)))
    assert (m["method"], m["note"]) == ("logistic regression", "")


def test_logistic_with_no_event_is_refused_and_one_event_is_a_model():
    res = regression.logistic(LOGIT.assign(y=0.0), "y", ["g"])
    assert res.coefficients["note"].iloc[0] == "the outcome has one value only: no model"
    assert res.model["n"].iloc[0] == 20
    res = regression.logistic(LOGIT.assign(y=1.0), "y", ["g"])
    assert res.model["note"].iloc[0] == "the outcome has one value only: no model"
    # exactly one event of ten, intercept only: b = log(1/9), se = √(1/1 + 1/9)
    one = pd.DataFrame({"y": [1.0] + [0.0] * 9})
    res = regression.logistic(one, "y", [])
    coef = res.coefficients
    assert coef["estimate"].iloc[0] == pytest.approx(math.log(1 / 9), rel=1e-8)
    assert coef["se"].iloc[0] == pytest.approx(math.sqrt(1 + 1 / 9), rel=1e-7)
    assert res.model["events"].iloc[0] == 1 and res.model["note"].iloc[0] == ""


# ---- bounded counts: binomial with one binary predictor ----
# 0-4: group 0 11 of 24 trials, group 1 19 of 24; b0 = logit(11/24),
# b1 = logit(19/24) - logit(11/24), var = 1 / (24 p (1 - p)) per group
B0 = [1, 2, 2, 3, 1, 2]
B1 = [3, 4, 3, 2, 4, 3]
BOUNDED = pd.DataFrame({"y": B0 + B1, "g": [0.0] * 6 + [1.0] * 6}, dtype=float)


def _binomial_by_hand():
    p0, p1 = 11 / 24, 19 / 24
    b = [math.log(p0 / (1 - p0)), math.log(p1 / (1 - p1)) - math.log(p0 / (1 - p0))]
    v0, v1 = 1 / (24 * p0 * (1 - p0)), 1 / (24 * p1 * (1 - p1))
    se = [math.sqrt(v0), math.sqrt(v0 + v1)]
    y = np.array(B0 + B1, dtype=float)
    p = np.array([p0] * 6 + [p1] * 6)
    pearson = float(((y - 4 * p) ** 2 / (4 * p * (1 - p))).sum())
    return b, se, pearson


def test_binomial_count_by_hand():
    b, se, pearson = _binomial_by_hand()
    assert pearson / 10 < 1.5  # not over-dispersed: the binomial model itself
    res = countmodels.binomial_count(BOUNDED, "y", ["g"], trials=4)
    coef, model = res.coefficients, res.model
    assert list(coef.columns) == COEF and list(model.columns) == BINOMIAL_MODEL
    assert list(coef["estimate"]) == pytest.approx(b, rel=1e-9)
    assert list(coef["se"]) == pytest.approx(se, rel=1e-8)
    assert list(coef["conf_low"]) == pytest.approx([b[i] - Z * se[i] for i in (0, 1)])
    assert list(coef["conf_high"]) == pytest.approx([b[i] + Z * se[i] for i in (0, 1)])
    assert list(coef["exp_conf_high"]) == pytest.approx(
        [math.exp(b[i] + Z * se[i]) for i in (0, 1)])
    assert coef["df"].isna().all()
    assert list(coef["method"]) == ["binomial GLM (logit)"] * 2
    assert list(coef["note"]) == ["", ""]
    m = model.iloc[0]
    assert (m["n"], m["trials"], m["df_resid"], m["scale"]) == (12, 4, 10, 1.0)
    assert m["pearson_chi2"] == pytest.approx(pearson, rel=1e-9)
    assert m["dispersion"] == pytest.approx(pearson / 10, rel=1e-9)
    assert m["deviance"] >= 0
    assert (m["method"], m["note"]) == ("binomial GLM (logit)", "")


def test_quasi_binomial_count_by_hand():
    b, se, pearson = _binomial_by_hand()
    scale = pearson / 10
    res = countmodels.binomial_count(BOUNDED, "y", ["g"], trials=4, quasi=True)
    coef = res.coefficients
    qse = [s * math.sqrt(scale) for s in se]
    t = stats.t.ppf(0.975, 10)
    assert list(coef["se"]) == pytest.approx(qse, rel=1e-8)
    assert list(coef["conf_low"]) == pytest.approx([b[i] - t * qse[i] for i in (0, 1)])
    assert list(coef["conf_high"]) == pytest.approx([b[i] + t * qse[i] for i in (0, 1)])
    assert list(coef["df"]) == [10, 10]
    method = "quasi-binomial GLM (logit), SEs scaled by the Pearson dispersion"
    assert list(coef["method"]) == [method] * 2
    m = res.model.iloc[0]
    assert m["scale"] == pytest.approx(scale) and m["method"] == method


def test_a_count_above_its_maximum_is_not_a_bounded_count():
    res = countmodels.binomial_count(BOUNDED, "y", ["g"], trials=3)  # whole counts up to 4
    assert res.model["note"].iloc[0] == "counts outside 0-3: not a bounded count"
    assert res.coefficients["note"].iloc[0] == "counts outside 0-3: not a bounded count"


# ---- the choice of count model ----


def test_count_model_chooses_the_negative_binomial_and_says_why():
    choice = countmodels.count_model(COUNTS, "y", ["g"])
    _, _, pearson, _ = _poisson_by_hand()
    disp = pearson / 14
    assert choice.chosen == "negative_binomial"
    assert list(choice.checks.columns) == CHECKS
    checks = choice.checks
    assert list(checks["model"]) == ["Poisson", "negative binomial", "negative binomial"]
    assert list(checks["measure"]) == ["Pearson chi2 / df", "alpha", "LR test of alpha = 0, p"]
    assert list(checks["value"]) == pytest.approx(
        [disp, R_NB["alpha"], 0.5 * stats.chi2.sf(R_NB["lr"], 1)], rel=1e-6)
    assert list(checks["note"]) == [f"overdispersed (dispersion {disp:.2f})", "", ""]
    assert choice.notes == [f"over-dispersed (Poisson dispersion {disp:.2f}): negative "
                            "binomial model"]
    assert choice.result.model["method"].iloc[0] == "negative binomial (NB2), maximum likelihood"


def test_count_model_keeps_poisson_for_under_dispersed_counts():
    choice = countmodels.count_model(UNDER, "y", ["g"])
    y = UNDER["y"].to_numpy()
    mu = np.array([2.5] * 8 + [3.5] * 8)
    disp = float(((y - mu) ** 2 / mu).sum()) / 14
    assert choice.chosen == "poisson"
    assert choice.notes == [f"under-dispersed (Poisson dispersion {disp:.2f}): Poisson "
                            "standard errors are conservative; a count with a maximum is "
                            "better modelled as a bounded count"]
    assert choice.result is not None
    assert list(choice.result.coefficients["exp_estimate"]) == pytest.approx([2.5, 1.4])
    assert choice.result.model["method"].iloc[0] == "Poisson GLM"


def test_count_model_of_a_bounded_count_without_over_dispersion_is_binomial():
    choice = countmodels.count_model(BOUNDED, "y", ["g"], trials=4)
    _, _, pearson = _binomial_by_hand()
    assert choice.chosen == "binomial"
    checks = choice.checks
    assert list(checks.columns) == CHECKS
    assert list(checks["model"]) == ["Poisson", "binomial"]
    assert checks["value"].iloc[1] == pytest.approx(pearson / 10, rel=1e-9)
    assert checks["note"].iloc[1] == ""
    assert choice.notes == ["a count of 0-4: binomial model"]
    assert choice.result.model["method"].iloc[0] == "binomial GLM (logit)"


def test_count_model_with_too_few_cases_returns_the_empty_poisson_tables():
    few = COUNTS.iloc[[0, 8]]  # two cases for two parameters
    choice = countmodels.count_model(few, "y", ["g"])
    note = "2 complete cases for 2 parameters: no model"
    assert choice.chosen == "poisson"
    assert choice.notes == [note]
    assert list(choice.checks.columns) == CHECKS
    assert choice.checks.to_dict("records")[0]["model"] == "Poisson"
    assert len(choice.checks) == 1 and choice.checks["note"].iloc[0] == note
    assert choice.result.model["note"].iloc[0] == note


def test_reference_levels_of_text_categories_first_level_by_default():
    d = pd.DataFrame({"y": [1.0, 2, 0, 3, 1, 2, 4], "area": ["b", "a", "c", "a", "b", "a",
                                                             "c"]})
    ref = countmodels.reference_levels(d, "y", ["area"], {"area": None})
    assert ref.to_dict("records") == [{"predictor": "area", "reference": "a", "n_reference": 3,
                                       "n": 7}]
    with pytest.raises(ValueError, match="reference level 'x'"):
        countmodels.reference_levels(d, "y", ["area"], {"area": "x"})


def test_count_model_keeps_poisson_when_the_negative_binomial_sits_at_its_bound():
    # Pearson's dispersion is over 1.5, yet the NB2 likelihood is largest at α = 0.
    # R 4.2.2, MASS 7.3 agrees:
    #   y <- c(0,3,0,1,1,0,5,3,2,2,2,3,3,0); g <- c(1,0,1,0,1,1,1,0,0,0,0,0,0,1)
    #   p <- glm(y ~ g, family = poisson)
    #   sum(residuals(p, type = "pearson")^2) / df.residual(p)  # 1.802632
    #   glm.nb(y ~ g)                   # warning: iteration limit reached
    #   theta.ml(y, fitted(p), limit = 100)  # 76911329: α = 1/θ ≈ 1.3e-8
    d = pd.DataFrame({"y": [0, 3, 0, 1, 1, 0, 5, 3, 2, 2, 2, 3, 3, 0],
                      "g": [1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1]}, dtype=float)
    choice = countmodels.count_model(d, "y", ["g"])
    assert choice.chosen == "poisson"
    assert choice.checks["value"].iloc[0] == pytest.approx(1.802632, rel=1e-6)
    assert choice.checks["note"].iloc[1] == AT_BOUND
    assert choice.notes == [f"over-dispersed, but the negative binomial model failed ({AT_BOUND}):"
                            " Poisson model, standard errors too small"]
    assert choice.result.model["method"].iloc[0] == "Poisson GLM"


# ---- the full mutmut run (issue 22): bounded counts, notes that only a failure writes ----


def test_binomial_count_terms_odds_ratios_and_log_likelihood_by_hand():
    b, se, _ = _binomial_by_hand()
    res = countmodels.binomial_count(BOUNDED, "y", ["g"], trials=4)
    coef = res.coefficients
    assert list(coef["term"]) == ["(Intercept)", "g"]
    # odds of 11/24 against 13/24, and the odds ratio of 19/5 to 11/13
    assert list(coef["exp_estimate"]) == pytest.approx([11 / 13, (19 / 5) / (11 / 13)],
                                                       rel=1e-9)
    assert list(coef["exp_conf_low"]) == pytest.approx(
        [math.exp(b[i] - Z * se[i]) for i in (0, 1)], rel=1e-8)
    # the binomial log-likelihood, binomial coefficients included, at the group shares
    y = np.array(B0 + B1, dtype=float)
    p = np.array([11 / 24] * 6 + [19 / 24] * 6)
    llf = float(sum(math.log(math.comb(4, int(k))) for k in y)
                + (y * np.log(p) + (4 - y) * np.log(1 - p)).sum())
    assert res.model["log_likelihood"].iloc[0] == pytest.approx(llf, rel=1e-12)


def test_a_bounded_count_may_be_zero():
    # 0 is inside 0-4: group 0 has 8 of 24 (two counts of 0), group 1 19 of 24
    d = BOUNDED.assign(y=[0.0, 2, 2, 3, 0, 1, *B1])
    res = countmodels.binomial_count(d, "y", ["g"], trials=4)
    assert res.model["note"].iloc[0] == ""
    assert list(res.coefficients["exp_estimate"]) == pytest.approx(
        [8 / 16, (19 / 5) / (8 / 16)], rel=1e-9)


def test_binomial_count_refusals_keep_n():
    res = countmodels.binomial_count(BOUNDED, "y", ["g"], trials=3)
    assert res.model["n"].iloc[0] == 12
    collinear = countmodels.binomial_count(BOUNDED.assign(h=BOUNDED["g"]), "y", ["g", "h"],
                                           trials=4)
    note = "the predictors are collinear (a constant or duplicated predictor): no model"
    assert collinear.model["note"].iloc[0] == note
    assert collinear.coefficients["note"].iloc[0] == note
    assert list(collinear.model.columns) == BINOMIAL_MODEL
    assert collinear.model["n"].iloc[0] == 12
    few = countmodels.binomial_count(BOUNDED.iloc[[0, 6]], "y", ["g"], trials=4)
    assert few.model["note"].iloc[0] == "2 complete cases for 2 parameters: no model"


def test_binomial_count_at_exactly_the_dispersion_threshold_stays_binomial():
    # "above the threshold" is strict: a threshold equal to the dispersion keeps the
    # binomial standard errors and writes no over-dispersion note
    first = countmodels.binomial_count(BOUNDED, "y", ["g"], trials=4).model.iloc[0]
    _, _, pearson = _binomial_by_hand()
    assert first["dispersion"] == pytest.approx(pearson / 10, rel=1e-9)
    res = countmodels.binomial_count(BOUNDED, "y", ["g"], trials=4,
                                     threshold=first["dispersion"])
    m = res.model.iloc[0]
    assert (m["scale"], m["method"], m["note"]) == (1.0, "binomial GLM (logit)", "")
    assert res.coefficients["df"].isna().all()


# counts piled at 0 and 4: group 0 12 of 24, group 1 16 of 24; Pearson χ² = 42 on 10 df
OVER_BOUNDED = pd.DataFrame({"y": [0.0, 4, 0, 4, 1, 3, 4, 0, 4, 4, 0, 4],
                             "g": [0.0] * 6 + [1.0] * 6})


def test_an_over_dispersed_bounded_count_kept_binomial_says_so():
    y = OVER_BOUNDED["y"].to_numpy()
    p = np.array([0.5] * 6 + [2 / 3] * 6)
    dispersion = float(((y - 4 * p) ** 2 / (4 * p * (1 - p))).sum()) / 10
    assert dispersion == pytest.approx(4.2)
    m = countmodels.binomial_count(OVER_BOUNDED, "y", ["g"], trials=4, quasi=False).model
    assert m["note"].iloc[0] == "over-dispersed for a binomial count (dispersion 4.20)"


def _one_irls_step(monkeypatch):
    """IRLS capped at one iteration, after checking that statsmodels then reports the fit
    as not converged (its own answer, on the bounded counts)."""
    from cipsurvey.stats import _sm as sm

    monkeypatch.setitem(regression.GLM_TOL, "maxiter", 1)
    y = np.array(B0 + B1, dtype=float)
    x = np.column_stack([np.ones(12), BOUNDED["g"]])
    fit = sm.GLM(np.column_stack([y, 4 - y]), x, family=sm.families.Binomial()).fit(
        **regression.GLM_TOL)
    assert not fit.converged
    assert countmodels.GLM_TOL is regression.GLM_TOL  # the one cap both modules read


def test_binomial_count_that_did_not_converge_says_so(monkeypatch):
    _one_irls_step(monkeypatch)
    m = countmodels.binomial_count(BOUNDED, "y", ["g"], trials=4).model.iloc[0]
    assert m["note"] == "did not converge"
    # both notes, in this order, joined by "; "
    m = countmodels.binomial_count(OVER_BOUNDED, "y", ["g"], trials=4, quasi=False).model
    m = m.iloc[0]
    assert m["note"] == ("did not converge; over-dispersed for a binomial count "
                         f"(dispersion {m['dispersion']:.2f})")
    assert m["dispersion"] > 1.5


def test_logistic_that_did_not_converge_says_so(monkeypatch):
    _one_irls_step(monkeypatch)
    m = regression.logistic(LOGIT, "y", ["g"]).model.iloc[0]
    assert (m["n"], m["events"], m["note"]) == (20, 10, "did not converge")


def test_negative_binomial_at_its_bound_that_did_not_converge_gives_both_notes(monkeypatch):
    _one_irls_step(monkeypatch)
    m = regression.negative_binomial(UNDER, "y", ["g"]).model.iloc[0]
    assert m["note"] == f"{AT_BOUND}; did not converge"


def test_logistic_whose_fit_raises_is_no_model(monkeypatch):
    # statsmodels raising inside the fit (a singular weighted matrix, an overflow) after
    # the design checks passed: the table says so with the complete cases, no traceback
    def singular(*args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(regression, "_settled", singular)
    res = regression.logistic(LOGIT, "y", ["g"])
    assert list(res.model.columns) == LOGIT_MODEL
    m = res.model.iloc[0]
    assert (m["n"], m["note"]) == (20, "perfect separation: no model")
    assert m.drop(["n", "note"]).isna().all()
    coef = res.coefficients
    assert list(coef.columns) == COEF
    assert coef.to_dict("records")[0]["term"] == "(Intercept)"
    assert coef["note"].iloc[0] == "perfect separation: no model"


def test_reference_levels_without_categorical_predictors_is_an_empty_table():
    ref = countmodels.reference_levels(COUNTS, "y", ["g"])
    assert len(ref) == 0
    assert list(ref.columns) == ["predictor", "reference", "n_reference", "n"]


# ---- count_model: every branch's notes and checks, the threshold at its boundaries ----
# Poisson dispersion 6/7: group 0 mean 2 (Pearson 12/2 = 6), group 1 mean 3.25
# (Pearson 19.5/3.25 = 6), χ² = 12 on 14 df
NEAR_ONE = pd.DataFrame({"y": [1, 2, 3, 0, 2, 4, 1, 3, 2, 5, 3, 1, 4, 2, 6, 3],
                         "g": [0.0] * 8 + [1.0] * 8}, dtype=float)


@pytest.mark.parametrize("conf", [None, 0.9])
def test_count_model_with_a_dispersion_near_one_is_poisson_with_its_dispersion(conf):
    kw = {} if conf is None else {"conf": conf}
    choice = countmodels.count_model(NEAR_ONE, "y", ["g"], **kw)
    assert choice.chosen == "poisson"
    assert choice.notes == ["Poisson dispersion 0.86: Poisson model"]
    assert choice.checks.to_dict("records") == [
        {"model": "Poisson", "measure": "Pearson chi2 / df",
         "value": pytest.approx(6 / 7, rel=1e-9), "note": ""}]
    coef = choice.result.coefficients
    b = [math.log(2), math.log(3.25 / 2)]
    se = [math.sqrt(1 / 16), math.sqrt(1 / 16 + 1 / 26)]
    z = stats.norm.ppf(0.5 + (conf or 0.95) / 2)
    assert list(coef["conf_low"]) == pytest.approx([b[i] - z * se[i] for i in (0, 1)],
                                                   rel=1e-7)
    assert list(coef["conf_high"]) == pytest.approx([b[i] + z * se[i] for i in (0, 1)],
                                                    rel=1e-7)


def test_count_model_at_exactly_the_threshold_keeps_poisson():
    # over-dispersion is "above the threshold": a threshold equal to the Poisson dispersion
    # is not above it (and its inverse is far below), so no negative binomial
    _, _, pearson, _ = _poisson_by_hand()
    disp = regression.poisson(COUNTS, "y", ["g"]).model["dispersion"].iloc[0]
    assert disp == pytest.approx(pearson / 14, rel=1e-9)
    choice = countmodels.count_model(COUNTS, "y", ["g"], threshold=disp)
    assert choice.chosen == "poisson"
    assert choice.notes == [f"Poisson dispersion {pearson / 14:.2f}: Poisson model"]
    assert len(choice.checks) == 1


def test_count_model_at_exactly_the_inverse_threshold_is_not_under_dispersed():
    disp = regression.poisson(UNDER, "y", ["g"]).model["dispersion"].iloc[0]
    threshold = 1 / disp
    while 1 / threshold != disp:  # a threshold whose inverse is the dispersion exactly
        threshold = np.nextafter(threshold, np.inf if 1 / threshold > disp else 0)
    choice = countmodels.count_model(UNDER, "y", ["g"], threshold=threshold)
    assert choice.chosen == "poisson"
    assert choice.notes == [f"Poisson dispersion {disp:.2f}: Poisson model"]


def test_count_model_negative_binomial_at_another_confidence_level_as_r():
    # R 4.2.2, MASS 7.3 on COUNTS (as R_NB): coef(summary(m))[, 1:2]
    b = [0.91629073187415533, 0.53062825106216993]
    se = [0.41783731732581902, 0.57322579513308414]
    choice = countmodels.count_model(COUNTS, "y", ["g"], conf=0.9)
    assert choice.chosen == "negative_binomial"
    coef = choice.result.coefficients
    z = stats.norm.ppf(0.95)
    assert list(coef["se"]) == pytest.approx(se, rel=1e-7)
    assert list(coef["conf_low"]) == pytest.approx([b[i] - z * se[i] for i in (0, 1)],
                                                   rel=1e-7)


def test_count_model_quasi_binomial_below_the_default_threshold():
    # the bounded counts' binomial dispersion is 0.70 (Pearson 6.96 on 10 df): above a
    # threshold of 0.6, so quasi-binomial, and the check says which measure decided
    _, se, pearson = _binomial_by_hand()
    choice = countmodels.count_model(BOUNDED, "y", ["g"], trials=4, threshold=0.6)
    assert choice.chosen == "quasi_binomial"
    assert choice.notes == [f"a count of 0-4: binomial model; over-dispersed for a binomial "
                            f"(dispersion {pearson / 10:.2f}): quasi-binomial standard errors"]
    assert list(choice.checks["measure"]) == ["Pearson chi2 / df", "Pearson chi2 / df"]
    assert list(choice.result.coefficients["se"]) == pytest.approx(
        [s * math.sqrt(pearson / 10) for s in se], rel=1e-8)


def test_count_model_binomial_at_another_confidence_level():
    b, se, _ = _binomial_by_hand()
    choice = countmodels.count_model(BOUNDED, "y", ["g"], trials=4, conf=0.9)
    assert choice.chosen == "binomial"
    z = stats.norm.ppf(0.95)
    assert list(choice.result.coefficients["conf_low"]) == pytest.approx(
        [b[i] - z * se[i] for i in (0, 1)], rel=1e-8)


def test_count_model_passes_on_the_binomial_note(monkeypatch):
    _one_irls_step(monkeypatch)
    choice = countmodels.count_model(BOUNDED, "y", ["g"], trials=4)
    assert choice.notes == ["a count of 0-4: binomial model", "did not converge"]
    assert choice.checks["note"].iloc[1] == "did not converge"


# ---- regression: the survivors of the full run ----


def test_poisson_aic_and_deviance_by_hand():
    y, mu, _, llf = _poisson_by_hand()
    m = regression.poisson(COUNTS, "y", ["g"]).model.iloc[0]
    assert m["aic"] == pytest.approx(-2 * llf + 2 * 2, rel=1e-10)
    with np.errstate(divide="ignore", invalid="ignore"):
        ylogy = np.where(y > 0, y * np.log(y / mu), 0.0)
    assert m["deviance"] == pytest.approx(2 * float((ylogy - (y - mu)).sum()), rel=1e-10)


def test_poisson_notes_when_it_did_not_converge(monkeypatch):
    _one_irls_step(monkeypatch)
    m = regression.poisson(COUNTS, "y", ["g"]).model.iloc[0]
    # (the dispersion of the unconverged fit: 3.85, not the 3.83 of the maximum)
    assert m["dispersion"] > 1.5
    assert m["note"] == f"overdispersed (dispersion {m['dispersion']:.2f}); did not converge"
    assert regression.poisson(NEAR_ONE, "y", ["g"]).model["note"].iloc[0] == "did not converge"


def test_poisson_overdispersion_note_between_1_5_and_2_5():
    d = pd.DataFrame({"y": [0, 3, 0, 1, 1, 0, 5, 3, 2, 2, 2, 3, 3, 0],
                      "g": [1, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1]}, dtype=float)
    # R: sum(residuals(p, type = "pearson")^2) / df.residual(p) = 1.802632
    assert regression.poisson(d, "y", ["g"]).model["note"].iloc[0] == \
        "overdispersed (dispersion 1.80)"


def test_count_models_refuse_negative_counts():
    d = COUNTS.assign(y=[-1.0, *COUNTS["y"].iloc[1:]])
    for fit in (regression.poisson, regression.negative_binomial):
        res = fit(d, "y", ["g"])
        assert res.model["note"].iloc[0] == "negative counts"
        assert res.model["n"].iloc[0] == 16


def test_negative_binomial_default_interval_as_r():
    # R 4.2.2, MASS 7.3 on COUNTS (as R_NB): coef(summary(m))[, 1:2]; Wald 95 %
    b = [0.91629073187415533, 0.53062825106216993]
    se = [0.41783731732581902, 0.57322579513308414]
    coef = regression.negative_binomial(COUNTS, "y", ["g"]).coefficients
    assert list(coef["conf_low"]) == pytest.approx([b[i] - Z * se[i] for i in (0, 1)],
                                                   rel=1e-7)
    assert list(coef["conf_high"]) == pytest.approx([b[i] + Z * se[i] for i in (0, 1)],
                                                    rel=1e-7)


def test_logistic_refuses_a_coefficient_above_30():
    # the 2 × 2 table with g in units of 1/18: b1 = 18 · log(49/9) = 30.5, a finite SE,
    # yet above the separation rule's 30
    b1 = 18 * math.log(49 / 9)
    assert 30 < b1 < 31
    res = regression.logistic(LOGIT.assign(g=LOGIT["g"] / 18), "y", ["g"])
    note = "perfect or quasi-complete separation: no model"
    assert (res.model["n"].iloc[0], res.model["note"].iloc[0]) == (20, note)
    assert res.coefficients["note"].iloc[0] == note
    # in units of 1/17 (b1 = 28.8) it is a model, with b1 by hand
    res = regression.logistic(LOGIT.assign(g=LOGIT["g"] / 17), "y", ["g"])
    assert res.coefficients["estimate"].iloc[1] == pytest.approx(17 * math.log(49 / 9),
                                                                 rel=1e-8)


def test_design_outcome_is_read_only():
    # the outcome vector may be shared between models (stats.shared_work): no model may
    # change it in place
    y, _ = regression.design(OLS_DATA, "y", ["x"])
    with pytest.raises(ValueError, match="read-only"):
        y[0] = 0.0


def assert_every_row_is_its_own(seed: int, distinct: int, columns: int) -> None:
    """``distinct`` random binary rows of an outcome and ``columns`` predictors, two of them
    repeated: distinct_rows keeps every row, each with weight 1."""
    rows = np.random.default_rng(seed).integers(0, 2, size=(distinct, columns + 1)).astype(float)
    rows[0], rows[1] = 0, 1
    rows = np.vstack([rows, rows[:2]])  # two rows repeated
    y = rows[:, 0]
    x = pd.DataFrame(rows[:, 1:], columns=[f"c{i}" for i in range(columns)])
    yu, xu, w = regression.distinct_rows(y, x)
    assert list(w) == [1.0] * (distinct + 2)
    assert list(yu) == list(y) and xu.to_numpy().tolist() == x.to_numpy().tolist()


def test_distinct_rows_of_a_design_too_wide_for_one_key_are_every_row():
    # 1 outcome + 63 binary columns: 2^64 possible keys do not fit an int64 key, so every
    # row is its own row with weight 1
    assert_every_row_is_its_own(seed=6, distinct=6, columns=63)


# ---- _nb_alpha: the grid's upper end, and the tolerance a Newton root is held to ----
# At fixed means μ = 1, 300 zeros and one 1 are most likely with α above the bound 1e3 (the
# likelihood by scipy's negative binomial still rises from 1e2 to 1e3): the bound is returned.
UPPER_Y = np.array([0.0, 1.0])
UPPER_W = np.array([300.0, 1.0])


def _nb_ll(y, mu, w, alpha):
    return float((w * stats.nbinom.logpmf(y, 1 / alpha, (1 / alpha) / (1 / alpha + mu))).sum())


def test_nb_alpha_above_its_upper_bound_is_the_bound():
    mu = np.ones(2)
    assert _nb_ll(UPPER_Y, mu, UPPER_W, 1e3) > _nb_ll(UPPER_Y, mu, UPPER_W, 1e2)
    assert _nb_ll(UPPER_Y, mu, UPPER_W, 1e3) < _nb_ll(UPPER_Y, mu, UPPER_W, 2e3)
    for start in (0.5, 1e6):
        assert regression._nb_alpha(UPPER_Y, mu, UPPER_W, start) == pytest.approx(1e3, rel=1e-6)


# Weights that put the maximum at fixed means exactly on the 41st point of the grid over
# log α (52 points from log 1e-8 to log 1e3): a 0 and a 4, both with μ = 1, the 4's weight
# -g0/g1 from the NB2 score in r = 1/α (the derivative of log Γ(y + r) - log Γ(r) + r log r
# + y log μ - (r + y) log(r + μ): ψ(y + r) - ψ(r) + log r + 1 - log(r + μ) - (r + y)/(r + μ)),
# so the weighted scores cancel there; the test checks the peak with scipy's likelihood.
GRID = np.linspace(math.log(1e-8), math.log(1e3), 52)
PEAK = GRID[40]


def _peak_weights(scale):
    from scipy.special import digamma

    r = math.exp(-PEAK)

    def score(y):
        return digamma(y + r) - digamma(r) + math.log(r) + 1 - math.log(r + 1) - (r + y) / (r + 1)

    return np.array([1.0, -score(0.0) / score(4.0)]) * scale


PEAK_Y, PEAK_MU = np.array([0.0, 4.0]), np.ones(2)


def _no_bounded_search(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the bounded search was used")

    monkeypatch.setattr(optimize, "minimize_scalar", refuse)


def test_nb_alpha_keeps_a_newton_root_on_a_grid_point(monkeypatch):
    # Newton's root and the grid's best point are the same α: their likelihoods are equal
    # to rounding, and the root is kept without the bounded search
    w = _peak_weights(1.0)
    h = 1e-3
    top = _nb_ll(PEAK_Y, PEAK_MU, w, math.exp(PEAK))
    assert top > _nb_ll(PEAK_Y, PEAK_MU, w, math.exp(PEAK - h))
    assert top > _nb_ll(PEAK_Y, PEAK_MU, w, math.exp(PEAK + h))
    _no_bounded_search(monkeypatch)
    alpha = regression._nb_alpha(PEAK_Y, PEAK_MU, w, 1.0)
    assert math.log(alpha) == pytest.approx(PEAK, abs=1e-9)


def _newton_returns(monkeypatch, log_alpha):
    monkeypatch.setattr(regression, "_nb_newton", lambda *args: log_alpha)


def test_nb_alpha_keeps_a_root_within_1e10_of_the_likelihood(monkeypatch):
    # weights ×1000: log-likelihood -2196; a "root" 3e-6 off the maximum loses 1e-9 of it,
    # well within 1e-10·2196: it is kept as it is
    w = _peak_weights(1000.0)
    off = PEAK + 3e-6
    top = _nb_ll(PEAK_Y, PEAK_MU, w, math.exp(PEAK))
    assert -2200 < top < -2190
    assert 5e-10 < top - _nb_ll(PEAK_Y, PEAK_MU, w, math.exp(off)) < 2e-9
    _newton_returns(monkeypatch, off)
    _no_bounded_search(monkeypatch)
    assert regression._nb_alpha(PEAK_Y, PEAK_MU, w, 1.0) == math.exp(off)


def test_nb_alpha_refuses_a_root_below_the_grid_best(monkeypatch):
    # a "root" a unit of log α off loses much more than 1e-10 of the likelihood: the
    # bounded search finds the maximum on the grid point
    w = _peak_weights(1.0)
    _newton_returns(monkeypatch, PEAK + 1.0)
    alpha = regression._nb_alpha(PEAK_Y, PEAK_MU, w, 1.0)
    assert math.log(alpha) == pytest.approx(PEAK, abs=1e-6)


def test_nb_alpha_holds_a_small_likelihood_to_1e10_absolute(monkeypatch):
    # weights ×0.5: log-likelihood -1.098, so the tolerance is 1e-10·max(1, 1.098); a
    # "root" losing 1.5e-10 is refused and the bounded search finds the grid point
    w = _peak_weights(0.5)
    off = PEAK + 5.27e-5
    top = _nb_ll(PEAK_Y, PEAK_MU, w, math.exp(PEAK))
    assert -1.2 < top < -1.0
    assert 1.2e-10 < top - _nb_ll(PEAK_Y, PEAK_MU, w, math.exp(off)) < 1.8e-10
    _newton_returns(monkeypatch, off)
    alpha = regression._nb_alpha(PEAK_Y, PEAK_MU, w, 1.0)
    assert abs(math.log(alpha) - PEAK) < 1e-5


# ---- _nb_newton: where it gives up ----
TWO_PEAKS_MU = np.array([2.0] * 10 + [100.0] * 10)
BOUNDS = (math.log(1e-8), math.log(1e3))


def _ll_log_alpha(y, mu, w, la, h=1e-3):
    """Slope and curvature of the NB2 log-likelihood in log α, by central differences of
    scipy's negative binomial."""
    f = [_nb_ll(y, mu, w, math.exp(la + d)) for d in (-h, 0.0, h)]
    return (f[2] - f[0]) / (2 * h), (f[2] - 2 * f[1] + f[0]) / h**2


def test_nb_newton_gives_up_where_the_likelihood_is_convex():
    # the two-peak counts near the valley (α = 0.03), with weights 1e-3: the curvature in
    # log α is positive (about 1.5e-3, below 1), a Newton step would climb down to the valley's
    # minimum (α = 0.034): None instead
    y = TWO_PEAKS["y"].to_numpy()
    w = np.full(20, 1e-3)
    _, curvature = _ll_log_alpha(y, TWO_PEAKS_MU, w, math.log(0.03))
    assert 0 < curvature < 1
    assert regression._nb_newton(y, TWO_PEAKS_MU, w, math.log(0.03), *BOUNDS) is None


def test_nb_newton_gives_up_when_its_step_leaves_the_bounds():
    # at α = 0.3 the likelihood is concave but nearly flat (slope 3.64, curvature -0.0235 in
    # log α): Newton's step of about 155 in log α leaves [log 1e-8, log 1e3]: None, even
    # though the maximum (α = 1.63) lies within
    y = TWO_PEAKS["y"].to_numpy()
    w = np.ones(20)
    slope, curvature = _ll_log_alpha(y, TWO_PEAKS_MU, w, math.log(0.3))
    assert math.log(0.3) - slope / curvature > BOUNDS[1]
    assert regression._nb_newton(y, TWO_PEAKS_MU, w, math.log(0.3), *BOUNDS) is None
    # from α = 1 it settles on R's theta.ml value
    found = regression._nb_newton(y, TWO_PEAKS_MU, w, 0.0, *BOUNDS)
    assert math.exp(found) == pytest.approx(R_TWO_PEAKS["alpha_fixed_means"], rel=1e-9)


def test_nb_newton_takes_at_most_50_steps(monkeypatch):
    # counts whose likelihood in log α is nearly flat: from log α = 1 Newton has not settled
    # after 50 steps (each step evaluates the trigamma function twice), so None
    import scipy.special

    y = np.array([3.0, 1, 2, 4, 1, 3, 1, 1, 0, 0, 1, 1, 0, 4])
    mu = np.array([2.0, 0.8, 1.7, 1.54, 1.51, 1.31, 1.51, 1.45, 1.69, 1.33, 1.78, 1.43, 1.87,
                   2.01])
    w = np.array([143.0, 153, 426, 317, 325, 205, 405, 173, 186, 270, 222, 329, 246, 300])
    calls = []
    trigamma = scipy.special.polygamma

    def counted(n, x):
        calls.append(n)
        return trigamma(n, x)

    monkeypatch.setattr(scipy.special, "polygamma", counted)
    assert regression._nb_newton(y, mu, w, 1.0, *BOUNDS) is None
    assert len(calls) == 2 * 50


# ---- the boundaries of two rules at exactly the boundary ----


def test_poisson_dispersion_of_exactly_1_5_is_not_overdispersion():
    # intercept only, y = 0, 0, 1, 1, 3: the fitted mean is the mean, 1 (log μ = 0 exactly);
    # Pearson χ² = (1 + 1 + 0 + 0 + 4) / 1 = 6 on 5 - 1 = 4 df: dispersion 1.5, and the note
    # needs more than 1.5
    data = pd.DataFrame({"y": [0.0, 0.0, 1.0, 1.0, 3.0]})
    res = regression.poisson(data, "y", [])
    m = res.model.iloc[0]
    assert (m["pearson_chi2"], m["df_resid"], m["dispersion"]) == (6.0, 4, 1.5)
    assert m["note"] == ""
    assert res.coefficients["estimate"].iloc[0] == 0.0


def test_distinct_rows_of_a_design_of_exactly_2_62_keys_are_every_row():
    # 1 outcome + 61 binary columns: 2^62 possible keys, the first size the key refuses
    # (it must stay below 2^62), so every row is its own row with weight 1
    assert_every_row_is_its_own(seed=7, distinct=5, columns=61)
