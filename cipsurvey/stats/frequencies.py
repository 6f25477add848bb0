"""Frequencies, proportions with Wilson intervals, answer grids and multiple-response sets.

Wilson intervals are statsmodels' (``proportion_confint``) and the tests of a
multiple-response option scipy's (through ``contingency``). The counts come from the codes'
offsets (``_discrete.value_counts``) or the crosstab's ``bincount``, tested against pandas'
``value_counts`` and ``crosstab`` (tests/test_fast_paths.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from . import _discrete
from ._util import frame, group_codes, levels, memo
from .contingency import association, table

FREQ_COLUMNS = ["group", "level", "label", "count", "n", "proportion", "percent", "conf_low",
                "conf_high", "method", "note"]


def wilson(count: int, n: int, conf: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (statsmodels)."""
    if n == 0:
        return np.nan, np.nan
    lo, hi = proportion_confint(count, n, alpha=1 - conf, method="wilson")
    return float(lo), float(hi)


def frequencies(data: pd.DataFrame, column: str, between: str | None = None, *,
                labels: Mapping[Any, str] | None = None, order: Sequence[Any] | None = None,
                conf: float = 0.95) -> pd.DataFrame:
    """Counts and proportions of each answer among those who answered, with Wilson CIs.

    Parameters
    ----------
    data : DataFrame
    column : str
        The answer column (codes).
    between : str, optional
        Group column: one block of rows per group (and no total).
    labels : mapping, optional
        Code → label, and the order of the levels (unused codes get a zero row).
    order : sequence, optional
        Level order when ``labels`` is not given.

    Returns
    -------
    DataFrame
        ``group, level, label, count, n, proportion, percent, conf_low, conf_high, method,
        note``; ``n`` is the answering denominator (valid answers in the group).

    Notes
    -----
    Method: Wilson score interval (Wilson, 1927), via ``statsmodels``.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
        inference. JASA, 22, 209-212.
    """
    rows = []
    for group, counts in _tallies(data, column, between):
        n = sum(counts.values())
        level_list = list(labels) if labels else (list(order) if order else list(counts))
        for level in level_list:
            count = int(counts.get(level, 0))
            lo, hi = wilson(count, n, conf)
            rows.append({
                "group": group, "level": level,
                "label": labels.get(level, str(level)) if labels else str(level),
                "count": count, "n": n, "proportion": count / n if n else np.nan,
                "percent": 100 * count / n if n else np.nan, "conf_low": lo, "conf_high": hi,
                "method": "Wilson score interval", "note": "" if n else "no answers",
            })
    return frame(rows, FREQ_COLUMNS)


def _tallies(data: pd.DataFrame, column: str,
             between: str | None) -> list[tuple[Any, dict[Any, int]]]:
    """Per group (or "Total"), how many gave each answer, in level order; groups where
    nobody answered are left out."""
    if column not in data.columns:
        raise KeyError(f"no column {column!r} in the data")
    if between is not None:
        # each group's row of the crosstab (shared with a crosstab of the same columns)
        obs = table(data, between, column)
        answers = obs.columns.tolist()
        return [(g, {a: int(c) for a, c in zip(answers, row, strict=True) if c})
                for g, row in zip(obs.index.tolist(), obs.to_numpy(), strict=True)
                if row.any()]
    values = data[column]
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "f":
        uniques, counts = _discrete.value_counts(values.to_numpy())
        return [("Total", dict(zip(uniques.tolist(), counts.tolist(), strict=True)))]
    present = values.dropna()
    return [("Total", {lv: int((present == lv).sum()) for lv in levels(present)})]


def grid(data: pd.DataFrame, items: Sequence[str], labels: Mapping[Any, str],
         item_labels: Mapping[str, str] | None = None, conf: float = 0.95) -> pd.DataFrame:
    """A Table 3 style grid: per item, each answer's count and percent of those answering.

    Returns
    -------
    DataFrame
        ``item, item_label, level, label, count, n, proportion, percent, conf_low,
        conf_high, method, note`` with one row per item and answer.
    """
    key = ("grid", tuple(items), tuple(labels.items()), tuple((item_labels or {}).items()),
           conf)
    return memo(data, key, lambda: _grid(data, items, labels, item_labels, conf)).copy()


def _grid(data: pd.DataFrame, items: Sequence[str], labels: Mapping[Any, str],
          item_labels: Mapping[str, str] | None, conf: float) -> pd.DataFrame:
    parts = []
    for item in items:
        f = frequencies(data, item, labels=labels, conf=conf).drop(columns="group")
        f.insert(0, "item_label", (item_labels or {}).get(item, item))
        f.insert(0, "item", item)
        parts.append(f)
    return pd.concat(parts, ignore_index=True)


MR_COLUMNS = ["group", "option", "label", "count", "n_respondents", "n_responses",
              "pct_of_respondents", "pct_of_responses", "conf_low", "conf_high", "method", "note"]


def multiple_response(data: pd.DataFrame, columns: Sequence[str], between: str | None = None,
                      *, labels: Mapping[str, str] | None = None,
                      conf: float = 0.95) -> pd.DataFrame:
    """A multiple-response set (Table 5 style): percent of respondents and of responses.

    Parameters
    ----------
    columns : sequence of str
        One 0/1 column per option; a respondent who answered the question has 0 or 1 in
        every option, one who did not has them all missing.

    Returns
    -------
    DataFrame
        ``group, option, label, count, n_respondents, n_responses, pct_of_respondents,
        pct_of_responses, conf_low, conf_high, method, note``. ``n_respondents`` is the
        answering denominator (respondents with any option answered); the Wilson CI is for the
        percent of respondents, in percent.

    Notes
    -----
    Method: counts of a dichotomy set as SPSS's MULT RESPONSE tabulates them.
    """
    key = ("multiple_response", tuple(columns), between, tuple((labels or {}).items()), conf)
    return memo(data, key, lambda: _multiple_response(data, list(columns), between, labels,
                                                      conf)).copy()


def _options(data: pd.DataFrame, columns: list[str]) -> tuple[list[np.ndarray], np.ndarray]:
    """A multiple-response set's option columns as arrays, and the respondents who answered
    the question (any option given). Column by column: a respondent × option matrix would
    be a copy of them all."""
    options = [data[c].to_numpy(dtype=float) for c in columns]
    answered = np.zeros(len(data), dtype=bool)
    for values in options:
        answered |= ~np.isnan(values)
    return options, answered


def _multiple_response(data: pd.DataFrame, columns: list[str], between: str | None,
                       labels: Mapping[str, str] | None, conf: float) -> pd.DataFrame:
    options, answered = _options(data, columns)
    if between is None:
        found: list[Any] = ["Total"]
        code = np.where(answered, 0, -1)
    else:
        found, code = group_codes(data, between)
        code = np.where(answered, code, -1)
    n_found = len(found)
    sizes = np.bincount(code[code >= 0], minlength=n_found)
    chosen = np.array([np.bincount(code[(values == 1) & (code >= 0)], minlength=n_found)
                       for values in options]).reshape(len(options), n_found)
    rows = []
    for k, group in enumerate(found):
        n = int(sizes[k])
        responses = int(chosen[:, k].sum())
        for col, count in zip(columns, chosen[:, k].tolist(), strict=True):
            lo, hi = (100 * v for v in wilson(count, n, conf))
            rows.append({
                "group": group, "option": col, "label": (labels or {}).get(col, col),
                "count": count, "n_respondents": n, "n_responses": responses,
                "pct_of_respondents": 100 * count / n if n else np.nan,
                "pct_of_responses": 100 * count / responses if responses else np.nan,
                "conf_low": lo, "conf_high": hi, "method": "Wilson score interval",
                "note": "" if n else "no respondents",
            })
    return frame(rows, MR_COLUMNS)


def multiple_response_tests(data: pd.DataFrame, columns: Sequence[str], between: str,
                            structural: Mapping[str, Sequence[Any]] | None = None
                            ) -> pd.DataFrame:
    """Compare groups on each option: Pearson χ² (uncorrected), or Fisher's exact test
    (Fisher-Freeman-Halton beyond 2 × 2) where the option's table is sparse.

    Parameters
    ----------
    structural : mapping of option column to group levels, optional
        Groups that cannot choose an option by design (one's own organisation among the
        "other organisations"): they are left out of that option's test and effect size.

    Returns
    -------
    DataFrame
        ``option, n, statistic, df, p, cramers_v, method, note, excluded`` per option,
        among the respondents who answered the question; ``excluded`` lists the groups left
        out by design.
    """
    structural = {c: tuple(v) for c, v in (structural or {}).items()}
    key = ("multiple_response_tests", tuple(columns), between, tuple(sorted(structural.items())))
    return memo(data, key, lambda: _multiple_response_tests(data, list(columns), between,
                                                            structural)).copy()


def _multiple_response_tests(data: pd.DataFrame, columns: list[str], between: str,
                             structural: dict[str, tuple]) -> pd.DataFrame:
    from .selection import crosstab_tests

    options, answered = _options(data, columns)  # (unanswered options of them count as 0)
    group = data[between].array[answered]
    rows = []
    for col, values in zip(columns, options, strict=True):
        # two columns per option, not a copy of every option per test
        chosen = values[answered]
        chosen[np.isnan(chosen)] = 0
        pair = pd.DataFrame({between: group, col: chosen}, copy=False)
        excluded = structural.get(col, ())
        if excluded:
            keep = ~pd.Series(group).isin([float(g) for g in excluded]).to_numpy()
            if (chosen[~keep] != 0).any():
                raise ValueError(f"{col!r}: a group declared unable to choose it has chosen it")
            pair = pair[keep]
        tests = crosstab_tests(pair, between, col)
        use = tests[tests["primary"]].iloc[0]
        v = association(pair, between, col)
        v = v[v["measure"] == "Cramer's V"]["estimate"]
        rows.append({"option": col, "n": use["n"], "statistic": use["statistic"],
                     "df": use["df"], "p": use["p"],
                     "cramers_v": float(v.iloc[0]) if len(v) else np.nan,
                     "method": use["test"],
                     "note": tests.iloc[0]["note"],
                     "excluded": ", ".join(str(g) for g in excluded)})
    return frame(rows, ["option", "n", "statistic", "df", "p", "cramers_v", "method", "note",
                        "excluded"])
