"""The numpy .sav decoder against pyreadstat over real files and damaged copies of them.

The files: the real ones in ``tests/corpus/sav`` (written by SPSS 6.1 to 29, PSPP 0.7 to 2.0,
ReadStat, Stat/Transfer, readspss, the SPSS I/O library and Java, PHP and .NET writers; see
``tests/corpus/SOURCES.md``), and files GNU PSPP writes here for what they lack (every date
and time format, encodings of several scripts, user-missing ranges and strings, long and very
long strings, many variables, zero cases; each uncompressed, bytecode and ZLIB). From every
file come damaged variants: the tail cut by 1, 8, 64 and 4096 bytes, the header's case count
set to 0, and to -1 (whole and cut), and a few bytes flipped in the data area (a fixed seed
per file); from the PSPP files also a NUL inside a string and SPSS's HIGHEST and LOWEST
values in cells. Each file as written is also read in the encodings the importer falls back
on when a file's own fails (windows-1252, Latin-1).

For every file and variant the decoder's frame must equal
``pyreadstat.read_sav(path, user_missing=True)`` cell by cell and dtype by dtype (NaN where
NaN, strings exactly), or the decoder must decline; and it must never return data for a
file pyreadstat refuses. ``pytest -s`` prints how many were taken and why the others were
declined.
"""

from __future__ import annotations

import struct
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from cipsurvey.io import sav_data

from conftest import run_pspp

CORPUS = Path(__file__).parent / "corpus" / "sav"
REAL = sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".sav", ".zsav"))
FLIPS = 4  # damaged copies per file, three bytes each
TALLY: Counter[tuple[str, str, str]] = Counter()  # (files, variant, outcome): count


# --------------------------------------------------------------------------- the comparison


def _same(ref: pd.Series, fast: pd.Series) -> str | None:
    """Why two columns differ (dtype, or the first differing cell), or None."""
    if ref.dtype != fast.dtype:
        return f"dtype {ref.dtype} against {fast.dtype}"
    if ref.dtype.kind in "fM":
        a, b = ref.to_numpy(), fast.to_numpy()
        if ref.dtype.kind == "M":
            a, b = a.view(np.int64), b.view(np.int64)  # (NaT included)
            same = a == b
        else:
            same = (a == b) & (np.signbit(a) == np.signbit(b)) | (np.isnan(a) & np.isnan(b))
        if same.all():
            return None
        row = int(np.nonzero(~same)[0][0])
        return f"row {row}: {ref.iloc[row]!r} against {fast.iloc[row]!r}"
    for row, (x, y) in enumerate(zip(ref.tolist(), fast.tolist(), strict=True)):
        nan_x = isinstance(x, float) and np.isnan(x)
        nan_y = isinstance(y, float) and np.isnan(y)
        if (nan_x, nan_y) != (False, False):
            if nan_x and nan_y:
                continue
        elif type(x) is type(y) and x == y:
            continue
        return f"row {row}: {x!r} against {y!r}"
    return None


def outcome(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """How the decoder fares on one file (read in its own encoding, or in ``encoding`` as
    the importer retries): ("accepted", ""), ("declined", why), or ("refused", why) when
    pyreadstat cannot read even the dictionary (the importer reports that before the
    decoder is asked). AssertionError for a wrong value."""
    options: dict = {"user_missing": True} | ({"encoding": encoding} if encoding else {})
    try:
        ref, _ = pyreadstat.read_sav(str(path), **options)
    except Exception as exc:  # pyreadstat's own error types
        ref, refusal = None, str(exc).strip() or type(exc).__name__
    try:  # the importer's first call: the dictionary and one case
        _, meta = pyreadstat.read_sav(str(path), row_limit=1, **options)
    except Exception:
        return "refused", "dictionary"
    try:
        fast = sav_data.decode(str(path), meta, encoding or meta.file_encoding or "")
    except sav_data.Declined as why:
        return "declined", str(why)
    assert ref is not None, f"the decoder returned data; pyreadstat refuses: {refusal}"
    assert list(fast.columns) == list(ref.columns), "columns"
    assert len(fast) == len(ref), f"{len(fast)} cases against pyreadstat's {len(ref)}"
    for column in ref.columns:
        why = _same(ref[column], fast[column])
        assert why is None, f"{column}: {why}"
    return "accepted", ""


# --------------------------------------------------------------------------- damage


def data_start(data: bytes) -> int | None:
    """Where the cases begin: after the dictionary's records (walked here on their own,
    either byte order), or None for a file that is not a system file."""
    if data[:4] not in (b"$FL2", b"$FL3") or len(data) < 176:
        return None
    end = "<" if struct.unpack_from("<i", data, 64)[0] in (2, 3) else ">"
    pos = 176
    try:
        while True:
            (rec,) = struct.unpack_from(end + "i", data, pos)
            if rec == 2:
                _, label, missing = struct.unpack_from(end + "iii", data, pos + 4)
                pos += 32
                if label:
                    pos += 4 + (struct.unpack_from(end + "i", data, pos)[0] + 3) // 4 * 4
                pos += abs(missing) * 8
            elif rec == 3:
                (count,) = struct.unpack_from(end + "i", data, pos + 4)
                pos += 8
                for _ in range(count):
                    pos += 8 + (data[pos + 8] + 8) // 8 * 8
                pos += 8 + 4 * struct.unpack_from(end + "i", data, pos + 4)[0]
            elif rec == 6:
                pos += 8 + 80 * struct.unpack_from(end + "i", data, pos + 4)[0]
            elif rec == 7:
                _, size, count = struct.unpack_from(end + "iii", data, pos + 4)
                pos += 16 + size * count
            elif rec == 999:
                return pos + 8
            else:
                return None
    except (struct.error, IndexError):
        return None


def variants(data: bytes, seed: int) -> Iterator[tuple[str, bytes, str | None]]:
    """The file as written (also read in the encodings the importer falls back on) and its
    damaged copies: name, bytes, encoding (None: the file's own)."""
    yield "as written", data, None
    for encoding in ("WINDOWS-1252", "LATIN1"):
        yield f"read as {encoding}", data, encoding
    for cut in (1, 8, 64, 4096):
        if len(data) > cut:
            yield f"cut {cut}", data[:-cut], None
    if data[:4] in (b"$FL2", b"$FL3") and len(data) >= 176:
        yield "case count 0", data[:80] + bytes(4) + data[84:], None
        unknown = data[:80] + b"\xff\xff\xff\xff" + data[84:]  # -1 in either byte order
        yield "case count -1", unknown, None
        for cut in (1, 8, 64):
            yield f"case count -1, cut {cut}", unknown[:-cut], None
    start = data_start(data)
    if start is not None and start < len(data):
        rng = np.random.default_rng(seed)
        for k in range(FLIPS):
            damaged = bytearray(data)
            for at in rng.integers(start, len(data), size=3):
                damaged[at] ^= int(rng.integers(1, 256))
            yield f"bytes flipped {k}", bytes(damaged), None


def check_all(path: Path, folder: Path, files: str) -> tuple[str, str]:
    """Every variant of ``path`` compared, and counted under ``files``; the outcome of the
    file as written."""
    data = path.read_bytes()
    wrong = []
    first = ("", "")
    for name, blob, encoding in variants(data, zlib.crc32(path.name.encode())):
        copy = folder / f"variant{path.suffix}"
        copy.write_bytes(blob)
        try:
            kind, why = outcome(copy, encoding)
        except AssertionError as exc:
            wrong.append(f"{name}: {exc}")
            kind, why = "WRONG", ""
        group = "bytes flipped" if name.startswith("bytes flipped") else name
        TALLY[files, group, f"{kind}: {why}" if why else kind] += 1
        if name == "as written":
            first = (kind, why)
    assert not wrong, "\n".join(wrong)
    return first


@pytest.fixture(scope="module", autouse=True)
def print_tally():
    yield
    if not TALLY:
        return
    lines = ["", "numpy .sav decoder against pyreadstat: files and variants"]
    for files in sorted({f for f, _, _ in TALLY}):
        outcomes = Counter()
        for (f, _, kind), count in TALLY.items():
            if f == files:
                outcomes[kind] += count
        originals = Counter({k: c for (f, v, k), c in TALLY.items()
                             if f == files and v == "as written"})
        lines.append(f"{files}: {sum(originals.values())} files, "
                     f"{sum(outcomes.values())} with the variants")
        for kind, count in sorted(outcomes.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {count:5d} {kind}  (as written: {originals.get(kind, 0)})")
    print("\n".join(lines))


# --------------------------------------------------------------------------- real files


def test_corpus_is_there():
    assert len(REAL) >= 60
    assert len({p.parent.name for p in REAL}) >= 8


# The real files the decoder leaves to pyreadstat, and why; it takes every other one. (A
# change that declines more files must say so here: a decline is safe, but slow.)
NOT_TAKEN = {
    **dict.fromkeys([
        "JanMarvin__readspss/testdata.sav", "Roche__pyreadstat/tegulu.sav",
        "Roche__pyreadstat/test_width.sav", "almus-the-dan__spss_sav/comprehensive.sav",
        "almus-the-dan__spss_sav/compression_bytecode.sav",
        "almus-the-dan__spss_sav/compression_none.sav", "almus-the-dan__spss_sav/weighted.sav",
        "bedatadriven__spss-reader/verylongstring.sav",
        "fbiagi__SPSS-.NET-Reader/cakespss1000similarvars.sav",
        "fbiagi__SPSS-.NET-Reader/test.sav", "lemenkov__pspp/v13.sav", "lemenkov__pspp/v14.sav",
        "mikera__clj-spss/VeryLongStringVariables.sav", "mikera__clj-spss/VeryLongStrings.sav",
        "robsmith100__Medella.SPSS/MaxString.sav", "tiamo__spss/test2.sav",
    ], ("declined", "very long strings")),
    **dict.fromkeys([
        "JanMarvin__readspss/cars.zsav", "JanMarvin__readspss/vignettes_cars.zsav",
        "Roche__pyreadstat/sample.zsav", "almus-the-dan__spss_sav/compression_zlib.sav",
        "almus-the-dan__spss_sav/zsav_blocks.sav", "lemenkov__pspp/llz.zsav",
    ], ("declined", "ZLIB compression")),
    **dict.fromkeys(["queryverse__ReadStat.jl/types.sav",
                     "robsmith100__Medella.SPSS/BigEndian.sav"], ("declined", "big-endian")),
    # the PHP writer leaves out a string's continuation records
    **dict.fromkeys(["tiamo__spss/data12.sav", "tiamo__spss/mbtest.sav"],
                    ("declined", "dictionary not followed")),
    # encrypted; a malformed long-string missing value; a date pyreadstat cannot hold
    **dict.fromkeys(["lemenkov__pspp/hotel-encrypted.sav", "lemenkov__pspp/CVE-2017-10791.sav",
                     "tidyverse__haven/datetime.sav"], ("refused", "dictionary")),
}


@pytest.mark.parametrize("path", REAL, ids=[str(p.relative_to(CORPUS)) for p in REAL])
def test_real_file_and_its_damaged_copies(path, tmp_path):
    taken = check_all(path, tmp_path, "real files")
    assert taken == NOT_TAKEN.get(str(path.relative_to(CORPUS)), ("accepted", ""))


# --------------------------------------------------------------------------- PSPP-written

# text in each encoding's script; Shift_JIS's backslash and tilde, and GB18030's and Big5's
# characters, are where Python's codecs and glibc's iconv part ways (declined)
SCRIPTS = {
    "utf-8": "Åsa Öberg – 日本語 €", "windows-1252": "Åsa Öberg – €", "windows-1250":
    "zażółć gęślą jaźń", "windows-1251": "съешь же ещё", "iso-8859-15": "œuvre €",
    "koi8-r": "съешь же ещё", "shift_jis": "日本語 C:\\ ~", "big5": "中文測試",
    "gb18030": "中文测试", "euc-kr": "한국어 시험",
}
# seconds since 1582-10-14 for the date and time formats: the epoch, half microseconds
# (pyreadstat rounds half to even), just before the epoch, before midnight, far away
SECONDS = ["0", "0.0000005", "0.0000015", "0.0000025", "13197723072.0078125",
           "13197723072.0234375", "-0.0000001", "-86400.5", "86399.9999996", "86399.9999999",
           "13197723072.999999", "1e10", "-4.9e10", "2.6e11", "."]
DATE_FORMATS = ["DATE11", "ADATE10", "EDATE10", "JDATE7", "SDATE10", "QYR8", "MOYR8",
                "WKYR10", "DATETIME23.2", "DATETIME17", "YMDHMS22.2", "TIME11.2", "DTIME14.2",
                "MTIME8.2", "WKDAY3", "MONTH3", "F8.2"]
HIGHEST, LOWEST = 12345.678, 23456.789  # data values replaced by SPSS's HIGHEST and LOWEST


def _datasets() -> dict[str, str]:
    """Name: PSPP syntax defining the active dataset."""
    rng = np.random.default_rng(16)
    sets = {}
    for enc, text in SCRIPTS.items():
        sets[f"text_{enc}"] = (
            f"SET LOCALE='{enc}'.\nDATA LIST LIST /id (F4) s (A40) short (A6) n (F8.2).\n"
            f'BEGIN DATA\n1 "{text}" "ab" 1.5\n2 "" "" .\n3 "NULMARK1 {text}" "x" -2\n'
            "END DATA.\n")
    sets["dates"] = (
        "DATA LIST LIST /" + " ".join(f"v{i}" for i in range(len(DATE_FORMATS)))
        + " (F40.10).\nBEGIN DATA\n"
        + "\n".join(" ".join([s] * len(DATE_FORMATS)) for s in SECONDS) + "\nEND DATA.\n"
        + "FORMATS " + " ".join(f"v{i} ({f})" for i, f in enumerate(DATE_FORMATS)) + ".\n"
        + "COMPUTE none = $SYSMIS.\nFORMATS none (DATETIME20).\n")
    for kind in ("DATETIME20", "DATE11", "TIME11"):
        sets[f"far_{kind.rstrip('0123456789').lower()}"] = (
            f"DATA LIST LIST /t (F40.2).\nBEGIN DATA\n0\n3e11\nEND DATA.\nFORMATS t ({kind}).\n")
    sets["missing"] = (
        "DATA LIST LIST /a (F8.2) b (F8.0) c (F8.0) hl (F10.3) s (A8) sl (A20).\n"
        f'BEGIN DATA\n-5 999 2 {HIGHEST} "NA" "none"\n1 5 9 {LOWEST} "ok" "long text here"\n'
        f'-1 . 3 1 "xx" "NULMARK1"\n. 1 . . "" ""\nEND DATA.\n'
        "MISSING VALUES a (LO THRU -1) b (999) c (1 THRU 3, 9) s ('NA', 'xx') sl ('none').\n")
    sets["strings"] = (
        "DATA LIST LIST /id (F4) mid (A40) wide (A255) huge (A600).\nBEGIN DATA\n"
        + "\n".join(f'{i} "{"m" * (i * 7 % 40)}" "{"w" * (i * 37 % 255)}" "{"h" * (i * 91)}"'
                    for i in range(1, 7)) + "\nEND DATA.\n")
    sets["strings_255"] = (
        "DATA LIST LIST /id (F4) mid (A40) wide (A255).\nBEGIN DATA\n"
        + "\n".join(f'{i} "{"m" * (i * 7 % 40)}" "{"w" * (i * 37 % 255)} é"'
                    for i in range(1, 7)) + "\nEND DATA.\n")
    names = [f"x{i}" for i in range(300)]
    rows = [" ".join(f"{v:.4g}" if v < 90 else "." for v in rng.uniform(-5, 100, 300))
            + f' "s{k}" "{"é" * (k % 5)}"' for k in range(120)]
    sets["wide"] = (f"DATA LIST LIST /{' '.join(names)} (F8.3) id (A8) t (A12).\n"
                    "BEGIN DATA\n" + "\n".join(rows) + "\nEND DATA.\n")
    sets["empty"] = ("DATA LIST LIST /x (F8.2) s (A12) d (DATE11) t (DATETIME20).\n"
                     "BEGIN DATA\nEND DATA.\n")
    return sets


PSPP_FILES = [f"{name}_{kind}.{'zsav' if kind == 'z' else 'sav'}" for name in _datasets()
              for kind in ("plain", "bytecode", "z")]


@pytest.fixture(scope="module")
def pspp_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pspp_sav")
    syntax = []
    for name, define in _datasets().items():
        if not define.startswith("SET LOCALE"):
            define = "SET LOCALE='UTF-8'.\n" + define
        syntax.append(define + f"SAVE OUTFILE='{name}_plain.sav' /UNCOMPRESSED.\n"
                      f"SAVE OUTFILE='{name}_bytecode.sav' /COMPRESSED.\n"
                      f"SAVE OUTFILE='{name}_z.zsav' /ZCOMPRESSED.\nNEW FILE.\n")
    run_pspp("".join(syntax), folder)
    return folder


def _marked(data: bytes) -> Iterator[tuple[str, bytes]]:
    """A PSPP file with its markers replaced: a NUL inside a string, HIGHEST and LOWEST."""
    if b"NULMARK1" in data:
        yield "nul", data.replace(b"NULMARK1", b"NUL\0MARK")
    for value, bits in ((HIGHEST, sav_data.HIGHEST_BITS), (LOWEST, sav_data.LOWEST_BITS)):
        packed = struct.pack("<d", value)
        if packed in data:
            yield f"{value}", data.replace(packed, struct.pack("<Q", bits))


def pspp_expected(name: str) -> tuple[str, str]:
    """What the decoder makes of a file PSPP wrote here, as written."""
    if name.endswith(".zsav"):
        return "declined", "ZLIB compression"
    if name.startswith("far_"):
        return "declined", "a date outside the years 1 to 9999"
    if name.startswith("strings_") and not name.startswith("strings_255"):
        return "declined", "very long strings"
    if name.startswith(("text_shift_jis", "text_big5", "text_gb18030", "text_euc-kr")):
        return "declined", "encoding outside ENCODINGS"
    return "accepted", ""


@pytest.mark.parametrize("name", PSPP_FILES)
def test_pspp_file_and_its_damaged_copies(name, pspp_folder, tmp_path):
    path = pspp_folder / name
    assert path.exists(), "PSPP did not write it"
    assert check_all(path, tmp_path, "written by GNU PSPP") == pspp_expected(name)
    for mark, blob in _marked(path.read_bytes()):
        marked = tmp_path / f"{mark}{path.suffix}"
        marked.write_bytes(blob)
        assert check_all(marked, tmp_path, "PSPP's, with a NUL or HIGHEST and LOWEST put in"
                         ) == pspp_expected(name)
