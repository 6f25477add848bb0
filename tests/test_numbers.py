"""Number formatting (docs/number-format.md): one hand-written example per rule, agreement with
Babel's own formatter, and properties over random values."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from cipsurvey.lang.numbers import (
    KINDS,
    MINUS,
    NBSP,
    decimals,
    excel_format,
    fmt,
    fmt_ci,
    fmt_m_sd,
    fmt_n_pct,
    fmt_p,
    number,
    p_text,
    percent_text,
    rounded,
)

M, S = MINUS, NBSP

# (value, kind, English, Swedish): written by hand from the rules, not from the code
CASES = [
    (705, "count", "705", "705"),
    (1217, "count", "1,217", f"1{S}217"),
    (1234567, "count", "1,234,567", f"1{S}234{S}567"),
    (12.5, "count", "12.5", "12,5"),                      # a weighted n keeps its decimal
    (92.1739, "percent", "92.2", "92,2"),
    (100.0, "percent", "100.0", "100,0"),
    (-3.45, "percent", f"{M}3.5", f"{M}3,5"),             # half away from zero
    (44.2482, "descriptive", "44.25", "44,25"),
    (0.2, "descriptive", "0.20", "0,20"),                 # an expected count keeps its zero
    (-0.0004, "descriptive", "0.00", "0,00"),             # no negative zero
    (-0.004, "descriptive", "0.00", "0,00"),
    (2.2749, "statistic", "2.27", "2,27"),
    (2.675, "statistic", "2.68", "2,68"),                 # the printed digits, not binary
    (0.125, "statistic", "0.13", "0,13"),
    (-2.5649, "statistic", f"{M}2.56", f"{M}2,56"),
    (33468.0, "rank_sum", "33,468", f"33{S}468"),
    (33468.5, "rank_sum", "33,468.5", f"33{S}468,5"),
    (697.0, "df", "697", "697"),
    (223.7249, "df", "223.72", "223,72"),
    (1215.0, "df", "1215", f"1{S}215"),                   # APA: no comma in df
    (0.7942, "bounded", ".79", "0,79"),
    (-0.351, "bounded", f"{M}.35", f"{M}0,35"),
    (1.0, "bounded", "1.00", "1,00"),
    (0.0, "bounded", ".00", "0,00"),
    (0.3621, "effect", "0.36", "0,36"),
    (1.2345, "effect", "1.23", "1,23"),
    (-0.0031, "estimate", f"{M}0.0031", f"{M}0,0031"),
    (0.031, "estimate", "0.031", "0,031"),
    (0.31, "estimate", "0.31", "0,31"),
    (2.4731, "estimate", "2.47", "2,47"),
    (-3.0832, "estimate", f"{M}3.08", f"{M}3,08"),
    (0.000004, "estimate", "0.0000", "0,0000"),           # at most four decimals, no sign
    (-0.000004, "estimate", "0.0000", "0,0000"),
    (0.0, "estimate", "0.00", "0,00"),
]


@pytest.mark.parametrize(("value", "kind", "en", "sv"), CASES)
def test_each_kind_in_both_languages(value, kind, en, sv):
    assert fmt(value, kind, "en") == en
    assert fmt(value, kind, "sv") == sv


P_CASES = [
    (0.0241, ".024", "0,024"),
    (0.0004, f"<{S}.001", f"<{S}0,001"),
    (0.001, ".001", "0,001"),
    (0.00099, f"<{S}.001", f"<{S}0,001"),
    (0.154, ".154", "0,154"),
    (0.04996, ".04996", "0,04996"),   # below .05: never printed as .050
    (0.0499, ".0499", "0,0499"),
    (0.05, ".050", "0,050"),
    (0.0504, ".050", "0,050"),        # at or above .05 it may round to it
    (0.9996, f">{S}.999", f">{S}0,999"),
    (1.0, f">{S}.999", f">{S}0,999"),
    (0.9994, ".999", "0,999"),
    (0.0, f"<{S}.001", f"<{S}0,001"),
    (0.0499999999, ".049999", "0,049999"),  # cut rather than rounded up to .05
]


@pytest.mark.parametrize(("p", "en", "sv"), P_CASES)
def test_p_values_apa_in_english_and_with_a_leading_zero_in_swedish(p, en, sv):
    assert fmt_p(p, "en") == en == fmt(p, "p", "en")
    assert fmt_p(p, "sv") == sv == fmt(p, "p", "sv")


def test_p_is_kept_apart_from_another_significance_level():
    assert fmt_p(0.0996, "en", alpha=0.10) == ".0996"
    assert fmt_p(0.0996, "en") == ".100"


def test_p_in_running_text():
    assert p_text(0.0241, "en") == f"p{S}={S}.024"
    assert p_text(0.0004, "sv") == f"p{S}<{S}0,001"
    assert p_text(None, "en") == ""


def test_a_p_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match="p value"):
        fmt_p(1.2, "en")


def test_se_and_ci_at_the_estimates_precision():
    b, se, low, high = -0.003123, 0.001234, -0.005541, -0.000705
    places = decimals("estimate", b)
    assert places == 4
    assert fmt(se, "estimate", "en", places=places) == "0.0012"
    assert fmt_ci(low, high, "en", places) == f"[{M}0.0055, {M}0.0007]"
    assert fmt_ci(low, high, "sv", places) == f"[{M}0,0055; {M}0,0007]"
    assert fmt_ci(0.02911, 0.40125, "en", decimals("effect")) == "[0.03, 0.40]"
    assert fmt_ci(None, 0.4, "en", 2) == ""


def test_combined_cells():
    assert fmt_n_pct(518, 92.1708, "en") == "518 (92.2)"
    assert fmt_n_pct(1217, 51.55, "sv") == f"1{S}217 (51,6)"
    assert fmt_n_pct(5, None, "en") == "5"
    assert fmt_m_sd(44.2482, 11.6541, "sv") == "44,25 (11,65)"
    assert fmt_m_sd(44.2482, None, "en") == "44.25"
    assert percent_text(23.45, "sv") == f"23,5{S}%"
    assert percent_text(23.45, "en") == "23.5%"


def test_missing_and_infinite_values():
    for kind in KINDS:
        assert fmt(None, kind, "en") == "" == fmt(float("nan"), kind, "sv")
    assert fmt(float("inf"), "statistic", "en") == "∞"
    assert fmt(float("-inf"), "statistic", "sv") == f"{M}∞"


def test_a_signed_change():
    assert fmt(3.44, "percent", "en", signed=True) == "+3.4"
    assert fmt(-3.44, "percent", "sv", signed=True) == f"{M}3,4"
    assert fmt(0.04, "percent", "sv", signed=True) == "0,0"


def test_unknown_language_and_kind_are_refused():
    with pytest.raises(ValueError, match="language"):
        fmt(1.0, "statistic", "de")
    with pytest.raises(ValueError, match="kind"):
        fmt(1.0, "mean", "en")


def test_excel_formats():
    assert excel_format("count", "en") == "#,##0"
    assert excel_format("percent", "sv") == "0.0"
    assert excel_format("estimate", "en", 4) == "0.0000"
    assert excel_format("bounded", "en") == "#.00"
    assert excel_format("bounded", "sv") == "0.00"
    assert excel_format("p", "en") == '[<0.001]"< .001";.000'
    assert excel_format("p", "sv") == '[<0.001]"< 0,001";0.000'


# ---------------------------------------------------------------- against Babel, and properties

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@given(finite, st.integers(0, 4), st.sampled_from(["en", "sv"]), st.booleans())
def test_digits_agree_with_babels_formatter(value, places, lang, grouping):
    """The fast layout gives what Babel's CLDR formatter gives for the same rounded value."""
    dec = rounded(value, places)
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * places if places else "")
    babel = format_decimal(dec, format=pattern, locale=lang).replace("-", MINUS)
    assert number(value, places, lang, grouping=grouping) == babel


@given(finite, st.sampled_from(KINDS), st.sampled_from(["en", "sv"]))
def test_properties_of_every_cell(value, kind, lang):
    if kind == "p":
        value = abs(value) % 1
    text = fmt(value, kind, lang)
    if lang == "sv":
        assert "." not in text, text
    elif "." in text:
        assert "," not in text.split(".")[1], text
    # no negative zero, no hyphen-minus
    assert not re.fullmatch(f"{M}[0.,]*", text) and "-" not in text
    if kind != "p":
        plain = text.replace(S, "").replace(M, "-").replace("+", "")
        plain = plain.replace(",", "") if lang == "en" else plain.replace(",", ".")
        shown = float(plain)
        places = len(plain.split(".")[1]) if "." in plain else 0
        assert abs(shown - value) <= 0.5 * 10 ** -places + 1e-9 * max(1, abs(value))


@given(st.floats(min_value=0, max_value=1), st.sampled_from([0.01, 0.05, 0.10]))
def test_a_p_below_alpha_never_shows_as_alpha_or_above(p, alpha):
    text = fmt_p(p, "en", alpha=alpha)
    if text[0] in "<>":
        return
    shown = float(text)
    assert (shown < alpha) == (p < alpha)
    assert Decimal(text).as_tuple().exponent <= -3
