"""What a reader sees of each result table: which columns, their headings, number formats.

Formatting only: values are rounded for display here and nowhere else (results stay at full
precision). Swedish output uses a decimal comma. p-values follow APA style (no leading zero,
"< .001").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

# the wave comparison's columns (cipsurvey.compare)
COMPARE_HEADINGS: dict[str, dict[str, str]] = {
    "label": {"en": "Indicator", "sv": "Indikator"},
    "answer": {"en": "Answer", "sv": "Svar"},
    "unit": {"en": "Unit", "sv": "Enhet"},
    "n_base": {"en": "n baseline", "sv": "n baslinje"},
    "base": {"en": "Baseline", "sv": "Baslinje"},
    "n_follow": {"en": "n follow-up", "sv": "n uppföljning"},
    "follow": {"en": "Follow-up", "sv": "Uppföljning"},
    "linked_n": {"en": "n linked", "sv": "n länkade"},
    "linked_change": {"en": "Change, linked", "sv": "Förändring, länkade"},
    "linked_low": {"en": "95% CI low", "sv": "95 % KI nedre"},
    "linked_high": {"en": "95% CI high", "sv": "95 % KI övre"},
    "linked_p": {"en": "p linked", "sv": "p länkade"},
    "d_z": {"en": "d_z", "sv": "d_z"},
    "whole_people": {"en": "n people", "sv": "n personer"},
    "whole_n": {"en": "n answers", "sv": "n svar"},
    "whole_change": {"en": "Change, whole sample", "sv": "Förändring, hela urvalet"},
    "whole_low": {"en": "95% CI low", "sv": "95 % KI nedre"},
    "whole_high": {"en": "95% CI high", "sv": "95 % KI övre"},
    "whole_p": {"en": "p whole sample", "sv": "p hela urvalet"},
    "weighted_ess": {"en": "Effective n, weighted", "sv": "Effektivt n, viktat"},
    "weighted_follow": {"en": "Follow-up, weighted", "sv": "Uppföljning, viktad"},
    "weighted_change": {"en": "Change, weighted", "sv": "Förändring, viktad"},
    "weighted_low": {"en": "95% CI low", "sv": "95 % KI nedre"},
    "weighted_high": {"en": "95% CI high", "sv": "95 % KI övre"},
    "weighted_p": {"en": "p weighted", "sv": "p viktat"},
    "mde": {"en": "Minimum detectable change", "sv": "Minsta upptäckbara förändring"},
    "trait": {"en": "Baseline trait", "sv": "Egenskap vid baslinjemätningen"},
    "trait_label": {"en": "Baseline trait", "sv": "Egenskap vid baslinjemätningen"},
    "level_label": {"en": "Answer", "sv": "Svar"},
    "n_followed": {"en": "n followed up", "sv": "n följda"},
    "n_lost": {"en": "n lost", "sv": "n bortfall"},
    "followed": {"en": "Answered follow-up", "sv": "Svarade vid uppföljningen"},
    "lost": {"en": "Did not answer", "sv": "Svarade inte"},
    "smd": {"en": "SMD", "sv": "SMD"},
    "term": {"en": "Term", "sv": "Term"},
    "n_responded": {"en": "Answered", "sv": "Svarade"},
    "sum": {"en": "Sum of weights", "sv": "Summa vikter"},
    "max_to_min": {"en": "Largest / smallest", "sv": "Största / minsta"},
    "cv": {"en": "CV", "sv": "Variationskoefficient"},
    "ess": {"en": "Effective n (Kish)", "sv": "Effektivt n (Kish)"},
    "design_effect": {"en": "Design effect", "sv": "Designeffekt"},
    "n_extreme": {"en": "Extreme weights", "sv": "Extrema vikter"},
    "extreme_threshold": {"en": "Extreme above", "sv": "Extrem över"},
    "n_trimmed": {"en": "Trimmed", "sv": "Trimmade"},
    "target": {"en": "Everyone invited", "sv": "Alla inbjudna"},
    "respondents": {"en": "Respondents", "sv": "Svarande"},
    "weighted": {"en": "Respondents, weighted", "sv": "Svarande, viktat"},
    "smd_unweighted": {"en": "SMD unweighted", "sv": "SMD oviktat"},
    "smd_weighted": {"en": "SMD weighted", "sv": "SMD viktat"},
    "people": {"en": "n people", "sv": "n personer"},
    "p_anova": {"en": "p ANOVA", "sv": "p ANOVA"},
    "mde_f": {"en": "Detectable f", "sv": "Upptäckbart f"},
    "design": {"en": "Comparison", "sv": "Jämförelse"},
    "what": {"en": "Quantity", "sv": "Storhet"},
    "effect_name": {"en": "Effect size", "sv": "Effektmått"},
    "effect": {"en": "Effect", "sv": "Effekt"},
    "power": {"en": "Power", "sv": "Styrka"},
    "indicator": {"en": "Indicator", "sv": "Indikator"},
    "title": {"en": "Analysis", "sv": "Analys"},
    "variable": {"en": "Variable", "sv": "Variabel"},
    "groups": {"en": "Groups", "sv": "Grupper"},
}
# cell values of the comparison's tables shown as words
COMPARE_VALUES: dict[str, dict[str, dict[str, str]]] = {
    "unit": {"mean": {"en": "mean", "sv": "medelvärde"},
             "points": {"en": "% points", "sv": "procentenheter"},
             "percent": {"en": "%", "sv": "%"},
             "standardized": {"en": "standardized", "sv": "standardiserad"}},
    "group": {"both": {"en": "both waves", "sv": "båda mättillfällena"},
              "base_only": {"en": "baseline only", "sv": "bara baslinjemätningen"},
              "follow_only": {"en": "follow-up only", "sv": "bara uppföljningsmätningen"},
              "twice_base": {"en": "twice at baseline", "sv": "två gånger vid baslinjemätningen"},
              "twice_follow": {"en": "twice at follow-up",
                               "sv": "två gånger vid uppföljningsmätningen"},
              "no_key_base": {"en": "baseline, no key", "sv": "baslinjemätningen, utan nyckel"},
              "no_key_follow": {"en": "follow-up, no key",
                                "sv": "uppföljningsmätningen, utan nyckel"}},
    "level": {"wave": {"en": "all", "sv": "alla"}, "file": {"en": "file", "sv": "fil"},
              "cohort": {"en": "course occasion", "sv": "kurstillfälle"}},
    "design": {"paired": {"en": "paired (linked)", "sv": "parade (länkade)"},
               "independent": {"en": "independent samples", "sv": "oberoende urval"},
               "groups": {"en": "groups", "sv": "grupper"}},
    "what": {"mde": {"en": "minimum detectable effect", "sv": "minsta upptäckbara effekt"},
             "n_needed": {"en": "n needed", "sv": "n som behövs"}},
    "term": {"joint": {"en": "all waves equal", "sv": "alla mättillfällen lika"},
             "trend": {"en": "trend per wave", "sv": "trend per mättillfälle"}},
}
# p columns of the comparison and the column naming the test behind each
P_TESTS = {"linked_p": "linked_test", "whole_p": "whole_test"}
# columns whose precision follows the row's unit (means 2 decimals, percent 1)
BY_UNIT = {"base", "follow", "linked_change", "linked_low", "linked_high", "whole_change",
           "whole_low", "whole_high", "weighted_follow", "weighted_change", "weighted_low",
           "weighted_high", "mde", "estimate", "conf_low", "conf_high", "change", "followed",
           "lost", "linked_base", "linked_follow"}

HEADINGS = {
    "en": {"variable_label": "Variable", "group_label": "Group", "group": "Group",
           "n": "n", "mean": "M", "sd": "SD", "median": "Median", "q1": "Q1", "q3": "Q3",
           "min": "Min", "max": "Max", "conf_low": "95% CI low", "conf_high": "95% CI high",
           "label": "Answer", "count": "Count", "percent": "%", "test": "Test",
           "statistic": "Statistic", "df": "df", "df1": "df1", "df2": "df2", "p": "p",
           "row_label": "Row", "column_label": "Column", "observed": "n",
           "row_percent": "Row %", "expected": "Expected", "adj_residual": "Adj. residual",
           "measure": "Measure", "estimate": "Estimate", "group1_label": "Group I",
           "group2_label": "Group J", "se": "SE", "source": "Source", "ss": "SS", "ms": "MS",
           "item_label": "Item", "term_label": "Term", "beta": "β", "exp_estimate": "exp(B)",
           "exp_conf_low": "exp CI low", "exp_conf_high": "exp CI high",
           "r_squared": "R²", "adj_r_squared": "Adj. R²", "pct_of_respondents": "% of respondents",
           "pct_of_responses": "% of responses", "n_respondents": "Respondents",
           "cramers_v": "Cramér's V", "option": "Option", "item_rest_r": "Item-rest r",
           "alpha_if_deleted": "α if deleted", "n1": "n I", "n2": "n J", "mean1": "M I",
           "mean2": "M J", "u": "U", "w": "W", "epsilon_squared": "ε²", "events": "Events",
           "minus2ll": "-2LL", "nagelkerke_r2": "Nagelkerke R²", "alpha": "α (NB)",
           "dispersion": "Dispersion", "k": "Items", "sigma": "σ", "lr_chi2": "LR χ²",
           "wave": "Wave", "level": "Level", "responded": "Responded", "invited": "Invited",
           "change": "Change", **{k: v["en"] for k, v in COMPARE_HEADINGS.items()}},
    "sv": {"variable_label": "Variabel", "group_label": "Grupp", "group": "Grupp",
           "n": "n", "mean": "M", "sd": "SD", "median": "Median", "q1": "Q1", "q3": "Q3",
           "min": "Min", "max": "Max", "conf_low": "95 % KI nedre", "conf_high": "95 % KI övre",
           "label": "Svar", "count": "Antal", "percent": "%", "test": "Test",
           "statistic": "Statistika", "df": "fg", "df1": "fg1", "df2": "fg2", "p": "p",
           "row_label": "Rad", "column_label": "Kolumn", "observed": "n",
           "row_percent": "Rad-%", "expected": "Förväntat", "adj_residual": "Just. residual",
           "measure": "Mått", "estimate": "Skattning", "group1_label": "Grupp I",
           "group2_label": "Grupp J", "se": "SE", "source": "Källa", "ss": "KvS", "ms": "MKv",
           "item_label": "Fråga", "term_label": "Term", "beta": "β", "exp_estimate": "exp(B)",
           "exp_conf_low": "exp KI nedre", "exp_conf_high": "exp KI övre",
           "r_squared": "R²", "adj_r_squared": "Just. R²", "pct_of_respondents": "% av svarande",
           "pct_of_responses": "% av svar", "n_respondents": "Svarande",
           "cramers_v": "Cramérs V", "option": "Alternativ", "item_rest_r": "r (övriga)",
           "alpha_if_deleted": "α utan frågan", "n1": "n I", "n2": "n J", "mean1": "M I",
           "mean2": "M J", "u": "U", "w": "W", "epsilon_squared": "ε²", "events": "Händelser",
           "minus2ll": "-2LL", "nagelkerke_r2": "Nagelkerke R²", "alpha": "α (NB)",
           "dispersion": "Dispersion", "k": "Frågor", "sigma": "σ", "lr_chi2": "LR χ²",
           "wave": "Mättillfälle", "level": "Nivå", "responded": "Svarade",
           "invited": "Inbjudna", "change": "Förändring",
           **{k: v["sv"] for k, v in COMPARE_HEADINGS.items()}},
}

# columns shown per table name (in order); others stay in the data files
SHOWN = {
    "describe": ["variable_label", "group_label", "n", "mean", "sd", "median", "conf_low",
                 "conf_high"],
    "frequencies": ["variable_label", "group_label", "label", "count", "n", "percent",
                    "conf_low", "conf_high"],
    "cells": ["row_label", "column_label", "observed", "row_percent", "expected",
              "adj_residual"],
    "tests": ["test", "option", "statistic", "df", "p", "cramers_v"],
    "association": ["measure", "estimate", "conf_low", "conf_high", "p"],
    "ttest": ["test", "group1_label", "group2_label", "estimate", "se", "conf_low",
              "conf_high", "statistic", "df", "p"],
    "levene": ["test", "statistic", "df1", "df2", "p"],
    "effect_size": ["measure", "estimate", "conf_low", "conf_high"],
    "mann_whitney": ["group1_label", "group2_label", "u", "w", "statistic", "p"],
    "anova": ["variable_label", "source", "ss", "df", "ms", "statistic", "p"],
    "effect_sizes": ["variable_label", "measure", "estimate", "conf_low", "conf_high"],
    "pairwise_d": ["variable_label", "group1_label", "group2_label", "estimate", "conf_low",
                   "conf_high"],
    "posthoc": ["variable_label", "group1_label", "group2_label", "estimate", "se", "p",
                "conf_low", "conf_high"],
    "robust": ["variable_label", "test", "statistic", "df1", "df2", "p"],
    "kruskal": ["variable_label", "statistic", "df", "p", "epsilon_squared"],
    "grid": ["item_label", "label", "count", "n", "percent", "conf_low", "conf_high"],
    "multiple_response": ["group_label", "label", "count", "n_respondents",
                          "pct_of_respondents", "pct_of_responses", "conf_low", "conf_high"],
    "coefficients": ["term_label", "estimate", "se", "beta", "statistic", "p", "conf_low",
                     "conf_high", "exp_estimate", "exp_conf_low", "exp_conf_high"],
    "model": ["n", "r_squared", "adj_r_squared", "statistic", "df1", "df2", "p", "events",
              "minus2ll", "nagelkerke_r2", "lr_chi2", "df", "alpha", "dispersion"],
    "alpha": ["measure", "estimate", "conf_low", "conf_high", "n", "k"],
    "items": ["item_label", "mean", "sd", "item_rest_r", "alpha_if_deleted"],
    "score": ["n", "mean", "sd", "median", "conf_low", "conf_high"],
    "rates": ["wave", "level", "group", "responded", "invited", "percent", "conf_low",
              "conf_high"],
    "attrition": ["trait_label", "level_label", "n_followed", "n_lost", "followed", "lost",
                  "smd", "statistic", "df", "p"],
    "linkage": ["group", "n"],
    "weights_model": ["term", "estimate", "se", "statistic", "p", "conf_low", "conf_high"],
    "weights_diagnostics": ["n", "sum", "min", "median", "max", "max_to_min", "cv", "ess",
                            "design_effect", "extreme_threshold", "n_extreme", "n_trimmed"],
    "weights_balance": ["trait", "level", "target", "respondents", "weighted",
                        "smd_unweighted", "smd_weighted"],
    "change": ["label", "answer", "unit", "n_base", "base", "n_follow", "follow", "linked_n",
               "linked_change", "linked_low", "linked_high", "linked_p", "whole_people",
               "whole_change", "whole_low", "whole_high", "whole_p", "weighted_ess",
               "weighted_follow", "weighted_change", "weighted_low", "weighted_high",
               "weighted_p", "mde"],
    "distribution": ["label", "test", "statistic", "df", "p", "n"],
    "wave_values": ["label", "answer", "wave", "n", "estimate", "conf_low", "conf_high"],
    "wave_models": ["label", "answer", "unit", "term", "estimate", "conf_low", "conf_high",
                    "statistic", "df", "p", "n", "people"],
    "by_group": ["label", "answer", "unit", "group_label", "n", "change", "conf_low",
                 "conf_high", "statistic", "df", "p", "p_anova"],
    "cohorts": ["wave", "label", "group_label", "n", "estimate", "conf_low", "conf_high"],
    "heterogeneity": ["wave", "label", "test", "statistic", "df", "p"],
    "planning": ["design", "what", "unit", "n", "effect_name", "effect", "mde", "power"],
    "plan_power": ["title", "variable", "groups", "n", "effect_name", "effect", "power"],
}
INTEGER = {"n", "count", "observed", "df1_int", "n_respondents", "n1", "n2", "events", "k",
           "responded", "invited", "n_base", "n_follow", "linked_n", "whole_people", "whole_n",
           "weighted_n", "n_followed", "n_lost", "n_responded", "n_extreme", "n_trimmed",
           "people"}
PERCENT = {"percent", "row_percent", "pct_of_respondents", "pct_of_responses"}
P_COLUMNS = {"linked_p", "whole_p", "weighted_p", "p_anova"}
THREE = {"estimate", "beta", "cramers_v", "r_squared", "adj_r_squared", "nagelkerke_r2",
         "epsilon_squared", "item_rest_r", "alpha_if_deleted", "alpha"}


@dataclass
class Shown:
    columns: list[str]
    headings: list[str]
    rows: list[list[str]]
    footnotes: list[str]


def fmt_number(value: Any, column: str, lang: str, table: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if not isinstance(value, int | float):
        return str(value)
    if column == "p":
        text = "< .001" if value < 0.001 else f"{value:.3f}".replace("0.", ".", 1)
        if value >= 0.9995:
            text = "1.000"
    elif column in INTEGER or (column == "df" and float(value).is_integer()):
        text = f"{value:.0f}"
    elif column in PERCENT:
        text = f"{value:.1f}"
    elif column in P_COLUMNS:
        text = fmt_number(value, "p", "en")
    elif column in ("conf_low", "conf_high") and table in ("frequencies", "grid"):
        text = f"{100 * value:.1f}"
    elif column in THREE or column.startswith("exp_") or column in ("conf_low", "conf_high"):
        text = f"{value:.3f}"
    else:
        text = f"{value:.2f}"
    if lang == "sv":
        text = text.replace(".", ",")
    return text


def shown(table_name: str, frame: pd.DataFrame, lang: str) -> Shown:
    """The columns and formatted cells of one table, with the p-value footnotes."""
    wanted = SHOWN.get(table_name) or [c for c in frame.columns if c not in ("method", "note")]
    cols = [c for c in wanted if c in frame.columns and frame[c].notna().any()]
    heads = [HEADINGS[lang].get(c, c) for c in cols]
    footnotes: list[str] = []
    if "p" in cols and "method" in frame.columns:
        methods = [m for m in dict.fromkeys(frame.loc[frame["p"].notna(), "method"]) if m]
        if methods:
            heads[cols.index("p")] = "p ᵃ"
            label = "p-värde från" if lang == "sv" else "p from"
            footnotes.append(f"ᵃ {label}: " + "; ".join(str(m) for m in methods) + ".")
    marks = iter("ᵇᶜᵈᵉ")
    for col, test in P_TESTS.items():
        if col in cols and test in frame.columns:
            tests = [t for t in dict.fromkeys(frame.loc[frame[col].notna(), test]) if t]
            if tests:
                mark = next(marks)
                heads[cols.index(col)] += f" {mark}"
                label = "p-värde från" if lang == "sv" else "p from"
                footnotes.append(f"{mark} {label}: " + "; ".join(map(str, tests)) + ".")
    units = frame["unit"].tolist() if "unit" in frame.columns else [None] * len(frame)
    rows = [[_cell(v, c, lang, table_name, unit) for c, v in zip(cols, rec, strict=True)]
            for rec, unit in zip(frame[cols].itertuples(index=False), units, strict=True)]
    if "note" in frame.columns:
        for note in dict.fromkeys(frame["note"].dropna()):
            if str(note):
                footnotes.append(str(note))
    return Shown(cols, heads, rows, footnotes)


def _cell(value: Any, column: str, lang: str, table: str, unit: Any) -> str:
    """One cell: a word for a coded value, the row's unit deciding the precision of the
    comparison's estimates (means 2 decimals, percent and percentage points 1)."""
    words = COMPARE_VALUES.get(column)
    if words is not None and isinstance(value, str) and value in words:
        return words[value][lang]
    if column in BY_UNIT and unit in ("points", "percent", "mean"):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        text = f"{value:.1f}" if unit != "mean" else f"{value:.2f}"
        return text.replace(".", ",") if lang == "sv" else text
    return fmt_number(value, column, lang, table)
