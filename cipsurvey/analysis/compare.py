"""Compare waves of a study, driven by a ``compare`` section (the study manifest's, else the
plan's): response and attrition, attrition weights, change for every indicator (linked,
whole sample and weighted, side by side), each indicator across all waves (three or more),
change by group, course occasions, and what the next wave could detect.

The results are ``Result`` objects like a report's, so the same renderers write them. Every
statistic comes from ``cipsurvey.stats``; the tables from :mod:`cipsurvey.compare_tables`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CipsurveyError
from ..instrument import Instrument, Label
from ..lang import localise_decimal, text, translations
from ..wave.compare_section import CompareSection, CompareSpecError, Indicator, resolve
from ..wave.study import Study
from ..wave.survey import ImportAccount
from . import compare_tables as ct
from . import tables as T
from .plan import Plan
from .results import Result


@dataclass
class _Section:
    id: str
    title: Label


@dataclass
class _Plan:
    id: str
    title: Label
    sections: list[_Section]
    alpha: float = 0.05
    conf: float = 0.95


@dataclass
class _Waves:
    """What the renderers need of 'the survey': the import account and the problems."""

    instrument: Any
    account: ImportAccount
    problems: pd.DataFrame
    data: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass
class Comparison:
    """Two waves compared: results like a report's, for the same renderers."""

    plan: _Plan
    survey: _Waves
    lang: str
    results: list[Result]
    summary: list[str]
    methods: str = ""
    keyed: bool = False
    #: texts that print counts, rebuilt by the disclosure control with a count formatter
    #: ``count(name, n) -> str``: "methods" (a string), "weights_notes" and "change_notes"
    #: (lists of notes)
    texts: dict[str, Callable[[Callable[[str, int], str]], Any]] = field(default_factory=dict)

    def result(self, rid: str) -> Result:
        """The result with id ``rid``."""
        return next(r for r in self.results if r.id == rid)


def compare_section(study: Study) -> tuple[CompareSection, Any]:
    """The study's compare section (the manifest's, else its plan's) and the plan (None
    when the manifest names none)."""
    from .plan import load_plan

    plan = load_plan(study.manifest.plan, study.instrument) if study.manifest.plan else None
    section = study.manifest.compare or (plan.compare if plan is not None else None)
    if section is None:
        raise CipsurveyError("the study has no compare section", file=study.folder,
                             hint="add `compare:` to the study manifest or to its plan "
                                  "(docs/study-manifest.md)")
    return section, plan


def _plan_scale_rules(indicators: list[Indicator], plan: Plan,
                      inst: Instrument) -> list[Indicator]:
    """A scale's score as the plan's report computes it: the missing-item rule of the plan's
    scale analysis of that group (its ``min_share``), where it has one."""
    from dataclasses import replace

    from .run import scale_rule

    rules = {a.group: scale_rule(a, inst)[1] for _, a in plan.analyses() if a.kind == "scale"}
    return [replace(ind, min_items=rules[ind.column]) if ind.kind == "scale" and ind.column in rules
            else ind for ind in indicators]


def compare(study: Study, base: str | None = None, follow: str | None = None,
            lang: str = "en", section: CompareSection | None = None) -> Comparison:
    """Compare wave ``base`` with wave ``follow`` (default: the first and the last) and show
    every indicator across all waves, as the compare section says (``section``, else the
    manifest's, else the plan's)."""
    ids = list(study.waves)
    base, follow = base or ids[0], follow or ids[-1]
    for wave in (base, follow):
        if wave not in study.waves:
            raise CipsurveyError(f"the study has no wave {wave!r} (waves: {', '.join(ids)})")
    if base == follow:
        raise CipsurveyError("compare two different waves")
    found, plan = compare_section(study) if section is None else (section, None)
    spec = section or found
    alpha, conf = (plan.alpha, plan.conf) if plan is not None else (0.05, 0.95)
    inst = study.instrument
    try:
        indicators = resolve(spec, inst)
    except CompareSpecError as exc:
        raise CipsurveyError(f"the compare section does not fit the instrument {inst.id!r}:\n"
                             + str(exc)) from None
    if plan is not None:
        indicators = _plan_scale_rules(indicators, plan, inst)
    traits = list(dict.fromkeys([*spec.traits, *spec.weights.traits]))
    cohort = study.manifest.cohort
    by = spec.by.item if spec.by else None
    extra = [c for c in [*traits, by, cohort] if c]
    datasets = {w: s.data for w, s in study.waves.items()}
    waves = ct.reduce_waves(datasets, indicators, inst, study.key, extra)
    w0, w1 = waves.context[base], waves.context[follow]
    labels = {w: study.label(w, lang) for w in ids}
    general = [] if waves.keyed else [text("compare.no_key", lang)]
    results: list[Result] = []
    texts: dict[str, Callable[[Callable[[str, int], str]], Any]] = {}

    def add(rid: str, section_id: str, title: str, tables: dict[str, pd.DataFrame], *,
            kind: str = "table", figure: str | None = None,
            notes: list[str] | None = None) -> None:
        results.append(Result(id=rid, section=section_id, kind=kind, title=title,
                              addition=False, source=None, tables=tables,
                              notes=[*general, *(notes or [])], figure=figure))

    # ---- response and attrition
    files = {w: [(Path(f.file).name, f.rows_kept) for f in s.account.files]
             for w, s in study.waves.items()}
    occasions = _choice_labels(inst, cohort, lang) if cohort else {}
    add("response_rates", "response", text("compare.response_rates", lang),
        {T.RATES: ct.response_rates(datasets, study.invited, cohort, occasions, files, conf,
                                    labels)})
    resp = None
    if waves.keyed:
        followed = set(w1[ct.KEY].dropna())
        add("linkage", "response", text("compare.linkage", lang),
            {T.LINKAGE: ct.linkage(w0, w1)})
        if spec.traits:
            add("attrition", "response", text("compare.attrition", lang),
                {T.ATTRITION: ct.attrition(w0, followed, spec.traits, inst, lang)})
        weight_traits = list(spec.weights.traits or spec.traits)
        if weight_traits:
            resp = ct.attrition_weights(w0, followed, weight_traits, spec, inst, conf)
        if resp is not None:
            names = ", ".join(ct.trait_label(inst, t, lang) for t in weight_traits)

            def weights_notes(count: Callable[[str, int], str], resp=resp,
                              names=names) -> list[str]:
                return [text("compare.weights_note", lang, traits=names,
                             extreme=localise_decimal(f"{spec.weights.extreme:g}", lang)),
                        *ct.weight_notes(resp, inst, lang, count)]

            texts["weights_notes"] = weights_notes
            add("weights", "response", text("compare.weights", lang),
                {T.WEIGHTS_MODEL: resp.model, T.WEIGHTS_DIAGNOSTICS: resp.diagnostics,
                 T.WEIGHTS_BALANCE: resp.balance}, notes=weights_notes(_plain))
    # ---- change
    rows, joint = [], []
    for ind in indicators:
        r, j = ct.change_rows(ind, waves, base, follow, spec, resp, lang, conf, alpha)
        rows.extend(r)
        joint.extend(j)
    change = pd.DataFrame(rows)
    headline = summary_rows(change)
    summary = summary_lines(change, lang, waves.keyed, alpha)
    add("summary", "change", text("compare.summary", lang), {}, notes=summary)

    def change_notes(count: Callable[[str, int], str], change=change) -> list[str]:
        problems = [n for col in ("linked_note", "whole_note") if col in change
                    for n in dict.fromkeys(change[col].dropna()) if n]
        linked = change["linked_n"].max() if "linked_n" in change else 0
        linked = int(linked) if np.isfinite(linked) else -1
        return [*dict.fromkeys(problems),
                text("compare.columns_note", lang, n=count("linked_n_max", linked),
                     whole=ct.whole_text(spec, lang), power=f"{100 * spec.planning.power:g}")]

    texts["change_notes"] = change_notes
    add("change", "change", text("compare.change_table", lang), {T.CHANGE: change},
        notes=change_notes(_plain))
    if joint:
        add("distribution", "change", text("compare.distribution", lang),
            {T.DISTRIBUTION: pd.DataFrame(joint)})
    add("fig_change", "change", text("compare.fig_change", lang), {T.DATA: headline},
        kind="figure", figure="dumbbell")
    # ---- every wave
    if len(ids) >= 3:
        values, models = [], []
        for ind in indicators:
            v, m = ct.across_waves(ind, waves, spec, lang, conf, labels)
            values.extend(v)
            models.extend(m)
        add("across_waves", "waves", text("compare.across", lang),
            {T.WAVE_VALUES: pd.DataFrame(values), T.WAVE_MODELS: pd.DataFrame(models)})
    # ---- by group
    by_group = None
    if waves.keyed and spec.by is not None:
        chosen = [i for i in indicators
                  if not spec.by.indicators or i.id in spec.by.indicators]
        item = inst.item_map[spec.by.item]
        levels = tuple(float(c.code) for c in item.choices
                       if not spec.by.levels or c.name in spec.by.levels
                       or c.code in spec.by.levels)
        by_group = ct.change_by_group(chosen, waves, base, follow, spec.by.item, levels, inst,
                                      lang, alpha, spec.planning.power)
        add("change_by_group", "groups",
            text("compare.by_group", lang, group=item.text.get(lang).lower()),
            {T.BY_GROUP: by_group})
    # ---- cohorts
    if cohort and spec.cohort_indicators:
        chosen = [i for i in indicators if i.id in spec.cohort_indicators]
        table, tests = ct.cohorts(chosen, waves, cohort, inst, lang, conf, labels)
        add("cohorts", "cohorts", text("compare.section_cohorts", lang),
            {T.COHORTS: table, T.HETEROGENEITY: tests})
        add("fig_cohorts", "cohorts", text("compare.fig_cohorts", lang),
            {T.DATA: table[table["wave"] == labels[base]]}, kind="figure", figure="cohorts")
    # ---- planning
    tables = {T.PLANNING: ct.planning(change, by_group, spec, alpha)}
    if plan is not None:
        tables[T.PLAN_POWER] = ct.plan_group_power(
            [a for _, a in plan.analyses()], study.waves[follow].data, inst, lang, alpha,
            spec.planning.power)
    add("planning", "planning", text("compare.planning", lang), tables,
        notes=[text("compare.planning_note", lang,
                    alpha=localise_decimal(f"{alpha:g}", lang),
                    power=f"{100 * spec.planning.power:g}",
                    d=localise_decimal(f"{spec.planning.d:g}", lang),
                    points=localise_decimal(f"{spec.planning.points:g}", lang))])

    titles = {"response": translations("compare.section_response"),
              "change": translations("compare.section_change"),
              "waves": translations("compare.section_waves"),
              "groups": translations("compare.section_groups"),
              "cohorts": translations("compare.section_cohorts"),
              "planning": translations("compare.section_planning")}
    sections = [_Section(s, Label(**title)) for s, title in titles.items()
                if any(r.section == s for r in results)]
    accounts = [study.waves[w].account for w in ids]
    merged = ImportAccount([f for a in accounts for f in a.files],
                           pd.concat([a.exclusions for a in accounts], ignore_index=True))
    problems = pd.concat([study.waves[w].problems for w in ids], ignore_index=True)

    def methods(count: Callable[[str, int], str]) -> str:
        return _methods(study, waves, base, follow, spec, alpha, lang, count)

    texts["methods"] = methods
    shape = _Plan(f"{study.manifest.id}_compare", Label(**translations("compare.title")),
                  sections, alpha, conf)
    return Comparison(shape, _Waves(inst, merged, problems), lang, results, summary,
                      methods(_plain), waves.keyed, texts)


def _plain(name: str, n: int) -> str:
    """A count as the methods and notes print it without protection."""
    return str(n)


def summary_lines(change: pd.DataFrame, lang: str, keyed: bool, alpha: float) -> list[str]:
    """The summary: the caveat, then one sentence per headline row of the change table (a
    row whose numbers are withheld says so)."""
    return [text("compare.caveat", lang),
            *[_sentence(r, lang, keyed, alpha) for _, r in summary_rows(change).iterrows()]]


def _choice_labels(inst: Any, name: str, lang: str) -> dict[float, str]:
    item = inst.item_map.get(name)
    return {float(c.code): c.label.get(lang) for c in item.choices} if item else {}


def summary_rows(change: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator: a categorical indicator by its focus answer (if it has one)."""
    if "focus" not in change:
        return change
    keep = (change["kind"] != "categorical") | change["focus"].fillna(False).astype(bool)
    return change[keep].reset_index(drop=True)


def _number(x: float, lang: str, digits: int) -> str:
    return localise_decimal(f"{x:.{digits}f}", lang).replace("-", "\u2212")


def _p(p: float, lang: str) -> str:
    if p < 0.001:
        return text("compare.p_below", lang)
    return text("compare.p_equal", lang, digits=f"{min(p, 0.999):.3f}"[2:])


def _sentence(row: pd.Series, lang: str, linked: bool, alpha: float) -> str:
    """One plain sentence per indicator: both waves' values, the change with its CI and n,
    and the smallest change the comparison could detect when it found none. It reports a
    difference; it does not say what caused it."""
    mean = row["unit"] == "mean"
    digits = 2 if mean else 1

    def value(x: float) -> str:
        return _number(x, lang, digits) if mean else text("compare.percent", lang,
                                                          x=_number(x, lang, digits))

    def change(x: float) -> str:
        return _number(x, lang, digits) if mean else text("compare.points", lang,
                                                          x=_number(x, lang, digits))

    name = row["indicator_label"] + (f" ({row['answer']})" if row["answer"] else "")
    basis = "linked" if linked else "whole"
    needed = ["base", "follow", f"{basis}_change", f"{basis}_low", f"{basis}_high",
              "linked_n" if linked else "whole_people"]
    if not all(pd.notna(row.get(c)) for c in needed):  # withheld by the disclosure control
        return text("compare.sentence_withheld", lang, indicator=name)
    p = row["p"]
    if not np.isfinite(p):
        verdict = text("compare.no_test", lang)
    elif p < alpha:
        verdict = _p(p, lang)
    else:
        mde = row["mde"]
        verdict = text("compare.no_clear_change", lang, p=_p(p, lang)) + (
            text("compare.mde_clause", lang, mde=change(abs(mde))) if np.isfinite(mde) else "")
    who = (text("compare.who_linked", lang, n=int(row["linked_n"])) if linked else
           text("compare.who_all", lang, n=int(row["whole_people"])))
    return text("compare.sentence", lang, indicator=name, baseline=value(row["base"]),
                follow_up=value(row["follow"]), who=who, change=change(row[f"{basis}_change"]),
                low=_number(row[f"{basis}_low"], lang, digits),
                high=_number(row[f"{basis}_high"], lang, digits), verdict=verdict)


def _methods(study: Study, waves: ct.Waves, base: str, follow: str, spec: CompareSection,
             alpha: float, lang: str, shown: Callable[[str, int], str] = _plain) -> str:
    """The methods paragraph: responses and people counted apart, then what was computed
    (each count through ``shown(name, n)``, which the disclosure control replaces)."""
    keys = pd.concat([waves.frames[w][ct.KEY] for w in waves.ids])
    no_key = int(keys.isna().sum())
    people = keys.dropna().nunique() + no_key
    def grouped(n: int) -> str:
        if n < 1000:
            return str(n)
        return text("number.grouped", lang, thousands=grouped(n // 1000),
                    rest=f"{n % 1000:03d}")

    def count(name: str, n: int) -> str:
        said = shown(name, n)
        return grouped(n) if said == str(n) else said

    per_wave = ", ".join(text("compare.per_wave", lang, n=count(f"wave:{w}", len(waves.frames[w])),
                              wave=study.label(w, lang)) for w in waves.ids)
    linked = len(set(waves.frames[base][ct.KEY].dropna())
                 & set(waves.frames[follow][ct.KEY].dropna()))
    return text("compare.methods", lang, responses=count("responses", len(keys)),
                people=count("people", people),
                per_wave=per_wave, linked=count("linked", linked), base=study.label(base, lang),
                follow=study.label(follow, lang),
                no_key=text("compare.no_key_count", lang, n=count("no_key", no_key))
                if no_key else "",
                whole=ct.whole_text(spec, lang), alpha=localise_decimal(f"{alpha:g}", lang),
                power=f"{100 * spec.planning.power:g}")
