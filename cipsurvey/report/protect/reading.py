"""The attacker problem: everything a report publishes, written as constraints on the counts
of its universes (see ``universe``).

Each published number is read for what it says about the cells:

- a count, a total (``n``, ``n_respondents``, a describe's ``n`` and ``missing``) and the
  number of respondents in the analysis' subset: a sum of cells;
- a percentage or proportion: count − p/100 · denominator = 0 (full precision in the JSON;
  a hidden count beside a shown percentage is pinned by it);
- a Wilson interval beside a hidden count: the count it was computed from;
- the listing of a table: a crosstab lists the levels that occur, so a level it leaves out
  has none, and one it lists has at least one (and a figure's points list the values that
  occur, unless the protection record says hidden values are left out);
- expected counts: the margins they multiply (worked out numerically, as a reader would);
- a mean and an SD of a count or of answer codes: Σ v·x and Σ v²·x; the minimum, the
  maximum and Tukey's whiskers: zero cells beyond them and one at least at them; medians
  and quartiles: how many lie below and above them;
- test statistics, effect sizes, residuals and the expected-count footnote: nonlinear, left
  to the exhaustive search, which gets each crosstab-shaped table (a ``Block``) with checks
  that recompute them from a filled-in table (``recompute``).

Targets are what must stay uncertain: every hidden count of a table (``cell``), every
value of a count's distribution that is not shown (``value``), and every total a reader can
bound (``margin``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...analysis import tables as T
from ...instrument import Instrument
from . import free_text
from . import recompute as rc
from .universe import ANSWERED, ANY, NA, Form, Scope, Universes, add_forms, form_key
from .view import Published, View

TOL = 1e-6


@dataclass
class Constraint:
    """A published number as a constraint: lo <= form · cells <= hi."""
    form: Form
    lo: float
    hi: float
    why: str


@dataclass
class Target:
    """A number that must stay uncertain. ``kind``: ``cell`` (a hidden count: at least K
    feasible values), ``value`` or ``margin`` (not shown to lie between 1 and K − 1)."""

    form: Form
    kind: str
    where: str
    result: str = ""
    table: str = ""
    row: Any = None
    coords: tuple = ()

    @property
    def key(self) -> tuple:
        """The canonical key of the target's form."""
        return form_key(self.form)


@dataclass
class Block:
    """A crosstab-shaped table for the exhaustive search: rows × columns of cell ids, the
    levels' codes, and checks that a filled-in table must pass."""

    where: str
    result: str
    ids: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    row_var: str = ""
    col_var: str = ""
    checks: list[tuple[str, Callable[[np.ndarray], bool]]] = field(default_factory=list)


@dataclass
class Attack:
    """The attacker problem of one report."""

    universes: Universes
    constraints: list[Constraint]
    targets: list[Target]
    blocks: list[Block]
    leaks: list[str]

    @property
    def n_vars(self) -> int:
        """The number of unknowns (cells of every universe)."""
        return self.universes.size


def close(a: float, b: float) -> bool:
    """Equal as printed at full precision (relative 1e-7)."""
    return abs(a - b) <= 1e-7 * max(1.0, abs(a), abs(b))


def _num(v: Any) -> float | None:
    """A shown number, or None for a hidden (or absent) one."""
    if v is None or isinstance(v, str | bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _margin_forms(scope: Any, a: Any, rows: list, cols: list) -> tuple[list, list, Form]:
    """A crosstab's row totals, column totals and grand total as forms over its cells."""
    return ([scope.form({a.rows: lv, a.columns: ANSWERED}) for lv in rows],
            [scope.form({a.rows: ANSWERED, a.columns: lv}) for lv in cols],
            scope.form({a.rows: ANSWERED, a.columns: ANSWERED}))


def _level(v: Any) -> Any:
    f = _num(v)
    return f if f is not None else v


class Reader:
    """Reads a published report (a ``View``) against its plan and instrument."""

    def __init__(self, view: View, plan: Any, instrument: Instrument, k: int) -> None:
        self.view = view
        self.k = k
        self.inst = instrument
        self.analyses = {a.id: a for _, a in plan.analyses()} if plan is not None else {}
        self.u = Universes(instrument)
        self.constraints: list[Constraint] = []
        self.targets: list[Target] = []
        self.blocks: list[Block] = []
        self.leaks: list[str] = []
        self.record = view.record
        self.dropped = set(self.record.get("dropped", []))
        self.merged = self.record.get("merged", {})
        self.whiskers_k = self.record.get("whiskers_at_least")
        # every count read (shown or hidden) by its place: (result, table, row index)
        self.cells: dict[tuple, Form] = {}

    # ------------------------------------------------------------------ helpers

    def eq(self, form: Form, value: float, why: str) -> None:
        """form · cells = value (within a relative tolerance)."""
        if form:
            tol = TOL * max(1.0, abs(value))
            self.constraints.append(Constraint(form, value - tol, value + tol, why))

    def ge(self, form: Form, value: float, why: str) -> None:
        """form · cells >= value."""
        if form:
            self.constraints.append(Constraint(form, value, math.inf, why))

    def le(self, form: Form, value: float, why: str) -> None:
        """form · cells <= value."""
        if form:
            self.constraints.append(Constraint(form, -math.inf, value, why))

    def ratio(self, num: Form, den: Form, p: float, why: str) -> None:
        """num = p · den (p a proportion)."""
        f = add_forms((num, 1.0), (den, -p))
        if f:
            self.constraints.append(Constraint(f, -TOL * 10, TOL * 10, why))

    def count(self, form: Form, value: Any, target: Target | None, why: str,
              loc: tuple | None = None) -> None:
        """A count: a constraint if shown, a target if hidden; its place recorded."""
        if loc is not None:
            self.cells[loc] = form
        v = _num(value)
        if v is not None:
            self.eq(form, v, why)
        elif target is not None:
            self.targets.append(target)

    # ------------------------------------------------------------------ reading

    def read(self) -> Attack:
        """Read every result; the attacker problem."""
        later = []
        for r in self.view.results:
            if r.kind == "free_text":  # words, not counts: the appendix's own rules
                self.leaks.extend(free_text.check(r.tables, self.k))
                continue
            a = self.analyses.get(r.id)
            reader = getattr(self, f"_{a.kind}", None) if a is not None else None
            if reader is None:
                continue
            reader(r, a)
            if a.kind in ("ttest", "anova"):
                later.append((r, a))
            scope = self._subset_scope(a)
            if scope is not None and _num(r.n) is not None:
                self.eq(scope.total(), _num(r.n), f"{r.id}: n of the subset")
        for r, a in later:  # once every crosstab's block is known
            self._group_checks(r, a)
        for form, why in self.u.links():
            self.eq(form, 0.0, why)
        return Attack(self.u, self.constraints, self.targets, self.blocks, self.leaks)

    def _subset_scope(self, a: Any) -> Scope | None:
        """The universe of an analysis' first table, whose total is the result's n."""
        if a.kind == "crosstab":
            names = [a.rows, a.columns]
        elif a.kind in ("grid",) or getattr(a, "figure", None) in ("stacked_grid", "likert",
                                                                        "yes_bars"):
            names = [self.inst.group_map[a.group].items[0]]
        elif a.kind == "multiple_response" or getattr(a, "figure", None) in ("mr_heatmap",
                                                                               "mr_bars"):
            names = [self.inst.item(a.item).columns[0]]
        elif getattr(a, "variables", None):
            names = [a.variables[0]]
        else:
            return None
        by = getattr(a, "by", None)
        return self.u.scope(a.subset, [by, *names] if by else names)

    # ---- frequencies, grids

    def _frequencies(self, r: Published, a: Any) -> None:
        frame = r.tables.get(T.FREQUENCIES)
        if frame is None:
            return
        for var in a.variables:
            part = frame[frame["variable"] == var] if "variable" in frame else frame
            if a.by:
                scope = self.u.scope(a.subset, [a.by, var])
                self._one_way(r, T.FREQUENCIES, part, scope, var, a.by, a.denominator)
            else:
                scope = self.u.scope(a.subset, [var])
                self._one_way(r, T.FREQUENCIES, part, scope, var, None, a.denominator)

    def _grid(self, r: Published, a: Any, table: str = T.GRID) -> None:
        frame = r.tables.get(table)
        if frame is None:
            return
        for item in dict.fromkeys(frame["item"]):
            part = frame[frame["item"] == item]
            self._one_way(r, table, part, self.u.scope(a.subset, [item]), item, None,
                          "answered")

    def _one_way(self, r: Published, table: str, part: pd.DataFrame, scope: Scope,
                 var: str, by: str | None, denominator: str) -> None:
        where = f"{r.id}.{table}"
        listed: dict[Any, set] = {}
        for idx, row in part.iterrows():
            group = row.get("group", "Total")
            spec: dict[str, Any] = {var: _level(row["level"])}
            gspec: dict[str, Any] = {}
            if by is not None:
                gspec = {by: _level(group)}
            cell = scope.form({**gspec, **spec})
            den = scope.form({**gspec, var: ANY if denominator == "all" else ANSWERED})
            listed.setdefault(group, set()).add(_level(row["level"]))
            self.count(cell, row.get("count"),
                       Target(cell, "cell", f"{where} row {idx}", r.id, table, idx),
                       f"{where}: count", (r.id, table, idx))
            if len(listed[group]) == 1:
                self.targets.append(Target(den, "margin", f"{where} n of {group}", r.id,
                                           table, (var, group)))
            n = _num(row.get("n"))
            if n is not None:
                self.eq(den, n, f"{where}: n")
            for col, scale in (("percent", 100.0), ("proportion", 1.0)):
                p = _num(row.get(col))
                if p is not None:
                    self.ratio(cell, den, p / scale, f"{where}: {col}")
            self._wilson(cell, row, n, 1.0, _num(row.get("count")), f"{where} row {idx}")
        if table not in self.dropped and f"{r.id}.{table}" not in self.dropped:
            levels = [lv for lv in scope.universe.levels[scope.universe.vars.index(var)]
                      if lv not in (NA, "answered")]
            for group, seen in listed.items():
                gspec = {by: _level(group)} if by is not None else {}
                for lv in levels:
                    if lv not in seen:
                        self.eq(scope.form({**gspec, var: lv}), 0.0, f"{where}: not listed")

    def _wilson(self, cell: Form, row: pd.Series, n: float | None, scale: float,
                count: float | None, where: str) -> None:
        """A Wilson interval shown beside a hidden count: the count it came from."""
        lo = _num(row.get("conf_low"))
        if count is not None or lo is None or n is None or n <= 0:
            return
        from ...stats import wilson

        found = [c for c in range(int(n) + 1) if close(wilson(c, int(n))[0] * scale, lo)]
        if len(found) == 1:
            self.eq(cell, float(found[0]), f"{where}: Wilson interval")
            self.leaks.append(f"{where}: a confidence interval shown for a hidden count")

    # ---- crosstabs

    def _crosstab(self, r: Published, a: Any) -> None:
        cells = r.tables.get(T.CELLS)
        if getattr(a, "layer", None):  # (a layered one is withheld)
            return
        scope = self.u.scope(a.subset, [a.rows, a.columns])
        if cells is None:  # the cells withheld: the totals may still be shown
            if T.MARGINS in r.tables:
                self._totals_alone(r, a, scope)
            return
        where = f"{r.id}.{T.CELLS}"
        rows = list(dict.fromkeys(_level(v) for v in cells["row"]))
        cols = list(dict.fromkeys(_level(v) for v in cells["column"]))
        ids = np.zeros((len(rows), len(cols)), dtype=np.int64)
        obs = np.full((len(rows), len(cols)), np.nan)
        exp = np.full((len(rows), len(cols)), np.nan)
        pos = {}
        for idx, row in cells.iterrows():
            i, j = rows.index(_level(row["row"])), cols.index(_level(row["column"]))
            pos[idx] = (i, j)
            f = scope.form({a.rows: rows[i], a.columns: cols[j]})
            ids[i, j] = next(iter(f))
            self.count(f, row.get("observed"),
                       Target(f, "cell", f"{where} {rows[i]:g}×{cols[j]:g}", r.id, T.CELLS,
                              idx), f"{where}: count", (r.id, T.CELLS, idx))
            obs[i, j] = _num(row.get("observed")) if _num(row.get("observed")) is not None \
                else np.nan
            exp[i, j] = _num(row.get("expected")) if _num(row.get("expected")) is not None \
                else np.nan
        row_f, col_f, total = _margin_forms(scope, a, rows, cols)
        for idx, row in cells.iterrows():
            i, j = pos[idx]
            cell = {int(ids[i, j]): 1.0}
            for col, den in (("row_percent", row_f[i]), ("col_percent", col_f[j]),
                             ("total_percent", total)):
                p = _num(row.get(col))
                if p is not None:
                    self.ratio(cell, den, p / 100, f"{where}: {col}")
            e, std = _num(row.get("expected")), _num(row.get("std_residual"))
            if np.isnan(obs[i, j]) and e is not None and std is not None:
                self.eq(cell, round(e + std * math.sqrt(e)), f"{where}: residual")
                self.leaks.append(f"{where}: a residual shown for a hidden count")
        # the levels a crosstab lists occur; the others (of those allowed) do not
        for f in row_f + col_f:
            self.ge(f, 1.0, f"{where}: a listed level occurs")
        self._unlisted(scope, a.rows, a.columns, rows, where)
        self._unlisted(scope, a.columns, a.rows, cols, where)
        for i, lv in enumerate(rows):
            self.targets.append(Target(row_f[i], "margin", f"{where} total of row {lv:g}",
                                       r.id, T.CELLS, ("row", lv)))
        for j, lv in enumerate(cols):
            self.targets.append(Target(col_f[j], "margin", f"{where} total of column {lv:g}",
                                       r.id, T.CELLS, ("column", lv)))
        for name in (T.TESTS, T.ASSOCIATION):
            t = r.tables.get(name)
            if t is not None and "n" in t:
                for v in t["n"]:
                    if _num(v) is not None:
                        self.eq(total, _num(v), f"{r.id}.{name}: n")
        self._margins_from_expected(obs, exp, row_f, col_f, total, r, where)
        if T.MARGINS in r.tables:
            self._totals(r.tables[T.MARGINS], rows, cols, row_f, col_f, total, r.id)
        block = Block(where, r.id, ids, np.array(rows, dtype=float),
                      np.array(cols, dtype=float), a.rows, a.columns)
        block.checks += _cell_checks(cells, pos, where)
        merged = self.merged.get(r.id)
        block.checks += _test_checks(r, block, merged, where)
        self.blocks.append(block)

    def _totals(self, frame: pd.DataFrame, rows: list, cols: list, row_f: list, col_f: list,
                total: Form, rid: str) -> None:
        """A crosstab's table of totals: each row's and column's total and its percent of
        all, the same totals the cells add up to (read as constraints on those; whether a
        hidden one can be narrowed is the cells table's margin target)."""
        where = f"{rid}.{T.MARGINS}"
        for idx, m in frame.iterrows():
            lv, kind = _level(m["level"]), m["margin"]
            form = (total if kind == "total" else
                    row_f[rows.index(lv)] if kind == "row" and lv in rows else
                    col_f[cols.index(lv)] if kind == "column" and lv in cols else None)
            if form is None:
                self.leaks.append(f"{where}: a total of a level the table does not list")
                continue
            self.count(form, m.get("n"), None, f"{where}: total", (rid, T.MARGINS, idx))
            p = _num(m.get("percent"))
            if p is not None and kind != "total":
                self.ratio(form, total, p / 100, f"{where}: percent of all")
                if _num(m.get("n")) is None:
                    self.leaks.append(f"{where}: a percentage shown for a hidden total")

    def _totals_alone(self, r: Published, a: Any, scope: Scope) -> None:
        """The totals of a crosstab whose cells are withheld, each hidden one a target."""
        frame = r.tables[T.MARGINS]
        levels = {kind: [_level(v) for v in frame.loc[frame["margin"] == kind, "level"]]
                  for kind in ("row", "column")}
        row_f, col_f, total = _margin_forms(scope, a, levels["row"], levels["column"])
        where = f"{r.id}.{T.MARGINS}"
        for kind, forms in (("row", row_f), ("column", col_f)):
            for lv, f in zip(levels[kind], forms, strict=True):
                self.targets.append(Target(f, "margin", f"{where} total of {kind} {lv:g}",
                                           r.id, T.MARGINS, (kind, lv)))
        self._totals(frame, levels["row"], levels["column"], row_f, col_f, total, r.id)

    def _unlisted(self, scope: Scope, var: str, other: str, listed: list, where: str) -> None:
        u = scope.universe
        allowed = dict(scope.restrict).get(var)
        for lv in u.levels[u.vars.index(var)]:
            if lv in (NA, "answered") or lv in listed or (allowed and lv not in allowed):
                continue
            self.eq(scope.form({var: lv, other: ANSWERED}), 0.0, f"{where}: not listed")

    def _margins_from_expected(self, obs, exp, row_f, col_f, total, r, where) -> None:
        """Margins a reader works out from the expected counts and percentages shown."""
        if np.isnan(exp).all():
            return
        nr, nc = obs.shape
        R: list[float | None] = [None] * nr
        C: list[float | None] = [None] * nc
        N: float | None = None
        for name in (T.TESTS, T.ASSOCIATION):
            t = r.tables.get(name)
            if t is not None and "n" in t and t["n"].notna().any():
                N = float(t["n"].dropna().iloc[0])
        for i in range(nr):
            if not np.isnan(obs[i]).any():
                R[i] = float(obs[i].sum())
            if not np.isnan(exp[i]).any():
                R[i] = float(exp[i].sum())
        for j in range(nc):
            if not np.isnan(obs[:, j]).any():
                C[j] = float(obs[:, j].sum())
            if not np.isnan(exp[:, j]).any():
                C[j] = float(exp[:, j].sum())
        if N is None and all(x is not None for x in R):
            N = float(sum(R))  # type: ignore[arg-type]
        for _ in range(nr + nc):
            for i in range(nr):
                for j in range(nc):
                    e = exp[i, j]
                    if np.isnan(e) or not N:
                        continue
                    if R[i] is None and C[j]:
                        R[i] = e * N / C[j]
                    elif C[j] is None and R[i]:
                        C[j] = e * N / R[i]
        for forms, values in ((row_f, R), (col_f, C)):
            for f, v in zip(forms, values, strict=True):
                if v is not None and abs(v - round(v)) < 1e-6 * max(1, v):
                    self.eq(f, round(v), f"{where}: margin from expected counts")
        if N is not None:
            self.eq(total, N, f"{where}: N")

    # ---- multiple response

    def _multiple_response(self, r: Published, a: Any, table: str = T.MULTIPLE_RESPONSE
                           ) -> None:
        frame = r.tables.get(table)
        if frame is None:
            return
        item = self.inst.item(a.item)
        options = list(item.columns)
        where = f"{r.id}.{table}"
        scopes = {o: self.u.scope(a.subset, [a.by, o] if a.by else [o]) for o in options}
        groups = list(dict.fromkeys(frame["group"])) if "group" in frame else ["Total"]
        for g in groups:
            gspec = {a.by: _level(g)} if a.by else {}
            answered = [scopes[o].form({**gspec, o: ANSWERED}) for o in options]
            for f in answered[1:]:  # who answered the question answered every option
                self.eq(add_forms((answered[0], 1.0), (f, -1.0)), 0.0, f"{where}: answered")
            responses = add_forms(*[(scopes[o].form({**gspec, o: 1.0}), 1.0) for o in options])
            part = frame[frame["group"] == g] if "group" in frame else frame
            for idx, row in part.iterrows():
                o = row["option"]
                cell = scopes[o].form({**gspec, o: 1.0})
                self.count(cell, row.get("count"),
                           Target(cell, "cell", f"{where} {g} {o}", r.id, table, idx),
                           f"{where}: count", (r.id, table, idx))
                n = _num(row.get("n_respondents"))
                if n is not None:
                    self.eq(answered[options.index(o)], n, f"{where}: n_respondents")
                m = _num(row.get("n_responses"))
                if m is not None:
                    self.eq(responses, m, f"{where}: n_responses")
                p = _num(row.get("pct_of_respondents"))
                if p is not None:
                    self.ratio(cell, answered[options.index(o)], p / 100, f"{where}: percent")
                q = _num(row.get("pct_of_responses"))
                if q is not None:
                    self.ratio(cell, responses, q / 100, f"{where}: percent of responses")
                self._wilson(cell, row, n, 100.0, _num(row.get("count")),
                             f"{where} row {idx}")
            self.targets.append(Target(answered[0], "margin", f"{where} respondents in {g}",
                                       r.id, table, ("group", g)))
        tests = r.tables.get(T.TESTS) if table == T.MULTIPLE_RESPONSE else None
        if tests is not None and a.by:
            for _, row in tests.iterrows():
                o = row["option"]
                sc = scopes[o]
                # groups that cannot choose the option by design are tested without them
                excluded = {float(g) for g in str(row.get("excluded") or "").split(",")
                            if g.strip()}
                tested = [g for g in groups if _level(g) not in excluded]
                ids = np.array([[next(iter(sc.form({a.by: _level(g), o: 1.0}))),
                                 next(iter(sc.form({a.by: _level(g), o: 0.0})))]
                                for g in tested], dtype=np.int64)
                block = Block(f"{where} {o}", r.id, ids,
                              np.array([_level(g) for g in tested], dtype=float),
                              np.array([1.0, 0.0]), a.by, o)
                stat = _num(row.get("statistic"))
                if stat is not None and row.get("method", "Pearson chi-square") == \
                        "Pearson chi-square":
                    block.checks.append((f"{o} chi-square",
                                         lambda o_, s=stat: close(rc.pearson(o_), s)))
                v = _num(row.get("cramers_v"))
                if v is not None:
                    block.checks.append((f"{o} V", lambda o_, s=v: close(rc.cramers_v(o_), s)))
                n = _num(row.get("n"))
                if n is not None:
                    self.eq(sc.form({a.by: frozenset(_level(g) for g in tested),
                                     o: ANSWERED}), n, f"{where}: test n")
                self.blocks.append(block)

    # ---- numbers: describe, group comparisons, figures

    def _describe(self, r: Published, a: Any) -> None:
        frame = r.tables.get(T.DESCRIBE)
        if frame is None:
            return
        for var in a.variables:
            part = frame[frame["variable"] == var]
            scope = self.u.scope(a.subset, [a.by, var] if a.by else [var])
            self._moments(r, T.DESCRIBE, part, scope, var, a.by, "weibull")

    def _moments(self, r: Published, table: str, part: pd.DataFrame, scope: Scope, var: str,
                 by: str | None, method: str) -> None:
        where = f"{r.id}.{table}"
        u = scope.universe
        valued = u.valued[u.vars.index(var)]
        for idx, row in part.iterrows():
            g = row.get("group", "Total")
            gspec = {} if by is None else {by: ANSWERED if g == "Total" else _level(g)}
            nf = scope.form({**gspec, var: ANSWERED})
            n = _num(row.get("n"))
            self.count(nf, n, None, f"{where}: n")
            self.targets.append(Target(nf, "margin", f"{where} n of {g}", r.id, table, idx))
            if "missing" in row and _num(row.get("missing")) is not None:
                self.eq(scope.form({**gspec, var: NA}), _num(row["missing"]), f"{where}: missing")
            if not valued:
                continue
            lv = [x for x in u.levels[u.vars.index(var)] if x not in (NA, "answered")]

            def over(pred, spec=gspec, lv=lv) -> Form:
                return scope.form({**spec, var: frozenset(x for x in lv if pred(x))})

            mean = _num(row.get("mean"))
            if mean is not None:
                first = {i: c * v for i, c in nf.items()
                         for v in [self._value_of(u, i, var)]}
                self.eq(add_forms((first, 1.0), (nf, -mean)), 0.0, f"{where}: mean")
                sd = _num(row.get("sd"))
                if sd is not None and n is not None:
                    second = {i: self._value_of(u, i, var) ** 2 for i in nf}
                    self.eq(second, (n - 1) * sd * sd + n * mean * mean, f"{where}: SD")
            for col, side in (("min", -1), ("max", 1), ("whisker_low", -1),
                              ("whisker_high", 1)):
                x = _num(row.get(col))
                if x is not None:
                    self._extreme(row, col, x, side, lv, over, where)
            if n is None or n < 1:
                continue
            for col, p in (("q1", 0.25), ("median", 0.5), ("q3", 0.75)):
                q = _num(row.get(col))
                if q is None:
                    continue
                index = (n - 1) * p if method == "linear" else n * p + p - 1
                index = min(max(index, 0), n - 1)
                b = math.floor(index)
                exact = index == b
                self.ge(over(lambda v, q=q: v <= q), b + 1, f"{where}: {col}")
                self.le(over(lambda v, q=q: v < q), b if exact else b + 1, f"{where}: {col}")

    def _extreme(self, row: pd.Series, col: str, x: float, side: int, lv: list,
                 over: Callable, where: str) -> None:
        """The minimum, maximum or a whisker: nobody beyond it (a whisker: up to its fence),
        someone at it. A whisker of the protection record's kind ends at the most extreme
        value held by at least K inside the fence: fewer than K hold each value beyond it."""
        if col in ("min", "max"):
            self.eq(over(lambda v: (v - x) * side > 0), 0.0, f"{where}: {col}")
            self.ge(over(lambda v: v == x), 1.0, f"{where}: {col}")
            return
        q1, q3 = _num(row.get("q1")), _num(row.get("q3"))
        if q1 is None or q3 is None:
            return
        edge = q3 if side > 0 else q1
        fence = q3 + 1.5 * (q3 - q1) if side > 0 else q1 - 1.5 * (q3 - q1)

        def inside(v: float) -> bool:
            return (v - x) * side > 0 and (fence - v) * side >= 0

        if self.whiskers_k:
            k = int(self.whiskers_k)
            for value in [v for v in lv if inside(v)]:
                self.le(over(lambda v, value=value: v == value), k - 1, f"{where}: {col}")
            if x != edge:
                self.ge(over(lambda v: v == x), k, f"{where}: {col}")
            return
        self.eq(over(inside), 0.0, f"{where}: {col}")
        if x != edge:
            self.ge(over(lambda v: v == x), 1.0, f"{where}: {col}")

    def _value_of(self, u, i: int, var: str) -> float:
        return float(u.cells[i - u.offset][u.vars.index(var)])

    def _figure(self, r: Published, a: Any) -> None:
        data = r.tables.get(T.DATA)
        if data is None:
            return
        if a.figure in ("stacked_grid", "yes_bars", "likert"):
            self._grid(r, a, T.DATA)
            return
        if a.figure in ("mr_heatmap", "mr_bars"):
            self._multiple_response(r, a, T.DATA)
            return
        where = f"{r.id}.{T.DATA}"
        dropped = T.DATA in self.dropped or where in self.dropped
        boxes = r.tables.get(T.BOXES)
        for var in a.variables:
            scope = self.u.scope(a.subset, [a.by, var])
            u = scope.universe
            if not u.valued[u.vars.index(var)]:
                continue
            part = data[data["variable"] == var]
            seen: dict[Any, set] = {}
            for idx, row in part.iterrows():
                g, v = _level(row["group"]), _level(row["value"])
                cell = scope.form({a.by: g, var: v})
                seen.setdefault(g, set()).add(v)
                self.cells[(r.id, T.DATA, idx)] = cell
                c = _num(row.get("count"))
                if c is not None:
                    self.eq(cell, c, f"{where}: count")
                else:  # listed: someone gave it
                    self.ge(cell, 1.0, f"{where}: a listed value occurs")
                    self.targets.append(Target(cell, "value", f"{where} {var} {g} = {v:g}",
                                               r.id, T.DATA, idx, (var, g, v)))
            groups = [lv for lv in u.levels[u.vars.index(a.by)] if lv not in (NA, "answered")]
            allowed = dict(scope.restrict).get(a.by)
            values = [lv for lv in u.levels[u.vars.index(var)] if lv not in (NA, "answered")]
            for g in groups:
                if allowed and g not in allowed:
                    continue
                for v in values:
                    if v in seen.get(g, set()):
                        continue
                    cell = scope.form({a.by: g, var: v})
                    if dropped:
                        self.targets.append(Target(cell, "value", f"{where} {var} {g} = {v:g}",
                                                   r.id, T.DATA, None, (var, g, v)))
                    else:
                        self.eq(cell, 0.0, f"{where}: value not listed")
            if boxes is not None:
                self._moments(r, T.BOXES, boxes[boxes["variable"] == var], scope, var, a.by,
                              "linear")

    def _group_sizes(self, r: Published, a: Any) -> None:
        """n1 and n2 of two-group tables; the rest goes to the exhaustive search."""
        var_of = (lambda row: row.get("variable")) if len(a.variables) > 1 else \
            (lambda row: a.variables[0])
        for name, frame in r.tables.items():
            if not {"group1", "n1"} <= set(frame.columns):
                continue
            for _, row in frame.iterrows():
                var = var_of(row) or a.variables[0]
                scope = self.u.scope(a.subset, [a.by, var])
                for g, n in (("group1", "n1"), ("group2", "n2")):
                    v = _num(row.get(n))
                    if v is not None:
                        self.eq(scope.form({a.by: _level(row[g]), var: ANSWERED}), v,
                                f"{r.id}.{name}: {n}")

    _ttest = _group_sizes
    _anova = _group_sizes

    def _group_checks(self, r: Published, a: Any) -> None:
        """The tests of a variable with answer codes by group, for the exhaustive search of
        a crosstab of the same respondents (rows or columns the groups)."""
        for var in a.variables:
            scope = self.u.scope(a.subset, [a.by, var])
            for block in self.blocks:
                if block.result == r.id:
                    continue
                orient = self._orientation(block, scope, a.by, var)
                if orient is None:
                    continue
                block.checks += _group_stat_checks(r, var, orient, block)

    def _orientation(self, block: Block, scope: Scope, by: str, var: str) -> str | None:
        """Whether a block counts the same respondents by ``by`` (rows or columns) and
        ``var``; None if it does not, or if ``var``'s levels are not its values."""
        u = scope.universe
        first = int(block.ids[0, 0])
        if not (u.offset <= first < u.offset + u.size) or not u.valued[u.vars.index(var)]:
            return None
        if (block.row_var, block.col_var) == (by, var):
            return "rows"
        if (block.row_var, block.col_var) == (var, by):
            return "cols"
        return None


def _cell_checks(cells: pd.DataFrame, pos: dict, where: str) -> list:
    """Expected counts and residuals shown: each must be the filled-in table's."""
    checks = []
    for col, fn in (("expected", lambda o: rc.expected(o)),
                    ("std_residual", lambda o: rc.residuals(o)[0]),
                    ("adj_residual", lambda o: rc.residuals(o)[1])):
        if col not in cells:
            continue
        shown = [(pos[idx], _num(v)) for idx, v in cells[col].items() if _num(v) is not None]
        if shown:
            checks.append((f"{where} {col}", lambda o, fn=fn, shown=shown: all(
                close(float(fn(o)[i, j]), v) for (i, j), v in shown)))
    return checks


NOTE_MIN_EXPECTED = re.compile(r"(\d+[.,]\d\d)\D*$")


def _test_checks(r: Published, block: Block, merged: dict | None, where: str) -> list:
    """The crosstab's tests, association measures and footnotes, as checks."""
    checks = []

    def shape(o: np.ndarray) -> np.ndarray:
        return _merge(o, block, merged) if merged else o

    rows_codes = lambda: _codes(block.rows, merged, "rows")  # noqa: E731
    cols_codes = lambda: _codes(block.cols, merged, "cols")  # noqa: E731
    tests = r.tables.get(T.TESTS)
    fns = {"Pearson chi-square": rc.pearson, "Likelihood ratio": rc.likelihood_ratio,
           "Continuity correction": rc.yates,
           "Linear-by-linear association": lambda o: rc.linear_by_linear(
               o, rows_codes(), cols_codes())}
    if tests is not None:
        for _, row in tests.iterrows():
            fn = fns.get(row.get("test"))
            stat = _num(row.get("statistic"))
            if fn is not None and stat is not None:
                checks.append((f"{where} {row['test']}",
                               lambda o, fn=fn, s=stat: close(fn(shape(o)), s)))
            note = row.get("note")
            if isinstance(note, str) and row.get("test") == "Pearson chi-square":
                found = NOTE_MIN_EXPECTED.search(note)
                if found:
                    m = float(found.group(1).replace(",", "."))
                    checks.append((f"{where} minimum expected count",
                                   lambda o, m=m: abs(rc.min_expected(shape(o)) - m) <= 0.005))
    assoc = r.tables.get(T.ASSOCIATION)
    if assoc is not None:
        for _, row in assoc.iterrows():
            est = _num(row.get("estimate"))
            if est is None:
                continue
            fn = {"Cramer's V": rc.cramers_v, "Phi": rc.phi}.get(row.get("measure"))
            if fn is not None:
                checks.append((f"{where} {row['measure']}",
                               lambda o, fn=fn, s=est: close(fn(shape(o)), s)))
    for note in r.notes:
        found = NOTE_MIN_EXPECTED.search(note) if "expect" in note.lower() or \
            "förvänt" in note.lower() else None
        if found:
            m = float(found.group(1).replace(",", "."))
            checks.append((f"{where} minimum expected count (note)",
                           lambda o, m=m: abs(rc.min_expected(shape(o)) - m) <= 0.005))
    return checks


def _merge(o: np.ndarray, block: Block, merged: dict) -> np.ndarray:
    """The table with the protection's merged categories added up."""
    out = o
    for axis, key, codes in ((0, "rows", block.rows), (1, "cols", block.cols)):
        groups = merged.get(key)
        if not groups:
            continue
        index = {float(c): k for k, group in enumerate(groups) for c in group}
        parts = []
        for k in range(len(groups)):
            take = [i for i, c in enumerate(codes) if index.get(float(c)) == k]
            parts.append(out.take(take, axis=axis).sum(axis=axis, keepdims=True))
        out = np.concatenate(parts, axis=axis)
    return out


def _codes(codes: np.ndarray, merged: dict | None, key: str) -> np.ndarray:
    if not merged or not merged.get(key):
        return codes
    return np.array([min(float(c) for c in group) for group in merged[key]])


def _group_stat_checks(r: Published, var: str, orient: str, block: Block) -> list:
    """ANOVA, t, d, U, H and Levene of ``var`` by group, recomputed from the block."""
    checks = []

    def table(o: np.ndarray) -> np.ndarray:
        return o if orient == "rows" else o.T

    groups = block.rows if orient == "rows" else block.cols
    values = block.cols if orient == "rows" else block.rows
    index = {float(g): i for i, g in enumerate(groups)}
    where = f"{r.id} ({var})"

    def rows_of(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["variable"] == var] if "variable" in frame else frame

    anova = r.tables.get(T.ANOVA)
    if anova is not None:
        for _, row in rows_of(anova).iterrows():
            ss = _num(row.get("ss"))
            k = {"Between Groups": 0, "Within Groups": 1}.get(row.get("source"))
            if ss is not None and k is not None:
                checks.append((f"{where} ANOVA {row['source']}",
                               lambda o, k=k, s=ss: close(rc.anova(table(o), values)[k], s)))
            f = _num(row.get("statistic"))
            if f is not None:
                checks.append((f"{where} F", lambda o, s=f: close(rc.anova(table(o), values)[2],
                                                                   s)))
    for name in (T.PAIRWISE_D, T.EFFECT_SIZE):
        frame = r.tables.get(name)
        if frame is None:
            continue
        for _, row in rows_of(frame).iterrows():
            d = _num(row.get("estimate"))
            if d is None or row.get("measure") != "Cohen's d":
                continue
            a, b = index.get(_num(row["group1"])), index.get(_num(row["group2"]))
            if a is not None and b is not None:
                checks.append((f"{where} d", lambda o, a=a, b=b, s=d: close(
                    rc.cohens_d(table(o), values, a, b), s)))
    frame = r.tables.get(T.TTEST)
    if frame is not None:
        for _, row in frame.iterrows():
            t = _num(row.get("statistic"))
            a, b = index.get(_num(row["group1"])), index.get(_num(row["group2"]))
            fn = {"Student": rc.student_t, "Welch": rc.welch_t}.get(row.get("test"))
            if t is not None and a is not None and b is not None and fn:
                checks.append((f"{where} t", lambda o, fn=fn, a=a, b=b, s=t: close(
                    fn(table(o), values, a, b), s)))
    frame = r.tables.get(T.MANN_WHITNEY)
    if frame is not None:
        for _, row in frame.iterrows():
            u = _num(row.get("u1"))
            a, b = index.get(_num(row["group1"])), index.get(_num(row["group2"]))
            if u is not None and a is not None and b is not None:
                checks.append((f"{where} U", lambda o, a=a, b=b, s=u: close(
                    rc.mann_whitney_u(table(o), a, b), s)))
    frame = r.tables.get(T.KRUSKAL)
    if frame is not None:
        for _, row in rows_of(frame).iterrows():
            h = _num(row.get("statistic"))
            if h is not None:
                checks.append((f"{where} H", lambda o, s=h: close(rc.kruskal_h(table(o)), s)))
    frame = r.tables.get(T.LEVENE)
    if frame is not None:
        for _, row in frame.iterrows():
            f = _num(row.get("statistic"))
            if f is not None:
                checks.append((f"{where} Levene", lambda o, s=f: close(
                    rc.levene_mean(table(o), values), s)))
    return checks


def read(view: View, plan: Any, instrument: Instrument, k: int) -> Attack:
    """The attacker problem of a published report."""
    return Reader(view, plan, instrument, k).read()
