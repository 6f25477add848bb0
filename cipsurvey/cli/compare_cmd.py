"""``cipsurvey compare``: baseline and follow-up, attrition, change, course occasions."""

from __future__ import annotations

from pathlib import Path

import typer

from .options import LANG, PARTIAL, TEST, check_lang


def demo_study() -> Path:
    """The bundled SYNTHETIC demo study's manifest."""
    from ..demo.files import demo_study_file

    return demo_study_file()


def register(app: typer.Typer) -> None:
    """Add ``cipsurvey compare`` to the app."""

    @app.command("compare")
    def compare_(
        study: Path = typer.Argument(None, help="A study manifest (study.yaml)."),
        demo: bool = typer.Option(False, "--demo", help="Use the bundled SYNTHETIC demo study."),
        out: Path = typer.Option(..., "--out", "-o", help="Folder for the comparison report."),
        base: str = typer.Option(None, "--base", help="Baseline wave id (default: the first)."),
        follow: str = typer.Option(None, "--follow", help="Follow-up wave id (default: last)."),
        lang: str = LANG,
        partial: str = PARTIAL, test_responses: str = TEST,
        force: bool = typer.Option(False, "--force", help="Replace existing report files."),
    ) -> None:
        """Compare two waves: response, attrition, change (linked and not), cohorts."""
        from ..analysis.compare import compare
        from ..report.outputs import write_report
        from ..wave.study import load_study
        from .report_cmd import guard_report_folder

        check_lang(lang)
        if demo == (study is not None):
            raise typer.BadParameter("give a study manifest or --demo")
        guard_report_folder(out, force)
        loaded = load_study(demo_study() if demo else study, partial=partial,
                            test=test_responses)
        comparison = compare(loaded, base, follow, lang)
        written = write_report(comparison, out)
        typer.echo(f"wrote {written.html}, {written.docx.name}, {written.xlsx.name}, "
                   f"{written.json.name} and {len(written.figures)} figures to {out}")
        for line in comparison.summary:
            typer.echo(f"  {line}")
