"""The audit: the attacker's best bounds on every hidden number, and whether they are wide
enough.

For each target of the attacker problem (``reading``) the audit asks HiGHS (through
``scipy.optimize.milp``) for the smallest and the largest whole-number value consistent with
every linear constraint the report publishes: the *feasible interval* that τ-ARGUS and
sdcTable compute to audit a suppression pattern. Then, for each crosstab-shaped table whose
hidden cells can be filled in at most ``LIMIT`` ways within those bounds, it fills them in
every way and keeps the fillings whose tests, effect sizes, expected counts, residuals and
footnotes equal the published ones (the exhaustive search); the survivors' range narrows the
intervals further.

A hidden count of a table passes when its interval holds at least K values; a value of a
distribution that is not shown, and a total, pass unless the attacker can show that between
1 and K − 1 respondents hold it.

Feasible points found on the way (the true counts when the protection runs the audit on its
own data, and every solution of a solve) are kept as witnesses: a target whose witnesses
already span K values needs no solve at all, which keeps the audit of a report to seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, sparse

from .reading import Attack, Block, Target

LIMIT = 20_000  # fillings the exhaustive search tries per table
NODES = 400_000  # partial fillings it may visit on the way (a few seconds)
VERIFY = 64     # surviving fillings checked against every other table
BIG = 10_000_000


@dataclass
class Finding:
    """A target's feasible interval and verdict."""

    target: Target
    lo: float
    hi: float
    failed: bool
    how: str = "linear"


@dataclass
class Audit:
    """The audit of one report at one K."""

    k: int
    findings: list[Finding]
    leaks: list[str] = field(default_factory=list)
    searched: list[str] = field(default_factory=list)
    inconsistent: list[str] = field(default_factory=list)
    unsearched: set[str] = field(default_factory=set)  # results whose tables were too big

    @property
    def failures(self) -> list[Finding]:
        """The findings whose interval is too narrow."""
        return [f for f in self.findings if f.failed]

    @property
    def held(self) -> bool:
        """No hidden number narrowed, nothing shown beside a hidden count that gives it
        away, and every published number read consistently with the others."""
        return not self.failures and not self.leaks and not self.inconsistent

    def problems(self) -> list[str]:
        """What keeps the audit from holding, one line each."""
        return ([f"{f.target.where}: {f.lo:g} to {f.hi:g}" for f in self.failures]
                + self.leaks + self.inconsistent)

    def hidden_cells(self) -> list[Finding]:
        """The findings of hidden counts of tables."""
        return [f for f in self.findings if f.target.kind == "cell"]

    def narrowest(self) -> int | None:
        """The fewest values any hidden count of a table can take."""
        widths = [int(f.hi - f.lo + 1) for f in self.hidden_cells()]
        return min(widths) if widths else None

    def record(self) -> dict[str, Any]:
        """The audit in results.json: what was checked and what held."""
        return {"held": self.held, "hidden_cells": len(self.hidden_cells()),
                "inconsistent": self.inconsistent,
                "narrowest_interval": self.narrowest(),
                "targets": len(self.findings), "failures": [
                    {"where": f.target.where, "low": f.lo, "high": f.hi, "how": f.how}
                    for f in self.failures], "leaks": self.leaks,
                "exhaustive_search": self.searched}


class _Component:
    """The constraints and unknowns that share cells: solved apart from the rest."""

    def __init__(self, cols: np.ndarray, A: sparse.csr_matrix, lo: np.ndarray,
                 hi: np.ndarray, lb: np.ndarray, ub: np.ndarray) -> None:
        self.cols = cols
        self.pos = {int(c): i for i, c in enumerate(cols)}
        self.A, self.lo, self.hi, self.lb, self.ub = A, lo, hi, lb, ub
        self.witnesses: list[np.ndarray] = []
        self._lin = optimize.LinearConstraint(A, lo, hi) if A.shape[0] else None

    def _linprog(self) -> dict[str, Any]:
        if not hasattr(self, "_lp"):
            self._lp = _as_linprog(self.A, self.lo, self.hi)
        return self._lp

    def vector(self, form: dict[int, float]) -> np.ndarray:
        c = np.zeros(len(self.cols))
        for i, v in form.items():  # (merged cells have the same coefficient: set, not add)
            if i in self.pos:
                c[self.pos[i]] = v
        return c

    def relaxed(self, c: np.ndarray) -> tuple[float | None, float | None]:
        """The linear relaxation's optimum of c·x (a bound on the whole-number one), and the
        whole-number optimum when the relaxation's solution is whole (then a witness)."""
        res = optimize.linprog(c, bounds=np.column_stack([self.lb, self.ub]), method="highs",
                               **self._linprog())
        if res.status != 0 or res.x is None:
            return None, None
        if np.allclose(res.x, np.round(res.x), atol=1e-7):
            x = np.round(res.x)
            self.witnesses.append(x)
            return float(c @ x), float(c @ x)
        return float(res.fun), None

    def solve(self, c: np.ndarray, fixed: dict[int, float] | None = None,
              integer: bool = True) -> np.ndarray | None:
        lb, ub = self.lb.copy(), self.ub.copy()
        for i, v in (fixed or {}).items():
            lb[self.pos[i]] = ub[self.pos[i]] = v
        if integer:  # the linear relaxation first: a whole-number optimum is the answer
            relaxed = optimize.linprog(c, bounds=np.column_stack([lb, ub]), method="highs",
                                       **self._linprog())
            if relaxed.status == 2:
                return None
            if relaxed.status == 0 and np.allclose(relaxed.x, np.round(relaxed.x), atol=1e-7):
                x = np.round(relaxed.x)
                self.witnesses.append(x)
                return x
            res = optimize.milp(c, integrality=np.ones(len(c)),
                                bounds=optimize.Bounds(lb, ub),
                                constraints=[self._lin] if self._lin else [],
                                options={"time_limit": 20})
        else:
            res = optimize.linprog(c, bounds=np.column_stack([lb, ub]), method="highs",
                                   **self._linprog())
        if res.x is None or res.status not in (0,):
            return None
        x = np.round(res.x) if integer else res.x
        if integer:
            self.witnesses.append(x)
        return x


def _as_linprog(A, lo, hi) -> dict[str, Any]:
    eq = np.isfinite(lo) & np.isfinite(hi) & (hi - lo <= 1e-5 * np.maximum(1, np.abs(hi)))
    rows_ub, b_ub = [], []
    finite_hi = np.isfinite(hi) & ~eq
    finite_lo = np.isfinite(lo) & ~eq
    if finite_hi.any():
        rows_ub.append(A[finite_hi])
        b_ub.append(hi[finite_hi])
    if finite_lo.any():
        rows_ub.append(-A[finite_lo])
        b_ub.append(-lo[finite_lo])
    out: dict[str, Any] = {}
    if eq.any():
        out["A_eq"], out["b_eq"] = A[eq], (lo[eq] + hi[eq]) / 2
    if rows_ub:
        out["A_ub"], out["b_ub"] = sparse.vstack(rows_ub), np.concatenate(b_ub)
    return out


def _upper_bounds(attack: Attack, n: int) -> np.ndarray:
    """Each cell is at most the value of any published sum of nonnegative terms it is in."""
    ub = np.full(n, float(BIG))
    for con in attack.constraints:
        if math.isfinite(con.hi) and con.form and all(v > 0 for v in con.form.values()):
            for i, v in con.form.items():
                ub[i] = min(ub[i], math.floor(con.hi / v + 1e-6))
    return np.maximum(ub, 0)


def _presolve(attack: Attack) -> tuple[dict[int, float], np.ndarray, np.ndarray,
                                        list[tuple[dict[int, float], float, float]], list[str]]:
    """Fix what single constraints fix (a shown count, a zero total of nonnegative cells)
    and substitute, until nothing changes; return the fixed cells, every cell's bounds, the
    constraints left (on free cells only) and any contradiction found."""
    n = attack.n_vars
    lb, ub = np.zeros(n), _upper_bounds(attack, n)
    fixed: dict[int, float] = {}
    rows = [(dict(c.form), c.lo, c.hi) for c in attack.constraints if c.form]
    bad: list[str] = []
    changed = True
    while changed:
        changed = False
        left = []
        for form, lo, hi in rows:
            shift = sum(v * fixed[i] for i, v in form.items() if i in fixed)
            if shift:
                lo, hi = lo - shift, hi - shift
            form = {i: v for i, v in form.items() if i not in fixed}
            tol = 1e-6 * max(1.0, abs(lo) if math.isfinite(lo) else 1.0,
                             abs(hi) if math.isfinite(hi) else 1.0)
            if not form:
                if lo > tol or hi < -tol:
                    bad.append("a published sum contradicts the others")
                continue
            if len(form) == 1:
                (i, v), = form.items()
                a, b = sorted((lo / v, hi / v))
                if math.isfinite(a):
                    lb[i] = max(lb[i], math.ceil(a - 1e-6))
                if math.isfinite(b):
                    ub[i] = min(ub[i], math.floor(b + 1e-6))
                if lb[i] == ub[i]:
                    fixed[i] = float(lb[i])
                    changed = True
                elif lb[i] > ub[i]:
                    bad.append("a published count contradicts the others")
                continue
            if all(v > 0 for v in form.values()) and hi <= tol:
                for i in form:
                    fixed[i] = 0.0
                changed = True
                continue
            left.append((form, lo, hi))
        rows = left
        for i in range(n):
            if i not in fixed and lb[i] == ub[i]:
                fixed[i] = float(lb[i])
                changed = True
    return fixed, lb, ub, rows, bad


def _components(attack: Attack, truth: np.ndarray | None
                ) -> tuple[list[_Component], np.ndarray, dict[int, float], list[str]]:
    """Presolve, merge cells that no published number tells apart (the same terms in every
    constraint and target: their sum is all that matters), then split the problem where no
    constraint links its parts."""
    n = attack.n_vars
    fixed, lb, ub, rows, bad = _presolve(attack)
    sig: dict[int, list] = {i: [] for i in range(n) if i not in fixed}
    for r, (form, _, _) in enumerate(rows):
        for i, v in form.items():
            sig[i].append((r, v))
    for t_i, t in enumerate(attack.targets):
        for i, v in t.form.items():
            if i in sig:
                sig[i].append(("t", t_i, v))
    for b_i, block in enumerate(attack.blocks):
        for i in block.ids.ravel().tolist():
            if i in sig:
                sig[i].append(("b", b_i, i))
    rep: dict[int, int] = {}
    groups: dict[tuple, list[int]] = {}
    for i, terms in sig.items():
        groups.setdefault(tuple(terms), []).append(i)
    members: dict[int, list[int]] = {}
    for group in groups.values():
        for i in group:
            rep[i] = group[0]
        members[group[0]] = group
    parent = {r: r for r in members}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(ids: list[int]) -> None:
        for j in ids[1:]:
            a, b = find(ids[0]), find(j)
            if a != b:
                parent[b] = a

    for form, _, _ in rows:
        join([rep[i] for i in form])
    for t in attack.targets:
        join([rep[i] for i in t.form if i in rep])
    by_root: dict[int, list[int]] = {}
    for r in members:
        by_root.setdefault(find(r), []).append(r)
    rows_of: dict[int, list[int]] = {}
    for r, (form, _, _) in enumerate(rows):
        rows_of.setdefault(find(rep[next(iter(form))]), []).append(r)
    which = np.full(n, -1)
    comps: list[_Component] = []
    for root, reps in by_root.items():
        pos = {m: k for k, r in enumerate(reps) for m in members[r]}
        mine = rows_of.get(root, [])
        data, ri, ci = [], [], []
        lo, hi = np.zeros(len(mine)), np.zeros(len(mine))
        for k, r in enumerate(mine):
            form, lo[k], hi[k] = rows[r]
            for i, v in form.items():
                if rep[i] == i:
                    data.append(v)
                    ri.append(k)
                    ci.append(pos[i])
        A = sparse.csr_matrix((data, (ri, ci)), shape=(len(mine), len(reps)))
        lbs = np.array([sum(lb[m] for m in members[r]) for r in reps])
        ubs = np.array([min(BIG, sum(ub[m] for m in members[r])) for r in reps])
        comp = _Component(np.array(reps), A, lo, hi, lbs, ubs)
        comp.pos = pos
        if truth is not None:
            comp.witnesses.append(np.array([truth[members[r]].sum() for r in reps]))
        for r in reps:
            which[members[r]] = len(comps)
        comps.append(comp)
    return comps, which, fixed, bad


def audit(attack: Attack, k: int, truth: np.ndarray | None = None,
          exhaustive: bool = True, exact: bool = False) -> Audit:
    """Bound every target of ``attack``; ``truth``: the true cells, if known (a witness);
    ``exact``: the whole-number interval of every hidden count of a table, even where the
    witnesses already show it wide enough (for reporting the narrowest)."""
    comps, which, fixed, bad = _components(attack, truth)
    result = Audit(k, [], list(attack.leaks))
    result.inconsistent += bad
    if truth is not None:
        wrong = [i for i, v in fixed.items() if truth[i] != v]
        if wrong:
            result.inconsistent.append(f"{len(wrong)} cell(s) read as fixed differ from the "
                                       "true counts")
    for comp in comps:
        if truth is not None:
            _check_truth(comp, result)
        if not comp.witnesses and comp.A.shape[0] and \
                comp.solve(np.zeros(len(comp.cols))) is None:
            result.inconsistent.append("no counts fit everything published")
    _spread(attack, comps, which, fixed, k)
    for t in attack.targets:
        const = sum(v * fixed[i] for i, v in t.form.items() if i in fixed)
        free = [i for i in t.form if i not in fixed]
        comp = comps[which[free[0]]] if free else None
        result.findings.append(_bound(comp, t, k, const, exact and t.kind == "cell"))
    if exhaustive:
        for block in attack.blocks:
            if block.checks:
                _search(block, comps, which, fixed, result, k, truth)
    return result


def _spread(attack: Attack, comps: list[_Component], which: np.ndarray,
            fixed: dict[int, float], k: int, rounds: int = 6) -> None:
    """Witnesses for many targets at once: push every undecided target of a component down
    (and the hidden counts also up) in one solve, while that decides some."""
    by_comp: dict[int, list[Target]] = {}
    for t in attack.targets:
        free = [i for i in t.form if i not in fixed]
        if free:
            by_comp.setdefault(int(which[free[0]]), []).append(t)
    for ci, targets in by_comp.items():
        comp = comps[ci]
        for _ in range(rounds):
            open_ = [t for t in targets if _undecided(comp, t, k)]
            if not open_:
                break
            before = len(open_)
            for sign in (1.0, -1.0):
                pushed = [t for t in open_ if sign > 0 or t.kind == "cell"]
                if pushed:
                    c = sum(comp.vector(t.form) for t in pushed)
                    comp.solve(sign * c)
            if sum(_undecided(comp, t, k) for t in open_) == before:
                break


def _undecided(comp: _Component, t: Target, k: int) -> bool:
    c = comp.vector(t.form)
    values = [float(c @ w) for w in comp.witnesses]
    if not values:
        return True
    # the constant part cancels in a width; for the other kinds, zero must be reachable
    lo, hi = min(values), max(values)
    return hi - lo + 1 < k if t.kind == "cell" else not (lo == 0 and not any(
        i for i in t.form if i not in comp.pos))


def _check_truth(comp: _Component, result: Audit) -> None:
    x = comp.witnesses[0]
    if comp.A.shape[0]:
        v = comp.A @ x
        bad = (v < comp.lo - 1e-6 * np.maximum(1, np.abs(comp.lo))) | \
            (v > comp.hi + 1e-6 * np.maximum(1, np.abs(comp.hi)))
        if bad.any() or (x < comp.lb).any() or (x > comp.ub).any():
            result.inconsistent.append(f"{int(bad.sum())} published constraint(s) do not "
                                       "hold for the true counts")
            comp.witnesses.clear()


def _verdict(t: Target, lo: float, hi: float, k: int) -> bool:
    """True when the interval is too narrow (see the module docstring)."""
    if t.kind == "cell":
        return hi - lo + 1 < k
    return lo >= 1 and hi <= k - 1


def _bound(comp: _Component | None, t: Target, k: int, const: float,
           exact: bool = False) -> Finding:
    """A target's interval: from the witnesses when they already show it wide enough
    (and ``exact`` is off), else from the relaxation when that shows it too narrow, else
    from whole-number solves."""
    if comp is None:  # every cell of it is fixed
        return Finding(t, const, const, _verdict(t, const, const, k))
    c = comp.vector(t.form)
    values = [float(c @ w) + const for w in comp.witnesses]
    wlo, whi = (min(values), max(values)) if values else (math.inf, -math.inf)
    if values and not exact and not _verdict(t, wlo, whi, k):
        return Finding(t, wlo, whi, False)
    lo_lp, lo = comp.relaxed(c)
    hi_lp, hi = comp.relaxed(-c)
    if lo_lp is None or hi_lp is None:
        return Finding(t, wlo, whi, _verdict(t, wlo, whi, k))
    low = math.ceil(lo_lp - 1e-6) + const
    high = math.floor(-hi_lp + 1e-6) + const
    if _verdict(t, low, high, k):  # too narrow even for the relaxation
        return Finding(t, low, high, True, "linear")
    if lo is None:
        x = comp.solve(c)
        lo = float(c @ x) if x is not None else lo_lp
    if hi is None:
        x = comp.solve(-c)
        hi = -float(-c @ x) if x is not None else -hi_lp
    else:
        hi = -hi
    lo, hi = lo + const, hi + const
    return Finding(t, lo, hi, _verdict(t, lo, hi, k))


def _search(block: Block, comps: list[_Component], which: np.ndarray,
            fixed: dict[int, float], result: Audit, k: int, truth: np.ndarray | None) -> None:
    """Fill in the block's cells every way the linear bounds allow; keep the fillings that
    reproduce every statistic shown."""
    ids = block.ids
    free = [int(i) for i in ids.ravel() if int(i) not in fixed]
    if not free:
        return
    comp = comps[which[free[0]]]
    if any(comps[which[i]] is not comp for i in free):
        return
    bounds = {}
    for i in ids.ravel().tolist():
        if i in fixed:
            bounds[i] = (int(fixed[i]), int(fixed[i]))
            continue
        c = comp.vector({i: 1.0})
        lo, hi = comp.solve(c, integer=False), comp.solve(-c, integer=False)
        if lo is None or hi is None:
            return
        bounds[i] = (math.ceil(c @ lo - 1e-6), math.floor(c @ hi + 1e-6))
    if all(a == b for a, b in bounds.values()):
        return
    rsum = [_range(comp, fixed, row.tolist()) for row in ids]
    csum = [_range(comp, fixed, col.tolist()) for col in ids.T]
    fills = _fillings(ids, bounds, rsum, csum)
    if fills is None:
        result.searched.append(f"{block.where}: more than {LIMIT} fillings (or {NODES} "
                               "partial ones), not searched")
        result.unsearched.add(block.result)
        return
    if truth is not None:
        true_table = truth[ids].astype(float)
        failing = [name for name, check in block.checks if not check(true_table)]
        if failing:
            result.inconsistent.append(f"{block.where}: the true table fails {failing[:3]}")
            return
    kept = [o for o in fills if all(check(o) for _, check in block.checks)]
    if len(kept) <= VERIFY:
        kept = [o for o in kept if comp.solve(np.zeros(len(comp.cols)), fixed={
            i: float(v) for i, v in zip(ids.ravel().tolist(), o.ravel(), strict=True)
            if i not in fixed}) is not None]
    result.searched.append(f"{block.where}: {len(fills)} fillings, {len(kept)} fit "
                           f"{len(block.checks)} published statistics")
    if not kept:
        return
    stack = np.stack(kept)
    inside = set(ids.ravel().tolist())
    for f in result.findings:
        if not set(f.target.form) <= inside:
            continue
        mask = np.vectorize(lambda i, form=f.target.form: form.get(int(i), 0.0))(ids)
        vals = (stack * mask).sum(axis=(1, 2))
        lo, hi = max(f.lo, float(vals.min())), min(f.hi, float(vals.max()))
        if (lo, hi) != (f.lo, f.hi):
            f.lo, f.hi, f.how = lo, hi, "exhaustive"
            f.failed = _verdict(f.target, lo, hi, k)


def _range(comp: _Component, fixed: dict[int, float], ids: list[int]) -> tuple[int, int]:
    """The linear bounds of a sum of cells."""
    const = sum(fixed[i] for i in ids if i in fixed)
    c = comp.vector({i: 1.0 for i in ids if i not in fixed})
    if not c.any():
        return int(const), int(const)
    lo, hi = comp.solve(c, integer=False), comp.solve(-c, integer=False)
    return (math.ceil(c @ lo + const - 1e-6) if lo is not None else 0,
            math.floor(c @ hi + const + 1e-6) if hi is not None else BIG)


def _fillings(ids: np.ndarray, bounds: dict[int, tuple[int, int]],
              rsum: list[tuple[int, int]], csum: list[tuple[int, int]]
              ) -> list[np.ndarray] | None:
    """Every table within the cell bounds whose row and column sums are within theirs;
    None if there are more than ``LIMIT``, or if finding them takes more than ``NODES``
    partial fillings (the row and column bounds can prune too little: a table the search
    gives up on is left to the linear bounds, as a larger one is). (Depth first over the
    cells row by row, in plain integers: what is left of a row or a column must still reach
    its bounds.)"""
    nr, nc = ids.shape
    lo = [[bounds[int(ids[i, j])][0] for j in range(nc)] for i in range(nr)]
    hi = [[bounds[int(ids[i, j])][1] for j in range(nc)] for i in range(nr)]
    row_lo_after = [[sum(lo[i][j + 1:]) for j in range(nc)] for i in range(nr)]
    row_hi_after = [[sum(hi[i][j + 1:]) for j in range(nc)] for i in range(nr)]
    col_lo_after = [[sum(lo[r][j] for r in range(i + 1, nr)) for j in range(nc)]
                    for i in range(nr)]
    col_hi_after = [[sum(hi[r][j] for r in range(i + 1, nr)) for j in range(nc)]
                    for i in range(nr)]
    row_now, col_now = [0] * nr, [0] * nc
    cur = [[0] * nc for _ in range(nr)]
    out: list[np.ndarray] = []
    nodes = 0

    def visit(i: int, j: int) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > NODES:
            return False
        if i == nr:
            out.append(np.array(cur, dtype=float))
            return len(out) <= LIMIT
        ni, nj = (i, j + 1) if j + 1 < nc else (i + 1, 0)
        r_lo, r_hi = rsum[i]
        c_lo, c_hi = csum[j]
        for v in range(lo[i][j], hi[i][j] + 1):
            r = row_now[i] + v
            c = col_now[j] + v
            if r + row_lo_after[i][j] > r_hi or c + col_lo_after[i][j] > c_hi:
                break
            if r + row_hi_after[i][j] < r_lo or c + col_hi_after[i][j] < c_lo:
                continue
            cur[i][j] = v
            row_now[i], col_now[j] = r, c
            ok = visit(ni, nj)
            row_now[i], col_now[j] = r - v, c - v
            if not ok:
                return False
        return True

    return out if visit(0, 0) else None
