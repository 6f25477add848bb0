"""Detect what a text file is: encoding, delimiter and decimal mark, each overridable.

Swedish Excel saves "CSV" with ``;`` and a decimal comma, in Windows-1252 unless it writes a
BOM; web tools write UTF-8, often with a BOM. The rules: a BOM decides; otherwise strict UTF-8
is tried and Windows-1252 is the fallback. The delimiter is the candidate that splits the first
lines into the same number (more than one) of fields most consistently.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError

csv.field_size_limit(2**31 - 1)  # survey free text can be long; the sniffer must not choke

DELIMITERS = (";", ",", "\t", "|")
DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe"}
_MAGIC = {
    b"$FL2": "an SPSS .sav file",
    b"$FL3": "an SPSS .zsav file",
    b"PK\x03\x04": "a zip archive (an Excel .xlsx file?)",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls or other Office file",
    b"%PDF": "a PDF document",
}
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_DECIMAL_POINT = re.compile(r"^\s*[-+]?\d+\.\d+\s*$")


@dataclass(frozen=True)
class TextFormat:
    """How a text file is written: encoding, delimiter, decimal mark, and its text."""

    encoding: str
    delimiter: str
    decimal: str
    text: str

    def describe(self) -> dict[str, str]:
        """What was detected, in words for the import account."""
        return {
            "encoding": self.encoding,
            "delimiter": DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter)),
            "decimal": "comma" if self.decimal == "," else "point",
        }


def sniff_kind(head: bytes) -> str | None:
    """What a file really is, judged by its first bytes, if it is a known binary format."""
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def decode(raw: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes to text; return (text, encoding used)."""
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputFileError(
                f"cannot decode the file as {encoding}: {exc}", file=path,
                hint="leave out --encoding to detect it, or give the right one",
            ) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InputFileError(
                f"the file starts with a UTF-8 mark but byte {exc.start + 3} is not UTF-8",
                file=path, hint="re-save the file as UTF-8, or give --encoding cp1252",
            ) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputFileError("the file claims UTF-16 but does not decode", file=path) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _field_counts(text: str, delimiter: str, lines: int = 50) -> list[int]:
    sample = io.StringIO(text)
    reader = csv.reader(sample, delimiter=delimiter)
    counts = []
    try:
        for _, row in zip(range(lines), reader, strict=False):
            if row:
                counts.append(len(row))
    except csv.Error:
        return []
    return counts


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the opening lines most consistently."""
    best, best_score = ",", (-1.0, 0)
    for d in DELIMITERS:
        counts = _field_counts(text[:200_000], d)
        if not counts or counts[0] < 2:
            continue
        header = counts[0]
        share = sum(c == header for c in counts) / len(counts)
        score = (share, header)
        if score > best_score:
            best, best_score = d, score
    return best


def sniff_decimal(text: str, delimiter: str) -> str:
    """Decimal comma if numbers such as ``5,5`` appear and ``5.5`` does not."""
    commas = points = 0
    reader = csv.reader(io.StringIO(text[:200_000]), delimiter=delimiter)
    try:
        for _, row in zip(range(200), reader, strict=False):
            for cell in row:
                if _DECIMAL_COMMA.match(cell):
                    commas += 1
                elif _DECIMAL_POINT.match(cell):
                    points += 1
    except csv.Error:
        pass
    return "," if commas > points else "."


_BLANK = re.compile(rb"[ \t\r\n\xef\xbb\xbf]*")


def sniff_text(path: Path, raw: bytes, *, encoding: str | None = None,
               delimiter: str | None = None, decimal: str | None = None) -> TextFormat:
    """Decode and sniff a delimited text file; refuse binary content with a clear message."""
    if _BLANK.fullmatch(raw):  # (a match, not a stripped copy of the whole file)
        raise InputFileError("the file is empty", file=path)
    kind = sniff_kind(raw[:8])
    if kind:
        raise InputFileError(
            f"this is not a text file: it looks like {kind}", file=path,
            hint="give the file its proper extension (.sav, .xlsx) or export it as CSV",
        )
    head = raw[:65536]
    if not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
        if b"\x00" in head or controls > max(8, len(head) // 100):
            raise InputFileError(
                "this is not a text file: it holds binary data", file=path,
                hint="check that the file really is a CSV export",
            )
    text, used = decode(raw, path, encoding)
    text = text.lstrip("\ufeff")
    if delimiter is not None and len(delimiter) != 1:
        named = {"tab": "\t", "semicolon": ";", "comma": ",", "pipe": "|"}
        delimiter = named.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            raise InputFileError(f"delimiter must be one character, got {delimiter!r}", file=path)
    delim = delimiter or sniff_delimiter(text)
    dec = decimal or sniff_decimal(text, delim)
    if dec not in {",", "."}:
        raise InputFileError(f"decimal mark must be ',' or '.', got {dec!r}", file=path)
    return TextFormat(used, delim, dec, text)
