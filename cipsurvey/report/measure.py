"""How wide a text prints, to give each Word and Excel column the width its words need.

Widths are Times Roman's (the Word report's font; LibreOffice prints it with Liberation
Serif, whose widths are the same by design), from the font's published metrics in
thousandths of an em. A character not listed counts as wide as an "n" or, for a capital or
a symbol, as an "M", so that an estimate errs on the wide side.
"""

from __future__ import annotations

import re

_WIDTHS: dict[str, int] = {
    " ": 250, "\u00a0": 250, "!": 333, '"': 408, "#": 500, "$": 500, "%": 833, "&": 778,
    "'": 180, "’": 333, "(": 333, ")": 333, "*": 500, "+": 564, ",": 250, "-": 333, ".": 250,
    "/": 278, ":": 278, ";": 278, "<": 564, "=": 564, ">": 564, "?": 444, "[": 333,
    "]": 333, "–": 500, "—": 1000, "−": 564, "×": 564, "“": 444, "”": 444, "…": 1000,
    "²": 300, "₁": 300, "₂": 300, "α": 500, "β": 500, "χ": 500, "η": 500, "ε": 444,
    "ω": 667, "φ": 500, "σ": 500, "ᵃ": 300, "ᵇ": 300, "ᶜ": 300, "ᵈ": 300, "ᵉ": 300,
    "ᶠ": 300, "ᵍ": 300, "ʰ": 300,
    "0": 500, "1": 500, "2": 500, "3": 500, "4": 500, "5": 500, "6": 500, "7": 500, "8": 500,
    "9": 500,
    "a": 444, "b": 500, "c": 444, "d": 500, "e": 444, "f": 333, "g": 500, "h": 500, "i": 278,
    "j": 278, "k": 500, "l": 278, "m": 778, "n": 500, "o": 500, "p": 500, "q": 500, "r": 333,
    "s": 389, "t": 278, "u": 500, "v": 500, "w": 722, "x": 500, "y": 500, "z": 444,
    "å": 444, "ä": 444, "ö": 500, "é": 444, "ü": 500,
    "A": 722, "B": 667, "C": 667, "D": 722, "E": 611, "F": 556, "G": 722, "H": 722, "I": 333,
    "J": 389, "K": 722, "L": 611, "M": 889, "N": 722, "O": 722, "P": 556, "Q": 722, "R": 667,
    "S": 556, "T": 611, "U": 722, "V": 722, "W": 944, "X": 722, "Y": 722, "Z": 611,
    "Å": 722, "Ä": 722, "Ö": 722,
}
_BREAK = re.compile(r"(?<=[-–/])|[ \t\n]+")


def width(text: str, points: float, *, bold: bool = False) -> float:
    """The printed width of ``text`` in points at a font size of ``points``."""
    total = 0
    for ch in text:
        w = _WIDTHS.get(ch)
        if w is None:
            w = 889 if (ch.isupper() or not ch.isalnum()) else 556
        total += w
    return total * points / 1000 * (1.06 if bold else 1.0)


def words(text: str) -> list[str]:
    """The pieces of ``text`` a line may not break inside (it breaks at spaces and after
    hyphens, dashes and slashes; a non-breaking space holds two words together)."""
    return [w for w in _BREAK.split(text) if w]


def longest_word(text: str, points: float, *, bold: bool = False) -> float:
    """The width of the widest unbreakable piece of ``text``: a column narrower than this
    breaks a word inside."""
    return max((width(w, points, bold=bold) for w in words(text)), default=0.0)
