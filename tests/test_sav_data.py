"""cipsurvey's numpy decoder of .sav data records against pyreadstat and a plain decoder.

Three references: pyreadstat (ReadStat) reading the same file, GNU PSPP writing the
compressed variants of a file pyreadstat wrote, and a byte-by-byte bytecode decoder written
here the obvious way (a loop), against which random streams are checked. The numbered
tests below are the failures of issue 16, each on a real or PSPP-written file; the whole
corpus is in ``test_sav_corpus.py``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_
from test_sav_corpus import CORPUS, HIGHEST, LOWEST, outcome

from cipsurvey import parallel, read_survey
from cipsurvey.demo.files import demo_files
from cipsurvey.errors import InputFileError
from cipsurvey.io import sav_data
from cipsurvey.io.readers import read_raw

from conftest import run_pspp


def assert_same_as_pyreadstat(path: Path) -> None:
    """The decoder takes the file and gives pyreadstat's frame, dtypes and cells."""
    assert outcome(path) == ("accepted", ""), "the decoder should take this file"


def declined(path: Path, encoding: str | None = None) -> str:
    """Why the decoder declines the file (it must)."""
    _, meta = pyreadstat.read_sav(str(path), user_missing=True, row_limit=1)
    with pytest.raises(sav_data.Declined) as why:
        sav_data.decode(str(path), meta, encoding or meta.file_encoding)
    return str(why.value)


def compressed_copies(src: Path, folder: Path) -> tuple[Path, Path]:
    run_pspp(f"GET FILE='{src}'.\nSAVE OUTFILE='c.sav' /COMPRESSED.\n"
             "SAVE OUTFILE='z.sav' /ZCOMPRESSED.\n", folder)
    return folder / "c.sav", folder / "z.sav"


@pytest.mark.parametrize("name", [p.name for p in demo_files() if p.suffix == ".sav"])
def test_demo_files_plain_and_bytecode_compressed(tmp_path, name):
    src = next(p for p in demo_files() if p.name == name)
    assert_same_as_pyreadstat(src)
    plain, zlib = compressed_copies(src, tmp_path)
    assert struct.unpack_from("<i", plain.read_bytes(), 72)[0] == 1  # bytecode, really
    assert_same_as_pyreadstat(plain)
    _, meta = pyreadstat.read_sav(str(zlib), user_missing=True, row_limit=1)
    assert sav_data.read_sav_fast(str(zlib), meta, meta.file_encoding) is None  # pyreadstat's


def test_two_threads_read_as_one(monkeypatch, tmp_path):
    # a large plain file is transposed by two threads, each half of the cases, in blocks,
    # and a large file's number columns are built in two threads; here the demo files,
    # plain and compressed, go that way, a case per block
    monkeypatch.setattr(parallel, "THREADS_FROM", 2)
    monkeypatch.setattr(sav_data, "BLOCK_BYTES", 8)
    for k, src in enumerate(p for p in demo_files() if p.suffix == ".sav"):
        assert_same_as_pyreadstat(src)
        folder = tmp_path / str(k)
        folder.mkdir()
        assert_same_as_pyreadstat(compressed_copies(src, folder)[0])
    # system-missing values (the demo files have none), small codes and raw numbers
    run_pspp("""DATA LIST LIST /x (F8.2) y (F8.0).
BEGIN DATA
1 .
. 7
2.5 .
-3 1000000
END DATA.
SAVE OUTFILE='plain.sav' /UNCOMPRESSED.
SAVE OUTFILE='packed.sav' /COMPRESSED.
""", tmp_path)
    for name in ("plain.sav", "packed.sav"):
        assert_same_as_pyreadstat(tmp_path / name)


def test_windows_1252_strings(tmp_path):
    run_pspp("""SET LOCALE='windows-1252'.
DATA LIST LIST /id (A4) x (F8.2) note (A30).
BEGIN DATA
"p1" 1.5 "Hälsa på ýýýýýýýý"
"p2" -3 "Åsa öl"
"p3" 1000000 ""
END DATA.
SAVE OUTFILE='plain.sav' /UNCOMPRESSED.
SAVE OUTFILE='packed.sav' /COMPRESSED.
""", tmp_path)
    for name in ("plain.sav", "packed.sav"):
        assert_same_as_pyreadstat(tmp_path / name)


CELL = st_.one_of(st_.integers(-120, 260).map(float), st_.floats(-1e9, 1e9, width=32),
                  st_.just(np.nan))
TEXT = st_.text(st_.sampled_from("abcåäöý XYZ0123 \u00e9"), max_size=20)


@settings(max_examples=15, deadline=None)
@given(st_.lists(st_.tuples(CELL, CELL, TEXT, TEXT), min_size=1, max_size=60))
def test_random_files_written_by_pyreadstat_and_pspp(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("sav")
    frame = pd.DataFrame(rows, columns=["a", "b", "s", "t"])
    frame["s"] = frame["s"].str.rstrip(" ")
    frame["t"] = frame["t"].str.rstrip(" ")
    src = folder / "src.sav"
    pyreadstat.write_sav(frame, str(src), missing_ranges={"a": [-9.0, {"lo": 200, "hi": 260}]})
    assert_same_as_pyreadstat(src)
    plain, _ = compressed_copies(src, folder)
    assert_same_as_pyreadstat(plain)


# --------------------------------------------------------------------------- bytecode streams


def plain_decode(stream: bytes, bias: float = 100.0) -> list[bytes]:
    """The obvious decoder: one command block after another."""
    out: list[bytes] = []
    pos = 0
    while pos + 8 <= len(stream):
        codes = stream[pos:pos + 8]
        pos += 8
        for code in codes:
            if code == 0:
                continue
            if code == 252:
                return out
            if code == 253:
                out.append(stream[pos:pos + 8])
                pos += 8
            elif code == 254:
                out.append(b" " * 8)
            elif code == 255:
                out.append(struct.pack("<d", -np.finfo(np.float64).max))
            else:
                out.append(struct.pack("<d", code - bias))
    return out


def random_stream(rng: np.random.Generator, blocks: int, nasty: float) -> bytes:
    """Blocks of random codes; a share ``nasty`` of the raw units is full of 253 bytes, the
    worst case for finding where blocks start."""
    parts = []
    for _ in range(blocks):
        codes = rng.choice([5, 100, 251, 253, 253, 254, 255, 1, 0], size=8).astype(np.uint8)
        parts.append(codes.tobytes())
        for _ in range(int((codes == 253).sum())):
            raw = b"\xfd" * 8 if rng.random() < nasty else rng.bytes(8)
            parts.append(raw)
    return b"".join(parts)


def words_of(stream: bytes, layout: sav_data.Layout) -> list[bytes] | None:
    """The decoder's cells back as a flat list of 8-byte words (None: it declined)."""
    try:
        packed = sav_data.decode_packed(stream, layout)
    except sav_data.Declined:
        return None
    table = np.zeros(256, dtype="<u8")
    table[1:252] = (np.arange(1, 252, dtype=np.float64) - layout.bias).view("<u8")
    table[254] = np.frombuffer(b" " * 8, dtype="<u8")[0]
    table[255] = layout.missing_bits[0]
    words = table[packed.codes]
    words[packed.raw_rows, packed.raw_cols] = packed.raw_words
    return [w.tobytes() for w in words.ravel()]


def one_unit_layout(cases: int = -1) -> sav_data.Layout:
    return sav_data.Layout(0, 1, 1, 100.0, cases, [(0, 0)])


@pytest.mark.parametrize("nasty", [0.0, 0.05, 0.5, 1.0])
def test_decoder_equals_the_plain_loop_or_declines(nasty):
    rng = np.random.default_rng(int(nasty * 100))
    declined = 0
    for trial in range(30):
        stream = random_stream(rng, int(rng.integers(1, 400)), nasty)
        found = words_of(stream, one_unit_layout())
        if found is None:
            declined += 1  # read by pyreadstat instead: allowed, never a wrong answer
            continue
        assert found == plain_decode(stream), trial
    if nasty <= 0.05:
        assert declined == 0


def test_chain_search_goes_on_when_the_first_rounds_fall_short(monkeypatch):
    """Two steps from every unit do not always reach the chain; the search then composes
    more steps instead of declining the file."""
    monkeypatch.setattr(sav_data, "ROUNDS", (1, 6))
    rng = np.random.default_rng(7)
    for trial in range(30):
        stream = random_stream(rng, int(rng.integers(1, 400)), 0.05)
        assert words_of(stream, one_unit_layout()) == plain_decode(stream), trial


def test_253_bytes_counted_per_unit():
    rng = np.random.default_rng(3)
    raw = rng.choice([0, 1, 252, 253, 254, 255], size=(5000, 8)).astype(np.uint8)
    units = raw.view("<u8").ravel()
    assert sav_data._count_253(units).tolist() == (raw == 253).sum(axis=1).tolist()


def test_padding_and_end_code():
    body = bytes([101, 253, 0, 0, 0, 0, 0, 0]) + struct.pack("<d", 2.5)
    two = sav_data.Layout(0, 2, 1, 100.0, 1, [(0, 0), (1, 0)])
    assert words_of(body, two) == [struct.pack("<d", 1.0), struct.pack("<d", 2.5)]
    ended = bytes([101, 252, 0, 0, 0, 0, 0, 0]) + bytes(8) * 3
    assert words_of(ended, one_unit_layout()) == [struct.pack("<d", 1.0)]
    inside = bytes([101, 0, 102, 0, 0, 0, 0, 0])  # padding between cells (ReadStat's)
    assert words_of(inside, one_unit_layout()) == [struct.pack("<d", 1.0),
                                                   struct.pack("<d", 2.0)]


# --------------------------------------------------------------------------- issue 16

EMPLOYEE = CORPUS / "fomcl__savreaderwriter" / "Employee_data.sav"  # SPSS 11, bytecode


def cut_copy(src: Path, folder: Path, cut: int, cases: int | None = None) -> Path:
    """``src`` without its last ``cut`` bytes (and with the header's case count set)."""
    data = bytearray(src.read_bytes())
    if cases is not None:
        struct.pack_into("<i", data, 80, cases)
    path = folder / f"cut{cut}_{cases}.sav"
    path.write_bytes(bytes(data[:len(data) - cut]))
    return path


@pytest.mark.parametrize("cut", [1, 8, 64])
def test_1_a_file_cut_short_is_declined_not_filled_in(tmp_path, cut):
    # the decoder once clamped indexes past the end to the stream's last unit: this file
    # minus one byte gave the last case a starting salary of 5.36e-312 instead of 14250
    assert pyreadstat.read_sav(str(EMPLOYEE))[0]["SALBEGIN"].iloc[-1] == 14250
    path = cut_copy(EMPLOYEE, tmp_path, cut)
    assert declined(path) in ("a raw value past the end of the file",
                              "file cut inside an 8-byte unit",
                              "fewer cases than the header records")
    with pytest.raises(InputFileError, match="truncated or damaged"):
        read_raw(path)  # pyreadstat's refusal, reported


@pytest.mark.parametrize("cut", [8, 64])
def test_2_case_count_unknown_and_the_file_cut_short(tmp_path, cut):
    # a case count of -1 is allowed (the Java writer's file below has one); a compressed
    # file cut short was then read silently short, and validated as clean
    java = CORPUS / "lemenkov__pspp" / "no_case_size.sav"
    assert struct.unpack_from("<i", java.read_bytes(), 80)[0] == -1
    weighted = CORPUS / "bedatadriven__spss-reader" / "weighted.sav"  # SPSS 13, 5,293 cases
    whole = cut_copy(weighted, tmp_path, 0, cases=-1)
    assert_same_as_pyreadstat(whole)
    path = cut_copy(weighted, tmp_path, cut, cases=-1)
    assert declined(path) in ("a raw value past the end of the file",
                              "case count not recorded and the data end inside a case")
    with pytest.raises(InputFileError, match="truncated or damaged"):
        read_raw(path)


def test_3_dates_and_times_as_pyreadstat_gives_them(tmp_path):
    run_pspp("""DATA LIST LIST /d (F40.10) q (F40.10) m (F40.10) w (F40.10) t (F40.10)
  dt (F40.10) dtime (F40.10) mt (F40.10).
BEGIN DATA
13197723072.0078125 13197723072 13197723072 13197723072 36672.5 13197723072.0078125 123072.25 611
-86400.5 0 0 0 0.0000025 0.0000025 0 0
0 0 0 0 0 13197723072.0234375 0 0
. . . . . . . .
END DATA.
FORMATS d (ADATE10) q (QYR8) m (MOYR8) w (WKYR10) t (TIME11.2) dt (DATETIME23.2)
  dtime (DTIME14.2) mt (MTIME8.2).
SAVE OUTFILE='plain.sav' /UNCOMPRESSED.
SAVE OUTFILE='packed.sav' /COMPRESSED.
""", tmp_path)
    for name in ("plain.sav", "packed.sav"):
        assert_same_as_pyreadstat(tmp_path / name)
        _, meta = pyreadstat.read_sav(str(tmp_path / name), row_limit=1)
        frame = sav_data.decode(str(tmp_path / name), meta, meta.file_encoding)
        # dates as datetime.date (the day of 2001-01-01 10:11:12, of 1582-10-12 12:00)
        assert frame["d"].tolist()[:2] == [dt.date(2001, 1, 1), dt.date(1582, 10, 12)]
        # quarters, months and weeks stay numbers; so does MTIME
        for column in ("q", "m", "w", "mt"):
            assert frame[column].dtype == np.float64
        assert frame["q"].iloc[0] == 13197723072
        # fractions of a second: microseconds rounded half to even (7812.5 → 7812,
        # 2.5 → 2, 23437.5 → 23438)
        assert frame["dt"].tolist()[:3] == [pd.Timestamp("2001-01-01 10:11:12.007812"),
                                            pd.Timestamp("1582-10-14 00:00:00.000002"),
                                            pd.Timestamp("2001-01-01 10:11:12.023438")]
        assert frame["t"].tolist()[:2] == [dt.time(10, 11, 12, 500000), dt.time(0, 0, 0, 2)]
        assert frame["dtime"].iloc[0] == dt.time(10, 11, 12, 250000)  # (the days dropped)


def test_4_zero_cases(tmp_path):
    run_pspp("""DATA LIST LIST /x (F8.2) s (A12) d (DATE11) t (DATETIME20).
BEGIN DATA
END DATA.
SAVE OUTFILE='plain.sav' /UNCOMPRESSED.
SAVE OUTFILE='packed.sav' /COMPRESSED.
""", tmp_path)
    for name in ("plain.sav", "packed.sav"):
        assert_same_as_pyreadstat(tmp_path / name)
        with pytest.raises(InputFileError, match="no data rows"):
            read_raw(tmp_path / name)


def test_5_highest_and_lowest_are_missing(tmp_path):
    run_pspp(f"""DATA LIST LIST /x (F10.3) y (F8.2).
BEGIN DATA
{HIGHEST} 1
{LOWEST} 2
3 3
END DATA.
SAVE OUTFILE='plain.sav' /UNCOMPRESSED.
SAVE OUTFILE='packed.sav' /COMPRESSED.
""", tmp_path)
    for name in ("plain.sav", "packed.sav"):
        data = (tmp_path / name).read_bytes()
        for value, bits in ((HIGHEST, sav_data.HIGHEST_BITS), (LOWEST, sav_data.LOWEST_BITS)):
            data = data.replace(struct.pack("<d", value), struct.pack("<Q", bits))
        path = tmp_path / f"marked_{name}"
        path.write_bytes(data)
        assert_same_as_pyreadstat(path)
        _, meta = pyreadstat.read_sav(str(path), row_limit=1)
        x = sav_data.decode(str(path), meta, meta.file_encoding)["x"]
        assert x.isna().tolist() == [True, True, False]  # ReadStat: both system-missing


@pytest.mark.parametrize(("locale", "expected"), [
    ("UTF-8", "NULMARK ok"),  # named "UTF-8": ReadStat drops the NUL
    ("windows-1252", "NUL"),  # any other encoding: the text ends at the NUL
])
def test_5_a_nul_inside_a_string(tmp_path, locale, expected):
    run_pspp(f"""SET LOCALE='{locale}'.
DATA LIST LIST /s (A20) n (F4).
BEGIN DATA
"NULMARK1 ok" 1
"plain" 2
END DATA.
SAVE OUTFILE='plain.sav' /UNCOMPRESSED.
SAVE OUTFILE='packed.sav' /COMPRESSED.
""", tmp_path)
    for name in ("plain.sav", "packed.sav"):
        path = tmp_path / f"nul_{name}"
        path.write_bytes((tmp_path / name).read_bytes().replace(b"NULMARK1", b"NUL\0MARK"))
        assert_same_as_pyreadstat(path)
        _, meta = pyreadstat.read_sav(str(path), row_limit=1)
        text = sav_data.decode(str(path), meta, meta.file_encoding)["s"]
        assert text.tolist() == [expected, "plain"]


def test_5_a_nul_inside_a_string_of_a_file_naming_no_encoding(tmp_path):
    # no encoding named (the Java writer's file): nothing is converted, the bytes end at the
    # NUL, and only those before it are decoded (the byte after it is not UTF-8)
    java = CORPUS / "lemenkov__pspp" / "no_case_size.sav"
    path = tmp_path / "nul.sav"
    path.write_bytes(java.read_bytes().replace(b"Australia", b"Austr\0\xffia"))
    assert_same_as_pyreadstat(path)
    _, meta = pyreadstat.read_sav(str(path), row_limit=1)
    assert meta.file_encoding is None
    text = sav_data.decode(str(path), meta, "")["CONT"]
    assert text.iloc[-1] == "Austr" and text.iloc[0] == "Asia"


@pytest.mark.parametrize(("locale", "text", "iconv_reads"), [
    ("shift_jis", "C:\\data ~x", "C:¥data ‾x"),  # JIS X 0201: yen and overline
    ("gb18030", "︐", "︐"),
    ("big5", "中文", "中文"),
])
def test_5_encodings_where_python_and_iconv_part_ways_are_declined(tmp_path, locale, text,
                                                                     iconv_reads):
    run_pspp(f"""SET LOCALE='{locale}'.
DATA LIST LIST /s (A20).
BEGIN DATA
"{text}"
END DATA.
SAVE OUTFILE='f.sav' /COMPRESSED.
""", tmp_path)
    assert pyreadstat.read_sav(str(tmp_path / "f.sav"))[0]["s"].iloc[0] == iconv_reads
    assert declined(tmp_path / "f.sav") == "encoding outside ENCODINGS"


# glibc's iconv, which ReadStat calls (pyreadstat's Linux build links glibc's)
_LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_LIBC.iconv_open.restype = ctypes.c_void_p
_LIBC.iconv_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
_LIBC.iconv.restype = ctypes.c_size_t
_LIBC.iconv.argtypes = [ctypes.c_void_p] + [ctypes.POINTER(ctypes.c_char_p),
                                            ctypes.POINTER(ctypes.c_size_t)] * 2
_LIBC.iconv_close.argtypes = [ctypes.c_void_p]


def iconv(name: str, data: bytes) -> str | None:
    """``data`` in encoding ``name`` as glibc's iconv reads it, or None if it refuses."""
    handle = _LIBC.iconv_open(b"UTF-8", name.encode())
    assert handle not in (None, ctypes.c_void_p(-1).value), f"iconv does not know {name}"
    try:
        source = ctypes.create_string_buffer(data, len(data))
        target = ctypes.create_string_buffer(4 * len(data) + 16)
        src, dst = ctypes.c_char_p(ctypes.addressof(source)), \
            ctypes.c_char_p(ctypes.addressof(target))
        left, room = ctypes.c_size_t(len(data)), ctypes.c_size_t(len(target))
        status = _LIBC.iconv(handle, ctypes.byref(src), ctypes.byref(left),
                             ctypes.byref(dst), ctypes.byref(room))
        if status == ctypes.c_size_t(-1).value:
            return None
        flushed = _LIBC.iconv(handle, None, None, ctypes.byref(dst), ctypes.byref(room))
        assert flushed != ctypes.c_size_t(-1).value
        return target.raw[:len(target) - room.value].decode("utf-8")
    finally:
        _LIBC.iconv_close(handle)


def python_reads(codec: str, data: bytes) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


@pytest.mark.parametrize("name", sorted(sav_data.ENCODINGS))
def test_5_python_and_iconv_read_every_listed_encoding_alike(name):
    """What Python's codec accepts, iconv reads the same: every byte of a single-byte
    code page, every code point of UTF-8 (the decoder declines what Python refuses)."""
    codec = sav_data.ENCODINGS[name]
    if codec == "utf-8":
        text = "".join(chr(c) for c in range(1, 0x110000) if not 0xD800 <= c < 0xE000)
        assert iconv(name, text.encode("utf-8")) == text
        return
    for byte in range(256):
        ours = python_reads(codec, bytes([byte]))
        if ours is not None:
            assert iconv(name, bytes([byte])) == ours, (name, byte)


@pytest.mark.parametrize("name", ["SHIFT_JIS", "CP932", "GB18030", "WINDOWS-1255",
                                  "WINDOWS-1258"])
def test_5_encodings_left_out_are_read_differently(name):
    assert name not in sav_data.ENCODINGS
    codec = sav_data.ENCODINGS.get(name) or name.lower()
    samples = [bytes([a]) for a in range(256)] + [bytes([a, b]) for a in range(0x81, 0xFF)
                                                  for b in range(0x40, 0xFF)]
    assert any(python_reads(codec, s) is not None
               and iconv(name, s) != python_reads(codec, s) for s in samples)


def test_6_a_date_out_of_range_is_a_problem_on_its_cell(tmp_path):
    # a byte flipped in a date cell: the year 1000 (or 3000) is a date, but not one the
    # wave's datetime64[ns] column holds; it was an unexpected OutOfBoundsDatetime
    path = tmp_path / "dates.sav"
    pyreadstat.write_sav(pd.DataFrame({
        "resp_id": ["a", "b", "c"], "gender": [1.0, 2.0, 1.0], "age": [34.0, 51.0, 47.0],
        "response_date": [dt.datetime(2015, 1, 22), dt.datetime(1000, 1, 1),
                          dt.datetime(3000, 5, 1)],
    }), str(path))
    survey = read_survey(path)
    bad = survey.problems[survey.problems["column"] == "response_date"]
    assert bad["row"].tolist() == [2, 3]
    assert set(bad["code"]) == {"date_out_of_range"}
    assert survey.data["response_date"].iloc[0] == pd.Timestamp("2015-01-22")
    assert survey.data["response_date"].iloc[1:].isna().all()


def test_a_string_without_its_continuation_records_is_declined(tmp_path):
    # some writers (the PHP writer of tiamo/spss in the corpus) leave out the records that
    # announce a long string's further 8-byte pieces, and write no case size; ReadStat then
    # infers them: counting the records alone would read the number from the string
    run_pspp("""DATA LIST LIST /s (A16) x (F8.2).
BEGIN DATA
"abcdefghijklmnop" 1.5
"q" 2.5
END DATA.
SAVE OUTFILE='plain.sav' /UNCOMPRESSED.
SAVE OUTFILE='packed.sav' /COMPRESSED.
""", tmp_path)
    for name in ("plain.sav", "packed.sav"):
        data = bytearray((tmp_path / name).read_bytes())
        piece = data.index(struct.pack("<ii", 2, -1))
        del data[piece:piece + 32]
        struct.pack_into("<i", data, 68, -1)
        path = tmp_path / f"short_{name}"
        path.write_bytes(bytes(data))
        frame, _ = pyreadstat.read_sav(str(path))
        assert frame.values.tolist() == [["abcdefghijklmnop", 1.5], ["q", 2.5]]
        assert declined(path) == "dictionary not followed"
