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
from ..lang import confidence_level, localise_decimal, text, texts

# columns shown per table name (in order); others stay in the data files
SHOWN = {
    T.DESCRIBE: ["variable_label", "group_label", "n", "mean", "sd", "median", "conf_low",
                 "conf_high"],
    T.FREQUENCIES: ["variable_label", "group_label", "label", "count", "n", "percent",
                    "conf_low", "conf_high"],
    T.CELLS: ["layer_label", "row_label", "column_label", "observed", "row_percent", "expected",
              "adj_residual"],
    T.TESTS: ["layer_label", "test", "option_label", "statistic", "df", "p", "p_adjusted",
              "cramers_v"],
    T.ASSOCIATION: ["layer_label", "measure", "estimate", "conf_low", "conf_high", "p"],
    T.TTEST: ["variable_label", "test", "group1_label", "group2_label", "estimate", "se",
              "conf_low", "conf_high", "statistic", "df", "p", "p_adjusted"],
    T.LEVENE: ["variable_label", "test", "statistic", "df1", "df2", "p"],
    T.EFFECT_SIZE: ["variable_label", "measure", "estimate", "conf_low", "conf_high"],
    T.MANN_WHITNEY: ["variable_label", "group1_label", "group2_label", "u", "w", "statistic", "p"],
    T.ANOVA: ["variable_label", "source", "ss", "df", "ms", "statistic", "p", "p_adjusted"],
    T.EFFECT_SIZES: ["variable_label", "measure", "estimate", "conf_low", "conf_high"],
    T.PAIRWISE_D: ["variable_label", "group1_label", "group2_label", "estimate", "conf_low",
                   "conf_high"],
    T.POSTHOC: ["variable_label", "group1_label", "group2_label", "estimate", "se", "p",
                "conf_low", "conf_high"],
    T.ROBUST: ["variable_label", "test", "statistic", "df1", "df2", "p", "p_adjusted"],
    T.AGREEMENT: ["variable_label", "test_classical", "p_classical", "test", "p", "disagree"],
    T.FITTING: ["variable_label", "test", "statistic", "df", "p"],
    T.KRUSKAL: ["variable_label", "statistic", "df", "p", "epsilon_squared"],
    T.RANKS: ["variable_label", "group_label", "n", "mean_rank"],
    T.GRID: ["item_label", "label", "count", "n", "percent", "conf_low", "conf_high"],
    T.MULTIPLE_RESPONSE: ["group_label", "label", "count", "n_respondents",
                          "pct_of_respondents", "pct_of_responses", "conf_low", "conf_high"],
    T.COEFFICIENTS: ["term_label", "estimate", "se", "beta", "statistic", "p", "conf_low",
                     "conf_high", "exp_estimate", "exp_conf_low", "exp_conf_high"],
    T.REGRESSION_ANOVA: ["source", "ss", "df", "ms", "statistic", "p"],
    T.MODEL: ["n", "r_squared", "adj_r_squared", "statistic", "df1", "df2", "p", "events",
              "minus2ll", "nagelkerke_r2", "lr_chi2", "df", "alpha", "dispersion", "trials"],
    T.REFERENCES: ["predictor_label", "reference_label", "n_reference", "n"],
    T.COUNT_CHECKS: ["model", "measure", "value"],
    T.ALPHA: ["measure", "estimate", "conf_low", "conf_high", "n", "k"],
    T.ITEMS: ["item_label", "mean", "sd", "item_rest_r", "alpha_if_deleted"],
    T.SCORE: ["n", "mean", "sd", "median", "conf_low", "conf_high"],
    T.LIKERT: ["item_label", "label", "count", "n", "percent", "conf_low", "conf_high"],
    T.LIKERT_SUMMARY: ["item_label", "n", "percent_below", "percent_middle", "percent_above",
                       "mean", "sd"],
    T.MULTIPLICITY: ["analysis", "variable_label", "test", "p", "p_adjusted", "primary"],
    T.RATES: ["wave", "level", "group", "responded", "invited", "percent", "conf_low",
              "conf_high"],
    T.ATTRITION: ["trait_label", "level_label", "n_followed", "n_lost", "followed", "lost",
                  "smd", "statistic", "df", "p"],
    T.LINKAGE: ["group", "n"],
    T.WEIGHTS_MODEL: ["term", "estimate", "se", "statistic", "p", "conf_low", "conf_high"],
    T.WEIGHTS_DIAGNOSTICS: ["n", "sum", "min", "median", "max", "max_to_min", "cv", "ess",
                            "design_effect", "extreme_threshold", "n_extreme", "n_trimmed"],
    T.WEIGHTS_BALANCE: ["trait", "level", "target", "respondents", "weighted",
                        "smd_unweighted", "smd_weighted"],
    T.CHANGE: ["indicator_label", "answer", "unit", "n_base", "base", "n_follow", "follow",
               "linked_n", "linked_change", "linked_low", "linked_high", "linked_p",
               "whole_people", "whole_change", "whole_low", "whole_high", "whole_p",
               "weighted_ess", "weighted_follow", "weighted_change", "weighted_low",
               "weighted_high", "weighted_p", "mde"],
    T.DISTRIBUTION: ["indicator_label", "test", "statistic", "df", "p", "n"],
    T.WAVE_VALUES: ["indicator_label", "answer", "wave", "n", "estimate", "conf_low",
                    "conf_high"],
    T.WAVE_MODELS: ["indicator_label", "answer", "unit", "term", "estimate", "conf_low",
                    "conf_high", "statistic", "df", "p", "n", "people"],
    T.BY_GROUP: ["indicator_label", "answer", "unit", "group_label", "n", "change", "conf_low",
                 "conf_high", "statistic", "df", "p", "p_anova"],
    T.COHORTS: ["wave", "indicator_label", "group_label", "n", "estimate", "conf_low",
                "conf_high"],
    T.HETEROGENEITY: ["wave", "indicator_label", "test", "statistic", "df", "p"],
    T.PLANNING: ["design", "what", "unit", "n", "effect_name", "effect", "mde", "power"],
    T.PLAN_POWER: ["title", "variable", "groups", "n", "effect_name", "effect", "power"],
}
INTEGER = {"n", "count", "observed", "df1_int", "n_respondents", "n1", "n2", "events", "k",
           "responded", "invited", "n_base", "n_follow", "linked_n", "whole_people", "whole_n",
           "weighted_n", "n_followed", "n_lost", "n_responded", "n_extreme", "n_trimmed",
           "people", "groups", "n_reference", "trials"}
PERCENT = {"percent", "row_percent", "pct_of_respondents", "pct_of_responses", "percent_below",
           "percent_middle", "percent_above"}
# the comparison's p columns, and the column naming the test behind each (a footnote)
P_TESTS = {"linked_p": "linked_test", "whole_p": "whole_test", "weighted_p": "weighted_test"}
# (and the adjusted p of a multiplicity family, the classical p beside a robust test)
P_COLUMNS = {*P_TESTS, "p_anova", "p_adjusted", "p_classical"}
# the comparison's estimates: their precision follows the row's unit (means 2 decimals,
# percent and percentage points 1)
BY_UNIT = {"base", "follow", "linked_change", "linked_low", "linked_high", "whole_change",
           "whole_low", "whole_high", "weighted_follow", "weighted_change", "weighted_low",
           "weighted_high", "mde", "estimate", "conf_low", "conf_high", "change", "followed",
           "lost"}
# columns whose coded values are shown as words (the catalog's cell.<column>.<value>)
WORDS = {"unit", "group", "level", "design", "what", "term"}
THREE = {"estimate", "beta", "cramers_v", "r_squared", "adj_r_squared", "nagelkerke_r2",
         "epsilon_squared", "item_rest_r", "alpha_if_deleted", "alpha"}


@dataclass
class Shown:
    """A table as shown: its columns, their headings, formatted rows and footnotes."""

    columns: list[str]
    headings: list[str]
    rows: list[list[str]]
    footnotes: list[str]


def fmt_number(value: Any, column: str, lang: str, table: str = "") -> str:
    """A value as shown in ``column`` of ``table`` (rounded, APA p values, decimal mark)."""
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
    elif column in P_COLUMNS:
        out = fmt_number(value, "p", "en")
    elif column in ("conf_low", "conf_high") and table in (T.FREQUENCIES, T.GRID, T.LIKERT):
        out = f"{100 * value:.1f}"
    elif column in THREE or column.startswith("exp_") or column in ("conf_low", "conf_high"):
        out = f"{value:.3f}"
    else:
        out = f"{value:.2f}"
    return localise_decimal(out, lang)


def shown(table_name: str, frame: pd.DataFrame, lang: str, conf: float = 0.95) -> Shown:
    """The columns and formatted cells of one table, with the p-value footnotes; interval
    headings name ``conf``, the level the intervals were computed at."""
    wanted = SHOWN.get(table_name) or [c for c in frame.columns if c not in ("method", "note")]
    cols = [c for c in wanted if c in frame.columns and frame[c].notna().any()]
    headings = texts("column", lang)
    level = confidence_level(conf, lang)
    heads = [headings[c].format(level=level) if c in headings else c for c in cols]
    footnotes: list[str] = []
    if "p" in cols and "method" in frame.columns:
        methods = [m for m in dict.fromkeys(frame.loc[frame["p"].notna(), "method"]) if m]
        if methods:
            heads[cols.index("p")] = "p ᵃ"
            footnotes.append(f"ᵃ {text('table.p_from', lang)}: "
                             + "; ".join(str(m) for m in methods) + ".")
    marks = iter("ᵇᶜᵈ")
    for col, test in P_TESTS.items():
        if col in cols and test in frame.columns:
            tests = [t for t in dict.fromkeys(frame.loc[frame[col].notna(), test]) if t]
            if tests:
                mark = next(marks)
                heads[cols.index(col)] += f" {mark}"
                footnotes.append(f"{mark} {text('table.p_from', lang)}: "
                                 + "; ".join(map(str, tests)) + ".")
    words = texts("cell", lang)
    units = frame["unit"].tolist() if "unit" in frame.columns else [None] * len(frame)
    rows = [[_cell(v, c, lang, table_name, unit, words)
             for c, v in zip(cols, rec, strict=True)]
            for rec, unit in zip(frame[cols].itertuples(index=False), units, strict=True)]
    if "note" in frame.columns:
        for note in dict.fromkeys(frame["note"].dropna()):
            if str(note):
                footnotes.append(str(note))
    return Shown(cols, heads, rows, footnotes)


def _cell(value: Any, column: str, lang: str, table: str, unit: Any,
          words: dict[str, str]) -> str:
    """One cell: a coded value of the comparison shown as a word, the comparison's estimates
    at the precision of their row's unit, everything else by :func:`fmt_number`."""
    if column in WORDS and isinstance(value, str) and f"{column}.{value}" in words:
        return words[f"{column}.{value}"]
    if column in BY_UNIT and unit in ("points", "percent", "mean"):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return localise_decimal(f"{value:.1f}" if unit != "mean" else f"{value:.2f}", lang)
    return fmt_number(value, column, lang, table)
