"""Options shared by several commands, defined once."""

from __future__ import annotations

from pathlib import Path

import typer

INSTRUMENT = typer.Option(None, "--instrument", "-i",
                          help="Bundled instrument name or path to an instrument YAML file "
                               "(with your own files: required, unless the plan names one).")
DEMO_STUDY = "kallmen2017"  # the instrument and plan of the bundled demo wave
LANG = typer.Option("en", "--lang", help="Language of labels: en or sv.")
FORMAT = typer.Option(None, "--format", help="Override the file format: sav, csv or xlsx.")
ENCODING = typer.Option(None, "--encoding", help="Override the detected text encoding.")
DELIMITER = typer.Option(None, "--delimiter",
                         help="Override the detected delimiter: ';', ',', tab or '|'.")
DECIMAL = typer.Option(None, "--decimal", help="Override the detected decimal mark: ',' or '.'.")
SHEET = typer.Option(None, "--sheet", help="Excel sheet name or number (default: the first).")
SOURCE = typer.Option(None, "--source",
                      help="The survey tool that made the export (default: detected): table, "
                           "limesurvey, redcap, qualtrics, surveymonkey, google_forms, "
                           "microsoft_forms or kobo.")
PARTIAL = typer.Option("flag", "--partial",
                       help="Partial (unsubmitted) responses: flag, keep or drop.")
TEST = typer.Option("flag", "--test-responses",
                    help="Test and preview responses: flag, keep or drop.")
EVENT = typer.Option(None, "--event",
                     help="REDCap: the unique event name whose rows of a longitudinal export "
                          "form the wave (for example baseline_arm_1).")
DATA = typer.Argument(None, help="One or more data files (.sav, .csv, .xlsx) forming one wave.",
                      show_default=False)
DEMO = typer.Option(False, "--demo", help="Use the bundled SYNTHETIC demo wave (baseline).")


def check_lang(lang: str) -> str:
    """The --lang value if cipsurvey writes that language."""
    from ..lang import LANGS

    if lang not in LANGS:
        raise typer.BadParameter("use " + " or ".join(LANGS), param_hint="--lang")
    return lang


def data_files(data: list[Path] | None, demo: bool) -> list[Path]:
    """The files to read: those given, or the demo wave with --demo (not both)."""
    if demo and data:
        raise typer.BadParameter("give data files or --demo, not both")
    if demo:
        from ..demo.files import demo_files

        return demo_files("baseline")
    if not data:
        raise typer.BadParameter("give one or more data files, or --demo", param_hint="DATA")
    return list(data)


def pick_instrument(instrument: str | None, demo: bool, plan: str | None = None) -> str:
    """The instrument the data are read with: ``--instrument``; the demo's with ``--demo``;
    else the one the plan names. Never a silent default: without any of them, an error that
    says how to give one."""
    if instrument:
        return instrument
    if demo:
        return DEMO_STUDY
    if plan:
        from ..analysis.plan import plan_instrument

        return plan_instrument(plan)
    raise typer.BadParameter(
        "which instrument describes these files? Give --instrument FILE.yaml (or a bundled "
        "name); `cipsurvey instrument draft DATA... --out FILE.yaml` drafts one from the "
        "files", param_hint="--instrument")


def pick_plan(plan: str | None, demo: bool, instrument: str | None) -> str:
    """The analysis plan: ``--plan``; the demo's with ``--demo``; the bundled plan of a
    bundled instrument of the same name (said once); else an error that says how to get one."""
    if plan:
        return plan
    if demo:
        return DEMO_STUDY
    from ..instrument.resources import bundled_names

    if instrument and instrument in bundled_names("analyses"):
        typer.echo(f"plan: the bundled plan {instrument!r} of the bundled instrument "
                   f"{instrument!r}", err=True)
        return instrument
    raise typer.BadParameter(
        "which analysis plan? Give --plan FILE.yaml; `cipsurvey plan draft INSTRUMENT --out "
        "FILE.yaml` writes one that runs as it is", param_hint="--plan")


def pseudonym_key(key_file: Path | None) -> bytes:
    """The pseudonymisation key; when none exists yet, one is made and where it is kept is
    said once, plainly (it links waves, and pseudonyms cannot be recomputed without it)."""
    from ..wave.privacy import key_path, load_key

    path = key_path(key_file)
    new = not path.exists()
    key = load_key(path)
    if new:
        typer.echo(f"created a new pseudonymisation key in {path}: keep it safe and use it "
                   "again for the next wave (the same key gives the same pseudonyms; without "
                   "it they cannot be recomputed)", err=True)
    return key


def read_options(data: list[Path], instrument: str, format: str | None, encoding: str | None,
                 delimiter: str | None, decimal: str | None, sheet: str | None,
                 source: str | None = None, partial: str = "flag", test: str = "flag",
                 event: str | None = None):
    """Import the files as one wave with the user's overrides."""
    from ..wave.survey import read_survey

    return read_survey(data, instrument, format=format, encoding=encoding,
                       delimiter=delimiter, decimal=decimal, sheet=sheet, source=source,
                       partial=partial, test=test, event=event)
