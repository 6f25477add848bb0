"""``cipsurvey codebook NAME``."""

from __future__ import annotations

from pathlib import Path

import typer

from .options import LANG, check_lang


def register(app: typer.Typer) -> None:
    """Add ``cipsurvey codebook`` to the app."""

    @app.command("codebook")
    def codebook(
        name: str = typer.Argument(..., help="Bundled instrument name or YAML file."),
        fmt: str = typer.Option("md", "--format", "-f", help="md or html."),
        out: Path = typer.Option(None, "--out", "-o", help="Write to this file."),
        lang: str = LANG,
        force: bool = typer.Option(False, "--force", help="Replace an existing output file."),
    ) -> None:
        """Write a codebook: every item, code, label and filter rule."""
        from ..instrument import load_instrument
        from ..instrument.codebook import codebook_html, codebook_markdown

        check_lang(lang)
        if fmt not in {"md", "html"}:
            raise typer.BadParameter("use md or html", param_hint="--format")
        inst = load_instrument(name)
        text = codebook_markdown(inst, lang) if fmt == "md" else codebook_html(inst, lang)
        if out is None:
            typer.echo(text)
            return
        from ..files import atomic_write, guard_output

        guard_output(out, [], force)
        atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        typer.echo(f"wrote {out}")
