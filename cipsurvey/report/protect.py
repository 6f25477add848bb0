"""Disclosure control before rendering: suppress counts that reveal a group smaller than K.

Primary suppression: a count between 1 and K - 1 is blanked, with every percentage and
interval derived from it. Secondary suppression: where one cell of a row (or of a grid item)
was blanked, the next smallest cell of that row is blanked too, so the blank cannot be
recovered from the row total. The statistics of tests are left as they are (they reveal no
cell). The report states that the protection was applied and with which K.
"""

from __future__ import annotations

from .run import Report

COUNT_COLUMNS = ("count", "observed")
DERIVED = ("percent", "proportion", "row_percent", "col_percent", "total_percent", "expected",
           "std_residual", "adj_residual", "conf_low", "conf_high", "pct_of_respondents",
           "pct_of_responses")
ROW_KEYS = {"cells": "row", "frequencies": "group", "grid": "item", "multiple_response": "group",
            "data": "group"}


def suppress(report: Report, k: int) -> int:
    """Blank small cells in place; return how many cells were blanked."""
    if k <= 1:
        return 0
    blanked = 0
    for result in report.results:
        for name, frame in list(result.tables.items()):
            col = next((c for c in COUNT_COLUMNS if c in frame.columns), None)
            if col is None:
                continue
            out = frame.copy()
            counts = out[col].astype(float)
            primary = (counts > 0) & (counts < k)
            mask = primary.copy()
            key = ROW_KEYS.get(name)
            if key in out.columns and primary.any():
                for _, idx in out.groupby(key, sort=False).groups.items():
                    rows = mask.loc[idx]
                    if rows.sum() == 1:  # one blank in a row is recoverable from its total
                        rest = counts.loc[idx][~rows & (counts.loc[idx] > 0)]
                        if len(rest):
                            mask.loc[rest.idxmin()] = True
            if not mask.any():
                continue
            out[col] = out[col].astype(float).mask(mask)
            for d in DERIVED:
                if d in out.columns:
                    out[d] = out[d].astype(float).mask(mask)
            out["suppressed"] = mask.to_numpy()
            blanked += int(mask.sum())
            result.tables[name] = out
            note = (f"Cells under {k} suppressed (and one more where needed against "
                    "recovery from the total)." if report.lang == "en" else
                    f"Celler under {k} dolda (och en till där det behövs mot återräkning "
                    "från summan).")
            if note not in result.notes:
                result.notes.append(note)
    return blanked
