"""Integer samples with an exact size, sum, sum of squares and median.

The demo wave must reproduce printed means, standard deviations and medians *and* the test
statistics computed from them, so each group's values are fixed through their exact totals
(n, sum, sum of squares). An integer programme (scipy's HiGHS ``milp``) finds the histogram
with those totals and that median which is closest, in absolute counts, to a smooth target
shape. Written here because no library solves this small inverse problem directly.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats


def target_shape(n: int, mean: float, sd: float, support: np.ndarray) -> np.ndarray:
    """Expected counts of a negative binomial (or Poisson) with this mean and SD."""
    var = sd * sd
    if var <= mean * 1.0001:
        pmf = stats.poisson.pmf(support, mean)
    else:
        p = mean / var
        r = mean * p / (1 - p)
        pmf = stats.nbinom.pmf(support, r, p)
    pmf = pmf / pmf.sum()
    return n * pmf


def solve_histogram(n: int, total: int, total_sq: int, *, median: float | None = None,
                    low: int = 0, high: int = 300, shape: np.ndarray | None = None) -> np.ndarray:
    """Counts ``c[k]`` of each value ``low + k`` with the given totals; raises if infeasible.

    Parameters
    ----------
    n, total, total_sq : int
        Number of values, their sum and their sum of squares.
    median : float, optional
        Required sample median (both middle values equal it when ``n`` is even).
    low, high : int
        Smallest and largest allowed value.
    shape : array, optional
        Target counts per value; defaults to a negative binomial with the implied moments.
    """
    support = np.arange(low, high + 1)
    k = len(support)
    mean = total / n
    sd = float(np.sqrt(max((total_sq - total * total / n) / (n - 1), 1e-9)))
    if shape is None:
        shape = target_shape(n, mean - low, sd, support - low)
    # variables: c (k integers), u (k continuous: |c - shape|)
    cost = np.concatenate([np.zeros(k), np.ones(k)])
    rows, lo, hi = [], [], []

    def add(row: np.ndarray, a: float, b: float) -> None:
        rows.append(row)
        lo.append(a)
        hi.append(b)

    zeros = np.zeros(k)
    add(np.concatenate([np.ones(k), zeros]), n, n)
    add(np.concatenate([support.astype(float), zeros]), total, total)
    add(np.concatenate([(support.astype(float)) ** 2, zeros]), total_sq, total_sq)
    if median is not None:
        below = np.concatenate([(support < median).astype(float), zeros])
        at_most = np.concatenate([(support <= median).astype(float), zeros])
        if n % 2:
            add(below, 0, (n - 1) // 2)
            add(at_most, (n + 1) // 2, n)
        else:
            add(below, 0, n // 2 - 1)
            add(at_most, n // 2 + 1, n)
    eye = np.eye(k)
    for i in range(k):  # u_i >= c_i - shape_i and u_i >= shape_i - c_i
        add(np.concatenate([eye[i], -eye[i]]), -np.inf, shape[i])
        add(np.concatenate([-eye[i], -eye[i]]), -np.inf, -shape[i])
    constraints = optimize.LinearConstraint(np.array(rows), np.array(lo), np.array(hi))
    integrality = np.concatenate([np.ones(k), np.zeros(k)])
    bounds = optimize.Bounds(np.zeros(2 * k), np.concatenate([np.full(k, n), np.full(k, np.inf)]))
    res = optimize.milp(cost, constraints=constraints, integrality=integrality, bounds=bounds,
                        options={"mip_rel_gap": 0.05})
    if res.x is None:
        raise ValueError(f"no histogram with n={n}, sum={total}, sum of squares={total_sq}")
    counts = np.rint(res.x[:k]).astype(int)
    assert counts.sum() == n and (counts * support).sum() == total
    assert (counts * support**2).sum() == total_sq
    return counts


def expand(counts: np.ndarray, low: int = 0) -> np.ndarray:
    """The sorted values a histogram stands for."""
    return np.repeat(np.arange(low, low + len(counts)), counts)
