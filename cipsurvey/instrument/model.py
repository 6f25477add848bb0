"""The instrument definition: one description of a questionnaire that drives everything else.

The model is written with pydantic, so that every structural error in a YAML file is caught with
its path, and the JSON Schema in ``docs/instrument.schema.json`` is generated from it. The
semantic checks that pydantic cannot express (unique ids, filters that refer to known items and
answers, no cycles in the filters) run after the model is built and report their YAML lines too.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..errors import InstrumentError
from ..lang import LANGS, translations
from . import expr
from .yamlio import Problem, YamlDocument, load_yaml, path_text

ID_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
NAME_PATTERN = r"^[a-z0-9][a-z0-9_]{0,31}$"
# The wave's administrative columns: the file and the row each answer came from. A dot is
# legal in an SPSS variable name and impossible in an item id (ID_PATTERN), so these names
# can never clash with an item, in the wave or in an exported .sav.
SOURCE_FILE = "source.file"
SOURCE_ROW = "source.row"
ADMIN_COLUMNS = (SOURCE_FILE, SOURCE_ROW)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def label_context(data: Any) -> dict[str, Any]:
    """The validation context of an instrument's labels: the languages it declares at the
    top (``languages: [en]``), or both when it declares none (the original format)."""
    declared = data.get("languages") if isinstance(data, dict) else None
    if isinstance(declared, list) and declared and all(x in LANGS for x in declared):
        return {"languages": tuple(dict.fromkeys(declared))}
    return {"languages": LANGS}


class Label(BaseModel):
    """A text in the instrument's languages: ``{sv: ..., en: ...}``, or a plain string in
    an instrument that declares one language (``languages: [en]``). Other languages may be
    added by their code. Outside an instrument (a plan's titles) a plain string is the text
    in every language."""

    model_config = ConfigDict(extra="allow", frozen=True)
    sv: Annotated[str, Field(min_length=1)] | None = None
    en: Annotated[str, Field(min_length=1)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _languages(cls, data: Any, info: ValidationInfo) -> Any:
        wanted = (info.context or {}).get("languages")
        if isinstance(data, str):
            if not data.strip():
                raise ValueError("an empty text")
            if wanted is None:
                return dict.fromkeys(LANGS, data)
            if len(wanted) == 1:
                return {wanted[0]: data}
            raise ValueError(
                "a text in each of the instrument's languages, written {sv: ..., en: ...}; "
                "a survey in one language says so at the top (languages: [en] or [sv]) and "
                "may then give plain texts")
        if not isinstance(data, dict):
            raise ValueError("a text: a string, or one text per language as {sv: ..., en: ...}")
        missing = [lang for lang in (wanted or ()) if not data.get(lang)]
        if missing:
            raise ValueError(f"no text in {', '.join(missing)} (the instrument's languages: "
                             f"{', '.join(wanted)}; give {{{': ..., '.join(wanted)}: ...}})")
        if not any(isinstance(v, str) and v.strip() for v in data.values()):
            raise ValueError("a text in at least one language")
        return data

    def get(self, lang: str) -> str:
        """The text in ``lang``; in another language when it has none in ``lang`` (a survey
        written in one language reported in another)."""
        own = getattr(self, lang, None) if lang in LANGS else (self.model_extra or {}).get(lang)
        if own:
            return str(own)
        return self.all()[0]

    def all(self) -> list[str]:
        """Every language's text (the spellings a column header or an answer may use)."""
        texts = [self.sv, self.en, *[str(v) for v in (self.model_extra or {}).values()]]
        return [t for t in texts if t]


class ItemType(StrEnum):
    """What kind of answer an item takes; decides its codes, checks and statistics."""

    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    yes_no = "yes_no"
    yes_no_dont_know = "yes_no_dont_know"
    count = "count"
    number = "number"
    likert = "likert"
    text = "text"
    date = "date"
    identifier = "identifier"


CHOICE_TYPES = {ItemType.single_choice, ItemType.yes_no, ItemType.yes_no_dont_know, ItemType.likert}
NUMERIC_TYPES = {ItemType.count, ItemType.number}


class Choice(_Model):
    """One answer of a choice item: the stored code, a stable name and its labels."""

    code: int
    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    label: Label
    # the file's column that holds this option of a multiple choice, where its name is not
    # <item id>_<code or name> (an SPSS multiple-response set's variables, for one)
    aliases: list[str] = Field(default_factory=list)


class MissingCode(_Model):
    """A code that means 'no valid answer' (SPSS user-missing), e.g. -9 = not answered."""

    code: int | str
    label: Label


class Range(_Model):
    """The valid range of a number: a minimum, a maximum or both."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


class Provenance(_Model):
    """Where an item comes from: printed in the paper, or reconstructed (and why)."""

    status: Literal["published", "reconstructed"]
    where: str | None = None
    why: str | None = None

    @model_validator(mode="after")
    def _explained(self) -> Provenance:
        if self.status == "published" and not self.where:
            raise ValueError("a published item needs 'where' (the table or page that prints it)")
        if self.status == "reconstructed" and not self.why:
            raise ValueError("a reconstructed item needs 'why' (the reason it was added)")
        return self


DEFAULT_CHOICES: dict[ItemType, list[dict[str, Any]]] = {
    ItemType.yes_no: [
        {"code": 1, "name": "yes", "label": translations("choice.yes")},
        {"code": 2, "name": "no", "label": translations("choice.no")},
    ],
    ItemType.yes_no_dont_know: [
        {"code": 1, "name": "yes", "label": translations("choice.yes")},
        {"code": 2, "name": "no", "label": translations("choice.no")},
        {"code": 3, "name": "dont_know", "label": translations("choice.dont_know")},
    ],
}


class Item(_Model):
    """One question (or one row of a grid) and the column(s) it becomes in the data."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    number: str | None = None
    role: Literal["question", "admin"] = "question"
    type: ItemType
    text: Label
    choices: list[Choice] = Field(default_factory=list)
    missing: list[MissingCode] = Field(default_factory=list)
    range: Range | None = None
    relevant: str | None = None
    required: bool = False
    aliases: dict[str, list[str]] = Field(default_factory=dict)
    provenance: Provenance | None = None
    note: Label | None = None

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            kind = data.get("type")
            if kind in DEFAULT_CHOICES and not data.get("choices"):
                data["choices"] = DEFAULT_CHOICES[ItemType(kind)]
            if kind == ItemType.likert and not data.get("choices"):
                data["choices"] = _points(data.get("range"))
            aliases = data.get("aliases")
            if isinstance(aliases, dict):
                data["aliases"] = {
                    k: [v] if isinstance(v, str) else v for k, v in aliases.items()
                }
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Item:
        has_choices = self.type in CHOICE_TYPES or self.type == ItemType.multiple_choice
        if has_choices and not self.choices:
            hint = (" (or a 'range' of whole numbers, e.g. range: {min: 1, max: 5})"
                    if self.type == ItemType.likert else "")
            raise ValueError(f"a {self.type.value} item needs 'choices'{hint}")
        if not has_choices and self.choices:
            raise ValueError(f"a {self.type.value} item cannot have 'choices'")
        if self.range is not None and self.type not in {*NUMERIC_TYPES, ItemType.likert}:
            raise ValueError("'range' applies only to count, number and likert items")
        if self.type == ItemType.likert and self.range is not None and (
                [c.code for c in self.choices] != _points_of(self.range)):
            raise ValueError("a likert item gives its answers as 'choices' or as a 'range' "
                             "of whole numbers, not both")
        if any(c.aliases for c in self.choices) and self.type != ItemType.multiple_choice:
            raise ValueError("only the options of a multiple choice have column 'aliases'")
        codes = [c.code for c in self.choices]
        if len(set(codes)) != len(codes):
            twice = sorted({c for c in codes if codes.count(c) > 1})
            raise ValueError(f"duplicate answer codes {twice}")
        names = [c.name for c in self.choices]
        if len(set(names)) != len(names):
            raise ValueError("duplicate answer names")
        overlap = set(codes) & {m.code for m in self.missing}
        if overlap:
            raise ValueError(f"codes {sorted(overlap)} are both answers and missing codes")
        if self.type == ItemType.multiple_choice and len(self.id) + 33 > 64:
            raise ValueError("multiple-choice id too long for SPSS column names")
        return self

    @property
    def columns(self) -> list[str]:
        """Column names in the wave: one, or one per option for multiple choice."""
        if self.type == ItemType.multiple_choice:
            return [f"{self.id}_{c.name}" for c in self.choices]
        return [self.id]

    @property
    def measure(self) -> str:
        """SPSS measurement level."""
        if self.type in NUMERIC_TYPES:
            return "scale"
        if self.type == ItemType.likert:
            return "ordinal"
        return "nominal"

    def label(self, code: float | int, lang: str = "en") -> str | None:
        """The label of a code (an answer or a missing code) in ``lang``, or None."""
        for c in self.choices:
            if c.code == code:
                return c.label.get(lang)
        for m in self.missing:
            if m.code == code:
                return m.label.get(lang)
        return None

    @property
    def answer_range(self) -> tuple[float, float] | None:
        """The lowest and highest valid answer: the choices' codes, or the item's range;
        None when the item has neither (what a reversed scale item is flipped within)."""
        if self.choices and self.type != ItemType.multiple_choice:
            codes = [c.code for c in self.choices]
            return float(min(codes)), float(max(codes))
        if self.range is not None and self.range.min is not None and self.range.max is not None:
            return float(self.range.min), float(self.range.max)
        return None


MAX_POINTS = 101  # a likert 'range' gives at most 0-100


def _points_of(rng: Range) -> list[int]:
    return list(range(int(rng.min or 0), int(rng.max or 0) + 1))


def _points(rng: Any) -> Any:
    """A likert item's answers from its ``range`` of whole numbers, each labelled with its
    number in every language (no choices when there is no usable range: the item's own
    check then says that it needs them)."""
    if not isinstance(rng, dict):
        return []
    lo, hi = rng.get("min"), rng.get("max")
    if not all(isinstance(v, int | float) and float(v).is_integer() for v in (lo, hi)):
        return []
    if not 2 <= hi - lo + 1 <= MAX_POINTS:
        return []
    return [{"code": int(k), "name": str(k) if k >= 0 else f"m{-int(k)}",
             "label": dict.fromkeys(LANGS, str(int(k)))} for k in range(int(lo), int(hi) + 1)]


class Group(_Model):
    """Items shown together: a grid of same-scale rows, a multiple-response set, or a scale."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    type: Literal["grid", "multiple_response", "scale"]
    text: Label
    items: Annotated[list[str], Field(min_length=1)]
    reverse: list[str] = Field(default_factory=list)
    min_items: int | None = None
    provenance: Provenance | None = None


class Derived(_Model):
    """A variable computed from answers, never asked: an age group, 'abstained for any reason'.

    kind ``bins`` cuts ``source`` at ``breaks`` (each bin includes its lower edge); ``any`` is
    yes when any of ``sources`` equals ``value``; ``count`` counts the ``sources`` equal to
    ``value``; ``condition`` is yes where the filter expression ``when`` holds.
    """

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    kind: Literal["bins", "any", "count", "condition"]
    text: Label
    source: str | None = None
    sources: list[str] = Field(default_factory=list)
    breaks: list[float] = Field(default_factory=list)
    value: int | None = None
    when: str | None = None
    choices: list[Choice] = Field(default_factory=list)
    provenance: Provenance | None = None

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") in {"any", "condition"}:
            data = dict(data)
            data.setdefault("choices", DEFAULT_CHOICES[ItemType.yes_no])
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Derived:
        if self.kind == "bins":
            if not self.source or len(self.breaks) < 2:
                raise ValueError("kind 'bins' needs 'source' and at least two 'breaks'")
            if sorted(self.breaks) != self.breaks:
                raise ValueError("'breaks' must increase")
            if len(self.choices) != len(self.breaks) - 1:
                raise ValueError(
                    f"{len(self.breaks) - 1} bins need {len(self.breaks) - 1} choices, "
                    f"found {len(self.choices)}"
                )
        if self.kind in {"any", "count"} and (not self.sources or self.value is None):
            raise ValueError(f"kind {self.kind!r} needs 'sources' and 'value'")
        if self.kind == "condition" and not self.when:
            raise ValueError("kind 'condition' needs 'when'")
        return self

    @property
    def type(self) -> ItemType:
        """The item type its values behave as: a count, or a single choice."""
        return ItemType.count if self.kind == "count" else ItemType.single_choice

    @property
    def columns(self) -> list[str]:
        """Its one wave column."""
        return [self.id]


class Instrument(_Model):
    """A complete questionnaire: items in order, groups, derived variables, missing codes."""

    schema_version: Literal[1] = 1
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    # the languages its texts are written in; a survey in one language may write them as
    # plain strings (the default, both, is the format of the 2017 reproduction)
    languages: Annotated[list[Literal["sv", "en"]], Field(min_length=1)] = Field(
        default_factory=lambda: list(LANGS))
    title: Label
    version: str = "1"
    description: Label | None = None
    citation: str | None = None
    respondent_id: str | None = None
    missing: list[MissingCode] = Field(default_factory=list)
    items: Annotated[list[Item], Field(min_length=1)]
    groups: list[Group] = Field(default_factory=list)
    derived: list[Derived] = Field(default_factory=list)

    @field_validator("languages")
    @classmethod
    def _once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each language once")
        return value

    @cached_property
    def item_map(self) -> dict[str, Item]:
        """Items by id."""
        return {i.id: i for i in self.items}

    @cached_property
    def derived_map(self) -> dict[str, Derived]:
        """Derived variables by id."""
        return {d.id: d for d in self.derived}

    @cached_property
    def group_map(self) -> dict[str, Group]:
        """Groups by id."""
        return {g.id: g for g in self.groups}

    def item(self, item_id: str) -> Item:
        """The item with id ``item_id`` (KeyError if none)."""
        try:
            return self.item_map[item_id]
        except KeyError:
            raise KeyError(f"instrument {self.id!r} has no item {item_id!r}") from None

    def questions(self) -> list[Item]:
        """The items that are questions (not administrative columns)."""
        return [i for i in self.items if i.role == "question"]

    def missing_codes(self, item: Item) -> list[MissingCode]:
        """The item's own missing codes, then the instrument-wide ones."""
        own = {m.code for m in item.missing}
        return [*item.missing, *[m for m in self.missing if m.code not in own]]

    def variables(self) -> dict[str, expr.Variable]:
        """What the filter language may refer to: every item and derived variable."""
        out: dict[str, expr.Variable] = {}
        for item in self.items:
            out[item.id] = _variable(item.id, item.type, item.choices, item.columns)
        for d in self.derived:
            out[d.id] = _variable(d.id, d.type, d.choices, d.columns)
        return out

    @cached_property
    def filters(self) -> dict[str, expr.Bound]:
        """The bound filter of every item that has one."""
        variables = self.variables()
        return {i.id: expr.bind(i.relevant, variables) for i in self.items if i.relevant}


def _variable(name: str, kind: ItemType, choices: list[Choice],
              columns: list[str]) -> expr.Variable:
    if kind == ItemType.multiple_choice:
        options: dict[str, str] = {}
        for c, col in zip(choices, columns, strict=True):
            for key in (c.name, str(c.code), *c.label.all()):
                options[expr.normalise(key)] = col
        return expr.Variable(name, "multiple", options=options, columns=tuple(columns))
    if choices:
        answers: dict[str, float] = {}
        for c in choices:
            for key in (c.name, *c.label.all()):
                answers.setdefault(expr.normalise(key), float(c.code))
            answers[str(c.code)] = float(c.code)
        return expr.Variable(name, "choice", answers=answers, columns=tuple(columns))
    if kind in NUMERIC_TYPES:
        return expr.Variable(name, "numeric", columns=tuple(columns))
    return expr.Variable(name, "text", columns=tuple(columns))


# --------------------------------------------------------------------------- loading

Explain = Callable[[dict[str, Any]], str | None]


def _pydantic_problems(exc: ValidationError, doc: YamlDocument,
                       explain: Explain | None = None) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        # pydantic puts enum/literal branch names in loc; keep the parts that exist in the file
        path: list[Any] = []
        for k, part in enumerate(loc):
            if k + 1 < len(loc) and (*path, loc[k + 1]) in doc.lines:
                continue  # a union's tag ('figure' in loc (..., 'figure', 'answer')): no key
            if (*path, part) in doc.lines or isinstance(part, int):
                path.append(part)
        msg = err["msg"].removeprefix("Value error, ")
        given = err.get("input")
        if isinstance(given, str | int | float) and err["type"] in {"enum", "literal_error",
                                                                     "string_pattern_mismatch"}:
            msg = f"{given!r}: {msg}"
        if err["type"] == "extra_forbidden":
            msg = f"unknown field {loc[-1]!r}"
        elif err["type"] == "missing":
            msg = f"missing field {loc[-1]!r}"
        if explain is not None:
            msg = explain(err) or msg
        problems.append(Problem(path=path_text(tuple(path)), line=doc.line_of(tuple(path)),
                                message=msg))
    return problems


def semantic_problems(inst: Instrument, doc: YamlDocument | None = None,
                      positions: dict[str, list[int]] | None = None) -> list[Problem]:
    """Checks across items: unique ids, known references, parseable filters, no cycles.

    ``positions`` maps each section to the file index of each entry, when ``inst`` was built
    from only the valid entries of a file that also has invalid ones.
    """
    problems: list[Problem] = []

    def add(path: tuple[Any, ...], message: str) -> None:
        if positions and len(path) > 1 and path[0] in positions:
            path = (path[0], positions[path[0]][path[1]], *path[2:])
        line = doc.line_of(path) if doc else None
        problems.append(Problem(path=path_text(path), line=line, message=message))

    seen: dict[str, tuple[Any, ...]] = {}
    columns: dict[str, str] = {}
    for i, item in enumerate(inst.items):
        where = ("items", i, "id")
        if item.id in seen:
            add(where, f"duplicate item id {item.id!r}")
        seen[item.id] = where
        for col in item.columns:
            if col in columns and columns[col] != item.id:
                add(where, f"column {col!r} clashes with item {columns[col]!r}")
            columns[col] = item.id
    for k, d in enumerate(inst.derived):
        if d.id in seen or d.id in columns:
            add(("derived", k, "id"), f"derived id {d.id!r} clashes with an item")
        seen[d.id] = ("derived", k, "id")

    if inst.respondent_id is not None:
        rid = inst.item_map.get(inst.respondent_id)
        if rid is None:
            add(("respondent_id",), f"respondent_id {inst.respondent_id!r} is not an item")
        elif rid.type != ItemType.identifier:
            add(("respondent_id",), "respondent_id must name an item of type identifier")

    variables = inst.variables()
    graph: dict[str, set[str]] = {}
    for i, item in enumerate(inst.items):
        if not item.relevant:
            continue
        try:
            bound = expr.bind(item.relevant, variables)
        except expr.ExpressionError as exc:
            add(("items", i, "relevant"), f"filter: {exc}")
            continue
        graph[item.id] = {n for n in expr.names(bound.tree) if n in inst.item_map}
        if item.id in graph[item.id]:
            add(("items", i, "relevant"), f"the filter of {item.id!r} refers to the item itself")

    for k, d in enumerate(inst.derived):
        refs = ([d.source] if d.source else []) + list(d.sources)
        for ref in refs:
            if ref not in inst.item_map and ref not in inst.derived_map and ref not in columns:
                add(("derived", k), f"unknown source {ref!r}")
        if d.when:
            try:
                expr.bind(d.when, variables)
            except expr.ExpressionError as exc:
                add(("derived", k, "when"), f"condition: {exc}")

    for cycle in _cycles(graph):
        first = cycle[0]
        idx = next(i for i, it in enumerate(inst.items) if it.id == first)
        add(("items", idx, "relevant"), "filters form a cycle: " + " -> ".join([*cycle, first]))

    for g, group in enumerate(inst.groups):
        for ref in group.items:
            if ref not in inst.item_map and ref not in inst.derived_map:
                add(("groups", g, "items"), f"group {group.id!r} lists unknown item {ref!r}")
        for ref in group.reverse:
            if ref not in group.items:
                add(("groups", g, "reverse"), f"reverse item {ref!r} is not in the group")
            elif ref in inst.item_map and inst.item_map[ref].answer_range is None:
                add(("groups", g, "reverse"),
                    f"reverse item {ref!r} needs its answers' range (choices, or a range "
                    "with min and max) to be reversed within")
        if group.type == "grid":
            types = {inst.item_map[r].type for r in group.items if r in inst.item_map}
            if len(types) > 1:
                add(("groups", g, "items"), "a grid's items must share one type")
    return problems


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary cycle found by depth-first search, each reported once."""
    found: list[list[str]] = []
    seen_sets: set[frozenset[str]] = set()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):]
                key = frozenset(cycle)
                if key not in seen_sets:
                    seen_sets.add(key)
                    found.append(list(cycle))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


_SECTIONS = {"items": Item, "groups": Group, "derived": Derived}


def _partial_semantic_problems(doc: YamlDocument) -> list[Problem]:
    """Run the cross-item checks on the entries that are valid on their own, so that one
    structural error does not hide the rest; references to invalid entries are not reported
    (their own error is)."""
    data = dict(doc.data)
    positions: dict[str, list[int]] = {}
    invalid: set[str] = set()
    for section, model in _SECTIONS.items():
        entries = data.get(section)
        if not isinstance(entries, list):
            continue
        kept, index = [], []
        for i, entry in enumerate(entries):
            try:
                model.model_validate(entry, context=label_context(doc.data))
            except ValidationError:
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    invalid.add(entry["id"])
                continue
            kept.append(entry)
            index.append(i)
        data[section] = kept
        positions[section] = index
    try:
        partial = Instrument.model_validate(data, context=label_context(doc.data))
    except ValidationError:
        return []
    return [p for p in semantic_problems(partial, doc, positions)
            if not any(f"'{name}'" in p.message for name in invalid)]


def validate_document(model: type[BaseModel], doc: YamlDocument, what: str,
                      explain: Explain | None = None) -> Any:
    """Build ``model`` from a YAML document; every structural problem with its line.

    ``explain``: given a pydantic error, a better message for it, or None for the default
    (the analysis plan uses it to say which fields an analysis of each kind has).
    """
    if not isinstance(doc.data, dict):
        raise InstrumentError(f"{what} must be a YAML mapping", file=doc.file)
    context = label_context(doc.data) if model is Instrument else None
    try:
        return model.model_validate(doc.data, context=context)
    except ValidationError as exc:
        problems = _pydantic_problems(exc, doc, explain)
        if model is Instrument:
            problems += _partial_semantic_problems(doc)
        raise InstrumentError(f"{len(problems)} problem(s) in the {what.split(' ', 1)[1]}",
                              file=doc.file, problems=problems) from None


def parse_instrument(doc: YamlDocument) -> Instrument:
    """Build and check an instrument from a loaded YAML document; collect every problem."""
    file = doc.file
    inst = validate_document(Instrument, doc, "an instrument")
    problems = semantic_problems(inst, doc)
    if problems:
        raise InstrumentError(f"{len(problems)} problem(s) in the instrument", file=file,
                              problems=problems)
    return inst


_CACHE: dict[tuple[str, float], Instrument] = {}


def load_instrument(name_or_path: str | Path) -> Instrument:
    """Load a bundled instrument by name (``"kallmen2017"``) or any instrument YAML file.

    Raises ``InstrumentError`` listing every problem with its line.
    """
    from .resources import resolve_yaml

    path = resolve_yaml(name_or_path, "instruments")
    key = (str(path.resolve()), path.stat().st_mtime)
    if key not in _CACHE:
        _CACHE[key] = parse_instrument(load_yaml(path))
    return _CACHE[key]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the instrument format, generated from the model.

    A label is written in the schema as it may be written in the file: a plain string (in
    an instrument of one language) or one text per language.
    """
    schema = Instrument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cipsurvey instrument"
    per_language = schema["$defs"]["Label"]
    per_language["properties"] = {k: {"type": "string", "minLength": 1}
                                  for k in per_language.get("properties", {})}
    per_language["minProperties"] = 1
    per_language.pop("description", None)
    schema["$defs"]["Label"] = {
        "description": "A text: a plain string when the instrument declares one language "
                       "(languages: [en] or [sv]), else one text per language, "
                       "{sv: ..., en: ...}.",
        "anyOf": [{"type": "string", "minLength": 1}, per_language]}
    return schema
