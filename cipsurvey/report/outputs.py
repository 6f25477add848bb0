"""Write a computed report: results.json, HTML, Word, Excel and the figures.

The results are shaped once into a :class:`~cipsurvey.report.document.Document` (the
publication tables, numbered; the key findings; the methods) and every writer draws that
same document: ``html``, ``word`` and ``excel``; ``jsonout`` keeps every number at full
precision. Renderers never compute a statistic.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..analysis.results import Report
from ..files import atomic_write
from ..lang import text
from ..version import __version__
from . import document as D
from .excel import write_workbook
from .figures import Figure, NotDrawn, draw
from .findings import findings
from .html import render
from .jsonout import figure_records, is_synthetic, results_json, software
from .methods import methods_text
from .publication import Cell, Column, Context, PubTable, Row
from .word import WordWriter


@dataclass
class Written:
    """The files a report wrote."""

    html: Path
    docx: Path
    xlsx: Path
    json: Path
    figures: list[Figure]


def appendix_tables(ctx: Context, report: Report) -> list[PubTable]:
    """The import account (rows read, kept and left out per file) and the validation
    summary (problems by kind), as the appendix's tables."""
    acc = report.survey.account
    cols = [Column(ctx.text("file"), text=True), Column(ctx.text("format"), text=True),
            Column(ctx.text("rows_read")), Column(ctx.text("rows_kept")),
            Column(ctx.text("rows_excluded"))]
    rows = [Row([ctx.label(Path(f.file).name), ctx.label(f.format),
                 ctx.num(f.rows_read, "count"), ctx.num(f.rows_kept, "count"),
                 ctx.num(f.rows_excluded, "count")]) for f in acc.files]
    notes = [f"{Path(r['file']).name}: {r['rows']} × {r['reason']}"
             for _, r in acc.reasons().iterrows()]
    account = PubTable("account", ctx.text("account"), cols, rows, notes, result="account")
    problems = report.survey.problems
    counts = problems.groupby(["severity", "code"]).size().reset_index(name="n")
    vcols = [Column(ctx.text("severity"), text=True), Column(ctx.text("problem"), text=True),
             Column(ctx.text("count"))]
    vrows = [Row([Cell(ctx.problem_text(f"severity_{r['severity']}")),
                  Cell(ctx.problem_text(r["code"])), ctx.num(r["n"], "count")])
             for _, r in counts.iterrows()]
    if not vrows:
        vrows = [Row([Cell(ctx.text("no_problems")), Cell(), Cell()])]
    validation = PubTable("validation", ctx.text("validation"), vcols, vrows,
                          [ctx.text("note_validation")], result="validation")
    return [account, validation]


def _audit_held(report: Report) -> bool:
    """Whether the protection pass ran on this report and its audit held."""
    return bool(((getattr(report, "protection", None) or {}).get("audit") or {}).get("held"))


def write_report(report: Report, out_dir: Path, *, invited: int | None = None,
                 generated: str | None = None, min_cell: int = 0,
                 free_text: bool = False, paper: dict | None = None,
                 drawn: Callable[[], dict[str, Figure | None]] | None = None) -> Written:
    """Write every output into ``out_dir`` (created if needed).

    ``paper``: the printed values of a reproduced paper by result cell (the demo report
    shows each beside the reproduced number). ``drawn``: where figures are being drawn
    elsewhere (the report command's worker process), a function that waits for them and
    returns them by result id; it is called once what needs no figure (the workbook, the
    Word text, the JSON's tables) is done. Figures it does not return are drawn here.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    fig_dir = out_dir / "figures"
    fig_dir.mkdir(exist_ok=True)
    generated = generated or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    ctx = D.context_for(report, paper)
    synthetic = is_synthetic(report)
    methods = methods_text(ctx, report, invited=invited, synthetic=synthetic,
                           software=software(), free_text=free_text, min_cell=min_cell,
                           audited=_audit_held(report),
                           people=getattr(report, "people", None),
                           own=getattr(report, "methods", ""))
    doc = D.build(ctx, report, title=report.plan.title.get(report.lang), synthetic=synthetic,
                  generated=generated, summary=findings(ctx, report.results),
                  methods=methods, appendix=appendix_tables(ctx, report))
    t = ctx.text
    # first what needs no figure, while they may still be being drawn elsewhere
    xlsx = write_workbook(doc, out_dir / "report.xlsx", t, sources=_sources(report),
                          version=__version__)
    payload: dict[str, Any] = results_json(report, [], invited, generated,
                                           "\n\n".join(methods))
    payload["protection"] = {**getattr(report, "protection", {}),
                             "min_cell": min_cell, "free_text": free_text,
                             "respondent_ids": "pseudonymised" if free_text and min_cell <= 1
                             else "left out"}
    word = WordWriter(doc, t, version=__version__)
    ready = drawn() if drawn else {}
    figures: dict[str, Figure] = {}
    not_drawn: dict[str, NotDrawn] = {}
    for r in report.results:
        if r.kind == "figure":
            try:
                fig = ready[r.id] if r.id in ready else draw(r, fig_dir, report.lang)
            except Exception as exc:  # one figure that cannot be drawn: a note, not a crash
                note = text("result.figure_failed", report.lang,
                            reason=f"{type(exc).__name__}: {exc}")
                r.notes.append(note)
                not_drawn[r.id] = NotDrawn(note)
                continue
            if fig:
                figures[r.id] = fig
    if not_drawn:  # the notes belong in the JSON too
        payload = results_json(report, [], invited, generated, "\n\n".join(methods)) | {
            "protection": payload["protection"]}
    payload["figures"] = figure_records(list(figures.values()))
    json_path = atomic_write(out_dir / "results.json", lambda tmp: tmp.write_text(
        json.dumps(payload, ensure_ascii=False, indent=1, allow_nan=False), encoding="utf-8"))
    page = render(doc, t, {**figures, **not_drawn}, version=__version__)
    html = atomic_write(out_dir / "report.html",
                        lambda tmp: tmp.write_text(page, encoding="utf-8"))
    docx = word.save(out_dir / "report.docx", {**figures, **not_drawn})
    return Written(html, docx, xlsx, json_path, list(figures.values()))


def _sources(report: Report) -> list[tuple[Any, ...]]:
    return [(Path(f.file).name, f.format, f.rows_read, f.rows_kept, f.rows_excluded)
            for f in report.survey.account.files]
