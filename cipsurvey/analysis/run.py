"""Run an analysis plan on a wave: every statistic computed once, kept at full precision.

Each analysis becomes a ``Result`` holding tidy DataFrames. Codes keep their value and gain a
``*_label`` column in the report language; nothing is rounded here. A failing analysis
becomes a result with an error note, never a crashed report.
"""

from __future__ import annotations

import contextvars
import math
import os
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from .. import stats as st
from ..instrument import Instrument, ItemType, expr
from ..lang import text
from ..wave.survey import Survey
from . import forked, review
from . import tables as T
from .plan import Analysis, Plan, Section
from .results import Report, Result


class _Labels:
    """Code → label lookups for the report language."""

    def __init__(self, inst: Instrument, lang: str) -> None:
        self.inst = inst
        self.lang = lang

    def name(self, column: str) -> str:
        if column in self.inst.item_map:
            return self.inst.item_map[column].text.get(self.lang)
        if column in self.inst.derived_map:
            return self.inst.derived_map[column].text.get(self.lang)
        for item in self.inst.items:
            if item.type == ItemType.multiple_choice and column in item.columns:
                return item.choices[item.columns.index(column)].label.get(self.lang)
        return column

    def codes(self, column: str) -> dict[float, str]:
        source = self.inst.item_map.get(column) or self.inst.derived_map.get(column)
        if source is None or not source.choices:
            return {}
        return {float(c.code): c.label.get(self.lang) for c in source.choices}

    def _label(self, v: Any, codes: dict[float, str], total: str) -> str:
        if v == "Total":
            return total
        return codes.get(_as_float(v), self.name(str(v)) if isinstance(v, str) else str(v))

    def add(self, frame: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
        """Add ``<col>_label`` beside each coded column (``mapping``: column -> item)."""
        out = frame.copy()
        total = text("result.total", self.lang)
        for col, item in mapping.items():
            if col not in out.columns:
                continue
            codes = self.codes(item)
            values = pd.Series(out[col].to_numpy(dtype=object))
            uniques = values.drop_duplicates()  # label each distinct value once
            lookup = {v: self._label(v, codes, total) for v in uniques}
            labels = values.map(lookup).to_numpy(dtype=object)
            out.insert(out.columns.get_loc(col) + 1, f"{col}_label", labels)
        return out


def _as_float(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _mask(survey: Survey, subset: str) -> np.ndarray:
    bound = expr.bind(subset, survey.instrument.variables())
    return bound.evaluate(survey.data).fillna(False).to_numpy(dtype=bool)


def analysis_columns(a: Analysis, inst: Instrument) -> list[str]:
    """The wave columns an analysis reads, so that a subset copies only those."""
    names = a.named_items()
    group = a.named_group()
    if group:
        names += list(inst.group_map[group].items)
    cols: list[str] = []
    for name in names:
        item = inst.item_map.get(name)
        for col in (item.columns if item is not None else [name]):
            if col not in cols:
                cols.append(col)
    return cols


class _Subsets:
    """Each subset expression evaluated once per plan run, not once per analysis.

    The narrow frame of each (subset, columns) is kept while analyses still to run need it
    (at most ``KEEP`` at once), so that a table and its figure get the same object and
    share what is computed on it (``stats.shared_work``), whatever their order.
    """

    KEEP = 8

    def __init__(self, survey: Survey, analyses: list[Analysis]) -> None:
        self.survey = survey
        self.masks: dict[str, np.ndarray] = {}
        self.frames: dict[tuple, pd.DataFrame] = {}
        self.uses = Counter(self.key(a) for a in analyses)
        self.lock = threading.Lock()  # analyses may run in two threads

    def key(self, a: Analysis) -> tuple:
        cols = [c for c in analysis_columns(a, self.survey.instrument)
                if c in self.survey.data.columns]
        return a.subset, tuple(cols)

    def data(self, a: Analysis) -> pd.DataFrame:
        with self.lock:
            return self._data(a)

    def _data(self, a: Analysis) -> pd.DataFrame:
        key = self.key(a)
        narrow = self.frames.get(key)
        if narrow is None:
            subset, cols = key
            rows = slice(None)
            if subset:
                if subset not in self.masks:
                    self.masks[subset] = _mask(self.survey, subset)
                rows = self.masks[subset]
            # rows and columns in one step: half the time of selecting one after the other
            narrow = self.survey.data.loc[rows, list(cols) if cols else slice(None)]
            self.frames[key] = narrow
            while len(self.frames) > self.KEEP:  # the oldest goes (rebuilt if needed again)
                self.frames.pop(next(iter(self.frames)))
        self.uses[key] -= 1
        if self.uses[key] <= 0:
            self.frames.pop(key, None)
        return narrow


# respondents from which the plan uses two cores. In two threads the analyses' Python work
# contends for one lock, and below 400,000 two threads were slower than one (1.9 s against
# 2.3 s at 100,000). A forked process has no such contention: 0.7 → 0.5 s at 10,000,
# 1.4 → 1.0 s at 100,000 (below 10,000 the plan takes half a second either way, and the
# process is not forked for so little).
PARALLEL_FROM = 400_000
FORK_FROM = 10_000


def run_plan(survey: Survey, plan: Plan, lang: str = "en",
             progress: Callable[[str], None] | None = None,
             workers: int | None = None,
             on_result: Callable[[Result], None] | None = None,
             processes: bool = True) -> Report:
    """Compute every analysis of ``plan`` on ``survey``.

    ``workers``: 1, or 2 to use two cores. With ``processes`` (the default) and on Linux,
    the second worker is a forked copy of this process (:mod:`cipsurvey.analysis.forked`),
    used by default from 10,000 respondents on a machine with two cores; otherwise it is
    a thread, used by default from 400,000. The results are the same either way and come
    back in plan order.

    ``on_result``: called (in the calling thread) with each result as soon as it is
    ready. The figures' data are computed first, so that a caller can have them drawn
    while the tables are computed.
    """
    labels = _Labels(survey.instrument, lang)
    todo = list(plan.analyses())
    subsets = _Subsets(survey, [a for _, a in todo])
    fork = processes and forked.available()
    if workers is None:
        enough = survey.n >= (FORK_FROM if fork else PARALLEL_FROM)
        workers = 2 if enough and (os.cpu_count() or 1) >= 2 else 1
    order = sorted(range(len(todo)), key=lambda i: todo[i][1].kind != "figure")
    results: list[Result] = [None] * len(todo)  # type: ignore[list-item]

    def quiet(i: int) -> Result:
        section, analysis = todo[i]
        return _run_one(subsets, plan, section, analysis, labels)

    def one(i: int) -> Result:
        if progress:
            progress(todo[i][1].id)
        return quiet(i)

    def done(i: int, result: Result) -> None:
        results[i] = result
        if on_result:
            on_result(result)

    with st.shared_work():  # the wave does not change while the plan runs
        if workers <= 1:
            for i in order:
                done(i, one(i))
            return _finish(plan, survey, lang, todo, results, on_result)
        from threadpoolctl import threadpool_limits

        # one BLAS thread per worker: two workers with two each made four spinning threads
        # on two cores, and a regression took twice as long
        with threadpool_limits(1, user_api="blas"):
            if not (fork and forked.run(
                    order, lambda i: subsets.key(todo[i][1]),
                    lambda i: todo[i][1].kind == "figure",
                    lambda i: _cost(todo[i][1]), one, quiet, done)):
                _run_threads(order, one, done)
    return _finish(plan, survey, lang, todo, results, on_result)


def _finish(plan: Plan, survey: Survey, lang: str, todo: list[tuple[Section, Analysis]],
            results: list[Result], on_result: Callable[[Result], None] | None) -> Report:
    """The report, once every analysis is done: p values adjusted within the plan's
    families, with a table per family (handed to ``on_result`` like the others)."""
    adjusted = review.adjust_families(plan, todo, results, lang)
    if on_result:
        for result in adjusted:
            if result.kind == "multiplicity":
                on_result(result)
    return Report(plan, survey, lang, adjusted)


# a rough relative cost of each kind of analysis on a large wave, per variable where it
# has several (measured at a million respondents: a model about 0.2 s, a crosstab 0.05 s)
_COSTS = {"regression": 4.0, "multiple_response": 3.0, "anova": 1.0, "describe": 1.0,
          "ttest": 2.0, "scale": 2.0, "grid": 0.2, "frequencies": 0.5, "crosstab": 1.0,
          "figure": 1.0}


def _cost(a: Analysis) -> float:
    return _COSTS.get(a.kind, 1.0) * max(1, len(getattr(a, "variables", ())))


def _run_threads(order: list[int], one: Callable[[int], Result],
                 done: Callable[[int, Result], None]) -> None:
    context = contextvars.copy_context()  # the shared work, in every thread
    with ThreadPoolExecutor(2) as pool:
        futures = [(i, pool.submit(context.copy().run, one, i)) for i in order]
        for i, future in futures:
            done(i, future.result())


def _run_one(subsets: _Subsets, plan: Plan, section: Section, a: Analysis,
             labels: _Labels) -> Result:
    result = Result(id=a.id, section=section.id, kind=a.kind, title=a.title.get(labels.lang),
                    addition=a.addition,
                    source=a.source if a.source is None or isinstance(a.source, str)
                    else a.source.get(labels.lang), figure=getattr(a, "figure", None),
                    conf=plan.conf)
    if a.note:
        result.notes.append(a.note.get(labels.lang))
    try:
        data = subsets.data(a)
        result.n = len(data)
        RUNNERS[a.kind](data, a, plan, labels, result, subsets.survey.instrument)
    except Exception as exc:  # one failing table must not crash the report
        result.error = f"{type(exc).__name__}: {exc}"
        result.tables = {}
    return result


def _describe(data, a, plan, labels, result, inst):
    parts = []
    for var in a.variables:
        d = st.describe(data, var, a.by, conf=plan.conf)
        d.insert(0, "variable", var)
        d.insert(1, "variable_label", labels.name(var))
        parts.append(d)
    table = pd.concat(parts, ignore_index=True)
    result.tables[T.DESCRIBE] = labels.add(table, {"group": a.by}) if a.by else table


def _frequencies(data, a, plan, labels, result, inst):
    parts = []
    for var in a.variables:
        codes = labels.codes(var)
        f = st.frequencies(data, var, a.by, labels=codes or None, conf=plan.conf)
        if a.denominator == "all":
            f = _over_all(data, var, f, plan.conf)
            result.notes.append(text("result.percent_of_all", labels.lang))
        f.insert(0, "variable", var)
        f.insert(1, "variable_label", labels.name(var))
        parts.append(f)
    table = percent_ci(pd.concat(parts, ignore_index=True))
    result.tables[T.FREQUENCIES] = labels.add(table, {"group": a.by}) if a.by else table


def percent_ci(frame: pd.DataFrame) -> pd.DataFrame:
    """The CI of a percentage in percent, as the percentage itself (the statistics give it
    as a proportion, beside ``proportion``); a report never shows 0.915 beside 93.6."""
    out = frame.copy()
    out[["conf_low", "conf_high"]] = 100 * out[["conf_low", "conf_high"]]
    return out


def _over_all(data: pd.DataFrame, var: str, f: pd.DataFrame, conf: float) -> pd.DataFrame:
    out = f.copy()
    n = len(data)
    out["n"] = n
    out["proportion"] = out["count"] / n
    out["percent"] = 100 * out["proportion"]
    bounds = [st.wilson(int(c), n, conf) for c in out["count"]]
    out["conf_low"] = [b[0] for b in bounds]
    out["conf_high"] = [b[1] for b in bounds]
    return out


def _crosstab(data, a, plan, labels, result, inst):
    def one(part: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], list[str]]:
        cells = st.crosstab_cells(part, a.rows, a.columns)
        tests, qi_cells, notes = review.crosstab_tests(part, a, inst, plan.conf, labels.lang)
        if qi_cells is not None:  # expected counts and residuals of quasi-independence
            cells = cells.drop(columns=["expected", "std_residual", "adj_residual"]).merge(
                qi_cells.drop(columns="observed"), on=["row", "column"], how="left")
        out = {T.CELLS: labels.add(cells, {"row": a.rows, "column": a.columns}),
               T.MARGINS: margins(cells), T.TESTS: tests}
        if qi_cells is None:  # (Cramér's V counts the cells empty by design as association)
            out[T.ASSOCIATION] = st.association(part, a.rows, a.columns, conf=plan.conf)
        return out, notes

    if a.layer is None:
        tables, notes = one(data)
        result.tables.update(tables)
        result.notes.extend(notes)
        return
    # A by B within each answer of C: every table once per layer, its rows marked
    parts: dict[str, list[pd.DataFrame]] = {}
    codes = labels.codes(a.layer)
    for level in sorted(pd.unique(data[a.layer].dropna())):
        tables, notes = one(data[data[a.layer] == level])
        for name, frame in tables.items():
            frame = frame.copy()
            frame.insert(0, "layer", level)
            frame.insert(1, "layer_label", codes.get(_as_float(level), str(level)))
            parts.setdefault(name, []).append(frame)
        result.notes.extend(n for n in notes if n not in result.notes)
    for name, frames in parts.items():
        result.tables[name] = pd.concat(frames, ignore_index=True)


def _each_variable(a, labels: _Labels, result: Result,
                   one: Callable[[str], dict[str, pd.DataFrame]]) -> None:
    """Run ``one`` for each of the analysis' variables; each table of the result holds every
    variable's rows, marked by ``variable`` and ``variable_label``."""
    tables: dict[str, list[pd.DataFrame]] = {}
    for var in a.variables:
        for name, frame in one(var).items():
            frame = frame.copy()
            frame.insert(0, "variable", var)
            frame.insert(1, "variable_label", labels.name(var))
            tables.setdefault(name, []).append(frame)
    for name, parts in tables.items():
        frame = pd.concat(parts, ignore_index=True)
        if {"group1", "group2"} <= set(frame.columns):
            frame = labels.add(frame, {"group1": a.by, "group2": a.by})
        if "group" in frame.columns:
            frame = labels.add(frame, {"group": a.by})
        result.tables[name] = frame


def margins(cells: pd.DataFrame) -> pd.DataFrame:
    """A crosstab's totals: each row's and each column's n with its percent of all, and the
    grand total (``margin`` is "row", "column" or "total"; ``level`` the row or column code).

    The report prints these rather than adding the cells it shows, which after small-cell
    protection would give wrong totals (and leak the hidden cells).
    """
    n = float(cells["observed"].sum())
    out = []
    for margin, key in (("row", "row"), ("column", "column")):
        sums = cells.groupby(key, sort=False)["observed"].sum()
        out += [{"margin": margin, "level": level, "n": int(total),
                 "percent": 100 * total / n if n else float("nan")}
                for level, total in sums.items()]
    out.append({"margin": "total", "level": None, "n": int(n), "percent": 100.0 if n else
                float("nan")})
    return pd.DataFrame(out, columns=["margin", "level", "n", "percent"])


def _ttest(data, a, plan, labels, result, inst):
    order = [float(x) for x in a.levels] or None
    sub = data if order is None else data[data[a.by].isin(order)]

    def one(var: str) -> dict[str, pd.DataFrame]:
        return {T.TTEST: st.ttest(sub, var, a.by, order=order, conf=plan.conf),
                T.LEVENE: st.levene(sub, var, a.by),
                T.EFFECT_SIZE: st.cohens_d(sub, var, a.by, order=order, conf=plan.conf),
                T.MANN_WHITNEY: st.mann_whitney(sub, var, a.by, order=order)}

    _each_variable(a, labels, result, one)
    _beside(sub, a, plan, labels, result, inst, order)


def _beside(data, a, plan, labels, result, inst, order=None):
    """Beside a t-test or ANOVA: its robust alternatives compared at α, and the test that
    fits a categorical answer where the variable is one."""
    table, notes = review.agreement(data, a.kind, a.variables, a.by, order, plan.alpha,
                                    labels.lang, labels.name)
    result.tables[T.AGREEMENT] = table
    result.notes.extend(notes)
    fitting, notes = review.fitting_test(data, a, inst, plan.conf, labels.lang)
    if fitting is not None:
        fitting.insert(1, "variable_label", [labels.name(v) for v in fitting["variable"]])
        result.tables[T.FITTING] = fitting
        result.notes.extend(notes)


def _anova(data, a, plan, labels, result, inst):
    def one(var: str) -> dict[str, pd.DataFrame]:
        out: dict[str, pd.DataFrame] = {}
        if a.classical:
            # with how many answered (the n a reader quotes with F; not df + k)
            n = int(data[[var, a.by]].notna().all(axis=1).sum())
            out[T.ANOVA] = st.anova(data, var, a.by).assign(n=n)
            if a.effect_sizes:
                out[T.EFFECT_SIZES] = st.anova_effect_sizes(data, var, a.by, conf=plan.conf)
                out[T.PAIRWISE_D] = st.pairwise_d(data, var, a.by, conf=plan.conf)
        if a.levene:
            out[T.LEVENE] = st.levene(data, var, a.by)
        if a.robust:  # beside the classical ANOVA unless classical: false
            out[T.ROBUST] = st.robust_anova(data, var, a.by)
            out[T.KRUSKAL] = st.kruskal(data, var, a.by)
            out[T.RANKS] = st.kruskal_ranks(data, var, a.by)
        if a.posthoc:
            out[T.POSTHOC] = pd.concat([st.posthoc(data, var, a.by, method, conf=plan.conf)
                                        for method in a.posthoc], ignore_index=True)
        return out

    _each_variable(a, labels, result, one)
    _beside(data, a, plan, labels, result, inst)


def _grid(data, a, plan, labels, result, inst):
    items = inst.group_map[a.group].items
    codes = labels.codes(items[0])
    table = st.grid(data, items, codes, {i: labels.name(i) for i in items}, conf=plan.conf)
    result.tables[T.GRID] = percent_ci(table)


def _multiple_response(data, a, plan, labels, result, inst, tests: bool = True):
    item = inst.item(a.item)
    cols = item.columns
    names = {c: labels.name(c) for c in cols}
    table = st.multiple_response(data, cols, a.by, labels=names, conf=plan.conf)
    result.tables[T.MULTIPLE_RESPONSE] = labels.add(table, {"group": a.by}) if a.by else table
    if a.by and tests:
        codes = {c.code: col for c, col in zip(item.choices, cols, strict=True)}
        structural: dict[str, list[int]] = {}
        for group, option in a.structural_zeros:
            structural.setdefault(codes[option], []).append(group)
        frame = st.multiple_response_tests(data, cols, a.by, structural=structural)
        frame.insert(1, "option_label", [names[c] for c in frame["option"]])
        result.tables[T.TESTS] = frame
        if structural:
            group_codes = labels.codes(a.by)
            listed = "; ".join(f"{names[col]}: " + ", ".join(group_codes.get(float(g), str(g))
                                                            for g in groups)
                               for col, groups in structural.items())
            result.notes.append(text("review.mr_structural", labels.lang, options=listed))


def _regression(data, a, plan, labels, result, inst):
    categorical = {p: a.reference.get(p) for p in a.predictors
                   if inst.item_map.get(p) is not None and inst.item_map[p].choices}
    categorical = {p: (float(v) if v is not None else None) for p, v in categorical.items()}
    notes: list[str] = []
    if a.model == "count":
        trials = a.trials or _count_maximum(inst, a.outcome)
        choice = st.count_model(data, a.outcome, a.predictors, categorical, trials=trials,
                                conf=plan.conf)
        res = choice.result
        result.tables[T.COUNT_CHECKS] = review.count_checks(choice.checks, labels.lang)
        notes += review.count_notes(choice, trials, labels.lang)
    else:
        fn = {"ols": st.ols, "poisson": st.poisson, "negative_binomial": st.negative_binomial,
              "logistic": st.logistic}[a.model]
        kwargs: dict[str, Any] = {"categorical": categorical, "conf": plan.conf}
        if a.model == "logistic":
            kwargs["event"] = float(a.event if a.event is not None else 1)
        res = fn(data, a.outcome, a.predictors, **kwargs)
    said = review.model_notes(res.model, labels.lang)
    model = res.model
    if said:  # the statistics' own (English) note, said above in the report's language
        model = model.assign(note="")
    notes += said
    coef = res.coefficients.copy()
    coef.insert(1, "term_label", [_term_label(t, labels) for t in coef["term"]])
    result.tables[T.COEFFICIENTS] = coef
    result.tables[T.MODEL] = model
    if res.anova is not None:
        result.tables[T.REGRESSION_ANOVA] = res.anova
    if coef["estimate"].notna().any():
        refs, note = review.references(
            data, a.outcome, a.predictors, categorical,
            lambda p, r: labels.codes(p).get(float(r), str(r)), labels.name, labels.lang)
        result.tables[T.REFERENCES] = refs
        notes.append(note)
    result.notes.extend(notes)


def _count_maximum(inst: Instrument, outcome: str) -> int | None:
    """The largest value a count can take when it has one: a derived count of items."""
    derived = inst.derived_map.get(outcome)
    if derived is not None and derived.kind == "count":
        return len(derived.sources)
    return None


def _term_label(term: str, labels: _Labels) -> str:
    if term == "(Intercept)":
        return text("result.intercept", labels.lang)
    if "[" in term:
        var, level = term[:-1].split("[", 1)
        code = labels.codes(var).get(_as_float(level) or np.nan, level)
        return f"{labels.name(var)}: {code}"
    return labels.name(term)


def scale_rule(a, inst: Instrument) -> tuple[dict[str, tuple[float, float]], int]:
    """A scale analysis' reversed items with their own answer ranges, and the fewest items a
    respondent must answer for a score: the plan's ``min_share`` of the items, else the
    group's ``min_items``, else half of the items (rounded up)."""
    group = inst.group_map[a.group]
    reverse = {i: inst.item_map[i].answer_range for i in group.reverse}
    k = len(group.items)
    if a.min_share is not None:
        need = math.ceil(a.min_share * k - 1e-9)
    elif group.min_items is not None:
        need = group.min_items
    else:
        need = math.ceil(k / 2)
    return reverse, max(1, need)  # type: ignore[return-value]


def _scale(data, a, plan, labels, result, inst):
    items = inst.group_map[a.group].items
    reverse, need = scale_rule(a, inst)
    result.tables[T.ALPHA] = st.cronbach_alpha(data, items, conf=plan.conf, reverse=reverse)
    item_table = st.item_total(data, items, reverse=reverse)
    item_table.insert(1, "item_label", [labels.name(i) for i in item_table["item"]])
    result.tables[T.ITEMS] = item_table
    scores = st.scale_scores(data, items, min_items=need, reverse=reverse)
    frame = pd.DataFrame({"score": scores})
    rule = text("result.scale_rule", labels.lang, need=need, k=len(items))
    # the rule is the score's method: the methods text names it with the other methods
    result.tables[T.SCORE] = st.describe(frame, "score", conf=plan.conf).assign(method=rule)
    result.notes.append(rule)
    if reverse:
        result.notes.append(text("result.scale_reversed", labels.lang,
                                 items=", ".join(labels.name(i) for i in reverse)))
    if all(review.is_ordered(inst, i) for i in items):  # Likert items: their distributions
        codes = labels.codes(items[0])
        names = {i: labels.name(i) for i in items}
        result.tables[T.LIKERT] = percent_ci(st.likert_distribution(data, items, codes, names,
                                                                    conf=plan.conf))
        result.tables[T.LIKERT_SUMMARY] = st.likert_summary(data, items, codes, names)


def _figure(data, a, plan, labels, result, inst):
    if a.figure == "counts_by_group":
        # the figure's points as counts per distinct answer, and its boxes: a few hundred
        # rows whether the wave has 700 respondents or a million
        for name, fn in ((T.DATA, st.value_counts), (T.BOXES, st.box_stats)):
            parts = []
            for var in a.variables:
                part = fn(data, var, a.by)
                part.insert(0, "variable", var)
                part.insert(1, "variable_label", labels.name(var))
                parts.append(part)
            result.tables[name] = labels.add(pd.concat(parts, ignore_index=True),
                                             {"group": a.by})
    elif a.figure == "likert":
        items = inst.group_map[a.group].items
        result.tables[T.DATA] = st.likert_distribution(
            data, items, labels.codes(items[0]), {i: labels.name(i) for i in items},
            conf=plan.conf)
    elif a.figure in ("stacked_grid", "yes_bars"):
        _grid(data, a, plan, labels, result, inst)
        result.tables[T.DATA] = result.tables.pop(T.GRID)
    else:  # mr_heatmap, mr_bars
        _multiple_response(data, a, plan, labels, result, inst, tests=False)
        result.tables[T.DATA] = result.tables.pop(T.MULTIPLE_RESPONSE)


RUNNERS = {"describe": _describe, "frequencies": _frequencies, "crosstab": _crosstab,
           "ttest": _ttest, "anova": _anova, "grid": _grid,
           "multiple_response": _multiple_response, "regression": _regression,
           "scale": _scale, "figure": _figure}


def free_text_result(report: Report, key: bytes) -> Result:
    """The free-text answers, each with its respondent's pseudonym (only on request)."""
    from ..wave.privacy import pseudonymise

    inst = report.survey.instrument
    data = report.survey.data
    rid = inst.respondent_id
    parts = []
    for item in inst.items:
        if item.type != ItemType.text or item.role != "question":
            continue
        answered = data[data[item.id].notna()]
        parts.append(pd.DataFrame({
            "item": item.id, "item_label": item.text.get(report.lang),
            "respondent": pseudonymise(answered[rid], key).to_numpy() if rid else "",
            "answer": answered[item.id].astype(str).to_numpy()}))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    section = report.plan.sections[-1].id
    title = text("result.free_text", report.lang)
    return Result(id="free_text", section=section, kind="free_text", title=title,
                  addition=False, source=None, tables={T.FREE_TEXT: table})
