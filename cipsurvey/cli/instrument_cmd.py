"""``cipsurvey instrument check|list|schema``."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check(
        file: Path = typer.Argument(..., help="Instrument YAML file or bundled name."),
    ) -> None:
        """Check an instrument and report every problem with its YAML line."""
        from ..errors import InstrumentError
        from ..instrument import load_instrument

        try:
            inst = load_instrument(file)
        except InstrumentError as exc:
            typer.echo(f"{exc.location.file}: {len(exc.problems)} problem(s)", err=True)
            for p in exc.problems:
                typer.echo(f"  {p}", err=True)
            if not exc.problems:
                typer.echo(f"  {exc.message}", err=True)
            raise typer.Exit(2) from None
        questions = inst.questions()
        typer.echo(f"{file}: ok — instrument {inst.id!r}, {len(inst.items)} items "
                   f"({len(questions)} question items, {len(inst.items) - len(questions)} "
                   f"administrative), {len(inst.groups)} groups, {len(inst.derived)} derived, "
                   f"{len(inst.filters)} filters")

    @app.command("list")
    def list_() -> None:
        """List the bundled instruments."""
        from ..resources import bundled_names

        for name in bundled_names("instruments"):
            typer.echo(name)

    @app.command("schema")
    def schema(out: Path = typer.Option(None, "--out", "-o", help="Write to this file.")) -> None:
        """Print (or write) the JSON Schema of the instrument format."""
        from ..instrument import json_schema

        text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
        if out is None:
            typer.echo(text, nl=False)
        else:
            from ..io.writers import atomic_write

            atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
