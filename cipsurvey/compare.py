"""Compare waves of a study, driven by a ``compare`` section (the study manifest's, else the
plan's): response and attrition, attrition weights, change for every indicator (linked,
whole sample and weighted, side by side), each indicator across all waves (three or more),
change by group, course occasions, and what the next wave could detect.

The results are ``Result`` objects like a report's, so the same renderers write them. Every
statistic comes from ``cipsurvey.stats``; the tables from :mod:`cipsurvey.compare_tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import compare_tables as ct
from .compare_section import CompareSection, CompareSpecError, Indicator, resolve
from .errors import CipsurveyError
from .instrument import Label
from .report.results import Result
from .study import Study
from .survey import ImportAccount

TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Baseline and follow-up compared",
              "sv": "Baslinjemätning och uppföljningsmätning jämförda"},
    "response": {"en": "Response and attrition",
                 "sv": "Svarsfrekvens och bortfall mellan mättillfällena"},
    "change": {"en": "Change between the waves",
               "sv": "Förändring mellan mättillfällena"},
    "waves": {"en": "Every wave", "sv": "Alla mättillfällen"},
    "groups": {"en": "Change by group", "sv": "Förändring per grupp"},
    "cohorts": {"en": "Course occasions", "sv": "Kurstillfällen"},
    "planning": {"en": "Planning the next wave", "sv": "Inför nästa mättillfälle"},
    "summary": {"en": "Summary", "sv": "Sammanfattning"},
    "rates": {"en": "Responses per wave, file and course occasion",
              "sv": "Svar per mättillfälle, fil och kurstillfälle"},
    "linkage": {"en": "People in one or both waves",
                "sv": "Svarande vid ett eller båda mättillfällena"},
    "attrition": {"en": "Who answered the follow-up: baseline characteristics",
                  "sv": "Vilka svarade på uppföljningsmätningen: egenskaper vid baslinjemätningen"},
    "weights": {"en": "Attrition weights", "sv": "Vikter för bortfallet"},
    "change_table": {"en": "Change per indicator: linked, whole sample and weighted",
                     "sv": "Förändring per indikator: länkade, hela urvalet och viktat"},
    "distribution": {"en": "Change in the whole distribution (categorical indicators)",
                     "sv": "Förändring i hela fördelningen (kategoriska indikatorer)"},
    "across": {"en": "Each indicator in every wave",
               "sv": "Varje indikator vid alla mättillfällen"},
    "by_group": {"en": "Change among the linked, by {group}",
                 "sv": "Förändring bland de länkade, efter {group}"},
    "fig_change": {"en": "Baseline and follow-up per indicator",
                   "sv": "Baslinjemätning och uppföljningsmätning per indikator"},
    "fig_cohorts": {"en": "Indicators per course occasion",
                    "sv": "Indikatorer per kurstillfälle"},
    "fig_waves": {"en": "Indicators across the waves", "sv": "Indikatorer över mättillfällena"},
    "no_key": {"en": "No respondent key links the waves: only analyses of independent samples "
                     "are reported (no linked, weighted or attrition analyses).",
               "sv": "Ingen nyckel länkar mättillfällena: bara analyser av oberoende urval "
                     "redovisas (inga länkade eller viktade analyser och ingen "
                     "bortfallsanalys)."},
    "caveat": {"en": "What this comparison can show: these are measurements of the same staff "
                     "group at different times, without a control group. A difference between "
                     "the waves shows how the answers changed, not why. The course, other "
                     "changes at the workplaces during the same period, who chose to answer "
                     "the follow-up, and regression toward the mean can all contribute, so the "
                     "results cannot show that the course caused a change.",
               "sv": "Vad jämförelsen kan visa: mätningarna gäller samma personalgrupp vid "
                     "olika tidpunkter, utan kontrollgrupp. En skillnad mellan "
                     "mättillfällena visar hur svaren har förändrats, men inte varför. "
                     "Utbildningen, andra förändringar på arbetsplatserna under samma tid, "
                     "vilka som valde att svara på uppföljningsmätningen och regression mot "
                     "medelvärdet kan alla bidra. Resultaten kan därför inte visa att "
                     "utbildningen orsakade en förändring."},
    "columns": {"en": "Linked: the {n} people who answered both waves (paired t for means, "
                      "exact McNemar for shares, with Newcombe's interval). Whole sample: every "
                      "answer of both waves in a GEE with the respondent as cluster. Weighted: "
                      "the linked weighted by the inverse of their estimated probability of "
                      "answering the follow-up (a sensitivity analysis for attrition). Means "
                      "are in the item's unit, shares in percent and their changes in "
                      "percentage points. The minimum detectable change is given at {power} % "
                      "power where the change is not significant.",
                "sv": "Länkade: de {n} som svarade vid båda mättillfällena (t-test för parade "
                      "observationer för medelvärden, McNemars exakta test för andelar, med "
                      "Newcombes intervall). Hela urvalet: alla svar från båda mättillfällena "
                      "i en GEE-modell med den svarande som kluster. Viktat: de länkade viktade "
                      "med inversen av deras skattade sannolikhet att svara på "
                      "uppföljningsmätningen (en känslighetsanalys för bortfallet). "
                      "Medelvärden anges i frågans enhet, andelar i procent och förändringar "
                      "av andelar i procentenheter. Minsta upptäckbara förändring anges vid "
                      "{power} % styrka där förändringen inte är statistiskt signifikant."},
    "methods": {"en": "The comparison covers {responses} responses from {people} people: "
                       "{per_wave}. {linked} people answered both {base} and {follow} and are "
                       "linked by their pseudonymous key{no_key}. Changes among the linked are "
                       "tested with the paired t test (means) and the exact McNemar test "
                       "(shares, with Newcombe's interval for a paired difference); changes in "
                       "the whole samples with {whole}; shares are compared in percentage "
                       "points. The attrition weights are the inverse of each person's "
                       "probability of answering the follow-up, estimated by a logistic "
                       "regression on their baseline answers; weighted estimates use "
                       "linearisation standard errors. Minimum detectable effects and sample "
                       "sizes are for two-sided tests at α = {alpha} and {power} % power "
                       "(pingouin). Each analysis uses everyone who answered the question "
                       "(complete cases per analysis).",
                "sv": "Jämförelsen omfattar {responses} svar från {people} personer: "
                      "{per_wave}. {linked} personer svarade både vid {base} och vid {follow} "
                      "och är länkade med sin pseudonyma nyckel{no_key}. Förändringar bland de "
                      "länkade prövas med t-test för parade observationer (medelvärden) och "
                      "McNemars exakta test (andelar, med Newcombes intervall för en parad "
                      "skillnad); förändringar i hela urvalen med {whole}; andelar jämförs i "
                      "procentenheter. Vikterna för bortfallet är inversen av varje persons "
                      "sannolikhet att svara på uppföljningsmätningen, skattad med logistisk "
                      "regression på svaren vid baslinjemätningen; viktade skattningar har "
                      "standardfel enligt linjärisering. Minsta upptäckbara effekter och "
                      "urvalsstorlekar avser tvåsidiga test på nivån α = {alpha} och {power} % "
                      "styrka (pingouin). Varje analys omfattar alla som besvarade frågan "
                      "(fullständiga fall per analys)."},
    "whole_gee": {"en": "a GEE with the respondent as cluster ({correlation} working "
                        "correlation, robust standard errors)",
                  "sv": "GEE med den svarande som kluster ({correlation} arbetskorrelation, "
                        "robusta standardfel)"},
    "whole_mixed": {"en": "a linear mixed model with a random intercept per respondent (REML) "
                          "for means and a GEE for shares",
                    "sv": "en linjär blandad modell med slumpmässigt intercept per svarande "
                          "(REML) för medelvärden och GEE för andelar"},
    "independence": {"en": "independence", "sv": "oberoende"},
    "exchangeable": {"en": "exchangeable", "sv": "utbytbar"},
    "per_wave": {"en": "{n} at {wave}", "sv": "{n} vid {wave}"},
    "no_key_count": {"en": "; {n} answers had no key and count as separate people",
                     "sv": "; {n} svar saknade nyckel och räknas som separata personer"},
    "weights_note": {"en": "Everyone who answered the baseline with a respondent key is taken to "
                           "have been invited to the follow-up. The response model is a logistic "
                           "regression of answering the follow-up on: {traits}.",
                     "sv": "Alla som svarade vid baslinjemätningen med en nyckel antas ha bjudits "
                           "in till uppföljningsmätningen. Svarsmodellen är en logistisk "
                           "regression av att svara på uppföljningsmätningen på: {traits}."},
}


def text(key: str, lang: str, **values: Any) -> str:
    return TEXT[key][lang].format(**values)


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
    plan: _Plan
    survey: _Waves
    lang: str
    results: list[Result]
    summary: list[str]
    methods: str = ""

    def result(self, rid: str) -> Result:
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


def compare(study: Study, base: str | None = None, follow: str | None = None,
            lang: str = "en", section: CompareSection | None = None) -> Comparison:
    """Compare wave ``base`` with wave ``follow`` (default: the first and the last) and show
    every indicator across all waves."""
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
    traits = list(dict.fromkeys([*spec.traits, *spec.weights.traits]))
    cohort = study.manifest.cohort
    by = spec.by.item if spec.by else None
    extra = [c for c in [*traits, by, cohort] if c]
    datasets = {w: s.data for w, s in study.waves.items()}
    waves = ct.reduce_waves(datasets, indicators, inst, study.key, extra)
    w0, w1 = waves.context[base], waves.context[follow]
    general = [] if waves.keyed else [text("no_key", lang)]
    results: list[Result] = []

    def add(rid: str, section_id: str, title: str, tables: dict[str, pd.DataFrame], *,
            kind: str = "table", figure: str | None = None, n: int | None = None,
            notes: list[str] | None = None) -> None:
        results.append(Result(id=rid, section=section_id, kind=kind, title=title,
                              addition=False, source=None, tables=tables,
                              notes=[*general, *(notes or [])], figure=figure, n=n))

    # ---- response and attrition
    files = {w: [(Path(f.file).name, f.rows_kept) for f in s.account.files]
             for w, s in study.waves.items()}
    labels = _choice_labels(inst, cohort, lang) if cohort else {}
    add("response_rates", "response", text("rates", lang),
        {"rates": ct.response_rates(datasets, study.invited, cohort, labels, files, conf)})
    resp = None
    if waves.keyed:
        followed = set(w1[ct.KEY].dropna())
        add("linkage", "response", text("linkage", lang), {"linkage": ct.linkage(w0, w1)})
        if spec.traits:
            add("attrition", "response", text("attrition", lang),
                {"attrition": ct.attrition(w0, followed, spec.traits, inst, lang)})
        weight_traits = list(spec.weights.traits or spec.traits)
        if weight_traits:
            resp = ct.attrition_weights(w0, followed, weight_traits, spec, inst, conf)
        if resp is not None:
            names = ", ".join(ct._trait_label(inst, t, lang) for t in weight_traits)
            add("weights", "response", text("weights", lang),
                {"weights_model": resp.model, "weights_diagnostics": resp.diagnostics,
                 "weights_balance": resp.balance},
                notes=[text("weights_note", lang, traits=names), *resp.notes])
    # ---- change
    rows, joint = [], []
    for ind in indicators:
        r, j = ct.change_rows(ind, waves, base, follow, spec, resp, lang, conf, alpha)
        rows.extend(r)
        joint.extend(j)
    change = pd.DataFrame(rows)
    summary = [text("caveat", lang), *[_sentence(r, lang, waves.keyed, alpha) for _, r
                                       in _summary_rows(change, indicators).iterrows()]]
    linked_n = int(change["linked_n"].max()) if "linked_n" in change else 0
    add("summary", "change", text("summary", lang), {}, notes=summary)
    add("change", "change", text("change_table", lang), {"change": change},
        notes=[text("columns", lang, n=linked_n, power=f"{100 * spec.planning.power:g}")])
    if joint:
        add("distribution", "change", text("distribution", lang),
            {"distribution": pd.DataFrame(joint)})
    add("fig_change", "change", text("fig_change", lang),
        {"data": _summary_rows(change, indicators)}, kind="figure", figure="dumbbell")
    # ---- every wave
    if len(ids) >= 3:
        values, models = [], []
        for ind in indicators:
            v, m = ct.across_waves(ind, waves, spec, lang, conf)
            values.extend(v)
            models.extend(m)
        add("across_waves", "waves", text("across", lang),
            {"wave_values": pd.DataFrame(values), "wave_models": pd.DataFrame(models)})
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
            text("by_group", lang, group=item.text.get(lang).lower()), {"by_group": by_group})
    # ---- cohorts
    if cohort and spec.cohort_indicators:
        chosen = [i for i in indicators if i.id in spec.cohort_indicators]
        table, tests = ct.cohorts(chosen, waves, cohort, inst, lang, conf)
        add("cohorts", "cohorts", text("cohorts", lang),
            {"cohorts": table, "heterogeneity": tests})
        add("fig_cohorts", "cohorts", text("fig_cohorts", lang),
            {"data": table[table["wave"] == base]}, kind="figure", figure="cohorts")
    # ---- planning
    tables = {"planning": ct.planning(change, by_group, spec, alpha)}
    if plan is not None:
        tables["plan_power"] = ct.plan_group_power(
            [a for _, a in plan.analyses()], study.waves[follow].data, inst, lang, alpha,
            spec.planning.power)
    add("planning", "planning", text("planning", lang), tables)

    sections = [_Section(s, Label(sv=TEXT[s]["sv"], en=TEXT[s]["en"]))
                for s in ("response", "change", "waves", "groups", "cohorts", "planning")
                if any(r.section == s for r in results)]
    accounts = [study.waves[w].account for w in ids]
    merged = ImportAccount([f for a in accounts for f in a.files],
                           pd.concat([a.exclusions for a in accounts], ignore_index=True))
    problems = pd.concat([study.waves[w].problems for w in ids], ignore_index=True)
    methods = _methods(study, waves, base, follow, spec, alpha, lang)
    shape = _Plan(f"{study.manifest.id}_compare",
                  Label(sv=TEXT["title"]["sv"], en=TEXT["title"]["en"]), sections, alpha, conf)
    return Comparison(shape, _Waves(inst, merged, problems), lang, results, summary, methods)


def _methods(study: Study, waves: ct.Waves, base: str, follow: str, spec: CompareSection,
             alpha: float, lang: str) -> str:
    """The methods paragraph: responses and people counted apart, then what was computed."""
    keys = pd.concat([waves.frames[w][ct.KEY] for w in waves.ids])
    no_key = int(keys.isna().sum())
    people = keys.dropna().nunique() + no_key
    def count(n: int) -> str:
        return f"{n:,}".replace(",", "\u00a0" if lang == "sv" else ",")

    per_wave = ", ".join(text("per_wave", lang, n=count(len(waves.frames[w])),
                              wave=study.label(w, lang)) for w in waves.ids)
    linked = len(set(waves.frames[base][ct.KEY].dropna())
                 & set(waves.frames[follow][ct.KEY].dropna()))
    whole = (text("whole_gee", lang, correlation=text(spec.whole_sample.correlation, lang))
             if spec.whole_sample.method == "gee" else text("whole_mixed", lang))
    alpha_text = f"{alpha:g}".replace(".", ",") if lang == "sv" else f"{alpha:g}"
    return text("methods", lang, responses=count(len(keys)), people=count(people),
                per_wave=per_wave, linked=count(linked), base=study.label(base, lang),
                follow=study.label(follow, lang),
                no_key=text("no_key_count", lang, n=no_key) if no_key else "", whole=whole,
                alpha=alpha_text, power=f"{100 * spec.planning.power:g}")


def _choice_labels(inst: Any, name: str, lang: str) -> dict[float, str]:
    item = inst.item_map.get(name)
    return {float(c.code): c.label.get(lang) for c in item.choices} if item else {}


def _summary_rows(change: pd.DataFrame, indicators: list[Indicator]) -> pd.DataFrame:
    """One row per indicator: a categorical indicator by its focus answer (if it has one)."""
    if "focus" not in change:
        return change
    keep = (change["kind"] != "categorical") | change["focus"].fillna(False).astype(bool)
    return change[keep].reset_index(drop=True)


def _fmt(x: float, lang: str, digits: int) -> str:
    text_ = f"{x:.{digits}f}".replace("-", "−")
    return text_.replace(".", ",") if lang == "sv" else text_


def _p(p: float, lang: str) -> str:
    if lang == "sv":
        return "p < 0,001" if p < 0.001 else "p = " + f"{p:.3f}".replace(".", ",")
    return "p < .001" if p < 0.001 else "p = " + f"{p:.3f}".lstrip("0")


def _sentence(row: pd.Series, lang: str, linked: bool, alpha: float) -> str:
    """One plain sentence per indicator: both waves' values, the change with its CI and n,
    and the smallest change the comparison could detect when it found none. It reports a
    difference; it does not say what caused it."""
    mean = row["unit"] == "mean"
    digits = 2 if mean else 1
    unit = "" if mean else " %"
    pts = "" if mean else (" procentenheter" if lang == "sv" else " percentage points")
    name = row["label"] + (f" ({row['answer']})" if row["answer"] else "")
    a, b = _fmt(row["base"], lang, digits) + unit, _fmt(row["follow"], lang, digits) + unit
    basis = "linked" if linked else "whole"
    change, lo, hi = row[f"{basis}_change"], row[f"{basis}_low"], row[f"{basis}_high"]
    p = row["p"]
    ci = (f"{_fmt(change, lang, digits)}{pts}, 95 % KI {_fmt(lo, lang, digits)} till "
          f"{_fmt(hi, lang, digits)}" if lang == "sv" else
          f"{_fmt(change, lang, digits)}{pts}, 95% CI {_fmt(lo, lang, digits)} to "
          f"{_fmt(hi, lang, digits)}")
    n = int(row["linked_n"]) if linked else int(row["whole_people"])
    if not np.isfinite(p):
        verdict = "inget test" if lang == "sv" else "no test"
    elif p < alpha:
        verdict = _p(p, lang)
    else:
        mde = row["mde"]
        extra = (f"; minsta upptäckbara förändring {_fmt(abs(mde), lang, digits)}{pts}"
                 if lang == "sv" else
                 f"; the smallest change it could detect was {_fmt(abs(mde), lang, digits)}"
                 f"{pts}") if np.isfinite(mde) else ""
        verdict = (f"{_p(p, lang)}, ingen statistiskt säkerställd förändring{extra}"
                   if lang == "sv" else f"{_p(p, lang)}, no statistically clear change{extra}")
    if lang == "sv":
        who = (f"bland de {n} som svarade vid båda mättillfällena" if linked
               else f"alla {n} svarande")
        return (f"{name}: {a} vid baslinjemätningen och {b} vid uppföljningsmätningen (alla "
                f"som svarade); förändring {who} {ci} ({verdict}).")
    who = f"among the {n} who answered both waves" if linked else f"all {n} respondents"
    return (f"{name}: {a} at baseline and {b} at follow-up (all who answered); change {who} "
            f"{ci} ({verdict}).")
