"""Arrow's CSV reader is used only where it parses exactly as pandas' C parser does."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st_

from cipsurvey.errors import InputFileError
from cipsurvey.io.readers import _read_csv_arrow, _utf8
from cipsurvey.io.sniff import decode

CELL = st_.text(st_.sampled_from('ab,;"\n\r x1åé\t'), max_size=6)


def arrow(text: str, delimiter: str) -> pd.DataFrame | None:
    return _read_csv_arrow(text, delimiter, text.encode("utf-8"))


def pandas_cells(text: str, delimiter: str) -> list[list[str]] | None:
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            na_filter=False, header=None, engine="c", skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    return frame.fillna("").astype(str).values.tolist()


@settings(max_examples=300, deadline=None)
@given(st_.lists(st_.lists(CELL, min_size=1, max_size=4), min_size=1, max_size=6),
       st_.sampled_from([",", ";", "\t"]), st_.booleans(), st_.sampled_from(["\n", "\r\n"]))
def test_arrow_reads_as_pandas_or_declines(rows, delimiter, quote, newline):
    def field(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if quote else cell

    text = newline.join(delimiter.join(field(c) for c in row) for row in rows) + newline
    ours = arrow(text, delimiter)
    if ours is None:
        return  # pandas' parser reads it (or reports the error)
    assert ours.astype(str).values.tolist() == pandas_cells(text, delimiter)


def test_the_demo_sized_file_is_read_by_arrow():
    text = "id,x,y\n" + "".join(f"{i},{i % 7},\"a, {i}\"\n" for i in range(2000))
    frame = arrow(text, ",")
    assert frame is not None and frame.shape == (2001, 3)
    assert frame.astype(str).values.tolist() == pandas_cells(text, ",")


def test_a_quote_open_at_the_end_goes_to_pandas():
    # the quote inside the first field is a character to both parsers, so the count of
    # quotes is even, yet the second field is opened and never closed
    for text in ('c0,c1\n1","\n', 'c0,c1\n1,"x\n2,3\n', 'c0,c1\na,"'):
        assert pandas_cells(text, ",") is None
        assert arrow(text, ",") is None
    closed = 'c0,c1\n1,"x\n"\n'  # a closed field that ends with a line break is kept
    assert arrow(closed, ",").values.tolist() == [["c0", "c1"], ["1", "x\n"]]


@settings(max_examples=200, deadline=None)
@given(st_.text(st_.sampled_from('ab,"\nåé€\ufeff'), max_size=12),
       st_.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", None]),
       st_.integers(0, 2))
def test_arrow_gets_the_text_as_utf8(text, encoding, marks):
    """What Arrow parses is the decoded text in UTF-8, whatever the file's encoding and
    byte-order marks (a UTF-8 file's own bytes are handed over without re-encoding)."""
    body = "\ufeff" * marks + text
    try:
        raw = body.encode(encoding or "utf-8")
    except UnicodeEncodeError:
        return
    try:
        decoded, used = decode(raw, Path("x.csv"), encoding)
    except InputFileError:
        return
    decoded = decoded.lstrip("\ufeff")  # as sniff_text leaves them out
    assert _utf8(raw, used, decoded) == decoded.encode("utf-8")
