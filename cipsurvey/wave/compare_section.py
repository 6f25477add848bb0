"""The ``compare`` section of a plan or a study manifest: which indicators a wave comparison
reports and how, the baseline traits of the attrition analysis, the grouping for change by
group, and the settings of the whole-sample model, the weights and the power calculations.

The format is in docs/study-manifest.md. :func:`resolve` checks a section against the
instrument and expands it into :class:`Indicator` objects (a multiple-choice item becomes one
share per option); :func:`draft_compare_section` writes a starting section from an
instrument, for ``cipsurvey plan draft``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..instrument import CHOICE_TYPES, NUMERIC_TYPES, Instrument, ItemType, Label

KINDS = ("count", "number", "share", "categorical", "scale")


def _answer_names(value: Any) -> Any:
    """YAML 1.1 reads an unquoted yes / no as true / false: take them back as the answer
    names ``yes`` and ``no``."""
    if isinstance(value, list):
        return [{True: "yes", False: "no"}.get(v, v) if isinstance(v, bool) else v
                for v in value]
    return value


Code = int | str
Answers = Annotated[list[Code], BeforeValidator(_answer_names)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndicatorSpec(_Model):
    """One indicator as written in the section."""

    item: str
    kind: Literal[KINDS]  # type: ignore[valid-type]
    answers: Answers = Field(default_factory=list)
    focus: Answers = Field(default_factory=list)
    label: Label | None = None


class GroupingSpec(_Model):
    """Change by group: the grouping item and, optionally, the answers kept as groups."""

    item: str
    levels: Answers = Field(default_factory=list)
    indicators: list[str] = Field(default_factory=list)


class WholeSampleSpec(_Model):
    """The whole-sample model: GEE or a mixed model, and the GEE's working correlation."""

    method: Literal["gee", "mixed"] = "gee"
    correlation: Literal["independence", "exchangeable"] = "independence"


class WeightsSpec(_Model):
    """Attrition weights: the baseline traits of the response model, the trimming bound and
    the ratio to the mean weight above which a weight is called extreme."""

    traits: list[str] = Field(default_factory=list)
    trim: Annotated[float, Field(gt=1)] | None = None
    extreme: Annotated[float, Field(gt=1)] = 5.0


class PlanningSpec(_Model):
    """Planning the next wave: the power wanted, and the effect (d, or percentage points
    for shares) whose needed sample size is shown."""

    power: Annotated[float, Field(gt=0, lt=1)] = 0.8
    d: Annotated[float, Field(gt=0)] = 0.2
    points: Annotated[float, Field(gt=0, lt=100)] = 5.0


class CompareSection(_Model):
    """The ``compare:`` section (in a plan or a study manifest)."""

    indicators: Annotated[list[IndicatorSpec], Field(min_length=1)]
    traits: list[str] = Field(default_factory=list)
    by: GroupingSpec | None = None
    cohort_indicators: list[str] = Field(default_factory=list)
    whole_sample: WholeSampleSpec = WholeSampleSpec()
    weights: WeightsSpec = WeightsSpec()
    planning: PlanningSpec = PlanningSpec()


@dataclass(frozen=True)
class Indicator:
    """A resolved indicator: the column it is computed from and how.

    ``id`` is unique in the comparison (the item id, or ``item_option`` for an option of a
    multiple-choice item). ``kind`` is count, number, share, categorical or scale; ``yes``
    the codes that count as yes (share), ``categories`` the codes and their names
    (categorical), ``focus`` the codes whose share stands for a categorical indicator where
    one number is needed. ``label`` is the indicator's text, ``answer`` the text of what
    counts (for a share: the answer(s); for an option: the option).
    """

    id: str
    column: str
    kind: str
    label: Label
    yes: tuple[float, ...] = ()
    categories: tuple[tuple[float, Label], ...] = ()
    focus: tuple[float, ...] = ()
    answer: Label | None = None
    items: tuple[str, ...] = ()
    reverse: tuple[str, ...] = ()
    min_items: int | None = None

    @property
    def is_mean(self) -> bool:
        """Whether the indicator is summarised by a mean (else by shares)."""
        return self.kind in ("count", "number", "scale")

    @property
    def share_codes(self) -> tuple[float, ...]:
        """The codes that count as yes where the indicator must be one share."""
        return self.yes if self.kind == "share" else self.focus


class CompareSpecError(ValueError):
    """A compare section that does not fit its instrument (each problem on its own line)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _codes(item: Any, wanted: list[Code], where: str, problems: list[str]) -> tuple[float, ...]:
    by_name = {c.name: c.code for c in item.choices}
    codes = {c.code for c in item.choices}
    out = []
    for w in wanted:
        if isinstance(w, str) and w in by_name:
            out.append(float(by_name[w]))
        elif isinstance(w, int) and w in codes:
            out.append(float(w))
        else:
            names = ", ".join(f"{c.name} ({c.code})" for c in item.choices)
            problems.append(f"{where}: {w!r} is not an answer of {item.id!r} (answers: {names})")
    return tuple(out)


def _answer_label(item: Any, codes: tuple[float, ...]) -> Label:
    parts = [c.label for c in item.choices if float(c.code) in codes]
    # (p.get: an instrument in one language has its answers' texts in that language only)
    return Label(sv=" / ".join(p.get("sv") for p in parts),
                 en=" / ".join(p.get("en") for p in parts))


def resolve(section: CompareSection, inst: Instrument) -> list[Indicator]:
    """Check the section against the instrument and expand it into indicators.

    Raises
    ------
    CompareSpecError
        Listing every problem: unknown items, a kind that does not fit the item's type,
        answers the item lacks, a share without ``answers`` where the item has no answer
        named ``yes``, unknown traits or grouping, duplicate indicators.
    """
    problems: list[str] = []
    out: list[Indicator] = []
    for k, spec in enumerate(section.indicators):
        where = f"compare.indicators[{k}] ({spec.item})"
        item = inst.item_map.get(spec.item)
        group = inst.group_map.get(spec.item)
        derived = inst.derived_map.get(spec.item)
        if spec.kind == "scale":
            if group is None or group.type != "scale":
                problems.append(f"{where}: kind 'scale' needs a scale group of the instrument")
                continue
            # the report's default rule: the group's min_items, else half of the items
            need = group.min_items if group.min_items is not None else \
                math.ceil(len(group.items) / 2)
            out.append(Indicator(spec.item, spec.item, "scale", spec.label or group.text,
                                 items=tuple(group.items), reverse=tuple(group.reverse),
                                 min_items=need))
            continue
        if item is None and derived is None:
            problems.append(f"{where}: the instrument has no item {spec.item!r}")
            continue
        source = item if item is not None else derived
        kind_of = item.type if item is not None else None
        label = spec.label or source.text
        if spec.kind in ("count", "number"):
            if item is not None and kind_of not in NUMERIC_TYPES:
                problems.append(f"{where}: kind {spec.kind!r} needs a count or number item, "
                                f"not {kind_of.value}")
                continue
            out.append(Indicator(spec.item, spec.item, spec.kind, label))
            continue
        if item is not None and kind_of == ItemType.multiple_choice:
            if spec.kind != "share":
                problems.append(f"{where}: a multiple-choice item is compared as 'share' "
                                "(one share per option)")
                continue
            options = [c for c in item.choices
                       if not spec.answers or c.name in spec.answers
                       or c.code in spec.answers]
            for choice, column in zip(item.choices, item.columns, strict=True):
                if choice in options:
                    out.append(Indicator(column, column, "share", label, yes=(1.0,),
                                         answer=choice.label))
            continue
        if not source.choices:
            problems.append(f"{where}: kind {spec.kind!r} needs an item with answers")
            continue
        if item is not None and kind_of not in CHOICE_TYPES:
            problems.append(f"{where}: kind {spec.kind!r} does not fit a {kind_of.value} item")
            continue
        if spec.kind == "share":
            wanted = spec.answers or (["yes"] if any(c.name == "yes" for c in source.choices)
                                  else [])
            if not wanted:
                problems.append(f"{where}: say which answers count ('answers: [...]')")
                continue
            yes = _codes(source, wanted, where, problems)
            if not yes:
                continue
            out.append(Indicator(spec.item, spec.item, "share", label, yes=yes,
                                 answer=_answer_label(source, yes)))
            continue
        focus = _codes(source, spec.focus, where, problems)
        out.append(Indicator(spec.item, spec.item, "categorical", label,
                             categories=tuple((float(c.code), c.label) for c in source.choices),
                             focus=focus, answer=_answer_label(source, focus) if focus else None))
    ids = [i.id for i in out]
    for twice in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"compare.indicators: {twice!r} is listed twice")
    known = set(inst.item_map) | set(inst.derived_map)
    for trait in [*section.traits, *section.weights.traits]:
        if trait not in known:
            problems.append(f"compare.traits: the instrument has no item {trait!r}")
    if section.by is not None:
        by = inst.item_map.get(section.by.item)
        if by is None or not by.choices:
            problems.append(f"compare.by: {section.by.item!r} is not an item with answers")
        else:
            _codes(by, section.by.levels, "compare.by.levels", problems)
        for name in section.by.indicators:
            if name not in ids:
                problems.append(f"compare.by.indicators: {name!r} is not an indicator")
    for name in section.cohort_indicators:
        if name not in ids:
            problems.append(f"compare.cohort_indicators: {name!r} is not an indicator")
    if problems:
        raise CompareSpecError(problems)
    return out


def draft_compare_section(instrument: Instrument) -> dict[str, Any]:
    """A starting ``compare`` section for an instrument, as a plain dict to dump as YAML.

    The background block (the run of single-choice and number items asked of everyone at
    the start of the questionnaire, such as gender, age and work area) gives the baseline
    traits for the attrition analysis, and its first single-choice item with three to six
    answers (else two) the grouping for change by group. Every later question is an
    indicator: counts and numbers as means, yes/no items as the share answering yes, other
    single-choice and yes/no/don't-know items as categorical (focus: the first answer),
    multiple-choice items as one share per option, scale groups as scale scores.
    Identifiers, administrative items, text and dates are left out. Meant to be edited.
    """
    in_scale = {i for g in instrument.groups if g.type == "scale" for i in g.items}
    indicators: list[dict[str, Any]] = []
    traits: list[str] = []
    background = True
    for item in instrument.items:
        if item.role != "question" or item.type in (ItemType.identifier, ItemType.text,
                                                     ItemType.date):
            continue
        background = background and item.relevant is None and item.type in (
            ItemType.single_choice, ItemType.number)
        if background:
            traits.append(item.id)
            continue
        if item.id in in_scale:
            continue
        if item.type in NUMERIC_TYPES:
            indicators.append({"item": item.id, "kind": item.type.value})
        elif item.type == ItemType.yes_no:
            yes = next((c.name for c in item.choices if c.name == "yes"), item.choices[0].name)
            indicators.append({"item": item.id, "kind": "share", "answers": [yes]})
        elif item.type == ItemType.multiple_choice:
            indicators.append({"item": item.id, "kind": "share"})
        else:
            indicators.append({"item": item.id, "kind": "categorical",
                               "focus": [item.choices[0].name]})
    for group in instrument.groups:
        if group.type == "scale":
            indicators.append({"item": group.id, "kind": "scale"})
    choices = [instrument.item_map[t] for t in traits
               if instrument.item_map[t].type == ItemType.single_choice]
    grouping = next((i.id for i in choices if 3 <= len(i.choices) <= 6),
                    next((i.id for i in choices if len(i.choices) == 2), None))
    section: dict[str, Any] = {"indicators": indicators, "traits": traits}
    if grouping is not None:
        section["by"] = {"item": grouping}
    section["whole_sample"] = {"method": "gee", "correlation": "independence"}
    section["planning"] = {"power": 0.8, "d": 0.2, "points": 5}
    return section
