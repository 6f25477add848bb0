"""The data records of an SPSS system file, decoded with numpy.

Why by hand: pyreadstat (ReadStat) hands every cell to Python through a callback, about
0.1 s per million cells; a pooled national wave (a million respondents, seventy items) takes
over ten seconds to read that way. The data records themselves are simple: fixed 8-byte units,
either plain or "bytecode" compressed. This module decodes them with array operations only;
the dictionary (names, labels, missing values, formats, encoding) still comes from
pyreadstat, and every file outside the plain case (big-endian, very long strings, ZLIB
compression, time formats, an unexpected record) returns None so that the caller reads it
with pyreadstat instead. The layout follows the PSPP manual's chapter "System File Format".
"""

from __future__ import annotations

import codecs
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

SPACES = np.frombuffer(b" " * 8, dtype="<u8")[0]
# formats that pyreadstat (and we) turn into timestamps; seconds since 1582-10-14
DATE_FORMATS = ("DATETIME", "DATE", "ADATE", "EDATE", "JDATE", "SDATE", "QYR", "MOYR", "WKYR",
                "YMDHMS")
TIME_FORMATS = ("TIME", "DTIME", "MTIME")
ASCII_SUPERSETS = {"utf-8", "ascii", "cp1252", "iso8859-1", "iso8859-15", "cp1250", "cp1257",
                   "latin-1"}
EPOCH = np.datetime64("1582-10-14T00:00:00", "us")


@dataclass
class Layout:
    """Where the cases are and how they are stored."""

    data_start: int
    case_units: int  # 8-byte units per case
    compression: int
    bias: float
    sysmis: float
    n_cases: int  # -1: not recorded
    variables: list[tuple[int, int]]  # per variable: first unit, width (0 = numeric)


class _Unsupported(Exception):
    """A file this decoder leaves to pyreadstat."""


def _layout(buf: bytes) -> Layout:
    if buf[:4] not in (b"$FL2",) or len(buf) < 176:
        raise _Unsupported("not a plain system file")
    layout_code, case_units, compression = struct.unpack_from("<iii", buf, 64)
    if layout_code not in (2, 3):
        raise _Unsupported("big-endian or unknown layout")
    (n_cases,) = struct.unpack_from("<i", buf, 80)
    (bias,) = struct.unpack_from("<d", buf, 84)
    if compression not in (0, 1):
        raise _Unsupported("ZLIB compression")
    pos = 176
    sysmis = -np.finfo(np.float64).max
    variables: list[tuple[int, int]] = []
    unit = 0
    while True:
        (rec,) = struct.unpack_from("<i", buf, pos)
        if rec == 2:
            vtype, has_label, n_missing = struct.unpack_from("<iii", buf, pos + 4)
            pos += 32
            if has_label:
                (length,) = struct.unpack_from("<i", buf, pos)
                pos += 4 + (length + 3) // 4 * 4
            pos += abs(n_missing) * 8
            if vtype >= 0:
                variables.append((unit, vtype))
            unit += 1
        elif rec == 3:
            (count,) = struct.unpack_from("<i", buf, pos + 4)
            pos += 8
            for _ in range(count):
                length = buf[pos + 8]
                pos += 8 + (length + 1 + 7) // 8 * 8
            (rec4, n_vars) = struct.unpack_from("<ii", buf, pos)
            if rec4 != 4:
                raise _Unsupported("value labels without their variables")
            pos += 8 + 4 * n_vars
        elif rec == 6:
            (lines,) = struct.unpack_from("<i", buf, pos + 4)
            pos += 8 + 80 * lines
        elif rec == 7:
            subtype, size, count = struct.unpack_from("<iii", buf, pos + 4)
            body = pos + 16
            if subtype == 14:
                raise _Unsupported("very long strings")
            if subtype == 4 and size == 8 and count == 3:
                (sysmis,) = struct.unpack_from("<d", buf, body)
            pos = body + size * count
        elif rec == 999:
            pos += 8
            break
        else:
            raise _Unsupported(f"record type {rec}")
    if unit != case_units:
        raise _Unsupported("case size does not match the variables")
    return Layout(pos, case_units, compression, bias, sysmis, n_cases, variables)


def _command_blocks(units: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Positions of the command units in a bytecode stream.

    A command unit holds eight codes; the raw units its 253 codes refer to follow it, then
    the next command unit. Walking that chain one block at a time is a Python loop of
    millions of steps, so: every unit is treated as if it began a block (``step``), 64
    steps are composed by repeated squaring, and the units reached from anywhere are the
    candidates (a walk started inside raw data falls onto the true chain within a few
    steps). The candidates are then checked to be exactly the chain from unit 0: each one's
    successor is the next one. If not (data built to defeat this), None.
    """
    m = len(units)
    step = np.arange(1, m + 1, dtype=np.int64) + (codes == 253).sum(axis=1)
    np.minimum(step, m, out=step)
    jump = np.append(step, m)
    for _ in range(6):
        jump = jump[jump]
    reached = np.zeros(m + 1, dtype=bool)
    reached[jump[:m]] = True
    # the first blocks are reached from no earlier unit: walk them
    p = 0
    for _ in range(256):
        if p >= m:
            break
        reached[p] = True
        p = int(step[p])
    blocks = np.nonzero(reached[:m])[0]
    if len(blocks) == 0 or blocks[0] != 0:
        return None
    follow = step[blocks]
    if not (np.array_equal(follow[:-1], blocks[1:]) and follow[-1] >= m):
        return None
    return blocks


def _decode(stream: bytes, layout: Layout) -> np.ndarray | None:
    """The cases as 8-byte words, one row per case."""
    if layout.compression == 0:
        words = np.frombuffer(stream, dtype="<u8", count=len(stream) // 8)
    else:
        units = np.frombuffer(stream, dtype="<u8", count=len(stream) // 8)
        codes = np.frombuffer(stream, dtype=np.uint8, count=len(units) * 8).reshape(-1, 8)
        blocks = _command_blocks(units, codes)
        if blocks is None:
            return None
        flat = codes[blocks].ravel()
        end = np.nonzero(flat == 252)[0]
        if len(end):
            flat = flat[: end[0]]
        zeros = np.nonzero(flat == 0)[0]
        if len(zeros) and zeros[0] < len(flat) - 8:
            return None  # padding inside the data: not how SPSS or PSPP write; leave it
        # every code becomes its word through one lookup table; then the 253 codes take
        # their word from the raw unit after their block
        table = np.zeros(256, dtype="<u8")
        table[1:252] = (np.arange(1, 252, dtype=np.float64) - layout.bias).view("<u8")
        table[254] = SPACES
        table[255] = np.float64(layout.sysmis).view("<u8")
        raw = np.nonzero(flat == 253)[0]
        block = raw // 8
        rank = np.arange(len(raw)) - np.searchsorted(block, block, side="left") + 1
        words = table[flat]
        words[raw] = units[np.minimum(blocks[block] + rank, len(units) - 1)]
        if len(zeros):
            words = words[flat != 0]
    n = len(words) // layout.case_units
    if layout.n_cases >= 0:
        if n < layout.n_cases:
            return None  # truncated: let pyreadstat report it
        n = layout.n_cases
    return words[: n * layout.case_units].reshape(n, layout.case_units)


def read_sav_fast(path: str, meta: Any, encoding: str) -> pd.DataFrame | None:
    """The data of a system file as pyreadstat returns it (``user_missing=True``), or None
    when the file is outside what this decoder handles."""
    with open(path, "rb") as fh:
        buf = fh.read()
    try:
        layout = _layout(buf)
    except (_Unsupported, struct.error, IndexError):
        return None
    names = list(meta.column_names)
    formats = meta.original_variable_types or {}
    if len(names) != len(layout.variables):
        return None
    if any(str(formats.get(c, "")).upper().startswith(TIME_FORMATS) for c in names):
        return None
    words = _decode(memoryview(buf)[layout.data_start:], layout)
    if words is None:
        return None
    # one column per unit: transposed in blocks of rows that fit in the cache (a column at a
    # time would stride through the whole matrix once per variable)
    by_unit = np.empty((words.shape[1], words.shape[0]), dtype="<u8")
    for start in range(0, len(words), 8192):
        by_unit[:, start:start + 8192] = words[start:start + 8192].T
    columns: dict[str, Any] = {}
    for name, (unit, width) in zip(names, layout.variables, strict=True):
        if width == 0:
            values = by_unit[unit].view("<f8")
            values[values == layout.sysmis] = np.nan
            fmt = str(formats.get(name, "")).upper()
            if fmt.startswith(DATE_FORMATS):
                seconds = np.where(np.isnan(values), 0.0, values)
                stamps = EPOCH + np.round(seconds * 1e6).astype("m8[us]")
                columns[name] = pd.Series(np.where(np.isnan(values), np.datetime64("NaT"),
                                                   stamps), dtype="datetime64[us]")
            else:
                columns[name] = values
            continue
        k = (width + 7) // 8
        raw = np.ascontiguousarray(by_unit[unit:unit + k].T).view(f"S{8 * k}").ravel()
        text = _strings(raw, width, encoding)
        if text is None:
            return None
        columns[name] = text
    return pd.DataFrame(columns, copy=False)


def _strings(raw: np.ndarray, width: int, encoding: str) -> np.ndarray | None:
    """Fixed-width byte strings as Python strings without their trailing spaces."""
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        return None
    raw = raw.astype(f"S{width}")  # the declared width; the rest of the last unit is padding
    out = np.full(len(raw), "", dtype=object)
    cells = raw.view(np.uint8).reshape(len(raw), width)
    filled = np.nonzero(((cells != 0x20) & (cells != 0)).any(axis=1))[0]  # most are blank
    if not len(filled):
        return out
    raw = raw[filled]
    if cells[filled].max(initial=0) < 0x80 and codec in ASCII_SUPERSETS:
        out[filled] = np.strings.rstrip(raw.astype(f"U{width}"), " ").astype(object)
        return out  # (numpy decodes ASCII itself, all at once)
    codes, uniques = pd.factorize(raw)
    try:
        text = np.array([u.decode(encoding).rstrip(" ") for u in uniques], dtype=object)
    except UnicodeDecodeError:
        return None
    out[filled] = text[codes]
    return out
