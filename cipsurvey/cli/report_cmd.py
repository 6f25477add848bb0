"""``cipsurvey report`` and ``cipsurvey reproduce``."""

from __future__ import annotations

from pathlib import Path

import typer

from ..lang import text
from .options import (
    DATA,
    DECIMAL,
    DELIMITER,
    DEMO,
    ENCODING,
    FORMAT,
    INSTRUMENT,
    LANG,
    SHEET,
    check_lang,
    data_files,
    pick_instrument,
    pick_plan,
    pseudonym_key,
    read_options,
)

OUTPUTS = ("report.html", "report.docx", "report.xlsx", "results.json")


def guard_report_folder(folder: Path, force: bool) -> None:
    """Refuse to write over an earlier report in ``folder`` unless ``force``."""
    from ..errors import OutputError

    existing = [folder / name for name in OUTPUTS if (folder / name).exists()]
    if existing and not force:
        raise OutputError("the report folder already holds a report", file=existing[0],
                          hint="choose another --out folder, or add --force")


def compute(data, demo, instrument, plan_name, lang, fmt, encoding, delimiter, decimal, sheet,
            quiet: bool = False, on_result=None):
    """Import, validate and run the plan, showing progress; returns (report, invited).

    ``on_result`` is handed to ``run_plan``: it sees each result as soon as it is ready.
    """
    from rich.console import Console

    from ..analysis.plan import load_plan
    from ..analysis.run import run_plan
    from ..lang import text

    files = data_files(data, demo)
    console = Console(stderr=True, quiet=quiet)
    with console.status("reading and validating the data") as status:
        survey = read_options(files, instrument, fmt, encoding, delimiter, decimal, sheet)
        inst = survey.instrument
        if lang not in inst.languages:  # said once: the questions stay as they are written
            console.print(text("cli.texts_as_written", lang, instrument=inst.id,
                               languages=", ".join(inst.languages)), highlight=False)
        plan = load_plan(plan_name, survey.instrument)
        report = run_plan(survey, plan, lang,
                          progress=lambda rid: status.update(f"computing {rid}"),
                          on_result=on_result)
    return report, (demo_invited() if demo else None)


def demo_invited() -> int:
    """How many were invited to the SYNTHETIC demo study's baseline wave."""
    from ..demo.files import demo_invited as invited

    return invited("baseline")


def register(app: typer.Typer) -> None:
    """Add ``cipsurvey report`` and ``cipsurvey reproduce`` to the app."""

    @app.command("report")
    def report(
        data: list[Path] = DATA,
        demo: bool = DEMO,
        out: Path = typer.Option(..., "--out", "-o", help="Folder for the report files."),
        instrument: str = INSTRUMENT,
        plan: str = typer.Option(None, "--plan", "-p",
                                 help="Bundled plan name or path to a plan YAML file "
                                      "(with --demo: kallmen2017)."),
        lang: str = LANG,
        invited: int = typer.Option(None, "--invited",
                                    help="Number invited, for the response rate."),
        min_cell: int = typer.Option(0, "--min-cell",
                                     help="Suppress counts below K (and what reveals them)."),
        include_free_text: bool = typer.Option(False, "--include-free-text",
                                               help="Add the free-text answers (ids "
                                                    "pseudonymised)."),
        key_file: Path = typer.Option(None, "--key-file",
                                      help="Key for pseudonymising ids (default "
                                           "~/.cipsurvey/key)."),
        force: bool = typer.Option(False, "--force", help="Replace existing report files."),
        format: str = FORMAT, encoding: str = ENCODING, delimiter: str = DELIMITER,
        decimal: str = DECIMAL, sheet: str = SHEET,
    ) -> None:
        """Write the report: HTML, Word, Excel, results.json and figures (PNG and SVG)."""
        check_lang(lang)
        if data and len(data) == 1 and data[0].suffix.lower() in (".yaml", ".yml"):
            _report_study(data[0], out, lang, min_cell, force)
            return
        plan = pick_plan(plan, demo, instrument)
        instrument = pick_instrument(instrument, demo, plan)
        guard_report_folder(out, force)
        from rich.console import Console

        from ..demo.reproduce import paper_beside
        from ..report.make import Unprotected, make_report

        files = data_files(data, demo)
        key = pseudonym_key(key_file) if include_free_text else None
        console = Console(stderr=True)
        try:
            with console.status("reading and validating the data") as status:
                made = make_report(
                    lambda: read_options(files, instrument, format, encoding, delimiter,
                                         decimal, sheet),
                    plan, lang, out, min_cell=min_cell,
                    invited=invited or (demo_invited() if demo else None), free_text_key=key,
                    paper=paper_beside if demo and plan == "kallmen2017" and min_cell <= 1
                    else None,
                    progress=lambda step, done, total, rid: status.update(
                        f"computing {rid}" if step == "compute" else
                        "protecting small cells" if step == "protect" else
                        "writing the report" if step == "write" else
                        "reading and validating the data"))
        except Unprotected as failed:  # nothing written
            _say_protected(failed.protection, lang)
            raise typer.Exit(1) from None
        for notice in made.notices:
            console.print(notice, highlight=False)
        if made.protection is not None:
            _say_protected(made.protection, lang)
        written, failed = made.written, made.failed
        typer.echo(f"wrote {written.html}, {written.docx.name}, {written.xlsx.name}, "
                   f"{written.json.name} and {len(written.figures)} figures (PNG and SVG) "
                   f"to {out}")
        if failed:
            typer.echo(f"{len(failed)} analysis(es) failed and carry a note: "
                       + ", ".join(failed), err=True)

    @app.command("reproduce")
    def reproduce(
        name: str = typer.Argument("kallmen2017", help="The study to reproduce."),
        data: list[Path] = typer.Option(None, "--data", help="Data files (default: the demo)."),
        show: str = typer.Option("all", "--show", help="all, or mismatches."),
        as_json: bool = typer.Option(False, "--json", help="Print the checks as JSON."),
    ) -> None:
        """Every number the paper prints beside the reproduced value, with a verdict."""
        from ..demo.reproduce import build_checks, checks_frame
        from ..errors import CipsurveyError

        if name != "kallmen2017":
            raise CipsurveyError(f"no published study named {name!r}; known: kallmen2017")
        rep, invited = compute(data or None, not data, "kallmen2017", "kallmen2017", "en",
                               None, None, None, None, None, quiet=as_json)
        frame = checks_frame(build_checks(rep, invited=invited))
        bad = frame[frame["verdict"].isin(["mismatch", "missing"])]
        if as_json:
            typer.echo(frame.to_json(orient="records", force_ascii=False, indent=1))
        else:
            _print(frame if show == "all" else frame[frame["verdict"] != "match"])
            counts = frame["verdict"].value_counts()
            typer.echo(", ".join(f"{v}: {n}" for v, n in counts.items())
                       + f" (of {len(frame)} printed numbers)")
        raise typer.Exit(1 if len(bad) else 0)


def _report_study(manifest: Path, out: Path, lang: str, min_cell: int, force: bool) -> None:
    """One report per wave of a study manifest, each in out/<wave id>/."""
    from ..analysis.plan import load_plan
    from ..analysis.run import run_plan
    from ..report.outputs import write_report
    from ..wave.study import load_study

    study = load_study(manifest)
    plan = load_plan(study.manifest.plan or study.manifest.instrument, study.instrument)
    for wave in study.waves:  # every folder is checked before any report is written
        guard_report_folder(out / wave, force)
    from ..files import staged_folder

    done = []
    with staged_folder(out) as stage:  # every wave's report, or none
        for wave, survey in study.waves.items():
            report = run_plan(survey, plan, lang)
            if min_cell > 1:
                _protect(report, min_cell)
            invited = None
            if study.invited is not None:
                invited = int(study.invited.loc[study.invited["wave"] == wave,
                                                "invited"].sum())
            write_report(report, stage / wave, invited=invited, min_cell=min_cell)
            done.append(wave)
    for wave in done:
        typer.echo(f"wrote {out / wave / 'report.html'} ({study.label(wave, lang)})")


def _protect(report, k: int) -> None:
    """Protect a report at threshold K before anything is drawn or written, and say how
    many numbers were protected and whether the audit held (exit 1 if it did not)."""
    from ..report.protect import protect

    if not _say_protected(protect(report, k), report.lang):
        raise typer.Exit(1)


def _say_protected(done, lang: str) -> bool:
    """Say how many numbers the protection hid or withheld and whether its audit held
    (where it did not, the first places it failed); return whether it held."""
    typer.echo(text("protect.summary", lang, k=done.k, cells=done.cells,
                    statistics=done.statistics, tables=done.tables), err=True)
    if not done.held:
        typer.echo(text("protect.audit_failed", lang, k=done.k,
                        where="; ".join(done.audit.problems()[:5])), err=True)
    return done.held


def _print(frame) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Källmén, Hed & Elgán (2017): published vs reproduced",
                  title_justify="left")
    for col in ("quantity", "published", "reproduced", "verdict"):
        table.add_column(col, justify="right" if col in ("published", "reproduced") else "left")
    colour = {"match": "green", "known inconsistency": "yellow"}
    for r in frame.itertuples(index=False):
        rep = "" if r.reproduced is None else f"{r.reproduced:.{max(r.decimals, 0) + 2}f}"
        verdict = r.verdict + (f" ({r.why})" if r.why else "")
        table.add_row(r.quantity, f"{r.published:.{r.decimals}f}", rep,
                      f"[{colour.get(r.verdict, 'red')}]{verdict}[/]")
    Console(highlight=False).print(table)
