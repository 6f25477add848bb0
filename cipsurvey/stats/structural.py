"""Crosstabs with structural zeros: cells empty by design, tested by quasi-independence.

A question such as "which *other* organisation was easiest to work with?" cannot be
answered with one's own organisation: those cells are zero by design, not by chance. The
ordinary χ² counts them as evidence of association (in the demo, Cramér's V = .79 for the
easiest partner by work area). Quasi-independence (Goodman, 1968) asks whether rows and
columns are independent over the cells that can occur: the log-linear model of row and
column effects is fitted to those cells only (a Poisson GLM, statsmodels), its Pearson χ²
and deviance G² are the tests, with df = cells that can occur − parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._util import frame
from .contingency import TEST_COLUMNS, table

CELL_COLUMNS = ["row", "column", "observed", "expected", "structural", "adj_residual"]


def structural_mask(obs: pd.DataFrame, zeros: Iterable[tuple[Any, Any]]) -> np.ndarray:
    """Which cells of ``obs`` are structural zeros, from (row level, column level) pairs
    (levels compared as numbers where both are numbers; pairs not in the table are left
    out: a level nobody chose)."""

    def same(a: Any, b: Any) -> bool:
        try:
            return float(a) == float(b)
        except (TypeError, ValueError):
            return a == b

    mask = np.zeros(obs.shape, dtype=bool)
    for r, c in zeros:
        for i, rv in enumerate(obs.index):
            for j, cv in enumerate(obs.columns):
                if same(rv, r) and same(cv, c):
                    mask[i, j] = True
    return mask


def quasi_independence_table(observed: np.ndarray | pd.DataFrame,
                             structural: np.ndarray) -> tuple[pd.DataFrame, np.ndarray,
                                                             np.ndarray]:
    """Quasi-independence tests of a table whose ``structural`` cells are zero by design.

    Returns
    -------
    tests : DataFrame
        ``test, statistic, df, p, n, method, note``: Pearson χ² and likelihood ratio (G²).
    expected : array
        The fitted counts (NaN in structural cells).
    adj_residual : array
        Standardized Pearson residuals (Pearson residual / √(1 − leverage)), NaN in
        structural cells.

    Raises
    ------
    ValueError
        When a structural cell holds answers (it is not zero by design after all).

    References
    ----------
    Goodman, L. A. (1968). The analysis of cross-classified data: independence,
        quasi-independence, and interactions in contingency tables with or without missing
        entries. JASA, 63, 1091-1131.
    Agresti, A. (2013). Categorical data analysis (3rd ed.). Wiley. Section 11.3.
    """
    from . import _sm as sm

    o = np.asarray(observed, dtype=float)
    structural = np.asarray(structural, dtype=bool)
    if (o[structural] != 0).any():
        raise ValueError(f"{int((o[structural] != 0).sum())} cell(s) declared structural "
                         "zeros hold answers")
    n = int(o.sum())
    r, c = o.shape
    live = ~structural & (o.sum(axis=1, keepdims=True) > 0) & (o.sum(axis=0, keepdims=True) > 0)
    rows, cols = np.nonzero(live)
    design = [np.ones(len(rows))]
    design += [(rows == i).astype(float) for i in range(1, r)]
    design += [(cols == j).astype(float) for j in range(1, c)]
    x = np.column_stack(design)
    x = x[:, x.any(axis=0)]  # a row or column with no live cell has no parameter
    rank = np.linalg.matrix_rank(x)
    df = len(rows) - rank
    expected = np.full(o.shape, np.nan)
    adj = np.full(o.shape, np.nan)
    method = "quasi-independence (structural zeros excluded), Poisson log-linear model"
    if df < 1:
        tests = frame([{"test": "Pearson chi-square", "n": n, "method": method,
                        "note": "no degrees of freedom left once the structural zeros are "
                                "excluded: no test"}], TEST_COLUMNS)
        return tests, expected, adj
    y = o[rows, cols]
    fit = sm.GLM(y, x, family=sm.families.Poisson()).fit(tol=1e-12, rtol=1e-12, maxiter=200)
    mu = fit.mu
    pearson = float(((y - mu) ** 2 / mu).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = float(2 * np.where(y > 0, y * np.log(y / mu), 0.0).sum())
    hat = fit.get_hat_matrix_diag()
    expected[rows, cols] = mu
    adj[rows, cols] = (y - mu) / np.sqrt(mu * (1 - hat))
    k = int(structural.sum())
    e_live = mu
    # the fit gives a count of exactly 5 to a few units in the last place, either side:
    # below 5 by more than that
    below = int((e_live < 5 - 1e-9).sum())
    note = (f"{k} structural zero cell(s) excluded; {below} of {len(e_live)} cells "
            f"({100 * below / len(e_live):.1f}%) have expected count less than 5")
    if not fit.converged:
        note += "; the model did not converge in 200 iterations: the test is approximate"
    tests = frame([
        {"test": "Pearson chi-square", "statistic": pearson, "df": df,
         "p": stats.chi2.sf(pearson, df), "n": n, "method": method, "note": note},
        {"test": "Likelihood ratio", "statistic": g2, "df": df, "p": stats.chi2.sf(g2, df),
         "n": n, "method": method.replace("Poisson", "G2 of the Poisson"), "note": ""},
    ], TEST_COLUMNS)
    tests.attrs.update(structural_cells=k, cells_below_5=below,
                       pct_below_5=100 * below / len(e_live), min_expected=float(e_live.min()))
    return tests, expected, adj


def quasi_independence(data: pd.DataFrame, x: str, y: str,
                       zeros: Iterable[tuple[Any, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Crosstab of ``x`` by ``y`` tested for quasi-independence, the cells listed in
    ``zeros`` ((row level, column level) pairs) being zero by design.

    Returns
    -------
    tests : DataFrame
        As :func:`quasi_independence_table`.
    cells : DataFrame
        ``row, column, observed, expected, structural, adj_residual`` per cell.
    """
    obs = table(data, x, y)
    mask = structural_mask(obs, zeros)
    tests, expected, adj = quasi_independence_table(obs, mask)
    o = obs.to_numpy()
    cells = [{"row": rv, "column": cv, "observed": int(o[i, j]), "expected": expected[i, j],
              "structural": bool(mask[i, j]), "adj_residual": adj[i, j]}
             for i, rv in enumerate(obs.index) for j, cv in enumerate(obs.columns)]
    return tests, pd.DataFrame(cells, columns=CELL_COLUMNS)
