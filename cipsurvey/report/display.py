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
from ..lang import localise_decimal, text, texts

# columns shown per table name (in order); others stay in the data files
SHOWN = {
    T.DESCRIBE: ["variable_label", "group_label", "n", "mean", "sd", "median", "conf_low",
                 "conf_high"],
    T.FREQUENCIES: ["variable_label", "group_label", "label", "count", "n", "percent",
                    "conf_low", "conf_high"],
    T.CELLS: ["layer_label", "row_label", "column_label", "observed", "row_percent", "expected",
              "adj_residual"],
    T.TESTS: ["layer_label", "test", "option", "statistic", "df", "p", "cramers_v"],
    T.ASSOCIATION: ["layer_label", "measure", "estimate", "conf_low", "conf_high", "p"],
    T.TTEST: ["variable_label", "test", "group1_label", "group2_label", "estimate", "se",
              "conf_low", "conf_high", "statistic", "df", "p"],
    T.LEVENE: ["variable_label", "test", "statistic", "df1", "df2", "p"],
    T.EFFECT_SIZE: ["variable_label", "measure", "estimate", "conf_low", "conf_high"],
    T.MANN_WHITNEY: ["variable_label", "group1_label", "group2_label", "u", "w", "statistic", "p"],
    T.ANOVA: ["variable_label", "source", "ss", "df", "ms", "statistic", "p"],
    T.EFFECT_SIZES: ["variable_label", "measure", "estimate", "conf_low", "conf_high"],
    T.PAIRWISE_D: ["variable_label", "group1_label", "group2_label", "estimate", "conf_low",
                   "conf_high"],
    T.POSTHOC: ["variable_label", "group1_label", "group2_label", "estimate", "se", "p",
                "conf_low", "conf_high"],
    T.ROBUST: ["variable_label", "test", "statistic", "df1", "df2", "p"],
    T.KRUSKAL: ["variable_label", "statistic", "df", "p", "epsilon_squared"],
    T.RANKS: ["variable_label", "group_label", "n", "mean_rank"],
    T.GRID: ["item_label", "label", "count", "n", "percent", "conf_low", "conf_high"],
    T.MULTIPLE_RESPONSE: ["group_label", "label", "count", "n_respondents",
                          "pct_of_respondents", "pct_of_responses", "conf_low", "conf_high"],
    T.COEFFICIENTS: ["term_label", "estimate", "se", "beta", "statistic", "p", "conf_low",
                     "conf_high", "exp_estimate", "exp_conf_low", "exp_conf_high"],
    T.REGRESSION_ANOVA: ["source", "ss", "df", "ms", "statistic", "p"],
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
        out = "< .001" if value < 0.001 else f"{value:.3f}".replace("0.", ".", 1)
        if value >= 0.9995:
            out = "1.000"
    elif column in INTEGER or (column == "df" and float(value).is_integer()):
        out = f"{value:.0f}"
    elif column in PERCENT:
        out = f"{value:.1f}"
    elif column in ("linked_p", "unlinked_p"):
        out = fmt_number(value, "p", "en")
    elif column in ("conf_low", "conf_high") and table in (T.FREQUENCIES, T.GRID):
        out = f"{100 * value:.1f}"
    elif column in THREE or column.startswith("exp_") or column in ("conf_low", "conf_high"):
        out = f"{value:.3f}"
    else:
        out = f"{value:.2f}"
    return localise_decimal(out, lang)


def shown(table_name: str, frame: pd.DataFrame, lang: str) -> Shown:
    """The columns and formatted cells of one table, with the p-value footnotes."""
    wanted = SHOWN.get(table_name) or [c for c in frame.columns if c not in ("method", "note")]
    cols = [c for c in wanted if c in frame.columns and frame[c].notna().any()]
    headings = texts("column", lang)
    heads = [headings.get(c, c) for c in cols]
    footnotes: list[str] = []
    if "p" in cols and "method" in frame.columns:
        methods = [m for m in dict.fromkeys(frame.loc[frame["p"].notna(), "method"]) if m]
        if methods:
            heads[cols.index("p")] = "p ᵃ"
            footnotes.append(f"ᵃ {text('table.p_from', lang)}: "
                             + "; ".join(str(m) for m in methods) + ".")
    rows = [[fmt_number(v, c, lang, table_name) for c, v in zip(cols, rec, strict=True)]
            for rec in frame[cols].itertuples(index=False)]
    if "note" in frame.columns:
        for note in dict.fromkeys(frame["note"].dropna()):
            if str(note):
                footnotes.append(str(note))
    return Shown(cols, heads, rows, footnotes)
