"""Methods GNU PSPP lacks, against values R computed (tests/reference/r_reference.R, with the
R version and packages named there; r_values.csv is its output on r_data.csv)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from cipsurvey import stats as st

REF = Path(__file__).resolve().parent / "reference"
DATA = pd.read_csv(REF / "r_data.csv")
R = {n.split(".")[0]: float(v) for n, v in
     pd.read_csv(REF / "r_values.csv", dtype={"value": str}).itertuples(index=False)}


def close(ours, theirs, rtol=1e-8, what=""):
    assert np.isclose(ours, theirs, rtol=rtol, atol=1e-12), f"{what}: {ours!r} != {theirs!r}"


def test_welch_and_brown_forsythe_anova():
    res = st.robust_anova(DATA, "y", "g").set_index("test")
    close(res.loc["Welch", "statistic"], R["welch_F"])
    close(res.loc["Welch", "df2"], R["welch_df2"])
    close(res.loc["Welch", "p"], R["welch_p"])
    close(res.loc["Brown-Forsythe", "statistic"], R["bf_F"])
    close(res.loc["Brown-Forsythe", "df2"], R["bf_df2"])
    close(res.loc["Brown-Forsythe", "p"], R["bf_p"])


def test_eta_and_omega_squared_with_cis():
    res = st.anova_effect_sizes(DATA, "y", "g").set_index("measure")
    close(res.loc["eta squared", "estimate"], R["eta2"])
    close(res.loc["eta squared", "conf_low"], R["eta2_low"], 1e-6)
    close(res.loc["eta squared", "conf_high"], R["eta2_high"], 1e-6)
    close(res.loc["omega squared", "estimate"], R["omega2"])
    # ω² limits: the noncentrality limits behind R's η² interval, converted with ω²'s own
    # formula at F = λ/df_b. (effectsize 0.8.3's ω² limits differ by about 0.004; its
    # conversion for ω² is not documented, so it is not the reference here.)
    dfb, dfw = 2, len(DATA) - 3
    for ours, eta in (("conf_low", R["eta2_low"]), ("conf_high", R["eta2_high"])):
        lam = eta * dfw / (1 - eta)
        close(res.loc["omega squared", ours], (lam - dfb) / (lam + dfw + 1), 1e-6)


def test_cohens_d_and_hedges_g_with_cis():
    res = st.cohens_d(DATA, "y", "sex").set_index("measure")
    close(res.loc["Cohen's d", "estimate"], R["d"])
    close(res.loc["Cohen's d", "conf_low"], R["d_low"], 1e-6)
    close(res.loc["Cohen's d", "conf_high"], R["d_high"], 1e-6)
    close(res.loc["Hedges' g", "estimate"], R["g"])
    close(res.loc["Hedges' g", "conf_low"], R["g_low"], 1e-6)
    close(res.loc["Hedges' g", "conf_high"], R["g_high"], 1e-6)


def test_paired_t_and_dz():
    res = st.paired_t(DATA, "pre", "post").iloc[0]
    close(res["statistic"], R["paired_t"])
    close(res["p"], R["paired_p"])
    close(res["d_z"], R["dz"])
    close(res["d_z_low"], R["dz_low"], 1e-7)
    close(res["d_z_high"], R["dz_high"], 1e-7)
    close(st.wilcoxon(DATA, "pre", "post").iloc[0]["p"], R["wilcoxon_p"])


def test_cramers_v_and_its_interval():
    res = st.association(DATA, "g", "cat0").set_index("measure").loc["Cramer's V"]
    close(res["estimate"], R["cramers_v"])
    # a χ² this small lies below its 2.5 % point even with no association: the interval is
    # [0, 0] (R's effectsize says the same)
    assert (res["conf_low"], res["conf_high"]) == (R["cramers_v_low"], R["cramers_v_high"])


def test_cramers_v_interval_by_its_definition():
    """With a real association, each limit is the noncentrality at which the observed χ² is
    the 97.5 % / 2.5 % point (checked with scipy's noncentral χ² directly)."""
    frame = pd.DataFrame({"a": np.repeat([1, 2, 3], 60),
                          "b": np.r_[np.repeat([1, 2], [40, 20]), np.repeat([1, 2], [25, 35]),
                                     np.repeat([1, 2], [15, 45])]})
    res = st.association(frame, "a", "b").set_index("measure").loc["Cramer's V"]
    x2, _, dof, _ = sps.chi2_contingency(pd.crosstab(frame["a"], frame["b"]), correction=False)
    n, k = len(frame), 1
    assert abs(sps.ncx2.cdf(x2, dof, res["conf_low"] ** 2 * n * k) - 0.975) < 1e-9
    assert abs(sps.ncx2.cdf(x2, dof, res["conf_high"] ** 2 * n * k) - 0.025) < 1e-9


def test_levene_centred_on_the_median():
    res = st.levene(DATA, "y", "g", center="median").iloc[0]
    close(res["statistic"], R["levene_median_F"])
    close(res["p"], R["levene_median_p"])


def test_poisson_and_negative_binomial():
    pois = st.poisson(DATA, "count", ["g", "x1"], categorical={"g": None})
    nb = st.negative_binomial(DATA, "count", ["g", "x1"], categorical={"g": None})
    terms = ["(Intercept)", "g[2]", "g[3]", "x1"]
    pc = pois.coefficients.set_index("term")
    nc = nb.coefficients.set_index("term")
    for i, term in enumerate(terms, start=1):
        close(pc.loc[term, "estimate"], R[f"pois_b{i}"], 1e-8, term)
        close(pc.loc[term, "se"], R[f"pois_se{i}"], 1e-7, term)
        # both fits iterate to convergence: agreement to 1e-6 relative
        close(nc.loc[term, "estimate"], R[f"nb_b{i}"], 1e-6, term)
        close(nc.loc[term, "se"], R[f"nb_se{i}"], 1e-5, term)
    close(pois.model.iloc[0]["dispersion"], R["pois_dispersion"], 1e-8)
    close(1 / nb.model.iloc[0]["alpha"], R["nb_theta"], 1e-5)
    close(nb.model.iloc[0]["log_likelihood"], R["nb_loglik"], 1e-8)


def test_dunn():
    res = st.dunn(DATA, "y", "g")
    for _, r in res.iterrows():
        key = f"{int(r['group1'])}{int(r['group2'])}"
        close(r["statistic"], R[f"dunn_z_{key}"])
        close(r["p_adj"], R[f"dunn_padj_{key}"])


def test_bowker_symmetry():
    res = st.marginal_homogeneity(DATA, "cat0", "cat1").set_index("test")
    close(res.loc["Bowker", "statistic"], R["bowker"])
    assert res.loc["Bowker", "df"] == R["bowker_df"]
    close(res.loc["Bowker", "p"], R["bowker_p"])


def test_stuart_maxwell_against_its_formula():
    """Stuart-Maxwell: d' S⁻¹ d on the first k - 1 marginal differences (Stuart, 1955),
    computed here with numpy from the table (no R package for it in Debian)."""
    tab = pd.crosstab(DATA["cat0"], DATA["cat1"]).to_numpy(dtype=float)
    d = (tab.sum(axis=1) - tab.sum(axis=0))[:-1]
    k = tab.shape[0]
    s = np.empty((k - 1, k - 1))
    for i in range(k - 1):
        for j in range(k - 1):
            s[i, j] = (tab[i].sum() + tab[:, i].sum() - 2 * tab[i, i]) if i == j \
                else -(tab[i, j] + tab[j, i])
    x2 = float(d @ np.linalg.solve(s, d))
    res = st.marginal_homogeneity(DATA, "cat0", "cat1").set_index("test").loc["Stuart-Maxwell"]
    close(res["statistic"], x2)
    close(res["p"], sps.chi2.sf(x2, k - 1))


def test_cronbach_alpha_feldt_interval():
    res = st.cronbach_alpha(DATA, ["pre", "post", "cat0", "cat1"]).iloc[0]
    close(res["estimate"], R["alpha"])
    close(res["conf_low"], R["alpha_low"], 1e-7)
    close(res["conf_high"], R["alpha_high"], 1e-7)


def test_wilson_interval():
    lo, hi = st.wilson(37, 160)
    close(lo, R["wilson_low"])
    close(hi, R["wilson_high"])


@pytest.mark.parametrize("conf", [0.9, 0.95, 0.99])
def test_confidence_level_is_respected(conf):
    res = st.cohens_d(DATA, "y", "sex", conf=conf).iloc[0]
    wider = st.cohens_d(DATA, "y", "sex", conf=min(0.999, conf + 0.009)).iloc[0]
    assert wider["conf_low"] < res["conf_low"] < res["estimate"] < res["conf_high"] < \
        wider["conf_high"]


# ------------------------------------------------------------------ bugs no test used to catch


def test_kruskal_wallis_epsilon_squared():
    """ε² = H / (n - 1) (effectsize's rank_epsilon_squared); H / n would pass a test that
    looks at H alone."""
    res = st.kruskal(DATA, "y", "g").iloc[0]
    close(res["statistic"], R["kw_H"])
    close(res["p"], R["kw_p"])
    close(res["epsilon_squared"], R["kw_epsilon2"])


def _binary_pairs() -> pd.DataFrame:
    return pd.DataFrame({"pre_hi": (DATA["pre"] > 2).astype(float),
                         "post_hi": (DATA["post"] > 2).astype(float)})


def test_mcnemar_with_and_without_continuity_correction():
    """R's mcnemar.test on a table with discordant counts 11 and 5: (|b - c| - 1)² / (b + c)
    = 1.5625 corrected, 2.25 not; the exact p from binom.test."""
    res = st.mcnemar(_binary_pairs(), "pre_hi", "post_hi").set_index("test")
    assert (res.iloc[0]["b"], res.iloc[0]["c"]) == (11, 5)
    close(res.loc["McNemar asymptotic (corrected)", "statistic"], R["mcnemar_cc"])
    close(res.loc["McNemar asymptotic (corrected)", "p"], R["mcnemar_cc_p"])
    close(res.loc["McNemar asymptotic", "statistic"], R["mcnemar"])
    close(res.loc["McNemar asymptotic", "p"], R["mcnemar_p"])
    close(res.loc["McNemar exact", "p"], R["mcnemar_exact_p"])


def test_crosstab_cells_percentages_and_residuals():
    """Every cell of g by cat0 against R: prop.table by row, by column and of the total,
    chisq.test's expected counts, Pearson residuals and adjusted (Haberman) residuals."""
    cells = st.crosstab_cells(DATA, "g", "cat0")
    assert len(cells) == 9
    for _, c in cells.iterrows():
        key = f"{int(c['row'])}{int(c['column'])}"
        close(c["row_percent"], R[f"cell_row_pct_{key}"], what=f"row % {key}")
        close(c["col_percent"], R[f"cell_col_pct_{key}"], what=f"column % {key}")
        close(c["total_percent"], R[f"cell_total_pct_{key}"], what=f"total % {key}")
        close(c["expected"], R[f"cell_expected_{key}"], what=f"expected {key}")
        close(c["std_residual"], R[f"cell_std_res_{key}"], what=f"residual {key}")
        close(c["adj_residual"], R[f"cell_adj_res_{key}"], what=f"adjusted residual {key}")


# ------------------------------------------------------------------ every conf, against R


def _limits(frame: pd.DataFrame, low: str = "conf_low", high: str = "conf_high"):
    return list(zip(frame[low], frame[high], strict=True))


PAIRS = ["12", "13", "23"]
ABOVE = DATA.assign(above=(DATA["y"] > DATA["y"].median()).astype(float))
CAT0 = DATA.assign(**{f"opt{v}": (DATA["cat0"] == v).astype(float) for v in (1, 2, 3)})

# each statistic that takes conf: (what to call, the R names of its limits in row order,
# relative tolerance). The names get "_<level>_low" / "_<level>_high" added.
CONF_CASES = {
    "wilson": (lambda c: [st.wilson(int((DATA["cat0"] == 1).sum()), len(DATA), c)],
               ["wilson_cat0_1"], 1e-8),
    "frequencies": (lambda c: _limits(st.frequencies(DATA, "cat0", conf=c)),
                    [f"wilson_cat0_{v}" for v in (1, 2, 3)], 1e-8),
    "grid": (lambda c: _limits(st.grid(DATA, ["cat0"], {1: "a", 2: "b", 3: "c"}, conf=c)),
             [f"wilson_cat0_{v}" for v in (1, 2, 3)], 1e-8),
    "multiple_response": (
        lambda c: [(lo / 100, hi / 100) for lo, hi in _limits(
            st.multiple_response(CAT0, ["opt1", "opt2", "opt3"], conf=c))],
        [f"wilson_cat0_{v}" for v in (1, 2, 3)], 1e-8),
    "describe": (lambda c: _limits(st.describe(DATA, "y", "g", conf=c)),
                 [f"mean_y_{v}" for v in ("1", "2", "3", "Total")], 1e-8),
    "ttest": (lambda c: _limits(st.ttest(DATA, "y", "sex", conf=c)), ["student", "welch"],
              1e-8),
    "cohens_d": (lambda c: _limits(st.cohens_d(DATA, "y", "sex", conf=c)), ["d", "g"], 1e-8),
    "pairwise_d": (lambda c: _limits(st.pairwise_d(DATA, "y", "g", conf=c)),
                   [f"pair_d_{p}" for p in PAIRS], 1e-8),
    "paired_t": (lambda c: _limits(st.paired_t(DATA, "pre", "post", conf=c))
                 + _limits(st.paired_t(DATA, "pre", "post", conf=c), "d_z_low", "d_z_high"),
                 ["paired", "dz"], 1e-7),
    "anova_effect_sizes": (lambda c: _limits(st.anova_effect_sizes(DATA, "y", "g", conf=c)
                                             .iloc[:1]), ["eta2"], 1e-7),
    # a 3 x 2 table: phi (for 2 x k) equals V there, with the same interval; R's is V's
    "association": (lambda c: _limits(st.association(ABOVE, "g", "above", conf=c)), ["v", "v"],
                    1e-8),
    "cronbach_alpha": (lambda c: _limits(st.cronbach_alpha(
        DATA, ["pre", "post", "cat0", "cat1"], conf=c)), ["alpha"], 1e-7),
    **{f"posthoc {m}": (lambda c, m=m: _limits(st.posthoc(DATA, "y", "g", m, conf=c)),
                        [f"{short}_{p}" for p in PAIRS], 1e-7)
       for m, short in (("tukey", "tukey"), ("scheffe", "scheffe"),
                        ("bonferroni", "bonferroni"), ("games_howell", "gh"))},
    "ols": (lambda c: _limits(st.ols(DATA, "y", ["g", "x1"], categorical={"g": None},
                                     conf=c).coefficients), ["ols"], 1e-7),
    "poisson": (lambda c: _limits(st.poisson(DATA, "count", ["g", "x1"],
                                             categorical={"g": None}, conf=c).coefficients),
                ["pois"], 1e-7),
    "negative_binomial": (lambda c: _limits(st.negative_binomial(
        DATA, "count", ["g", "x1"], categorical={"g": None}, conf=c).coefficients), ["nb"],
        1e-5),
    "logistic": (lambda c: _limits(st.logistic(ABOVE, "above", ["g", "x1"],
                                               categorical={"g": None}, conf=c).coefficients),
                 ["logit"], 1e-7),
}
REGRESSIONS = {"ols", "poisson", "negative_binomial", "logistic"}


@pytest.mark.parametrize("conf", [0.90, 0.99])
@pytest.mark.parametrize("name", list(CONF_CASES))
def test_confidence_level_reaches_every_interval(name, conf):
    """Each statistic's interval at 90 % and 99 % against R's at that level (a statistic
    that ignored ``conf`` would give its 95 % interval, which lies between the two)."""
    call, names, rtol = CONF_CASES[name]
    level = f"{round(100 * conf):02d}"
    got = call(conf)
    if name in REGRESSIONS:  # one interval per term, R's numbered in the same order
        names = [f"{names[0]}{i}" for i in range(1, len(got) + 1)]
        keys = [(f"{names[0][:-1]}_{level}_low{i}", f"{names[0][:-1]}_{level}_high{i}")
                for i in range(1, len(got) + 1)]
    else:
        keys = [(f"{n}_{level}_low", f"{n}_{level}_high") for n in names]
    assert len(got) == len(keys), (name, got)
    for (lo, hi), (rlo, rhi) in zip(got, keys, strict=True):
        close(lo, R[rlo], rtol, f"{name} {rlo}")
        close(hi, R[rhi], rtol, f"{name} {rhi}")


def test_multiple_response_tests_per_option():
    """Each option against the groups among the respondents who answered: Pearson χ² and
    Cramér's V (chisq.test and cramers_v in R); Fisher's exact test only where an expected
    count is under 5, which neither option's table by sex has."""
    options = CAT0[["g", "sex", "opt1", "opt2"]]
    by_g = st.multiple_response_tests(options, ["opt1", "opt2"], "g").set_index("option")
    by_sex = st.multiple_response_tests(options, ["opt1", "opt2"], "sex").set_index("option")
    for v in (1, 2):
        row = by_g.loc[f"opt{v}"]
        assert (row["method"], row["n"], row["df"]) == ("Pearson chi-square", 160, 2)
        close(row["statistic"], R[f"mr_chi2_o{v}"])
        close(row["p"], R[f"mr_p_o{v}"])
        close(row["cramers_v"], R[f"mr_v_o{v}"])
        # two groups, no expected count under 5 (R: min(expected)): Pearson, not Fisher
        assert R[f"mr_sex_min_expected_o{v}"] >= 5
        row = by_sex.loc[f"opt{v}"]
        assert (row["method"], row["df"]) == ("Pearson chi-square", 1)
        close(row["statistic"], R[f"mr_sex_chi2_o{v}"])
        close(row["p"], R[f"mr_sex_p_o{v}"])
    # a respondent who left the question unanswered is not among those compared
    unanswered = options.copy()
    unanswered.loc[:9, ["opt1", "opt2"]] = np.nan
    assert (st.multiple_response_tests(unanswered, ["opt1", "opt2"], "g")["n"] == 150).all()
