"""k independent groups: ANOVA table, η² and ω², Welch, Brown-Forsythe, Kruskal-Wallis.

Welch's and Brown-Forsythe's tests are statsmodels' (``anova_oneway``; see
:func:`robust_anova` for the df). Written here, each tested against its library in
tests/test_fast_paths.py and timed with benchmarks/fast_paths.py:

- the ANOVA table (:func:`anova`): scipy's ``f_oneway`` gives F and p but no sums of
  squares; ``pingouin.anova`` gives the table (the same numbers) but took 0.27 s against
  0.11 s at a million respondents, and importing pingouin costs 1.2 s, more than a third
  of the demo report.
- Kruskal-Wallis H from the counts of the distinct values (``_discrete.ranks``):
  ``scipy.stats.kruskal`` ranks by sorting every value, 0.39 s against 0.18 s (group split
  included in both) for the 6-month count by work area at a million respondents.
- η² and ω² with their intervals: no library inverts the noncentral F accurately
  (``effect_ci``).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
from scipy import stats

from ._discrete import ranks
from ._util import frame, nan_row, split
from .effect_ci import ncp_f

ANOVA_COLUMNS = ["source", "ss", "df", "ms", "statistic", "p", "method", "note"]


def _usable(values: list[np.ndarray]) -> tuple[list[np.ndarray], str]:
    kept = [v for v in values if len(v)]
    n = sum(len(v) for v in kept)
    if len(kept) < 2:
        return kept, "fewer than two groups with values: no test"
    if n - len(kept) < 1:
        return kept, "one value per group: no within-group variance"
    return kept, ""


def anova(data: pd.DataFrame, dv: str, between: str) -> pd.DataFrame:
    """The one-way ANOVA table as SPSS's ONEWAY prints it.

    Returns
    -------
    DataFrame
        Rows "Between Groups", "Within Groups", "Total" with ``source, ss, df, ms, statistic
        (F), p, method, note``. Groups with no values are left out (with a note).

    References
    ----------
    Fisher, R. A. (1925). Statistical methods for research workers. Oliver & Boyd.
    """
    _, values = split(data, dv, between)
    kept, problem = _usable(values)
    dropped = len(values) - len(kept)
    if problem:
        return frame([nan_row(ANOVA_COLUMNS, problem, source=s)
                      for s in ("Between Groups", "Within Groups", "Total")], ANOVA_COLUMNS)
    y = np.concatenate(kept)
    grand = y.mean()
    ssb = sum(len(v) * (v.mean() - grand) ** 2 for v in kept)
    ssw = sum(((v - v.mean()) ** 2).sum() for v in kept)
    k, n = len(kept), len(y)
    dfb, dfw = k - 1, n - k
    msb, msw = ssb / dfb, ssw / dfw
    f = msb / msw if msw > 0 else np.nan
    p = stats.f.sf(f, dfb, dfw) if msw > 0 else np.nan
    note = "" if msw > 0 else "no variance within groups: F undefined"
    if dropped:
        note = (note + "; " if note else "") + f"{dropped} empty group(s) left out"
    method = "one-way ANOVA"
    return frame([
        {"source": "Between Groups", "ss": ssb, "df": dfb, "ms": msb, "statistic": f, "p": p,
         "method": method, "note": note},
        {"source": "Within Groups", "ss": ssw, "df": dfw, "ms": msw, "method": method,
         "note": ""},
        {"source": "Total", "ss": ssb + ssw, "df": n - 1, "method": method, "note": ""},
    ], ANOVA_COLUMNS)


def anova_effect_sizes(data: pd.DataFrame, dv: str, between: str,
                       conf: float = 0.95) -> pd.DataFrame:
    """η² and ω² of the one-way ANOVA with confidence intervals.

    η² = SS_between / SS_total; ω² = (SS_between - df_b·MS_within) / (SS_total + MS_within).
    The CIs invert the noncentral F distribution for its noncentrality λ (Steiger, 2004) and
    convert each limit with the point estimate's own formula at F = λ / df_b: λ / (λ + df_w)
    for η² and (λ - df_b) / (λ + df_w + 1), bounded at 0, for ω² (two-sided; the conversion
    of R's effectsize package).

    Returns
    -------
    DataFrame
        ``measure, estimate, conf_low, conf_high, method, note``.

    References
    ----------
    Steiger, J. H. (2004). Beyond the F test. Psychological Methods, 9, 164-182.
    Olejnik, S., & Algina, J. (2003). Generalized eta and omega squared statistics.
        Psychological Methods, 8, 434-447.
    """
    cols = ["measure", "estimate", "conf_low", "conf_high", "method", "note"]
    table = anova(data, dv, between)
    between_row, within_row, total_row = table.iloc[0], table.iloc[1], table.iloc[2]
    if between_row["note"] and not np.isfinite(between_row["statistic"]):
        return frame([nan_row(cols, between_row["note"], measure=m)
                      for m in ("eta squared", "omega squared")], cols)
    ssb, sst, msw = between_row["ss"], total_row["ss"], within_row["ms"]
    dfb, dfw = between_row["df"], within_row["df"]
    f = between_row["statistic"]
    lo, hi = ncp_f(f, dfb, dfw, conf)
    eta2 = ssb / sst
    omega2 = (ssb - dfb * msw) / (sst + msw)
    method = "CI by noncentral F inversion"
    return frame([
        {"measure": "eta squared", "estimate": eta2, "conf_low": lo / (lo + dfw),
         "conf_high": hi / (hi + dfw), "method": method, "note": ""},
        {"measure": "omega squared", "estimate": omega2,
         "conf_low": max(0.0, (lo - dfb) / (lo + dfw + 1)) if lo == lo else np.nan,
         "conf_high": max(0.0, (hi - dfb) / (hi + dfw + 1)) if hi == hi else np.nan,
         "method": method, "note": ""},
    ], cols)


def robust_anova(data: pd.DataFrame, dv: str, between: str) -> pd.DataFrame:
    """Welch's ANOVA (statsmodels) and the Brown-Forsythe F* test of equal means.

    Brown-Forsythe: F* = Σ n_i (m_i - m)² / Σ (1 - n_i/N) s_i² on (k - 1, f) df, f from
    Satterthwaite's formula, as SPSS's ONEWAY /STATISTICS=BROWNFORSYTHE. F* and f are
    statsmodels' (``anova_oneway(use_var="bf")``); its p-value is not, because statsmodels
    replaces k - 1 by Mehrotra's (1997) modified numerator df.

    Returns
    -------
    DataFrame
        Rows "Welch" and "Brown-Forsythe": ``test, statistic, df1, df2, p, method, note``.

    References
    ----------
    Welch, B. L. (1951). On the comparison of several mean values. Biometrika, 38, 330-336.
    Brown, M. B., & Forsythe, A. B. (1974). The small sample behavior of some statistics which
        test the equality of several means. Technometrics, 16, 129-132.
    """
    from statsmodels.stats.oneway import anova_oneway

    cols = ["test", "statistic", "df1", "df2", "p", "method", "note"]
    _, values = split(data, dv, between)
    kept, problem = _usable(values)
    rows = []
    for name in ("Welch", "Brown-Forsythe"):
        method = {"Welch": "Welch's ANOVA", "Brown-Forsythe": "Brown-Forsythe F* test"}[name]
        if problem or any(len(v) < 2 for v in kept):
            rows.append(nan_row(cols, problem or "a group with one value: no variance",
                                test=name, method=method))
            continue
        if any(np.ptp(v) == 0 for v in kept):
            rows.append(nan_row(cols, "a group without variance: the test is undefined",
                                test=name, method=method))
            continue
        if name == "Welch":
            res = anova_oneway(kept, use_var="unequal", welch_correction=True)
            df1, df2 = (float(d) for d in np.atleast_1d(res.df))
            stat, p = float(res.statistic), float(res.pvalue)
        else:
            # F* and Satterthwaite's denominator df from statsmodels; the numerator df k - 1
            # (statsmodels gives Mehrotra's modified one, with a p-value on it)
            res = anova_oneway(kept, use_var="bf")
            stat, df1, df2 = float(res.statistic), float(len(kept) - 1), float(res.df[1])
            p = float(stats.f.sf(stat, df1, df2))
        rows.append({"test": name, "statistic": stat, "df1": df1, "df2": df2, "p": p,
                     "method": method, "note": ""})
    return frame(rows, cols)


def kruskal(data: pd.DataFrame, dv: str, between: str) -> pd.DataFrame:
    """Kruskal-Wallis H, corrected for ties, with its χ² approximation.

    Returns
    -------
    DataFrame
        One row: ``test, statistic (H), df, p, n, epsilon_squared, method, note``;
        ε² = H / (N - 1) (Tomczak & Tomczak, 2014).

    References
    ----------
    Kruskal, W. H., & Wallis, W. A. (1952). Use of ranks in one-criterion variance analysis.
        JASA, 47, 583-621.
    """
    cols = ["test", "statistic", "df", "p", "n", "epsilon_squared", "method", "note"]
    _, values = split(data, dv, between)
    kept, problem = _usable(values)
    n = sum(len(v) for v in kept)
    method = "Kruskal-Wallis H, tie-corrected, chi-square approximation"
    if problem:
        return frame([nan_row(cols, problem, test="Kruskal-Wallis", method=method, n=n)], cols)
    if np.ptp(np.concatenate(kept)) == 0:
        return frame([nan_row(cols, "all values equal: no test", test="Kruskal-Wallis",
                              method=method, n=n)], cols)
    h = _kruskal_h(kept)
    p = float(stats.chi2.sf(h, len(kept) - 1))
    return frame([{"test": "Kruskal-Wallis", "statistic": h, "df": len(kept) - 1, "p": p,
                   "n": n, "epsilon_squared": h / (n - 1), "method": method, "note": ""}], cols)


def kruskal_ranks(data: pd.DataFrame, dv: str, between: str) -> pd.DataFrame:
    """Each group's n and mean rank, the ranks taken over all groups (ties at their mean
    rank), as the "Ranks" table beside SPSS's Kruskal-Wallis test.

    Returns
    -------
    DataFrame
        One row per group: ``group, n, mean_rank``.
    """
    found, values = split(data, dv, between)
    kept = [(g, v) for g, v in zip(found, values, strict=True) if len(v)]
    if not kept:
        return pd.DataFrame(columns=["group", "n", "mean_rank"])
    rank, _ = ranks(np.concatenate([v for _, v in kept]))
    edges = np.cumsum([0, *[len(v) for _, v in kept]])
    return pd.DataFrame({"group": [g for g, _ in kept], "n": [len(v) for _, v in kept],
                         "mean_rank": [rank[a:b].mean() for a, b in pairwise(edges)]})


def _kruskal_h(groups: list[np.ndarray]) -> float:
    """H corrected for ties, as ``scipy.stats.kruskal``, with the ranks from the counts of
    the distinct values (one counting pass, no sort of every value)."""
    sizes = np.array([len(g) for g in groups], dtype=np.float64)
    rank, ties = ranks(np.concatenate(groups))
    sums = np.add.reduceat(rank, np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp))
    n = sizes.sum()
    h = 12 / (n * (n + 1)) * float((sums**2 / sizes).sum()) - 3 * (n + 1)
    return h / (1 - ties / (n**3 - n))
