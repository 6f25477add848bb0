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


def demo_invited() -> int:
    """How many were invited to the demo study's baseline."""
    import pandas as pd

    from ..demo.files import DATA_DIR, PREFIX

    inv = pd.read_csv(DATA_DIR / f"{PREFIX}_invitations.csv", comment="#")
    return int(inv["invited_baseline"].sum())


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
        from ..report.drawing import FigureWorker

        check_lang(lang)
        if data and len(data) == 1 and data[0].suffix.lower() in (".yaml", ".yml"):
            _report_study(data[0], out, lang, min_cell, force)
            return
        plan = pick_plan(plan, demo, instrument)
        instrument = pick_instrument(instrument, demo, plan)
        guard_report_folder(out, force)
        from ..files import staged_folder

        # the worker starts first, so that it imports matplotlib while this process imports
        # the rest; it draws the figures while the tables are computed. Everything is written
        # into a staged folder and moved into --out only when every file is ready.
        with staged_folder(out) as stage, FigureWorker() as drawer:
            from ..report.outputs import write_report

            # without protection each figure is drawn as soon as it is computed; with it,
            # only once every result is protected (a figure draws the protected table)
            rep, demo_n = compute(data, demo, instrument, plan, lang, format, encoding,
                                  delimiter, decimal, sheet,
                                  on_result=None if min_cell > 1 else
                                  lambda result: drawer.submit(result, stage / "figures", lang))
            if min_cell > 1:
                _protect(rep, min_cell)
                for result in rep.results:
                    drawer.submit(result, stage / "figures", lang)
            if include_free_text:
                from ..analysis.run import free_text_result

                rep.results.append(free_text_result(rep, pseudonym_key(key_file)))
            paper = None
            # the paper's values beside the reproduced ones; not under --min-cell, where the
            # demo's printed counts would show what the protection hides
            if demo and plan == "kallmen2017" and min_cell <= 1:
                from ..demo.reproduce import build_checks, paper_cells

                paper = paper_cells(build_checks(rep, invited=demo_n))
            written = write_report(rep, stage, invited=invited or demo_n, min_cell=min_cell,
                                   free_text=include_free_text, paper=paper,
                                   drawn=drawer.collect)
        failed = [r.id for r in rep.results if r.error]
        typer.echo(f"wrote {out / written.html.name}, {written.docx.name}, "
                   f"{written.xlsx.name}, {written.json.name} and {len(written.figures)} "
                   f"figures (PNG and SVG) to {out}")
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

    done = protect(report, k)
    typer.echo(text("protect.summary", report.lang, k=k, cells=done.cells,
                    statistics=done.statistics, tables=done.tables), err=True)
    if not done.held:
        typer.echo(text("protect.audit_failed", report.lang, k=k,
                        where="; ".join(done.audit.problems()[:5])), err=True)
        raise typer.Exit(1)


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
