"""Paired change in a share (cipsurvey.stats.longitudinal): the mutants of
``newcombe_paired`` and ``paired_share_change`` that survived the full mutmut run of issue 22.

What is checked, and against what:
- Newcombe's (1998) method 10 interval on tables that reach each branch of its correlation
  term (φ's numerator negative, between 0 and n/2, above n/2 but below 2n; a zero margin;
  the product of the margins exactly 1) and at a 90 % level: against R (the Wilson limits
  from R's ``prop.test``, combined by Newcombe's formula; code and numbers below; the 95 %
  limits of the textbook table are Fagerland, Lydersen & Laake's printed ones);
- the interval of a table where everyone changed: -1 (or 1) exactly at the end, and the other
  end by hand from the Wilson limit of 0 of n;
- ``paired_share_change``: the level ``conf`` reaching the interval, the note and p when no
  one changed or when as many changed one way as the other (p from scipy's binomial test),
  answers coded as the text "0"/"1", and the refusal message naming the codes that are not
  0/1.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cipsurvey.stats.longitudinal import (
    WAVE_COLUMNS,
    _admissible,
    _root,
    _wald_row,
    newcombe_paired,
    paired_share_change,
    wave_change,
)

METHOD = "Newcombe hybrid score interval (paired); exact McNemar"

# R 4.2.2:
#   wl <- function(x, n, conf) prop.test(x, n, conf.level = conf, correct = FALSE)$conf.int
#   newcombe10 <- function(a, b, c, d, conf = 0.95) {
#     n <- a + b + c + d; p1 <- (a + b) / n; p2 <- (a + c) / n
#     w1 <- wl(a + b, n, conf); w2 <- wl(a + c, n, conf)
#     m <- (a + b) * (c + d) * (a + c) * (b + d); cr <- a * d - b * c
#     num <- if (cr > n / 2) cr - n / 2 else if (cr < 0) cr else 0
#     phi <- if (m > 0) num / sqrt(m) else 0
#     lo <- p2 - p1 - sqrt((p2 - w2[1])^2 - 2 * phi * (p2 - w2[1]) * (w1[2] - p1) + (w1[2] - p1)^2)
#     hi <- p2 - p1 + sqrt((w2[2] - p2)^2 - 2 * phi * (w2[2] - p2) * (p1 - w1[1]) + (p1 - w1[1])^2)
#     c(max(-1, lo), min(1, hi)) }
#   sprintf("%.17g", newcombe10(a, b, c, d, conf))
# (a yes/yes, b yes then no, c no then yes, d no/no)
R_NEWCOMBE = [
    # the textbook table (Cavo et al. 2012) at 90 %
    ((59, 16, 6, 80, 0.90), (-0.10974484287179012, -0.01378599079316848)),
    # cross = ad - bc = -68 < 0: the numerator is the cross product itself
    ((3, 10, 8, 4, 0.95), (-0.37944209373708021, 0.23750618660267198)),
    # cross = 4, between n/3 = 3.3 and n/2 = 5: the numerator is 0
    ((1, 1, 2, 6, 0.95), (-0.26461416720906272, 0.43538559535084609)),
    # cross = 18, between n/2 = 6 and 2n = 24: the numerator is cross - n/2
    ((4, 1, 2, 5, 0.95), (-0.21044557472542957, 0.35415162221490687)),
    # every margin 1, cross = -1: φ = -1
    ((0, 1, 1, 0, 0.95), (-0.81093758853153852, 0.81093758853153852)),
    # no one answered no afterwards (a zero margin): φ = 0
    ((5, 0, 3, 0, 0.95), (-0.027440569958797012, 0.69425760539737258)),
]


@pytest.mark.parametrize(("table", "limits"), R_NEWCOMBE)
def test_newcombe_paired_interval_as_r(table, limits):
    a, b, c, d, conf = table
    assert newcombe_paired(a, b, c, d, conf) == pytest.approx(limits, rel=1e-12)


@pytest.mark.parametrize("n", [25, 13])
def test_everyone_changing_reaches_the_end_of_the_scale_exactly(n):
    # everyone said yes before and no after: the difference is -1, the lower limit can
    # be no lower (-1 exactly, not -1 minus a rounding error); the upper limit by hand:
    # φ = 0 (a zero margin), the Wilson limits of 0 of n are 0 and z²/(n + z²), those of
    # n of n are n/(n + z²) and 1, so high = -1 + √2 · z²/(n + z²)
    z = stats.norm.ppf(0.995 if n == 13 else 0.975)
    conf = 0.99 if n == 13 else 0.95
    u = z * z / (n + z * z)
    low, high = newcombe_paired(0, n, 0, 0, conf)
    assert low == -1.0
    assert high == pytest.approx(-1 + math.sqrt(2) * u, rel=1e-12)
    # and the mirror image: everyone changed from no to yes
    low, high = newcombe_paired(0, 0, n, 0, conf)
    assert high == 1.0
    assert low == pytest.approx(1 - math.sqrt(2) * u, rel=1e-12)


def pairs(a: int, b: int, c: int, d: int) -> pd.DataFrame:
    """One row per person of a paired 2 × 2 table."""
    return pd.DataFrame({"before": [1] * a + [1] * b + [0] * c + [0] * d,
                         "after": [1] * a + [0] * b + [1] * c + [0] * d})


def test_paired_share_change_uses_its_level():
    row = paired_share_change(pairs(59, 16, 6, 80), "before", "after", conf=0.90).iloc[0]
    assert (row["conf_low"], row["conf_high"]) == pytest.approx(R_NEWCOMBE[0][1], rel=1e-12)


def test_no_one_changing_is_said_and_has_no_test():
    row = paired_share_change(pairs(7, 0, 0, 5), "before", "after").iloc[0]
    assert (row["n"], row["b"], row["c"], row["estimate"]) == (12, 0, 0, 0.0)
    assert row["note"] == "no one changed their answer: no test"
    assert math.isnan(row["p"])


def test_as_many_changing_each_way_is_still_tested():
    # b = c = 2: McNemar's exact p is the binomial test of 2 of 4 (p = 1)
    row = paired_share_change(pairs(3, 2, 2, 3), "before", "after").iloc[0]
    assert row["note"] == ""
    assert row["p"] == pytest.approx(stats.binomtest(2, 4, 0.5).pvalue, rel=1e-12)
    assert row["estimate"] == 0.0


def test_answers_coded_as_text_are_read_as_numbers():
    # codes that arrive as the text "1" / "0" (a CSV column read as text)
    data = pairs(59, 16, 6, 80).astype(str)
    row = paired_share_change(data, "before", "after").iloc[0]
    assert (row["n"], row["b"], row["c"]) == (161, 16, 6)
    assert (round(row["conf_low"], 4), round(row["conf_high"], 4)) == (-0.1186, -0.0046)


def test_the_refusal_names_the_first_three_codes_that_are_not_0_or_1():
    # the offending codes of both columns (2 and 3 before, 5 and 7 after), the first
    # three in order; the 0s and 1s on the same rows are not offending
    data = pd.DataFrame({"before": [1, 2, 0, 3, 1], "after": [5, 1, 7, 0, 0]})
    with pytest.raises(ValueError) as err:
        paired_share_change(data, "before", "after")
    assert str(err.value) == "before/after: a share needs 0/1 values, found 2, 3, 5"


# ------------------------------------------------------------------ change over waves


def test_root_of_a_variance():
    # a variance a rounding error below 0 is a standard error of 0; a clearly negative
    # one (from -1e-12 down) is no standard error at all
    assert _root(4.0) == 2.0 and _root(0.0) == 0.0
    assert _root(-1e-13) == 0.0
    assert math.isnan(_root(-1e-12)) and math.isnan(_root(-0.5)) and math.isnan(_root(-2.0))


def test_a_wald_row_without_a_standard_error_has_no_test():
    base = {"n_obs": 4, "n_clusters": 2, "n_repeated": 2, "method": "m"}
    row = _wald_row("change", 1, 0, 1.5, 0.0, 1.96, 0.0, base, "")
    assert (row["estimate"], row["conf_low"], row["conf_high"]) == (1.5, 1.5, 1.5)
    assert math.isnan(row["statistic"]) and math.isnan(row["p"])


def test_admissible_exchangeable_correlation_by_its_bounds():
    # an m × m exchangeable correlation matrix (1 on the diagonal, ρ elsewhere) has the
    # eigenvalues 1 + (m - 1)ρ and 1 - ρ: it is one only for -1/(m - 1) < ρ < 1, m being
    # the largest cluster
    singles, pairs_, triples = np.array([0, 1, 2]), np.array([0, 0, 1, 1]), np.array([0, 0, 0, 1])
    assert _admissible(0.99, pairs_) and not _admissible(1.0, pairs_)
    assert not _admissible(1.5, pairs_)
    assert _admissible(-0.99, pairs_) and not _admissible(-1.0, pairs_)
    assert _admissible(-0.49, triples) and not _admissible(-0.5, triples)
    assert _admissible(-0.4, triples) and not _admissible(-0.6, triples)
    assert _admissible(-5.0, singles) and not _admissible(1.0, singles)


def test_wave_change_refuses_an_unknown_method_or_correlation():
    data = pd.DataFrame({"y": [1.0, 2.0], "w": [0, 1], "id": [1, 1]})
    with pytest.raises(ValueError) as err:
        wave_change(data, "y", "w", "id", method="ols")
    assert str(err.value) == "method must be 'gee' or 'mixed', not 'ols'"
    with pytest.raises(ValueError) as err:
        wave_change(data, "y", "w", "id", correlation="ar1")
    assert str(err.value) == ("correlation must be 'exchangeable' or 'independence', "
                              "not 'ar1'")


def test_waves_without_variation_have_no_joint_test():
    # four people answer 1, 2 and 4 in waves 0, 1 and 2, a fifth answers 1 in wave 0:
    # every answer is its wave's mean, the residuals are 0, so the changes' sandwich
    # covariance is 0 (singular); the independence working correlation is 0 in every row;
    # the trend is the least-squares slope of y on the wave step, by hand:
    # steps 0 (x5), 1 (x4), 2 (x4); Sxy / Sxx with x̄ = 12/13, ȳ = 33/13
    rows = [(p, w, {0: 1.0, 1: 2.0, 2: 4.0}[w]) for p in range(1, 5) for w in (0, 1, 2)]
    data = pd.DataFrame([*rows, (5, 0, 1.0)], columns=["id", "w", "y"])
    out = wave_change(data, "y", "w", "id", correlation="independence")
    assert list(out.columns) == WAVE_COLUMNS
    assert list(out["term"]) == ["mean"] * 3 + ["change"] * 2 + ["joint", "trend"]
    assert out["correlation"].tolist() == [0.0] * 7
    assert out[["n_obs", "n_clusters", "n_repeated"]].drop_duplicates().values.tolist() == [
        [13, 5, 4]]
    assert out["estimate"].iloc[:5].tolist() == pytest.approx([1, 2, 4, 1, 3], rel=1e-12)
    joint = out.iloc[5]
    assert joint["note"] == ("the changes' covariance is singular (a wave without "
                             "variation): no joint test")
    assert joint["reference"] == 0 and math.isnan(joint["statistic"])
    assert joint["method"] == ("GEE, independence working correlation, robust SE "
                               "(respondent as cluster)")
    x = np.array([0] * 5 + [1] * 4 + [2] * 4, dtype=float)
    yv = np.array([1.0] * 5 + [2.0] * 4 + [4.0] * 4)
    slope = ((x - x.mean()) * (yv - yv.mean())).sum() / ((x - x.mean()) ** 2).sum()
    assert out["estimate"].iloc[6] == pytest.approx(slope, rel=1e-12)


def test_wave_change_follows_the_given_order():
    # "before" comes first although "after" sorts first: it is the reference; a wave in
    # the order that nobody answered ("during") has no row
    data = pd.DataFrame({"y": [1.0, 2, 3, 2, 5, 4], "w": ["before", "after"] * 3,
                         "id": [1, 1, 2, 2, 3, 3]})
    for order in (["before", "after"], ["before", "during", "after"]):
        out = wave_change(data, "y", "w", "id", order=order, correlation="independence")
        assert out["term"].tolist() == ["mean", "mean", "change"]
        assert out["wave"].tolist() == ["before", "after", "after"]
        assert out["reference"].iloc[2] == "before"
        # before 1, 3, 5 (mean 3); after 2, 2, 4 (mean 8/3)
        assert out["estimate"].tolist() == pytest.approx([3, 8 / 3, -1 / 3], rel=1e-12)


def test_wave_change_of_no_answers_is_one_row_without_a_model():
    data = pd.DataFrame({"y": [np.nan, np.nan], "w": [0, 1], "id": [1, 1]})
    out = wave_change(data, "y", "w", "id")
    assert list(out.columns) == WAVE_COLUMNS and len(out) == 1
    row = out.iloc[0]
    assert (row["term"], row["n_obs"], row["n_clusters"], row["n_repeated"]) == (
        "change", 0, 0, 0)
    assert row["note"] == "fewer than two waves with answers: no model"


# ---- the notes of a fit (_fit_once, _fit) ----
# statsmodels' fits rarely warn on small data, so the warning is forced: the OLS fit behind the
# independence working correlation is wrapped to raise statsmodels' ConvergenceWarning.
CONVERGENCE = "the model reported a convergence problem"
CLUSTERS = np.repeat(np.arange(4), 3)
XS = np.column_stack([np.ones(12), np.tile([0.0, 1.0, 2.0], 4)])
YS = np.array([1.0, 2.0, 2.5, 0.5, 1.5, 3.0, 1.0, 1.0, 2.0, 2.0, 2.5, 4.0])


def _warning_ols(monkeypatch):
    import warnings

    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    fit = OLS.fit

    def warned(self, *args, **kwargs):
        warnings.warn("forced", ConvergenceWarning, stacklevel=2)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(OLS, "fit", warned)


def test_a_fit_that_warns_of_convergence_says_so_exactly(monkeypatch):
    from cipsurvey.stats import longitudinal

    quiet = longitudinal._fit_once(YS, XS, CLUSTERS, "gee", "independence")
    assert quiet[3] == ""
    _warning_ols(monkeypatch)
    params, _, corr, note = longitudinal._fit_once(YS, XS, CLUSTERS, "gee", "independence")
    assert note == CONVERGENCE
    # OLS by hand: the slope of y on the visit (0, 1, 2), four people
    xbar, ybar = 1.0, YS.mean()
    slope = ((XS[:, 1] - xbar) * (YS - ybar)).sum() / ((XS[:, 1] - xbar) ** 2).sum()
    assert params[1] == pytest.approx(slope, rel=1e-12) and corr == 0.0


def test_an_inadmissible_correlation_note_joins_the_refit_note(monkeypatch):
    # the exchangeable fit reports ρ = -0.75, below -1/(3 - 1) for clusters of three: the
    # independence refit is used, and its own (forced) warning follows after "; "
    from cipsurvey.stats import longitudinal

    once = longitudinal._fit_once

    def fake(y, x, groups, method, correlation):
        if correlation == "exchangeable":
            return np.zeros(2), np.eye(2), -0.75, ""
        return once(y, x, groups, method, correlation)

    monkeypatch.setattr(longitudinal, "_fit_once", fake)
    _warning_ols(monkeypatch)
    _, _, corr, note = longitudinal._fit(YS, XS, CLUSTERS, "gee", "exchangeable")
    assert math.isnan(corr)
    assert note == ("the exchangeable working correlation was estimated at -0.75, outside its "
                    "admissible range: independence working correlation used; " + CONVERGENCE)
