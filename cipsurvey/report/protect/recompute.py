"""The statistics a report prints, recomputed from a completed table of counts.

The attacker's exhaustive search fills the hidden cells of a table every way the published
totals allow and keeps the fillings whose statistics equal the published ones. Each function
here takes the filled table (rows × columns of counts, with each level's code) and returns
the value the report would print, written from the definitions (not through the functions
that made the report, so that the search checks them too):

- of a crosstab: Pearson χ², Yates's χ² (2 × 2), G², the linear-by-linear M² with the codes
  as scores, φ and Cramér's V, each cell's expected count and residuals, and the expected-
  count footnote;
- of the codes of one variable by the groups of the other: each group's n, mean and SD,
  the one-way ANOVA (sums of squares, F), Cohen's d of two groups (pooled SD), Student's and
  Welch's t, Mann-Whitney's U and Kruskal-Wallis's H (mid-ranks, tie-corrected), Levene's
  test centred on the mean.
"""

from __future__ import annotations

import math

import numpy as np


def expected(o: np.ndarray) -> np.ndarray:
    """Expected counts under independence (R·C/N)."""
    n = o.sum()
    return np.outer(o.sum(axis=1), o.sum(axis=0)) / n if n else np.full(o.shape, np.nan)


def pearson(o: np.ndarray) -> float:
    """Pearson's χ² of the table without empty rows and columns."""
    o = _nonempty(o)
    e = expected(o)
    return float(((o - e) ** 2 / e).sum())


def yates(o: np.ndarray) -> float:
    """χ² with Yates's continuity correction."""
    e = expected(o)
    diff = np.maximum(np.abs(o - e) - 0.5, 0.0)
    return float((diff ** 2 / e).sum())


def likelihood_ratio(o: np.ndarray) -> float:
    """The likelihood-ratio statistic G²."""
    o = _nonempty(o)
    e = expected(o)
    pos = o > 0
    return float(2 * (o[pos] * np.log(o[pos] / e[pos])).sum())


def linear_by_linear(o: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> float:
    """The linear-by-linear M² = (N − 1) r² with the codes as scores."""
    n = o.sum()
    dx = rows - (o.sum(axis=1) @ rows) / n
    dy = cols - (o.sum(axis=0) @ cols) / n
    sxx, syy = o.sum(axis=1) @ dx ** 2, o.sum(axis=0) @ dy ** 2
    if not (sxx > 0 and syy > 0):
        return math.nan
    r = dx @ o @ dy / math.sqrt(sxx * syy)
    return float((n - 1) * r * r)


def cramers_v(o: np.ndarray) -> float:
    """Cramér's V."""
    o = _nonempty(o)
    k = min(o.shape) - 1
    return math.sqrt(pearson(o) / (o.sum() * k)) if k > 0 else math.nan


def phi(o: np.ndarray) -> float:
    """φ: signed for a 2 × 2 table, √(χ²/N) for a 2 × k or k × 2 one."""
    if o.shape != (2, 2):
        n = o.sum()
        return math.sqrt(pearson(o) / n) if n else math.nan
    a, b, c, d = o.ravel()
    den = math.sqrt((a + b) * (c + d) * (a + c) * (b + d))
    return (a * d - b * c) / den if den else math.nan


def residuals(o: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardized (O − E)/√E and adjusted residuals (Haberman)."""
    n = o.sum()
    e = expected(o)
    rs, cs = o.sum(axis=1, keepdims=True), o.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        std = (o - e) / np.sqrt(e)
        adj = (o - e) / np.sqrt(e * (1 - rs / n) * (1 - cs / n))
    return std, adj


def min_expected(o: np.ndarray) -> float:
    """The smallest expected count."""
    return float(expected(o).min())


def _nonempty(o: np.ndarray) -> np.ndarray:
    """Without rows and columns of zeros (a test of the table as observed)."""
    return o[o.sum(axis=1) > 0][:, o.sum(axis=0) > 0]


# --------------------------------------------------------------------- codes by group


def moments(o: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group (row): n, mean and SD (n − 1) of the values (columns)."""
    n = o.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = o @ values / n
        ss = o @ values ** 2 - n * mean ** 2
        sd = np.sqrt(np.maximum(ss, 0) / (n - 1))
    return n, mean, sd


def anova(o: np.ndarray, values: np.ndarray) -> tuple[float, float, float]:
    """Between and within sums of squares, and F."""
    o = o[o.sum(axis=1) > 0]
    n, mean, _ = moments(o, values)
    grand = (o @ values).sum() / n.sum()
    between = float((n * (mean - grand) ** 2).sum())
    within = float((o @ values ** 2).sum() - (n * mean ** 2).sum())
    df1, df2 = len(n) - 1, n.sum() - len(n)
    f = (between / df1) / (within / df2) if df1 > 0 and df2 > 0 and within > 0 else math.nan
    return between, within, f


def cohens_d(o: np.ndarray, values: np.ndarray, a: int, b: int) -> float:
    """Cohen's d of groups ``a`` and ``b`` with the pooled SD."""
    n, mean, sd = moments(o, values)
    pooled = math.sqrt(((n[a] - 1) * sd[a] ** 2 + (n[b] - 1) * sd[b] ** 2) / (n[a] + n[b] - 2))
    return float((mean[a] - mean[b]) / pooled) if pooled else math.nan


def student_t(o: np.ndarray, values: np.ndarray, a: int, b: int) -> float:
    """Student's t of groups ``a`` and ``b``."""
    n, mean, sd = moments(o, values)
    pooled = ((n[a] - 1) * sd[a] ** 2 + (n[b] - 1) * sd[b] ** 2) / (n[a] + n[b] - 2)
    se = math.sqrt(pooled * (1 / n[a] + 1 / n[b]))
    return float((mean[a] - mean[b]) / se) if se else math.nan


def welch_t(o: np.ndarray, values: np.ndarray, a: int, b: int) -> float:
    """Welch's t of groups ``a`` and ``b``."""
    n, mean, sd = moments(o, values)
    se = math.sqrt(sd[a] ** 2 / n[a] + sd[b] ** 2 / n[b])
    return float((mean[a] - mean[b]) / se) if se else math.nan


def midranks(column_totals: np.ndarray) -> np.ndarray:
    """The mid-rank of each value when the values are ranked together."""
    before = np.cumsum(column_totals) - column_totals
    return before + (column_totals + 1) / 2


def mann_whitney_u(o: np.ndarray, a: int, b: int) -> float:
    """U of group ``a`` (its rank sum minus na(na + 1)/2) in the two groups' ranking."""
    pair = o[[a, b]]
    ranks = midranks(pair.sum(axis=0))
    na = pair[0].sum()
    return float(pair[0] @ ranks - na * (na + 1) / 2)


def kruskal_h(o: np.ndarray) -> float:
    """Kruskal–Wallis H with mid-ranks, corrected for ties."""
    o = o[o.sum(axis=1) > 0]
    totals = o.sum(axis=0)
    n = totals.sum()
    ranks = midranks(totals)
    sums = o @ ranks
    h = 12 / (n * (n + 1)) * (sums ** 2 / o.sum(axis=1)).sum() - 3 * (n + 1)
    ties = 1 - (totals ** 3 - totals).sum() / (n ** 3 - n)
    return float(h / ties) if ties > 0 else math.nan


def levene_mean(o: np.ndarray, values: np.ndarray) -> float:
    """Levene's F with deviations from each group's mean."""
    o = o[o.sum(axis=1) > 0]
    n, mean, _ = moments(o, values)
    z = np.abs(values[None, :] - mean[:, None])  # each group's deviation of each value
    zbar = (o * z).sum(axis=1) / n
    grand = (o * z).sum() / n.sum()
    between = (n * (zbar - grand) ** 2).sum()
    within = (o * (z - zbar[:, None]) ** 2).sum()
    df1, df2 = len(n) - 1, n.sum() - len(n)
    return float((between / df1) / (within / df2)) if within > 0 else math.nan
