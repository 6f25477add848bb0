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

from ..analysis import tables as T

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
           "trait": "Baseline trait", "followed": "Followed up", "lost": "Lost", "smd": "SMD",
           "indicator_label": "Indicator", "indicator": "Indicator", "kind": "Measure",
           "value_0": "Baseline", "value_1": "Follow-up", "n_0": "n baseline",
           "n_1": "n follow-up", "linked_n": "n linked", "linked_change": "Change (linked)",
           "linked_p": "p linked", "d_z": "d_z", "unlinked_p": "p unlinked",
           "change": "Change"},
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
           "wave": "Omgång", "level": "Nivå", "responded": "Svarade", "invited": "Inbjudna",
           "trait": "Egenskap vid baslinjen", "followed": "Följda", "lost": "Bortfall",
           "smd": "SMD", "indicator_label": "Indikator", "indicator": "Indikator",
           "kind": "Mått", "value_0": "Baslinje", "value_1": "Uppföljning",
           "n_0": "n baslinje", "n_1": "n uppföljning", "linked_n": "n länkade",
           "linked_change": "Förändring (länkade)", "linked_p": "p länkade", "d_z": "d_z",
           "unlinked_p": "p oberoende", "change": "Förändring"},
}

# columns shown per table name (in order); others stay in the data files
SHOWN = {
    T.DESCRIBE: ["variable_label", "group_label", "n", "mean", "sd", "median", "conf_low",
                 "conf_high"],
    T.FREQUENCIES: ["variable_label", "group_label", "label", "count", "n", "percent",
                    "conf_low", "conf_high"],
    T.CELLS: ["row_label", "column_label", "observed", "row_percent", "expected",
              "adj_residual"],
    T.TESTS: ["test", "option", "statistic", "df", "p", "cramers_v"],
    T.ASSOCIATION: ["measure", "estimate", "conf_low", "conf_high", "p"],
    T.TTEST: ["test", "group1_label", "group2_label", "estimate", "se", "conf_low",
              "conf_high", "statistic", "df", "p"],
    T.LEVENE: ["test", "statistic", "df1", "df2", "p"],
    T.EFFECT_SIZE: ["measure", "estimate", "conf_low", "conf_high"],
    T.MANN_WHITNEY: ["group1_label", "group2_label", "u", "w", "statistic", "p"],
    T.ANOVA: ["variable_label", "source", "ss", "df", "ms", "statistic", "p"],
    T.EFFECT_SIZES: ["variable_label", "measure", "estimate", "conf_low", "conf_high"],
    T.PAIRWISE_D: ["variable_label", "group1_label", "group2_label", "estimate", "conf_low",
                   "conf_high"],
    T.POSTHOC: ["variable_label", "group1_label", "group2_label", "estimate", "se", "p",
                "conf_low", "conf_high"],
    T.ROBUST: ["variable_label", "test", "statistic", "df1", "df2", "p"],
    T.KRUSKAL: ["variable_label", "statistic", "df", "p", "epsilon_squared"],
    T.GRID: ["item_label", "label", "count", "n", "percent", "conf_low", "conf_high"],
    T.MULTIPLE_RESPONSE: ["group_label", "label", "count", "n_respondents",
                          "pct_of_respondents", "pct_of_responses", "conf_low", "conf_high"],
    T.COEFFICIENTS: ["term_label", "estimate", "se", "beta", "statistic", "p", "conf_low",
                     "conf_high", "exp_estimate", "exp_conf_low", "exp_conf_high"],
    T.MODEL: ["n", "r_squared", "adj_r_squared", "statistic", "df1", "df2", "p", "events",
              "minus2ll", "nagelkerke_r2", "lr_chi2", "df", "alpha", "dispersion"],
    T.ALPHA: ["measure", "estimate", "conf_low", "conf_high", "n", "k"],
    T.ITEMS: ["item_label", "mean", "sd", "item_rest_r", "alpha_if_deleted"],
    T.SCORE: ["n", "mean", "sd", "median", "conf_low", "conf_high"],
    T.RATES: ["wave", "level", "group", "responded", "invited", "percent", "conf_low",
              "conf_high"],
    T.ATTRITION: ["trait", "level", "followed", "lost", "smd", "statistic", "df", "p"],
    T.LINKAGE: ["group", "n"],
    T.CHANGE: ["indicator_label", "kind", "value_0", "value_1", "n_0", "n_1", "linked_n",
               "linked_change", "linked_p", "d_z", "unlinked_p"],
    T.BY_AREA: ["indicator", "group", "n", "change", "conf_low", "conf_high", "p"],
    T.COHORTS: ["indicator", "group", "n", "estimate", "conf_low", "conf_high"],
    T.HETEROGENEITY: ["indicator", "test", "statistic", "df", "p"],
}
INTEGER = {"n", "count", "observed", "df1_int", "n_respondents", "n1", "n2", "events", "k",
           "responded", "invited", "n_0", "n_1", "linked_n"}
PERCENT = {"percent", "row_percent", "pct_of_respondents", "pct_of_responses", "followed",
           "lost", "value_0", "value_1", "change", "linked_change"}
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
    elif column in ("linked_p", "unlinked_p"):
        text = fmt_number(value, "p", "en")
    elif column in ("conf_low", "conf_high") and table in (T.FREQUENCIES, T.GRID):
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
    rows = [[fmt_number(v, c, lang, table_name) for c, v in zip(cols, rec, strict=True)]
            for rec in frame[cols].itertuples(index=False)]
    if "note" in frame.columns:
        for note in dict.fromkeys(frame["note"].dropna()):
            if str(note):
                footnotes.append(str(note))
    return Shown(cols, heads, rows, footnotes)
