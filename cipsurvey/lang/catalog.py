"""The language catalog: every user-facing text in English and Swedish, in one YAML file.

``catalog.yaml`` (beside this module) holds flat dotted keys grouped by prefix
(``column.*`` table headings, ``report.*``, ``compare.*``, ``figure.*``, ``problem.*``, ...),
each with an ``en`` and an ``sv`` text. Texts are ``str.format`` templates: ``text(key, lang,
**fields)`` fills them in. The file is read once, with libyaml's safe loader where PyYAML
has it. An unknown key is a bug (:class:`UnknownText`); an unknown language is the user's
to fix (:class:`UnknownLanguage`).
"""

from __future__ import annotations

import functools
from pathlib import Path

from ..errors import CipsurveyError

LANGS = ("en", "sv")
CATALOG = Path(__file__).resolve().parent / "catalog.yaml"


class UnknownLanguage(CipsurveyError):
    """A language cipsurvey does not write."""


class UnknownText(LookupError):
    """A key the catalog lacks (a bug in cipsurvey, or in a catalog edited by hand)."""


@functools.cache
def entries() -> dict[str, dict[str, str]]:
    """Every catalog entry by key, each ``{lang: text}``; read and checked once."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(CATALOG.read_text(encoding="utf-8"), Loader=loader)
    if not isinstance(data, dict):
        raise UnknownText(f"{CATALOG}: the catalog is not a mapping of keys to texts")
    for key, entry in data.items():
        if not isinstance(entry, dict) or set(entry) != set(LANGS) or not all(
                isinstance(v, str) and v.strip() for v in entry.values()):
            raise UnknownText(f"{CATALOG}: {key!r} needs a non-empty text for each of "
                              f"{', '.join(LANGS)}")
    return data


def check_lang(lang: str) -> str:
    """``lang`` if cipsurvey writes it, else :class:`UnknownLanguage`."""
    if lang not in LANGS:
        raise UnknownLanguage(f"unknown language {lang!r}",
                              hint=f"use one of: {', '.join(LANGS)}")
    return lang


def text(key: str, lang: str, /, **fields: object) -> str:
    """The text of ``key`` in ``lang``, with ``fields`` filled in (``str.format``)."""
    check_lang(lang)
    try:
        template = entries()[key][lang]
    except KeyError:
        raise UnknownText(f"no text {key!r} in the language catalog ({CATALOG.name})") from None
    return template.format(**fields)


def texts(prefix: str, lang: str) -> dict[str, str]:
    """Every text under ``prefix.`` in ``lang``, by the rest of its key (unformatted)."""
    check_lang(lang)
    start = prefix + "."
    found = {key[len(start):]: entry[lang] for key, entry in entries().items()
             if key.startswith(start)}
    if not found:
        raise UnknownText(f"no texts under {prefix!r} in the language catalog ({CATALOG.name})")
    return found


def translations(key: str, /, **fields: object) -> dict[str, str]:
    """The text of ``key`` in every language, ``{lang: text}`` (a ``Label``'s fields)."""
    return {lang: text(key, lang, **fields) for lang in LANGS}


@functools.cache
def decimal_mark(lang: str) -> str:
    """The language's decimal mark ("." or ",")."""
    return text("number.decimal_mark", lang)


def confidence_level(conf: float, lang: str) -> str:
    """A confidence level as the catalog's ``{level}`` field writes it: 0.95 → "95",
    0.995 → "99.5" ("99,5" in Swedish)."""
    return localise_decimal(f"{100 * conf:.10g}", lang)


def localise_decimal(number: str, lang: str) -> str:
    """A number written with a decimal point, with the language's decimal mark instead."""
    mark = decimal_mark(lang)
    return number if mark == "." else number.replace(".", mark)
