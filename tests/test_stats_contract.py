"""The shape every statistic promises in its docstring: its columns, in order, and the names
of its rows (the renderers, the JSON schema and users' notebooks select by these), on real
data and on data where the statistic cannot be computed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cipsurvey import stats as st

DATA = pd.read_csv(Path(__file__).resolve().parent / "reference" / "r_data.csv").assign(
    b1=lambda d: (d["pre"] > 2).astype(float), b2=lambda d: (d["post"] > 2).astype(float),
    o1=lambda d: (d["cat0"] == 1).astype(float), o2=lambda d: (d["cat0"] == 2).astype(float))
EMPTY = pd.DataFrame({c: [np.nan, np.nan] for c in DATA.columns})  # nothing answered

T = ["test", "group1", "group2", "n1", "n2", "mean1", "mean2", "estimate", "se", "conf_low",
     "conf_high", "statistic", "df", "p", "method", "note"]
TESTS = ["test", "statistic", "df", "p", "n", "method", "note"]
F_TESTS = ["test", "statistic", "df1", "df2", "p", "method", "note"]
D = ["measure", "group1", "group2", "n1", "n2", "estimate", "conf_low", "conf_high", "method",
     "note"]
PAIRS = ["method", "group1", "group2", "n1", "n2", "estimate", "se", "statistic", "df", "p",
         "conf_low", "conf_high", "note"]
COEF = ["term", "estimate", "se", "beta", "statistic", "df", "p", "conf_low", "conf_high",
        "exp_estimate", "exp_conf_low", "exp_conf_high", "method", "note"]
COUNT_MODEL = ["n", "log_likelihood", "aic", "deviance", "pearson_chi2", "df_resid",
               "dispersion", "alpha", "lr_alpha", "p_alpha", "method", "note"]

# name: (call on a frame, its columns, the column naming its rows, those names on DATA)
CONTRACT: dict[str, tuple[Callable[[pd.DataFrame], pd.DataFrame], list[str], str | None,
                          list[str] | None]] = {
    "describe": (lambda d: st.describe(d, "y", "g"),
                 ["group", "n", "missing", "mean", "sd", "se", "conf_low", "conf_high",
                  "median", "q1", "q3", "min", "max", "note"], None, None),
    "box_stats": (lambda d: st.box_stats(d, "y", "g"),
                  ["group", "n", "q1", "median", "q3", "whisker_low", "whisker_high"], None,
                  None),
    "value_counts": (lambda d: st.value_counts(d, "cat0", "g"), ["group", "value", "count"],
                     None, None),
    "frequencies": (lambda d: st.frequencies(d, "cat0", labels={1: "a", 2: "b", 3: "c"}),
                    ["group", "level", "label", "count", "n", "proportion", "percent",
                     "conf_low", "conf_high", "method", "note"], "method",
                    ["Wilson score interval"] * 3),
    "grid": (lambda d: st.grid(d, ["cat0", "cat1"], {1: "a", 2: "b", 3: "c"}),
             ["item", "item_label", "level", "label", "count", "n", "proportion", "percent",
              "conf_low", "conf_high", "method", "note"], "method",
             ["Wilson score interval"] * 6),
    "multiple_response": (lambda d: st.multiple_response(d, ["o1", "o2"]),
                          ["group", "option", "label", "count", "n_respondents", "n_responses",
                           "pct_of_respondents", "pct_of_responses", "conf_low", "conf_high",
                           "method", "note"], "method", ["Wilson score interval"] * 2),
    "multiple_response_tests": (lambda d: st.multiple_response_tests(d, ["o1", "o2"], "g"),
                                ["option", "n", "statistic", "df", "p", "cramers_v", "method",
                                 "note", "excluded"], "method", ["Pearson chi-square"] * 2),
    "crosstab_cells": (lambda d: st.crosstab_cells(d, "g", "cat0"),
                       ["row", "column", "observed", "expected", "row_percent", "col_percent",
                        "total_percent", "std_residual", "adj_residual"], None, None),
    "chi2_tests": (lambda d: st.chi2_tests(d, "sex", "b1"), TESTS, "test",
                   ["Pearson chi-square", "Continuity correction", "Likelihood ratio",
                    "Fisher's exact test", "Fisher's exact test (one-sided)",
                    "Linear-by-linear association"]),
    "association": (lambda d: st.association(d, "sex", "b1"),
                    ["measure", "estimate", "conf_low", "conf_high", "p", "n", "method",
                     "note"], "measure", ["Phi", "Cramer's V"]),
    "ttest": (lambda d: st.ttest(d, "y", "sex"), T, "test", ["Student", "Welch"]),
    "levene": (lambda d: st.levene(d, "y", "g"), F_TESTS, "test", ["Levene (mean)"]),
    "mann_whitney": (lambda d: st.mann_whitney(d, "y", "sex"),
                     ["group1", "group2", "n1", "n2", "mean_rank1", "mean_rank2", "u1", "u",
                      "w", "statistic", "p", "method", "note"], "method",
                     ["Mann-Whitney U, normal approximation with tie correction"]),
    "cohens_d": (lambda d: st.cohens_d(d, "y", "sex"), D, "measure",
                 ["Cohen's d", "Hedges' g"]),
    "anova": (lambda d: st.anova(d, "y", "g"),
              ["source", "ss", "df", "ms", "statistic", "p", "method", "note"], "source",
              ["Between Groups", "Within Groups", "Total"]),
    "anova_effect_sizes": (lambda d: st.anova_effect_sizes(d, "y", "g"),
                           ["measure", "estimate", "conf_low", "conf_high", "method", "note"],
                           "measure", ["eta squared", "omega squared"]),
    "robust_anova": (lambda d: st.robust_anova(d, "y", "g"), F_TESTS, "test",
                     ["Welch", "Brown-Forsythe"]),
    "kruskal": (lambda d: st.kruskal(d, "y", "g"),
                ["test", "statistic", "df", "p", "n", "epsilon_squared", "method", "note"],
                "test", ["Kruskal-Wallis"]),
    **{f"posthoc {m}": (lambda d, m=m: st.posthoc(d, "y", "g", m), PAIRS, "method",
                        [name] * 3)
       for m, name in (("scheffe", "Scheffé"), ("tukey", "Tukey HSD"),
                       ("bonferroni", "Bonferroni"), ("games_howell", "Games-Howell"))},
    "dunn": (lambda d: st.dunn(d, "y", "g"),
             ["method", "group1", "group2", "n1", "n2", "estimate", "statistic", "p", "p_adj",
              "note"], "method", ["Dunn"] * 3),
    "pairwise_d": (lambda d: st.pairwise_d(d, "y", "g"), D, "measure", ["Cohen's d"] * 3),
    "paired_t": (lambda d: st.paired_t(d, "pre", "post"),
                 ["n", "estimate", "sd", "se", "conf_low", "conf_high", "statistic", "df", "p",
                  "d_z", "d_z_low", "d_z_high", "method", "note"], "method", ["paired t"]),
    "wilcoxon": (lambda d: st.wilcoxon(d, "pre", "post"),
                 ["n", "n_nonzero", "w_plus", "w_minus", "statistic", "p", "method", "note"],
                 "method", ["Wilcoxon signed-rank, normal approximation with tie correction"]),
    "mcnemar": (lambda d: st.mcnemar(d, "b1", "b2"),
                ["test", "b", "c", "statistic", "df", "p", "n", "method", "note"], "test",
                ["McNemar exact", "McNemar asymptotic", "McNemar asymptotic (corrected)"]),
    "marginal_homogeneity": (lambda d: st.marginal_homogeneity(d, "cat0", "cat1"), TESTS,
                             "test", ["Stuart-Maxwell", "Bowker"]),
    "cronbach_alpha": (lambda d: st.cronbach_alpha(d, ["pre", "post"]),
                       ["measure", "estimate", "conf_low", "conf_high", "n", "k", "method",
                        "note"], "measure", ["Cronbach's alpha"]),
    "ols coefficients": (lambda d: st.ols(d, "y", ["x1"]).coefficients, COEF, "term",
                         ["(Intercept)", "x1"]),
    "ols model": (lambda d: st.ols(d, "y", ["x1"]).model,
                  ["n", "r_squared", "adj_r_squared", "statistic", "df1", "df2", "p", "sigma",
                   "method", "note"], "method", ["OLS"]),
    "poisson coefficients": (lambda d: st.poisson(d, "count", ["x1"]).coefficients, COEF,
                             "term", ["(Intercept)", "x1"]),
    "poisson model": (lambda d: st.poisson(d, "count", ["x1"]).model, COUNT_MODEL, "method",
                      ["Poisson GLM"]),
    "negative_binomial model": (lambda d: st.negative_binomial(d, "count", ["x1"]).model,
                                COUNT_MODEL, "method",
                                ["negative binomial (NB2), maximum likelihood"]),
    "logistic model": (lambda d: st.logistic(d, "b1", ["x1"]).model,
                       ["n", "events", "minus2ll", "cox_snell_r2", "nagelkerke_r2", "lr_chi2",
                        "df", "p", "method", "note"], "method", ["logistic regression"]),
}


# what each says where nothing was answered (the degenerate-data test covers the rest)
NO_ANSWERS = {
    "describe": ["no values"], "frequencies": ["no answers"] * 3, "grid": ["no answers"] * 6,
    "multiple_response": ["no respondents"] * 2,
    "multiple_response_tests": ["a single category: no test"] * 2,
    "chi2_tests": ["a single category: no test"],
    "association": ["a single category: no association"],
    "ttest": ["an empty group: no test"] * 2, "levene": ["fewer than two groups with values"],
    "mann_whitney": ["an empty group: no test"],
    "cohens_d": ["too few values: no effect size"] * 2,
    "anova": ["fewer than two groups with values: no test"] * 3,
    "anova_effect_sizes": ["fewer than two groups with values: no test"] * 2,
    "robust_anova": ["fewer than two groups with values: no test"] * 2,
    "kruskal": ["fewer than two groups with values: no test"],
    **{f"posthoc {m}": ["fewer than two groups or no within-group df"]
       for m in ("scheffe", "tukey", "bonferroni", "games_howell")},
    "dunn": ["fewer than two groups"], "pairwise_d": [],
    "paired_t": ["fewer than two pairs"], "wilcoxon": ["no nonzero differences"],
    "mcnemar": ["McNemar needs two categories, found 0"],
    "marginal_homogeneity": ["a single category: no test"] * 2,
    "cronbach_alpha": ["need at least two items and two complete cases"],
    **{f"{m} {part}": ["0 complete cases for 2 parameters: no model"]
       for m in ("ols", "poisson", "negative_binomial", "logistic")
       for part in ("coefficients", "model")},
}


@pytest.mark.parametrize("name", list(CONTRACT))
def test_columns_and_row_names(name):
    call, columns, labels, names = CONTRACT[name]
    out = call(DATA)
    assert list(out.columns) == columns
    if labels:
        assert out[labels].tolist() == names


@pytest.mark.parametrize("name", [n for n in CONTRACT if n not in {"box_stats", "value_counts"}])
def test_columns_stay_when_nothing_can_be_computed(name):
    """Where nothing was answered, the same columns (a renderer never meets a missing one)."""
    call, columns, _, _ = CONTRACT[name]
    try:
        out = call(EMPTY)
    except ValueError as error:  # two groups named by the data: none to compare
        assert "groups" in str(error) or "order" in str(error)
        return
    assert list(out.columns) == columns
    if "note" in out:
        assert out["note"].tolist() == NO_ANSWERS[name]
    if "n" in out:  # how many could be used: none
        assert (out["n"] == 0).all(), out["n"]
    if "method" in out:
        # a function that names its method names it whether or not it can compute
        named = out["method"].dropna().tolist()
        assert not named or set(named) <= set(call(DATA)["method"]), named
