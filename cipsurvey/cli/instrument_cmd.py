"""``cipsurvey instrument check|list|schema|draft|convert``."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add ``cipsurvey instrument`` (check, list, schema, convert) to the app."""

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
        from ..instrument.resources import bundled_names

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
            from ..files import atomic_write

            atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))

    @app.command("draft")
    def draft(
        files: list[Path] = typer.Argument(..., help="The survey's data files (.sav, .csv, "
                                                     ".xlsx, web-survey exports) or one "
                                                     "definition (XLSForm, REDCap dictionary, "
                                                     ".lss, .qsf)."),
        out: Path = typer.Option(..., "--out", "-o", help="The instrument YAML to write."),
        lang: str = typer.Option("en", "--lang", help="The language the file's texts are in "
                                                      "(en or sv); the comments use it too."),
        instrument_id: str = typer.Option(None, "--id", help="The instrument's id (default: "
                                                             "from the first file's name)."),
        force: bool = typer.Option(False, "--force", help="Replace an existing file."),
    ) -> None:
        """Draft an instrument from the files you have; every guess is marked for review."""
        from ..files import atomic_write, guard_output
        from ..instrument import parse_instrument
        from ..instrument.yamlio import load_yaml
        from ..wave.draft import definition_kind, definition_text, draft_instrument
        from .options import check_lang

        check_lang(lang)
        guard_output(out, files, force)
        kind = definition_kind(files[0]) if len(files) == 1 else None
        if kind:
            text, review = definition_text(files[0], kind, lang)
        else:
            drafted = draft_instrument(list(files), lang=lang, instrument_id=instrument_id)
            text, review = drafted.text(), drafted.review_count()
        # a draft passes `instrument check` as it is: checked before anything is written
        inst = parse_instrument(load_yaml(out, text=text))
        atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        typer.echo(f"wrote {out}: instrument {inst.id!r}, {len(inst.items)} items, "
                   f"{len(inst.groups)} groups; {review} line(s) marked for review")

    @app.command("convert")
    def convert(
        source: str = typer.Argument(..., help="An instrument (name or YAML), an XLSForm "
                                               "(.xlsx, .xls), a REDCap data dictionary "
                                               "(.csv), a LimeSurvey .lss or a Qualtrics "
                                               ".qsf."),
        to: str = typer.Option(..., "--to", help="xlsform, redcap or cipsurvey."),
        out: Path = typer.Option(..., "--out", "-o", help="The file to write."),
        lang: str = typer.Option("en", "--lang", help="Label language for REDCap (en or sv)."),
        force: bool = typer.Option(False, "--force", help="Replace an existing file."),
    ) -> None:
        """Convert between cipsurvey instruments, XLSForm and REDCap dictionaries; read
        LimeSurvey and Qualtrics survey definitions."""
        import yaml

        from ..errors import CipsurveyError
        from ..files import atomic_write, guard_output
        from ..instrument import interchange as ic
        from ..instrument import load_instrument

        guard_output(out, [source], force)
        src = Path(source)
        notes: list[str] = []
        if to in ("xlsform", "redcap"):
            inst = load_instrument(source)
            if to == "xlsform":
                atomic_write(out, lambda tmp: notes.extend(ic.to_xlsform(inst, tmp)))
            else:
                atomic_write(out, lambda tmp: notes.extend(ic.to_redcap(inst, tmp, lang)))
        elif to == "cipsurvey":
            readers = {".xlsx": ic.from_xlsform, ".xls": ic.from_xlsform,
                       ".csv": ic.from_redcap, ".lss": ic.from_lss, ".qsf": ic.from_qsf}
            reader = readers.get(src.suffix.lower())
            if reader is None:
                raise CipsurveyError(
                    "give an XLSForm (.xlsx, .xls), a REDCap data dictionary (.csv), a "
                    "LimeSurvey survey structure (.lss) or a Qualtrics survey file (.qsf)",
                    file=src)
            if not src.exists():
                raise CipsurveyError("file not found", file=src)
            data, notes = reader(src)
            ic.build(data, src)  # every check an instrument gets, before anything is written
            text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
            atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        else:
            raise typer.BadParameter("use xlsform, redcap or cipsurvey", param_hint="--to")
        typer.echo(f"wrote {out}")
        for note in notes:
            typer.echo(f"  note: {note}", err=True)  # (each says what was not converted or assumed)
