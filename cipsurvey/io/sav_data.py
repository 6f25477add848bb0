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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..parallel import two_threads

BLOCK_BYTES = 1 << 18  # cases transposed at a time: about this many bytes of them


SPACES = np.frombuffer(b" " * 8, dtype="<u8")[0]
# formats that pyreadstat (and we) turn into timestamps; seconds since 1582-10-14
DATE_FORMATS = ("DATETIME", "DATE", "ADATE", "EDATE", "JDATE", "SDATE", "QYR", "MOYR", "WKYR",
                "YMDHMS")
TIME_FORMATS = ("TIME", "DTIME", "MTIME")
# codec names as codecs.lookup gives them
ASCII_SUPERSETS = {"utf-8", "ascii", "cp1252", "iso8859-1", "iso8859-15", "cp1250", "cp1257"}
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


def _layout(buf: memoryview) -> Layout:
    if bytes(buf[:4]) != b"$FL2" or len(buf) < 176:
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


def _count_253(units: np.ndarray) -> np.ndarray:
    """How many bytes of each 8-byte unit are 253 (0xFD): the bytes compared, and each
    unit's eight 0/1 bytes summed by one multiplication into its top byte."""
    ones = (units.view(np.uint8) == 253).view(np.uint64)  # (a fresh array: reused below)
    ones *= np.uint64(0x0101010101010101)
    ones >>= np.uint64(56)
    return ones.view(np.int64)


# the chain is first looked for after 2**4 steps from every unit, then after 2**6
ROUNDS = (4, 6)


def _command_blocks(units: np.ndarray) -> np.ndarray | None:
    """Positions of the command units in a bytecode stream.

    A command unit holds eight codes; the raw units its 253 codes refer to follow it, then
    the next command unit. Walking that chain one block at a time is a Python loop of
    millions of steps, so: every unit is treated as if it began a block (``step``), steps
    are composed by repeated squaring, and the units reached from anywhere are the
    candidates (a walk started inside raw data falls onto the true chain within a few
    steps: a block is at most nine units). The candidates are then checked to be exactly
    the chain from unit 0: each one's successor is the next one. If not after 16 steps,
    then after 64; if not even then (data built to defeat this), None.
    """
    m = len(units)
    step = _count_253(units)
    for start in range(0, m, 1 << 20):  # (in pieces: no second array of the stream's size)
        step[start:start + (1 << 20)] += np.arange(start + 1, min(m, start + (1 << 20)) + 1)
    np.minimum(step, m, out=step)
    jump = np.append(step, m)
    spare = np.empty_like(jump)
    done = 0
    for rounds in ROUNDS:
        for _ in range(rounds - done):
            np.take(jump, jump, out=spare)
            jump, spare = spare, jump
        done = rounds
        blocks = _chain(step, jump[:m])
        if blocks is not None:
            return blocks
    return None


def _chain(step: np.ndarray, landed: np.ndarray) -> np.ndarray | None:
    """The units where walks ``landed``, plus the first blocks (reached from no earlier
    unit: walked), if they are exactly the chain of blocks from unit 0; else None."""
    m = len(step)
    reached = np.zeros(m + 1, dtype=bool)
    reached[landed] = True
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


def _cases(n_found: int, layout: Layout) -> int | None:
    """How many cases to take, or None for a truncated file (pyreadstat reports it)."""
    if layout.n_cases < 0:
        return n_found
    return layout.n_cases if n_found >= layout.n_cases else None


@dataclass
class Packed:
    """A bytecode-compressed data section, decoded: the code of every cell (cases × units)
    and, for the cells whose code is 253, the raw unit that holds their value."""

    codes: np.ndarray  # uint8, one row per case
    raw_rows: np.ndarray
    raw_cols: np.ndarray
    raw_words: np.ndarray  # uint64


def decode_packed(stream: bytes, layout: Layout) -> Packed | None:
    units = np.frombuffer(stream, dtype="<u8", count=len(stream) // 8)
    blocks = _command_blocks(units)
    if blocks is None:
        return None
    codes = np.frombuffer(stream, dtype=np.uint8, count=len(units) * 8).reshape(-1, 8)
    flat = codes[blocks].ravel()
    end = np.nonzero(flat == 252)[0]
    if len(end):
        flat = flat[: end[0]]
    zeros = np.nonzero(flat == 0)[0]
    if len(zeros) and (flat[zeros[0]:] != 0).any():
        return None  # padding inside the data: not how SPSS or PSPP write; leave it
    raw = np.nonzero(flat == 253)[0]
    block = raw // 8
    rank = np.arange(len(raw)) - np.searchsorted(block, block, side="left") + 1
    raw_words = units[np.minimum(blocks[block] + rank, len(units) - 1)]
    if len(zeros):  # trailing padding: drop it
        flat = flat[: zeros[0]]
    n = _cases(len(flat) // layout.case_units, layout)
    if n is None:
        return None
    keep = raw < n * layout.case_units
    raw, raw_words = raw[keep], raw_words[keep]
    return Packed(flat[: n * layout.case_units].reshape(n, layout.case_units),
                  raw // layout.case_units, raw % layout.case_units, raw_words)


class _PlainCells:
    """Cells of an uncompressed file: 8-byte words, one row per case."""

    def __init__(self, words: np.ndarray, layout: Layout) -> None:
        # every unit (numbers, and the 8-byte pieces of strings) becomes a row of its own,
        # transposed in blocks of cases that fit in the cache (a column at a time would
        # stride through the whole file once per variable)
        self.strings = [(unit, (width + 7) // 8) for unit, width in layout.variables if width]
        units = [unit for unit, width in layout.variables if width == 0]
        units += [u for unit, size in self.strings for u in range(unit, unit + size)]
        n = len(words)
        self.by_unit = np.empty((len(units), n), dtype="<u8")
        self.row_of = {unit: k for k, unit in enumerate(units)}
        # blocks of about 256 KB of cases stay in the cache while they are transposed
        # (blocks of 8,192 cases, 5 MB for the survey's file, ran four times slower)
        block = max(1, BLOCK_BYTES // max(1, 8 * words.shape[1]))

        def transpose(first: int, stop: int) -> None:
            for start in range(first, stop, block):
                end = min(start + block, stop)
                self.by_unit[:, start:end] = words[start:end, units].T

        # a large file in two threads, each half of the cases (numpy copies without the
        # GIL, and the fresh columns' pages are faulted in on both cores: 0.9 s → 0.35 s
        # for a million cases)
        if two_threads(n):
            middle = (n // 2) // block * block
            with ThreadPoolExecutor(1) as pool:
                other = pool.submit(transpose, middle, n)
                transpose(0, middle)
                other.result()  # (raises what the other thread raised)
        else:
            transpose(0, n)

    def number(self, unit: int) -> np.ndarray:
        return self.by_unit[self.row_of[unit]].view("<f8")

    def text(self, unit: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows that are not blank, and their units (one row each)."""
        first = self.row_of[unit]  # (a string's units are consecutive rows: a view)
        part = self.by_unit[first:first + size]
        filled = np.nonzero(~((part == SPACES) | (part == 0)).all(axis=0))[0]
        if len(filled) < part.shape[1]:
            part = part[:, filled]
        return filled, np.ascontiguousarray(part.T)


class _PackedCells:
    """Cells of a bytecode-compressed file, built column by column from the codes."""

    def __init__(self, packed: Packed, layout: Layout) -> None:
        n, width = packed.codes.shape
        self.by_unit = np.empty((width, n), dtype=np.uint8)  # codes, one row per unit
        for start in range(0, n, 65536):
            self.by_unit[:, start:start + 65536] = packed.codes[start:start + 65536].T
        order = np.argsort(packed.raw_cols, kind="stable")
        self.rows, self.words = packed.raw_rows[order], packed.raw_words[order]
        self.bounds = np.searchsorted(packed.raw_cols[order], np.arange(width + 1))
        self.table = np.zeros(256, dtype="<u8")
        self.table[1:252] = (np.arange(1, 252, dtype=np.float64) - layout.bias).view("<u8")
        self.table[254] = SPACES
        self.table[255] = np.float64(layout.sysmis).view("<u8")

    def _raw(self, unit: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.bounds[unit], self.bounds[unit + 1]
        return self.rows[lo:hi], self.words[lo:hi]

    def number(self, unit: int) -> np.ndarray:
        column = self.table[self.by_unit[unit]]
        rows, words = self._raw(unit)
        column[rows] = words
        return column.view("<f8")

    def text(self, unit: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        filled = np.nonzero((self.by_unit[unit:unit + size] != 254).any(axis=0))[0]
        out = np.empty((len(filled), size), dtype="<u8")
        for j in range(size):
            out[:, j] = self.table[self.by_unit[unit + j, filled]]
            rows, words = self._raw(unit + j)
            at = np.searchsorted(filled, rows)  # every 253 row is a filled row
            out[at, j] = words
        return filled, out


def read_sav_fast(path: str, meta: Any, encoding: str,
                  scratch: dict[str, np.ndarray] | None = None) -> pd.DataFrame | None:
    """The data of a system file as pyreadstat returns it (``user_missing=True``), or None
    when the file is outside what this decoder handles. ``scratch`` receives the numeric
    columns' arrays (the frame's own), which the caller may overwrite once read."""
    # mapped, not read: the cases are used straight from the page cache, without a copy of
    # the whole file in fresh memory
    try:
        mapped = np.memmap(path, dtype=np.uint8, mode="r")
    except (ValueError, OSError):  # empty, or not a regular file: pyreadstat says why
        return None
    buf = memoryview(mapped)
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
    stream = buf[layout.data_start:]
    cells: _PlainCells | _PackedCells
    if layout.compression == 0:
        words = np.frombuffer(stream, dtype="<u8", count=len(stream) // 8)
        n = _cases(len(words) // layout.case_units, layout)
        if n is None:
            return None
        cells = _PlainCells(words[: n * layout.case_units].reshape(n, -1), layout)
    else:
        packed = decode_packed(stream, layout)
        if packed is None:
            return None
        n = len(packed.codes)
        cells = _PackedCells(packed, layout)
    numbers = _numbers(cells.number, [u for u, width in layout.variables if width == 0],
                       layout.sysmis, two_threads(n))
    columns: dict[str, Any] = {}
    for name, (unit, width) in zip(names, layout.variables, strict=True):
        if width == 0:
            values = numbers[unit]
            fmt = str(formats.get(name, "")).upper()
            if fmt.startswith(DATE_FORMATS):
                seconds = np.where(np.isnan(values), 0.0, values)
                stamps = EPOCH + np.round(seconds * 1e6).astype("m8[us]")
                columns[name] = pd.Series(np.where(np.isnan(values), np.datetime64("NaT"),
                                                   stamps), dtype="datetime64[us]")
            else:
                columns[name] = values
                if scratch is not None:
                    scratch[name] = values
            continue
        filled, units = cells.text(unit, (width + 7) // 8)
        text = _strings(units, filled, n, width, encoding)
        if text is None:
            return None
        columns[name] = text  # (pandas makes it its string dtype: fast string methods)
    return pd.DataFrame(columns, copy=False)


def _numbers(number: Callable[[int], np.ndarray], units: list[int], sysmis: float,
             threads: bool) -> dict[int, np.ndarray]:
    """Each numeric unit's column, system-missing as NaN; of a large file in two threads
    (a compressed file's columns are fresh arrays, and faulting their pages in is much of
    the work: its import at a million cases went from 3.3 to 3.0 s)."""
    def one(unit: int) -> np.ndarray:
        values = number(unit)
        values[values == sysmis] = np.nan
        return values

    if not threads:
        return {unit: one(unit) for unit in units}
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(units, pool.map(one, units), strict=True))


def _arrow_strings(raw: np.ndarray) -> Any:
    """ASCII bytes (numpy's fixed width, trailing NULs dropped) as pandas' Arrow-backed
    strings without their trailing spaces: no Python string per cell, which pandas would
    turn into this dtype anyway (0.38 → 0.13 s for a million ids)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_rtrim(pa.array(raw).cast(pa.string()), characters=" ")
    return pd.array(text, dtype=_ARROW_STR)


def _arrow_string_dtype() -> Any:
    """pandas' default dtype for strings when it is Arrow-backed (pandas 3), else None."""
    dtype = pd.Series(["x"]).dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return dtype
    return None


_ARROW_STR = _arrow_string_dtype()


def _strings(units: np.ndarray, filled: np.ndarray, n: int, width: int,
             encoding: str) -> Any:
    """A string variable without its trailing spaces, as pandas holds strings: ``units``
    holds the 8-byte units of the ``filled`` rows of ``n`` (the others are blank). None
    when the text cannot be decoded (pyreadstat then reads the file)."""
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        return None
    out = np.full(n, "", dtype=object)
    if not len(filled):
        return out
    # the declared width; the rest of the last unit is padding
    raw = np.ascontiguousarray(units).view(f"S{8 * units.shape[1]}").ravel()
    raw = raw.astype(f"S{width}")
    if raw.view(np.uint8).max(initial=0) < 0x80 and codec in ASCII_SUPERSETS:
        if len(filled) == n and _ARROW_STR is not None:  # (an id: no blanks)
            return _arrow_strings(raw)
        out[filled] = np.strings.rstrip(raw.astype(f"U{width}"), " ").astype(object)
        return out  # (numpy decodes ASCII itself, all at once)
    codes, uniques = pd.factorize(raw)
    try:
        text = np.array([u.decode(encoding).rstrip(" ") for u in uniques], dtype=object)
    except UnicodeDecodeError:
        return None
    out[filled] = text[codes]
    return out
