"""A report as one document: its parts in reading order, numbered once for every writer.

The HTML, Word and Excel writers all walk the same :class:`Document`, so "Table 3" is the
same table everywhere, a heading never names a table, and figures have their own numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..analysis import tables as T
from ..lang import numbers as nb
from . import publication as pub
from .publication import Cell, Column, Context, Markers, PubTable, Row


@dataclass
class PubFigure:
    """A figure of the report: its number, title and, once drawn, its alt text."""

    result: str
    title: str
    number: str = ""
    note: str = ""


@dataclass
class Remark:
    """A line of text between tables: a failed analysis, a result's note."""

    text: str
    error: bool = False


Item = PubTable | PubFigure | Remark


@dataclass
class Part:
    """A section of the report: its id, heading and items in reading order."""

    id: str
    title: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Document:
    """The whole report as every writer draws it."""

    lang: str
    title: str
    synthetic: bool
    generated: str
    summary: list[str]
    methods: list[str]
    parts: list[Part]
    appendix: Part | None = None

    def all_parts(self) -> list[Part]:
        """The sections and, last, the appendix."""
        return [*self.parts, *([self.appendix] if self.appendix else [])]

    def tables(self) -> Iterator[PubTable]:
        """Every table in reading order."""
        for part in self.all_parts():
            yield from (i for i in part.items if isinstance(i, PubTable))

    def figures(self) -> Iterator[PubFigure]:
        """Every figure in reading order."""
        for part in self.all_parts():
            yield from (i for i in part.items if isinstance(i, PubFigure))


# --------------------------------------------------------------------------- per result


#: the tables each kind's shaper reads; a result lacking one (withheld by the disclosure
#: control) is shown table by table instead
NEEDS = {"describe": (T.DESCRIBE,), "frequencies": (T.FREQUENCIES,),
         "crosstab": (T.CELLS, T.TESTS), "ttest": (T.TTEST,), "grid": (T.GRID,),
         "multiple_response": (T.MULTIPLE_RESPONSE,), "regression": (T.COEFFICIENTS,),
         "scale": (T.ITEMS,)}


def shape_result(ctx: Context, result: Any, skip: set[str]) -> list[Item]:
    """The tables (or figure) of one result, minus those already shown elsewhere."""
    title = result.title
    if result.error:
        return [Remark(ctx.text("analysis_failed", error=result.error), error=True)]
    if result.kind == "figure":
        return [PubFigure(result.id, title)]
    t = result.tables
    out: list[PubTable] = []
    kind = result.kind
    if any(name not in t for name in NEEDS.get(kind, ())):
        # the disclosure control withheld a table this kind's shaper needs: what is left
        # is shown as it is, under the notes that say what was withheld and why
        kind = "withheld"
        if not t:
            return [Remark(ctx.note(note)) for note in result.notes]
    if kind == "describe" and T.DESCRIBE not in skip:
        out.append(pub.describe(ctx, result.id, t[T.DESCRIBE], title))
    elif kind == "frequencies":
        out.append(pub.frequencies(ctx, result.id, t[T.FREQUENCIES], title, result.notes))
    elif kind == "crosstab" and getattr(ctx.analysis(result.id), "layer", None):
        # A by B within each answer of C: each table once, its rows marked by the layer
        for name in (T.CELLS, T.TESTS, T.ASSOCIATION):
            if name in t:
                out.append(generic(ctx, result.id, name, t[name],
                                   ctx.text("table_part", title=title, part=_part(ctx, name))))
    elif kind == "crosstab":
        if T.CELLS not in skip:
            out.append(pub.crosstab_matrix(ctx, result.id, result, title))
        out.append(pub.tests_table(ctx, result.id, t[T.TESTS],
                                   ctx.text("tests_title", title=title), t.get(T.ASSOCIATION)))
    elif kind == "ttest":
        out += pub.ttest(ctx, result.id, result, title)
    elif kind == "anova":
        out += pub.anova(ctx, result.id, result, title)
    elif kind == "grid":
        out.append(pub.grid(ctx, result.id, t[T.GRID], title, result.notes))
    elif kind == "multiple_response":
        out += pub.multiple_response(ctx, result.id, result, title)
    elif kind == "regression":
        out += pub.regression(ctx, result.id, result, title)
    elif kind == "scale":
        out += pub.scale(ctx, result.id, result, title)
    elif kind != "describe":
        for name, frame in t.items():
            if name in BESIDE:
                continue
            out.append(generic(ctx, result.id, name, frame,
                               title if len(t) == 1 else ctx.text("table_part", title=title,
                                                                   part=_part(ctx, name))))
    # the tables a review adds beside a shaped result (robust tests compared, the test that
    # fits a categorical answer, reference categories, count-model checks, Likert answers)
    for name, key in BESIDE.items():
        if name == T.LEVENE and kind != "anova":
            continue  # (a t-test's Levene is in its table's note)
        if name in t and len(t[name]) and (kind != "describe" or T.DESCRIBE not in skip):
            out.append(generic(ctx, result.id, name, t[name], ctx.text(key, title=title)))
    if out:
        lead = []
        if result.addition:
            lead.append(ctx.text("addition"))
        if result.source:
            lead.append(ctx.text("in_paper", where=ctx.source(result.source)))
        out[0].notes = lead + out[0].notes
        if kind in ("frequencies", "grid"):
            return list(out)
        for note in result.notes:
            out[-1].notes.append(ctx.note(note))
    return list(out)


def _part(ctx: Context, name: str) -> str:
    """What one table of a result shows, for its title (catalog ``report.part_*``)."""
    return ctx.text(f"part_{name}") if ctx.has(f"part_{name}") else ctx.heading(name)


#: tables shown beside a result's own, each under its title (catalog ``report.*``)
BESIDE = {T.LEVENE: "levene_title", T.RANKS: "ranks_title",
          T.REGRESSION_ANOVA: "regression_anova_title",
          T.AGREEMENT: "agreement_title", T.FITTING: "fitting_title",
          T.REFERENCES: "references_title", T.COUNT_CHECKS: "count_checks_title",
          T.LIKERT: "likert_title", T.LIKERT_SUMMARY: "likert_summary_title"}


# --------------------------------------------------------------------------- by group

#: how a table by group names the percentage beside each count
SHORT_PERCENT = {"row": "row_percent_short", "column": "column_percent_short",
                 "total": "total_percent_short"}


@dataclass
class _Grouped:
    group: str
    results: list[Any] = field(default_factory=list)


def by_group_candidates(ctx: Context, results: list[Any]) -> list[_Grouped]:
    """Results of a section that describe variables by one grouping variable: describes with
    ``by`` and crosstabs whose columns are that variable (at least one describe)."""
    groups: dict[str, _Grouped] = {}
    for r in results:
        if r.error:
            continue
        a = ctx.analysis(r.id)
        if a is None:
            continue
        by, columns = getattr(a, "by", None), getattr(a, "columns", None)
        # a table the disclosure control withheld leaves its result to be shown alone,
        # with the note that says so
        if (r.kind == "describe" and T.DESCRIBE not in r.tables) or \
                (r.kind == "crosstab" and T.CELLS not in r.tables):
            continue
        if r.kind == "describe" and by:
            groups.setdefault(by, _Grouped(by)).results.append(r)
        elif r.kind == "crosstab" and columns and not getattr(a, "layer", None):
            groups.setdefault(columns, _Grouped(columns)).results.append(r)
    return [g for g in groups.values() if any(r.kind == "describe" for r in g.results)]


def by_group_table(ctx: Context, grouped: _Grouped, section: list[Any],
                   title: str) -> PubTable:
    """One wide table by group: M (SD) and n for numbers, n (%) for categories, a total
    column and the p of the section's test of each variable, its test named in a footnote.
    """
    marks = Markers(ctx)
    levels: dict[Any, str] = {}
    for r in grouped.results:
        if r.kind == "describe":
            d = r.tables[T.DESCRIBE]
            for code, label in zip(d["group"], d["group_label"], strict=True):
                if str(code) != "Total":
                    levels.setdefault(code, label)
        else:
            c = r.tables[T.CELLS]
            for code, label in zip(c["column"], c["column_label"], strict=True):
                levels.setdefault(code, label)
    codes = list(levels)
    cols = [Column("", text=True)]
    cols += [Column(str(levels[c]), (ctx.text("n"), ctx.text("percent")),
                    spanner=ctx.var_label(grouped.group)) for c in codes]
    cols += [Column(ctx.text("total"), (ctx.text("n"), ctx.text("percent"))), ctx.col("p")]
    rows: list[Row] = []
    blank = len(cols) - 1
    for r in grouped.results:
        if r.kind == "describe":
            d = r.tables[T.DESCRIBE]
            for var, part in d.groupby("variable", sort=False):
                p, method = _test_p(ctx, section, var, grouped.group)
                head = [ctx.label(part["variable_label"].iloc[0])] + [Cell()] * (blank - 1)
                rows.append(Row([*head, ctx.p(p, marks.mark(method))], block=True))
                by = {str(g): row for g, row in zip(part["group"], part.to_dict("records"),
                                                    strict=True)}
                order = [*map(str, codes), "Total"]
                for stat in ("n", "msd", "median"):
                    cells = [ctx.words({"n": "n", "msd": "M_SD", "median": "Mdn"}[stat])]
                    for g in order:
                        row = by.get(g)
                        if row is None:
                            cells.append(Cell())
                            continue
                        if stat == "n":
                            cell = ctx.num(row["n"], "count")
                            cell.paper = ctx.printed(r.id, T.DESCRIBE, "n", "count",
                                                     variable=var, group=row["group"])
                        elif stat == "msd":
                            cell = ctx.m_sd(row["mean"], row["sd"])
                            m = ctx.paper(r.id, T.DESCRIBE, "mean", variable=var,
                                          group=row["group"])
                            s = ctx.paper(r.id, T.DESCRIBE, "sd", variable=var,
                                          group=row["group"])
                            if m is not None and s is not None:
                                cell.paper = nb.fmt_m_sd(m[0], s[0], ctx.lang, places=m[1])
                        else:
                            cell = ctx.num(row["median"], "descriptive")
                            cell.paper = ctx.printed(r.id, T.DESCRIBE, "median",
                                                     "descriptive", variable=var,
                                                     group=row["group"])
                        cells.append(cell)
                    rows.append(Row([*cells, Cell()], indent=True))
        else:
            a = ctx.analysis(r.id)
            direction = getattr(a, "percent", None) or "row"
            pct = {"row": "row_percent", "column": "col_percent",
                   "total": "total_percent"}[direction]
            tests = r.tables[T.TESTS]
            first = tests.iloc[0] if len(tests) else None
            head_label = ctx.text("n_pct_label", label=ctx.var_label(a.rows),
                                  direction=ctx.text(SHORT_PERCENT[direction]))
            p_cell = (ctx.p(first["p"], marks.mark(first.get("method")))
                      if first is not None else Cell())
            rows.append(Row([Cell(head_label, generated=True)] + [Cell()] * (blank - 1)
                            + [p_cell], block=True))
            cells_t = r.tables[T.CELLS]
            margins = r.tables.get(T.MARGINS)
            for code, label in dict.fromkeys(zip(cells_t["row"], cells_t["row_label"],
                                                 strict=True)):
                line = [ctx.label(label)]
                sub = cells_t[cells_t["row"] == code]
                for g in codes:
                    hit = sub[sub["column"] == g]
                    if not len(hit):
                        line.append(Cell())
                        continue
                    h = hit.iloc[0]
                    cell = ctx.n_pct(h["observed"], h[pct])
                    cell.paper = ctx.printed_n_pct(r.id, T.CELLS, "observed", pct, row=code,
                                                   column=g)
                    line.append(cell)
                if margins is not None:
                    m = margins[(margins["margin"] == "row") & (margins["level"] == code)]
                    cell = ctx.n_pct(m["n"].iloc[0], m["percent"].iloc[0]) if len(m) else Cell()
                    cell.paper = ctx.printed_n_pct(r.id, T.MARGINS, "n", "percent",
                                                   margin="row", level=code)
                    line.append(cell)
                else:
                    line.append(Cell())
                rows.append(Row([*line, Cell()], indent=True))
    notes = [ctx.text("note_by_group")]
    if any(r.kind == "crosstab" for r in grouped.results):
        notes.append(ctx.text("note_margins"))
    return PubTable(f"{grouped.results[0].id}.by_group", title, cols, rows, notes,
                    marks.footnotes(), result=grouped.results[0].id)


def _test_p(ctx: Context, section: list[Any], variable: str, group: str
            ) -> tuple[float | None, str | None]:
    """The p of the section's test of ``variable`` between the groups of ``group``: the
    first row of a t test, or the between-groups row of an ANOVA."""
    for r in section:
        a = ctx.analysis(r.id)
        if (r.error or a is None or getattr(a, "by", None) != group
                or variable not in getattr(a, "variables", ())):
            continue
        if r.kind == "ttest":
            t = r.tables[T.TTEST]
            row = t.iloc[0]
            return float(row["p"]), str(row["method"])
        if r.kind == "anova" and T.ANOVA in r.tables:
            t = r.tables[T.ANOVA]
            hit = t[(t["variable"] == variable) & t["statistic"].notna()]
            if len(hit):
                return float(hit["p"].iloc[0]), str(hit["method"].iloc[0])
    return None, None


# --------------------------------------------------------------------------- generic


#: the columns a table shown as it is shows, in order (the rest stay in results.json and
#: the workbook's data); a table not listed shows every column that holds a value
SHOWN = {
    # a crosstab within each answer of a third variable (plan's ``layer``)
    T.CELLS: ["layer_label", "row_label", "column_label", "observed", "row_percent", "expected",
              "adj_residual"],
    T.TESTS: ["layer_label", "test", "statistic", "df", "p", "p_adjusted"],
    T.ASSOCIATION: ["layer_label", "measure", "estimate", "conf_low", "conf_high", "p"],
    T.LEVENE: ["variable_label", "statistic", "df1", "df2", "p"],
    T.RANKS: ["variable_label", "group_label", "n", "mean_rank"],
    T.REGRESSION_ANOVA: ["source", "ss", "df", "ms", "statistic", "p"],
    T.AGREEMENT: ["variable_label", "test_classical", "p_classical", "test", "p", "disagree"],
    T.FITTING: ["variable_label", "test", "statistic", "df", "p"],
    T.LIKERT: ["item_label", "label", "count", "percent", "conf_low", "conf_high"],
    T.LIKERT_SUMMARY: ["item_label", "n", "percent_below", "percent_middle", "percent_above",
                       "mean", "sd"],
    T.MULTIPLICITY: ["analysis", "variable_label", "test", "p", "p_adjusted", "primary"],
    T.REFERENCES: ["predictor_label", "reference_label", "n_reference", "n"],
    T.COUNT_CHECKS: ["model", "measure", "value"],
    T.RATES: ["wave", "level", "group", "responded", "invited", "percent", "conf_low",
              "conf_high"],
    T.ATTRITION: ["trait_label", "level_label", "n_followed", "n_lost", "followed", "lost",
                  "smd", "statistic", "df", "p"],
    T.LINKAGE: ["group", "n"],
    T.WEIGHTS_MODEL: ["term", "estimate", "se", "statistic", "p", "conf_low", "conf_high"],
    T.WEIGHTS_DIAGNOSTICS: ["n", "sum", "min", "median", "max", "max_to_min", "cv", "ess",
                            "design_effect", "extreme_threshold", "n_extreme", "n_trimmed"],
    T.WEIGHTS_BALANCE: ["trait", "level", "target", "respondents", "weighted",
                        "smd_unweighted", "smd_weighted"],
    T.CHANGE: ["indicator_label", "answer", "unit", "n_base", "base", "n_follow", "follow",
               "linked_n", "linked_change", "linked_low", "linked_high", "linked_p",
               "whole_people", "whole_change", "whole_low", "whole_high", "whole_p",
               "weighted_ess", "weighted_follow", "weighted_change", "weighted_low",
               "weighted_high", "weighted_p", "mde"],
    T.DISTRIBUTION: ["indicator_label", "test", "statistic", "df", "p", "n"],
    T.WAVE_VALUES: ["indicator_label", "answer", "wave", "n", "estimate", "conf_low",
                    "conf_high"],
    T.WAVE_MODELS: ["indicator_label", "answer", "unit", "term", "estimate", "conf_low",
                    "conf_high", "statistic", "df", "p", "n", "people"],
    T.BY_GROUP: ["indicator_label", "answer", "unit", "group_label", "n", "change", "conf_low",
                 "conf_high", "statistic", "df", "p", "p_anova"],
    T.COHORTS: ["wave", "indicator_label", "group_label", "n", "estimate", "conf_low",
                "conf_high"],
    T.HETEROGENEITY: ["wave", "indicator_label", "test", "statistic", "df", "p"],
    T.PLANNING: ["design", "what", "unit", "n", "effect_name", "effect", "mde", "power"],
    T.PLAN_POWER: ["title", "variable", "groups", "n", "effect_name", "effect", "power"],
}
#: a p column → the column naming the test behind it (a footnote letter per test)
P_TESTS = {"p": "method", "linked_p": "linked_test", "whole_p": "whole_test",
           "weighted_p": "weighted_test", "p_anova": "method", "p_adjusted": "method"}
#: columns whose coded values are words of the catalog (``cell.<column>.<value>``)
WORDS = {"unit", "group", "level", "design", "what", "term"}


#: the test behind a table's p where its rows do not name one
TABLE_METHODS = {T.WEIGHTS_MODEL: "logistic regression (Wald z)"}
#: the comparison's test names (catalog ``compare.*``) → their statistic's symbol
COMPARE_SYMBOLS = {"test_paired_t": "t", "test_welch": "t", "test_pearson": "χ²",
                   "test_kruskal": "H", "test_weighted": "z", "test_mcnemar": ""}
#: the first column of a table whose repeated values head blocks of rows
BLOCKS = {"analysis", "variable_label", "indicator_label", "item_label", "trait_label"}


def generic(ctx: Context, rid: str, name: str, frame: pd.DataFrame, title: str) -> PubTable:
    """Any other result table: labelled columns (codes left out where a label stands
    beside them), each number formatted by what its column holds and, where a row says its
    unit, at that unit's precision; coded values in words, yes/no in words, the statistic
    column named by its test's symbol, the test behind each p named in a footnote, and a
    label repeated down the first column written once above its rows."""
    hidden = {"method", "note", "variable", "item", "term"}
    if name in SHOWN:
        cols_in = [c for c in SHOWN[name] if c in frame.columns and frame[c].notna().any()]
    else:
        cols_in = [c for c in frame.columns
                   if c not in hidden and f"{c}_label" not in frame.columns
                   and frame[c].notna().any()]
    frame = frame.copy()
    if "method" not in frame.columns:
        frame["method"] = (TABLE_METHODS.get(name) or
                           (frame["test"] if "test" in frame.columns else None))
    block = (cols_in[0] if cols_in and cols_in[0] in BLOCKS and len(cols_in) > 2
             and frame[cols_in[0]].duplicated().any() else None)
    if block:
        cols_in = cols_in[1:]
    marks = Markers(ctx)
    columns = [Column(ctx.heading(c), text=ctx.kind_of(c) is None) for c in cols_in]
    if "statistic" in cols_in:
        symbols = [s for s in dict.fromkeys(ctx.symbol(str(m)) for m in frame["method"]
                                            if isinstance(m, str)) if s]
        if symbols:
            columns[cols_in.index("statistic")] = Column(" / ".join(symbols))
    rows = []
    last = None
    for _, r in frame.iterrows():
        if block:
            head = r[block]
            if head != last:
                rows.append(Row([ctx.label(head)] + [Cell() for _ in cols_in[1:]], block=True))
                last = head
        cells = []
        for c in cols_in:
            kind = ctx.kind_of(c)
            value = r[c]
            if kind is None:
                if isinstance(value, bool | np.bool_):
                    cells.append(Cell(ctx.yes_no(bool(value)), generated=True))
                    continue
                if c in WORDS and isinstance(value, str) and ctx.word(c, value):
                    cells.append(Cell(ctx.word(c, value), generated=True))
                    continue
                if (c == "test" or c.endswith("_test") or c == "test_classical") and \
                        isinstance(value, str):
                    value = ctx.test(value)[0] or value  # a test by its name, not its code
                if c == "source" and value in SOURCES:
                    cells.append(ctx.words(SOURCES[value]))
                    continue
                if c in NAMES and isinstance(value, str):
                    value = _named(ctx, value)
                elif c == "level" and "trait" in frame.columns and pd.notna(value):
                    value = _coded(ctx, str(r["trait"]), value)
                elif c == "effect_name" and isinstance(value, str):
                    value = value.replace("_", "")  # d_z → dz
                if isinstance(value, float) and value.is_integer():
                    value = int(value)  # a code kept as a float is a whole number
                if block and c == cols_in[0] and value == r[block]:
                    value = ""  # (the block's label, said above)
                cells.append(ctx.label(value))
            elif kind == "p":
                test = P_TESTS.get(c)
                cells.append(ctx.p(value, marks.mark(r.get(test)) if test else ""))
            else:
                cells.append(ctx.num(value, _unit_kind(kind, c, r)))
        rows.append(Row(cells, indent=bool(block)))
    notes = [ctx.text(NOTES[name])] if name in NOTES else []
    return PubTable(f"{rid}.{name}", title, columns, rows, notes + pub.row_notes(ctx, frame),
                    marks.footnotes(), result=rid)


#: the general note under a table shown as it is (catalog ``report.*``)
NOTES = {T.LEVENE: "note_levene_table", T.RANKS: "note_ranks",
         T.REGRESSION_ANOVA: "note_regression_anova",
         T.AGREEMENT: "note_agreement", T.FITTING: "note_fitting",
         T.REFERENCES: "note_references", T.COUNT_CHECKS: "note_count_checks",
         T.LIKERT: "note_likert", T.LIKERT_SUMMARY: "note_likert_summary",
         T.MULTIPLICITY: "note_multiplicity"}


#: the rows of a table of sums of squares (catalog ``report.*``)
SOURCES = {"Regression": "source_regression", "Residual": "source_residual", "Total": "total",
           "Between Groups": "between_groups", "Within Groups": "within_groups"}

#: columns that hold a variable's name, or a model term "name=code"
NAMES = {"term", "trait", "variable", "predictor"}


def _named(ctx: Context, value: str) -> str:
    """A variable's name as its label; a model term "name=code" as "label: answer"; a
    model's constant in words."""
    if value in ("const", "(Intercept)", "Intercept"):
        return ctx.text("intercept")
    name, sep, code = value.partition("=")
    label = ctx.var_label(name)
    if label == name:
        return value
    return f"{label}: {_coded(ctx, name, code)}" if sep else label


def _coded(ctx: Context, name: str, code: Any) -> str:
    """A variable's code as its answer's label (the code itself where it has none)."""
    try:
        return ctx.value_label(name, code)
    except (TypeError, ValueError):
        return str(code)


#: columns holding a row's value (or its change or interval), in the row's own unit
_VALUES = {"value_0", "value_1", "estimate", "change", "linked_change", "conf_low",
           "conf_high", "linked_conf_low", "linked_conf_high", "base", "follow",
           "linked_low", "linked_high", "whole_change", "whole_low", "whole_high",
           "weighted_follow", "weighted_change", "weighted_low", "weighted_high", "mde",
           "followed", "lost"}


def _unit_kind(kind: str, column: str, row: pd.Series) -> str:
    """A value column's kind in a row that says its unit: a percentage or percentage points
    at a percentage's precision (one decimal), a mean at a mean's (two)."""
    if column in ("conf_low", "conf_high") and "percent" in row.index \
            and "estimate" not in row.index:
        return "percent"  # the interval of a percentage, in percent
    if column in _VALUES:
        unit = str(row.get("unit", ""))
        if unit in ("percent", "points", "%") or str(row.get("kind", "")).startswith("percent"):
            return "percent"
        if unit == "mean":
            return "descriptive"
    return kind


# --------------------------------------------------------------------------- assembly


def build(ctx: Context, report: Any, *, title: str, synthetic: bool, generated: str,
          summary: list[str], methods: list[str], appendix: list[PubTable]) -> Document:
    """The report's parts in plan order, its tables and figures numbered once."""
    parts = []
    for section in report.plan.sections:
        results = [r for r in report.results if r.section == section.id]
        part = Part(section.id, section.title.get(ctx.lang))
        grouped = by_group_candidates(ctx, results)
        merged: dict[str, set[str]] = {}
        placed_at: dict[str, PubTable] = {}
        for g in grouped:
            first = g.results[0]
            title_g = ctx.text("by_group_title",
                               what=part.title if len(g.results) > 1 else first.title,
                               group=ctx.var_label(g.group).lower())
            table = by_group_table(ctx, g, results, title_g)
            sources = [part for r in g.results if r.source
                       for part in ctx.source(r.source).split("; ")]
            if sources:
                table.notes.insert(0, ctx.text("in_paper", where="; ".join(
                    dict.fromkeys(sources))))
            placed_at[first.id] = table
            for r in g.results:
                merged[r.id] = {T.DESCRIBE, T.CELLS}
        for r in results:
            if r.id in placed_at:
                part.items.append(placed_at[r.id])
            part.items += shape_result(ctx, r, merged.get(r.id, set()))
        parts.append(part)
    doc = Document(ctx.lang, title, synthetic, generated, summary, methods, parts,
                   Part("appendix", ctx.text("appendix"), list(appendix)) if appendix else None)
    number(doc)
    return doc


def number(doc: Document) -> None:
    """Tables 1, 2, 3 … in reading order, the appendix's A1, A2 …; figures 1, 2 …"""
    k = 0
    for part in doc.parts:
        for item in part.items:
            if isinstance(item, PubTable):
                k += 1
                item.number = str(k)
    if doc.appendix:
        for j, item in enumerate((i for i in doc.appendix.items if isinstance(i, PubTable)),
                                 start=1):
            item.number = f"A{j}"
    for j, fig in enumerate(doc.figures(), start=1):
        fig.number = str(j)


# --------------------------------------------------------------------------- context


def context_for(report: Any, paper: dict | None = None) -> Context:
    """The shaping context of a report: its language, its plan and instrument, the words
    of the catalog, and (for a reproduction) the paper's printed values by result cell."""
    from ..lang import confidence_level, texts

    lang = report.lang
    inst = report.survey.instrument
    plan = report.plan
    by_id = {a.id: a for _, a in plan.analyses()} if hasattr(plan, "analyses") else {}
    words, heads = texts("report", lang), texts("column", lang)
    cells, choices = texts("cell", lang), texts("choice", lang)
    level = confidence_level(plan.conf, lang)
    compare_words = texts("compare", lang)
    symbols = {compare_words[key]: sym for key, sym in COMPARE_SYMBOLS.items()}
    names, notes = texts("test", lang), texts("note", lang)
    kinds = texts("problemkind", lang)

    def var_label(name: str | None) -> str:
        if not name:
            return ""
        for source in (getattr(inst, "item_map", {}), getattr(inst, "derived_map", {})):
            if name in source:
                return source[name].text.get(lang)
        return name

    def value_label(name: str, code: Any) -> str:
        source = getattr(inst, "item_map", {}).get(name) or getattr(
            inst, "derived_map", {}).get(name)
        if source is not None and source.choices:
            for c in source.choices:
                if float(c.code) == float(code):
                    return c.label.get(lang)
        return str(code)

    def source(value: Any) -> str:
        return value if isinstance(value, str) else value.get(lang)

    def paper_of(rid: str, table: str, column: str, /,
                 **where: Any) -> tuple[float, int] | None:
        if not paper:
            return None
        key = (rid, table, column, tuple(sorted((k, _norm(v)) for k, v in where.items())))
        return paper.get(key)

    return Context(
        lang=lang, alpha=plan.alpha, conf=plan.conf,
        text=lambda key, **kw: words[key].format(**kw) if kw else words[key],
        test=lambda method: pub.method_name(method, names),
        note=lambda raw: pub.note_text(raw, notes, lang),
        var_label=var_label, value_label=value_label, analysis=by_id.get,
        heading=lambda column: heads[column].format(level=level) if column in heads
        else column,
        word=lambda column, value: cells.get(f"{column}.{value}", ""),
        symbol=lambda method: symbols.get(method, pub.method_name(method, names)[1]),
        yes_no=lambda flag: choices["yes" if flag else "no"],
        kind_of=lambda column: pub.COLUMN_KINDS.get(column),
        source=source, has=lambda key: key in words,
        problem_text=lambda code: kinds.get(code, code), paper=paper_of)


def _norm(value: Any) -> Any:
    """Cell addresses compare codes as floats (1 and 1.0 are one group)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)
