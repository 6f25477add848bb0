"""``cipsurvey plan draft INSTRUMENT [--by ITEM] --out plan.yaml``."""

from __future__ import annotations

import os
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add ``cipsurvey plan draft`` to the plan app."""

    @app.command("draft")
    def draft(
        instrument: str = typer.Argument(..., help="The instrument (YAML file or bundled "
                                                   "name) the plan is for."),
        out: Path = typer.Option(..., "--out", "-o", help="The plan YAML to write."),
        by: str = typer.Option(None, "--by", help="A choice item that splits the respondents "
                                                  "into groups to compare."),
        lang: str = typer.Option(None, "--lang", help="Language of the titles (default: the "
                                                      "instrument's first)."),
        force: bool = typer.Option(False, "--force", help="Replace an existing file."),
    ) -> None:
        """Draft a starter analysis plan that runs as it is, to be edited."""
        from ..analysis.plan import load_plan
        from ..analysis.plan_draft import draft_plan_text
        from ..files import atomic_write, guard_output
        from ..instrument import load_instrument
        from ..instrument.resources import bundled_names
        from .options import check_lang

        if lang is not None:
            check_lang(lang)
        guard_output(out, [], force)
        inst = load_instrument(instrument)
        if instrument in bundled_names("instruments") and not Path(instrument).exists():
            ref = instrument
        else:  # relative to the plan's folder, so that the two may move together
            ref = Path(os.path.relpath(Path(instrument).resolve(),
                                       out.resolve().parent)).as_posix()
        body, plan = draft_plan_text(inst, instrument_ref=ref, by=by, lang=lang)
        atomic_write(out, lambda tmp: tmp.write_text(body, encoding="utf-8"))
        try:  # the plan must load against its instrument as it is
            load_plan(out, inst)
        except Exception:
            out.unlink(missing_ok=True)
            raise
        n = sum(len(s["analyses"]) for s in plan["sections"])
        typer.echo(f"wrote {out}: {n} analyses for instrument {inst.id!r}"
                   + (f", grouped by {by!r}" if by else ""))
