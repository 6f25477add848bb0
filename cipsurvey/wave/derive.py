"""Derived variables: computed from the answers, never asked (age group, any reason given)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..instrument import Derived, Instrument


def compute_derived(inst: Instrument, frame: pd.DataFrame) -> pd.DataFrame:
    """Columns for every derived variable of ``inst``, in definition order."""
    out = pd.DataFrame(index=frame.index)
    work = frame
    for d in inst.derived:
        out[d.id] = _one(inst, d, work)
        # joined, not assigned: on a wide wave an insert draws pandas' PerformanceWarning
        work = pd.concat([work, out[[d.id]]], axis=1)
    return out


def _values(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return pd.to_numeric(frame[name], errors="coerce")
    return pd.Series(np.nan, index=frame.index)


def _one(inst: Instrument, d: Derived, frame: pd.DataFrame) -> pd.Series:
    if d.kind == "bins":
        x = _values(frame, d.source or "")
        codes = [float(c.code) for c in d.choices]
        bins = pd.cut(x, bins=d.breaks, right=False, labels=False).to_numpy(dtype=float)
        found = ~np.isnan(bins)
        values = np.full(len(bins), np.nan)
        values[found] = np.asarray(codes, dtype=float)[bins[found].astype(int)]
        return pd.Series(values, index=frame.index)
    if d.kind in {"any", "count"}:
        hits = np.zeros(len(frame))
        answered = np.zeros(len(frame), dtype=bool)
        for source in d.sources:  # column by column: no rows × sources table
            x = _values(frame, source).to_numpy(dtype=float)
            hits += x == d.value
            answered |= ~np.isnan(x)
        if d.kind == "count":
            return pd.Series(np.where(answered, hits, np.nan), index=frame.index)
        yes, no = float(d.choices[0].code), float(d.choices[1].code)
        return pd.Series(np.where(answered, np.where(hits > 0, yes, no), np.nan),
                         index=frame.index)
    # condition
    from ..instrument import expr

    bound = expr.bind(d.when or "", inst.variables())
    truth = bound.evaluate(frame)
    yes, no = float(d.choices[0].code), float(d.choices[1].code)
    result = pd.Series(np.where(truth.fillna(False).to_numpy(dtype=bool), yes, no),
                       index=frame.index)
    return result.where(truth.notna())
