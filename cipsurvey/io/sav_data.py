"""The data records of an SPSS system file, decoded with numpy, or declined.

Why by hand: pyreadstat (ReadStat) hands every cell to Python through a callback, about
0.1 s per million cells; a pooled national wave (a million respondents, seventy items) takes
over ten seconds to read that way. The data records themselves are simple: fixed 8-byte units,
either plain or "bytecode" compressed. This module decodes them with array operations only;
the dictionary (names, labels, missing values, formats, encoding) still comes from
pyreadstat. The layout follows the PSPP manual's chapter "System File Format".

The promise is pyreadstat's own frame, ``pyreadstat.read_sav(path, user_missing=True)``,
cell by cell and dtype by dtype, or a refusal (``Declined``; ``read_sav_fast`` then returns
None and the caller reads the file with pyreadstat, which also says what is wrong with a
damaged file). A refusal costs pyreadstat's time; a wrong value costs a published table.
``tests/test_sav_corpus.py`` holds the decoder to that promise over real files written by
SPSS 6.1 to 29 (Windows, Mac, Linux, Unix), PSPP 0.7 to 2.0, ReadStat (pyreadstat, haven),
Stat/Transfer, readspss and the Java, PHP and .NET writers, over files GNU PSPP writes in the
test, and over damaged variants of every one of them. Of its 92 real files this module takes
63; it declines 16 for very long strings, 6 for ZLIB compression, 2 big-endian ones and 2
whose writer left out a string's continuation records; pyreadstat refuses 3 (encrypted,
malformed, a date past the year 9999). Of their damaged copies it takes a third, each
equal to pyreadstat's frame, and none that pyreadstat refuses.

Taken here (the fast path):

* little-endian files, uncompressed or bytecode-compressed, whose header records the number
  of cases, or records -1 ("unknown") and whose data end exactly where a case ends;
* numbers (SPSS's system-missing value and its HIGHEST and LOWEST values become NaN, as
  ReadStat marks all three missing; user-missing codes are kept, as ``user_missing=True``);
* strings of up to 255 bytes in an encoding from ``ENCODINGS`` (or none named: then
  UTF-8, unconverted), trailing spaces and NULs removed, a NUL inside a string dropped
  (encoding "UTF-8") or ending it (any other), as ReadStat does;
* dates, times and date-times in the formats pyreadstat converts (DATE, ADATE, EDATE, JDATE,
  SDATE: ``datetime.date``; TIME, DTIME: ``datetime.time``; DATETIME, YMDHMS: datetime64), with
  pyreadstat's arithmetic (whole days, whole seconds, microseconds rounded half to even), for
  the pyreadstat versions in ``DATES_VERIFIED``; every other format (QYR, MOYR, WKYR, MTIME,
  WKDAY, MONTH...) stays a number, as pyreadstat leaves it;
* zero cases.

Declined, and why (the reason is ``Declined``'s message; the corpus test prints the counts):

* ZLIB compression (.zsav): inflating is zlib's work in any reader; nothing to gain;
* big-endian files: rare (old Unix SPSS, Stat/Transfer), not worth a second code path;
* very long strings (over 255 bytes, record 7.14): split in segments whose 256th byte
  ReadStat drops; rare in survey data;
* an encoding outside ``ENCODINGS``: there Python's codecs and glibc's iconv (which ReadStat
  uses) are not shown to decode alike (Shift_JIS, CP932, GB18030, windows-1255 and -1258
  differ on some bytes);
* text that does not decode strictly (ReadStat drops a cut-off last character);
* a date outside the years 1 to 9999, where pyreadstat fails, and any date or time format
  when the installed pyreadstat's conversion has not been verified here;
* a file cut short (fewer cases than the header records, a compressed value or a raw unit
  past the end of the file, a unit cut in the middle), a case count of -1 with the data
  ending inside a case, zero cases recorded over data present, or a dictionary this
  parser does not follow: pyreadstat reads these, or refuses them with its own message.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from ..parallel import two_threads

BLOCK_BYTES = 1 << 18  # cases transposed at a time: about this many bytes of them


SPACES = np.frombuffer(b" " * 8, dtype="<u8")[0]
# SPSS's system-missing, HIGHEST and LOWEST values as bit patterns (unless record 7.4 says
# otherwise); ReadStat marks a cell holding any of the three (or a NaN) system-missing
SYSMIS_BITS, HIGHEST_BITS, LOWEST_BITS = 0xFFEFFFFFFFFFFFFF, 0x7FEFFFFFFFFFFFFF, 0xFFEFFFFFFFFFFFFE

# The encodings (as ReadStat names them, upper-cased) whose Python codec decodes every byte
# string it accepts exactly as glibc's iconv does: single-byte code pages compared byte by
# byte, UTF-8 code point by code point (tests/test_sav_data.py shows it on the machine).
ENCODINGS = {
    "UTF-8": "utf-8", "UTF8": "utf-8", "US-ASCII": "ascii", "ASCII": "ascii",
    **{f"{prefix}{page}": f"cp{page}" for prefix in ("WINDOWS-", "CP")
       for page in (1250, 1251, 1252, 1253, 1254, 1256, 1257)},
    **{f"{prefix}{part}": f"iso8859-{part}" for prefix in ("ISO-8859-", "ISO8859-")
       for part in (1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 15)},
    "LATIN1": "iso8859-1", "KOI8-R": "koi8-r", "KOI8-U": "koi8-u",
    "CP437": "cp437", "CP850": "cp850", "CP852": "cp852", "CP866": "cp866",
}

# pyreadstat's date conversion: the format's name (its letters before the width) decides
_FORMAT_NAME = re.compile(r"^([A-Z][A-Z0-9]+[A-Z])(\d+)?(?(2)(?:\.\d+)?$|$)")
DATE_KINDS = {**dict.fromkeys(("DATE", "ADATE", "EDATE", "JDATE", "SDATE"), "date"),
              **dict.fromkeys(("DATETIME", "YMDHMS"), "datetime"),
              **dict.fromkeys(("TIME", "DTIME"), "time")}
# the pyreadstat versions whose conversion of those formats this module reproduces (read in
# its source and checked by tests/test_sav_corpus.py); with another, such a file is declined
DATES_VERIFIED = ("1.3.7",)
SPSS_EPOCH = dt.datetime(1582, 10, 14)
_MICROSECOND = dt.timedelta(microseconds=1)
_US_MIN = (dt.datetime.min - SPSS_EPOCH) // _MICROSECOND
_US_MAX = (dt.datetime.max - SPSS_EPOCH) // _MICROSECOND
_US_EPOCH = np.datetime64(SPSS_EPOCH, "us")


class Declined(Exception):
    """A file (or a part of it) this decoder leaves to pyreadstat; the message says why."""


@dataclass
class Layout:
    """Where the cases are and how they are stored."""

    data_start: int
    case_units: int  # 8-byte units per case
    compression: int
    bias: float
    n_cases: int  # -1: not recorded
    variables: list[tuple[int, int]]  # per variable: first unit, width (0 = numeric)
    missing_bits: tuple[int, ...] = field(default=(SYSMIS_BITS, HIGHEST_BITS, LOWEST_BITS))


def _layout(buf: memoryview) -> Layout:
    if bytes(buf[:4]) == b"$FL3":
        raise Declined("ZLIB compression")
    if bytes(buf[:4]) != b"$FL2" or len(buf) < 176:
        raise Declined("not a system file")
    layout_code, case_units, compression = struct.unpack_from("<iii", buf, 64)
    if layout_code not in (2, 3):
        raise Declined("big-endian")
    (n_cases,) = struct.unpack_from("<i", buf, 80)
    (bias,) = struct.unpack_from("<d", buf, 84)
    if compression not in (0, 1):
        raise Declined("ZLIB compression")
    if n_cases < -1:
        raise Declined("dictionary not followed")
    pos = 176
    missing_bits = (SYSMIS_BITS, HIGHEST_BITS, LOWEST_BITS)
    variables: list[tuple[int, int]] = []
    unit = 0
    pieces = 0  # continuation records still owed by the last string variable
    while True:
        (rec,) = struct.unpack_from("<i", buf, pos)
        if rec == 2:
            vtype, has_label, n_missing, shown, written = struct.unpack_from("<iiiii", buf,
                                                                             pos + 4)
            pos += 32
            if has_label:
                (length,) = struct.unpack_from("<i", buf, pos)
                pos += 4 + (length + 3) // 4 * 4
            pos += abs(n_missing) * 8
            if (vtype == -1) != (pieces > 0) or vtype < -1 or vtype > 255:
                # a string's 8-byte pieces are announced by continuation records; some
                # writers leave them out (ReadStat then guesses), and nothing else has one
                raise Declined("dictionary not followed")
            if vtype == -1:
                pieces -= 1
            else:
                if vtype == 0 and 1 in ((shown >> 16) & 0xFF, (written >> 16) & 0xFF):
                    raise Declined("a numeric variable with a string format")  # (read as "")
                variables.append((unit, vtype))
                pieces = (vtype + 7) // 8 - 1 if vtype else 0
            unit += 1
        elif rec == 3:
            (count,) = struct.unpack_from("<i", buf, pos + 4)
            pos += 8
            for _ in range(count):
                length = buf[pos + 8]
                pos += 8 + (length + 1 + 7) // 8 * 8
            (rec4, n_vars) = struct.unpack_from("<ii", buf, pos)
            if rec4 != 4:
                raise Declined("dictionary not followed")
            pos += 8 + 4 * n_vars
        elif rec == 6:
            (lines,) = struct.unpack_from("<i", buf, pos + 4)
            pos += 8 + 80 * lines
        elif rec == 7:
            subtype, size, count = struct.unpack_from("<iii", buf, pos + 4)
            body = pos + 16
            if subtype == 14:
                raise Declined("very long strings")
            if subtype == 4 and size == 8 and count == 3:
                missing_bits = struct.unpack_from("<QQQ", buf, body)
            pos = body + size * count
        elif rec == 999:
            pos += 8
            break
        else:
            raise Declined("dictionary not followed")
    # (the header's count of units per case is not always written: 0 or -1)
    if pieces or unit == 0 or (case_units > 0 and unit != case_units):
        raise Declined("dictionary not followed")
    case_units = unit
    return Layout(pos, case_units, compression, bias, n_cases, variables, missing_bits)


def _cases(n_cells: int, layout: Layout) -> int:
    """How many cases ``n_cells`` decoded cells hold, as pyreadstat would read them."""
    size = layout.case_units
    if layout.n_cases < 0:
        if n_cells % size:
            raise Declined("case count not recorded and the data end inside a case")
        return n_cells // size
    if n_cells < layout.n_cases * size:
        raise Declined("fewer cases than the header records")
    if layout.n_cases == 0 and n_cells:
        raise Declined("zero cases recorded over data")
    return layout.n_cases


# --------------------------------------------------------------------------- bytecode


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


@dataclass
class Packed:
    """A bytecode-compressed data section, decoded: the code of every cell (cases × units)
    and, for the cells whose code is 253, the raw unit that holds their value."""

    codes: np.ndarray  # uint8, one row per case
    raw_rows: np.ndarray
    raw_cols: np.ndarray
    raw_words: np.ndarray  # uint64


def decode_packed(stream: bytes, layout: Layout) -> Packed:
    """The cells of a bytecode stream, or ``Declined`` for one that is not read exactly."""
    if len(stream) % 8:
        raise Declined("file cut inside an 8-byte unit")
    units = np.frombuffer(stream, dtype="<u8")
    flat = np.zeros(0, dtype=np.uint8)
    raw = np.zeros(0, dtype=np.int64)
    raw_words = np.zeros(0, dtype="<u8")
    if len(units):
        blocks = _command_blocks(units)
        if blocks is None:
            raise Declined("bytecode blocks not found")
        codes = np.frombuffer(stream, dtype=np.uint8).reshape(-1, 8)
        flat = codes[blocks].ravel()
        end = np.nonzero(flat == 252)[0]
        if len(end):
            flat = flat[: end[0]]
        raw = np.nonzero(flat == 253)[0]
        block = raw // 8
        rank = np.arange(len(raw)) - np.searchsorted(block, block, side="left") + 1
        at = blocks[block] + rank
        if len(at) and at.max() >= len(units):
            raise Declined("a raw value past the end of the file")
        raw_words = units[at]
        # code 0 is padding, skipped wherever it is (ReadStat pads each case's last
        # block; SPSS and PSPP only the stream's last one)
        zeros = np.nonzero(flat == 0)[0]
        if len(zeros) and zeros[0] == len(flat) - len(zeros):
            flat = flat[: zeros[0]]
        elif len(zeros):
            raw = raw - np.searchsorted(zeros, raw)
            flat = np.delete(flat, zeros)
    n = _cases(len(flat), layout)
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
        self.table[255] = layout.missing_bits[0]

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


# --------------------------------------------------------------------------- the frame


def decode(path: str, meta: Any, encoding: str,
           scratch: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """The data of a system file as ``pyreadstat.read_sav(path, user_missing=True)``
    returns them, given the file's ``meta`` from pyreadstat and the ``encoding`` pyreadstat
    read it with; ``Declined`` (its message says why) for a file outside what this decoder
    reproduces exactly. ``scratch`` receives the numeric columns' arrays (the frame's own),
    which the caller may overwrite once read."""
    # mapped, not read: the cases are used straight from the page cache, without a copy of
    # the whole file in fresh memory
    try:
        mapped = np.memmap(path, dtype=np.uint8, mode="r")
    except (ValueError, OSError):  # empty, or not a regular file: pyreadstat says why
        raise Declined("not a regular file") from None
    buf = memoryview(mapped)
    try:
        layout = _layout(buf)
    except (struct.error, IndexError):
        raise Declined("dictionary not followed") from None
    names = list(meta.column_names)
    formats = meta.original_variable_types or {}
    if len(names) != len(layout.variables):
        raise Declined("dictionary not followed")
    kinds = [_kind(formats.get(c)) for c in names]
    if any(k != "number" for k in kinds):
        if any(k != "number" and width for k, (_, width) in zip(kinds, layout.variables,
                                                                  strict=True)):
            raise Declined("a string variable with a date format")  # pyreadstat fails
        if not _dates_verified():
            raise Declined("date formats, pyreadstat version not verified")
    stream = buf[layout.data_start:]
    cells: _PlainCells | _PackedCells
    if layout.compression == 0:
        size = 8 * layout.case_units
        if layout.n_cases < 0 and len(stream) % size:
            raise Declined("case count not recorded and the data end inside a case")
        words = np.frombuffer(stream, dtype="<u8", count=len(stream) // 8)
        n = _cases(len(words) // layout.case_units * layout.case_units, layout)
        cells = _PlainCells(words[: n * layout.case_units].reshape(n, layout.case_units),
                            layout)
    else:
        packed = decode_packed(stream, layout)
        n = len(packed.codes)
        cells = _PackedCells(packed, layout)
    numbers = _numbers(cells.number, [u for u, width in layout.variables if width == 0],
                       layout.missing_bits, two_threads(n))
    columns: dict[str, Any] = {}
    text: _Text | None = None
    for name, kind, (unit, width) in zip(names, kinds, layout.variables, strict=True):
        if width == 0:
            values = numbers[unit]
            if kind == "number":
                columns[name] = values
                if scratch is not None:
                    scratch[name] = values
            else:
                columns[name] = _DATES[kind](values)
            continue
        filled, units = cells.text(unit, (width + 7) // 8)
        text = text or _text_codec(encoding)
        # (pandas makes it its string dtype: fast string methods)
        columns[name] = _strings(units, filled, n, width, text)
    return pd.DataFrame(columns, copy=False)


def read_sav_fast(path: str, meta: Any, encoding: str,
                  scratch: dict[str, np.ndarray] | None = None) -> pd.DataFrame | None:
    """``decode``'s frame, or None when it declines the file (pyreadstat then reads it)."""
    try:
        return decode(path, meta, encoding, scratch)
    except Declined:
        if scratch is not None:
            scratch.clear()
        return None


# --------------------------------------------------------------------------- numbers


def _numbers(number: Callable[[int], np.ndarray], units: list[int],
             missing_bits: tuple[int, ...], threads: bool) -> dict[int, np.ndarray]:
    """Each numeric unit's column, system-missing (and HIGHEST and LOWEST) as NaN; of a
    large file in two threads (a compressed file's columns are fresh arrays, and faulting
    their pages in is much of the work: its import at a million cases went from 3.3 to
    3.0 s)."""
    patterns = np.array(missing_bits, dtype=np.uint64)
    specials = patterns.view(np.float64)
    specials = specials[~np.isnan(specials)]
    # every value equal to a pattern is at or below ``low`` or at or above ``high``: one
    # cheap test of all values, the exact one (bit by bit) of the few it lets through
    low = specials[specials < 0].max(initial=-np.inf)
    high = specials[specials >= 0].min(initial=np.inf)

    def one(unit: int) -> np.ndarray:
        values = number(unit)
        maybe = np.nonzero((values <= low) | (values >= high))[0]
        if len(maybe):
            hit = np.isin(values[maybe].view(np.uint64), patterns)
            values[maybe[hit]] = np.nan
        return values

    if not threads:
        return {unit: one(unit) for unit in units}
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(units, pool.map(one, units), strict=True))


# --------------------------------------------------------------------------- text


@dataclass(frozen=True)
class _Text:
    """How ReadStat turns a string's bytes into text: ``codec`` (Python's name of the
    encoding) and what a NUL inside the string does, ``nul``: "drop" (the encoding is named
    exactly "UTF-8": ReadStat skips NULs as it copies), "ends" (any other name: iconv
    converts the whole string and the C string ends at the NUL) or "ends first" (the file
    names no encoding: no conversion, the bytes end at the NUL and Python decodes them as
    UTF-8)."""

    codec: str
    nul: str

    def decode(self, units: bytes, width: int) -> str:
        """The text of a string of ``width`` bytes whose 8-byte units hold ``units``."""
        if self.nul == "drop":
            # ReadStat takes each unit's bytes up to the width (seven of the 32nd unit),
            # counting only those it keeps: after a NUL, bytes of the padding count too
            kept = bytearray()
            for k in range(0, len(units), 8):
                take = min(8 - (k == 248), width - len(kept))
                if take <= 0:
                    break
                kept += units[k:k + take].replace(b"\0", b"")
            raw = bytes(kept)
        else:
            raw = units[:width]
        raw = raw.rstrip(b" \0")
        if self.nul == "ends first":
            raw = raw.split(b"\0", 1)[0]
        try:
            text = raw.decode(self.codec)
        except UnicodeDecodeError:
            raise Declined("text not valid in the file's encoding") from None
        return text.split("\0", 1)[0] if self.nul == "ends" else text


def _text_codec(encoding: str | None) -> _Text:
    if not encoding:
        return _Text("utf-8", "ends first")
    codec = ENCODINGS.get(encoding.upper())
    if codec is None:
        raise Declined("encoding outside ENCODINGS")
    return _Text(codec, "drop" if encoding == "UTF-8" else "ends")


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


def _strings(units: np.ndarray, filled: np.ndarray, n: int, width: int, text: _Text) -> Any:
    """A string variable as ReadStat reads it: ``units`` holds the 8-byte units of the
    ``filled`` rows of ``n`` (the others are blank)."""
    out = np.full(n, "", dtype=object)
    if not len(filled):
        return out
    full = np.ascontiguousarray(units).view(f"S{8 * units.shape[1]}").ravel()
    # the declared width; the rest of the last unit is padding
    raw = full.astype(f"S{width}")
    octets = raw.view(np.uint8)
    if octets.max(initial=0) < 0x80 and not (octets == 0).any():
        # ASCII without NULs: the same text in every encoding of ENCODINGS
        if len(filled) == n and _ARROW_STR is not None:  # (an id: no blanks)
            return _arrow_strings(raw)
        out[filled] = np.strings.rstrip(raw.astype(f"U{width}"), " ").astype(object)
        return out  # (numpy decodes ASCII itself, all at once)
    # each distinct value once (numpy's bytes lose trailing NULs, which ReadStat drops too)
    codes, uniques = pd.factorize(full)
    made = np.empty(len(uniques), dtype=object)
    made[:] = [text.decode(u, width) for u in uniques]
    out[filled] = made[codes]
    return out


# --------------------------------------------------------------------------- dates


def _kind(fmt: Any) -> str:
    """What pyreadstat makes of a variable of print format ``fmt``: a number, or a
    date, time or datetime (decided by the format's name, whatever its width)."""
    match = _FORMAT_NAME.match(str(fmt)) if fmt else None
    return DATE_KINDS.get(match.group(1), "number") if match else "number"


@cache
def _dates_verified() -> bool:
    from importlib.metadata import version

    return version("pyreadstat") in DATES_VERIFIED


def _microseconds(seconds: np.ndarray, fraction: bool = True) -> np.ndarray:
    """pyreadstat's instant for each (non-missing) value, in microseconds after the SPSS
    epoch: whole days (floor), whole seconds of the day (Python's modulo, truncated) and,
    unless ``fraction`` is False (dates), the microseconds of the fraction rounded half to
    even, as its Cython code does; ``Declined`` when one falls outside Python's datetimes
    (years 1 to 9999), where pyreadstat fails."""
    if len(seconds) and not -1e12 < seconds.min() <= seconds.max() < 1e12:  # (also inf)
        raise Declined("a date outside the years 1 to 9999")
    if np.array_equal(np.floor(seconds), seconds):
        # whole seconds (what survey tools write): days and seconds of the day add up to
        # the value itself, exactly (the floor of value / 86400 is never rounded up to a
        # whole number below 1e12 s), and there is no fraction
        total = seconds.astype(np.int64) * 1_000_000
    else:
        days = np.floor(seconds / 86400).astype(np.int64)
        secs = np.mod(seconds, 86400).astype(np.int64)
        total = days * 86_400_000_000 + secs * 1_000_000
        if fraction:
            total += np.round(np.mod(seconds, 1.0) * 1e6).astype(np.int64)
    if len(total) and (total.min() < _US_MIN or total.max() > _US_MAX):
        raise Declined("a date outside the years 1 to 9999")
    return total


def _as_objects(values: np.ndarray, make: Callable[[int], Any],
                key: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """An object column as pyreadstat fills it: ``make(k)`` for each distinct ``key`` of
    the present values (made once each), NaN where a value is missing."""
    out = np.full(len(values), np.nan, dtype=object)
    present = np.nonzero(~np.isnan(values))[0]
    if len(present):
        codes, uniques = pd.factorize(key(values[present]))
        made = np.empty(len(uniques), dtype=object)
        made[:] = [make(int(k)) for k in uniques]
        out[present] = made[codes]
    return out


def _date_column(values: np.ndarray) -> np.ndarray:
    """DATE, ADATE...: ``datetime.date`` objects (pyreadstat's ``.date()`` of the instant
    without its fraction of a second)."""
    epoch = SPSS_EPOCH.date()
    return _as_objects(values, lambda days: epoch + dt.timedelta(days=days),
                       lambda v: _microseconds(v, fraction=False) // 86_400_000_000)


def _time_column(values: np.ndarray) -> np.ndarray:
    """TIME, DTIME: ``datetime.time`` objects (the time of day of the instant)."""
    return _as_objects(values, lambda us: (dt.datetime.min + us * _MICROSECOND).time(),
                       lambda v: _microseconds(v) % 86_400_000_000)


def _datetime_column(values: np.ndarray) -> Any:
    """DATETIME, YMDHMS: pyreadstat fills an object column with ``datetime`` objects and
    pandas infers its dtype; here the instants are computed as an array and given the dtype
    pandas infers for the earliest and latest of them (and a missing value if any)."""
    missing = np.isnan(values)
    present = len(values) - np.count_nonzero(missing)
    if present == 0:  # (also no cases): pandas keeps the NaNs as objects
        return np.full(len(values), np.nan, dtype=object)
    some_missing = bool(present < len(values))
    total = _microseconds(values[~missing] if some_missing else values)
    probe = [SPSS_EPOCH + int(total.min()) * _MICROSECOND,
             SPSS_EPOCH + int(total.max()) * _MICROSECOND] + [np.nan] * some_missing
    dtype = pd.DataFrame({"x": np.array(probe, dtype=object)})["x"].dtype
    if not (dtype.kind == "M" and np.datetime_data(dtype)[0] in ("us", "ns")):
        raise Declined("date-times pandas would not hold as datetime64")
    total += _US_EPOCH.astype(np.int64)
    if some_missing:
        stamps = np.full(len(values), np.iinfo(np.int64).min)  # (NaT)
        stamps[~missing] = total
        total = stamps
    return pd.Series(total.view("M8[us]").astype(dtype, copy=False), copy=False)


_DATES: dict[str, Callable[[np.ndarray], Any]] = {
    "date": _date_column, "time": _time_column, "datetime": _datetime_column}
