"""The protection's rules that need the wave itself: who is in an analysis, how many hold a
group's smallest and largest value, where a protected whisker ends, and whether a model
describes a group smaller than K."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ...instrument import Instrument, expr


def subset_rows(data: pd.DataFrame, inst: Instrument, subset: str | None) -> pd.DataFrame:
    """The respondents of an analysis' subset."""
    if not subset:
        return data
    mask = expr.bind(subset, inst.variables()).evaluate(data).fillna(False)
    return data.loc[mask.to_numpy(dtype=bool)]


def group_values(data: pd.DataFrame, var: str, by: str | None, group: Any) -> np.ndarray:
    """The answers of one group ("Total": everyone with a group), without missing."""
    if by is None or group == "Total":
        rows = data if by is None else data[data[by].notna()]
    else:
        rows = data[data[by] == float(group)]
    values = rows[var].to_numpy(dtype=float)
    return values[~np.isnan(values)]


def held_by(values: np.ndarray, value: float) -> int:
    """How many of ``values`` equal ``value``."""
    return int((values == value).sum())


def protected_whisker(values: np.ndarray, q1: float, q3: float, side: int, k: int) -> float:
    """The most extreme value within 1.5 IQR of the box (Tukey's fence) that at least K
    respondents hold; the box's edge when there is none beyond it."""
    edge = q3 if side > 0 else q1
    fence = q3 + 1.5 * (q3 - q1) if side > 0 else q1 - 1.5 * (q3 - q1)
    uniques, counts = np.unique(values, return_counts=True)
    ok = uniques[(counts >= k) & ((uniques - edge) * side > 0) & ((fence - uniques) * side >= 0)]
    if not len(ok):
        return edge
    return float(ok.max() if side > 0 else ok.min())


def model_too_small(data: pd.DataFrame, analysis: Any, inst: Instrument, k: int) -> bool:
    """A model describes a small group when a level of a categorical predictor, or the
    events or non-events of a logistic outcome, number fewer than K in the model's
    complete cases, or when fewer than K degrees of freedom are left."""
    cols = [analysis.outcome, *analysis.predictors]
    rows = data[[c for c in cols if c in data.columns]].dropna()
    if len(rows) - len(analysis.predictors) - 1 < k:
        return True
    for p in analysis.predictors:
        item = inst.item_map.get(p)
        if item is not None and item.choices:
            counts = rows[p].value_counts()
            if ((counts > 0) & (counts < k)).any():
                return True
    if analysis.model == "logistic":
        event = float(analysis.event if analysis.event is not None else 1)
        events = int((rows[analysis.outcome] == event).sum())
        if min(events, len(rows) - events) < k:
            return True
    return False
