"""Invariances and degenerate data: shuffling rows or group labels' order, or padding with
NaN rows, changes no result; an empty group, one value, zero variance, all values missing or
a single category gives NaN and a note, never an exception."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.discrete.discrete_model as smd
from scipy import stats as sps

from cipsurvey import stats as st

RNG = np.random.default_rng(9)
BASE = pd.DataFrame({
    "g": RNG.choice([3, 1, 2], 90),
    "y": np.round(RNG.gamma(2, 2, 90), 1),
    "x": RNG.normal(40, 9, 90).round(),
    "b": RNG.integers(0, 2, 90).astype(float),
    "c": RNG.integers(1, 4, 90).astype(float),
})

CALLS = {
    "describe": lambda d: st.describe(d, "y", "g"),
    "anova": lambda d: st.anova(d, "y", "g"),
    "effect sizes": lambda d: st.anova_effect_sizes(d, "y", "g"),
    "robust": lambda d: st.robust_anova(d, "y", "g"),
    "kruskal": lambda d: st.kruskal(d, "y", "g"),
    "scheffe": lambda d: st.posthoc(d, "y", "g", "scheffe"),
    "games_howell": lambda d: st.posthoc(d, "y", "g", "games_howell"),
    "dunn": lambda d: st.dunn(d, "y", "g"),
    "pairwise d": lambda d: st.pairwise_d(d, "y", "g"),
    "ttest": lambda d: st.ttest(d[d["g"] != 3], "y", "g"),
    "chi2": lambda d: st.chi2_tests(d, "g", "c"),
    "association": lambda d: st.association(d, "g", "c"),
    "frequencies": lambda d: st.frequencies(d, "c", "g"),
    "ols": lambda d: st.ols(d, "y", ["x", "g"], categorical={"g": None}).coefficients,
    "logistic": lambda d: st.logistic(d, "b", ["x", "g"], categorical={"g": None}).coefficients,
}


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    # the padding is missing data, so the count of missing values may grow; nothing else
    a, b = (x.drop(columns=["missing"], errors="ignore").reset_index(drop=True) for x in (a, b))
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-10, atol=1e-12,
                                  check_dtype=False)


@pytest.mark.parametrize("name", list(CALLS))
def test_row_order_and_nan_padding_change_nothing(name):
    fn = CALLS[name]
    reference = fn(BASE)
    shuffled = BASE.sample(frac=1, random_state=3)
    _same(fn(shuffled), reference)
    padded = pd.concat([BASE, pd.DataFrame({c: [np.nan] * 7 for c in BASE.columns})],
                       ignore_index=True)
    padded.loc[padded.index[-3:], "g"] = 5.0  # a group that has no outcome at all
    _same(fn(padded.sample(frac=1, random_state=4)), reference)


def test_category_order_does_not_misalign_posthoc_labels():
    relabelled = BASE.assign(g=BASE["g"].map({1: "c", 2: "a", 3: "b"}))
    ph = st.posthoc(relabelled, "y", "g", "tukey").set_index(["group1", "group2"])
    means = relabelled.groupby("g")["y"].mean()
    for (a, b), row in ph.iterrows():
        assert np.isclose(row["estimate"], means[a] - means[b])


DEGENERATE = {
    "empty group": pd.DataFrame({"g": [1, 1, 1, 2], "y": [1.0, 2.0, 3.0, np.nan]}),
    "one value": pd.DataFrame({"g": [1, 2], "y": [1.0, 2.0]}),
    "zero variance": pd.DataFrame({"g": [1, 1, 2, 2], "y": [3.0, 3.0, 3.0, 3.0]}),
    "all missing": pd.DataFrame({"g": [1, 2, 1, 2], "y": [np.nan] * 4}),
    "single category": pd.DataFrame({"g": [1, 1, 1], "y": [1.0, 2.0, 4.0]}),
}


DEGENERATE_CALLS = {
    "anova": lambda d: st.anova(d, "y", "g"),
    "robust_anova": lambda d: st.robust_anova(d, "y", "g"),
    "kruskal": lambda d: st.kruskal(d, "y", "g"),
    "posthoc": lambda d: st.posthoc(d, "y", "g"),
    "anova_effect_sizes": lambda d: st.anova_effect_sizes(d, "y", "g"),
    "levene": lambda d: st.levene(d, "y", "g"),
    "chi2_tests": lambda d: st.chi2_tests(d, "g", "c"),
    "association": lambda d: st.association(d, "g", "c"),
    "cronbach_alpha": lambda d: st.cronbach_alpha(d, ["y", "x"]),
    "describe": lambda d: st.describe(d, "y", "g"),
    "paired_t": lambda d: st.paired_t(d, "y", "x"),
    "wilcoxon": lambda d: st.wilcoxon(d, "y", "y"),
    "mcnemar": lambda d: st.mcnemar(d, "g", "g"),
    "marginal_homogeneity": lambda d: st.marginal_homogeneity(d, "g", "c"),
    "ols": lambda d: st.ols(d, "y", ["g"]).model,
    "logistic": lambda d: st.logistic(d, "g", ["x"]).model,
}


def _alpha(d: pd.DataFrame) -> float:
    """Cronbach's α of y and x over the complete cases, from its definition."""
    both = d[["y", "x"]].dropna().to_numpy()
    total = both.sum(axis=1).var(ddof=1)
    return 2 * (1 - both.var(axis=0, ddof=1).sum() / total)


def _paired(d: pd.DataFrame) -> tuple[float, float]:
    diff = (d["y"] - d["x"]).dropna().to_numpy()
    t = diff.mean() / (diff.std(ddof=1) / np.sqrt(len(diff)))
    return t, 2 * sps.t.sf(abs(t), len(diff) - 1)


def _mcnemar_of_g_by_c(d: pd.DataFrame) -> float:
    """Stuart-Maxwell and Bowker on a 2×2 table are McNemar's (b - c)² / (b + c)."""
    b = ((d["g"] == 1) & (d["c"] == 2)).sum()
    c = ((d["g"] == 2) & (d["c"] == 1)).sum()
    return (b - c) ** 2 / (b + c)


# What a statistic gives where its input is degenerate for others but not for it: the value
# by definition (computed here from the data), in the columns named. Everything not listed
# must give NaN with a note.
DEFINED = {
    ("empty group", "cronbach_alpha"): {"estimate": lambda d: 1.0},  # y = x + 1 where complete
    ("one value", "cronbach_alpha"): {"estimate": lambda d: 1.0},
    ("zero variance", "cronbach_alpha"): {"estimate": lambda d: 0.0},  # an item of variance 0
    ("single category", "cronbach_alpha"): {"estimate": _alpha},
    ("zero variance", "paired_t"): {"statistic": lambda d: _paired(d)[0],
                                    "p": lambda d: _paired(d)[1]},
    ("single category", "paired_t"): {"statistic": lambda d: 4.0,  # differences 1, 1, 2
                                      "p": lambda d: _paired(d)[1]},
    **{(case, "marginal_homogeneity"): {"statistic": _mcnemar_of_g_by_c,
                                        "p": lambda d: sps.chi2.sf(_mcnemar_of_g_by_c(d), 1)}
       for case in ("empty group", "one value", "zero variance", "all missing")},
    # g does not depend on y, the only column missing: a logistic model of g on x exists
    ("all missing", "logistic"): {"p": lambda d: smd.Logit(
        (d["g"] == 1).astype(float), np.c_[np.ones(len(d)), d["x"]]).fit(disp=0).llr_pvalue},
}


@pytest.mark.parametrize("case", list(DEGENERATE))
@pytest.mark.parametrize("name", list(DEGENERATE_CALLS))
def test_degenerate_data_give_nan_and_a_note(case, name):
    """Each statistic on each degenerate input: NaN and a note on every row that carries a
    test, or, where the statistic is defined on that input, its value by definition."""
    data = DEGENERATE[case].assign(c=1.0, x=[float(i) for i in range(len(DEGENERATE[case]))])
    out = DEGENERATE_CALLS[name](data)
    assert isinstance(out, pd.DataFrame) and len(out) >= 1
    if name == "describe":  # descriptives exist for any group with a value
        present = data.dropna(subset=["y", "g"])
        means = [*present.groupby("g")["y"].mean().tolist(), present["y"].mean()]
        assert out["mean"].tolist() == pytest.approx(means, nan_ok=True)
        assert out["n"].tolist() == [*present.groupby("g").size().tolist(), len(present)]
        assert (out["note"] != "").tolist() == [n < 2 for n in out["n"]]
        return
    if name == "anova":  # the rows of the within-group and total sums carry no test
        out = out.iloc[:1]
    values = [c for c in ("statistic", "p", "estimate") if c in out]
    defined = DEFINED.get((case, name))
    if defined:
        for column, value in defined.items():
            assert out[column].to_numpy() == pytest.approx(value(data), rel=1e-12), column
        assert (out["note"] == "").all(), out
        return
    tested = out[values].to_numpy(dtype=float)
    # a mean difference of a pair may be reported where its test cannot be
    tested = tested[:, [v != "estimate" or name not in ("posthoc", "paired_t")
                        for v in values]]
    assert np.isnan(tested).all(), (case, name, out)
    assert (out["note"].astype(str).str.len() > 0).all(), (case, name, out)


@pytest.mark.parametrize("case", [c for c in DEGENERATE if DEGENERATE[c]["g"].nunique() == 2])
def test_degenerate_two_groups_give_nan_and_a_note(case):
    t = st.ttest(DEGENERATE[case], "y", "g")
    assert t["p"].isna().all() and (t["note"].str.len() > 0).all(), t


def test_effect_size_intervals_stay_finite_on_huge_samples():
    """scipy's noncentral F and t give NaN at large noncentrality: the limits must still come
    out (found at 100,000 respondents)."""
    rng = np.random.default_rng(3)
    n = 120_000
    g = rng.integers(1, 4, n)
    big = pd.DataFrame({"g": g, "y": rng.gamma(1.5, 2 + 0.4 * g)})
    eff = st.anova_effect_sizes(big, "y", "g")
    assert np.isfinite(eff[["estimate", "conf_low", "conf_high"]].to_numpy()).all()
    assert (eff["conf_low"] < eff["estimate"]).all() and (eff["estimate"] < eff["conf_high"]).all()
    d = st.cohens_d(big[big["g"] != 3], "y", "g").iloc[0]
    assert d["conf_low"] < d["estimate"] < d["conf_high"]
    # a large-sample check: the d interval is about estimate ± 1.96·√(1/n1 + 1/n2)
    n1, n2 = (big["g"] == 1).sum(), (big["g"] == 2).sum()
    assert np.isclose(d["conf_high"] - d["conf_low"], 2 * 1.96 * np.sqrt(1 / n1 + 1 / n2),
                      rtol=0.02)


def test_negative_binomial_on_under_dispersed_counts_falls_back_to_the_poisson_fit():
    """Counts less variable than Poisson (found with the template contents at 100,000 rows)
    put α at its lower bound; the model must still fit, and then equal the Poisson fit."""
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"x": rng.normal(size=3000)})
    frame["y"] = rng.binomial(14, 1 / (1 + np.exp(-0.3 * frame["x"])))
    nb = st.negative_binomial(frame, "y", ["x"])
    pois = st.poisson(frame, "y", ["x"])
    assert nb.coefficients["note"].eq("").all() and nb.model.iloc[0]["alpha"] < 1e-6
    np.testing.assert_allclose(nb.coefficients["estimate"], pois.coefficients["estimate"],
                               rtol=1e-4)
    assert pois.model.iloc[0]["dispersion"] < 1


def test_shared_work_changes_no_result_and_forgets_on_leaving():
    rng = np.random.default_rng(11)
    data = pd.DataFrame({"y": rng.normal(size=300), "g": rng.integers(1, 4, 300).astype(float),
                         "h": rng.integers(1, 3, 300).astype(float)})
    def calls() -> list[pd.DataFrame]:
        return [st.anova(data, "y", "g"), st.posthoc(data, "y", "g", "scheffe"),
                st.chi2_tests(data, "g", "h"), st.describe(data, "y", "g"),
                # the same design twice, then another reference level: its own design
                st.ols(data, "y", ["g", "h"], categorical={"g": None}).coefficients,
                st.ols(data, "y", ["g", "h"], categorical={"g": None}).model,
                st.ols(data, "y", ["g", "h"], categorical={"g": 2.0}).coefficients]

    alone = calls()
    with st.shared_work():
        shared = calls()
        again = st.anova(data, "y", "g")
    for a, b in zip(alone, shared, strict=True):
        pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(shared[0], again)
    data.loc[data["g"] == 1, "y"] += 5  # outside the block the new values count
    assert st.anova(data, "y", "g")["statistic"].iloc[0] != alone[0]["statistic"].iloc[0]


def test_describe_by_group_agrees_with_pandas():
    """Per group and in total: counts of values and of missing values, moments and
    quartiles as pandas and numpy compute them; rows without a group count nowhere."""
    data = BASE.copy()
    data.loc[data.index[::7], "y"] = np.nan
    data.loc[data.index[::11], "g"] = np.nan
    ours = st.describe(data, "y", "g").set_index("group")
    grouped = data.dropna(subset=["g"])
    parts = [(level, values) for level, values in grouped.groupby("g")["y"]]
    parts.append(("Total", grouped["y"]))
    assert list(ours.index) == [p[0] for p in parts]
    for level, values in parts:
        row, present = ours.loc[level], values.dropna().to_numpy()
        assert (row["n"], row["missing"]) == (len(present), values.isna().sum()), level
        assert row["mean"] == pytest.approx(present.mean(), rel=1e-12)
        assert row["sd"] == pytest.approx(present.std(ddof=1), rel=1e-12)
        quartiles = np.quantile(present, [0.25, 0.5, 0.75], method="weibull")
        assert [row["q1"], row["median"], row["q3"]] == pytest.approx(quartiles, rel=1e-12)
        assert (row["min"], row["max"]) == (present.min(), present.max())


@pytest.mark.parametrize("kind", [float, str])
def test_frequencies_by_group_list_each_groups_own_answers(kind):
    """Without labels, a group lists the answers given in it (as pandas' value_counts per
    group), not every answer of the table; float codes and text answers alike."""
    data = pd.DataFrame({"g": [1.0, 1, 1, 2, 2, np.nan, 2],
                         "a": [1.0, 2, 2, 3, np.nan, 4, 3]})
    data["a"] = data["a"].map(lambda v: v if pd.isna(v) else kind(v))
    data["a"] = data["a"].astype(float if kind is float else object)
    ours = st.frequencies(data, "a", "g")
    expected = data.dropna().groupby("g")["a"].value_counts().sort_index()
    got = ours.set_index(["group", "level"])["count"].sort_index()
    assert got.to_dict() == expected.to_dict()
    assert (ours.groupby("group")["n"].first() == data.dropna().groupby("g").size()).all()
