"""The language catalog: one YAML file of texts in English and Swedish (see ``catalog``)."""

from .catalog import (
    LANGS,
    UnknownLanguage,
    UnknownText,
    check_lang,
    confidence_level,
    localise_decimal,
    text,
    texts,
    translations,
)

__all__ = ["LANGS", "UnknownLanguage", "UnknownText", "check_lang", "confidence_level",
           "localise_decimal", "text", "texts", "translations"]
