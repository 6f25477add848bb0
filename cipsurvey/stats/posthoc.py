"""Post hoc comparisons as SPSS prints them: mean difference I - J, SE, p, simultaneous CI.

The distributions are scipy's (F, t, the studentized range's ``sf``); the tables are written
here, each row tested against PSPP (tests/test_stats_pspp.py), R (tests/test_stats_r.py) and
the library that has part of it (tests/test_fast_paths.py):

- Scheffé and Bonferroni with SE and interval: no library among scipy, statsmodels and
  pingouin has them (statsmodels' ``MultiComparison`` adjusts the p-values of separate t
  tests, without the pooled SE or an interval).
- Tukey HSD: scipy's ``tukey_hsd`` gives the same p-values and intervals, but refuses a
  group of one value (which SPSS and PSPP compare with the pooled variance), and its
  interval calls ``studentized_range.ppf``: 0.62 s against 0.24 s for a plan's Tukey table
  at 705 respondents, 2.1 s against 0.30 s at 100,000 (benchmarks/fast_paths.py). Here the
  quantile comes from :func:`q_quantile`, checked against scipy's cdf.
- Games-Howell: ``pingouin.pairwise_gameshowell`` gives the same SE, df and p but no
  interval, and importing pingouin costs 1.2 s; the interval needs a studentized-range
  quantile per pair (:func:`q_quantile`).
- Dunn's test: none of the three libraries has it; its ranks come from the counts of the
  distinct values (``_discrete.ranks``, as Kruskal-Wallis).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._discrete import ranks
from ._util import frame, nan_row, split

COLUMNS = ["method", "group1", "group2", "n1", "n2", "estimate", "se", "statistic", "df", "p",
           "conf_low", "conf_high", "note"]
METHODS = ("scheffe", "tukey", "bonferroni", "games_howell")
NAMES = {"scheffe": "Scheffé", "tukey": "Tukey HSD", "bonferroni": "Bonferroni",
         "games_howell": "Games-Howell"}


def posthoc(data: pd.DataFrame, dv: str, between: str, method: str = "scheffe",
            conf: float = 0.95) -> pd.DataFrame:
    """Pairwise comparisons after a one-way ANOVA.

    Parameters
    ----------
    method : {"scheffe", "tukey", "bonferroni", "games_howell"}
        Scheffé (1953): F = (d/SE)²/(k - 1) on (k - 1, N - k) df, CI d ± SE·√((k-1)·F_crit).
        Tukey HSD (Tukey-Kramer for unequal n): q = |d|/(SE/√2) on the studentized range
        (k, N - k). Bonferroni: t = d/SE on N - k df, p × k(k-1)/2 (at most 1), CI at
        α / (k(k-1)/2). Games-Howell (1976): SE from each pair's own variances, Welch df,
        studentized range. SE = √(MS_within (1/n_i + 1/n_j)) except for Games-Howell.

    Returns
    -------
    DataFrame
        One row per pair (i before j in group order): ``method, group1, group2, n1, n2,
        estimate (mean_i - mean_j), se, statistic, df, p, conf_low, conf_high, note``.

    References
    ----------
    Scheffé, H. (1953). A method for judging all contrasts in the analysis of variance.
        Biometrika, 40, 87-110.
    Kramer, C. Y. (1956). Extension of multiple range tests to group means with unequal numbers
        of replications. Biometrics, 12, 307-310.
    Games, P. A., & Howell, J. F. (1976). Pairwise multiple comparison procedures with unequal
        n's and/or variances. Journal of Educational Statistics, 1, 113-125.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    found, values = split(data, dv, between)
    kept = [(lv, v) for lv, v in zip(found, values, strict=True) if len(v)]
    k = len(kept)
    n = sum(len(v) for _, v in kept)
    name = NAMES[method]
    rows: list[dict[str, Any]] = []
    if k < 2 or n - k < 1:
        return frame([nan_row(COLUMNS, "fewer than two groups or no within-group df",
                              method=name)], COLUMNS)
    dfw = n - k
    msw = sum(((v - v.mean()) ** 2).sum() for _, v in kept) / dfw
    m = k * (k - 1) / 2
    alpha = 1 - conf
    q_crit: float | None = None
    for (li, a), (lj, b) in itertools.combinations(kept, 2):
        diff = a.mean() - b.mean()
        base = {"method": name, "group1": li, "group2": lj, "n1": len(a), "n2": len(b),
                "estimate": diff}
        if method == "games_howell":
            if len(a) < 2 or len(b) < 2:
                rows.append(nan_row(COLUMNS, "a group with one value: no variance", **base))
                continue
            va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
            se = math.sqrt(va + vb)
            if se == 0:
                rows.append(nan_row(COLUMNS, "no variance in either group", **base))
                continue
            df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
            q = abs(diff) / se * math.sqrt(2)
            p = float(stats.studentized_range.sf(q, k, df))
            half = q_quantile(conf, k, df) / math.sqrt(2) * se
            rows.append({**base, "se": se, "statistic": q, "df": df, "p": min(1.0, p),
                         "conf_low": diff - half, "conf_high": diff + half, "note": ""})
            continue
        se = math.sqrt(msw * (1 / len(a) + 1 / len(b)))
        if se == 0:
            rows.append(nan_row(COLUMNS, "no variance within groups", **base))
            continue
        if method == "scheffe":
            f = (diff / se) ** 2 / (k - 1)
            p = float(stats.f.sf(f, k - 1, dfw))
            half = se * math.sqrt((k - 1) * stats.f.ppf(conf, k - 1, dfw))
            stat = f
        elif method == "tukey":
            stat = abs(diff) / se * math.sqrt(2)
            p = float(stats.studentized_range.sf(stat, k, dfw))
            if q_crit is None:  # the same for every pair
                q_crit = q_quantile(conf, k, dfw)
            half = q_crit / math.sqrt(2) * se
        else:
            stat = diff / se
            p = min(1.0, 2 * float(stats.t.sf(abs(stat), dfw)) * m)
            half = stats.t.ppf(1 - alpha / (2 * m), dfw) * se
        rows.append({**base, "se": se, "statistic": stat, "df": dfw, "p": min(1.0, p),
                     "conf_low": diff - half, "conf_high": diff + half, "note": ""})
    return frame(rows, COLUMNS)


def dunn(data: pd.DataFrame, dv: str, between: str, p_adjust: str = "bonferroni") -> pd.DataFrame:
    """Dunn's (1964) pairwise test after Kruskal-Wallis, with the tie correction.

    z = (R̄_i - R̄_j) / √((N(N+1)/12 - Σ(t³-t)/(12(N-1))) (1/n_i + 1/n_j)); two-sided p,
    adjusted by ``p_adjust`` ("bonferroni", "holm" or "none").

    Returns
    -------
    DataFrame
        ``method, group1, group2, n1, n2, estimate (mean rank difference), statistic (z),
        p, p_adj, note``.

    References
    ----------
    Dunn, O. J. (1964). Multiple comparisons using rank sums. Technometrics, 6, 241-252.
    """
    from statsmodels.stats.multitest import multipletests

    cols = ["method", "group1", "group2", "n1", "n2", "estimate", "statistic", "p", "p_adj",
            "note"]
    found, values = split(data, dv, between)
    kept = [(lv, v) for lv, v in zip(found, values, strict=True) if len(v)]
    if len(kept) < 2:
        return frame([nan_row(cols, "fewer than two groups", method="Dunn")], cols)
    y = np.concatenate([v for _, v in kept])
    rank, ties = ranks(y)
    n = len(y)
    # all values tied: no variance (the formula leaves a rounding residue, ±1.5e-5 at a
    # million tied values, which would give z = 0 and p = 1 instead of no test)
    var = 0.0 if np.ptp(y) == 0 else n * (n + 1) / 12 - ties / (12 * (n - 1))
    mean_rank, start = {}, 0
    for lv, v in kept:
        mean_rank[lv] = rank[start:start + len(v)].mean()
        start += len(v)
    rows = []
    for (li, a), (lj, b) in itertools.combinations(kept, 2):
        diff = mean_rank[li] - mean_rank[lj]
        se = math.sqrt(var * (1 / len(a) + 1 / len(b))) if var > 0 else 0.0
        z = diff / se if se else np.nan
        rows.append({"method": "Dunn", "group1": li, "group2": lj, "n1": len(a), "n2": len(b),
                     "estimate": diff, "statistic": z,
                     "p": 2 * stats.norm.sf(abs(z)) if se else np.nan,
                     "note": "" if se else "all values tied"})
    out = frame(rows, cols)
    ok = out["p"].notna()
    if p_adjust == "none":
        out["p_adj"] = out["p"]
    elif ok.any():
        out.loc[ok, "p_adj"] = multipletests(out.loc[ok, "p"], method=p_adjust)[1]
    return out


def q_quantile(conf: float, k: int, df: float) -> float:
    """The ``conf`` quantile of the studentized range for ``k`` groups and ``df``.

    scipy evaluates the distribution by adaptive double quadrature (some 7 ms a value), and
    its generic ``ppf`` spends about fifteen values bracketing the root. Here the root is
    found by the secant method, started from the Bonferroni bound on the range (close above
    the quantile), on a fixed Gauss-Legendre rule for the same integral (``_range_cdf``,
    vectorised, under a millisecond a value); scipy's cdf is evaluated once, at the root, and
    the root is accepted only if it matches ``conf`` there to 1e-11. Otherwise (very small or
    very large df, where the fixed rule is not accurate enough) the secant runs on scipy's
    cdf itself, with the same acceptance test, and failing that scipy's ``ppf`` is used.
    """
    dist = stats.studentized_range
    m = k * (k - 1) / 2
    start = math.sqrt(2) * float(stats.t.ppf(1 - (1 - conf) / (2 * m), df))
    if math.isfinite(start):
        q = _secant(_range_cdf(k, df), conf, start)
        if math.isfinite(q) and abs(dist.cdf(q, k, df) - conf) < 1e-11:
            return q
        q = _secant(lambda x: float(dist.cdf(x, k, df)), conf, start)
        if math.isfinite(q) and abs(dist.cdf(q, k, df) - conf) < 1e-11:
            return q
    return float(dist.ppf(conf, k, df))


def _secant(cdf: Callable[[float], float], conf: float, start: float) -> float:
    """The root of cdf(q) = conf by the secant method from ``start`` and 0.97 · start."""
    q0, q1 = start, 0.97 * start
    f0, f1 = cdf(q0) - conf, cdf(q1) - conf
    for _ in range(40):
        if abs(f1) < 1e-14 or f1 == f0:  # (both cdfs are precise to about 1e-16)
            break
        q0, q1 = q1, q1 - f1 * (q1 - q0) / (f1 - f0)
        f0, f1 = f1, cdf(q1) - conf
    return float(q1)


def _range_cdf(k: int, df: float, nodes: int = 96) -> Callable[[float], float]:
    """P(Q ≤ q) for the studentized range by a fixed product Gauss-Legendre rule.

    P(Q ≤ q) = ∫ f_S(s) · k ∫ φ(z) [Φ(z) - Φ(z - q s)]^(k-1) dz ds with S = √(χ²_ν / ν);
    z runs over [-8.5, 8.5] (φ is below 1e-16 outside) and s between the 1e-15 and
    1 - 1e-15 quantiles of S. Written here because no library offers a fast, vectorised
    version; it only proposes roots, which scipy then checks (see ``q_quantile``).
    """
    from numpy.polynomial.legendre import leggauss
    from scipy import special

    x, w = leggauss(nodes)
    z = 8.5 * x
    wz = 8.5 * w * np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    lo, hi = (math.sqrt(stats.chi2.ppf(p, df) / df) for p in (1e-15, 1 - 1e-15))
    sv = lo + (hi - lo) * (x + 1) / 2
    ws = (hi - lo) / 2 * w * np.exp(math.log(2 * df) + np.log(sv)
                                    + stats.chi2.logpdf(df * sv * sv, df))
    phi_z = special.ndtr(z)

    def cdf(q: float) -> float:
        inner = (phi_z[None, :] - special.ndtr(z[None, :] - q * sv[:, None])) ** (k - 1)
        return float(k * (inner @ wz) @ ws)

    return cdf


def pairwise_d(data: pd.DataFrame, dv: str, between: str, conf: float = 0.95) -> pd.DataFrame:
    """Cohen's d (pooled SD of the two groups) with its CI for every pair of groups."""
    from ._util import levels
    from .twogroup import cohens_d

    found = levels(data.loc[data[dv].notna(), between])
    parts = []
    for a, b in itertools.combinations(found, 2):
        res = cohens_d(data, dv, between, order=[a, b], conf=conf)  # (one split for all)
        parts.append(res[res["measure"] == "Cohen's d"])
    if not parts:
        return pd.DataFrame(columns=["measure", "group1", "group2", "n1", "n2", "estimate",
                                     "conf_low", "conf_high", "method", "note"])
    return pd.concat(parts, ignore_index=True)
