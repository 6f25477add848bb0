"""Crosstabs: cells with expected counts and residuals, the χ² family, Cramér's V.

The statistics are the libraries': scipy's ``chi2_contingency``, ``fisher_exact`` and
``contingency.association``, statsmodels' ``Table`` (expected counts, Pearson and adjusted
residuals, the linear-by-linear test). Written here:

- the counting of the table (:func:`table`): a ``bincount`` of level positions, or of the
  codes' offsets (``_discrete.joint_counts``), where ``pandas.crosstab`` groups through a
  pivot table (tested against it on the demo wave and tests/reference data; measured with
  ``benchmarks/fast_paths.py``);
- the signed phi of a 2×2 table (SPSS's sign; scipy's association gives |phi|) and the
  interval of Cramér's V (the noncentral χ² inverted, ``effect_ci``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import contingency

from . import _discrete
from ._util import frame, levels, listwise, memo
from .effect_ci import ncp_chi2

TEST_COLUMNS = ["test", "statistic", "df", "p", "n", "method", "note"]
CELL_COLUMNS = ["row", "column", "observed", "expected", "row_percent", "col_percent",
                "total_percent", "std_residual", "adj_residual"]


def table(data: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Observed counts, rows = levels of ``x``, columns = levels of ``y`` (listwise)."""
    return memo(data, ("table", x, y), lambda: _table(data, x, y)).copy()


def _table(data: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    if x not in data.columns or y not in data.columns:
        raise KeyError(f"no column {(x if x not in data.columns else y)!r} in the data")
    fast = _discrete.joint_counts(data[x].to_numpy(), data[y].to_numpy())
    if fast is not None:  # codes and counts: one bincount of the combined offsets
        rows, cols, counts = fast
        return pd.DataFrame(counts, index=pd.Index(rows.tolist(), name=x),
                            columns=pd.Index(cols.tolist(), name=y))
    clean = listwise(data, [x, y])
    rows, cols = levels(clean[x]), levels(clean[y])
    # counted with bincount on the level positions: pandas.crosstab groups through a pivot
    # table, a hundred times slower on a million rows
    r = pd.Index(rows).get_indexer(clean[x])
    c = pd.Index(cols).get_indexer(clean[y])
    counts = np.bincount(r * len(cols) + c, minlength=len(rows) * len(cols))
    return pd.DataFrame(counts.reshape(len(rows), len(cols)), index=pd.Index(rows, name=x),
                        columns=pd.Index(cols, name=y))


def crosstab_cells(data: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Every cell: observed, expected, row/column/total percent, standardized residuals.

    Returns
    -------
    DataFrame
        ``row, column, observed, expected, row_percent, col_percent, total_percent,
        std_residual, adj_residual``. The standardized residual is (O - E)/√E; the adjusted
        residual divides by √(E (1 - row share)(1 - column share)) (Haberman, 1973), as
        SPSS's CROSSTABS /CELLS=SRESID ASRESID.

    References
    ----------
    Haberman, S. J. (1973). The analysis of residuals in cross-classified tables. Biometrics,
        29, 205-220.
    """
    from statsmodels.stats.contingency_tables import Table

    obs = table(data, x, y)
    o = obs.to_numpy(dtype=float)
    n = o.sum()
    rs, cs = o.sum(axis=1), o.sum(axis=0)
    if n:
        cells = Table(o, shift_zeros=False)
        e, std, adj = cells.fittedvalues, cells.resid_pearson, cells.standardized_resids
    else:
        e = std = adj = np.full_like(o, np.nan)
    rows = []
    for i, r in enumerate(obs.index):
        for j, c in enumerate(obs.columns):
            rows.append({"row": r, "column": c, "observed": int(o[i, j]), "expected": e[i, j],
                         "row_percent": 100 * o[i, j] / rs[i] if rs[i] else np.nan,
                         "col_percent": 100 * o[i, j] / cs[j] if cs[j] else np.nan,
                         "total_percent": 100 * o[i, j] / n if n else np.nan,
                         "std_residual": std[i, j], "adj_residual": adj[i, j]})
    return pd.DataFrame(rows, columns=CELL_COLUMNS)


def expected_note(observed: np.ndarray) -> tuple[int, float, float, str]:
    """SPSS's footnote: cells with expected count < 5, their percent, the minimum."""
    n = observed.sum()
    e = observed.sum(axis=1, keepdims=True) @ observed.sum(axis=0, keepdims=True) / n
    below = int((e < 5).sum())
    pct = 100 * below / e.size
    note = (f"{below} cells ({pct:.1f}%) have expected count less than 5. "
            f"The minimum expected count is {e.min():.2f}.")
    return below, pct, float(e.min()), note


def chi2_tests(data: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """The χ² tests of a crosstab, as SPSS's CROSSTABS /STATISTICS=CHISQ prints them.

    Rows: Pearson chi-square (uncorrected, SPSS's first row), continuity correction (Yates;
    2×2 only), likelihood ratio (G²), Fisher's exact test (2×2 only; two-sided, and one-sided
    in the direction observed), linear-by-linear association ((N - 1) r², with the category
    codes as scores).

    Returns
    -------
    DataFrame
        ``test, statistic, df, p, n, method, note``; the Pearson row's note is SPSS's
        expected-count footnote. ``attrs`` holds ``cells_below_5``, ``pct_below_5`` and
        ``min_expected``.

    Notes
    -----
    scipy's ``chi2_contingency`` applies Yates's correction to 2×2 tables unless told not to;
    here the uncorrected statistic is the Pearson row, the corrected one is its own row.

    References
    ----------
    Agresti, A. (2013). Categorical data analysis (3rd ed.). Wiley. Sections 3.1-3.5.
    """
    obs = table(data, x, y)
    o = obs.to_numpy(dtype=float)
    n = int(o.sum())
    if o.shape[0] < 2 or o.shape[1] < 2:
        out = frame([{"test": "Pearson chi-square", "statistic": np.nan, "df": np.nan,
                      "p": np.nan, "n": n, "method": "Pearson chi-square, no continuity correction",
                      "note": "a single category: no test"}], TEST_COLUMNS)
        return out
    below, pct, emin, note = expected_note(o)
    chi2, p, dof, _ = stats.chi2_contingency(o, correction=False)
    rows = [{"test": "Pearson chi-square", "statistic": chi2, "df": dof, "p": p, "n": n,
             "method": "Pearson chi-square, no continuity correction", "note": note}]
    if o.shape == (2, 2):
        c2, cp, _, _ = stats.chi2_contingency(o, correction=True)
        rows.append({"test": "Continuity correction", "statistic": c2, "df": 1, "p": cp, "n": n,
                     "method": "Yates's continuity correction (2x2 only)", "note": ""})
    g2, gp, gdof, _ = stats.chi2_contingency(o, correction=False, lambda_="log-likelihood")
    rows.append({"test": "Likelihood ratio", "statistic": g2, "df": gdof, "p": gp, "n": n,
                 "method": "likelihood-ratio chi-square (G2)", "note": ""})
    if o.shape == (2, 2):
        _, fp = stats.fisher_exact(o, alternative="two-sided")
        a, b, c, d = o.ravel()
        side = "greater" if a * d - b * c >= 0 else "less"
        _, fp1 = stats.fisher_exact(o, alternative=side)
        rows.append({"test": "Fisher's exact test", "statistic": np.nan, "df": np.nan, "p": fp,
                     "n": n, "method": "Fisher's exact test, two-sided", "note": ""})
        rows.append({"test": "Fisher's exact test (one-sided)", "statistic": np.nan,
                     "df": np.nan, "p": fp1, "n": n,
                     "method": f"Fisher's exact test, one-sided ({side})", "note": ""})
    scores = _scores(obs)
    if scores is not None:
        from statsmodels.stats.contingency_tables import Table

        lin = Table(o, shift_zeros=False).test_ordinal_association(*scores)
        m2 = float(lin.zscore) ** 2
        if np.isfinite(m2):
            rows.append({"test": "Linear-by-linear association", "statistic": m2, "df": 1,
                         "p": float(lin.pvalue), "n": n,
                         "method": "Mantel-Haenszel linear-by-linear, codes as scores",
                         "note": "meaningful for ordered categories only"})
    out = frame(rows, TEST_COLUMNS)
    out.attrs.update(cells_below_5=below, pct_below_5=pct, min_expected=emin)
    return out


def _scores(obs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """The row and column codes of a table as scores; None when the levels are not numbers
    (text answers have no order to test)."""
    try:
        return np.asarray(obs.index, dtype=float), np.asarray(obs.columns, dtype=float)
    except (TypeError, ValueError):
        return None


def association(data: pd.DataFrame, x: str, y: str, conf: float = 0.95) -> pd.DataFrame:
    """Phi (2×2, signed as SPSS prints it; 2×k and k×2, √(χ²/N)) and Cramér's V from the
    uncorrected χ², with CIs.

    Returns
    -------
    DataFrame
        ``measure, estimate, conf_low, conf_high, p, n, method, note``.

    Notes
    -----
    V = √(χ² / (N (min(r, c) - 1))). Its CI converts the limits of the χ² noncentrality
    parameter λ (Smithson, 2003) as √(λ / (N (min(r, c) - 1))).

    References
    ----------
    Cramér, H. (1946). Mathematical methods of statistics. Princeton University Press.
    Smithson, M. (2003). Confidence intervals. Sage.
    """
    obs = table(data, x, y)
    o = obs.to_numpy(dtype=float)
    n = int(o.sum())
    cols = ["measure", "estimate", "conf_low", "conf_high", "p", "n", "method", "note"]
    if min(o.shape) < 2 or n == 0:
        return frame([{"measure": "Cramer's V", "n": n,
                       "note": "a single category: no association"}], cols)
    chi2, p, dof, _ = stats.chi2_contingency(o, correction=False)
    k = min(o.shape) - 1
    v = float(contingency.association(obs.to_numpy(), method="cramer", correction=False))
    lo, hi = ncp_chi2(chi2, dof, conf)
    rows = []
    if o.shape == (2, 2):
        a, b, c, d = o.ravel()
        denom = math.sqrt((a + b) * (c + d) * (a + c) * (b + d))
        phi = (a * d - b * c) / denom if denom else np.nan
        rows.append({"measure": "Phi", "estimate": phi, "p": p, "n": n,
                     "method": "phi coefficient (signed)", "note": ""})
    elif min(o.shape) == 2:  # 2 × k: φ = √(χ²/N), which here equals V, with V's CI
        rows.append({"measure": "Phi", "estimate": math.sqrt(chi2 / n),
                     "conf_low": min(1.0, math.sqrt(lo / n)),
                     "conf_high": min(1.0, math.sqrt(hi / n)), "p": p, "n": n,
                     "method": "phi coefficient, sqrt(chi-square / N)", "note": ""})
    rows.append({"measure": "Cramer's V", "estimate": v,
                 "conf_low": min(1.0, math.sqrt(lo / (n * k))),
                 "conf_high": min(1.0, math.sqrt(hi / (n * k))), "p": p, "n": n,
                 "method": "Cramer's V; CI by noncentral chi-square inversion", "note": ""})
    return frame(rows, cols)
