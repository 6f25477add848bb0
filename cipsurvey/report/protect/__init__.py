"""Disclosure control: one pass over a report's results before anything is rendered.

``protect(report, k)`` replaces the results' tables and notes by what may be published at
threshold K, so that every renderer (tables, figures, alt text, JSON, Excel, Word) draws
from the same protected numbers:

1. *primary suppression* (``apply``, ``rules``): every count and total between 1 and K − 1,
   every statistic of a group smaller than K, every smallest or largest value (and whisker
   end) that fewer than K hold;
2. *statistics of hidden tables* (``apply``, ``merge``): the tests, effect sizes, expected
   counts and footnotes of a table with a hidden count are withheld with a note, or
   recomputed on categories merged until every cell reaches K; rank-based tests of a count
   whose distribution has hidden values are withheld; models and scales that describe a
   group smaller than K are withheld;
3. *the audit and secondary suppression* (``reading``, ``audit``, ``secondary``): the
   attacker reads what would be published and bounds every hidden number by linear
   programming and exhaustive search; each number it narrows to fewer than K values gets a
   partner hidden, and the audit runs again, until it holds (a table whose numbers cannot
   be protected is withheld).

The attacker reads the published results only (``view``), never the data; the protection
gives it the true counts as a first feasible point, which also checks that it reads every
number correctly. docs/disclosure-control.md states the rules and what K does not protect.
"""

from __future__ import annotations

import copy
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...analysis import tables as T
from ...analysis.results import Result
from ...lang import text
from . import merge
from .apply import Decisions, Publisher
from .audit import Audit, audit
from .reading import Reader, read
from .secondary import Widener
from .truth import true_cells
from .universe import Form
from .view import View

ROUNDS = 30

__all__ = ["Protection", "audit_json", "protect", "record_of"]


@dataclass
class Protection:
    """What the protection did to a report, and the audit of the result."""

    k: int
    cells: int = 0
    statistics: int = 0
    tables: int = 0
    rounds: int = 0
    merged: dict[str, dict] = field(default_factory=dict)
    audit: Audit | None = None

    @property
    def held(self) -> bool:
        """True when the audit held (or no protection was asked for)."""
        return self.audit is None or self.audit.held


class Model:
    """The unprotected report as the attacker reads it, with the true counts: every count
    and total by its place, and its true value."""

    def __init__(self, reader: Reader, truth: np.ndarray) -> None:
        self.reader = reader
        self.truth = truth
        self.forms: dict[tuple, Form] = dict(reader.cells)
        self._margins: dict[tuple, list] = {}
        for t in reader.targets:
            if t.kind == "margin":
                loc = (t.result, t.table, t.row)
                self.forms[loc] = t.form
                self._margins.setdefault((t.result, t.table), []).append((loc, t.form))
        universes = sorted(reader.u.all(), key=lambda u: u.offset)
        self._offsets = [u.offset for u in universes]
        self._universes = universes

    def value(self, form: Form) -> float:
        """The true value of a linear form over the cells."""
        return float(sum(self.truth[i] * c for i, c in form.items()))

    def margin_forms(self, rid: str, table: str) -> list:
        """The totals one table prints, by their place."""
        return self._margins.get((rid, table), [])

    def universe_of(self, form: Form) -> int:
        """The index of the universe a form's cells belong to."""
        i = next(iter(form))
        return self._universes[bisect_right(self._offsets, i) - 1].index

    def universe_index(self, subset: str | None, variables: list) -> int | None:
        """The index of the universe of ``variables`` within ``subset``, if built."""
        u = self.reader.u.find(subset, variables)
        return None if u is None else u.index

    def hidden_universes(self, dec: Decisions) -> set[int]:
        """The universes in which something is hidden."""
        return {self._universes[bisect_right(self._offsets, key[0][0]) - 1].index
                for key in dec.hidden if key}


def record_of(report: Any, k: int) -> dict[str, Any]:
    """How the protection shows what it hides (read by the attacker)."""
    from ..jsonout import FIGURE_DATA_ROWS

    # a figure's data is in results.json (every value given listed) unless it is too long
    dropped = [f"{r.id}.{T.DATA}" for r in report.results if r.kind == "figure"
               and len(r.tables.get(T.DATA, ())) > FIGURE_DATA_ROWS]
    return {"min_cell": k, "dropped": dropped, "whiskers_at_least": k}


def protect(report: Any, k: int, check: bool = True) -> Protection:
    """Protect ``report`` in place at threshold ``k`` (nothing happens below 2)."""
    out = Protection(k)
    report.protection = {"min_cell": k}
    if k <= 1:
        return out
    plan, inst, data = report.plan, report.survey.instrument, report.survey.data
    originals = {r.id: _copy(r) for r in report.results}
    reader = Reader(View.of_report(report), plan, inst, k)
    reader.read()
    model = Model(reader, true_cells(reader.u, data))
    dec = Decisions(k)
    # a crosstab within the answers of a third variable is not read by the attacker yet:
    # it is withheld whole rather than published unaudited
    dec.withheld |= {(r.id, name) for r in report.results
                     if getattr(reader.analyses.get(r.id), "layer", None) for name in r.tables}
    for form in model.forms.values():  # primary: every count and total from 1 to K - 1
        v = model.value(form)
        if 1 <= v < k:
            from .universe import form_key

            dec.hidden.add(form_key(form))
    publisher = Publisher(report, originals, model)
    widener = Widener(originals, model)
    record = record_of(report, k)
    result: Audit | None = None
    for out.rounds in range(1, ROUNDS + 1):
        _publish(publisher, dec, report, k)
        result = _audit(report, {**record, "merged": dec.merged}, plan, inst, data, k)
        if result.held or not check:
            break
        if not widener.widen(result.failures, dec):
            break
    _merge_tests(report, originals, publisher, dec, k)
    _publish(publisher, dec, report, k)
    if check:
        result = _audit(report, {**record, "merged": dec.merged}, plan, inst, data, k)
        # a merged test the audit could use, or could not check: withhold it
        doubtful = {f.target.result for f in result.failures} | result.unsearched
        for rid in doubtful & set(dec.merged_tables):
            dec.merged_tables.pop(rid)
            dec.merged.pop(rid, None)
        _publish(publisher, dec, report, k)
        result = _audit(report, {**record, "merged": dec.merged}, plan, inst, data, k)
    out.audit = result
    out.cells = publisher.counts["cells"]
    out.statistics = publisher.counts["statistics"]
    out.tables = publisher.counts["tables"]
    out.merged = dict(dec.merged)
    report.protection = {**record, "merged": dec.merged,
                         "audit": result.record() if result else None,
                         "hidden": out.cells, "withheld_statistics": out.statistics,
                         "withheld_tables": out.tables}
    return out


#: columns that count people: a value from 1 to K - 1 in one of them is never published
COUNT_COLUMNS = ("n", "count", "observed", "n1", "n2", "n_respondents", "n_responses")


def _publish(publisher: Publisher, dec: Decisions, report: Any, k: int) -> None:
    """Apply the decisions, then blank any count of people still from 1 to K - 1 (a grand
    total below K in a test's n, a total the attacker does not read) with a note."""
    publisher.apply(dec)
    for r in report.results:
        for name, frame in list(r.tables.items()):
            cols = [c for c in COUNT_COLUMNS if c in frame.columns]
            if not cols:
                continue
            values = frame[cols].apply(pd.to_numeric, errors="coerce")
            small = (values >= 1) & (values < k)
            if small.to_numpy().any():
                frame = frame.copy()
                for c in cols:
                    frame.loc[small[c], c] = np.nan
                r.tables[name] = frame
                note = text("protect.small_n", report.lang, k=k)
                if note not in r.notes:
                    r.notes.append(note)


def _audit(report: Any, record: dict, plan: Any, inst: Any, data: Any, k: int) -> Audit:
    attack = read(View.of_report(report, record), plan, inst, k)
    return audit(attack, k, true_cells(attack.universes, data))


def _copy(r: Result) -> Result:
    c = copy.copy(r)
    c.tables = {name: frame.copy() for name, frame in r.tables.items()}
    c.notes = list(r.notes)
    return c


def _merge_tests(report: Any, originals: dict, publisher: Publisher, dec: Decisions,
                 k: int) -> None:
    """Crosstabs with hidden counts: their tests on merged categories, where possible."""
    lang = report.lang
    labels = _labels(report)
    for r in report.results:
        a = publisher.analyses.get(r.id)
        if a is None or a.kind != "crosstab" or r.id in dec.merged_tables:
            continue
        cells = r.tables.get(T.CELLS)
        if cells is None or "suppressed" not in cells:
            continue
        found = merge.merged_tests(publisher.rows(a.subset), a.rows, a.columns, k,
                                   report.plan.conf, labels,
                                   lambda merged: text("protect.merged_tests", lang, k=k,
                                                       merged=merged))
        if found is None:
            continue
        tables, groups = found
        dec.merged_tables[r.id] = {T.TESTS: tables["tests"],
                                   T.ASSOCIATION: tables["association"]}
        dec.merged[r.id] = groups
        originals.get(r.id)


def _labels(report: Any):
    inst = report.survey.instrument

    def label(var: str, code: float) -> str:
        source = inst.item_map.get(var) or inst.derived_map.get(var)
        for c in getattr(source, "choices", []) or []:
            if float(c.code) == float(code):
                return c.label.get(report.lang)
        return f"{code:g}"

    return label


def audit_json(payload: dict[str, Any], plan: Any, instrument: Any, k: int,
               truth_data: Any = None) -> Audit:
    """The attacker on a written results.json (what a reader of the files can do)."""
    attack = read(View.of_json(payload), plan, instrument, k)
    truth = true_cells(attack.universes, truth_data) if truth_data is not None else None
    return audit(attack, k, truth)
