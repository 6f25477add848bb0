"""cipsurvey's numpy decoder of .sav data records against pyreadstat and a plain decoder.

Three references: pyreadstat (ReadStat) reading the same file, GNU PSPP writing the
compressed variants of a file pyreadstat wrote, and a byte-by-byte bytecode decoder written
here the obvious way (a loop), against which random streams are checked.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st_

from cipsurvey import parallel
from cipsurvey.demo.files import demo_files
from cipsurvey.io import sav_data

from conftest import run_pspp


def assert_same_as_pyreadstat(path: Path) -> None:
    ref, meta = pyreadstat.read_sav(str(path), user_missing=True)
    fast = sav_data.read_sav_fast(str(path), meta, meta.file_encoding)
    assert fast is not None, "the decoder should handle this file"
    assert list(fast.columns) == list(ref.columns)
    for col in ref.columns:
        a, b = ref[col], fast[col]
        if a.dtype.kind == "f":
            np.testing.assert_array_equal(a.to_numpy(), b.to_numpy(dtype=float), err_msg=col)
        elif a.dtype.kind == "M":
            assert a.isna().tolist() == b.isna().tolist(), col
            assert (a[a.notna()] == b[b.notna()]).all(), col
        else:
            assert a.astype(object).tolist() == b.tolist(), col


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
        codes = rng.choice([5, 100, 251, 253, 253, 254, 255, 1], size=8).astype(np.uint8)
        parts.append(codes.tobytes())
        for _ in range(int((codes == 253).sum())):
            raw = b"\xfd" * 8 if rng.random() < nasty else rng.bytes(8)
            parts.append(raw)
    return b"".join(parts)


def words_of(stream: bytes, layout: sav_data.Layout) -> list[bytes] | None:
    """The decoder's cells back as a flat list of 8-byte words (None: it declined)."""
    packed = sav_data.decode_packed(stream, layout)
    if packed is None:
        return None
    table = np.zeros(256, dtype="<u8")
    table[1:252] = (np.arange(1, 252, dtype=np.float64) - layout.bias).view("<u8")
    table[254] = np.frombuffer(b" " * 8, dtype="<u8")[0]
    table[255] = np.float64(layout.sysmis).view("<u8")
    words = table[packed.codes]
    words[packed.raw_rows, packed.raw_cols] = packed.raw_words
    return [w.tobytes() for w in words.ravel()]


def one_unit_layout(cases: int = -1) -> sav_data.Layout:
    return sav_data.Layout(0, 1, 1, 100.0, -np.finfo(np.float64).max, cases, [(0, 0)])


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
    two = sav_data.Layout(0, 2, 1, 100.0, -np.finfo(np.float64).max, 1, [(0, 0), (1, 0)])
    assert words_of(body, two) == [struct.pack("<d", 1.0), struct.pack("<d", 2.5)]
    ended = bytes([101, 252, 0, 0, 0, 0, 0, 0]) + bytes(8) * 3
    assert words_of(ended, one_unit_layout()) == [struct.pack("<d", 1.0)]
    inside = bytes([101, 0, 102, 0, 0, 0, 0, 0])  # padding between cells: declined
    assert words_of(inside, one_unit_layout()) is None
