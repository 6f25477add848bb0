"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path

import typer

INSTRUMENT = typer.Option("kallmen2017", "--instrument", "-i",
                          help="Bundled instrument name or path to an instrument YAML file.")
LANG = typer.Option("en", "--lang", help="Language of labels: en or sv.")
FORMAT = typer.Option(None, "--format", help="Override the file format: sav, csv or xlsx.")
ENCODING = typer.Option(None, "--encoding", help="Override the detected text encoding.")
DELIMITER = typer.Option(None, "--delimiter",
                         help="Override the detected delimiter: ';', ',', tab or '|'.")
DECIMAL = typer.Option(None, "--decimal", help="Override the detected decimal mark: ',' or '.'.")
SHEET = typer.Option(None, "--sheet", help="Excel sheet name or number (default: the first).")
DATA = typer.Argument(..., help="One or more data files (.sav, .csv, .xlsx) forming one wave.",
                      show_default=False)


def check_lang(lang: str) -> str:
    if lang not in {"en", "sv"}:
        raise typer.BadParameter("use en or sv", param_hint="--lang")
    return lang


def read_options(data: list[Path], instrument: str, format: str | None, encoding: str | None,
                 delimiter: str | None, decimal: str | None, sheet: str | None):
    """Import the files as one wave with the user's overrides."""
    from ..survey import read_survey

    return read_survey(data, instrument, format=format, encoding=encoding,
                       delimiter=delimiter, decimal=decimal, sheet=sheet)
