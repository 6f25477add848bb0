"""``cipsurvey import DATA... --to FILE``: write the cleaned wave as .sav, CSV or Parquet."""

from __future__ import annotations

from pathlib import Path

import typer

from .options import (
    DATA,
    DECIMAL,
    DELIMITER,
    DEMO,
    ENCODING,
    EVENT,
    FORMAT,
    INSTRUMENT,
    LANG,
    PARTIAL,
    SHEET,
    SOURCE,
    TEST,
    check_lang,
    data_files,
    pick_instrument,
    pseudonym_key,
    read_options,
)


def register(app: typer.Typer) -> None:
    """Add ``cipsurvey import`` to the app."""

    @app.command("import")
    def import_(
        data: list[Path] = DATA,
        demo: bool = DEMO,
        to: Path = typer.Option(..., "--to", "-t", help="Output file: .sav, .csv or .parquet."),
        instrument: str = INSTRUMENT,
        lang: str = LANG,
        force: bool = typer.Option(False, "--force", help="Replace an existing output file."),
        key_file: Path = typer.Option(None, "--key-file",
                                      help="Key for pseudonymising respondent ids (default "
                                           "~/.cipsurvey/key, created if missing)."),
        keep_ids: bool = typer.Option(False, "--keep-ids",
                                      help="Write the respondent ids as they are."),
        format: str = FORMAT, encoding: str = ENCODING, delimiter: str = DELIMITER,
        decimal: str = DECIMAL, sheet: str = SHEET, source: str = SOURCE,
        partial: str = PARTIAL, test_responses: str = TEST, event: str = EVENT,
    ) -> None:
        """Import one wave and write it cleaned, with labels and missing codes."""
        data = data_files(data, demo)
        instrument = pick_instrument(instrument, demo)
        from ..files import guard_output
        from ..wave.export import write_wave

        check_lang(lang)
        guard_output(to, data, force)  # fail before the work, not after it
        survey = read_options(data, instrument, format, encoding, delimiter, decimal, sheet,
                              source, partial, test_responses, event)
        rid = survey.instrument.respondent_id
        if rid and not keep_ids:
            from ..wave.privacy import pseudonymise

            survey.data[rid] = pseudonymise(survey.data[rid], pseudonym_key(key_file))
        write_wave(survey, to, lang=lang, force=force)
        acc = survey.account
        typer.echo(f"wrote {to}: {acc.rows_kept} rows kept of {acc.rows_read} read "
                   f"({acc.rows_excluded} excluded)")
        for f in acc.files:  # what was assumed about a file, said once
            for note in f.notes:
                typer.echo(f"note: {f.file}: {note}", err=True)
        severe = survey.problems[survey.problems["severity"].isin(["error", "warning"])]
        if not severe.empty:  # as validate answers: 1 when problems were found
            typer.echo(f"{len(severe)} problem(s) found; see `cipsurvey validate` for the list",
                       err=True)
            raise typer.Exit(1)
