"""Every number a reader sees, formatted by one set of rules (docs/number-format.md).

Results stay at full precision; renderers turn a value into text here and nowhere else. A
value is formatted by the *kind* of statistic it is, which fixes its precision:

=============  =================================================  ==========================
kind           what                                               decimals
=============  =================================================  ==========================
``count``      n, frequencies, events, invited/responded          0 (1 if not whole)
``percent``    %, percentage points                               1
``descriptive`` M, SD, median, quartiles, min, max, expected      2
``statistic``  t, F, χ², z, H, Wald χ², LR χ²                      2
``rank_sum``   Mann–Whitney U and W                               0 (1 for a half)
``df``         degrees of freedom                                 0 (2 for Welch's)
``p``          p values                                           3 ("< .001", "> .999")
``bounded``    r, V, α, R², η², ε², ω²: cannot exceed 1           2
``effect``     d, g, d_z, SMD: can exceed 1                       2
``estimate``   B, mean differences, change, odds ratios           2, more for small values
=============  =================================================  ==========================

A standard error and a confidence interval are shown at the precision of their estimate
(:func:`decimals` of the estimate, passed on as ``decimals=``).

English follows APA 7: a decimal point, thousands with a comma (not in degrees of freedom),
no leading zero for what cannot exceed 1 (p and the ``bounded`` kind). Swedish follows
Swedish typography and Socialstyrelsen's reports: a decimal comma, thousands with a
non-breaking space, and always a leading zero (``p = 0,024``, ``p < 0,001``). In both, a
negative value carries the minus sign U+2212, and a value that rounds to zero has no sign.

Rounding is half away from zero on the shortest decimal form of the value (``2.675`` is
``2.68``, as a reader rounding the printed digits would get), not on its binary value.
The locale's decimal mark and group separator come from Babel (CLDR data). The digits are
laid out by Python's own decimal formatting with those symbols: Babel's ``format_decimal``
costs 45 µs a number (28 µs with its pattern and locale parsed once) against 1.7 µs here,
measured on this machine, and a report formats thousands of cells.
``tests/test_numbers.py`` checks the two agree on every kind of value. What Babel does not
do (rounding half up, negative zero, APA's leading-zero rule, p thresholds, intervals) is
written here.
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Literal

from babel.numbers import get_decimal_symbol, get_group_symbol

Lang = Literal["en", "sv"]
KINDS = ("count", "percent", "descriptive", "statistic", "rank_sum", "df", "p", "bounded",
         "effect", "estimate")
MINUS = "\u2212"
NBSP = "\u00a0"
#: the largest number of decimals any value is given (a regression B of 0.00004 shows as 0.0000)
MAX_DECIMALS = 4
_BASE = {"count": 0, "percent": 1, "descriptive": 2, "statistic": 2, "rank_sum": 0, "df": 0,
         "p": 3, "bounded": 2, "effect": 2, "estimate": 2}
_LOCALE = {"en": "en", "sv": "sv"}


def _check_lang(lang: str) -> None:
    if lang not in _LOCALE:
        raise ValueError(f"no number format for language {lang!r}; use 'en' or 'sv'")


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value)  # type: ignore[arg-type]
    except TypeError:
        return False


def _whole(value: float) -> bool:
    return abs(value - round(value)) < 1e-9


def decimals(kind: str, value: float | None = None) -> int:
    """The number of decimals of a value of this kind.

    Most kinds have a fixed precision. A count, degrees of freedom or a rank sum that is not
    whole gets decimals (a weighted n, Welch's df, a U of 33 468.5). An ``estimate`` keeps at
    least two significant digits below 0.1 (B = −0.0031, not −0.00), up to ``MAX_DECIMALS``.
    """
    if kind not in _BASE:
        raise ValueError(f"unknown kind of number {kind!r}; one of {', '.join(KINDS)}")
    base = _BASE[kind]
    if value is None or _missing(value) or math.isinf(value):
        return base
    if kind == "count" and not _whole(value):
        return 1
    if kind == "rank_sum" and not _whole(value):
        return 1 if _whole(2 * value) else 2
    if kind == "df" and not _whole(value):
        return 2
    if kind == "estimate" and value != 0:
        needed = 1 - math.floor(math.log10(abs(value)))
        return min(MAX_DECIMALS, max(base, needed))
    return base


def rounded(value: float, places: int) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals, on its shortest decimal
    form; a result of zero has no sign."""
    exact = Decimal(repr(float(value)))
    out = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return out.copy_abs() if out.is_zero() else out


@lru_cache(maxsize=4)
def symbols(lang: str) -> tuple[str, str]:
    """The decimal mark and the digit-group separator of a language (from CLDR)."""
    _check_lang(lang)
    return get_decimal_symbol(_LOCALE[lang]), get_group_symbol(_LOCALE[lang])


def number(value: float, places: int, lang: str, *, leading_zero: bool = True,
           grouping: bool = True, signed: bool = False) -> str:
    """One number as text in a language, with exactly ``places`` decimals.

    ``leading_zero=False`` drops the zero before the decimal mark (APA's rule for values that
    cannot exceed 1; callers pass it for English only). ``signed`` writes a plus sign on a
    positive value (a change). Infinite values are "∞" and "−∞"; a missing value is "".
    """
    _check_lang(lang)
    if _missing(value):
        return ""
    if math.isinf(value):
        return ("+" if signed else "") + "∞" if value > 0 else MINUS + "∞"
    dec = rounded(value, places)
    mark, group = symbols(lang)
    text = format(dec.copy_abs(), f"{',' if grouping else ''}.{places}f")
    text = text.replace(",", "\0").replace(".", mark).replace("\0", group)
    if not leading_zero and text.startswith("0") and len(text) > 1 and not text[1].isdigit():
        text = text[1:]
    if dec < 0:
        return MINUS + text
    return ("+" + text) if signed and dec > 0 else text


def fmt(value: float | None, kind: str, lang: str, *, places: int | None = None,
        alpha: float = 0.05, signed: bool = False) -> str:
    """A value of a kind of statistic as the reader sees it in a table cell.

    ``places`` overrides the kind's precision (an SE or CI bound takes its estimate's).
    ``alpha`` is the significance level, so that a p value is never rounded across it.
    """
    _check_lang(lang)
    if _missing(value):
        return ""
    value = float(value)  # type: ignore[arg-type]
    if kind == "p":
        return fmt_p(value, lang, alpha=alpha)
    if places is None:
        places = decimals(kind, value)
    apa_bounded = lang == "en" and kind == "bounded"
    grouping = not (lang == "en" and kind == "df")  # APA: no comma in degrees of freedom
    return number(value, places, lang, leading_zero=not apa_bounded, grouping=grouping,
                  signed=signed)


def p_places(p: float, alpha: float = 0.05) -> int:
    """Decimals for a p value: three, or as many more (up to six) as it takes for a p below
    the significance level not to print as that level (0.04996 is ".04996", not ".050")."""
    places = 3
    while places < 6 and p < alpha <= float(rounded(p, places)):
        places += 1
    return places


def fmt_p(p: float | None, lang: str, *, alpha: float = 0.05) -> str:
    """A p value for a table cell: ".024", "< .001", "> .999" (English, APA) or "0,024",
    "< 0,001", "> 0,999" (Swedish). The space after "<" is non-breaking."""
    _check_lang(lang)
    if _missing(p):
        return ""
    p = float(p)  # type: ignore[arg-type]
    if not 0 <= p <= 1:
        raise ValueError(f"a p value must lie in [0, 1], not {p}")
    lead = lang != "en"
    if p < 0.001:
        return "<" + NBSP + number(0.001, 3, lang, leading_zero=lead)
    places = p_places(p, alpha)
    if float(rounded(p, places)) >= 1:
        return ">" + NBSP + number(0.999, 3, lang, leading_zero=lead)
    if p < alpha <= float(rounded(p, places)):  # within 5e-7 of alpha: cut, not rounded up
        p = float(Decimal(repr(p)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN))
    return number(p, places, lang, leading_zero=lead)


def p_text(p: float | None, lang: str, *, alpha: float = 0.05) -> str:
    """A p value in running text: "p = .024", "p < .001" (the spaces non-breaking)."""
    cell = fmt_p(p, lang, alpha=alpha)
    if not cell:
        return ""
    if cell[0] in "<>":
        return "p" + NBSP + cell
    return "p" + NBSP + "=" + NBSP + cell


def fmt_ci(low: float | None, high: float | None, lang: str, places: int,
           kind: str = "estimate") -> str:
    """A confidence interval at its estimate's precision: "[0.03, 0.40]" in English,
    "[0,03; 0,40]" in Swedish (a comma would be read as a decimal mark). The interval of a
    ``bounded`` statistic drops the leading zero in English, as the statistic does."""
    _check_lang(lang)
    if _missing(low) or _missing(high):
        return ""
    sep = ", " if lang == "en" else "; "
    lo = fmt(low, kind, lang, places=places)
    hi = fmt(high, kind, lang, places=places)
    return f"[{lo}{sep}{hi}]"


def fmt_n_pct(n: float | None, pct: float | None, lang: str) -> str:
    """A count with its percentage, as in a descriptive table: "518 (92.2)"."""
    if _missing(n):
        return ""
    head = fmt(n, "count", lang)
    return head if _missing(pct) else f"{head} ({fmt(pct, 'percent', lang)})"


def fmt_m_sd(mean: float | None, sd: float | None, lang: str, places: int = 2) -> str:
    """A mean with its standard deviation: "44.25 (11.65)"."""
    if _missing(mean):
        return ""
    head = number(mean, places, lang)  # type: ignore[arg-type]
    return head if _missing(sd) else f"{head} ({number(sd, places, lang)})"  # type: ignore[arg-type]


def percent_text(value: float | None, lang: str, places: int = 1) -> str:
    """A percentage in running text: "23.4%" (APA) or "23,4 %" (Swedish, non-breaking space)."""
    if _missing(value):
        return ""
    return number(value, places, lang) + ("%" if lang == "en" else NBSP + "%")  # type: ignore[arg-type]


def excel_format(kind: str, lang: str, places: int | None = None) -> str:
    """The Excel number format of a kind of statistic (the value itself stays numeric).

    Format codes are written with Excel's invariant symbols ("." and ","), which Excel and
    LibreOffice display with the reader's own decimal mark and grouping. p values show
    "< .001" (English) or "< 0,001" (Swedish) as text below 0.001.
    """
    _check_lang(lang)
    if kind == "p":
        body = ".000" if lang == "en" else "0.000"
        low = "< .001" if lang == "en" else "< 0,001"
        return f'[<0.001]"{low}";{body}'
    places = _BASE[kind] if places is None else places
    frac = "." + "0" * places if places else ""
    if kind == "count" or (kind == "df" and lang == "sv"):
        return "#,##0" + frac
    if kind == "bounded" and lang == "en":
        return "#" + frac if places else "0"
    return "0" + frac
