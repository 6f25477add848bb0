"""Compare waves and cohorts: response and attrition, change for every indicator (linked and
unlinked), change by work area, and course occasions side by side.

The results are ``Result`` objects like a report's, so the same renderers write them
(HTML, Word, Excel, JSON, figures). Every statistic comes from ``cipsurvey.stats``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import stats as st
from ..instrument import ItemType, Label
from ..lang import localise_decimal, text, translations
from ..wave.study import Study
from ..wave.survey import ImportAccount
from . import tables as T
from .results import Result

COUNTS = ["n_part_30d", "n_self_30d", "n_part_6m", "n_self_6m"]
BINARY = ["ever_cip", "abstained_6m", "template_known", "cq_responsibilities_clarified",
          "cq_client_influence", "cq_adequate_support", "cq_coordination",
          "cq_more_interventions", "cq_easier_care", "cq_more_investigations"]
CATEGORICAL = ["template_exists"]
BASELINE_TRAITS = ["gender", "age", "work_area", "years_at_workplace", "ever_cip", "n_part_6m"]


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

    def result(self, rid: str) -> Result:
        return next(r for r in self.results if r.id == rid)


def _indicators(frame: pd.DataFrame) -> pd.DataFrame:
    """The wave with the derived indicators (template known = 'a template exists')."""
    out = frame.copy()
    out["template_known"] = np.where(out["template_exists"].isna(), np.nan,
                                     np.where(out["template_exists"] == 1, 1.0, 2.0))
    for col in [c for c in out.columns if c.startswith("partners_12m_")]:
        out[col] = out[col].map({1.0: 1.0, 0.0: 2.0})
    return out


def _binary_items(frame: pd.DataFrame) -> list[str]:
    return BINARY + sorted(c for c in frame.columns if c.startswith("partners_12m_"))


def compare(study: Study, base: str | None = None, follow: str | None = None,
            lang: str = "en") -> Comparison:
    ids = list(study.waves)
    base, follow = base or ids[0], follow or ids[-1]
    w0 = _indicators(study.waves[base].data)
    w1 = _indicators(study.waves[follow].data)
    key = study.key
    linked_ok = bool(key) and w0[key].notna().any() and w1[key].notna().any()
    notes = [] if linked_ok else [text("compare.no_key", lang)]
    results: list[Result] = []

    def add(rid: str, section: str, title: str, tables: dict[str, pd.DataFrame], *,
            kind: str = "table", figure: str | None = None, n: int | None = None,
            extra: list[str] | None = None) -> None:
        results.append(Result(id=rid, section=section, kind=kind, title=title, addition=False,
                              source=None, tables=tables, notes=[*notes, *(extra or [])],
                              figure=figure, n=n))

    # ---- response and attrition
    add("response_rates", "response", text("compare.response_rates", lang),
        {T.RATES: response_rates(study)})
    if linked_ok:
        add("attrition", "response", text("compare.attrition", lang),
            {T.ATTRITION: attrition(w0, w1, key)})
        add("linkage", "response", text("compare.linkage", lang), {T.LINKAGE: linkage(w0, w1, key)})
    # ---- change
    change_rows, summary = change(w0, w1, key if linked_ok else None, lang, study)
    add("summary", "change", text("compare.summary", lang), {}, extra=summary)
    add("change", "change", text("compare.section_change", lang), {T.CHANGE: change_rows})
    add("fig_change", "change", text("compare.section_change", lang), {T.DATA: change_rows},
        kind="figure", figure="dumbbell")
    if linked_ok:
        add("change_by_area", "areas", text("compare.section_areas", lang),
            {T.BY_AREA: change_by_area(w0, w1, key)})
    # ---- cohorts
    if study.manifest.cohort:
        table = cohorts(w0, study.manifest.cohort)
        add("cohorts", "cohorts", text("compare.section_cohorts", lang),
            {T.COHORTS: table[T.COHORTS], T.HETEROGENEITY: table[T.HETEROGENEITY]})
        add("fig_cohorts", "cohorts", text("compare.section_cohorts", lang),
            {T.DATA: table[T.COHORTS]}, kind="figure", figure="cohorts")
    sections = [_Section("response", Label(**translations("compare.section_response"))),
                _Section("change", Label(**translations("compare.section_change"))),
                _Section("areas", Label(**translations("compare.section_areas"))),
                _Section("cohorts", Label(**translations("compare.section_cohorts")))]
    accounts = [study.waves[w].account for w in (base, follow)]
    merged = ImportAccount([f for a in accounts for f in a.files],
                           pd.concat([a.exclusions for a in accounts], ignore_index=True))
    problems = pd.concat([study.waves[w].problems for w in (base, follow)], ignore_index=True)
    plan = _Plan(f"{study.manifest.id}_compare", Label(**translations("compare.title")),
                 sections)
    return Comparison(plan, _Waves(study.instrument, merged, problems), lang, results, summary)


# --------------------------------------------------------------------------- response


def response_rates(study: Study) -> pd.DataFrame:
    """Answers / invited per wave, per cohort and per source, with Wilson CIs."""
    rows = []
    cohort = study.manifest.cohort
    for wave, survey in study.waves.items():
        data = survey.data
        invited = study.invited[study.invited["wave"] == wave] if study.invited is not None \
            else None
        total = int(invited["invited"].sum()) if invited is not None else None

        def row(level: str, group: Any, n: int, of: int | None,
                wave: str = wave) -> dict[str, Any]:
            lo, hi = st.wilson(n, of) if of else (np.nan, np.nan)
            return {"wave": wave, "level": level, "group": group, "responded": n,
                    "invited": of, "percent": 100 * n / of if of else np.nan,
                    "conf_low": 100 * lo if of else np.nan,
                    "conf_high": 100 * hi if of else np.nan, "method": "Wilson score interval"}

        rows.append(row("wave", "all", len(data), total))
        for mode, n in data["mode"].value_counts().sort_index().items():
            rows.append(row("source", {1.0: "web", 2.0: "paper"}.get(mode, mode), int(n), total))
        if cohort and invited is not None:
            for _, inv in invited.iterrows():
                n = int((data[cohort] == inv["cohort"]).sum())
                rows.append(row("cohort", inv["cohort"], n, int(inv["invited"])))
    return pd.DataFrame(rows)


def attrition(w0: pd.DataFrame, w1: pd.DataFrame, key: str) -> pd.DataFrame:
    """Baseline characteristics of those who answered the follow-up and those who did not:
    a test and a standardized difference (Cohen's d; for a share, Cohen's h) each."""
    answered = w0[key].isin(set(w1[key].dropna())).map({True: 1.0, False: 2.0})
    frame = w0.assign(_followed=answered)
    rows = []
    for trait in BASELINE_TRAITS:
        if trait not in frame:
            continue
        stayed, left = frame[frame["_followed"] == 1][trait], frame[frame["_followed"] == 2][trait]
        if trait in ("age", "years_at_workplace", "n_part_6m"):
            t = st.ttest(frame, trait, "_followed", order=[1.0, 2.0]).iloc[1]
            d = st.cohens_d(frame, trait, "_followed", order=[1.0, 2.0]).iloc[0]
            rows.append({"trait": trait, "level": "", "followed": stayed.mean(),
                         "lost": left.mean(), "smd": d["estimate"], "statistic": t["statistic"],
                         "df": t["df"], "p": t["p"], "method": "Welch's t; SMD = Cohen's d"})
            continue
        tests = st.chi2_tests(frame, trait, "_followed")
        pearson = tests.iloc[0]
        for level in sorted(frame[trait].dropna().unique()):
            p1 = (stayed.dropna() == level).mean()
            p0 = (left.dropna() == level).mean()
            h = 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p0))
            rows.append({"trait": trait, "level": level, "followed": 100 * p1,
                         "lost": 100 * p0, "smd": h, "statistic": pearson["statistic"],
                         "df": pearson["df"], "p": pearson["p"],
                         "method": "Pearson chi-square; SMD = Cohen's h"})
    return pd.DataFrame(rows)


def linkage(w0: pd.DataFrame, w1: pd.DataFrame, key: str) -> pd.DataFrame:
    ids0, ids1 = set(w0[key].dropna()), set(w1[key].dropna())
    return pd.DataFrame([
        {"group": "both waves", "n": len(ids0 & ids1)},
        {"group": "baseline only", "n": len(ids0 - ids1)},
        {"group": "follow-up only", "n": len(ids1 - ids0)},
        {"group": "twice in the baseline", "n": int(w0[key].dropna().duplicated().sum())},
        {"group": "twice in the follow-up", "n": int(w1[key].dropna().duplicated().sum())},
    ])


# --------------------------------------------------------------------------- change


def _merged(w0: pd.DataFrame, w1: pd.DataFrame, key: str, col: str) -> pd.DataFrame:
    a = w0[[key, col, "work_area"]].dropna(subset=[key]).drop_duplicates(key)
    b = w1[[key, col]].dropna(subset=[key]).drop_duplicates(key)
    return a.merge(b, on=key, suffixes=("_0", "_1"))


def change(w0: pd.DataFrame, w1: pd.DataFrame, key: str | None, lang: str,
           study: Study) -> tuple[pd.DataFrame, list[str]]:
    """Per indicator: both waves' values, the linked (paired) test and the unlinked test."""
    rows, summary = [], []
    inst = study.instrument
    both = pd.concat([w0.assign(_wave=0.0), w1.assign(_wave=1.0)], ignore_index=True)
    for col in COUNTS + _binary_items(w0) + CATEGORICAL:
        label = _label(inst, col, lang)
        row: dict[str, Any] = {"indicator": col, "indicator_label": label}
        if col in COUNTS:
            row.update(kind="mean", value_0=w0[col].mean(), value_1=w1[col].mean(),
                       n_0=int(w0[col].notna().sum()), n_1=int(w1[col].notna().sum()))
            welch = st.ttest(both, col, "_wave", order=[1.0, 0.0]).iloc[1]
            mw = st.mann_whitney(both, col, "_wave", order=[1.0, 0.0]).iloc[0]
            row.update(unlinked_test="Welch's t", unlinked_statistic=welch["statistic"],
                       unlinked_p=welch["p"], unlinked_p_mw=mw["p"])
            if key:
                m = _merged(w0, w1, key, col)
                pt = st.paired_t(m, f"{col}_1", f"{col}_0").iloc[0]
                wx = st.wilcoxon(m, f"{col}_1", f"{col}_0").iloc[0]
                row.update(linked_n=pt["n"], linked_change=pt["estimate"],
                           linked_conf_low=pt["conf_low"], linked_conf_high=pt["conf_high"],
                           linked_test="Wilcoxon signed-rank; paired t",
                           linked_statistic=wx["statistic"], linked_p=wx["p"],
                           linked_p_t=pt["p"], d_z=pt["d_z"])
        elif col in CATEGORICAL:
            row.update(kind="percent exists", value_0=100 * (w0[col].dropna() == 1).mean(),
                       value_1=100 * (w1[col].dropna() == 1).mean(),
                       n_0=int(w0[col].notna().sum()), n_1=int(w1[col].notna().sum()))
            pearson = st.chi2_tests(both, "_wave", col).iloc[0]
            row.update(unlinked_test="Pearson chi-square", unlinked_statistic=pearson["statistic"],
                       unlinked_p=pearson["p"])
            if key:
                m = _merged(w0, w1, key, col)
                mh = st.marginal_homogeneity(m, f"{col}_0", f"{col}_1").set_index("test")
                row.update(linked_n=len(m.dropna()), linked_test="Stuart-Maxwell; Bowker",
                           linked_statistic=mh.loc["Stuart-Maxwell", "statistic"],
                           linked_p=mh.loc["Stuart-Maxwell", "p"],
                           linked_p_bowker=mh.loc["Bowker", "p"])
        else:
            v0, v1 = w0[col].dropna(), w1[col].dropna()
            row.update(kind="percent yes", value_0=100 * (v0 == 1).mean() if len(v0) else np.nan,
                       value_1=100 * (v1 == 1).mean() if len(v1) else np.nan,
                       n_0=len(v0), n_1=len(v1))
            tests = st.chi2_tests(both, "_wave", col)
            pearson = tests.iloc[0]
            row.update(unlinked_test="Pearson chi-square", unlinked_statistic=pearson["statistic"],
                       unlinked_p=pearson["p"])
            if key:
                m = _merged(w0, w1, key, col).dropna()
                mc = st.mcnemar(m, f"{col}_0", f"{col}_1")
                exact = mc.iloc[0]
                row.update(linked_n=len(m), linked_test="McNemar (exact)",
                           linked_change=100 * ((m[f"{col}_1"] == 1).mean()
                                                - (m[f"{col}_0"] == 1).mean()) if len(m)
                           else np.nan,
                           linked_p=exact["p"])
        row["method"] = row.get("linked_test") or row.get("unlinked_test")
        row["p"] = row.get("linked_p", row.get("unlinked_p"))
        rows.append(row)
        summary.append(_sentence(row, lang, bool(key)))
    return pd.DataFrame(rows), summary


def _label(inst, col: str, lang: str) -> str:
    if col == "template_known":
        return text("compare.template_known", lang)
    if col in inst.item_map:
        return inst.item_map[col].text.get(lang)
    for item in inst.items:
        if item.type == ItemType.multiple_choice and col in item.columns:
            option = item.choices[item.columns.index(col)].label.get(lang)
            return text("compare.partner", lang, option=option)
    return col


def _sentence(row: dict[str, Any], lang: str, linked: bool, alpha: float = 0.05) -> str:
    """One plain sentence per indicator: both waves' values, and what the test says. It reports
    a difference; it does not say what caused it."""
    p = row.get("p")
    mean = row["kind"] == "mean"
    unit = "" if mean else " %"

    def fmt(x: float) -> str:
        return localise_decimal(f"{x:.2f}" if mean else f"{x:.1f}", lang)

    a, b = fmt(row["value_0"]) + unit, fmt(row["value_1"]) + unit
    if p is None or not np.isfinite(p):
        ptxt = text("compare.no_test", lang)
    else:
        ptxt = "p < .001" if p < 0.001 else "p = " + f"{p:.3f}".lstrip("0")
    n = row.get("linked_n")
    clear = p is not None and np.isfinite(p) and p < alpha
    verdict = text(("compare.rose" if row["value_1"] > row["value_0"] else "compare.fell")
                   if clear else "compare.no_clear_change", lang)
    basis = (text("compare.paired_basis", lang, n=int(n)) if linked and n
             else text("compare.unlinked_basis", lang))
    return text("compare.sentence", lang, indicator=row["indicator_label"], baseline=a,
                follow_up=b, verdict=verdict, basis=basis, p=ptxt)


def change_by_area(w0: pd.DataFrame, w1: pd.DataFrame, key: str) -> pd.DataFrame:
    """Difference-in-differences style: change among the linked per work area, and a test of
    whether the change differs between areas (Kruskal-Wallis and ANOVA on change scores)."""
    rows = []
    for col in [*COUNTS, "template_known", "abstained_6m"]:
        m = _merged(w0, w1, key, col).dropna()
        m = m[m["work_area"].isin([1.0, 2.0, 3.0])]
        if col in COUNTS:
            m["delta"] = m[f"{col}_1"] - m[f"{col}_0"]
        else:
            m["delta"] = 100 * ((m[f"{col}_1"] == 1).astype(float)
                                - (m[f"{col}_0"] == 1).astype(float))
        kw = st.kruskal(m, "delta", "work_area").iloc[0]
        an = st.anova(m, "delta", "work_area").iloc[0]
        for area, part in m.groupby("work_area"):
            d = st.describe(part, "delta").iloc[0]
            rows.append({"indicator": col, "group": area, "n": d["n"], "change": d["mean"],
                         "conf_low": d["conf_low"], "conf_high": d["conf_high"],
                         "statistic": kw["statistic"], "df": kw["df"], "p": kw["p"],
                         "p_anova": an["p"],
                         "method": "Kruskal-Wallis on the change scores (ANOVA beside)"})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- cohorts


def cohorts(w0: pd.DataFrame, cohort: str) -> dict[str, pd.DataFrame]:
    """Key indicators per course occasion and a test of heterogeneity between occasions."""
    rows, tests = [], []
    key_binary = ["ever_cip", "template_known", "abstained_6m"]
    for col in key_binary:
        f = st.frequencies(w0, col, cohort, labels={1.0: "yes", 2.0: "no"})
        f = f[f["level"] == 1.0]
        for _, r in f.iterrows():
            rows.append({"indicator": col, "group": r["group"], "n": r["n"],
                         "estimate": r["percent"], "conf_low": 100 * r["conf_low"],
                         "conf_high": 100 * r["conf_high"], "unit": "%"})
        pearson = st.chi2_tests(w0, cohort, col).iloc[0]
        tests.append({"indicator": col, "test": "Pearson chi-square",
                      "statistic": pearson["statistic"], "df": pearson["df"],
                      "p": pearson["p"], "method": "Pearson chi-square across occasions",
                      "note": pearson["note"]})
    d = st.describe(w0, "n_part_6m", cohort)
    for _, r in d[d["group"] != "Total"].iterrows():
        rows.append({"indicator": "n_part_6m", "group": r["group"], "n": r["n"],
                     "estimate": r["mean"], "conf_low": r["conf_low"],
                     "conf_high": r["conf_high"], "unit": "mean"})
    kw = st.kruskal(w0, "n_part_6m", cohort).iloc[0]
    tests.append({"indicator": "n_part_6m", "test": "Kruskal-Wallis",
                  "statistic": kw["statistic"], "df": kw["df"], "p": kw["p"],
                  "method": kw["method"], "note": ""})
    return {T.COHORTS: pd.DataFrame(rows), T.HETEROGENEITY: pd.DataFrame(tests)}

