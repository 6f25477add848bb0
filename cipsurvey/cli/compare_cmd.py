"""``cipsurvey compare``: baseline and follow-up, attrition, change, course occasions."""

from __future__ import annotations

from pathlib import Path

import typer

from .options import LANG, PARTIAL, TEST, check_lang


def demo_study() -> Path:
    """The bundled SYNTHETIC demo study's manifest."""
    from ..demo.files import demo_study_file

    return demo_study_file()


def _study_from_options(waves: list[str], plan: str | None, instrument: str | None,
                        partial: str, test: str):
    """The study the ``--wave`` options describe, with the plan's (or the given)
    instrument; what was taken is said once."""
    from ..wave.study import study_from_files
    from .options import pick_instrument

    if not plan:
        raise typer.BadParameter("the waves need the plan whose compare section says what "
                                 "is compared: --plan FILE.yaml (`cipsurvey plan draft` "
                                 "writes one with that section)", param_hint="--plan")
    parsed: list[tuple[str, list[Path]]] = []
    for given in waves:
        wave_id, sep, files = given.partition("=")
        if not sep or not wave_id or not files:
            raise typer.BadParameter(f"a wave is ID=FILE[,FILE...], not {given!r}",
                                     param_hint="--wave")
        parsed.append((wave_id, [Path(f) for f in files.split(",")]))
    inst = pick_instrument(instrument, False, plan)
    typer.echo("study: " + "; ".join(f"wave {w} = {', '.join(str(f) for f in files)}"
                                     for w, files in parsed)
               + f"; instrument {inst}; no respondent key (independent samples)", err=True)
    return study_from_files(parsed, inst, plan, partial=partial, test=test)


def register(app: typer.Typer) -> None:
    """Add ``cipsurvey compare`` to the app."""

    @app.command("compare")
    def compare_(
        study: Path = typer.Argument(None, help="A study manifest (study.yaml)."),
        demo: bool = typer.Option(False, "--demo", help="Use the bundled SYNTHETIC demo study."),
        waves: list[str] = typer.Option(
            None, "--wave", help="Without a manifest: a wave as ID=FILE[,FILE...], once per "
            "wave, the baseline first (needs --plan)."),
        plan: str = typer.Option(None, "--plan", "-p",
                                 help="With --wave: the plan whose compare section is used."),
        instrument: str = typer.Option(None, "--instrument", "-i",
                                       help="With --wave: the instrument (default: the "
                                            "plan's)."),
        out: Path = typer.Option(..., "--out", "-o", help="Folder for the comparison report."),
        base: str = typer.Option(None, "--base", help="Baseline wave id (default: the first)."),
        follow: str = typer.Option(None, "--follow", help="Follow-up wave id (default: last)."),
        lang: str = LANG,
        partial: str = PARTIAL, test_responses: str = TEST,
        force: bool = typer.Option(False, "--force", help="Replace existing report files."),
        min_cell: int = typer.Option(0, "--min-cell",
                                     help="Hide counts of people below this, and whatever "
                                          "would reveal them (docs/disclosure-control.md)."),
    ) -> None:
        """Compare two waves: response, attrition, change (linked and not), cohorts."""
        from ..report.make import Unprotected, make_comparison
        from ..wave.study import load_study
        from .report_cmd import guard_report_folder

        check_lang(lang)
        if sum((demo, study is not None, bool(waves))) != 1:
            raise typer.BadParameter("give a study manifest, --demo, or the waves (--wave "
                                     "ID=FILE, once per wave, with --plan)")
        if (plan or instrument) and not waves:
            raise typer.BadParameter("--plan and --instrument go with --wave (a manifest "
                                     "names its own)", param_hint="--plan")
        guard_report_folder(out, force)
        if waves:
            loaded = _study_from_options(waves, plan, instrument, partial, test_responses)
        else:
            loaded = load_study(demo_study() if demo else study, partial=partial,
                                test=test_responses)
        try:
            made = make_comparison(loaded, base, follow, lang, out, min_cell=min_cell)
        except Unprotected as failed:  # nothing was written
            _say_protected(failed.protection, lang)
            raise typer.Exit(1) from None
        comparison, written = made.comparison, made.written
        if made.protection is not None:
            _say_protected(made.protection, lang)
        typer.echo(f"wrote {written.html}, {written.docx.name}, {written.xlsx.name}, "
                   f"{written.json.name} and {len(written.figures)} figures to {out}")
        for line in comparison.summary:
            typer.echo(f"  {line}")


def _say_protected(done, lang: str) -> bool:
    """Say how many numbers the protection hid or withheld and whether its audit held
    (where it did not, the first places it failed); return whether it held."""
    from ..lang import text

    if done.held:
        typer.echo(text("protect.compare_summary", lang, k=done.k, cells=done.cells,
                        statistics=done.statistics, tables=done.tables), err=True)
    else:
        typer.echo(text("protect.audit_failed", lang, k=done.k,
                        where="; ".join(done.audit.problems()[:5])), err=True)
    return done.held
