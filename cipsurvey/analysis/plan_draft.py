"""A starter analysis plan drafted from an instrument: ``cipsurvey plan draft``.

It holds what a report of any questionnaire needs and nothing that cannot run: frequencies
of the choice items, descriptives of the numbers, a table per multiple-choice item, α and
the scores of each scale, the answers of each grid; and, given a grouping item (``--by``),
each choice item crossed with it and the numbers compared between its groups (a t-test for
two groups; for more, the ANOVA with Levene's test, the robust tests and Games-Howell's
comparisons, which assume no equal variances). Every analysis is an entry meant to be edited
or deleted, with a comment that says why it is there.
"""

from __future__ import annotations

from typing import Any

from ..errors import CipsurveyError
from ..instrument import CHOICE_TYPES, NUMERIC_TYPES, Instrument, ItemType
from ..lang import text

MAX_GROUPS = 8  # a grouping item with more answers than this makes unreadable tables
MAX_PANELS = 6  # numbers in one figure by group


def grouping_candidates(inst: Instrument) -> list[str]:
    """Items that can split the respondents into groups: single-choice questions with two
    to MAX_GROUPS answers."""
    return [i.id for i in inst.questions() if i.type in CHOICE_TYPES
            and i.type != ItemType.likert and 2 <= len(i.choices) <= MAX_GROUPS]


def _shared_answers(inst: Instrument, items: list[str]) -> bool:
    """Whether the items are choice items with one answer list (a stacked bar figure)."""
    lists = {tuple(c.code for c in inst.item_map[i].choices) for i in items
             if i in inst.item_map}
    return len(lists) == 1 and all(
        i in inst.item_map and inst.item_map[i].type in CHOICE_TYPES for i in items)


def _aid(*parts: str) -> str:
    """An analysis id from its parts, within the 40 characters an id may have."""
    return "_".join(parts)[:40].rstrip("_")


def draft_plan(inst: Instrument, *, instrument_ref: str, by: str | None = None,
               lang: str | None = None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The plan as data, and the comment lines to write above each analysis (by its id).

    ``instrument_ref``: how the plan names its instrument (a path relative to the plan, or a
    bundled name); ``lang``: the language of the titles (default: the instrument's first).
    """
    lang = lang or inst.languages[0]
    if by is not None:
        item = inst.item_map.get(by)
        if item is None or item.type not in CHOICE_TYPES or len(item.choices) < 2:
            found = ", ".join(grouping_candidates(inst)) or "none"
            raise CipsurveyError(f"--by {by!r} is not a choice item of instrument {inst.id!r}",
                                 hint=f"items that can group the respondents: {found}")
    grouped = {i for g in inst.groups if g.type in ("grid", "scale") for i in g.items}
    questions = [i for i in inst.questions() if i.id != by]
    choice = [i.id for i in questions if i.type in CHOICE_TYPES and i.id not in grouped]
    numbers = [i.id for i in questions if i.type in NUMERIC_TYPES]
    multiple = [i.id for i in questions if i.type == ItemType.multiple_choice]
    comments: dict[str, list[str]] = {}

    overview: list[dict[str, Any]] = []
    if choice:
        overview.append({"id": "answers", "kind": "frequencies",
                         "title": text("plan_draft.answers", lang), "variables": choice})
        comments["answers"] = [text("plan_draft.why_answers", lang)]
    if numbers:
        overview.append({"id": "numbers", "kind": "describe",
                         "title": text("plan_draft.numbers", lang), "variables": numbers})
    for item_id in multiple:
        title = inst.item_map[item_id].text.get(lang)
        overview.append({"id": _aid("mr", item_id), "kind": "multiple_response",
                         "title": title, "item": item_id})
        overview.append({"id": _aid("fig_mr", item_id), "kind": "figure", "title": title,
                         "figure": "mr_bars", "item": item_id})
    for g in inst.groups:
        if g.type == "scale":
            aid = g.id if g.id.startswith("scale") else _aid("scale", g.id)
            overview.append({"id": aid, "kind": "scale", "title": g.text.get(lang),
                             "group": g.id, "min_share": 0.5})
            comments[aid] = [text("plan_draft.why_scale", lang)]
        elif g.type == "grid":
            overview.append({"id": g.id if g.id.startswith("grid") else _aid("grid", g.id),
                             "kind": "grid",
                             "title": g.text.get(lang), "group": g.id})
        if g.type in ("scale", "grid") and _shared_answers(inst, g.items):
            overview.append({"id": _aid("fig", g.id), "kind": "figure",
                             "title": g.text.get(lang), "figure": "stacked_grid",
                             "group": g.id})
    sections = [{"id": "overview", "title": text("plan_draft.overview", lang),
                 "analyses": overview}]

    if by is not None:
        group = inst.item_map[by]
        name = group.text.get(lang)
        compared: list[dict[str, Any]] = []
        for item_id in choice:
            compared.append({"id": _aid(item_id, "by", by), "kind": "crosstab",
                             "title": f"{inst.item_map[item_id].text.get(lang)} × {name}",
                             "rows": item_id, "columns": by})
        for item_id in multiple:
            compared.append({"id": _aid("mr", item_id, "by", by), "kind": "multiple_response",
                             "title": f"{inst.item_map[item_id].text.get(lang)} × {name}",
                             "item": item_id, "by": by})
        if numbers:
            compared.append({"id": _aid("fig_numbers_by", by), "kind": "figure",
                             "title": text("plan_draft.numbers_by", lang, name=name),
                             "figure": "counts_by_group", "variables": numbers[:MAX_PANELS],
                             "by": by})
            aid = _aid("numbers_by", by)
            entry: dict[str, Any] = {"id": aid, "title": text("plan_draft.numbers_by", lang,
                                                             name=name),
                                     "variables": numbers, "by": by}
            if len(group.choices) == 2:
                entry = {"id": aid, "kind": "ttest", **{k: v for k, v in entry.items()
                                                         if k != "id"}}
                comments[aid] = [text("plan_draft.why_ttest", lang)]
            else:
                entry = {"id": aid, "kind": "anova", **{k: v for k, v in entry.items()
                                                         if k != "id"},
                         "levene": True, "robust": True, "posthoc": ["games_howell"]}
                comments[aid] = [text("plan_draft.why_anova", lang)]
            compared.append(entry)
        if compared:
            sections.append({"id": _aid("by", by), "title": text("plan_draft.by", lang,
                                                                  name=name),
                             "analyses": compared})
    plan: dict[str, Any] = {"schema_version": 1, "id": _aid(inst.id, "plan"),
                            "instrument": instrument_ref,
                            "title": inst.title.get(lang), "sections": sections}
    compare = draft_compare(inst)
    if compare is not None:
        plan["compare"] = compare
    return plan, comments


def draft_compare(inst: Instrument) -> dict[str, Any] | None:
    """The plan's ``compare`` section: the indicators, baseline traits and grouping that
    ``cipsurvey compare`` uses, drafted by the comparison's own code; None when the
    instrument gives no indicator."""
    from ..wave.compare_section import draft_compare_section

    section = draft_compare_section(inst)
    return section if section.get("indicators") else None


def plan_text(plan: dict[str, Any], comments: dict[str, list[str]],
              header: list[str]) -> str:
    """The plan as YAML, each analysis with its comment lines above it."""
    import yaml

    class Dumper(yaml.SafeDumper):
        """Mappings as blocks, lists of plain values on one line (variables: [a, b])."""

    def represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
        flat = all(not isinstance(v, dict | list) for v in value)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)

    Dumper.add_representer(list, represent_list)

    def dump(value: Any) -> str:
        return yaml.dump(value, Dumper=Dumper, sort_keys=False, allow_unicode=True,
                         width=100, default_flow_style=False)

    def indent(block: str, pad: str) -> str:
        return "".join(pad + line + "\n" for line in block.splitlines())

    out = "".join(f"# {line}\n" for line in header) + "\n"
    out += dump({k: v for k, v in plan.items() if k not in ("sections", "compare")})
    out += "\nsections:\n"
    for section in plan["sections"]:
        out += indent(dump([{k: v for k, v in section.items() if k != "analyses"}]), "  ")
        out += "    analyses:\n"
        for a in section["analyses"]:
            out += "".join(f"      # {c}\n" for c in comments.get(a["id"], []))
            out += indent(dump([a]), "      ")
    if "compare" in plan:
        out += "\n" + dump({"compare": plan["compare"]})
    return out


def draft_plan_text(inst: Instrument, *, instrument_ref: str, by: str | None = None,
                    lang: str | None = None) -> tuple[str, dict[str, Any]]:
    """The drafted plan as ``cipsurvey plan draft`` writes it (a header that says what to do
    next, each analysis with its comment lines), and the plan as data."""
    shown = lang or inst.languages[0]
    plan, comments = draft_plan(inst, instrument_ref=instrument_ref, by=by, lang=shown)
    header = [text("plan_draft.header", shown, instrument=inst.id)]
    if by is None:
        header.append(text("plan_draft.no_by", shown,
                           items=", ".join(grouping_candidates(inst)) or "-"))
    if "compare" not in plan:
        header.append(text("plan_draft.no_compare", shown))
    header.append(text("plan_draft.run", shown))
    return plan_text(plan, comments, header), plan
