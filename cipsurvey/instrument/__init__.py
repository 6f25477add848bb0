"""Instruments: the one description of a questionnaire that drives everything else.

``model`` (the pydantic model and its checks), ``expr`` (the filter language), ``yamlio``
(YAML with line numbers), ``interchange`` (XLSForm, REDCap, LimeSurvey, Qualtrics),
``codebook`` and ``resources`` (the bundled instruments and plans). The model's public
names are importable from here.
"""

from .model import (
    ADMIN_COLUMNS,
    CHOICE_TYPES,
    ID_PATTERN,
    NAME_PATTERN,
    NUMERIC_TYPES,
    SOURCE_FILE,
    SOURCE_ROW,
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
    label_context,
    load_instrument,
    parse_instrument,
    semantic_problems,
    validate_document,
)

__all__ = [
    "ADMIN_COLUMNS", "CHOICE_TYPES", "ID_PATTERN", "NAME_PATTERN", "NUMERIC_TYPES", "SOURCE_FILE",
    "SOURCE_ROW", "Choice", "Derived", "Group", "Instrument", "Item", "ItemType", "Label",
    "MissingCode", "Problem", "Provenance", "Range", "json_schema", "label_context",
    "load_instrument", "parse_instrument", "semantic_problems", "validate_document",
]
