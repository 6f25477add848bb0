"""Secondary suppression: for each hidden number the audit could narrow, hide one more.

The choice is greedy and local, as τ-ARGUS's hypercube method is: a hidden count gets a
partner in its own row or column (the smallest count there that is still shown, so that
as little as possible is lost), a total that can be narrowed gets a second hidden total
beside it (with the partner cells that make it uncertain), and a value of a distribution
that can be narrowed gets the shown value nearest to it hidden as well (which hides the
tail of a skewed count from the outside in). A number that is still narrowed after
``STRIKES`` rounds has its whole table withheld.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd

from ...analysis import tables as T
from .apply import GROUP_TABLES, Decisions, kind_of
from .audit import Finding
from .universe import form_key

STRIKES = 4


class Widener:
    """Chooses what else to hide, from the audit's failures."""

    def __init__(self, originals: dict, model: Any) -> None:
        self.originals = originals
        self.model = model
        self.strikes: Counter = Counter()

    def widen(self, failures: list[Finding], dec: Decisions) -> bool:
        """Add to ``dec`` for each failure; True if anything changed."""
        changed = False
        for f in failures:
            t = f.target
            self.strikes[t.key] += 1
            if self.strikes[t.key] > STRIKES or t.result not in self.originals \
                    or t.table not in self.originals[t.result].tables:
                changed |= self._withhold(t.result, t.table, dec)
                continue
            frame = self.originals[t.result].tables[t.table]
            done = self._margin(t, frame, dec) if t.kind == "margin" \
                else self._cell(t, frame, dec)
            changed |= done or self._withhold(t.result, t.table, dec)
        return changed

    def _withhold(self, rid: str, table: str, dec: Decisions) -> bool:
        if (rid, table) in dec.withheld:
            return False
        dec.withheld.add((rid, table))
        return True

    def _hide(self, loc: tuple, dec: Decisions) -> bool:
        form = self.model.forms.get(loc)
        if form is None or form_key(form) in dec.hidden:
            return False
        dec.hidden.add(form_key(form))
        return True

    def _shown(self, rid: str, table: str, rows: pd.Index, dec: Decisions) -> list:
        return [idx for idx in rows if (rid, table, idx) in self.model.forms
                and form_key(self.model.forms[(rid, table, idx)]) not in dec.hidden]

    def _smallest(self, rid: str, table: str, rows: list, near: float | None = None,
                  frame: pd.DataFrame | None = None) -> Any:
        def order(idx: Any) -> tuple:
            v = self.model.value(self.model.forms[(rid, table, idx)])
            if near is not None and frame is not None:
                x = float(frame.at[idx, "value"])
                return (abs(x - near), -x)
            return (v == 0, v)

        return min(rows, key=order) if rows else None

    # ------------------------------------------------------------------ cells

    def _cell(self, t: Any, frame: pd.DataFrame, dec: Decisions) -> bool:
        kind = kind_of(t.table, frame)
        rid, table = t.result, t.table
        if t.kind == "value":
            var, group, value = t.coords
            rows = frame.index[(frame["variable"] == var) & (frame["group"] == group)]
            pick = self._smallest(rid, table, self._shown(rid, table, rows, dec), value, frame)
            if pick is None:
                universe = self.model.universe_of(t.form)
                if universe in dec.no_moments:
                    return False
                dec.no_moments.add(universe)
                return True
            return self._hide((rid, table, pick), dec)
        row = frame.loc[t.row]
        if kind == T.CELLS:
            same = frame.index[(frame["row"] == row["row"]) | (frame["column"] == row["column"])]
        elif kind == "options":
            same = frame.index[(frame["group"] == row["group"]) | (frame["option"]
                                                                   == row["option"])] \
                if "group" in frame else frame.index
        else:
            key = "item" if "item" in frame else "variable"
            same = frame.index[frame[key] == row[key]]
            if "group" in frame:
                same = same[frame.loc[same, "group"] == row["group"]]
        pick = self._smallest(rid, table, self._shown(rid, table, same.drop(t.row,
                                                                            errors="ignore"),
                                                      dec))
        if pick is None and kind == T.CELLS:
            return self._margin_of_row(t, frame, row, dec)
        return pick is not None and self._hide((rid, table, pick), dec)

    # ------------------------------------------------------------------ totals

    def _margin(self, t: Any, frame: pd.DataFrame, dec: Decisions) -> bool:
        rid, table = t.result, t.table
        if table in GROUP_TABLES:
            rows = frame.index
            if "variable" in frame:
                rows = rows[frame["variable"] == frame.at[t.row, "variable"]]
            total = [i for i in rows if str(frame.at[i, "group"]) == "Total"] \
                if "group" in frame else []
            if total and self._hide((rid, table, total[0]), dec):
                return True
            others = [i for i in rows if i != t.row and (rid, table, i) in self.model.forms
                      and form_key(self.model.forms[(rid, table, i)]) not in dec.hidden]
            pick = min(others, key=lambda i: self.model.value(self.model.forms[(rid, table, i)]),
                       default=None)
            return pick is not None and self._hide((rid, table, pick), dec)
        kind = kind_of(table, frame)
        if kind == T.CELLS:
            axis, level = t.row
            col = "row" if axis == "row" else "column"
            rows = frame.index[frame[col].astype(float) == level]
            return self._margin_of_row(t, frame, frame.loc[rows[0]], dec, axis)
        if kind == "options" and "group" in frame:
            return self._partner_group(rid, table, frame, "group", t.row[1], "option", dec)
        if kind == "one_way" and "group" in frame and len(frame["group"].unique()) > 1:
            return self._partner_group(rid, table, frame, "group", t.row[1], "level", dec,
                                       var=t.row[0])
        return False

    def _margin_of_row(self, t: Any, frame: pd.DataFrame, row: pd.Series, dec: Decisions,
                       axis: str = "row") -> bool:
        """A crosstab's total narrowed: hide another row's total (the smallest) and its
        cells beside this row's hidden ones."""
        col, other = ("row", "column") if axis == "row" else ("column", "row")
        return self._partner_group(t.result, t.table, frame, col, row[col], other, dec,
                                   axis=axis)

    def _partner_group(self, rid: str, table: str, frame: pd.DataFrame, col: str, level: Any,
                       other: str, dec: Decisions, var: str | None = None,
                       axis: str | None = None) -> bool:
        rows = frame
        if var is not None:
            key = "item" if "item" in frame else "variable"
            rows = frame[frame[key] == var]
        mine = rows[rows[col] == level]
        hidden_at = [rows.at[i, other] for i in mine.index
                     if (rid, table, i) in self.model.forms
                     and form_key(self.model.forms[(rid, table, i)]) in dec.hidden]
        groups = [g for g in dict.fromkeys(rows[col]) if g != level]
        margin_loc = {g: self._margin_loc(rid, table, col, g, var, axis) for g in groups}
        candidates = [g for g in groups if margin_loc[g] is not None
                      and form_key(self.model.forms[margin_loc[g]]) not in dec.hidden]
        if not candidates:
            return False
        pick = min(candidates, key=lambda g: self.model.value(self.model.forms[margin_loc[g]]))
        changed = self._hide(margin_loc[pick], dec)
        partner = rows[rows[col] == pick]
        for i in partner.index:
            if partner.at[i, other] in hidden_at or not hidden_at:
                changed |= self._hide((rid, table, i), dec)
                if not hidden_at:
                    break
        return changed

    def _margin_loc(self, rid: str, table: str, col: str, group: Any, var: str | None,
                    axis: str | None) -> tuple | None:
        if axis is not None:
            loc = (rid, table, (axis, float(group)))
        elif var is not None:
            loc = (rid, table, (var, group))
        else:
            loc = (rid, table, ("group", group))
        return loc if loc in self.model.forms else None
