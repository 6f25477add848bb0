"""A crosstab's tests recomputed on merged categories, so that every cell holds at least K.

Where a crosstab has hidden cells its χ² tests would let a reader fill them in; the same
tests on a coarser table whose every cell reaches K can be published instead (the audit
still checks them: its exhaustive search recomputes them from every filling of the hidden
cells). Categories are merged with a neighbour in code order (the next answer on an ordered
scale), along the variable with more categories, starting from the smallest cell, until
every cell reaches K; a table that would shrink to one row or column gets no test.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ... import stats as st
from ...stats.contingency import table


def merge_groups(obs: pd.DataFrame, k: int) -> tuple[list[list[float]], list[list[float]]] | None:
    """The row and column groups (lists of codes) that bring every cell to K, or None."""
    rows = [[float(c)] for c in obs.index]
    cols = [[float(c)] for c in obs.columns]
    o = obs.to_numpy(dtype=float).copy()
    while o.size and o.min() < k:
        if min(o.shape) < 2:
            return None
        i, j = np.unravel_index(np.argmin(o), o.shape)
        along_rows = o.shape[0] >= o.shape[1]
        if along_rows and o.shape[0] < 3 and o.shape[1] >= 3:
            along_rows = False
        if not along_rows and o.shape[1] < 3 and o.shape[0] >= 3:
            along_rows = True
        groups, axis, at = (rows, 0, i) if along_rows else (cols, 1, j)
        totals = o.sum(axis=1 - axis)
        near = [n for n in (at - 1, at + 1) if 0 <= n < len(groups)]
        other = min(near, key=lambda n: totals[n])
        a, b = sorted((at, other))
        groups[a] = groups[a] + groups[b]
        del groups[b]
        if axis == 0:
            o[a] = o[a] + o[b]
        else:
            o[:, a] = o[:, a] + o[:, b]
        o = np.delete(o, b, axis=axis)
        if min(o.shape) < 2:
            return None
    return rows, cols


def merged_tests(data: pd.DataFrame, x: str, y: str, k: int, conf: float,
                 label: Callable[[str, float], str], note: Callable[[str], str]
                 ) -> tuple[dict[str, pd.DataFrame], dict[str, list[list[float]]]] | None:
    """The χ² tests and association of ``x`` by ``y`` with categories merged until every
    cell holds K; with the merges (code groups) and a note naming them. None if the table
    would shrink to a single row or column."""
    obs = table(data, x, y)
    found = merge_groups(obs, k)
    if found is None:
        return None
    rows, cols = found
    if len(rows) == len(obs.index) and len(cols) == len(obs.columns):
        return None  # nothing to merge: the table had no small cell
    recoded = data[[x, y]].copy()
    for var, groups in ((x, rows), (y, cols)):
        recoded[var] = recoded[var].map({c: min(g) for g in groups for c in g})
    tests = st.chi2_tests(recoded, x, y)
    assoc = st.association(recoded, x, y, conf=conf)
    merges = [" + ".join(label(var, c) for c in g) for var, groups in ((x, rows), (y, cols))
              for g in groups if len(g) > 1]
    text = note("; ".join(merges))
    for frame in (tests, assoc):
        frame["note"] = text
    return {"tests": tests, "association": assoc}, {"rows": rows, "cols": cols}
