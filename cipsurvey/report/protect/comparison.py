"""Disclosure control for a comparison of waves (``cipsurvey compare --min-cell K``).

One pass over the comparison's results before anything is rendered or echoed:

1. *primary*: every count of people from 1 to K − 1 is hidden; every statistic of a row
   whose group is smaller than K, or whose share rests on 1 to K − 1 people (numerator or
   complement, at base, follow-up and among the linked, and the linked's discordant and
   concordant pairs) is withheld; a test across groups with a hidden group is withheld;
2. *secondary*: the counts that add up to a total the reader can know (files and course
   occasions to the wave, cohorts to the indicator's total, the trait levels' followed and
   lost to the level's baseline count, the linkage groups to the waves, the groups of the
   change by group to their total, base + follow-up to the whole sample) are audited by
   linear programming (:func:`audit_tables`); a hidden count narrowed to fewer than K
   values gets the smallest shown count of its family hidden beside it, until the audit
   holds (a family with nothing left to hide is withheld whole);
3. the figures, the summary sentences, the methods paragraph and the notes are rebuilt
   from the protected tables.

The attacker (:func:`audit_tables`, :func:`audit_json`) reads the published tables only;
beside them it is given, conservatively, every total of a family (what the wave reports
and the comparison itself can publish): :attr:`ComparisonProtection.totals`.
docs/disclosure-control.md ("Comparisons of waves") states the rules.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import linprog

from ...analysis import tables as T
from ...lang import text

ROUNDS = 40

#: the columns of each table that count people
COUNTS: dict[str, tuple[str, ...]] = {
    "rates": ("responded", "invited"),
    "linkage": ("n",),
    "attrition": ("n_followed", "n_lost"),
    "weights_model": ("n", "n_responded"),
    "weights_diagnostics": ("n", "n_extreme", "n_trimmed"),
    "change": ("n_base", "n_follow", "linked_n", "whole_n", "whole_people", "weighted_n"),
    "distribution": ("n",),
    "by_group": ("n",),
    "cohorts": ("n",),
    "wave_values": ("n",),
    "wave_models": ("n", "people"),
    "planning": ("n",),
}

#: the statistics of a row, withheld together
STATS: dict[str, tuple[str, ...]] = {
    "rates": ("percent", "conf_low", "conf_high"),
    "attrition": ("followed", "lost", "smd", "statistic", "df", "p"),
    "change": ("base", "follow", "linked_base", "linked_follow", "linked_change", "linked_low",
               "linked_high", "linked_p", "d_z", "whole_change", "whole_low", "whole_high",
               "whole_p", "weighted_ess", "weighted_follow", "weighted_change",
               "weighted_low", "weighted_high", "weighted_p", "p", "significant", "mde_all",
               "mde", "linked_discordant"),
    "distribution": ("statistic", "df", "p"),
    "by_group": ("change", "conf_low", "conf_high", "statistic", "df", "p", "p_anova",
                 "mde_f"),
    "cohorts": ("estimate", "conf_low", "conf_high"),
    "heterogeneity": ("statistic", "df", "p", "note"),
    "wave_values": ("estimate", "conf_low", "conf_high"),
    "wave_models": ("estimate", "conf_low", "conf_high", "statistic", "df", "p"),
}

Cell = tuple[str, str, int, str]  # result id, table, row position, column


@dataclass
class Family:
    """Counts the reader can relate: ``atoms`` (cells, or None for a count the comparison
    does not print), their published values (None where hidden) and linear constraints
    ``lo <= sum(c * x) <= hi`` over the atoms' positions."""

    name: str
    atoms: list[Cell | None] = field(default_factory=list)
    values: list[float | None] = field(default_factory=list)
    constraints: list[tuple[dict[int, float], float, float]] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)

    def atom(self, cell: Cell | None, value: Any, upper: float = math.inf) -> int:
        """Add an atom (a count) and return its position."""
        self.atoms.append(cell)
        self.values.append(None if _missing(value) else float(value))
        self.upper.append(upper)
        return len(self.atoms) - 1

    def equal(self, coefs: dict[int, float], value: float) -> None:
        """Constrain ``sum(c * x) == value``."""
        self.constraints.append((coefs, value, value))

    def at_most(self, coefs: dict[int, float], value: float) -> None:
        """Constrain ``sum(c * x) <= value``."""
        self.constraints.append((coefs, -math.inf, value))


@dataclass
class Failure:
    """A hidden count the attacker narrowed to fewer than K values (or a count shown)."""

    family: str
    cell: Cell | None
    low: float
    high: float

    def text(self) -> str:
        """Where, and the range found."""
        where = ".".join(str(x) for x in self.cell) if self.cell else "?"
        return f"{self.family}: {where} in [{self.low:g}, {self.high:g}]"


@dataclass
class CompareAudit:
    """What the attacker found: failures, and how many hidden counts it bounded."""

    failures: list[Failure] = field(default_factory=list)
    bounded: int = 0
    narrowest: float = math.inf

    @property
    def held(self) -> bool:
        """True when no hidden count could be narrowed to fewer than K values."""
        return not self.failures

    def problems(self) -> list[str]:
        """The failures as short texts."""
        return [f.text() for f in self.failures]

    def record(self) -> dict[str, Any]:
        """What results.json records of the audit."""
        return {"held": self.held, "hidden_bounded": self.bounded,
                "narrowest": None if math.isinf(self.narrowest) else self.narrowest}


@dataclass
class ComparisonProtection:
    """What the protection did to a comparison, and the audit of the result."""

    k: int
    cells: int = 0
    statistics: int = 0
    tables: int = 0
    rounds: int = 0
    totals: dict[str, float] = field(default_factory=dict)
    audit: CompareAudit | None = None

    @property
    def held(self) -> bool:
        """True when the audit held (or no protection was asked for)."""
        return self.audit is None or self.audit.held


# --------------------------------------------------------------------------- helpers


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or (
        isinstance(v, str) and v == "")


def _num(v: Any) -> float:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return math.nan
    return x


def _small(v: Any, k: int) -> bool:
    x = _num(v)
    return math.isfinite(x) and 0.5 <= x < k - 0.5


def _small_count(x: float, k: int) -> bool:
    """A count (possibly computed from a share) from 1 to K − 1."""
    return math.isfinite(x) and 0.5 <= round(x, 6) < k - 0.5 + 1e-9


def frames_of(results: list[Any]) -> dict[str, pd.DataFrame]:
    """The results' tables keyed ``result_id.table`` (as published)."""
    return {f"{r.id}.{name}": frame for r in results for name, frame in r.tables.items()}


def frames_of_json(payload: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The tables of a written results.json keyed ``result_id.table``."""
    out = {}
    for r in payload["results"]:
        for name, t in (r.get("tables") or {}).items():
            out[f"{r['id']}.{name}"] = pd.DataFrame(t["rows"], columns=t["columns"])
    return out


def _published(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables as the JSON writer publishes them (NaN as null), read back."""
    out = {}
    for key, f in frames.items():
        split = json.loads(f.to_json(orient="split", index=False, default_handler=str))
        out[key] = pd.DataFrame(split["data"], columns=split["columns"])
    return out


def _get(frames: dict[str, pd.DataFrame], key: str) -> pd.DataFrame | None:
    return frames.get(key)


# --------------------------------------------------------------------------- families


def families(frames: dict[str, pd.DataFrame], totals: dict[str, float]) -> list[Family]:
    """The families of counts the attacker relates, from the published tables and the
    totals it is assumed to know."""
    out: list[Family] = []
    rates = _get(frames, "response_rates.rates")
    waves: dict[str, float] = {}
    if rates is not None:
        for wave, part in rates.groupby("wave_id", sort=False):
            for level in ("file", "cohort"):
                rows = part[part["level"] == level]
                if not len(rows):
                    continue
                fam = Family(f"rates:{level}:{wave}")
                ids = []
                for i, r in rows.iterrows():
                    inv = _num(r["invited"])
                    ids.append(fam.atom(("response_rates", "rates", int(i), "responded"),
                                        r["responded"], inv if math.isfinite(inv) else math.inf))
                total = totals.get(fam.name)
                if total is not None:
                    fam.equal(dict.fromkeys(ids, 1.0), total)
                out.append(fam)
            whole = part[part["level"] == "wave"]
            if len(whole):
                waves[str(wave)] = _num(whole["responded"].iloc[0])
    linkage = _get(frames, "linkage.linkage")
    if linkage is not None:
        fam = Family("linkage")
        pos = {r["group"]: fam.atom(("linkage", "linkage", int(i), "n"), r["n"])
               for i, r in linkage.iterrows()}
        for side, groups in (("base", ("both", "base_only", "twice_base", "no_key_base")),
                             ("follow", ("both", "follow_only", "twice_follow",
                                         "no_key_follow"))):
            total = totals.get(f"linkage:{side}")
            if total is not None:
                fam.equal({pos[g]: 1.0 for g in groups if g in pos}, total)
        out.append(fam)
    att = _get(frames, "attrition.attrition")
    if att is not None:
        out.extend(_attrition_families(att, totals))
    change = _get(frames, "change.change")
    if change is not None:
        out.extend(_change_families(change, totals))
    by = _get(frames, "change_by_group.by_group")
    if by is not None:
        for ind, part in by.groupby("indicator", sort=False):
            fam = Family(f"by_group:{ind}")
            ids = [fam.atom(("change_by_group", "by_group", int(i), "n"), r["n"])
                   for i, r in part.iterrows()]
            total = totals.get(fam.name)
            if total is not None:
                fam.equal(dict.fromkeys(ids, 1.0), total)
            out.append(fam)
    co = _get(frames, "cohorts.cohorts")
    if co is not None and len(co):
        for (wave, ind), part in co.groupby(["wave_id", "indicator"], sort=False):
            fam = Family(f"cohorts:{wave}:{ind}")
            ids = [fam.atom(("cohorts", "cohorts", int(i), "n"), r["n"])
                   for i, r in part.iterrows()]
            total = totals.get(fam.name)
            if total is not None:
                fam.equal(dict.fromkeys(ids, 1.0), total)
            out.append(fam)
    return out


def _attrition_families(att: pd.DataFrame, totals: dict[str, float]) -> list[Family]:
    out = []
    for trait, part in att.groupby("trait", sort=False):
        fam = Family(f"attrition:{trait}")
        first = part.iloc[0]
        nf = fam.atom(("attrition", "attrition", int(part.index[0]), "n_followed"),
                      first["n_followed"])
        nl = fam.atom(("attrition", "attrition", int(part.index[0]), "n_lost"),
                      first["n_lost"])
        if first["unit"] == "mean":
            if f"attrition:{trait}" in totals:
                fam.equal({nf: 1.0, nl: 1.0}, totals[f"attrition:{trait}"])
            out.append(fam)
            continue
        xs_f, xs_l = {}, {}
        for i, r in part.iterrows():
            # a level's count among the followed and the lost: fixed by its published share
            # and the group's n (the n is known: a total the reader has)
            nfv, nlv = fam.values[nf], fam.values[nl]
            xf = fam.atom(("attrition", "attrition", int(i), "followed"),
                          None if _missing(r["followed"]) or nfv is None
                          else _num(r["followed"]) * nfv / 100)
            xl = fam.atom(("attrition", "attrition", int(i), "lost"),
                          None if _missing(r["lost"]) or nlv is None
                          else _num(r["lost"]) * nlv / 100)
            xs_f[i], xs_l[i] = xf, xl
            level_total = totals.get(f"attrition:{trait}:level:{_num(r['level']):g}")
            if level_total is not None:
                fam.equal({xf: 1.0, xl: 1.0}, level_total)
        fam.equal({**dict.fromkeys(xs_f.values(), 1.0), nf: -1.0}, 0.0)
        fam.equal({**dict.fromkeys(xs_l.values(), 1.0), nl: -1.0}, 0.0)
        out.append(fam)
    return out


def _change_families(change: pd.DataFrame, totals: dict[str, float]) -> list[Family]:
    """Per indicator: base + follow-up = whole sample; the linked within both; each within
    its wave."""
    out = []
    for ind, part in change.groupby("indicator", sort=False):
        fam = Family(f"change:{ind}")
        i = int(part.index[0])
        pos = {}
        for col in COUNTS["change"]:
            if col in part:
                upper = {"n_base": totals.get("wave:base", math.inf),
                         "n_follow": totals.get("wave:follow", math.inf)}.get(col, math.inf)
                pos[col] = fam.atom(("change", "change", i, col), part[col].iloc[0], upper)
        if {"n_base", "n_follow", "whole_n"} <= set(pos):
            fam.equal({pos["n_base"]: 1.0, pos["n_follow"]: 1.0, pos["whole_n"]: -1.0}, 0.0)
        if "linked_n" in pos:
            fam.at_most({pos["linked_n"]: 1.0, pos["n_base"]: -1.0}, 0.0)
            fam.at_most({pos["linked_n"]: 1.0, pos["n_follow"]: -1.0}, 0.0)
        if "whole_people" in pos:
            fam.at_most({pos["whole_people"]: 1.0, pos["whole_n"]: -1.0}, 0.0)
        out.append(fam)
    return out


def known_totals(frames: dict[str, pd.DataFrame], k: int) -> dict[str, float]:
    """The totals the reader is assumed to know (from the wave reports and the comparison),
    computed from the unprotected tables: each family's sum, the waves' sizes, and each
    trait level's baseline count where it is at least K (a wave report may publish it)."""
    t: dict[str, float] = {}
    rates = frames.get("response_rates.rates")
    if rates is not None:
        for wave, part in rates.groupby("wave_id", sort=False):
            for level in ("file", "cohort"):
                rows = part[part["level"] == level]
                if len(rows):
                    t[f"rates:{level}:{wave}"] = float(rows["responded"].sum())
    linkage = frames.get("linkage.linkage")
    if linkage is not None:
        n = dict(zip(linkage["group"], linkage["n"], strict=True))
        t["linkage:base"] = float(sum(n.get(g, 0) for g in ("both", "base_only", "twice_base",
                                                             "no_key_base")))
        t["linkage:follow"] = float(sum(n.get(g, 0) for g in ("both", "follow_only",
                                                               "twice_follow", "no_key_follow")))
    att = frames.get("attrition.attrition")
    if att is not None:
        for trait, part in att.groupby("trait", sort=False):
            nf, nl = float(part["n_followed"].iloc[0]), float(part["n_lost"].iloc[0])
            if part["unit"].iloc[0] == "mean":
                t[f"attrition:{trait}"] = nf + nl
                continue
            for _, r in part.iterrows():
                level = round(r["followed"] * nf / 100) + round(r["lost"] * nl / 100)
                if level >= k:
                    t[f"attrition:{trait}:level:{float(r['level']):g}"] = float(level)
    by = frames.get("change_by_group.by_group")
    if by is not None:
        for ind, part in by.groupby("indicator", sort=False):
            t[f"by_group:{ind}"] = float(part["n"].sum())
    co = frames.get("cohorts.cohorts")
    if co is not None and len(co):
        for (wave, ind), part in co.groupby(["wave_id", "indicator"], sort=False):
            t[f"cohorts:{wave}:{ind}"] = float(part["n"].sum())
    if rates is not None:
        whole = rates[rates["level"] == "wave"]
        ids = list(dict.fromkeys(whole["wave_id"]))
        if ids:
            t["wave:base"] = float(whole["responded"].iloc[0])
            t["wave:follow"] = float(whole["responded"].iloc[-1])
    return t


# --------------------------------------------------------------------------- the attacker


def _bounds(fam: Family) -> dict[int, tuple[float, float]]:
    """The LP bounds (HiGHS) of each hidden atom of a family given everything else."""
    hidden = [i for i, v in enumerate(fam.values) if v is None]
    if not hidden:
        return {}
    col = {a: j for j, a in enumerate(hidden)}
    a_ub, b_ub, a_eq, b_eq = [], [], [], []
    for coefs, lo, hi in fam.constraints:
        row = np.zeros(len(hidden))
        const = 0.0
        for a, c in coefs.items():
            if a in col:
                row[col[a]] += c
            else:
                const += c * fam.values[a]
        if not row.any():
            continue
        if lo == hi:
            a_eq.append(row)
            b_eq.append(lo - const)
        else:
            if math.isfinite(hi):
                a_ub.append(row)
                b_ub.append(hi - const)
            if math.isfinite(lo):
                a_ub.append(-row)
                b_ub.append(const - lo)
    bounds = [(0, None if math.isinf(fam.upper[a]) else fam.upper[a]) for a in hidden]
    out = {}
    kw = {"A_ub": np.array(a_ub) if a_ub else None, "b_ub": b_ub or None,
          "A_eq": np.array(a_eq) if a_eq else None, "b_eq": b_eq or None,
          "bounds": bounds, "method": "highs"}
    for a, j in col.items():
        c = np.zeros(len(hidden))
        c[j] = 1.0
        lo = linprog(c, **kw)
        hi = linprog(-c, **kw)
        low = lo.fun if lo.status == 0 else math.nan
        high = -hi.fun if hi.status == 0 else (math.inf if hi.status == 3 else math.nan)
        out[a] = (low, high)
    return out


def audit_tables(frames: dict[str, pd.DataFrame], totals: dict[str, float],
                 k: int) -> CompareAudit:
    """The attacker on published tables: every count of people from 1 to K − 1 still shown,
    and every hidden count whose feasible range (LP bounds from the published counts, the
    published shares and the known totals) holds fewer than K whole numbers."""
    audit = CompareAudit()
    for key, frame in frames.items():
        table = key.split(".", 1)[1]
        for col in COUNTS.get(table, ()):
            if col not in frame:
                continue
            for i, v in frame[col].items():
                if table == "planning" and frame.loc[i, "what"] != "mde":
                    continue  # a sample size needed, not a count of people
                if _small(v, k):
                    rid = key.split(".", 1)[0]
                    audit.failures.append(Failure("shown", (rid, table, int(i), col),
                                                  _num(v), _num(v)))
    for fam in families(frames, totals):
        prior: dict[int, tuple[float, float]] | None = None
        for a, (low, high) in _bounds(fam).items():
            audit.bounded += 1
            if math.isnan(low) or math.isnan(high):
                audit.failures.append(Failure(fam.name + " (inconsistent)", fam.atoms[a],
                                              low, high))
                continue
            values = _whole_values(low, high)
            audit.narrowest = min(audit.narrowest, values)
            if values >= k or fam.atoms[a] is None:
                continue
            # within a group the reader knows to be smaller than K, a count can take fewer
            # than K values whatever is published: it fails only when what the comparison
            # publishes narrows it beyond what the known totals alone allow
            if prior is None:
                prior = _bounds(replace(fam, values=[None] * len(fam.values)))
            if values < _whole_values(*prior[a]):
                audit.failures.append(Failure(fam.name, fam.atoms[a], low, high))
    return audit


def _whole_values(low: float, high: float) -> float:
    """How many whole numbers lie in [low, high]."""
    if math.isinf(high):
        return math.inf
    return math.floor(high + 1e-6) - math.ceil(low - 1e-6) + 1


def audit_json(payload: dict[str, Any], totals: dict[str, float], k: int) -> CompareAudit:
    """The attacker on a written results.json of a comparison (what a reader of the files
    can do), given the totals it is assumed to know."""
    return audit_tables(frames_of_json(payload), totals, k)


# --------------------------------------------------------------------------- protection


class _State:
    """What is hidden: count cells, rows whose statistics are withheld, whole tables."""

    def __init__(self) -> None:
        self.cells: set[Cell] = set()
        self.rows: set[tuple[str, str, int]] = set()
        self.tables: set[tuple[str, str]] = set()


def protect_comparison(comparison: Any, k: int) -> ComparisonProtection:
    """Protect ``comparison`` (from :func:`cipsurvey.analysis.compare.compare`) in place at
    threshold ``k``: tables, figures, summary, methods and notes (nothing below 2)."""
    out = ComparisonProtection(k)
    if k <= 1:
        return out
    originals = {r.id: {n: f.copy() for n, f in r.tables.items()} for r in comparison.results}
    notes = {r.id: list(r.notes) for r in comparison.results}
    truth = frames_of(comparison.results)
    out.totals = known_totals(truth, k)
    state = _State()
    _primary(truth, state, k)
    audit = None
    for out.rounds in range(1, ROUNDS + 1):
        published = _apply(comparison, originals, notes, state, k)
        audit = audit_tables(_published(frames_of(comparison.results)), out.totals, k)
        if audit.held or not _widen(audit, published, state, k):
            break
    out.audit = audit
    out.cells, out.statistics = _tally(truth, frames_of(comparison.results))
    out.tables = len(state.tables)
    comparison.protection = {"min_cell": k, "audit": audit.record() if audit else None,
                             "hidden": out.cells, "withheld_statistics": out.statistics,
                             "withheld_tables": out.tables}
    return out


def _tally(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> tuple[int, int]:
    """How many counts were hidden, and how many rows' statistics withheld (a figure's data
    repeats a table and is not counted)."""
    cells = statistics = 0
    for key, f in before.items():
        table = key.split(".", 1)[1]
        g = after.get(key)
        if g is None or table == T.DATA or len(g) != len(f):
            continue
        for col in COUNTS.get(table, ()):
            if col in f:
                cells += int((f[col].notna() & g[col].isna()).sum())
        cols = [c for c in STATS.get(table, ()) if c in f and c != "note"]
        if cols:
            lost = f[cols].notna().to_numpy() & g[cols].isna().to_numpy()
            statistics += int(lost.any(axis=1).sum())
    return cells, statistics


def _primary(frames: dict[str, pd.DataFrame], state: _State, k: int) -> None:
    """Primary suppression on the true tables."""
    for key, frame in frames.items():
        rid, table = key.split(".", 1)
        for col in COUNTS.get(table, ()):
            if col not in frame:
                continue
            for i, v in frame[col].items():
                if table == "planning" and frame.loc[i, "what"] != "mde":
                    continue
                if _small(v, k):
                    state.cells.add((rid, table, int(i), col))
                    state.rows.add((rid, table, int(i)))
    rates = frames.get("response_rates.rates")
    if rates is not None:
        for i, r in rates.iterrows():
            n, of = _num(r["responded"]), _num(r["invited"])
            if math.isfinite(of) and _small_count(of - n, k):  # the non-responders
                state.cells.add(("response_rates", "rates", int(i), "responded"))
                state.rows.add(("response_rates", "rates", int(i)))
    att = frames.get("attrition.attrition")
    if att is not None:
        for i, r in att.iterrows():
            if r["unit"] == "mean":
                continue
            for col, n in (("followed", r["n_followed"]), ("lost", r["n_lost"])):
                x = _num(r[col]) * _num(n) / 100
                if _small_count(x, k) or _small_count(_num(n) - x, k):
                    state.cells.add(("attrition", "attrition", int(i), col))
    change = frames.get("change.change")
    if change is not None:
        for i, r in change.iterrows():
            if _change_row_small(r, k):
                state.rows.add(("change", "change", int(i)))
    for key, col, n_col in (("cohorts.cohorts", "estimate", "n"),
                            ("across_waves.wave_values", "estimate", "n")):
        f = frames.get(key)
        if f is None:
            continue
        rid, table = key.split(".", 1)
        for i, r in f.iterrows():
            if r["unit"] != "percent":
                continue
            x = _num(r[col]) * _num(r[n_col]) / 100
            if _small_count(x, k) or _small_count(_num(r[n_col]) - x, k):
                state.rows.add((rid, table, int(i)))
    by = frames.get("change_by_group.by_group")
    if by is not None:
        for i, r in by.iterrows():
            if r["unit"] == "points" and _changers_small(r, k):
                state.rows.add(("change_by_group", "by_group", int(i)))


def _change_row_small(r: pd.Series, k: int) -> bool:
    """A change row whose statistics rest on 1 to K − 1 people: a share's numerator or
    complement at base or follow-up, a cell of the linked's paired table (those who stayed
    yes, stayed no, moved up, moved down), or those in a wave but not linked."""
    counts = []
    nb, nf, ln = _num(r["n_base"]), _num(r["n_follow"]), _num(r.get("linked_n"))
    if math.isfinite(ln):
        counts += [nb - ln, nf - ln]
    if r["unit"] == "points":
        yb, yf = _num(r["base"]) * nb / 100, _num(r["follow"]) * nf / 100
        counts += [yb, nb - yb, yf, nf - yf]
        if math.isfinite(ln):
            y0, y1 = _num(r["linked_base"]) * ln / 100, _num(r["linked_follow"]) * ln / 100
            disc = _num(r.get("linked_discordant")) * ln
            b = (disc - (y1 - y0)) / 2  # yes at base, no at follow-up
            c = disc - b
            a = y0 - b
            counts += [disc, b, c, a, ln - a - b - c, y0 - yb, (ln - y0) - (nb - yb),
                       y1 - yf, (ln - y1) - (nf - yf)]
    return any(_small_count(abs(x), k) for x in counts if math.isfinite(x))


def _changers_small(r: pd.Series, k: int) -> bool:
    """A group's change of a share (mean of −100, 0, 100 with its t interval) gives how
    many moved up and how many down: either from 1 to K − 1."""
    n, mean = _num(r["n"]), _num(r["change"])
    if not (math.isfinite(n) and n >= 2 and math.isfinite(mean)):
        return False
    half = (_num(r["conf_high"]) - _num(r["conf_low"])) / 2
    t = stats.t.ppf(0.975, n - 1)
    s2 = (half * math.sqrt(n) / t) ** 2 if math.isfinite(half) else 0.0
    moved = ((n - 1) * s2 + n * mean**2) / 10000
    net = n * mean / 100
    up, down = (moved + net) / 2, (moved - net) / 2
    return any(_small_count(x, k) for x in (up, down, n - moved))


def _apply(comparison: Any, originals: dict, notes: dict, state: _State,
           k: int) -> dict[str, pd.DataFrame]:
    """Publish the decisions: hide cells, withhold rows' statistics, tests with a hidden
    group, and rebuild figures, summary, methods and notes."""
    from ...analysis.compare import summary_lines, summary_rows

    lang = comparison.lang
    results = {r.id: r for r in comparison.results}
    tables: dict[str, pd.DataFrame] = {}
    for rid, frames in originals.items():
        for name, f in frames.items():
            tables[f"{rid}.{name}"] = f.copy()
    rows = set(state.rows)
    cells = set(state.cells)
    # attrition: a hidden level count withholds its trait's statistics and test; the
    # weights' balance of that trait goes with it
    att = tables.get("attrition.attrition")
    hidden_traits = set()
    if att is not None:
        for _rid, table, i, _col in cells:
            if table == "attrition":
                hidden_traits.add(att.loc[i, "trait"])
        for i, r in att.iterrows():
            if r["trait"] in hidden_traits:
                rows.add(("attrition", "attrition", int(i)))
    # change: a hidden count withholds the indicator's statistics
    change = tables.get("change.change")
    if change is not None:
        bad = {change.loc[i, "indicator"] for _, t, i, _ in cells if t == "change"}
        bad |= {change.loc[i, "indicator"] for _, t, i in rows if t == "change"}
        for i, r in change.iterrows():
            if r["indicator"] in bad:
                rows.add(("change", "change", int(i)))
                for col in COUNTS["change"]:  # every row of an indicator shares its counts
                    if any(c == ("change", "change", int(j), col) for j in change.index
                           if change.loc[j, "indicator"] == r["indicator"]
                           for c in cells):
                        cells.add(("change", "change", int(i), col))
    # a hidden count anywhere in a cohort or group family withholds its tests
    for key, group_cols, test_key, test_cols in (
            ("cohorts.cohorts", ("wave_id", "indicator"), "cohorts.heterogeneity",
             STATS["heterogeneity"]),
            ("change_by_group.by_group", ("indicator",), "change_by_group.by_group",
             ("statistic", "df", "p", "p_anova", "mde_f"))):
        f = tables.get(key)
        if f is None or not len(f):
            continue
        rid, table = key.split(".", 1)
        bad = {tuple(f.loc[i, list(group_cols)]) for _, t, i, _ in cells if t == table}
        bad |= {tuple(f.loc[i, list(group_cols)]) for r_, t, i in rows if t == table}
        tests = tables[test_key]
        for i, r in tests.iterrows():
            if tuple(r[list(group_cols)]) in bad:
                _blank(tests, i, [c for c in test_cols if c in tests and c != "note"])
                if "note" in test_cols and "note" in tests:
                    tests.loc[i, "note"] = text("protect.compare_test_withheld", lang, k=k)
    rows |= {(rid, table, i) for rid, table, i, _ in cells}
    for (rid, table, i) in rows:
        f = tables.get(f"{rid}.{table}")
        if f is not None:
            _blank(f, i, [c for c in STATS.get(table, ()) if c in f])
    for (rid, table, i, col) in cells:
        f = tables.get(f"{rid}.{table}")
        if f is not None:
            _blank(f, i, [col])
    # the distribution tests of an indicator with withheld statistics
    dist = tables.get("distribution.distribution")
    if dist is not None and change is not None:
        bad = {change.loc[i, "indicator"] for _, t, i in rows if t == "change"}
        for i, r in dist.iterrows():
            if r["indicator"] in bad or _small(r["n"], k):
                _blank(dist, i, ["statistic", "df", "p"])
                dist.loc[i, "note"] = text("protect.compare_test_withheld", lang, k=k)
    # weights: a model with a level of fewer than K (or fewer than K answering, or not)
    # is withheld; the weights' extremes describe a few people: never shown
    _protect_weights(tables, hidden_traits, state, k)
    # the plan's group comparisons: their detectable effects give the group sizes
    if "planning.plan_power" in tables:
        state.tables.add(("planning", "plan_power"))
        tables["planning.plan_power"] = tables["planning.plan_power"].iloc[0:0]
    for key, f in tables.items():
        rid, name = key.split(".", 1)
        if rid in results:
            results[rid].tables[name] = f
    # figures and summary from the protected tables (the notes every result carries kept)
    general = list(notes.get("response_rates", []))
    if "fig_change" in results and change is not None:
        protected = tables["change.change"]
        head = summary_rows(protected)
        results["fig_change"].tables[T.DATA] = head[head["base"].notna()
                                                    & head["follow"].notna()].reset_index(
                                                        drop=True)
        comparison.summary = summary_lines(protected, lang, comparison.keyed,
                                           comparison.plan.alpha)
        if "summary" in results:
            results["summary"].notes = [*general, *comparison.summary]
    if "fig_cohorts" in results and "cohorts.cohorts" in tables:
        co = tables["cohorts.cohorts"]
        drawn = originals["fig_cohorts"][T.DATA]  # the wave the figure draws (the baseline)
        waves = set(drawn["wave_id"]) if len(drawn) else set()
        results["fig_cohorts"].tables[T.DATA] = co[co["wave_id"].isin(waves)
                                                   & co["estimate"].notna()].reset_index(
                                                       drop=True)
    count = _count_text(tables, cells, k, lang)
    texts = getattr(comparison, "texts", {})
    if "methods" in texts:
        comparison.methods = texts["methods"](count)
    for rid, name in (("weights", "weights_notes"), ("change", "change_notes")):
        if rid in results and name in texts:
            results[rid].notes = [*general, *texts[name](count)]
    note = text("protect.compare_note", lang, k=k)
    for r in comparison.results:
        if r.kind != "figure" and r.tables and note not in r.notes:
            r.notes.append(note)
    return tables


def _blank(f: pd.DataFrame, i: int, cols: list[str]) -> None:
    """Blank the cells ``cols`` of row ``i``: NaN in a number column, None otherwise."""
    for col in cols:
        if pd.api.types.is_numeric_dtype(f[col]) and not pd.api.types.is_bool_dtype(f[col]):
            if not pd.api.types.is_float_dtype(f[col]):
                f[col] = f[col].astype(float)
            f.loc[i, col] = np.nan
        else:
            f[col] = f[col].astype(object)
            f.loc[i, col] = None


def _protect_weights(tables: dict[str, pd.DataFrame], hidden_traits: set, state: _State,
                     k: int) -> None:
    model = tables.get("weights.weights_model")
    diag = tables.get("weights.weights_diagnostics")
    bal = tables.get("weights.weights_balance")
    if diag is None or not len(diag):
        return
    n = _num(diag["n"].iloc[0])
    big_n = _num(model["n"].iloc[0]) if model is not None and len(model) else math.nan
    small = _small_count(n, k) or _small_count(big_n - n, k)
    bad_traits = set(hidden_traits)
    if bal is not None:
        for trait, part in bal.groupby("trait", sort=False):
            levels = part[part["level"].astype(str) != ""]
            if not len(levels):
                continue
            target = levels["target"].astype(float)
            resp = levels["respondents"].astype(float)
            shares = [*zip(target, resp, strict=True), (1 - target.sum(), 1 - resp.sum())]
            for t_share, r_share in shares:
                total, answered = t_share * big_n, r_share * n
                if any(_small_count(x, k) for x in (total, answered, total - answered)):
                    bad_traits.add(trait)
    if (small or bad_traits) and model is not None and len(model):
        state.tables.add(("weights", "weights_model"))
        tables["weights.weights_model"] = model.iloc[0:0]
    if bal is not None:
        cols = ["target", "respondents", "weighted", "smd_unweighted", "smd_weighted"]
        for i, r in bal.iterrows():
            if r["trait"] in bad_traits or small:
                _blank(bal, i, cols)
    first = diag.index[0]
    _blank(diag, first, ["min", "max", "max_to_min"])
    for col in ("n_extreme", "n_trimmed", "n"):
        if _small(diag[col].iloc[0], k):
            _blank(diag, first, [col])
    if small:
        _blank(diag, first, [c for c in diag.columns if c != "extreme_threshold"])


def _count_text(tables: dict[str, pd.DataFrame], cells: set, k: int, lang: str):
    """The count formatter of the methods and notes: a count from 1 to K − 1, or one that
    a table hides, is written as hidden."""
    hidden_linked = any(t == "linkage" and tables["linkage.linkage"].loc[i, "group"] == "both"
                        for _, t, i, _ in cells)
    # the people (both + baseline only + follow-up only + no key) and the answers without a
    # key would give a hidden linkage group
    linkage_hidden = any(t == "linkage" for _, t, _, _ in cells)
    word = text("protect.count_hidden", lang)
    rates = tables.get("response_rates.rates")
    # a wave below K: its size, the total and the people would give it away
    tiny = rates is not None and rates.loc[rates["level"] == "wave", "responded"].isna().any()

    def count(name: str, n: int) -> str:
        if n < 0 or 1 <= n < k or (name == "linked" and hidden_linked):
            return word
        if tiny and (name.startswith("wave:") or name in ("responses", "people")):
            return word
        if linkage_hidden and name in ("people", "no_key"):
            return word
        if name == "linked_n_max":
            change = tables.get("change.change")
            if change is not None:
                shown = pd.to_numeric(change["linked_n"], errors="coerce")
                if not (shown == n).any():
                    return word
        return str(n)

    return count


def _widen(audit: CompareAudit, published: dict[str, pd.DataFrame], state: _State,
           k: int) -> bool:
    """Secondary suppression: for each failure, hide the smallest shown count of at least
    K in its family (or every count of the family); False when nothing more can be hidden."""
    fams = {f.name: f for f in families(_published(published), {})}
    changed = False
    for fail in audit.failures:
        if fail.family == "shown":
            if fail.cell not in state.cells:
                state.cells.add(fail.cell)
                changed = True
            continue
        fam = fams.get(fail.family.replace(" (inconsistent)", ""))
        if fam is None:
            continue
        shown = [(v, a) for a, v in zip(fam.atoms, fam.values, strict=True)
                 if v is not None and a is not None and v >= k and a not in state.cells]
        if shown:
            state.cells.add(min(shown, key=lambda x: x[0])[1])
            changed = True
        else:
            more = [a for a, v in zip(fam.atoms, fam.values, strict=True)
                    if v is not None and a is not None and a not in state.cells]
            if more:
                state.cells.update(more)
                changed = True
    return changed
