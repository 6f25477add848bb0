"""``cipsurvey validate DATA...``: exit 0 clean, 1 problems found, 2 unusable input."""

from __future__ import annotations

import json
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
    PARTIAL,
    SHEET,
    SOURCE,
    TEST,
    data_files,
    pick_instrument,
    read_options,
)

SHOWN = 40


def register(app: typer.Typer) -> None:
    """Add ``cipsurvey validate`` to the app."""

    @app.command("validate")
    def validate(
        data: list[Path] = DATA,
        demo: bool = DEMO,
        instrument: str = INSTRUMENT,
        problems: Path = typer.Option(None, "--problems", "-p",
                                      help="Write every problem to this CSV file."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        show_notes: bool = typer.Option(False, "--notes", help="List notes too, not only counts."),
        format: str = FORMAT, encoding: str = ENCODING, delimiter: str = DELIMITER,
        decimal: str = DECIMAL, sheet: str = SHEET, source: str = SOURCE,
        partial: str = PARTIAL, test_responses: str = TEST, event: str = EVENT,
        force: bool = typer.Option(False, "--force", help="Replace an existing problems file."),
    ) -> None:
        """Validate a wave against the instrument and list every problem found."""
        data = data_files(data, demo)
        instrument = pick_instrument(instrument, demo)
        survey = read_options(data, instrument, format, encoding, delimiter, decimal, sheet,
                              source, partial, test_responses, event)
        table = survey.problems
        if problems is not None:
            from ..files import atomic_write, guard_output
            from ..wave.problems import problems_csv

            guard_output(problems, data, force)
            written = problems_csv(table)
            atomic_write(problems, lambda tmp: tmp.write_bytes(written))
        code = 0 if survey.is_clean() else 1
        if as_json:
            payload = {"clean": survey.is_clean(), "account": survey.account.as_dict(),
                       "problems": json.loads(table.to_json(orient="records"))}
            typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
            raise typer.Exit(code)
        _print(survey, show_notes)
        raise typer.Exit(code)


def _print(survey, show_notes: bool) -> None:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=False)
    acc = survey.account
    inst = survey.instrument
    t = Table(title=f"Import account: checked against instrument {inst.id!r} "
                    f"({inst.title.get('en')})", title_justify="left")
    for col in ("file", "format", "detected", "read", "kept", "excluded"):
        t.add_column(col, justify="right" if col in {"read", "kept", "excluded"} else "left")
    for f in acc.files:
        t.add_row(f.file, f.format, ", ".join(f"{k}: {v}" for k, v in f.details.items()),
                  str(f.rows_read), str(f.rows_kept), str(f.rows_excluded))
    console.print(t)
    for _, r in acc.reasons().iterrows():
        console.print(f"  excluded from {r['file']}: {r['rows']} × {r['reason']}")
    for f in acc.files:  # what was assumed about a file, said once
        for note in f.notes:
            console.print(f"  assumed for {f.file}: {note}")
    problems = survey.problems
    if problems.empty:
        console.print("[green]clean: no problems found[/green]")
        return
    from ..wave.problems import problem_counts

    counts = problem_counts(problems)
    s = Table(title="Problems by kind", title_justify="left")
    for col in ("severity", "code", "n"):
        s.add_column(col, justify="right" if col == "n" else "left")
    for _, r in counts.iterrows():
        s.add_row(r["severity"], r["code"], str(r["n"]))
    console.print(s)
    absent = problems[problems["code"] == "missing_column"]
    for file, part in absent.groupby("file", sort=False):
        names = ", ".join(part["column"].head(8))
        more = f" and {len(part) - 8} more" if len(part) > 8 else ""
        console.print(f"{Path(str(file)).name} has no column for {len(part)} item(s): "
                      f"{names}{more}")
    listed = problems[problems["code"] != "missing_column"]
    if not show_notes:
        listed = listed[listed["severity"] != "note"]
    if listed.empty:
        console.print("[green]no errors or warnings[/green] (notes are counted above; "
                      "--notes lists them)")
        return
    d = Table(title=f"Problems (first {min(SHOWN, len(listed))} of {len(listed)})",
              title_justify="left")
    for col in ("severity", "file", "row", "column", "value", "message"):
        d.add_column(col, overflow="fold")
    for _, r in listed.head(SHOWN).iterrows():
        d.add_row(r["severity"], Path(str(r["file"])).name,
                  "" if pd.isna(r["row"]) else str(int(r["row"])),
                  str(r["column"]), str(r["value"]), str(r["message"]))
    console.print(d)
    if len(listed) > SHOWN:
        console.print(f"… {len(listed) - SHOWN} more; write them all with --problems FILE.csv")
