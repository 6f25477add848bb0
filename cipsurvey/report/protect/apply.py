"""Publish a report's results under a set of decisions: which counts and totals are
hidden, which tables are withheld, which statistics are recomputed on merged categories.

Applying is a pure function of the unprotected results and the decisions, so that the
protection can try a decision, audit what it would publish and try again. Each table kind
knows which of its columns reveal a hidden count (its percentages, intervals, expected
counts and residuals) or a hidden total (the percentages over it, the group's whole row),
and every statistic computed from a table with a hidden count is withheld with a note, or
replaced by its recomputation on merged categories.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...analysis import tables as T
from ...analysis.results import Result
from ...lang import text
from . import rules
from .universe import form_key

CELL_COLUMNS = {
    T.CELLS: ["observed", "expected", "row_percent", "col_percent", "total_percent",
              "std_residual", "adj_residual"],
    "one_way": ["count", "proportion", "percent", "conf_low", "conf_high"],
    "options": ["count", "pct_of_respondents", "pct_of_responses", "conf_low", "conf_high"],
    "points": ["count"],
}
MARGIN_COLUMNS = {
    "one_way": ["n", "proportion", "percent", "conf_low", "conf_high"],
    "options": ["n_respondents", "n_responses", "pct_of_respondents", "pct_of_responses",
                "conf_low", "conf_high"],
}
# the columns that name what a row is about (kept when its numbers are withheld)
NAMES = {"variable", "variable_label", "group", "group_label", "group1", "group1_label",
         "group2", "group2_label", "level", "label", "option", "item", "item_label", "test",
         "measure", "source", "term", "term_label", "method", "row", "row_label", "column",
         "column_label", "df", "df1", "df2", "value", "suppressed", "indicator",
         "indicator_label", "kind", "unit", "wave", "trait"}
RANK_TABLES = (T.KRUSKAL, T.MANN_WHITNEY, T.LEVENE)
GROUP_TABLES = (T.DESCRIBE, T.SCORE, T.BOXES)


@dataclass
class Decisions:
    """What the protection has decided so far."""

    k: int
    hidden: set = field(default_factory=set)           # form keys of counts and totals
    withheld: set = field(default_factory=set)         # (result id, table) left out
    no_moments: set = field(default_factory=set)       # universe indices
    merged: dict[str, dict] = field(default_factory=dict)
    merged_tables: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)


def kind_of(name: str, frame: pd.DataFrame) -> str | None:
    """Which kind of count table a frame is (its count column's family), if any."""
    if name == T.CELLS:
        return T.CELLS
    if "pct_of_respondents" in frame.columns:
        return "options"
    if {"level", "count"} <= set(frame.columns):
        return "one_way"
    if {"value", "count"} <= set(frame.columns):
        return "points"
    return None


class Publisher:
    """Applies decisions to a report's unprotected results (kept aside)."""

    def __init__(self, report: Any, originals: dict[str, Result], model: Any) -> None:
        self.report = report
        self.originals = originals
        self.model = model
        self.analyses = {a.id: a for _, a in report.plan.analyses()}
        self.inst = report.survey.instrument
        self.data = report.survey.data
        self._subsets: dict[str | None, pd.DataFrame] = {}
        self.counts: dict[str, int] = {}
        self.k = 0

    def rows(self, subset: str | None) -> pd.DataFrame:
        """The respondents of an analysis' subset (cached)."""
        if subset not in self._subsets:
            self._subsets[subset] = rules.subset_rows(self.data, self.inst, subset)
        return self._subsets[subset]

    def hidden(self, loc: tuple, dec: Decisions) -> bool:
        """Whether the count or total at ``loc`` is hidden under ``dec``."""
        form = self.model.forms.get(loc)
        return form is not None and form_key(form) in dec.hidden

    # ------------------------------------------------------------------

    def apply(self, dec: Decisions) -> None:
        """Replace every result's tables and notes by what the decisions publish."""
        self.counts = {"cells": 0, "statistics": 0, "tables": 0}
        self.k = dec.k
        for r in self.report.results:
            orig = self.originals.get(r.id)
            if orig is None or orig.error:
                continue
            notes: list[str] = list(orig.notes)
            tables: dict[str, pd.DataFrame] = {}
            a = self.analyses.get(r.id)
            for name, frame in orig.tables.items():
                if (r.id, name) in dec.withheld:
                    self.counts["tables"] += 1
                    _note(notes, text("protect.withheld_table", self.report.lang))
                    continue
                tables[name] = self._table(r.id, name, frame, a, dec, notes)
            if a is not None:
                self._statistics(r.id, a, tables, dec, notes)
            r.tables, r.notes = tables, notes

    def _table(self, rid: str, name: str, frame: pd.DataFrame, a: Any, dec: Decisions,
               notes: list[str]) -> pd.DataFrame:
        kind = kind_of(name, frame)
        lang = self.report.lang
        out = frame.copy()
        if kind is not None:
            hide = np.array([self.hidden((rid, name, idx), dec) for idx in frame.index])
            cols = [c for c in CELL_COLUMNS[kind] if c in out.columns]
            if hide.any():
                out.loc[hide, cols] = np.nan
                self.counts["cells"] += int(hide.sum())
            margins = self._margins(rid, name, out, kind, dec)
            if hide.any() or margins:
                out["suppressed"] = hide
                _note(notes, text("protect.hidden", lang, k=dec.k))
                if kind == T.CELLS:
                    for col in ("expected", "std_residual", "adj_residual"):
                        if col in out:
                            out[col] = np.nan
                if kind == "options":  # the responses' total includes the hidden counts
                    groups = out.loc[hide, "group"].unique() if "group" in out else []
                    rows = out["group"].isin(groups) if "group" in out else hide
                    out.loc[rows, ["n_responses", "pct_of_responses"]] = np.nan
            return out
        if name == T.MARGINS:  # a crosstab's totals: hidden with the cells' margins
            hide = np.array([self.hidden((rid, name, idx), dec) for idx in frame.index],
                            dtype=bool)
            if hide.any():
                out.loc[hide, ["n", "percent"]] = np.nan
                _note(notes, text("protect.hidden", lang, k=dec.k))
            return out
        if name in GROUP_TABLES:
            return self._groups(rid, name, out, a, dec, notes)
        return out

    def _margins(self, rid: str, name: str, out: pd.DataFrame, kind: str,
                 dec: Decisions) -> bool:
        """Blank what reveals a hidden total; True if any is hidden."""
        found = False
        for loc, form in self.model.margin_forms(rid, name):
            if form_key(form) not in dec.hidden:
                continue
            found = True
            what = loc[2]
            if kind == T.CELLS:
                axis, level = what
                rows = out["row" if axis == "row" else "column"].astype(float) == level
                pct = "row_percent" if axis == "row" else "col_percent"
                out.loc[rows, [pct, "expected", "std_residual", "adj_residual"]] = np.nan
            elif kind == "options":
                rows = (out["group"] == what[1]) if "group" in out else slice(None)
                out.loc[rows, [c for c in MARGIN_COLUMNS["options"] if c in out]] = np.nan
            elif kind == "one_way":
                var, group = what
                key = "item" if "item" in out else "variable"
                rows = out[key] == var if key in out else pd.Series(True, index=out.index)
                if "group" in out:
                    rows &= out["group"] == group
                out.loc[rows, [c for c in MARGIN_COLUMNS["one_way"] if c in out]] = np.nan
        return found

    def _groups(self, rid: str, name: str, out: pd.DataFrame, a: Any, dec: Decisions,
                notes: list[str]) -> pd.DataFrame:
        """A group's statistics: all hidden with its n; extremes and whiskers that fewer
        than K hold; moments that would reveal hidden values."""
        lang, k = self.report.lang, dec.k
        numbers = _numbers(out)
        by = getattr(a, "by", None) if a is not None else None
        data = self.rows(a.subset) if a is not None else None
        for idx in out.index:
            if self.hidden((rid, name, idx), dec):
                out.loc[idx, numbers] = np.nan
                _note(notes, text("protect.small_groups", lang, k=k))
                self.counts["cells"] += 1
                continue
            var = out.at[idx, "variable"] if "variable" in out else None
            group = out.at[idx, "group"] if "group" in out else "Total"
            if data is None or var is None or var not in data:
                if name == T.SCORE:
                    self._score_extremes(out, idx, a, k, notes)
                continue
            values = rules.group_values(data, var, by, group)
            universe = self.model.universe_index(a.subset, [by, var] if by else [var])
            if universe in dec.no_moments:
                cols = [c for c in ("mean", "sd", "se", "conf_low", "conf_high", "median",
                                    "q1", "q3", "whisker_low", "whisker_high") if c in out]
                out.loc[idx, cols] = np.nan
                _note(notes, text("protect.moments_withheld", lang))
            for col in ("min", "max"):
                if col in out and pd.notna(out.at[idx, col]) and \
                        rules.held_by(values, out.at[idx, col]) < k:
                    out.at[idx, col] = np.nan
                    _note(notes, text("protect.extremes", lang, k=k))
            for col, side in (("whisker_low", -1), ("whisker_high", 1)):
                if col in out and pd.notna(out.at[idx, col]):
                    out.at[idx, col] = rules.protected_whisker(
                        values, float(out.at[idx, "q1"]), float(out.at[idx, "q3"]), side, k)
                    _note(notes, text("protect.whiskers", lang, k=k))
        return out

    def _score_extremes(self, out: pd.DataFrame, idx: Any, a: Any, k: int,
                        notes: list[str]) -> None:
        from ... import stats as st

        group = self.inst.group_map[a.group]
        scores = st.scale_scores(self.data, group.items, min_items=group.min_items,
                                 reverse=group.reverse).dropna().to_numpy()
        for col in ("min", "max"):
            if col in out and pd.notna(out.at[idx, col]) and \
                    rules.held_by(scores, out.at[idx, col]) < k:
                out.at[idx, col] = np.nan
                _note(notes, text("protect.extremes", self.report.lang, k=k))

    # ------------------------------------------------------------------ statistics

    def _statistics(self, rid: str, a: Any, tables: dict[str, pd.DataFrame], dec: Decisions,
                    notes: list[str]) -> None:
        lang, k = self.report.lang, dec.k
        tests_note = text("protect.withheld_tests", lang, k=k)
        result_note = text("protect.withheld_result", lang, k=k)
        if a.kind == "crosstab" and T.CELLS in tables:
            cells = tables[T.CELLS]
            if "suppressed" in cells:
                if rid in dec.merged_tables:
                    tables.update({n: f.copy() for n, f in dec.merged_tables[rid].items()})
                else:
                    for name in (T.TESTS, T.ASSOCIATION):
                        if name in tables:
                            tables[name] = self._withhold(tables[name], tests_note)
            elif T.CELLS not in tables:
                for name in (T.TESTS, T.ASSOCIATION):
                    tables.pop(name, None)
        if a.kind == "multiple_response" and T.TESTS in tables:
            mr = tables.get(T.MULTIPLE_RESPONSE)
            tests = tables[T.TESTS].copy()
            if mr is None:
                tables.pop(T.TESTS)
            elif "suppressed" in mr:
                touched = set(mr.loc[mr["suppressed"], "option"]) if mr["suppressed"].any() \
                    else set()
                margins = mr["n_respondents"].isna().any()
                rows = tests["option"].isin(touched) | margins
                tables[T.TESTS] = self._withhold(tests, tests_note, rows)
        if a.kind in ("ttest", "anova"):
            self._group_tests(rid, a, tables, dec, notes)
        if a.kind == "regression":
            data = self.rows(a.subset)
            if rules.model_too_small(data, a, self.inst, k):
                for name in list(tables):
                    tables[name] = self._withhold(tables[name], result_note)
                _note(notes, result_note)
        if a.kind == "scale" and T.ALPHA in tables:
            n = tables[T.ALPHA]["n"].dropna()
            if len(n) and (n < k).any():
                for name in (T.ALPHA, T.ITEMS):
                    if name in tables:
                        tables[name] = self._withhold(tables[name], result_note)

    def _group_tests(self, rid: str, a: Any, tables: dict[str, pd.DataFrame], dec: Decisions,
                     notes: list[str]) -> None:
        """Tests between groups: none for a group smaller than K; none that rest on ranks
        or deviations where the variable's distribution has hidden values; none at all for
        an answer code whose counts are hidden somewhere in the report."""
        lang, k = self.report.lang, dec.k
        data = self.rows(a.subset)
        levels = [float(x) for x in getattr(a, "levels", [])] or None
        for var in a.variables:
            rows = data[data[var].notna() & data[a.by].notna()]
            if levels:
                rows = rows[rows[a.by].isin(levels)]
            sizes = rows[a.by].value_counts()
            small = bool(((sizes > 0) & (sizes < k)).any())
            universe = self.model.universe_index(a.subset, [a.by, var])
            hidden_values = universe in self.model.hidden_universes(dec)
            coded = bool(self._choices(var))
            for name in list(tables):
                frame = tables[name]
                sel = frame["variable"] == var if "variable" in frame else \
                    pd.Series(True, index=frame.index)
                if small or (hidden_values and (coded or name in RANK_TABLES)):
                    note = text("protect.withheld_result" if small or coded
                                else "protect.rank_tests", lang, k=k)
                    tables[name] = self._withhold(frame, note, sel)
                    _note(notes, note)

    def _choices(self, var: str) -> list:
        source = self.inst.item_map.get(var) or self.inst.derived_map.get(var)
        return list(source.choices) if source is not None else []

    def _withhold(self, frame: pd.DataFrame, note: str, rows: Any = None) -> pd.DataFrame:
        """The frame with the numbers of ``rows`` (all) blanked and a note saying why."""
        out = frame.copy()
        sel = pd.Series(True, index=out.index) if rows is None else rows
        if not bool(np.asarray(sel).any()):
            return out
        numbers = _numbers(out)
        out.loc[sel, numbers] = np.nan
        if "note" in out:
            out.loc[sel, "note"] = note
        self.counts["statistics"] += int(np.asarray(sel).sum())
        return out


def _numbers(frame: pd.DataFrame) -> list[str]:
    """The columns of numbers a withheld row loses (flags and names stay)."""
    return [c for c in frame.columns if c not in NAMES and c != "note"
            and pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_bool_dtype(frame[c])]


def _note(notes: list[str], note: str) -> None:
    if note not in notes:
        notes.append(note)
