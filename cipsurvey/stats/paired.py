"""Paired data (two waves of the same respondents): t with d_z, Wilcoxon, McNemar, Bowker.

The tests are the libraries': scipy's ``ttest_rel`` and ``wilcoxon``, statsmodels'
``mcnemar`` and ``SquareTable``. Written here: d_z's interval (the noncentral t inverted,
``effect_ci``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ._util import frame, levels, listwise, nan_row
from .effect_ci import ncp_t


def paired_t(data: pd.DataFrame, x: str, y: str, conf: float = 0.95) -> pd.DataFrame:
    """Paired t for the mean difference x - y, with d_z = mean(diff) / sd(diff) and its CI.

    The CI of d_z inverts the noncentral t of the paired t statistic and divides by √n.

    Returns
    -------
    DataFrame
        ``n, estimate (mean difference), sd, se, conf_low, conf_high, statistic, df, p, d_z,
        d_z_low, d_z_high, method, note``.

    References
    ----------
    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative science.
        Frontiers in Psychology, 4, 863 (d_z).
    """
    cols = ["n", "estimate", "sd", "se", "conf_low", "conf_high", "statistic", "df", "p", "d_z",
            "d_z_low", "d_z_high", "method", "note"]
    clean = listwise(data, [x, y])
    d = clean[x].to_numpy(dtype=float) - clean[y].to_numpy(dtype=float)
    n = len(d)
    method = "paired t"
    if n < 2:
        return frame([nan_row(cols, "fewer than two pairs", n=n, method=method)], cols)
    sd = d.std(ddof=1)
    if sd == 0:
        return frame([nan_row(cols, "all differences equal: no test", n=n,
                              estimate=d.mean(), method=method)], cols)
    res = stats.ttest_rel(clean[x].to_numpy(dtype=float), clean[y].to_numpy(dtype=float))
    ci = res.confidence_interval(conf)
    lo, hi = ncp_t(res.statistic, res.df, conf)
    return frame([{"n": n, "estimate": d.mean(), "sd": sd, "se": sd / math.sqrt(n),
                   "conf_low": ci.low, "conf_high": ci.high, "statistic": res.statistic,
                   "df": res.df, "p": res.pvalue, "d_z": d.mean() / sd,
                   "d_z_low": lo / math.sqrt(n), "d_z_high": hi / math.sqrt(n),
                   "method": method, "note": ""}], cols)


def wilcoxon(data: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Wilcoxon signed-rank test of x - y: zero differences dropped, normal approximation
    with the tie correction and no continuity correction (as SPSS and PSPP).

    Returns
    -------
    DataFrame
        ``n, n_nonzero, w_plus, w_minus, statistic (z), p, method, note``; z is positive
        when x tends to exceed y.

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin, 1,
        80-83.
    """
    cols = ["n", "n_nonzero", "w_plus", "w_minus", "statistic", "p", "method", "note"]
    clean = listwise(data, [x, y])
    d = clean[x].to_numpy(dtype=float) - clean[y].to_numpy(dtype=float)
    nz = d[d != 0]
    m = len(nz)
    method = "Wilcoxon signed-rank, normal approximation with tie correction"
    if m == 0:
        return frame([nan_row(cols, "no nonzero differences", n=len(d), n_nonzero=0,
                              method=method)], cols)
    # alternative "greater": the statistic is W+ and z has its sign (two-sided, scipy gives
    # the smaller rank sum and a z that is never positive)
    res = stats.wilcoxon(nz, zero_method="wilcox", correction=False, method="approx",
                         alternative="greater")
    wp = float(res.statistic)
    z = float(res.zstatistic)
    return frame([{"n": len(d), "n_nonzero": m, "w_plus": wp, "w_minus": m * (m + 1) / 2 - wp,
                   "statistic": z, "p": 2 * stats.norm.sf(abs(z)), "method": method,
                   "note": ""}], cols)


def square_table(data: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Counts of the answers ``x`` (rows) by ``y`` (columns) of the same people, complete
    pairs only, over the union of both variables' categories so that the table is square."""
    clean = listwise(data, [x, y])
    cats = sorted(set(levels(clean[x])) | set(levels(clean[y])))
    return pd.crosstab(clean[x], clean[y]).reindex(index=cats, columns=cats, fill_value=0)


def mcnemar(data: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """McNemar's test for a 2×2 table of paired yes/no answers: exact (binomial) and
    asymptotic (χ² without and with continuity correction).

    Returns
    -------
    DataFrame
        ``test, b, c, statistic, df, p, n, method, note``; b and c are the discordant counts.

    References
    ----------
    McNemar, Q. (1947). Note on the sampling error of the difference between correlated
        proportions or percentages. Psychometrika, 12, 153-157.
    """
    cols = ["test", "b", "c", "statistic", "df", "p", "n", "method", "note"]
    tab = square_table(data, x, y)
    n = int(tab.to_numpy().sum())
    if tab.shape != (2, 2):
        return frame([nan_row(cols, f"McNemar needs two categories, found {tab.shape[0]}",
                              test="McNemar", n=n)], cols)
    b, c = int(tab.iloc[0, 1]), int(tab.iloc[1, 0])
    if b + c == 0:
        return frame([nan_row(cols, "no discordant pairs: no test", test="McNemar", b=b, c=c,
                              n=n)], cols)
    from statsmodels.stats.contingency_tables import mcnemar as sm_mcnemar

    pair = tab.to_numpy()
    exact = sm_mcnemar(pair, exact=True)
    plain = sm_mcnemar(pair, exact=False, correction=False)
    corrected = sm_mcnemar(pair, exact=False, correction=True)
    return frame([
        {"test": "McNemar exact", "b": b, "c": c, "statistic": np.nan, "df": np.nan,
         "p": float(exact.pvalue), "n": n, "method": "exact binomial, two-sided", "note": ""},
        {"test": "McNemar asymptotic", "b": b, "c": c, "statistic": float(plain.statistic),
         "df": 1, "p": float(plain.pvalue), "n": n,
         "method": "chi-square, no continuity correction", "note": ""},
        {"test": "McNemar asymptotic (corrected)", "b": b, "c": c,
         "statistic": float(corrected.statistic), "df": 1, "p": float(corrected.pvalue),
         "n": n, "method": "chi-square, continuity corrected", "note": ""},
    ], cols)


def marginal_homogeneity(data: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Stuart-Maxwell test of marginal homogeneity and Bowker's test of symmetry for k×k
    tables of paired categorical answers (statsmodels ``SquareTable``).

    Returns
    -------
    DataFrame
        Rows "Stuart-Maxwell" and "Bowker": ``test, statistic, df, p, n, method, note``.

    References
    ----------
    Stuart, A. (1955). A test for homogeneity of the marginal distributions in a two-way
        classification. Biometrika, 42, 412-416.
    Bowker, A. H. (1948). A test for symmetry in contingency tables. JASA, 43, 572-574.
    """
    from statsmodels.stats.contingency_tables import SquareTable

    cols = ["test", "statistic", "df", "p", "n", "method", "note"]
    tab = square_table(data, x, y)
    n = int(tab.to_numpy().sum())
    if tab.shape[0] < 2:
        return frame([nan_row(cols, "a single category: no test", test=t, n=n)
                      for t in ("Stuart-Maxwell", "Bowker")], cols)
    sq = SquareTable(tab.to_numpy(dtype=float), shift_zeros=False)
    rows = []
    for name, fn in (("Stuart-Maxwell", lambda: sq.homogeneity(method="stuart_maxwell")),
                     ("Bowker", lambda: sq.symmetry(method="bowker"))):
        try:
            res = fn()
            rows.append({"test": name, "statistic": float(res.statistic), "df": int(res.df),
                         "p": float(res.pvalue), "n": n, "method": name, "note": ""})
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
            rows.append(nan_row(cols, "the table is singular: no test", test=name, n=n))
    return frame(rows, cols)
