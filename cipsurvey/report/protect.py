"""Disclosure control before rendering: suppress counts that reveal a group smaller than K.

Primary suppression: a count between 1 and K - 1 is blanked, with every percentage and
interval derived from it, and so is every statistic of a group with fewer than K members (a
mean of two people describes those two). Secondary suppression: where a row or a column holds
a single blank, its smallest other cell is blanked too (a nonzero one if there is one),
repeatedly until no blank can be recovered from a row or column total. The statistics of
tests are left as they are (they reveal no cell). The report states that the protection was
applied and with which K.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analysis import tables as T
from ..analysis.results import Report, Result
from ..lang import text

COUNT_COLUMNS = ("count", "observed")
DERIVED = ("percent", "proportion", "row_percent", "col_percent", "total_percent", "expected",
           "std_residual", "adj_residual", "conf_low", "conf_high", "pct_of_respondents",
           "pct_of_responses")
# the two keys of each tabulation: cells recoverable from a row's or a column's total
KEYS = {T.CELLS: ("row", "column"), T.FREQUENCIES: ("group", "level"), T.GRID: ("item", "level"),
        T.MULTIPLE_RESPONSE: ("group", "option"), T.LIKERT: ("item", "level"),
        # figure data: options by group (multiple response), or how many gave each value of a
        # variable in a group, whose total is the n printed with the boxes
        T.DATA: ("group", "option", ("variable", "group"), "item", "level")}
# a whole group's statistics
SMALL_GROUP = (T.DESCRIBE, T.SCORE, T.BY_GROUP, T.COHORTS, T.BOXES, T.LIKERT_SUMMARY,
               T.RANKS)


def suppress(report: Report, k: int) -> int:
    """Blank small cells in place; return how many cells were blanked."""
    return sum(suppress_result(result, k, report.lang) for result in report.results)


def suppress_result(result: Result, k: int, lang: str) -> int:
    """Blank the small cells of one result in place; return how many were blanked."""
    if k <= 1:
        return 0
    blanked = 0
    for name, frame in list(result.tables.items()):
        if name in SMALL_GROUP and "n" in frame.columns:
            out, mask = _small_groups(frame, k)
        else:
            col = next((c for c in COUNT_COLUMNS if c in frame.columns), None)
            if col is None:
                continue
            out, mask = _small_cells(frame, col, k, KEYS.get(name, ()))
        if not mask.any():
            continue
        out["suppressed"] = mask.to_numpy()
        blanked += int(mask.sum())
        result.tables[name] = out
        note = text("table.suppressed", lang, k=k)
        if note not in result.notes:
            result.notes.append(note)
    return blanked


def _small_cells(frame: pd.DataFrame, col: str, k: int, keys: tuple[Any, ...]):
    out = frame.copy()
    counts = out[col].astype(float)
    mask = (counts > 0) & (counts < k)
    if "layer" in out.columns:  # a layered crosstab: each layer's rows and columns add up
        keys = tuple(("layer", key) if isinstance(key, str) else ("layer", *key)
                     for key in keys)
    keys = tuple(key for key in keys
                 if set([key] if isinstance(key, str) else key) <= set(out.columns))
    changed = bool(mask.any())
    while changed:  # a lone blank in a row or column is recoverable from its total
        changed = False
        for key in keys:
            by = key if isinstance(key, str) else list(key)
            for _, idx in out.groupby(by, sort=False).groups.items():
                rows = mask.loc[idx]
                others = counts.loc[idx][~rows]
                rest = others[others > 0] if (others > 0).any() else others  # zeros too
                if rows.sum() == 1 and len(rest):
                    mask.loc[rest.idxmin()] = True
                    changed = True
    out[col] = counts.mask(mask)
    for d in DERIVED:
        if d in out.columns:
            out[d] = out[d].astype(float).mask(mask)
    return out, mask


def _small_groups(frame: pd.DataFrame, k: int):
    """Statistics of a group smaller than K describe its few members: blank them all."""
    out = frame.copy()
    n = out["n"].astype(float)
    mask = (n > 0) & (n < k)
    for col in out.select_dtypes("number").columns:
        if col not in ("n", "group"):
            out[col] = out[col].astype(float).mask(mask)
    out["n"] = n.mask(mask)
    return out, mask
