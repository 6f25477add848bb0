"""Which test a crosstab gets, decided by its data and its design, not by habit.

- Structural zeros (cells empty by design) → quasi-independence instead of χ², no Cramér's V.
- Both variables ordered → the linear-by-linear (trend) test; otherwise it is left out.
- A sparse table (Cochran: more than 20 % of expected counts below 5, or any below 1) →
  Fisher's exact test (Fisher-Freeman-Halton beyond 2 × 2) is the result to read.

Each function returns the tests as tidy rows with a ``primary`` flag on the row to read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._util import frame
from .contingency import TEST_COLUMNS, chi2_tests, expected_note, table
from .exact import EXACT_COLUMNS, N_RESAMPLES, SEED, fisher_freeman_halton
from .structural import quasi_independence

SELECTED_COLUMNS = [*TEST_COLUMNS, "primary", "p_conf_low", "p_conf_high", "n_resamples",
                    "seed"]
LINEAR_BY_LINEAR = "Linear-by-linear association"


def sparse(observed: np.ndarray) -> bool:
    """Cochran's rule broken: more than 20 % of the expected counts below 5, or any below 1
    (Cochran, 1954)."""
    o = np.asarray(observed, dtype=float)
    o = o[o.sum(axis=1) > 0][:, o.sum(axis=0) > 0]
    if min(o.shape) < 2:
        return False
    _, pct, emin, _ = expected_note(o)
    return pct > 20 or emin < 1


def crosstab_tests(data: pd.DataFrame, x: str, y: str, *, ordered: bool = False,
                   structural_zeros: Iterable[tuple[Any, Any]] = (),
                   exact: Literal["auto", "always", "never"] = "auto",
                   n_resamples: int = N_RESAMPLES, seed: int = SEED,
                   conf: float = 0.95) -> pd.DataFrame:
    """The tests that fit a crosstab of ``x`` (rows) by ``y`` (columns).

    Parameters
    ----------
    ordered : bool
        Both variables have ordered categories (Likert items, or declared ordered): only
        then is the linear-by-linear association reported.
    structural_zeros : iterable of (row level, column level)
        Cells that are zero by design; the table is then tested for quasi-independence
        (:func:`cipsurvey.stats.structural.quasi_independence`).
    exact : "auto", "always" or "never"
        Fisher's exact test when the table is sparse (auto), always, or never. Beyond 2 × 2
        it is the Fisher-Freeman-Halton test, exact where feasible and otherwise Monte
        Carlo (``n_resamples`` tables, ``seed``) with the p value's own CI.

    Returns
    -------
    DataFrame
        ``test, statistic, df, p, n, method, note, primary, p_conf_low, p_conf_high,
        n_resamples, seed``; ``primary`` marks the one result to read (and to adjust for
        multiplicity). ``attrs["structural"]`` tells whether structural zeros were excluded.

    References
    ----------
    Cochran, W. G. (1954). Some methods for strengthening the common χ² tests. Biometrics,
        10, 417-451.
    Agresti, A. (2013). Categorical data analysis (3rd ed.). Wiley. Sections 3.4-3.5, 11.3.
    """
    zeros = list(structural_zeros)
    obs = table(data, x, y)
    o = obs.to_numpy()
    if zeros:
        tests, _ = quasi_independence(data, x, y, zeros)
        tests = tests.copy()
        tests["primary"] = [True] + [False] * (len(tests) - 1)
        if tests.attrs.get("pct_below_5", 0) > 20:
            tests.loc[0, "note"] = (tests.loc[0, "note"] + "; no exact test under "
                                    "quasi-independence: the p value is approximate")
        out = frame(tests.to_dict("records"), SELECTED_COLUMNS)
        out.attrs["structural"] = True
        return out
    tests = chi2_tests(data, x, y)
    rows = tests.to_dict("records")
    if not ordered:
        rows = [r for r in rows if r["test"] != LINEAR_BY_LINEAR]
    primary = 0  # Pearson's chi-square, unless the table is sparse
    use_exact = exact == "always" or (exact == "auto" and sparse(o))
    if use_exact and min(o.shape) >= 2:
        reason = "the table is sparse: the exact test is the one to read"
        if o.shape == (2, 2):
            for i, r in enumerate(rows):
                if r["test"] == "Fisher's exact test":
                    primary = i
                    r["note"] = reason
        else:
            ffh = fisher_freeman_halton(o, n_resamples=n_resamples, seed=seed, conf=conf)
            row = ffh.iloc[0].to_dict()
            row["note"] = "; ".join(s for s in (reason, row["note"]) if s)
            rows.append({k: row.get(k) for k in EXACT_COLUMNS})
            primary = len(rows) - 1
    for i, r in enumerate(rows):
        r["primary"] = i == primary
    out = frame(rows, SELECTED_COLUMNS)
    out["primary"] = out["primary"].astype(bool)
    out.attrs["structural"] = False
    return out
