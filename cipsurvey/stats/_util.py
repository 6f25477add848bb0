"""Shared plumbing of the statistics functions: missing data, group order, degenerate cases."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np
import pandas as pd

from . import _discrete


def complete_rows(data: pd.DataFrame, columns: Iterable[str]) -> np.ndarray:
    """Which rows have a value in every one of ``columns`` (listwise deletion), as a mask."""
    columns = list(dict.fromkeys(columns))
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise KeyError(f"no column {missing[0]!r} in the data")
    keep = np.ones(len(data), dtype=bool)
    for c in columns:
        keep &= data[c].notna().to_numpy()
    return keep


def listwise(data: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """The rows with a value in every one of ``columns`` (listwise deletion)."""
    columns = list(dict.fromkeys(columns))
    return data.loc[complete_rows(data, columns), columns]


def levels(series: pd.Series) -> list[Any]:
    """Group levels in a stable order: a categorical's order, else sorted values.

    The order never depends on the order of the rows, so shuffling the data changes nothing.
    """
    if isinstance(series.dtype, np.dtype) and series.dtype.kind == "f":
        found = _discrete.present(series.to_numpy())
        if found is not None:
            return found.tolist()
    present = series.dropna()
    if isinstance(series.dtype, pd.CategoricalDtype):
        seen = set(present.unique())
        return [c for c in series.cat.categories if c in seen]
    if present.dtype.kind == "f":
        present = present + 0.0  # -0.0 and 0.0 are one level, reported as 0.0 in any order
    values = present.unique().tolist()
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


_MEMO: ContextVar[dict | None] = ContextVar("cipsurvey_stats_memo", default=None)


@contextmanager
def shared_work() -> Iterator[None]:
    """Within this block, group splits and contingency tables of the same DataFrame object
    are computed once and shared (a plan runs a dozen tests on the same groups). The data
    must not change inside the block; outside it nothing is cached."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def memo(data: pd.DataFrame, key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its earlier result for the same DataFrame object inside
    :func:`shared_work`."""
    store = _MEMO.get()
    if store is None:
        return compute()
    hit = store.get((id(data), key))
    if hit is not None and hit[0]() is data:
        return hit[1]
    value = compute()
    store[(id(data), key)] = (weakref.ref(data), value)
    return value


def group_codes(data: pd.DataFrame, column: str) -> tuple[list[Any], np.ndarray]:
    """The levels of ``column`` (as :func:`levels`) and each row's position among them, -1
    where missing (read-only; shared inside :func:`shared_work`)."""
    found, code = memo(data, ("group_codes", column), lambda: _group_codes(data, column))
    return list(found), code


def _group_codes(data: pd.DataFrame, column: str) -> tuple[list[Any], np.ndarray]:
    if not _plain(data, column, "f"):
        found = levels(data[column])
        code = pd.Index(found).get_indexer(data[column]).astype(np.int32)
    else:
        uniques, code = _discrete.codes(data[column].to_numpy())
        found = uniques.tolist()
    code.flags.writeable = False
    return found, code


def split(data: pd.DataFrame, dv: str, between: str,
          order: list[Any] | None = None) -> tuple[list[Any], list[np.ndarray]]:
    """Values of ``dv`` per level of ``between`` after listwise deletion of both (the arrays
    are read-only: they may be shared, see :func:`shared_work`)."""
    found, groups = memo(data, ("split", dv, between, tuple(order or ())),
                         lambda: _split(data, dv, between, order))
    return list(found), list(groups)


def _plain(data: pd.DataFrame, column: str, kinds: str) -> bool:
    """A column held in a plain numpy array of one of these kinds (not an extension type)."""
    if column not in data.columns:
        return False
    dtype = data[column].dtype
    return isinstance(dtype, np.dtype) and dtype.kind in kinds


def _split(data: pd.DataFrame, dv: str, between: str,
           order: list[Any] | None) -> tuple[list[Any], list[np.ndarray]]:
    if _plain(data, between, "f") and _plain(data, dv, "fiu"):
        y = data[dv].to_numpy(dtype=float)
        g = data[between].to_numpy().copy()
        g[np.isnan(y)] = np.nan  # listwise: a group only where there is a value
        coded = _discrete.codes(g)
        found, code = coded[0].tolist(), coded[1]
        if order is not None:
            position = {lv: k for k, lv in enumerate(found)}
            found = [lv for lv in order if lv in position]
            keep = [position[lv] for lv in found]
        else:
            keep = list(range(len(found)))
        groups = [y[code == k] for k in keep]  # each in the rows' order
        for values in groups:
            values.flags.writeable = False
        return found, groups
    clean = listwise(data, [dv, between])
    found = levels(clean[between])
    if order is not None:
        found = [lv for lv in order if lv in set(found)]
    y = clean[dv].to_numpy(dtype=float)
    g = clean[between].to_numpy()
    groups = [y[g == lv] for lv in found]
    for values in groups:
        values.flags.writeable = False
    return found, groups


def frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A result table from ``rows``: the contract's ``columns`` first, in that order (a column
    no row has is NaN, or empty text for ``note``), then any other keys the rows carry."""
    out = pd.DataFrame(rows)
    for c in columns:
        if c not in out.columns:
            out[c] = np.nan if c != "note" else ""
    extra = [c for c in out.columns if c not in columns]
    return out[columns + extra].reset_index(drop=True)


def nan_row(columns: list[str], note: str, **known: Any) -> dict[str, Any]:
    """A row for a statistic that cannot be computed: every column NaN except the values
    already ``known`` (n, method), with ``note`` saying why."""
    row: dict[str, Any] = {c: np.nan for c in columns}
    row.update(known)
    row["note"] = note
    return row
