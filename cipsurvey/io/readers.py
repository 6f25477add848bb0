"""Read a data file into a ``RawTable``: the columns and cells as the file holds them.

Nothing is interpreted here beyond what the format itself declares (SPSS value labels and
user-missing codes); matching columns to items and answers to codes happens in ``coerce``.
Rows are numbered as the user sees them: spreadsheet rows for CSV and Excel (the header is
row 1, so the first answer is row 2), case numbers for SPSS files.
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputFileError
from .raw import RawTable, unique_header
from .sav_data import read_sav_fast
from .sniff import sniff_kind, sniff_text

FORMATS = {".sav": "sav", ".zsav": "sav", ".csv": "csv", ".txt": "csv", ".tsv": "csv",
           ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls"}
# files that are not answers in a table, and what to export instead
NOT_DATA = {
    ".qsf": "this is a Qualtrics survey definition, not its responses: convert it with "
            "`cipsurvey instrument convert`, and export the responses as CSV",
    ".lss": "this is a LimeSurvey survey structure, not its responses: convert it with "
            "`cipsurvey instrument convert`, and export the responses as CSV",
    ".lsa": "this is a LimeSurvey survey archive: export the responses as CSV "
            "(Responses → Export → CSV, question codes as headings)",
    ".lsr": "this is LimeSurvey's own response file: export the responses as CSV "
            "(Responses → Export → CSV, question codes as headings)",
    ".json": "read the export as CSV or .xlsx instead (KoboToolbox, Qualtrics and "
             "SurveyMonkey all offer one)",
    ".xml": "read the export as CSV or .xlsx instead",
    ".zip": "unzip it first (Qualtrics downloads come zipped) and give the CSV inside",
    ".ods": "save the sheet as .xlsx or CSV",
    ".sps": "an SPSS syntax file is not data: give the .sav, or export CSV",
    ".dta": "save the data as .sav or CSV",
    ".rds": "save the data as .sav or CSV (haven::write_sav or write.csv)",
    ".pdf": "a report is not data: export the responses as CSV or .xlsx",
    ".docx": "a document is not data: export the responses as CSV or .xlsx",
}


def detect_format(path: Path, override: str | None = None) -> str:
    """sav, csv or xlsx: as given, or from the file's extension."""
    if override:
        if override not in {"sav", "csv", "xlsx", "xls"}:
            raise InputFileError(f"unknown file format {override!r}; use sav, csv or xlsx",
                                 file=path)
        return override
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        advice = NOT_DATA.get(path.suffix.lower())
        raise InputFileError(
            f"cannot tell the format from the extension {path.suffix!r}"
            + (f": {advice}" if advice else ""), file=path,
            hint="name the file .sav, .csv or .xlsx, or give --format",
        )
    return fmt


def read_raw(path: str | Path, *, format: str | None = None, encoding: str | None = None,
             delimiter: str | None = None, decimal: str | None = None,
             sheet: str | int | None = None, source: str | None = None) -> RawTable:
    """Read one file; raise ``InputFileError`` naming the file if it cannot be read at all.

    The export's tool (LimeSurvey, REDCap, Qualtrics, ...) is detected, or named by
    ``source``, and its layout turned into a plain table (``io.tools``).
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError("file not found", file=path)
    if path.is_dir():
        raise InputFileError("this is a folder, not a data file", file=path)
    fmt = detect_format(path, format)
    if fmt == "sav":
        table = _read_sav(path, encoding)
    elif fmt in ("xlsx", "xls"):
        table = _read_xlsx(path, sheet)
    else:
        table = _read_csv(path, encoding=encoding, delimiter=delimiter, decimal=decimal)
    if len(table.frame) == 0:
        raise InputFileError("the file has a header but no data rows", file=path)
    from .tools import adapt

    table, layout = adapt(table, source)
    table.layout = layout
    return table


# --------------------------------------------------------------------------- SPSS


def _read_sav(path: Path, encoding: str | None) -> RawTable:
    import pyreadstat

    with path.open("rb") as fh:
        raw_head = fh.read(8)
    if not raw_head:
        raise InputFileError("the file is empty", file=path)
    if not raw_head.startswith((b"$FL2", b"$FL3")):
        kind = sniff_kind(raw_head)
        what = f"it looks like {kind}" if kind else "it does not start like an SPSS file"
        raise InputFileError(f"this is not an SPSS .sav file: {what}", file=path)
    attempts = [encoding] if encoding else [None, "WINDOWS-1252", "LATIN1"]
    last: Exception | None = None
    for enc in attempts:
        try:
            kwargs: dict[str, Any] = {"user_missing": True}
            if enc:
                kwargs["encoding"] = enc
            # the dictionary from pyreadstat, the cases from numpy where the layout allows
            _, meta = pyreadstat.read_sav(str(path), row_limit=1, **kwargs)
            scratch: dict[str, np.ndarray] = {}
            frame = read_sav_fast(str(path), meta, enc or meta.file_encoding or "", scratch)
            if frame is None:
                scratch.clear()
                frame, meta = pyreadstat.read_sav(str(path), **kwargs)
            break
        except UnicodeDecodeError as exc:  # pyreadstat issue #296: cp1252 bytes in labels
            last = exc
            continue
        except Exception as exc:  # pyreadstat raises its own ReadstatError types
            message = str(exc)
            if "encoding" in message.lower() or "byte sequence" in message.lower():
                last = exc
                continue
            raise InputFileError(
                f"cannot read the SPSS file ({message.strip() or type(exc).__name__}); "
                "it may be truncated or damaged", file=path,
                hint="export the file again from SPSS or the survey tool",
            ) from None
    else:
        raise InputFileError(
            f"cannot decode the SPSS file's text ({last})", file=path,
            hint="give --encoding, for example WINDOWS-1252",
        )
    user_missing: dict[str, list[tuple[Any, Any]]] = {}
    for col, ranges in (meta.missing_ranges or {}).items():
        user_missing[col] = [(r["lo"], r["hi"]) for r in ranges]
    for col, values in (getattr(meta, "missing_user_values", None) or {}).items():
        user_missing.setdefault(col, []).extend((v, v) for v in values)
    details = {"encoding": str(meta.file_encoding or "unknown")}
    if encoding:
        details["encoding"] = encoding
    return RawTable(
        path=path, format="sav", frame=frame.reset_index(drop=True),
        rows=np.arange(1, len(frame) + 1),
        details=details,
        value_labels=dict(meta.variable_value_labels or {}),
        user_missing=user_missing,
        column_labels={k: v for k, v in (meta.column_names_to_labels or {}).items() if v},
        scratch=scratch,
    )


# --------------------------------------------------------------------------- CSV


def _read_csv(path: Path, *, encoding: str | None, delimiter: str | None,
              decimal: str | None) -> RawTable:
    raw = path.read_bytes()
    fmt = sniff_text(path, raw, encoding=encoding, delimiter=delimiter, decimal=decimal)
    frame = _read_csv_arrow(fmt.text, fmt.delimiter, _utf8(raw, fmt.encoding, fmt.text))
    if frame is not None:  # every row had the header's width: no short rows to find
        return _text_frame(path, frame, fmt, short=[])
    try:
        # header=None: pandas must not guess an index column when a row is longer than the
        # header; a longer row is then a parser error that names its line
        frame = pd.read_csv(
            io.StringIO(fmt.text), sep=fmt.delimiter, dtype=str, keep_default_na=False,
            na_filter=False, header=None, engine="c", skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError:
        raise InputFileError("the file is empty", file=path) from None
    except pd.errors.ParserError as exc:
        raise _parser_error(exc, path) from None
    except (MemoryError, OverflowError) as exc:  # pragma: no cover - absurd inputs
        raise InputFileError(f"file too large to read: {exc}", file=path) from None
    if frame.empty:
        raise InputFileError("the file has no header row", file=path)
    return _text_frame(path, frame, fmt, _short_rows(fmt.text, fmt.delimiter, frame.shape[1]))


def _text_frame(path: Path, frame: pd.DataFrame, fmt: Any, short: list[int]) -> RawTable:
    """The parsed cells (header row first) as a raw table."""
    header = ["" if pd.isna(h) else str(h).strip() for h in frame.iloc[0]]
    header, duplicates = unique_header(header)
    frame = frame.iloc[1:].reset_index(drop=True)
    frame.columns = _safe_names(header)
    frame = frame.fillna("")
    rows = np.arange(2, len(frame) + 2)
    table = _finish_text_table(path, "csv", frame, rows, header, fmt.describe())
    table.short_rows = [int(rows[i]) for i in short if i < len(rows)]
    table.duplicate_headers = duplicates
    return table


def _utf8(raw: bytes, encoding: str, text: str) -> bytes:
    """``text`` as UTF-8: the file's own bytes when it is UTF-8 (its leading byte-order
    marks left out, as the text leaves them out), else ``text`` encoded."""
    if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig"):
        start = 0
        while raw.startswith(b"\xef\xbb\xbf", start):
            start += 3
        return raw[start:] if start else raw
    return text.encode("utf-8")


def _read_csv_arrow(text: str, delimiter: str, data: bytes) -> pd.DataFrame | None:
    """Every cell as text, parsed by Apache Arrow's CSV reader (several times faster than
    pandas' on a large file). Only a file whose every line has the header's number of
    fields is accepted; anything else (blank lines, short or long rows, a quote left open,
    no pyarrow) returns None, and pandas' parser reads it, finding the short rows and
    naming the line of any error. ``data``: ``text`` encoded as UTF-8."""
    try:
        import pyarrow as pa
        from pyarrow import csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow comes with pandas' string dtype
        return None
    import csv

    # a quote left open: Arrow would read on to the end of the file (looked for first: a
    # file without quotes is found at memchr's speed, counting runs at a tenth of it)
    if b'"' in data and data.count(b'"') % 2:
        return None
    try:
        width = len(next(csv.reader(io.StringIO(text[:1_000_000]), delimiter=delimiter)))
    except (StopIteration, csv.Error):
        return None
    if width < 2:  # one column: a blank line would be a row to Arrow, nothing to pandas
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False,
                                             newlines_in_values=True),
            # large strings are what pandas' string dtype holds: handed over without a copy
            # (Arrow's plain strings were copied cell by cell, 1.1 s for a million rows)
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()), null_values=[],
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException, ValueError):
        return None
    if table.num_rows == 0:
        return None
    frame = table.to_pandas()
    # a quoted field still open at the end of the file: Arrow keeps what it read, pandas
    # reports "EOF inside string". The open field is then the last cell, and the text
    # ends with its opening quote and its content (quotes doubled), which no closed field
    # does. (The quote count above misses it when a quote inside an unquoted field, which
    # both parsers keep as a character, makes the count even.)
    last = frame.iat[-1, -1]
    if text.endswith('"' + last.replace('"', '""')):
        return None
    return frame


def _short_rows(text: str, delimiter: str, width: int) -> list[int]:
    """Data rows with fewer fields than the header (pandas pads them silently). Counted on
    the raw lines, so only where no field is quoted: then a line is a row."""
    if '"' in text or "\r" in text.replace("\r\n", "\n"):
        return []  # quoted fields or old Mac line ends: lines and rows may differ
    lines = text.split("\n")  # as the parser splits (not str.splitlines: \v, \x1c ... too)
    return [i - 1 for i, line in enumerate(lines[1:], start=1)
            if line.strip() and line.count(delimiter) + 1 < width]


def _parser_error(exc: Exception, path: Path) -> InputFileError:
    """pandas' tokenizer messages, said in the user's terms with the line they point at."""
    import re

    text = str(exc)
    hint = "check the delimiter (--delimiter) and unbalanced quotes"
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if m:
        want, line, got = m.groups()
        return InputFileError(f"this line has {got} fields where the header has {want}",
                              file=path, line=int(line), hint=hint)
    m = re.search(r"EOF inside string starting at row (\d+)", text)
    if m:
        return InputFileError("a quoted field that starts on this line is never closed",
                              file=path, line=int(m.group(1)) + 1,
                              hint="close the quote, or remove the stray \" character")
    return InputFileError(f"cannot parse the file: {text.strip()}", file=path, hint=hint)


def _safe_names(header: list[str]) -> list[str]:
    return [h if h else f"\x00blank{i}" for i, h in enumerate(header)]


def _finish_text_table(path: Path, fmt: str, frame: pd.DataFrame, rows: np.ndarray,
                       header: list[str], details: dict[str, str]) -> RawTable:
    ignored: list[str] = []
    blank = [c for c in frame.columns if c.startswith("\x00blank")]
    for col in blank:
        values = frame[col].astype(str).str.strip()
        position = int(col.removeprefix("\x00blank")) + 1
        if (values != "").any():
            frame = frame.rename(columns={col: f"(blank header, column {position})"})
        else:
            frame = frame.drop(columns=col)
            ignored.append(f"column {position} (no header, no values)")
    return RawTable(path=path, format=fmt, frame=frame, rows=rows, details=details,
                    ignored_columns=ignored)


# --------------------------------------------------------------------------- Excel


def _read_xlsx(path: Path, sheet: str | int | None) -> RawTable:
    with path.open("rb") as fh:
        raw_head = fh.read(8)
    if not raw_head:
        raise InputFileError("the file is empty", file=path)
    if raw_head.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary .xls
        return _read_xls(path, sheet)
    if not raw_head.startswith(b"PK\x03\x04"):
        kind = sniff_kind(raw_head)
        what = f"it looks like {kind}" if kind else "it is not a zip-based .xlsx workbook"
        raise InputFileError(f"this is not an Excel .xlsx file: {what}", file=path)
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputFileError(f"cannot open the workbook ({type(exc).__name__}: {exc})",
                             file=path, hint="open and re-save it in Excel") from None
    try:
        names = book.sheetnames
        if sheet is None:
            ws = book[names[0]]
            chosen = names[0]
        elif isinstance(sheet, int) or str(sheet).isdigit():
            idx = int(sheet)
            if not 0 <= idx < len(names):
                raise InputFileError(f"there is no sheet number {idx}; sheets: {names}", file=path)
            ws, chosen = book[names[idx]], names[idx]
        else:
            if sheet not in names:
                raise InputFileError(f"there is no sheet {sheet!r}; sheets: {names}", file=path)
            ws, chosen = book[sheet], str(sheet)
        values = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    return _sheet_table(path, values, chosen)


def _read_xls(path: Path, sheet: str | int | None) -> RawTable:
    """The old binary workbook, through xlrd (dates as datetimes, whole numbers as ints)."""
    import datetime as dt

    import xlrd

    try:
        book = xlrd.open_workbook(str(path))
    except xlrd.XLRDError as exc:
        raise InputFileError(f"cannot open the .xls workbook ({exc})", file=path,
                             hint="open and re-save it in Excel as .xlsx") from None
    names = book.sheet_names()
    if sheet is None:
        chosen = names[0]
    elif isinstance(sheet, int) or str(sheet).isdigit():
        if not 0 <= int(sheet) < len(names):
            raise InputFileError(f"there is no sheet number {sheet}; sheets: {names}", file=path)
        chosen = names[int(sheet)]
    elif sheet in names:
        chosen = str(sheet)
    else:
        raise InputFileError(f"there is no sheet {sheet!r}; sheets: {names}", file=path)
    ws = book.sheet_by_name(chosen)

    def cell(c: Any) -> Any:
        if c.ctype == xlrd.XL_CELL_DATE:
            return dt.datetime(*xlrd.xldate_as_tuple(c.value, book.datemode))
        if c.ctype == xlrd.XL_CELL_NUMBER and float(c.value).is_integer():
            return int(c.value)
        if c.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return None
        return c.value

    values = [[cell(c) for c in ws.row(i)] for i in range(ws.nrows)]
    table = _sheet_table(path, values, chosen)
    table.format = "xls"
    return table


def _sheet_table(path: Path, values: list[list[Any]], chosen: str) -> RawTable:
    """A worksheet's cells (header row first) as a raw table."""
    # the header is the first row with any value in it
    start = next((i for i, r in enumerate(values) if any(_filled(v) for v in r)), None)
    if start is None:
        raise InputFileError(f"sheet {chosen!r} is empty", file=path)
    header = ["" if v is None else str(v).strip() for v in values[start]]
    body = values[start + 1:]
    while body and not any(_filled(v) for v in body[-1]):
        body.pop()  # trailing blank rows are formatting, not data
    width = len(header)
    for r in body:
        if len(r) > width and any(_filled(v) for v in r[width:]):
            col = next(i for i in range(width, len(r)) if _filled(r[i])) + 1
            raise InputFileError("a cell holds a value beyond the last header column",
                                 file=path, row=start + 1 + body.index(r) + 1,
                                 column=f"column {col}",
                                 hint="give that column a header or delete the value")
    header, duplicates = unique_header(header)
    data = [[_cell(v) for v in (r + [None] * width)[:width]] for r in body]
    frame = pd.DataFrame(data, columns=_safe_names(header), dtype=object)
    rows = np.arange(start + 2, start + 2 + len(frame))
    table = _finish_text_table(path, "xlsx", frame, rows, header, {"sheet": chosen})
    table.duplicate_headers = duplicates
    return table


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    return value
