"""Instruments: the one description of a questionnaire that drives everything else.

``model`` (the pydantic model and its checks), ``expr`` (the filter language), ``yamlio``
(YAML with line numbers), ``interchange`` (XLSForm, REDCap, LimeSurvey, Qualtrics),
``codebook`` and ``resources`` (the bundled instruments and plans). The model's public
names are importable from here.
"""

from .model import (
    CHOICE_TYPES,
    ID_PATTERN,
    NAME_PATTERN,
    NUMERIC_TYPES,
    RESERVED_COLUMNS,
    Choice,
    Derived,
    Group,
    Instrument,
    Item,
    ItemType,
    Label,
    MissingCode,
    Problem,
    Provenance,
    Range,
    json_schema,
    load_instrument,
    parse_instrument,
    semantic_problems,
    validate_document,
)

__all__ = [
    "CHOICE_TYPES", "ID_PATTERN", "NAME_PATTERN", "NUMERIC_TYPES", "RESERVED_COLUMNS", "Choice",
    "Derived", "Group", "Instrument", "Item", "ItemType", "Label", "MissingCode", "Problem",
    "Provenance", "Range", "json_schema", "load_instrument", "parse_instrument",
    "semantic_problems", "validate_document",
]
