"""The true counts of every universe, from the wave: the witness the protection's own audit
starts from (and a check of the attacker's reading: the truth must satisfy every constraint
it reads)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...instrument import expr
from .universe import NA, Universes


def true_cells(universes: Universes, data: pd.DataFrame) -> np.ndarray:
    """The vector of every universe's cell counts in ``data``."""
    out = np.zeros(universes.size)
    variables = universes.inst.variables()
    for u in universes.all():
        mask = np.ones(len(data), dtype=bool)
        for var, codes in u.conds:
            if var == "<subset>":
                bound = expr.bind(codes, variables)
                mask &= bound.evaluate(data).fillna(False).to_numpy(dtype=bool)
            else:
                mask &= data[var].isin([float(c) for c in codes]).to_numpy()
        sub = data.loc[mask]
        keys = []
        for var, valued in zip(u.vars, u.valued, strict=True):
            col = sub[var] if var in sub else pd.Series(np.nan, index=sub.index)
            if valued:
                keys.append(col.astype(float).where(col.notna(), other=np.nan))
            else:
                keys.append(col.notna().map({True: "answered", False: NA}))
        frame = pd.DataFrame({f"k{i}": k.to_numpy(dtype=object) for i, k in enumerate(keys)})
        for i in range(len(keys)):
            frame[f"k{i}"] = frame[f"k{i}"].map(lambda v: NA if (isinstance(v, float)
                                                                 and np.isnan(v)) else v)
        for combo, n in frame.value_counts(dropna=False).items():
            combo = combo if isinstance(combo, tuple) else (combo,)
            cid = u.cell_id(tuple(combo))
            if cid is None:
                raise ValueError(f"a value outside the levels of {u.vars}: {combo}")
            out[cid] += n
    return out
