"""Analysis plans: which tables, tests and figures a report holds, by instrument item.

A plan is YAML (safe loader only), validated with pydantic like an instrument. Each analysis
is one of a union of models discriminated by ``kind`` (``Describe``, ``Crosstab``, ...), each
with only the fields its kind uses, so that a misspelt key or a field of another kind is an
error with its YAML line. References to items the instrument lacks and subsets written in
the filter language (parsed, never evaluated as Python) are checked after the model is built.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import InstrumentError
from ..instrument import ID_PATTERN, Instrument, Label, Problem, expr, validate_document
from ..instrument.yamlio import YamlDocument, load_yaml, path_text
from ..wave.compare_section import CompareSection

FIGURES = ("counts_by_group", "stacked_grid", "yes_bars", "mr_heatmap", "mr_bars", "likert")
Variables = Annotated[list[str], Field(min_length=1)]
# a cell empty by design: (row code, column code); for a multiple-response item by a group,
# (group code, option code)
Cell = tuple[int, int]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AnalysisBase(_Model):
    """The fields of every analysis; each kind adds its own (see docs/analysis-plan-format.md)."""

    # the fields that name items or derived variables, in the order their columns are read
    ITEM_FIELDS: ClassVar[tuple[str, ...]] = ("variables", "by", "rows", "columns", "outcome",
                                              "predictors", "item")

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    kind: str
    title: Label
    addition: bool = False
    source: Label | str | None = None
    subset: str | None = None
    note: Label | None = None

    def named_items(self) -> list[str]:
        """The items and derived variables this analysis names, field by field."""
        names: list[str] = []
        for field in self.ITEM_FIELDS:
            value = getattr(self, field, None)
            if isinstance(value, list):
                names += value
            elif value:
                names.append(value)
        return names

    def named_group(self) -> str | None:
        """The instrument group this analysis names, if any."""
        return getattr(self, "group", None)


class Tested(_Model):
    """The fields of an analysis whose tests count toward multiplicity: the family its
    headline p values are adjusted in, and whether it answers a primary question."""

    family: Annotated[str, Field(pattern=ID_PATTERN)] | None = None
    primary: bool = False


class Describe(AnalysisBase):
    """n, M, SD, CI, median and quartiles of each variable, per group of ``by``."""

    kind: Literal["describe"]
    variables: Variables
    by: str | None = None


class Frequencies(AnalysisBase):
    """Counts and percents with Wilson CIs; ``all`` divides by everyone in the subset."""

    kind: Literal["frequencies"]
    variables: Variables
    by: str | None = None
    denominator: Literal["answered", "all"] = "answered"


class Crosstab(Tested, AnalysisBase):
    """Cells, the tests that fit the table, and association measures of ``rows`` by
    ``columns``: quasi-independence where ``structural_zeros`` are declared, the
    linear-by-linear test only when both are ordered (Likert items, or ``ordered: true``),
    Fisher's exact test where the table is sparse (``exact: auto``); with ``layer``, all of
    it within each answer of ``layer`` (A by B within C); ``percent`` is the percentage the
    report shows beside each count (of its row, its column, or the total)."""

    ITEM_FIELDS: ClassVar[tuple[str, ...]] = (*AnalysisBase.ITEM_FIELDS, "layer")

    kind: Literal["crosstab"]
    rows: str
    columns: str
    percent: Literal["row", "column", "total"] = "row"
    layer: str | None = None
    ordered: bool = False
    structural_zeros: list[Cell] = Field(default_factory=list)
    exact: Literal["auto", "always", "never"] = "auto"


class TTest(Tested, AnalysisBase):
    """Student and Welch t, Levene, Cohen's d and Mann-Whitney between two levels of ``by``,
    for each of ``variables``."""

    kind: Literal["ttest"]
    variables: Variables
    by: str
    levels: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _two_levels(self) -> TTest:
        if len(self.levels) not in (0, 2):
            raise ValueError("a t-test compares two levels")
        return self


class Anova(Tested, AnalysisBase):
    """One-way ANOVA of each of ``variables`` with its effect sizes and post-hoc tests;
    ``levene`` adds Levene's test of equal variances, ``robust`` the Welch and
    Brown-Forsythe tests and Kruskal-Wallis (with mean ranks) beside the ANOVA;
    ``classical: false`` leaves the ANOVA and its effect sizes out (the robust tests
    alone, as an addition beside an analysis that holds the classical ones)."""

    kind: Literal["anova"]
    variables: Variables
    by: str
    posthoc: list[Literal["scheffe", "tukey", "bonferroni", "games_howell"]] = Field(
        default_factory=list)
    levene: bool = False
    robust: bool = False
    classical: bool = True
    effect_sizes: bool = True

    @model_validator(mode="after")
    def _some_test(self) -> Anova:
        if not (self.classical or self.robust):
            raise ValueError("classical: false needs robust: true (no test would be left)")
        return self


class Grid(AnalysisBase):
    """Each item of a grid group: its answers with Wilson CIs."""

    kind: Literal["grid"]
    group: str


class MultipleResponse(Tested, AnalysisBase):
    """Percent of respondents and of responses per option, with tests by ``by``; an option
    a group cannot choose by design (``structural_zeros``: (group code, option code)) is
    tested without that group."""

    kind: Literal["multiple_response"]
    item: str
    by: str | None = None
    structural_zeros: list[Cell] = Field(default_factory=list)


class Regression(AnalysisBase):
    """An OLS, Poisson, negative binomial or logistic model of ``outcome``; ``count``
    chooses the count model by dispersion (binomial for a count with a maximum, ``trials``,
    which a derived count of items has by itself)."""

    kind: Literal["regression"]
    model: Literal["ols", "poisson", "negative_binomial", "logistic", "count"]
    outcome: str
    predictors: Variables
    reference: dict[str, int | None] = Field(default_factory=dict)
    event: int | None = None
    trials: Annotated[int, Field(ge=1)] | None = None


class Scale(AnalysisBase):
    """Cronbach's α, item-rest correlations and the scale score of a scale group.

    A respondent's score is the mean of the items they answered (reversed items reversed),
    given when at least ``min_share`` of the items are answered; without it, the group's
    ``min_items`` in the instrument, else half of the items.
    """

    kind: Literal["scale"]
    group: str
    min_share: Annotated[float, Field(gt=0, le=1)] | None = None


class Figure(AnalysisBase):
    """A figure; which of ``variables``/``by``, ``group`` or ``item`` it needs depends on it."""

    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "counts_by_group": ("variables", "by"), "stacked_grid": ("group",),
        "yes_bars": ("group",), "mr_heatmap": ("item",), "mr_bars": ("item",),
        "likert": ("group",)}

    kind: Literal["figure"]
    figure: Literal[FIGURES]  # type: ignore[valid-type]
    variables: list[str] = Field(default_factory=list)
    by: str | None = None
    group: str | None = None
    item: str | None = None

    @model_validator(mode="after")
    def _data(self) -> Figure:
        for name in self.NEEDS[self.figure]:
            if not getattr(self, name):
                raise ValueError(f"a {self.figure} figure needs {name!r}")
        return self


KINDS: dict[str, type[AnalysisBase]] = {
    "describe": Describe, "frequencies": Frequencies, "crosstab": Crosstab, "ttest": TTest,
    "anova": Anova, "grid": Grid, "multiple_response": MultipleResponse,
    "regression": Regression, "scale": Scale, "figure": Figure}
Analysis = Annotated[Describe | Frequencies | Crosstab | TTest | Anova | Grid | MultipleResponse
                     | Regression | Scale | Figure, Field(discriminator="kind")]


class Section(_Model):
    """A titled part of the report and the analyses in it."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: Label
    intro: Label | None = None
    analyses: Annotated[list[Analysis], Field(min_length=1)]


class Plan(_Model):
    """An analysis plan: its instrument, the levels of α and the CIs, and its sections."""

    schema_version: Literal[1] = 1
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    instrument: str
    title: Label
    alpha: float = 0.05
    conf: float = 0.95
    # how the headline p values of each family are adjusted (Holm; Benjamini-Hochberg
    # controls the false discovery rate instead)
    adjustment: Literal["holm", "fdr_bh", "none"] = "holm"
    # the title of each family, as the report names it (without one: the family's id)
    families: dict[Annotated[str, Field(pattern=ID_PATTERN)], Label] = Field(
        default_factory=dict)
    sections: Annotated[list[Section], Field(min_length=1)]
    compare: CompareSection | None = None

    @model_validator(mode="after")
    def _titled_families(self) -> Plan:
        used = {getattr(a, "family", None) for _, a in self.analyses()}
        unused = sorted(set(self.families) - used)
        if unused:
            raise ValueError(f"families has a title for {', '.join(map(repr, unused))}, "
                             "which no analysis names as its family")
        return self

    def analyses(self) -> list[tuple[Section, Analysis]]:
        """Every analysis with its section, in plan order."""
        return [(s, a) for s in self.sections for a in s.analyses]

    def family_title(self, family: str, lang: str) -> str:
        """How the report names a family: its title in ``lang``, else its id."""
        title = self.families.get(family)
        return title.get(lang) if title is not None else family


def explain(err: dict[str, Any]) -> str | None:
    """A message for a pydantic error inside an analysis that says what the kind expects:
    an unknown field (a misspelling, or a field of another kind) or an unknown kind."""
    loc = err["loc"]
    if err["type"] == "union_tag_invalid":
        tag = str(err.get("ctx", {}).get("tag", ""))
        message = f"unknown kind {tag!r}; use one of: {', '.join(KINDS)}"
        return message + _did_you_mean(tag, list(KINDS))
    if err["type"] == "union_tag_not_found":
        return f"missing field 'kind' (one of: {', '.join(KINDS)})"
    if err["type"] == "too_short" and loc:
        return f"{loc[-1]!r} needs at least one entry"
    if err["type"] != "extra_forbidden" or len(loc) < 2 or loc[-2] not in KINDS:
        return None
    kind, field = str(loc[-2]), str(loc[-1])
    own = [f for f in KINDS[kind].model_fields if f not in AnalysisBase.model_fields]
    own.sort(key=lambda f: f in Tested.model_fields)  # the kind's own first, then family
    message = (f"unknown field {field!r} for an analysis of kind {kind!r} (its own fields: "
               f"{', '.join(own) or 'none'})")
    elsewhere = [k for k, model in KINDS.items() if field in model.model_fields]
    if elsewhere:
        return message + f"; {field!r} belongs to kind {', '.join(elsewhere)}"
    return message + _did_you_mean(field, list(KINDS[kind].model_fields))


def _did_you_mean(given: str, known: list[str]) -> str:
    close = difflib.get_close_matches(given, known, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_plan(plan: Plan, inst: Instrument, doc: YamlDocument | None = None) -> list[Problem]:
    """Cross-checks: unique ids, known items and groups, parseable subsets."""
    problems: list[Problem] = []

    def add(path: tuple[Any, ...], message: str) -> None:
        problems.append(Problem(path=path_text(path), line=doc.line_of(path) if doc else None,
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
            for name in a.named_items():
                if name not in known:
                    add(path, f"analysis {a.id!r} refers to unknown item {name!r}")
            group = a.named_group()
            if group and group not in inst.group_map:
                add((*path, "group"), f"analysis {a.id!r} refers to unknown group {group!r}")
            if a.subset:
                try:
                    expr.bind(a.subset, variables)
                except expr.ExpressionError as exc:
                    add((*path, "subset"), f"subset: {exc}")
            if isinstance(a, Regression):
                for name in a.reference:
                    if name not in a.predictors:
                        add((*path, "reference"), f"reference for {name!r}, not a predictor")
            for k, message in _zero_problems(a, inst):
                add((*path, "structural_zeros", k), message)
    return problems


def _codes(inst: Instrument, name: str | None) -> set[int] | None:
    """The answer codes of an item or derived variable; None when it has no answer list."""
    source = inst.item_map.get(name or "") or inst.derived_map.get(name or "")
    choices = getattr(source, "choices", None)
    return {c.code for c in choices} if choices else None


def _zero_problems(a: Analysis, inst: Instrument) -> list[tuple[int, str]]:
    """Structural zeros naming a code that the row or column item does not have."""
    if isinstance(a, Crosstab):
        sides = (("rows", a.rows), ("columns", a.columns))
    elif isinstance(a, MultipleResponse):
        if a.structural_zeros and not a.by:
            return [(0, "structural zeros need 'by' (the groups that cannot choose an option)")]
        sides = (("by", a.by), ("item", a.item))
    else:
        return []
    problems = []
    for k, cell in enumerate(a.structural_zeros):
        for (field, name), code in zip(sides, cell, strict=True):
            codes = _codes(inst, name)
            if codes is not None and code not in codes:
                problems.append((k, f"structural zero {list(cell)}: {field} item {name!r} has "
                                    f"no code {code}"))
    return problems


def instrument_of(plan_path: Path, named: str) -> str:
    """Where the instrument a plan names is: a path relative to the plan's own folder (or
    as given, when it exists as given), else a bundled name."""
    given = Path(named)
    if not given.is_absolute():
        beside = plan_path.parent / given
        if beside.is_file():
            return str(beside)
    return named


def plan_instrument(name_or_path: str | Path) -> str:
    """The instrument a plan file names (``instrument:``), found as :func:`instrument_of`
    finds it; the plan is read, not yet checked."""
    from ..instrument.resources import resolve_yaml

    path = resolve_yaml(name_or_path, "analyses")
    data = load_yaml(path).data
    named = data.get("instrument") if isinstance(data, dict) else None
    if not isinstance(named, str) or not named:
        raise InstrumentError("the plan names no instrument (instrument: NAME or FILE)",
                              file=path)
    return instrument_of(path, named)


def load_plan(name_or_path: str | Path, inst: Instrument | None = None) -> Plan:
    """Load a bundled plan by name or a plan file; check it against ``inst``, or against
    the instrument it names (a path relative to the plan's folder, or a bundled name)."""
    from ..instrument import load_instrument
    from ..instrument.resources import resolve_yaml

    path = resolve_yaml(name_or_path, "analyses")
    doc = load_yaml(path)
    plan = validate_document(Plan, doc, "an analysis plan", explain=explain)
    inst = inst or load_instrument(instrument_of(path, plan.instrument))
    problems = check_plan(plan, inst, doc)
    if problems:
        raise InstrumentError(f"{len(problems)} problem(s) in the analysis plan", file=path,
                              problems=problems)
    return plan
