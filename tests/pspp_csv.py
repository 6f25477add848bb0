"""Read the CSV that ``pspp -O format=csv`` writes: tables separated by ``Table:`` lines.

Written for the tests only; it shares no code with cipsurvey.
"""

from __future__ import annotations

import csv
import io


def tables(text: str) -> dict[str, list[list[str]]]:
    """Every table by title; a repeated title gets ' #2', ' #3' appended."""
    out: dict[str, list[list[str]]] = {}
    title: str | None = None
    rows: list[list[str]] = []

    def close() -> None:
        if title is not None:
            name, k = title, 2
            while name in out:
                name, k = f"{title} #{k}", k + 1
            out[name] = rows

    for row in csv.reader(io.StringIO(text)):
        if row and row[0].startswith("Table: "):
            close()
            title, rows = row[0].removeprefix("Table: "), []
            continue
        if not row:
            close()
            title, rows = None, []
            continue
        if title is not None:
            rows.append(row)
    close()
    return out


def number(cell: str) -> float:
    """PSPP prints '.50' and '-9.00'; footnote markers like '[a]' are dropped."""
    cell = cell.split("[")[0].strip()
    return float(cell) if cell not in {"", "."} else float("nan")
