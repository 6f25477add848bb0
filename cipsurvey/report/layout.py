"""Column widths from content, shared by the Word and Excel writers.

A column is never narrower than its widest word (so that Word never breaks "participated"
inside), and gets more room, up to its longest line, where the page has it. A table whose
words do not fit a portrait page goes on a landscape page; one that does not fit that
either is set in a smaller type.
"""

from __future__ import annotations

from dataclasses import dataclass

from .measure import longest_word, width
from .publication import PubTable, Row

#: left + right cell margin in points (Word's default 0.08 in each side)
PADDING = 11.6
#: the label column never takes more than this share of the page when others need room
LABEL_SHARE = 0.45
#: the indent of a row under a block row (9 pt, as the writers set it)
INDENT = 9.0


@dataclass
class Widths:
    """A Word table's column widths, font size and orientation."""

    columns: list[float]   # points
    size: float            # font size in points
    landscape: bool
    fits: bool = True      # False: even landscape at the smallest size breaks words


def _cell_texts(table: PubTable, k: int) -> list[tuple[str, bool, float]]:
    """The texts shown in column ``k`` (heading bold) with their indent, except labels of
    block rows, which span the empty cells beside them."""
    col = table.columns[k]
    out = [(col.heading, True, 0.0)]
    if col.spanner and sum(c.spanner == col.spanner for c in table.columns) == 1:
        out.append((col.spanner, True, 0.0))
    for row in table.rows:
        cell = row.cells[k]
        if row.block and k == 0 and all(not c.text for c in row.cells[1:2]):
            continue
        indent = INDENT if row.indent and k == 0 else 0.0
        out.append((cell.text, False, indent))
        if cell.paper:
            out.append((cell.paper, False, indent))
    return out


def _spanners(table: PubTable) -> list[tuple[int, int, str]]:
    """Runs of two or more columns under one spanner heading: (first, last, text)."""
    return [(k, j, text) for k, j, text in table.spanner_runs() if text and j > k]


def column_widths(table: PubTable, portrait: float, landscape: float,
                  sizes: tuple[float, ...] = (10.0, 9.0, 8.0)) -> Widths:
    """Widths for ``table`` on a page ``portrait`` points wide (or ``landscape``)."""
    last = None
    for size in sizes:
        for wide, avail in ((False, portrait), (True, landscape)):
            mins, wants = [], []
            for k in range(table.width):
                texts = _cell_texts(table, k)
                mins.append(max(longest_word(t, size, bold=b) + i for t, b, i in texts)
                            + PADDING)
                wants.append(max(width(t, size, bold=b) + i for t, b, i in texts) + PADDING)
            if table.columns and table.columns[0].text:
                wants[0] = max(mins[0], min(wants[0], LABEL_SHARE * avail))
            # a spanner heading gets at most two lines over its columns
            for first, last_col, text in _spanners(table):
                need = width(text, size, bold=True) / 2 + PADDING
                have = sum(wants[first:last_col + 1])
                if have < need:
                    for j in range(first, last_col + 1):
                        wants[j] += (need - have) / (last_col + 1 - first)
            last = (mins, wants, size, wide, avail)
            if sum(mins) <= avail:
                return Widths(_share(mins, wants, avail), size, wide)
    mins, wants, size, wide, avail = last  # type: ignore[misc]
    scale = avail / sum(mins)
    return Widths([m * scale for m in mins], size, wide, fits=False)


def split(table: PubTable, avail: float, size: float = 8.0) -> list[PubTable]:
    """A table too wide for a landscape page, cut into tables of as many columns as fit,
    each repeating the label column; the notes stay under the last."""
    mins = [max(longest_word(t, size, bold=b) + i for t, b, i in _cell_texts(table, k))
            + PADDING for k in range(table.width)]
    chunks: list[list[int]] = []
    current, used = [0], mins[0]
    for k in range(1, table.width):
        if used + mins[k] > avail and len(current) > 1:
            chunks.append(current)
            current, used = [0], mins[0]
        current.append(k)
        used += mins[k]
    chunks.append(current)
    out = []
    for j, keep in enumerate(chunks):
        part = PubTable(table.key, table.title, [table.columns[k] for k in keep],
                        [Row([r.cells[k] for k in keep], r.block, r.indent, r.total)
                         for r in table.rows],
                        table.notes if j == len(chunks) - 1 else [],
                        table.footnotes if j == len(chunks) - 1 else [],
                        table.result, table.number)
        part.part = j
        out.append(part)
    return out


def _share(mins: list[float], wants: list[float], avail: float) -> list[float]:
    if sum(wants) <= avail:
        return wants
    extra = avail - sum(mins)
    room = [w - m for w, m in zip(wants, mins, strict=True)]
    total = sum(room) or 1.0
    return [m + extra * r / total for m, r in zip(mins, room, strict=True)]
