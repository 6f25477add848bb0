"""Statistical symbols in italics, as APA and Swedish reports set them (*M*, *SD*, *t*, *p*).

The writers ask :func:`segments` which stretches of a heading or note to set in italics. Only
text the report writes itself (headings, notes, footnotes, findings) is read this way, never a
respondent's answer or an instrument label, where a lone "t" or "n" means something else.
Greek letters (χ², η², α) stay upright, as APA sets them.
"""

from __future__ import annotations

import re

#: Latin-letter symbols set in italics; subscripts and superscripts follow the letter
SYMBOLS = ("SD", "SE", "Mdn", "df", "fg", "M", "n", "N", "t", "F", "p", "d", "g", "r", "z",
           "U", "W", "H", "B", "V", "R", "b")
_PATTERN = re.compile(
    r"(?<![\w'’\-.])(" + "|".join(SYMBOLS) + r")(?=[²₁₂]*(?![\w'’]|\.\w))")


def segments(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, italic) pairs; adjacent upright pieces are joined.

    >>> segments("M (SD)")
    [('M', True), (' (', False), ('SD', True), (')', False)]
    >>> segments("Students t-test, p < .001")
    [('Students ', False), ('t', True), ('-test, ', False), ('p', True), (' < .001', False)]
    """
    out: list[tuple[str, bool]] = []
    at = 0
    for found in _PATTERN.finditer(text):
        if found.start() > at:
            out.append((text[at:found.start()], False))
        out.append((found.group(1), True))
        at = found.end()
    if at < len(text):
        out.append((text[at:], False))
    return out
