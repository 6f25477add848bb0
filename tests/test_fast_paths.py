"""Every hand-written fast path of cipsurvey.stats against its library equivalent, on real
inputs: the demo wave and the R reference data (tests/reference/r_data.csv).

Each is kept for a measured reason given in its module's docstring (benchmarks/fast_paths.py
times them); this test keeps each equal to the library it stands in for. A new fast path
gets a case here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin
import pytest
import statsmodels.api as sm
from matplotlib import cbook
from scipy import stats

from cipsurvey import stats as st
from cipsurvey.stats import _discrete, contingency
from cipsurvey.stats._util import split

REFERENCE = pd.read_csv(Path(__file__).resolve().parent / "reference" / "r_data.csv")
Check = tuple[str, object, object, float]  # what, cipsurvey's value, the library's, rtol


@functools.cache
def demo() -> pd.DataFrame:
    import cipsurvey
    from cipsurvey.demo.files import demo_files

    return cipsurvey.read_survey(demo_files()).data


def numeric_columns() -> Iterator[tuple[str, np.ndarray]]:
    """Answers as the statistics get them: codes, counts, ages, and the reference data's
    fractions (which take the general path)."""
    for name in ("age", "n_part_6m", "work_area", "climate_trust", "years_at_workplace"):
        yield name, demo()[name].to_numpy(dtype=float)
    for name in ("y", "count", "x1"):
        yield name, REFERENCE[name].to_numpy(dtype=float)


def groupings() -> Iterator[tuple[str, pd.DataFrame, str, str]]:
    """(label, data, outcome, groups) pairs of the plan's kind, on both data sets."""
    three = demo()[demo()["work_area"] <= 3]
    yield "demo 6-month count by work area", three, "n_part_6m", "work_area"
    yield "demo age by work area", three, "age", "work_area"
    yield "demo climate by profession", demo(), "climate_overall", "profession"
    yield "reference y by g", REFERENCE, "y", "g"


def ranks() -> Iterator[Check]:
    for name, x in numeric_columns():
        x = x[~np.isnan(x)]
        ours, ties = _discrete.ranks(x)
        _, t = np.unique(x, return_counts=True)
        yield name, ours, stats.rankdata(x), 0
        yield f"{name} ties", ties, float((t.astype(float) ** 3 - t).sum()), 0


def quantiles() -> Iterator[Check]:
    probs = [0, 0.05, 0.25, 0.5, 0.75, 0.9, 1]
    for name, x in numeric_columns():
        x = x[~np.isnan(x)]
        uniques, counts, _ = _discrete.distinct(x)
        for method in ("linear", "weibull"):
            yield (f"{name} {method}", _discrete.quantiles(uniques, counts, probs, method),
                   np.quantile(x, probs, method=method), 0)


def codes_and_counts() -> Iterator[Check]:
    for name, x in numeric_columns():
        uniques, code = _discrete.codes(x)
        c, u = pd.factorize(x, sort=True)
        yield f"{name} codes", (uniques, code), (np.asarray(u), c), 0
        counted = pd.Series(x).value_counts().sort_index()
        yield (f"{name} counts", _discrete.value_counts(x),
               (counted.index.to_numpy(), counted.to_numpy()), 0)


def crosstabs() -> Iterator[Check]:
    pairs = [(demo(), "work_area", "gender"), (demo(), "profession", "education"),
             (demo(), "course_occasion", "mode"), (demo(), "age", "n_part_6m"),
             (REFERENCE, "g", "cat0"), (REFERENCE, "cat0", "count")]
    for data, x, y in pairs:
        ours = contingency.table(data, x, y)
        theirs = pd.crosstab(data[x], data[y])
        yield f"{x} by {y} levels", (list(ours.index), list(ours.columns)), (
            list(theirs.index), list(theirs.columns)), 0
        yield f"{x} by {y}", ours.to_numpy(), theirs.to_numpy(), 0


def value_counts_by_group() -> Iterator[Check]:
    for label, data, dv, group in groupings():
        ours = st.value_counts(data, dv, group)
        theirs = data.groupby([group, dv]).size()
        yield label, (ours["group"].tolist(), ours["value"].tolist(), ours["count"].tolist()), (
            theirs.index.get_level_values(0).tolist(),
            theirs.index.get_level_values(1).astype(float).tolist(), theirs.tolist()), 0


def mann_whitney() -> Iterator[Check]:
    for data, dv, group in ((demo(), "age", "gender"), (demo(), "n_part_6m", "gender"),
                            (REFERENCE, "y", "sex"), (REFERENCE, "count", "sex")):
        ours = st.mann_whitney(data, dv, group).iloc[0]
        _, (a, b) = split(data, dv, group)
        lib = stats.mannwhitneyu(a, b, method="asymptotic", use_continuity=False)
        yield f"{dv} by {group} U", ours["u1"], lib.statistic, 1e-12
        yield f"{dv} by {group} p", ours["p"], lib.pvalue, 1e-10


def kruskal() -> Iterator[Check]:
    for label, data, dv, group in groupings():
        ours = st.kruskal(data, dv, group).iloc[0]
        lib = stats.kruskal(*split(data, dv, group)[1])
        yield f"{label} H", ours["statistic"], lib.statistic, 1e-12
        yield f"{label} p", ours["p"], lib.pvalue, 1e-10


def anova() -> Iterator[Check]:
    for label, data, dv, group in groupings():
        ours = st.anova(data, dv, group).set_index("source")
        lib = pingouin.anova(data, dv=dv, between=group, detailed=True).set_index("Source")
        for mine, theirs in (("Between Groups", group), ("Within Groups", "Within")):
            for col, pcol in (("ss", "SS"), ("df", "DF"), ("ms", "MS")):
                yield f"{label} {mine} {col}", ours.loc[mine, col], lib.loc[theirs, pcol], 1e-10
        yield f"{label} F", ours.loc["Between Groups", "statistic"], lib.loc[group, "F"], 1e-10
        yield f"{label} p", ours.loc["Between Groups", "p"], lib.loc[group, "p_unc"], 1e-8


def box_statistics() -> Iterator[Check]:
    # and values exactly on both fences (q1 = 2, q3 = 4: fences -1 and 7), which a whisker
    # reaches
    fences = pd.DataFrame({"g": 1.0, "y": [-1.0, 2, 2, 4, 4, 7]})
    for label, data, dv, group in [*groupings(), ("on the fences", fences, "y", "g")]:
        ours = st.box_stats(data, dv, group)
        for (_, row), values in zip(ours.iterrows(), split(data, dv, group)[1], strict=True):
            lib = cbook.boxplot_stats(values)[0]
            yield (f"{label} {row['group']}",
                   [row["q1"], row["median"], row["q3"], row["whisker_low"],
                    row["whisker_high"]],
                   [lib["q1"], lib["med"], lib["q3"], lib["whislo"], lib["whishi"]], 1e-12)


def tukey_intervals() -> Iterator[Check]:
    """The studentized-range quantile (q_quantile) through Tukey's intervals, against scipy's
    tukey_hsd (its ppf), at two levels."""
    for label, data, dv, group in groupings():
        found, values = split(data, dv, group)
        if min(len(v) for v in values) < 2:  # tukey_hsd refuses groups of one value
            continue
        lib = stats.tukey_hsd(*values)
        index = {lv: i for i, lv in enumerate(found)}
        for conf in (0.95, 0.99):
            ci = lib.confidence_interval(conf)
            ours = st.posthoc(data, dv, group, "tukey", conf=conf)
            i = ours["group1"].map(index).to_numpy()
            j = ours["group2"].map(index).to_numpy()
            yield f"{label} {conf} low", ours["conf_low"].to_numpy(), ci.low[i, j], 1e-9
            yield f"{label} {conf} high", ours["conf_high"].to_numpy(), ci.high[i, j], 1e-9
        ours = st.posthoc(data, dv, group, "tukey")
        yield (f"{label} p", ours["p"].to_numpy(),
               lib.pvalue[ours["group1"].map(index), ours["group2"].map(index)], 1e-9)


def games_howell() -> Iterator[Check]:
    for label, data, dv, group in groupings():
        ours = st.posthoc(data, dv, group, "games_howell")
        lib = pingouin.pairwise_gameshowell(data.dropna(subset=[dv, group]), dv=dv,
                                            between=group)
        lib = lib.set_index(["A", "B"]).loc[list(zip(ours["group1"], ours["group2"],
                                                     strict=True))]
        yield f"{label} difference", ours["estimate"].to_numpy(), lib["diff"].to_numpy(), 1e-12
        yield f"{label} se", ours["se"].to_numpy(), lib["se"].to_numpy(), 1e-12
        yield f"{label} df", ours["df"].to_numpy(), lib["df"].to_numpy(), 1e-12
        yield f"{label} p", ours["p"].to_numpy(), lib["pval"].to_numpy(), 1e-8


def reliability() -> Iterator[Check]:
    scales = [(demo(), ["climate_trust", "climate_contacts", "climate_roles",
                        "climate_manager", "climate_time"]),
              (demo(), ["cq_responsibilities_clarified", "cq_client_influence",
                        "cq_adequate_support", "cq_coordination"]),
              (REFERENCE, ["pre", "post", "cat0", "cat1"])]
    for data, items in scales:
        label = items[0]
        ours = st.cronbach_alpha(data, items).iloc[0]
        complete = data[items].dropna()
        # given the complete cases: pingouin's own listwise deletion leaves the dropped rows
        # in the n of its interval; and it rounds the interval to three decimals
        alpha, ci = pingouin.cronbach_alpha(complete)
        yield f"{label} alpha", ours["estimate"], alpha, 1e-12
        yield f"{label} interval", np.round([ours["conf_low"], ours["conf_high"]], 3), ci, 0
        table = st.item_total(data, items).set_index("item")
        for item in items:
            rest = complete.drop(columns=item)
            yield (f"{label} {item} item-rest r", table.loc[item, "item_rest_r"],
                   np.corrcoef(complete[item], rest.sum(axis=1))[0, 1], 1e-12)
            if len(items) > 2:
                yield (f"{label} {item} alpha if deleted", table.loc[item, "alpha_if_deleted"],
                       pingouin.cronbach_alpha(rest)[0], 1e-12)


def brown_forsythe() -> Iterator[Check]:
    """F* and its denominator df are statsmodels' (anova_oneway, use_var="bf"); the numerator
    df is k - 1 (SPSS), where statsmodels uses Mehrotra's."""
    from statsmodels.stats.oneway import anova_oneway

    for label, data, dv, group in groupings():
        ours = st.robust_anova(data, dv, group).set_index("test").loc["Brown-Forsythe"]
        lib = anova_oneway(split(data, dv, group)[1], use_var="bf")
        yield f"{label} F*", ours["statistic"], lib.statistic, 1e-12
        yield f"{label} df2", ours["df2"], lib.df[1], 1e-12


def distinct_row_models() -> Iterator[Check]:
    """Count and logistic models fitted to the distinct rows with their counts as weights,
    against statsmodels fitted to every row."""
    three = demo()[demo()["work_area"] <= 3]
    y, x = st.design(three, "ever_cip", ["gender", "age", "work_area"], {"work_area": None})
    logit = st.logistic(three, "ever_cip", ["gender", "age", "work_area"],
                        categorical={"work_area": None})
    full = sm.Logit((y == 1).astype(float), x).fit(method="newton", tol=1e-14, disp=0)
    yield "logistic B", logit.coefficients["estimate"].to_numpy(), full.params.to_numpy(), 1e-9
    yield "logistic SE", logit.coefficients["se"].to_numpy(), full.bse.to_numpy(), 1e-9
    yield "logistic -2LL", logit.model.iloc[0]["minus2ll"], -2 * full.llf, 1e-12
    for outcome in ("n_part_6m", "n_self_6m"):
        y, x = st.design(three, outcome, ["gender", "age", "work_area"], {"work_area": None})
        pois = st.poisson(three, outcome, ["gender", "age", "work_area"],
                          categorical={"work_area": None})
        full = sm.GLM(y, x, family=sm.families.Poisson()).fit(tol=1e-14)
        yield f"{outcome} Poisson B", pois.coefficients["estimate"].to_numpy(), \
            full.params.to_numpy(), 1e-9
        yield f"{outcome} Poisson SE", pois.coefficients["se"].to_numpy(), \
            full.bse.to_numpy(), 1e-7
        nb = st.negative_binomial(three, outcome, ["gender", "age", "work_area"],
                                  categorical={"work_area": None})
        full = sm.NegativeBinomial(y, x).fit(method="newton", maxiter=200, tol=1e-12,
                                             disp=0)
        yield f"{outcome} NB B", nb.coefficients["estimate"].to_numpy(), \
            full.params.to_numpy()[:-1], 1e-5
        yield f"{outcome} NB alpha", nb.model.iloc[0]["alpha"], full.params.iloc[-1], 1e-5
        yield f"{outcome} NB log-likelihood", nb.model.iloc[0]["log_likelihood"], full.llf, \
            1e-9


FAST_PATHS: dict[str, Callable[[], Iterator[Check]]] = {
    "ranks from counts (_discrete.ranks) / scipy.stats.rankdata": ranks,
    "quantiles from counts (_discrete.quantiles) / numpy.quantile": quantiles,
    "codes by offsets (_discrete.codes, value_counts) / pandas.factorize": codes_and_counts,
    "crosstab by bincount (contingency.table) / pandas.crosstab": crosstabs,
    "points per group and value (value_counts) / pandas groupby": value_counts_by_group,
    "Mann-Whitney from counted ranks / scipy.stats.mannwhitneyu": mann_whitney,
    "Kruskal-Wallis from counted ranks / scipy.stats.kruskal": kruskal,
    "ANOVA table / pingouin.anova": anova,
    "box statistics from counts / matplotlib.cbook.boxplot_stats": box_statistics,
    "studentized-range quantile (Tukey) / scipy.stats.tukey_hsd": tukey_intervals,
    "Games-Howell / pingouin.pairwise_gameshowell": games_howell,
    "Cronbach's alpha and item statistics / pingouin.cronbach_alpha": reliability,
    "Brown-Forsythe F* / statsmodels anova_oneway": brown_forsythe,
    "models on distinct rows / statsmodels on every row": distinct_row_models,
}


@pytest.mark.parametrize("name", list(FAST_PATHS))
def test_fast_path_equals_its_library(name):
    checked = 0
    for what, ours, theirs, rtol in FAST_PATHS[name]():
        if isinstance(ours, tuple):
            for a, b in zip(ours, theirs, strict=True):
                np.testing.assert_array_equal(a, b, err_msg=what)
        elif rtol == 0:
            np.testing.assert_array_equal(ours, theirs, err_msg=what)
        else:
            np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-300, err_msg=what)
        checked += 1
    assert checked >= 4, name
