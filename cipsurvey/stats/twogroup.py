"""Two independent groups: Student's and Welch's t, Levene, Mann-Whitney, Cohen's d, Hedges' g.

The t tests and Levene's test are scipy's (``ttest_ind``, ``levene``). Written here:

- Mann-Whitney U from the counts of the distinct values (``_discrete.ranks``): scipy's
  ``mannwhitneyu`` ranks by sorting every value. Same U, z and p (tested against it on the
  demo wave and tests/reference data); measured with ``benchmarks/fast_paths.py``.
- Cohen's d and Hedges' g: pingouin's ``compute_effsize`` corrects g with the approximation
  1 - 3/(4(n1 + n2) - 9) where this uses the exact J, and its ``compute_esci`` gives the
  normal-approximation interval, not the noncentral-t one of R's effectsize and MBESS
  (``effect_ci``).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from ._discrete import ranks
from ._util import frame, nan_row, split
from .effect_ci import ncp_t

T_COLUMNS = ["test", "group1", "group2", "n1", "n2", "mean1", "mean2", "estimate", "se",
             "conf_low", "conf_high", "statistic", "df", "p", "method", "note"]


def ttest(data: pd.DataFrame, dv: str, group: str, order: list[Any] | None = None,
          conf: float = 0.95) -> pd.DataFrame:
    """Student's t (pooled variance) and Welch's t for the difference group1 - group2.

    Parameters
    ----------
    order : list, optional
        The two levels to compare, in this order (default: the two levels, sorted).

    Returns
    -------
    DataFrame
        Two rows ("Student", "Welch") with ``test, group1, group2, n1, n2, mean1, mean2,
        estimate (mean1 - mean2), se, conf_low, conf_high, statistic (t), df, p, method,
        note``; as SPSS's T-TEST "Equal variances assumed / not assumed".

    References
    ----------
    Welch, B. L. (1947). The generalization of Student's problem when several different
        population variances are involved. Biometrika, 34, 28-35.
    """
    levels_, (a, b) = _levels_pair(data, dv, group, order)
    rows = []
    base = {"group1": levels_[0], "group2": levels_[1], "n1": len(a), "n2": len(b),
            "mean1": a.mean() if len(a) else np.nan, "mean2": b.mean() if len(b) else np.nan}
    problem = _problem(a, b)
    for name, equal in (("Student", True), ("Welch", False)):
        method = "Student's t, pooled variance" if equal else "Welch's t, Satterthwaite df"
        if problem:
            rows.append(nan_row(T_COLUMNS, problem, test=name, method=method, **base))
            continue
        diff = a.mean() - b.mean()
        if np.ptp(a) == 0 and np.ptp(b) == 0:
            rows.append(nan_row(T_COLUMNS, "zero variance in both groups: no test",
                                test=name, method=method, estimate=diff, **base))
            continue
        if not equal and min(len(a), len(b)) < 2:
            rows.append(nan_row(T_COLUMNS, "a group with one value: Welch's t undefined",
                                test=name, method=method, estimate=diff, **base))
            continue
        with warnings.catch_warnings():
            # scipy warns of "catastrophic cancellation" when one group's values are all
            # equal; its variance is then exactly 0, which is what the test uses
            warnings.simplefilter("ignore", RuntimeWarning)
            res = stats.ttest_ind(a, b, equal_var=equal)
        ci = res.confidence_interval(conf)
        # the SE of the difference, back from the interval scipy computed with it
        se = (ci.high - ci.low) / (2 * stats.t.ppf(0.5 + conf / 2, res.df))
        rows.append({"test": name, **base, "estimate": diff, "se": se, "conf_low": ci.low,
                     "conf_high": ci.high, "statistic": res.statistic, "df": res.df,
                     "p": res.pvalue, "method": method, "note": ""})
    return frame(rows, T_COLUMNS)


def _levels_pair(data, dv, group, order):
    found, values = split(data, dv, group)
    if order is None:
        if len(found) > 2:
            raise ValueError(f"{group!r} has {len(found)} groups; give the two to compare "
                             "as order")
        order = found + [f"(no group {k})" for k in range(len(found) + 1, 3)]
    if len(order) != 2:
        raise ValueError("order must name two groups")
    by = dict(zip(found, values, strict=True))
    return list(order), [by.get(lv, np.array([], dtype=float)) for lv in order]


def _problem(a: np.ndarray, b: np.ndarray) -> str:
    if len(a) == 0 or len(b) == 0:
        return "an empty group: no test"
    if len(a) + len(b) < 3 or min(len(a), len(b)) < 1:
        return "too few values: no test"
    if len(a) < 2 and len(b) < 2:
        return "one value per group: no variance"
    return ""


def levene(data: pd.DataFrame, dv: str, group: str, center: str = "mean") -> pd.DataFrame:
    """Levene's test of equal variances; centred on the mean as SPSS prints it.

    ``center="median"`` gives the Brown-Forsythe variant (scipy's default), named as such.

    Returns
    -------
    DataFrame
        One row: ``test, statistic (F), df1, df2, p, method, note``.

    References
    ----------
    Levene, H. (1960). Robust tests for equality of variances. In Contributions to probability
        and statistics. Stanford University Press.
    Brown, M. B., & Forsythe, A. B. (1974). Robust tests for the equality of variances. JASA,
        69, 364-367.
    """
    _, values = split(data, dv, group)
    cols = ["test", "statistic", "df1", "df2", "p", "method", "note"]
    name = "Levene (mean)" if center == "mean" else "Levene (median, Brown-Forsythe)"
    values = [v for v in values if len(v)]
    n = sum(len(v) for v in values)
    if len(values) < 2 or n - len(values) < 1:
        return frame([nan_row(cols, "fewer than two groups with values", test=name)], cols)
    if all(np.ptp(v) == 0 for v in values):
        return frame([nan_row(cols, "no variance in any group", test=name)], cols)
    stat, p = stats.levene(*values, center=center)
    return frame([{"test": name, "statistic": stat, "df1": len(values) - 1,
                   "df2": n - len(values), "p": p,
                   "method": f"Levene's test centred on the {center}", "note": ""}], cols)


def mann_whitney(data: pd.DataFrame, dv: str, group: str,
                 order: list[Any] | None = None) -> pd.DataFrame:
    """Mann-Whitney U with the normal approximation, corrected for ties (as SPSS).

    Returns
    -------
    DataFrame
        ``group1, group2, n1, n2, mean_rank1, mean_rank2, u1, u, w, statistic (z), p, method,
        note``. As SPSS prints them: U is the smaller of the two groups' U statistics, W the
        rank sum of that group (the one with the smaller mean rank; group 2's when both
        mean ranks are equal, as PSPP), and z is computed from that U (so it is
        never positive). ``u1`` is group 1's U, for the direction.

    References
    ----------
    Mann, H. B., & Whitney, D. R. (1947). On a test of whether one of two random variables is
        stochastically larger than the other. Annals of Mathematical Statistics, 18, 50-60.
    """
    levels_, (a, b) = _levels_pair(data, dv, group, order)
    cols = ["group1", "group2", "n1", "n2", "mean_rank1", "mean_rank2", "u1", "u", "w",
            "statistic", "p", "method", "note"]
    base = {"group1": levels_[0], "group2": levels_[1], "n1": len(a), "n2": len(b),
            "method": "Mann-Whitney U, normal approximation with tie correction"}
    if len(a) == 0 or len(b) == 0:
        return frame([nan_row(cols, "an empty group: no test", **base)], cols)
    n1, n2 = len(a), len(b)
    both = np.concatenate([a, b])
    rank, ties = ranks(both)
    s1, s2 = float(rank[:n1].sum()), float(rank[n1:].sum())
    u1 = s1 - n1 * (n1 + 1) / 2
    u2 = n1 * n2 - u1
    u, w = (u1, s1) if u1 < u2 else (u2, s2)
    n = n1 + n2
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    # all values tied is told by the values: the variance formula leaves a rounding residue
    # there (±2.4 at a million values), which would give z = 0 and p = 1 instead of no test
    if var <= 0 or np.ptp(both) == 0:
        return frame([nan_row(cols, "all values tied: no test", **base)], cols)
    z = (u - n1 * n2 / 2) / math.sqrt(var)
    p = min(1.0, 2 * stats.norm.sf(abs(z)))  # as scipy's mannwhitneyu, asymptotic, no
    # continuity correction; z is that of the smaller U, so p is two-sided by symmetry
    return frame([{**base, "mean_rank1": s1 / n1, "mean_rank2": s2 / n2, "u1": u1, "u": u,
                   "w": w, "statistic": z, "p": p, "note": ""}], cols)


def hedges_correction(df: float) -> float:
    """The exact small-sample factor J(df) = Γ(df/2) / (√(df/2) Γ((df-1)/2))."""
    return math.exp(special.gammaln(df / 2) - math.log(math.sqrt(df / 2))
                    - special.gammaln((df - 1) / 2))


def cohens_d(data: pd.DataFrame, dv: str, group: str, order: list[Any] | None = None,
             conf: float = 0.95) -> pd.DataFrame:
    """Cohen's d with the pooled SD (the paper's d) and Hedges' g, each with a CI.

    d = (mean1 - mean2) / s_pooled. g = d·J(n1 + n2 - 2) with the exact correction. The CI
    inverts the noncentral t distribution of the pooled t statistic (Steiger & Fouladi,
    1997) and scales its limits by √(1/n1 + 1/n2) (and by J for g).

    Returns
    -------
    DataFrame
        Rows "Cohen's d" and "Hedges' g": ``measure, group1, group2, n1, n2, estimate,
        conf_low, conf_high, method, note``.

    References
    ----------
    Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd ed.).
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and related
        estimators. Journal of Educational Statistics, 6, 107-128.
    """
    levels_, (a, b) = _levels_pair(data, dv, group, order)
    cols = ["measure", "group1", "group2", "n1", "n2", "estimate", "conf_low", "conf_high",
            "method", "note"]
    base = {"group1": levels_[0], "group2": levels_[1], "n1": len(a), "n2": len(b)}
    n1, n2 = len(a), len(b)
    if n1 < 1 or n2 < 1 or n1 + n2 < 3:
        return frame([nan_row(cols, "too few values: no effect size", measure=m, **base)
                      for m in ("Cohen's d", "Hedges' g")], cols)
    df = n1 + n2 - 2
    sp = math.sqrt(((n1 - 1) * a.var(ddof=1 if n1 > 1 else 0)
                    + (n2 - 1) * b.var(ddof=1 if n2 > 1 else 0)) / df)
    if sp == 0:
        return frame([nan_row(cols, "zero variance: d undefined", measure=m, **base)
                      for m in ("Cohen's d", "Hedges' g")], cols)
    d = (a.mean() - b.mean()) / sp
    scale = math.sqrt(1 / n1 + 1 / n2)
    lo, hi = ncp_t(d / scale, df, conf)
    j = hedges_correction(df)
    method = "pooled SD; CI by noncentral t inversion"
    return frame([
        {"measure": "Cohen's d", **base, "estimate": d, "conf_low": lo * scale,
         "conf_high": hi * scale, "method": method, "note": ""},
        {"measure": "Hedges' g", **base, "estimate": d * j, "conf_low": lo * scale * j,
         "conf_high": hi * scale * j, "method": method + "; exact J correction", "note": ""},
    ], cols)
