"""Analysis plans: which tables, tests and figures a report holds, by instrument item.

A plan is YAML (safe loader only), validated with pydantic like an instrument; every problem
is reported with its YAML line, including references to items the instrument lacks and
subsets written in the filter language (parsed, never evaluated as Python).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import expr
from .compare_section import CompareSection
from .errors import InstrumentError
from .instrument import ID_PATTERN, Instrument, Label, Problem, _path_text, validate_document
from .yamlio import YamlDocument, load_yaml

KINDS = ("describe", "frequencies", "crosstab", "ttest", "anova", "grid", "multiple_response",
         "regression", "scale", "figure")
FIGURES = ("counts_by_group", "stacked_grid", "yes_bars", "mr_heatmap", "mr_bars")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Analysis(_Model):
    """One table, test or figure. Which fields apply depends on ``kind`` (see the docs)."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    kind: Literal[KINDS]  # type: ignore[valid-type]
    title: Label
    addition: bool = False
    source: str | None = None
    subset: str | None = None
    variables: list[str] = Field(default_factory=list)
    by: str | None = None
    levels: list[int] = Field(default_factory=list)
    rows: str | None = None
    columns: str | None = None
    group: str | None = None
    item: str | None = None
    posthoc: list[Literal["scheffe", "tukey", "bonferroni", "games_howell"]] = Field(
        default_factory=list)
    robust: bool = False
    effect_sizes: bool = True
    model: Literal["ols", "poisson", "negative_binomial", "logistic"] | None = None
    outcome: str | None = None
    predictors: list[str] = Field(default_factory=list)
    reference: dict[str, int | None] = Field(default_factory=dict)
    event: int | None = None
    figure: Literal[FIGURES] | None = None  # type: ignore[valid-type]
    answer: int | None = None
    denominator: Literal["answered", "all"] = "answered"
    note: Label | None = None

    @model_validator(mode="after")
    def _fields(self) -> Analysis:
        need = {
            "describe": ["variables"], "frequencies": ["variables"],
            "crosstab": ["rows", "columns"], "ttest": ["variables", "by"],
            "anova": ["variables", "by"], "grid": ["group"],
            "multiple_response": ["item"], "regression": ["model", "outcome", "predictors"],
            "scale": ["group"], "figure": ["figure"],
        }[self.kind]
        for name in need:
            if not getattr(self, name):
                raise ValueError(f"an analysis of kind {self.kind!r} needs {name!r}")
        if self.kind == "ttest" and len(self.levels) not in (0, 2):
            raise ValueError("a t-test compares two levels")
        return self


class Section(_Model):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: Label
    intro: Label | None = None
    analyses: Annotated[list[Analysis], Field(min_length=1)]


class Plan(_Model):
    schema_version: Literal[1] = 1
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    instrument: str
    title: Label
    alpha: float = 0.05
    conf: float = 0.95
    sections: Annotated[list[Section], Field(min_length=1)]
    compare: CompareSection | None = None

    def analyses(self) -> list[tuple[Section, Analysis]]:
        return [(s, a) for s in self.sections for a in s.analyses]


def _references(a: Analysis) -> list[str]:
    names = [*a.variables, *a.predictors]
    for field in ("by", "rows", "columns", "item", "outcome"):
        value = getattr(a, field)
        if value:
            names.append(value)
    return names


def check_plan(plan: Plan, inst: Instrument, doc: YamlDocument | None = None) -> list[Problem]:
    """Cross-checks: unique ids, known items and groups, parseable subsets."""
    problems: list[Problem] = []

    def add(path: tuple[Any, ...], message: str) -> None:
        problems.append(Problem(path=_path_text(path), line=doc.line_of(path) if doc else None,
                                message=message))

    known = set(inst.item_map) | set(inst.derived_map) | {
        c for item in inst.items for c in item.columns}
    seen: set[str] = set()
    variables = inst.variables()
    for s_i, section in enumerate(plan.sections):
        for a_i, a in enumerate(section.analyses):
            path = ("sections", s_i, "analyses", a_i)
            if a.id in seen:
                add((*path, "id"), f"duplicate analysis id {a.id!r}")
            seen.add(a.id)
            for name in _references(a):
                if name not in known:
                    add(path, f"analysis {a.id!r} refers to unknown item {name!r}")
            if a.group and a.group not in inst.group_map:
                add((*path, "group"), f"analysis {a.id!r} refers to unknown group {a.group!r}")
            if a.subset:
                try:
                    expr.bind(a.subset, variables)
                except expr.ExpressionError as exc:
                    add((*path, "subset"), f"subset: {exc}")
            for name in a.reference:
                if name not in a.predictors:
                    add((*path, "reference"), f"reference for {name!r}, not a predictor")
    return problems


def load_plan(name_or_path: str | Path, inst: Instrument | None = None) -> Plan:
    """Load a bundled plan by name or a plan file; check it against its instrument."""
    from .instrument import load_instrument
    from .resources import resolve_yaml

    path = resolve_yaml(name_or_path, "analyses")
    doc = load_yaml(path)
    plan = validate_document(Plan, doc, "an analysis plan")
    inst = inst or load_instrument(plan.instrument)
    problems = check_plan(plan, inst, doc)
    if problems:
        raise InstrumentError(f"{len(problems)} problem(s) in the analysis plan", file=path,
                              problems=problems)
    return plan
