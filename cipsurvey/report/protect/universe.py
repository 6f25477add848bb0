"""The attacker's unknowns: how many respondents hold each combination of answers.

A *universe* is the cross-classification of a few variables (one level per answer code, or
per value of a count, plus a level for "missing") within the respondents that satisfy some
conditions (a subset of the wave). Its cells are the unknowns of the attacker problem: every
published count, total and percentage is a linear form over them (a sum of cells, or a sum
of cells minus a multiple of another sum). Tables computed on the same respondents share a
universe, and universes of the same conditions share their margins, which is how "the same
cells in other tables" enter the attack.

Subsets written as a conjunction of ``item == answer`` and ``item in [...]`` become
conditions, and a condition on a variable the table itself classifies by becomes a
restriction of that universe (so that "work area in social services, psychiatry and
substance use" and "all work areas" share their cells). Any other subset is kept as an
opaque condition that links only to tables with the same subset.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...instrument import Instrument, ItemType, expr

NA = "NA"  # the level of a missing answer


class _Token:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ANY = _Token("ANY")            # every level, missing included
ANSWERED = _Token("ANSWERED")  # every level but missing

Matcher = float | str | _Token | frozenset | Callable[[float], bool]
Form = dict[int, float]
# a count variable is given one level per value up to this many values; longer ranges
# (and numbers that need not be whole) get two levels, answered and missing
MAX_VALUES = 400


def form_key(form: Form) -> tuple[tuple[int, float], ...]:
    """A hashable, canonical key of a linear form (the same sum, the same key)."""
    return tuple(sorted((i, float(c)) for i, c in form.items() if c))


def add_forms(*forms: tuple[Form, float]) -> Form:
    """Σ coef · form."""
    out: Form = {}
    for f, coef in forms:
        for i, c in f.items():
            out[i] = out.get(i, 0.0) + coef * c
    return {i: c for i, c in out.items() if c}


@dataclass
class Universe:
    """The cells of one cross-classification; cell ids are ``offset`` + position."""

    index: int
    conds: tuple
    vars: tuple[str, ...]
    levels: tuple[tuple[Any, ...], ...]
    offset: int
    valued: tuple[bool, ...]  # per variable: levels are the values themselves
    cells: list[tuple[Any, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cells = list(itertools.product(*self.levels))
        # each cell's position among each variable's levels (cells × variables)
        self.grid = np.array(list(itertools.product(*(range(len(lv)) for lv in self.levels))),
                             dtype=np.int64).reshape(len(self.cells), len(self.vars))

    @property
    def size(self) -> int:
        """The number of cells."""
        return len(self.cells)

    def ids(self, spec: dict[str, Matcher], restrict: dict[str, frozenset] | None = None
            ) -> list[int]:
        """The ids of the cells matching ``spec`` (variable → matcher) within ``restrict``."""
        mask = np.ones(len(self.cells), dtype=bool)
        for k, v in enumerate(self.vars):
            test = _matcher(spec.get(v, ANY))
            allowed = (restrict or {}).get(v)
            ok = np.array([test(lv) and (allowed is None or lv in allowed)
                           for lv in self.levels[k]], dtype=bool)
            if not ok.all():
                mask &= ok[self.grid[:, k]]
        return (np.flatnonzero(mask) + self.offset).tolist()

    def cell_id(self, values: tuple[Any, ...]) -> int | None:
        """The id of one cell, by its level on every variable."""
        try:
            pos = 0
            for k, value in enumerate(values):
                pos = pos * len(self.levels[k]) + self.levels[k].index(value)
        except ValueError:
            return None
        return self.offset + pos


def _matcher(m: Matcher) -> Callable[[Any], bool]:
    if m is ANY:
        return lambda level: True
    if m is ANSWERED:
        return lambda level: level != NA
    if isinstance(m, frozenset):
        return lambda level: level in m
    if callable(m):
        return lambda level: level != NA and level != "answered" and bool(m(level))
    if m == NA:
        return lambda level: level == NA
    target = float(m)
    return lambda level: level != NA and level != "answered" and float(level) == target


@dataclass(frozen=True)
class Scope:
    """A universe seen through one analysis' subset: its restrictions on the universe's own
    variables."""

    universe: Universe
    restrict: tuple[tuple[str, frozenset], ...] = ()

    def form(self, spec: dict[str, Matcher]) -> Form:
        """The sum of the cells matching ``spec`` within the scope."""
        return dict.fromkeys(self.universe.ids(spec, dict(self.restrict)), 1.0)

    def total(self) -> Form:
        """The sum of every cell within the scope."""
        return self.form({})


class Universes:
    """Every universe the attacker builds for one report, with the levels the instrument
    gives each variable."""

    def __init__(self, instrument: Instrument) -> None:
        self.inst = instrument
        self.variables = instrument.variables()
        self.by_key: dict[tuple, Universe] = {}
        self.size = 0

    # ------------------------------------------------------------------ levels

    def levels(self, var: str) -> tuple[tuple[Any, ...], bool]:
        """A variable's levels (missing last) and whether they are its values."""
        item = self.inst.item_map.get(var)
        source = item or self.inst.derived_map.get(var)
        if source is not None and source.choices:
            return (*(float(c.code) for c in source.choices), NA), True
        if item is not None and item.type == ItemType.count and item.range is not None \
                and item.range.min is not None and item.range.max is not None \
                and item.range.max - item.range.min <= MAX_VALUES:
            lo, hi = int(item.range.min), int(item.range.max)
            return (*(float(v) for v in range(lo, hi + 1)), NA), True
        if self._option(var):
            return (0.0, 1.0, NA), True
        return ("answered", NA), False

    def _option(self, column: str) -> bool:
        return any(i.type == ItemType.multiple_choice and column in i.columns
                   for i in self.inst.items)

    # ------------------------------------------------------------------ subsets

    def conditions(self, subset: str | None) -> tuple[dict[str, frozenset], tuple]:
        """A subset as simple conditions (variable → allowed codes), or an opaque key."""
        if not subset:
            return {}, ()
        try:
            tree = expr.parse(subset)
        except expr.ExpressionError:
            return {}, (("<subset>", subset),)
        parts = tree.operands if isinstance(tree, expr.BoolOp) and tree.op == "and" \
            else (tree,)
        conds: dict[str, frozenset] = {}
        for part in parts:
            found = self._condition(part)
            if found is None:
                return {}, (("<subset>", expr.normalise(subset)),)
            var, codes = found
            conds[var] = conds[var] & codes if var in conds else codes
        return conds, ()

    def _condition(self, node: Any) -> tuple[str, frozenset] | None:
        if isinstance(node, expr.Compare) and node.op == "==":
            name, lit = (node.left, node.right) if isinstance(node.left, expr.Name) \
                else (node.right, node.left)
            if isinstance(name, expr.Name) and isinstance(lit, expr.Literal):
                code = self._code(name.name, lit.value)
                return None if code is None else (name.name, frozenset([code]))
        if isinstance(node, expr.In) and not node.negated and isinstance(node.operand,
                                                                           expr.Name):
            codes = [self._code(node.operand.name, v.value) for v in node.values]
            if None not in codes:
                return node.operand.name, frozenset(codes)
        return None

    def _code(self, name: str, value: Any) -> float | None:
        var = self.variables.get(name)
        if var is None or var.kind not in ("choice", "numeric"):
            return None
        if var.kind == "numeric":
            return float(value) if isinstance(value, float) else None
        return expr.answer_code(var, value)

    # ------------------------------------------------------------------ universes

    def _key(self, subset: str | None, variables: Iterable[str]) -> tuple[tuple, tuple]:
        conds, opaque = self.conditions(subset)
        vars_ = tuple(sorted(dict.fromkeys(variables)))
        outside = tuple(sorted((v, tuple(sorted(c))) for v, c in conds.items()
                               if v not in vars_)) + opaque
        restrict = tuple(sorted((v, c) for v, c in conds.items() if v in vars_))
        return (outside, vars_), restrict

    def find(self, subset: str | None, variables: Iterable[str]) -> Universe | None:
        """The universe of ``variables`` within ``subset`` if it exists."""
        return self.by_key.get(self._key(subset, variables)[0])

    def of_id(self, i: int) -> Universe:
        """The universe a cell id belongs to."""
        for u in self.by_key.values():
            if u.offset <= i < u.offset + u.size:
                return u
        raise KeyError(i)

    def scope(self, subset: str | None, variables: Iterable[str]) -> Scope:
        """The universe of ``variables`` within ``subset``, created on first use."""
        key, restrict = self._key(subset, variables)
        vars_ = key[1]
        outside = key[0]
        if key not in self.by_key:
            levels, valued = zip(*(self.levels(v) for v in vars_), strict=True)
            u = Universe(len(self.by_key), outside, vars_, tuple(levels), self.size,
                         tuple(valued))
            self.by_key[key] = u
            self.size += u.size
        return Scope(self.by_key[key], restrict)

    def all(self) -> list[Universe]:
        """Every universe, in the order built."""
        return list(self.by_key.values())

    def links(self) -> list[tuple[Form, str]]:
        """Equalities between universes: the same respondents counted twice.

        Universes of the same conditions have the same total and, for each variable they
        share, the same margin (missing included). A universe whose conditions are another
        one's plus ``v in A``, where the other classifies by ``v``, has as its total the
        other's respondents with ``v`` in ``A``.
        """
        out: list[tuple[Form, str]] = []
        groups: dict[tuple, list[Universe]] = {}
        for u in self.by_key.values():
            groups.setdefault(u.conds, []).append(u)
        for conds, members in groups.items():
            first = members[0]
            for other in members[1:]:
                out.append((add_forms((_total(first), 1.0), (_total(other), -1.0)),
                            f"same respondents ({conds or 'all'})"))
                for var in set(first.vars) & set(other.vars):
                    k1, k2 = first.vars.index(var), other.vars.index(var)
                    for level in first.levels[k1]:
                        f1 = _level_form(first, k1, level)
                        f2 = _level_form(other, k2, level)
                        out.append((add_forms((f1, 1.0), (f2, -1.0)),
                                    f"same margin of {var}"))
            # a variable shared only with universes of other conditions: chain by var
        for u in self.by_key.values():
            for k, (var, codes) in enumerate(u.conds):
                if var == "<subset>":
                    continue
                rest = u.conds[:k] + u.conds[k + 1:]
                wider = next((w for w in groups.get(rest, []) if var in w.vars), None)
                if wider is None:
                    continue
                allowed = {float(c) for c in codes}
                f = dict.fromkeys(wider.ids({var: frozenset(allowed)}), 1.0)
                out.append((add_forms((_total(u), 1.0), (f, -1.0)),
                            f"the subset {var} in {sorted(allowed)}"))
        return out


def _total(u: Universe) -> Form:
    return dict.fromkeys(range(u.offset, u.offset + u.size), 1.0)


def _level_form(u: Universe, k: int, level: Any) -> Form:
    at = u.levels[k].index(level)
    return dict.fromkeys((np.flatnonzero(u.grid[:, k] == at) + u.offset).tolist(), 1.0)
